/*
 * tso.c - TCP segmentation offload on transmit by merging: consecutive segments of one
 * connection that lwIP hands to an interface within one hold of the network lock become one
 * large frame, which the device cuts back into the same wire segments (hal_net_transmit_gso).
 *
 * Why merge rather than let lwIP build 64 KiB segments: lwIP sizes segments, counts its
 * congestion window and retransmits in units of pcb->mss; a larger mss changes all three and
 * the MSS it announces. Merging below lwIP leaves TCP exactly as it was: the wire carries the
 * same segments, only the trip through the device (one buffer, one notify, one host-side
 * write for ~44 segments) is shared. Latency is unchanged: what is held back goes out when the
 * caller or the network thread lets go of the lock (net_if_tx_flush), not on a timer.
 *
 * A segment joins the frame being built when everything a device copies from the first
 * header is the same (Ethernet header; IP addresses, TTL/hop limit, TOS/traffic class; TCP
 * ports, ACK number, window, options - the timestamps too), its sequence number follows on,
 * its flags are ACK with or without PSH, and the segments before it were full (the first
 * one's payload length is the MSS the device cuts at; a shorter one closes the frame). PSH on
 * any of them is put on the frame, and so ends up on its last wire segment, as Linux's TSO
 * does. Anything else (another flow, SYN/FIN/RST, IPv4 options or fragments, IPv6 extension
 * headers, a pure ACK) first sends what is held, so frames leave in the order lwIP made them.
 *
 * The segments' pbufs are held by reference (pbuf_ref) until the flush: lwIP's
 * tcp_output_segment_busy() sees the reference and does not rewrite a held segment's header
 * to retransmit it meanwhile. The payload is not copied here: the device copies each piece.
 */
#include "core/lib/kstring.h"
#include "lwip/def.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip.h"
#include "net/net_internal.h"

#define ETH_HLEN 14u
#define TCP_ACK_FLAG 0x10u
#define TCP_PSH_FLAG 0x08u

