/*
 * test_tfs_data.c - TFS file contents and attributes: read/write, holes, large sparse
 * offsets, truncate, fallocate (all modes), getattr/setattr, xattrs, ENOSPC, EFBIG.
 */
#include "tests/unit/tfs/fixture.h"

#include <stdio.h>
#include <stdlib.h>

#define ROOT TFS_ROOT_INO
#define BS TFS_BLOCK_SIZE

static int setup(void **state)
{
    (void)state;
    fx_new(4096); /* 16 MiB */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fx_free();
    return 0;
}

static uint64_t size_of(uint64_t ino)
{
    struct tfs_attr a;
    assert_int_equal(tfs_getattr(fx.vol, ino, &a), 0);
    return a.size;
}

static uint64_t blocks_of(uint64_t ino)
{
    struct tfs_attr a;
    assert_int_equal(tfs_getattr(fx.vol, ino, &a), 0);
    return a.blocks / 8;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

static void test_write_read_small(void **state)
{
    (void)state;
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG | 0644);
    char buf[16] = {0};
    fx_write(f, 0, "hello, world", 12);
    assert_int_equal(size_of(f), 12);
    assert_int_equal(tfs_read(fx.vol, f, 0, buf, sizeof(buf)), 12);
    assert_string_equal(buf, "hello, world");
    assert_int_equal(tfs_read(fx.vol, f, 7, buf, 5), 5);
    assert_memory_equal(buf, "world", 5);
    assert_int_equal(tfs_read(fx.vol, f, 12, buf, 5), 0);
    assert_int_equal(tfs_read(fx.vol, f, 1000, buf, 5), 0);
    assert_int_equal(tfs_write(fx.vol, f, 3, buf, 0), 0);
    assert_int_equal(blocks_of(f), 1);
}

static void test_write_unaligned_overwrite(void **state)
{
    (void)state;
    static uint8_t a[5 * BS], b[3 * BS], out[6 * BS], expect[6 * BS];
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG);
    fx_pattern(a, sizeof(a), 1);
    fx_pattern(b, sizeof(b), 2);
    fx_write(f, 100, a, sizeof(a));
    fx_write(f, BS + 7, b, sizeof(b));
    memset(expect, 0, sizeof(expect));
    memcpy(expect + 100, a, sizeof(a));
    memcpy(expect + BS + 7, b, sizeof(b));
    assert_int_equal(size_of(f), 100 + sizeof(a));
    assert_int_equal(tfs_read(fx.vol, f, 0, out, sizeof(out)), 100 + sizeof(a));
    assert_memory_equal(out, expect, 100 + sizeof(a));
    fx_remount();
    memset(out, 0, sizeof(out));
    assert_int_equal(tfs_read(fx.vol, f, 0, out, sizeof(out)), 100 + sizeof(a));
    assert_memory_equal(out, expect, 100 + sizeof(a));
}

static void test_sequential_writes_stay_contiguous(void **state)
{
    (void)state;
    static uint8_t blk[BS];
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG);
    for (int i = 0; i < 64; i++) {
        fx_pattern(blk, BS, (uint32_t)i);
        fx_write(f, (uint64_t)i * BS, blk, BS);
    }
    assert_int_equal(blocks_of(f), 64);
    fx_remount();
    for (int i = 0; i < 64; i += 9) {
        uint8_t got[BS];
        fx_pattern(blk, BS, (uint32_t)i);
        assert_int_equal(tfs_read(fx.vol, f, (uint64_t)i * BS, got, BS), BS);
        assert_memory_equal(got, blk, BS);
    }
}

static void test_holes_read_zero(void **state)
{
    (void)state;
    uint8_t buf[3 * BS];
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG);
    fx_write(f, 10 * BS + 5, "x", 1);
    assert_int_equal(size_of(f), 10 * BS + 6);
    assert_int_equal(blocks_of(f), 1);
    memset(buf, 0xee, sizeof(buf));
    assert_int_equal(tfs_read(fx.vol, f, 8 * BS, buf, sizeof(buf)), 2 * BS + 6);
    assert_true(all_zero(buf, 2 * BS + 5));
    assert_int_equal(buf[2 * BS + 5], 'x');
}

