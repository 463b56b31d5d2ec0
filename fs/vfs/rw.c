/*
 * rw.c - data through an open file description: read, write, seek, getdents, and the calls
 * that change a file's size or allocation (truncate, fallocate) or make it durable (fsync).
 *
 * Three kinds of data path, chosen by the inode:
 *   character devices            the driver bound at open (f->cdev), no lock held;
 *   page-cached filesystems      the sb's page cache (pcache.c), under the sb mutex;
 *   others (memfs files)         ops->pread/pwrite, under the sb mutex.
 * The offset is the caller's: vfs_read/vfs_write/vfs_lseek/vfs_getdents use and advance
 * f->pos (read and advanced under the sb mutex for regular files), the *_at forms a position
 * the caller keeps and serializes (fs/file keeps it in struct file, under its pos_lock).
 */
#include "core/lib/kstring.h"
#include "fs/vfs/notify.h"
#include "fs/vfs/vfs_internal.h"
#include "hal/hal_errno.h"
#include "hal/hal_user.h"

#define MAX_RW_COUNT (0x7fffffffu & ~(VFS_PAGE_SIZE - 1))
#define MAX_FILE_SIZE INT64_MAX

static const struct vfs_fsize_hooks *fsize_hooks;

void vfs_set_fsize_hooks(const struct vfs_fsize_hooks *h)
{
    __atomic_store_n(&fsize_hooks, h, __ATOMIC_RELEASE);
}

/* The calling thread's RLIMIT_FSIZE (UINT64_MAX: none). */
static uint64_t fsize_limit(void)
{
    const struct vfs_fsize_hooks *h = __atomic_load_n(&fsize_hooks, __ATOMIC_ACQUIRE);

    return h ? h->limit() : UINT64_MAX;
}

/* The limit was hit: SIGXFSZ through the hook (no VFS lock held). */
static void fsize_exceeded(void)
{
    const struct vfs_fsize_hooks *h = __atomic_load_n(&fsize_hooks, __ATOMIC_ACQUIRE);

    if (h && h->exceeded)
        h->exceeded();
}

static bool can_read(const struct vfs_file *f)
{
    return vfs_fmode(f->flags) & VFS_FMODE_READ;
}

static bool can_write(const struct vfs_file *f)
{
    return vfs_fmode(f->flags) & VFS_FMODE_WRITE;
}

static bool seekable(const struct vfs_inode *ip)
{
    return !VFS_S_ISTYPE(ip->mode, VFS_S_IFIFO) && !VFS_S_ISTYPE(ip->mode, VFS_S_IFSOCK);
}

/* Current size of a regular file (sb mutex held). */
static int file_size(struct vfs_inode *ip, uint64_t *size)
{
    if (ip->sb->pc)
        return pcache_size(ip, size);
    struct vfs_attr a;
    int rc = ip->ops->getattr ? ip->ops->getattr(ip, &a) : -EOPNOTSUPP;
    if (rc == 0)
        *size = a.size;
    return rc;
}

bool vfs_sink_put(const struct vfs_sink *k, size_t at, const void *src, size_t n)
{
    if (!k->fault) {
        memcpy(k->kbuf + at, src, n);
        return true;
    }
    if (hal_copy_to_user(k->ubuf + at, src, n) == 0)
        return true;
    *k->fault = true;
    return false;
}

static long data_read(struct vfs_inode *ip, void *buf, size_t n, uint64_t off)
{
    if (ip->sb->pc) {
        struct vfs_sink k = vfs_sink_kernel(buf);
        return pcache_read(ip, &k, n, off);
    }
    return ip->ops->pread ? ip->ops->pread(ip, buf, n, off) : -EINVAL;
}

static long data_write(struct vfs_inode *ip, const void *buf, size_t n, uint64_t off)
{
    if (ip->sb->pc)
        return pcache_write(ip, buf, n, off);
    return ip->ops->pwrite ? ip->ops->pwrite(ip, buf, n, off) : -EINVAL;
}

/* Shared body of read/pread: read at *pos and advance it (f->pos, a caller's position, or a
 * pread's local copy). */
