/*
 * sys_ptimer.c - POSIX timers: timer_create, timer_settime, timer_gettime,
 * timer_getoverrun, timer_delete (docs/time.md "POSIX timers").
 *
 * A timer is a process clock timer (ctimer.h: monotonic, or a process/thread CPU clock;
 * REALTIME settings converted when set) plus what its expiry does: nothing (SIGEV_NONE), a
 * signal to the process (SIGEV_SIGNAL, and SIGEV_THREAD, which libc builds on it), or to one
 * of its threads (SIGEV_THREAD_ID), SI_TIMER with si_timerid and sigev_value. Ids are the
 * process's, as Linux numbers them: the next one after the last given (cyclic, skipping live
 * ones), never reset, consumed even by a create that fails after allocating it.
 *
 * One pending signal per timer, as Linux: the signal goes out through signal_send_notify;
 * while it is queued the clock timer is held, and when the signal is taken (the dequeue
 * callback) the expirations that passed meanwhile become si_overrun and timer_getoverrun's
 * answer, and the timer goes on. Every timer holds one entry of RLIMIT_SIGPENDING for its
 * whole life (Linux preallocates its sigqueue): p->sigqueued counts it while the signal is
 * not queued, and the queued signal's entry takes its place while it is.
 *
 *     fire(n)    not queued: queued = true, overrun = n - 1, hold, send
 *     dequeue    overrun += catch up; si_overrun = overrun_last = overrun; release
 *     settime    a queued signal is dropped (Linux drops it at dequeue as stale)
 *
 * Locking: everything under p->tlock. A timer is freed when the process's list and its
 * queued signal both let go of it (refs), so a dequeue in flight never sees it freed.
 */
#include "core/abi/time.h"
#include "core/lib/alloc.h"
#include "core/signal/signal.h"
#include "core/syscall/ctimer.h"
#include "core/syscall/sys_internal.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"

struct ptimer {
    struct proc_timer ct;
    struct list_node node; /* on p->ptimers while live */
    int id;
    int notify;              /* LINUX_SIGEV_SIGNAL, _NONE or _THREAD_ID */
    int signo;
    union linux_sigval value;
    struct uthread *target;  /* SIGEV_THREAD_ID: the thread (a reference) */
    bool wall;               /* a REALTIME/TAI timer: absolute settings are wall times */
    bool dead;               /* deleted: no more signals */
    bool queued;             /* its signal is pending */
    unsigned refs;           /* the list's, and the queued signal's */
    uint64_t overrun;        /* expirations after the one whose signal is queued */
    int overrun_last;        /* timer_getoverrun: the count at the last delivery */
};

/* The decoded arguments of timer_create. */
struct ptimer_args {
    struct sys_clock clock;
    struct linux_sigevent ev;
    bool ev_given;
};

static int clamp_int(uint64_t v)
{
    return v > INT32_MAX ? INT32_MAX : (int)v;
}

/* tlock held: the live timer with that id, or NULL. */
static struct ptimer *find_locked(struct proc *p, uint64_t id)
{
    list_for_each(&p->ptimers, n)
    {
        struct ptimer *t = container_of(n, struct ptimer, node);

        if (t->id == (int32_t)id) /* timer_t is an int: the upper half is not looked at */
            return t;
    }
    return NULL;
}

/* tlock held: the next free id after the last given, cyclic over 0..INT_MAX. */
static int next_id_locked(struct proc *p)
{
    for (;;) {
        int id = p->ptimer_next_id;

        p->ptimer_next_id = id == INT32_MAX ? 0 : id + 1;
        if (!find_locked(p, (uint64_t)id))
            return id;
    }
}

/* Free t once nothing holds it (tlock NOT held). */
static void put(struct ptimer *t, bool last)
{
    if (!last)
        return;
    sys_ctimer_destroy(&t->ct);
    if (t->target)
        uthread_put(t->target);
    kfree(t);
}