static void test_large_sparse_offsets(void **state)
{
    (void)state;
    const uint64_t tib = 1ULL << 40;
    uint8_t buf[64];
    uint64_t f = fx_create(ROOT, "big", TFS_S_IFREG);
    fx_write(f, tib - 10, "0123456789abcdefghij", 20);
    fx_write(f, 12345, "low", 3);
    assert_int_equal(size_of(f), tib + 10);
    assert_int_equal(blocks_of(f), 3);
    fx_remount();
    assert_int_equal(size_of(f), tib + 10);
    assert_int_equal(tfs_read(fx.vol, f, tib - 10, buf, 64), 20);
    assert_memory_equal(buf, "0123456789abcdefghij", 20);
    assert_int_equal(tfs_read(fx.vol, f, tib / 2, buf, 64), 64);
    assert_true(all_zero(buf, 64));
    assert_int_equal(tfs_read(fx.vol, f, 12345, buf, 3), 3);
    assert_memory_equal(buf, "low", 3);
    assert_int_equal(tfs_truncate(fx.vol, f, tib), 0);
    assert_int_equal(blocks_of(f), 2);
    assert_int_equal(fx_fsck(false, NULL), 0);
}

static void test_efbig(void **state)
{
    (void)state;
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG);
    assert_int_equal(tfs_write(fx.vol, f, TFS_MAX_FILE_SIZE - 1, "ab", 2), -EFBIG);
    assert_int_equal(tfs_write(fx.vol, f, TFS_MAX_FILE_SIZE - 1, "a", 1), 1);
    assert_int_equal(tfs_truncate(fx.vol, f, TFS_MAX_FILE_SIZE + 1), -EFBIG);
    assert_int_equal(tfs_fallocate(fx.vol, f, 0, TFS_MAX_FILE_SIZE, 1), -EFBIG);
    assert_int_equal(size_of(f), TFS_MAX_FILE_SIZE);
}

static void test_write_type_errors(void **state)
{
    (void)state;
    uint64_t d = fx_mkdir(ROOT, "d"), l;
    char c;
    assert_int_equal(tfs_symlink(fx.vol, ROOT, N("l"), N("t"), 0, 0, &l), 0);
    assert_int_equal(tfs_write(fx.vol, d, 0, "x", 1), -EISDIR);
    assert_int_equal(tfs_read(fx.vol, d, 0, &c, 1), -EISDIR);
    assert_int_equal(tfs_write(fx.vol, l, 0, "x", 1), -EINVAL);
    assert_int_equal(tfs_write(fx.vol, 999, 0, "x", 1), -ENOENT);
    assert_int_equal(tfs_truncate(fx.vol, d, 0), -EISDIR);
    assert_int_equal(tfs_truncate(fx.vol, l, 0), -EINVAL);
    assert_int_equal(tfs_fallocate(fx.vol, d, 0, 0, 1), -EISDIR);
}

static void test_truncate_shrink_extend(void **state)
{
    (void)state;
    static uint8_t data[3 * BS], out[3 * BS];
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG);
    fx_pattern(data, sizeof(data), 3);
    fx_write(f, 0, data, sizeof(data));
    assert_int_equal(tfs_truncate(fx.vol, f, 100), 0);
    assert_int_equal(size_of(f), 100);
    assert_int_equal(blocks_of(f), 1);
    assert_int_equal(tfs_truncate(fx.vol, f, 2 * BS + 50), 0);
    assert_int_equal(tfs_read(fx.vol, f, 0, out, sizeof(out)), 2 * BS + 50);
    assert_memory_equal(out, data, 100);
    assert_true(all_zero(out + 100, 2 * BS - 50));
    /* writing past the end after a shrink: the old tail bytes must read as zero */
    assert_int_equal(tfs_truncate(fx.vol, f, 10), 0);
    fx_write(f, 200, "z", 1);
    assert_int_equal(tfs_read(fx.vol, f, 0, out, 300), 201);
    assert_memory_equal(out, data, 10);
    assert_true(all_zero(out + 10, 190));
    fx_remount();
    assert_int_equal(size_of(f), 201);
    assert_int_equal(tfs_read(fx.vol, f, 0, out, 300), 201);
    assert_true(all_zero(out + 10, 190));
    assert_int_equal(out[200], 'z');
}

static void test_truncate_updates_times(void **state)
{
    (void)state;
    struct tfs_attr a, b;
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG);
    assert_int_equal(tfs_getattr(fx.vol, f, &a), 0);
    assert_int_equal(tfs_truncate(fx.vol, f, 5000), 0);
    assert_int_equal(tfs_getattr(fx.vol, f, &b), 0);
    assert_true(b.mtime.sec > a.mtime.sec);
    assert_true(b.ctime.sec > a.ctime.sec);
    assert_int_equal(b.blocks, 0);
}

