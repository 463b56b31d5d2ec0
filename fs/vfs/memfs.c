/*
 * memfs.c - the in-memory filesystem.
 *
 *   struct memfs      one instance: its vfs_sb, node table (ino -> node), name table
 *                     ((dir, name) -> entry), byte accounting
 *   struct mnode      a file: attributes, and by type a directory's entry list (in cookie
 *                     order, for stable readdir), a file's pages (rbtree by index), a
 *                     symlink's target; xattrs on a list
 *   struct mentry     one name in a directory; cookie = position for readdir
 *
 * A node lives while it has a name (nlink) or the VFS holds it (vfs_refs, from iget/iput),
 * so an unlinked open file keeps its data until the last close. Calls arrive from the VFS
 * with the sb mutex held and everything generic already checked.
 */
#include "core/abi/fcntl.h"
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "fs/vfs/memfs.h"
#include "hal/hal_errno.h"
#include "hal/hal_user.h"

#define PG ((uint64_t)VFS_PAGE_SIZE)

struct memfs {
    struct vfs_sb sb;
    struct hash_table nodes; /* struct mnode.hnode by ino */
    struct hash_table names; /* struct mentry.hnode by (dir, name) */
    uint64_t next_ino;
    uint64_t bytes, max_bytes; /* file pages in use / limit (0: none) */
    uint64_t nnodes;
};

struct mxattr {
    struct list_node node;
    size_t size;
    char *name;
    uint8_t *value;
};

struct mnode {
    struct hash_node hnode;
    uint64_t ino;
    struct vfs_attr a; /* nlink, size, times live here */
    unsigned vfs_refs;
    struct list entries; /* directories: struct mentry.node, cookie order */
    uint64_t next_cookie;
    struct rb_tree pages; /* regular files: struct mpage */
    char *target;         /* symlinks */
    struct list xattrs;
    unsigned seals;       /* regular files: LINUX_F_SEAL_* (memfd.c's rules, below) */
};

struct mentry {
    struct hash_node hnode;
    struct list_node node;
    struct mnode *dir, *child;
    uint64_t cookie;
    size_t len;
    char name[];
};

struct mpage {
    struct rb_node node;
    uint64_t index;
    unsigned maps; /* pins by shared mappings (memfs_map_page): zeroed, never freed */
    uint8_t *data;
};

static const struct vfs_inode_ops memfs_iops;

static struct memfs *MFS(struct vfs_sb *sb)
{
    return container_of(sb, struct memfs, sb);
}

static struct memfs *ip_fs(struct vfs_inode *ip)
{
    return MFS(ip->sb);
}

static struct mnode *N(struct vfs_inode *ip)
{
    return ip->priv;
}

/* --- tables ---------------------------------------------------------------------------- */

static int node_eq(const void *key, const struct hash_node *n)
{
    return container_of(n, struct mnode, hnode)->ino == *(const uint64_t *)key;
}

static struct mnode *node_find(struct memfs *m, uint64_t ino)
{
    struct hash_node *n = hash_find(&m->nodes, &ino, hash_u64(ino), node_eq);
    return n ? container_of(n, struct mnode, hnode) : NULL;
}

struct ekey {
    const struct mnode *dir;
    const char *name;
    size_t len;
};

static uint64_t ehash(const struct mnode *dir, const char *name, size_t len)
{
    return hash_u64(dir->ino) ^ hash_bytes(name, len);
}

static int entry_eq(const void *key, const struct hash_node *n)
{
    const struct ekey *k = key;
    const struct mentry *e = container_of(n, struct mentry, hnode);
    return e->dir == k->dir && e->len == k->len && memcmp(e->name, k->name, k->len) == 0;
}

static struct mentry *entry_find(struct memfs *m, struct mnode *dir, const char *name)
{
    struct ekey k = {dir, name, strlen(name)};
    struct hash_node *n = hash_find(&m->names, &k, ehash(dir, name, k.len), entry_eq);
    return n ? container_of(n, struct mentry, hnode) : NULL;
}

static int entry_add(struct memfs *m, struct mnode *dir, const char *name, struct mnode *child)
{
    size_t len = strlen(name);
    struct mentry *e = kmalloc(sizeof(*e) + len + 1);
    if (!e)
        return -ENOMEM;
    e->dir = dir;
    e->child = child;
    e->len = len;
    memcpy(e->name, name, len + 1);
    e->cookie = dir->next_cookie++;
    if (hash_insert(&m->names, &e->hnode, ehash(dir, name, len))) {
        kfree(e);
        return -ENOMEM;
    }
    list_push_back(&dir->entries, &e->node);
    return 0;
}

