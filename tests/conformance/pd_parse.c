/*
 * pd_parse.c - script text to struct pd_script (grammar in docs/net.md "Conformance scripts").
 *
 * A recursive-descent reader over one line at a time with a cursor that never walks past the
 * line's end: every token reader checks bounds and reports "line N: ..." instead of guessing,
 * so random bytes give an error, never a crash (pd_fuzz replays garbage through it).
 */
#include "tests/conformance/pd.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cur {
    const char *p, *end;
    int line;
    char *err;
    size_t errlen;
    bool failed;
};

static bool fail(struct cur *c, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (c->failed)
        return false;
    c->failed = true;
    n = snprintf(c->err, c->errlen, "line %d: ", c->line);
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < c->errlen)
        vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

static void skip_ws(struct cur *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r'))
        c->p++;
}

static bool at_end(struct cur *c)
{
    skip_ws(c);
    return c->p >= c->end;
}

static bool peek(struct cur *c, char ch)
{
    skip_ws(c);
    return c->p < c->end && *c->p == ch;
}

static bool accept_ch(struct cur *c, char ch)
{
    if (!peek(c, ch))
        return false;
    c->p++;
    return true;
}

static bool expect_ch(struct cur *c, char ch)
{
    if (accept_ch(c, ch))
        return true;
    return fail(c, "expected '%c'", ch);
}

static bool accept_str(struct cur *c, const char *s)
{
    size_t n = strlen(s);

    skip_ws(c);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n) != 0)
        return false;
    c->p += n;
    return true;
}

/* An identifier [A-Za-z_][A-Za-z0-9_]* into buf; false when none. */
static bool ident(struct cur *c, char *buf, size_t n)
{
    size_t k = 0;

    skip_ws(c);
    if (c->p >= c->end || !(isalpha((unsigned char)*c->p) || *c->p == '_'))
        return false;
    while (c->p < c->end && (isalnum((unsigned char)*c->p) || *c->p == '_')) {
        if (k + 1 >= n)
            return fail(c, "name too long");
        buf[k++] = *c->p++;
    }
    buf[k] = 0;
    return true;
}

/* An unsigned decimal or 0x number up to max. */
static bool number(struct cur *c, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    int base = 10, digits = 0;

    skip_ws(c);
    if (c->end - c->p > 2 && c->p[0] == '0' && (c->p[1] == 'x' || c->p[1] == 'X')) {
        base = 16;
        c->p += 2;
    }
    while (c->p < c->end && isxdigit((unsigned char)*c->p)) {
        int d = isdigit((unsigned char)*c->p) ? *c->p - '0' : (tolower((unsigned char)*c->p) - 'a' + 10);

        if (d >= base)
            break;
        if (v > (max - (uint64_t)d) / (uint64_t)base)
            return fail(c, "number too large (max %llu)", (unsigned long long)max);
        v = v * (uint64_t)base + (uint64_t)d;
        c->p++;
        digits++;
    }
    if (!digits)
        return fail(c, "expected a number");
    *out = v;
    return true;
}

static bool u32(struct cur *c, uint32_t *out)
{
    uint64_t v;

    if (!number(c, UINT32_MAX, &v))
        return false;
    *out = (uint32_t)v;
    return true;
}

/* Seconds with up to 9 decimals ("1", "0.250", ".1") into ns; at most 10^6 s. */
static bool seconds(struct cur *c, int64_t *ns)
{
    uint64_t whole = 0, frac = 0, scale = 1000000000ULL;
    bool any = false;

    skip_ws(c);
    if (c->p < c->end && isdigit((unsigned char)*c->p)) {
        if (!number(c, 1000000, &whole))
            return false;
        any = true;
    }
    if (c->p < c->end && *c->p == '.' && !(c->end - c->p >= 3 && c->p[1] == '.' && c->p[2] == '.')) {
        c->p++;
        while (c->p < c->end && isdigit((unsigned char)*c->p)) {
            if (scale > 1) {
                scale /= 10;
                frac += (uint64_t)(*c->p - '0') * scale;
            }
            c->p++;
            any = true;
        }
    }
    if (!any)
        return fail(c, "expected a time in seconds");
    *ns = (int64_t)(whole * 1000000000ULL + frac);
    return true;
}

