/*
 * tree.c - config tree nodes: lookup, building, comparing, freeing.
 *
 * A tuple or vector keeps its entries in one kmalloc'd array, in order. Tuples with more than
 * a handful of keys also get an open-addressed index (slot = entry index + 1, 0 = empty, at
 * most half full) so lookups and the parser's duplicate check stay O(1) on manifests that
 * list thousands of files. Removal shifts the array and rebuilds the index: rare (mkfs).
 *
 * Every node knows its container (parent). That lets config_free() walk any tree without
 * recursion and lets the setters measure depth, which keeps every tree within
 * CONFIG_MAX_DEPTH; the recursive helpers below rely on that bound.
 */
#include "core/config/config_internal.h"
#include "core/lib/alloc.h"
#include "core/lib/hash.h"
#include "core/lib/kstring.h"
#include "core/lib/log.h"
#include "hal/hal_errno.h"

#define INDEX_MIN_COUNT 8 /* tuples this small are scanned */

struct config_value *config_node_new(enum config_type type)
{
    struct config_value *v = kzalloc(sizeof(*v));

    if (v)
        v->type = type;
    return v;
}

int config_str_init(struct config_string *s, const void *data, size_t len)
{
    s->data = kmalloc(len + 1);
    if (!s->data)
        return -ENOMEM;
    if (len)
        memcpy(s->data, data, len);
    s->data[len] = '\0';
    s->len = len;
    return 0;
}

/* ---- tuple index ---------------------------------------------------------------------- */

static bool key_is(const struct config_string *k, const char *key, size_t keylen)
{
    return k->len == keylen && memcmp(k->data, key, keylen) == 0;
}

static void index_put(struct config_value *t, size_t i)
{
    const struct config_string *k = &t->children[i].key;
    size_t mask = t->index_size - 1;
    size_t slot = hash_bytes(k->data, k->len) & mask;

    while (t->index[slot])
        slot = (slot + 1) & mask;
    t->index[slot] = (uint32_t)(i + 1);
}

/* Grow the index to hold want entries at most half full: 0 or -ENOMEM (old one kept). */
static int index_grow(struct config_value *t, size_t want)
{
    size_t size = 16;

    while (size < 2 * want)
        size *= 2;
    uint32_t *idx = kcalloc(size, sizeof(*idx));
    if (!idx)
        return -ENOMEM;
    kfree(t->index);
    t->index = idx;
    t->index_size = size;
    config_index_refill(t);
    return 0;
}

void config_index_refill(struct config_value *t)
{
    memset(t->index, 0, t->index_size * sizeof(t->index[0]));
    for (size_t i = 0; i < t->count; i++)
        index_put(t, i);
}

long config_tuple_find(const struct config_value *t, const char *key, size_t keylen)
{
    if (!t->index) {
        for (size_t i = 0; i < t->count; i++)
            if (key_is(&t->children[i].key, key, keylen))
                return (long)i;
        return -1;
    }
    size_t mask = t->index_size - 1;
    for (size_t slot = hash_bytes(key, keylen) & mask; t->index[slot];
         slot = (slot + 1) & mask) {
        size_t i = t->index[slot] - 1;
        if (key_is(&t->children[i].key, key, keylen))
            return (long)i;
    }
    return -1;
}

/* ---- containers ----------------------------------------------------------------------- */

static int reserve_one(struct config_value *c)
{
    if (c->count < c->cap)
        return 0;
    size_t cap = c->cap ? c->cap * 2 : 4;
    struct config_child *n = krealloc(c->children, cap * sizeof(*n));
    if (!n)
        return -ENOMEM;
    c->children = n;
    c->cap = cap;
    return 0;
}

int config_append(struct config_value *c, struct config_string *key, struct config_value *value)
{
    int rc = reserve_one(c);

    if (rc)
        return rc;
    if (c->type == CONFIG_TUPLE && c->count + 1 >= INDEX_MIN_COUNT &&
        2 * (c->count + 1) > c->index_size) {
        rc = index_grow(c, 2 * (c->count + 1));
        if (rc)
            return rc;
    }
    struct config_child *ch = &c->children[c->count++];
    ch->key = key ? *key : (struct config_string){NULL, 0};
    ch->value = value;
    value->parent = c;
    if (c->index)
        index_put(c, c->count - 1);
    return 0;
}

static void node_destroy(struct config_value *v)
{
    kfree(v->str.data);
    kfree(v->children);
    kfree(v->index);
    kfree(v);
}

