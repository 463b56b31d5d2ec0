/*
 * mount.c - the VFS state and the mount table.
 *
 * The first filesystem mounted becomes "/". Others cover a directory: the covered inode
 * points at the sb mounted on it (covered_by) and the sb points back (mountpoint), both
 * holding references, which is all the path walk needs to cross in either direction.
 * Mounting on a directory that is itself a mount root stacks, as on Linux.
 */
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/lib/log.h"
#include "fs/vfs/notify.h"
#include "fs/vfs/vfs_internal.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"

struct vfs_state vfs;

static struct {
    struct thread *t;
    uint64_t interval;
    bool stop;
    struct wait_queue wq;
} flusher;

void vfs_init(void)
{
    /* Forget any earlier state without freeing it: after a (hosted) reboot the heap it
     * lived in is gone. */
    memset(&vfs, 0, sizeof(vfs));
    memset(&flusher, 0, sizeof(flusher));
    mutex_init(&vfs.lock, "vfs");
    hash_init(&vfs.icache, 64);
    hash_init(&vfs.dcache, 64);
    list_init(&vfs.mounts);
    icache_init();
    dcache_init();
    vfs.dcache_max = 1024;
    vfs.next_dev = 1;
    vfs.ready = true;
}

struct vfs_timespec vfs_now(void)
{
    uint64_t ns = hal_wallclock_ns();
    struct vfs_timespec t = {(int64_t)(ns / 1000000000u), (int64_t)(ns % 1000000000u)};
    return t;
}

unsigned vfs_dtype(uint32_t mode)
{
    return (mode & VFS_S_IFMT) >> 12;
}

void vfs_sb_init(struct vfs_sb *sb, const struct vfs_fs_ops *ops, void *priv, uint64_t root_ino,
                 unsigned flags)
{
    memset(sb, 0, sizeof(*sb));
    sb->ops = ops;
    sb->priv = priv;
    sb->root_ino = root_ino;
    sb->flags = flags;
    mutex_init(&sb->lock, ops->name);
    list_node_init(&sb->mnt_node);
}

static bool sb_mounted(const struct vfs_sb *sb)
{
    return list_node_linked(&sb->mnt_node);
}

int vfs_mount(struct vfs_file *dirf, const char *path, struct vfs_sb *sb)
{
    if (sb_mounted(sb))
        return -EBUSY;
    vfs_lock();
    struct vfs_inode *mp = NULL;
    int rc = 0;
    if (vfs.root_sb) {
        rc = namei_path(dirf, path, 0, &mp);
        if (rc == 0 && !vfs_isdir(mp))
            rc = -ENOTDIR;
        if (rc)
            goto out;
    }
    sb->dev = vfs.next_dev++;
    rc = inode_get(sb, sb->root_ino, &sb->root);
    if (rc == 0 && !vfs_isdir(sb->root)) {
        inode_put(sb->root);
        rc = -ENOTDIR;
    }
    if (rc) {
        sb->root = NULL;
        goto out;
    }
    list_push_back(&vfs.mounts, &sb->mnt_node);
    if (mp) {
        sb->mountpoint = mp; /* keeps the walk's reference */
        mp->covered_by = sb;
        mp = NULL;
    } else {
        vfs.root_sb = sb;
    }
out:
    if (mp)
        inode_put(mp);
    vfs_unlock();
    return rc;
}

/* Write back and sync one sb (sb mutex not held). */
static int sb_sync(struct vfs_sb *sb)
{
    sb_lock(sb);
    int rc = 0;
    if (sb->pc)
        rc = pcache_writeback_sb(sb, 0);
    if (sb->ops->sync && !sb_rdonly(sb)) {
        int r2 = sb->ops->sync(sb);
        if (rc == 0)
            rc = r2;
    }
    sb_unlock(sb);
    return rc;
}

