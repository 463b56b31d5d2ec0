/*
 * test_tfs_resv.c - reservations for cached data (fs/tfs/resv.c): what tfs_reserve() takes,
 * that every release path gives it back exactly, and the guarantee - reserve until -ENOSPC,
 * let other operations eat whatever else they can, and then every reserved block can still be
 * written, the setattr after them too, and the volume syncs, remounts and checks clean.
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

/* Nothing reserved anywhere: the counters and the tree agree on zero. */
static void assert_no_resv(void)
{
    assert_int_equal(fx.vol->resv_data, 0);
    assert_int_equal(fx.vol->resv_nblk, 0);
    assert_int_equal(fx.vol->resv_bytes, 0);
    assert_int_equal(fx.vol->resv.count, 0);
}

/* Holes take a data block each, mapped and unwritten blocks only log space; reserving again
 * is free; statfs counts reserved blocks as used; unreserve gives back exactly. */
static void test_accounting(void **state)
{
    (void)state;
    fx_new(1024);
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG | 0644);
    static uint8_t buf[4 * BS];
    fx_write(f, 0, buf, 2 * BS);                                      /* blocks 0-1 written */
    assert_int_equal(tfs_fallocate(fx.vol, f, TFS_FALLOC_KEEP_SIZE, 2 * BS, BS), 0); /* 2 */
    struct tfs_statfs before = statfs_now();
    assert_int_equal(before.reserved_blocks, 0);

    assert_int_equal(tfs_reserve(fx.vol, f, 0, 6 * BS), 0); /* blocks 0..5: 3 holes */
    struct tfs_statfs st = statfs_now();
    assert_int_equal(st.reserved_blocks, 3);
    assert_int_equal(st.free_blocks, before.free_blocks - 3);
    assert_true(st.avail_blocks <= before.avail_blocks - 3);
    assert_int_equal(fx.vol->resv_nblk, 6);
    assert_int_equal(fx.vol->resv_bytes, 6 * RESV_BLOCK_BYTES + RESV_INODE_BYTES);

    /* again, and overlapping: nothing new but block 6 */
    assert_int_equal(tfs_reserve(fx.vol, f, 100, 5 * BS), 0);
    assert_int_equal(tfs_reserve(fx.vol, f, 5 * BS + 1, BS), 0);
    assert_int_equal(fx.vol->resv_nblk, 7);
    assert_int_equal(statfs_now().reserved_blocks, 4);

    /* unreserve: every block the range touches */
    tfs_unreserve(fx.vol, f, 5 * BS + 10, 10);
    assert_int_equal(fx.vol->resv_nblk, 6);
    tfs_unreserve(fx.vol, f, 0, 100 * BS);
    assert_int_equal(fx.vol->resv_nblk, 0);
    assert_int_equal(fx.vol->resv_data, 0);
    /* the credit stays until the setattr that ends the write-back (or the inode goes) */
    assert_int_equal(fx.vol->resv_bytes, RESV_INODE_BYTES);
    struct tfs_attr a = {0};
    assert_int_equal(tfs_setattr(fx.vol, f, &a, TFS_SET_MODE), 0);
    assert_no_resv();
    assert_int_equal(statfs_now().free_blocks, before.free_blocks);
}

static void test_bad_args(void **state)
{
    (void)state;
    fx_new(256);
    uint64_t d = fx_mkdir(ROOT, "d");
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG | 0644);
    uint64_t p = fx_create(ROOT, "p", TFS_S_IFIFO | 0644);
    assert_int_equal(tfs_reserve(fx.vol, d, 0, 1), -EISDIR);
    assert_int_equal(tfs_reserve(fx.vol, p, 0, 1), -EINVAL);
    assert_int_equal(tfs_reserve(fx.vol, 999, 0, 1), -ENOENT);
    assert_int_equal(tfs_reserve(fx.vol, f, TFS_MAX_FILE_SIZE, 1), -EFBIG);
    assert_int_equal(tfs_reserve(fx.vol, f, 0, (uint64_t)BS << 21), -EINVAL);
    assert_int_equal(tfs_reserve(fx.vol, f, 0, 0), 0);
    tfs_unreserve(fx.vol, f, UINT64_MAX - 5, 100); /* no wrap */
    assert_no_resv();
}

