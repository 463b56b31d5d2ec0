/*
 * sys_file.c - descriptor syscalls: read/write and their vector and positioned forms, open,
 * close, fstat, lseek, getdents64, ftruncate, fsync, dup*, fcntl, ioctl, memfd_create.
 *
 * Every handler works on the open file (fs/file/file.h) through its ops and never asks which
 * kind it is; the position of read/write/readv/writev is taken once per call
 * (file_pos_begin: the description's pos_lock for positioned kinds), so two threads sharing
 * a description never read the same bytes twice.
 *
 * Data moves through a kernel bounce buffer of at most IO_CHUNK bytes: a write copies each
 * user byte in once, then hands it to the file; a read reads each chunk into it, then copies
 * it out. Each chunk is cut to the part of the user buffer whose areas allow the access, so a
 * buffer with an unmapped tail moves the bytes before the hole and returns their count, as
 * Linux does, and a read never takes from the file what it cannot deliver.
 */
#include "core/abi/fcntl.h"
#include "core/abi/ioctl.h"
#include "core/abi/poll.h"
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/syscall/sys_internal.h"
#include "fs/pipe/eventfd.h"
#include "fs/pipe/pipe.h"
#include "fs/vfs/memfs.h"
#include "hal/hal_errno.h"

#define IO_CHUNK (64 * 1024)

/* The status flags F_SETFL may change (Linux's SETFL_MASK). */
#define SETFL_MASK                                                                                 \
    (LINUX_O_APPEND | LINUX_O_NONBLOCK | LINUX_O_DIRECT | LINUX_O_NOATIME | LINUX_O_ASYNC)

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

/* Linux's access_ok: the range lies below the top of user space and does not wrap. NULL and
 * other unmapped user addresses pass: they fault when used. */
static bool user_range_ok(uint64_t uaddr, size_t n)
{
    return uaddr + n >= uaddr && uaddr + n <= sys_proc()->vm->va_max;
}

/* How many bytes from uaddr (at most n) lie in areas that allow prot: what a copy can move
 * before it faults. */
static size_t user_room(uint64_t uaddr, size_t n, unsigned prot)
{
    return vm_user_room(sys_proc()->vm, uaddr, n, prot);
}

/*
 * The answer for a buffer that cannot take a single byte: the file's own error first, as
 * Linux checks the description before it touches memory (a write-only file: -EBADF, a
 * directory: -EISDIR), then -EFAULT - except that a positioned file at its end reads 0
 * without touching the buffer (Linux: read at EOF into an unmapped buffer returns 0). The
 * probes change nothing: a 0-byte call, or a 1-byte read at a copy of the position.
 */
static long bad_buffer(struct file *f, uint64_t *pos, bool write, bool in_range)
{
    bool eof_probe = !write && in_range && (f->mode & FILE_MODE_PREAD);
    uint64_t tmp = *pos;
    char c;
    long r;

    if (write)
        r = file_write(f, NULL, 0, &tmp);
    else
        r = file_read(f, &c, eof_probe ? 1 : 0, &tmp);
    if (r < 0)
        return r;
    return eof_probe && r == 0 ? 0 : -EFAULT;
}

/* The first part of a read: chunks copied by the file straight into user memory (a cached
 * regular file whose destination pages are present: no kernel buffer, one copy); *more set
 * when the rest must go through a kernel buffer (do_read). */
static long read_direct(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos, bool *more)
{
    size_t done = 0;

    while (done < n) {
        size_t c = n - done < IO_CHUNK ? n - done : IO_CHUNK;
        long r = file_read_user(f, ubuf + done, c, pos, more);

        if (r < 0)
            return done ? (long)done : r;
        done += (size_t)r;
        if (*more || (size_t)r < c)
            break;
    }
    return (long)done;
}

/*
 * Read up to n bytes into user ubuf at *pos (advanced by the file's op): straight into the
 * buffer while the file can (read_direct), else through a kernel buffer. Each chunk is cut
 * to the part of the buffer that can take it, so a buffer whose tail is unmapped gets the
 * bytes that fit and the call returns their count (Linux), and nothing is consumed from the
 * file that cannot be delivered.
 */
