# pipes: pipe/pipe2 in one process without threads (a pipe to itself, flags, non-blocking,
# packets, sizes, dup2, EOF, EPIPE). docs/pipes.md.
rt_prog(pipes)
rt_test(${libc}.pipes ${b}/pipes ${RT_ROOT} /bin/pipes ARGS pipes)
# splice, tee, vmsplice: a 200 KB file copy through a pipe, tee, a splice waiting for a
# thread's write, vmsplice in and out (docs/pipes.md).
rt_prog(splice FLAGS -pthread)
rt_test(${libc}.splice ${b}/splice ${RT_ROOT} /bin/splice ARGS splice tmp/splice-${libc})
