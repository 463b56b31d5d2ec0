/*
 * apply.c - the one function that changes metadata: tfs_apply_op().
 *
 * Every change, whether replayed from the log at mount or made by a live operation, is an
 * encoded op applied here, so the state after a remount is by construction the state before
 * it. Each op is validated against the current state; a failure means a corrupt record at
 * replay (the mount is refused, or fsck reports it) and an internal error when live (the
 * volume goes read-only). Op layouts are in docs/tfs-format.md section 5.
 */
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "fs/tfs/tfs_internal.h"
#include "hal/hal_errno.h"

#define BAD(msg)                                                                           \
    do {                                                                                   \
        *why = msg;                                                                        \
        return -EUCLEAN;                                                                   \
    } while (0)

static bool valid_type(uint32_t mode)
{
    switch (mode & TFS_S_IFMT) {
    case TFS_S_IFREG: case TFS_S_IFDIR: case TFS_S_IFLNK: case TFS_S_IFIFO:
    case TFS_S_IFSOCK: case TFS_S_IFCHR: case TFS_S_IFBLK:
        return true;
    }
    return false;
}

void tfs_inode_destroy(struct tfs_vol *v, uint64_t ino, struct tfs_inode *ip)
{
    tfs_resv_drop_ino(v, ino);
    switch (ip->mode & TFS_S_IFMT) {
    case TFS_S_IFREG:
        tfs_ext_free_all(v, ip);
        break;
    case TFS_S_IFDIR:
        tfs_dir_destroy(ip->u.dir);
        break;
    case TFS_S_IFLNK:
        kfree(ip->u.symlink);
        break;
    }
    for (struct tfs_xattr *x = ip->xattrs, *nx; x; x = nx) {
        nx = x->next;
        v->xattrbytes -= x->nlen + x->vlen;
        kfree(x);
    }
    tfs_pvec_set(&v->inodes, ino, NULL);
    tfs_inode_pool_free(v, ip);
    v->ninodes--;
    tfs_ino_freed(v, ino);
}

static int op_inode(struct tfs_vol *v, const uint8_t *b, uint32_t len, const char **why)
{
    if (len != TFS_OP_INODE_LEN)
        BAD("inode op: bad length");
    uint64_t ino = tfs_get64(b);
    uint32_t mode = tfs_get32(b + 8);
    uint64_t size = tfs_get64(b + 24);
    if (ino == 0 || ino > TFS_INO_MAX)
        BAD("inode op: inode number out of range");
    if (!valid_type(mode))
        BAD("inode op: bad file type");
    if (ino == TFS_ROOT_INO && (mode & TFS_S_IFMT) != TFS_S_IFDIR)
        BAD("inode op: root is not a directory");
    if ((mode & TFS_S_IFMT) == TFS_S_IFREG && size > TFS_MAX_FILE_SIZE)
        BAD("inode op: size too large");
    if (tfs_get32(b + 20) > TFS_LINK_MAX)
        BAD("inode op: link count too large");
    struct tfs_inode *ip = tfs_iget(v, ino);
    if (ip && (ip->mode & TFS_S_IFMT) != (mode & TFS_S_IFMT))
        BAD("inode op: file type changed");
    if (!ip) {
        ip = tfs_inode_alloc(v);
        if (!ip)
            return -ENOMEM;
        ip->mode = mode;
        if (tfs_is_type(ip, TFS_S_IFDIR) && !(ip->u.dir = tfs_dir_new())) {
            tfs_inode_pool_free(v, ip);
            return -ENOMEM;
        }
        int err = tfs_pvec_set(&v->inodes, ino, ip);
        if (err) {
            if (tfs_is_type(ip, TFS_S_IFDIR))
                tfs_dir_destroy(ip->u.dir);
            tfs_inode_pool_free(v, ip);
            return err;
        }
        v->ninodes++;
        if (ino > v->ino_high)
            v->ino_high = ino;
    }
    ip->mode = mode;
    ip->uid = tfs_get32(b + 12);
    ip->gid = tfs_get32(b + 16);
    ip->nlink = tfs_get32(b + 20);
    if (tfs_is_type(ip, TFS_S_IFREG))
        ip->size = size;
    if (tfs_is_type(ip, TFS_S_IFCHR) || tfs_is_type(ip, TFS_S_IFBLK))
        ip->u.rdev = tfs_get64(b + 32);
    ip->atime = (int64_t)tfs_get64(b + 40);
    ip->mtime = (int64_t)tfs_get64(b + 48);
    ip->ctime = (int64_t)tfs_get64(b + 56);
    return 0;
}

