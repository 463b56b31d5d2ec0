/*
 * test_tfs_space.c - TFS space accounting on small and nearly full volumes: a write reserves
 * log space for what its record can really hold (docs/tfs-format.md section 6), so small
 * writes succeed until the data or the log space truly does not fit, and -ENOSPC never
 * leaves the volume inconsistent.
 */
#include "tests/unit/tfs/fixture.h"

#include <stdio.h>
#include <stdlib.h>

#include "fs/tfs/tfs_internal.h"

#define ROOT TFS_ROOT_INO
#define BS TFS_BLOCK_SIZE

static int teardown(void **state)
{
    (void)state;
    fx_free();
    return 0;
}

static struct tfs_statfs statfs_now(void)
{
    struct tfs_statfs st;
    assert_int_equal(tfs_statfs(fx.vol, &st), 0);
    return st;
}

/*
 * The bound on free blocks when a one-block write (record: two EXTENT ops and an INODE,
 * 200 bytes) gets -ENOSPC right after a commit: it needs 1 data block + the reserve + the
 * log space 2 x ((200 + 4096) / 4096 + 1) + one segment = reserve + segment + 5 blocks, so
 * free space at that point is at most reserve + segment + 4.
 */
static uint64_t small_write_slack(void)
{
    return fx.vol->reserve + tfs_seg_blocks(fx.vol) + 4;
}

/* The test engineer's reproducer: 5 bytes on a fresh 64-block volume. */
static void test_small_write_tiny_volume(void **state)
{
    (void)state;
    fx_new(64);
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG | 0644);
    assert_true(statfs_now().free_blocks >= 48);
    assert_int_equal(tfs_write(fx.vol, f, 0, "hello", 5), 5);
    fx_remount();
    char buf[8] = {0};
    assert_int_equal(tfs_read(fx.vol, f, 0, buf, sizeof(buf)), 5);
    assert_memory_equal(buf, "hello", 5);
    assert_int_equal(fx_fsck(false, NULL), 0);
}

/* Record of what a file should hold: one byte pattern per block written. */
struct filled {
    uint64_t ino;
    uint32_t nblk;
};

static void block_bytes(uint8_t *b, size_t n, uint64_t ino, uint32_t blk)
{
    fx_pattern(b, n, (uint32_t)(ino * 7919u + blk));
}

static void check_filled(const struct filled *fs, unsigned nf, size_t per)
{
    uint8_t want[256], got[256];
    for (unsigned i = 0; i < nf; i++) {
        for (uint32_t b = 0; b < fs[i].nblk; b++) {
            block_bytes(want, per, fs[i].ino, b);
            assert_int_equal(tfs_read(fx.vol, fs[i].ino, (uint64_t)b * BS, got, per),
                             (int64_t)per);
            assert_memory_equal(want, got, per);
        }
        struct tfs_attr a;
        assert_int_equal(tfs_getattr(fx.vol, fs[i].ino, &a), 0);
        assert_int_equal(a.size, fs[i].nblk ? (uint64_t)(fs[i].nblk - 1) * BS + per : 0);
    }
}

/*
 * Fill a volume with small writes (100 bytes at the start of each block, round-robin over
 * four files so that the files interleave) until -ENOSPC, then check: free blocks at that
 * point are at most reserve + segment + 4 (small_write_slack), the volume is not in error,
 * and after a remount everything written is there and fsck is clean.
 */
static void fill_small(uint64_t nblocks)
{
    fx_new(nblocks);
    struct filled fs[4];
    const size_t per = 100;
    uint8_t buf[100];
    for (unsigned i = 0; i < 4; i++) {
        char name[8];
        snprintf(name, sizeof(name), "f%u", i);
        fs[i].ino = fx_create(ROOT, name, TFS_S_IFREG | 0644);
        fs[i].nblk = 0;
    }
    int64_t r = 0;
    for (unsigned k = 0;; k++) {
        struct filled *f = &fs[k % 4];
        block_bytes(buf, per, f->ino, f->nblk);
        r = tfs_write(fx.vol, f->ino, (uint64_t)f->nblk * BS, buf, per);
        if (r != (int64_t)per)
            break;
        f->nblk++;
        assert_true(k < nblocks); /* each write takes a block */
    }
    assert_int_equal(r, -ENOSPC);
    struct tfs_statfs st = statfs_now();
    assert_false(st.errors);
    uint64_t slack = small_write_slack();
    if (st.free_blocks > slack)
        fprintf(stderr, "volume %llu: -ENOSPC with %llu blocks free (bound %llu)\n",
                (unsigned long long)nblocks, (unsigned long long)st.free_blocks,
                (unsigned long long)slack);
    assert_true(st.free_blocks <= slack);
    /* the same write fails again, and still leaves the volume sound */
    assert_int_equal(tfs_write(fx.vol, fs[0].ino, (uint64_t)fs[0].nblk * BS, buf, per),
                     -ENOSPC);
    /* overwriting what is there needs no data block: still allowed */
    block_bytes(buf, per, fs[1].ino, 0);
    assert_int_equal(tfs_write(fx.vol, fs[1].ino, 0, buf, per), (int64_t)per);
    assert_int_equal(tfs_sync(fx.vol), 0);
    check_filled(fs, 4, per);
    fx_remount();
    check_filled(fs, 4, per);
    assert_false(statfs_now().errors);
    assert_int_equal(fx_fsck(false, NULL), 0);
    /* a freeing operation works on the full volume, and gives room for writes again */
    assert_int_equal(tfs_unlink(fx.vol, ROOT, N("f3")), 0);
    fs[3].nblk = 0;
    block_bytes(buf, per, fs[0].ino, fs[0].nblk);
    assert_int_equal(tfs_write(fx.vol, fs[0].ino, (uint64_t)fs[0].nblk * BS, buf, per),
                     (int64_t)per);
    fs[0].nblk++;
    fx_remount();
    check_filled(fs, 3, per);
    assert_int_equal(fx_fsck(false, NULL), 0);
}

