/*
 * user.c - hosted user mode: hal_user_enter() runs C functions of the test process as the
 * "program", and hosted_syscall() is its SYSCALL instruction (docs/hosted.md "User mode").
 *
 * A tiny machine stands in for the CPU in user mode. Its registers are the thread's
 * struct hal_uregs (kept in hal_user_enter's frame, reached through the running context's
 * `user` field); its "instructions" are:
 *
 *   - rip = a function of the test binary's text: call it as fn(rdi, rsi, rdx) on the
 *     thread's stack. When it returns, the next instruction is a `ret` (below), except for
 *     the entry function, whose return ends hal_user_enter();
 *   - rip = RET: pop the return address from the user stack at rsp (a signal handler returns
 *     to its frame's sa_restorer this way);
 *   - rip = the address of an entry record + 2: resume the C code that entered the kernel
 *     there (the hosted_syscall() call returns rax); + 0: that entry's instruction itself (a
 *     syscall restarts, as x86's rip - 2; a fault is retried);
 *   - anything else faults (kernel_user_fault, HAL_FAULT_PAGE_EXEC at rip), as executing
 *     unmapped memory would.
 *
 * Entry records live on the C stack of the call that entered the kernel; the thread keeps a
 * small stack of pointers to them (never dereferenced except to longjmp to a live one). A
 * handler that sigreturns from inside a nested hosted_syscall() makes rip the address of an
 * outer record: the machine longjmps there, dropping the handler's C frames exactly as
 * rt_sigreturn drops a handler's stack, before the return work, so a signal pending at that
 * return runs its handler from the outer level (signals in a burst do not nest C frames).
 * User code may also longjmp out of a handler itself (siglongjmp from a SIGSEGV handler): the
 * records it jumped over are dropped at the next entry (they lie at or below its own record
 * on the stack) or when the function the machine called returns. Every return to user mode
 * runs the kernel's return work as hal_x86 does: kernel_user_return() with interrupts
 * enabled, again while kernel_user_work_pending() (interrupts disabled) says so, and once more
 * when an interrupt is pending at the last moment (it is taken "in user mode").
 *
 * FPU state: C code runs with the host's registers, so each user thread's "FPU" is a buffer
 * in Linux's signal-frame layout as an x87+SSE XSAVE CPU writes it (legacy image + header),
 * which hal_fpu_save_state/restore_state copy and validate with hal_x86's rules; tests reach
 * it through hosted_user_fpu().
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "core/abi/signal.h" /* Linux's fpstate layout and magic words (ABI facts only) */
#include "hal/hal_console.h"
#include "hal/hal_cpu.h"
#include "hal/hal_errno.h"
#include "hal/hal_user.h"
#include "hal_hosted/hosted_internal.h"

enum call_kind { CALL_ENTER, CALL_SYSCALL, CALL_FAULT, CALL_INTERRUPT };

#define CALLS_MAX 64 /* nested entries (handlers within handlers) per thread */
#define FPU_LEGACY 512u
#define FPU_XSTATE (FPU_LEGACY + 64u) /* legacy image + XSAVE header: x87 and SSE */
#define FPU_FEATURES 3u               /* XCR0 of the pretend CPU: x87 | SSE */
#define FPU_MXCSR_MASK 0xffffu

/* One way into the kernel in progress (or hal_user_enter's own frame), on the C stack. */
struct hosted_call {
    jmp_buf jb; /* resumed by a longjmp from an inner entry */
};

struct call_slot {
    struct hosted_call *c;
    enum call_kind kind;
};

struct hosted_uthread {
    struct hal_uregs regs; /* the user registers */
    struct call_slot calls[CALLS_MAX]; /* [0]: enter; innermost last */
    unsigned ncalls;
    struct hosted_call enter;
    uint64_t entry_fn;
    uint64_t exec_fault; /* rip of the last execute fault, 0 after a function ran */
    bool leaving;        /* the entry function returned: hal_user_enter returns */
    uint8_t fpu[FPU_XSTATE] __attribute__((aligned(64)));
};

extern char __executable_start[], etext[];
static const char ret_insn; /* its address is the RET pseudo-instruction */
#define RIP_RET ((uint64_t)(uintptr_t)&ret_insn)

static struct hosted_hooks user_hooks;

void hosted_user_mode_setup(const struct hosted_hooks *hooks)
{
    user_hooks = hooks ? *hooks : (struct hosted_hooks){0};
    hosted_ctx_reset();
}

static void __attribute__((noreturn)) user_fatal(const char *msg)
{
    hal_console_write(msg, strlen(msg));
    abort();
}

/* --- the kernel's entry points, or the test's hooks (hosted_hal_init) ---------------------- */

