/*
 * config_internal.h - shared between the parser, the tree code and the printer. Not an API.
 */
#ifndef CORE_CONFIG_CONFIG_INTERNAL_H
#define CORE_CONFIG_CONFIG_INTERNAL_H

#include "core/config/config.h"

/* A byte that may appear in a bare (unquoted) string: printable ASCII except
 * whitespace and ( ) [ ] " # : \ . */
static inline bool config_bare_char(unsigned char c)
{
    if (c <= 0x20 || c >= 0x7f)
        return false;
    switch (c) {
    case '(': case ')': case '[': case ']': case '"': case '#': case ':': case '\\':
        return false;
    default:
        return true;
    }
}

/* A value node of the given type with no content; NULL when out of memory. */
struct config_value *config_node_new(enum config_type type);
/* Copy len bytes into a new NUL-terminated kmalloc'd string: 0 or -ENOMEM. */
int config_str_init(struct config_string *s, const void *data, size_t len);
/* Refill a tuple's index (allocated, big enough) after entries moved. */
void config_index_refill(struct config_value *t);
/* Index of key in tuple, or -1. */
long config_tuple_find(const struct config_value *tuple, const char *key, size_t keylen);
/*
 * Append to a container without checks, taking ownership of key->data (tuples; NULL for
 * vectors) and value. 0 or -ENOMEM (then nothing is taken). The parser has already checked
 * depth and duplicates.
 */
int config_append(struct config_value *c, struct config_string *key, struct config_value *value);

#endif