static bool ptime(struct cur *c, struct pd_time *t)
{
    t->rel = accept_ch(c, '+');
    if (!t->rel && accept_ch(c, '*')) {
        t->ns = PD_TIME_ANY;
        return true;
    }
    if (!seconds(c, &t->ns))
        return false;
    if (accept_ch(c, '~')) {
        if (!seconds(c, &t->max_ns))
            return false;
        if (t->max_ns <= t->ns)
            return fail(c, "A~B needs B > A");
    }
    return true;
}

/* --- symbols ----------------------------------------------------------------------------- */

struct sym {
    const char *name;
    int64_t v;
};

static const struct sym syms[] = {
    {"AF_INET", 2}, {"SOCK_STREAM", 1}, {"SOCK_NONBLOCK", 04000}, {"SOCK_CLOEXEC", 02000000},
    {"IPPROTO_TCP", 6}, {"IPPROTO_IP", 0}, {"SOL_SOCKET", 1}, {"SOL_TCP", 6},
    {"SO_REUSEADDR", 2}, {"SO_ERROR", 4}, {"SO_SNDBUF", 7}, {"SO_RCVBUF", 8},
    {"SO_KEEPALIVE", 9}, {"SO_OOBINLINE", 10}, {"SO_LINGER", 13}, {"SO_ACCEPTCONN", 30},
    {"TCP_NODELAY", 1}, {"TCP_MAXSEG", 2}, {"TCP_KEEPIDLE", 4}, {"TCP_KEEPINTVL", 5},
    {"TCP_KEEPCNT", 6}, {"TCP_USER_TIMEOUT", 18}, {"IP_TOS", 1}, {"IP_TTL", 2},
    {"O_RDONLY", 0}, {"O_WRONLY", 1}, {"O_RDWR", 2}, {"O_NONBLOCK", 04000},
    {"F_GETFL", 3}, {"F_SETFL", 4}, {"POLLIN", 1}, {"POLLPRI", 2}, {"POLLOUT", 4},
    {"POLLERR", 8}, {"POLLHUP", 16}, {"POLLNVAL", 32}, {"POLLRDNORM", 0x40},
    {"POLLWRNORM", 0x100}, {"POLLRDHUP", 0x2000}, {"SHUT_RD", 0}, {"SHUT_WR", 1},
    {"SHUT_RDWR", 2}, {"MSG_OOB", 1}, {"MSG_PEEK", 2}, {"MSG_DONTWAIT", 0x40},
    {"MSG_WAITALL", 0x100}, {"MSG_NOSIGNAL", 0x4000},
    /* addresses for bind/connect (host order): "..." is the usual one */
    {"ANY_IP", 0}, {"LOCAL_IP", PD_LOCAL_IP}, {"REMOTE_IP", PD_REMOTE_IP},
    {"BCAST_IP", 0xc0a800ffLL}, {"MCAST_IP", 0xe0000001LL}, {"ALLONES_IP", 0xffffffffLL},
    {NULL, 0}};

