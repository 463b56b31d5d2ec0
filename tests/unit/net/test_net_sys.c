/*
 * test_net_sys.c - the socket syscalls as a program makes them (tests/unit/syscall's st
 * fixture: a hosted boot per case, a process, user memory), for what the case tables cannot
 * express: msghdrs with iovecs and names, sendmmsg/recvmmsg batches, a transfer larger than
 * the TCP window through nonblocking sockets, nonblocking connect completed through poll and
 * SO_ERROR (accepted and refused), and SIGPIPE (pending after a send on a shut-down socket,
 * not with MSG_NOSIGNAL), writev into TCP as one send. Expected values were checked on the
 * host's Linux.
 */
#include "tests/unit/syscall/st.h"

#include "core/abi/poll.h"
#include "core/abi/socket.h"

enum { NR_socket = 41, NR_connect = 42, NR_sendto = 44, NR_recvfrom = 45, NR_sendmsg = 46,
       NR_recvmsg = 47, NR_shutdown = 48, NR_bind = 49, NR_listen = 50, NR_getsockopt = 55,
       NR_setsockopt = 54, NR_accept4 = 288, NR_recvmmsg = 299, NR_sendmmsg = 307,
       NR_rt_sigpending = 127 };

#define NB LINUX_SOCK_NONBLOCK
#define SIGPIPE_BIT (1ULL << 12)

/* User memory layout inside st_buf */
#define U_ADDR (st_buf)          /* a sockaddr_in */
#define U_MSG (st_buf + 0x100)   /* msghdrs / mmsghdrs */
#define U_IOV (st_buf + 0x400)   /* iovec arrays */
#define U_NAME (st_buf + 0x800)  /* names received */
#define U_DATA (st_buf + 0x1000) /* payloads */
#define U_BIG (st_buf + 0x10000) /* 128 KiB */

static uint64_t lo_addr(uint16_t port)
{
    struct linux_sockaddr_in a = {.sin_family = LINUX_AF_INET, .sin_addr = 0x0100007f};

    a.sin_port = (uint16_t)(port >> 8 | port << 8);
    return st_put(U_ADDR, &a, sizeof(a));
}

/* A connected pair over the loopback: *c client, *s accepted (both with flags). */
static void tcp_pair(uint16_t port, int flags, long *c, long *s)
{
    long l = SC(NR_socket, LINUX_AF_INET, LINUX_SOCK_STREAM, 0);

    *c = *s = -1;
    ST_CHECK(l >= 0);
    ST_EQ(SC(NR_bind, l, lo_addr(port), 16), 0);
    ST_EQ(SC(NR_listen, l, 1), 0);
    *c = SC(NR_socket, LINUX_AF_INET, LINUX_SOCK_STREAM | flags, 0);
    ST_CHECK(*c >= 0);
    long r = SC(NR_connect, *c, U_ADDR, 16);
    ST_CHECK(r == 0 || r == -EINPROGRESS);
    *s = SC(NR_accept4, l, 0, 0, flags);
    ST_CHECK(*s >= 0);
    SC(NR_close, l);
}

static void put_msg(uint64_t um, uint64_t name, uint32_t namelen, uint64_t iov, uint64_t n)
{
    struct linux_msghdr m = {.msg_name = name, .msg_namelen = namelen, .msg_iov = iov,
                             .msg_iovlen = n};

    st_put(um, &m, sizeof(m));
}

ST_CASE(msg_iovecs)
{
    long c, s;
    struct linux_iovec tx[3] = {{U_DATA, 3}, {U_DATA, 3}, {U_DATA + 3, 4}};
    struct linux_iovec rx[2] = {{U_DATA + 0x100, 4}, {U_DATA + 0x200, 6}};
    struct linux_msghdr m;
    char a[8] = {0}, b[16] = {0};

    tcp_pair(47701, 0, &c, &s);
    ST_CHECK(c >= 0 && s >= 0);
    st_put(U_DATA, "abcdefg", 7);
    st_put(U_IOV, tx, sizeof(tx)); /* two elements over the same bytes: allowed */
    put_msg(U_MSG, 0, 0, U_IOV, 3);
    ST_EQ(SC(NR_sendmsg, c, U_MSG, 0), 10);
    st_put(U_IOV + 0x100, rx, sizeof(rx));
    put_msg(U_MSG + 0x80, U_NAME, 16, U_IOV + 0x100, 2);
    ST_EQ(SC(NR_recvmsg, s, U_MSG + 0x80, LINUX_MSG_WAITALL), 10);
    st_get(a, U_DATA + 0x100, 4);
    st_get(b, U_DATA + 0x200, 6);
    ST_CHECK(memcmp(a, "abca", 4) == 0 && memcmp(b, "bcdefg", 6) == 0);
    st_get(&m, U_MSG + 0x80, sizeof(m));
    ST_EQ(m.msg_namelen, 0); /* a stream has no source name */
    ST_EQ(m.msg_flags, 0);
}

