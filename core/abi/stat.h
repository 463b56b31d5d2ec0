/*
 * core/abi/stat.h - Linux x86-64 file metadata: struct stat (144 bytes, what fstat/newfstatat
 * write), struct statx and its mask bits, file type and permission bits (S_IF*), struct
 * statfs, directory records of getdents/getdents64 (DT_*), and utimensat's special times.
 */
#ifndef CORE_ABI_STAT_H
#define CORE_ABI_STAT_H

#include <stddef.h>
#include <stdint.h>

/* File type and mode bits (st_mode; octal as Linux writes them). */
#define LINUX_S_IFMT 00170000
#define LINUX_S_IFSOCK 0140000
#define LINUX_S_IFLNK 0120000
#define LINUX_S_IFREG 0100000
#define LINUX_S_IFBLK 0060000
#define LINUX_S_IFDIR 0040000
#define LINUX_S_IFCHR 0020000
#define LINUX_S_IFIFO 0010000
#define LINUX_S_ISUID 0004000
#define LINUX_S_ISGID 0002000
#define LINUX_S_ISVTX 0001000
#define LINUX_S_IRWXU 00700
#define LINUX_S_IRUSR 00400
#define LINUX_S_IWUSR 00200
#define LINUX_S_IXUSR 00100
#define LINUX_S_IRWXG 00070
#define LINUX_S_IRGRP 00040
#define LINUX_S_IWGRP 00020
#define LINUX_S_IXGRP 00010
#define LINUX_S_IRWXO 00007
#define LINUX_S_IROTH 00004
#define LINUX_S_IWOTH 00002
#define LINUX_S_IXOTH 00001
#define LINUX_S_IALLUGO 07777 /* every permission and set-id bit (chmod's mask) */

/* struct stat of x86-64 (fstat, newfstatat, stat, lstat). */
struct linux_stat {
    uint64_t st_dev;
    uint64_t st_ino;
    uint64_t st_nlink;
    uint32_t st_mode;
    uint32_t st_uid;
    uint32_t st_gid;
    uint32_t _pad0;
    uint64_t st_rdev;
    int64_t st_size;
    int64_t st_blksize;
    int64_t st_blocks; /* 512-byte units */
    int64_t st_atime_sec;
    uint64_t st_atime_nsec;
    int64_t st_mtime_sec;
    uint64_t st_mtime_nsec;
    int64_t st_ctime_sec;
    uint64_t st_ctime_nsec;
    int64_t _unused[3];
};
_Static_assert(sizeof(struct linux_stat) == 144, "stat size");
_Static_assert(offsetof(struct linux_stat, st_nlink) == 16, "stat st_nlink");
_Static_assert(offsetof(struct linux_stat, st_mode) == 24, "stat st_mode");
_Static_assert(offsetof(struct linux_stat, st_uid) == 28, "stat st_uid");
_Static_assert(offsetof(struct linux_stat, st_rdev) == 40, "stat st_rdev");
_Static_assert(offsetof(struct linux_stat, st_size) == 48, "stat st_size");
_Static_assert(offsetof(struct linux_stat, st_blksize) == 56, "stat st_blksize");
_Static_assert(offsetof(struct linux_stat, st_blocks) == 64, "stat st_blocks");
_Static_assert(offsetof(struct linux_stat, st_atime_sec) == 72, "stat st_atime");
_Static_assert(offsetof(struct linux_stat, st_mtime_sec) == 88, "stat st_mtime");
_Static_assert(offsetof(struct linux_stat, st_ctime_sec) == 104, "stat st_ctime");

/* statx. */
#define LINUX_STATX_TYPE 0x00000001u
#define LINUX_STATX_MODE 0x00000002u
#define LINUX_STATX_NLINK 0x00000004u
#define LINUX_STATX_UID 0x00000008u
#define LINUX_STATX_GID 0x00000010u
#define LINUX_STATX_ATIME 0x00000020u
#define LINUX_STATX_MTIME 0x00000040u
#define LINUX_STATX_CTIME 0x00000080u
#define LINUX_STATX_INO 0x00000100u
#define LINUX_STATX_SIZE 0x00000200u
#define LINUX_STATX_BLOCKS 0x00000400u
#define LINUX_STATX_BASIC_STATS 0x000007ffu
#define LINUX_STATX_BTIME 0x00000800u
#define LINUX_STATX_MNT_ID 0x00001000u
#define LINUX_STATX_DIOALIGN 0x00002000u
#define LINUX_STATX__RESERVED 0x80000000u /* must be clear in the request */
#define LINUX_STATX_ATTR_AUTOMOUNT 0x00001000ull
#define LINUX_STATX_ATTR_MOUNT_ROOT 0x00002000ull
#define LINUX_STATX_ATTR_DAX 0x00200000ull

/* A dev_t's major and minor numbers (glibc's gnu_dev_major/minor encoding). */
static inline uint32_t linux_dev_major(uint64_t dev)
{
    return (uint32_t)(((dev >> 8) & 0xfffu) | ((dev >> 32) & 0xfffff000u));
}

static inline uint32_t linux_dev_minor(uint64_t dev)
{
    return (uint32_t)((dev & 0xffu) | ((dev >> 12) & 0xffffff00u));
}

struct linux_statx_timestamp {
    int64_t tv_sec;
    uint32_t tv_nsec;
    int32_t _reserved;
};
_Static_assert(sizeof(struct linux_statx_timestamp) == 16, "statx_timestamp size");

