/*
 * test_sys_enospc.c - a full TFS volume through the syscalls: write(2) and its forms fail
 * with -ENOSPC, or return the short count of what fitted, when they are made (the page cache
 * reserves each page's write-back in TFS as it dirties it, fs/tfs/resv.c); a store through a
 * shared mapping into a hole is SIGBUS; and write-back never fails afterwards: the volume
 * filled many ways syncs, unmounts and passes fsck, with a page cache small enough that
 * write-back also runs by eviction in the middle of it all. The expectations are Linux's on
 * a small tmpfs and ext4 (tests/runtime/progs/enospc.c runs the same checks natively).
 */
#include "st.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/mm/vm.h"
#include "fs/tfs/tfs.h"
#include "fs/vfs/vfs_tfs.h"

#define P(off) (st_buf + (off))
#define PG 4096u
#define IMG_BLOCKS 768u /* 3 MiB */

enum {
    NR_msync_ = 26,
    NR_statfs_ = 137,
    NR_sync_ = 162,
    NR_fallocate_ = 285,
    PROT_RW_ = 3,
    MAP_SHARED_ = 1,
};

static uint8_t *image;
static struct tfs_memdev md;

static void report(void *arg, const char *msg)
{
    (void)arg;
    fprintf(stderr, "fsck: %s\n", msg);
}

/* A fresh volume at /t with a page cache of cache bytes. */
static int mount_fresh(uint64_t cache)
{
    struct tfs_format_opts fo;
    memset(&fo, 0, sizeof(fo));
    fo.label = "enospc";
    if (!image)
        image = calloc(IMG_BLOCKS, PG);
    if (!image)
        return -ENOMEM;
    memset(image, 0, (size_t)IMG_BLOCKS * PG);
    tfs_memdev_init(&md, image, IMG_BLOCKS);
    int rc = tfs_format(&md.dev, &fo);
    if (rc == 0)
        rc = vfs_mkdirat(NULL, "/t", 0755);
    struct vfs_tfs_opts o = {.cache_bytes = cache};
    return rc ? rc : vfs_tfs_mount(NULL, "/t", &md.dev, &o, NULL);
}

/* Unmount /t and check the volume: every problem fsck finds is counted. */
static long unmount_fsck(void)
{
    long rc = vfs_umount(NULL, "/t");
    if (rc)
        return rc;
    struct tfs_fsck_opts fo;
    memset(&fo, 0, sizeof(fo));
    fo.report = report;
    return tfs_fsck(&md.dev, &fo, NULL);
}

static long open_rw(const char *path)
{
    return SC(NR_openat, (uint64_t)-100, st_str(P(0), path), O_RDWR_ | O_CREAT_, 0644);
}

static void fill_pattern(uint64_t u, size_t n, unsigned seed)
{
    static uint8_t b[100000];
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(i * 7 + seed);
    st_put(u, b, n);
}

/* f_bavail of /t */
static uint64_t bavail(void)
{
    uint64_t sf[15];
    if (SC(NR_statfs_, st_str(P(0), "/t"), P(64)))
        return UINT64_MAX;
    st_get(sf, P(64), sizeof(sf));
    return sf[4];
}

/*
 * write(2) of 100000 bytes at a time: full counts, then one short count (the 4 KiB pages
 * that fitted), then -ENOSPC - as Linux's tmpfs; the size is what was written; overwriting
 * needs no new block and works; a write or writev into a hole, a pwrite past the end and
 * fallocate fail; fsync, close and the unmount then succeed, fsck is clean, and the data read
 * back after a remount are what was written. A 64 KiB page cache: the fill is written back
 * by eviction as it goes.
 */
