/*
 * test_namei.c - path walk over memfs: absolute/relative, ".", "..", symlinks and ELOOP,
 * trailing slashes, length limits, dirf and AT_* flags, and the dentry cache.
 */
#include "vt.h"

#include "core/lib/alloc.h"
#include "core/lib/kprintf.h"
#include "hal/hal_errno.h"

static struct vfs_stat st;

static uint64_t ino_of(const char *path)
{
    return vfs_statat(NULL, path, VFS_AT_SYMLINK_NOFOLLOW, &st) == 0 ? st.st_ino : 0;
}

/* /a/b/c (dirs), /a/f (file) */
static void tree(void)
{
    vt_memfs_root();
    vfs_mkdirat(NULL, "/a", 0755);
    vfs_mkdirat(NULL, "/a/b", 0755);
    vfs_mkdirat(NULL, "/a/b/c", 0755);
    vt_write_file("/a/f", "hello", 5);
}

VT_CASE(abs_and_relative_paths)
{
    tree();
    struct vfs_file *a = vt_open("/a", VFS_O_RDONLY | VFS_O_DIRECTORY, 0);
    VT_CHECK(a);
    VT_EQ(vfs_statat(a, "b/c", 0, &st), 0);
    VT_EQ(st.st_ino, ino_of("/a/b/c"));
    VT_EQ(vfs_statat(a, "f", 0, &st), 0);
    VT_EQ(st.st_size, 5);
    /* an absolute path ignores dirf */
    VT_EQ(vfs_statat(a, "/a/f", 0, &st), 0);
    VT_EQ(vfs_statat(a, "/f", 0, &st), -ENOENT);
    /* multiple slashes are one */
    VT_EQ(vfs_statat(NULL, "//a///b//c", 0, &st), 0);
    VT_EQ(st.st_ino, ino_of("/a/b/c"));
    vt_put(a);
}

VT_CASE(dot_and_dotdot)
{
    tree();
    uint64_t a = ino_of("/a"), root = ino_of("/");
    VT_EQ(ino_of("/a/b/.."), a);
    VT_EQ(ino_of("/a/./b/../."), a);
    VT_EQ(ino_of("/a/b/c/../../.."), root);
    /* ".." at the root stays at the root */
    VT_EQ(ino_of("/.."), root);
    VT_EQ(ino_of("/../../a/.."), root);
    struct vfs_file *c = vt_open("/a/b/c", VFS_O_RDONLY, 0);
    VT_CHECK(c);
    VT_EQ(vfs_statat(c, "../../f", 0, &st), 0);
    VT_EQ(st.st_size, 5);
    VT_EQ(vfs_statat(c, ".", 0, &st), 0);
    VT_EQ(st.st_ino, ino_of("/a/b/c"));
    vt_put(c);
}

VT_CASE(intermediate_not_dir_and_missing)
{
    tree();
    VT_EQ(vfs_statat(NULL, "/a/f/x", 0, &st), -ENOTDIR);
    VT_EQ(vfs_statat(NULL, "/a/nope/x", 0, &st), -ENOENT);
    VT_EQ(vfs_statat(NULL, "/a/nope", 0, &st), -ENOENT);
    /* relative path from a non-directory description */
    struct vfs_file *f = vt_open("/a/f", VFS_O_RDONLY, 0);
    VT_CHECK(f);
    VT_EQ(vfs_statat(f, "x", 0, &st), -ENOTDIR);
    VT_EQ(vfs_statat(f, "/a", 0, &st), 0);
    vt_put(f);
}

VT_CASE(empty_path_and_at_empty_path)
{
    tree();
    VT_EQ(vfs_statat(NULL, "", 0, &st), -ENOENT);
    struct vfs_file *f = vt_open("/a/f", VFS_O_RDONLY, 0);
    VT_CHECK(f);
    VT_EQ(vfs_statat(f, "", 0, &st), -ENOENT);
    VT_EQ(vfs_statat(f, "", VFS_AT_EMPTY_PATH, &st), 0);
    VT_EQ(st.st_size, 5);
    VT_EQ(vfs_statat(f, "", 0x4000, &st), -EINVAL); /* unknown flag */
    vt_put(f);
}

