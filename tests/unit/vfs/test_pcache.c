/*
 * test_pcache.c - TFS under the VFS over a memory tfs_dev: the adapter's mapping of every
 * call, and the page cache (hits without device reads, write-back on fsync/sync/umount/
 * eviction/the periodic flusher, a small budget, truncate and hole punching).
 */
#include "vt.h"

#include "core/lib/alloc.h"
#include "core/lib/kprintf.h"
#include "fs/vfs/vfs_tfs.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"

#define IMG_BLOCKS 4096 /* 16 MiB */

static uint8_t image[IMG_BLOCKS * TFS_BLOCK_SIZE];
static struct tfs_memdev md;
static struct vfs_sb *sb;
static struct vfs_stat st;
static struct vfs_file *f;

static int format(void)
{
    memset(image, 0, sizeof(image));
    tfs_memdev_init(&md, image, IMG_BLOCKS);
    struct tfs_format_opts o;
    memset(&o, 0, sizeof(o));
    o.label = "vfs-test";
    struct vfs_timespec now = vfs_now();
    o.now.sec = now.tv_sec;
    return tfs_format(&md.dev, &o);
}

static int mount_tfs(uint64_t cache)
{
    struct vfs_tfs_opts o = {.cache_bytes = cache};
    return vfs_tfs_mount(NULL, "/", &md.dev, &o, &sb);
}

static void fresh(uint64_t cache)
{
    int rc = format();
    if (rc == 0)
        rc = mount_tfs(cache);
    if (rc)
        vt_fail(__FILE__, __LINE__, "format+mount", rc, 0);
}

static void pattern(uint8_t *buf, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)(i * 31 + seed + (i >> 12));
}

static struct vfs_pcache_stats stats(void)
{
    struct vfs_pcache_stats s;
    vfs_pcache_get_stats(sb, &s);
    return s;
}

VT_CASE(tfs_adapter_namespace)
{
    fresh(0);
    VT_EQ(vfs_mkdirat(NULL, "/etc", 0755), 0);
    VT_EQ(vt_write_file("/etc/passwd", "root:x:0:0\n", 11), 0);
    VT_EQ(vfs_symlinkat("passwd", NULL, "/etc/pw"), 0);
    VT_EQ(vfs_linkat(NULL, "/etc/passwd", NULL, "/etc/hard", 0), 0);
    char buf[64];
    VT_EQ(vt_read_file("/etc/pw", buf, sizeof(buf)), 11);
    VT_CHECK(memcmp(buf, "root:x:0:0\n", 11) == 0);
    VT_EQ(vfs_readlinkat(NULL, "/etc/pw", buf, sizeof(buf)), 6);
    VT_EQ(vfs_statat(NULL, "/etc/hard", 0, &st), 0);
    VT_EQ(st.st_nlink, 2);
    VT_EQ(st.st_size, 11);
    VT_EQ(vfs_renameat2(NULL, "/etc/hard", NULL, "/moved", 0), 0);
    VT_EQ(vfs_renameat2(NULL, "/moved", NULL, "/etc/passwd", VFS_RENAME_EXCHANGE), 0);
    VT_EQ(vfs_renameat2(NULL, "/moved", NULL, "/etc", VFS_RENAME_NOREPLACE), -EEXIST);
    VT_EQ(vfs_unlinkat(NULL, "/etc", VFS_AT_REMOVEDIR), -ENOTEMPTY);
    VT_EQ(vfs_mkdirat(NULL, "/etc/d", 0700), 0);
    VT_EQ(vfs_mknodat(NULL, "/etc/fifo", VFS_S_IFIFO | 0600, 0), 0);
    VT_EQ(vt_dir_has("/etc", "d", NULL), 1);
    unsigned t = 0;
    VT_EQ(vt_dir_has("/etc", "pw", &t), 1);
    VT_EQ(t, VFS_DT_LNK);
    VT_EQ(vt_dir_has("/", "moved", &t), 1);
    VT_EQ(vfs_setxattrat(NULL, "/etc/passwd", 0, "user.k", "v", 1, 0), 0);
    VT_EQ(vfs_getxattrat(NULL, "/etc/passwd", 0, "user.k", buf, sizeof(buf)), 1);
    VT_EQ(vfs_listxattrat(NULL, "/etc/passwd", 0, buf, sizeof(buf)), 7);
    VT_EQ(vfs_removexattrat(NULL, "/etc/passwd", 0, "user.k"), 0);
    VT_EQ(vfs_fchmodat(NULL, "/etc/passwd", 0600, 0), 0);
    VT_EQ(vfs_fchownat(NULL, "/etc/passwd", 3, 4, 0), 0);
    struct vfs_timespec tm[2] = {{111, 1}, {222, 2}};
    VT_EQ(vfs_utimensat(NULL, "/etc/passwd", tm, 0), 0);
    VT_EQ(vfs_statat(NULL, "/etc/passwd", 0, &st), 0);
    VT_EQ(st.st_mode, VFS_S_IFREG | 0600);
    VT_EQ(st.st_uid, 3);
    VT_EQ(st.st_mtim.tv_sec, 222);
    VT_EQ(vfs_unlinkat(NULL, "/etc/d", VFS_AT_REMOVEDIR), 0);
    VT_EQ(vfs_unlinkat(NULL, "/etc/pw", 0), 0);
    struct vfs_statfs sf;
    VT_EQ(vfs_statfs(NULL, "/", &sf), 0);
    VT_EQ(sf.f_type, VFS_TFS_MAGIC);
    VT_EQ(sf.f_bsize, 4096);
    VT_EQ(sf.f_blocks, IMG_BLOCKS);
    VT_CHECK(sf.f_bfree > 0 && sf.f_bfree < IMG_BLOCKS);
    /* all of it survives an unmount */
    VT_EQ(vfs_umount(NULL, "/"), 0);
    VT_EQ(mount_tfs(0), 0);
    VT_EQ(vfs_statat(NULL, "/etc/passwd", 0, &st), 0);
    VT_EQ(st.st_mtim.tv_sec, 222);
    VT_EQ(st.st_uid, 3);
    VT_EQ(vfs_statat(NULL, "/etc/pw", 0, &st), -ENOENT);
    VT_EQ(vfs_statat(NULL, "/etc/fifo", 0, &st), 0);
    VT_EQ(st.st_mode, VFS_S_IFIFO | 0600);
}

