/*
 * test_epoll.c - fs/poll/epoll.c with many kernel threads: a server loop (consumers sharing
 * one instance, producers making test files ready) in level-triggered, EPOLLET and
 * EPOLLONESHOT modes, where a lost wakeup leaves the machine deadlocked (the boot fails);
 * interest churn (ADD, DEL, the last reference of watched files and of a nested instance
 * dropped) while others wait; EPOLLEXCLUSIVE waking one instance of two; a parent woken
 * through a child; interrupts and deadlines. Each concurrency scenario also runs under
 * seeded preemption (HT_PCT_SEEDS seeds each).
 */
#include "tests/hosted/hosted_test.h"

#include <string.h>

#include "core/abi/poll.h"
#include "core/lib/alloc.h"
#include "core/sched/sched.h"
#include "fs/poll/epoll.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"

#define MS 1000000ULL
#define NFILES 4
#define NCONS 3
#define NPROD 2
#define PER_PROD 24
#define STOP 100 /* data of the stop file's item */

/* A test kind: a counter with one wait queue, readable while non-zero. */
struct tfile {
    struct wait_queue wq;
    unsigned count; /* atomic */
    int nr_exclusive;
};

static unsigned tfile_poll(struct file *f, struct poll_table *pt)
{
    struct tfile *t = f->priv;

    poll_wait(pt, &t->wq);
    return __atomic_load_n(&t->count, __ATOMIC_ACQUIRE) ? LINUX_EPOLLIN | LINUX_EPOLLRDNORM : 0;
}

static int tfile_stat(struct file *f, struct vfs_stat *st)
{
    (void)f;
    (void)st;
    return 0;
}

static void tfile_release(struct file *f)
{
    struct tfile *t = f->priv;

    H_CHECK(list_empty(&t->wq.waiters)); /* epoll unhooked every entry first */
}

static const struct file_ops tfile_ops = {
    .name = "test", .poll = tfile_poll, .stat = tfile_stat, .release = tfile_release};

static void tfile_add(struct tfile *t, unsigned n)
{
    __atomic_add_fetch(&t->count, n, __ATOMIC_RELEASE);
    wq_wake_key(&t->wq, LINUX_EPOLLIN | LINUX_EPOLLRDNORM, t->nr_exclusive);
}

static unsigned tfile_take(struct tfile *t)
{
    return __atomic_exchange_n(&t->count, 0, __ATOMIC_ACQ_REL);
}

static struct file *tfile_open(struct tfile *t)
{
    wq_init(&t->wq, "tfile");
    t->count = 0;
    t->nr_exclusive = 0;
    return file_alloc(&tfile_ops, t, 0, 0);
}

static int kcopy_out(uint64_t uaddr, const void *src, size_t n)
{
    memcpy((void *)(uintptr_t)uaddr, src, n);
    return 0;
}

static int ep_wait(struct file *ep, struct linux_epoll_event *ev, int max, uint64_t deadline)
{
    struct epoll_out out = {.uaddr = (uint64_t)(uintptr_t)ev, .copy_out = kcopy_out};

    return epoll_file_wait(ep, &out, max, deadline);
}

/* --- the server loop ------------------------------------------------------------------------ */

static struct {
    struct file *ep, *files[NFILES], *stop_file;
    struct tfile t[NFILES], stop;
    unsigned mode;     /* 0, LINUX_EPOLLET or LINUX_EPOLLONESHOT */
    unsigned consumed; /* atomic */
    unsigned busy[NFILES];
} srv;

static void consume(unsigned i)
{
    unsigned got;

    if (srv.mode == LINUX_EPOLLONESHOT) /* nobody else may hold this item now */
        H_CHECK(__atomic_exchange_n(&srv.busy[i], 1, __ATOMIC_ACQ_REL) == 0);
    got = tfile_take(&srv.t[i]);
    if (srv.mode == LINUX_EPOLLONESHOT) {
        __atomic_store_n(&srv.busy[i], 0, __ATOMIC_RELEASE);
        H_CHECK(epoll_file_ctl(srv.ep, LINUX_EPOLL_CTL_MOD, srv.files[i], (int)i,
                               LINUX_EPOLLIN | LINUX_EPOLLONESHOT, i) == 0);
    }
    if (got && __atomic_add_fetch(&srv.consumed, got, __ATOMIC_ACQ_REL) == NPROD * PER_PROD)
        tfile_add(&srv.stop, 1); /* everything arrived: let every consumer go */
}

