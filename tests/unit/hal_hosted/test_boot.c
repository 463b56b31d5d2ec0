/*
 * test_boot.c - the whole kernel through hosted_boot(): the entry function plays the
 * application on the kernel's init thread. Checks that hosted_boot returns hal_exit's code,
 * boots many times in one process, that sleeping uses the virtual clock, that a block read
 * completes through an interrupt that wakes a sleeping thread, and that a machine where
 * nothing can wake anyone ends instead of hanging.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/kernel.h"
#include "core/lib/alloc.h"
#include "core/lib/log.h"
#include "core/sched/sched.h"
#include "hal/hal_blk.h"
#include "hal/hal_cpu.h"
#include "hal/hal_errno.h"
#include "hal/hal_power.h"
#include "hal/hal_time.h"
#include "hal_hosted/hosted.h"

#define SEC 1000000000ULL

static int return_arg(void *arg)
{
    return (int)(intptr_t)arg;
}

static void test_boot_returns_entry_code(void **state)
{
    struct hosted_config cfg = {.entry = return_arg, .entry_arg = (void *)(intptr_t)42};
    char cap[256];

    hosted_console_capture(cap, sizeof(cap), false);
    assert_int_equal(hosted_boot(&cfg), 42);
    hosted_console_capture_stop();
    /* a failing exit prints the seed so the run can be replayed */
    assert_non_null(strstr(cap, "PETREL_SEED="));
}

static void test_boot_many_times(void **state)
{
    for (int i = 0; i < 5; i++) {
        struct hosted_config cfg = {
            .ram_bytes = 8 << 20, .entry = return_arg, .entry_arg = (void *)(intptr_t)i};

        assert_int_equal(hosted_boot(&cfg), i);
    }
}

static int check_cmdline(void *arg)
{
    return strcmp(kernel.boot->cmdline, "loglevel=warn petrel") == 0 &&
                   kernel.boot->nregions >= 2 && hal_irq_enabled()
               ? 0
               : 1;
}

static void test_boot_info_reaches_kernel(void **state)
{
    struct hosted_config cfg = {.cmdline = "loglevel=warn petrel", .entry = check_cmdline};

    assert_int_equal(hosted_boot(&cfg), 0);
}

static int sleep_ten_seconds(void *arg)
{
    uint64_t t0 = hal_clock_ns();

    sched_sleep_ns(10 * SEC);
    *(uint64_t *)arg = hal_clock_ns() - t0;
    return 0;
}

static void test_sleep_uses_virtual_clock(void **state)
{
    uint64_t slept = 0;
    struct hosted_config cfg = {.entry = sleep_ten_seconds, .entry_arg = &slept};
    struct timespec a, b;

    clock_gettime(CLOCK_MONOTONIC, &a);
    assert_int_equal(hosted_boot(&cfg), 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    assert_true(slept >= 10 * SEC);
    assert_true(slept < 11 * SEC);
    assert_true(b.tv_sec - a.tv_sec < 5); /* ten virtual seconds, not real ones */
}

/* --- block I/O: completion interrupt wakes the waiting thread ---------------------------- */

struct io_wait {
    struct wait_queue wq;
    volatile int status;
    volatile bool done;
};

static void io_done(struct hal_blk_req *req, int status)
{
    struct io_wait *w = req->priv;

    w->status = status;
    w->done = true;
    wq_wake_all(&w->wq);
}

static int read_sector_5(void *arg)
{
    struct io_wait w = {0};
    struct hal_blk_req req;
    unsigned char *buf = page_alloc_virt(0);
    uint64_t tok;
    int value;

    if (!buf || hal_blk_count() != 1)
        return 100;
    wq_init(&w.wq, "io");
    req = (struct hal_blk_req){.op = HAL_BLK_READ,
                               .sector = 5,
                               .buf = buf,
                               .len = HAL_BLK_SECTOR,
                               .done = io_done,
                               .priv = &w};
    if (hal_blk_submit(hal_blk_get(0), &req) != 0)
        return 101;
    tok = spin_lock_irqsave(&w.wq.lock);
    while (!w.done)
        wq_wait_locked(&w.wq, &tok, UINT64_MAX);
    spin_unlock_irqrestore(&w.wq.lock, tok);
    value = w.status ? 102 : buf[0];
    page_free_virt(buf, 0);
    return value;
}

static void test_block_read_wakes_thread(void **state)
{
    static unsigned char image[16 * HAL_BLK_SECTOR];
    struct hosted_config cfg = {
        .nblk = 1,
        .entry = read_sector_5,
        .blk[0] = {.mem = image, .mem_size = sizeof(image), .defer_pct = 60, .reorder = true}};

    memset(image + 5 * HAL_BLK_SECTOR, 55, HAL_BLK_SECTOR);
    assert_int_equal(hosted_boot(&cfg), 55);
}

/* --- exits from elsewhere, and machines that cannot make progress ------------------------- */

static void exit_from_thread(void *arg)
{
    hal_exit(7);
}

static int spawn_exiter_and_sleep(void *arg)
{
    thread_create("exiter", exit_from_thread, NULL);
    sched_sleep_ns(3600 * SEC);
    return 1;
}

static void test_hal_exit_from_another_thread(void **state)
{
    struct hosted_config cfg = {.entry = spawn_exiter_and_sleep};

    assert_int_equal(hosted_boot(&cfg), 7);
}

static int block_forever(void *arg)
{
    struct wait_queue wq;

    wq_init(&wq, "never");
    wq_wait(&wq, UINT64_MAX);
    return 1;
}

static void test_nothing_can_wake_ends_the_machine(void **state)
{
    struct hosted_config cfg = {.entry = block_forever};
    char cap[1024];

    hosted_console_capture(cap, sizeof(cap), false);
    assert_int_equal(hosted_boot(&cfg), PANIC_EXIT_CODE);
    hosted_console_capture_stop();
}

static void test_bad_config_is_refused_then_boot_works(void **state)
{
    struct hosted_config bad = {.nblk = 1, .blk[0] = {.path = "/nonexistent/disk.img"}};
    struct hosted_config good = {.entry = return_arg};

    assert_int_equal(hosted_boot(&bad), -ENOENT);
    bad = (struct hosted_config){.nwires = HOSTED_MAX_WIRES + 1};
    assert_int_equal(hosted_boot(&bad), -EINVAL);
    assert_int_equal(hosted_boot(&good), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boot_returns_entry_code),
        cmocka_unit_test(test_boot_many_times),
        cmocka_unit_test(test_boot_info_reaches_kernel),
        cmocka_unit_test(test_sleep_uses_virtual_clock),
        cmocka_unit_test(test_block_read_wakes_thread),
        cmocka_unit_test(test_hal_exit_from_another_thread),
        cmocka_unit_test(test_nothing_can_wake_ends_the_machine),
        cmocka_unit_test(test_bad_config_is_refused_then_boot_works),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
