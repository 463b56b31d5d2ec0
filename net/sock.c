/*
 * sock.c - AF_INET/AF_INET6 TCP and UDP sockets over lwIP's raw API (sock.h).
 *
 * A struct sock owns one lwIP pcb. lwIP calls back with the network lock held (network
 * thread): received TCP data is chained on sk->rx, datagrams queued on sk->dgrams, accepted
 * connections become child socks on the listener's acceptq, errors land in sk->error. Each
 * callback bumps sk->gen and wakes sk->wq. A blocking call checks its condition under the
 * network lock, reads gen, drops the lock and sleeps until gen moves (sock_wait): no wake-up
 * is lost, because gen only changes under the network lock.
 *
 * Flow control: TCP data is acknowledged to lwIP (tcp_recved, which reopens the window) only
 * when the program reads it, so unread data is bounded by the receive window; datagrams are
 * bounded by the socket's receive buffer (SO_RCVBUF, Linux's 212992 by default) and dropped
 * beyond it, as Linux does.
 *
 * Linux is the oracle for every errno (checked against the host; tests/unit/net).
 */
#include "core/abi/poll.h"
#include "core/abi/socket.h"
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/lib/list.h"
#include "core/sched/sched.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"
#include "lwip/ip.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/sys.h"
#include "lwip/timeouts.h"
#include "lwip/udp.h"
#include "net/net.h"
#include "net/net_internal.h"
#include "net/sock.h"
#include "net/sock_internal.h"

static void cork_flush(void *arg);

/* Every socket, so net_shutdown() can take them all off lwIP. Network lock. */
static struct list all_socks;

void sock_layer_init(void)
{
    list_init(&all_socks);
}

/* --- readiness ------------------------------------------------------------------------------- */

/*
 * Writable (EPOLLOUT, and a blocked writer woken) once the free room is at least half of what
 * is queued, as Linux's sk_stream_is_writeable, or TCP_SNDLOWAT (32 KiB): an ACK that frees a
 * segment's worth does not wake a writer to copy one segment and sleep again (lwIP calls
 * on_sent for every ACK), yet a writer is not held back until a third of the fixed 2 MiB
 * buffer has drained (TCP_SND_BUF; Linux grows its buffer to 4 MiB).
 * A writer that is not blocked still writes whatever fits (can_send), as tcp_sendmsg does.
 */
static bool tcp_writeable(const struct tcp_pcb *pcb)
{
    u32_t room = pcb->snd_buf; /* tcp_sndbuf() caps it at 16 bits */
    u32_t queued = TCP_SND_BUF > room ? TCP_SND_BUF - room : 0;

    return room > 0 && (room >= queued / 2 || room >= TCP_SNDLOWAT) &&
           tcp_sndqueuelen(pcb) < TCP_SND_QUEUELEN;
}

static unsigned tcp_poll_mask(struct sock *sk)
{
    unsigned m = 0;

    if (sk->state == SK_LISTEN)
        return list_empty(&sk->acceptq) ? 0 : LINUX_EPOLLIN | LINUX_EPOLLRDNORM;
    if (sk->error)
        m |= LINUX_EPOLLERR;
    if (sk->state == SK_NEW || sk->state == SK_CLOSED || (sk->peer_fin && sk->wr_shut))
        m |= LINUX_EPOLLHUP;
    if (sk->rx_bytes > net_tcp_urg_hole(sk) || sk->peer_fin || sk->rd_shut ||
        sk->state == SK_CLOSED) /* an urgent byte read out of line is not data */
        m |= LINUX_EPOLLIN | LINUX_EPOLLRDNORM;
    if (sk->peer_fin || sk->rd_shut)
        m |= LINUX_EPOLLRDHUP;
    if (sk->urg_state == SK_URG_VALID) /* urgent data waits for recv(MSG_OOB) */
        m |= LINUX_EPOLLPRI;
    if (sk->state != SK_CONNECTING &&
        (!sk->tcp || sk->state != SK_CONNECTED || tcp_writeable(sk->tcp)))
        m |= LINUX_EPOLLOUT | LINUX_EPOLLWRNORM;
    return m;
}

/* Network lock held: recompute the readiness mask poll reads without the lock. */
static unsigned sk_update(struct sock *sk)
{
    unsigned m;

    if (sk->type == LINUX_SOCK_STREAM)
        m = tcp_poll_mask(sk);
    else
        m = (list_empty(&sk->dgrams) ? 0 : LINUX_EPOLLIN | LINUX_EPOLLRDNORM) |
            LINUX_EPOLLOUT | LINUX_EPOLLWRNORM;
    __atomic_store_n(&sk->mask, m, __ATOMIC_RELEASE);
    return m;
}

/* Every sock operation leaves the lock through here, so the mask follows its changes. */
void sock_unlock_update(struct sock *sk)
{
    sk_update(sk);
    net_unlock();
}

/* Something changed: blocked calls re-check (gen), pollers and epoll get the bits that are
 * true now as the key, so edge-triggered epoll sees every new event. */
static void wake(struct sock *sk)
{
    uint64_t tok;
    unsigned old = sk->mask, m = sk_update(sk);

    tok = spin_lock_irqsave(&sk->wq.lock);
    sk->gen++;
    wq_wake_key_locked(&sk->wq, m, 0);
    spin_unlock_irqrestore(&sk->wq.lock, tok);
    net_sock_async(sk, old, m); /* O_ASYNC: SIGIO (net/sock_async.c) */
}

/*
 * Network lock held. Wait until ready(sk): 0 (lock held again), -EAGAIN when nonblocking or
 * the timeout (ns, 0: none) passed. A signal ends the wait as Linux's sock_intr_errno: with
 * a timeout (SO_RCVTIMEO/SO_SNDTIMEO) -EINTR, never restarted; without, -ERESTARTSYS, which
 * the signal layer restarts when the handler has SA_RESTART.
 */
