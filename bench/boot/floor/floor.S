/*
 * floor.S - the smallest PVH guest: QEMU's own boot floor for bench/boot.
 *
 * QEMU's -kernel loader finds the Xen ELF note XEN_ELFNOTE_PHYS32_ENTRY (type 18) and jumps to
 * the physical address it holds in 32-bit protected mode, paging off. This guest writes one
 * line to COM1 (polling the 16550's transmit-holding-register-empty bit before each byte, as a
 * real console driver does) and then writes 0 to QEMU's isa-debug-exit port (0xf4), so QEMU
 * exits at once with status 1. Everything else a kernel does is left out on purpose: the time
 * from starting QEMU to this line, and to QEMU's exit, is what no guest can beat on the same
 * QEMU command line.
 */
#define COM1 0x3f8
#define COM_LSR (COM1 + 5)
#define LSR_THRE 0x20
#define DEBUG_EXIT 0xf4

    .section .note.Xen, "a", @note
    .balign 4
    .long 4                 /* namesz */
    .long 8                 /* descsz: QEMU reads a pointer-sized entry from an ELF64 */
    .long 18                /* XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .balign 4
    .quad floor_start

    .section .text, "ax"
    .code32
    .globl floor_start
floor_start:
    cli
    mov $message, %esi
    mov $message_end - message, %ecx
1:  mov $COM_LSR, %dx
2:  inb %dx, %al
    test $LSR_THRE, %al
    jz 2b
    mov $COM1, %dx
    lodsb
    outb %al, %dx
    loop 1b
    mov $DEBUG_EXIT, %dx
    xor %al, %al
    outb %al, %dx
3:  hlt                     /* only reached without isa-debug-exit */
    jmp 3b

    .section .rodata, "a"
message:
    .ascii "floor: hello from a bare PVH guest\n"
message_end:

    .section .note.GNU-stack, "", @progbits
