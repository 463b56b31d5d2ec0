/*
 * extent.c - a regular file's block map: a sorted array of non-overlapping extents
 * (logical block, device block, length, flags), held inline when there is just one.
 *
 * tfs_ext_map() only fills holes or re-flags the very same device blocks (unwritten ->
 * written); anything else is a corrupt record. Freed device blocks go to the pending list.
 * Adjacent extents that continue each other logically and physically with the same flags
 * are merged, so a file written in order stays one extent.
 */
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "fs/tfs/tfs_internal.h"
#include "hal/hal_errno.h"

static const struct tfs_ext *ext_array_c(const struct tfs_inode *ip)
{
    return tfs_ext_array((struct tfs_inode *)ip);
}

/* Index of the first extent ending after lblk. */
static uint32_t ext_search(const struct tfs_inode *ip, uint64_t lblk)
{
    const struct tfs_ext *e = ext_array_c(ip);
    uint32_t lo = 0, hi = ip->u.ext.n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (e[mid].lblk + e[mid].len <= lblk)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/*
 * The mapping at lblk: 1 with *out the extent (trimmed to start at lblk) when mapped, 0 for a
 * hole, with out->len the hole's length up to the next extent (UINT32_MAX when none).
 */
int tfs_ext_lookup(const struct tfs_inode *ip, uint64_t lblk, struct tfs_ext *out)
{
    uint32_t i = ext_search(ip, lblk);
    const struct tfs_ext *e = ext_array_c(ip);
    if (i < ip->u.ext.n && e[i].lblk <= lblk) {
        uint64_t d = lblk - e[i].lblk;
        out->lblk = lblk;
        out->pblk = e[i].pblk + d;
        out->len = (uint32_t)(e[i].len - d);
        out->flags = e[i].flags;
        return 1;
    }
    uint64_t gap = i < ip->u.ext.n ? e[i].lblk - lblk : UINT32_MAX;
    out->lblk = lblk;
    out->pblk = 0;
    out->len = gap > UINT32_MAX ? UINT32_MAX : (uint32_t)gap;
    out->flags = 0;
    return 0;
}

/* Make room for n entries; moves an inline extent out to an array when needed. */
static int ext_reserve(struct tfs_inode *ip, uint32_t n)
{
    uint32_t cap = ip->u.ext.cap ? ip->u.ext.cap : 1;
    if (n <= cap)
        return 0;
    uint32_t ncap = cap < 4 ? 4 : cap;
    while (ncap < n)
        ncap *= 2;
    if ((uint64_t)ncap * sizeof(struct tfs_ext) > (4u << 20))
        return -EFBIG; /* 174762 extents: the largest array the allocator gives */
    struct tfs_ext *a;
    if (ip->u.ext.cap == 0) {
        a = kmalloc(ncap * sizeof(*a));
        if (!a)
            return -ENOMEM;
        if (ip->u.ext.n)
            a[0] = ip->u.ext.e.one;
    } else {
        a = krealloc(ip->u.ext.e.v, ncap * sizeof(*a));
        if (!a)
            return -ENOMEM;
    }
    ip->u.ext.e.v = a;
    ip->u.ext.cap = ncap;
    return 0;
}

static void ext_remove_at(struct tfs_vol *v, struct tfs_inode *ip, uint32_t i)
{
    struct tfs_ext *e = tfs_ext_array(ip);
    memmove(&e[i], &e[i + 1], (ip->u.ext.n - i - 1) * sizeof(*e));
    ip->u.ext.n--;
    v->nextents--;
}

static int ext_insert_at(struct tfs_vol *v, struct tfs_inode *ip, uint32_t i,
                         const struct tfs_ext *x)
{
    int err = ext_reserve(ip, ip->u.ext.n + 1);
    if (err)
        return err;
    struct tfs_ext *e = tfs_ext_array(ip);
    memmove(&e[i + 1], &e[i], (ip->u.ext.n - i) * sizeof(*e));
    e[i] = *x;
    ip->u.ext.n++;
    v->nextents++;
    return 0;
}

static bool ext_joins(const struct tfs_ext *a, const struct tfs_ext *b)
{
    return a->lblk + a->len == b->lblk && a->pblk + a->len == b->pblk &&
           a->flags == b->flags && (uint64_t)a->len + b->len <= UINT32_MAX;
}

static void ext_merge_around(struct tfs_vol *v, struct tfs_inode *ip, uint32_t i)
{
    struct tfs_ext *e = tfs_ext_array(ip);
    if (i + 1 < ip->u.ext.n && ext_joins(&e[i], &e[i + 1])) {
        e[i].len += e[i + 1].len;
        ext_remove_at(v, ip, i + 1);
        e = tfs_ext_array(ip);
    }
    if (i > 0 && ext_joins(&e[i - 1], &e[i])) {
        e[i - 1].len += e[i].len;
        ext_remove_at(v, ip, i);
    }
}

/*
 * Cut the extents so that none straddles lblk (a split needs one more slot).
 */
static int ext_split(struct tfs_vol *v, struct tfs_inode *ip, uint64_t lblk)
{
    uint32_t i = ext_search(ip, lblk);
    struct tfs_ext *e = tfs_ext_array(ip);
    if (i >= ip->u.ext.n || e[i].lblk >= lblk)
        return 0;
    uint64_t d = lblk - e[i].lblk;
    struct tfs_ext tail = {lblk, e[i].pblk + d, (uint32_t)(e[i].len - d), e[i].flags};
    int err = ext_insert_at(v, ip, i + 1, &tail);
    if (err)
        return err;
    e = tfs_ext_array(ip);
    e[i].len = (uint32_t)d;
    return 0;
}

int tfs_ext_map(struct tfs_vol *v, struct tfs_inode *ip, const struct tfs_ext *x)
{
    if (x->len == 0 || x->lblk >= TFS_MAX_FILE_BLOCKS || x->len > TFS_MAX_FILE_BLOCKS - x->lblk)
        return -EINVAL;
    if (x->pblk >= v->nblocks || x->len > v->nblocks - x->pblk)
        return -ERANGE;
    /* Past the last extent (replay, a file written in order): no split, no search. */
    uint32_t n = ip->u.ext.n;
    struct tfs_ext *last = n ? &tfs_ext_array(ip)[n - 1] : NULL;
    if (!last || last->lblk + last->len <= x->lblk) {
        if (last && ext_joins(last, x)) {
            last->len += x->len;
            return 0;
        }
        return ext_insert_at(v, ip, n, x);
    }
    /* Every existing piece inside the range must be the same device blocks. */
    uint32_t i = ext_search(ip, x->lblk);
    const struct tfs_ext *e = tfs_ext_array(ip);
    uint64_t end = x->lblk + x->len;
    for (uint32_t j = i; j < ip->u.ext.n && e[j].lblk < end; j++) {
        uint64_t lo = e[j].lblk > x->lblk ? e[j].lblk : x->lblk;
        if (e[j].pblk + (lo - e[j].lblk) != x->pblk + (lo - x->lblk))
            return -EEXIST;
    }
    int err = ext_reserve(ip, ip->u.ext.n + 3);
    if (err)
        return err;
    if ((err = ext_split(v, ip, x->lblk)) || (err = ext_split(v, ip, end)))
        return err;
    i = ext_search(ip, x->lblk);
    while (i < ip->u.ext.n && tfs_ext_array(ip)[i].lblk < end)
        ext_remove_at(v, ip, i);
    if ((err = ext_insert_at(v, ip, i, x)))
        return err;
    ext_merge_around(v, ip, i);
    return 0;
}

int tfs_ext_punch(struct tfs_vol *v, struct tfs_inode *ip, uint64_t lblk, uint64_t n)
{
    if (n == 0 || lblk >= TFS_MAX_FILE_BLOCKS)
        return 0;
    uint64_t end = n > TFS_MAX_FILE_BLOCKS - lblk ? TFS_MAX_FILE_BLOCKS : lblk + n;
    int err = ext_reserve(ip, ip->u.ext.n + 2);
    if (err)
        return err;
    if ((err = ext_split(v, ip, lblk)) || (err = ext_split(v, ip, end)))
        return err;
    uint32_t i = ext_search(ip, lblk);
    while (i < ip->u.ext.n && tfs_ext_array(ip)[i].lblk < end) {
        struct tfs_ext *e = &tfs_ext_array(ip)[i];
        tfs_pending_add(v, e->pblk, e->len);
        ext_remove_at(v, ip, i);
    }
    return 0;
}

void tfs_ext_free_all(struct tfs_vol *v, struct tfs_inode *ip)
{
    struct tfs_ext *e = tfs_ext_array(ip);
    for (uint32_t i = 0; i < ip->u.ext.n; i++)
        tfs_pending_add(v, e[i].pblk, e[i].len);
    v->nextents -= ip->u.ext.n;
    if (ip->u.ext.cap)
        kfree(ip->u.ext.e.v);
    ip->u.ext.n = ip->u.ext.cap = 0;
}

uint64_t tfs_ext_blocks(const struct tfs_inode *ip)
{
    const struct tfs_ext *e = ext_array_c(ip);
    uint64_t s = 0;
    for (uint32_t i = 0; i < ip->u.ext.n; i++)
        s += e[i].len;
    return s;
}
