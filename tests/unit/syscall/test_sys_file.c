/*
 * test_sys_file.c - descriptor syscalls through ksys_call: read/write and their vector and
 * positioned forms, open/openat/close, fstat, lseek, getdents64, ftruncate, fsync, dup*,
 * fcntl, ioctl, the console descriptors; every pointer argument's -EFAULT cases.
 */
#include "st.h"

#include "fs/file/file.h"
#include "fs/vfs/memfs.h"
#include "hal_hosted/hosted.h"

#define P(off) (st_buf + (off))

/* Every pointer argument must refuse these with -EFAULT. */
static const uint64_t bad_ptrs[] = {0, ST_KERNEL_PTR, ST_WRAP_PTR, 0x1000};

ST_CASE(write_read_roundtrip)
{
    char back[16] = {0};
    long fd;

    st_str(P(0), "/f");
    st_put(P(100), "hello world", 11);
    fd = SC(NR_open, P(0), O_RDWR_ | O_CREAT_, 0644);
    ST_CHECK(fd >= 3);
    ST_EQ(SC(NR_write, fd, P(100), 11), 11);
    ST_EQ(SC(NR_lseek, fd, 0, 0), 0);
    ST_EQ(SC(NR_read, fd, P(200), 100), 11);
    st_get(back, P(200), 11);
    ST_CHECK(memcmp(back, "hello world", 11) == 0);
    ST_EQ(SC(NR_read, fd, P(200), 100), 0); /* end of file */
    ST_EQ(SC(NR_read, fd, P(200), 0), 0);
    ST_EQ(SC(NR_close, fd), 0);
    ST_EQ(SC(NR_close, fd), -EBADF);
}

ST_CASE(read_write_bad_fd)
{
    ST_EQ(SC(NR_read, 77, P(0), 1), -EBADF);
    ST_EQ(SC(NR_write, 77, P(0), 1), -EBADF);
    ST_EQ(SC(NR_read, (uint64_t)-1, P(0), 1), -EBADF);
    ST_EQ(SC(NR_write, 5000, P(0), 1), -EBADF);
    ST_EQ(SC(NR_close, 5000), -EBADF);
    ST_EQ(SC(NR_pread64, 77, P(0), 1, 0), -EBADF);
}

ST_CASE(read_write_efault)
{
    long fd;

    st_file("/f", "0123456789");
    fd = SC(NR_open, st_str(P(0), "/f"), O_RDWR_);
    ST_CHECK(fd >= 0);
    for (size_t i = 0; i < sizeof(bad_ptrs) / sizeof(bad_ptrs[0]); i++) {
        ST_EQ(SC(NR_read, fd, bad_ptrs[i], 8), -EFAULT);
        ST_EQ(SC(NR_write, fd, bad_ptrs[i], 8), -EFAULT);
        ST_EQ(SC(NR_pread64, fd, bad_ptrs[i], 8, 0), -EFAULT);
        ST_EQ(SC(NR_pwrite64, fd, bad_ptrs[i], 8, 0), -EFAULT);
    }
    ST_EQ(SC(NR_read, fd, st_hole, 8), -EFAULT);
    ST_EQ(SC(NR_lseek, fd, 0, 1), 0); /* nothing moved */
    /* A buffer running into the hole: the bytes before it, and the offset moves by them
     * (Linux: write 4, read 4; checked natively). */
    st_put(st_hole - 4, "ABCD", 4);
    ST_EQ(SC(NR_write, fd, st_hole - 4, 8), 4);
    ST_EQ(SC(NR_lseek, fd, 0, 1), 4);
    ST_EQ(SC(NR_read, fd, st_hole - 4, 8), 4);
    ST_EQ(SC(NR_lseek, fd, 0, 1), 8);
    ST_EQ(SC(NR_pread64, fd, st_hole - 2, 8, 0), 2);
    ST_EQ(SC(NR_pwrite64, fd, st_hole - 3, 8, 0), 3);
    char b[10];
    st_get(b, st_hole - 4, 4);
    ST_CHECK(memcmp(b, "45AB", 4) == 0); /* the read put "4567", the pread "AB" at -2 */
    ST_EQ(SC(NR_pread64, fd, P(0), 10, 0), 10);
    st_get(b, P(0), 10);
    ST_CHECK(memcmp(b, "5ABD456789", 10) == 0);
    /* At the end of the file an unmapped buffer reads 0 (Linux never touches it); a
     * kernel-half one is -EFAULT (access_ok comes first); a write-only file says -EBADF. */
    ST_EQ(SC(NR_lseek, fd, 0, 2), 10);
    ST_EQ(SC(NR_read, fd, st_hole, 8), 0);
    ST_EQ(SC(NR_read, fd, 0, 8), 0);
    ST_EQ(SC(NR_read, fd, ST_KERNEL_PTR, 8), -EFAULT);
    long wfd = SC(NR_open, st_str(P(0), "/f"), O_WRONLY_);
    ST_EQ(SC(NR_read, wfd, st_hole, 8), -EBADF);
    ST_EQ(SC(NR_close, wfd), 0);
    ST_EQ(SC(NR_lseek, fd, 0, 0), 0);
    /* a read-only mapping is no read buffer */
    ST_EQ(SC(NR_mprotect, P(8192), 4096, 1), 0);
    ST_EQ(SC(NR_read, fd, P(8192), 4), -EFAULT);
    ST_EQ(SC(NR_write, fd, P(8192), 4), 4);
}

