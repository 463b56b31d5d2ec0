/*
 * file.c - open file descriptions: reference counting, status flags, the position lock, and
 * the ops called through Linux's answers for what a kind does not implement (file.h).
 *
 * The wrappers are the only place that knows the defaults (ENOTTY for an ioctl, ESPIPE for
 * an lseek, ...), so the syscall layer never needs to know which kind it holds.
 *
 * They also make Linux's checks on the description that come before the kind is asked, in
 * its order (checked natively on every kind, tests/syscall/cases_fileops.c):
 *   read, write   not open for it (the access mode, or O_PATH): -EBADF; then no op: -EINVAL
 *   mmap          O_PATH: -EBADF; shared and writable but not open for writing, or not
 *                 open for reading: -EACCES; then no op: -ENODEV
 *   ftruncate     O_PATH: -EBADF; not open for writing: -EINVAL; then no op: -EINVAL
 *   lseek         O_PATH: -EBADF; an unknown whence: -EINVAL; then no op: -ESPIPE
 *   fsync, getdents   O_PATH: -EBADF; then the op's default
 */
#include "fs/file/file.h"

#include "core/abi/fcntl.h"
#include "core/abi/mman.h"
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_errno.h"

static void (*sigpipe_hook)(void);

void file_set_sigpipe_hook(void (*hook)(void))
{
    __atomic_store_n(&sigpipe_hook, hook, __ATOMIC_RELEASE);
}

void file_sigpipe(void)
{
    void (*hook)(void) = __atomic_load_n(&sigpipe_hook, __ATOMIC_ACQUIRE);

    if (hook)
        hook();
}

struct file *file_alloc(const struct file_ops *ops, void *priv, unsigned flags, unsigned mode)
{
    struct file *f = kzalloc(sizeof(*f));

    if (!f)
        return NULL;
    f->ops = ops;
    f->priv = priv;
    f->flags = flags;
    f->mode = mode;
    f->refs = 1;
    spin_init(&f->lock, "file");
    mutex_init(&f->pos_lock, "file.pos");
    list_init(&f->ep_links);
    return f;
}

void file_get(struct file *f)
{
    __atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
}

static void (*epoll_hook)(struct file *f); /* set once by fs/poll/epoll.c */

void file_set_epoll_hook(void (*fn)(struct file *f))
{
    __atomic_store_n(&epoll_hook, fn, __ATOMIC_RELEASE);
}

