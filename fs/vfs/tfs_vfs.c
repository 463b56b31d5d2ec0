/*
 * tfs_vfs.c - the TFS adapter: vfs_fs_ops / vfs_inode_ops over fs/tfs/tfs.h.
 *
 * TFS names files by inode number and expects one caller at a time per volume: the sb mutex,
 * which the VFS holds around every call below, is that serialization. Every cached VFS inode
 * holds its TFS inode (tfs_hold) so that an unlinked file stays readable until the last
 * close. File data goes through the VFS page cache: TFS's tfs_read/tfs_write fill pages and
 * write them back; the VFS tells TFS the size and mtime at write-back. A page reserves its
 * block in TFS when it becomes dirty (tfs_reserve), so a full volume refuses the write(2) or
 * the store, not the write-back.
 */
#include "core/lib/alloc.h"
#include "core/lib/log.h"
#include "core/lib/kstring.h"
#include "fs/vfs/vfs_internal.h"
#include "fs/vfs/vfs_tfs.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"

struct tfs_mnt {
    struct vfs_sb sb;
    struct tfs_vol *vol;
};

static const struct vfs_inode_ops tfs_iops;

static struct tfs_vol *VOL(struct vfs_inode *ip)
{
    return container_of(ip->sb, struct tfs_mnt, sb)->vol;
}

static struct tfs_time to_tfs(struct vfs_timespec t)
{
    struct tfs_time r = {t.tv_sec, (uint32_t)t.tv_nsec};
    return r;
}

static struct vfs_timespec from_tfs(struct tfs_time t)
{
    struct vfs_timespec r = {t.sec, t.nsec};
    return r;
}

static void tfs_clock(void *arg, struct tfs_time *now)
{
    *now = to_tfs(vfs_now());
}

static void tfs_report(void *arg, const char *msg)
{
    log_warn("tfs: %s", msg);
}

/* --- fs ops ------------------------------------------------------------------------------ */

static int a_iget(struct vfs_sb *sb, struct vfs_inode *ip)
{
    struct tfs_vol *vol = container_of(sb, struct tfs_mnt, sb)->vol;
    struct tfs_attr a;
    int rc = tfs_getattr(vol, ip->ino, &a);
    if (rc == 0)
        rc = tfs_hold(vol, ip->ino);
    if (rc)
        return rc;
    ip->mode = a.mode;
    ip->ops = &tfs_iops;
    return 0;
}

static void a_iput(struct vfs_inode *ip)
{
    int rc = tfs_release(VOL(ip), ip->ino);
    if (rc)
        log_warn("tfs: releasing inode %llu: error %d\n", (unsigned long long)ip->ino, rc);
}

static int a_statfs(struct vfs_sb *sb, struct vfs_statfs *st)
{
    struct tfs_statfs t;
    int rc = tfs_statfs(container_of(sb, struct tfs_mnt, sb)->vol, &t);
    if (rc)
        return rc;
    st->f_type = VFS_TFS_MAGIC;
    st->f_bsize = t.block_size;
    st->f_blocks = t.blocks;
    st->f_bfree = t.free_blocks;
    st->f_bavail = t.avail_blocks;
    st->f_files = t.files + t.free_files;
    st->f_ffree = t.free_files;
    st->f_namelen = t.name_max;
    st->f_frsize = t.block_size;
    memcpy(&st->f_fsid[1], t.uuid, sizeof(int32_t));
    return 0;
}

static int a_sync(struct vfs_sb *sb)
{
    return tfs_sync(container_of(sb, struct tfs_mnt, sb)->vol);
}

static int a_unmount(struct vfs_sb *sb)
{
    struct tfs_mnt *m = container_of(sb, struct tfs_mnt, sb);
    int rc = tfs_unmount(m->vol);
    kfree(m);
    return rc;
}

static const struct vfs_fs_ops tfs_fs_ops = {
    .name = "tfs",
    .iget = a_iget,
    .iput = a_iput,
    .statfs = a_statfs,
    .sync = a_sync,
    .unmount = a_unmount,
};

/* The page cache budget unless the mount says: 1/8 of RAM, so that a program's files (python3
 * reads ~10 MiB of them at start-up, docs/readahead.md) stay cached, and at least 8 MiB. */
static uint64_t default_cache(void)
{
    struct page_stats ps;
    page_get_stats(&ps);
    uint64_t share = ps.total_pages / VFS_TFS_CACHE_SHARE * PAGE_SIZE;
    return share > VFS_TFS_DEFAULT_CACHE ? share : VFS_TFS_DEFAULT_CACHE;
}

