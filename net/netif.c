/*
 * netif.c - lwIP interfaces over hal_net devices (virtio-net on x86, in-process wires hosted).
 *
 * One struct net_dev per device: the lwIP netif first (so a netif pointer is the net_dev),
 * the device, and a transmit buffer of one frame. Output: lwIP hands a pbuf chain, flattened
 * into the buffer (or sent from the payload when it is one piece) and copied by the device
 * before hal_net_transmit() returns. A full device queue is ERR_MEM: TCP keeps the segment and
 * retries from its timer, UDP reports it. Input: the device's interrupt copies the frame into
 * the network thread's queue (netd.c), which calls net_if_input() with the lock held.
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
};

static uint16_t be16(const uint8_t *b)
{
    return (uint16_t)(b[0] << 8 | b[1]);
}

/*
 * A TCP segment in frame f (len bytes) lwIP left unsummed: the pseudo-header's sum goes into
 * its checksum field and *start is where the device starts summing. False for anything else
 * (those lwIP summed itself). IPv4 without fragmentation or IPv6 with TCP as the first next
 * header: the only shapes lwIP sends TCP in.
 */
static bool tcp_csum_prepare(uint8_t *f, size_t len, uint16_t *start)
{
    uint32_t sum;
    uint16_t w, l4;

    if (len >= ETH_HLEN + 20 && be16(f + 12) == 0x0800) {
        unsigned ihl = (f[ETH_HLEN] & 0xfu) * 4u;

        if (ihl < 20 || f[ETH_HLEN + 9] != IP_PROTO_TCP || (be16(f + ETH_HLEN + 6) & 0x3fff))
            return false;
        *start = (uint16_t)(ETH_HLEN + ihl);
        l4 = (uint16_t)(be16(f + ETH_HLEN + 2) - ihl);
        sum = net_chksum(f + ETH_HLEN + 12, 8);
    } else if (len >= ETH_HLEN + 40 && be16(f + 12) == 0x86dd && f[ETH_HLEN + 6] == IP_PROTO_TCP) {
        *start = ETH_HLEN + 40;
        l4 = be16(f + ETH_HLEN + 4);
        sum = net_chksum(f + ETH_HLEN + 8, 32);
    } else {
        return false;
    }
    if ((size_t)*start + 20 > len)
        return false;
    sum += lwip_htons(IP_PROTO_TCP) + lwip_htons(l4);
    sum = (sum & 0xffffu) + (sum >> 16);
    w = (uint16_t)((sum & 0xffffu) + (sum >> 16));
    memcpy(f + *start + 16, &w, 2); /* host-order sum stored natively: network order */
    return true;
}

/* Send frame (len bytes, writable); the device completes a TCP checksum lwIP left to it. */
static int dev_send(struct net_dev *nd, uint8_t *frame, size_t len)
{
    uint16_t start;

    if ((nd->info.offloads & HAL_NET_TX_CSUM) && tcp_csum_prepare(frame, len, &start))
        return hal_net_transmit_csum(nd->dev, frame, len, start, 16);
    return hal_net_transmit(nd->dev, frame, len);
}

static err_t dev_linkoutput(struct netif *netif, struct pbuf *p)
{
    struct net_dev *nd = (struct net_dev *)netif;
    size_t max = (size_t)nd->info.mtu + ETH_HLEN;
    uint8_t *frame = p->payload;
    int rc;

    if (p->tot_len > max) {
        net_counters.tx_errors++;
        return ERR_IF;
    }
    if (p->len != p->tot_len) {
        pbuf_copy_partial(p, nd->txbuf, p->tot_len, 0);
        frame = nd->txbuf;
    }
    rc = dev_send(nd, frame, p->tot_len);
    if (rc == -EAGAIN) {
        net_counters.tx_busy++;
        return ERR_MEM;
    }
    if (rc != 0) {
        net_counters.tx_errors++;
        return ERR_IF;
    }
    net_counters.tx_frames++;
    return ERR_OK;
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

/*
 * Frames shorter than Ethernet's minimum are zero-padded to it, as they would be on a real
 * link: lwIP's ARP input reads its 28-byte header without checking the frame's length
 * (found by fuzz/net_rx), relying on the minimum frame size that NICs guarantee.
 */
void net_if_input(struct netif *nif, const void *frame, size_t len)
{
    size_t plen = len < ETH_MIN_FRAME ? ETH_MIN_FRAME : len;
    struct pbuf *p;

    if (plen > 0xffff) {
        net_counters.rx_nomem++;
        return;
    }
    p = pbuf_alloc(PBUF_RAW, (u16_t)plen, PBUF_RAM);
    if (!p) {
        net_counters.rx_nomem++;
        return;
    }
    memcpy(p->payload, frame, len);
    memset((uint8_t *)p->payload + len, 0, plen - len);
    if (nif->input(p, nif) != ERR_OK)
        pbuf_free(p);
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

        if (nd)
            hal_net_set_rx(nd->dev, NULL, NULL);
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
            dhcp_release_and_stop(n);
            dhcp_cleanup(n);
            dhcp6_disable(n);
            dhcp6_cleanup(n);
        }
        netif_remove(n); /* down first: ARP, ND and MLD state of the interface go */
        if (nd) {
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
