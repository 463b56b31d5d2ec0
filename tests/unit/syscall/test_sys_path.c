/*
 * test_sys_path.c - path syscalls through ksys_call: stat family, access, getcwd/chdir,
 * mkdir/rmdir, unlink, rename, link, symlink, readlink; flag checks and -EFAULT cases.
 */
#include "st.h"

#define P(off) (st_buf + (off))

static const uint64_t bad_ptrs[] = {0, ST_KERNEL_PTR, ST_WRAP_PTR, 0x1000};
#define NBAD (sizeof(bad_ptrs) / sizeof(bad_ptrs[0]))

ST_CASE(stat_lstat_newfstatat)
{
    struct vfs_stat st;

    st_file("/f", "abc");
    ST_EQ(SC(NR_symlink, st_str(P(0), "/f"), st_str(P(100), "/l")), 0);
    ST_EQ(SC(NR_stat, st_str(P(0), "/l"), P(1000)), 0);
    st_get(&st, P(1000), sizeof(st));
    ST_CHECK(VFS_S_ISTYPE(st.st_mode, VFS_S_IFREG));
    ST_EQ(st.st_size, 3);
    ST_EQ(SC(NR_lstat, P(0), P(1000)), 0);
    st_get(&st, P(1000), sizeof(st));
    ST_CHECK(VFS_S_ISTYPE(st.st_mode, VFS_S_IFLNK));
    ST_EQ(SC(NR_newfstatat, AT_FDCWD_U, P(0), P(1000), 0x100), 0);
    ST_EQ(SC(NR_newfstatat, AT_FDCWD_U, P(0), P(1000), 0x8000), -EINVAL);
    ST_EQ(SC(NR_stat, st_str(P(0), "/nope"), P(1000)), -ENOENT);
    ST_EQ(SC(NR_stat, st_str(P(0), "/f/x"), P(1000)), -ENOTDIR);
    for (size_t i = 0; i < NBAD; i++) {
        ST_EQ(SC(NR_stat, bad_ptrs[i], P(1000)), -EFAULT);
        ST_EQ(SC(NR_stat, st_str(P(0), "/f"), bad_ptrs[i]), -EFAULT);
        ST_EQ(SC(NR_lstat, bad_ptrs[i], P(1000)), -EFAULT);
        ST_EQ(SC(NR_newfstatat, AT_FDCWD_U, bad_ptrs[i], P(1000), 0), -EFAULT);
    }
}

ST_CASE(newfstatat_empty_path)
{
    struct vfs_stat st;
    long fd;

    st_file("/f", "abcd");
    fd = SC(NR_open, st_str(P(0), "/f"), O_RDONLY_);
    st_str(P(200), "");
    ST_EQ(SC(NR_newfstatat, fd, P(200), P(1000), 0x1000), 0);
    st_get(&st, P(1000), sizeof(st));
    ST_EQ(st.st_size, 4);
    ST_EQ(SC(NR_newfstatat, 1, P(200), P(1000), 0x1000), 0); /* the console, as glibc fstat */
    st_get(&st, P(1000), sizeof(st));
    ST_CHECK(VFS_S_ISTYPE(st.st_mode, VFS_S_IFCHR));
    ST_EQ(SC(NR_newfstatat, AT_FDCWD_U, P(200), P(1000), 0x1000), 0);
    st_get(&st, P(1000), sizeof(st));
    ST_CHECK(VFS_S_ISTYPE(st.st_mode, VFS_S_IFDIR));
    ST_EQ(SC(NR_newfstatat, 99, P(200), P(1000), 0x1000), -EBADF);
    ST_EQ(SC(NR_newfstatat, fd, P(200), P(1000), 0), -ENOENT);
}

ST_CASE(access_family)
{
    st_file("/f", "x");
    ST_EQ(SC(NR_access, st_str(P(0), "/f"), 0), 0);
    ST_EQ(SC(NR_access, P(0), 4 | 2), 0);
    ST_EQ(SC(NR_access, P(0), 8), -EINVAL);
    ST_EQ(SC(NR_access, st_str(P(100), "/none"), 0), -ENOENT);
    ST_EQ(SC(NR_faccessat, AT_FDCWD_U, P(0), 0), 0);
    ST_EQ(SC(NR_faccessat2, AT_FDCWD_U, P(0), 0, 0x200), 0);
    ST_EQ(SC(NR_faccessat2, AT_FDCWD_U, P(0), 0, 0x4), -EINVAL);
    ST_EQ(SC(NR_faccessat, 99, st_str(P(100), "rel"), 0), -EBADF);
    for (size_t i = 0; i < NBAD; i++)
        ST_EQ(SC(NR_access, bad_ptrs[i], 0), -EFAULT);
}

