/*
 * entry.S - interrupt and exception entry: one stub per vector pushes a dummy error code
 * (unless the CPU pushed one) and the vector, then the common path saves the general
 * registers as a struct trap_frame (x86.h) and calls x86_trap(frame).
 *
 * From ring 3 (CS RPL 3 in the frame) the common path swaps GS in and out, so the kernel
 * always runs with GS_BASE = the per-CPU block (usermode.c, syscall_entry.S).
 */
    .altmacro
    .text

/* Vectors where the CPU pushes an error code: 8, 10-14, 17, 21, 29, 30. */
.macro stub vec
    .balign 16
    .if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
    .else
    pushq $0
    .endif
    pushq $\vec
    jmp trap_common
.endm

    .balign 16
    .globl x86_vector_stubs
x86_vector_stubs:
.set v, 0
.rept 256
    stub %v
.set v, v + 1
.endr

trap_common:
    testb $3, 24(%rsp)                 /* cs: from user mode? */
    jz 1f
    swapgs
1:  pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    cld
    mov %rsp, %rdi
    /* Frame pointer chain: make the interrupted rip look like a caller for backtraces. */
    pushq 8*17(%rsp)                   /* rip */
    pushq %rbp
    mov %rsp, %rbp
    /* Align the stack to 16 for C. */
    mov %rsp, %rbx
    and $-16, %rsp
    call x86_trap
    mov %rbx, %rsp
    add $16, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    add $16, %rsp                      /* vector, error */
    testb $3, 8(%rsp)                  /* cs: back to user mode? */
    jz 2f
    swapgs
2:  iretq