static long do_read(struct vfs_file *f, void *buf, size_t n, uint64_t *pos)
{
    struct vfs_inode *ip = f->inode;
    if (!can_read(f))
        return -EBADF;
    if (vfs_isdir(ip))
        return -EISDIR;
    if (n > MAX_RW_COUNT)
        n = MAX_RW_COUNT;
    if (f->cdev) {
        if (!f->cdev->read)
            return -EINVAL;
        uint64_t off = *pos;
        long rc = f->cdev->read(f, f->cdev_priv, buf, n, off);
        if (rc > 0)
            *pos = off + (uint64_t)rc;
        return rc;
    }
    if (!vfs_isreg(ip))
        return -EINVAL;
    sb_lock(ip->sb);
    uint64_t off = *pos;
    pcache_readahead(ip, &f->ra, off, n); /* the fill side: page-cached files only */
    long rc = !n ? 0 : ip->ops->read_file ? ip->ops->read_file(f, buf, n, off)
                                          : data_read(ip, buf, n, off);
    if (rc > 0)
        *pos = off + (uint64_t)rc;
    sb_unlock(ip->sb);
    return rc;
}

static long do_write(struct vfs_file *f, const void *buf, size_t n, uint64_t *pos)
{
    struct vfs_inode *ip = f->inode;
    unsigned fl = __atomic_load_n(&f->flags, __ATOMIC_RELAXED); /* F_SETFL may change it */
    if (!can_write(f))
        return -EBADF;
    if (n > MAX_RW_COUNT)
        n = MAX_RW_COUNT;
    if (f->cdev) {
        if (!f->cdev->write)
            return -EINVAL;
        uint64_t off = *pos;
        long rc = f->cdev->write(f, f->cdev_priv, buf, n, off);
        if (rc > 0)
            *pos = off + (uint64_t)rc;
        return rc;
    }
    if (!vfs_isreg(ip))
        return -EINVAL;
    if (sb_rdonly(ip->sb))
        return -EROFS;
    uint64_t limit = n ? fsize_limit() : UINT64_MAX; /* a 0-byte write is never checked */
    bool over = false;
    sb_lock(ip->sb);
    uint64_t off = *pos;
    long rc = 0;
    if (fl & VFS_O_APPEND)
        rc = file_size(ip, &off); /* pwrite too: Linux appends regardless of the offset */
    if (rc == 0 && off >= limit) {
        over = true;
        rc = -EFBIG;
    } else if (rc == 0 && n > limit - off) {
        n = (size_t)(limit - off);
    }
    if (rc == 0 && off > (uint64_t)MAX_FILE_SIZE - n)
        rc = -EFBIG;
    if (rc == 0 && n)
        rc = data_write(ip, buf, n, off);
    if (rc > 0)
        *pos = off + (uint64_t)rc;
    if (rc >= 0 && (fl & (VFS_O_SYNC | VFS_O_DSYNC)) && ip->sb->pc) {
        int r2 = pcache_writeback_inode(ip);
        if (r2 == 0 && ip->ops->fsync)
            r2 = ip->ops->fsync(ip, !(fl & (VFS_O_SYNC & ~VFS_O_DSYNC)));
        if (r2)
            rc = r2;
    }
    sb_unlock(ip->sb);
    if (over)
        fsize_exceeded();
    return rc;
}

/* inotify: IN_ACCESS after a read that moved bytes, IN_MODIFY after such a write. */
static long read_done(struct vfs_file *f, long rc)
{
    if (rc > 0)
        vfs_notify_filp(f, LINUX_IN_ACCESS);
    return rc;
}

static long write_done(struct vfs_file *f, long rc)
{
    if (rc > 0)
        vfs_notify_filp(f, LINUX_IN_MODIFY);
    return rc;
}

long vfs_read(struct vfs_file *f, void *buf, size_t n)
{
    return read_done(f, do_read(f, buf, n, &f->pos));
}

long vfs_write(struct vfs_file *f, const void *buf, size_t n)
{
    return write_done(f, do_write(f, buf, n, &f->pos));
}

long vfs_read_at(struct vfs_file *f, void *buf, size_t n, uint64_t *pos)
{
    return read_done(f, do_read(f, buf, n, pos));
}

