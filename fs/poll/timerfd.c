/*
 * timerfd.c - timerfd files (timerfd.h).
 *
 * One struct timer (core/sched) per timerfd, armed for the next expiry on the monotonic
 * clock. Its callback runs in interrupt context: it counts the expirations that passed (a
 * late callback, or a period shorter than the delay, counts every period that went by, as
 * Linux's overrun count does), re-arms a periodic timer for the next one, and wakes the
 * readers with EPOLLIN.
 *
 *     set(value, interval)        expiry = value
 *     callback at now >= expiry   n = 1 + (now - expiry) / interval; ticks += n;
 *                                 expiry += n * interval (or 0: one-shot done); wake
 *     read                        wait for ticks > 0; return ticks; ticks = 0
 *
 * Locking: the wait queue's spinlock (taken irq-save) guards everything; the callback
 * takes it too, so a set/read never sees half an update. Readers wait in the shared loop of
 * fs/file/waitloop.h (FILE_WAIT_SPIN: on the same lock, so no wake is lost). One CPU runs timers
 * today: a callback cannot run on another CPU while release frees the object (docs/scheduler.md).
 */
#include "fs/poll/timerfd.h"

#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/lib/period.h"
#include "fs/file/waitloop.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"

struct timerfd {
    struct wait_queue wq; /* its lock guards the fields below */
    struct timer timer;
    uint64_t expiry_ns;   /* next expiry (monotonic); 0: disarmed */
    uint64_t interval_ns; /* 0: one-shot */
    uint64_t ticks;       /* expirations not read yet */
    int clock;            /* constant: the creator's clock id */
};

static const struct file_ops tfd_ops;

static struct timerfd *tfd_of(struct file *f)
{
    return f->priv;
}

/* Lock held: count what expired by now (core/lib/period.h) and re-arm a periodic timer. */
static void tfd_expire_locked(struct timerfd *t, uint64_t now)
{
    uint64_t n = period_expire(&t->expiry_ns, t->interval_ns, now);

    if (!n)
        return;
    t->ticks = t->ticks + n < t->ticks ? UINT64_MAX : t->ticks + n;
    if (t->expiry_ns)
        timer_arm(&t->timer, t->expiry_ns);
    wq_wake_key_locked(&t->wq, LINUX_EPOLLIN | LINUX_EPOLLRDNORM, 0);
}

static void tfd_timer_fn(struct timer *tm, void *arg)
{
    struct timerfd *t = arg;
    uint64_t irq = spin_lock_irqsave(&t->wq.lock);

    (void)tm;
    tfd_expire_locked(t, hal_clock_ns());
    spin_unlock_irqrestore(&t->wq.lock, irq);
}

/* Under t->wq.lock (waitloop.h): the expirations so far, counting a due one whose interrupt
 * is still pending. */
static long tfd_take(void *obj, void *arg)
{
    struct timerfd *t = obj;

    tfd_expire_locked(t, hal_clock_ns());
    if (t->ticks == 0)
        return 0;
    *(uint64_t *)arg = t->ticks;
    t->ticks = 0;
    return sizeof(uint64_t);
}

static long tfd_read(struct file *f, void *buf, size_t n, uint64_t *pos)
{
    struct timerfd *t = tfd_of(f);
    struct file_wait w = {.wq = &t->wq, .lock = FILE_WAIT_SPIN, .take = tfd_take, .obj = t};
    uint64_t v;
    long rc;

    (void)pos;
    if (n < sizeof(v))
        return -EINVAL;
    rc = file_wait_loop(&w, file_flags(f) & VFS_O_NONBLOCK, &v);
    if (rc > 0)
        memcpy(buf, &v, sizeof(v));
    return rc;
}

static unsigned tfd_poll(struct file *f, struct poll_table *pt)
{
    struct timerfd *t = tfd_of(f);
    uint64_t irq;
    unsigned mask;

    poll_wait(pt, &t->wq);
    irq = spin_lock_irqsave(&t->wq.lock);
    tfd_expire_locked(t, hal_clock_ns());
    mask = t->ticks ? LINUX_EPOLLIN | LINUX_EPOLLRDNORM : 0;
    spin_unlock_irqrestore(&t->wq.lock, irq);
    return mask;
}

static void tfd_release(struct file *f)
{
    struct timerfd *t = tfd_of(f);

    timer_cancel(&t->timer);
    kfree(t);
}

static const struct file_ops tfd_ops = {
    .name = "timerfd",
    .read = tfd_read,
    .lseek = file_noop_lseek,
    .stat = file_anon_stat,
    .poll = tfd_poll,
    .release = tfd_release,
};

int timerfd_file_create(unsigned nb, int clock, struct file **out)
{
    struct timerfd *t = kzalloc(sizeof(*t));

    *out = NULL;
    if (!t)
        return -ENOMEM;
    wq_init(&t->wq, "timerfd");
    timer_init(&t->timer, tfd_timer_fn, t);
    t->clock = clock;
    *out = file_alloc(&tfd_ops, t, VFS_O_RDWR | (nb & VFS_O_NONBLOCK), FILE_MODE_NOSPLICE);
    if (!*out) {
        kfree(t);
        return -ENOMEM;
    }
    return 0;
}

bool timerfd_is(struct file *f)
{
    return f->ops == &tfd_ops;
}

int timerfd_clock(struct file *f)
{
    return tfd_of(f)->clock;
}

/* Lock held: the setting as timerfd_get reports it. */
static void tfd_get_locked(struct timerfd *t, uint64_t now, struct timerfd_spec *cur)
{
    cur->interval_ns = t->interval_ns;
    cur->value_ns = 0;
    if (t->expiry_ns) /* a due expiry not yet counted reads as 1 ns left, as Linux rounds */
        cur->value_ns = t->expiry_ns > now ? t->expiry_ns - now : 1;
}

void timerfd_set(struct file *f, const struct timerfd_spec *spec, struct timerfd_spec *old)
{
    struct timerfd *t = tfd_of(f);
    uint64_t irq = spin_lock_irqsave(&t->wq.lock);
    uint64_t now = hal_clock_ns();

    tfd_expire_locked(t, now);
    if (old)
        tfd_get_locked(t, now, old);
    timer_cancel(&t->timer);
    t->ticks = 0;
    t->interval_ns = spec->interval_ns;
    t->expiry_ns = spec->value_ns;
    if (t->expiry_ns && t->expiry_ns <= now)
        tfd_expire_locked(t, now); /* already due: counted now, as Linux's hrtimer does */
    else if (t->expiry_ns)
        timer_arm(&t->timer, t->expiry_ns);
    spin_unlock_irqrestore(&t->wq.lock, irq);
}

void timerfd_get(struct file *f, struct timerfd_spec *cur)
{
    struct timerfd *t = tfd_of(f);
    uint64_t irq = spin_lock_irqsave(&t->wq.lock);
    uint64_t now = hal_clock_ns();

    tfd_expire_locked(t, now);
    tfd_get_locked(t, now, cur);
    spin_unlock_irqrestore(&t->wq.lock, irq);
}
