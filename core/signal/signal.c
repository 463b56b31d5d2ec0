/*
 * signal.c - pending signals and their delivery on every return to user mode (signal.h).
 *
 * Both HAL backends call kernel_user_return() with interrupts enabled just before each return
 * to user mode, and ask kernel_user_work_pending() (interrupts disabled) whether to call it
 * again. Here a thread first honours the end of its process (uthread_return_check), then
 * takes its deliverable signals one by one: ignored ones are dropped, fatal defaults end the
 * process with 128 + signal, and a handler gets Linux's rt_sigframe:
 *
 *      higher addresses (the interrupted rsp - 128 red zone, or the alternate stack top)
 *      | fpstate (hal_fpu_state_size(), 64-aligned)   <- uc_mcontext.fpstate
 *      | struct linux_rt_sigframe: pretcode = sa_restorer, ucontext, siginfo
 *      +------------------------------------------------ <- rsp, (rsp + 8) % 16 == 0
 *
 * rdi = signal, rsi = &siginfo, rdx = &ucontext, rax = 0, rip = the handler; the blocked mask
 * gains sa_mask and the signal itself (unless SA_NODEFER); SA_RESETHAND resets the handler;
 * the handler starts with the initial FPU state. rt_sigreturn (sys_signal.c) restores it all.
 */
#include "core/signal/signal.h"

#include "core/signal/signalfd.h"
#include "core/signal/sigio.h"

#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/mm/uaccess.h"
#include "core/sched/sched.h"
#include "fs/file/file.h"
#include "hal/hal_errno.h"
#include "hal/hal_user.h"

#define SIG_BIT(s) (1ULL << ((s) - 1))
#define REDZONE 128
#define USER_CS 0x33 /* Linux's __USER_CS and __USER_DS, as programs see them in frames */
#define USER_SS 0x2b
#define RFLAGS_TF 0x100ULL
#define RFLAGS_DF 0x400ULL
#define RFLAGS_RF 0x10000ULL

/* Default action "ignore" (SIGCONT's continue, and the stop signals, which Petrel's one
 * process has nobody to report to, are ignored too: docs/signals.md). */
static const uint64_t default_ignored = SIG_BIT(LINUX_SIGCHLD) | SIG_BIT(LINUX_SIGCONT) |
                                        SIG_BIT(LINUX_SIGURG) | SIG_BIT(LINUX_SIGWINCH) |
                                        SIG_BIT(LINUX_SIGSTOP) | SIG_BIT(LINUX_SIGTSTP) |
                                        SIG_BIT(LINUX_SIGTTIN) | SIG_BIT(LINUX_SIGTTOU);

/* Signals a fault raises: taken before any other pending signal, as Linux's next_signal. */
static const uint64_t synchronous = SIG_BIT(LINUX_SIGSEGV) | SIG_BIT(LINUX_SIGBUS) |
                                    SIG_BIT(LINUX_SIGILL) | SIG_BIT(LINUX_SIGTRAP) |
                                    SIG_BIT(LINUX_SIGFPE) | SIG_BIT(LINUX_SIGSYS);

/* --- sending ------------------------------------------------------------------------------ */

/* The thread to interrupt for a process-directed sig: the first that does not block it. */
static struct uthread *pick_thread(struct proc *p, int sig)
{
    PROC_FOR_EACH_THREAD(p, ut)
    {
        if (!(ut->sigmask & SIG_BIT(sig)) && ut->thread)
            return ut;
    }
    return NULL;
}

/* The action's handler word now, read without proc->lock (senders may run in interrupts;
 * the delivery reads it again under the lock). */
static uint64_t handler_now(struct proc *p, int sig)
{
    return __atomic_load_n(&p->sigactions[sig - 1].handler, __ATOMIC_RELAXED);
}

bool signal_ignored(struct proc *p, int sig)
{
    uint64_t h = handler_now(p, sig);

    if (sig == LINUX_SIGKILL || sig == LINUX_SIGSTOP)
        return false;
    return h == LINUX_SIG_IGN || (h == LINUX_SIG_DFL && (default_ignored & SIG_BIT(sig)));
}

