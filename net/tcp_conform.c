/*
 * tcp_conform.c - TCP behaviour Petrel adds around lwIP so that RFC 9293 and Linux agree with
 * it (net/CONFORMANCE.md; each part has its script in tests/conformance):
 *
 *  - A RST at RCV.NXT ends TIME-WAIT (rst_timewait). lwIP ignores every RST there (RFC 1337);
 *    RFC 9293 3.10.7.4 closes the connection, and so does Linux (tcp_rfc1337 0, its default).
 *    Any other RST in TIME-WAIT is ignored, without a challenge ACK, as Linux does.
 *  - ICMP errors reach the connection they quote (MUST-54, icmp_hard_error, icmp_soft_report).
 *    lwIP counts them and drops them. From the IPv4 input hook (before lwIP's own handling,
 *    which then drops them as before) an error quoting a segment in [SND.UNA, SND.NXT) of a
 *    connection: in SYN-SENT/SYN-RECEIVED ends it with the error (connect fails with it: port
 *    unreachable ECONNREFUSED, host unreachable EHOSTUNREACH, ...); in a synchronised state it
 *    is a soft error (MUST-56): kept on the socket, returned once by SO_ERROR, and reported
 *    instead of ETIMEDOUT if the connection later times out. That is Linux's tcp_v4_err with
 *    its icmp_err_convert table, checked with pd_linux. Fragmentation needed lowers the send
 *    MSS to the quoted MTU's (lwIP sends without DF; new segments use it).
 *  - Urgent data (MUST-30/32/33/62, urgent_recv, urgent_send, urgent_inline), with Linux's
 *    semantics (tcp_check_urg, tcp_urg, tcp_recvmsg, tcp_recv_urg): the urgent pointer points
 *    after the urgent byte; a new mark replaces the old; reads stop at the mark; without
 *    SO_OOBINLINE the byte leaves the stream and recv(MSG_OOB) returns it once (EINVAL when
 *    there is none, EAGAIN before it arrives), with POLLPRI while it waits; a MSG_PEEK at the
 *    mark steps over an out-of-line byte (urgent_peek; net/sock.c); SIOCATMARK says
 *    whether the next byte read is at the mark. Sending marks the last byte of a MSG_OOB send
 *    urgent; lwIP sets URG and the pointer on the segments (net/lwip-patches/0003).
 *  - TCP_USER_TIMEOUT (MUST-20/21, user_timeout): a socket with a user timeout has a lwIP
 *    timeout of its own (every UT_PERIOD_MS while set); when data (or a SYN, or a zero-window
 *    probe) stays unacknowledged that long with SND.UNA not moving, the pcb is dropped without
 *    a RST, as Linux's tcp_write_err does, and the socket sees ETIMEDOUT (or its soft error).
 *
 * Everything runs under the network lock (lwIP hooks and timeouts, socket calls).
 */
#include "core/abi/socket.h"
#include "hal/hal_errno.h"
#include "lwip/icmp.h"
#include "lwip/ip4.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/prot/ip4.h"
#include "lwip/prot/tcp.h"
#include "lwip/sys.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "net/port/hooks.h"
#include "net/net_internal.h"
#include "net/sock_internal.h"

#define UT_PERIOD_MS 50u /* how often a socket with a user timeout looks at its pcb */

/* --- the TCP input hook: RST in TIME-WAIT, URG ------------------------------------------------ */

static void urg_mark(struct sock *sk, u32_t ptr);

err_t net_tcp_conform_input(struct tcp_pcb *pcb, const struct tcp_hdr *hdr, const struct pbuf *p)
{
    u8_t flags;

    if (!pcb)
        return ERR_OK;
    /* hdr's seqno is in host order here: tcp_input converted it before the lookup; p holds
     * the payload (the header is off) */
    flags = TCPH_FLAGS(hdr);
    if (pcb->state == TIME_WAIT && (flags & TCP_RST) && hdr->seqno == pcb->rcv_nxt) {
        tcp_abandon(pcb, 0); /* TIME-WAIT: off tcp_tw_pcbs and freed, nothing sent */
        return ERR_ABRT;
    }
    if ((flags & (TCP_URG | TCP_RST | TCP_SYN)) == TCP_URG &&
        (pcb->state == ESTABLISHED || pcb->state == FIN_WAIT_1 || pcb->state == FIN_WAIT_2) &&
        TCP_SEQ_LEQ(hdr->seqno, pcb->rcv_nxt + pcb->rcv_wnd) &&
        TCP_SEQ_GEQ(hdr->seqno + p->tot_len, pcb->rcv_nxt)) {
        struct sock *sk = sock_of_pcb(pcb);
        u16_t up = lwip_ntohs(hdr->urgp);

        if (sk) /* Linux: the pointer is after the urgent byte (not tcp_stdurg) */
            urg_mark(sk, hdr->seqno + up - (up ? 1u : 0u));
    }
    return ERR_OK;
}

