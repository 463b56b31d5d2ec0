/*
 * test_net_sock.c - the socket layer (net/sock.h) over the hosted wires and the loopback:
 * blocking and nonblocking TCP (IPv4, IPv6 dual-stack), UDP with truncation, shutdown,
 * names, options, readiness and timeouts, with the errno Linux gives for each misuse
 * (checked on the host: see the comments). One boot; kernel threads play the servers.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/abi/poll.h"
#include "core/abi/socket.h"
#include "core/abi/fcntl.h"
#include "core/abi/stat.h"
#include "core/sched/sched.h"
#include "fs/file/file.h"
#include "fs/vfs/vfs.h"
#include "net/sock_file.h"
#include "net/sock.h"
#include "tests/hosted/hosted_test.h"
#include "tests/unit/net/ntl.h"

#define SEC 1000000000ULL

static struct linux_sockaddr_in sin4(uint8_t d, uint8_t w, uint16_t port)
{
    struct linux_sockaddr_in s = {.sin_family = LINUX_AF_INET};

    s.sin_port = (uint16_t)(port >> 8 | port << 8);
    s.sin_addr = (uint32_t)10 | (uint32_t)w << 8 | (uint32_t)d << 24;
    return s;
}

static struct sock *mk(int domain, int type)
{
    struct sock *s = NULL;

    H_CHECK(sock_create(domain, type, 0, &s) == 0);
    return s;
}

/* --- a TCP echo server in a kernel thread ------------------------------------------------ */

struct server {
    struct sock *l;
    uint64_t bytes; /* expect this many pattern bytes (seed 1), answer with seed 2 */
    int rc;
};

static void send_pattern(struct sock *s, uint32_t seed, uint64_t n)
{
    static uint8_t buf[8192];

    for (uint64_t off = 0; off < n;) {
        size_t k = n - off > sizeof(buf) ? sizeof(buf) : (size_t)(n - off);

        for (size_t i = 0; i < k; i++)
            buf[i] = ntl_pattern(seed, off + i);
        long r = sock_send(s, buf, k, 0, NULL, 0);
        if (r <= 0) {
            H_CHECK(r > 0);
            return;
        }
        off += (uint64_t)r;
    }
}

/* Read until EOF; returns the byte count, checking every byte. */
static uint64_t recv_pattern(struct sock *s, uint32_t seed, uint64_t expect)
{
    uint8_t buf[5000];
    uint64_t off = 0;
    long r;

    while ((r = sock_recv(s, buf, sizeof(buf), 0, NULL, NULL, NULL)) > 0) {
        for (long i = 0; i < r; i++)
            H_CHECK(buf[i] == ntl_pattern(seed, off + (uint64_t)i));
        off += (uint64_t)r;
        if (off == expect)
            break;
    }
    H_CHECK(r >= 0);
    return off;
}

static void server_main(void *arg)
{
    struct server *sv = arg;
    struct sock *c = NULL;
    struct linux_sockaddr_in6 peer;
    uint32_t plen = sizeof(peer);
    uint8_t b;

    sv->rc = sock_accept(sv->l, &c, &peer, &plen);
    if (sv->rc)
        return;
    H_CHECK(recv_pattern(c, 1, sv->bytes) == sv->bytes);
    send_pattern(c, 2, sv->bytes);
    H_CHECK(sock_shutdown(c, LINUX_SHUT_WR) == 0);
    H_CHECK(sock_recv(c, &b, 1, 0, NULL, NULL, NULL) == 0); /* the client's FIN */
    sock_close(c);
}

