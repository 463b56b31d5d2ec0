/*
 * test_sys_meta.c - file metadata, hints, process groups, groups and prctl (sys_meta.c and
 * sys_misc.c). Every expectation was first taken from the host's Linux (6.x) with the same
 * calls made natively as root; the few Petrel-specific answers (the console) say why.
 */
#include "st.h"

#include "core/abi/fcntl.h"
#include "core/abi/mman.h"
#include "core/abi/prctl.h"
#include "core/abi/sched.h"
#include "core/abi/stat.h"
#include "core/abi/time.h"

#define P(off) (st_buf + (off))
#define CWD ((uint64_t)(int64_t)LINUX_AT_FDCWD)

static long st_open(const char *path, uint64_t flags, uint64_t mode)
{
    return SC(SYS_NR_open, st_str(P(0), path), flags, mode);
}

/* stat of path into *st; the syscall's result. */
static long st_stat(const char *path, struct linux_stat *st)
{
    long rc = SC(SYS_NR_lstat, st_str(P(0), path), P(512));

    st_get(st, P(512), sizeof(*st));
    return rc;
}

ST_CASE(chmod_family)
{
    struct linux_stat st;
    long fd, op;

    st_file("/f", "x");
    ST_EQ(SC(SYS_NR_chmod, st_str(P(0), "/f"), 0170000 | 04640), 0);
    ST_EQ(st_stat("/f", &st), 0);
    ST_EQ(st.st_mode, LINUX_S_IFREG | 04640);
    ST_EQ(SC(SYS_NR_fchmodat, CWD, st_str(P(0), "f"), 0600), 0);
    ST_EQ(st_stat("/f", &st), 0);
    ST_EQ(st.st_mode & 07777, 0600);
    fd = st_open("/f", LINUX_O_RDONLY, 0);
    ST_CHECK(fd >= 0);
    ST_EQ(SC(SYS_NR_fchmod, fd, 0644), 0);
    ST_EQ(st_stat("/f", &st), 0);
    ST_EQ(st.st_mode & 07777, 0644);
    op = st_open("/f", LINUX_O_PATH, 0);
    ST_EQ(SC(SYS_NR_fchmod, op, 0600), -EBADF);
    ST_EQ(SC(SYS_NR_fchmod, 99, 0600), -EBADF);
    ST_EQ(SC(SYS_NR_fchmod, 1, 0620), 0); /* a tty's mode: no inode here, nothing to see */
    ST_EQ(SC(SYS_NR_chmod, st_str(P(0), "/nope"), 0600), -ENOENT);
    ST_EQ(SC(SYS_NR_chmod, 0, 0600), -EFAULT);
    ST_EQ(SC(SYS_NR_chmod, ST_KERNEL_PTR, 0600), -EFAULT);
}

ST_CASE(chown_family)
{
    struct linux_stat st;
    long fd;

    st_file("/f", "x");
    ST_EQ(SC(SYS_NR_chmod, st_str(P(0), "/f"), 04755), 0);
    ST_EQ(SC(SYS_NR_chown, st_str(P(0), "/f"), 5, 6), 0);
    ST_EQ(st_stat("/f", &st), 0);
    ST_EQ(st.st_uid, 5);
    ST_EQ(st.st_gid, 6);
    ST_EQ(st.st_mode & 07777, 0755); /* set-uid dropped by an owner change, root too */
    ST_EQ(SC(SYS_NR_chown, st_str(P(0), "/f"), (uint32_t)-1, (uint32_t)-1), 0);
    ST_EQ(st_stat("/f", &st), 0);
    ST_EQ(st.st_uid, 5);
    ST_EQ(SC(SYS_NR_symlink, st_str(P(0), "/f"), st_str(P(100), "/l")), 0);
    ST_EQ(SC(SYS_NR_lchown, st_str(P(0), "/l"), 9, 9), 0);
    ST_EQ(st_stat("/l", &st), 0);
    ST_EQ(st.st_uid, 9);
    ST_EQ(st_stat("/f", &st), 0);
    ST_EQ(st.st_uid, 5);
    ST_EQ(SC(SYS_NR_fchownat, CWD, st_str(P(0), "/f"), 1, 1, 0x8000), -EINVAL);
    ST_EQ(SC(SYS_NR_fchownat, CWD, st_str(P(0), "/l"), 2, 3, 0), 0); /* follows */
    ST_EQ(st_stat("/f", &st), 0);
    ST_EQ(st.st_gid, 3);
    fd = st_open("/f", LINUX_O_RDONLY, 0);
    ST_EQ(SC(SYS_NR_fchown, fd, 7, 8), 0);
    ST_EQ(st_stat("/f", &st), 0);
    ST_EQ(st.st_uid, 7);
    ST_EQ(SC(SYS_NR_fchown, st_open("/f", LINUX_O_PATH, 0), 1, 1), -EBADF);
    ST_EQ(SC(SYS_NR_fchown, 1, 0, 0), 0);
}