static void consumer(void *arg)
{
    struct linux_epoll_event ev[3];

    (void)arg;
    for (;;) {
        int n = ep_wait(srv.ep, ev, 3, UINT64_MAX);

        H_CHECK(n > 0);
        for (int k = 0; k < n; k++) {
            H_CHECK(ev[k].data < NFILES || ev[k].data == STOP);
            if (ev[k].data == STOP)
                return;
            consume((unsigned)ev[k].data);
        }
        if (n <= 0)
            return;
    }
}

static void producer(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;

    for (int k = 0; k < PER_PROD; k++) {
        tfile_add(&srv.t[(seed + (unsigned)k * 3u) % NFILES], 1);
        if (k % 5 == 0)
            sched_sleep_ns(MS / 4);
        else
            thread_yield();
    }
}

static int server(void *arg)
{
    struct thread *th[NCONS + NPROD];

    memset(&srv, 0, sizeof(srv));
    srv.mode = (unsigned)(uintptr_t)arg;
    H_CHECK(epoll_file_create(&srv.ep) == 0);
    for (unsigned i = 0; i < NFILES; i++) {
        srv.files[i] = tfile_open(&srv.t[i]);
        H_CHECK(epoll_file_ctl(srv.ep, LINUX_EPOLL_CTL_ADD, srv.files[i], (int)i,
                               LINUX_EPOLLIN | srv.mode, i) == 0);
    }
    srv.stop_file = tfile_open(&srv.stop);
    H_CHECK(epoll_file_ctl(srv.ep, LINUX_EPOLL_CTL_ADD, srv.stop_file, 99, LINUX_EPOLLIN,
                           STOP) == 0);
    for (int i = 0; i < NCONS; i++)
        th[i] = thread_create("consumer", consumer, NULL);
    for (int i = 0; i < NPROD; i++)
        th[NCONS + i] = thread_create("producer", producer, (void *)(uintptr_t)(i + 1));
    for (int i = 0; i < NCONS + NPROD; i++)
        thread_join(th[i]);
    H_CHECK(srv.consumed == NPROD * PER_PROD);
    /* the instance goes first here: its release unhooks the items of live files */
    file_put(srv.ep);
    for (unsigned i = 0; i < NFILES; i++) {
        H_CHECK(list_empty(&srv.files[i]->ep_links));
        file_put(srv.files[i]);
    }
    file_put(srv.stop_file);
    return ht_status();
}

/* --- churn: the interest list changes under waiting threads ----------------------------------- */

#define CHURN_ROUNDS 12

static struct {
    struct file *ep, *parent;
    unsigned done, done_child; /* atomic */
    unsigned seen;             /* atomic */
} ch;

static void churn_wait(struct file *ep, const unsigned *done)
{
    struct linux_epoll_event ev[2];

    while (!__atomic_load_n(done, __ATOMIC_ACQUIRE)) {
        int n = ep_wait(ep, ev, 2, hal_clock_ns() + MS);

        H_CHECK(n >= 0);
        if (n > 0) {
            __atomic_add_fetch(&ch.seen, 1, __ATOMIC_RELAXED);
            thread_yield(); /* nothing is drained: level-triggered items stay ready, and the
                               virtual clock does not end a slice that never sleeps */
        }
    }
}

/* Waits on the child with its own reference, and drops it last when told to stop. */
static void churn_waiter(void *arg)
{
    struct file *ep = arg;

    churn_wait(ep, &ch.done_child);
    file_put(ep); /* the child's last reference, while pwaiter waits on the parent */
}

static void churn_pwaiter(void *arg)
{
    churn_wait(arg, &ch.done);
}

/* One round: a ready file added under two "descriptors", then dropped one of three ways
 * (DEL, MOD to oneshot, nothing) before its last reference goes, while the waiters look. */
static void churn_round(unsigned r)
{
    struct tfile *t = kzalloc(sizeof(*t));
    struct file *f = tfile_open(t);
    unsigned et = r & 1 ? LINUX_EPOLLET : 0;

    H_CHECK(epoll_file_ctl(ch.ep, LINUX_EPOLL_CTL_ADD, f, 5, LINUX_EPOLLIN | et, r) == 0);
    file_get(f); /* as dup() would: the same file, another descriptor, another item */
    H_CHECK(epoll_file_ctl(ch.ep, LINUX_EPOLL_CTL_ADD, f, 6, LINUX_EPOLLIN, r) == 0);
    H_CHECK(epoll_file_ctl(ch.ep, LINUX_EPOLL_CTL_ADD, f, 5, LINUX_EPOLLIN, r) == -EEXIST);
    tfile_add(t, 1);
    thread_yield();
    if (r % 3 == 0) {
        H_CHECK(epoll_file_ctl(ch.ep, LINUX_EPOLL_CTL_DEL, f, 5, 0, 0) == 0);
        H_CHECK(epoll_file_ctl(ch.ep, LINUX_EPOLL_CTL_DEL, f, 5, 0, 0) == -ENOENT);
    } else if (r % 3 == 1) {
        H_CHECK(epoll_file_ctl(ch.ep, LINUX_EPOLL_CTL_MOD, f, 6,
                               LINUX_EPOLLIN | LINUX_EPOLLONESHOT, r) == 0);
    }
    file_put(f); /* one "descriptor" closed: the items stay */
    thread_yield();
    file_put(f); /* the last reference: whatever items remain go with it */
    kfree(t);
}

