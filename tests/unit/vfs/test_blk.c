/*
 * test_blk.c - TFS through the hal_blk adapter (vfs_blkdev) on the hosted block device,
 * with deferred and reordered completions, a small request size (splitting) and a shallow
 * queue (-EAGAIN): format, write, fsync, then a second boot of the kernel mounts the same
 * bytes and compares; concurrent writers; a file-backed device; read-only devices.
 */
#define _GNU_SOURCE
#include "vt.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/lib/alloc.h"
#include "core/lib/kprintf.h"
#include "fs/vfs/vfs_tfs.h"
#include "hal/hal_errno.h"

#define DISK_BYTES (16u << 20)

static uint8_t *disk;      /* memory device shared by successive boots */
static char disk_path[64]; /* file device */
static bool use_file, dev_ro;
static struct vfs_blkdev bd;
static struct vfs_sb *sb;
static struct vfs_stat st;
static uint64_t total_eagain, total_requests, total_calls;

static void cfg_dev(struct hosted_config *c)
{
    c->nblk = 1;
    if (use_file)
        c->blk[0].path = disk_path;
    else {
        c->blk[0].mem = disk;
        c->blk[0].mem_size = DISK_BYTES;
    }
    c->blk[0].read_only = dev_ro;
    c->blk[0].defer_pct = 60;
    c->blk[0].reorder = true;
    c->blk[0].max_req_bytes = 8192; /* a 4-block read is two requests */
    c->blk[0].queue_depth = 1;      /* a split transfer hits -EAGAIN */
}

static void account(void)
{
    total_eagain += bd.eagain;
    total_requests += bd.requests;
    total_calls += bd.reads + bd.writes + bd.flushes;
    kprintf(
        "blkdev: %llu reads %llu writes %llu flushes, %llu requests, %llu eagain, %llu bounced\n",
        (unsigned long long)bd.reads, (unsigned long long)bd.writes, (unsigned long long)bd.flushes,
        (unsigned long long)bd.requests, (unsigned long long)bd.eagain,
        (unsigned long long)bd.bounced);
}

static void fill(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)((i * 131) ^ seed ^ (i >> 9));
}

static const size_t sizes[] = {0, 1, 4095, 4096, 4097, 100000, 300000};
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static int mount_blk(unsigned flags)
{
    int rc = vfs_blkdev_open(0, &bd);
    if (rc)
        return rc;
    struct vfs_tfs_opts o = {.flags = flags, .cache_bytes = 256 * 4096};
    return vfs_tfs_mount(NULL, "/", &bd.dev, &o, &sb);
}

/* Boot 1: format through the adapter, write files of several sizes, fsync, unmount. */
static void write_body(void)
{
    VT_EQ(vfs_blkdev_open(0, &bd), 0);
    VT_EQ(bd.dev.nblocks, DISK_BYTES / 4096);
    VT_EQ(vfs_blkdev_open(5, &bd), -ENODEV);
    VT_EQ(vfs_blkdev_open(0, &bd), 0);
    struct tfs_format_opts fo;
    memset(&fo, 0, sizeof(fo));
    fo.now.sec = vfs_now().tv_sec;
    VT_EQ(tfs_format(&bd.dev, &fo), 0);
    VT_EQ(mount_blk(0), 0);
    VT_EQ(vfs_mkdirat(NULL, "/d", 0755), 0);
    uint8_t *buf = kmalloc(300000);
    char name[32];
    for (size_t i = 0; i < NSIZES; i++) {
        fill(buf, sizes[i], (unsigned)i);
        ksnprintf(name, sizeof(name), "/d/f%zu", i);
        struct vfs_file *f;
        VT_EQ(vfs_openat(NULL, name, VFS_O_CREAT | VFS_O_WRONLY, 0600, &f), 0);
        VT_EQ(vfs_write(f, buf, sizes[i]), (long)sizes[i]);
        VT_EQ(vfs_fsync(f), 0);
        vfs_file_put(f);
    }
    VT_EQ(vfs_symlinkat("d/f3", NULL, "/link"), 0);
    kfree(buf);
    VT_EQ(vfs_umount(NULL, "/"), 0);
    VT_CHECK(bd.requests > bd.reads + bd.writes); /* requests were split */
    account();
}

/* Boot 2: a fresh kernel mounts the same device and finds every byte. */
static void check_body(void)
{
    VT_EQ(mount_blk(0), 0);
    uint8_t *buf = kmalloc(300000), *want = kmalloc(300000);
    char name[32];
    for (size_t i = 0; i < NSIZES; i++) {
        fill(want, sizes[i], (unsigned)i);
        ksnprintf(name, sizeof(name), "/d/f%zu", i);
        VT_EQ(vfs_statat(NULL, name, 0, &st), 0);
        VT_EQ(st.st_size, (long long)sizes[i]);
        VT_EQ(st.st_mode, VFS_S_IFREG | 0600);
        VT_EQ(vt_read_file(name, buf, 300000), (long)sizes[i]);
        VT_CHECK(memcmp(buf, want, sizes[i]) == 0);
    }
    /* cached now: reading again costs no device read */
    uint64_t reads = bd.reads;
    VT_EQ(vt_read_file("/link", buf, 300000), 4096);
    VT_EQ(vt_read_file("/d/f4", buf, 300000), 4097);
    VT_EQ(bd.reads, reads);
    kfree(buf);
    kfree(want);
    account();
}

