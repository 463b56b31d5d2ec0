/*
 * test_abi_fcntl.c - core/abi/fcntl.h against glibc's <fcntl.h> and friends (this file) and
 * the kernel's uapi <asm/fcntl.h>/<linux/fcntl.h> (abi_fcntl_uapi.c; glibc hides the
 * kernel's O_LARGEFILE). Pipe sizes are asked from the running kernel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "core/abi/fcntl.h"
#include "tests/unit/abi/abi_check.h"

void abi_fcntl_uapi(void **state);

static void test_open_flags(void **state)
{
    CK(O_ACCMODE), CK(O_RDONLY), CK(O_WRONLY), CK(O_RDWR), CK(O_CREAT), CK(O_EXCL);
    CK(O_NOCTTY), CK(O_TRUNC), CK(O_APPEND), CK(O_NONBLOCK), CK(O_NDELAY), CK(O_DSYNC);
    CK(FASYNC), CK(O_ASYNC), CK(O_DIRECT), CK(O_DIRECTORY), CK(O_NOFOLLOW), CK(O_NOATIME);
    CK(O_CLOEXEC), CK(O_SYNC), CK(O_RSYNC), CK(O_PATH), CK(O_TMPFILE);
    CK(SEEK_SET), CK(SEEK_CUR), CK(SEEK_END), CK(SEEK_DATA), CK(SEEK_HOLE);
    CK(AT_FDCWD), CK(AT_SYMLINK_NOFOLLOW), CK(AT_EACCESS), CK(AT_REMOVEDIR);
    CK(AT_SYMLINK_FOLLOW), CK(AT_NO_AUTOMOUNT), CK(AT_EMPTY_PATH), CK(AT_STATX_SYNC_TYPE);
    CK(AT_STATX_SYNC_AS_STAT), CK(AT_STATX_FORCE_SYNC), CK(AT_STATX_DONT_SYNC);
    CK(AT_RECURSIVE);
    CK(F_OK), CK(X_OK), CK(W_OK), CK(R_OK);
    CK(RENAME_NOREPLACE), CK(RENAME_EXCHANGE), CK(RENAME_WHITEOUT);
    CK(FALLOC_FL_KEEP_SIZE), CK(FALLOC_FL_PUNCH_HOLE), CK(FALLOC_FL_NO_HIDE_STALE);
    CK(FALLOC_FL_COLLAPSE_RANGE), CK(FALLOC_FL_ZERO_RANGE), CK(FALLOC_FL_INSERT_RANGE);
    CK(FALLOC_FL_UNSHARE_RANGE);
    CK(POSIX_FADV_NORMAL), CK(POSIX_FADV_RANDOM), CK(POSIX_FADV_SEQUENTIAL);
    CK(POSIX_FADV_WILLNEED), CK(POSIX_FADV_DONTNEED), CK(POSIX_FADV_NOREUSE);
    CK(SYNC_FILE_RANGE_WAIT_BEFORE), CK(SYNC_FILE_RANGE_WRITE), CK(SYNC_FILE_RANGE_WAIT_AFTER);
    (void)state;
}

static void test_fcntl_cmds(void **state)
{
    CK(F_DUPFD), CK(F_GETFD), CK(F_SETFD), CK(F_GETFL), CK(F_SETFL), CK(F_GETLK);
    CK(F_SETLK), CK(F_SETLKW), CK(F_SETOWN), CK(F_GETOWN), CK(F_SETSIG), CK(F_GETSIG);
    CK(F_SETOWN_EX), CK(F_GETOWN_EX), CK(F_OFD_GETLK), CK(F_OFD_SETLK), CK(F_OFD_SETLKW);
    CK(F_SETLEASE), CK(F_GETLEASE), CK(F_NOTIFY), CK(F_DUPFD_CLOEXEC), CK(F_SETPIPE_SZ);
    CK(F_GETPIPE_SZ), CK(F_ADD_SEALS), CK(F_GET_SEALS), CK(F_GET_RW_HINT), CK(F_SET_RW_HINT);
    CK(F_GET_FILE_RW_HINT), CK(F_SET_FILE_RW_HINT);
    CK(FD_CLOEXEC), CK(F_RDLCK), CK(F_WRLCK), CK(F_UNLCK);
    CK(LOCK_SH), CK(LOCK_EX), CK(LOCK_NB), CK(LOCK_UN);
    CK(F_OWNER_TID), CK(F_OWNER_PID), CK(F_OWNER_PGRP);
    CK(F_SEAL_SEAL), CK(F_SEAL_SHRINK), CK(F_SEAL_GROW), CK(F_SEAL_WRITE);
    CK(F_SEAL_FUTURE_WRITE);
    SZ(struct linux_flock, struct flock);
    OFF(struct linux_flock, l_type, struct flock, l_type);
    OFF(struct linux_flock, l_whence, struct flock, l_whence);
    OFF(struct linux_flock, l_start, struct flock, l_start);
    OFF(struct linux_flock, l_len, struct flock, l_len);
    OFF(struct linux_flock, l_pid, struct flock, l_pid);
    SZ(struct linux_f_owner_ex, struct f_owner_ex);
    OFF(struct linux_f_owner_ex, pid, struct f_owner_ex, pid);
    (void)state;
}

static void test_fd_makers(void **state)
{
    CK(EFD_SEMAPHORE), CK(EFD_CLOEXEC), CK(EFD_NONBLOCK);
    CK(TFD_CLOEXEC), CK(TFD_NONBLOCK), CK(TFD_TIMER_ABSTIME), CK(TFD_TIMER_CANCEL_ON_SET);
    CK(SFD_CLOEXEC), CK(SFD_NONBLOCK);
    CK(MFD_CLOEXEC), CK(MFD_ALLOW_SEALING), CK(MFD_HUGETLB);
    /* memfd_create's name limit: the kernel's, asked. */
    char name[LINUX_MFD_NAME_MAX + 2];
    memset(name, 'n', sizeof(name));
    name[LINUX_MFD_NAME_MAX] = 0;
    int fd = memfd_create(name, 0);
    assert_true(fd >= 0);
    close(fd);
    name[LINUX_MFD_NAME_MAX] = 'n';
    name[LINUX_MFD_NAME_MAX + 1] = 0;
    assert_int_equal(memfd_create(name, 0), -1);
    assert_int_equal(errno, EINVAL);
    (void)state;
}

/* Sizes only the running kernel knows: a new pipe's capacity, PIPE_BUF, the default cap. */
static void test_pipe_sizes(void **state)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    EQ("F_GETPIPE_SZ of a new pipe", LINUX_PIPE_DEF_SIZE, fcntl(p[0], F_GETPIPE_SZ));
    EQ("PIPE_BUF", LINUX_PIPE_BUF, fpathconf(p[0], _PC_PIPE_BUF));
    close(p[0]);
    close(p[1]);
    FILE *f = fopen("/proc/sys/fs/pipe-max-size", "r");
    long max = 0;
    if (f) {
        assert_int_equal(fscanf(f, "%ld", &max), 1);
        fclose(f);
        EQ("/proc/sys/fs/pipe-max-size", LINUX_PIPE_MAX_SIZE, max);
    }
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_flags), cmocka_unit_test(test_fcntl_cmds),
        cmocka_unit_test(test_fd_makers),  cmocka_unit_test(test_pipe_sizes),
        cmocka_unit_test(abi_fcntl_uapi),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
