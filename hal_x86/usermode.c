/*
 * usermode.c - user mode: SYSCALL/SYSRET set-up, the C half of the syscall entry, the
 * return to user mode, hal_user_enter(), exceptions raised by the program, and the context
 * switch wrappers that keep track of which thread runs.
 *
 * MSRs: EFER.SCE; STAR = kernel CS 0x08 (SS 0x10) for SYSCALL and base 0x18 for SYSRET
 * (CS 0x28|3, SS 0x20|3: the GDT order of cpu.c); LSTAR = x86_syscall_entry; SFMASK clears
 * IF, TF, DF, AC, NT and IOPL on entry. GS_BASE = &x86_percpu in kernel mode (the entry swaps
 * it with KERNEL_GS_BASE, which holds the program's GS base meanwhile).
 *
 * Each user thread has a block at its kernel stack top (syscall_entry.S draws it): its FS and
 * GS bases and its FPU area; its hal_ctx's `user` field points at it (hal_user_enter records
 * it in the context the wrappers below say is running). Every return to user mode (SYSRET,
 * or IRETQ from syscall_entry.S or entry.S) first runs the kernel's return work
 * (kernel_user_return, looping while kernel_user_work_pending says more arrived), then goes
 * through user_resume(), which makes that block the CPU's: TSS.rsp0 and the per-CPU stack top
 * point at it (so the kernel stack follows whichever thread returns to user mode, without a
 * hook in the shared context switch), the FS/GS base MSRs are loaded when they differ from
 * what the CPU holds, and the thread's FPU registers are loaded if another thread's are in the
 * CPU (fpu.c).
 *
 * Protection: CR0.WP is on from boot; SMEP and SMAP are turned on when CPUID has them (the
 * copy routines in user.c open the user half with stac/clac around each copy).
 */
#include "hal/hal_cpu.h"
#include "hal/hal_errno.h"
#include "hal/hal_user.h"
#include "hal_x86/ctx.h"
#include "hal_x86/x86.h"

#define MSR_EFER 0xc0000080u
#define MSR_STAR 0xc0000081u
#define MSR_LSTAR 0xc0000082u
#define MSR_SFMASK 0xc0000084u
#define MSR_FS_BASE 0xc0000100u
#define MSR_GS_BASE 0xc0000101u
#define MSR_KERNEL_GS_BASE 0xc0000102u
#define EFER_SCE 1ULL

#define RFLAGS_TF 0x100ULL
#define RFLAGS_IF 0x200ULL
#define RFLAGS_FIXED 0x2ULL
/* What a program may set: CF PF AF ZF SF TF DF OF AC ID. */
#define RFLAGS_USER 0x254dd5ULL
/* Cleared on SYSCALL: TF IF DF IOPL NT AC. */
#define SFMASK_BITS 0x47700ULL

#define CR4_SMEP (1ULL << 20)
#define CR4_SMAP (1ULL << 21)

/* Offsets used by syscall_entry.S (PC_*): keep in step. */
struct x86_percpu {
    struct x86_percpu *self; /* 0 */
    uint64_t kstack_top;     /* 8: the stack SYSCALL switches to */
    uint64_t user_rsp;       /* 16: scratch during the entry */
    uint64_t user_fs;        /* 24: the FS base the CPU holds */
    uint64_t user_gs;        /* 32: the program's GS base (KERNEL_GS_BASE while in kernel) */
    struct hal_ctx *ctx;     /* the running context (hal_ctx_switch); NULL before the first */
    uint32_t cpu_id;         /* 48: hal_cpu_id() reads it inline (hal_cpu.h) */
};
_Static_assert(__builtin_offsetof(struct x86_percpu, cpu_id) == HAL_X86_PERCPU_CPU_ID,
               "hal_cpu_id() reads the cpu number at this offset");

/* A user thread's block at its kernel stack top; the FPU area follows (64-aligned). */
struct x86_ublock {
    uint64_t fs_base, gs_base;
    uint64_t pad[6];
};
_Static_assert(sizeof(struct x86_ublock) == X86_UBLOCK_SIZE, "the FPU area must stay 64-aligned");

