# Threads (docs/threads.md): pthread programs, each compared with its native run.
rt_prog(threads_basic FLAGS -pthread)
rt_test(${libc}.threads_basic ${b}/threads_basic ${RT_ROOT} /bin/threads_basic ARGS threads_basic)
foreach(prog threads_sync threads_many threads_robust threads_mainexit)
    rt_prog(${prog} FLAGS -pthread)
    rt_test(${libc}.${prog} ${b}/${prog} ${RT_ROOT} /bin/${prog} ARGS ${prog})
endforeach()
# More pthreads (issue 7, Tests): condition variables (broadcast, timedwait on both clocks)
# and barrier serial threads, read-write locks, thread-local storage with key destructors and
# pthread_once, and pthread_cancel (the libcs' SIGCANCEL handler reads the interrupted
# context to decide whether the thread sits at a cancellation point).
foreach(prog threads_cond threads_rwlock threads_tls threads_cancel)
    rt_prog(${prog} FLAGS -pthread)
    rt_test(${libc}.${prog} ${b}/${prog} ${RT_ROOT} /bin/${prog} ARGS ${prog})
endforeach()
