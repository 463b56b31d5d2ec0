/*
 * inode.c - the inode cache.
 *
 * An inode is in the cache exactly while something references it: an open file, a cached
 * dentry (which holds its child), a child directory (which holds its parent), a mount (which
 * holds the covered directory and its own root), or a walk in progress. Hard links meet at
 * one struct, found by (sb, ino) in a hash table. When the last reference goes, the inode's
 * cached names are dropped, its dirty pages written back (unless it was unlinked), and the
 * filesystem told (iput). Retention is therefore bounded by the dentry cache's bound.
 *
 * Everything here runs with the VFS mutex held.
 */
#include "core/lib/alloc.h"
#include "core/lib/log.h"
#include "fs/vfs/notify.h"
#include "fs/vfs/vfs_internal.h"
#include "hal/hal_errno.h"

struct ikey {
    struct vfs_sb *sb;
    uint64_t ino;
};

static uint64_t ihash(const struct vfs_sb *sb, uint64_t ino)
{
    return hash_u64((uint64_t)(uintptr_t)sb ^ hash_u64(ino));
}

static int ieq(const void *key, const struct hash_node *n)
{
    const struct ikey *k = key;
    const struct vfs_inode *ip = container_of(n, struct vfs_inode, hnode);
    return ip->sb == k->sb && ip->ino == k->ino;
}

void icache_init(void)
{
    vfs.ninodes = 0;
}

int inode_getattr(struct vfs_inode *ip, struct vfs_attr *a)
{
    if (!ip->ops->getattr)
        return -EOPNOTSUPP;
    sb_lock(ip->sb);
    int rc = ip->ops->getattr(ip, a);
    if (rc == 0)
        pcache_overlay_attr(ip, a);
    sb_unlock(ip->sb);
    return rc;
}

/* Find or load inode ino of sb; returns a new reference. */
int inode_get(struct vfs_sb *sb, uint64_t ino, struct vfs_inode **out)
{
    struct ikey k = {sb, ino};
    uint64_t h = ihash(sb, ino);
    struct hash_node *n = hash_find(&vfs.icache, &k, h, ieq);
    if (n) {
        struct vfs_inode *ip = container_of(n, struct vfs_inode, hnode);
        ip->refs++;
        *out = ip;
        return 0;
    }
    struct vfs_inode *ip = kzalloc(sizeof(*ip));
    if (!ip)
        return -ENOMEM;
    ip->sb = sb;
    ip->ino = ino;
    ip->refs = 1;
    list_init(&ip->dentries);
    rb_init(&ip->pages);
    list_node_init(&ip->dirty_node);
    sb_lock(sb);
    int rc = sb->ops->iget(sb, ip);
    sb_unlock(sb);
    if (rc == 0 && !ip->ops)
        rc = -EIO;
    if (rc == 0)
        rc = hash_insert(&vfs.icache, &ip->hnode, h);
    if (rc) {
        if (ip->ops && sb->ops->iput) {
            sb_lock(sb);
            sb->ops->iput(ip);
            sb_unlock(sb);
        }
        kfree(ip);
        return rc;
    }
    sb->ninodes++;
    vfs.ninodes++;
    *out = ip;
    return 0;
}

void inode_ref(struct vfs_inode *ip)
{
    ip->refs++;
}

/*
 * The last reference went: write back or discard pages, tell the filesystem, free. Returns
 * the parent whose reference ip held, for the caller to drop: a chain of directories whose
 * names left the cache goes one at a time, not by recursion (paths may nest 2,000 deep).
 * ip's own cached names are files or negative (a cached child directory would hold ip), so
 * dropping them frees no directories.
 */
static struct vfs_inode *inode_free(struct vfs_inode *ip)
{
    struct vfs_sb *sb = ip->sb;
    dcache_purge_dir(ip);
    hash_remove(&vfs.icache, &ip->hnode);
    sb_lock(sb);
    if (sb->pc) {
        struct vfs_attr a;
        bool gone = ip->ops->getattr && ip->ops->getattr(ip, &a) == 0 && a.nlink == 0;
        if (!gone && pcache_writeback_inode(ip))
            log_warn("vfs: write-back of inode %llu failed; dropping its pages\n",
                     (unsigned long long)ip->ino);
        pcache_drop_inode(ip, true);
    }
    if (sb->ops->iput)
        sb->ops->iput(ip);
    sb_unlock(sb);
    sb->ninodes--;
    vfs.ninodes--;
    struct vfs_inode *parent = ip->parent;
    kfree(ip);
    return parent;
}

void inode_put(struct vfs_inode *ip)
{
    while (ip) {
        KASSERT(ip->refs > 0);
        if (--ip->refs) {
            if (ip->refs == 1 && ip->notify) /* maybe only inotify's: a deferred delete */
                vfs_notify_idle(ip);
            return;
        }
        ip = inode_free(ip);
    }
}

unsigned vfs_icache_count(void)
{
    return vfs.ninodes;
}
