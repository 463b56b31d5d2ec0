# Threads (docs/threads.md): pthread programs, each compared with its native run.
rt_prog(threads_basic FLAGS -pthread)
rt_test(${libc}.threads_basic ${b}/threads_basic ${RT_ROOT} /bin/threads_basic ARGS threads_basic)
