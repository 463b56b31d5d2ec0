/*
 * ntl.c - see ntl.h.
 */
#include "tests/unit/net/ntl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sched/sched.h"
#include "hal/hal_time.h"
#include "hal_hosted/hosted.h"
#include "lwip/netif.h"
#include "lwip/prot/ethernet.h"
#include "lwip/prot/ip4.h"
#include "lwip/prot/ip6.h"
#include "lwip/prot/tcp.h"
#include "net/net.h"
#include "tests/hosted/hosted_test.h"

#define CHUNK 16384

struct netif *ntl_if[4];
uint64_t ntl_tx_count[4];
uint64_t ntl_udp_tx_count[4];

static int (*test_fn)(void);
static struct wait_queue gen_wq;
static uint64_t gen; /* guarded by gen_wq.lock */
static struct ntl_tcp_watch *watch[2];

static void notify(void)
{
    uint64_t tok = spin_lock_irqsave(&gen_wq.lock);

    gen++;
    wq_wake_all_locked(&gen_wq);
    spin_unlock_irqrestore(&gen_wq.lock, tok);
}

uint64_t ntl_now(void)
{
    return hal_clock_ns();
}

void ntl_sleep(uint64_t ns)
{
    sched_sleep_ns(ns);
}

bool ntl_wait(bool (*cond)(void *), void *arg, uint64_t timeout_ns)
{
    uint64_t deadline = hal_clock_ns() + timeout_ns;

    for (;;) {
        uint64_t g, tok;
        bool ok;

        tok = spin_lock_irqsave(&gen_wq.lock);
        g = gen;
        spin_unlock_irqrestore(&gen_wq.lock, tok);
        net_lock();
        ok = cond(arg);
        net_unlock();
        if (ok)
            return true;
        tok = spin_lock_irqsave(&gen_wq.lock);
        while (gen == g) {
            if (wq_wait_locked(&gen_wq, &tok, deadline) == -ETIMEDOUT)
                break;
        }
        spin_unlock_irqrestore(&gen_wq.lock, tok);
        if (hal_clock_ns() >= deadline) {
            net_lock();
            ok = cond(arg);
            net_unlock();
            return ok;
        }
    }
}

/* --- frame monitor --------------------------------------------------------------------- */

static void watch_tcp(struct ntl_tcp_watch *w, const uint8_t *f, size_t len)
{
    const struct eth_hdr *eh = (const void *)f;
    size_t off = SIZEOF_ETH_HDR, iplen, hl;
    const struct tcp_hdr *th;

    if (len < off + IP_HLEN || eh->type != PP_HTONS(ETHTYPE_IP))
        return;
    const struct ip_hdr *ih = (const void *)(f + off);
    if (IPH_PROTO(ih) != IP_PROTO_TCP)
        return;
    iplen = lwip_ntohs(IPH_LEN(ih));
    hl = (size_t)IPH_HL(ih) * 4;
    if (off + iplen > len || iplen < hl + TCP_HLEN)
        return;
    th = (const void *)(f + off + hl);
    size_t payload = iplen - hl - (size_t)TCPH_HDRLEN(th) * 4;
    w->segs++;
    if (TCPH_FLAGS(th) & TCP_RST)
        w->rsts++;
    if (TCPH_FLAGS(th) & TCP_SYN)
        w->syns++;
    if (payload == 1)
        w->one_byte_segs++;
    if (payload > 0) {
        uint32_t seq = lwip_ntohl(th->seqno);

        w->data_segs++;
        if (w->seq_seen && (int32_t)(seq - w->seq_end) < 0)
            w->rexmit_segs++;
        if (!w->seq_seen || (int32_t)(seq + (uint32_t)payload - w->seq_end) > 0)
            w->seq_end = seq + (uint32_t)payload;
        w->seq_seen = true;
    }
    if (th->wnd == 0 && !(TCPH_FLAGS(th) & TCP_RST))
        w->zero_window_acks++;
}

static void monitor(void *arg, unsigned dev, const void *frame, size_t len)
{
    (void)arg;
    if (dev < 4)
        ntl_tx_count[dev]++;
    if (dev < 4 && len >= SIZEOF_ETH_HDR + IP_HLEN &&
        ((const struct eth_hdr *)frame)->type == PP_HTONS(ETHTYPE_IP) &&
        IPH_PROTO((const struct ip_hdr *)((const uint8_t *)frame + SIZEOF_ETH_HDR)) ==
            IP_PROTO_UDP)
        ntl_udp_tx_count[dev]++;
    for (int i = 0; i < 2; i++) {
        if (watch[i] && watch[i]->dev == dev)
            watch_tcp(watch[i], frame, len);
    }
}

void ntl_watch(struct ntl_tcp_watch *w, struct ntl_tcp_watch *w2)
{
    net_lock();
    watch[0] = w;
    watch[1] = w2;
    net_unlock();
}

/* --- boot -------------------------------------------------------------------------------- */

void ntl_addr4(unsigned dev, ip_addr_t *out)
{
    IP_ADDR4(out, 10, dev / 2, 0, dev % 2 + 1);
}

