/*
 * test_names.c - errno and signal names (core/lib/names.c) against the host's own: glibc's
 * strerrorname_np and sigabbrev_np (Linux is the oracle); numbers without a name and out of
 * range fall back to "error N" / "signal N"; real-time signals are SIGRTMIN+n. (29 is SIGIO,
 * as the kernel's headers name it; glibc says SIGPOLL, the same number.)
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "core/lib/names.h"
#include "tests/unit/lib/lib_test.h"

static void test_errno_names_match_the_host(void **state)
{
    char buf[KNAME_BUF];
    int named = 0;

    for (int e = 1; e < 134; e++) {
        const char *ours = kname_errno(e, buf, sizeof(buf));
        if (ours == buf) {
            char want[KNAME_BUF];
            snprintf(want, sizeof(want), "error %d", e);
            assert_string_equal(ours, want);
            continue;
        }
        const char *host = strerrorname_np(e);
        assert_non_null(host);
        assert_string_equal(ours, host);
        assert_string_equal(kname_errno(-e, buf, sizeof(buf)), host);
        named++;
    }
    assert_true(named >= 70);
    assert_string_equal(KERR(-2), "ENOENT");
    assert_string_equal(kname_errno(0, buf, sizeof(buf)), "error 0");
    assert_string_equal(kname_errno(4095, buf, sizeof(buf)), "error 4095");
}

static void test_signal_names_match_the_host(void **state)
{
    char buf[KNAME_BUF], want[32];

    for (int s = 1; s < 32; s++) {
        /* glibc calls 29 POLL; Linux's headers, strace and bash call it IO (an alias) */
        snprintf(want, sizeof(want), "SIG%s", s == SIGIO ? "IO" : sigabbrev_np(s));
        assert_string_equal(kname_signal(s, buf, sizeof(buf)), want);
    }
    assert_string_equal(KSIG(32), "SIGRTMIN");
    assert_string_equal(KSIG(35), "SIGRTMIN+3");
    assert_string_equal(KSIG(64), "SIGRTMIN+32");
    assert_string_equal(KSIG(0), "signal 0");
    assert_string_equal(KSIG(65), "signal 65");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errno_names_match_the_host),
        cmocka_unit_test(test_signal_names_match_the_host),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
