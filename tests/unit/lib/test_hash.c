/*
 * test_hash.c - chained hash table (core/lib/hash.c): insert/find/remove, growth keeping
 * every node reachable, forced collisions, allocation failure, the hash functions.
 */
#include <stdint.h>
#include <string.h>

#include "core/lib/alloc.h"
#include "core/lib/hash.h"
#include "core/lib/list.h"
#include "hal/hal_errno.h"
#include "tests/unit/lib/lib_test.h"

struct entry {
    uint64_t key;
    struct hash_node node;
};

#define NENT 5000
static struct entry ents[NENT];

static int eq_key(const void *key, const struct hash_node *n)
{
    return container_of(n, struct entry, node)->key == *(const uint64_t *)key;
}

static struct entry *find(const struct hash_table *t, uint64_t key, uint64_t h)
{
    struct hash_node *n = hash_find(t, &key, h, eq_key);
    return n ? container_of(n, struct entry, node) : NULL;
}

static int setup(void **state)
{
    return page_init(&lt_boot), 0;
}

static void test_insert_find(void **state)
{
    struct hash_table t;

    assert_int_equal(hash_init(&t, 8), 0);
    for (uint64_t i = 0; i < 100; i++) {
        ents[i].key = i * 7;
        assert_int_equal(hash_insert(&t, &ents[i].node, hash_u64(i * 7)), 0);
    }
    assert_int_equal(t.count, 100);
    for (uint64_t i = 0; i < 100; i++)
        assert_ptr_equal(find(&t, i * 7, hash_u64(i * 7)), &ents[i]);
    assert_null(find(&t, 3, hash_u64(3)));
    hash_destroy(&t);
    assert_null(t.buckets);
    assert_null(find(&t, 7, hash_u64(7))); /* a destroyed table finds nothing */
}

static void test_growth_keeps_load_factor(void **state)
{
    struct hash_table t;

    assert_int_equal(hash_init(&t, 1), 0);
    assert_int_equal(t.nbuckets, 1);
    for (uint64_t i = 0; i < NENT; i++) {
        ents[i].key = i;
        assert_int_equal(hash_insert(&t, &ents[i].node, hash_u64(i)), 0);
        assert_true(t.count <= t.nbuckets);
        assert_int_equal(t.nbuckets & (t.nbuckets - 1), 0);
    }
    assert_int_equal(t.nbuckets, 8192);
    for (uint64_t i = 0; i < NENT; i++)
        assert_ptr_equal(find(&t, i, hash_u64(i)), &ents[i]);
    hash_destroy(&t);
}

static void test_initial_size_rounding(void **state)
{
    struct hash_table t;

    assert_int_equal(hash_init(&t, 100), 0);
    assert_int_equal(t.nbuckets, 128);
    hash_destroy(&t);
    assert_int_equal(hash_init(&t, 0), 0); /* default */
    assert_int_equal(t.nbuckets, 16);
    hash_destroy(&t);
}

static void test_remove(void **state)
{
    struct hash_table t;

    assert_int_equal(hash_init(&t, 4), 0);
    for (uint64_t i = 0; i < 200; i++) {
        ents[i].key = i;
        hash_insert(&t, &ents[i].node, hash_u64(i));
    }
    for (uint64_t i = 0; i < 200; i += 2)
        hash_remove(&t, &ents[i].node);
    assert_int_equal(t.count, 100);
    for (uint64_t i = 0; i < 200; i++) {
        if (i % 2)
            assert_ptr_equal(find(&t, i, hash_u64(i)), &ents[i]);
        else
            assert_null(find(&t, i, hash_u64(i)));
    }
    /* Re-insert a removed node. */
    assert_int_equal(hash_insert(&t, &ents[0].node, hash_u64(0)), 0);
    assert_ptr_equal(find(&t, 0, hash_u64(0)), &ents[0]);
    hash_destroy(&t);
}

static void test_collisions(void **state)
{
    struct hash_table t;

    /* Every node with the same hash: one chain, found by key. */
    assert_int_equal(hash_init(&t, 16), 0);
    for (uint64_t i = 0; i < 64; i++) {
        ents[i].key = 1000 + i;
        hash_insert(&t, &ents[i].node, 42);
    }
    for (uint64_t i = 0; i < 64; i++)
        assert_ptr_equal(find(&t, 1000 + i, 42), &ents[i]);
    assert_null(find(&t, 999, 42));
    /* Same bucket, different hash: the stored hash is compared before eq. */
    assert_null(find(&t, 1000, 42 + t.nbuckets));
    hash_remove(&t, &ents[31].node); /* middle of the chain */
    hash_remove(&t, &ents[63].node); /* head of the chain (last inserted) */
    hash_remove(&t, &ents[0].node);  /* tail */
    assert_int_equal(t.count, 61);
    assert_null(find(&t, 1031, 42));
    assert_ptr_equal(find(&t, 1032, 42), &ents[32]);
    hash_destroy(&t);
}

