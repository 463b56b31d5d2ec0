/*
 * sys_meta.c - file metadata and hints: chmod, chown and utime families, mknod, creat,
 * truncate, statfs/fstatfs, syncfs, fadvise64, readahead, sync_file_range, and the old getdents.
 *
 * Path forms decode (flags, times, the path) and make the one VFS call, which owns the
 * semantics (fs/vfs/attr.c). Descriptor forms take the descriptor's VFS description; O_PATH
 * descriptors are -EBADF where Linux's fdget refuses them (all but fstatfs). The console has
 * no inode: mode, owner and times changes on it succeed without effect (as on a tty, where
 * they are not observable through Petrel's fixed console stat), its statfs is devpts's.
 * The old getdents reuses getdents64's records, which have exactly its sizes, and rewrites
 * them in the old layout (d_type in the record's last byte).
 */
#include "core/abi/fcntl.h"
#include "core/abi/stat.h"
#include "core/abi/time.h"
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/syscall/sys_internal.h"
#include "hal/hal_errno.h"

#define META_RA_MAX (128u * 1024u) /* readahead: Linux's default read_ahead_kb */
#define META_CONSOLE 1

/* The description behind fd (a reference in *f), or META_CONSOLE (*f NULL), or -EBADF (also
 * for O_PATH descriptions when !opath_ok). */
static int meta_fd(uint64_t fd, bool opath_ok, struct vfs_file **f)
{
    int rc;

    *f = NULL;
    if ((int)(uint32_t)fd < 0)
        return -EBADF;
    rc = sys_dir_get((int)(uint32_t)fd, NULL, f);
    if (rc == -ENOTDIR)
        return META_CONSOLE;
    if (rc)
        return rc;
    if (!opath_ok && ((*f)->flags & VFS_O_PATH)) {
        sys_dir_put(*f);
        *f = NULL;
        return -EBADF;
    }
    return 0;
}

static uint32_t meta_type(struct vfs_file *f)
{
    struct vfs_stat st;

    return vfs_fstat(f, &st) ? 0 : st.st_mode & VFS_S_IFMT;
}

/* --- mode and owner ---------------------------------------------------------------------- */

static long do_fchmodat(uint64_t dirfd, uint64_t upath, uint64_t mode, int flags)
{
    struct upath u;
    long rc = sys_upath_get(dirfd, upath, &u);

    if (rc)
        return rc;
    rc = vfs_fchmodat(u.dir, u.path, (uint32_t)mode & LINUX_S_IALLUGO, flags);
    sys_upath_put(&u);
    return rc;
}

long sys_chmod(const uint64_t a[6])
{
    return do_fchmodat((uint64_t)(int64_t)LINUX_AT_FDCWD, a[0], a[1], 0);
}

long sys_fchmodat(const uint64_t a[6])
{
    return do_fchmodat(a[0], a[1], a[2], 0);
}

/* fchmodat2 (Linux 6.6; glibc 2.39's fchmodat with flags): the flags, an unsigned int, are
 * checked first; a symlink reached with AT_SYMLINK_NOFOLLOW is -EOPNOTSUPP (vfs_fchmodat). */
long sys_fchmodat2(const uint64_t a[6])
{
    uint32_t flags = (uint32_t)a[3];

    if (flags & ~(uint32_t)(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH))
        return -EINVAL;
    return do_fchmodat(a[0], a[1], a[2], (int)flags);
}

long sys_fchmod(const uint64_t a[6])
{
    struct vfs_file *f;
    long rc = meta_fd(a[0], false, &f);

    if (rc)
        return rc == META_CONSOLE ? 0 : rc;
    rc = vfs_fchmod(f, (uint32_t)a[1] & LINUX_S_IALLUGO);
    sys_dir_put(f);
    return rc;
}

static long do_fchownat(uint64_t dirfd, uint64_t upath, uint64_t uid, uint64_t gid,
                        uint64_t flags)
{
    struct upath u;
    long rc;

    if (flags & ~(uint64_t)(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH))
        return -EINVAL;
    rc = sys_upath_get(dirfd, upath, &u);
    if (rc)
        return rc;
    rc = vfs_fchownat(u.dir, u.path, (uint32_t)uid, (uint32_t)gid, (int)flags);
    sys_upath_put(&u);
    return rc;
}

