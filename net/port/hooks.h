/*
 * hooks.h - lwIP hooks (LWIP_HOOK_FILENAME): source-address routing.
 *
 * A packet whose source address belongs to an interface leaves through that interface when
 * the destination is on its link or the interface has a gateway (strong host model on
 * output). Without it, lwIP picks the first interface whose subnet matches, and two
 * interfaces on one subnet (the hosted tests' two ends of a wire) would short-circuit through
 * the loopback. NULL lets lwIP route as usual.
 */
#ifndef NET_PORT_HOOKS_H
#define NET_PORT_HOOKS_H

#include "lwip/ip_addr.h"
#include "lwip/netif.h"

struct netif *net_route4_src(const ip4_addr_t *src, const ip4_addr_t *dest);
struct netif *net_route6_src(const ip6_addr_t *src, const ip6_addr_t *dest);

#endif
