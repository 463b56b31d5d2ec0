/*
 * test_timer.c - timers: deadline order, FIFO among equal deadlines, cancel, re-arm,
 * re-arming from the callback, deadlines in the past, and that a cancelled timer leaves no
 * stale HAL deadline behind (the virtual clock must not jump for it).
 */
#include "tests/unit/sched/fixture.h"

#include "hal/hal_errno.h"
#include "hal/hal_time.h"

#define MS 1000000ULL
#define NREC 32

struct rec {
    int ids[NREC];
    uint64_t at[NREC];
    int n;
};

struct probe {
    struct timer t;
    struct rec *rec;
    int id;
    int rearms; /* re-arm this many more times, period `period` */
    uint64_t period;
};

static void probe_fn(struct timer *t, void *arg)
{
    struct probe *p = arg;

    if (p->rec->n < NREC) {
        p->rec->ids[p->rec->n] = p->id;
        p->rec->at[p->rec->n] = hal_clock_ns();
        p->rec->n++;
    }
    if (p->rearms > 0) {
        p->rearms--;
        timer_arm(t, t->deadline_ns + p->period);
    }
}

static void probe_init(struct probe *p, struct rec *r, int id)
{
    p->rec = r;
    p->id = id;
    p->rearms = 0;
    p->period = 0;
    timer_init(&p->t, probe_fn, p);
}

/* --- deadline order ---------------------------------------------------------------------- */

struct order_ctx {
    struct rec rec;
    struct probe p[5];
};

static void order_thread(void *arg)
{
    struct order_ctx *c = arg;
    static const uint64_t when[5] = {50 * MS, 10 * MS, 40 * MS, 20 * MS, 30 * MS};

    for (int i = 0; i < 5; i++) {
        probe_init(&c->p[i], &c->rec, i);
        timer_arm(&c->p[i].t, when[i]);
    }
    sched_sleep_ns(100 * MS);
}

static void test_timers_fire_in_deadline_order(void **state)
{
    static struct order_ctx c;
    static const int expect[5] = {1, 3, 4, 2, 0};

    c.rec.n = 0;
    fixture_spawn("order", order_thread, &c);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(c.rec.n, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(c.rec.ids[i], expect[i]);
        assert_int_equal(c.rec.at[i], (uint64_t)(i + 1) * 10 * MS);
    }
}

/* --- equal deadlines fire in arming order ------------------------------------------------ */

struct fifo_ctx {
    struct rec rec;
    struct probe p[20];
};

static void fifo_thread(void *arg)
{
    struct fifo_ctx *c = arg;

    /* arm in a scrambled index order; ids record the arming order */
    for (int i = 0; i < 20; i++) {
        int k = (i * 7) % 20;

        probe_init(&c->p[k], &c->rec, i);
        timer_arm(&c->p[k].t, 5 * MS);
    }
    sched_sleep_ns(6 * MS);
}

static void test_timers_equal_deadlines_fifo(void **state)
{
    static struct fifo_ctx c;

    c.rec.n = 0;
    fixture_spawn("fifo", fifo_thread, &c);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(c.rec.n, 20);
    for (int i = 0; i < 20; i++) {
        assert_int_equal(c.rec.ids[i], i);
        assert_int_equal(c.rec.at[i], 5 * MS);
    }
}

/* --- cancel -------------------------------------------------------------------------------- */

struct cancel_ctx {
    struct rec rec;
    struct probe a, b;
    bool first, second;
};

static void cancel_thread(void *arg)
{
    struct cancel_ctx *c = arg;

    probe_init(&c->a, &c->rec, 1);
    probe_init(&c->b, &c->rec, 2);
    timer_arm(&c->a.t, 10 * MS);
    timer_arm(&c->b.t, 20 * MS);
    c->first = timer_cancel(&c->a.t);
    c->second = timer_cancel(&c->a.t);
    sched_sleep_ns(30 * MS);
}

static void test_timer_cancel(void **state)
{
    static struct cancel_ctx c;

    c.rec.n = 0;
    fixture_spawn("cancel", cancel_thread, &c);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_true(c.first);
    assert_false(c.second);
    assert_int_equal(c.rec.n, 1);
    assert_int_equal(c.rec.ids[0], 2);
    assert_int_equal(c.rec.at[0], 20 * MS);
}

static void cancel_after_fire_thread(void *arg)
{
    struct cancel_ctx *c = arg;

    probe_init(&c->a, &c->rec, 1);
    timer_arm(&c->a.t, 1 * MS);
    sched_sleep_ns(2 * MS);
    c->first = c->a.t.armed;
    c->second = timer_cancel(&c->a.t);
}

