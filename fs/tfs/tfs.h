/*
 * tfs.h - TFS, Petrel's on-disk filesystem: the public API.
 *
 * TFS keeps all metadata in memory and on disk as an append-only log of checksummed records
 * (docs/tfs-format.md); file data lives in extents outside the log. This header is all the
 * VFS, the tools (mkfs/dump/fsck) and the tests may call; fs/tfs/tfs_internal.h is private.
 *
 * Model:
 *   - A volume sits on a struct tfs_dev: synchronous block I/O on 4 KiB blocks.
 *   - Files are named by inode number (uint64_t). The root directory is TFS_ROOT_INO (1).
 *     Path walk, permission checks and open-file state belong to the VFS.
 *   - Every call returns 0 (or a byte count) on success, or a negative Linux errno.
 *   - A volume is single-threaded: callers serialise every call on one volume (one lock per
 *     volume in the VFS). No call sleeps on anything but the tfs_dev callbacks; nothing in
 *     fs/tfs takes a lock. Different volumes are independent.
 *   - Metadata changes are applied in memory at once and staged as log records; they become
 *     durable, in order and each one atomically, at the next commit: tfs_sync(),
 *     tfs_fsync(), tfs_fdatasync() (when the file needs it), tfs_unmount(), or an automatic
 *     commit when the staged records grow past TFS_STAGE_COMMIT_BYTES. A crash loses a
 *     suffix of the operations, never one in the middle, never half of one.
 *   - File data written with tfs_write() goes to the device at once (no cache in TFS); it is
 *     durable after the next device flush, which every commit and tfs_fdatasync() issue.
 *
 * Errors common to all calls: -EIO (device error), -ENOMEM, -EROFS (write on a read-only
 * mount), -ENOENT (no such inode), -EUCLEAN (the in-memory volume hit corruption and was
 * forced read-only; see tfs_statfs().errors).
 */
#ifndef FS_TFS_TFS_H
#define FS_TFS_TFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- constants ------------------------------------------------------------------------ */

#define TFS_BLOCK_SIZE 4096u
#define TFS_ROOT_INO 1ULL
#define TFS_NAME_MAX 255u          /* bytes in one directory entry name */
#define TFS_PATH_MAX 4096u         /* symlink target: at most TFS_PATH_MAX - 1 bytes */
#define TFS_LABEL_MAX 31u          /* volume label bytes (stored NUL-padded in 32) */
#define TFS_XATTR_NAME_MAX 255u
#define TFS_XATTR_SIZE_MAX 65536u  /* one value */
#define TFS_XATTR_LIST_MAX 65536u  /* sum over one inode of (name length + 1) */
#define TFS_LINK_MAX 65000u        /* nlink limit (EMLINK) */
#define TFS_MAX_FILE_SIZE (1ULL << 46) /* 64 TiB; larger offsets get -EFBIG */
#define TFS_STAGE_COMMIT_BYTES (1u << 20)

/* File type bits of mode: the Linux values. */
#define TFS_S_IFMT 0170000u
#define TFS_S_IFSOCK 0140000u
#define TFS_S_IFLNK 0120000u
#define TFS_S_IFREG 0100000u
#define TFS_S_IFBLK 0060000u
#define TFS_S_IFDIR 0040000u
#define TFS_S_IFCHR 0020000u
#define TFS_S_IFIFO 0010000u

/* Directory entry types reported by tfs_readdir(): the Linux DT_* values. */
#define TFS_DT_UNKNOWN 0
#define TFS_DT_FIFO 1
#define TFS_DT_CHR 2
#define TFS_DT_DIR 4
#define TFS_DT_BLK 6
#define TFS_DT_REG 8
#define TFS_DT_LNK 10
#define TFS_DT_SOCK 12

/* tfs_rename() flags: the Linux values. */
#define TFS_RENAME_NOREPLACE 1u
#define TFS_RENAME_EXCHANGE 2u

/* tfs_fallocate() modes: the Linux values. Supported: 0, KEEP_SIZE, PUNCH_HOLE|KEEP_SIZE. */
#define TFS_FALLOC_KEEP_SIZE 0x01u
#define TFS_FALLOC_PUNCH_HOLE 0x02u

/* tfs_setxattr() flags: the Linux values. */
#define TFS_XATTR_CREATE 1u
#define TFS_XATTR_REPLACE 2u

/* ---- the block device ------------------------------------------------------------------ */

struct tfs_dev;