VT_CASE(repeated_reads_hit_the_cache)
{
    fresh(1 << 20);
    uint8_t *data = kmalloc(64 * 1024), *back = kmalloc(64 * 1024);
    pattern(data, 64 * 1024, 1);
    VT_EQ(vt_write_file("/big", data, 64 * 1024), 0);
    VT_EQ(vfs_sync(), 0);
    /* a fresh mount has an empty cache */
    VT_EQ(vfs_umount(NULL, "/"), 0);
    VT_EQ(mount_tfs(1 << 20), 0);
    VT_EQ(vt_read_file("/big", back, 64 * 1024), 64 * 1024);
    VT_CHECK(memcmp(data, back, 64 * 1024) == 0);
    struct vfs_pcache_stats s1 = stats();
    VT_EQ(s1.fills, 16);
    uint64_t reads = md.reads;
    for (int i = 0; i < 5; i++) {
        memset(back, 0, 64 * 1024);
        VT_EQ(vt_read_file("/big", back, 64 * 1024), 64 * 1024);
        VT_CHECK(memcmp(data, back, 64 * 1024) == 0);
    }
    VT_EQ(md.reads, reads); /* not one device read */
    struct vfs_pcache_stats s2 = stats();
    VT_EQ(s2.fills, 16);
    VT_EQ(s2.hits - s1.hits, 5 * 16);
    kfree(data);
    kfree(back);
}

