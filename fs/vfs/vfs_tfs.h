/*
 * vfs_tfs.h - TFS under the VFS, and HAL block devices under TFS.
 *
 *   vfs_tfs_mount()   mount a TFS volume (from any struct tfs_dev) with a page cache
 *   vfs_blkdev        a struct tfs_dev over a HAL block device: TFS's synchronous block
 *                     calls become asynchronous hal_blk requests, and the calling thread
 *                     sleeps on a wait queue until their completions arrive
 */
#ifndef FS_VFS_VFS_TFS_H
#define FS_VFS_VFS_TFS_H

#include <stdint.h>

#include "fs/tfs/tfs.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_blk.h"

#define VFS_TFS_MAGIC 0x54465331 /* f_type: "TFS1" */
#define VFS_TFS_DEFAULT_CACHE (8ULL << 20)
#define VFS_TFS_CACHE_SHARE 8 /* default budget: 1/8 of RAM, at least VFS_TFS_DEFAULT_CACHE */

struct vfs_tfs_opts {
    unsigned flags;       /* VFS_MNT_RDONLY */
    uint64_t cache_bytes; /* page cache budget; 0: RAM / VFS_TFS_CACHE_SHARE (min 8 MiB) */
};

/*
 * Mount the TFS volume on dev at path (the first mount becomes "/"). Returns 0, TFS's mount
 * errors (-EUCLEAN, -EINVAL, -EIO, -EROFS), -ENOMEM, or vfs_mount()'s. *out (may be NULL)
 * receives the sb (page cache statistics, remount). vfs_umount() writes back, unmounts TFS
 * and frees it; dev stays the caller's. May sleep.
 */
int vfs_tfs_mount(struct vfs_file *dirf, const char *path, struct tfs_dev *dev,
                  const struct vfs_tfs_opts *opts, struct vfs_sb **out);

/* tfs_getxattr() on the volume mounted as sb, by TFS's own name (no Linux namespace check:
 * the boot reads the stored configuration, xattr "petrel.config", this way). Returns the
 * value's length, TFS's errors, or -EINVAL when sb is not a TFS mount. Takes the sb mutex. */
long vfs_tfs_getxattr_raw(struct vfs_sb *sb, uint64_t ino, const char *name, void *buf,
                          size_t size);

struct vfs_blkdev {
    struct tfs_dev dev; /* hand &bd->dev to TFS */
    struct hal_blk *blk;
    struct hal_blk_info info;
    uint32_t max_req;     /* bytes per request: max_req_bytes rounded to sectors */
    struct wait_queue wq; /* submitters waiting for completions; its lock guards: */
    unsigned inflight;
    uint64_t completions;
    /* statistics (submitting thread) */
    uint64_t reads, writes, flushes; /* tfs_dev calls */
    uint64_t requests, eagain, bounced;
    uint64_t busy_ns; /* time tfs_dev calls took, submission to the last completion */
};

/*
 * Wrap HAL block device index. Returns 0 or -ENODEV. The device's size is rounded down to
 * whole TFS blocks. The tfs_dev calls sleep and must run in a thread.
 */
int vfs_blkdev_open(unsigned index, struct vfs_blkdev *bd);

#endif