/* The queue limit: RLIMIT_SIGPENDING, capped by what the kernel holds (docs/signals.md). */
unsigned signal_queue_limit(struct proc *p)
{
    uint64_t lim = __atomic_load_n(&p->rlimits[LINUX_RLIMIT_SIGPENDING].cur, __ATOMIC_RELAXED);

    return lim < SIGNAL_QUEUE_MAX ? (unsigned)lim : SIGNAL_QUEUE_MAX;
}

/* tlock held: is sig already queued in sp? */
static bool queued_locked(const struct proc_sigpending *sp, int sig)
{
    list_for_each(&sp->q, n)
    {
        if (container_of(n, struct proc_sigq, node)->info.si_signo == sig)
            return true;
    }
    return false;
}

/* What enqueue_locked did with a signal. */
enum { SENT_QUEUED, SENT_MARKED, SENT_MERGED, SENT_DROPPED };

/*
 * tlock held: make e's signal pending in sp. Standard signals coalesce (merged with the one
 * pending); a real-time signal is queued each time. Past the limit, a real-time signal is
 * -EAGAIN, except from kill (SI_USER), which still marks it pending without its siginfo, as
 * standard signals with a negative si_code are; standard ones from kill or the kernel pass.
 */
static int enqueue_locked(struct proc *p, struct proc_sigpending *sp, struct proc_sigq *e)
{
    int sig = e->info.si_signo;

    if (sig < LINUX_SIGRTMIN && (sp->set & SIG_BIT(sig)))
        return SENT_MERGED;
    /* Linux lets standard signals from kill or the kernel past the limit (override_rlimit) */
    bool override = sig < LINUX_SIGRTMIN && e->info.si_code >= 0;

    if (p->sigqueued >= signal_queue_limit(p) && (!override || p->sigqueued >= SIGNAL_QUEUE_MAX)) {
        if (sig >= LINUX_SIGRTMIN && e->info.si_code != LINUX_SI_USER)
            return -EAGAIN;
        sp->set |= SIG_BIT(sig);
        return SENT_MARKED;
    }
    sp->set |= SIG_BIT(sig);
    list_push_back(&sp->q, &e->node);
    p->sigqueued++;
    return SENT_QUEUED;
}

/* tlock held: queue e for ut (NULL: the process) unless ignored; interrupt a thread that
 * can take it. Returns SENT_* or -EAGAIN. */
static int send_locked(struct proc *p, struct uthread *ut, struct proc_sigq *e)
{
    int sig = e->info.si_signo, rc;
    struct uthread *target = ut ? ut : &p->main, *wake;

    /* an ignored signal nobody blocks (or waits for) is dropped at once, as Linux's
     * sig_ignored: it must not even interrupt a wait */
    if (signal_ignored(p, sig) && !((target->sigmask | target->sigwaitset) & SIG_BIT(sig)))
        return SENT_DROPPED;
    if (ut && ut->exited)
        return SENT_DROPPED;
    rc = enqueue_locked(p, ut ? &ut->sigpending : &p->sigpending, e);
    if (rc != SENT_QUEUED && rc != SENT_MARKED)
        return rc;
    wake = ut ? ut : pick_thread(p, sig);
    if (wake && wake->thread && !(wake->sigmask & SIG_BIT(sig)))
        thread_interrupt(wake->thread);
    return rc;
}

/* tlock held: an entry for a signal about to be sent, p's spare one when it has one. */
static struct proc_sigq *sigq_take_locked(struct proc *p)
{
    struct proc_sigq *e = p->sigq_spare;

    p->sigq_spare = NULL;
    return e;
}

/* tlock held: e (off every queue) becomes p's spare entry; false when p has one already (the
 * caller frees e once the lock is dropped). One spare: a signal at a time, the common case,
 * never reaches the allocator (Linux takes its sigqueue from a slab cache). */
static bool sigq_keep_locked(struct proc *p, struct proc_sigq *e)
{
    if (p->sigq_spare)
        return false;
    p->sigq_spare = e;
    return true;
}

