/*
 * printf.c - kvsnprintf and the console printers (kprintf.h).
 *
 * One formatter writes into a struct out: a buffer with a capacity and, optionally, a flush
 * function called when the buffer is full. ksnprintf has no flush: bytes past the capacity
 * are counted (C99 return value) but dropped. kprintf formats into a 512-byte stack buffer
 * whose flush is hal_console_write(), so output up to 512 bytes leaves in one call and
 * longer output in 512-byte pieces. Nothing here allocates or locks.
 *
 * A conversion is parsed into struct spec, then rendered as
 *     [spaces] [sign or 0x] [zeros] digits [spaces]
 * following C99 rules: a precision turns the '0' flag off, precision 0 prints no digits for
 * the value 0, '#' gives octal a leading 0 and non-zero hex a 0x, '-' beats '0', '+' beats ' '.
 */
#include "core/lib/kprintf.h"

#include <stdbool.h>
#include <stdint.h>

#include "hal/hal_console.h"

#define KPRINTF_BUF 512
/* <limits.h> is not usable with -nostdinc (GCC's copy include_nexts the libc one). */
#define INT_MAX __INT_MAX__
#define INT_MIN (-__INT_MAX__ - 1)

struct out {
    char *buf;
    size_t cap;   /* bytes buf may hold (for snprintf: size - 1, room for the NUL) */
    size_t pos;   /* bytes in buf */
    size_t total; /* bytes produced so far, written or not */
    void (*flush)(struct out *o);
};

enum { F_LEFT = 1, F_ZERO = 2, F_SPACE = 4, F_PLUS = 8, F_ALT = 16 };
enum length { L_NONE, L_HH, L_H, L_L, L_LL, L_Z, L_T, L_J };

struct spec {
    unsigned flags;
    int width;
    int prec; /* -1: none */
    enum length len;
    char conv;
};

static void out_char(struct out *o, char c)
{
    if (o->pos == o->cap) {
        if (!o->flush || o->cap == 0) {
            o->total++;
            return;
        }
        o->flush(o);
    }
    o->buf[o->pos++] = c;
    o->total++;
}

static void out_repeat(struct out *o, char c, int n)
{
    while (n-- > 0)
        out_char(o, c);
}

static void out_mem(struct out *o, const char *s, size_t n)
{
    while (n--)
        out_char(o, *s++);
}

/* Parse a decimal number; saturates instead of overflowing. */
static int parse_int(const char **fmt)
{
    int v = 0;

    while (**fmt >= '0' && **fmt <= '9') {
        int d = *(*fmt)++ - '0';
        v = v > (INT_MAX - d) / 10 ? INT_MAX : v * 10 + d;
    }
    return v;
}

static unsigned parse_flags(const char **fmt)
{
    unsigned flags = 0;

    for (;; (*fmt)++) {
        switch (**fmt) {
        case '-':
            flags |= F_LEFT;
            break;
        case '0':
            flags |= F_ZERO;
            break;
        case ' ':
            flags |= F_SPACE;
            break;
        case '+':
            flags |= F_PLUS;
            break;
        case '#':
            flags |= F_ALT;
            break;
        default:
            return flags;
        }
    }
}

static enum length parse_length(const char **fmt)
{
    const char *f = *fmt;
    enum length len = L_NONE;

    switch (*f) {
    case 'h':
        len = f[1] == 'h' ? L_HH : L_H;
        break;
    case 'l':
        len = f[1] == 'l' ? L_LL : L_L;
        break;
    case 'z':
        len = L_Z;
        break;
    case 't':
        len = L_T;
        break;
    case 'j':
        len = L_J;
        break;
    default:
        return L_NONE;
    }
    *fmt += (len == L_HH || len == L_LL) ? 2 : 1;
    return len;
}

/* Parse the conversion after '%' (*fmt points past it); '*' arguments are taken from ap. */
static void parse_spec(const char **fmt, struct spec *sp, va_list *ap)
{
    sp->flags = parse_flags(fmt);
    sp->width = 0;
    if (**fmt == '*') {
        (*fmt)++;
        int w = va_arg(*ap, int);
        if (w < 0) {
            sp->flags |= F_LEFT;
            w = w == INT_MIN ? INT_MAX : -w;
        }
        sp->width = w;
    } else {
        sp->width = parse_int(fmt);
    }
    sp->prec = -1;
    if (**fmt == '.') {
        (*fmt)++;
        if (**fmt == '*') {
            (*fmt)++;
            int p = va_arg(*ap, int);
            sp->prec = p < 0 ? -1 : p;
        } else {
            sp->prec = parse_int(fmt);
        }
    }
    sp->len = parse_length(fmt);
    sp->conv = **fmt;
    if (sp->conv)
        (*fmt)++;
}

static int64_t fetch_signed(enum length len, va_list *ap)
{
    switch (len) {
    case L_HH:
        return (signed char)va_arg(*ap, int);
    case L_H:
        return (short)va_arg(*ap, int);
    case L_L:
        return va_arg(*ap, long);
    case L_LL:
        return va_arg(*ap, long long);
    case L_Z:
        return va_arg(*ap, long); /* the signed type of size_t on LP64 */
    case L_T:
        return va_arg(*ap, ptrdiff_t);
    case L_J:
        return va_arg(*ap, intmax_t);
    default:
        return va_arg(*ap, int);
    }
}

