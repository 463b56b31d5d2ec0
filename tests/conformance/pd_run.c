/*
 * pd_run.c - the script interpreter, over a backend (pd.h).
 *
 * Lines run in order at their times. Before every line that is not an expected segment the
 * runner checks that the stack sent nothing unexpected; an expected segment waits for the
 * next outbound one until its time plus the tolerance and must match field by field, and not
 * come earlier than its time minus the tolerance. A syscall without "start...end" must return
 * within the tolerance; with it, it runs in the application thread while the next lines go
 * on, and its result and return time are checked when it returns (or at the script's end).
 * Relative times ("+0.1") count from the previous line's actual time, as packetdrill does.
 *
 * Syscall arguments are built in the application's memory (backend put/get): "..." is the
 * runner's sockaddr for bind (0.0.0.0:8080) and connect (192.168.0.2:40000), buffers for
 * accept; write(fd, ..., n) sends n pd_pattern() bytes continuing the fd's stream and
 * read(fd, ..., n) checks what it got against it.
 */
#include "tests/conformance/pd.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define U_ADDR 0
#define U_LEN 64
#define U_OPT 128
#define U_POLL 256
#define U_DATA 4096
#define MAX_IO (PD_UBUF_SIZE - U_DATA)
#define MAX_FD 256
#define ANY_WAIT_NS 130000000000LL /* "*" waits at most this long */

enum { NR_read = 0, NR_write = 1, NR_close = 3, NR_poll = 7, NR_socket = 41, NR_connect = 42,
       NR_sendto = 44, NR_recvfrom = 45, NR_shutdown = 48, NR_bind = 49, NR_listen = 50,
       NR_setsockopt = 54, NR_getsockopt = 55, NR_fcntl = 72, NR_accept4 = 288 };

struct run {
    const struct pd_script *s;
    const struct pd_backend *b;
    struct pd_conn conn;
    uint64_t start, prev;
    int64_t tol;
    const struct pd_event *pending; /* a start...end call in flight */
    uint64_t pending_start;
    uint64_t rx_off[MAX_FD], tx_off[MAX_FD];
    uint8_t pkt[2048];
    const struct pd_seg *ignore; /* a ">*" line: segments like it are let through */
    uint8_t held[2048]; /* an outbound packet an optional line did not take */
    size_t held_len;
    uint64_t held_t;
    uint8_t data[MAX_IO];
};

static double secs(const struct run *r, uint64_t t)
{
    return (double)(int64_t)(t - r->start) / 1e9;
}

