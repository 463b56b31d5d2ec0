/*
 * hash.h - intrusive chained hash table that grows (power-of-two buckets, load factor <= 1).
 *
 * Nodes carry their hash; the table stores no keys. Callers provide an equality function.
 * The bucket array comes from kmalloc; insertion returns -ENOMEM when it cannot grow past
 * the initial size (the node is still inserted only on success).
 */
#ifndef CORE_LIB_HASH_H
#define CORE_LIB_HASH_H

#include <stddef.h>
#include <stdint.h>

struct hash_node {
    struct hash_node *next;
    uint64_t hash;
};

struct hash_table {
    struct hash_node **buckets;
    size_t nbuckets; /* power of two */
    size_t count;
};

typedef int hash_eq_fn(const void *key, const struct hash_node *n); /* nonzero when equal */

int hash_init(struct hash_table *t, size_t initial_buckets); /* 0 or -ENOMEM */
void hash_destroy(struct hash_table *t);                     /* frees buckets, not nodes */
int hash_insert(struct hash_table *t, struct hash_node *n, uint64_t hash);
struct hash_node *hash_find(const struct hash_table *t, const void *key, uint64_t hash,
                            hash_eq_fn *eq);
void hash_remove(struct hash_table *t, struct hash_node *n);

/* Visit every node; fn may not modify the table. */
void hash_for_each(const struct hash_table *t, void (*fn)(struct hash_node *n, void *arg),
                   void *arg);

/* Good general-purpose hashes (FNV-1a 64 and a 64-bit integer mixer). */
uint64_t hash_bytes(const void *p, size_t n);
uint64_t hash_str(const char *s);
uint64_t hash_u64(uint64_t x);

#endif
