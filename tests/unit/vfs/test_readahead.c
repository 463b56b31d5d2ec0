/*
 * test_readahead.c - the page cache's fill side (fs/vfs/pcache.c, docs/readahead.md): the
 * sequential window (its first size, doubling, the limit), a random read dropping it, the
 * end of the file ending it, a truncate in the middle of a sequential read, a small budget
 * and a fragmented page allocator, read-around for faults, and what reaches the device: TFS
 * over a memory tfs_dev (device reads counted) and over the hosted hal_blk device (requests
 * counted).
 */
#include "vt.h"

#include "core/lib/alloc.h"
#include "core/lib/kprintf.h"
#include "fs/vfs/vfs_tfs.h"
#include "hal/hal_errno.h"
#include "hal/hal_mem.h"

#define IMG_BLOCKS 4096 /* 16 MiB */
#define PG 4096u
#define BUDGET (256u * PG) /* read-ahead limit 32 pages, half the budget 128 */

static uint8_t image[IMG_BLOCKS * TFS_BLOCK_SIZE];
static struct tfs_memdev md;
static struct vfs_sb *sb;
static struct vfs_file *f;
static uint8_t buf[64 * PG];

static struct vfs_pcache_stats stats(void)
{
    struct vfs_pcache_stats s;
    vfs_pcache_get_stats(sb, &s);
    return s;
}

static uint8_t byte_at(uint64_t off)
{
    return (uint8_t)(off * 7 + (off >> 12) * 13 + 1);
}

static int mount_tfs(uint64_t cache)
{
    struct vfs_tfs_opts o = {.cache_bytes = cache};
    return vfs_tfs_mount(NULL, "/", &md.dev, &o, &sb);
}

/* A fresh volume holding /f of size bytes (the pattern byte_at), remounted so that nothing
 * of it is cached; f is open on it. */
static int setup(uint64_t size, uint64_t cache)
{
    struct tfs_format_opts o;
    uint8_t *data = kmalloc(size ? size : 1);
    int rc;

    memset(image, 0, sizeof(image));
    tfs_memdev_init(&md, image, IMG_BLOCKS);
    memset(&o, 0, sizeof(o));
    o.now.sec = vfs_now().tv_sec;
    for (uint64_t i = 0; data && i < size; i++)
        data[i] = byte_at(i);
    rc = data ? tfs_format(&md.dev, &o) : -ENOMEM;
    if (rc == 0)
        rc = mount_tfs(cache);
    if (rc == 0)
        rc = vt_write_file("/f", data, size);
    kfree(data);
    if (rc == 0)
        rc = vfs_umount(NULL, "/");
    if (rc == 0)
        rc = mount_tfs(cache);
    if (rc == 0)
        rc = vfs_openat(NULL, "/f", VFS_O_RDONLY, 0, &f);
    return rc;
}

/* The bytes [off, off + n) read back are the pattern's. */
static bool pattern_ok(const uint8_t *p, uint64_t off, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != byte_at(off + i))
            return false;
    return true;
}

/* Read n bytes at the description's position; 1 when they are all there and right. */
static int read_ok(size_t n)
{
    int64_t off = vfs_lseek(f, 0, VFS_SEEK_CUR);
    long got = vfs_read(f, buf, n);
    return got == (long)n && pattern_ok(buf, (uint64_t)off, n);
}

VT_CASE(sequential_window_doubles_up_to_the_limit)
{
    VT_EQ(setup(200 * PG, BUDGET), 0);
    struct vfs_pcache_stats s0 = stats();
    uint64_t dev0 = md.reads;
    /* page by page: windows at 0 (4 pages), 4 (8), 12 (16), 28 (32), 60 (32), 92 (32) */
    static const struct {
        unsigned page, fills, size;
    } want[] = {{0, 4, 4}, {3, 4, 4}, {4, 12, 8}, {11, 12, 8}, {12, 28, 16},
                {28, 60, 32}, {59, 60, 32}, {60, 92, 32}, {92, 124, 32}};
    unsigned w = 0;
    for (unsigned pg = 0; pg <= 92; pg++) {
        VT_EQ(read_ok(PG), 1);
        if (w < sizeof(want) / sizeof(want[0]) && want[w].page == pg) {
            VT_EQ(stats().fills - s0.fills, want[w].fills);
            VT_EQ(f->ra.size, want[w].size);
            w++;
        }
    }
    struct vfs_pcache_stats s = stats();
    VT_EQ(s.fill_reads - s0.fill_reads, 6);   /* one filesystem read per window */
    VT_EQ(md.reads - dev0, 6);                /* and one device read: the file is one extent */
    VT_EQ(s.ahead - s0.ahead, 124 - 6);       /* filled before they were asked for */
    VT_EQ(s.misses - s0.misses, 0);           /* the copy never missed */
    vt_put(f);
}

