/*
 * sys_time.c - clocks, sleeping and CPU usage: clock_gettime/getres, gettimeofday, time,
 * nanosleep, clock_nanosleep, times, getrusage (docs/time.md).
 *
 * Clock ids are decoded once (sys_clock.h): the wall clock, the monotonic clock, and CPU
 * clocks measured by the scheduler (core/sched/cputime.c: a thread's time on the CPU, the
 * process's as the sum over its threads, ended ones included). The answers for odd ids
 * (ALARM clocks, fd clocks, thread clocks in clock_nanosleep) are those of the host's Linux
 * (tests/syscall/cases_time.c checks them natively).
 *
 * Sleeps are interruptible: a signal ends them with the restart code Linux uses,
 * -ERESTART_RESTARTBLOCK for relative sleeps (the remaining time is written to rmtp) and
 * -ERESTARTNOHAND for absolute ones. A sleep on the process CPU clock waits for the
 * process's CPU time, re-armed on the monotonic clock (CPU time never runs faster than the
 * monotonic clock on one CPU, so the wait never ends late).
 */
#include "core/abi/resource.h"
#include "core/abi/time.h"
#include "core/syscall/sys_clock.h"
#include "core/syscall/sys_internal.h"
#include "hal/hal_errno.h"
#include "hal/hal_mem.h"
#include "hal/hal_time.h"

/* --- decoding clock ids ----------------------------------------------------------------- */

/* A dynamic CPU clock: the pid or tid it names must be this process or one of its threads. */
static int decode_dynamic(int32_t id, struct sys_clock *c)
{
    struct proc *p = sys_proc();
    int pid = ~(id >> 3); /* (~pid) << 3 | kind, undone (arithmetic shift) */
    int kind = id & LINUX_CPUCLOCK_CLOCK_MASK;
    struct uthread *ut;

    if (kind == 3) /* a CPU clock of no kind (or an fd clock: none exist here) */
        return -EINVAL;
    c->dynamic = true;
    c->coarse = kind != LINUX_CPUCLOCK_SCHED;
    c->user_only = kind == LINUX_CPUCLOCK_VIRT;
    if (!(id & LINUX_CPUCLOCK_PERTHREAD_MASK)) {
        c->base = SYS_CLK_PROC;
        return pid == 0 || pid == p->pid ? 0 : -EINVAL;
    }
    c->base = SYS_CLK_THREAD;
    c->tid = pid;
    if (pid == 0)
        return 0;
    ut = proc_find_thread(p, pid);
    if (!ut)
        return -EINVAL;
    uthread_put(ut);
    return 0;
}

int sys_clock_decode(uint64_t arg, struct sys_clock *c)
{
    int32_t id = (int32_t)arg;

    *c = (struct sys_clock){.id = id};
    if (id < 0)
        return decode_dynamic(id, c);
    switch (id) {
    case LINUX_CLOCK_REALTIME_COARSE:
        c->coarse = true;
        /* fall through */
    case LINUX_CLOCK_REALTIME:
    case LINUX_CLOCK_TAI:
        c->base = SYS_CLK_WALL;
        return 0;
    case LINUX_CLOCK_MONOTONIC_COARSE:
        c->coarse = true;
        /* fall through */
    case LINUX_CLOCK_MONOTONIC:
    case LINUX_CLOCK_MONOTONIC_RAW:
    case LINUX_CLOCK_BOOTTIME:
        c->base = SYS_CLK_MONO;
        return 0;
    case LINUX_CLOCK_PROCESS_CPUTIME_ID:
        c->base = SYS_CLK_PROC;
        return 0;
    case LINUX_CLOCK_THREAD_CPUTIME_ID:
        c->base = SYS_CLK_THREAD;
        return 0;
    default: /* the ALARM clocks want an RTC wakeup device, which Petrel has not */
        return -EINVAL;
    }
}

uint64_t sys_proc_cpu_ns(struct proc *p, bool user_only)
{
    struct sched_cputime ct;

    if (!user_only) /* the measured total: the clock never reads the split (cputime.c) */
        return sched_group_cpu_ns(&p->cputime);
    sched_group_cputime(&p->cputime, &ct);
    return ct.user_ns;
}

/* The CPU time of p's thread tid (0: the caller), or -EINVAL once it ended. */
static int thread_cpu(struct proc *p, int tid, bool user_only, uint64_t *ns)
{
    struct sched_cputime ct = {0};
    bool found = false;
    uint64_t tok;

    if (tid == 0)
        tid = uthread_current()->tid;
    tok = spin_lock_irqsave(&p->tlock); /* keeps the kernel thread from being freed */
    PROC_FOR_EACH_THREAD(p, ut)
    {
        if (ut->tid != tid || ut->exited)
            continue;
        found = true;
        if (ut->thread) /* NULL: cloned but not started yet, so no CPU time */
            thread_cputime(ut->thread, &ct);
    }
    spin_unlock_irqrestore(&p->tlock, tok);
    if (!found)
        return -EINVAL;
    *ns = user_only ? ct.user_ns : ct.run_ns;
    return 0;
}

