/*
 * vfs.h - the virtual filesystem: what the syscall layer calls, and what filesystems plug into.
 *
 * Objects (docs/vfs.md draws them):
 *
 *   struct vfs_sb      one mounted filesystem instance: ops, private state, a mutex that
 *                      serializes every call into the filesystem, its root inode, the inode
 *                      it covers (NULL for "/"), flags (read-only), an optional page cache.
 *   struct vfs_inode   one file, cached by (sb, ino) while referenced; refcounted.
 *   dentries           (directory inode, name) -> inode or "negative", bounded LRU (internal).
 *   struct vfs_file    an open file description: inode, offset, flags, refcount. The fd table
 *                      belongs to the process layer; it holds vfs_file pointers.
 *
 * Every function mirroring a syscall returns 0 / a byte count / -errno exactly as Linux
 * x86-64 would for the same call made by root. Paths are kernel strings (copied in by the
 * caller). `dirf` plays the role of the dirfd: the description of an open directory, or the
 * process's cwd description for AT_FDCWD; NULL means "/". umask is the caller's business:
 * modes are used as given.
 *
 * Locking: one VFS mutex guards the namespace (inode and dentry caches, the mount table,
 * parent links, inode refcounts); each sb's mutex guards the filesystem and its page cache.
 * Order: VFS mutex, then sb mutex. Every vfs_* call below may sleep (mutexes, disk I/O) and
 * must be called from a thread, with no spinlock held.
 */
#ifndef FS_VFS_VFS_H
#define FS_VFS_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/abi/fcntl.h"
#include "core/abi/limits.h"
#include "core/abi/stat.h"
#include "core/lib/hash.h"
#include "core/lib/list.h"
#include "core/lib/rbtree.h"
#include "core/sched/sched.h"

/* --- limits and Linux constants: core/abi's, under the VFS's names ------------------------ */

#define VFS_NAME_MAX LINUX_NAME_MAX
#define VFS_PATH_MAX LINUX_PATH_MAX
#define VFS_SYMLOOP_MAX LINUX_MAXSYMLINKS
#define VFS_XATTR_NAME_MAX LINUX_XATTR_NAME_MAX
#define VFS_XATTR_SIZE_MAX LINUX_XATTR_SIZE_MAX
#define VFS_PAGE_SIZE 4096u

#define VFS_O_ACCMODE LINUX_O_ACCMODE
#define VFS_O_RDONLY LINUX_O_RDONLY
#define VFS_O_WRONLY LINUX_O_WRONLY
#define VFS_O_RDWR LINUX_O_RDWR
#define VFS_O_CREAT LINUX_O_CREAT
#define VFS_O_EXCL LINUX_O_EXCL
#define VFS_O_NOCTTY LINUX_O_NOCTTY
#define VFS_O_TRUNC LINUX_O_TRUNC
#define VFS_O_APPEND LINUX_O_APPEND
#define VFS_O_NONBLOCK LINUX_O_NONBLOCK
#define VFS_O_DSYNC LINUX_O_DSYNC
#define VFS_O_DIRECT LINUX_O_DIRECT
#define VFS_O_LARGEFILE LINUX_O_LARGEFILE
#define VFS_O_DIRECTORY LINUX_O_DIRECTORY
#define VFS_O_NOFOLLOW LINUX_O_NOFOLLOW
#define VFS_O_NOATIME LINUX_O_NOATIME
#define VFS_O_CLOEXEC LINUX_O_CLOEXEC
#define VFS_O_SYNC LINUX_O_SYNC
#define VFS_O_PATH LINUX_O_PATH
#define VFS_O_TMPFILE LINUX___O_TMPFILE /* with O_DIRECTORY */

/* What a description with these flags is open for (Linux's FMODE_READ, FMODE_WRITE): the
 * access mode plus one (O_RDONLY: read, O_WRONLY: write, O_RDWR: both, 3: neither), nothing
 * for an O_PATH handle. */
#define VFS_FMODE_READ 1u
#define VFS_FMODE_WRITE 2u
static inline unsigned vfs_fmode(unsigned flags)
{
    return (flags & VFS_O_PATH) ? 0 : ((flags & VFS_O_ACCMODE) + 1) & 3u;
}

#define VFS_AT_FDCWD LINUX_AT_FDCWD
#define VFS_AT_SYMLINK_NOFOLLOW LINUX_AT_SYMLINK_NOFOLLOW
#define VFS_AT_REMOVEDIR LINUX_AT_REMOVEDIR
#define VFS_AT_SYMLINK_FOLLOW LINUX_AT_SYMLINK_FOLLOW
#define VFS_AT_NO_AUTOMOUNT LINUX_AT_NO_AUTOMOUNT
#define VFS_AT_EMPTY_PATH LINUX_AT_EMPTY_PATH