/* --- ICMP errors ------------------------------------------------------------------------------ */

/* The errno of a destination unreachable code: Linux's icmp_err_convert (0: none). */
static int unreach_errno(u8_t code)
{
    static const int map[16] = {ENETUNREACH, EHOSTUNREACH, ENOPROTOOPT, ECONNREFUSED,
                                EMSGSIZE,    EOPNOTSUPP,   ENETUNREACH, EHOSTDOWN,
                                ENONET,      ENETUNREACH,  EHOSTUNREACH, ENETUNREACH,
                                EHOSTUNREACH, EHOSTUNREACH, EHOSTUNREACH, EHOSTUNREACH};

    return code < 16 ? map[code] : 0;
}

static u16_t sum_pbuf(const struct pbuf *p, u16_t off, u16_t len)
{
    u32_t sum = 0;

    for (u16_t i = 0; i < len; i++) {
        u32_t b = pbuf_get_at(p, (u16_t)(off + i));

        sum += (i & 1) ? b : b << 8;
    }
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (u16_t)sum;
}

/* The connection (not TIME-WAIT: nothing is in flight) whose segment an ICMP error quotes. */
static struct tcp_pcb *quoted_pcb(const struct ip_hdr *qip, const u8_t *qtcp)
{
    u16_t sport = (u16_t)(qtcp[0] << 8 | qtcp[1]), dport = (u16_t)(qtcp[2] << 8 | qtcp[3]);
    u32_t seq = (u32_t)qtcp[4] << 24 | (u32_t)qtcp[5] << 16 | (u32_t)qtcp[6] << 8 | qtcp[7];

    for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb; pcb = pcb->next) {
        if (pcb->local_port != sport || pcb->remote_port != dport ||
            !IP_IS_V4_VAL(pcb->local_ip) || !IP_IS_V4_VAL(pcb->remote_ip) ||
            ip_2_ip4(&pcb->local_ip)->addr != qip->src.addr ||
            ip_2_ip4(&pcb->remote_ip)->addr != qip->dest.addr)
            continue;
        /* Linux takes only errors about data in flight: SND.UNA <= seq < SND.NXT */
        return TCP_SEQ_GEQ(seq, pcb->lastack) && TCP_SEQ_LT(seq, pcb->snd_nxt) ? pcb : NULL;
    }
    return NULL;
}

static void icmp_to_pcb(struct tcp_pcb *pcb, u8_t type, u8_t code, u16_t mtu)
{
    struct sock *sk = sock_of_pcb(pcb);
    int err;

    if (type == ICMP_DUR && code == ICMP_DUR_FRAG) {
        if (mtu >= 68 + 40 && mtu - 40 < pcb->mss)
            pcb->mss = (u16_t)(mtu - 40);
        return;
    }
    err = type == ICMP_DUR ? unreach_errno(code) : type == ICMP_TE ? EHOSTUNREACH : EPROTO;
    if (!err)
        return;
    /* a passive open still in SYN-RECEIVED: Linux (tcp_req_err) drops it only for these */
    if (pcb->state == SYN_RCVD && !pcb->connected &&
        !(type != ICMP_DUR || code == ICMP_DUR_NET || code == ICMP_DUR_HOST))
        return;
    if (sk)
        sk->soft_error = err;
    if (pcb->state == SYN_SENT || pcb->state == SYN_RCVD)
        tcp_abandon(pcb, 0); /* on_err: ERR_ABRT, the socket's error becomes soft_error */
}

