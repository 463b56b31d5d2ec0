/*
 * core/abi/socket.h - Linux sockets: address families, socket types and flags, socket-level
 * and protocol-level options (SOL_SOCKET, IPPROTO_TCP, IPPROTO_IPV6), send/recv flags,
 * shutdown modes, and the structures the socket syscalls copy in and out: sockaddr_in,
 * sockaddr_in6, sockaddr_storage, iovec, msghdr, mmsghdr, cmsghdr, linger (kernel layouts,
 * x86-64). Ports and IPv4 addresses inside sockaddrs are in network byte order.
 */
#ifndef CORE_ABI_SOCKET_H
#define CORE_ABI_SOCKET_H

#include <stddef.h>
#include <stdint.h>

#include "core/abi/time.h" /* struct linux_timeval: SO_RCVTIMEO/SO_SNDTIMEO */

#define LINUX_AF_UNSPEC 0
#define LINUX_AF_UNIX 1
#define LINUX_AF_INET 2
#define LINUX_AF_INET6 10
#define LINUX_AF_NETLINK 16

#define LINUX_SOCK_STREAM 1
#define LINUX_SOCK_DGRAM 2
#define LINUX_SOCK_RAW 3
#define LINUX_SOCK_SEQPACKET 5
#define LINUX_SOCK_TYPE_MASK 0xf
#define LINUX_SOCK_NONBLOCK 04000    /* == LINUX_O_NONBLOCK */
#define LINUX_SOCK_CLOEXEC 02000000  /* == LINUX_O_CLOEXEC */

#define LINUX_IPPROTO_IP 0
#define LINUX_IPPROTO_ICMP 1
#define LINUX_IPPROTO_TCP 6
#define LINUX_IPPROTO_UDP 17
#define LINUX_IPPROTO_IPV6 41
#define LINUX_IPPROTO_ICMPV6 58

#define LINUX_SOL_SOCKET 1
#define LINUX_SO_DEBUG 1
#define LINUX_SO_REUSEADDR 2
#define LINUX_SO_TYPE 3
#define LINUX_SO_ERROR 4
#define LINUX_SO_DONTROUTE 5
#define LINUX_SO_BROADCAST 6
#define LINUX_SO_SNDBUF 7
#define LINUX_SO_RCVBUF 8
#define LINUX_SO_KEEPALIVE 9
#define LINUX_SO_OOBINLINE 10
#define LINUX_SO_LINGER 13
#define LINUX_SO_REUSEPORT 15
#define LINUX_SO_PASSCRED 16
#define LINUX_SO_PEERCRED 17
#define LINUX_SO_RCVLOWAT 18
#define LINUX_SO_SNDLOWAT 19
#define LINUX_SO_RCVTIMEO_OLD 20
#define LINUX_SO_SNDTIMEO_OLD 21
#define LINUX_SO_ACCEPTCONN 30
#define LINUX_SO_PROTOCOL 38
#define LINUX_SO_DOMAIN 39

#define LINUX_TCP_NODELAY 1
#define LINUX_TCP_MAXSEG 2
#define LINUX_TCP_CORK 3
#define LINUX_TCP_KEEPIDLE 4
#define LINUX_TCP_KEEPINTVL 5
#define LINUX_TCP_KEEPCNT 6
#define LINUX_TCP_INFO 11
#define LINUX_TCP_USER_TIMEOUT 18

#define LINUX_IP_TOS 1
#define LINUX_IP_TTL 2

#define LINUX_IPV6_UNICAST_HOPS 16
#define LINUX_IPV6_V6ONLY 26
#define LINUX_IPV6_TCLASS 67

#define LINUX_SIOCATMARK 0x8905 /* ioctl: is the next byte read at the urgent mark */

#define LINUX_MSG_OOB 0x1
#define LINUX_MSG_PEEK 0x2
#define LINUX_MSG_DONTROUTE 0x4
#define LINUX_MSG_CTRUNC 0x8
#define LINUX_MSG_TRUNC 0x20
#define LINUX_MSG_DONTWAIT 0x40
#define LINUX_MSG_EOR 0x80
#define LINUX_MSG_WAITALL 0x100
#define LINUX_MSG_NOSIGNAL 0x4000
#define LINUX_MSG_CMSG_CLOEXEC 0x40000000

#define LINUX_SHUT_RD 0
#define LINUX_SHUT_WR 1
#define LINUX_SHUT_RDWR 2

#define LINUX_SOMAXCONN 4096 /* the listen() backlog cap (net.core.somaxconn since 5.4) */

struct linux_sockaddr {
    uint16_t sa_family;
    char sa_data[14];
};
_Static_assert(sizeof(struct linux_sockaddr) == 16, "sockaddr");

