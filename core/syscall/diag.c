/*
 * diag.c - the syscall diagnostics the manifest turns on (docs/manifest.md): a summary of
 * every syscall at exit (`syscall_summary`, like strace -c), the paths the program failed to
 * open (`missing_files`), a line per futex call (`futex_trace`), and the name of each
 * unimplemented syscall, once, whatever is on.
 *
 * The dispatcher calls sys_diag_call after every call (cheap when nothing is on: one load).
 * Counters are indexed by number below SYS_NR_MAX, kept with relaxed atomics (threads of one
 * process share them; a count off by one under a race would do no harm, but there is none on
 * one CPU). Times are wall nanoseconds from hal_clock_ns around the handler: they include the
 * time a call spent blocked (strace -c -w). Missing paths are read again from user memory
 * for display only, after the call, deduplicated, at most DIAG_PATHS of them. Everything is
 * printed on the kernel's console (its own channel under `petrel run`), never the program's
 * streams.
 */
#include "core/lib/alloc.h"
#include "core/lib/kprintf.h"
#include "core/lib/kstring.h"
#include "core/lib/names.h"
#include "core/syscall/sys_internal.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"

#define DIAG_PATHS 256
#define DIAG_PATH_SHOWN 256
#define DIAG_UNKNOWN 32

struct diag_count {
    uint64_t calls, errors, ns;
};

struct diag_path {
    char *path;
    const char *call; /* the first syscall that missed it */
    unsigned times;
};

static unsigned diag_flags;
static struct diag_count counts[SYS_NR_MAX];
static struct diag_path paths[DIAG_PATHS];
static unsigned npaths, paths_dropped;
static uint8_t named[SYS_NR_MAX / 8];      /* unimplemented rows already named */
static uint64_t unknown_named[DIAG_UNKNOWN]; /* unknown numbers already named */
static unsigned nunknown;

void sys_diag_set(unsigned flags)
{
    diag_flags = flags;
    sys_observing = flags ? sys_observing | SYS_OBSERVE_DIAG : sys_observing & ~SYS_OBSERVE_DIAG;
}

unsigned sys_diag_flags(void)
{
    return diag_flags;
}

void sys_diag_reset(void)
{
    for (unsigned i = 0; i < npaths; i++)
        kfree(paths[i].path);
    memset(counts, 0, sizeof(counts));
    memset(paths, 0, sizeof(paths));
    memset(named, 0, sizeof(named));
    npaths = paths_dropped = nunknown = 0;
}

/* --- unimplemented syscalls ------------------------------------------------------------------ */

/*
 * Unimplemented calls a libc makes at every start-up and whose -ENOSYS it handles by design:
 * naming them would put a line on every run of every glibc program. rseq: glibc 2.35+
 * registers a restartable-sequence area and carries on without one. Named when tracing.
 */
static bool expected_enosys(uint64_t nr)
{
    return nr == 334; /* rseq */
}

bool sys_diag_first_missing(uint64_t nr)
{
    if (expected_enosys(nr))
        return false;
    if (nr < SYS_NR_MAX) {
        bool first = !(named[nr / 8] & (1u << (nr % 8)));
        named[nr / 8] |= (uint8_t)(1u << (nr % 8));
        return first;
    }
    for (unsigned i = 0; i < nunknown; i++)
        if (unknown_named[i] == nr)
            return false;
    if (nunknown == DIAG_UNKNOWN)
        return false; /* a program trying that many numbers has been told enough */
    unknown_named[nunknown++] = nr;
    return true;
}

/* --- missing files ------------------------------------------------------------------------- */

/* The calls that open a file by its path (stat-like probes are not failures to open). */
static int open_path_arg(unsigned nr)
{
    switch (nr) {
    case 2:   /* open */
    case 59:  /* execve */
    case 85:  /* creat */
        return 0;
    case 257: /* openat */
    case 322: /* execveat */
    case 437: /* openat2 */
        return 1;
    default:
        return -1;
    }
}

static void note_missing(const struct sys_desc *d, const uint64_t a[6])
{
    char buf[DIAG_PATH_SHOWN];
    int arg = open_path_arg(d->nr);
    long n;

    if (arg < 0)
        return;
    n = strncpy_from_user(buf, uptr_make(a[arg]), sizeof(buf));
    if (n < 0 && n != -ENAMETOOLONG)
        return; /* the call failed on its pointer, not on a missing file */
    buf[sizeof(buf) - 1] = '\0';
    for (unsigned i = 0; i < npaths; i++)
        if (strcmp(paths[i].path, buf) == 0) {
            paths[i].times++;
            return;
        }
    if (npaths == DIAG_PATHS || !(paths[npaths].path = kmalloc(strlen(buf) + 1))) {
        paths_dropped++;
        return;
    }
    memcpy(paths[npaths].path, buf, strlen(buf) + 1);
    paths[npaths].call = d->name;
    paths[npaths++].times = 1;
}

/* --- futex ----------------------------------------------------------------------------------- */

static const char *futex_op_name(uint64_t op)
{
    static const char *const names[] = {
        "FUTEX_WAIT",          "FUTEX_WAKE",       "FUTEX_FD",         "FUTEX_REQUEUE",
        "FUTEX_CMP_REQUEUE",   "FUTEX_WAKE_OP",    "FUTEX_LOCK_PI",    "FUTEX_UNLOCK_PI",
        "FUTEX_TRYLOCK_PI",    "FUTEX_WAIT_BITSET", "FUTEX_WAKE_BITSET", "FUTEX_WAIT_REQUEUE_PI",
        "FUTEX_CMP_REQUEUE_PI", "FUTEX_LOCK_PI2"};
    unsigned cmd = (unsigned)(op & 127);

    return cmd < sizeof(names) / sizeof(names[0]) ? names[cmd] : "FUTEX_?";
}

