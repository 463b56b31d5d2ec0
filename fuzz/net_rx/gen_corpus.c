/*
 * gen_corpus.c - writes fuzz/net_rx/corpus/: one file per seed input (format: net_rx.h).
 *
 *   net_rx_gen_corpus <dir>
 *
 * Seeds reach each protocol the stack speaks: ARP request and reply, ICMP echo, UDP to the
 * echo port, IPv4 fragments, TCP SYN/ACK/data/FIN/RST to the listeners (checksums fixed by
 * the harness), IPv6 neighbour solicitation, ICMPv6 echo and TCP over IPv6, and the
 * application ops (time, write, close).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/net_rx/net_rx.h"

static const uint8_t our_mac[6] = NRX_MAC;
static const uint8_t peer_mac[6] = {0x02, 0x50, 0x45, 0x54, 0x00, 0x02};
static const uint8_t our_ip[4] = {10, 0, 0, 1}, peer_ip[4] = {10, 0, 0, 2};
/* fe80::50:45ff:fe54:1 (EUI-64 of our MAC) and the peer's fe80::50:45ff:fe54:2 */
static const uint8_t our_ll[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x00, 0x50, 0x45, 0xff,
                                   0xfe, 0x54, 0x00, 0x01};
static const uint8_t peer_ll[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x00, 0x50, 0x45, 0xff,
                                    0xfe, 0x54, 0x00, 0x02};

struct input {
    uint8_t b[16384];
    size_t n;
};

static void rec(struct input *in, uint8_t op, const uint8_t *d, size_t len)
{
    in->b[in->n++] = op;
    in->b[in->n++] = (uint8_t)len;
    in->b[in->n++] = (uint8_t)(len >> 8);
    if ((op & 0x7f) % NRX_OPS == NRX_FRAME) {
        memcpy(in->b + in->n, d, len);
        in->n += len;
    }
}

static size_t eth(uint8_t *f, const uint8_t *dst, uint16_t type)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, peer_mac, 6);
    f[12] = (uint8_t)(type >> 8);
    f[13] = (uint8_t)type;
    return 14;
}

static void arp(struct input *in, uint16_t oper)
{
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    uint8_t f[42];
    size_t o = eth(f, oper == 1 ? bcast : our_mac, 0x0806);
    const uint8_t hdr[8] = {0, 1, 8, 0, 6, 4, 0, (uint8_t)oper};

    memcpy(f + o, hdr, 8);
    memcpy(f + o + 8, peer_mac, 6);
    memcpy(f + o + 14, peer_ip, 4);
    memcpy(f + o + 18, oper == 1 ? (const uint8_t[6]){0} : our_mac, 6);
    memcpy(f + o + 24, our_ip, 4);
    rec(in, NRX_FRAME, f, sizeof(f));
}

/* IPv4 packet to us: proto, payload; frag: (offset in 8-byte units) | MF << 13. */
static void ip4(struct input *in, uint8_t proto, const uint8_t *pl, size_t n, uint16_t frag)
{
    uint8_t f[1514];
    size_t o = eth(f, our_mac, 0x0800), tot = 20 + n;
    const uint8_t hdr[12] = {0x45, 0, (uint8_t)(tot >> 8), (uint8_t)tot, 0x12, 0x34,
                             (uint8_t)(frag >> 8), (uint8_t)frag, 64, proto, 0, 0};

    memcpy(f + o, hdr, 12);
    memcpy(f + o + 12, peer_ip, 4);
    memcpy(f + o + 16, our_ip, 4);
    memcpy(f + o + 20, pl, n);
    rec(in, NRX_FRAME | NRX_FIXSUM, f, o + tot);
}

static void ip6(struct input *in, uint8_t nh, const uint8_t *dst, const uint8_t *pl, size_t n)
{
    uint8_t f[1514];
    static const uint8_t mc_mac[6] = {0x33, 0x33, 0xff, 0x54, 0x00, 0x01};
    size_t o = eth(f, dst[0] == 0xff ? mc_mac : our_mac, 0x86dd);
    const uint8_t hdr[8] = {0x60, 0, 0, 0, (uint8_t)(n >> 8), (uint8_t)n, nh, 255};

    memcpy(f + o, hdr, 8);
    memcpy(f + o + 8, peer_ll, 16);
    memcpy(f + o + 24, dst, 16);
    memcpy(f + o + 40, pl, n);
    rec(in, NRX_FRAME | NRX_FIXSUM, f, o + 40 + n);
}

