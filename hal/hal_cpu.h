/*
 * hal_cpu.h - execution contexts, interrupt state, idle, cpu identity, barriers.
 *
 * A context is a kernel stack plus the callee-saved registers parked on it. hal_ctx_switch()
 * is one x86-64 assembly routine (hal_x86/ctx_switch.S) used by both backends, so the
 * scheduler that runs under CMocka is the scheduler that runs in QEMU.
 *
 * Interrupts: on bare metal these are real interrupts; in the hosted backend a software
 * interrupt controller keeps a per-CPU "disabled" flag and a pending mask, and delivers
 * pending interrupts at hal_irq_enable()/hal_irq_restore(), idle and hal_poll(). In both, an
 * interrupt runs the handler the kernel registered (timer: kernel_timer_irq(); devices: their
 * completion callbacks) and then kernel_irq_exit(), where the kernel may preempt.
 */
#ifndef HAL_CPU_H
#define HAL_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hal_ctx {
    uint64_t sp;          /* saved stack pointer; the registers live on the stack */
    void *stack;          /* lowest address of the stack */
    size_t stack_size;    /* bytes */
    void *san_fake_stack; /* hosted ASan bookkeeping; unused on bare metal */
    void *user;           /* the backend's user-mode state of this thread (hal_user.h);
                             NULL until it calls hal_user_enter(). Owned by the HAL. */
};

/*
 * Prepare ctx so that the first hal_ctx_switch() to it calls entry(arg) on the given stack.
 * entry must never return (it ends with hal_ctx_switch_final()). Does not block; any context.
 */
void hal_ctx_init(struct hal_ctx *ctx, void *stack, size_t stack_size, void (*entry)(void *),
                  void *arg);

/*
 * Save the current context in from and resume to. Returns when someone switches back to
 * from. Interrupts must be disabled by the caller; the interrupt state is not part of a
 * context. Does not block by itself. Both backends remember which context runs, so per-thread
 * user-mode state (ctx->user) follows every switch.
 */
void hal_ctx_switch(struct hal_ctx *from, struct hal_ctx *to);

/* Like hal_ctx_switch() for a context that will never run again (its stack may be freed
 * once another context runs). Never returns. */
void hal_ctx_switch_final(struct hal_ctx *from, struct hal_ctx *to) __attribute__((noreturn));

/*
 * The scheduler calls this right before every hal_ctx_switch()/hal_ctx_switch_final(): the
 * HAL saves the program's FPU/SSE/AVX registers (live in the CPU since the last return to user
 * mode on it) into that thread's save area, so another thread may load its own. Interrupts
 * disabled; never sleeps. Hosted: nothing to save (the "program" is C in the test process).
 */
void hal_fpu_switch_out(void);

/*
 * Interrupt state of the current CPU. save returns an opaque token for restore; none block.
 * Every spinlock pair runs save and restore, so on bare metal (PETREL_FREESTANDING) they and
 * hal_cpu_id() below are inline: pushf/cli/sti, and one load from the per-CPU block. The
 * hosted backend implements them as functions (its interrupt controller is software).
 */
#ifdef PETREL_FREESTANDING
#define HAL_X86_RFLAGS_IF (1ULL << 9)

static inline uint64_t hal_irq_save(void)
{
    uint64_t flags;
    __asm__ __volatile__("pushfq; popq %0; cli" : "=r"(flags)::"memory");
    return flags & HAL_X86_RFLAGS_IF;
}

static inline void hal_irq_restore(uint64_t token)
{
    if (token & HAL_X86_RFLAGS_IF)
        __asm__ __volatile__("sti" ::: "memory");
    else
        __asm__ __volatile__("cli" ::: "memory");
}

static inline void hal_irq_enable(void)
{
    __asm__ __volatile__("sti" ::: "memory");
}

static inline void hal_irq_disable(void)
{
    __asm__ __volatile__("cli" ::: "memory");
}