#define VFS_RENAME_NOREPLACE LINUX_RENAME_NOREPLACE
#define VFS_RENAME_EXCHANGE LINUX_RENAME_EXCHANGE
#define VFS_RENAME_WHITEOUT LINUX_RENAME_WHITEOUT

#define VFS_FALLOC_FL_KEEP_SIZE LINUX_FALLOC_FL_KEEP_SIZE
#define VFS_FALLOC_FL_PUNCH_HOLE LINUX_FALLOC_FL_PUNCH_HOLE
#define VFS_FALLOC_FL_ZERO_RANGE LINUX_FALLOC_FL_ZERO_RANGE

#define VFS_SEEK_SET LINUX_SEEK_SET
#define VFS_SEEK_CUR LINUX_SEEK_CUR
#define VFS_SEEK_END LINUX_SEEK_END
#define VFS_SEEK_DATA LINUX_SEEK_DATA
#define VFS_SEEK_HOLE LINUX_SEEK_HOLE

#define VFS_S_IFMT ((uint32_t)LINUX_S_IFMT)
#define VFS_S_IFSOCK ((uint32_t)LINUX_S_IFSOCK)
#define VFS_S_IFLNK ((uint32_t)LINUX_S_IFLNK)
#define VFS_S_IFREG ((uint32_t)LINUX_S_IFREG)
#define VFS_S_IFBLK ((uint32_t)LINUX_S_IFBLK)
#define VFS_S_IFDIR ((uint32_t)LINUX_S_IFDIR)
#define VFS_S_IFCHR ((uint32_t)LINUX_S_IFCHR)
#define VFS_S_IFIFO ((uint32_t)LINUX_S_IFIFO)
#define VFS_S_ISTYPE(m, t) (((m)&VFS_S_IFMT) == (t))

#define VFS_DT_UNKNOWN LINUX_DT_UNKNOWN
#define VFS_DT_FIFO LINUX_DT_FIFO
#define VFS_DT_CHR LINUX_DT_CHR
#define VFS_DT_DIR LINUX_DT_DIR
#define VFS_DT_BLK LINUX_DT_BLK
#define VFS_DT_REG LINUX_DT_REG
#define VFS_DT_LNK LINUX_DT_LNK
#define VFS_DT_SOCK LINUX_DT_SOCK

#define VFS_UTIME_NOW LINUX_UTIME_NOW
#define VFS_UTIME_OMIT LINUX_UTIME_OMIT

#define VFS_XATTR_CREATE LINUX_XATTR_CREATE
#define VFS_XATTR_REPLACE LINUX_XATTR_REPLACE

/* --- Linux x86-64 ABI structures --------------------------------------------------------- */

struct vfs_timespec {
    int64_t tv_sec;
    int64_t tv_nsec;
};

/* struct stat as the x86-64 kernel writes it (144 bytes). */
struct vfs_stat {
    uint64_t st_dev;
    uint64_t st_ino;
    uint64_t st_nlink;
    uint32_t st_mode;
    uint32_t st_uid;
    uint32_t st_gid;
    int32_t pad0;
    uint64_t st_rdev;
    int64_t st_size;
    int64_t st_blksize;
    int64_t st_blocks; /* 512-byte units */
    struct vfs_timespec st_atim;
    struct vfs_timespec st_mtim;
    struct vfs_timespec st_ctim;
    int64_t unused[3];
};

/* struct statfs (x86-64, 120 bytes). */
struct vfs_statfs {
    int64_t f_type;
    int64_t f_bsize;
    uint64_t f_blocks;
    uint64_t f_bfree;
    uint64_t f_bavail;
    uint64_t f_files;
    uint64_t f_ffree;
    int32_t f_fsid[2];
    int64_t f_namelen;
    int64_t f_frsize;
    int64_t f_flags;
    int64_t f_spare[4];
};

#define VFS_ST_RDONLY LINUX_ST_RDONLY /* f_flags */

/* struct linux_dirent64 header; d_name follows, NUL-terminated, record padded to 8. */
struct vfs_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    uint16_t d_reclen;
    uint8_t d_type;
    char d_name[];
};

/* The structures above are what the syscalls copy out as is: core/abi's layouts. */
_Static_assert(sizeof(struct vfs_stat) == sizeof(struct linux_stat), "vfs_stat is linux_stat");
_Static_assert(offsetof(struct vfs_stat, st_blocks) == offsetof(struct linux_stat, st_blocks),
               "vfs_stat st_blocks");
_Static_assert(offsetof(struct vfs_stat, st_atim) == offsetof(struct linux_stat, st_atime_sec),
               "vfs_stat st_atim");
_Static_assert(offsetof(struct vfs_stat, st_ctim) == offsetof(struct linux_stat, st_ctime_sec),
               "vfs_stat st_ctim");
_Static_assert(sizeof(struct vfs_statfs) == sizeof(struct linux_statfs), "vfs_statfs");
_Static_assert(offsetof(struct vfs_statfs, f_namelen) == offsetof(struct linux_statfs, f_namelen),
               "vfs_statfs f_namelen");
