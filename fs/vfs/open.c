/*
 * open.c - openat and the open file description's lifetime.
 *
 * openat walks to the parent of the last component, then resolves the last one itself,
 * because O_CREAT must create in that directory when the name is missing - and, when the
 * name is a dangling symlink being followed, where the link points (Linux does the same).
 * The checks run in Linux's order so the errno matches: EISDIR/ENOTDIR for the name's type,
 * EEXIST for O_EXCL, ELOOP for O_NOFOLLOW, EROFS, then the filesystem's own errors.
 */
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "fs/vfs/notify.h"
#include "fs/vfs/vfs_internal.h"
#include "hal/hal_errno.h"

#define OPEN_KEEP                                                                                  \
    (VFS_O_ACCMODE | VFS_O_APPEND | VFS_O_NONBLOCK | VFS_O_DSYNC | VFS_O_DIRECT |                  \
     VFS_O_LARGEFILE | VFS_O_DIRECTORY | VFS_O_NOFOLLOW | VFS_O_NOATIME | VFS_O_CLOEXEC |          \
     VFS_O_SYNC | VFS_O_PATH)

/* Open for writing (Linux's FMODE_WRITE): O_WRONLY or O_RDWR. */
static bool wants_write(int flags)
{
    int acc = flags & VFS_O_ACCMODE;
    return acc == VFS_O_WRONLY || acc == VFS_O_RDWR;
}

/* What the open must be allowed to do: the access mode 3 (O_ACCMODE) opens for neither
 * reading nor writing but needs the right to both (Linux's ACC_MODE), so it is refused
 * where a write is (a directory, a read-only filesystem). */
static bool needs_write(int flags)
{
    return wants_write(flags) || (flags & VFS_O_ACCMODE) == VFS_O_ACCMODE;
}

int vfs_file_alloc(struct vfs_inode *ip, unsigned flags, struct vfs_file **out)
{
    struct vfs_file *f = kzalloc(sizeof(*f));
    if (!f)
        return -ENOMEM;
    inode_ref(ip);
    f->inode = ip;
    f->flags = flags;
    f->refs = 1;
    *out = f;
    return 0;
}

int vfs_file_reopen(struct vfs_file *f, int flags, struct vfs_file **out)
{
    int rc;

    if ((flags & ~(VFS_O_CLOEXEC | VFS_O_LARGEFILE)) != VFS_O_RDONLY)
        return -EINVAL;
    if (!vfs_isreg(f->inode))
        return -EACCES;
    vfs_lock();
    rc = vfs_file_alloc(f->inode, (unsigned)flags, out);
    vfs_unlock();
    return rc;
}

void vfs_file_get(struct vfs_file *f)
{
    __atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
}