VT_CASE(random_read_drops_the_window)
{
    VT_EQ(setup(200 * PG, BUDGET), 0);
    VT_EQ(read_ok(PG), 1);
    VT_EQ(read_ok(PG), 1);
    VT_EQ(f->ra.size, 4);
    struct vfs_pcache_stats s0 = stats();
    /* a jump: just the page asked for, and no window */
    VT_EQ(vfs_lseek(f, 150 * PG + 10, VFS_SEEK_SET), 150 * PG + 10);
    VT_EQ(read_ok(100), 1);
    VT_EQ(stats().fills - s0.fills, 1);
    VT_EQ(stats().ahead - s0.ahead, 0);
    VT_EQ(f->ra.size, 0);
    /* continuing from there is sequential again: a first window */
    VT_EQ(read_ok(PG), 1);
    VT_EQ(f->ra.size, 4);
    VT_EQ(stats().fills - s0.fills, 1 + 4);
    /* a large random read: what it asks for, in one read per absent run */
    s0 = stats();
    VT_EQ(vfs_pread(f, buf, 10 * PG, 100 * PG), 10 * PG);
    VT_CHECK(pattern_ok(buf, 100 * PG, 10 * PG));
    VT_EQ(stats().fills - s0.fills, 10);
    VT_EQ(stats().fill_reads - s0.fill_reads, 1);
    VT_EQ(stats().ahead - s0.ahead, 0);
    /* re-reading the last page read is still sequential (reads not aligned to pages) */
    VT_EQ(vfs_pread(f, buf, 10, 109 * PG + 5), 10);
    VT_EQ(vfs_pread(f, buf, 2 * PG, 109 * PG + 15), 2 * PG);
    VT_CHECK(pattern_ok(buf, 109 * PG + 15, 2 * PG));
    VT_EQ(f->ra.size, 8); /* a read of 3 pages: a first window of 8, from page 110 */
    VT_EQ(stats().ahead - s0.ahead, 118 - 112);
    vt_put(f);
}

VT_CASE(window_ends_at_the_end_of_the_file)
{
    uint64_t size = 10 * PG + 100;
    VT_EQ(setup(size, BUDGET), 0);
    for (uint64_t off = 0; off < size; off += 1000) {
        size_t n = size - off < 1000 ? (size_t)(size - off) : 1000;
        VT_EQ(read_ok(n), 1);
    }
    VT_EQ(vfs_read(f, buf, 10), 0);
    struct vfs_pcache_stats s = stats();
    VT_EQ(s.fills, 11); /* never a page past the end */
    VT_EQ(s.pages, 11);
    /* the last page's bytes past the end are zeros, as a mapping shows them */
    void *h;
    uint64_t pa;
    VT_EQ(vfs_mmap_pin(f, 10, false, &h, &pa), 0);
    const uint8_t *p = hal_phys_to_virt(pa);
    VT_CHECK(pattern_ok(p, 10 * PG, 100));
    for (unsigned i = 100; i < PG; i++)
        VT_EQ(p[i], 0);
    vfs_mmap_unpin(f, h, false);
    vt_put(f);
}

/* A file shrunk on the filesystem keeps stale bytes past its size in its last block (TFS's
 * invariant): the whole-block read of a run must not let them show. */
VT_CASE(stale_tail_of_the_last_block_reads_as_zeros)
{
    VT_EQ(setup(3 * PG, BUDGET), 0);
    vt_put(f);
    VT_EQ(vfs_truncate(NULL, "/f", PG + 904), 0);
    VT_EQ(vfs_umount(NULL, "/"), 0);
    VT_EQ(mount_tfs(BUDGET), 0);
    VT_EQ(vfs_openat(NULL, "/f", VFS_O_RDONLY, 0, &f), 0);
    VT_EQ(vfs_read(f, buf, 3 * PG), PG + 904);
    VT_CHECK(pattern_ok(buf, 0, PG + 904));
    void *h;
    uint64_t pa;
    VT_EQ(vfs_mmap_pin(f, 1, false, &h, &pa), 0);
    const uint8_t *p = hal_phys_to_virt(pa);
    for (unsigned i = 904; i < PG; i++)
        VT_EQ(p[i], 0);
    vfs_mmap_unpin(f, h, false);
    vt_put(f);
}

