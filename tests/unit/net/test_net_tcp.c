/*
 * test_net_tcp.c - Petrel's network stack against itself over a clean hosted wire: ARP, ICMP
 * echo, TCP connect/accept/close in every order, half-close, RST in several states, listen
 * backlog overflow, zero-window probing, keepalive and retransmission timeouts (virtual time),
 * UDP datagrams (fragmented too), TCP over IPv6 link-local addresses.
 *
 * One boot runs every scenario (lwIP state is per process); each uses its own ports and
 * checks that it leaves no connection behind. See ntl.h for the layout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hal/hal_net.h"
#include "lwip/etharp.h"
#include "lwip/icmp.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip.h"
#include "lwip/netif.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/prot/icmp.h"
#include "lwip/raw.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "net/net.h"
#include "tests/hosted/hosted_test.h"
#include "tests/unit/net/ntl.h"

#define SEC 1000000000ULL

static ip_addr_t A, B; /* wire 0 */

/* Connections in lwIP's active and TIME-WAIT lists with a local or remote port `port`. */
static unsigned pcbs_on_port(uint16_t port)
{
    unsigned n = 0;
    struct tcp_pcb *lists[] = {tcp_active_pcbs, tcp_tw_pcbs};

    net_lock();
    for (unsigned i = 0; i < 2; i++) {
        for (struct tcp_pcb *p = lists[i]; p; p = p->next)
            n += p->local_port == port || p->remote_port == port;
    }
    net_unlock();
    return n;
}

static bool no_pcbs(void *port)
{
    uint16_t p = (uint16_t)(uintptr_t)port;
    unsigned n = 0;
    struct tcp_pcb *lists[] = {tcp_active_pcbs, tcp_tw_pcbs};

    for (unsigned i = 0; i < 2; i++) {
        for (struct tcp_pcb *q = lists[i]; q; q = q->next)
            n += q->local_port == p || q->remote_port == p;
    }
    return n == 0;
}

/* TIME-WAIT lasts 2 MSL (lwIP: 2 x 60 s): everything on port is gone within 3 minutes. */
static void expect_port_drained(uint16_t port)
{
    H_CHECK(ntl_wait(no_pcbs, (void *)(uintptr_t)port, 180 * SEC));
}

/* Connect A -> B:port; returns the client, *srv the accepted end. */
static struct ntl_tcp *pair(struct ntl_listener *l, uint16_t port, struct ntl_tcp **srv)
{
    unsigned before = l->nacc;
    struct ntl_tcp *c = ntl_connect(&A, &B, port);

    H_CHECK(ntl_wait(ntl_is_connected, c, 10 * SEC));
    H_CHECK(ntl_wait_accepted(l, before, 10 * SEC));
    *srv = l->nacc > before ? l->acc[before] : NULL;
    return c;
}

/* --- ICMP echo and ARP ------------------------------------------------------------------- */

struct echo {
    bool got;
    uint8_t type;
    uint16_t id, seq;
    uint8_t data[64];
    size_t len;
};

static u8_t on_raw(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr)
{
    struct echo *e = arg;
    struct icmp_echo_hdr h;
    u16_t hl = (u16_t)(IPH_HL((struct ip_hdr *)p->payload) * 4);

    (void)pcb;
    (void)addr;
    if (p->tot_len < hl + sizeof(h) || pbuf_copy_partial(p, &h, sizeof(h), hl) != sizeof(h) ||
        h.type != ICMP_ER)
        return 0; /* not ours: lwIP goes on with it */
    e->type = h.type;
    e->id = lwip_ntohs(h.id);
    e->seq = lwip_ntohs(h.seqno);
    e->len = pbuf_copy_partial(p, e->data, sizeof(e->data), (u16_t)(hl + sizeof(h)));
    e->got = true;
    pbuf_free(p);
    return 1;
}

static bool echo_got(void *e)
{
    return ((struct echo *)e)->got;
}