static uint16_t be16(const uint8_t *b)
{
    return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t be32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void put_be16(uint8_t *b, uint16_t v)
{
    b[0] = (uint8_t)(v >> 8);
    b[1] = (uint8_t)v;
}

bool net_tcp_csum_prepare(uint8_t *f, size_t len, uint16_t *start)
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

/* The shape of the TCP segment in frame f (first pbuf's len bytes, tot_len in all): false
 * unless it is one merging can take. */
static bool seg_parse(const uint8_t *f, size_t len, size_t tot_len, struct hal_net_gso *g,
                      size_t *payload)
{
    size_t l3;

    if (len >= ETH_HLEN + 20 && be16(f + 12) == 0x0800) {
        if (f[ETH_HLEN] != 0x45 || f[ETH_HLEN + 9] != IP_PROTO_TCP ||
            (be16(f + ETH_HLEN + 6) & 0x3fff) || be16(f + ETH_HLEN + 2) + ETH_HLEN != tot_len)
            return false;
        l3 = 20;
    } else if (len >= ETH_HLEN + 40 && be16(f + 12) == 0x86dd) {
        if (f[ETH_HLEN + 6] != IP_PROTO_TCP || be16(f + ETH_HLEN + 4) + ETH_HLEN + 40 != tot_len)
            return false;
        l3 = 40;
    } else {
        return false;
    }
    g->ipv6 = l3 == 40;
    g->csum_start = (uint16_t)(ETH_HLEN + l3);
    if (len < g->csum_start + 20u)
        return false;
    g->hdr_len = (uint16_t)(g->csum_start + (f[g->csum_start + 12] >> 4) * 4u);
    if (g->hdr_len < g->csum_start + 20u || g->hdr_len > len || g->hdr_len >= tot_len)
        return false;
    *payload = tot_len - g->hdr_len;
    return (f[g->csum_start + 13] & ~TCP_PSH_FLAG) == TCP_ACK_FLAG;
}

/* Does header f (same shape as t's) continue t's flow? All but IP length, ID and checksum,
 * TCP sequence number, checksum and PSH must match. */
static bool seg_continues(const struct net_tso *t, const uint8_t *f, size_t payload)
{
    const uint8_t *h = t->hdr;
    unsigned ip = ETH_HLEN, th = t->gso.csum_start;

    if (t->closed || payload > t->gso.mss || be32(f + th + 4) != t->next_seq)
        return false;
    if (t->len + payload > 0xffff || t->nheld == NET_TSO_MAX_SEGS)
        return false;
    if (memcmp(f, h, ETH_HLEN) != 0)
        return false;
    if (t->gso.ipv6 ? memcmp(f + ip, h + ip, 4) || memcmp(f + ip + 6, h + ip + 6, 34)
                    : memcmp(f + ip, h + ip, 2) || memcmp(f + ip + 6, h + ip + 6, 4) ||
                          memcmp(f + ip + 12, h + ip + 12, 8))
        return false;
    return memcmp(f + th, h + th, 4) == 0 && memcmp(f + th + 8, h + th + 8, 5) == 0 &&
           memcmp(f + th + 14, h + th + 14, 2) == 0 &&
           memcmp(f + th + 18, h + th + 18, t->gso.hdr_len - th - 18u) == 0;
}

/* Add the pieces of p's chain past its header; false (nothing added) if they do not fit. */
static bool seg_pieces(struct net_tso *t, struct pbuf *p, size_t skip)
{
    unsigned n = t->npiece;

    for (struct pbuf *q = p; q; q = q->next) {
        if (skip >= q->len) {
            skip -= q->len;
            continue;
        }
        if (n == NET_TSO_MAX_PIECES)
            return false;
        t->piece[n].data = (const uint8_t *)q->payload + skip;
        t->piece[n++].len = q->len - skip;
        skip = 0;
    }
    t->npiece = n;
    return true;
}

static void seg_hold(struct net_tso *t, struct pbuf *p, const uint8_t *f, size_t payload)
{
    pbuf_ref(p);
    t->held[t->nheld++] = p;
    t->len += payload;
    t->next_seq = be32(f + t->gso.csum_start + 4) + (uint32_t)payload;
    t->hdr[t->gso.csum_start + 13] |= f[t->gso.csum_start + 13] & TCP_PSH_FLAG;
    if (payload < t->gso.mss)
        t->closed = true;
}

int net_tso_add(struct net_tso *t, struct pbuf *p)
{
    const uint8_t *f = p->payload;
    struct hal_net_gso g;
    size_t payload;

    if (!seg_parse(f, p->len, p->tot_len, &g, &payload))
        return NET_TSO_NO;
    if (t->nheld && g.hdr_len == t->gso.hdr_len && g.ipv6 == t->gso.ipv6 &&
        seg_continues(t, f, payload)) {
        unsigned np = t->npiece;

        if (seg_pieces(t, p, g.hdr_len)) {
            seg_hold(t, p, f, payload);
            return NET_TSO_HELD;
        }
        t->npiece = np;
    }
    if (t->nheld)
        return NET_TSO_FLUSH_FIRST;
    t->gso = g;
    t->gso.mss = (uint16_t)payload;
    memcpy(t->hdr, f, g.hdr_len);
    t->piece[0].data = t->hdr;
    t->piece[0].len = g.hdr_len;
    t->npiece = 1;
    t->len = g.hdr_len;
    t->closed = false;
    if (!seg_pieces(t, p, g.hdr_len)) {
        t->npiece = 0;
        return NET_TSO_NO;
    }
    seg_hold(t, p, f, payload);
    return NET_TSO_HELD;
}

/* Lengths and sums of the merged header: IP length (IPv4: and header checksum) for the whole
 * frame, the TCP checksum field the pseudo-header's sum over all of it. */
static void tso_header(struct net_tso *t)
{
    uint8_t *ip = t->hdr + ETH_HLEN;
    uint16_t start;

    if (t->gso.ipv6) {
        put_be16(ip + 4, (uint16_t)(t->len - ETH_HLEN - 40));
    } else {
        uint16_t c;

        put_be16(ip + 2, (uint16_t)(t->len - ETH_HLEN));
        put_be16(ip + 10, 0);
        c = inet_chksum(ip, 20);
        memcpy(ip + 10, &c, 2);
    }
    (void)net_tcp_csum_prepare(t->hdr, t->gso.hdr_len, &start);
}

int net_tso_send(struct net_tso *t, struct hal_net *dev)
{
    tso_header(t);
    return hal_net_transmit_gso(dev, t->piece, t->npiece, &t->gso);
}

void net_tso_drop(struct net_tso *t)
{
    for (unsigned i = 0; i < t->nheld; i++)
        pbuf_free(t->held[i]);
    t->nheld = 0;
    t->npiece = 0;
    t->len = 0;
}