ST_CASE(pread_pwrite)
{
    char b[8] = {0};
    long fd;

    st_file("/f", "abcdefgh");
    fd = SC(NR_open, st_str(P(0), "/f"), O_RDWR_);
    ST_EQ(SC(NR_pread64, fd, P(100), 3, 2), 3);
    st_get(b, P(100), 3);
    ST_CHECK(memcmp(b, "cde", 3) == 0);
    ST_EQ(SC(NR_lseek, fd, 0, 1), 0); /* pread leaves the offset */
    st_put(P(200), "XY", 2);
    ST_EQ(SC(NR_pwrite64, fd, P(200), 2, 6), 2);
    ST_EQ(SC(NR_pread64, fd, P(100), 8, 0), 8);
    st_get(b, P(100), 8);
    ST_CHECK(memcmp(b, "abcdefXY", 8) == 0);
    ST_EQ(SC(NR_pread64, fd, P(100), 8, (uint64_t)-1), -EINVAL);
    ST_EQ(SC(NR_pwrite64, fd, P(100), 8, (uint64_t)-5), -EINVAL);
    ST_EQ(SC(NR_pread64, 1, P(100), 8, 0), -ESPIPE); /* console */
}

ST_CASE(readv_writev)
{
    uint64_t iov[6] = {P(1000), 3, P(2000), 0, P(3000), 4};
    char b[8] = {0};
    long fd;

    st_put(P(1000), "abc", 3);
    st_put(P(3000), "defg", 4);
    st_put(P(500), iov, sizeof(iov));
    fd = SC(NR_open, st_str(P(0), "/v"), O_RDWR_ | O_CREAT_, 0600);
    ST_EQ(SC(NR_writev, fd, P(500), 3), 7);
    ST_EQ(SC(NR_lseek, fd, 0, 0), 0);
    iov[0] = P(4000);
    iov[1] = 2;
    iov[4] = P(4100);
    iov[5] = 10;
    st_put(P(600), iov, sizeof(iov));
    ST_EQ(SC(NR_readv, fd, P(600), 3), 7);
    st_get(b, P(4000), 2);
    ST_CHECK(memcmp(b, "ab", 2) == 0);
    st_get(b, P(4100), 5);
    ST_CHECK(memcmp(b, "cdefg", 5) == 0);
    ST_EQ(SC(NR_readv, fd, P(600), 0), 0);
    ST_EQ(SC(NR_writev, fd, P(600), 1025), -EINVAL);
    ST_EQ(SC(NR_writev, fd, P(600), (uint64_t)-1), -EINVAL);
    for (size_t i = 0; i < sizeof(bad_ptrs) / sizeof(bad_ptrs[0]); i++)
        ST_EQ(SC(NR_writev, fd, bad_ptrs[i], 1), -EFAULT);
    /* Linux (checked natively): lengths past the top of user space are -EFAULT; a negative
     * length anywhere is -EINVAL, before a kernel pointer's -EFAULT. */
    uint64_t huge[4] = {P(0), 1ULL << 62, P(0), 1ULL << 62};
    st_put(P(700), huge, sizeof(huge));
    ST_EQ(SC(NR_writev, fd, P(700), 2), -EFAULT);
    uint64_t neg[4] = {ST_KERNEL_PTR, 4, P(0), 1ULL << 63};
    st_put(P(700), neg, sizeof(neg));
    ST_EQ(SC(NR_writev, fd, P(700), 2), -EINVAL);
    /* A kernel-half pointer in any element fails the call before anything is written;
     * an unmapped user one ends it there: the bytes done so far (Linux, checked natively). */
    int64_t end = SC(NR_lseek, fd, 0, 1);
    uint64_t part[4] = {P(1000), 3, ST_KERNEL_PTR, 4};
    st_put(P(800), part, sizeof(part));
    ST_EQ(SC(NR_writev, fd, P(800), 2), -EFAULT);
    ST_EQ(SC(NR_readv, fd, P(800), 2), -EFAULT);
    ST_EQ(SC(NR_lseek, fd, 0, 1), end);
    part[2] = st_hole;
    st_put(P(800), part, sizeof(part));
    ST_EQ(SC(NR_writev, fd, P(800), 2), 3);
    part[2] = 0; /* NULL passes access_ok, then faults */
    st_put(P(800), part, sizeof(part));
    ST_EQ(SC(NR_writev, fd, P(800), 2), 3);
    ST_EQ(SC(NR_lseek, fd, 0, 0), 0);
    part[2] = st_hole - 2;
    st_put(P(800), part, sizeof(part));
    ST_EQ(SC(NR_readv, fd, P(800), 2), 5); /* 3 + the 2 bytes before the hole */
    ST_EQ(SC(NR_readv, 77, P(800), 2), -EBADF);
}

