/*
 * wlog.c - write log and crash-state construction (see wlog.h).
 */
#include "tools/tfskit/wlog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void wlog_init(struct wlog *l)
{
    memset(l, 0, sizeof(*l));
}

void wlog_reset(struct wlog *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->e[i].data);
    l->n = 0;
    l->bytes = 0;
}

void wlog_free(struct wlog *l)
{
    wlog_reset(l);
    free(l->e);
    memset(l, 0, sizeof(*l));
}

static struct wlog_entry *append(struct wlog *l)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->e = realloc(l->e, l->cap * sizeof(*l->e));
        if (!l->e)
            abort();
    }
    struct wlog_entry *e = &l->e[l->n++];
    memset(e, 0, sizeof(*e));
    return e;
}

void wlog_write(struct wlog *l, uint64_t off, const void *data, size_t len)
{
    struct wlog_entry *e = append(l);
    e->kind = WLOG_WRITE;
    e->off = off;
    e->len = (uint32_t)len;
    e->data = malloc(len ? len : 1);
    if (!e->data)
        abort();
    memcpy(e->data, data, len);
    l->bytes += len;
}

void wlog_flush(struct wlog *l)
{
    append(l)->kind = WLOG_FLUSH;
}

size_t wlog_count(const struct wlog *l)
{
    return l->n;
}

size_t wlog_flush_count(const struct wlog *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        n += l->e[i].kind == WLOG_FLUSH;
    return n;
}

size_t wlog_last_flush_before(const struct wlog *l, size_t point)
{
    for (size_t i = point < l->n ? point : l->n; i > 0; i--)
        if (l->e[i - 1].kind == WLOG_FLUSH)
            return i - 1;
    return SIZE_MAX;
}

static void apply(uint8_t *img, size_t size, uint64_t off, const uint8_t *data, size_t len)
{
    if (off > size || len > size - off) {
        fprintf(stderr, "wlog: write [%llu,+%zu) outside the %zu-byte image\n",
                (unsigned long long)off, len, size);
        abort();
    }
    memcpy(img + off, data, len);
}

struct unit {
    size_t entry;
    uint32_t off, len; /* within the entry */
};

size_t wlog_crash_image(const struct wlog *l, const struct wlog_crash *c, uint8_t *img,
                        size_t size)
{
    size_t point = c->point < l->n ? c->point : l->n;
    size_t lf = wlog_last_flush_before(l, point);
    size_t durable_end = lf == SIZE_MAX ? 0 : lf;
    for (size_t i = 0; i < durable_end; i++)
        if (l->e[i].kind == WLOG_WRITE)
            apply(img, size, l->e[i].off, l->e[i].data, l->e[i].len);
    if (c->lose_all)
        return 0;

    /* Cut the unflushed writes into units, keep a seeded random subset, shuffle, apply. */
    size_t nu = 0, capu = 64;
    struct unit *u = malloc(capu * sizeof(*u));
    uint64_t rs = c->seed;
    for (size_t i = lf == SIZE_MAX ? 0 : lf + 1; i < point; i++) {
        const struct wlog_entry *e = &l->e[i];
        if (e->kind != WLOG_WRITE)
            continue;
        uint32_t step = c->tear ? c->tear : e->len;
        for (uint32_t o = 0; o < e->len; o += step) {
            if (tfskit_rand_below(&rs, 100) >= c->keep_pct)
                continue;
            if (nu == capu) {
                capu *= 2;
                u = realloc(u, capu * sizeof(*u));
            }
            if (!u)
                abort();
            u[nu++] = (struct unit){i, o, e->len - o < step ? e->len - o : step};
        }
    }
    for (size_t i = nu; i > 1; i--) {
        size_t j = tfskit_rand_below(&rs, i);
        struct unit t = u[i - 1];
        u[i - 1] = u[j];
        u[j] = t;
    }
    for (size_t i = 0; i < nu; i++) {
        const struct wlog_entry *e = &l->e[u[i].entry];
        apply(img, size, e->off + u[i].off, e->data + u[i].off, u[i].len);
    }
    free(u);
    return nu;
}
