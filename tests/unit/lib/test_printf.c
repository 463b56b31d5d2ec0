/*
 * test_printf.c - kvsnprintf/ksnprintf/kprintf: every conversion, flag, width, precision and
 * length modifier, compared against the host snprintf on generated tables of formats;
 * truncation and the C99 return value; kprintf's console output.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/lib/kprintf.h"
#include "tests/unit/lib/lib_test.h"

static char kbuf[512], hbuf[512];
static unsigned compared;

/* Format strings are built at run time: no -Wformat on purpose, glibc is the oracle. */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-security"

static void compare(const char *fmt, int kn, int hn)
{
    compared++;
    if (kn != hn || strcmp(kbuf, hbuf) != 0)
        fail_msg("format \"%s\": petrel \"%s\" (%d), libc \"%s\" (%d)", fmt, kbuf, kn, hbuf, hn);
}

#define CMP(fmt, ...)                                                                              \
    compare((fmt), ksnprintf(kbuf, sizeof(kbuf), (fmt), __VA_ARGS__),                              \
            snprintf(hbuf, sizeof(hbuf), (fmt), __VA_ARGS__))

static const char *const flag_sets[] = {"",   "-",  "0",  " ",  "+",  "#",
                                        "-0", "+ ", "#0", "-#", "0+", "- +#0"};
static const char *const widths[] = {"", "1", "4", "12", "*"};
static const char *const precs[] = {"", ".", ".0", ".1", ".3", ".12", ".*"};
static const int star_widths[] = {7, -7, 0};
static const int star_precs[] = {4, -1, 0};

static bool width_star(const char *f)
{
    const char *s = strchr(f, '*');
    return s && s[-1] != '.';
}

static bool prec_star(const char *f)
{
    return strstr(f, ".*") != NULL;
}

/* Call the formatter for fmt with the star arguments it needs, then v. */
#define CMP_STARS(fmt, w, p, v)                                                                    \
    do {                                                                                           \
        bool sw_ = width_star(fmt), sp_ = prec_star(fmt);                                          \
        if (sw_ && sp_)                                                                            \
            CMP(fmt, w, p, v);                                                                     \
        else if (sw_)                                                                              \
            CMP(fmt, w, v);                                                                        \
        else if (sp_)                                                                              \
            CMP(fmt, p, v);                                                                        \
        else                                                                                       \
            CMP(fmt, v);                                                                           \
    } while (0)

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Every flag set x width x precision for one conversion (with length prefix len). */
#define SWEEP(len, conv, values)                                                                   \
    do {                                                                                           \
        char f_[32];                                                                               \
        for (size_t fi = 0; fi < N(flag_sets); fi++)                                               \
            for (size_t wi = 0; wi < N(widths); wi++)                                              \
                for (size_t pi = 0; pi < N(precs); pi++)                                           \
                    for (size_t vi = 0; vi < N(values); vi++) {                                    \
                        snprintf(f_, sizeof(f_), "[%%%s%s%s%s%s]", flag_sets[fi], widths[wi],      \
                                 precs[pi], len, conv);                                            \
                        CMP_STARS(f_, star_widths[vi % 3], star_precs[(vi / 3) % 3], values[vi]);  \
                    }                                                                              \
    } while (0)

static const int int_values[] = {
    0, 1, -1, 7, -42, 255, 256, 12345, -99999, 0x7fffffff, -0x7fffffff - 1};
static const unsigned uint_values[] = {0, 1, 8, 9, 15, 16, 255, 0x1234abcd, 0xffffffffu};
static const long long ll_values[] = {
    0, 1, -1, 0x123456789abcLL, -0x123456789abcLL, 0x7fffffffffffffffLL, -0x7fffffffffffffffLL - 1};
static const unsigned long long ull_values[] = {0, 1, 0xdeadbeefcafeULL, 0xffffffffffffffffULL,
                                                0x8000000000000000ULL};

