/*
 * netlink.c - AF_NETLINK sockets, NETLINK_ROUTE only, enough for glibc's and musl's
 * getifaddrs and if_nameindex: RTM_GETLINK and RTM_GETADDR dumps answered from lwIP's
 * interfaces (net/net_ifreq.h names and indexes them as Linux would).
 *
 * A request (sendto/sendmsg/write) is answered at once: its replies are built under the
 * network lock and queued on the socket as datagrams, each a run of netlink messages
 * (NLM_F_MULTI) ended by NLMSG_DONE, with the request's sequence number and the socket's
 * port id. The reader takes one datagram per recv (cut with MSG_TRUNC, as Linux's). Other
 * requests are answered with NLMSG_ERROR: -EOPNOTSUPP for an unknown message type (Linux's
 * answer for a type no handler has), -EINVAL for a short one; a request with NLM_F_ACK
 * that succeeds gets the error 0 acknowledgement. The port id is the process's pid for the
 * first socket bound (autobound on first send, as Linux), then unique negative numbers.
 *
 * Locking: the socket's lock (a spinlock) guards its queue; poll takes it (never sleeps).
 */
#include "core/abi/poll.h"
#include "core/abi/socket.h"
#include "core/abi/stat.h"
#include "core/abi/fcntl.h"
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/lib/list.h"
#include "fs/file/file.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"
#include "lwip/netif.h"
#include "net/net.h"
#include "net/net_ifreq.h"
#include "net/netlink.h"

#define NETLINK_ROUTE 0
#define NLMSG_ERROR 2
#define NLMSG_DONE 3
#define NLM_F_REQUEST 0x1
#define NLM_F_MULTI 0x2
#define NLM_F_ACK 0x4
#define NLM_F_DUMP 0x300
#define RTM_NEWLINK 16
#define RTM_GETLINK 18
#define RTM_NEWADDR 20
#define RTM_GETADDR 22
#define IFLA_ADDRESS 1
#define IFLA_BROADCAST 2
#define IFLA_IFNAME 3
#define IFLA_MTU 4
#define IFA_ADDRESS 1
#define IFA_LOCAL 2
#define IFA_LABEL 3
#define IFA_BROADCAST 4
#define ARPHRD_ETHER 1
#define ARPHRD_LOOPBACK 772
#define RT_SCOPE_UNIVERSE 0
#define RT_SCOPE_LINK 253
#define RT_SCOPE_HOST 254
#define IFA_F_PERMANENT 0x80
#define NL_BUF 16384
#define NL_ALIGN(n) (((n) + 3u) & ~3u)

struct nlmsghdr {
    uint32_t len;
    uint16_t type, flags;
    uint32_t seq, pid;
};

struct sockaddr_nl {
    uint16_t family, pad;
    uint32_t pid, groups;
};

struct nl_dgram {
    struct list_node node;
    size_t len;
    uint8_t data[];
};

struct nl_sock {
    struct spinlock lock;
    struct wait_queue wq;
    struct list rxq;
    unsigned rx_count;
    uint32_t portid; /* 0: not bound yet */
    int type;
    uint32_t pid; /* the process's: the first socket's port id */
    bool nonblock;
    uint64_t rcvtimeo;
};

static uint32_t next_port; /* unique port ids after the pid: -4096, -4097, ... */
static struct spinlock port_lock = SPINLOCK_INIT("netlink.port");
static bool pid_port_taken;

/* --- building replies ------------------------------------------------------------------------- */

struct nl_buf {
    uint8_t *b;
    size_t len, cap;
    bool full;
};

static void *nl_put(struct nl_buf *o, const void *d, size_t n)
{
    void *at;

    if (o->len + NL_ALIGN(n) > o->cap) {
        o->full = true;
        return NULL;
    }
    at = o->b + o->len;
    memset(at, 0, NL_ALIGN(n));
    if (d)
        memcpy(at, d, n);
    o->len += NL_ALIGN(n);
    return at;
}

