/*
 * test_mount.c - the mount table (crossing in both directions, stacking, umount rules,
 * statfs per mount) and character devices (/dev/null, /dev/zero, /dev/urandom, registry).
 */
#include "vt.h"

#include "hal/hal_errno.h"

static struct vfs_stat st;
static struct vfs_file *f;

static uint64_t dev_of(const char *path)
{
    return vfs_statat(NULL, path, 0, &st) == 0 ? st.st_dev : 0;
}

static uint64_t ino_of(const char *path)
{
    return vfs_statat(NULL, path, 0, &st) == 0 ? st.st_ino : 0;
}

VT_CASE(mount_crossing_both_ways)
{
    vt_memfs_root();
    VT_EQ(vfs_mkdirat(NULL, "/mnt", 0755), 0);
    VT_EQ(vt_write_file("/mnt/hidden", "h", 1), 0);
    struct memfs_opts o = {.max_bytes = 1 << 20};
    VT_EQ(memfs_mount(NULL, "/mnt", &o, NULL), 0);
    VT_CHECK(dev_of("/mnt") != dev_of("/"));
    VT_EQ(vfs_statat(NULL, "/mnt/hidden", 0, &st), -ENOENT);
    VT_EQ(vfs_mkdirat(NULL, "/mnt/sub", 0755), 0);
    VT_EQ(dev_of("/mnt/sub"), dev_of("/mnt"));
    /* ".." from the mounted root and below leaves through the mountpoint */
    VT_EQ(ino_of("/mnt/.."), ino_of("/"));
    VT_EQ(dev_of("/mnt/.."), dev_of("/"));
    VT_EQ(ino_of("/mnt/sub/../.."), ino_of("/"));
    struct vfs_file *sub = vt_open("/mnt/sub", VFS_O_RDONLY | VFS_O_DIRECTORY, 0);
    VT_CHECK(sub);
    VT_EQ(vfs_statat(sub, "../..", 0, &st), 0);
    VT_EQ(st.st_ino, ino_of("/"));
    /* getdents ".." of the mounted root names the parent directory */
    char buf[256];
    struct vfs_file *mr = vt_open("/mnt", VFS_O_RDONLY, 0);
    VT_CHECK(mr);
    long n = vfs_getdents(mr, buf, sizeof(buf));
    VT_CHECK(n > 0);
    struct vfs_dirent64 *d = (struct vfs_dirent64 *)buf;
    d = (struct vfs_dirent64 *)(buf + d->d_reclen);
    VT_CHECK(strcmp(d->d_name, "..") == 0);
    VT_EQ(d->d_ino, ino_of("/"));
    vt_put(mr);
    /* statfs per mount */
    struct vfs_statfs sf;
    VT_EQ(vfs_statfs(NULL, "/mnt/sub", &sf), 0);
    VT_EQ(sf.f_blocks, 256);
    VT_EQ(vfs_statfs(NULL, "/", &sf), 0);
    VT_CHECK(sf.f_blocks != 256);
    /* busy while something is open inside */
    VT_EQ(vfs_umount(NULL, "/mnt"), -EBUSY);
    vt_put(sub);
    VT_EQ(vfs_umount(NULL, "/mnt/sub"), -EINVAL);
    VT_EQ(vfs_umount(NULL, "/nope"), -ENOENT);
    VT_EQ(vfs_umount(NULL, "/mnt"), 0);
    VT_EQ(vfs_statat(NULL, "/mnt/hidden", 0, &st), 0);
}

VT_CASE(mount_rules)
{
    vt_memfs_root();
    VT_EQ(vt_write_file("/file", "x", 1), 0);
    VT_EQ(memfs_mount(NULL, "/file", NULL, NULL), -ENOTDIR);
    VT_EQ(memfs_mount(NULL, "/none", NULL, NULL), -ENOENT);
    VT_EQ(vfs_mkdirat(NULL, "/m", 0755), 0);
    struct vfs_sb *sb;
    VT_EQ(memfs_mount(NULL, "/m", NULL, &sb), 0);
    VT_EQ(vfs_mount(NULL, "/m", sb), -EBUSY); /* already mounted */
    /* stacking: a second mount covers the first */
    VT_EQ(vt_write_file("/m/lower", "", 0), 0);
    VT_EQ(memfs_mount(NULL, "/m", NULL, NULL), 0);
    VT_EQ(vfs_statat(NULL, "/m/lower", 0, &st), -ENOENT);
    /* nested mount below /m: /m cannot go first */
    VT_EQ(vfs_mkdirat(NULL, "/m/n", 0755), 0);
    VT_EQ(memfs_mount(NULL, "/m/n", NULL, NULL), 0);
    VT_EQ(vfs_umount(NULL, "/m"), -EBUSY);
    VT_EQ(vfs_unlinkat(NULL, "/m/n", VFS_AT_REMOVEDIR), -EBUSY);
    VT_EQ(vfs_renameat2(NULL, "/m/n", NULL, "/m/o", 0), -EBUSY);
    VT_EQ(vfs_umount(NULL, "/"), -EBUSY);
    VT_EQ(vfs_umount(NULL, "/m/n"), 0);
    VT_EQ(vfs_umount(NULL, "/m"), 0);
    VT_EQ(vfs_statat(NULL, "/m/lower", 0, &st), 0);
    VT_EQ(vfs_umount(NULL, "/m"), 0);
    VT_EQ(vfs_umount(NULL, "/"), 0);
    VT_EQ(vfs_statat(NULL, "/", 0, &st), -ENOENT);
}

