# sockets (docs/net.md): AF_UNIX programs - a threaded echo server over a path name, descriptors
# and credentials through SCM_RIGHTS/SCM_CREDENTIALS on a socketpair, datagrams between abstract
# names and autobound ones, an edge-triggered epoll server; the interface list through
# getifaddrs (AF_NETLINK) and if_nametoindex (SIOCGIF*); signal-driven I/O and urgent data on
# TCP and UDP over loopback (sock_sigio: F_SETOWN*, F_SETSIG, FIOASYNC, SIGURG, SIGIO, MSG_PEEK
# at the urgent mark); each compared with its native run.
foreach(prog unix_echo unix_rights unix_dgram unix_epoll net_ifaddrs sock_sigio)
    rt_prog(${prog} FLAGS -pthread DEPENDS progs/rt_check.h) # sock_sigio includes it
    rt_test(${libc}.${prog} ${b}/${prog} ${RT_ROOT} /bin/${prog} ARGS ${prog})
endforeach()
# signal-driven I/O on AF_UNIX stream, seqpacket and datagram sockets and a listener
# (unix_sigio: when Linux's af_unix signals POLL_IN, POLL_OUT, POLL_HUP), compared natively.
rt_prog(unix_sigio DEPENDS progs/sigio_show.h)
rt_test(${libc}.unix_sigio ${b}/unix_sigio ${RT_ROOT} /bin/unix_sigio ARGS unix_sigio)
# readv(2) is one read over its iovecs: a pipe or AF_UNIX stream whose data fill exactly the
# first iovec returns at once; a datagram (AF_UNIX, UDP) is scattered across them, never one
# per iovec (readv_streams, compared natively).
rt_prog(readv_streams DEPENDS progs/rt_check.h)
rt_test(${libc}.readv_streams ${b}/readv_streams ${RT_ROOT} /bin/readv_streams
        ARGS readv_streams)
