/*
 * serial.c - the console on COM1 (16550 UART at 0x3f8), and hal_exit.
 *
 * Output is polled: hal_console_write() spins on the transmit-holding-register-empty bit,
 * under a spinlock so one call is never interleaved with another CPU's. Input is polled too:
 * hal_console_read() drains what the receive buffer holds, never waiting.
 *
 * Exit: QEMU's isa-debug-exit device (iobase 0xf4, 1 byte) ends QEMU with status
 * (value << 1) | 1. A shell only sees 8 bits of that, so codes 128..255 would alias codes
 * 0..127. scripts/qemu therefore also attaches a second UART (COM2, 0x2f8) to a file; before
 * writing to 0xf4 the kernel prints the full code there as "exit <n>\n" and scripts/qemu
 * exits with <n>. Without COM2 (a bare QEMU command line) the status is (code << 1) | 1.
 */
#include "hal/hal_console.h"
#include "hal/hal_power.h"
#include "hal_x86/x86.h"
#include "hal_x86/virtio/virtio.h"

#define COM1 0x3f8
#define COM2 0x2f8
#define DEBUG_EXIT_PORT 0xf4

#define UART_DATA 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_DR 0x01
#define LSR_THRE 0x20

static volatile uint32_t console_lock;
static bool com1_present;

static void uart_setup(uint16_t base)
{
    outb(base + UART_IER, 0x00);  /* no interrupts: polled */
    outb(base + UART_LCR, 0x80);  /* DLAB */
    outb(base + UART_DATA, 0x01); /* 115200 baud */
    outb(base + UART_IER, 0x00);
    outb(base + UART_LCR, 0x03); /* 8N1 */
    outb(base + UART_FCR, 0x07); /* FIFO on, cleared */
    outb(base + UART_MCR, 0x03); /* DTR, RTS */
}

static bool uart_present(uint16_t base)
{
    return inb(base + UART_LSR) != 0xff; /* an absent port floats high */
}

void serial_init(void)
{
    com1_present = uart_present(COM1);
    if (com1_present)
        uart_setup(COM1);
}

static void uart_putc(uint16_t base, char c)
{
    /* Bounded spin: a wedged UART must not hang a panic forever. */
    for (unsigned i = 0; i < 100000 && !(inb(base + UART_LSR) & LSR_THRE); i++)
        __asm__ __volatile__("pause");
    outb(base + UART_DATA, (uint8_t)c);
}

/* A fatal exception may strike while this CPU holds the console lock: drop it, so the dump
 * that follows is not a deadlock. Single CPU only; SMP will need an owner check. */
void serial_force_unlock(void)
{
    __atomic_store_n(&console_lock, 0, __ATOMIC_RELEASE);
}

void serial_putc_raw(char c)
{
    if (c == '\n')
        uart_putc(COM1, '\r');
    uart_putc(COM1, c);
}

static uint64_t console_acquire(void)
{
    return x86_lock_irqsave(&console_lock);
}

static void console_release(uint64_t flags)
{
    x86_unlock_irqrestore(&console_lock, flags);
}

void hal_console_write(const char *buf, size_t n)
{
    if (!com1_present)
        return;
    uint64_t flags = console_acquire();
    for (size_t i = 0; i < n; i++)
        serial_putc_raw(buf[i]);
    console_release(flags);
}

size_t hal_console_read(char *buf, size_t n)
{
    size_t got = 0;
    if (!com1_present)
        return 0;
    while (got < n && (inb(COM1 + UART_LSR) & LSR_DR))
        buf[got++] = (char)inb(COM1 + UART_DATA);
    return got;
}

/* Print the full exit code on COM2 when a UART is there (see the note at the top). */
void serial_exit_channel(int code)
{
    char digits[12];
    unsigned v = (unsigned)code & 0xff, n = 0;
    if (!uart_present(COM2))
        return;
    uart_setup(COM2);
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (const char *p = "exit "; *p; p++)
        uart_putc(COM2, *p);
    while (n)
        uart_putc(COM2, digits[--n]);
    uart_putc(COM2, '\n');
    /* Wait until the UART shifted everything out (QEMU transmits at once). */
    for (unsigned i = 0; i < 100000 && !(inb(COM2 + UART_LSR) & 0x40); i++)
        __asm__ __volatile__("pause");
}

void hal_exit(int code)
{
    __asm__ __volatile__("cli");
    virtio_console_drain(); /* the program's last output reaches the host first */
    x86_report_exit(code);
    serial_exit_channel(code);
    outb(DEBUG_EXIT_PORT, (uint8_t)code);
    /* No isa-debug-exit device: stop here. */
    for (;;)
        __asm__ __volatile__("cli; hlt");
}
