/*
 * test_waiter.c - wait entries and waiters: interruptible waits (woken, timed out,
 * interrupted before and during the sleep), one waiter on several queues, exclusive wakes
 * and their count, keys, the three-way race of a wakeup, a timeout and an interrupt at the
 * same instant (exactly one result), and the check-then-sleep loop on many queues.
 */
#include "tests/unit/sched/fixture.h"

#include <string.h>

#include "core/sched/sched_internal.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"

#define MS 1000000ULL

static struct wait_queue qs[3];
static struct thread *sleeper;

struct result {
    int rc;
    uint64_t at;
};

/* --- single-queue interruptible waits ------------------------------------------------------- */

static void intr_waiter(void *arg)
{
    struct result *r = arg;

    r->rc = wq_wait_intr(&qs[0], 20 * MS);
    r->at = hal_clock_ns();
    T_CHECK(rb_first(&cpu_this()->timers) == NULL); /* the deadline timer is gone */
    T_CHECK(list_empty(&qs[0].waiters));            /* and so is the entry */
}

static void wake_at(void *arg)
{
    sched_sleep_ns((uint64_t)(uintptr_t)arg);
    T_CHECK(wq_wake_one(&qs[0]) == 1);
}

static void interrupt_at(void *arg)
{
    sched_sleep_ns((uint64_t)(uintptr_t)arg);
    thread_interrupt(sleeper);
    T_CHECK(thread_interrupt_pending(sleeper));
}

static void test_intr_wait_woken(void **state)
{
    static struct result r;

    wq_init(&qs[0], "q0");
    fixture_spawn("waiter", intr_waiter, &r);
    fixture_spawn("waker", wake_at, (void *)(uintptr_t)(3 * MS));
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.at, 3 * MS);
}

static void test_intr_wait_times_out(void **state)
{
    static struct result r;

    wq_init(&qs[0], "q0");
    fixture_spawn("waiter", intr_waiter, &r);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(r.rc, -ETIMEDOUT);
    assert_int_equal(r.at, 20 * MS);
}

static void test_intr_wait_interrupted_during(void **state)
{
    static struct result r;

    wq_init(&qs[0], "q0");
    sleeper = fixture_spawn("waiter", intr_waiter, &r);
    fixture_spawn("signal", interrupt_at, (void *)(uintptr_t)(7 * MS));
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(r.rc, -EINTR);
    assert_int_equal(r.at, 7 * MS);
}

/* Interrupted before sleeping: every interruptible wait ends at once until the interrupt is
 * cleared; uninterruptible waits do not notice it. */
static void interrupted_before(void *arg)
{
    struct thread *self = thread_current();
    struct result *r = arg;

    thread_interrupt(self);
    T_CHECK(wq_wait_intr(&qs[0], UINT64_MAX) == -EINTR);
    T_CHECK(wq_wait_intr(&qs[0], 0) == -EINTR); /* the interrupt beats a passed deadline */
    T_CHECK(sched_sleep_until_intr(50 * MS) == -EINTR);
    T_CHECK(hal_clock_ns() == 0);
    T_CHECK(wq_wait(&qs[0], 2 * MS) == -ETIMEDOUT); /* uninterruptible: sleeps its time */
    T_CHECK(hal_clock_ns() == 2 * MS);
    sched_sleep_ns(1 * MS);
    T_CHECK(hal_clock_ns() == 3 * MS);
    T_CHECK(thread_interrupt_pending(self));
    thread_clear_interrupt(self);
    T_CHECK(!thread_interrupt_pending(self));
    T_CHECK(sched_sleep_until_intr(4 * MS) == 0);
    r->rc = wq_wait_intr(&qs[0], 10 * MS);
    r->at = hal_clock_ns();
}

static void test_intr_wait_interrupted_before(void **state)
{
    static struct result r;

    wq_init(&qs[0], "q0");
    fixture_spawn("waiter", interrupted_before, &r);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(r.rc, -ETIMEDOUT);
    assert_int_equal(r.at, 10 * MS);
}

/* An interrupt does not end an uninterruptible wait (nor a mutex wait). */
static struct mutex mtx;

static void hold_mutex(void *arg)
{
    mutex_lock(&mtx);
    sched_sleep_ns(10 * MS);
    mutex_unlock(&mtx);
}

static void uninterruptible(void *arg)
{
    struct result *r = arg;

    r->rc = wq_wait(&qs[0], UINT64_MAX);
    mutex_lock(&mtx);
    r->at = hal_clock_ns();
    mutex_unlock(&mtx);
}