VT_CASE(write_back_on_fsync_then_remount)
{
    fresh(1 << 20);
    VT_EQ(vfs_openat(NULL, "/f", VFS_O_CREAT | VFS_O_RDWR, 0644, &f), 0);
    uint8_t *data = kmalloc(40000);
    pattern(data, 40000, 7);
    uint64_t writes = md.writes;
    VT_EQ(vfs_write(f, data, 40000), 40000);
    VT_EQ(md.writes, writes); /* nothing reached the device yet */
    VT_EQ(stats().dirty, 10);
    VT_EQ(vfs_fstat(f, &st), 0);
    VT_EQ(st.st_size, 40000); /* the cache's size */
    VT_EQ(vfs_fsync(f), 0);
    VT_CHECK(md.writes > writes);
    VT_EQ(stats().dirty, 0);
    VT_EQ(stats().writebacks, 10);
    /* a partial page in the middle: read-modify-write of a cached page */
    VT_EQ(vfs_pwrite(f, "XYZ", 3, 4094), 3);
    VT_EQ(vfs_fdatasync(f), 0);
    memcpy(data + 4094, "XYZ", 3);
    struct vfs_timespec mt;
    VT_EQ(vfs_fstat(f, &st), 0);
    mt = st.st_mtim;
    vt_put(f);
    VT_EQ(vfs_umount(NULL, "/"), 0);
    /* the image itself holds it: a fresh mount from the device */
    VT_EQ(mount_tfs(1 << 20), 0);
    uint8_t *back = kzalloc(40000);
    VT_EQ(vt_read_file("/f", back, 40000), 40000);
    VT_CHECK(memcmp(data, back, 40000) == 0);
    VT_EQ(vfs_statat(NULL, "/f", 0, &st), 0);
    VT_EQ(st.st_size, 40000);
    VT_EQ(st.st_mtim.tv_sec, mt.tv_sec);
    VT_EQ(st.st_mtim.tv_nsec, mt.tv_nsec);
    kfree(data);
    kfree(back);
}

VT_CASE(eviction_under_a_small_budget)
{
    fresh(16 * 4096);
    VT_EQ(stats().budget_pages, 16);
    uint8_t *data = kmalloc(256 * 1024), *back = kzalloc(256 * 1024);
    pattern(data, 256 * 1024, 3);
    VT_EQ(vfs_openat(NULL, "/f", VFS_O_CREAT | VFS_O_RDWR, 0644, &f), 0);
    for (int i = 0; i < 64; i++) {
        VT_EQ(vfs_write(f, data + i * 4096, 4096), 4096);
        VT_CHECK(stats().pages <= 16);
    }
    struct vfs_pcache_stats s = stats();
    VT_CHECK(s.evictions >= 48);
    VT_CHECK(s.writebacks >= 48); /* evicted pages were dirty */
    VT_EQ(vfs_pread(f, back, 256 * 1024, 0), 256 * 1024);
    VT_CHECK(memcmp(data, back, 256 * 1024) == 0);
    VT_CHECK(stats().pages <= 16);
    /* shrinking the budget evicts at once */
    VT_EQ(vfs_pcache_set_budget(sb, 4 * 4096), 0);
    VT_CHECK(stats().pages <= 4);
    vt_put(f);
    VT_EQ(vfs_umount(NULL, "/"), 0);
    VT_EQ(mount_tfs(16 * 4096), 0);
    memset(back, 0, 256 * 1024);
    VT_EQ(vt_read_file("/f", back, 256 * 1024), 256 * 1024);
    VT_CHECK(memcmp(data, back, 256 * 1024) == 0);
    kfree(data);
    kfree(back);
}

VT_CASE(truncate_invalidates_pages)
{
    fresh(1 << 20);
    static uint8_t buf[3 * 4096];
    memset(buf, 'a', sizeof(buf));
    VT_EQ(vfs_openat(NULL, "/f", VFS_O_CREAT | VFS_O_RDWR, 0644, &f), 0);
    VT_EQ(vfs_write(f, buf, sizeof(buf)), (long)sizeof(buf));
    VT_EQ(vfs_ftruncate(f, 5000), 0);
    VT_EQ(vfs_ftruncate(f, 3 * 4096), 0);
    memset(buf, 0xee, sizeof(buf));
    VT_EQ(vfs_pread(f, buf, sizeof(buf), 0), (long)sizeof(buf));
    VT_EQ(buf[4999], 'a');
    VT_EQ(buf[5000], 0);
    VT_EQ(buf[8191], 0);
    VT_EQ(buf[8192], 0);
    /* again after write-back, and with a truncate of clean cached pages */
    VT_EQ(vfs_fsync(f), 0);
    VT_EQ(vfs_ftruncate(f, 100), 0);
    VT_EQ(vfs_ftruncate(f, 4096 + 10), 0);
    VT_EQ(vfs_pread(f, buf, sizeof(buf), 0), 4096 + 10);
    VT_EQ(buf[99], 'a');
    VT_EQ(buf[100], 0);
    vt_put(f);
    VT_EQ(vfs_umount(NULL, "/"), 0);
    VT_EQ(mount_tfs(1 << 20), 0);
    memset(buf, 0xee, sizeof(buf));
    VT_EQ(vt_read_file("/f", buf, sizeof(buf)), 4096 + 10);
    VT_EQ(buf[99], 'a');
    VT_EQ(buf[100], 0);
    VT_EQ(buf[4096 + 9], 0);
}

