/*
 * netif.c - lwIP interfaces over hal_net devices (virtio-net on x86, in-process wires hosted).
 *
 * One struct net_dev per device: the lwIP netif first (so a netif pointer is the net_dev),
 * the device, and a transmit buffer of one frame. Output: lwIP hands a pbuf chain, flattened
 * into the buffer (or sent from the payload when it is one piece) and copied by the device
 * before hal_net_transmit() returns. A full device queue holds the frame and every one after
 * it in a backlog (txq.c), sent in order when the device has room again (its tx-ready
 * callback wakes the network thread) or the lock is next let go; a full backlog is ERR_MEM:
 * TCP keeps the segment and retries, UDP reports it. On a device with HAL_NET_TX_TSO, TCP
 * segments are held and merged into one frame the device cuts again (tso.c), sent by net_if_tx_flush()
 * before the network lock is let go. Input: the device's interrupt copies the frame into
 * the network thread's queue (netd.c), which calls net_if_input() with the lock held; lwIP
 * takes that copy in place (a custom pbuf). Frames the device vouches for
 * (HAL_NET_RXF_CSUM_OK) skip lwIP's TCP/UDP check; with HAL_NET_RX_LARGE TCP segments of up
 * to 64 KiB arrive, and lwIP takes them as any segment within its window.
 *
 * Checksum offload: on a device with HAL_NET_TX_CSUM, lwIP does not sum TCP segments
 * (NETIF_CHECKSUM_GEN_TCP off for that netif, LWIP_CHECKSUM_CTRL_PER_NETIF); dev_linkoutput
 * puts the pseudo-header's sum in the checksum field and the device adds the segment's bytes
 * (hal_net_transmit_csum), as Linux does with CHECKSUM_PARTIAL. A segment lwIP loops back to
 * its own address never reaches the device and comes back with that field zero: the loopback
 * poll (net_if_poll_loops) skips the TCP check for it, as Linux trusts its loopback.
 */
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "hal/hal_errno.h"
#include "hal/hal_net.h"
#include "lwip/dhcp.h"
#include "lwip/dhcp6.h"
#include "lwip/def.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/ip.h"
#include "lwip/ip4.h"
#include "lwip/ip6.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"
#include "net/net_internal.h"

#define ETH_HLEN 14u
#define ETH_MIN_FRAME 60u /* without FCS */

struct net_dev {
    struct netif netif; /* first: lwIP's netif pointer is the net_dev */
    struct hal_net *dev;
    struct hal_net_info info;
    uint8_t *txbuf; /* info.mtu + ETH_HLEN bytes; used under the network lock */
    struct net_tso tso; /* segments held to merge (HAL_NET_TX_TSO); network lock */
    struct net_txq txq; /* frames waiting for device room, in order (txq.c); network lock */
};

static uint16_t be16(const uint8_t *b)
{
    return (uint16_t)(b[0] << 8 | b[1]);
}

/* Send frame (len bytes, writable); the device completes a TCP checksum lwIP left to it. */
static int dev_send(struct net_dev *nd, uint8_t *frame, size_t len)
{
    uint16_t start;

    if ((nd->info.offloads & HAL_NET_TX_CSUM) && net_tcp_csum_prepare(frame, len, &start))
        return hal_net_transmit_csum(nd->dev, frame, len, start, 16);
    return hal_net_transmit(nd->dev, frame, len);
}

/* Send lwIP's frame p (flattened into txbuf when it is a chain): 0 when the device took it,
 * -EAGAIN when it has no room (p not taken), another error (counted) when p is lost. */
static int dev_output(struct net_dev *nd, struct pbuf *p)
{
    size_t max = (size_t)nd->info.mtu + ETH_HLEN;
    uint8_t *frame = p->payload;
    int rc;

    if (p->tot_len > max) {
        net_counters.tx_errors++;
        return -EMSGSIZE;
    }
    if (p->len != p->tot_len) {
        pbuf_copy_partial(p, nd->txbuf, p->tot_len, 0);
        frame = nd->txbuf;
    }
    rc = dev_send(nd, frame, p->tot_len);
    if (rc == -EAGAIN) {
        net_counters.tx_busy++;
        return rc;
    }
    if (rc != 0)
        net_counters.tx_errors++;
    else
        net_counters.tx_frames++;
    return rc;
}

/* Send what nd holds to merge: one segment as it is, several as one frame the device cuts.
 * -EAGAIN when the device has no room: the segments stay held and go first once it has (a
 * merged frame waits for a large slot rather than going out as ~45 small frames). Another
 * error loses them (lwIP already counts them sent): TCP retransmits, as after a drop on the
 * wire. */