ST_CASE(getcwd_chdir_fchdir)
{
    char b[64];
    long fd;

    ST_EQ(SC(NR_getcwd, P(0), 64), 2);
    st_get(b, P(0), 2);
    ST_CHECK(strcmp(b, "/") == 0);
    ST_EQ(SC(NR_mkdir, st_str(P(100), "/a"), 0755), 0);
    ST_EQ(SC(NR_mkdir, st_str(P(100), "/a/b"), 0755), 0);
    ST_EQ(SC(NR_chdir, st_str(P(100), "/a/b")), 0);
    ST_EQ(SC(NR_getcwd, P(0), 64), 5);
    st_get(b, P(0), 5);
    ST_CHECK(strcmp(b, "/a/b") == 0);
    ST_EQ(SC(NR_getcwd, P(0), 3), -ERANGE);
    ST_EQ(SC(NR_getcwd, P(0), 0), -ERANGE);
    ST_EQ(SC(NR_getcwd, ST_KERNEL_PTR, 64), -EFAULT);
    /* relative paths now start in /a/b */
    st_file("rel", "r");
    ST_EQ(SC(NR_stat, st_str(P(100), "/a/b/rel"), P(1000)), 0);
    ST_EQ(SC(NR_chdir, st_str(P(100), "..")), 0);
    ST_EQ(SC(NR_getcwd, P(0), 64), 3);
    ST_EQ(SC(NR_chdir, st_str(P(100), "/a/b/rel")), -ENOTDIR);
    ST_EQ(SC(NR_chdir, st_str(P(100), "/zz")), -ENOENT);
    ST_EQ(SC(NR_chdir, ST_KERNEL_PTR), -EFAULT);
    fd = SC(NR_open, st_str(P(100), "/a/b"), O_RDONLY_ | O_DIRECTORY_);
    ST_EQ(SC(NR_fchdir, fd), 0);
    ST_EQ(SC(NR_getcwd, P(0), 64), 5);
    fd = SC(NR_open, st_str(P(100), "/a/b/rel"), O_RDONLY_);
    ST_EQ(SC(NR_fchdir, fd), -ENOTDIR);
    ST_EQ(SC(NR_fchdir, 1), -ENOTDIR);
    ST_EQ(SC(NR_fchdir, 99), -EBADF);
}

ST_CASE(mkdir_rmdir_unlink)
{
    ST_EQ(SC(NR_mkdir, st_str(P(0), "/d"), 0755), 0);
    ST_EQ(SC(NR_mkdir, P(0), 0755), -EEXIST);
    ST_EQ(SC(NR_mkdirat, AT_FDCWD_U, st_str(P(0), "/d/e"), 0700), 0);
    ST_EQ(SC(NR_mkdirat, 99, st_str(P(100), "x"), 0700), -EBADF);
    ST_EQ(SC(NR_rmdir, st_str(P(0), "/d")), -ENOTEMPTY);
    ST_EQ(SC(NR_unlinkat, AT_FDCWD_U, st_str(P(0), "/d/e"), 0x200), 0);
    st_file("/d/f", "x");
    ST_EQ(SC(NR_unlink, st_str(P(0), "/d")), -EISDIR);
    ST_EQ(SC(NR_rmdir, st_str(P(0), "/d/f")), -ENOTDIR);
    ST_EQ(SC(NR_unlinkat, AT_FDCWD_U, P(0), 0x1), -EINVAL);
    ST_EQ(SC(NR_unlink, P(0)), 0);
    ST_EQ(SC(NR_unlink, P(0)), -ENOENT);
    ST_EQ(SC(NR_rmdir, st_str(P(0), "/d")), 0);
    for (size_t i = 0; i < NBAD; i++) {
        ST_EQ(SC(NR_mkdir, bad_ptrs[i], 0755), -EFAULT);
        ST_EQ(SC(NR_unlink, bad_ptrs[i]), -EFAULT);
        ST_EQ(SC(NR_rmdir, bad_ptrs[i]), -EFAULT);
        ST_EQ(SC(NR_unlinkat, AT_FDCWD_U, bad_ptrs[i], 0), -EFAULT);
        ST_EQ(SC(NR_mkdirat, AT_FDCWD_U, bad_ptrs[i], 0), -EFAULT);
    }
}