int net_ip4_input_hook(struct pbuf *p, struct netif *inp)
{
    u8_t b[60 + 8 + 60 + 8];
    const struct ip_hdr *ip = (const void *)b, *qip;
    u16_t hl, total, qhl, n;

    (void)inp;
    n = pbuf_copy_partial(p, b, sizeof(b), 0);
    if (n < 20 + 8 + 20 + 8 || IPH_PROTO(ip) != IP_PROTO_ICMP)
        return 0;
    hl = (u16_t)IPH_HL_BYTES(ip);
    total = lwip_ntohs(IPH_LEN(ip));
    if (hl < 20 || total > p->tot_len || total < hl + 8 + 20 + 8 || n < hl + 8 + 20 + 8 ||
        (lwip_ntohs(IPH_OFFSET(ip)) & (IP_OFFMASK | IP_MF)) || sum_pbuf(p, 0, hl) != 0xffff)
        return 0;
    if (b[hl] != ICMP_DUR && b[hl] != ICMP_TE && b[hl] != ICMP_PP)
        return 0; /* source quench (MUST-55), redirects, echo: not TCP's */
    if (sum_pbuf(p, hl, (u16_t)(total - hl)) != 0xffff)
        return 0;
    qip = (const void *)(b + hl + 8);
    qhl = (u16_t)IPH_HL_BYTES(qip);
    if (IPH_PROTO(qip) != IP_PROTO_TCP || qhl < 20 || n < hl + 8 + qhl + 8) /* 8: ports, seq */
        return 0;
    struct tcp_pcb *pcb = quoted_pcb(qip, b + hl + 8 + qhl);
    if (pcb)
        icmp_to_pcb(pcb, b[hl], b[hl + 1], (u16_t)(b[hl + 6] << 8 | b[hl + 7]));
    return 0; /* lwIP's icmp_input counts and drops it, as before */
}

/* --- urgent data ----------------------------------------------------------------------------- */

static u32_t rx_seq(const struct sock *sk)
{
    return sk->rx_end_seq - (u32_t)sk->rx_bytes; /* the first unread byte */
}

/* The urgent byte at the head of rx leaves the stream (read out of line, or never). */
static void urg_skip(struct sock *sk)
{
    sk->rx = pbuf_free_header(sk->rx, 1);
    sk->rx_bytes--;
    if (sk->tcp)
        tcp_recved(sk->tcp, 1);
}

/* A mark read past is gone (Linux clears urg_data once copied_seq passes urg_seq). */
void net_tcp_urg_consumed(struct sock *sk)
{
    if (sk->urg_state != SK_URG_NONE && TCP_SEQ_GT(rx_seq(sk), sk->urg_seq))
        sk->urg_state = SK_URG_NONE;
}

static void urg_mark(struct sock *sk, u32_t ptr)
{
    u32_t head = rx_seq(sk);

    if (TCP_SEQ_LT(ptr, head))
        return; /* already read */
    if (sk->urg_state != SK_URG_NONE && !TCP_SEQ_GT(ptr, sk->urg_seq))
        return; /* not a new mark */
    if (sk->urg_state != SK_URG_NONE && sk->urg_seq == head && !sk->oobinline && sk->rx_bytes)
        urg_skip(sk); /* the old urgent byte is next: it leaves before the new mark */
    net_sock_sigurg(sk); /* a new mark: SIGURG to the owner (Linux's tcp_check_urg) */
    sk->urg_state = SK_URG_NOTYET;
    sk->urg_seq = ptr;
    head = rx_seq(sk);
    if (ptr - head < sk->rx_bytes && ptr - head <= 0xffff) { /* the byte is already here */
        sk->urg_byte = pbuf_get_at(sk->rx, (u16_t)(ptr - head));
        sk->urg_state = SK_URG_VALID;
    }
}

void net_tcp_urg_data(struct sock *sk, const struct pbuf *p)
{
    u32_t off = sk->urg_seq - (sk->rx_end_seq - p->tot_len);

    if (sk->urg_state == SK_URG_NOTYET && off < p->tot_len) {
        sk->urg_byte = pbuf_get_at(p, (u16_t)off);
        sk->urg_state = SK_URG_VALID;
    }
}

size_t net_tcp_urg_limit(struct sock *sk, size_t want, bool got_some, bool peek)
{
    u32_t before;

    net_tcp_urg_consumed(sk);
    if (sk->urg_state == SK_URG_NONE)
        return want;
    before = sk->urg_seq - rx_seq(sk);
    if (before == 0) {
        if (got_some)
            return 0; /* a read stops at the mark */
        if (!sk->oobinline && sk->urg_state != SK_URG_NOTYET && sk->rx_bytes && !peek) {
            urg_skip(sk); /* out of line: not part of the stream */
            sk->urg_state = SK_URG_NONE;
        }
        return want;
    }
    return before < want ? before : want;
}