_Static_assert(offsetof(struct vfs_dirent64, d_name) == offsetof(struct linux_dirent64, d_name),
               "vfs_dirent64 d_name");

/* --- the filesystem interface ------------------------------------------------------------ */

struct vfs_sb;
struct vfs_inode;
struct vfs_file;
struct vfs_notify_conn;

/* What getattr reports (a stat without st_dev/blksize). */
struct vfs_attr {
    uint32_t mode; /* type and permission bits */
    uint32_t nlink;
    uint32_t uid, gid;
    uint64_t rdev;
    uint64_t size;
    uint64_t blocks; /* 512-byte units */
    struct vfs_timespec atime, mtime, ctime;
};

#define VFS_SET_MODE 0x01u
#define VFS_SET_UID 0x02u
#define VFS_SET_GID 0x04u
#define VFS_SET_SIZE 0x08u
#define VFS_SET_ATIME 0x10u
#define VFS_SET_MTIME 0x20u
#define VFS_SET_CTIME 0x40u

struct vfs_setattr {
    unsigned valid; /* VFS_SET_* */
    uint32_t mode;  /* permission bits only (07777) */
    uint32_t uid, gid;
    uint64_t size;
    struct vfs_timespec atime, mtime, ctime;
};

/*
 * readdir callback: one entry; next is the cookie that resumes after it. Return nonzero to
 * stop (the entry was not consumed).
 */
typedef int vfs_dirent_fn(void *ctx, const char *name, size_t len, uint64_t ino, unsigned dtype,
                          uint64_t next);

/*
 * Per-inode operations. The VFS calls them with the sb mutex held, after checking everything
 * generic: types,
 * existence, name lengths, flags, read-only mounts. Names are NUL-terminated, 1..255 bytes,
 * never "." or "..". Each returns 0 / a count / -errno. NULL means "not supported".
 */
struct vfs_inode_ops {
    int (*getattr)(struct vfs_inode *ip, struct vfs_attr *out);
    int (*setattr)(struct vfs_inode *ip, const struct vfs_setattr *sa);
    /* directories: look up / create a child, reporting its inode number */
    int (*lookup)(struct vfs_inode *dir, const char *name, uint64_t *ino); /* -ENOENT */
    int (*create)(struct vfs_inode *dir, const char *name, uint32_t mode, uint64_t rdev,
                  uint64_t *ino); /* regular files, directories, device nodes, fifos */
    int (*symlink)(struct vfs_inode *dir, const char *name, const char *target, uint64_t *ino);
    int (*link)(struct vfs_inode *dir, const char *name, struct vfs_inode *ip);
    int (*unlink)(struct vfs_inode *dir, const char *name);
    int (*rmdir)(struct vfs_inode *dir, const char *name); /* -ENOTEMPTY */
    int (*rename)(struct vfs_inode *odir, const char *oname, struct vfs_inode *ndir,
                  const char *nname, unsigned flags);
    /* entries from cookie on (cookie 0: the first); "." and ".." are the VFS's */
    int (*readdir)(struct vfs_inode *dir, uint64_t cookie, vfs_dirent_fn *fn, void *ctx);
    /* symlinks: copy up to size bytes of the target; returns the target's full length */
    long (*readlink)(struct vfs_inode *ip, char *buf, size_t size);
    /* file data at an offset; used directly or, when the sb has a page cache, to fill and
     * write back pages (pwrite then never runs past the size the VFS knows) */
    long (*pread)(struct vfs_inode *ip, void *buf, size_t n, uint64_t off);
    long (*pwrite)(struct vfs_inode *ip, const void *buf, size_t n, uint64_t off);
    /* optional, for a sb without a page cache: pread straight into the active user address
     * space at ubuf with hal_copy_to_user, which never brings a page in: it stops at a
     * destination that is not there now (*fault set) and returns what it copied before it */
    long (*pread_user)(struct vfs_inode *ip, uint64_t ubuf, size_t n, uint64_t off,
                       bool *fault);
    /* optional, synthetic files (procfs): read(2) through an open file, which keeps the text
     * generated at its read from offset 0 (f->snap) and answers later offsets from it, as
     * Linux's seq_file does: a file read in pieces is one consistent text, and a read at its
     * end is 0 even when the text would now be longer (a counter gained a digit).
     * release_file frees f->snap when the file closes. Under the sb mutex, like pread. */
    long (*read_file)(struct vfs_file *f, void *buf, size_t n, uint64_t off);
    void (*release_file)(struct vfs_file *f);
    int (*fallocate)(struct vfs_inode *ip, int mode, uint64_t off, uint64_t len);
    /* SEEK_DATA / SEEK_HOLE from off (< size); NULL: the whole file is data */
    int (*seek_data)(struct vfs_inode *ip, int whence, uint64_t off, uint64_t *out);
    int (*fsync)(struct vfs_inode *ip, bool datasync);
    /* xattrs; get/list with size 0 return the size needed */
    long (*getxattr)(struct vfs_inode *ip, const char *name, void *buf, size_t size);
    int (*setxattr)(struct vfs_inode *ip, const char *name, const void *val, size_t size,
                    int flags);
    long (*listxattr)(struct vfs_inode *ip, char *buf, size_t size);
    int (*removexattr)(struct vfs_inode *ip, const char *name);
    /* Page-cached filesystems, optional: the clean cached page [off, off+len) is about to
     * become dirty - set aside what writing it back needs, so that write-back cannot fail for
     * lack of space (-ENOSPC: the room is not there, the page stays clean); unreserve: a
     * dirty page was dropped without being written back, or written back and still dirty. */
    int (*reserve)(struct vfs_inode *ip, uint64_t off, uint64_t len);
    void (*unreserve)(struct vfs_inode *ip, uint64_t off, uint64_t len);
    /* Shared mappings of a filesystem without a page cache (pcache.c uses its own pages):
     * the page at idx (a hole gets a zeroed page: -ENOSPC when none), pinned - truncation
     * and hole punching zero a pinned page instead of freeing it - until unmap_page. */
    int (*map_page)(struct vfs_inode *ip, uint64_t idx, void **handle, uint8_t **data);
    void (*unmap_page)(struct vfs_inode *ip, void *handle);
};

