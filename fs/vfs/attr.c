/*
 * attr.c - calls that read or change a file's attributes: stat, chmod, chown, utimensat,
 * truncate, statfs, readlink, and the extended attributes.
 *
 * Path forms resolve the path to an inode (following a final symlink unless
 * AT_SYMLINK_NOFOLLOW) and then share the body of the descriptor form. Setattr on a
 * page-cached file folds in the size and mtime the cache has not told the filesystem yet.
 */
#include "core/lib/kstring.h"
#include "fs/vfs/notify.h"
#include "fs/vfs/vfs_internal.h"
#include "hal/hal_errno.h"

#define AT_PATH_FLAGS (VFS_AT_SYMLINK_NOFOLLOW | VFS_AT_EMPTY_PATH)

/* Resolve dirf/path into a referenced inode (takes and drops the VFS mutex). */
static int resolve(struct vfs_file *dirf, const char *path, int flags, struct vfs_inode **out)
{
    vfs_lock();
    int rc = namei_path(dirf, path, flags, out);
    vfs_unlock();
    return rc;
}

static void release(struct vfs_inode *ip)
{
    vfs_lock();
    inode_put(ip);
    vfs_unlock();
}

/* A path that changes its file: the inode and, while anything is watched, the name it was
 * reached by, whose directory inotify tells (notify.h). */
struct target {
    struct vfs_inode *ip;
    struct vfs_notify_name *nm;
};

static int resolve_named(struct vfs_file *dirf, const char *path, int flags, struct target *t)
{
    struct nameidata nd;

    vfs_lock();
    int rc = namei_path_nd(&nd, dirf, path, flags, &t->ip);
    t->nm =
        rc == 0 && nd.last_type == LAST_NORM ? vfs_notify_name_get(nd.cur, nd.last, t->ip) : NULL;
    namei_end(&nd);
    vfs_unlock();
    return rc;
}

static void release_named(struct target *t)
{
    vfs_lock();
    vfs_notify_name_put(t->nm);
    inode_put(t->ip);
    vfs_unlock();
}

/* --- stat -------------------------------------------------------------------------------- */

static int do_stat(struct vfs_inode *ip, struct vfs_stat *st)
{
    struct vfs_attr a;
    int rc = inode_getattr(ip, &a);
    if (rc)
        return rc;
    memset(st, 0, sizeof(*st));
    st->st_dev = ip->sb->dev;
    st->st_ino = ip->ino;
    st->st_nlink = a.nlink;
    st->st_mode = a.mode;
    st->st_uid = a.uid;
    st->st_gid = a.gid;
    st->st_rdev = a.rdev;
    st->st_size = (int64_t)a.size;
    st->st_blksize = VFS_PAGE_SIZE;
    st->st_blocks = (int64_t)a.blocks;
    st->st_atim = a.atime;
    st->st_mtim = a.mtime;
    st->st_ctim = a.ctime;
    return 0;
}

int vfs_fstat(struct vfs_file *f, struct vfs_stat *st)
{
    return do_stat(f->inode, st);
}

int vfs_statat(struct vfs_file *dirf, const char *path, int flags, struct vfs_stat *st)
{
    if (flags & ~(AT_PATH_FLAGS | VFS_AT_NO_AUTOMOUNT))
        return -EINVAL;
    struct vfs_inode *ip;
    int rc = resolve(dirf, path, flags, &ip);
    if (rc)
        return rc;
    rc = do_stat(ip, st);
    release(ip);
    return rc;
}

/* --- setattr ----------------------------------------------------------------------------- */