static int sock_wait(struct sock *sk, bool (*ready)(struct sock *), bool nonblock,
                     uint64_t timeout)
{
    uint64_t deadline = timeout ? hal_clock_ns() + timeout : UINT64_MAX;

    while (!ready(sk)) {
        uint64_t g = sk->gen, tok;
        int rc = 0;

        if (nonblock)
            return -EAGAIN;
        sock_unlock_update(sk);
        tok = spin_lock_irqsave(&sk->wq.lock);
        while (sk->gen == g && rc == 0)
            rc = wq_wait_locked_intr(&sk->wq, &tok, deadline);
        spin_unlock_irqrestore(&sk->wq.lock, tok);
        net_lock();
        if (rc == -EINTR && !ready(sk))
            return timeout ? -EINTR : -ERESTARTSYS;
        if (rc == -ETIMEDOUT && !ready(sk))
            return -EAGAIN;
    }
    return 0;
}

static int take_error(struct sock *sk)
{
    int e = sk->error;

    sk->error = 0;
    return -e;
}

/* --- addresses --------------------------------------------------------------------------- */

/* Parse a Linux sockaddr for sk into ip/port. */
static int addr_in(struct sock *sk, const void *a, size_t len, ip_addr_t *ip, u16_t *port)
{
    uint16_t fam;

    if (len < sizeof(fam))
        return -EINVAL;
    memcpy(&fam, a, sizeof(fam));
    if (sk->domain == LINUX_AF_INET) {
        struct linux_sockaddr_in s;

        if (len < sizeof(s))
            return -EINVAL;
        memcpy(&s, a, sizeof(s));
        if (s.sin_family != LINUX_AF_INET)
            return -EAFNOSUPPORT;
        ip_addr_set_ip4_u32_val(*ip, s.sin_addr);
        *port = lwip_ntohs(s.sin_port);
        return 0;
    }
    struct linux_sockaddr_in6 s6;
    if (len < 24) /* SIN6_LEN_RFC2133: without sin6_scope_id */
        return -EINVAL;
    memset(&s6, 0, sizeof(s6));
    memcpy(&s6, a, len < sizeof(s6) ? len : sizeof(s6));
    if (s6.sin6_family != LINUX_AF_INET6)
        return -EAFNOSUPPORT;
    *port = lwip_ntohs(s6.sin6_port);
    IP_SET_TYPE_VAL(*ip, IPADDR_TYPE_V6);
    memcpy(ip_2_ip6(ip)->addr, s6.sin6_addr, 16);
    ip6_addr_clear_zone(ip_2_ip6(ip));
    if (ip6_addr_isipv4mappedipv6(ip_2_ip6(ip))) {
        if (sk->v6only)
            return -ENETUNREACH;
        ip_addr_t v4;
        unmap_ipv4_mapped_ipv6(ip_2_ip4(&v4), ip_2_ip6(ip));
        IP_SET_TYPE_VAL(v4, IPADDR_TYPE_V4);
        *ip = v4;
    } else if (ip6_addr_has_scope(ip_2_ip6(ip), IP6_UNKNOWN)) {
        ip6_addr_set_zone(ip_2_ip6(ip), (u8_t)s6.sin6_scope_id);
    }
    return 0;
}

/* Write ip/port as sk's family into out (at most *len bytes); *len = the full size. */
static void addr_out(struct sock *sk, const ip_addr_t *ip, u16_t port, void *out, uint32_t *len)
{
    struct linux_sockaddr_storage ss;
    uint32_t n;

    memset(&ss, 0, sizeof(ss));
    if (sk->domain == LINUX_AF_INET) {
        struct linux_sockaddr_in *s = (void *)&ss;

        s->sin_family = LINUX_AF_INET;
        s->sin_port = lwip_htons(port);
        s->sin_addr = ip && IP_IS_V4(ip) ? ip_2_ip4(ip)->addr : 0;
        n = sizeof(*s);
    } else {
        struct linux_sockaddr_in6 *s = (void *)&ss;

        s->sin6_family = LINUX_AF_INET6;
        s->sin6_port = lwip_htons(port);
        if (ip && IP_IS_V4(ip) && !ip_addr_isany(ip)) {
            ip6_addr_t m;
            ip4_2_ipv4_mapped_ipv6(&m, ip_2_ip4(ip));
            memcpy(s->sin6_addr, m.addr, 16);
        } else if (ip && IP_IS_V6(ip)) {
            memcpy(s->sin6_addr, ip_2_ip6(ip)->addr, 16);
            if (ip6_addr_has_zone(ip_2_ip6(ip)))
                s->sin6_scope_id = ip6_addr_zone(ip_2_ip6(ip));
        }
        n = sizeof(*s);
    }
    if (out)
        memcpy(out, &ss, *len < n ? *len : n);
    *len = n;
}

/* Is ip (not any, not multicast/broadcast) an address of this host? */
static bool addr_local(const ip_addr_t *ip)
{
    struct netif *n;

    if (ip_addr_isany(ip))
        return true;
    if (IP_IS_V4(ip) && ip4_addr_isloopback(ip_2_ip4(ip)))
        return true;
    NETIF_FOREACH(n) {
        if (IP_IS_V4(ip) && ip4_addr_cmp(ip_2_ip4(ip), netif_ip4_addr(n)))
            return true;
        if (IP_IS_V6(ip) && netif_get_ip6_addr_match(n, ip_2_ip6(ip)) >= 0)
            return true;
    }
    return false;
}

static int err_to_errno(err_t e)
{
    switch (e) {
    case ERR_OK: return 0;
    case ERR_MEM: case ERR_BUF: return -ENOBUFS;
    case ERR_RTE: return -ENETUNREACH;
    case ERR_USE: return -EADDRINUSE;
    case ERR_ISCONN: return -EISCONN;
    case ERR_ALREADY: case ERR_INPROGRESS: return -EALREADY;
    case ERR_CONN: return -ENOTCONN;
    case ERR_RST: return -ECONNRESET;
    case ERR_ABRT: return -ECONNABORTED;
    case ERR_TIMEOUT: return -ETIMEDOUT;
    default: return -EINVAL;
    }
}