static long do_read(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos)
{
    size_t done = 0;
    bool more = false;
    long r0;
    void *k;

    if (n == 0)
        return file_read(f, NULL, 0, pos);
    if (!user_range_ok(ubuf, n))
        return bad_buffer(f, pos, false, false);
    r0 = read_direct(f, ubuf, n, pos, &more);
    if (!more || r0 < 0)
        return r0;
    done = (size_t)r0;
    if (user_room(ubuf + done, 1, VM_PROT_WRITE) == 0)
        return done ? (long)done : bad_buffer(f, pos, false, true);
    k = kmalloc(n - done < IO_CHUNK ? n - done : IO_CHUNK);
    if (!k)
        return done ? (long)done : -ENOMEM;
    while (done < n) {
        size_t c = user_room(ubuf + done, n - done < IO_CHUNK ? n - done : IO_CHUNK,
                             VM_PROT_WRITE);
        long r = c ? file_read(f, k, c, pos) : 0;

        if (r < 0 && done == 0)
            done = (size_t)r;
        if (r <= 0)
            break;
        if (sys_copy_out(ubuf + done, k, (size_t)r)) {
            done = done ? done : (size_t)-EFAULT; /* unmapped under us by another thread */
            break;
        }
        done += (size_t)r;
        if ((size_t)r < c)
            break;
    }
    kfree(k);
    return (long)done;
}

/* Write up to n bytes from user ubuf at *pos: straight from the buffer while the file can
 * (file_write_user: a pipe), else through a kernel buffer; the bytes before an unreadable
 * part of the buffer are written and counted, as Linux does. */
