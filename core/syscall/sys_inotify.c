/*
 * sys_inotify.c - inotify_init, inotify_init1, inotify_add_watch, inotify_rm_watch
 * (docs/inotify.md). The file kind is fs/file/inotify.c; watches, queues and the VFS's
 * hooks are fs/vfs/notify.c.
 *
 * Errors come in the order Linux's give them (checked natively: tests/syscall
 * cases_inotify.c): add_watch checks the mask (no known bit, or an unknown one: -EINVAL)
 * before the descriptor (-EBADF, -EINVAL for another kind), then IN_MASK_ADD with
 * IN_MASK_CREATE, then copies the path in (-EFAULT) and walks it.
 */
#include "core/syscall/sys_internal.h"

#include "core/abi/inotify.h"
#include "core/lib/alloc.h"
#include "fs/file/inotify.h"
#include "hal/hal_errno.h"

#define INIT1_FLAGS (LINUX_IN_CLOEXEC | LINUX_IN_NONBLOCK)
/* Linux's ALL_INOTIFY_BITS: the events, IN_UNMOUNT/IN_Q_OVERFLOW/IN_IGNORED and the flags */
#define ADD_WATCH_BITS                                                                             \
    (LINUX_IN_ALL_EVENTS | LINUX_IN_UNMOUNT | LINUX_IN_Q_OVERFLOW | LINUX_IN_IGNORED |             \
     LINUX_IN_ONLYDIR | LINUX_IN_DONT_FOLLOW | LINUX_IN_EXCL_UNLINK | LINUX_IN_MASK_CREATE |       \
     LINUX_IN_MASK_ADD | LINUX_IN_ISDIR | LINUX_IN_ONESHOT)

static long do_init1(unsigned flags)
{
    struct file *f;
    long rc;

    if (flags & ~INIT1_FLAGS)
        return -EINVAL;
    rc = inotify_file_create((flags & LINUX_IN_NONBLOCK) ? VFS_O_NONBLOCK : 0, &f);
    if (rc)
        return rc;
    rc = fd_install(&sys_proc()->fds, 0, f, flags & LINUX_IN_CLOEXEC);
    if (rc < 0)
        file_put(f);
    return rc;
}

long sys_inotify_init(const uint64_t a[6])
{
    (void)a;
    return do_init1(0);
}

long sys_inotify_init1(const uint64_t a[6])
{
    return do_init1((unsigned)a[0]); /* an int: the high half is not looked at */
}

/* The instance behind descriptor fd (a reference in *f): -EBADF, -EINVAL for another kind. */
static int group_get(uint64_t fd, struct file **f, struct vfs_notify_group **g)
{
    int rc = fd_get(&sys_proc()->fds, (int)fd, f);

    if (rc)
        return rc;
    *g = inotify_group(*f);
    if (!*g) {
        file_put(*f);
        return -EINVAL;
    }
    return 0;
}

long sys_inotify_add_watch(const uint64_t a[6])
{
    uint32_t mask = (uint32_t)a[2];
    struct vfs_notify_group *g;
    struct upath u;
    struct file *f;
    long rc;

    if (!(mask & ADD_WATCH_BITS) || (mask & ~ADD_WATCH_BITS))
        return -EINVAL;
    rc = group_get(a[0], &f, &g);
    if (rc)
        return rc;
    if ((mask & LINUX_IN_MASK_ADD) && (mask & LINUX_IN_MASK_CREATE))
        rc = -EINVAL;
    else
        rc = sys_upath_get((uint64_t)(int64_t)VFS_AT_FDCWD, a[1], &u);
    if (rc == 0) {
        rc = vfs_notify_add_watch(g, u.dir, u.path, mask);
        sys_upath_put(&u);
    }
    file_put(f);
    return rc;
}

long sys_inotify_rm_watch(const uint64_t a[6])
{
    struct vfs_notify_group *g;
    struct file *f;
    long rc = group_get(a[0], &f, &g);

    if (rc)
        return rc;
    rc = vfs_notify_rm_watch(g, (int)a[1]);
    file_put(f);
    return rc;
}
