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

struct name_key {
    const char *name;
    size_t len;
};

static int name_eq(const void *key, const struct hash_node *n)
{
    const struct name_key *k = key;
    const struct tfs_dirent *de = container_of(n, struct tfs_dirent, hn);
    return de->namelen == k->len && memcmp(de->name, k->name, k->len) == 0;
}

struct tfs_dir *tfs_dir_new(void)
{
    struct tfs_dir *d = kzalloc(sizeof(*d));
    if (!d)
        return NULL;
    if (hash_init(&d->names, 4)) {
        kfree(d);
        return NULL;
    }
    return d;
}

void tfs_dir_destroy(struct tfs_dir *d)
{
    if (!d)
        return;
    for (uint32_t s = 0; s < d->nslots; s++)
        kfree(tfs_pvec_get(&d->slots, s));
    tfs_pvec_free(&d->slots);
    hash_destroy(&d->names);
    kfree(d->holes);
    kfree(d);
}

struct tfs_dirent *tfs_dir_find(struct tfs_dir *d, const char *name, size_t len)
{
    struct name_key k = {name, len};
    struct hash_node *n = hash_find(&d->names, &k, tfs_name_hash(name, len), name_eq);
    return n ? container_of(n, struct tfs_dirent, hn) : NULL;
}

struct tfs_dirent *tfs_dir_slot(struct tfs_dir *d, uint32_t slot)
{
    return slot < d->nslots ? tfs_pvec_get(&d->slots, slot) : NULL;
}

int tfs_dir_add(struct tfs_vol *v, struct tfs_dir *d, const char *name, size_t len,
                uint64_t ino, unsigned dtype)
{
    if (d->nslots == UINT32_MAX - 1 && d->nholes == 0)
        return -ENOSPC;
    struct tfs_dirent *de = kmalloc(sizeof(*de) + len);
    if (!de)
        return -ENOMEM;
    de->ino = ino;
    de->namelen = (uint8_t)len;
    de->dtype = (uint8_t)dtype;
    memcpy(de->name, name, len);
    de->slot = d->nholes ? d->holes[d->nholes - 1] : d->nslots;
    int err = tfs_pvec_set(&d->slots, de->slot, de);
    if (!err) {
        err = hash_insert(&d->names, &de->hn, tfs_name_hash(name, len));
        if (err)
            tfs_pvec_set(&d->slots, de->slot, NULL);
    }
    if (err) {
        kfree(de);
        return err;
    }
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
    hash_remove(&d->names, &de->hn);
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
    kfree(de);
}
