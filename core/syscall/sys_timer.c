/*
 * sys_timer.c - timers a program sets: timerfd_create/settime/gettime (the file kind is
 * fs/poll/timerfd.c). docs/time.md.
 *
 * Settings arrive as Linux itimerspecs on the timerfd's clock (REALTIME, MONOTONIC,
 * BOOTTIME, and the ALARM forms, which behave as their base clocks: Petrel never suspends).
 * They are decoded once into an absolute deadline on the monotonic clock, the clock every
 * kernel timer runs on; a wall-clock deadline is converted when it is set (the wall clock is
 * never set in Petrel, so it cannot drift from the monotonic one afterwards).
 */
#include "core/abi/fcntl.h"
#include "core/abi/time.h"
#include "core/syscall/sys_clock.h"
#include "core/syscall/sys_internal.h"
#include "fs/poll/timerfd.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"

#define TFD_CREATE_FLAGS (LINUX_TFD_NONBLOCK | LINUX_TFD_CLOEXEC)
#define TFD_SETTIME_FLAGS (LINUX_TFD_TIMER_ABSTIME | LINUX_TFD_TIMER_CANCEL_ON_SET)

/* One timespec of an itimerspec: 0 <= nsec < 1e9, sec >= 0; saturating ns. */
static int ts_ns(const struct linux_timespec *ts, uint64_t *ns)
{
    if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= (int64_t)SYS_NSEC)
        return -EINVAL;
    *ns = (uint64_t)ts->tv_sec > (UINT64_MAX - (uint64_t)ts->tv_nsec) / SYS_NSEC
              ? UINT64_MAX
              : (uint64_t)ts->tv_sec * SYS_NSEC + (uint64_t)ts->tv_nsec;
    return 0;
}

/* A value on a wall (wall true) or monotonic clock, absolute or relative, as an absolute
 * monotonic deadline; 0 stays 0 (disarm). A deadline already past is "now" (fires at once). */
static uint64_t deadline_of(uint64_t value, bool abs, bool wall)
{
    uint64_t mono = hal_clock_ns(), now;

    if (!value)
        return 0;
    if (!abs)
        return sys_add_sat(mono, value);
    now = wall ? hal_wallclock_ns() : mono;
    return value > now ? sys_add_sat(mono, value - now) : (mono ? mono : 1);
}

static struct linux_itimerspec its_of(const struct timerfd_spec *s)
{
    struct linux_itimerspec its = {sys_ts_of(s->interval_ns), sys_ts_of(s->value_ns)};

    return its;
}

/* The clocks timerfd_create takes; the others are -EINVAL, as on Linux. */
static bool tfd_clock_ok(int32_t id)
{
    return id == LINUX_CLOCK_REALTIME || id == LINUX_CLOCK_MONOTONIC ||
           id == LINUX_CLOCK_BOOTTIME || id == LINUX_CLOCK_REALTIME_ALARM ||
           id == LINUX_CLOCK_BOOTTIME_ALARM;
}

static bool clock_is_wall(int32_t id)
{
    return id == LINUX_CLOCK_REALTIME || id == LINUX_CLOCK_REALTIME_ALARM;
}

long sys_timerfd_create(const uint64_t a[6])
{
    int32_t clock = (int32_t)a[0];
    struct file *f;
    int rc;

    if (!tfd_clock_ok(clock) || (a[1] & ~(uint64_t)TFD_CREATE_FLAGS))
        return -EINVAL;
    rc = timerfd_create((a[1] & LINUX_TFD_NONBLOCK) ? VFS_O_NONBLOCK : 0, clock, &f);
    if (rc)
        return rc;
    rc = fd_install(&sys_proc()->fds, 0, f, a[1] & LINUX_TFD_CLOEXEC);
    if (rc < 0)
        file_put(f);
    return rc;
}

/* The timerfd behind descriptor fd (a reference): -EBADF, or -EINVAL for another kind. */
static int tfd_get(uint64_t fd, struct file **out)
{
    int rc;

    if (fd > INT32_MAX)
        return -EBADF;
    rc = fd_get(&sys_proc()->fds, (int)fd, out);
    if (rc)
        return rc;
    if (!timerfd_is(*out)) {
        file_put(*out);
        return -EINVAL;
    }
    return 0;
}

long sys_timerfd_settime(const uint64_t a[6])
{
    struct linux_itimerspec its, oits;
    struct timerfd_spec spec, old;
    struct file *f;
    int rc;

    if (sys_copy_in(&its, a[2], sizeof(its)))
        return -EFAULT;
    if ((a[1] & ~(uint64_t)TFD_SETTIME_FLAGS) || ts_ns(&its.it_value, &spec.value_ns) ||
        ts_ns(&its.it_interval, &spec.interval_ns))
        return -EINVAL;
    rc = tfd_get(a[0], &f);
    if (rc)
        return rc;
    /* CANCEL_ON_SET: nothing ever sets Petrel's wall clock, so there is nothing to cancel */
    spec.value_ns = deadline_of(spec.value_ns, a[1] & LINUX_TFD_TIMER_ABSTIME,
                                clock_is_wall(timerfd_clock(f)));
    timerfd_set(f, &spec, &old);
    file_put(f);
    oits = its_of(&old);
    if (a[3] && sys_copy_out(a[3], &oits, sizeof(oits))) /* the new setting stays */
        return -EFAULT;
    return 0;
}

long sys_timerfd_gettime(const uint64_t a[6])
{
    struct linux_itimerspec its;
    struct timerfd_spec cur;
    struct file *f;
    int rc = tfd_get(a[0], &f);

    if (rc)
        return rc;
    timerfd_get(f, &cur);
    file_put(f);
    its = its_of(&cur);
    return sys_copy_out(a[1], &its, sizeof(its)) ? -EFAULT : 0;
}