/*
 * Synchronous block I/O in units of TFS_BLOCK_SIZE. read/write return 0 or -EIO (a write may
 * also return -EROFS). A write is durable only after a later flush returns 0; until then
 * the device may lose it or keep it, in any order relative to other unflushed writes, and
 * may tear it at 512-byte sector granularity. buf is any kernel buffer of nblocks blocks.
 */
struct tfs_dev_ops {
    int (*read)(struct tfs_dev *dev, uint64_t block, uint32_t nblocks, void *buf);
    int (*write)(struct tfs_dev *dev, uint64_t block, uint32_t nblocks, const void *buf);
    int (*flush)(struct tfs_dev *dev);
};

struct tfs_dev {
    const struct tfs_dev_ops *ops;
    uint64_t nblocks; /* device size in blocks */
    bool read_only;   /* writes are refused; only read-only mounts succeed */
    void *priv;       /* the owner's */
};

/* A tfs_dev over a caller-owned memory buffer of nblocks blocks (tests, ramdisks). */
struct tfs_memdev {
    struct tfs_dev dev;
    uint8_t *mem;
    uint64_t reads, writes, flushes; /* counters, for tests */
};
void tfs_memdev_init(struct tfs_memdev *md, void *mem, uint64_t nblocks);

/* ---- times, attributes ----------------------------------------------------------------- */

struct tfs_time {
    int64_t sec;   /* since the Unix epoch */
    uint32_t nsec; /* 0..999999999 */
};

/* Clock callback: the current wall-clock time. */
typedef void tfs_clock_fn(void *arg, struct tfs_time *now);
/* Message callback: one line (no trailing newline) describing a problem. */
typedef void tfs_report_fn(void *arg, const char *msg);

struct tfs_attr {
    uint64_t ino;
    uint32_t mode;  /* type | permission bits */
    uint32_t nlink;
    uint32_t uid, gid;
    uint64_t size;   /* bytes (symlink: target length; directory: TFS_BLOCK_SIZE) */
    uint64_t blocks; /* 512-byte units allocated (Linux st_blocks) */
    uint64_t rdev;   /* device number of character/block special files */
    struct tfs_time atime, mtime, ctime;
};

/* tfs_setattr() mask bits. */
#define TFS_SET_MODE 0x01u  /* permission bits only; the type bits of attr->mode are ignored */
#define TFS_SET_UID 0x02u
#define TFS_SET_GID 0x04u
#define TFS_SET_SIZE 0x08u  /* truncate or extend (regular files only: else -EISDIR/-EINVAL) */
#define TFS_SET_ATIME 0x10u
#define TFS_SET_MTIME 0x20u
#define TFS_SET_CTIME 0x40u /* without it, ctime becomes "now" on any change */

struct tfs_statfs {
    uint32_t block_size;
    uint64_t blocks;       /* device blocks */
    uint64_t free_blocks;  /* free now (blocks freed by uncommitted operations and blocks
                              reserved for cached data excluded) */
    uint64_t avail_blocks; /* free_blocks less the metadata reserve: what data may use */
    uint64_t files;        /* inodes in use */
    uint64_t free_files;   /* inodes that may still be created (estimate) */
    uint32_t name_max;
    uint8_t uuid[16];
    char label[TFS_LABEL_MAX + 1];
    uint64_t log_blocks;   /* blocks the metadata log occupies now */
    uint64_t log_seq;      /* sequence number of the next log record */
    uint64_t generation;   /* superblock generation (bumped by each compaction) */
    uint64_t reserved_blocks; /* data blocks held by tfs_reserve() reservations */
    bool read_only;
    bool errors;           /* corruption found while mounted; the volume went read-only */
};

/* ---- format, mount ---------------------------------------------------------------------- */

struct tfs_format_opts {
    const char *label;     /* NULL or at most TFS_LABEL_MAX bytes */
    uint8_t uuid[16];      /* caller's random bytes (TFS has no entropy source) */
    struct tfs_time now;   /* root directory times */
    uint32_t root_mode;    /* permission bits of "/" (0: 0755) */
    uint32_t root_uid, root_gid;
};

/*
 * Write an empty volume (superblocks, an initial log holding the root directory) on dev and
 * flush. Returns 0, -EINVAL (bad label, device smaller than TFS_MIN_BLOCKS) or -EIO/-EROFS.
 */
#define TFS_MIN_BLOCKS 64u
int tfs_format(struct tfs_dev *dev, const struct tfs_format_opts *opts);

struct tfs_vol; /* a mounted volume */