static void entry_del(struct memfs *m, struct mentry *e)
{
    hash_remove(&m->names, &e->hnode);
    list_remove(&e->node);
    kfree(e);
}

/* --- nodes ----------------------------------------------------------------------------- */

static struct mnode *node_new(struct memfs *m, uint32_t mode, uint64_t rdev)
{
    struct mnode *n = kzalloc(sizeof(*n));
    if (!n)
        return NULL;
    n->ino = m->next_ino++;
    n->a.mode = mode;
    n->a.rdev = rdev;
    n->a.atime = n->a.mtime = n->a.ctime = vfs_now();
    n->seals = LINUX_F_SEAL_SEAL; /* a tmpfs file cannot be sealed (Linux's shmem default) */
    list_init(&n->entries);
    list_init(&n->xattrs);
    rb_init(&n->pages);
    if (hash_insert(&m->nodes, &n->hnode, hash_u64(n->ino))) {
        kfree(n);
        return NULL;
    }
    m->nnodes++;
    return n;
}

static void page_drop(struct memfs *m, struct mnode *n, struct mpage *p)
{
    rb_remove(&n->pages, &p->node);
    page_free_virt(p->data, 0);
    kfree(p);
    m->bytes -= PG;
}

static void node_free(struct memfs *m, struct mnode *n)
{
    struct rb_node *r;
    while ((r = rb_first(&n->pages)) != NULL)
        page_drop(m, n, rb_entry(r, struct mpage, node));
    struct list_node *l;
    while ((l = list_pop_front(&n->xattrs)) != NULL) {
        struct mxattr *x = container_of(l, struct mxattr, node);
        kfree(x->name);
        kfree(x->value);
        kfree(x);
    }
    kfree(n->target);
    hash_remove(&m->nodes, &n->hnode);
    m->nnodes--;
    kfree(n);
}

static void node_maybe_free(struct memfs *m, struct mnode *n)
{
    if (n->a.nlink == 0 && n->vfs_refs == 0)
        node_free(m, n);
}

static void touch_dir(struct mnode *dir)
{
    dir->a.mtime = dir->a.ctime = vfs_now();
}

/* --- pages ----------------------------------------------------------------------------- */

static int pg_cmp(const struct rb_node *a, const struct rb_node *b)
{
    uint64_t x = rb_entry(a, struct mpage, node)->index;
    uint64_t y = rb_entry(b, struct mpage, node)->index;
    return x < y ? -1 : x > y;
}

static int pg_key(const void *key, const struct rb_node *n)
{
    uint64_t x = *(const uint64_t *)key, y = rb_entry(n, struct mpage, node)->index;
    return x < y ? -1 : x > y;
}

static struct mpage *page_find(struct mnode *n, uint64_t idx)
{
    struct rb_node *r = rb_find(&n->pages, &idx, pg_key);
    return r ? rb_entry(r, struct mpage, node) : NULL;
}

static int page_make(struct memfs *m, struct mnode *n, uint64_t idx, struct mpage **out)
{
    struct mpage *p = page_find(n, idx);
    if (p) {
        *out = p;
        return 0;
    }
    if (m->max_bytes && m->bytes + PG > m->max_bytes)
        return -ENOSPC;
    p = kmalloc(sizeof(*p));
    uint8_t *d = page_alloc_virt(0);
    if (!p || !d) {
        kfree(p);
        if (d)
            page_free_virt(d, 0);
        return -ENOSPC;
    }
    memset(d, 0, PG);
    p->index = idx;
    p->maps = 0;
    p->data = d;
    rb_insert(&n->pages, &p->node, pg_cmp);
    m->bytes += PG;
    *out = p;
    return 0;
}

/* Zero [off, end) of n's data: drop whole pages, clear parts of others. */
static void zero_range(struct memfs *m, struct mnode *n, uint64_t off, uint64_t end)
{
    uint64_t idx = off / PG;
    struct rb_node *r = rb_lower_bound(&n->pages, &idx, pg_key);
    while (r) {
        struct mpage *p = rb_entry(r, struct mpage, node);
        uint64_t ps = p->index * PG;
        if (ps >= end)
            break;
        r = rb_next(r);
        uint64_t a = off > ps ? off - ps : 0;
        uint64_t b = end - ps < PG ? end - ps : PG;
        if (a == 0 && b == PG && !p->maps)
            page_drop(m, n, p);
        else
            memset(p->data + a, 0, b - a);
    }
}

