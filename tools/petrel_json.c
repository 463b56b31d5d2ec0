/*
 * petrel_json.c - the JSON parser of petrel_json.h: recursive descent over a length-counted
 * text, one function per grammar rule, every read bounds-checked (p->at < p->end), the
 * nesting depth and the value count capped, so that no input (fuzz/ops_json) can overflow,
 * recurse without bound or allocate without bound. On an error everything built so far is
 * freed and the first error's position is reported.
 */
#include "tools/petrel_json.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
    const char *start, *at, *end;
    size_t values;
    char *err;
    size_t errsz;
    bool failed;
};

static void fail(struct parser *p, const char *msg)
{
    unsigned line = 1, col = 1;

    if (p->failed)
        return;
    p->failed = true;
    for (const char *c = p->start; c < p->at; c++) {
        if (*c == '\n')
            line++, col = 1;
        else
            col++;
    }
    snprintf(p->err, p->errsz, "%u:%u: %s", line, col, msg);
}

static void skip_space(struct parser *p)
{
    while (p->at < p->end &&
           (*p->at == ' ' || *p->at == '\t' || *p->at == '\n' || *p->at == '\r'))
        p->at++;
}

static struct pj_value *new_value(struct parser *p, enum pj_type t)
{
    struct pj_value *v;

    if (++p->values > PJ_MAX_VALUES) {
        fail(p, "too many values");
        return NULL;
    }
    v = calloc(1, sizeof(*v));
    if (!v)
        fail(p, "out of memory");
    else
        v->type = t;
    return v;
}

