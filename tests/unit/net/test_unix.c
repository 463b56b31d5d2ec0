/*
 * test_unix.c - AF_UNIX blocking and concurrency, hosted, through unix_kind (net/unix.h) in
 * kernel threads: a stream echo through an abstract name with a server thread, larger than
 * the send buffers both ways (senders block until readers drain); a datagram sender blocked
 * on a full destination queue (UNIX_DGRAM_QLEN + 1) until the reader takes one; a connect
 * blocked on a full backlog until accept; a reader blocked then woken by the peer's close
 * (end of file); SO_RCVTIMEO and SO_SNDTIMEO in virtual time (-EAGAIN) and a signal ending a wait (-EINTR
 * with a timeout, -ERESTARTSYS without). Each scenario runs under seeded preemption (PCT):
 * a failure prints the seed that replays it.
 */
#include <string.h>

#include "core/abi/socket.h"
#include "core/lib/alloc.h"
#include "core/sched/sched.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"
#include "net/unix.h"
#include "tests/hosted/hosted_test.h"

#define K (&unix_kind)
#define BYTES (600 * 1024) /* more than both send buffers together */
#define CHUNK 7000

static const struct sock_cred cred = {1, 0, 0};
static const uint8_t name[] = "\x01\0\0petrel-unix-test";
static const struct sock_addr addr = {name, sizeof(name) - 1, NULL};

static struct unix_sock *mk(int type)
{
    struct unix_sock *u = NULL;

    H_CHECK(unix_create(type, 0, &cred, &u) == 0);
    return u;
}

static uint8_t pat(uint64_t i)
{
    return (uint8_t)(i * 13 + (i >> 9));
}

static void send_all(void *s, uint64_t n)
{
    static uint8_t buf[CHUNK];
    uint64_t done = 0;

    while (done < n) {
        uint64_t c = n - done < CHUNK ? n - done : CHUNK;
        long r;

        for (uint64_t i = 0; i < c; i++)
            buf[i] = pat(done + i);
        r = K->send(s, buf, c, 0, NULL, NULL);
        if (r <= 0) {
            H_CHECK(r > 0);
            return;
        }
        done += (uint64_t)r;
    }
}

/* Read until end of file; returns the bytes, each checked. */
static uint64_t recv_all(void *s)
{
    uint8_t buf[4096];
    uint64_t got = 0;
    long r;

    while ((r = K->recv(s, buf, sizeof(buf), 0, NULL, NULL, NULL, NULL)) > 0) {
        for (long i = 0; i < r; i++)
            if (buf[i] != pat(got + (uint64_t)i)) {
                H_CHECK(!"pattern");
                return got;
            }
        got += (uint64_t)r;
    }
    H_CHECK(r == 0);
    return got;
}

/* --- stream echo ---------------------------------------------------------------------------- */

struct echo {
    struct unix_sock *l;
    void *c;
};

static void echo_server(void *arg)
{
    struct echo *e = arg;
    void *c = NULL;
    uint8_t buf[5000];
    long r;

    H_CHECK(K->accept(e->l, &c, NULL, NULL) == 0);
    if (!c)
        return;
    while ((r = K->recv(c, buf, sizeof(buf), 0, NULL, NULL, NULL, NULL)) > 0)
        H_CHECK(K->send(c, buf, (size_t)r, 0, NULL, NULL) == r);
    H_CHECK(r == 0);
    K->close(c);
}

static void echo_writer(void *arg)
{
    struct echo *e = arg;

    send_all(e->c, BYTES);
    H_CHECK(K->shutdown(e->c, LINUX_SHUT_WR) == 0);
}

static int stream_echo(void *arg)
{
    struct echo e = {mk(LINUX_SOCK_STREAM), mk(LINUX_SOCK_STREAM)};
    struct thread *srv, *wr;

    (void)arg;
    H_CHECK(K->bind(e.l, &addr) == 0);
    H_CHECK(K->listen(e.l, 1) == 0);
    srv = thread_create("echo", echo_server, &e);
    H_CHECK(K->connect(e.c, &addr) == 0);
    wr = thread_create("writer", echo_writer, &e);
    H_CHECK(recv_all(e.c) == BYTES);
    thread_join(wr);
    thread_join(srv);
    K->close(e.c);
    K->close(e.l);
    return ht_status();
}

/* --- datagram queue, backlog, close ---------------------------------------------------------- */

struct pair {
    struct unix_sock *u[2];
    long rc;
};

static void dgram_reader(void *arg)
{
    struct pair *p = arg;
    uint8_t b;

    sched_sleep_ns(5000000); /* the sender fills the queue and blocks meanwhile */
    p->rc = K->recv(p->u[0], &b, 1, 0, NULL, NULL, NULL, NULL);
}

