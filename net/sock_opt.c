/*
 * sock_opt.c - setsockopt/getsockopt for AF_INET/AF_INET6 sockets (net/sock.h).
 *
 * Values travel as Linux lays them out: an int for most options (any length >= 4 is taken,
 * shorter is -EINVAL), struct timeval for SO_RCVTIMEO/SO_SNDTIMEO (-EDOM for a microsecond
 * count outside [0, 1e6)), struct linger, struct tcp_info. getsockopt writes at most the
 * caller's length and reports the bytes written, as Linux's sock_getsockopt/do_tcp_getsockopt.
 * What lwIP keeps (keepalive timers, Nagle, TOS/TTL, SO_REUSEADDR...) is read from and
 * written to the pcb; what it does not (SO_REUSEPORT, SO_LINGER's time, buffer sizes) is kept
 * on the socket. Errors for the wrong level/protocol are Linux's, checked on the host: a TCP
 * option on a UDP socket is -ENOPROTOOPT to set and -EOPNOTSUPP to get.
 */
#include "core/abi/socket.h"
#include "core/lib/kstring.h"
#include "hal/hal_errno.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "net/net.h"
#include "net/sock.h"
#include "net/sock_internal.h"

#define NS_PER_US 1000ULL
#define US_PER_SEC 1000000LL
#define OPT_MAX 128 /* the largest value returned (tcp_info) */

/* The IP_PCB members every lwIP pcb starts with. */
struct ip_pcb_common {
    IP_PCB;
};

static struct ip_pcb_common *pcb_of(struct sock *sk)
{
    return sk->tcp ? (void *)sk->tcp : (void *)sk->udp;
}

static int set_pcb_flag(struct sock *sk, u8_t flag, int on)
{
    struct ip_pcb_common *pcb = pcb_of(sk);

    if (!pcb)
        return -EINVAL;
    if (on)
        ip_set_option(pcb, flag);
    else
        ip_reset_option(pcb, flag);
    return 0;
}

/* SO_RCVTIMEO/SO_SNDTIMEO: {0, 0} is "no timeout"; a negative time is "do not wait". */
static int set_timeout(const void *val, uint32_t len, uint64_t *ns)
{
    struct linux_timeval tv;

    if (len < sizeof(tv))
        return -EINVAL;
    memcpy(&tv, val, sizeof(tv));
    if (tv.tv_usec < 0 || tv.tv_usec >= US_PER_SEC)
        return -EDOM;
    if (tv.tv_sec < 0)
        *ns = 1;
    else if ((uint64_t)tv.tv_sec > UINT64_MAX / 1000000000ULL / 2)
        *ns = 0; /* beyond any wait: as none */
    else
        *ns = (uint64_t)tv.tv_sec * 1000000000ULL + (uint64_t)tv.tv_usec * NS_PER_US;
    return 0;
}

static int set_socket_struct(struct sock *sk, int name, const void *val, uint32_t len)
{
    struct linux_linger lg;

    switch (name) {
    case LINUX_SO_RCVTIMEO_OLD:
        return set_timeout(val, len, &sk->rcvtimeo);
    case LINUX_SO_SNDTIMEO_OLD:
        return set_timeout(val, len, &sk->sndtimeo);
    default: /* LINUX_SO_LINGER */
        if (len < sizeof(lg))
            return -EINVAL;
        memcpy(&lg, val, sizeof(lg));
        sk->linger_on = lg.l_onoff != 0;
        sk->linger_sec = lg.l_linger < 0 ? 0 : lg.l_linger;
        return 0;
    }
}

static int set_socket_level(struct sock *sk, int name, int v)
{
    switch (name) {
    case LINUX_SO_REUSEADDR:
        return set_pcb_flag(sk, SOF_REUSEADDR, v);
    case LINUX_SO_REUSEPORT:
        sk->reuseport = v != 0;
        return 0;
    case LINUX_SO_KEEPALIVE:
        return set_pcb_flag(sk, SOF_KEEPALIVE, v);
    case LINUX_SO_BROADCAST:
        return set_pcb_flag(sk, SOF_BROADCAST, v);
    case LINUX_SO_OOBINLINE: /* urgent data stays in the stream (net/tcp_conform.c) */
        sk->oobinline = v != 0;
        return 0;
    case LINUX_SO_RCVBUF:
    case LINUX_SO_SNDBUF: {
        /* Linux doubles the request (bookkeeping overhead) and reports the double */
        size_t b = v < 1152 ? 2304 : (size_t)v * 2;

        if (name == LINUX_SO_RCVBUF)
            sk->rcvbuf = b;
        else
            sk->sndbuf = b;
        return 0;
    }
    default:
        return -ENOPROTOOPT;
    }
}