/* --- lwIP callbacks (network lock held) ------------------------------------------------------ */

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct sock *sk = arg;

    (void)err;
    if (p)
        sk->rx_end_seq += p->tot_len;
    if (!p) {
        sk->peer_fin = true;
    } else if (sk->rd_shut) {
        tcp_recved(pcb, p->tot_len); /* Linux discards what arrives after SHUT_RD */
        pbuf_free(p);
    } else {
        if (sk->urg_state == SK_URG_NOTYET)
            net_tcp_urg_data(sk, p);
        if (sk->rx)
            pbuf_cat(sk->rx, p);
        else
            sk->rx = p;
        sk->rx_bytes += p->tot_len;
    }
    sk->rx_events++;
    wake(sk);
    return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    struct sock *sk = arg;

    (void)len;
    sk->soft_error = 0; /* data got through: an ICMP error before is stale (Linux's tcp_ack) */
    if (tcp_writeable(pcb)) /* else nothing a waiter or poller sees has changed */
        wake(sk);
    return ERR_OK;
}

static void on_err(void *arg, err_t err)
{
    struct sock *sk = arg;

    sk->tcp = NULL; /* lwIP has freed the pcb */
    sk->connect_failed = sk->state == SK_CONNECTING;
    if (err == ERR_RST)
        sk->error = sk->state == SK_CONNECTING ? ECONNREFUSED : ECONNRESET;
    else if (err == ERR_ABRT) /* lwIP gave up (retransmissions, keepalive, user timeout), or an
                               * ICMP error ended an opening connection (net/tcp_conform.c) */
        sk->error = sk->soft_error ? sk->soft_error : ETIMEDOUT;
    else if (err != ERR_CLSD)
        sk->error = -err_to_errno(err);
    sk->state = SK_CLOSED;
    wake(sk);
}

struct sock *sock_of_pcb(struct tcp_pcb *pcb)
{
    return pcb->errf == on_err ? pcb->callback_arg : NULL; /* never a listen pcb: no errf */
}

static void tcp_attach(struct sock *sk, struct tcp_pcb *pcb)
{
    sk->tcp = pcb;
    tcp_arg(pcb, sk);
    tcp_recv(pcb, on_recv);
    tcp_sent(pcb, on_sent);
    tcp_err(pcb, on_err);
}

static void tcp_detach(struct sock *sk)
{
    struct tcp_pcb *pcb = sk->tcp;

    tcp_arg(pcb, NULL);
    if (pcb->state == LISTEN) {
        tcp_accept(pcb, NULL);
    } else {
        tcp_recv(pcb, NULL);
        tcp_sent(pcb, NULL);
        tcp_err(pcb, NULL);
    }
    sk->tcp = NULL;
}

static struct sock *sock_alloc(int domain, int type)
{
    struct sock *sk = kzalloc(sizeof(*sk));

    if (!sk)
        return NULL;
    sk->domain = domain;
    sk->type = type;
    sk->rcvbuf = type == LINUX_SOCK_DGRAM ? UDP_RCVBUF_DEFAULT : TCP_WND;
    sk->sndbuf = type == LINUX_SOCK_DGRAM ? UDP_RCVBUF_DEFAULT : TCP_SND_BUF;
    list_init(&sk->dgrams);
    list_init(&sk->acceptq);
    list_node_init(&sk->all_node);
    wq_init(&sk->wq, "sock");
    return sk;
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct sock *l = arg, *c;

