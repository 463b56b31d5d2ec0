/*
 * namei.c - path walk.
 *
 * The remaining path lives in one buffer (nd->buf: nd->small when it fits, so the common
 * short path costs no kmalloc; a longer one or a spliced link is kmalloc'ed). A symlink met on the way is spliced in
 * place: the buffer becomes target + "/" + rest, and the walk goes on from the link's
 * directory (or from "/" for an absolute target). That keeps the walk iterative; the 40-link
 * limit (ELOOP) counts every link followed in one walk, as Linux does.
 *
 *   namei_start   validate lengths, pick the starting directory (dirf, cwd, or "/")
 *   namei_parent  walk every component but the last; the last is left in nd->last
 *   namei_last    resolve the last component, following a final symlink on request
 *
 * ".." never climbs above "/" and leaves a mounted filesystem through the directory it
 * covers; a lookup that lands on a covered directory continues in the root of what is
 * mounted there. Everything runs with the VFS mutex held; nd->cur always holds a reference.
 */
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "fs/vfs/vfs_internal.h"
#include "hal/hal_errno.h"

struct vfs_inode *namei_root(void)
{
    return vfs.root_sb ? vfs.root_sb->root : NULL;
}

static void nd_set(struct nameidata *nd, struct vfs_inode *ip)
{
    inode_ref(ip);
    inode_put(nd->cur);
    nd->cur = ip;
}

/* Follow mounts stacked on ip; consumes the reference and returns one on the top root. */
static struct vfs_inode *cross_mounts(struct vfs_inode *ip)
{
    while (ip->covered_by) {
        struct vfs_inode *r = ip->covered_by->root;
        inode_ref(r);
        inode_put(ip);
        ip = r;
    }
    return ip;
}

int namei_child(struct vfs_inode *dir, const char *name, size_t len, struct vfs_inode **out)
{
    struct vfs_inode *ip = NULL;
    if (!dcache_lookup(dir, name, len, &ip)) {
        char nbuf[VFS_NAME_MAX + 1];
        memcpy(nbuf, name, len);
        nbuf[len] = 0;
        uint64_t ino = 0;
        int rc = -ENOTDIR;
        if (dir->ops->lookup) {
            sb_lock(dir->sb);
            rc = dir->ops->lookup(dir, nbuf, &ino);
            sb_unlock(dir->sb);
        }
        if (rc == -ENOENT) {
            dcache_insert(dir, name, len, NULL);
            return -ENOENT;
        }
        if (rc)
            return rc;
        rc = inode_get(dir->sb, ino, &ip);
        if (rc)
            return rc;
        if (vfs_isdir(ip) && !ip->parent && ip != dir->sb->root) {
            inode_ref(dir);
            ip->parent = dir;
        }
        dcache_insert(dir, name, len, ip);
    }
    if (!ip)
        return -ENOENT;
    *out = cross_mounts(ip);
    return 0;
}

/* ".." of nd->cur: stays at "/", leaves mounted roots through the covered directory. */
static void walk_dotdot(struct nameidata *nd)
{
    struct vfs_inode *root = namei_root();
    struct vfs_inode *ip = nd->cur;
    while (ip != root && ip == ip->sb->root && ip->sb->mountpoint)
        ip = ip->sb->mountpoint;
    if (ip != root && ip->parent)
        ip = ip->parent;
    nd_set(nd, ip);
}

int namei_start(struct nameidata *nd, struct vfs_file *dirf, const char *path, bool empty_ok)
{
    nd->cur = NULL;
    nd->buf = nd->link = NULL;
    nd->nlinks = 0;
    if (!path)
        return -EFAULT;
    size_t len = strnlen(path, VFS_PATH_MAX);
    if (len >= VFS_PATH_MAX)
        return -ENAMETOOLONG;
    if (len == 0 && !empty_ok)
        return -ENOENT;
    if (!namei_root())
        return -ENOENT;
    /* The link scratch buffer comes with the first link. */
    nd->buf = len < sizeof(nd->small) ? nd->small : kmalloc(len + 1);
    if (!nd->buf)
        return -ENOMEM;
    memcpy(nd->buf, path, len + 1);
    struct vfs_inode *start;
    if (path[0] == '/' || !dirf)
        start = namei_root();
    else
        start = dirf->inode;
    inode_ref(start);
    nd->cur = start;
    nd->pos = nd->buf;
    if (path[0] != '/' && len > 0 && !vfs_isdir(start))
        return -ENOTDIR;
    return 0;
}

static void free_buf(struct nameidata *nd)
{
    if (nd->buf != nd->small)
        kfree(nd->buf);
}

void namei_end(struct nameidata *nd)
{
    if (nd->cur)
        inode_put(nd->cur);
    free_buf(nd);
    kfree(nd->link);
    nd->cur = NULL;
    nd->buf = nd->link = NULL;
}

/*
 * Replace the remaining path with target + "/" + rest, in a new buffer of the right size
 * (rest points into the old one, which goes only after the copy).
 */
static int splice_link(struct nameidata *nd, const char *target, size_t tlen, const char *rest)
{
    size_t rlen = strlen(rest);
    if (tlen == 0)
        return -ENOENT;
    if (tlen + 1 + rlen + 1 > NAMEI_BUF)
        return -ENAMETOOLONG;
    char *nb = kmalloc(tlen + 1 + rlen + 1);
    if (!nb)
        return -ENOMEM;
    memcpy(nb, target, tlen);
    nb[tlen] = rlen ? '/' : 0;
    memcpy(nb + tlen + 1, rest, rlen + 1);
    free_buf(nd);
    nd->buf = nd->pos = nb;
    return 0;
}