static void update_blocks(struct memfs *m, struct mnode *n)
{
    n->a.blocks = n->pages.count * (PG / 512);
}

/* --- seals (memfd) ------------------------------------------------------------------------ */

/*
 * Linux's shmem seal rules, checked against the host kernel: SEAL_WRITE and SEAL_FUTURE_WRITE
 * refuse writes (-EPERM; a 0-byte write never gets here); SEAL_GROW refuses a write, truncate
 * or fallocate that would pass the size (the whole write, not a short one); SEAL_SHRINK a
 * truncate below it; SEAL_EXEC a chmod that changes an exec bit. SEAL_WRITE does not stop a
 * truncate. Writable shared mappings are refused by memfs_mmap_check; adding SEAL_WRITE while
 * a shared mapping through a writable description exists is -EBUSY (inode->mmap_writable).
 */
#define SEALS_WRITE (LINUX_F_SEAL_WRITE | LINUX_F_SEAL_FUTURE_WRITE)
#define SEALS_KNOWN                                                                                \
    (LINUX_F_SEAL_SEAL | LINUX_F_SEAL_SHRINK | LINUX_F_SEAL_GROW | SEALS_WRITE | LINUX_F_SEAL_EXEC)

static int seal_check_write(const struct mnode *n, uint64_t off, size_t len)
{
    if (n->seals & SEALS_WRITE)
        return -EPERM;
    if ((n->seals & LINUX_F_SEAL_GROW) && off + len > n->a.size)
        return -EPERM;
    return 0;
}

static int seal_check_setattr(const struct mnode *n, const struct vfs_setattr *sa)
{
    if ((sa->valid & VFS_SET_SIZE) && sa->size < n->a.size && (n->seals & LINUX_F_SEAL_SHRINK))
        return -EPERM;
    if ((sa->valid & VFS_SET_SIZE) && sa->size > n->a.size && (n->seals & LINUX_F_SEAL_GROW))
        return -EPERM;
    if ((sa->valid & VFS_SET_MODE) && (n->seals & LINUX_F_SEAL_EXEC) &&
        ((sa->mode ^ n->a.mode) & 0111))
        return -EPERM;
    return 0;
}

static int seal_check_fallocate(const struct mnode *n, int mode, uint64_t end)
{
    if ((mode & (VFS_FALLOC_FL_PUNCH_HOLE | VFS_FALLOC_FL_ZERO_RANGE)) &&
        (n->seals & SEALS_WRITE))
        return -EPERM;
    if (!(mode & VFS_FALLOC_FL_KEEP_SIZE) && end > n->a.size && (n->seals & LINUX_F_SEAL_GROW))
        return -EPERM;
    return 0;
}

/* --- vfs_fs_ops -------------------------------------------------------------------------- */

static int memfs_iget(struct vfs_sb *sb, struct vfs_inode *ip)
{
    struct mnode *n = node_find(MFS(sb), ip->ino);
    if (!n)
        return -ENOENT;
    n->vfs_refs++;
    ip->priv = n;
    ip->ops = &memfs_iops;
    ip->mode = n->a.mode;
    return 0;
}

static void memfs_iput(struct vfs_inode *ip)
{
    struct mnode *n = N(ip);
    n->vfs_refs--;
    node_maybe_free(ip_fs(ip), n);
}

static int memfs_statfs(struct vfs_sb *sb, struct vfs_statfs *st)
{
    struct memfs *m = MFS(sb);
    st->f_type = MEMFS_MAGIC;
    st->f_bsize = PG;
    if (m->max_bytes) {
        st->f_blocks = m->max_bytes / PG;
    } else {
        struct page_stats ps;
        page_get_stats(&ps);
        st->f_blocks = ps.free_pages + m->bytes / PG;
    }
    st->f_bfree = st->f_bavail = st->f_blocks - m->bytes / PG;
    st->f_files = m->nnodes + 1024 * 1024;
    st->f_ffree = st->f_files - m->nnodes;
    st->f_namelen = VFS_NAME_MAX;
    return 0;
}

