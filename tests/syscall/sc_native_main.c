/*
 * sc_native_main.c - the native runner's program: every written case against the host's
 * Linux (each in a forked child, sc_native.c), which must give the table's expectations;
 * every generated case must at least run its setup steps. A mismatch prints the case, what
 * Linux gave and the host kernel (uname -r). deviations.h is never used here.
 *
 *   sc_native [substring]     only cases whose name contains substring
 *   sc_native --coverage      list the implemented syscalls of syscalls.def that no case
 *                             calls; fails when any implemented syscall (not exempt below)
 *                             has no case, and when fewer than SC_COVERED_FLOOR have one
 *                             (a floor that only goes up: raise it when you add cases)
 *   sc_native --covered       print the names of the syscalls some case calls, one a line
 *                             (docs/syscalls.md's "Linux-checked" column)
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sc.h"

static int failures, ran;

/* Implemented syscalls no case can call, and why. */
static const struct {
    const char *name, *why;
} exempt[] = {
    {"exit", "ends the process: the hosted runner's machine would end (tests/unit/syscall "
             "test_proc and tests/runtime check it)"},
    {"exit_group", "ends the process (as exit)"},
    {"rt_sigreturn", "restores a signal frame: only meaningful from a handler (tests/unit/signal "
                     "test_signal checks frames and bad frames)"},
    {"pause", "returns only once a handler has run: the case runners run none (tests/unit/signal "
              "test_signal and tests/runtime sig_wait check it)"},
};

/* Implemented syscalls with a case, at least (only goes up). */
#define SC_COVERED_FLOOR 133

static bool case_calls(const struct sc_case *c, unsigned nr)
{
    for (unsigned k = 0; k < c->nsteps; k++)
        if (c->steps[k].nr == nr)
            return true;
    return false;
}

static bool covered(unsigned nr)
{
    for (const struct sc_case *const *t = sc_tables; *t; t++)
        for (const struct sc_case *c = *t; c->name; c++)
            if (case_calls(c, nr))
                return true;
    return false;
}

static int coverage(bool list_covered)
{
    size_t impl = 0, missing = 0, with_case = 0;

    for (size_t i = 0; i < sc_def_count(); i++) {
        const char *name = sc_def_name(i);
        bool is_exempt = false;
        if (!sc_def_implemented(i))
            continue;
        impl++;
        if (covered(sc_def_nr(i))) {
            with_case++;
            if (list_covered)
                printf("%s\n", name);
            continue;
        }
        for (size_t e = 0; e < sizeof(exempt) / sizeof(exempt[0]); e++)
            if (strcmp(exempt[e].name, name) == 0) {
                if (!list_covered)
                    printf("exempt: %s (%u): %s\n", name, sc_def_nr(i), exempt[e].why);
                is_exempt = true;
            }
        if (!is_exempt) {
            missing++;
            if (!list_covered)
                printf("NO CASE: %s (%u) is implemented but no case calls it\n", name,
                       sc_def_nr(i));
        }
    }
    if (!list_covered)
        printf("sc_native --coverage: %zu implemented syscalls, %zu with a case (floor %d), "
               "%zu without\n",
               impl, with_case, SC_COVERED_FLOOR, missing);
    return with_case < SC_COVERED_FLOOR || missing ? 1 : 0;
}

static void report(const struct sc_case *c, const struct sc_outcome *o)
{
    char r[40];

    printf("LINUX MISMATCH %s (host kernel %s): %s\n  results:", c->name, sc_host_release(),
           o->why);
    for (unsigned k = 0; k < o->nsteps; k++)
        printf(" %s", sc_fmt_ret(r, sizeof(r), o->ret[k]));
    printf("\n");
    failures++;
}

int main(int argc, char **argv)
{
    const char *filter = argc > 1 ? argv[1] : NULL;
    struct sc_outcome o;
    size_t ngen;
    const struct sc_case *gen = sc_gen_cases(&ngen);

    if (filter && (!strcmp(filter, "--coverage") || !strcmp(filter, "--covered")))
        return coverage(!strcmp(filter, "--covered"));

    for (const struct sc_case *const *t = sc_tables; *t; t++)
        for (const struct sc_case *c = *t; c->name; c++) {
            if (filter && !strstr(c->name, filter))
                continue;
            ran++;
            if (sc_native_run(c, &o))
                report(c, &o);
        }
    for (size_t i = 0; i < ngen; i++) {
        if (filter && !strstr(gen[i].name, filter))
            continue;
        ran++;
        sc_native_run(&gen[i], &o);
        if (o.nsteps != gen[i].nsteps)
            report(&gen[i], &o);
    }
    printf("sc_native: %d cases, %d failed (host kernel %s)\n", ran, failures, sc_host_release());
    return failures ? 1 : 0;
}
