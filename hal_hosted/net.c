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

struct net_frame {
    size_t len;
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

void hosted_net_set_monitor(hosted_net_monitor_fn *fn, void *arg)
{
    net_monitor = fn;
    net_monitor_arg = arg;
}

static struct net_frame *frame_copy(const void *data, size_t len)
{
    struct net_frame *f = malloc(sizeof(*f) + len);

    if (f) {
        f->len = len;
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

static int net_enqueue(struct hal_net *to, const void *frame, size_t len, bool swap)
{
    struct net_frame *f;

    if (to->count == to->depth)
        return -EAGAIN;
    f = frame_copy(frame, len);
    if (!f)
        return -EAGAIN;
    rxq_push(to, f, swap);
    return 0;
}

static bool net_len_ok(const struct hal_net *d, size_t len)
{
    return len > 0 && len <= (size_t)d->info.mtu + NET_ETH_HLEN;
}

int hal_net_transmit(struct hal_net *dev, const void *frame, size_t len)
{
    struct hosted_wire *w = dev->wire;
    struct hal_net *peer = net_devs[dev->index ^ 1];
    bool swap;
    int rc;

    if (!net_len_ok(dev, len))
        return -EMSGSIZE;
    if (peer->count == peer->depth)
        return -EAGAIN;
    if (net_monitor)
        net_monitor(net_monitor_arg, dev->index, frame, len);
    if (hosted_rng_chance(&w->rng, w->loss_pct)) {
        hosted_stats.net_dropped++;
        return 0;
    }
    swap = hosted_rng_chance(&w->rng, w->reorder_pct);
    rc = net_enqueue(peer, frame, len, swap);
    if (rc == 0 && hosted_rng_chance(&w->rng, w->dup_pct))
        (void)net_enqueue(peer, frame, len, false); /* a full queue just loses the copy */
    return rc;
}

/* The wire offers no offloads (info.offloads is 0): the checksum is completed here, in
 * software, as hal_net.h promises. */
int hal_net_transmit_csum(struct hal_net *dev, const void *frame, size_t len, uint16_t start,
                          uint16_t offset)
{
    uint8_t *f;
    uint32_t sum = 0;
    int rc;

    if ((size_t)start + offset + 2 > len)
        return -EINVAL;
    if (!net_len_ok(dev, len))
        return -EMSGSIZE;
    f = malloc(len);
    if (!f)
        return -EAGAIN;
    memcpy(f, frame, len);
    for (size_t i = start; i < len; i += 2)
        sum += (uint32_t)(f[i] << 8 | (i + 1 < len ? f[i + 1] : 0));
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    f[start + offset] = (uint8_t)(~sum >> 8);
    f[start + offset + 1] = (uint8_t)~sum;
    rc = hal_net_transmit(dev, f, len);
    free(f);
    return rc;
}

int hosted_net_inject(unsigned dev, const void *frame, size_t len)
{
    if (dev >= net_ndevs)
        return -ENODEV;
    if (!net_len_ok(net_devs[dev], len))
        return -EMSGSIZE;
    return net_enqueue(net_devs[dev], frame, len, false);
}

/* Hand d's first n queued frames to its rx callback. */
static void net_deliver_dev(struct hal_net *d, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        struct net_frame *f = d->rxq[d->head];

        d->head = (d->head + 1) % d->depth;
        d->count--;
        if (d->rx) {
            hosted_stats.net_rx++;
            d->rx(d->rx_arg, f->data, f->len); /* may transmit: appends to a queue */
        } else {
            hosted_stats.net_dropped++;
        }
        free(f);
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
