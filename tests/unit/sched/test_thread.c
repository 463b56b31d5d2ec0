/*
 * test_thread.c - thread life cycle, round robin, preemption in virtual time, deadlock
 * detection, and that every stack and struct is given back.
 */
#include "tests/unit/sched/fixture.h"

#include <string.h>

#include "core/lib/alloc.h"
#include "core/lib/kprintf.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"
#include "hal_hosted/hosted.h"

#define MS 1000000ULL

static int trace[64];
static int ntrace;

static void note(int v)
{
    if (ntrace < 64)
        trace[ntrace++] = v;
}

/* --- create, exit, join --------------------------------------------------------------------- */

static void set_flag(void *arg)
{
    *(int *)arg = 1;
}

static void test_sched_run_without_threads_returns_zero(void **state)
{
    assert_int_equal(sched_run(), 0);
    assert_null(thread_current());
    assert_int_equal(sched_thread_count(), 0);
}

static void test_thread_runs_and_exits(void **state)
{
    static int flag;
    struct thread *t;

    flag = 0;
    t = fixture_spawn("flag", set_flag, &flag);
    assert_non_null(t);
    assert_int_equal(t->state, THREAD_RUNNABLE);
    assert_string_equal(t->name, "flag");
    assert_int_equal(sched_thread_count(), 1);
    assert_int_equal(sched_run(), 0);
    assert_int_equal(flag, 1);
    assert_int_equal(sched_thread_count(), 0);
    assert_int_equal(t->state, THREAD_DEAD); /* not detached, never joined: struct stays */
    assert_null(t->kstack);
}

static void exit_with(void *arg)
{
    thread_exit((int)(intptr_t)arg);
}

static void joiner(void *arg)
{
    struct thread *a = fixture_spawn("a", exit_with, (void *)(intptr_t)42);
    struct thread *b = fixture_spawn("b", exit_with, (void *)(intptr_t)-7);
    int ra, rb;

    T_CHECK(a && b);
    if (!a || !b)
        return;
    ra = thread_join(a);    /* a has not run yet: join sleeps */
    sched_sleep_ns(1 * MS); /* b has exited by now: join does not sleep */
    T_CHECK(b->state == THREAD_DEAD);
    rb = thread_join(b);
    T_CHECK(ra == 42);
    T_CHECK(rb == -7);
    *(int *)arg = 1;
}

static void test_thread_join_returns_exit_code(void **state)
{
    static int done;

    done = 0;
    fixture_spawn("joiner", joiner, &done);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(done, 1);
}

static void ident(void *arg)
{
    struct thread *me = thread_current();

    T_CHECK(me == *(struct thread **)arg);
    T_CHECK(me->state == THREAD_RUNNING);
}

static void test_thread_current_and_tids(void **state)
{
    static struct thread *ts[4];

    for (int i = 0; i < 4; i++) {
        ts[i] = fixture_spawn("ident", ident, &ts[i]);
        assert_non_null(ts[i]);
        if (i > 0)
            assert_true(ts[i]->tid > ts[i - 1]->tid);
    }
    assert_int_equal(sched_run(), 0);
    fixture_verify();
}

/* Every thread gives back its stack and (joined or detached) its struct. */
static void noop(void *arg) {}

static void spawner(void *arg)
{
    struct thread *ts[100];

    for (int round = 0; round < 10; round++) {
        for (int i = 0; i < 100; i++)
            ts[i] = fixture_spawn("noop", noop, NULL);
        for (int i = 0; i < 100; i++) {
            if (!ts[i])
                continue;
            if (i % 2)
                thread_detach(ts[i]); /* before or after it died: both free it */
            else
                T_CHECK(thread_join(ts[i]) == 0);
        }
    }
}

static void test_threads_give_back_memory(void **state)
{
    struct page_stats before, after;
    struct kmalloc_stats kbefore, kafter;
    struct thread *t;

    page_get_stats(&before);
    kmalloc_get_stats(&kbefore);
    t = fixture_spawn("spawner", spawner, NULL);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    thread_detach(t);
    page_get_stats(&after);
    kmalloc_get_stats(&kafter);
    assert_int_equal(kafter.bytes_in_use, kbefore.bytes_in_use);
    /* every stack came back; kmalloc may keep a few slab pages cached */
    assert_true(after.free_pages + 8 >= before.free_pages);
    assert_int_equal(kafter.allocs - kbefore.allocs, kafter.frees - kbefore.frees);
}

static void test_thread_create_out_of_memory_returns_null(void **state)
{
    struct thread *t;
    int n = 0;

    /* 64 MiB of RAM holds fewer than 4096 stacks of 16 KiB */
    while ((t = thread_create("hog", noop, NULL)) != NULL)
        n++;
    assert_true(n > 100 && n < 4096);
    assert_int_equal(sched_thread_count(), (unsigned)n);
    assert_int_equal(sched_run(), 0);
    assert_int_equal(sched_thread_count(), 0);
    assert_non_null(thread_create("again", noop, NULL)); /* stacks came back */
    assert_int_equal(sched_run(), 0);
}