ST_CASE(console_write_and_tty)
{
    char cap[256];
    uint8_t termios[36];
    uint16_t ws[4];

    st_put(P(0), "to the console\n", 15);
    hosted_console_capture(cap, sizeof(cap), false);
    ST_EQ(SC(NR_write, 1, P(0), 15), 15);
    ST_EQ(SC(NR_write, 2, P(0), 3), 3);
    hosted_console_capture_stop();
    ST_CHECK(strcmp(cap, "to the console\nto ") == 0);
    ST_EQ(SC(NR_ioctl, 1, 0x5401, P(100)), 0); /* TCGETS */
    st_get(termios, P(100), sizeof(termios));
    ST_CHECK(termios[12] & 0x2);               /* c_lflag has ICANON */
    ST_EQ(SC(NR_ioctl, 0, 0x5413, P(200)), 0); /* TIOCGWINSZ */
    st_get(ws, P(200), sizeof(ws));
    ST_EQ(ws[0], 24);
    ST_EQ(ws[1], 80);
    ST_EQ(SC(NR_ioctl, 1, 0x5401, ST_KERNEL_PTR), -EFAULT);
    ST_EQ(SC(NR_ioctl, 1, 0x5402, P(100)), 0); /* TCSETS accepted */
    ST_EQ(SC(NR_ioctl, 1, 0x12345, P(100)), -ENOTTY);
    ST_EQ(SC(NR_lseek, 1, 0, 0), -ESPIPE);
    ST_EQ(SC(NR_fsync, 1), -EINVAL);
    ST_EQ(SC(NR_ftruncate, 1, 0), -EINVAL);
    ST_EQ(SC(NR_getdents64, 1, P(0), 100), -ENOTDIR);
    ST_EQ(SC(NR_mmap, 0, 4096, 1, 2, 1, 0), -ENODEV);
}

