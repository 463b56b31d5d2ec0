/*
 * test_ns.c - calls that change names and attributes, over memfs: mkdir, unlink/rmdir,
 * renameat2 and its flags, link, symlink/readlink, chmod/chown, utimensat, xattrs.
 */
#include "vt.h"

#include "hal/hal_errno.h"

static struct vfs_stat st;
static struct vfs_file *f;

static void setup(void)
{
    vt_memfs_root();
    vfs_mkdirat(NULL, "/d", 0755);
    vfs_mkdirat(NULL, "/d/sub", 0755);
    vfs_mkdirat(NULL, "/e", 0755);
    vt_write_file("/d/file", "content", 7);
    vt_write_file("/e/other", "o", 1);
}

static uint64_t ino_of(const char *path)
{
    return vfs_statat(NULL, path, VFS_AT_SYMLINK_NOFOLLOW, &st) == 0 ? st.st_ino : 0;
}

VT_CASE(mkdir_errors)
{
    setup();
    VT_EQ(vfs_mkdirat(NULL, "/d", 0755), -EEXIST);
    VT_EQ(vfs_mkdirat(NULL, "/d/file", 0755), -EEXIST);
    VT_EQ(vfs_mkdirat(NULL, "/d/.", 0755), -EEXIST);
    VT_EQ(vfs_mkdirat(NULL, "/d/..", 0755), -EEXIST);
    VT_EQ(vfs_mkdirat(NULL, "/", 0755), -EEXIST);
    VT_EQ(vfs_mkdirat(NULL, "/x/y", 0755), -ENOENT);
    VT_EQ(vfs_mkdirat(NULL, "/d/file/y", 0755), -ENOTDIR);
    VT_EQ(vfs_symlinkat("/nowhere", NULL, "/dl"), 0);
    VT_EQ(vfs_mkdirat(NULL, "/dl", 0755), -EEXIST); /* not followed */
    VT_EQ(vfs_mkdirat(NULL, "/m", 07777), 0);
    VT_EQ(vfs_statat(NULL, "/m", 0, &st), 0);
    VT_EQ(st.st_mode, VFS_S_IFDIR | 07777);
    VT_EQ(vfs_mknodat(NULL, "/n", VFS_S_IFDIR | 0755, 0), -EPERM);
    VT_EQ(vfs_mknodat(NULL, "/n", 0170000 | 0755, 0), -EINVAL);
    VT_EQ(vfs_mknodat(NULL, "/fifo", VFS_S_IFIFO | 0644, 0), 0);
    VT_EQ(vfs_mknodat(NULL, "/plain", 0644, 0), 0);
    VT_EQ(vfs_statat(NULL, "/plain", 0, &st), 0);
    VT_EQ(st.st_mode, VFS_S_IFREG | 0644);
    /* a FIFO opens; its VFS description has no data path (fs/pipe makes it a pipe end) */
    VT_EQ(vfs_openat(NULL, "/fifo", VFS_O_RDONLY, 0, &f), 0);
    char c;
    VT_EQ(vfs_read(f, &c, 1), -EINVAL);
    VT_EQ(vfs_pread(f, &c, 1, 0), -ESPIPE);
    vfs_file_put(f);
}