static void put_ts(uint64_t u, int64_t s0, int64_t n0, int64_t s1, int64_t n1)
{
    struct linux_timespec t[2] = {{s0, n0}, {s1, n1}};

    st_put(u, t, sizeof(t));
}

ST_CASE(utimensat_and_touch)
{
    struct linux_stat st;
    long fd;

    st_file("/f", "x");
    put_ts(P(1024), 1, 5, 2, 6);
    ST_EQ(SC(SYS_NR_utimensat, CWD, st_str(P(0), "/f"), P(1024), 0), 0);
    ST_EQ(st_stat("/f", &st), 0);
    ST_EQ(st.st_atime_sec, 1);
    ST_EQ(st.st_atime_nsec, 5);
    ST_EQ(st.st_mtime_sec, 2);
    ST_EQ(st.st_mtime_nsec, 6);
    put_ts(P(1024), 7, LINUX_UTIME_OMIT, 8, 0);
    ST_EQ(SC(SYS_NR_utimensat, CWD, st_str(P(0), "/f"), P(1024), 0), 0);
    ST_EQ(st_stat("/f", &st), 0);
    ST_EQ(st.st_atime_sec, 1);
    ST_EQ(st.st_mtime_sec, 8);
    ST_EQ(SC(SYS_NR_utimensat, CWD, st_str(P(0), "/f"), 0, 0x8000), -EINVAL);
    put_ts(P(1024), 1, 1000000000, 2, 0);
    ST_EQ(SC(SYS_NR_utimensat, CWD, st_str(P(0), "/f"), P(1024), 0), -EINVAL);
    ST_EQ(SC(SYS_NR_utimensat, CWD, st_str(P(0), "/f"), ST_KERNEL_PTR, 0), -EFAULT);
    ST_EQ(SC(SYS_NR_utimensat, CWD, 0, 0, 0), -EFAULT);
    ST_EQ(SC(SYS_NR_utimensat, CWD, st_str(P(0), ""), 0, 0), -ENOENT);
    /* touch: create, then set the times through the descriptor */
    fd = SC(SYS_NR_openat, CWD, st_str(P(0), "/t"),
            LINUX_O_CREAT | LINUX_O_WRONLY | LINUX_O_NOCTTY | LINUX_O_NONBLOCK, 0666);
    ST_CHECK(fd >= 0);
    ST_EQ(SC(SYS_NR_utimensat, fd, 0, 0, 0), 0);
    ST_EQ(SC(SYS_NR_utimensat, fd, 0, 0, LINUX_AT_SYMLINK_NOFOLLOW), -EINVAL);
    ST_EQ(SC(SYS_NR_utimensat, fd, st_str(P(0), ""), 0, LINUX_AT_EMPTY_PATH), 0);
    ST_EQ(SC(SYS_NR_utimensat, st_open("/t", LINUX_O_PATH, 0), 0, 0, 0), -EBADF);
    ST_EQ(SC(SYS_NR_utimensat, 1, 0, 0, 0), 0);
    ST_EQ(st_stat("/t", &st), 0);
    ST_EQ(st.st_mode, LINUX_S_IFREG | 0644);
}