ST_CASE(mmsg_udp_names)
{
    long u = SC(NR_socket, LINUX_AF_INET, LINUX_SOCK_DGRAM, 0);
    struct linux_mmsghdr mm[3];
    struct linux_iovec v[3];
    struct linux_sockaddr_in from;

    ST_CHECK(u >= 0);
    ST_EQ(SC(NR_bind, u, lo_addr(47702), 16), 0);
    ST_EQ(SC(NR_connect, u, U_ADDR, 16), 0);
    st_put(U_DATA, "onetwothree", 11);
    v[0] = (struct linux_iovec){U_DATA, 3};
    v[1] = (struct linux_iovec){U_DATA + 3, 3};
    v[2] = (struct linux_iovec){U_DATA + 6, 5};
    st_put(U_IOV, v, sizeof(v));
    memset(mm, 0, sizeof(mm));
    for (int i = 0; i < 3; i++) {
        mm[i].msg_hdr.msg_iov = U_IOV + 16 * (uint64_t)i;
        mm[i].msg_hdr.msg_iovlen = 1;
    }
    st_put(U_MSG, mm, sizeof(mm));
    ST_EQ(SC(NR_sendmmsg, u, U_MSG, 3, 0), 3);
    st_get(mm, U_MSG, sizeof(mm));
    ST_EQ(mm[2].msg_len, 5);
    for (int i = 0; i < 3; i++) { /* receive into 4-byte buffers, with names */
        v[i] = (struct linux_iovec){U_DATA + 0x100 + 0x10 * (uint64_t)i, 4};
        mm[i].msg_hdr.msg_iov = U_IOV + 0x100 + 16 * (uint64_t)i;
        mm[i].msg_hdr.msg_name = U_NAME + 0x20 * (uint64_t)i;
        mm[i].msg_hdr.msg_namelen = 16;
    }
    st_put(U_IOV + 0x100, v, sizeof(v));
    st_put(U_MSG, mm, sizeof(mm));
    ST_EQ(SC(NR_recvmmsg, u, U_MSG, 3, 0x10000 /* MSG_WAITFORONE */, 0), 3);
    st_get(mm, U_MSG, sizeof(mm));
    ST_EQ(mm[0].msg_len, 3);
    ST_EQ(mm[2].msg_len, 4); /* cut to the buffer... */
    ST_EQ(mm[2].msg_hdr.msg_flags, LINUX_MSG_TRUNC); /* ...and says so */
    ST_EQ(mm[1].msg_hdr.msg_namelen, 16);
    st_get(&from, U_NAME + 0x20, sizeof(from));
    ST_CHECK(from.sin_family == LINUX_AF_INET && from.sin_addr == 0x0100007f);
    ST_EQ(from.sin_port, (47702 >> 8 | (47702 & 0xff) << 8));
}

/* 1 MiB each way through nonblocking sockets, more than the window: partial sends and
 * EAGAIN, every byte checked. */
ST_CASE(bulk_nonblocking)
{
    static uint8_t chunk[65536];
    const uint64_t total = 1 << 20;
    uint64_t sent = 0, got = 0;
    long c, s;
    int eagain = 0;

    tcp_pair(47703, NB, &c, &s);
    ST_CHECK(c >= 0 && s >= 0);
    while (got < total) {
        if (sent < total) {
            uint64_t n = total - sent < sizeof(chunk) ? total - sent : sizeof(chunk);

            for (uint64_t i = 0; i < n; i++)
                chunk[i] = (uint8_t)((sent + i) * 7 + 1);
            st_put(U_BIG, chunk, n);
            long r = SC(NR_sendto, c, U_BIG, n, 0, 0, 0);
            ST_CHECK(r > 0 || r == -EAGAIN);
            sent += r > 0 ? (uint64_t)r : 0;
            eagain += r == -EAGAIN;
        }
        long r = SC(NR_recvfrom, s, U_BIG + 65536, 65536, 0, 0, 0);
        ST_CHECK(r > 0 || r == -EAGAIN);
        if (r > 0) {
            st_get(chunk, U_BIG + 65536, (size_t)r);
            for (long i = 0; i < r; i++)
                ST_EQ(chunk[i], (uint8_t)((got + (uint64_t)i) * 7 + 1));
            got += (uint64_t)r;
        } else {
            SC(NR_sched_yield); /* let the network thread move segments */
        }
    }
    ST_EQ(got, total);
}

