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

/* netif.c: hand one received frame to lwIP (network lock held). */
void net_if_input(struct netif *nif, const void *frame, size_t len);

/* netd.c: the device rx callback (interrupt context). arg: the struct netif. */
bool net_threaded(void); /* net_init() (not net_init_direct()) started the stack */
void net_rx_irq(void *arg, const void *frame, size_t len);

#endif