/* Free every node (the VFS has released them all). */
static int memfs_unmount(struct vfs_sb *sb)
{
    struct memfs *m = MFS(sb);
    for (size_t b = 0; b < m->names.nbuckets; b++) {
        while (m->names.buckets[b]) {
            struct mentry *e = container_of(m->names.buckets[b], struct mentry, hnode);
            entry_del(m, e);
        }
    }
    for (size_t b = 0; b < m->nodes.nbuckets; b++)
        while (m->nodes.buckets[b])
            node_free(m, container_of(m->nodes.buckets[b], struct mnode, hnode));
    hash_destroy(&m->names);
    hash_destroy(&m->nodes);
    kfree(m);
    return 0;
}

static const struct vfs_fs_ops memfs_ops = {
    .name = "tmpfs", /* Linux's name for the same kind (statfs: TMPFS_MAGIC) */
    .iget = memfs_iget,
    .iput = memfs_iput,
    .statfs = memfs_statfs,
    .unmount = memfs_unmount,
};

int memfs_mount(struct vfs_file *dirf, const char *path, const struct memfs_opts *opts,
                struct vfs_sb **out)
{
    struct memfs *m = kzalloc(sizeof(*m));
    if (!m)
        return -ENOMEM;
    if (hash_init(&m->nodes, 64) || hash_init(&m->names, 64)) {
        hash_destroy(&m->nodes);
        kfree(m);
        return -ENOMEM;
    }
    m->next_ino = 1;
    m->max_bytes = opts ? opts->max_bytes : 0;
    uint32_t perm = opts && opts->root_mode ? opts->root_mode & 07777 : 01777;
    struct mnode *root = node_new(m, VFS_S_IFDIR | perm, 0);
    if (!root) {
        memfs_unmount(&m->sb);
        return -ENOMEM;
    }
    root->a.nlink = 2;
    vfs_sb_init(&m->sb, &memfs_ops, m, root->ino, opts ? opts->flags : 0);
    int rc = vfs_mount(dirf, path, &m->sb);
    if (rc) {
        memfs_unmount(&m->sb);
        return rc;
    }
    if (out)
        *out = &m->sb;
    return 0;
}

/* --- vfs_inode_ops: attributes ------------------------------------------------------------ */

static int memfs_getattr(struct vfs_inode *ip, struct vfs_attr *out)
{
    struct mnode *n = N(ip);
    *out = n->a;
    if (VFS_S_ISTYPE(n->a.mode, VFS_S_IFDIR))
        out->size = PG;
    return 0;
}

static int memfs_truncate(struct memfs *m, struct mnode *n, uint64_t size)
{
    if (size < n->a.size)
        zero_range(m, n, size, UINT64_MAX); /* also pages kept past the size by fallocate */
    n->a.size = size;
    update_blocks(m, n);
    return 0;
}

static int memfs_setattr(struct vfs_inode *ip, const struct vfs_setattr *sa)
{
    struct mnode *n = N(ip);
    int rc = seal_check_setattr(n, sa);
    if (rc)
        return rc;
    if (sa->valid & VFS_SET_SIZE) {
        if (!VFS_S_ISTYPE(n->a.mode, VFS_S_IFREG))
            return -EINVAL;
        memfs_truncate(ip_fs(ip), n, sa->size);
    }
    if (sa->valid & VFS_SET_MODE)
        n->a.mode = (n->a.mode & VFS_S_IFMT) | (sa->mode & 07777);
    if (sa->valid & VFS_SET_UID)
        n->a.uid = sa->uid;
    if (sa->valid & VFS_SET_GID)
        n->a.gid = sa->gid;
    if (sa->valid & VFS_SET_ATIME)
        n->a.atime = sa->atime;
    if (sa->valid & VFS_SET_MTIME)
        n->a.mtime = sa->mtime;
    n->a.ctime = (sa->valid & VFS_SET_CTIME) ? sa->ctime : vfs_now();
    return 0;
}

/* --- vfs_inode_ops: names ---------------------------------------------------------------- */

static int memfs_lookup(struct vfs_inode *dir, const char *name, uint64_t *ino)
{
    struct mentry *e = entry_find(ip_fs(dir), N(dir), name);
    if (!e)
        return -ENOENT;
    *ino = e->child->ino;
    return 0;
}

