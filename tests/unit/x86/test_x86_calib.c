/*
 * test_x86_calib.c - hal_x86/calib.c: choosing the TSC and APIC rates from PIT windows.
 *
 * A model of the hardware stands in for time.c's pit_window: PIT channel 0 counting down
 * from 65535 at 1.193182 MHz and wrapping, a TSC at 2.4 GHz, an APIC timer (divide 16) at
 * 62.5 MHz, read every 3 us in the same loop as time.c's (the decrements of the 16-bit counter
 * added up until 2 ms of ticks), with a pause injected before one read: the vCPU descheduled.
 * A pause of 55 ms or more hides a wrap of the counter, and that window's rate comes out
 * many times too high; the choice must not take it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "hal_x86/calib.h"

#define TSC_HZ 2400000000ULL
#define APIC_HZ 62500000ULL
#define STEP_NS 3000ULL
#define TARGET ((uint32_t)(X86_PIT_HZ * 2 / 1000))

static uint16_t pit_at(uint64_t ns)
{
    return (uint16_t)(65535 - (ns * X86_PIT_HZ / 1000000000ULL) % 65536);
}

static uint64_t ticks_at(uint64_t ns, uint64_t hz)
{
    return (uint64_t)((unsigned __int128)ns * hz / 1000000000ULL);
}

/* One window as time.c measures it, starting at *now (advanced), with pause_ns before the
 * pause_at-th read of the loop (0: none). */
static struct x86_calib_window window(uint64_t *now, unsigned pause_at, uint64_t pause_ns)
{
    struct x86_calib_window w = {0};
    uint64_t t = *now, tp;
    uint16_t prev = pit_at(t), cur;
    uint32_t elapsed = 0;
    unsigned reads = 0;

    while ((cur = pit_at(t += STEP_NS)) == prev) /* a tick edge */
        ;
    prev = cur;
    uint64_t t0 = t;
    tp = t;
    while (elapsed < TARGET) {
        t += STEP_NS;
        if (++reads == pause_at)
            t += pause_ns;
        cur = pit_at(t);
        uint64_t gap = ticks_at(t, TSC_HZ) - ticks_at(tp, TSC_HZ);
        tp = t;
        if (gap > w.max_gap)
            w.max_gap = gap;
        elapsed += (uint16_t)(prev - cur);
        prev = cur;
    }
    w.pit = elapsed;
    w.tsc = ticks_at(t, TSC_HZ) - ticks_at(t0, TSC_HZ);
    w.apic = (uint32_t)(ticks_at(t, APIC_HZ) - ticks_at(t0, APIC_HZ));
    *now = t + 1000000;
    return w;
}

/* |a - b| <= b / 1000 (the PIT window's 0.1%) */
static int close_to(uint64_t a, uint64_t b)
{
    return (a > b ? a - b : b - a) <= b / 1000;
}

static void clean_window_gives_the_rate(void **state)
{
    uint64_t now = 12345, tsc, apic;
    struct x86_calib_window w = window(&now, 0, 0);
    bool trusted;

    (void)state;
    assert_true(x86_calib_window_clean(&w));
    x86_calib_pick(&w, 1, &tsc, &apic, &trusted);
    assert_true(trusted);
    assert_true(close_to(tsc, TSC_HZ));
    assert_true(close_to(apic, APIC_HZ));
}

/* A 60 ms pause hides a wrap: that window alone says ~30x the rate; with a clean window after
 * it, the clean one counts. */
static void window_with_a_missed_wrap_is_not_taken(void **state)
{
    uint64_t now = 777, tsc, apic;
    struct x86_calib_window w[2];
    bool trusted;

    (void)state;
    w[0] = window(&now, 100, 60000000);
    assert_false(x86_calib_window_clean(&w[0]));
    assert_true(w[0].tsc * X86_PIT_HZ / w[0].pit > 2 * TSC_HZ); /* what the old code took */
    w[1] = window(&now, 0, 0);
    x86_calib_pick(w, 2, &tsc, &apic, &trusted);
    assert_true(trusted);
    assert_true(close_to(tsc, TSC_HZ));
    assert_true(close_to(apic, APIC_HZ));
}

/* A pause too short to hide a wrap still makes the window suspect (retried), though its rate
 * would have been right. */
static void short_pause_is_suspect_but_right(void **state)
{
    uint64_t now = 5, tsc, apic;
    struct x86_calib_window w = window(&now, 50, 10000000);
    bool trusted;

    (void)state;
    assert_false(x86_calib_window_clean(&w));
    x86_calib_pick(&w, 1, &tsc, &apic, &trusted);
    assert_false(trusted);
    assert_true(close_to(tsc, TSC_HZ));
}

/* Every window paused: the lowest rate is taken (a missed wrap only raises a window's rate),
 * and it is not trusted (the RTC may correct it). Pauses of 20, 200, 70 and 130 ms: the 20 ms
 * one hides no wrap and gives the true rate. */
static void all_suspect_takes_the_lowest(void **state)
{
    static const uint64_t pauses[] = {200000000, 70000000, 20000000, 130000000};
    struct x86_calib_window w[4];
    uint64_t now = 99, tsc, apic;
    bool trusted;

    (void)state;
    for (unsigned i = 0; i < 4; i++)
        w[i] = window(&now, 10 + i, pauses[i]);
    x86_calib_pick(w, 4, &tsc, &apic, &trusted);
    assert_false(trusted);
    assert_true(close_to(tsc, TSC_HZ));
    for (unsigned i = 0; i < 4; i++)
        assert_true(tsc <= w[i].tsc * X86_PIT_HZ / w[i].pit);
}

/* No clean window: the RTC later corrects the TSC rate, and the APIC rate measured in the
 * same window is corrected by the same factor. */
static void apic_rate_follows_the_tsc_correction(void **state)
{
    uint64_t now = 31, tsc, apic;
    struct x86_calib_window w = window(&now, 7, 90000000); /* hides a wrap */
    bool trusted;

    (void)state;
    x86_calib_pick(&w, 1, &tsc, &apic, &trusted);
    assert_false(trusted);
    assert_false(close_to(tsc, TSC_HZ));
    assert_false(close_to(apic, APIC_HZ));
    assert_true(close_to(x86_calib_rescale(apic, tsc, TSC_HZ), APIC_HZ));
    assert_int_equal(x86_calib_rescale(apic, 0, TSC_HZ), apic);
}

static void no_movement_gives_no_rate(void **state)
{
    struct x86_calib_window w = {0};
    uint64_t tsc = 1, apic = 1;
    bool trusted = true;

    (void)state;
    assert_false(x86_calib_window_clean(&w));
    x86_calib_pick(&w, 1, &tsc, &apic, &trusted);
    assert_int_equal(tsc, 0);
    assert_int_equal(apic, 0);
    assert_false(trusted);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clean_window_gives_the_rate),
        cmocka_unit_test(window_with_a_missed_wrap_is_not_taken),
        cmocka_unit_test(short_pause_is_suspect_but_right),
        cmocka_unit_test(all_suspect_takes_the_lowest),
        cmocka_unit_test(apic_rate_follows_the_tsc_correction),
        cmocka_unit_test(no_movement_gives_no_rate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
