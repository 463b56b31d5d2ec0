/*
 * check.c - cross-reference checks over the in-memory state after replay: every entry names
 * a live inode, link counts match the entries, every directory is reachable from the root,
 * symlinks have targets. Mount runs it and refuses a volume with any problem; fsck runs it
 * with repair to fix what it safely can (dangling entries are dropped, link counts set,
 * unreachable inodes moved to /lost+found).
 *
 * Link counts are recounted in the holds field, which is zero right after replay (nothing
 * is open yet) and zeroed again before returning.
 */
#include "core/lib/alloc.h"
#include "core/lib/kprintf.h"
#include "core/lib/kstring.h"
#include "fs/tfs/tfs_internal.h"
#include "hal/hal_errno.h"

#define WALK 8u /* inode flags local to this file */
#define BAD 16u

static uint64_t problem(struct tfs_vol *v, uint64_t *count)
{
    v->problems++;
    return ++*count;
}

static void fix_inode(struct tfs_vol *v, uint64_t ino)
{
    if (tfs_txn_begin(v, TFS_OP_HDR + TFS_OP_INODE_LEN, true) == 0) {
        if (tfs_op_inode(v, ino))
            tfs_txn_abort(v);
        else
            tfs_txn_end(v);
    }
}

static int lost_found(struct tfs_vol *v, uint64_t *lf)
{
    int err = tfs_lookup(v, TFS_ROOT_INO, "lost+found", 10, lf);
    if (err == -ENOENT)
        err = tfs_create(v, TFS_ROOT_INO, "lost+found", 10, TFS_S_IFDIR | 0700, 0, 0, 0, lf);
    return err;
}

/* Link ino into /lost+found as "#ino"; for a directory, after detaching it. */
static void reattach(struct tfs_vol *v, uint64_t ino, struct tfs_inode *ip)
{
    uint64_t lf;
    char name[32];
    int n = ksnprintf(name, sizeof(name), "#%llu", (unsigned long long)ino);
    if (lost_found(v, &lf) || tfs_txn_begin(v, 4 * (TFS_OP_HDR + TFS_OP_INODE_LEN) + 600, true))
        return;
    struct tfs_inode *lp = tfs_iget(v, lf);
    int err = 0;
    if (tfs_is_type(ip, TFS_S_IFDIR)) {
        uint64_t par = ip->u.dir->parent;
        struct tfs_inode *pp = tfs_iget(v, par);
        for (uint32_t s = 0; pp && s < pp->u.dir->nslots && !err; s++) {
            struct tfs_dirent *de = tfs_dir_slot(pp->u.dir, s);
            if (de && de->ino == ino)
                err = tfs_op_unlink(v, par, de->name, de->namelen);
        }
        if (!err && pp && pp->nlink > 2) {
            pp->nlink--;
            err = tfs_op_inode(v, par);
        }
        lp->nlink++; /* ip's own count: set by the caller (it moves, or gains its entry) */
        if (!err)
            err = tfs_op_inode(v, lf);
    } else {
        ip->nlink = 1;
    }
    if (!err)
        err = tfs_op_inode(v, ino);
    if (!err)
        err = tfs_op_link(v, lf, ino, name, (size_t)n);
    if (err)
        tfs_txn_abort(v);
    else
        tfs_txn_end(v);
}

/* Remove an entry that names a missing inode (a FREE applied after its UNLINK was lost). */
static void drop_entry(struct tfs_vol *v, uint64_t dir, struct tfs_dirent *de)
{
    if (tfs_txn_begin(v, TFS_OP_HDR + 8 + TFS_NAME_MAX, true))
        return;
    if (tfs_op_unlink(v, dir, de->name, de->namelen))
        tfs_txn_abort(v);
    else
        tfs_txn_end(v);
}