/* Per-filesystem operations, called with the sb mutex held. */
struct vfs_fs_ops {
    const char *name;
    /* Fill ip->ops, ip->priv, ip->mode (at least the type) for inode ip->ino. */
    int (*iget)(struct vfs_sb *sb, struct vfs_inode *ip);
    /* ip leaves the inode cache (no reference left): release ip->priv. */
    void (*iput)(struct vfs_inode *ip);
    int (*statfs)(struct vfs_sb *sb, struct vfs_statfs *st);
    int (*sync)(struct vfs_sb *sb);
    /* After the last inode is gone, with no lock held: release sb->priv, and sb itself when
     * the filesystem allocated it. Returns the filesystem's last error (0). */
    int (*unmount)(struct vfs_sb *sb);
};

/*
 * Character devices. A driver registers for a device number; opening a character-device
 * node of any filesystem with that rdev binds the description to the driver (no driver:
 * ENXIO), and its data then goes through these callbacks, called with no lock held (they may
 * sleep). A NULL read/write refuses that direction: EACCES at open, like a /proc file.
 *
 * open_file (optional; a driver of a layer above the VFS registers it, as fs/file/console.c
 * does for /dev/tty): the open makes a description of the driver's own kind of open file
 * (fs/file, struct file) instead of the VFS kind, as Linux's tty_open picks the tty a (5,0)
 * open means. The open-file layer calls it after the VFS open (core/syscall/sys_file.c
 * open_file) with the bound description vf, whose reference passes to *out on success;
 * 0 or -errno (the caller then releases vf). read/write are then never called through the
 * syscalls and may be NULL (the access mode is the kind's business).
 */
struct file;
struct vfs_chrdev_ops {
    int (*open)(struct vfs_file *f, void *priv);     /* optional */
    void (*release)(struct vfs_file *f, void *priv); /* optional */
    int (*open_file)(struct vfs_file *vf, void *priv, struct file **out); /* optional */
    long (*read)(struct vfs_file *f, void *priv, void *buf, size_t n, uint64_t off);
    long (*write)(struct vfs_file *f, void *priv, const void *buf, size_t n, uint64_t off);
    /* a private mapping reads the device (Linux maps only /dev/zero, as anonymous memory);
     * false: mmap is -ENODEV */
    bool mappable;
};

/* Linux's dev_t encoding (gnu_dev_makedev). */
#define VFS_MKDEV(ma, mi)                                                                          \
    ((((uint64_t)(ma)&0xfffu) << 8) | ((uint64_t)(mi)&0xffu) |                                     \
     (((uint64_t)(mi) & ~0xffull) << 12) | (((uint64_t)(ma) & ~0xfffull) << 32))

#define VFS_MAX_CHRDEV 64
/* Returns 0, -EBUSY (number taken) or -ENOSPC. Never sleeps. */
int vfs_chrdev_register(uint64_t rdev, const struct vfs_chrdev_ops *ops, void *priv);
void vfs_chrdev_unregister(uint64_t rdev);

/* Page cache statistics (per sb). */
struct vfs_pcache_stats {
    uint64_t hits, misses; /* page lookups on read/write */
    uint64_t fills;        /* pages read from the filesystem */
    uint64_t fill_reads;   /* filesystem reads that filled them (one per contiguous run) */
    uint64_t ahead;        /* pages of them read ahead of what was asked for */
    uint64_t writebacks;   /* pages written to the filesystem */
    uint64_t evictions;    /* pages dropped to stay within the budget */
    uint64_t pages, dirty; /* now */
    uint64_t mapped;       /* pages pinned by mappings now (never evicted) */
    uint64_t budget_pages;
};

