/*
 * net.c - virtio-net (virtio 1.x section 5.1) behind hal/hal_net.h.
 *
 * Queue 0 receives, queue 1 transmits; no mergeable buffers, so every packet is one buffer
 * preceded by the 12-byte virtio_net_hdr. The one offload is VIRTIO_NET_F_CSUM when offered
 * (QEMU offers it with a tap, not with user networking): hal_net_transmit_csum's header asks
 * the device to complete a TCP/UDP checksum; every other header is zero.
 *
 *   rx: up to NBUF buffers of BUF_SIZE bytes, each its own device-writable descriptor i,
 *       always posted; the interrupt hands [hdr|frame] to the rx callback and posts the
 *       buffer again.
 *   tx: up to NBUF slots on a free stack; hal_net_transmit() copies the frame into a free
 *       slot's buffer (so the caller's bytes are never referenced after return) and posts
 *       descriptor i. The transmit queue asks for no interrupts (VIRTQ_AVAIL_F_NO_INTERRUPT):
 *       used slots are reclaimed by the next transmit that finds fewer than a quarter free, and
 *       by the rx interrupt. Still none free: -EAGAIN.
 *
 * Why it is laid out so (the costs are TCG's, where every guest instruction counts): the
 * header sits at byte 4 of a slot so the frame starts 8-byte aligned, as the kernel buffers it
 * is copied from and to are, and memcpy moves words rather than bytes; a notify (a write to
 * the device, a trip into QEMU) is skipped while the device says it is already polling
 * (VIRTQ_USED_F_NO_NOTIFY, read after the index is published, as virtio 1.x 2.7.10 allows
 * without EVENT_IDX).
 *
 * Values the device writes are checked before use: a used id must be a posted buffer, a
 * received length must cover the header and fit the buffer.
 */
#include "hal/hal_errno.h"
#include "hal/hal_mem.h"
#include "hal/hal_net.h"
#include "hal/hal_rand.h"
#include "hal_x86/virtio/virtio.h"

#define MAX_NET 4
#define NET_F_CSUM (1ULL << 0) /* the device completes checksums we leave partial */
#define NET_F_MAC (1ULL << 5)
#define NET_HDR_F_NEEDS_CSUM 1
#define HDR_SIZE 12
#define HDR_OFF 4 /* the header's offset in a buffer: the frame starts at 16 */
#define BUF_SIZE 2048
#define NBUF 128 /* buffers per queue: virtq.c's largest ring */
#define MTU 1500
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY 1

struct hal_net {
    struct virtio_dev *vdev;
    struct virtq rxq, txq;
    uint8_t *rxbuf, *txbuf; /* NBUF x BUF_SIZE each, physically contiguous */
    uint64_t rxbuf_pa, txbuf_pa;
    bool tx_busy[NBUF];
    uint16_t tx_free[NBUF]; /* stack of free tx slots */
    unsigned ntx_free;
    bool rx_posted[NBUF];
    hal_net_rx_fn *rx_fn;
    void *rx_arg;
    volatile uint32_t lock;
    struct hal_net_info info;
};

static struct hal_net nets[MAX_NET];
static unsigned nnet;

static uint64_t lock(struct hal_net *n)
{
    return x86_lock_irqsave(&n->lock);
}

static void unlock(struct hal_net *n, uint64_t flags)
{
    x86_unlock_irqrestore(&n->lock, flags);
}

unsigned hal_net_count(void)
{
    return nnet;
}

struct hal_net *hal_net_get(unsigned index)
{
    return index < nnet ? &nets[index] : NULL;
}

void hal_net_get_info(struct hal_net *dev, struct hal_net_info *info)
{
    *info = dev->info;
}

void hal_net_set_rx(struct hal_net *dev, hal_net_rx_fn *fn, void *arg)
{
    uint64_t fl = lock(dev);
    dev->rx_fn = fn;
    dev->rx_arg = arg;
    unlock(dev, fl);
}

static void rx_post(struct hal_net *n, unsigned i)
{
    volatile struct virtq_desc *d = &n->rxq.desc[i];
    d->addr = n->rxbuf_pa + (uint64_t)i * BUF_SIZE + HDR_OFF;
    d->len = BUF_SIZE - HDR_OFF;
    d->flags = VIRTQ_DESC_F_WRITE;
    d->next = 0;
    n->rx_posted[i] = true;
    virtq_push(&n->rxq, (uint16_t)i);
}