VT_CASE(punch_hole_invalidates_pages)
{
    fresh(1 << 20);
    static uint8_t buf[4 * 4096];
    memset(buf, 'b', sizeof(buf));
    VT_EQ(vfs_openat(NULL, "/f", VFS_O_CREAT | VFS_O_RDWR, 0644, &f), 0);
    VT_EQ(vfs_write(f, buf, sizeof(buf)), (long)sizeof(buf));
    VT_EQ(vfs_pread(f, buf, sizeof(buf), 0), (long)sizeof(buf)); /* all cached, dirty */
    VT_EQ(vfs_fallocate(f, VFS_FALLOC_FL_PUNCH_HOLE | VFS_FALLOC_FL_KEEP_SIZE, 4000, 4500), 0);
    VT_EQ(vfs_pread(f, buf, sizeof(buf), 0), (long)sizeof(buf));
    VT_EQ(buf[3999], 'b');
    VT_EQ(buf[4000], 0);
    VT_EQ(buf[8499], 0);
    VT_EQ(buf[8500], 'b');
    VT_EQ(vfs_fstat(f, &st), 0);
    VT_EQ(st.st_size, 4 * 4096);
    /* plain allocation extends; KEEP_SIZE does not */
    VT_EQ(vfs_fallocate(f, 0, 0, 5 * 4096), 0);
    VT_EQ(vfs_fstat(f, &st), 0);
    VT_EQ(st.st_size, 5 * 4096);
    VT_EQ(vfs_fallocate(f, VFS_FALLOC_FL_KEEP_SIZE, 0, 8 * 4096), 0);
    VT_EQ(vfs_fstat(f, &st), 0);
    VT_EQ(st.st_size, 5 * 4096);
    VT_EQ(vfs_fallocate(f, VFS_FALLOC_FL_ZERO_RANGE, 0, 10), -EOPNOTSUPP);
    /* SEEK_DATA/HOLE: TFS reports all of the file as data */
    VT_EQ(vfs_lseek(f, 100, VFS_SEEK_DATA), 100);
    VT_EQ(vfs_lseek(f, 100, VFS_SEEK_HOLE), 5 * 4096);
    vt_put(f);
    VT_EQ(vfs_umount(NULL, "/"), 0);
    VT_EQ(mount_tfs(1 << 20), 0);
    memset(buf, 0xee, sizeof(buf));
    VT_EQ(vt_read_file("/f", buf, sizeof(buf)), (long)sizeof(buf));
    VT_EQ(buf[3999], 'b');
    VT_EQ(buf[4000], 0);
    VT_EQ(buf[8499], 0);
    VT_EQ(buf[8500], 'b');
}

