# pipes: pipe/pipe2 in one process without threads (a pipe to itself, flags, non-blocking,
# packets, sizes, dup2, EOF, EPIPE). docs/pipes.md.
rt_prog(pipes)
rt_test(${libc}.pipes ${b}/pipes ${RT_ROOT} /bin/pipes ARGS pipes)
# poll/ppoll/select/pselect over pipes (readiness, HUP/ERR/NVAL, timeouts, ppoll's mask),
# pipes between threads (PIPE_BUF atomicity with four writers, 1 MiB through a 4 KiB pipe,
# partial non-blocking writes, EPIPE and EOF when the other end closes under a blocked
# call), eventfd counters and EFD_SEMAPHORE shared by threads.
rt_prog(poll_pipes)
rt_test(${libc}.poll_pipes ${b}/poll_pipes ${RT_ROOT} /bin/poll_pipes ARGS poll_pipes)
foreach(prog pipe_threads eventfd_sem)
    rt_prog(${prog} FLAGS -pthread)
    rt_test(${libc}.${prog} ${b}/${prog} ${RT_ROOT} /bin/${prog} ARGS ${prog})
endforeach()
# splice, tee, vmsplice: a 200 KB file copy through a pipe, tee, a splice waiting for a
# thread's write, vmsplice in and out (docs/pipes.md).
rt_prog(splice FLAGS -pthread)
rt_test(${libc}.splice ${b}/splice ${RT_ROOT} /bin/splice ARGS splice tmp/splice-${libc})
# signal-driven I/O on pipes and a FIFO (pipe_sigio: O_ASYNC/FIOASYNC, F_SETSIG, which call
# signals which end, as Linux's pipe_read/pipe_write/pipe_release), compared with its run.
rt_prog(pipe_sigio DEPENDS progs/sigio_show.h)
rt_test(${libc}.pipe_sigio ${b}/pipe_sigio ${RT_ROOT} /bin/pipe_sigio
        ARGS pipe_sigio tmp/pipe_sigio-${libc}.fifo)
# read(2)/readv(2) from a pipe, AF_UNIX sockets and a file into a fresh mapping whose pages
# were never touched: one call takes everything (the pages are faulted in); a hole in the
# buffer stops the read there (docs/pipes.md).
rt_prog(fresh_read DEPENDS progs/rt_check.h)
rt_test(${libc}.fresh_read ${b}/fresh_read ${RT_ROOT} /bin/fresh_read
        ARGS fresh_read tmp/fresh_read-${libc}.dat)