int vfs_do_setattr(struct vfs_inode *ip, const struct vfs_notify_name *via, struct vfs_setattr *sa)
{
    unsigned asked = sa->valid; /* before the page cache adds its pending size and mtime */
    if (!ip->ops->setattr)
        return -EPERM;
    sb_lock(ip->sb);
    int rc = 0;
    if (ip->sb->pc && vfs_isreg(ip)) {
        if (ip->attr_dirty && ip->size_loaded && !(sa->valid & VFS_SET_SIZE)) {
            sa->valid |= VFS_SET_SIZE;
            sa->size = ip->size;
        }
        if (ip->attr_dirty && !(sa->valid & VFS_SET_MTIME)) {
            sa->valid |= VFS_SET_MTIME;
            sa->mtime = ip->mtime;
        }
        if (sa->valid & VFS_SET_SIZE)
            pcache_truncate(ip, sa->size);
    }
    rc = ip->ops->setattr(ip, sa);
    if (ip->sb->pc && vfs_isreg(ip)) {
        if (rc == 0) {
            ip->attr_dirty = false;
            if (sa->valid & VFS_SET_MTIME)
                ip->mtime = sa->mtime;
        } else {
            ip->size_loaded = false; /* re-read what the filesystem has */
        }
        pcache_note_dirty(ip);
    }
    sb_unlock(ip->sb);
    if (rc == 0 && vfs_notify_active())
        vfs_notify_setattr(ip, via, asked);
    return rc;
}

static int chmod_inode(struct vfs_inode *ip, const struct vfs_notify_name *via, uint32_t mode)
{
    if (sb_rdonly(ip->sb))
        return -EROFS;
    struct vfs_setattr sa = {.valid = VFS_SET_MODE | VFS_SET_CTIME, .mode = mode & 07777};
    sa.ctime = vfs_now();
    return vfs_do_setattr(ip, via, &sa);
}

int vfs_fchmod(struct vfs_file *f, uint32_t mode)
{
    if (f->flags & VFS_O_PATH)
        return -EBADF;
    return chmod_inode(f->inode, f->nname, mode);
}

int vfs_fchmodat(struct vfs_file *dirf, const char *path, uint32_t mode, int flags)
{
    if (flags & ~AT_PATH_FLAGS)
        return -EINVAL;
    struct target t;
    int rc = resolve_named(dirf, path, flags, &t);
    if (rc)
        return rc;
    rc = vfs_islnk(t.ip) ? -EOPNOTSUPP : chmod_inode(t.ip, t.nm, mode);
    release_named(&t);
    return rc;
}

static int chown_inode(struct vfs_inode *ip, const struct vfs_notify_name *via, uint32_t uid,
                       uint32_t gid)
{
    if (sb_rdonly(ip->sb))
        return -EROFS;
    struct vfs_setattr sa = {.valid = VFS_SET_CTIME};
    sa.ctime = vfs_now();
    if (uid != (uint32_t)-1) {
        sa.valid |= VFS_SET_UID;
        sa.uid = uid;
    }
    if (gid != (uint32_t)-1) {
        sa.valid |= VFS_SET_GID;
        sa.gid = gid;
    }
    /* Linux drops set-id bits of a non-directory whose owner changes, for root too. */
    struct vfs_attr a;
    if ((sa.valid & (VFS_SET_UID | VFS_SET_GID)) && !vfs_isdir(ip) && inode_getattr(ip, &a) == 0) {
        uint32_t m = a.mode & 07777;
        uint32_t nm = m & ~04000u;
        if ((m & 02010) == 02010)
            nm &= ~02000u;
        if (nm != m) {
            sa.valid |= VFS_SET_MODE;
            sa.mode = nm;
        }
    }
    return vfs_do_setattr(ip, via, &sa);
}

int vfs_fchown(struct vfs_file *f, uint32_t uid, uint32_t gid)
{
    if (f->flags & VFS_O_PATH)
        return -EBADF;
    return chown_inode(f->inode, f->nname, uid, gid);
}

int vfs_fchownat(struct vfs_file *dirf, const char *path, uint32_t uid, uint32_t gid, int flags)
{
    if (flags & ~AT_PATH_FLAGS)
        return -EINVAL;
    struct target t;
    int rc = resolve_named(dirf, path, flags, &t);
    if (rc)
        return rc;
    rc = chown_inode(t.ip, t.nm, uid, gid);
    release_named(&t);
    return rc;
}