int vfs_tfs_mount(struct vfs_file *dirf, const char *path, struct tfs_dev *dev,
                  const struct vfs_tfs_opts *opts, struct vfs_sb **out)
{
    struct tfs_mnt *m = kzalloc(sizeof(*m));
    if (!m)
        return -ENOMEM;
    unsigned flags = opts ? opts->flags : 0;
    uint64_t cache = opts && opts->cache_bytes ? opts->cache_bytes : default_cache();
    struct tfs_mount_opts mo = {
        .read_only = flags & VFS_MNT_RDONLY,
        .clock = tfs_clock,
        .report = tfs_report,
    };
    int rc = tfs_mount(dev, &mo, &m->vol);
    if (rc) {
        kfree(m);
        return rc;
    }
    vfs_sb_init(&m->sb, &tfs_fs_ops, m, TFS_ROOT_INO, flags);
    rc = vfs_pcache_attach(&m->sb, cache);
    if (rc == 0)
        rc = vfs_mount(dirf, path, &m->sb);
    if (rc) {
        if (m->sb.pc)
            pcache_detach(&m->sb);
        tfs_unmount(m->vol);
        kfree(m);
        return rc;
    }
    if (out)
        *out = &m->sb;
    return 0;
}

long vfs_tfs_getxattr_raw(struct vfs_sb *sb, uint64_t ino, const char *name, void *buf,
                          size_t size)
{
    if (!sb || sb->ops != &tfs_fs_ops)
        return -EINVAL;
    sb_lock(sb);
    long n = tfs_getxattr(container_of(sb, struct tfs_mnt, sb)->vol, ino, name, buf, size);
    sb_unlock(sb);
    return n;
}

/* --- inode ops --------------------------------------------------------------------------- */

static int a_getattr(struct vfs_inode *ip, struct vfs_attr *out)
{
    struct tfs_attr a;
    int rc = tfs_getattr(VOL(ip), ip->ino, &a);
    if (rc)
        return rc;
    out->mode = a.mode;
    out->nlink = a.nlink;
    out->uid = a.uid;
    out->gid = a.gid;
    out->rdev = a.rdev;
    out->size = a.size;
    out->blocks = a.blocks;
    out->atime = from_tfs(a.atime);
    out->mtime = from_tfs(a.mtime);
    out->ctime = from_tfs(a.ctime);
    return 0;
}

static int a_setattr(struct vfs_inode *ip, const struct vfs_setattr *sa)
{
    struct tfs_attr a;
    memset(&a, 0, sizeof(a));
    unsigned mask = 0;
    if (sa->valid & VFS_SET_MODE) {
        mask |= TFS_SET_MODE;
        a.mode = sa->mode;
    }
    if (sa->valid & VFS_SET_UID) {
        mask |= TFS_SET_UID;
        a.uid = sa->uid;
    }
    if (sa->valid & VFS_SET_GID) {
        mask |= TFS_SET_GID;
        a.gid = sa->gid;
    }
    if (sa->valid & VFS_SET_SIZE) {
        mask |= TFS_SET_SIZE;
        a.size = sa->size;
    }
    if (sa->valid & VFS_SET_ATIME) {
        mask |= TFS_SET_ATIME;
        a.atime = to_tfs(sa->atime);
    }
    if (sa->valid & VFS_SET_MTIME) {
        mask |= TFS_SET_MTIME;
        a.mtime = to_tfs(sa->mtime);
    }
    if (sa->valid & VFS_SET_CTIME) {
        mask |= TFS_SET_CTIME;
        a.ctime = to_tfs(sa->ctime);
    }
    return tfs_setattr(VOL(ip), ip->ino, &a, mask);
}

static int a_lookup(struct vfs_inode *dir, const char *name, uint64_t *ino)
{
    return tfs_lookup(VOL(dir), dir->ino, name, strlen(name), ino);
}

static int a_create(struct vfs_inode *dir, const char *name, uint32_t mode, uint64_t rdev,
                    uint64_t *ino)
{
    return tfs_create(VOL(dir), dir->ino, name, strlen(name), mode, 0, 0, rdev, ino);
}

static int a_symlink(struct vfs_inode *dir, const char *name, const char *target, uint64_t *ino)
{
    return tfs_symlink(VOL(dir), dir->ino, name, strlen(name), target, strlen(target), 0, 0, ino);
}

