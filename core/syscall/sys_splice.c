/*
 * sys_splice.c - moving data between descriptors in the kernel: sendfile, copy_file_range.
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
 */
#include "core/abi/fcntl.h"
#include "core/lib/alloc.h"
#include "core/syscall/sys_internal.h"
#include "hal/hal_errno.h"

#define CHUNK (64 * 1024)

static int fd_file(uint64_t fd, struct file **f)
{
    *f = NULL;
    return fd > INT32_MAX ? -EBADF : fd_get(&sys_proc()->fds, (int)fd, f);
}

static bool readable(struct file *f)
{
    unsigned fl = file_flags(f);

    return !(fl & LINUX_O_PATH) && (fl & LINUX_O_ACCMODE) != LINUX_O_WRONLY;
}

static bool writable(struct file *f)
{
    unsigned fl = file_flags(f);

    return !(fl & LINUX_O_PATH) && (fl & LINUX_O_ACCMODE) != LINUX_O_RDONLY;
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