VT_CASE(unlink_and_rmdir)
{
    setup();
    VT_EQ(vfs_unlinkat(NULL, "/d/sub", 0), -EISDIR);
    VT_EQ(vfs_unlinkat(NULL, "/d/.", 0), -EISDIR);
    VT_EQ(vfs_unlinkat(NULL, "/d/nope", 0), -ENOENT);
    VT_EQ(vfs_unlinkat(NULL, "/d/file", 0x1), -EINVAL);
    VT_EQ(vfs_unlinkat(NULL, "/d/file", VFS_AT_REMOVEDIR), -ENOTDIR);
    VT_EQ(vfs_unlinkat(NULL, "/d", VFS_AT_REMOVEDIR), -ENOTEMPTY);
    VT_EQ(vfs_unlinkat(NULL, "/d/sub/.", VFS_AT_REMOVEDIR), -EINVAL);
    VT_EQ(vfs_unlinkat(NULL, "/d/sub/..", VFS_AT_REMOVEDIR), -ENOTEMPTY);
    VT_EQ(vfs_unlinkat(NULL, "/", VFS_AT_REMOVEDIR), -EBUSY);
    VT_EQ(vfs_statat(NULL, "/d", 0, &st), 0);
    VT_EQ(st.st_nlink, 3);
    VT_EQ(vfs_unlinkat(NULL, "/d/sub", VFS_AT_REMOVEDIR), 0);
    VT_EQ(vfs_statat(NULL, "/d", 0, &st), 0);
    VT_EQ(st.st_nlink, 2);
    /* an open file outlives its last name */
    VT_EQ(vfs_openat(NULL, "/d/file", VFS_O_RDWR, 0, &f), 0);
    VT_EQ(vfs_unlinkat(NULL, "/d/file", 0), 0);
    VT_EQ(vfs_statat(NULL, "/d/file", 0, &st), -ENOENT);
    VT_EQ(vfs_fstat(f, &st), 0);
    VT_EQ(st.st_nlink, 0);
    char b[8];
    VT_EQ(vfs_pread(f, b, 8, 0), 7);
    VT_EQ(vfs_pwrite(f, "X", 1, 0), 1);
    VT_EQ(vfs_linkat(f, "", NULL, "/d/back", VFS_AT_EMPTY_PATH), -ENOENT);
    vt_put(f);
    VT_EQ(vfs_unlinkat(NULL, "/d", VFS_AT_REMOVEDIR), 0);
    /* symlinks are removed, not followed */
    VT_EQ(vfs_symlinkat("/e", NULL, "/le"), 0);
    VT_EQ(vfs_unlinkat(NULL, "/le", 0), 0);
    VT_EQ(vfs_statat(NULL, "/e/other", 0, &st), 0);
}

VT_CASE(rename_basic_and_replace)
{
    setup();
    uint64_t ino = ino_of("/d/file");
    VT_EQ(vfs_renameat2(NULL, "/d/file", NULL, "/e/moved", 0), 0);
    VT_EQ(ino_of("/e/moved"), ino);
    VT_EQ(vfs_statat(NULL, "/d/file", 0, &st), -ENOENT);
    /* replacing a file */
    VT_EQ(vfs_renameat2(NULL, "/e/moved", NULL, "/e/other", 0), 0);
    VT_EQ(ino_of("/e/other"), ino);
    char b[16];
    VT_EQ(vt_read_file("/e/other", b, sizeof(b)), 7);
    /* a directory moves with its contents and its ".." */
    VT_EQ(vt_write_file("/d/sub/inner", "i", 1), 0);
    VT_EQ(vfs_renameat2(NULL, "/d/sub", NULL, "/e/sub2", 0), 0);
    VT_EQ(vfs_statat(NULL, "/e/sub2/inner", 0, &st), 0);
    VT_EQ(ino_of("/e/sub2/.."), ino_of("/e"));
    VT_EQ(vfs_statat(NULL, "/d", 0, &st), 0);
    VT_EQ(st.st_nlink, 2);
    VT_EQ(vfs_statat(NULL, "/e", 0, &st), 0);
    VT_EQ(st.st_nlink, 3);
    /* same inode under two names: nothing happens */
    VT_EQ(vfs_linkat(NULL, "/e/other", NULL, "/e/hard", 0), 0);
    VT_EQ(vfs_renameat2(NULL, "/e/other", NULL, "/e/hard", 0), 0);
    VT_EQ(vfs_statat(NULL, "/e/other", 0, &st), 0);
    VT_EQ(st.st_nlink, 2);
    /* rename onto itself */
    VT_EQ(vfs_renameat2(NULL, "/e/other", NULL, "/e/other", 0), 0);
}

