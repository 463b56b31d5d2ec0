/*
 * sys_file.c - descriptor syscalls: read/write and their vector and positioned forms, open,
 * close, fstat, lseek, getdents64, ftruncate, fsync, dup*, fcntl, ioctl.
 *
 * Every handler works on the open file (fs/file/file.h) through its ops and never asks which
 * kind it is; the position of read/write/readv/writev is taken once per call
 * (file_pos_begin: the description's pos_lock for positioned kinds), so two threads sharing
 * a description never read the same bytes twice.
 *
 * Data moves through a kernel bounce buffer of at most IO_CHUNK bytes: a write copies each
 * user byte in once, then hands it to the VFS; a read first checks that the whole user buffer
 * is writable (so a bad pointer fails before the file offset moves), then copies each chunk
 * out. A fault part-way through returns the bytes done so far, as Linux does.
 */
#include "core/lib/alloc.h"
#include "core/syscall/sys_internal.h"
#include "hal/hal_errno.h"

#define IO_CHUNK (64 * 1024)

#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_DUPFD_CLOEXEC 1030
#define SETFL_MASK (VFS_O_APPEND | VFS_O_NONBLOCK | VFS_O_DIRECT | VFS_O_NOATIME | 020000)

#define FIONCLEX 0x5450
#define FIOCLEX 0x5451
#define FIONBIO 0x5421

struct sys_iovec {
    uint64_t base;
    uint64_t len;
};

static int get_fd(uint64_t fd, struct file **f)
{
    *f = NULL;
    if (fd > INT32_MAX)
        return -EBADF;
    return fd_get(&sys_proc()->fds, (int)fd, f);
}

static size_t clamp_count(uint64_t n)
{
    return n > SYS_RW_MAX ? SYS_RW_MAX : (size_t)n;
}

/* --- the data path ----------------------------------------------------------------------- */

/* Read up to n bytes into user ubuf at *pos (advanced by the file's op). */
static long do_read(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos)
{
    size_t done = 0;
    void *k;

    if (sys_user_check(ubuf, n, VM_PROT_WRITE))
        return -EFAULT;
    if (n == 0)
        return file_read(f, NULL, 0, pos);
    k = kmalloc(n < IO_CHUNK ? n : IO_CHUNK);
    if (!k)
        return -ENOMEM;
    while (done < n) {
        size_t c = n - done < IO_CHUNK ? n - done : IO_CHUNK;
        long r = file_read(f, k, c, pos);

        if (r < 0 && done == 0)
            done = (size_t)r;
        if (r <= 0)
            break;
        if (sys_copy_out(ubuf + done, k, (size_t)r)) {
            done = done ? done : (size_t)-EFAULT;
            break;
        }
        done += (size_t)r;
        if ((size_t)r < c)
            break;
    }
    kfree(k);
    return (long)done;
}

static long do_write(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos)
{
    size_t done = 0;
    void *k;

    if (n == 0)
        return file_write(f, NULL, 0, pos);
    sys_fetch_scope();
    k = kmalloc(n < IO_CHUNK ? n : IO_CHUNK);
    if (!k)
        return -ENOMEM;
    while (done < n) {
        size_t c = n - done < IO_CHUNK ? n - done : IO_CHUNK;
        long r;

        if (sys_copy_in(k, ubuf + done, c)) {
            done = done ? done : (size_t)-EFAULT;
            break;
        }
        r = file_write(f, k, c, pos);
        if (r < 0 && done == 0)
            done = (size_t)r;
        if (r <= 0)
            break;
        done += (size_t)r;
        if ((size_t)r < c)
            break;
    }
    kfree(k);
    return (long)done;
}

/* off < 0: at the file's position; else pread/pwrite at off. */
static long rw_fd(const uint64_t a[6], bool write, int64_t off)
{
    struct file *f;
    uint64_t local, *pos;
    long rc = get_fd(a[0], &f);

    if (rc == 0)
        rc = file_pos_begin(f, off, &local, &pos);
    if (rc) {
        file_put(f);
        return rc;
    }
    if (write)
        rc = do_write(f, a[1], clamp_count(a[2]), pos);
    else
        rc = do_read(f, a[1], clamp_count(a[2]), pos);
    file_pos_end(f, off);
    file_put(f);
    return rc;
}

long sys_read(const uint64_t a[6])
{
    return rw_fd(a, false, -1);
}

long sys_write(const uint64_t a[6])
{
    return rw_fd(a, true, -1);
}

long sys_pread64(const uint64_t a[6])
{
    return (int64_t)a[3] < 0 ? -EINVAL : rw_fd(a, false, (int64_t)a[3]);
}