static const struct sym errnos[] = {
    {"EPERM", 1}, {"ENOENT", 2}, {"EINTR", 4}, {"EBADF", 9}, {"EAGAIN", 11},
    {"EWOULDBLOCK", 11}, {"ENOMEM", 12}, {"EACCES", 13}, {"EFAULT", 14}, {"EINVAL", 22},
    {"EPIPE", 32}, {"ENOTSOCK", 88}, {"EDESTADDRREQ", 89}, {"EMSGSIZE", 90},
    {"ENOPROTOOPT", 92}, {"EOPNOTSUPP", 95}, {"EAFNOSUPPORT", 97}, {"EADDRINUSE", 98},
    {"EADDRNOTAVAIL", 99}, {"ENETUNREACH", 101}, {"ECONNABORTED", 103}, {"ECONNRESET", 104},
    {"EISCONN", 106}, {"ENOTCONN", 107}, {"ETIMEDOUT", 110}, {"ECONNREFUSED", 111},
    {"EHOSTUNREACH", 113}, {"EALREADY", 114}, {"EINPROGRESS", 115}, {NULL, 0}};

int pd_errno_by_name(const char *name)
{
    for (const struct sym *s = errnos; s->name; s++) {
        if (strcmp(s->name, name) == 0)
            return (int)s->v;
    }
    return 0;
}

const char *pd_errno_name(int e)
{
    for (const struct sym *s = errnos; s->name; s++) {
        if (s->v == e)
            return s->name;
    }
    return "E?";
}

/* INT | SYM | errno name, joined with '|'. */
static bool expr(struct cur *c, int64_t *out)
{
    int64_t v = 0;

    do {
        char name[32];
        bool neg = accept_ch(c, '-');

        if (ident(c, name, sizeof(name))) {
            const struct sym *s;
            int e;

            for (s = syms; s->name && strcmp(s->name, name) != 0; s++)
                ;
            if (s->name)
                v |= neg ? -s->v : s->v;
            else if ((e = pd_errno_by_name(name)) != 0)
                v |= neg ? -e : e;
            else
                return fail(c, "unknown name '%s'", name);
        } else {
            uint64_t n;

            if (c->failed || !number(c, INT64_MAX, &n))
                return false;
            v |= neg ? -(int64_t)n : (int64_t)n;
        }
    } while (accept_ch(c, '|'));
    *out = v;
    return true;
}

/* --- syscalls ---------------------------------------------------------------------------- */

static bool poll_entry(struct cur *c, struct pd_arg *a)
{
    if (a->n == PD_MAX_POLL)
        return fail(c, "at most %d pollfds", PD_MAX_POLL);
    a->poll[a->n].fd = a->poll[a->n].events = a->poll[a->n].revents = 0;
    do {
        char key[16];
        int64_t v;

        if (!ident(c, key, sizeof(key)))
            return fail(c, "expected fd=, events= or revents=");
        if (!expect_ch(c, '=') || !expr(c, &v))
            return false;
        if (strcmp(key, "fd") == 0)
            a->poll[a->n].fd = v;
        else if (strcmp(key, "events") == 0)
            a->poll[a->n].events = v;
        else if (strcmp(key, "revents") == 0)
            a->poll[a->n].revents = v;
        else
            return fail(c, "unknown pollfd field '%s'", key);
    } while (accept_ch(c, ','));
    a->n++;
    return expect_ch(c, '}');
}

static bool brace(struct cur *c, struct pd_arg *a)
{
    a->kind = PD_A_BRACE;
    do {
        char key[16];
        const char *save = c->p;

        if (a->n == 2)
            return fail(c, "at most two values in { }");
        if (ident(c, key, sizeof(key)) && accept_ch(c, '=')) {
            /* {onoff=1, linger=0}: names are documentation, order is what counts */
        } else {
            c->p = save;
        }
        if (!expr(c, &a->list[a->n]))
            return false;
        a->n++;
    } while (accept_ch(c, ','));
    return expect_ch(c, '}');
}

static bool arg(struct cur *c, struct pd_arg *a)
{
    memset(a, 0, sizeof(*a));
    if (accept_str(c, "...")) {
        a->kind = PD_A_ELLIPSIS;
        return true;
    }
    if (accept_ch(c, '{'))
        return brace(c, a);
    if (accept_ch(c, '[')) {
        if (accept_ch(c, '{')) {
            a->kind = PD_A_POLL;
            do {
                if (a->n && !expect_ch(c, '{'))
                    return false;
                if (!poll_entry(c, a))
                    return false;
            } while (accept_ch(c, ','));
            return expect_ch(c, ']');
        }
        a->kind = PD_A_BRACKET;
        return expr(c, &a->v) && expect_ch(c, ']');
    }
    a->kind = PD_A_INT;
    return expr(c, &a->v);
}