static bool nsec_valid(int64_t ns)
{
    return (ns >= 0 && ns < 1000000000) || ns == VFS_UTIME_NOW || ns == VFS_UTIME_OMIT;
}

static int utimens_inode(struct vfs_inode *ip, const struct vfs_notify_name *via,
                         const struct vfs_timespec times[2])
{
    if (sb_rdonly(ip->sb))
        return -EROFS;
    struct vfs_timespec now = vfs_now();
    struct vfs_setattr sa = {.valid = VFS_SET_CTIME, .ctime = now};
    for (int i = 0; i < 2; i++) {
        struct vfs_timespec t = times ? times[i] : now;
        if (t.tv_nsec == VFS_UTIME_OMIT)
            continue;
        if (t.tv_nsec == VFS_UTIME_NOW)
            t = now;
        if (i == 0) {
            sa.valid |= VFS_SET_ATIME;
            sa.atime = t;
        } else {
            sa.valid |= VFS_SET_MTIME;
            sa.mtime = t;
        }
    }
    return vfs_do_setattr(ip, via, &sa);
}

int vfs_utimensat(struct vfs_file *dirf, const char *path, const struct vfs_timespec times[2],
                  int flags)
{
    if (flags & ~AT_PATH_FLAGS)
        return -EINVAL;
    if (times && (!nsec_valid(times[0].tv_nsec) || !nsec_valid(times[1].tv_nsec)))
        return -EINVAL;
    /* Linux: both omitted succeeds at once, even for a missing file. */
    if (times && times[0].tv_nsec == VFS_UTIME_OMIT && times[1].tv_nsec == VFS_UTIME_OMIT)
        return 0;
    if (!path) {
        if (!dirf)
            return -EFAULT;
        return utimens_inode(dirf->inode, dirf->nname, times);
    }
    struct target t;
    int rc = resolve_named(dirf, path, flags, &t);
    if (rc)
        return rc;
    rc = utimens_inode(t.ip, t.nm, times);
    release_named(&t);
    return rc;
}

int vfs_truncate(struct vfs_file *dirf, const char *path, int64_t len)
{
    if (len < 0)
        return -EINVAL;
    struct target t;
    int rc = resolve_named(dirf, path, 0, &t);
    if (rc)
        return rc;
    if (vfs_isdir(t.ip))
        rc = -EISDIR;
    else if (!vfs_isreg(t.ip))
        rc = -EINVAL;
    else
        rc = vfs_do_truncate(t.ip, t.nm, (uint64_t)len);
    release_named(&t);
    return rc;
}

int vfs_faccessat(struct vfs_file *dirf, const char *path, int mode, int flags)
{
    if (mode & ~7)
        return -EINVAL;
    if (flags & ~(VFS_AT_EACCESS | AT_PATH_FLAGS))
        return -EINVAL;
    struct vfs_inode *ip;
    int rc = resolve(dirf, path, flags & AT_PATH_FLAGS, &ip);
    if (rc)
        return rc;
    struct vfs_attr a;
    if ((mode & 2) && sb_rdonly(ip->sb) && (vfs_isreg(ip) || vfs_isdir(ip) || vfs_islnk(ip)))
        rc = -EROFS;
    else if ((mode & 1) && !vfs_isdir(ip)) {
        rc = inode_getattr(ip, &a);
        if (rc == 0 && !(a.mode & 0111))
            rc = -EACCES; /* root may execute only what someone may */
    }
    release(ip);
    return rc;
}

/* --- statfs, readlink ------------------------------------------------------------------ */