VT_CASE(truncate_in_the_middle_of_a_sequential_read)
{
    VT_EQ(setup(64 * PG, BUDGET), 0);
    struct vfs_file *w;
    VT_EQ(vfs_openat(NULL, "/f", VFS_O_RDWR, 0, &w), 0);
    for (int i = 0; i < 5; i++) /* windows [0, 4) and [4, 12) */
        VT_EQ(read_ok(PG), 1);
    VT_EQ(stats().pages, 12);
    VT_EQ(vfs_ftruncate(w, 6 * PG + 10), 0);
    VT_EQ(stats().pages, 7); /* the pages read ahead past the new end are gone */
    VT_EQ(read_ok(PG), 1);   /* page 5 */
    VT_EQ(read_ok(10), 1);   /* the last bytes */
    VT_EQ(vfs_read(f, buf, PG), 0);
    /* grown again: the read-ahead pages of old are zeros now, and no window brings them back */
    VT_EQ(vfs_ftruncate(w, 64 * PG), 0);
    VT_EQ(vfs_read(f, buf, 4 * PG), 4 * PG);
    for (unsigned i = 0; i < 4 * PG; i++)
        VT_EQ(buf[i], 0);
    VT_EQ(vfs_pread(f, buf, 2 * PG, 40 * PG), 2 * PG);
    for (unsigned i = 0; i < 2 * PG; i++)
        VT_EQ(buf[i], 0);
    vt_put(w);
    vt_put(f);
}

VT_CASE(small_budget_bounds_the_window)
{
    VT_EQ(setup(64 * PG, 8 * PG), 0); /* limit 2 pages */
    for (int i = 0; i < 64; i++) {
        VT_EQ(read_ok(PG), 1);
        VT_CHECK(f->ra.size <= 2);
        VT_CHECK(stats().pages <= 8);
    }
    vt_put(f);
    VT_EQ(vfs_umount(NULL, "/"), 0);
    /* a budget of 4 pages: no read-ahead at all */
    VT_EQ(setup(64 * PG, 4 * PG), 0);
    for (int i = 0; i < 64; i++)
        VT_EQ(read_ok(PG), 1);
    VT_EQ(stats().ahead, 0);
    VT_EQ(stats().fill_reads, 64);
    /* one read larger than the budget still reads right, within the budget */
    VT_EQ(vfs_pread(f, buf, 64 * PG, 0), 64 * PG);
    VT_CHECK(pattern_ok(buf, 0, 64 * PG));
    VT_CHECK(stats().pages <= 4);
    vt_put(f);
}

/* Every second page of free memory taken: no two-page block anywhere, so each run of the
 * read-ahead gets one page (one read per page), and reads stay right. */
VT_CASE(fragmented_memory_reads_page_by_page)
{
    VT_EQ(setup(64 * PG, BUDGET), 0);
    void *held = NULL, *odd = NULL; /* lists through the pages' first word */
    void *p;
    while ((p = page_alloc_virt(0)) != NULL) {
        *(void **)p = held;
        held = p;
    }
    /* give back every page whose buddy stays taken */
    for (void **pp = &held; *pp;) {
        uint64_t pa = hal_virt_to_phys(*pp);
        void *next = *(void **)*pp;
        if (pa / PG % 2) {
            void *mine = *pp;
            *pp = next;
            *(void **)mine = odd;
            odd = mine;
        } else {
            pp = (void **)*pp;
        }
    }
    while (odd) {
        void *next = *(void **)odd;
        page_free_virt(odd, 0);
        odd = next;
    }
    struct vfs_pcache_stats s0 = stats();
    for (int i = 0; i < 32; i++)
        VT_EQ(read_ok(PG), 1);
    struct vfs_pcache_stats s = stats();
    VT_EQ(s.fills - s0.fills, s.fill_reads - s0.fill_reads); /* one page per read */
    VT_CHECK(s.fills - s0.fills >= 32);
    while (held) {
        void *next = *(void **)held;
        page_free_virt(held, 0);
        held = next;
    }
    vt_put(f);
}

