/*
 * sc_engine.c - runs one syscall case in one runner's environment (sc.h).
 *
 * Both runners share this file, so an argument is built the same way for Linux and for
 * Petrel: strings, byte strings and output buffers are placed one after the other in the
 * runner's arena (16-byte aligned, fresh for each step), SA_EDGE bytes end exactly where the
 * unmapped page after the arena begins, and SC_BAD_TOP pointers start in the last mapped page
 * below the top of user space, which is filled with 'a' bytes (so a path there has no NUL
 * before the top). Only the runner's call/put/get touch user memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sc.h"

#define SC_KERNEL_PTR 0xffff800000001000ULL
#define SC_NONCANON_PTR 0x0000800000001000ULL
#define SC_OUT_MAX 65536

struct sc_ctx {
    const struct sc_env *env;
    const struct sc_outcome *o;
    uint64_t next;            /* bump pointer in the arena */
    uint8_t *out;             /* the step's output buffers, concatenated */
    size_t outlen;
    uint64_t outs[16][2];     /* (address, length) of each output buffer */
    unsigned nouts;
    char err[120];
};

const char *sc_bad_name(int cls)
{
    static const char *const names[SC_BAD_COUNT] = {"null", "unmapped", "kernel", "noncanon",
                                                    "top"};
    return cls >= 0 && cls < SC_BAD_COUNT ? names[cls] : "?";
}

const char *sc_fmt_ret(char *buf, size_t size, long ret)
{
    if (ret < 0 && ret >= -4095)
    {
        const char *n = strerrorname_np((int)-ret);
        snprintf(buf, size, "-%s", n ? n : "E?");
    }
    else if (ret > 0xffffff)
        snprintf(buf, size, "%#lx", (unsigned long)ret);
    else
        snprintf(buf, size, "%ld", ret);
    return buf;
}

static uint64_t place(struct sc_ctx *x, const void *p, size_t n)
{
    uint64_t u = (x->next + 15) & ~15ULL;

    if (u + n > x->env->arena + x->env->arena_size) {
        snprintf(x->err, sizeof(x->err), "the case's buffers do not fit the arena");
        return 0;
    }
    x->next = u + n;
    if (n && p && x->env->put(u, p, n))
        snprintf(x->err, sizeof(x->err), "cannot write user memory at %#llx",
                 (unsigned long long)u);
    return u;
}

static void note_out(struct sc_ctx *x, uint64_t u, uint64_t n)
{
    if (x->nouts < 16) {
        x->outs[x->nouts][0] = u;
        x->outs[x->nouts][1] = n;
        x->nouts++;
    }
}

static uint64_t bad_ptr(const struct sc_ctx *x, const struct sc_arg *g)
{
    uint64_t n = g->off > 2 ? (uint64_t)g->off : 2;

    switch (g->v) {
    case SC_BAD_NULL:
        return 0;
    case SC_BAD_UNMAPPED:
        return x->env->arena + x->env->arena_size;
    case SC_BAD_KERNEL:
        return SC_KERNEL_PTR;
    case SC_BAD_NONCANON:
        return SC_NONCANON_PTR;
    default: /* SC_BAD_TOP: half the argument's bytes below the top, half above */
        return x->env->top - (n / 2 < 4096 ? n / 2 : 4096);
    }
}

static uint64_t build_arg(struct sc_ctx *x, const struct sc_arg *g);

static uint64_t build_iov(struct sc_ctx *x, const struct sc_arg *g)
{
    uint64_t iov[32];
    int64_t cnt = g->v < 16 ? g->v : 16;

    for (int64_t i = 0; i < cnt; i++) {
        iov[2 * i] = build_arg(x, &g->sub[2 * i]);
        iov[2 * i + 1] = build_arg(x, &g->sub[2 * i + 1]);
    }
    return place(x, iov, (size_t)cnt * 16);
}

static uint64_t build_arg(struct sc_ctx *x, const struct sc_arg *g)
{
    uint64_t u, hole = x->env->arena + x->env->arena_size;

    switch (g->kind) {
    case SA_INT:
        return (uint64_t)g->v;
    case SA_STR:
        return place(x, g->s, strlen(g->s) + 1);
    case SA_DATA:
        return place(x, g->s, g->n);
    case SA_BUF: {
        void *z = calloc(1, g->v ? (size_t)g->v : 1);
        u = place(x, z, (size_t)g->v);
        free(z);
        note_out(x, u, (uint64_t)g->v);
        return u;
    }
    case SA_RES:
        if (g->v < 0 || (unsigned)g->v >= x->o->nsteps) {
            snprintf(x->err, sizeof(x->err), "R(%lld) names a step not yet run", (long long)g->v);
            return 0;
        }
        return (uint64_t)(x->o->ret[g->v] + g->off);
    case SA_EDGE:
        u = hole - g->n;
        if (g->n && x->env->put(u, g->s, g->n))
            snprintf(x->err, sizeof(x->err), "cannot write the edge bytes");
        note_out(x, u, g->n);
        return u;
    case SA_BAD:
        return bad_ptr(x, g);
    case SA_IOV:
        return build_iov(x, g);
    default:
        return 0;
    }
}

