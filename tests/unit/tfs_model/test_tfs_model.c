/*
 * test_tfs_model.c - TFS against the reference model (tools/tfskit/model.h, opexec.h).
 *
 * 1. The model itself on directed Linux cases (so the oracle is known to be right).
 * 2. Seeded random runs: for each seed a fresh 64 MiB memory volume, PHASES phases of
 *    OPS_PER_PHASE random operations, a whole-tree comparison and an unmount / fsck / mount /
 *    compare between phases. Seeds are base, base+1, ...; the base is PETREL_SEED (default
 *    1). With PETREL_SEED set only that seed runs, with all its phases. The run stops taking
 *    new seeds after TIME_BUDGET_S seconds (CI bound) once MIN_SEEDS have run.
 * A failure prints the seed, the operation number and both results; PETREL_TFS_TRACE=1 prints
 * every operation of the run.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "tools/tfskit/model.h"
#include "tools/tfskit/opexec.h"
#include "tools/tfskit/tfskit.h"

#define VOLUME_BYTES (64u << 20)
#define PHASES 8
#define OPS_PER_PHASE 500
#define MAX_SEEDS 60
#define MIN_SEEDS 3
#define TIME_BUDGET_S 18.0

static uint64_t next_rand(void *arg, uint64_t bound)
{
    return tfskit_rand_below(arg, bound);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int setup(void **state)
{
    return tfskit_kernel_init(512u << 20) ? -1 : 0;
}

/* ---- 1. the oracle on directed cases ------------------------------------------------------- */

static void test_model_rename_rules(void **state)
{
    struct model *m = model_new(0755, 0, 0, 1);
    uint32_t a, b, f, g, sub;
    assert_int_equal(model_mkdir(m, MODEL_ROOT, "a", 0755, 0, 0, 2, &a), 0);
    assert_int_equal(model_mkdir(m, MODEL_ROOT, "b", 0755, 0, 0, 2, &b), 0);
    assert_int_equal(model_mkdir(m, a, "sub", 0755, 0, 0, 2, &sub), 0);
    assert_int_equal(model_create(m, MODEL_ROOT, "f", 0644, 0, 0, 2, &f), 0);
    assert_int_equal(model_create(m, b, "g", 0644, 0, 0, 2, &g), 0);
    assert_int_equal(model_inode(m, MODEL_ROOT)->nlink, 4);
    /* a directory into itself, a dir over a file, a file over a dir, over a non-empty dir */
    assert_int_equal(model_rename(m, MODEL_ROOT, "a", sub, "x", 0, 3), -EINVAL);
    assert_int_equal(model_rename(m, MODEL_ROOT, "a", b, "g", 0, 3), -ENOTDIR);
    assert_int_equal(model_rename(m, MODEL_ROOT, "f", MODEL_ROOT, "a", 0, 3), -EISDIR);
    assert_int_equal(model_rename(m, MODEL_ROOT, "b", MODEL_ROOT, "a", 0, 3), -ENOTEMPTY);
    assert_int_equal(model_rename(m, MODEL_ROOT, "f", b, "g", 1, 3), -EEXIST);
    assert_int_equal(model_rename(m, MODEL_ROOT, "f", b, "zz", 2, 3), -ENOENT);
    assert_int_equal(model_rename(m, MODEL_ROOT, "f", b, "g", 3, 3), -EINVAL);
    /* the target is an ancestor of the source */
    assert_int_equal(model_rename(m, a, "sub", MODEL_ROOT, "a", 0, 3), -ENOTEMPTY);
    assert_int_equal(model_rename(m, a, "sub", MODEL_ROOT, "a", 2, 3), -EINVAL);
    /* exchange a file and a directory across parents: link counts move */
    assert_int_equal(model_rename(m, MODEL_ROOT, "a", b, "g", 2, 4), 0);
    assert_int_equal(model_inode(m, b)->nlink, 3);
    assert_int_equal(model_inode(m, MODEL_ROOT)->nlink, 3);
    assert_int_equal(model_inode(m, a)->parent, b);
    /* replace a file ("a" in the root is file g now): the old one is gone */
    assert_int_equal(model_rename(m, MODEL_ROOT, "f", MODEL_ROOT, "a", 0, 5), 0);
    assert_null(model_inode(m, g));
    assert_int_equal(model_inode(m, f)->ctime, 5);
    /* two names of one inode: nothing happens */
    assert_int_equal(model_link(m, f, MODEL_ROOT, "f2", 6), 0);
    assert_int_equal(model_rename(m, MODEL_ROOT, "a", MODEL_ROOT, "f2", 0, 7), 0);
    assert_int_equal(model_inode(m, f)->nlink, 2);
    assert_int_equal(model_inode(m, MODEL_ROOT)->mtime, 6);
    model_free(m);
}