struct tfs_mount_opts {
    bool read_only;
    tfs_clock_fn *clock; /* required */
    void *clock_arg;
    tfs_report_fn *report; /* optional: why a mount was refused, warnings */
    void *report_arg;
};

/*
 * Mount: read the superblocks, replay the log, derive free space. A volume that fails any
 * check is refused with -EUCLEAN (corrupt: the report callback names the structure and
 * block) or -EINVAL (not TFS, or a version/feature this code does not know); -EIO when the
 * device fails. A read-write mount of a read-only device gives -EROFS. A read-write mount
 * frees orphans (inodes unlinked while open before a crash).
 * On success *out is the volume; its memory is freed by tfs_unmount().
 */
int tfs_mount(struct tfs_dev *dev, const struct tfs_mount_opts *opts, struct tfs_vol **out);

/*
 * Commit everything (read-write mounts), free the volume. Returns the commit's error, if
 * any; the volume is freed in every case and must not be used again.
 */
int tfs_unmount(struct tfs_vol *vol);

int tfs_statfs(struct tfs_vol *vol, struct tfs_statfs *st);

/* ---- names ---------------------------------------------------------------------------- */

/*
 * Names are byte strings of 1..TFS_NAME_MAX bytes without '/' or NUL (else -EINVAL, or
 * -ENAMETOOLONG past TFS_NAME_MAX); "." and ".." are never stored.
 *
 * tfs_lookup: the inode of name in dir ("." is dir, ".." its parent; the root's parent is the
 * root). -ENOTDIR when dir is not a directory, -ENOENT when absent.
 */
int tfs_lookup(struct tfs_vol *vol, uint64_t dir, const char *name, size_t namelen,
               uint64_t *ino);

/*
 * Create a node named name in dir with the given mode (type bits required: S_IFREG,
 * S_IFDIR, S_IFIFO, S_IFSOCK, S_IFCHR, S_IFBLK; S_IFLNK via tfs_symlink), owner and rdev
 * (special files only). Times are "now"; dir's mtime/ctime too. Returns the new inode in
 * *ino. Errors: -EEXIST, -ENOTDIR, -EINVAL (bad type or name), -ENAMETOOLONG, -ENOSPC,
 * -EMLINK (a new directory in a directory at TFS_LINK_MAX), -EROFS.
 */
int tfs_create(struct tfs_vol *vol, uint64_t dir, const char *name, size_t namelen,
               uint32_t mode, uint32_t uid, uint32_t gid, uint64_t rdev, uint64_t *ino);

/* A symbolic link to target (1..TFS_PATH_MAX-1 bytes, else -ENAMETOOLONG/-ENOENT for empty),
 * mode 0777. Errors as tfs_create. */
int tfs_symlink(struct tfs_vol *vol, uint64_t dir, const char *name, size_t namelen,
                const char *target, size_t targetlen, uint32_t uid, uint32_t gid,
                uint64_t *ino);

/* Copy the symlink target (not NUL-terminated) into buf; returns its full length (copies
 * at most size bytes). -EINVAL when ino is not a symlink. */
int tfs_readlink(struct tfs_vol *vol, uint64_t ino, char *buf, size_t size);

/* A new name for ino in dir. -EPERM when ino is a directory, -EMLINK at TFS_LINK_MAX,
 * -EEXIST, -ENOTDIR. */
int tfs_link(struct tfs_vol *vol, uint64_t ino, uint64_t dir, const char *name,
             size_t namelen);

/*
 * Remove a non-directory entry (-EISDIR for a directory). When the last link goes, the
 * inode and its blocks are freed, unless it is held (tfs_hold): then it lives, with nlink 0,
 * until the last tfs_release(), and a crash before that leaves it to the next mount to free.
 */
int tfs_unlink(struct tfs_vol *vol, uint64_t dir, const char *name, size_t namelen);

/* Remove an empty directory: -ENOTDIR, -ENOTEMPTY, -EINVAL for ".", -ENOTEMPTY for "..",
 * -EBUSY for the root. */
int tfs_rmdir(struct tfs_vol *vol, uint64_t dir, const char *name, size_t namelen);

/*
 * rename(2)/renameat2(2) as one atomic log record. flags: 0, TFS_RENAME_NOREPLACE (-EEXIST
 * when the target exists), TFS_RENAME_EXCHANGE (swap two existing entries; -ENOENT when
 * either is absent). Replacing: a directory may replace only an empty directory (-ENOTEMPTY,
 * -ENOTDIR when the target is not a directory, -EISDIR when the source is not and the
 * target is); renaming a directory under itself gives -EINVAL; two names of the same inode:
 * success, nothing changes. Both flags: -EINVAL.
 */