static void test_fallocate_modes(void **state)
{
    (void)state;
    uint8_t buf[BS];
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG);
    assert_int_equal(tfs_fallocate(fx.vol, f, 0, 0, 10 * BS), 0);
    assert_int_equal(size_of(f), 10 * BS);
    assert_int_equal(blocks_of(f), 10);
    assert_int_equal(tfs_read(fx.vol, f, 3 * BS, buf, BS), BS);
    assert_true(all_zero(buf, BS));
    assert_int_equal(tfs_fallocate(fx.vol, f, TFS_FALLOC_KEEP_SIZE, 10 * BS, 6 * BS), 0);
    assert_int_equal(size_of(f), 10 * BS);
    assert_int_equal(blocks_of(f), 16);
    /* writing into unwritten blocks: the rest of the block stays zero */
    fx_write(f, 3 * BS + 10, "abc", 3);
    assert_int_equal(tfs_read(fx.vol, f, 3 * BS, buf, BS), BS);
    assert_true(all_zero(buf, 10));
    assert_memory_equal(buf + 10, "abc", 3);
    assert_true(all_zero(buf + 13, BS - 13));
    assert_int_equal(blocks_of(f), 16);
    fx_remount();
    assert_int_equal(blocks_of(f), 16);
    assert_int_equal(size_of(f), 10 * BS);
    assert_int_equal(tfs_read(fx.vol, f, 3 * BS, buf, BS), BS);
    assert_memory_equal(buf + 10, "abc", 3);
    assert_int_equal(tfs_read(fx.vol, f, 4 * BS, buf, BS), BS);
    assert_true(all_zero(buf, BS));
}

/* fallocate(mode 0) that grows the size sets mtime and ctime (ext4/XFS); one that does not
 * grow it (or KEEP_SIZE) sets ctime only. Model test reproducer: PETREL_SEED=1, op #67. */
static void test_fallocate_extend_sets_mtime(void **state)
{
    (void)state;
    struct tfs_attr a0, a1, a2;
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG);
    assert_int_equal(tfs_getattr(fx.vol, f, &a0), 0);
    assert_int_equal(tfs_fallocate(fx.vol, f, 0, 0, 3 * BS), 0);
    assert_int_equal(tfs_getattr(fx.vol, f, &a1), 0);
    assert_true(a1.mtime.sec > a0.mtime.sec);
    assert_true(a1.mtime.sec == a1.ctime.sec && a1.mtime.nsec == a1.ctime.nsec);
    assert_int_equal(tfs_fallocate(fx.vol, f, 0, 0, BS), 0); /* no growth */
    assert_int_equal(tfs_fallocate(fx.vol, f, TFS_FALLOC_KEEP_SIZE, 3 * BS, BS), 0);
    assert_int_equal(tfs_getattr(fx.vol, f, &a2), 0);
    assert_true(a2.ctime.sec > a1.ctime.sec);
    assert_true(a2.mtime.sec == a1.mtime.sec && a2.mtime.nsec == a1.mtime.nsec);
    fx_remount(); /* the new mtime was logged */
    assert_int_equal(tfs_getattr(fx.vol, f, &a2), 0);
    assert_true(a2.mtime.sec == a1.mtime.sec && a2.mtime.nsec == a1.mtime.nsec);
}

static void test_fallocate_keep_size_then_extend(void **state)
{
    (void)state;
    uint8_t buf[BS];
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG);
    assert_int_equal(tfs_fallocate(fx.vol, f, TFS_FALLOC_KEEP_SIZE, 0, 4 * BS), 0);
    assert_int_equal(size_of(f), 0);
    fx_write(f, 2 * BS, "q", 1);
    assert_int_equal(size_of(f), 2 * BS + 1);
    assert_int_equal(tfs_read(fx.vol, f, 0, buf, BS), BS);
    assert_true(all_zero(buf, BS));
    assert_int_equal(blocks_of(f), 4);
    /* truncate below frees the fallocated blocks past the new size too */
    assert_int_equal(tfs_truncate(fx.vol, f, BS), 0);
    assert_int_equal(blocks_of(f), 1);
}

