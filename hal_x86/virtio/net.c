/*
 * net.c - virtio-net (virtio 1.x section 5.1) behind hal/hal_net.h.
 *
 * Queue 0 receives, queue 1 transmits; every buffer starts with the 12-byte virtio_net_hdr.
 * Offloads, each when the device offers it (QEMU does with a tap backend, whose vnet header
 * carries them to the host's stack; with user networking only mergeable buffers):
 *
 *   CSUM            hal_net_transmit_csum: the device completes a TCP/UDP checksum
 *   HOST_TSO4/6     hal_net_transmit_gso: the device (the host) cuts a TCP frame of up to
 *                   64 KiB into MSS-sized segments
 *   GUEST_CSUM      received frames flagged DATA_VALID or NEEDS_CSUM reach the stack with
 *                   HAL_NET_RXF_CSUM_OK
 *   MRG_RXBUF       a received frame may span several buffers (num_buffers in its header)
 *   GUEST_TSO4/6    the host may hand over TCP frames of up to 64 KiB (only with MRG_RXBUF,
 *                   so buffers stay one page; with GUEST_CSUM, which the spec requires)
 *
 *   rx: NBUF buffers of RX_BUF bytes, each its own device-writable descriptor i, always
 *       posted; the interrupt hands the pieces of each frame to the rx callback (which copies
 *       them) and posts the buffers again.
 *   tx: slots on two free stacks: small ones (TX_BUF bytes, one frame up to the MTU) and, with
 *       HOST_TSO, NBIG large ones (a whole 64 KiB frame); descriptor i is slot i.
 *       hal_net_transmit*() copies the frame into a free slot's buffer (so the caller's bytes
 *       are never referenced after return) and posts descriptor i. The transmit queue asks for
 *       no interrupts (VIRTQ_AVAIL_F_NO_INTERRUPT): used slots are reclaimed by the next
 *       transmit that finds few free, and by the rx interrupt. Still none free: the queue
 *       asks for interrupts (tx_want), looks once more (the device may have returned slots
 *       before it saw the flag), and says -EAGAIN; the interrupt that returns slots turns
 *       them off again and calls the tx-ready callback (hal_net_set_tx_ready), so the stack
 *       sends what it kept waiting (net/netif.c's backlog) instead of losing it.
 *
 * Why it is laid out so (the costs are TCG's, where every guest instruction counts): a
 * received frame starts 8-byte aligned (its header at byte 4 of the buffer); a frame sent is
 * placed in its slot so that its longest piece keeps its source's alignment modulo 8
 * (tx_align), and memcpy moves words rather than bytes; a notify (a write to
 * the device, a trip into QEMU) is skipped while the device says it is already polling
 * (VIRTQ_USED_F_NO_NOTIFY, read after the index is published, as virtio 1.x 2.7.10 allows
 * without EVENT_IDX).
 *
 * Values the device writes are checked before use: a used id must be a posted buffer, a
 * received length must cover the header and fit the buffer, num_buffers must be a count of
 * buffers the device has already returned, a frame's length must fit what was negotiated.
 */
#include "hal/hal_cpu.h"
#include "hal/hal_errno.h"
#include "hal/hal_mem.h"
#include "hal/hal_net.h"
#include "hal/hal_rand.h"
#include "hal_x86/virtio/virtio.h"