static uint32_t so_error(long fd)
{
    uint32_t v = 99, len = 4;

    st_put(U_DATA + 0x800, &len, 4);
    if (SC(NR_getsockopt, fd, LINUX_SOL_SOCKET, LINUX_SO_ERROR, U_DATA + 0x804, U_DATA + 0x800))
        return 98;
    st_get(&v, U_DATA + 0x804, 4);
    return v;
}

static int16_t poll1(long fd, short events, int timeout_ms)
{
    struct { int32_t fd; int16_t ev, rev; } p = {(int32_t)fd, events, 0};

    st_put(U_DATA + 0x900, &p, sizeof(p));
    if (SC(NR_poll, U_DATA + 0x900, 1, (uint64_t)timeout_ms) != 1)
        return 0;
    st_get(&p, U_DATA + 0x900, sizeof(p));
    return p.rev;
}

ST_CASE(nonblocking_connect)
{
    long l = SC(NR_socket, LINUX_AF_INET, LINUX_SOCK_STREAM, 0), c, r;

    ST_EQ(SC(NR_bind, l, lo_addr(47704), 16), 0);
    ST_EQ(SC(NR_listen, l, 1), 0);
    c = SC(NR_socket, LINUX_AF_INET, LINUX_SOCK_STREAM | NB, 0);
    ST_EQ(SC(NR_connect, c, U_ADDR, 16), -EINPROGRESS);
    ST_CHECK(poll1(c, LINUX_POLLOUT, 1000) & LINUX_POLLOUT);
    ST_EQ(so_error(c), 0);
    ST_EQ(SC(NR_connect, c, U_ADDR, 16), -EISCONN);
    /* refused: poll says so, SO_ERROR tells once */
    c = SC(NR_socket, LINUX_AF_INET, LINUX_SOCK_STREAM | NB, 0);
    ST_EQ(SC(NR_connect, c, lo_addr(47705), 16), -EINPROGRESS);
    r = poll1(c, LINUX_POLLOUT, 1000);
    ST_CHECK((r & LINUX_POLLERR) && (r & LINUX_POLLHUP));
    ST_EQ(so_error(c), ECONNREFUSED);
    ST_EQ(so_error(c), 0);
}

static uint64_t pending(void)
{
    uint64_t set = 0;

    SC(NR_rt_sigpending, U_DATA + 0xa00, 8);
    st_get(&set, U_DATA + 0xa00, 8);
    return set;
}

ST_CASE(sigpipe)
{
    uint64_t block = SIGPIPE_BIT;
    long c, s;

    tcp_pair(47706, 0, &c, &s);
    ST_CHECK(c >= 0 && s >= 0);
    st_put(U_DATA + 0xb00, &block, 8);
    ST_EQ(SC(NR_rt_sigprocmask, 0 /* SIG_BLOCK */, U_DATA + 0xb00, 0, 8), 0);
    ST_EQ(SC(NR_shutdown, c, LINUX_SHUT_WR), 0);
    st_put(U_DATA, "x", 1);
    ST_EQ(SC(NR_sendto, c, U_DATA, 1, LINUX_MSG_NOSIGNAL, 0, 0), -EPIPE);
    ST_EQ(pending() & SIGPIPE_BIT, 0);
    ST_EQ(SC(NR_sendto, c, U_DATA, 1, 0, 0, 0), -EPIPE);
    ST_EQ(pending() & SIGPIPE_BIT, SIGPIPE_BIT);
}

/*
 * writev(2) on a TCP socket is one send (sys_sock_writev): three small iovecs leave as one
 * segment, so the peer's first read gets all 10 bytes (one send per iovec sent the first
 * alone and held the rest behind Nagle until its ACK: a read got 3). No iovec: 0 without
 * asking the socket, even an unconnected one; 1025 iovecs EINVAL; an unreadable array EFAULT;
 * a socket shut for writing EPIPE and SIGPIPE. All as the host's Linux answers.
 */
