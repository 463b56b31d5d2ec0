/*
 * procfs.c - the synthetic /proc filesystem kind (procfs.h).
 *
 * At mount the owner's static tree is flattened into an array: entry i is inode i + 1, the
 * root is inode 1, and each entry records its parent's index, so lookup and readdir are
 * scans of at most PROCFS_MAX_ENTRIES entries and iget never allocates. Contents are
 * generated into a kernel buffer at each readlink, and at each read from offset 0 of an open
 * file, which keeps that text for its later reads (procfs_read_file, as Linux's seq_file).
 *
 * A PROCFS_DYNDIR's children are not in the array: their inode number carries the
 * directory's index and the key (procfs.h), iget asks the owner whether the key exists now
 * and gives the inode a small node of its own (freed by iput), and lookup and readdir walk
 * the owner's keys. The same code serves other kinds (procfs_mount_kind: /sys) with their own
 * name and magic.
 */
#include "fs/procfs/procfs.h"

#include <stdarg.h>

#include "core/lib/alloc.h"
#include "core/lib/kprintf.h"
#include "core/lib/kstring.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"

struct pnode {
    const struct procfs_entry *e; /* a dynamic link: its directory's entry */
    unsigned parent;              /* index of the parent directory (the root: itself) */
    bool dyn;                     /* a link of a PROCFS_DYNDIR, key below */
    uint64_t key;
};

