/*
 * namei.c - the namespace: lookup, create, symlink, link, unlink, rmdir, rename, readdir.
 *
 * Each operation first checks everything that can fail with an errno (decode), then opens
 * one record and applies its ops (execute): one record per operation, so a rename, with its
 * two entries, the link counts and the replaced inode, is atomic on disk.
 */
#include "core/lib/kstring.h"
#include "fs/tfs/tfs_internal.h"
#include "hal/hal_errno.h"

#define INODE_OP (TFS_OP_HDR + TFS_OP_INODE_LEN)
#define NAME_OP (TFS_OP_HDR + 16 + TFS_NAME_MAX)

static int get_dir(struct tfs_vol *v, uint64_t ino, struct tfs_inode **dp)
{
    *dp = tfs_iget(v, ino);
    if (!*dp)
        return -ENOENT;
    return tfs_is_type(*dp, TFS_S_IFDIR) ? 0 : -ENOTDIR;
}

int tfs_lookup(struct tfs_vol *v, uint64_t dir, const char *name, size_t len, uint64_t *ino)
{
    struct tfs_inode *dp;
    int err = get_dir(v, dir, &dp);
    if (err)
        return err;
    if (len == 1 && name[0] == '.') {
        *ino = dir;
        return 0;
    }
    if (len == 2 && name[0] == '.' && name[1] == '.') {
        *ino = dir == TFS_ROOT_INO || !dp->u.dir->parent ? dir : dp->u.dir->parent;
        return 0;
    }
    if ((err = tfs_check_name(name, len)))
        return err == -EINVAL ? -ENOENT : err;
    struct tfs_dirent *de = tfs_dir_find(dp->u.dir, name, len);
    if (!de)
        return -ENOENT;
    *ino = de->ino;
    return 0;
}

/* Checks shared by everything that adds a name to dir. */
static int new_name_ok(struct tfs_vol *v, uint64_t dir, const char *name, size_t len,
                       struct tfs_inode **dp)
{
    int err = tfs_writable(v);
    if (err || (err = get_dir(v, dir, dp)) || (err = tfs_check_name(name, len)))
        return err;
    if ((*dp)->nlink == 0)
        return -ENOENT; /* removed directory */
    if (tfs_dir_find((*dp)->u.dir, name, len))
        return -EEXIST;
    return 0;
}

static void touch_dir(struct tfs_vol *v, struct tfs_inode *dp, int64_t now)
{
    dp->mtime = dp->ctime = now;
}

static int make_node(struct tfs_vol *v, uint64_t dir, const char *name, size_t len,
                     struct tfs_inode *tmpl, const char *target, size_t tlen, uint64_t *out)
{
    struct tfs_inode *dp;
    uint64_t ino;
    int err = new_name_ok(v, dir, name, len, &dp);
    bool isdir = tfs_is_type(tmpl, TFS_S_IFDIR);
    if (err)
        return err;
    if (isdir && dp->nlink >= TFS_LINK_MAX)
        return -EMLINK;
    if ((err = tfs_ino_alloc(v, &ino)))
        return err;
    if ((err = tfs_txn_begin(v, 2 * INODE_OP + NAME_OP + TFS_OP_HDR + 8 + tlen, false)))
        return err;
    int64_t now = tfs_now(v);
    tmpl->atime = tmpl->mtime = tmpl->ctime = now;
    tmpl->nlink = isdir ? 2 : 1;
    if ((err = tfs_op_inode_new(v, ino, tmpl)))
        goto abort;
    if (target && (err = tfs_op_symlink(v, ino, target, tlen)))
        goto abort;
    if ((err = tfs_op_link(v, dir, ino, name, len)))
        goto abort;
    touch_dir(v, dp, now);
    if (isdir)
        dp->nlink++;
    if ((err = tfs_op_inode(v, dir)))
        goto abort;
    *out = ino;
    return tfs_txn_end(v);
abort:
    tfs_txn_abort(v);
    return err;
}

