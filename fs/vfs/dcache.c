/*
 * dcache.c - the dentry cache: (directory inode, name) -> inode, or "no such name".
 *
 * A positive dentry holds a reference on its child inode, which is what keeps inodes (and
 * their cached pages) alive between walks; a negative one remembers a failed lookup so that
 * repeated misses (PATH searches, stat of absent files) do not reach the filesystem. Each
 * directory inode lists the dentries under it, so rmdir/unmount/eviction can drop them.
 *
 *   hash (dir, name) --> dentry --> child inode (or NULL)
 *   dir->dentries: all dentries whose directory is dir
 *   vfs.lru: all dentries, least recently used first; trimmed to vfs.dcache_max
 *
 * Every namespace change (create, unlink, rmdir, rename, link, symlink) invalidates the
 * names it touches; the next lookup asks the filesystem again. All under the VFS mutex.
 */
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "fs/vfs/vfs_internal.h"

struct vfs_dentry {
    struct hash_node hnode;
    struct list_node lru;
    struct list_node sibling; /* dir->dentries */
    struct vfs_inode *dir;
    struct vfs_inode *inode; /* NULL: negative */
    size_t len;
    char name[];
};

struct dkey {
    const struct vfs_inode *dir;
    const char *name;
    size_t len;
};

/* Eight bytes of the name a step (a byte loop costs one translated block per byte under
 * QEMU's TCG, and every component of every path walk hashes its name), the last 1-7 bytes
 * as one word; the length and the directory seed the hash. */
static uint64_t dhash(const struct vfs_inode *dir, const char *name, size_t len)
{
    uint64_t h = hash_u64((uint64_t)(uintptr_t)dir ^ len);
    uint64_t w = 0;
    unsigned shift = 0;

    for (; len >= 8; len -= 8, name += 8) {
        __builtin_memcpy(&w, name, 8);
        h = hash_u64(h ^ w);
    }
    w = 0;
    if (len & 4) {
        uint32_t t;
        __builtin_memcpy(&t, name, 4);
        w = t, shift = 32, name += 4;
    }
    if (len & 2) {
        uint16_t t;
        __builtin_memcpy(&t, name, 2);
        w |= (uint64_t)t << shift, shift += 16, name += 2;
    }
    if (len & 1)
        w |= (uint64_t)(unsigned char)*name << shift;
    return hash_u64(h ^ w);
}

static int deq(const void *key, const struct hash_node *n)
{
    const struct dkey *k = key;
    const struct vfs_dentry *d = container_of(n, struct vfs_dentry, hnode);
    return d->dir == k->dir && d->len == k->len && memcmp(d->name, k->name, k->len) == 0;
}

void dcache_init(void)
{
    list_init(&vfs.lru);
    vfs.ndentries = 0;
}

static struct vfs_dentry *dfind(struct vfs_inode *dir, const char *name, size_t len)
{
    struct dkey k = {dir, name, len};
    struct hash_node *n = hash_find(&vfs.dcache, &k, dhash(dir, name, len), deq);
    return n ? container_of(n, struct vfs_dentry, hnode) : NULL;
}

/* Unlink d from every list and drop its reference (which may free inodes recursively). */
static void dkill(struct vfs_dentry *d)
{
    hash_remove(&vfs.dcache, &d->hnode);
    list_remove(&d->lru);
    list_remove(&d->sibling);
    vfs.ndentries--;
    struct vfs_inode *ip = d->inode;
    kfree(d);
    if (ip)
        inode_put(ip);
}

int dcache_lookup(struct vfs_inode *dir, const char *name, size_t len, struct vfs_inode **out)
{
    struct vfs_dentry *d = dfind(dir, name, len);
    if (!d)
        return 0;
    list_remove(&d->lru);
    list_push_back(&vfs.lru, &d->lru);
    if (d->inode)
        inode_ref(d->inode);
    *out = d->inode;
    return 1;
}

void dcache_shrink(unsigned max)
{
    while (vfs.ndentries > max) {
        struct list_node *n = list_first(&vfs.lru);
        dkill(container_of(n, struct vfs_dentry, lru));
    }
}

/* Remember name -> ip (ip NULL: negative). Allocation failure only loses the cache entry. */
void dcache_insert(struct vfs_inode *dir, const char *name, size_t len, struct vfs_inode *ip)
{
    dcache_invalidate(dir, name, len);
    struct vfs_dentry *d = kmalloc(sizeof(*d) + len + 1);
    if (!d)
        return;
    d->dir = dir;
    d->inode = ip;
    d->len = len;
    memcpy(d->name, name, len);
    d->name[len] = 0;
    if (hash_insert(&vfs.dcache, &d->hnode, dhash(dir, name, len))) {
        kfree(d);
        return;
    }
    if (ip)
        inode_ref(ip);
    list_push_back(&vfs.lru, &d->lru);
    list_push_back(&dir->dentries, &d->sibling);
    vfs.ndentries++;
    /* The new entry is the most recent: trimming never takes it, nor dir (held by caller). */
    dcache_shrink(vfs.dcache_max);
}

void dcache_invalidate(struct vfs_inode *dir, const char *name, size_t len)
{
    struct vfs_dentry *d = dfind(dir, name, len);
    if (d)
        dkill(d);
}

const char *dcache_name_in(struct vfs_inode *dir, const struct vfs_inode *ip)
{
    list_for_each(&dir->dentries, n)
    {
        struct vfs_dentry *d = container_of(n, struct vfs_dentry, sibling);
        if (d->inode == ip)
            return d->name;
    }
    return NULL;
}

void dcache_purge_dir(struct vfs_inode *dir)
{
    struct list_node *n;
    while ((n = list_first(&dir->dentries)) != NULL)
        dkill(container_of(n, struct vfs_dentry, sibling));
}

/* Drop every dentry under a directory of sb. Restarts after each kill: a kill may free other
 * dentries (through inode eviction), so no iterator survives it. */
void dcache_purge_sb(struct vfs_sb *sb)
{
    bool again = true;
    while (again) {
        again = false;
        list_for_each(&vfs.lru, n)
        {
            struct vfs_dentry *d = container_of(n, struct vfs_dentry, lru);
            if (d->dir->sb == sb) {
                dkill(d);
                again = true;
                break;
            }
        }
    }
}

unsigned vfs_set_dcache_limit(unsigned n)
{
    if (n < 16)
        n = 16;
    vfs_lock();
    unsigned old = vfs.dcache_max;
    vfs.dcache_max = n;
    dcache_shrink(n);
    vfs_unlock();
    return old;
}

unsigned vfs_dcache_count(void)
{
    return vfs.ndentries;
}
