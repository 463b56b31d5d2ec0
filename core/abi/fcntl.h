/*
 * core/abi/fcntl.h - Linux x86-64 open flags (O_*, octal as Linux writes them), fcntl
 * commands and their arguments (F_*, FD_CLOEXEC, struct flock, pipe sizes, seals, leases),
 * the *at() flags (AT_*), and the flags of the descriptor-making calls (eventfd, timerfd,
 * signalfd, memfd_create).
 */
#ifndef CORE_ABI_FCNTL_H
#define CORE_ABI_FCNTL_H

#include <stddef.h>
#include <stdint.h>

/* open(2) flags. */
#define LINUX_O_ACCMODE 00000003
#define LINUX_O_RDONLY 00000000
#define LINUX_O_WRONLY 00000001
#define LINUX_O_RDWR 00000002
#define LINUX_O_CREAT 00000100
#define LINUX_O_EXCL 00000200
#define LINUX_O_NOCTTY 00000400
#define LINUX_O_TRUNC 00001000
#define LINUX_O_APPEND 00002000
#define LINUX_O_NONBLOCK 00004000
#define LINUX_O_NDELAY LINUX_O_NONBLOCK
#define LINUX_O_DSYNC 00010000
#define LINUX_FASYNC 00020000
#define LINUX_O_ASYNC LINUX_FASYNC
#define LINUX_O_DIRECT 00040000
#define LINUX_O_LARGEFILE 00100000 /* the kernel's value; glibc's header says 0 on x86-64 */
#define LINUX_O_DIRECTORY 00200000
#define LINUX_O_NOFOLLOW 00400000
#define LINUX_O_NOATIME 01000000
#define LINUX_O_CLOEXEC 02000000
#define LINUX___O_SYNC 04000000
#define LINUX_O_SYNC (LINUX___O_SYNC | LINUX_O_DSYNC)
#define LINUX_O_RSYNC LINUX_O_SYNC
#define LINUX_O_PATH 010000000
#define LINUX___O_TMPFILE 020000000
#define LINUX_O_TMPFILE (LINUX___O_TMPFILE | LINUX_O_DIRECTORY)

/* fcntl(2) commands. */
#define LINUX_F_DUPFD 0
#define LINUX_F_GETFD 1
#define LINUX_F_SETFD 2
#define LINUX_F_GETFL 3
#define LINUX_F_SETFL 4
#define LINUX_F_GETLK 5
#define LINUX_F_SETLK 6
#define LINUX_F_SETLKW 7
#define LINUX_F_SETOWN 8
#define LINUX_F_GETOWN 9
#define LINUX_F_SETSIG 10
#define LINUX_F_GETSIG 11
#define LINUX_F_SETOWN_EX 15
#define LINUX_F_GETOWN_EX 16
#define LINUX_F_GETOWNER_UIDS 17
#define LINUX_F_OFD_GETLK 36
#define LINUX_F_OFD_SETLK 37
#define LINUX_F_OFD_SETLKW 38
#define LINUX_F_LINUX_SPECIFIC_BASE 1024
#define LINUX_F_SETLEASE (LINUX_F_LINUX_SPECIFIC_BASE + 0)
#define LINUX_F_GETLEASE (LINUX_F_LINUX_SPECIFIC_BASE + 1)
#define LINUX_F_NOTIFY (LINUX_F_LINUX_SPECIFIC_BASE + 2)
#define LINUX_F_DUPFD_CLOEXEC (LINUX_F_LINUX_SPECIFIC_BASE + 6)
#define LINUX_F_SETPIPE_SZ (LINUX_F_LINUX_SPECIFIC_BASE + 7)
#define LINUX_F_GETPIPE_SZ (LINUX_F_LINUX_SPECIFIC_BASE + 8)
#define LINUX_F_ADD_SEALS (LINUX_F_LINUX_SPECIFIC_BASE + 9)
#define LINUX_F_GET_SEALS (LINUX_F_LINUX_SPECIFIC_BASE + 10)
#define LINUX_F_GET_RW_HINT (LINUX_F_LINUX_SPECIFIC_BASE + 11)
#define LINUX_F_SET_RW_HINT (LINUX_F_LINUX_SPECIFIC_BASE + 12)
#define LINUX_F_GET_FILE_RW_HINT (LINUX_F_LINUX_SPECIFIC_BASE + 13)
#define LINUX_F_SET_FILE_RW_HINT (LINUX_F_LINUX_SPECIFIC_BASE + 14)

#define LINUX_FD_CLOEXEC 1

/* Lock types (struct flock l_type) and flock(2) operations. */
#define LINUX_F_RDLCK 0
#define LINUX_F_WRLCK 1
#define LINUX_F_UNLCK 2
#define LINUX_LOCK_SH 1
#define LINUX_LOCK_EX 2
#define LINUX_LOCK_NB 4
#define LINUX_LOCK_UN 8
#define LINUX_LOCK_MAND 32 /* removed in Linux 5.15: flock returns 0 and does nothing */

/* F_SETOWN_EX kinds. */
#define LINUX_F_OWNER_TID 0
#define LINUX_F_OWNER_PID 1
#define LINUX_F_OWNER_PGRP 2

/* memfd seals (F_ADD_SEALS / F_GET_SEALS). */
#define LINUX_F_SEAL_SEAL 0x0001
#define LINUX_F_SEAL_SHRINK 0x0002
#define LINUX_F_SEAL_GROW 0x0004
#define LINUX_F_SEAL_WRITE 0x0008
#define LINUX_F_SEAL_FUTURE_WRITE 0x0010
#define LINUX_F_SEAL_EXEC 0x0020 /* Linux 6.3: the exec bits cannot change */