static void test_timer_cancel_after_fire_returns_false(void **state)
{
    static struct cancel_ctx c;

    c.rec.n = 0;
    fixture_spawn("late", cancel_after_fire_thread, &c);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(c.rec.n, 1);
    assert_false(c.first);
    assert_false(c.second);
}

/* A cancelled timer must not leave the HAL armed: idle would jump the clock for nothing. */
static void stale_thread(void *arg)
{
    struct cancel_ctx *c = arg;

    probe_init(&c->a, &c->rec, 1);
    timer_arm(&c->a.t, 1000 * MS);
    timer_cancel(&c->a.t);
    sched_sleep_ns(3 * MS);
}

static void test_timer_cancel_leaves_no_stale_deadline(void **state)
{
    static struct cancel_ctx c;

    c.rec.n = 0;
    fixture_spawn("stale", stale_thread, &c);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(c.rec.n, 0);
    assert_int_equal(hal_clock_ns(), 3 * MS);
}

/* --- re-arm -------------------------------------------------------------------------------- */

static void rearm_thread(void *arg)
{
    struct cancel_ctx *c = arg;

    probe_init(&c->a, &c->rec, 1);
    probe_init(&c->b, &c->rec, 2);
    timer_arm(&c->a.t, 50 * MS);
    timer_arm(&c->b.t, 30 * MS);
    timer_arm(&c->a.t, 20 * MS); /* earlier: now before b */
    timer_arm(&c->b.t, 60 * MS); /* later */
    sched_sleep_ns(100 * MS);
}

static void test_timer_rearm_moves_deadline(void **state)
{
    static struct cancel_ctx c;

    c.rec.n = 0;
    fixture_spawn("rearm", rearm_thread, &c);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(c.rec.n, 2);
    assert_int_equal(c.rec.ids[0], 1);
    assert_int_equal(c.rec.at[0], 20 * MS);
    assert_int_equal(c.rec.ids[1], 2);
    assert_int_equal(c.rec.at[1], 60 * MS);
}

static void periodic_thread(void *arg)
{
    struct cancel_ctx *c = arg;

    probe_init(&c->a, &c->rec, 7);
    c->a.rearms = 4;
    c->a.period = 3 * MS;
    timer_arm(&c->a.t, 3 * MS);
    sched_sleep_ns(100 * MS);
}

static void test_timer_rearm_from_callback(void **state)
{
    static struct cancel_ctx c;
    struct sched_stats st;

    c.rec.n = 0;
    fixture_spawn("periodic", periodic_thread, &c);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(c.rec.n, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(c.rec.at[i], (uint64_t)(i + 1) * 3 * MS);
    sched_get_stats(&st);
    assert_true(st.timers_fired >= 6); /* 5 probes + the sleep's own timer */
}

/* A deadline already in the past fires at the next delivery point, without moving time. */
static void past_thread(void *arg)
{
    struct cancel_ctx *c = arg;

    sched_sleep_ns(5 * MS);
    probe_init(&c->a, &c->rec, 1);
    timer_arm(&c->a.t, 1 * MS);
    sched_preempt_point(); /* a delivery point */
    c->first = c->rec.n == 1;
}

static void test_timer_past_deadline_fires_at_once(void **state)
{
    static struct cancel_ctx c;

    c.rec.n = 0;
    c.first = false;
    fixture_spawn("past", past_thread, &c);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_true(c.first);
    assert_int_equal(c.rec.at[0], 5 * MS);
}

/* Timers armed from the boot context fire while sched_run idles for a sleeping thread. */
static void sleeper(void *arg)
{
    sched_sleep_ns(*(uint64_t *)arg);
}

static void test_timer_armed_before_sched_run(void **state)
{
    static struct rec rec;
    static struct probe p;
    static uint64_t sleep = 10 * MS;

    rec.n = 0;
    probe_init(&p, &rec, 3);
    timer_arm(&p.t, 4 * MS);
    fixture_spawn("sleeper", sleeper, &sleep);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(rec.n, 1);
    assert_int_equal(rec.at[0], 4 * MS);
    assert_int_equal(hal_clock_ns(), 10 * MS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_timers_fire_in_deadline_order, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_timers_equal_deadlines_fifo, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_timer_cancel, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_timer_cancel_after_fire_returns_false, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_timer_cancel_leaves_no_stale_deadline, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_timer_rearm_moves_deadline, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_timer_rearm_from_callback, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_timer_past_deadline_fires_at_once, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_timer_armed_before_sched_run, fixture_setup,
                                        fixture_teardown),
    };

    return cmocka_run_group_tests_name("sched_timer", tests, NULL, NULL);
}
