/*
 * test_rw.c - data calls over memfs: read/write/pread/pwrite, lseek with every whence,
 * getdents64 layout and resumption, stat/statfs layouts, truncate, fallocate, fsync.
 */
#include "vt.h"

#include "core/lib/alloc.h"
#include "core/lib/kprintf.h"
#include "hal/hal_errno.h"

static struct vfs_stat st;
static struct vfs_file *f;

/* Linux x86-64 layouts the syscall layer copies out as they are. */
_Static_assert(sizeof(struct vfs_stat) == 144, "struct stat");
_Static_assert(offsetof(struct vfs_stat, st_mode) == 24, "st_mode");
_Static_assert(offsetof(struct vfs_stat, st_rdev) == 40, "st_rdev");
_Static_assert(offsetof(struct vfs_stat, st_size) == 48, "st_size");
_Static_assert(offsetof(struct vfs_stat, st_atim) == 72, "st_atim");
_Static_assert(offsetof(struct vfs_stat, st_ctim) == 104, "st_ctim");
_Static_assert(sizeof(struct vfs_statfs) == 120, "struct statfs");
_Static_assert(offsetof(struct vfs_statfs, f_fsid) == 56, "f_fsid");
_Static_assert(offsetof(struct vfs_dirent64, d_name) == 19, "linux_dirent64");

VT_CASE(read_write_pread_pwrite)
{
    vt_memfs_root();
    VT_EQ(vfs_openat(NULL, "/f", VFS_O_CREAT | VFS_O_RDWR, 0644, &f), 0);
    char *big = kmalloc(3 * 4096 + 100);
    VT_CHECK(big);
    for (int i = 0; i < 3 * 4096 + 100; i++)
        big[i] = (char)(i * 7);
    VT_EQ(vfs_write(f, big, 3 * 4096 + 100), 3 * 4096 + 100);
    VT_EQ(vfs_read(f, big, 10), 0); /* at EOF */
    char *back = kzalloc(3 * 4096 + 100);
    VT_EQ(vfs_pread(f, back, 3 * 4096 + 200, 0), 3 * 4096 + 100);
    VT_CHECK(memcmp(big, back, 3 * 4096 + 100) == 0);
    VT_EQ(vfs_pread(f, back, 10, -1), -EINVAL);
    VT_EQ(vfs_pwrite(f, back, 10, -1), -EINVAL);
    /* a write past the end leaves a hole of zeros */
    VT_EQ(vfs_pwrite(f, "Z", 1, 100000), 1);
    VT_EQ(vfs_fstat(f, &st), 0);
    VT_EQ(st.st_size, 100001);
    VT_EQ(vfs_pread(f, back, 4, 50000), 4);
    VT_CHECK(memcmp(back, "\0\0\0\0", 4) == 0);
    VT_EQ(vfs_read(f, back, 0), 0);
    /* the offset was not moved by pread/pwrite */
    VT_EQ(vfs_lseek(f, 0, VFS_SEEK_CUR), 3 * 4096 + 100);
    kfree(big);
    kfree(back);
    vt_put(f);
    /* directories */
    VT_EQ(vfs_openat(NULL, "/", VFS_O_RDONLY, 0, &f), 0);
    char b[4];
    VT_EQ(vfs_read(f, b, 4), -EISDIR);
    vt_put(f);
}