static void interrupt_then_wake(void *arg)
{
    sched_sleep_ns(1 * MS);
    thread_interrupt(sleeper);
    sched_sleep_ns(1 * MS);
    T_CHECK(wq_wake_one(&qs[0]) == 1);
}

static void test_interrupt_leaves_uninterruptible_waits(void **state)
{
    static struct result r;

    wq_init(&qs[0], "q0");
    mutex_init(&mtx, "mtx");
    fixture_spawn("holder", hold_mutex, NULL);
    sleeper = fixture_spawn("waiter", uninterruptible, &r);
    fixture_spawn("signal", interrupt_then_wake, NULL);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.at, 10 * MS); /* got the mutex when the holder let go */
}

/* --- one waiter, several queues --------------------------------------------------------------- */

static int ready[3];

static void multi_waiter(void *arg)
{
    struct result *r = arg;
    struct wait_entry e[3];
    struct waiter w;

    waiter_init(&w);
    for (int i = 0; i < 3; i++) {
        wait_entry_init(&e[i], waiter_wake_fn, &w);
        wq_add(&qs[i], &e[i]);
    }
    r->rc = 0;
    while (!ready[0] && !ready[1] && !ready[2] && r->rc == 0) {
        r->rc = waiter_sleep(&w, 100 * MS, true);
        if (r->rc == 0)
            waiter_reset(&w);
    }
    r->at = hal_clock_ns();
    for (int i = 0; i < 3; i++)
        wq_remove(&e[i]);
    for (int i = 0; i < 3; i++)
        T_CHECK(list_empty(&qs[i].waiters) && qs[i].nshared == 0);
}

static void wake_second_queue(void *arg)
{
    sched_sleep_ns(4 * MS);
    ready[1] = 1;
    T_CHECK(wq_wake_all(&qs[1]) == 1);
    T_CHECK(wq_wake_all(&qs[2]) == 0); /* already decided: not counted again */
    T_CHECK(wq_wake_all(&qs[0]) == 0);
}

static void test_one_waiter_several_queues(void **state)
{
    static struct result r;

    memset(ready, 0, sizeof(ready));
    for (int i = 0; i < 3; i++)
        wq_init(&qs[i], "q");
    fixture_spawn("waiter", multi_waiter, &r);
    fixture_spawn("waker", wake_second_queue, NULL);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.at, 4 * MS);
}

/* A spurious wake (condition still false) makes it sleep again; the deadline still holds. */
static void spurious_then_timeout(void *arg)
{
    sched_sleep_ns(1 * MS);
    T_CHECK(wq_wake_all(&qs[0]) == 1);
    sched_sleep_ns(1 * MS);
    T_CHECK(wq_wake_all(&qs[2]) == 1); /* reset: counts again */
}

static void test_several_queues_spurious_then_timeout(void **state)
{
    static struct result r;

    memset(ready, 0, sizeof(ready));
    for (int i = 0; i < 3; i++)
        wq_init(&qs[i], "q");
    fixture_spawn("waiter", multi_waiter, &r);
    fixture_spawn("waker", spurious_then_timeout, NULL);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(r.rc, -ETIMEDOUT);
    assert_int_equal(r.at, 100 * MS);
}

/* --- exclusive wakes and keys ---------------------------------------------------------------- */

struct keyed {
    struct wait_entry e;
    unsigned mask;
    int calls, woke;
};

static int keyed_fn(struct wait_entry *e, unsigned key)
{
    struct keyed *k = container_of(e, struct keyed, e);

    k->calls++;
    if (!(key & k->mask))
        return 0;
    k->woke++;
    return 1;
}