long sys_pwrite64(const uint64_t a[6])
{
    return (int64_t)a[3] < 0 ? -EINVAL : rw_fd(a, true, (int64_t)a[3]);
}

/* Copy in and check an iovec array: count in range, no length past SSIZE_MAX in total. */
static int iov_decode(uint64_t uiov, uint64_t cnt, struct sys_iovec **out)
{
    struct sys_iovec *v;
    uint64_t total = 0;

    if (cnt > SYS_IOV_MAX)
        return -EINVAL;
    sys_fetch_scope();
    v = kmalloc((cnt ? cnt : 1) * sizeof(*v));
    if (!v)
        return -ENOMEM;
    if (sys_copy_in(v, uiov, cnt * sizeof(*v))) {
        kfree(v);
        return -EFAULT;
    }
    for (uint64_t i = 0; i < cnt; i++) {
        if (v[i].len > (uint64_t)INT64_MAX - total) {
            kfree(v);
            return -EINVAL;
        }
        total += v[i].len;
    }
    *out = v;
    return 0;
}

static long rw_vec(const uint64_t a[6], bool write)
{
    struct sys_iovec *v = NULL;
    struct file *f;
    uint64_t local, *pos;
    long rc = get_fd(a[0], &f), done = 0;

    if (rc)
        return rc;
    rc = iov_decode(a[1], a[2], &v);
    if (rc == 0)
        rc = file_pos_begin(f, -1, &local, &pos);
    if (rc) {
        file_put(f);
        return rc;
    }
    for (uint64_t i = 0; i < a[2]; i++) {
        size_t n = clamp_count(v[i].len);
        long r = write ? do_write(f, v[i].base, n, pos) : do_read(f, v[i].base, n, pos);

        if (r < 0) {
            rc = done ? 0 : r;
            break;
        }
        done += r;
        if ((size_t)r < n)
            break;
    }
    file_pos_end(f, -1);
    kfree(v);
    file_put(f);
    return rc ? rc : done;
}

long sys_readv(const uint64_t a[6])
{
    return rw_vec(a, false);
}

long sys_writev(const uint64_t a[6])
{
    return rw_vec(a, true);
}

/* --- open and close ---------------------------------------------------------------------- */

static long do_openat(int dirfd, uint64_t upath, uint64_t flags, uint64_t mode)
{
    struct proc *p = sys_proc();
    struct vfs_file *dir, *vf;
    struct file *f;
    char *path;
    long rc = sys_path_in(upath, &path);

    if (rc)
        return rc;
    rc = sys_dir_get(dirfd, path, &dir);
    if (rc == 0) {
        uint32_t m = (uint32_t)mode & 07777 & ~p->umask;

        rc = vfs_openat(dir, path, (int)(flags & ~(uint64_t)SYS_O_CLOEXEC), m, &vf);
        sys_dir_put(dir);
    }
    kfree(path);
    if (rc)
        return rc;
    f = file_from_vfs(vf);
    if (!f) {
        vfs_file_put(vf);
        return -ENOMEM;
    }
    rc = fd_install(&p->fds, 0, f, flags & SYS_O_CLOEXEC);
    if (rc < 0)
        file_put(f);
    return rc;
}

long sys_open(const uint64_t a[6])
{
    return do_openat(VFS_AT_FDCWD, a[0], a[1], a[2]);
}

long sys_openat(const uint64_t a[6])
{
    return do_openat((int)a[0], a[1], a[2], a[3]);
}

long sys_close(const uint64_t a[6])
{
    return a[0] > INT32_MAX ? -EBADF : fd_close(&sys_proc()->fds, (int)a[0]);
}

/* --- metadata and position --------------------------------------------------------------- */

long sys_fstat(const uint64_t a[6])
{
    struct vfs_stat st;
    struct file *f;
    long rc = get_fd(a[0], &f);

    if (rc)
        return rc;
    rc = file_stat(f, &st);
    file_put(f);
    return rc ? rc : sys_copy_out(a[1], &st, sizeof(st));
}

long sys_lseek(const uint64_t a[6])
{
    struct file *f;
    long rc = get_fd(a[0], &f);

    if (rc)
        return rc;
    if (a[2] > VFS_SEEK_HOLE)
        rc = -EINVAL;
    else
        rc = file_lseek(f, (int64_t)a[1], (int)a[2]);
    file_put(f);
    return rc;
}