struct vfs_inode {
    struct hash_node hnode; /* icache, by (sb, ino); VFS mutex */
    struct vfs_sb *sb;
    uint64_t ino;
    uint32_t mode; /* at least the S_IFMT bits (immutable) */
    const struct vfs_inode_ops *ops;
    void *priv; /* the filesystem's */
    /* VFS mutex: */
    unsigned refs;
    struct vfs_inode *parent;  /* directories: the parent in the same sb (a reference) */
    struct vfs_sb *covered_by; /* the sb mounted on this directory */
    struct list dentries;      /* cached names in this directory */
    /* sb mutex (page-cached files): */
    struct rb_tree pages;         /* cached pages by index */
    uint64_t size;                /* authoritative size while cached */
    bool size_loaded, attr_dirty; /* attr_dirty: size/mtime not yet told to the fs */
    struct vfs_timespec mtime;    /* pending mtime/ctime when attr_dirty */
    uint64_t ndirty;              /* dirty pages of this inode */
    uint64_t dirty_since;         /* clock when it became dirty */
    struct list_node dirty_node;  /* on the page cache's dirty list while dirty */
    unsigned mmap_writable;       /* atomic: shared mappings through a writable description
                                     (Linux's i_mmap_writable; F_SEAL_WRITE is -EBUSY while > 0) */
    struct vfs_notify_conn *notify; /* VFS mutex: inotify watches on it, NULL: none (notify.h) */
};

struct vfs_pcache;

struct vfs_sb {
    const struct vfs_fs_ops *ops;
    void *priv;        /* the filesystem's */
    struct mutex lock; /* serializes calls into the filesystem */
    uint64_t root_ino;
    unsigned flags; /* VFS_MNT_* */
    uint64_t dev;   /* st_dev */
    /* VFS mutex: */
    struct vfs_inode *root;
    struct vfs_inode *mountpoint; /* covered inode, NULL for "/" */
    unsigned ninodes;             /* cached inodes of this sb */
    struct list_node mnt_node;
    /* sb mutex: */
    struct vfs_pcache *pc; /* NULL: no page cache */
};

#define VFS_MNT_RDONLY 0x1u

/* Read-ahead state of an open file description (pcache.c, sb mutex); zero at open. */
struct vfs_ra {
    uint64_t start; /* first page of the last window read ahead */
    uint32_t size;  /* its pages (0: no window: the next miss starts one, if sequential) */
    uint64_t next;  /* the page after the last one read: a read starting there is sequential */
};

/* An open file description. */
struct vfs_file {
    struct vfs_inode *inode;
    uint64_t pos;   /* sb mutex (device nodes: the caller's; no lock); unused under fs/file */
    unsigned flags; /* VFS_O_* as opened (minus O_CREAT/O_EXCL/O_TRUNC/O_NOCTTY); the status
                       bits change at run time (F_SETFL through fs/file): atomic accesses */
    unsigned refs;  /* atomic */
    void *priv;     /* the device's, set by its open */
    void *snap;     /* the inode ops' read_file state (procfs: the text being read) */
    const struct vfs_chrdev_ops *cdev; /* character devices: the driver bound at open */
    void *cdev_priv;
    struct vfs_ra ra; /* page-cached regular files: sequential detection (pcache.c) */
    struct vfs_notify_name *nname; /* the name it was opened by, for inotify (notify.h) */
};

/* --- setup, mounts ----------------------------------------------------------------------- */

/* Reset the VFS to empty (no mounts). Call once at boot (tests: before each test). */
void vfs_init(void);
/* Unmount everything (syncing), forcibly; for shutdown and tests. Returns 0 or first error. */
int vfs_shutdown(void);

/* Dentry cache bound (entries; >= 16). Returns the previous bound. */
unsigned vfs_set_dcache_limit(unsigned n);
unsigned vfs_dcache_count(void);
unsigned vfs_icache_count(void);

/*
 * Prepare sb for a filesystem: ops, priv, root inode number, flags; the mutex is initialized.
 * Then vfs_mount() makes it visible: at "/" when no root exists yet (path ignored), else on
 * the directory at path (relative to dirf), which must exist and be a directory (ENOENT,
 * ENOTDIR); -EBUSY when sb is already mounted. On failure sb is not touched beyond init and
 * the caller still owns priv.
 */
void vfs_sb_init(struct vfs_sb *sb, const struct vfs_fs_ops *ops, void *priv, uint64_t root_ino,
                 unsigned flags);
