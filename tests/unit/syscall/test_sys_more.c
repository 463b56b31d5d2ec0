/*
 * test_sys_more.c - descriptor semantics across calls: access modes, O_PATH, O_APPEND,
 * descriptions shared by dup, closing the console, dirfd-relative names, and a process torn
 * down with files open (no kernel memory left behind).
 */
#include "st.h"

#include "core/lib/alloc.h"
#include "hal_hosted/hosted.h"

#define P(off) (st_buf + (off))
#define O_PATH_ 010000000

ST_CASE(access_modes)
{
    long ro, wo;

    st_file("/f", "abc");
    ro = SC(NR_open, st_str(P(0), "/f"), O_RDONLY_);
    wo = SC(NR_open, P(0), O_WRONLY_);
    ST_EQ(SC(NR_write, ro, P(100), 1), -EBADF);
    ST_EQ(SC(NR_read, wo, P(100), 1), -EBADF);
    ST_EQ(SC(NR_pwrite64, ro, P(100), 1, 0), -EBADF);
    ST_EQ(SC(NR_pread64, wo, P(100), 1, 0), -EBADF);
    ST_EQ(SC(NR_mmap, 0, 4096, 1, 2, wo, 0), -EACCES);
    ST_EQ(SC(NR_fcntl, ro, 3) & 3, O_RDONLY_);
    ST_EQ(SC(NR_fcntl, wo, 3) & 3, O_WRONLY_);
}

ST_CASE(o_path_descriptors)
{
    long fd;
    struct vfs_stat st;

    st_file("/f", "abc");
    fd = SC(NR_open, st_str(P(0), "/f"), O_PATH_);
    ST_CHECK(fd >= 0);
    ST_EQ(SC(NR_read, fd, P(100), 1), -EBADF);
    ST_EQ(SC(NR_write, fd, P(100), 1), -EBADF);
    ST_EQ(SC(NR_ioctl, fd, 0x5401, P(100)), -EBADF);
    ST_EQ(SC(NR_fcntl, fd, 4, O_NONBLOCK_), -EBADF);
    ST_EQ(SC(NR_fstat, fd, P(100)), 0);
    st_get(&st, P(100), sizeof(st));
    ST_EQ(st.st_size, 3);
}

ST_CASE(append_mode)
{
    char b[8] = {0};
    long fd;

    st_file("/f", "abc");
    fd = SC(NR_open, st_str(P(0), "/f"), O_WRONLY_ | O_APPEND_);
    ST_EQ(SC(NR_write, fd, st_str(P(100), "de"), 2), 2);
    ST_EQ(SC(NR_close, fd), 0);
    fd = SC(NR_open, P(0), O_RDONLY_);
    ST_EQ(SC(NR_read, fd, P(200), 8), 5);
    st_get(b, P(200), 5);
    ST_CHECK(memcmp(b, "abcde", 5) == 0);
}

ST_CASE(dup_outlives_original)
{
    long fd, d;

    st_file("/f", "xyz");
    fd = SC(NR_open, st_str(P(0), "/f"), O_RDONLY_);
    d = SC(NR_dup, fd);
    ST_EQ(SC(NR_close, fd), 0);
    ST_EQ(SC(NR_read, d, P(100), 3), 3);
    ST_EQ(SC(NR_read, fd, P(100), 3), -EBADF);
}

ST_CASE(console_closed_and_restored)
{
    char cap[64];

    ST_EQ(SC(NR_dup, 1), 3);
    ST_EQ(SC(NR_close, 1), 0);
    ST_EQ(SC(NR_write, 1, st_str(P(0), "x"), 1), -EBADF);
    ST_EQ(SC(NR_dup2, 3, 1), 1);
    hosted_console_capture(cap, sizeof(cap), false);
    ST_EQ(SC(NR_write, 1, P(0), 1), 1);
    hosted_console_capture_stop();
    ST_CHECK(strcmp(cap, "x") == 0);
    /* a new file takes the lowest free descriptor */
    ST_EQ(SC(NR_close, 0), 0);
    st_file("/f", "q");
    ST_EQ(SC(NR_open, st_str(P(100), "/f"), O_RDONLY_), 0);
}

ST_CASE(console_vectors)
{
    uint64_t iov[4] = {P(100), 3, P(200), 2};
    char cap[64];

    st_put(P(100), "abc", 3);
    st_put(P(200), "de", 2);
    st_put(P(0), iov, sizeof(iov));
    hosted_console_capture(cap, sizeof(cap), false);
    ST_EQ(SC(NR_writev, 2, P(0), 2), 5);
    hosted_console_capture_stop();
    ST_CHECK(strcmp(cap, "abcde") == 0);
    ST_EQ(hosted_console_input("12345", 5), 0);
    ST_EQ(SC(NR_readv, 0, P(0), 2), 5);
}

