/*
 * cases_sock.c - the socket syscalls: socket's errors for unknown families, types, protocols
 * and flags; bind/connect/listen/accept misuse; names and their length words; options (int
 * and struct values, short and negative lengths, the wrong level); loopback TCP (listen,
 * connect, accept4, send, FIONREAD, recv, shutdown) and UDP (to itself: peek, truncation,
 * the sender's name) within one process; msghdr decoding (sendmsg/recvmsg/sendmmsg/recvmmsg
 * with an empty iovec, MSG_TRUNC in msg_flags). The table cannot put pointers inside a
 * struct, so msghdrs carry no iovec; iovecs with data are tested hosted
 * (tests/unit/net/test_net_sys.c). Ports 47601-47640 on 127.0.0.1; SO_REUSEADDR keeps a
 * TIME-WAIT of an earlier run from failing a bind. Sends on streams that may fail pass
 * MSG_NOSIGNAL, so the native child is not killed by SIGPIPE.
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "sc.h"

/* struct sockaddr_in {AF_INET, port (big-endian), 127.0.0.1} */
#define LO(p_hi, p_lo) D("\x02\x00" p_hi p_lo "\x7f\x00\x00\x01\0\0\0\0\0\0\0\0")
#define LO_OUT(p_hi, p_lo) "\x02\x00" p_hi p_lo "\x7f\x00\x00\x01\0\0\0\0\0\0\0\0"
#define ANY6 D("\x0a\x00\xb9\x80\0\0\0\0" "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0" "\0\0\0\0")
#define NOWHERE D("\x02\x00\xb9\x81\x0a\xff\xff\x01\0\0\0\0\0\0\0\0") /* 10.255.255.1 */
#define INT1 D("\x01\0\0\0")
#define LEN(n) INOUT(n "\0\0\0", 4) /* LEN("\x10"): a socklen_t of 16 */
#define LENNEG INOUT("\xff\xff\xff\xff", 4)
#define TV(s, us) {SA_DATA, 0, (const char *)(const long[]){(s), (us)}, 16, 0, NULL}
/* struct msghdr with no name, no iovec: controllen, flags as given */
#define MSG0 INOUT("\0\0\0\0\0\0\0\0" "\0\0\0\0\0\0\0\0" "\0\0\0\0\0\0\0\0" "\0\0\0\0\0\0\0\0" \
                   "\0\0\0\0\0\0\0\0" "\0\0\0\0\0\0\0\0" "\0\0\0\0\0\0\0\0", 56)
#define MSG_IOVLEN(b) INOUT("\0\0\0\0\0\0\0\0" "\0\0\0\0\0\0\0\0" "\0\0\0\0\0\0\0\0" b \
                            "\0\0\0\0\0\0\0\0" "\0\0\0\0\0\0\0\0" "\0\0\0\0\0\0\0\0", 56)
#define MSG_NAMELEN_NEG INOUT("\0\0\0\0\0\0\0\0" "\xff\xff\xff\xff\0\0\0\0" "\0\0\0\0\0\0\0\0" \
                              "\0\0\0\0\0\0\0\0" "\0\0\0\0\0\0\0\0" "\0\0\0\0\0\0\0\0"   \
                              "\0\0\0\0\0\0\0\0", 56)
#define MSG_CTL_BIG INOUT("\0\0\0\0\0\0\0\0" "\0\0\0\0\0\0\0\0" "\0\0\0\0\0\0\0\0" \
                          "\0\0\0\0\0\0\0\0" "\0\0\0\0\0\0\0\0" "\0\0\0\x80\0\0\0\0"   \
                          "\0\0\0\0\0\0\0\0", 56)
#define MMSG0 INOUT((const char[64]){0}, 64)

#define TCP_SOCK CALL(socket, OK, I(AF_INET), I(SOCK_STREAM), I(0))
#define UDP_SOCK CALL(socket, OK, I(AF_INET), I(SOCK_DGRAM), I(0))