VT_CASE(name_and_path_limits)
{
    vt_memfs_root();
    char *p = kmalloc(VFS_PATH_MAX + 8);
    VT_CHECK(p);
    memset(p, 'x', 256);
    p[0] = '/';
    p[257] = 0;
    memset(p + 1, 'n', 256);
    p[257] = 0;
    VT_EQ(vfs_statat(NULL, p, 0, &st), -ENAMETOOLONG); /* 256-byte component */
    VT_EQ(vfs_mkdirat(NULL, p, 0755), -ENAMETOOLONG);
    p[256] = 0; /* 255 bytes: fine */
    VT_EQ(vfs_statat(NULL, p, 0, &st), -ENOENT);
    VT_EQ(vfs_mkdirat(NULL, p, 0755), 0);
    VT_EQ(vfs_statat(NULL, p, 0, &st), 0);
    /* 256 bytes as an intermediate component */
    memset(p, 'm', 300);
    p[0] = '/';
    memcpy(p + 257, "/x", 3);
    VT_EQ(vfs_statat(NULL, p, 0, &st), -ENAMETOOLONG);
    /* whole path: 4095 bytes walks, 4096 is too long */
    for (int i = 0; i < VFS_PATH_MAX + 4; i++)
        p[i] = (i % 2) ? '.' : '/';
    p[VFS_PATH_MAX - 1] = 0;
    VT_EQ(vfs_statat(NULL, p, 0, &st), 0);
    p[VFS_PATH_MAX - 1] = '/';
    p[VFS_PATH_MAX] = 0;
    VT_EQ(vfs_statat(NULL, p, 0, &st), -ENAMETOOLONG);
    kfree(p);
}

VT_CASE(symlinks_relative_and_absolute)
{
    tree();
    VT_EQ(vfs_symlinkat("b/c", NULL, "/a/rel"), 0);
    VT_EQ(vfs_symlinkat("/a/f", NULL, "/abs"), 0);
    VT_EQ(vfs_symlinkat("../f", NULL, "/a/b/up"), 0);
    VT_EQ(ino_of("/a/rel/."), ino_of("/a/b/c"));
    VT_EQ(vfs_statat(NULL, "/abs", 0, &st), 0);
    VT_EQ(st.st_size, 5);
    VT_EQ(vfs_statat(NULL, "/abs", VFS_AT_SYMLINK_NOFOLLOW, &st), 0);
    VT_EQ(st.st_mode & VFS_S_IFMT, VFS_S_IFLNK);
    VT_EQ(st.st_size, 4);
    VT_EQ(vfs_statat(NULL, "/a/b/up", 0, &st), 0);
    VT_EQ(st.st_size, 5);
    /* symlink in the middle, then ".." is taken from the target directory */
    VT_EQ(ino_of("/a/rel/.."), ino_of("/a/b"));
    /* dangling */
    VT_EQ(vfs_symlinkat("/nowhere", NULL, "/dang"), 0);
    VT_EQ(vfs_statat(NULL, "/dang", 0, &st), -ENOENT);
    VT_EQ(vfs_statat(NULL, "/dang", VFS_AT_SYMLINK_NOFOLLOW, &st), 0);
}

VT_CASE(symlink_loop_limit)
{
    vt_memfs_root();
    VT_EQ(vfs_symlinkat("/loop2", NULL, "/loop1"), 0);
    VT_EQ(vfs_symlinkat("/loop1", NULL, "/loop2"), 0);
    VT_EQ(vfs_statat(NULL, "/loop1", 0, &st), -ELOOP);
    VT_EQ(vfs_statat(NULL, "/loop1/x", 0, &st), -ELOOP);
    VT_EQ(vfs_statat(NULL, "/loop1", VFS_AT_SYMLINK_NOFOLLOW, &st), 0);
    /* a chain of 40 links resolves, 41 is ELOOP */
    vt_write_file("/target", "t", 1);
    char name[32], to[32];
    for (int i = 1; i <= 41; i++) {
        ksnprintf(name, sizeof(name), "/l%d", i);
        if (i == 1)
            ksnprintf(to, sizeof(to), "/target");
        else
            ksnprintf(to, sizeof(to), "/l%d", i - 1);
        VT_EQ(vfs_symlinkat(to, NULL, name), 0);
    }
    VT_EQ(vfs_statat(NULL, "/l40", 0, &st), 0);
    VT_EQ(st.st_size, 1);
    VT_EQ(vfs_statat(NULL, "/l41", 0, &st), -ELOOP);
}