static void test_exclusive_count_and_keys(void **state)
{
    static struct keyed k[6]; /* excl, shared, excl, excl, shared, excl */
    static const bool excl[6] = {true, false, true, true, false, true};
    struct wait_queue *q = &qs[0];

    wq_init(q, "keys");
    memset(k, 0, sizeof(k));
    for (int i = 0; i < 6; i++) {
        wait_entry_init(&k[i].e, keyed_fn, NULL);
        k[i].e.exclusive = excl[i];
        k[i].mask = 0x1;
        wq_add(q, &k[i].e);
    }
    k[0].mask = 0x4; /* only wants key 0x4: passes 0x1 on */
    assert_int_equal(q->nshared, 2);
    /* one exclusive (k[2]; k[0] ignores the key) and both shared ones */
    assert_int_equal(wq_wake_key(q, 0x1, 1), 3);
    assert_int_equal(k[0].calls, 1);
    assert_int_equal(k[0].woke, 0);
    assert_int_equal(k[1].woke + k[2].woke + k[4].woke, 3);
    assert_int_equal(k[3].calls + k[5].calls, 0);
    /* two exclusive */
    assert_int_equal(wq_wake_key(q, 0x1, 2), 4);
    assert_int_equal(k[3].woke + k[5].woke, 1 + 0); /* k[2] and k[3] are the two */
    assert_int_equal(k[2].woke, 2);
    /* no limit: everyone the key concerns */
    assert_int_equal(wq_wake_key(q, 0x1, 0), 5);
    assert_int_equal(wq_wake_key(q, 0x4, 0), 1);
    assert_int_equal(wq_wake_key(q, 0x2, 0), 0);
    assert_int_equal(k[0].woke, 1);
    for (int i = 0; i < 6; i++)
        wq_remove(&k[i].e);
    wq_remove(&k[0].e); /* not queued: no-op */
    assert_true(list_empty(&q->waiters));
    assert_int_equal(q->nshared, 0);
    assert_int_equal(wq_wake_one(q), 0);
}

/* An exclusive wake skips a waiter that was already decided (here: interrupted, entry still
 * queued) and goes to the next exclusive waiter: it is never lost. */
static struct wait_entry early_e;
static struct waiter early_w;

static void decided_early(void *arg)
{
    struct result *r = arg;

    waiter_init(&early_w);
    wait_entry_init(&early_e, waiter_wake_fn, &early_w);
    early_e.exclusive = true;
    wq_add(&qs[0], &early_e);
    thread_interrupt(thread_current());
    r->rc = waiter_sleep(&early_w, UINT64_MAX, true);
    thread_clear_interrupt(thread_current());
    sched_sleep_ns(5 * MS); /* the entry stays queued meanwhile */
    T_CHECK(waiter_result(&early_w) == WAITER_INTERRUPTED);
    wq_remove(&early_e);
}

static void excl_waiter(void *arg)
{
    struct result *r = arg;

    r->rc = wq_wait_intr(&qs[0], 50 * MS);
    r->at = hal_clock_ns();
}

static void wake_one_at_2ms(void *arg)
{
    sched_sleep_ns(2 * MS);
    T_CHECK(wq_wake_one(&qs[0]) == 1);
}

static void test_exclusive_wake_skips_decided_waiter(void **state)
{
    static struct result a, b, c;

    wq_init(&qs[0], "excl");
    fixture_spawn("early", decided_early, &a);
    fixture_spawn("b", excl_waiter, &b);
    fixture_spawn("c", excl_waiter, &c);
    fixture_spawn("waker", wake_one_at_2ms, NULL);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(a.rc, -EINTR);
    assert_int_equal(b.rc, 0);
    assert_int_equal(b.at, 2 * MS);
    assert_int_equal(c.rc, -ETIMEDOUT); /* one exclusive wake: only b */
    assert_int_equal(c.at, 50 * MS);
}

/* --- wakeup, timeout and interrupt at the same instant ------------------------------------------ */

static struct timer t_wake, t_intr;
static int wake_rc;

static void fire_wake(struct timer *t, void *arg)
{
    wake_rc = wq_wake_one(&qs[0]);
}

static void fire_intr(struct timer *t, void *arg)
{
    thread_interrupt(sleeper);
}

/* order: which of wake (w), interrupt (i) and the sleeper's own timeout (t) is armed first;
 * equal deadlines fire in arming order, so the first one armed decides. */
static const char *race_order;

static void racer(void *arg)
{
    struct result *r = arg;

    for (const char *o = race_order; *o; o++) {
        if (*o == 'w')
            timer_arm(&t_wake, 5 * MS);
        if (*o == 'i')
            timer_arm(&t_intr, 5 * MS);
        if (*o == 't')
            r->rc = wq_wait_intr(&qs[0], 5 * MS); /* arms its timer, then sleeps */
    }
    r->at = hal_clock_ns();
    T_CHECK(list_empty(&qs[0].waiters));
}

