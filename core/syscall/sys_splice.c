/*
 * sys_splice.c - moving data between descriptors in the kernel: sendfile, copy_file_range,
 * splice, tee, vmsplice.
 *
 * Both read from the source at a position and write to the destination through the files'
 * ops, a kernel buffer of at most CHUNK bytes at a time; nothing reaches user memory but
 * the offsets. The source position advances only by what the destination took, so a short
 * write leaves the rest unread, as Linux's splice does. Which files qualify and in which order
 * the errors come is Linux's (each checked natively, tests/syscall/cases_files2.c):
 *   sendfile        source: a VFS file that is not a directory (regular file, device), read
 *                   access; destination: any file open for writing but not O_APPEND, except
 *                   the kinds Linux cannot splice to (FILE_MODE_NOSPLICE: eventfd);
 *   copy_file_range regular files on one filesystem (-EXDEV across), flags 0, a destination
 *                   neither read-only nor O_APPEND, ranges of one file that do not overlap.
 * With a NULL offset pointer the description's position is used (under its pos_lock) and
 * advanced; with one, the position stays and the user's offset is updated.
 *
 * splice, tee and vmsplice need a pipe on one side (both for tee); the pipe's side is
 * fs/pipe/splice.c, which calls back into the other side (a file read or write at a
 * position, or a copy from or to user memory: vmsplice copies) with the pipe locked. The
 * order of the checks is Linux's (do_splice, checked natively: tests/syscall/cases_splice.c):
 * splice: a zero length is 0 at once; flags; descriptors; an offset for a pipe -ESPIPE; the
 * offsets copied in (-EFAULT); access modes -EBADF; then by pipe side: two ends of one pipe
 * -EINVAL; an offset for a file without positions -EINVAL, O_APPEND destination -EINVAL,
 * a negative offset or a length past SSIZE_MAX -EINVAL, a kind Linux cannot splice
 * (FILE_MODE_NOSPLICE, directories) -EINVAL; no pipe at all -EINVAL. O_NONBLOCK on a pipe
 * end makes the call non-blocking, as SPLICE_F_NONBLOCK does; MOVE, MORE, GIFT are accepted.
 */
#include "core/abi/fcntl.h"
#include "core/lib/alloc.h"
#include "core/syscall/sys_internal.h"
#include "fs/pipe/pipe.h"
#include "hal/hal_errno.h"

#define CHUNK (64 * 1024)

static int fd_file(uint64_t fd, struct file **f)
{
    *f = NULL;
    return fd > INT32_MAX ? -EBADF : fd_get(&sys_proc()->fds, (int)fd, f);
}

static bool readable(struct file *f)
{
    return vfs_fmode(file_flags(f)) & VFS_FMODE_READ;
}

static bool writable(struct file *f)
{
    return vfs_fmode(file_flags(f)) & VFS_FMODE_WRITE;
}

/* The inode mode of a VFS-kind file, 0 for other kinds. */
static uint32_t vfs_mode(struct file *f)
{
    struct vfs_file *vf = file_vfs(f);

    return vf ? vf->inode->mode : 0;
}

/* Move up to count bytes from in at *ipos to out at *opos. Bytes moved, or the first error
 * when none moved. */
static long move(struct file *in, uint64_t *ipos, struct file *out, uint64_t *opos, size_t count)
{
    size_t done = 0;
    void *k;

    if (count == 0)
        return 0;
    k = kmalloc(count < CHUNK ? count : CHUNK);
    if (!k)
        return -ENOMEM;
    while (done < count) {
        size_t c = count - done < CHUNK ? count - done : CHUNK;
        uint64_t rpos = *ipos;
        long r = file_read(in, k, c, &rpos), w = r;

        if (r > 0)
            w = file_write(out, k, (size_t)r, opos);
        if (w < 0 && done == 0)
            done = (size_t)w;
        if (w <= 0)
            break;
        *ipos += (uint64_t)w;
        done += (size_t)w;
        if (w < (long)c)
            break;
    }
    kfree(k);
    return (long)done;
}

