/*
 * rbtree.c - intrusive red-black tree (rbtree.h).
 *
 * The classic invariants: the root and every NULL leaf are black, a red node has black
 * children, and every path from a node down to a leaf crosses the same number of black nodes.
 * They keep the height under 2 log2(n + 1). Insertion links a red leaf and repairs red-red
 * violations upwards; removal splices the node out (swapping in its successor when it has two
 * children) and, when a black node left a path, repairs the "double black" upwards. Each
 * repair is a handful of recolourings and at most three rotations.
 */
#include "core/lib/rbtree.h"

#include "core/lib/list.h"

static bool is_red(const struct rb_node *n)
{
    return n && n->red;
}

void rb_init(struct rb_tree *t)
{
    t->root = NULL;
    t->count = 0;
}

/* Make new take old's place under old's parent (or as the root). */
static void replace_child(struct rb_tree *t, struct rb_node *old, struct rb_node *new)
{
    struct rb_node *p = old->parent;

    if (!p)
        t->root = new;
    else if (p->left == old)
        p->left = new;
    else
        p->right = new;
    if (new)
        new->parent = p;
}

/* x's right child y becomes x's parent. */
static void rotate_left(struct rb_tree *t, struct rb_node *x)
{
    struct rb_node *y = x->right;

    x->right = y->left;
    if (y->left)
        y->left->parent = x;
    replace_child(t, x, y);
    y->left = x;
    x->parent = y;
}

static void rotate_right(struct rb_tree *t, struct rb_node *x)
{
    struct rb_node *y = x->left;

    x->left = y->right;
    if (y->right)
        y->right->parent = x;
    replace_child(t, x, y);
    y->right = x;
    x->parent = y;
}

/* n is red and linked; fix a red parent. */
static void insert_fixup(struct rb_tree *t, struct rb_node *n)
{
    struct rb_node *p, *g, *u;

    while ((p = n->parent) && p->red) {
        g = p->parent; /* exists: a red node is never the root */
        u = g->left == p ? g->right : g->left;
        if (is_red(u)) {
            p->red = u->red = 0;
            g->red = 1;
            n = g;
            continue;
        }
        if (g->left == p) {
            if (p->right == n) {
                rotate_left(t, p);
                n = p;
                p = n->parent;
            }
            rotate_right(t, g);
        } else {
            if (p->left == n) {
                rotate_right(t, p);
                n = p;
                p = n->parent;
            }
            rotate_left(t, g);
        }
        p->red = 0;
        g->red = 1;
        break;
    }
    t->root->red = 0;
}

static void link_node(struct rb_tree *t, struct rb_node *n, struct rb_node *parent,
                      struct rb_node **link)
{
    n->parent = parent;
    n->left = n->right = NULL;
    n->red = 1;
    *link = n;
    t->count++;
    insert_fixup(t, n);
}

struct rb_node *rb_insert(struct rb_tree *t, struct rb_node *n, rb_cmp_fn *cmp)
{
    struct rb_node **link = &t->root, *parent = NULL;

    while (*link) {
        int c = cmp(n, *link);
        if (c == 0)
            return *link;
        parent = *link;
        link = c < 0 ? &parent->left : &parent->right;
    }
    link_node(t, n, parent, link);
    return NULL;
}

void rb_insert_multi(struct rb_tree *t, struct rb_node *n, rb_cmp_fn *cmp)
{
    struct rb_node **link = &t->root, *parent = NULL;

    /* Equal keys go right: after every node already present with that key. */
    while (*link) {
        parent = *link;
        link = cmp(n, parent) < 0 ? &parent->left : &parent->right;
    }
    link_node(t, n, parent, link);
}

/*
 * A black node was removed from the paths through x (possibly NULL) whose parent is p:
 * restore the black height.
 */
