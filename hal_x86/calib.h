/*
 * calib.h - choosing the TSC and APIC timer rates from PIT windows (calib.c, used by time.c).
 *
 * time.c counts a short window of PIT channel 0 ticks (free-running, period 65536: a wrap
 * every 54.9 ms) by reading the counter in a loop and adding up the decrements, and sees how
 * far the TSC and the APIC timer moved meanwhile. A vCPU descheduled for 55 ms or more
 * between two reads (QEMU under load) misses a whole wrap: the window's PIT count comes out
 * 65536 ticks short and the rate many times too high (seen: the clock 3.6x slow). This part is
 * pure arithmetic, so a hosted unit test checks it (tests/unit/x86/test_x86_calib.c).
 */
#ifndef HAL_X86_CALIB_H
#define HAL_X86_CALIB_H

#include <stdbool.h>
#include <stdint.h>

#define X86_PIT_HZ 1193182ULL

/* One window: PIT ticks counted, TSC and APIC ticks (APIC: counted down) over it, and the
 * longest TSC gap between two consecutive PIT reads. */
struct x86_calib_window {
    uint32_t pit;
    uint64_t tsc;
    uint32_t apic;
    uint64_t max_gap;
};

/* A window no read gap of which can hide a wrap: the longest gap is at most a quarter of the
 * window (a gap that hides a wrap lasts 55 ms, many times a window of a few ms). */
bool x86_calib_window_clean(const struct x86_calib_window *w);

/*
 * The rates from n windows (n >= 1): the first clean one's; with none clean, the window with
 * the lowest TSC rate (a missed wrap only ever makes the rate higher), and *trusted false (the
 * RTC's refinement may then correct it by more than its usual 2%). 0 rates for a window whose
 * PIT or TSC did not move.
 */
void x86_calib_pick(const struct x86_calib_window *w, unsigned n, uint64_t *tsc_hz,
                    uint64_t *apic_hz, bool *trusted);

/* The APIC rate measured in the same window as a TSC rate that a later source (the RTC)
 * corrected from tsc_was to tsc_now: both came from the same PIT count, so a missed wrap put
 * the same factor in both. */
uint64_t x86_calib_rescale(uint64_t apic_hz, uint64_t tsc_was, uint64_t tsc_now);

#endif
