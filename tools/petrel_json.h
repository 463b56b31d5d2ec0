/*
 * petrel_json.h - a small JSON parser (RFC 8259) for `petrel run --ops-config` (petrel_ops.c).
 *
 * The whole text is parsed into a tree of values; strings are decoded to UTF-8 (\uXXXX
 * escapes, surrogate pairs joined; a lone surrogate is an error) and keep their length, so
 * an embedded \u0000 is visible to the caller. Numbers keep their text (validated against
 * the grammar). Limits keep it safe on any input: nesting 64, 1 MiB of text, 100000 values.
 * Errors say where: "LINE:COLUMN: message".
 */
#ifndef TOOLS_PETREL_JSON_H
#define TOOLS_PETREL_JSON_H

#include <stdbool.h>
#include <stddef.h>

#define PJ_MAX_DEPTH 64
#define PJ_MAX_TEXT (1u << 20)
#define PJ_MAX_VALUES 100000u

enum pj_type { PJ_NULL, PJ_BOOL, PJ_NUMBER, PJ_STRING, PJ_ARRAY, PJ_OBJECT };

struct pj_value {
    enum pj_type type;
    bool boolean;
    char *str; /* PJ_STRING: the bytes (NUL-terminated too); PJ_NUMBER: its text */
    size_t len;
    size_t n;                /* PJ_ARRAY, PJ_OBJECT: entries */
    struct pj_value **items; /* the values */
    char **keys;             /* PJ_OBJECT: the keys (NUL-terminated) */
    size_t *key_lens;
};

/* Parse text[0..len). 0 and *out, or -1 with the reason in err. Free with pj_free. */
int pj_parse(const char *text, size_t len, struct pj_value **out, char *err, size_t errsz);
void pj_free(struct pj_value *v);
/* The value of key in an object (the last one when repeated), NULL when absent. */
const struct pj_value *pj_get(const struct pj_value *obj, const char *key);
/* A string value without embedded NUL bytes (NULL otherwise). */
const char *pj_cstr(const struct pj_value *v);
const char *pj_type_name(enum pj_type t);

#endif