static int set_tcp_keep(struct sock *sk, int name, int v)
{
    if (name == LINUX_TCP_KEEPCNT) {
        if (v < 1 || v > 127)
            return -EINVAL;
        sk->tcp->keep_cnt = (u32_t)v;
        return 0;
    }
    if (v < 1 || v > 32767)
        return -EINVAL;
    if (name == LINUX_TCP_KEEPIDLE)
        sk->tcp->keep_idle = (u32_t)v * 1000;
    else
        sk->tcp->keep_intvl = (u32_t)v * 1000;
    return 0;
}

static int set_tcp_level(struct sock *sk, int name, int v)
{
    if (sk->type != LINUX_SOCK_STREAM)
        return -ENOPROTOOPT;
    if (name == LINUX_TCP_MAXSEG) {
        if (v && (v < 88 || v > 32767))
            return -EINVAL;
        sk->user_mss = v;
        if (sk->tcp && sk->state == SK_NEW && v)
            sk->tcp->mss = (u16_t)(v < TCP_MSS ? v : TCP_MSS);
        return 0;
    }
    if (name == LINUX_TCP_CORK) { /* nginx's tcp_nopush: header and body in one burst */
        sk->cork = v != 0;
        if (!sk->cork)
            sock_push(sk);
        return 0;
    }
    if (name == LINUX_TCP_USER_TIMEOUT)
        return net_tcp_set_user_timeout(sk, v);
    if (!sk->tcp)
        return name == LINUX_TCP_NODELAY ? 0 : -EINVAL;
    switch (name) {
    case LINUX_TCP_NODELAY:
        if (v)
            sock_push(sk); /* Linux pushes what is queued when Nagle is turned off */
        if (v)
            tcp_nagle_disable(sk->tcp);
        else
            tcp_nagle_enable(sk->tcp);
        return 0;
    case LINUX_TCP_KEEPIDLE:
    case LINUX_TCP_KEEPINTVL:
    case LINUX_TCP_KEEPCNT:
        return set_tcp_keep(sk, name, v);
    default:
        return -ENOPROTOOPT;
    }
}

static int set_ip_level(struct sock *sk, int level, int name, int v)
{
    struct ip_pcb_common *pcb = pcb_of(sk);
    bool v6 = level == LINUX_IPPROTO_IPV6;

    if (v6 && sk->domain != LINUX_AF_INET6)
        return -ENOPROTOOPT;
    if (v6 && name == LINUX_IPV6_V6ONLY)
        return sk->bound || sk->state != SK_NEW ? -EINVAL : 0;
    if ((!v6 && name == LINUX_IP_TOS) || (v6 && name == LINUX_IPV6_TCLASS)) {
        if (v6 && (v < -1 || v > 255))
            return -EINVAL;
        if (pcb)
            pcb->tos = (u8_t)(v < 0 ? 0 : v);
        return 0;
    }
    if ((!v6 && name == LINUX_IP_TTL) || (v6 && name == LINUX_IPV6_UNICAST_HOPS)) {
        if (v < -1 || v > 255 || (!v6 && v == 0))
            return -EINVAL;
        if (pcb)
            pcb->ttl = (u8_t)(v < 0 ? 64 : v);
        return 0;
    }
    return -ENOPROTOOPT;
}

static bool is_struct_opt(int level, int name)
{
    return level == LINUX_SOL_SOCKET &&
           (name == LINUX_SO_RCVTIMEO_OLD || name == LINUX_SO_SNDTIMEO_OLD ||
            name == LINUX_SO_LINGER);
}

/* IPV6_V6ONLY changes the pcb's address type: a new pcb, before bind only. */
static int set_v6only(struct sock *sk, int v)
{
    if ((bool)v == sk->v6only)
        return 0;
    sock_close_locked(sk);
    sk->v6only = v != 0;
    return sock_pcb_new(sk);
}

int sock_setsockopt(struct sock *sk, int level, int name, const void *val, uint32_t len)
{
    int v = 0, rc = 0;

    if (!is_struct_opt(level, name)) {
        if (len < sizeof(int))
            return -EINVAL;
        memcpy(&v, val, sizeof(int));
    }
    net_lock();
    if (is_struct_opt(level, name))
        rc = set_socket_struct(sk, name, val, len);
    else if (level == LINUX_SOL_SOCKET)
        rc = set_socket_level(sk, name, v);
    else if (level == LINUX_IPPROTO_TCP)
        rc = set_tcp_level(sk, name, v);
    else if (level == LINUX_IPPROTO_IP || level == LINUX_IPPROTO_IPV6)
        rc = set_ip_level(sk, level, name, v);
    else
        rc = -ENOPROTOOPT;
    if (rc == 0 && level == LINUX_IPPROTO_IPV6 && name == LINUX_IPV6_V6ONLY)
        rc = set_v6only(sk, v);
    sock_unlock_update(sk);
    return rc;
}

