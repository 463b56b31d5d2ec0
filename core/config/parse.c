/*
 * parse.c - manifest text to config tree (grammar: docs/manifest.md).
 *
 *   manifest := space value space END
 *   value    := tuple | vector | string
 *   tuple    := '(' space { string space ':' space value space } ')'
 *   vector   := '[' space { value space } ']'
 *   string   := bare | '"' { char | escape } '"'
 *   space    := { ' ' | '\t' | '\r' | '\n' | '#' ...to end of line }
 *
 * A recursive-descent parser over a length-counted buffer; recursion follows the brackets and
 * stops at CONFIG_MAX_DEPTH. Quoted strings are scanned twice: once to validate them and
 * measure the decoded length (errors point at the offending byte), once to decode into an
 * exact-size buffer. On any error the partial tree is freed and err names the first problem
 * with its 1-based line and column (columns count bytes; a tab is one column).
 */
#include "core/config/config_internal.h"
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "hal/hal_errno.h"

struct mark {
    unsigned line, column;
};

struct parser {
    const unsigned char *s;
    size_t len, pos;
    struct mark at; /* position of s[pos] */
    size_t nodes;
    struct config_error *err;
};

static int parse_value(struct parser *p, unsigned depth, struct config_value **out);

static int peek(const struct parser *p)
{
    return p->pos < p->len ? p->s[p->pos] : -1;
}

static void advance(struct parser *p)
{
    if (p->s[p->pos++] == '\n') {
        p->at.line++;
        p->at.column = 1;
    } else {
        p->at.column++;
    }
}

static int fail(struct parser *p, struct mark m, const char *msg, int rc)
{
    if (p->err) {
        p->err->line = m.line;
        p->err->column = m.column;
        p->err->message = msg;
    }
    return rc;
}

static void skip_space(struct parser *p)
{
    for (;;) {
        int c = peek(p);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            advance(p);
        } else if (c == '#') {
            while (peek(p) >= 0 && peek(p) != '\n')
                advance(p);
        } else {
            return;
        }
    }
}

static struct config_value *new_node(struct parser *p, enum config_type type, int *rc)
{
    struct config_value *v = NULL;

    if (p->nodes >= CONFIG_MAX_NODES)
        *rc = fail(p, p->at, "too many values", -EINVAL);
    else if (!(v = config_node_new(type)))
        *rc = fail(p, p->at, "out of memory", -ENOMEM);
    else
        p->nodes++;
    return v;
}

/* ---- strings -------------------------------------------------------------------------- */

static int hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
        return (c | 0x20) - 'a' + 10;
    return -1;
}

/* Check one escape (p at the backslash), advance past it. 0 or -EINVAL. */
static int scan_escape(struct parser *p, struct mark open)
{
    struct mark bs = p->at;

    advance(p);
    switch (peek(p)) {
    case '"': case '\\': case 'n': case 't': case 'r':
        advance(p);
        return 0;
    case 'x':
        advance(p);
        for (int i = 0; i < 2; i++) {
            if (hex_digit(peek(p)) < 0)
                return fail(p, bs, "expected two hex digits after \\x", -EINVAL);
            advance(p);
        }
        return 0;
    case -1:
        return fail(p, open, "unterminated string", -EINVAL);
    default:
        return fail(p, bs, "unknown escape (use \\\" \\\\ \\n \\t \\r or \\xHH)", -EINVAL);
    }
}

/* Validate a quoted string (p at the opening quote) and measure it; p ends past the close. */
static int scan_quoted(struct parser *p, size_t *decoded_len)
{
    struct mark open = p->at;
    size_t n = 0;

    advance(p);
    for (;;) {
        int c = peek(p);
        if (c < 0 || c == '\n')
            return fail(p, open, "unterminated string", -EINVAL);
        if (c == '"') {
            advance(p);
            *decoded_len = n;
            return 0;
        }
        if (c == '\\') {
            int rc = scan_escape(p, open);
            if (rc)
                return rc;
        } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return fail(p, p->at, "control character in string (use an escape)", -EINVAL);
        } else {
            advance(p);
        }
        n++;
    }
}

/* Decode the already validated quoted text src[0..n) (quotes excluded) into dst. */
static void decode_quoted(char *dst, const unsigned char *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (src[i] != '\\') {
            *dst++ = (char)src[i];
            continue;
        }
        switch (src[++i]) {
        case 'n':
            *dst++ = '\n';
            break;
        case 't':
            *dst++ = '\t';
            break;
        case 'r':
            *dst++ = '\r';
            break;
        case 'x':
            *dst++ = (char)(hex_digit(src[i + 1]) << 4 | hex_digit(src[i + 2]));
            i += 2;
            break;
        default: /* '"' or '\\' */
            *dst++ = (char)src[i];
            break;
        }
    }
}

/* A bare or quoted string at p into *s (kmalloc'd). The caller checked the first byte. */
static int parse_string(struct parser *p, struct config_string *s)
{
    size_t start = p->pos, len;
    int rc;

    if (peek(p) == '"') {
        rc = scan_quoted(p, &len);
        if (rc)
            return rc;
        s->data = kmalloc(len + 1);
        if (!s->data)
            return fail(p, p->at, "out of memory", -ENOMEM);
        decode_quoted(s->data, p->s + start + 1, p->pos - start - 2);
        s->data[len] = '\0';
        s->len = len;
        return 0;
    }
    while (peek(p) >= 0 && config_bare_char((unsigned char)peek(p)))
        advance(p);
    if (config_str_init(s, p->s + start, p->pos - start))
        return fail(p, p->at, "out of memory", -ENOMEM);
    return 0;
}

