/*
 * sys_signal.c - the signal syscalls: rt_sigaction, rt_sigprocmask, rt_sigpending,
 * sigaltstack, rt_sigreturn, restart_syscall, pause, rt_sigsuspend, rt_sigtimedwait, kill,
 * tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo (docs/signals.md).
 *
 * Each decodes and validates its arguments first (bad pointers -EFAULT, bad flags and sizes
 * -EINVAL, as Linux answers), then acts. The signal layer sits below the syscall layer, so
 * user memory goes through core/mm's copies directly.
 */
#include "core/lib/alloc.h"
#include "core/abi/time.h"
#include "core/lib/kstring.h"
#include "core/mm/uaccess.h"
#include "core/signal/signal.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"
#include "hal/hal_user.h"

#define SIG_BIT(s) (1ULL << ((s) - 1))
#define UNBLOCKABLE (SIG_BIT(LINUX_SIGKILL) | SIG_BIT(LINUX_SIGSTOP))
#define SA_KNOWN                                                                                   \
    (LINUX_SA_NOCLDSTOP | LINUX_SA_NOCLDWAIT | LINUX_SA_SIGINFO | LINUX_SA_RESTORER |            \
     LINUX_SA_ONSTACK | LINUX_SA_RESTART | LINUX_SA_NODEFER | LINUX_SA_RESETHAND |                \
     LINUX_SA_EXPOSE_TAGBITS)
#define NSEC 1000000000LL
#define RFLAGS_USER 0x254dd5ULL /* what rt_sigreturn may restore: CF PF AF ZF SF TF DF OF AC ID */

static int copy_in(void *dst, uint64_t u, size_t n)
{
    return copy_from_user(dst, uptr_make(u), n) ? -EFAULT : 0;
}

static int copy_out(uint64_t u, const void *src, size_t n)
{
    return copy_to_user(uptr_make(u), src, n) ? -EFAULT : 0;
}

long sys_rt_sigaction(const uint64_t a[6])
{
    struct proc *p = proc_current();
    struct proc_sigaction act, old;
    uint64_t sig = a[0], tok;

    if (a[3] != sizeof(uint64_t) || sig < 1 || sig > PROC_NSIG)
        return -EINVAL;
    if (a[1] && (sig == LINUX_SIGKILL || sig == LINUX_SIGSTOP))
        return -EINVAL;
    if (a[1] && copy_in(&act, a[1], sizeof(act)))
        return -EFAULT;
    tok = spin_lock_irqsave(&p->tlock); /* the actions are under tlock (signal.h) */
    old = p->sigactions[sig - 1];
    spin_unlock_irqrestore(&p->tlock, tok);
    if (a[2] && copy_out(a[2], &old, sizeof(old)))
        return -EFAULT;
    if (a[1]) {
        act.flags &= SA_KNOWN; /* Linux keeps unknown bits out (SA_UNSUPPORTED probing) */
        act.mask &= ~UNBLOCKABLE;
        tok = spin_lock_irqsave(&p->tlock);
        __atomic_store_n(&p->sigactions[sig - 1].handler, act.handler, __ATOMIC_RELAXED);
        p->sigactions[sig - 1].flags = act.flags;
        p->sigactions[sig - 1].restorer = act.restorer;
        p->sigactions[sig - 1].mask = act.mask;
        spin_unlock_irqrestore(&p->tlock, tok);
        if (signal_ignored(p, (int)sig))
            signal_discard(p, (int)sig); /* POSIX: pending instances are discarded */
    }
    return 0;
}

