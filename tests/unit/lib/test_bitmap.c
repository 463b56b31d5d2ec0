/*
 * test_bitmap.c - bitmaps (core/lib/bitmap.c): ranges across word boundaries, searches that
 * start, stop and find at word edges, clear runs, counts; checked against a bool-array model.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/lib/bitmap.h"
#include "tests/unit/lib/lib_test.h"

#define NB 300 /* not a multiple of 64 */
#define GUARD 0x5a5a5a5a5a5a5a5aULL

static uint64_t map[BITMAP_WORDS(NB) + 1]; /* + a guard word that must never change */
static bool model[NB];

static void reset(bool v)
{
    if (v)
        bitmap_fill(map, NB);
    else
        bitmap_zero(map, NB);
    map[BITMAP_WORDS(NB)] = GUARD;
    for (size_t i = 0; i < NB; i++)
        model[i] = v;
}

static void apply(size_t start, size_t len, bool v)
{
    if (v)
        bitmap_set_range(map, start, len);
    else
        bitmap_clear_range(map, start, len);
    for (size_t i = start; i < start + len; i++)
        model[i] = v;
}

static void assert_matches_model(void)
{
    size_t count = 0;
    for (size_t i = 0; i < NB; i++) {
        assert_int_equal(bitmap_test(map, i), model[i]);
        count += model[i];
    }
    assert_int_equal(bitmap_count(map, NB), count);
    assert_int_equal(map[BITMAP_WORDS(NB)], GUARD);
}

static size_t model_next(size_t start, bool v)
{
    while (start < NB && model[start] != v)
        start++;
    return start;
}

static size_t model_run(size_t start, size_t len)
{
    for (size_t i = start; i + len <= NB; i++) {
        size_t j = 0;
        while (j < len && !model[i + j])
            j++;
        if (j == len)
            return i;
    }
    return NB;
}

static void test_single_bits(void **state)
{
    reset(false);
    const size_t bits[] = {0, 1, 63, 64, 65, 127, 128, 255, 256, 299};
    for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
        bitmap_set(map, bits[i]);
        model[bits[i]] = true;
    }
    assert_matches_model();
    bitmap_clear(map, 64);
    model[64] = false;
    assert_matches_model();
}

static void test_fill_respects_nbits(void **state)
{
    reset(true);
    assert_matches_model();
    assert_int_equal(bitmap_count(map, NB), NB);
    /* Bits past nbits in the last word stay clear. */
    assert_int_equal(map[NB / 64] >> (NB % 64), 0);
    reset(false);
    assert_int_equal(bitmap_count(map, NB), 0);
}

static void test_ranges_at_word_boundaries(void **state)
{
    const size_t edges[] = {0, 1, 62, 63, 64, 65, 127, 128, 191, 192, 255, 256};
    for (size_t a = 0; a < sizeof(edges) / sizeof(edges[0]); a++) {
        for (size_t len = 0; len <= 130 && edges[a] + len <= NB; len++) {
            reset(false);
            apply(edges[a], len, true);
            assert_matches_model();
            reset(true);
            apply(edges[a], len, false);
            assert_matches_model();
        }
    }
}

static void test_range_to_end(void **state)
{
    reset(false);
    apply(250, 50, true);
    assert_matches_model();
    apply(0, NB, true);
    assert_matches_model();
    apply(0, NB, false);
    assert_matches_model();
}

static void test_find_next_set(void **state)
{
    reset(false);
    assert_int_equal(bitmap_find_next_set(map, NB, 0), NB);
    bitmap_set(map, 63);
    bitmap_set(map, 64);
    bitmap_set(map, 299);
    assert_int_equal(bitmap_find_next_set(map, NB, 0), 63);
    assert_int_equal(bitmap_find_next_set(map, NB, 63), 63);
    assert_int_equal(bitmap_find_next_set(map, NB, 64), 64);
    assert_int_equal(bitmap_find_next_set(map, NB, 65), 299);
    assert_int_equal(bitmap_find_next_set(map, NB, 299), 299);
    assert_int_equal(bitmap_find_next_set(map, NB, 300), NB);
    assert_int_equal(bitmap_find_next_set(map, NB, 1000), NB);
    /* A bit beyond nbits (in the same word) is not found. */
    assert_int_equal(bitmap_find_next_set(map, 299, 65), 299);
}