const struct sc_case sc_cases_sock[] = {
    CASE("sock.socket_errors", CALL(socket, ERR(EINVAL), I(AF_INET), I(SOCK_STREAM | 0x100), I(0)),
         CALL(socket, ERR(EAFNOSUPPORT), I(999), I(SOCK_STREAM), I(0)),
         CALL(socket, ERR(EAFNOSUPPORT), I(-1), I(SOCK_STREAM), I(0)),
         CALL(socket, ERR(EINVAL), I(AF_INET), I(15), I(0)),
         CALL(socket, ERR(ESOCKTNOSUPPORT), I(AF_INET), I(SOCK_SEQPACKET), I(0)),
         CALL(socket, ERR(ESOCKTNOSUPPORT), I(AF_INET6), I(SOCK_SEQPACKET), I(0)),
         CALL(socket, ERR(EPROTONOSUPPORT), I(AF_INET), I(SOCK_STREAM), I(IPPROTO_UDP)),
         CALL(socket, ERR(EPROTONOSUPPORT), I(AF_INET), I(SOCK_DGRAM), I(IPPROTO_TCP)),
         CALL(socket, ERR(EINVAL), I(AF_INET), I(SOCK_STREAM), I(-1)),
         CALL(socket, ERR(EPROTONOSUPPORT), I(AF_INET), I(SOCK_RAW), I(0))),
    CASE("sock.socket_flags",
         CALL(socket, OK, I(AF_INET6), I(SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC), I(6)),
         CALL(fcntl, W(O_RDWR | O_NONBLOCK), R(0), I(F_GETFL)),
         CALL(fcntl, W(FD_CLOEXEC), R(0), I(F_GETFD)),
         CALL(socket, OK, I(AF_INET), I(SOCK_DGRAM), I(IPPROTO_UDP)),
         CALL(fcntl, W(O_RDWR), R(3), I(F_GETFL)), CALL(fcntl, W(0), R(3), I(F_GETFD))),
    CASE("sock.not_a_socket", CALL(eventfd2, OK, I(0), I(0)),
         CALL(accept, ERR(ENOTSOCK), R(0), I(0), I(0)),
         CALL(bind, ERR(ENOTSOCK), R(0), LO("\xb9", "\x01"), I(16)),
         CALL(listen, ERR(ENOTSOCK), R(0), I(1)),
         CALL(getsockname, ERR(ENOTSOCK), R(0), BUF(16), LEN("\x10")),
         CALL(setsockopt, ERR(ENOTSOCK), R(0), I(SOL_SOCKET), I(SO_REUSEADDR), INT1, I(4)),
         CALL(sendto, ERR(ENOTSOCK), R(0), D("x"), I(1), I(0), I(0), I(0)),
         CALL(shutdown, ERR(ENOTSOCK), R(0), I(SHUT_RDWR)),
         CALL(accept4, ERR(EBADF), I(999), I(0), I(0), I(0)),
         CALL(connect, ERR(EBADF), I(999), LO("\xb9", "\x01"), I(16)),
         CALL(recvmsg, ERR(EBADF), I(999), MSG0, I(0))),
    CASE("sock.bind_errors", TCP_SOCK,
         CALL(bind, ERR(EINVAL), R(0), LO("\xb9", "\x02"), I(129)),
         CALL(bind, ERR(EINVAL), R(0), LO("\xb9", "\x02"), I(15)),
         CALL(bind, ERR(EAFNOSUPPORT), R(0), ANY6, I(28)),
         CALL(bind, ERR(EFAULT), R(0), BAD(UNMAPPED), I(16)),
         CALL(bind, ERR(EADDRNOTAVAIL), R(0), NOWHERE, I(16)),
         CALL(bind, W(0), R(0), LO("\xb9", "\x02"), I(16)),
         CALL(bind, ERR(EINVAL), R(0), LO("\xb9", "\x03"), I(16)),
         CALL(getsockname, W(0), R(0), BUF(16), LEN("\x10")),
         CALLO(getsockname, W(0), LO_OUT("\xb9", "\x02") "\x10\0\0\0", R(0), BUF(16), LEN("\x10"))),
    /* The port is held by a socket bound and never listening (steps 1-3): nothing else on
     * the host can take it meanwhile (a connect's ephemeral port skips bound ports), so the
     * refusal does not depend on what else runs; 47364 alone once got 0 natively under load. */
    CASE("sock.connect_refused", TCP_SOCK, TCP_SOCK,
         CALL(setsockopt, W(0), R(1), I(SOL_SOCKET), I(SO_REUSEADDR), INT1, I(4)),
         CALL(bind, W(0), R(1), LO("\xb9", "\x04"), I(16)),
         CALL(connect, ERR(EINVAL), R(0), LO("\xb9", "\x04"), I(15)),
         CALL(connect, ERR(ECONNREFUSED), R(0), LO("\xb9", "\x04"), I(16)),
         CALL(connect, ERR(ECONNREFUSED), R(0), LO("\xb9", "\x04"), I(16)), /* tries again */
         UDP_SOCK, CALL(connect, ERR(EAFNOSUPPORT), R(7), ANY6, I(28)),
         CALL(getpeername, ERR(ENOTCONN), R(7), BUF(16), LEN("\x10"))),
    CASE("sock.stream_misuse", TCP_SOCK, UDP_SOCK,
         CALL(listen, ERR(EOPNOTSUPP), R(1), I(1)),
         CALL(accept, ERR(EINVAL), R(0), I(0), I(0)),
         CALL(accept4, ERR(EINVAL), R(0), I(0), I(0), I(0x100)),
         CALL(shutdown, ERR(EINVAL), R(0), I(3)),
         CALL(shutdown, ERR(ENOTCONN), R(0), I(SHUT_RD)),
         CALL(shutdown, ERR(ENOTCONN), R(1), I(SHUT_RD)),
         CALL(sendto, ERR(EPIPE), R(0), D("x"), I(1), I(MSG_NOSIGNAL), I(0), I(0)),
         /* the refused shutdown(SHUT_RD) was recorded all the same: end of file */
         CALL(recvfrom, W(0), R(0), BUF(4), I(4), I(MSG_DONTWAIT), I(0), I(0)),
         CALL(getpeername, ERR(ENOTCONN), R(0), BUF(16), LEN("\x10")),
         CALL(sendto, ERR(EOPNOTSUPP), R(1), D("x"), I(1), I(MSG_OOB), I(0), I(0))),
    CASE("sock.names", TCP_SOCK,
         CALL(recvfrom, ERR(ENOTCONN), R(0), BUF(4), I(4), I(MSG_DONTWAIT), I(0), I(0)),
         CALL(getsockname, ERR(EINVAL), R(0), BUF(16), LENNEG),
         CALL(getsockname, ERR(EFAULT), R(0), BUF(16), I(0)),
         CALL(getsockname, ERR(EFAULT), R(0), BAD(UNMAPPED), LEN("\x10")),
         /* a short buffer gets the first bytes, the length word the full size */
         CALLO(getsockname, W(0), "\x02\x00\0\0\0\0\0\0" "\x10\0\0\0", R(0), BUF(8), LEN("\x04")),
         CALLO(getsockname, W(0), "\0\0\0\0" "\x10\0\0\0", R(0), BUF(4), LEN("\x00"))),
    CASE("sock.setsockopt_errors", TCP_SOCK, UDP_SOCK,
         CALL(setsockopt, ERR(EINVAL), R(0), I(SOL_SOCKET), I(SO_REUSEADDR), INT1, I(2)),
         CALL(setsockopt, ERR(EINVAL), R(0), I(SOL_SOCKET), I(SO_REUSEADDR), INT1, I(-1)),
         CALL(setsockopt, ERR(EFAULT), R(0), I(SOL_SOCKET), I(SO_REUSEADDR), BAD(UNMAPPED), I(4)),
         CALL(setsockopt, ERR(ENOPROTOOPT), R(0), I(SOL_SOCKET), I(9999), INT1, I(4)),
         CALL(setsockopt, ERR(ENOPROTOOPT), R(0), I(999), I(1), INT1, I(4)),
         CALL(setsockopt, ERR(EINVAL), R(0), I(SOL_SOCKET), I(SO_RCVTIMEO), TV(1, 0), I(8)),
         CALL(setsockopt, ERR(EDOM), R(0), I(SOL_SOCKET), I(SO_RCVTIMEO), TV(1, 1000000), I(16)),
         CALL(setsockopt, ERR(EINVAL), R(0), I(IPPROTO_TCP), I(TCP_MAXSEG), D("\x32\0\0\0"), I(4)),
         CALL(setsockopt, ERR(ENOPROTOOPT), R(1), I(IPPROTO_TCP), I(TCP_NODELAY), INT1, I(4)),
         CALL(getsockopt, ERR(EOPNOTSUPP), R(1), I(IPPROTO_TCP), I(TCP_NODELAY), BUF(4), LEN("\x04"))),
    CASE("sock.getsockopt_values", TCP_SOCK,
         CALLO(getsockopt, W(0), "\x01\0\0\0\x04\0\0\0", R(0), I(SOL_SOCKET), I(SO_TYPE), BUF(4), LEN("\x04")),
         CALLO(getsockopt, W(0), "\x01\0\x02\0\0\0", R(0), I(SOL_SOCKET), I(SO_TYPE), BUF(2), LEN("\x02")),
         CALL(getsockopt, ERR(EINVAL), R(0), I(SOL_SOCKET), I(SO_TYPE), BUF(4), LENNEG),
         CALL(getsockopt, ERR(EFAULT), R(0), I(SOL_SOCKET), I(SO_TYPE), BUF(4), BAD(UNMAPPED)),
         CALLO(getsockopt, W(0), "\x06\0\0\0", R(0), I(SOL_SOCKET), I(SO_PROTOCOL), BUF(4), LEN("\x04")),
         CALLO(getsockopt, W(0), "\x02\0\0\0", R(0), I(SOL_SOCKET), I(SO_DOMAIN), BUF(4), LEN("\x04")),
         CALLO(getsockopt, W(0), "\0\0\0\0", R(0), I(SOL_SOCKET), I(SO_ERROR), BUF(4), LEN("\x04")),
         CALLO(getsockopt, W(0), "\x18\x02\0\0", R(0), I(IPPROTO_TCP), I(TCP_MAXSEG), BUF(4), LEN("\x04")),
         CALLO(getsockopt, W(0), "\x40\0\0\0", R(0), I(IPPROTO_IP), I(IP_TTL), BUF(4), LEN("\x04")),
         CALLO(getsockopt, W(0), "\x07", R(0), I(IPPROTO_TCP), I(TCP_INFO), BUF(1), LEN("\x01")),
         CALL(getsockopt, ERR(ENOPROTOOPT), R(0), I(SOL_SOCKET), I(9999), BUF(4), LEN("\x04"))),
    CASE("sock.setsockopt_roundtrip", TCP_SOCK,
         CALL(setsockopt, W(0), R(0), I(SOL_SOCKET), I(SO_RCVTIMEO), TV(2, 500000), I(16)),
         CALLO(getsockopt, W(0), "\x02\0\0\0\0\0\0\0\x20\xa1\x07\0\0\0\0\0\x10\0\0\0", R(0),
               I(SOL_SOCKET), I(SO_RCVTIMEO), BUF(16), LEN("\x10")),
         CALL(setsockopt, W(0), R(0), I(SOL_SOCKET), I(SO_LINGER), D("\x01\0\0\0\x05\0\0\0"), I(8)),
         CALLO(getsockopt, W(0), "\x01\0\0\0\x05\0\0\0\x08\0\0\0", R(0), I(SOL_SOCKET),
               I(SO_LINGER), BUF(8), LEN("\x08")),
         CALL(setsockopt, ERR(EINVAL), R(0), I(SOL_SOCKET), I(SO_LINGER), INT1, I(4)),
         CALL(setsockopt, W(0), R(0), I(SOL_SOCKET), I(SO_REUSEPORT), INT1, I(4)),
         CALLO(getsockopt, W(0), "\x01\0\0\0", R(0), I(SOL_SOCKET), I(SO_REUSEPORT), BUF(4), LEN("\x04")),
         CALL(setsockopt, W(0), R(0), I(SOL_SOCKET), I(SO_RCVBUF), D("\0\x10\0\0"), I(4)),
         CALLO(getsockopt, W(0), "\0\x20\0\0", R(0), I(SOL_SOCKET), I(SO_RCVBUF), BUF(4), LEN("\x04")),
         CALL(setsockopt, W(0), R(0), I(IPPROTO_TCP), I(TCP_NODELAY), INT1, I(4)),
         CALLO(getsockopt, W(0), "\x01\0\0\0", R(0), I(IPPROTO_TCP), I(TCP_NODELAY), BUF(4), LEN("\x04"))),
    CASE("sock.tcp_loopback", TCP_SOCK,
         CALL(setsockopt, W(0), R(0), I(SOL_SOCKET), I(SO_REUSEADDR), INT1, I(4)),
         CALL(bind, W(0), R(0), LO("\xb9", "\x10"), I(16)), CALL(listen, W(0), R(0), I(4)),
         TCP_SOCK, CALL(connect, W(0), R(4), LO("\xb9", "\x10"), I(16)),
         CALL(accept4, OK, R(0), I(0), I(0), I(SOCK_CLOEXEC)),
         CALL(sendto, W(5), R(4), D("hello"), I(5), I(MSG_NOSIGNAL), I(0), I(0)),
         CALLO(recvfrom, W(2), "he", R(6), BUF(2), I(2), I(MSG_PEEK | MSG_WAITALL), I(0), I(0)),
         CALLO(ioctl, W(0), "\x05\0\0\0", R(6), I(FIONREAD), BUF(4)),
         CALL(shutdown, W(0), R(4), I(SHUT_WR)),
         CALLO(recvfrom, W(5), "hello", R(6), BUF(8), I(8), I(MSG_WAITALL), I(0), I(0))),
    /* TCP_CORK (nginx's tcp_nopush): reported as 0/1, corked data arrives once uncorked */
    CASE("sock.tcp_cork", TCP_SOCK,
         CALL(setsockopt, W(0), R(0), I(SOL_SOCKET), I(SO_REUSEADDR), INT1, I(4)),
         CALL(bind, W(0), R(0), LO("\xb9", "\x31"), I(16)), CALL(listen, W(0), R(0), I(4)),
         TCP_SOCK, CALL(connect, W(0), R(4), LO("\xb9", "\x31"), I(16)),
         CALL(accept4, OK, R(0), I(0), I(0), I(SOCK_CLOEXEC)),
         CALL(setsockopt, W(0), R(4), I(IPPROTO_TCP), I(TCP_CORK), D("\x05\0\0\0"), I(4)),
         CALLO(getsockopt, W(0), "\x01\0\0\0", R(4), I(IPPROTO_TCP), I(TCP_CORK), BUF(4), LEN("\x04")),
         CALL(sendto, W(4), R(4), D("cork"), I(4), I(MSG_NOSIGNAL), I(0), I(0)),
         CALL(setsockopt, W(0), R(4), I(IPPROTO_TCP), I(TCP_CORK), D("\0\0\0\0"), I(4)),
         CALLO(getsockopt, W(0), "\0\0\0\0", R(4), I(IPPROTO_TCP), I(TCP_CORK), BUF(4), LEN("\x04")),
         CALLO(recvfrom, W(4), "cork", R(6), BUF(4), I(4), I(MSG_WAITALL), I(0), I(0))),
    CASE("sock.tcp_accept_names", TCP_SOCK,
         CALL(setsockopt, W(0), R(0), I(SOL_SOCKET), I(SO_REUSEADDR), INT1, I(4)),
         CALL(bind, W(0), R(0), LO("\xb9", "\x11"), I(16)), CALL(listen, W(0), R(0), I(4)),
         CALL(ioctl, ERR(EINVAL), R(0), I(FIONREAD), BUF(4)),
         CALLO(getsockopt, W(0), "\x01\0\0\0", R(0), I(SOL_SOCKET), I(SO_ACCEPTCONN), BUF(4), LEN("\x04")),
         TCP_SOCK, CALL(connect, W(0), R(6), LO("\xb9", "\x11"), I(16)),
         /* the peer's name: 127.0.0.1 and an ephemeral port (checked up to the address) */
         CALLAT(accept, OK, 4, "\x7f\x00\x00\x01", R(0), BUF(16), LEN("\x10")),
         CALLO(getpeername, W(0), LO_OUT("\xb9", "\x11"), R(6), BUF(16), LEN("\x10")),
         CALL(connect, ERR(EISCONN), R(6), LO("\xb9", "\x11"), I(16)),
         CALL(listen, W(0), R(0), I(-1))),
    CASE("sock.udp_self", UDP_SOCK, CALL(bind, W(0), R(0), LO("\xb9", "\x20"), I(16)),
         CALL(sendto, W(4), R(0), D("ping"), I(4), I(0), LO("\xb9", "\x20"), I(16)),
         CALLO(recvfrom, W(2), "pi", R(0), BUF(2), I(2), I(MSG_PEEK), I(0), I(0)),
         CALLO(recvfrom, W(4), "pi" LO_OUT("\xb9", "\x20") "\x10\0\0\0", R(0), BUF(2), I(2),
               I(MSG_TRUNC), BUF(16), LEN("\x10")),
         CALL(sendto, ERR(EDESTADDRREQ), R(0), D("x"), I(1), I(0), I(0), I(0)),
         CALL(sendto, ERR(EMSGSIZE), R(0), BUF(1), I(70000), I(0), LO("\xb9", "\x20"), I(16)),
         CALL(recvfrom, ERR(EAGAIN), R(0), BUF(4), I(4), I(MSG_DONTWAIT), I(0), I(0)),
         CALL(connect, W(0), R(0), LO("\xb9", "\x20"), I(16)),
         CALL(sendto, W(1), R(0), D("x"), I(1), I(0), I(0), I(0)),
         CALLO(getpeername, W(0), LO_OUT("\xb9", "\x20") "\x10\0\0\0", R(0), BUF(16), LEN("\x10"))),
    /* an unbound UDP socket is named by its route's source address once connected, and
     * by the unspecified address again once the association is dissolved */
    CASE("sock.udp_connect_name", UDP_SOCK, CALL(connect, W(0), R(0), LO("\xb9", "\x30"), I(16)),
         CALLAT(getsockname, W(0), 4, "\x7f\x00\x00\x01", R(0), BUF(16), LEN("\x10")),
         CALL(connect, W(0), R(0), D("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"), I(16)),
         CALLAT(getsockname, W(0), 4, "\0\0\0\0", R(0), BUF(16), LEN("\x10"))),
    CASE("sock.msghdr", UDP_SOCK, CALL(bind, W(0), R(0), LO("\xb9", "\x21"), I(16)),
         CALL(connect, W(0), R(0), LO("\xb9", "\x21"), I(16)),
         CALL(sendmsg, W(0), R(0), MSG0, I(0)), /* an empty datagram */
         CALLAT(recvmsg, W(0), 48, "\0\0\0\0", R(0), MSG0, I(0)),
         CALL(sendto, W(4), R(0), D("four"), I(4), I(0), I(0), I(0)),
         CALLAT(recvmsg, W(0), 48, "\x20\0\0\0", R(0), MSG0, I(0)), /* cut: MSG_TRUNC */
         CALL(sendmsg, ERR(EMSGSIZE), R(0), MSG_IOVLEN("\x01\x04\0\0\0\0\0\0"), I(0)),
         CALL(sendmsg, ERR(EFAULT), R(0), MSG_IOVLEN("\x01\0\0\0\0\0\0\0"), I(0)),
         CALL(sendmsg, ERR(ENOBUFS), R(0), MSG_CTL_BIG, I(0)),
         CALL(recvmsg, ERR(EFAULT), R(0), BAD(UNMAPPED), I(0)),
         CALL(recvmsg, ERR(EAGAIN), R(0), MSG0, I(MSG_DONTWAIT))),
    CASE("sock.mmsg", UDP_SOCK, CALL(bind, W(0), R(0), LO("\xb9", "\x22"), I(16)),
         CALL(connect, W(0), R(0), LO("\xb9", "\x22"), I(16)),
         CALL(sendmmsg, W(0), R(0), I(0), I(0), I(0)),
         CALL(sendmmsg, W(1), R(0), MMSG0, I(1), I(0)),
         CALLAT(recvmmsg, W(1), 56, "\0\0\0\0", R(0), MMSG0, I(1), I(0), I(0)),
         CALL(recvmmsg, ERR(EAGAIN), R(0), MMSG0, I(1), I(MSG_DONTWAIT), I(0)),
         CALL(recvmmsg, W(0), R(0), I(0), I(0), I(0), I(0)),
         CALL(sendmmsg, ERR(EFAULT), R(0), BAD(UNMAPPED), I(1), I(0))),
    {NULL, NULL, 0, -1, {0}, 0, false},
};