long sys_chown(const uint64_t a[6])
{
    return do_fchownat((uint64_t)(int64_t)LINUX_AT_FDCWD, a[0], a[1], a[2], 0);
}

long sys_lchown(const uint64_t a[6])
{
    return do_fchownat((uint64_t)(int64_t)LINUX_AT_FDCWD, a[0], a[1], a[2],
                       LINUX_AT_SYMLINK_NOFOLLOW);
}

long sys_fchownat(const uint64_t a[6])
{
    return do_fchownat(a[0], a[1], a[2], a[3], a[4]);
}

long sys_fchown(const uint64_t a[6])
{
    struct vfs_file *f;
    long rc = meta_fd(a[0], false, &f);

    if (rc)
        return rc == META_CONSOLE ? 0 : rc;
    rc = vfs_fchown(f, (uint32_t)a[1], (uint32_t)a[2]);
    sys_dir_put(f);
    return rc;
}

/* --- times ------------------------------------------------------------------------------- */

/* Linux's do_utimes once the times are decoded (t NULL: now): a path, or with path 0 the
 * descriptor dirfd itself (futimens; AT_FDCWD then is -EFAULT, any flag -EINVAL). */
static long do_utimes(uint64_t dirfd, uint64_t upath, const struct vfs_timespec *t,
                      uint64_t flags)
{
    struct vfs_file *f;
    struct upath u;
    long rc;

    if (flags & ~(uint64_t)(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH))
        return -EINVAL;
    if (upath) {
        rc = sys_upath_get(dirfd, upath, &u);
        if (rc)
            return rc;
        rc = vfs_utimensat(u.dir, u.path, t, (int)flags);
        sys_upath_put(&u);
        return rc;
    }
    if ((int)dirfd == LINUX_AT_FDCWD)
        return -EFAULT;
    if (flags)
        return -EINVAL;
    rc = meta_fd(dirfd, false, &f);
    if (rc)
        return rc == META_CONSOLE ? 0 : rc;
    rc = vfs_utimensat(f, NULL, t, 0);
    sys_dir_put(f);
    return rc;
}

long sys_utimensat(const uint64_t a[6])
{
    struct vfs_timespec t[2];

    if (a[2] && sys_copy_in(t, a[2], sizeof(t)))
        return -EFAULT;
    return do_utimes(a[0], a[1], a[2] ? t : NULL, a[3]);
}

/* utimes/futimesat: two timevals (NULL: now), microseconds 0..999999. */
static long do_futimesat(uint64_t dirfd, uint64_t upath, uint64_t utv)
{
    struct linux_timeval tv[2];
    struct vfs_timespec t[2];

    if (!utv)
        return do_utimes(dirfd, upath, NULL, 0);
    if (sys_copy_in(tv, utv, sizeof(tv)))
        return -EFAULT;
    for (int i = 0; i < 2; i++) {
        if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
            return -EINVAL;
        t[i].tv_sec = tv[i].tv_sec;
        t[i].tv_nsec = tv[i].tv_usec * 1000;
    }
    return do_utimes(dirfd, upath, t, 0);
}

long sys_futimesat(const uint64_t a[6])
{
    return do_futimesat(a[0], a[1], a[2]);
}

long sys_utimes(const uint64_t a[6])
{
    return do_futimesat((uint64_t)(int64_t)LINUX_AT_FDCWD, a[0], a[1]);
}

long sys_utime(const uint64_t a[6])
{
    struct linux_utimbuf b;
    struct vfs_timespec t[2];

    if (!a[1])
        return do_utimes((uint64_t)(int64_t)LINUX_AT_FDCWD, a[0], NULL, 0);
    if (sys_copy_in(&b, a[1], sizeof(b)))
        return -EFAULT;
    t[0] = (struct vfs_timespec){b.actime, 0};
    t[1] = (struct vfs_timespec){b.modtime, 0};
    return do_utimes((uint64_t)(int64_t)LINUX_AT_FDCWD, a[0], t, 0);
}

/* --- making files ------------------------------------------------------------------------ */

