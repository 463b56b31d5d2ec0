/*
 * cases_attr.c - attributes and the classic calls issue 7 adds: creat, getdents, chmod and
 * chown families, utime/utimes/futimesat/utimensat, mknod/mknodat, statfs/fstatfs, syncfs,
 * sync_file_range, readahead, fadvise64, prctl names, process groups and sessions,
 * getgroups/setgroups. Cases whose syscalls Petrel does not implement yet run on Linux only.
 * As root, as Petrel's process is: st_uid at 28 and st_gid at 32 of struct stat.
 */
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sc.h"

#define FILEF CALL(open, W(3), S("f"), I(O_RDWR | O_CREAT), I(0644))
#define TS2(a, an, b, bn)                                                                          \
    {                                                                                              \
        SA_DATA, 0, (const char *)(const long[]){(a), (an), (b), (bn)}, 32, 0, NULL                \
    }

const struct sc_case sc_cases_attr[] = {
    CASE("attr.creat", CALL(creat, W(3), S("f"), I(0600)), CALL(write, W(2), I(3), D("hi"), I(2)),
         CALL(read, ERR(EBADF), I(3), BUF(4), I(4)),
         CALLAT(fstat, W(0), 24, "\x80\x81\0\0", I(3), BUF(144))),
    CASE("attr.creat_truncates", FILEF, CALL(write, W(2), I(3), D("hi"), I(2)),
         CALL(creat, W(4), S("f"), I(0600)), CALLAT(fstat, W(0), 48, "\0\0\0\0", I(3), BUF(144))),
    CASE("attr.getdents", FILEF, CALL(open, W(4), S("."), I(O_RDONLY | O_DIRECTORY)),
         CALL(getdents, W(72), I(4), BUF(1024), I(1024)),
         CALL(getdents, W(0), I(4), BUF(1024), I(1024)),
         CALL(getdents, ERR(ENOTDIR), I(3), BUF(1024), I(1024))),
    CASE("attr.chmod_family", FILEF, CALL(fchmod, W(0), I(3), I(0600)),
         CALLAT(fstat, W(0), 24, "\x80\x81\0\0", I(3), BUF(144)),
         CALL(fchmodat, W(0), I(AT_FDCWD), S("f"), I(0640)),
         CALLAT(fstat, W(0), 24, "\xa0\x81\0\0", I(3), BUF(144)),
         CALL(chmod, W(0), S("f"), I(04755)),
         CALLAT(fstat, W(0), 24, "\xed\x89\0\0", I(3), BUF(144)),
         CALL(fchmod, ERR(EBADF), I(99), I(0600)),
         CALL(fchmodat, ERR(ENOENT), I(AT_FDCWD), S("g"), I(0600))),
    CASE("attr.chown_family", FILEF, CALL(chown, W(0), S("f"), I(1), I(2)),
         CALLAT(fstat, W(0), 28, "\1\0\0\0\2\0\0\0", I(3), BUF(144)),
         CALL(fchown, W(0), I(3), I(-1), I(5)),
         CALLAT(fstat, W(0), 28, "\1\0\0\0\5\0\0\0", I(3), BUF(144)),
         CALL(fchownat, W(0), I(AT_FDCWD), S("f"), I(0), I(0), I(0)),
         CALLAT(fstat, W(0), 28, "\0\0\0\0\0\0\0\0", I(3), BUF(144)),
         CALL(fchownat, ERR(EINVAL), I(AT_FDCWD), S("f"), I(0), I(0), I(1)),
         CALL(chown, ERR(ENOENT), S("g"), I(0), I(0)), CALL(fchown, ERR(EBADF), I(99), I(0), I(0))),
    CASE("attr.lchown_symlink", FILEF, CALL(symlink, W(0), S("f"), S("l")),
         CALL(lchown, W(0), S("l"), I(7), I(7)),
         CALLAT(lstat, W(0), 28, "\7\0\0\0\7\0\0\0", S("l"), BUF(144)),
         CALLAT(fstat, W(0), 28, "\0\0\0\0\0\0\0\0", I(3), BUF(144))),
    CASE("attr.utime_family", FILEF, CALL(utime, W(0), S("f"), I(0)),
         CALL(utimes, W(0), S("f"), I(0)), CALL(futimesat, W(0), I(AT_FDCWD), S("f"), I(0)),
         CALL(utimensat, W(0), I(AT_FDCWD), S("f"), I(0), I(0)),
         CALL(utime, ERR(ENOENT), S("g"), I(0))),
    CASE("attr.utimensat_times", FILEF,
         CALL(utimensat, W(0), I(AT_FDCWD), S("f"), TS2(100, 0, 200, 5), I(0)),
         CALLAT(fstat, W(0), 72, "\x64\0\0\0\0\0\0\0", I(3), BUF(144)),
         CALLAT(fstat, W(0), 88, "\xc8\0\0\0\0\0\0\0\5\0\0\0", I(3), BUF(144)),
         CALL(utimensat, W(0), I(AT_FDCWD), S("f"), TS2(0, UTIME_OMIT, 0, UTIME_OMIT), I(0)),
         CALLAT(fstat, W(0), 88, "\xc8\0\0\0\0\0\0\0", I(3), BUF(144))),
    CASE("attr.utimensat_errors", FILEF,
         CALL(utimensat, ERR(EINVAL), I(AT_FDCWD), S("f"), TS2(0, 1000000000, 0, 0), I(0)),
         CALL(utimensat, ERR(EINVAL), I(AT_FDCWD), S("f"), I(0), I(0x1)),
         CALL(utimensat, ERR(ENOENT), I(AT_FDCWD), S("g"), I(0), I(0)),
         CALL(utimensat, W(0), I(3), I(0), I(0), I(0))),
    CASE("attr.mknod_fifo", CALL(mknod, W(0), S("p"), I(S_IFIFO | 0644), I(0)),
         CALLAT(lstat, W(0), 24, "\xa4\x11\0\0", S("p"), BUF(144)),
         CALL(mknod, ERR(EEXIST), S("p"), I(S_IFIFO | 0644), I(0)),
         CALL(mknodat, W(0), I(AT_FDCWD), S("q"), I(S_IFREG | 0600), I(0)),
         CALLAT(lstat, W(0), 24, "\x80\x81\0\0", S("q"), BUF(144)),
         CALL(mknod, ERR(EPERM), S("d"), I(S_IFDIR | 0755), I(0)),
         CALL(mknod, ERR(EINVAL), S("x"), I(0170000 | 0644), I(0))),
    CASE("attr.statfs", FILEF, CALL(statfs, W(0), S("."), BUF(120)),
         CALL(fstatfs, W(0), I(3), BUF(120)), CALL(statfs, ERR(ENOENT), S("g"), BUF(120)),
         CALL(fstatfs, ERR(EBADF), I(99), BUF(120))),
    CASE("attr.syncfs", FILEF, CALL(syncfs, W(0), I(3)), CALL(syncfs, ERR(EBADF), I(99))),
    CASE("attr.sync_file_range", FILEF, CALL(sync_file_range, W(0), I(3), I(0), I(0), I(0)),
         CALL(sync_file_range, W(0), I(3), I(0), I(4096), I(SYNC_FILE_RANGE_WRITE)),
         CALL(sync_file_range, ERR(EINVAL), I(3), I(0), I(0), I(8)),
         CALL(sync_file_range, ERR(EINVAL), I(3), I(-1), I(0), I(0)),
         CALL(sync_file_range, ERR(EBADF), I(99), I(0), I(0), I(0))),
    CASE("attr.readahead", FILEF, CALL(readahead, W(0), I(3), I(0), I(4096)),
         CALL(readahead, ERR(EBADF), I(99), I(0), I(4096))),
    CASE("attr.fadvise64", FILEF, CALL(fadvise64, W(0), I(3), I(0), I(0), I(POSIX_FADV_NORMAL)),
         CALL(fadvise64, W(0), I(3), I(0), I(4096), I(POSIX_FADV_DONTNEED)),
         CALL(fadvise64, ERR(EINVAL), I(3), I(0), I(0), I(99)),
         CALL(fadvise64, ERR(EINVAL), I(3), I(0), I(-1), I(POSIX_FADV_NORMAL)),
         CALL(fadvise64, ERR(EBADF), I(99), I(0), I(0), I(POSIX_FADV_NORMAL))),
    CASE("attr.prctl_name", CALL(prctl, W(0), I(PR_SET_NAME), S("petrel-case"), I(0), I(0), I(0)),
         CALLO(prctl, W(0), "petrel-case\0", I(PR_GET_NAME), BUF(16), I(0), I(0), I(0)),
         CALL(prctl, W(0), I(PR_SET_NAME), S("a-name-longer-than-15"), I(0), I(0), I(0)),
         CALLO(prctl, W(0), "a-name-longer-t\0", I(PR_GET_NAME), BUF(16), I(0), I(0), I(0)),
         CALL(prctl, ERR(EINVAL), I(9999), I(0), I(0), I(0), I(0))),
    CASE("attr.process_groups", CALL0(getpgrp, OK), CALL(getpgid, OK, I(0)), CALL(getsid, OK, I(0)),
         CALL(getpgid, ERR(ESRCH), I(0x3fffffff)), CALL(getsid, ERR(ESRCH), I(0x3fffffff)),
         CALL(setpgid, ERR(EINVAL), I(0), I(-1))),
    /* the native child is not a session leader; Petrel's process is (deviations.h) */
    CASE("attr.setpgid_self", CALL(setpgid, W(0), I(0), I(0)), CALL0(setsid, ERR(EPERM))),
    CASE("attr.groups", CALL(setgroups, W(0), I(0), I(0)), CALL(getgroups, W(0), I(0), I(0)),
         CALL(setgroups, W(0), I(1), D("\7\0\0\0")),
         CALLO(getgroups, W(1), "\7\0\0\0", I(1), BUF(4)),
         CALL(getgroups, ERR(EINVAL), I(-1), BUF(4)), CALL(setgroups, ERR(EINVAL), I(-1), I(0))),
    {NULL, NULL, 0, -1, {0}, 0, false},
};
