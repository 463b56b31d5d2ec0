/*
 * test_log.c - klog and panic (core/lib/log.c): line format with the virtual clock, level
 * threshold, newline handling, long lines, panic output (message, registers, backtrace),
 * panic_hook, KASSERT, and the exit code when no hook is set.
 */
#include <stdbool.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/lib/log.h"
#include "hal/hal_cpu.h"
#include "hal/hal_time.h"
#include "hal_hosted/hosted.h"
#include "tests/unit/lib/lib_test.h"

static int reset_level(void **state)
{
    log_set_level(LOG_INFO);
    return 0;
}

/* "[sssss.uuuuuu] " for the current clock. */
static void stamp(char *buf, size_t n)
{
    uint64_t ns = hal_clock_ns();
    snprintf(buf, n, "[%5llu.%06llu] ", (unsigned long long)(ns / 1000000000ULL),
             (unsigned long long)(ns % 1000000000ULL / 1000));
}

static void test_line_format(void **state)
{
    char expect[128], ts[32];

    hosted_clock_advance(1234567890); /* the virtual clock moves only when told */
    stamp(ts, sizeof(ts));
    snprintf(expect, sizeof(expect), "%swarn: disk %d is slow\n", ts, 3);
    lt_capture_start();
    klog(LOG_WARN, "disk %d is slow", 3);
    lt_capture_stop();
    assert_string_equal(lt_capture_text(), expect);
    assert_non_null(strstr(ts, ".234567]")); /* microseconds, zero padded */
}

static void test_level_names(void **state)
{
    log_set_level(LOG_DEBUG);
    lt_capture_start();
    log_debug("a");
    log_info("b");
    log_warn("c");
    log_err("d");
    lt_capture_stop();
    const char *t = lt_capture_text();
    assert_non_null(strstr(t, "] debug: a\n"));
    assert_non_null(strstr(t, "] info: b\n"));
    assert_non_null(strstr(t, "] warn: c\n"));
    assert_non_null(strstr(t, "] error: d\n"));
}

static void test_threshold(void **state)
{
    assert_int_equal(log_get_level(), LOG_INFO); /* the default */
    lt_capture_start();
    log_debug("hidden");
    log_info("shown1");
    log_set_level(LOG_WARN);
    assert_int_equal(log_get_level(), LOG_WARN);
    log_info("hidden");
    log_warn("shown2");
    log_err("shown3");
    log_set_level(LOG_NONE);
    log_err("hidden");
    lt_capture_stop();
    const char *t = lt_capture_text();
    assert_null(strstr(t, "hidden"));
    assert_non_null(strstr(t, "shown1"));
    assert_non_null(strstr(t, "shown2"));
    assert_non_null(strstr(t, "shown3"));
}

static void test_invalid_level_not_printed(void **state)
{
    log_set_level(LOG_DEBUG);
    lt_capture_start();
    klog(LOG_NONE, "none");
    klog((enum log_level)77, "bogus");
    lt_capture_stop();
    assert_string_equal(lt_capture_text(), "");
}

static void test_newline_not_doubled(void **state)
{
    lt_capture_start();
    log_info("ends with newline\n");
    log_info("%s", "");
    lt_capture_stop();
    const char *t = lt_capture_text();
    assert_non_null(strstr(t, "info: ends with newline\n["));
    assert_null(strstr(t, "\n\n"));
    assert_int_equal(t[strlen(t) - 1], '\n');
    assert_non_null(strstr(t, "info: \n")); /* the empty message still makes a line */
}

static void test_long_line_cut(void **state)
{
    char big[2000];

    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    lt_capture_start();
    log_info("%s", big);
    lt_capture_stop();
    const char *t = lt_capture_text();
    assert_int_equal(strlen(t), 511);
    assert_int_equal(t[510], '\n');
    assert_int_equal(t[509], 'x');
}

static void test_panic_output_and_hook(void **state)
{
    lt_capture_start();
    EXPECT_PANIC(panic("bad state %d in %s", 7, "sched"));
    lt_capture_stop();
    assert_string_equal(lt_panic_msg, "bad state 7 in sched");
    const char *t = lt_capture_text();
    assert_non_null(strstr(t, "panic: bad state 7 in sched\n"));
    assert_non_null(strstr(t, "rip "));
    assert_non_null(strstr(t, "r15 "));
    assert_non_null(strstr(t, "backtrace:\n"));
    assert_non_null(strstr(t, "  #0 ")); /* this test's frames are on the stack */
}

static void test_panic_disables_interrupts(void **state)
{
    hal_irq_enable();
    lt_capture_start();
    lt_panic_msg[0] = '\0';
    expect_assert_failure(panic("irq"));
    lt_capture_stop();
    assert_false(hal_irq_enabled());
    hal_irq_enable();
}

static void test_panics_repeat(void **state)
{
    /* The recursion guard is released when the hook takes over: later panics still work. */
    lt_capture_start();
    for (int i = 0; i < 3; i++) {
        EXPECT_PANIC(panic("round %d", i));
        char want[16];
        snprintf(want, sizeof(want), "round %d", i);
        assert_string_equal(lt_panic_msg, want);
    }
    lt_capture_stop();
}

static void test_kassert(void **state)
{
    int x = 1;

    KASSERT(x == 1);
    lt_capture_start();
    EXPECT_PANIC(KASSERT(x == 2));
    lt_capture_stop();
    assert_non_null(strstr(lt_panic_msg, "assertion failed: x == 2"));
    assert_non_null(strstr(lt_panic_msg, "test_log.c"));
}

static void test_panic_without_hook_exits(void **state)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0)
            dup2(fd, 2); /* keep the child's panic report out of the test log */
        panic_hook = NULL;
        panic("child %d", 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), PANIC_EXIT_CODE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_line_format, reset_level),
        cmocka_unit_test_setup(test_level_names, reset_level),
        cmocka_unit_test_setup(test_threshold, reset_level),
        cmocka_unit_test_setup(test_invalid_level_not_printed, reset_level),
        cmocka_unit_test_setup(test_newline_not_doubled, reset_level),
        cmocka_unit_test_setup(test_long_line_cut, reset_level),
        cmocka_unit_test_setup(test_panic_output_and_hook, reset_level),
        cmocka_unit_test_setup(test_panic_disables_interrupts, reset_level),
        cmocka_unit_test_setup(test_panics_repeat, reset_level),
        cmocka_unit_test_setup(test_kassert, reset_level),
        cmocka_unit_test_setup(test_panic_without_hook_exits, reset_level),
    };
    return cmocka_run_group_tests_name("lib_log", tests, lt_group_setup, lt_group_teardown);
}
