/*
 * cases_unix.c - AF_UNIX sockets: socket's and socketpair's errors, the three types through
 * socketpair (stream bytes, datagram and seqpacket records, truncation, end of file, EPIPE,
 * FIONREAD), path names (the socket inode and its mode, EADDRINUSE, unlink, a refused
 * second bind leaving no file), connect's errors, listen backlogs (backlog + 1 pending, then
 * EAGAIN), names and their lengths as Linux returns them, datagram destinations that go
 * away (ECONNREFUSED once, then ENOTCONN), readiness through poll, options. Paths are
 * relative: each case runs in a fresh directory. Abstract names are tested hosted only
 * (tests/unit/net/test_unix_sys.c): they are global to the host, and the native runners of
 * two ctest jobs may run a case at once. SCM_RIGHTS and SCM_CREDENTIALS need pointers inside
 * a msghdr: hosted too, and in tests/runtime (unix_rights).
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "sc.h"

/* socketpair into descriptors 3 and 4 (a fresh process) */
#define SP(type) CALLO(socketpair, W(0), "\3\0\0\0\4\0\0\0", I(AF_UNIX), I(type), I(0), BUF(8))
/* struct sockaddr_un with a path, and its length as a program passes it (with the NUL) */
#define UN(p) D("\x01\x00" p "\0"), I(sizeof(p) + 2)
#define UN_OUT(p) "\x01\x00" p "\0"
#define LEN(n) INOUT(n "\0\0\0", 4)
#define INT1 D("\x01\0\0\0")
#define NS MSG_NOSIGNAL
/* struct pollfd {fd, all events} */
#define PFD(fd) INOUT(fd "\0\0\0\xff\x7f\0\0", 8)
/* struct ifreq naming an interface (40 bytes), and the bytes expected in it: the name then
 * the union */
#define IFR(n) INOUT(n "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 40)
#define IFR_OUT(u) "lo\0\0\0\0\0\0\0\0\0\0\0\0\0\0" u
/* struct sockaddr_nl {AF_NETLINK, pid 0, groups 0} */
#define NLADDR D("\x10\0\0\0\0\0\0\0\0\0\0\0")
#define STREAM CALL(socket, OK, I(AF_UNIX), I(SOCK_STREAM), I(0))
#define DGRAM CALL(socket, OK, I(AF_UNIX), I(SOCK_DGRAM), I(0))