/* splice(2), tee(2), vmsplice(2) flags. */
#define LINUX_SPLICE_F_MOVE 1
#define LINUX_SPLICE_F_NONBLOCK 2
#define LINUX_SPLICE_F_MORE 4
#define LINUX_SPLICE_F_GIFT 8
#define LINUX_SPLICE_F_ALL 0xf

struct linux_flock {
    int16_t l_type;
    int16_t l_whence;
    int32_t _pad;
    int64_t l_start;
    int64_t l_len;
    int32_t l_pid;
    int32_t _pad2;
};
_Static_assert(sizeof(struct linux_flock) == 32, "flock size");
_Static_assert(offsetof(struct linux_flock, l_whence) == 2, "flock l_whence");
_Static_assert(offsetof(struct linux_flock, l_start) == 8, "flock l_start");
_Static_assert(offsetof(struct linux_flock, l_len) == 16, "flock l_len");
_Static_assert(offsetof(struct linux_flock, l_pid) == 24, "flock l_pid");

struct linux_f_owner_ex {
    int32_t type;
    int32_t pid;
};
_Static_assert(sizeof(struct linux_f_owner_ex) == 8, "f_owner_ex size");

/* lseek whence. */
#define LINUX_SEEK_SET 0
#define LINUX_SEEK_CUR 1
#define LINUX_SEEK_END 2
#define LINUX_SEEK_DATA 3
#define LINUX_SEEK_HOLE 4

/* *at() flags and the dirfd meaning "the working directory". */
#define LINUX_AT_FDCWD (-100)
#define LINUX_AT_SYMLINK_NOFOLLOW 0x100
#define LINUX_AT_EACCESS 0x200
#define LINUX_AT_REMOVEDIR 0x200
#define LINUX_AT_SYMLINK_FOLLOW 0x400
#define LINUX_AT_NO_AUTOMOUNT 0x800
#define LINUX_AT_EMPTY_PATH 0x1000
#define LINUX_AT_STATX_SYNC_TYPE 0x6000
#define LINUX_AT_STATX_SYNC_AS_STAT 0x0000
#define LINUX_AT_STATX_FORCE_SYNC 0x2000
#define LINUX_AT_STATX_DONT_SYNC 0x4000
#define LINUX_AT_RECURSIVE 0x8000

/* access(2) modes. */
#define LINUX_F_OK 0
#define LINUX_X_OK 1
#define LINUX_W_OK 2
#define LINUX_R_OK 4

/* renameat2 flags. */
#define LINUX_RENAME_NOREPLACE (1u << 0)
#define LINUX_RENAME_EXCHANGE (1u << 1)
#define LINUX_RENAME_WHITEOUT (1u << 2)

/* fallocate modes. */
#define LINUX_FALLOC_FL_KEEP_SIZE 0x01
#define LINUX_FALLOC_FL_PUNCH_HOLE 0x02
#define LINUX_FALLOC_FL_NO_HIDE_STALE 0x04
#define LINUX_FALLOC_FL_COLLAPSE_RANGE 0x08
#define LINUX_FALLOC_FL_ZERO_RANGE 0x10
#define LINUX_FALLOC_FL_INSERT_RANGE 0x20
#define LINUX_FALLOC_FL_UNSHARE_RANGE 0x40

/* posix_fadvise advice (x86-64 numbers). */
#define LINUX_POSIX_FADV_NORMAL 0
#define LINUX_POSIX_FADV_RANDOM 1
#define LINUX_POSIX_FADV_SEQUENTIAL 2
#define LINUX_POSIX_FADV_WILLNEED 3
#define LINUX_POSIX_FADV_DONTNEED 4
#define LINUX_POSIX_FADV_NOREUSE 5

/* sync_file_range flags. */
#define LINUX_SYNC_FILE_RANGE_WAIT_BEFORE 1
#define LINUX_SYNC_FILE_RANGE_WRITE 2
#define LINUX_SYNC_FILE_RANGE_WAIT_AFTER 4

/* eventfd2, timerfd_create/settime, signalfd4, memfd_create flags. */
#define LINUX_EFD_SEMAPHORE 00000001
#define LINUX_EFD_CLOEXEC LINUX_O_CLOEXEC
#define LINUX_EFD_NONBLOCK LINUX_O_NONBLOCK
#define LINUX_TFD_CLOEXEC LINUX_O_CLOEXEC
#define LINUX_TFD_NONBLOCK LINUX_O_NONBLOCK
#define LINUX_TFD_TIMER_ABSTIME (1 << 0)
#define LINUX_TFD_TIMER_CANCEL_ON_SET (1 << 1)
#define LINUX_SFD_CLOEXEC LINUX_O_CLOEXEC
#define LINUX_SFD_NONBLOCK LINUX_O_NONBLOCK
#define LINUX_MFD_CLOEXEC 0x0001u
#define LINUX_MFD_ALLOW_SEALING 0x0002u
#define LINUX_MFD_HUGETLB 0x0004u
#define LINUX_MFD_NOEXEC_SEAL 0x0008u
#define LINUX_MFD_EXEC 0x0010u
#define LINUX_MFD_NAME_MAX 249 /* NAME_MAX - strlen("memfd:") */
#define LINUX_MFD_HUGE_SHIFT 26 /* MFD_HUGETLB's page size: log2 in bits 26..31 */
#define LINUX_MFD_HUGE_MASK 0x3fu

/* Pipe buffer sizes (F_SETPIPE_SZ; /proc/sys/fs/pipe-max-size default). */
#define LINUX_PIPE_BUF 4096
#define LINUX_PIPE_DEF_SIZE 65536
#define LINUX_PIPE_MAX_SIZE 1048576

#endif