static void test_signed_conversions(void **state)
{
    SWEEP("", "d", int_values);
    SWEEP("", "i", int_values);
}

static void test_unsigned_conversions(void **state)
{
    SWEEP("", "u", uint_values);
    SWEEP("", "x", uint_values);
    SWEEP("", "X", uint_values);
    SWEEP("", "o", uint_values);
}

static void test_length_hh_h(void **state)
{
    SWEEP("hh", "d", int_values);
    SWEEP("hh", "u", int_values);
    SWEEP("h", "d", int_values);
    SWEEP("h", "x", int_values);
    SWEEP("hh", "o", int_values);
}

static void test_length_64bit(void **state)
{
    static const char *const lens[] = {"l", "ll", "z", "t", "j"};
    for (size_t i = 0; i < N(lens); i++) {
        SWEEP(lens[i], "d", ll_values);
        SWEEP(lens[i], "x", ull_values);
        SWEEP(lens[i], "o", ull_values);
        SWEEP(lens[i], "u", ull_values);
    }
}

static void test_strings(void **state)
{
    static const char *const strs[] = {"", "a", "hello", "a longer string, 31 characters"};
    static const char *const sflags[] = {"", "-"};
    char f[32];

    for (size_t fi = 0; fi < N(sflags); fi++)
        for (size_t wi = 0; wi < N(widths); wi++)
            for (size_t pi = 0; pi < N(precs); pi++)
                for (size_t vi = 0; vi < N(strs); vi++) {
                    snprintf(f, sizeof(f), "<%%%s%s%ss>", sflags[fi], widths[wi], precs[pi]);
                    CMP_STARS(f, star_widths[vi % 3], star_precs[vi % 3], strs[vi]);
                }
}

static void test_null_string(void **state)
{
    const char *null = NULL;

    CMP("%s", null);
    CMP("[%10s]", null);
    CMP("[%-8s]", null);
    assert_int_equal(ksnprintf(kbuf, sizeof(kbuf), "%.3s", null), 3); /* "(nu" */
    assert_string_equal(kbuf, "(nu");
}

static void test_chars(void **state)
{
    static const int chars[] = {'a', 'Z', ' ', '%', 0x1ff /* converted to 0xff */};
    static const char *const cfmts[] = {"%c", "[%5c]", "[%-5c]", "[%1c]", "[%*c]"};

    for (size_t i = 0; i < N(cfmts); i++)
        for (size_t v = 0; v < N(chars); v++)
            CMP_STARS(cfmts[i], star_widths[v % 3], 0, chars[v]);
    /* A NUL char is output (and counted) like any other byte. */
    assert_int_equal(ksnprintf(kbuf, sizeof(kbuf), "a%cb", 0), 3);
    assert_int_equal(kbuf[0], 'a');
    assert_int_equal(kbuf[1], '\0');
    assert_int_equal(kbuf[2], 'b');
}

static void test_pointers(void **state)
{
    int x;
    void *ptrs[] = {&x, (void *)0x1, (void *)0xffff800000001000ULL, NULL};
    static const char *const pfmts[] = {"%p", "[%20p]", "[%-20p]", "[%3p]"};

    for (size_t i = 0; i < N(pfmts); i++)
        for (size_t v = 0; v < N(ptrs); v++)
            CMP(pfmts[i], ptrs[v]);
}

static void test_percent_and_literals(void **state)
{
    CMP("100%% sure %d%%", 5);
    CMP("no conversions at all%s", "");
    CMP("%d%d%d|%s|%c", 1, 2, 3, "x", 'y');
    /* Unknown conversions are printed as written, %n is never honoured. */
    const char *unknown = "a%yb", *percent_n = "ab%n", *trailing = "end%";
    assert_int_equal(ksnprintf(kbuf, sizeof(kbuf), unknown), 4);
    assert_string_equal(kbuf, "a%yb");
    int n = 0;
    ksnprintf(kbuf, sizeof(kbuf), percent_n, &n);
    assert_int_equal(n, 0);
    assert_string_equal(kbuf, "ab%n");
    assert_int_equal(ksnprintf(kbuf, sizeof(kbuf), trailing), 4); /* lone '%' at the end */
    assert_string_equal(kbuf, "end%");
}