int signal_send_notify(struct proc *p, struct uthread *ut, int sig,
                       const struct linux_siginfo *info, signal_dequeue_fn fn, void *arg)
{
    struct proc_sigq *e;
    uint64_t tok;
    int rc;

    if (sig < 1 || sig > PROC_NSIG)
        return -EINVAL;
    tok = spin_lock_irqsave(&p->tlock);
    e = sigq_take_locked(p);
    if (!e) {
        spin_unlock_irqrestore(&p->tlock, tok);
        e = kmalloc(sizeof(*e));
        if (!e)
            return -EAGAIN; /* Linux: no sigqueue could be allocated */
        tok = spin_lock_irqsave(&p->tlock);
    }
    if (info) { /* every field is set: no clearing first (node: list_push_back) */
        e->info = *info;
    } else {
        memset(&e->info, 0, sizeof(e->info));
        e->info.si_code = LINUX_SI_KERNEL;
    }
    e->info.si_signo = sig;
    e->notify = fn;
    e->arg = arg;
    rc = send_locked(p, ut, e);
    if (rc != SENT_QUEUED && sigq_keep_locked(p, e))
        e = NULL;
    spin_unlock_irqrestore(&p->tlock, tok);
    if (rc == SENT_QUEUED || rc == SENT_MARKED)
        signalfd_wake();
    if (rc == SENT_QUEUED)
        return 0;
    if (e)
        kfree(e);
    return rc < 0 ? rc : 1;
}

int signal_send(struct proc *p, struct uthread *ut, int sig, const struct linux_siginfo *info)
{
    int rc = signal_send_notify(p, ut, sig, info, NULL, NULL);

    return rc < 0 ? rc : 0;
}

/* tlock held: move every entry of sp carrying arg to out; how many. */
static int cancel_locked(struct proc *p, struct proc_sigpending *sp, void *arg, struct list *out)
{
    int count = 0;

    list_for_each_safe(&sp->q, n, tmp)
    {
        struct proc_sigq *e = container_of(n, struct proc_sigq, node);

        if (e->notify && e->arg == arg) {
            list_remove(&e->node);
            p->sigqueued--;
            if (!queued_locked(sp, e->info.si_signo))
                sp->set &= ~SIG_BIT(e->info.si_signo);
            list_push_back(out, &e->node);
            count++;
        }
    }
    return count;
}

int signal_cancel_notify(struct proc *p, void *arg)
{
    struct list gone;
    struct list_node *n;
    uint64_t tok;
    int count;

    list_init(&gone);
    tok = spin_lock_irqsave(&p->tlock);
    count = cancel_locked(p, &p->sigpending, arg, &gone);
    PROC_FOR_EACH_THREAD(p, ut)
    {
        count += cancel_locked(p, &ut->sigpending, arg, &gone);
    }
    spin_unlock_irqrestore(&p->tlock, tok);
    while ((n = list_pop_front(&gone)) != NULL)
        kfree(container_of(n, struct proc_sigq, node));
    return count;
}

uint64_t signal_deliverable(struct uthread *ut)
{
    return (ut->sigpending.set | ut->proc->sigpending.set) & ~ut->sigmask;
}

static const struct thread work_no_thread; /* ut NULL: what a missing thread reads */

/* Everything kernel_user_return() acts on (hal_user.h: the x86 return skips it on a no).
 * Asked on every return to user mode: the tests are combined with | rather than ||, so the
 * common "no" is straight-line code (under TCG each branch taken ends a translation block). */
bool kernel_user_work_pending(void)
{
    struct thread *t = thread_current();
    struct uthread *ut;
    const struct proc *p;
    const struct uthread *by;

    /* a select, not a branch (hal_opaque: gcc would fold work_no_thread's NULL ut into one) */
    t = (struct thread *)hal_opaque((uintptr_t)(t ? t : &work_no_thread));
    ut = t->ut;
    if (!ut)
        return false;
    sched_cputime_mode(t, true); /* about to run in user mode unless there is work */
    p = ut->proc;
    by = __atomic_load_n(&p->exec_by, __ATOMIC_RELAXED); /* uthread_leaving, unrolled */
    return hal_opaque((signal_deliverable(ut) != 0) |
                      (unsigned)__atomic_load_n(&p->exiting, __ATOMIC_RELAXED) |
                      ((by != NULL) & (by != ut)) | (ut->orig_rax >= 0) |
                      (unsigned)ut->restore_sigmask | (unsigned)thread_interrupt_pending(t)) != 0;
}

/* The signal to take first among set (0: none): a synchronous one, else the lowest. */
static int next_signal(uint64_t set)
{
    uint64_t sync = set & synchronous;

    if (!set)
        return 0;
    return __builtin_ctzll(sync ? sync : set) + 1;
}

