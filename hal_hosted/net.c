/*
 * net.c - hosted network devices: in-process wires.
 *
 * Wire w joins net devices 2w and 2w+1: a frame transmitted on one end is copied into the
 * other end's receive queue and handed to its rx callback at the next delivery point
 * (irq.c), in interrupt context. Per-wire knobs, drawn from the wire's own seeded stream:
 * loss (the frame vanishes), duplication (it arrives twice) and reordering (it overtakes the
 * frame queued before it). Tests inject frames with hosted_net_inject() and watch every
 * transmitted frame with hosted_net_set_monitor().
 *
 *     dev 2w  --tx-->  [ knobs ]  --> rxq of dev 2w+1 --(delivery point)--> rx callback
 *     dev 2w  <--rx--  rxq of dev 2w  <--  [ knobs ]  <--tx--  dev 2w+1
 *
 * Offloads (hosted_wire_config.offloads, both ends alike) behave as a tap between two VMs on
 * one Linux host: with HAL_NET_TX_CSUM and HAL_NET_RX_CSUM a partial checksum crosses the
 * wire as it is and arrives flagged HAL_NET_RXF_CSUM_OK (else the wire completes it); a
 * hal_net_transmit_gso frame crosses whole, flagged, when the wire has HAL_NET_RX_LARGE, and
 * is otherwise cut here into MSS-sized segments with their checksums, as Linux's
 * tcp_gso_segment does. The knobs act on what crosses: a whole large frame is lost at once.
 *
 * A transmit finds the wire full when the peer's receive ring is (queue_depth frames not yet
 * delivered): -EAGAIN, as a NIC whose tx ring is full, and the sender's tx-ready callback
 * (hal_net_set_tx_ready) runs at the delivery point that empties the peer's ring.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hal/hal_net.h"
#include "hal/hal_rand.h"
#include "hal_hosted/hosted_internal.h"

#define NET_DEFAULT_MTU 1500u
#define NET_DEFAULT_DEPTH 256u
#define NET_ETH_HLEN 14u

#define NET_OFFLOADS (HAL_NET_TX_CSUM | HAL_NET_TX_TSO | HAL_NET_RX_CSUM | HAL_NET_RX_LARGE)

struct net_frame {
    size_t len;
    unsigned flags; /* HAL_NET_RXF_* */
    unsigned char data[];
};

struct hosted_wire {
    struct hosted_rng rng;
    unsigned loss_pct, dup_pct, reorder_pct;
};

struct hal_net {
    unsigned index;
    struct hosted_wire *wire;
    struct hal_net_info info;
    hal_net_rx_fn *rx;
    void *rx_arg;
    hal_net_tx_fn *tx_ready;
    void *tx_arg;
    bool tx_want; /* a transmit was refused: call tx_ready when the peer's ring empties */
    unsigned depth, head, count; /* receive ring */
    struct net_frame **rxq;
};

static struct hosted_wire net_wires[HOSTED_MAX_WIRES];
static struct hal_net *net_devs[2 * HOSTED_MAX_WIRES];
static unsigned net_ndevs;
static hosted_net_monitor_fn *net_monitor;
static void *net_monitor_arg;

static struct hal_net *net_create(unsigned index, const struct hosted_wire_config *c)
{
    struct hal_net *d = calloc(1, sizeof(*d));

    if (!d)
        return NULL;
    d->index = index;
    d->wire = &net_wires[index / 2];
    d->depth = c->queue_depth ? c->queue_depth : NET_DEFAULT_DEPTH;
    d->rxq = calloc(d->depth, sizeof(*d->rxq));
    if (!d->rxq) {
        free(d);
        return NULL;
    }
    d->info.mtu = c->mtu ? c->mtu : NET_DEFAULT_MTU;
    d->info.offloads = c->offloads;
    /* Locally administered unicast: 02:50:45:54:<wire>:<end>. */
    memcpy(d->info.mac, (const uint8_t[]){0x02, 0x50, 0x45, 0x54, 0, 0}, 6);
    d->info.mac[4] = (uint8_t)(index / 2);
    d->info.mac[5] = (uint8_t)(index % 2 + 1);
    snprintf(d->info.name, sizeof(d->info.name), "wire%u%c", index / 2, 'a' + index % 2);
    return d;
}