static int add_node(struct vfs_inode *dir, const char *name, uint32_t mode, uint64_t rdev,
                    struct mnode **out)
{
    struct memfs *m = ip_fs(dir);
    struct mnode *d = N(dir);
    if (entry_find(m, d, name))
        return -EEXIST;
    struct mnode *n = node_new(m, mode, rdev);
    if (!n)
        return -ENOSPC;
    n->a.nlink = VFS_S_ISTYPE(mode, VFS_S_IFDIR) ? 2 : 1;
    if (entry_add(m, d, name, n)) {
        n->a.nlink = 0;
        node_free(m, n);
        return -ENOSPC;
    }
    if (VFS_S_ISTYPE(mode, VFS_S_IFDIR))
        d->a.nlink++;
    touch_dir(d);
    *out = n;
    return 0;
}

static int memfs_create(struct vfs_inode *dir, const char *name, uint32_t mode, uint64_t rdev,
                        uint64_t *ino)
{
    struct mnode *n;
    int rc = add_node(dir, name, mode, rdev, &n);
    if (rc == 0)
        *ino = n->ino;
    return rc;
}

static int memfs_symlink(struct vfs_inode *dir, const char *name, const char *target, uint64_t *ino)
{
    size_t len = strlen(target);
    char *t = kmalloc(len + 1);
    if (!t)
        return -ENOSPC;
    memcpy(t, target, len + 1);
    struct mnode *n;
    int rc = add_node(dir, name, VFS_S_IFLNK | 0777, 0, &n);
    if (rc) {
        kfree(t);
        return rc;
    }
    n->target = t;
    n->a.size = len;
    *ino = n->ino;
    return 0;
}

static long memfs_readlink(struct vfs_inode *ip, char *buf, size_t size)
{
    struct mnode *n = N(ip);
    size_t len = n->a.size;
    memcpy(buf, n->target, len < size ? len : size);
    return (long)len;
}

static int memfs_link(struct vfs_inode *dir, const char *name, struct vfs_inode *ip)
{
    struct memfs *m = ip_fs(dir);
    struct mnode *n = N(ip);
    if (entry_find(m, N(dir), name))
        return -EEXIST;
    if (n->a.nlink == 0)
        return -ENOENT; /* an unlinked open file cannot get a name back */
    int rc = entry_add(m, N(dir), name, n);
    if (rc)
        return rc;
    n->a.nlink++;
    n->a.ctime = vfs_now();
    touch_dir(N(dir));
    return 0;
}

/* Drop one name of child (entry e in dir). */
static void drop_name(struct memfs *m, struct mnode *dir, struct mentry *e)
{
    struct mnode *child = e->child;
    entry_del(m, e);
    if (VFS_S_ISTYPE(child->a.mode, VFS_S_IFDIR)) {
        child->a.nlink = 0;
        dir->a.nlink--;
    } else {
        child->a.nlink--;
    }
    child->a.ctime = vfs_now();
    touch_dir(dir);
    node_maybe_free(m, child);
}

static int memfs_unlink(struct vfs_inode *dir, const char *name)
{
    struct memfs *m = ip_fs(dir);
    struct mentry *e = entry_find(m, N(dir), name);
    if (!e)
        return -ENOENT;
    if (VFS_S_ISTYPE(e->child->a.mode, VFS_S_IFDIR))
        return -EISDIR;
    drop_name(m, N(dir), e);
    return 0;
}

static int memfs_rmdir(struct vfs_inode *dir, const char *name)
{
    struct memfs *m = ip_fs(dir);
    struct mentry *e = entry_find(m, N(dir), name);
    if (!e)
        return -ENOENT;
    if (!VFS_S_ISTYPE(e->child->a.mode, VFS_S_IFDIR))
        return -ENOTDIR;
    if (!list_empty(&e->child->entries))
        return -ENOTEMPTY;
    drop_name(m, N(dir), e);
    return 0;
}

static bool is_dir(const struct mnode *n)
{
    return VFS_S_ISTYPE(n->a.mode, VFS_S_IFDIR);
}

/* Swap the nodes behind two names (RENAME_EXCHANGE). */
static void exchange(struct mnode *od, struct mentry *oe, struct mnode *nd, struct mentry *ne)
{
    struct mnode *a = oe->child, *b = ne->child;
    oe->child = b;
    ne->child = a;
    if (od != nd && is_dir(a) != is_dir(b)) {
        int d = is_dir(a) ? 1 : -1; /* a directory moved from od to nd */
        od->a.nlink -= d;
        nd->a.nlink += d;
    }
    a->a.ctime = b->a.ctime = vfs_now();
    touch_dir(od);
    touch_dir(nd);
}