/* TCP segment: ports, seq, ack, flags, options and data. */
static size_t tcp(uint8_t *t, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
                  bool opts, const char *data)
{
    static const uint8_t o[20] = {2, 4, 0x05, 0xb4, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0,
                                  0, 1};
    size_t ol = opts ? 20 : 0, dl = data ? strlen(data) : 0;
    const uint8_t hdr[20] = {0x04, 0xd2, (uint8_t)(dport >> 8), (uint8_t)dport,
                             (uint8_t)(seq >> 24), (uint8_t)(seq >> 16), (uint8_t)(seq >> 8),
                             (uint8_t)seq, (uint8_t)(ack >> 24), (uint8_t)(ack >> 16),
                             (uint8_t)(ack >> 8), (uint8_t)ack, (uint8_t)((20 + ol) / 4 << 4),
                             flags, 0xff, 0xff, 0, 0, 0, 0};

    memcpy(t, hdr, 20);
    memcpy(t + 20, o, ol);
    memcpy(t + 20 + ol, data ? data : "", dl);
    return 20 + ol + dl;
}

static void tcp_session(struct input *in, uint16_t port, bool v6)
{
    uint8_t t[256];
    static const uint8_t steps[][2] = {{0x02, 1}, {0x10, 0}, {0x18, 0}, {0x11, 0}, {0x04, 0}};
    static const char *data[] = {NULL, NULL, "GET / HTTP/1.0\r\n\r\n", NULL, NULL};
    uint32_t seq = 1000;

    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        size_t n = tcp(t, port, seq, 0x00010000, steps[i][0], steps[i][1], data[i]);

        if (v6)
            ip6(in, 6, our_ll, t, n);
        else
            ip4(in, 6, t, n, 0);
        rec(in, NRX_TIME, NULL, 10);
        seq += (steps[i][0] & 0x02) ? 1 : (data[i] ? (uint32_t)strlen(data[i]) : 0);
    }
}

static int save(const char *dir, const char *name, const struct input *in)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f || fwrite(in->b, 1, in->n, f) != in->n) {
        perror(path);
        return 1;
    }
    return fclose(f) != 0;
}

int main(int argc, char **argv)
{
    static struct input in;
    uint8_t p[2048];
    int bad = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: %s <dir>\n", argv[0]);
        return 2;
    }
#define SEED(name, body)                                                                  \
    do {                                                                                  \
        in.n = 0;                                                                         \
        body;                                                                             \
        bad |= save(argv[1], name, &in);                                                  \
    } while (0)
    SEED("arp-request", arp(&in, 1));
    SEED("arp-reply-time", (arp(&in, 2), rec(&in, NRX_TIME, NULL, 3000)));
    memset(p, 0xab, sizeof(p));
    p[0] = 8; /* ICMP echo request */
    SEED("icmp-echo", (arp(&in, 2), ip4(&in, 1, p, 64, 0)));
    const uint8_t udp[12] = {0x30, 0x39, 0, 53, 0, 12, 0, 0, 'p', 'i', 'n', 'g'};
    SEED("udp-53", (arp(&in, 2), ip4(&in, 17, udp, sizeof(udp), 0)));
    memcpy(p, (const uint8_t[8]){0x30, 0x39, 0, 53, 1536 >> 8, 1536 & 255, 0, 0}, 8);
    SEED("ipv4-fragments", (arp(&in, 2), ip4(&in, 17, p, 1024, 0x2000),
                            ip4(&in, 17, p, 512, 128), rec(&in, NRX_TIME, NULL, 100)));
    SEED("tcp-80", (arp(&in, 2), tcp_session(&in, 80, false)));
    SEED("tcp-22-write-close", (arp(&in, 2), tcp_session(&in, 22, false),
                                rec(&in, NRX_WRITE, NULL, 500), rec(&in, NRX_CLOSE, NULL, 0),
                                rec(&in, NRX_TIME, NULL, 60000)));
    const uint8_t sn[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0x54, 0x00, 0x01};
    uint8_t ns[32] = {135, 0, 0, 0, 0, 0, 0, 0};
    memcpy(ns + 8, our_ll, 16);
    ns[24] = 1; /* source link-layer address option */
    ns[25] = 1;
    memcpy(ns + 26, peer_mac, 6);
    SEED("ipv6-ns", ip6(&in, 58, sn, ns, sizeof(ns)));
    uint8_t echo6[24] = {128, 0, 0, 0, 0, 1, 0, 1};
    SEED("ipv6-echo", (ip6(&in, 58, sn, ns, sizeof(ns)), ip6(&in, 58, our_ll, echo6, 24)));
    SEED("ipv6-tcp-80", (ip6(&in, 58, sn, ns, sizeof(ns)), tcp_session(&in, 80, true)));
    SEED("ops-only", (rec(&in, NRX_TIME, NULL, 65535), rec(&in, NRX_WRITE, NULL, 100),
                      rec(&in, NRX_CLOSE, NULL, 0)));
    return bad;
}