/* tlock held: take sig from sp into info; the entry it came from (to notify and free once
 * the lock is dropped), or NULL for a bit without a siginfo. */
static struct proc_sigq *take_locked(struct proc *p, struct proc_sigpending *sp, int sig,
                                     struct linux_siginfo *info)
{
    struct proc_sigq *found = NULL;

    list_for_each(&sp->q, n)
    {
        struct proc_sigq *e = container_of(n, struct proc_sigq, node);

        if (e->info.si_signo == sig) {
            found = e;
            break;
        }
    }
    if (found) {
        list_remove(&found->node);
        p->sigqueued--;
        *info = found->info;
    } else {
        memset(info, 0, sizeof(*info)); /* Linux: SI_USER, no sender, as the queue was full */
        info->si_signo = sig;
        info->si_code = LINUX_SI_USER;
    }
    if (!found || !queued_locked(sp, sig))
        sp->set &= ~SIG_BIT(sig);
    return found;
}

/* What a dequeue leaves to do once tlock is dropped: whom to tell, an entry to free. */
struct dequeued {
    signal_dequeue_fn notify;
    void *arg;
    struct proc_sigq *free;
};

/* tlock held: take the next signal of mask for ut into info (0: none). */
static int dequeue_locked(struct uthread *ut, uint64_t mask, struct linux_siginfo *info,
                          struct dequeued *d)
{
    struct proc *p = ut->proc;
    int sig = next_signal(ut->sigpending.set & mask);
    struct proc_sigq *e = NULL;

    if (sig)
        e = take_locked(p, &ut->sigpending, sig, info);
    else if ((sig = next_signal(p->sigpending.set & mask)) != 0)
        e = take_locked(p, &p->sigpending, sig, info);
    if (!signal_deliverable(ut) && ut->thread && ut->thread == thread_current())
        thread_clear_interrupt(ut->thread);
    d->notify = NULL;
    d->free = NULL;
    if (e) { /* its siginfo is in *info: what is left of it is whom to tell */
        d->notify = e->notify;
        d->arg = e->arg;
        if (!sigq_keep_locked(p, e))
            d->free = e;
    }
    return sig;
}

static void dequeue_finish(const struct dequeued *d, struct linux_siginfo *info)
{
    if (d->notify)
        d->notify(d->arg, info);
    if (d->free) /* kfree(NULL) still clears its locals: a dozen TB executions under TCG */
        kfree(d->free);
}

int signal_dequeue(struct uthread *ut, uint64_t mask, struct linux_siginfo *info)
{
    struct proc *p = ut->proc;
    struct dequeued d;
    uint64_t tok = spin_lock_irqsave(&p->tlock);
    int sig = dequeue_locked(ut, mask, info, &d);

    spin_unlock_irqrestore(&p->tlock, tok);
    dequeue_finish(&d, info);
    return sig;
}

/* Take the signal to deliver now (0: none) and its action, under one lock (the actions are
 * under tlock too); a handler with SA_RESETHAND goes back to SIG_DFL as it is taken (Linux's
 * SA_ONESHOT: flags, mask and restorer stay, sigaction still reads SA_RESETHAND). */
static int dequeue(struct uthread *ut, struct linux_siginfo *info, struct proc_sigaction *act)
{
    struct proc *p = ut->proc;
    struct dequeued d;
    uint64_t tok = spin_lock_irqsave(&p->tlock);
    int sig = dequeue_locked(ut, ~ut->sigmask, info, &d);

    if (sig) {
        *act = p->sigactions[sig - 1];
        if (act->handler > LINUX_SIG_IGN && (act->flags & LINUX_SA_RESETHAND))
            __atomic_store_n(&p->sigactions[sig - 1].handler, LINUX_SIG_DFL, __ATOMIC_RELAXED);
    }
    spin_unlock_irqrestore(&p->tlock, tok);
    dequeue_finish(&d, info);
    /* the seeded-preemption tests' decision point of the mutex this lock replaced (test
     * hosted.test_hosted_signal_user_pct's split case needs the interleavings) */
    sched_pct_point();
    return sig;
}

/* tlock held: take one pending instance of sig from the process's or any thread's set.
 * False when none is left; *e: its entry (NULL for a bit alone). */