ST_CASE(write_short_then_enospc)
{
    ST_EQ(mount_fresh(64 << 10), 0);
    long fd = open_rw("/t/big");
    ST_CHECK(fd >= 0);
    fill_pattern(P(4096), 100000, 1);
    long n = 0, total = 0, shorts = 0;
    for (int i = 0; i < 1000; i++) {
        n = SC(NR_write, fd, P(4096), 100000);
        if (n <= 0)
            break;
        total += n;
        if (n < 100000)
            shorts++;
    }
    ST_EQ(n, -ENOSPC);
    ST_EQ(shorts, 1);
    ST_EQ(total % PG, 0); /* the last page that fitted is whole */
    ST_CHECK(total > 1 << 20);
    ST_CHECK(bavail() < 100000 / PG);
    ST_EQ(SC(NR_write, fd, P(4096), 1), -ENOSPC);
    ST_EQ(SC(NR_pwrite64, fd, P(4096), 10, total + 10 * PG), -ENOSPC);
    uint64_t iov[4] = {P(4096), 300, P(4096), 5000};
    st_put(P(1024), iov, sizeof(iov));
    ST_EQ(SC(NR_writev, fd, P(1024), 2), -ENOSPC);
    ST_EQ(SC(NR_fallocate_, fd, 0, total, 3 * PG), -ENOSPC);
    ST_EQ(SC(NR_pwrite64, fd, P(4096), 4096, 0), 4096); /* overwrite: no new block */
    ST_EQ(SC(NR_ftruncate, fd, total - 10), 0);
    ST_EQ(SC(NR_lseek, fd, total - 10, 0), total - 10);
    ST_EQ(SC(NR_write, fd, P(4096), 100000), 10); /* the last page is there already */
    ST_EQ(SC(NR_fsync, fd), 0);
    ST_EQ(SC(NR_close, fd), 0);
    ST_EQ(unmount_fsck(), 0);

    struct vfs_tfs_opts o = {.cache_bytes = 64 << 10};
    ST_EQ(vfs_tfs_mount(NULL, "/t", &md.dev, &o, NULL), 0);
    fd = SC(NR_openat, (uint64_t)-100, st_str(P(0), "/t/big"), 0);
    ST_CHECK(fd >= 0);
    static uint8_t want[100000], got[100000];
    st_get(want, P(4096), sizeof(want));
    for (long off = 0; off < total - 10; off += 100000) { /* the last 10: the later write */
        long len = total - 10 - off < 100000 ? total - 10 - off : 100000;
        ST_EQ(SC(NR_pread64, fd, P(110000), len, off), len);
        st_get(got, P(110000), (size_t)len);
        ST_CHECK(memcmp(got, want, (size_t)len) == 0);
    }
    ST_EQ(SC(NR_close, fd), 0);
    ST_EQ(unmount_fsck(), 0);
}

/* A store into a hole of a shared mapping of a full volume is SIGBUS (the fault's -EIO);
 * once space is freed the same store works and reaches the file. */
ST_CASE(shared_store_into_hole_is_sigbus)
{
    ST_EQ(mount_fresh(1 << 20), 0);
    long fd = open_rw("/t/fill"), mf = open_rw("/t/map");
    ST_CHECK(fd >= 0 && mf >= 0);
    ST_EQ(SC(NR_ftruncate, mf, 4 * PG), 0);
    long a = SC(NR_mmap, 0, 4 * PG, PROT_RW_, MAP_SHARED_, mf, 0);
    ST_CHECK(a > 0);
    fill_pattern(P(4096), 100000, 2);
    while (SC(NR_write, fd, P(4096), 100000) > 0)
        ;
    ST_EQ(vm_user_fault(HAL_FAULT_PAGE_WRITE, (uint64_t)a + PG), -EIO);
    ST_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, (uint64_t)a + 2 * PG), -EIO); /* as tmpfs */
    ST_EQ(SC(NR_close, fd), 0);
    ST_EQ(SC(NR_unlink, st_str(P(0), "/t/fill")), 0);
    ST_EQ(vm_user_fault(HAL_FAULT_PAGE_WRITE, (uint64_t)a + PG), 0);
    st_put((uint64_t)a + PG + 5, "hi", 2);
    ST_EQ(SC(NR_msync_, a, 4 * PG, 4 /* MS_SYNC */), 0);
    ST_EQ(SC(NR_pread64, mf, P(0), 2, PG + 5), 2);
    char t[2];
    st_get(t, P(0), 2);
    ST_CHECK(t[0] == 'h' && t[1] == 'i');
    ST_EQ(SC(NR_munmap, a, 4 * PG), 0);
    ST_EQ(SC(NR_close, mf), 0);
    ST_EQ(unmount_fsck(), 0);
}