static int memfs_rename(struct vfs_inode *odir, const char *oname, struct vfs_inode *ndir,
                        const char *nname, unsigned flags)
{
    struct memfs *m = ip_fs(odir);
    struct mnode *od = N(odir), *nd = N(ndir);
    struct mentry *oe = entry_find(m, od, oname);
    struct mentry *ne = entry_find(m, nd, nname);
    if (!oe)
        return -ENOENT;
    if (flags & VFS_RENAME_EXCHANGE) {
        if (!ne)
            return -ENOENT;
        exchange(od, oe, nd, ne);
        return 0;
    }
    if (ne && (flags & VFS_RENAME_NOREPLACE))
        return -EEXIST;
    struct mnode *src = oe->child;
    if (ne && ne->child == src)
        return 0;
    if (ne && is_dir(ne->child) && !list_empty(&ne->child->entries))
        return -ENOTEMPTY;
    if (ne)
        drop_name(m, nd, ne);
    int rc = entry_add(m, nd, nname, src);
    if (rc)
        return rc;
    entry_del(m, oe);
    if (is_dir(src) && od != nd) {
        od->a.nlink--;
        nd->a.nlink++;
    }
    src->a.ctime = vfs_now();
    touch_dir(od);
    touch_dir(nd);
    return 0;
}

static int memfs_readdir(struct vfs_inode *dir, uint64_t cookie, vfs_dirent_fn *fn, void *ctx)
{
    list_for_each(&N(dir)->entries, l)
    {
        struct mentry *e = container_of(l, struct mentry, node);
        if (e->cookie < cookie)
            continue;
        if (fn(ctx, e->name, e->len, e->child->ino, vfs_dtype(e->child->a.mode), e->cookie + 1))
            break;
    }
    return 0;
}

/* --- vfs_inode_ops: data ------------------------------------------------------------------ */

/* One page loop for both copies (its pages are the page cache; holes read as zeros). */
static long memfs_read(struct vfs_inode *ip, const struct vfs_sink *to, size_t n, uint64_t off)
{
    static const uint8_t zeros[PG];
    struct mnode *f = N(ip);
    if (off >= f->a.size)
        return 0;
    if (n > f->a.size - off)
        n = (size_t)(f->a.size - off);
    size_t done = 0;
    while (done < n) {
        uint64_t pos = off + done, in = pos % PG;
        size_t cnt = (size_t)(PG - in < n - done ? PG - in : n - done);
        struct mpage *p = page_find(f, pos / PG);
        if (!vfs_sink_put(to, done, p ? p->data + in : zeros, cnt))
            break;
        done += cnt;
    }
    return (long)done;
}

static long memfs_pread(struct vfs_inode *ip, void *buf, size_t n, uint64_t off)
{
    struct vfs_sink k = vfs_sink_kernel(buf);
    return memfs_read(ip, &k, n, off);
}

/* memfs_pread into user memory (vfs_read_user_at) */
static long memfs_pread_user(struct vfs_inode *ip, uint64_t ubuf, size_t n, uint64_t off,
                             bool *fault)
{
    struct vfs_sink k = vfs_sink_user(ubuf, fault);
    return memfs_read(ip, &k, n, off);
}

static long memfs_pwrite(struct vfs_inode *ip, const void *buf, size_t n, uint64_t off)
{
    struct memfs *m = ip_fs(ip);
    struct mnode *f = N(ip);
    size_t done = 0;
    int rc = seal_check_write(f, off, n);
    if (rc)
        return rc;
    while (done < n) {
        uint64_t pos = off + done, in = pos % PG;
        size_t cnt = (size_t)(PG - in < n - done ? PG - in : n - done);
        struct mpage *p;
        rc = page_make(m, f, pos / PG, &p);
        if (rc)
            break;
        memcpy(p->data + in, (const uint8_t *)buf + done, cnt);
        done += cnt;
    }
    if (off + done > f->a.size)
        f->a.size = off + done;
    if (done) {
        f->a.mtime = f->a.ctime = vfs_now();
        update_blocks(m, f);
    }
    return done ? (long)done : rc;
}