long vfs_read_user_at(struct vfs_file *f, uint64_t ubuf, size_t n, uint64_t *pos,
                      bool *fallback)
{
    struct vfs_inode *ip = f->inode;
    bool cached = ip->sb->pc != NULL;
    long rc;

    *fallback = false;
    if (!can_read(f) || f->cdev || !vfs_isreg(ip) || n > MAX_RW_COUNT ||
        (!cached && !ip->ops->pread_user)) {
        *fallback = true; /* do_read gives the answer (errors included) */
        return 0;
    }
    sb_lock(ip->sb);
    uint64_t off = *pos;
    pcache_readahead(ip, &f->ra, off, n); /* as do_read: read(2) takes this path first */
    if (cached) {
        struct vfs_sink k = vfs_sink_user(ubuf, fallback);
        rc = n ? pcache_read(ip, &k, n, off) : 0;
    } else
        rc = n ? ip->ops->pread_user(ip, ubuf, n, off, fallback) : 0;
    if (rc > 0)
        *pos = off + (uint64_t)rc;
    sb_unlock(ip->sb);
    return read_done(f, rc);
}

long vfs_write_at(struct vfs_file *f, const void *buf, size_t n, uint64_t *pos)
{
    return write_done(f, do_write(f, buf, n, pos));
}

long vfs_pread(struct vfs_file *f, void *buf, size_t n, int64_t off)
{
    if (off < 0)
        return -EINVAL;
    if (!seekable(f->inode))
        return -ESPIPE;
    uint64_t pos = (uint64_t)off;
    return read_done(f, do_read(f, buf, n, &pos));
}

long vfs_pwrite(struct vfs_file *f, const void *buf, size_t n, int64_t off)
{
    if (off < 0)
        return -EINVAL;
    if (!seekable(f->inode))
        return -ESPIPE;
    uint64_t pos = (uint64_t)off;
    return write_done(f, do_write(f, buf, n, &pos));
}

/* SEEK_DATA/SEEK_HOLE within a regular file of size (sb mutex held). */
static int seek_data_hole(struct vfs_inode *ip, int whence, uint64_t off, uint64_t size,
                          uint64_t *out)
{
    if (off >= size)
        return -ENXIO;
    if (ip->ops->seek_data) {
        int rc = ip->sb->pc ? pcache_writeback_inode(ip) : 0;
        if (rc == 0)
            rc = ip->ops->seek_data(ip, whence, off, out);
        if (rc == 0 && *out > size)
            *out = size;
        return rc;
    }
    *out = whence == VFS_SEEK_DATA ? off : size;
    return 0;
}

int64_t vfs_lseek(struct vfs_file *f, int64_t off, int whence)
{
    return vfs_lseek_at(f, off, whence, &f->pos);
}

int64_t vfs_lseek_at(struct vfs_file *f, int64_t off, int whence, uint64_t *pos)
{
    struct vfs_inode *ip = f->inode;
    if (f->flags & VFS_O_PATH)
        return -EBADF;
    if (!seekable(ip))
        return -ESPIPE;
    if (whence < VFS_SEEK_SET || whence > VFS_SEEK_HOLE)
        return -EINVAL;
    bool reg = vfs_isreg(ip);
    if (vfs_isdir(ip) && whence != VFS_SEEK_SET && whence != VFS_SEEK_CUR)
        return -EINVAL;
    sb_lock(ip->sb);
    uint64_t size = 0, res = 0;
    int rc = reg ? file_size(ip, &size) : 0;
    int64_t base = 0;
    if (rc == 0) {
        switch (whence) {
        case VFS_SEEK_SET:
            base = 0;
            break;
        case VFS_SEEK_CUR:
            base = (int64_t)*pos;
            break;
        case VFS_SEEK_END:
            base = (int64_t)size;
            break;
        default:
            if (off < 0)
                rc = -ENXIO;
            else
                rc = seek_data_hole(ip, whence, (uint64_t)off, size, &res);
            break;
        }
    }
    if (rc == 0 && whence <= VFS_SEEK_END) {
        if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
            rc = -EINVAL;
        else
            res = (uint64_t)(base + off);
    }
    if (rc == 0)
        *pos = res;
    sb_unlock(ip->sb);
    return rc ? rc : (int64_t)res;
}