static void churner(void *arg)
{
    (void)arg;
    for (unsigned r = 0; r < CHURN_ROUNDS; r++)
        churn_round(r);
    file_put(ch.ep); /* the waiter's reference is the last one now */
    __atomic_store_n(&ch.done_child, 1, __ATOMIC_RELEASE);
    sched_sleep_ns(3 * MS);
    __atomic_store_n(&ch.done, 1, __ATOMIC_RELEASE);
}

static int churn(void *arg)
{
    struct linux_epoll_event ev;
    struct thread *th[3];

    (void)arg;
    memset(&ch, 0, sizeof(ch));
    H_CHECK(epoll_file_create(&ch.ep) == 0);
    H_CHECK(epoll_file_create(&ch.parent) == 0);
    H_CHECK(epoll_file_ctl(ch.parent, LINUX_EPOLL_CTL_ADD, ch.ep, 3, LINUX_EPOLLIN, 77) == 0);
    file_get(ch.ep); /* the waiter's own reference */
    th[0] = thread_create("waiter", churn_waiter, ch.ep);
    th[1] = thread_create("pwaiter", churn_pwaiter, ch.parent);
    th[2] = thread_create("churner", churner, NULL);
    for (int i = 0; i < 3; i++)
        thread_join(th[i]);
    H_CHECK(ch.seen > 0);
    H_CHECK(ep_wait(ch.parent, &ev, 1, 0) == 0); /* its item went with the child */
    file_put(ch.parent);
    return ht_status();
}

/* --- deterministic scenarios ----------------------------------------------------------------- */

static struct {
    struct file *ep[2];
    int rc[2];
    uint64_t at[2];
    struct thread *t[2];
} dt;

static void det_waiter(void *arg)
{
    int i = (int)(uintptr_t)arg;
    struct linux_epoll_event ev;

    dt.rc[i] = ep_wait(dt.ep[i], &ev, 1, hal_clock_ns() + 10 * MS);
    dt.at[i] = hal_clock_ns();
}

static void det_interrupter(void *arg)
{
    (void)arg;
    sched_sleep_ns(3 * MS);
    thread_interrupt(dt.t[0]);
}

/* One file watched with EPOLLEXCLUSIVE by two instances; a wake-one reaches one of them. */
static int exclusive(void *arg)
{
    struct tfile t;
    struct file *f = tfile_open(&t);

    (void)arg;
    t.nr_exclusive = 1;
    for (int i = 0; i < 2; i++) {
        H_CHECK(epoll_file_create(&dt.ep[i]) == 0);
        H_CHECK(epoll_file_ctl(dt.ep[i], LINUX_EPOLL_CTL_ADD, f, 3,
                               LINUX_EPOLLIN | LINUX_EPOLLEXCLUSIVE, (uint64_t)i) == 0);
        dt.t[i] = thread_create("waiter", det_waiter, (void *)(uintptr_t)i);
    }
    sched_sleep_ns(2 * MS);
    tfile_add(&t, 1);
    for (int i = 0; i < 2; i++)
        thread_join(dt.t[i]);
    H_CHECK(dt.rc[0] + dt.rc[1] == 1);
    H_CHECK(dt.at[dt.rc[0] == 1 ? 0 : 1] == 2 * MS);
    H_CHECK(dt.at[dt.rc[0] == 1 ? 1 : 0] == 10 * MS);
    for (int i = 0; i < 2; i++)
        file_put(dt.ep[i]);
    file_put(f);
    return ht_status();
}

/* A parent instance sleeps until an item of its child becomes ready; an interrupt ends a
 * wait with -EINTR, a deadline with 0 at exactly that time. */