VT_CASE(lseek_whence)
{
    vt_memfs_root();
    VT_EQ(vfs_openat(NULL, "/f", VFS_O_CREAT | VFS_O_RDWR, 0644, &f), 0);
    VT_EQ(vfs_pwrite(f, "data", 4, 0), 4);
    VT_EQ(vfs_pwrite(f, "more", 4, 3 * 4096), 4); /* pages 1-2 are a hole */
    int64_t size = 3 * 4096 + 4;
    VT_EQ(vfs_lseek(f, 10, VFS_SEEK_SET), 10);
    VT_EQ(vfs_lseek(f, 5, VFS_SEEK_CUR), 15);
    VT_EQ(vfs_lseek(f, -20, VFS_SEEK_CUR), -EINVAL);
    VT_EQ(vfs_lseek(f, -1, VFS_SEEK_SET), -EINVAL);
    VT_EQ(vfs_lseek(f, -2, VFS_SEEK_END), size - 2);
    VT_EQ(vfs_lseek(f, 0, 7), -EINVAL);
    VT_EQ(vfs_lseek(f, INT64_MAX, VFS_SEEK_END), -EINVAL); /* overflow */
    VT_EQ(vfs_lseek(f, 0, VFS_SEEK_DATA), 0);
    VT_EQ(vfs_lseek(f, 0, VFS_SEEK_HOLE), 4096);
    VT_EQ(vfs_lseek(f, 5000, VFS_SEEK_DATA), 3 * 4096);
    VT_EQ(vfs_lseek(f, 3 * 4096 + 1, VFS_SEEK_HOLE), size);
    VT_EQ(vfs_lseek(f, size, VFS_SEEK_DATA), -ENXIO);
    VT_EQ(vfs_lseek(f, size, VFS_SEEK_HOLE), -ENXIO);
    VT_EQ(vfs_lseek(f, -1, VFS_SEEK_DATA), -ENXIO);
    /* beyond the end is allowed and reads nothing */
    VT_EQ(vfs_lseek(f, 1 << 20, VFS_SEEK_SET), 1 << 20);
    char b[4];
    VT_EQ(vfs_read(f, b, 4), 0);
    vt_put(f);
    /* directories: SET/CUR only */
    VT_EQ(vfs_openat(NULL, "/", VFS_O_RDONLY, 0, &f), 0);
    VT_EQ(vfs_lseek(f, 0, VFS_SEEK_END), -EINVAL);
    VT_EQ(vfs_lseek(f, 0, VFS_SEEK_SET), 0);
    vt_put(f);
}

static int count_dents(char *buf, long n, int *dots)
{
    int count = 0;
    for (long off = 0; off < n;) {
        struct vfs_dirent64 *d = (struct vfs_dirent64 *)(buf + off);
        if (d->d_reclen % 8 || d->d_reclen < 24)
            return -1;
        if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
            (*dots)++;
        count++;
        off += d->d_reclen;
    }
    return count;
}

VT_CASE(getdents_layout_and_resume)
{
    vt_memfs_root();
    vfs_mkdirat(NULL, "/d", 0755);
    char name[32];
    for (int i = 0; i < 50; i++) {
        ksnprintf(name, sizeof(name), "/d/entry-%02d", i);
        VT_EQ(vt_write_file(name, "", 0), 0);
    }
    vfs_mkdirat(NULL, "/d/sub", 0755);
    vfs_symlinkat("x", NULL, "/d/sl");
    VT_EQ(vfs_openat(NULL, "/d", VFS_O_RDONLY | VFS_O_DIRECTORY, 0, &f), 0);
    char buf[200];
    VT_EQ(vfs_getdents(f, buf, 10), -EINVAL); /* not even one entry fits */
    int total = 0, dots = 0;
    long n;
    while ((n = vfs_getdents(f, buf, sizeof(buf))) > 0) {
        int c = count_dents(buf, n, &dots);
        VT_CHECK(c > 0);
        total += c;
    }
    VT_EQ(n, 0);
    VT_EQ(total, 54);
    VT_EQ(dots, 2);
    /* rewinding restarts; d_off of "." resumes at ".." */
    VT_EQ(vfs_lseek(f, 0, VFS_SEEK_SET), 0);
    n = vfs_getdents(f, buf, sizeof(buf));
    VT_CHECK(n > 0);
    struct vfs_dirent64 *d = (struct vfs_dirent64 *)buf;
    VT_CHECK(strcmp(d->d_name, ".") == 0);
    VT_EQ(d->d_type, VFS_DT_DIR);
    VT_EQ(vfs_lseek(f, d->d_off, VFS_SEEK_SET), d->d_off);
    VT_CHECK(vfs_getdents(f, buf, sizeof(buf)) > 0);
    VT_CHECK(strcmp(d->d_name, "..") == 0);
    VT_EQ(d->d_ino, 1); /* the root */
    vt_put(f);
    unsigned type = 0;
    VT_EQ(vt_dir_has("/d", "sub", &type), 1);
    VT_EQ(type, VFS_DT_DIR);
    VT_EQ(vt_dir_has("/d", "sl", &type), 1);
    VT_EQ(type, VFS_DT_LNK);
    VT_EQ(vt_dir_has("/d", "entry-07", &type), 1);
    VT_EQ(type, VFS_DT_REG);
    /* not a directory */
    VT_EQ(vfs_openat(NULL, "/d/entry-00", VFS_O_RDONLY, 0, &f), 0);
    VT_EQ(vfs_getdents(f, buf, sizeof(buf)), -ENOTDIR);
    vt_put(f);
}