static int dgram_full(void *arg)
{
    struct pair p = {{mk(LINUX_SOCK_DGRAM), mk(LINUX_SOCK_DGRAM)}, -1};
    struct thread *t;
    int sent = 0;

    (void)arg;
    H_CHECK(K->bind(p.u[0], &addr) == 0);
    while (K->send(p.u[1], "d", 1, LINUX_MSG_DONTWAIT, &addr, NULL) == 1)
        sent++;
    H_CHECK(sent == 11); /* max_dgram_qlen + 1 */
    t = thread_create("reader", dgram_reader, &p);
    H_CHECK(K->send(p.u[1], "e", 1, 0, &addr, NULL) == 1); /* blocks until one is read */
    thread_join(t);
    H_CHECK(p.rc == 1);
    K->close(p.u[0]);
    H_CHECK(K->send(p.u[1], "f", 1, 0, &addr, NULL) == -ECONNREFUSED);
    K->close(p.u[1]);
    return ht_status();
}

static void acceptor(void *arg)
{
    struct pair *p = arg;
    void *c = NULL;

    sched_sleep_ns(3000000);
    p->rc = K->accept(p->u[0], &c, NULL, NULL);
    if (c) {
        sched_sleep_ns(1000000);
        K->close(c); /* the reader blocked on it sees end of file */
    }
}

static int backlog_and_close(void *arg)
{
    struct pair p = {{mk(LINUX_SOCK_SEQPACKET), NULL}, -1};
    struct unix_sock *c1 = mk(LINUX_SOCK_SEQPACKET), *c2 = mk(LINUX_SOCK_SEQPACKET);
    struct thread *t;
    uint8_t b;

    (void)arg;
    H_CHECK(K->bind(p.u[0], &addr) == 0);
    H_CHECK(K->listen(p.u[0], 0) == 0);
    H_CHECK(K->connect(c1, &addr) == 0); /* backlog 0: one pending */
    t = thread_create("acceptor", acceptor, &p);
    H_CHECK(K->connect(c2, &addr) == 0); /* blocks until the accept */
    H_CHECK(K->recv(c1, &b, 1, 0, NULL, NULL, NULL, NULL) == 0); /* blocks until the close */
    thread_join(t);
    H_CHECK(p.rc == 0);
    K->close(c1);
    K->close(c2);
    K->close(p.u[0]);
    return ht_status();
}

/* --- timeouts and signals ------------------------------------------------------------------- */

static void interrupter(void *arg)
{
    sched_sleep_ns(2000000);
    thread_interrupt(arg);
}

static int timeouts(void *arg)
{
    struct unix_sock *u[2];
    struct linux_timeval tv = {0, 300000};
    uint64_t t0;
    uint8_t b;
    struct thread *t;

    (void)arg;
    H_CHECK(unix_pair(LINUX_SOCK_STREAM, 0, &cred, u) == 0);
    t = thread_create("intr", interrupter, thread_current());
    H_CHECK(K->recv(u[0], &b, 1, 0, NULL, NULL, NULL, NULL) == -ERESTARTSYS);
    thread_join(t);
    thread_clear_interrupt(thread_current());
    H_CHECK(K->setsockopt(u[0], LINUX_SOL_SOCKET, LINUX_SO_RCVTIMEO_OLD, &tv, sizeof(tv)) == 0);
    t0 = hal_clock_ns();
    H_CHECK(K->recv(u[0], &b, 1, 0, NULL, NULL, NULL, NULL) == -EAGAIN);
    H_CHECK(hal_clock_ns() - t0 >= 300000000ULL);
    t = thread_create("intr", interrupter, thread_current());
    H_CHECK(K->recv(u[0], &b, 1, 0, NULL, NULL, NULL, NULL) == -EINTR);
    thread_join(t);
    thread_clear_interrupt(thread_current());
    /* SO_SNDTIMEO: a full send buffer waits that long, then -EAGAIN */
    while (K->send(u[0], "fill", 4, LINUX_MSG_DONTWAIT, NULL, NULL) == 4)
        ;
    H_CHECK(K->setsockopt(u[0], LINUX_SOL_SOCKET, LINUX_SO_SNDTIMEO_OLD, &tv, sizeof(tv)) == 0);
    t0 = hal_clock_ns();
    H_CHECK(K->send(u[0], "more", 4, 0, NULL, NULL) == -EAGAIN);
    H_CHECK(hal_clock_ns() - t0 >= 300000000ULL);
    K->close(u[0]);
    K->close(u[1]);
    return ht_status();
}

static void test_stream_echo(void **state)
{
    (void)state;
    ht_pct_run(stream_echo, NULL, 0, 10);
}

static void test_dgram_full(void **state)
{
    (void)state;
    ht_pct_run(dgram_full, NULL, 0, 20);
}

static void test_backlog_and_close(void **state)
{
    (void)state;
    ht_pct_run(backlog_and_close, NULL, 0, 20);
}

static void test_timeouts(void **state)
{
    (void)state;
    ht_expect(ht_boot(timeouts, NULL, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_echo),
        cmocka_unit_test(test_dgram_full),
        cmocka_unit_test(test_backlog_and_close),
        cmocka_unit_test(test_timeouts),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
