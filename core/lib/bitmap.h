/*
 * bitmap.h - fixed-size bitmaps over arrays of uint64_t words.
 */
#ifndef CORE_LIB_BITMAP_H
#define CORE_LIB_BITMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BITMAP_WORDS(nbits) (((nbits) + 63) / 64)

static inline void bitmap_set(uint64_t *map, size_t bit)
{
    map[bit / 64] |= 1ULL << (bit % 64);
}

static inline void bitmap_clear(uint64_t *map, size_t bit)
{
    map[bit / 64] &= ~(1ULL << (bit % 64));
}

static inline bool bitmap_test(const uint64_t *map, size_t bit)
{
    return (map[bit / 64] >> (bit % 64)) & 1;
}

void bitmap_zero(uint64_t *map, size_t nbits);
void bitmap_fill(uint64_t *map, size_t nbits);
void bitmap_set_range(uint64_t *map, size_t start, size_t len);
void bitmap_clear_range(uint64_t *map, size_t start, size_t len);
/* First set/clear bit at or after start, or nbits when none. */
size_t bitmap_find_next_set(const uint64_t *map, size_t nbits, size_t start);
size_t bitmap_find_next_clear(const uint64_t *map, size_t nbits, size_t start);
/* First run of len clear bits at or after start, or nbits when none. */
size_t bitmap_find_clear_run(const uint64_t *map, size_t nbits, size_t start, size_t len);
size_t bitmap_count(const uint64_t *map, size_t nbits);

#endif
