/*
 * sys_timer.c - timers a program sets: timerfd_create/settime/gettime (the file kind is
 * fs/poll/timerfd.c), setitimer/getitimer/alarm. docs/time.md.
 *
 * Settings arrive as Linux itimerspecs on the timerfd's clock (REALTIME, MONOTONIC,
 * BOOTTIME, and the ALARM forms, which behave as their base clocks: Petrel never suspends).
 * They are decoded once into an absolute deadline on the monotonic clock, the clock every
 * kernel timer runs on; a wall-clock deadline is converted when it is set (the wall clock is
 * never set in Petrel, so it cannot drift from the monotonic one afterwards).
 */
#include "core/abi/fcntl.h"
#include "core/abi/time.h"
#include "core/syscall/ctimer.h"
#include "core/signal/signal.h"
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
    rc = timerfd_file_create((a[1] & LINUX_TFD_NONBLOCK) ? VFS_O_NONBLOCK : 0, clock, &f);
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

/* --- interval timers: setitimer, getitimer, alarm ------------------------------------------ */

/*
 * ITIMER_REAL counts down on the monotonic clock and sends SIGALRM; ITIMER_VIRTUAL and
 * ITIMER_PROF count down the process's CPU time (user, user + system) and send SIGVTALRM and
 * SIGPROF. Each is a process clock timer (ctimer.h), set up on first use. Signals go to the
 * process, SI_KERNEL as Linux sends them: one per expiry look, however many periods passed
 * (a periodic timer goes on from the first period boundary after now).
 */
static const int itimer_sig[3] = {LINUX_SIGALRM, LINUX_SIGVTALRM, LINUX_SIGPROF};

static void itimer_fire(struct proc_timer *t, uint64_t n)
{
    struct proc *p = t->proc;

    (void)n;
    signal_send(p, NULL, itimer_sig[t - p->itimer], NULL);
}

static struct linux_timeval tv_of_ns(uint64_t ns)
{
    struct linux_timeval tv = {(int64_t)(ns / SYS_NSEC), (int64_t)(ns % SYS_NSEC) / 1000};

    return tv;
}

/* tlock held: the setting as getitimer reports it (time left, at least 1 us when armed). */
static struct linux_itimerval itimer_get_locked(struct proc_timer *it)
{
    struct linux_itimerval v = {tv_of_ns(it->interval_ns), {0, 0}};
    uint64_t left;

    if (it->timer.fn && it->expiry_ns) {
        left = sys_ctimer_left_locked(it, sys_ctimer_now_locked(it));
        v.it_value = tv_of_ns(left > 1000 ? left : 1000);
    }
    return v;
}

/* tlock held: set itimer which up on its clock the first time. */
static struct proc_timer *itimer_of_locked(struct proc *p, int which)
{
    struct proc_timer *it = &p->itimer[which];

    if (!it->timer.fn)
        sys_ctimer_init(it, p, which == LINUX_ITIMER_REAL ? SYS_CLK_MONO : SYS_CLK_PROC,
                        which == LINUX_ITIMER_VIRTUAL, NULL, itimer_fire);
    return it;
}

/* Set itimer which of p to value/interval (relative ns; value 0 disarms); *old gets the
 * previous setting. */
static void itimer_set(struct proc *p, int which, uint64_t value, uint64_t interval,
                       struct linux_itimerval *old)
{
    uint64_t tok = spin_lock_irqsave(&p->tlock);
    struct proc_timer *it = itimer_of_locked(p, which);

    *old = itimer_get_locked(it);
    sys_ctimer_set_locked(it, value, false, interval);
    spin_unlock_irqrestore(&p->tlock, tok);
}

static int tv_ns(const struct linux_timeval *tv, uint64_t *ns)
{
    if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)
        return -EINVAL;
    *ns = (uint64_t)tv->tv_sec > (UINT64_MAX - 999999000ULL) / SYS_NSEC
              ? UINT64_MAX
              : (uint64_t)tv->tv_sec * SYS_NSEC + (uint64_t)tv->tv_usec * 1000;
    return 0;
}

long sys_setitimer(const uint64_t a[6])
{
    struct linux_itimerval nv = {{0, 0}, {0, 0}}, ov;
    uint64_t value, interval;

    if (a[1] && sys_copy_in(&nv, a[1], sizeof(nv))) /* NULL: disarm, as Linux */
        return -EFAULT;
    if (a[0] > LINUX_ITIMER_PROF || tv_ns(&nv.it_value, &value) ||
        tv_ns(&nv.it_interval, &interval))
        return -EINVAL;
    itimer_set(sys_proc(), (int)a[0], value, interval, &ov);
    if (a[2] && sys_copy_out(a[2], &ov, sizeof(ov)))
        return -EFAULT;
    return 0;
}

long sys_getitimer(const uint64_t a[6])
{
    struct proc *p = sys_proc();
    struct linux_itimerval v;
    uint64_t tok;

    if (a[0] > LINUX_ITIMER_PROF)
        return -EINVAL;
    tok = spin_lock_irqsave(&p->tlock);
    v = itimer_get_locked(itimer_of_locked(p, (int)a[0]));
    spin_unlock_irqrestore(&p->tlock, tok);
    return sys_copy_out(a[1], &v, sizeof(v)) ? -EFAULT : 0;
}

long sys_alarm(const uint64_t a[6])
{
    struct linux_itimerval ov;
    int64_t left;

    itimer_set(sys_proc(), LINUX_ITIMER_REAL, (uint64_t)(uint32_t)a[0] * SYS_NSEC, 0, &ov);
    left = ov.it_value.tv_sec; /* Linux rounds: half a second up, and never 0 when armed */
    if ((!left && ov.it_value.tv_usec) || ov.it_value.tv_usec >= 500000)
        left++;
    return left;
}
