/*
 * test_diag.c - the syscall diagnostics (core/syscall/diag.c): unimplemented syscalls named
 * once each without tracing, the syscall_summary table (calls, errors, order), the
 * missing_files list (open/openat/execve ENOENT only, deduplicated, bad pointers left out) and
 * the futex_trace lines, each read from the captured console; and the fault report's symbol
 * lookup (proc_sym_lookup) on an ELF built here, then mutated (seeded; PETREL_SEED on failure).
 */
#include "st.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/lib/kprintf.h"
#include "core/lib/kstring.h"
#include "core/mm/vm.h"
#include "core/syscall/sys_internal.h"
#include "hal/hal_time.h"
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

/* --- fault:t symbols: a small ELF built here ------------------------------------------------ */

struct t_sym {
    uint32_t name;
    uint8_t info, other;
    uint16_t shndx;
    uint64_t value, size;
};

static void put_le(uint8_t *img, size_t off, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        img[off + (size_t)i] = (uint8_t)(v >> (8 * i));
}

/* ELF64: one PT_LOAD (file 0..0x2000 at 0x400000), sections null, .symtab, .strtab, .dynamic */
static void make_elf(uint8_t *img, size_t size)
{
    static const char strs[] = "\0alpha\0beta\0data\0gamma\0libt.so.1";
    const struct t_sym syms[] = {{0, 0, 0, 0, 0, 0},
                                 {1, 0x12, 0, 1, 0x401000, 0x100},  /* alpha: FUNC */
                                 {7, 0x12, 0, 1, 0x401100, 0x10},   /* beta */
                                 {12, 0x11, 0, 1, 0x401080, 8},     /* data: OBJECT */
                                 {17, 0x12, 0, 1, 0x401200, 0}};    /* gamma: no size */
    const uint64_t sh[4][6] = {/* type, offset, size, link, entsize */
                               {0, 0, 0, 0, 0, 0},
                               {2, 0x200, sizeof(syms), 2, 24, 0},
                               {3, 0x400, sizeof(strs), 0, 0, 0},
                               {6, 0x500, 32, 2, 16, 0}};

    memset(img, 0, size);
    memcpy(img, "\177ELF\2\1\1", 7);
    put_le(img, 16, 3, 2);     /* ET_DYN */
    put_le(img, 18, 62, 2);    /* x86-64 */
    put_le(img, 32, 64, 8);    /* e_phoff */
    put_le(img, 40, 0x600, 8); /* e_shoff */
    put_le(img, 54, 56, 2);    /* e_phentsize */
    put_le(img, 56, 1, 2);     /* e_phnum */
    put_le(img, 58, 64, 2);    /* e_shentsize */
    put_le(img, 60, 4, 2);     /* e_shnum */
    put_le(img, 64, 1, 4);     /* PT_LOAD */
    put_le(img, 64 + 16, 0x400000, 8);
    put_le(img, 64 + 32, 0x2000, 8);
    memcpy(img + 0x200, syms, sizeof(syms));
    memcpy(img + 0x400, strs, sizeof(strs));
    put_le(img, 0x500, 14, 8); /* DT_SONAME */
    put_le(img, 0x508, 23, 8);
    for (int i = 0; i < 4; i++) {
        put_le(img, 0x600 + 64 * (size_t)i + 4, sh[i][0], 4);
        put_le(img, 0x600 + 64 * (size_t)i + 24, sh[i][1], 8);
        put_le(img, 0x600 + 64 * (size_t)i + 32, sh[i][2], 8);
        put_le(img, 0x600 + 64 * (size_t)i + 40, sh[i][3], 4);
        put_le(img, 0x600 + 64 * (size_t)i + 56, sh[i][4], 8);
    }
}

static int lookup(const uint8_t *img, size_t size, uint64_t off, bool ret, char *buf)
{
    struct vm_file f;
    int rc;

    if (vm_file_mem_create(img, size, &f))
        return -ENOMEM;
    rc = proc_sym_lookup(&f, off, ret, buf, 128);
    vm_file_put(&f);
    return rc;
}

ST_CASE(fault_symbols_from_the_elf)
{
    static uint8_t img[0x2000], bad[0x2000];
    char buf[128];
    unsigned seed = (unsigned)hal_clock_ns() ^ 0x5eed;

    make_elf(img, sizeof(img));
    ST_EQ(lookup(img, sizeof(img), 0x1010, false, buf), 0);
    ST_CHECK(strcmp(buf, "alpha+0x10 (libt.so.1)") == 0);
    ST_EQ(lookup(img, sizeof(img), 0x1105, false, buf), 0);
    ST_CHECK(strcmp(buf, "beta+0x5 (libt.so.1)") == 0);
    ST_EQ(lookup(img, sizeof(img), 0x1100, false, buf), 0);
    ST_CHECK(strcmp(buf, "beta+0 (libt.so.1)") == 0 || strcmp(buf, "beta+0x0 (libt.so.1)") == 0);
    ST_EQ(lookup(img, sizeof(img), 0x1100, true, buf), 0); /* a return address: the call */
    ST_CHECK(strcmp(buf, "alpha+0x100 (libt.so.1)") == 0);
    ST_EQ(lookup(img, sizeof(img), 0x1110, false, buf), -ENOENT); /* past beta, before gamma */
    ST_EQ(lookup(img, sizeof(img), 0x1300, false, buf), 0);
    ST_CHECK(strcmp(buf, "gamma+0x100 (libt.so.1)") == 0);
    ST_EQ(lookup(img, sizeof(img), 0x0ff0, false, buf), -ENOENT); /* below every function */
    ST_EQ(lookup(img, sizeof(img), 0x3000, false, buf), -ENOENT); /* in no PT_LOAD */
    /* every header byte and table byte mutated: no crash, no read outside the file */
    srand(seed);
    for (int i = 0; i < 400; i++) {
        size_t at = (size_t)rand() % 0x700;

        memcpy(bad, img, sizeof(bad));
        bad[at] = (uint8_t)rand();
        bad[(size_t)rand() % 0x700] = (uint8_t)rand();
        if (lookup(bad, sizeof(bad), 0x1000 + (uint64_t)(rand() % 0x400), rand() & 1, buf) == 0 &&
            strlen(buf) >= 128) {
            printf("PETREL_SEED=%u\n", seed);
            ST_CHECK(false);
        }
    }
    ST_EQ(lookup(img, 32, 0x1010, false, buf), -ENOENT); /* a truncated file */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unimplemented_named_once),
        cmocka_unit_test(summary_counts_calls_and_errors),
        cmocka_unit_test(missing_files_open_and_exec_only),
        cmocka_unit_test(futex_trace_lines),
        cmocka_unit_test(fault_symbols_from_the_elf),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
