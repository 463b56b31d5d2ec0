/*
 * xattr.c - extended attributes: a short list per inode, each set/remove one record.
 */
#include "core/lib/kstring.h"
#include "fs/tfs/tfs_internal.h"
#include "hal/hal_errno.h"

static int xname(const char *name, size_t *len)
{
    if (!name)
        return -EINVAL;
    *len = strnlen(name, TFS_XATTR_NAME_MAX + 1);
    if (*len == 0)
        return -EINVAL;
    return *len > TFS_XATTR_NAME_MAX ? -ERANGE : 0;
}

static struct tfs_xattr *xfind(struct tfs_inode *ip, const char *name, size_t len)
{
    for (struct tfs_xattr *x = ip->xattrs; x; x = x->next)
        if (x->nlen == len && memcmp(x->data, name, len) == 0)
            return x;
    return NULL;
}

int tfs_getxattr(struct tfs_vol *v, uint64_t ino, const char *name, void *value, size_t size)
{
    struct tfs_inode *ip = tfs_iget(v, ino);
    size_t len;
    int err = xname(name, &len);
    if (!ip)
        return -ENOENT;
    if (err)
        return err == -ERANGE ? -ENODATA : err;
    struct tfs_xattr *x = xfind(ip, name, len);
    if (!x)
        return -ENODATA;
    if (size == 0)
        return (int)x->vlen;
    if (size < x->vlen)
        return -ERANGE;
    memcpy(value, x->data + x->nlen, x->vlen);
    return (int)x->vlen;
}

int tfs_listxattr(struct tfs_vol *v, uint64_t ino, char *list, size_t size)
{
    struct tfs_inode *ip = tfs_iget(v, ino);
    if (!ip)
        return -ENOENT;
    size_t total = 0;
    for (struct tfs_xattr *x = ip->xattrs; x; x = x->next)
        total += x->nlen + 1u;
    if (size == 0)
        return (int)total;
    if (size < total)
        return -ERANGE;
    for (struct tfs_xattr *x = ip->xattrs; x; x = x->next) {
        memcpy(list, x->data, x->nlen);
        list[x->nlen] = '\0';
        list += x->nlen + 1u;
    }
    return (int)total;
}

int tfs_setxattr(struct tfs_vol *v, uint64_t ino, const char *name, const void *value,
                 size_t size, unsigned flags)
{
    struct tfs_inode *ip = tfs_iget(v, ino);
    size_t len;
    int err = tfs_writable(v);
    if (err)
        return err;
    if (!ip)
        return -ENOENT;
    if ((err = xname(name, &len)))
        return err;
    if (flags & ~(TFS_XATTR_CREATE | TFS_XATTR_REPLACE))
        return -EINVAL;
    if (size > TFS_XATTR_SIZE_MAX)
        return -E2BIG;
    if (size && !value)
        return -EINVAL;
    struct tfs_xattr *x = xfind(ip, name, len);
    if (x && (flags & TFS_XATTR_CREATE))
        return -EEXIST;
    if (!x && (flags & TFS_XATTR_REPLACE))
        return -ENODATA;
    if (!x) {
        size_t total = len + 1;
        for (struct tfs_xattr *y = ip->xattrs; y; y = y->next)
            total += y->nlen + 1u;
        if (total > TFS_XATTR_LIST_MAX)
            return -ENOSPC;
    }
    if ((err = tfs_txn_begin(v, 2 * TFS_OP_HDR + 12 + len + size + TFS_OP_INODE_LEN, false)))
        return err;
    ip->ctime = tfs_now(v);
    if ((err = tfs_op_xset(v, ino, name, len, value, size)) || (err = tfs_op_inode(v, ino))) {
        tfs_txn_abort(v);
        return err;
    }
    return tfs_txn_end(v);
}

int tfs_removexattr(struct tfs_vol *v, uint64_t ino, const char *name)
{
    struct tfs_inode *ip = tfs_iget(v, ino);
    size_t len;
    int err = tfs_writable(v);
    if (err)
        return err;
    if (!ip)
        return -ENOENT;
    if ((err = xname(name, &len)))
        return err == -ERANGE ? -ENODATA : err;
    if (!xfind(ip, name, len))
        return -ENODATA;
    if ((err = tfs_txn_begin(v, 2 * TFS_OP_HDR + 8 + len + TFS_OP_INODE_LEN, true)))
        return err;
    ip->ctime = tfs_now(v);
    if ((err = tfs_op_xdel(v, ino, name, len)) || (err = tfs_op_inode(v, ino))) {
        tfs_txn_abort(v);
        return err;
    }
    return tfs_txn_end(v);
}