/* The queued signal was taken (info: fill si_overrun) or dropped (info NULL). */
static void dequeued(void *arg, struct linux_siginfo *info)
{
    struct ptimer *t = arg;
    struct proc *p = t->ct.proc;
    uint64_t tok = spin_lock_irqsave(&p->tlock);
    bool last;
    int ov = 0;

    t->queued = false;
    last = --t->refs == 0;
    if (!t->dead) {
        p->sigqueued++; /* the timer's reserved entry is its own again */
        t->overrun += sys_ctimer_catch_up_locked(&t->ct);
        ov = clamp_int(t->overrun);
        if (info)
            t->overrun_last = ov;
        t->overrun = 0;
        sys_ctimer_hold_locked(&t->ct, t->notify == LINUX_SIGEV_NONE);
    }
    spin_unlock_irqrestore(&p->tlock, tok);
    if (info)
        info->u.timer.overrun = ov;
    put(t, last);
}

/* The clock timer expired n times: send the signal unless one is queued already. */
static void fire(struct proc_timer *ct, uint64_t n)
{
    struct ptimer *t = container_of(ct, struct ptimer, ct);
    struct proc *p = ct->proc;
    struct linux_siginfo info = {0};
    uint64_t tok = spin_lock_irqsave(&p->tlock);
    int rc;

    if (t->dead || t->queued || t->notify == LINUX_SIGEV_NONE) {
        t->overrun += t->queued ? n : 0;
        spin_unlock_irqrestore(&p->tlock, tok);
        return;
    }
    t->queued = true;
    t->refs++;
    t->overrun = n - 1;
    p->sigqueued--; /* the queued entry takes the reserved place */
    sys_ctimer_hold_locked(ct, true);
    spin_unlock_irqrestore(&p->tlock, tok);
    info.si_code = LINUX_SI_TIMER;
    info.u.timer.tid = t->id;
    info.u.timer.sigval = t->value;
    rc = signal_send_notify(p, t->target, t->signo, &info, dequeued, t);
    if (rc == 0)
        return;
    tok = spin_lock_irqsave(&p->tlock); /* not queued (ignored, merged): the timer goes on */
    t->queued = false;
    t->refs--;
    p->sigqueued++;
    t->overrun = 0;
    sys_ctimer_hold_locked(ct, false);
    spin_unlock_irqrestore(&p->tlock, tok);
}

/* Unlink t (found under tlock by the caller, who dropped it) for good: its queued signal
 * unqueued, its reserved entry given back, freed when nothing holds it. */
static void destroy(struct proc *p, struct ptimer *t)
{
    uint64_t tok;
    int n = signal_cancel_notify(p, t);
    bool last;

    tok = spin_lock_irqsave(&p->tlock);
    if (n && t->queued) { /* its entry was counted in sigqueued and is gone now */
        t->queued = false;
        t->refs--;
    } else if (!t->queued) {
        p->sigqueued--;
    }
    /* still queued: a dequeue took the signal and its callback gives the entry back */
    last = --t->refs == 0;
    spin_unlock_irqrestore(&p->tlock, tok);
    put(t, last);
}

/* Every timer of p deleted (execve, the process's end). The id sequence goes on. */
static void release_all(struct proc *p)
{
    for (;;) {
        uint64_t tok = spin_lock_irqsave(&p->tlock);
        struct list_node *n = list_pop_front(&p->ptimers);
        struct ptimer *t = n ? container_of(n, struct ptimer, node) : NULL;

        if (t) {
            t->dead = true;
            t->ct.expiry_ns = 0;
            timer_cancel(&t->ct.timer);
        }
        spin_unlock_irqrestore(&p->tlock, tok);
        if (!t)
            return;
        destroy(p, t);
    }
}

void sys_ptimer_exec(struct proc *p)
{
    release_all(p);
}

/* --- timer_create --------------------------------------------------------------------------- */

