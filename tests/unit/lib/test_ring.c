/*
 * test_ring.c - byte ring (core/lib/ring.c): sizes, partial writes and reads, wrap-around,
 * peek and discard, free-running index overflow; a random stream against a model.
 */
#include <stdint.h>
#include <string.h>

#include "core/lib/ring.h"
#include "hal/hal_errno.h"
#include "tests/unit/lib/lib_test.h"

static uint8_t storage[64];

static void test_init_sizes(void **state)
{
    struct ring r;

    assert_int_equal(ring_init(&r, storage, 64), 0);
    assert_int_equal(ring_used(&r), 0);
    assert_int_equal(ring_free(&r), 64);
    assert_int_equal(ring_init(&r, storage, 1), 0);
    assert_int_equal(ring_init(&r, storage, 0), -EINVAL);
    assert_int_equal(ring_init(&r, storage, 48), -EINVAL);
}

static void test_write_read_full(void **state)
{
    struct ring r;
    uint8_t in[100], out[100];

    for (int i = 0; i < 100; i++)
        in[i] = (uint8_t)i;
    ring_init(&r, storage, 64);
    assert_int_equal(ring_write(&r, in, 100), 64); /* as much as fits */
    assert_int_equal(ring_free(&r), 0);
    assert_int_equal(ring_write(&r, in, 1), 0);
    assert_int_equal(ring_read(&r, out, 100), 64);
    assert_memory_equal(in, out, 64);
    assert_int_equal(ring_read(&r, out, 1), 0);
}

static void test_wrap_around(void **state)
{
    struct ring r;
    uint8_t in[40], out[40];

    ring_init(&r, storage, 64);
    for (int i = 0; i < 40; i++)
        in[i] = (uint8_t)(0xa0 + i);
    assert_int_equal(ring_write(&r, in, 40), 40);
    assert_int_equal(ring_read(&r, out, 40), 40);
    /* head = tail = 40: the next 40 bytes cross the end of storage. */
    assert_int_equal(ring_write(&r, in, 40), 40);
    assert_int_equal(storage[63], in[23]);
    assert_int_equal(storage[0], in[24]);
    memset(out, 0, sizeof(out));
    assert_int_equal(ring_read(&r, out, 40), 40);
    assert_memory_equal(in, out, 40);
}

static void test_peek_and_discard(void **state)
{
    struct ring r;
    uint8_t out[8];

    ring_init(&r, storage, 8);
    ring_write(&r, "abcdef", 6);
    assert_int_equal(ring_peek(&r, out, 3), 3);
    assert_memory_equal(out, "abc", 3);
    assert_int_equal(ring_used(&r), 6); /* peek consumes nothing */
    ring_discard(&r, 2);
    assert_int_equal(ring_read(&r, out, 8), 4);
    assert_memory_equal(out, "cdef", 4);
    ring_write(&r, "12345678", 8);
    ring_discard(&r, 100); /* clamps to what is there */
    assert_int_equal(ring_used(&r), 0);
    assert_int_equal(ring_peek(&r, out, 8), 0);
}

static void test_index_overflow(void **state)
{
    struct ring r;
    uint8_t out[16];

    /* Free-running indices near SIZE_MAX wrap without losing the fill level. */
    ring_init(&r, storage, 16);
    r.head = r.tail = SIZE_MAX - 5;
    assert_int_equal(ring_write(&r, "0123456789", 10), 10);
    assert_int_equal(ring_used(&r), 10);
    assert_int_equal(ring_free(&r), 6);
    assert_int_equal(ring_read(&r, out, 16), 10);
    assert_memory_equal(out, "0123456789", 10);
}

static void test_random_stream(void **state)
{
    static uint8_t big[256], tmp[300];
    struct ring r;
    uint8_t wnext = 0, rnext = 0;
    size_t level = 0;

    lt_rand_seed(lt_seed() ^ 0x717);
    ring_init(&r, big, sizeof(big));
    for (int op = 0; op < 5000; op++) {
        size_t n = lt_rand_below(300);
        if (lt_rand_below(2)) {
            for (size_t i = 0; i < n; i++)
                tmp[i] = (uint8_t)(wnext + i);
            size_t expect = n < ring_free(&r) ? n : ring_free(&r);
            assert_int_equal(ring_write(&r, tmp, n), expect);
            wnext = (uint8_t)(wnext + expect);
            level += expect;
        } else {
            size_t got = ring_read(&r, tmp, n);
            for (size_t i = 0; i < got; i++) {
                if (tmp[i] != (uint8_t)(rnext + i))
                    fail_msg("ring stream corrupted, PETREL_SEED=%llu",
                             (unsigned long long)lt_seed());
            }
            rnext = (uint8_t)(rnext + got);
            assert_int_equal(got, n < level ? n : level);
            level -= got;
        }
        assert_int_equal(ring_used(&r), level);
        assert_int_equal(ring_free(&r), sizeof(big) - level);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_sizes),     cmocka_unit_test(test_write_read_full),
        cmocka_unit_test(test_wrap_around),    cmocka_unit_test(test_peek_and_discard),
        cmocka_unit_test(test_index_overflow), cmocka_unit_test(test_random_stream),
    };
    return cmocka_run_group_tests_name("lib_ring", tests, lt_group_setup, lt_group_teardown);
}