static int add_ifs(void)
{
    for (unsigned d = 0; d < 4; d++) {
        struct net_if_config cfg = {.ipv6 = true, .mask4 = PP_HTONL(0xffffff00u)};
        ip_addr_t a;

        ntl_addr4(d, &a);
        cfg.ip4 = ip_2_ip4(&a)->addr;
        if (net_if_add(d, &cfg, &ntl_if[d]) != 0)
            return -1;
    }
    return 0;
}

static int entry(void *unused)
{
    struct net_stats st;
    int rc;

    (void)unused;
    wq_init(&gen_wq, "ntl");
    if (net_init() != 0 || add_ifs() != 0) {
        fprintf(stderr, "ntl: network setup failed\n");
        return 2;
    }
    hosted_net_set_monitor(monitor, NULL);
    rc = test_fn();
    net_get_stats(&st);
    if (st.asserts) {
        fprintf(stderr, "ntl: %llu lwIP assertion(s) fired\n", (unsigned long long)st.asserts);
        rc = rc ? rc : 3;
    }
    return rc ? rc : ht_status();
}

static unsigned wire1_offloads;

void ntl_set_offloads(unsigned offloads)
{
    wire1_offloads = offloads;
}

int ntl_boot(int (*fn)(void), const struct ntl_wire_knobs *knobs, size_t ram)
{
    struct hosted_config cfg;

    memset(&cfg, 0, sizeof(cfg));
    cfg.entry = entry;
    cfg.ram_bytes = ram;
    cfg.nwires = 2;
    cfg.wire[0].queue_depth = 1024;
    cfg.wire[1].offloads = wire1_offloads;
    if (knobs) {
        cfg.wire[1].loss_pct = knobs->loss_pct;
        cfg.wire[1].dup_pct = knobs->dup_pct;
        cfg.wire[1].reorder_pct = knobs->reorder_pct;
        cfg.wire[1].queue_depth = knobs->queue_depth;
    }
    test_fn = fn;
    return hosted_boot(&cfg);
}

/* --- TCP --------------------------------------------------------------------------------- */

