/*
 * hal_user.h - user mode: entering it, coming back from it, and copying across the boundary.
 *
 * The kernel decides whether a user range is valid (its VM areas); the HAL only performs the
 * access safely: hal_copy_*_user() never fault the kernel, they return -EFAULT when the
 * hardware (or the hosted mapping table) refuses the access.
 */
#ifndef HAL_USER_H
#define HAL_USER_H

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
 * Enter user mode on the current thread with regs. Returns only when the thread comes back
 * into the kernel through a syscall or fault, after kernel_syscall()/kernel_user_fault()
 * have run and asked to return to the kernel caller (see core/proc). Hosted: unsupported,
 * returns -ENOSYS (hosted tests call the syscall layer as C, DESIGN §4).
 */
int hal_user_enter(struct hal_uregs *regs);

/* Kernel entry points (core/): regs may be modified and are restored on return to user. */
void kernel_syscall(struct hal_uregs *regs);
void kernel_user_fault(struct hal_uregs *regs, enum hal_fault_kind kind, uint64_t addr);

/*
 * Fault-safe copies between kernel memory and the active user address space. Return 0 or
 * -EFAULT (nothing or part may have been copied). May take a page fault that the kernel
 * resolves (and so may sleep); never call with interrupts disabled or a spinlock held.
 */
int hal_copy_from_user(void *dst, uint64_t usrc, size_t n);
int hal_copy_to_user(uint64_t udst, const void *src, size_t n);

/* Copy a NUL-terminated string of at most max bytes (NUL included). Returns its length
 * without the NUL, -ENAMETOOLONG if no NUL within max, or -EFAULT. */
long hal_strncpy_from_user(char *dst, uint64_t usrc, size_t max);

#endif
