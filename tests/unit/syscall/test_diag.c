/*
 * test_diag.c - the syscall diagnostics (core/syscall/diag.c): unimplemented syscalls named
 * once each without tracing, the syscall_summary table (calls, errors, order), the
 * missing_files list (open/openat/execve ENOENT only, deduplicated, bad pointers left out) and
 * the futex_trace lines, each read from the captured console.
 */
#include "st.h"


#include "core/lib/kprintf.h"
#include "core/lib/kstring.h"
#include "core/syscall/sys_internal.h"
#include "hal_hosted/hosted.h"

#define P(off) (st_buf + (off))
#define NR_FORK 57
#define NR_RSEQ 334
#define NR_OPENAT 257
#define NR_FUTEX 202

static unsigned count(const char *hay, const char *needle)
{
    unsigned n = 0;

    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* The line of the summary table that ends with " name". */
static const char *row(const char *cap, const char *name, char *out, size_t size)
{
    for (const char *p = cap; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p), n = strlen(name);

        if (len > n + 1 && p[len - n - 1] == ' ' && memcmp(p + len - n, name, n) == 0 &&
            len < size) {
            memcpy(out, p, len);
            out[len] = '\0';
            return out;
        }
        p = nl ? nl + 1 : p + len;
    }
    return NULL;
}

ST_CASE(unimplemented_named_once)
{
    static char cap[2048];

    sys_diag_reset();
    hosted_console_capture(cap, sizeof(cap), false);
    ST_EQ(SC(NR_FORK), -ENOSYS);
    ST_EQ(SC(NR_FORK), -ENOSYS);
    ST_EQ(SC(9998), -ENOSYS);
    ST_EQ(SC(9998), -ENOSYS);
    ST_EQ(SC(NR_RSEQ, 0, 0, 0, 0), -ENOSYS); /* glibc's probe: not named */
    hosted_console_capture_stop();
    ST_EQ(count(cap, "syscall fork (57) is not implemented: -ENOSYS\n"), 1);
    ST_EQ(count(cap, "unknown syscall 9998: -ENOSYS\n"), 1);
    ST_EQ(count(cap, "rseq"), 0);
}

ST_CASE(summary_counts_calls_and_errors)
{
    static char cap[8192];
    char line[256];

    sys_diag_reset();
    sys_diag_set(SYS_DIAG_SUMMARY);
    for (int i = 0; i < 3; i++)
        ST_EQ(SC(NR_getpid), 1);
    ST_EQ(SC(NR_open, st_str(P(0), "/no/such"), O_RDONLY_), -ENOENT);
    ST_EQ(SC(NR_open, ST_KERNEL_PTR, O_RDONLY_), -EFAULT);
    ST_EQ(SC(NR_FORK), -ENOSYS);
    hosted_console_capture(cap, sizeof(cap), false);
    sys_diag_report();
    hosted_console_capture_stop();
    sys_diag_set(0);
    ST_CHECK(strstr(cap, "% time     seconds  usecs/call     calls    errors syscall\n"));
    ST_CHECK(row(cap, "getpid", line, sizeof(line)));
    ST_CHECK(strstr(line, "         3           getpid"));
    ST_CHECK(row(cap, "open", line, sizeof(line)));
    ST_CHECK(strstr(line, "         2         2 open"));
    ST_CHECK(row(cap, "fork", line, sizeof(line)));
    ST_CHECK(strstr(line, "         1         1 fork"));
    ST_CHECK(row(cap, "total", line, sizeof(line)));
    ST_CHECK(strstr(line, "100.00"));
    ST_CHECK(strstr(line, "         6         3 total"));
    ST_CHECK(!strstr(cap, "missing files")); /* not asked for */
}

ST_CASE(missing_files_open_and_exec_only)
{
    static char cap[4096];

    sys_diag_reset();
    sys_diag_set(SYS_DIAG_MISSING);
    st_file("/here", "x");
    ST_EQ(SC(NR_open, st_str(P(0), "/nope/a"), O_RDONLY_), -ENOENT);
    ST_EQ(SC(NR_open, st_str(P(0), "/nope/a"), O_RDONLY_), -ENOENT);
    ST_EQ(SC(NR_OPENAT, AT_FDCWD_U, st_str(P(0), "/nope/b"), O_RDONLY_), -ENOENT);
    ST_EQ(SC(NR_stat, st_str(P(0), "/nope/c"), P(512)), -ENOENT); /* a probe, not an open */
    ST_CHECK(SC(NR_open, st_str(P(0), "/here"), O_RDONLY_) >= 0);
    ST_EQ(SC(NR_open, ST_KERNEL_PTR, O_RDONLY_), -EFAULT);
    hosted_console_capture(cap, sizeof(cap), false);
    sys_diag_report();
    hosted_console_capture_stop();
    sys_diag_set(0);
    ST_CHECK(strstr(cap, "petrel: missing files (open or exec failed with ENOENT), 2:\n"));
    ST_CHECK(strstr(cap, "  /nope/a (open, 2 times)\n"));
    ST_CHECK(strstr(cap, "  /nope/b (openat)\n"));
    ST_CHECK(!strstr(cap, "/nope/c"));
    ST_CHECK(!strstr(cap, "/here"));
    ST_CHECK(!strstr(cap, "syscall summary"));
    sys_diag_reset();
    sys_diag_set(SYS_DIAG_MISSING);
    hosted_console_capture(cap, sizeof(cap), false);
    sys_diag_report();
    hosted_console_capture_stop();
    sys_diag_set(0);
    ST_CHECK(strstr(cap, "petrel: missing files: none"));
}

ST_CASE(futex_trace_lines)
{
    static char cap[2048];
    uint32_t word = 5;
    char want[128];

    sys_diag_reset();
    st_put(P(64), &word, 4);
    sys_diag_set(SYS_DIAG_FUTEX);
    hosted_console_capture(cap, sizeof(cap), false);
    ST_EQ(SC(NR_FUTEX, P(64), 1 | 128, 1), 0);      /* FUTEX_WAKE_PRIVATE: nobody waits */
    ST_EQ(SC(NR_FUTEX, P(64), 0 | 128, 6, 0), -EAGAIN); /* the word is not 6 */
    ST_EQ(SC(NR_getpid), 1);                         /* not a futex: no line */
    hosted_console_capture_stop();
    sys_diag_set(0);
    ksnprintf(want, sizeof(want), "FUTEX_WAKE|PRIVATE(%#llx, 1) = 0 (",
              (unsigned long long)P(64));
    ST_CHECK(strstr(cap, want));
    ksnprintf(want, sizeof(want), "FUTEX_WAIT|PRIVATE(%#llx, 6) = -11 EAGAIN (",
              (unsigned long long)P(64));
    ST_CHECK(strstr(cap, want));
    ST_EQ(count(cap, "futex: ["), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unimplemented_named_once),
        cmocka_unit_test(summary_counts_calls_and_errors),
        cmocka_unit_test(missing_files_open_and_exec_only),
        cmocka_unit_test(futex_trace_lines),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
