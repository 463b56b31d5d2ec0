/*
 * sys_file.c - descriptor syscalls: read/write and their vector and positioned forms, open,
 * close, fstat, lseek, getdents64, ftruncate, fsync, dup*, fcntl, ioctl.
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

static int get_fd(uint64_t fd, struct fd_slot *s)
{
    if (fd > INT32_MAX)
        return -EBADF;
    return fd_get(&sys_proc()->fds, (int)fd, s);
}

static size_t clamp_count(uint64_t n)
{
    return n > SYS_RW_MAX ? SYS_RW_MAX : (size_t)n;
}

/* --- the data path ----------------------------------------------------------------------- */

/* One read into the bounce buffer: the console, a positioned or a sequential VFS read. */
static long read_once(struct fd_slot *s, void *buf, size_t n, int64_t off)
{
    if (s->console)
        return off >= 0 ? -ESPIPE : sys_console_read(buf, n);
    return off >= 0 ? vfs_pread(s->file, buf, n, off) : vfs_read(s->file, buf, n);
}

static long write_once(struct fd_slot *s, const void *buf, size_t n, int64_t off)
{
    if (s->console)
        return off >= 0 ? -ESPIPE : sys_console_write(buf, n);
    return off >= 0 ? vfs_pwrite(s->file, buf, n, off) : vfs_write(s->file, buf, n);
}