ST_CASE(dirfd_relative_names)
{
    long d;

    ST_EQ(SC(NR_mkdir, st_str(P(0), "/d"), 0755), 0);
    d = SC(NR_open, P(0), O_RDONLY_ | O_DIRECTORY_);
    ST_EQ(SC(NR_mkdirat, d, st_str(P(100), "sub"), 0755), 0);
    ST_EQ(SC(NR_symlinkat, st_str(P(200), "sub"), d, st_str(P(300), "ln")), 0);
    ST_EQ(SC(NR_readlinkat, d, P(300), P(400), 16), 3);
    ST_EQ(SC(NR_faccessat, d, P(100), 0), 0);
    ST_EQ(SC(NR_newfstatat, d, P(100), P(1000), 0), 0);
    ST_EQ(SC(NR_renameat, d, P(100), d, st_str(P(500), "sub2")), 0);
    ST_EQ(SC(NR_linkat, AT_FDCWD_U, st_str(P(600), "/d/ln"), d, st_str(P(700), "ln2"), 0), 0);
    ST_EQ(SC(NR_unlinkat, d, P(700), 0), 0);
    ST_EQ(SC(NR_unlinkat, d, P(300), 0), 0);
    ST_EQ(SC(NR_unlinkat, d, P(500), 0x200), 0);
    ST_EQ(SC(NR_stat, st_str(P(0), "/d/sub2"), P(1000)), -ENOENT);
    /* the console and a file are no directories */
    ST_EQ(SC(NR_mkdirat, 1, P(100), 0755), -ENOTDIR);
    st_file("/f", "x");
    long f = SC(NR_open, st_str(P(800), "/f"), O_RDONLY_);
    ST_EQ(SC(NR_mkdirat, f, P(100), 0755), -ENOTDIR);
}

ST_CASE(stat_trailing_slash_and_loops)
{
    st_file("/f", "x");
    ST_EQ(SC(NR_stat, st_str(P(0), "/f/"), P(1000)), -ENOTDIR);
    ST_EQ(SC(NR_symlink, st_str(P(0), "/a"), st_str(P(100), "/b")), 0);
    ST_EQ(SC(NR_symlink, st_str(P(0), "/b"), st_str(P(100), "/a")), 0);
    ST_EQ(SC(NR_stat, st_str(P(0), "/a"), P(1000)), -ELOOP);
    ST_EQ(SC(NR_lstat, P(0), P(1000)), 0);
    ST_EQ(SC(NR_open, P(0), O_RDONLY_), -ELOOP);
}

ST_CASE(coarse_clock_resolution)
{
    int64_t res[2];

    ST_EQ(SC(NR_clock_getres, 5, P(0)), 0);
    st_get(res, P(0), 16);
    ST_EQ(res[1], 4000000);
    ST_EQ(SC(NR_clock_getres, 6, P(0)), 0);
    st_get(res, P(0), 16);
    ST_EQ(res[1], 4000000);
    ST_EQ(SC(NR_clock_getres, 1, P(0)), 0);
    st_get(res, P(0), 16);
    ST_EQ(res[1], 1);
}

ST_CASE(getrandom_large)
{
    static uint8_t b[100000];
    size_t zeros = 0;

    ST_EQ(SC(NR_getrandom, P(0), sizeof(b), 0), sizeof(b));
    st_get(b, P(0), sizeof(b));
    for (size_t i = 0; i < sizeof(b); i++)
        zeros += b[i] == 0;
    ST_CHECK(zeros < 1000); /* about 390 expected */
}

ST_CASE(teardown_with_files_open)
{
    struct kmalloc_stats k0, k1;
    struct proc *p;

    st_file("/g", "x"); /* the name is cached before the count starts */
    ST_EQ(SC(NR_stat, st_str(P(0), "/g"), P(100)), 0);
    kmalloc_get_stats(&k0);
    ST_EQ(proc_create(NULL, &p), 0);
    proc_attach(p, NULL);
    long m = SC(NR_mmap, 0, 4096, 3, 0x22, (uint64_t)-1, 0);
    ST_CHECK(m > 0);
    st_put((uint64_t)m, "/g", 3);
    for (int i = 0; i < 10; i++)
        ST_CHECK(SC(NR_open, (uint64_t)m, O_RDWR_, 0600) >= 3);
    ST_EQ(SC(NR_dup2, 5, 700), 700);
    proc_attach(st_proc, NULL);
    proc_destroy(p);
    kmalloc_get_stats(&k1);
    ST_EQ(k1.bytes_in_use, k0.bytes_in_use);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(access_modes),
        cmocka_unit_test(o_path_descriptors),
        cmocka_unit_test(append_mode),
        cmocka_unit_test(dup_outlives_original),
        cmocka_unit_test(console_closed_and_restored),
        cmocka_unit_test(console_vectors),
        cmocka_unit_test(dirfd_relative_names),
        cmocka_unit_test(stat_trailing_slash_and_loops),
        cmocka_unit_test(coarse_clock_resolution),
        cmocka_unit_test(getrandom_large),
        cmocka_unit_test(teardown_with_files_open),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