static void test_find_next_clear(void **state)
{
    reset(true);
    assert_int_equal(bitmap_find_next_clear(map, NB, 0), NB); /* tail bits past NB ignored */
    bitmap_clear(map, 0);
    bitmap_clear(map, 128);
    assert_int_equal(bitmap_find_next_clear(map, NB, 0), 0);
    assert_int_equal(bitmap_find_next_clear(map, NB, 1), 128);
    assert_int_equal(bitmap_find_next_clear(map, NB, 129), NB);
    reset(true);
    bitmap_clear(map, 256); /* the last, partial word */
    assert_int_equal(bitmap_find_next_clear(map, NB, 200), 256);
}

static void test_find_clear_run(void **state)
{
    reset(true);
    apply(60, 10, false); /* straddles words 0 and 1 */
    apply(100, 3, false);
    apply(280, 20, false); /* up to the end */
    assert_int_equal(bitmap_find_clear_run(map, NB, 0, 3), 60);
    assert_int_equal(bitmap_find_clear_run(map, NB, 0, 10), 60);
    assert_int_equal(bitmap_find_clear_run(map, NB, 0, 11), 280);
    assert_int_equal(bitmap_find_clear_run(map, NB, 61, 10), 280);
    assert_int_equal(bitmap_find_clear_run(map, NB, 61, 3), 61);
    assert_int_equal(bitmap_find_clear_run(map, NB, 0, 20), 280);
    assert_int_equal(bitmap_find_clear_run(map, NB, 0, 21), NB);
    assert_int_equal(bitmap_find_clear_run(map, NB, 290, 10), 290);
    assert_int_equal(bitmap_find_clear_run(map, NB, 0, 0), 0);
    assert_int_equal(bitmap_find_clear_run(map, NB, 400, 1), NB);
}

static void test_random_against_model(void **state)
{
    lt_rand_seed(lt_seed() ^ 0xb17);
    reset(false);
    for (int op = 0; op < 3000; op++) {
        size_t start = lt_rand_below(NB), len = lt_rand_below(NB - start + 1);
        apply(start, len, lt_rand_below(2));
        size_t s = lt_rand_below(NB + 1), l = 1 + lt_rand_below(40);
        if (bitmap_find_next_set(map, NB, s) != model_next(s, true) ||
            bitmap_find_next_clear(map, NB, s) != model_next(s, false) ||
            bitmap_find_clear_run(map, NB, s, l) != model_run(s, l))
            fail_msg("bitmap search mismatch at op %d, PETREL_SEED=%llu", op,
                     (unsigned long long)lt_seed());
    }
    assert_matches_model();
}

static void test_count_partial_word(void **state)
{
    reset(true);
    assert_int_equal(bitmap_count(map, 1), 1);
    assert_int_equal(bitmap_count(map, 64), 64);
    assert_int_equal(bitmap_count(map, 65), 65);
    assert_int_equal(bitmap_count(map, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_bits),
        cmocka_unit_test(test_fill_respects_nbits),
        cmocka_unit_test(test_ranges_at_word_boundaries),
        cmocka_unit_test(test_range_to_end),
        cmocka_unit_test(test_find_next_set),
        cmocka_unit_test(test_find_next_clear),
        cmocka_unit_test(test_find_clear_run),
        cmocka_unit_test(test_random_against_model),
        cmocka_unit_test(test_count_partial_word),
    };
    return cmocka_run_group_tests_name("lib_bitmap", tests, lt_group_setup, lt_group_teardown);
}
