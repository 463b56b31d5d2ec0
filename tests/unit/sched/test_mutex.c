/*
 * test_mutex.c - mutexes: trylock, ownership, FIFO handoff under contention, no switches
 * without contention. The misuse panics are in test_mutex_panic.c.
 */
#include "tests/unit/sched/fixture.h"

#include <string.h>

#include "hal/hal_time.h"

#define MS 1000000ULL

static struct mutex m;
static int order[16];
static int norder;

static void try_other(void *arg)
{
    T_CHECK(!mutex_trylock(&m)); /* held by the first thread */
    T_CHECK(!mutex_is_held(&m));
    *(int *)arg = 1;
}

static void try_first(void *arg)
{
    T_CHECK(mutex_trylock(&m));
    T_CHECK(mutex_is_held(&m));
    T_CHECK(m.owner == thread_current());
    fixture_spawn("other", try_other, arg);
    thread_yield();
    mutex_unlock(&m);
    T_CHECK(!mutex_is_held(&m));
    T_CHECK(mutex_trylock(&m));
    mutex_unlock(&m);
    T_CHECK(m.owner == NULL);
}

static void test_mutex_trylock(void **state)
{
    static int other_ran;

    other_ran = 0;
    mutex_init(&m, "try");
    fixture_spawn("first", try_first, &other_ran);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(other_ran, 1);
}

/* Waiters get the mutex in the order they blocked, even though the holder relocks at once. */
static void contender(void *arg)
{
    mutex_lock(&m);
    order[norder++] = (int)(intptr_t)arg;
    mutex_unlock(&m);
}

static void holder(void *arg)
{
    mutex_lock(&m);
    for (int i = 0; i < 5; i++)
        fixture_spawn("contender", contender, (void *)(intptr_t)i);
    sched_sleep_ns(1 * MS); /* every contender blocks on m, in order */
    mutex_unlock(&m);
    /* barging attempt: the mutex was handed to contender 0, so this waits behind all */
    mutex_lock(&m);
    order[norder++] = 99;
    mutex_unlock(&m);
}

static void test_mutex_fifo_handoff(void **state)
{
    static const int expect[6] = {0, 1, 2, 3, 4, 99};

    norder = 0;
    mutex_init(&m, "fifo");
    fixture_spawn("holder", holder, NULL);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(norder, 6);
    assert_memory_equal(order, expect, sizeof(expect));
}

/* Without contention, lock and unlock never switch. */
static void lock_loop(void *arg)
{
    struct sched_stats a, b;

    sched_get_stats(&a);
    for (int i = 0; i < 100; i++) {
        mutex_lock(&m);
        T_CHECK(mutex_is_held(&m));
        mutex_unlock(&m);
    }
    sched_get_stats(&b);
    T_CHECK(a.context_switches == b.context_switches);
    *(int *)arg = 1;
}

static void test_mutex_uncontended(void **state)
{
    static int done;

    done = 0;
    mutex_init(&m, "plain");
    assert_false(mutex_is_held(&m));
    fixture_spawn("loop", lock_loop, &done);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(done, 1);
    assert_null(m.owner);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_mutex_trylock),
        T(test_mutex_fifo_handoff),
        T(test_mutex_uncontended),
    };
#undef T

    return cmocka_run_group_tests_name("sched_mutex", tests, NULL, NULL);
}
