/*
 * test_wait.c - wait queues: FIFO wakeups, wake-all counts, timeouts at exact virtual
 * deadlines, wakeups that beat their timeout, the lock-then-sleep protocol, wakeups from
 * interrupt context, and sleeping.
 */
#include "tests/unit/sched/fixture.h"

#include "core/sched/sched_internal.h"

#include <string.h>

#include "hal/hal_errno.h"
#include "hal/hal_time.h"

#define MS 1000000ULL

static struct wait_queue wq;
static int order[16];
static int norder;
static int rcs[16];

static void waiter(void *arg)
{
    int id = (int)(intptr_t)arg;

    rcs[id] = wq_wait(&wq, UINT64_MAX);
    order[norder++] = id;
}

static void waker_one_by_one(void *arg)
{
    int n = (int)(intptr_t)arg;

    for (int i = 0; i < n; i++) {
        T_CHECK(wq_wake_one(&wq) == 1);
        thread_yield(); /* let the woken one record itself */
        thread_yield();
    }
    T_CHECK(wq_wake_one(&wq) == 0);
}

static void test_wake_one_is_fifo(void **state)
{
    wq_init(&wq, "fifo");
    norder = 0;
    for (int i = 0; i < 5; i++)
        fixture_spawn("waiter", waiter, (void *)(intptr_t)i);
    fixture_spawn("waker", waker_one_by_one, (void *)(intptr_t)5);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(norder, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(order[i], i);
        assert_int_equal(rcs[i], 0);
    }
}

static void waker_all(void *arg)
{
    *(int *)arg = wq_wake_all(&wq);
}

static void test_wake_all_counts(void **state)
{
    static int woken;

    wq_init(&wq, "all");
    norder = 0;
    for (int i = 0; i < 7; i++)
        fixture_spawn("waiter", waiter, (void *)(intptr_t)i);
    fixture_spawn("waker", waker_all, &woken);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(woken, 7);
    assert_int_equal(norder, 7);
    for (int i = 0; i < 7; i++)
        assert_int_equal(order[i], i); /* woken in FIFO order, so they run in it */
}

static void test_wake_empty_queue(void **state)
{
    wq_init(&wq, "empty");
    assert_int_equal(wq_wake_one(&wq), 0);
    assert_int_equal(wq_wake_all(&wq), 0);
}

/* --- timeouts ------------------------------------------------------------------------------ */

struct timed {
    int rc;
    uint64_t woke_at;
    uint64_t deadline;
};

static void timed_waiter(void *arg)
{
    struct timed *t = arg;

    t->rc = wq_wait(&wq, t->deadline);
    t->woke_at = hal_clock_ns();
    T_CHECK(rb_first(&cpu_this()->timers) == NULL); /* a timeout never outlives its wait */
}

static void test_wait_times_out_at_deadline(void **state)
{
    static struct timed t = {.deadline = 25 * MS};

    wq_init(&wq, "timeout");
    fixture_spawn("timed", timed_waiter, &t);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(t.rc, -ETIMEDOUT);
    assert_int_equal(t.woke_at, 25 * MS);
    assert_true(list_empty(&wq.waiters));
}

static void test_wait_past_deadline_returns_at_once(void **state)
{
    static struct timed t = {.deadline = 0};

    wq_init(&wq, "past");
    fixture_spawn("timed", timed_waiter, &t);
    assert_int_equal(sched_run(), 0);
    assert_int_equal(t.rc, -ETIMEDOUT);
    assert_int_equal(t.woke_at, 0);
}

static void wake_at_10ms(void *arg)
{
    sched_sleep_ns(10 * MS);
    T_CHECK(wq_wake_one(&wq) == 1);
}

static void test_wakeup_beats_timeout(void **state)
{
    static struct timed t = {.deadline = 1000 * MS};
    struct sched_stats st;

    wq_init(&wq, "beat");
    fixture_spawn("timed", timed_waiter, &t);
    fixture_spawn("waker", wake_at_10ms, NULL);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(t.rc, 0);
    assert_int_equal(t.woke_at, 10 * MS);
    /* the timeout was cancelled: idle never jumped to 1000 ms */
    assert_int_equal(hal_clock_ns(), 10 * MS);
    sched_get_stats(&st);
    assert_int_equal(st.timers_fired, 1); /* the waker's sleep only */
}

/* Wakeup and timeout at the same instant: exactly one wins, the thread wakes once. */
static struct timer wake_timer;

static void wake_from_timer(struct timer *t, void *arg)
{
    *(int *)arg = wq_wake_one(&wq);
}