VT_CASE(rename_type_errors)
{
    setup();
    VT_EQ(vfs_mkdirat(NULL, "/e/full", 0755), 0);
    VT_EQ(vt_write_file("/e/full/x", "", 0), 0);
    VT_EQ(vfs_mkdirat(NULL, "/e/empty", 0755), 0);
    VT_EQ(vfs_renameat2(NULL, "/d/sub", NULL, "/e/other", 0), -ENOTDIR);
    VT_EQ(vfs_renameat2(NULL, "/d/file", NULL, "/e/empty", 0), -EISDIR);
    VT_EQ(vfs_renameat2(NULL, "/d/sub", NULL, "/e/full", 0), -ENOTEMPTY);
    VT_EQ(vfs_renameat2(NULL, "/d/sub", NULL, "/e/empty", 0), 0); /* empty dir replaced */
    VT_EQ(vfs_renameat2(NULL, "/d/nope", NULL, "/e/x", 0), -ENOENT);
    VT_EQ(vfs_renameat2(NULL, "/d/file", NULL, "/nope/x", 0), -ENOENT);
    VT_EQ(vfs_renameat2(NULL, "/d/file/", NULL, "/e/x", 0), -ENOTDIR);
    VT_EQ(vfs_renameat2(NULL, "/d/file", NULL, "/e/x/", 0), -ENOTDIR);
    VT_EQ(vfs_renameat2(NULL, "/e/empty/", NULL, "/e/moved/", 0), 0);
    /* into its own subtree */
    VT_EQ(vfs_renameat2(NULL, "/e", NULL, "/e/moved/e", 0), -EINVAL);
    VT_EQ(vfs_renameat2(NULL, "/e", NULL, "/e/full/x", 0), -EINVAL);
    /* over an ancestor of the source */
    VT_EQ(vfs_renameat2(NULL, "/e/full/x", NULL, "/e", 0), -ENOTEMPTY);
    VT_EQ(vfs_renameat2(NULL, "/e/full/x", NULL, "/e", VFS_RENAME_EXCHANGE), -EINVAL);
    /* dot names */
    VT_EQ(vfs_renameat2(NULL, "/d/.", NULL, "/e/x", 0), -EBUSY);
    VT_EQ(vfs_renameat2(NULL, "/d/file", NULL, "/e/..", 0), -EBUSY);
    VT_EQ(vfs_renameat2(NULL, "/d/file", NULL, "/e/..", VFS_RENAME_NOREPLACE), -EEXIST);
    VT_EQ(vfs_renameat2(NULL, "/", NULL, "/x", 0), -EBUSY);
}

VT_CASE(rename_flags)
{
    setup();
    VT_EQ(vfs_renameat2(NULL, "/d/file", NULL, "/e/other", VFS_RENAME_NOREPLACE), -EEXIST);
    VT_EQ(vfs_renameat2(NULL, "/d/file", NULL, "/e/new", VFS_RENAME_NOREPLACE), 0);
    VT_EQ(
        vfs_renameat2(NULL, "/e/new", NULL, "/e/other", VFS_RENAME_NOREPLACE | VFS_RENAME_EXCHANGE),
        -EINVAL);
    VT_EQ(vfs_renameat2(NULL, "/e/new", NULL, "/e/other", 0x80), -EINVAL);
    VT_EQ(vfs_renameat2(NULL, "/e/new", NULL, "/e/other", VFS_RENAME_WHITEOUT), -EINVAL);
    VT_EQ(vfs_renameat2(NULL, "/e/new", NULL, "/e/absent", VFS_RENAME_EXCHANGE), -ENOENT);
    /* exchange a file and a directory across directories */
    uint64_t fi = ino_of("/e/new"), di = ino_of("/d/sub");
    VT_EQ(vfs_renameat2(NULL, "/e/new", NULL, "/d/sub", VFS_RENAME_EXCHANGE), 0);
    VT_EQ(ino_of("/e/new"), di);
    VT_EQ(ino_of("/d/sub"), fi);
    VT_EQ(ino_of("/e/new/.."), ino_of("/e"));
    VT_EQ(vfs_statat(NULL, "/d", 0, &st), 0);
    VT_EQ(st.st_nlink, 2);
    VT_EQ(vfs_statat(NULL, "/e", 0, &st), 0);
    VT_EQ(st.st_nlink, 3);
}