VT_CASE(periodic_flush_and_flusher_thread)
{
    fresh(1 << 20);
    VT_EQ(vt_write_file("/a", "aaaa", 4), 0);
    VT_EQ(stats().dirty, 1);
    VT_EQ(vfs_flush_periodic(5000000000ull), 0); /* not old enough */
    VT_EQ(stats().dirty, 1);
    sched_sleep_ns(6000000000ull); /* virtual clock: returns at once */
    VT_EQ(vfs_flush_periodic(5000000000ull), 0);
    VT_EQ(stats().dirty, 0);
    /* the flusher thread does the same by itself */
    VT_EQ(vfs_flusher_start(1000000000ull), 0);
    VT_EQ(vfs_flusher_start(1000000000ull), -EBUSY);
    VT_EQ(vt_write_file("/b", "bbbb", 4), 0);
    VT_EQ(stats().dirty, 1);
    sched_sleep_ns(3500000000ull);
    VT_EQ(stats().dirty, 0);
    vfs_flusher_stop();
    VT_EQ(vfs_umount(NULL, "/"), 0);
    VT_EQ(mount_tfs(0), 0);
    char b[4];
    VT_EQ(vt_read_file("/b", b, 4), 4);
    VT_CHECK(memcmp(b, "bbbb", 4) == 0);
}

VT_CASE(unmount_and_sync_write_back)
{
    fresh(1 << 20);
    VT_EQ(vt_write_file("/x", "xyz", 3), 0);
    VT_EQ(vfs_umount(NULL, "/"), 0); /* no fsync: umount writes back */
    VT_EQ(mount_tfs(0), 0);
    char b[8];
    VT_EQ(vt_read_file("/x", b, 8), 3);
    VT_EQ(vt_write_file("/y", "yy", 2), 0);
    uint64_t flushes = md.flushes;
    VT_EQ(vfs_sync(), 0);
    VT_CHECK(md.flushes > flushes);
    VT_EQ(stats().dirty, 0);
    /* O_SYNC writes go through at once */
    VT_EQ(vfs_openat(NULL, "/z", VFS_O_CREAT | VFS_O_WRONLY | VFS_O_SYNC, 0644, &f), 0);
    VT_EQ(vfs_write(f, "z", 1), 1);
    VT_EQ(stats().dirty, 0);
    vt_put(f);
}

VT_CASE(unlinked_open_file_on_tfs)
{
    fresh(1 << 20);
    static uint8_t data[10000];
    pattern(data, sizeof(data), 9);
    VT_EQ(vt_write_file("/tmp", data, sizeof(data)), 0);
    VT_EQ(vfs_sync(), 0);
    struct vfs_statfs before;
    VT_EQ(vfs_statfs(NULL, "/", &before), 0);
    VT_EQ(vfs_openat(NULL, "/tmp", VFS_O_RDWR, 0, &f), 0);
    VT_EQ(vfs_unlinkat(NULL, "/tmp", 0), 0);
    VT_EQ(vfs_statat(NULL, "/tmp", 0, &st), -ENOENT);
    static uint8_t back[10000];
    VT_EQ(vfs_pread(f, back, sizeof(back), 0), (long)sizeof(back));
    VT_CHECK(memcmp(data, back, sizeof(back)) == 0);
    VT_EQ(vfs_pwrite(f, "q", 1, 0), 1); /* dirty page of an unlinked file */
    vt_put(f);                          /* freed now; its dirty page is dropped */
    VT_EQ(vfs_sync(), 0);
    struct vfs_statfs after;
    VT_EQ(vfs_statfs(NULL, "/", &after), 0);
    VT_CHECK(after.f_bfree > before.f_bfree);
    VT_EQ(stats().pages, 0);
}

VT_CASE(read_only_tfs_mount)
{
    VT_EQ(format(), 0);
    VT_EQ(mount_tfs(0), 0);
    VT_EQ(vt_write_file("/f", "data", 4), 0);
    VT_EQ(vfs_umount(NULL, "/"), 0);
    struct vfs_tfs_opts o = {.flags = VFS_MNT_RDONLY};
    VT_EQ(vfs_tfs_mount(NULL, "/", &md.dev, &o, &sb), 0);
    VT_EQ(vfs_openat(NULL, "/f", VFS_O_RDWR, 0, &f), -EROFS);
    VT_EQ(vfs_openat(NULL, "/f", VFS_O_RDONLY, 0, &f), 0);
    char b[4];
    VT_EQ(vfs_read(f, b, 4), 4);
    VT_EQ(vfs_fsync(f), 0);
    vt_put(f);
    VT_EQ(vfs_mkdirat(NULL, "/d", 0755), -EROFS);
    VT_EQ(vfs_unlinkat(NULL, "/f", 0), -EROFS);
    VT_EQ(vfs_renameat2(NULL, "/f", NULL, "/g", 0), -EROFS);
    VT_EQ(vfs_truncate(NULL, "/f", 0), -EROFS);
    VT_EQ(vfs_sync(), 0);
    /* a corrupt volume is refused with a message, not a crash */
    VT_EQ(vfs_umount(NULL, "/"), 0);
    memset(image, 0xa5, 2 * TFS_BLOCK_SIZE);
    memset(image + (IMG_BLOCKS - 2) * (size_t)TFS_BLOCK_SIZE, 0xa5, 2 * TFS_BLOCK_SIZE);
    VT_CHECK(mount_tfs(0) < 0);
}

