/*
 * getcwd.c - the path of a directory, for getcwd(2) and /proc/self/cwd-style readers, and
 * the mount list with each mount point's path (/proc/self/mountinfo).
 *
 * Inodes do not remember their names, so the path is rebuilt from the bottom: from the
 * directory, climb through mount roots to the covered directories and through the parent
 * links the path walk keeps, and at each step find the child's name by listing its parent.
 * A directory that was removed (no longer listed by its parent) has no path: -ENOENT, as on
 * Linux. Under the VFS mutex, so no rename can move a directory meanwhile.
 */
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "fs/vfs/vfs_internal.h"
#include "hal/hal_errno.h"

struct find_ctx {
    uint64_t ino;
    char *name; /* VFS_NAME_MAX + 1 */
    size_t len;
};

static int find_name(void *arg, const char *name, size_t len, uint64_t ino, unsigned type,
                     uint64_t next)
{
    struct find_ctx *c = arg;
    if (ino != c->ino || len > VFS_NAME_MAX || (len == 1 && name[0] == '.') ||
        (len == 2 && name[0] == '.' && name[1] == '.'))
        return 0;
    memcpy(c->name, name, len);
    c->len = len;
    return 1;
}

/* The name of child in dir (both in one sb), into c. 0 or -ENOENT. */
static int name_in(struct vfs_inode *dir, struct vfs_inode *child, struct find_ctx *c)
{
    c->ino = child->ino;
    c->len = 0;
    if (!dir->ops->readdir)
        return -ENOENT;
    sb_lock(dir->sb);
    int rc = dir->ops->readdir(dir, 0, find_name, c);
    sb_unlock(dir->sb);
    if (rc < 0)
        return rc;
    return c->len ? 0 : -ENOENT;
}

/* Prepend "/" name to the path being built backwards in buf at *pos. */
static int prepend(char *buf, size_t *pos, const char *name, size_t len)
{
    if (*pos < len + 1)
        return -ENAMETOOLONG;
    *pos -= len;
    memcpy(buf + *pos, name, len);
    buf[--*pos] = '/';
    return 0;
}

static int build_path(struct vfs_inode *ip, char *buf, size_t *pos, char *name)
{
    struct vfs_inode *root = namei_root();
    struct find_ctx c = {0, name, 0};
    for (;;) {
        while (ip != root && ip == ip->sb->root && ip->sb->mountpoint)
            ip = ip->sb->mountpoint;
        if (ip == root)
            return 0;
        if (!ip->parent)
            return -ENOENT;
        int rc = name_in(ip->parent, ip, &c);
        if (rc == 0)
            rc = prepend(buf, pos, c.name, c.len);
        if (rc)
            return rc;
        ip = ip->parent;
    }
}

long vfs_getcwd(struct vfs_file *dirf, char *out, size_t size)
{
    char *buf = kmalloc(VFS_PATH_MAX);
    char *name = kmalloc(VFS_NAME_MAX + 1);
    long rc = 0;
    if (!buf || !name) {
        rc = -ENOMEM;
        goto out;
    }
    size_t pos = VFS_PATH_MAX - 1;
    buf[pos] = 0;
    vfs_lock();
    struct vfs_inode *ip = dirf ? dirf->inode : namei_root();
    if (!ip)
        rc = -ENOENT;
    else if (!vfs_isdir(ip))
        rc = -ENOTDIR;
    else
        rc = build_path(ip, buf, &pos, name);
    vfs_unlock();
    if (rc)
        goto out;
    if (pos == VFS_PATH_MAX - 1)
        buf[--pos] = '/';
    size_t len = VFS_PATH_MAX - pos; /* with the NUL */
    if (len > size) {
        rc = -ERANGE;
        goto out;
    }
    memcpy(out, buf + pos, len);
    rc = (long)len;
out:
    kfree(buf);
    kfree(name);
    return rc;
}

/* The position (from 1) of sb in mount order; 0 when not mounted. */
static unsigned mount_id(const struct vfs_sb *sb)
{
    unsigned i = 0;
    list_for_each(&vfs.mounts, n)
    {
        i++;
        if (container_of(n, struct vfs_sb, mnt_node) == sb)
            return i;
    }
    return 0;
}

int vfs_mounts_each(int (*fn)(void *arg, const struct vfs_mount_info *mi), void *arg)
{
    char *buf = kmalloc(VFS_PATH_MAX);
    char *name = kmalloc(VFS_NAME_MAX + 1);
    unsigned id = 0;
    int rc = buf && name ? 0 : -ENOMEM;

    vfs_lock();
    list_for_each(&vfs.mounts, n)
    {
        struct vfs_sb *sb = container_of(n, struct vfs_sb, mnt_node);
        struct vfs_mount_info mi = {id + 1, id + 1, sb->dev, "/", sb->ops->name,
                                    (sb->flags & VFS_MNT_RDONLY) != 0};
        size_t pos = VFS_PATH_MAX - 1;

        if (rc)
            break;
        if (sb->mountpoint) {
            buf[pos] = 0;
            mi.parent_id = mount_id(sb->mountpoint->sb);
            mi.path = build_path(sb->mountpoint, buf, &pos, name) ? "(unknown)"
                      : pos == VFS_PATH_MAX - 1                   ? "/"
                                                                  : buf + pos;
        }
        rc = fn(arg, &mi);
        id++;
    }
    vfs_unlock();
    kfree(buf);
    kfree(name);
    return rc;
}