static int a_link(struct vfs_inode *dir, const char *name, struct vfs_inode *ip)
{
    return tfs_link(VOL(dir), ip->ino, dir->ino, name, strlen(name));
}

static int a_unlink(struct vfs_inode *dir, const char *name)
{
    return tfs_unlink(VOL(dir), dir->ino, name, strlen(name));
}

static int a_rmdir(struct vfs_inode *dir, const char *name)
{
    return tfs_rmdir(VOL(dir), dir->ino, name, strlen(name));
}

static int a_rename(struct vfs_inode *odir, const char *oname, struct vfs_inode *ndir,
                    const char *nname, unsigned flags)
{
    return tfs_rename(VOL(odir), odir->ino, oname, strlen(oname), ndir->ino, nname, strlen(nname),
                      flags);
}

struct rd_ctx {
    vfs_dirent_fn *fn;
    void *ctx;
};

static int rd_fill(void *arg, const char *name, size_t len, uint64_t ino, unsigned dtype,
                   uint64_t next)
{
    struct rd_ctx *c = arg;
    return c->fn(c->ctx, name, len, ino, dtype, next);
}

static int a_readdir(struct vfs_inode *dir, uint64_t cookie, vfs_dirent_fn *fn, void *ctx)
{
    struct rd_ctx c = {fn, ctx};
    return tfs_readdir(VOL(dir), dir->ino, &cookie, rd_fill, &c);
}

static long a_readlink(struct vfs_inode *ip, char *buf, size_t size)
{
    return tfs_readlink(VOL(ip), ip->ino, buf, size);
}

static long a_pread(struct vfs_inode *ip, void *buf, size_t n, uint64_t off)
{
    return (long)tfs_read(VOL(ip), ip->ino, off, buf, n);
}

static long a_pwrite(struct vfs_inode *ip, const void *buf, size_t n, uint64_t off)
{
    return (long)tfs_write(VOL(ip), ip->ino, off, buf, n);
}

_Static_assert(VFS_PAGE_SIZE == TFS_BLOCK_SIZE, "a cached page is one TFS block");

/* Dirtying a cached page reserves its block's write-back in TFS (fs/tfs/resv.c): -ENOSPC
 * now, never at write-back. */
static int a_reserve(struct vfs_inode *ip, uint64_t off, uint64_t len)
{
    return tfs_reserve(VOL(ip), ip->ino, off, len);
}

static void a_unreserve(struct vfs_inode *ip, uint64_t off, uint64_t len)
{
    tfs_unreserve(VOL(ip), ip->ino, off, len);
}

static int a_fallocate(struct vfs_inode *ip, int mode, uint64_t off, uint64_t len)
{
    return tfs_fallocate(VOL(ip), ip->ino, (unsigned)mode, off, len);
}

static int a_fsync(struct vfs_inode *ip, bool datasync)
{
    return datasync ? tfs_fdatasync(VOL(ip), ip->ino) : tfs_fsync(VOL(ip), ip->ino);
}

static long a_getxattr(struct vfs_inode *ip, const char *name, void *buf, size_t size)
{
    return tfs_getxattr(VOL(ip), ip->ino, name, buf, size);
}

static int a_setxattr(struct vfs_inode *ip, const char *name, const void *val, size_t size,
                      int flags)
{
    return tfs_setxattr(VOL(ip), ip->ino, name, val, size, (unsigned)flags);
}

static long a_listxattr(struct vfs_inode *ip, char *buf, size_t size)
{
    return tfs_listxattr(VOL(ip), ip->ino, buf, size);
}

static int a_removexattr(struct vfs_inode *ip, const char *name)
{
    return tfs_removexattr(VOL(ip), ip->ino, name);
}

static const struct vfs_inode_ops tfs_iops = {
    .getattr = a_getattr,
    .setattr = a_setattr,
    .lookup = a_lookup,
    .create = a_create,
    .symlink = a_symlink,
    .link = a_link,
    .unlink = a_unlink,
    .rmdir = a_rmdir,
    .rename = a_rename,
    .readdir = a_readdir,
    .readlink = a_readlink,
    .pread = a_pread,
    .pwrite = a_pwrite,
    .fallocate = a_fallocate,
    .reserve = a_reserve,
    .unreserve = a_unreserve,
    .fsync = a_fsync,
    .getxattr = a_getxattr,
    .setxattr = a_setxattr,
    .listxattr = a_listxattr,
    .removexattr = a_removexattr,
};