VT_CASE(tfs_under_memfs_mount_crossing)
{
    vt_memfs_root();
    VT_EQ(vfs_mkdirat(NULL, "/data", 0755), 0);
    VT_EQ(format(), 0);
    struct vfs_tfs_opts o = {0};
    VT_EQ(vfs_tfs_mount(NULL, "/data", &md.dev, &o, &sb), 0);
    VT_EQ(vt_write_file("/data/f", "1", 1), 0);
    VT_EQ(vfs_statat(NULL, "/data/../data/f", 0, &st), 0);
    VT_EQ(vfs_renameat2(NULL, "/data/f", NULL, "/f", 0), -EXDEV);
    struct vfs_statfs sf;
    VT_EQ(vfs_statfs(NULL, "/data/f", &sf), 0);
    VT_EQ(sf.f_type, VFS_TFS_MAGIC);
    VT_EQ(vfs_statfs(NULL, "/", &sf), 0);
    VT_EQ(sf.f_type, MEMFS_MAGIC);
    VT_EQ(vfs_umount(NULL, "/data"), 0);
    VT_EQ(vfs_statat(NULL, "/data/f", 0, &st), -ENOENT);
}

VT_CASE(mtime_survives_write_back)
{
    fresh(4 * 4096);
    uint8_t *data = kmalloc(10 * 4096);
    pattern(data, 10 * 4096, 5);
    VT_EQ(vfs_openat(NULL, "/f", VFS_O_CREAT | VFS_O_RDWR, 0644, &f), 0);
    VT_EQ(vfs_write(f, data, 10 * 4096), 10 * 4096);
    VT_EQ(vfs_fstat(f, &st), 0);
    struct vfs_timespec written = st.st_mtim;
    VT_EQ(st.st_size, 10 * 4096);
    /* later write-back (evictions, fsync) must not move the mtime of the write */
    sched_sleep_ns(5000000000ull);
    VT_EQ(vfs_fsync(f), 0);
    VT_EQ(vfs_fstat(f, &st), 0);
    VT_EQ(st.st_mtim.tv_sec, written.tv_sec);
    VT_EQ(st.st_mtim.tv_nsec, written.tv_nsec);
    /* times set explicitly on a file with dirty pages stick too */
    VT_EQ(vfs_pwrite(f, "x", 1, 0), 1);
    struct vfs_timespec t[2] = {{0, VFS_UTIME_OMIT}, {12345, 6}};
    VT_EQ(vfs_utimensat(f, NULL, t, 0), 0);
    VT_EQ(vfs_pwrite(f, data, 4 * 4096, 5 * 4096), 4 * 4096); /* evicts the dirty page */
    VT_EQ(vfs_utimensat(f, NULL, t, 0), 0);
    vt_put(f);
    VT_EQ(vfs_umount(NULL, "/"), 0);
    VT_EQ(mount_tfs(4 * 4096), 0);
    VT_EQ(vfs_statat(NULL, "/f", 0, &st), 0);
    VT_EQ(st.st_mtim.tv_sec, 12345);
    VT_EQ(st.st_mtim.tv_nsec, 6);
    VT_EQ(st.st_size, 10 * 4096);
    kfree(data);
}

