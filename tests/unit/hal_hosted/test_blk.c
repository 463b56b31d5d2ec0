/*
 * test_blk.c - hosted block devices: file-backed and memory-backed, asynchronous completion
 * at delivery points in interrupt context, seeded deferral and reordering, flush, read-only
 * devices and bad requests.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "hal/hal_blk.h"
#include "hal/hal_cpu.h"
#include "hal/hal_errno.h"
#include "hal/hal_mem.h"
#include "hal_hosted/hosted.h"

#define NSECT 64
#define MAXREQ 32

static char path[64];
static struct hal_boot_info info;
static unsigned char *ram; /* request buffers must be in RAM */

static struct {
    int ndone;
    int status[MAXREQ];
    int order[MAXREQ];
    int enabled_in_done;
    int exits;
} rec;

static void on_irq_exit(void *arg)
{
    rec.exits++;
}

static void done(struct hal_blk_req *req, int status)
{
    int id = (int)(intptr_t)req->priv;

    rec.enabled_in_done += hal_irq_enabled();
    if (id < MAXREQ)
        rec.status[id] = status;
    if (rec.ndone < MAXREQ)
        rec.order[rec.ndone] = id;
    rec.ndone++;
}

static int make_file(void)
{
    int fd;
    unsigned char sector[HAL_BLK_SECTOR];

    snprintf(path, sizeof(path), "/tmp/petrel-blk-XXXXXX");
    fd = mkstemp(path);
    if (fd < 0)
        return -1;
    for (unsigned s = 0; s < NSECT; s++) {
        memset(sector, (int)s, sizeof(sector));
        if (write(fd, sector, sizeof(sector)) != (ssize_t)sizeof(sector))
            return -1;
    }
    close(fd);
    return 0;
}

static int boot_with(struct hosted_config *cfg)
{
    struct hosted_hooks hooks = {.irq_exit = on_irq_exit};

    memset(&rec, 0, sizeof(rec));
    cfg->ram_bytes = 4 << 20;
    if (hosted_hal_init(cfg, &hooks, &info))
        return -1;
    ram = hal_phys_to_virt(info.regions[0].base);
    return 0;
}

static int setup_file(void **state)
{
    struct hosted_config cfg = {.nblk = 1, .blk[0] = {.path = path}};

    return make_file() ? -1 : boot_with(&cfg);
}

static int setup_file_knobs(void **state)
{
    struct hosted_config cfg = {.nblk = 1,
                                .has_seed = true,
                                .seed = 42,
                                .blk[0] = {.path = path, .defer_pct = 50, .reorder = true}};

    return make_file() ? -1 : boot_with(&cfg);
}

static int setup_file_ro(void **state)
{
    struct hosted_config cfg = {.nblk = 1, .blk[0] = {.path = path, .read_only = true}};

    return make_file() ? -1 : boot_with(&cfg);
}

static int teardown(void **state)
{
    hosted_hal_fini();
    unlink(path);
    return 0;
}

static void req_init(struct hal_blk_req *r, int id, enum hal_blk_op op, uint64_t sector, void *buf,
                     size_t len)
{
    *r = (struct hal_blk_req){.op = op,
                              .sector = sector,
                              .buf = buf,
                              .len = len,
                              .done = done,
                              .priv = (void *)(intptr_t)id};
}

static void test_info_and_enumeration(void **state)
{
    struct hal_blk_info bi;

    assert_int_equal(hal_blk_count(), 1);
    assert_non_null(hal_blk_get(0));
    assert_null(hal_blk_get(1));
    hal_blk_get_info(hal_blk_get(0), &bi);
    assert_int_equal(bi.nsectors, NSECT);
    assert_false(bi.read_only);
    assert_true(bi.max_req_bytes >= 4096);
    assert_string_equal(bi.name, "hd0");
}

static void test_read_completes_at_delivery_point_only(void **state)
{
    struct hal_blk *d = hal_blk_get(0);
    struct hal_blk_req r;

    memset(ram, 0xee, 2 * HAL_BLK_SECTOR);
    req_init(&r, 0, HAL_BLK_READ, 3, ram, 2 * HAL_BLK_SECTOR);
    assert_int_equal(hal_blk_submit(d, &r), 0);
    assert_int_equal(rec.ndone, 0); /* never inside submit */
    assert_true(hosted_work_pending());
    hal_irq_enable();
    assert_int_equal(rec.ndone, 1);
    assert_int_equal(rec.status[0], 0);
    assert_int_equal(rec.enabled_in_done, 0); /* interrupt context */
    assert_int_equal(rec.exits, 1);           /* followed by the interrupt exit */
    assert_int_equal(ram[0], 3);
    assert_int_equal(ram[HAL_BLK_SECTOR], 4);
    assert_false(hosted_work_pending());
}

