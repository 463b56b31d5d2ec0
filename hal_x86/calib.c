/*
 * calib.c - the TSC and APIC timer rates from PIT windows (calib.h): reject the windows in
 * which a read gap could have hidden a wrap of the PIT counter, and when every window is
 * suspect take the lowest rate, which a missed wrap cannot have inflated more than the others.
 */
#include "hal_x86/calib.h"

bool x86_calib_window_clean(const struct x86_calib_window *w)
{
    return w->pit && w->tsc && w->max_gap <= w->tsc / 4;
}

static uint64_t rate(uint64_t ticks, uint32_t pit)
{
    return pit ? ticks * X86_PIT_HZ / pit : 0;
}

uint64_t x86_calib_rescale(uint64_t apic_hz, uint64_t tsc_was, uint64_t tsc_now)
{
    /* in thousands, so the product stays within 64 bits (the kernel has no 128-bit division) */
    return tsc_was >= 1000 ? apic_hz / 1000 * tsc_now / (tsc_was / 1000) : apic_hz;
}

void x86_calib_pick(const struct x86_calib_window *w, unsigned n, uint64_t *tsc_hz,
                    uint64_t *apic_hz, bool *trusted)
{
    unsigned best = 0;

    *trusted = false;
    for (unsigned i = 0; i < n; i++) {
        if (x86_calib_window_clean(&w[i])) {
            best = i;
            *trusted = true;
            break;
        }
        if (rate(w[i].tsc, w[i].pit) &&
            (!rate(w[best].tsc, w[best].pit) ||
             rate(w[i].tsc, w[i].pit) < rate(w[best].tsc, w[best].pit)))
            best = i;
    }
    *tsc_hz = rate(w[best].tsc, w[best].pit);
    *apic_hz = rate(w[best].apic, w[best].pit);
}