static bool string_start(int c)
{
    return c == '"' || (c >= 0 && config_bare_char((unsigned char)c));
}

/* ---- tuples and vectors --------------------------------------------------------------- */

/* One "key:value" entry of tuple t, p at the key's first byte. */
static int parse_entry(struct parser *p, struct config_value *t, unsigned depth)
{
    struct mark km = p->at;
    struct config_string key;
    struct config_value *v;
    int rc;

    rc = parse_string(p, &key);
    if (rc)
        return rc;
    if (key.len == 0)
        rc = fail(p, km, "empty key", -EINVAL);
    else if (config_tuple_find(t, key.data, key.len) >= 0)
        rc = fail(p, km, "duplicate key", -EINVAL);
    if (rc)
        goto out_key;
    skip_space(p);
    if (peek(p) != ':') {
        rc = fail(p, p->at, "expected ':' after key", -EINVAL);
        goto out_key;
    }
    advance(p);
    skip_space(p);
    rc = parse_value(p, depth, &v);
    if (rc)
        goto out_key;
    rc = config_append(t, &key, v);
    if (rc == 0)
        return 0;
    config_free(v);
    rc = fail(p, p->at, "out of memory", -ENOMEM);
out_key:
    kfree(key.data);
    return rc;
}

/* A vector element, p at its first byte. */
static int parse_element(struct parser *p, struct config_value *vec, unsigned depth)
{
    struct config_value *v;
    int rc = parse_value(p, depth, &v);

    if (rc)
        return rc;
    if (config_append(vec, NULL, v) == 0)
        return 0;
    config_free(v);
    return fail(p, p->at, "out of memory", -ENOMEM);
}

/* A tuple or vector, p at its opening bracket, depth brackets around it. */
static int parse_container(struct parser *p, enum config_type type, unsigned depth,
                           struct config_value **out)
{
    const bool tuple = type == CONFIG_TUPLE;
    const int close = tuple ? ')' : ']';
    struct mark open = p->at;
    int rc = 0;

    if (depth + 1 > CONFIG_MAX_DEPTH)
        return fail(p, open, "nesting too deep", -EINVAL);
    struct config_value *c = new_node(p, type, &rc);
    if (!c)
        return rc;
    advance(p);
    for (;;) {
        skip_space(p);
        int ch = peek(p);
        if (ch == close) {
            advance(p);
            *out = c;
            return 0;
        }
        if (ch < 0)
            rc = fail(p, open, tuple ? "unterminated tuple" : "unterminated vector", -EINVAL);
        else if (ch == (tuple ? ']' : ')'))
            rc = fail(p, p->at, tuple ? "']' inside a tuple" : "')' inside a vector", -EINVAL);
        else if (ch == ':')
            rc = fail(p, p->at, "unexpected ':' (quote strings that contain ':')", -EINVAL);
        else if (tuple && !string_start(ch))
            rc = fail(p, p->at, "expected a key or ')'", -EINVAL);
        else
            rc = tuple ? parse_entry(p, c, depth + 1) : parse_element(p, c, depth + 1);
        if (rc) {
            config_free(c);
            return rc;
        }
    }
}

/* Any value, p at its first byte (after space), depth brackets around it. */
static int parse_value(struct parser *p, unsigned depth, struct config_value **out)
{
    int c = peek(p), rc = 0;

    if (c == '(')
        return parse_container(p, CONFIG_TUPLE, depth, out);
    if (c == '[')
        return parse_container(p, CONFIG_VECTOR, depth, out);
    if (c < 0)
        return fail(p, p->at, "expected a value, found end of input", -EINVAL);
    if (c == ':')
        return fail(p, p->at, "unexpected ':' (quote strings that contain ':')", -EINVAL);
    if (c == ')' || c == ']')
        return fail(p, p->at, "expected a value", -EINVAL);
    if (!string_start(c))
        return fail(p, p->at, "unexpected character (quote it in a string)", -EINVAL);
    struct config_value *v = new_node(p, CONFIG_STRING, &rc);
    if (!v)
        return rc;
    rc = parse_string(p, &v->str);
    if (rc) {
        config_free(v);
        return rc;
    }
    *out = v;
    return 0;
}

int config_parse(const char *text, size_t len, struct config_value **out,
                 struct config_error *err)
{
    struct parser p = {
        .s = (const unsigned char *)text,
        .len = len,
        .at = {1, 1},
        .err = err,
    };
    struct config_value *v;
    int rc;

    if (len > CONFIG_MAX_INPUT)
        return fail(&p, p.at, "manifest too large", -EINVAL);
    skip_space(&p);
    rc = parse_value(&p, 0, &v);
    if (rc)
        return rc;
    skip_space(&p);
    if (p.pos < p.len) {
        config_free(v);
        return fail(&p, p.at, "unexpected text after the value", -EINVAL);
    }
    *out = v;
    return 0;
}
