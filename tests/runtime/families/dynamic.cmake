# Dynamically linked programs (issue 8): the same sources built without -static, run natively
# with the host's interpreter and libraries and in Petrel from an image whose tree holds those
# files at the same paths (docs/elf-loader.md). Per libc: the interpreter (the x86-64 ABI's
# path) and, for glibc, libc.so.6, libm.so.6 and libresolv.so.2 (dlopen'ed by dynlib) from the
# host's multiarch directory, copied (symlinks followed) into ${RT_BIN}/dynroot-<libc>, along
# with root/ and the programs in bin/ (so `ld.so bin/exit_codes` finds its program natively
# too). A host without these files skips the family.
set(dyn_root ${RT_BIN}/dynroot-${libc})
set(dyn_bin ${RT_BIN}/bin-${libc}-dyn)
if(libc STREQUAL musl)
    set(dyn_interp /lib/ld-musl-x86_64.so.1)
    set(dyn_files ${dyn_interp})
else()
    set(dyn_interp /lib64/ld-linux-x86-64.so.2)
    set(dyn_multiarch /lib/x86_64-linux-gnu)
    set(dyn_files ${dyn_interp} ${dyn_multiarch}/libc.so.6 ${dyn_multiarch}/libm.so.6
                  ${dyn_multiarch}/libresolv.so.2)
endif()
set(dyn_ok TRUE)
foreach(f ${dyn_files})
    if(NOT EXISTS ${f})
        set(dyn_ok FALSE)
    endif()
endforeach()
if(NOT dyn_ok)
    message(STATUS "runtime: ${libc} dynamic family skipped (missing one of ${dyn_files})")
    return()
endif()

set(dyn_progs exit_codes args readfile dynlib vdso)
set(dyn_outs "")
set(dyn_cmds "")
foreach(prog ${dyn_progs})
    list(APPEND dyn_outs ${dyn_bin}/${prog})
    list(APPEND dyn_cmds COMMAND ${cc} -O2 -fno-omit-frame-pointer -o ${dyn_bin}/${prog}
         ${CMAKE_CURRENT_SOURCE_DIR}/progs/${prog}.c -lm -ldl
         COMMAND ${CMAKE_COMMAND} -E copy ${dyn_bin}/${prog} ${dyn_root}/bin/${prog})
endforeach()
add_custom_command(OUTPUT ${dyn_outs} ${dyn_root}${dyn_interp}
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${dyn_root} ${dyn_bin}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${dyn_bin} ${dyn_root}/bin ${dyn_root}/tmp
    COMMAND ${CMAKE_COMMAND} -E copy_directory ${CMAKE_CURRENT_SOURCE_DIR}/root ${dyn_root}
    COMMAND sh -c "for f; do mkdir -p \"${dyn_root}\${f%/*}\" && cp -L \"\$f\" \"${dyn_root}\$f\" || exit 1; done" stage ${dyn_files}
    ${dyn_cmds}
    DEPENDS ${RT_ROOT_FILES} progs/exit_codes.c progs/args.c progs/readfile.c progs/dynlib.c progs/vdso.c
    VERBATIM)

set(d ${dyn_bin})
rt_test(${libc}.dyn_hello ${d}/exit_codes ${dyn_root} /bin/exit_codes ARGS exit_codes 0)
rt_test(${libc}.dyn_exit_42 ${d}/exit_codes ${dyn_root} /bin/exit_codes ARGS exit_codes 42)
rt_test(${libc}.dyn_args ${d}/args ${dyn_root} /bin/args ARGS args "a b" "" last)
rt_test(${libc}.dyn_readfile ${d}/readfile ${dyn_root} /bin/readfile ARGS readfile)
rt_test(${libc}.dyn_libm_dlopen ${d}/dynlib ${dyn_root} /bin/dynlib ARGS dynlib)
# The vDSO seen by a dynamic program: ld.so takes it into its link map (glibc) or looks its
# symbols up (musl), and the libc's clock calls go through it.
rt_test(${libc}.dyn_vdso ${d}/vdso ${dyn_root} /bin/vdso ARGS vdso)
# The interpreter as the program: ld.so maps bin/exit_codes itself (cwd-relative both ways).
# The staged copy of the interpreter is the binary, so the image waits for the staging.
rt_test(${libc}.dyn_ldso_runs_program ${dyn_root}${dyn_interp} ${dyn_root} ${dyn_interp}
        ARGS ld.so bin/exit_codes 7)
