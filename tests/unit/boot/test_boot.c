/*
 * test_boot.c - core/boot: the boot and mount policy on a hosted machine with a TFS image on
 * block device 0. The page-cache flusher runs on this path: a write the program never syncs
 * is not on the disk right after the write (the page cache holds it) and is there once the
 * flusher's interval has passed twice on the virtual clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/boot/boot.h"
#include "core/proc/proc.h"
#include "core/sched/sched.h"
#include "fs/tfs/tfs.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"
#include "hal_hosted/hosted.h"

#define IMG_BLOCKS 2048
#define PATTERN 4096
static uint8_t *img;
static uint8_t pattern[PATTERN];

static void img_clock(void *arg, struct tfs_time *now)
{
    (void)arg;
    now->sec = 1700000000;
    now->nsec = 0;
}

/* Format the image: an empty root holding the configuration and a /dev directory. */
static int mkimg_entry(void *arg)
{
    const char *conf = "(program:/bin/none cwd:/)";
    struct tfs_memdev md;
    struct tfs_format_opts fo = {0};
    struct tfs_mount_opts mo = {false, img_clock, NULL, NULL, NULL};
    struct tfs_vol *vol;
    uint64_t dev;
    int rc;

    (void)arg;
    tfs_memdev_init(&md, img, IMG_BLOCKS);
    rc = tfs_format(&md.dev, &fo);
    if (rc == 0)
        rc = tfs_mount(&md.dev, &mo, &vol);
    if (rc)
        return 100;
    rc = tfs_create(vol, TFS_ROOT_INO, "dev", 3, TFS_S_IFDIR | 0755, 0, 0, 0, &dev);
    if (rc == 0)
        rc = tfs_setxattr(vol, TFS_ROOT_INO, BOOT_CONFIG_XATTR, conf, strlen(conf), 0);
    return tfs_unmount(vol) || rc ? 101 : 0;
}

static bool img_has_pattern(void)
{
    for (size_t off = 0; off + PATTERN <= (size_t)IMG_BLOCKS * TFS_BLOCK_SIZE; off += 512)
        if (memcmp(img + off, pattern, PATTERN) == 0)
            return true;
    return false;
}

/* The init thread's "program": mount as boot does, write without syncing, wait. */
static int flusher_entry(void *arg)
{
    struct proc_config cfg;
    struct vfs_file *f;
    struct vfs_stat st;
    int rc = boot_mount("", &cfg);

    (void)arg;
    if (rc)
        return 10;
    if (strcmp(cfg.program, "/bin/none") != 0)
        return 11;
    proc_config_free(&cfg);
    if (vfs_statat(NULL, "/dev/null", 0, &st)) /* /dev mounted and populated */
        return 12;
    if (vfs_flusher_start(1000000000ULL) != -EBUSY) /* it is running already */
        return 13;
    if (vfs_openat(NULL, "/data", VFS_O_CREAT | VFS_O_RDWR, 0644, &f))
        return 14;
    if (vfs_pwrite(f, pattern, PATTERN, 0) != PATTERN)
        return 15;
    if (img_has_pattern())
        return 16; /* written through: nothing left for the flusher to prove */
    sched_sleep_until(hal_clock_ns() + 2 * BOOT_FLUSH_INTERVAL_NS + 1000000000ULL);
    rc = img_has_pattern() ? 0 : 17;
    vfs_file_put(f);
    return rc;
}

static void flusher_runs_on_boot_path(void **state)
{
    struct hosted_config c;

    (void)state;
    img = calloc(IMG_BLOCKS, TFS_BLOCK_SIZE);
    assert_non_null(img);
    for (size_t i = 0; i < PATTERN; i++)
        pattern[i] = (uint8_t)(i * 131 + (i >> 8) * 7 + 1);
    memset(&c, 0, sizeof(c));
    c.entry = mkimg_entry;
    assert_int_equal(hosted_boot(&c), 0);
    memset(&c, 0, sizeof(c));
    c.ram_bytes = 64u << 20;
    c.nblk = 1;
    c.blk[0].mem = img;
    c.blk[0].mem_size = (size_t)IMG_BLOCKS * TFS_BLOCK_SIZE;
    c.entry = flusher_entry;
    assert_int_equal(hosted_boot(&c), 0);
    free(img);
}

/* Without a block device nothing is configured, and boot_mount says so. */
static int nodev_entry(void *arg)
{
    struct proc_config cfg;

    (void)arg;
    return boot_mount(NULL, &cfg) == 0 || cfg.program ? 1 : 0;
}

static void no_device(void **state)
{
    struct hosted_config c;

    (void)state;
    memset(&c, 0, sizeof(c));
    c.entry = nodev_entry;
    assert_int_equal(hosted_boot(&c), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(flusher_runs_on_boot_path),
        cmocka_unit_test(no_device),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