static int failf(const struct run *r, const struct pd_event *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int failf(const struct run *r, const struct pd_event *e, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s:%d: FAIL (%s, at %.6f s): ", r->s->name ? r->s->name : "script",
            e ? e->line : 0, r->b->name, secs(r, r->b->now()));
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

static uint64_t when(const struct run *r, const struct pd_time *t, uint64_t base)
{
    return (t->rel ? base : r->start) + (uint64_t)t->ns;
}

static size_t next_out_raw(struct run *r, uint64_t deadline, uint64_t *t)
{
    size_t n = r->held_len;

    if (n) {
        memcpy(r->pkt, r->held, n);
        *t = r->held_t;
        r->held_len = 0;
        return n;
    }
    return r->b->next_out(r->pkt, sizeof(r->pkt), deadline, t);
}

/* The next outbound packet into r->pkt (the held one first) that a ">*" line does not let
 * through; its length, 0 for none by deadline. */
static size_t next_out(struct run *r, uint64_t deadline, uint64_t *t)
{
    for (;;) {
        size_t n = next_out_raw(r, deadline, t);
        struct pd_wire w;
        char why[128];

        if (!n || !r->ignore || !pd_decode(r->pkt, n, &w) ||
            !pd_match(r->ignore, &w, &r->conn, why, sizeof(why)))
            return n;
    }
}

/* Anything the stack sent that no line expected fails the script. */
static int check_quiet(struct run *r, const struct pd_event *e)
{
    uint64_t t;
    size_t n = next_out(r, r->b->now(), &t);
    struct pd_wire w;
    char buf[512];

    if (!n)
        return 0;
    if (!pd_decode(r->pkt, n, &w))
        return failf(r, e, "unexpected undecodable outbound packet (%zu bytes)", n);
    pd_learn(&r->conn, &w);
    pd_wire_str(&w, &r->conn, buf, sizeof(buf));
    return failf(r, e, "unexpected outbound segment at %.6f s:\n  actual:   %s", secs(r, t), buf);
}

static int do_out(struct run *r, const struct pd_event *e)
{
    bool any = e->t.ns == PD_TIME_ANY;
    uint64_t target = any ? 0 : when(r, &e->t, r->prev), t;
    uint64_t late = e->t.max_ns ? when(r, &(struct pd_time){e->t.max_ns, e->t.rel, 0}, r->prev)
                                : target; /* "A~B": from A to B */
    uint64_t deadline = any ? r->b->now() + ANY_WAIT_NS : late + (uint64_t)r->tol;
    char exp[512], act[512], why[128];
    struct pd_wire w;
    size_t n;

    pd_seg_str(&e->seg, exp, sizeof(exp));
    if (e->has_alt) {
        size_t k = strlen(exp);

        snprintf(exp + k, sizeof(exp) - k, " | ");
        k = strlen(exp);
        pd_seg_str(&e->alt, exp + k, sizeof(exp) - k);
    }
    if (e->seg.repeat) {
        r->ignore = &e->seg;
        return 0;
    }
    if (!e->seg.optional)
        r->ignore = NULL;
    n = next_out(r, deadline, &t);
    if (!n && e->seg.optional)
        return 0;
    if (!n)
        return failf(r, e, "expected outbound segment not sent by %.6f s:\n  expected: %s",
                     secs(r, deadline), exp);
    if (!pd_decode(r->pkt, n, &w))
        return failf(r, e, "undecodable outbound packet (%zu bytes)", n);
    if (e->seg.optional && !pd_match(&e->seg, &w, &r->conn, why, sizeof(why))) {
        memcpy(r->held, r->pkt, n); /* not this one: the next line's */
        r->held_len = n;
        r->held_t = t;
        return 0;
    }
    pd_learn(&r->conn, &w);
    pd_wire_str(&w, &r->conn, act, sizeof(act));
    if (!any && (int64_t)(t - target) < -r->tol)
        return failf(r, e, "outbound segment too early: sent at %.6f s, expected at %.6f s\n"
                     "  expected: %s\n  actual:   %s", secs(r, t), secs(r, target), exp, act);
    if (!pd_match(&e->seg, &w, &r->conn, why, sizeof(why)) &&
        (!e->has_alt || !pd_match(&e->alt, &w, &r->conn, why, sizeof(why))))
        return failf(r, e, "outbound segment mismatch (%s), sent at %.6f s:\n  expected: %s\n"
                     "  actual:   %s", why, secs(r, t), exp, act);
    r->prev = t;
    return 0;
}

static int do_in(struct run *r, const struct pd_event *e)
{
    size_t n = pd_build(&e->seg, &r->conn, r->pkt, sizeof(r->pkt));
    int rc;

    if (!n)
        return failf(r, e, "segment too large");
    rc = r->b->inject(r->pkt, n);
    return rc ? failf(r, e, "inject failed (%d)", rc) : 0;
}

/* --- syscalls ---------------------------------------------------------------------------- */

static void put_sockaddr(struct run *r, uint32_t ip, uint16_t port)
{
    uint8_t sa[16] = {2, 0, (uint8_t)(port >> 8), (uint8_t)port, (uint8_t)(ip >> 24),
                      (uint8_t)(ip >> 16), (uint8_t)(ip >> 8), (uint8_t)ip};

    r->b->put(r->b->ubuf + U_ADDR, sa, sizeof(sa));
}

static uint64_t U(const struct run *r, uint64_t off)
{
    return r->b->ubuf + off;
}

static int need(struct run *r, const struct pd_event *e, unsigned min, unsigned max)
{
    if (e->call.nargs < min || e->call.nargs > max)
        return failf(r, e, "%s takes %u..%u arguments", e->call.name, min, max);
    for (unsigned i = 0; i < e->call.nargs; i++) {
        if (e->call.args[i].kind == PD_A_POLL && strcmp(e->call.name, "poll") != 0)
            return failf(r, e, "argument %u: a pollfd list outside poll", i + 1);
    }
    return 0;
}

static int64_t ival(const struct pd_arg *a)
{
    return a->kind == PD_A_INT || a->kind == PD_A_BRACKET ? a->v : 0;
}

static int marshal_io(struct run *r, const struct pd_event *e, uint64_t a[6], bool wr)
{
    const struct pd_call *k = &e->call;
    int64_t fd = ival(&k->args[0]), len = ival(&k->args[2]);

    if (len < 0 || len > MAX_IO)
        return failf(r, e, "length must be 0..%d", MAX_IO);
    if (wr) {
        uint64_t off = fd >= 0 && fd < MAX_FD ? r->tx_off[fd] : 0;

        for (int64_t i = 0; i < len; i++)
            r->data[i] = pd_pattern(off + (uint64_t)i);
        r->b->put(U(r, U_DATA), r->data, (size_t)len);
    }
    a[0] = (uint64_t)fd;
    a[1] = U(r, U_DATA);
    a[2] = (uint64_t)len;
    a[3] = k->nargs > 3 ? (uint64_t)ival(&k->args[3]) : 0;
    return 0;
}

static int marshal_poll(struct run *r, const struct pd_event *e, uint64_t a[6])
{
    const struct pd_arg *p = &e->call.args[0];
    uint8_t buf[8 * PD_MAX_POLL];

    if (p->kind != PD_A_POLL)
        return failf(r, e, "poll wants [{fd=N, events=..., revents=...}, ...]");
    memset(buf, 0, sizeof(buf));
    for (unsigned i = 0; i < p->n; i++) {
        int32_t fd = (int32_t)p->poll[i].fd;
        int16_t ev = (int16_t)p->poll[i].events;

        memcpy(buf + 8 * i, &fd, 4);
        memcpy(buf + 8 * i + 4, &ev, 2);
    }
    r->b->put(U(r, U_POLL), buf, sizeof(buf));
    a[0] = U(r, U_POLL);
    a[1] = (uint64_t)ival(&e->call.args[1]);
    a[2] = (uint64_t)ival(&e->call.args[2]);
    return 0;
}

static int marshal_sockopt(struct run *r, const struct pd_event *e, uint64_t a[6], bool set)
{
    const struct pd_call *k = &e->call;
    const struct pd_arg *v = &k->args[3], *l = &k->args[4];
    int32_t val[2] = {0, 0};
    uint32_t len = v->kind == PD_A_BRACE ? 8 : 4;

    if (v->kind == PD_A_BRACE) {
        val[0] = (int32_t)v->list[0];
        val[1] = (int32_t)v->list[1];
    } else if (set) {
        val[0] = (int32_t)ival(v);
    }
    if (l->kind == PD_A_INT || l->kind == PD_A_BRACKET)
        len = (uint32_t)l->v;
    if (len > 64)
        return failf(r, e, "option length over 64");
    r->b->put(U(r, U_OPT), val, sizeof(val));
    r->b->put(U(r, U_LEN), &len, 4);
    for (int i = 0; i < 3; i++)
        a[i] = (uint64_t)ival(&k->args[i]);
    a[3] = U(r, U_OPT);
    a[4] = set ? len : U(r, U_LEN);
    return 0;
}

/* bind/connect: "..." is the runner's address, a number (LOCAL_IP, ...) the given one. */
static int marshal_addr(struct run *r, const struct pd_event *e, uint64_t a[6], bool bind)
{
    const struct pd_call *k = &e->call;

    if (need(r, e, 3, 3))
        return -1;
    put_sockaddr(r, k->args[1].kind == PD_A_INT ? (uint32_t)k->args[1].v : bind ? 0 : PD_REMOTE_IP,
                 bind ? PD_LOCAL_PORT : PD_REMOTE_PORT);
    a[1] = U(r, U_ADDR);
    a[2] = k->args[2].kind == PD_A_ELLIPSIS ? 16 : a[2];
    return 0;
}

static int marshal_accept(struct run *r, const struct pd_event *e, uint64_t a[6])
{
    uint32_t len16 = 16;
    bool addr = e->call.args[1].kind == PD_A_ELLIPSIS;

    if (need(r, e, 3, 4))
        return -1;
    r->b->put(U(r, U_LEN), &len16, 4);
    a[1] = addr ? U(r, U_ADDR) : 0;
    a[2] = addr ? U(r, U_LEN) : 0;
    return 0;
}

/* read/write/recv/send */
static int marshal_rw(struct run *r, const struct pd_event *e, uint64_t *nr, uint64_t a[6])
{
    const char *n = e->call.name;
    bool wr = n[0] == 'w' || n[0] == 's', flags = n[0] == 's' || n[2] == 'c';

    *nr = n[0] == 'w' ? NR_write : n[0] == 'r' && !flags ? NR_read : wr ? NR_sendto : NR_recvfrom;
    if (need(r, e, flags ? 4 : 3, flags ? 4 : 3))
        return -1;
    return marshal_io(r, e, a, wr);
}

static const struct {
    const char *name;
    uint64_t nr;
    unsigned min, max; /* argument counts of the calls marshalled here */
} simple[] = {{"socket", NR_socket, 3, 3},   {"listen", NR_listen, 2, 2},
              {"shutdown", NR_shutdown, 2, 2}, {"close", NR_close, 1, 1},
              {"fcntl", NR_fcntl, 2, 3}};

/* The syscall number and arguments of a call line; -1 when the line is wrong. */
static int marshal(struct run *r, const struct pd_event *e, uint64_t *nr, uint64_t a[6])
{
    const char *n = e->call.name;

    memset(a, 0, 6 * sizeof(a[0]));
    for (unsigned i = 0; i < e->call.nargs; i++)
        a[i] = (uint64_t)ival(&e->call.args[i]);
    for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
        if (!strcmp(n, simple[i].name)) {
            *nr = simple[i].nr;
            return need(r, e, simple[i].min, simple[i].max);
        }
    }
    if (!strcmp(n, "bind") || !strcmp(n, "connect")) {
        *nr = n[0] == 'b' ? NR_bind : NR_connect;
        return marshal_addr(r, e, a, n[0] == 'b');
    }
    if (!strcmp(n, "accept") || !strcmp(n, "accept4")) {
        *nr = NR_accept4;
        return marshal_accept(r, e, a);
    }
    if (!strcmp(n, "write") || !strcmp(n, "read") || !strcmp(n, "send") || !strcmp(n, "recv"))
        return marshal_rw(r, e, nr, a);
    if (!strcmp(n, "setsockopt") || !strcmp(n, "getsockopt")) {
        *nr = n[0] == 's' ? NR_setsockopt : NR_getsockopt;
        return need(r, e, 5, 5) ? -1 : marshal_sockopt(r, e, a, n[0] == 's');
    }
    if (!strcmp(n, "poll")) {
        *nr = NR_poll;
        return need(r, e, 3, 3) ? -1 : marshal_poll(r, e, a);
    }
    return failf(r, e, "unknown syscall '%s'", n);
}