ST_CASE(utimes_utime_futimesat)
{
    struct linux_timeval tv[2] = {{1, 1000000}, {2, 0}};
    struct linux_utimbuf ub = {10, 20};
    struct linux_stat st;
    long fd;

    st_file("/f", "x");
    st_put(P(1024), tv, sizeof(tv));
    ST_EQ(SC(SYS_NR_utimes, st_str(P(0), "/f"), P(1024)), -EINVAL);
    tv[0].tv_usec = -1;
    st_put(P(1024), tv, sizeof(tv));
    ST_EQ(SC(SYS_NR_utimes, st_str(P(0), "/f"), P(1024)), -EINVAL);
    tv[0].tv_usec = 5;
    st_put(P(1024), tv, sizeof(tv));
    ST_EQ(SC(SYS_NR_utimes, st_str(P(0), "/f"), P(1024)), 0);
    ST_EQ(st_stat("/f", &st), 0);
    ST_EQ(st.st_atime_sec, 1);
    ST_EQ(st.st_atime_nsec, 5000);
    ST_EQ(st.st_mtime_sec, 2);
    tv[0].tv_sec = -5;
    st_put(P(1024), tv, sizeof(tv));
    ST_EQ(SC(SYS_NR_utimes, st_str(P(0), "/f"), P(1024)), 0);
    ST_EQ(st_stat("/f", &st), 0);
    ST_EQ(st.st_atime_sec, -5);
    ST_EQ(SC(SYS_NR_utimes, st_str(P(0), "/f"), ST_KERNEL_PTR), -EFAULT);
    ST_EQ(SC(SYS_NR_utimes, st_str(P(0), "/f"), 0), 0);
    st_put(P(1024), &ub, sizeof(ub));
    ST_EQ(SC(SYS_NR_utime, st_str(P(0), "/f"), P(1024)), 0);
    ST_EQ(st_stat("/f", &st), 0);
    ST_EQ(st.st_atime_sec, 10);
    ST_EQ(st.st_atime_nsec, 0);
    ST_EQ(st.st_mtime_sec, 20);
    ST_EQ(SC(SYS_NR_utime, st_str(P(0), "/f"), 0), 0);
    ST_EQ(SC(SYS_NR_utime, st_str(P(0), "/nope"), 0), -ENOENT);
    fd = st_open("/f", LINUX_O_RDONLY, 0);
    ST_EQ(SC(SYS_NR_futimesat, fd, 0, 0), 0);
    ST_EQ(SC(SYS_NR_futimesat, CWD, 0, 0), -EFAULT);
    ST_EQ(SC(SYS_NR_futimesat, CWD, st_str(P(0), "f"), 0), 0);
}

ST_CASE(mknod_and_creat)
{
    struct linux_stat st;
    long fd;

    ST_EQ(SC(SYS_NR_mknod, st_str(P(0), "/d"), LINUX_S_IFDIR | 0755, 0), -EPERM);
    ST_EQ(SC(SYS_NR_mknod, st_str(P(0), "/nodir/d"), LINUX_S_IFDIR | 0755, 0), -EPERM);
    ST_EQ(SC(SYS_NR_mknod, st_str(P(0), "/x"), 0170000 | 0644, 0), -EINVAL);
    ST_EQ(SC(SYS_NR_mknod, st_str(P(0), "/r"), 0644, 0), 0);
    ST_EQ(st_stat("/r", &st), 0);
    ST_EQ(st.st_mode, LINUX_S_IFREG | 0644);
    ST_EQ(SC(SYS_NR_mknod, st_str(P(0), "/r"), LINUX_S_IFREG | 0644, 0), -EEXIST);
    ST_EQ(SC(SYS_NR_mknod, st_str(P(0), "/fifo"), LINUX_S_IFIFO | 0666, 0), 0);
    ST_EQ(st_stat("/fifo", &st), 0);
    ST_EQ(st.st_mode, LINUX_S_IFIFO | 0644); /* umask 022 */
    ST_EQ(SC(SYS_NR_mknodat, CWD, st_str(P(0), "c"), LINUX_S_IFCHR | 0600, 0x103), 0);
    ST_EQ(st_stat("/c", &st), 0);
    ST_EQ(st.st_mode, LINUX_S_IFCHR | 0600);
    ST_EQ(st.st_rdev, LINUX_MAKEDEV(1, 3));
    ST_EQ(SC(SYS_NR_mknod, 0, 0644, 0), -EFAULT);
    /* creat: O_CREAT | O_WRONLY | O_TRUNC */
    fd = SC(SYS_NR_creat, st_str(P(0), "/n"), 0666);
    ST_CHECK(fd >= 0);
    ST_EQ(SC(SYS_NR_write, fd, st_str(P(100), "abc"), 3), 3);
    ST_EQ(SC(SYS_NR_read, fd, P(200), 1), -EBADF);
    ST_EQ(st_stat("/n", &st), 0);
    ST_EQ(st.st_mode, LINUX_S_IFREG | 0644);
    ST_EQ(st.st_size, 3);
    ST_CHECK(SC(SYS_NR_creat, st_str(P(0), "/n"), 0600) >= 0);
    ST_EQ(st_stat("/n", &st), 0);
    ST_EQ(st.st_size, 0);
    ST_EQ(SC(SYS_NR_creat, st_str(P(0), "/"), 0644), -EISDIR);
}