static void remove_fixup(struct rb_tree *t, struct rb_node *x, struct rb_node *p)
{
    struct rb_node *s;

    while (x != t->root && !is_red(x)) {
        if (p->left == x) {
            s = p->right; /* non-NULL: the path through it is one black node longer */
            if (s->red) {
                s->red = 0;
                p->red = 1;
                rotate_left(t, p);
                s = p->right;
            }
            if (!is_red(s->left) && !is_red(s->right)) {
                s->red = 1;
                x = p;
                p = x->parent;
                continue;
            }
            if (!is_red(s->right)) {
                s->left->red = 0;
                s->red = 1;
                rotate_right(t, s);
                s = p->right;
            }
            s->red = p->red;
            p->red = 0;
            s->right->red = 0;
            rotate_left(t, p);
        } else {
            s = p->left;
            if (s->red) {
                s->red = 0;
                p->red = 1;
                rotate_right(t, p);
                s = p->left;
            }
            if (!is_red(s->left) && !is_red(s->right)) {
                s->red = 1;
                x = p;
                p = x->parent;
                continue;
            }
            if (!is_red(s->left)) {
                s->right->red = 0;
                s->red = 1;
                rotate_left(t, s);
                s = p->left;
            }
            s->red = p->red;
            p->red = 0;
            s->left->red = 0;
            rotate_right(t, p);
        }
        x = t->root;
        break;
    }
    if (x)
        x->red = 0;
}

void rb_remove(struct rb_tree *t, struct rb_node *n)
{
    struct rb_node *x, *p;
    int removed_red;

    if (!n->left || !n->right) {
        x = n->left ? n->left : n->right;
        p = n->parent;
        removed_red = n->red;
        replace_child(t, n, x);
    } else {
        /* Put n's successor s (leftmost of the right subtree) in n's place and colour. */
        struct rb_node *s = n->right;
        while (s->left)
            s = s->left;
        removed_red = s->red;
        x = s->right;
        if (s->parent == n) {
            p = s;
        } else {
            p = s->parent;
            replace_child(t, s, x);
            s->right = n->right;
            s->right->parent = s;
        }
        replace_child(t, n, s);
        s->left = n->left;
        s->left->parent = s;
        s->red = n->red;
    }
    t->count--;
    n->parent = n->left = n->right = NULL;
    if (!removed_red)
        remove_fixup(t, x, p);
}

struct rb_node *rb_find(const struct rb_tree *t, const void *key, rb_key_cmp_fn *cmp)
{
    struct rb_node *n = t->root;

    while (n) {
        int c = cmp(key, n);
        if (c == 0)
            return n;
        n = c < 0 ? n->left : n->right;
    }
    return NULL;
}

struct rb_node *rb_lower_bound(const struct rb_tree *t, const void *key, rb_key_cmp_fn *cmp)
{
    struct rb_node *n = t->root, *best = NULL;

    /* Go left on equality too, so that among equal nodes the first one is found. */
    while (n) {
        if (cmp(key, n) <= 0) {
            best = n;
            n = n->left;
        } else {
            n = n->right;
        }
    }
    return best;
}

struct rb_node *rb_first(const struct rb_tree *t)
{
    struct rb_node *n = t->root;

    while (n && n->left)
        n = n->left;
    return n;
}

struct rb_node *rb_last(const struct rb_tree *t)
{
    struct rb_node *n = t->root;

    while (n && n->right)
        n = n->right;
    return n;
}

struct rb_node *rb_next(const struct rb_node *n)
{
    if (n->right) {
        n = n->right;
        while (n->left)
            n = n->left;
        return (struct rb_node *)n;
    }
    while (n->parent && n->parent->right == n)
        n = n->parent;
    return n->parent;
}

struct rb_node *rb_prev(const struct rb_node *n)
{
    if (n->left) {
        n = n->left;
        while (n->right)
            n = n->right;
        return (struct rb_node *)n;
    }
    while (n->parent && n->parent->left == n)
        n = n->parent;
    return n->parent;
}

/* Black height of the subtree at n, or -1 when it breaks a rule; counts nodes in *count. */
static int check_subtree(const struct rb_node *n, const struct rb_node *parent, size_t *count,
                         size_t limit)
{
    if (!n)
        return 1;
    if (n->parent != parent || ++*count > limit)
        return -1;
    if (n->red && (is_red(n->left) || is_red(n->right)))
        return -1;
    int l = check_subtree(n->left, n, count, limit);
    int r = check_subtree(n->right, n, count, limit);
    if (l < 0 || r < 0 || l != r)
        return -1;
    return l + !n->red;
}

int rb_check(const struct rb_tree *t, rb_cmp_fn *cmp)
{
    size_t count = 0;

    if (t->root && (t->root->red || t->root->parent))
        return -1;
    if (check_subtree(t->root, NULL, &count, t->count) < 0 || count != t->count)
        return -1;
    for (const struct rb_node *n = rb_first(t), *next; n; n = next) {
        next = rb_next(n);
        if (next && cmp(n, next) > 0)
            return -1;
    }
    return 0;
}
