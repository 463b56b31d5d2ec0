/*
 * hal_user.h - user mode: entering it, coming back from it, and copying across the boundary.
 *
 * The kernel decides whether a user range is valid (its VM areas) and faults pages in; the HAL
 * only performs the access safely: every access below returns -EFAULT when the hardware (or
 * the hosted mapping table) refuses it, and none of them ever asks the kernel to resolve a
 * fault (no demand paging, no sleeping inside the HAL).
 *
 * Each user thread is a kernel thread that called hal_user_enter(): it runs in user mode with
 * its own registers, FS/GS bases and FPU state, and comes back into the kernel on its own
 * kernel stack through kernel_syscall(), kernel_user_fault() or an interrupt. Every return to
 * user mode, whatever the reason for entering, goes through kernel_user_return() (signals).
 */
#ifndef HAL_USER_H
#define HAL_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* User register frame, as saved on syscall or fault entry. */
struct hal_uregs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
    uint64_t fs_base, gs_base;
};

/* Kinds of user fault reported to kernel_user_fault(). */
enum hal_fault_kind {
    HAL_FAULT_PAGE_READ,
    HAL_FAULT_PAGE_WRITE,
    HAL_FAULT_PAGE_EXEC,
    HAL_FAULT_ILLEGAL,  /* invalid opcode */
    HAL_FAULT_DIVIDE,   /* #DE */
    HAL_FAULT_GENERAL,  /* #GP and anything else */
    HAL_FAULT_FPU,      /* x87/SIMD exception */
    HAL_FAULT_BREAKPOINT,
};

/*
 * Enter user mode on the current kernel thread with regs (rip, rsp, rflags clamped to what a
 * program may set, the other general registers, fs_base/gs_base). The thread starts with the
 * initial FPU state (x87 control word 0x37f, MXCSR 0x1f80, everything else zero), and
 * kernel_user_return() runs once before its first user instruction.
 *
 * x86: never returns on success; the thread lives in user mode until the kernel ends it from
 * inside a syscall or fault (thread_exit). Any number of threads may do this, each on its own
 * kernel stack; calling it again on the same thread (execve) abandons the old user state and
 * reuses nothing of it. Returns -EFAULT at once when rip or rsp is not a canonical user
 * address. Interrupts enabled; the caller's frames stay frozen below the user state.
 *
 * Hosted: the "program" is C code of the test process (docs/hosted.md): regs->rip is called as
 * void fn(uint64_t rdi, uint64_t rsi, uint64_t rdx) on the thread's own stack, and it makes
 * syscalls with hosted_syscall() (hal_hosted/hosted.h). Returns 0 when that function returns,
 * -ENOSYS at once when regs->rip is not a function of the test binary (machine code, such as
 * a loaded ELF program, runs only on hal_x86).
 */
int hal_user_enter(struct hal_uregs *regs);

/*
 * Kernel entry points (core/). Both backends call them with interrupts enabled, on the
 * thread's kernel stack; they may sleep and may rewrite regs, which is what user mode resumes
 * with.
 *
 * kernel_syscall: regs->rax is the number, rdi rsi rdx r10 r8 r9 the arguments, rip the
 * address after the SYSCALL instruction (so rip - 2 restarts it); the result goes in rax.
 * kernel_user_fault: the program faulted at regs->rip (addr: CR2 for page faults, else rip);
 * returning retries the instruction at regs->rip (which the kernel may have changed).
 */
void kernel_syscall(struct hal_uregs *regs);
void kernel_user_fault(struct hal_uregs *regs, enum hal_fault_kind kind, uint64_t addr);

/*
 * kernel_user_return: the kernel's work before a return to user mode (after a syscall, a
 * user fault, an interrupt taken in user mode, and before the first instruction of a thread),
 * with interrupts enabled; it may sleep and may rewrite regs (signal delivery). Afterwards
 * the backend disables interrupts and asks kernel_user_work_pending() whether something
 * arrived meanwhile (a signal posted by an interrupt handler); while it says yes, interrupts
 * are enabled again and kernel_user_return() runs again. Only then does the thread return to
 * user mode, with interrupts disabled in between, so no work is left behind until the next
 * entry. A backend may ask kernel_user_work_pending() first (interrupts disabled) and skip
 * kernel_user_return() when it says no: it says yes whenever kernel_user_return() has
 * anything to do (hal_x86 does so, as Linux's exit_to_user_mode tests its work flags once).
 * kernel_user_work_pending: interrupts disabled, never sleeps, any thread; a no means the
 * thread is about to run in user mode (the CPU-time sampling counts it so from there).
 */
