/*
 * net.h - Petrel's network stack: lwIP (raw API, NO_SYS) behind one lock and one thread.
 *
 *   device interrupt --frame copy--> netd rx queue --(network thread)--> lwIP input
 *   lwIP timers: sys_check_timeouts() in the network thread, which sleeps until the next one
 *   callers (socket layer, tests): net_lock(); lwIP raw API calls; net_unlock()
 *
 * lwIP is never entered from an interrupt nor without the network lock (a sleeping mutex);
 * its callbacks (recv, sent, accept, err) run with the lock held, in the network thread or in
 * the caller that entered lwIP. The hosted backend runs the same code over its in-process
 * wires (docs/net.md). lwIP keeps its state in globals, so there is one stack per kernel and,
 * hosted, one at a time per process: net_shutdown() returns it to nothing (every pcb and byte
 * freed) so a later net_init() - in this boot or the next hosted boot - starts afresh.
 */
#ifndef NET_NET_H
#define NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct netif;

/* Addresses are in network byte order. */
struct net_if_config {
    bool dhcp4;            /* ask a DHCPv4 server (ip4/mask4/gw4 ignored) */
    uint32_t ip4, mask4, gw4;
    bool ipv6;             /* link-local address and SLAAC from router advertisements */
    bool dhcp6;            /* stateless DHCPv6 (other configuration) when the RA says so */
    bool is_default;       /* default interface for routes nothing else matches */
};

/* Bring up lwIP, the loopback interface and the network thread. Returns 0, -EALREADY (already
 * up), -ENOMEM, -ENETDOWN (net_boot found an abandoned stack). May sleep. */
int net_init(void);
/* Start the stack once, as the kernel uses it: net_init() and every hal_net device with
 * DHCPv4 and SLAAC (the first is the default route). 0 when already started (also by
 * net_init() directly). May sleep. */
int net_start(void);

/*
 * Stop the stack and give everything back: the network thread is stopped and joined, every
 * socket loses its pcb (later calls on it see a closed socket), every pcb, interface,
 * queued frame and lwIP timeout is freed. Afterwards net_init() may run again. Returns 0,
 * or -EBUSY when lwIP still holds memory (a leak; logged). 0 when the stack is not running.
 * Not with the network lock held; may sleep.
 */
int net_shutdown(void);
/* Called by kernel_main at every boot: a hosted boot after one that ended with the stack
 * running (its RAM, which lwIP's globals point into, is gone) keeps sockets off for the rest
 * of the process (net_init() returns -ENETDOWN) instead of crashing. */
void net_boot(void);

/* The same without the thread: lwIP and the loopback only, for single-threaded harnesses
 * (fuzz) that call net_poll() themselves. Returns 0 or -EALREADY. */
int net_init_direct(void);

/* Attach hal_net device `index` as a new interface configured by cfg; *out (may be NULL)
 * receives it. Returns 0, -ENODEV, -ENOMEM, -EINVAL. Takes the network lock (call it
 * without); may sleep. With net_init_direct(): no lock, the caller is single-threaded. */
int net_if_add(unsigned index, const struct net_if_config *cfg, struct netif **out);

/* The network lock: held around every call into lwIP. May sleep; not in an interrupt.
 * net_unlock() also wakes the network thread so timers armed or loopback packets queued by
 * the caller are served. */
void net_lock(void);
void net_unlock(void);
bool net_lock_held(void);

/* Run everything due: queued received frames, loopback packets, lwIP timers. The network
 * thread calls it with the lock held; direct harnesses call it themselves. */
void net_poll(void);

/* Byte budget for all of lwIP's memory (default: a quarter of RAM, at most 256 MiB). Takes
 * effect for later allocations. */
void net_set_mem_limit(size_t bytes);

struct net_stats {
    uint64_t rx_frames, rx_queue_drops, rx_nomem; /* device frames in, dropped before lwIP */
    uint64_t tx_frames, tx_busy, tx_errors;       /* out; busy: device queue full */
    uint64_t asserts, errors;  /* lwIP LWIP_ASSERT / LWIP_ERROR hits (never a panic) */
    uint64_t mem_in_use, mem_peak, mem_limit, mem_failed;
    uint64_t wakeups;          /* network thread loops */
};
void net_get_stats(struct net_stats *st);

#endif
