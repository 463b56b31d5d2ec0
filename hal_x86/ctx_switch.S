/*
 * ctx_switch.S - the one x86-64 context switch, shared by the bare-metal and hosted backends.
 *
 * A context is a stack pointer; everything else is parked on the stack it points to:
 *
 *      higher addresses
 *      +------------------+
 *      | return address   |  sp + 56   (first switch: hal_x86_ctx_start)
 *      | rbp              |  sp + 48
 *      | rbx              |  sp + 40
 *      | r12              |  sp + 32   (first switch: entry)
 *      | r13              |  sp + 24   (first switch: arg)
 *      | r14              |  sp + 16
 *      | r15              |  sp + 8
 *      | fpucw   | mxcsr  |  sp + 4 / sp + 0
 *      +------------------+ <- ctx->sp (16-byte aligned)
 *
 * Only the SysV callee-saved state needs saving: the caller of hal_ctx_switch() already
 * treats every other register as clobbered. MXCSR control bits and the x87 control word are
 * callee-saved too (psABI 3.2.1), so a thread that changes its rounding mode keeps it.
 * Loading them costs more than the rest of the switch together, so they are loaded only
 * when the incoming context's values differ from the outgoing one's (almost never).
 *
 * hal_ctx_switch and hal_ctx_switch_final are small wrappers in each backend around this
 * routine (hal_x86/usermode.c, hal_hosted/context.c): they record which context runs (for
 * per-thread user-mode state) and, in hosted ASan builds, call the sanitizer's fiber hooks.
 * The file uses nothing but the CPU, so the freestanding kernel links it unchanged.
 */
    .text

/* void hal_x86_ctx_switch(struct hal_ctx *from, struct hal_ctx *to): ctx->sp is at offset 0. */
    .globl hal_x86_ctx_switch
    .type hal_x86_ctx_switch, @function
hal_x86_ctx_switch:
    .cfi_startproc
    pushq %rbp
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset rbp, 0
    pushq %rbx
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset rbx, 0
    pushq %r12
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset r12, 0
    pushq %r13
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset r13, 0
    pushq %r14
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset r14, 0
    pushq %r15
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset r15, 0
    pushq $0                /* zeroed, so the slot compares as one quadword */
    .cfi_adjust_cfa_offset 8
    stmxcsr 0(%rsp)
    fnstcw 4(%rsp)
    movq %rsp, %rax
    movq %rsp, (%rdi)
    movq (%rsi), %rsp       /* same frame layout on both stacks: the CFI stays true */
    movq 0(%rsp), %rcx
    cmpq 0(%rax), %rcx
    jne 2f                  /* loading MXCSR/FPUCW is slow: only when they differ */
1:  .cfi_remember_state
    addq $8, %rsp
    .cfi_adjust_cfa_offset -8
    popq %r15
    .cfi_adjust_cfa_offset -8
    .cfi_restore r15
    popq %r14
    .cfi_adjust_cfa_offset -8
    .cfi_restore r14
    popq %r13
    .cfi_adjust_cfa_offset -8
    .cfi_restore r13
    popq %r12
    .cfi_adjust_cfa_offset -8
    .cfi_restore r12
    popq %rbx
    .cfi_adjust_cfa_offset -8
    .cfi_restore rbx
    popq %rbp
    .cfi_adjust_cfa_offset -8
    .cfi_restore rbp
    ret
    .cfi_restore_state
2:  ldmxcsr 0(%rsp)
    fldcw 4(%rsp)
    jmp 1b
    .cfi_endproc
    .size hal_x86_ctx_switch, . - hal_x86_ctx_switch

/*
 * First instruction of every new context, reached by the ret above. rsp is 16-byte aligned
 * here; pushing a zero return address makes entry(arg) start exactly as if called (rsp % 16
 * == 8), and with rbp == 0 (popped from the initial frame) backtraces stop at entry.
 */
    .globl hal_x86_ctx_start
    .type hal_x86_ctx_start, @function
hal_x86_ctx_start:
    .cfi_startproc
    .cfi_undefined rip
    movq %r13, %rdi
    pushq $0
    jmp *%r12
    .cfi_endproc
    .size hal_x86_ctx_start, . - hal_x86_ctx_start

    .section .note.GNU-stack, "", @progbits