int tfs_create(struct tfs_vol *v, uint64_t dir, const char *name, size_t len, uint32_t mode,
               uint32_t uid, uint32_t gid, uint64_t rdev, uint64_t *ino)
{
    struct tfs_inode t = {0};
    switch (mode & TFS_S_IFMT) {
    case TFS_S_IFREG: case TFS_S_IFDIR: case TFS_S_IFIFO: case TFS_S_IFSOCK:
    case TFS_S_IFCHR: case TFS_S_IFBLK:
        break;
    default:
        return -EINVAL;
    }
    t.mode = mode & (TFS_S_IFMT | 07777);
    t.uid = uid;
    t.gid = gid;
    if (tfs_is_type(&t, TFS_S_IFCHR) || tfs_is_type(&t, TFS_S_IFBLK))
        t.u.rdev = rdev;
    return make_node(v, dir, name, len, &t, NULL, 0, ino);
}

int tfs_symlink(struct tfs_vol *v, uint64_t dir, const char *name, size_t len,
                const char *target, size_t tlen, uint32_t uid, uint32_t gid, uint64_t *ino)
{
    struct tfs_inode t = {0};
    if (tlen == 0 || !target)
        return -ENOENT;
    if (tlen >= TFS_PATH_MAX)
        return -ENAMETOOLONG;
    t.mode = TFS_S_IFLNK | 0777;
    t.uid = uid;
    t.gid = gid;
    return make_node(v, dir, name, len, &t, target, tlen, ino);
}

int tfs_readlink(struct tfs_vol *v, uint64_t ino, char *buf, size_t size)
{
    struct tfs_inode *ip = tfs_iget(v, ino);
    if (!ip)
        return -ENOENT;
    if (!tfs_is_type(ip, TFS_S_IFLNK))
        return -EINVAL;
    if (size)
        memcpy(buf, ip->u.symlink, size < ip->size ? size : ip->size);
    return (int)ip->size;
}

int tfs_link(struct tfs_vol *v, uint64_t ino, uint64_t dir, const char *name, size_t len)
{
    struct tfs_inode *dp, *ip = tfs_iget(v, ino);
    int err = new_name_ok(v, dir, name, len, &dp);
    if (err)
        return err;
    if (!ip)
        return -ENOENT;
    if (tfs_is_type(ip, TFS_S_IFDIR))
        return -EPERM;
    if (ip->nlink >= TFS_LINK_MAX)
        return -EMLINK;
    if (ip->nlink == 0)
        return -ENOENT; /* linkat of an unlinked open file */
    if ((err = tfs_txn_begin(v, 2 * INODE_OP + NAME_OP, false)))
        return err;
    int64_t now = tfs_now(v);
    ip->nlink++;
    ip->ctime = now;
    touch_dir(v, dp, now);
    if ((err = tfs_op_inode(v, ino)) || (err = tfs_op_link(v, dir, ino, name, len)) ||
        (err = tfs_op_inode(v, dir))) {
        tfs_txn_abort(v);
        return err;
    }
    return tfs_txn_end(v);
}

/* Drop one link of ino (already unlinked from its directory): free it or log its count. */
static int drop_link(struct tfs_vol *v, uint64_t ino, struct tfs_inode *ip, int64_t now)
{
    if (tfs_is_type(ip, TFS_S_IFDIR))
        ip->nlink = 0;
    else if (ip->nlink)
        ip->nlink--;
    ip->ctime = now;
    if (ip->nlink == 0 && ip->holds == 0)
        return tfs_op_free(v, ino);
    return tfs_op_inode(v, ino);
}

static int remove_entry(struct tfs_vol *v, uint64_t dir, const char *name, size_t len,
                        bool rmdir)
{
    struct tfs_inode *dp;
    int err = tfs_writable(v);
    if (err || (err = get_dir(v, dir, &dp)))
        return err;
    if (rmdir && len == 1 && name[0] == '.')
        return -EINVAL;
    if (rmdir && len == 2 && name[0] == '.' && name[1] == '.')
        return -ENOTEMPTY;
    if ((err = tfs_check_name(name, len)))
        return err;
    struct tfs_dirent *de = tfs_dir_find(dp->u.dir, name, len);
    if (!de)
        return -ENOENT;
    uint64_t ino = de->ino;
    struct tfs_inode *ip = tfs_iget(v, ino);
    bool isdir = tfs_is_type(ip, TFS_S_IFDIR);
    if (!rmdir && isdir)
        return -EISDIR;
    if (rmdir && !isdir)
        return -ENOTDIR;
    if (rmdir && ip->u.dir->nentries)
        return -ENOTEMPTY;
    if ((err = tfs_txn_begin(v, 2 * INODE_OP + NAME_OP, true)))
        return err;
    int64_t now = tfs_now(v);
    if ((err = tfs_op_unlink(v, dir, name, len)) || (err = drop_link(v, ino, ip, now)))
        goto abort;
    touch_dir(v, dp, now);
    if (isdir)
        dp->nlink--;
    if ((err = tfs_op_inode(v, dir)))
        goto abort;
    return tfs_txn_end(v);
abort:
    tfs_txn_abort(v);
    return err;
}

