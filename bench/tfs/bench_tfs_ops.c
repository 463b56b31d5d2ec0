/*
 * bench_tfs_ops.c - TFS through its API, in memory (bench/tfs/run; never a timed test).
 *
 *   bench_tfs_ops [--files N] [--mount-files M] [--dir D]
 *
 * 1. Create N empty files (1,000 per directory), sync; then look up and stat each by name.
 *    Prints operations per second for both phases.
 * 2. Build a volume of M empty files (50,000 per directory), unmount it; then time a mount
 *    and measure the kernel memory the mounted volume holds (pages taken from the kernel
 *    allocator, which every TFS allocation comes from), per file. Targets from issue 3:
 *    mount under 1 s and under 200 bytes of RAM per file for M = 1,000,000.
 * Volumes are memory devices; --dir is accepted for symmetry with the run script (unused).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/lib/alloc.h"
#include "tools/tfskit/tfskit.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void must(long rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "bench_tfs_ops: %s: %ld\n", what, rc);
        exit(1);
    }
}

static struct tfs_vol *volume(uint8_t **mem, uint64_t nblocks, struct tfs_memdev *md,
                              struct tfskit_clock *clk)
{
    struct tfs_vol *v;
    *mem = calloc(nblocks, TFS_BLOCK_SIZE);
    if (!*mem)
        must(-12, "volume memory");
    tfs_memdev_init(md, *mem, nblocks);
    struct tfs_format_opts fo = {.label = "bench", .root_mode = 0755};
    struct tfs_mount_opts mo = {.clock = tfskit_clock_read, .clock_arg = clk};
    must(tfs_format(&md->dev, &fo), "format");
    must(tfs_mount(&md->dev, &mo, &v), "mount");
    return v;
}

static void fill(struct tfs_vol *v, unsigned long n, unsigned per_dir, uint64_t *dirs)
{
    char name[32];
    for (unsigned long i = 0; i < n; i++) {
        if (i % per_dir == 0) {
            snprintf(name, sizeof(name), "d%05lu", i / per_dir);
            must(tfs_create(v, TFS_ROOT_INO, name, strlen(name), TFS_S_IFDIR | 0755, 0, 0, 0,
                            &dirs[i / per_dir]), "mkdir");
        }
        uint64_t ino;
        int len = snprintf(name, sizeof(name), "file%07lu", i);
        must(tfs_create(v, dirs[i / per_dir], name, (size_t)len, TFS_S_IFREG | 0644, 0, 0, 0,
                        &ino), "create");
    }
}

static void create_stat(unsigned long n)
{
    struct tfskit_clock clk = {1700000000LL * 1000000000LL};
    struct tfs_memdev md;
    uint8_t *mem;
    uint64_t nblocks = 16384 + n / 4;
    struct tfs_vol *v = volume(&mem, nblocks, &md, &clk);
    uint64_t *dirs = calloc(n / 1000 + 1, sizeof(*dirs));
    double t0 = now_s();
    fill(v, n, 1000, dirs);
    must(tfs_sync(v), "sync");
    double t1 = now_s();
    char name[32];
    for (unsigned long i = 0; i < n; i++) {
        uint64_t ino;
        struct tfs_attr a;
        int len = snprintf(name, sizeof(name), "file%07lu", i);
        must(tfs_lookup(v, dirs[i / 1000], name, (size_t)len, &ino), "lookup");
        must(tfs_getattr(v, ino, &a), "getattr");
    }
    double t2 = now_s();
    printf("create %lu files + sync: %.3f s (%.0f files/s)\n", n, t1 - t0, n / (t1 - t0));
    printf("lookup + stat %lu files: %.3f s (%.0f files/s)\n", n, t2 - t1, n / (t2 - t1));
    must(tfs_unmount(v), "unmount");
    free(dirs);
    free(mem);
}

static uint64_t pages_used(void)
{
    struct page_stats ps;
    page_get_stats(&ps);
    return ps.total_pages - ps.free_pages;
}

static void mount_big(unsigned long n)
{
    struct tfskit_clock clk = {1700000000LL * 1000000000LL};
    struct tfs_memdev md;
    uint8_t *mem;
    uint64_t nblocks = 65536 + n / 8;
    struct tfs_vol *v = volume(&mem, nblocks, &md, &clk);
    uint64_t *dirs = calloc(n / 50000 + 1, sizeof(*dirs));
    double t0 = now_s();
    fill(v, n, 50000, dirs);
    must(tfs_unmount(v), "unmount");
    double t1 = now_s();
    printf("built a volume of %lu files in %.1f s\n", n, t1 - t0);
    uint64_t before = pages_used();
    struct tfs_mount_opts mo = {.clock = tfskit_clock_read, .clock_arg = &clk};
    double t2 = now_s();
    must(tfs_mount(&md.dev, &mo, &v), "mount");
    double t3 = now_s();
    uint64_t bytes = (pages_used() - before) * PAGE_SIZE;
    struct tfs_statfs st;
    tfs_statfs(v, &st);
    printf("mount of %lu files: %.3f s (target < 1 s); %.1f MiB of kernel memory, %.0f bytes "
           "per file (target < 200); log %llu blocks\n", n, t3 - t2, bytes / 1048576.0,
           (double)bytes / n, (unsigned long long)st.log_blocks);
    must(tfs_unmount(v), "unmount");
    free(dirs);
    free(mem);
}

int main(int argc, char **argv)
{
    unsigned long files = 100000, mount_files = 1000000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--files"))
            files = strtoul(argv[i + 1], NULL, 0);
        else if (!strcmp(argv[i], "--mount-files"))
            mount_files = strtoul(argv[i + 1], NULL, 0);
        else if (strcmp(argv[i], "--dir")) {
            fprintf(stderr, "usage: bench_tfs_ops [--files N] [--mount-files M] [--dir D]\n");
            return 2;
        }
    }
    if (tfskit_kernel_init((size_t)3 << 30))
        return 1;
    if (files)
        create_stat(files);
    if (mount_files)
        mount_big(mount_files);
    return 0;
}
