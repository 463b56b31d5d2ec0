/*
 * teardown.c - returning lwIP to its state before lwip_init(), so the stack can start again
 * (net_shutdown, docs/net.md "Life cycle").
 *
 * lwIP 2.1.3 has no shutdown of its own, and much of its state is file-static. Everything
 * that points into kernel memory is reachable through lwIP's public API, though: pcbs are
 * closed or aborted from their global lists, DHCP/DHCPv6 stop and free their state per
 * interface, netif_remove() clears an interface's ARP, ND and MLD entries (and with them the
 * packets queued on them), reassembly buffers expire when their timers are run past the
 * maximum age, and the timeout list is emptied through LWIP_TESTMODE's accessor. The only
 * one-shot timeout is the TCP timer, whose "armed" flag is file-static: it is run once with
 * every TCP list empty, which clears the flag as lwIP does itself when the last pcb goes. What
 * stays behind is plain numbers (counters, the next ephemeral port, interface numbers).
 * Whether it worked is measured, not assumed: net_shutdown() checks that lwIP holds no byte.
 */
#include "lwip/ip4_frag.h"
#include "lwip/ip6_frag.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "lwip/udp.h"
#include "net/net_internal.h"

#define REASS_TICKS 256 /* more than IP_REASS_MAXAGE and IPV6_REASS_MAXAGE */

static void tcp_all_gone(void)
{
    /* Sockets have dropped their callbacks (sock_layer_shutdown); what is left is lwIP's:
     * connections closing in the background, TIME-WAIT, half-open ones. */
    for (int pass = 0; pass < 4; pass++) {
        while (tcp_listen_pcbs.pcbs)
            tcp_close(tcp_listen_pcbs.pcbs);
        while (tcp_active_pcbs)
            tcp_abort(tcp_active_pcbs);
        while (tcp_tw_pcbs)
            tcp_abort(tcp_tw_pcbs);
        while (tcp_bound_pcbs)
            tcp_abort(tcp_bound_pcbs);
        netif_poll_all(); /* the RSTs on the loopback; they may reach a pcb again */
    }
}

static void timeouts_all_gone(void)
{
    struct sys_timeo **head = sys_timeouts_get_next_timeout();

    for (int pass = 0; pass < 4 && *head; pass++) {
        struct sys_timeo *t = *head;

        *head = NULL;
        while (t) {
            struct sys_timeo *next = t->next;
            sys_timeout_handler h = t->h;
            void *arg = t->arg;

            memp_free(MEMP_SYS_TIMEOUT, t);
            if (h != lwip_cyclic_timer)
                h(arg); /* the TCP timer: with no pcb left it disarms itself */
            t = next;
        }
    }
}

void net_lwip_teardown(void)
{
    tcp_all_gone();
    net_if_remove_all();
    while (udp_pcbs)
        udp_remove(udp_pcbs);
    for (int i = 0; i < REASS_TICKS; i++) {
        ip_reass_tmr();
        ip6_reass_tmr();
    }
    timeouts_all_gone();
}