static void test_punch_hole(void **state)
{
    (void)state;
    static uint8_t data[8 * BS], out[8 * BS];
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG);
    fx_pattern(data, sizeof(data), 9);
    fx_write(f, 0, data, sizeof(data));
    assert_int_equal(tfs_fallocate(fx.vol, f, TFS_FALLOC_PUNCH_HOLE | TFS_FALLOC_KEEP_SIZE,
                                   BS + 100, 3 * BS), 0);
    assert_int_equal(size_of(f), 8 * BS);
    assert_int_equal(blocks_of(f), 6);
    assert_int_equal(tfs_read(fx.vol, f, 0, out, sizeof(out)), sizeof(out));
    assert_memory_equal(out, data, BS + 100);
    assert_true(all_zero(out + BS + 100, 3 * BS));
    assert_memory_equal(out + 4 * BS + 100, data + 4 * BS + 100, 4 * BS - 100);
    /* within one block */
    assert_int_equal(tfs_fallocate(fx.vol, f, TFS_FALLOC_PUNCH_HOLE | TFS_FALLOC_KEEP_SIZE,
                                   6 * BS + 1, 2), 0);
    assert_int_equal(tfs_read(fx.vol, f, 6 * BS, out, 4), 4);
    assert_int_equal(out[0], data[6 * BS]);
    assert_true(all_zero(out + 1, 2));
    assert_int_equal(out[3], data[6 * BS + 3]);
    fx_remount();
    assert_int_equal(blocks_of(f), 6);
    assert_int_equal(tfs_read(fx.vol, f, 0, out, sizeof(out)), sizeof(out));
    assert_true(all_zero(out + BS + 100, 3 * BS));
}

static void test_fallocate_errors(void **state)
{
    (void)state;
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG), p = fx_create(ROOT, "p", TFS_S_IFIFO);
    assert_int_equal(tfs_fallocate(fx.vol, f, 0, 0, 0), -EINVAL);
    assert_int_equal(tfs_fallocate(fx.vol, f, TFS_FALLOC_PUNCH_HOLE, 0, 10), -EOPNOTSUPP);
    assert_int_equal(tfs_fallocate(fx.vol, f, 0x10, 0, 10), -EOPNOTSUPP);
    assert_int_equal(tfs_fallocate(fx.vol, p, 0, 0, 10), -ENODEV);
    assert_int_equal(tfs_fallocate(fx.vol, f, 0, 0, 1ULL << 40), -ENOSPC);
    assert_int_equal(size_of(f), 0);
    assert_int_equal(blocks_of(f), 0);
}

static void test_setattr_persist(void **state)
{
    (void)state;
    struct tfs_attr a = {0}, b;
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG | 0644);
    a.mode = TFS_S_IFDIR | 04711; /* type bits are ignored */
    a.uid = 1000;
    a.gid = 2000;
    a.atime.sec = 1234567890;
    a.atime.nsec = 123456789;
    a.mtime.sec = -5;
    a.mtime.nsec = 999999999;
    a.ctime.sec = 42;
    a.ctime.nsec = 1;
    assert_int_equal(tfs_setattr(fx.vol, f, &a, TFS_SET_MODE | TFS_SET_UID | TFS_SET_GID |
                                 TFS_SET_ATIME | TFS_SET_MTIME | TFS_SET_CTIME), 0);
    fx_remount();
    assert_int_equal(tfs_getattr(fx.vol, f, &b), 0);
    assert_int_equal(b.mode, TFS_S_IFREG | 04711);
    assert_int_equal(b.uid, 1000);
    assert_int_equal(b.gid, 2000);
    assert_int_equal(b.atime.sec, 1234567890);
    assert_int_equal(b.atime.nsec, 123456789);
    assert_int_equal(b.mtime.sec, -5);
    assert_int_equal(b.mtime.nsec, 999999999);
    assert_int_equal(b.ctime.sec, 42);
    assert_int_equal(b.ctime.nsec, 1);
}

static void test_setattr_errors_and_ctime(void **state)
{
    (void)state;
    struct tfs_attr a = {0}, b, c;
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG | 0644);
    a.atime.nsec = 1000000000;
    assert_int_equal(tfs_setattr(fx.vol, f, &a, TFS_SET_ATIME), -EINVAL);
    assert_int_equal(tfs_setattr(fx.vol, f, &a, 0x100), -EINVAL);
    assert_int_equal(tfs_setattr(fx.vol, 4242, &a, TFS_SET_UID), -ENOENT);
    assert_int_equal(tfs_getattr(fx.vol, f, &b), 0);
    a.uid = 5;
    assert_int_equal(tfs_setattr(fx.vol, f, &a, TFS_SET_UID), 0);
    assert_int_equal(tfs_getattr(fx.vol, f, &c), 0);
    assert_true(c.ctime.sec > b.ctime.sec); /* ctime follows the clock */
    assert_int_equal(c.mtime.sec, b.mtime.sec);
    assert_int_equal(c.ctime.nsec, (uint32_t)((c.ctime.sec - 1700000000) * 123 + 5));
}

