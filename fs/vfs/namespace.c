/*
 * namespace.c - calls that change names: mkdirat, mknodat, unlinkat, renameat2, linkat,
 * symlinkat.
 *
 * Each walks to the parent of its last component, checks everything generic in the order
 * Linux checks it (so the same errno comes out when several things are wrong), calls the
 * filesystem under its sb mutex, and invalidates the cached names it touched. All under the
 * VFS mutex, which also makes the "is the source an ancestor of the target" test of rename
 * stable: directory parent links only change under it.
 */
#include "core/lib/kstring.h"
#include "fs/vfs/notify.h"
#include "fs/vfs/vfs_internal.h"
#include "hal/hal_errno.h"

/* Walk to the parent of path's last component (VFS mutex held). */
static int walk_parent(struct nameidata *nd, struct vfs_file *dirf, const char *path)
{
    int rc = namei_start(nd, dirf, path, false);
    if (rc == 0)
        rc = namei_parent(nd);
    return rc;
}

/* The child named nd->last without following anything; NULL when missing. */
static int last_nofollow(struct nameidata *nd, struct vfs_inode **out)
{
    int rc = namei_child(nd->cur, nd->last, nd->last_len, out);
    if (rc == -ENOENT) {
        *out = NULL;
        rc = 0;
    }
    return rc;
}

/* Shared by mkdirat/mknodat/symlinkat: where a new name will go. */
static int create_prep(struct nameidata *nd, bool dir)
{
    if (nd->last_type != LAST_NORM)
        return -EEXIST;
    struct vfs_inode *ip;
    int rc = last_nofollow(nd, &ip);
    if (rc)
        return rc;
    if (ip) {
        inode_put(ip);
        return -EEXIST;
    }
    if (nd->trailing && !dir)
        return -ENOENT;
    if (sb_rdonly(nd->cur->sb))
        return -EROFS;
    return 0;
}

static int do_create(struct vfs_file *dirf, const char *path, uint32_t mode, uint64_t dev)
{
    struct nameidata nd;
    bool dir = VFS_S_ISTYPE(mode, VFS_S_IFDIR);
    vfs_lock();
    int rc = walk_parent(&nd, dirf, path);
    if (rc == 0)
        rc = create_prep(&nd, dir);
    if (rc == 0 && !nd.cur->ops->create)
        rc = -EPERM;
    if (rc == 0) {
        uint64_t ino;
        sb_lock(nd.cur->sb);
        rc = nd.cur->ops->create(nd.cur, nd.last, mode, dev, &ino);
        sb_unlock(nd.cur->sb);
        dcache_invalidate(nd.cur, nd.last, nd.last_len);
        if (rc == 0)
            vfs_notify_create(nd.cur, nd.last, dir);
    }
    namei_end(&nd);
    vfs_unlock();
    return rc;
}

int vfs_mkdirat(struct vfs_file *dirf, const char *path, uint32_t mode)
{
    return do_create(dirf, path, VFS_S_IFDIR | (mode & 07777), 0);
}

int vfs_mknodat(struct vfs_file *dirf, const char *path, uint32_t mode, uint64_t dev)
{
    uint32_t type = mode & VFS_S_IFMT;
    if (type == 0)
        type = VFS_S_IFREG;
    if (type == VFS_S_IFDIR)
        return -EPERM;
    if (type != VFS_S_IFREG && type != VFS_S_IFCHR && type != VFS_S_IFBLK && type != VFS_S_IFIFO &&
        type != VFS_S_IFSOCK)
        return -EINVAL;
    return do_create(dirf, path, type | (mode & 07777), dev);
}

int vfs_symlinkat(const char *target, struct vfs_file *dirf, const char *path)
{
    if (!target)
        return -EFAULT;
    size_t tlen = strnlen(target, VFS_PATH_MAX);
    if (tlen == 0)
        return -ENOENT;
    if (tlen >= VFS_PATH_MAX)
        return -ENAMETOOLONG;
    struct nameidata nd;
    vfs_lock();
    int rc = walk_parent(&nd, dirf, path);
    if (rc == 0)
        rc = create_prep(&nd, false);
    if (rc == 0 && !nd.cur->ops->symlink)
        rc = -EPERM;
    if (rc == 0) {
        uint64_t ino;
        sb_lock(nd.cur->sb);
        rc = nd.cur->ops->symlink(nd.cur, nd.last, target, &ino);
        sb_unlock(nd.cur->sb);
        dcache_invalidate(nd.cur, nd.last, nd.last_len);
        if (rc == 0)
            vfs_notify_create(nd.cur, nd.last, false);
    }
    namei_end(&nd);
    vfs_unlock();
    return rc;
}