int hosted_net_setup(const struct hosted_config *cfg)
{
    if (cfg->nwires > HOSTED_MAX_WIRES)
        return -EINVAL;
    for (unsigned w = 0; w < cfg->nwires; w++) {
        const struct hosted_wire_config *c = &cfg->wire[w];

        if (c->loss_pct > 100 || c->dup_pct > 100 || c->reorder_pct > 100 ||
            (c->mtu && c->mtu < 68))
            return -EINVAL;
        if ((c->offloads & ~NET_OFFLOADS) ||
            ((c->offloads & HAL_NET_TX_TSO) && !(c->offloads & HAL_NET_TX_CSUM)) ||
            ((c->offloads & HAL_NET_RX_LARGE) && !(c->offloads & HAL_NET_RX_CSUM)))
            return -EINVAL;
    }
    for (unsigned w = 0; w < cfg->nwires; w++) {
        const struct hosted_wire_config *c = &cfg->wire[w];

        net_wires[w] = (struct hosted_wire){
            .loss_pct = c->loss_pct, .dup_pct = c->dup_pct, .reorder_pct = c->reorder_pct};
        hosted_rng_init(&net_wires[w].rng, hal_rand_seed(), HOSTED_RNG_WIRE + w);
        for (unsigned e = 0; e < 2; e++) {
            net_devs[2 * w + e] = net_create(2 * w + e, c);
            if (!net_devs[2 * w + e]) {
                hosted_net_teardown();
                return -ENOMEM;
            }
            net_ndevs = 2 * w + e + 1;
        }
    }
    return 0;
}

void hosted_net_teardown(void)
{
    for (unsigned i = 0; i < 2 * HOSTED_MAX_WIRES; i++) {
        struct hal_net *d = net_devs[i];

        if (!d)
            continue;
        for (unsigned k = 0; k < d->count; k++)
            free(d->rxq[(d->head + k) % d->depth]);
        free(d->rxq);
        free(d);
        net_devs[i] = NULL;
    }
    net_ndevs = 0;
    net_monitor = NULL;
    net_monitor_arg = NULL;
}

unsigned hal_net_count(void)
{
    return net_ndevs;
}

struct hal_net *hal_net_get(unsigned index)
{
    return index < net_ndevs ? net_devs[index] : NULL;
}

void hal_net_get_info(struct hal_net *dev, struct hal_net_info *info)
{
    *info = dev->info;
}

void hal_net_set_rx(struct hal_net *dev, hal_net_rx_fn *fn, void *arg)
{
    dev->rx = fn;
    dev->rx_arg = arg;
}

void hal_net_set_tx_ready(struct hal_net *dev, hal_net_tx_fn *fn, void *arg)
{
    dev->tx_ready = fn;
    dev->tx_arg = arg;
}

void hosted_net_set_monitor(hosted_net_monitor_fn *fn, void *arg)
{
    net_monitor = fn;
    net_monitor_arg = arg;
}

static struct net_frame *frame_copy(const void *data, size_t len, unsigned flags)
{
    struct net_frame *f = malloc(sizeof(*f) + len);

    if (f) {
        f->len = len;
        f->flags = flags;
        memcpy(f->data, data, len);
    }
    return f;
}

/* Append f to d's receive ring; with swap, it overtakes the frame queued before it. */
static void rxq_push(struct hal_net *d, struct net_frame *f, bool swap)
{
    unsigned tail = (d->head + d->count) % d->depth;

    d->rxq[tail] = f;
    d->count++;
    if (swap && d->count > 1) {
        unsigned prev = (tail + d->depth - 1) % d->depth;

        d->rxq[tail] = d->rxq[prev];
        d->rxq[prev] = f;
    }
    hosted_irq_raise(HOSTED_IRQ_NET);
}

static int net_enqueue(struct hal_net *to, const void *frame, size_t len, unsigned flags,
                       bool swap)
{
    struct net_frame *f;

    if (to->count == to->depth)
        return -EAGAIN;
    f = frame_copy(frame, len, flags);
    if (!f)
        return -EAGAIN;
    rxq_push(to, f, swap);
    return 0;
}

static bool net_len_ok(const struct hal_net *d, size_t len)
{
    return len > 0 && len <= (size_t)d->info.mtu + NET_ETH_HLEN;
}

/* Put one frame on dev's wire: monitor, loss, reordering, duplication. */
static int wire_send(struct hal_net *dev, const void *frame, size_t len, unsigned flags)
{
    struct hosted_wire *w = dev->wire;
    struct hal_net *peer = net_devs[dev->index ^ 1];
    bool swap;
    int rc;

    if (peer->count == peer->depth) {
        dev->tx_want = true;
        return -EAGAIN;
    }
    if (net_monitor)
        net_monitor(net_monitor_arg, dev->index, frame, len);
    if (hosted_rng_chance(&w->rng, w->loss_pct)) {
        hosted_stats.net_dropped++;
        return 0;
    }
    swap = hosted_rng_chance(&w->rng, w->reorder_pct);
    rc = net_enqueue(peer, frame, len, flags, swap);
    if (rc == 0 && hosted_rng_chance(&w->rng, w->dup_pct))
        (void)net_enqueue(peer, frame, len, flags, false); /* a full queue just loses the copy */
    return rc;
}

