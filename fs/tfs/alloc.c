/*
 * alloc.c - free space: derived, never stored.
 *
 * At mount the whole device starts free and every structure the log describes is carved out
 * of it (both superblocks, the log's segments, every file extent); a carve that finds any of
 * its blocks already taken is an overlap, i.e. a corrupt volume. The result is an rbtree of
 * free ranges ordered by start. Blocks freed by a staged record go to the pending list and
 * return to the tree only after the commit that makes the free durable (tfs_commit), so a
 * crash can never leave a durable file pointing at blocks that were reused.
 *
 * Allocation: take from the free range holding the goal block (files grow in place), else the
 * first range at or after the rover with at least the wanted length within a bounded scan,
 * else the largest seen (the caller loops for the rest).
 */
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/lib/list.h"
#include "fs/tfs/tfs_internal.h"
#include "hal/hal_errno.h"

#define ALLOC_SCAN 64

static int free_cmp(const struct rb_node *a, const struct rb_node *b)
{
    const struct tfs_free *x = rb_entry(a, struct tfs_free, rb);
    const struct tfs_free *y = rb_entry(b, struct tfs_free, rb);
    return x->start < y->start ? -1 : x->start > y->start;
}

/* key: a block number; a node compares as "equal" when it starts at the key */
static int free_key_cmp(const void *key, const struct rb_node *n)
{
    uint64_t k = *(const uint64_t *)key;
    const struct tfs_free *f = rb_entry(n, struct tfs_free, rb);
    return k < f->start ? -1 : k > f->start;
}

/* The free range containing blk, or NULL. */
static struct tfs_free *free_containing(struct tfs_vol *v, uint64_t blk)
{
    struct rb_node *n = rb_lower_bound(&v->free, &blk, free_key_cmp);
    struct tfs_free *f;
    if (n) {
        f = rb_entry(n, struct tfs_free, rb);
        if (f->start == blk)
            return f;
        n = rb_prev(n);
    } else {
        n = rb_last(&v->free);
    }
    if (!n)
        return NULL;
    f = rb_entry(n, struct tfs_free, rb);
    return blk - f->start < f->len ? f : NULL;
}

/* The new range, or NULL (out of memory). */
static struct tfs_free *free_insert(struct tfs_vol *v, uint64_t start, uint64_t len)
{
    struct tfs_free *f = kmalloc(sizeof(*f));
    if (!f)
        return NULL;
    f->start = start;
    f->len = len;
    rb_insert(&v->free, &f->rb, free_cmp);
    return f;
}

int tfs_space_init(struct tfs_vol *v)
{
    rb_init(&v->free);
    v->free_blocks = v->nblocks;
    v->carve_hint = NULL;
    return free_insert(v, 0, v->nblocks) ? 0 : -ENOMEM;
}

void tfs_space_destroy(struct tfs_vol *v)
{
    struct rb_node *n;
    while ((n = rb_first(&v->free))) {
        rb_remove(&v->free, n);
        kfree(rb_entry(n, struct tfs_free, rb));
    }
    v->carve_hint = NULL;
    kfree(v->pending);
    v->pending = NULL;
    v->npending = v->pendcap = 0;
}

/*
 * Mark [start, start+len) used; -EEXIST when any of it is not free (overlap). The mount
 * carves every extent in inode order, which mkfs laid out in the same order, so each carve
 * usually starts in the range the previous one left: v->carve_hint, tried before the tree
 * (it always names a range in the tree: cleared whenever that range goes).
 */
int tfs_space_carve(struct tfs_vol *v, uint64_t start, uint64_t len)
{
    if (len == 0 || start >= v->nblocks || len > v->nblocks - start)
        return -ERANGE;
    struct tfs_free *f = v->carve_hint;
    if (!f || start < f->start || start - f->start >= f->len)
        f = free_containing(v, start);
    if (!f || len > f->len - (start - f->start))
        return -EEXIST;
    uint64_t fend = f->start + f->len, end = start + len;
    v->carve_hint = f;
    if (f->start == start) {
        f->start += len;
        f->len -= len;
        if (f->len == 0) {
            rb_remove(&v->free, &f->rb);
            kfree(f);
            v->carve_hint = NULL;
        }
    } else {
        f->len = start - f->start;
        if (end < fend) {
            struct tfs_free *tail = free_insert(v, end, fend - end);
            if (!tail) {
                f->len = fend - f->start;
                return -ENOMEM;
            }
            v->carve_hint = tail;
        }
    }
    v->free_blocks -= len;
    return 0;
}

