/*
 * apic.c - interrupt controllers: the legacy 8259 pair (remapped out of the exception
 * vectors, then fully masked), the local APIC (xAPIC, MMIO) and the I/O APIC.
 *
 * Device interrupts reach the CPU either through the I/O APIC (virtio-mmio on microvm, whose
 * lines QEMU wires to I/O APIC pins; ISA devices on q35/pc) or as MSI-X messages written
 * straight to the local APIC (virtio-pci), which need no routing here.
 *
 * The I/O APIC is assumed at its architectural default 0xfec00000, where QEMU's pc, q35 and
 * microvm machines put it (the ACPI MADT would say so too; reading it is future work).
 */
#include "hal_x86/x86.h"

#define IA32_APIC_BASE 0x1b
#define LAPIC_ID 0x20
#define LAPIC_TPR 0x80
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LVT_MASKED (1u << 16)

#define IOAPIC_PHYS 0xfec00000ULL

volatile uint8_t *lapic;
static volatile uint8_t *ioapic;
static unsigned ioapic_pins;

static void lapic_write(unsigned reg, uint32_t v)
{
    mmio_write32(lapic + reg, v);
}

void lapic_eoi(void)
{
    lapic_write(LAPIC_EOI, 0);
}

static void pic_disable(void)
{
    /* ICW1-4: cascade, vectors 0x20/0x28 (so a stray one is not an exception), 8086 mode. */
    outb(0x20, 0x11);
    outb(0xa0, 0x11);
    outb(0x21, 0x20);
    outb(0xa1, 0x28);
    outb(0x21, 0x04);
    outb(0xa1, 0x02);
    outb(0x21, 0x01);
    outb(0xa1, 0x01);
    outb(0x21, 0xff); /* mask everything */
    outb(0xa1, 0xff);
}

static uint32_t ioapic_read(unsigned reg)
{
    mmio_write32(ioapic, reg);
    return mmio_read32(ioapic + 0x10);
}

static void ioapic_write(unsigned reg, uint32_t v)
{
    mmio_write32(ioapic, reg);
    mmio_write32(ioapic + 0x10, v);
}

static void ioapic_init(void)
{
    ioapic = mmio_map(IOAPIC_PHYS, 0x20);
    if (!ioapic)
        return;
    uint32_t ver = ioapic_read(1);
    if (ver == 0xffffffff) { /* nothing there */
        ioapic = NULL;
        return;
    }
    ioapic_pins = ((ver >> 16) & 0xff) + 1;
    for (unsigned i = 0; i < ioapic_pins; i++) {
        ioapic_write(0x10 + 2 * i, LVT_MASKED);
        ioapic_write(0x11 + 2 * i, 0);
    }
}

bool x86_ioapic_present(void)
{
    return ioapic != NULL;
}

void ioapic_route(unsigned gsi, uint8_t vector, bool level, bool active_low)
{
    if (!ioapic || gsi >= ioapic_pins)
        return;
    uint32_t lo = vector | (level ? 1u << 15 : 0) | (active_low ? 1u << 13 : 0);
    uint32_t id = mmio_read32(lapic + LAPIC_ID) >> 24;
    ioapic_write(0x11 + 2 * gsi, id << 24); /* physical destination: this CPU */
    ioapic_write(0x10 + 2 * gsi, lo);       /* fixed delivery, unmasked */
}

void apic_init(void)
{
    pic_disable();
    uint64_t base = rdmsr(IA32_APIC_BASE);
    wrmsr(IA32_APIC_BASE, base | (1ULL << 11)); /* global enable */
    lapic = mmio_map(base & 0xfffff000ULL, 0x1000);
    if (!lapic) {
        extern void x86_boot_fail(const char *msg) __attribute__((noreturn));
        x86_boot_fail("cannot map the local APIC");
    }
    lapic_write(LAPIC_TPR, 0);
    lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
    lapic_write(LAPIC_LVT_ERROR, LVT_MASKED);
    lapic_write(LAPIC_SVR, 0x100 | VEC_SPURIOUS); /* software enable */
    ioapic_init();
}
