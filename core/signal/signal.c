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
 * gains sa_mask and the signal itself (unless SA_NODEFER); SA_RESETHAND resets the action;
 * the handler starts with the initial FPU state. rt_sigreturn (sys_signal.c) restores it all.
 */
#include "core/signal/signal.h"

#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/mm/uaccess.h"
#include "core/sched/sched.h"
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

int signal_send(struct proc *p, struct uthread *ut, int sig, const struct linux_siginfo *info)
{
    struct linux_siginfo si = {.si_signo = sig, .si_code = LINUX_SI_KERNEL};
    uint64_t *set, tok;
    struct uthread *wake;

    if (sig < 1 || sig > PROC_NSIG)
        return -EINVAL;
    if (info)
        si = *info;
    si.si_signo = sig;
    tok = spin_lock_irqsave(&p->tlock);
    set = ut ? &ut->sigpending : &p->sigpending;
    if (!(*set & SIG_BIT(sig))) {
        *set |= SIG_BIT(sig);
        (ut ? ut->siginfo : p->siginfo)[sig - 1] = si;
    }
    wake = ut ? ut : pick_thread(p, sig);
    if (wake && wake->thread && !(wake->sigmask & SIG_BIT(sig)))
        thread_interrupt(wake->thread);
    spin_unlock_irqrestore(&p->tlock, tok);
    return 0;
}

uint64_t signal_deliverable(struct uthread *ut)
{
    return (ut->sigpending | ut->proc->sigpending) & ~ut->sigmask;
}

bool kernel_user_work_pending(void)
{
    struct uthread *ut = uthread_current();

    return ut && (signal_deliverable(ut) || ut->proc->exiting);
}