/* Notify queue q unless the device says it is polling it (after virtq_push's barrier). */
static void kick(struct hal_net *n, struct virtq *q, unsigned qi)
{
    if (!(*(volatile uint16_t *)q->used & VIRTQ_USED_F_NO_NOTIFY))
        n->vdev->ops->notify(n->vdev, qi);
}

/* Return the slots the device has sent to the free stack. Lock held. */
static void tx_reclaim(struct hal_net *n)
{
    uint32_t id, len;

    while (virtq_pop(&n->txq, &id, &len)) {
        if (id < NBUF && n->tx_busy[id]) { /* else not a slot we posted: ignore the word */
            n->tx_busy[id] = false;
            n->tx_free[n->ntx_free++] = (uint16_t)id;
        }
    }
}

/* Copy frame into a free slot behind a header asking the device to complete the checksum at
 * start + off (csum: else a zero header) and post it. */
static int tx(struct hal_net *n, const void *frame, size_t len, bool csum, uint16_t start,
              uint16_t off)
{
    if (len > (size_t)n->info.mtu + 14 || len < 14)
        return len < 14 ? -EINVAL : -EMSGSIZE;
    uint64_t fl = lock(n);
    if (n->ntx_free < n->txq.size / 4)
        tx_reclaim(n);
    if (n->ntx_free == 0 || n->txq.broken) {
        unlock(n, fl);
        return n->txq.broken ? -EIO : -EAGAIN;
    }
    unsigned i = n->tx_free[--n->ntx_free];
    uint8_t *b = n->txbuf + (size_t)i * BUF_SIZE + HDR_OFF;
    __builtin_memset(b, 0, HDR_SIZE);
    if (csum) { /* virtio_net_hdr: flags, gso_type, hdr_len, gso_size, csum_start, csum_offset */
        b[0] = NET_HDR_F_NEEDS_CSUM;
        b[6] = (uint8_t)start;
        b[7] = (uint8_t)(start >> 8);
        b[8] = (uint8_t)off;
        b[9] = (uint8_t)(off >> 8);
    }
    __builtin_memcpy(b + HDR_SIZE, frame, len);
    volatile struct virtq_desc *d = &n->txq.desc[i];
    d->addr = n->txbuf_pa + (uint64_t)i * BUF_SIZE + HDR_OFF;
    d->len = (uint32_t)(HDR_SIZE + len);
    d->flags = 0;
    d->next = 0;
    n->tx_busy[i] = true;
    virtq_push(&n->txq, (uint16_t)i);
    kick(n, &n->txq, 1);
    unlock(n, fl);
    return 0;
}

int hal_net_transmit(struct hal_net *n, const void *frame, size_t len)
{
    return tx(n, frame, len, false, 0, 0);
}

/* Without VIRTIO_NET_F_CSUM the sum is done here (hal_net.h's promise), on a copy. */
static int tx_soft_csum(struct hal_net *n, const void *frame, size_t len, uint16_t start,
                        uint16_t off)
{
    uint8_t f[MTU + 14];
    uint32_t sum = 0;

    if (len > sizeof(f))
        return -EMSGSIZE;
    __builtin_memcpy(f, frame, len);
    for (size_t i = start; i < len; i += 2)
        sum += (uint32_t)(f[i] << 8 | (i + 1 < len ? f[i + 1] : 0));
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    f[start + off] = (uint8_t)(~sum >> 8);
    f[start + off + 1] = (uint8_t)~sum;
    return tx(n, f, len, false, 0, 0);
}

int hal_net_transmit_csum(struct hal_net *n, const void *frame, size_t len, uint16_t start,
                          uint16_t off)
{
    if ((size_t)start + off + 2 > len)
        return -EINVAL;
    if (n->info.offloads & HAL_NET_TX_CSUM)
        return tx(n, frame, len, true, start, off);
    return tx_soft_csum(n, frame, len, start, off);
}

