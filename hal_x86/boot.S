/*
 * boot.S - PVH entry: 32-bit protected mode -> long mode -> higher half -> x86_boot().
 *
 * A PVH loader (QEMU -kernel, Firecracker, cloud-hypervisor) reads the Xen ELF note
 * XEN_ELFNOTE_PHYS32_ENTRY (type 18) and jumps to that physical address in 32-bit protected
 * mode, paging off, flat CS/DS, %ebx = physical address of struct hvm_start_info, no stack.
 *
 * We zero .bss, build boot page tables that map the first 1 GiB twice (identity, for the
 * instant after paging turns on, and at -2 GiB where the kernel is linked), enable
 * PAE + long mode (+ NX when the CPU has it), and jump to the higher half. mm.c replaces
 * these tables with the final ones.
 */
#define KVMA 0xffffffff80000000
#define PHYS(x) ((x) - KVMA)

    .section .note.Xen, "a", @note
    .balign 4
    .long 4                 /* namesz */
    .long 8                 /* descsz */
    .long 18                /* XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .balign 4
    .quad PHYS(pvh_start32)

    .section .boot.text, "ax"
    .code32
    .globl pvh_start32
pvh_start32:
    cli
    cld
    mov %ebx, %esi                      /* start info: keep it in %esi */

    /* Zero .bss (the loader may not, and the page tables below live there). Four bytes a
     * step after an unaligned head (__bss_end is page-aligned): TCG runs every step of a rep
     * as one block, and a byte at a time was half the boot's block executions. */
    mov $PHYS(__bss_start), %edi
    mov $PHYS(__bss_end), %ecx
    sub %edi, %ecx
    xor %eax, %eax
    mov %ecx, %edx
    and $3, %ecx
    rep stosb
    mov %edx, %ecx
    shr $2, %ecx
    rep stosl

    /* Long mode is required; NX is used when present. */
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb no_long_mode
    mov $0x80000001, %eax
    cpuid
    test $(1 << 29), %edx
    jz no_long_mode
    mov %edx, %ebp                      /* remember the NX bit (edx bit 20) */

    /* Boot page tables: PD maps 0..1 GiB with 2 MiB pages. */
    mov $PHYS(boot_pd), %edi
    mov $0x83, %eax                     /* P | W | PS */
    xor %ecx, %ecx
1:  mov %eax, (%edi,%ecx,8)
    add $0x200000, %eax
    inc %ecx
    cmp $512, %ecx
    jne 1b
    mov $PHYS(boot_pd), %eax
    or $3, %eax
    mov %eax, PHYS(boot_pdpt_low)
    mov %eax, PHYS(boot_pdpt_high) + 510 * 8
    mov $PHYS(boot_pdpt_low), %eax
    or $3, %eax
    mov %eax, PHYS(boot_pml4)
    mov $PHYS(boot_pdpt_high), %eax
    or $3, %eax
    mov %eax, PHYS(boot_pml4) + 511 * 8

    mov %cr4, %eax
    or $(1 << 5), %eax                  /* PAE */
    mov %eax, %cr4
    mov $PHYS(boot_pml4), %eax
    mov %eax, %cr3

    mov $0xc0000080, %ecx               /* EFER */
    rdmsr
    or $(1 << 8), %eax                  /* LME */
    test $(1 << 20), %ebp
    jz 2f
    or $(1 << 11), %eax                 /* NXE */
2:  wrmsr

    lgdt PHYS(boot_gdt_ptr)
    mov %cr0, %eax
    or $0x80010001, %eax                /* PG | WP | PE */
    mov %eax, %cr0
    ljmp $0x08, $PHYS(long_entry)

no_long_mode:
    /* No 64-bit CPU: say so on COM1 and stop (isa-debug-exit with X86_EXIT_BOOT). */
    mov $PHYS(msg_no_lm), %esi
3:  lodsb
    test %al, %al
    jz 4f
    mov $0x3f8, %dx
    out %al, %dx
    jmp 3b
4:  mov $0x7b, %al
    mov $0xf4, %dx
    out %al, %dx
5:  hlt
    jmp 5b

    .code64
long_entry:
    movabs $higher_half, %rax
    jmp *%rax

    .text
higher_half:
    mov $0x10, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    xor %eax, %eax
    mov %eax, %fs
    mov %eax, %gs
    lea boot_stack_top(%rip), %rsp
    xor %ebp, %ebp
    /* x87 + SSE on (ctx_switch.S saves MXCSR; gcc may use SSE in no kernel code, but the
     * application will): CR0.MP|NE, EM off; CR4.OSFXSR|OSXMMEXCPT. */
    mov %cr0, %rax
    and $~(1 << 2), %rax
    or $((1 << 1) | (1 << 5)), %rax
    mov %rax, %cr0
    mov %cr4, %rax
    or $((1 << 9) | (1 << 10)), %rax
    mov %rax, %cr4
    fninit
    mov %esi, %edi                      /* zero-extends: start info physical address */
    call x86_boot
6:  cli
    hlt
    jmp 6b

    .section .boot.rodata, "a"
    .balign 16
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff            /* 0x08: 64-bit code */
    .quad 0x00cf92000000ffff            /* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
    .word boot_gdt_end - boot_gdt - 1
    .long PHYS(boot_gdt)
msg_no_lm:
    .asciz "petrel: this CPU has no long mode\n"

    .bss
    .balign 4096
    .globl boot_pml4
boot_pml4:      .skip 4096
boot_pdpt_low:  .skip 4096
boot_pdpt_high: .skip 4096
boot_pd:        .skip 4096
    .globl boot_stack_bottom, boot_stack_top
boot_stack_bottom:
    .skip 32768
boot_stack_top:
