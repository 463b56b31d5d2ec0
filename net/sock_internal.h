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

/* Urgent data received, as Linux's tp->urg_data: none; a mark whose byte has not arrived;
 * the byte arrived (recv MSG_OOB returns it, POLLPRI); the byte was read with MSG_OOB. Reads
 * stop at the mark while there is one; without SO_OOBINLINE the byte is skipped. */
enum { SK_URG_NONE, SK_URG_NOTYET, SK_URG_VALID, SK_URG_READ };

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
    int soft_error;      /* an ICMP error on a connection (net/tcp_conform.c): SO_ERROR
                          * returns it once when there is no error; a timeout reports it */
    uint32_t user_timeout; /* TCP_USER_TIMEOUT, ms; 0: none (net/tcp_conform.c) */
    uint32_t ut_since, ut_una; /* since when SND.UNA (ut_una) has been waiting for an ACK */
    bool ut_waiting, ut_armed;
    bool oobinline;      /* SO_OOBINLINE */
    uint8_t urg_state;   /* urgent data received (net/tcp_conform.c): SK_URG_* */
    uint8_t urg_byte;    /* the urgent byte, once SK_URG_VALID */
    uint32_t urg_seq;    /* the urgent byte's sequence number (the urgent pointer - 1) */
    uint32_t rx_end_seq; /* the sequence number after the last byte delivered to rx */
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
    /* signal-driven I/O (net/sock_async.c): the socket's description (NULL before it has
     * one and after its release), arrivals (data, datagrams, connections, FIN) counted by
     * the receive callbacks, and the count the last POLL_IN signal saw */
    struct file *file;
    uint32_t rx_events, async_rx_events;
};

/* tcp_conform.c, network lock held: TCP_USER_TIMEOUT (ms >= 0, else -EINVAL), its
 * inheritance by an accepted socket, and stopping its timer before the socket is freed. */
int net_tcp_set_user_timeout(struct sock *sk, int ms);
void net_tcp_ut_inherit(struct sock *child, const struct sock *listener);
void net_tcp_ut_stop(struct sock *sk);
/* Urgent data (tcp_conform.c, network lock held). Receive: a new segment's bytes (before they
 * join rx), how many of want bytes a read may take now (at the mark, skipping the urgent byte
 * out of line first unless peek), the bookkeeping after n bytes left rx, recv(MSG_OOB), and
 * SIOCATMARK. Send: mark the len bytes about to be written urgent, then settle the mark on
 * what was written (rc: the send's result). */
void net_tcp_urg_data(struct sock *sk, const struct pbuf *p);
size_t net_tcp_urg_limit(struct sock *sk, size_t want, bool got_some, bool peek);
void net_tcp_urg_consumed(struct sock *sk);
long net_tcp_urg_recv(struct sock *sk, uint8_t *buf, size_t len, int flags, int *mflags);
int net_tcp_urg_atmark(struct sock *sk);
size_t net_tcp_urg_hole(const struct sock *sk); /* 1: rx starts with an out-of-line byte */
void net_tcp_urg_send_begin(struct sock *sk, size_t len, uint64_t *saved);
void net_tcp_urg_send_end(struct sock *sk, long rc, uint64_t saved);
/* sock.c: the socket of an active pcb, NULL for one the socket layer does not own (tests
 * drive lwIP's raw API directly) or has let go. */
struct sock *sock_of_pcb(struct tcp_pcb *pcb);

/* sock_async.c: the socket's description (takes the network lock; NULL: released), and,
 * network lock held, the O_ASYNC signals of a change of the poll mask from old to now, and
 * SIGURG for a new urgent mark (tcp_conform.c). */
void net_sock_set_file(struct sock *sk, struct file *f);
void net_sock_async(struct sock *sk, unsigned old, unsigned now);
void net_sock_sigurg(struct sock *sk);

/* sock.c, network lock held: */
void sock_unlock_update(struct sock *sk); /* recompute the poll mask, drop the lock */
void sock_close_locked(struct sock *sk);  /* drop pcbs, queues and unaccepted children */
int sock_pcb_new(struct sock *sk);        /* a pcb of the socket's domain and type */
void sock_push(struct sock *sk);          /* send what is queued now, Nagle or cork aside */

#endif