/* Interrupt: reclaim sent slots, deliver received frames (outside the lock), repost. */
static void net_irq(void *arg)
{
    struct hal_net *n = arg;
    uint32_t id, len;

    n->vdev->ops->irq_ack(n->vdev);
    uint64_t fl = lock(n);
    tx_reclaim(n);
    unsigned reposted = 0;
    while (virtq_pop(&n->rxq, &id, &len)) {
        if (id >= NBUF || !n->rx_posted[id])
            continue; /* not a buffer we posted: ignore the device's word */
        n->rx_posted[id] = false;
        hal_net_rx_fn *fn = n->rx_fn;
        void *fn_arg = n->rx_arg;
        if (fn && len > HDR_SIZE && len <= BUF_SIZE - HDR_OFF) {
            unlock(n, fl);
            fn(fn_arg, n->rxbuf + (size_t)id * BUF_SIZE + HDR_OFF + HDR_SIZE, len - HDR_SIZE);
            fl = lock(n);
        }
        rx_post(n, id);
        reposted++;
    }
    if (reposted)
        kick(n, &n->rxq, 0);
    unlock(n, fl);
}

static int net_setup(struct hal_net *n, struct virtio_dev *d, uint64_t f)
{
    if (d->ops->queue_max(d, 0) < 4 || d->ops->queue_max(d, 1) < 4)
        return -ENODEV;
    if (virtq_alloc(&n->rxq, d->ops->queue_max(d, 0) < NBUF ? d->ops->queue_max(d, 0) : NBUF) ||
        virtq_alloc(&n->txq, d->ops->queue_max(d, 1) < NBUF ? d->ops->queue_max(d, 1) : NBUF))
        return -ENOMEM;
    n->rxbuf_pa = early_alloc_contig(NBUF * BUF_SIZE / HAL_PAGE_SIZE);
    n->txbuf_pa = early_alloc_contig(NBUF * BUF_SIZE / HAL_PAGE_SIZE);
    if (!n->rxbuf_pa || !n->txbuf_pa)
        return -ENOMEM;
    n->rxbuf = hal_phys_to_virt(n->rxbuf_pa);
    n->txbuf = hal_phys_to_virt(n->txbuf_pa);
    for (unsigned i = 0; i < n->txq.size; i++)
        n->tx_free[n->ntx_free++] = (uint16_t)(n->txq.size - 1 - i);
    n->txq.avail[0] = VIRTQ_AVAIL_F_NO_INTERRUPT; /* tx_reclaim() polls instead */
    n->vdev = d;
    if (d->ops->irq_setup(d, net_irq, n) != 0 ||
        d->ops->queue_setup(d, 0, n->rxq.size, n->rxq.desc_pa, n->rxq.avail_pa, n->rxq.used_pa) !=
            0 ||
        d->ops->queue_setup(d, 1, n->txq.size, n->txq.desc_pa, n->txq.avail_pa, n->txq.used_pa) !=
            0)
        return -EIO;
    if (f & NET_F_MAC) {
        for (unsigned i = 0; i < 6; i++)
            n->info.mac[i] = (uint8_t)d->ops->config_read(d, i, 1);
    } else {
        hal_entropy(n->info.mac, 6);
        n->info.mac[0] = (uint8_t)((n->info.mac[0] & 0xfe) | 0x02); /* local, unicast */
    }
    n->info.mtu = MTU;
    n->info.offloads = (f & NET_F_CSUM) ? HAL_NET_TX_CSUM : 0;
    n->info.name[0] = 'e';
    n->info.name[1] = 't';
    n->info.name[2] = 'h';
    n->info.name[3] = (char)('0' + nnet);
    n->info.name[4] = 0;
    return 0;
}

void virtio_net_probe(struct virtio_dev *d)
{
    if (nnet >= MAX_NET)
        return;
    struct hal_net *n = &nets[nnet];
    uint64_t f = virtio_negotiate(d, NET_F_MAC | NET_F_CSUM);
    if (!f || net_setup(n, d, f) != 0) {
        d->ops->set_status(d, VIRTIO_STATUS_FAILED);
        return;
    }
    d->ops->set_status(d, VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
                              VIRTIO_STATUS_DRIVER_OK);
    for (unsigned i = 0; i < n->rxq.size && i < NBUF; i++)
        rx_post(n, i);
    d->ops->notify(d, 0);
    nnet++;
}