static void arm_wake_timer(void *arg)
{
    timer_arm(&wake_timer, 5 * MS); /* armed after the waiter's timeout: fires second */
}

static void test_wakeup_and_timeout_same_instant(void **state)
{
    static struct timed t = {.deadline = 5 * MS};
    static int woken;

    wq_init(&wq, "tie");
    woken = -1;
    timer_init(&wake_timer, wake_from_timer, &woken);
    fixture_spawn("timed", timed_waiter, &t);
    fixture_spawn("armer", arm_wake_timer, NULL);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(t.woke_at, 5 * MS);
    assert_int_equal(t.rc, -ETIMEDOUT);
    assert_int_equal(woken, 0); /* the timeout already took it off the queue */
}

static void test_wakeup_from_interrupt(void **state)
{
    static struct timed t = {.deadline = UINT64_MAX};
    static int woken;

    wq_init(&wq, "irq");
    woken = -1;
    fixture_spawn("timed", timed_waiter, &t);
    timer_init(&wake_timer, wake_from_timer, &woken);
    timer_arm(&wake_timer, 3 * MS);
    assert_int_equal(sched_run(), 0);
    assert_int_equal(woken, 1);
    assert_int_equal(t.rc, 0);
    assert_int_equal(t.woke_at, 3 * MS);
}

/* --- lock-then-sleep ----------------------------------------------------------------------- */

/*
 * A consumer waits for `items` under wq.lock, checking the condition before each sleep; a
 * producer in timer interrupt context adds items and wakes. Every item must be consumed;
 * a wakeup lost between check and sleep would leave the consumer blocked (-EDEADLK).
 */
static int items, consumed;

static void produce(struct timer *t, void *arg)
{
    uint64_t tok = spin_lock_irqsave(&wq.lock);

    items++;
    wq_wake_one_locked(&wq);
    spin_unlock_irqrestore(&wq.lock, tok);
    if (--*(int *)arg > 0)
        timer_arm(t, t->deadline_ns + 1 * MS);
}

static void consumer(void *arg)
{
    int want = (int)(intptr_t)arg;

    while (consumed < want) {
        uint64_t tok = spin_lock_irqsave(&wq.lock);

        while (items == 0)
            wq_wait_locked(&wq, &tok, UINT64_MAX);
        items--;
        consumed++;
        spin_unlock_irqrestore(&wq.lock, tok);
    }
}

static void test_lock_then_sleep_no_lost_wakeup(void **state)
{
    static int left = 50;

    wq_init(&wq, "items");
    items = consumed = 0;
    left = 50;
    timer_init(&wake_timer, produce, &left);
    timer_arm(&wake_timer, 1 * MS);
    fixture_spawn("consumer", consumer, (void *)(intptr_t)50);
    assert_int_equal(sched_run(), 0); /* a lost wakeup would be -EDEADLK */
    assert_int_equal(consumed, 50);
    assert_int_equal(items, 0);
    assert_int_equal(hal_clock_ns(), 50 * MS);
}

/* --- sleeping ------------------------------------------------------------------------------ */

static void sleep_and_record(void *arg)
{
    struct timed *t = arg;

    sched_sleep_ns(t->deadline);
    t->woke_at = hal_clock_ns();
    sched_sleep_until(t->woke_at); /* already there: returns at once */
    sched_sleep_ns(0);
    t->rc = hal_clock_ns() == t->woke_at;
}

static void test_sleep_wakes_at_exact_time(void **state)
{
    static struct timed t[3] = {
        {.deadline = 30 * MS}, {.deadline = 10 * MS}, {.deadline = 20 * MS}};

    for (int i = 0; i < 3; i++)
        fixture_spawn("sleeper", sleep_and_record, &t[i]);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    for (int i = 0; i < 3; i++) {
        assert_int_equal(t[i].woke_at, t[i].deadline);
        assert_int_equal(t[i].rc, 1);
    }
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_wake_one_is_fifo),
        T(test_wake_all_counts),
        T(test_wake_empty_queue),
        T(test_wait_times_out_at_deadline),
        T(test_wait_past_deadline_returns_at_once),
        T(test_wakeup_beats_timeout),
        T(test_wakeup_and_timeout_same_instant),
        T(test_wakeup_from_interrupt),
        T(test_lock_then_sleep_no_lost_wakeup),
        T(test_sleep_wakes_at_exact_time),
    };
#undef T

    return cmocka_run_group_tests_name("sched_wait", tests, NULL, NULL);
}
