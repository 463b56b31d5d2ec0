/*
 * test_string.c - Petrel's memory and string functions (core/lib/string.c under test names),
 * checked against the C library on edge cases, every alignment and overlapping moves.
 */
#include <stdint.h>
#include <string.h>

#include "core/lib/kstring.h"
#include "core/lib/kstring_test.h"
#include "tests/unit/lib/lib_test.h"

#define BUF 256

static unsigned char src[BUF], dst[BUF], ref[BUF];

static void fill_pattern(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(i * 31 + seed * 7 + 1);
}

static int sign(int x)
{
    return (x > 0) - (x < 0);
}

/* Every pair of source and destination offsets (the copies move unaligned words), and sizes
 * across two 64-byte blocks, the word loop and the 4/2/1-byte tail. */
static void test_memcpy_all_alignments(void **state)
{
    fill_pattern(src, BUF, 1);
    for (size_t so = 0; so < 16; so++) {
        for (size_t d = 0; d < 16; d++) {
            for (size_t n = 0; n < 150; n++) {
                memset(dst, 0xee, BUF);
                memset(ref, 0xee, BUF);
                assert_ptr_equal(lib_memcpy(dst + d, src + so, n), dst + d);
                memcpy(ref + d, src + so, n);
                assert_memory_equal(dst, ref, BUF);
            }
        }
    }
}

static void test_memcpy_zero_length(void **state)
{
    dst[0] = 0x55;
    assert_ptr_equal(lib_memcpy(dst, src, 0), dst);
    assert_int_equal(dst[0], 0x55);
}

static void test_memmove_overlap_forward(void **state)
{
    /* dst above src: must copy from the end. */
    for (size_t off = 1; off < 20; off++) {
        for (size_t n = 0; n < 200; n++) {
            fill_pattern(dst, BUF, 2);
            fill_pattern(ref, BUF, 2);
            lib_memmove(dst + 5 + off, dst + 5, n);
            memmove(ref + 5 + off, ref + 5, n);
            assert_memory_equal(dst, ref, BUF);
        }
    }
}

static void test_memmove_overlap_backward(void **state)
{
    for (size_t off = 1; off < 20; off++) {
        for (size_t n = 0; n < 200; n++) {
            fill_pattern(dst, BUF, 3);
            fill_pattern(ref, BUF, 3);
            lib_memmove(dst + 3, dst + 3 + off, n);
            memmove(ref + 3, ref + 3 + off, n);
            assert_memory_equal(dst, ref, BUF);
        }
    }
}

static void test_memmove_disjoint_and_same(void **state)
{
    fill_pattern(src, BUF, 4);
    memset(dst, 0, BUF);
    assert_ptr_equal(lib_memmove(dst, src, 100), dst);
    assert_memory_equal(dst, src, 100);
    assert_ptr_equal(lib_memmove(dst, dst, 100), dst);
    assert_memory_equal(dst, src, 100);
}

static void test_memset_alignments(void **state)
{
    for (size_t off = 0; off < 16; off++) {
        for (size_t n = 0; n < 150; n++) {
            memset(dst, 0x11, BUF);
            memset(ref, 0x11, BUF);
            assert_ptr_equal(lib_memset(dst + off, 0x1c3, n), dst + off); /* int truncated */
            memset(ref + off, 0xc3, n);
            assert_memory_equal(dst, ref, BUF);
        }
    }
}

static void test_memcmp(void **state)
{
    unsigned char a[8] = {1, 2, 3, 4, 5, 6, 7, 8}, b[8] = {1, 2, 3, 4, 5, 6, 7, 8};

    assert_int_equal(lib_memcmp(a, b, 8), 0);
    assert_int_equal(lib_memcmp(a, b, 0), 0);
    b[7] = 0x80; /* compared as unsigned char */
    assert_true(lib_memcmp(a, b, 8) < 0);
    assert_true(lib_memcmp(b, a, 8) > 0);
    assert_int_equal(lib_memcmp(a, b, 7), 0);
    assert_int_equal(sign(lib_memcmp(b, a, 8)), sign(memcmp(b, a, 8)));
}

static void test_memchr(void **state)
{
    const char s[] = "abc\0def\xff";

    assert_ptr_equal(lib_memchr(s, 'a', 8), s);
    assert_ptr_equal(lib_memchr(s, 'd', 8), s + 4);
    assert_ptr_equal(lib_memchr(s, '\0', 8), s + 3);
    assert_ptr_equal(lib_memchr(s, 0xff, 8), s + 7);
    assert_ptr_equal(lib_memchr(s, 0x1ff, 8), s + 7); /* c is converted to unsigned char */
    assert_null(lib_memchr(s, 'd', 4));
    assert_null(lib_memchr(s, 'a', 0));
}

static void test_strlen_strnlen(void **state)
{
    assert_int_equal(lib_strlen(""), 0);
    assert_int_equal(lib_strlen("hello"), 5);
    assert_int_equal(lib_strnlen("hello", 3), 3);
    assert_int_equal(lib_strnlen("hello", 5), 5);
    assert_int_equal(lib_strnlen("hello", 99), 5);
    assert_int_equal(lib_strnlen("hello", 0), 0);
    /* strnlen must not read past max: the buffer has no NUL. */
    char nonul[4] = {'a', 'b', 'c', 'd'};
    assert_int_equal(lib_strnlen(nonul, 4), 4);
}