static void nl_attr(struct nl_buf *o, uint16_t type, const void *d, uint16_t n)
{
    uint16_t h[2] = {(uint16_t)(4 + n), type};
    size_t at = o->len;

    if (!nl_put(o, h, 4))
        return;
    if (!nl_put(o, d, n))
        o->len = at;
}

/* Start a message; returns its offset (finished by nl_end). */
static size_t nl_begin(struct nl_buf *o, uint16_t type, uint16_t flags, uint32_t seq,
                       uint32_t pid)
{
    struct nlmsghdr h = {0, type, flags, seq, pid};
    size_t at = o->len;

    nl_put(o, &h, sizeof(h));
    return at;
}

static void nl_end(struct nl_buf *o, size_t at)
{
    struct nlmsghdr *h = (void *)(o->b + at);

    if (!o->full)
        h->len = (uint32_t)(o->len - at);
}

/* Network lock held. */
static void link_msg(struct nl_buf *o, struct netif *n, uint32_t seq, uint32_t pid)
{
    struct {
        uint8_t family, pad;
        uint16_t type;
        int32_t index;
        uint32_t flags, change;
    } ifi = {0, 0, net_if_is_loopback(n) ? ARPHRD_LOOPBACK : ARPHRD_ETHER,
             (int32_t)net_if_index(n), net_if_flags(n), 0};
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, zero[6];
    char name[NET_IFNAMSIZ];
    uint32_t mtu = n->mtu ? n->mtu : 65536;
    size_t at = nl_begin(o, RTM_NEWLINK, NLM_F_MULTI, seq, pid);

    net_if_name(n, name);
    nl_put(o, &ifi, sizeof(ifi));
    nl_attr(o, IFLA_IFNAME, name, (uint16_t)(strlen(name) + 1));
    nl_attr(o, IFLA_MTU, &mtu, 4);
    nl_attr(o, IFLA_ADDRESS, net_if_is_loopback(n) ? zero : n->hwaddr, 6);
    nl_attr(o, IFLA_BROADCAST, net_if_is_loopback(n) ? zero : bcast, 6);
    nl_end(o, at);
}

static uint8_t prefix_len(uint32_t mask_be)
{
    uint8_t n = 0;

    for (int i = 0; i < 32; i++)
        n += (lwip_ntohl(mask_be) >> i) & 1;
    return n;
}

/* One RTM_NEWADDR: family, prefix, scope, the address (4 or 16 bytes), broadcast or none. */
static void addr_msg(struct nl_buf *o, struct netif *n, uint8_t family, uint8_t plen,
                     uint8_t scope, const void *a, uint16_t alen, const void *brd,
                     uint32_t seq, uint32_t pid)
{
    struct {
        uint8_t family, prefixlen, flags, scope;
        uint32_t index;
    } ifa = {family, plen, IFA_F_PERMANENT, scope, net_if_index(n)};
    char name[NET_IFNAMSIZ];
    size_t at = nl_begin(o, RTM_NEWADDR, NLM_F_MULTI, seq, pid);

    net_if_name(n, name);
    nl_put(o, &ifa, sizeof(ifa));
    nl_attr(o, IFA_ADDRESS, a, alen);
    if (family == LINUX_AF_INET) {
        nl_attr(o, IFA_LOCAL, a, alen);
        if (brd)
            nl_attr(o, IFA_BROADCAST, brd, 4);
        nl_attr(o, IFA_LABEL, name, (uint16_t)(strlen(name) + 1));
    }
    nl_end(o, at);
}