static void test_ping_and_arp(void)
{
    struct echo e = {0};
    struct raw_pcb *pcb;
    struct pbuf *p;
    struct icmp_echo_hdr *h;
    struct eth_addr *mac = NULL;
    const ip4_addr_t *ipret = NULL;

    net_lock();
    pcb = raw_new(IP_PROTO_ICMP);
    raw_bind(pcb, &A);
    raw_recv(pcb, on_raw, &e);
    p = pbuf_alloc(PBUF_IP, sizeof(*h) + 48, PBUF_RAM);
    h = p->payload;
    h->type = ICMP_ECHO;
    h->code = 0;
    h->id = lwip_htons(0x1234);
    h->seqno = lwip_htons(7);
    for (int i = 0; i < 48; i++)
        ((uint8_t *)(h + 1))[i] = (uint8_t)(i * 3);
    h->chksum = 0;
    h->chksum = inet_chksum(h, p->len);
    H_CHECK(raw_sendto(pcb, p, &B) == ERR_OK);
    pbuf_free(p);
    net_unlock();

    H_CHECK(ntl_wait(echo_got, &e, 5 * SEC));
    H_CHECK(e.id == 0x1234 && e.seq == 7 && e.len == 48);
    for (int i = 0; i < 48; i++)
        H_CHECK(e.data[i] == (uint8_t)(i * 3));

    net_lock();
    H_CHECK(etharp_find_addr(ntl_if[0], ip_2_ip4(&B), &mac, &ipret) >= 0);
    H_CHECK(mac && memcmp(mac->addr, ntl_if[1]->hwaddr, 6) == 0);
    raw_remove(pcb);
    net_unlock();
}

/* --- connect / accept / close orders ----------------------------------------------------- */

static void test_client_closes_first(void)
{
    struct ntl_listener *l = ntl_listen(&B, 5001, 8);
    struct ntl_tcp *s, *c = pair(l, 5001, &s);

    H_CHECK(s != NULL);
    ntl_close(c);
    H_CHECK(ntl_wait(ntl_has_fin, s, 5 * SEC));
    ntl_close(s);
    expect_port_drained(5001);
    ntl_free(c);
    ntl_listener_free(l);
}

static void test_server_closes_first(void)
{
    struct ntl_listener *l = ntl_listen(&B, 5002, 8);
    struct ntl_tcp *s, *c = pair(l, 5002, &s);

    ntl_close(s);
    H_CHECK(ntl_wait(ntl_has_fin, c, 5 * SEC));
    H_CHECK(!c->errored);
    ntl_close(c);
    expect_port_drained(5002);
    ntl_free(c);
    ntl_listener_free(l);
}

static void test_simultaneous_close(void)
{
    struct ntl_listener *l = ntl_listen(&B, 5003, 8);
    struct ntl_tcp *s, *c = pair(l, 5003, &s);
    struct tcp_pcb *cp = c->pcb, *sp = s->pcb;

    net_lock(); /* both FINs leave before either arrives */
    c->pcb = s->pcb = NULL;
    tcp_arg(cp, NULL);
    tcp_arg(sp, NULL);
    tcp_err(cp, NULL);
    tcp_err(sp, NULL);
    tcp_recv(cp, NULL);
    tcp_recv(sp, NULL);
    H_CHECK(tcp_close(cp) == ERR_OK);
    H_CHECK(tcp_close(sp) == ERR_OK);
    net_unlock();
    expect_port_drained(5003);
    ntl_free(c);
    ntl_listener_free(l);
}

/* The client sends data then FIN at once; the server reads everything before the FIN. */
static void test_close_with_data_in_flight(void)
{
    struct ntl_listener *l = ntl_listen(&B, 5004, 8);
    struct ntl_tcp *s, *c;

    l->rx_seed = 44;
    c = pair(l, 5004, &s);
    ntl_send(c, 44, 300000, true);
    H_CHECK(ntl_wait(ntl_has_fin, s, 30 * SEC));
    H_CHECK(s->rx_bytes == 300000 && s->rx_bad == 0);
    ntl_close(s);
    expect_port_drained(5004);
    ntl_free(c);
    ntl_listener_free(l);
}

/* Half-close: the client's FIN ends its direction only; the server still sends. */
static void test_half_close(void)
{
    struct ntl_listener *l = ntl_listen(&B, 5005, 8);
    struct ntl_tcp *s, *c;

    l->rx_seed = 55;
    c = pair(l, 5005, &s);
    c->rx_seed = 56;
    ntl_send(c, 55, 65536, true);
    H_CHECK(ntl_wait(ntl_has_fin, s, 10 * SEC));
    H_CHECK(s->rx_bytes == 65536 && s->rx_bad == 0);
    ntl_send(s, 56, 200000, true);
    H_CHECK(ntl_wait(ntl_has_fin, c, 10 * SEC));
    H_CHECK(c->rx_bytes == 200000 && c->rx_bad == 0);
    H_CHECK(!c->errored && !s->errored);
    ntl_close(c);
    ntl_close(s);
    expect_port_drained(5005);
    ntl_free(c);
    ntl_listener_free(l);
}