void vfs_file_put(struct vfs_file *f)
{
    if (!f || __atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    struct vfs_inode *ip = f->inode;
    if (f->cdev && f->cdev->release)
        f->cdev->release(f, f->cdev_priv);
    if (ip->ops->release_file)
        ip->ops->release_file(f);
    vfs_lock();
    if (vfs_notify_active() && !(f->flags & VFS_O_PATH))
        vfs_notify_inode_via(ip, f->nname,
                             wants_write((int)f->flags) ? LINUX_IN_CLOSE_WRITE
                                                        : LINUX_IN_CLOSE_NOWRITE);
    vfs_notify_name_put(f->nname);
    inode_put(ip);
    vfs_unlock();
    kfree(f);
}

/* Create the last component of nd as a regular file; *out gets the new inode. */
static int open_create(struct nameidata *nd, uint32_t mode, struct vfs_inode **out)
{
    struct vfs_inode *dir = nd->cur;
    if (sb_rdonly(dir->sb))
        return -EROFS;
    if (!dir->ops->create)
        return -EPERM;
    uint64_t ino;
    sb_lock(dir->sb);
    int rc = dir->ops->create(dir, nd->last, VFS_S_IFREG | (mode & 07777), 0, &ino);
    sb_unlock(dir->sb);
    dcache_invalidate(dir, nd->last, nd->last_len);
    if (rc)
        return rc;
    vfs_notify_create(dir, nd->last, false);
    return namei_child(dir, nd->last, nd->last_len, out);
}

/* Resolve (or create) the file openat names; *created says whether it was made now. */
static int open_lookup(struct nameidata *nd, int flags, uint32_t mode, struct vfs_inode **out,
                       bool *created)
{
    bool creat = flags & VFS_O_CREAT;
    bool excl = creat && (flags & VFS_O_EXCL);
    bool follow = !(flags & VFS_O_NOFOLLOW) && !excl;
    for (;;) {
        int rc = namei_parent(nd);
        if (rc)
            return rc;
        if (creat && nd->last_type != LAST_NORM)
            return -EISDIR;
        struct vfs_inode *ip;
        /* follow nothing yet: a final symlink is handled below */
        bool trailing = nd->trailing;
        nd->trailing = false;
        rc = namei_last(nd, false, &ip);
        nd->trailing = trailing;
        if (rc)
            return rc;
        if (!ip) {
            if (!creat)
                return -ENOENT;
            if (trailing)
                return -EISDIR;
            *created = true;
            return open_create(nd, mode, out);
        }
        if (excl) {
            inode_put(ip);
            return -EEXIST;
        }
        if (vfs_islnk(ip) && (follow || trailing)) {
            /* splice the target in and walk again from the link's directory */
            rc = namei_follow_last(nd, ip);
            inode_put(ip);
            if (rc)
                return rc;
            continue;
        }
        if (trailing && !vfs_isdir(ip)) {
            inode_put(ip);
            return -ENOTDIR;
        }
        *out = ip;
        return 0;
    }
}

/* Type and mode checks on an existing inode, in Linux's order. */
static int open_check(struct vfs_inode *ip, int flags, bool created)
{
    if (flags & VFS_O_PATH) {
        if ((flags & VFS_O_DIRECTORY) && !vfs_isdir(ip))
            return -ENOTDIR;
        return 0;
    }
    if (vfs_islnk(ip))
        return -ELOOP; /* O_NOFOLLOW on a symlink */
    if (vfs_isdir(ip)) {
        if ((flags & VFS_O_CREAT) || needs_write(flags))
            return -EISDIR;
    } else if (flags & VFS_O_DIRECTORY) {
        return -ENOTDIR;
    }
    if ((needs_write(flags) || (flags & VFS_O_TRUNC)) && !created && sb_rdonly(ip->sb) &&
        (vfs_isreg(ip) || vfs_isdir(ip) || vfs_islnk(ip)))
        return -EROFS;
    return 0;
}

/* --- character device registry -------------------------------------------------------- */

static struct {
    uint64_t rdev;
    const struct vfs_chrdev_ops *ops;
    void *priv;
} chrdevs[VFS_MAX_CHRDEV];

int vfs_chrdev_register(uint64_t rdev, const struct vfs_chrdev_ops *ops, void *priv)
{
    int free_slot = -1;
    for (int i = 0; i < VFS_MAX_CHRDEV; i++) {
        if (chrdevs[i].ops && chrdevs[i].rdev == rdev)
            return -EBUSY;
        if (!chrdevs[i].ops && free_slot < 0)
            free_slot = i;
    }
    if (free_slot < 0)
        return -ENOSPC;
    chrdevs[free_slot].rdev = rdev;
    chrdevs[free_slot].priv = priv;
    chrdevs[free_slot].ops = ops;
    return 0;
}

void vfs_chrdev_unregister(uint64_t rdev)
{
    for (int i = 0; i < VFS_MAX_CHRDEV; i++)
        if (chrdevs[i].ops && chrdevs[i].rdev == rdev)
            chrdevs[i].ops = NULL;
}

/* Bind f to the driver of its character-device node and open it. */
static int open_special(struct vfs_file *f, int flags)
{
    struct vfs_inode *ip = f->inode;
    if (VFS_S_ISTYPE(ip->mode, VFS_S_IFIFO))
        return 0; /* the open file layer makes it a pipe end (fs/pipe: fifo_open) */
    if (!VFS_S_ISTYPE(ip->mode, VFS_S_IFCHR))
        return -ENXIO; /* block devices and sockets have no driver here */
    struct vfs_attr a;
    int rc = inode_getattr(ip, &a);
    if (rc)
        return rc;
    for (int i = 0; i < VFS_MAX_CHRDEV; i++) {
        if (chrdevs[i].ops && chrdevs[i].rdev == a.rdev) {
            f->cdev = chrdevs[i].ops;
            f->cdev_priv = chrdevs[i].priv;
        }
    }
    if (!f->cdev)
        return -ENXIO;
    if (wants_write(flags) && !f->cdev->write && !f->cdev->open_file)
        return -EACCES;
    return f->cdev->open ? f->cdev->open(f, f->cdev_priv) : 0;
}

int vfs_openat(struct vfs_file *dirf, const char *path, int flags, uint32_t mode,
               struct vfs_file **out)
{
    if ((flags & VFS_O_TMPFILE) == VFS_O_TMPFILE)
        return -EOPNOTSUPP;
    if ((flags & VFS_O_CREAT) && (flags & VFS_O_DIRECTORY))
        return -EINVAL;
    if (flags & VFS_O_PATH)
        flags &= VFS_O_PATH | VFS_O_DIRECTORY | VFS_O_NOFOLLOW | VFS_O_CLOEXEC;
    struct nameidata nd;
    struct vfs_inode *ip = NULL;
    struct vfs_notify_name *nm = NULL; /* the name opened, for inotify: then f's */
    bool created = false;
    vfs_lock();
    int rc = namei_start(&nd, dirf, path, false);
    if (rc == 0)
        rc = open_lookup(&nd, flags, mode, &ip, &created);
    if (rc == 0)
        rc = open_check(ip, flags, created);
    if (rc == 0 && nd.last_type == LAST_NORM && !(flags & VFS_O_PATH))
        nm = vfs_notify_name_get(nd.cur, nd.last, ip);
    namei_end(&nd);
    vfs_unlock();
    if (rc)
        goto out;
    bool trunc = (flags & VFS_O_TRUNC) && !created && vfs_isreg(ip) && !(flags & VFS_O_PATH);
    if (trunc) {
        vfs_notify_file_via(ip, nm, LINUX_IN_OPEN); /* Linux: IN_OPEN, then the truncation's */
        rc = vfs_do_truncate(ip, nm, 0);
        if (rc)
            goto out;
    }
    struct vfs_file *f;
    rc = vfs_file_alloc(ip, (unsigned)flags & OPEN_KEEP, &f);
    if (rc)
        goto out;
    f->nname = nm;
    nm = NULL;
    if (!vfs_isreg(ip) && !vfs_isdir(ip) && !(flags & VFS_O_PATH)) {
        rc = open_special(f, flags);
        if (rc) {
            f->cdev = NULL; /* no release for a failed open */
            vfs_file_put(f);
            goto out;
        }
    }
    if (!trunc && !(flags & VFS_O_PATH))
        vfs_notify_filp(f, LINUX_IN_OPEN);
    *out = f;
out:
    if (ip || nm) {
        vfs_lock();
        vfs_notify_name_put(nm);
        if (ip)
            inode_put(ip);
        vfs_unlock();
    }
    return rc;
}
