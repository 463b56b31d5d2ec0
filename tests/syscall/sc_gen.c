/*
 * sc_gen.c - generated cases: bad pointers and unknown flag bits for every template.
 *
 * syscalls.def says which arguments of a syscall are pointers (A_PATH, A_IN, A_OUT, A_INS,
 * A_OUTS, A_IOV; A_PTR where the template passes memory there, since its meaning depends on
 * another argument) and which are flags (A_FLAGS). For each template of sc_templates[] (a
 * valid call, safe to run for real, as the last step after its setup steps) this makes:
 *   <template>.a<i>.<class>    pointer argument i replaced by each bad-pointer class;
 *   <template>.a<i>.iov<j>.<class>  the base of iovec j of an A_IOV argument replaced;
 *   <template>.a<i>.bit<k>     flags argument i with bit k (23..31, when clear) or-ed in.
 * Neither has a written expectation: the hosted runner compares Petrel with Linux's live
 * answer (exactly when the template's expectation is exact, else by sign).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/syscall/syscall.h"
#include "sc.h"

struct sc_def {
    unsigned nr;
    const char *name;
    bool implemented;
    unsigned nargs;
    struct sys_arg args[SYS_MAX_ARGS];
};

#define SC_DEF_NARGS(...) (sizeof((struct sys_arg[]){__VA_ARGS__}) / sizeof(struct sys_arg))
#define SYSCALL(nr, name, ...) {nr, #name, true, SC_DEF_NARGS(__VA_ARGS__), {__VA_ARGS__}},
#define SYSCALL_NI(nr, name, ...) {nr, #name, false, SC_DEF_NARGS(__VA_ARGS__), {__VA_ARGS__}},
static const struct sc_def defs[] = {
#include "core/syscall/syscalls.def"
};
#undef SYSCALL
#undef SYSCALL_NI

#define NDEFS (sizeof(defs) / sizeof(defs[0]))
#define GEN_FLAG_LO 23
#define GEN_FLAG_HI 31

size_t sc_def_count(void)
{
    return NDEFS;
}

unsigned sc_def_nr(size_t i)
{
    return defs[i].nr;
}

const char *sc_def_name(size_t i)
{
    return defs[i].name;
}

bool sc_def_implemented(size_t i)
{
    return defs[i].implemented;
}

static const struct sc_def *def_of(unsigned nr)
{
    for (size_t i = 0; i < NDEFS; i++)
        if (defs[i].nr == nr)
            return &defs[i];
    return NULL;
}

static bool is_memory(const struct sc_arg *g)
{
    return g->kind == SA_STR || g->kind == SA_DATA || g->kind == SA_BUF || g->kind == SA_EDGE ||
           g->kind == SA_IOV;
}

/* The bytes argument i covers in the template (what a TOP pointer must straddle). */
static int64_t arg_size(const struct sc_step *s, const struct sys_arg *k, unsigned i)
{
    switch (k->kind) {
    case SYS_ARG_IN:
    case SYS_ARG_OUT:
        return s->a[k->param].kind == SA_INT ? s->a[k->param].v : 8;
    case SYS_ARG_INS:
    case SYS_ARG_OUTS:
        return k->param;
    case SYS_ARG_IOV:
        return s->a[k->param].kind == SA_INT ? 16 * s->a[k->param].v : 16;
    case SYS_ARG_PATH:
        return 16;
    default:
        return s->a[i].kind == SA_BUF ? s->a[i].v : s->a[i].kind == SA_DATA ? s->a[i].n : 8;
    }
}

static bool is_pointer(const struct sc_step *s, const struct sys_arg *k, unsigned i)
{
    switch (k->kind) {
    case SYS_ARG_PATH:
    case SYS_ARG_IN:
    case SYS_ARG_OUT:
    case SYS_ARG_INS:
    case SYS_ARG_OUTS:
    case SYS_ARG_IOV:
        return true;
    case SYS_ARG_PTR:
        return is_memory(&s->a[i]);
    default:
        return false;
    }
}

struct gen {
    struct sc_case *v;
    size_t n, cap;
};

static struct sc_case *push(struct gen *g, const struct sc_case *t, const char *suffix)
{
    char *name = malloc(strlen(t->name) + strlen(suffix) + 2);
    struct sc_case *c;

    if (g->n == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 256;
        g->v = realloc(g->v, g->cap * sizeof(*g->v));
    }
    sprintf(name, "%s.%s", t->name, suffix);
    c = &g->v[g->n++];
    *c = *t;
    c->name = name;
    c->gen_exact = t->steps[t->nsteps - 1].want.kind == SW_EQ;
    return c;
}

/* Each iovec base of an A_IOV argument replaced by each bad class: <t>.a<i>.iov<j>.<class>. */
static void gen_iov_bases(struct gen *g, const struct sc_case *t, const struct sc_step *s,
                          unsigned i)
{
    const struct sc_arg *iov = &s->a[i];
    char suffix[40];

    for (int64_t j = 0; j < iov->v; j++)
        for (int cls = 0; cls < SC_BAD_COUNT; cls++) {
            struct sc_arg *sub = malloc(2 * (size_t)iov->v * sizeof(*sub));
            memcpy(sub, iov->sub, 2 * (size_t)iov->v * sizeof(*sub));
            sub[2 * j] = (struct sc_arg)BAD(NULL);
            sub[2 * j].v = cls;
            sub[2 * j].off = sub[2 * j + 1].kind == SA_INT ? sub[2 * j + 1].v : 8;
            snprintf(suffix, sizeof(suffix), "a%u.iov%lld.%s", i, (long long)j, sc_bad_name(cls));
            struct sc_case *c = push(g, t, suffix);
            c->gen_arg = (int)i;
            c->gen_with = *iov;
            c->gen_with.sub = sub;
        }
}

static void gen_template(struct gen *g, const struct sc_case *t)
{
    const struct sc_step *s = &t->steps[t->nsteps - 1];
    const struct sc_def *d = def_of(s->nr);
    char suffix[32];

    if (!d) {
        fprintf(stderr, "sc_gen: template %s calls a syscall not in syscalls.def\n", t->name);
        abort();
    }
    for (unsigned i = 0; i < d->nargs; i++) {
        if (is_pointer(s, &d->args[i], i))
            for (int cls = 0; cls < SC_BAD_COUNT; cls++) {
                snprintf(suffix, sizeof(suffix), "a%u.%s", i, sc_bad_name(cls));
                struct sc_case *c = push(g, t, suffix);
                c->gen_arg = (int)i;
                c->gen_with = (struct sc_arg)BAD(NULL);
                c->gen_with.v = cls;
                c->gen_with.off = arg_size(s, &d->args[i], i);
            }
        if (d->args[i].kind == SYS_ARG_IOV && s->a[i].kind == SA_IOV)
            gen_iov_bases(g, t, s, i);
        if (d->args[i].kind == SYS_ARG_FLAGS && s->a[i].kind == SA_INT)
            for (int b = GEN_FLAG_LO; b <= GEN_FLAG_HI; b++) {
                if ((uint64_t)s->a[i].v & (1ULL << b))
                    continue;
                snprintf(suffix, sizeof(suffix), "a%u.bit%d", i, b);
                struct sc_case *c = push(g, t, suffix);
                c->gen_arg = (int)i;
                c->gen_or = 1ULL << b;
            }
    }
}

const struct sc_case *sc_gen_cases(size_t *n)
{
    static struct gen g;
    static bool done;

    if (!done) {
        for (const struct sc_case *t = sc_templates; t->name; t++)
            gen_template(&g, t);
        done = true;
    }
    *n = g.n;
    return g.v;
}