static long do_mknodat(uint64_t dirfd, uint64_t upath, uint64_t mode, uint64_t dev)
{
    uint32_t m = (uint32_t)mode, type = m & LINUX_S_IFMT;
    struct upath u;
    long rc;

    /* Linux checks the type before the path: a directory -EPERM, an unknown type -EINVAL. */
    if (type == LINUX_S_IFDIR)
        return -EPERM;
    if (type != 0 && type != LINUX_S_IFREG && type != LINUX_S_IFCHR && type != LINUX_S_IFBLK &&
        type != LINUX_S_IFIFO && type != LINUX_S_IFSOCK)
        return -EINVAL;
    rc = sys_upath_get(dirfd, upath, &u);
    if (rc)
        return rc;
    m = (type ? type : (uint32_t)LINUX_S_IFREG) | (m & LINUX_S_IALLUGO & ~sys_proc()->umask);
    /* dev is the 32-bit encoding, which is also what stat reports as st_rdev */
    rc = vfs_mknodat(u.dir, u.path, m, (uint32_t)dev);
    sys_upath_put(&u);
    return rc;
}

long sys_mknod(const uint64_t a[6])
{
    return do_mknodat((uint64_t)(int64_t)LINUX_AT_FDCWD, a[0], a[1], a[2]);
}

long sys_mknodat(const uint64_t a[6])
{
    return do_mknodat(a[0], a[1], a[2], a[3]);
}

long sys_creat(const uint64_t a[6])
{
    const uint64_t o[6] = {a[0], LINUX_O_CREAT | LINUX_O_WRONLY | LINUX_O_TRUNC, a[1], 0, 0, 0};

    return sys_open(o);
}

/* truncate(path, length): Linux's vfs_truncate - the path followed, a directory -EISDIR,
 * anything but a regular file -EINVAL, a negative length -EINVAL (checked before the path,
 * as Linux's do_sys_truncate does); RLIMIT_FSIZE and read-only mounts are the VFS's. */
long sys_truncate(const uint64_t a[6])
{
    struct upath u;
    long rc;

    if ((int64_t)a[1] < 0)
        return -EINVAL;
    rc = sys_upath_get((uint64_t)(int64_t)LINUX_AT_FDCWD, a[0], &u);
    if (rc)
        return rc;
    rc = vfs_truncate(u.dir, u.path, (int64_t)a[1]);
    sys_upath_put(&u);
    return rc;
}

/* --- filesystems ------------------------------------------------------------------------- */

/* What fstatfs says of the console: devpts's answer for a pty. */
static void console_statfs(struct vfs_statfs *st)
{
    memset(st, 0, sizeof(*st));
    st->f_type = LINUX_DEVPTS_SUPER_MAGIC;
    st->f_bsize = VFS_PAGE_SIZE;
    st->f_frsize = VFS_PAGE_SIZE;
    st->f_namelen = LINUX_NAME_MAX;
    st->f_flags = LINUX_ST_VALID | LINUX_ST_NOSUID | LINUX_ST_NOEXEC | LINUX_ST_RELATIME;
}

long sys_statfs(const uint64_t a[6])
{
    struct vfs_statfs st;
    struct upath u;
    long rc = sys_upath_get((uint64_t)(int64_t)LINUX_AT_FDCWD, a[0], &u);

    if (rc)
        return rc;
    rc = vfs_statfs(u.dir, u.path, &st);
    sys_upath_put(&u);
    return rc ? rc : sys_copy_out(a[1], &st, sizeof(st));
}

long sys_fstatfs(const uint64_t a[6])
{
    struct vfs_statfs st;
    struct vfs_file *f;
    long rc = meta_fd(a[0], true, &f);

    if (rc == META_CONSOLE) {
        console_statfs(&st);
        rc = 0;
    } else if (rc)
        return rc;
    else
        rc = vfs_fstatfs(f, &st);
    sys_dir_put(f);
    return rc ? rc : sys_copy_out(a[1], &st, sizeof(st));
}

/* syncfs writes back every filesystem: more than the one asked for, never less. */
long sys_syncfs(const uint64_t a[6])
{
    struct vfs_file *f;
    long rc = meta_fd(a[0], false, &f);

    if (rc < 0)
        return rc;
    sys_dir_put(f);
    return vfs_sync();
}

/* --- hints ------------------------------------------------------------------------------- */

