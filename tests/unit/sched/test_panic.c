/*
 * test_panic.c - broken kernel invariants the scheduler catches: unlock of a mutex by a thread
 * that does not own it, locking a mutex twice, a kernel stack overflow (its canary
 * overwritten). Seen through hosted_boot(), where a panic ends the machine with
 * PANIC_EXIT_CODE. A panic leaves the kernel unusable for the rest of the process, so each
 * case is its own executable (PANIC_CASE selects it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/lib/log.h"
#include "core/sched/sched.h"
#include "hal_hosted/hosted.h"

#define MS 1000000ULL

static struct mutex bad;

static void lock_and_sleep(void *arg)
{
    mutex_lock(&bad);
    sched_sleep_ns(1000 * MS);
}

static int unlock_foreign(void *arg)
{
    mutex_init(&bad, "bad");
    thread_create("locker", lock_and_sleep, NULL);
    sched_sleep_ns(1 * MS);
    mutex_unlock(&bad); /* owned by the sleeping locker: panics */
    return 0;
}

static int lock_twice(void *arg)
{
    mutex_init(&bad, "twice");
    mutex_lock(&bad);
    mutex_lock(&bad); /* panics */
    return 0;
}

static void spin(void *arg)
{
    thread_yield();
}

static int overflow(void *arg)
{
    thread_create("other", spin, NULL);
    *(volatile uint64_t *)thread_current()->kstack = 0; /* what a runaway stack would do */
    thread_yield();                                     /* leaving the CPU checks the canary */
    return 0;
}

static void boot_expect_panic(int (*entry)(void *), const char *needle)
{
    static char out[16384];
    struct hosted_config cfg;
    int rc;

    memset(&cfg, 0, sizeof(cfg));
    cfg.entry = entry;
    hosted_console_capture(out, sizeof(out), false);
    rc = hosted_boot(&cfg);
    hosted_console_capture_stop();
    assert_int_equal(rc, PANIC_EXIT_CODE);
    if (!strstr(out, needle))
        fail_msg("no '%s' in console output:\n%s", needle, out);
}

__attribute__((unused)) static void test_mutex_unlock_by_non_owner_panics(void **state)
{
    boot_expect_panic(unlock_foreign, "mutex bad: unlocked by thread");
}

__attribute__((unused)) static void test_mutex_recursive_lock_panics(void **state)
{
    boot_expect_panic(lock_twice, "mutex twice: locked twice");
}

__attribute__((unused)) static void test_stack_overflow_panics(void **state)
{
    boot_expect_panic(overflow, "thread 1 (init): kernel stack overflow");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#if PANIC_CASE == 1
        cmocka_unit_test(test_mutex_unlock_by_non_owner_panics),
#elif PANIC_CASE == 2
        cmocka_unit_test(test_mutex_recursive_lock_panics),
#else
        cmocka_unit_test(test_stack_overflow_panics),
#endif
    };

    return cmocka_run_group_tests_name("sched_panic", tests, NULL, NULL);
}
