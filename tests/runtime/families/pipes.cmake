# pipes: pipe/pipe2 in one process without threads (a pipe to itself, flags, non-blocking,
# packets, sizes, dup2, EOF, EPIPE). docs/pipes.md.
rt_prog(pipes)
rt_test(${libc}.pipes ${b}/pipes ${RT_ROOT} /bin/pipes ARGS pipes)