static void run_write_then_check(void)
{
    total_eagain = total_requests = total_calls = 0;
    vt_run(write_body, cfg_dev);
    vt_run(check_body, cfg_dev);
    assert_true(total_requests > total_calls);
    assert_true(total_eagain > 0); /* the shallow queue was hit and waited out */
}

static void blk_memory_device_two_boots(void **state)
{
    disk = calloc(1, DISK_BYTES);
    assert_non_null(disk);
    use_file = dev_ro = false;
    run_write_then_check();
    free(disk);
}

static void blk_file_device_two_boots(void **state)
{
    strcpy(disk_path, "/tmp/petrel-vfs-blk-XXXXXX");
    int fd = mkstemp(disk_path);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, DISK_BYTES), 0);
    close(fd);
    use_file = true;
    dev_ro = false;
    run_write_then_check();
    unlink(disk_path);
    use_file = false;
}

/* Read-only device: a read-write mount is refused, a read-only one works. */
static void ro_body(void)
{
    VT_EQ(vfs_blkdev_open(0, &bd), 0);
    VT_CHECK(bd.dev.read_only);
    VT_EQ(mount_blk(0), -EROFS);
    VT_EQ(mount_blk(VFS_MNT_RDONLY), 0);
    char b[8];
    VT_EQ(vt_read_file("/d/f1", b, sizeof(b)), 1);
    struct vfs_file *f;
    VT_EQ(vfs_openat(NULL, "/d/f1", VFS_O_WRONLY, 0, &f), -EROFS);
    uint8_t blk[4096];
    VT_EQ(bd.dev.ops->write(&bd.dev, 0, 1, blk), -EROFS);
    VT_EQ(bd.dev.ops->read(&bd.dev, bd.dev.nblocks, 1, blk), -EIO);
    VT_EQ(bd.dev.ops->read(&bd.dev, 0, 1, blk), 0); /* a kernel stack buffer goes as is */
    VT_EQ(bd.bounced, 0);
    /* memory outside RAM (the test program's own) goes through a bounce buffer */
    static uint8_t host[3 * 4096];
    VT_EQ(bd.dev.ops->read(&bd.dev, 0, 3, host), 0);
    VT_CHECK(bd.bounced > 0);
    VT_CHECK(memcmp(host, blk, 4096) == 0);
    VT_CHECK(memcmp(host, disk, sizeof(host)) == 0);
}

static void blk_read_only_device(void **state)
{
    disk = calloc(1, DISK_BYTES);
    assert_non_null(disk);
    use_file = dev_ro = false;
    vt_run(write_body, cfg_dev);
    dev_ro = true;
    vt_run(ro_body, cfg_dev);
    dev_ro = false;
    free(disk);
}

/* Two threads write different files on one mount while completions are deferred. */
static volatile int writer_errors;

static void writer(void *arg)
{
    unsigned id = (unsigned)(uintptr_t)arg;
    char name[32];
    uint8_t *buf = kmalloc(50000);
    fill(buf, 50000, id);
    for (int i = 0; i < 4; i++) {
        ksnprintf(name, sizeof(name), "/w%u-%d", id, i);
        struct vfs_file *f;
        if (vfs_openat(NULL, name, VFS_O_CREAT | VFS_O_RDWR, 0644, &f)) {
            writer_errors++;
            continue;
        }
        if (vfs_write(f, buf, 50000) != 50000 || vfs_fsync(f))
            writer_errors++;
        vfs_file_put(f);
    }
    kfree(buf);
}

static void concurrent_body(void)
{
    VT_EQ(vfs_blkdev_open(0, &bd), 0);
    struct tfs_format_opts fo;
    memset(&fo, 0, sizeof(fo));
    VT_EQ(tfs_format(&bd.dev, &fo), 0);
    VT_EQ(mount_blk(0), 0);
    writer_errors = 0;
    struct thread *a = thread_create("w1", writer, (void *)1);
    struct thread *b = thread_create("w2", writer, (void *)2);
    VT_CHECK(a && b);
    thread_join(a);
    thread_join(b);
    VT_EQ(writer_errors, 0);
    VT_EQ(vfs_umount(NULL, "/"), 0);
    VT_EQ(mount_blk(0), 0);
    uint8_t *buf = kmalloc(50000), *want = kmalloc(50000);
    char name[32];
    for (unsigned id = 1; id <= 2; id++) {
        fill(want, 50000, id);
        for (int i = 0; i < 4; i++) {
            ksnprintf(name, sizeof(name), "/w%u-%d", id, i);
            VT_EQ(vt_read_file(name, buf, 50000), 50000);
            VT_CHECK(memcmp(buf, want, 50000) == 0);
        }
    }
    kfree(buf);
    kfree(want);
}

static void blk_concurrent_writers(void **state)
{
    disk = calloc(1, DISK_BYTES);
    assert_non_null(disk);
    use_file = dev_ro = false;
    vt_run(concurrent_body, cfg_dev);
    free(disk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(blk_memory_device_two_boots),
        cmocka_unit_test(blk_file_device_two_boots),
        cmocka_unit_test(blk_read_only_device),
        cmocka_unit_test(blk_concurrent_writers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