/* --- getsockopt ------------------------------------------------------------------------------ */

static uint32_t get_timeout(uint64_t ns, void *out)
{
    struct linux_timeval tv = {(int64_t)(ns / 1000000000ULL),
                               (int64_t)(ns % 1000000000ULL / NS_PER_US)};

    memcpy(out, &tv, sizeof(tv));
    return sizeof(tv);
}

/* The value of an int option of SOL_SOCKET into *v; -ENOPROTOOPT for others. */
static int get_socket_int(struct sock *sk, int name, int *v)
{
    struct ip_pcb_common *pcb = pcb_of(sk);

    switch (name) {
    case LINUX_SO_TYPE: *v = sk->type; return 0;
    case LINUX_SO_DOMAIN: *v = sk->domain; return 0;
    case LINUX_SO_PROTOCOL:
        *v = sk->type == LINUX_SOCK_STREAM ? LINUX_IPPROTO_TCP : LINUX_IPPROTO_UDP;
        return 0;
    case LINUX_SO_ERROR: /* the error, else once the soft (ICMP) error, as Linux */
        *v = sk->error ? sk->error : sk->soft_error;
        if (sk->error)
            sk->error = 0;
        else
            sk->soft_error = 0;
        return 0;
    case LINUX_SO_ACCEPTCONN: *v = sk->state == SK_LISTEN; return 0;
    case LINUX_SO_RCVBUF: *v = (int)sk->rcvbuf; return 0;
    case LINUX_SO_SNDBUF: *v = (int)sk->sndbuf; return 0;
    case LINUX_SO_RCVLOWAT: case LINUX_SO_SNDLOWAT: *v = 1; return 0;
    case LINUX_SO_REUSEPORT: *v = sk->reuseport; return 0;
    case LINUX_SO_OOBINLINE: *v = sk->oobinline; return 0;
    case LINUX_SO_REUSEADDR: *v = pcb && ip_get_option(pcb, SOF_REUSEADDR); return 0;
    case LINUX_SO_KEEPALIVE: *v = pcb && ip_get_option(pcb, SOF_KEEPALIVE); return 0;
    case LINUX_SO_BROADCAST: *v = pcb && ip_get_option(pcb, SOF_BROADCAST); return 0;
    default: return -ENOPROTOOPT;
    }
}

static int get_socket_level(struct sock *sk, int name, void *out, uint32_t *lv)
{
    struct linux_linger lg = {sk->linger_on, sk->linger_sec};
    int v = 0, rc;

    if (name == LINUX_SO_RCVTIMEO_OLD || name == LINUX_SO_SNDTIMEO_OLD) {
        *lv = get_timeout(name == LINUX_SO_RCVTIMEO_OLD ? sk->rcvtimeo : sk->sndtimeo, out);
        return 0;
    }
    if (name == LINUX_SO_LINGER) {
        memcpy(out, &lg, sizeof(lg));
        *lv = sizeof(lg);
        return 0;
    }
    rc = get_socket_int(sk, name, &v);
    memcpy(out, &v, sizeof(v));
    *lv = sizeof(v);
    return rc;
}

static uint8_t linux_tcp_state(const struct tcp_pcb *pcb)
{
    static const uint8_t map[] = {
        [CLOSED] = LINUX_TCP_CLOSE,          [LISTEN] = LINUX_TCP_LISTEN,
        [SYN_SENT] = LINUX_TCP_SYN_SENT,     [SYN_RCVD] = LINUX_TCP_SYN_RECV,
        [ESTABLISHED] = LINUX_TCP_ESTABLISHED, [FIN_WAIT_1] = LINUX_TCP_FIN_WAIT1,
        [FIN_WAIT_2] = LINUX_TCP_FIN_WAIT2,  [CLOSE_WAIT] = LINUX_TCP_CLOSE_WAIT,
        [CLOSING] = LINUX_TCP_CLOSING,       [LAST_ACK] = LINUX_TCP_LAST_ACK,
        [TIME_WAIT] = LINUX_TCP_TIME_WAIT,
    };

    return pcb && (unsigned)pcb->state < sizeof(map) ? map[pcb->state] : LINUX_TCP_CLOSE;
}