VT_CASE(trailing_slash_rules)
{
    tree();
    VT_EQ(vfs_statat(NULL, "/a/f/", 0, &st), -ENOTDIR);
    VT_EQ(vfs_statat(NULL, "/a/b/", 0, &st), 0);
    VT_EQ(vfs_statat(NULL, "/a/b//", 0, &st), 0);
    /* a trailing slash follows a symlink even with NOFOLLOW */
    VT_EQ(vfs_symlinkat("/a/b", NULL, "/lb"), 0);
    VT_EQ(vfs_symlinkat("/a/f", NULL, "/lf"), 0);
    VT_EQ(vfs_statat(NULL, "/lb/", VFS_AT_SYMLINK_NOFOLLOW, &st), 0);
    VT_EQ(st.st_mode & VFS_S_IFMT, VFS_S_IFDIR);
    VT_EQ(vfs_statat(NULL, "/lf/", 0, &st), -ENOTDIR);
    /* creating with a trailing slash */
    VT_EQ(vfs_mkdirat(NULL, "/newdir/", 0755), 0);
    struct vfs_file *f;
    VT_EQ(vfs_openat(NULL, "/newfile/", VFS_O_CREAT | VFS_O_WRONLY, 0644, &f), -EISDIR);
    VT_EQ(vfs_openat(NULL, "/a/f/", VFS_O_RDONLY, 0, &f), -ENOTDIR);
    VT_EQ(vfs_unlinkat(NULL, "/a/f/", 0), -ENOTDIR);
    VT_EQ(vfs_unlinkat(NULL, "/newdir/", VFS_AT_REMOVEDIR), 0);
    VT_EQ(vfs_symlinkat("/x", NULL, "/sl/"), -ENOENT);
}

VT_CASE(dirf_description_as_cwd)
{
    tree();
    struct vfs_file *cwd = vt_open("/a/b", VFS_O_PATH | VFS_O_DIRECTORY, 0);
    VT_CHECK(cwd);
    VT_EQ(vfs_mkdirat(cwd, "d", 0700), 0);
    VT_EQ(vfs_statat(NULL, "/a/b/d", 0, &st), 0);
    VT_EQ(st.st_mode, VFS_S_IFDIR | 0700);
    struct vfs_file *f;
    VT_EQ(vfs_openat(cwd, "d/file", VFS_O_CREAT | VFS_O_RDWR, 0600, &f), 0);
    vt_put(f);
    VT_EQ(vfs_statat(NULL, "/a/b/d/file", 0, &st), 0);
    /* the cwd stays valid after its directory is renamed */
    VT_EQ(vfs_renameat2(NULL, "/a/b", NULL, "/moved", 0), 0);
    VT_EQ(vfs_statat(cwd, "d/file", 0, &st), 0);
    VT_EQ(vfs_statat(cwd, "..", 0, &st), 0);
    VT_EQ(st.st_ino, ino_of("/"));
    vt_put(cwd);
}