ST_CASE(console_read)
{
    char b[8] = {0};
    int one = 1;

    ST_EQ(hosted_console_input("in", 2), 0);
    ST_EQ(SC(NR_read, 0, P(0), 8), 2);
    st_get(b, P(0), 2);
    ST_CHECK(memcmp(b, "in", 2) == 0);
    ST_EQ(SC(NR_read, 0, P(0), 8), 0); /* nothing there: end of file */
    st_put(P(100), &one, sizeof(one));
    ST_EQ(SC(NR_ioctl, 0, 0x5421, P(100)), 0); /* FIONBIO */
    ST_EQ(SC(NR_read, 0, P(0), 8), -EAGAIN);
    ST_EQ(SC(NR_fcntl, 0, 3) & O_NONBLOCK_, O_NONBLOCK_);
    ST_EQ(SC(NR_fcntl, 2, 3) & O_NONBLOCK_, O_NONBLOCK_); /* 0-2: one description */
    ST_EQ(SC(NR_fcntl, 0, 4, 0), 0);
    ST_EQ(SC(NR_fcntl, 1, 3), 2); /* O_RDWR */
    ST_EQ(SC(NR_read, 0, P(0), 8), 0);
    ST_EQ(SC(NR_ioctl, 0, 0x5421, ST_KERNEL_PTR), -EFAULT);
}

ST_CASE(ioctl_on_files)
{
    long fd;

    st_file("/f", "x");
    fd = SC(NR_open, st_str(P(0), "/f"), O_RDONLY_);
    ST_EQ(SC(NR_ioctl, fd, 0x5401, P(100)), -ENOTTY);
    ST_EQ(SC(NR_ioctl, fd, 0x5413, P(100)), -ENOTTY);
    ST_EQ(SC(NR_ioctl, 99, 0x5401, P(100)), -EBADF);
    ST_EQ(SC(NR_ioctl, fd, 0x5451, 0), 0); /* FIOCLEX */
    ST_EQ(SC(NR_fcntl, fd, 1), 1);
    ST_EQ(SC(NR_ioctl, fd, 0x5450, 0), 0); /* FIONCLEX */
    ST_EQ(SC(NR_fcntl, fd, 1), 0);
    int one = 1;
    st_put(P(100), &one, 4);
    ST_EQ(SC(NR_ioctl, fd, 0x5421, P(100)), 0);
    ST_EQ(SC(NR_fcntl, fd, 3) & O_NONBLOCK_, O_NONBLOCK_);
    /* FIONREAD of a regular file: bytes from the position to the end (Linux, natively) */
    int n = -1;
    ST_EQ(SC(NR_ioctl, fd, 0x541b, P(100)), 0);
    st_get(&n, P(100), 4);
    ST_EQ(n, 1);
    ST_EQ(SC(NR_lseek, fd, 5, 0), 5);
    ST_EQ(SC(NR_ioctl, fd, 0x541b, P(100)), 0);
    st_get(&n, P(100), 4);
    ST_EQ(n, 0);
    ST_EQ(SC(NR_ioctl, fd, 0x541b, ST_KERNEL_PTR), -EFAULT);
    /* pipe commands on a regular file: -EBADF (Linux); seals of a file on memfs, which is
     * Petrel's tmpfs: F_SEAL_SEAL from creation, so adding is -EPERM (Linux's tmpfs) */
    ST_EQ(SC(NR_fcntl, fd, 1032), -EBADF);
    ST_EQ(SC(NR_fcntl, fd, 1031, 4096), -EBADF);
    ST_EQ(SC(NR_fcntl, fd, 1034), 1);
    ST_EQ(SC(NR_fcntl, fd, 1033, 1), -EPERM);
    ST_EQ(SC(NR_fcntl, 99, 1032), -EBADF);
}