int hal_net_transmit(struct hal_net *dev, const void *frame, size_t len)
{
    if (!net_len_ok(dev, len))
        return -EMSGSIZE;
    return wire_send(dev, frame, len, 0);
}

/* A wire takes a frame at once (into the peer's ring) or refuses it: nothing is left half-sent
 * on the device. */
unsigned hal_net_tx_pending(struct hal_net *dev)
{
    (void)dev;
    return 0;
}

/* The non-inverted big-endian one's-complement sum of len bytes, added to sum. */
static uint32_t sum_be16(uint32_t sum, const uint8_t *b, size_t len)
{
    for (size_t i = 0; i < len; i += 2)
        sum += (uint32_t)(b[i] << 8 | (i + 1 < len ? b[i + 1] : 0));
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}

static void put_be16(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)(v >> 8);
    b[1] = (uint8_t)v;
}

static uint16_t get_be16(const uint8_t *b)
{
    return (uint16_t)(b[0] << 8 | b[1]);
}

/* Complete the checksum at f[start + offset] over f[start..len). */
static void csum_complete(uint8_t *f, size_t len, uint16_t start, uint16_t offset)
{
    put_be16(f + start + offset, ~sum_be16(0, f + start, len - start) & 0xffff);
}

/* With HAL_NET_TX_CSUM and HAL_NET_RX_CSUM the partial sum crosses as it is, vouched for;
 * otherwise the wire completes it, as hal_net.h promises. */
int hal_net_transmit_csum(struct hal_net *dev, const void *frame, size_t len, uint16_t start,
                          uint16_t offset)
{
    const unsigned both = HAL_NET_TX_CSUM | HAL_NET_RX_CSUM;
    uint8_t *f;
    int rc;

    if ((size_t)start + offset + 2 > len)
        return -EINVAL;
    if (!net_len_ok(dev, len))
        return -EMSGSIZE;
    if ((dev->info.offloads & both) == both)
        return wire_send(dev, frame, len, HAL_NET_RXF_CSUM_OK);
    f = malloc(len);
    if (!f)
        return -EAGAIN;
    memcpy(f, frame, len);
    csum_complete(f, len, start, offset);
    rc = wire_send(dev, f, len, 0);
    free(f);
    return rc;
}

/* Wire segment i of a GSO frame f (hdr_len + total payload bytes) into out; its length. */
static size_t gso_cut(const uint8_t *f, size_t total, const struct hal_net_gso *g, unsigned i,
                      bool last, uint8_t *out)
{
    size_t pay = last ? total - (size_t)i * g->mss : g->mss;
    uint8_t *ip = out + NET_ETH_HLEN, *th = out + g->csum_start;
    size_t l4 = (size_t)(g->hdr_len - g->csum_start) + pay;
    uint32_t seq, sum;

    memcpy(out, f, g->hdr_len);
    memcpy(out + g->hdr_len, f + g->hdr_len + (size_t)i * g->mss, pay);
    seq = (uint32_t)th[4] << 24 | (uint32_t)th[5] << 16 | (uint32_t)th[6] << 8 | th[7];
    seq += (uint32_t)i * g->mss;
    th[4] = (uint8_t)(seq >> 24), th[5] = (uint8_t)(seq >> 16);
    th[6] = (uint8_t)(seq >> 8), th[7] = (uint8_t)seq;
    if (!last)
        th[13] &= (uint8_t)~0x09; /* FIN, PSH: the last segment's */
    if (i > 0)
        th[13] &= (uint8_t)~0x80; /* CWR: the first's */
    if (g->ipv6) {
        put_be16(ip + 4, (uint32_t)l4);
        sum = sum_be16(0, ip + 8, 32);
    } else {
        put_be16(ip + 2, (uint32_t)(l4 + 20));
        put_be16(ip + 4, get_be16(ip + 4) + i);
        put_be16(ip + 10, 0);
        put_be16(ip + 10, ~sum_be16(0, ip, 20) & 0xffff);
        sum = sum_be16(0, ip + 12, 8);
    }
    sum = sum_be16(sum + 6 + (uint32_t)(l4 >> 16) + (uint32_t)(l4 & 0xffff), NULL, 0);
    put_be16(th + 16, 0);
    put_be16(th + 16, ~sum_be16(sum, th, l4) & 0xffff);
    return g->hdr_len + pay;
}

/* Cut f into wire segments, each with its checksums: -EAGAIN unless the peer's ring has room
 * for all of them, or is empty when they are more than it holds: then the tail is lost, as
 * when a receiver's ring overflows (a device never refuses a frame for good). */