static bool take_any_locked(struct proc *p, int sig, struct proc_sigq **e)
{
    struct linux_siginfo dummy;

    if (p->sigpending.set & SIG_BIT(sig)) {
        *e = take_locked(p, &p->sigpending, sig, &dummy);
        return true;
    }
    PROC_FOR_EACH_THREAD(p, ut)
    {
        if (ut->sigpending.set & SIG_BIT(sig)) {
            *e = take_locked(p, &ut->sigpending, sig, &dummy);
            return true;
        }
    }
    return false;
}

void signal_discard(struct proc *p, int sig)
{
    struct proc_sigq *e;
    uint64_t tok;
    bool more;

    do {
        tok = spin_lock_irqsave(&p->tlock);
        more = take_any_locked(p, sig, &e);
        spin_unlock_irqrestore(&p->tlock, tok);
        if (more && e) {
            if (e->notify)
                e->notify(e->arg, NULL);
            kfree(e);
        }
    } while (more);
}

/* --- the frame ----------------------------------------------------------------------------- */

static bool on_altstack(const struct uthread *ut, uint64_t sp)
{
    return ut->altstack.size && sp > ut->altstack.sp && sp - ut->altstack.sp <= ut->altstack.size;
}

static void fill_mcontext(struct linux_sigcontext *mc, const struct hal_uregs *r,
                          const struct linux_siginfo *info)
{
    mc->r8 = r->r8, mc->r9 = r->r9, mc->r10 = r->r10, mc->r11 = r->r11;
    mc->r12 = r->r12, mc->r13 = r->r13, mc->r14 = r->r14, mc->r15 = r->r15;
    mc->rdi = r->rdi, mc->rsi = r->rsi, mc->rbp = r->rbp, mc->rbx = r->rbx;
    mc->rdx = r->rdx, mc->rax = r->rax, mc->rcx = r->rcx, mc->rsp = r->rsp;
    mc->rip = r->rip;
    mc->eflags = r->rflags;
    mc->cs = USER_CS;
    mc->ss = USER_SS;
    if (info->si_signo == LINUX_SIGSEGV || info->si_signo == LINUX_SIGBUS)
        mc->cr2 = info->u.fault.addr;
}

/* Where the frame goes: returns the frame address and the fpstate address. */
static uint64_t frame_place(struct uthread *ut, const struct proc_sigaction *act,
                            const struct hal_uregs *r, uint64_t *fpstate)
{
    uint64_t sp = r->rsp - REDZONE;

    if ((act->flags & LINUX_SA_ONSTACK) && ut->altstack.size &&
        !on_altstack(ut, r->rsp))
        sp = ut->altstack.sp + ut->altstack.size;
    sp = (sp - hal_fpu_state_size()) & ~63ULL;
    *fpstate = sp;
    sp -= sizeof(struct linux_rt_sigframe);
    return ((sp + 8) & ~15ULL) - 8;
}

/* fpstate of at most this many bytes is staged on the kernel stack (FXSAVE's 512, or XSAVE
 * with AVX and the magic word: 836); a larger XSAVE area goes through kmalloc. */
#define FP_STACK_MAX 1024

/* The frame in f for sig: every byte set, none left from the kernel stack (no memset of the
 * 440 bytes first: each of its passes is a TB execution under TCG). */
