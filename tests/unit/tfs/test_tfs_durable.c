/*
 * test_tfs_durable.c - TFS persistence and robustness: remount of everything, compaction,
 * crashes (a device that loses or tears unflushed writes), fsync/fdatasync/sync,
 * orphans, read-only mounts, I/O errors, fsck on good and damaged volumes, and mount of
 * damaged or random images.
 */
#include "tests/unit/tfs/fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/lib/alloc.h"
#include "fs/tfs/tfs_internal.h"

#define ROOT TFS_ROOT_INO
#define BS TFS_BLOCK_SIZE

/* Walk the whole tree and read everything (what a mounted volume must survive). */
static void walk_all(struct tfs_vol *v, uint64_t dir, int depth);

static int setup(void **state)
{
    (void)state;
    fx_new(2048);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fx_free();
    return 0;
}

/* ---- a device that remembers what is durable ------------------------------------------ */

struct pend {
    uint64_t block;
    uint8_t data[BS];
};

struct crashdev {
    struct tfs_dev dev;
    uint8_t *cur;     /* what reads see */
    uint8_t *durable; /* what survives a crash */
    struct pend *p;
    size_t np, cap;
    bool fail;        /* every I/O fails with -EIO */
};

static int cd_read(struct tfs_dev *d, uint64_t b, uint32_t n, void *buf)
{
    struct crashdev *c = d->priv;
    if (c->fail || b + n > d->nblocks)
        return -EIO;
    memcpy(buf, c->cur + b * BS, (size_t)n * BS);
    return 0;
}

static int cd_write(struct tfs_dev *d, uint64_t b, uint32_t n, const void *buf)
{
    struct crashdev *c = d->priv;
    if (c->fail || b + n > d->nblocks)
        return -EIO;
    memcpy(c->cur + b * BS, buf, (size_t)n * BS);
    for (uint32_t i = 0; i < n; i++) {
        if (c->np == c->cap) {
            c->cap = c->cap ? 2 * c->cap : 64;
            c->p = realloc(c->p, c->cap * sizeof(*c->p));
        }
        c->p[c->np].block = b + i;
        memcpy(c->p[c->np].data, (const uint8_t *)buf + (size_t)i * BS, BS);
        c->np++;
    }
    return 0;
}

static int cd_flush(struct tfs_dev *d)
{
    struct crashdev *c = d->priv;
    if (c->fail)
        return -EIO;
    memcpy(c->durable, c->cur, d->nblocks * BS);
    c->np = 0;
    return 0;
}

static const struct tfs_dev_ops cd_ops = {cd_read, cd_write, cd_flush};

static void cd_init(struct crashdev *c, uint64_t nblocks)
{
    memset(c, 0, sizeof(*c));
    c->dev.ops = &cd_ops;
    c->dev.nblocks = nblocks;
    c->dev.priv = c;
    c->cur = calloc(nblocks, BS);
    c->durable = calloc(nblocks, BS);
}

static void cd_fini(struct crashdev *c)
{
    free(c->cur);
    free(c->durable);
    free(c->p);
}

/* The image after a crash now: durable + each unflushed write kept, dropped or torn. */
static uint8_t *cd_crash_image(struct crashdev *c, uint32_t *rng)
{
    uint8_t *img = malloc(c->dev.nblocks * BS);
    memcpy(img, c->durable, c->dev.nblocks * BS);
    for (size_t i = 0; i < c->np; i++) {
        *rng = *rng * 1103515245u + 12345u;
        unsigned what = (*rng >> 16) % 3;
        if (what == 0)
            continue;
        uint8_t *dst = img + c->p[i].block * BS;
        if (what == 1) {
            memcpy(dst, c->p[i].data, BS);
        } else { /* torn: some 512-byte sectors only */
            for (unsigned s = 0; s < BS / 512; s++)
                if ((*rng >> (s + 3)) & 1)
                    memcpy(dst + s * 512, c->p[i].data + s * 512, 512);
        }
    }
    return img;
}

static void clock_fn(void *arg, struct tfs_time *t)
{
    fx_clock(arg, t);
}

static struct tfs_vol *mount_dev(struct tfs_dev *d, bool ro)
{
    struct tfs_mount_opts o = fx_opts(ro);
    struct tfs_vol *v = NULL;
    o.clock = clock_fn;
    fx.msgs[0] = '\0';
    int err = tfs_mount(d, &o, &v);
    if (err)
        fprintf(stderr, "mount: %d: %s\n", err, fx.msgs);
    assert_int_equal(err, 0);
    return v;
}

/* ---- remount and compaction ------------------------------------------------------------ */

static void build_tree(void)
{
    static uint8_t data[20000];
    struct tfs_attr a = {0};
    uint64_t d = fx_mkdir(ROOT, "dir"), f = fx_create(d, "file", TFS_S_IFREG | 0600), l;
    fx_pattern(data, sizeof(data), 77);
    fx_write(f, 0, data, sizeof(data));
    fx_write(f, 1 << 20, "tail", 4);
    a.uid = 11;
    a.gid = 12;
    a.mtime.sec = 1000;
    a.mtime.nsec = 999;
    assert_int_equal(tfs_setattr(fx.vol, f, &a, TFS_SET_UID | TFS_SET_GID | TFS_SET_MTIME), 0);
    assert_int_equal(tfs_setxattr(fx.vol, f, "user.k", "v", 1, 0), 0);
    assert_int_equal(tfs_link(fx.vol, f, ROOT, N("hard")), 0);
    assert_int_equal(tfs_symlink(fx.vol, d, N("sym"), N("../hard"), 0, 0, &l), 0);
    fx_mkdir(d, "empty");
    fx_create(ROOT, "fifo", TFS_S_IFIFO | 0644);
}