long sys_rt_sigprocmask(const uint64_t a[6])
{
    struct uthread *t = uthread_current();
    uint64_t set = 0, old = t->sigmask;

    if (a[3] != sizeof(uint64_t))
        return -EINVAL;
    if (a[1]) {
        if (a[0] > LINUX_SIG_SETMASK)
            return -EINVAL;
        if (copy_in(&set, a[1], sizeof(set)))
            return -EFAULT;
    }
    if (a[2] && copy_out(a[2], &old, sizeof(old)))
        return -EFAULT;
    if (!a[1])
        return 0;
    if (a[0] == LINUX_SIG_BLOCK)
        t->sigmask = old | set;
    else if (a[0] == LINUX_SIG_UNBLOCK)
        t->sigmask = old & ~set;
    else
        t->sigmask = set;
    t->sigmask &= ~UNBLOCKABLE;
    return 0; /* newly unblocked pending signals are taken on the way out */
}

long sys_rt_sigpending(const uint64_t a[6])
{
    struct uthread *t = uthread_current();
    uint64_t set;

    if (a[1] > sizeof(uint64_t))
        return -EINVAL;
    set = (t->sigpending.set | t->proc->sigpending.set) & t->sigmask;
    return a[1] && copy_out(a[0], &set, a[1]) ? -EFAULT : 0;
}

long sys_sigaltstack(const uint64_t a[6])
{
    struct uthread *t = uthread_current();
    struct proc_sigaltstack ss, old = t->altstack;
    bool on = old.size && t->regs && t->regs->rsp > old.sp && t->regs->rsp - old.sp <= old.size;

    if (a[0]) {
        if (copy_in(&ss, a[0], sizeof(ss)))
            return -EFAULT;
        if ((uint32_t)ss.flags & ~(LINUX_SS_DISABLE | LINUX_SS_AUTODISARM | LINUX_SS_ONSTACK))
            return -EINVAL;
        if (on)
            return -EPERM; /* cannot change the stack the thread is running on */
        if (!(ss.flags & LINUX_SS_DISABLE) && ss.size < LINUX_MINSIGSTKSZ)
            return -ENOMEM;
    }
    if (!old.size)
        old.flags = LINUX_SS_DISABLE;
    else if (on)
        old.flags |= LINUX_SS_ONSTACK;
    if (a[1] && copy_out(a[1], &old, sizeof(old)))
        return -EFAULT;
    if (a[0]) {
        if (ss.flags & LINUX_SS_DISABLE)
            memset(&ss, 0, sizeof(ss));
        ss.flags &= (int32_t)~LINUX_SS_ONSTACK;
        t->altstack = ss;
    }
    return 0;
}

/* The registers of uc_mcontext into the frame (rflags: only what a program may change). */
static void restore_regs(struct hal_uregs *r, const struct linux_sigcontext *mc)
{
    r->r8 = mc->r8, r->r9 = mc->r9, r->r10 = mc->r10, r->r11 = mc->r11;
    r->r12 = mc->r12, r->r13 = mc->r13, r->r14 = mc->r14, r->r15 = mc->r15;
    r->rdi = mc->rdi, r->rsi = mc->rsi, r->rbp = mc->rbp, r->rbx = mc->rbx;
    r->rdx = mc->rdx, r->rax = mc->rax, r->rcx = mc->rcx, r->rsp = mc->rsp;
    r->rip = mc->rip;
    r->rflags = (r->rflags & ~RFLAGS_USER) | (mc->eflags & RFLAGS_USER);
}

/* An fpstate of at most this many bytes is read onto the kernel stack (FXSAVE's 512, XSAVE
 * with AVX: 836); a larger one through kmalloc. */
#define FP_STACK_MAX 1024

/*
 * How much of the frame's FPU state at fpstate a restore reads, decided from its legacy 512
 * bytes as Linux's check_xstate_in_sigframe: when the software bytes announce an XSAVE image
 * this CPU can take (MAGIC1, xstate_size between the legacy part plus header and ours, within
 * extended_size), FP_XSTATE_MAGIC2 after it decides - unreadable: -EFAULT, wrong: only the
 * legacy part counts - and the image must be 64-byte aligned (XRSTOR's #GP: Linux's sigreturn
 * fails) and readable whole. Otherwise 512 bytes, at any alignment (checked natively: Linux
 * 6.18 takes a legacy image at offset 8). *n: bytes to use, at most max (hal_fpu_state_size).
 */
