/*
 * fixture.c - see fixture.h.
 */
#include "tests/unit/tfs/fixture.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/lib/alloc.h"
#include "hal_hosted/hosted.h"

struct fx fx;

int fx_group_setup(void **state)
{
    static struct hal_boot_info info;
    (void)state;
    if (hosted_ram_init(768u << 20, &info))
        return -1;
    page_init(&info);
    return 0;
}

int fx_group_teardown(void **state)
{
    (void)state;
    fx_free();
    hosted_ram_fini();
    return 0;
}

void fx_clock(void *arg, struct tfs_time *t)
{
    (void)arg;
    t->sec = fx.clock_ns / 1000000000LL;
    t->nsec = (uint32_t)(fx.clock_ns % 1000000000LL);
    fx.clock_ns += 1000000123LL;
}

void fx_report(void *arg, const char *msg)
{
    (void)arg;
    size_t used = strlen(fx.msgs);
    if (getenv("PETREL_TFS_VERBOSE"))
        fprintf(stderr, "tfs: %s\n", msg);
    snprintf(fx.msgs + used, sizeof(fx.msgs) - used, "%s\n", msg);
    fx.nmsgs++;
}

bool fx_msg_has(const char *needle)
{
    return strstr(fx.msgs, needle) != NULL;
}

struct tfs_mount_opts fx_opts(bool ro)
{
    struct tfs_mount_opts o = {0};
    o.read_only = ro;
    o.clock = fx_clock;
    o.report = fx_report;
    return o;
}

int fx_mount(bool ro)
{
    struct tfs_mount_opts o = fx_opts(ro);
    fx.msgs[0] = '\0';
    fx.nmsgs = 0;
    return tfs_mount(&fx.md.dev, &o, &fx.vol);
}

void fx_free(void)
{
    if (fx.vol)
        tfs_unmount(fx.vol);
    fx.vol = NULL;
    free(fx.mem);
    fx.mem = NULL;
}

void fx_new(uint64_t nblocks)
{
    struct tfs_format_opts fo = {0};
    fx_free();
    fx.nblocks = nblocks;
    fx.mem = calloc(nblocks, TFS_BLOCK_SIZE);
    assert_non_null(fx.mem);
    fx.clock_ns = 1700000000LL * 1000000000LL + 5;
    tfs_memdev_init(&fx.md, fx.mem, nblocks);
    fo.label = "test";
    memcpy(fo.uuid, "0123456789abcdef", 16);
    fo.now.sec = 1600000000;
    fo.now.nsec = 42;
    assert_int_equal(tfs_format(&fx.md.dev, &fo), 0);
    assert_int_equal(fx_mount(false), 0);
}

void fx_remount(void)
{
    assert_int_equal(tfs_unmount(fx.vol), 0);
    fx.vol = NULL;
    int err = fx_mount(false);
    if (err)
        fprintf(stderr, "remount failed %d: %s\n", err, fx.msgs);
    assert_int_equal(err, 0);
}

uint64_t fx_create(uint64_t dir, const char *name, uint32_t mode)
{
    uint64_t ino = 0;
    assert_int_equal(tfs_create(fx.vol, dir, name, strlen(name), mode, 0, 0, 0, &ino), 0);
    return ino;
}

uint64_t fx_mkdir(uint64_t dir, const char *name)
{
    return fx_create(dir, name, TFS_S_IFDIR | 0755);
}

uint64_t fx_ino(uint64_t dir, const char *name)
{
    uint64_t ino = 0;
    assert_int_equal(tfs_lookup(fx.vol, dir, name, strlen(name), &ino), 0);
    return ino;
}

void fx_write(uint64_t ino, uint64_t off, const void *buf, size_t len)
{
    assert_int_equal(tfs_write(fx.vol, ino, off, buf, len), (int64_t)len);
}

void fx_pattern(uint8_t *buf, size_t len, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (uint8_t)x;
    }
}

int fx_fsck(bool repair, struct tfs_fsck_result *res)
{
    struct tfs_fsck_opts o = {0};
    o.repair = repair;
    o.report = fx_report;
    o.clock = fx_clock;
    fx.msgs[0] = '\0';
    fx.nmsgs = 0;
    return tfs_fsck(&fx.md.dev, &o, res);
}