static void enter_syscall(struct hal_uregs *r)
{
    if (user_hooks.syscall)
        user_hooks.syscall(user_hooks.arg, r);
    else
        kernel_syscall(r);
}

static void enter_fault(struct hal_uregs *r, enum hal_fault_kind kind, uint64_t addr)
{
    if (user_hooks.user_fault)
        user_hooks.user_fault(user_hooks.arg, r, kind, addr);
    else
        kernel_user_fault(r, kind, addr);
}

static void user_return_work(struct hal_uregs *r)
{
    for (;;) {
        if (user_hooks.user_return)
            user_hooks.user_return(user_hooks.arg, r);
        else
            kernel_user_return(r);
        hal_irq_disable();
        bool more = user_hooks.user_work_pending ? user_hooks.user_work_pending(user_hooks.arg)
                                                 : kernel_user_work_pending();
        if (!more && hosted_irq_enable_quiet())
            return;
        hal_irq_enable(); /* delivers what is pending, as an interrupt taken in user mode */
    }
}

/* --- the machine --------------------------------------------------------------------------- */

static uint64_t call_token(const struct hosted_call *c)
{
    return (uint64_t)(uintptr_t)c + 2;
}

static struct hosted_uthread *uthread_here(const char *who)
{
    struct hosted_uthread *u = *hosted_ctx_user();

    if (!u)
        user_fatal(who);
    return u;
}

/* The index of the live entry record rip resumes (its instruction or the one after), or -1. */
static int call_at(const struct hosted_uthread *u, uint64_t rip)
{
    for (int i = (int)u->ncalls - 1; i >= 0; i--) {
        uint64_t a = (uint64_t)(uintptr_t)u->calls[i].c;

        if (rip == a || rip == a + 2)
            return i;
    }
    return -1;
}

/* A new entry, deeper on the stack than every live one: records at or below it were jumped
 * over by a longjmp of user code. Returns its index. */
static unsigned push_call(struct hosted_uthread *u, struct hosted_call *c, enum call_kind kind)
{
    while (u->ncalls > 1 && (uintptr_t)u->calls[u->ncalls - 1].c <= (uintptr_t)c)
        u->ncalls--;
    if (u->ncalls == CALLS_MAX)
        user_fatal("hosted: user mode entries nested too deep\n");
    u->calls[u->ncalls] = (struct call_slot){c, kind};
    return u->ncalls++;
}

static bool in_text(uint64_t rip)
{
    return rip >= (uint64_t)(uintptr_t)__executable_start && rip < (uint64_t)(uintptr_t)etext;
}

/* Execute one pseudo-instruction at rip that is not an entry record, for the machine of entry
 * self. */
static void step(struct hosted_uthread *u, unsigned self)
{
    uint64_t rip = u->regs.rip, ra;

    if (rip == RIP_RET) {
        if (hal_copy_from_user(&ra, u->regs.rsp, sizeof(ra))) {
            enter_fault(&u->regs, HAL_FAULT_PAGE_READ, u->regs.rsp);
            return;
        }
        u->regs.rip = ra;
        u->regs.rsp += sizeof(ra);
        return;
    }
    if (!in_text(rip)) {
        /* Twice at the same rip: the kernel resolved the fault (the page is there), but
         * machine code in the arena cannot run hosted. */
        if (u->exec_fault == rip)
            user_fatal("hosted: user mode resumed at code that cannot run hosted\n");
        u->exec_fault = rip;
        enter_fault(&u->regs, HAL_FAULT_PAGE_EXEC, rip);
        return;
    }
    u->exec_fault = 0;
    ((void (*)(uint64_t, uint64_t, uint64_t))(uintptr_t)rip)(u->regs.rdi, u->regs.rsi,
                                                              u->regs.rdx);
    u->ncalls = self + 1; /* entries made inside fn have returned, or were jumped over */
    u->regs.rip = RIP_RET;
    u->leaving = rip == u->entry_fn;
}

/* Resume the outer entry i by a longjmp, dropping the C frames above it. */
static void __attribute__((noreturn)) resume_outer(struct hosted_uthread *u, int i)
{
    u->ncalls = (unsigned)i + 1;
    longjmp(u->calls[i].c->jb, 1);
}

/*
 * Return to user mode from the entry self, and run user mode until it resumes self's C
 * caller. Resuming an outer entry longjmps there; a syscall resumed at its own instruction is
 * made again (the restart). When the kernel left rip at an outer entry (rt_sigreturn back to
 * the code a handler interrupted), the machine goes down to that entry's level first and the
 * return work (the next signal's delivery) runs there: a handler then runs in the C frames of
 * the code it interrupts, never above the previous handler's, so a burst of signals each
 * sigreturning costs no C stack.
 */
