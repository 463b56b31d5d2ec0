/*
 * build.c - making and changing config trees (mkfs strips `contents`, applies -t overrides),
 * deep copies and comparison.
 *
 * The setters keep the invariant every other file relies on: a tree is never deeper than
 * CONFIG_MAX_DEPTH brackets. Inserting value V into container C that sits d brackets deep is
 * allowed when d + height(V) <= CONFIG_MAX_DEPTH; since V obeys the bound already, measuring
 * its height recurses at most CONFIG_MAX_DEPTH levels, as do clone, equal and merge.
 */
#include "core/config/config_internal.h"
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "hal/hal_errno.h"

struct config_value *config_new_string(const void *data, size_t len)
{
    struct config_value *v = config_node_new(CONFIG_STRING);

    if (v && config_str_init(&v->str, data, len)) {
        kfree(v);
        return NULL;
    }
    return v;
}

struct config_value *config_new_cstring(const char *s)
{
    return config_new_string(s, strlen(s));
}

struct config_value *config_new_tuple(void)
{
    return config_node_new(CONFIG_TUPLE);
}

struct config_value *config_new_vector(void)
{
    return config_node_new(CONFIG_VECTOR);
}

/* Brackets from v down to its deepest bracket: 0 for a string, 1 for "()". */
static unsigned height(const struct config_value *v)
{
    unsigned h = 0;

    if (v->type == CONFIG_STRING)
        return 0;
    for (size_t i = 0; i < v->count; i++) {
        unsigned ch = height(v->children[i].value);
        if (ch > h)
            h = ch;
    }
    return h + 1;
}

/* Can value be put into container c? 0, -EINVAL or -E2BIG. */
static int check_insert(const struct config_value *c, const struct config_value *value)
{
    unsigned depth = 0;

    if (!value || value->parent)
        return -EINVAL;
    for (const struct config_value *p = c; p; p = p->parent) {
        if (p == value)
            return -EINVAL; /* would make a cycle */
        depth++;
    }
    return depth + height(value) > CONFIG_MAX_DEPTH ? -E2BIG : 0;
}

int config_tuple_set_n(struct config_value *tuple, const char *key, size_t keylen,
                       struct config_value *value)
{
    struct config_string k;

    if (!config_is_tuple(tuple) || keylen == 0)
        return -EINVAL;
    int rc = check_insert(tuple, value);
    if (rc)
        return rc;
    long i = config_tuple_find(tuple, key, keylen);
    if (i >= 0) {
        struct config_value *old = tuple->children[i].value;
        old->parent = NULL;
        config_free(old);
        tuple->children[i].value = value;
        value->parent = tuple;
        return 0;
    }
    rc = config_str_init(&k, key, keylen);
    if (rc)
        return rc;
    rc = config_append(tuple, &k, value);
    if (rc)
        kfree(k.data);
    return rc;
}

int config_tuple_set(struct config_value *tuple, const char *key, struct config_value *value)
{
    return config_tuple_set_n(tuple, key, strlen(key), value);
}

int config_vector_append(struct config_value *vector, struct config_value *value)
{
    if (!config_is_vector(vector))
        return -EINVAL;
    int rc = check_insert(vector, value);
    return rc ? rc : config_append(vector, NULL, value);
}

/* Unlink entry i and return its detached value; the key is freed. */
static struct config_value *detach_at(struct config_value *c, size_t i)
{
    struct config_value *v = c->children[i].value;

    kfree(c->children[i].key.data);
    memmove(&c->children[i], &c->children[i + 1], (c->count - i - 1) * sizeof(c->children[0]));
    c->count--;
    v->parent = NULL;
    if (c->index)
        config_index_refill(c); /* entries moved */
    return v;
}

struct config_value *config_take(struct config_value *tuple, const char *key)
{
    if (!config_is_tuple(tuple))
        return NULL;
    long i = config_tuple_find(tuple, key, strlen(key));
    return i < 0 ? NULL : detach_at(tuple, (size_t)i);
}

int config_remove(struct config_value *tuple, const char *key)
{
    struct config_value *v = config_take(tuple, key);

    if (!v)
        return -ENOENT;
    config_free(v);
    return 0;
}

int config_remove_at(struct config_value *v, size_t i)
{
    if (i >= config_count(v))
        return -ENOENT;
    config_free(detach_at(v, i));
    return 0;
}

static int clone_child(struct config_value *c, const struct config_child *ch)
{
    struct config_string key = {NULL, 0};
    struct config_value *cv = config_clone(ch->value);

    if (!cv)
        return -ENOMEM;
    if (ch->key.data && config_str_init(&key, ch->key.data, ch->key.len))
        goto out_value;
    if (config_append(c, ch->key.data ? &key : NULL, cv) == 0)
        return 0;
    kfree(key.data);
out_value:
    config_free(cv);
    return -ENOMEM;
}

struct config_value *config_clone(const struct config_value *v)
{
    struct config_value *c;

    if (!v)
        return NULL;
    if (v->type == CONFIG_STRING)
        return config_new_string(v->str.data, v->str.len);
    c = config_node_new(v->type);
    if (!c)
        return NULL;
    for (size_t i = 0; i < v->count; i++) {
        if (clone_child(c, &v->children[i])) {
            config_free(c);
            return NULL;
        }
    }
    return c;
}

int config_merge(struct config_value *dst, const struct config_value *src)
{
    if (!config_is_tuple(dst) || !config_is_tuple(src))
        return -EINVAL;
    for (size_t i = 0; i < src->count; i++) {
        const struct config_child *ch = &src->children[i];
        struct config_value *d = config_get_n(dst, ch->key.data, ch->key.len);
        int rc;

        if (config_is_tuple(d) && config_is_tuple(ch->value)) {
            rc = config_merge(d, ch->value);
        } else {
            struct config_value *copy = config_clone(ch->value);
            if (!copy)
                return -ENOMEM;
            rc = config_tuple_set_n(dst, ch->key.data, ch->key.len, copy);
            if (rc)
                config_free(copy);
        }
        if (rc)
            return rc;
    }
    return 0;
}

bool config_equal(const struct config_value *a, const struct config_value *b)
{
    if (a == b)
        return true;
    if (!a || !b || a->type != b->type)
        return false;
    if (a->type == CONFIG_STRING)
        return a->str.len == b->str.len && memcmp(a->str.data, b->str.data, a->str.len) == 0;
    if (a->count != b->count)
        return false;
    for (size_t i = 0; i < a->count; i++) {
        const struct config_child *x = &a->children[i], *y = &b->children[i];
        if (x->key.len != y->key.len || (x->key.len && memcmp(x->key.data, y->key.data,
                                                               x->key.len) != 0))
            return false;
        if (!config_equal(x->value, y->value))
            return false;
    }
    return true;
}
