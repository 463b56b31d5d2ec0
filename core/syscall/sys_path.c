/*
 * sys_path.c - path syscalls: stat family, access, getcwd/chdir, mkdir/rmdir, unlink,
 * rename, link, symlink, readlink.
 *
 * Each handler checks its flags (-EINVAL for unknown bits), copies its paths in once
 * (struct upath), resolves its dirfds to VFS descriptions (absolute paths ignore dirfd),
 * then makes the one VFS call.
 */
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/syscall/sys_internal.h"
#include "hal/hal_errno.h"

long sys_upath_get(uint64_t dirfd, uint64_t uaddr, struct upath *u)
{
    long rc = sys_path_in(uaddr, &u->path);

    u->dir = NULL;
    if (rc)
        return rc;
    rc = sys_dir_get((int)dirfd, u->path, &u->dir);
    if (rc) {
        kfree(u->path);
        u->path = NULL;
    }
    return rc;
}

void sys_upath_put(struct upath *u)
{
    sys_dir_put(u->dir);
    kfree(u->path);
}

/* --- stat ------------------------------------------------------------------------------- */

/* fstat of dirfd itself (AT_EMPTY_PATH with ""): descriptors, the console, or the cwd. */
static long stat_fd(uint64_t dirfd, struct vfs_stat *st)
{
    struct file *f;
    long rc;

    if ((int)dirfd == VFS_AT_FDCWD) {
        struct vfs_file *cwd;

        rc = sys_dir_get(VFS_AT_FDCWD, NULL, &cwd);
        if (rc == 0)
            rc = vfs_statat(cwd, "", VFS_AT_EMPTY_PATH, st);
        sys_dir_put(cwd);
        return rc;
    }
    rc = dirfd > INT32_MAX ? -EBADF : fd_get(&sys_proc()->fds, (int)dirfd, &f);
    if (rc)
        return rc;
    rc = file_stat(f, st);
    file_put(f);
    return rc;
}

/*
 * The stat of what (dirfd, path, flags) names. A NULL path with AT_EMPTY_PATH is dirfd itself,
 * as "" is (Linux 6.11); without the flag it is -EFAULT like any bad pointer.
 */
static long stat_lookup(uint64_t dirfd, uint64_t upath, uint64_t flags, struct vfs_stat *st)
{
    struct upath u;
    long rc;

    if (upath == 0 && (flags & VFS_AT_EMPTY_PATH))
        return stat_fd(dirfd, st);
    rc = sys_path_in(upath, &u.path);
    if (rc)
        return rc;
    if (u.path[0] == '\0' && (flags & VFS_AT_EMPTY_PATH)) {
        rc = stat_fd(dirfd, st);
    } else {
        rc = sys_dir_get((int)dirfd, u.path, &u.dir);
        if (rc == 0) {
            rc = vfs_statat(u.dir, u.path, (int)flags, st);
            sys_dir_put(u.dir);
        }
    }
    kfree(u.path);
    return rc;
}

static long do_stat(uint64_t dirfd, uint64_t upath, uint64_t ust, uint64_t flags)
{
    struct vfs_stat st;
    long rc;

    if (flags & ~(uint64_t)(VFS_AT_SYMLINK_NOFOLLOW | VFS_AT_NO_AUTOMOUNT | VFS_AT_EMPTY_PATH))
        return -EINVAL;
    rc = stat_lookup(dirfd, upath, flags, &st);
    return rc ? rc : sys_copy_out(ust, &st, sizeof(st));
}

long sys_stat(const uint64_t a[6])
{
    return do_stat((uint64_t)(int64_t)VFS_AT_FDCWD, a[0], a[1], 0);
}

long sys_lstat(const uint64_t a[6])
{
    return do_stat((uint64_t)(int64_t)VFS_AT_FDCWD, a[0], a[1], VFS_AT_SYMLINK_NOFOLLOW);
}

long sys_newfstatat(const uint64_t a[6])
{
    return do_stat(a[0], a[1], a[2], a[3]);
}