/* The write of a reserved block uses the reservation: it becomes a real block. */
static void test_write_consumes(void **state)
{
    (void)state;
    fx_new(1024);
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG | 0644);
    uint8_t buf[BS];
    fx_pattern(buf, BS, 3);
    uint64_t free0 = statfs_now().free_blocks;
    assert_int_equal(tfs_reserve(fx.vol, f, 0, 3 * BS), 0);
    assert_int_equal(statfs_now().free_blocks, free0 - 3);
    assert_int_equal(tfs_write(fx.vol, f, BS, buf, BS), BS);
    assert_int_equal(fx.vol->resv_nblk, 2);
    assert_int_equal(statfs_now().reserved_blocks, 2);
    assert_int_equal(tfs_write(fx.vol, f, 0, buf, 10), 10); /* part of a block: all of it */
    assert_int_equal(tfs_write(fx.vol, f, 2 * BS, buf, BS), BS);
    assert_int_equal(fx.vol->resv_nblk, 0);
    assert_int_equal(fx.vol->resv_bytes, RESV_INODE_BYTES);
    struct tfs_attr a = {0};
    a.size = 3 * BS;
    assert_int_equal(tfs_setattr(fx.vol, f, &a, TFS_SET_SIZE), 0);
    assert_no_resv();
    assert_int_equal(tfs_sync(fx.vol), 0);
    fx_remount();
    assert_int_equal(fx_fsck(false, NULL), 0);
}

/* Truncation, hole punching, freeing the inode and unmounting release reservations. */
static void test_release_paths(void **state)
{
    (void)state;
    fx_new(1024);
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG | 0644);
    uint64_t g = fx_create(ROOT, "g", TFS_S_IFREG | 0644);
    uint64_t free0 = statfs_now().free_blocks;
    static uint8_t buf[8 * BS];
    fx_write(f, 0, buf, 8 * BS);
    assert_int_equal(tfs_truncate(fx.vol, f, 0), 0);
    assert_int_equal(tfs_sync(fx.vol), 0);
    assert_int_equal(statfs_now().free_blocks, free0);

    /* truncate: blocks wholly past the new size go; the one holding its last byte stays */
    assert_int_equal(tfs_reserve(fx.vol, f, 0, 8 * BS), 0);
    assert_int_equal(tfs_truncate(fx.vol, f, 3 * BS + 1), 0);
    assert_int_equal(fx.vol->resv_nblk, 4);
    assert_int_equal(statfs_now().reserved_blocks, 4);
    /* punch: whole blocks only */
    assert_int_equal(tfs_fallocate(fx.vol, f, TFS_FALLOC_PUNCH_HOLE | TFS_FALLOC_KEEP_SIZE,
                                   BS / 2, 2 * BS),
                     0);
    assert_int_equal(fx.vol->resv_nblk, 3); /* block 1 went; 0 and 2 are partly kept */
    /* a growing setattr drops nothing below the size */
    assert_int_equal(tfs_truncate(fx.vol, f, 100 * BS), 0);
    assert_int_equal(fx.vol->resv_nblk, 3);

    /* unlink of a held file keeps its reservations until the last release */
    assert_int_equal(tfs_reserve(fx.vol, g, 0, 5 * BS), 0);
    assert_int_equal(tfs_hold(fx.vol, g), 0);
    assert_int_equal(tfs_unlink(fx.vol, ROOT, N("g")), 0);
    assert_int_equal(fx.vol->resv_nblk, 8);
    assert_int_equal(tfs_release(fx.vol, g), 0);
    assert_int_equal(fx.vol->resv_nblk, 3);
    assert_int_equal(statfs_now().reserved_blocks, 3);

    /* unlink of f frees it at once: everything goes */
    assert_int_equal(tfs_unlink(fx.vol, ROOT, N("f")), 0);
    assert_no_resv();
    assert_int_equal(tfs_sync(fx.vol), 0);

    /* unmount with reservations left: released (ASan sees no leak), nothing on disk */
    uint64_t h = fx_create(ROOT, "h", TFS_S_IFREG | 0644);
    assert_int_equal(tfs_reserve(fx.vol, h, 0, 16 * BS), 0);
    fx_remount();
    assert_no_resv();
    struct tfs_attr a;
    assert_int_equal(tfs_getattr(fx.vol, h, &a), 0);
    assert_int_equal(a.blocks, 0);
    assert_int_equal(fx_fsck(false, NULL), 0);
}