static void test_tcp_echo_v4(void)
{
    struct linux_sockaddr_in a = sin4(2, 0, 8080), name;
    struct server sv = {.bytes = 1 << 20};
    struct sock *c = mk(LINUX_AF_INET, LINUX_SOCK_STREAM);
    struct thread *t;
    uint32_t len = sizeof(name);
    int one = 1;

    sv.l = mk(LINUX_AF_INET, LINUX_SOCK_STREAM);
    H_CHECK(sock_setsockopt(sv.l, LINUX_SOL_SOCKET, LINUX_SO_REUSEADDR, &one, 4) == 0);
    H_CHECK(sock_bind(sv.l, &a, sizeof(a)) == 0);
    H_CHECK(sock_listen(sv.l, 4) == 0);
    t = thread_create("server", server_main, &sv);
    name = sin4(1, 0, 0); /* from the other end of the wire, not through the loopback */
    H_CHECK(sock_bind(c, &name, sizeof(name)) == 0);
    H_CHECK(sock_connect(c, &a, sizeof(a)) == 0);
    H_CHECK(sock_getname(c, true, &name, &len) == 0 && len == sizeof(name));
    H_CHECK(memcmp(&name, &a, sizeof(a)) == 0);
    len = sizeof(name);
    H_CHECK(sock_getname(c, false, &name, &len) == 0);
    H_CHECK(name.sin_addr == sin4(1, 0, 0).sin_addr && name.sin_port != 0);
    send_pattern(c, 1, sv.bytes);
    H_CHECK(recv_pattern(c, 2, sv.bytes + 1) == sv.bytes); /* then EOF */
    H_CHECK(sock_poll(c) & LINUX_EPOLLRDHUP);
    sock_close(c);
    thread_join(t);
    H_CHECK(sv.rc == 0);
    sock_close(sv.l);
}

/* --- errors Linux gives (host-checked) ----------------------------------------------------- */

static void test_errors(void)
{
    struct linux_sockaddr_in a = sin4(2, 0, 8081), foreign = sin4(9, 9, 80);
    struct sock *s = NULL, *l, *c = NULL;
    uint32_t len = 16;
    uint8_t b;

    H_CHECK(sock_create(99, LINUX_SOCK_STREAM, 0, &s) == -EAFNOSUPPORT);
    H_CHECK(sock_create(LINUX_AF_INET, LINUX_SOCK_SEQPACKET, 0, &s) == -ESOCKTNOSUPPORT);
    H_CHECK(sock_create(LINUX_AF_INET, LINUX_SOCK_STREAM, 17, &s) == -EPROTONOSUPPORT);
    s = mk(LINUX_AF_INET, LINUX_SOCK_STREAM);
    /* fresh TCP socket: poll gives POLLOUT|POLLWRNORM|POLLHUP (276 on Linux) */
    H_CHECK(sock_poll(s) == (LINUX_EPOLLOUT | LINUX_EPOLLWRNORM | LINUX_EPOLLHUP));
    H_CHECK(sock_send(s, "x", 1, LINUX_MSG_NOSIGNAL, NULL, 0) == -EPIPE);
    H_CHECK(sock_recv(s, &b, 1, 0, NULL, NULL, NULL) == -ENOTCONN);
    H_CHECK(sock_getname(s, true, &a, &len) == -ENOTCONN);
    H_CHECK(sock_shutdown(s, LINUX_SHUT_WR) == -ENOTCONN);
    H_CHECK(sock_bind(s, &foreign, sizeof(foreign)) == -EADDRNOTAVAIL);
    H_CHECK(sock_bind(s, &a, 8) == -EINVAL);
    H_CHECK(sock_connect(s, &a, sizeof(a)) == -ECONNREFUSED); /* nobody listens */
    sock_close(s);

    l = mk(LINUX_AF_INET, LINUX_SOCK_STREAM);
    H_CHECK(sock_bind(l, &a, sizeof(a)) == 0);
    H_CHECK(sock_bind(l, &a, sizeof(a)) == -EINVAL); /* already bound */
    s = mk(LINUX_AF_INET, LINUX_SOCK_STREAM);
    H_CHECK(sock_bind(s, &a, sizeof(a)) == -EADDRINUSE);
    sock_close(s);
    H_CHECK(sock_listen(l, 1) == 0);
    sock_set_nonblock(l, true);
    H_CHECK(sock_accept(l, &c, NULL, NULL) == -EAGAIN);
    H_CHECK(sock_connect(l, &a, sizeof(a)) == -EISCONN); /* connect on a listener */

    s = mk(LINUX_AF_INET, LINUX_SOCK_STREAM);
    sock_set_nonblock(s, true);
    H_CHECK(sock_connect(s, &a, sizeof(a)) == -EINPROGRESS);
    H_CHECK(sock_connect(s, &a, sizeof(a)) == -EALREADY);
    for (int i = 0; i < 100 && !(sock_poll(s) & LINUX_EPOLLOUT); i++)
        ntl_sleep(SEC / 100);
    H_CHECK(sock_poll(s) & LINUX_EPOLLOUT);
    H_CHECK(sock_connect(s, &a, sizeof(a)) == -EISCONN);
    int err = -1;
    len = sizeof(err);
    H_CHECK(sock_getsockopt(s, LINUX_SOL_SOCKET, LINUX_SO_ERROR, &err, &len) == 0 && err == 0);
    H_CHECK(sock_recv(s, &b, 1, 0, NULL, NULL, NULL) == -EAGAIN);
    H_CHECK(sock_poll(l) & LINUX_EPOLLIN);
    H_CHECK(sock_accept(l, &c, NULL, NULL) == 0);
    H_CHECK(sock_send(c, "hi", 2, 0, NULL, 0) == 2);
    for (int i = 0; i < 100 && sock_readable(s) == 0; i++)
        ntl_sleep(SEC / 100);
    H_CHECK(sock_readable(s) == 2 && (sock_poll(s) & LINUX_EPOLLIN));
    sock_close(c); /* FIN */
    sock_set_nonblock(s, false);
    char two[4];
    H_CHECK(sock_recv(s, two, sizeof(two), LINUX_MSG_WAITALL, NULL, NULL, NULL) == 2);
    H_CHECK(sock_recv(s, two, sizeof(two), 0, NULL, NULL, NULL) == 0);
    sock_close(s);
    sock_close(l);
}

