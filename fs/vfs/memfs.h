/*
 * memfs.h - an in-memory filesystem (tmpfs) and the standard character devices.
 *
 * memfs holds directories, regular files (sparse, 4 KiB pages), symlinks, device nodes,
 * fifos and sockets, with xattrs, hard links and every rename flag. It serves as a tmpfs and
 * as the home of /dev (and later /proc-style nodes): a device node is an ordinary
 * character-device inode whose data goes to the driver registered for its number
 * (vfs_chrdev_register), so adding a device is a register call plus a mknod.
 */
#ifndef FS_VFS_MEMFS_H
#define FS_VFS_MEMFS_H

#include <stdint.h>

#include "fs/vfs/vfs.h"

#define MEMFS_MAGIC 0x01021994 /* f_type, as Linux's tmpfs */

struct memfs_opts {
    uint64_t max_bytes; /* file data limit (ENOSPC past it); 0: no limit */
    uint32_t root_mode; /* permission bits of the root (0: 01777 as a tmpfs, or 0755) */
    unsigned flags;     /* VFS_MNT_RDONLY */
};

/*
 * Create a memfs and mount it on path (relative to dirf; the first mount becomes "/").
 * opts may be NULL. *out (may be NULL) receives the sb, e.g. for vfs_remount. Returns 0,
 * -ENOMEM or vfs_mount()'s errors. vfs_umount() frees it.
 */
int memfs_mount(struct vfs_file *dirf, const char *path, const struct memfs_opts *opts,
                struct vfs_sb **out);

/*
 * memfd_create (fs/vfs/memfd.c): a new regular file of mode (permission bits) with seals
 * (LINUX_F_SEAL_*), in an internal memfs instance that no path reaches, opened
 * O_RDWR|O_LARGEFILE into *out. It has no name and no link; it is freed with its last
 * reference. 0 or -ENOMEM. May sleep.
 */
int memfs_memfd_create(uint32_t mode, unsigned seals, struct vfs_file **out);
/* For memfd.c: a memfs that is mounted nowhere (its sb, with no root), and a regular file in
 * it with no link (nlink 0: freed when its last inode reference goes), sb mutex held. */
int memfs_create_unmounted(struct vfs_sb **out);
int memfs_new_unlinked(struct vfs_sb *sb, uint32_t mode, unsigned seals, uint64_t *ino);
/*
 * F_GET_SEALS (add false: returns the seals) and F_ADD_SEALS (add: 0) on a memfs regular
 * file (a memfd, or a tmpfs file, whose SEAL_SEAL is set from creation). -EINVAL: not a memfs
 * regular file, or unknown seal bits; -EPERM: SEAL_SEAL is set, or f is read-only.
 */
int memfs_seals(struct vfs_file *f, bool add, unsigned seals);
/* mmap of f: -EPERM for a writable shared mapping of a file sealed against writes, else 0. */
int memfs_mmap_check(struct vfs_file *f, bool shared_write);

/* The devices every Linux program expects, with their Linux numbers. */
#define VFS_DEV_NULL VFS_MKDEV(1, 3)
#define VFS_DEV_ZERO VFS_MKDEV(1, 5)
#define VFS_DEV_FULL VFS_MKDEV(1, 7)
#define VFS_DEV_RANDOM VFS_MKDEV(1, 8)
#define VFS_DEV_URANDOM VFS_MKDEV(1, 9)
#define VFS_DEV_TTY VFS_MKDEV(5, 0) /* /dev/tty: the controlling terminal */

/* Register the null, zero, full and urandom drivers (idempotent), and create their nodes
 * (mode 0666) in the directory at dir ("/dev"). Returns 0 or the first error. */
int vfs_devices_register(void);
int vfs_devices_populate(struct vfs_file *dirf, const char *dir);

#endif