/* The bytes a read or recv returned continue the fd's stream (a MSG_PEEK leaves it where it
 * was: the next read sees them again). */
static int check_read(struct run *r, const struct pd_event *e, int64_t fd, long got)
{
    bool peek = !strcmp(e->call.name, "recv") && (ival(&e->call.args[3]) & 2); /* MSG_PEEK */
    uint64_t off = fd >= 0 && fd < MAX_FD ? r->rx_off[fd] : 0;

    r->b->get(r->data, U(r, U_DATA), (size_t)got);
    for (long i = 0; i < got; i++) {
        if (r->data[i] != pd_pattern(off + (uint64_t)i))
            return failf(r, e, "read byte %ld (stream offset %llu) is 0x%02x, expected 0x%02x",
                         i, (unsigned long long)(off + (uint64_t)i), r->data[i],
                         pd_pattern(off + (uint64_t)i));
    }
    if (fd >= 0 && fd < MAX_FD && !peek)
        r->rx_off[fd] += (uint64_t)got;
    return 0;
}

static int check_out_args(struct run *r, const struct pd_event *e)
{
    const struct pd_call *k = &e->call;

    if (!strcmp(k->name, "getsockopt")) {
        int32_t val[2];
        uint32_t len;

        r->b->get(val, U(r, U_OPT), sizeof(val));
        r->b->get(&len, U(r, U_LEN), 4);
        if (k->args[3].kind == PD_A_BRACE && (val[0] != k->args[3].list[0] ||
                                              val[1] != k->args[3].list[1]))
            return failf(r, e, "option value {%d, %d}, expected {%lld, %lld}", val[0], val[1],
                         (long long)k->args[3].list[0], (long long)k->args[3].list[1]);
        if (k->args[3].kind == PD_A_BRACKET && val[0] != k->args[3].v)
            return failf(r, e, "option value %d, expected %lld", val[0], (long long)k->args[3].v);
        if (k->args[4].kind == PD_A_BRACKET && len != k->args[4].v)
            return failf(r, e, "option length %u, expected %lld", len, (long long)k->args[4].v);
    }
    if (!strcmp(k->name, "poll")) {
        const struct pd_arg *p = &k->args[0];
        uint8_t buf[8 * PD_MAX_POLL];

        r->b->get(buf, U(r, U_POLL), sizeof(buf));
        for (unsigned i = 0; i < p->n; i++) {
            int16_t rev;

            memcpy(&rev, buf + 8 * i + 6, 2);
            if (rev != (int16_t)p->poll[i].revents)
                return failf(r, e, "pollfd %u: revents 0x%x, expected 0x%x", i, (unsigned)(uint16_t)rev,
                             (unsigned)(uint16_t)p->poll[i].revents);
        }
    }
    return 0;
}

