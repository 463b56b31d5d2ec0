/*
 * print.c - config tree to manifest text that parses back to an equal tree.
 *
 * Compact (canonical) form: "(k:v k2:[a b] k3:())", one space between entries. Pretty form
 * puts each tuple entry on its own line, indented by four spaces per level, and keeps vectors
 * of strings on one line. A string is written bare when it is non-empty and every byte is a
 * bare-string byte (config_bare_char); otherwise it is quoted, with \" \\ \n \t \r for those
 * bytes, \xHH for other control bytes, and every other byte (UTF-8 included) as is.
 *
 * Recursion follows the tree, which the setters and the parser keep within CONFIG_MAX_DEPTH;
 * a hand-built deeper tree gets -E2BIG rather than a deep stack.
 */
#include "core/config/config_internal.h"
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "hal/hal_errno.h"

struct printer {
    config_write_fn *write;
    void *ctx;
    bool pretty;
};

static int put(struct printer *pr, const char *s, size_t n)
{
    return n ? pr->write(pr->ctx, s, n) : 0;
}

static int puts_(struct printer *pr, const char *s)
{
    return put(pr, s, strlen(s));
}

static bool needs_quotes(const struct config_string *s)
{
    if (s->len == 0)
        return true;
    for (size_t i = 0; i < s->len; i++)
        if (!config_bare_char((unsigned char)s->data[i]))
            return true;
    return false;
}

/* The escape for byte c inside quotes into buf (NUL-terminated), or false to copy c as is. */
static bool escape_for(unsigned char c, char buf[5])
{
    static const char hex[] = "0123456789abcdef";
    const char *simple = NULL;

    switch (c) {
    case '"': simple = "\\\""; break;
    case '\\': simple = "\\\\"; break;
    case '\n': simple = "\\n"; break;
    case '\t': simple = "\\t"; break;
    case '\r': simple = "\\r"; break;
    }
    if (simple) {
        kstrlcpy(buf, simple, 5);
        return true;
    }
    if (c >= 0x20 && c != 0x7f)
        return false;
    buf[0] = '\\';
    buf[1] = 'x';
    buf[2] = hex[c >> 4];
    buf[3] = hex[c & 15];
    buf[4] = '\0';
    return true;
}

static int print_string(struct printer *pr, const struct config_string *s)
{
    size_t run = 0; /* start of the pending run of plain bytes */
    char esc[5];
    int rc;

    if (!needs_quotes(s))
        return put(pr, s->data, s->len);
    rc = put(pr, "\"", 1);
    for (size_t i = 0; rc == 0 && i < s->len; i++) {
        if (!escape_for((unsigned char)s->data[i], esc))
            continue;
        rc = put(pr, s->data + run, i - run);
        if (rc == 0)
            rc = puts_(pr, esc);
        run = i + 1;
    }
    if (rc == 0)
        rc = put(pr, s->data + run, s->len - run);
    return rc ? rc : put(pr, "\"", 1);
}

static int indent(struct printer *pr, unsigned level)
{
    static const char spaces[] = "                                "; /* 32 */
    size_t n = (size_t)level * 4;
    int rc = 0;

    while (rc == 0 && n > 0) {
        size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
        rc = put(pr, spaces, k);
        n -= k;
    }
    return rc;
}

static bool all_strings(const struct config_value *v)
{
    for (size_t i = 0; i < v->count; i++)
        if (v->children[i].value->type != CONFIG_STRING)
            return false;
    return true;
}

static int print_value(struct printer *pr, const struct config_value *v, unsigned depth);

/* The separator before entry i of a container whose brackets are depth deep. */
static int separator(struct printer *pr, size_t i, bool lines, unsigned depth)
{
    if (lines) {
        int rc = put(pr, "\n", 1);
        return rc ? rc : indent(pr, depth);
    }
    return i ? put(pr, " ", 1) : 0;
}

static int print_container(struct printer *pr, const struct config_value *v, unsigned depth)
{
    const bool tuple = v->type == CONFIG_TUPLE;
    const bool lines = pr->pretty && v->count > 0 && (tuple || !all_strings(v));
    int rc = put(pr, tuple ? "(" : "[", 1);

    for (size_t i = 0; rc == 0 && i < v->count; i++) {
        const struct config_child *ch = &v->children[i];
        rc = separator(pr, i, lines, depth);
        if (rc == 0 && tuple) {
            rc = print_string(pr, &ch->key);
            if (rc == 0)
                rc = put(pr, ":", 1);
        }
        if (rc == 0)
            rc = print_value(pr, ch->value, depth);
    }
    if (rc == 0 && lines) {
        rc = put(pr, "\n", 1);
        if (rc == 0)
            rc = indent(pr, depth - 1);
    }
    return rc ? rc : put(pr, tuple ? ")" : "]", 1);
}

/* depth: brackets enclosing v. */
static int print_value(struct printer *pr, const struct config_value *v, unsigned depth)
{
    if (v->type == CONFIG_STRING)
        return print_string(pr, &v->str);
    if (depth + 1 > CONFIG_MAX_DEPTH)
        return -E2BIG;
    return print_container(pr, v, depth + 1);
}

int config_print(const struct config_value *v, unsigned flags, config_write_fn *write,
                 void *ctx)
{
    struct printer pr = {write, ctx, (flags & CONFIG_PRINT_PRETTY) != 0};

    return print_value(&pr, v, 0);
}

struct buffer {
    char *data;
    size_t len;
};

static int count_bytes(void *ctx, const char *data, size_t len)
{
    ((struct buffer *)ctx)->len += len;
    return 0;
}

static int copy_bytes(void *ctx, const char *data, size_t len)
{
    struct buffer *b = ctx;

    memcpy(b->data + b->len, data, len);
    b->len += len;
    return 0;
}

int config_print_alloc(const struct config_value *v, unsigned flags, char **text, size_t *len)
{
    struct buffer b = {NULL, 0};
    int rc = config_print(v, flags, count_bytes, &b);

    if (rc)
        return rc;
    b.data = kmalloc(b.len + 1);
    if (!b.data)
        return -ENOMEM;
    b.len = 0;
    config_print(v, flags, copy_bytes, &b);
    b.data[b.len] = '\0';
    *text = b.data;
    if (len)
        *len = b.len;
    return 0;
}