long sys_fadvise64(const uint64_t a[6])
{
    struct vfs_file *f;
    long rc = meta_fd((uint64_t)(int64_t)(int)a[0], false, &f);

    if (rc < 0)
        return rc;
    if (rc == 0 && meta_type(f) == VFS_S_IFIFO)
        rc = -ESPIPE;
    else if (a[3] > LINUX_POSIX_FADV_NOREUSE) /* any offset and length: Linux 6.x too */
        rc = -EINVAL;
    else
        rc = 0; /* advice: the page cache reads and evicts on its own terms */
    sys_dir_put(f);
    return rc;
}

/* Bring up to META_RA_MAX bytes from off into the page cache by reading them. */
static long readahead_file(struct vfs_file *f, int64_t off, uint64_t count)
{
    size_t n = count > META_RA_MAX ? META_RA_MAX : (size_t)count;
    void *k;
    long rc;

    if (off < 0 || n == 0)
        return 0;
    k = kmalloc(n);
    if (!k)
        return -ENOMEM;
    rc = vfs_pread(f, k, n, off);
    kfree(k);
    return rc < 0 ? rc : 0;
}

long sys_readahead(const uint64_t a[6])
{
    struct vfs_file *f;
    long rc = meta_fd((uint64_t)(int64_t)(int)a[0], false, &f);

    if (rc < 0)
        return rc;
    if (rc == META_CONSOLE)
        return -EINVAL;
    if (!(vfs_fmode(f->flags) & VFS_FMODE_READ))
        rc = -EBADF;
    else if (meta_type(f) != VFS_S_IFREG)
        rc = -EINVAL;
    else
        rc = readahead_file(f, (int64_t)a[1], a[2]);
    sys_dir_put(f);
    return rc;
}

long sys_sync_file_range(const uint64_t a[6])
{
    const unsigned valid = LINUX_SYNC_FILE_RANGE_WAIT_BEFORE | LINUX_SYNC_FILE_RANGE_WRITE |
                           LINUX_SYNC_FILE_RANGE_WAIT_AFTER;
    struct vfs_file *f;
    long rc = meta_fd((uint64_t)(int64_t)(int)a[0], false, &f);
    uint32_t type;

    if (rc < 0)
        return rc;
    if ((uint32_t)a[3] & ~valid) {
        sys_dir_put(f);
        return -EINVAL;
    }
    if (rc == META_CONSOLE)
        return -ESPIPE;
    type = meta_type(f);
    if (type != VFS_S_IFREG && type != VFS_S_IFDIR && type != VFS_S_IFBLK && type != VFS_S_IFLNK)
        rc = -ESPIPE;
    else if ((uint32_t)a[3] & LINUX_SYNC_FILE_RANGE_WRITE)
        rc = vfs_fdatasync(f); /* the whole file: more than the range, never less */
    sys_dir_put(f);
    return rc;
}

/* --- the old getdents -------------------------------------------------------------------- */

/* Rewrite n bytes of getdents64 records at k in the old layout, in place: same sizes. */
static int dirents_to_old(uint8_t *k, size_t n)
{
    for (size_t off = 0; off < n;) {
        struct linux_dirent64 *e = (struct linux_dirent64 *)(k + off);
        uint16_t len = e->d_reclen;
        uint8_t type = e->d_type;
        size_t name;

        if (len < 24 || len > n - off)
            return -EIO; /* not what vfs_getdents writes */
        name = strnlen(e->d_name, len - offsetof(struct linux_dirent64, d_name));
        memmove(k + off + offsetof(struct linux_dirent, d_name), e->d_name, name);
        memset(k + off + offsetof(struct linux_dirent, d_name) + name, 0,
               len - offsetof(struct linux_dirent, d_name) - name);
        k[off + len - 1] = type;
        off += len;
    }
    return 0;
}

long sys_getdents(const uint64_t a[6])
{
    long n = sys_getdents64(a);
    uint8_t *k;
    long rc;

    if (n <= 0)
        return n;
    k = kmalloc((size_t)n);
    if (!k)
        return -ENOMEM;
    rc = sys_copy_in(k, a[1], (size_t)n);
    if (rc == 0)
        rc = dirents_to_old(k, (size_t)n);
    if (rc == 0)
        rc = sys_copy_out(a[1], k, (size_t)n);
    kfree(k);
    return rc ? rc : n;
}