static int check_call(struct run *r, const struct pd_event *e, long ret)
{
    const struct pd_call *k = &e->call;
    int64_t fd = k->nargs ? ival(&k->args[0]) : -1;
    long want = k->ret == -1 ? -k->err : (long)k->ret;

    if (ret != want) {
        char got[48], exp[48];

        if (ret < 0 && ret > -4096)
            snprintf(got, sizeof(got), "-1 %s (%ld)", pd_errno_name((int)-ret), -ret);
        else
            snprintf(got, sizeof(got), "%ld", ret);
        if (k->ret == -1)
            snprintf(exp, sizeof(exp), "-1 %s", pd_errno_name(k->err));
        else
            snprintf(exp, sizeof(exp), "%lld", (long long)k->ret);
        return failf(r, e, "%s returned %s, expected %s", k->name, got, exp);
    }
    if (ret < 0)
        return 0;
    if ((!strcmp(k->name, "read") || !strcmp(k->name, "recv")) && check_read(r, e, fd, ret))
        return 1;
    if ((!strcmp(k->name, "write") || !strcmp(k->name, "send")) && fd >= 0 && fd < MAX_FD)
        r->tx_off[fd] += (uint64_t)ret;
    if ((!strcmp(k->name, "socket") || !strncmp(k->name, "accept", 6)) && ret < MAX_FD)
        r->rx_off[ret] = r->tx_off[ret] = 0;
    return check_out_args(r, e);
}