static void fill_frame(struct linux_rt_sigframe *f, struct uthread *ut,
                       const struct proc_sigaction *act, const struct linux_siginfo *info,
                       uint64_t mask, const struct hal_uregs *r, uint64_t fpstate)
{
    struct linux_sigcontext *mc = &f->uc.uc_mcontext;

    _Static_assert(sizeof(*f) == 8 + 8 + 8 + sizeof(f->uc.uc_stack) + sizeof(*mc) + 8 +
                                     sizeof(f->info),
                   "fill_frame sets every field of the frame");
    _Static_assert(sizeof(*mc) == 24 * 8 + sizeof(mc->reserved1) && sizeof(mc->reserved1) == 64,
                   "fill_frame sets every field of uc_mcontext");
    f->pretcode = act->restorer;
    f->uc.uc_link = 0;
    mc->gs = mc->fs = 0;
    mc->err = mc->trapno = mc->cr2 = 0;
    mc->reserved1[0] = mc->reserved1[1] = mc->reserved1[2] = mc->reserved1[3] = 0;
    mc->reserved1[4] = mc->reserved1[5] = mc->reserved1[6] = mc->reserved1[7] = 0;
    /* Linux sets UC_FP_XSTATE only when the CPU has XSAVE, i.e. the fpstate carries the
     * extended image (larger than the 512-byte FXSAVE one) and its magic words */
    f->uc.uc_flags = (hal_fpu_state_size() > 512 ? LINUX_UC_FP_XSTATE : 0) |
                     LINUX_UC_SIGCONTEXT_SS | LINUX_UC_STRICT_RESTORE_SS;
    f->uc.uc_stack.ss_sp = ut->altstack.sp;
    f->uc.uc_stack.ss_size = ut->altstack.size;
    f->uc.uc_stack._pad = 0;
    f->uc.uc_stack.ss_flags = !ut->altstack.size ? LINUX_SS_DISABLE
                              : on_altstack(ut, r->rsp) ? LINUX_SS_ONSTACK
                                                        : ut->altstack.flags;
    fill_mcontext(&f->uc.uc_mcontext, r, info);
    f->uc.uc_mcontext.fpstate = fpstate;
    f->uc.uc_mcontext.oldmask = mask;
    f->uc.uc_sigmask = mask;
    f->info = *info;
}

/* The FPU state into the frame the slow way: staged on the kernel stack, then copy_to_user,
 * which faults the frame's pages in (the direct save found one not present); then the
 * handler's initial state. */
static int __attribute__((noinline)) fpu_to_frame_copy(uint64_t fpstate)
{
    uint8_t fp_local[FP_STACK_MAX] __attribute__((aligned(64)));
    size_t fpn = hal_fpu_state_size();
    void *fp = fpn <= sizeof(fp_local) ? fp_local : kmalloc(fpn);
    int rc;

    if (!fp)
        return -ENOMEM;
    hal_fpu_save_state(fp);
    rc = copy_to_user(uptr_make(fpstate), fp, fpn) ? -EFAULT : 0;
    if (fp != fp_local)
        kfree(fp);
    if (rc == 0)
        hal_fpu_reset_state();
    return rc;
}

/* Build the frame for sig in user memory and point regs at the handler. 0 or -EFAULT. The
 * frame is staged on the kernel stack (no allocation per signal); the FPU state goes from the
 * registers straight into it (hal_fpu_save_to_user), through a copy only after a fault. */
static int setup_frame(struct uthread *ut, int sig, const struct proc_sigaction *act,
                       const struct linux_siginfo *info, uint64_t mask, struct hal_uregs *r)
{
    struct linux_rt_sigframe f;
    uint64_t fpstate, at = frame_place(ut, act, r, &fpstate);

    fill_frame(&f, ut, act, info, mask, r, fpstate);
    if (copy_to_user(uptr_make(at), &f, sizeof(f)))
        return -EFAULT;
    if (hal_fpu_save_to_user(fpstate, true) && fpu_to_frame_copy(fpstate))
        return -EFAULT; /* either way the handler starts with the initial FPU state */
    r->rdi = (uint64_t)sig;
    r->rsi = at + offsetof(struct linux_rt_sigframe, info);
    r->rdx = at + offsetof(struct linux_rt_sigframe, uc);
    r->rax = 0;
    r->rsp = at;
    r->rip = act->handler;
    r->rflags &= ~(RFLAGS_TF | RFLAGS_DF | RFLAGS_RF);
    return 0;
}

/* --- restarting the interrupted syscall (signal.h "Restart") ----------------------------- */

#define NR_RESTART_SYSCALL 219

static void restart_same(struct hal_uregs *r, long nr)
{
    r->rax = (uint64_t)nr;
    r->rip -= 2; /* back over SYSCALL: both backends make the call again */
}

/* The syscall this return ends (if any): apply Linux's rules to a restart code in rax. act:
 * the handler about to run, NULL when none runs. Done once per syscall. */