static void user_run(struct hosted_uthread *u, unsigned self)
{
    for (;;) {
        int i;

        if (u->leaving) { /* back to hal_user_enter's caller: not a return to user mode */
            if (self == 0)
                return;
            u->ncalls = 1;
            longjmp(u->enter.jb, 1);
        }
        i = call_at(u, u->regs.rip);
        if (i >= 0 && (unsigned)i != self)
            resume_outer(u, i);
        user_return_work(&u->regs);
        i = call_at(u, u->regs.rip);
        if (i < 0) {
            step(u, self);
            continue;
        }
        if ((unsigned)i != self)
            resume_outer(u, i);
        if (u->calls[i].kind != CALL_SYSCALL || u->regs.rip == call_token(u->calls[i].c))
            return;
        u->regs.rip = u->regs.rcx = call_token(u->calls[i].c); /* SYSCALL: rcx = rip */
        u->regs.r11 = u->regs.rflags;
        enter_syscall(&u->regs);
    }
}

/* The initial state: x87 control word 0x37f, MXCSR 0x1f80, the rest zero. */
static void fpu_init(uint8_t *fpu)
{
    struct linux_fpstate *fp = (void *)fpu;
    struct linux_xstate_header *h = (void *)(fpu + FPU_LEGACY);

    memset(fpu, 0, FPU_XSTATE);
    fp->cwd = 0x37f;
    fp->mxcsr = 0x1f80;
    fp->mxcsr_mask = FPU_MXCSR_MASK;
    h->xfeatures = FPU_FEATURES;
}

int hal_user_enter(struct hal_uregs *regs)
{
    void **slot = hosted_ctx_user();
    void *outer = *slot;
    struct hosted_uthread u;

    if (!in_text(regs->rip))
        return -ENOSYS; /* machine code (a loaded ELF): only hal_x86 runs that */
    memset(&u, 0, sizeof(u));
    fpu_init(u.fpu);
    u.regs = *regs;
    u.entry_fn = regs->rip;
    u.calls[0] = (struct call_slot){&u.enter, CALL_ENTER};
    u.ncalls = 1;
    *slot = &u;
    hal_irq_enable(); /* user mode runs with interrupts enabled */
    setjmp(u.enter.jb); /* an inner entry resuming this one lands here: run on */
    user_run(&u, 0);
    *slot = outer;
    return 0;
}

/* The common part of the three entries below: record c, enter the kernel through fn (unless
 * an inner entry resumed c by a longjmp), run user mode until it resumes c, drop c. */
static void user_entry(struct hosted_uthread *u, struct hosted_call *c, enum call_kind kind,
                       void (*fn)(struct hosted_uthread *u, struct hosted_call *c, void *arg),
                       void *arg)
{
    unsigned self = push_call(u, c, kind);

    if (!setjmp(c->jb))
        fn(u, c, arg);
    user_run(u, self);
    u->ncalls = self;
}

static void syscall_in(struct hosted_uthread *u, struct hosted_call *c, void *arg)
{
    (void)arg;
    u->regs.rip = u->regs.rcx = call_token(c);
    u->regs.r11 = u->regs.rflags;
    enter_syscall(&u->regs);
}

long hosted_syscall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                    uint64_t a5)
{
    struct hosted_uthread *u = uthread_here("hosted: hosted_syscall outside user mode\n");
    struct hal_uregs *r = &u->regs;
    struct hosted_call c;

    r->rax = nr, r->rdi = a0, r->rsi = a1, r->rdx = a2, r->r10 = a3, r->r8 = a4, r->r9 = a5;
    user_entry(u, &c, CALL_SYSCALL, syscall_in, NULL);
    return (long)r->rax;
}

struct fault_arg {
    enum hal_fault_kind kind;
    uint64_t addr;
};

static void fault_in(struct hosted_uthread *u, struct hosted_call *c, void *arg)
{
    const struct fault_arg *f = arg;

    u->regs.rip = (uint64_t)(uintptr_t)c; /* the faulting instruction */
    enter_fault(&u->regs, f->kind, f->addr);
}

void hosted_user_fault(enum hal_fault_kind kind, uint64_t addr)
{
    struct hosted_uthread *u = uthread_here("hosted: hosted_user_fault outside user mode\n");
    struct fault_arg f = {kind, addr};
    struct hosted_call c;

    user_entry(u, &c, CALL_FAULT, fault_in, &f);
}

static void interrupt_in(struct hosted_uthread *u, struct hosted_call *c, void *arg)
{
    (void)arg;
    u->regs.rip = call_token(c);
    hal_poll(); /* the handlers, then kernel_irq_exit: the thread may be switched out */
}

void hosted_user_interrupt(void)
{
    struct hosted_uthread *u = uthread_here("hosted: hosted_user_interrupt outside user mode\n");
    struct hosted_call c;

    user_entry(u, &c, CALL_INTERRUPT, interrupt_in, NULL);
}