static inline bool hal_irq_enabled(void)
{
    uint64_t flags;
    __asm__ __volatile__("pushfq; popq %0" : "=r"(flags));
    return flags & HAL_X86_RFLAGS_IF;
}
#else
uint64_t hal_irq_save(void);
void hal_irq_restore(uint64_t token);
void hal_irq_enable(void);
void hal_irq_disable(void);
bool hal_irq_enabled(void);
#endif

/*
 * Deliver any pending interrupts now (an explicit preemption/poll point). Must be called with
 * interrupts enabled. On bare metal this is a no-op: interrupts arrive by themselves.
 */
void hal_poll(void);

/*
 * Wait until an interrupt arrives or the clock reaches deadline_ns (UINT64_MAX: no deadline),
 * then return with interrupts in the state they had on entry, after delivering what arrived.
 * Call with interrupts disabled; the HAL enables them atomically with the wait (no lost
 * wakeup). With the hosted virtual clock and nothing pending, the clock jumps to the next
 * armed timer. Returns -1 if nothing can ever wake the CPU (no timer armed, no device
 * pending: the hosted backend reports this instead of hanging), 0 otherwise.
 */
int hal_cpu_idle_until(uint64_t deadline_ns);

/*
 * hal_cpu_id(): the calling CPU's number, 0 .. hal_cpu_count() - 1; any context (a thread that
 * may migrate must not keep it across a switch). Bare metal: GS_BASE points at this CPU's
 * block whenever the CPU runs kernel code (hal_x86/usermode.c, swapgs on every entry from
 * user mode), and the number is the 32-bit field at HAL_X86_PERCPU_CPU_ID, so this is one
 * %gs-relative load (volatile: never reused across a switch). Hosted: a function.
 */
#ifdef PETREL_FREESTANDING
#define HAL_X86_PERCPU_CPU_ID 48

static inline unsigned hal_cpu_id(void)
{
    unsigned id;
    __asm__ __volatile__("movl %%gs:%c1, %0" : "=r"(id) : "i"(HAL_X86_PERCPU_CPU_ID));
    return id;
}
#else
unsigned hal_cpu_id(void);
#endif
unsigned hal_cpu_count(void);

/*
 * The CPU features a Linux program reads from its auxiliary vector (glibc picks its string
 * functions by them): *hwcap = AT_HWCAP, on x86 CPUID.1:EDX as the CPU reports it;
 * *hwcap2 = AT_HWCAP2, Linux's x86 bits: 1 << 0 ring-3 MWAIT (never enabled by Petrel),
 * 1 << 1 FSGSBASE (set only when CR4.FSGSBASE is on, i.e. user code may use wrfsbase).
 * Hosted: the host's own AT_HWCAP and AT_HWCAP2 (what a program on that host sees).
 * Any context; never blocks.
 */
void hal_cpu_hwcap(uint64_t *hwcap, uint64_t *hwcap2);

static inline void hal_barrier(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static inline void hal_compiler_barrier(void)
{
    __asm__ __volatile__("" ::: "memory");
}

/* v, its origin hidden from the compiler: `if (hal_opaque(a | b | c))` stays one test and one
 * branch, where gcc would split a test of combined flags into a branch per term (under TCG each
 * conditional branch ends a translation block: the syscall path counts them, bench/README.md,
 * bench/syscall). No code of its own. */
static inline unsigned long hal_opaque(unsigned long v)
{
    __asm__("" : "+r"(v));
    return v;
}

static inline void hal_cpu_relax(void)
{
    __asm__ __volatile__("pause" ::: "memory");
}

/* Register snapshot and frame-pointer backtrace of the calling context, for panic(). */
struct hal_cpu_regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags, cr2, cr3;
};
void hal_cpu_snapshot(struct hal_cpu_regs *regs);
/* Fill pcs with up to max return addresses of the caller's stack (frame pointers); returns
 * the count. Stops at a frame outside the current kernel stack. Never faults. */
unsigned hal_backtrace(uint64_t *pcs, unsigned max);

/* Kernel entry points the backends call (defined in core/). Interrupts are disabled. */
void kernel_timer_irq(void); /* the one-shot timer fired */
void kernel_irq_exit(void);  /* end of any interrupt: the kernel may switch threads here */

#endif
