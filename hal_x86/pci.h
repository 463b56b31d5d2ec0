/*
 * pci.h - PCI configuration space (mechanism #1, ports 0xcf8/0xcfc) and enumeration.
 * Internal to hal_x86. Drivers register a probe by vendor/device in pci.c's table.
 */
#ifndef HAL_X86_PCI_H
#define HAL_X86_PCI_H

#include <stdbool.h>
#include <stdint.h>

struct pci_dev {
    uint8_t bus, dev, fn;
    uint16_t vendor, device;
    uint8_t class_code, subclass;
};

uint32_t pci_read32(const struct pci_dev *d, unsigned off);
uint16_t pci_read16(const struct pci_dev *d, unsigned off);
uint8_t pci_read8(const struct pci_dev *d, unsigned off);
void pci_write32(const struct pci_dev *d, unsigned off, uint32_t v);
void pci_write16(const struct pci_dev *d, unsigned off, uint16_t v);

/* Physical address of BAR n (memory BARs only, 64-bit aware); 0 if absent or I/O. */
uint64_t pci_bar_addr(const struct pci_dev *d, unsigned n);
/* Offset of the first capability with id after `from` (0: from the start); 0 if none. */
unsigned pci_find_cap(const struct pci_dev *d, uint8_t id, unsigned from);
/* Memory decoding + bus mastering on, legacy INTx off. */
void pci_enable(const struct pci_dev *d);

/* Point MSI-X table entry `entry` at vector on this CPU and enable MSI-X. 0 or -errno. */
int pci_msix_route(const struct pci_dev *d, unsigned entry, uint8_t vector);

/* Driver probes (called from pci_init for matching devices). */
void virtio_pci_probe(const struct pci_dev *d);

#endif