/* The clock of timer_create: as clock_gettime's (sys_clock_decode), except that the clocks
 * without timers are -EOPNOTSUPP (MONOTONIC_RAW, the COARSE ones, ALARM: no RTC device, a
 * dynamic id of the fd kind), as Linux answers. */
static int decode_clock(uint64_t arg, struct sys_clock *c)
{
    int32_t id = (int32_t)arg;

    if (id < 0 && (id & 7) == 3)
        return -EOPNOTSUPP;
    switch (id) {
    case LINUX_CLOCK_MONOTONIC_RAW:
    case LINUX_CLOCK_REALTIME_COARSE:
    case LINUX_CLOCK_MONOTONIC_COARSE:
    case LINUX_CLOCK_REALTIME_ALARM:
    case LINUX_CLOCK_BOOTTIME_ALARM:
        return -EOPNOTSUPP;
    default:
        return sys_clock_decode(arg, c);
    }
}

/* Check the sigevent and take what it names: 0 or -EINVAL (unknown notify, a signal out of
 * 1..64, a tid that is not a thread of p). */
static int apply_sigevent(struct proc *p, struct ptimer *t, const struct linux_sigevent *ev)
{
    int notify = ev->sigev_notify;

    if (notify == LINUX_SIGEV_THREAD) /* libc's: the kernel sends a signal, as SIGNAL */
        notify = LINUX_SIGEV_SIGNAL;
    if (notify == LINUX_SIGEV_THREAD_ID) {
        t->target = proc_find_thread(p, ev->u.tid);
        if (!t->target)
            return -EINVAL;
    } else if (notify != LINUX_SIGEV_SIGNAL && notify != LINUX_SIGEV_NONE) {
        return -EINVAL;
    }
    if (notify != LINUX_SIGEV_NONE && (ev->sigev_signo < 1 || ev->sigev_signo > PROC_NSIG))
        return -EINVAL;
    t->notify = notify;
    t->signo = ev->sigev_signo;
    t->value = ev->sigev_value;
    return 0;
}

/* A new timer of p for a (the clock's thread resolved): its id in *id. -EAGAIN (no
 * RLIMIT_SIGPENDING entry left), -ENOMEM, -EINVAL (a bad sigevent: the id is used up). */
static int create(struct proc *p, const struct ptimer_args *a, struct uthread *clk, int *id)
{
    struct ptimer *t = kzalloc(sizeof(*t));
    uint64_t tok;
    int rc;

    if (!t)
        return -ENOMEM;
    tok = spin_lock_irqsave(&p->tlock);
    if (p->sigqueued >= signal_queue_limit(p)) {
        spin_unlock_irqrestore(&p->tlock, tok);
        kfree(t);
        return -EAGAIN;
    }
    p->sigqueued++;
    *id = t->id = next_id_locked(p);
    spin_unlock_irqrestore(&p->tlock, tok);
    sys_ctimer_init(&t->ct, p, a->clock.base, a->clock.user_only, clk, fire);
    t->refs = 1;
    t->wall = a->clock.base == SYS_CLK_WALL;
    t->notify = LINUX_SIGEV_SIGNAL, t->signo = LINUX_SIGALRM; /* no sigevent: Linux's default */
    t->value.sival_int = t->id;
    rc = a->ev_given ? apply_sigevent(p, t, &a->ev) : 0;
    tok = spin_lock_irqsave(&p->tlock);
    if (rc == 0) {
        t->ct.held = t->notify == LINUX_SIGEV_NONE; /* nothing to do at expiry: never armed */
        list_push_back(&p->ptimers, &t->node);
        p->ptimer_release = release_all;
    } else {
        p->sigqueued--;
    }
    spin_unlock_irqrestore(&p->tlock, tok);
    if (rc)
        put(t, true);
    return rc;
}

/* The thread whose CPU clock a decoded clock names (a reference), or NULL for other clocks.
 * -EINVAL when it ended meanwhile. */