int sys_clock_now(const struct sys_clock *c, uint64_t *ns)
{
    switch (c->base) {
    case SYS_CLK_WALL:
        *ns = hal_wallclock_ns();
        return 0;
    case SYS_CLK_MONO:
        *ns = hal_clock_ns();
        return 0;
    case SYS_CLK_PROC:
        *ns = sys_proc_cpu_ns(sys_proc(), c->user_only);
        return 0;
    case SYS_CLK_THREAD:
        return thread_cpu(sys_proc(), c->tid, c->user_only, ns);
    }
    return -EINVAL;
}

struct linux_timespec sys_ts_of(uint64_t ns)
{
    struct linux_timespec ts = {(int64_t)(ns / SYS_NSEC), (int64_t)(ns % SYS_NSEC)};

    return ts;
}

int sys_timespec_in(uint64_t u, uint64_t *ns)
{
    struct linux_timespec ts;

    if (sys_copy_in(&ts, u, sizeof(ts)))
        return -EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)SYS_NSEC)
        return -EINVAL;
    *ns = (uint64_t)ts.tv_sec > (UINT64_MAX - (uint64_t)ts.tv_nsec) / SYS_NSEC
              ? UINT64_MAX
              : (uint64_t)ts.tv_sec * SYS_NSEC + (uint64_t)ts.tv_nsec;
    return 0;
}

/* --- reading clocks --------------------------------------------------------------------- */

long sys_clock_gettime(const uint64_t a[6])
{
    struct sys_clock c;
    struct linux_timespec ts;
    uint64_t ns;
    int rc = sys_clock_decode(a[0], &c);

    if (rc || (rc = sys_clock_now(&c, &ns)))
        return rc;
    ts = sys_ts_of(ns);
    return sys_copy_out(a[1], &ts, sizeof(ts));
}

long sys_clock_getres(const uint64_t a[6])
{
    struct sys_clock c;
    struct linux_timespec ts = {0, 1};
    int rc = sys_clock_decode(a[0], &c);

    if (rc)
        return rc;
    if (c.coarse)
        ts.tv_nsec = (int64_t)SYS_TICK_NS;
    return a[1] ? sys_copy_out(a[1], &ts, sizeof(ts)) : 0;
}

long sys_gettimeofday(const uint64_t a[6])
{
    uint64_t ns = hal_wallclock_ns();
    struct linux_timeval tv = {(int64_t)(ns / SYS_NSEC), (int64_t)(ns % SYS_NSEC) / 1000};
    struct linux_timezone tz = {0, 0}; /* UTC, no DST */

    if (a[0] && sys_copy_out(a[0], &tv, sizeof(tv)))
        return -EFAULT;
    if (a[1] && sys_copy_out(a[1], &tz, sizeof(tz)))
        return -EFAULT;
    return 0;
}

long sys_time(const uint64_t a[6])
{
    int64_t t = (int64_t)(hal_wallclock_ns() / SYS_NSEC);

    if (a[0] && sys_copy_out(a[0], &t, sizeof(t)))
        return -EFAULT;
    return t;
}

/* --- sleeping --------------------------------------------------------------------------- */

/* Sleep until clock c reads target (monotonic or wall deadline, or CPU time of the process).
 * 0 when reached, -EINTR when a signal came first; *left: what remained then. */
static int sleep_clock(const struct sys_clock *c, uint64_t target, uint64_t *left)
{
    uint64_t now;

    for (;;) {
        if (sys_clock_now(c, &now))
            return -EINVAL;
        *left = target > now ? target - now : 0;
        if (!*left)
            return 0;
        if (sched_sleep_until_intr(sys_add_sat(hal_clock_ns(), *left))) {
            if (!sys_clock_now(c, &now))
                *left = target > now ? target - now : 0;
            return -EINTR;
        }
        if (c->base == SYS_CLK_MONO)
            return 0; /* the deadline was on this very clock */
    }
}

static long sleep_restart(struct uthread_restart *rb);

/*
 * An interrupted relative sleep: the time left goes to rmtp (when given; -EFAULT if that
 * fails) and the restart block keeps the same target on the same clock, so a restart with no
 * handler run (restart_syscall) sleeps only what was left, as Linux's hrtimer_nanosleep.
 */
static long sleep_interrupted(int32_t clock, uint64_t target, uint64_t rmtp, uint64_t left)
{
    struct linux_timespec ts = sys_ts_of(left);

    if (rmtp && sys_copy_out(rmtp, &ts, sizeof(ts)))
        return -EFAULT;
    return uthread_restart_block(uthread_current(), sleep_restart, target, rmtp,
                                 (uint64_t)(int64_t)clock, 0);
}

static long sleep_restart(struct uthread_restart *rb)
{
    struct sys_clock c;
    uint64_t left;

    if (sys_clock_decode(rb->arg[2], &c))
        return -EINVAL;
    if (!sleep_clock(&c, rb->arg[0], &left))
        return 0;
    return sleep_interrupted(c.id, rb->arg[0], rb->arg[1], left);
}