/* One way of using up the volume; returns the first failure (or 0 when it never failed). */
static long eat(unsigned way, unsigned round, long *fds, unsigned nfds)
{
    char path[64];
    long rc = 0;
    for (unsigned k = 0; k < 4000 && rc >= 0; k++) {
        long fd = fds[k % nfds];
        switch (way) {
        case 0: /* small appends, interleaved over the files */
            rc = SC(NR_write, fd, P(4096), 700 + k % 3000);
            break;
        case 1: /* pages in holes far apart */
            rc = SC(NR_pwrite64, fd, P(4096), 100, (uint64_t)(k * 7 + round) * PG * 3);
            break;
        case 2: /* new files with a little data, in new directories */
            snprintf(path, sizeof(path), "/t/d%u_%u", round, k / 16);
            if (k % 16 == 0 && (rc = SC(NR_mkdir, st_str(P(0), path), 0755)) < 0)
                break;
            snprintf(path, sizeof(path), "/t/d%u_%u/f%u", round, k / 16, k);
            rc = open_rw(path);
            if (rc >= 0) {
                long w = SC(NR_write, rc, P(4096), 5000);
                SC(NR_close, rc);
                rc = w;
            }
            break;
        case 3: /* fallocate */
            rc = SC(NR_fallocate_, fd, 0, (uint64_t)(k + 1000 * round) * PG, 2 * PG);
            break;
        default: /* stores through a shared mapping of a grown file */
            rc = SC(NR_ftruncate, fd, (uint64_t)(k + 1) * PG);
            if (rc == 0) {
                long a = SC(NR_mmap, 0, PG, PROT_RW_, MAP_SHARED_, fd, (uint64_t)k * PG);
                if (a < 0)
                    return a;
                rc = vm_user_fault(HAL_FAULT_PAGE_WRITE, (uint64_t)a);
                if (rc == 0)
                    st_put((uint64_t)a, "m", 1);
                SC(NR_munmap, a, PG);
                if (rc == -EIO)
                    rc = -ENOSPC; /* SIGBUS */
            }
            break;
        }
    }
    return rc < 0 ? rc : 0;
}

/*
 * Fill the volume each way in turn, several rounds (each way once it has run out leaves the
 * others the crumbs), with a 32 KiB page cache; everything that was accepted is then written
 * back: sync and every fsync succeed, the unmount succeeds and fsck is clean.
 */
ST_CASE(filled_many_ways_writes_back)
{
    ST_EQ(mount_fresh(32 << 10), 0);
    enum { NF = 5 };
    long fds[NF];
    for (unsigned i = 0; i < NF; i++) {
        char path[16];
        snprintf(path, sizeof(path), "/t/f%u", i);
        fds[i] = open_rw(path);
        ST_CHECK(fds[i] >= 0);
    }
    /* a "program text" written before the volume fills, read back (paged in) after */
    long text = open_rw("/t/text");
    ST_CHECK(text >= 0);
    fill_pattern(P(4096), 65536, 9);
    ST_EQ(SC(NR_write, text, P(4096), 65536), 65536);
    ST_EQ(SC(NR_fsync, text), 0);
    fill_pattern(P(4096), 8192, 3);
    unsigned enospc = 0;
    for (unsigned round = 0; round < 3; round++)
        for (unsigned way = 0; way < 5; way++) {
            long rc = eat(way, round, fds, NF);
            if (rc == -ENOSPC)
                enospc++;
            else if (rc != 0)
                st_fail(__FILE__, __LINE__, "round * 10 + way fails", round * 10 + way, rc);
        }
    ST_CHECK(enospc >= 10);
    /* page-in with the small cache full of dirty pages: eviction writes them back, and that
     * does not fail, so neither does the read */
    static uint8_t want[65536], got[65536];
    for (size_t i = 0; i < sizeof(want); i++)
        want[i] = (uint8_t)(i * 7 + 9);
    ST_EQ(SC(NR_pread64, text, P(100000), 65536, 0), 65536);
    st_get(got, P(100000), sizeof(got));
    ST_CHECK(memcmp(want, got, sizeof(want)) == 0);
    ST_EQ(SC(NR_close, text), 0);
    ST_EQ(SC(NR_sync_), 0);
    for (unsigned i = 0; i < NF; i++) {
        ST_EQ(SC(NR_fsync, fds[i]), 0);
        ST_EQ(SC(NR_close, fds[i]), 0);
    }
    ST_EQ(unmount_fsck(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(write_short_then_enospc),
        cmocka_unit_test(shared_store_into_hole_is_sigbus),
        cmocka_unit_test(filled_many_ways_writes_back),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(image);
    return rc;
}