struct linux_sockaddr_in {
    uint16_t sin_family;
    uint16_t sin_port; /* network order */
    uint32_t sin_addr; /* network order */
    uint8_t sin_zero[8];
};
_Static_assert(sizeof(struct linux_sockaddr_in) == 16, "sockaddr_in");
_Static_assert(offsetof(struct linux_sockaddr_in, sin_addr) == 4, "sin_addr");

struct linux_sockaddr_in6 {
    uint16_t sin6_family;
    uint16_t sin6_port; /* network order */
    uint32_t sin6_flowinfo;
    uint8_t sin6_addr[16];
    uint32_t sin6_scope_id;
};
_Static_assert(sizeof(struct linux_sockaddr_in6) == 28, "sockaddr_in6");
_Static_assert(offsetof(struct linux_sockaddr_in6, sin6_scope_id) == 24, "sin6_scope_id");

struct linux_sockaddr_storage {
    uint16_t ss_family;
    uint8_t ss_data[126];
} __attribute__((aligned(8)));
_Static_assert(sizeof(struct linux_sockaddr_storage) == 128, "sockaddr_storage");

struct linux_iovec {
    uint64_t iov_base;
    uint64_t iov_len;
};
_Static_assert(sizeof(struct linux_iovec) == 16, "iovec");

struct linux_msghdr {
    uint64_t msg_name;
    uint32_t msg_namelen;
    uint32_t pad0;
    uint64_t msg_iov;
    uint64_t msg_iovlen;
    uint64_t msg_control;
    uint64_t msg_controllen;
    int32_t msg_flags;
    uint32_t pad1;
};
_Static_assert(sizeof(struct linux_msghdr) == 56, "msghdr");
_Static_assert(offsetof(struct linux_msghdr, msg_flags) == 48, "msg_flags");

struct linux_mmsghdr {
    struct linux_msghdr msg_hdr;
    uint32_t msg_len;
    uint32_t pad;
};
_Static_assert(sizeof(struct linux_mmsghdr) == 64, "mmsghdr");

struct linux_cmsghdr {
    uint64_t cmsg_len;
    int32_t cmsg_level;
    int32_t cmsg_type;
};
_Static_assert(sizeof(struct linux_cmsghdr) == 16, "cmsghdr");

struct linux_linger {
    int32_t l_onoff;
    int32_t l_linger;
};
_Static_assert(sizeof(struct linux_linger) == 8, "linger");

/* TCP_INFO: the fields of Linux 2.6's struct tcp_info (later kernels append more; a caller
 * passing a bigger buffer gets this many bytes and the length says so). Times in us. */
struct linux_tcp_info {
    uint8_t tcpi_state, tcpi_ca_state, tcpi_retransmits, tcpi_probes, tcpi_backoff;
    uint8_t tcpi_options;
    uint8_t tcpi_wscale;     /* snd_wscale:4 (low bits), rcv_wscale:4 */
    uint8_t tcpi_flags;
    uint32_t tcpi_rto, tcpi_ato, tcpi_snd_mss, tcpi_rcv_mss;
    uint32_t tcpi_unacked, tcpi_sacked, tcpi_lost, tcpi_retrans, tcpi_fackets;
    uint32_t tcpi_last_data_sent, tcpi_last_ack_sent, tcpi_last_data_recv, tcpi_last_ack_recv;
    uint32_t tcpi_pmtu, tcpi_rcv_ssthresh, tcpi_rtt, tcpi_rttvar, tcpi_snd_ssthresh;
    uint32_t tcpi_snd_cwnd, tcpi_advmss, tcpi_reordering;
    uint32_t tcpi_rcv_rtt, tcpi_rcv_space, tcpi_total_retrans;
};
_Static_assert(sizeof(struct linux_tcp_info) == 104, "tcp_info");
_Static_assert(offsetof(struct linux_tcp_info, tcpi_rtt) == 68, "tcpi_rtt");

/* tcpi_state values (Linux's TCP_ESTABLISHED...) and tcpi_options bits */
#define LINUX_TCP_ESTABLISHED 1
#define LINUX_TCP_SYN_SENT 2
#define LINUX_TCP_SYN_RECV 3
#define LINUX_TCP_FIN_WAIT1 4
#define LINUX_TCP_FIN_WAIT2 5
#define LINUX_TCP_TIME_WAIT 6
#define LINUX_TCP_CLOSE 7
#define LINUX_TCP_CLOSE_WAIT 8
#define LINUX_TCP_LAST_ACK 9
#define LINUX_TCP_LISTEN 10
#define LINUX_TCP_CLOSING 11
#define LINUX_TCPI_OPT_TIMESTAMPS 1
#define LINUX_TCPI_OPT_SACK 2
#define LINUX_TCPI_OPT_WSCALE 4

#define LINUX_UIO_MAXIOV 1024

#endif