VT_CASE(dev_null_zero_urandom)
{
    vt_memfs_root();
    VT_EQ(vfs_mkdirat(NULL, "/dev", 0755), 0);
    VT_EQ(memfs_mount(NULL, "/dev", NULL, NULL), 0);
    VT_EQ(vfs_devices_register(), 0);
    VT_EQ(vfs_devices_register(), 0); /* idempotent */
    VT_EQ(vfs_devices_populate(NULL, "/dev"), 0);
    VT_EQ(vfs_statat(NULL, "/dev/null", 0, &st), 0);
    VT_EQ(st.st_mode, VFS_S_IFCHR | 0666);
    VT_EQ(st.st_rdev, 0x103);
    char buf[64];
    memset(buf, 'x', sizeof(buf));
    VT_EQ(vfs_openat(NULL, "/dev/null", VFS_O_RDWR, 0, &f), 0);
    VT_EQ(vfs_read(f, buf, sizeof(buf)), 0);
    VT_EQ(vfs_write(f, buf, sizeof(buf)), 64);
    VT_EQ(vfs_lseek(f, 0, VFS_SEEK_SET), 0);
    VT_EQ(vfs_ftruncate(f, 0), -EINVAL);
    VT_EQ(vfs_fsync(f), -EINVAL); /* Linux: no character device has an fsync */
    vt_put(f);
    VT_EQ(vfs_openat(NULL, "/dev/zero", VFS_O_RDONLY, 0, &f), 0);
    VT_EQ(vfs_read(f, buf, sizeof(buf)), 64);
    for (int i = 0; i < 64; i++)
        VT_EQ(buf[i], 0);
    VT_EQ(vfs_pread(f, buf, 8, 100), 8);
    vt_put(f);
    VT_EQ(vfs_openat(NULL, "/dev/urandom", VFS_O_RDONLY, 0, &f), 0);
    char r1[32], r2[32];
    VT_EQ(vfs_read(f, r1, sizeof(r1)), 32);
    VT_EQ(vfs_read(f, r2, sizeof(r2)), 32);
    VT_CHECK(memcmp(r1, r2, 32) != 0);
    vt_put(f);
    /* truncating O_TRUNC on a device is ignored, as on Linux */
    VT_EQ(vfs_openat(NULL, "/dev/null", VFS_O_WRONLY | VFS_O_TRUNC, 0, &f), 0);
    vt_put(f);
}

static long ro_read(struct vfs_file *file, void *priv, void *buf, size_t n, uint64_t off)
{
    const char *msg = priv;
    size_t len = strlen(msg);
    if (off >= len)
        return 0;
    if (n > len - off)
        n = len - off;
    memcpy(buf, msg + off, n);
    return (long)n;
}

static int opens, releases;

static int ro_open(struct vfs_file *file, void *priv)
{
    opens++;
    return 0;
}

static void ro_release(struct vfs_file *file, void *priv)
{
    releases++;
}

static const struct vfs_chrdev_ops ro_ops = {
    .open = ro_open, .release = ro_release, .read = ro_read};

VT_CASE(chrdev_registry)
{
    vt_memfs_root();
    uint64_t rdev = VFS_MKDEV(240, 1);
    VT_EQ(vfs_mknodat(NULL, "/ro", VFS_S_IFCHR | 0444, rdev), 0);
    /* no driver yet */
    VT_EQ(vfs_openat(NULL, "/ro", VFS_O_RDONLY, 0, &f), -ENXIO);
    VT_EQ(vfs_chrdev_register(rdev, &ro_ops, "version 1\n"), 0);
    VT_EQ(vfs_chrdev_register(rdev, &ro_ops, NULL), -EBUSY);
    opens = releases = 0;
    VT_EQ(vfs_openat(NULL, "/ro", VFS_O_WRONLY, 0, &f), -EACCES);
    VT_EQ(releases, 0);
    VT_EQ(vfs_openat(NULL, "/ro", VFS_O_RDONLY, 0, &f), 0);
    VT_EQ(opens, 1);
    char buf[32];
    VT_EQ(vfs_read(f, buf, 4), 4);
    VT_EQ(vfs_read(f, buf + 4, sizeof(buf)), 6);
    VT_CHECK(memcmp(buf, "version 1\n", 10) == 0);
    VT_EQ(vfs_read(f, buf, 4), 0);
    VT_EQ(vfs_write(f, buf, 1), -EBADF);
    vt_put(f);
    VT_EQ(releases, 1);
    /* O_PATH does not reach the driver */
    VT_EQ(vfs_openat(NULL, "/ro", VFS_O_PATH, 0, &f), 0);
    vt_put(f);
    VT_EQ(opens, 1);
    vfs_chrdev_unregister(rdev);
    VT_EQ(vfs_openat(NULL, "/ro", VFS_O_RDONLY, 0, &f), -ENXIO);
    /* block devices and sockets have no driver */
    VT_EQ(vfs_mknodat(NULL, "/blk", VFS_S_IFBLK | 0600, VFS_MKDEV(8, 0)), 0);
    VT_EQ(vfs_openat(NULL, "/blk", VFS_O_RDONLY, 0, &f), -ENXIO);
    VT_EQ(vfs_mknodat(NULL, "/sock", VFS_S_IFSOCK | 0600, 0), 0);
    VT_EQ(vfs_openat(NULL, "/sock", VFS_O_RDONLY, 0, &f), -ENXIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mount_crossing_both_ways),
        cmocka_unit_test(mount_rules),
        cmocka_unit_test(dev_null_zero_urandom),
        cmocka_unit_test(chrdev_registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