static int dev_tso_flush(struct net_dev *nd)
{
    struct net_tso *t = &nd->tso;
    int rc;

    if (t->nheld == 1) {
        rc = dev_output(nd, t->held[0]) == -EAGAIN ? -EAGAIN : 0;
    } else {
        rc = net_tso_send(t, nd->dev);
        if (rc == 0) {
            net_counters.tx_frames++;
            net_counters.tx_tso_frames++;
            net_counters.tx_tso_segs += t->nheld;
        } else if (rc == -EAGAIN) {
            net_counters.tx_busy++;
        } else {
            net_counters.tx_errors++;
        }
    }
    if (rc == -EAGAIN)
        return rc;
    net_tso_drop(t);
    return 0;
}

/* Hand p to the device, or with HAL_NET_TX_TSO to the segments held to merge (anything that
 * does not join them first sends them, keeping lwIP's order): 0 when taken, -EAGAIN when the
 * device has no room (p not taken), another error when p is lost. */
static int dev_xmit(struct net_dev *nd, struct pbuf *p)
{
    if (nd->info.offloads & HAL_NET_TX_TSO) {
        int r = net_tso_add(&nd->tso, p);

        if (r == NET_TSO_FLUSH_FIRST) {
            if (dev_tso_flush(nd) != 0)
                return -EAGAIN;
            r = net_tso_add(&nd->tso, p);
        }
        if (r == NET_TSO_HELD)
            return 0;
        if (nd->tso.nheld && dev_tso_flush(nd) != 0)
            return -EAGAIN;
    }
    return dev_output(nd, p);
}

/* Send what waits (txq.c), in order, until the device is full again. */
static void dev_drain(struct net_dev *nd)
{
    struct pbuf *p;

    while ((p = net_txq_peek(&nd->txq))) {
        if (dev_xmit(nd, p) == -EAGAIN)
            return;
        net_txq_pop(&nd->txq);
    }
    if (nd->tso.nheld)
        (void)dev_tso_flush(nd);
}

/* Behind frames that wait, p waits too; else it goes to the device (or is held to merge) and
 * waits only when the device has no room. A full backlog is ERR_MEM: TCP keeps the segment
 * unsent and tries again, UDP reports it. */
static err_t dev_enqueue(struct net_dev *nd, struct pbuf *p)
{
    int rc = nd->txq.len ? -EAGAIN : dev_xmit(nd, p);

    if (rc != -EAGAIN)
        return rc ? ERR_IF : ERR_OK;
    if (!net_txq_push(&nd->txq, p)) {
        net_counters.tx_busy++;
        return ERR_MEM;
    }
    net_counters.tx_queued++;
    if (nd->txq.len > net_counters.tx_queue_peak)
        net_counters.tx_queue_peak = nd->txq.len;
    return ERR_OK;
}

void net_if_tx_flush(void)
{
    struct netif *n;

    NETIF_FOREACH(n) {
        struct net_dev *nd = n->state;

        if (nd && (nd->tso.nheld || nd->txq.len))
            dev_drain(nd);
    }
}

bool net_if_tx_busy(void)
{
    struct netif *n;

    NETIF_FOREACH(n) {
        struct net_dev *nd = n->state;

        if (nd && (nd->tso.nheld || nd->txq.len || hal_net_tx_pending(nd->dev)))
            return true;
    }
    return false;
}

static err_t dev_linkoutput(struct netif *netif, struct pbuf *p)
{
    return dev_enqueue((struct net_dev *)netif, p);
}

static err_t dev_netif_init(struct netif *netif)
{
    struct net_dev *nd = (struct net_dev *)netif;

    netif->name[0] = 'e';
    netif->name[1] = 'n';
    netif->mtu = nd->info.mtu;
    netif->mtu6 = nd->info.mtu;
    netif->hwaddr_len = ETH_HWADDR_LEN;
    memcpy(netif->hwaddr, nd->info.mac, ETH_HWADDR_LEN);
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
                   NETIF_FLAG_MLD6 | NETIF_FLAG_LINK_UP;
    netif->output = etharp_output;
    netif->output_ip6 = ethip6_output;
    netif->linkoutput = dev_linkoutput;
    if (nd->info.offloads & HAL_NET_TX_CSUM)
        NETIF_SET_CHECKSUM_CTRL(netif, NETIF_CHECKSUM_ENABLE_ALL & ~NETIF_CHECKSUM_GEN_TCP);
    return ERR_OK;
}