long sys_nanosleep(const uint64_t a[6])
{
    struct sys_clock c = {.id = LINUX_CLOCK_MONOTONIC, .base = SYS_CLK_MONO};
    uint64_t ns, left, target;
    int rc = sys_timespec_in(a[0], &ns);

    if (rc)
        return rc;
    target = sys_add_sat(hal_clock_ns(), ns);
    if (sleep_clock(&c, target, &left))
        return sleep_interrupted(c.id, target, a[1], left);
    return 0;
}

/* The clocks clock_nanosleep refuses, with Linux's answers: -EOPNOTSUPP for clocks that
 * exist but cannot be slept on, -EINVAL for unknown ones and thread CPU clocks. */
static int nsleep_clock(uint64_t arg, struct sys_clock *c)
{
    int32_t id = (int32_t)arg;
    int rc;

    if ((id >= LINUX_CLOCK_THREAD_CPUTIME_ID && id <= LINUX_CLOCK_MONOTONIC_COARSE) ||
        id == LINUX_CLOCK_REALTIME_ALARM || id == LINUX_CLOCK_BOOTTIME_ALARM ||
        (id < 0 && (id & 7) == 3)) /* Linux's fd clocks (PTP): no sleeping on them */
        return -EOPNOTSUPP;
    rc = sys_clock_decode(arg, c);
    if (rc)
        return rc;
    return c->base == SYS_CLK_THREAD ? -EINVAL : 0;
}

long sys_clock_nanosleep(const uint64_t a[6])
{
    struct sys_clock c;
    uint64_t ns, now, left;
    bool abs = a[1] & LINUX_TIMER_ABSTIME; /* Linux ignores the other flag bits */
    int rc = nsleep_clock(a[0], &c);

    if (rc || (rc = sys_timespec_in(a[2], &ns)))
        return rc;
    if ((rc = sys_clock_now(&c, &now)))
        return rc;
    if (!abs)
        ns = sys_add_sat(now, ns);
    if (c.base == SYS_CLK_WALL) { /* a wall deadline, slept on the monotonic clock */
        uint64_t mnow = hal_clock_ns();

        c = (struct sys_clock){.id = LINUX_CLOCK_MONOTONIC, .base = SYS_CLK_MONO};
        ns = ns > now ? sys_add_sat(mnow, ns - now) : mnow;
    }
    rc = sleep_clock(&c, ns, &left);
    if (!rc)
        return 0;
    return abs ? -ERESTARTNOHAND : sleep_interrupted(c.id, ns, a[3], left);
}

/* --- CPU usage ---------------------------------------------------------------------------- */

static struct linux_timeval tv_of(uint64_t ns)
{
    struct linux_timeval tv = {(int64_t)(ns / SYS_NSEC), (int64_t)(ns % SYS_NSEC) / 1000};

    return tv;
}

static int64_t ticks_of(uint64_t ns)
{
    return (int64_t)(ns / (SYS_NSEC / LINUX_USER_HZ));
}

long sys_times(const uint64_t a[6])
{
    struct sched_cputime ct;
    struct linux_tms tms = {0};

    sched_group_cputime(&sys_proc()->cputime, &ct);
    tms.tms_utime = ticks_of(ct.user_ns);
    tms.tms_stime = ticks_of(ct.sys_ns);
    /* cutime/cstime: children waited for; Petrel's one process has none */
    if (a[0] && sys_copy_out(a[0], &tms, sizeof(tms)))
        return -EFAULT;
    return ticks_of(hal_clock_ns());
}

/* The resident set in KiB: the process's private pages now, or the largest seen before. */
static int64_t maxrss_kib(struct proc *p)
{
    uint64_t kib = __atomic_load_n(&p->vm->nr_pages, __ATOMIC_RELAXED) * (HAL_PAGE_SIZE / 1024);
    uint64_t seen = __atomic_load_n(&p->maxrss_kib, __ATOMIC_RELAXED);

    while (kib > seen && !__atomic_compare_exchange_n(&p->maxrss_kib, &seen, kib, false,
                                                      __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
    return (int64_t)(kib > seen ? kib : seen);
}

long sys_getrusage(const uint64_t a[6])
{
    struct proc *p = sys_proc();
    struct linux_rusage ru = {0};
    struct sched_cputime ct = {0};
    int who = (int)a[0];

    switch (who) {
    case LINUX_RUSAGE_SELF:
        sched_group_cputime(&p->cputime, &ct);
        break;
    case LINUX_RUSAGE_THREAD:
        thread_cputime(thread_current(), &ct);
        break;
    case LINUX_RUSAGE_CHILDREN: /* no child ever ran: all zero, as on Linux */
        break;
    default:
        return -EINVAL;
    }
    if (who != LINUX_RUSAGE_CHILDREN)
        ru.ru_maxrss = maxrss_kib(p); /* RUSAGE_THREAD too: Linux reports the process's */
    ru.ru_utime = tv_of(ct.user_ns);
    ru.ru_stime = tv_of(ct.sys_ns);
    ru.ru_nvcsw = (int64_t)ct.nvcsw;
    ru.ru_nivcsw = (int64_t)ct.nivcsw;
    return sys_copy_out(a[1], &ru, sizeof(ru)) ? -EFAULT : 0;
}