/* --- sendfile ---------------------------------------------------------------------------- */

static long sendfile_check(struct file *in, struct file *out)
{
    uint32_t m = vfs_mode(in);

    if (!readable(in))
        return -EBADF;
    if (!writable(out))
        return -EBADF;
    if (!m || VFS_S_ISTYPE(m, VFS_S_IFDIR))
        return -EINVAL; /* pipes, eventfd, directories: no splice_read */
    if ((file_flags(out) & LINUX_O_APPEND) || (out->mode & FILE_MODE_NOSPLICE))
        return -EINVAL;
    return 0;
}

/* Move with in's position: *off (off_given) or its own. Same description on both sides:
 * the read starts at the shared position, which ends where the writes left it (Linux). */
static long sendfile_move(struct file *in, struct file *out, bool off_given, uint64_t *off,
                          size_t count)
{
    uint64_t olocal, *opos, ilocal, *ipos;
    long rc = file_pos_begin(out, -1, &olocal, &opos);

    if (rc)
        return rc;
    if (!off_given && in != out) {
        rc = file_pos_begin(in, -1, &ilocal, &ipos);
        if (rc) {
            file_pos_end(out, -1);
            return rc;
        }
    }
    if (off_given) {
        ipos = off;
    } else if (in == out) {
        ilocal = *opos;
        ipos = &ilocal;
    }
    rc = move(in, ipos, out, opos, count);
    if (!off_given && in != out)
        file_pos_end(in, -1);
    file_pos_end(out, -1);
    return rc;
}

long sys_sendfile(const uint64_t a[6])
{
    struct file *in = NULL, *out = NULL;
    uint64_t off = 0;
    size_t count = a[3] > SYS_RW_MAX ? SYS_RW_MAX : (size_t)a[3];
    long rc = a[2] && sys_copy_in(&off, a[2], sizeof(off)) ? -EFAULT : 0;

    if (rc == 0)
        rc = fd_file(a[1], &in);
    if (rc == 0 && !readable(in))
        rc = -EBADF;
    if (rc == 0 && a[2] && !(in->mode & FILE_MODE_PREAD))
        rc = -ESPIPE;
    if (rc == 0 && (int64_t)off < 0)
        rc = -EINVAL;
    if (rc == 0)
        rc = fd_file(a[0], &out);
    if (rc == 0)
        rc = sendfile_check(in, out);
    if (rc == 0)
        rc = sendfile_move(in, out, a[2] != 0, &off, count);
    if (rc > 0 && a[2] && sys_copy_out(a[2], &off, sizeof(off)))
        rc = -EFAULT;
    file_put(out);
    file_put(in);
    return rc;
}

/* --- copy_file_range --------------------------------------------------------------------- */

static long cfr_check(struct file *in, struct file *out, uint64_t flags)
{
    uint32_t mi = vfs_mode(in), mo = vfs_mode(out);

    if (flags)
        return -EINVAL;
    if (VFS_S_ISTYPE(mi, VFS_S_IFDIR) || VFS_S_ISTYPE(mo, VFS_S_IFDIR))
        return -EISDIR;
    if (!VFS_S_ISTYPE(mi, VFS_S_IFREG) || !VFS_S_ISTYPE(mo, VFS_S_IFREG))
        return -EINVAL;
    if (!readable(in) || !writable(out) || (file_flags(out) & LINUX_O_APPEND))
        return -EBADF;
    if (file_vfs(in)->inode->sb != file_vfs(out)->inode->sb)
        return -EXDEV;
    return 0;
}

/* The count cut at in's end of file, and -EINVAL for overlapping ranges of one file. */
static long cfr_range(struct file *in, uint64_t ipos, struct file *out, uint64_t opos,
                      size_t *count)
{
    struct vfs_stat st;
    long rc = file_stat(in, &st);

    if (rc)
        return rc;
    if (ipos >= (uint64_t)st.st_size)
        *count = 0;
    else if (*count > (uint64_t)st.st_size - ipos)
        *count = (size_t)((uint64_t)st.st_size - ipos);
    if (file_vfs(in)->inode == file_vfs(out)->inode && opos + *count > ipos &&
        opos < ipos + *count)
        return -EINVAL;
    return 0;
}

