/*
 * ring.c - byte ring buffer (ring.h).
 *
 * head and tail run freely and wrap modulo SIZE_MAX + 1; since size is a power of two,
 * head - tail is always the fill level and (x & (size - 1)) the position in buf. A copy that
 * crosses the end of buf is done in two pieces.
 */
#include "core/lib/ring.h"

#include "core/lib/kstring.h"
#include "hal/hal_errno.h"

int ring_init(struct ring *r, void *storage, size_t size)
{
    if (size == 0 || (size & (size - 1)) != 0)
        return -EINVAL;
    r->buf = storage;
    r->size = size;
    r->head = r->tail = 0;
    return 0;
}

size_t ring_used(const struct ring *r)
{
    return r->head - r->tail;
}

size_t ring_free(const struct ring *r)
{
    return r->size - ring_used(r);
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

size_t ring_write(struct ring *r, const void *src, size_t n)
{
    size_t pos = r->head & (r->size - 1);

    n = min_size(n, ring_free(r));
    size_t first = min_size(n, r->size - pos);
    memcpy(r->buf + pos, src, first);
    memcpy(r->buf, (const uint8_t *)src + first, n - first);
    r->head += n;
    return n;
}

size_t ring_peek(const struct ring *r, void *dst, size_t n)
{
    size_t pos = r->tail & (r->size - 1);

    n = min_size(n, ring_used(r));
    size_t first = min_size(n, r->size - pos);
    memcpy(dst, r->buf + pos, first);
    memcpy((uint8_t *)dst + first, r->buf, n - first);
    return n;
}

size_t ring_read(struct ring *r, void *dst, size_t n)
{
    n = ring_peek(r, dst, n);
    r->tail += n;
    return n;
}

void ring_discard(struct ring *r, size_t n)
{
    r->tail += min_size(n, ring_used(r));
}
