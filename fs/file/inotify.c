/*
 * inotify.c - the inotify file kind (inotify.h): the operations over an instance of
 * fs/vfs/notify.c. It keeps nothing of its own: priv is the instance. A read waits in the
 * shared loop of waitloop.h (FILE_WAIT_SPIN: the queue is under its wait queue's lock).
 * O_ASYNC: each event queued signals POLL_IN (Linux's fsnotify_insert_event; a merged event
 * signals nothing), checked natively by tests/runtime/progs/inotify_sigio.c.
 */
#include "fs/file/inotify.h"

#include "core/abi/ioctl.h"
#include "core/abi/signal.h"
#include "fs/file/waitloop.h"
#include "hal/hal_errno.h"

struct ino_buf {
    void *buf;
    size_t n;
    struct list done; /* events taken, freed after the queue's lock is dropped */
};

static long ino_take(void *obj, void *arg)
{
    struct ino_buf *b = arg;

    return vfs_notify_take(obj, b->buf, b->n, &b->done);
}

static long ino_read(struct file *f, void *buf, size_t n, uint64_t *pos)
{
    struct file_wait w = {
        .wq = vfs_notify_wq(f->priv), .lock = FILE_WAIT_SPIN, .take = ino_take, .obj = f->priv};
    struct ino_buf b = {.buf = buf, .n = n};
    long rc;

    (void)pos;
    list_init(&b.done);
    rc = file_wait_loop(&w, file_flags(f) & VFS_O_NONBLOCK, &b);
    vfs_notify_free_taken(&b.done);
    return rc;
}

static unsigned ino_poll(struct file *f, struct poll_table *pt)
{
    poll_wait(pt, vfs_notify_wq(f->priv));
    return vfs_notify_pending(f->priv) ? LINUX_EPOLLIN | LINUX_EPOLLRDNORM : 0;
}

static int ino_ioctl(struct file *f, unsigned long req, const struct file_uarg *arg)
{
    int n;

    if (req != LINUX_FIONREAD)
        return -ENOTTY;
    n = (int)vfs_notify_pending(f->priv);
    return file_uarg_out(arg, &n, sizeof(n));
}

static void ino_release(struct file *f)
{
    vfs_notify_group_free(f->priv);
}

static const struct file_ops ino_ops = {
    .name = "inotify",
    .read = ino_read,
    .lseek = file_noop_lseek, /* no write: the description is O_RDONLY (-EBADF) */
    .ioctl = ino_ioctl,
    .stat = file_anon_stat,
    .poll = ino_poll,
    .release = ino_release,
};

static void ino_queued(void *arg)
{
    file_sigio(arg, LINUX_POLL_IN); /* nothing unless the file has O_ASYNC */
}

int inotify_file_create(unsigned nb, struct file **out)
{
    struct vfs_notify_group *g;
    int rc = vfs_notify_group_new(LINUX_INOTIFY_MAX_QUEUED_EVENTS, &g);

    *out = NULL;
    if (rc)
        return rc;
    *out = file_alloc(&ino_ops, g, VFS_O_RDONLY | (nb & VFS_O_NONBLOCK),
                      FILE_MODE_NOSPLICE | FILE_MODE_ASYNC);
    if (!*out) {
        vfs_notify_group_free(g);
        return -ENOMEM;
    }
    vfs_notify_set_queued(g, ino_queued, *out); /* the group ends with the file */
    return 0;
}

struct vfs_notify_group *inotify_group(struct file *f)
{
    return f->ops == &ino_ops ? f->priv : NULL;
}