int vfs_mount(struct vfs_file *dirf, const char *path, struct vfs_sb *sb);
/*
 * Unmount the filesystem whose root is at path: -EINVAL (not a mount root), -EBUSY (files
 * open in it, a mount below it, or it is "/" while others are mounted). Writes back its page
 * cache and syncs it, then calls ops->unmount, which frees what the filesystem allocated.
 */
int vfs_umount(struct vfs_file *dirf, const char *path);
/* Remount flags (VFS_MNT_RDONLY); going read-only writes back first. */
int vfs_remount(struct vfs_sb *sb, unsigned flags);

/* --- page cache ---------------------------------------------------------------------------- */

/* Give sb a page cache of budget_bytes (rounded down to pages, at least 4). Before mount. */
int vfs_pcache_attach(struct vfs_sb *sb, uint64_t budget_bytes);
/* Change the budget; evicts (writing back) down to it. */
int vfs_pcache_set_budget(struct vfs_sb *sb, uint64_t budget_bytes);
void vfs_pcache_get_stats(struct vfs_sb *sb, struct vfs_pcache_stats *st);
/* Write back dirty pages older than max_age_ns in every mounted sb (the periodic hook). */
int vfs_flush_periodic(uint64_t max_age_ns);
/* Start a kernel thread calling vfs_flush_periodic(interval) every interval_ns until
 * vfs_flusher_stop(). Returns 0 or -ENOMEM/-EBUSY. */
int vfs_flusher_start(uint64_t interval_ns);
void vfs_flusher_stop(void);

/* --- shared file mappings (core/mm; pcache.c) ---------------------------------------------- */

/* Can f's pages be mapped MAP_SHARED (a regular file of a page-cached filesystem, or of one
 * with map_page)? */
bool vfs_mmap_shareable(struct vfs_file *f);
/*
 * Pin the page at index idx of f's file for a shared mapping: *pa its physical address, *h
 * the handle for vfs_mmap_unpin. The page is the one read(2) and write(2) use, so stores
 * through the mapping and the file's data are one. writer: the mapping may store into it; a
 * page-cached page is then dirty while pinned (write-back leaves it dirty) and after.
 * -ENXIO: idx is at or past the end of the file (the fault is SIGBUS); -ENOMEM, -ENOSPC,
 * -EIO. A pinned page is never evicted; truncation zeroes it instead of freeing it.
 */
int vfs_mmap_pin(struct vfs_file *f, uint64_t idx, bool writer, void **h, uint64_t *pa);
/* A fault is about to read the page at off of f (a private file mapping): read the absent
 * pages around it into the page cache first (pcache.c's read-around). Best effort. */
void vfs_mmap_readaround(struct vfs_file *f, uint64_t off);
/* Fault-around (a private file mapping's read fault, core/mm/fault.c): call fn(arg, idx, data)
 * for each page idx in [first, first + n) of f that the page cache holds and that lies wholly
 * inside the file (data: its 4 KiB), in increasing order, until fn returns false. Reads
 * nothing and takes no page out of the cache; a file without a page cache calls fn for none.
 * fn runs under the filesystem's lock: it may allocate and map, not touch the VFS. */
typedef bool (*vfs_cached_fn)(void *arg, uint64_t idx, const void *data);
void vfs_mmap_cached(struct vfs_file *f, uint64_t first, uint64_t n, vfs_cached_fn fn,
                     void *arg);
/*
 * Private file mappings share the page cache's pages until written (core/mm/fault.c's copy
 * on write). vfs_mmap_share pins page idx of f as a reader's pin does (vfs_mmap_unpin with
 * writer false releases it) for a read-only mapping, reading it first if absent (with the
 * read-around of vfs_mmap_readaround). -EAGAIN: the caller makes a private copy instead: no
 * page cache (memfs: its pages are made by map_page, which a read must not do), idx not
 * wholly inside the file, or half the cache's budget already pinned by mappings (pinned pages
 * are never evicted: past that, copies keep the cache usable). -ENOMEM, -EIO.
 * vfs_mmap_share_cached: fault-around's side: for each page idx in [first, first + n) that
 * the page cache holds, wholly inside the file, in increasing order, fn(arg, idx, h, pa);
 * fn returns 1 when it mapped the page (it is then pinned as by vfs_mmap_share), 0 when it
 * did not, -1 to stop. Reads nothing. fn runs under the filesystem's lock: it may allocate
 * and map, not touch the VFS. Returns false when it stopped at the pin cap (the caller may
 * copy the rest: vfs_mmap_cached), true otherwise.
 */
int vfs_mmap_share(struct vfs_file *f, uint64_t idx, void **h, uint64_t *pa);
typedef int (*vfs_share_fn)(void *arg, uint64_t idx, void *h, uint64_t pa);
bool vfs_mmap_share_cached(struct vfs_file *f, uint64_t first, uint64_t n, vfs_share_fn fn,
                           void *arg);
