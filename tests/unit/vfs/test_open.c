/*
 * test_open.c - vfs_openat flags and the access mode of open file descriptions, over memfs.
 */
#include "vt.h"

#include "hal/hal_errno.h"

static struct vfs_stat st;
static struct vfs_file *f;

static void setup(void)
{
    vt_memfs_root();
    vfs_mkdirat(NULL, "/d", 0755);
    vt_write_file("/d/file", "0123456789", 10);
    vfs_symlinkat("/d/file", NULL, "/d/link");
    vfs_symlinkat("/d/new-target", NULL, "/d/dangling");
}

VT_CASE(creat_excl)
{
    setup();
    VT_EQ(vfs_openat(NULL, "/d/file", VFS_O_CREAT | VFS_O_EXCL | VFS_O_WRONLY, 0644, &f), -EEXIST);
    /* O_EXCL does not follow a final symlink, dangling or not */
    VT_EQ(vfs_openat(NULL, "/d/dangling", VFS_O_CREAT | VFS_O_EXCL | VFS_O_WRONLY, 0644, &f),
          -EEXIST);
    VT_EQ(vfs_openat(NULL, "/d/fresh", VFS_O_CREAT | VFS_O_EXCL | VFS_O_WRONLY, 0640, &f), 0);
    vt_put(f);
    VT_EQ(vfs_statat(NULL, "/d/fresh", 0, &st), 0);
    VT_EQ(st.st_mode, VFS_S_IFREG | 0640);
    VT_EQ(st.st_nlink, 1);
    /* O_EXCL without O_CREAT is ignored */
    VT_EQ(vfs_openat(NULL, "/d/file", VFS_O_EXCL | VFS_O_RDONLY, 0, &f), 0);
    vt_put(f);
}

VT_CASE(creat_through_dangling_symlink)
{
    setup();
    VT_EQ(vfs_openat(NULL, "/d/dangling", VFS_O_CREAT | VFS_O_WRONLY, 0600, &f), 0);
    VT_EQ(vfs_write(f, "abc", 3), 3);
    vt_put(f);
    VT_EQ(vfs_statat(NULL, "/d/new-target", 0, &st), 0);
    VT_EQ(st.st_size, 3);
    /* O_CREAT on an existing file opens it, keeping its mode */
    VT_EQ(vfs_openat(NULL, "/d/file", VFS_O_CREAT | VFS_O_RDONLY, 0777, &f), 0);
    vt_put(f);
    VT_EQ(vfs_statat(NULL, "/d/file", 0, &st), 0);
    VT_EQ(st.st_mode & 0777, 0644);
}

VT_CASE(nofollow_and_o_path)
{
    setup();
    VT_EQ(vfs_openat(NULL, "/d/link", VFS_O_RDONLY | VFS_O_NOFOLLOW, 0, &f), -ELOOP);
    /* intermediate symlinks are still followed */
    VT_EQ(vfs_symlinkat("/d", NULL, "/ld"), 0);
    VT_EQ(vfs_openat(NULL, "/ld/file", VFS_O_RDONLY | VFS_O_NOFOLLOW, 0, &f), 0);
    vt_put(f);
    /* O_PATH|O_NOFOLLOW opens the link itself */
    VT_EQ(vfs_openat(NULL, "/d/link", VFS_O_PATH | VFS_O_NOFOLLOW, 0, &f), 0);
    VT_EQ(vfs_fstat(f, &st), 0);
    VT_EQ(st.st_mode & VFS_S_IFMT, VFS_S_IFLNK);
    char buf[16];
    VT_EQ(vfs_read(f, buf, 4), -EBADF);
    VT_EQ(vfs_write(f, buf, 4), -EBADF);
    VT_EQ(vfs_readlinkat(f, "", buf, sizeof(buf)), 7);
    VT_CHECK(memcmp(buf, "/d/file", 7) == 0);
    VT_EQ(vfs_lseek(f, 0, VFS_SEEK_SET), -EBADF);
    VT_EQ(vfs_fsync(f), -EBADF);
    vt_put(f);
    /* O_PATH ignores the access mode and O_CREAT */
    VT_EQ(vfs_openat(NULL, "/d/file", VFS_O_PATH | VFS_O_RDWR | VFS_O_TRUNC, 0, &f), 0);
    vt_put(f);
    VT_EQ(vfs_statat(NULL, "/d/file", 0, &st), 0);
    VT_EQ(st.st_size, 10);
}