struct linux_statx {
    uint32_t stx_mask;
    uint32_t stx_blksize;
    uint64_t stx_attributes;
    uint32_t stx_nlink;
    uint32_t stx_uid;
    uint32_t stx_gid;
    uint16_t stx_mode;
    uint16_t _spare0;
    uint64_t stx_ino;
    uint64_t stx_size;
    uint64_t stx_blocks;
    uint64_t stx_attributes_mask;
    struct linux_statx_timestamp stx_atime;
    struct linux_statx_timestamp stx_btime;
    struct linux_statx_timestamp stx_ctime;
    struct linux_statx_timestamp stx_mtime;
    uint32_t stx_rdev_major;
    uint32_t stx_rdev_minor;
    uint32_t stx_dev_major;
    uint32_t stx_dev_minor;
    uint64_t stx_mnt_id;
    uint32_t stx_dio_mem_align;
    uint32_t stx_dio_offset_align;
    uint64_t _spare3[12];
};
_Static_assert(sizeof(struct linux_statx) == 256, "statx size");
_Static_assert(offsetof(struct linux_statx, stx_nlink) == 16, "statx stx_nlink");
_Static_assert(offsetof(struct linux_statx, stx_mode) == 28, "statx stx_mode");
_Static_assert(offsetof(struct linux_statx, stx_ino) == 32, "statx stx_ino");
_Static_assert(offsetof(struct linux_statx, stx_size) == 40, "statx stx_size");
_Static_assert(offsetof(struct linux_statx, stx_atime) == 64, "statx stx_atime");
_Static_assert(offsetof(struct linux_statx, stx_mtime) == 112, "statx stx_mtime");
_Static_assert(offsetof(struct linux_statx, stx_rdev_major) == 128, "statx stx_rdev_major");
_Static_assert(offsetof(struct linux_statx, stx_mnt_id) == 144, "statx stx_mnt_id");

/* statfs/fstatfs. */
struct linux_statfs {
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
_Static_assert(sizeof(struct linux_statfs) == 120, "statfs size");
_Static_assert(offsetof(struct linux_statfs, f_fsid) == 56, "statfs f_fsid");
_Static_assert(offsetof(struct linux_statfs, f_namelen) == 64, "statfs f_namelen");
_Static_assert(offsetof(struct linux_statfs, f_flags) == 80, "statfs f_flags");
/* f_flags (ST_*) */
#define LINUX_ST_RDONLY 0x0001
#define LINUX_ST_NOSUID 0x0002
#define LINUX_ST_NODEV 0x0004
#define LINUX_ST_NOEXEC 0x0008
#define LINUX_ST_SYNCHRONOUS 0x0010
#define LINUX_ST_VALID 0x0020 /* f_flags is meaningful */
#define LINUX_ST_MANDLOCK 0x0040
#define LINUX_ST_NOATIME 0x0400
#define LINUX_ST_NODIRATIME 0x0800
#define LINUX_ST_RELATIME 0x1000
/* f_type magic numbers of the file systems Petrel reports as. */
#define LINUX_TMPFS_MAGIC 0x01021994
#define LINUX_EXT4_SUPER_MAGIC 0xef53
#define LINUX_DEVPTS_SUPER_MAGIC 0x1cd1

/* Directory entry types (d_type). */
#define LINUX_DT_UNKNOWN 0
#define LINUX_DT_FIFO 1
#define LINUX_DT_CHR 2
#define LINUX_DT_DIR 4
#define LINUX_DT_BLK 6
#define LINUX_DT_REG 8
#define LINUX_DT_LNK 10
#define LINUX_DT_SOCK 12
#define LINUX_DT_WHT 14

/* getdents64 record: header then the NUL-terminated name, padded to 8 bytes. */
struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    uint16_t d_reclen;
    uint8_t d_type;
    char d_name[];
};
_Static_assert(offsetof(struct linux_dirent64, d_reclen) == 16, "dirent64 d_reclen");
_Static_assert(offsetof(struct linux_dirent64, d_type) == 18, "dirent64 d_type");
_Static_assert(offsetof(struct linux_dirent64, d_name) == 19, "dirent64 d_name");

/* getdents (the old call) record: the name, a NUL, padding, and d_type in the LAST byte of
 * the record (d_reclen - 1), padded to 8 bytes. */
struct linux_dirent {
    uint64_t d_ino;
    uint64_t d_off;
    uint16_t d_reclen;
    char d_name[];
};
_Static_assert(offsetof(struct linux_dirent, d_reclen) == 16, "dirent d_reclen");
_Static_assert(offsetof(struct linux_dirent, d_name) == 18, "dirent d_name");

/* utimensat's tv_nsec special values. */
#define LINUX_UTIME_NOW ((1L << 30) - 1L)
#define LINUX_UTIME_OMIT ((1L << 30) - 2L)

/* Device numbers as stat's st_rdev encodes them (glibc's makedev). */
#define LINUX_MAKEDEV(major, minor)                                                                \
    ((((uint64_t)(major) & 0xfffff000ULL) << 32) | (((uint64_t)(major) & 0xfffULL) << 8) |         \
     (((uint64_t)(minor) & 0xffffff00ULL) << 12) | ((uint64_t)(minor) & 0xffULL))

#endif