/* --- getdents ------------------------------------------------------------------------ */

struct dents_ctx {
    uint8_t *buf;
    size_t size, used;
    uint64_t pos; /* VFS cookie of the next entry */
    bool full;
};

static size_t reclen(size_t namelen)
{
    return (offsetof(struct vfs_dirent64, d_name) + namelen + 1 + 7) & ~(size_t)7;
}

static int put_dent(struct dents_ctx *c, const char *name, size_t len, uint64_t ino, unsigned type,
                    uint64_t next)
{
    size_t rl = reclen(len);
    if (c->used + rl > c->size) {
        c->full = true;
        return 1;
    }
    struct vfs_dirent64 *d = (struct vfs_dirent64 *)(c->buf + c->used);
    memset(d, 0, rl);
    d->d_ino = ino;
    d->d_off = (int64_t)next;
    d->d_reclen = (uint16_t)rl;
    d->d_type = (uint8_t)type;
    memcpy(d->d_name, name, len);
    c->used += rl;
    c->pos = next;
    return 0;
}

/* Filesystem cookies are shifted by 2: VFS cookies 0 and 1 are "." and "..". */
static int fs_dent(void *ctx, const char *name, size_t len, uint64_t ino, unsigned type,
                   uint64_t next)
{
    if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
        return 0;
    return put_dent(ctx, name, len, ino, type, next + 2);
}

/* Inode number of ".." as the path walk sees it (VFS mutex held). */
static uint64_t dotdot_ino(struct vfs_inode *ip)
{
    struct vfs_inode *root = namei_root();
    while (ip != root && ip == ip->sb->root && ip->sb->mountpoint)
        ip = ip->sb->mountpoint;
    if (ip != root && ip->parent)
        ip = ip->parent;
    return ip->ino;
}

long vfs_getdents(struct vfs_file *f, void *buf, size_t size)
{
    return vfs_getdents_at(f, buf, size, &f->pos);
}

long vfs_getdents_at(struct vfs_file *f, void *buf, size_t size, uint64_t *pos)
{
    struct vfs_inode *ip = f->inode;
    if (f->flags & VFS_O_PATH)
        return -EBADF;
    if (!vfs_isdir(ip))
        return -ENOTDIR;
    struct dents_ctx c = {buf, size, 0, *pos, false};
    vfs_lock();
    uint64_t up = dotdot_ino(ip);
    sb_lock(ip->sb);
    int rc = 0;
    if (c.pos == 0)
        put_dent(&c, ".", 1, ip->ino, VFS_DT_DIR, 1);
    if (c.pos == 1 && !c.full)
        put_dent(&c, "..", 2, up, VFS_DT_DIR, 2);
    if (!c.full && ip->ops->readdir)
        rc = ip->ops->readdir(ip, c.pos - 2, fs_dent, &c);
    *pos = c.pos;
    sb_unlock(ip->sb);
    vfs_unlock();
    if (rc < 0 && c.used == 0)
        return rc;
    if (c.used == 0 && c.full)
        return -EINVAL;
    vfs_notify_filp(f, LINUX_IN_ACCESS); /* Linux: every listing, the empty last one too */
    return (long)c.used;
}

/* --- size, allocation, durability ----------------------------------------------------- */

/* Growing to len passes RLIMIT_FSIZE: -EFBIG after the exceeded hook (Linux's
 * inode_newsize_ok; shrinking is always allowed). */
static int truncate_limit(struct vfs_inode *ip, uint64_t len)
{
    uint64_t size = 0;
    int rc;

    if (len <= fsize_limit())
        return 0;
    sb_lock(ip->sb);
    rc = file_size(ip, &size);
    sb_unlock(ip->sb);
    if (rc || len <= size)
        return rc;
    fsize_exceeded();
    return -EFBIG;
}

