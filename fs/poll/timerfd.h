/*
 * timerfd.h - timerfd: a kind of open file (fs/file/file.h) that counts the expirations of
 * a one-shot or periodic timer, as Linux's timerfd (docs/time.md).
 *
 * The timer runs on the monotonic clock (core/sched timers): a wall-clock (REALTIME)
 * deadline is turned into a monotonic one when it is set. read(8 bytes) returns the number
 * of expirations since the last read (blocking while it is 0, -EAGAIN with O_NONBLOCK, an
 * interrupted wait -ERESTARTSYS); poll says EPOLLIN while it is not 0, and every expiration
 * wakes the queue with EPOLLIN (epoll's edge-triggered mode sees each one).
 */
#ifndef FS_POLL_TIMERFD_H
#define FS_POLL_TIMERFD_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/file/file.h"

/* A timer setting: first expiry in ns on the monotonic clock (0: disarmed) and the period
 * (0: one-shot). */
struct timerfd_spec {
    uint64_t value_ns;
    uint64_t interval_ns;
};

/* A new O_RDWR timerfd, disarmed, with status flags nb (VFS_O_NONBLOCK or 0); clock is the
 * caller's note of the clock its settings are on (timerfd_clock). 0, -ENOMEM. */
int timerfd_file_create(unsigned nb, int clock, struct file **out);
/* The clock given at creation. */
int timerfd_clock(struct file *f);
/* Is f a timerfd? */
bool timerfd_is(struct file *f);
/*
 * Arm (value_ns != 0) or disarm f with *spec (absolute monotonic deadline); the expiration
 * count goes back to 0. *old (optional) receives the previous setting as timerfd_get does.
 * Never sleeps.
 */
void timerfd_set(struct file *f, const struct timerfd_spec *spec, struct timerfd_spec *old);
/* The current setting: value_ns = time left until the next expiry (0: disarmed), and the
 * period. Never sleeps. */
void timerfd_get(struct file *f, struct timerfd_spec *cur);

#endif