static int fpu_frame_extent(const uint8_t *legacy, uint64_t fpstate, size_t max, size_t *n)
{
    const struct linux_fpstate *fp = (const void *)legacy;
    const struct linux_fpx_sw_bytes *sw = &fp->sw_reserved;
    uint32_t magic2;

    *n = 512;
    if (max <= 512 || sw->magic1 != LINUX_FP_XSTATE_MAGIC1 || sw->xstate_size < 512 + 64 ||
        sw->xstate_size > max - LINUX_FP_XSTATE_MAGIC2_SIZE || sw->xstate_size > sw->extended_size)
        return 0;
    if (copy_in(&magic2, fpstate + sw->xstate_size, sizeof(magic2)))
        return -EFAULT;
    if (magic2 != LINUX_FP_XSTATE_MAGIC2)
        return 0;
    *n = sw->xstate_size + LINUX_FP_XSTATE_MAGIC2_SIZE;
    return fpstate & 63 ? -EFAULT : 0;
}

/* The frame's FPU state copied in (faulting its pages in) and validated: what the direct
 * restore leaves (a fault, a frame without the magic words, an unaligned one, one the CPU
 * refuses). */
static int __attribute__((noinline)) restore_fpu_copy(uint64_t fpstate)
{
    uint8_t local[FP_STACK_MAX] __attribute__((aligned(64)));
    size_t n = hal_fpu_state_size();
    uint8_t *buf = n <= sizeof(local) ? local : kmalloc(n);
    int rc;

    if (!buf)
        return -ENOMEM;
    rc = copy_in(buf, fpstate, 512);
    if (rc == 0)
        rc = fpu_frame_extent(buf, fpstate, n, &n);
    if (rc == 0 && n > 512) { /* the image; MAGIC2 (read above) goes where the HAL looks */
        uint32_t magic2 = LINUX_FP_XSTATE_MAGIC2;
        size_t xs = n - LINUX_FP_XSTATE_MAGIC2_SIZE;

        rc = copy_in(buf + 512, fpstate + 512, xs - 512);
        memcpy(buf + xs, &magic2, sizeof(magic2));
    }
    if (rc == 0)
        rc = hal_fpu_restore_state(buf, n);
    if (buf != local)
        kfree(buf);
    return rc;
}

/* The FPU state the frame points to (none: the initial state). 0 or -EFAULT/-EINVAL. The
 * common frame goes straight into the registers (hal_fpu_restore_from_user). */
static int restore_fpu(uint64_t fpstate)
{
    if (!fpstate) {
        hal_fpu_reset_state();
        return 0;
    }
    if (hal_fpu_restore_from_user(fpstate) == 0)
        return 0;
    return restore_fpu_copy(fpstate);
}

long sys_rt_sigreturn(const uint64_t a[6])
{
    struct uthread *t = uthread_current();
    struct hal_uregs *r = t->regs;
    struct linux_ucontext uc;
    uint64_t frame;

    (void)a;
    if (!r)
        return -ENOSYS; /* called as C: there is no user frame to restore */
    frame = r->rsp - sizeof(uint64_t); /* the handler's ret popped pretcode */
    if (copy_in(&uc, frame + offsetof(struct linux_rt_sigframe, uc), sizeof(uc)) ||
        restore_fpu(uc.uc_mcontext.fpstate)) {
        /* Linux: a frame that cannot be restored is a SIGSEGV the handler cannot catch */
        proc_exit_group(t->proc, 128 + LINUX_SIGSEGV);
    }
    restore_regs(r, &uc.uc_mcontext);
    t->sigmask = uc.uc_sigmask & ~UNBLOCKABLE;
    t->orig_rax = -1;      /* rax is the interrupted code's, not a result to restart */
    t->restart.fn = NULL;  /* Linux: do_no_restart_syscall */
    if (uc.uc_stack.ss_size >= LINUX_MINSIGSTKSZ && !(uc.uc_stack.ss_flags & LINUX_SS_DISABLE)) {
        t->altstack.sp = uc.uc_stack.ss_sp;
        t->altstack.size = uc.uc_stack.ss_size;
        t->altstack.flags = uc.uc_stack.ss_flags & (int32_t)LINUX_SS_AUTODISARM;
    }
    return (long)r->rax; /* the dispatcher stores it back in rax */
}

