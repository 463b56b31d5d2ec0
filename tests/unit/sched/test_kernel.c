/*
 * test_kernel.c - kernel_main through hosted_boot: the entry function's return value is the
 * exit code, the command line sets the log level, a deadlock ends the machine with
 * PANIC_EXIT_CODE and a thread list, a boot without a program says so; plus the page-table
 * page entry points and the command-line parser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/kernel.h"
#include "core/lib/alloc.h"
#include "hal/hal_errno.h"
#include "hal/hal_mem.h"
#include "hal/hal_time.h"
#include "hal_hosted/hosted.h"

static char out[16384];

static int boot(int (*entry)(void *), void *arg, const char *cmdline)
{
    struct hosted_config cfg;
    int rc;

    memset(&cfg, 0, sizeof(cfg));
    cfg.entry = entry;
    cfg.entry_arg = arg;
    cfg.cmdline = cmdline;
    hosted_console_capture(out, sizeof(out), false);
    rc = hosted_boot(&cfg);
    hosted_console_capture_stop();
    return rc;
}

static int return_arg(void *arg)
{
    return (int)(intptr_t)arg;
}

static void test_entry_return_is_exit_code(void **state)
{
    assert_int_equal(boot(return_arg, (void *)(intptr_t)0, NULL), 0);
    assert_int_equal(boot(return_arg, (void *)(intptr_t)3, NULL), 3);
}

static void test_boot_twice_in_one_process(void **state)
{
    for (int i = 0; i < 3; i++)
        assert_int_equal(boot(return_arg, (void *)(intptr_t)i, NULL), i);
}

static int entry_in_init_thread(void *arg)
{
    struct thread *t = thread_current();

    if (!t || strcmp(t->name, "init") != 0 || t != kernel.init)
        return 10;
    if (!hal_irq_enabled())
        return 11;
    sched_sleep_ns(5000000);
    return hal_clock_ns() == 5000000 ? 0 : 12;
}

static void test_entry_runs_in_init_thread(void **state)
{
    assert_int_equal(boot(entry_in_init_thread, NULL, NULL), 0);
}

static int report_level(void *arg)
{
    return (int)log_get_level();
}

static void test_cmdline_sets_log_level(void **state)
{
    assert_int_equal(boot(report_level, NULL, "loglevel=debug"), LOG_DEBUG);
    assert_int_equal(boot(report_level, NULL, "quiet loglevel=err other=1"), LOG_ERR);
    assert_int_equal(boot(report_level, NULL, ""), LOG_INFO);
    assert_int_equal(boot(report_level, NULL, "loglevel=loud"), LOG_INFO);
    assert_non_null(strstr(out, "unknown loglevel"));
}

static struct wait_queue forever;

static void stuck(void *arg)
{
    wq_wait(&forever, UINT64_MAX);
}

static int deadlock(void *arg)
{
    wq_init(&forever, "forever");
    thread_create("stuck", stuck, NULL);
    wq_wait(&forever, UINT64_MAX);
    return 0;
}

static void test_deadlock_ends_machine(void **state)
{
    assert_int_equal(boot(deadlock, NULL, NULL), PANIC_EXIT_CODE);
    assert_non_null(strstr(out, "deadlock: all threads blocked"));
    assert_non_null(strstr(out, "stuck"));
    assert_non_null(strstr(out, "init"));
    assert_non_null(strstr(out, "forever"));
}

static void test_no_program_configured(void **state)
{
    assert_int_equal(boot(NULL, NULL, NULL), 1);
    assert_non_null(strstr(out, "petrel: no program configured"));
}

static int pt_pages(void *arg)
{
    uint64_t pa[8];

    for (int i = 0; i < 8; i++) {
        const uint8_t *p;

        pa[i] = kernel_pt_page_alloc();
        if (!pa[i] || pa[i] % HAL_PAGE_SIZE)
            return 20;
        p = hal_phys_to_virt(pa[i]);
        for (size_t k = 0; k < HAL_PAGE_SIZE; k++)
            if (p[k])
                return 21;
        memset(hal_phys_to_virt(pa[i]), 0xff, HAL_PAGE_SIZE); /* dirty it for reuse */
    }
    for (int i = 0; i < 8; i++)
        kernel_pt_page_free(pa[i]);
    for (int i = 0; i < 8; i++) {
        uint64_t q = kernel_pt_page_alloc();
        const uint8_t *p = hal_phys_to_virt(q);

        for (size_t k = 0; k < HAL_PAGE_SIZE; k++)
            if (p[k])
                return 22;
        kernel_pt_page_free(q);
    }
    return 0;
}

static void test_pt_pages_are_zeroed(void **state)
{
    assert_int_equal(boot(pt_pages, NULL, NULL), 0);
}

static void test_cmdline_parser(void **state)
{
    enum log_level l = LOG_NONE;

    assert_int_equal(kernel_cmdline_loglevel("", &l), -ENOENT);
    assert_int_equal(kernel_cmdline_loglevel("loglevel", &l), -ENOENT);
    assert_int_equal(kernel_cmdline_loglevel("xloglevel=debug", &l), -ENOENT);
    assert_int_equal(l, LOG_NONE);
    assert_int_equal(kernel_cmdline_loglevel("loglevel=warn", &l), 0);
    assert_int_equal(l, LOG_WARN);
    assert_int_equal(kernel_cmdline_loglevel("  a=b   loglevel=info  ", &l), 0);
    assert_int_equal(l, LOG_INFO);
    assert_int_equal(kernel_cmdline_loglevel("loglevel=debug loglevel=err", &l), 0);
    assert_int_equal(l, LOG_ERR);
    assert_int_equal(kernel_cmdline_loglevel("loglevel=errr", &l), -EINVAL);
    assert_int_equal(kernel_cmdline_loglevel("loglevel=", &l), -EINVAL);
    assert_int_equal(l, LOG_ERR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entry_return_is_exit_code),
        cmocka_unit_test(test_boot_twice_in_one_process),
        cmocka_unit_test(test_entry_runs_in_init_thread),
        cmocka_unit_test(test_cmdline_sets_log_level),
        cmocka_unit_test(test_deadlock_ends_machine),
        cmocka_unit_test(test_no_program_configured),
        cmocka_unit_test(test_pt_pages_are_zeroed),
        cmocka_unit_test(test_cmdline_parser),
    };

    return cmocka_run_group_tests_name("kernel", tests, NULL, NULL);
}
