/*
 * syscall_entry.S - the SYSCALL entry, the return to user mode (SYSRET, or IRETQ when SYSRET
 * cannot restore the frame exactly), and the first entry of a thread (hal_user_enter).
 *
 * GS: in kernel mode GS_BASE always points at the CPU's struct x86_percpu (usermode.c) and
 * KERNEL_GS_BASE holds the program's GS base; every user->kernel transition (here, and
 * entry.S for interrupts/exceptions from ring 3) does swapgs, and so does every return.
 *
 * A user thread's kernel stack, from the point hal_user_enter() was called:
 *
 *      | hal_user_enter's callers   |
 *      +----------------------------+  64-aligned
 *      | FPU/SSE/AVX save area      |  x86_fpu_size bytes (fpu.c)
 *      | struct x86_ublock (64 B)   |  FS/GS bases (usermode.c)
 *      +----------------------------+  <- kstack top: TSS.rsp0 and percpu.kstack_top
 *      | struct hal_uregs (160 B)   |  syscall frame (or a struct trap_frame from entry.S)
 *      | C frames of the syscall    |
 *
 * So the block of the thread returning to user mode is always just above its frame.
 */
#define PC_KSTACK 8
#define PC_USER_RSP 16
#define PC_USER_FS 24
#define PC_USER_GS 32

#define R_RAX 0
#define R_RBX 8
#define R_RCX 16
#define R_RDX 24
#define R_RSI 32
#define R_RDI 40
#define R_RBP 48
#define R_RSP 56
#define R_R8 64
#define R_R9 72
#define R_R10 80
#define R_R11 88
#define R_R12 96
#define R_R13 104
#define R_R14 112
#define R_R15 120
#define R_RIP 128
#define R_RFLAGS 136
#define UREGS_SIZE 160

#define SEL_UDATA 0x20
#define SEL_UCODE 0x28

    .text

/* LSTAR points here. IF, DF, TF, AC, NT and IOPL are already clear (SFMASK). */
    .globl x86_syscall_entry
    .type x86_syscall_entry, @function
    .balign 16
x86_syscall_entry:
    swapgs
    movq %rsp, %gs:PC_USER_RSP
    movq %gs:PC_KSTACK, %rsp
    pushq %gs:PC_USER_GS            /* gs_base */
    pushq %gs:PC_USER_FS            /* fs_base */
    pushq %r11                      /* rflags */
    pushq %rcx                      /* rip */
    pushq %r15
    pushq %r14
    pushq %r13
    pushq %r12
    pushq %r11
    pushq %r10
    pushq %r9
    pushq %r8
    pushq %gs:PC_USER_RSP           /* rsp */
    pushq %rbp
    pushq %rdi
    pushq %rsi
    pushq %rdx
    pushq %rcx
    pushq %rbx
    pushq %rax
    xorl %ebp, %ebp                 /* kernel backtraces end here */
    movq %rsp, %rdi
    sti
    call kernel_syscall             /* core/: may sleep, may rewrite the frame */
    /* fall through: rsp still points at the frame */

/* Return to user mode with the struct hal_uregs at rsp (just below the kernel stack top).
 * Interrupts enabled here; x86_user_return runs the kernel's return work (signals) and
 * returns with them disabled when SYSRET restores the frame exactly (else it returns to user
 * mode by x86_user_iret). A non-canonical rcx would make SYSRET fault in ring 0 with the
 * user's rsp (Intel): x86_user_return returns only for a canonical rip. */
    .globl x86_return_to_user
x86_return_to_user:
    movq %rsp, %rdi
    call x86_user_return
    movq R_RIP(%rsp), %rcx
    movq R_RBX(%rsp), %rbx
    movq R_RDX(%rsp), %rdx
    movq R_RSI(%rsp), %rsi
    movq R_RDI(%rsp), %rdi
    movq R_RBP(%rsp), %rbp
    movq R_R8(%rsp), %r8
    movq R_R9(%rsp), %r9
    movq R_R10(%rsp), %r10
    movq R_R12(%rsp), %r12
    movq R_R13(%rsp), %r13
    movq R_R14(%rsp), %r14
    movq R_R15(%rsp), %r15
    movq R_RFLAGS(%rsp), %r11
    movq R_RAX(%rsp), %rax
    movq R_RSP(%rsp), %rsp
    swapgs
    sysretq
    .size x86_syscall_entry, . - x86_syscall_entry

/* void x86_user_iret(struct hal_uregs *regs): never returns. Interrupts disabled, the return
 * work done: return to user mode with regs (just below the kernel stack top; everything below
 * it is dropped) by IRETQ, which restores every register and flag. */
    .globl x86_user_iret
    .type x86_user_iret, @function
x86_user_iret:
    movq %rdi, %rsp
    movq %rsp, %rax
    pushq $(SEL_UDATA | 3)
    pushq R_RSP(%rax)
    pushq R_RFLAGS(%rax)
    pushq $(SEL_UCODE | 3)
    pushq R_RIP(%rax)
    movq R_RBX(%rax), %rbx
    movq R_RCX(%rax), %rcx
    movq R_RDX(%rax), %rdx
    movq R_RSI(%rax), %rsi
    movq R_RDI(%rax), %rdi
    movq R_RBP(%rax), %rbp
    movq R_R8(%rax), %r8
    movq R_R9(%rax), %r9
    movq R_R10(%rax), %r10
    movq R_R11(%rax), %r11
    movq R_R12(%rax), %r12
    movq R_R13(%rax), %r13
    movq R_R14(%rax), %r14
    movq R_R15(%rax), %r15
    movq R_RAX(%rax), %rax
    swapgs
    iretq
    .size x86_user_iret, . - x86_user_iret

/*
 * void x86_user_start(const struct hal_uregs *regs, uint64_t area_bytes): never returns.
 * Reserve the block (FS/GS bases, FPU area) below the caller's stack (64-aligned), copy regs
 * below it, let x86_user_first initialise the block (it enables interrupts) and return to
 * user mode through the common path.
 */
    .globl x86_user_start
    .type x86_user_start, @function
x86_user_start:
    movq %rsp, %rax
    subq %rsi, %rax
    andq $-64, %rax
    movq %rax, %rsp                 /* the kernel stack top of this user thread */
    subq $UREGS_SIZE, %rsp
    movq %rdi, %rsi
    movq %rsp, %rdi
    movl $(UREGS_SIZE / 8), %ecx
    cld
    rep movsq
    xorl %ebp, %ebp                 /* kernel backtraces end here */
    movq %rsp, %rdi
    call x86_user_first
    jmp x86_return_to_user
    .size x86_user_start, . - x86_user_start

    .section .note.GNU-stack, "", @progbits
