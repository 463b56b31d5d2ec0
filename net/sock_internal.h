/*
 * sock_internal.h - the socket object shared by the files of the socket core (sock.c: life,
 * data path, waits; sock_opt.c: options). Not for the rest of the kernel: net/sock.h is the API.
 *
 * Every field is guarded by the network lock, except `mask` (atomic, read by poll without
 * it) and `gen` (also changed under wq.lock, so a sleeper cannot miss a change).
 */
#ifndef NET_SOCK_INTERNAL_H
#define NET_SOCK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/lib/list.h"
#include "core/sched/sched.h"
#include "lwip/ip_addr.h"

struct pbuf;
struct tcp_pcb;
struct udp_pcb;

#define UDP_RCVBUF_DEFAULT 212992u
#define UDP_MAX_PAYLOAD 65507u

enum sk_state { SK_NEW, SK_LISTEN, SK_CONNECTING, SK_CONNECTED, SK_CLOSED };

struct dgram {
    struct list_node node;
    struct pbuf *p;
    ip_addr_t addr;
    u16_t port;
};

struct sock {
    int domain, type;
    enum sk_state state;
    struct tcp_pcb *tcp; /* NULL once lwIP freed it */
    struct udp_pcb *udp;
    int error;           /* pending error (SO_ERROR), positive errno */
    bool nonblock, v6only, rd_shut, wr_shut, peer_fin, bound;
    bool connect_failed; /* closed by a failed connect: connect may try again */
    bool reuseport;      /* SO_REUSEPORT: recorded and reported (lwIP cannot share a port) */
    bool linger_on;      /* SO_LINGER */
    bool cork;           /* TCP_CORK: partial segments are held until uncorked (then pushed) */
    bool cork_timer;     /* the 200 ms flush of held data (cork_flush) is armed */
    bool cork_held;      /* a partial segment is held since cork_since (sys_now ms) */
    uint32_t cork_since;
    int linger_sec;
    int user_mss;        /* TCP_MAXSEG before connect; 0: none */
    struct pbuf *rx;     /* TCP: unread data */
    size_t rx_bytes;
    struct list dgrams;  /* UDP: struct dgram */
    size_t dgram_bytes, rcvbuf, sndbuf;
    struct list acceptq; /* listener: child socks */
    struct list_node acc_node;
    struct list_node all_node; /* on all_socks */
    uint64_t rcvtimeo, sndtimeo; /* ns, 0: none */
    struct wait_queue wq;
    uint64_t gen;  /* changes under the network lock and wq.lock */
    unsigned mask; /* LINUX_EPOLL* ready, recomputed under the network lock; atomic */
};

/* sock.c, network lock held: */
void sock_unlock_update(struct sock *sk); /* recompute the poll mask, drop the lock */
void sock_close_locked(struct sock *sk);  /* drop pcbs, queues and unaccepted children */
int sock_pcb_new(struct sock *sk);        /* a pcb of the socket's domain and type */
void sock_push(struct sock *sk);          /* send what is queued now, Nagle or cork aside */

#endif