/* A connection reset by the peer: the next recv says ECONNRESET, then 0. */
static void test_reset(void)
{
    struct linux_sockaddr_in a = sin4(2, 0, 8082);
    struct sock *l = mk(LINUX_AF_INET, LINUX_SOCK_STREAM), *c, *s;
    uint8_t b;

    H_CHECK(sock_bind(l, &a, sizeof(a)) == 0 && sock_listen(l, 1) == 0);
    c = mk(LINUX_AF_INET, LINUX_SOCK_STREAM);
    H_CHECK(sock_connect(c, &a, sizeof(a)) == 0);
    H_CHECK(sock_accept(l, &s, NULL, NULL) == 0);
    H_CHECK(sock_send(c, "unread", 6, 0, NULL, 0) == 6);
    ntl_sleep(SEC / 10);
    sock_close(s); /* closed with unread data: RST, as Linux */
    H_CHECK(sock_recv(c, &b, 1, 0, NULL, NULL, NULL) == -ECONNRESET);
    H_CHECK(sock_recv(c, &b, 1, 0, NULL, NULL, NULL) == 0);
    H_CHECK(sock_send(c, "x", 1, LINUX_MSG_NOSIGNAL, NULL, 0) == -EPIPE);
    sock_close(c);
    sock_close(l);
}

/* --- UDP ------------------------------------------------------------------------------------- */