int tfs_rename(struct tfs_vol *vol, uint64_t olddir, const char *oldname, size_t oldlen,
               uint64_t newdir, const char *newname, size_t newlen, unsigned flags);

/*
 * Directory listing with stable cookies. Starting at *cookie (0 = beginning), calls fn for
 * each entry: ".", "..", then the entries; next is the cookie that resumes after this entry.
 * fn returns nonzero to stop (the entry it was given counts as not consumed, so *cookie is
 * left at that entry). An entry present for the whole listing is reported exactly once even
 * if others are created or removed in between. Returns 0 or -ENOTDIR; *cookie is updated.
 */
typedef int tfs_filldir_fn(void *arg, const char *name, size_t namelen, uint64_t ino,
                           unsigned dtype, uint64_t next);
int tfs_readdir(struct tfs_vol *vol, uint64_t dir, uint64_t *cookie, tfs_filldir_fn *fn,
                void *arg);

/* ---- attributes ------------------------------------------------------------------------ */

int tfs_getattr(struct tfs_vol *vol, uint64_t ino, struct tfs_attr *attr);

/*
 * Change the fields selected by mask (TFS_SET_*) from attr. TFS_SET_SIZE on a non-regular
 * file: -EISDIR (directory) or -EINVAL; beyond TFS_MAX_FILE_SIZE: -EFBIG. Times must have
 * nsec < 10^9 (-EINVAL). ctime becomes "now" unless TFS_SET_CTIME is given.
 */
int tfs_setattr(struct tfs_vol *vol, uint64_t ino, const struct tfs_attr *attr,
                unsigned mask);

/* ---- data -------------------------------------------------------------------------------- */

/* Read up to len bytes at off; returns the count (0 at or past end of file). Holes and
 * unwritten (fallocated) ranges read as zeros. -EISDIR for directories, -EINVAL for other
 * non-regular files. Does not change atime (the VFS decides its atime policy). Each
 * contiguous extent is one device read; the file's last block is read whole when buf has
 * room for it, so bytes of buf past the count returned may change (the page cache zeroes
 * them). */
int64_t tfs_read(struct tfs_vol *vol, uint64_t ino, uint64_t off, void *buf, size_t len);

/* Write len bytes at off, allocating blocks for holes, extending the size; sets mtime and
 * ctime. Returns len, or an error with nothing written: -ENOSPC (the whole write did not
 * fit), -EFBIG (off + len past TFS_MAX_FILE_SIZE), -EISDIR/-EINVAL. */
int64_t tfs_write(struct tfs_vol *vol, uint64_t ino, uint64_t off, const void *buf,
                  size_t len);

/*
 * Reservations, for a cache that accepts writes now and calls tfs_write() later (the VFS page
 * cache; docs/tfs-format.md section 6.1). tfs_reserve() sets aside, for every block of
 * [off, off+len) of a regular file not reserved yet, what a later tfs_write() of that block
 * may need: a data block when the block is a hole, and log space; once per file also the log
 * space of the tfs_setattr() that ends its write-back. It takes the same room an immediate
 * tfs_write() of those blocks would need, or fails with -ENOSPC and reserves nothing; also
 * -EFBIG, -EISDIR/-EINVAL, -EROFS, -ENOMEM, and -EINVAL past 2^20 blocks in one call.
 * Reserved room counts as used for every other operation (and in tfs_statfs()), so a later
 * tfs_write() of reserved blocks, and the tfs_setattr() after the last of them, cannot fail
 * for lack of space. A reservation ends when tfs_write() writes its block, when
 * tfs_unreserve() releases it (every block the range touches; the cache dropped the data),
 * when truncation or hole punching removes the block, when the inode is freed, at unmount.
 */
int tfs_reserve(struct tfs_vol *vol, uint64_t ino, uint64_t off, uint64_t len);
void tfs_unreserve(struct tfs_vol *vol, uint64_t ino, uint64_t off, uint64_t len);

/* Same as tfs_setattr(TFS_SET_SIZE). */
int tfs_truncate(struct tfs_vol *vol, uint64_t ino, uint64_t size);

/*
 * fallocate(2): mode 0 allocates (unwritten: reads as zeros) and extends the size;
 * TFS_FALLOC_KEEP_SIZE allocates without extending; TFS_FALLOC_PUNCH_HOLE|KEEP_SIZE frees
 * whole blocks in the range and zeroes partial ones. Other modes: -EOPNOTSUPP. len == 0:
 * -EINVAL. -ENOSPC when the space is not there (nothing is allocated then).
 */
