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
# The FPU/SSE state across handlers (signal frame fpstate, docs/signals.md): the handler's
# initial state, the frame's image and software bytes, edits to it taken back by sigreturn,
# a frame on untouched alternate-stack pages, a thread signalled while its registers are out
# of the CPU; a frame with reserved MXCSR bits ends the program with SIGSEGV (128 + 11). Also
# under QEMU's "max" CPU (XSAVE with AVX: the frame carries the magic words).
rt_prog(sig_fpu FLAGS -pthread)
rt_test(${libc}.sig_fpu ${b}/sig_fpu ${RT_ROOT} /bin/sig_fpu ARGS sig_fpu)
rt_test(${libc}.sig_fpu_bad ${b}/sig_fpu ${RT_ROOT} /bin/sig_fpu ARGS sig_fpu badmxcsr)
rt_test(${libc}.cpumax_sig_fpu ${b}/sig_fpu ${RT_ROOT} /bin/sig_fpu ARGS sig_fpu
        QEMU_ENV PETREL_CPU=max)
# sigreturn from an FPU image the handler moved (uc_mcontext.fpregs): aligned or not, legacy
# or XSAVE, partly unreadable (sig_fpframe: each mode compared with its native run; the XSAVE
# ones under QEMU's "max" CPU, where the frame carries the magic words).
rt_prog(sig_fpframe)
rt_test(${libc}.sig_fpframe ${b}/sig_fpframe ${RT_ROOT} /bin/sig_fpframe ARGS sig_fpframe moved)
foreach(mode moved unaligned tail magic2)
    rt_test(${libc}.cpumax_sig_fpframe_${mode} ${b}/sig_fpframe ${RT_ROOT} /bin/sig_fpframe
            ARGS sig_fpframe ${mode} QEMU_ENV PETREL_CPU=max)
endforeach()