long net_tcp_urg_recv(struct sock *sk, uint8_t *buf, size_t len, int flags, int *mflags)
{
    net_tcp_urg_consumed(sk);
    if (sk->oobinline || sk->urg_state == SK_URG_NONE || sk->urg_state == SK_URG_READ)
        return -EINVAL;
    if (sk->state == SK_CLOSED && !sk->peer_fin)
        return -ENOTCONN;
    if (sk->urg_state == SK_URG_VALID) {
        if (!(flags & LINUX_MSG_PEEK))
            sk->urg_state = SK_URG_READ;
        if (mflags)
            *mflags |= LINUX_MSG_OOB;
        if (!len) {
            if (mflags)
                *mflags |= LINUX_MSG_TRUNC;
            return 0;
        }
        buf[0] = sk->urg_byte;
        return 1;
    }
    return sk->state == SK_CLOSED || sk->rd_shut || sk->peer_fin ? 0 : -EAGAIN;
}

size_t net_tcp_urg_hole(const struct sock *sk)
{
    return !sk->oobinline && (sk->urg_state == SK_URG_VALID || sk->urg_state == SK_URG_READ) &&
           sk->urg_seq == rx_seq(sk) && sk->rx_bytes;
}

int net_tcp_urg_atmark(struct sock *sk)
{
    net_tcp_urg_consumed(sk);
    return sk->urg_state != SK_URG_NONE && sk->urg_seq == rx_seq(sk);
}

void net_tcp_urg_send_begin(struct sock *sk, size_t len, uint64_t *saved)
{
    struct tcp_pcb *pcb = sk->tcp;

    *saved = 0; /* bit 32: there was a mark, with the pointer below */
    if (!pcb || sk->state != SK_CONNECTED || !len)
        return;
    *saved = pcb->snd_urg ? (1ull << 32) | pcb->snd_up : 0;
    pcb->snd_up = pcb->snd_lbb + (u32_t)len; /* what goes out meanwhile carries the mark */
    pcb->snd_urg = 1;
}

void net_tcp_urg_send_end(struct sock *sk, long rc, uint64_t saved)
{
    struct tcp_pcb *pcb = sk->tcp;

    if (!pcb || !pcb->snd_urg)
        return;
    if (rc > 0)
        pcb->snd_up = pcb->snd_lbb; /* after the last byte written, as Linux's tcp_mark_urg */
    else if (saved >> 32)
        pcb->snd_up = (u32_t)saved; /* nothing went: the previous mark stays */
    else
        pcb->snd_urg = 0;
}

/* --- TCP_USER_TIMEOUT ------------------------------------------------------------------------- */

static void ut_tick(void *arg);

static void ut_arm(struct sock *sk)
{
    if (!sk->ut_armed) {
        sk->ut_armed = true;
        sys_timeout(UT_PERIOD_MS, ut_tick, sk);
    }
}

/* Unacknowledged: a SYN, data, or a zero-window probe waiting for the window. */
static bool ut_waiting(const struct tcp_pcb *pcb)
{
    return pcb->unacked || pcb->persist_backoff > 0 ||
           (pcb->state == SYN_SENT && pcb->unsent);
}

static void ut_tick(void *arg)
{
    struct sock *sk = arg;
    struct tcp_pcb *pcb = sk->tcp;
    u32_t now = sys_now();

    sk->ut_armed = false;
    if (!pcb || !sk->user_timeout || pcb->state == LISTEN)
        return; /* gone, unset, or a listener (its children inherit the value) */
    if (!ut_waiting(pcb) || !sk->ut_waiting || pcb->lastack != sk->ut_una) {
        sk->ut_waiting = ut_waiting(pcb);
        sk->ut_una = pcb->lastack;
        sk->ut_since = now;
    } else if (now - sk->ut_since >= sk->user_timeout) {
        tcp_abandon(pcb, 0); /* Linux's tcp_write_err: no RST; on_err reports ETIMEDOUT */
        return;
    }
    ut_arm(sk);
}

int net_tcp_set_user_timeout(struct sock *sk, int ms)
{
    if (ms < 0)
        return -EINVAL;
    sk->user_timeout = (u32_t)ms;
    sk->ut_waiting = false;
    if (ms && sk->tcp && sk->tcp->state != LISTEN)
        ut_arm(sk);
    return 0;
}

void net_tcp_ut_inherit(struct sock *child, const struct sock *listener)
{
    net_tcp_set_user_timeout(child, (int)listener->user_timeout);
}

void net_tcp_ut_stop(struct sock *sk)
{
    if (sk->ut_armed)
        sys_untimeout(ut_tick, sk);
    sk->ut_armed = false;
}