static void addr_msgs(struct nl_buf *o, struct netif *n, int family, uint32_t seq, uint32_t pid)
{
    uint32_t a = ip4_addr_get_u32(netif_ip4_addr(n)), m = ip4_addr_get_u32(netif_ip4_netmask(n));

    if (a && family != LINUX_AF_INET6) {
        uint32_t b = (a & m) | ~m;

        addr_msg(o, n, LINUX_AF_INET, prefix_len(m),
                 net_if_is_loopback(n) ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE, &a, 4,
                 (n->flags & NETIF_FLAG_BROADCAST) ? &b : NULL, seq, pid);
    }
    for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES && family != LINUX_AF_INET; i++) {
        const ip6_addr_t *a6 = netif_ip6_addr(n, i);

        if (!ip6_addr_isvalid(netif_ip6_addr_state(n, i)))
            continue;
        addr_msg(o, n, LINUX_AF_INET6, 64,
                 ip6_addr_islinklocal(a6) ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE, a6->addr, 16,
                 NULL, seq, pid);
    }
}

/* Network lock held: the dump of one request, in index order. */
static void dump(struct nl_buf *o, uint16_t type, int family, uint32_t seq, uint32_t pid)
{
    for (unsigned idx = 1; idx < 256; idx++) {
        struct netif *n = net_if_by_index(idx);

        if (!n)
            break;
        if (type == RTM_GETLINK)
            link_msg(o, n, seq, pid);
        else
            addr_msgs(o, n, family, seq, pid);
    }
    if (type == RTM_GETADDR && family != LINUX_AF_INET) { /* lwIP's loopback has ::1 only */
        struct netif *lo = net_if_by_index(1);                /* as an address of its own */
        static const uint8_t one[16] = {[15] = 1};

        if (lo && !o->full)
            addr_msg(o, lo, LINUX_AF_INET6, 128, RT_SCOPE_HOST, one, 16, NULL, seq, pid);
    }
}

static void error_msg(struct nl_buf *o, const struct nlmsghdr *req, int err, uint32_t pid)
{
    size_t at = nl_begin(o, NLMSG_ERROR, 0, req->seq, pid);

    nl_put(o, &err, sizeof(err));
    nl_put(o, req, sizeof(*req));
    nl_end(o, at);
}

/* --- the socket --------------------------------------------------------------------------- */

static void queue_reply(struct nl_sock *s, struct nl_buf *o)
{
    struct nl_dgram *d = kmalloc(sizeof(*d) + o->len);
    uint64_t tok;

    if (!d)
        return; /* Linux drops replies it cannot allocate too (ENOBUFS on the reader) */
    d->len = o->len;
    memcpy(d->data, o->b, o->len);
    tok = spin_lock_irqsave(&s->lock);
    list_push_back(&s->rxq, &d->node);
    s->rx_count++;
    spin_unlock_irqrestore(&s->lock, tok);
    wq_wake_key(&s->wq, LINUX_EPOLLIN | LINUX_EPOLLRDNORM | LINUX_EPOLLOUT | LINUX_EPOLLWRNORM, 0);
}

static uint32_t port_new(void)
{
    uint64_t tok = spin_lock_irqsave(&port_lock);
    uint32_t p;

    if (!pid_port_taken) {
        pid_port_taken = true;
        p = 0; /* the caller puts the pid */
    } else {
        p = (uint32_t)-4096 - next_port++;
    }
    spin_unlock_irqrestore(&port_lock, tok);
    return p;
}

static void autobind(struct nl_sock *s)
{
    if (!s->portid) {
        uint32_t p = port_new();

        s->portid = p ? p : s->pid;
    }
}

/* Answer one request message. */
static void answer(struct nl_sock *s, const struct nlmsghdr *h, const uint8_t *body,
                   size_t blen, struct nl_buf *o)
{
    int family = blen >= 1 ? body[0] : 0;

    if (h->type < 16) /* control messages (NOOP, ERROR, DONE...): Linux ignores them */
        return;
    if ((h->type == RTM_GETLINK || h->type == RTM_GETADDR) && (h->flags & NLM_F_DUMP) ==
                                                                  NLM_F_DUMP) {
        size_t at;

        net_lock();
        dump(o, h->type, family, h->seq, s->portid);
        net_unlock();
        at = nl_begin(o, NLMSG_DONE, NLM_F_MULTI, h->seq, s->portid);
        nl_put(o, &(int32_t){0}, 4);
        nl_end(o, at);
        return;
    }
    error_msg(o, h, (h->type == RTM_GETLINK || h->type == RTM_GETADDR) ? -EINVAL : -EOPNOTSUPP,
              s->portid);
}