/* Read up to n bytes into user ubuf; off < 0: at the file offset. */
static long do_read(struct fd_slot *s, uint64_t ubuf, size_t n, int64_t off)
{
    size_t done = 0;
    void *k;

    if (sys_user_check(ubuf, n, VM_PROT_WRITE))
        return -EFAULT;
    if (n == 0)
        return read_once(s, NULL, 0, off);
    k = kmalloc(n < IO_CHUNK ? n : IO_CHUNK);
    if (!k)
        return -ENOMEM;
    while (done < n) {
        size_t c = n - done < IO_CHUNK ? n - done : IO_CHUNK;
        long r = read_once(s, k, c, off < 0 ? off : off + (int64_t)done);

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

static long do_write(struct fd_slot *s, uint64_t ubuf, size_t n, int64_t off)
{
    size_t done = 0;
    void *k;

    if (n == 0)
        return write_once(s, NULL, 0, off);
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
        r = write_once(s, k, c, off < 0 ? off : off + (int64_t)done);
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

static long rw_fd(const uint64_t a[6], bool write, int64_t off)
{
    struct fd_slot s;
    long rc = get_fd(a[0], &s);

    if (rc)
        return rc;
    if (write)
        rc = do_write(&s, a[1], clamp_count(a[2]), off);
    else
        rc = do_read(&s, a[1], clamp_count(a[2]), off);
    fd_put(&s);
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
    struct fd_slot s;
    long rc = get_fd(a[0], &s), done = 0;

    if (rc)
        return rc;
    rc = iov_decode(a[1], a[2], &v);
    for (uint64_t i = 0; rc == 0 && i < a[2]; i++) {
        size_t n = clamp_count(v[i].len);
        long r = write ? do_write(&s, v[i].base, n, -1) : do_read(&s, v[i].base, n, -1);

        if (r < 0) {
            rc = done ? 0 : r;
            break;
        }
        done += r;
        if ((size_t)r < n)
            break;
    }
    kfree(v);
    fd_put(&s);
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
    struct vfs_file *dir, *f;
    struct fd_slot s = {NULL, false, false};
    char *path;
    long rc = sys_path_in(upath, &path);

    if (rc)
        return rc;
    rc = sys_dir_get(dirfd, path, &dir);
    if (rc == 0) {
        uint32_t m = (uint32_t)mode & 07777 & ~p->umask;

        rc = vfs_openat(dir, path, (int)(flags & ~(uint64_t)SYS_O_CLOEXEC), m, &f);
        sys_dir_put(dir);
    }
    kfree(path);
    if (rc)
        return rc;
    s.file = f;
    s.cloexec = flags & SYS_O_CLOEXEC;
    rc = fd_install(&p->fds, 0, s);
    if (rc < 0)
        vfs_file_put(f);
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
    struct fd_slot s;
    long rc = get_fd(a[0], &s);

    if (rc)
        return rc;
    if (s.console) {
        sys_console_stat(&st);
    } else {
        rc = vfs_fstat(s.file, &st);
    }
    fd_put(&s);
    return rc ? rc : sys_copy_out(a[1], &st, sizeof(st));
}

long sys_lseek(const uint64_t a[6])
{
    struct fd_slot s;
    long rc = get_fd(a[0], &s);

    if (rc)
        return rc;
    if (a[2] > VFS_SEEK_HOLE)
        rc = -EINVAL;
    else
        rc = s.console ? -ESPIPE : vfs_lseek(s.file, (int64_t)a[1], (int)a[2]);
    fd_put(&s);
    return rc;
}

long sys_getdents64(const uint64_t a[6])
{
    size_t n = a[2] > IO_CHUNK ? IO_CHUNK : (size_t)a[2];
    struct fd_slot s;
    long rc = get_fd(a[0], &s);
    void *k = NULL;

    if (rc)
        return rc;
    if (s.console)
        rc = -ENOTDIR;
    else if (sys_user_check(a[1], n, VM_PROT_WRITE))
        rc = -EFAULT;
    else if (!(k = kmalloc(n ? n : 1)))
        rc = -ENOMEM;
    else
        rc = vfs_getdents(s.file, k, n);
    if (rc > 0 && sys_copy_out(a[1], k, (size_t)rc))
        rc = -EFAULT;
    kfree(k);
    fd_put(&s);
    return rc;
}

long sys_ftruncate(const uint64_t a[6])
{
    struct fd_slot s;
    long rc = get_fd(a[0], &s);

    if (rc)
        return rc;
    if ((int64_t)a[1] < 0 || s.console)
        rc = -EINVAL;
    else
        rc = vfs_ftruncate(s.file, (int64_t)a[1]);
    fd_put(&s);
    return rc;
}

static long sync_fd(uint64_t fd, bool data)
{
    struct fd_slot s;
    long rc = get_fd(fd, &s);

    if (rc)
        return rc;
    if (s.console)
        rc = -EINVAL; /* as a tty */
    else
        rc = data ? vfs_fdatasync(s.file) : vfs_fsync(s.file);
    fd_put(&s);
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
    struct fd_slot s;
    long rc = get_fd(fd, &s);

    if (rc)
        return rc;
    if (minfd >= PROC_NOFILE) {
        fd_put(&s);
        return -EINVAL;
    }
    s.cloexec = cloexec;
    rc = fd_install(&sys_proc()->fds, (int)minfd, s);
    if (rc < 0)
        fd_put(&s);
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

static long getfl(struct fd_slot *s)
{
    if (s->console)
        return VFS_O_RDWR | sys_proc()->console_flags;
    return s->file->flags;
}

static long setfl(struct fd_slot *s, uint64_t arg)
{
    unsigned v = (unsigned)arg & SETFL_MASK;
    struct proc *p = sys_proc();

    if (s->console) {
        mutex_lock(&p->lock);
        p->console_flags = v;
        mutex_unlock(&p->lock);
        return 0;
    }
    if (s->file->flags & VFS_O_PATH)
        return -EBADF;
    s->file->flags = (s->file->flags & ~(unsigned)SETFL_MASK) | v;
    return 0;
}

long sys_fcntl(const uint64_t a[6])
{
    struct fdtable *t = &sys_proc()->fds;
    struct fd_slot s;
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
        rc = get_fd(a[0], &s);
        if (rc)
            return rc;
        rc = a[1] == F_GETFL ? getfl(&s) : setfl(&s, a[2]);
        fd_put(&s);
        return rc;
    default:
        rc = get_fd(a[0], &s); /* EBADF first, then EINVAL, as Linux */
        if (rc)
            return rc;
        fd_put(&s);
        return -EINVAL;
    }
}

static long ioctl_nbio(struct fd_slot *s, uint64_t uarg)
{
    int on;
    long rc = sys_copy_in(&on, uarg, sizeof(on));
    unsigned fl;

    if (rc)
        return rc;
    fl = (unsigned)getfl(s);
    fl = on ? fl | VFS_O_NONBLOCK : fl & ~(unsigned)VFS_O_NONBLOCK;
    return setfl(s, fl);
}

long sys_ioctl(const uint64_t a[6])
{
    struct fd_slot s;
    long rc = get_fd(a[0], &s);
    unsigned req = (unsigned)a[1];

    if (rc)
        return rc;
    if (s.file && (s.file->flags & VFS_O_PATH))
        rc = -EBADF;
    else if (req == FIOCLEX || req == FIONCLEX)
        rc = fd_set_cloexec(&sys_proc()->fds, (int)a[0], req == FIOCLEX);
    else if (req == FIONBIO)
        rc = ioctl_nbio(&s, a[2]);
    else if (s.console)
        rc = sys_console_ioctl(req, a[2]);
    else
        rc = -ENOTTY;
    fd_put(&s);
    return rc;
}