static struct x86_percpu percpu;
bool x86_smap;

void x86_syscall_entry(void);
void x86_user_start(const struct hal_uregs *regs, uint64_t area_bytes) __attribute__((noreturn));
void x86_user_first(struct hal_uregs *frame);
void x86_user_return(struct hal_uregs *regs);
void x86_user_iret(struct hal_uregs *regs) __attribute__((noreturn));

void x86_user_init(void)
{
    uint32_t r[4] = {0, 0, 0, 0};
    uint64_t cr4;

    x86_fpu_init();
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    wrmsr(MSR_STAR, ((uint64_t)SEL_UCODE32 << 48) | ((uint64_t)SEL_KCODE << 32));
    wrmsr(MSR_LSTAR, (uint64_t)x86_syscall_entry);
    wrmsr(MSR_SFMASK, SFMASK_BITS);
    percpu.self = &percpu;
    wrmsr(MSR_GS_BASE, (uint64_t)&percpu);
    wrmsr(MSR_KERNEL_GS_BASE, 0);
    wrmsr(MSR_FS_BASE, 0);

    if (x86_cpu.max_leaf >= 7)
        cpuid(7, 0, r);
    __asm__ __volatile__("mov %%cr4, %0" : "=r"(cr4));
    if (r[1] & (1u << 7))
        cr4 |= CR4_SMEP;
    if (r[1] & (1u << 20)) {
        cr4 |= CR4_SMAP;
        x86_smap = true;
    }
    __asm__ __volatile__("mov %0, %%cr4" ::"r"(cr4) : "memory");
}

static bool user_canonical(uint64_t a)
{
    return (a >> 47) == 0;
}

/* user_resume's uncommon case: other FS/GS bases than the CPU holds, another thread's block
 * (rsp0 follows), or another thread's FPU registers. */
static __attribute__((noinline)) void user_resume_slow(struct x86_ublock *b)
{
    if (percpu.user_fs != b->fs_base) {
        wrmsr(MSR_FS_BASE, b->fs_base);
        percpu.user_fs = b->fs_base;
    }
    if (percpu.user_gs != b->gs_base) {
        wrmsr(MSR_KERNEL_GS_BASE, b->gs_base);
        percpu.user_gs = b->gs_base;
    }
    if (percpu.kstack_top != (uint64_t)b) { /* another thread's block: rsp0 follows */
        percpu.kstack_top = (uint64_t)b;
        x86_set_kernel_stack((uint64_t)b);
    }
    x86_fpu_return(b + 1);
}

/* Interrupts disabled: b takes these FS/GS bases (a base the MSRs would refuse, #GP, cannot
 * come from arch_prctl; never load one); whether the CPU must be told anything (user_resume):
 * non-zero when it holds other bases, another thread's block (rsp0) or FPU registers. */
static inline __attribute__((always_inline)) unsigned long user_block_set(struct x86_ublock *b,
                                                                          uint64_t fs, uint64_t gs)
{
    b->fs_base = user_canonical(fs) ? fs : 0;
    b->gs_base = user_canonical(gs) ? gs : 0;
    return (percpu.user_fs != b->fs_base) | (percpu.user_gs != b->gs_base) |
           (percpu.kstack_top != (uint64_t)b) | (x86_fpu_owner != (void *)(b + 1));
}

/* Interrupts disabled. Make b the CPU's user thread block with these FS/GS bases. Inline in
 * each return path, as user_return_work; the common case (the same thread returns, its bases
 * unchanged) is one combined test: under TCG each conditional branch ends a block. */
static inline __attribute__((always_inline)) void user_resume(struct x86_ublock *b, uint64_t fs, uint64_t gs)
{
    if (__builtin_expect(hal_opaque(user_block_set(b, fs, gs)) != 0, 0))
        user_resume_slow(b);
    x86_fpu_live = true; /* x86_fpu_return's, for registers that stayed this thread's */
}

static uint64_t user_rflags(uint64_t f)
{
    return (f & RFLAGS_USER) | RFLAGS_IF | RFLAGS_FIXED;
}