static int clock_thread(struct proc *p, const struct sys_clock *c, struct uthread **out)
{
    *out = NULL;
    if (c->base != SYS_CLK_THREAD)
        return 0;
    if (c->tid == 0) {
        *out = uthread_current();
        uthread_get(*out);
        return 0;
    }
    *out = proc_find_thread(p, c->tid);
    return *out ? 0 : -EINVAL;
}

static long delete_id(struct proc *p, uint64_t id);

long sys_timer_create(const uint64_t a[6])
{
    struct proc *p = sys_proc();
    struct ptimer_args args = {.ev_given = a[1] != 0};
    struct uthread *clk;
    int rc, id;

    if (a[1] && sys_copy_in(&args.ev, a[1], sizeof(args.ev)))
        return -EFAULT;
    rc = decode_clock(a[0], &args.clock);
    if (rc == 0)
        rc = clock_thread(p, &args.clock, &clk);
    if (rc)
        return rc;
    rc = create(p, &args, clk, &id);
    if (rc)
        return rc;
    if (sys_copy_out(a[2], &id, sizeof(id))) {
        delete_id(p, (uint64_t)id); /* Linux's order: made, then released */
        return -EFAULT;
    }
    return 0;
}

/* --- settime, gettime, getoverrun, delete ---------------------------------------------------- */

/* An absolute wall-clock value as an absolute monotonic one (now when already past). */
static uint64_t wall_to_mono(uint64_t value)
{
    uint64_t wall = hal_wallclock_ns(), mono = hal_clock_ns();

    return value > wall ? sys_add_sat(mono, value - wall) : (mono ? mono : 1);
}

/* tlock held: the setting as timer_gettime reports it. */
static struct linux_itimerspec get_locked(struct ptimer *t)
{
    uint64_t left = sys_ctimer_left_locked(&t->ct, sys_ctimer_now_locked(&t->ct));
    struct linux_itimerspec its = {sys_ts_of(t->ct.interval_ns), sys_ts_of(left)};

    return its;
}

/* tlock held: the live timer with that id, pinned (drop with unpin), or NULL. */
static struct ptimer *pin_locked(struct proc *p, uint64_t id)
{
    struct ptimer *t = find_locked(p, id);

    if (t)
        t->refs++;
    return t;
}

static void unpin(struct proc *p, struct ptimer *t)
{
    uint64_t tok = spin_lock_irqsave(&p->tlock);
    bool last = --t->refs == 0;

    spin_unlock_irqrestore(&p->tlock, tok);
    put(t, last);
}

/* Unqueue t's pending signal (a new setting makes it stale): the entry goes back to it. */
static void drop_pending(struct proc *p, struct ptimer *t)
{
    int n = signal_cancel_notify(p, t);
    uint64_t tok = spin_lock_irqsave(&p->tlock);

    if (n && t->queued) {
        t->queued = false;
        t->refs--;
        p->sigqueued++;
        sys_ctimer_hold_locked(&t->ct, t->notify == LINUX_SIGEV_NONE);
    }
    spin_unlock_irqrestore(&p->tlock, tok);
}

/* Set timer id of p: value (absolute with abs, on its clock; wall: a REALTIME timer) and
 * interval; *old gets the previous setting. -EINVAL for no such timer. */
static int settime(struct proc *p, uint64_t id, uint64_t value, bool abs, uint64_t interval,
                   bool wall, struct linux_itimerspec *old)
{
    uint64_t tok = spin_lock_irqsave(&p->tlock);
    struct ptimer *t = pin_locked(p, id);
    bool queued = t && t->queued;
    int rc = 0;

    spin_unlock_irqrestore(&p->tlock, tok);
    if (!t)
        return -EINVAL;
    if (queued)
        drop_pending(p, t);
    tok = spin_lock_irqsave(&p->tlock);
    if (t->dead) { /* deleted meanwhile by another thread */
        rc = -EINVAL;
    } else {
        *old = get_locked(t);
        t->overrun = 0;
        t->overrun_last = 0;
        if (abs && wall && value)
            value = wall_to_mono(value);
        if (value || t->notify != LINUX_SIGEV_NONE)
            sys_ctimer_set_locked(&t->ct, value, abs, interval);
        else /* Linux never disarms a SIGEV_NONE timer: gettime reads the old expiry */
            t->ct.interval_ns = 0;
    }
    spin_unlock_irqrestore(&p->tlock, tok);
    unpin(p, t);
    return rc;
}

