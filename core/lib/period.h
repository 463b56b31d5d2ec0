/*
 * period.h - the expiry arithmetic every periodic timer shares (timerfd, setitimer, POSIX
 * timers): how many expirations passed by a given time, and where the next one is.
 *
 *     expiry            the next expiry (0: disarmed)
 *     now >= expiry     n = 1 + (now - expiry) / interval expirations passed (1 one-shot);
 *                       expiry += n * interval, or 0 for a one-shot
 *
 * Every period that went by counts, so a late look (a delayed interrupt, a period shorter
 * than the delay, a signal held pending) finds the same count Linux's overrun gives. The
 * sums saturate at UINT64_MAX instead of wrapping.
 */
#ifndef CORE_LIB_PERIOD_H
#define CORE_LIB_PERIOD_H

#include <stdint.h>

/* The expirations of (*expiry, interval) that passed by now, moving *expiry to the next
 * one after now (0 once a one-shot expired). 0 when disarmed or not due yet. */
static inline uint64_t period_expire(uint64_t *expiry, uint64_t interval, uint64_t now)
{
    uint64_t n, step;

    if (!*expiry || now < *expiry)
        return 0;
    if (!interval) {
        *expiry = 0;
        return 1;
    }
    n = 1 + (now - *expiry) / interval;
    step = n > UINT64_MAX / interval ? UINT64_MAX : n * interval;
    *expiry = *expiry > UINT64_MAX - step ? UINT64_MAX : *expiry + step;
    return n;
}

/* The time from now to the next expiry without moving it: 0 when disarmed, or for a
 * one-shot already due; a periodic timer's next boundary after now otherwise. */
static inline uint64_t period_left(uint64_t expiry, uint64_t interval, uint64_t now)
{
    if (!expiry)
        return 0;
    if (now < expiry)
        return expiry - now;
    if (!interval)
        return 0;
    return interval - (now - expiry) % interval;
}

#endif
