/*
 * usercopy.S - the instructions that touch user memory. Each may fault; its address is in
 * the .extable section with the address to resume at, where the routine returns -EFAULT
 * (cpu.c: extable_fixup). The C wrappers (user.c) check the ranges first.
 */
#define EFAULT 14
#define ENAMETOOLONG 36

    .text
/*
 * long x86_copy_user(void *dst, const void *src, size_t n): 0 or -EFAULT.
 * 64-byte blocks of eight 8-byte loads and stores, then the tail with rep movsq / rep movsb.
 * Not one rep movsb for everything: under QEMU's TCG every iteration of a rep string
 * instruction is one translation-block execution, so a 4 KiB rep movsb was 4,096 of them
 * (bench/syscall, read 4 KiB); the unrolled loop is 64. Every access is in .extable.
 */
#define UX(...) 99: __VA_ARGS__; .pushsection .extable, "a"; .balign 8; .quad 99b, 2f; .popsection
    .globl x86_copy_user
x86_copy_user:
    mov %rdx, %rcx
    shr $6, %rcx
    jz 12f
11: UX(movq 0(%rsi), %r8)
    UX(movq 8(%rsi), %r9)
    UX(movq 16(%rsi), %r10)
    UX(movq 24(%rsi), %r11)
    UX(movq %r8, 0(%rdi))
    UX(movq %r9, 8(%rdi))
    UX(movq %r10, 16(%rdi))
    UX(movq %r11, 24(%rdi))
    UX(movq 32(%rsi), %r8)
    UX(movq 40(%rsi), %r9)
    UX(movq 48(%rsi), %r10)
    UX(movq 56(%rsi), %r11)
    UX(movq %r8, 32(%rdi))
    UX(movq %r9, 40(%rdi))
    UX(movq %r10, 48(%rdi))
    UX(movq %r11, 56(%rdi))
    add $64, %rsi
    add $64, %rdi
    dec %rcx
    jnz 11b
12: mov %rdx, %rcx
    and $63, %ecx
    shr $3, %ecx
    UX(rep movsq)
    mov %edx, %ecx
    and $7, %ecx
1:  rep movsb
    xor %eax, %eax
    ret
2:  mov $-EFAULT, %rax
    ret

/* long x86_strncpy_user(char *dst, const char *src, size_t max):
 * length without the NUL, -ENAMETOOLONG when no NUL within max bytes, -EFAULT */
    .globl x86_strncpy_user
x86_strncpy_user:
    xor %eax, %eax
    test %rdx, %rdx
    jz 5f
3:  movb (%rsi,%rax), %cl
    movb %cl, (%rdi,%rax)
    test %cl, %cl
    jz 4f
    inc %rax
    cmp %rdx, %rax
    jb 3b
5:  mov $-ENAMETOOLONG, %rax
4:  ret
6:  mov $-EFAULT, %rax
    ret

/* long x86_user_load32(const uint32_t *src, uint32_t *val): 0 or -EFAULT */
    .globl x86_user_load32
x86_user_load32:
7:  movl (%rdi), %eax
    movl %eax, (%rsi)
    xorl %eax, %eax
    ret
8:  mov $-EFAULT, %rax
    ret

/* long x86_user_cmpxchg32(uint32_t *p, uint32_t expected, uint32_t desired, uint32_t *old):
 * 0 (old holds what was found) or -EFAULT. lock cmpxchg writes even when the compare
 * fails, so a read-only page faults either way. */
    .globl x86_user_cmpxchg32
x86_user_cmpxchg32:
    movl %esi, %eax
9:  lock cmpxchgl %edx, (%rdi)
    movl %eax, (%rcx)
    xorl %eax, %eax
    ret
10: mov $-EFAULT, %rax
    ret

    .section .extable, "a"
    .balign 8
    .quad 1b, 2b
    .quad 3b, 6b
    .quad 7b, 8b
    .quad 9b, 10b
