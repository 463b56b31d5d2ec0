# epoll (docs/epoll.md): a threaded server loop over pipes and an eventfd, edge-triggered
# draining, oneshot re-arming and item keys, nested instances, signals and epoll_pwait(2);
# each compared with its native run.
foreach(prog epoll_server epoll_edge epoll_oneshot epoll_nested epoll_pwait)
    rt_prog(${prog} FLAGS -pthread DEPENDS progs/epoll_show.h)
    rt_test(${libc}.${prog} ${b}/${prog} ${RT_ROOT} /bin/${prog} ARGS ${prog})
endforeach()