static void test_write_then_flush_reaches_file(void **state)
{
    struct hal_blk *d = hal_blk_get(0);
    struct hal_blk_req w, f;
    unsigned char back[HAL_BLK_SECTOR];
    FILE *fp;

    memset(ram, 0x5a, HAL_BLK_SECTOR);
    req_init(&w, 0, HAL_BLK_WRITE, 10, ram, HAL_BLK_SECTOR);
    assert_int_equal(hal_blk_submit(hal_blk_get(0), &w), 0);
    hal_irq_enable();
    req_init(&f, 1, HAL_BLK_FLUSH, 0, NULL, 0);
    assert_int_equal(hal_blk_submit(d, &f), 0);
    hal_poll();
    assert_int_equal(rec.ndone, 2);
    assert_int_equal(rec.status[0], 0);
    assert_int_equal(rec.status[1], 0);
    fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 10 * HAL_BLK_SECTOR, SEEK_SET);
    assert_int_equal(fread(back, 1, sizeof(back), fp), sizeof(back));
    fclose(fp);
    assert_int_equal(back[0], 0x5a);
    assert_int_equal(back[HAL_BLK_SECTOR - 1], 0x5a);
}

static void test_bad_requests_are_einval(void **state)
{
    struct hal_blk *d = hal_blk_get(0);
    struct hal_blk_req r;
    struct hal_blk_info bi;
    char not_ram[HAL_BLK_SECTOR];

    hal_blk_get_info(d, &bi);
    req_init(&r, 0, HAL_BLK_READ, 0, ram, 100); /* not whole sectors */
    assert_int_equal(hal_blk_submit(d, &r), -EINVAL);
    req_init(&r, 0, HAL_BLK_READ, 0, ram, 0); /* empty */
    assert_int_equal(hal_blk_submit(d, &r), -EINVAL);
    req_init(&r, 0, HAL_BLK_READ, NSECT, ram, HAL_BLK_SECTOR); /* past the end */
    assert_int_equal(hal_blk_submit(d, &r), -EINVAL);
    req_init(&r, 0, HAL_BLK_READ, NSECT - 1, ram, 2 * HAL_BLK_SECTOR); /* straddles it */
    assert_int_equal(hal_blk_submit(d, &r), -EINVAL);
    req_init(&r, 0, HAL_BLK_READ, UINT64_MAX, ram, HAL_BLK_SECTOR); /* overflow */
    assert_int_equal(hal_blk_submit(d, &r), -EINVAL);
    req_init(&r, 0, HAL_BLK_READ, 0, ram, bi.max_req_bytes + HAL_BLK_SECTOR); /* too long */
    assert_int_equal(hal_blk_submit(d, &r), -EINVAL);
    req_init(&r, 0, HAL_BLK_READ, 0, not_ram, HAL_BLK_SECTOR); /* not a RAM buffer */
    assert_int_equal(hal_blk_submit(d, &r), -EINVAL);
    req_init(&r, 0, (enum hal_blk_op)7, 0, ram, HAL_BLK_SECTOR); /* unknown op */
    assert_int_equal(hal_blk_submit(d, &r), -EINVAL);
    req_init(&r, 0, HAL_BLK_READ, 0, ram, HAL_BLK_SECTOR);
    r.done = NULL;
    assert_int_equal(hal_blk_submit(d, &r), -EINVAL);
    hal_irq_enable();
    assert_int_equal(rec.ndone, 0); /* refused requests never complete */
}

static void test_queue_full_is_eagain(void **state)
{
    static struct hal_blk_req r[65];
    int rc = 0, n = 0;

    for (n = 0; n < 65 && rc == 0; n++) {
        req_init(&r[n], 0, HAL_BLK_READ, 0, ram, HAL_BLK_SECTOR);
        rc = hal_blk_submit(hal_blk_get(0), &r[n]);
    }
    assert_int_equal(rc, -EAGAIN);
    assert_int_equal(n, 65); /* the default depth is 64 */
    hal_irq_enable();
    assert_int_equal(rec.ndone, 64);
}

/* A completion may submit the next request; it completes at the next delivery point. */
static struct hal_blk_req chain[4];
static void chain_done(struct hal_blk_req *req, int status)
{
    int id = (int)(intptr_t)req->priv;

    done(req, status);
    if (id + 1 < 4)
        hal_blk_submit(hal_blk_get(0), &chain[id + 1]);
}