/* restart_syscall(219): continue the call the restart block describes (signal.h). */
long sys_restart_syscall(const uint64_t a[6])
{
    struct uthread *t = uthread_current();
    struct uthread_restart rb = t->restart;

    (void)a;
    t->restart.fn = NULL;
    return rb.fn ? rb.fn(&rb) : -EINTR;
}

/* --- waiting ------------------------------------------------------------------------------- */

/* pause(34): until a signal is delivered; -ERESTARTNOHAND (EINTR after a handler, restarted
 * when none runs). */
long sys_pause(const uint64_t a[6])
{
    struct uthread *t = uthread_current();

    (void)a;
    signal_wait(~t->sigmask, UINT64_MAX);
    return -ERESTARTNOHAND;
}

/* rt_sigsuspend(130): pause with a temporary mask, restored after the handler. */
long sys_rt_sigsuspend(const uint64_t a[6])
{
    uint64_t mask;

    if (a[1] != sizeof(uint64_t))
        return -EINVAL;
    if (copy_in(&mask, a[0], sizeof(mask)))
        return -EFAULT;
    signal_mask_push(mask);
    signal_wait(~uthread_current()->sigmask, UINT64_MAX);
    signal_mask_pop(true);
    return -ERESTARTNOHAND;
}

/* A user timespec as a monotonic deadline: 0 for a zero timeout, UINT64_MAX for none. */
static int timeout_in(uint64_t u, uint64_t *deadline)
{
    struct linux_timespec ts;
    uint64_t ns, now;

    *deadline = UINT64_MAX;
    if (!u)
        return 0;
    if (copy_in(&ts, u, sizeof(ts)))
        return -EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC)
        return -EINVAL;
    if ((uint64_t)ts.tv_sec >= UINT64_MAX / 2 / NSEC)
        return 0; /* beyond any clock */
    ns = (uint64_t)ts.tv_sec * NSEC + (uint64_t)ts.tv_nsec;
    now = hal_clock_ns();
    *deadline = ns ? now + ns : 0;
    return 0;
}

/* rt_sigtimedwait(128): Linux's checks in its order (size, set, timeout), then wait. A
 * signal taken but not copied out is lost (-EFAULT), as on Linux. Plain -EINTR, never
 * restarted. */
long sys_rt_sigtimedwait(const uint64_t a[6])
{
    struct linux_siginfo info;
    uint64_t set, deadline;
    long rc;

    if (a[3] != sizeof(uint64_t))
        return -EINVAL;
    if (copy_in(&set, a[0], sizeof(set)))
        return -EFAULT;
    rc = timeout_in(a[2], &deadline);
    if (rc)
        return rc;
    rc = signal_timedwait(set & ~UNBLOCKABLE, deadline, &info);
    if (rc > 0 && a[1] && copy_out(a[1], &info, sizeof(info)))
        return -EFAULT;
    return rc;
}

/* --- sending ------------------------------------------------------------------------------- */

/* kill's and tgkill's siginfo. Cleared by copying a zero one: GCC expands a zeroing
 * initializer into rep stos (16 iterations, each a TB execution under TCG) and memset is a
 * call with a loop, while a struct copy is straight-line moves. */
static void user_info(struct linux_siginfo *si, struct proc *p, int sig, int code)
{
    static const struct linux_siginfo zero;

    *si = zero;
    si->si_signo = sig;
    si->si_code = code;
    si->u.kill.pid = p->pid;
}