static int do_rmdir(struct nameidata *nd)
{
    if (nd->last_type == LAST_DOT)
        return -EINVAL;
    if (nd->last_type == LAST_DOTDOT)
        return -ENOTEMPTY;
    if (nd->last_type == LAST_ROOT)
        return -EBUSY;
    if (sb_rdonly(nd->cur->sb))
        return -EROFS;
    struct vfs_inode *ip;
    int rc = namei_child(nd->cur, nd->last, nd->last_len, &ip);
    if (rc)
        return rc;
    if (!vfs_isdir(ip))
        rc = -ENOTDIR;
    else if (ip->sb != nd->cur->sb || ip->covered_by)
        rc = -EBUSY;
    else if (!nd->cur->ops->rmdir)
        rc = -EPERM;
    if (rc == 0) {
        sb_lock(ip->sb);
        rc = nd->cur->ops->rmdir(nd->cur, nd->last);
        sb_unlock(ip->sb);
    }
    if (rc == 0) {
        dcache_invalidate(nd->cur, nd->last, nd->last_len);
        dcache_purge_dir(ip);
        vfs_notify_remove(nd->cur, ip, nd->last, 1);
    }
    inode_put(ip);
    return rc;
}

static int do_unlink(struct nameidata *nd)
{
    if (nd->last_type != LAST_NORM)
        return -EISDIR;
    if (sb_rdonly(nd->cur->sb))
        return -EROFS;
    struct vfs_inode *ip;
    int rc = namei_child(nd->cur, nd->last, nd->last_len, &ip);
    if (rc)
        return rc;
    if (vfs_isdir(ip))
        rc = -EISDIR;
    else if (nd->trailing)
        rc = -ENOTDIR;
    else if (!nd->cur->ops->unlink)
        rc = -EPERM;
    if (rc == 0) {
        sb_lock(ip->sb);
        rc = nd->cur->ops->unlink(nd->cur, nd->last);
        sb_unlock(ip->sb);
        dcache_invalidate(nd->cur, nd->last, nd->last_len);
        if (rc == 0)
            vfs_notify_remove(nd->cur, ip, nd->last, 1);
    }
    inode_put(ip);
    return rc;
}

int vfs_unlinkat(struct vfs_file *dirf, const char *path, int flags)
{
    if (flags & ~VFS_AT_REMOVEDIR)
        return -EINVAL;
    struct nameidata nd;
    vfs_lock();
    int rc = walk_parent(&nd, dirf, path);
    if (rc == 0)
        rc = (flags & VFS_AT_REMOVEDIR) ? do_rmdir(&nd) : do_unlink(&nd);
    namei_end(&nd);
    vfs_unlock();
    return rc;
}

/* --- rename ------------------------------------------------------------------------------ */

/* Is anc an ancestor of (or equal to) ip inside one sb? (parent links, VFS mutex held) */
static bool is_ancestor(const struct vfs_inode *anc, const struct vfs_inode *ip)
{
    for (; ip; ip = ip->parent)
        if (ip == anc)
            return true;
    return false;
}

static void set_parent(struct vfs_inode *ip, struct vfs_inode *parent)
{
    if (!vfs_isdir(ip) || ip->parent == parent)
        return;
    inode_ref(parent);
    if (ip->parent)
        inode_put(ip->parent);
    ip->parent = parent;
}

struct rename_args {
    struct nameidata *o, *n;
    struct vfs_inode *src, *dst; /* dst may be NULL */
    unsigned flags;
};

/* Everything rename checks once both names are resolved. */
static int rename_check(struct rename_args *r)
{
    struct vfs_inode *odir = r->o->cur, *ndir = r->n->cur;
    bool exchange = r->flags & VFS_RENAME_EXCHANGE;
    if (!r->src)
        return -ENOENT;
    if (exchange && !r->dst)
        return -ENOENT;
    if ((r->flags & VFS_RENAME_NOREPLACE) && r->dst)
        return -EEXIST;
    if (!vfs_isdir(r->src) && (r->o->trailing || r->n->trailing))
        return -ENOTDIR;
    if (exchange && r->dst && !vfs_isdir(r->dst) && (r->o->trailing || r->n->trailing))
        return -ENOTDIR;
    if (r->src == r->dst)
        return 1; /* nothing to do */
    if (is_ancestor(r->src, ndir))
        return -EINVAL;
    if (r->dst && is_ancestor(r->dst, odir))
        return exchange ? -EINVAL : -ENOTEMPTY;
    if (r->src->sb != odir->sb || r->src->covered_by ||
        (r->dst && (r->dst->sb != ndir->sb || r->dst->covered_by)))
        return -EBUSY;
    if (r->dst && !exchange) {
        if (vfs_isdir(r->src) && !vfs_isdir(r->dst))
            return -ENOTDIR;
        if (!vfs_isdir(r->src) && vfs_isdir(r->dst))
            return -EISDIR;
    }
    if (!odir->ops->rename)
        return -EPERM;
    return 0;
}