int tfs_fallocate(struct tfs_vol *vol, uint64_t ino, unsigned mode, uint64_t off,
                  uint64_t len);

/* ---- extended attributes ------------------------------------------------------------------ */

/*
 * Names are 1..TFS_XATTR_NAME_MAX bytes, NUL-terminated; TFS does not interpret namespaces
 * (the VFS does). getxattr copies the value and returns its size (with size 0: just the
 * size); -ENODATA when absent, -ERANGE when size is too small. listxattr: the names, each
 * NUL-terminated, same size rules. setxattr: flags TFS_XATTR_CREATE (-EEXIST) /
 * TFS_XATTR_REPLACE (-ENODATA); value up to TFS_XATTR_SIZE_MAX (-E2BIG), -ENOSPC past
 * TFS_XATTR_LIST_MAX for the inode. removexattr: -ENODATA when absent.
 */
int tfs_getxattr(struct tfs_vol *vol, uint64_t ino, const char *name, void *value,
                 size_t size);
int tfs_setxattr(struct tfs_vol *vol, uint64_t ino, const char *name, const void *value,
                 size_t size, unsigned flags);
int tfs_listxattr(struct tfs_vol *vol, uint64_t ino, char *list, size_t size);
int tfs_removexattr(struct tfs_vol *vol, uint64_t ino, const char *name);

/* ---- durability ---------------------------------------------------------------------------- */

/* Commit every staged record and flush the device: on return all earlier operations of the
 * volume are durable. */
int tfs_sync(struct tfs_vol *vol);
/* Make ino's data and metadata durable. TFS commits the whole log (as tfs_sync). */
int tfs_fsync(struct tfs_vol *vol, uint64_t ino);
/* Make ino's data and the metadata needed to read it (size, extents) durable; only a device
 * flush when ino has no staged size/extent change. */
int tfs_fdatasync(struct tfs_vol *vol, uint64_t ino);

/* Rewrite the log as a fresh checkpoint of the live metadata and switch the superblock to it
 * (done automatically when the log grows well past the live metadata). */
int tfs_compact(struct tfs_vol *vol);

/* ---- open references ------------------------------------------------------------------------ */

/* The VFS holds an inode while a file is open, so an unlink of its last name defers freeing
 * until the last release. Nestable. tfs_release returns the commit error, if freeing it
 * failed to stage (the inode is then freed at next mount). */
int tfs_hold(struct tfs_vol *vol, uint64_t ino);
int tfs_release(struct tfs_vol *vol, uint64_t ino);

/* ---- fsck --------------------------------------------------------------------------------- */

struct tfs_fsck_opts {
    bool repair;         /* fix what is safely repairable (needs a writable device) */
    tfs_report_fn *report; /* each problem, one line; may be NULL */
    void *report_arg;
    tfs_clock_fn *clock;   /* for repairs (NULL: times of zero) */
    void *clock_arg;
};

struct tfs_fsck_result {
    uint64_t problems;   /* problems found (also the return value, capped at INT32_MAX) */
    uint64_t repaired;   /* of which fixed */
    uint64_t inodes, dirs, files, symlinks, extents, log_records;
    uint64_t used_blocks, free_blocks;
};

/*
 * Check dev: superblocks, every log record, every inode/entry cross-reference (link counts,
 * dangling entries, orphans, directory loops), extents (overlap with each other or with
 * metadata, past the device end), sizes, free-space accounting. Reports each problem through
 * opts->report and returns the number found (0 = clean), or -EIO / -ENOMEM when it could not
 * run. With repair, fixes orphans (into /lost+found), link counts, dangling entries,
 * overlapping extents (the later one is dropped) and rewrites the log as a clean checkpoint;
 * res->repaired says how many. res may be NULL.
 */
int tfs_fsck(struct tfs_dev *dev, const struct tfs_fsck_opts *opts,
             struct tfs_fsck_result *res);

/* ---- checksums ---------------------------------------------------------------------------- */

/* CRC32C (Castagnoli), reflected, init/final xor ~0: crc32c(0, "123456789", 9) == 0xE3069283.
 * Chain: crc32c(crc32c(0, a, n), b, m) == crc32c(0, ab, n + m). */
uint32_t tfs_crc32c(uint32_t crc, const void *buf, size_t len);

#endif