/* A position for one side: the user's offset (copied in by the caller) or the file's. */
struct cfr_side {
    struct file *f;
    bool given;
    uint64_t off, *pos;
};

static long cfr_begin(struct cfr_side *s)
{
    if (s->given) {
        s->pos = &s->off;
        return 0;
    }
    return file_pos_begin(s->f, -1, &s->off, &s->pos);
}

static void cfr_end(struct cfr_side *s)
{
    if (!s->given)
        file_pos_end(s->f, -1);
}

/* Both positions taken (one pos_lock when one description is both sides). */
static long cfr_move(struct cfr_side *in, struct cfr_side *out, size_t count)
{
    bool same = in->f == out->f && !in->given && !out->given;
    long rc = cfr_begin(in);

    if (rc)
        return rc;
    if (same) {
        out->pos = in->pos;
    } else {
        rc = cfr_begin(out);
        if (rc) {
            cfr_end(in);
            return rc;
        }
    }
    rc = cfr_range(in->f, *in->pos, out->f, *out->pos, &count);
    if (rc == 0)
        rc = move(in->f, in->pos, out->f, out->pos, count);
    if (!same)
        cfr_end(out);
    cfr_end(in);
    return rc;
}

long sys_copy_file_range(const uint64_t a[6])
{
    struct cfr_side in = {NULL, a[1] != 0, 0, NULL}, out = {NULL, a[3] != 0, 0, NULL};
    size_t count = a[4] > SYS_RW_MAX ? SYS_RW_MAX : (size_t)a[4];
    long rc = fd_file(a[0], &in.f);

    if (rc == 0)
        rc = fd_file(a[2], &out.f);
    if (rc == 0 && in.given && sys_copy_in(&in.off, a[1], sizeof(in.off)))
        rc = -EFAULT;
    if (rc == 0 && out.given && sys_copy_in(&out.off, a[3], sizeof(out.off)))
        rc = -EFAULT;
    if (rc == 0)
        rc = cfr_check(in.f, out.f, a[5]);
    if (rc == 0 && ((int64_t)in.off < 0 || (int64_t)out.off < 0))
        rc = -EOVERFLOW;
    if (rc == 0)
        rc = cfr_move(&in, &out, count);
    if (rc > 0 && in.given && sys_copy_out(a[1], &in.off, sizeof(in.off)))
        rc = -EFAULT;
    if (rc > 0 && out.given && sys_copy_out(a[3], &out.off, sizeof(out.off)))
        rc = -EFAULT;
    file_put(out.f);
    file_put(in.f);
    return rc;
}

/* --- splice ---------------------------------------------------------------------------- */

/* The file side of a splice: a file read or written at *pos. */
struct splice_side {
    struct file *f;
    uint64_t *pos;
};

static long side_read(void *ctx, void *buf, size_t n)
{
    struct splice_side *s = ctx;

    return file_read(s->f, buf, n, s->pos);
}

static long side_write(void *ctx, void *buf, size_t n)
{
    struct splice_side *s = ctx;

    return file_write(s->f, buf, n, s->pos);
}

/* Linux's splice_read/splice_write exist for this file (the pipe is the other side). */
static bool spliceable(struct file *f)
{
    uint32_t m = vfs_mode(f);

    return !(f->mode & FILE_MODE_NOSPLICE) && !VFS_S_ISTYPE(m, VFS_S_IFDIR);
}

/* The file side's checks and position, then the pipe's work. off: the user's offset (NULL:
 * the file's position). */
