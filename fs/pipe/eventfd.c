/*
 * eventfd.c - eventfd counters (eventfd.h).
 *
 * Locking: e->lock (a mutex) guards the counter; one wait queue carries both directions
 * (readers waiting for a non-zero counter, writers waiting for room), woken with the
 * LINUX_EPOLL* bits that became true, as Linux's single eventfd wait queue. Reads and writes
 * wait in the shared loop of fs/file/waitloop.h (FILE_WAIT_MUTEX: a sleeper takes the queue's
 * lock before dropping e->lock, so no wake is lost). poll reads the counter with an atomic
 * load and never sleeps.
 */
#include "fs/pipe/eventfd.h"

#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "fs/file/waitloop.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_errno.h"

#define EFD_MAX UINT64_MAX

struct eventfd {
    struct mutex lock;
    struct wait_queue wq;
    uint64_t count; /* under lock; atomic loads by poll */
    unsigned mode;
};

static struct eventfd *efd_of(struct file *f)
{
    return f->priv;
}

static uint64_t get_count(struct eventfd *e)
{
    return __atomic_load_n(&e->count, __ATOMIC_RELAXED);
}

static void set_count(struct eventfd *e, uint64_t v)
{
    __atomic_store_n(&e->count, v, __ATOMIC_RELAXED);
}

/* The e->lock critical sections of a read and a write (waitloop.h), and their loop. */
static long efd_take(void *obj, void *arg)
{
    struct eventfd *e = obj;
    uint64_t *v = arg;

    if (e->count == 0)
        return 0;
    *v = (e->mode & EVENTFD_SEMAPHORE) ? 1 : e->count;
    set_count(e, e->count - *v);
    wq_wake_key(&e->wq, LINUX_EPOLLOUT | LINUX_EPOLLWRNORM, 0);
    return sizeof(*v);
}

static long efd_add(void *obj, void *arg)
{
    struct eventfd *e = obj;
    uint64_t v = *(uint64_t *)arg;

    if (EFD_MAX - e->count <= v)
        return 0; /* no room: wait for a read */
    if (v) {
        set_count(e, e->count + v);
        wq_wake_key(&e->wq, LINUX_EPOLLIN | LINUX_EPOLLRDNORM, 0);
    }
    return sizeof(v);
}

static long efd_loop(struct file *f, long (*fn)(void *obj, void *arg), uint64_t *v)
{
    struct eventfd *e = efd_of(f);
    struct file_wait w = {
        .wq = &e->wq, .lock = FILE_WAIT_MUTEX, .mutex = &e->lock, .take = fn, .obj = e};

    return file_wait_loop(&w, file_flags(f) & VFS_O_NONBLOCK, v);
}

static long efd_read(struct file *f, void *buf, size_t n, uint64_t *pos)
{
    uint64_t v;
    long rc;

    (void)pos;
    if (n < sizeof(v))
        return -EINVAL;
    rc = efd_loop(f, efd_take, &v);
    if (rc > 0)
        memcpy(buf, &v, sizeof(v));
    return rc;
}

static long efd_write(struct file *f, const void *buf, size_t n, uint64_t *pos)
{
    uint64_t v;

    (void)pos;
    if (n < sizeof(v))
        return -EINVAL;
    memcpy(&v, buf, sizeof(v));
    if (v == EFD_MAX)
        return -EINVAL;
    return efd_loop(f, efd_add, &v);
}

static unsigned efd_poll(struct file *f, struct poll_table *pt)
{
    struct eventfd *e = efd_of(f);
    uint64_t c;
    unsigned mask = 0;

    poll_wait(pt, &e->wq);
    c = get_count(e);
    if (c > 0)
        mask |= LINUX_EPOLLIN | LINUX_EPOLLRDNORM;
    if (c == EFD_MAX)
        mask |= LINUX_EPOLLERR; /* only reachable as Linux's overflow state */
    if (EFD_MAX - 1 > c)
        mask |= LINUX_EPOLLOUT | LINUX_EPOLLWRNORM;
    return mask;
}

static void efd_release(struct file *f)
{
    kfree(f->priv);
}

static const struct file_ops efd_ops = {
    .name = "eventfd",
    .read = efd_read,
    .write = efd_write,
    .lseek = file_noop_lseek,
    .stat = file_anon_stat,
    .poll = efd_poll,
    .release = efd_release,
};

int eventfd_create(uint64_t initval, unsigned nb, unsigned mode, struct file **out)
{
    struct eventfd *e = kzalloc(sizeof(*e));

    *out = NULL;
    if (!e)
        return -ENOMEM;
    mutex_init(&e->lock, "eventfd");
    wq_init(&e->wq, "eventfd");
    e->count = initval;
    e->mode = mode;
    *out = file_alloc(&efd_ops, e, VFS_O_RDWR | (nb & VFS_O_NONBLOCK), FILE_MODE_NOSPLICE);
    if (!*out) {
        kfree(e);
        return -ENOMEM;
    }
    return 0;
}