static int memfs_fallocate(struct vfs_inode *ip, int mode, uint64_t off, uint64_t len)
{
    struct memfs *m = ip_fs(ip);
    struct mnode *f = N(ip);
    uint64_t end = off + len;
    int rc = seal_check_fallocate(f, mode, end);
    if (rc)
        return rc;
    if (mode & (VFS_FALLOC_FL_PUNCH_HOLE | VFS_FALLOC_FL_ZERO_RANGE)) {
        zero_range(m, f, off, end);
    } else {
        if (m->max_bytes) {
            uint64_t need = 0;
            for (uint64_t i = off / PG; i <= (end - 1) / PG; i++)
                need += page_find(f, i) ? 0 : PG;
            if (m->bytes + need > m->max_bytes)
                return -ENOSPC;
        }
        for (uint64_t i = off / PG; i <= (end - 1) / PG; i++) {
            struct mpage *p;
            rc = page_make(m, f, i, &p);
            if (rc)
                return rc;
        }
    }
    if (!(mode & VFS_FALLOC_FL_KEEP_SIZE) && end > f->a.size)
        f->a.size = end;
    update_blocks(m, f);
    f->a.ctime = vfs_now();
    return 0;
}

/* Shared mappings map the file's own pages (vfs.h, map_page). */
static int memfs_map_page(struct vfs_inode *ip, uint64_t idx, void **handle, uint8_t **data)
{
    struct mpage *p;
    int rc = page_make(ip_fs(ip), N(ip), idx, &p);
    if (rc)
        return rc;
    update_blocks(ip_fs(ip), N(ip));
    p->maps++;
    *handle = p;
    *data = p->data;
    return 0;
}

static void memfs_unmap_page(struct vfs_inode *ip, void *handle)
{
    struct mpage *p = handle;
    (void)ip;
    p->maps--;
}

static int memfs_seek_data(struct vfs_inode *ip, int whence, uint64_t off, uint64_t *out)
{
    struct mnode *f = N(ip);
    uint64_t idx = off / PG;
    struct rb_node *r = rb_lower_bound(&f->pages, &idx, pg_key);
    if (whence == VFS_SEEK_DATA) {
        if (!r)
            return -ENXIO;
        uint64_t ps = rb_entry(r, struct mpage, node)->index * PG;
        if (ps >= f->a.size)
            return -ENXIO;
        *out = ps > off ? ps : off;
        return 0;
    }
    /* SEEK_HOLE: the first page index >= idx that is absent */
    while (r && rb_entry(r, struct mpage, node)->index == idx) {
        idx++;
        r = rb_next(r);
    }
    uint64_t hs = idx * PG;
    *out = hs > off ? hs : off;
    if (*out > f->a.size)
        *out = f->a.size;
    return 0;
}

/* --- vfs_inode_ops: xattrs ------------------------------------------------------------------ */

static struct mxattr *xattr_find(struct mnode *n, const char *name)
{
    list_for_each(&n->xattrs, l)
    {
        struct mxattr *x = container_of(l, struct mxattr, node);
        if (strcmp(x->name, name) == 0)
            return x;
    }
    return NULL;
}

static long memfs_getxattr(struct vfs_inode *ip, const char *name, void *buf, size_t size)
{
    struct mxattr *x = xattr_find(N(ip), name);
    if (!x)
        return -ENODATA;
    if (size == 0)
        return (long)x->size;
    if (size < x->size)
        return -ERANGE;
    memcpy(buf, x->value, x->size);
    return (long)x->size;
}

static int memfs_setxattr(struct vfs_inode *ip, const char *name, const void *val, size_t size,
                          int flags)
{
    struct mnode *n = N(ip);
    struct mxattr *x = xattr_find(n, name);
    if (x && (flags & VFS_XATTR_CREATE))
        return -EEXIST;
    if (!x && (flags & VFS_XATTR_REPLACE))
        return -ENODATA;
    uint8_t *v = kmalloc(size ? size : 1);
    if (!v)
        return -ENOSPC;
    memcpy(v, val, size);
    if (!x) {
        x = kzalloc(sizeof(*x));
        size_t nl = strlen(name);
        char *nm = kmalloc(nl + 1);
        if (!x || !nm) {
            kfree(x);
            kfree(nm);
            kfree(v);
            return -ENOSPC;
        }
        memcpy(nm, name, nl + 1);
        x->name = nm;
        list_push_back(&n->xattrs, &x->node);
    }
    kfree(x->value);
    x->value = v;
    x->size = size;
    n->a.ctime = vfs_now();
    return 0;
}

