/*
 * pci.c - PCI enumeration through configuration mechanism #1 (ports 0xcf8/0xcfc), which
 * QEMU's q35 and pc machines provide (q35's ECAM would also do; the ports need no ACPI).
 *
 * Only bus 0 and the buses behind bridges found on it are scanned, depth first, so boot
 * does not pay for 256 empty buses. microvm has no PCI host: the first read returns all
 * ones and pci_init() returns at once.
 */
#include "hal/hal_errno.h"
#include "hal_x86/pci.h"
#include "hal_x86/x86.h"

static uint32_t cfg_addr(const struct pci_dev *d, unsigned off)
{
    return 0x80000000u | ((uint32_t)d->bus << 16) | ((uint32_t)d->dev << 11) |
           ((uint32_t)d->fn << 8) | (off & 0xfc);
}

uint32_t pci_read32(const struct pci_dev *d, unsigned off)
{
    outl(0xcf8, cfg_addr(d, off));
    return inl(0xcfc);
}

uint16_t pci_read16(const struct pci_dev *d, unsigned off)
{
    return (uint16_t)(pci_read32(d, off) >> ((off & 2) * 8));
}

uint8_t pci_read8(const struct pci_dev *d, unsigned off)
{
    return (uint8_t)(pci_read32(d, off) >> ((off & 3) * 8));
}

void pci_write32(const struct pci_dev *d, unsigned off, uint32_t v)
{
    outl(0xcf8, cfg_addr(d, off));
    outl(0xcfc, v);
}

void pci_write16(const struct pci_dev *d, unsigned off, uint16_t v)
{
    outl(0xcf8, cfg_addr(d, off));
    outw((uint16_t)(0xcfc + (off & 2)), v);
}

uint64_t pci_bar_addr(const struct pci_dev *d, unsigned n)
{
    if (n > 5)
        return 0;
    uint32_t lo = pci_read32(d, 0x10 + 4 * n);
    if (lo & 1)
        return 0; /* I/O space */
    uint64_t addr = lo & ~0xfULL;
    if (((lo >> 1) & 3) == 2 && n < 5)
        addr |= (uint64_t)pci_read32(d, 0x10 + 4 * (n + 1)) << 32;
    return addr;
}

unsigned pci_find_cap(const struct pci_dev *d, uint8_t id, unsigned from)
{
    if (!(pci_read16(d, 0x06) & (1u << 4)))
        return 0; /* no capability list */
    unsigned off = from ? pci_read8(d, from + 1) : pci_read8(d, 0x34);
    /* At most 48 capabilities fit in 256 bytes: a longer chain is a loop. */
    for (unsigned n = 0; n < 48 && off >= 0x40; n++) {
        off &= 0xfc;
        if (pci_read8(d, off) == id)
            return off;
        off = pci_read8(d, off + 1);
    }
    return 0;
}

void pci_enable(const struct pci_dev *d)
{
    uint16_t cmd = pci_read16(d, 0x04);
    pci_write16(d, 0x04, (uint16_t)(cmd | (1u << 1) | (1u << 2) | (1u << 10)));
}

int pci_msix_route(const struct pci_dev *d, unsigned entry, uint8_t vector)
{
    unsigned cap = pci_find_cap(d, 0x11, 0);
    if (!cap)
        return -ENODEV;
    uint16_t ctrl = pci_read16(d, cap + 2);
    if (entry > (ctrl & 0x7ffu))
        return -EINVAL;
    uint32_t table = pci_read32(d, cap + 4);
    uint64_t bar = pci_bar_addr(d, table & 7);
    if (!bar)
        return -ENODEV;
    volatile uint8_t *t = mmio_map(bar + (table & ~7u) + 16 * entry, 16);
    if (!t)
        return -ENOMEM;
    uint32_t apic_id = mmio_read32(lapic + 0x20) >> 24;
    mmio_write32(t + 0, 0xfee00000u | (apic_id << 12));
    mmio_write32(t + 4, 0);
    mmio_write32(t + 8, vector); /* fixed delivery, edge */
    mmio_write32(t + 12, 0);     /* unmasked */
    pci_write16(d, cap + 2, (uint16_t)((ctrl | (1u << 15)) & ~(1u << 14)));
    return 0;
}

static void scan_bus(uint8_t bus, unsigned depth);

static void probe_function(struct pci_dev *d, unsigned depth)
{
    uint32_t id = pci_read32(d, 0);
    d->vendor = (uint16_t)id;
    d->device = (uint16_t)(id >> 16);
    uint32_t cls = pci_read32(d, 0x08);
    d->class_code = (uint8_t)(cls >> 24);
    d->subclass = (uint8_t)(cls >> 16);
    uint8_t hdr = pci_read8(d, 0x0e) & 0x7f;
    if (hdr == 1 && depth < 8) { /* PCI-to-PCI bridge: scan its secondary bus */
        uint8_t secondary = pci_read8(d, 0x19);
        if (secondary > d->bus)
            scan_bus(secondary, depth + 1);
        return;
    }
    if (d->vendor == 0x1af4 && d->device >= 0x1000 && d->device <= 0x107f)
        virtio_pci_probe(d);
}

static void scan_bus(uint8_t bus, unsigned depth)
{
    for (uint8_t dev = 0; dev < 32; dev++) {
        struct pci_dev d = {.bus = bus, .dev = dev, .fn = 0};
        if ((uint16_t)pci_read32(&d, 0) == 0xffff)
            continue;
        unsigned nfn = (pci_read8(&d, 0x0e) & 0x80) ? 8 : 1;
        for (uint8_t fn = 0; fn < nfn; fn++) {
            d.fn = fn;
            if ((uint16_t)pci_read32(&d, 0) != 0xffff)
                probe_function(&d, depth);
        }
    }
}

void pci_init(void)
{
    struct pci_dev host = {0};
    if (pci_read32(&host, 0) == 0xffffffffu)
        return; /* no PCI (microvm) */
    scan_bus(0, 0);
}