static uint64_t check_entries(struct tfs_vol *v, bool repair, uint64_t *count)
{
    struct tfs_iter it = {.v = v};
    struct tfs_inode *dp;
    while ((dp = tfs_iter_next(&it))) { /* drop_entry changes entries, not the inode table */
        uint64_t ino = it.ino;
        if (!tfs_is_type(dp, TFS_S_IFDIR))
            continue;
        for (uint32_t s = 0; s < dp->u.dir->nslots; s++) {
            struct tfs_dirent *de = tfs_dir_slot(dp->u.dir, s);
            if (!de)
                continue;
            struct tfs_inode *ip = tfs_iget(v, de->ino);
            if (!ip) { /* cannot happen after a replay that checks LINK ops; kept for safety */
                tfs_report(v, "directory %llu: entry '%.*s' names missing inode %llu",
                           (unsigned long long)ino, de->namelen, de->name,
                           (unsigned long long)de->ino);
                problem(v, count);
                if (repair)
                    drop_entry(v, ino, de);
                continue;
            }
            ip->holds++;
            if (tfs_is_type(ip, TFS_S_IFDIR))
                dp->holds++; /* the child's ".." */
        }
    }
    return *count;
}

/* Is directory ino reachable from the root through parent links? Memoised in flags. */
static bool reachable(struct tfs_vol *v, uint64_t ino)
{
    uint64_t cur = ino, steps = 0;
    bool ok = false;
    for (;;) {
        struct tfs_inode *ip = tfs_iget(v, cur);
        if (!ip || !tfs_is_type(ip, TFS_S_IFDIR) || (ip->flags & (BAD | WALK)) ||
            steps++ > v->ninodes)
            break;
        if (cur == TFS_ROOT_INO || (ip->flags & TFS_I_SEEN)) {
            ok = true;
            break;
        }
        ip->flags |= WALK;
        cur = ip->u.dir->parent;
    }
    for (cur = ino;;) { /* mark the walked path with the verdict */
        struct tfs_inode *ip = tfs_iget(v, cur);
        if (!ip || !(ip->flags & WALK))
            break;
        ip->flags = (ip->flags & ~WALK) | (ok ? TFS_I_SEEN : BAD);
        cur = ip->u.dir->parent;
    }
    return ok;
}

/* The first written extent reaching past block first, or NULL. */
static struct tfs_ext *written_past(struct tfs_inode *ip, uint64_t first)
{
    for (uint32_t i = 0; i < ip->u.ext.n; i++) {
        struct tfs_ext *e = &tfs_ext_array(ip)[i];
        if (!(e->flags & TFS_EXT_UNWRITTEN) && e->lblk + e->len > first)
            return e;
    }
    return NULL;
}

/* No written block may lie wholly past a regular file's size (docs/tfs-format.md 5). */
static void check_size(struct tfs_vol *v, uint64_t ino, struct tfs_inode *ip, bool repair,
                       uint64_t *count)
{
    uint64_t first = (ip->size + TFS_BLOCK_SIZE - 1) / TFS_BLOCK_SIZE;
    struct tfs_ext *e = written_past(ip, first);
    if (!e)
        return;
    tfs_report(v, "inode %llu: written blocks at file block %llu lie past the size %llu",
               (unsigned long long)ino, (unsigned long long)(e->lblk > first ? e->lblk : first),
               (unsigned long long)ip->size);
    problem(v, count);
    /* repair: punch every such extent (each punch shrinks the array) */
    for (uint32_t n = ip->u.ext.n + 1; repair && e && n; n--, e = written_past(ip, first)) {
        uint64_t from = e->lblk > first ? e->lblk : first, len = e->lblk + e->len - from;
        if (tfs_txn_begin(v, 64, true))
            return;
        if (tfs_op_punch(v, ino, from, len))
            tfs_txn_abort(v);
        else
            tfs_txn_end(v);
    }
}