static void test_times_on_write(void **state)
{
    (void)state;
    struct tfs_attr a, b, d1, d2;
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG);
    assert_int_equal(tfs_getattr(fx.vol, f, &a), 0);
    assert_int_equal(tfs_getattr(fx.vol, ROOT, &d1), 0);
    assert_int_equal(a.mtime.sec, d1.mtime.sec); /* create stamps the parent too */
    fx_write(f, 0, "x", 1);
    fx_write(f, 0, "y", 1); /* overwrite: times are deferred to the commit */
    assert_int_equal(tfs_getattr(fx.vol, f, &b), 0);
    assert_true(b.mtime.sec > a.mtime.sec);
    assert_int_equal(tfs_getattr(fx.vol, ROOT, &d2), 0);
    assert_int_equal(d2.mtime.sec, d1.mtime.sec);
    fx_remount();
    struct tfs_attr c;
    assert_int_equal(tfs_getattr(fx.vol, f, &c), 0);
    assert_int_equal(c.mtime.sec, b.mtime.sec);
    assert_int_equal(c.mtime.nsec, b.mtime.nsec);
}

static void test_xattr_basic(void **state)
{
    (void)state;
    char val[64], list[128];
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG);
    assert_int_equal(tfs_setxattr(fx.vol, f, "user.a", "one", 3, 0), 0);
    assert_int_equal(tfs_setxattr(fx.vol, f, "user.b", "", 0, 0), 0);
    assert_int_equal(tfs_setxattr(fx.vol, f, "trusted.c", "three", 5, 0), 0);
    assert_int_equal(tfs_getxattr(fx.vol, f, "user.a", NULL, 0), 3);
    assert_int_equal(tfs_getxattr(fx.vol, f, "user.a", val, sizeof(val)), 3);
    assert_memory_equal(val, "one", 3);
    assert_int_equal(tfs_getxattr(fx.vol, f, "user.b", val, sizeof(val)), 0);
    assert_int_equal(tfs_listxattr(fx.vol, f, NULL, 0), 7 + 7 + 10);
    assert_int_equal(tfs_listxattr(fx.vol, f, list, sizeof(list)), 24);
    assert_string_equal(list, "user.a");
    assert_int_equal(tfs_setxattr(fx.vol, f, "user.a", "uno!", 4, 0), 0);
    assert_int_equal(tfs_removexattr(fx.vol, f, "user.b"), 0);
    fx_remount();
    assert_int_equal(tfs_getxattr(fx.vol, f, "user.a", val, sizeof(val)), 4);
    assert_memory_equal(val, "uno!", 4);
    assert_int_equal(tfs_getxattr(fx.vol, f, "user.b", val, sizeof(val)), -ENODATA);
    assert_int_equal(tfs_getxattr(fx.vol, f, "trusted.c", val, sizeof(val)), 5);
    assert_int_equal(tfs_listxattr(fx.vol, f, list, sizeof(list)), 17);
    /* on a directory and a symlink as well */
    assert_int_equal(tfs_setxattr(fx.vol, ROOT, "user.d", "dir", 3, 0), 0);
    assert_int_equal(tfs_getxattr(fx.vol, ROOT, "user.d", val, 3), 3);
}