const struct sc_case sc_cases_unix[] = {
    CASE("unix.socket", CALL(socket, ERR(ESOCKTNOSUPPORT), I(AF_UNIX), I(4), I(0)),
         CALL(socket, ERR(EPROTONOSUPPORT), I(AF_UNIX), I(SOCK_STREAM), I(2)),
         CALL(socket, ERR(ESOCKTNOSUPPORT), I(AF_UNIX), I(10), I(0)),
         CALL(socket, W(3), I(AF_UNIX), I(SOCK_RAW), I(0)), /* a datagram socket */
         CALLO(getsockopt, W(0), "\x02\0\0\0", I(3), I(SOL_SOCKET), I(SO_TYPE), BUF(4), LEN("\x04")),
         CALLO(getsockopt, W(0), "\x01\0\0\0", I(3), I(SOL_SOCKET), I(SO_DOMAIN), BUF(4), LEN("\x04")),
         CALLO(getsockopt, W(0), "\0\0\0\0", I(3), I(SOL_SOCKET), I(SO_PROTOCOL), BUF(4), LEN("\x04")),
         CALL(socket, W(4), I(AF_UNIX), I(SOCK_STREAM | SOCK_NONBLOCK), I(1)),
         CALLO(getsockopt, W(0), "\0\x40\x03\0", I(4), I(SOL_SOCKET), I(SO_SNDBUF), BUF(4), LEN("\x04")),
         /* no peer: pid 0, uid and gid -1 */
         CALLO(getsockopt, W(0), "\0\0\0\0\xff\xff\xff\xff\xff\xff\xff\xff\x0c\0\0\0", I(4),
               I(SOL_SOCKET), I(SO_PEERCRED), BUF(12), LEN("\x10")),
         CALL(setsockopt, ERR(EOPNOTSUPP), I(4), I(IPPROTO_TCP), I(1), INT1, I(4)),
         CALL(getsockopt, ERR(ENOPROTOOPT), I(4), I(SOL_SOCKET), I(9999), BUF(4), LEN("\x04"))),
    CASE("unix.socketpair_errors",
         CALL(socketpair, ERR(EOPNOTSUPP), I(AF_INET), I(SOCK_STREAM), I(0), BUF(8)),
         CALL(socketpair, ERR(ESOCKTNOSUPPORT), I(AF_UNIX), I(4), I(0), BUF(8)),
         CALL(socketpair, ERR(EPROTONOSUPPORT), I(AF_UNIX), I(SOCK_STREAM), I(2), BUF(8)),
         CALL(socketpair, ERR(EINVAL), I(AF_UNIX), I(SOCK_STREAM | 0x100), I(0), BUF(8)),
         CALL(socketpair, ERR(EAFNOSUPPORT), I(99), I(SOCK_STREAM), I(0), BUF(8)),
         CALL(socketpair, ERR(EFAULT), I(AF_UNIX), I(SOCK_STREAM), I(0), I(0)),
         CALL(socketpair, ERR(EFAULT), I(AF_UNIX), I(SOCK_DGRAM), I(0), BAD(KERNEL)),
         /* nothing was left open by the refused calls */
         CALL(socket, W(3), I(AF_UNIX), I(SOCK_STREAM), I(0)),
         CALLO(socketpair, W(0), "\4\0\0\0\5\0\0\0", I(AF_UNIX), I(SOCK_RAW | SOCK_CLOEXEC),
               I(1), BUF(8)),
         CALL(fcntl, W(FD_CLOEXEC), I(5), I(F_GETFD))),
    CASE("unix.pair_stream", SP(SOCK_STREAM), CALL(write, W(5), I(3), D("hello"), I(5)),
         CALLO(ioctl, W(0), "\x05\0\0\0", I(4), I(FIONREAD), BUF(4)),
         CALLO(recvfrom, W(2), "he", I(4), BUF(2), I(2), I(MSG_PEEK), I(0), I(0)),
         CALLO(read, W(5), "hello", I(4), BUF(8), I(8)),
         CALL(recvfrom, ERR(EAGAIN), I(4), BUF(8), I(8), I(MSG_DONTWAIT), I(0), I(0)),
         CALL(shutdown, W(0), I(3), I(SHUT_WR)), CALL(read, W(0), I(4), BUF(8), I(8)),
         CALL(sendto, ERR(EPIPE), I(3), D("x"), I(1), I(NS), I(0), I(0)),
         CALL(sendto, W(2), I(4), D("ok"), I(2), I(NS), I(0), I(0)), CALL(close, W(0), I(4)),
         CALLO(read, W(2), "ok", I(3), BUF(8), I(8))),
    CASE("unix.pair_stream_names", SP(SOCK_STREAM),
         CALLO(getsockname, W(0), "\x01\0" "\0\0" "\x02\0\0\0", I(3), BUF(4), LEN("\x04")),
         CALLO(getpeername, W(0), "\x01\0" "\0\0" "\x02\0\0\0", I(3), BUF(4), LEN("\x04")),
         CALL(sendto, ERR(EISCONN), I(3), D("x"), I(1), I(0), UN("x")),
         CALL(listen, ERR(EINVAL), I(3), I(1)), CALL(accept, ERR(EINVAL), I(3), I(0), I(0)),
         CALL(shutdown, ERR(EINVAL), I(3), I(3)), CALL(close, W(0), I(3)),
         CALL(sendto, ERR(EPIPE), I(4), D("x"), I(1), I(NS), I(0), I(0)),
         CALL(read, W(0), I(4), BUF(8), I(8)),
         CALLO(getpeername, W(0), "\x01\0" "\0\0" "\x02\0\0\0", I(4), BUF(4), LEN("\x04"))),
    CASE("unix.pair_dgram", SP(SOCK_DGRAM), CALL(write, W(2), I(3), D("ab"), I(2)),
         CALL(sendto, W(4), I(3), D("cdef"), I(4), I(0), I(0), I(0)),
         CALL(sendto, W(0), I(3), D(""), I(0), I(0), I(0), I(0)),
         CALLO(ioctl, W(0), "\x02\0\0\0", I(4), I(FIONREAD), BUF(4)),
         CALLO(read, W(1), "a", I(4), BUF(1), I(1)), /* the rest of the datagram is lost */
         CALLO(recvfrom, W(4), "cd", I(4), BUF(2), I(2), I(MSG_TRUNC), I(0), I(0)),
         CALL(read, W(0), I(4), BUF(8), I(8)), /* the empty datagram */
         CALL(recvfrom, ERR(EAGAIN), I(4), BUF(8), I(8), I(MSG_DONTWAIT), I(0), I(0)),
         CALL(shutdown, W(0), I(4), I(SHUT_RD)), CALL(read, W(0), I(4), BUF(8), I(8)),
         CALL(listen, ERR(EOPNOTSUPP), I(3), I(1))),
    CASE("unix.pair_seqpacket", SP(SOCK_SEQPACKET), CALL(write, W(3), I(3), D("abc"), I(3)),
         CALL(write, W(2), I(3), D("de"), I(2)),
         CALLO(read, W(2), "ab", I(4), BUF(2), I(2)),
         CALLO(recvfrom, W(2), "de", I(4), BUF(8), I(8), I(0), I(0), I(0)),
         CALL(write, W(1), I(3), D("f"), I(1)), CALL(close, W(0), I(3)),
         CALLO(read, W(1), "f", I(4), BUF(8), I(8)), /* what was sent before the close */
         CALL(read, W(0), I(4), BUF(8), I(8)),
         CALL(sendto, ERR(EPIPE), I(4), D("x"), I(1), I(NS), I(0), I(0)),
         CALL(socket, W(3), I(AF_UNIX), I(SOCK_SEQPACKET), I(0)),
         CALL(read, ERR(ENOTCONN), I(3), BUF(8), I(8))),
    CASE("unix.unconnected", STREAM, DGRAM,
         CALL(recvfrom, ERR(EINVAL), I(3), BUF(8), I(8), I(MSG_DONTWAIT), I(0), I(0)),
         CALL(sendto, ERR(ENOTCONN), I(3), D("x"), I(1), I(NS), I(0), I(0)),
         CALL(sendto, ERR(EOPNOTSUPP), I(3), D("x"), I(1), I(NS), UN("x")),
         CALL(recvfrom, ERR(EAGAIN), I(4), BUF(8), I(8), I(MSG_DONTWAIT), I(0), I(0)),
         CALL(sendto, ERR(ENOTCONN), I(4), D("x"), I(1), I(NS), I(0), I(0)),
         CALL(shutdown, W(0), I(3), I(SHUT_RDWR)), /* not connected: Linux says 0 */
         CALL(getpeername, ERR(ENOTCONN), I(3), BUF(16), LEN("\x10")),
         CALLO(getsockname, W(0), "\x01\0" "\0\0" "\x02\0\0\0", I(4), BUF(4), LEN("\x04")),
         CALL(accept, ERR(EOPNOTSUPP), I(4), I(0), I(0))),
    CASE("unix.bind_path", CALL(umask, OK, I(022)), STREAM, CALL(bind, W(0), I(3), UN("s")),
         CALLAT(stat, W(0), 24, "\xed\xc1\0\0", S("s"), BUF(144)), /* S_IFSOCK | 0755 */
         CALLAT(fstat, W(0), 24, "\xff\xc1\0\0", I(3), BUF(144)),  /* the socket: 0777 */
         /* the path and its NUL: 4 bytes */
         CALLO(getsockname, W(0), UN_OUT("s") "\x04\0\0\0", I(3), BUF(4), LEN("\x10")),
         STREAM, CALL(bind, ERR(EADDRINUSE), I(4), UN("s")),
         CALL(bind, ERR(EINVAL), I(3), UN("t")), /* bound already: and no "t" is left */
         CALL(access, ERR(ENOENT), S("t"), I(F_OK)), CALL(unlink, W(0), S("s")),
         CALL(bind, W(0), I(4), UN("s"))),
    CASE("unix.connect_path", STREAM, CALL(bind, W(0), I(3), UN("srv")),
         CALL(listen, W(0), I(3), I(4)), STREAM, CALL(connect, W(0), I(4), UN("srv")),
         CALL(connect, ERR(EISCONN), I(4), UN("srv")),
         /* the client is unnamed: its name is sun_family alone */
         CALLO(accept, W(5), "\x01\0\0\0\x02\0\0\0", I(3), BUF(4), LEN("\x10")),
         CALLO(getpeername, W(0), UN_OUT("srv") "\x06\0\0\0", I(4), BUF(6), LEN("\x10")),
         CALLO(getsockname, W(0), UN_OUT("srv") "\x06\0\0\0", I(5), BUF(6), LEN("\x10")),
         CALL(sendto, W(3), I(4), D("abc"), I(3), I(0), I(0), I(0)),
         CALLO(recvfrom, W(3), "abc", I(5), BUF(4), I(4), I(0), I(0), I(0)),
         CALLO(getsockopt, W(0), "\x01\0\0\0", I(3), I(SOL_SOCKET), I(SO_ACCEPTCONN), BUF(4), LEN("\x04"))),
    CASE("unix.connect_errors", STREAM, CALL(connect, ERR(ENOENT), I(3), UN("nope")),
         CALL(open, W(4), S("f"), I(O_CREAT | O_RDWR), I(0644)),
         CALL(connect, ERR(ECONNREFUSED), I(3), UN("f")), /* not a socket */
         DGRAM, CALL(bind, W(0), I(5), UN("d")),
         CALL(connect, ERR(EPROTOTYPE), I(3), UN("d")), /* a socket of another type */
         STREAM, CALL(bind, W(0), I(6), UN("s")),
         CALL(connect, ERR(ECONNREFUSED), I(3), UN("s")), /* bound, not listening */
         CALL(connect, ERR(EINVAL), I(3), D("\x01\0"), I(2)),
         CALL(listen, ERR(EINVAL), I(3), I(1))), /* not bound */
    CASE("unix.backlog", STREAM, CALL(bind, W(0), I(3), UN("s")), CALL(listen, W(0), I(3), I(0)),
         CALLO(poll, W(0), "\3\0\0\0\xff\x7f\0\0", PFD("\3"), I(1), I(0)), /* a listener: 0 */
         CALL(socket, W(4), I(AF_UNIX), I(SOCK_STREAM | SOCK_NONBLOCK), I(0)),
         CALL(connect, W(0), I(4), UN("s")), /* backlog 0: one pending connection */
         CALLO(poll, W(1), "\3\0\0\0\xff\x7f\x41\0", PFD("\3"), I(1), I(0)),
         CALL(socket, W(5), I(AF_UNIX), I(SOCK_STREAM | SOCK_NONBLOCK), I(0)),
         CALL(connect, ERR(EAGAIN), I(5), UN("s")),
         CALL(accept4, W(6), I(3), I(0), I(0), I(SOCK_NONBLOCK)),
         CALL(connect, W(0), I(5), UN("s")),
         CALL(ioctl, ERR(EINVAL), I(3), I(FIONREAD), BUF(4))),
    CASE("unix.dgram_path", DGRAM, CALL(bind, W(0), I(3), UN("d")), DGRAM,
         CALL(sendto, W(2), I(4), D("hi"), I(2), I(0), UN("d")),
         /* the sender is unnamed: no name comes back (length 0) */
         CALLAT(recvfrom, W(2), 0, "hi\0\0" "\0\0\0\0" "\0\0\0\0", I(3), BUF(4), I(4), I(0), BUF(4), LEN("\x10")),
         CALL(connect, W(0), I(4), UN("d")),
         CALLO(getpeername, W(0), UN_OUT("d") "\x04\0\0\0", I(4), BUF(4), LEN("\x10")),
         CALL(write, W(1), I(4), D("x"), I(1)), CALL(close, W(0), I(3)),
         CALL(write, ERR(ECONNREFUSED), I(4), D("x"), I(1)),
         CALL(write, ERR(ENOTCONN), I(4), D("x"), I(1)),
         CALL(sendto, ERR(ECONNREFUSED), I(4), D("x"), I(1), I(0), UN("d"))),
    CASE("unix.poll", SP(SOCK_STREAM),
         CALLO(poll, W(1), "\3\0\0\0\xff\x7f\x04\x03", PFD("\3"), I(1), I(0)),
         CALL(shutdown, W(0), I(4), I(SHUT_WR)),
         /* the peer's SHUT_WR: readable (end of file) and RDHUP */
         CALLO(poll, W(1), "\3\0\0\0\xff\x7f\x45\x23", PFD("\3"), I(1), I(0)),
         CALL(close, W(0), I(4)),
         CALLO(poll, W(1), "\3\0\0\0\xff\x7f\x55\x23", PFD("\3"), I(1), I(0)),
         STREAM, /* a fresh stream socket: HUP and writable */
         CALLO(poll, W(1), "\4\0\0\0\xff\x7f\x14\x03", PFD("\4"), I(1), I(0)),
         DGRAM, CALLO(poll, W(1), "\5\0\0\0\xff\x7f\x04\x03", PFD("\5"), I(1), I(0))),
    CASE("unix.options", SP(SOCK_STREAM),
         CALL(setsockopt, W(0), I(3), I(SOL_SOCKET), I(SO_PASSCRED), INT1, I(4)),
         CALLO(getsockopt, W(0), "\x01\0\0\0", I(3), I(SOL_SOCKET), I(SO_PASSCRED), BUF(4), LEN("\x04")),
         CALL(setsockopt, W(0), I(3), I(SOL_SOCKET), I(SO_SNDBUF), D("\0\x10\0\0"), I(4)),
         CALLO(getsockopt, W(0), "\0\x20\0\0", I(3), I(SOL_SOCKET), I(SO_SNDBUF), BUF(4), LEN("\x04")),
         CALL(setsockopt, W(0), I(3), I(SOL_SOCKET), I(SO_REUSEADDR), INT1, I(4)),
         CALLO(getsockopt, W(0), "\x01\0\0\0", I(3), I(SOL_SOCKET), I(SO_REUSEADDR), BUF(4), LEN("\x04")),
         CALL(setsockopt, ERR(EINVAL), I(3), I(SOL_SOCKET), I(SO_PASSCRED), INT1, I(2)),
         CALLO(getsockopt, W(0), "\0\0\0\0", I(3), I(SOL_SOCKET), I(SO_ERROR), BUF(4), LEN("\x04")),
         CALLO(getsockopt, W(0), "\0\0\0\0", I(3), I(SOL_SOCKET), I(SO_ACCEPTCONN), BUF(4), LEN("\x04")),
         CALL(getsockopt, ERR(EOPNOTSUPP), I(3), I(IPPROTO_IP), I(1), BUF(4), LEN("\x04")),
         CALLAT(getsockopt, W(0), 12, "\x0c\0\0\0", I(3), I(SOL_SOCKET), I(SO_PEERCRED), BUF(12),
                LEN("\x0c"))),
    CASE("unix.mmsg", SP(SOCK_DGRAM), CALL(sendmmsg, W(1), I(3), INOUT((const char[64]){0}, 64), I(1), I(0)),
         CALLAT(recvmmsg, W(1), 56, "\0\0\0\0", I(4), INOUT((const char[64]){0}, 64), I(1), I(0), I(0)),
         CALL(recvmmsg, ERR(EAGAIN), I(4), INOUT((const char[64]){0}, 64), I(1), I(MSG_DONTWAIT), I(0)),
         CALL(write, W(3), I(3), D("abc"), I(3)),
         CALLO(recvfrom, W(3), "abc", I(4), BUF(8), I(8), I(MSG_WAITALL), I(0), I(0))),
    /* SIOCGIF* on any socket (net/ifreq.c): the loopback interface, as every Linux has it */
    CASE("unix.siocgif_lo", DGRAM,
         CALLO(ioctl, W(0), IFR_OUT("\x01\0\0\0"), I(3), I(SIOCGIFINDEX), IFR("lo")),
         CALLO(ioctl, W(0), IFR_OUT("\x49\0"), I(3), I(SIOCGIFFLAGS), IFR("lo")),
         CALLO(ioctl, W(0), IFR_OUT("\0\0\x01\0"), I(3), I(SIOCGIFMTU), IFR("lo")),
         CALL(ioctl, ERR(ENOTTY), I(3), I(SIOCGIFADDR), IFR("lo")), /* AF_INET's */
         CALLO(ioctl, W(0), IFR_OUT("\x04\x03\0\0\0\0\0\0"), I(3), I(SIOCGIFHWADDR), IFR("lo")),
         CALLO(ioctl, W(0), "lo\0", I(3), I(SIOCGIFNAME), INOUT("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
                                                         "\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
                                                         "\0\0\0\0\0\0\0\0", 40)),
         CALL(ioctl, ERR(ENODEV), I(3), I(SIOCGIFNAME), INOUT((const char[40]){0}, 40)),
         CALL(ioctl, ERR(ENODEV), I(3), I(SIOCGIFINDEX), IFR("nosuchif0")),
         CALL(ioctl, ERR(EFAULT), I(3), I(SIOCGIFFLAGS), BAD(UNMAPPED)),
         CALL(ioctl, ERR(EFAULT), I(3), I(SIOCGIFCONF), BAD(UNMAPPED))),
    CASE("siocgif.inet", CALL(socket, W(3), I(AF_INET), I(SOCK_DGRAM), I(0)),
         CALLO(ioctl, W(0), IFR_OUT("\x02\0\0\0\x7f\0\0\x01"), I(3), I(SIOCGIFADDR), IFR("lo")),
         CALLO(ioctl, W(0), IFR_OUT("\x02\0\0\0\xff\0\0\0"), I(3), I(SIOCGIFNETMASK), IFR("lo")),
         CALLO(ioctl, W(0), IFR_OUT("\x02\0\0\0\0\0\0\0"), I(3), I(SIOCGIFBRDADDR), IFR("lo")),
         CALLO(ioctl, W(0), IFR_OUT("\x01\0\0\0"), I(3), I(SIOCGIFINDEX), IFR("lo")),
         CALL(ioctl, ERR(ENODEV), I(3), I(SIOCGIFADDR), IFR("nosuchif0")),
         /* a NULL buffer: the length needed (a multiple of struct ifreq) */
         CALL(ioctl, W(0), I(3), I(SIOCGIFCONF), INOUT((const char[16]){0}, 16))),
    /* AF_NETLINK, NETLINK_ROUTE (net/netlink.c) */
    CASE("netlink.socket", CALL(socket, ERR(ESOCKTNOSUPPORT), I(AF_NETLINK), I(SOCK_STREAM), I(0)),
         CALL(socket, W(3), I(AF_NETLINK), I(SOCK_RAW | SOCK_CLOEXEC), I(0)),
         CALL(bind, ERR(EINVAL), I(3), NLADDR, I(8)),
         CALL(bind, W(0), I(3), NLADDR, I(12)),
         /* the port id is the pid: only the family and the length are the same everywhere */
         CALLAT(getsockname, W(0), 12, "\x0c\0\0\0", I(3), BUF(12), LEN("\x0c")),
         CALLO(getsockname, W(0), "\x10\0", I(3), BUF(2), LEN("\x0c")),
         CALLO(getsockopt, W(0), "\x03\0\0\0", I(3), I(SOL_SOCKET), I(SO_TYPE), BUF(4), LEN("\x04")),
         CALL(listen, ERR(EOPNOTSUPP), I(3), I(1))),
    CASE("netlink.getlink_dump", CALL(socket, W(3), I(AF_NETLINK), I(SOCK_RAW), I(0)),
         /* {len 32, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq 7, pid 0} + ifinfomsg */
         CALL(sendto, W(32), I(3), D("\x20\0\0\0\x12\0\x01\x03\x07\0\0\0\0\0\0\0"
                                    "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"), I(32), I(0), NLADDR, I(12)),
         /* first comes lo: RTM_NEWLINK, NLM_F_MULTI, seq 7, ARPHRD_LOOPBACK, index 1 */
         CALLAT(recvfrom, OK, 4, "\x10\0\x02\0\x07\0\0\0", I(3), BUF(8192), I(8192), I(MSG_PEEK), I(0), I(0)),
         CALLAT(recvfrom, OK, 16, "\0\0\x04\x03\x01\0\0\0", I(3), BUF(8192), I(8192), I(0), I(0), I(0))),
    CASE("netlink.unknown_type", CALL(socket, W(3), I(AF_NETLINK), I(SOCK_DGRAM), I(0)),
         /* type 0x3ff (beyond RTM_MAX), NLM_F_REQUEST, seq 9 */
         CALL(sendto, W(16), I(3), D("\x10\0\0\0\xff\x03\x01\0\x09\0\0\0\0\0\0\0"), I(16), I(0), I(0), I(0)),
         /* NLMSG_ERROR, 36 bytes: the error, then the request's header */
         CALLO(recvfrom, W(36), "\x24\0\0\0\x02\0\0\0\x09\0\0\0", I(3), BUF(64), I(64), I(MSG_PEEK), I(0), I(0)),
         CALLAT(recvfrom, W(36), 16, "\xa1\xff\xff\xff\x10\0\0\0\xff\x03\x01\0", I(3), BUF(64), I(64), I(0), I(0), I(0)),
         CALL(recvfrom, ERR(EAGAIN), I(3), BUF(64), I(64), I(MSG_DONTWAIT), I(0), I(0))),
    {NULL, NULL, 0, -1, {0}, 0, false},
};