static long memfs_listxattr(struct vfs_inode *ip, char *buf, size_t size)
{
    size_t total = 0;
    list_for_each(&N(ip)->xattrs, l)
    {
        struct mxattr *x = container_of(l, struct mxattr, node);
        size_t nl = strlen(x->name) + 1;
        if (size) {
            if (total + nl > size)
                return -ERANGE;
            memcpy(buf + total, x->name, nl);
        }
        total += nl;
    }
    return (long)total;
}

static int memfs_removexattr(struct vfs_inode *ip, const char *name)
{
    struct mxattr *x = xattr_find(N(ip), name);
    if (!x)
        return -ENODATA;
    list_remove(&x->node);
    kfree(x->name);
    kfree(x->value);
    kfree(x);
    N(ip)->a.ctime = vfs_now();
    return 0;
}

static const struct vfs_inode_ops memfs_iops = {
    .getattr = memfs_getattr,
    .setattr = memfs_setattr,
    .lookup = memfs_lookup,
    .create = memfs_create,
    .symlink = memfs_symlink,
    .link = memfs_link,
    .unlink = memfs_unlink,
    .rmdir = memfs_rmdir,
    .rename = memfs_rename,
    .readdir = memfs_readdir,
    .readlink = memfs_readlink,
    .pread = memfs_pread,
    .pread_user = memfs_pread_user,
    .pwrite = memfs_pwrite,
    .fallocate = memfs_fallocate,
    .seek_data = memfs_seek_data,
    .getxattr = memfs_getxattr,
    .setxattr = memfs_setxattr,
    .listxattr = memfs_listxattr,
    .removexattr = memfs_removexattr,
    .map_page = memfs_map_page,
    .unmap_page = memfs_unmap_page,
};

/* --- memfd: unlinked files of an internal instance ---------------------------------------- */

static bool is_memfs_reg(const struct vfs_inode *ip)
{
    return ip->sb->ops == &memfs_ops && VFS_S_ISTYPE(ip->mode, VFS_S_IFREG);
}

int memfs_create_unmounted(struct vfs_sb **out)
{
    struct memfs *m = kzalloc(sizeof(*m));

    if (!m)
        return -ENOMEM;
    if (hash_init(&m->nodes, 64) || hash_init(&m->names, 64)) {
        hash_destroy(&m->nodes);
        kfree(m);
        return -ENOMEM;
    }
    m->next_ino = 1;
    vfs_sb_init(&m->sb, &memfs_ops, m, 0, 0);
    *out = &m->sb;
    return 0;
}

int memfs_new_unlinked(struct vfs_sb *sb, uint32_t mode, unsigned seals, uint64_t *ino)
{
    struct mnode *n = node_new(MFS(sb), VFS_S_IFREG | (mode & 07777), 0);

    if (!n)
        return -ENOMEM;
    n->seals = seals;
    *ino = n->ino;
    return 0;
}

int memfs_seals(struct vfs_file *f, bool add, unsigned seals)
{
    struct vfs_inode *ip = f->inode;
    struct mnode *n;
    int rc;

    if ((f->flags & VFS_O_PATH) || !is_memfs_reg(ip))
        return -EINVAL;
    if (add && (seals & ~(unsigned)SEALS_KNOWN))
        return -EINVAL;
    if (add && !(vfs_fmode(f->flags) & VFS_FMODE_WRITE))
        return -EPERM;
    mutex_lock(&ip->sb->lock);
    n = N(ip);
    if (!add) {
        rc = (int)n->seals;
    } else if (n->seals & LINUX_F_SEAL_SEAL) {
        rc = -EPERM;
    } else if ((seals & LINUX_F_SEAL_WRITE) && !(n->seals & LINUX_F_SEAL_WRITE) &&
               __atomic_load_n(&ip->mmap_writable, __ATOMIC_RELAXED)) {
        rc = -EBUSY; /* a shared mapping could still write (Linux's mapping_deny_writable) */
    } else {
        n->seals |= seals;
        rc = 0;
    }
    mutex_unlock(&ip->sb->lock);
    return rc;
}

int memfs_mmap_check(struct vfs_file *f, bool shared_write)
{
    struct vfs_inode *ip = f->inode;
    int rc = 0;

    if (!shared_write || !is_memfs_reg(ip))
        return 0;
    mutex_lock(&ip->sb->lock);
    if (N(ip)->seals & SEALS_WRITE)
        rc = -EPERM;
    mutex_unlock(&ip->sb->lock);
    return rc;
}