ST_CASE(statfs_family)
{
    struct linux_statfs sf;
    long fd;

    st_file("/f", "x");
    ST_EQ(SC(SYS_NR_statfs, st_str(P(0), "/"), P(512)), 0);
    st_get(&sf, P(512), sizeof(sf));
    ST_EQ(sf.f_namelen, 255);
    ST_CHECK(sf.f_bsize > 0);
    ST_EQ(SC(SYS_NR_statfs, st_str(P(0), "/nope"), P(512)), -ENOENT);
    ST_EQ(SC(SYS_NR_statfs, st_str(P(0), "/"), ST_KERNEL_PTR), -EFAULT);
    fd = st_open("/f", LINUX_O_RDONLY, 0);
    ST_EQ(SC(SYS_NR_fstatfs, fd, P(512)), 0);
    ST_EQ(SC(SYS_NR_fstatfs, st_open("/f", LINUX_O_PATH, 0), P(512)), 0); /* O_PATH is fine */
    ST_EQ(SC(SYS_NR_fstatfs, 99, P(512)), -EBADF);
    ST_EQ(SC(SYS_NR_fstatfs, 1, P(512)), 0);
    st_get(&sf, P(512), sizeof(sf));
    ST_EQ(sf.f_type, LINUX_DEVPTS_SUPER_MAGIC); /* what a pty's fstatfs says */
}