/* --- round robin --------------------------------------------------------------------------- */

static void yielder(void *arg)
{
    for (int i = 0; i < 3; i++) {
        note((int)(intptr_t)arg);
        thread_yield();
    }
}

static void test_yield_round_robin(void **state)
{
    static const int expect[9] = {0, 1, 2, 0, 1, 2, 0, 1, 2};

    ntrace = 0;
    for (int i = 0; i < 3; i++)
        fixture_spawn("yielder", yielder, (void *)(intptr_t)i);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(ntrace, 9);
    assert_memory_equal(trace, expect, sizeof(expect));
}

static void lone_yielder(void *arg)
{
    struct sched_stats a, b;

    sched_get_stats(&a);
    thread_yield();
    sched_get_stats(&b);
    T_CHECK(a.context_switches == b.context_switches);
}

static void test_yield_alone_does_not_switch(void **state)
{
    fixture_spawn("lone", lone_yielder, NULL);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
}

static void test_yield_outside_threads_is_harmless(void **state)
{
    thread_yield();
    sched_preempt_point();
    assert_null(thread_current());
}

static void sleep_thread(void *arg)
{
    sched_sleep_ns((uint64_t)(uintptr_t)arg);
}

/* A thread created from a timer callback (interrupt context) runs. */
static void spawn_from_irq(struct timer *t, void *arg)
{
    fixture_spawn("from-irq", set_flag, arg);
}

static void test_thread_create_from_interrupt(void **state)
{
    static struct timer tm;
    static int flag;
    static uint64_t sleep = 5 * MS;

    flag = 0;
    timer_init(&tm, spawn_from_irq, &flag);
    timer_arm(&tm, 2 * MS);
    fixture_spawn("sleeper", sleep_thread, (void *)(uintptr_t)sleep);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(flag, 1);
}

/* --- preemption ---------------------------------------------------------------------------- */

struct busy {
    int iterations;    /* of the busy thread */
    int seen_by_other; /* busy's count when the other thread first ran */
    bool stop;
};

static void busy_thread(void *arg)
{
    struct busy *b = arg;

    while (!b->stop && b->iterations < 1000) {
        b->iterations++;
        hosted_clock_advance(1 * MS); /* "work" that takes 1 ms of virtual time */
        sched_preempt_point();
    }
}

static void other_thread(void *arg)
{
    struct busy *b = arg;

    b->seen_by_other = b->iterations;
    b->stop = true;
}

static void test_busy_thread_preempted_after_slice(void **state)
{
    static struct busy b;
    struct sched_stats st;

    memset(&b, 0, sizeof(b));
    fixture_spawn("busy", busy_thread, &b);
    fixture_spawn("other", other_thread, &b);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    /* the slice is 10 ms: the other thread ran once busy had used it up, not before */
    assert_int_equal(b.seen_by_other, (int)(SCHED_SLICE_NS / MS));
    assert_true(b.stop);
    sched_get_stats(&st);
    assert_int_equal(st.preemptions, 1);
}

/* The same, preempted by the slice timer's interrupt at a plain delivery point (hal_poll),
 * not by sched_preempt_point's own check. */
static void busy_polling_thread(void *arg)
{
    struct busy *b = arg;

    while (!b->stop && b->iterations < 1000) {
        b->iterations++;
        hosted_clock_advance(1 * MS);
        hal_poll();
    }
}

static void test_slice_timer_interrupt_preempts(void **state)
{
    static struct busy b;
    struct sched_stats st;

    memset(&b, 0, sizeof(b));
    fixture_spawn("busy", busy_polling_thread, &b);
    fixture_spawn("other", other_thread, &b);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(b.seen_by_other, (int)(SCHED_SLICE_NS / MS));
    sched_get_stats(&st);
    assert_int_equal(st.preemptions, 1);
}

/* With interrupts disabled (a spinlock may be held) a preemption point never switches. */
static void busy_irqs_off(void *arg)
{
    struct busy *b = arg;
    uint64_t tok = hal_irq_save();

    for (int i = 0; i < 30; i++) {
        b->iterations++;
        hosted_clock_advance(1 * MS);
        sched_preempt_point();
    }
    hal_irq_restore(tok); /* the overdue slice timer preempts us here */
    b->seen_by_other = -1;
}

static void other_after_irqs_off(void *arg)
{
    struct busy *b = arg;

    T_CHECK(b->iterations == 30);
    T_CHECK(b->seen_by_other == 0);
    b->stop = true;
}