/* --- resets ------------------------------------------------------------------------------- */

static void test_rst_syn_sent(void)
{
    struct ntl_tcp *c = ntl_connect(&A, &B, 5999); /* nobody listens */

    H_CHECK(ntl_wait(ntl_has_err, c, 5 * SEC));
    H_CHECK(c->err == ERR_RST && !c->connected);
    ntl_free(c);
}

static void test_rst_established(void)
{
    struct ntl_listener *l = ntl_listen(&B, 5006, 8);
    struct ntl_tcp *s, *c = pair(l, 5006, &s);

    ntl_abort(s);
    H_CHECK(ntl_wait(ntl_has_err, c, 5 * SEC));
    H_CHECK(c->err == ERR_RST);
    expect_port_drained(5006);
    ntl_free(c);
    ntl_listener_free(l);
}

/* RST in FIN-WAIT-2 (client half-closed, acked) and CLOSE-WAIT (server saw the FIN). */
static void test_rst_half_closed(void)
{
    struct ntl_listener *l = ntl_listen(&B, 5007, 8);
    struct ntl_tcp *s, *c = pair(l, 5007, &s);

    ntl_shutdown_tx(c);
    H_CHECK(ntl_wait(ntl_has_fin, s, 5 * SEC));
    net_lock();
    H_CHECK(c->pcb && c->pcb->state == FIN_WAIT_2);
    H_CHECK(s->pcb && s->pcb->state == CLOSE_WAIT);
    net_unlock();
    ntl_abort(s); /* RST from CLOSE-WAIT into FIN-WAIT-2 */
    H_CHECK(ntl_wait(ntl_has_err, c, 5 * SEC));
    H_CHECK(c->err == ERR_RST);

    struct ntl_tcp *s2, *c2 = pair(l, 5007, &s2);
    ntl_shutdown_tx(c2);
    H_CHECK(ntl_wait(ntl_has_fin, s2, 5 * SEC));
    ntl_abort(c2); /* RST from FIN-WAIT-2 into CLOSE-WAIT */
    H_CHECK(ntl_wait(ntl_has_err, s2, 5 * SEC));
    H_CHECK(s2->err == ERR_RST);
    expect_port_drained(5007);
    ntl_free(c);
    ntl_free(c2);
    ntl_listener_free(l);
}

/* A segment for a connection the peer no longer has draws a RST. */
static void test_rst_after_peer_forgot(void)
{
    struct ntl_listener *l = ntl_listen(&B, 5008, 8);
    struct ntl_tcp *s, *c = pair(l, 5008, &s);
    struct tcp_pcb *sp = s->pcb;

    net_lock(); /* B drops the connection silently: no RST leaves */
    s->pcb = NULL;
    tcp_arg(sp, NULL);
    tcp_err(sp, NULL);
    tcp_recv(sp, NULL);
    tcp_sent(sp, NULL);
    tcp_pcb_remove(&tcp_active_pcbs, sp);
    tcp_free(sp);
    net_unlock();
    ntl_send(c, 8, 1000, false);
    H_CHECK(ntl_wait(ntl_has_err, c, 5 * SEC));
    H_CHECK(c->err == ERR_RST);
    expect_port_drained(5008);
    ntl_free(c);
    ntl_listener_free(l);
}

/* --- listen backlog ----------------------------------------------------------------------- */

static void test_backlog_overflow(void)
{
    struct ntl_listener *l = ntl_listen(&B, 5009, 1);
    struct ntl_tcp *s, *c1, *c2;
    struct ntl_tcp_watch w = {.dev = 0};

    l->delay = true; /* accepted connections stay counted against the backlog */
    c1 = pair(l, 5009, &s);
    ntl_watch(&w, NULL);
    c2 = ntl_connect(&A, &B, 5009);
    H_CHECK(!ntl_wait(ntl_is_connected, c2, 2 * SEC)); /* SYN dropped: backlog full */
    H_CHECK(l->nacc == 1 && !c2->errored);
    net_lock();
    tcp_backlog_accepted(s->pcb);
    net_unlock();
    H_CHECK(ntl_wait(ntl_is_connected, c2, 30 * SEC)); /* a retransmitted SYN gets in */
    H_CHECK(ntl_wait(ntl_has_accepted, l, SEC) && l->nacc == 2);
    ntl_watch(NULL, NULL);
    H_CHECK(w.syns >= 2);
    ntl_free(c1);
    ntl_free(c2);
    ntl_listener_free(l);
    expect_port_drained(5009);
}