VT_CASE(link_rules)
{
    setup();
    VT_EQ(vfs_linkat(NULL, "/d/file", NULL, "/e/l1", 0), 0);
    VT_EQ(vfs_statat(NULL, "/d/file", 0, &st), 0);
    VT_EQ(st.st_nlink, 2);
    VT_EQ(ino_of("/e/l1"), ino_of("/d/file"));
    VT_EQ(vfs_linkat(NULL, "/d/sub", NULL, "/e/l2", 0), -EPERM);
    VT_EQ(vfs_linkat(NULL, "/d/file", NULL, "/e/other", 0), -EEXIST);
    VT_EQ(vfs_linkat(NULL, "/d/file", NULL, "/e/.", 0), -EEXIST);
    VT_EQ(vfs_linkat(NULL, "/d/nope", NULL, "/e/l3", 0), -ENOENT);
    VT_EQ(vfs_linkat(NULL, "/d/file", NULL, "/e/l3", 0x1), -EINVAL);
    /* symlinks: not followed unless AT_SYMLINK_FOLLOW */
    VT_EQ(vfs_symlinkat("/d/file", NULL, "/sl"), 0);
    VT_EQ(vfs_linkat(NULL, "/sl", NULL, "/sl2", 0), 0);
    VT_EQ(ino_of("/sl2"), ino_of("/sl"));
    VT_EQ(vfs_linkat(NULL, "/sl", NULL, "/sl3", VFS_AT_SYMLINK_FOLLOW), 0);
    VT_EQ(ino_of("/sl3"), ino_of("/d/file"));
    /* AT_EMPTY_PATH links an open file */
    VT_EQ(vfs_openat(NULL, "/e/other", VFS_O_RDONLY, 0, &f), 0);
    VT_EQ(vfs_linkat(f, "", NULL, "/e/l4", 0), -ENOENT);
    VT_EQ(vfs_linkat(f, "", NULL, "/e/l4", VFS_AT_EMPTY_PATH), 0);
    VT_EQ(ino_of("/e/l4"), ino_of("/e/other"));
    vt_put(f);
    /* across filesystems */
    VT_EQ(memfs_mount(NULL, "/e", NULL, NULL), 0);
    VT_EQ(vfs_linkat(NULL, "/d/file", NULL, "/e/x", 0), -EXDEV);
    VT_EQ(vfs_renameat2(NULL, "/d/file", NULL, "/e/x", 0), -EXDEV);
}

VT_CASE(symlink_readlink)
{
    setup();
    VT_EQ(vfs_symlinkat("", NULL, "/s0"), -ENOENT);
    VT_EQ(vfs_symlinkat("target/path", NULL, "/s1"), 0);
    VT_EQ(vfs_symlinkat("x", NULL, "/s1"), -EEXIST);
    VT_EQ(vfs_symlinkat("x", NULL, "/d/file"), -EEXIST);
    char buf[32];
    VT_EQ(vfs_readlinkat(NULL, "/s1", buf, sizeof(buf)), 11);
    VT_CHECK(memcmp(buf, "target/path", 11) == 0);
    VT_EQ(vfs_readlinkat(NULL, "/s1", buf, 4), 4); /* silently truncated */
    VT_CHECK(memcmp(buf, "targ", 4) == 0);
    VT_EQ(vfs_readlinkat(NULL, "/s1", buf, 0), -EINVAL);
    VT_EQ(vfs_readlinkat(NULL, "/d/file", buf, sizeof(buf)), -EINVAL);
    VT_EQ(vfs_readlinkat(NULL, "/nope", buf, sizeof(buf)), -ENOENT);
    VT_EQ(vfs_statat(NULL, "/s1", VFS_AT_SYMLINK_NOFOLLOW, &st), 0);
    VT_EQ(st.st_mode, VFS_S_IFLNK | 0777);
    VT_EQ(st.st_size, 11);
    VT_EQ(vfs_openat(NULL, "/d/file", VFS_O_RDONLY, 0, &f), 0);
    VT_EQ(vfs_readlinkat(f, "", buf, sizeof(buf)), -ENOENT);
    vt_put(f);
}