static void test_no_preemption_with_interrupts_disabled(void **state)
{
    static struct busy b;

    memset(&b, 0, sizeof(b));
    fixture_spawn("busy", busy_irqs_off, &b);
    fixture_spawn("other", other_after_irqs_off, &b);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_true(b.stop);
    assert_int_equal(b.seen_by_other, -1);
}

static void test_busy_thread_alone_keeps_cpu(void **state)
{
    static struct busy b;
    struct sched_stats st;

    memset(&b, 0, sizeof(b));
    fixture_spawn("busy", busy_thread, &b);
    assert_int_equal(sched_run(), 0);
    assert_int_equal(b.iterations, 1000);
    sched_get_stats(&st);
    assert_int_equal(st.preemptions, 0);
}

/* Two busy threads share the CPU in slices: each runs 10 iterations per turn. */
struct pair_busy {
    int turns[2][8];
    int nturns[2];
    int last;
};

static struct pair_busy pb;

static void share_thread(void *arg)
{
    int id = (int)(intptr_t)arg;

    for (int i = 0; i < 40; i++) {
        if (pb.last != id && pb.nturns[id] < 8)
            pb.turns[id][pb.nturns[id]++] = i;
        pb.last = id;
        hosted_clock_advance(1 * MS);
        sched_preempt_point();
    }
}

static void test_two_busy_threads_alternate_slices(void **state)
{
    memset(&pb, 0, sizeof(pb));
    pb.last = -1;
    fixture_spawn("b0", share_thread, (void *)(intptr_t)0);
    fixture_spawn("b1", share_thread, (void *)(intptr_t)1);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(pb.nturns[0], 4);
    assert_int_equal(pb.nturns[1], 4);
    for (int k = 0; k < 4; k++) {
        assert_int_equal(pb.turns[0][k], 10 * k);
        assert_int_equal(pb.turns[1][k], 10 * k);
    }
}

/* --- deadlock ------------------------------------------------------------------------------ */

static struct wait_queue never;

static void wait_forever(void *arg)
{
    wq_wait(&never, UINT64_MAX);
    fixture_fail(__FILE__, __LINE__, "woken from a queue nobody wakes");
}

static void test_deadlock_detected(void **state)
{
    wq_init(&never, "never");
    fixture_spawn("stuck", wait_forever, NULL);
    assert_int_equal(sched_run(), -EDEADLK);
    fixture_verify();
    assert_int_equal(sched_thread_count(), 1);
}

static struct mutex ma, mb;

static void lock_ab(void *arg)
{
    mutex_lock(&ma);
    sched_sleep_ns(1 * MS);
    mutex_lock(&mb);
    fixture_fail(__FILE__, __LINE__, "got both mutexes");
}

static void lock_ba(void *arg)
{
    mutex_lock(&mb);
    sched_sleep_ns(1 * MS);
    mutex_lock(&ma);
    fixture_fail(__FILE__, __LINE__, "got both mutexes");
}

static void test_deadlock_two_mutexes(void **state)
{
    static char out[4096];

    mutex_init(&ma, "mutex-a");
    mutex_init(&mb, "mutex-b");
    fixture_spawn("ab", lock_ab, NULL);
    fixture_spawn("ba", lock_ba, NULL);
    assert_int_equal(sched_run(), -EDEADLK);
    fixture_verify();
    assert_int_equal(hal_clock_ns(), 1 * MS);
    hosted_console_capture(out, sizeof(out), false);
    sched_dump_threads();
    hosted_console_capture_stop();
    assert_non_null(strstr(out, "ab"));
    assert_non_null(strstr(out, "mutex-b"));
    assert_non_null(strstr(out, "mutex-a"));
    assert_non_null(strstr(out, "blocked"));
}

static void test_timed_wait_is_no_deadlock(void **state)
{
    static uint64_t sleep = 7 * MS;

    fixture_spawn("sleeper", sleep_thread, (void *)(uintptr_t)sleep);
    assert_int_equal(sched_run(), 0);
    assert_int_equal(hal_clock_ns(), 7 * MS);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_sched_run_without_threads_returns_zero),
        T(test_thread_runs_and_exits),
        T(test_thread_join_returns_exit_code),
        T(test_thread_current_and_tids),
        T(test_threads_give_back_memory),
        T(test_thread_create_out_of_memory_returns_null),
        T(test_yield_round_robin),
        T(test_yield_alone_does_not_switch),
        T(test_yield_outside_threads_is_harmless),
        T(test_thread_create_from_interrupt),
        T(test_busy_thread_preempted_after_slice),
        T(test_slice_timer_interrupt_preempts),
        T(test_no_preemption_with_interrupts_disabled),
        T(test_busy_thread_alone_keeps_cpu),
        T(test_two_busy_threads_alternate_slices),
        T(test_deadlock_detected),
        T(test_deadlock_two_mutexes),
        T(test_timed_wait_is_no_deadlock),
    };
#undef T

    return cmocka_run_group_tests_name("sched_thread", tests, NULL, NULL);
}