static void test_truncation(void **state)
{
    char small[8];

    memset(small, 'x', sizeof(small));
    assert_int_equal(ksnprintf(small, sizeof(small), "%s-%d", "abcdef", 12345), 12);
    assert_string_equal(small, "abcdef-");
    assert_int_equal(ksnprintf(small, 1, "hello"), 5);
    assert_string_equal(small, "");
    small[0] = 'q';
    assert_int_equal(ksnprintf(small, 0, "hello %d", 42), 8); /* size 0: nothing written */
    assert_int_equal(small[0], 'q');
    assert_int_equal(ksnprintf(NULL, 0, "%08x", 1), 8);
    /* Truncated output equals the prefix of the full output, for every size. */
    for (size_t size = 1; size < 30; size++) {
        char k[32], h[32];
        int kn = ksnprintf(k, size, "%-6s|%+05d|%#x", "ab", 42, 255);
        int hn = snprintf(h, size, "%-6s|%+05d|%#x", "ab", 42, 255);
        assert_int_equal(kn, hn);
        assert_string_equal(k, h);
    }
}

static void test_huge_width_and_precision(void **state)
{
    /* Output longer than the buffer: counted, not written. */
    assert_int_equal(ksnprintf(kbuf, 16, "%1000d", 5), 1000);
    assert_int_equal(strlen(kbuf), 15);
    assert_int_equal(ksnprintf(kbuf, 16, "%.700u", 5u), 700);
    /* A precision that overflows int saturates instead of wrapping negative. */
    const char *wide = "[%.99999999999s]";
    assert_int_equal(ksnprintf(kbuf, sizeof(kbuf), wide, "abc"), 5);
    assert_string_equal(kbuf, "[abc]");
}

static int vwrap(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = kvsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return r;
}

static void test_kvsnprintf(void **state)
{
    assert_int_equal(vwrap(kbuf, sizeof(kbuf), "%s=%d", "x", -3), 4);
    assert_string_equal(kbuf, "x=-3");
}

static void test_kprintf_console(void **state)
{
    lt_capture_start();
    assert_int_equal(kprintf("hello %s %d\n", "world", 42), 15);
    lt_capture_stop();
    assert_string_equal(lt_capture_text(), "hello world 42\n");
}

static int kvprintf_wrap(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = kvprintf(fmt, ap);
    va_end(ap);
    return r;
}

static void test_kprintf_long_output(void **state)
{
    char expect[1500];

    memset(expect, ' ', 1199);
    expect[1199] = '7';
    expect[1200] = '\0';
    lt_capture_start();
    assert_int_equal(kvprintf_wrap("%1200d", 7), 1200); /* three console writes */
    lt_capture_stop();
    assert_string_equal(lt_capture_text(), expect);
}

static void test_table_size(void **state)
{
    /* The sweeps above really compared a large table. */
    assert_true(compared > 50000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signed_conversions),
        cmocka_unit_test(test_unsigned_conversions),
        cmocka_unit_test(test_length_hh_h),
        cmocka_unit_test(test_length_64bit),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_null_string),
        cmocka_unit_test(test_chars),
        cmocka_unit_test(test_pointers),
        cmocka_unit_test(test_percent_and_literals),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_huge_width_and_precision),
        cmocka_unit_test(test_kvsnprintf),
        cmocka_unit_test(test_kprintf_console),
        cmocka_unit_test(test_kprintf_long_output),
        cmocka_unit_test(test_table_size),
    };
    return cmocka_run_group_tests_name("lib_printf", tests, lt_group_setup, lt_group_teardown);
}