VT_CASE(chmod_chown)
{
    setup();
    VT_EQ(vfs_fchmodat(NULL, "/d/file", 04755, 0), 0);
    VT_EQ(vfs_statat(NULL, "/d/file", 0, &st), 0);
    VT_EQ(st.st_mode, VFS_S_IFREG | 04755);
    VT_EQ(vfs_fchmodat(NULL, "/d/file", 0644, 0x1), -EINVAL);
    VT_EQ(vfs_symlinkat("/d/file", NULL, "/sl"), 0);
    VT_EQ(vfs_fchmodat(NULL, "/sl", 0600, VFS_AT_SYMLINK_NOFOLLOW), -EOPNOTSUPP);
    VT_EQ(vfs_fchmodat(NULL, "/sl", 04700, 0), 0); /* follows */
    VT_EQ(vfs_statat(NULL, "/d/file", 0, &st), 0);
    VT_EQ(st.st_mode & 07777, 04700);
    /* chown of a set-uid file clears the bit */
    VT_EQ(vfs_fchownat(NULL, "/d/file", 1000, (uint32_t)-1, 0), 0);
    VT_EQ(vfs_statat(NULL, "/d/file", 0, &st), 0);
    VT_EQ(st.st_uid, 1000);
    VT_EQ(st.st_gid, 0);
    VT_EQ(st.st_mode & 07777, 0700);
    VT_EQ(vfs_fchownat(NULL, "/sl", 5, 6, VFS_AT_SYMLINK_NOFOLLOW), 0);
    VT_EQ(vfs_statat(NULL, "/sl", VFS_AT_SYMLINK_NOFOLLOW, &st), 0);
    VT_EQ(st.st_uid, 5);
    VT_EQ(st.st_gid, 6);
    VT_EQ(vfs_fchownat(NULL, "/sl", 5, 6, 0x2), -EINVAL);
    VT_EQ(vfs_openat(NULL, "/d/file", VFS_O_RDONLY, 0, &f), 0);
    VT_EQ(vfs_fchmod(f, 0640), 0);
    VT_EQ(vfs_fchown(f, 7, 8), 0);
    VT_EQ(vfs_fstat(f, &st), 0);
    VT_EQ(st.st_mode, VFS_S_IFREG | 0640);
    VT_EQ(st.st_uid, 7);
    vt_put(f);
    VT_EQ(vfs_openat(NULL, "/d/file", VFS_O_PATH, 0, &f), 0);
    VT_EQ(vfs_fchmod(f, 0600), -EBADF);
    VT_EQ(vfs_fchownat(f, "", 1, 1, VFS_AT_EMPTY_PATH), 0);
    vt_put(f);
}

VT_CASE(utimensat_now_and_omit)
{
    setup();
    struct vfs_timespec t[2] = {{1000, 5}, {2000, 6}};
    VT_EQ(vfs_utimensat(NULL, "/d/file", t, 0), 0);
    VT_EQ(vfs_statat(NULL, "/d/file", 0, &st), 0);
    VT_EQ(st.st_atim.tv_sec, 1000);
    VT_EQ(st.st_atim.tv_nsec, 5);
    VT_EQ(st.st_mtim.tv_sec, 2000);
    VT_EQ(st.st_mtim.tv_nsec, 6);
    VT_CHECK(st.st_ctim.tv_sec > 2000);
    struct vfs_timespec o[2] = {{0, VFS_UTIME_OMIT}, {3000, 0}};
    VT_EQ(vfs_utimensat(NULL, "/d/file", o, 0), 0);
    VT_EQ(vfs_statat(NULL, "/d/file", 0, &st), 0);
    VT_EQ(st.st_atim.tv_sec, 1000);
    VT_EQ(st.st_mtim.tv_sec, 3000);
    struct vfs_timespec n[2] = {{0, VFS_UTIME_NOW}, {0, VFS_UTIME_OMIT}};
    VT_EQ(vfs_utimensat(NULL, "/d/file", n, 0), 0);
    VT_EQ(vfs_statat(NULL, "/d/file", 0, &st), 0);
    VT_CHECK(st.st_atim.tv_sec > 1700000000);
    VT_EQ(st.st_mtim.tv_sec, 3000);
    VT_EQ(vfs_utimensat(NULL, "/d/file", NULL, 0), 0);
    VT_EQ(vfs_statat(NULL, "/d/file", 0, &st), 0);
    VT_CHECK(st.st_mtim.tv_sec > 1700000000);
    struct vfs_timespec bad[2] = {{0, 1000000000}, {0, 0}};
    VT_EQ(vfs_utimensat(NULL, "/d/file", bad, 0), -EINVAL);
    VT_EQ(vfs_utimensat(NULL, "/d/file", t, 0x1), -EINVAL);
    /* both omitted: success even for a missing file */
    struct vfs_timespec om[2] = {{0, VFS_UTIME_OMIT}, {0, VFS_UTIME_OMIT}};
    VT_EQ(vfs_utimensat(NULL, "/nope", om, 0), 0);
    VT_EQ(vfs_utimensat(NULL, "/nope", t, 0), -ENOENT);
    /* futimens form and symlinks */
    VT_EQ(vfs_symlinkat("/d/file", NULL, "/sl"), 0);
    VT_EQ(vfs_utimensat(NULL, "/sl", t, VFS_AT_SYMLINK_NOFOLLOW), 0);
    VT_EQ(vfs_statat(NULL, "/sl", VFS_AT_SYMLINK_NOFOLLOW, &st), 0);
    VT_EQ(st.st_mtim.tv_sec, 2000);
    VT_EQ(vfs_openat(NULL, "/d/file", VFS_O_RDONLY, 0, &f), 0);
    VT_EQ(vfs_utimensat(f, NULL, t, 0), 0);
    VT_EQ(vfs_fstat(f, &st), 0);
    VT_EQ(st.st_mtim.tv_sec, 2000);
    vt_put(f);
    VT_EQ(vfs_utimensat(NULL, NULL, t, 0), -EFAULT);
}