void file_put(struct file *f)
{
    void (*hook)(struct file *);

    if (!f || __atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    /* no new item can appear now (adding one needs a reference); the hook empties the list,
     * looking at it under f->lock (an epoll instance closing may be unlinking one) */
    hook = __atomic_load_n(&epoll_hook, __ATOMIC_ACQUIRE);
    if (hook)
        hook(f);
    flock_release(f);
    plock_release(f);
    if (f->ops->release)
        f->ops->release(f);
    kfree(f);
}

unsigned file_flags(struct file *f)
{
    return __atomic_load_n(&f->flags, __ATOMIC_RELAXED);
}

int file_setfl(struct file *f, unsigned mask, unsigned val)
{
    uint64_t irq = spin_lock_irqsave(&f->lock);
    unsigned nf = (f->flags & ~mask) | (val & mask);
    int rc = f->ops->setfl ? f->ops->setfl(f, nf) : 0;

    if (rc == 0)
        __atomic_store_n(&f->flags, nf, __ATOMIC_RELAXED);
    spin_unlock_irqrestore(&f->lock, irq);
    return rc;
}

int file_pos_begin(struct file *f, int64_t off, uint64_t *local, uint64_t **pos)
{
    if (off >= 0) {
        if (!(f->mode & FILE_MODE_PREAD))
            return -ESPIPE;
        *local = (uint64_t)off;
        *pos = local;
        return 0;
    }
    if (f->mode & FILE_MODE_POS) {
        mutex_lock(&f->pos_lock);
        *pos = &f->pos;
        return 0;
    }
    *local = 0;
    *pos = local;
    return 0;
}

void file_pos_end(struct file *f, int64_t off)
{
    if (off < 0 && (f->mode & FILE_MODE_POS))
        mutex_unlock(&f->pos_lock);
}

#define FMODE_READ VFS_FMODE_READ
#define FMODE_WRITE VFS_FMODE_WRITE

static unsigned fmode(struct file *f)
{
    return vfs_fmode(file_flags(f));
}

static bool is_path(struct file *f)
{
    return file_flags(f) & VFS_O_PATH;
}

long file_read(struct file *f, void *buf, size_t n, uint64_t *pos)
{
    if (!(fmode(f) & FMODE_READ))
        return -EBADF;
    return f->ops->read ? f->ops->read(f, buf, n, pos) : -EINVAL;
}

long file_read_user(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos, bool *fallback)
{
    *fallback = true;
    return f->ops->read_user ? f->ops->read_user(f, ubuf, n, pos, fallback) : 0;
}

long file_write(struct file *f, const void *buf, size_t n, uint64_t *pos)
{
    if (!(fmode(f) & FMODE_WRITE))
        return -EBADF;
    return f->ops->write ? f->ops->write(f, buf, n, pos) : -EINVAL;
}

long file_write_user(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos, bool *fallback)
{
    *fallback = true;
    if (!f->ops->write_user || !(fmode(f) & FMODE_WRITE))
        return 0; /* file_write answers (-EBADF first) */
    return f->ops->write_user(f, ubuf, n, pos, fallback);
}

int64_t file_lseek(struct file *f, int64_t off, int whence)
{
    int64_t rc;

    if (is_path(f))
        return -EBADF;
    if (whence < 0 || whence > LINUX_SEEK_HOLE)
        return -EINVAL; /* Linux: before asking whether the file can seek */
    if (!f->ops->lseek)
        return -ESPIPE;
    mutex_lock(&f->pos_lock);
    rc = f->ops->lseek(f, off, whence);
    mutex_unlock(&f->pos_lock);
    return rc;
}

long file_getdents(struct file *f, void *buf, size_t n)
{
    long rc;

    if (is_path(f))
        return -EBADF;
    if (!f->ops->getdents)
        return -ENOTDIR;
    mutex_lock(&f->pos_lock);
    rc = f->ops->getdents(f, buf, n);
    mutex_unlock(&f->pos_lock);
    return rc;
}

int file_ioctl(struct file *f, unsigned long req, const struct file_uarg *arg)
{
    return f->ops->ioctl ? f->ops->ioctl(f, req, arg) : -ENOTTY;
}

int file_anon_stat(struct file *f, struct vfs_stat *st)
{
    memset(st, 0, sizeof(*st));
    st->st_ino = (uint64_t)(uintptr_t)f->priv >> 4;
    st->st_nlink = 1;
    st->st_mode = 0600; /* Linux's anon inode: no file type bits */
    st->st_blksize = 4096;
    return 0;
}

int file_stat(struct file *f, struct vfs_stat *st)
{
    return f->ops->stat(f, st);
}

unsigned file_poll(struct file *f, struct poll_table *pt)
{
    return f->ops->poll ? f->ops->poll(f, pt) : FILE_POLL_DEFAULT;
}

int file_mmap(struct file *f, unsigned prot, unsigned flags, struct vfs_file **src)
{
    unsigned type = flags & LINUX_MAP_TYPE, m = fmode(f);

    *src = NULL;
    if (is_path(f))
        return -EBADF;
    if (type != LINUX_MAP_PRIVATE && (prot & LINUX_PROT_WRITE) && !(m & FMODE_WRITE))
        return -EACCES;
    if (!(m & FMODE_READ))
        return -EACCES;
    return f->ops->mmap ? f->ops->mmap(f, prot, flags, src) : -ENODEV;
}

long file_fcntl(struct file *f, unsigned cmd, uint64_t arg)
{
    if (f->ops->fcntl)
        return f->ops->fcntl(f, cmd, arg);
    if (cmd == LINUX_F_GETPIPE_SZ || cmd == LINUX_F_SETPIPE_SZ)
        return -EBADF; /* Linux: not a pipe */
    return -EINVAL;
}

int file_fsync(struct file *f, bool datasync)
{
    if (is_path(f))
        return -EBADF;
    return f->ops->fsync ? f->ops->fsync(f, datasync) : -EINVAL;
}

int file_truncate(struct file *f, int64_t len)
{
    if (is_path(f))
        return -EBADF;
    if (!(fmode(f) & FMODE_WRITE))
        return -EINVAL;
    return f->ops->truncate ? f->ops->truncate(f, len) : -EINVAL;
}

int64_t file_noop_lseek(struct file *f, int64_t off, int whence)
{
    (void)f;
    (void)off;
    (void)whence;
    return 0;
}