void config_free(struct config_value *v)
{
    struct config_value *cur = v;

    KASSERT(!v || !v->parent); /* freeing a value its container still points at */
    /* Depth-first without recursion: strip the last entry of cur and descend into it; a
     * node with no entries left is freed and we climb back to its container. */
    while (cur) {
        if (cur->type != CONFIG_STRING && cur->count > 0) {
            struct config_child *ch = &cur->children[--cur->count];
            kfree(ch->key.data);
            cur = ch->value;
            continue;
        }
        struct config_value *up = cur == v ? NULL : cur->parent;
        node_destroy(cur);
        cur = up;
    }
}

/* ---- reading -------------------------------------------------------------------------- */

const char *config_string(const struct config_value *v)
{
    return config_is_string(v) ? v->str.data : NULL;
}

size_t config_string_len(const struct config_value *v)
{
    return config_is_string(v) ? v->str.len : 0;
}

bool config_string_eq(const struct config_value *v, const char *s)
{
    return config_is_string(v) && key_is(&v->str, s, strlen(s));
}

size_t config_count(const struct config_value *v)
{
    return v && v->type != CONFIG_STRING ? v->count : 0;
}

struct config_value *config_at(const struct config_value *v, size_t i)
{
    return i < config_count(v) ? v->children[i].value : NULL;
}

const struct config_string *config_key_at(const struct config_value *v, size_t i)
{
    return config_is_tuple(v) && i < v->count ? &v->children[i].key : NULL;
}

struct config_value *config_get_n(const struct config_value *tuple, const char *key,
                                  size_t keylen)
{
    if (!config_is_tuple(tuple))
        return NULL;
    long i = config_tuple_find(tuple, key, keylen);
    return i < 0 ? NULL : tuple->children[i].value;
}

struct config_value *config_get(const struct config_value *tuple, const char *key)
{
    return config_get_n(tuple, key, strlen(key));
}

/* Decimal index component of a path: true and *out when s[0..n) is one. */
static bool parse_index(const char *s, size_t n, size_t *out)
{
    size_t v = 0;

    if (n == 0 || n > 18)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (size_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

struct config_value *config_get_path(const struct config_value *root, const char *path)
{
    const struct config_value *cur = root;
    const char *p = path;

    for (;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        size_t i;

        if (n == 0)
            return NULL;
        if (config_is_tuple(cur))
            cur = config_get_n(cur, p, n);
        else if (config_is_vector(cur) && parse_index(p, n, &i))
            cur = config_at(cur, i);
        else
            return NULL;
        if (!cur || !slash)
            return (struct config_value *)cur;
        p = slash + 1;
    }
}

const char *config_get_string(const struct config_value *tuple, const char *key)
{
    return config_string(config_get(tuple, key));
}

bool config_get_flag(const struct config_value *tuple, const char *key)
{
    static const char *const off[] = {"f", "false", "no", "off", "0"};
    const struct config_value *v = config_get(tuple, key);

    if (!v)
        return false;
    for (size_t i = 0; i < sizeof(off) / sizeof(off[0]); i++)
        if (config_string_eq(v, off[i]))
            return false;
    return true;
}

static int digit_value(char c, unsigned base)
{
    int d = -1;

    if (c >= '0' && c <= '9')
        d = c - '0';
    else if (c >= 'a' && c <= 'f')
        d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
        d = c - 'A' + 10;
    return d >= 0 && (unsigned)d < base ? d : -1;
}

/* Parse s[0..n) as decimal or 0x-hex. */
static int parse_u64(const char *s, size_t n, uint64_t *out)
{
    unsigned base = 10;
    uint64_t v = 0;

    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
        n -= 2;
    }
    if (n == 0)
        return -EINVAL;
    for (size_t i = 0; i < n; i++) {
        int d = digit_value(s[i], base);
        if (d < 0)
            return -EINVAL;
        if (v > (UINT64_MAX - (uint64_t)d) / base)
            return -ERANGE;
        v = v * base + (uint64_t)d;
    }
    *out = v;
    return 0;
}

int config_string_to_u64(const struct config_value *v, uint64_t *out)
{
    if (!config_is_string(v))
        return -EINVAL;
    return parse_u64(v->str.data, v->str.len, out);
}

int config_string_to_size(const struct config_value *v, uint64_t *out)
{
    unsigned shift = 0;
    uint64_t n;

    if (!config_is_string(v) || v->str.len == 0)
        return -EINVAL;
    size_t len = v->str.len;
    switch (v->str.data[len - 1] | 0x20) {
    case 'k':
        shift = 10;
        break;
    case 'm':
        shift = 20;
        break;
    case 'g':
        shift = 30;
        break;
    case 't':
        shift = 40;
        break;
    }
    if (shift)
        len--;
    int rc = parse_u64(v->str.data, len, &n);
    if (rc)
        return rc;
    if (n > (UINT64_MAX >> shift))
        return -ERANGE;
    *out = n << shift;
    return 0;
}