static void restart_fixup(struct uthread *ut, struct hal_uregs *r,
                          const struct proc_sigaction *act)
{
    long nr = ut->orig_rax, rc = (long)r->rax;

    ut->orig_rax = -1;
    if (nr < 0)
        return;
    switch (rc) {
    case -ERESTARTNOHAND:
        if (act)
            r->rax = (uint64_t)-EINTR;
        else
            restart_same(r, nr);
        break;
    case -ERESTARTSYS:
        if (act && !(act->flags & LINUX_SA_RESTART))
            r->rax = (uint64_t)-EINTR;
        else
            restart_same(r, nr);
        break;
    case -ERESTARTNOINTR:
        restart_same(r, nr);
        break;
    case -ERESTART_RESTARTBLOCK:
        if (act || !ut->restart.fn) {
            ut->restart.fn = NULL;
            r->rax = (uint64_t)-EINTR;
        } else {
            restart_same(r, NR_RESTART_SYSCALL);
        }
        break;
    default:
        break;
    }
}

/* --- temporary masks ------------------------------------------------------------------------ */

#define UNBLOCKABLE (SIG_BIT(LINUX_SIGKILL) | SIG_BIT(LINUX_SIGSTOP))

/* The calling thread's mask becomes mask; a signal it unblocks interrupts its next wait. */
static void mask_set(struct uthread *ut, uint64_t mask)
{
    uint64_t tok = spin_lock_irqsave(&ut->proc->tlock);

    ut->sigmask = mask & ~UNBLOCKABLE;
    if (ut->thread) {
        if (signal_deliverable(ut))
            thread_interrupt(ut->thread);
        else
            thread_clear_interrupt(ut->thread);
    }
    spin_unlock_irqrestore(&ut->proc->tlock, tok);
}

void signal_mask_push(uint64_t mask)
{
    struct uthread *ut = uthread_current();

    if (!ut)
        return;
    if (!ut->restore_sigmask)
        ut->sigmask_saved = ut->sigmask;
    ut->restore_sigmask = true;
    mask_set(ut, mask);
}

void signal_mask_pop(bool interrupted)
{
    struct uthread *ut = uthread_current();

    if (!ut || !ut->restore_sigmask)
        return;
    if (interrupted && ut->regs)
        return; /* delivery records it in the frame, or restores it (kernel_user_return) */
    ut->restore_sigmask = false;
    mask_set(ut, ut->sigmask_saved);
}

/* --- waiting for signals (rt_sigsuspend, pause, rt_sigtimedwait) -------------------------- */

int signal_wait(uint64_t wake, uint64_t deadline_ns)
{
    struct uthread *ut = uthread_current();
    struct proc *p = ut->proc;

    for (;;) {
        uint64_t tok = spin_lock_irqsave(&p->tlock);
        uint64_t pending = ut->sigpending.set | p->sigpending.set;

        /* a stale interrupt (its signal went to another thread) must not end the sleep */
        if (!(pending & wake) && !(pending & ~ut->sigmask) && ut->thread)
            thread_clear_interrupt(ut->thread);
        spin_unlock_irqrestore(&p->tlock, tok);
        if (pending & wake)
            return 0;
        if (uthread_leaving(ut)) /* exit_group, a fatal signal, or execve in another thread */
            return -EINTR;
        if (sched_sleep_until_intr(deadline_ns) == 0)
            return -ETIMEDOUT;
    }
}

int signal_timedwait(uint64_t set, uint64_t deadline_ns, struct linux_siginfo *info)
{
    struct uthread *ut = uthread_current();
    uint64_t blocked = ut->sigmask;
    int sig = signal_dequeue(ut, set, info), rc;

    if (sig || deadline_ns == 0)
        return sig ? sig : -EAGAIN;
    /* as Linux: the set is unblocked while waiting, so its signals interrupt the sleep (and
     * are not dropped as ignored: sigwaitset); any other deliverable signal ends it too */
    __atomic_store_n(&ut->sigwaitset, set, __ATOMIC_RELAXED);
    mask_set(ut, blocked & ~set);
    rc = signal_wait(~ut->sigmask, deadline_ns);
    mask_set(ut, blocked);
    __atomic_store_n(&ut->sigwaitset, 0, __ATOMIC_RELAXED);
    sig = signal_dequeue(ut, set, info);
    if (sig)
        return sig;
    return rc == -ETIMEDOUT ? -EAGAIN : -EINTR;
}

/* --- delivery ------------------------------------------------------------------------------- */

