/*
 * selftest_user.S - user-mode code for the selftest's "uthreads" case (selftest.c). The bytes
 * between selftest_user_code and selftest_user_code_end are copied into a user page and run
 * by several kernel threads at once, each entering user mode with hal_user_enter():
 *
 *   rdi = thread id (1..N), rsi = user data base, rdx = iterations
 *
 * Each thread owns the 64-byte slot at data + id * 64:
 *   +0  id (read back through %fs:0 and %gs:0)     +24 state: 1 done, 2 failed
 *   +8  MXCSR scratch                              +32 the failed check's number
 *   +16 iterations done                            +40 struct timespec for nanosleep
 * It sets FS and GS bases to its slot (arch_prctl), a rounding mode of its own in MXCSR, xmm0
 * = id and, when the CPU and XCR0 have AVX, both halves of ymm1 = id; then loops: sched_yield,
 * a spin long enough for timer interrupts to land in user mode, every 8th round a 1 ms
 * nanosleep (a switch in the middle of a syscall), and checks that all of the above, and
 * r12-r15, are still its own. Position independent; uses no stack.
 */
#define SYS_nanosleep 35
#define SYS_sched_yield 24
#define SYS_arch_prctl 158
#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002

    .text
    .globl selftest_user_code
    .globl selftest_user_code_end
selftest_user_code:
    movq %rdi, %r12                 /* id */
    movq %rdx, %r14                 /* iterations left */
    movq %rdi, %r15
    shlq $6, %r15
    addq %rsi, %r15                 /* r15 = slot */
    movq %r12, 0(%r15)
    movq $SYS_arch_prctl, %rax
    movq $ARCH_SET_FS, %rdi
    movq %r15, %rsi
    syscall
    movq $SYS_arch_prctl, %rax
    movq $ARCH_SET_GS, %rdi
    movq %r15, %rsi
    syscall
    /* MXCSR rounding mode = id & 3 */
    movq %r12, %rax
    andq $3, %rax
    shlq $13, %rax
    orq $0x1f80, %rax
    movl %eax, 8(%r15)
    ldmxcsr 8(%r15)
    movq %r12, %xmm0
    /* AVX? CPUID.1:ECX bits 27 (OSXSAVE) and 28 (AVX), then XCR0 bits 1 and 2 */
    xorl %r13d, %r13d
    movl $1, %eax
    xorl %ecx, %ecx
    cpuid
    andl $0x18000000, %ecx
    cmpl $0x18000000, %ecx
    jne 1f
    xorl %ecx, %ecx
    xgetbv
    andl $6, %eax
    cmpl $6, %eax
    jne 1f
    movl $1, %r13d                  /* r13 = 1: check ymm1 too */
    vbroadcastsd 0(%r15), %ymm1
1:
loop:
    movq $SYS_sched_yield, %rax
    syscall
    movl $300000, %ecx
2:  decl %ecx
    jnz 2b
    testq $7, %r14
    jnz 3f
    movq $0, 40(%r15)
    movq $1000000, 48(%r15)         /* 1 ms */
    movq $SYS_nanosleep, %rax
    leaq 40(%r15), %rdi
    xorl %esi, %esi
    syscall
    testq %rax, %rax
    movl $1, %ecx
    jnz fail
3:  movl $2, %ecx
    movq %xmm0, %rax
    cmpq %r12, %rax
    jne fail
    movl $3, %ecx
    movq %fs:0, %rax
    cmpq %r12, %rax
    jne fail
    movl $4, %ecx
    movq %gs:0, %rax
    cmpq %r12, %rax
    jne fail
    movl $5, %ecx
    stmxcsr 8(%r15)
    movl 8(%r15), %eax
    shrl $13, %eax
    andl $3, %eax
    movq %r12, %rdx
    andl $3, %edx
    cmpl %edx, %eax
    jne fail
    movl $6, %ecx
    cmpq %r12, 0(%r15)              /* r15 still this thread's slot */
    jne fail
    testl %r13d, %r13d
    jz 4f
    movl $7, %ecx
    vextractf128 $1, %ymm1, %xmm2
    movq %xmm2, %rax
    cmpq %r12, %rax
    jne fail
    movq %xmm1, %rax
    cmpq %r12, %rax
    jne fail
4:  incq 16(%r15)
    decq %r14
    jnz loop
    movq $1, 24(%r15)
    jmp forever
fail:
    movq %rcx, 32(%r15)
    movq $2, 24(%r15)
forever:
    movq $1000, 40(%r15)
    movq $0, 48(%r15)
    movq $SYS_nanosleep, %rax
    leaq 40(%r15), %rdi
    xorl %esi, %esi
    syscall
    jmp forever
selftest_user_code_end:

    .section .note.GNU-stack, "", @progbits