void kernel_user_return(struct hal_uregs *regs);
bool kernel_user_work_pending(void);

/*
 * Fault-safe copies between kernel memory and the active user address space. Return 0 or
 * -EFAULT (nothing or part may have been copied). A fault is never resolved here: a page
 * that is not present (or not writable, for copies to user) now is -EFAULT, and the kernel
 * faults pages in first (core/mm/uaccess.c). Never sleep; any context with the user address
 * space active.
 */
int hal_copy_from_user(void *dst, uint64_t usrc, size_t n);
int hal_copy_to_user(uint64_t udst, const void *src, size_t n);

/* Copy a NUL-terminated string of at most max bytes (NUL included). Returns its length
 * without the NUL, -ENAMETOOLONG if no NUL within max, or -EFAULT. Same rules as above. */
long hal_strncpy_from_user(char *dst, uint64_t usrc, size_t max);

/*
 * One aligned 32-bit user word, for futexes. load32 reads it; cmpxchg32 atomically replaces
 * it with desired when it equals expected, and stores the value it found in *old either way
 * (0 returned: compare *old with expected to see whether it was replaced). Atomic with
 * respect to other CPUs and to user mode. Return 0, -EINVAL (uaddr not 4-aligned) or
 * -EFAULT (outside the user range, or the page not present now; for cmpxchg32 also not
 * writable now: the CPU writes even when the compare fails). Never sleep, never demand-page:
 * the caller faults the page in through core/mm and retries. Any context, any irq state.
 */
int hal_user_load32(uint64_t uaddr, uint32_t *val);
int hal_user_cmpxchg32(uint64_t uaddr, uint32_t expected, uint32_t desired, uint32_t *old);

/*
 * The running user thread's FPU/SSE/AVX state as a Linux x86-64 signal frame holds it (the
 * `fpstate` that uc_mcontext points to): the 512-byte FXSAVE image, whose software-reserved
 * bytes 464..511 carry FP_XSTATE_MAGIC1, extended_size, xfeatures and xstate_size, then the
 * XSAVE header and components (standard format), then FP_XSTATE_MAGIC2 at xstate_size. Without
 * XSAVE (x86 CPUs that lack it) it is the FXSAVE image alone, software bytes zero.
 *
 * hal_fpu_state_size: the bytes save writes (extended_size; 512 without XSAVE). Constant after
 * boot. save: copy the state into buf (any alignment); a thread that never entered user mode
 * gets the initial state. restore: buf (size bytes, from a user frame) becomes the thread's
 * state at its next return to user mode; -EINVAL when the CPU would refuse it (MXCSR reserved
 * bits, XSTATE_BV outside the enabled features, a compacted or nonzero reserved header,
 * size < 512, not a user thread), leaving the state unchanged. A buffer without valid magic
 * words restores only its legacy x87/SSE part (the rest starts from its initial state), as
 * Linux's sigreturn does. reset: the initial state (x87 control word 0x37f, MXCSR 0x1f80, the
 * rest zero), for a signal handler's start and execve. None sleep; any context of the thread.
 * Hosted: a per-thread buffer with the same layout (x87 + SSE components, no AVX), no registers.
 */
size_t hal_fpu_state_size(void);
void hal_fpu_save_state(void *buf);
int hal_fpu_restore_state(const void *buf, size_t size);
void hal_fpu_reset_state(void);

/*
 * The same straight between the state and a user frame, without a kernel copy (the common
 * case of every signal; Linux's copy_fpstate_to_sigframe and restore_fpregs_from_user).
 * ubuf: the fpstate's user address, 64-aligned, hal_fpu_state_size() bytes.
 * save_to_user: what save writes, written at ubuf; with reset, the state is then the initial
 * one, as reset makes it (a handler's start, in one step). 0, or -EFAULT (misaligned, outside
 * the user range, or not writable now: part may be written, the state is unchanged and not
 * reset): the caller faults the pages in and tries again, or uses save + a copy (+ reset).
 * restore_from_user: the image at ubuf becomes the thread's state, as restore would make it.
 * 0, or -EFAULT when this path does not take it (not readable now, refused by the CPU, or a
 * frame restore would treat specially: no or other magic words, other sizes or features);
 * the state is then undefined until the caller calls restore (with the frame copied in,
 * which decides: 0 or -EINVAL) or reset, or ends the thread.
 * Neither sleeps; any context of the thread. Hosted: save/restore through a buffer.
 */
int hal_fpu_save_to_user(uint64_t ubuf, bool reset);
int hal_fpu_restore_from_user(uint64_t ubuf);

#endif