/* Take the lowest deliverable signal (the thread's before the process's): 0 when none. */
static int dequeue(struct uthread *ut, struct linux_siginfo *info)
{
    struct proc *p = ut->proc;
    uint64_t tok = spin_lock_irqsave(&p->tlock);
    uint64_t mine = ut->sigpending & ~ut->sigmask, shared = p->sigpending & ~ut->sigmask;
    int sig = 0;

    if (mine) {
        sig = __builtin_ctzll(mine) + 1;
        ut->sigpending &= ~SIG_BIT(sig);
        *info = ut->siginfo[sig - 1];
    } else if (shared) {
        sig = __builtin_ctzll(shared) + 1;
        p->sigpending &= ~SIG_BIT(sig);
        *info = p->siginfo[sig - 1];
    }
    if (!signal_deliverable(ut) && ut->thread)
        thread_clear_interrupt(ut->thread);
    spin_unlock_irqrestore(&p->tlock, tok);
    return sig;
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

/* Build the frame for sig in user memory and point regs at the handler. 0 or -EFAULT. */
static int setup_frame(struct uthread *ut, int sig, const struct proc_sigaction *act,
                       const struct linux_siginfo *info, struct hal_uregs *r)
{
    struct linux_rt_sigframe *f = kzalloc(sizeof(*f));
    void *fp = kmalloc(hal_fpu_state_size());
    uint64_t fpstate, at = frame_place(ut, act, r, &fpstate);
    int rc = (f && fp) ? 0 : -ENOMEM;

    if (rc == 0) {
        f->pretcode = act->restorer;
        f->uc.uc_flags = LINUX_UC_FP_XSTATE | LINUX_UC_SIGCONTEXT_SS | LINUX_UC_STRICT_RESTORE_SS;
        f->uc.uc_stack.ss_sp = ut->altstack.sp;
        f->uc.uc_stack.ss_size = ut->altstack.size;
        f->uc.uc_stack.ss_flags = !ut->altstack.size ? LINUX_SS_DISABLE
                                  : on_altstack(ut, r->rsp) ? LINUX_SS_ONSTACK
                                                            : ut->altstack.flags;
        fill_mcontext(&f->uc.uc_mcontext, r, info);
        f->uc.uc_mcontext.fpstate = fpstate;
        f->uc.uc_mcontext.oldmask = ut->sigmask;
        f->uc.uc_sigmask = ut->sigmask;
        f->info = *info;
        hal_fpu_save_state(fp);
        if (copy_to_user(uptr_make(fpstate), fp, hal_fpu_state_size()) ||
            copy_to_user(uptr_make(at), f, sizeof(*f)))
            rc = -EFAULT;
    }
    kfree(f);
    kfree(fp);
    if (rc)
        return rc;
    r->rdi = (uint64_t)sig;
    r->rsi = at + offsetof(struct linux_rt_sigframe, info);
    r->rdx = at + offsetof(struct linux_rt_sigframe, uc);
    r->rax = 0;
    r->rsp = at;
    r->rip = act->handler;
    r->rflags &= ~(RFLAGS_TF | RFLAGS_DF | RFLAGS_RF);
    hal_fpu_reset_state();
    return 0;
}

/* --- delivery ------------------------------------------------------------------------------- */

static void __attribute__((noreturn)) die(struct proc *p, int sig)
{
    proc_exit_group(p, 128 + sig);
}

/* Apply the action for one dequeued signal. */
static void deliver(struct uthread *ut, int sig, const struct linux_siginfo *info,
                    struct hal_uregs *r)
{
    struct proc *p = ut->proc;
    struct proc_sigaction act;

    mutex_lock(&p->lock);
    memcpy(&act, &p->sigactions[sig - 1], sizeof(act));
    if (act.handler > LINUX_SIG_IGN && (act.flags & LINUX_SA_RESETHAND))
        memset(&p->sigactions[sig - 1], 0, sizeof(act));
    mutex_unlock(&p->lock);
    if (act.handler == LINUX_SIG_IGN && sig != LINUX_SIGKILL)
        return;
    if (act.handler == LINUX_SIG_DFL || sig == LINUX_SIGKILL) {
        if (default_ignored & SIG_BIT(sig))
            return;
        die(p, sig);
    }
    if (setup_frame(ut, sig, &act, info, r))
        die(p, LINUX_SIGSEGV); /* Linux: force_sigsegv, the frame could not be written */
    ut->sigmask |= act.mask;
    if (!(act.flags & LINUX_SA_NODEFER))
        ut->sigmask |= SIG_BIT(sig);
    ut->sigmask &= ~(SIG_BIT(LINUX_SIGKILL) | SIG_BIT(LINUX_SIGSTOP));
    if ((act.flags & LINUX_SA_ONSTACK) && (ut->altstack.flags & LINUX_SS_AUTODISARM) &&
        on_altstack(ut, r->rsp))
        memset(&ut->altstack, 0, sizeof(ut->altstack));
}

void kernel_user_return(struct hal_uregs *regs)
{
    struct uthread *ut = uthread_current();
    struct linux_siginfo info;
    int sig;

    if (!ut)
        return;
    uthread_return_check(); /* an ending process takes this thread out first */
    while ((sig = dequeue(ut, &info)) != 0)
        deliver(ut, sig, &info, regs);
}

/* --- execve ------------------------------------------------------------------------------------ */

void signal_exec_reset(struct proc *p, struct uthread *ut)
{
    mutex_lock(&p->lock);
    for (int i = 0; i < PROC_NSIG; i++) {
        struct proc_sigaction *sa = &p->sigactions[i];

        /* handlers are gone with the old program; SIG_IGN stays, as Linux keeps it */
        sa->handler = sa->handler == LINUX_SIG_IGN ? LINUX_SIG_IGN : LINUX_SIG_DFL;
        sa->flags = 0;
        sa->restorer = 0;
        sa->mask = 0;
    }
    mutex_unlock(&p->lock);
    memset(&ut->altstack, 0, sizeof(ut->altstack)); /* size 0: disabled */
}