/* netif_poll_all, with the TCP check off for what an offloading netif looped to itself. */
void net_if_poll_loops(void)
{
    struct netif *n;

    NETIF_FOREACH(n) {
        u16_t flags = n->chksum_flags;

        if (!n->loop_first)
            continue;
        if (!(flags & NETIF_CHECKSUM_GEN_TCP))
            NETIF_SET_CHECKSUM_CTRL(n, flags & ~NETIF_CHECKSUM_CHECK_TCP);
        netif_poll(n);
        NETIF_SET_CHECKSUM_CTRL(n, flags);
    }
}

/* Give b's budget bytes back and free it: lwIP is done with the frame. */
static void rxbuf_pbuf_free(struct pbuf *p)
{
    struct net_rxbuf *b = (struct net_rxbuf *)(void *)p; /* pc is b's first member */

    net_counters.mem_in_use -= b->charged;
    kfree(b);
}

/* May lwIP skip the TCP/UDP checksum of frame f? Only when the device vouched for it and the
 * frame is a whole datagram: a fragment's flag says nothing of the datagram it completes. */
static bool rx_csum_trusted(const struct net_rxbuf *b)
{
    const uint8_t *f = b->data;

    if (!(b->flags & HAL_NET_RXF_CSUM_OK) || b->len < ETH_HLEN + 40)
        return false;
    if (be16(f + 12) == 0x0800)
        return (be16(f + ETH_HLEN + 6) & 0x3fff) == 0; /* neither MF nor an offset */
    return be16(f + 12) == 0x86dd &&
           (f[ETH_HLEN + 6] == IP_PROTO_TCP || f[ETH_HLEN + 6] == IP_PROTO_UDP);
}

/* A frame too long for a pbuf with its Ethernet header (16-bit lengths): a large TCP segment
 * the host handed over. lwIP's ethernet_input would only dispatch it by type; do that here,
 * from the IP header on, for unicast to this interface. */
static netif_input_fn rx_big_input(struct netif *nif, const uint8_t *f)
{
    if (memcmp(f, nif->hwaddr, ETH_HWADDR_LEN) != 0)
        return NULL;
    if (be16(f + 12) == 0x0800)
        return ip4_input;
    if (be16(f + 12) == 0x86dd)
        return ip6_input;
    return NULL;
}

static bool rxbuf_charge(struct net_rxbuf *b)
{
    size_t size = kmalloc_usable_size(b);

    if (net_counters.mem_in_use + size > net_counters.mem_limit) {
        net_counters.mem_failed++;
        return false;
    }
    b->charged = size;
    net_counters.mem_in_use += size;
    if (net_counters.mem_in_use > net_counters.mem_peak)
        net_counters.mem_peak = net_counters.mem_in_use;
    return true;
}

/*
 * The frame goes to lwIP in place, as a PBUF_REF custom pbuf over b->data (short frames were
 * zero-padded to Ethernet's minimum by the rx path). With the device's word that the TCP/UDP
 * checksum is good (or was never computed, the sender being on this host), lwIP's check is
 * switched off for this frame only, as net_if_poll_loops does for loopback.
 */
void net_if_input(struct net_rxbuf *b)
{
    struct netif *nif = b->nif;
    size_t plen = b->len < ETH_MIN_FRAME ? ETH_MIN_FRAME : b->len, skip = 0;
    netif_input_fn input = nif->input;
    u16_t flags = nif->chksum_flags;
    struct pbuf *p;

    if (plen > 0xffff) {
        input = rx_big_input(nif, b->data);
        skip = ETH_HLEN;
    }
    if (!input || !rxbuf_charge(b)) {
        net_counters.rx_nomem += input != NULL;
        kfree(b);
        return;
    }
    if (b->len > (size_t)nif->mtu + ETH_HLEN)
        net_counters.rx_large++;
    b->pc.custom_free_function = rxbuf_pbuf_free;
    p = pbuf_alloced_custom(PBUF_RAW, (u16_t)(plen - skip), PBUF_REF, &b->pc, b->data + skip,
                            (u16_t)(plen - skip));
    if (rx_csum_trusted(b))
        NETIF_SET_CHECKSUM_CTRL(nif, flags & ~(NETIF_CHECKSUM_CHECK_TCP | NETIF_CHECKSUM_CHECK_UDP));
    if (input(p, nif) != ERR_OK)
        pbuf_free(p);
    NETIF_SET_CHECKSUM_CTRL(nif, flags);
}

