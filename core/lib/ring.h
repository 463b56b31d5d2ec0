/*
 * ring.h - byte ring buffer over caller-provided storage whose size is a power of two.
 * Single producer/single consumer safe only under a lock the caller holds.
 */
#ifndef CORE_LIB_RING_H
#define CORE_LIB_RING_H

#include <stddef.h>
#include <stdint.h>

struct ring {
    uint8_t *buf;
    size_t size; /* power of two */
    size_t head; /* next write position (free-running) */
    size_t tail; /* next read position (free-running) */
};

/* Returns 0, or -EINVAL when size is not a power of two. */
int ring_init(struct ring *r, void *storage, size_t size);
size_t ring_used(const struct ring *r);
size_t ring_free(const struct ring *r);
/* Copy in/out as much as fits/is there; return the byte count. */
size_t ring_write(struct ring *r, const void *src, size_t n);
size_t ring_read(struct ring *r, void *dst, size_t n);
size_t ring_peek(const struct ring *r, void *dst, size_t n);
void ring_discard(struct ring *r, size_t n);

#endif
