/*
 * sys_space.c - fallocate and sync: the calls about a filesystem's space and write-back
 * (docs/files.md, "Space: a full volume").
 *
 * fallocate checks in Linux's order (checked natively): its arguments first (-EINVAL,
 * -EOPNOTSUPP, also on descriptors of other kinds), then the description: O_PATH and not
 * open for writing -EBADF, a FIFO or pipe -ESPIPE, a directory -EISDIR, anything but a regular
 * file -ENODEV; the VFS (fs/vfs/rw.c vfs_fallocate) makes the checks of VFS files and calls
 * the filesystem, which allocates at once: a volume without the room fails with -ENOSPC
 * there, before anything is allocated. sync writes back every filesystem and, as Linux's,
 * returns 0 whatever happened (errors reach fsync and syncfs callers).
 */
#include "core/abi/fcntl.h"
#include "core/syscall/sys_internal.h"
#include "hal/hal_errno.h"

/* fallocate on a description of another kind than a VFS file (pipes, sockets, the console,
 * eventfd...): never allocates. */
static long fallocate_other(struct file *f)
{
    struct vfs_stat st;
    if ((file_flags(f) & LINUX_O_ACCMODE) == LINUX_O_RDONLY)
        return -EBADF;
    if (file_stat(f, &st) == 0 && VFS_S_ISTYPE(st.st_mode, VFS_S_IFIFO))
        return -ESPIPE;
    return -ENODEV;
}

long sys_fallocate(const uint64_t a[6])
{
    int mode = (int)a[1];
    int64_t off = (int64_t)a[2], len = (int64_t)a[3];
    struct file *f;
    long rc = fd_get(&sys_proc()->fds, (int)(uint32_t)a[0], &f);
    if (rc)
        return rc;
    struct vfs_file *vf = file_vfs(f);
    if (vf && (vf->flags & VFS_O_PATH))
        rc = -EBADF; /* Linux's fdget refuses O_PATH before any argument is looked at */
    else if ((rc = vfs_fallocate_args(mode, off, len)) == 0)
        rc = vf ? vfs_fallocate(vf, mode, off, len) : fallocate_other(f);
    file_put(f);
    return rc;
}

long sys_sync(const uint64_t a[6])
{
    (void)a;
    (void)vfs_sync();
    return 0;
}
