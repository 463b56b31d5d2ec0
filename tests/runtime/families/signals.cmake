# Signals (docs/signals.md): handlers, masks, the alternate stack, and synchronous signals from
# faults, each compared with its native run (stdout and exit code).
foreach(prog sig_handler sig_segv sig_altstack sig_fpe)
    rt_prog(${prog})
    rt_test(${libc}.${prog} ${b}/${prog} ${RT_ROOT} /bin/${prog} ARGS ${prog})
endforeach()
# Restart rules (docs/signals.md "Restarting interrupted syscalls"): blocking calls interrupted
# by a handler with and without SA_RESTART; waiting for signals (sigsuspend, pause, sigtimedwait,
# queued real-time signals in order), signalfd; a helper thread sends the signals.
foreach(prog sig_restart sig_wait sig_fd)
    rt_prog(${prog} FLAGS -pthread)
    rt_test(${libc}.${prog} ${b}/${prog} ${RT_ROOT} /bin/${prog} ARGS ${prog})
endforeach()
# sigaction flags and masks (SA_NODEFER, sa_mask, uc_sigmask restored by sigreturn,
# SA_RESETHAND: the second SIGUSR2 ends the program with 128 + 12), and a thread's stack
# overflow caught on its sigaltstack and siglongjmp'd out of.
foreach(prog sig_flags sig_stackovf)
    rt_prog(${prog} FLAGS -pthread)
    rt_test(${libc}.${prog} ${b}/${prog} ${RT_ROOT} /bin/${prog} ARGS ${prog})
endforeach()
# Masks and pending sets across threads (inheritance, a process signal taken by the one
# thread not blocking it, thread-directed signals pending on their thread, sigwait of a
# process-wide one), and timer signals (alarm, setitimer) ending blocking calls of a program
# with one thread, with and without SA_RESTART.
rt_prog(sig_threads FLAGS -pthread)
rt_test(${libc}.sig_threads ${b}/sig_threads ${RT_ROOT} /bin/sig_threads ARGS sig_threads)
rt_prog(sig_alarm)
rt_test(${libc}.sig_alarm ${b}/sig_alarm ${RT_ROOT} /bin/sig_alarm ARGS sig_alarm)