ST_CASE(sync_and_hints)
{
    long fd, op, wo, dir;

    st_file("/f", "abc");
    ST_EQ(SC(SYS_NR_mkdir, st_str(P(0), "/dd"), 0755), 0);
    fd = st_open("/f", LINUX_O_RDWR, 0);
    op = st_open("/f", LINUX_O_PATH, 0);
    wo = st_open("/f", LINUX_O_WRONLY, 0);
    dir = st_open("/dd", LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0);
    ST_CHECK(fd >= 0 && op >= 0 && wo >= 0 && dir >= 0);
    ST_EQ(SC(SYS_NR_syncfs, fd), 0);
    ST_EQ(SC(SYS_NR_syncfs, 1), 0);
    ST_EQ(SC(SYS_NR_syncfs, op), -EBADF);
    ST_EQ(SC(SYS_NR_syncfs, 99), -EBADF);
    ST_EQ(SC(SYS_NR_fadvise64, fd, 0, 0, LINUX_POSIX_FADV_WILLNEED), 0);
    ST_EQ(SC(SYS_NR_fadvise64, fd, 0, 0, 6), -EINVAL);
    ST_EQ(SC(SYS_NR_fadvise64, fd, 0, (uint64_t)-1, 0), 0);
    ST_EQ(SC(SYS_NR_fadvise64, fd, (uint64_t)-5, 10, 0), 0);
    ST_EQ(SC(SYS_NR_fadvise64, dir, 0, 0, 0), 0);
    ST_EQ(SC(SYS_NR_fadvise64, op, 0, 0, 0), -EBADF);
    ST_EQ(SC(SYS_NR_fadvise64, 99, 0, 0, 0), -EBADF);
    ST_EQ(SC(SYS_NR_fadvise64, 1, 0, 0, 0), 0);
    ST_EQ(SC(SYS_NR_fadvise64, 1, 0, 0, 9), -EINVAL);
    ST_EQ(SC(SYS_NR_readahead, fd, 0, 10), 0);
    ST_EQ(SC(SYS_NR_readahead, fd, (uint64_t)-1, 10), 0);
    ST_EQ(SC(SYS_NR_readahead, dir, 0, 10), -EINVAL);
    ST_EQ(SC(SYS_NR_readahead, op, 0, 10), -EBADF);
    ST_EQ(SC(SYS_NR_readahead, wo, 0, 10), -EBADF);
    ST_EQ(SC(SYS_NR_readahead, 1, 0, 10), -EINVAL);
    ST_EQ(SC(SYS_NR_sync_file_range, fd, 0, 0, LINUX_SYNC_FILE_RANGE_WRITE), 0);
    ST_EQ(SC(SYS_NR_sync_file_range, fd, 0, 0, 7), 0);
    ST_EQ(SC(SYS_NR_sync_file_range, fd, 0, 0, 8), -EINVAL);
    ST_EQ(SC(SYS_NR_sync_file_range, fd, (uint64_t)-1, 0, 2), 0);
    ST_EQ(SC(SYS_NR_sync_file_range, fd, 10, (uint64_t)-20, 2), 0);
    ST_EQ(SC(SYS_NR_sync_file_range, wo, 0, 0, 2), 0);
    ST_EQ(SC(SYS_NR_sync_file_range, dir, 0, 0, 2), 0);
    ST_EQ(SC(SYS_NR_sync_file_range, op, 0, 0, 2), -EBADF);
    ST_EQ(SC(SYS_NR_sync_file_range, 1, 0, 0, 2), -ESPIPE);
}

ST_CASE(getdents_old)
{
    uint8_t b[4096];
    long dir, n, reg;
    int seen = 0;

    ST_EQ(SC(SYS_NR_mkdir, st_str(P(0), "/d"), 0755), 0);
    st_file("/d/a", "1");
    ST_EQ(SC(SYS_NR_mkdir, st_str(P(0), "/d/bb"), 0755), 0);
    dir = st_open("/d", LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0);
    ST_EQ(SC(SYS_NR_getdents, dir, P(1024), 10), -EINVAL);
    n = SC(SYS_NR_getdents, dir, P(1024), sizeof(b));
    ST_CHECK(n > 0 && n <= (long)sizeof(b));
    st_get(b, P(1024), (size_t)n);
    for (long off = 0; off < n;) {
        struct linux_dirent *e = (struct linux_dirent *)(b + off);
        size_t len = strlen(e->d_name);
        uint8_t type = b[off + e->d_reclen - 1];

        ST_EQ(e->d_reclen, (20 + len + 7) / 8 * 8);
        if (strcmp(e->d_name, "a") == 0) {
            seen += 1;
            ST_EQ(type, LINUX_DT_REG);
        } else if (strcmp(e->d_name, "bb") == 0 || strcmp(e->d_name, ".") == 0 ||
                   strcmp(e->d_name, "..") == 0) {
            seen += 10;
            ST_EQ(type, LINUX_DT_DIR);
        }
        off += e->d_reclen;
    }
    ST_EQ(seen, 31);
    ST_EQ(SC(SYS_NR_getdents, dir, P(1024), sizeof(b)), 0); /* the end */
    reg = st_open("/d/a", LINUX_O_RDONLY, 0);
    ST_EQ(SC(SYS_NR_getdents, reg, P(1024), sizeof(b)), -ENOTDIR);
    ST_EQ(SC(SYS_NR_getdents, 1, P(1024), sizeof(b)), -ENOTDIR);
    ST_EQ(SC(SYS_NR_getdents, 99, P(1024), sizeof(b)), -EBADF);
    dir = st_open("/d", LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0);
    ST_EQ(SC(SYS_NR_getdents, dir, ST_KERNEL_PTR, sizeof(b)), -EFAULT);
}