VT_CASE(dcache_negative_entries_and_invalidation)
{
    tree();
    unsigned before = vfs_dcache_count();
    VT_EQ(vfs_statat(NULL, "/a/ghost", 0, &st), -ENOENT);
    VT_EQ(vfs_dcache_count(), before + 1); /* a negative entry */
    VT_EQ(vfs_statat(NULL, "/a/ghost", 0, &st), -ENOENT);
    VT_EQ(vfs_dcache_count(), before + 1);
    /* creation replaces it */
    VT_EQ(vt_write_file("/a/ghost", "x", 1), 0);
    VT_EQ(vfs_statat(NULL, "/a/ghost", 0, &st), 0);
    /* unlink, rename and rmdir invalidate */
    VT_EQ(vfs_unlinkat(NULL, "/a/ghost", 0), 0);
    VT_EQ(vfs_statat(NULL, "/a/ghost", 0, &st), -ENOENT);
    VT_EQ(vfs_renameat2(NULL, "/a/f", NULL, "/a/g", 0), 0);
    VT_EQ(vfs_statat(NULL, "/a/f", 0, &st), -ENOENT);
    VT_EQ(vfs_statat(NULL, "/a/g", 0, &st), 0);
    VT_EQ(vfs_unlinkat(NULL, "/a/b/c", VFS_AT_REMOVEDIR), 0);
    VT_EQ(vfs_statat(NULL, "/a/b/c", 0, &st), -ENOENT);
    VT_EQ(vfs_mkdirat(NULL, "/a/b/c", 0755), 0);
    VT_EQ(vfs_statat(NULL, "/a/b/c", 0, &st), 0);
}

VT_CASE(dcache_is_bounded)
{
    vt_memfs_root();
    vfs_set_dcache_limit(16);
    vfs_mkdirat(NULL, "/d", 0755);
    char name[32];
    for (int i = 0; i < 200; i++) {
        ksnprintf(name, sizeof(name), "/d/f%d", i);
        VT_EQ(vt_write_file(name, name, strlen(name)), 0);
        VT_CHECK(vfs_dcache_count() <= 16);
    }
    /* everything still resolves through the filesystem */
    char buf[32];
    for (int i = 0; i < 200; i += 17) {
        ksnprintf(name, sizeof(name), "/d/f%d", i);
        VT_EQ(vt_read_file(name, buf, sizeof(buf)), (long)strlen(name));
        VT_CHECK(memcmp(buf, name, strlen(name)) == 0);
    }
    VT_CHECK(vfs_icache_count() <= 20);
}

VT_CASE(deep_tree_released_without_recursion)
{
    vt_memfs_root();
    vfs_set_dcache_limit(16);
    /* 1500 nested directories: releasing the deepest frees the whole chain */
    struct vfs_file *d = vt_open("/", VFS_O_PATH | VFS_O_DIRECTORY, 0);
    VT_CHECK(d);
    for (int i = 0; i < 1500; i++) {
        VT_EQ(vfs_mkdirat(d, "a", 0755), 0);
        struct vfs_file *n;
        VT_EQ(vfs_openat(d, "a", VFS_O_PATH | VFS_O_DIRECTORY, 0, &n), 0);
        vt_put(d);
        d = n;
    }
    VT_CHECK(vfs_icache_count() >= 1500); /* held through the parent links */
    char *buf = kmalloc(VFS_PATH_MAX);
    VT_EQ(vfs_getcwd(d, buf, VFS_PATH_MAX), 3001);
    kfree(buf);
    VT_EQ(vfs_statat(d, "../../..", 0, &st), 0);
    vt_put(d);
    /* the cached names of the deepest directories still hold the chain; push them out */
    char name[16];
    for (int i = 0; i < 20; i++) {
        ksnprintf(name, sizeof(name), "/miss%d", i);
        VT_EQ(vfs_statat(NULL, name, 0, &st), -ENOENT);
    }
    VT_CHECK(vfs_icache_count() <= 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(abs_and_relative_paths),
        cmocka_unit_test(dot_and_dotdot),
        cmocka_unit_test(intermediate_not_dir_and_missing),
        cmocka_unit_test(empty_path_and_at_empty_path),
        cmocka_unit_test(name_and_path_limits),
        cmocka_unit_test(symlinks_relative_and_absolute),
        cmocka_unit_test(symlink_loop_limit),
        cmocka_unit_test(trailing_slash_rules),
        cmocka_unit_test(dirf_description_as_cwd),
        cmocka_unit_test(dcache_negative_entries_and_invalidation),
        cmocka_unit_test(dcache_is_bounded),
        cmocka_unit_test(deep_tree_released_without_recursion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