/* Take sb out of the namespace; VFS mutex held. Fails with -EBUSY if anything is in use. */
static int do_umount(struct vfs_sb *sb, bool force)
{
    list_for_each(&vfs.mounts, n)
    {
        struct vfs_sb *o = container_of(n, struct vfs_sb, mnt_node);
        if (o != sb && o->mountpoint && o->mountpoint->sb == sb)
            return -EBUSY;
    }
    if (sb->root->covered_by)
        return -EBUSY;
    dcache_purge_sb(sb);
    if (vfs_notify_active())
        vfs_notify_unmount(sb, force); /* watches do not keep a mount busy */
    if (sb->ninodes != 1 || sb->root->refs != 1) {
        if (!force)
            return -EBUSY;
        log_warn("vfs: forced unmount of %s with %u inodes in use\n", sb->ops->name, sb->ninodes);
    }
    int rc = sb_sync(sb);
    inode_put(sb->root);
    sb->root = NULL;
    if (sb->mountpoint) {
        sb->mountpoint->covered_by = NULL;
        inode_put(sb->mountpoint);
        sb->mountpoint = NULL;
    } else {
        vfs.root_sb = NULL;
    }
    list_remove(&sb->mnt_node);
    sb_lock(sb);
    if (sb->pc)
        pcache_detach(sb);
    sb_unlock(sb);
    if (sb->ops->unmount) {
        int r2 = sb->ops->unmount(sb); /* may free sb */
        if (rc == 0)
            rc = r2;
    }
    return rc;
}

int vfs_umount(struct vfs_file *dirf, const char *path)
{
    vfs_lock();
    struct vfs_inode *ip;
    int rc = namei_path(dirf, path, 0, &ip);
    if (rc)
        goto out;
    struct vfs_sb *sb = ip->sb;
    inode_put(ip);
    if (ip != sb->root)
        rc = -EINVAL;
    else if (sb == vfs.root_sb && list_length(&vfs.mounts) > 1)
        rc = -EBUSY;
    else
        rc = do_umount(sb, false);
out:
    vfs_unlock();
    return rc;
}

int vfs_shutdown(void)
{
    int rc = 0;
    vfs_flusher_stop();
    vfs_lock();
    struct list_node *n;
    while ((n = list_last(&vfs.mounts)) != NULL) {
        int r = do_umount(container_of(n, struct vfs_sb, mnt_node), true);
        if (rc == 0)
            rc = r;
    }
    memfd_shutdown();
    /* When everything is gone (no description left open), give the tables back their
     * first size. */
    if (vfs.ninodes == 0 && vfs.ndentries == 0) {
        hash_destroy(&vfs.icache);
        hash_destroy(&vfs.dcache);
        hash_init(&vfs.icache, 64);
        hash_init(&vfs.dcache, 64);
    }
    vfs_unlock();
    return rc;
}

int vfs_remount(struct vfs_sb *sb, unsigned flags)
{
    int rc = 0;
    if ((flags & VFS_MNT_RDONLY) && !sb_rdonly(sb))
        rc = sb_sync(sb);
    if (rc == 0)
        sb->flags = flags;
    return rc;
}

int vfs_sync(void)
{
    int rc = 0;
    vfs_lock();
    list_for_each(&vfs.mounts, n)
    {
        int r = sb_sync(container_of(n, struct vfs_sb, mnt_node));
        if (rc == 0)
            rc = r;
    }
    vfs_unlock();
    return rc;
}

int vfs_flush_periodic(uint64_t max_age_ns)
{
    int rc = 0;
    vfs_lock();
    list_for_each(&vfs.mounts, n)
    {
        struct vfs_sb *sb = container_of(n, struct vfs_sb, mnt_node);
        if (!sb->pc)
            continue;
        sb_lock(sb);
        int r = pcache_writeback_sb(sb, max_age_ns);
        sb_unlock(sb);
        if (rc == 0)
            rc = r;
    }
    vfs_unlock();
    return rc;
}

/* --- the periodic flusher thread ------------------------------------------------------ */

static void flusher_main(void *arg)
{
    (void)arg;
    while (!flusher.stop) {
        wq_wait(&flusher.wq, hal_clock_ns() + flusher.interval);
        if (!flusher.stop)
            vfs_flush_periodic(flusher.interval);
    }
}

int vfs_flusher_start(uint64_t interval_ns)
{
    if (flusher.t)
        return -EBUSY;
    flusher.interval = interval_ns ? interval_ns : 1;
    flusher.stop = false;
    wq_init(&flusher.wq, "vfs-flusher");
    flusher.t = thread_create("vfs-flush", flusher_main, NULL);
    return flusher.t ? 0 : -ENOMEM;
}

void vfs_flusher_stop(void)
{
    if (!flusher.t)
        return;
    flusher.stop = true;
    wq_wake_all(&flusher.wq);
    thread_join(flusher.t);
    flusher.t = NULL;
}
