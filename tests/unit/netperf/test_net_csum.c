/*
 * test_net_csum.c - net_chksum (net/csum.c), lwIP's LWIP_CHKSUM, against RFC 1071 done the
 * plain way: 16-bit big-endian words, one at a time, end-around carry. lwIP wants the sum in
 * host order, so the result's bytes in memory must be the big-endian sum's bytes. Every
 * length 0..600 at every start offset 0..7 over seeded random bytes, the largest lengths,
 * all-zero and all-ones data, and RFC 1071's own example.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/lwipopts.h"

#define SEED 0x9e3779b9u

static uint16_t ref_sum(const uint8_t *p, size_t len)
{
    uint32_t s = 0;

    for (size_t i = 0; i + 1 < len; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        s += (uint32_t)p[len - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

static void check(const uint8_t *p, size_t len)
{
    uint16_t got = net_chksum(p, (int)len), want = ref_sum(p, len);
    uint8_t b[2];

    memcpy(b, &got, 2);
    if (b[0] != want >> 8 || b[1] != (want & 0xff)) {
        fprintf(stderr, "net_chksum(len %zu, offset %u): %02x%02x, want %04x (seed %#x)\n", len,
                (unsigned)((uintptr_t)p & 7), b[0], b[1], want, SEED);
        fail();
    }
}

static void test_every_length_and_offset(void **state)
{
    static uint8_t buf[608];
    uint32_t x = SEED;

    (void)state;
    for (size_t i = 0; i < sizeof(buf); i++) {
        x = x * 1664525u + 1013904223u;
        buf[i] = (uint8_t)(x >> 24);
    }
    for (unsigned off = 0; off < 8; off++)
        for (size_t len = 0; len + off <= 600; len++)
            check(buf + off, len);
}

static void test_large_and_extreme(void **state)
{
    size_t n = 65535 + 8;
    uint8_t *buf = malloc(n);

    (void)state;
    assert_non_null(buf);
    memset(buf, 0xff, n);
    check(buf, 65535);
    check(buf + 3, 65532);
    memset(buf, 0, n);
    check(buf, 65535);
    assert_int_equal(net_chksum(buf, 1500), 0);
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)(i * 7 + 3);
    check(buf, 65535);
    check(buf + 1, 65534);
    free(buf);
}

static void test_rfc1071_example(void **state)
{
    /* RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to dd f2 */
    static const uint8_t ex[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    uint16_t got = net_chksum(ex, sizeof(ex));
    uint8_t b[2];

    (void)state;
    memcpy(b, &got, 2);
    assert_int_equal(b[0], 0xdd);
    assert_int_equal(b[1], 0xf2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_length_and_offset),
        cmocka_unit_test(test_large_and_extreme),
        cmocka_unit_test(test_rfc1071_example),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