static long nl_send(void *sv, const void *buf, size_t len, int flags, const struct sock_addr *to,
                    struct sock_ctl *ctl)
{
    struct nl_sock *s = sv;
    struct nl_buf o = {kmalloc(NL_BUF), 0, NL_BUF, false};
    size_t off = 0;
    int rc;

    (void)flags;
    (void)ctl;
    if (to && to->len < sizeof(struct sockaddr_nl))
        return -EINVAL;
    if (!o.b)
        return -ENOMEM;
    if ((rc = net_start())) {
        kfree(o.b);
        return rc;
    }
    autobind(s);
    while (len - off >= sizeof(struct nlmsghdr)) { /* each message of the datagram */
        struct nlmsghdr h;

        memcpy(&h, (const uint8_t *)buf + off, sizeof(h));
        if (h.len < sizeof(h) || h.len > len - off)
            break;
        if (h.flags & NLM_F_REQUEST) {
            answer(s, &h, (const uint8_t *)buf + off + sizeof(h), h.len - sizeof(h), &o);
            if (o.len)
                queue_reply(s, &o);
            o.len = 0;
            o.full = false;
        }
        off += NL_ALIGN(h.len);
    }
    kfree(o.b);
    return (long)len;
}

static bool nl_ready(struct nl_sock *s)
{
    return __atomic_load_n(&s->rx_count, __ATOMIC_ACQUIRE) > 0;
}

static long nl_recv(void *sv, void *buf, size_t len, int flags, void *from, uint32_t *flen,
                    int *mflags, struct sock_ctl *ctl)
{
    struct nl_sock *s = sv;
    struct sockaddr_nl kernel = {LINUX_AF_NETLINK, 0, 0, 0};
    struct nl_dgram *d;
    uint64_t tok, deadline = s->rcvtimeo ? hal_clock_ns() + s->rcvtimeo : UINT64_MAX;
    long n;

    (void)ctl;
    if (mflags)
        *mflags = 0;
    tok = spin_lock_irqsave(&s->wq.lock);
    while (!nl_ready(s)) {
        int rc = (s->nonblock || (flags & LINUX_MSG_DONTWAIT))
                     ? -EAGAIN
                     : wq_wait_locked_intr(&s->wq, &tok, deadline);

        if (rc && !nl_ready(s)) {
            spin_unlock_irqrestore(&s->wq.lock, tok);
            return rc == -ETIMEDOUT ? -EAGAIN : rc == -EINTR ? (s->rcvtimeo ? -EINTR : -ERESTARTSYS) : rc;
        }
    }
    spin_unlock_irqrestore(&s->wq.lock, tok);
    tok = spin_lock_irqsave(&s->lock);
    d = container_of(list_first(&s->rxq), struct nl_dgram, node);
    if (!(flags & LINUX_MSG_PEEK)) {
        list_remove(&d->node);
        s->rx_count--;
    }
    spin_unlock_irqrestore(&s->lock, tok);
    n = (long)(d->len < len ? d->len : len);
    memcpy(buf, d->data, (size_t)n);
    if ((size_t)n < d->len && mflags)
        *mflags |= LINUX_MSG_TRUNC;
    if (flags & LINUX_MSG_TRUNC)
        n = (long)d->len;
    if (flen) {
        memcpy(from, &kernel, *flen < sizeof(kernel) ? *flen : sizeof(kernel));
        *flen = sizeof(kernel);
    }
    if (!(flags & LINUX_MSG_PEEK))
        kfree(d);
    return n;
}