static uint64_t fetch_unsigned(enum length len, va_list *ap)
{
    switch (len) {
    case L_HH:
        return (unsigned char)va_arg(*ap, unsigned);
    case L_H:
        return (unsigned short)va_arg(*ap, unsigned);
    case L_L:
        return va_arg(*ap, unsigned long);
    case L_LL:
        return va_arg(*ap, unsigned long long);
    case L_Z:
        return va_arg(*ap, size_t);
    case L_T:
        return (uint64_t)va_arg(*ap, ptrdiff_t);
    case L_J:
        return va_arg(*ap, uintmax_t);
    default:
        return va_arg(*ap, unsigned);
    }
}

/* Pad a field of n bytes to the width: spaces before (right-aligned) or after. */
static void pad_before(struct out *o, const struct spec *sp, int n)
{
    if (!(sp->flags & F_LEFT))
        out_repeat(o, ' ', sp->width - n);
}

static void pad_after(struct out *o, const struct spec *sp, int n)
{
    if (sp->flags & F_LEFT)
        out_repeat(o, ' ', sp->width - n);
}

/* Render v (with its sign, prefix and padding) in base. */
static void put_number(struct out *o, const struct spec *sp, uint64_t v, bool neg, unsigned base)
{
    const char *digits = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24], prefix[3];
    int nd = 0, np = 0, zeros;

    for (uint64_t x = v; x; x /= base)
        tmp[nd++] = digits[x % base];
    if (v == 0 && sp->prec != 0)
        tmp[nd++] = '0';
    zeros = sp->prec > nd ? sp->prec - nd : 0;
    if (base == 8 && (sp->flags & F_ALT) && zeros == 0 && (nd == 0 || tmp[nd - 1] != '0'))
        zeros = 1;

    if (neg)
        prefix[np++] = '-';
    else if (sp->conv == 'd' || sp->conv == 'i') {
        if (sp->flags & F_PLUS)
            prefix[np++] = '+';
        else if (sp->flags & F_SPACE)
            prefix[np++] = ' ';
    }
    if (base == 16 && (sp->flags & F_ALT) && (v != 0 || sp->conv == 'p')) {
        prefix[np++] = '0';
        prefix[np++] = sp->conv == 'X' ? 'X' : 'x';
    }
    if ((sp->flags & (F_ZERO | F_LEFT)) == F_ZERO && sp->prec < 0 && sp->width > np + nd)
        zeros = sp->width - np - nd;

    int field = np + zeros + nd;
    pad_before(o, sp, field);
    out_mem(o, prefix, (size_t)np);
    out_repeat(o, '0', zeros);
    while (nd)
        out_char(o, tmp[--nd]);
    pad_after(o, sp, field);
}

static void put_string(struct out *o, const struct spec *sp, const char *s)
{
    int n = 0;

    if (!s)
        s = "(null)";
    while ((sp->prec < 0 || n < sp->prec) && s[n] && n < INT_MAX)
        n++;
    pad_before(o, sp, n);
    out_mem(o, s, (size_t)n);
    pad_after(o, sp, n);
}

static void put_char(struct out *o, const struct spec *sp, char c)
{
    pad_before(o, sp, 1);
    out_char(o, c);
    pad_after(o, sp, 1);
}

static void convert(struct out *o, struct spec *sp, va_list *ap)
{
    switch (sp->conv) {
    case 'd':
    case 'i': {
        int64_t v = fetch_signed(sp->len, ap);
        put_number(o, sp, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10);
        break;
    }
    case 'u':
        put_number(o, sp, fetch_unsigned(sp->len, ap), false, 10);
        break;
    case 'x':
    case 'X':
        put_number(o, sp, fetch_unsigned(sp->len, ap), false, 16);
        break;
    case 'o':
        put_number(o, sp, fetch_unsigned(sp->len, ap), false, 8);
        break;
    case 'p': {
        void *p = va_arg(*ap, void *);
        if (!p) {
            sp->prec = -1;
            put_string(o, sp, "(nil)");
            break;
        }
        sp->flags |= F_ALT;
        put_number(o, sp, (uintptr_t)p, false, 16);
        break;
    }
    case 's':
        put_string(o, sp, va_arg(*ap, const char *));
        break;
    case 'c':
        put_char(o, sp, (char)va_arg(*ap, int));
        break;
    case '%':
        out_char(o, '%');
        break;
    case '\0':
        out_char(o, '%');
        break; /* a lone '%' at the end */
    default:   /* unknown (including %n): print it as written */
        out_char(o, '%');
        out_char(o, sp->conv);
        break;
    }
}

static void format(struct out *o, const char *fmt, va_list ap)
{
    va_list args;
    struct spec sp;

    va_copy(args, ap);
    while (*fmt) {
        if (*fmt != '%') {
            out_char(o, *fmt++);
            continue;
        }
        fmt++;
        parse_spec(&fmt, &sp, &args);
        convert(o, &sp, &args);
    }
    va_end(args);
}

static int clamp_total(size_t total)
{
    return total > INT_MAX ? INT_MAX : (int)total;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = {.buf = buf, .cap = size ? size - 1 : 0};

    format(&o, fmt, ap);
    if (size)
        buf[o.pos] = '\0';
    return clamp_total(o.total);
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

static void console_flush(struct out *o)
{
    hal_console_write(o->buf, o->pos);
    o->pos = 0;
}

int kvprintf(const char *fmt, va_list ap)
{
    char buf[KPRINTF_BUF];
    struct out o = {.buf = buf, .cap = sizeof(buf), .flush = console_flush};

    format(&o, fmt, ap);
    if (o.pos)
        console_flush(&o);
    return clamp_total(o.total);
}

int kprintf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int n = kvprintf(fmt, ap);
    va_end(ap);
    return n;
}