static void check_inode(struct tfs_vol *v, uint64_t ino, struct tfs_inode *ip, bool repair,
                        uint64_t *count)
{
    uint32_t expect = ip->holds;
    if (tfs_is_type(ip, TFS_S_IFDIR))
        expect += ino == TFS_ROOT_INO ? 2 : 1;
    if (tfs_is_type(ip, TFS_S_IFREG))
        check_size(v, ino, ip, repair, count);
    if (tfs_is_type(ip, TFS_S_IFLNK) && !ip->u.symlink) {
        tfs_report(v, "inode %llu: symlink without a target", (unsigned long long)ino);
        problem(v, count);
        if (repair && tfs_txn_begin(v, 64, true) == 0) {
            if (tfs_op_symlink(v, ino, "?", 1))
                tfs_txn_abort(v);
            else
                tfs_txn_end(v);
        }
    }
    /* a directory's holds also count its subdirectories' "..": its entry sets its parent */
    bool dir = tfs_is_type(ip, TFS_S_IFDIR);
    if ((dir ? !ip->u.dir->parent : ip->holds == 0) && ino != TFS_ROOT_INO) {
        if (ip->nlink == 0 && ip->holds == 0)
            return; /* unlinked while open before a crash: freed by a read-write mount */
        tfs_report(v, "inode %llu: no directory entry (link count %u)",
                   (unsigned long long)ino, ip->nlink);
        problem(v, count);
        if (repair) {
            ip->nlink = expect + 1; /* with its entry in /lost+found */
            reattach(v, ino, ip);
        }
        return;
    }
    if (ip->nlink != expect) {
        tfs_report(v, "inode %llu: link count %u, expected %u", (unsigned long long)ino,
                   ip->nlink, expect);
        problem(v, count);
        if (repair) {
            ip->nlink = expect;
            fix_inode(v, ino);
        }
    }
}

/*
 * Check the whole tree; with repair (read-write volume) fix what can be fixed. Returns the
 * number of problems found.
 */
int tfs_check_tree(struct tfs_vol *v, bool repair)
{
    uint64_t count = 0, high = v->ino_high; /* repairs may create /lost+found: not checked */
    struct tfs_iter it = {.v = v};
    struct tfs_inode *ip;
    check_entries(v, repair, &count);
    while ((ip = tfs_iter_next(&it)) && it.ino <= high) {
        check_inode(v, it.ino, ip, repair, &count);
        ip->holds = 0;
        if (repair)
            it.hi = 0; /* a repair may have created an inode: look the leaf up again */
    }
    it = (struct tfs_iter){.v = v};
    while ((ip = tfs_iter_next(&it)) && it.ino <= high) {
        uint64_t ino = it.ino;
        if (!tfs_is_type(ip, TFS_S_IFDIR) || reachable(v, ino))
            continue;
        if (!ip->u.dir->parent)
            continue; /* no entry at all: reported above */
        tfs_report(v, "directory %llu: not reachable from the root (a loop?)",
                   (unsigned long long)ino);
        problem(v, &count);
    }
    it = (struct tfs_iter){.v = v};
    while ((ip = tfs_iter_next(&it)))
        ip->flags &= ~(TFS_I_SEEN | WALK | BAD);
    if (repair) { /* loops: detach each still-unreachable directory into lost+found */
        for (uint64_t ino = 2; ino <= high; ino++) {
            struct tfs_inode *rp = tfs_iget(v, ino);
            if (!rp || !tfs_is_type(rp, TFS_S_IFDIR) || !rp->u.dir->parent ||
                reachable(v, ino))
                continue;
            reattach(v, ino, rp);
            for (uint64_t j = 1; j <= v->ino_high; j++) { /* the tree changed: forget */
                struct tfs_inode *jp = tfs_iget(v, j);
                if (jp)
                    jp->flags &= ~(TFS_I_SEEN | WALK | BAD);
            }
        }
        it = (struct tfs_iter){.v = v};
        while ((ip = tfs_iter_next(&it)))
            ip->flags &= ~(TFS_I_SEEN | WALK | BAD);
    }
    return count > INT32_MAX ? INT32_MAX : (int)count;
}