static void test_udp(void)
{
    struct linux_sockaddr_in a = sin4(1, 0, 9001), b = sin4(2, 0, 9002), from;
    struct sock *sa = mk(LINUX_AF_INET, LINUX_SOCK_DGRAM), *sb = mk(LINUX_AF_INET,
                                                                     LINUX_SOCK_DGRAM);
    static uint8_t big[3000], got[3000];
    uint32_t flen = sizeof(from);
    int mflags;

    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = ntl_pattern(7, i);
    H_CHECK(sock_bind(sa, &a, sizeof(a)) == 0 && sock_bind(sb, &b, sizeof(b)) == 0);
    H_CHECK(sock_send(sa, big, 10, 0, NULL, 0) == -EDESTADDRREQ);
    sock_set_nonblock(sb, true);
    H_CHECK(sock_recv(sb, got, 1, 0, NULL, NULL, NULL) == -EAGAIN);
    sock_set_nonblock(sb, false);
    H_CHECK(sock_send(sa, big, sizeof(big), 0, &b, sizeof(b)) == (long)sizeof(big));
    H_CHECK(sock_send(sa, big, sizeof(big), 0, &b, sizeof(b)) == (long)sizeof(big));
    for (int i = 0; i < 100 && sock_readable(sb) == 0; i++)
        ntl_sleep(SEC / 100);
    H_CHECK(sock_readable(sb) == 3000); /* FIONREAD: the next datagram */
    H_CHECK(sock_recv(sb, got, 100, 0, &from, &flen, &mflags) == 100); /* truncated */
    H_CHECK(mflags & LINUX_MSG_TRUNC);
    H_CHECK(flen == sizeof(from) && memcmp(&from, &a, sizeof(a)) == 0);
    H_CHECK(memcmp(got, big, 100) == 0);
    H_CHECK(sock_recv(sb, got, 10, LINUX_MSG_TRUNC | LINUX_MSG_PEEK, NULL, NULL, NULL) == 3000);
    H_CHECK(sock_recv(sb, got, sizeof(got), 0, NULL, NULL, &mflags) == 3000 && mflags == 0);
    H_CHECK(memcmp(got, big, sizeof(big)) == 0);
    H_CHECK(sock_connect(sa, &b, sizeof(b)) == 0);
    H_CHECK(sock_send(sa, "dgram", 5, 0, NULL, 0) == 5);
    H_CHECK(sock_recv(sb, got, sizeof(got), 0, NULL, NULL, NULL) == 5);
    H_CHECK(sock_send(sa, big, 70000, 0, NULL, 0) == -EMSGSIZE);
    sock_close(sa);
    sock_close(sb);
}

/* --- IPv6 dual stack, loopback, timeouts --------------------------------------------------- */

static void test_v6_dual_stack(void)
{
    struct linux_sockaddr_in6 any6 = {.sin6_family = LINUX_AF_INET6, .sin6_port = 0x2823},
                              peer;
    struct linux_sockaddr_in a = sin4(2, 0, 9000);
    struct sock *l = mk(LINUX_AF_INET6, LINUX_SOCK_STREAM), *c, *s;
    uint32_t plen = sizeof(peer);
    static const uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1};

    H_CHECK(sock_bind(l, &any6, sizeof(any6)) == 0 && sock_listen(l, 2) == 0);
    struct linux_sockaddr_in from = sin4(1, 0, 0);
    c = mk(LINUX_AF_INET, LINUX_SOCK_STREAM);
    H_CHECK(sock_bind(c, &from, sizeof(from)) == 0);
    H_CHECK(sock_connect(c, &a, sizeof(a)) == 0); /* IPv4 into the [::] listener */
    H_CHECK(sock_accept(l, &s, &peer, &plen) == 0);
    H_CHECK(plen == sizeof(peer) && peer.sin6_family == LINUX_AF_INET6);
    H_CHECK(memcmp(peer.sin6_addr, mapped, 16) == 0);
    H_CHECK(sock_send(s, "v6", 2, 0, NULL, 0) == 2);
    char b[2];
    H_CHECK(sock_recv(c, b, 2, LINUX_MSG_WAITALL, NULL, NULL, NULL) == 2 && b[0] == 'v');
    sock_close(c);
    sock_close(s);
    sock_close(l);
}