static void pump(struct ntl_tcp *c)
{
    static uint8_t buf[CHUNK];

    while (c->pcb && c->tx_queued < c->tx_total) {
        uint64_t n = c->tx_total - c->tx_queued;

        if (n > tcp_sndbuf(c->pcb))
            n = tcp_sndbuf(c->pcb);
        if (n > CHUNK)
            n = CHUNK;
        if (n == 0)
            break;
        for (uint64_t i = 0; i < n; i++)
            buf[i] = ntl_pattern(c->tx_seed, c->tx_queued + i);
        if (tcp_write(c->pcb, buf, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK)
            break;
        c->tx_queued += n;
    }
    if (c->pcb && c->shut_after_tx && c->tx_queued == c->tx_total) {
        c->shut_after_tx = false;
        c->tx_shut = true;
        tcp_shutdown(c->pcb, 0, 1);
    }
    if (c->pcb)
        tcp_output(c->pcb);
}

static void detach(struct ntl_tcp *c)
{
    tcp_arg(c->pcb, NULL);
    tcp_recv(c->pcb, NULL);
    tcp_sent(c->pcb, NULL);
    tcp_err(c->pcb, NULL);
    c->pcb = NULL;
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct ntl_tcp *c = arg;

    (void)err;
    if (!p) {
        c->fin = true;
        if (c->tx_shut) { /* both directions done: lwIP frees the pcb after TIME-WAIT */
            detach(c);
            tcp_close(pcb);
        }
        notify();
        return ERR_OK;
    }
    for (struct pbuf *q = p; q; q = q->next) {
        const uint8_t *b = q->payload;

        for (u16_t i = 0; i < q->len; i++, c->rx_bytes++) {
            if (b[i] != ntl_pattern(c->rx_seed, c->rx_bytes) && c->rx_bad++ == 0)
                c->rx_bad_first = c->rx_bytes;
        }
    }
    if (c->hold)
        c->held += p->tot_len;
    else
        tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    notify();
    return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    struct ntl_tcp *c = arg;

    (void)pcb;
    c->tx_acked += len;
    pump(c);
    notify();
    return ERR_OK;
}

static void on_err(void *arg, err_t err)
{
    struct ntl_tcp *c = arg;

    c->pcb = NULL; /* freed by lwIP */
    if (err == ERR_CLSD) {
        c->closed = true;
    } else {
        c->errored = true;
        c->err = err;
    }
    notify();
}

static void attach(struct ntl_tcp *c, struct tcp_pcb *pcb)
{
    c->pcb = pcb;
    tcp_arg(pcb, c);
    tcp_recv(pcb, on_recv);
    tcp_sent(pcb, on_sent);
    tcp_err(pcb, on_err);
}

static err_t on_accept(void *arg, struct tcp_pcb *newpcb, err_t err)
{
    struct ntl_listener *l = arg;
    struct ntl_tcp *c;

    if (err != ERR_OK || !newpcb)
        return ERR_VAL;
    if (l->nacc == sizeof(l->acc) / sizeof(l->acc[0]) || !(c = calloc(1, sizeof(*c)))) {
        tcp_abort(newpcb);
        return ERR_ABRT;
    }
    attach(c, newpcb);
    c->connected = true;
    c->hold = l->hold;
    c->rx_seed = l->rx_seed;
    l->acc[l->nacc++] = c;
    if (l->delay)
        tcp_backlog_delayed(newpcb);
    notify();
    return ERR_OK;
}

struct ntl_listener *ntl_listen(const ip_addr_t *ip, uint16_t port, uint8_t backlog)
{
    struct ntl_listener *l = calloc(1, sizeof(*l));
    struct tcp_pcb *pcb;

    net_lock();
    pcb = tcp_new_ip_type(IP_GET_TYPE(ip));
    H_CHECK(pcb != NULL);
    ip_set_option(pcb, SOF_REUSEADDR);
    H_CHECK(tcp_bind(pcb, ip, port) == ERR_OK);
    l->pcb = tcp_listen_with_backlog(pcb, backlog);
    H_CHECK(l->pcb != NULL);
    tcp_arg(l->pcb, l);
    tcp_accept(l->pcb, on_accept);
    net_unlock();
    return l;
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct ntl_tcp *c = arg;

    (void)pcb;
    (void)err;
    c->connected = true;
    pump(c);
    notify();
    return ERR_OK;
}

struct ntl_tcp *ntl_connect(const ip_addr_t *local, const ip_addr_t *remote, uint16_t port)
{
    struct ntl_tcp *c = calloc(1, sizeof(*c));
    struct tcp_pcb *pcb;

    net_lock();
    pcb = tcp_new_ip_type(IP_GET_TYPE(remote));
    H_CHECK(pcb != NULL);
    attach(c, pcb);
    H_CHECK(tcp_bind(pcb, local, 0) == ERR_OK);
    H_CHECK(tcp_connect(pcb, remote, port, on_connected) == ERR_OK);
    net_unlock();
    return c;
}

void ntl_send(struct ntl_tcp *c, uint32_t seed, uint64_t n, bool fin_after)
{
    net_lock();
    c->tx_seed = seed;
    c->tx_total += n;
    c->shut_after_tx = fin_after;
    if (c->connected)
        pump(c);
    net_unlock();
}

void ntl_close(struct ntl_tcp *c)
{
    net_lock();
    if (c->pcb) {
        struct tcp_pcb *pcb = c->pcb;

        /* lwIP owns a closed pcb and frees it without telling us: forget it first */
        detach(c);
        H_CHECK(tcp_close(pcb) == ERR_OK);
    }
    net_unlock();
}

void ntl_shutdown_tx(struct ntl_tcp *c)
{
    net_lock();
    if (c->pcb) {
        c->tx_shut = true;
        H_CHECK(tcp_shutdown(c->pcb, 0, 1) == ERR_OK);
    }
    net_unlock();
}

void ntl_abort(struct ntl_tcp *c)
{
    net_lock();
    if (c->pcb) {
        struct tcp_pcb *pcb = c->pcb;

        detach(c);
        tcp_abort(pcb);
    }
    net_unlock();
}

void ntl_release(struct ntl_tcp *c, uint64_t n)
{
    net_lock();
    if (n > c->held)
        n = c->held;
    c->held -= n;
    while (c->pcb && n) {
        u16_t k = n > 0xffff ? 0xffff : (u16_t)n;

        tcp_recved(c->pcb, k);
        n -= k;
    }
    net_unlock();
}

void ntl_free(struct ntl_tcp *c)
{
    if (!c)
        return;
    net_lock();
    if (c->pcb) {
        struct tcp_pcb *pcb = c->pcb;

        detach(c);
        tcp_abort(pcb);
    }
    net_unlock();
    free(c);
}

void ntl_listener_free(struct ntl_listener *l)
{
    for (unsigned i = 0; i < l->nacc; i++)
        ntl_free(l->acc[i]);
    net_lock();
    tcp_arg(l->pcb, NULL);
    tcp_accept(l->pcb, NULL);
    tcp_close(l->pcb);
    net_unlock();
    free(l);
}

bool ntl_is_connected(void *c)
{
    return ((struct ntl_tcp *)c)->connected;
}

bool ntl_has_fin(void *c)
{
    return ((struct ntl_tcp *)c)->fin;
}

bool ntl_has_err(void *c)
{
    return ((struct ntl_tcp *)c)->errored;
}

bool ntl_has_accepted(void *l)
{
    return ((struct ntl_listener *)l)->nacc > 0;
}

struct accept_wait {
    struct ntl_listener *l;
    unsigned n;
};

static bool accepted_beyond(void *arg)
{
    struct accept_wait *w = arg;

    return w->l->nacc > w->n;
}

bool ntl_wait_accepted(struct ntl_listener *l, unsigned n, uint64_t timeout_ns)
{
    struct accept_wait w = {l, n};

    return ntl_wait(accepted_beyond, &w, timeout_ns);
}