long sys_getdents64(const uint64_t a[6])
{
    size_t n = a[2] > IO_CHUNK ? IO_CHUNK : (size_t)a[2];
    struct file *f;
    long rc = get_fd(a[0], &f);
    void *k = NULL;

    if (rc)
        return rc;
    if (sys_user_check(a[1], n, VM_PROT_WRITE))
        rc = -EFAULT;
    else if (!(k = kmalloc(n ? n : 1)))
        rc = -ENOMEM;
    else
        rc = file_getdents(f, k, n);
    if (rc > 0 && sys_copy_out(a[1], k, (size_t)rc))
        rc = -EFAULT;
    kfree(k);
    file_put(f);
    return rc;
}

long sys_ftruncate(const uint64_t a[6])
{
    struct file *f;
    long rc = get_fd(a[0], &f);

    if (rc)
        return rc;
    if ((int64_t)a[1] < 0)
        rc = -EINVAL;
    else
        rc = file_truncate(f, (int64_t)a[1]);
    file_put(f);
    return rc;
}

static long sync_fd(uint64_t fd, bool data)
{
    struct file *f;
    long rc = get_fd(fd, &f);

    if (rc)
        return rc;
    rc = file_fsync(f, data);
    file_put(f);
    return rc;
}

long sys_fsync(const uint64_t a[6])
{
    return sync_fd(a[0], false);
}

long sys_fdatasync(const uint64_t a[6])
{
    return sync_fd(a[0], true);
}

/* --- dup, fcntl, ioctl ------------------------------------------------------------------- */

static long dup_min(uint64_t fd, uint64_t minfd, bool cloexec)
{
    struct file *f;
    long rc = get_fd(fd, &f);

    if (rc)
        return rc;
    if (minfd >= PROC_NOFILE) {
        file_put(f);
        return -EINVAL;
    }
    rc = fd_install(&sys_proc()->fds, (int)minfd, f, cloexec);
    if (rc < 0)
        file_put(f);
    return rc;
}

long sys_dup(const uint64_t a[6])
{
    return dup_min(a[0], 0, false);
}

long sys_dup2(const uint64_t a[6])
{
    if (a[0] > INT32_MAX || a[1] > INT32_MAX)
        return -EBADF;
    return fd_dup_to(&sys_proc()->fds, (int)a[0], (int)a[1], false);
}

long sys_dup3(const uint64_t a[6])
{
    if (a[2] & ~(uint64_t)SYS_O_CLOEXEC)
        return -EINVAL;
    if (a[0] == a[1])
        return -EINVAL;
    if (a[0] > INT32_MAX || a[1] > INT32_MAX)
        return -EBADF;
    return fd_dup_to(&sys_proc()->fds, (int)a[0], (int)a[1], a[2] & SYS_O_CLOEXEC);
}

long sys_fcntl(const uint64_t a[6])
{
    struct fdtable *t = &sys_proc()->fds;
    struct file *f;
    long rc;

    switch (a[1]) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        return dup_min(a[0], a[2], a[1] == F_DUPFD_CLOEXEC);
    case F_GETFD:
        return a[0] > INT32_MAX ? -EBADF : fd_get_cloexec(t, (int)a[0]);
    case F_SETFD:
        return a[0] > INT32_MAX ? -EBADF : fd_set_cloexec(t, (int)a[0], a[2] & SYS_FD_CLOEXEC);
    case F_GETFL:
    case F_SETFL:
        rc = get_fd(a[0], &f);
        if (rc)
            return rc;
        if (a[1] == F_GETFL)
            rc = file_flags(f);
        else
            rc = file_setfl(f, SETFL_MASK, (unsigned)a[2]);
        file_put(f);
        return rc;
    default:
        rc = get_fd(a[0], &f); /* EBADF first, then EINVAL, as Linux */
        if (rc)
            return rc;
        file_put(f);
        return -EINVAL;
    }
}

static long ioctl_nbio(struct file *f, uint64_t uarg)
{
    int on;
    long rc = sys_copy_in(&on, uarg, sizeof(on));

    if (rc)
        return rc;
    return file_setfl(f, VFS_O_NONBLOCK, on ? VFS_O_NONBLOCK : 0);
}

long sys_ioctl(const uint64_t a[6])
{
    struct file *f;
    long rc = get_fd(a[0], &f);
    unsigned req = (unsigned)a[1];

    if (rc)
        return rc;
    if (file_flags(f) & VFS_O_PATH)
        rc = -EBADF;
    else if (req == FIOCLEX || req == FIONCLEX)
        rc = fd_set_cloexec(&sys_proc()->fds, (int)a[0], req == FIOCLEX);
    else if (req == FIONBIO)
        rc = ioctl_nbio(f, a[2]);
    else
        rc = file_ioctl(f, req, a[2]);
    file_put(f);
    return rc;
}