static int gso_split(struct hal_net *dev, const uint8_t *f, size_t len,
                     const struct hal_net_gso *g)
{
    struct hal_net *peer = net_devs[dev->index ^ 1];
    size_t total = len - g->hdr_len;
    unsigned n = total ? (unsigned)((total + g->mss - 1) / g->mss) : 1;
    unsigned need = n < peer->depth ? n : peer->depth;
    uint8_t *out = malloc((size_t)g->hdr_len + g->mss);

    if (!out || peer->depth - peer->count < need) {
        dev->tx_want = true;
        free(out);
        return -EAGAIN;
    }
    for (unsigned i = 0; i < n; i++) {
        if (peer->count == peer->depth) {
            hosted_stats.net_dropped++;
            continue;
        }
        (void)wire_send(dev, out, gso_cut(f, total, g, i, i + 1 == n, out), 0);
    }
    free(out);
    return 0;
}

/* The frame's shape: 0, -EINVAL (not one the device cuts) or -EMSGSIZE (too long). */
static int gso_check(const struct hal_net *dev, size_t len, const struct hal_net_gso *g)
{
    size_t l3 = g->ipv6 ? 40 : 20;

    if (!(dev->info.offloads & HAL_NET_TX_TSO) || !g->mss ||
        g->csum_start != NET_ETH_HLEN + l3 || g->hdr_len < g->csum_start + 20 ||
        g->hdr_len > g->csum_start + 60 || g->hdr_len > len)
        return -EINVAL;
    if (len > HAL_NET_GSO_MAX || (size_t)g->hdr_len - NET_ETH_HLEN + g->mss > dev->info.mtu)
        return -EMSGSIZE;
    return 0;
}

int hal_net_transmit_gso(struct hal_net *dev, const struct hal_net_seg *seg, unsigned nseg,
                         const struct hal_net_gso *g)
{
    size_t len = 0, off = 0;
    uint8_t *f;
    int rc;

    for (unsigned i = 0; i < nseg; i++)
        len += seg[i].len;
    rc = gso_check(dev, len, g);
    if (rc)
        return rc;
    f = malloc(len);
    if (!f)
        return -EAGAIN;
    for (unsigned i = 0; i < nseg; i++) {
        memcpy(f + off, seg[i].data, seg[i].len);
        off += seg[i].len;
    }
    if (dev->info.offloads & HAL_NET_RX_LARGE)
        rc = wire_send(dev, f, len, HAL_NET_RXF_CSUM_OK);
    else
        rc = gso_split(dev, f, len, g);
    free(f);
    return rc;
}

int hosted_net_inject(unsigned dev, const void *frame, size_t len)
{
    if (dev >= net_ndevs)
        return -ENODEV;
    if (!net_len_ok(net_devs[dev], len))
        return -EMSGSIZE;
    return net_enqueue(net_devs[dev], frame, len, 0, false);
}

int hosted_net_inject_rx(unsigned dev, const void *frame, size_t len, unsigned flags)
{
    if (dev >= net_ndevs)
        return -ENODEV;
    if (!net_len_ok(net_devs[dev], len) &&
        !((net_devs[dev]->info.offloads & HAL_NET_RX_LARGE) && len <= HAL_NET_GSO_MAX && len))
        return -EMSGSIZE;
    return net_enqueue(net_devs[dev], frame, len, flags, false);
}

/* Hand d's first n queued frames to its rx callback; then its peer, if it was refused, may
 * send again. */
static void net_deliver_dev(struct hal_net *d, unsigned n)
{
    struct hal_net *peer = net_devs[d->index ^ 1];

    for (unsigned i = 0; i < n; i++) {
        struct net_frame *f = d->rxq[d->head];

        d->head = (d->head + 1) % d->depth;
        d->count--;
        if (d->rx) {
            struct hal_net_seg seg = {f->data, f->len};
            struct hal_net_rx rx = {&seg, 1, f->len, f->flags};

            hosted_stats.net_rx++;
            d->rx(d->rx_arg, &rx); /* may transmit: appends to a queue */
        } else {
            hosted_stats.net_dropped++;
        }
        free(f);
    }
    if (n && peer->tx_want) {
        peer->tx_want = false;
        if (peer->tx_ready)
            peer->tx_ready(peer->tx_arg);
    }
}

/* Only frames queued before the round starts: replies sent by rx callbacks wait for the
 * next delivery point, so a round always ends. */
bool hosted_net_deliver(void)
{
    unsigned n[2 * HOSTED_MAX_WIRES];

    for (unsigned i = 0; i < net_ndevs; i++)
        n[i] = net_devs[i]->count;
    for (unsigned i = 0; i < net_ndevs; i++)
        net_deliver_dev(net_devs[i], n[i]);
    return hosted_net_busy();
}

bool hosted_net_busy(void)
{
    for (unsigned i = 0; i < net_ndevs; i++) {
        if (net_devs[i]->count)
            return true;
    }
    return false;
}