VT_CASE(o_directory_rules)
{
    setup();
    VT_EQ(vfs_openat(NULL, "/d/file", VFS_O_RDONLY | VFS_O_DIRECTORY, 0, &f), -ENOTDIR);
    VT_EQ(vfs_openat(NULL, "/d", VFS_O_RDONLY | VFS_O_DIRECTORY, 0, &f), 0);
    vt_put(f);
    VT_EQ(vfs_openat(NULL, "/d/x", VFS_O_CREAT | VFS_O_DIRECTORY | VFS_O_RDWR, 0644, &f), -EINVAL);
    VT_EQ(vfs_openat(NULL, "/d", VFS_O_WRONLY, 0, &f), -EISDIR);
    VT_EQ(vfs_openat(NULL, "/d", VFS_O_RDWR, 0, &f), -EISDIR);
    VT_EQ(vfs_openat(NULL, "/d", VFS_O_CREAT | VFS_O_RDONLY, 0644, &f), -EISDIR);
    VT_EQ(vfs_openat(NULL, "/", VFS_O_CREAT | VFS_O_RDONLY, 0644, &f), -EISDIR);
    VT_EQ(vfs_openat(NULL, "/d/..", VFS_O_CREAT | VFS_O_RDONLY, 0644, &f), -EISDIR);
    /* the access mode 3 opens for neither reading nor writing (Linux), and needs the right
     * to write: a directory refuses it */
    VT_EQ(vfs_openat(NULL, "/d", 3, 0, &f), -EISDIR);
    VT_EQ(vfs_openat(NULL, "/d/file", 3, 0, &f), 0);
    VT_EQ(vfs_read(f, NULL, 0), -EBADF);
    VT_EQ(vfs_write(f, NULL, 0), -EBADF);
    vt_put(f);
    VT_EQ(vfs_openat(NULL, "/d/tmp", VFS_O_TMPFILE | VFS_O_DIRECTORY | VFS_O_RDWR, 0, &f),
          -EOPNOTSUPP);
    VT_EQ(vfs_openat(NULL, "/d/nope", VFS_O_RDONLY, 0, &f), -ENOENT);
    VT_EQ(vfs_openat(NULL, "/nope/x", VFS_O_CREAT | VFS_O_RDWR, 0644, &f), -ENOENT);
}

VT_CASE(trunc_and_append)
{
    setup();
    VT_EQ(vfs_openat(NULL, "/d/file", VFS_O_WRONLY | VFS_O_TRUNC, 0, &f), 0);
    VT_EQ(vfs_fstat(f, &st), 0);
    VT_EQ(st.st_size, 0);
    VT_EQ(vfs_write(f, "abc", 3), 3);
    vt_put(f);
    VT_EQ(vfs_openat(NULL, "/d/file", VFS_O_WRONLY | VFS_O_APPEND, 0, &f), 0);
    VT_EQ(vfs_lseek(f, 0, VFS_SEEK_SET), 0);
    VT_EQ(vfs_write(f, "de", 2), 2);
    VT_EQ(vfs_lseek(f, 0, VFS_SEEK_CUR), 5);
    /* pwrite on an O_APPEND description appends too (Linux) */
    VT_EQ(vfs_pwrite(f, "f", 1, 0), 1);
    vt_put(f);
    char buf[16];
    VT_EQ(vt_read_file("/d/file", buf, sizeof(buf)), 6);
    VT_CHECK(memcmp(buf, "abcdef", 6) == 0);
}