ST_CASE(fstat_file_and_console)
{
    struct vfs_stat st;
    long fd;

    st_file("/f", "12345");
    fd = SC(NR_open, st_str(P(0), "/f"), O_RDONLY_);
    ST_EQ(SC(NR_fstat, fd, P(100)), 0);
    st_get(&st, P(100), sizeof(st));
    ST_EQ(st.st_size, 5);
    ST_CHECK(VFS_S_ISTYPE(st.st_mode, VFS_S_IFREG));
    ST_EQ(SC(NR_fstat, 1, P(100)), 0);
    st_get(&st, P(100), sizeof(st));
    ST_CHECK(VFS_S_ISTYPE(st.st_mode, VFS_S_IFCHR));
    ST_EQ(SC(NR_fstat, 99, P(100)), -EBADF);
    for (size_t i = 0; i < sizeof(bad_ptrs) / sizeof(bad_ptrs[0]); i++)
        ST_EQ(SC(NR_fstat, fd, bad_ptrs[i]), -EFAULT);
    ST_EQ(SC(NR_fstat, fd, st_hole - 100), -EFAULT);
}

ST_CASE(open_errors)
{
    ST_EQ(SC(NR_open, st_str(P(0), "/missing"), O_RDONLY_), -ENOENT);
    ST_EQ(SC(NR_open, st_str(P(0), ""), O_RDONLY_), -ENOENT);
    ST_EQ(SC(NR_openat, 99, st_str(P(0), "rel"), O_RDONLY_), -EBADF);
    ST_EQ(SC(NR_openat, 1, st_str(P(0), "rel"), O_RDONLY_), -ENOTDIR); /* console */
    ST_EQ(SC(NR_openat, 99, st_str(P(0), "/abs"), O_RDONLY_ | O_CREAT_, 0600) >= 0, 1);
    for (size_t i = 0; i < sizeof(bad_ptrs) / sizeof(bad_ptrs[0]); i++) {
        ST_EQ(SC(NR_open, bad_ptrs[i], O_RDONLY_), -EFAULT);
        ST_EQ(SC(NR_openat, AT_FDCWD_U, bad_ptrs[i], O_RDONLY_), -EFAULT);
    }
    /* a path running into the hole, and one without a NUL inside PATH_MAX */
    st_put(st_hole - 3, "abc", 3);
    ST_EQ(SC(NR_open, st_hole - 3, O_RDONLY_), -EFAULT);
    static char longp[5000];
    memset(longp, 'a', sizeof(longp));
    st_put(P(10000), longp, sizeof(longp));
    ST_EQ(SC(NR_open, P(10000), O_RDONLY_), -ENAMETOOLONG);
    ST_EQ(SC(NR_open, st_str(P(0), "/"), O_WRONLY_), -EISDIR);
}

ST_CASE(open_umask_cloexec_and_relative)
{
    struct vfs_stat st;
    long fd, dfd;

    ST_EQ(SC(NR_umask, 027), 022);
    fd = SC(NR_open, st_str(P(0), "/m"), O_WRONLY_ | O_CREAT_ | O_CLOEXEC_, 0777);
    ST_CHECK(fd >= 0);
    ST_EQ(SC(NR_fcntl, fd, 1), 1);
    ST_EQ(SC(NR_fstat, fd, P(100)), 0);
    st_get(&st, P(100), sizeof(st));
    ST_EQ(st.st_mode & 0777, 0750);
    ST_EQ(SC(NR_umask, 022), 027);
    ST_EQ(SC(NR_mkdir, st_str(P(0), "/d"), 0755), 0);
    dfd = SC(NR_open, st_str(P(0), "/d"), O_RDONLY_ | O_DIRECTORY_);
    ST_CHECK(dfd >= 0);
    fd = SC(NR_openat, dfd, st_str(P(0), "inner"), O_WRONLY_ | O_CREAT_, 0600);
    ST_CHECK(fd >= 0);
    ST_EQ(SC(NR_stat, st_str(P(0), "/d/inner"), P(100)), 0);
}