/*
 * The kernel's work before a return to user mode, as Linux's exit_to_user_mode: with
 * interrupts disabled, one question (kernel_user_work_pending: a signal, a restart, a mask
 * to restore, an ending process); only when it says yes, kernel_user_return() with interrupts
 * enabled, and again while kernel_user_work_pending() says more arrived (asked with
 * interrupts disabled, so nothing raised by an interrupt between the two is left behind). A
 * frame the kernel left with a rip no return instruction can reach makes the program fault
 * there, as on Linux (SIGSEGV). Called with interrupts enabled; returns with them disabled.
 */
static inline __attribute__((always_inline)) void user_return_work(struct hal_uregs *regs)
{
    __asm__ __volatile__("cli" ::: "memory");
    if (!hal_opaque((unsigned)!user_canonical(regs->rip) | (unsigned)kernel_user_work_pending()))
        return; /* the common case: nothing to do (one branch, see user_resume) */
    __asm__ __volatile__("sti" ::: "memory");
    for (;;) {
        if (!user_canonical(regs->rip))
            kernel_user_fault(regs, HAL_FAULT_GENERAL, regs->rip);
        kernel_user_return(regs);
        hal_irq_disable();
        if (user_canonical(regs->rip) && !kernel_user_work_pending())
            return;
        hal_irq_enable();
    }
}

/* syscall_entry.S, interrupts enabled, regs just below the thread's block: run the return
 * work and prepare the block; returns, interrupts disabled, when SYSRET restores regs exactly
 * (rcx == rip, r11 == rflags, no single-step, a canonical rip), else returns to user mode by
 * IRETQ itself. The common case (nothing to do, the same thread's block, bases and FPU
 * registers) asks kernel_user_work_pending() and tests everything with one branch. */
void x86_user_return(struct hal_uregs *regs)
{
    struct x86_ublock *b = (struct x86_ublock *)(regs + 1);

    __asm__ __volatile__("cli" ::: "memory");
    if (__builtin_expect(hal_opaque((unsigned)!user_canonical(regs->rip) |
                                    (unsigned)kernel_user_work_pending() |
                                    user_block_set(b, regs->fs_base, regs->gs_base)) != 0,
                         0)) {
        __asm__ __volatile__("sti" ::: "memory");
        user_return_work(regs);
        user_resume(b, regs->fs_base, regs->gs_base);
    }
    x86_fpu_live = true; /* x86_fpu_return's, for registers that stayed this thread's */
    regs->rflags = user_rflags(regs->rflags);
    if (__builtin_expect(hal_opaque((regs->rcx != regs->rip) | (regs->r11 != regs->rflags) |
                                    ((regs->rflags & RFLAGS_TF) != 0) |
                                    !user_canonical(regs->rip)) != 0,
                         0))
        x86_user_iret(regs);
}

/* x86_user_start: the block above frame is new. Its FPU area starts from the initial state;
 * if the CPU's registers are marked as this address's (a dead thread's block at the same
 * place, or this thread's previous program), they are nobody's any more. */
void x86_user_first(struct hal_uregs *frame)
{
    struct x86_ublock *b = (struct x86_ublock *)(frame + 1);

    hal_irq_disable();
    x86_fpu_forget();
    x86_fpu_area_init(b + 1);
    b->fs_base = frame->fs_base;
    b->gs_base = frame->gs_base;
    if (percpu.ctx)
        percpu.ctx->user = b;
    hal_irq_enable();
}

int hal_user_enter(struct hal_uregs *regs)
{
    if (!user_canonical(regs->rip) || !user_canonical(regs->rsp))
        return -EFAULT;
    x86_user_start(regs, sizeof(struct x86_ublock) + x86_fpu_size + 64);
}

/* The user block of the running thread, or NULL when it never entered user mode. */
void *x86_user_block(void)
{
    return percpu.ctx ? percpu.ctx->user : NULL;
}

/* --- the context switch: the shared routine, plus which context runs ------------------------ */

void hal_ctx_switch(struct hal_ctx *from, struct hal_ctx *to)
{
    percpu.ctx = to;
    hal_x86_ctx_switch(from, to);
}