/*
 * statx(dirfd, path, flags, mask, buf): the basic stats, whatever the mask asks (Linux fills
 * them too, and says which in stx_mask). No birth time, no mount id and no direct-I/O
 * alignment: those bits stay clear, as on a filesystem that lacks them. The sync flags
 * (AT_STATX_FORCE_SYNC, _DONT_SYNC) change nothing here: every filesystem is local.
 */
static void statx_fill(const struct vfs_stat *st, struct linux_statx *sx)
{
    memset(sx, 0, sizeof(*sx));
    sx->stx_mask = LINUX_STATX_BASIC_STATS;
    sx->stx_blksize = (uint32_t)st->st_blksize;
    sx->stx_attributes_mask = LINUX_STATX_ATTR_AUTOMOUNT | LINUX_STATX_ATTR_DAX;
    sx->stx_nlink = (uint32_t)st->st_nlink;
    sx->stx_uid = st->st_uid;
    sx->stx_gid = st->st_gid;
    sx->stx_mode = (uint16_t)st->st_mode;
    sx->stx_ino = st->st_ino;
    sx->stx_size = (uint64_t)st->st_size;
    sx->stx_blocks = (uint64_t)st->st_blocks;
    sx->stx_atime = (struct linux_statx_timestamp){st->st_atim.tv_sec, (uint32_t)st->st_atim.tv_nsec, 0};
    sx->stx_ctime = (struct linux_statx_timestamp){st->st_ctim.tv_sec, (uint32_t)st->st_ctim.tv_nsec, 0};
    sx->stx_mtime = (struct linux_statx_timestamp){st->st_mtim.tv_sec, (uint32_t)st->st_mtim.tv_nsec, 0};
    sx->stx_rdev_major = linux_dev_major(st->st_rdev);
    sx->stx_rdev_minor = linux_dev_minor(st->st_rdev);
    sx->stx_dev_major = linux_dev_major(st->st_dev);
    sx->stx_dev_minor = linux_dev_minor(st->st_dev);
}

long sys_statx(const uint64_t a[6])
{
    const uint32_t known = VFS_AT_SYMLINK_NOFOLLOW | VFS_AT_NO_AUTOMOUNT | VFS_AT_EMPTY_PATH |
                           LINUX_AT_STATX_SYNC_TYPE;
    uint32_t flags = (uint32_t)a[2], mask = (uint32_t)a[3];
    struct linux_statx sx;
    struct vfs_stat st;
    long rc;

    if ((flags & ~known) || (flags & LINUX_AT_STATX_SYNC_TYPE) == LINUX_AT_STATX_SYNC_TYPE ||
        (mask & LINUX_STATX__RESERVED))
        return -EINVAL;
    rc = stat_lookup(a[0], a[1], flags & ~LINUX_AT_STATX_SYNC_TYPE, &st);
    if (rc)
        return rc;
    statx_fill(&st, &sx);
    return sys_copy_out(a[4], &sx, sizeof(sx));
}

/* --- access ----------------------------------------------------------------------------- */

static long do_access(uint64_t dirfd, uint64_t upath, uint64_t mode, uint64_t flags)
{
    struct upath u;
    long rc;

    if (mode & ~(uint64_t)(LINUX_R_OK | LINUX_W_OK | LINUX_X_OK))
        return -EINVAL;
    if (flags & ~(uint64_t)(VFS_AT_EACCESS | VFS_AT_SYMLINK_NOFOLLOW | VFS_AT_EMPTY_PATH))
        return -EINVAL;
    rc = sys_upath_get(dirfd, upath, &u);
    if (rc)
        return rc;
    rc = vfs_faccessat(u.dir, u.path, (int)mode, (int)flags);
    sys_upath_put(&u);
    return rc;
}

long sys_access(const uint64_t a[6])
{
    return do_access((uint64_t)(int64_t)VFS_AT_FDCWD, a[0], a[1], 0);
}

long sys_faccessat(const uint64_t a[6])
{
    return do_access(a[0], a[1], a[2], 0);
}

long sys_faccessat2(const uint64_t a[6])
{
    return do_access(a[0], a[1], a[2], a[3]);
}

/* --- working directory ------------------------------------------------------------------ */

