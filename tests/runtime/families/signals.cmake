# Signals (docs/signals.md): handlers, masks, the alternate stack, and synchronous signals from
# faults, each compared with its native run (stdout and exit code).
foreach(prog sig_handler sig_segv sig_altstack sig_fpe)
    rt_prog(${prog})
    rt_test(${libc}.${prog} ${b}/${prog} ${RT_ROOT} /bin/${prog} ARGS ${prog})
endforeach()