/* Read ip's target into nd->link and splice it before rest; move to "/" if absolute. */
static int follow_link(struct nameidata *nd, struct vfs_inode *ip, const char *rest)
{
    if (++nd->nlinks > VFS_SYMLOOP_MAX)
        return -ELOOP;
    if (!ip->ops->readlink)
        return -EINVAL;
    if (!nd->link && !(nd->link = kmalloc(VFS_PATH_MAX)))
        return -ENOMEM;
    sb_lock(ip->sb);
    long n = ip->ops->readlink(ip, nd->link, VFS_PATH_MAX);
    sb_unlock(ip->sb);
    if (n < 0)
        return (int)n;
    if (n >= VFS_PATH_MAX)
        return -ENAMETOOLONG;
    nd->link[n] = 0;
    int rc = splice_link(nd, nd->link, (size_t)n, rest);
    if (rc)
        return rc;
    if (nd->link[0] == '/')
        nd_set(nd, namei_root());
    return 0;
}

static void set_last(struct nameidata *nd, const char *c, size_t len)
{
    memcpy(nd->last, c, len);
    nd->last[len] = 0;
    nd->last_len = len;
    if (len == 1 && c[0] == '.')
        nd->last_type = LAST_DOT;
    else if (len == 2 && c[0] == '.' && c[1] == '.')
        nd->last_type = LAST_DOTDOT;
    else
        nd->last_type = LAST_NORM;
}

/* One intermediate component c (len bytes) with rest after it: step into it (or splice the
 * symlink it names). */
static int walk_component(struct nameidata *nd, const char *c, size_t len, const char *rest)
{
    nd->pos = (char *)rest;
    if (len == 1 && c[0] == '.')
        return 0;
    if (len == 2 && c[0] == '.' && c[1] == '.') {
        walk_dotdot(nd);
        return 0;
    }
    struct vfs_inode *ip;
    int rc = namei_child(nd->cur, c, len, &ip);
    if (rc)
        return rc;
    if (vfs_islnk(ip)) {
        rc = follow_link(nd, ip, rest);
        inode_put(ip);
        return rc;
    }
    if (!vfs_isdir(ip)) {
        inode_put(ip);
        return -ENOTDIR;
    }
    inode_put(nd->cur);
    nd->cur = ip;
    return 0;
}

int namei_parent(struct nameidata *nd)
{
    for (;;) {
        char *p = nd->pos;
        while (*p == '/')
            p++;
        if (*p == 0) {
            /* "/" or nothing left: the walk names nd->cur itself */
            nd->last[0] = 0;
            nd->last_len = 0;
            nd->last_type = LAST_ROOT;
            nd->trailing = true;
            return 0;
        }
        char *c = p;
        while (*p && *p != '/')
            p++;
        size_t len = (size_t)(p - c);
        if (len > VFS_NAME_MAX)
            return -ENAMETOOLONG;
        char *q = p;
        while (*q == '/')
            q++;
        if (*q == 0) {
            set_last(nd, c, len);
            nd->trailing = *p == '/';
            nd->pos = q;
            return 0;
        }
        int rc = walk_component(nd, c, len, q);
        if (rc)
            return rc;
    }
}

int namei_follow_last(struct nameidata *nd, struct vfs_inode *lnk)
{
    return follow_link(nd, lnk, nd->trailing ? "/" : "");
}

int namei_last(struct nameidata *nd, bool follow, struct vfs_inode **out)
{
    for (;;) {
        struct vfs_inode *ip;
        if (nd->last_type == LAST_NORM) {
            int rc = namei_child(nd->cur, nd->last, nd->last_len, &ip);
            if (rc == -ENOENT) {
                *out = NULL;
                return 0;
            }
            if (rc)
                return rc;
        } else {
            if (nd->last_type == LAST_DOTDOT)
                walk_dotdot(nd);
            ip = nd->cur;
            inode_ref(ip);
        }
        if (vfs_islnk(ip) && (follow || nd->trailing)) {
            int rc = follow_link(nd, ip, nd->trailing ? "/" : "");
            inode_put(ip);
            if (rc == 0)
                rc = namei_parent(nd);
            if (rc)
                return rc;
            continue;
        }
        if (nd->trailing && !vfs_isdir(ip)) {
            inode_put(ip);
            return -ENOTDIR;
        }
        *out = ip;
        return 0;
    }
}

int namei_path_nd(struct nameidata *nd, struct vfs_file *dirf, const char *path, int flags,
                  struct vfs_inode **out)
{
    bool empty_ok = flags & VFS_AT_EMPTY_PATH;
    int rc = namei_start(nd, dirf, path, empty_ok);
    nd->last_type = LAST_ROOT; /* no last name until the walk has one */
    if (rc == 0 && path[0] == 0) {
        inode_ref(nd->cur);
        *out = nd->cur;
        return 0;
    }
    if (rc == 0)
        rc = namei_parent(nd);
    struct vfs_inode *ip = NULL;
    if (rc == 0)
        rc = namei_last(nd, !(flags & VFS_AT_SYMLINK_NOFOLLOW), &ip);
    if (rc == 0 && !ip)
        rc = -ENOENT;
    if (rc == 0)
        *out = ip;
    return rc;
}

int namei_path(struct vfs_file *dirf, const char *path, int flags, struct vfs_inode **out)
{
    struct nameidata nd;
    int rc = namei_path_nd(&nd, dirf, path, flags, out);
    namei_end(&nd);
    return rc;
}
