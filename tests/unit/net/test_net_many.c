/*
 * test_net_many.c - 10,000 concurrent TCP connections between the two ends of the clean wire
 * (ntl.h), through the socket layer (net/sock.h) on both sides: nonblocking connects in
 * batches a listener with a backlog of 128 accepts, all 10,000 established at once, a
 * request and an answer (byte-exact) on each, then each closed cleanly (the client's FIN,
 * the server's, no RST on the wire), TIME-WAIT run out in virtual time, and the memory
 * bounded: the kernel heap per open connection (both ends, lwIP's pcbs and buffers and the
 * sockets) stays under a budget, lwIP never hits its limit, and every byte comes back.
 * PETREL_SEED replays a run; the seed is printed on failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "core/abi/poll.h"
#include "core/abi/socket.h"
#include "core/lib/alloc.h"
#include "hal/hal_errno.h"
#include "lwip/priv/tcp_priv.h"
#include "net/net.h"
#include "net/sock.h"
#include "tests/hosted/hosted_test.h"
#include "tests/unit/net/ntl.h"

#define SEC 1000000000ULL
#define MS 1000000ULL
#define NCONN 10000u
#define BATCH 100u
#define MSG 256u
#define PORT 7400
/* Heap per open connection, both ends (two lwIP pcbs, two socks, the allocator's headers):
 * measured 1184 bytes; a budget with room, that still catches a buffer kept per connection. */
#define PER_CONN_BUDGET 2048u

static struct sock *cli[NCONN], *srv[NCONN];
static uint16_t cli_port[NCONN];
static uint32_t by_port[65536]; /* client local port -> index + 1 */

static struct linux_sockaddr_in sin4(unsigned dev, uint16_t port)
{
    struct linux_sockaddr_in s = {.sin_family = LINUX_AF_INET};

    s.sin_port = (uint16_t)(port >> 8 | port << 8);
    s.sin_addr = (uint32_t)10 | (uint32_t)(dev / 2) << 8 | (uint32_t)(dev % 2 + 1) << 24;
    return s;
}

static uint16_t port_of(const struct linux_sockaddr_in *s)
{
    return (uint16_t)(s->sin_port >> 8 | s->sin_port << 8);
}

static struct sock *mk(void)
{
    struct sock *s = NULL;

    H_CHECK(sock_create(LINUX_AF_INET, LINUX_SOCK_STREAM, 0, &s) == 0);
    if (s)
        sock_set_nonblock(s, true);
    return s;
}

/* Start connects [from, from + n) and accept as many; each accepted socket goes to the slot
 * of the client whose port it names. */
static bool open_batch(struct sock *l, unsigned from, unsigned n)
{
    struct linux_sockaddr_in me = sin4(0, 0), to = sin4(1, PORT), name;
    uint64_t deadline = ntl_now() + 60 * SEC;
    unsigned got = 0;

    for (unsigned i = from; i < from + n; i++) {
        uint32_t len = sizeof(name);

        if (!(cli[i] = mk()) || sock_bind(cli[i], &me, sizeof(me)) != 0 ||
            sock_connect(cli[i], &to, sizeof(to)) != -EINPROGRESS ||
            sock_getname(cli[i], false, &name, &len) != 0)
            return false;
        cli_port[i] = port_of(&name);
        if (by_port[cli_port[i]])
            return false;
        by_port[cli_port[i]] = i + 1;
    }
    while (got < n && ntl_now() < deadline) {
        struct sock *c;
        uint32_t len = sizeof(name);
        int rc = sock_accept(l, &c, &name, &len);

        if (rc == -EAGAIN) {
            ntl_sleep(MS);
            continue;
        }
        if (rc || !by_port[port_of(&name)] || srv[by_port[port_of(&name)] - 1])
            return false;
        srv[by_port[port_of(&name)] - 1] = c;
        sock_set_nonblock(c, true);
        got++;
    }
    return got == n;
}

static bool established(unsigned i)
{
    int err = -1;
    uint32_t len = sizeof(err);

    return srv[i] && (sock_poll(cli[i]) & LINUX_EPOLLOUT) &&
           sock_getsockopt(cli[i], LINUX_SOL_SOCKET, LINUX_SO_ERROR, &err, &len) == 0 &&
           err == 0;
}

/* Receive exactly MSG pattern bytes (seed) on s, nonblocking; *have counts. -1: wrong. */
static int take(struct sock *s, uint32_t seed, unsigned *have)
{
    uint8_t buf[MSG];
    long r;

    while (*have < MSG) {
        r = sock_recv(s, buf, MSG - *have, 0, NULL, NULL, NULL);
        if (r == -EAGAIN)
            return 0;
        if (r <= 0)
            return -1;
        for (long k = 0; k < r; k++)
            if (buf[k] != ntl_pattern(seed, *have + (uint64_t)k))
                return -1;
        *have += (unsigned)r;
    }
    return 1;
}

static bool put(struct sock *s, uint32_t seed)
{
    uint8_t buf[MSG];

    for (unsigned k = 0; k < MSG; k++)
        buf[k] = ntl_pattern(seed, k);
    return sock_send(s, buf, MSG, 0, NULL, 0) == MSG;
}