ST_CASE(rename_family)
{
    st_file("/a", "1");
    st_file("/b", "2");
    ST_EQ(SC(NR_rename, st_str(P(0), "/a"), st_str(P(100), "/c")), 0);
    ST_EQ(SC(NR_stat, P(0), P(1000)), -ENOENT);
    ST_EQ(SC(NR_renameat, AT_FDCWD_U, st_str(P(0), "/c"), AT_FDCWD_U, st_str(P(100), "/a")), 0);
    ST_EQ(SC(NR_renameat2, AT_FDCWD_U, st_str(P(0), "/a"), AT_FDCWD_U, st_str(P(100), "/b"), 1),
          -EEXIST);                                                      /* RENAME_NOREPLACE */
    ST_EQ(SC(NR_renameat2, AT_FDCWD_U, P(0), AT_FDCWD_U, P(100), 2), 0); /* EXCHANGE */
    ST_EQ(SC(NR_renameat2, AT_FDCWD_U, P(0), AT_FDCWD_U, P(100), 0x10), -EINVAL);
    ST_EQ(SC(NR_rename, st_str(P(0), "/none"), P(100)), -ENOENT);
    ST_EQ(SC(NR_renameat, 99, st_str(P(0), "rel"), AT_FDCWD_U, P(100)), -EBADF);
    for (size_t i = 0; i < NBAD; i++) {
        ST_EQ(SC(NR_rename, bad_ptrs[i], P(100)), -EFAULT);
        ST_EQ(SC(NR_rename, st_str(P(0), "/a"), bad_ptrs[i]), -EFAULT);
    }
}

ST_CASE(link_symlink_readlink)
{
    char b[32] = {0};

    st_file("/f", "data");
    ST_EQ(SC(NR_link, st_str(P(0), "/f"), st_str(P(100), "/h")), 0);
    ST_EQ(SC(NR_link, P(0), P(100)), -EEXIST);
    ST_EQ(SC(NR_linkat, AT_FDCWD_U, P(0), AT_FDCWD_U, st_str(P(100), "/h2"), 0x400), 0);
    ST_EQ(SC(NR_linkat, AT_FDCWD_U, P(0), AT_FDCWD_U, st_str(P(100), "/h3"), 0x1), -EINVAL);
    ST_EQ(SC(NR_symlink, st_str(P(0), "target/x"), st_str(P(100), "/s")), 0);
    ST_EQ(SC(NR_symlinkat, st_str(P(0), "t2"), AT_FDCWD_U, st_str(P(100), "/s2")), 0);
    ST_EQ(SC(NR_symlink, st_str(P(0), ""), st_str(P(100), "/s3")), -ENOENT);
    ST_EQ(SC(NR_readlink, st_str(P(0), "/s"), P(200), 32), 8);
    st_get(b, P(200), 8);
    ST_CHECK(memcmp(b, "target/x", 8) == 0);
    ST_EQ(SC(NR_readlink, P(0), P(200), 3), 3); /* truncated, as Linux */
    ST_EQ(SC(NR_readlinkat, AT_FDCWD_U, st_str(P(0), "/s2"), P(200), 32), 2);
    ST_EQ(SC(NR_readlink, st_str(P(0), "/f"), P(200), 32), -EINVAL);
    ST_EQ(SC(NR_readlink, st_str(P(0), "/s"), P(200), 0), -EINVAL);
    ST_EQ(SC(NR_readlink, P(0), P(200), (uint64_t)-1), -EINVAL);
    for (size_t i = 0; i < NBAD; i++) {
        ST_EQ(SC(NR_readlink, bad_ptrs[i], P(200), 32), -EFAULT);
        ST_EQ(SC(NR_readlink, st_str(P(0), "/s"), bad_ptrs[i], 32), -EFAULT);
        ST_EQ(SC(NR_symlink, bad_ptrs[i], P(100)), -EFAULT);
        ST_EQ(SC(NR_link, bad_ptrs[i], P(100)), -EFAULT);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stat_lstat_newfstatat), cmocka_unit_test(newfstatat_empty_path),
        cmocka_unit_test(access_family),         cmocka_unit_test(getcwd_chdir_fchdir),
        cmocka_unit_test(mkdir_rmdir_unlink),    cmocka_unit_test(rename_family),
        cmocka_unit_test(link_symlink_readlink),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