    if (err != ERR_OK || !pcb)
        return ERR_VAL;
    c = sock_alloc(l->domain, l->type);
    if (!c) {
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    list_push_back(&all_socks, &c->all_node);
    tcp_attach(c, pcb);
    net_tcp_ut_inherit(c, l);
    c->rx_end_seq = pcb->rcv_nxt;
    c->oobinline = l->oobinline;
    c->state = SK_CONNECTED;
    c->bound = true;
    tcp_backlog_delayed(pcb); /* counts against the backlog until accept() takes it */
    list_push_back(&l->acceptq, &c->acc_node);
    sk_update(c);
    l->rx_events++;
    wake(l);
    return ERR_OK;
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct sock *sk = arg;

    (void)err;
    sk->state = SK_CONNECTED;
    sk->rx_end_seq = pcb->rcv_nxt;
    wake(sk);
    return ERR_OK;
}

static void on_dgram(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
                     u16_t port)
{
    struct sock *sk = arg;
    struct dgram *d;

    (void)pcb;
    if (sk->rd_shut || sk->dgram_bytes + p->tot_len > sk->rcvbuf ||
        !(d = kmalloc(sizeof(*d)))) {
        pbuf_free(p); /* receive buffer full: dropped, as Linux does */
        return;
    }
    d->p = p;
    ip_addr_copy(d->addr, *addr);
    d->port = port;
    list_push_back(&sk->dgrams, &d->node);
    sk->dgram_bytes += p->tot_len;
    sk->rx_events++;
    wake(sk);
}

/* --- create / close ---------------------------------------------------------------------- */

int sock_pcb_new(struct sock *sk)
{
    u8_t t = sk->domain == LINUX_AF_INET ? IPADDR_TYPE_V4
                                         : (sk->v6only ? IPADDR_TYPE_V6 : IPADDR_TYPE_ANY);

    if (sk->type == LINUX_SOCK_STREAM) {
        struct tcp_pcb *pcb = tcp_new_ip_type(t);

        if (!pcb)
            return -ENOBUFS;
        tcp_attach(sk, pcb);
        return 0;
    }
    sk->udp = udp_new_ip_type(t);
    if (!sk->udp)
        return -ENOBUFS;
    udp_recv(sk->udp, on_dgram, sk);
    return 0;
}

int sock_create(int domain, int type, int protocol, struct sock **out)
{
    struct sock *sk;
    int rc;

    if (domain != LINUX_AF_INET && domain != LINUX_AF_INET6)
        return -EAFNOSUPPORT;
    if (protocol < 0 || protocol >= 256)
        return -EINVAL;
    if (type == LINUX_SOCK_RAW)
        return protocol ? -EPERM : -EPROTONOSUPPORT;
    if (type != LINUX_SOCK_STREAM && type != LINUX_SOCK_DGRAM)
        return -ESOCKTNOSUPPORT;
    if (protocol && protocol != (type == LINUX_SOCK_STREAM ? LINUX_IPPROTO_TCP
                                                           : LINUX_IPPROTO_UDP))
        return -EPROTONOSUPPORT;
    rc = net_start();
    if (rc)
        return rc;
    sk = sock_alloc(domain, type);
    if (!sk)
        return -ENOMEM;
    net_lock();
    rc = sock_pcb_new(sk);
    if (rc == 0)
        list_push_back(&all_socks, &sk->all_node);
    sock_unlock_update(sk);
    if (rc) {
        kfree(sk);
        return rc;
    }
    *out = sk;
    return 0;
}

static void free_queues(struct sock *sk)
{
    struct list_node *n;

    net_tcp_ut_stop(sk); /* before the socket goes: its TCP_USER_TIMEOUT timer */
    if (sk->rx)
        pbuf_free(sk->rx);
    sk->rx = NULL;
    sk->rx_bytes = sk->dgram_bytes = 0;
    while ((n = list_pop_front(&sk->dgrams))) {
        struct dgram *d = container_of(n, struct dgram, node);

        pbuf_free(d->p);
        kfree(d);
    }
}

/* Network lock held. */
void sock_close_locked(struct sock *sk)
{
    struct list_node *n;

    while ((n = list_pop_front(&sk->acceptq))) { /* never accepted: reset them */
        struct sock *c = container_of(n, struct sock, acc_node);

        if (c->tcp) {
            struct tcp_pcb *pcb = c->tcp;
            tcp_detach(c);
            tcp_abort(pcb);
        }
        free_queues(c);
        list_remove(&c->all_node);
        kfree(c);
    }
    if (sk->tcp) {
        struct tcp_pcb *pcb = sk->tcp;
        /* Linux resets a connection closed with unread data, or with SO_LINGER {1, 0}; a
         * listener just goes (lwIP's listen pcb is a smaller struct tcp_abort must never
         * see: fuzz/sockets found SO_LINGER {1, 0} then listen then close reading past it) */
        bool reset = pcb->state != LISTEN &&
                     (sk->rx_bytes > 0 || (sk->linger_on && sk->linger_sec == 0));

        tcp_detach(sk);
        if (reset || tcp_close(pcb) != ERR_OK)
            tcp_abort(pcb);
    }
    if (sk->udp)
        udp_remove(sk->udp);
    sk->udp = NULL;
    if (sk->cork_timer)
        sys_untimeout(cork_flush, sk);
    sk->cork_timer = false;
    free_queues(sk);
}

void sock_close(struct sock *sk)
{
    net_lock();
    sock_close_locked(sk);
    list_remove(&sk->all_node);
    sock_unlock_update(sk);
    kfree(sk);
}

void sock_layer_shutdown(void)
{
    while (!list_empty(&all_socks)) {
        struct sock *sk = container_of(list_first(&all_socks), struct sock, all_node);

        /* pcbs closing in the background are lwIP's now; net_lwip_teardown aborts them. The
         * unaccepted children, on the list too, are freed here. */
        sock_close_locked(sk);
        list_remove(&sk->all_node);
        if (sk->state != SK_CLOSED)
            sk->error = ENETDOWN;
        sk->state = SK_CLOSED;
        wake(sk);
    }
}

/* The program ended (net_close_all): each socket is closed as close(2) would close it, FIN
 * or RST as sock_close_locked chooses, and leaves the list; the struct stays with its file,
 * closed, until the file's release frees it. Listeners go first, so that their unaccepted
 * children (on the list too) are reset and freed with them as Linux resets them, whatever
 * the order: the walk starts again after each, since the next node may have been a child. */
static void close_at_exit(struct sock *sk)
{
    sock_close_locked(sk);
    list_remove(&sk->all_node);
    sk->state = SK_CLOSED;
    wake(sk);
}

void sock_close_all_locked(void)
{
    struct list_node *n = all_socks.head.next;

    while (n != &all_socks.head) {
        struct sock *sk = container_of(n, struct sock, all_node);

        n = n->next;
        if (sk->state == SK_LISTEN || !list_empty(&sk->acceptq)) {
            close_at_exit(sk);
            n = all_socks.head.next;
        }
    }
    while (!list_empty(&all_socks))
        close_at_exit(container_of(list_first(&all_socks), struct sock, all_node));
}

void sock_set_nonblock(struct sock *sk, bool on)
{
    sk->nonblock = on;
}

void sock_set_timeouts(struct sock *sk, uint64_t rcv_ns, uint64_t snd_ns)
{
    sk->rcvtimeo = rcv_ns;
    sk->sndtimeo = snd_ns;
}

/* --- bind / listen / accept / connect ---------------------------------------------------- */

static int bind_locked(struct sock *sk, const ip_addr_t *ip, u16_t port)
{
    err_t e;

    if (sk->bound)
        return -EINVAL;
    if (!addr_local(ip))
        return -EADDRNOTAVAIL;
    if (sk->tcp)
        e = tcp_bind(sk->tcp, ip, port);
    else if (sk->udp)
        e = udp_bind(sk->udp, ip, port);
    else
        return -EINVAL;
    if (e != ERR_OK)
        return e == ERR_VAL ? -EINVAL : err_to_errno(e);
    sk->bound = true;
    return 0;
}

int sock_bind(struct sock *sk, const void *addr, size_t len)
{
    ip_addr_t ip;
    u16_t port;
    int rc = addr_in(sk, addr, len, &ip, &port);

    if (rc)
        return rc;
    if (sk->domain == LINUX_AF_INET6 && ip_addr_isany(&ip) && !sk->v6only)
        ip_addr_copy(ip, *IP_ANY_TYPE); /* [::] also takes IPv4 */
    net_lock();
    rc = bind_locked(sk, &ip, port);
    sock_unlock_update(sk);
    return rc;
}

static u8_t lwip_backlog(int backlog)
{
    /* Linux queues backlog + 1 connections (capped by somaxconn); lwIP refuses at backlog */
    if (backlog < 0 || backlog > LINUX_SOMAXCONN)
        backlog = LINUX_SOMAXCONN;
    return backlog + 1 > 255 ? 255 : (u8_t)(backlog + 1);
}

static int listen_locked(struct sock *sk, int backlog)
{
    struct tcp_pcb *lpcb;
    err_t e = ERR_OK;
    int rc;

    if (sk->state == SK_LISTEN) {
        tcp_backlog_set(sk->tcp, lwip_backlog(backlog));
        return 0;
    }
    if (sk->state != SK_NEW || !sk->tcp)
        return -EINVAL;
    if (!sk->bound && (rc = bind_locked(sk, sk->domain == LINUX_AF_INET6 && !sk->v6only
                                                ? IP_ANY_TYPE : IP4_ADDR_ANY, 0)))
        return rc;
    lpcb = tcp_listen_with_backlog_and_err(sk->tcp, lwip_backlog(backlog), &e);
    if (!lpcb)
        return err_to_errno(e);
    sk->tcp = lpcb; /* the old pcb is freed */
    tcp_arg(lpcb, sk);
    tcp_accept(lpcb, on_accept);
    sk->state = SK_LISTEN;
    return 0;
}

int sock_listen(struct sock *sk, int backlog)
{
    int rc;

    if (sk->type != LINUX_SOCK_STREAM)
        return -EOPNOTSUPP;
    net_lock();
    rc = listen_locked(sk, backlog);
    sock_unlock_update(sk);
    return rc;
}

static bool accept_ready(struct sock *sk)
{
    return !list_empty(&sk->acceptq) || sk->state != SK_LISTEN;
}

int sock_accept(struct sock *sk, struct sock **out, void *peer, uint32_t *plen)
{
    struct sock *c;
    int rc;

    if (sk->type != LINUX_SOCK_STREAM)
        return -EOPNOTSUPP;
    net_lock();
    rc = sk->state == SK_LISTEN ? sock_wait(sk, accept_ready, sk->nonblock, sk->rcvtimeo)
                                : -EINVAL;
    if (rc == 0 && list_empty(&sk->acceptq))
        rc = -EINVAL;
    if (rc) {
        sock_unlock_update(sk);
        return rc;
    }
    c = container_of(list_pop_front(&sk->acceptq), struct sock, acc_node);
    if (c->tcp) {
        tcp_backlog_accepted(c->tcp);
        if (plen)
            addr_out(c, &c->tcp->remote_ip, c->tcp->remote_port, peer, plen);
    } else if (plen) {
        addr_out(c, NULL, 0, peer, plen); /* reset before accept: Linux still returns it */
    }
    sock_unlock_update(sk);
    *out = c;
    return 0;
}

static bool connect_done(struct sock *sk)
{
    return sk->state != SK_CONNECTING;
}

/* RFC 9293 MUST-46: no active open to a broadcast or multicast address (Linux:
 * ENETUNREACH); lwIP would send the SYN there. 0.0.0.0 is not one (it means this host). */
static bool tcp_dest_is_group(const ip_addr_t *ip)
{
    struct netif *n;
    u32_t a;

    if (ip_addr_ismulticast(ip))
        return true;
    if (!IP_IS_V4(ip) || (a = ip4_addr_get_u32(ip_2_ip4(ip))) == IPADDR_ANY)
        return false;
    NETIF_FOREACH(n) {
        if (ip4_addr_isbroadcast_u32(a, n))
            return true;
    }
    return a == IPADDR_BROADCAST;
}

static int tcp_connect_locked(struct sock *sk, const ip_addr_t *ip, u16_t port)
{
    err_t e;
    int rc;

    if (sk->state == SK_CLOSED && !sk->error && sk->connect_failed) {
        /* Linux: a socket whose connect failed is back in CLOSE and may try again */
        rc = sock_pcb_new(sk);
        if (rc)
            return rc;
        sk->connect_failed = sk->bound = false;
        sk->state = SK_NEW;
    }
    switch (sk->state) {
    case SK_CONNECTING:
        if (sk->nonblock)
            return -EALREADY;
        break; /* a blocking connect restarted after a signal waits again, as Linux */
    case SK_CONNECTED: case SK_LISTEN: return -EISCONN;
    case SK_CLOSED: return sk->error ? take_error(sk) : -EISCONN;
    case SK_NEW:
        if (tcp_dest_is_group(ip))
            return -ENETUNREACH;
        e = tcp_connect(sk->tcp, ip, port, on_connected);
        if (e != ERR_OK)
            return err_to_errno(e);
        sk->bound = true;
        sk->state = SK_CONNECTING;
        break;
    }
    rc = sock_wait(sk, connect_done, sk->nonblock, sk->sndtimeo);
    if (rc == -EAGAIN)
        return -EINPROGRESS; /* nonblocking, or SO_SNDTIMEO expired (as Linux) */
    if (rc)
        return rc;
    return sk->state == SK_CONNECTED ? 0 : take_error(sk);
}

static int udp_connect_locked(struct sock *sk, const void *addr, size_t len)
{
    ip_addr_t ip;
    u16_t port;
    uint16_t fam;
    int rc;

    if (!sk->udp)
        return -ENETDOWN;
    memcpy(&fam, addr, sizeof(fam));
    if (fam == LINUX_AF_UNSPEC) { /* dissolve the association */
        udp_disconnect(sk->udp);
        sk->state = SK_NEW;
        return 0;
    }
    rc = addr_in(sk, addr, len, &ip, &port);
    if (rc)
        return rc;
    rc = err_to_errno(udp_connect(sk->udp, &ip, port));
    if (rc == 0) {
        sk->state = SK_CONNECTED;
        sk->bound = true;
    }
    return rc;
}

int sock_connect(struct sock *sk, const void *addr, size_t len)
{
    ip_addr_t ip;
    u16_t port;
    int rc;

    if (len < 2)
        return -EINVAL;
    net_lock();
    if (sk->type == LINUX_SOCK_DGRAM) {
        rc = udp_connect_locked(sk, addr, len);
    } else {
        rc = addr_in(sk, addr, len, &ip, &port);
        if (rc == 0)
            rc = tcp_connect_locked(sk, &ip, port);
    }
    sock_unlock_update(sk);
    return rc;
}

/* --- send ------------------------------------------------------------------------------------ */

static bool can_send(struct sock *sk)
{
    return !sk->tcp || sk->state != SK_CONNECTED || sk->wr_shut || sk->error ||
           (tcp_sndbuf(sk->tcp) > 0 && tcp_sndqueuelen(sk->tcp) < TCP_SND_QUEUELEN);
}

/*
 * TCP_CORK, as Linux: while corked only full segments leave; the partial one at the tail is
 * held until the program uncorks (or sets TCP_NODELAY), or at most CORK_HOLD_MS after it was
 * held (lwIP still sends it when an ACK arrives with nothing in flight: earlier than Linux,
 * never later). nginx (tcp_nopush) corks around writev(header) + sendfile(body): the response then
 * goes as one segment, not two (half the packets through the NIC and the peer's stack).
 */
#define CORK_HOLD_MS 200

void sock_push(struct sock *sk)
{
    struct tcp_pcb *pcb = sk->tcp;
    bool nodelay;

    sk->cork_held = false;
    if (!pcb || sk->state != SK_CONNECTED)
        return;
    nodelay = tcp_nagle_disabled(pcb);
    tcp_nagle_disable(pcb);
    pcb->pollinterval = 0; /* lwIP's default again (cork_output) */
    tcp_output(pcb);
    if (!nodelay)
        tcp_nagle_enable(pcb);
}

/* At most one pending timeout per socket and no allocation per response: an uncork does not
 * cancel it (sock_close_locked does); when it fires it flushes what has been held for
 * CORK_HOLD_MS, or waits again for the rest of the current hold, or stops. */
static void cork_flush(void *arg)
{
    struct sock *sk = arg;
    uint32_t held = sys_now() - sk->cork_since;

    sk->cork_timer = false;
    if (!sk->cork_held || !sk->tcp)
        return;
    if (held < CORK_HOLD_MS) {
        sys_timeout(CORK_HOLD_MS - held, cork_flush, sk);
        sk->cork_timer = true;
        return;
    }
    sock_push(sk);
}

/* The payload of a full segment: what tcp_write puts in one at most (its mss_local, less the
 * timestamp option when the connection has it). */
static u16_t full_seg_len(const struct tcp_pcb *pcb)
{
    u16_t m = LWIP_MIN(pcb->mss, TCPWND_MIN16(pcb->snd_wnd_max / 2));
    u16_t opt = (pcb->flags & TF_TIMESTAMP) ? LWIP_TCP_OPT_LENGTH(TF_SEG_OPTS_TS) : 0;

    m = m ? m : pcb->mss;
    return m > opt ? (u16_t)(m - opt) : 1;
}

/* Corked: send the full segments, keep the partial one at the tail off the queue while
 * tcp_output runs (Nagle alone would let it go when nothing is in flight), then put it back
 * with its oversize room, and make sure the flush timer runs. */
static void cork_output(struct sock *sk)
{
    struct tcp_pcb *pcb = sk->tcp;
    struct tcp_seg **tail = &pcb->unsent, *part = NULL;
    u16_t oversize = pcb->unsent_oversize;

    if (!*tail)
        return;
    while ((*tail)->next)
        tail = &(*tail)->next;
    if ((*tail)->len < full_seg_len(pcb)) {
        part = *tail;
        *tail = NULL;
    }
    if (pcb->unsent)
        tcp_output(pcb);
    if (!part)
        return;
    for (tail = &pcb->unsent; *tail; tail = &(*tail)->next)
        ;
    *tail = part;
    pcb->unsent_oversize = oversize;
    /* lwIP's slow timer sends whatever is queued every 500 ms (a pcb with no poll callback
     * polls at each tick): not while a partial segment is held, for at most CORK_HOLD_MS */
    pcb->pollinterval = 255;
    if (!sk->cork_held)
        sk->cork_since = sys_now();
    sk->cork_held = true;
    if (!sk->cork_timer) {
        sys_timeout(CORK_HOLD_MS, cork_flush, sk);
        sk->cork_timer = true;
    }
}

static long tcp_send_locked(struct sock *sk, const uint8_t *buf, size_t len, bool nonblock)
{
    size_t sent = 0;

    if (sk->state == SK_CONNECTING) {
        int rc = sock_wait(sk, connect_done, nonblock, sk->sndtimeo);

        if (rc)
            return rc;
    }
    while (sent < len) {
        int rc = sock_wait(sk, can_send, nonblock, sk->sndtimeo);

        if (sk->error && !sent)
            return take_error(sk);
        if (sk->wr_shut || !sk->tcp || sk->state != SK_CONNECTED)
            return sent ? (long)sent : -EPIPE;
        if (rc)
            return sent ? (long)sent : rc;
        size_t n = len - sent;
        if (n > tcp_sndbuf(sk->tcp))
            n = tcp_sndbuf(sk->tcp);
        if (n > 0xffff)
            n = 0xffff;
        if (tcp_write(sk->tcp, buf + sent, (u16_t)n,
                      TCP_WRITE_FLAG_COPY | (sk->cork ? TCP_WRITE_FLAG_MORE : 0)) != ERR_OK) {
            tcp_output(sk->tcp); /* queue full: push what is there, then wait */
            if (nonblock)
                return sent ? (long)sent : -EAGAIN;
            continue;
        }
        sent += n;
        if (sk->cork)
            cork_output(sk);
        else
            tcp_output(sk->tcp);
    }
    return (long)sent;
}

static long udp_send_locked(struct sock *sk, const void *buf, size_t len, const void *addr,
                            size_t alen)
{
    ip_addr_t ip;
    u16_t port;
    struct pbuf *p;
    err_t e;
    int rc;

    if (!sk->udp)
        return -ENETDOWN; /* the stack was shut down under the socket */
    if (addr) {
        rc = addr_in(sk, addr, alen, &ip, &port);
        if (rc)
            return rc;
    } else if (sk->state != SK_CONNECTED) {
        return -EDESTADDRREQ;
    }
    if (sk->wr_shut)
        return -EPIPE;
    if (len > UDP_MAX_PAYLOAD)
        return -EMSGSIZE;
    p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
    if (!p)
        return -ENOBUFS;
    memcpy(p->payload, buf, len);
    e = addr ? udp_sendto(sk->udp, p, &ip, port) : udp_send(sk->udp, p);
    pbuf_free(p);
    sk->bound = true;
    return e == ERR_OK ? (long)len : err_to_errno(e);
}

long sock_send(struct sock *sk, const void *buf, size_t len, int flags, const void *addr,
               size_t alen)
{
    bool nonblock = sk->nonblock || (flags & LINUX_MSG_DONTWAIT);
    long rc;

    net_lock();
    if (sk->type == LINUX_SOCK_DGRAM)
        rc = udp_send_locked(sk, buf, len, addr, alen);
    else if (sk->state == SK_NEW || sk->state == SK_LISTEN)
        rc = -EPIPE; /* Linux: a TCP socket that never connected */
    else if (addr && sk->state != SK_CONNECTED && sk->state != SK_CONNECTING)
        rc = -EPIPE;
    else if (flags & LINUX_MSG_OOB) { /* the last byte is urgent (net/tcp_conform.c) */
        uint64_t saved;

        net_tcp_urg_send_begin(sk, len, &saved);
        rc = tcp_send_locked(sk, buf, len, nonblock);
        net_tcp_urg_send_end(sk, rc, saved);
    } else {
        rc = tcp_send_locked(sk, buf, len, nonblock);
    }
    sock_unlock_update(sk);
    return rc;
}

/* --- receive --------------------------------------------------------------------------------- */

static bool can_recv_tcp(struct sock *sk)
{
    return sk->rx_bytes || sk->peer_fin || sk->rd_shut || sk->error ||
           sk->state != SK_CONNECTED;
}

/* A peek steps over an urgent byte at the head read out of line (net/tcp_conform.c), as
 * Linux's does: only data after it makes a peek ready. */
static bool can_peek_tcp(struct sock *sk)
{
    return sk->rx_bytes > net_tcp_urg_hole(sk) || sk->peer_fin || sk->rd_shut || sk->error ||
           sk->state != SK_CONNECTED;
}

/* Copy (and unless peek, consume) up to len bytes of sk->rx; a peek starts at skip. */
static size_t rx_take(struct sock *sk, uint8_t *buf, size_t len, size_t skip, bool peek)
{
    size_t done = 0;

    if (len > sk->rx_bytes - skip)
        len = sk->rx_bytes - skip;
    while (done < len) {
        size_t off = peek ? skip + done : 0, n = len - done;

        if (n > 0xffff)
            n = 0xffff;
        if (off > 0xffff) /* peek deeper than lwIP's 16-bit offsets: stop here */
            break;
        n = pbuf_copy_partial(sk->rx, buf + done, (u16_t)n, (u16_t)off);
        if (!peek) {
            sk->rx = pbuf_free_header(sk->rx, (u16_t)n);
            sk->rx_bytes -= n;
            if (sk->tcp)
                tcp_recved(sk->tcp, (u16_t)n);
        }
        done += n;
    }
    return done;
}

static long tcp_recv_locked(struct sock *sk, uint8_t *buf, size_t len, int flags)
{
    bool nonblock = sk->nonblock || (flags & LINUX_MSG_DONTWAIT);
    bool peek = flags & LINUX_MSG_PEEK, waitall = (flags & LINUX_MSG_WAITALL) && !peek;
    size_t got = 0;

    if (sk->state == SK_NEW && sk->rd_shut)
        return 0; /* shut for reading before it ever connected: EOF, as Linux */
    if (sk->state == SK_NEW || sk->state == SK_LISTEN || sk->state == SK_CONNECTING)
        return sk->state == SK_CONNECTING && !nonblock ? -EAGAIN : -ENOTCONN;
    if (len == 0)
        return 0;
    while (got < len) {
        int rc = sock_wait(sk, peek ? can_peek_tcp : can_recv_tcp,
                           nonblock || (got && !waitall), sk->rcvtimeo);
        size_t skip = peek ? net_tcp_urg_hole(sk) : 0;

        if (sk->rx_bytes > skip) {
            size_t want = net_tcp_urg_limit(sk, len - got, got != 0, peek);

            if (!want)
                break; /* at the urgent mark */
            if (!sk->rx_bytes)
                continue; /* that was the urgent byte, out of line: wait for data */
            got += rx_take(sk, buf + got, want, skip, peek);
            net_tcp_urg_consumed(sk);
            if (!waitall)
                break;
            continue;
        }
        if (got)
            break;
        if (sk->error)
            return take_error(sk);
        if (sk->peer_fin || sk->rd_shut || sk->state != SK_CONNECTED)
            return 0;
        return rc;
    }
    return (long)got;
}

static bool can_recv_udp(struct sock *sk)
{
    return !list_empty(&sk->dgrams) || sk->rd_shut;
}

static long udp_recv_locked(struct sock *sk, uint8_t *buf, size_t len, int flags, void *from,
                            uint32_t *flen, int *mflags)
{
    bool nonblock = sk->nonblock || (flags & LINUX_MSG_DONTWAIT);
    struct dgram *d;
    size_t n;
    int rc = sock_wait(sk, can_recv_udp, nonblock, sk->rcvtimeo);

    if (list_empty(&sk->dgrams))
        return sk->rd_shut ? 0 : rc;
    d = container_of(list_first(&sk->dgrams), struct dgram, node);
    n = d->p->tot_len < len ? d->p->tot_len : len;
    pbuf_copy_partial(d->p, buf, (u16_t)n, 0);
    if (n < d->p->tot_len && mflags)
        *mflags |= LINUX_MSG_TRUNC;
    if (flen)
        addr_out(sk, &d->addr, d->port, from, flen);
    if (flags & LINUX_MSG_TRUNC)
        n = d->p->tot_len; /* the datagram's real length */
    if (!(flags & LINUX_MSG_PEEK)) {
        list_remove(&d->node);
        sk->dgram_bytes -= d->p->tot_len;
        pbuf_free(d->p);
        kfree(d);
    }
    return (long)n;
}

long sock_recv(struct sock *sk, void *buf, size_t len, int flags, void *from, uint32_t *flen,
               int *msg_flags)
{
    long rc;

    if (msg_flags)
        *msg_flags = 0;
    net_lock();
    if (sk->type == LINUX_SOCK_DGRAM) {
        rc = udp_recv_locked(sk, buf, len, flags, from, flen, msg_flags);
    } else {
        rc = flags & LINUX_MSG_OOB ? net_tcp_urg_recv(sk, buf, len, flags, msg_flags)
                                   : tcp_recv_locked(sk, buf, len, flags);
        if (flen)
            *flen = 0; /* Linux leaves a stream's source address out */
    }
    sock_unlock_update(sk);
    return rc;
}

/* --- shutdown, names --------------------------------------------------------------------- */

/* A listener shut for reading stops listening (Linux's tcp_disconnect): its pending
 * connections are reset and it is a fresh, unbound socket again. */
static int listen_stop(struct sock *sk)
{
    sock_close_locked(sk);
    sk->state = SK_NEW;
    sk->bound = false;
    return sock_pcb_new(sk);
}

int sock_shutdown(struct sock *sk, int how)
{
    bool connected;
    int rc = 0;

    if (how < LINUX_SHUT_RD || how > LINUX_SHUT_RDWR)
        return -EINVAL;
    net_lock();
    connected = sk->state == SK_CONNECTED || sk->state == SK_CONNECTING ||
                (sk->state == SK_CLOSED && sk->peer_fin);
    if (sk->state == SK_LISTEN) {
        rc = how == LINUX_SHUT_WR ? 0 : listen_stop(sk);
    } else {
        /* Linux records the shutdown even when it answers -ENOTCONN: later reads see EOF */
        if (!connected)
            rc = -ENOTCONN;
        if (how != LINUX_SHUT_WR)
            sk->rd_shut = true;
        if (how != LINUX_SHUT_RD && !sk->wr_shut) {
            sk->wr_shut = true;
            if (sk->tcp && connected)
                tcp_shutdown(sk->tcp, 0, 1);
        }
    }
    wake(sk);
    sock_unlock_update(sk);
    return rc;
}

/* A connected UDP socket is named by the source address of its route, as Linux picks it at
 * connect; lwIP leaves the pcb's local address unspecified and picks one per datagram. */
static const ip_addr_t *udp_name(const struct udp_pcb *u, bool connected)
{
    const ip_addr_t *src;
    struct netif *n;

    if (!connected || !ip_addr_isany(&u->local_ip))
        return &u->local_ip;
    n = ip_route(&u->local_ip, &u->remote_ip);
    src = n ? ip_netif_get_local_ip(n, &u->remote_ip) : NULL;
    return src && !ip_addr_isany(src) ? src : &u->local_ip;
}

int sock_getname(struct sock *sk, bool peer, void *addr, uint32_t *len)
{
    const ip_addr_t *ip = NULL;
    u16_t port = 0;
    int rc = 0;

    net_lock();
    if (peer) {
        if (sk->state != SK_CONNECTED)
            rc = -ENOTCONN;
        else if (sk->tcp)
            ip = &sk->tcp->remote_ip, port = sk->tcp->remote_port;
        else if (sk->udp)
            ip = &sk->udp->remote_ip, port = sk->udp->remote_port;
    } else if (sk->tcp) {
        ip = &sk->tcp->local_ip, port = sk->tcp->local_port;
    } else if (sk->udp) {
        ip = udp_name(sk->udp, sk->state == SK_CONNECTED), port = sk->udp->local_port;
    }
    if (rc == 0)
        addr_out(sk, ip, port, addr, len);
    sock_unlock_update(sk);
    return rc;
}

int sock_family(struct sock *sk)
{
    return sk->domain;
}

bool sock_is_stream(struct sock *sk)
{
    return sk->type == LINUX_SOCK_STREAM;
}

unsigned sock_poll(struct sock *sk)
{
    return __atomic_load_n(&sk->mask, __ATOMIC_ACQUIRE);
}

struct wait_queue *sock_wait_queue(struct sock *sk)
{
    return &sk->wq;
}

size_t sock_readable(struct sock *sk)
{
    size_t n;

    net_lock();
    if (sk->type == LINUX_SOCK_STREAM)
        n = sk->rx_bytes;
    else
        n = list_empty(&sk->dgrams)
                ? 0
                : container_of(list_first(&sk->dgrams), struct dgram, node)->p->tot_len;
    sock_unlock_update(sk);
    return n;
}

int sock_atmark(struct sock *sk)
{
    int rc;

    net_lock();
    rc = sk->type != LINUX_SOCK_STREAM ? -ENOTTY : net_tcp_urg_atmark(sk);
    net_unlock();
    return rc;
}

int sock_inq(struct sock *sk)
{
    size_t n;

    if (sk->state == SK_LISTEN)
        return -EINVAL;
    n = sock_readable(sk);
    return n > INT32_MAX ? INT32_MAX : (int)n;
}
