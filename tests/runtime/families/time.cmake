# Time (docs/time.md): CPU clocks measured by the scheduler, times/getrusage, timers, the
# vDSO; each compared with its native run (stdout and exit code).
foreach(prog cputime timerfd itimer)
    rt_prog(${prog} FLAGS -pthread)
    rt_test(${libc}.${prog} ${b}/${prog} ${RT_ROOT} /bin/${prog} ARGS ${prog})
endforeach()
# clock_nanosleep with TIMER_ABSTIME on both clocks (never early, past deadlines, periodic
# without drift), interrupted absolute and relative sleeps, its error returns.
rt_prog(clock_abs)
rt_test(${libc}.clock_abs ${b}/clock_abs ${RT_ROOT} /bin/clock_abs ARGS clock_abs)
# The vDSO (docs/time.md "vDSO"): found through AT_SYSINFO_EHDR, its symbols parsed and called
# against the syscalls, then the libc's own clock calls; vdso_exec runs it again after execve.
rt_prog(vdso)
rt_test(${libc}.vdso ${b}/vdso ${RT_ROOT} /bin/vdso ARGS vdso)
rt_test(${libc}.vdso_exec ${b}/vdso ${RT_ROOT} /bin/vdso ARGS vdso exec)
# The legacy vsyscall page (docs/time.md "vsyscall page"): its three entries called through
# function pointers, and the SIGSEGVs of Linux's vsyscall=xonly. It looks for the page in
# /proc/self/maps first: its tree has an empty proc/ for the kernel to mount /proc on (as
# procfs.cmake's), the program in bin/ (the staged copy is the test's binary).
rt_prog(vsyscall)
set(vs_root ${RT_BIN}/vsroot-${libc})
add_custom_command(OUTPUT ${vs_root}/bin/vsyscall
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${vs_root}
    COMMAND ${CMAKE_COMMAND} -E copy_directory ${CMAKE_CURRENT_SOURCE_DIR}/root ${vs_root}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${vs_root}/proc ${vs_root}/bin
    COMMAND ${CMAKE_COMMAND} -E copy ${b}/vsyscall ${vs_root}/bin/vsyscall
    DEPENDS ${RT_ROOT_FILES} ${b}/vsyscall VERBATIM)
rt_test(${libc}.vsyscall ${vs_root}/bin/vsyscall ${vs_root} /bin/vsyscall ARGS vsyscall)
