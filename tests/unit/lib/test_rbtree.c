/*
 * test_rbtree.c - red-black tree (core/lib/rbtree.c): random inserts and removes checked
 * against a sorted array with rb_check after every operation, lookups, lower_bound, ordered
 * iteration, and FIFO order among equal keys in multi mode. Seeded; a failure prints its seed.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/lib/list.h"
#include "core/lib/rbtree.h"
#include "tests/unit/lib/lib_test.h"

#define MAXN 600

struct item {
    long key;
    int seq; /* insertion order, for FIFO checks */
    struct rb_node node;
};

static struct item pool[MAXN];

static long key_of(const struct rb_node *n)
{
    return rb_entry(n, struct item, node)->key;
}

static int cmp_nodes(const struct rb_node *a, const struct rb_node *b)
{
    return (key_of(a) > key_of(b)) - (key_of(a) < key_of(b));
}

static int cmp_key(const void *key, const struct rb_node *n)
{
    long k = *(const long *)key;
    return (k > key_of(n)) - (k < key_of(n));
}

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fail_msg("%s failed at line %d, PETREL_SEED=%llu", #cond, __LINE__,                    \
                     (unsigned long long)lt_seed());                                               \
    } while (0)

/* The model: sorted array of keys. */
static long model[MAXN];
static size_t model_n;

static void model_insert(long k)
{
    size_t i = model_n;
    while (i && model[i - 1] > k) {
        model[i] = model[i - 1];
        i--;
    }
    model[i] = k;
    model_n++;
}

static void model_remove(long k)
{
    size_t i = 0;
    while (model[i] != k)
        i++;
    memmove(&model[i], &model[i + 1], (model_n - i - 1) * sizeof(long));
    model_n--;
}

static void check_against_model(const struct rb_tree *t)
{
    size_t i = 0;

    CHECK(rb_check(t, cmp_nodes) == 0);
    CHECK(t->count == model_n);
    for (struct rb_node *n = rb_first(t); n; n = rb_next(n))
        CHECK(i < model_n && key_of(n) == model[i++]);
    CHECK(i == model_n);
    for (struct rb_node *n = rb_last(t); n; n = rb_prev(n))
        CHECK(key_of(n) == model[--i]);
}

static void test_empty_tree(void **state)
{
    struct rb_tree t;
    long k = 5;

    rb_init(&t);
    assert_null(rb_first(&t));
    assert_null(rb_last(&t));
    assert_null(rb_find(&t, &k, cmp_key));
    assert_null(rb_lower_bound(&t, &k, cmp_key));
    assert_int_equal(rb_check(&t, cmp_nodes), 0);
}

static void test_sequential_insert(void **state)
{
    struct rb_tree t;

    rb_init(&t);
    model_n = 0;
    for (int i = 0; i < 300; i++) { /* ascending: the worst case for a plain BST */
        pool[i].key = i;
        assert_null(rb_insert(&t, &pool[i].node, cmp_nodes));
        model_insert(i);
        check_against_model(&t);
    }
    for (int i = 0; i < 300; i++) {
        rb_remove(&t, &pool[i].node);
        model_remove(i);
        check_against_model(&t);
    }
    assert_null(t.root);
}

static void test_descending_insert_remove_from_end(void **state)
{
    struct rb_tree t;

    rb_init(&t);
    model_n = 0;
    for (int i = 0; i < 300; i++) {
        pool[i].key = 1000 - i;
        rb_insert(&t, &pool[i].node, cmp_nodes);
        model_insert(1000 - i);
    }
    check_against_model(&t);
    for (int i = 0; i < 300; i++) {
        rb_remove(&t, &pool[i].node); /* the current minimum each time */
        model_remove(1000 - i);
        check_against_model(&t);
    }
}

static void test_random_ops(void **state)
{
    struct rb_tree t;
    bool in[MAXN] = {false};

    lt_rand_seed(lt_seed());
    rb_init(&t);
    model_n = 0;
    for (int i = 0; i < MAXN; i++)
        pool[i].key = (long)lt_rand_below(100000) * MAXN + i; /* distinct */
    for (int op = 0; op < 6000; op++) {
        int i = (int)lt_rand_below(MAXN);
        if (!in[i]) {
            CHECK(rb_insert(&t, &pool[i].node, cmp_nodes) == NULL);
            model_insert(pool[i].key);
        } else {
            rb_remove(&t, &pool[i].node);
            model_remove(pool[i].key);
        }
        in[i] = !in[i];
        check_against_model(&t);
    }
}

static void test_insert_duplicate_returns_existing(void **state)
{
    struct rb_tree t;
    struct item a = {.key = 10}, b = {.key = 10}, c = {.key = 11};

    rb_init(&t);
    assert_null(rb_insert(&t, &a.node, cmp_nodes));
    assert_ptr_equal(rb_insert(&t, &b.node, cmp_nodes), &a.node);
    assert_null(rb_insert(&t, &c.node, cmp_nodes));
    assert_int_equal(t.count, 2);
    assert_int_equal(rb_check(&t, cmp_nodes), 0);
}