static bool call(struct cur *c, struct pd_call *k)
{
    int64_t r;

    if (!ident(c, k->name, sizeof(k->name)))
        return fail(c, "expected <, >, quiet or a syscall");
    if (!expect_ch(c, '('))
        return false;
    if (!accept_ch(c, ')')) {
        do {
            if (k->nargs == PD_MAX_ARGS)
                return fail(c, "too many arguments");
            if (!arg(c, &k->args[k->nargs++]))
                return false;
        } while (accept_ch(c, ','));
        if (!expect_ch(c, ')'))
            return false;
    }
    if (!expect_ch(c, '=') || !expr(c, &r))
        return false;
    k->ret = r;
    if (r == -1) {
        char name[32];

        if (!ident(c, name, sizeof(name)) || !(k->err = pd_errno_by_name(name)))
            return fail(c, "a -1 result needs an errno name");
    }
    if (accept_ch(c, '(')) { /* a comment: (Connection refused) */
        while (c->p < c->end && *c->p != ')')
            c->p++;
        if (!expect_ch(c, ')'))
            return false;
    }
    return true;
}

/* --- segments ---------------------------------------------------------------------------- */

static bool flags(struct cur *c, struct pd_seg *s)
{
    bool any = false;

    skip_ws(c);
    while (c->p < c->end && !isspace((unsigned char)*c->p)) {
        switch (*c->p) {
        case 'S': s->flags |= PD_SYN; break;
        case 'F': s->flags |= PD_FIN; break;
        case 'R': s->flags |= PD_RST; break;
        case 'P': s->flags |= PD_PSH; break;
        case 'p': s->any_flags |= PD_PSH; break;
        case 'a': s->any_flags |= PD_ACK; break;
        case '.': s->flags |= PD_ACK; break;
        case 'U': s->flags |= PD_URG; break;
        case 'E': s->flags |= PD_ECE; break;
        case 'W': s->flags |= PD_CWR; break;
        default: return fail(c, "unknown flag '%c'", *c->p);
        }
        any = true;
        c->p++;
    }
    return any ? true : fail(c, "expected flags");
}

static bool hexbytes(struct cur *c, struct pd_opt *o)
{
    skip_ws(c);
    if (c->end - c->p < 2 || c->p[0] != '0' || (c->p[1] != 'x' && c->p[1] != 'X'))
        return fail(c, "raw wants 0x<hex bytes>");
    c->p += 2;
    while (c->end - c->p >= 2 && isxdigit((unsigned char)c->p[0]) &&
           isxdigit((unsigned char)c->p[1])) {
        char b[3] = {c->p[0], c->p[1], 0};

        if (o->nraw == PD_MAX_RAW)
            return fail(c, "raw option longer than %d bytes", PD_MAX_RAW);
        o->raw[o->nraw++] = (uint8_t)strtoul(b, NULL, 16);
        c->p += 2;
    }
    if (!o->nraw || (c->p < c->end && isxdigit((unsigned char)*c->p)))
        return fail(c, "raw wants an even number of hex digits");
    return true;
}

static bool val_or_any(struct cur *c, uint32_t *v, bool *any)
{
    if (accept_ch(c, '*')) {
        *any = true;
        return true;
    }
    return u32(c, v);
}