static void check_tree(void)
{
    static uint8_t data[20000], got[20000];
    struct tfs_attr a;
    char buf[16];
    uint64_t d = fx_ino(ROOT, "dir"), f = fx_ino(d, "file");
    fx_pattern(data, sizeof(data), 77);
    assert_int_equal(fx_ino(ROOT, "hard"), f);
    assert_int_equal(tfs_getattr(fx.vol, f, &a), 0);
    assert_int_equal(a.size, (1 << 20) + 4);
    assert_int_equal(a.mode, TFS_S_IFREG | 0600);
    assert_int_equal(a.uid, 11);
    assert_int_equal(a.gid, 12);
    assert_int_equal(a.nlink, 2);
    assert_int_equal(a.mtime.sec, 1000);
    assert_int_equal(a.mtime.nsec, 999);
    assert_int_equal(tfs_read(fx.vol, f, 0, got, sizeof(got)), sizeof(got));
    assert_memory_equal(got, data, sizeof(data));
    assert_int_equal(tfs_read(fx.vol, f, 1 << 20, buf, 16), 4);
    assert_memory_equal(buf, "tail", 4);
    assert_int_equal(tfs_getxattr(fx.vol, f, "user.k", buf, 16), 1);
    assert_int_equal(tfs_readlink(fx.vol, fx_ino(d, "sym"), buf, 16), 7);
    assert_memory_equal(buf, "../hard", 7);
    assert_int_equal(tfs_getattr(fx.vol, d, &a), 0);
    assert_int_equal(a.nlink, 3);
    assert_int_equal(tfs_getattr(fx.vol, fx_ino(ROOT, "fifo"), &a), 0);
    assert_int_equal(a.mode, TFS_S_IFIFO | 0644);
}

static void test_remount_everything(void **state)
{
    (void)state;
    build_tree();
    check_tree();
    fx_remount();
    check_tree();
    assert_int_equal(fx_fsck(false, NULL), 0);
}

static void test_compaction_remount(void **state)
{
    (void)state;
    struct tfs_statfs a, b;
    build_tree();
    for (int i = 0; i < 300; i++) { /* garbage for the compaction to drop */
        fx_create(ROOT, "tmp", TFS_S_IFREG);
        assert_int_equal(tfs_unlink(fx.vol, ROOT, N("tmp")), 0);
    }
    assert_int_equal(tfs_sync(fx.vol), 0);
    assert_int_equal(tfs_statfs(fx.vol, &a), 0);
    assert_int_equal(tfs_compact(fx.vol), 0);
    assert_int_equal(tfs_statfs(fx.vol, &b), 0);
    assert_int_equal(b.generation, a.generation + 1);
    assert_true(b.log_blocks <= a.log_blocks);
    check_tree();
    fx_remount();
    check_tree();
    assert_int_equal(fx_fsck(false, NULL), 0);
    /* and the log goes on after the checkpoint */
    fx_create(ROOT, "after", TFS_S_IFREG);
    fx_remount();
    fx_ino(ROOT, "after");
}

static void test_auto_compaction_bounds_log(void **state)
{
    (void)state;
    struct tfs_statfs st;
    struct tfs_attr a = {0};
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG);
    for (uint32_t i = 0; i < 20000; i++) {
        a.uid = i;
        assert_int_equal(tfs_setattr(fx.vol, f, &a, TFS_SET_UID), 0);
        if (i % 500 == 0)
            assert_int_equal(tfs_sync(fx.vol), 0);
    }
    assert_int_equal(tfs_statfs(fx.vol, &st), 0);
    assert_true(st.generation > 2);
    assert_true(st.log_blocks < 1024);
    fx_remount();
    assert_int_equal(tfs_getattr(fx.vol, f, &a), 0);
    assert_int_equal(a.uid, 19999);
    assert_int_equal(fx_fsck(false, NULL), 0);
}