/* TCP_INFO from what lwIP tracks (timers in its 500 ms slow ticks, so times are coarse). */
static uint32_t get_tcp_info(struct sock *sk, void *out)
{
    struct linux_tcp_info ti;
    const struct tcp_pcb *pcb = sk->tcp;
    const uint32_t tick_us = TCP_SLOW_INTERVAL * 1000u;

    memset(&ti, 0, sizeof(ti));
    ti.tcpi_state = linux_tcp_state(pcb);
    if (pcb && pcb->state != LISTEN) {
        ti.tcpi_retransmits = pcb->nrtx;
        ti.tcpi_options = (pcb->flags & TF_TIMESTAMP ? LINUX_TCPI_OPT_TIMESTAMPS : 0) |
                          (pcb->flags & TF_WND_SCALE ? LINUX_TCPI_OPT_WSCALE : 0);
        ti.tcpi_wscale = (uint8_t)(pcb->snd_scale | pcb->rcv_scale << 4);
        ti.tcpi_rto = (uint32_t)pcb->rto * tick_us;
        ti.tcpi_snd_mss = ti.tcpi_rcv_mss = ti.tcpi_advmss = tcp_mss(pcb);
        ti.tcpi_rtt = (uint32_t)(pcb->sa >> 3) * tick_us;
        ti.tcpi_rttvar = (uint32_t)(pcb->sv >> 2) * tick_us;
        ti.tcpi_snd_cwnd = (uint32_t)(pcb->cwnd / (pcb->mss ? pcb->mss : 1));
        ti.tcpi_snd_ssthresh = (uint32_t)pcb->ssthresh;
        ti.tcpi_rcv_space = (uint32_t)pcb->rcv_wnd;
        ti.tcpi_pmtu = (uint32_t)pcb->mss + 40;
    }
    memcpy(out, &ti, sizeof(ti));
    return sizeof(ti);
}

static int get_tcp_level(struct sock *sk, int name, void *out, uint32_t *lv)
{
    int v;

    if (sk->type != LINUX_SOCK_STREAM)
        return -EOPNOTSUPP;
    switch (name) {
    case LINUX_TCP_INFO: *lv = get_tcp_info(sk, out); return 0;
    case LINUX_TCP_NODELAY: v = sk->tcp && tcp_nagle_disabled(sk->tcp); break;
    case LINUX_TCP_CORK: v = sk->cork; break;
    case LINUX_TCP_USER_TIMEOUT: v = (int)sk->user_timeout; break;
    case LINUX_TCP_KEEPIDLE: v = sk->tcp ? (int)(sk->tcp->keep_idle / 1000) : 7200; break;
    case LINUX_TCP_KEEPINTVL: v = sk->tcp ? (int)(sk->tcp->keep_intvl / 1000) : 75; break;
    case LINUX_TCP_KEEPCNT: v = sk->tcp ? (int)sk->tcp->keep_cnt : 9; break;
    case LINUX_TCP_MAXSEG:
        v = sk->tcp && sk->state == SK_CONNECTED ? tcp_mss(sk->tcp)
                                                 : (sk->user_mss ? sk->user_mss : 536);
        break;
    default: return -ENOPROTOOPT;
    }
    memcpy(out, &v, sizeof(v));
    *lv = sizeof(v);
    return 0;
}

static int get_ip_level(struct sock *sk, int level, int name, int *v)
{
    struct ip_pcb_common *pcb = pcb_of(sk);
    bool v6 = level == LINUX_IPPROTO_IPV6;

    if (v6 && sk->domain != LINUX_AF_INET6)
        return -ENOPROTOOPT;
    if (v6 && name == LINUX_IPV6_V6ONLY)
        *v = sk->v6only;
    else if ((!v6 && name == LINUX_IP_TOS) || (v6 && name == LINUX_IPV6_TCLASS))
        *v = pcb ? pcb->tos : 0;
    else if ((!v6 && name == LINUX_IP_TTL) || (v6 && name == LINUX_IPV6_UNICAST_HOPS))
        *v = pcb ? pcb->ttl : 64;
    else
        return -ENOPROTOOPT;
    return 0;
}

int sock_getsockopt(struct sock *sk, int level, int name, void *val, uint32_t *len)
{
    uint8_t out[OPT_MAX];
    uint32_t lv = sizeof(int);
    int v = 0, rc;

    if (*len > 0x7fffffffu)
        return -EINVAL;
    net_lock();
    if (level == LINUX_SOL_SOCKET)
        rc = get_socket_level(sk, name, out, &lv);
    else if (level == LINUX_IPPROTO_TCP)
        rc = get_tcp_level(sk, name, out, &lv);
    else if (level == LINUX_IPPROTO_IP || level == LINUX_IPPROTO_IPV6)
        rc = get_ip_level(sk, level, name, &v), memcpy(out, &v, sizeof(v));
    else
        rc = -ENOPROTOOPT;
    sock_unlock_update(sk);
    if (rc)
        return rc;
    if (*len > lv)
        *len = lv;
    memcpy(val, out, *len);
    return 0;
}