static void test_xattr_errors(void **state)
{
    (void)state;
    char val[8], big[TFS_XATTR_SIZE_MAX + 1], name[300];
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG);
    assert_int_equal(tfs_getxattr(fx.vol, f, "user.x", val, sizeof(val)), -ENODATA);
    assert_int_equal(tfs_removexattr(fx.vol, f, "user.x"), -ENODATA);
    assert_int_equal(tfs_setxattr(fx.vol, f, "user.x", "v", 1, TFS_XATTR_REPLACE), -ENODATA);
    assert_int_equal(tfs_setxattr(fx.vol, f, "user.x", "v", 1, TFS_XATTR_CREATE), 0);
    assert_int_equal(tfs_setxattr(fx.vol, f, "user.x", "w", 1, TFS_XATTR_CREATE), -EEXIST);
    assert_int_equal(tfs_setxattr(fx.vol, f, "user.x", "ww", 2, TFS_XATTR_REPLACE), 0);
    assert_int_equal(tfs_getxattr(fx.vol, f, "user.x", val, 1), -ERANGE);
    assert_int_equal(tfs_listxattr(fx.vol, f, val, 3), -ERANGE);
    assert_int_equal(tfs_setxattr(fx.vol, f, "", "v", 1, 0), -EINVAL);
    memset(name, 'a', sizeof(name));
    name[256] = '\0';
    assert_int_equal(tfs_setxattr(fx.vol, f, name, "v", 1, 0), -ERANGE);
    name[255] = '\0';
    assert_int_equal(tfs_setxattr(fx.vol, f, name, "v", 1, 0), 0);
    memset(big, 'b', sizeof(big));
    assert_int_equal(tfs_setxattr(fx.vol, f, "user.big", big, sizeof(big), 0), -E2BIG);
    assert_int_equal(tfs_setxattr(fx.vol, f, "user.big", big, TFS_XATTR_SIZE_MAX, 0), 0);
    assert_int_equal(tfs_setxattr(fx.vol, 999, "user.x", "v", 1, 0), -ENOENT);
    fx_remount();
    assert_int_equal(tfs_getxattr(fx.vol, f, "user.big", NULL, 0), TFS_XATTR_SIZE_MAX);
}

static void test_enospc_and_recovery(void **state)
{
    (void)state;
    static uint8_t chunk[64 * BS];
    fx_new(1024);
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG), g;
    uint64_t off = 0;
    int64_t r;
    while ((r = tfs_write(fx.vol, f, off, chunk, sizeof(chunk))) == (int64_t)sizeof(chunk))
        off += sizeof(chunk);
    assert_true(r == -ENOSPC || (r > 0 && r < (int64_t)sizeof(chunk)));
    if (r > 0)
        off += (uint64_t)r;
    while ((r = tfs_write(fx.vol, f, off, chunk, BS)) == BS)
        off += BS;
    assert_int_equal(r, -ENOSPC);
    assert_true(off > 800 * BS);
    /* metadata still works out of the reserve, and the volume is sound */
    g = fx_create(ROOT, "g", TFS_S_IFREG);
    assert_int_equal(tfs_write(fx.vol, g, 0, chunk, BS), -ENOSPC);
    fx_remount();
    assert_int_equal(size_of(f), off);
    assert_int_equal(fx_fsck(false, NULL), 0);
    fx_remount();
    /* freeing space (uncommitted) makes it usable: the write commits to get it */
    assert_int_equal(tfs_unlink(fx.vol, ROOT, N("f")), 0);
    fx_write(g, 0, chunk, sizeof(chunk));
    assert_int_equal(size_of(g), sizeof(chunk));
}

static void test_enospc_fallocate_nothing_allocated(void **state)
{
    (void)state;
    struct tfs_statfs a, b;
    fx_new(256);
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG);
    assert_int_equal(tfs_statfs(fx.vol, &a), 0);
    assert_int_equal(tfs_fallocate(fx.vol, f, 0, 0, (a.avail_blocks + 1) * BS), -ENOSPC);
    assert_int_equal(tfs_statfs(fx.vol, &b), 0);
    assert_int_equal(a.free_blocks, b.free_blocks);
    assert_int_equal(tfs_fallocate(fx.vol, f, 0, 0, a.avail_blocks * BS), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_read_small, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_unaligned_overwrite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sequential_writes_stay_contiguous, setup, teardown),
        cmocka_unit_test_setup_teardown(test_holes_read_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_sparse_offsets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_efbig, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_type_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncate_shrink_extend, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncate_updates_times, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fallocate_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fallocate_keep_size_then_extend, setup, teardown),
        cmocka_unit_test_setup_teardown(test_punch_hole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fallocate_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_setattr_persist, setup, teardown),
        cmocka_unit_test_setup_teardown(test_setattr_errors_and_ctime, setup, teardown),
        cmocka_unit_test_setup_teardown(test_times_on_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xattr_basic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xattr_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enospc_and_recovery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enospc_fallocate_nothing_allocated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fallocate_extend_sets_mtime, setup, teardown),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
