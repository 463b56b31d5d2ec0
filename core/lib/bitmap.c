/*
 * bitmap.c - range and search operations on uint64_t-word bitmaps (bitmap.h).
 *
 * Bit i lives in word i / 64 at position i % 64. Operations touch whole words where they can;
 * bits at or past nbits in the last word are never set by bitmap_fill/set_range and are
 * ignored by the searches and bitmap_count.
 */
#include "core/lib/bitmap.h"

#define WORD_BITS 64

/* Mask of bits [lo, hi) within one word, 0 <= lo < hi <= 64. */
static uint64_t word_mask(unsigned lo, unsigned hi)
{
    uint64_t upper = hi == WORD_BITS ? ~0ULL : (1ULL << hi) - 1;
    return upper & ~((1ULL << lo) - 1);
}

/* Popcount without __builtin_popcountll, which may become a libgcc call in the kernel. */
static unsigned popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    return (unsigned)((x * 0x0101010101010101ULL) >> 56);
}

void bitmap_zero(uint64_t *map, size_t nbits)
{
    for (size_t i = 0; i < BITMAP_WORDS(nbits); i++)
        map[i] = 0;
}

void bitmap_fill(uint64_t *map, size_t nbits)
{
    bitmap_zero(map, nbits);
    bitmap_set_range(map, 0, nbits);
}

/* Set (set != 0) or clear every bit of [start, start + len). */
static void apply_range(uint64_t *map, size_t start, size_t len, int set)
{
    size_t end = start + len;

    while (start < end) {
        size_t w = start / WORD_BITS;
        unsigned lo = start % WORD_BITS;
        unsigned hi = end - w * WORD_BITS >= WORD_BITS ? WORD_BITS : (unsigned)(end % WORD_BITS);
        uint64_t m = word_mask(lo, hi);

        if (set)
            map[w] |= m;
        else
            map[w] &= ~m;
        start = (w + 1) * WORD_BITS;
    }
}

void bitmap_set_range(uint64_t *map, size_t start, size_t len)
{
    apply_range(map, start, len, 1);
}

void bitmap_clear_range(uint64_t *map, size_t start, size_t len)
{
    apply_range(map, start, len, 0);
}

/* First bit at or after start whose value is (flip ? 0 : 1), or nbits. */
static size_t find_next(const uint64_t *map, size_t nbits, size_t start, uint64_t flip)
{
    if (start >= nbits)
        return nbits;
    size_t w = start / WORD_BITS;
    uint64_t bits = (map[w] ^ flip) & ~((1ULL << (start % WORD_BITS)) - 1);

    for (;;) {
        if (bits) {
            size_t bit = w * WORD_BITS + (size_t)__builtin_ctzll(bits);
            return bit < nbits ? bit : nbits;
        }
        if (++w >= BITMAP_WORDS(nbits))
            return nbits;
        bits = map[w] ^ flip;
    }
}

size_t bitmap_find_next_set(const uint64_t *map, size_t nbits, size_t start)
{
    return find_next(map, nbits, start, 0);
}

size_t bitmap_find_next_clear(const uint64_t *map, size_t nbits, size_t start)
{
    return find_next(map, nbits, start, ~0ULL);
}

size_t bitmap_find_clear_run(const uint64_t *map, size_t nbits, size_t start, size_t len)
{
    if (len == 0)
        return start <= nbits ? start : nbits;
    while (start < nbits) {
        size_t first = bitmap_find_next_clear(map, nbits, start);
        if (first >= nbits || nbits - first < len)
            return nbits;
        size_t next_set = bitmap_find_next_set(map, nbits, first);
        if (next_set - first >= len)
            return first;
        start = next_set;
    }
    return nbits;
}

size_t bitmap_count(const uint64_t *map, size_t nbits)
{
    size_t n = 0, full = nbits / WORD_BITS;

    for (size_t i = 0; i < full; i++)
        n += popcount64(map[i]);
    if (nbits % WORD_BITS)
        n += popcount64(map[full] & word_mask(0, nbits % WORD_BITS));
    return n;
}