static void run_race(const char *order, int want_rc, int want_wake)
{
    static struct result r;

    wq_init(&qs[0], "race");
    race_order = order;
    wake_rc = -1;
    memset(&r, 0, sizeof(r));
    timer_init(&t_wake, fire_wake, NULL);
    timer_init(&t_intr, fire_intr, NULL);
    sleeper = fixture_spawn("racer", racer, &r);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(r.rc, want_rc);
    assert_int_equal(r.at, 5 * MS);
    assert_int_equal(wake_rc, want_wake); /* a wake counts only if it decided the wait */
}

static void test_race_wake_first(void **state)
{
    run_race("wit", 0, 1);
}

static void test_race_interrupt_first(void **state)
{
    run_race("iwt", -EINTR, 0);
}

static void test_race_interrupt_then_timeout(void **state)
{
    run_race("itw", -EINTR, 0);
}

/* The sleeper's own timer is armed when it sleeps (last), so a timeout win needs the
 * others armed later: they are armed from the callback order of a second thread. */
static void late_armer(void *arg)
{
    timer_arm(&t_wake, 5 * MS);
    timer_arm(&t_intr, 5 * MS);
}

static void test_race_timeout_first(void **state)
{
    static struct result r;

    wq_init(&qs[0], "race");
    race_order = "t";
    wake_rc = -1;
    timer_init(&t_wake, fire_wake, NULL);
    timer_init(&t_intr, fire_intr, NULL);
    sleeper = fixture_spawn("racer", racer, &r);
    fixture_spawn("armer", late_armer, NULL);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(r.rc, -ETIMEDOUT);
    assert_int_equal(r.at, 5 * MS);
    assert_int_equal(wake_rc, 0);
}

/* --- check-then-sleep on several queues, many rounds ---------------------------------------------- */

static int tokens[2];
static int taken;

static void consumer(void *arg)
{
    struct wait_entry e[2];
    struct waiter w;
    int want = (int)(intptr_t)arg;

    waiter_init(&w);
    for (int i = 0; i < 2; i++) {
        wait_entry_init(&e[i], waiter_wake_fn, &w);
        wq_add(&qs[i], &e[i]);
    }
    while (taken < want) {
        int got = 0;

        for (int i = 0; i < 2; i++) {
            uint64_t tok = spin_lock_irqsave(&qs[i].lock);

            if (tokens[i] > 0) {
                tokens[i]--;
                got = 1;
            }
            spin_unlock_irqrestore(&qs[i].lock, tok);
        }
        if (got) {
            taken++;
            continue;
        }
        T_CHECK(waiter_sleep(&w, UINT64_MAX, false) == 0);
        waiter_reset(&w);
    }
    for (int i = 0; i < 2; i++)
        wq_remove(&e[i]);
}

static struct timer t_prod;
static int prod_left;

static void produce(struct timer *t, void *arg)
{
    int i = prod_left % 2;
    uint64_t tok = spin_lock_irqsave(&qs[i].lock);

    tokens[i]++;
    wq_wake_key_locked(&qs[i], ~0u, 0);
    spin_unlock_irqrestore(&qs[i].lock, tok);
    if (--prod_left > 0)
        timer_arm(t, t->deadline_ns + 1 * MS);
}

static void test_many_queues_no_lost_wakeup(void **state)
{
    wq_init(&qs[0], "a");
    wq_init(&qs[1], "b");
    tokens[0] = tokens[1] = taken = 0;
    prod_left = 40;
    timer_init(&t_prod, produce, NULL);
    timer_arm(&t_prod, 1 * MS);
    fixture_spawn("consumer", consumer, (void *)(intptr_t)40);
    assert_int_equal(sched_run(), 0); /* a lost wakeup would be -EDEADLK */
    fixture_verify();
    assert_int_equal(taken, 40);
    assert_int_equal(hal_clock_ns(), 40 * MS);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_intr_wait_woken),
        T(test_intr_wait_times_out),
        T(test_intr_wait_interrupted_during),
        T(test_intr_wait_interrupted_before),
        T(test_interrupt_leaves_uninterruptible_waits),
        T(test_one_waiter_several_queues),
        T(test_several_queues_spurious_then_timeout),
        T(test_exclusive_count_and_keys),
        T(test_exclusive_wake_skips_decided_waiter),
        T(test_race_wake_first),
        T(test_race_interrupt_first),
        T(test_race_interrupt_then_timeout),
        T(test_race_timeout_first),
        T(test_many_queues_no_lost_wakeup),
    };
#undef T

    return cmocka_run_group_tests_name("sched_waiter", tests, NULL, NULL);
}
