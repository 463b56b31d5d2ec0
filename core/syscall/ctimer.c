/*
 * ctimer.c - timers on the process's clocks (ctimer.h): setitimer's and the POSIX timers.
 *
 *     set(value, interval)     expiry = now + value (or value), armed
 *     kernel timer fires       tlock; n = period_expire(expiry, interval, now on the clock)
 *                              re-arm when still armed; unlock; fire(t, n) when n > 0
 *
 * A CPU-clock timer whose time has not come looks again when it could have (n == 0, re-armed
 * for the CPU time still missing, as monotonic time from now).
 */
#include "core/syscall/ctimer.h"

#include "core/lib/period.h"
#include "hal/hal_time.h"

/* The CPU time of ut (tlock held: the kernel thread cannot be freed under us). */
static uint64_t thread_cpu_locked(struct uthread *ut, bool user_only)
{
    struct sched_cputime ct = {0};

    if (ut->exited || !ut->thread) /* ended, or not started: its clock does not move */
        return 0;
    thread_cputime(ut->thread, &ct);
    return user_only ? ct.user_ns : ct.run_ns;
}

uint64_t sys_ctimer_now_locked(struct proc_timer *t)
{
    switch (t->base) {
    case SYS_CLK_PROC:
        return sys_proc_cpu_ns(t->proc, t->user_only);
    case SYS_CLK_THREAD:
        return thread_cpu_locked(t->thread, t->user_only);
    default:
        return hal_clock_ns();
    }
}

/* Arm the kernel timer for the next look (now: the clock's time), or cancel it. */
static void arm_locked(struct proc_timer *t, uint64_t now)
{
    if (!t->expiry_ns || t->held)
        timer_cancel(&t->timer);
    else if (t->base == SYS_CLK_MONO)
        timer_arm(&t->timer, t->expiry_ns);
    else if (t->base == SYS_CLK_THREAD && (t->thread->exited || !t->thread->thread))
        timer_cancel(&t->timer); /* a clock that no longer moves never gets there */
    else
        timer_arm(&t->timer,
                  sys_add_sat(hal_clock_ns(), t->expiry_ns > now ? t->expiry_ns - now : 0));
}

static void ctimer_fn(struct timer *tm, void *arg)
{
    struct proc_timer *t = arg;
    struct proc *p = t->proc;
    uint64_t tok = spin_lock_irqsave(&p->tlock), n = 0, now;

    (void)tm;
    if (!t->held && t->expiry_ns) {
        now = sys_ctimer_now_locked(t);
        n = period_expire(&t->expiry_ns, t->interval_ns, now);
        arm_locked(t, now);
    }
    spin_unlock_irqrestore(&p->tlock, tok);
    if (n)
        t->fire(t, n);
}

void sys_ctimer_init(struct proc_timer *t, struct proc *p, enum sys_clock_base base,
                     bool user_only, struct uthread *ut,
                     void (*fire)(struct proc_timer *t, uint64_t n))
{
    timer_init(&t->timer, ctimer_fn, t);
    t->proc = p;
    t->base = (uint8_t)(base == SYS_CLK_WALL ? SYS_CLK_MONO : base);
    t->user_only = user_only;
    t->held = false;
    t->thread = ut;
    t->expiry_ns = t->interval_ns = 0;
    t->fire = fire;
}

void sys_ctimer_destroy(struct proc_timer *t)
{
    uint64_t tok = spin_lock_irqsave(&t->proc->tlock);

    t->expiry_ns = 0;
    timer_cancel(&t->timer);
    spin_unlock_irqrestore(&t->proc->tlock, tok);
    if (t->thread)
        uthread_put(t->thread);
    t->thread = NULL;
}

void sys_ctimer_set_locked(struct proc_timer *t, uint64_t value, bool abs, uint64_t interval)
{
    uint64_t now = sys_ctimer_now_locked(t);

    t->interval_ns = interval;
    if (!value)
        t->expiry_ns = 0;
    else
        t->expiry_ns = abs ? value : sys_add_sat(now, value);
    arm_locked(t, now);
}

uint64_t sys_ctimer_left_locked(struct proc_timer *t, uint64_t now)
{
    if (t->expiry_ns && now >= t->expiry_ns && !t->interval_ns && !t->held)
        return 1; /* due, its look not made yet: still armed, as Linux reports it */
    return period_left(t->expiry_ns, t->interval_ns, now);
}

void sys_ctimer_hold_locked(struct proc_timer *t, bool held)
{
    t->held = held;
    arm_locked(t, sys_ctimer_now_locked(t));
}

uint64_t sys_ctimer_catch_up_locked(struct proc_timer *t)
{
    return period_expire(&t->expiry_ns, t->interval_ns, sys_ctimer_now_locked(t));
}