/* One timespec of an itimerspec: 0 <= nsec < 1e9, sec >= 0; saturating ns. */
static int its_part(const struct linux_timespec *ts, uint64_t *ns)
{
    if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= (int64_t)SYS_NSEC)
        return -EINVAL;
    *ns = (uint64_t)ts->tv_sec > (UINT64_MAX - (uint64_t)ts->tv_nsec) / SYS_NSEC
              ? UINT64_MAX
              : (uint64_t)ts->tv_sec * SYS_NSEC + (uint64_t)ts->tv_nsec;
    return 0;
}

/* Is timer id of p on the wall clock? (Its settings' absolute values are wall times.) */
static bool timer_is_wall(struct proc *p, uint64_t id)
{
    uint64_t tok = spin_lock_irqsave(&p->tlock);
    struct ptimer *t = find_locked(p, id);
    bool wall = t && t->wall;

    spin_unlock_irqrestore(&p->tlock, tok);
    return wall;
}

long sys_timer_settime(const uint64_t a[6])
{
    struct proc *p = sys_proc();
    struct linux_itimerspec its, old;
    uint64_t value, interval;
    int rc;

    if (!a[2])
        return -EINVAL;
    if (sys_copy_in(&its, a[2], sizeof(its)))
        return -EFAULT;
    if (its_part(&its.it_value, &value) || its_part(&its.it_interval, &interval))
        return -EINVAL;
    /* flags: Linux looks at TIMER_ABSTIME alone and ignores the other bits */
    rc = settime(p, a[0], value, a[1] & LINUX_TIMER_ABSTIME, interval, timer_is_wall(p, a[0]),
                 &old);
    if (rc)
        return rc;
    if (a[3] && sys_copy_out(a[3], &old, sizeof(old))) /* the new setting stays */
        return -EFAULT;
    return 0;
}

long sys_timer_gettime(const uint64_t a[6])
{
    struct proc *p = sys_proc();
    uint64_t tok = spin_lock_irqsave(&p->tlock);
    struct ptimer *t = find_locked(p, a[0]);
    struct linux_itimerspec its;

    if (t)
        its = get_locked(t);
    spin_unlock_irqrestore(&p->tlock, tok);
    if (!t)
        return -EINVAL;
    return sys_copy_out(a[1], &its, sizeof(its)) ? -EFAULT : 0;
}

long sys_timer_getoverrun(const uint64_t a[6])
{
    struct proc *p = sys_proc();
    uint64_t tok = spin_lock_irqsave(&p->tlock);
    struct ptimer *t = find_locked(p, a[0]);
    long rc = t ? t->overrun_last : -EINVAL;

    spin_unlock_irqrestore(&p->tlock, tok);
    return rc;
}

static long delete_id(struct proc *p, uint64_t id)
{
    uint64_t tok = spin_lock_irqsave(&p->tlock);
    struct ptimer *t = find_locked(p, id);

    if (t) {
        list_remove(&t->node);
        t->dead = true;
        t->ct.expiry_ns = 0;
        timer_cancel(&t->ct.timer);
    }
    spin_unlock_irqrestore(&p->tlock, tok);
    if (!t)
        return -EINVAL;
    destroy(p, t);
    return 0;
}

long sys_timer_delete(const uint64_t a[6])
{
    return delete_id(sys_proc(), a[0]);
}
