/*
 * config.h - the manifest: Nanos tuple syntax parsed into a tree of strings, tuples and vectors.
 *
 *   (                                   a tuple: ordered key:value entries, keys unique
 *       program:/bin/hello              a bare string
 *       arguments:[hello "big world"]   a vector of values; a quoted string with a space
 *       environment:(USER:petrel)       values nest (at most CONFIG_MAX_DEPTH brackets deep)
 *   )                                   # a comment runs to the end of the line
 *
 * The grammar, the escapes and the recognised keys are in docs/manifest.md. Every scalar is a
 * string (length-counted, may hold any byte, always NUL-terminated for convenience); meaning
 * ("t", numbers, sizes) is given by the reader through the helpers below.
 *
 * Ownership: a value belongs to at most one container. config_free() frees a value and
 * everything under it; the container setters take ownership on success only. Nodes come from
 * kmalloc. Nothing here locks or sleeps: a tree is owned by whoever built it, and a tree that
 * is no longer modified may be read from any context.
 *
 * Every tree, parsed or built, is at most CONFIG_MAX_DEPTH brackets deep; the setters refuse
 * values that would break that, so printing, comparing and freeing recurse a bounded amount.
 */
#ifndef CORE_CONFIG_CONFIG_H
#define CORE_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_MAX_DEPTH 64             /* nested brackets */
#define CONFIG_MAX_INPUT (1u << 20)     /* bytes of manifest text */
#define CONFIG_MAX_NODES (1u << 18)     /* values in one parsed manifest */

enum config_type {
    CONFIG_STRING = 1,
    CONFIG_TUPLE = 2,
    CONFIG_VECTOR = 3,
};

/* A length-counted byte string; data[len] == '\0' always, data may hold '\0' too. */
struct config_string {
    char *data;
    size_t len;
};

struct config_value;

/* One slot of a tuple (key set) or a vector (key.data == NULL). */
struct config_child {
    struct config_string key;
    struct config_value *value;
};

struct config_value {
    enum config_type type;
    struct config_value *parent;    /* container, NULL for a root */
    struct config_string str;       /* CONFIG_STRING */
    struct config_child *children;  /* CONFIG_TUPLE, CONFIG_VECTOR: in order */
    size_t count, cap;
    uint32_t *index;                /* tuples: open-addressed key index (internal) */
    size_t index_size;              /* power of two, 0 when no index */
};

/* Where and why a parse failed. line and column are 1-based; column counts bytes. */
struct config_error {
    unsigned line, column;
    const char *message; /* static string, e.g. "expected ':' after key" */
};

/*
 * Parse len bytes of manifest text (need not be NUL-terminated) into a new tree at *out.
 * The text is one value (normally a tuple) with optional whitespace and comments around it.
 * Returns 0; -EINVAL with *err filled for malformed text or a broken limit (depth, input
 * size, value count); -ENOMEM (err says "out of memory" and where). *out is set only on
 * success. err may be NULL.
 */
int config_parse(const char *text, size_t len, struct config_value **out,
                 struct config_error *err);

/* Free v and everything under it; v must not be inside a container (detach it first).
 * NULL is fine. */
void config_free(struct config_value *v);

/* ---- types ---------------------------------------------------------------------------- */
/* All readers accept NULL and then answer false / 0 / NULL. */
static inline bool config_is_string(const struct config_value *v)
{
    return v && v->type == CONFIG_STRING;
}
static inline bool config_is_tuple(const struct config_value *v)
{
    return v && v->type == CONFIG_TUPLE;
}
static inline bool config_is_vector(const struct config_value *v)
{
    return v && v->type == CONFIG_VECTOR;
}

/* ---- strings -------------------------------------------------------------------------- */
/* The bytes of a string value (NUL-terminated), or NULL when v is not a string. */
const char *config_string(const struct config_value *v);
size_t config_string_len(const struct config_value *v);
/* True when v is a string equal to the C string s (a string holding '\0' never is). */
bool config_string_eq(const struct config_value *v, const char *s);
/*
 * Numbers: decimal, or hex with 0x. config_string_to_size also takes a K, M, G or T suffix
 * (powers of 1024). Return 0, -EINVAL (not a string or not a number) or -ERANGE (> 2^64-1).
 */
int config_string_to_u64(const struct config_value *v, uint64_t *out);
int config_string_to_size(const struct config_value *v, uint64_t *out);