static bool option(struct cur *c, struct pd_opt *o)
{
    char name[16];

    memset(o, 0, sizeof(*o));
    if (!ident(c, name, sizeof(name)))
        return fail(c, "expected a TCP option");
    if (strcmp(name, "nop") == 0) {
        o->kind = PD_O_NOP;
    } else if (strcmp(name, "eol") == 0) {
        o->kind = PD_O_EOL;
    } else if (strcmp(name, "sackOK") == 0) {
        o->kind = PD_O_SACKOK;
    } else if (strcmp(name, "mss") == 0) {
        o->kind = PD_O_MSS;
        return val_or_any(c, &o->a, &o->a_any) && (o->a_any || o->a <= 0xffff || fail(c, "mss > 65535"));
    } else if (strcmp(name, "wscale") == 0) {
        o->kind = PD_O_WSCALE;
        return val_or_any(c, &o->a, &o->a_any) && (o->a_any || o->a <= 255 || fail(c, "wscale > 255"));
    } else if (strcmp(name, "TS") == 0) {
        o->kind = PD_O_TS;
        return accept_str(c, "val") ? (val_or_any(c, &o->a, &o->a_any) && accept_str(c, "ecr") &&
                                       val_or_any(c, &o->b, &o->b_any)) || fail(c, "TS val N ecr N")
                                    : fail(c, "TS val N ecr N");
    } else if (strcmp(name, "sack") == 0) {
        o->kind = PD_O_SACK;
        return u32(c, &o->a) && expect_ch(c, ':') && u32(c, &o->b);
    } else if (strcmp(name, "raw") == 0) {
        o->kind = PD_O_RAW;
        return hexbytes(c, o);
    } else {
        return fail(c, "unknown option '%s'", name);
    }
    return true;
}

static bool options(struct cur *c, struct pd_seg *s)
{
    if (accept_str(c, "...")) {
        s->opts_mode = PD_OPTS_ANY;
        return expect_ch(c, '>');
    }
    s->opts_mode = PD_OPTS_EXACT;
    do {
        if (accept_str(c, "...")) {
            s->opts_mode = PD_OPTS_SOME;
            break;
        }
        if (s->nopts == PD_MAX_OPTS)
            return fail(c, "at most %d options", PD_MAX_OPTS);
        if (!option(c, &s->opts[s->nopts++]))
            return false;
    } while (accept_ch(c, ','));
    return expect_ch(c, '>');
}

static bool ipv4(struct cur *c, uint32_t *ip)
{
    uint64_t b;

    *ip = 0;
    for (int i = 0; i < 4; i++) {
        if ((i && !expect_ch(c, '.')) || !number(c, 255, &b))
            return false;
        *ip = *ip << 8 | (uint32_t)b;
    }
    return true;
}

/* icmp TYPE CODE [seq N]: an ICMP error about the connection (its quoted seq: N, default 1). */
static bool icmp(struct cur *c, struct pd_seg *s)
{
    uint64_t v;

    s->icmp = true;
    s->seq = 1;
    if (!number(c, 255, &v))
        return false;
    s->icmp_type = (uint8_t)v;
    if (!number(c, 255, &v))
        return false;
    s->icmp_code = (uint8_t)v;
    if (accept_str(c, "seq") && !u32(c, &s->seq))
        return false;
    return true;
}

/* One field after seq:end(len): ack, win, urg, <options>, badsum, ttl, tos, src, dst, ipopts. */
static bool seg_field(struct cur *c, struct pd_seg *s)
{
    uint64_t v;

    if (accept_ch(c, '<'))
        return s->opts_mode == PD_OPTS_NONE ? options(c, s) : fail(c, "two option lists");
    if (accept_str(c, "ack")) {
        s->has_ack = true;
        return u32(c, &s->ack);
    }
    if (accept_str(c, "win") || accept_str(c, "urg")) {
        bool win = c->p[-1] == 'n';

        if (!number(c, 0xffff, &v))
            return false;
        *(win ? &s->win : &s->urg) = (uint32_t)v;
        *(win ? &s->has_win : &s->has_urg) = true;
        return true;
    }
    if (accept_str(c, "badsum"))
        return s->bad_csum = true;
    if (accept_str(c, "ipopts"))
        return s->ip_opts = true;
    if (accept_str(c, "ttl") || accept_str(c, "tos")) {
        bool ttl = c->p[-1] == 'l';

        if (!number(c, 255, &v))
            return false;
        if (ttl)
            s->ttl = v ? (int)v : 256; /* 256: TTL 0 on the wire */
        else
            s->tos = (int)v + 1;
        return true;
    }
    if (accept_str(c, "src"))
        return ipv4(c, &s->src);
    if (accept_str(c, "dst"))
        return ipv4(c, &s->dst);
    return fail(c, "unexpected '%.20s'", c->p);
}