/* A shared mapping that may be made writable (the description open for writing) came
 * (delta 1) or went (-1): counted on the inode for memfd's F_SEAL_WRITE. Never sleeps. */
void vfs_mmap_writable(struct vfs_file *f, int delta);
void vfs_mmap_unpin(struct vfs_file *f, void *h, bool writer);
/* The file's size (for SIGBUS past the end of private and shared mappings). */
int vfs_mmap_size(struct vfs_file *f, uint64_t *size);

/* --- open file descriptions ------------------------------------------------------------- */

void vfs_file_get(struct vfs_file *f);
/* Drop a reference; the last one releases the description (and may write back). */
void vfs_file_put(struct vfs_file *f);
/* A new description of f's regular file open for reading (flags: O_RDONLY, O_CLOEXEC,
 * O_LARGEFILE), as Linux's execveat(fd, "", AT_EMPTY_PATH) opens the file again even when fd
 * is O_PATH. 0, -EINVAL (other flags), -EACCES (not a regular file), -ENOMEM. Never sleeps
 * on I/O. */
int vfs_file_reopen(struct vfs_file *f, int flags, struct vfs_file **out);

/* --- syscalls --------------------------------------------------------------------------- */

int vfs_openat(struct vfs_file *dirf, const char *path, int flags, uint32_t mode,
               struct vfs_file **out);
long vfs_read(struct vfs_file *f, void *buf, size_t n);
long vfs_write(struct vfs_file *f, const void *buf, size_t n);
long vfs_pread(struct vfs_file *f, void *buf, size_t n, int64_t off);
long vfs_pwrite(struct vfs_file *f, const void *buf, size_t n, int64_t off);
int64_t vfs_lseek(struct vfs_file *f, int64_t off, int whence);
/* linux_dirent64 records into buf; bytes filled, 0 at the end, -EINVAL if one won't fit. */
long vfs_getdents(struct vfs_file *f, void *buf, size_t size);
/* The same at a position the caller keeps (and serializes) instead of f->pos: read/write at
 * *pos and advance it (an O_APPEND write goes to the end and leaves *pos after it), seek it,
 * read directory entries from the cookie *pos. fs/file's open files use these. */
long vfs_read_at(struct vfs_file *f, void *buf, size_t n, uint64_t *pos);
/* vfs_read_at straight into user memory at ubuf, when the file's data can go there without a
 * kernel buffer (a regular file in the page cache or with pread_user) and the destination
 * pages are present: bytes read, 0 at end, -errno. *fallback set: it stopped at a
 * destination page that is not present, or the file cannot do it; the bytes returned
 * (maybe 0) are read and the rest is the caller's to read through vfs_read_at. */
long vfs_read_user_at(struct vfs_file *f, uint64_t ubuf, size_t n, uint64_t *pos,
                      bool *fallback);

/* Where a read's page loop copies to (pcache.c, memfs.c): a kernel buffer (fault == NULL),
 * or user memory at ubuf through hal_copy_to_user (a destination that is not present sets
 * *fault and ends the read). One loop per file serves read(2)'s direct copy and the rest. */
struct vfs_sink {
    uint8_t *kbuf;
    uint64_t ubuf;
    bool *fault;
};
static inline struct vfs_sink vfs_sink_kernel(void *buf)
{
    struct vfs_sink k = {buf, 0, NULL};
    return k;
}
static inline struct vfs_sink vfs_sink_user(uint64_t ubuf, bool *fault)
{
    struct vfs_sink k = {NULL, ubuf, fault};
    return k;
}
/* Copy n bytes from src to the sink's byte at; false (and *fault set) when user memory is
 * not there. */
bool vfs_sink_put(const struct vfs_sink *k, size_t at, const void *src, size_t n);
long vfs_write_at(struct vfs_file *f, const void *buf, size_t n, uint64_t *pos);
int64_t vfs_lseek_at(struct vfs_file *f, int64_t off, int whence, uint64_t *pos);
long vfs_getdents_at(struct vfs_file *f, void *buf, size_t size, uint64_t *pos);
int vfs_fstat(struct vfs_file *f, struct vfs_stat *st);
int vfs_statat(struct vfs_file *dirf, const char *path, int flags, struct vfs_stat *st);
int vfs_mkdirat(struct vfs_file *dirf, const char *path, uint32_t mode);
int vfs_mknodat(struct vfs_file *dirf, const char *path, uint32_t mode, uint64_t dev);
int vfs_unlinkat(struct vfs_file *dirf, const char *path, int flags);
int vfs_renameat2(struct vfs_file *odirf, const char *opath, struct vfs_file *ndirf,
                  const char *npath, unsigned flags);
int vfs_linkat(struct vfs_file *odirf, const char *opath, struct vfs_file *ndirf, const char *npath,
               int flags);
