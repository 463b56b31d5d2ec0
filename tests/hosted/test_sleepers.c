/*
 * test_sleepers.c - 10,000 sleeping threads with seeded random deadlines wake in deadline
 * order, each at exactly its deadline in virtual time. Deadlines are whole milliseconds in
 * [1 ms, 5 s], so many coincide: threads with equal deadlines must wake in the order they
 * went to sleep (creation order). Also: a ten-second sleep takes well under a second of wall
 * time, and sleepers mixed with timed waits and early wakeups keep exact times.
 */
#include "tests/hosted/hosted_test.h"

#include "core/lib/alloc.h"
#include "core/sched/sched.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"

#define MS 1000000ULL
#define SLEEPERS 10000

struct sleeper {
    uint64_t deadline;
    uint64_t woke_at;
};

static struct sleeper *sl;
static int *order;
static int nwoken;

static void sleeper(void *arg)
{
    struct sleeper *s = arg;

    sched_sleep_until(s->deadline);
    s->woke_at = hal_clock_ns();
    order[nwoken++] = (int)(s - sl);
}

static int many_sleepers(void *arg)
{
    struct thread **ts;
    uint64_t last = 0;

    ht_rand_init();
    sl = kcalloc(SLEEPERS, sizeof(*sl));
    order = kcalloc(SLEEPERS, sizeof(*order));
    ts = kcalloc(SLEEPERS, sizeof(*ts));
    H_CHECK(sl && order && ts);
    if (!sl || !order || !ts)
        return ht_status();
    nwoken = 0;
    for (int i = 0; i < SLEEPERS; i++) {
        sl[i].deadline = (1 + ht_rand() % 5000) * MS;
        if (sl[i].deadline > last)
            last = sl[i].deadline;
        ts[i] = thread_create("sleeper", sleeper, &sl[i]);
        H_CHECK(ts[i] != NULL);
        if (!ts[i])
            return ht_status();
    }
    for (int i = 0; i < SLEEPERS; i++)
        thread_join(ts[i]);
    H_CHECK(nwoken == SLEEPERS);
    for (int i = 0; i < SLEEPERS; i++)
        H_CHECK(sl[i].woke_at == sl[i].deadline);
    for (int k = 0; k + 1 < SLEEPERS; k++) {
        const struct sleeper *a = &sl[order[k]], *b = &sl[order[k + 1]];

        H_CHECK(a->deadline < b->deadline ||
                (a->deadline == b->deadline && order[k] < order[k + 1]));
    }
    H_CHECK(hal_clock_ns() == last);
    kfree(ts);
    kfree(order);
    kfree(sl);
    return ht_status();
}

static void test_ten_thousand_sleepers_wake_in_order(void **state)
{
    ht_expect(ht_boot(many_sleepers, NULL, 256u << 20), 0);
}

/* --- a long sleep in virtual time ---------------------------------------------------------- */

static int long_sleep(void *arg)
{
    uint64_t start = hal_clock_ns();

    sched_sleep_ns(10000 * MS);
    H_CHECK(hal_clock_ns() - start >= 10000 * MS);
    H_CHECK(hal_clock_ns() - start == 10000 * MS); /* virtual time: exactly */
    return ht_status();
}

static void test_ten_second_sleep_is_fast(void **state)
{
    uint64_t w0 = ht_wall_ns();

    ht_expect(ht_boot(long_sleep, NULL, 0), 0);
    assert_true(ht_wall_ns() - w0 < 1000 * MS);
}

/* --- sleepers mixed with timed waits that are woken early ---------------------------------- */

static struct wait_queue wq;

struct timed_waiter {
    uint64_t deadline;
    int rc;
    uint64_t woke_at;
};

static void timed_waiter(void *arg)
{
    struct timed_waiter *w = arg;

    w->rc = wq_wait(&wq, w->deadline);
    w->woke_at = hal_clock_ns();
}

static void early_waker(void *arg)
{
    sched_sleep_ns(50 * MS);
    wq_wake_all(&wq);
}

static int mixed(void *arg)
{
    static struct timed_waiter w[64];
    struct thread *ts[64];

    ht_rand_init();
    wq_init(&wq, "mixed");
    for (int i = 0; i < 64; i++) {
        w[i].deadline = (1 + ht_rand() % 100) * MS;
        ts[i] = thread_create("waiter", timed_waiter, &w[i]);
    }
    thread_detach(thread_create("waker", early_waker, NULL));
    for (int i = 0; i < 64; i++) {
        thread_join(ts[i]);
        if (w[i].deadline <= 50 * MS) {
            H_CHECK(w[i].rc == -ETIMEDOUT);
            H_CHECK(w[i].woke_at == w[i].deadline);
        } else {
            H_CHECK(w[i].rc == 0);
            H_CHECK(w[i].woke_at == 50 * MS);
        }
    }
    /* every cancelled timeout is gone: sleeping 1 ms more lands exactly 1 ms later */
    sched_sleep_ns(1 * MS);
    H_CHECK(hal_clock_ns() == 51 * MS);
    return ht_status();
}

static void test_timeouts_and_early_wakeups(void **state)
{
    ht_expect(ht_boot(mixed, NULL, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ten_thousand_sleepers_wake_in_order),
        cmocka_unit_test(test_ten_second_sleep_is_fast),
        cmocka_unit_test(test_timeouts_and_early_wakeups),
    };

    return cmocka_run_group_tests_name("hosted_sleepers", tests, NULL, NULL);
}
