/*
 * regs_probe.S - test helper: switch contexts with chosen values in every callee-saved
 * register, and report what those registers hold when the switch returns.
 *
 * void probe_switch(struct hal_ctx *from, struct hal_ctx *to, uint64_t out[6],
 *                   const uint64_t in[6]);   in/out order: rbx rbp r12 r13 r14 r15
 */
    .text
    .globl probe_switch
    .type probe_switch, @function
probe_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    pushq %rdx              /* out; rsp is now 16-byte aligned for the call */
    movq 0(%rcx), %rbx
    movq 8(%rcx), %rbp
    movq 16(%rcx), %r12
    movq 24(%rcx), %r13
    movq 32(%rcx), %r14
    movq 40(%rcx), %r15
    call hal_ctx_switch
    movq (%rsp), %rdx
    movq %rbx, 0(%rdx)
    movq %rbp, 8(%rdx)
    movq %r12, 16(%rdx)
    movq %r13, 24(%rdx)
    movq %r14, 32(%rdx)
    movq %r15, 40(%rdx)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size probe_switch, . - probe_switch

/*
 * unsigned probe_backtrace(uint64_t fake_rbp, uint64_t *pcs, unsigned max): call
 * hal_backtrace() with rbp = fake_rbp, i.e. from a frame whose saved frame pointer is
 * corrupted, to check that the walk stops instead of faulting.
 */
    .globl probe_backtrace
    .type probe_backtrace, @function
probe_backtrace:
    pushq %rbp
    movq %rdi, %rbp
    movq %rsi, %rdi
    movl %edx, %esi
    call hal_backtrace
    popq %rbp
    ret
    .size probe_backtrace, . - probe_backtrace

    .section .note.GNU-stack, "", @progbits