static int rename_do(struct rename_args *r)
{
    struct vfs_inode *odir = r->o->cur, *ndir = r->n->cur;
    sb_lock(odir->sb);
    int rc = odir->ops->rename(odir, r->o->last, ndir, r->n->last, r->flags);
    sb_unlock(odir->sb);
    dcache_invalidate(odir, r->o->last, r->o->last_len);
    dcache_invalidate(ndir, r->n->last, r->n->last_len);
    if (rc)
        return rc;
    set_parent(r->src, ndir);
    if (r->dst && (r->flags & VFS_RENAME_EXCHANGE))
        set_parent(r->dst, odir);
    else if (r->dst && vfs_isdir(r->dst))
        dcache_purge_dir(r->dst);
    vfs_notify_rename(odir, r->o->last, ndir, r->n->last, r->src, r->dst,
                      r->flags & VFS_RENAME_EXCHANGE);
    return 0;
}

int vfs_renameat2(struct vfs_file *odirf, const char *opath, struct vfs_file *ndirf,
                  const char *npath, unsigned flags)
{
    if (flags & ~(VFS_RENAME_NOREPLACE | VFS_RENAME_EXCHANGE | VFS_RENAME_WHITEOUT))
        return -EINVAL;
    if ((flags & VFS_RENAME_EXCHANGE) && (flags & (VFS_RENAME_NOREPLACE | VFS_RENAME_WHITEOUT)))
        return -EINVAL;
    if (flags & VFS_RENAME_WHITEOUT)
        return -EINVAL; /* no filesystem here supports whiteouts */
    struct nameidata o, n;
    struct rename_args r = {&o, &n, NULL, NULL, flags};
    vfs_lock();
    n.cur = NULL;
    n.buf = n.link = NULL;
    int rc = walk_parent(&o, odirf, opath);
    if (rc == 0)
        rc = walk_parent(&n, ndirf, npath);
    if (rc == 0 && o.last_type != LAST_NORM)
        rc = -EBUSY;
    if (rc == 0 && n.last_type != LAST_NORM)
        rc = (flags & VFS_RENAME_NOREPLACE) ? -EEXIST : -EBUSY;
    if (rc == 0 && o.cur->sb != n.cur->sb)
        rc = -EXDEV;
    if (rc == 0 && sb_rdonly(o.cur->sb))
        rc = -EROFS;
    if (rc == 0)
        rc = last_nofollow(&o, &r.src);
    if (rc == 0)
        rc = last_nofollow(&n, &r.dst);
    if (rc == 0)
        rc = rename_check(&r);
    if (rc == 0)
        rc = rename_do(&r);
    if (rc == 1)
        rc = 0;
    if (r.src)
        inode_put(r.src);
    if (r.dst)
        inode_put(r.dst);
    namei_end(&n);
    namei_end(&o);
    vfs_unlock();
    return rc;
}

/* --- link ----------------------------------------------------------------------------- */

int vfs_linkat(struct vfs_file *odirf, const char *opath, struct vfs_file *ndirf, const char *npath,
               int flags)
{
    if (flags & ~(VFS_AT_SYMLINK_FOLLOW | VFS_AT_EMPTY_PATH))
        return -EINVAL;
    int wflags =
        (flags & VFS_AT_EMPTY_PATH) | (flags & VFS_AT_SYMLINK_FOLLOW ? 0 : VFS_AT_SYMLINK_NOFOLLOW);
    struct vfs_inode *src = NULL;
    struct nameidata n;
    n.cur = NULL;
    n.buf = n.link = NULL;
    vfs_lock();
    int rc = namei_path(odirf, opath, wflags, &src);
    if (rc == 0)
        rc = walk_parent(&n, ndirf, npath);
    if (rc == 0)
        rc = create_prep(&n, false);
    if (rc == 0 && src->sb != n.cur->sb)
        rc = -EXDEV;
    if (rc == 0 && vfs_isdir(src))
        rc = -EPERM;
    if (rc == 0 && !n.cur->ops->link)
        rc = -EPERM;
    if (rc == 0) {
        sb_lock(src->sb);
        rc = n.cur->ops->link(n.cur, n.last, src);
        sb_unlock(src->sb);
        dcache_invalidate(n.cur, n.last, n.last_len);
        if (rc == 0)
            vfs_notify_link(n.cur, src, n.last);
    }
    if (src)
        inode_put(src);
    namei_end(&n);
    vfs_unlock();
    return rc;
}
