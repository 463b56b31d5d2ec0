/*
 * wlog.h - a write log for crash-consistency testing (host code).
 *
 * A device wrapper appends every WRITE (offset, bytes) and every FLUSH barrier to a wlog.
 * wlog_crash_image() then builds the image a power cut would leave at a chosen point, with
 * dm-log-writes semantics:
 *
 *   base image ── W W F W W W F W W ──▶
 *                      ▲         ▲   ▲ crash point c (entries before c were submitted)
 *                 durable     last flush before c
 *
 * Every write before the last FLUSH that precedes c is on the platter. Each write between
 * that FLUSH and c is independently kept or lost, and the kept ones land in a random order;
 * with tearing on, each write is first cut into `tear` byte units (the device's atomic unit,
 * 512 for hal_blk) that are kept or lost one by one. A crash exactly at a FLUSH with nothing
 * after it is the "clean cut" state.
 */
#ifndef TOOLS_TFSKIT_WLOG_H
#define TOOLS_TFSKIT_WLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum wlog_kind { WLOG_WRITE, WLOG_FLUSH };

struct wlog_entry {
    enum wlog_kind kind;
    uint64_t off; /* bytes */
    uint32_t len;
    uint8_t *data;
};

struct wlog {
    struct wlog_entry *e;
    size_t n, cap;
    size_t bytes; /* data held */
};

void wlog_init(struct wlog *l);
void wlog_reset(struct wlog *l); /* forget every entry */
void wlog_free(struct wlog *l);
void wlog_write(struct wlog *l, uint64_t off, const void *data, size_t len);
void wlog_flush(struct wlog *l);
size_t wlog_count(const struct wlog *l);
size_t wlog_flush_count(const struct wlog *l);

struct wlog_crash {
    size_t point;   /* entries [0, point) were submitted before the cut */
    bool lose_all;  /* drop every unflushed write (the clean cut) */
    unsigned keep_pct; /* else: chance each unflushed unit is kept (0..100) */
    uint32_t tear;  /* 0: whole writes; else atomic unit in bytes */
    uint64_t seed;  /* order and choice of kept units */
};

/*
 * Write into img (size bytes, holding the base image on entry) the state after a crash as
 * described by c. Writes past size are a bug of the caller and abort. Returns the number of
 * unflushed units that were kept.
 */
size_t wlog_crash_image(const struct wlog *l, const struct wlog_crash *c, uint8_t *img,
                        size_t size);

/* Index of the last FLUSH entry before point, or SIZE_MAX when none. */
size_t wlog_last_flush_before(const struct wlog *l, size_t point);

/* splitmix64: the small seeded generator every tfskit test uses. */
static inline uint64_t tfskit_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t tfskit_rand_below(uint64_t *state, uint64_t n)
{
    return n ? tfskit_rand(state) % n : 0;
}

#endif
