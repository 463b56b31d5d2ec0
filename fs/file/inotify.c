/*
 * inotify.c - the inotify file kind (inotify.h): the operations over an instance of
 * fs/vfs/notify.c. It keeps nothing of its own: priv is the instance.
 */
#include "fs/file/inotify.h"

#include "core/abi/ioctl.h"
#include "hal/hal_errno.h"

static long ino_read(struct file *f, void *buf, size_t n, uint64_t *pos)
{
    (void)pos;
    return vfs_notify_read(f->priv, buf, n, file_flags(f) & VFS_O_NONBLOCK);
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

int inotify_file_create(unsigned nb, struct file **out)
{
    struct vfs_notify_group *g;
    int rc = vfs_notify_group_new(LINUX_INOTIFY_MAX_QUEUED_EVENTS, &g);

    *out = NULL;
    if (rc)
        return rc;
    *out = file_alloc(&ino_ops, g, VFS_O_RDONLY | (nb & VFS_O_NONBLOCK), FILE_MODE_NOSPLICE);
    if (!*out) {
        vfs_notify_group_free(g);
        return -ENOMEM;
    }
    return 0;
}

struct vfs_notify_group *inotify_group(struct file *f)
{
    return f->ops == &ino_ops ? f->priv : NULL;
}