/* What other operations may take on a volume whose free space is reserved. */
static int64_t eat_with(unsigned how, unsigned k, uint64_t victim)
{
    char name[200];
    uint8_t b[BS];
    memset(b, (int)k, sizeof(b));
    uint64_t ino;
    switch (how) {
    case 0: /* plain writes, new blocks */
        return tfs_write(fx.vol, victim, (uint64_t)k * BS, b, BS);
    case 1: /* fallocate */
        return tfs_fallocate(fx.vol, victim, 0, (uint64_t)k * BS, BS);
    case 2: /* metadata: files with long names and xattrs */
        memset(name, 'n', sizeof(name));
        snprintf(name, sizeof(name), "m%u_", k);
        name[strlen(name)] = 'n';
        {
            int rc = tfs_create(fx.vol, ROOT, name, sizeof(name), TFS_S_IFREG | 0644, 0, 0, 0,
                                &ino);
            return rc ? rc : tfs_setxattr(fx.vol, ino, "user.a", b, 2000, 0);
        }
    default: /* overwrites, each committed: the log grows by a block a time */
        {
            int64_t w = tfs_write(fx.vol, victim, 0, b, 100);
            return w < 0 ? w : tfs_sync(fx.vol);
        }
    }
}

/*
 * The guarantee. Reserve one-block pages of several files (holes, mapped blocks, past the
 * end) until -ENOSPC; then eat what else there is in the given way until -ENOSPC; then
 * every reserved block is written, each file's size set, the volume synced: no error. The
 * data are there after a remount and fsck is clean.
 */
static void fill_then_write_back(uint64_t nblocks, unsigned how)
{
    fx_new(nblocks);
    enum { NF = 3 };
    uint64_t f[NF];
    uint32_t nres[NF] = {0};
    uint8_t b[BS];
    for (unsigned i = 0; i < NF; i++) {
        char name[8];
        snprintf(name, sizeof(name), "f%u", i);
        f[i] = fx_create(ROOT, name, TFS_S_IFREG | 0644);
    }
    static uint8_t four[4 * BS];
    fx_write(f[1], 0, four, sizeof(four)); /* some reserved blocks are overwrites */
    uint64_t victim = fx_create(ROOT, "victim", TFS_S_IFREG | 0644);
    fx_write(victim, 0, b, 10);
    int rc = 0;
    for (unsigned k = 0; rc == 0; k++) {
        unsigned i = k % NF;
        rc = tfs_reserve(fx.vol, f[i], (uint64_t)nres[i] * BS, BS);
        if (rc == 0)
            nres[i]++;
        assert_true(k < nblocks * 2);
    }
    assert_int_equal(rc, -ENOSPC);
    assert_true(nres[0] + nres[1] + nres[2] > 0);
    int64_t r = 0;
    for (unsigned k = 1; r >= 0; k++) {
        r = eat_with(how, k, victim);
        assert_true(k < nblocks * 4);
    }
    assert_int_equal(r, -ENOSPC);
    assert_false(statfs_now().errors);
    /* write-back: every reserved block, in an order unlike the reservations' */
    for (unsigned i = NF; i-- > 0;)
        for (uint32_t blk = nres[i]; blk-- > 0;) {
            fx_pattern(b, BS, (uint32_t)(f[i] * 1000 + blk));
            int64_t w = tfs_write(fx.vol, f[i], (uint64_t)blk * BS, b, BS);
            if (w != BS)
                fail_msg("volume %llu, eaten by %u: write-back of block %u of file %u: %lld "
                         "(free %llu, reserved %llu data %llu log bytes, staged %zu, "
                         "pending %u, dirty %u)",
                         (unsigned long long)nblocks, how, blk, i, (long long)w,
                         (unsigned long long)fx.vol->free_blocks,
                         (unsigned long long)fx.vol->resv_data,
                         (unsigned long long)fx.vol->resv_bytes, fx.vol->stage_len,
                         fx.vol->npending, fx.vol->ndirty);
        }
    for (unsigned i = 0; i < NF; i++) {
        struct tfs_attr a = {0};
        a.size = (uint64_t)nres[i] * BS;
        a.mtime.sec = 1000;
        if (a.size < 4 * BS && i == 1)
            a.size = 4 * BS;
        assert_int_equal(tfs_setattr(fx.vol, f[i], &a, TFS_SET_SIZE | TFS_SET_MTIME), 0);
    }
    assert_no_resv();
    assert_int_equal(tfs_sync(fx.vol), 0);
    fx_remount();
    for (unsigned i = 0; i < NF; i++)
        for (uint32_t blk = 0; blk < nres[i]; blk++) {
            uint8_t want[BS], got[BS];
            fx_pattern(want, BS, (uint32_t)(f[i] * 1000 + blk));
            assert_int_equal(tfs_read(fx.vol, f[i], (uint64_t)blk * BS, got, BS), BS);
            assert_memory_equal(want, got, BS);
        }
    if (fx_fsck(false, NULL) != 0)
        fail_msg("fsck: %s", fx.msgs);
}

