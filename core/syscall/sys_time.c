/*
 * sys_time.c - clocks and sleeping: clock_gettime/getres, gettimeofday, time, nanosleep,
 * clock_nanosleep.
 *
 * CLOCK_MONOTONIC, _RAW, _COARSE and CLOCK_BOOTTIME are hal_clock_ns() (the machine never
 * suspends); CLOCK_REALTIME and _COARSE are hal_wallclock_ns(). The process and thread CPU
 * clocks read as the monotonic clock: the one program owns the machine (docs/syscalls.md).
 * Sleeps are scheduler sleeps (virtual time in hosted tests); no signal interrupts them yet.
 */
#include "core/abi/time.h"
#include "core/syscall/sys_internal.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"

#define NSEC 1000000000LL
#define COARSE_RES_NS 4000000 /* a 250 Hz tick, as Linux's usual CONFIG_HZ */

/* The clock's time in ns; -EINVAL for an unknown clock. */
static int clock_read(uint64_t id, uint64_t *ns)
{
    switch (id) {
    case LINUX_CLOCK_REALTIME:
    case LINUX_CLOCK_REALTIME_COARSE:
        *ns = hal_wallclock_ns();
        return 0;
    case LINUX_CLOCK_MONOTONIC:
    case LINUX_CLOCK_MONOTONIC_RAW:
    case LINUX_CLOCK_MONOTONIC_COARSE:
    case LINUX_CLOCK_BOOTTIME:
    case LINUX_CLOCK_PROCESS_CPUTIME_ID:
    case LINUX_CLOCK_THREAD_CPUTIME_ID:
        *ns = hal_clock_ns();
        return 0;
    default:
        return -EINVAL;
    }
}

static struct linux_timespec ts_of(uint64_t ns)
{
    struct linux_timespec ts = {(int64_t)(ns / NSEC), (int64_t)(ns % NSEC)};

    return ts;
}

long sys_clock_gettime(const uint64_t a[6])
{
    uint64_t ns;
    struct linux_timespec ts;
    int rc = clock_read(a[0], &ns);

    if (rc)
        return rc;
    ts = ts_of(ns);
    return sys_copy_out(a[1], &ts, sizeof(ts));
}

long sys_clock_getres(const uint64_t a[6])
{
    uint64_t ns;
    struct linux_timespec ts = {0, 1};
    int rc = clock_read(a[0], &ns);

    if (rc)
        return rc;
    if (a[0] == LINUX_CLOCK_REALTIME_COARSE || a[0] == LINUX_CLOCK_MONOTONIC_COARSE)
        ts.tv_nsec = COARSE_RES_NS;
    return a[1] ? sys_copy_out(a[1], &ts, sizeof(ts)) : 0;
}

long sys_gettimeofday(const uint64_t a[6])
{
    uint64_t ns = hal_wallclock_ns();
    struct linux_timeval tv = {(int64_t)(ns / NSEC), (int64_t)(ns % NSEC) / 1000};
    struct linux_timezone tz = {0, 0}; /* UTC, no DST */

    if (a[0] && sys_copy_out(a[0], &tv, sizeof(tv)))
        return -EFAULT;
    if (a[1] && sys_copy_out(a[1], &tz, sizeof(tz)))
        return -EFAULT;
    return 0;
}

long sys_time(const uint64_t a[6])
{
    int64_t t = (int64_t)(hal_wallclock_ns() / NSEC);

    if (a[0] && sys_copy_out(a[0], &t, sizeof(t)))
        return -EFAULT;
    return t;
}

/* Copy in and check a timespec: 0 <= nsec < 1e9 and sec >= 0. */
static int ts_in(uint64_t u, uint64_t *ns)
{
    struct linux_timespec ts;

    if (sys_copy_in(&ts, u, sizeof(ts)))
        return -EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC)
        return -EINVAL;
    *ns = (uint64_t)ts.tv_sec > (UINT64_MAX - (uint64_t)ts.tv_nsec) / NSEC
              ? UINT64_MAX
              : (uint64_t)ts.tv_sec * NSEC + (uint64_t)ts.tv_nsec;
    return 0;
}

/*
 * Sleep until deadline (monotonic ns). Interrupted by a signal: an absolute clock_nanosleep
 * returns -ERESTARTNOHAND (restarted as it was made when no handler runs); a relative one
 * writes the time left to urem (when given; -EFAULT if that fails) and arms the restart
 * block with the same deadline (-ERESTART_RESTARTBLOCK), as Linux's hrtimer_nanosleep.
 */
static long nanosleep_restart(struct uthread_restart *rb);

static long sleep_until(uint64_t deadline, uint64_t urem, bool abs)
{
    uint64_t now, left;
    struct linux_timespec ts;

    if (sched_sleep_until_intr(deadline) == 0)
        return 0;
    if (abs)
        return -ERESTARTNOHAND;
    now = hal_clock_ns();
    left = deadline > now ? deadline - now : 0;
    ts.tv_sec = (int64_t)(left / NSEC);
    ts.tv_nsec = (int64_t)(left % NSEC);
    if (urem && sys_copy_out(urem, &ts, sizeof(ts)))
        return -EFAULT;
    return uthread_restart_block(uthread_current(), nanosleep_restart, deadline, urem, 0, 0);
}

static long nanosleep_restart(struct uthread_restart *rb)
{
    return sleep_until(rb->arg[0], rb->arg[1], false);
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

long sys_nanosleep(const uint64_t a[6])
{
    uint64_t ns;
    int rc = ts_in(a[0], &ns);

    if (rc)
        return rc;
    return sleep_until(add_sat(hal_clock_ns(), ns), a[1], false);
}

long sys_clock_nanosleep(const uint64_t a[6])
{
    uint64_t ns, now;
    int rc;

    if (a[1] & ~(uint64_t)LINUX_TIMER_ABSTIME)
        return -EINVAL;
    if (a[0] == LINUX_CLOCK_THREAD_CPUTIME_ID)
        return -EINVAL;
    rc = clock_read(a[0], &now);
    if (rc)
        return rc;
    if (a[0] == LINUX_CLOCK_PROCESS_CPUTIME_ID || a[0] == LINUX_CLOCK_REALTIME_COARSE ||
        a[0] == LINUX_CLOCK_MONOTONIC_COARSE || a[0] == LINUX_CLOCK_MONOTONIC_RAW)
        return -EOPNOTSUPP;
    rc = ts_in(a[2], &ns);
    if (rc)
        return rc;
    if (a[1] & LINUX_TIMER_ABSTIME) /* a deadline on that clock, as a delay from now */
        ns = ns > now ? ns - now : 0;
    return sleep_until(add_sat(hal_clock_ns(), ns), a[3], a[1] & LINUX_TIMER_ABSTIME);
}