/* Return [start, start+len) to the tree, merging with neighbours. */
int tfs_space_free(struct tfs_vol *v, uint64_t start, uint64_t len)
{
    uint64_t key = start;
    struct rb_node *n = rb_lower_bound(&v->free, &key, free_key_cmp);
    struct tfs_free *next = n ? rb_entry(n, struct tfs_free, rb) : NULL;
    struct rb_node *pn = n ? rb_prev(n) : rb_last(&v->free);
    struct tfs_free *prev = pn ? rb_entry(pn, struct tfs_free, rb) : NULL;

    if ((prev && prev->start + prev->len > start) || (next && start + len > next->start)) {
        tfs_set_error(v, -EUCLEAN); /* double free: an internal bug, never disk input */
        return -EUCLEAN;
    }
    v->free_blocks += len;
    if (prev && prev->start + prev->len == start) {
        prev->len += len;
        if (next && prev->start + prev->len == next->start) {
            prev->len += next->len;
            if (v->carve_hint == next)
                v->carve_hint = NULL;
            rb_remove(&v->free, &next->rb);
            kfree(next);
        }
        return 0;
    }
    if (next && start + len == next->start) {
        next->start = start; /* order is unchanged */
        next->len += len;
        return 0;
    }
    if (free_insert(v, start, len))
        return 0;
    v->free_blocks -= len;
    return -ENOMEM;
}

static void take(struct tfs_vol *v, struct tfs_free *f, uint64_t from, uint64_t want,
                 uint64_t *start, uint64_t *got)
{
    uint64_t avail = f->start + f->len - from;
    *start = from;
    *got = want < avail ? want : avail;
    /* carving a range we know is free cannot fail except for -ENOMEM on a split; splits
     * happen only when from > f->start, which take() is never asked to do after a failure */
    if (tfs_space_carve(v, from, *got))
        *got = 0;
    v->alloc_rover = from + *got;
}

int tfs_space_alloc(struct tfs_vol *v, uint64_t goal, uint64_t want, uint64_t *start,
                    uint64_t *got)
{
    *got = 0;
    if (want == 0 || v->free_blocks == 0)
        return -ENOSPC;
    struct tfs_free *f = goal ? free_containing(v, goal) : NULL;
    if (f) {
        take(v, f, goal, want, start, got);
        return *got ? 0 : -ENOMEM;
    }
    uint64_t key = v->alloc_rover;
    struct rb_node *n = rb_lower_bound(&v->free, &key, free_key_cmp);
    struct tfs_free *best = NULL;
    for (int i = 0; i < ALLOC_SCAN; i++) {
        if (!n)
            n = rb_first(&v->free);
        if (!n)
            break;
        f = rb_entry(n, struct tfs_free, rb);
        if (f->len >= want) {
            best = f;
            break;
        }
        if (!best || f->len > best->len)
            best = f;
        n = rb_next(n);
    }
    if (!best)
        return -ENOSPC;
    take(v, best, best->start, want, start, got);
    return *got ? 0 : -ENOMEM;
}

/* Exactly want contiguous blocks (log segments), first fit over the whole tree. */
int tfs_space_alloc_exact(struct tfs_vol *v, uint64_t want, uint64_t *start)
{
    for (struct rb_node *n = rb_first(&v->free); n; n = rb_next(n)) {
        struct tfs_free *f = rb_entry(n, struct tfs_free, rb);
        if (f->len >= want) {
            *start = f->start;
            return tfs_space_carve(v, f->start, want);
        }
    }
    return -ENOSPC;
}

int tfs_pending_add(struct tfs_vol *v, uint64_t start, uint64_t len)
{
    if (v->replaying)
        return 0; /* free space is derived after replay */
    if (v->npending && v->pending[v->npending - 1].start + v->pending[v->npending - 1].len ==
                           start) {
        v->pending[v->npending - 1].len += len;
        return 0;
    }
    if (v->npending == v->pendcap) {
        uint32_t ncap = v->pendcap ? v->pendcap * 2 : 16;
        struct tfs_range *n = krealloc(v->pending, ncap * sizeof(*n));
        if (!n) {
            tfs_set_error(v, -ENOMEM); /* the blocks leak until the next mount */
            return -ENOMEM;
        }
        v->pending = n;
        v->pendcap = ncap;
    }
    v->pending[v->npending].start = start;
    v->pending[v->npending].len = len;
    v->npending++;
    return 0;
}

void tfs_pending_release(struct tfs_vol *v)
{
    for (uint32_t i = 0; i < v->npending; i++)
        tfs_space_free(v, v->pending[i].start, v->pending[i].len);
    v->npending = 0;
}

/* Blocks data may still take: free less reservations, the log's reserve and the staged
 * records' needs. */
uint64_t tfs_data_avail(struct tfs_vol *v)
{
    uint64_t need = v->reserve + tfs_log_need(v, 0), free = tfs_free_unreserved(v);
    return free > need ? free - need : 0;
}