static int nl_bind(void *sv, const struct sock_addr *a)
{
    struct nl_sock *s = sv;
    struct sockaddr_nl nl;

    if (a->len < sizeof(nl))
        return -EINVAL;
    memcpy(&nl, a->sa, sizeof(nl));
    if (nl.family != LINUX_AF_NETLINK)
        return -EINVAL;
    if (s->portid && nl.pid && nl.pid != s->portid)
        return -EINVAL;
    if (!s->portid && nl.pid) {
        uint64_t tok = spin_lock_irqsave(&port_lock);

        pid_port_taken |= nl.pid == s->pid;
        spin_unlock_irqrestore(&port_lock, tok);
        s->portid = nl.pid;
    }
    autobind(s);
    return 0;
}

static int nl_getname(void *sv, bool peer, void *addr, uint32_t *len)
{
    struct nl_sock *s = sv;
    struct sockaddr_nl nl = {LINUX_AF_NETLINK, 0, peer ? 0 : s->portid, 0};

    memcpy(addr, &nl, *len < sizeof(nl) ? *len : sizeof(nl));
    *len = sizeof(nl);
    return 0;
}

static int nl_connect(void *sv, const struct sock_addr *a)
{
    (void)a;
    autobind(sv);
    return 0; /* the only peer is the kernel */
}

static int nl_nolisten(void *sv, int backlog)
{
    (void)sv;
    (void)backlog;
    return -EOPNOTSUPP;
}

static int nl_noaccept(void *sv, void **out, void *peer, uint32_t *plen)
{
    (void)sv;
    (void)out;
    (void)peer;
    (void)plen;
    return -EOPNOTSUPP;
}

static int nl_shutdown(void *sv, int how)
{
    (void)sv;
    return how < LINUX_SHUT_RD || how > LINUX_SHUT_RDWR ? -EINVAL : 0;
}

static int nl_setsockopt(void *sv, int level, int name, const void *val, uint32_t len)
{
    struct nl_sock *s = sv;

    if (level != LINUX_SOL_SOCKET && level != 270 /* SOL_NETLINK */)
        return -ENOPROTOOPT;
    if (len < sizeof(int))
        return -EINVAL;
    if (level == LINUX_SOL_SOCKET && name == LINUX_SO_RCVTIMEO_OLD && len >= 16) {
        int64_t tv[2];

        memcpy(tv, val, sizeof(tv));
        if (tv[1] < 0 || tv[1] >= 1000000)
            return -EDOM;
        s->rcvtimeo = tv[0] < 0 ? 1 : (uint64_t)tv[0] * 1000000000ULL + (uint64_t)tv[1] * 1000;
    }
    return 0; /* buffer sizes, NETLINK_EXT_ACK...: accepted, nothing depends on them */
}

static int nl_getsockopt(void *sv, int level, int name, void *val, uint32_t *len)
{
    struct nl_sock *s = sv;
    int v;

    if (level != LINUX_SOL_SOCKET)
        return -ENOPROTOOPT;
    switch (name) {
    case LINUX_SO_TYPE: v = s->type; break;
    case LINUX_SO_DOMAIN: v = LINUX_AF_NETLINK; break;
    case LINUX_SO_PROTOCOL: v = NETLINK_ROUTE; break;
    case LINUX_SO_RCVBUF: case LINUX_SO_SNDBUF: v = 212992; break;
    case LINUX_SO_ERROR: v = 0; break;
    default: return -ENOPROTOOPT;
    }
    if (*len > sizeof(v))
        *len = sizeof(v);
    memcpy(val, &v, *len);
    return 0;
}

static enum sock_data nl_data(void *sv)
{
    (void)sv;
    return SOCK_DATA_RECORDS;
}

static void nl_close(void *sv)
{
    struct nl_sock *s = sv;
    struct list_node *n;
    uint64_t tok = spin_lock_irqsave(&port_lock);

    if (s->portid && s->portid == s->pid)
        pid_port_taken = false; /* the next socket may have the pid again */
    spin_unlock_irqrestore(&port_lock, tok);
    while ((n = list_pop_front(&s->rxq)))
        kfree(container_of(n, struct nl_dgram, node));
    kfree(s);
}

