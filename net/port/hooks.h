/*
 * hooks.h - lwIP hooks (LWIP_HOOK_FILENAME): source-address routing, TCP option hygiene.
 *
 * A packet whose source address belongs to an interface leaves through that interface when
 * the destination is on its link or the interface has a gateway (strong host model on
 * output). Without it, lwIP picks the first interface whose subnet matches, and two
 * interfaces on one subnet (the hosted tests' two ends of a wire) would short-circuit through
 * the loopback. NULL lets lwIP route as usual.
 */
#ifndef NET_PORT_HOOKS_H
#define NET_PORT_HOOKS_H

#include "lwip/err.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"

struct tcp_hdr;

struct netif *net_route4_src(const ip4_addr_t *src, const ip4_addr_t *dest);
struct netif *net_route6_src(const ip6_addr_t *src, const ip6_addr_t *dest);
/* Every TCP segment lwIP is about to hand a pcb (its checksum already verified): an MSS
 * option outside a SYN becomes NOPs, so lwIP (which applies an MSS from any segment) keeps
 * the one of the handshake (RFC 9293 3.7.1; tests/conformance mss_non_syn). Returns ERR_OK. */
err_t net_tcp_inpacket(struct tcp_hdr *hdr, u16_t optlen, u16_t opt1len, u8_t *opt2);
/* net/tcp_conform.c: a RST at RCV.NXT ends TIME-WAIT (ERR_ABRT: the pcb is gone, drop the
 * segment), and ICMP errors reach the TCP connection they quote (always 0: lwIP goes on). */
struct tcp_pcb;
err_t net_tcp_conform_input(struct tcp_pcb *pcb, const struct tcp_hdr *hdr, const struct pbuf *p);
int net_ip4_input_hook(struct pbuf *p, struct netif *inp);
/* net/ackbatch.c: 1 when the ACK lwIP would send now for in-order data is held to the end of
 * the batch of received frames being fed (lwip-patches/0030), else 0. */
int net_tcp_ack_hold(struct tcp_pcb *pcb);
/* net/ackbatch.c: 1 when the program's read (tcp_recved), which lets the right edge of the
 * window move by inflation bytes, should be told to the peer now (lwip-patches/0031). */
int net_tcp_wnd_update(const struct tcp_pcb *pcb, u32_t inflation);

#endif