static void test_model_data_rules(void **state)
{
    struct model *m = model_new(0755, 0, 0, 1);
    uint32_t f, d;
    uint8_t buf[16];
    m->max_file_size = 1u << 20;
    assert_int_equal(model_create(m, MODEL_ROOT, "f", 0644, 0, 0, 1, &f), 0);
    assert_int_equal(model_mkdir(m, MODEL_ROOT, "d", 0755, 0, 0, 1, &d), 0);
    assert_int_equal(model_write(m, f, 10, "abc", 3, 2), 3);
    assert_int_equal(model_inode(m, f)->size, 13);
    assert_int_equal(model_read(m, f, 8, buf, 16), 5);
    assert_memory_equal(buf, "\0\0abc", 5);
    assert_int_equal(model_write(m, d, 0, "x", 1, 2), -EISDIR);
    assert_int_equal(model_write(m, f, (1u << 20) - 1, "xy", 2, 2), -EFBIG);
    assert_int_equal(model_fallocate(m, f, 2, 0, 4, 3), -EOPNOTSUPP);
    assert_int_equal(model_fallocate(m, d, 0, 0, 4, 3), -EISDIR);
    assert_int_equal(model_fallocate(m, f, 0, 0, 0, 3), -EINVAL);
    assert_int_equal(model_fallocate(m, f, 3, 11, 100, 3), 0);
    assert_int_equal(model_inode(m, f)->size, 13);
    assert_int_equal(model_read(m, f, 10, buf, 16), 3);
    assert_memory_equal(buf, "a\0\0", 3);
    assert_int_equal(model_fallocate(m, f, 1, 0, 100, 4), 0);
    assert_int_equal(model_inode(m, f)->size, 13);
    assert_int_equal(model_fallocate(m, f, 0, 0, 100, 5), 0);
    assert_int_equal(model_inode(m, f)->size, 100);
    assert_int_equal(model_truncate(m, f, 5, 6), 0);
    assert_int_equal(model_inode(m, f)->mtime, 6);
    assert_int_equal(model_setxattr(m, f, "user.a", "v", 1, MODEL_XATTR_REPLACE, 7), -ENODATA);
    assert_int_equal(model_setxattr(m, f, "user.a", "v", 1, MODEL_XATTR_CREATE, 7), 0);
    assert_int_equal(model_setxattr(m, f, "user.a", "w", 1, MODEL_XATTR_CREATE, 7), -EEXIST);
    assert_int_equal(model_getxattr(m, f, "user.a", buf, 0), 1);
    assert_int_equal(model_unlink(m, MODEL_ROOT, "d", 8), -EISDIR);
    assert_int_equal(model_rmdir(m, MODEL_ROOT, "f", 8), -ENOTDIR);
    assert_int_equal(model_link(m, d, MODEL_ROOT, "d2", 8), -EPERM);
    assert_int_equal(model_create(m, f, "x", 0644, 0, 0, 8, &d), -ENOTDIR);
    model_free(m);
}

/* ---- 2. random runs ------------------------------------------------------------------------ */

static uint64_t env_u64(const char *name, uint64_t dflt, bool *given)
{
    const char *v = getenv(name);
    if (given)
        *given = v && *v;
    return v && *v ? strtoull(v, NULL, 0) : dflt;
}

static unsigned long kind_count[OPX_NKINDS], kind_ok[OPX_NKINDS];

/* One seed: returns 0 or -1 (already reported). */
static int run_seed(uint64_t seed, unsigned phases, unsigned ops, unsigned long *total_ops)
{
    uint8_t *mem = calloc(1, VOLUME_BYTES);
    struct tfs_memdev md;
    struct opx x;
    uint64_t rng = seed;
    struct opx_src src = {next_rand, &rng};
    tfs_memdev_init(&md, mem, VOLUME_BYTES / TFS_BLOCK_SIZE);
    int rc = opx_init(&x, &md.dev, &src);
    if (getenv("PETREL_TFS_TRACE"))
        x.trace = stderr;
    for (unsigned p = 0; rc == 0 && p < phases; p++) {
        for (unsigned i = 0; rc == 0 && i < ops; i++)
            rc = opx_step(&x);
        if (rc == 0)
            rc = opx_check(&x);
        if (rc == 0)
            rc = opx_remount(&x);
    }
    *total_ops += x.nops;
    for (unsigned k = 0; k < OPX_NKINDS; k++) {
        kind_count[k] += x.counts[k];
        kind_ok[k] += x.succeeded[k];
    }
    if (rc)
        fprintf(stderr, "tfs model: FAILED with PETREL_SEED=%llu (rerun with it, add "
                "PETREL_TFS_TRACE=1 to see every operation)\n", (unsigned long long)seed);
    opx_fini(&x);
    free(mem);
    return rc;
}

static void test_tfs_against_model(void **state)
{
    bool given;
    uint64_t base = env_u64("PETREL_SEED", 1, &given);
    unsigned seeds = given ? 1 : (unsigned)env_u64("PETREL_TFS_MODEL_SEEDS", MAX_SEEDS, NULL);
    unsigned ops = (unsigned)env_u64("PETREL_TFS_MODEL_OPS", OPS_PER_PHASE, NULL);
    double budget = given ? 1e9 : (double)env_u64("PETREL_TFS_MODEL_SECONDS", 0, NULL);
    if (budget == 0)
        budget = TIME_BUDGET_S;
    double t0 = now_s();
    unsigned long total = 0;
    unsigned ran = 0, failed = 0;
    for (unsigned s = 0; s < seeds; s++) {
        if (ran >= MIN_SEEDS && now_s() - t0 > budget)
            break;
        failed += run_seed(base + s, PHASES, ops, &total) != 0;
        ran++;
        if (failed)
            break;
    }
    fprintf(stderr, "tfs model: %u seeds from %llu, %lu operations, %u phases each, %.1f s\n",
            ran, (unsigned long long)base, total, PHASES, now_s() - t0);
    for (unsigned k = 0; k < OPX_NKINDS; k++)
        if (kind_count[k])
            fprintf(stderr, "%s%s %lu/%lu", k ? "," : "tfs model: succeeded/run:", opx_kind_name(k),
                    kind_ok[k], kind_count[k]);
    fprintf(stderr, "\n");
    assert_int_equal(failed, 0);
    assert_true(ran >= (given || seeds < MIN_SEEDS ? 1u : MIN_SEEDS));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_rename_rules),
        cmocka_unit_test(test_model_data_rules),
        cmocka_unit_test(test_tfs_against_model),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