VT_CASE(stat_fields)
{
    vt_memfs_root();
    VT_EQ(vt_write_file("/f", "12345", 5), 0);
    VT_EQ(vfs_statat(NULL, "/f", 0, &st), 0);
    VT_EQ(st.st_mode, VFS_S_IFREG | 0644);
    VT_EQ(st.st_nlink, 1);
    VT_EQ(st.st_size, 5);
    VT_EQ(st.st_blksize, 4096);
    VT_EQ(st.st_blocks, 8);
    VT_CHECK(st.st_dev != 0);
    VT_CHECK(st.st_mtim.tv_sec > 1700000000);
    VT_EQ(vfs_statat(NULL, "/", 0, &st), 0);
    VT_EQ(st.st_mode & VFS_S_IFMT, VFS_S_IFDIR);
    VT_EQ(st.st_nlink, 2);
    VT_EQ(vfs_mkdirat(NULL, "/sub", 0755), 0);
    VT_EQ(vfs_statat(NULL, "/", 0, &st), 0);
    VT_EQ(st.st_nlink, 3);
    struct vfs_statfs sf;
    VT_EQ(vfs_statfs(NULL, "/f", &sf), 0);
    VT_EQ(sf.f_type, MEMFS_MAGIC);
    VT_EQ(sf.f_namelen, 255);
    VT_EQ(sf.f_bsize, 4096);
    VT_CHECK(sf.f_blocks > 0);
    VT_EQ(vfs_statfs(NULL, "/nope", &sf), -ENOENT);
}

VT_CASE(truncate_rules)
{
    vt_memfs_root();
    VT_EQ(vt_write_file("/f", "0123456789", 10), 0);
    VT_EQ(vfs_truncate(NULL, "/f", 4), 0);
    char b[16];
    VT_EQ(vt_read_file("/f", b, sizeof(b)), 4);
    VT_EQ(vfs_truncate(NULL, "/f", 8), 0);
    VT_EQ(vt_read_file("/f", b, sizeof(b)), 8);
    VT_CHECK(memcmp(b, "0123\0\0\0\0", 8) == 0);
    VT_EQ(vfs_truncate(NULL, "/f", -1), -EINVAL);
    VT_EQ(vfs_truncate(NULL, "/", 0), -EISDIR);
    VT_EQ(vfs_truncate(NULL, "/nope", 0), -ENOENT);
    VT_EQ(vfs_symlinkat("/f", NULL, "/l"), 0);
    VT_EQ(vfs_truncate(NULL, "/l", 2), 0); /* follows */
    VT_EQ(vfs_statat(NULL, "/f", 0, &st), 0);
    VT_EQ(st.st_size, 2);
    VT_EQ(vfs_openat(NULL, "/f", VFS_O_RDWR, 0, &f), 0);
    VT_EQ(vfs_ftruncate(f, -5), -EINVAL);
    VT_EQ(vfs_ftruncate(f, 0), 0);
    vt_put(f);
    VT_EQ(vfs_openat(NULL, "/", VFS_O_RDONLY, 0, &f), 0);
    VT_EQ(vfs_ftruncate(f, 0), -EINVAL);
    vt_put(f);
}