ST_CASE(descriptor_exhaustion)
{
    long fd = 0;

    st_file("/f", "x");
    st_str(P(0), "/f");
    for (int i = 3; i < PROC_NOFILE; i++) {
        fd = SC(NR_open, P(0), O_RDONLY_);
        if (fd != i)
            break;
    }
    ST_EQ(fd, PROC_NOFILE - 1);
    ST_EQ(SC(NR_open, P(0), O_RDONLY_), -EMFILE);
    ST_EQ(SC(NR_dup, 0), -EMFILE);
    ST_EQ(SC(NR_close, 500), 0);
    ST_EQ(SC(NR_dup, 0), 500);
}

ST_CASE(lseek_whence)
{
    long fd;

    st_file("/f", "0123456789");
    fd = SC(NR_open, st_str(P(0), "/f"), O_RDONLY_);
    ST_EQ(SC(NR_lseek, fd, 4, 0), 4);
    ST_EQ(SC(NR_lseek, fd, 2, 1), 6);
    ST_EQ(SC(NR_lseek, fd, (uint64_t)-1, 2), 9);
    ST_EQ(SC(NR_lseek, fd, (uint64_t)-100, 0), -EINVAL);
    ST_EQ(SC(NR_lseek, fd, 0, 5), -EINVAL);
    ST_EQ(SC(NR_lseek, fd, 0, 99), -EINVAL);
    ST_EQ(SC(NR_lseek, 99, 0, 0), -EBADF);
}

ST_CASE(getdents64_lists)
{
    char buf[512];
    long fd, n;
    int seen = 0;

    ST_EQ(SC(NR_mkdir, st_str(P(0), "/d"), 0755), 0);
    st_file("/d/aa", "1");
    st_file("/d/bb", "2");
    fd = SC(NR_open, st_str(P(0), "/d"), O_RDONLY_ | O_DIRECTORY_);
    n = SC(NR_getdents64, fd, P(1000), sizeof(buf));
    ST_CHECK(n > 0 && n <= (long)sizeof(buf));
    st_get(buf, P(1000), (size_t)n);
    for (long off = 0; off < n;) {
        struct vfs_dirent64 *d = (void *)(buf + off);
        seen += strcmp(d->d_name, "aa") == 0 || strcmp(d->d_name, "bb") == 0;
        off += d->d_reclen;
    }
    ST_EQ(seen, 2);
    ST_EQ(SC(NR_getdents64, fd, P(1000), sizeof(buf)), 0);
    ST_EQ(SC(NR_getdents64, fd, ST_KERNEL_PTR, 100), -EFAULT);
    ST_EQ(SC(NR_getdents64, fd, st_hole - 8, 100), -EFAULT);
    ST_EQ(SC(NR_lseek, fd, 0, 0), 0);
    ST_EQ(SC(NR_getdents64, fd, P(1000), 4), -EINVAL);
    ST_EQ(SC(NR_getdents64, 99, P(1000), 100), -EBADF);
    long f = SC(NR_open, st_str(P(0), "/d/aa"), O_RDONLY_);
    ST_EQ(SC(NR_getdents64, f, P(1000), 100), -ENOTDIR);
}

ST_CASE(ftruncate_fsync)
{
    struct vfs_stat st;
    long fd, ro;

    st_file("/f", "0123456789");
    fd = SC(NR_open, st_str(P(0), "/f"), O_RDWR_);
    ST_EQ(SC(NR_ftruncate, fd, 3), 0);
    ST_EQ(SC(NR_fstat, fd, P(100)), 0);
    st_get(&st, P(100), sizeof(st));
    ST_EQ(st.st_size, 3);
    ST_EQ(SC(NR_ftruncate, fd, (uint64_t)-1), -EINVAL);
    ST_EQ(SC(NR_ftruncate, 99, 0), -EBADF);
    ro = SC(NR_open, P(0), O_RDONLY_);
    ST_EQ(SC(NR_ftruncate, ro, 0), -EINVAL);
    ST_EQ(SC(NR_fsync, fd), 0);
    ST_EQ(SC(NR_fdatasync, fd), 0);
    ST_EQ(SC(NR_fsync, 99), -EBADF);
    ST_EQ(SC(NR_fdatasync, 99), -EBADF);
}