static void dev_configure(struct netif *netif, const struct net_if_config *cfg)
{
    if (cfg->is_default)
        netif_set_default(netif);
    if (cfg->mtu) {
        netif->mtu = cfg->mtu;
        netif->mtu6 = cfg->mtu;
    }
    netif_set_up(netif);
    if (cfg->dhcp4)
        dhcp_start(netif);
    if (cfg->ipv6) {
        netif_create_ip6_linklocal_address(netif, 1);
        netif_set_ip6_autoconfig_enabled(netif, 1);
        if (cfg->dhcp6)
            dhcp6_enable_stateless(netif);
        if (cfg->has_ip6) {
            ip6_addr_t a;

            memcpy(a.addr, cfg->ip6, sizeof(a.addr));
            ip6_addr_clear_zone(&a);
            netif_add_ip6_address(netif, &a, NULL); /* tentative until DAD passes */
        }
    }
}

static int dev_add_locked(struct net_dev *nd, const struct net_if_config *cfg)
{
    ip4_addr_t ip, mask, gw;

    ip4_addr_set_u32(&ip, cfg->dhcp4 ? 0 : cfg->ip4);
    ip4_addr_set_u32(&mask, cfg->dhcp4 ? 0 : cfg->mask4);
    ip4_addr_set_u32(&gw, cfg->dhcp4 ? 0 : cfg->gw4);
    if (!netif_add(&nd->netif, &ip, &mask, &gw, nd, dev_netif_init, ethernet_input))
        return -ENOMEM;
    dev_configure(&nd->netif, cfg);
    return 0;
}

int net_if_add(unsigned index, const struct net_if_config *cfg, struct netif **out)
{
    struct hal_net *dev = hal_net_get(index);
    struct net_dev *nd;
    bool locked = false;
    int rc;

    if (!dev)
        return -ENODEV;
    nd = kzalloc(sizeof(*nd));
    if (!nd)
        return -ENOMEM;
    nd->dev = dev;
    hal_net_get_info(dev, &nd->info);
    if (nd->info.mtu < 68) {
        kfree(nd);
        return -EINVAL;
    }
    nd->txbuf = kmalloc((size_t)nd->info.mtu + ETH_HLEN);
    if (!nd->txbuf) {
        kfree(nd);
        return -ENOMEM;
    }
    if (net_threaded()) {
        net_lock();
        locked = true;
    }
    rc = dev_add_locked(nd, cfg);
    if (locked)
        net_unlock();
    if (rc) {
        kfree(nd->txbuf);
        kfree(nd);
        return rc;
    }
    hal_net_set_tx_ready(dev, net_tx_ready_irq, nd);
    hal_net_set_rx(dev, net_rx_irq, &nd->netif);
    if (out)
        *out = &nd->netif;
    return 0;
}

void net_if_stop_rx(void)
{
    struct netif *n;

    NETIF_FOREACH(n) {
        struct net_dev *nd = n->state;

        if (nd) {
            hal_net_set_rx(nd->dev, NULL, NULL);
            hal_net_set_tx_ready(nd->dev, NULL, NULL);
        }
    }
}

/* Our interfaces carry their net_dev as lwIP state; the loopback (lwIP's storage) none. */
void net_if_remove_all(void)
{
    while (netif_list) {
        struct netif *n = netif_list;
        struct net_dev *nd = n->state;

        if (nd) {
            hal_net_set_rx(nd->dev, NULL, NULL);
            hal_net_set_tx_ready(nd->dev, NULL, NULL);
            dhcp_release_and_stop(n);
            dhcp_cleanup(n);
            dhcp6_disable(n);
            dhcp6_cleanup(n);
        }
        netif_remove(n); /* down first: ARP, ND and MLD state of the interface go */
        if (nd) {
            net_tso_drop(&nd->tso);
            net_txq_drop(&nd->txq);
            kfree(nd->txbuf);
            kfree(nd);
        }
    }
}

static bool has_address_locked(struct netif *n, bool ipv6)
{
    if (!ipv6)
        return !ip4_addr_isany_val(*netif_ip4_addr(n));
    for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++)
        if (ip6_addr_isvalid(netif_ip6_addr_state(n, i)) &&
            !ip6_addr_islinklocal(netif_ip6_addr(n, i)))
            return true;
    return false;
}

int net_if_has_address(unsigned index, bool ipv6)
{
    struct hal_net *dev = hal_net_get(index);
    struct netif *n;
    int rc = -ENODEV;

    net_lock();
    NETIF_FOREACH(n) {
        struct net_dev *nd = n->state;

        if (dev && nd && nd->dev == dev)
            rc = has_address_locked(n, ipv6) ? 1 : 0;
    }
    net_unlock();
    return rc;
}