static void test_find(void **state)
{
    struct rb_tree t;

    rb_init(&t);
    for (int i = 0; i < 100; i++) {
        pool[i].key = i * 3;
        rb_insert(&t, &pool[i].node, cmp_nodes);
    }
    for (long k = -2; k < 305; k++) {
        struct rb_node *n = rb_find(&t, &k, cmp_key);
        if (k >= 0 && k % 3 == 0 && k < 300)
            assert_ptr_equal(n, &pool[k / 3].node);
        else
            assert_null(n);
    }
}

static void test_lower_bound(void **state)
{
    struct rb_tree t;

    rb_init(&t);
    for (int i = 0; i < 100; i++) {
        pool[i].key = i * 10;
        rb_insert(&t, &pool[i].node, cmp_nodes);
    }
    for (long k = -5; k <= 1000; k++) {
        struct rb_node *n = rb_lower_bound(&t, &k, cmp_key);
        long want = k <= 0 ? 0 : (k + 9) / 10 * 10;
        if (want > 990)
            assert_null(n);
        else
            assert_int_equal(key_of(n), want);
    }
}

static void test_multi_fifo_among_equals(void **state)
{
    struct rb_tree t;
    int seq[5] = {0};

    lt_rand_seed(lt_seed() ^ 0x55);
    rb_init(&t);
    for (int i = 0; i < 500; i++) {
        pool[i].key = (long)lt_rand_below(5);
        pool[i].seq = seq[pool[i].key]++;
        rb_insert_multi(&t, &pool[i].node, cmp_nodes);
        CHECK(rb_check(&t, cmp_nodes) == 0);
    }
    /* Iteration visits equal keys in insertion order. */
    long last_key = -1;
    int last_seq = -1;
    for (struct rb_node *n = rb_first(&t); n; n = rb_next(n)) {
        struct item *it = rb_entry(n, struct item, node);
        if (it->key != last_key) {
            CHECK(it->key > last_key && it->seq == 0);
            last_key = it->key;
        } else {
            CHECK(it->seq == last_seq + 1);
        }
        last_seq = it->seq;
    }
    /* lower_bound finds the oldest of the equals; removing it exposes the next (a queue). */
    for (long k = 0; k < 5; k++) {
        for (int s = 0; s < seq[k]; s++) {
            struct rb_node *n = rb_lower_bound(&t, &k, cmp_key);
            CHECK(n && rb_entry(n, struct item, node)->seq == s);
            rb_remove(&t, n);
            CHECK(rb_check(&t, cmp_nodes) == 0);
        }
    }
    CHECK(t.count == 0 && t.root == NULL);
}

static void test_multi_random_removals(void **state)
{
    struct rb_tree t;
    bool in[MAXN] = {false};

    lt_rand_seed(lt_seed() ^ 0xabc);
    rb_init(&t);
    model_n = 0;
    for (int i = 0; i < MAXN; i++)
        pool[i].key = (long)lt_rand_below(40); /* many duplicates */
    for (int op = 0; op < 4000; op++) {
        int i = (int)lt_rand_below(MAXN);
        if (!in[i]) {
            rb_insert_multi(&t, &pool[i].node, cmp_nodes);
            model_insert(pool[i].key);
        } else {
            rb_remove(&t, &pool[i].node);
            model_remove(pool[i].key);
        }
        in[i] = !in[i];
        check_against_model(&t);
    }
}

static void test_check_detects_corruption(void **state)
{
    struct rb_tree t;

    rb_init(&t);
    for (int i = 0; i < 20; i++) {
        pool[i].key = i;
        rb_insert(&t, &pool[i].node, cmp_nodes);
    }
    assert_int_equal(rb_check(&t, cmp_nodes), 0);
    t.root->red = 1; /* red root */
    assert_int_not_equal(rb_check(&t, cmp_nodes), 0);
    t.root->red = 0;
    pool[5].key = 100; /* order broken */
    assert_int_not_equal(rb_check(&t, cmp_nodes), 0);
    pool[5].key = 5;
    t.count++; /* count mismatch */
    assert_int_not_equal(rb_check(&t, cmp_nodes), 0);
    t.count--;
    struct rb_node *leaf = rb_first(&t);
    struct rb_node *saved = leaf->parent;
    leaf->parent = NULL; /* bad parent link */
    assert_int_not_equal(rb_check(&t, cmp_nodes), 0);
    leaf->parent = saved;
    leaf->red = !leaf->red; /* black heights differ (or red-red) */
    assert_int_not_equal(rb_check(&t, cmp_nodes), 0);
    leaf->red = !leaf->red;
    assert_int_equal(rb_check(&t, cmp_nodes), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_tree),
        cmocka_unit_test(test_sequential_insert),
        cmocka_unit_test(test_descending_insert_remove_from_end),
        cmocka_unit_test(test_random_ops),
        cmocka_unit_test(test_insert_duplicate_returns_existing),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_lower_bound),
        cmocka_unit_test(test_multi_fifo_among_equals),
        cmocka_unit_test(test_multi_random_removals),
        cmocka_unit_test(test_check_detects_corruption),
    };
    return cmocka_run_group_tests_name("lib_rbtree", tests, lt_group_setup, lt_group_teardown);
}
