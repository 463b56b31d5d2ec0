/*
 * gen_corpus.c - writes the seed corpora of fuzz/tfs_image and fuzz/tfs_ops.
 *
 *   tfs_gen_corpus image DIR   small TFS volumes built through the API (empty, a tree with every
 *                              node kind, compacted, fallocate/punch, an orphan, a log of many
 *                              segments, two damaged copies), each trimmed of trailing zeros
 *   tfs_gen_corpus ops DIR     byte strings that opexec decodes into operation sequences
 *
 * Deterministic (fixed UUID, clock and seeds). The images are 128-block volumes whose content
 * sits in their first blocks (trailing zeros are cut). Rerun after a format change and commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hal/hal_errno.h"

#include "tools/tfskit/tfskit.h"

#define NB 128u
#define BYTES ((size_t)NB * TFS_BLOCK_SIZE)

static struct tfskit_clock clk = {1700000000LL * 1000000000LL};
static const char *outdir;

static void must(long rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "tfs_gen_corpus: %s: %ld\n", what, rc);
        exit(1);
    }
}

static void save(const char *name, const uint8_t *img, size_t n)
{
    while (n > 0 && img[n - 1] == 0)
        n--;
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", outdir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(img, 1, n, f) != n || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static struct tfs_vol *fresh(uint8_t *img, struct tfs_memdev *md)
{
    struct tfs_vol *v;
    memset(img, 0, BYTES);
    tfs_memdev_init(md, img, NB);
    struct tfs_format_opts fo = {.label = "seed", .now = tfskit_ns_time(clk.ns),
                                 .root_mode = 0755, .uuid = {0x5e, 0xed}};
    struct tfs_mount_opts mo = {.clock = tfskit_clock_read, .clock_arg = &clk};
    must(tfs_format(&md->dev, &fo), "format");
    must(tfs_mount(&md->dev, &mo, &v), "mount");
    return v;
}

static uint64_t mk(struct tfs_vol *v, uint64_t dir, const char *name, uint32_t mode)
{
    uint64_t ino;
    must(tfs_create(v, dir, name, strlen(name), mode, 0, 0, 0, &ino), name);
    return ino;
}

static void tree(struct tfs_vol *v)
{
    uint64_t d = mk(v, TFS_ROOT_INO, "dir", TFS_S_IFDIR | 0755);
    uint64_t f = mk(v, d, "file", TFS_S_IFREG | 0644);
    must(tfs_write(v, f, 0, "hello, world\n", 13), "write");
    uint64_t s;
    must(tfs_symlink(v, TFS_ROOT_INO, "link", 4, "dir/file", 8, 0, 0, &s), "symlink");
    must(tfs_link(v, f, TFS_ROOT_INO, "hard", 4), "link");
    must(tfs_setxattr(v, f, "user.k", "v", 1, 0), "xattr");
    mk(v, TFS_ROOT_INO, "fifo", TFS_S_IFIFO | 0600);
    uint64_t g = mk(v, TFS_ROOT_INO, "big", TFS_S_IFREG | 0600);
    static uint8_t buf[9000];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 13);
    must(tfs_write(v, g, 0, buf, sizeof(buf)), "write big");
}

static void images(void)
{
    uint8_t *img = malloc(BYTES);
    struct tfs_memdev md;
    struct tfs_vol *v = fresh(img, &md);
    must(tfs_unmount(v), "unmount");
    save("image-empty", img, BYTES);

    v = fresh(img, &md);
    tree(v);
    must(tfs_unmount(v), "unmount");
    save("image-tree", img, BYTES);
    uint8_t *bad = malloc(BYTES);
    memcpy(bad, img, BYTES);
    bad[100] ^= 0x40; /* superblock 0 damaged: the copy is used */
    save("image-tree-bad-super0", bad, BYTES);
    memcpy(bad, img, BYTES);
    memset(bad + 2 * TFS_BLOCK_SIZE + 200, 0xee, 16); /* a damaged checkpoint-free log */
    save("image-tree-bad-record", bad, BYTES);
    free(bad);

    v = fresh(img, &md);
    tree(v);
    must(tfs_compact(v), "compact");
    must(tfs_rename(v, TFS_ROOT_INO, "hard", 4, TFS_ROOT_INO, "link", 4, TFS_RENAME_EXCHANGE),
         "exchange");
    must(tfs_unmount(v), "unmount");
    save("image-compacted", img, BYTES);

    v = fresh(img, &md);
    tree(v);
    uint64_t big;
    must(tfs_lookup(v, TFS_ROOT_INO, "big", 3, &big), "lookup");
    must(tfs_fallocate(v, big, TFS_FALLOC_KEEP_SIZE, 0, 20000), "fallocate");
    must(tfs_fallocate(v, big, TFS_FALLOC_PUNCH_HOLE | TFS_FALLOC_KEEP_SIZE, 4096, 4096), "punch");
    must(tfs_truncate(v, big, 5000), "truncate");
    must(tfs_unlink(v, TFS_ROOT_INO, "hard", 4), "unlink");
    must(tfs_unmount(v), "unmount");
    save("image-falloc-punch-truncate", img, BYTES);

    v = fresh(img, &md); /* an orphan: unlinked while held, then a crash */
    uint64_t o = mk(v, TFS_ROOT_INO, "orphan", TFS_S_IFREG | 0644);
    must(tfs_write(v, o, 0, "orphan data", 11), "write");
    must(tfs_hold(v, o), "hold");
    must(tfs_unlink(v, TFS_ROOT_INO, "orphan", 6), "unlink");
    must(tfs_sync(v), "sync");
    save("image-orphan", img, BYTES);
    must(tfs_release(v, o), "release");
    must(tfs_unmount(v), "unmount");

    v = fresh(img, &md); /* many commits: a log of several linked segments */
    uint64_t x = mk(v, TFS_ROOT_INO, "x", TFS_S_IFREG | 0644);
    for (int i = 0; i < 12; i++) {
        char val[64];
        snprintf(val, sizeof(val), "value number %d", i);
        must(tfs_setxattr(v, x, "user.n", val, strlen(val), 0), "xattr");
        must(tfs_sync(v), "sync");
    }
    must(tfs_unmount(v), "unmount");
    save("image-many-segments", img, BYTES);
    free(img);
}

static void ops(void)
{
    uint64_t rng = 42;
    uint8_t buf[4096];
    for (int i = 0; i < 24; i++) {
        size_t n = 64 + tfskit_rand_below(&rng, 4000);
        for (size_t k = 0; k < n; k++)
            buf[k] = (uint8_t)tfskit_rand(&rng);
        char name[64];
        snprintf(name, sizeof(name), "ops-random-%02d", i);
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", outdir, name);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(buf, 1, n, f) != n || fclose(f)) {
            perror(path);
            exit(1);
        }
    }
    for (int v = 0; v < 3; v++) { /* uniform bytes: the first, middle and last choices */
        memset(buf, v == 0 ? 0 : v == 1 ? 0x80 : 0xff, 1024);
        char path[512];
        snprintf(path, sizeof(path), "%s/ops-uniform-%02x", outdir, buf[0]);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(buf, 1, 1024, f) != 1024 || fclose(f)) {
            perror(path);
            exit(1);
        }
    }
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "image") && strcmp(argv[1], "ops"))) {
        fprintf(stderr, "usage: tfs_gen_corpus image|ops DIR\n");
        return 2;
    }
    outdir = argv[2];
    if (tfskit_kernel_init(64u << 20))
        return 1;
    if (!strcmp(argv[1], "image"))
        images();
    else
        ops();
    return 0;
}