static void futex_line(const struct uthread *ut, const uint64_t a[6], long ret, uint64_t ns)
{
    kprintf("futex: [%d] %s%s%s(%#llx, %llu) = %ld%s%s (%llu us)\n", ut->tid,
            futex_op_name(a[1]), a[1] & 128 ? "|PRIVATE" : "", a[1] & 256 ? "|CLOCK_REALTIME" : "",
            (unsigned long long)a[0], (unsigned long long)(uint32_t)a[2], ret,
            ret < 0 ? " " : "", ret < 0 ? KERR(ret) : "", (unsigned long long)(ns / 1000));
}

/* --- the hook -------------------------------------------------------------------------------- */

void sys_diag_call(const struct uthread *ut, const struct sys_desc *d, const uint64_t a[6],
                   long ret, uint64_t ns)
{
    struct diag_count *c = &counts[d->nr];

    if (diag_flags & SYS_DIAG_SUMMARY) {
        __atomic_add_fetch(&c->calls, 1, __ATOMIC_RELAXED);
        __atomic_add_fetch(&c->ns, ns, __ATOMIC_RELAXED);
        if (ret < 0 && ret >= -4095)
            __atomic_add_fetch(&c->errors, 1, __ATOMIC_RELAXED);
    }
    if ((diag_flags & SYS_DIAG_MISSING) && ret == -ENOENT)
        note_missing(d, a);
    if ((diag_flags & SYS_DIAG_FUTEX) && d->nr == 202 && ut)
        futex_line(ut, a, ret, ns);
}

/* The exit calls never return: their count is taken before the call. */
void sys_diag_noreturn(const struct sys_desc *d)
{
    if (diag_flags & SYS_DIAG_SUMMARY)
        __atomic_add_fetch(&counts[d->nr].calls, 1, __ATOMIC_RELAXED);
}

/* --- the report at exit ---------------------------------------------------------------------- */

/* The row with the most time not printed yet (then by calls), or -1. */
static int next_row(const bool *done)
{
    int best = -1;

    for (int i = 0; i < SYS_NR_MAX; i++) {
        if (!counts[i].calls || done[i])
            continue;
        if (best < 0 || counts[i].ns > counts[best].ns ||
            (counts[i].ns == counts[best].ns && counts[i].calls > counts[best].calls))
            best = i;
    }
    return best;
}

/* One line as strace -c prints it: % time, seconds, usecs/call, calls, errors, name. */
static void print_row(const char *name, const struct diag_count *c, uint64_t total, bool is_total)
{
    /* hundredths of a percent; the total is 100% even when no time was measured */
    uint64_t pct = is_total ? 10000 : total ? c->ns * 10000 / total : 0;
    uint64_t us = c->ns / 1000;
    char err[24] = "";

    if (c->errors)
        ksnprintf(err, sizeof(err), "%llu", (unsigned long long)c->errors);
    kprintf("%3llu.%02llu %4llu.%06llu %11llu %9llu %9s %s\n", (unsigned long long)(pct / 100),
            (unsigned long long)(pct % 100), (unsigned long long)(us / 1000000),
            (unsigned long long)(us % 1000000), (unsigned long long)(c->calls ? us / c->calls : 0),
            (unsigned long long)c->calls, err, name);
}

static void summary_report(void)
{
    static bool done[SYS_NR_MAX];
    struct diag_count all = {0, 0, 0};
    int i;

    memset(done, 0, sizeof(done));
    for (i = 0; i < SYS_NR_MAX; i++) {
        all.ns += counts[i].ns;
        all.calls += counts[i].calls;
        all.errors += counts[i].errors;
    }
    kprintf("petrel: syscall summary (wall time in the kernel, blocked time included)\n"
            "%% time     seconds  usecs/call     calls    errors syscall\n"
            "------ ----------- ----------- --------- --------- ----------------\n");
    while ((i = next_row(done)) >= 0) {
        const struct sys_desc *d = sys_lookup((uint64_t)i);

        done[i] = true;
        print_row(d ? d->name : "?", &counts[i], all.ns, false);
    }
    kprintf("------ ----------- ----------- --------- --------- ----------------\n");
    print_row("total", &all, all.ns, true);
}

static void missing_report(void)
{
    if (!npaths) {
        kprintf("petrel: missing files: none (no open or exec failed with ENOENT)\n");
        return;
    }
    kprintf("petrel: missing files (open or exec failed with ENOENT), %u:\n", npaths);
    for (unsigned i = 0; i < npaths; i++)
        if (paths[i].times > 1)
            kprintf("  %s (%s, %u times)\n", paths[i].path, paths[i].call, paths[i].times);
        else
            kprintf("  %s (%s)\n", paths[i].path, paths[i].call);
    if (paths_dropped)
        kprintf("  ... and %u more\n", paths_dropped);
}

void sys_diag_report(void)
{
    if (diag_flags & SYS_DIAG_SUMMARY)
        summary_report();
    if (diag_flags & SYS_DIAG_MISSING)
        missing_report();
}
