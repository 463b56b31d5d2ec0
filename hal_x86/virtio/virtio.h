/*
 * virtio.h - virtio 1.x devices over two transports (internal to hal_x86).
 *
 *   transport       discovered by                          interrupts
 *   virtio-mmio     `virtio_mmio.device=<size>@<base>:<irq>`  I/O APIC pin <irq>, edge
 *                   words QEMU's microvm appends to the
 *                   kernel command line
 *   virtio-pci      PCI enumeration (vendor 0x1af4), modern   MSI-X entry 0 -> a vector
 *                   capabilities only (no legacy I/O BAR)
 *
 * A transport fills struct virtio_dev's ops; drivers (blk.c) see only these. Queues are
 * split rings (virtq.c). Only modern devices (VIRTIO_F_VERSION_1) are driven.
 */
#ifndef HAL_X86_VIRTIO_VIRTIO_H
#define HAL_X86_VIRTIO_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal_x86/x86.h"

#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLK 2
#define VIRTIO_ID_CONSOLE 3

/* Queues a transport drives per device (virtio-console: control + 4 ports = 12). */
#define VIRTIO_MAX_QUEUES 16

#define VIRTIO_STATUS_ACK 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_FAILED 128

#define VIRTIO_F_VERSION_1 (1ULL << 32)

struct virtio_dev;

struct virtio_ops {
    uint64_t (*get_features)(struct virtio_dev *d);
    void (*set_features)(struct virtio_dev *d, uint64_t f);
    uint8_t (*get_status)(struct virtio_dev *d);
    void (*set_status)(struct virtio_dev *d, uint8_t s);
    uint32_t (*config_read)(struct virtio_dev *d, unsigned off, unsigned size);
    /* Largest size of queue q (0: no such queue). */
    unsigned (*queue_max)(struct virtio_dev *d, unsigned q);
    /* Give queue q its rings and enable it. 0 or -errno. */
    int (*queue_setup)(struct virtio_dev *d, unsigned q, unsigned size, uint64_t desc,
                       uint64_t avail, uint64_t used);
    void (*notify)(struct virtio_dev *d, unsigned q);
    /* Route the device's interrupt to fn(arg). 0 or -errno. */
    int (*irq_setup)(struct virtio_dev *d, x86_irq_fn *fn, void *arg);
    /* At the start of the interrupt handler: acknowledge (mmio: InterruptACK). */
    void (*irq_ack)(struct virtio_dev *d);
};

struct virtio_dev {
    const struct virtio_ops *ops;
    uint32_t device_id;
    char name[16];
    /* transport state */
    volatile uint8_t *base;   /* mmio registers / pci common cfg */
    volatile uint8_t *device; /* device-specific config */
    volatile uint8_t *notify_base;
    uint32_t notify_mult;
    uint32_t notify_len; /* pci: bytes of the notify window */
    unsigned irq;        /* mmio: I/O APIC pin; pci: 1 once MSI-X is routed */
    const void *pci;     /* pci: struct pci_dev copy */
    uint16_t notify_off[VIRTIO_MAX_QUEUES];
};

/* Drivers' probes, called by the transports for each device found. */
void virtio_blk_probe(struct virtio_dev *d);
void virtio_net_probe(struct virtio_dev *d);
void virtio_console_probe(struct virtio_dev *d); /* console.c: hal_stdio.h */
/* Wait (polling, interrupts off, bounded) until queued stdout/stderr reached the host. */
void virtio_console_drain(void);

/* Common start: reset, ACK|DRIVER, negotiate (wanted & offered, VERSION_1 required).
 * Returns the negotiated features, or 0 with the device marked FAILED. */
uint64_t virtio_negotiate(struct virtio_dev *d, uint64_t wanted);

/* --- split virtqueue ------------------------------------------------------------------ */

struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2

struct virtq {
    unsigned size;
    uint16_t last_used;
    uint16_t avail_idx;
    bool broken; /* the device broke the protocol: stop using the queue */
    volatile struct virtq_desc *desc;
    volatile uint16_t *avail; /* flags, idx, ring[size] */
    volatile uint8_t *used;   /* flags, idx, ring[size] of {u32 id, u32 len} */
    uint64_t desc_pa, avail_pa, used_pa;
};

/* Allocate rings for up to max entries (the largest power of two <= max and <= 128);
 * 0, -EINVAL or -ENOMEM. */
int virtq_alloc(struct virtq *q, unsigned max);
/* Publish chain head. */
void virtq_push(struct virtq *q, uint16_t head);
/* Next used element: true with its id and len, false when none. Marks the queue broken (and
 * returns false) if the device reports more entries than the ring holds. */
bool virtq_pop(struct virtq *q, uint32_t *id, uint32_t *len);

#endif