static long splice_file(struct file *pf, struct file *f, int64_t *off, size_t len, bool nb,
                        bool to_pipe)
{
    struct splice_side side = {f, NULL};
    uint64_t local;
    long rc;

    if (off && !(f->mode & FILE_MODE_PREAD))
        return -EINVAL;
    if (!to_pipe && (file_flags(f) & LINUX_O_APPEND))
        return -EINVAL;
    if ((off && *off < 0) || (int64_t)len < 0 || (off && (uint64_t)*off + len > INT64_MAX))
        return -EINVAL;
    if (!spliceable(f))
        return -EINVAL;
    nb |= file_flags(pf) & LINUX_O_NONBLOCK;
    rc = file_pos_begin(f, off ? *off : -1, &local, &side.pos);
    if (rc)
        return rc;
    if (to_pipe)
        rc = pipe_splice_in(pf, len, nb, &(struct pipe_io){side_read, &side});
    else
        rc = pipe_splice_out(pf, len, nb, &(struct pipe_io){side_write, &side});
    file_pos_end(f, off ? *off : -1);
    if (off)
        *off = (int64_t)*side.pos;
    return rc;
}

/* Both descriptors held: the offsets' pipe rule, their copy-in, the access modes, then by
 * which side is a pipe. */
static long splice_fds(struct file *in, uint64_t uoff_in, struct file *out, uint64_t uoff_out,
                       size_t len, unsigned flags)
{
    bool ipipe = pipe_file_is(in), opipe = pipe_file_is(out), nb = flags & LINUX_SPLICE_F_NONBLOCK;
    int64_t off_in, off_out;
    long rc;

    if ((ipipe && uoff_in) || (opipe && uoff_out))
        return -ESPIPE;
    if (uoff_out && sys_copy_in(&off_out, uoff_out, sizeof(off_out)))
        return -EFAULT;
    if (uoff_in && sys_copy_in(&off_in, uoff_in, sizeof(off_in)))
        return -EFAULT;
    if (!readable(in) || !writable(out))
        return -EBADF;
    if (ipipe && opipe) {
        if (pipe_file_same(in, out))
            return -EINVAL;
        nb |= (file_flags(in) | file_flags(out)) & LINUX_O_NONBLOCK;
        return pipe_splice_pipe(in, out, len, nb, false);
    }
    if (!ipipe && !opipe)
        return -EINVAL;
    rc = ipipe ? splice_file(in, out, uoff_out ? &off_out : NULL, len, nb, false)
               : splice_file(out, in, uoff_in ? &off_in : NULL, len, nb, true);
    if (rc >= 0 && uoff_out && sys_copy_out(uoff_out, &off_out, sizeof(off_out)))
        return -EFAULT;
    if (rc >= 0 && uoff_in && sys_copy_out(uoff_in, &off_in, sizeof(off_in)))
        return -EFAULT;
    return rc;
}

long sys_splice(const uint64_t a[6])
{
    struct file *in = NULL, *out = NULL;
    unsigned flags = (unsigned)a[5];
    long rc;

    if (a[4] == 0)
        return 0;
    if (flags & ~(unsigned)LINUX_SPLICE_F_ALL)
        return -EINVAL;
    rc = fd_file(a[0], &in);
    if (rc == 0)
        rc = fd_file(a[2], &out);
    if (rc == 0 && ((file_flags(in) | file_flags(out)) & LINUX_O_PATH))
        rc = -EBADF; /* no such descriptor for splice (Linux's fdget) */
    if (rc == 0)
        rc = splice_fds(in, a[1], out, a[3], (size_t)a[4], flags);
    file_put(out);
    file_put(in);
    return rc;
}

long sys_tee(const uint64_t a[6])
{
    struct file *in = NULL, *out = NULL;
    unsigned flags = (unsigned)a[3];
    long rc;

    if (flags & ~(unsigned)LINUX_SPLICE_F_ALL)
        return -EINVAL;
    if (a[2] == 0)
        return 0;
    rc = fd_file(a[0], &in);
    if (rc == 0)
        rc = fd_file(a[1], &out);
    if (rc == 0 && (!readable(in) || !writable(out)))
        rc = -EBADF;
    if (rc == 0 && (!pipe_file_is(in) || !pipe_file_is(out) || pipe_file_same(in, out)))
        rc = -EINVAL;
    if (rc == 0)
        rc = pipe_splice_pipe(in, out, (size_t)a[2],
                              (flags & LINUX_SPLICE_F_NONBLOCK) ||
                                  ((file_flags(in) | file_flags(out)) & LINUX_O_NONBLOCK),
                              true);
    file_put(out);
    file_put(in);
    return rc;
}