int tfs_unlink(struct tfs_vol *v, uint64_t dir, const char *name, size_t len)
{
    return remove_entry(v, dir, name, len, false);
}

int tfs_rmdir(struct tfs_vol *v, uint64_t dir, const char *name, size_t len)
{
    return remove_entry(v, dir, name, len, true);
}

/* Is directory a equal to b or below it? */
static bool is_under(struct tfs_vol *v, uint64_t a, uint64_t b)
{
    for (uint64_t steps = 0; steps <= v->ninodes; steps++) {
        if (a == b)
            return true;
        if (a == TFS_ROOT_INO)
            return false;
        struct tfs_inode *ip = tfs_iget(v, a);
        if (!ip || !tfs_is_type(ip, TFS_S_IFDIR) || !ip->u.dir->parent)
            return false;
        a = ip->u.dir->parent;
    }
    return true; /* a loop: refuse */
}

struct rn {
    uint64_t od, nd, sino, tino;
    struct tfs_inode *odp, *ndp, *sp, *tp;
    const char *on, *nn;
    size_t ol, nl;
};

/*
 * Linux's lock_rename trap comes before every type check: a source that is an ancestor of
 * the new directory is -EINVAL; a target that is an ancestor of the old directory is
 * -ENOTEMPTY (-EINVAL for an exchange), whatever the source's type.
 */
static int rename_trap(struct tfs_vol *v, const struct rn *r, unsigned flags)
{
    if (r->od == r->nd)
        return 0;
    if (tfs_is_type(r->sp, TFS_S_IFDIR) && is_under(v, r->nd, r->sino))
        return -EINVAL;
    if (r->tp && tfs_is_type(r->tp, TFS_S_IFDIR) && is_under(v, r->od, r->tino))
        return (flags & TFS_RENAME_EXCHANGE) ? -EINVAL : -ENOTEMPTY;
    return 0;
}

static int rename_check(struct tfs_vol *v, struct rn *r, unsigned flags)
{
    bool sdir = tfs_is_type(r->sp, TFS_S_IFDIR);
    bool tdir = r->tp && tfs_is_type(r->tp, TFS_S_IFDIR);
    int err = rename_trap(v, r, flags);
    if (err)
        return err;
    if (flags & TFS_RENAME_EXCHANGE) {
        if (sdir != tdir && r->od != r->nd &&
            ((sdir ? r->ndp : r->odp)->nlink >= TFS_LINK_MAX))
            return -EMLINK;
        return 0;
    }
    if (r->tp) {
        if (sdir && !tdir)
            return -ENOTDIR;
        if (!sdir && tdir)
            return -EISDIR;
        if (tdir && r->tp->u.dir->nentries)
            return -ENOTEMPTY;
    }
    if (sdir && !tdir && r->od != r->nd && r->ndp->nlink >= TFS_LINK_MAX)
        return -EMLINK;
    return 0;
}

static int rename_exchange(struct tfs_vol *v, struct rn *r, int64_t now)
{
    bool sdir = tfs_is_type(r->sp, TFS_S_IFDIR), tdir = tfs_is_type(r->tp, TFS_S_IFDIR);
    int err;
    if ((err = tfs_op_unlink(v, r->od, r->on, r->ol)) ||
        (err = tfs_op_unlink(v, r->nd, r->nn, r->nl)) ||
        (err = tfs_op_link(v, r->od, r->tino, r->on, r->ol)) ||
        (err = tfs_op_link(v, r->nd, r->sino, r->nn, r->nl)))
        return err;
    if (r->od != r->nd && sdir != tdir) {
        struct tfs_inode *gain = sdir ? r->ndp : r->odp, *lose = sdir ? r->odp : r->ndp;
        gain->nlink++;
        lose->nlink--;
    }
    r->sp->ctime = r->tp->ctime = now;
    if ((err = tfs_op_inode(v, r->sino)) || (err = tfs_op_inode(v, r->tino)))
        return err;
    return 0;
}

