/*
 * file_vfs.c - the VFS kind of open file: a struct file whose priv is a VFS open file
 * description (struct vfs_file, fs/vfs/vfs.h) of a regular file, directory, device node or
 * O_PATH handle.
 *
 * The position is the struct file's (pos, under pos_lock), handed to the VFS's *_at calls;
 * vfs_file.pos is left to in-kernel users of the VFS that have no struct file (the ELF
 * loader). The status flags are the struct file's; setfl mirrors them into vfs_file.flags
 * (an atomic store; rw.c reads it atomically) because the VFS acts on O_APPEND itself.
 * poll has no op: regular files and directories are always ready (FILE_POLL_DEFAULT), as
 * Linux reports for files without a poll method.
 */
#include "core/abi/fcntl.h"
#include "core/abi/ioctl.h"
#include "core/abi/mman.h"
#include "fs/file/file.h"
#include "fs/vfs/memfs.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_errno.h"

static struct vfs_file *vf_of(struct file *f)
{
    return f->priv;
}

static long fv_read(struct file *f, void *buf, size_t n, uint64_t *pos)
{
    return vfs_read_at(vf_of(f), buf, n, pos);
}

static long fv_read_user(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos, bool *fallback)
{
    return vfs_read_user_at(vf_of(f), ubuf, n, pos, fallback);
}

static long fv_write(struct file *f, const void *buf, size_t n, uint64_t *pos)
{
    return vfs_write_at(vf_of(f), buf, n, pos);
}

static int64_t fv_lseek(struct file *f, int64_t off, int whence)
{
    return vfs_lseek_at(vf_of(f), off, whence, &f->pos);
}

static long fv_getdents(struct file *f, void *buf, size_t n)
{
    return vfs_getdents_at(vf_of(f), buf, n, &f->pos);
}

/* FIONREAD of a regular file: the bytes from the position to the end (Linux's generic
 * answer); other ioctls: -ENOTTY, as for any file without an ioctl method. */
static int fv_ioctl(struct file *f, unsigned long req, const struct file_uarg *arg)
{
    struct vfs_stat st;
    int rc, n;

    if (req != LINUX_FIONREAD || !VFS_S_ISTYPE(vf_of(f)->inode->mode, VFS_S_IFREG))
        return -ENOTTY;
    rc = vfs_fstat(vf_of(f), &st);
    if (rc)
        return rc;
    mutex_lock(&f->pos_lock);
    n = (uint64_t)st.st_size > f->pos ? (int)((uint64_t)st.st_size - f->pos) : 0;
    mutex_unlock(&f->pos_lock);
    return file_uarg_out(arg, &n, sizeof(n));
}

static int fv_stat(struct file *f, struct vfs_stat *st)
{
    return vfs_fstat(vf_of(f), st);
}

/* Only what Linux maps (else -ENODEV): regular files of filesystems that can map their
 * pages (not /proc), and /dev/zero privately (a shared mapping of it is a caveat); never a
 * directory. A writable shared mapping of a memfd sealed against writes is refused
 * (-EPERM). */
static int fv_mmap(struct file *f, unsigned prot, unsigned flags, struct vfs_file **src)
{
    struct vfs_file *vf = vf_of(f);
    unsigned type = flags & LINUX_MAP_TYPE;
    bool shared = type == LINUX_MAP_SHARED || type == LINUX_MAP_SHARED_VALIDATE;
    int rc;

    if (vf->cdev ? !vf->cdev->mappable : VFS_S_ISTYPE(vf->inode->mode, VFS_S_IFDIR))
        return -ENODEV;
    if (VFS_S_ISTYPE(vf->inode->mode, VFS_S_IFREG) && !vfs_mmap_shareable(vf))
        return -ENODEV;
    rc = memfs_mmap_check(vf, shared && (prot & LINUX_PROT_WRITE));
    if (rc)
        return rc;
    *src = vf_of(f);
    return 0;
}

/* F_ADD_SEALS/F_GET_SEALS: memfs files have seals (memfds; tmpfs files have SEAL_SEAL),
 * other files -EINVAL; the seal argument is an int, as Linux reads it. */
static long fv_fcntl(struct file *f, unsigned cmd, uint64_t arg)
{
    if (cmd == LINUX_F_ADD_SEALS || cmd == LINUX_F_GET_SEALS)
        return memfs_seals(vf_of(f), cmd == LINUX_F_ADD_SEALS, (unsigned)arg);
    return cmd == LINUX_F_GETPIPE_SZ || cmd == LINUX_F_SETPIPE_SZ ? -EBADF : -EINVAL;
}

static int fv_fsync(struct file *f, bool datasync)
{
    return datasync ? vfs_fdatasync(vf_of(f)) : vfs_fsync(vf_of(f));
}

static int fv_truncate(struct file *f, int64_t len)
{
    return vfs_ftruncate(vf_of(f), len);
}

static int fv_setfl(struct file *f, unsigned flags)
{
    if (flags & VFS_O_PATH)
        return -EBADF; /* an O_PATH handle has no status to change (Linux: EBADF) */
    __atomic_store_n(&vf_of(f)->flags, flags, __ATOMIC_RELAXED);
    return 0;
}

static void fv_release(struct file *f)
{
    vfs_file_put(vf_of(f));
}

static const struct file_ops vfs_kind_ops = {
    .name = "vfs",
    .read = fv_read,
    .read_user = fv_read_user,
    .write = fv_write,
    .lseek = fv_lseek,
    .getdents = fv_getdents,
    .ioctl = fv_ioctl,
    .stat = fv_stat,
    .mmap = fv_mmap,
    .fcntl = fv_fcntl,
    .fsync = fv_fsync,
    .truncate = fv_truncate,
    .setfl = fv_setfl,
    .release = fv_release,
};

struct file *file_from_vfs(struct vfs_file *vf)
{
    uint32_t type = vf->inode->mode & VFS_S_IFMT;
    unsigned mode = FILE_MODE_POS;

    if (type != VFS_S_IFIFO && type != VFS_S_IFSOCK)
        mode |= FILE_MODE_PREAD;
    return file_alloc(&vfs_kind_ops, vf, vf->flags, mode);
}

struct vfs_file *file_vfs(struct file *f)
{
    return f->ops == &vfs_kind_ops ? vf_of(f) : NULL;
}