VT_CASE(fallocate_modes)
{
    vt_memfs_root();
    VT_EQ(vfs_openat(NULL, "/f", VFS_O_CREAT | VFS_O_RDWR, 0644, &f), 0);
    VT_EQ(vfs_fallocate(f, 0, 0, 8192), 0);
    VT_EQ(vfs_fstat(f, &st), 0);
    VT_EQ(st.st_size, 8192);
    VT_EQ(st.st_blocks, 16);
    VT_EQ(vfs_fallocate(f, VFS_FALLOC_FL_KEEP_SIZE, 8192, 4096), 0);
    VT_EQ(vfs_fstat(f, &st), 0);
    VT_EQ(st.st_size, 8192);
    VT_EQ(st.st_blocks, 24);
    char *buf = kmalloc(8192);
    memset(buf, 'a', 8192);
    VT_EQ(vfs_pwrite(f, buf, 8192, 0), 8192);
    VT_EQ(vfs_fallocate(f, VFS_FALLOC_FL_PUNCH_HOLE | VFS_FALLOC_FL_KEEP_SIZE, 100, 5000), 0);
    VT_EQ(vfs_pread(f, buf, 8192, 0), 8192);
    VT_EQ(buf[99], 'a');
    VT_EQ(buf[100], 0);
    VT_EQ(buf[5099], 0);
    VT_EQ(buf[5100], 'a');
    VT_EQ(vfs_fstat(f, &st), 0);
    VT_EQ(st.st_size, 8192);
    /* errors, in Linux's order */
    VT_EQ(vfs_fallocate(f, VFS_FALLOC_FL_PUNCH_HOLE, 0, 10), -EOPNOTSUPP);
    VT_EQ(vfs_fallocate(f, 0x100, 0, 10), -EOPNOTSUPP);
    VT_EQ(vfs_fallocate(f, 0, -1, 10), -EINVAL);
    VT_EQ(vfs_fallocate(f, 0, 0, 0), -EINVAL);
    VT_EQ(vfs_fallocate(f, 0, INT64_MAX - 5, 10), -EFBIG);
    kfree(buf);
    vt_put(f);
    VT_EQ(vfs_openat(NULL, "/", VFS_O_RDONLY, 0, &f), 0);
    VT_EQ(vfs_fallocate(f, 0, 0, 10), -EBADF);
    vt_put(f);
}

VT_CASE(fsync_and_sync)
{
    vt_memfs_root();
    VT_EQ(vfs_openat(NULL, "/f", VFS_O_CREAT | VFS_O_RDWR | VFS_O_SYNC, 0644, &f), 0);
    VT_EQ(vfs_write(f, "x", 1), 1);
    VT_EQ(vfs_fsync(f), 0);
    VT_EQ(vfs_fdatasync(f), 0);
    VT_EQ(vfs_sync(), 0);
    vt_put(f);
    /* a flusher left running is stopped by vfs_shutdown (the fixture checks for leaks) */
    VT_EQ(vfs_flusher_start(1000000000ull), 0);
    sched_sleep_ns(2500000000ull);
}

VT_CASE(memfs_size_limit)
{
    struct memfs_opts o = {.max_bytes = 4 * 4096};
    VT_EQ(memfs_mount(NULL, "/", &o, NULL), 0);
    char *buf = kzalloc(5 * 4096);
    VT_EQ(vfs_openat(NULL, "/f", VFS_O_CREAT | VFS_O_RDWR, 0644, &f), 0);
    VT_EQ(vfs_write(f, buf, 5 * 4096), 4 * 4096); /* a short write */
    VT_EQ(vfs_write(f, buf, 1), -ENOSPC);
    struct vfs_statfs sf;
    VT_EQ(vfs_fstatfs(f, &sf), 0);
    VT_EQ(sf.f_blocks, 4);
    VT_EQ(sf.f_bfree, 0);
    VT_EQ(vfs_ftruncate(f, 0), 0);
    VT_EQ(vfs_fallocate(f, 0, 0, 5 * 4096), -ENOSPC);
    VT_EQ(vfs_write(f, buf, 4096), 4096);
    vt_put(f);
    kfree(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(read_write_pread_pwrite),
        cmocka_unit_test(lseek_whence),
        cmocka_unit_test(getdents_layout_and_resume),
        cmocka_unit_test(stat_fields),
        cmocka_unit_test(truncate_rules),
        cmocka_unit_test(fallocate_modes),
        cmocka_unit_test(fsync_and_sync),
        cmocka_unit_test(memfs_size_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