ST_CASE(dup_family)
{
    long fd, d;

    st_file("/f", "abc");
    fd = SC(NR_open, st_str(P(0), "/f"), O_RDONLY_);
    d = SC(NR_dup, fd);
    ST_EQ(d, fd + 1);
    ST_EQ(SC(NR_read, d, P(100), 1), 1);
    ST_EQ(SC(NR_lseek, fd, 0, 1), 1); /* shared description */
    ST_EQ(SC(NR_dup2, fd, 100), 100);
    ST_EQ(SC(NR_dup2, fd, fd), fd);
    ST_EQ(SC(NR_dup2, 99, 5), -EBADF);
    ST_EQ(SC(NR_dup2, fd, 5000), -EBADF);
    ST_EQ(SC(NR_dup3, fd, 101, O_CLOEXEC_), 101);
    ST_EQ(SC(NR_fcntl, 101, 1), 1);
    ST_EQ(SC(NR_dup3, fd, fd, 0), -EINVAL);
    ST_EQ(SC(NR_dup3, fd, 102, 1), -EINVAL);
    ST_EQ(SC(NR_dup, 99), -EBADF);
    /* dup2 onto an open descriptor closes it first */
    ST_EQ(SC(NR_dup2, 1, fd), fd);
    ST_EQ(SC(NR_fstat, fd, P(200)), 0);
    struct vfs_stat st;
    st_get(&st, P(200), sizeof(st));
    ST_CHECK(VFS_S_ISTYPE(st.st_mode, VFS_S_IFCHR));
}

ST_CASE(fcntl_commands)
{
    long fd;

    st_file("/f", "abc");
    fd = SC(NR_open, st_str(P(0), "/f"), O_RDWR_);
    ST_EQ(SC(NR_fcntl, fd, 0, 50), 50); /* F_DUPFD */
    ST_EQ(SC(NR_fcntl, fd, 0, 50), 51);
    ST_EQ(SC(NR_fcntl, fd, 1030, 60), 60); /* F_DUPFD_CLOEXEC */
    ST_EQ(SC(NR_fcntl, 60, 1), 1);
    ST_EQ(SC(NR_fcntl, fd, 0, PROC_NOFILE), -EINVAL);
    ST_EQ(SC(NR_fcntl, fd, 2, 1), 0); /* F_SETFD */
    ST_EQ(SC(NR_fcntl, fd, 1), 1);
    ST_EQ(SC(NR_fcntl, fd, 3) & 3, O_RDWR_); /* F_GETFL */
    ST_EQ(SC(NR_fcntl, fd, 4, O_APPEND_ | O_NONBLOCK_ | O_RDONLY_), 0);
    ST_EQ(SC(NR_fcntl, fd, 3) & (O_APPEND_ | O_NONBLOCK_ | 3),
          O_APPEND_ | O_NONBLOCK_ | O_RDWR_); /* access mode unchanged */
    ST_EQ(SC(NR_fcntl, fd, 9999), -EINVAL);
    ST_EQ(SC(NR_fcntl, 99, 9999), -EBADF);
    ST_EQ(SC(NR_fcntl, 99, 1), -EBADF);
    ST_EQ(SC(NR_fcntl, 99, 2, 1), -EBADF);
    ST_EQ(SC(NR_fcntl, 99, 3), -EBADF);
    ST_EQ(SC(NR_fcntl, 99, 0, 0), -EBADF);
    ST_EQ(SC(NR_fcntl, 1, 3) & 3, O_RDWR_);
}