VT_CASE(xattrs)
{
    setup();
    char buf[64];
    VT_EQ(vfs_setxattrat(NULL, "/d/file", 0, "user.color", "blue", 4, 0), 0);
    VT_EQ(vfs_getxattrat(NULL, "/d/file", 0, "user.color", buf, sizeof(buf)), 4);
    VT_CHECK(memcmp(buf, "blue", 4) == 0);
    VT_EQ(vfs_getxattrat(NULL, "/d/file", 0, "user.color", NULL, 0), 4);
    VT_EQ(vfs_getxattrat(NULL, "/d/file", 0, "user.color", buf, 2), -ERANGE);
    VT_EQ(vfs_getxattrat(NULL, "/d/file", 0, "user.none", buf, sizeof(buf)), -ENODATA);
    VT_EQ(vfs_setxattrat(NULL, "/d/file", 0, "user.color", "red", 3, VFS_XATTR_CREATE), -EEXIST);
    VT_EQ(vfs_setxattrat(NULL, "/d/file", 0, "user.size", "1", 1, VFS_XATTR_REPLACE), -ENODATA);
    VT_EQ(vfs_setxattrat(NULL, "/d/file", 0, "user.color", "red", 3, VFS_XATTR_REPLACE), 0);
    VT_EQ(vfs_setxattrat(NULL, "/d/file", 0, "trusted.t", "", 0, 0), 0);
    VT_EQ(vfs_setxattrat(NULL, "/d/file", 0, "security.s", "x", 1, 0), 0);
    VT_EQ(vfs_setxattrat(NULL, "/d/file", 0, "user.x", "x", 1, 4), -EINVAL);
    /* name checks */
    VT_EQ(vfs_setxattrat(NULL, "/d/file", 0, "color", "x", 1, 0), -EOPNOTSUPP);
    VT_EQ(vfs_setxattrat(NULL, "/d/file", 0, "system.posix_acl_access", "x", 1, 0), -EOPNOTSUPP);
    VT_EQ(vfs_setxattrat(NULL, "/d/file", 0, "user.", "x", 1, 0), -EINVAL);
    VT_EQ(vfs_setxattrat(NULL, "/d/file", 0, "", "x", 1, 0), -ERANGE);
    char longname[300];
    memset(longname, 'a', sizeof(longname));
    memcpy(longname, "user.", 5);
    longname[299] = 0;
    VT_EQ(vfs_setxattrat(NULL, "/d/file", 0, longname, "x", 1, 0), -ERANGE);
    VT_EQ(vfs_setxattrat(NULL, "/d/file", 0, "user.big", "x", 65537, 0), -E2BIG);
    /* list */
    long n = vfs_listxattrat(NULL, "/d/file", 0, buf, sizeof(buf));
    VT_EQ(n, 11 + 10 + 11);
    VT_EQ(vfs_listxattrat(NULL, "/d/file", 0, NULL, 0), n);
    VT_EQ(vfs_listxattrat(NULL, "/d/file", 0, buf, 5), -ERANGE);
    VT_CHECK(memcmp(buf, "user.color\0", 11) == 0);
    /* user.* only on files and directories; symlinks: l* variants */
    VT_EQ(vfs_symlinkat("/d/file", NULL, "/sl"), 0);
    VT_EQ(vfs_setxattrat(NULL, "/sl", VFS_AT_SYMLINK_NOFOLLOW, "user.a", "x", 1, 0), -EPERM);
    VT_EQ(vfs_getxattrat(NULL, "/sl", VFS_AT_SYMLINK_NOFOLLOW, "user.a", buf, 8), -ENODATA);
    VT_EQ(vfs_setxattrat(NULL, "/sl", VFS_AT_SYMLINK_NOFOLLOW, "trusted.a", "x", 1, 0), 0);
    VT_EQ(vfs_getxattrat(NULL, "/sl", 0, "user.color", buf, 8), 3); /* followed */
    VT_EQ(vfs_setxattrat(NULL, "/d", 0, "user.dir", "1", 1, 0), 0);
    /* remove, and the f* forms */
    VT_EQ(vfs_removexattrat(NULL, "/d/file", 0, "user.color"), 0);
    VT_EQ(vfs_removexattrat(NULL, "/d/file", 0, "user.color"), -ENODATA);
    VT_EQ(vfs_openat(NULL, "/d/file", VFS_O_RDONLY, 0, &f), 0);
    VT_EQ(vfs_fsetxattr(f, "user.f", "v", 1, 0), 0);
    VT_EQ(vfs_fgetxattr(f, "user.f", buf, 8), 1);
    VT_EQ(vfs_flistxattr(f, buf, sizeof(buf)), 10 + 11 + 7);
    VT_EQ(vfs_fremovexattr(f, "user.f"), 0);
    vt_put(f);
    VT_EQ(vfs_openat(NULL, "/d/file", VFS_O_PATH, 0, &f), 0);
    VT_EQ(vfs_fgetxattr(f, "user.f", buf, 8), -EBADF);
    vt_put(f);
}