static int do_statfs(struct vfs_inode *ip, struct vfs_statfs *st)
{
    struct vfs_sb *sb = ip->sb;
    memset(st, 0, sizeof(*st));
    int rc = 0;
    if (sb->ops->statfs) {
        sb_lock(sb);
        rc = sb->ops->statfs(sb, st);
        sb_unlock(sb);
    }
    if (st->f_namelen == 0)
        st->f_namelen = VFS_NAME_MAX;
    if (st->f_bsize == 0)
        st->f_bsize = VFS_PAGE_SIZE;
    if (st->f_frsize == 0)
        st->f_frsize = st->f_bsize;
    st->f_fsid[0] = (int32_t)sb->dev;
    if (sb_rdonly(sb))
        st->f_flags |= VFS_ST_RDONLY;
    return rc;
}

int vfs_fstatfs(struct vfs_file *f, struct vfs_statfs *st)
{
    return do_statfs(f->inode, st);
}

int vfs_statfs(struct vfs_file *dirf, const char *path, struct vfs_statfs *st)
{
    struct vfs_inode *ip;
    int rc = resolve(dirf, path, 0, &ip);
    if (rc)
        return rc;
    rc = do_statfs(ip, st);
    release(ip);
    return rc;
}

long vfs_readlinkat(struct vfs_file *dirf, const char *path, char *buf, size_t size)
{
    if (size == 0 || size > INT32_MAX)
        return -EINVAL;
    struct vfs_inode *ip;
    int rc = resolve(dirf, path, VFS_AT_SYMLINK_NOFOLLOW | VFS_AT_EMPTY_PATH, &ip);
    if (rc)
        return rc;
    long n;
    if (!vfs_islnk(ip)) {
        n = path && path[0] == 0 ? -ENOENT : -EINVAL;
    } else if (!ip->ops->readlink) {
        n = -EINVAL;
    } else {
        sb_lock(ip->sb);
        n = ip->ops->readlink(ip, buf, size);
        sb_unlock(ip->sb);
        if (n > (long)size)
            n = (long)size;
    }
    release(ip);
    return n;
}

/* --- extended attributes -------------------------------------------------------------- */

/* Namespaces Linux accepts on a plain filesystem; "system." needs ACL support we lack. */
static int xattr_name_check(const char *name)
{
    if (!name)
        return -EFAULT;
    size_t len = strnlen(name, VFS_XATTR_NAME_MAX + 1);
    if (len == 0 || len > VFS_XATTR_NAME_MAX)
        return -ERANGE;
    static const char *const prefixes[] = {"user.", "trusted.", "security."};
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        size_t pl = strlen(prefixes[i]);
        if (strncmp(name, prefixes[i], pl) == 0)
            return len > pl ? 0 : -EINVAL;
    }
    return -EOPNOTSUPP;
}

static bool user_ns(const char *name)
{
    return strncmp(name, "user.", 5) == 0;
}

/* user.* lives only on regular files and directories. */
static bool user_ok(const struct vfs_inode *ip)
{
    return vfs_isreg(ip) || vfs_isdir(ip);
}

static long getxattr_inode(struct vfs_inode *ip, const char *name, void *buf, size_t size)
{
    int rc = xattr_name_check(name);
    if (rc)
        return rc;
    if (user_ns(name) && !user_ok(ip))
        return -ENODATA;
    if (!ip->ops->getxattr)
        return -EOPNOTSUPP;
    if (size > VFS_XATTR_SIZE_MAX)
        size = VFS_XATTR_SIZE_MAX;
    sb_lock(ip->sb);
    long n = ip->ops->getxattr(ip, name, buf, size);
    sb_unlock(ip->sb);
    return n;
}

static int setxattr_inode(struct vfs_inode *ip, const struct vfs_notify_name *via, const char *name,
                          const void *val, size_t size, int xflags)
{
    if (xflags & ~(VFS_XATTR_CREATE | VFS_XATTR_REPLACE))
        return -EINVAL;
    int rc = xattr_name_check(name);
    if (rc)
        return rc;
    if (size > VFS_XATTR_SIZE_MAX)
        return -E2BIG;
    if (sb_rdonly(ip->sb))
        return -EROFS;
    if (user_ns(name) && !user_ok(ip))
        return -EPERM;
    if (!ip->ops->setxattr)
        return -EOPNOTSUPP;
    sb_lock(ip->sb);
    rc = ip->ops->setxattr(ip, name, val, size, xflags);
    sb_unlock(ip->sb);
    if (rc == 0)
        vfs_notify_file_via(ip, via, LINUX_IN_ATTRIB);
    return rc;
}

