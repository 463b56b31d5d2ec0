/*
 * memfd.c - the files of memfd_create: unlinked regular files of one internal memfs.
 *
 * The instance is made on first use and mounted nowhere, so no path reaches its files; each
 * file is created with no link and opened at once, and memfs frees it when the last
 * description (and so the last inode reference) goes. Everything else a memfd does - read,
 * write, mmap, ftruncate, fstat, seals - is the VFS kind over memfs (memfs.c has the seal
 * rules). The instance is given back by vfs_shutdown once no memfd is open.
 */
#include "fs/vfs/memfs.h"
#include "fs/vfs/vfs_internal.h"
#include "hal/hal_errno.h"

/* The instance (VFS mutex held). */
static int memfd_sb(struct vfs_sb **out)
{
    int rc = 0;

    if (!vfs.memfd_sb) {
        rc = memfs_create_unmounted(&vfs.memfd_sb);
        if (rc == 0)
            vfs.memfd_sb->dev = vfs.next_dev++;
    }
    *out = vfs.memfd_sb;
    return rc;
}

int memfs_memfd_create(uint32_t mode, unsigned seals, struct vfs_file **out)
{
    struct vfs_inode *ip;
    struct vfs_sb *sb;
    uint64_t ino;
    int rc;

    vfs_lock();
    rc = memfd_sb(&sb);
    if (rc == 0) {
        sb_lock(sb);
        rc = memfs_new_unlinked(sb, mode, seals, &ino);
        sb_unlock(sb);
    }
    if (rc == 0)
        rc = inode_get(sb, ino, &ip); /* on failure memfs keeps an orphan until vfs_init */
    if (rc == 0) {
        rc = vfs_file_alloc(ip, VFS_O_RDWR | VFS_O_LARGEFILE, out);
        inode_put(ip); /* the description holds its own reference, or the node goes now */
    }
    vfs_unlock();
    return rc;
}

void memfd_shutdown(void)
{
    struct vfs_sb *sb = vfs.memfd_sb;

    if (sb && sb->ninodes == 0) {
        sb->ops->unmount(sb);
        vfs.memfd_sb = NULL;
    }
}