static long do_write(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos)
{
    size_t done = 0;
    bool more = true;
    void *k;

    if (n == 0)
        return file_write(f, NULL, 0, pos);
    if (user_range_ok(ubuf, n)) {
        long r = file_write_user(f, ubuf, n, pos, &more);

        if (r < 0 || !more)
            return r;
        done = (size_t)r;
    }
    if (done == 0 && (!user_range_ok(ubuf, n) || user_room(ubuf, 1, VM_PROT_READ) == 0))
        return bad_buffer(f, pos, true, user_range_ok(ubuf, n));
    sys_fetch_scope();
    k = kmalloc(n - done < IO_CHUNK ? n - done : IO_CHUNK);
    if (!k)
        return done ? (long)done : -ENOMEM;
    while (done < n) {
        size_t c = user_room(ubuf + done, n - done < IO_CHUNK ? n - done : IO_CHUNK,
                             VM_PROT_READ);
        long r;

        if (c == 0 || sys_copy_in(k, ubuf + done, c)) {
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

/* Copy in and check an iovec array as Linux's import_iovec: the count (-EINVAL), no
 * negative length in any element (-EINVAL), then every element within user space (-EFAULT:
 * a kernel-half pointer anywhere fails the call before anything moves; an unmapped user
 * pointer passes here and ends the transfer where it faults). Lengths are cut so the total
 * stays within SYS_RW_MAX, as Linux's MAX_RW_COUNT. */
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
        if ((int64_t)v[i].len < 0) {
            kfree(v);
            return -EINVAL;
        }
    }
    for (uint64_t i = 0; i < cnt; i++) {
        if (!user_range_ok(v[i].base, v[i].len)) {
            kfree(v);
            return -EFAULT;
        }
        if (v[i].len > (uint64_t)SYS_RW_MAX - total)
            v[i].len = (uint64_t)SYS_RW_MAX - total;
        total += v[i].len;
    }
    *out = v;
    return 0;
}

/* After a readv's first bytes, may the next iovec be read? Positioned files (regular files,
 * the VFS kind) never wait; a stream (a pipe, a terminal, eventfd...) only while it has
 * input, since Linux's readv is one read that returns once it has data and the pipe is empty
 * (a read per iovec would wait in the next one: a readv whose first iovec took exactly what
 * the pipe held blocked). */
static bool stream_has_more(struct file *f)
{
    return (f->mode & FILE_MODE_PREAD) || (file_poll(f, NULL) & LINUX_EPOLLIN);
}

/* off < 0: at the file's position (readv/writev); else preadv/pwritev at off. */
static long rw_vec(const uint64_t a[6], bool write, int64_t off)
{
    struct sys_iovec *v = NULL;
    struct file *f;
    uint64_t local, *pos;
    long rc = get_fd(a[0], &f), done = 0;
    bool sock = false;

    if (rc)
        return rc;
    if (off < 0) { /* a TCP socket takes the iovecs as one send, any socket as one receive */
        rc = write ? sys_sock_writev(f, a[1], a[2], &sock) : sys_sock_readv(f, a[1], a[2], &sock);
        if (sock) {
            file_put(f);
            return rc;
        }
    }
    rc = iov_decode(a[1], a[2], &v);
    if (rc == 0) {
        rc = file_pos_begin(f, off, &local, &pos);
        if (rc)
            kfree(v);
    }
    if (rc) {
        file_put(f);
        return rc;
    }
    for (uint64_t i = 0; i < a[2]; i++) {
        size_t n = clamp_count(v[i].len);
        long r;

        if (!write && done && n && !stream_has_more(f))
            break; /* a stream with nothing more now: the read returns (it must not wait) */
        r = write ? do_write(f, v[i].base, n, pos) : do_read(f, v[i].base, n, pos);

        if (r < 0) {
            rc = done ? 0 : r;
            break;
        }
        done += r;
        if ((size_t)r < n)
            break;
    }
    file_pos_end(f, off);
    kfree(v);
    file_put(f);
    return rc ? rc : done;
}

long sys_readv(const uint64_t a[6])
{
    return rw_vec(a, false, -1);
}

long sys_writev(const uint64_t a[6])
{
    return rw_vec(a, true, -1);
}

/* preadv/pwritev: a[3] is the whole offset on x86-64 (a[4], the high half of 32-bit ABIs,
 * is shifted out by Linux's pos_from_hilo). */
long sys_preadv(const uint64_t a[6])
{
    return (int64_t)a[3] < 0 ? -EINVAL : rw_vec(a, false, (int64_t)a[3]);
}

long sys_pwritev(const uint64_t a[6])
{
    return (int64_t)a[3] < 0 ? -EINVAL : rw_vec(a, true, (int64_t)a[3]);
}

/* preadv2/pwritev2: offset -1 is the file's position; other negatives -EINVAL. RWF_* flags
 * are not implemented: any non-zero flags give -EOPNOTSUPP (Linux's answer for unknown
 * ones; docs/CAVEATS.md). */
static long rw_vec2(const uint64_t a[6], bool write)
{
    int64_t off = (int64_t)a[3];

    if (off < -1)
        return -EINVAL;
    if (a[5])
        return -EOPNOTSUPP;
    return rw_vec(a, write, off);
}

long sys_preadv2(const uint64_t a[6])
{
    return rw_vec2(a, false);
}

long sys_pwritev2(const uint64_t a[6])
{
    return rw_vec2(a, true);
}

/* --- open and close ---------------------------------------------------------------------- */

/* The open file for a new VFS description (whose reference passes to it): a FIFO's is a
 * pipe end (this is where the kind is chosen, as Linux's init_special_inode), a character
 * device with an open_file hook makes its own (/dev/tty: the controlling terminal, or
 * -ENXIO), anything else is the VFS kind. On failure vf is released. */
static int open_file(struct vfs_file *vf, struct file **out)
{
    int rc;

    if (VFS_S_ISTYPE(vf->inode->mode, VFS_S_IFIFO) && !(vf->flags & VFS_O_PATH)) {
        rc = fifo_open(vf, out);
        if (rc)
            vfs_file_put(vf);
        return rc;
    }
    if (vf->cdev && vf->cdev->open_file) {
        rc = vf->cdev->open_file(vf, vf->cdev_priv, out);
        if (rc)
            vfs_file_put(vf);
        return rc;
    }
    *out = file_from_vfs(vf);
    if (*out)
        return 0;
    vfs_file_put(vf);
    return -ENOMEM;
}

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
    rc = open_file(vf, &f);
    if (rc)
        return rc;
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

/* --- pipes ------------------------------------------------------------------------------- */

#define PIPE2_FLAGS (LINUX_O_CLOEXEC | LINUX_O_NONBLOCK | LINUX_O_DIRECT)

static long do_pipe2(uint64_t ufds, uint64_t flags)
{
    struct fdtable *t = &sys_proc()->fds;
    struct file *rd, *wr;
    int fds[2];
    long rc;

    if (flags & ~(uint64_t)PIPE2_FLAGS)
        return -EINVAL; /* O_NOTIFICATION_PIPE too: no watch queues here */
    rc = pipe_create((unsigned)flags, &rd, &wr);
    if (rc)
        return rc;
    fds[0] = fd_install(t, 0, rd, flags & LINUX_O_CLOEXEC);
    fds[1] = fds[0] < 0 ? fds[0] : fd_install(t, 0, wr, flags & LINUX_O_CLOEXEC);
    if (fds[0] < 0 || fds[1] < 0) {
        if (fds[0] >= 0)
            fd_close(t, fds[0]);
        else
            file_put(rd);
        file_put(wr);
        return fds[0] < 0 ? fds[0] : fds[1];
    }
    rc = sys_copy_out(ufds, fds, sizeof(fds));
    if (rc) { /* Linux installs nothing when the array is not writable */
        fd_close(t, fds[0]);
        fd_close(t, fds[1]);
    }
    return rc;
}

long sys_pipe(const uint64_t a[6])
{
    return do_pipe2(a[0], 0);
}

long sys_pipe2(const uint64_t a[6])
{
    return do_pipe2(a[0], a[1]);
}

/* --- eventfd ----------------------------------------------------------------------------- */

#define EVENTFD2_FLAGS (LINUX_EFD_SEMAPHORE | LINUX_EFD_CLOEXEC | LINUX_EFD_NONBLOCK)

static long do_eventfd2(uint64_t initval, uint64_t flags)
{
    struct file *f;
    long rc;

    if (flags & ~(uint64_t)EVENTFD2_FLAGS)
        return -EINVAL;
    rc = eventfd_create((uint32_t)initval, (flags & LINUX_EFD_NONBLOCK) ? VFS_O_NONBLOCK : 0,
                        (flags & LINUX_EFD_SEMAPHORE) ? EVENTFD_SEMAPHORE : 0, &f);
    if (rc)
        return rc;
    rc = fd_install(&sys_proc()->fds, 0, f, flags & LINUX_EFD_CLOEXEC);
    if (rc < 0)
        file_put(f);
    return rc;
}

long sys_eventfd(const uint64_t a[6])
{
    return do_eventfd2(a[0], 0);
}

long sys_eventfd2(const uint64_t a[6])
{
    return do_eventfd2(a[0], a[1]);
}

/* --- memfd ------------------------------------------------------------------------------- */

#define MFD_FLAGS                                                                                  \
    (LINUX_MFD_CLOEXEC | LINUX_MFD_ALLOW_SEALING | LINUX_MFD_HUGETLB | LINUX_MFD_NOEXEC_SEAL |      \
     LINUX_MFD_EXEC)

/* memfd_create's flags as Linux checks them (an unsigned int): the page-size bits only with
 * MFD_HUGETLB, MFD_EXEC and MFD_NOEXEC_SEAL not together. */
static int memfd_flags_ok(unsigned fl)
{
    unsigned known = MFD_FLAGS;

    if (fl & LINUX_MFD_HUGETLB)
        known |= LINUX_MFD_HUGE_MASK << LINUX_MFD_HUGE_SHIFT;
    if (fl & ~known)
        return -EINVAL;
    if ((fl & LINUX_MFD_EXEC) && (fl & LINUX_MFD_NOEXEC_SEAL))
        return -EINVAL;
    return 0;
}

/* The name is only checked (Petrel shows it nowhere): at most LINUX_MFD_NAME_MAX bytes. */
static int memfd_name_ok(uint64_t uname)
{
    char *name;
    int rc = sys_path_in(uname, &name);

    if (rc == -ENAMETOOLONG)
        return -EINVAL;
    if (rc)
        return rc;
    rc = strlen(name) > LINUX_MFD_NAME_MAX ? -EINVAL : 0;
    kfree(name);
    return rc;
}

/* An unlinked memfs file (fs/vfs/memfs.h): mode 0777, or 0666 with SEAL_EXEC for
 * MFD_NOEXEC_SEAL; sealable with MFD_ALLOW_SEALING (or NOEXEC_SEAL), else SEAL_SEAL. No huge
 * pages: MFD_HUGETLB is -ENODEV, Linux's answer for a page size it has no pool for. */
long sys_memfd_create(const uint64_t a[6])
{
    unsigned fl = (unsigned)a[1], seals = LINUX_F_SEAL_SEAL;
    uint32_t mode = 0777;
    struct vfs_file *vf;
    struct file *f;
    long rc = memfd_flags_ok(fl);

    if (rc == 0)
        rc = memfd_name_ok(a[0]);
    if (rc == 0 && (fl & LINUX_MFD_HUGETLB))
        rc = -ENODEV;
    if (rc)
        return rc;
    if (fl & (LINUX_MFD_ALLOW_SEALING | LINUX_MFD_NOEXEC_SEAL))
        seals = 0;
    if (fl & LINUX_MFD_NOEXEC_SEAL) {
        mode = 0666;
        seals |= LINUX_F_SEAL_EXEC;
    }
    rc = memfs_memfd_create(mode, seals, &vf);
    if (rc)
        return rc;
    rc = open_file(vf, &f);
    if (rc)
        return rc;
    rc = fd_install(&sys_proc()->fds, 0, f, fl & LINUX_MFD_CLOEXEC);
    if (rc < 0)
        file_put(f);
    return rc;
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
    rc = file_lseek(f, (int64_t)a[1], a[2] > VFS_SEEK_HOLE ? -1 : (int)a[2]);
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
    long rc;

    if ((int64_t)a[1] < 0)
        return -EINVAL; /* Linux: before the descriptor */
    rc = get_fd(a[0], &f);
    if (rc)
        return rc;
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

/* dup (minfd 0) and F_DUPFD: a minfd at or above RLIMIT_NOFILE is -EINVAL for F_DUPFD
 * (Linux), while dup with a zero limit finds no slot (-EMFILE). */
static long dup_min(uint64_t fd, uint64_t minfd, bool cloexec, bool dupfd)
{
    struct file *f;
    long rc = get_fd(fd, &f);

    if (rc)
        return rc;
    if (dupfd && minfd >= fdtable_limit(&sys_proc()->fds)) {
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
    return dup_min(a[0], 0, false, false);
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

/* The record-lock commands: copy the struct flock in once, lock, copy it out for F_GETLK.
 * POSIX locks are owned by the process: its descriptor table is the owner token. */
static long fcntl_lock(uint64_t fd, unsigned cmd, uint64_t uarg)
{
    struct linux_flock fl;
    struct file *f;
    long rc = get_fd(fd, &f);

    if (rc)
        return rc;
    if (file_flags(f) & VFS_O_PATH)
        rc = -EBADF; /* before the copy, as Linux */
    else
        rc = sys_copy_in(&fl, uarg, sizeof(fl));
    if (rc == 0)
        rc = file_plock(f, cmd, &fl, &sys_proc()->fds, sys_proc()->pid);
    if (rc == 0 && (cmd == LINUX_F_GETLK || cmd == LINUX_F_OFD_GETLK))
        rc = sys_copy_out(uarg, &fl, sizeof(fl));
    file_put(f);
    return rc;
}

long sys_fcntl(const uint64_t a[6])
{
    struct fdtable *t = &sys_proc()->fds;
    struct file *f;
    long rc;

    switch (a[1]) {
    case LINUX_F_DUPFD:
    case LINUX_F_DUPFD_CLOEXEC:
        return dup_min(a[0], a[2], a[1] == LINUX_F_DUPFD_CLOEXEC, true);
    case LINUX_F_GETFD:
        return a[0] > INT32_MAX ? -EBADF : fd_get_cloexec(t, (int)a[0]);
    case LINUX_F_SETFD:
        return a[0] > INT32_MAX ? -EBADF : fd_set_cloexec(t, (int)a[0], a[2] & SYS_FD_CLOEXEC);
    case LINUX_F_GETFL:
    case LINUX_F_SETFL:
        rc = get_fd(a[0], &f);
        if (rc)
            return rc;
        if (a[1] == LINUX_F_GETFL)
            rc = file_flags(f);
        else
            rc = sys_setfl(f, (int)a[0], SETFL_MASK, (unsigned)a[2]);
        file_put(f);
        return rc;
    case LINUX_F_SETOWN:
    case LINUX_F_GETOWN:
    case LINUX_F_SETOWN_EX:
    case LINUX_F_GETOWN_EX:
    case LINUX_F_SETSIG:
    case LINUX_F_GETSIG:
        rc = get_fd(a[0], &f);
        if (rc == 0)
            rc = sys_fcntl_owner(f, (unsigned)a[1], a[2]);
        file_put(f);
        return rc;
    case LINUX_F_GETLK:
    case LINUX_F_SETLK:
    case LINUX_F_SETLKW:
    case LINUX_F_OFD_GETLK:
    case LINUX_F_OFD_SETLK:
    case LINUX_F_OFD_SETLKW:
        return fcntl_lock(a[0], (unsigned)a[1], a[2]);
    case LINUX_F_GETPIPE_SZ:
    case LINUX_F_SETPIPE_SZ:
    case LINUX_F_ADD_SEALS:
    case LINUX_F_GET_SEALS:
        rc = get_fd(a[0], &f);
        if (rc == 0)
            rc = file_fcntl(f, (unsigned)a[1], a[2]);
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

long sys_flock(const uint64_t a[6])
{
    struct file *f;
    long rc = get_fd(a[0], &f);

    if (rc)
        return rc;
    rc = file_flock(f, (int)(unsigned)a[1]);
    file_put(f);
    return rc;
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
    else if (req == LINUX_FIOCLEX || req == LINUX_FIONCLEX)
        rc = fd_set_cloexec(&sys_proc()->fds, (int)a[0], req == LINUX_FIOCLEX);
    else if (req == LINUX_FIONBIO)
        rc = ioctl_nbio(f, a[2]);
    else if (sys_ioctl_owner_req(req))
        rc = sys_ioctl_owner(f, (int)a[0], req, a[2]);
    else
        rc = file_ioctl(f, req, &(struct file_uarg){a[2], sys_copy_in, sys_copy_out});
    file_put(f);
    return rc;
}
