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

#endif
