/*
 * ctimer.h - timers on the process's clocks (struct proc_timer, core/proc/proc.h), the one
 * machinery under setitimer (sys_timer.c) and the POSIX timers (ptimer.c). Not for use
 * outside core/syscall.
 *
 * A timer runs on the monotonic clock or on a CPU clock (the process's, a thread's; user
 * time only or user + system). Its kernel timer is armed for the monotonic instant of the
 * next expiry, or for a CPU clock the earliest instant the CPU time can reach it (CPU time
 * never grows faster than the monotonic clock on one CPU), where it looks again. When it
 * looks and the expiry passed, every period that went by counts (core/lib/period.h) and the
 * owner's fire(t, n) runs with n, outside the lock. A held timer is not acted on: the owner
 * (a POSIX timer whose signal is queued) catches up itself with sys_ctimer_catch_up_locked.
 *
 * Locking: every field and every *_locked call under p->tlock (irq-save); the kernel timer's
 * callback takes it. Wall-clock settings are converted to the monotonic clock by the
 * callers when set (Petrel's wall clock is never set, so it cannot drift afterwards).
 */
#ifndef CORE_SYSCALL_CTIMER_H
#define CORE_SYSCALL_CTIMER_H

#include "core/syscall/sys_clock.h"

/* Set t up (disarmed) for p on clock base (SYS_CLK_MONO, _PROC or _THREAD: ut's CPU time,
 * a reference the caller gives and sys_ctimer_destroy drops). */
void sys_ctimer_init(struct proc_timer *t, struct proc *p, enum sys_clock_base base,
                     bool user_only, struct uthread *ut,
                     void (*fire)(struct proc_timer *t, uint64_t n));
/* Disarm for good (the callback cannot run afterwards on this CPU) and drop the thread
 * reference. tlock NOT held. */
void sys_ctimer_destroy(struct proc_timer *t);
/* The timer's clock now (CPU clocks: CPU time; a thread's that ended stays put). */
uint64_t sys_ctimer_now_locked(struct proc_timer *t);
/* Arm: expiry value (absolute on the clock with abs, else relative to now; 0 disarms) and
 * interval. A value already past fires at the next look, which is at once. */
void sys_ctimer_set_locked(struct proc_timer *t, uint64_t value, bool abs, uint64_t interval);
/* The time left to the next expiry (0: disarmed, or a held one-shot that expired). */
uint64_t sys_ctimer_left_locked(struct proc_timer *t, uint64_t now);
/* Hold (the callback leaves expirations to the owner) or release (re-armed). */
void sys_ctimer_hold_locked(struct proc_timer *t, bool held);
/* The expirations that passed by now while held, the expiry moved past now. */
uint64_t sys_ctimer_catch_up_locked(struct proc_timer *t);

#endif
