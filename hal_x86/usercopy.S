/*
 * usercopy.S - the instructions that touch user memory. Each may fault; its address is in
 * the .extable section with the address to resume at, where the routine returns -EFAULT
 * (cpu.c: extable_fixup). The C wrappers (user.c) check the ranges first.
 */
#define EFAULT 14
#define ENAMETOOLONG 36

    .text
/* long x86_copy_user(void *dst, const void *src, size_t n): 0 or -EFAULT */
    .globl x86_copy_user
x86_copy_user:
    mov %rdx, %rcx
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