long sys_getcwd(const uint64_t a[6])
{
    struct proc *p = sys_proc();
    size_t n = a[1] > VFS_PATH_MAX ? VFS_PATH_MAX : (size_t)a[1];
    struct vfs_file *cwd;
    char *k;
    long rc;

    if (a[1] == 0)
        return -ERANGE;
    k = kmalloc(n);
    if (!k)
        return -ENOMEM;
    rc = sys_dir_get(VFS_AT_FDCWD, NULL, &cwd);
    if (rc == 0) {
        rc = vfs_getcwd(cwd, k, n);
        sys_dir_put(cwd);
    }
    (void)p;
    if (rc > 0 && sys_copy_out(a[0], k, (size_t)rc))
        rc = -EFAULT;
    kfree(k);
    return rc;
}

/* Make dir (a reference, O_PATH or not) the cwd after checking it is a directory. */
static long set_cwd(struct vfs_file *dir)
{
    struct proc *p = sys_proc();
    struct vfs_file *old;
    struct vfs_stat st;
    long rc = vfs_fstat(dir, &st);

    if (rc == 0 && !VFS_S_ISTYPE(st.st_mode, VFS_S_IFDIR))
        rc = -ENOTDIR;
    if (rc) {
        vfs_file_put(dir);
        return rc;
    }
    mutex_lock(&p->lock);
    old = p->cwd;
    p->cwd = dir;
    mutex_unlock(&p->lock);
    if (old)
        vfs_file_put(old);
    return 0;
}

long sys_chdir(const uint64_t a[6])
{
    struct vfs_file *f;
    struct upath u;
    long rc = sys_upath_get((uint64_t)(int64_t)VFS_AT_FDCWD, a[0], &u);

    if (rc)
        return rc;
    rc = vfs_openat(u.dir, u.path, VFS_O_PATH | VFS_O_DIRECTORY, 0, &f);
    sys_upath_put(&u);
    return rc ? rc : set_cwd(f);
}

long sys_fchdir(const uint64_t a[6])
{
    struct vfs_file *vf;
    long rc = a[0] > INT32_MAX ? -EBADF : sys_dir_get((int)a[0], NULL, &vf);

    return rc ? rc : set_cwd(vf); /* the reference becomes the cwd's */
}

/* --- names ------------------------------------------------------------------------------ */

static long do_mkdir(uint64_t dirfd, uint64_t upath, uint64_t mode)
{
    struct upath u;
    long rc = sys_upath_get(dirfd, upath, &u);

    if (rc)
        return rc;
    rc = vfs_mkdirat(u.dir, u.path, (uint32_t)mode & LINUX_S_IALLUGO & ~sys_proc()->umask);
    sys_upath_put(&u);
    return rc;
}

long sys_mkdir(const uint64_t a[6])
{
    return do_mkdir((uint64_t)(int64_t)VFS_AT_FDCWD, a[0], a[1]);
}

long sys_mkdirat(const uint64_t a[6])
{
    return do_mkdir(a[0], a[1], a[2]);
}

static long do_unlink(uint64_t dirfd, uint64_t upath, uint64_t flags)
{
    struct upath u;
    long rc;

    if (flags & ~(uint64_t)VFS_AT_REMOVEDIR)
        return -EINVAL;
    rc = sys_upath_get(dirfd, upath, &u);
    if (rc)
        return rc;
    rc = vfs_unlinkat(u.dir, u.path, (int)flags);
    sys_upath_put(&u);
    return rc;
}

long sys_unlink(const uint64_t a[6])
{
    return do_unlink((uint64_t)(int64_t)VFS_AT_FDCWD, a[0], 0);
}

long sys_rmdir(const uint64_t a[6])
{
    return do_unlink((uint64_t)(int64_t)VFS_AT_FDCWD, a[0], VFS_AT_REMOVEDIR);
}

long sys_unlinkat(const uint64_t a[6])
{
    return do_unlink(a[0], a[1], a[2]);
}

/* Two (dirfd, path) pairs, decoded in argument order. */
static long upath2_get(const uint64_t d[2], const uint64_t p[2], struct upath u[2])
{
    long rc = sys_upath_get(d[0], p[0], &u[0]);

    if (rc)
        return rc;
    rc = sys_upath_get(d[1], p[1], &u[1]);
    if (rc)
        sys_upath_put(&u[0]);
    return rc;
}