/* --- zero window ------------------------------------------------------------------------ */

static void test_zero_window_probe(void)
{
    struct ntl_listener *l = ntl_listen(&B, 5010, 8);
    struct ntl_tcp *s, *c;
    struct ntl_tcp_watch wa = {.dev = 0}, wb = {.dev = 1};
    const uint64_t total = 2 * TCP_WND;

    l->hold = true;
    l->rx_seed = 10;
    c = pair(l, 5010, &s);
    ntl_send(c, 10, total, true);
    ntl_sleep(5 * SEC);
    H_CHECK(s->rx_bytes <= TCP_WND && s->rx_bytes >= TCP_WND - 4 * TCP_MSS);
    ntl_watch(&wa, &wb);
    ntl_sleep(60 * SEC); /* the persist timer probes the closed window... */
    ntl_watch(NULL, NULL);
    H_CHECK(wa.one_byte_segs >= 3 && wa.one_byte_segs <= 12); /* ...backing off */
    H_CHECK(wb.zero_window_acks >= wa.one_byte_segs);        /* each answered: still 0 */
    H_CHECK(s->rx_bytes <= TCP_WND);
    H_CHECK(!c->errored && !s->errored);
    for (uint64_t end = ntl_now() + 600 * SEC; !s->fin && ntl_now() < end;) {
        ntl_release(s, s->held);
        if (ntl_wait(ntl_has_fin, s, SEC))
            break;
    }
    H_CHECK(s->fin && s->rx_bytes == total && s->rx_bad == 0);
    ntl_free(c);
    ntl_listener_free(l);
}

/* --- timeouts ------------------------------------------------------------------------------ */

/* B stops hearing anything: its interface goes down. */
static void b_deaf(bool deaf)
{
    net_lock();
    if (deaf)
        netif_set_down(ntl_if[1]);
    else
        netif_set_up(ntl_if[1]);
    net_unlock();
}

static void test_keepalive_timeout(void)
{
    struct ntl_listener *l = ntl_listen(&B, 5011, 8);
    struct ntl_tcp *s, *c = pair(l, 5011, &s);
    uint64_t t0;

    net_lock();
    ip_set_option(c->pcb, SOF_KEEPALIVE);
    c->pcb->keep_idle = 10000;
    c->pcb->keep_intvl = 1000;
    c->pcb->keep_cnt = 3;
    net_unlock();
    ntl_sleep(30 * SEC); /* the peer answers the probes: nothing happens */
    H_CHECK(!c->errored);
    b_deaf(true);
    t0 = ntl_now();
    H_CHECK(ntl_wait(ntl_has_err, c, 60 * SEC));
    H_CHECK(c->err == ERR_ABRT);
    H_CHECK(ntl_now() - t0 >= 3 * SEC && ntl_now() - t0 <= 16 * SEC);
    b_deaf(false);
    ntl_free(c);
    ntl_listener_free(l);
}

static void test_retransmission_timeout(void)
{
    struct ntl_listener *l = ntl_listen(&B, 5012, 8);
    struct ntl_tcp *s, *c = pair(l, 5012, &s);
    uint64_t t0, tx0;

    b_deaf(true);
    t0 = ntl_now();
    tx0 = ntl_tx_count[0];
    ntl_send(c, 12, 4000, false);
    H_CHECK(ntl_wait(ntl_has_err, c, 3600 * SEC));
    H_CHECK(c->err == ERR_ABRT);
    H_CHECK(ntl_tx_count[0] - tx0 >= TCP_MAXRTX); /* one send and its retransmissions */
    H_CHECK(ntl_now() - t0 >= 30 * SEC);
    b_deaf(false);
    ntl_free(c);
    ntl_listener_free(l);
}

/* --- UDP ----------------------------------------------------------------------------------- */

struct dgrams {
    unsigned n;
    size_t len[8];
    uint8_t first[8], last[8];
    bool bad;
};

static void on_udp(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
                   u16_t port)
{
    struct dgrams *d = arg;

    (void)pcb;
    H_CHECK(ip_addr_cmp(addr, &A) && port == 6001);
    if (d->n < 8) {
        d->len[d->n] = p->tot_len;
        for (u16_t i = 0; i < p->tot_len; i++) {
            if (pbuf_get_at(p, i) != ntl_pattern(d->n, i))
                d->bad = true;
        }
        d->n++;
    }
    pbuf_free(p);
}

