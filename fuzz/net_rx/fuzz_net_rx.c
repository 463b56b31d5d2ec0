/*
 * fuzz_net_rx.c - frames into Petrel's network stack (lwIP + port) with listeners, UDP and an
 * active connection open, under virtual time. Input format: net_rx.h.
 *
 * The harness runs the stack single-threaded (net_init_direct: no network thread, no
 * scheduler) on the hosted HAL: frames go through the real receive path (the wire's
 * interrupt, the rx queue, net_poll()), the stack's replies leave through the wire to a peer
 * that drops them. Between inputs every TCP connection is aborted and timers run for a
 * while, so later inputs see a quiet stack (ARP/ND caches may carry over; lwIP has no reset).
 * Broken invariants (abort): an lwIP assertion fired, lwIP memory over its budget.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lib/alloc.h"
#include "fuzz/driver/fuzz_target.h"
#include "fuzz/net_rx/net_rx.h"
#include "hal/hal_cpu.h"
#include "hal_hosted/hosted.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/stats.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "net/net.h"

static struct netif *nif;
static struct tcp_pcb *active;

static void hook_nop(void *arg)
{
    (void)arg;
}

/* --- checksum fix-ups ------------------------------------------------------------------- */

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}

static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Offset of the checksum field in an L4 header, or 0 when proto has none we fix. */
static size_t csum_off(uint8_t proto, size_t l4len)
{
    size_t off = proto == 6 ? 16 : proto == 17 ? 6 : (proto == 1 || proto == 58) ? 2 : 0;

    return off && off + 2 <= l4len ? off : 0;
}

static void fix_l4(uint8_t *l4, size_t l4len, uint8_t proto, uint32_t pseudo)
{
    size_t off = csum_off(proto, l4len);

    if (!off)
        return;
    put16(l4 + off, 0);
    put16(l4 + off, fold(sum16(l4, l4len, pseudo)));
}

static void fix_ipv4(uint8_t *ip, size_t n)
{
    size_t hl = (size_t)(ip[0] & 15) * 4, tot = (size_t)(ip[2] << 8 | ip[3]);
    uint32_t pseudo;

    if (n < 20 || hl < 20 || hl > n)
        return;
    put16(ip + 10, 0);
    put16(ip + 10, fold(sum16(ip, hl, 0)));
    if (tot > n || tot < hl || (ip[6] & 0x3f) || ip[7]) /* fragments: leave alone */
        return;
    /* TCP and UDP sum a pseudo-header; ICMP only its own bytes */
    pseudo = ip[9] == 1 ? 0 : sum16(ip + 12, 8, 0) + ip[9] + (uint32_t)(tot - hl);
    fix_l4(ip + hl, tot - hl, ip[9], pseudo);
}

static void fix_ipv6(uint8_t *ip, size_t n)
{
    size_t plen;
    uint32_t pseudo;

    if (n < 40)
        return;
    plen = (size_t)(ip[4] << 8 | ip[5]);
    if (40 + plen > n)
        return;
    pseudo = sum16(ip + 8, 32, 0) + (uint32_t)plen + ip[6];
    fix_l4(ip + 40, plen, ip[6], pseudo);
}

static void fix_sums(uint8_t *f, size_t n)
{
    if (n < 14)
        return;
    if (f[12] == 0x08 && f[13] == 0x00)
        fix_ipv4(f + 14, n - 14);
    else if (f[12] == 0x86 && f[13] == 0xdd)
        fix_ipv6(f + 14, n - 14);
}

/* --- the application ------------------------------------------------------------------ */

static err_t app_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    (void)arg;
    (void)err;
    if (!p) {
        tcp_arg(pcb, NULL);
        tcp_recv(pcb, NULL);
        tcp_err(pcb, NULL);
        if (pcb == active)
            active = NULL;
        tcp_close(pcb);
        return ERR_OK;
    }
    tcp_recved(pcb, p->tot_len);
    for (struct pbuf *q = p; q; q = q->next) /* echo what fits */
        (void)tcp_write(pcb, q->payload, q->len, TCP_WRITE_FLAG_COPY);
    pbuf_free(p);
    return ERR_OK;
}

static void app_err(void *arg, err_t err)
{
    (void)err;
    if (arg == &active)
        active = NULL;
}

static err_t app_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    if (err != ERR_OK || !pcb)
        return ERR_VAL;
    tcp_recv(pcb, app_recv);
    tcp_err(pcb, app_err);
    return ERR_OK;
}

static void udp_echo(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
                     u16_t port)
{
    (void)arg;
    (void)udp_sendto(pcb, p, addr, port);
    pbuf_free(p);
}

static void listen_on(u8_t type, uint16_t port, u8_t backlog)
{
    struct tcp_pcb *pcb = tcp_new_ip_type(type);

    if (!pcb || tcp_bind(pcb, IP_ANY_TYPE, port) != ERR_OK)
        abort();
    pcb = tcp_listen_with_backlog(pcb, backlog);
    if (!pcb)
        abort();
    tcp_accept(pcb, app_accept);
}

static void app_open_active(void)
{
    ip_addr_t peer;

    IP_ADDR4(&peer, 10, 0, 0, 2);
    active = tcp_new_ip_type(IPADDR_TYPE_V4);
    if (!active)
        return;
    tcp_arg(active, &active);
    tcp_recv(active, app_recv);
    tcp_err(active, app_err);
    if (tcp_connect(active, &peer, 4242, NULL) != ERR_OK) {
        tcp_abort(active);
        active = NULL;
    }
}

