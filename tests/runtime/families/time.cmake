# Time (docs/time.md): CPU clocks measured by the scheduler, times/getrusage, timers, the
# vDSO; each compared with its native run (stdout and exit code).
foreach(prog cputime timerfd itimer)
    rt_prog(${prog} FLAGS -pthread)
    rt_test(${libc}.${prog} ${b}/${prog} ${RT_ROOT} /bin/${prog} ARGS ${prog})
endforeach()
# The vDSO (docs/time.md "vDSO"): found through AT_SYSINFO_EHDR, its symbols parsed and called
# against the syscalls, then the libc's own clock calls; vdso_exec runs it again after execve.
rt_prog(vdso)
rt_test(${libc}.vdso ${b}/vdso ${RT_ROOT} /bin/vdso ARGS vdso)
rt_test(${libc}.vdso_exec ${b}/vdso ${RT_ROOT} /bin/vdso ARGS vdso exec)