static void test_completion_resubmits(void **state)
{
    for (int i = 0; i < 4; i++) {
        req_init(&chain[i], i, HAL_BLK_READ, (uint64_t)i, ram + i * HAL_BLK_SECTOR, HAL_BLK_SECTOR);
        chain[i].done = chain_done;
    }
    assert_int_equal(hal_blk_submit(hal_blk_get(0), &chain[0]), 0);
    hal_irq_enable();
    assert_int_equal(rec.ndone, 1); /* one round per delivery point */
    while (hosted_work_pending())
        hal_poll();
    assert_int_equal(rec.ndone, 4);
    assert_int_equal(rec.exits, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(ram[i * HAL_BLK_SECTOR], i);
}

/* Knobs: with seed 42, defer and reorder must actually hold back and permute requests, and
 * the same seed must give the same order. */
static void run_knob_round(int order[MAXREQ])
{
    static struct hal_blk_req r[MAXREQ];
    int rounds = 0;

    for (int i = 0; i < MAXREQ; i++) {
        req_init(&r[i], i, HAL_BLK_READ, (uint64_t)(i % NSECT), ram + i * HAL_BLK_SECTOR,
                 HAL_BLK_SECTOR);
        assert_int_equal(hal_blk_submit(hal_blk_get(0), &r[i]), 0);
    }
    hal_irq_enable();
    rounds++;
    assert_true(rec.ndone > 0 && rec.ndone < MAXREQ); /* 50% deferral held some back */
    while (hosted_work_pending()) {
        hal_poll();
        rounds++;
    }
    assert_int_equal(rec.ndone, MAXREQ);
    assert_true(rounds > 1);
    memcpy(order, rec.order, sizeof(rec.order));
}

static void test_defer_and_reorder_are_seeded(void **state)
{
    int first[MAXREQ], second[MAXREQ];
    bool permuted = false;
    struct hosted_config cfg = {.nblk = 1,
                                .has_seed = true,
                                .seed = 42,
                                .blk[0] = {.path = path, .defer_pct = 50, .reorder = true}};

    run_knob_round(first);
    for (int i = 0; i < MAXREQ; i++)
        permuted |= first[i] != i;
    assert_true(permuted);
    /* every request completed exactly once */
    for (int i = 0; i < MAXREQ; i++) {
        int seen = 0;

        for (int k = 0; k < MAXREQ; k++)
            seen += first[k] == i;
        assert_int_equal(seen, 1);
    }
    hosted_hal_fini();
    assert_int_equal(boot_with(&cfg), 0);
    run_knob_round(second);
    assert_memory_equal(first, second, sizeof(first));
}

static void test_idle_forces_progress_despite_deferral(void **state)
{
    static struct hal_blk_req r[8];

    for (int i = 0; i < 8; i++) {
        req_init(&r[i], i, HAL_BLK_READ, 0, ram, HAL_BLK_SECTOR);
        hal_blk_submit(hal_blk_get(0), &r[i]);
    }
    for (int i = 0; i < 8; i++) {
        int before = rec.ndone;

        assert_int_equal(hal_cpu_idle_until(UINT64_MAX), 0);
        assert_true(rec.ndone > before);
        if (rec.ndone == 8)
            break;
    }
    assert_int_equal(rec.ndone, 8);
    assert_int_equal(hal_cpu_idle_until(UINT64_MAX), -1);
}

static void test_read_only_device(void **state)
{
    struct hal_blk *d = hal_blk_get(0);
    struct hal_blk_info bi;
    struct hal_blk_req w, r, f;

    hal_blk_get_info(d, &bi);
    assert_true(bi.read_only);
    req_init(&w, 0, HAL_BLK_WRITE, 0, ram, HAL_BLK_SECTOR);
    assert_int_equal(hal_blk_submit(d, &w), -EROFS);
    req_init(&r, 1, HAL_BLK_READ, 1, ram, HAL_BLK_SECTOR);
    assert_int_equal(hal_blk_submit(d, &r), 0);
    req_init(&f, 2, HAL_BLK_FLUSH, 0, NULL, 0);
    assert_int_equal(hal_blk_submit(d, &f), 0);
    hal_irq_enable();
    assert_int_equal(rec.ndone, 2);
    assert_int_equal(rec.status[1], 0);
    assert_int_equal(rec.status[2], 0);
    assert_int_equal(ram[0], 1);
}

/* --- memory-backed devices ------------------------------------------------------------- */

static void test_memory_device_in_place(void **state)
{
    static unsigned char image[8 * HAL_BLK_SECTOR];
    struct hosted_config cfg = {.nblk = 1, .blk[0] = {.mem = image, .mem_size = sizeof(image)}};
    struct hal_blk_req w, r;
    struct hal_blk_info bi;

    memset(image, 0x11, sizeof(image));
    assert_int_equal(boot_with(&cfg), 0);
    hal_blk_get_info(hal_blk_get(0), &bi);
    assert_int_equal(bi.nsectors, 8);
    assert_string_equal(bi.name, "md0");
    memset(ram, 0x77, HAL_BLK_SECTOR);
    req_init(&w, 0, HAL_BLK_WRITE, 7, ram, HAL_BLK_SECTOR);
    assert_int_equal(hal_blk_submit(hal_blk_get(0), &w), 0);
    assert_int_equal(image[7 * HAL_BLK_SECTOR], 0x11); /* not before completion */
    hal_irq_enable();
    assert_int_equal(image[7 * HAL_BLK_SECTOR], 0x77);
    req_init(&r, 1, HAL_BLK_READ, 6, ram + HAL_PAGE_SIZE, 2 * HAL_BLK_SECTOR);
    assert_int_equal(hal_blk_submit(hal_blk_get(0), &r), 0);
    hal_poll();
    assert_int_equal(ram[HAL_PAGE_SIZE], 0x11);
    assert_int_equal(ram[HAL_PAGE_SIZE + HAL_BLK_SECTOR], 0x77);
    hosted_hal_fini();
}

static void test_memory_device_private_copy(void **state)
{
    static unsigned char image[4 * HAL_BLK_SECTOR];
    struct hosted_config cfg = {
        .nblk = 2,
        .blk[0] = {.mem = image, .mem_size = sizeof(image), .mem_private = true},
        .blk[1] = {.mem = image, .mem_size = 100}}; /* not whole sectors */
    struct hal_blk_req w, r;

    assert_int_equal(hosted_hal_init(&cfg, NULL, &info), -EINVAL);
    cfg.nblk = 1;
    memset(image, 0x22, sizeof(image));
    assert_int_equal(boot_with(&cfg), 0);
    memset(ram, 0x99, HAL_BLK_SECTOR);
    req_init(&w, 0, HAL_BLK_WRITE, 0, ram, HAL_BLK_SECTOR);
    hal_blk_submit(hal_blk_get(0), &w);
    req_init(&r, 1, HAL_BLK_READ, 0, ram + HAL_PAGE_SIZE, HAL_BLK_SECTOR);
    hal_irq_enable();
    hal_blk_submit(hal_blk_get(0), &r);
    hal_poll();
    assert_int_equal(ram[HAL_PAGE_SIZE], 0x99); /* the device sees its write */
    assert_int_equal(image[0], 0x22);           /* the caller's image is untouched */
    hosted_hal_fini();
}

static void test_missing_file_fails_setup(void **state)
{
    struct hosted_config cfg = {.nblk = 1, .blk[0] = {.path = "/nonexistent/petrel.img"}};

    assert_int_equal(hosted_hal_init(&cfg, NULL, &info), -ENOENT);
    cfg.blk[0] = (struct hosted_blk_config){.path = path, .defer_pct = 101};
    assert_int_equal(make_file(), 0);
    assert_int_equal(hosted_hal_init(&cfg, NULL, &info), -EINVAL);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_info_and_enumeration, setup_file, teardown),
        cmocka_unit_test_setup_teardown(test_read_completes_at_delivery_point_only, setup_file,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_write_then_flush_reaches_file, setup_file, teardown),
        cmocka_unit_test_setup_teardown(test_bad_requests_are_einval, setup_file, teardown),
        cmocka_unit_test_setup_teardown(test_queue_full_is_eagain, setup_file, teardown),
        cmocka_unit_test_setup_teardown(test_completion_resubmits, setup_file, teardown),
        cmocka_unit_test_setup_teardown(test_defer_and_reorder_are_seeded, setup_file_knobs,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_idle_forces_progress_despite_deferral,
                                        setup_file_knobs, teardown),
        cmocka_unit_test_setup_teardown(test_read_only_device, setup_file_ro, teardown),
        cmocka_unit_test(test_memory_device_in_place),
        cmocka_unit_test(test_memory_device_private_copy),
        cmocka_unit_test(test_missing_file_fails_setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