static long do_rename(uint64_t od, uint64_t op, uint64_t nd, uint64_t np, uint64_t flags)
{
    const uint64_t d[2] = {od, nd}, p[2] = {op, np};
    struct upath u[2];
    long rc;

    if (flags & ~(uint64_t)(VFS_RENAME_NOREPLACE | VFS_RENAME_EXCHANGE | VFS_RENAME_WHITEOUT))
        return -EINVAL;
    rc = upath2_get(d, p, u);
    if (rc)
        return rc;
    rc = vfs_renameat2(u[0].dir, u[0].path, u[1].dir, u[1].path, (unsigned)flags);
    sys_upath_put(&u[0]);
    sys_upath_put(&u[1]);
    return rc;
}

long sys_rename(const uint64_t a[6])
{
    return do_rename((uint64_t)(int64_t)VFS_AT_FDCWD, a[0], (uint64_t)(int64_t)VFS_AT_FDCWD, a[1],
                     0);
}

long sys_renameat(const uint64_t a[6])
{
    return do_rename(a[0], a[1], a[2], a[3], 0);
}

long sys_renameat2(const uint64_t a[6])
{
    return do_rename(a[0], a[1], a[2], a[3], a[4]);
}

static long do_link(uint64_t od, uint64_t op, uint64_t nd, uint64_t np, uint64_t flags)
{
    const uint64_t d[2] = {od, nd}, p[2] = {op, np};
    struct upath u[2];
    long rc;

    if (flags & ~(uint64_t)(VFS_AT_SYMLINK_FOLLOW | VFS_AT_EMPTY_PATH))
        return -EINVAL;
    rc = upath2_get(d, p, u);
    if (rc)
        return rc;
    rc = vfs_linkat(u[0].dir, u[0].path, u[1].dir, u[1].path, (int)flags);
    sys_upath_put(&u[0]);
    sys_upath_put(&u[1]);
    return rc;
}

long sys_link(const uint64_t a[6])
{
    return do_link((uint64_t)(int64_t)VFS_AT_FDCWD, a[0], (uint64_t)(int64_t)VFS_AT_FDCWD, a[1], 0);
}

long sys_linkat(const uint64_t a[6])
{
    return do_link(a[0], a[1], a[2], a[3], a[4]);
}

static long do_symlink(uint64_t utarget, uint64_t dirfd, uint64_t upath)
{
    struct upath u;
    char *target;
    long rc = sys_path_in(utarget, &target);

    if (rc)
        return rc;
    rc = sys_upath_get(dirfd, upath, &u);
    if (rc == 0) {
        rc = target[0] ? vfs_symlinkat(target, u.dir, u.path) : -ENOENT;
        sys_upath_put(&u);
    }
    kfree(target);
    return rc;
}

long sys_symlink(const uint64_t a[6])
{
    return do_symlink(a[0], (uint64_t)(int64_t)VFS_AT_FDCWD, a[1]);
}

long sys_symlinkat(const uint64_t a[6])
{
    return do_symlink(a[0], a[1], a[2]);
}

static long do_readlink(uint64_t dirfd, uint64_t upath, uint64_t ubuf, uint64_t size)
{
    size_t n = size > VFS_PATH_MAX ? VFS_PATH_MAX : (size_t)size;
    struct upath u;
    char *k;
    long rc;

    if ((int64_t)size <= 0 || size > INT32_MAX)
        return -EINVAL;
    rc = sys_upath_get(dirfd, upath, &u);
    if (rc)
        return rc;
    k = kmalloc(n);
    rc = k ? vfs_readlinkat(u.dir, u.path, k, n) : -ENOMEM;
    sys_upath_put(&u);
    if (rc > 0 && sys_copy_out(ubuf, k, (size_t)rc))
        rc = -EFAULT;
    kfree(k);
    return rc;
}

long sys_readlink(const uint64_t a[6])
{
    return do_readlink((uint64_t)(int64_t)VFS_AT_FDCWD, a[0], a[1], a[2]);
}

long sys_readlinkat(const uint64_t a[6])
{
    return do_readlink(a[0], a[1], a[2], a[3]);
}
