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
