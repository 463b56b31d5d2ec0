# Threads (docs/threads.md): pthread programs, each compared with its native run.
rt_prog(threads_basic FLAGS -pthread)
rt_test(${libc}.threads_basic ${b}/threads_basic ${RT_ROOT} /bin/threads_basic ARGS threads_basic)
foreach(prog threads_sync threads_many threads_robust threads_mainexit)
    rt_prog(${prog} FLAGS -pthread)
    rt_test(${libc}.${prog} ${b}/${prog} ${RT_ROOT} /bin/${prog} ARGS ${prog})
endforeach()