/* The pending start...end call: checked once it returned; with wait, waits for it. */
static int settle_pending(struct run *r, bool wait)
{
    const struct pd_event *e = r->pending;
    uint64_t end, t;
    long ret;

    if (!e)
        return 0;
    end = when(r, &e->end, e->end.rel ? r->pending_start : r->start);
    if (!r->b->call_wait(wait ? end + (uint64_t)r->tol : r->b->now(), &ret, &t)) {
        if (!wait) /* its return time is checked when it returns, however late we look */
            return 0;
        return failf(r, e, "%s still blocked at %.6f s, expected to return at %.6f s",
                     e->call.name, secs(r, r->b->now()), secs(r, end));
    }
    r->pending = NULL;
    if ((int64_t)(t - end) < -r->tol || (int64_t)(t - end) > r->tol)
        return failf(r, e, "%s returned at %.6f s, expected at %.6f s", e->call.name, secs(r, t),
                     secs(r, end));
    return check_call(r, e, ret);
}

static int do_call(struct run *r, const struct pd_event *e)
{
    uint64_t nr = 0, a[6] = {0}, t; /* set by marshal; gcc -O2 cannot tell */
    long ret;

    if (r->pending && settle_pending(r, true))
        return 1;
    if (marshal(r, e, &nr, a))
        return 1;
    r->b->call_start(nr, a);
    if (e->has_end) {
        r->pending = e;
        r->pending_start = r->b->now();
        return 0;
    }
    if (!r->b->call_wait(r->b->now() + (uint64_t)r->tol, &ret, &t)) {
        failf(r, e, "%s blocked (write start...end for a call that blocks)", e->call.name);
        r->pending = e; /* the application thread is still in it */
        return 1;
    }
    return check_call(r, e, ret);
}

static int step(struct run *r, const struct pd_event *e)
{
    uint64_t target;

    if (e->kind == PD_EV_OUT)
        return settle_pending(r, false) || do_out(r, e);
    target = when(r, &e->t, r->prev);
    r->b->sleep_until(target);
    if (settle_pending(r, false) || check_quiet(r, e))
        return 1;
    r->prev = r->b->now();
    switch (e->kind) {
    case PD_EV_IN: return do_in(r, e);
    case PD_EV_CALL: return do_call(r, e);
    default: return 0;
    }
}

int pd_run(const struct pd_script *s, const struct pd_backend *b)
{
    struct run *r = calloc(1, sizeof(*r));
    int rc = 0;

    if (!r) {
        fprintf(stderr, "pd: out of memory\n");
        return 1;
    }
    r->s = s;
    r->b = b;
    r->tol = s->tolerance_ns ? s->tolerance_ns : b->default_tolerance_ns;
    r->conn.lport = PD_LOCAL_PORT;
    r->conn.rport = PD_REMOTE_PORT;
    r->start = r->prev = b->now();
    for (unsigned i = 0; i < s->nev && !rc; i++)
        rc = step(r, &s->ev[i]);
    if (!rc)
        rc = settle_pending(r, true);
    if (!rc)
        fprintf(stderr, "%s: PASS (%s, %u lines, %.3f s)\n", s->name ? s->name : "script",
                b->name, s->nev, secs(r, b->now()));
    else if (r->pending) /* leave the application thread blocked: the backend tears it down */
        fprintf(stderr, "%s: a call is still blocked at the end\n", s->name ? s->name : "script");
    free(r);
    return rc ? 1 : 0;
}
