/*
 * test_irq_time.c - the software interrupt controller and the clocks, on the HAL alone
 * (hosted_hal_init): the test plays the kernel through hooks that record every timer
 * interrupt and interrupt exit, with the interrupt state seen at that moment.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hal/hal_blk.h"
#include "hal/hal_cpu.h"
#include "hal/hal_errno.h"
#include "hal/hal_mem.h"
#include "hal/hal_time.h"
#include "hal_hosted/hosted.h"

#define MS 1000000ULL

static struct {
    int timer_irqs;
    int irq_exits;
    int enabled_in_handler; /* handlers that ran with interrupts enabled: must stay 0 */
    uint64_t timer_clock;   /* hal_clock_ns() at the last timer interrupt */
    uint64_t rearm;         /* timer handler re-arms to this (0: no) */
    char order[32];         /* 'T' timer, 'X' exit */
    int norder;
} rec;

static void on_timer(void *arg)
{
    rec.timer_irqs++;
    rec.timer_clock = hal_clock_ns();
    rec.enabled_in_handler += hal_irq_enabled();
    if (rec.norder < 31)
        rec.order[rec.norder++] = 'T';
    if (rec.rearm)
        hal_timer_arm(rec.rearm);
}

static void on_irq_exit(void *arg)
{
    rec.irq_exits++;
    rec.enabled_in_handler += hal_irq_enabled();
    if (rec.norder < 31)
        rec.order[rec.norder++] = 'X';
}

static struct hal_boot_info info;

static int setup(void **state)
{
    struct hosted_config cfg = {.ram_bytes = 4 << 20};
    struct hosted_hooks hooks = {.timer_irq = on_timer, .irq_exit = on_irq_exit};

    memset(&rec, 0, sizeof(rec));
    return hosted_hal_init(&cfg, &hooks, &info);
}

static int teardown(void **state)
{
    hosted_hal_fini();
    return 0;
}

static void test_starts_disabled_at_time_zero(void **state)
{
    assert_false(hal_irq_enabled());
    assert_int_equal(hal_clock_ns(), 0);
    assert_int_equal(hal_wallclock_ns(), HOSTED_WALLCLOCK_EPOCH_NS);
    assert_int_equal(hal_cpu_id(), 0);
    assert_int_equal(hal_cpu_count(), 1);
}

static void test_pending_timer_delivered_at_enable(void **state)
{
    hal_timer_arm(0); /* in the past: due at the next delivery point */
    assert_int_equal(rec.timer_irqs, 0);
    hal_irq_enable();
    assert_int_equal(rec.timer_irqs, 1);
    assert_int_equal(rec.irq_exits, 1);
    assert_string_equal(rec.order, "TX");
    assert_int_equal(rec.enabled_in_handler, 0);
    assert_true(hal_irq_enabled());
    /* one-shot: nothing more */
    hal_irq_disable();
    hal_irq_enable();
    assert_int_equal(rec.timer_irqs, 1);
}

static void test_nested_save_restore(void **state)
{
    uint64_t outer, inner;

    hal_irq_enable();
    outer = hal_irq_save();
    inner = hal_irq_save();
    assert_false(hal_irq_enabled());
    hal_timer_arm(0);
    hal_irq_restore(inner); /* still disabled: inner saved "disabled" */
    assert_false(hal_irq_enabled());
    assert_int_equal(rec.timer_irqs, 0);
    hal_irq_restore(outer); /* enabling: delivers */
    assert_true(hal_irq_enabled());
    assert_int_equal(rec.timer_irqs, 1);
    assert_int_equal(rec.enabled_in_handler, 0);
}

static void test_poll_delivers_only_when_enabled(void **state)
{
    hal_timer_arm(0);
    hal_poll(); /* disabled: contract violation, must not deliver into a critical section */
    assert_int_equal(rec.timer_irqs, 0);
    hal_irq_enable();
    assert_int_equal(rec.timer_irqs, 1);
    hal_timer_arm(hal_clock_ns());
    hal_poll();
    assert_int_equal(rec.timer_irqs, 2);
    assert_true(hal_irq_enabled());
}

static void test_future_timer_waits_for_clock(void **state)
{
    hal_timer_arm(5 * MS);
    hal_irq_enable();
    hal_poll();
    assert_int_equal(rec.timer_irqs, 0);
    assert_int_equal(hosted_clock_advance(4 * MS), 4 * MS);
    hal_poll();
    assert_int_equal(rec.timer_irqs, 0);
    hosted_clock_advance(1 * MS);
    hal_poll();
    assert_int_equal(rec.timer_irqs, 1);
}

static void test_rearm_replaces_and_max_disarms(void **state)
{
    hal_timer_arm(10 * MS);
    hal_timer_arm(20 * MS); /* replaces */
    hosted_clock_advance(15 * MS);
    hal_irq_enable();
    assert_int_equal(rec.timer_irqs, 0);
    hal_timer_arm(UINT64_MAX);
    hosted_clock_advance(100 * MS);
    hal_poll();
    assert_int_equal(rec.timer_irqs, 0);
    assert_false(hosted_work_pending());
}

static void test_idle_jumps_clock_to_timer(void **state)
{
    hal_timer_arm(7 * MS);
    assert_int_equal(hal_cpu_idle_until(UINT64_MAX), 0);
    assert_int_equal(rec.timer_irqs, 1);
    assert_int_equal(rec.timer_clock, 7 * MS);
    assert_int_equal(hal_clock_ns(), 7 * MS);
    assert_int_equal(hal_wallclock_ns(), HOSTED_WALLCLOCK_EPOCH_NS + 7 * MS);
    assert_false(hal_irq_enabled()); /* returns in the state of entry */
}