VT_CASE(getcwd_and_access)
{
    setup();
    char buf[64];
    VT_EQ(vfs_getcwd(NULL, buf, sizeof(buf)), 2);
    VT_CHECK(strcmp(buf, "/") == 0);
    VT_EQ(vfs_mkdirat(NULL, "/d/sub/deep", 0755), 0);
    VT_EQ(vfs_openat(NULL, "/d/sub/deep", VFS_O_PATH | VFS_O_DIRECTORY, 0, &f), 0);
    VT_EQ(vfs_getcwd(f, buf, sizeof(buf)), 12);
    VT_CHECK(strcmp(buf, "/d/sub/deep") == 0);
    VT_EQ(vfs_getcwd(f, buf, 11), -ERANGE);
    /* follows renames, crosses mounts */
    VT_EQ(vfs_renameat2(NULL, "/d/sub", NULL, "/e/moved", 0), 0);
    VT_EQ(vfs_getcwd(f, buf, sizeof(buf)), 14);
    VT_CHECK(strcmp(buf, "/e/moved/deep") == 0);
    VT_EQ(memfs_mount(NULL, "/e/moved/deep", NULL, NULL), 0);
    struct vfs_file *m;
    VT_EQ(vfs_mkdirat(NULL, "/e/moved/deep/in", 0755), 0);
    VT_EQ(vfs_openat(NULL, "/e/moved/deep/in", VFS_O_RDONLY, 0, &m), 0);
    VT_EQ(vfs_getcwd(m, buf, sizeof(buf)), 17);
    VT_CHECK(strcmp(buf, "/e/moved/deep/in") == 0);
    vt_put(m);
    VT_EQ(vfs_umount(NULL, "/e/moved/deep"), 0);
    /* a removed directory has no path */
    VT_EQ(vfs_unlinkat(NULL, "/e/moved/deep", VFS_AT_REMOVEDIR), 0);
    VT_EQ(vfs_getcwd(f, buf, sizeof(buf)), -ENOENT);
    vt_put(f);
    VT_EQ(vfs_openat(NULL, "/d/file", VFS_O_RDONLY, 0, &f), 0);
    VT_EQ(vfs_getcwd(f, buf, sizeof(buf)), -ENOTDIR);
    vt_put(f);
    /* access for root */
    VT_EQ(vfs_faccessat(NULL, "/d/file", 0, 0), 0);
    VT_EQ(vfs_faccessat(NULL, "/d/file", 4 | 2, 0), 0);
    VT_EQ(vfs_faccessat(NULL, "/d/file", 1, 0), -EACCES);
    VT_EQ(vfs_fchmodat(NULL, "/d/file", 0100, 0), 0);
    VT_EQ(vfs_faccessat(NULL, "/d/file", 7, VFS_AT_EACCESS), 0);
    VT_EQ(vfs_faccessat(NULL, "/d", 1, 0), 0);
    VT_EQ(vfs_faccessat(NULL, "/nope", 0, 0), -ENOENT);
    VT_EQ(vfs_faccessat(NULL, "/d", 8, 0), -EINVAL);
    VT_EQ(vfs_faccessat(NULL, "/d", 0, 0x1), -EINVAL);
    struct memfs_opts ro = {.flags = VFS_MNT_RDONLY};
    VT_EQ(memfs_mount(NULL, "/e", &ro, NULL), 0);
    VT_EQ(vfs_faccessat(NULL, "/e", 2, 0), -EROFS);
    VT_EQ(vfs_faccessat(NULL, "/e", 4, 0), 0);
}