/* Set a regular file's size (no locks held). */
int vfs_do_truncate(struct vfs_inode *ip, const struct vfs_notify_name *via, uint64_t len)
{
    if (sb_rdonly(ip->sb))
        return -EROFS;
    if ((int64_t)len < 0)
        return -EINVAL;
    int rc = truncate_limit(ip, len);
    if (rc)
        return rc;
    struct vfs_setattr sa = {.valid = VFS_SET_SIZE | VFS_SET_MTIME | VFS_SET_CTIME};
    sa.size = len;
    sa.mtime = sa.ctime = vfs_now();
    return vfs_do_setattr(ip, via, &sa);
}

int vfs_ftruncate(struct vfs_file *f, int64_t len)
{
    if (len < 0)
        return -EINVAL;
    if (f->flags & VFS_O_PATH)
        return -EBADF;
    if (!vfs_isreg(f->inode) || !can_write(f))
        return -EINVAL;
    return vfs_do_truncate(f->inode, f->nname, (uint64_t)len);
}

int vfs_fallocate_args(int mode, int64_t off, int64_t len)
{
    const int known = VFS_FALLOC_FL_KEEP_SIZE | VFS_FALLOC_FL_PUNCH_HOLE | VFS_FALLOC_FL_ZERO_RANGE;
    if (off < 0 || len <= 0)
        return -EINVAL;
    if (mode & ~known)
        return -EOPNOTSUPP;
    if ((mode & VFS_FALLOC_FL_PUNCH_HOLE) && !(mode & VFS_FALLOC_FL_KEEP_SIZE))
        return -EOPNOTSUPP;
    if ((mode & VFS_FALLOC_FL_PUNCH_HOLE) && (mode & VFS_FALLOC_FL_ZERO_RANGE))
        return -EOPNOTSUPP;
    return 0;
}

int vfs_fallocate(struct vfs_file *f, int mode, int64_t off, int64_t len)
{
    struct vfs_inode *ip = f->inode;
    int args = vfs_fallocate_args(mode, off, len);
    if (args)
        return args;
    if (!can_write(f))
        return -EBADF;
    if (VFS_S_ISTYPE(ip->mode, VFS_S_IFIFO))
        return -ESPIPE;
    if (vfs_isdir(ip))
        return -EISDIR;
    if (!vfs_isreg(ip))
        return -ENODEV;
    if (off > INT64_MAX - len)
        return -EFBIG;
    if (sb_rdonly(ip->sb))
        return -EROFS;
    if (!ip->ops->fallocate)
        return -EOPNOTSUPP;
    sb_lock(ip->sb);
    int rc = ip->sb->pc ? pcache_writeback_inode(ip) : 0;
    if (rc == 0)
        rc = ip->ops->fallocate(ip, mode, (uint64_t)off, (uint64_t)len);
    if (rc == 0 && ip->sb->pc) {
        if (mode & (VFS_FALLOC_FL_PUNCH_HOLE | VFS_FALLOC_FL_ZERO_RANGE))
            pcache_punch(ip, (uint64_t)off, (uint64_t)len);
        ip->size_loaded = false; /* the filesystem may have grown it */
    }
    sb_unlock(ip->sb);
    if (rc == 0)
        vfs_notify_filp(f, LINUX_IN_MODIFY);
    return rc;
}

static int do_fsync(struct vfs_file *f, bool datasync)
{
    struct vfs_inode *ip = f->inode;
    if (f->flags & VFS_O_PATH)
        return -EBADF;
    if (f->cdev)
        return -EINVAL; /* Linux: no character device has an fsync */
    /* a read-only sb has nothing to write back; a synthetic one's op says if it has one */
    if (sb_rdonly(ip->sb))
        return ip->sb->pc || !ip->ops->fsync ? 0 : ip->ops->fsync(ip, datasync);
    sb_lock(ip->sb);
    int rc = ip->sb->pc ? pcache_writeback_inode(ip) : 0;
    if (rc == 0 && ip->ops->fsync)
        rc = ip->ops->fsync(ip, datasync);
    sb_unlock(ip->sb);
    return rc;
}

int vfs_fsync(struct vfs_file *f)
{
    return do_fsync(f, false);
}

int vfs_fdatasync(struct vfs_file *f)
{
    return do_fsync(f, true);
}