static bool segment(struct cur *c, struct pd_seg *s)
{
    uint32_t end;

    if (!flags(c, s) || !u32(c, &s->seq) || !expect_ch(c, ':') || !u32(c, &end) ||
        !expect_ch(c, '(') || !u32(c, &s->len) || !expect_ch(c, ')'))
        return false;
    if (end - s->seq != s->len)
        return fail(c, "%u:%u is not %u bytes", s->seq, end, s->len);
    if (s->len > 1400)
        return fail(c, "payload over 1400 bytes");
    while (!at_end(c) && !peek(c, '|')) {
        if (!seg_field(c, s))
            return false;
    }
    return true;
}

/* --- lines ------------------------------------------------------------------------------- */

static bool directive(struct cur *c, struct pd_script *s)
{
    char name[32];
    uint64_t v;

    if (!ident(c, name, sizeof(name)))
        return fail(c, "expected a directive name");
    if (strcmp(name, "tolerance_ms") == 0) {
        if (!number(c, 100000, &v))
            return false;
        s->tolerance_ns = (int64_t)v * 1000000;
        return true;
    }
    if (strcmp(name, "linux_sysctl") == 0) {
        size_t k = 0;
        char *path = s->sysctl[s->nsysctl].path;

        if (s->nsysctl == 4)
            return fail(c, "at most 4 sysctls");
        skip_ws(c);
        while (c->p < c->end && (isalnum((unsigned char)*c->p) || *c->p == '_' || *c->p == '/')) {
            if (k + 1 >= sizeof(s->sysctl[0].path))
                return fail(c, "sysctl name too long");
            path[k++] = *c->p++;
        }
        path[k] = 0;
        if (k < 5 || strncmp(path, "net/", 4) != 0)
            return fail(c, "a sysctl under net/");
        if (!number(c, 1000000, &v))
            return false;
        s->sysctl[s->nsysctl++].value = (long)v;
        return true;
    }
    if (strcmp(name, "long") == 0) {
        s->long_running = true;
        return true;
    }
    return fail(c, "unknown directive '%s'", name);
}

static bool out_checks(struct cur *c, const struct pd_seg *s)
{
    if (s->bad_csum || s->src || s->dst || s->ip_opts)
        return fail(c, "badsum/src/dst/ipopts are for inbound segments");
    for (unsigned i = 0; i < s->nopts; i++) {
        if (s->opts[i].kind == PD_O_RAW)
            return fail(c, "raw options are for inbound segments");
    }
    return true;
}

static bool body(struct cur *c, struct pd_event *e)
{
    if (accept_ch(c, '<')) {
        e->kind = PD_EV_IN;
        if (e->t.ns == PD_TIME_ANY)
            return fail(c, "an inbound segment needs a time");
        if (accept_str(c, "icmp"))
            return icmp(c, &e->seg);
        return segment(c, &e->seg);
    }
    if (accept_ch(c, '>')) {
        e->kind = PD_EV_OUT;
        e->seg.optional = c->p < c->end && *c->p == '?';
        e->seg.repeat = c->p < c->end && *c->p == '*';
        c->p += e->seg.optional || e->seg.repeat;
        if (!segment(c, &e->seg) || !out_checks(c, &e->seg))
            return false;
        if (accept_ch(c, '|')) {
            e->has_alt = true;
            if (!segment(c, &e->alt) || !out_checks(c, &e->alt))
                return false;
        }
        return true;
    }

    if (accept_str(c, "quiet")) {
        e->kind = PD_EV_QUIET;
        return true;
    }
    e->kind = PD_EV_CALL;
    if (e->t.ns == PD_TIME_ANY)
        return fail(c, "a syscall needs a time");
    return call(c, &e->call);
}

