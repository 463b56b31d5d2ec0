/*
 * net_internal.h - shared between the files of net/ only.
 */
#ifndef NET_NET_INTERNAL_H
#define NET_NET_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/lib/list.h"
#include "hal/hal_net.h"
#include "lwip/pbuf.h"
#include "net/net.h"

struct netif;

/*
 * A received frame on its way from the device's interrupt to lwIP: netd's queue links it,
 * and lwIP takes the frame in place as a custom pbuf (no copy after the interrupt's), freed
 * when lwIP and the socket layer are done with it. While lwIP holds it, its size counts
 * against the stack's byte budget (net_counters.mem_in_use).
 */
struct net_rxbuf {
    struct pbuf_custom pc; /* lwIP's view of data (netif.c) */
    struct list_node node; /* netd's queue */
    struct netif *nif;
    size_t len;     /* frame bytes in data (short frames zero-padded to 60 after them) */
    size_t charged; /* budget bytes while lwIP holds it */
    unsigned flags; /* HAL_NET_RXF_* */
    unsigned char data[] __attribute__((aligned(8)));
};

/* Counters; written under the network lock, except the rx ones (netd queue lock). */
extern struct net_stats net_counters;

/* port/sys_arch.c */
void net_port_mem_init(void);
void net_port_mem_drain(void); /* the recycled blocks back to kmalloc (net_shutdown) */

/*
 * tso.c: segments held back to be merged into one frame for a device with HAL_NET_TX_TSO
 * (one per interface; network lock).
 */
#define NET_TSO_MAX_SEGS 48   /* wire segments per frame: 64 KiB at a 1,460-byte MSS is 45 */
#define NET_TSO_MAX_PIECES 64 /* the header, then the segments' pbufs */
struct net_tso {
    struct pbuf *held[NET_TSO_MAX_SEGS]; /* referenced until sent */
    struct hal_net_seg piece[NET_TSO_MAX_PIECES];
    unsigned nheld, npiece;
    uint8_t hdr[14 + 40 + 60]; /* the first segment's headers, lengths fixed when sent */
    struct hal_net_gso gso;
    uint32_t next_seq; /* the sequence number the next segment must have */
    size_t len;        /* frame bytes so far */
    bool closed;       /* a segment shorter than the first ended the frame */
};
enum { NET_TSO_NO, NET_TSO_HELD, NET_TSO_FLUSH_FIRST };
/* Hold p (a frame lwIP passes to linkoutput) in t: NET_TSO_HELD; NET_TSO_FLUSH_FIRST: send
 * what t holds, then ask again; NET_TSO_NO: not a segment merging takes (send what t holds,
 * then p). */
int net_tso_add(struct net_tso *t, struct pbuf *p);
int net_tso_send(struct net_tso *t, struct hal_net *dev); /* two or more held: hal_net_* rc */
void net_tso_drop(struct net_tso *t);                     /* release the held pbufs */
/* A TCP segment lwIP left unsummed in frame f: the pseudo-header's sum goes into its checksum
 * field and *start is where the device starts summing. False for anything else. */
bool net_tcp_csum_prepare(uint8_t *f, size_t len, uint16_t *start);

/*
 * txq.c: frames a device refused (ring full) and those after them, in order, until it has
 * room (one per interface; network lock).
 */
#define NET_TXQ_MAX 2048u /* a 2 MiB window in 1,460-byte segments is 1,437 */
struct net_txq {
    struct pbuf *ring[NET_TXQ_MAX];
    unsigned head, len, peak;
};
/* Queue p at the tail (a reference, or a copy when its data is volatile): false when the
 * queue is full or the copy failed (nothing taken). */
bool net_txq_push(struct net_txq *q, struct pbuf *p);
struct pbuf *net_txq_peek(const struct net_txq *q); /* the head, or NULL */
void net_txq_pop(struct net_txq *q);                /* release the head */
void net_txq_drop(struct net_txq *q);               /* release every frame */

/* ackbatch.c: while netd feeds lwIP a batch of received frames, ACKs of in-order data may be
 * held (lwIP's LWIP_HOOK_TCP_ACK_HOLD) and go, one per connection, when the batch ends
 * (network lock held). */
void net_ack_batch_begin(void);
void net_ack_batch_end(void);

/* netif.c: hand one received frame to lwIP, which owns it from then on (network lock held). */
void net_if_input(struct net_rxbuf *b);
/* netif.c: transmit what waits: frames queued while a device had no room (txq.c), then the
 * TCP segments dev_linkoutput held back to merge into one frame for a device with
 * HAL_NET_TX_TSO, until a device is full again (network lock held; net_unlock and the
 * network thread call it before they let go of the lock). */
void net_if_tx_flush(void);
/* netif.c: does an interface still hold a frame to send (held to merge, waiting in its
 * backlog) or its device one it has not finished sending? (network lock held; net_drain) */
bool net_if_tx_busy(void);

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
void net_rx_irq(void *arg, const struct hal_net_rx *rx);
/* netd.c: the device tx-ready callback (interrupt context): the thread sends what waits. */
void net_tx_ready_irq(void *arg);

/* netcfg.c: the configuration net_start() gives device i (net_config_use's, or the
 * defaults). */
void net_config_for(unsigned i, struct net_if_config *out);

#endif