struct procfs {
    struct vfs_sb sb;
    struct vfs_fs_ops ops; /* procfs_ops with this mount's name */
    uint64_t magic;
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

/* Run the node's show(); 0 and b filled, or -errno (b freed). */
static int generate(const struct pnode *pn, struct procfs_buf *b)
{
    const struct procfs_entry *e = pn->e;
    int rc;

    memset(b, 0, sizeof(*b));
    if (pn->dyn)
        rc = e->dyn && e->dyn->show ? e->dyn->show(pn->key, b) : -EINVAL;
    else
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

static uint32_t mode_of(const struct pnode *pn)
{
    if (pn->dyn && pn->e->dyn->files)
        return VFS_S_IFREG | 0444;
    if (pn->dyn)
        return VFS_S_IFLNK | 0700; /* Linux: the descriptor's access (lrwx, lr-x, l-wx) */
    switch (pn->e->kind) {
    case PROCFS_DIR:
    case PROCFS_DYNDIR:
        return VFS_S_IFDIR | 0555;
    case PROCFS_LINK:
        return VFS_S_IFLNK | 0777;
    default:
        return VFS_S_IFREG | 0444;
    }
}

static unsigned dtype_of(const struct procfs_entry *e)
{
    return e->kind == PROCFS_DIR || e->kind == PROCFS_DYNDIR ? VFS_DT_DIR
           : e->kind == PROCFS_LINK                          ? VFS_DT_LNK
                                                             : VFS_DT_REG;
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
    out->mode = mode_of(PN(ip));
    out->nlink = !PN(ip)->dyn && PN(ip)->e->kind != PROCFS_FILE && PN(ip)->e->kind != PROCFS_LINK
                     ? 2
                     : 1;
    out->atime.tv_sec = out->mtime.tv_sec = out->ctime.tv_sec = (int64_t)(now / 1000000000u);
    out->atime.tv_nsec = out->mtime.tv_nsec = out->ctime.tv_nsec = (int64_t)(now % 1000000000u);
    return 0;
}

static uint64_t dyn_ino(unsigned dir, uint64_t key)
{
    return PROCFS_DYN_INO | (uint64_t)dir << 32 | key;
}

/* A decimal key without leading zeros (as Linux names fds), below 2^32; -ENOENT if not. */
static int parse_key(const char *name, uint64_t *key)
{
    uint64_t k = 0;

    if (!name[0] || (name[0] == '0' && name[1]) || strlen(name) > 10)
        return -ENOENT;
    for (const char *c = name; *c; c++) {
        if (*c < '0' || *c > '9')
            return -ENOENT;
        k = k * 10 + (uint64_t)(*c - '0');
    }
    if (k >= 1ULL << 32)
        return -ENOENT;
    *key = k;
    return 0;
}

static int dyn_exists(const struct procfs_entry *e, uint64_t key)
{
    uint64_t found;

    if (!e->dyn || !e->dyn->next || e->dyn->next(key, &found) || found != key)
        return -ENOENT;
    return 0;
}

static int procfs_lookup(struct vfs_inode *dir, const char *name, uint64_t *ino)
{
    struct procfs *fs = PFS(dir->sb);
    unsigned d = index_of(dir);
    uint64_t key;

    if (PN(dir)->e->kind == PROCFS_DYNDIR) {
        if (parse_key(name, &key) || dyn_exists(PN(dir)->e, key))
            return -ENOENT;
        *ino = dyn_ino(d, key);
        return 0;
    }
    for (unsigned i = 1; i < fs->count; i++)
        if (fs->n[i].parent == d && strcmp(fs->n[i].e->name, name) == 0) {
            *ino = i + 1;
            return 0;
        }
    return -ENOENT;
}

/* A dynamic directory lists the owner's keys; a key's cookie is the key + 1. */
static int dyn_readdir(struct vfs_inode *dir, uint64_t cookie, vfs_dirent_fn *fn, void *ctx)
{
    const struct procfs_dyn *dyn = PN(dir)->e->dyn;
    uint64_t key;
    char name[24];

    for (uint64_t from = cookie; dyn && dyn->next && dyn->next(from, &key) == 0; from = key + 1) {
        int n = ksnprintf(name, sizeof(name), "%llu", (unsigned long long)key);

        if (key >= 1ULL << 32 || key < from)
            break; /* the owner broke its contract: stop rather than loop */
        if (fn(ctx, name, (size_t)n, dyn_ino(index_of(dir), key),
               dyn->files ? VFS_DT_REG : VFS_DT_LNK, key + 1))
            break;
    }
    return 0;
}

static int procfs_readdir(struct vfs_inode *dir, uint64_t cookie, vfs_dirent_fn *fn, void *ctx)
{
    struct procfs *fs = PFS(dir->sb);
    unsigned d = index_of(dir);

    if (PN(dir)->e->kind == PROCFS_DYNDIR)
        return dyn_readdir(dir, cookie, fn, ctx);
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
    int rc = generate(PN(ip), &b);

    if (rc)
        return rc;
    memcpy(buf, b.data, b.len < size ? b.len : size);
    kfree(b.data);
    return (long)b.len;
}

static long procfs_pread(struct vfs_inode *ip, void *buf, size_t n, uint64_t off)
{
    struct procfs_buf b;
    int rc = generate(PN(ip), &b);
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

/* read(2) of an open file: the text generated at its read from offset 0 (or its first read),
 * kept in f->snap until the next read from 0 or the close, as Linux's seq_file keeps it
 * (vfs.h, read_file): a /proc/stat read in pieces is one text even as its counters move. */
static long procfs_read_file(struct vfs_file *f, void *buf, size_t n, uint64_t off)
{
    struct procfs_buf *s = f->snap, b;
    size_t got = 0;

    if (off == 0 || !s) {
        int rc = generate(PN(f->inode), &b);

        if (rc)
            return rc;
        if (!s && !(s = kmalloc(sizeof(*s)))) {
            kfree(b.data);
            return -ENOMEM;
        }
        if (f->snap)
            kfree(s->data);
        *s = b;
        f->snap = s;
    }
    if (off < s->len) {
        got = s->len - (size_t)off < n ? s->len - (size_t)off : n;
        memcpy(buf, s->data + off, got);
    }
    return (long)got;
}

static void procfs_release_file(struct vfs_file *f)
{
    struct procfs_buf *s = f->snap;

    if (s) {
        kfree(s->data);
        kfree(s);
        f->snap = NULL;
    }
}

/* Linux's proc files and directories have no fsync (-EINVAL); sysfs's files have a no-op
 * one, its directories none (checked natively). */
static int procfs_fsync(struct vfs_inode *ip, bool datasync)
{
    (void)datasync;
    if (PFS(ip->sb)->magic == PROCFS_SYSFS_MAGIC && !VFS_S_ISTYPE(ip->mode, VFS_S_IFDIR))
        return 0;
    return -EINVAL;
}

static const struct vfs_inode_ops procfs_iops = {
    .fsync = procfs_fsync,
    .getattr = procfs_getattr,
    .lookup = procfs_lookup,
    .readdir = procfs_readdir,
    .readlink = procfs_readlink,
    .pread = procfs_pread,
    .read_file = procfs_read_file,
    .release_file = procfs_release_file,
};

/* --- the filesystem ------------------------------------------------------------------------- */

/* A link of a dynamic directory: a node of its own while the key exists. */
static int dyn_iget(struct procfs *fs, struct vfs_inode *ip)
{
    unsigned d = (unsigned)(ip->ino >> 32 & 0xffff);
    uint64_t key = ip->ino & 0xffffffffULL;
    struct pnode *pn;

    if ((ip->ino & ~(PROCFS_DYN_INO | 0xffffffffffffULL)) || d >= fs->count ||
        fs->n[d].e->kind != PROCFS_DYNDIR || dyn_exists(fs->n[d].e, key))
        return -ENOENT;
    pn = kzalloc(sizeof(*pn));
    if (!pn)
        return -ENOMEM;
    *pn = (struct pnode){fs->n[d].e, d, true, key};
    ip->priv = pn;
    ip->ops = &procfs_iops;
    ip->mode = mode_of(pn);
    return 0;
}

static int procfs_iget(struct vfs_sb *sb, struct vfs_inode *ip)
{
    struct procfs *fs = PFS(sb);

    if (ip->ino & PROCFS_DYN_INO)
        return dyn_iget(fs, ip);
    if (ip->ino == 0 || ip->ino > fs->count)
        return -ENOENT;
    ip->priv = &fs->n[ip->ino - 1];
    ip->ops = &procfs_iops;
    ip->mode = mode_of(&fs->n[ip->ino - 1]);
    return 0;
}

static void procfs_iput(struct vfs_inode *ip)
{
    if (ip->priv && PN(ip)->dyn)
        kfree(ip->priv); /* static nodes live as long as the mount */
}

static int procfs_statfs(struct vfs_sb *sb, struct vfs_statfs *st)
{
    st->f_type = (int64_t)PFS(sb)->magic;
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
        if (e->kind == PROCFS_DYNDIR && (i >= 0xffff || !e->dyn))
            return -EINVAL; /* its index must fit the links' inode numbers */
        if (e->kind == PROCFS_DIR && flatten(fs, e->children, i))
            return -E2BIG;
    }
    return 0;
}

int procfs_mount(struct vfs_file *dirf, const char *path, const struct procfs_entry *children)
{
    return procfs_mount_kind(dirf, path, children, "proc", PROCFS_MAGIC);
}

int procfs_mount_kind(struct vfs_file *dirf, const char *path, const struct procfs_entry *children,
                      const char *kind, uint64_t magic)
{
    struct procfs *fs = kzalloc(sizeof(*fs));
    int rc;

    if (!fs)
        return -ENOMEM;
    fs->ops = procfs_ops;
    fs->ops.name = kind;
    fs->magic = magic;
    fs->root.name = "";
    fs->root.kind = PROCFS_DIR;
    fs->root.children = children;
    fs->n[0].e = &fs->root;
    fs->count = 1;
    rc = flatten(fs, children, 0);
    if (rc == 0) {
        vfs_sb_init(&fs->sb, &fs->ops, fs, 1, VFS_MNT_RDONLY);
        rc = vfs_mount(dirf, path, &fs->sb);
    }
    if (rc)
        kfree(fs);
    return rc;
}
