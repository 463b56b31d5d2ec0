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
struct config_value;

/* Addresses are in network byte order. */
struct net_if_config {
    bool dhcp4;            /* ask a DHCPv4 server (ip4/mask4/gw4 ignored) */
    uint32_t ip4, mask4, gw4;
    bool ipv6;             /* link-local address and SLAAC from router advertisements */
    bool dhcp6;            /* stateless DHCPv6 (other configuration) when the RA says so */
    bool is_default;       /* default interface for routes nothing else matches */
    uint16_t mtu;          /* 0: the device's */
    bool has_ip6;          /* ip6: a static IPv6 address (besides link-local and SLAAC) */
    uint8_t ip6[16];
};

/*
 * The manifest's network keys (net/netcfg.c, docs/net.md "Configuration"), by Nanos's names:
 * a tuple en<N> per interface (N = 1 for hal_net device 0), with ipaddr, netmask, gateway,
 * ip6addr, mtu, default, exec_wait_for_ip4_secs, exec_wait_for_ip6_secs; the same keys at
 * the root configure en1 when there is no en1 tuple. No ipaddr: DHCPv4.
 */
#define NET_CFG_MAX_IFS 4
struct net_config {
    struct net_if_config ifc[NET_CFG_MAX_IFS];  /* [i]: device i, interface en<i+1> */
    uint32_t wait4_s[NET_CFG_MAX_IFS], wait6_s[NET_CFG_MAX_IFS]; /* 0: do not wait */
};
/* Every device with DHCPv4, SLAAC and stateless DHCPv6, the first one the default route. */
void net_config_defaults(struct net_config *c);
/* Read root's keys into *c (defaults first). 0, or -EINVAL with a message in err ("en1:
 * ipaddr 10.0.2.300 is not an IPv4 address"). Checks each MTU against its device. */
int net_config_read(const struct config_value *root, struct net_config *c, char *err, size_t errlen);
/* The configuration net_start() gives the devices (copied); NULL: the defaults again. */
void net_config_use(const struct net_config *c);
/* True when c asks to wait for an address on a device that exists. */
bool net_config_waits(const struct net_config *c);
/* After net_start(): sleep until every interface c waits for has its address (IPv4: any;
 * IPv6: a valid global one) or its time ran out (logged). 0, or -ETIMEDOUT. May sleep. */
int net_wait_addresses(const struct net_config *c);
/* Device index's interface has an address (ipv6: a valid non-link-local one): 1, 0, or
 * -ENODEV when the device has no interface. Takes the network lock. */
int net_if_has_address(unsigned index, bool ipv6);

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

/* The program ended: close every socket as close(2) would (FIN after the data; RST with
 * unread data, SO_LINGER {1, 0}, or unaccepted by a listener), as Linux does at exit. The
 * sockets stay allocated, closed, until their files are released. No-op without the stack
 * (net/drain.c). */
void net_close_all(void);

/* The program ended: wait until no TCP connection has bytes or a FIN unacknowledged by its
 * peer (the VM ends next and would take them with it), at most timeout_ns. 0, or -ETIMEDOUT.
 * 0 at once when the stack is not running. May sleep (net/drain.c). */
int net_drain(uint64_t timeout_ns);

/* Byte budget for all of lwIP's memory (default: a quarter of RAM, at most 256 MiB). Takes
 * effect for later allocations. */
void net_set_mem_limit(size_t bytes);

struct net_stats {
    uint64_t rx_frames, rx_queue_drops, rx_nomem; /* device frames in, dropped before lwIP */
    uint64_t tx_frames, tx_busy, tx_errors;       /* out; busy: device queue full */
    uint64_t tx_tso_frames, tx_tso_segs; /* merged frames the device cut, and their segments */
    uint64_t rx_large;                   /* frames longer than the MTU (HAL_NET_RX_LARGE) */
    uint64_t asserts, errors;  /* lwIP LWIP_ASSERT / LWIP_ERROR hits (never a panic) */
    uint64_t mem_in_use, mem_peak, mem_limit, mem_failed;
    uint64_t mem_cached;       /* freed blocks kept for reuse (kmalloc'd, not in mem_in_use) */
    uint64_t wakeups;          /* network thread loops */
    uint64_t tx_queued, tx_queue_peak; /* frames that waited for device room; most at once */
    uint64_t tx_ready;         /* device callbacks: room again after a refused frame */
    uint64_t tcp_acks_held;    /* ACKs lwIP would have sent at once, held to a batch's end */
    uint64_t tcp_acks_stretch; /* ACKs sent at a batch's end for what was held */
    uint64_t tcp_wnd_updates;  /* window updates sent after a read (net_tcp_wnd_update) */
};
void net_get_stats(struct net_stats *st);

#endif