VT_CASE(getdents_on_tfs_with_concurrent_changes)
{
    fresh(0);
    VT_EQ(vfs_mkdirat(NULL, "/d", 0755), 0);
    char name[32];
    for (int i = 0; i < 100; i++) {
        ksnprintf(name, sizeof(name), "/d/n%03d", i);
        VT_EQ(vt_write_file(name, "", 0), 0);
    }
    static char seen[100];
    memset(seen, 0, sizeof(seen));
    VT_EQ(vfs_openat(NULL, "/d", VFS_O_RDONLY | VFS_O_DIRECTORY, 0, &f), 0);
    static char buf[512];
    long n;
    int rounds = 0, dots = 0;
    while ((n = vfs_getdents(f, buf, sizeof(buf))) > 0) {
        for (long off = 0; off < n;) {
            struct vfs_dirent64 *d = (struct vfs_dirent64 *)(buf + off);
            if (d->d_name[0] == 'n')
                seen[(d->d_name[1] - '0') * 100 + (d->d_name[2] - '0') * 10 +
                     (d->d_name[3] - '0')]++;
            else
                dots++;
            off += d->d_reclen;
        }
        if (rounds++ == 1) {
            /* remove some names and add others between two calls */
            VT_EQ(vfs_unlinkat(NULL, "/d/n099", 0), 0);
            VT_EQ(vfs_unlinkat(NULL, "/d/n000", 0), 0);
            VT_EQ(vt_write_file("/d/extra", "", 0), 0);
        }
    }
    VT_EQ(n, 0);
    VT_EQ(dots, 2);
    VT_CHECK(rounds > 3);
    for (int i = 1; i < 99; i++)
        VT_EQ(seen[i], 1); /* present throughout: exactly once */
    VT_CHECK(seen[0] <= 1 && seen[99] == 0);
    vt_put(f);
}

VT_CASE(write_back_errors_reach_the_writer)
{
    /* a 512 KiB volume and 1 MiB of data: the write that does not fit fails with ENOSPC
     * (each page reserves its write-back when dirtied), and write-back never does */
    memset(image, 0, 128 * TFS_BLOCK_SIZE);
    tfs_memdev_init(&md, image, 128);
    struct tfs_format_opts o;
    memset(&o, 0, sizeof(o));
    VT_EQ(tfs_format(&md.dev, &o), 0);
    VT_EQ(mount_tfs(4 * 4096), 0);
    uint8_t *data = kzalloc(4096);
    VT_EQ(vfs_openat(NULL, "/f", VFS_O_CREAT | VFS_O_RDWR, 0644, &f), 0);
    long total = 0, w = 0;
    for (int i = 0; i < 256 && w >= 0; i++) {
        w = vfs_write(f, data, 4096);
        if (w > 0)
            total += w;
        if (stats().pages > 8)
            break;
    }
    kfree(data);
    int rc_fsync = vfs_fsync(f);
    long pages = (long)stats().pages;
    int rc_trunc = vfs_ftruncate(f, 0); /* dropping the pages frees the cache */
    int rc_fsync2 = vfs_fsync(f);
    vt_put(f);
    VT_EQ(w, -ENOSPC); /* the writer hears it... */
    VT_CHECK(total < 128 * 4096);
    VT_CHECK(pages <= 8);     /* ...and the cache stayed bounded */
    VT_EQ(rc_fsync, 0); /* everything accepted is written back */
    VT_EQ(rc_trunc, 0);
    VT_EQ(rc_fsync2, 0);
    VT_EQ(stats().dirty, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tfs_adapter_namespace),
        cmocka_unit_test(repeated_reads_hit_the_cache),
        cmocka_unit_test(write_back_on_fsync_then_remount),
        cmocka_unit_test(eviction_under_a_small_budget),
        cmocka_unit_test(truncate_invalidates_pages),
        cmocka_unit_test(punch_hole_invalidates_pages),
        cmocka_unit_test(periodic_flush_and_flusher_thread),
        cmocka_unit_test(unmount_and_sync_write_back),
        cmocka_unit_test(unlinked_open_file_on_tfs),
        cmocka_unit_test(read_only_tfs_mount),
        cmocka_unit_test(tfs_under_memfs_mount_crossing),
        cmocka_unit_test(mtime_survives_write_back),
        cmocka_unit_test(getdents_on_tfs_with_concurrent_changes),
        cmocka_unit_test(write_back_errors_reach_the_writer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