/* Append c (a code point) to buf as UTF-8. */
static size_t put_utf8(char *buf, uint32_t c)
{
    if (c < 0x80) {
        buf[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        buf[0] = (char)(0xc0 | c >> 6);
        buf[1] = (char)(0x80 | (c & 0x3f));
        return 2;
    }
    if (c < 0x10000) {
        buf[0] = (char)(0xe0 | c >> 12);
        buf[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        buf[2] = (char)(0x80 | (c & 0x3f));
        return 3;
    }
    buf[0] = (char)(0xf0 | c >> 18);
    buf[1] = (char)(0x80 | ((c >> 12) & 0x3f));
    buf[2] = (char)(0x80 | ((c >> 6) & 0x3f));
    buf[3] = (char)(0x80 | (c & 0x3f));
    return 4;
}

static int hex4(struct parser *p, uint32_t *out)
{
    uint32_t v = 0;

    if (p->end - p->at < 4) {
        fail(p, "expected four hex digits after \\u");
        return -1;
    }
    for (int i = 0; i < 4; i++) {
        char c = *p->at++;
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else {
            p->at--;
            fail(p, "expected four hex digits after \\u");
            return -1;
        }
    }
    *out = v;
    return 0;
}

/* \uXXXX (p->at just past the 'u'), joining a surrogate pair. */
static int unicode_escape(struct parser *p, uint32_t *out)
{
    uint32_t hi, lo;

    if (hex4(p, &hi))
        return -1;
    if (hi >= 0xdc00 && hi <= 0xdfff) {
        fail(p, "lone low surrogate");
        return -1;
    }
    if (hi < 0xd800 || hi > 0xdbff) {
        *out = hi;
        return 0;
    }
    if (p->end - p->at < 2 || p->at[0] != '\\' || p->at[1] != 'u') {
        fail(p, "high surrogate without its low surrogate");
        return -1;
    }
    p->at += 2;
    if (hex4(p, &lo))
        return -1;
    if (lo < 0xdc00 || lo > 0xdfff) {
        fail(p, "high surrogate without its low surrogate");
        return -1;
    }
    *out = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
    return 0;
}

/* One escape (p->at on the byte after '\'), its bytes appended at buf; count or -1. */
static int escape(struct parser *p, char *buf)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *k;
    uint32_t c;

    if (p->at >= p->end) {
        fail(p, "unterminated string");
        return -1;
    }
    if (*p->at == 'u') {
        p->at++;
        return unicode_escape(p, &c) ? -1 : (int)put_utf8(buf, c);
    }
    k = memchr(from, *p->at, sizeof(from) - 1);
    if (!k) {
        fail(p, "unknown escape");
        return -1;
    }
    p->at++;
    buf[0] = to[k - from];
    return 1;
}

/* A string (p->at on the '"'): a NUL-terminated copy in *out, its length in *len. */
static int parse_string(struct parser *p, char **out, size_t *len)
{
    const char *open = p->at++, *q = p->at;
    char *buf;
    size_t n = 0;

    /* the decoded string is never longer than its text (an escape of n bytes gives at most
     * n), so the text up to the closing quote bounds the buffer */
    while (q < p->end && *q != '"')
        q += (*q == '\\' && q + 1 < p->end) ? 2 : 1;
    buf = malloc((size_t)(q - p->at) + 1);

    if (!buf) {
        fail(p, "out of memory");
        return -1;
    }
    for (;;) {
        if (p->at >= p->end) {
            p->at = open;
            fail(p, "unterminated string");
            break;
        }
        unsigned char c = (unsigned char)*p->at;
        if (c == '"') {
            p->at++;
            buf[n] = '\0';
            *out = buf;
            *len = n;
            return 0;
        }
        if (c < 0x20) {
            fail(p, "control character in string (use an escape)");
            break;
        }
        if (c != '\\') {
            buf[n++] = (char)c;
            p->at++;
            continue;
        }
        p->at++;
        int k = escape(p, buf + n);
        if (k < 0)
            break;
        n += (size_t)k;
    }
    free(buf);
    return -1;
}

static bool digit(const struct parser *p)
{
    return p->at < p->end && *p->at >= '0' && *p->at <= '9';
}

/* number := '-'? ('0' | [1-9][0-9]*) ('.' [0-9]+)? ([eE] [+-]? [0-9]+)? */
static struct pj_value *parse_number(struct parser *p)
{
    const char *s = p->at;
    struct pj_value *v;

    if (p->at < p->end && *p->at == '-')
        p->at++;
    if (!digit(p))
        return fail(p, "expected a value"), NULL;
    if (*p->at++ != '0')
        while (digit(p))
            p->at++;
    if (p->at < p->end && *p->at == '.') {
        p->at++;
        if (!digit(p))
            return fail(p, "expected a digit after '.'"), NULL;
        while (digit(p))
            p->at++;
    }
    if (p->at < p->end && (*p->at == 'e' || *p->at == 'E')) {
        p->at++;
        if (p->at < p->end && (*p->at == '+' || *p->at == '-'))
            p->at++;
        if (!digit(p))
            return fail(p, "expected a digit in the exponent"), NULL;
        while (digit(p))
            p->at++;
    }
    v = new_value(p, PJ_NUMBER);
    if (v && !(v->str = strndup(s, (size_t)(p->at - s)))) {
        fail(p, "out of memory");
        free(v);
        return NULL;
    }
    if (v)
        v->len = (size_t)(p->at - s);
    return v;
}

static struct pj_value *parse_value(struct parser *p, int depth);

/* Grow an array or object by one slot. */
static int grow(struct parser *p, struct pj_value *v, size_t *cap)
{
    if (v->n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 4;
    struct pj_value **items = realloc(v->items, ncap * sizeof(*items));
    if (items)
        v->items = items;
    if (items && v->type == PJ_OBJECT) {
        char **keys = realloc(v->keys, ncap * sizeof(*keys));
        if (keys)
            v->keys = keys;
        size_t *lens = keys ? realloc(v->key_lens, ncap * sizeof(*lens)) : NULL;
        if (lens)
            v->key_lens = lens;
        items = lens ? items : NULL;
    }
    if (!items) {
        fail(p, "out of memory");
        return -1;
    }
    *cap = ncap;
    return 0;
}

/* An array or an object (p->at on its opening bracket). */
static struct pj_value *parse_container(struct parser *p, int depth, bool object)
{
    const char close = object ? '}' : ']';
    struct pj_value *v = new_value(p, object ? PJ_OBJECT : PJ_ARRAY);
    size_t cap = 0;

    if (!v)
        return NULL;
    if (depth >= PJ_MAX_DEPTH) {
        fail(p, "nesting too deep");
        return pj_free(v), NULL;
    }
    p->at++;
    skip_space(p);
    if (p->at < p->end && *p->at == close) {
        p->at++;
        return v;
    }
    for (;;) {
        char *key = NULL;
        size_t klen = 0;

        skip_space(p);
        if (object) {
            if (p->at >= p->end || *p->at != '"') {
                fail(p, "expected a string key");
                break;
            }
            if (parse_string(p, &key, &klen))
                break;
            skip_space(p);
            if (p->at >= p->end || *p->at != ':') {
                free(key);
                fail(p, "expected ':' after the key");
                break;
            }
            p->at++;
        }
        struct pj_value *item = parse_value(p, depth + 1);
        if (!item || grow(p, v, &cap)) {
            free(key);
            pj_free(item);
            break;
        }
        if (object) {
            v->keys[v->n] = key;
            v->key_lens[v->n] = klen;
        }
        v->items[v->n++] = item;
        skip_space(p);
        if (p->at < p->end && *p->at == ',') {
            p->at++;
            continue;
        }
        if (p->at < p->end && *p->at == close) {
            p->at++;
            return v;
        }
        fail(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
        break;
    }
    pj_free(v);
    return NULL;
}

static struct pj_value *parse_word(struct parser *p, const char *word, enum pj_type t, bool b)
{
    size_t n = strlen(word);
    struct pj_value *v;

    if ((size_t)(p->end - p->at) < n || memcmp(p->at, word, n) != 0)
        return fail(p, "expected a value"), NULL;
    p->at += n;
    v = new_value(p, t);
    if (v)
        v->boolean = b;
    return v;
}

static struct pj_value *parse_value(struct parser *p, int depth)
{
    skip_space(p);
    if (p->at >= p->end)
        return fail(p, "expected a value, found the end"), NULL;
    switch (*p->at) {
    case '{':
        return parse_container(p, depth, true);
    case '[':
        return parse_container(p, depth, false);
    case '"': {
        struct pj_value *v = new_value(p, PJ_STRING);
        if (v && parse_string(p, &v->str, &v->len)) {
            free(v);
            return NULL;
        }
        return v;
    }
    case 't':
        return parse_word(p, "true", PJ_BOOL, true);
    case 'f':
        return parse_word(p, "false", PJ_BOOL, false);
    case 'n':
        return parse_word(p, "null", PJ_NULL, false);
    default:
        return parse_number(p);
    }
}

int pj_parse(const char *text, size_t len, struct pj_value **out, char *err, size_t errsz)
{
    struct parser p = {text, text, text + len, 0, err, errsz, false};
    struct pj_value *v;

    if (errsz)
        err[0] = '\0';
    if (len > PJ_MAX_TEXT) {
        fail(&p, "larger than 1 MiB");
        return -1;
    }
    v = parse_value(&p, 0);
    if (v) {
        skip_space(&p);
        if (p.at < p.end) {
            fail(&p, "unexpected text after the value");
            pj_free(v);
            v = NULL;
        }
    }
    if (!v)
        return -1;
    *out = v;
    return 0;
}

void pj_free(struct pj_value *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        pj_free(v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->key_lens);
    free(v->str);
    free(v);
}

const struct pj_value *pj_get(const struct pj_value *obj, const char *key)
{
    size_t klen = strlen(key);

    if (!obj || obj->type != PJ_OBJECT)
        return NULL;
    for (size_t i = obj->n; i-- > 0;)
        if (obj->key_lens[i] == klen && memcmp(obj->keys[i], key, klen) == 0)
            return obj->items[i];
    return NULL;
}

const char *pj_cstr(const struct pj_value *v)
{
    if (!v || v->type != PJ_STRING || strlen(v->str) != v->len)
        return NULL;
    return v->str;
}

const char *pj_type_name(enum pj_type t)
{
    static const char *const names[] = {"null", "a boolean", "a number", "a string",
                                        "an array", "an object"};

    return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}