static int nested_intr(void *arg)
{
    struct tfile t;
    struct file *f = tfile_open(&t);
    struct linux_epoll_event ev = {0, 0};
    uint64_t t0;

    (void)arg;
    H_CHECK(epoll_file_create(&dt.ep[0]) == 0); /* the parent */
    H_CHECK(epoll_file_create(&dt.ep[1]) == 0); /* the child */
    H_CHECK(epoll_file_ctl(dt.ep[1], LINUX_EPOLL_CTL_ADD, f, 3, LINUX_EPOLLIN, 1) == 0);
    H_CHECK(epoll_file_ctl(dt.ep[0], LINUX_EPOLL_CTL_ADD, dt.ep[1], 4, LINUX_EPOLLIN, 42) == 0);
    H_CHECK(epoll_file_ctl(dt.ep[1], LINUX_EPOLL_CTL_ADD, dt.ep[0], 5, LINUX_EPOLLIN, 0) == -ELOOP);
    t0 = hal_clock_ns();
    dt.t[0] = thread_create("waiter", det_waiter, (void *)0);
    thread_join(dt.t[0]);
    H_CHECK(dt.rc[0] == 0 && dt.at[0] == t0 + 10 * MS); /* nothing ready: the deadline */
    t0 = hal_clock_ns();
    dt.t[0] = thread_create("waiter", det_waiter, (void *)0);
    sched_sleep_ns(MS);
    tfile_add(&t, 1);
    thread_join(dt.t[0]);
    H_CHECK(dt.rc[0] == 1);
    if (!sched_pct_enabled())
        H_CHECK(dt.at[0] == t0 + MS);
    H_CHECK(ep_wait(dt.ep[0], &ev, 1, 0) == 1 && ev.data == 42 &&
            ev.events == LINUX_EPOLLIN);
    tfile_take(&t);
    H_CHECK(ep_wait(dt.ep[0], &ev, 1, 0) == 0); /* drained: the child is not ready */
    dt.t[0] = thread_create("waiter", det_waiter, (void *)0);
    dt.t[1] = thread_create("interrupter", det_interrupter, NULL);
    t0 = hal_clock_ns();
    thread_join(dt.t[0]);
    thread_join(dt.t[1]);
    H_CHECK(dt.rc[0] == -EINTR);
    if (!sched_pct_enabled())
        H_CHECK(dt.at[0] == t0 + 3 * MS);
    file_put(dt.ep[1]); /* the child goes first: the parent's item goes with it */
    H_CHECK(ep_wait(dt.ep[0], &ev, 1, 0) == 0);
    file_put(dt.ep[0]);
    file_put(f);
    return ht_status();
}

static void test_epoll_server_level(void **state)
{
    (void)state;
    ht_expect(ht_boot(server, (void *)0, 0), 0);
}

static void test_epoll_server_edge(void **state)
{
    (void)state;
    ht_expect(ht_boot(server, (void *)(uintptr_t)LINUX_EPOLLET, 0), 0);
}

static void test_epoll_server_oneshot(void **state)
{
    (void)state;
    ht_expect(ht_boot(server, (void *)(uintptr_t)LINUX_EPOLLONESHOT, 0), 0);
}

static void test_epoll_churn(void **state)
{
    (void)state;
    ht_expect(ht_boot(churn, NULL, 0), 0);
}

static void test_epoll_exclusive(void **state)
{
    (void)state;
    ht_expect(ht_boot(exclusive, NULL, 0), 0);
}

static void test_epoll_nested_intr(void **state)
{
    (void)state;
    ht_expect(ht_boot(nested_intr, NULL, 0), 0);
}

static void test_epoll_pct(void **state)
{
    (void)state;
    ht_pct_run(server, (void *)0, 0, HT_PCT_SEEDS);
    ht_pct_run(server, (void *)(uintptr_t)LINUX_EPOLLET, 0, HT_PCT_SEEDS);
    ht_pct_run(server, (void *)(uintptr_t)LINUX_EPOLLONESHOT, 0, HT_PCT_SEEDS);
    ht_pct_run(churn, NULL, 0, HT_PCT_SEEDS);
    ht_pct_run(nested_intr, NULL, 0, HT_PCT_SEEDS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_epoll_server_level),  cmocka_unit_test(test_epoll_server_edge),
        cmocka_unit_test(test_epoll_server_oneshot), cmocka_unit_test(test_epoll_churn),
        cmocka_unit_test(test_epoll_exclusive),     cmocka_unit_test(test_epoll_nested_intr),
        cmocka_unit_test(test_epoll_pct),
    };

    return cmocka_run_group_tests_name("hosted_epoll", tests, NULL, NULL);
}