/* --- vmsplice -------------------------------------------------------------------------- */

struct uiov {
    uint64_t base, len;
};

/* The user's iovec array and how far along it a copy is. */
struct uiov_walk {
    struct uiov *v;
    unsigned n, i;
    uint64_t off; /* into v[i] */
};

/* Copy up to n bytes between buf and the user's segments (to_user: out of the pipe). Bytes,
 * or -EFAULT when the first piece faults. */
static long uiov_copy(struct uiov_walk *w, void *buf, size_t n, bool to_user)
{
    size_t done = 0;

    while (done < n && w->i < w->n) {
        uint64_t left = w->v[w->i].len - w->off, addr = w->v[w->i].base + w->off;
        size_t c = left < n - done ? (size_t)left : n - done;
        int rc = to_user ? sys_copy_out(addr, (uint8_t *)buf + done, c)
                         : sys_copy_in((uint8_t *)buf + done, addr, c);

        if (rc)
            return done ? (long)done : -EFAULT;
        done += c;
        w->off += c;
        if (w->off == w->v[w->i].len) {
            w->i++;
            w->off = 0;
        }
    }
    return (long)done;
}

static long uiov_fill(void *ctx, void *buf, size_t n)
{
    return uiov_copy(ctx, buf, n, false);
}

static long uiov_drain(void *ctx, void *buf, size_t n)
{
    return uiov_copy(ctx, buf, n, true);
}

/* The iovec array in, as Linux's import_iovec: -EINVAL past IOV_MAX or for a segment
 * longer than SSIZE_MAX, -EFAULT; the total cut at MAX_RW_COUNT. */
static long uiov_import(uint64_t uiov, uint64_t nr, struct uiov **out, size_t *total)
{
    struct uiov *v;

    *out = NULL;
    *total = 0;
    if (nr > LINUX_IOV_MAX)
        return -EINVAL;
    if (nr == 0)
        return 0;
    v = kmalloc(nr * sizeof(*v));
    if (!v)
        return -ENOMEM;
    if (sys_copy_in(v, uiov, nr * sizeof(*v))) {
        kfree(v);
        return -EFAULT;
    }
    for (uint64_t i = 0; i < nr; i++) {
        if ((int64_t)v[i].len < 0) {
            kfree(v);
            return -EINVAL;
        }
        if (v[i].len > SYS_RW_MAX - *total)
            v[i].len = SYS_RW_MAX - *total;
        *total += v[i].len;
    }
    *out = v;
    return 0;
}

long sys_vmsplice(const uint64_t a[6])
{
    unsigned flags = (unsigned)a[3];
    struct uiov_walk w = {NULL, (unsigned)a[2], 0, 0};
    struct file *f;
    size_t total;
    long rc;

    if (flags & ~(unsigned)LINUX_SPLICE_F_ALL)
        return -EINVAL;
    rc = fd_file(a[0], &f);
    if (rc)
        return rc;
    if (file_flags(f) & LINUX_O_PATH)
        rc = -EBADF;
    if (rc == 0)
        rc = uiov_import(a[1], a[2], &w.v, &total);
    if (rc == 0 && total) {
        bool nb = flags & LINUX_SPLICE_F_NONBLOCK;

        if (!pipe_file_is(f)) /* only once there is something to move, as Linux */
            rc = -EBADF;
        else if (writable(f))
            rc = pipe_splice_in(f, total, nb, &(struct pipe_io){uiov_fill, &w});
        else
            rc = pipe_splice_out(f, total, nb, &(struct pipe_io){uiov_drain, &w});
    }
    kfree(w.v);
    file_put(f);
    return rc;
}