VT_CASE(access_mode_checks)
{
    setup();
    char buf[16];
    VT_EQ(vfs_openat(NULL, "/d/file", VFS_O_RDONLY, 0, &f), 0);
    VT_EQ(vfs_write(f, "x", 1), -EBADF);
    VT_EQ(vfs_pwrite(f, "x", 1, 0), -EBADF);
    VT_EQ(vfs_ftruncate(f, 0), -EINVAL);
    VT_EQ(vfs_fallocate(f, 0, 0, 10), -EBADF);
    VT_EQ(vfs_read(f, buf, 4), 4);
    vt_put(f);
    VT_EQ(vfs_openat(NULL, "/d/file", VFS_O_WRONLY, 0, &f), 0);
    VT_EQ(vfs_read(f, buf, 4), -EBADF);
    VT_EQ(vfs_pread(f, buf, 4, 0), -EBADF);
    VT_EQ(vfs_write(f, "AB", 2), 2);
    vt_put(f);
    VT_EQ(vfs_openat(NULL, "/d/file", VFS_O_RDWR, 0, &f), 0);
    VT_EQ(vfs_read(f, buf, 4), 4);
    VT_CHECK(memcmp(buf, "AB23", 4) == 0);
    VT_EQ(vfs_write(f, "!", 1), 1);
    VT_EQ(vfs_pread(f, buf, 6, 0), 6);
    VT_CHECK(memcmp(buf, "AB23!5", 6) == 0);
    /* shared description: one offset */
    vfs_file_get(f);
    VT_EQ(vfs_lseek(f, 1, VFS_SEEK_SET), 1);
    vt_put(f);
    VT_EQ(vfs_read(f, buf, 1), 1);
    VT_EQ(buf[0], 'B');
    vt_put(f);
}

VT_CASE(read_only_mount)
{
    setup();
    struct memfs_opts ro = {.flags = VFS_MNT_RDONLY};
    VT_EQ(memfs_mount(NULL, "/d", &ro, NULL), 0);
    VT_EQ(vfs_openat(NULL, "/d/x", VFS_O_CREAT | VFS_O_RDWR, 0644, &f), -EROFS);
    VT_EQ(vfs_mkdirat(NULL, "/d/y", 0755), -EROFS);
    VT_EQ(vfs_mkdirat(NULL, "/d", 0755), -EEXIST); /* EEXIST wins over EROFS */
    VT_EQ(vfs_symlinkat("t", NULL, "/d/s"), -EROFS);
    VT_EQ(vfs_unlinkat(NULL, "/d/none", 0), -EROFS);
    VT_EQ(vfs_fchmodat(NULL, "/d", 0700, 0), -EROFS);
    VT_EQ(vfs_utimensat(NULL, "/d", NULL, 0), -EROFS);
    VT_EQ(vfs_setxattrat(NULL, "/d", 0, "user.a", "v", 1, 0), -EROFS);
    VT_EQ(vfs_openat(NULL, "/d", VFS_O_RDONLY, 0, &f), 0);
    struct vfs_statfs sf;
    VT_EQ(vfs_fstatfs(f, &sf), 0);
    VT_EQ(sf.f_flags & VFS_ST_RDONLY, VFS_ST_RDONLY);
    vt_put(f);
    /* the covered directory's files are hidden, the lower fs stays writable */
    VT_EQ(vfs_statat(NULL, "/d/file", 0, &st), -ENOENT);
    VT_EQ(vfs_umount(NULL, "/d"), 0);
    VT_EQ(vfs_statat(NULL, "/d/file", 0, &st), 0);
    VT_EQ(vt_write_file("/d/file", "w", 1), 0);
}

VT_CASE(remount_read_only)
{
    struct vfs_sb *sb;
    VT_EQ(memfs_mount(NULL, "/", NULL, &sb), 0);
    VT_EQ(vt_write_file("/f", "x", 1), 0);
    VT_EQ(vfs_openat(NULL, "/f", VFS_O_WRONLY, 0, &f), 0);
    VT_EQ(vfs_remount(sb, VFS_MNT_RDONLY), 0);
    VT_EQ(vfs_write(f, "y", 1), -EROFS);
    VT_EQ(vfs_ftruncate(f, 0), -EROFS);
    vt_put(f);
    VT_EQ(vfs_openat(NULL, "/f", VFS_O_WRONLY, 0, &f), -EROFS);
    VT_EQ(vfs_openat(NULL, "/f", VFS_O_RDONLY | VFS_O_TRUNC, 0, &f), -EROFS);
    VT_EQ(vfs_remount(sb, 0), 0);
    VT_EQ(vfs_openat(NULL, "/f", VFS_O_WRONLY, 0, &f), 0);
    vt_put(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(creat_excl),          cmocka_unit_test(creat_through_dangling_symlink),
        cmocka_unit_test(nofollow_and_o_path), cmocka_unit_test(o_directory_rules),
        cmocka_unit_test(trunc_and_append),    cmocka_unit_test(access_mode_checks),
        cmocka_unit_test(read_only_mount),     cmocka_unit_test(remount_read_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
