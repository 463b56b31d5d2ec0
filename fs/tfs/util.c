/*
 * util.c - small shared pieces: messages, time, name checks, the inode pool and table, and
 * the pointer vector behind the inode table and directory slots.
 *
 * The pointer vector is a plain array while it holds at most 512 entries (most directories),
 * then a 3-level radix tree of 512-pointer chunks (2^27 entries). Chunks are allocated on
 * first use only, so a corrupt image naming inode 100000000 costs three chunks, not a
 * gigantic array.
 */
#include <stdarg.h>

#include "core/lib/alloc.h"
#include "core/lib/kprintf.h"
#include "core/lib/kstring.h"
#include "fs/tfs/tfs_internal.h"
#include "hal/hal_errno.h"

void tfs_report(struct tfs_vol *v, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    kvsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (v->opts.report)
        v->opts.report(v->opts.report_arg, msg);
}

#define NS_PER_SEC 1000000000LL

int64_t tfs_time_to_ns(const struct tfs_time *t)
{
    /* Clamp to what a signed 64-bit nanosecond count holds (1677..2262). */
    if (t->sec >= INT64_MAX / NS_PER_SEC)
        return INT64_MAX;
    if (t->sec <= INT64_MIN / NS_PER_SEC)
        return INT64_MIN;
    return t->sec * NS_PER_SEC + (int64_t)t->nsec;
}

void tfs_ns_to_time(int64_t ns, struct tfs_time *t)
{
    int64_t s = ns / NS_PER_SEC, r = ns % NS_PER_SEC;
    if (r < 0) {
        r += NS_PER_SEC;
        s--;
    }
    t->sec = s;
    t->nsec = (uint32_t)r;
}

int64_t tfs_now(struct tfs_vol *v)
{
    struct tfs_time t = {0, 0};
    if (v->opts.clock)
        v->opts.clock(v->opts.clock_arg, &t);
    if (t.nsec >= NS_PER_SEC)
        t.nsec = 0;
    return tfs_time_to_ns(&t);
}

int tfs_check_name(const char *name, size_t len)
{
    if (len == 0 || !name)
        return -EINVAL;
    if (len > TFS_NAME_MAX)
        return -ENAMETOOLONG;
    if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
        return -EINVAL;
    /* Eight bytes at a time (replay checks every name of the volume): a word has a zero
     * byte iff (w - 0x01..) & ~w & 0x80.. is nonzero; a '/' is a zero byte of w ^ 0x2f.. */
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    const uint64_t slashes = 0x2f2f2f2f2f2f2f2fULL;
    size_t i = 0;
    for (; i < len && len >= 8; i += 8) {
        uint64_t w, x;
        if (i + 8 > len)
            i = len - 8; /* the last word overlaps the one before: checked twice, harmless */
        __builtin_memcpy(&w, name + i, 8);
        x = w ^ slashes;
        if (((w - ones) & ~w & highs) || ((x - ones) & ~x & highs))
            return -EINVAL;
    }
    for (; i < len; i++)
        if (name[i] == '/' || name[i] == '\0')
            return -EINVAL;
    return 0;
}

/*
 * The in-memory name hash (never stored: directories are rebuilt at mount). Eight bytes per
 * multiply instead of FNV's one, since replay hashes every name of the volume; the last
 * partial word is gathered byte by byte (a name may end at the end of its buffer). The final
 * folds mix the high bits into the low ones, which pick the bucket.
 */
uint64_t tfs_name_hash(const char *name, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ len, w;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        __builtin_memcpy(&w, name + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 29;
    }
    w = 0;
    if (i < len && len >= 8) { /* the last 8 bytes, shifted down to the ones not hashed yet */
        __builtin_memcpy(&w, name + len - 8, 8);
        w = TFS_LE_NATIVE ? w >> (8 * (8 - (len - i))) : w;
    } else {
        for (unsigned k = 0; i < len; i++, k += 8)
            w |= (uint64_t)(uint8_t)name[i] << k;
    }
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 32);
}

unsigned tfs_dtype(uint32_t mode)
{
    return (mode & TFS_S_IFMT) >> 12; /* DT_* == S_IF* >> 12 on Linux */
}

int tfs_writable(struct tfs_vol *v)
{
    if (v->errors)
        return -EUCLEAN;
    if (v->ro)
        return -EROFS;
    return 0;
}

void tfs_set_error(struct tfs_vol *v, int err)
{
    if (!v->errors && !v->replaying)
        tfs_report(v, "tfs: internal error %d: volume forced read-only", err);
    v->errors = true;
}

/* ---- pointer vector ---------------------------------------------------------------------- */

#define CH TFS_PVEC_CHUNK
#define PVEC_MAX ((uint64_t)CH * CH * CH)

static int pvec_to_radix(struct tfs_pvec *pv)
{
    void ***top = kzalloc(CH * sizeof(void *));
    void **mid = kzalloc(CH * sizeof(void *));
    void **leaf = kzalloc(CH * sizeof(void *));
    if (!top || !mid || !leaf) {
        kfree(top);
        kfree(mid);
        kfree(leaf);
        return -ENOMEM;
    }
    if (pv->small)
        memcpy(leaf, pv->small, pv->cap * sizeof(void *));
    kfree(pv->small);
    pv->small = NULL;
    mid[0] = leaf;
    top[0] = mid;
    pv->top = top;
    pv->cap = (uint32_t)(PVEC_MAX - 1);
    return 0;
}

