/*
 * dir.c - in-memory directories: a hash of names for lookup and a slot vector for readdir.
 *
 * An entry's slot never changes while it exists, and its readdir cookie is derived from the
 * slot, so a listing resumed from a cookie reports every entry that existed throughout
 * exactly once. Freed slots are reused (an entry created during a listing may or may not be
 * seen, as POSIX allows).
 */
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "fs/tfs/tfs_internal.h"
#include "hal/hal_errno.h"

#define DIR_MIN_BUCKETS 4u

/*
 * The entries replay creates (every name of the volume, at mount) come from a bump arena of
 * 16 KiB chunks instead of one kmalloc each (that was a tenth of a checkpoint's replay). An
 * arena entry is never freed alone: removing it leaves its bytes in the chunk until the
 * unmount frees the chunks, so the waste is bounded by what the mount replayed.
 */
#define ARENA_CHUNK 16384u

struct tfs_arena {
    struct tfs_arena *next;
    size_t used;
    uint8_t data[];
};

static struct tfs_dirent *arena_alloc(struct tfs_vol *v, size_t n)
{
    struct tfs_arena *a = v->dir_arena;
    n = (n + 7) & ~(size_t)7;
    if (!a || a->used + n > ARENA_CHUNK - sizeof(*a)) {
        if (!(a = kmalloc(ARENA_CHUNK)))
            return NULL;
        a->next = v->dir_arena;
        a->used = 0;
        v->dir_arena = a;
    }
    struct tfs_dirent *de = (struct tfs_dirent *)(a->data + a->used);
    a->used += n;
    de->arena = 1;
    return de;
}

void tfs_dir_arena_free(struct tfs_vol *v)
{
    for (struct tfs_arena *a = v->dir_arena, *n; a; a = n) {
        n = a->next;
        kfree(a);
    }
    v->dir_arena = NULL;
}

static struct tfs_dirent *dirent_alloc(struct tfs_vol *v, size_t len)
{
    if (v->replaying)
        return arena_alloc(v, sizeof(struct tfs_dirent) + len);
    struct tfs_dirent *de = kmalloc(sizeof(*de) + len);
    if (de)
        de->arena = 0;
    return de;
}

static void dirent_free(struct tfs_dirent *de)
{
    if (!de->arena)
        kfree(de);
}
#define DIR_MAX_BUCKETS (1u << 26)

/*
 * The name hash is chained buckets held in a pointer vector (so it grows past what one
 * allocation can hold: no size limit but memory). It doubles when the entries outnumber the
 * buckets, splitting each chain in place between bucket i and i + n.
 */
static struct tfs_dirent **bucket(struct tfs_dir *d, uint64_t hash)
{
    return (struct tfs_dirent **)tfs_pvec_slot(&d->buckets, hash & (d->nbuckets - 1));
}

static int dir_grow(struct tfs_dir *d)
{
    uint32_t n = d->nbuckets;
    if (n >= DIR_MAX_BUCKETS)
        return 0; /* chains just get longer */
    /* Populate every chunk of the new half first, so the split below cannot fail. */
    for (uint64_t j = n; j < 2ULL * n; j += TFS_PVEC_CHUNK) {
        int err = tfs_pvec_set(&d->buckets, j, NULL);
        if (err)
            return err;
    }
    int err = tfs_pvec_set(&d->buckets, 2 * n - 1, NULL);
    if (err)
        return err;
    d->nbuckets = 2 * n;
    for (uint32_t i = 0; i < n; i++) {
        struct tfs_dirent **lo = (struct tfs_dirent **)tfs_pvec_slot(&d->buckets, i);
        struct tfs_dirent *chain = *lo, *keep = NULL, *move = NULL;
        while (chain) {
            struct tfs_dirent *next = chain->next;
            if (chain->hash & n) {
                chain->next = move;
                move = chain;
            } else {
                chain->next = keep;
                keep = chain;
            }
            chain = next;
        }
        *lo = keep;
        *(struct tfs_dirent **)tfs_pvec_slot(&d->buckets, i + n) = move;
    }
    return 0;
}

struct tfs_dir *tfs_dir_new(void)
{
    struct tfs_dir *d = kzalloc(sizeof(*d));
    if (!d)
        return NULL;
    if (tfs_pvec_set(&d->buckets, DIR_MIN_BUCKETS - 1, NULL)) {
        kfree(d);
        return NULL;
    }
    d->nbuckets = DIR_MIN_BUCKETS;
    return d;
}

void tfs_dir_destroy(struct tfs_dir *d)
{
    if (!d)
        return;
    for (uint32_t s = 0; s < d->nslots; s++) {
        struct tfs_dirent *de = tfs_pvec_get(&d->slots, s);
        if (de)
            dirent_free(de);
    }
    tfs_pvec_free(&d->slots);
    tfs_pvec_free(&d->buckets);
    kfree(d->holes);
    kfree(d);
}

struct tfs_dirent *tfs_dir_find_hashed(struct tfs_dir *d, const char *name, size_t len,
                                       uint64_t h)
{
    for (struct tfs_dirent *de = *bucket(d, h); de; de = de->next)
        if (de->hash == h && de->namelen == len && memcmp(de->name, name, len) == 0)
            return de;
    return NULL;
}

struct tfs_dirent *tfs_dir_find(struct tfs_dir *d, const char *name, size_t len)
{
    return tfs_dir_find_hashed(d, name, len, tfs_name_hash(name, len));
}

int tfs_dir_add(struct tfs_vol *v, struct tfs_dir *d, const char *name, size_t len,
                uint64_t hash, uint64_t ino, unsigned dtype)
{
    if (d->nslots == UINT32_MAX - 1 && d->nholes == 0)
        return -ENOSPC;
    struct tfs_dirent *de = dirent_alloc(v, len);
    if (!de)
        return -ENOMEM;
    de->ino = ino;
    de->namelen = (uint8_t)len;
    de->dtype = (uint8_t)dtype;
    memcpy(de->name, name, len);
    de->slot = d->nholes ? d->holes[d->nholes - 1] : d->nslots;
    de->hash = hash;
    int err = d->nentries >= d->nbuckets ? dir_grow(d) : 0;
    if (!err)
        err = tfs_pvec_set(&d->slots, de->slot, de);
    if (err) {
        dirent_free(de); /* an arena entry's bytes stay in its chunk */
        return err == -EFBIG ? -ENOSPC : err;
    }
    struct tfs_dirent **b = bucket(d, de->hash);
    de->next = *b;
    *b = de;
    if (d->nholes)
        d->nholes--;
    else
        d->nslots++;
    d->nentries++;
    v->ndirents++;
    v->namebytes += len;
    return 0;
}

void tfs_dir_remove(struct tfs_vol *v, struct tfs_dir *d, struct tfs_dirent *de)
{
    struct tfs_dirent **pp = bucket(d, de->hash);
    while (*pp != de)
        pp = &(*pp)->next;
    *pp = de->next;
    tfs_pvec_set(&d->slots, de->slot, NULL); /* the slot exists: cannot fail */
    if (de->slot + 1 == d->nslots) {
        d->nslots--;
    } else {
        if (d->nholes == d->holecap) {
            uint32_t ncap = d->holecap ? d->holecap * 2 : 8;
            uint32_t *n = krealloc(d->holes, ncap * sizeof(*n));
            if (n) {
                d->holes = n;
                d->holecap = ncap;
            }
        }
        if (d->nholes < d->holecap)
            d->holes[d->nholes++] = de->slot; /* else the slot just stays unused */
    }
    d->nentries--;
    v->ndirents--;
    v->namebytes -= de->namelen;
    dirent_free(de);
}