static long listxattr_inode(struct vfs_inode *ip, char *buf, size_t size)
{
    if (!ip->ops->listxattr)
        return 0;
    if (size > VFS_XATTR_SIZE_MAX)
        size = VFS_XATTR_SIZE_MAX;
    sb_lock(ip->sb);
    long n = ip->ops->listxattr(ip, buf, size);
    sb_unlock(ip->sb);
    return n;
}

static int removexattr_inode(struct vfs_inode *ip, const struct vfs_notify_name *via,
                             const char *name)
{
    int rc = xattr_name_check(name);
    if (rc)
        return rc;
    if (sb_rdonly(ip->sb))
        return -EROFS;
    if (user_ns(name) && !user_ok(ip))
        return -EPERM;
    if (!ip->ops->removexattr)
        return -EOPNOTSUPP;
    sb_lock(ip->sb);
    rc = ip->ops->removexattr(ip, name);
    sb_unlock(ip->sb);
    if (rc == 0)
        vfs_notify_file_via(ip, via, LINUX_IN_ATTRIB);
    return rc;
}

long vfs_getxattrat(struct vfs_file *dirf, const char *path, int flags, const char *name, void *buf,
                    size_t size)
{
    struct vfs_inode *ip;
    int rc = resolve(dirf, path, flags & AT_PATH_FLAGS, &ip);
    if (rc)
        return rc;
    long n = getxattr_inode(ip, name, buf, size);
    release(ip);
    return n;
}

int vfs_setxattrat(struct vfs_file *dirf, const char *path, int flags, const char *name,
                   const void *val, size_t size, int xflags)
{
    struct target t;
    int rc = resolve_named(dirf, path, flags & AT_PATH_FLAGS, &t);
    if (rc)
        return rc;
    rc = setxattr_inode(t.ip, t.nm, name, val, size, xflags);
    release_named(&t);
    return rc;
}

long vfs_listxattrat(struct vfs_file *dirf, const char *path, int flags, char *buf, size_t size)
{
    struct vfs_inode *ip;
    int rc = resolve(dirf, path, flags & AT_PATH_FLAGS, &ip);
    if (rc)
        return rc;
    long n = listxattr_inode(ip, buf, size);
    release(ip);
    return n;
}

int vfs_removexattrat(struct vfs_file *dirf, const char *path, int flags, const char *name)
{
    struct target t;
    int rc = resolve_named(dirf, path, flags & AT_PATH_FLAGS, &t);
    if (rc)
        return rc;
    rc = removexattr_inode(t.ip, t.nm, name);
    release_named(&t);
    return rc;
}

long vfs_fgetxattr(struct vfs_file *f, const char *name, void *buf, size_t size)
{
    return f->flags & VFS_O_PATH ? -EBADF : getxattr_inode(f->inode, name, buf, size);
}

int vfs_fsetxattr(struct vfs_file *f, const char *name, const void *val, size_t size, int xflags)
{
    return f->flags & VFS_O_PATH ? -EBADF
                                 : setxattr_inode(f->inode, f->nname, name, val, size, xflags);
}

long vfs_flistxattr(struct vfs_file *f, char *buf, size_t size)
{
    return f->flags & VFS_O_PATH ? -EBADF : listxattr_inode(f->inode, buf, size);
}

int vfs_fremovexattr(struct vfs_file *f, const char *name)
{
    return f->flags & VFS_O_PATH ? -EBADF : removexattr_inode(f->inode, f->nname, name);
}