static void test_loopback_and_timeout(void)
{
    struct linux_sockaddr_in lo = {.sin_family = LINUX_AF_INET, .sin_port = 0x5c11,
                                   .sin_addr = 0x0100007f};
    struct sock *l = mk(LINUX_AF_INET, LINUX_SOCK_STREAM), *c, *s;
    uint64_t t0;
    uint8_t b;

    H_CHECK(sock_bind(l, &lo, sizeof(lo)) == 0 && sock_listen(l, 2) == 0);
    c = mk(LINUX_AF_INET, LINUX_SOCK_STREAM);
    H_CHECK(sock_connect(c, &lo, sizeof(lo)) == 0);
    H_CHECK(sock_accept(l, &s, NULL, NULL) == 0);
    sock_set_timeouts(c, 2 * SEC, 0);
    t0 = ntl_now();
    H_CHECK(sock_recv(c, &b, 1, 0, NULL, NULL, NULL) == -EAGAIN); /* SO_RCVTIMEO */
    H_CHECK(ntl_now() - t0 >= 2 * SEC && ntl_now() - t0 < 3 * SEC);
    send_pattern(s, 3, 300000);
    H_CHECK(sock_shutdown(s, LINUX_SHUT_WR) == 0);
    H_CHECK(recv_pattern(c, 3, 300001) == 300000);
    sock_close(c);
    sock_close(s);
    sock_close(l);
}

/* The socket as an open-file kind: read/write/poll/stat/setfl through fs/file. */
static unsigned polls;

static void count_queue(struct poll_table *pt, struct wait_queue *wq)
{
    (void)pt;
    (void)wq;
    polls++;
}

static void test_file_kind(void)
{
    struct linux_sockaddr_in lo = {.sin_family = LINUX_AF_INET, .sin_port = 0x5d11,
                                   .sin_addr = 0x0100007f};
    struct sock *l = mk(LINUX_AF_INET, LINUX_SOCK_STREAM), *c, *s;
    struct poll_table pt = {.queue = count_queue};
    struct file *fc, *fs;
    struct vfs_stat st;
    uint64_t pos = 0;
    char b[8];

    H_CHECK(sock_bind(l, &lo, sizeof(lo)) == 0 && sock_listen(l, 2) == 0);
    c = mk(LINUX_AF_INET, LINUX_SOCK_STREAM);
    H_CHECK(sock_connect(c, &lo, sizeof(lo)) == 0);
    H_CHECK(sock_accept(l, &s, NULL, NULL) == 0);
    fc = sock_file_open(c, false);
    fs = sock_file_open(s, true);
    H_CHECK(fc && fs && sock_of_file(fc) == c);
    H_CHECK(file_stat(fc, &st) == 0 && (st.st_mode & LINUX_S_IFMT) == LINUX_S_IFSOCK);
    H_CHECK(file_read(fs, b, sizeof(b), &pos) == -EAGAIN); /* O_NONBLOCK */
    H_CHECK(file_poll(fs, &pt) == (LINUX_EPOLLOUT | LINUX_EPOLLWRNORM) && polls == 1);
    H_CHECK(file_write(fc, "file", 4, &pos) == 4);
    H_CHECK(file_setfl(fs, LINUX_O_NONBLOCK, 0) == 0); /* blocking now: waits for the data */
    H_CHECK(file_read(fs, b, sizeof(b), &pos) == 4 && memcmp(b, "file", 4) == 0);
    file_put(fc); /* the last reference closes: FIN */
    H_CHECK(file_read(fs, b, sizeof(b), &pos) == 0);
    H_CHECK(file_poll(fs, NULL) & LINUX_EPOLLRDHUP);
    file_put(fs);
    sock_close(l);
}

/* TCP_CORK as Linux (checked on the host with TCP_INFO's tcpi_segs_out): corked writes of a
 * header and a body leave nothing on the wire; uncorking sends them as one segment; data
 * still corked goes out by itself about 200 ms after it was written; full segments go at
 * once. (lwIP may send a held partial segment earlier, when an ACK leaves nothing in
 * flight: the test lets the peer's delayed ACK arrive first.) */