static void count_fn(struct hash_node *n, void *arg)
{
    *(uint64_t *)arg += container_of(n, struct entry, node)->key;
}

static void test_for_each(void **state)
{
    struct hash_table t;
    uint64_t sum = 0;

    assert_int_equal(hash_init(&t, 2), 0);
    for (uint64_t i = 1; i <= 100; i++) {
        ents[i].key = i;
        hash_insert(&t, &ents[i].node, hash_u64(i));
    }
    hash_for_each(&t, count_fn, &sum);
    assert_int_equal(sum, 5050);
    hash_destroy(&t);
}

/* Allocate until the heap is empty, chaining the blocks through their first word. */
static void *exhaust_heap(void)
{
    static const size_t sizes[] = {2u << 20, 64u << 10, 4000, 16};
    void *chain = NULL;

    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        void **p;
        while ((p = kmalloc(sizes[i])) != NULL) {
            *p = chain;
            chain = p;
        }
    }
    return chain;
}

static void release_heap(void *chain)
{
    while (chain) {
        void *next = *(void **)chain;
        kfree(chain);
        chain = next;
    }
}

static void test_grow_failure_is_enomem(void **state)
{
    struct hash_table t;

    assert_int_equal(hash_init(&t, 2), 0);
    ents[0].key = 0;
    ents[1].key = 1;
    assert_int_equal(hash_insert(&t, &ents[0].node, 0), 0);
    assert_int_equal(hash_insert(&t, &ents[1].node, 1), 0);
    /* With the heap empty, the third insertion cannot double the table. */
    void *chain = exhaust_heap();
    ents[2].key = 2;
    assert_int_equal(hash_insert(&t, &ents[2].node, 2), -ENOMEM);
    assert_int_equal(t.count, 2);
    assert_int_equal(t.nbuckets, 2);
    assert_null(find(&t, 2, 2));
    assert_ptr_equal(find(&t, 1, 1), &ents[1]);
    release_heap(chain);
    assert_int_equal(hash_insert(&t, &ents[2].node, 2), 0);
    assert_int_equal(t.nbuckets, 4);
    hash_destroy(&t);
}

static void test_init_failure_is_enomem(void **state)
{
    struct hash_table t;
    void *chain = exhaust_heap();

    assert_int_equal(hash_init(&t, 64), -ENOMEM);
    assert_null(t.buckets);
    assert_int_equal(t.nbuckets, 0);
    release_heap(chain);
}

static void test_remove_missing_panics(void **state)
{
    struct hash_table t;
    struct entry stray = {.key = 5};

    assert_int_equal(hash_init(&t, 4), 0);
    stray.node.hash = 5;
    EXPECT_PANIC(hash_remove(&t, &stray.node));
    hash_destroy(&t);
}

static void test_hash_functions(void **state)
{
    /* FNV-1a 64 reference values. */
    assert_int_equal(hash_bytes("", 0), 0xcbf29ce484222325ULL);
    assert_int_equal(hash_bytes("a", 1), 0xaf63dc4c8601ec8cULL);
    assert_int_equal(hash_str("foobar"), 0x85944171f73967e8ULL);
    assert_int_equal(hash_str("foobar"), hash_bytes("foobar", 6));
    assert_int_equal(hash_u64(0), 0);
    assert_int_not_equal(hash_u64(1), hash_u64(2));
    /* Avalanche: flipping one input bit flips about half the output bits. */
    unsigned total = 0;
    for (int b = 0; b < 64; b++)
        total += (unsigned)__builtin_popcountll(hash_u64(0x1234) ^ hash_u64(0x1234 ^ (1ULL << b)));
    assert_true(total > 64 * 24 && total < 64 * 40);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_insert_find, setup),
        cmocka_unit_test_setup(test_growth_keeps_load_factor, setup),
        cmocka_unit_test_setup(test_initial_size_rounding, setup),
        cmocka_unit_test_setup(test_remove, setup),
        cmocka_unit_test_setup(test_collisions, setup),
        cmocka_unit_test_setup(test_for_each, setup),
        cmocka_unit_test_setup(test_grow_failure_is_enomem, setup),
        cmocka_unit_test_setup(test_init_failure_is_enomem, setup),
        cmocka_unit_test_setup(test_remove_missing_panics, setup),
        cmocka_unit_test(test_hash_functions),
    };
    return cmocka_run_group_tests_name("lib_hash", tests, lt_group_setup, lt_group_teardown);
}
