/*
 * pci.c - the virtio modern PCI transport (virtio 1.x section 4.1).
 *
 * The device's vendor capabilities (id 0x09) name, by cfg_type, a BAR window each for the
 * common configuration (1), queue notifications (2), the ISR (3) and the device-specific
 * configuration (4). Interrupts use MSI-X entry 0 for every queue (irq_setup() must come
 * before queue_setup()); the configuration-change interrupt is left off
 * (VIRTIO_MSI_NO_VECTOR). Devices without these capabilities (legacy
 * only) are skipped.
 *
 * Common configuration layout (offsets):
 *   0x00 device_feature_select  0x04 device_feature  0x08 driver_feature_select
 *   0x0c driver_feature  0x10 msix_config (16)  0x12 num_queues (16)  0x14 device_status (8)
 *   0x15 config_generation (8)  0x16 queue_select (16)  0x18 queue_size (16)
 *   0x1a queue_msix_vector (16)  0x1c queue_enable (16)  0x1e queue_notify_off (16)
 *   0x20 queue_desc (64)  0x28 queue_driver (64)  0x30 queue_device (64)
 */
#include "hal/hal_errno.h"
#include "hal_x86/pci.h"
#include "hal_x86/virtio/virtio.h"

#define MAX_PCI_DEVS 8
#define NO_VECTOR 0xffff

static struct virtio_dev devs[MAX_PCI_DEVS];
static struct pci_dev pdevs[MAX_PCI_DEVS];
static unsigned ndevs;

#define C32(d, o) (*(volatile uint32_t *)((d)->base + (o)))
#define C16(d, o) (*(volatile uint16_t *)((d)->base + (o)))
#define C8(d, o) (*(volatile uint8_t *)((d)->base + (o)))

static uint64_t get_features(struct virtio_dev *d)
{
    C32(d, 0x00) = 1;
    uint64_t hi = C32(d, 0x04);
    C32(d, 0x00) = 0;
    return (hi << 32) | C32(d, 0x04);
}

static void set_features(struct virtio_dev *d, uint64_t f)
{
    C32(d, 0x08) = 1;
    C32(d, 0x0c) = (uint32_t)(f >> 32);
    C32(d, 0x08) = 0;
    C32(d, 0x0c) = (uint32_t)f;
}

static uint8_t get_status(struct virtio_dev *d)
{
    return C8(d, 0x14);
}

static void set_status(struct virtio_dev *d, uint8_t s)
{
    C8(d, 0x14) = s;
}

static uint32_t config_read(struct virtio_dev *d, unsigned off, unsigned size)
{
    volatile uint8_t *p = d->device + off;
    switch (size) {
    case 1:
        return *p;
    case 2:
        return *(volatile uint16_t *)p;
    default:
        return *(volatile uint32_t *)p;
    }
}

static unsigned queue_max(struct virtio_dev *d, unsigned q)
{
    if (q >= C16(d, 0x12) || q >= VIRTIO_MAX_QUEUES)
        return 0;
    C16(d, 0x16) = (uint16_t)q;
    return C16(d, 0x18);
}

static void c64(struct virtio_dev *d, unsigned o, uint64_t v)
{
    C32(d, o) = (uint32_t)v;
    C32(d, o + 4) = (uint32_t)(v >> 32);
}

static int queue_setup(struct virtio_dev *d, unsigned q, unsigned size, uint64_t desc,
                       uint64_t avail, uint64_t used)
{
    if (q >= VIRTIO_MAX_QUEUES)
        return -EINVAL;
    C16(d, 0x16) = (uint16_t)q;
    C16(d, 0x18) = (uint16_t)size;
    c64(d, 0x20, desc);
    c64(d, 0x28, avail);
    c64(d, 0x30, used);
    d->notify_off[q] = C16(d, 0x1e);
    if ((uint64_t)d->notify_off[q] * d->notify_mult + 2 > d->notify_len)
        return -EIO; /* the device's notify offset points outside its window */
    if (d->irq) {    /* MSI-X routed: every queue signals through entry 0 */
        C16(d, 0x1a) = 0;
        if (C16(d, 0x1a) != 0)
            return -EIO; /* the device refused the vector */
    }
    C16(d, 0x1c) = 1;
    return 0;
}

static void notify(struct virtio_dev *d, unsigned q)
{
    *(volatile uint16_t *)(d->notify_base + (uint64_t)d->notify_off[q % VIRTIO_MAX_QUEUES] * d->notify_mult) =
        (uint16_t)q;
}

static int irq_setup(struct virtio_dev *d, x86_irq_fn *fn, void *arg)
{
    uint8_t vec = x86_irq_alloc(fn, arg);
    if (!vec)
        return -ENOSPC;
    int rc = pci_msix_route(d->pci, 0, vec);
    if (rc)
        return rc;
    C16(d, 0x10) = NO_VECTOR;
    d->irq = 1; /* queue_setup() points each queue at MSI-X entry 0 */
    return 0;
}

static void irq_ack(struct virtio_dev *d)
{
    /* MSI-X: nothing to acknowledge at the device. */
}

static const struct virtio_ops pci_ops = {
    get_features, set_features, get_status, set_status, config_read,
    queue_max,    queue_setup,  notify,     irq_setup,  irq_ack,
};

/* Map the window a virtio capability at `cap` describes; NULL when unusable. */
static volatile uint8_t *map_cap(const struct pci_dev *p, unsigned cap, uint32_t *len_out)
{
    uint8_t bar = pci_read8(p, cap + 4);
    uint32_t off = pci_read32(p, cap + 8), len = pci_read32(p, cap + 12);
    if (len_out)
        *len_out = len;
    uint64_t base = pci_bar_addr(p, bar);
    if (!base || len == 0 || len > (1u << 24))
        return NULL;
    return mmio_map(base + off, len);
}

void virtio_pci_probe(const struct pci_dev *p)
{
    if (ndevs >= MAX_PCI_DEVS)
        return;
    struct virtio_dev *d = &devs[ndevs];
    pdevs[ndevs] = *p;
    *d = (struct virtio_dev){.ops = &pci_ops, .pci = &pdevs[ndevs]};
    d->device_id = p->device >= 0x1040   ? p->device - 0x1040u
                   : p->device == 0x1001 ? VIRTIO_ID_BLK
                   : p->device == 0x1000 ? VIRTIO_ID_NET
                   : p->device == 0x1003 ? VIRTIO_ID_CONSOLE
                                         : 0;
    for (unsigned cap = pci_find_cap(p, 0x09, 0); cap; cap = pci_find_cap(p, 0x09, cap)) {
        switch (pci_read8(p, cap + 3)) {
        case 1:
            if (!d->base)
                d->base = map_cap(p, cap, NULL);
            break;
        case 2:
            if (!d->notify_base) {
                d->notify_base = map_cap(p, cap, &d->notify_len);
                d->notify_mult = pci_read32(p, cap + 16);
            }
            break;
        case 4:
            if (!d->device)
                d->device = map_cap(p, cap, NULL);
            break;
        default:
            break;
        }
    }
    if (!d->base || !d->notify_base || !d->device || !d->device_id)
        return; /* legacy-only or unusable: not ours */
    pci_enable(p);
    ndevs++;
    if (d->device_id == VIRTIO_ID_BLK)
        virtio_blk_probe(d);
    else if (d->device_id == VIRTIO_ID_NET)
        virtio_net_probe(d);
    else if (d->device_id == VIRTIO_ID_CONSOLE)
        virtio_console_probe(d);
}
