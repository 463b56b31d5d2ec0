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

    .section .extable, "a"
    .balign 8
    .quad 1b, 2b
    .quad 3b, 6b
