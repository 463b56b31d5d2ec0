/*
 * fuzz_tfs_image.c - fuzz target: an arbitrary TFS image (fs/tfs mount, replay, fsck, reads).
 *
 * The input is the start of a volume: it is copied into a zeroed memory device as large as
 * superblock 0 says the volume is (bounded by MAX_BLOCKS; at least the input and
 * TFS_MIN_BLOCKS), so trimmed images (the corpus cuts trailing zeros) mount whole. For each
 * input (FUZZ_TFS_VERBOSE=1 prints the verdicts):
 *   1. tfs_fsck (check only) runs to the end;
 *   2. a read-only mount either refuses with -EUCLEAN/-EINVAL/-EIO or mounts; mounted, the
 *      whole tree is walked and every file read (bounded), then it unmounts;
 *   3. when fsck found no problem the mount must have succeeded, and a read-write mount of a
 *      copy, a few changes (create, write, rename, unlink, sync) and an unmount must leave a
 *      volume that fsck still finds clean.
 * A broken invariant prints what broke and aborts. The corpus comes from gen_corpus.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/driver/fuzz_target.h"
#include "tools/tfskit/tfskit.h"

#define MAX_BLOCKS 1024u

static struct tfskit_clock clk = {1700000000LL * 1000000000LL};
static uint8_t *img, *copy;

static void broken(const char *what, long v, const char *msgs)
{
    fprintf(stderr, "fuzz_tfs_image: invariant broken: %s (%ld)\n%s\n", what, v, msgs);
    abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    if (tfskit_kernel_init(256u << 20))
        abort();
    img = malloc((size_t)MAX_BLOCKS * TFS_BLOCK_SIZE);
    copy = malloc((size_t)MAX_BLOCKS * TFS_BLOCK_SIZE);
    return 0;
}

static int check(uint8_t *mem, uint64_t nblocks, struct tfskit_msgs *msgs)
{
    struct tfs_memdev md;
    tfs_memdev_init(&md, mem, nblocks);
    struct tfs_fsck_opts fo = {.report = tfskit_report_collect, .report_arg = msgs};
    return tfs_fsck(&md.dev, &fo, NULL);
}

static void walk_ro(uint64_t nblocks, int fsck_rc, struct tfskit_msgs *msgs)
{
    struct tfs_memdev md;
    struct tfs_vol *vol;
    tfs_memdev_init(&md, img, nblocks);
    md.dev.read_only = true;
    struct tfs_mount_opts mo = {.read_only = true, .clock = tfskit_clock_read, .clock_arg = &clk,
                                .report = tfskit_report_collect, .report_arg = msgs};
    int rc = tfs_mount(&md.dev, &mo, &vol);
    if (rc && rc != -EUCLEAN && rc != -EINVAL && rc != -EIO && rc != -ENOMEM)
        broken("mount returned an unexpected error", rc, msgs->buf);
    if (rc == 0 && fsck_rc < 0)
        broken("mount succeeded where fsck could not run", fsck_rc, msgs->buf);
    if (rc && fsck_rc == 0)
        broken("fsck found the volume clean but mount refused it", rc, msgs->buf);
    if (getenv("FUZZ_TFS_VERBOSE"))
        fprintf(stderr, "fuzz_tfs_image: mount %d\n", rc);
    if (rc)
        return;
    struct snap s;
    char err[256];
    struct tfskit_walk_limits lim = {.max_entries = 4096, .max_data = 1u << 20};
    tfskit_snap_tfs(vol, &s, &lim, err, sizeof(err));
    snap_free(&s);
    struct tfs_statfs st;
    tfs_statfs(vol, &st);
    tfs_unmount(vol);
}

/* A clean volume must stay clean through a few changes and an unmount. */
static void change_clean(uint64_t nblocks)
{
    struct tfs_memdev md;
    struct tfs_vol *vol;
    struct tfskit_msgs msgs = {0};
    memcpy(copy, img, (size_t)nblocks * TFS_BLOCK_SIZE);
    tfs_memdev_init(&md, copy, nblocks);
    struct tfs_mount_opts mo = {.clock = tfskit_clock_read, .clock_arg = &clk,
                                .report = tfskit_report_collect, .report_arg = &msgs};
    int rc = tfs_mount(&md.dev, &mo, &vol);
    if (rc)
        broken("read-write mount of a clean volume failed", rc, msgs.buf);
    uint64_t ino, d;
    static const char data[] = "fuzz data, fuzz data, fuzz data";
    if (tfs_create(vol, TFS_ROOT_INO, "fz.new", 6, TFS_S_IFREG | 0644, 0, 0, 0, &ino) == 0) {
        tfs_write(vol, ino, 100, data, sizeof(data));
        tfs_rename(vol, TFS_ROOT_INO, "fz.new", 6, TFS_ROOT_INO, "fz.renamed", 10, 0);
    }
    if (tfs_create(vol, TFS_ROOT_INO, "fz.dir", 6, TFS_S_IFDIR | 0755, 0, 0, 0, &d) == 0)
        tfs_rmdir(vol, TFS_ROOT_INO, "fz.dir", 6);
    tfs_sync(vol);
    tfs_unlink(vol, TFS_ROOT_INO, "fz.renamed", 10);
    rc = tfs_unmount(vol);
    if (rc && rc != -ENOSPC)
        broken("unmount after changes failed", rc, "");
    rc = check(copy, nblocks, &msgs);
    if (rc != 0)
        broken("a clean volume is damaged after mount, changes and unmount", rc, msgs.buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t nblocks = (size + TFS_BLOCK_SIZE - 1) / TFS_BLOCK_SIZE, claimed = 0;
    if (size >= 32)
        for (int i = 7; i >= 0; i--)
            claimed = claimed << 8 | data[24 + i]; /* superblock 0's nblocks */
    if (claimed > nblocks && claimed <= MAX_BLOCKS)
        nblocks = claimed;
    if (nblocks < TFS_MIN_BLOCKS)
        nblocks = TFS_MIN_BLOCKS;
    if (nblocks > MAX_BLOCKS)
        return 0;
    memset(img, 0, (size_t)nblocks * TFS_BLOCK_SIZE);
    memcpy(img, data, size);
    struct tfskit_msgs msgs = {0};
    int fsck_rc = check(img, nblocks, &msgs);
    if (getenv("FUZZ_TFS_VERBOSE"))
        fprintf(stderr, "fuzz_tfs_image: %zu bytes, %llu blocks, fsck %d\n%s", size,
                (unsigned long long)nblocks, fsck_rc, msgs.buf);
    walk_ro(nblocks, fsck_rc, &msgs);
    if (fsck_rc == 0)
        change_clean(nblocks);
    return 0;
}