static void test_many_files(void **state)
{
    (void)state;
    char name[32];
    struct kmalloc_stats k0, k1;
    /* PETREL_TFS_NFILES=1000000 turns this into the mount benchmark (not a timed test) */
    const char *env = getenv("PETREL_TFS_NFILES");
    const char *env2 = getenv("PETREL_TFS_PERDIR");
    const unsigned n = env ? (unsigned)strtoul(env, NULL, 10) : 20000;
    const unsigned per_dir = env2 ? (unsigned)strtoul(env2, NULL, 10) : 50000;
    struct timespec t0, t1, c0, c1;
    fx_new(16384 + n / 16);
    uint64_t d = ROOT;
    for (unsigned i = 0; i < n; i++) {
        if (i % per_dir == 0) {
            int l = snprintf(name, sizeof(name), "d%u", i / per_dir);
            assert_int_equal(tfs_create(fx.vol, ROOT, name, (size_t)l, TFS_S_IFDIR | 0755, 0, 0,
                                        0, &d), 0);
        }
        int l = snprintf(name, sizeof(name), "file-%06u", i);
        uint64_t ino;
        assert_int_equal(tfs_create(fx.vol, d, name, (size_t)l, TFS_S_IFREG | 0644, 0, 0, 0,
                                    &ino), 0);
    }
    assert_int_equal(tfs_unmount(fx.vol), 0);
    fx.vol = NULL;
    kmalloc_get_stats(&k0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    assert_int_equal(fx_mount(false), 0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    kmalloc_get_stats(&k1);
    uint64_t per_file = (k1.bytes_in_use - k0.bytes_in_use) / n;
    fprintf(stderr, "  %u files: mount %.3f s (%.3f s CPU), %llu bytes of heap per file\n", n,
            (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
            (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9,
            (unsigned long long)per_file);
    assert_true(per_file < 200);
    assert_int_equal(fx_ino(fx_ino(ROOT, "d0"), "file-012345") > 0, 1);
    struct tfs_statfs st;
    assert_int_equal(tfs_statfs(fx.vol, &st), 0);
    assert_int_equal(st.files, n + 1 + (n + per_dir - 1) / per_dir);
}

/* ---- durability --------------------------------------------------------------------------- */

static void test_sync_points(void **state)
{
    (void)state;
    struct crashdev c;
    struct tfs_format_opts fo = {0};
    uint32_t rng = 1;
    cd_init(&c, 512);
    assert_int_equal(tfs_format(&c.dev, &fo), 0);
    struct tfs_vol *v = mount_dev(&c.dev, false);
    uint64_t a, b, ino;
    assert_int_equal(tfs_create(v, ROOT, N("a"), TFS_S_IFREG, 0, 0, 0, &a), 0);
    assert_int_equal(tfs_write(v, a, 0, "durable", 7), 7);
    assert_int_equal(tfs_fsync(v, a), 0);
    assert_int_equal(tfs_create(v, ROOT, N("b"), TFS_S_IFREG, 0, 0, 0, &b), 0);
    /* crash now: a survives with its data, b does not exist */
    uint8_t *img = cd_crash_image(&c, &rng);
    struct tfs_memdev md;
    tfs_memdev_init(&md, img, 512);
    struct tfs_vol *w = mount_dev(&md.dev, false);
    char buf[8];
    assert_int_equal(tfs_lookup(w, ROOT, N("a"), &ino), 0);
    assert_int_equal(tfs_read(w, ino, 0, buf, 8), 7);
    assert_memory_equal(buf, "durable", 7);
    assert_int_equal(tfs_lookup(w, ROOT, N("b"), &ino), -ENOENT);
    tfs_unmount(w);
    free(img);
    /* fdatasync of an overwrite: a device flush, no log write */
    uint64_t seq;
    struct tfs_statfs st;
    assert_int_equal(tfs_sync(v), 0);
    assert_int_equal(tfs_statfs(v, &st), 0);
    seq = st.log_seq;
    assert_int_equal(tfs_write(v, a, 0, "DURABLE", 7), 7);
    assert_int_equal(tfs_fdatasync(v, a), 0);
    assert_int_equal(tfs_statfs(v, &st), 0);
    assert_int_equal(st.log_seq, seq);
    assert_int_equal(c.np, 0);
    /* fdatasync after growth commits the log */
    assert_int_equal(tfs_write(v, a, 7, "!", 1), 1);
    assert_int_equal(tfs_fdatasync(v, a), 0);
    assert_int_equal(tfs_statfs(v, &st), 0);
    assert_true(st.log_seq > seq);
    assert_int_equal(tfs_fsync(v, 999), -ENOENT);
    assert_int_equal(tfs_unmount(v), 0);
    cd_fini(&c);
}

/* Run a workload on a crash device; at every step make crash images; each must mount, pass
 * fsck and hold what the last sync made durable. */
static void test_crash_anywhere(void **state)
{
    (void)state;
    struct crashdev c;
    struct tfs_format_opts fo = {0};
    uint32_t rng = 12345;
    unsigned images = 0;
    static uint8_t data[3 * BS];
    cd_init(&c, 256);
    assert_int_equal(tfs_format(&c.dev, &fo), 0);
    struct tfs_vol *v = mount_dev(&c.dev, false);
    uint64_t synced_files = 0;
    for (unsigned step = 0; step < 120; step++) {
        char name[16];
        uint64_t ino;
        int n = snprintf(name, sizeof(name), "f%u", step % 17);
        fx_pattern(data, sizeof(data), step);
        switch (step % 6) {
        case 0: case 1:
            if (tfs_create(v, ROOT, name, (size_t)n, TFS_S_IFREG | 0644, 0, 0, 0, &ino) == 0)
                tfs_write(v, ino, step * 100, data, sizeof(data));
            break;
        case 2:
            tfs_unlink(v, ROOT, name, (size_t)n);
            break;
        case 3:
            if (tfs_lookup(v, ROOT, name, (size_t)n, &ino) == 0)
                tfs_truncate(v, ino, step * 37);
            break;
        case 4:
            tfs_rename(v, ROOT, name, (size_t)n, ROOT, N("renamed"), 0);
            break;
        case 5:
            assert_int_equal(tfs_sync(v), 0);
            synced_files = v->ninodes;
            break;
        }
        for (int k = 0; k < 3; k++, images++) {
            uint8_t *img = cd_crash_image(&c, &rng);
            struct tfs_memdev md;
            struct tfs_fsck_opts fo2 = {0};
            tfs_memdev_init(&md, img, 256);
            fo2.report = fx_report;
            fx.msgs[0] = '\0';
            int probs = tfs_fsck(&md.dev, &fo2, NULL);
            if (probs)
                fprintf(stderr, "step %u image %d: fsck %d: %s\n", step, k, probs, fx.msgs);
            assert_int_equal(probs, 0);
            struct tfs_vol *w = mount_dev(&md.dev, false);
            if (step % 6 == 5)
                assert_int_equal(w->ninodes, synced_files);
            tfs_unmount(w);
            assert_int_equal(tfs_fsck(&md.dev, &fo2, NULL), 0);
            free(img);
        }
    }
    assert_true(images >= 360);
    tfs_unmount(v);
    cd_fini(&c);
}

static void test_orphan_freed_after_crash(void **state)
{
    (void)state;
    struct crashdev c;
    struct tfs_format_opts fo = {0};
    uint32_t rng = 7;
    static uint8_t data[10 * BS];
    cd_init(&c, 256);
    assert_int_equal(tfs_format(&c.dev, &fo), 0);
    struct tfs_vol *v = mount_dev(&c.dev, false);
    uint64_t f;
    struct tfs_statfs before, after;
    assert_int_equal(tfs_sync(v), 0);
    assert_int_equal(tfs_statfs(v, &before), 0);
    assert_int_equal(tfs_create(v, ROOT, N("f"), TFS_S_IFREG, 0, 0, 0, &f), 0);
    assert_int_equal(tfs_write(v, f, 0, data, sizeof(data)), sizeof(data));
    assert_int_equal(tfs_hold(v, f), 0);
    assert_int_equal(tfs_unlink(v, ROOT, N("f")), 0);
    assert_int_equal(tfs_sync(v), 0);
    assert_int_equal(tfs_read(v, f, 0, data, BS), BS); /* still readable while held */
    uint8_t *img = cd_crash_image(&c, &rng);
    struct tfs_memdev md;
    tfs_memdev_init(&md, img, 256);
    struct tfs_fsck_opts fo2 = {0};
    assert_int_equal(tfs_fsck(&md.dev, &fo2, NULL), 0); /* an orphan is not damage */
    struct tfs_vol *w = mount_dev(&md.dev, false);
    struct tfs_attr a;
    assert_int_equal(tfs_getattr(w, f, &a), -ENOENT);
    assert_int_equal(tfs_sync(w), 0);
    assert_int_equal(tfs_statfs(w, &after), 0);
    assert_int_equal(after.files, before.files);
    tfs_unmount(w);
    free(img);
    /* without a crash: the last release frees it */
    assert_int_equal(tfs_release(v, f), 0);
    assert_int_equal(tfs_getattr(v, f, &a), -ENOENT);
    assert_int_equal(tfs_release(v, f), -ENOENT);
    tfs_unmount(v);
    cd_fini(&c);
}

/* Blocks an uncommitted unlink releases are not reused until the unlink is durable. */
static void test_no_reuse_before_free_is_durable(void **state)
{
    (void)state;
    struct crashdev c;
    struct tfs_format_opts fo = {0};
    static uint8_t a[16 * BS], b[16 * BS], got[16 * BS];
    cd_init(&c, 128);
    assert_int_equal(tfs_format(&c.dev, &fo), 0);
    struct tfs_vol *v = mount_dev(&c.dev, false);
    uint64_t fa, fb, ino;
    fx_pattern(a, sizeof(a), 1);
    fx_pattern(b, sizeof(b), 2);
    assert_int_equal(tfs_create(v, ROOT, N("a"), TFS_S_IFREG, 0, 0, 0, &fa), 0);
    assert_int_equal(tfs_write(v, fa, 0, a, sizeof(a)), sizeof(a));
    assert_int_equal(tfs_sync(v), 0);
    struct tfs_ext ea = tfs_ext_array(tfs_iget(v, fa))[0];
    assert_int_equal(tfs_unlink(v, ROOT, N("a")), 0);
    /* fill the volume: until a commit makes the unlink durable, no new block may be one of
     * a's, and the durable image (a crash now) must still hold a, intact */
    struct tfs_statfs st;
    assert_int_equal(tfs_statfs(v, &st), 0);
    uint64_t seq0 = st.log_seq, off = 0;
    uint8_t *img = malloc(128 * BS);
    unsigned before_commit = 0;
    assert_int_equal(tfs_create(v, ROOT, N("b"), TFS_S_IFREG, 0, 0, 0, &fb), 0);
    assert_int_equal(tfs_statfs(v, &st), 0);
    for (;;) {
        memcpy(img, c.durable, 128 * BS); /* a crash right before this write */
        if (tfs_write(v, fb, off, b, BS) != BS)
            break;
        assert_int_equal(tfs_statfs(v, &st), 0);
        if (st.log_seq != seq0)
            break; /* committed (the write needed a's space): reuse is fine from here */
        struct tfs_ext e;
        assert_int_equal(tfs_ext_lookup(tfs_iget(v, fb), off / BS, &e), 1);
        assert_false(e.pblk >= ea.pblk && e.pblk < ea.pblk + ea.len);
        before_commit++;
        off += BS;
    }
    fprintf(stderr, "  %u blocks written before the commit\n", before_commit);
    assert_true(before_commit > 20);
    assert_int_not_equal(st.log_seq, seq0); /* the volume filled up: a's space was needed */
    struct tfs_memdev md;
    tfs_memdev_init(&md, img, 128);
    struct tfs_vol *w = mount_dev(&md.dev, true);
    assert_int_equal(tfs_lookup(w, ROOT, N("a"), &ino), 0);
    assert_int_equal(tfs_read(w, ino, 0, got, sizeof(got)), sizeof(got));
    assert_memory_equal(got, a, sizeof(a));
    tfs_unmount(w);
    free(img);
    tfs_unmount(v);
    cd_fini(&c);
}

static void test_io_error_forces_readonly(void **state)
{
    (void)state;
    struct crashdev c;
    struct tfs_format_opts fo = {0};
    struct tfs_statfs st;
    cd_init(&c, 256);
    assert_int_equal(tfs_format(&c.dev, &fo), 0);
    struct tfs_vol *v = mount_dev(&c.dev, false);
    uint64_t f;
    char buf[4];
    assert_int_equal(tfs_create(v, ROOT, N("f"), TFS_S_IFREG, 0, 0, 0, &f), 0);
    assert_int_equal(tfs_write(v, f, 0, "abcd", 4), 4);
    c.fail = true;
    assert_int_equal(tfs_read(v, f, 0, buf, 4), -EIO);
    assert_int_equal(tfs_sync(v), -EIO);
    assert_int_equal(tfs_statfs(v, &st), 0);
    assert_true(st.errors);
    assert_int_equal(tfs_create(v, ROOT, N("g"), TFS_S_IFREG, 0, 0, 0, &f), -EUCLEAN);
    tfs_unmount(v);
    c.fail = false;
    tfs_unmount(mount_dev(&c.dev, false));
    c.fail = true;
    struct tfs_mount_opts o = fx_opts(false);
    assert_int_equal(tfs_mount(&c.dev, &o, &v), -EIO);
    cd_fini(&c);
}

static void test_readonly_mount(void **state)
{
    (void)state;
    build_tree();
    assert_int_equal(tfs_unmount(fx.vol), 0);
    fx.vol = NULL;
    assert_int_equal(fx_mount(true), 0);
    fx.md.writes = 0;
    check_tree();
    uint64_t ino, f = fx_ino(fx_ino(ROOT, "dir"), "file");
    struct tfs_attr a = {0};
    struct tfs_statfs st;
    assert_int_equal(tfs_create(fx.vol, ROOT, N("x"), TFS_S_IFREG, 0, 0, 0, &ino), -EROFS);
    assert_int_equal(tfs_symlink(fx.vol, ROOT, N("x"), N("y"), 0, 0, &ino), -EROFS);
    assert_int_equal(tfs_write(fx.vol, f, 0, "x", 1), -EROFS);
    assert_int_equal(tfs_truncate(fx.vol, f, 0), -EROFS);
    assert_int_equal(tfs_fallocate(fx.vol, f, 0, 0, 10), -EROFS);
    assert_int_equal(tfs_setattr(fx.vol, f, &a, TFS_SET_UID), -EROFS);
    assert_int_equal(tfs_link(fx.vol, f, ROOT, N("x")), -EROFS);
    assert_int_equal(tfs_unlink(fx.vol, ROOT, N("hard")), -EROFS);
    assert_int_equal(tfs_rmdir(fx.vol, fx_ino(ROOT, "dir"), N("empty")), -EROFS);
    assert_int_equal(tfs_rename(fx.vol, ROOT, N("hard"), ROOT, N("x"), 0), -EROFS);
    assert_int_equal(tfs_setxattr(fx.vol, f, "user.k", "w", 1, 0), -EROFS);
    assert_int_equal(tfs_removexattr(fx.vol, f, "user.k"), -EROFS);
    assert_int_equal(tfs_compact(fx.vol), -EROFS);
    assert_int_equal(tfs_sync(fx.vol), 0);
    assert_int_equal(tfs_statfs(fx.vol, &st), 0);
    assert_true(st.read_only);
    assert_int_equal(fx.md.writes, 0);
}

/* ---- damage --------------------------------------------------------------------------------- */

static void reopen_raw(void)
{
    assert_int_equal(tfs_unmount(fx.vol), 0);
    fx.vol = NULL;
}

static void test_fsck_clean(void **state)
{
    (void)state;
    struct tfs_fsck_result r;
    build_tree();
    reopen_raw();
    assert_int_equal(fx_fsck(false, &r), 0);
    assert_int_equal(r.problems, 0);
    assert_int_equal(r.dirs, 3);
    assert_int_equal(r.files, 1);
    assert_int_equal(r.symlinks, 1);
    assert_int_equal(r.inodes, 6);
    assert_int_equal(r.used_blocks + r.free_blocks, 2048);
    assert_true(r.log_records > 5);
    assert_int_equal(fx.nmsgs, 0);
}

static void test_bad_superblock_copy(void **state)
{
    (void)state;
    build_tree();
    reopen_raw();
    fx.mem[100] ^= 0x40; /* superblock 0 */
    assert_int_equal(fx_fsck(false, NULL), 1);
    assert_true(fx_msg_has("superblock 0: bad checksum"));
    assert_int_equal(fx_mount(true), 0); /* the copy serves */
    check_tree();
    tfs_unmount(fx.vol);
    assert_int_equal(fx_mount(false), 0); /* a read-write mount rewrites it */
    tfs_unmount(fx.vol);
    fx.vol = NULL;
    assert_int_equal(fx_fsck(false, NULL), 0);
    /* both bad: refused */
    fx.mem[100] ^= 0x40;
    fx.mem[BS + 100] ^= 0x40;
    assert_int_equal(fx_mount(false), -EUCLEAN);
    assert_true(fx_msg_has("superblock 1: bad checksum"));
    assert_int_equal(fx_fsck(false, NULL), 1);
}

static void test_damaged_checkpoint_refused(void **state)
{
    (void)state;
    reopen_raw();
    fx.mem[2 * BS + 50] ^= 1; /* the root's record, in the checkpoint */
    assert_int_equal(fx_mount(false), -EUCLEAN);
    assert_true(fx_msg_has("checkpoint record 1 (block 2): bad record checksum"));
    assert_true(fx_fsck(false, NULL) >= 1);
}

static void test_torn_tail_is_end_of_log(void **state)
{
    (void)state;
    fx_create(ROOT, "a", TFS_S_IFREG);
    assert_int_equal(tfs_sync(fx.vol), 0);
    uint64_t tail = fx.vol->log.segs[fx.vol->log.nsegs - 1].start +
                    fx.vol->log.pos / BS;
    fx_create(ROOT, "b", TFS_S_IFREG);
    reopen_raw();
    memset(fx.mem + tail * BS + 64, 0x5a, 64); /* a torn last commit */
    assert_int_equal(fx_mount(false), 0);
    fx_ino(ROOT, "a");
    uint64_t ino;
    assert_int_equal(tfs_lookup(fx.vol, ROOT, N("b"), &ino), -ENOENT);
    /* appending after the torn commit works and stays consistent */
    fx_create(ROOT, "c", TFS_S_IFREG);
    reopen_raw();
    assert_int_equal(fx_fsck(false, NULL), 0);
    assert_int_equal(fx_mount(false), 0);
    fx_ino(ROOT, "c");
}

/* Stage a record by hand (bypassing the checks a live operation makes). */
static void forge_inode(uint64_t ino, uint32_t nlink)
{
    struct tfs_inode *ip = tfs_iget(fx.vol, ino);
    ip->nlink = nlink;
    assert_int_equal(tfs_txn_begin(fx.vol, 200, false), 0);
    assert_int_equal(tfs_op_inode(fx.vol, ino), 0);
    assert_int_equal(tfs_txn_end(fx.vol), 0);
}

static void test_fsck_link_count_repair(void **state)
{
    (void)state;
    struct tfs_fsck_result r;
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG);
    forge_inode(f, 3);
    reopen_raw();
    assert_int_equal(fx_mount(false), -EUCLEAN);
    assert_true(fx_msg_has("inode 2: link count 3, expected 1"));
    assert_int_equal(fx_fsck(false, NULL), 1);
    assert_int_equal(fx_fsck(true, &r), 1);
    assert_int_equal(r.repaired, 1);
    assert_int_equal(fx_fsck(false, NULL), 0);
    assert_int_equal(fx_mount(false), 0);
    struct tfs_attr a;
    assert_int_equal(tfs_getattr(fx.vol, f, &a), 0);
    assert_int_equal(a.nlink, 1);
}

static void test_fsck_orphan_to_lost_found(void **state)
{
    (void)state;
    uint64_t d = fx_mkdir(ROOT, "d"), f = fx_create(d, "f", TFS_S_IFREG);
    fx_write(f, 0, "keep me", 7);
    /* drop the entry but not the inode */
    assert_int_equal(tfs_txn_begin(fx.vol, 300, false), 0);
    assert_int_equal(tfs_op_unlink(fx.vol, d, N("f")), 0);
    assert_int_equal(tfs_txn_end(fx.vol), 0);
    reopen_raw();
    assert_int_equal(fx_mount(false), -EUCLEAN);
    assert_true(fx_msg_has("inode 3: no directory entry"));
    assert_int_equal(fx_fsck(true, NULL), 1);
    assert_int_equal(fx_fsck(false, NULL), 0);
    assert_int_equal(fx_mount(false), 0);
    uint64_t lf = fx_ino(ROOT, "lost+found");
    assert_int_equal(fx_ino(lf, "#3"), f);
    char buf[8];
    assert_int_equal(tfs_read(fx.vol, f, 0, buf, 8), 7);
    assert_memory_equal(buf, "keep me", 7);
}

static void test_fsck_overlapping_extents(void **state)
{
    (void)state;
    uint64_t a = fx_create(ROOT, "a", TFS_S_IFREG), b = fx_create(ROOT, "b", TFS_S_IFREG);
    fx_write(a, 0, "aaaa", 4);
    struct tfs_ext e = tfs_ext_array(tfs_iget(fx.vol, a))[0];
    e.lblk = 5;
    assert_int_equal(tfs_txn_begin(fx.vol, 300, false), 0);
    assert_int_equal(tfs_op_extent(fx.vol, b, &e), 0);
    assert_int_equal(tfs_txn_end(fx.vol), 0);
    reopen_raw();
    assert_int_equal(fx_mount(false), -EUCLEAN);
    assert_true(fx_msg_has("overlaps other data or metadata"));
    assert_int_equal(fx_fsck(false, NULL), 1);
    assert_int_equal(fx_fsck(true, NULL), 1);
    assert_int_equal(fx_fsck(false, NULL), 0);
    assert_int_equal(fx_mount(false), 0);
    char buf[4];
    assert_int_equal(tfs_read(fx.vol, a, 0, buf, 4), 4);
    assert_memory_equal(buf, "aaaa", 4);
}

static void test_fsck_written_past_size(void **state)
{
    (void)state;
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG);
    fx_write(f, 0, "abc", 3);
    /* a forged record: a written extent at file block 10 of a 3-byte file */
    uint64_t start, got;
    assert_int_equal(tfs_space_alloc(fx.vol, 0, 1, &start, &got), 0);
    struct tfs_ext e = {10, start, 1, 0};
    assert_int_equal(tfs_txn_begin(fx.vol, 300, false), 0);
    assert_int_equal(tfs_op_extent(fx.vol, f, &e), 0);
    /* and a second one, apart: repair must punch both (fsck -y then checks clean) */
    assert_int_equal(tfs_space_alloc(fx.vol, 0, 1, &e.pblk, &got), 0);
    e.lblk = 20;
    assert_int_equal(tfs_op_extent(fx.vol, f, &e), 0);
    assert_int_equal(tfs_txn_end(fx.vol), 0);
    reopen_raw();
    assert_int_equal(fx_mount(false), -EUCLEAN);
    assert_true(fx_msg_has("inode 2: written blocks at file block 10 lie past the size 3"));
    assert_int_equal(fx_fsck(true, NULL), 1);
    assert_int_equal(fx_fsck(false, NULL), 0);
    assert_int_equal(fx_mount(false), 0);
    struct tfs_attr a;
    assert_int_equal(tfs_getattr(fx.vol, f, &a), 0);
    assert_int_equal(a.blocks, 8);
}

static void test_bad_op_in_good_record(void **state)
{
    (void)state;
    /* a record whose CRC is right but whose op names a missing inode */
    assert_int_equal(tfs_txn_begin(fx.vol, 300, false), 0);
    uint8_t b[8];
    tfs_put64(b, 4000);
    uint8_t *p = fx.vol->stage + fx.vol->stage_len;
    p[0] = TFS_OP_FREE;
    p[1] = p[2] = p[3] = 0;
    tfs_put32(p + 4, 8);
    memcpy(p + 8, b, 8);
    fx.vol->stage_len += 16;
    assert_int_equal(tfs_txn_end(fx.vol), 0);
    reopen_raw();
    assert_int_equal(fx_mount(false), -EUCLEAN);
    assert_true(fx_msg_has("free op: no such inode"));
    assert_int_equal(fx_fsck(false, NULL), 1);
    assert_int_equal(fx_fsck(true, NULL), 1);
    assert_int_equal(fx_fsck(false, NULL), 0);
}

/* The device block where the next commit starts, after committing what is staged. */
static uint64_t next_commit_block(void)
{
    assert_int_equal(tfs_sync(fx.vol), 0);
    return fx.vol->log.segs[fx.vol->log.nsegs - 1].start + fx.vol->log.pos / BS;
}

/* Recompute a record's CRC after changing it (what a buggy writer would have sealed). */
static void reseal(uint8_t *r)
{
    tfs_put32(r + 12, 0);
    tfs_put32(r + 12, tfs_crc32c(0, r, tfs_get32(r + 8)));
}

/* A record with a good CRC and chain but a header field the format does not allow is damage
 * (docs/tfs-format.md 3.3), not the end of the log: mount refuses, fsck -y repairs. */
static void damaged_header(unsigned off, uint16_t val, const char *msg)
{
    fx_create(ROOT, "a", TFS_S_IFREG);
    uint64_t blk = next_commit_block();
    fx_create(ROOT, "b", TFS_S_IFREG);
    assert_int_equal(next_commit_block(), blk + 1); /* one record, alone in its block */
    reopen_raw();
    uint8_t *r = fx.mem + blk * BS;
    tfs_put16(r + off, val);
    reseal(r);
    assert_int_equal(fx_mount(true), -EUCLEAN);
    assert_true(fx_msg_has(msg));
    assert_int_equal(fx_fsck(false, NULL), 1);
    assert_int_equal(fx_fsck(true, NULL), 1);
    assert_int_equal(fx_fsck(false, NULL), 0);
    assert_int_equal(fx_mount(false), 0);
    fx_ino(ROOT, "a");
}

static void test_unknown_record_type_is_damage(void **state)
{
    (void)state;
    damaged_header(4, 7, "unknown record type");
    uint64_t ino; /* fsck stepped over the record it cannot read */
    assert_int_equal(tfs_lookup(fx.vol, ROOT, N("b"), &ino), -ENOENT);
}

static void test_nonzero_record_reserved_is_damage(void **state)
{
    (void)state;
    damaged_header(38, 1, "nonzero reserved header bytes");
    fx_ino(ROOT, "b"); /* the rest of the record was good: fsck kept it */
}

/* fsck -y must leave a volume that checks clean (tools/tfskit/known.h
 * TFS_KNOWN_REPAIR_INCOMPLETE). A damaged checkpoint record that held the root: fsck stands
 * in an empty root and rewrites the log as a clean checkpoint. */
static void test_fsck_repairs_damaged_checkpoint(void **state)
{
    (void)state;
    fx_mkdir(ROOT, "d");
    assert_int_equal(tfs_compact(fx.vol), 0);
    uint64_t s = fx.vol->sb.log_start;
    reopen_raw();
    fx.mem[s * BS + 50] ^= 1;
    assert_true(fx_fsck(true, NULL) >= 2);
    assert_true(fx_msg_has("log: no root directory"));
    assert_int_equal(fx_fsck(false, NULL), 0);
    assert_int_equal(fx_mount(false), 0);
    fx_create(ROOT, "new", TFS_S_IFREG);
}

/* A directory whose entry was lost but which has a subdirectory: its holds count the child's
 * "..", yet it has no entry; repair moves it (with its subtree) to /lost+found. */
static void test_fsck_dir_without_entry_keeps_subtree(void **state)
{
    (void)state;
    uint64_t d = fx_mkdir(ROOT, "d"), e = fx_mkdir(d, "e");
    assert_int_equal(tfs_txn_begin(fx.vol, 300, false), 0);
    assert_int_equal(tfs_op_unlink(fx.vol, ROOT, N("d")), 0);
    assert_int_equal(tfs_txn_end(fx.vol), 0);
    reopen_raw();
    assert_true(fx_fsck(true, NULL) >= 1);
    assert_true(fx_msg_has("inode 2: no directory entry"));
    assert_int_equal(fx_fsck(false, NULL), 0);
    assert_int_equal(fx_mount(false), 0);
    uint64_t lf = fx_ino(ROOT, "lost+found");
    assert_int_equal(fx_ino(lf, "#2"), d);
    assert_int_equal(fx_ino(d, "e"), e);
    struct tfs_attr a;
    assert_int_equal(tfs_getattr(fx.vol, d, &a), 0);
    assert_int_equal(a.nlink, 3);
}

/* An entry naming an inode a later FREE deleted (its UNLINK lost): repair drops the entry. */
static void test_fsck_entry_to_freed_inode(void **state)
{
    (void)state;
    uint64_t f = fx_create(ROOT, "f", TFS_S_IFREG);
    assert_int_equal(tfs_txn_begin(fx.vol, 300, false), 0);
    assert_int_equal(tfs_op_free(fx.vol, f), 0);
    assert_int_equal(tfs_txn_end(fx.vol), 0);
    reopen_raw();
    assert_true(fx_fsck(true, NULL) >= 1);
    assert_int_equal(fx_fsck(false, NULL), 0);
    assert_int_equal(fx_mount(false), 0);
    uint64_t ino;
    assert_int_equal(tfs_lookup(fx.vol, ROOT, N("f"), &ino), -ENOENT);
}

/* Superblock 0 resealed with a bad size or log id at the same generation as superblock 1:
 * the copy that does not fit the device is not used, and a repair that compacts a log whose
 * id is the largest wraps it to 1 (0 is invalid); both superblocks end up equal and valid. */
static void reseal_sb0(unsigned off, uint64_t val)
{
    tfs_put64(fx.mem + off, val);
    tfs_put32(fx.mem + 252, tfs_crc32c(0, fx.mem, 252));
}

static void test_fsck_rewrites_superblocks(void **state)
{
    (void)state;
    fx_create(ROOT, "f", TFS_S_IFREG);
    reopen_raw();
    uint8_t good[256];
    memcpy(good, fx.mem, 256);
    reseal_sb0(24, ~0ULL); /* nblocks */
    assert_int_equal(fx_mount(true), 0);
    assert_true(fx_msg_has("superblock 0: volume larger than the device"));
    tfs_unmount(fx.vol);
    fx.vol = NULL;
    assert_int_equal(fx_fsck(true, NULL), 1);
    assert_int_equal(fx_fsck(false, NULL), 0);
    memcpy(fx.mem, good, 256);
    memcpy(fx.mem + BS, good, 256);
    reseal_sb0(88, ~0ULL); /* log_id */
    assert_true(fx_fsck(true, NULL) >= 1);
    assert_int_equal(fx_fsck(false, NULL), 0);
    assert_int_equal(memcmp(fx.mem, fx.mem + BS, 256), 0);
    assert_int_equal(fx_mount(false), 0);
}

static void test_random_damage_never_crashes(void **state)
{
    (void)state;
    uint32_t rng = 99;
    build_tree();
    reopen_raw();
    uint8_t *good = malloc(fx.nblocks * BS);
    memcpy(good, fx.mem, fx.nblocks * BS);
    unsigned refused = 0, mounted = 0;
    for (int i = 0; i < 300; i++) {
        memcpy(fx.mem, good, fx.nblocks * BS);
        for (int k = 0; k < 1 + i % 4; k++) {
            rng = rng * 1103515245u + 12345u;
            uint64_t blk = (rng >> 8) % 12; /* superblocks and the log's first blocks */
            rng = rng * 1103515245u + 12345u;
            uint32_t off = (rng >> 4) % BS;
            fx.mem[blk * BS + off] = (uint8_t)(rng >> 24);
        }
        int err = fx_mount(i % 2);
        if (err == 0) {
            mounted++;
            walk_all(fx.vol, ROOT, 0);
            tfs_unmount(fx.vol);
            fx.vol = NULL;
        } else {
            assert_true(err == -EUCLEAN || err == -EINVAL);
            refused++;
        }
        assert_true(fx_fsck(false, NULL) >= 0);
    }
    assert_true(refused > 0 && mounted > 0);
    free(good);
}


struct walk_ctx {
    struct tfs_vol *v;
    int depth;
};

static int walk_cb(void *arg, const char *name, size_t len, uint64_t ino, unsigned dtype,
                   uint64_t next)
{
    struct walk_ctx *w = arg;
    static uint8_t buf[3 * BS];
    char t[TFS_PATH_MAX];
    (void)next;
    if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
        return 0;
    if (dtype == TFS_DT_DIR && w->depth < 8)
        walk_all(w->v, ino, w->depth + 1);
    else if (dtype == TFS_DT_REG)
        tfs_read(w->v, ino, 0, buf, sizeof(buf));
    else if (dtype == TFS_DT_LNK)
        tfs_readlink(w->v, ino, t, sizeof(t));
    tfs_listxattr(w->v, ino, t, sizeof(t));
    return 0;
}

static void walk_all(struct tfs_vol *v, uint64_t dir, int depth)
{
    struct walk_ctx w = {v, depth};
    uint64_t cookie = 0;
    tfs_readdir(v, dir, &cookie, walk_cb, &w);
}

/*
 * Damage with valid checksums: change bytes inside one record's payload and re-seal its
 * CRC, so replay must judge the contents. The next record's prev_crc no longer matches:
 * the log ends there, or, inside the checkpoint, the mount is refused.
 */
static void test_resealed_damage(void **state)
{
    (void)state;
    uint32_t rng = 2024;
    const char *env = getenv("PETREL_TFS_DAMAGE_ITERS");
    unsigned iters = env ? (unsigned)strtoul(env, NULL, 10) : 400;
    build_tree();
    assert_int_equal(tfs_compact(fx.vol), 0); /* a checkpoint with every op kind */
    fx_create(ROOT, "late", TFS_S_IFREG);
    reopen_raw();
    uint8_t *good = malloc(fx.nblocks * BS);
    memcpy(good, fx.mem, fx.nblocks * BS);
    struct tfs_sb sb;
    const char *why;
    assert_int_equal(tfs_sb_decode(good, &sb, &why), 0);
    /* the records of the first segment */
    uint64_t offs[512];
    unsigned nrec = 0;
    for (uint64_t pos = 0; nrec < 512 && pos + TFS_REC_HDR < (sb.log_len - 1) * BS;) {
        const uint8_t *r = good + sb.log_start * BS + pos;
        uint32_t len = tfs_get32(r + 8);
        if (tfs_get32(r) != TFS_REC_MAGIC || len < TFS_REC_HDR || len % 8)
            break;
        offs[nrec++] = pos;
        pos += len;
        if (tfs_get16(r + 6) & TFS_REC_F_ENDBLK)
            pos = (pos + BS - 1) / BS * BS;
    }
    assert_true(nrec >= 2);
    unsigned refused = 0;
    for (unsigned i = 0; i < iters; i++) {
        memcpy(fx.mem, good, fx.nblocks * BS);
        rng = rng * 1103515245u + 12345u;
        uint8_t *r = fx.mem + sb.log_start * BS + offs[(rng >> 8) % nrec];
        uint32_t len = tfs_get32(r + 8);
        for (int k = 0; k < 1 + (int)(i % 3); k++) {
            rng = rng * 1103515245u + 12345u;
            uint32_t off = TFS_REC_HDR + (rng >> 4) % (len - TFS_REC_HDR);
            rng = rng * 1103515245u + 12345u;
            r[off] = (i % 4 == 0) ? 0 : (i % 4 == 1) ? 0xff : (uint8_t)(rng >> 20);
        }
        tfs_put32(r + 12, 0);
        tfs_put32(r + 12, tfs_crc32c(0, r, len));
        int err = fx_mount(i % 2);
        if (err == 0) {
            walk_all(fx.vol, ROOT, 0);
            tfs_unmount(fx.vol);
            fx.vol = NULL;
        } else {
            assert_true(err == -EUCLEAN || err == -EINVAL);
            refused++;
            assert_true(fx_fsck(false, NULL) >= 1);
        }
    }
    assert_true(refused > 0);
    free(good);
}

static void test_garbage_images(void **state)
{
    (void)state;
    uint32_t rng = 4242;
    reopen_raw();
    for (int i = 0; i < 50; i++) {
        for (uint64_t j = 0; j < 16 * BS; j++) {
            rng = rng * 1103515245u + 12345u;
            fx.mem[j] = (uint8_t)(rng >> 16);
        }
        if (i % 2) { /* keep a plausible superblock 0, garbage behind it */
            struct tfs_sb sb = {0};
            sb.nblocks = fx.nblocks;
            sb.generation = 1;
            sb.log_id = 1;
            sb.log_seq0 = 1;
            sb.ckpt_end = 1 + (uint64_t)(i % 3);
            sb.log_start = 2 + (uint64_t)i;
            sb.log_len = 4;
            tfs_sb_encode(&sb, fx.mem);
        }
        int err = fx_mount(false);
        assert_true(err == -EUCLEAN || err == -EINVAL);
        assert_true(fx_fsck(false, NULL) >= 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_remount_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compaction_remount, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auto_compaction_bounds_log, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sync_points, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_anywhere, setup, teardown),
        cmocka_unit_test_setup_teardown(test_orphan_freed_after_crash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_reuse_before_free_is_durable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_io_error_forces_readonly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly_mount, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fsck_clean, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_superblock_copy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_checkpoint_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_torn_tail_is_end_of_log, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fsck_link_count_repair, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fsck_orphan_to_lost_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fsck_overlapping_extents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fsck_written_past_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_op_in_good_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_record_type_is_damage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nonzero_record_reserved_is_damage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fsck_repairs_damaged_checkpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fsck_dir_without_entry_keeps_subtree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fsck_entry_to_freed_inode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fsck_rewrites_superblocks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_damage_never_crashes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resealed_damage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_images, setup, teardown),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