static void test_fill_small_writes_64(void **state)
{
    (void)state;
    fill_small(64);
    /* the numbers behind the bound on the smallest volume: reserve 8, segment 4 */
    assert_int_equal(small_write_slack(), 16);
}

static void test_fill_small_writes_256(void **state)
{
    (void)state;
    fill_small(256);
}

static void test_fill_small_writes_4096(void **state)
{
    (void)state;
    fill_small(4096);
    /* at most 9.5% of the volume stays free: reserve 256 (2 segments) + segment 128 + 4 */
    assert_int_equal(small_write_slack(), 388);
}

/*
 * A large write into contiguous free space reserves log space for the few extents it
 * creates, not for one per block: nearly all of avail_blocks can be written in one call.
 */
static void test_large_write_nearly_full(void **state)
{
    (void)state;
    fx_new(4096);
    uint64_t f = fx_create(ROOT, "big", TFS_S_IFREG | 0644);
    struct tfs_statfs st = statfs_now();
    size_t len = (size_t)(st.avail_blocks - 4) * BS;
    uint8_t *buf = malloc(len);
    assert_non_null(buf);
    fx_pattern(buf, len, 77);
    assert_int_equal(tfs_write(fx.vol, f, 0, buf, len), (int64_t)len);
    assert_false(statfs_now().errors);
    fx_remount();
    uint8_t *back = malloc(len);
    assert_non_null(back);
    assert_int_equal(tfs_read(fx.vol, f, 0, back, len), (int64_t)len);
    assert_memory_equal(buf, back, len);
    assert_int_equal(fx_fsck(false, NULL), 0);
    free(back);
    free(buf);
}

static uint64_t rng;
static uint32_t RND(void)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng >> 33);
}

/*
 * -ENOSPC from any mix of writes, fallocate and overwrites, with uncommitted frees and
 * staged records around, never leaves the volume in error or inconsistent: seeded random
 * operations on a 128-block volume until the space runs out several times.
 */
static void test_enospc_keeps_volume_consistent(void **state)
{
    (void)state;
    uint32_t seed = 1;
    const char *env = getenv("PETREL_SEED");
    if (env)
        seed = (uint32_t)strtoul(env, NULL, 0);
    rng = seed * 0x9e3779b97f4a7c15ULL + 1;
    fx_new(128);
    uint64_t ino[6];
    for (unsigned i = 0; i < 6; i++) {
        char name[8];
        snprintf(name, sizeof(name), "g%u", i);
        ino[i] = fx_create(ROOT, name, TFS_S_IFREG | 0644);
    }
    static uint8_t buf[24 * BS];
    unsigned enospc = 0;
    for (unsigned step = 0; step < 600 && enospc < 40; step++) {
        uint64_t f = ino[RND() % 6];
        uint64_t off = (uint64_t)(RND() % 160) * 512;
        size_t len = 1 + RND() % (RND() % 4 ? 600 : sizeof(buf));
        int64_t r;
        switch (RND() % 8) {
        case 0:
            r = tfs_fallocate(fx.vol, f, RND() % 2 ? TFS_FALLOC_KEEP_SIZE : 0, off, len);
            break;
        case 1:
            r = tfs_truncate(fx.vol, f, off / 2);
            break;
        case 2:
            r = RND() % 4 ? 0 : tfs_sync(fx.vol);
            break;
        default:
            fx_pattern(buf, len, step);
            r = tfs_write(fx.vol, f, off, buf, len);
            break;
        }
        if (r == -ENOSPC)
            enospc++;
        else if (r < 0)
            fail_msg("seed %u step %u: error %lld", seed, step, (long long)r);
        if (fx.vol->errors)
            fail_msg("seed %u step %u: volume in error", seed, step);
    }
    if (enospc == 0)
        fail_msg("seed %u: the volume never filled", seed);
    fx_remount();
    assert_false(statfs_now().errors);
    if (fx_fsck(false, NULL) != 0)
        fail_msg("seed %u: fsck: %s", seed, fx.msgs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_small_write_tiny_volume, teardown),
        cmocka_unit_test_teardown(test_fill_small_writes_64, teardown),
        cmocka_unit_test_teardown(test_fill_small_writes_256, teardown),
        cmocka_unit_test_teardown(test_fill_small_writes_4096, teardown),
        cmocka_unit_test_teardown(test_large_write_nearly_full, teardown),
        cmocka_unit_test_teardown(test_enospc_keeps_volume_consistent, teardown),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