int tfs_pvec_set(struct tfs_pvec *pv, uint64_t i, void *p)
{
    if (i >= PVEC_MAX - 1)
        return -EFBIG;
    if (!pv->top && i >= pv->cap) {
        if (i < CH) {
            uint32_t ncap = pv->cap ? pv->cap : 4;
            while (ncap <= i) /* x4: half the reallocations of a directory replay fills */
                ncap = ncap * 4 > CH ? CH : ncap * 4;
            void **n = krealloc(pv->small, ncap * sizeof(void *));
            if (!n)
                return -ENOMEM;
            memset(n + pv->cap, 0, (ncap - pv->cap) * sizeof(void *));
            pv->small = n;
            pv->cap = ncap;
        } else {
            int err = pvec_to_radix(pv);
            if (err)
                return err;
        }
    }
    if (pv->small) {
        pv->small[i] = p;
        return 0;
    }
    void ***mp = &pv->top[i / (CH * CH)];
    if (!*mp && !(*mp = kzalloc(CH * sizeof(void *))))
        return -ENOMEM;
    void **lp = (*mp)[(i / CH) % CH];
    if (!lp && !(lp = (*mp)[(i / CH) % CH] = kzalloc(CH * sizeof(void *))))
        return -ENOMEM;
    lp[i % CH] = p;
    return 0;
}

void tfs_pvec_free(struct tfs_pvec *pv)
{
    if (pv->top) {
        for (uint32_t a = 0; a < CH; a++) {
            void **mid = pv->top[a];
            if (!mid)
                continue;
            for (uint32_t b = 0; b < CH; b++)
                kfree(mid[b]);
            kfree(mid);
        }
        kfree(pv->top);
    }
    kfree(pv->small);
    memset(pv, 0, sizeof(*pv));
}

/* ---- inode pool: 96-byte objects carved from pages, no per-object allocator overhead ---- */

struct tfs_inode *tfs_inode_alloc(struct tfs_vol *v)
{
    if (!v->ipool_free) {
        if (v->ipool_npages == v->ipool_cap) {
            uint32_t ncap = v->ipool_cap ? v->ipool_cap * 2 : 16;
            void **n = krealloc(v->ipool_pages, ncap * sizeof(void *));
            if (!n)
                return NULL;
            v->ipool_pages = n;
            v->ipool_cap = ncap;
        }
        uint8_t *page = kmalloc(PAGE_SIZE);
        if (!page)
            return NULL;
        v->ipool_pages[v->ipool_npages++] = page;
        for (size_t off = 0; off + sizeof(struct tfs_inode) <= PAGE_SIZE;
             off += sizeof(struct tfs_inode)) {
            *(void **)(page + off) = v->ipool_free;
            v->ipool_free = page + off;
        }
    }
    struct tfs_inode *ip = v->ipool_free;
    v->ipool_free = *(void **)ip;
    memset(ip, 0, sizeof(*ip));
    return ip;
}

void tfs_inode_pool_free(struct tfs_vol *v, struct tfs_inode *ip)
{
    *(void **)ip = v->ipool_free;
    v->ipool_free = ip;
}

void tfs_inode_pool_destroy(struct tfs_vol *v)
{
    for (uint32_t i = 0; i < v->ipool_npages; i++)
        kfree(v->ipool_pages[i]);
    kfree(v->ipool_pages);
    v->ipool_pages = NULL;
    v->ipool_free = NULL;
    v->ipool_npages = v->ipool_cap = 0;
}

void tfs_iter_leaf(struct tfs_iter *it)
{
    const struct tfs_pvec *pv = &it->v->inodes;
    uint64_t i = it->ino;
    it->leaf = NULL;
    it->lo = i;
    if (i >= pv->cap) {
        it->hi = it->v->ino_high + 1; /* nothing more */
    } else if (pv->small) {
        it->leaf = pv->small;
        it->lo = 0;
        it->hi = pv->cap;
    } else {
        void **mid = pv->top[i / (CH * CH)];
        if (!mid) {
            it->hi = (i / (CH * CH) + 1) * CH * CH;
            return;
        }
        it->lo = i - i % CH;
        it->hi = it->lo + CH;
        it->leaf = mid[(i / CH) % CH];
    }
}

/*
 * A free inode number: one recently freed (a bounded stack), else the next after the hint,
 * wrapping once. Numbers stay dense without rescanning the table after every unlink.
 */
int tfs_ino_alloc(struct tfs_vol *v, uint64_t *ino)
{
    while (v->nfreeino) {
        uint64_t i = v->freeino[--v->nfreeino];
        if (!tfs_pvec_get(&v->inodes, i)) {
            *ino = i;
            return 0;
        }
    }
    uint64_t start = v->ino_hint < 2 ? 2 : v->ino_hint;
    for (int pass = 0; pass < 2; pass++) {
        for (uint64_t i = start; i <= TFS_INO_MAX; i++) {
            if (!tfs_pvec_get(&v->inodes, i)) {
                *ino = i;
                v->ino_hint = i + 1;
                return 0;
            }
        }
        start = 2;
    }
    return -ENOSPC;
}

void tfs_ino_freed(struct tfs_vol *v, uint64_t ino)
{
    if (v->replaying || v->nfreeino == TFS_FREEINO_MAX)
        return;
    v->freeino[v->nfreeino++] = ino;
}
