# Time (docs/time.md): CPU clocks measured by the scheduler, times/getrusage, timers, the
# vDSO; each compared with its native run (stdout and exit code).
foreach(prog cputime timerfd itimer)
    rt_prog(${prog} FLAGS -pthread)
    rt_test(${libc}.${prog} ${b}/${prog} ${RT_ROOT} /bin/${prog} ARGS ${prog})
endforeach()