ST_CASE(writev_one_send)
{
    struct linux_iovec v[3] = {{U_DATA, 3}, {U_DATA + 3, 3}, {U_DATA + 6, 4}};
    uint64_t block = SIGPIPE_BIT;
    char b[16] = {0};
    long c, s, u = SC(NR_socket, LINUX_AF_INET, LINUX_SOCK_STREAM, 0);

    tcp_pair(47707, 0, &c, &s);
    ST_CHECK(c >= 0 && s >= 0 && u >= 0);
    st_put(U_DATA, "abcdefghij", 10);
    st_put(U_IOV, v, sizeof(v));
    ST_EQ(SC(NR_writev, c, U_IOV, 3), 10);
    ST_EQ(SC(NR_recvfrom, s, U_DATA + 0x100, 16, 0, 0, 0), 10);
    st_get(b, U_DATA + 0x100, 10);
    ST_CHECK(memcmp(b, "abcdefghij", 10) == 0);
    ST_EQ(SC(NR_writev, c, U_IOV, 0), 0);
    ST_EQ(SC(NR_writev, u, U_IOV, 0), 0);
    ST_EQ(SC(NR_writev, c, U_IOV, 1025), -EINVAL);
    ST_EQ(SC(NR_writev, c, 8, 2), -EFAULT);
    st_put(U_DATA + 0xb00, &block, 8);
    ST_EQ(SC(NR_rt_sigprocmask, 0 /* SIG_BLOCK */, U_DATA + 0xb00, 0, 8), 0);
    ST_EQ(SC(NR_shutdown, c, LINUX_SHUT_WR), 0);
    ST_EQ(SC(NR_writev, c, U_IOV, 3), -EPIPE);
    ST_EQ(pending() & SIGPIPE_BIT, SIGPIPE_BIT);
}

/*
 * Urgent data end to end over the loopback (net/tcp_conform.c, net/lwip-patches/0003): the
 * last byte of a MSG_OOB send is urgent; the receiver gets POLLPRI, SIOCATMARK says 0 before
 * the mark and 1 at it (also after the byte was read out of line), a read stops at the mark,
 * recv(MSG_OOB) returns the byte once (then EINVAL), and the next read skips it. SIOCATMARK
 * on a listener is 0 and on UDP ENOTTY. Values from the host's Linux (6.18).
 */
static int atmark(long fd)
{
    int m = -1;

    if (SC(NR_ioctl, fd, LINUX_SIOCATMARK, U_DATA + 0xc00) != 0)
        return -1;
    st_get(&m, U_DATA + 0xc00, 4);
    return m;
}

ST_CASE(urgent_loopback)
{
    struct linux_pollfd p;
    long c, s, u, l;
    char b[4] = {0};

    tcp_pair(47707, 0, &c, &s);
    ST_CHECK(c >= 0 && s >= 0);
    st_put(U_DATA, "abcd", 4);
    ST_EQ(SC(NR_sendto, c, U_DATA, 2, LINUX_MSG_OOB, 0, 0), 2);
    p = (struct linux_pollfd){(int)s, LINUX_POLLIN | LINUX_POLLPRI, 0};
    st_put(U_DATA + 0x800, &p, sizeof(p));
    ST_EQ(SC(NR_poll, U_DATA + 0x800, 1, 1000), 1);
    st_get(&p, U_DATA + 0x800, sizeof(p));
    ST_EQ(p.revents, LINUX_POLLIN | LINUX_POLLPRI);
    ST_EQ(atmark(s), 0);
    ST_EQ(SC(NR_recvfrom, s, U_DATA + 0x100, 10, 0, 0, 0), 1);
    ST_EQ(atmark(s), 1);
    ST_EQ(SC(NR_recvfrom, s, U_DATA + 0x101, 1, LINUX_MSG_OOB, 0, 0), 1);
    st_get(b, U_DATA + 0x100, 2);
    ST_EQ(memcmp(b, "ab", 2), 0);
    ST_EQ(atmark(s), 1);
    ST_EQ(SC(NR_poll, U_DATA + 0x800, 1, 0), 0);
    ST_EQ(SC(NR_recvfrom, s, U_DATA + 0x100, 1, LINUX_MSG_OOB | LINUX_MSG_DONTWAIT, 0, 0),
          -EINVAL);
    ST_EQ(SC(NR_sendto, c, U_DATA + 2, 2, 0, 0, 0), 2);
    ST_EQ(SC(NR_recvfrom, s, U_DATA + 0x100, 10, 0, 0, 0), 2);
    st_get(b, U_DATA + 0x100, 2);
    ST_EQ(memcmp(b, "cd", 2), 0);
    ST_EQ(atmark(s), 0);
    u = SC(NR_socket, LINUX_AF_INET, LINUX_SOCK_DGRAM, 0);
    ST_EQ(SC(NR_ioctl, u, LINUX_SIOCATMARK, U_DATA + 0xc00), -ENOTTY);
    l = SC(NR_socket, LINUX_AF_INET, LINUX_SOCK_STREAM, 0);
    ST_EQ(SC(NR_bind, l, lo_addr(47708), 16), 0);
    ST_EQ(SC(NR_listen, l, 1), 0);
    ST_EQ(atmark(l), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(msg_iovecs),        cmocka_unit_test(mmsg_udp_names),
        cmocka_unit_test(bulk_nonblocking),  cmocka_unit_test(nonblocking_connect),
        cmocka_unit_test(sigpipe),           cmocka_unit_test(urgent_loopback),
        cmocka_unit_test(writev_one_send),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
