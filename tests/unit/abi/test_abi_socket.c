/*
 * test_abi_socket.c - core/abi/socket.h against glibc's <sys/socket.h>, <netinet/in.h>,
 * <netinet/tcp.h>, <sys/ioctl.h> and <sys/uio.h>.
 */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "core/abi/socket.h"
#include "tests/unit/abi/abi_check.h"

static void test_constants(void **state)
{
    CK(AF_UNSPEC), CK(AF_UNIX), CK(AF_INET), CK(AF_INET6), CK(AF_NETLINK);
    CK(SOCK_STREAM), CK(SOCK_DGRAM), CK(SOCK_RAW), CK(SOCK_SEQPACKET);
    CK(SOCK_NONBLOCK), CK(SOCK_CLOEXEC);
    CK(IPPROTO_IP), CK(IPPROTO_ICMP), CK(IPPROTO_TCP), CK(IPPROTO_UDP), CK(IPPROTO_IPV6);
    CK(IPPROTO_ICMPV6);
    CK(SOL_SOCKET), CK(SO_DEBUG), CK(SO_REUSEADDR), CK(SO_TYPE), CK(SO_ERROR);
    CK(SO_DONTROUTE), CK(SO_BROADCAST), CK(SO_SNDBUF), CK(SO_RCVBUF), CK(SO_KEEPALIVE);
    CK(SO_OOBINLINE), CK(SO_LINGER), CK(SO_REUSEPORT), CK(SO_PASSCRED), CK(SO_PEERCRED);
    CK(SO_RCVLOWAT), CK(SO_SNDLOWAT), CK(SO_RCVTIMEO_OLD), CK(SO_SNDTIMEO_OLD);
    CK(SO_ACCEPTCONN), CK(SO_PROTOCOL), CK(SO_DOMAIN);
    CK(TCP_NODELAY), CK(TCP_MAXSEG), CK(TCP_KEEPIDLE), CK(TCP_KEEPINTVL), CK(TCP_KEEPCNT);
    CK(TCP_INFO), CK(TCP_USER_TIMEOUT), CK(IPV6_V6ONLY), CK(SIOCATMARK);
    CK(MSG_OOB), CK(MSG_PEEK), CK(MSG_DONTROUTE), CK(MSG_CTRUNC), CK(MSG_TRUNC);
    CK(MSG_DONTWAIT), CK(MSG_EOR), CK(MSG_WAITALL), CK(MSG_NOSIGNAL), CK(MSG_CMSG_CLOEXEC);
    CK(SHUT_RD), CK(SHUT_WR), CK(SHUT_RDWR), CK(UIO_MAXIOV), CK(SOMAXCONN);
    (void)state;
}

static void test_structs(void **state)
{
    SZ(struct linux_sockaddr, struct sockaddr);
    OFF(struct linux_sockaddr, sa_family, struct sockaddr, sa_family);
    SZ(struct linux_sockaddr_in, struct sockaddr_in);
    OFF(struct linux_sockaddr_in, sin_port, struct sockaddr_in, sin_port);
    OFF(struct linux_sockaddr_in, sin_addr, struct sockaddr_in, sin_addr);
    SZ(struct linux_sockaddr_in6, struct sockaddr_in6);
    OFF(struct linux_sockaddr_in6, sin6_port, struct sockaddr_in6, sin6_port);
    OFF(struct linux_sockaddr_in6, sin6_flowinfo, struct sockaddr_in6, sin6_flowinfo);
    OFF(struct linux_sockaddr_in6, sin6_addr, struct sockaddr_in6, sin6_addr);
    OFF(struct linux_sockaddr_in6, sin6_scope_id, struct sockaddr_in6, sin6_scope_id);
    SZ(struct linux_sockaddr_storage, struct sockaddr_storage);
    EQ("alignof sockaddr_storage", _Alignof(struct linux_sockaddr_storage),
       _Alignof(struct sockaddr_storage));
    SZ(struct linux_iovec, struct iovec);
    OFF(struct linux_iovec, iov_len, struct iovec, iov_len);
    SZ(struct linux_msghdr, struct msghdr);
    OFF(struct linux_msghdr, msg_name, struct msghdr, msg_name);
    OFF(struct linux_msghdr, msg_namelen, struct msghdr, msg_namelen);
    OFF(struct linux_msghdr, msg_iov, struct msghdr, msg_iov);
    OFF(struct linux_msghdr, msg_iovlen, struct msghdr, msg_iovlen);
    OFF(struct linux_msghdr, msg_control, struct msghdr, msg_control);
    OFF(struct linux_msghdr, msg_controllen, struct msghdr, msg_controllen);
    OFF(struct linux_msghdr, msg_flags, struct msghdr, msg_flags);
    SZ(struct linux_mmsghdr, struct mmsghdr);
    OFF(struct linux_mmsghdr, msg_len, struct mmsghdr, msg_len);
    SZ(struct linux_cmsghdr, struct cmsghdr);
    OFF(struct linux_cmsghdr, cmsg_level, struct cmsghdr, cmsg_level);
    OFF(struct linux_cmsghdr, cmsg_type, struct cmsghdr, cmsg_type);
    SZ(struct linux_linger, struct linger);
    OFF(struct linux_linger, l_linger, struct linger, l_linger);
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_constants),
                                       cmocka_unit_test(test_structs)};

    return cmocka_run_group_tests(tests, NULL, NULL);
}