static void test_strcmp(void **state)
{
    static const char *const cases[][2] = {
        {"", ""},       {"a", ""},     {"", "a"},     {"abc", "abc"},
        {"abc", "abd"}, {"ab", "abc"}, {"\x80", "a"}, {"a\xff", "a\x01"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(sign(lib_strcmp(cases[i][0], cases[i][1])),
                         sign(strcmp(cases[i][0], cases[i][1])));
    }
}

static void test_strncmp(void **state)
{
    assert_int_equal(lib_strncmp("abcdef", "abcxyz", 3), 0);
    assert_true(lib_strncmp("abcdef", "abcxyz", 4) < 0);
    assert_int_equal(lib_strncmp("abc", "abd", 0), 0);
    assert_int_equal(lib_strncmp("abc", "abc", 10), 0); /* stops at the NUL */
    assert_true(lib_strncmp("ab", "abc", 10) < 0);
    assert_true(lib_strncmp("\xf0", "a", 1) > 0);
}

static void test_strchr_strrchr(void **state)
{
    const char *s = "hello world";

    assert_ptr_equal(lib_strchr(s, 'o'), s + 4);
    assert_ptr_equal(lib_strrchr(s, 'o'), s + 7);
    assert_ptr_equal(lib_strchr(s, 'h'), s);
    assert_ptr_equal(lib_strrchr(s, 'd'), s + 10);
    assert_null(lib_strchr(s, 'z'));
    assert_null(lib_strrchr(s, 'z'));
    assert_ptr_equal(lib_strchr(s, '\0'), s + 11);
    assert_ptr_equal(lib_strrchr(s, '\0'), s + 11);
    assert_null(lib_strrchr("", 'a'));
}

static void test_kstrlcpy(void **state)
{
    char buf[8];

    assert_int_equal(lib_kstrlcpy(buf, "abc", sizeof(buf)), 3);
    assert_string_equal(buf, "abc");
    assert_int_equal(lib_kstrlcpy(buf, "abcdefghij", sizeof(buf)), 10); /* truncated */
    assert_string_equal(buf, "abcdefg");
    assert_int_equal(lib_kstrlcpy(buf, "abcdefg", sizeof(buf)), 7); /* exactly fits */
    assert_string_equal(buf, "abcdefg");
    buf[0] = 'x';
    assert_int_equal(lib_kstrlcpy(buf, "abc", 0), 3); /* size 0 writes nothing */
    assert_int_equal(buf[0], 'x');
    assert_int_equal(lib_kstrlcpy(buf, "abc", 1), 3);
    assert_string_equal(buf, "");
}

static void test_kstrlcpy_hosted_build(void **state)
{
    /* The kernel library's kstrlcpy (on top of libc) agrees with the test copy. */
    char a[6], b[6];
    size_t ra = kstrlcpy(a, "petrel kernel", sizeof(a));
    size_t rb = lib_kstrlcpy(b, "petrel kernel", sizeof(b));
    assert_int_equal(ra, rb);
    assert_string_equal(a, b);
}

static void test_random_against_libc(void **state)
{
    lt_rand_seed(lt_seed());
    for (int iter = 0; iter < 2000; iter++) {
        size_t n = lt_rand_below(128), a = lt_rand_below(64), b = lt_rand_below(64);
        for (size_t i = 0; i < BUF; i++)
            dst[i] = ref[i] = (unsigned char)lt_rand_below(4); /* small alphabet: ties */
        if (sign(lib_memcmp(dst + a, dst + b, n)) != sign(memcmp(dst + a, dst + b, n)))
            fail_msg("memcmp mismatch, seed %llu", (unsigned long long)lt_seed());
        lib_memmove(dst + a, dst + b, n);
        memmove(ref + a, ref + b, n);
        if (memcmp(dst, ref, BUF) != 0)
            fail_msg("memmove mismatch, seed %llu", (unsigned long long)lt_seed());
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memcpy_all_alignments),
        cmocka_unit_test(test_memcpy_zero_length),
        cmocka_unit_test(test_memmove_overlap_forward),
        cmocka_unit_test(test_memmove_overlap_backward),
        cmocka_unit_test(test_memmove_disjoint_and_same),
        cmocka_unit_test(test_memset_alignments),
        cmocka_unit_test(test_memcmp),
        cmocka_unit_test(test_memchr),
        cmocka_unit_test(test_strlen_strnlen),
        cmocka_unit_test(test_strcmp),
        cmocka_unit_test(test_strncmp),
        cmocka_unit_test(test_strchr_strrchr),
        cmocka_unit_test(test_kstrlcpy),
        cmocka_unit_test(test_kstrlcpy_hosted_build),
        cmocka_unit_test(test_random_against_libc),
    };
    return cmocka_run_group_tests_name("lib_string", tests, lt_group_setup, lt_group_teardown);
}