static void __attribute__((noreturn)) die(struct proc *p, int sig)
{
    proc_report_signal_death(p, sig);
    proc_exit_group(p, 128 + sig);
}

/* Apply act, the action for one dequeued signal. */
static void deliver(struct uthread *ut, int sig, const struct linux_siginfo *info,
                    const struct proc_sigaction *act, struct hal_uregs *r)
{
    struct proc *p = ut->proc;
    uint64_t frame_mask;

    if (act->handler == LINUX_SIG_IGN && sig != LINUX_SIGKILL)
        return;
    if (act->handler == LINUX_SIG_DFL || sig == LINUX_SIGKILL) {
        if (default_ignored & SIG_BIT(sig))
            return;
        die(p, sig);
    }
    restart_fixup(ut, r, act);
    frame_mask = ut->restore_sigmask ? ut->sigmask_saved : ut->sigmask;
    ut->restore_sigmask = false;
    if (setup_frame(ut, sig, act, info, frame_mask, r))
        die(p, LINUX_SIGSEGV); /* Linux: force_sigsegv, the frame could not be written */
    ut->sigmask |= act->mask;
    if (!(act->flags & LINUX_SA_NODEFER))
        ut->sigmask |= SIG_BIT(sig);
    ut->sigmask &= ~UNBLOCKABLE;
    if ((act->flags & LINUX_SA_ONSTACK) && (ut->altstack.flags & LINUX_SS_AUTODISARM) &&
        on_altstack(ut, r->rsp))
        memset(&ut->altstack, 0, sizeof(ut->altstack));
}

/* --- SIGPIPE (fs/file's hook) ------------------------------------------------------------ */

/* A write found no reader: SIGPIPE for the writing thread, as Linux's send_sig(SIGPIPE,
 * current, 0): thread-directed, SI_USER with the process's own pid (checked natively). */
static void sigpipe_raise(void)
{
    struct uthread *ut = uthread_current();
    struct linux_siginfo si = {.si_signo = LINUX_SIGPIPE, .si_code = LINUX_SI_USER};

    if (!ut)
        return;
    si.u.kill.pid = ut->proc->pid;
    signal_send(ut->proc, ut, LINUX_SIGPIPE, &si);
}

void signal_init(void)
{
    signalfd_init();
    sigio_init();
    file_set_sigpipe_hook(sigpipe_raise);
}

void kernel_user_return(struct hal_uregs *regs)
{
    struct thread *t = thread_current();
    struct uthread *ut = t ? t->ut : NULL;
    struct linux_siginfo info;
    struct proc_sigaction act = {0}; /* set with each signal taken (GCC cannot see it) */
    int sig;

    if (!ut)
        return;
    if (uthread_leaving(ut))
        uthread_return_check(); /* an ending process takes this thread out first */
    /* Lock-free tests before each dequeue (the common return has nothing to do): dequeue
     * takes the lock, and with nothing deliverable it only clears a stale interrupt of the
     * thread - which the dequeue of the last deliverable signal has done already. */
    while (signal_deliverable(ut) || (ut->thread && thread_interrupt_pending(ut->thread))) {
        sig = dequeue(ut, &info, &act);
        if (!sig)
            break;
        deliver(ut, sig, &info, &act, regs);
    }
    restart_fixup(ut, regs, NULL); /* no handler ran for the syscall (if any) */
    if (ut->restore_sigmask) {
        ut->restore_sigmask = false;
        mask_set(ut, ut->sigmask_saved);
    }
}

/* --- execve ------------------------------------------------------------------------------------ */

void signal_exec_reset(struct proc *p, struct uthread *ut)
{
    uint64_t tok = spin_lock_irqsave(&p->tlock);

    for (int i = 0; i < PROC_NSIG; i++) {
        struct proc_sigaction *sa = &p->sigactions[i];

        /* handlers are gone with the old program; SIG_IGN stays, as Linux keeps it */
        sa->handler = sa->handler == LINUX_SIG_IGN ? LINUX_SIG_IGN : LINUX_SIG_DFL;
        sa->flags = 0;
        sa->restorer = 0;
        sa->mask = 0;
    }
    spin_unlock_irqrestore(&p->tlock, tok);
    memset(&ut->altstack, 0, sizeof(ut->altstack)); /* size 0: disabled */
}