static volatile int stress_bad;

static void stress_mutator(void *arg)
{
    for (int i = 0; i < 300; i++) {
        int rc = vfs_mkdirat(NULL, "/d/x", 0755);
        rc = rc ? rc : vt_write_file("/d/x/f", "data", 4);
        rc = rc ? rc : vfs_renameat2(NULL, "/d/x", NULL, "/e/x", 0);
        rc = rc ? rc : vfs_unlinkat(NULL, "/e/x/f", 0);
        rc = rc ? rc : vfs_unlinkat(NULL, "/e/x", VFS_AT_REMOVEDIR);
        if (rc)
            stress_bad++;
        thread_yield();
    }
}

static void stress_reader(void *arg)
{
    static const char *const paths[] = {"/d/x/f", "/e/x/f", "/d/x", "/e/x/.."};
    char buf[64];
    for (int i = 0; i < 300; i++) {
        struct vfs_stat s;
        int rc = vfs_statat(NULL, paths[i % 4], 0, &s);
        if (rc && rc != -ENOENT)
            stress_bad++;
        struct vfs_file *x;
        rc = vfs_openat(NULL, (i & 1) ? "/d/x" : "/e/x", VFS_O_RDONLY | VFS_O_DIRECTORY, 0, &x);
        if (rc == 0) {
            thread_yield(); /* the directory may move or go meanwhile */
            long n = vfs_getcwd(x, buf, sizeof(buf));
            if (n < 0 && n != -ENOENT)
                stress_bad++;
            if (vfs_getdents(x, buf, sizeof(buf)) < 0)
                stress_bad++;
            vfs_file_put(x);
        } else if (rc != -ENOENT) {
            stress_bad++;
        }
        thread_yield();
    }
}

VT_CASE(interleaved_threads)
{
    setup();
    stress_bad = 0;
    struct thread *a = thread_create("mut", stress_mutator, NULL);
    struct thread *b = thread_create("rd1", stress_reader, NULL);
    struct thread *c = thread_create("rd2", stress_reader, NULL);
    VT_CHECK(a && b && c);
    thread_join(a);
    thread_join(b);
    thread_join(c);
    VT_EQ(stress_bad, 0);
    VT_EQ(vfs_statat(NULL, "/e/x", 0, &st), -ENOENT);
    VT_EQ(vfs_statat(NULL, "/d", 0, &st), 0);
    VT_EQ(st.st_nlink, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mkdir_errors),
        cmocka_unit_test(unlink_and_rmdir),
        cmocka_unit_test(rename_basic_and_replace),
        cmocka_unit_test(rename_type_errors),
        cmocka_unit_test(rename_flags),
        cmocka_unit_test(link_rules),
        cmocka_unit_test(symlink_readlink),
        cmocka_unit_test(chmod_chown),
        cmocka_unit_test(utimensat_now_and_omit),
        cmocka_unit_test(xattrs),
        cmocka_unit_test(getcwd_and_access),
        cmocka_unit_test(interleaved_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
