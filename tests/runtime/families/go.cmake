# Go (issue 7, Tests): static programs built with Debian's golang-go (CGO_ENABLED=0, so the
# Go runtime makes its own syscalls: clone threads, futexes, signals on sigaltstacks, mmap and
# madvise, epoll_pwait for timers, sched_getaffinity), each compared with its native run.
# Built once (the family is included per libc; Go needs no libc) into ${RT_BIN}/go, only when
# `go` is found: scripts/bootstrap installs golang-go, so CI has it; elsewhere the family is
# skipped with a message. docs/go.md says what each program covers and what Go needs.
if(TARGET petrel-go-progs)
    return()
endif()
find_program(PETREL_GO go)
if(NOT PETREL_GO)
    message(STATUS "runtime: go not found (scripts/bootstrap installs golang-go): the Go family is skipped")
    add_custom_target(petrel-go-progs)
    return()
endif()
set(go_bin ${RT_BIN}/go)
set(go_root ${RT_BIN}/goroot)
# Each program: source tests/runtime/go/<prog>.go, its arguments after it.
set(go_progs go_chan go_time go_files go_signal go_gc go_panic)
set(go_outs "")
foreach(prog ${go_progs})
    add_custom_command(OUTPUT ${go_bin}/${prog}
        COMMAND ${CMAKE_COMMAND} -E make_directory ${go_bin}
        COMMAND ${CMAKE_COMMAND} -E env CGO_ENABLED=0 GOCACHE=${go_bin}/cache
                GOPATH=${go_bin}/gopath GO111MODULE=off GOFLAGS= HOME=${go_bin}
                ${PETREL_GO} build -trimpath -o ${go_bin}/${prog}
                ${CMAKE_CURRENT_SOURCE_DIR}/go/${prog}.go
        DEPENDS go/${prog}.go VERBATIM)
    list(APPEND go_outs ${go_bin}/${prog})
endforeach()
add_custom_target(petrel-go-progs ALL DEPENDS ${go_outs})
# The tree: root/ (its tmp/ for go_files).
add_custom_command(OUTPUT ${go_root}/tmp
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${go_root}
    COMMAND ${CMAKE_COMMAND} -E copy_directory ${CMAKE_CURRENT_SOURCE_DIR}/root ${go_root}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${go_root}/tmp
    DEPENDS ${RT_ROOT_FILES} VERBATIM)
add_custom_target(petrel-go-root ALL DEPENDS ${go_root}/tmp)

set(g ${go_bin})
rt_test(go.chan ${g}/go_chan ${go_root} /bin/go_chan ARGS go_chan)
rt_test(go.panic ${g}/go_panic ${go_root} /bin/go_panic ARGS go_panic)
# The unrecovered panic's report goes to stderr natively and to the console (one stream with
# stdout) in Petrel: both outputs are compared up to it; the exit status (2) must match.
rt_test(go.panic_crash ${g}/go_panic ${go_root} /bin/go_panic ARGS go_panic crash
        FILTER "sed '/^panic: /,$d'")
# Timers, the os file APIs, os/signal and the collector's background workers all start the
# runtime's netpoller (epoll_create1, epoll_ctl, epoll_pwait with timeouts, an eventfd or
# non-blocking pipe to break the wait): docs/go.md.
rt_test(go.time ${g}/go_time ${go_root} /bin/go_time ARGS go_time)
rt_test(go.files ${g}/go_files ${go_root} /bin/go_files ARGS go_files)
rt_test(go.signal ${g}/go_signal ${go_root} /bin/go_signal ARGS go_signal)
rt_test(go.gc ${g}/go_gc ${go_root} /bin/go_gc ARGS go_gc)
