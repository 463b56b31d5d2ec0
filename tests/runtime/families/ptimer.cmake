# POSIX timers, wait4/waitid, inotify, shared futexes across mappings, RLIMIT_STACK/AS
# (docs/time.md, docs/inotify.md, docs/threads.md, docs/memory.md): each compared with its
# native run (stdout and exit code).
foreach(prog ptimer futex_shared rlimit_as)
    rt_prog(${prog} FLAGS -pthread)
    rt_test(${libc}.${prog} ${b}/${prog} ${RT_ROOT} /bin/${prog} ARGS ${prog})
endforeach()