static void test_idle_jumps_to_earlier_deadline(void **state)
{
    hal_timer_arm(50 * MS);
    assert_int_equal(hal_cpu_idle_until(20 * MS), 0);
    assert_int_equal(hal_clock_ns(), 20 * MS);
    assert_int_equal(rec.timer_irqs, 0);
    assert_int_equal(hal_cpu_idle_until(UINT64_MAX), 0);
    assert_int_equal(hal_clock_ns(), 50 * MS);
    assert_int_equal(rec.timer_irqs, 1);
}

static void test_idle_with_nothing_to_wake_returns_minus_one(void **state)
{
    assert_int_equal(hal_cpu_idle_until(UINT64_MAX), -1);
    assert_int_equal(hal_clock_ns(), 0);
    /* a deadline alone can wake it */
    assert_int_equal(hal_cpu_idle_until(3 * MS), 0);
    assert_int_equal(hal_clock_ns(), 3 * MS);
}

static void test_idle_delivers_pending_without_moving_clock(void **state)
{
    hal_timer_arm(0);
    assert_int_equal(hal_cpu_idle_until(UINT64_MAX), 0);
    assert_int_equal(rec.timer_irqs, 1);
    assert_int_equal(hal_clock_ns(), 0);
}

static void test_handler_rearm_waits_for_next_round(void **state)
{
    rec.rearm = 1; /* already due: must not loop inside one delivery */
    hal_timer_arm(0);
    hosted_clock_advance(1);
    hal_irq_enable();
    assert_int_equal(rec.timer_irqs, 1);
    assert_int_equal(rec.irq_exits, 1);
    rec.rearm = 0;
    hal_poll();
    assert_int_equal(rec.timer_irqs, 2);
}

static void test_idle_sequence_is_deterministic(void **state)
{
    uint64_t seen[5];

    rec.rearm = 0;
    for (int i = 0; i < 5; i++) {
        hal_timer_arm(hal_clock_ns() + (uint64_t)(i + 1) * MS);
        assert_int_equal(hal_cpu_idle_until(UINT64_MAX), 0);
        seen[i] = rec.timer_clock;
    }
    assert_int_equal(seen[0], 1 * MS);
    assert_int_equal(seen[4], 15 * MS);
    assert_int_equal(rec.timer_irqs, 5);
}

static void test_stats_count_rounds(void **state)
{
    struct hosted_stats st;

    hal_timer_arm(2 * MS);
    hal_cpu_idle_until(UINT64_MAX);
    hosted_get_stats(&st);
    assert_int_equal(st.timer_irqs, 1);
    assert_int_equal(st.irq_exits, 1);
    assert_int_equal(st.idle_calls, 1);
}

/* Real time: the clock follows CLOCK_MONOTONIC and idle sleeps (in epoll on a timerfd). */
static void test_realtime_mode_sleeps(void **state)
{
    struct hosted_config cfg = {.ram_bytes = 1 << 20, .realtime = true};
    struct hosted_hooks hooks = {.timer_irq = on_timer, .irq_exit = on_irq_exit};
    uint64_t t0, t1;

    hosted_hal_fini();
    assert_int_equal(hosted_hal_init(&cfg, &hooks, &info), 0);
    t0 = hal_clock_ns();
    hal_timer_arm(t0 + 2 * MS);
    assert_int_equal(hal_cpu_idle_until(UINT64_MAX), 0);
    t1 = hal_clock_ns();
    assert_int_equal(rec.timer_irqs, 1);
    assert_true(t1 >= t0 + 2 * MS);
    assert_true(t1 < t0 + 2000 * MS);
    assert_true(hal_wallclock_ns() > HOSTED_WALLCLOCK_EPOCH_NS);
}

static void test_realtime_from_environment(void **state)
{
    struct hosted_config cfg = {.ram_bytes = 1 << 20};
    struct hosted_hooks hooks = {.timer_irq = on_timer, .irq_exit = on_irq_exit};
    uint64_t t0;

    hosted_hal_fini();
    setenv("PETREL_REALTIME", "1", 1);
    assert_int_equal(hosted_hal_init(&cfg, &hooks, &info), 0);
    unsetenv("PETREL_REALTIME");
    t0 = hal_clock_ns();
    assert_int_equal(hal_cpu_idle_until(t0 + 1 * MS), 0); /* a real sleep */
    assert_true(hal_clock_ns() >= t0 + 1 * MS);
    assert_int_equal(hal_cpu_idle_until(UINT64_MAX), -1); /* still nothing to wake it */
}

static void test_init_twice_is_busy(void **state)
{
    struct hosted_config cfg = {0};

    assert_int_equal(hosted_hal_init(&cfg, NULL, &info), -EBUSY);
    assert_int_equal(hosted_boot(&cfg), -EBUSY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_starts_disabled_at_time_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pending_timer_delivered_at_enable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_save_restore, setup, teardown),
        cmocka_unit_test_setup_teardown(test_poll_delivers_only_when_enabled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_future_timer_waits_for_clock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rearm_replaces_and_max_disarms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_jumps_clock_to_timer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_jumps_to_earlier_deadline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_with_nothing_to_wake_returns_minus_one, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_idle_delivers_pending_without_moving_clock, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_handler_rearm_waits_for_next_round, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_sequence_is_deterministic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stats_count_rounds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_realtime_mode_sleeps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_realtime_from_environment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_twice_is_busy, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