struct hal_uregs *hosted_user_regs(void)
{
    struct hosted_uthread *u = *hosted_ctx_user();

    return u ? &u->regs : NULL;
}

/* --- FPU state for signal frames (hal_user.h) --------------------------------------------- */

size_t hal_fpu_state_size(void)
{
    return FPU_XSTATE + LINUX_FP_XSTATE_MAGIC2_SIZE;
}

void hal_fpu_save_state(void *buf)
{
    struct hosted_uthread *u = *hosted_ctx_user();
    struct linux_fpstate *fp = buf;
    uint32_t magic2 = LINUX_FP_XSTATE_MAGIC2;

    if (u)
        memcpy(buf, u->fpu, FPU_XSTATE);
    else
        fpu_init(buf);
    memset(&fp->sw_reserved, 0, sizeof(fp->sw_reserved));
    fp->sw_reserved.magic1 = LINUX_FP_XSTATE_MAGIC1;
    fp->sw_reserved.extended_size = FPU_XSTATE + LINUX_FP_XSTATE_MAGIC2_SIZE;
    fp->sw_reserved.xfeatures = FPU_FEATURES;
    fp->sw_reserved.xstate_size = FPU_XSTATE;
    memcpy((uint8_t *)buf + FPU_XSTATE, &magic2, sizeof(magic2));
}

/* Linux's test for a whole XSAVE image in a frame: magic1, sane sizes, magic2 in place. */
static bool frame_has_xstate(const uint8_t *buf, size_t size)
{
    const struct linux_fpx_sw_bytes *sw = &((const struct linux_fpstate *)buf)->sw_reserved;
    uint32_t magic2;

    if (sw->magic1 != LINUX_FP_XSTATE_MAGIC1 || sw->xstate_size < FPU_XSTATE ||
        sw->xstate_size > FPU_XSTATE || sw->xstate_size > sw->extended_size ||
        (size_t)sw->xstate_size + LINUX_FP_XSTATE_MAGIC2_SIZE > size)
        return false;
    memcpy(&magic2, buf + sw->xstate_size, sizeof(magic2));
    return magic2 == LINUX_FP_XSTATE_MAGIC2;
}

int hal_fpu_restore_state(const void *buf, size_t size)
{
    struct hosted_uthread *u = *hosted_ctx_user();
    const struct linux_fpstate *fp = buf;
    uint8_t img[FPU_XSTATE];
    uint64_t bv = FPU_FEATURES;

    if (!u || size < FPU_LEGACY || (fp->mxcsr & ~FPU_MXCSR_MASK))
        return -EINVAL;
    fpu_init(img);
    memcpy(img, buf, FPU_LEGACY);
    if (frame_has_xstate(buf, size)) {
        const struct linux_xstate_header *h = (const void *)((const uint8_t *)buf + FPU_LEGACY);

        if ((h->xfeatures & ~(uint64_t)FPU_FEATURES) || h->reserved1[0] || h->reserved1[1])
            return -EINVAL;
        for (int i = 0; i < 5; i++)
            if (h->reserved2[i])
                return -EINVAL;
        bv = h->xfeatures & fp->sw_reserved.xfeatures;
    }
    ((struct linux_xstate_header *)(img + FPU_LEGACY))->xfeatures = bv;
    memcpy(u->fpu, img, FPU_XSTATE);
    return 0;
}

void hal_fpu_reset_state(void)
{
    struct hosted_uthread *u = *hosted_ctx_user();

    if (u)
        fpu_init(u->fpu);
}

/* No registers here: both go through a buffer, with hal_x86's contract (alignment, range,
 * -EFAULT for a frame to leave to the copying path). */
int hal_fpu_save_to_user(uint64_t ubuf, bool reset)
{
    uint8_t buf[FPU_XSTATE + LINUX_FP_XSTATE_MAGIC2_SIZE];

    if (!*hosted_ctx_user() || (ubuf & 63))
        return -EFAULT;
    hal_fpu_save_state(buf);
    if (hal_copy_to_user(ubuf, buf, sizeof(buf)))
        return -EFAULT;
    if (reset)
        hal_fpu_reset_state();
    return 0;
}

int hal_fpu_restore_from_user(uint64_t ubuf)
{
    uint8_t buf[FPU_XSTATE + LINUX_FP_XSTATE_MAGIC2_SIZE];

    if (!*hosted_ctx_user() || (ubuf & 63) || hal_copy_from_user(buf, ubuf, sizeof(buf)))
        return -EFAULT;
    return hal_fpu_restore_state(buf, sizeof(buf)) ? -EFAULT : 0;
}

void *hosted_user_fpu(void)
{
    struct hosted_uthread *u = *hosted_ctx_user();

    return u ? u->fpu : NULL;
}