static void test_guarantee_writes(void **state)
{
    (void)state;
    fill_then_write_back(64, 0);
    fill_then_write_back(256, 0);
    fill_then_write_back(4096, 0);
}

static void test_guarantee_fallocate(void **state)
{
    (void)state;
    fill_then_write_back(256, 1);
    fill_then_write_back(2048, 1);
}

static void test_guarantee_metadata(void **state)
{
    (void)state;
    fill_then_write_back(64, 2);
    fill_then_write_back(512, 2);
}

static void test_guarantee_overwrites(void **state)
{
    (void)state;
    fill_then_write_back(128, 3);
    fill_then_write_back(1024, 3);
}

/* A reservation is never more lenient than writing at once: on a fresh volume, the blocks
 * that can be reserved one by one can then all be written, and an immediate write of one
 * more hole after the last refused reservation is refused too. */
static void test_reserve_not_lenient(void **state)
{
    (void)state;
    fx_new(512);
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG | 0644);
    uint64_t g = fx_create(ROOT, "g", TFS_S_IFREG | 0644);
    uint32_t n = 0;
    while (tfs_reserve(fx.vol, f, (uint64_t)n * BS, BS) == 0)
        n++;
    uint8_t b[BS] = {1};
    assert_int_equal(tfs_write(fx.vol, g, 0, b, BS), -ENOSPC);
    for (uint32_t i = 0; i < n; i++)
        assert_int_equal(tfs_write(fx.vol, f, (uint64_t)i * BS, b, BS), BS);
    assert_int_equal(tfs_truncate(fx.vol, f, (uint64_t)n * BS), 0);
    assert_no_resv();
    assert_int_equal(tfs_sync(fx.vol), 0);
    assert_int_equal(fx_fsck(false, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_accounting, teardown),
        cmocka_unit_test_teardown(test_bad_args, teardown),
        cmocka_unit_test_teardown(test_write_consumes, teardown),
        cmocka_unit_test_teardown(test_release_paths, teardown),
        cmocka_unit_test_teardown(test_guarantee_writes, teardown),
        cmocka_unit_test_teardown(test_guarantee_fallocate, teardown),
        cmocka_unit_test_teardown(test_guarantee_metadata, teardown),
        cmocka_unit_test_teardown(test_guarantee_overwrites, teardown),
        cmocka_unit_test_teardown(test_reserve_not_lenient, teardown),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