#define MAX_NET 4
#define NET_F_CSUM (1ULL << 0) /* the device completes checksums we leave partial */
#define NET_F_GUEST_CSUM (1ULL << 1)
#define NET_F_MAC (1ULL << 5)
#define NET_F_GUEST_TSO4 (1ULL << 7)
#define NET_F_GUEST_TSO6 (1ULL << 8)
#define NET_F_HOST_TSO4 (1ULL << 11)
#define NET_F_HOST_TSO6 (1ULL << 12)
#define NET_F_MRG_RXBUF (1ULL << 15)
#define NET_HDR_F_NEEDS_CSUM 1
#define NET_HDR_F_DATA_VALID 2
#define NET_HDR_GSO_TCPV4 1
#define NET_HDR_GSO_TCPV6 4
#define HDR_SIZE 12
#define HDR_OFF 4 /* the header's offset in a receive buffer: the frame starts at 16 */
#define RX_BUF 4096
#define TX_BUF 2048
#define BIG_BUF (17 * 4096) /* 7 (tx_align) + HDR_SIZE + HAL_NET_GSO_MAX */
#define NBUF 128 /* buffers per queue: virtq.c's largest ring */
#define NBIG 16  /* large tx slots (descriptors 0..NBIG-1) with HOST_TSO: 1 MiB in the ring */
#define MAX_RX_SEGS (HAL_NET_GSO_MAX / (RX_BUF - HDR_OFF - HDR_SIZE) + 2)
#define MTU 1500
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY 1

/* virtio_net_hdr, little-endian on x86 as virtio 1.x has it */
struct net_hdr {
    uint8_t flags, gso_type;
    uint16_t hdr_len, gso_size, csum_start, csum_offset, num_buffers;
} __attribute__((packed));

