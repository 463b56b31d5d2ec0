/*
 * hal_time.h - clocks and the one-shot timer.
 *
 * hal_clock_ns() is monotonic nanoseconds since boot. In the hosted backend it is a virtual
 * clock by default (advances only when the CPU idles, to the next deadline) or the host's
 * CLOCK_MONOTONIC in real-time mode. hal_wallclock_ns() is nanoseconds since the Unix epoch.
 */
#ifndef HAL_TIME_H
#define HAL_TIME_H

#include <stdint.h>

/* Never blocks; any context. */
uint64_t hal_clock_ns(void);
uint64_t hal_wallclock_ns(void);

/*
 * Arm the one-shot timer: kernel_timer_irq() runs (in interrupt context) once the clock
 * reaches deadline_ns. A deadline in the past fires at the next delivery point. Re-arming
 * replaces the previous deadline; UINT64_MAX disarms. Never blocks; call with interrupts
 * disabled.
 */
void hal_timer_arm(uint64_t deadline_ns);

/*
 * The clock as user mode computes it without entering the kernel (the vDSO's data page,
 * core/vdso). The backend describes hal_clock_ns() as a linear function of a counter that
 * user mode can read:
 *
 *   hal_clock_ns() == hal_uclock_ns(u, counter)   (for the counter read at that instant)
 *   hal_wallclock_ns() == that + u->wall_offset
 *
 * and rewrites the published copy under u->seq (odd while it changes; a reader copies the
 * fields and the counter between two equal even reads of seq) whenever its own parameters
 * change, so answers computed from the copy are exactly the syscalls'.
 */
#define HAL_UCLOCK_NONE 0u   /* no counter user mode can read: ask the kernel */
#define HAL_UCLOCK_TSC 1u    /* x86: the counter is RDTSC */
#define HAL_UCLOCK_HOSTED 2u /* hosted: hal_uclock_counter(), a C function of this process */

struct hal_uclock {
    uint32_t seq;         /* odd while the backend rewrites the fields below */
    uint32_t mode;        /* HAL_UCLOCK_* */
    uint64_t cycle_base;  /* counter value at ns_base */
    uint64_t ns_base;     /* hal_clock_ns() when the counter read cycle_base */
    uint64_t mult;        /* ns per count, 32.32 fixed point */
    uint64_t wall_offset; /* hal_wallclock_ns() - hal_clock_ns() */
};

/* The clock at counter value c (fields already copied under seq). A counter behind the base
 * (read just before a rebase) gives the base: the clock never goes back. */
static inline uint64_t hal_uclock_ns(uint64_t cycle_base, uint64_t ns_base, uint64_t mult,
                                     uint64_t c)
{
    if (c <= cycle_base)
        return ns_base;
    return ns_base + (uint64_t)(((unsigned __int128)(c - cycle_base) * mult) >> 32);
}

/*
 * Publish the clock into *u from now on: the backend fills it at once and keeps it current
 * until the next call (NULL: stop). One published copy at a time. Call from thread context
 * with interrupts enabled; never blocks. hal_uclock_counter() reads the counter of the
 * published mode (x86: RDTSC; hosted: the virtual clock), for the kernel's own checks.
 */
void hal_clock_publish(struct hal_uclock *u);
uint64_t hal_uclock_counter(void);

#endif
