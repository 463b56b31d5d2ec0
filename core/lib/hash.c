/*
 * hash.c - intrusive chained hash table (hash.h).
 *
 * Buckets are singly linked chains indexed by hash & (nbuckets - 1). The table doubles when
 * an insertion would push the load factor above 1, rehashing every node from the hash it
 * carries (no key access needed). Growth needs kmalloc; when that fails the insertion fails
 * with -ENOMEM and the table is left as it was.
 */
#include "core/lib/hash.h"

#include "core/lib/alloc.h"
#include "core/lib/log.h"
#include "hal/hal_errno.h"

#define HASH_DEFAULT_BUCKETS 16

static size_t round_up_pow2(size_t n)
{
    size_t p = 1;

    while (p < n)
        p <<= 1;
    return p;
}

int hash_init(struct hash_table *t, size_t initial_buckets)
{
    size_t n = initial_buckets ? round_up_pow2(initial_buckets) : HASH_DEFAULT_BUCKETS;

    t->count = 0;
    t->nbuckets = 0;
    t->buckets = kcalloc(n, sizeof(*t->buckets));
    if (!t->buckets)
        return -ENOMEM;
    t->nbuckets = n;
    return 0;
}

void hash_destroy(struct hash_table *t)
{
    kfree(t->buckets);
    t->buckets = NULL;
    t->nbuckets = t->count = 0;
}

static struct hash_node **bucket_of(const struct hash_table *t, uint64_t hash)
{
    return &t->buckets[hash & (t->nbuckets - 1)];
}

static int grow(struct hash_table *t)
{
    size_t n = t->nbuckets * 2;
    struct hash_node **nb = kcalloc(n, sizeof(*nb));

    if (!nb)
        return -ENOMEM;
    for (size_t i = 0; i < t->nbuckets; i++) {
        struct hash_node *node = t->buckets[i], *next;
        for (; node; node = next) {
            next = node->next;
            node->next = nb[node->hash & (n - 1)];
            nb[node->hash & (n - 1)] = node;
        }
    }
    kfree(t->buckets);
    t->buckets = nb;
    t->nbuckets = n;
    return 0;
}

int hash_insert(struct hash_table *t, struct hash_node *n, uint64_t hash)
{
    KASSERT(t->nbuckets != 0);
    if (t->count + 1 > t->nbuckets) {
        int err = grow(t);
        if (err)
            return err;
    }
    struct hash_node **b = bucket_of(t, hash);
    n->hash = hash;
    n->next = *b;
    *b = n;
    t->count++;
    return 0;
}

struct hash_node *hash_find(const struct hash_table *t, const void *key, uint64_t hash,
                            hash_eq_fn *eq)
{
    if (!t->nbuckets)
        return NULL;
    for (struct hash_node *n = *bucket_of(t, hash); n; n = n->next) {
        if (n->hash == hash && eq(key, n))
            return n;
    }
    return NULL;
}

void hash_remove(struct hash_table *t, struct hash_node *n)
{
    struct hash_node **link = bucket_of(t, n->hash);

    while (*link && *link != n)
        link = &(*link)->next;
    KASSERT(*link == n); /* removing a node that is not in the table */
    *link = n->next;
    n->next = NULL;
    t->count--;
}

void hash_for_each(const struct hash_table *t, void (*fn)(struct hash_node *n, void *arg),
                   void *arg)
{
    for (size_t i = 0; i < t->nbuckets; i++) {
        for (struct hash_node *n = t->buckets[i], *next; n; n = next) {
            next = n->next;
            fn(n, arg);
        }
    }
}

uint64_t hash_bytes(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a 64 offset basis */

    while (n--) {
        h ^= *b++;
        h *= 0x100000001b3ULL; /* FNV-1a 64 prime */
    }
    return h;
}

uint64_t hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    while (*s) {
        h ^= (unsigned char)*s++;
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* The splitmix64 finaliser: every input bit affects every output bit. */
uint64_t hash_u64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}