struct hal_net {
    struct virtio_dev *vdev;
    struct virtq rxq, txq;
    uint8_t *rxbuf, *txbuf, *bigbuf; /* physically contiguous */
    uint64_t rxbuf_pa, txbuf_pa, bigbuf_pa;
    bool tx_busy[NBUF];
    uint16_t tx_free[NBUF]; /* stack of free small tx slots */
    unsigned ntx_free;
    uint16_t big_free[NBIG]; /* stack of free large tx slots */
    unsigned nbig_free, nbig; /* nbig: 0 without HOST_TSO */
    bool rx_posted[NBUF];
    bool mrg;                 /* MRG_RXBUF negotiated */
    bool rx_csum;             /* GUEST_CSUM negotiated */
    bool tx_want;             /* a transmit found no slot: tx interrupts on until one frees */
    hal_net_rx_fn *rx_fn;
    void *rx_arg;
    hal_net_tx_fn *tx_fn;
    void *tx_arg;
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

void hal_net_set_tx_ready(struct hal_net *dev, hal_net_tx_fn *fn, void *arg)
{
    uint64_t fl = lock(dev);
    dev->tx_fn = fn;
    dev->tx_arg = arg;
    unlock(dev, fl);
}

static void rx_post(struct hal_net *n, unsigned i)
{
    volatile struct virtq_desc *d = &n->rxq.desc[i];
    d->addr = n->rxbuf_pa + (uint64_t)i * RX_BUF + HDR_OFF;
    d->len = RX_BUF - HDR_OFF;
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

/* Return the slots the device has sent to their free stacks. Lock held. */
static void tx_reclaim(struct hal_net *n)
{
    uint32_t id, len;

    while (virtq_pop(&n->txq, &id, &len)) {
        if (id >= n->txq.size || !n->tx_busy[id])
            continue; /* not a slot we posted: ignore the word */
        n->tx_busy[id] = false;
        if (id < n->nbig)
            n->big_free[n->nbig_free++] = (uint16_t)id;
        else
            n->tx_free[n->ntx_free++] = (uint16_t)id;
    }
}

unsigned hal_net_tx_pending(struct hal_net *n)
{
    uint64_t f = lock(n);
    unsigned busy;

    tx_reclaim(n);
    busy = (n->txq.size - n->nbig - n->ntx_free) + (n->nbig - n->nbig_free);
    unlock(n, f);
    return busy;
}

/* A free slot for a frame (big: a large one), or -1. Lock held. */
static int tx_slot(struct hal_net *n, bool big)
{
    if (big) {
        if (n->nbig_free == 0)
            tx_reclaim(n);
        return n->nbig_free ? n->big_free[--n->nbig_free] : -1;
    }
    if (n->ntx_free < (n->txq.size - n->nbig) / 4)
        tx_reclaim(n);
    return n->ntx_free ? n->tx_free[--n->ntx_free] : -1;
}

/* tx_slot, and when none is free, interrupts on for the transmit queue (virtio 1.x 2.7.7)
 * until the device returns one, then a second look: it may have returned slots before it
 * saw the flag, and would then not interrupt for them. Lock held. */
static int tx_slot_arm(struct hal_net *n, bool big)
{
    int i = tx_slot(n, big);

    if (i >= 0)
        return i;
    n->tx_want = true;
    n->txq.avail[0] = 0;
    hal_barrier(); /* the flag before the used index read again */
    tx_reclaim(n);
    return tx_slot(n, big);
}

/* Slot i's buffer, the header placed at byte off (< 8) of it. */
static uint8_t *tx_buf(struct hal_net *n, unsigned i, unsigned off, uint64_t *pa)
{
    if (i < n->nbig) {
        *pa = n->bigbuf_pa + (uint64_t)i * BIG_BUF + off;
        return n->bigbuf + (size_t)i * BIG_BUF + off;
    }
    *pa = n->txbuf_pa + (uint64_t)(i - n->nbig) * TX_BUF + off;
    return n->txbuf + (size_t)(i - n->nbig) * TX_BUF + off;
}

/* Where in a slot the header goes (0-7): so that the longest piece of the frame lands at its
 * source's address modulo 8. memcpy moves words only when both sides agree on that, bytes
 * one by one otherwise, and a TCP segment's payload sits in lwIP's pbuf 54 to 86 bytes after
 * its frame's start: at a fixed offset the merged payload of a large frame was copied a byte
 * at a time (bench/tcp/profile). */
static unsigned tx_align(const struct hal_net_seg *seg, unsigned nseg)
{
    size_t before = 0, at = 0, best = 0;

    for (unsigned k = 0; k < nseg; k++) {
        if (seg[k].len > best) {
            best = seg[k].len;
            at = before;
        }
        before += seg[k].len;
    }
    for (unsigned k = 0; k < nseg; k++) {
        if (seg[k].len == best)
            return (unsigned)(((uintptr_t)seg[k].data - HDR_SIZE - at) & 7);
    }
    return 0;
}

/* Copy the frame's pieces (len bytes in all, already checked) into a free slot behind
 * header h and post it. */
static int tx(struct hal_net *n, const struct hal_net_seg *seg, unsigned nseg, size_t len,
              const struct net_hdr *h)
{
    uint64_t pa;
    uint64_t fl = lock(n);
    int i = n->txq.broken ? -1 : tx_slot_arm(n, len > (size_t)n->info.mtu + 14);

    if (i < 0) {
        unlock(n, fl);
        return n->txq.broken ? -EIO : -EAGAIN;
    }
    uint8_t *b = tx_buf(n, (unsigned)i, tx_align(seg, nseg), &pa);
    __builtin_memcpy(b, h, HDR_SIZE);
    size_t off = HDR_SIZE;
    for (unsigned k = 0; k < nseg; k++) {
        __builtin_memcpy(b + off, seg[k].data, seg[k].len);
        off += seg[k].len;
    }
    volatile struct virtq_desc *d = &n->txq.desc[i];
    d->addr = pa;
    d->len = (uint32_t)(HDR_SIZE + len);
    d->flags = 0;
    d->next = 0;
    n->tx_busy[i] = true;
    virtq_push(&n->txq, (uint16_t)i);
    kick(n, &n->txq, 1);
    unlock(n, fl);
    return 0;
}

static int tx_one(struct hal_net *n, const void *frame, size_t len, const struct net_hdr *h)
{
    struct hal_net_seg seg = {frame, len};

    if (len > (size_t)n->info.mtu + 14 || len < 14)
        return len < 14 ? -EINVAL : -EMSGSIZE;
    return tx(n, &seg, 1, len, h);
}

int hal_net_transmit(struct hal_net *n, const void *frame, size_t len)
{
    struct net_hdr h = {0};

    return tx_one(n, frame, len, &h);
}

/* Without VIRTIO_NET_F_CSUM the sum is done here (hal_net.h's promise), on a copy. */
static int tx_soft_csum(struct hal_net *n, const void *frame, size_t len, uint16_t start,
                        uint16_t off)
{
    uint8_t f[MTU + 14];
    uint32_t sum = 0;
    struct net_hdr h = {0};

    if (len > sizeof(f))
        return -EMSGSIZE;
    __builtin_memcpy(f, frame, len);
    for (size_t i = start; i < len; i += 2)
        sum += (uint32_t)(f[i] << 8 | (i + 1 < len ? f[i + 1] : 0));
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    f[start + off] = (uint8_t)(~sum >> 8);
    f[start + off + 1] = (uint8_t)~sum;
    return tx_one(n, f, len, &h);
}

int hal_net_transmit_csum(struct hal_net *n, const void *frame, size_t len, uint16_t start,
                          uint16_t off)
{
    if ((size_t)start + off + 2 > len)
        return -EINVAL;
    if (n->info.offloads & HAL_NET_TX_CSUM) {
        struct net_hdr h = {.flags = NET_HDR_F_NEEDS_CSUM, .csum_start = start,
                            .csum_offset = off};

        return tx_one(n, frame, len, &h);
    }
    return tx_soft_csum(n, frame, len, start, off);
}

int hal_net_transmit_gso(struct hal_net *n, const struct hal_net_seg *seg, unsigned nseg,
                         const struct hal_net_gso *g)
{
    size_t len = 0, l3 = g->ipv6 ? 40 : 20;

    for (unsigned k = 0; k < nseg; k++)
        len += seg[k].len;
    if (!(n->info.offloads & HAL_NET_TX_TSO) || !g->mss || g->csum_start != 14 + l3 ||
        g->hdr_len < g->csum_start + 20 || g->hdr_len > g->csum_start + 60 || g->hdr_len > len)
        return -EINVAL;
    if (len > HAL_NET_GSO_MAX || (size_t)g->hdr_len - 14 + g->mss > n->info.mtu)
        return -EMSGSIZE;
    struct net_hdr h = {.flags = NET_HDR_F_NEEDS_CSUM,
                        .gso_type = g->ipv6 ? NET_HDR_GSO_TCPV6 : NET_HDR_GSO_TCPV4,
                        .hdr_len = g->hdr_len, .gso_size = g->mss,
                        .csum_start = g->csum_start, .csum_offset = 16};
    return tx(n, seg, nseg, len, &h);
}

static uint8_t *rx_buf(struct hal_net *n, uint32_t id)
{
    return n->rxbuf + (size_t)id * RX_BUF + HDR_OFF;
}

/* Take used buffer id (len bytes written) off the device: false if it is not one we posted
 * or the length does not fit. Lock held. */
static bool rx_take(struct hal_net *n, uint32_t id, uint32_t len, uint32_t min)
{
    if (id >= n->rxq.size || !n->rx_posted[id])
        return false; /* not a buffer we posted: ignore the device's word */
    n->rx_posted[id] = false;
    return len >= min && len <= RX_BUF - HDR_OFF;
}

/*
 * Gather the frame starting at used buffer id into seg (its buffers' ids into ids, all of
 * them taken off the device, to be posted again); returns the count of buffers, with *ok
 * false when the frame is to be dropped. Lock held.
 */
static unsigned rx_gather(struct hal_net *n, uint32_t id, uint32_t len, struct hal_net_rx *rx,
                          struct hal_net_seg *seg, uint32_t *ids, bool *ok)
{
    unsigned nbuf = 1, want = 1;

    if (id >= n->rxq.size || !n->rx_posted[id]) {
        *ok = false;
        return 0;
    }
    *ok = rx_take(n, id, len, HDR_SIZE + 1);
    ids[0] = id;
    const struct net_hdr *h = (const void *)rx_buf(n, id);
    if (*ok && n->mrg)
        want = h->num_buffers;
    *ok = *ok && want >= 1 && want <= MAX_RX_SEGS;
    rx->len = len - HDR_SIZE;
    rx->flags = n->rx_csum && *ok && (h->flags & (NET_HDR_F_NEEDS_CSUM | NET_HDR_F_DATA_VALID))
                    ? HAL_NET_RXF_CSUM_OK
                    : 0;
    seg[0].data = rx_buf(n, id) + HDR_SIZE;
    seg[0].len = len - HDR_SIZE;
    while (*ok && nbuf < want) { /* the device returns a frame's buffers together */
        if (!virtq_pop(&n->rxq, &id, &len) || id >= n->rxq.size || !n->rx_posted[id]) {
            *ok = false;
            break;
        }
        ids[nbuf] = id;
        *ok = rx_take(n, id, len, 1);
        seg[nbuf].data = rx_buf(n, id);
        seg[nbuf++].len = len;
        rx->len += len;
    }
    size_t max = (n->info.offloads & HAL_NET_RX_LARGE) ? HAL_NET_GSO_MAX : n->info.mtu + 14u;
    *ok = *ok && rx->len <= max;
    rx->seg = seg;
    rx->nseg = nbuf;
    return nbuf;
}

/* After tx_reclaim: the callback to call, when a refused transmit waits for the slots that
 * came back (transmit interrupts off again). Lock held. */
static hal_net_tx_fn *tx_ready(struct hal_net *n, void **arg)
{
    if (!n->tx_want || (n->ntx_free == 0 && n->nbig_free == 0))
        return NULL;
    n->tx_want = false;
    n->txq.avail[0] = VIRTQ_AVAIL_F_NO_INTERRUPT;
    *arg = n->tx_arg;
    return n->tx_fn;
}

/* Interrupt: reclaim sent slots (and tell a waiting sender), deliver received frames
 * (outside the lock), repost. */
static void net_irq(void *arg)
{
    struct hal_net *n = arg;
    struct hal_net_seg seg[MAX_RX_SEGS];
    uint32_t ids[MAX_RX_SEGS], id, len;
    struct hal_net_rx rx;
    hal_net_tx_fn *tx_fn;
    void *tx_arg = NULL;
    bool ok;

    n->vdev->ops->irq_ack(n->vdev);
    uint64_t fl = lock(n);
    tx_reclaim(n);
    tx_fn = tx_ready(n, &tx_arg);
    unsigned reposted = 0;
    while (virtq_pop(&n->rxq, &id, &len)) {
        unsigned nbuf = rx_gather(n, id, len, &rx, seg, ids, &ok);
        hal_net_rx_fn *fn = n->rx_fn;
        void *fn_arg = n->rx_arg;

        if (fn && ok) {
            unlock(n, fl);
            fn(fn_arg, &rx);
            fl = lock(n);
        }
        for (unsigned k = 0; k < nbuf; k++)
            rx_post(n, ids[k]);
        reposted += nbuf;
    }
    if (reposted)
        kick(n, &n->rxq, 0);
    unlock(n, fl);
    if (tx_fn)
        tx_fn(tx_arg);
}

static int net_bufs(struct hal_net *n, bool tso)
{
    unsigned ntx = n->txq.size - (tso ? NBIG : 0);

    n->rxbuf_pa = early_alloc_contig(n->rxq.size * RX_BUF / HAL_PAGE_SIZE);
    n->txbuf_pa = early_alloc_contig((ntx * TX_BUF + HAL_PAGE_SIZE - 1) / HAL_PAGE_SIZE);
    if (!n->rxbuf_pa || !n->txbuf_pa)
        return -ENOMEM;
    n->rxbuf = hal_phys_to_virt(n->rxbuf_pa);
    n->txbuf = hal_phys_to_virt(n->txbuf_pa);
    if (tso) {
        n->bigbuf_pa = early_alloc_contig(NBIG * BIG_BUF / HAL_PAGE_SIZE);
        if (!n->bigbuf_pa)
            return -ENOMEM;
        n->bigbuf = hal_phys_to_virt(n->bigbuf_pa);
        n->nbig = NBIG;
        for (unsigned i = 0; i < NBIG; i++)
            n->big_free[n->nbig_free++] = (uint16_t)(NBIG - 1 - i);
    }
    for (unsigned i = n->txq.size; i-- > n->nbig;)
        n->tx_free[n->ntx_free++] = (uint16_t)i;
    return 0;
}

/* What the negotiated features let the stack use. */
static unsigned net_offloads(uint64_t f, const struct hal_net *n)
{
    unsigned o = 0;

    if (f & NET_F_CSUM)
        o |= HAL_NET_TX_CSUM;
    if ((f & NET_F_CSUM) && (f & NET_F_HOST_TSO4) && (f & NET_F_HOST_TSO6) && n->nbig)
        o |= HAL_NET_TX_TSO;
    if (f & NET_F_GUEST_CSUM)
        o |= HAL_NET_RX_CSUM;
    if ((f & NET_F_GUEST_CSUM) && (f & NET_F_MRG_RXBUF) &&
        (f & (NET_F_GUEST_TSO4 | NET_F_GUEST_TSO6)))
        o |= HAL_NET_RX_LARGE;
    return o;
}

static int net_setup(struct hal_net *n, struct virtio_dev *d, uint64_t f)
{
    unsigned rmax = d->ops->queue_max(d, 0), tmax = d->ops->queue_max(d, 1);
    bool tso = (f & NET_F_CSUM) && (f & NET_F_HOST_TSO4) && (f & NET_F_HOST_TSO6);

    if (rmax < 4 || tmax < 4)
        return -ENODEV;
    if (virtq_alloc(&n->rxq, rmax < NBUF ? rmax : NBUF) ||
        virtq_alloc(&n->txq, tmax < NBUF ? tmax : NBUF))
        return -ENOMEM;
    if (net_bufs(n, tso && n->txq.size >= 4 * NBIG) != 0)
        return -ENOMEM;
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
    n->mrg = (f & NET_F_MRG_RXBUF) != 0;
    n->rx_csum = (f & NET_F_GUEST_CSUM) != 0;
    n->info.offloads = net_offloads(f, n);
    n->info.name[0] = 'e';
    n->info.name[1] = 't';
    n->info.name[2] = 'h';
    n->info.name[3] = (char)('0' + nnet);
    n->info.name[4] = 0;
    return 0;
}

/* The features to ask for: GUEST_TSO only with mergeable buffers (else every buffer would
 * have to hold 64 KiB) and receive checksums (the spec's dependency), HOST_TSO only with
 * CSUM. virtio_negotiate resets the device, so a second round may drop what the first
 * showed missing. */
static uint64_t net_negotiate(struct virtio_dev *d)
{
    const uint64_t gtso = NET_F_GUEST_TSO4 | NET_F_GUEST_TSO6;
    const uint64_t htso = NET_F_HOST_TSO4 | NET_F_HOST_TSO6;
    uint64_t want = NET_F_MAC | NET_F_CSUM | NET_F_GUEST_CSUM | NET_F_MRG_RXBUF | gtso | htso;
    uint64_t f = virtio_negotiate(d, want);

    if (f && (f & gtso) && !((f & NET_F_MRG_RXBUF) && (f & NET_F_GUEST_CSUM)))
        want &= ~gtso;
    if (f && (f & htso) && !(f & NET_F_CSUM))
        want &= ~htso;
    if (f && (f & want) != f)
        f = virtio_negotiate(d, want);
    return f;
}

void virtio_net_probe(struct virtio_dev *d)
{
    if (nnet >= MAX_NET)
        return;
    struct hal_net *n = &nets[nnet];
    uint64_t f = net_negotiate(d);
    if (!f || net_setup(n, d, f) != 0) {
        d->ops->set_status(d, VIRTIO_STATUS_FAILED);
        return;
    }
    d->ops->set_status(d, VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
                              VIRTIO_STATUS_DRIVER_OK);
    for (unsigned i = 0; i < n->rxq.size; i++)
        rx_post(n, i);
    d->ops->notify(d, 0);
    nnet++;
}
