/*
 * rbtree.h - intrusive red-black tree (ordered map).
 *
 * The tree does not compare keys itself: callers walk it to find the insertion point
 * (rb_link) or pass a comparison to rb_insert(). All operations are O(log n) and allocate
 * nothing.
 */
#ifndef CORE_LIB_RBTREE_H
#define CORE_LIB_RBTREE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/lib/list.h" /* container_of, for rb_entry */

struct rb_node {
    struct rb_node *parent, *left, *right;
    int red;
};

struct rb_tree {
    struct rb_node *root;
    size_t count;
};

/* Three-way comparison of two nodes: <0, 0, >0. */
typedef int rb_cmp_fn(const struct rb_node *a, const struct rb_node *b);
/* Three-way comparison of a key with a node. */
typedef int rb_key_cmp_fn(const void *key, const struct rb_node *n);

void rb_init(struct rb_tree *t);
/* Insert n; returns the existing equal node (and inserts nothing) or NULL on success. */
struct rb_node *rb_insert(struct rb_tree *t, struct rb_node *n, rb_cmp_fn *cmp);
/* Insert n allowing duplicates; equal nodes keep insertion order (FIFO among equals). */
void rb_insert_multi(struct rb_tree *t, struct rb_node *n, rb_cmp_fn *cmp);
void rb_remove(struct rb_tree *t, struct rb_node *n);
struct rb_node *rb_find(const struct rb_tree *t, const void *key, rb_key_cmp_fn *cmp);
/* Smallest node >= key, or NULL. */
struct rb_node *rb_lower_bound(const struct rb_tree *t, const void *key, rb_key_cmp_fn *cmp);
struct rb_node *rb_first(const struct rb_tree *t);
struct rb_node *rb_last(const struct rb_tree *t);
struct rb_node *rb_next(const struct rb_node *n);
struct rb_node *rb_prev(const struct rb_node *n);
/* Check the red-black invariants and parent links; returns 0 when sound (tests). */
int rb_check(const struct rb_tree *t, rb_cmp_fn *cmp);

#define rb_entry(ptr, type, member) container_of(ptr, type, member)

#endif