int vfs_symlinkat(const char *target, struct vfs_file *dirf, const char *path);
long vfs_readlinkat(struct vfs_file *dirf, const char *path, char *buf, size_t size);
int vfs_fchmodat(struct vfs_file *dirf, const char *path, uint32_t mode, int flags);
int vfs_fchmod(struct vfs_file *f, uint32_t mode);
/* uid/gid (uint32_t)-1: unchanged */
int vfs_fchownat(struct vfs_file *dirf, const char *path, uint32_t uid, uint32_t gid, int flags);
int vfs_fchown(struct vfs_file *f, uint32_t uid, uint32_t gid);
/* times NULL: both now; tv_nsec UTIME_NOW / UTIME_OMIT. path NULL: dirf itself (futimens). */
int vfs_utimensat(struct vfs_file *dirf, const char *path, const struct vfs_timespec times[2],
                  int flags);
int vfs_truncate(struct vfs_file *dirf, const char *path, int64_t len);

/*
 * RLIMIT_FSIZE for writes and truncates of regular files (rw.c says how it is applied).
 * limit: the calling thread's limit in bytes (UINT64_MAX: none); exceeded: called (no VFS
 * lock held, in the caller's thread) when a write or a truncate fails for the limit - the
 * process layer sends SIGXFSZ. Both never sleep. h (static storage) is installed once; NULL
 * removes it.
 */
struct vfs_fsize_hooks {
    uint64_t (*limit)(void);
    void (*exceeded)(void);
};
void vfs_set_fsize_hooks(const struct vfs_fsize_hooks *h);
int vfs_ftruncate(struct vfs_file *f, int64_t len);
/* fallocate(2)'s checks of its arguments alone, in Linux's order (-EINVAL, -EOPNOTSUPP):
 * they come before the descriptor's (-EBADF, -ESPIPE, -ENODEV), also for other kinds. */
int vfs_fallocate_args(int mode, int64_t off, int64_t len);
int vfs_fallocate(struct vfs_file *f, int mode, int64_t off, int64_t len);
int vfs_fsync(struct vfs_file *f);
int vfs_fdatasync(struct vfs_file *f);
int vfs_sync(void);
int vfs_statfs(struct vfs_file *dirf, const char *path, struct vfs_statfs *st);
int vfs_fstatfs(struct vfs_file *f, struct vfs_statfs *st);
/* xattrs on a path (flags: AT_SYMLINK_NOFOLLOW for the l* calls) or on an open file */
long vfs_getxattrat(struct vfs_file *dirf, const char *path, int flags, const char *name, void *buf,
                    size_t size);
int vfs_setxattrat(struct vfs_file *dirf, const char *path, int flags, const char *name,
                   const void *val, size_t size, int xflags);
long vfs_listxattrat(struct vfs_file *dirf, const char *path, int flags, char *buf, size_t size);
int vfs_removexattrat(struct vfs_file *dirf, const char *path, int flags, const char *name);
long vfs_fgetxattr(struct vfs_file *f, const char *name, void *buf, size_t size);
int vfs_fsetxattr(struct vfs_file *f, const char *name, const void *val, size_t size, int xflags);
long vfs_flistxattr(struct vfs_file *f, char *buf, size_t size);
int vfs_fremovexattr(struct vfs_file *f, const char *name);

/*
 * getcwd(2): the absolute path of the directory dirf (NULL: "/") into out, NUL-terminated.
 * Returns the length with the NUL, -ERANGE (size too small), -ENOENT (the directory was
 * removed), -ENOTDIR, -ENAMETOOLONG.
 */
long vfs_getcwd(struct vfs_file *dirf, char *out, size_t size);

/* One mounted filesystem, for /proc/self/mountinfo. */
struct vfs_mount_info {
    unsigned id, parent_id; /* positions in mount order, from 1; "/" is its own parent */
    uint64_t dev;           /* st_dev of its files */
    const char *path;       /* where it is mounted */
    const char *kind;       /* ops->name */
    bool rdonly;
};
/* Call fn for every mount in mount order (under the VFS mutex: fn must not call the VFS).
 * Returns 0, fn's first nonzero value, or -ENOMEM. A mount point whose path cannot be
 * rebuilt is reported as "(unknown)". */
int vfs_mounts_each(int (*fn)(void *arg, const struct vfs_mount_info *mi), void *arg);
/* faccessat(2) for root: existence, EROFS for W_OK on a read-only mount, EACCES for X_OK
 * on a non-directory without any execute bit. mode: F_OK 0 | R_OK 4 | W_OK 2 | X_OK 1;
 * flags: AT_EACCESS, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH. */
#define VFS_AT_EACCESS 0x200
int vfs_faccessat(struct vfs_file *dirf, const char *path, int mode, int flags);

/* --- helpers for filesystems ------------------------------------------------------------- */

/* The current wall-clock time. */
struct vfs_timespec vfs_now(void);
/* DT_* of a mode. */
unsigned vfs_dtype(uint32_t mode);

#endif