static int rename_move(struct tfs_vol *v, struct rn *r, int64_t now)
{
    bool sdir = tfs_is_type(r->sp, TFS_S_IFDIR);
    int err;
    if (r->tp) {
        if ((err = tfs_op_unlink(v, r->nd, r->nn, r->nl)))
            return err;
        if (tfs_is_type(r->tp, TFS_S_IFDIR))
            r->ndp->nlink--; /* the replaced directory's ".." */
        if ((err = drop_link(v, r->tino, r->tp, now)))
            return err;
    }
    if ((err = tfs_op_unlink(v, r->od, r->on, r->ol)) ||
        (err = tfs_op_link(v, r->nd, r->sino, r->nn, r->nl)))
        return err;
    if (sdir && r->od != r->nd) {
        r->odp->nlink--;
        r->ndp->nlink++;
    }
    r->sp->ctime = now;
    return tfs_op_inode(v, r->sino);
}

int tfs_rename(struct tfs_vol *v, uint64_t od, const char *on, size_t ol, uint64_t nd,
               const char *nn, size_t nl, unsigned flags)
{
    struct rn r = {od, nd, 0, 0, NULL, NULL, NULL, NULL, on, nn, ol, nl};
    int err = tfs_writable(v);
    if (err)
        return err;
    if ((flags & ~(TFS_RENAME_NOREPLACE | TFS_RENAME_EXCHANGE)) ||
        flags == (TFS_RENAME_NOREPLACE | TFS_RENAME_EXCHANGE))
        return -EINVAL;
    if ((err = get_dir(v, od, &r.odp)) || (err = get_dir(v, nd, &r.ndp)) ||
        (err = tfs_check_name(on, ol)) || (err = tfs_check_name(nn, nl)))
        return err;
    struct tfs_dirent *sde = tfs_dir_find(r.odp->u.dir, on, ol);
    struct tfs_dirent *tde = tfs_dir_find(r.ndp->u.dir, nn, nl);
    if (!sde || ((flags & TFS_RENAME_EXCHANGE) && !tde))
        return -ENOENT;
    if (tde && (flags & TFS_RENAME_NOREPLACE))
        return -EEXIST;
    if (r.ndp->nlink == 0)
        return -ENOENT;
    r.sino = sde->ino;
    r.sp = tfs_iget(v, r.sino);
    if (tde) {
        r.tino = tde->ino;
        r.tp = tfs_iget(v, r.tino);
        if (r.tino == r.sino)
            return 0; /* two names of one inode: rename(2) does nothing */
    }
    if ((err = rename_check(v, &r, flags)))
        return err;
    if ((err = tfs_txn_begin(v, 6 * INODE_OP + 4 * NAME_OP, r.tp != NULL)))
        return err;
    int64_t now = tfs_now(v);
    err = flags & TFS_RENAME_EXCHANGE ? rename_exchange(v, &r, now) : rename_move(v, &r, now);
    if (err)
        goto abort;
    touch_dir(v, r.odp, now);
    touch_dir(v, r.ndp, now);
    if ((err = tfs_op_inode(v, od)) || (od != nd && (err = tfs_op_inode(v, nd))))
        goto abort;
    return tfs_txn_end(v);
abort:
    tfs_txn_abort(v);
    return err;
}

int tfs_readdir(struct tfs_vol *v, uint64_t dir, uint64_t *cookie, tfs_filldir_fn *fn,
                void *arg)
{
    struct tfs_inode *dp;
    int err = get_dir(v, dir, &dp);
    if (err)
        return err;
    struct tfs_dir *d = dp->u.dir;
    uint64_t pos = *cookie;
    if (pos == 0) {
        if (fn(arg, ".", 1, dir, TFS_DT_DIR, 1))
            return 0;
        *cookie = pos = 1;
    }
    if (pos == 1) {
        uint64_t par = dir == TFS_ROOT_INO || !d->parent ? dir : d->parent;
        if (fn(arg, "..", 2, par, TFS_DT_DIR, 2))
            return 0;
        *cookie = pos = 2;
    }
    for (; pos - 2 < d->nslots; pos++) {
        struct tfs_dirent *de = tfs_dir_slot(d, (uint32_t)(pos - 2));
        if (!de)
            continue;
        if (fn(arg, de->name, de->namelen, de->ino, de->dtype, pos + 1)) {
            *cookie = pos;
            return 0;
        }
    }
    *cookie = pos;
    return 0;
}
