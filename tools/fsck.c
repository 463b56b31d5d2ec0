/*
 * fsck - check (and with -y repair) a TFS image with the library checker tfs_fsck().
 *
 *   fsck [-n|-y] [-q] image
 *
 * -n (the default) opens the image read-only and only reports; -y repairs what tfs_fsck
 * can repair safely, then checks again. Each problem is one line on stdout prefixed with the
 * image name. Exit status (e2fsck's convention, docs/tools.md):
 *   0 clean, 1 problems found and all repaired, 4 problems left, 8 fsck could not run,
 *   16 usage error.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "tools/tfskit/tfskit.h"
#include "tools/tools.h"

static void usage(void)
{
    fprintf(stderr, "usage: fsck [-n|-y] [-q] image\n"
                    "  -n  check only, never write (default)\n"
                    "  -y  repair what is safely repairable\n"
                    "  -q  print problems only, no summary\n");
}

struct out {
    const char *image;
    unsigned lines;
};

static void report(void *arg, const char *msg)
{
    struct out *o = arg;
    o->lines++;
    printf("%s: %s\n", o->image, msg);
}

static int run(const char *image, bool repair, struct out *o, struct tfs_fsck_result *res)
{
    struct tfskit_filedev fdev;
    int rc = tfskit_filedev_open(&fdev, image, repair ? 0 : TFSKIT_OPEN_RDONLY, 0);
    if (rc) {
        fprintf(stderr, "fsck: %s: %s\n", image, strerror(-rc));
        return rc;
    }
    struct tfs_fsck_opts fo = {.repair = repair, .report = report, .report_arg = o,
                               .clock = tfskit_clock_real};
    memset(res, 0, sizeof(*res));
    rc = tfs_fsck(&fdev.dev, &fo, res);
    int crc = tfskit_filedev_close(&fdev);
    if (rc >= 0 && crc) {
        fprintf(stderr, "fsck: %s: %s\n", image, strerror(-crc));
        return crc;
    }
    if (rc < 0)
        fprintf(stderr, "fsck: %s: the check could not run: %s\n", image, strerror(-rc));
    return rc;
}

int main(int argc, char **argv)
{
    bool repair = false, quiet = false, said_n = false;
    int c;
    while ((c = getopt(argc, argv, "nyqh")) != -1) {
        switch (c) {
        case 'n': said_n = true; break;
        case 'y': repair = true; break;
        case 'q': quiet = true; break;
        default: usage(); return TOOLS_FSCK_USAGE;
        }
    }
    if (optind != argc - 1 || (said_n && repair)) {
        usage();
        return TOOLS_FSCK_USAGE;
    }
    const char *image = argv[optind];
    int rc = tfskit_kernel_init(0);
    if (rc) {
        fprintf(stderr, "fsck: kernel heap: %s\n", strerror(-rc));
        return TOOLS_FSCK_FAILED;
    }
    struct out o = {.image = image};
    struct tfs_fsck_result res;
    rc = run(image, repair, &o, &res);
    if (rc < 0)
        return TOOLS_FSCK_FAILED;
    if (rc > 0 && repair) {
        uint64_t found = res.problems, fixed = res.repaired;
        struct out again = {.image = image};
        rc = run(image, false, &again, &res); /* what is left after the repair */
        if (rc < 0)
            return TOOLS_FSCK_FAILED;
        if (!quiet)
            printf("%s: %llu problems, %llu repaired, %d left\n", image,
                   (unsigned long long)found, (unsigned long long)fixed, rc);
        return rc ? TOOLS_FSCK_DAMAGED : TOOLS_FSCK_REPAIRED;
    }
    if (!quiet)
        printf("%s: %s: %llu inodes (%llu dirs, %llu files, %llu symlinks), %llu extents, "
               "%llu log records, %llu blocks used, %llu free\n",
               image, rc ? "DAMAGED" : "clean", (unsigned long long)res.inodes,
               (unsigned long long)res.dirs, (unsigned long long)res.files,
               (unsigned long long)res.symlinks, (unsigned long long)res.extents,
               (unsigned long long)res.log_records, (unsigned long long)res.used_blocks,
               (unsigned long long)res.free_blocks);
    return rc ? TOOLS_FSCK_DAMAGED : TOOLS_FSCK_CLEAN;
}