static int op_free(struct tfs_vol *v, const uint8_t *b, uint32_t len, const char **why)
{
    if (len != 8)
        BAD("free op: bad length");
    uint64_t ino = tfs_get64(b);
    struct tfs_inode *ip = tfs_iget(v, ino);
    if (!ip)
        BAD("free op: no such inode");
    if (ino == TFS_ROOT_INO)
        BAD("free op: frees the root");
    if (tfs_is_type(ip, TFS_S_IFDIR) && (ip->u.dir->nentries || ip->u.dir->parent))
        BAD("free op: directory still in use");
    tfs_inode_destroy(v, ino, ip);
    return 0;
}

static struct tfs_inode *get_dir(struct tfs_vol *v, uint64_t ino)
{
    struct tfs_inode *ip = tfs_iget(v, ino);
    return ip && tfs_is_type(ip, TFS_S_IFDIR) ? ip : NULL;
}

static int op_link(struct tfs_vol *v, const uint8_t *b, uint32_t len, const char **why)
{
    if (len < 17)
        BAD("link op: bad length");
    struct tfs_inode *dp = get_dir(v, tfs_get64(b));
    uint64_t ino = tfs_get64(b + 8);
    struct tfs_inode *ip = tfs_iget(v, ino);
    const char *name = (const char *)b + 16;
    size_t nlen = len - 16;
    if (!dp)
        BAD("link op: parent is not a directory");
    if (!ip)
        BAD("link op: no such inode");
    if (ino == TFS_ROOT_INO)
        BAD("link op: links the root");
    if (tfs_check_name(name, nlen))
        BAD("link op: bad name");
    uint64_t hash = tfs_name_hash(name, nlen);
    if (tfs_dir_find_hashed(dp->u.dir, name, nlen, hash))
        BAD("link op: name exists");
    if (tfs_is_type(ip, TFS_S_IFDIR) && ip->u.dir->parent)
        BAD("link op: directory already has a name");
    int err = tfs_dir_add(v, dp->u.dir, name, nlen, hash, ino, tfs_dtype(ip->mode));
    if (err)
        return err;
    if (tfs_is_type(ip, TFS_S_IFDIR))
        ip->u.dir->parent = tfs_get64(b);
    return 0;
}

static int op_unlink(struct tfs_vol *v, const uint8_t *b, uint32_t len, const char **why)
{
    if (len < 9)
        BAD("unlink op: bad length");
    struct tfs_inode *dp = get_dir(v, tfs_get64(b));
    if (!dp)
        BAD("unlink op: parent is not a directory");
    struct tfs_dirent *de = tfs_dir_find(dp->u.dir, (const char *)b + 8, len - 8);
    if (!de)
        BAD("unlink op: no such entry");
    struct tfs_inode *ip = tfs_iget(v, de->ino);
    if (ip && tfs_is_type(ip, TFS_S_IFDIR))
        ip->u.dir->parent = 0;
    tfs_dir_remove(v, dp->u.dir, de);
    return 0;
}

static struct tfs_inode *get_reg(struct tfs_vol *v, uint64_t ino)
{
    struct tfs_inode *ip = tfs_iget(v, ino);
    return ip && tfs_is_type(ip, TFS_S_IFREG) ? ip : NULL;
}

static int op_extent(struct tfs_vol *v, const uint8_t *b, uint32_t len, const char **why)
{
    if (len != 32)
        BAD("extent op: bad length");
    struct tfs_inode *ip = get_reg(v, tfs_get64(b));
    if (!ip)
        BAD("extent op: not a regular file");
    struct tfs_ext e = {tfs_get64(b + 8), tfs_get64(b + 16), tfs_get32(b + 24),
                        tfs_get32(b + 28)};
    if (e.flags & ~TFS_EXT_UNWRITTEN)
        BAD("extent op: unknown flags");
    if (e.pblk < 2)
        BAD("extent op: maps a superblock");
    int err = tfs_ext_map(v, ip, &e);
    if (err == -EINVAL)
        BAD("extent op: range beyond the largest file");
    if (err == -ERANGE)
        BAD("extent op: blocks beyond the device end");
    if (err == -EEXIST)
        BAD("extent op: remaps blocks already mapped");
    return err;
}

static int op_punch(struct tfs_vol *v, const uint8_t *b, uint32_t len, const char **why)
{
    if (len != 24)
        BAD("punch op: bad length");
    struct tfs_inode *ip = get_reg(v, tfs_get64(b));
    if (!ip)
        BAD("punch op: not a regular file");
    return tfs_ext_punch(v, ip, tfs_get64(b + 8), tfs_get64(b + 16));
}