long sys_kill(const uint64_t a[6])
{
    struct proc *p = proc_current();
    int64_t pid = (int32_t)a[0];
    uint64_t sig = a[1];
    struct linux_siginfo si;

    if (sig > PROC_NSIG)
        return -EINVAL;
    if (pid != p->pid && pid != 0 && pid != -1 && pid != -p->pid)
        return -ESRCH; /* the only process there is */
    if (sig == 0)
        return 0;
    user_info(&si, p, (int)sig, LINUX_SI_USER);
    return signal_send(p, NULL, (int)sig, &si);
}

/* tkill/tgkill. To the calling thread itself (raise(), Go's preemption signals) there is
 * nothing to look up: the running thread cannot go away, so no list walk and no reference
 * (two tlock round trips less per signal). */
static long thread_kill(int tgid, int tid, uint64_t sig)
{
    struct uthread *self = uthread_current(), *ut;
    struct proc *p = self->proc;
    struct linux_siginfo si;
    long rc = 0;

    if (tid <= 0 || (tgid != -1 && tgid <= 0) || sig > PROC_NSIG)
        return -EINVAL;
    if (tgid != -1 && tgid != p->pid)
        return -ESRCH;
    ut = tid == self->tid ? self : proc_find_thread(p, tid);
    if (!ut)
        return -ESRCH;
    if (sig) {
        user_info(&si, p, (int)sig, LINUX_SI_TKILL);
        rc = signal_send(p, ut, (int)sig, &si);
    }
    if (ut != self)
        uthread_put(ut);
    return rc;
}

/*
 * The checks rt_sigqueueinfo and rt_tgsigqueueinfo share, after the copy: a program may
 * queue any siginfo, but one that claims to come from kill or the kernel (si_code >= 0, or
 * SI_TKILL) only to itself (Linux compares with the caller's thread id). -EPERM.
 */
static long queue_checks(const struct linux_siginfo *si, int to)
{
    if ((si->si_code >= 0 || si->si_code == LINUX_SI_TKILL) && to != uthread_current()->tid)
        return -EPERM;
    return 0;
}

/* rt_sigqueueinfo(129): a process-directed signal with the caller's siginfo. */
long sys_rt_sigqueueinfo(const uint64_t a[6])
{
    struct proc *p = proc_current();
    struct linux_siginfo si;
    int pid = (int)a[0];
    long rc;

    if (copy_in(&si, a[2], sizeof(si)))
        return -EFAULT;
    rc = queue_checks(&si, pid);
    if (rc)
        return rc;
    if (pid != p->pid)
        return -ESRCH;
    if (a[1] > PROC_NSIG)
        return -EINVAL;
    return a[1] ? signal_send(p, NULL, (int)a[1], &si) : 0;
}

/* rt_tgsigqueueinfo(297): the same to one thread. */
long sys_rt_tgsigqueueinfo(const uint64_t a[6])
{
    struct proc *p = proc_current();
    struct linux_siginfo si;
    int tgid = (int)a[0], tid = (int)a[1];
    struct uthread *ut;
    long rc;

    if (copy_in(&si, a[3], sizeof(si)))
        return -EFAULT;
    if (tid <= 0 || tgid <= 0)
        return -EINVAL;
    rc = queue_checks(&si, tid);
    if (rc)
        return rc;
    ut = tgid == p->pid ? proc_find_thread(p, tid) : NULL;
    if (!ut)
        return -ESRCH;
    if (a[2] > PROC_NSIG)
        rc = -EINVAL;
    else if (a[2])
        rc = signal_send(p, ut, (int)a[2], &si);
    uthread_put(ut);
    return rc;
}

long sys_tkill(const uint64_t a[6])
{
    return thread_kill(-1, (int)a[0], a[1]);
}

long sys_tgkill(const uint64_t a[6])
{
    return thread_kill((int)a[0], (int)a[1], a[2]);
}