/* Apply fn to every connection of the application (active list, never TIME-WAIT). */
static void each_conn(void (*fn)(struct tcp_pcb *, unsigned), unsigned arg)
{
    struct tcp_pcb *p = tcp_active_pcbs, *next;

    for (; p; p = next) {
        next = p->next; /* fn may free p (abort) */
        fn(p, arg);
    }
}

static void conn_write(struct tcp_pcb *p, unsigned n)
{
    static const uint8_t zeros[1024];

    if (p->state != ESTABLISHED && p->state != CLOSE_WAIT)
        return;
    (void)tcp_write(p, zeros, (u16_t)(n > sizeof(zeros) ? sizeof(zeros) : n),
                    TCP_WRITE_FLAG_COPY);
    (void)tcp_output(p);
}

static void conn_close(struct tcp_pcb *p, unsigned unused)
{
    (void)unused;
    tcp_arg(p, NULL);
    tcp_recv(p, NULL);
    tcp_err(p, NULL);
    if (p == active)
        active = NULL;
    if (tcp_close(p) != ERR_OK)
        tcp_abort(p);
}

static void conn_abort(struct tcp_pcb *p, unsigned unused)
{
    (void)unused;
    tcp_arg(p, NULL);
    tcp_err(p, NULL);
    tcp_abort(p);
}

/* --- driver ------------------------------------------------------------------------------ */

static void advance(uint64_t ms)
{
    hosted_clock_advance(ms * 1000000ULL);
    net_poll();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static struct hal_boot_info info;
    struct hosted_config cfg = {.ram_bytes = 128u << 20, .nwires = 1, .has_seed = true,
                                .seed = 1};
    struct hosted_hooks hooks = {.timer_irq = hook_nop, .irq_exit = hook_nop};
    struct net_if_config ifc = {.ipv6 = true, .is_default = true};
    struct udp_pcb *u;

    (void)argc;
    (void)argv;
    if (hosted_hal_init(&cfg, &hooks, &info) != 0)
        abort();
    page_init(&info);
    if (net_init_direct() != 0)
        abort();
    ifc.ip4 = PP_HTONL(0x0a000001u);
    ifc.mask4 = PP_HTONL(0xffffff00u);
    ifc.gw4 = PP_HTONL(0x0a0000feu);
    if (net_if_add(0, &ifc, &nif) != 0)
        abort();
    net_set_mem_limit(32u << 20);
    listen_on(IPADDR_TYPE_ANY, 80, 8);
    listen_on(IPADDR_TYPE_V4, 22, 1);
    u = udp_new_ip_type(IPADDR_TYPE_ANY);
    if (!u || udp_bind(u, IP_ANY_TYPE, 53) != ERR_OK)
        abort();
    udp_recv(u, udp_echo, NULL);
    hal_irq_enable(); /* the wire delivers at delivery points from now on */
    for (int i = 0; i < 5; i++) /* duplicate address detection: the link-local is valid */
        advance(1000);
    return 0;
}

static void check(void)
{
    struct net_stats st;

    net_get_stats(&st);
    if (st.asserts || st.mem_in_use > st.mem_limit) {
        fprintf(stderr, "net_rx: %llu lwIP assertion(s), %llu of %llu bytes in use\n",
                (unsigned long long)st.asserts, (unsigned long long)st.mem_in_use,
                (unsigned long long)st.mem_limit);
        abort();
    }
}

static void run_record(unsigned op, const uint8_t *d, size_t len)
{
    static uint8_t frame[1514];

    switch (op % NRX_OPS) {
    case NRX_FRAME:
        if (len == 0 || len > sizeof(frame))
            return;
        memcpy(frame, d, len);
        if (op & NRX_FIXSUM)
            fix_sums(frame, len);
        (void)hosted_net_inject(0, frame, len);
        hal_poll();
        net_poll();
        break;
    case NRX_TIME:
        advance(len);
        break;
    case NRX_WRITE:
        each_conn(conn_write, (unsigned)len);
        break;
    case NRX_CLOSE:
        each_conn(conn_close, 0);
        break;
    }
    check();
}

/* NET_RX_VERBOSE=1: per input, what the stack did (for writing seeds). */
static void report(void)
{
    static struct net_stats prev;
    struct net_stats st;

    net_get_stats(&st);
    if (getenv("NET_RX_VERBOSE"))
        fprintf(stderr,
                "net_rx: frames rx %llu tx %llu; totals: tcp rx %u tx %u chkerr %u, udp rx %u "
                "tx %u, icmp rx %u tx %u, icmp6 rx %u tx %u, ip chkerr %u, reass %u\n",
                (unsigned long long)(st.rx_frames - prev.rx_frames),
                (unsigned long long)(st.tx_frames - prev.tx_frames), lwip_stats.tcp.recv,
                lwip_stats.tcp.xmit, lwip_stats.tcp.chkerr, lwip_stats.udp.recv,
                lwip_stats.udp.xmit, lwip_stats.icmp.recv, lwip_stats.icmp.xmit,
                lwip_stats.icmp6.recv, lwip_stats.icmp6.xmit, lwip_stats.ip.chkerr,
                lwip_stats.ip_frag.recv);
    prev = st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    app_open_active();
    net_poll();
    while (size >= 3) {
        unsigned op = data[0];
        size_t len = (size_t)(data[1] | data[2] << 8);
        size_t take = (op & 0x7f) % NRX_OPS == NRX_FRAME ? len : 0;

        data += 3;
        size -= 3;
        if (take > size)
            take = size;
        run_record(op, data, take);
        data += take;
        size -= take;
    }
    each_conn(conn_abort, 0);
    while (tcp_tw_pcbs)
        tcp_abort(tcp_tw_pcbs);
    for (int i = 0; i < 20; i++) /* age reassembly queues and caches out */
        advance(1000);
    active = NULL;
    check();
    report();
    return 0;
}