void hal_ctx_switch_final(struct hal_ctx *from, struct hal_ctx *to)
{
    percpu.ctx = to;
    hal_x86_ctx_switch(from, to);
    __builtin_unreachable();
}

/* --- exceptions and interrupts from user mode (entry.S -> cpu.c x86_trap) ------------------- */

static struct x86_ublock *trap_block(struct trap_frame *tf)
{
    return (struct x86_ublock *)(tf + 1); /* the CPU pushed the frame at TSS.rsp0 */
}

static void trap_to_uregs(const struct trap_frame *tf, const struct x86_ublock *b,
                          struct hal_uregs *r)
{
    *r = (struct hal_uregs){
        .rax = tf->rax,
        .rbx = tf->rbx,
        .rcx = tf->rcx,
        .rdx = tf->rdx,
        .rsi = tf->rsi,
        .rdi = tf->rdi,
        .rbp = tf->rbp,
        .rsp = tf->rsp,
        .r8 = tf->r8,
        .r9 = tf->r9,
        .r10 = tf->r10,
        .r11 = tf->r11,
        .r12 = tf->r12,
        .r13 = tf->r13,
        .r14 = tf->r14,
        .r15 = tf->r15,
        .rip = tf->rip,
        .rflags = tf->rflags,
        .fs_base = b->fs_base,
        .gs_base = b->gs_base,
    };
}

static void uregs_to_trap(const struct hal_uregs *r, struct trap_frame *tf)
{
    tf->rax = r->rax, tf->rbx = r->rbx, tf->rcx = r->rcx, tf->rdx = r->rdx;
    tf->rsi = r->rsi, tf->rdi = r->rdi, tf->rbp = r->rbp, tf->rsp = r->rsp;
    tf->r8 = r->r8, tf->r9 = r->r9, tf->r10 = r->r10, tf->r11 = r->r11;
    tf->r12 = r->r12, tf->r13 = r->r13, tf->r14 = r->r14, tf->r15 = r->r15;
    tf->rip = r->rip;
    tf->rflags = user_rflags(r->rflags);
    tf->cs = SEL_UCODE | 3;
    tf->ss = SEL_UDATA | 3;
}

static enum hal_fault_kind fault_kind(const struct trap_frame *tf, uint64_t *addr)
{
    *addr = tf->rip;
    switch (tf->vector) {
    case 14:
        *addr = read_cr2();
        if (tf->error & (1u << 4))
            return HAL_FAULT_PAGE_EXEC;
        return (tf->error & (1u << 1)) ? HAL_FAULT_PAGE_WRITE : HAL_FAULT_PAGE_READ;
    case 0:
        return HAL_FAULT_DIVIDE;
    case 6:
        return HAL_FAULT_ILLEGAL;
    case 16:
    case 19:
        return HAL_FAULT_FPU;
    case 1:
    case 3:
        return HAL_FAULT_BREAKPOINT;
    default:
        return HAL_FAULT_GENERAL;
    }
}

/* An exception raised in ring 3 (not NMI, double fault or machine check: cpu.c keeps those).
 * The kernel handles it with interrupts enabled (demand paging may sleep). */
void x86_user_exception(struct trap_frame *tf)
{
    struct x86_ublock *b = trap_block(tf);
    struct hal_uregs r;
    uint64_t addr;
    enum hal_fault_kind kind = fault_kind(tf, &addr); /* CR2 before interrupts come back */

    trap_to_uregs(tf, b, &r);
    hal_irq_enable();
    kernel_user_fault(&r, kind, addr);
    user_return_work(&r);
    uregs_to_trap(&r, tf);
    user_resume(b, r.fs_base, r.gs_base);
}

/* An interrupt that arrived in ring 3 is about to return there (after kernel_irq_exit and a
 * possible switch, interrupts disabled): the return work, then this thread's state. */
void x86_user_interrupt_return(struct trap_frame *tf)
{
    struct x86_ublock *b = trap_block(tf);
    struct hal_uregs r;

    trap_to_uregs(tf, b, &r);
    hal_irq_enable();
    user_return_work(&r);
    uregs_to_trap(&r, tf);
    user_resume(b, r.fs_base, r.gs_base);
}