static unsigned have_srv[NCONN], have_cli[NCONN];

/* Each client sends MSG bytes (seed i), its server answers MSG bytes (seed NCONN + i). */
static bool exchange(void)
{
    unsigned done = 0, answered = 0;
    uint64_t deadline = ntl_now() + 300 * SEC;

    for (unsigned i = 0; i < NCONN; i++)
        if (!put(cli[i], i))
            return false;
    while (done < NCONN && ntl_now() < deadline) {
        for (unsigned i = 0; i < NCONN; i++) {
            if (have_srv[i] < MSG) {
                int r = take(srv[i], i, &have_srv[i]);

                if (r < 0 || (r > 0 && !put(srv[i], NCONN + i)))
                    return false;
                answered += r > 0;
            }
            if (have_srv[i] == MSG && have_cli[i] < MSG) {
                int r = take(cli[i], NCONN + i, &have_cli[i]);

                if (r < 0)
                    return false;
                done += r > 0;
            }
        }
        if (done < NCONN)
            ntl_sleep(10 * MS);
    }
    return done == NCONN && answered == NCONN;
}

/* EOF (0) on every socket of set whose flag is not yet set; then close it. */
static bool eof_and_close(struct sock **set, uint64_t timeout)
{
    static bool closed[NCONN];
    uint64_t deadline = ntl_now() + timeout;
    unsigned left = NCONN;
    uint8_t b;

    for (unsigned i = 0; i < NCONN; i++)
        closed[i] = false;
    while (left && ntl_now() < deadline) {
        for (unsigned i = 0; i < NCONN; i++) {
            long r;

            if (closed[i])
                continue;
            r = sock_recv(set[i], &b, 1, 0, NULL, NULL, NULL);
            if (r == -EAGAIN)
                continue;
            if (r != 0)
                return false;
            sock_close(set[i]);
            set[i] = NULL;
            closed[i] = true;
            left--;
        }
        if (left)
            ntl_sleep(10 * MS);
    }
    return left == 0;
}

static bool all_pcbs_gone(void *unused)
{
    (void)unused;
    return !tcp_active_pcbs && !tcp_tw_pcbs;
}

static int scenario(void)
{
    struct linux_sockaddr_in a = sin4(1, PORT);
    struct kmalloc_stats k0, k1, k2;
    struct net_stats st;
    struct ntl_tcp_watch w0 = {.dev = 0}, w1 = {.dev = 1};
    struct sock *l = mk();
    unsigned est = 0;
    uint64_t t0 = ntl_now();

    if (!l || sock_bind(l, &a, sizeof(a)) != 0 || sock_listen(l, 128) != 0)
        return 1;
    kmalloc_get_stats(&k0);
    ntl_watch(&w0, &w1);
    for (unsigned i = 0; i < NCONN; i += BATCH)
        if (!open_batch(l, i, BATCH)) {
            fprintf(stderr, "many: batch at %u did not open\n", i);
            return 1;
        }
    for (unsigned i = 0; i < NCONN; i++)
        est += established(i);
    H_CHECK(est == NCONN); /* all at once */
    H_CHECK(exchange());
    kmalloc_get_stats(&k1);
    fprintf(stderr, "many: %u connections, heap %llu bytes each, %llu s virtual\n", NCONN,
            (unsigned long long)((k1.bytes_in_use - k0.bytes_in_use) / NCONN),
            (unsigned long long)((ntl_now() - t0) / SEC));
    H_CHECK(k1.bytes_in_use - k0.bytes_in_use < (uint64_t)NCONN * PER_CONN_BUDGET);
    for (unsigned i = 0; i < NCONN; i++)
        H_CHECK(sock_shutdown(cli[i], LINUX_SHUT_WR) == 0);
    H_CHECK(eof_and_close(srv, 300 * SEC)); /* the client's FIN; the server closes */
    H_CHECK(eof_and_close(cli, 300 * SEC)); /* the server's FIN; the client closes */
    H_CHECK(ntl_wait(all_pcbs_gone, NULL, 300 * SEC)); /* TIME-WAIT over */
    ntl_watch(NULL, NULL);
    H_CHECK(w0.rsts == 0 && w1.rsts == 0);
    H_CHECK(w0.syns == NCONN && w1.syns == NCONN); /* no SYN retransmitted on the clean wire */
    sock_close(l);
    net_get_stats(&st);
    H_CHECK(st.mem_failed == 0 && st.mem_peak <= st.mem_limit);
    kmalloc_get_stats(&k2);
    if (k2.bytes_in_use > k0.bytes_in_use + st.mem_cached)
        fprintf(stderr, "many: %llu heap bytes left after closing (%llu kept for reuse)\n",
                (unsigned long long)(k2.bytes_in_use - k0.bytes_in_use),
                (unsigned long long)st.mem_cached);
    H_CHECK(k2.bytes_in_use <= k0.bytes_in_use + st.mem_cached); /* net/port/sys_arch.c */
    return 0;
}

static void test_many(void **state)
{
    (void)state;
    ht_expect(ntl_boot(scenario, NULL, 512ULL << 20), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_many)};

    return cmocka_run_group_tests(tests, NULL, NULL);
}