static void test_cork(void)
{
    struct linux_sockaddr_in a = sin4(2, 0, 8090), name = sin4(1, 0, 0);
    struct sock *l = mk(LINUX_AF_INET, LINUX_SOCK_STREAM), *c, *cork_rx;
    struct ntl_tcp_watch w = {.dev = 0};
    static char buf[1000];
    int one = 1, zero = 0;
    uint64_t t0;

    c = mk(LINUX_AF_INET, LINUX_SOCK_STREAM);
    H_CHECK(sock_bind(l, &a, sizeof(a)) == 0 && sock_listen(l, 2) == 0);
    H_CHECK(sock_bind(c, &name, sizeof(name)) == 0 && sock_connect(c, &a, sizeof(a)) == 0);
    H_CHECK(sock_accept(l, &cork_rx, NULL, NULL) == 0);
    ntl_sleep(SEC / 10);
    ntl_watch(&w, NULL);
    H_CHECK(sock_setsockopt(c, LINUX_IPPROTO_TCP, LINUX_TCP_CORK, &one, 4) == 0);
    H_CHECK(sock_send(c, buf, 238, 0, NULL, 0) == 238);
    H_CHECK(sock_send(c, buf, 497, 0, NULL, 0) == 497);
    ntl_sleep(SEC / 20);
    H_CHECK(w.data_segs == 0);
    H_CHECK(!(sock_poll(cork_rx) & LINUX_EPOLLIN));
    H_CHECK(sock_setsockopt(c, LINUX_IPPROTO_TCP, LINUX_TCP_CORK, &zero, 4) == 0);
    H_CHECK(sock_recv(cork_rx, buf, 735, LINUX_MSG_WAITALL, NULL, NULL, NULL) == 735);
    H_CHECK(w.data_segs == 1);
    ntl_sleep(SEC / 2); /* the peer's delayed ACK is in: lwIP would send on an ACK */
    H_CHECK(sock_setsockopt(c, LINUX_IPPROTO_TCP, LINUX_TCP_CORK, &one, 4) == 0);
    t0 = ntl_now();
    H_CHECK(sock_send(c, buf, 100, 0, NULL, 0) == 100);
    H_CHECK(sock_recv(cork_rx, buf, 100, 0, NULL, NULL, NULL) == 100);
    H_CHECK(ntl_now() - t0 >= SEC / 5 && ntl_now() - t0 < SEC / 2);
    H_CHECK(w.data_segs == 2);
    H_CHECK(sock_send(c, buf, 1000, 0, NULL, 0) == 1000);
    H_CHECK(sock_send(c, buf, 1000, 0, NULL, 0) == 1000); /* one full segment leaves */
    ntl_sleep(SEC / 20);
    H_CHECK(w.data_segs == 3);
    H_CHECK(sock_setsockopt(c, LINUX_IPPROTO_TCP, LINUX_TCP_NODELAY, &one, 4) == 0); /* pushes */
    for (int got = 0; got < 2000;) {
        long r = sock_recv(cork_rx, buf, sizeof(buf), 0, NULL, NULL, NULL);
        H_CHECK(r > 0);
        if (r <= 0)
            break;
        got += (int)r;
    }
    H_CHECK(w.data_segs == 4);
    ntl_watch(NULL, NULL);
    sock_close(c); /* with the flush timer armed: cancelled */
    sock_close(cork_rx);
    sock_close(l);
}

static int scenarios(void)
{
    test_tcp_echo_v4();
    test_errors();
    test_reset();
    test_udp();
    test_v6_dual_stack();
    test_loopback_and_timeout();
    test_file_kind();
    test_cork();
    return 0;
}

static void test_net_sock(void **state)
{
    (void)state;
    ht_expect(ntl_boot(scenarios, NULL, 256ULL << 20), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_net_sock)};

    return cmocka_run_group_tests(tests, NULL, NULL);
}