/* The step's output buffers as they are now, concatenated into x->out. */
static int read_outs(struct sc_ctx *x)
{
    x->outlen = 0;
    for (unsigned i = 0; i < x->nouts; i++) {
        uint64_t n = x->outs[i][1];
        if (x->outlen + n > SC_OUT_MAX)
            n = SC_OUT_MAX - x->outlen;
        if (n && x->env->get(x->out + x->outlen, x->outs[i][0], n))
            return -1;
        x->outlen += n;
    }
    return 0;
}

static bool want_met(struct sc_want w, long ret)
{
    return w.kind == SW_OK ? ret >= 0 : ret == w.v;
}

static void hexdump(char *buf, size_t size, const uint8_t *p, size_t n)
{
    size_t k = 0;

    buf[0] = 0;
    for (size_t i = 0; i < n && k + 4 < size; i++)
        k += (size_t)snprintf(buf + k, size - k, "%02x", p[i]);
}

static int check_out(struct sc_ctx *x, const struct sc_step *s, struct sc_outcome *o)
{
    char got[80], want[80];

    if (!s->out)
        return 0;
    if (read_outs(x) || s->outoff + s->outlen > x->outlen) {
        snprintf(o->why, sizeof(o->why), "step %u %s: output buffers unreadable or too short",
                 o->nsteps - 1, s->name);
        return -1;
    }
    if (memcmp(x->out + s->outoff, s->out, s->outlen) == 0)
        return 0;
    hexdump(got, sizeof(got), x->out + s->outoff, s->outlen);
    hexdump(want, sizeof(want), (const uint8_t *)s->out, s->outlen);
    snprintf(o->why, sizeof(o->why), "step %u %s: output at +%u is %s, expected %s",
             o->nsteps - 1, s->name, s->outoff, got, want);
    return -1;
}

static void fill_top(const struct sc_env *env)
{
    static uint8_t a[4096];

    memset(a, 'a', sizeof(a));
    env->put(env->top - 4096, a, sizeof(a));
}

static struct sc_arg gen_arg(const struct sc_case *c, const struct sc_step *s, unsigned i)
{
    struct sc_arg g = s->a[i];

    if (c->gen_arg == (int)i) {
        if (c->gen_with.kind != SA_NONE)
            g = c->gen_with;
        g.v = g.kind == SA_INT ? (int64_t)((uint64_t)g.v | c->gen_or) : g.v;
    }
    return g;
}

static int run_step(struct sc_ctx *x, const struct sc_case *c, unsigned k,
                    const struct sc_override *ov, struct sc_outcome *o)
{
    const struct sc_step *s = &c->steps[k];
    uint64_t a[6] = {0};
    struct sc_want w = ov ? ov->want : s->want;
    char got[40], exp[40];

    x->next = x->env->arena;
    x->nouts = 0;
    for (unsigned i = 0; i < SC_MAX_ARGS; i++) {
        struct sc_arg g = k + 1 == c->nsteps ? gen_arg(c, s, i) : s->a[i];
        a[i] = build_arg(x, &g);
    }
    if (x->err[0]) {
        snprintf(o->why, sizeof(o->why), "step %u %s: %s", k, s->name, x->err);
        return -1;
    }
    o->ret[k] = x->env->call(s->nr, a);
    o->nsteps = k + 1;
    if (!want_met(w, o->ret[k])) {
        snprintf(o->why, sizeof(o->why), "step %u %s returned %s, expected %s", k, s->name,
                 sc_fmt_ret(got, sizeof(got), o->ret[k]),
                 w.kind == SW_OK ? ">= 0" : sc_fmt_ret(exp, sizeof(exp), w.v));
        return -1;
    }
    return ov && ov->skip_out ? 0 : check_out(x, s, o);
}

int sc_run_case(const struct sc_env *env, const struct sc_case *c, const struct sc_override *ov,
                unsigned nov, struct sc_outcome *o)
{
    struct sc_ctx x;
    int rc = 0;

    memset(o, 0, sizeof(*o));
    memset(&x, 0, sizeof(x));
    o->failed_step = -1;
    x.env = env;
    x.o = o;
    x.out = malloc(SC_OUT_MAX);
    fill_top(env);
    for (unsigned k = 0; k < c->nsteps && k < SC_MAX_STEPS; k++) {
        const struct sc_override *mine = NULL;
        for (unsigned i = 0; i < nov; i++)
            if (ov[i].step == k)
                mine = &ov[i];
        if (run_step(&x, c, k, mine, o)) {
            o->failed_step = (int)k;
            rc = -1;
            break;
        }
    }
    free(x.out);
    return rc;
}
