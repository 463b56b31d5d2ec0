/*
 * core/abi/limits.h - Linux limits a program can observe: path and name lengths, xattr sizes,
 * the symlink depth, iovec and read/write counts (getrandom too: its old 32 MiB cap is gone),
 * group list length, uname field size.
 */
#ifndef CORE_ABI_LIMITS_H
#define CORE_ABI_LIMITS_H

#define LINUX_NAME_MAX 255
#define LINUX_PATH_MAX 4096 /* including the NUL */
#define LINUX_MAXSYMLINKS 40 /* symlinks followed in one lookup before -ELOOP */
#define LINUX_XATTR_NAME_MAX 255
#define LINUX_XATTR_SIZE_MAX 65536
#define LINUX_XATTR_LIST_MAX 65536
#define LINUX_IOV_MAX 1024 /* UIO_MAXIOV */
#define LINUX_MAX_RW_COUNT 0x7ffff000L /* INT_MAX & PAGE_MASK: one read/write at most */
#define LINUX_NGROUPS_MAX 65536
#define LINUX_UTS_LEN 65 /* each struct utsname field, with the NUL */
#define LINUX_HOST_NAME_MAX 64
#define LINUX_TASK_COMM_LEN 16 /* PR_SET_NAME, /proc/self/comm, with the NUL */

/* getrandom flags. */
#define LINUX_GRND_NONBLOCK 0x0001
#define LINUX_GRND_RANDOM 0x0002
#define LINUX_GRND_INSECURE 0x0004

/* xattr set flags. */
#define LINUX_XATTR_CREATE 1
#define LINUX_XATTR_REPLACE 2

#endif
