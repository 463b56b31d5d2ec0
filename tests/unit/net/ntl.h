/*
 * ntl.h - net test layer: two Petrel interfaces facing each other on hosted wires, and TCP,
 * UDP and ICMP endpoints on lwIP's raw API, for whole-kernel network tests.
 *
 * lwIP is one stack per process (its state is global), so the "two stacks" of a test are two
 * interfaces of it, each end of a wire, with source-address routing (net/port/hooks.h)
 * sending every packet out of the interface that owns its source: every segment crosses the
 * wire, with its seeded loss, duplication and reordering. Endpoints live in the test (the
 * kernel's init thread); lwIP calls them back in the network thread with the network lock
 * held; every callback bumps a generation counter, and ntl_wait() sleeps (virtual time)
 * until a condition over endpoint state holds.
 *
 * Layout (ntl_boot): wire 0 clean  : dev 0 = A 10.0.0.1   dev 1 = B 10.0.0.2
 *                    wire 1 knobs  : dev 2 = A 10.1.0.1   dev 3 = B 10.1.0.2   (/24 each)
 * every interface also has an IPv6 link-local address.
 *
 * Streams are byte-exact: byte i of a stream with seed s is ntl_pattern(s, i); receivers check
 * every byte as it arrives.
 */
#ifndef TESTS_UNIT_NET_NTL_H
#define TESTS_UNIT_NET_NTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lwip/ip_addr.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"

struct netif;

struct ntl_wire_knobs {
    unsigned loss_pct, dup_pct, reorder_pct, queue_depth;
};

/* Boot the kernel with two wires (knobs for wire 1), bring the stack up, run fn in the init
 * thread. Returns the boot's exit code: 0 when fn returned 0 and no H_CHECK failed, no lwIP
 * assertion fired. */
int ntl_boot(int (*fn)(void), const struct ntl_wire_knobs *knobs, size_t ram);
/* The HAL_NET_* offloads of wire 1's ends in the boots that follow (default none). */
void ntl_set_offloads(unsigned offloads);

extern struct netif *ntl_if[4]; /* by device index */
void ntl_addr4(unsigned dev, ip_addr_t *out);

/* Sleep until cond(arg) holds (checked under the network lock) or timeout_ns of (virtual)
 * time passed; returns cond's last value. */
bool ntl_wait(bool (*cond)(void *), void *arg, uint64_t timeout_ns);
void ntl_sleep(uint64_t ns);
uint64_t ntl_now(void);

static inline uint8_t ntl_pattern(uint32_t seed, uint64_t i)
{
    uint32_t x = ((uint32_t)i ^ (uint32_t)(i >> 32) * 0x85ebca6bu) * 0x9e3779b1u + seed;

    return (uint8_t)((x ^ (x >> 15)) >> 7);
}

/* --- TCP ------------------------------------------------------------------------------- */

struct ntl_tcp {
    struct tcp_pcb *pcb; /* NULL once lwIP freed it (error) or we closed it */
    bool connected, fin, errored;
    bool closed; /* lwIP freed the pcb after a graceful close (ERR_CLSD) */
    err_t err;
    uint32_t rx_seed;
    uint64_t rx_bytes, rx_bad, rx_bad_first; /* rx_bad_first: offset of the first bad byte */
    bool hold;                              /* do not reopen the window (zero-window tests) */
    uint64_t held;
    uint32_t tx_seed;
    uint64_t tx_total, tx_queued, tx_acked;
    bool shut_after_tx; /* send FIN once tx_total is queued */
    bool tx_shut;       /* our FIN is queued: the peer's FIN hands the pcb to lwIP */
};

struct ntl_listener {
    struct tcp_pcb *pcb;
    struct ntl_tcp *acc[64];
    unsigned nacc;
    bool delay; /* keep accepted connections counted against the backlog */
    bool hold;  /* accepted connections start with hold set */
    uint32_t rx_seed; /* and expect this stream */
};

/* All under the network lock except where said. */
struct ntl_listener *ntl_listen(const ip_addr_t *ip, uint16_t port, uint8_t backlog); /* locks */
struct ntl_tcp *ntl_connect(const ip_addr_t *local, const ip_addr_t *remote, uint16_t port);
/* Queue n pattern bytes with seed for sending (start or extend); locks. */
void ntl_send(struct ntl_tcp *c, uint32_t seed, uint64_t n, bool fin_after);
void ntl_close(struct ntl_tcp *c); /* tcp_close, then forget the pcb (lwIP owns it); locks */
void ntl_shutdown_tx(struct ntl_tcp *c); /* send FIN, keep receiving; locks */
void ntl_abort(struct ntl_tcp *c); /* tcp_abort (RST); locks */
void ntl_release(struct ntl_tcp *c, uint64_t n); /* reopen n held bytes of window; locks */
void ntl_free(struct ntl_tcp *c);  /* aborts if still open; locks */
void ntl_listener_free(struct ntl_listener *l);

bool ntl_is_connected(void *c);
bool ntl_has_fin(void *c);
bool ntl_has_err(void *c);
bool ntl_has_accepted(void *l); /* at least one */
/* Sleep until l has accepted more than n connections (a client is connected once it has the
 * SYN-ACK; the listener accepts when the third segment arrives, later). */
bool ntl_wait_accepted(struct ntl_listener *l, unsigned n, uint64_t timeout_ns);

/* --- frame monitor --------------------------------------------------------------------- */

/* Frames transmitted by each device since boot (before the wire's knobs). */
extern uint64_t ntl_tx_count[4];
extern uint64_t ntl_udp_tx_count[4]; /* of them IPv4 UDP */
/* TCP segments transmitted by one device (IPv4), counted by kind. */
struct ntl_tcp_watch {
    unsigned dev;
    uint64_t segs, zero_window_acks, one_byte_segs, rsts, syns;
    uint64_t data_segs; /* with a payload */
    /* data segments starting before the highest sequence number sent so far: retransmissions
     * (one flow per watch) */
    uint64_t rexmit_segs;
    uint32_t seq_end;
    bool seq_seen;
};
void ntl_watch(struct ntl_tcp_watch *w, struct ntl_tcp_watch *w2); /* NULLs: stop */

#endif