static bool got_all(void *d)
{
    return ((struct dgrams *)d)->n == 4;
}

static void test_udp(void)
{
    static const size_t sizes[4] = {1, 1472, 1473, 9000}; /* 1473+: fragmented */
    struct dgrams d = {0};
    struct udp_pcb *a, *b;

    net_lock();
    a = udp_new();
    b = udp_new();
    H_CHECK(udp_bind(a, &A, 6001) == ERR_OK && udp_bind(b, &B, 6002) == ERR_OK);
    udp_recv(b, on_udp, &d);
    for (unsigned k = 0; k < 4; k++) {
        struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)sizes[k], PBUF_RAM);

        for (size_t i = 0; i < sizes[k]; i++)
            ((uint8_t *)p->payload)[i] = ntl_pattern(k, i);
        H_CHECK(udp_sendto(a, p, &B, 6002) == ERR_OK);
        pbuf_free(p);
    }
    net_unlock();
    H_CHECK(ntl_wait(got_all, &d, 5 * SEC));
    for (unsigned k = 0; k < 4; k++)
        H_CHECK(d.len[k] == sizes[k]); /* boundaries and order kept on a clean wire */
    H_CHECK(!d.bad);
    net_lock();
    udp_remove(a);
    udp_remove(b);
    net_unlock();
}

/* --- IPv6 link-local ---------------------------------------------------------------------- */

static bool ll_ready(void *unused)
{
    (void)unused;
    return ip6_addr_isvalid(netif_ip6_addr_state(ntl_if[0], 0)) &&
           ip6_addr_isvalid(netif_ip6_addr_state(ntl_if[1], 0));
}

static void test_ipv6_link_local_tcp(void)
{
    ip_addr_t a6, b6, b6_from_a;
    struct ntl_listener *l;
    struct ntl_tcp *s, *c;

    H_CHECK(ntl_wait(ll_ready, NULL, 10 * SEC)); /* duplicate address detection done */
    net_lock();
    ip_addr_copy(a6, *netif_ip_addr6(ntl_if[0], 0));
    ip_addr_copy(b6, *netif_ip_addr6(ntl_if[1], 0));
    net_unlock();
    b6_from_a = b6; /* the same address, in A's link zone */
    ip6_addr_set_zone(ip_2_ip6(&b6_from_a), netif_get_index(ntl_if[0]));
    l = ntl_listen(&b6, 5013, 8);
    l->rx_seed = 13;
    c = ntl_connect(&a6, &b6_from_a, 5013);
    H_CHECK(ntl_wait(ntl_is_connected, c, 10 * SEC));
    H_CHECK(ntl_wait(ntl_has_accepted, l, 10 * SEC));
    s = l->acc[0];
    net_lock();
    H_CHECK(IP_IS_V6(&s->pcb->remote_ip) && ip6_addr_islinklocal(ip_2_ip6(&s->pcb->remote_ip)));
    net_unlock();
    c->rx_seed = 14;
    ntl_send(c, 13, 500000, true);
    ntl_send(s, 14, 500000, true);
    H_CHECK(ntl_wait(ntl_has_fin, s, 30 * SEC) && ntl_wait(ntl_has_fin, c, 30 * SEC));
    H_CHECK(s->rx_bytes == 500000 && s->rx_bad == 0);
    H_CHECK(c->rx_bytes == 500000 && c->rx_bad == 0);
    ntl_close(c);
    ntl_close(s);
    expect_port_drained(5013);
    ntl_free(c);
    ntl_listener_free(l);
}

static int scenarios(void)
{
    ntl_addr4(0, &A);
    ntl_addr4(1, &B);
    test_ping_and_arp();
    test_client_closes_first();
    test_server_closes_first();
    test_simultaneous_close();
    test_close_with_data_in_flight();
    test_half_close();
    test_rst_syn_sent();
    test_rst_established();
    test_rst_half_closed();
    test_rst_after_peer_forgot();
    test_backlog_overflow();
    test_zero_window_probe();
    test_keepalive_timeout();
    test_retransmission_timeout();
    test_udp();
    test_ipv6_link_local_tcp();
    (void)pcbs_on_port;
    return 0;
}

static void test_net_tcp(void **state)
{
    (void)state;
    ht_expect(ntl_boot(scenarios, NULL, 256ULL << 20), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_net_tcp)};

    return cmocka_run_group_tests(tests, NULL, NULL);
}
