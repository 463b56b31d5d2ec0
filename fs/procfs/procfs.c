/*
 * procfs.c - the synthetic /proc filesystem kind (procfs.h).
 *
 * At mount the owner's static tree is flattened into an array: entry i is inode i + 1, the
 * root is inode 1, and each entry records its parent's index, so lookup and readdir are
 * scans of at most PROCFS_MAX_ENTRIES entries and iget never allocates. Contents are
 * generated into a kernel buffer on every read or readlink and then copied; nothing is
 * cached, so what a read returns is the state at that read.
 */
#include "fs/procfs/procfs.h"

#include <stdarg.h>

#include "core/lib/alloc.h"
#include "core/lib/kprintf.h"
#include "core/lib/kstring.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"

struct pnode {
    const struct procfs_entry *e;
    unsigned parent; /* index of the parent directory (the root: itself) */
};

struct procfs {
    struct vfs_sb sb;
    struct procfs_entry root;
    struct pnode n[PROCFS_MAX_ENTRIES];
    unsigned count;
};

#define PFS(sb_) ((struct procfs *)(sb_)->priv)

/* --- content buffers ------------------------------------------------------------------------ */

void procfs_put(struct procfs_buf *b, const void *p, size_t n)
{
    if (b->err || n == 0)
        return;
    if (n > PROCFS_MAX_SIZE - b->len) {
        b->err = -EFBIG;
        return;
    }
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        char *d;

        while (cap < b->len + n)
            cap *= 2;
        if (!(d = krealloc(b->data, cap))) {
            b->err = -ENOMEM;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void procfs_printf(struct procfs_buf *b, const char *fmt, ...)
{
    char small[128], *big;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = kvsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof(small)) {
        procfs_put(b, small, (size_t)n);
        return;
    }
    if (!(big = kmalloc((size_t)n + 1))) {
        b->err = b->err ? b->err : -ENOMEM;
        return;
    }
    va_start(ap, fmt);
    kvsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    procfs_put(b, big, (size_t)n);
    kfree(big);
}

/* Run the entry's show(); 0 and b filled, or -errno (b freed). */
static int generate(const struct procfs_entry *e, struct procfs_buf *b)
{
    int rc;

    memset(b, 0, sizeof(*b));
    rc = e->show ? e->show(b) : -EINVAL;
    if (rc == 0)
        rc = b->err;
    if (rc) {
        kfree(b->data);
        b->data = NULL;
    }
    return rc;
}

/* --- inodes --------------------------------------------------------------------------------- */

static uint32_t mode_of(const struct procfs_entry *e)
{
    switch (e->kind) {
    case PROCFS_DIR:
        return VFS_S_IFDIR | 0555;
    case PROCFS_LINK:
        return VFS_S_IFLNK | 0777;
    default:
        return VFS_S_IFREG | 0444;
    }
}

static unsigned dtype_of(const struct procfs_entry *e)
{
    return e->kind == PROCFS_DIR ? VFS_DT_DIR : e->kind == PROCFS_LINK ? VFS_DT_LNK : VFS_DT_REG;
}

static struct pnode *PN(struct vfs_inode *ip)
{
    return ip->priv;
}

static unsigned index_of(struct vfs_inode *ip)
{
    return (unsigned)(ip->ino - 1);
}

static int procfs_getattr(struct vfs_inode *ip, struct vfs_attr *out)
{
    uint64_t now = hal_wallclock_ns();

    memset(out, 0, sizeof(*out));
    out->mode = mode_of(PN(ip)->e);
    out->nlink = PN(ip)->e->kind == PROCFS_DIR ? 2 : 1;
    out->atime.tv_sec = out->mtime.tv_sec = out->ctime.tv_sec = (int64_t)(now / 1000000000u);
    out->atime.tv_nsec = out->mtime.tv_nsec = out->ctime.tv_nsec = (int64_t)(now % 1000000000u);
    return 0;
}

static int procfs_lookup(struct vfs_inode *dir, const char *name, uint64_t *ino)
{
    struct procfs *fs = PFS(dir->sb);
    unsigned d = index_of(dir);

    for (unsigned i = 1; i < fs->count; i++)
        if (fs->n[i].parent == d && strcmp(fs->n[i].e->name, name) == 0) {
            *ino = i + 1;
            return 0;
        }
    return -ENOENT;
}

static int procfs_readdir(struct vfs_inode *dir, uint64_t cookie, vfs_dirent_fn *fn, void *ctx)
{
    struct procfs *fs = PFS(dir->sb);
    unsigned d = index_of(dir);

    for (unsigned i = cookie > 1 ? (unsigned)cookie : 1; i < fs->count; i++) {
        const struct procfs_entry *e = fs->n[i].e;

        if (fs->n[i].parent == d && fn(ctx, e->name, strlen(e->name), i + 1, dtype_of(e), i + 1))
            break;
    }
    return 0;
}

static long procfs_readlink(struct vfs_inode *ip, char *buf, size_t size)
{
    struct procfs_buf b;
    int rc = generate(PN(ip)->e, &b);

    if (rc)
        return rc;
    memcpy(buf, b.data, b.len < size ? b.len : size);
    kfree(b.data);
    return (long)b.len;
}

static long procfs_pread(struct vfs_inode *ip, void *buf, size_t n, uint64_t off)
{
    struct procfs_buf b;
    int rc = generate(PN(ip)->e, &b);
    size_t got = 0;

    if (rc)
        return rc;
    if (off < b.len) {
        got = b.len - (size_t)off < n ? b.len - (size_t)off : n;
        memcpy(buf, b.data + off, got);
    }
    kfree(b.data);
    return (long)got;
}

static const struct vfs_inode_ops procfs_iops = {
    .getattr = procfs_getattr,
    .lookup = procfs_lookup,
    .readdir = procfs_readdir,
    .readlink = procfs_readlink,
    .pread = procfs_pread,
};

/* --- the filesystem ------------------------------------------------------------------------- */

static int procfs_iget(struct vfs_sb *sb, struct vfs_inode *ip)
{
    struct procfs *fs = PFS(sb);

    if (ip->ino == 0 || ip->ino > fs->count)
        return -ENOENT;
    ip->priv = &fs->n[ip->ino - 1];
    ip->ops = &procfs_iops;
    ip->mode = mode_of(fs->n[ip->ino - 1].e);
    return 0;
}

static void procfs_iput(struct vfs_inode *ip)
{
    (void)ip; /* nodes live as long as the mount */
}

static int procfs_statfs(struct vfs_sb *sb, struct vfs_statfs *st)
{
    (void)sb;
    st->f_type = PROCFS_MAGIC;
    st->f_bsize = 4096;
    st->f_namelen = VFS_NAME_MAX;
    st->f_flags = VFS_ST_RDONLY;
    return 0;
}

static int procfs_unmount(struct vfs_sb *sb)
{
    kfree(PFS(sb));
    return 0;
}

static const struct vfs_fs_ops procfs_ops = {
    .name = "proc",
    .iget = procfs_iget,
    .iput = procfs_iput,
    .statfs = procfs_statfs,
    .unmount = procfs_unmount,
};

static int flatten(struct procfs *fs, const struct procfs_entry *children, unsigned parent)
{
    for (const struct procfs_entry *e = children; e && e->name; e++) {
        unsigned i = fs->count;

        if (i == PROCFS_MAX_ENTRIES)
            return -E2BIG;
        fs->n[i].e = e;
        fs->n[i].parent = parent;
        fs->count++;
        if (e->kind == PROCFS_DIR && flatten(fs, e->children, i))
            return -E2BIG;
    }
    return 0;
}

int procfs_mount(struct vfs_file *dirf, const char *path, const struct procfs_entry *children)
{
    struct procfs *fs = kzalloc(sizeof(*fs));
    int rc;

    if (!fs)
        return -ENOMEM;
    fs->root.name = "";
    fs->root.kind = PROCFS_DIR;
    fs->root.children = children;
    fs->n[0].e = &fs->root;
    fs->count = 1;
    rc = flatten(fs, children, 0);
    if (rc == 0) {
        vfs_sb_init(&fs->sb, &procfs_ops, fs, 1, VFS_MNT_RDONLY);
        rc = vfs_mount(dirf, path, &fs->sb);
    }
    if (rc)
        kfree(fs);
    return rc;
}