static int op_symlink(struct tfs_vol *v, const uint8_t *b, uint32_t len, const char **why)
{
    if (len < 9 || len - 8 >= TFS_PATH_MAX)
        BAD("symlink op: bad length");
    struct tfs_inode *ip = tfs_iget(v, tfs_get64(b));
    if (!ip || !tfs_is_type(ip, TFS_S_IFLNK))
        BAD("symlink op: not a symlink");
    char *t = kmalloc(len - 8);
    if (!t)
        return -ENOMEM;
    memcpy(t, b + 8, len - 8);
    kfree(ip->u.symlink);
    ip->u.symlink = t;
    ip->size = len - 8;
    return 0;
}

static struct tfs_xattr **xattr_find(struct tfs_inode *ip, const char *name, size_t nlen)
{
    struct tfs_xattr **pp = &ip->xattrs;
    for (; *pp; pp = &(*pp)->next)
        if ((*pp)->nlen == nlen && memcmp((*pp)->data, name, nlen) == 0)
            return pp;
    return pp;
}

static size_t xattr_list_size(const struct tfs_inode *ip)
{
    size_t s = 0;
    for (const struct tfs_xattr *x = ip->xattrs; x; x = x->next)
        s += x->nlen + 1u;
    return s;
}

static int op_xset(struct tfs_vol *v, const uint8_t *b, uint32_t len, const char **why)
{
    if (len < 13)
        BAD("xattr op: bad length");
    struct tfs_inode *ip = tfs_iget(v, tfs_get64(b));
    uint32_t nlen = tfs_get32(b + 8);
    if (!ip)
        BAD("xattr op: no such inode");
    if (nlen == 0 || nlen > TFS_XATTR_NAME_MAX || nlen > len - 12)
        BAD("xattr op: bad name length");
    uint32_t vlen = len - 12 - nlen;
    const char *name = (const char *)b + 12;
    if (vlen > TFS_XATTR_SIZE_MAX || memchr(name, 0, nlen))
        BAD("xattr op: bad name or value");
    struct tfs_xattr **pp = xattr_find(ip, name, nlen);
    if (!*pp && xattr_list_size(ip) + nlen + 1 > TFS_XATTR_LIST_MAX)
        BAD("xattr op: too many attributes");
    struct tfs_xattr *x = kmalloc(sizeof(*x) + nlen + vlen);
    if (!x)
        return -ENOMEM;
    x->nlen = (uint8_t)nlen;
    x->vlen = vlen;
    memcpy(x->data, name, nlen + vlen);
    if (*pp) {
        x->next = (*pp)->next;
        v->xattrbytes -= (*pp)->nlen + (*pp)->vlen;
        kfree(*pp);
    } else {
        x->next = NULL;
    }
    *pp = x;
    v->xattrbytes += nlen + vlen;
    return 0;
}

static int op_xdel(struct tfs_vol *v, const uint8_t *b, uint32_t len, const char **why)
{
    if (len < 9)
        BAD("xattr remove op: bad length");
    struct tfs_inode *ip = tfs_iget(v, tfs_get64(b));
    if (!ip)
        BAD("xattr remove op: no such inode");
    struct tfs_xattr **pp = xattr_find(ip, (const char *)b + 8, len - 8);
    if (!*pp)
        BAD("xattr remove op: no such attribute");
    struct tfs_xattr *x = *pp;
    *pp = x->next;
    v->xattrbytes -= x->nlen + x->vlen;
    kfree(x);
    return 0;
}

int tfs_apply_op(struct tfs_vol *v, uint32_t op, const uint8_t *b, uint32_t len,
                 const char **why)
{
    *why = "out of memory";
    switch (op) {
    case TFS_OP_INODE: return op_inode(v, b, len, why);
    case TFS_OP_FREE: return op_free(v, b, len, why);
    case TFS_OP_LINK: return op_link(v, b, len, why);
    case TFS_OP_UNLINK: return op_unlink(v, b, len, why);
    case TFS_OP_EXTENT: return op_extent(v, b, len, why);
    case TFS_OP_PUNCH: return op_punch(v, b, len, why);
    case TFS_OP_SYMLINK: return op_symlink(v, b, len, why);
    case TFS_OP_XSET: return op_xset(v, b, len, why);
    case TFS_OP_XDEL: return op_xdel(v, b, len, why);
    }
    *why = "unknown op";
    return -EUCLEAN;
}