ST_CASE(process_groups)
{
    ST_EQ(SC(SYS_NR_getpgrp), 1);
    ST_EQ(SC(SYS_NR_getpgid, 0), 1);
    ST_EQ(SC(SYS_NR_getpgid, 1), 1);
    ST_EQ(SC(SYS_NR_getpgid, 999999), -ESRCH);
    ST_EQ(SC(SYS_NR_getpgid, (uint64_t)-1), -ESRCH);
    ST_EQ(SC(SYS_NR_getsid, 0), 1);
    ST_EQ(SC(SYS_NR_getsid, 999999), -ESRCH);
    ST_EQ(SC(SYS_NR_setsid), -EPERM);
    ST_EQ(SC(SYS_NR_setpgid, 0, 0), -EPERM);
    ST_EQ(SC(SYS_NR_setpgid, 0, 1), -EPERM);
    ST_EQ(SC(SYS_NR_setpgid, 0, 12345), -EPERM);
    ST_EQ(SC(SYS_NR_setpgid, 12345, 0), -ESRCH);
    ST_EQ(SC(SYS_NR_setpgid, 0, (uint64_t)-1), -EINVAL);
}

ST_CASE(supplementary_groups)
{
    uint32_t g[3] = {5, 3, 4}, o[8];

    ST_EQ(SC(SYS_NR_getgroups, 0, 0), 0);
    st_put(P(1024), g, sizeof(g));
    ST_EQ(SC(SYS_NR_setgroups, 3, P(1024)), 0);
    ST_EQ(SC(SYS_NR_getgroups, 0, 0), 3);
    ST_EQ(SC(SYS_NR_getgroups, 8, P(2048)), 3);
    st_get(o, P(2048), 3 * sizeof(o[0]));
    ST_CHECK(o[0] == 3 && o[1] == 4 && o[2] == 5); /* Linux sorts them */
    ST_EQ(SC(SYS_NR_getgroups, 2, P(2048)), -EINVAL);
    ST_EQ(SC(SYS_NR_getgroups, (uint64_t)-1, 0), -EINVAL);
    ST_EQ(SC(SYS_NR_getgroups, 8, 0), -EFAULT);
    ST_EQ(SC(SYS_NR_setgroups, 65537, 0), -EINVAL);
    ST_EQ(SC(SYS_NR_setgroups, (uint64_t)-1, 0), -EINVAL);
    ST_EQ(SC(SYS_NR_setgroups, 1, ST_KERNEL_PTR), -EFAULT);
    ST_EQ(SC(SYS_NR_getgroups, 0, 0), 3);
    ST_EQ(SC(SYS_NR_setgroups, 0, 0), 0);
    ST_EQ(SC(SYS_NR_getgroups, 0, 0), 0);
}

