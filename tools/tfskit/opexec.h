/*
 * opexec.h - run random filesystem operations against TFS and the reference model at once.
 *
 * One opx owns a volume on a caller's tfs_dev and a model of the same tree. opx_step() draws
 * one operation (create, mkdir, symlink, link, unlink, rmdir, rename with flags, write, pwrite,
 * read, truncate, fallocate and punch, chmod, chown, utimens, set/get/list/remove xattr,
 * lookup, readdir, fsync, fdatasync, sync, remount) and its arguments from a source of choices
 * (a seeded PRNG in the model test, the fuzzer's bytes in fuzz/tfs_ops), runs it on both, and
 * compares return values, errno and the touched inodes' attributes. opx_check() compares the
 * whole tree (contents, modes, owners, times, link structure, xattrs, statfs file count).
 * The clock given to TFS is the opx's own: it moves before every operation and the model is
 * told the same time, so times are compared exactly.
 *
 * A mismatch prints what happened (operation number, arguments, both results) to stderr and
 * makes the call return -1; the opx is then unusable except for opx_fini().
 */
#ifndef TOOLS_TFSKIT_OPEXEC_H
#define TOOLS_TFSKIT_OPEXEC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tools/tfskit/model.h"
#include "tools/tfskit/tfskit.h"

/* Where choices come from: a value in [0, bound). */
struct opx_src {
    uint64_t (*next)(void *arg, uint64_t bound);
    void *arg;
};

struct opx {
    struct model *m;
    struct tfs_vol *vol;
    struct tfs_dev *dev;
    struct tfskit_clock clk;
    uint64_t *map; /* model inode -> TFS inode */
    size_t nmap;
    struct opx_src src;
    unsigned long nops;
    unsigned long counts[32]; /* per operation kind, for reports */
    unsigned long succeeded[32]; /* of which TFS (and the model) returned success */
    unsigned kind;            /* the kind being run */
    char desc[512];           /* the operation being run */
    FILE *trace;              /* when set, every operation is printed here */
    bool fsck_on_remount;     /* run tfs_fsck between unmount and mount */
    uint64_t max_off;         /* file offsets drawn below this (default 1 MiB) */
    bool failed;
};

/* Format dev (which must be at least a few MiB) and mount it; 0 or -1 (printed). */
int opx_init(struct opx *x, struct tfs_dev *dev, const struct opx_src *src);
/* Draw and run one operation; 0 or -1 on a mismatch or an unexpected error. */
int opx_step(struct opx *x);
/* Compare the whole tree with the model; 0 or -1. */
int opx_check(struct opx *x);
/* Unmount, optionally fsck, mount again, opx_check(); 0 or -1. */
int opx_remount(struct opx *x);
/* Unmount (when mounted) and free everything. */
void opx_fini(struct opx *x);
/* Names of the operation kinds, for opx.counts. */
const char *opx_kind_name(unsigned kind);
#define OPX_NKINDS 28

#endif
