/*
 * abi_stat_uapi.c - core/abi/stat.h against the kernel's <asm/stat.h> (the struct stat
 * fstat fills), <linux/stat.h> (statx) and <asm/statfs.h>. Part of test_abi_stat.
 */
#include <asm/stat.h>
#include <asm/statfs.h>
#include <linux/magic.h>
#include <linux/stat.h>
#include <stddef.h>

#include "core/abi/stat.h"
#include "tests/unit/abi/abi_check.h"

void abi_stat_uapi(void **state);

static void uapi_stat(void)
{
    typedef struct linux_stat S;
    typedef struct stat K;
    SZ(S, K);
#define F(f) OFF(S, f, K, f)
    F(st_dev), F(st_ino), F(st_nlink), F(st_mode), F(st_uid), F(st_gid), F(st_rdev);
    F(st_size), F(st_blksize), F(st_blocks), F(st_atime_nsec), F(st_mtime_nsec);
    F(st_ctime_nsec);
#undef F
    OFF(S, st_atime_sec, K, st_atime);
    OFF(S, st_mtime_sec, K, st_mtime);
    OFF(S, st_ctime_sec, K, st_ctime);
    SZ(struct linux_statfs, struct statfs);
    CK(TMPFS_MAGIC), CK(EXT4_SUPER_MAGIC);
}

static void uapi_statx(void)
{
    typedef struct linux_statx X;
    typedef struct statx K;
    SZ(X, K);
#define F(f) OFF(X, f, K, f)
    F(stx_mask), F(stx_blksize), F(stx_attributes), F(stx_nlink), F(stx_uid), F(stx_gid);
    F(stx_mode), F(stx_ino), F(stx_size), F(stx_blocks), F(stx_attributes_mask), F(stx_atime);
    F(stx_btime), F(stx_ctime), F(stx_mtime), F(stx_rdev_major), F(stx_rdev_minor);
    F(stx_dev_major), F(stx_dev_minor), F(stx_mnt_id), F(stx_dio_mem_align);
    F(stx_dio_offset_align);
#undef F
    SZ(struct linux_statx_timestamp, struct statx_timestamp);
    OFF(struct linux_statx_timestamp, tv_nsec, struct statx_timestamp, tv_nsec);
    CK(STATX_TYPE), CK(STATX_MODE), CK(STATX_NLINK), CK(STATX_UID), CK(STATX_GID);
    CK(STATX_ATIME), CK(STATX_MTIME), CK(STATX_CTIME), CK(STATX_INO), CK(STATX_SIZE);
    CK(STATX_BLOCKS), CK(STATX_BASIC_STATS), CK(STATX_BTIME), CK(STATX_MNT_ID);
    CK(STATX_DIOALIGN), CK(STATX__RESERVED);
}

void abi_stat_uapi(void **state)
{
    uapi_stat();
    uapi_statx();
    (void)state;
}