ST_CASE(prctl_options)
{
    char name[16];
    int32_t sig = 0;

    ST_EQ(SC(SYS_NR_prctl, LINUX_PR_SET_NAME, st_str(P(0), "abcdefghijklmnopqrstuvwxyz")), 0);
    ST_EQ(SC(SYS_NR_prctl, LINUX_PR_GET_NAME, P(100)), 0);
    st_get(name, P(100), sizeof(name));
    ST_CHECK(strcmp(name, "abcdefghijklmno") == 0);
    ST_EQ(SC(SYS_NR_prctl, LINUX_PR_SET_NAME, ST_KERNEL_PTR), -EFAULT);
    ST_EQ(SC(SYS_NR_prctl, LINUX_PR_GET_NAME, ST_KERNEL_PTR), -EFAULT);
    /* a short name in the last bytes before unmapped memory */
    st_put(st_hole - 3, "ab", 3);
    ST_EQ(SC(SYS_NR_prctl, LINUX_PR_SET_NAME, st_hole - 3), 0);
    ST_EQ(SC(SYS_NR_prctl, LINUX_PR_GET_NAME, P(100)), 0);
    st_get(name, P(100), sizeof(name));
    ST_CHECK(strcmp(name, "ab") == 0);
    ST_EQ(SC(SYS_NR_prctl, LINUX_PR_SET_PDEATHSIG, 65), -EINVAL);
    ST_EQ(SC(SYS_NR_prctl, LINUX_PR_SET_PDEATHSIG, (uint64_t)-1), -EINVAL);
    ST_EQ(SC(SYS_NR_prctl, LINUX_PR_SET_PDEATHSIG, 10), 0);
    ST_EQ(SC(SYS_NR_prctl, LINUX_PR_GET_PDEATHSIG, P(200)), 0);
    st_get(&sig, P(200), sizeof(sig));
    ST_EQ(sig, 10);
    ST_EQ(SC(SYS_NR_prctl, LINUX_PR_GET_PDEATHSIG, 0), -EFAULT);
    ST_EQ(SC(SYS_NR_prctl, LINUX_PR_GET_DUMPABLE), 1);
    ST_EQ(SC(SYS_NR_prctl, LINUX_PR_SET_DUMPABLE, 2), -EINVAL);
    ST_EQ(SC(SYS_NR_prctl, LINUX_PR_SET_DUMPABLE, 0), 0);
    ST_EQ(SC(SYS_NR_prctl, LINUX_PR_GET_DUMPABLE), 0);
    ST_EQ(SC(SYS_NR_prctl, LINUX_PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0);
    ST_EQ(SC(SYS_NR_prctl, LINUX_PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0), -EINVAL);
    ST_EQ(SC(SYS_NR_prctl, LINUX_PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0), -EINVAL);
    ST_EQ(SC(SYS_NR_prctl, LINUX_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
    ST_EQ(SC(SYS_NR_prctl, LINUX_PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1);
    ST_EQ(SC(SYS_NR_prctl, LINUX_PR_GET_TIMERSLACK), 50000);
    ST_EQ(SC(SYS_NR_prctl, LINUX_PR_SET_TIMERSLACK, 1000), 0);
    ST_EQ(SC(SYS_NR_prctl, LINUX_PR_GET_TIMERSLACK), 1000);
    ST_EQ(SC(SYS_NR_prctl, LINUX_PR_SET_TIMERSLACK, 0), 0);
    ST_EQ(SC(SYS_NR_prctl, LINUX_PR_GET_TIMERSLACK), 50000);
    ST_EQ(SC(SYS_NR_prctl, LINUX_PR_CAPBSET_READ, 40), 1);
    ST_EQ(SC(SYS_NR_prctl, LINUX_PR_CAPBSET_READ, 41), -EINVAL);
    ST_EQ(SC(SYS_NR_prctl, 9999), -EINVAL);
}

ST_CASE(arch_prctl_task_size)
{
    ST_EQ(SC(SYS_NR_arch_prctl, LINUX_ARCH_SET_GS, LINUX_TASK_SIZE_MAX - 1), 0);
    ST_EQ(SC(SYS_NR_arch_prctl, LINUX_ARCH_SET_GS, LINUX_TASK_SIZE_MAX), -EPERM);
    ST_EQ(SC(SYS_NR_arch_prctl, LINUX_ARCH_SET_FS, LINUX_TASK_SIZE_MAX), -EPERM);
    ST_EQ(SC(SYS_NR_arch_prctl, LINUX_ARCH_SET_GS, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chmod_family),
        cmocka_unit_test(chown_family),
        cmocka_unit_test(utimensat_and_touch),
        cmocka_unit_test(utimes_utime_futimesat),
        cmocka_unit_test(mknod_and_creat),
        cmocka_unit_test(statfs_family),
        cmocka_unit_test(sync_and_hints),
        cmocka_unit_test(getdents_old),
        cmocka_unit_test(process_groups),
        cmocka_unit_test(supplementary_groups),
        cmocka_unit_test(prctl_options),
        cmocka_unit_test(arch_prctl_task_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