/* ---- tuples and vectors --------------------------------------------------------------- */
/* Entries of a tuple or vector (0 for a string). */
size_t config_count(const struct config_value *v);
/* The i-th value of a tuple or vector, NULL when out of range. */
struct config_value *config_at(const struct config_value *v, size_t i);
/* The i-th key of a tuple, NULL when v is no tuple or i out of range. */
const struct config_string *config_key_at(const struct config_value *v, size_t i);

/* Value of key in a tuple, or NULL (also when tuple is not a tuple). O(1) expected. */
struct config_value *config_get(const struct config_value *tuple, const char *key);
struct config_value *config_get_n(const struct config_value *tuple, const char *key,
                                  size_t keylen);
/*
 * Follow a '/'-separated path from root: each component is a key when the current value is
 * a tuple, a decimal index when it is a vector. "children/bin/children/hello",
 * "arguments/0". NULL when any step is missing or path has an empty component.
 */
struct config_value *config_get_path(const struct config_value *root, const char *path);
/* config_string(config_get(tuple, key)): NULL when missing or not a string. */
const char *config_get_string(const struct config_value *tuple, const char *key);
/*
 * Flags: true when key is present, unless its value is one of the strings "f", "false",
 * "no", "off" or "0". (Nanos reads presence; `debugsyscalls:t` is the usual spelling.)
 */
bool config_get_flag(const struct config_value *tuple, const char *key);

/* ---- building ------------------------------------------------------------------------- */
/* New detached values, NULL when out of memory. A string copies data[0..len). */
struct config_value *config_new_string(const void *data, size_t len);
struct config_value *config_new_cstring(const char *s);
struct config_value *config_new_tuple(void);
struct config_value *config_new_vector(void);
/* Deep copy, NULL when out of memory. */
struct config_value *config_clone(const struct config_value *v);

/*
 * Set key to value in tuple, taking ownership of value (a detached root) on success. An
 * existing key keeps its position and its old value is freed; a new key goes last.
 * Returns 0; -EINVAL (tuple not a tuple, empty key, value attached elsewhere or tuple inside
 * value); -E2BIG (the result would be deeper than CONFIG_MAX_DEPTH); -ENOMEM. On failure
 * the caller still owns value.
 */
int config_tuple_set(struct config_value *tuple, const char *key, struct config_value *value);
int config_tuple_set_n(struct config_value *tuple, const char *key, size_t keylen,
                       struct config_value *value);
/* Append value to a vector; same ownership and errors as config_tuple_set. */
int config_vector_append(struct config_value *vector, struct config_value *value);

/* Remove key from tuple and free its value: 0 or -ENOENT. */
int config_remove(struct config_value *tuple, const char *key);
/* Remove key from tuple and hand its (now detached) value to the caller; NULL if missing. */
struct config_value *config_take(struct config_value *tuple, const char *key);
/* Remove entry i of a tuple or vector and free its value: 0 or -ENOENT. */
int config_remove_at(struct config_value *v, size_t i);

/*
 * Merge src into the tuple dst (mkfs -t overrides): for each key of src, when both values
 * are tuples merge recursively, else dst's value is replaced by a copy of src's. src is not
 * changed. Returns 0, -EINVAL (not tuples), -E2BIG or -ENOMEM (dst may then be partly merged).
 */
int config_merge(struct config_value *dst, const struct config_value *src);

/* ---- comparing and printing ----------------------------------------------------------- */
/* Same type, same bytes; tuples: same keys in the same order with equal values. */
bool config_equal(const struct config_value *a, const struct config_value *b);

/* Sink for printed text: return 0, or a negative errno to stop printing. */
typedef int config_write_fn(void *ctx, const char *data, size_t len);

#define CONFIG_PRINT_PRETTY 0x1u /* one tuple entry per line, 4-space indents */

/*
 * Print v as manifest text that config_parse() turns back into an equal tree. Compact form
 * (no flag): "(a:b c:[x y] d:())", single spaces, no comments, a string quoted only when it
 * must be (empty, or holding a byte that cannot appear in a bare string). Returns 0, the
 * first error write returned, or -E2BIG for a hand-made tree deeper than CONFIG_MAX_DEPTH.
 * Does not allocate.
 */
int config_print(const struct config_value *v, unsigned flags, config_write_fn *write,
                 void *ctx);
/* Same into a new kmalloc'd NUL-terminated buffer (*len, if len is not NULL, excludes the
 * NUL; the caller kfree()s it): 0, -ENOMEM or -E2BIG. */
int config_print_alloc(const struct config_value *v, unsigned flags, char **text, size_t *len);

#endif