VT_CASE(faults_read_around)
{
    /* private mappings: a window of a quarter of the budget (64 pages here, at most 512) */
    VT_EQ(setup(200 * PG, BUDGET), 0);
    vfs_mmap_readaround(f, 50 * PG + 123); /* pages [18, 82) */
    struct vfs_pcache_stats s = stats();
    VT_EQ(s.fills, 64);
    VT_EQ(s.fill_reads, 1);
    VT_EQ(s.ahead, 63);
    vfs_mmap_readaround(f, 40 * PG); /* cached: nothing */
    VT_EQ(stats().fills, 64);
    vfs_mmap_readaround(f, 90 * PG); /* window [58, 122): the absent part [82, 122) */
    VT_EQ(stats().fills, 64 + 40);
    VT_EQ(stats().fill_reads, 2);
    vfs_mmap_readaround(f, 10 * PG); /* window [0, 64): below the cached 18 */
    VT_EQ(stats().fills, 104 + 18);
    vfs_mmap_readaround(f, 199 * PG); /* [167, 200): the end of the file ends it */
    VT_EQ(stats().fills, 122 + 33);
    vfs_mmap_readaround(f, 300 * PG); /* past the end: nothing */
    VT_EQ(stats().fills, 155);
    VT_EQ(stats().fill_reads, 4);
    VT_EQ(vfs_pread(f, buf, 64 * PG, 0), 64 * PG);
    VT_CHECK(pattern_ok(buf, 0, 64 * PG));
    /* a shared mapping's fault reads around too, in a window of the read-ahead limit (32) */
    void *h;
    uint64_t pa;
    VT_EQ(vfs_mmap_pin(f, 150, false, &h, &pa), 0); /* [134, 166) */
    VT_EQ(stats().fills, 155 + 32);
    VT_CHECK(pattern_ok(hal_phys_to_virt(pa), 150 * PG, PG));
    vfs_mmap_unpin(f, h, false);
    vt_put(f);
}

/* A large budget: a private mapping's fault reads 512 pages (2 MiB) in one filesystem read. */
VT_CASE(faults_read_around_large)
{
    VT_EQ(setup(600 * PG, 4096 * PG), 0);
    vfs_mmap_readaround(f, 300 * PG); /* [44, 556) */
    struct vfs_pcache_stats s = stats();
    VT_EQ(s.fills, 512);
    VT_EQ(s.fill_reads, 1);
    VT_EQ(vfs_pread(f, buf, 64 * PG, 44 * PG), 64 * PG);
    VT_CHECK(pattern_ok(buf, 44 * PG, 64 * PG));
    VT_EQ(vfs_pread(f, buf, 64 * PG, 492 * PG), 64 * PG);
    VT_CHECK(pattern_ok(buf, 492 * PG, 64 * PG));
    VT_EQ(stats().fills, 512); /* all cached */
    vt_put(f);
}

/* Through the hal_blk adapter on the hosted device: one request per window. */
static uint8_t disk[16u << 20];
static struct vfs_blkdev bd;

static void cfg_blk(struct hosted_config *c)
{
    c->nblk = 1;
    c->blk[0].mem = disk;
    c->blk[0].mem_size = sizeof(disk);
    c->blk[0].defer_pct = 30;
    c->blk[0].reorder = true;
}

VT_CASE_CFG(one_device_request_per_window, cfg_blk)
{
    struct vfs_tfs_opts o = {.cache_bytes = BUDGET};
    struct tfs_format_opts fo;
    uint8_t *data = kmalloc(256 * PG);

    VT_CHECK(data != NULL);
    for (uint64_t i = 0; i < 256 * PG; i++)
        data[i] = byte_at(i);
    memset(&fo, 0, sizeof(fo));
    fo.now.sec = vfs_now().tv_sec;
    VT_EQ(vfs_blkdev_open(0, &bd), 0);
    VT_EQ(tfs_format(&bd.dev, &fo), 0);
    VT_EQ(vfs_tfs_mount(NULL, "/", &bd.dev, &o, &sb), 0);
    VT_EQ(vt_write_file("/f", data, 256 * PG), 0);
    kfree(data);
    VT_EQ(vfs_umount(NULL, "/"), 0);
    VT_EQ(vfs_tfs_mount(NULL, "/", &bd.dev, &o, &sb), 0);
    VT_EQ(vfs_openat(NULL, "/f", VFS_O_RDONLY, 0, &f), 0);
    uint64_t req0 = bd.requests;
    for (int i = 0; i < 256; i++)
        VT_EQ(read_ok(PG), 1);
    /* windows 4, 8, 16, then 32s, the last one 4: 11 reads, one request each (the file is
     * one extent) */
    VT_EQ(stats().fill_reads, 11);
    kprintf("readahead: 256 pages read in %llu requests\n",
            (unsigned long long)(bd.requests - req0));
    VT_EQ(bd.requests - req0, 11);
    vt_put(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sequential_window_doubles_up_to_the_limit),
        cmocka_unit_test(random_read_drops_the_window),
        cmocka_unit_test(window_ends_at_the_end_of_the_file),
        cmocka_unit_test(stale_tail_of_the_last_block_reads_as_zeros),
        cmocka_unit_test(truncate_in_the_middle_of_a_sequential_read),
        cmocka_unit_test(small_budget_bounds_the_window),
        cmocka_unit_test(fragmented_memory_reads_page_by_page),
        cmocka_unit_test(faults_read_around),
        cmocka_unit_test(faults_read_around_large),
        cmocka_unit_test(one_device_request_per_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
