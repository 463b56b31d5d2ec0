/*
 * net_internal.h - shared between the files of net/ only.
 */
#ifndef NET_NET_INTERNAL_H
#define NET_NET_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/net.h"

struct netif;

/* Counters; written under the network lock, except the rx ones (netd queue lock). */
extern struct net_stats net_counters;

/* port/sys_arch.c */
void net_port_mem_init(void);
void net_port_mem_drain(void); /* the recycled blocks back to kmalloc (net_shutdown) */

/* netif.c: hand one received frame to lwIP (network lock held). */
void net_if_input(struct netif *nif, const void *frame, size_t len);

/* netif.c: stop every device's rx callback (before the rx queue is dropped), then remove
 * every interface (loopback too) with its DHCP/DHCPv6 state. Network lock held. */
void net_if_stop_rx(void);
void net_if_poll_loops(void); /* netif_poll_all, loopback sums trusted on offloading netifs */
void net_if_remove_all(void);

/* sock.c: the list of sockets (at net_init) and taking every socket off lwIP (shutdown;
 * network lock held): pcbs closed/aborted, queues and unaccepted children freed, each
 * socket left closed. */
void sock_layer_init(void);
void sock_layer_shutdown(void);
void sock_close_all_locked(void); /* net_close_all: every socket closed as close(2) does */

/* teardown.c: free every pcb, interface, reassembly buffer and timeout lwIP holds (after
 * sock_layer_shutdown; network lock held or single-threaded). */
void net_lwip_teardown(void);

/* netd.c: the device rx callback (interrupt context). arg: the struct netif. */
bool net_threaded(void); /* net_init() (not net_init_direct()) started the stack */
void net_rx_irq(void *arg, const void *frame, size_t len);

/* netcfg.c: the configuration net_start() gives device i (net_config_use's, or the
 * defaults). */
void net_config_for(unsigned i, struct net_if_config *out);

#endif