ST_CASE(large_write_crosses_chunks)
{
    static char big[200000];
    static char back[200000];
    long fd;

    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (char)(i * 7);
    st_put(P(0), big, sizeof(big));
    fd = SC(NR_open, st_str(P(240000), "/big"), O_RDWR_ | O_CREAT_, 0600);
    ST_EQ(SC(NR_write, fd, P(0), sizeof(big)), sizeof(big));
    ST_EQ(SC(NR_pread64, fd, P(0), sizeof(big), 0), sizeof(big));
    st_get(back, P(0), sizeof(back));
    ST_CHECK(memcmp(big, back, sizeof(big)) == 0);
}

/* /dev/tty through open(2): the node's driver (fs/file/console.c, an open_file hook in the
 * VFS's character-device registry) makes a description of the controlling terminal, here
 * the serial console: fstat shows the node (5,0), as Linux's; writes reach the console; it is
 * a tty. Without a terminal (petrel run with pipes) the open is ENXIO (checked natively with
 * setsid); O_PATH stays a handle of the node. */
ST_CASE(dev_tty_through_open)
{
    char cap[64];
    struct vfs_stat st;
    long fd;

    ST_EQ(SC(NR_mkdir, st_str(P(0), "/dev"), 0755), 0);
    ST_EQ(vfs_devices_register(), 0);
    ST_EQ(file_console_register_tty(), 0);
    ST_EQ(vfs_devices_populate(NULL, "/dev"), 0);
    st_str(P(0), "/dev/tty");
    fd = SC(NR_open, P(0), O_RDWR_);
    ST_CHECK(fd >= 3);
    ST_EQ(SC(NR_fstat, fd, P(100)), 0);
    st_get(&st, P(100), sizeof(st));
    ST_EQ(st.st_mode, VFS_S_IFCHR | 0666);
    ST_EQ(st.st_rdev, VFS_MKDEV(5, 0));
    st_put(P(300), "tty\n", 4);
    hosted_console_capture(cap, sizeof(cap), false);
    ST_EQ(SC(NR_write, fd, P(300), 4), 4);
    hosted_console_capture_stop();
    ST_CHECK(strcmp(cap, "tty\n") == 0);
    ST_EQ(SC(NR_ioctl, fd, 0x5401, P(400)), 0); /* TCGETS */
    ST_EQ(SC(NR_close, fd), 0);
    fd = SC(NR_open, P(0), 010000000); /* O_PATH */
    ST_CHECK(fd >= 3);
    ST_EQ(SC(NR_read, fd, P(300), 1), -EBADF);
    ST_EQ(SC(NR_fstat, fd, P(100)), 0);
    ST_EQ(SC(NR_close, fd), 0);
    hosted_stdio_enable(0, 0); /* the streams, none a terminal: no controlling terminal */
    ST_EQ(SC(NR_open, P(0), O_RDWR_), -ENXIO);
    hosted_stdio_disable();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(write_read_roundtrip),
        cmocka_unit_test(read_write_bad_fd),
        cmocka_unit_test(read_write_efault),
        cmocka_unit_test(pread_pwrite),
        cmocka_unit_test(readv_writev),
        cmocka_unit_test(console_write_and_tty),
        cmocka_unit_test(console_read),
        cmocka_unit_test(ioctl_on_files),
        cmocka_unit_test(fstat_file_and_console),
        cmocka_unit_test(open_errors),
        cmocka_unit_test(open_umask_cloexec_and_relative),
        cmocka_unit_test(descriptor_exhaustion),
        cmocka_unit_test(lseek_whence),
        cmocka_unit_test(getdents64_lists),
        cmocka_unit_test(ftruncate_fsync),
        cmocka_unit_test(dup_family),
        cmocka_unit_test(fcntl_commands),
        cmocka_unit_test(large_write_crosses_chunks),
        cmocka_unit_test(dev_tty_through_open),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
