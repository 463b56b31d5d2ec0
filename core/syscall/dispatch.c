/*
 * dispatch.c - the syscall table, the dispatcher and the HAL's syscall entry.
 *
 * syscalls.def expands twice here: into sys_by_nr[], a row per known number (a NULL name is
 * an unknown number), and into sys_order[], the known numbers in table order, for the tracer
 * tests and the fuzzer. A lookup is one bounds check and one index.
 */
#include "core/syscall/syscall.h"

#include "core/lib/alloc.h"
#include "core/lib/kprintf.h"
#include "core/lib/kstring.h"
#include "core/syscall/sys_internal.h"
#include "hal/hal_cpu.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"
#include "hal/hal_user.h"

#define SYS_TRACE_LINE 512

#define SYS_NARGS(...) (sizeof((struct sys_arg[]){__VA_ARGS__}) / sizeof(struct sys_arg))

unsigned sys_observing;

#define SYSCALL(nr_, name_, ...)                                                                   \
    [nr_] = {nr_, #name_, sys_##name_, SYS_NARGS(__VA_ARGS__), {__VA_ARGS__}},
#define SYSCALL_NI(nr_, name_, ...)                                                                \
    [nr_] = {nr_, #name_, NULL, SYS_NARGS(__VA_ARGS__), {__VA_ARGS__}},
static const struct sys_desc sys_by_nr[SYS_NR_MAX] = {
#include "core/syscall/syscalls.def"
};
#undef SYSCALL
#undef SYSCALL_NI

#define SYSCALL(nr_, ...) nr_,
#define SYSCALL_NI(nr_, ...) nr_,
static const uint16_t sys_order[] = {
#include "core/syscall/syscalls.def"
};
#undef SYSCALL
#undef SYSCALL_NI

const struct sys_desc *sys_lookup(uint64_t nr)
{
    if (nr >= SYS_NR_MAX || !sys_by_nr[nr].name)
        return NULL;
    return &sys_by_nr[nr];
}

size_t sys_table_count(void)
{
    return sizeof(sys_order) / sizeof(sys_order[0]);
}

const struct sys_desc *sys_table_at(size_t i)
{
    return i < sys_table_count() ? &sys_by_nr[sys_order[i]] : NULL;
}

/* exit and exit_group never come back: their trace line is printed before the call. */
static bool sys_noreturn(const struct sys_desc *d)
{
    return d->nr == 60 || d->nr == 231;
}

/* execve and execveat that succeed come back in a new address space, where their pointer
 * arguments mean nothing: their line is formatted before the call, printed after it. */
static bool sys_replaces(const struct sys_desc *d)
{
    return d->nr == 59 || d->nr == 322;
}

/* Named on the console once each (every time when tracing), counted by the summary. */
static long sys_missing(uint64_t nr, const struct sys_desc *d, const uint64_t a[6])
{
    if (d && sys_diag_flags())
        sys_diag_call(uthread_current(), d, a, -ENOSYS, 0);
    if (sys_diag_first_missing(nr) || sys_trace_enabled()) {
        if (d)
            kprintf("petrel: syscall %s (%u) is not implemented: -ENOSYS\n", d->name, d->nr);
        else
            kprintf("petrel: unknown syscall %llu: -ENOSYS\n", (unsigned long long)nr);
    }
    return -ENOSYS;
}

/* The trace line of a call; in a process that has had several threads, prefixed with the
 * caller's tid as strace -f does. */
static void trace_call(const struct uthread *ut, const struct sys_desc *d, const uint64_t a[6],
                       long ret)
{
    char line[SYS_TRACE_LINE];

    if (!__atomic_load_n(&ut->proc->multi, __ATOMIC_RELAXED)) {
        sys_trace_line(d, a, ret);
        return;
    }
    sys_trace_format(line, sizeof(line), d, a, ret);
    kprintf("[pid %d] %s\n", ut->tid, line);
}

static char *trace_before(const struct sys_desc *d, const uint64_t a[6])
{
    char *line = kmalloc(SYS_TRACE_LINE);

    if (line)
        sys_trace_format(line, SYS_TRACE_LINE, d, a, 0);
    return line;
}

/* The line trace_before made (ending in "= 0"), with the call's result. */
static void trace_replaced(const struct uthread *ut, char *line, long ret)
{
    char *eq = strrchr(line, '=');

    if (eq)
        ksnprintf(eq, SYS_TRACE_LINE - (size_t)(eq - line), "= %ld", ret);
    if (__atomic_load_n(&ut->proc->multi, __ATOMIC_RELAXED))
        kprintf("[pid %d] %s\n", ut->tid, line);
    else
        kprintf("%s\n", line);
    kfree(line);
}

/*
 * The internal restart codes (hal_errno.h) must never reach a program. After a syscall made
 * from user mode (ut->regs set) kernel_user_return applies Linux's restart rules to them
 * (core/signal/signal.h); a syscall called as C (hosted tests) has no return to user mode,
 * so every one of them ends as -EINTR there, with the temporary mask restored.
 */
static long sys_restart_fallback(struct uthread *ut, long ret)
{
    if (ut->regs)
        return ret;
    if (ut->restore_sigmask) {
        ut->restore_sigmask = false;
        ut->sigmask = ut->sigmask_saved;
    }
    if (ret <= -ERESTARTSYS && ret >= -ERESTART_RESTARTBLOCK) {
        ut->restart.fn = NULL;
        return -EINTR;
    }
    return ret;
}

/* The call with the tracer or the diagnostics on: their hooks around d->fn. */
static long call_observed(struct uthread *ut, const struct sys_desc *d, const uint64_t a[6])
{
    char *pre = NULL;
    uint64_t t0 = 0;
    long ret;

    if (sys_trace_enabled() && sys_noreturn(d))
        trace_call(ut, d, a, 0);
    if (sys_trace_enabled() && sys_replaces(d))
        pre = trace_before(d, a);
    if (sys_diag_flags() && sys_noreturn(d))
        sys_diag_noreturn(d);
    if (sys_diag_flags())
        t0 = hal_clock_ns();
    ret = d->fn(a);
    if (sys_diag_flags())
        sys_diag_call(ut, d, a, ret, hal_clock_ns() - t0);
    if (pre)
        trace_replaced(ut, pre, ret);
    else if (sys_trace_enabled())
        trace_call(ut, d, a, ret);
    return ret;
}

/*
 * One call of a known, implemented syscall by ut. The common case costs a few loads and
 * branches around d->fn: the checks of an ending process are one lock-free test each
 * (uthread_leaving; uthread_return_check takes the lock only when it says yes), and the
 * tracer and the diagnostics are one test of sys_observing (bench/README.md, bench/syscall).
 * Inline in both callers: one call and return less per syscall.
 */
static inline __attribute__((always_inline)) long call(struct uthread *ut,
                                                       const struct sys_desc *d,
                                                       const uint64_t a[SYS_MAX_ARGS])
{
    long ret;

    if (uthread_leaving(ut))
        uthread_return_check(); /* a thread of an ending process starts nothing new */
    ut->fetch.n = 0;            /* a new fetch log (sys_fetch_reset) */
    ut->fetch.cur = 0;
    __atomic_store_n(&ut->call.nr, (long)d->nr, __ATOMIC_RELAXED); /* a group exit reads it */
    if (__builtin_expect(__atomic_load_n(&sys_observing, __ATOMIC_RELAXED) != 0, 0))
        ret = call_observed(ut, d, a);
    else
        ret = d->fn(a);
    __atomic_store_n(&ut->call.nr, -1L, __ATOMIC_RELAXED);
    if (uthread_leaving(ut))
        uthread_return_check();
    return sys_restart_fallback(ut, ret);
}

long ksys_call(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
               uint64_t a5)
{
    const uint64_t a[SYS_MAX_ARGS] = {a0, a1, a2, a3, a4, a5};
    const struct sys_desc *d = sys_lookup(nr);
    struct uthread *ut = uthread_current();

    if (!d || !d->fn)
        return sys_missing(nr, d, a);
    if (!ut)
        return -ESRCH; /* a kernel thread has no process to act for */
    return call(ut, d, a);
}

/* kernel_syscall's every other case: an unknown or missing number, a kernel thread, an
 * ending process, the tracer or the diagnostics on. */
static __attribute__((noinline)) void syscall_slow(struct hal_uregs *regs, struct thread *t,
                                                   struct uthread *ut)
{
    const uint64_t a[SYS_MAX_ARGS] = {regs->rdi, regs->rsi, regs->rdx,
                                      regs->r10, regs->r8,  regs->r9};
    const struct sys_desc *d = sys_lookup(regs->rax);
    long ret;

    if (ut) {
        ut->regs = regs;
        ut->orig_rax = (long)regs->rax; /* the return may restart it (core/signal) */
        sched_cputime_mode(t, false); /* samples from here: system time (sched.h) */
    }
    if (!d || !d->fn)
        ret = sys_missing(regs->rax, d, a);
    else if (!ut)
        ret = -ESRCH;
    else
        ret = call(ut, d, a);
    regs->rax = (uint64_t)ret;
    if (ut) {
        ut->regs = NULL;
        if (ret > -ERESTARTSYS || ret < -ERESTART_RESTARTBLOCK)
            ut->orig_rax = -1; /* nothing to restart: the return needs no restart_fixup */
    }
}

/* Whose ut a call without a current thread reads (none: syscall_slow answers -ESRCH). */
static const struct thread syscall_no_thread;

/* Whether ut's call of nr (d: its row, or row 0 when nr is out of range) needs syscall_slow:
 * the tests of call() and sys_lookup as one expression (uthread_leaving unrolled). */
static inline bool syscall_unusual(const struct uthread *ut, uint64_t nr, const struct sys_desc *d)
{
    const struct proc *p = ut->proc;
    const struct uthread *by = __atomic_load_n(&p->exec_by, __ATOMIC_RELAXED);

    return hal_opaque((nr >= SYS_NR_MAX) | (d->fn == NULL) |
                      (__atomic_load_n(&sys_observing, __ATOMIC_RELAXED) != 0) |
                      (unsigned)__atomic_load_n(&p->exiting, __ATOMIC_RELAXED) |
                      ((by != NULL) & (by != ut))) != 0;
}

/*
 * A syscall from user mode. The common case (a known number, nobody tracing, the process not
 * ending) is straight-line code around d->fn with one test for all the others, combined with
 * | rather than ||: under TCG every conditional branch ends a translation block, and the null
 * syscall's cost is counted in them (bench/README.md, bench/syscall). What call() checks after
 * d->fn is left to the return to user mode, which asks kernel_user_work_pending() (an ending
 * process, a restart) on every return anyway; sys_restart_fallback has nothing to do with a
 * user frame.
 */
void kernel_syscall(struct hal_uregs *regs)
{
    struct thread *t = thread_current();
    /* a select, not a branch (hal_opaque: gcc would fold syscall_no_thread's NULL ut into one) */
    struct uthread *ut =
        ((const struct thread *)hal_opaque((uintptr_t)(t ? t : &syscall_no_thread)))->ut;
    uint64_t nr = regs->rax;
    const struct sys_desc *d = &sys_by_nr[nr < SYS_NR_MAX ? nr : 0];
    long ret;

    if (__builtin_expect(!ut || syscall_unusual(ut, nr, d), 0)) {
        syscall_slow(regs, t, ut);
        return;
    }
    ut->regs = regs;
    ut->orig_rax = (long)nr;      /* the return may restart it (core/signal) */
    sched_cputime_mode(t, false); /* samples from here: system time (sched.h) */
    ut->fetch.n = 0;              /* a new fetch log (sys_fetch_reset) */
    ut->fetch.cur = 0;
    __atomic_store_n(&ut->call.nr, (long)nr, __ATOMIC_RELAXED); /* a group exit reads it */
    {
        const uint64_t a[SYS_MAX_ARGS] = {regs->rdi, regs->rsi, regs->rdx,
                                          regs->r10, regs->r8,  regs->r9};
        ret = d->fn(a);
    }
    __atomic_store_n(&ut->call.nr, -1L, __ATOMIC_RELAXED);
    regs->rax = (uint64_t)ret;
    ut->regs = NULL;
    /* nothing to restart: the return needs no restart_fixup (orig_rax | -1, without a branch) */
    ut->orig_rax |=
        (long)((uint64_t)ret + ERESTART_RESTARTBLOCK <= ERESTART_RESTARTBLOCK - ERESTARTSYS) - 1;
}