/* --- the file kind ------------------------------------------------------------------------ */

static long nf_read(struct file *f, void *buf, size_t n, uint64_t *pos)
{
    (void)pos;
    if (n == 0)
        return 0; /* Linux's read(2) of a socket, before the protocol (recv(2) asks it) */
    return nl_recv(f->priv, buf, n, 0, NULL, NULL, NULL, NULL);
}

static long nf_write(struct file *f, const void *buf, size_t n, uint64_t *pos)
{
    (void)pos;
    return nl_send(f->priv, buf, n, 0, NULL, NULL);
}

static unsigned nf_poll(struct file *f, struct poll_table *pt)
{
    struct nl_sock *s = f->priv;

    poll_wait(pt, &s->wq);
    return (nl_ready(s) ? LINUX_EPOLLIN | LINUX_EPOLLRDNORM : 0) | LINUX_EPOLLOUT |
           LINUX_EPOLLWRNORM;
}

static int nf_stat(struct file *f, struct vfs_stat *st)
{
    memset(st, 0, sizeof(*st));
    st->st_mode = LINUX_S_IFSOCK | 0777;
    st->st_ino = (uint64_t)(uintptr_t)f->priv >> 4;
    st->st_nlink = 1;
    st->st_blksize = 4096;
    return 0;
}

static int nf_setfl(struct file *f, unsigned flags)
{
    ((struct nl_sock *)f->priv)->nonblock = flags & LINUX_O_NONBLOCK;
    return 0;
}

static int nf_ioctl(struct file *f, unsigned long req, const struct file_uarg *arg)
{
    (void)f;
    return net_ifreq_ioctl(req, arg, false);
}

static void nf_release(struct file *f)
{
    nl_close(f->priv);
}

static const struct file_ops netlink_file_ops = {
    .name = "netlink",
    .read = nf_read,
    .write = nf_write,
    .poll = nf_poll,
    .ioctl = nf_ioctl,
    .stat = nf_stat,
    .setfl = nf_setfl,
    .release = nf_release,
};

static struct file *nl_file_open(void *sv, bool nonblock)
{
    ((struct nl_sock *)sv)->nonblock = nonblock;
    return file_alloc(&netlink_file_ops, sv, LINUX_O_RDWR | (nonblock ? LINUX_O_NONBLOCK : 0), 0);
}

static long nl_sendk(void *sv, const void *buf, size_t len, int flags, const struct sock_addr *to,
                     struct sock_ctl *ctl)
{
    if (!buf)
        return -ENOBUFS; /* larger than anything the syscall layer copies */
    return nl_send(sv, buf, len, flags, to, ctl);
}

const struct sock_kind netlink_kind = {
    .family = LINUX_AF_NETLINK,
    .file_open = nl_file_open,
    .close = nl_close,
    .bind = nl_bind,
    .connect = nl_connect,
    .listen = nl_nolisten,
    .accept = nl_noaccept,
    .send = nl_sendk,
    .recv = nl_recv,
    .shutdown = nl_shutdown,
    .getname = nl_getname,
    .setsockopt = nl_setsockopt,
    .getsockopt = nl_getsockopt,
    .data = nl_data,
};

void *netlink_of_file(struct file *f)
{
    return f->ops == &netlink_file_ops ? f->priv : NULL;
}

int netlink_create(int type, int protocol, int pid, void **out)
{
    struct nl_sock *s;

    if (type != LINUX_SOCK_RAW && type != LINUX_SOCK_DGRAM)
        return -ESOCKTNOSUPPORT;
    if (protocol != NETLINK_ROUTE)
        return -EPROTONOSUPPORT;
    s = kzalloc(sizeof(*s));
    if (!s)
        return -ENOMEM;
    spin_init(&s->lock, "netlink");
    wq_init(&s->wq, "netlink");
    list_init(&s->rxq);
    s->type = type;
    s->pid = (uint32_t)pid;
    *out = s;
    return 0;
}