static bool line(struct cur *c, struct pd_script *s)
{
    struct pd_event *e;

    if (at_end(c))
        return true;
    if (accept_ch(c, '%'))
        return directive(c, s) && (at_end(c) || fail(c, "junk after directive"));
    if (s->nev == s->cap) {
        unsigned cap = s->cap ? s->cap * 2 : 32;
        struct pd_event *n;

        if (cap > 100000)
            return fail(c, "script too long");
        n = realloc(s->ev, cap * sizeof(*n));
        if (!n)
            return fail(c, "out of memory");
        s->ev = n;
        s->cap = cap;
    }
    e = &s->ev[s->nev];
    memset(e, 0, sizeof(*e));
    e->line = c->line;
    if (!ptime(c, &e->t))
        return false;
    if (accept_str(c, "...")) {
        e->has_end = true;
        if (e->t.ns == PD_TIME_ANY || !ptime(c, &e->end) || e->end.ns == PD_TIME_ANY)
            return fail(c, "start...end needs two times");
    }
    if (!body(c, e))
        return false;
    if (e->has_end && e->kind != PD_EV_CALL)
        return fail(c, "start...end is for syscalls");
    if ((e->t.max_ns || e->end.max_ns) && e->kind != PD_EV_OUT)
        return fail(c, "A~B is for expected segments");
    if (!at_end(c))
        return fail(c, "unexpected '%.20s'", c->p);
    s->nev++;
    return true;
}

/* The end of the line's text without its comment (// or #). */
static const char *line_end(const char *p, const char **next)
{
    const char *nl = strchr(p, '\n'), *e = nl ? nl : p + strlen(p);

    *next = nl ? nl + 1 : e;
    for (const char *q = p; q < e; q++) {
        if (*q == '#' || (*q == '/' && q + 1 < e && q[1] == '/'))
            return q;
    }
    return e;
}

int pd_parse(const char *text, struct pd_script *s, char *err, size_t errlen)
{
    struct cur c = {.err = err, .errlen = errlen};
    const char *p = text, *next;

    memset(s, 0, sizeof(*s));
    if (errlen)
        err[0] = 0;
    while (*p) {
        c.line++;
        c.end = line_end(p, &next);
        c.p = p;
        if (!line(&c, s))
            return -1;
        p = next;
    }
    if (!s->nev) {
        c.line = 0;
        fail(&c, "empty script");
        return -1;
    }
    return 0;
}

void pd_script_free(struct pd_script *s)
{
    free(s->ev);
    s->ev = NULL;
    s->nev = s->cap = 0;
}

int pd_parse_file(const char *path, struct pd_script *s, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    char *text;
    long n;
    int rc;

    memset(s, 0, sizeof(*s));
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || n > (1 << 20) ||
        fseek(f, 0, SEEK_SET) != 0 || !(text = calloc(1, (size_t)n + 1)) ||
        fread(text, 1, (size_t)n, f) != (size_t)n) {
        snprintf(err, errlen, "%s: cannot read (or over 1 MiB)", path);
        fclose(f);
        return -1;
    }
    fclose(f);
    if (memchr(text, 0, (size_t)n)) {
        snprintf(err, errlen, "%s: NUL byte in the script", path);
        free(text);
        return -1;
    }
    rc = pd_parse(text, s, err, errlen);
    free(text);
    s->name = path;
    return rc;
}
