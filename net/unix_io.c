/*
 * unix_io.c - AF_UNIX data, shutdown and options (unix_internal.h).
 *
 * A send becomes one struct unix_msg on the receiver's queue, charged to the sender (its
 * bytes plus UNIX_MSG_COST) until it is read: a sender waits while its charge reaches
 * SO_SNDBUF, as Linux's sk_wmem_alloc, and a datagram sender also while a destination that
 * is not connected back to it holds more than UNIX_DGRAM_QLEN datagrams. Records (datagrams,
 * seqpackets) are read whole or cut (MSG_TRUNC); a stream read runs across messages but
 * stops after a message that carried descriptors and before one from another sender when
 * the reader has SO_PASSCRED, as Linux never glues those. Descriptors (SCM_RIGHTS) travel
 * as file references inside the message: a reader takes them (a peek takes new references),
 * and a message dropped unread drops them (after unix_lock: struct unix_reap).
 */
#include "core/abi/poll.h"
#include "core/abi/signal.h"
#include "core/abi/socket.h"
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "fs/file/file.h"
#include "hal/hal_errno.h"
#include "net/unix_internal.h"

#define SNDBUF_MIN 4608u
#define RCVBUF_MIN 2304u
#define NS_PER_US 1000ULL
#define US_PER_SEC 1000000LL
/* the SOL_SOCKET flags recorded for any socket (setsockopt, then getsockopt) */
#define FLAG_OPTS                                                                                  \
    ((1u << LINUX_SO_REUSEADDR) | (1u << LINUX_SO_KEEPALIVE) | (1u << LINUX_SO_BROADCAST) |        \
     (1u << LINUX_SO_DONTROUTE) | (1u << LINUX_SO_OOBINLINE) | (1u << LINUX_SO_REUSEPORT) |        \
     (1u << LINUX_SO_DEBUG))

static int take_error(struct unix_sock *u)
{
    int e = u->error;

    u->error = 0;
    return -e;
}

/* --- messages ------------------------------------------------------------------------------------ */

/* A message of len bytes; from ctl: its descriptors and credentials (else u's own). */
static struct unix_msg *msg_new(struct unix_sock *u, const void *buf, size_t len,
                                struct sock_ctl *ctl)
{
    struct unix_msg *m = kmalloc(sizeof(*m) + (len ? len : 1));

    if (!m)
        return NULL;
    memset(m, 0, sizeof(*m));
    memcpy(m->data, buf, len);
    m->len = len;
    m->cred = u->cred;
    if (ctl) {
        m->cred = ctl->cred;
        if (ctl->nfiles) { /* the message takes the ctl's references */
            m->files = ctl->files;
            m->nfiles = ctl->nfiles;
            ctl->files = NULL;
            ctl->nfiles = 0;
        }
    }
    return m;
}

/* Give back what msg_new took from ctl (the send failed): the caller still owns them. */
static void msg_unnew(struct unix_msg *m, struct sock_ctl *ctl)
{
    if (ctl && m->nfiles) {
        ctl->files = m->files;
        ctl->nfiles = m->nfiles;
    }
    kfree(m);
}

static void enqueue(struct unix_sock *u, struct unix_sock *to, struct unix_msg *m)
{
    m->sender = u;
    u->refs++;
    u->wmem += m->len + UNIX_MSG_COST;
    u->wdata += m->len;
    list_push_back(&to->rxq, &m->node);
    __atomic_add_fetch(&unix_inflight, m->nfiles, __ATOMIC_RELAXED);
    to->rx_bytes += m->len;
    to->rx_count++;
    unix_wake(to);
    unix_async(to, LINUX_POLL_IN); /* Linux: sk_data_ready */
}

/* The receiver takes m's descriptors (peek: new references); without a ctl they are lost. */
static void take_files(struct unix_msg *m, bool peek, struct sock_ctl *ctl)
{
    if (!m->nfiles || !ctl || ctl->nfiles)
        return;
    if (!ctl->files && !(ctl->files = kmalloc(SOCK_CTL_MAX_FILES * sizeof(struct file *))))
        return;
    for (unsigned i = 0; i < m->nfiles; i++) {
        ctl->files[i] = m->files[i];
        if (peek)
            file_get(m->files[i]);
    }
    ctl->nfiles = m->nfiles;
    if (!peek) {
        __atomic_sub_fetch(&unix_inflight, m->nfiles, __ATOMIC_RELAXED);
        m->nfiles = 0;
    }
}

/* --- send ---------------------------------------------------------------------------------------- */

static bool stream_room(struct unix_sock *u, void *arg)
{
    (void)arg;
    if (u->wmem < u->sndbuf || u->snd_shut || u->peer->dead || u->peer->rcv_shut)
        return true;
    unix_async_full(u);
    return false;
}

static long stream_send(struct unix_sock *u, const void *buf, size_t len, int flags,
                        const struct sock_addr *to, struct sock_ctl *ctl)
{
    bool nonblock = u->nonblock || (flags & LINUX_MSG_DONTWAIT);
    struct unix_msg *m;
    uint64_t tok;
    long rc;

    if (to)
        return u->state == U_CONNECTED ? -EISCONN : -EOPNOTSUPP;
    tok = unix_lock_take();
    if (u->state != U_CONNECTED || !u->peer)
        rc = -ENOTCONN;
    else
        rc = unix_wait(u, stream_room, u, NULL, nonblock, u->sndtimeo, &tok);
    if (rc == 0 && (u->snd_shut || u->peer->dead || u->peer->rcv_shut))
        rc = -EPIPE;
    if (rc == 0 && len == 0)
        goto out;
    if (rc == 0 && !(m = msg_new(u, buf, len, ctl)))
        rc = -ENOBUFS;
    if (rc == 0) {
        enqueue(u, u->peer, m);
        rc = (long)len;
    }
out:
    unix_unlock(tok);
    return rc;
}

struct dest {
    struct unix_sock *d;
    bool wmem_full;
};

/* Room for u's record at d: its own charge and (datagrams) d's queue. */
static bool record_room(struct unix_sock *u, void *arg)
{
    struct dest *ds = arg;
    struct unix_sock *d = ds->d;

    if (d->dead || d->rcv_shut || u->snd_shut)
        return true;
    ds->wmem_full = u->wmem >= u->sndbuf;
    if (ds->wmem_full)
        unix_async_full(u);
    return !ds->wmem_full &&
           !(u->type == LINUX_SOCK_DGRAM && d->peer != u && d->rx_count > UNIX_DGRAM_QLEN);
}

/* unix_lock held: the destination of a record, its checks as Linux's unix_dgram_sendmsg. */
static int record_dest(struct unix_sock *u, const struct sock_addr *to, struct unix_sock **d)
{
    int rc;

    if (u->snd_shut)
        return -EPIPE;
    if (u->type == LINUX_SOCK_SEQPACKET || !to) {
        if (!u->peer)
            return -ENOTCONN;
        *d = u->peer;
    } else if ((rc = unix_find(to, u->type, d))) {
        return rc;
    }
    if ((*d)->dead) {
        if (*d == u->peer && u->type == LINUX_SOCK_DGRAM) {
            list_remove(&u->client_node);
            u->peer = NULL;
            u->state = U_NEW;
            unix_sock_put(*d);
        }
        return u->type == LINUX_SOCK_DGRAM ? -ECONNREFUSED : -EPIPE;
    }
    if (u->type == LINUX_SOCK_DGRAM && (*d)->peer && (*d)->peer != u)
        return -EPERM;
    if ((*d)->rcv_shut)
        return -EPIPE;
    return 0;
}

static long record_queue(struct unix_sock *u, const struct sock_addr *to, struct unix_msg *m,
                         bool nonblock, uint64_t *tok)
{
    for (;;) {
        struct dest ds = {NULL, false};
        int rc = record_dest(u, to, &ds.d);

        if (rc)
            return rc;
        if (record_room(u, &ds)) {
            enqueue(u, ds.d, m);
            return (long)m->len;
        }
        if (nonblock)
            return -EAGAIN;
        /* our own charge: woken as receivers read it; a full queue: woken as d reads */
        rc = unix_wait(ds.wmem_full ? u : ds.d, record_room, u, &ds, false, u->sndtimeo, tok);
        if (rc)
            return rc;
    }
}

static long record_send(struct unix_sock *u, const void *buf, size_t len, int flags,
                        const struct sock_addr *to, struct sock_ctl *ctl)
{
    bool nonblock = u->nonblock || (flags & LINUX_MSG_DONTWAIT);
    struct unix_msg *m;
    uint64_t tok;
    long rc = 0;

    if (u->type == LINUX_SOCK_SEQPACKET) {
        if (u->state != U_CONNECTED)
            return -ENOTCONN;
        to = NULL; /* Linux ignores a seqpacket's destination */
    }
    if (to && (rc = unix_addr_check(to)))
        return rc;
    if (len > u->sndbuf - 32 || !buf) /* !buf: the syscall layer did not read it */
        return -EMSGSIZE;
    m = msg_new(u, buf, len, ctl);
    if (!m)
        return -ENOBUFS;
    tok = unix_lock_take();
    if (u->passcred && !u->name.len)
        rc = unix_autobind(u);
    if (rc == 0)
        rc = record_queue(u, to, m, nonblock, &tok);
    unix_unlock(tok);
    if (rc < 0)
        msg_unnew(m, ctl);
    return rc;
}

long unix_send(void *s, const void *buf, size_t len, int flags, const struct sock_addr *to,
               struct sock_ctl *ctl)
{
    struct unix_sock *u = s;

    if (flags & LINUX_MSG_OOB)
        return -EOPNOTSUPP;
    unix_gc_before_send(ctl);
    if (u->type == LINUX_SOCK_STREAM)
        return stream_send(u, buf, len, flags, to, ctl);
    return record_send(u, buf, len, flags, to, ctl);
}

/* --- receive ------------------------------------------------------------------------------------ */

static bool can_recv(struct unix_sock *u, void *arg)
{
    (void)arg;
    return u->rx_count || u->rcv_shut || u->error || u->state != U_CONNECTED;
}

static bool dgram_can_recv(struct unix_sock *u, void *arg)
{
    (void)arg;
    return u->rx_count || u->rcv_shut || u->error;
}

/* The sender's name into from (room bytes at most); *flen: its full length (0: unnamed). */
static void name_out(struct unix_sock *sender, void *from, uint32_t room, uint32_t *flen)
{
    uint32_t n = sender->name.len;

    if (!flen)
        return;
    memcpy(from, sender->name.sa, room < n ? room : n);
    *flen = n;
}

/* A read took from m: drop it when done (the sender is woken), wake the reader's pollers. */
static void consumed(struct unix_sock *u, struct unix_msg *m, struct unix_reap *r)
{
    if (m->off < m->len)
        return;
    list_remove(&m->node);
    u->rx_count--;
    unix_msg_free(m, r);
}

static bool cred_differs(const struct sock_cred *a, const struct sock_cred *b)
{
    return a->pid != b->pid || a->uid != b->uid || a->gid != b->gid;
}

/* unix_lock held, data queued: copy up to len bytes across messages. */
static size_t stream_take(struct unix_sock *u, uint8_t *buf, size_t len, bool peek,
                          void *from, uint32_t *flen, struct sock_ctl *ctl, struct unix_reap *r)
{
    uint32_t room = flen ? *flen : 0;
    struct list_node *n = list_first(&u->rxq), *next;
    size_t got = 0;

    for (; n && n != &u->rxq.head && got < len; n = next) {
        struct unix_msg *m = container_of(n, struct unix_msg, node);
        size_t c = m->len - m->off < len - got ? m->len - m->off : len - got;
        bool files = m->nfiles > 0;

        next = n->next;
        if (ctl && ctl->passcred) {
            if (ctl->cred_set && cred_differs(&ctl->cred, &m->cred))
                break;
            ctl->cred = m->cred;
            ctl->cred_set = true;
        }
        if (got == 0)
            name_out(m->sender, from, room, flen);
        memcpy(buf + got, m->data + m->off, c);
        got += c;
        take_files(m, peek, ctl);
        if (!peek) {
            m->off += c;
            u->rx_bytes -= c;
            consumed(u, m, r);
        }
        if (files) {
            if (ctl)
                ctl->stop = true;
            break;
        }
    }
    return got;
}

static long stream_recv(struct unix_sock *u, void *buf, size_t len, int flags, void *from,
                        uint32_t *flen, struct sock_ctl *ctl)
{
    bool nonblock = u->nonblock || (flags & LINUX_MSG_DONTWAIT);
    struct unix_reap r;
    uint64_t tok;
    long rc;

    unix_reap_init(&r);
    tok = unix_lock_take();
    if (u->state != U_CONNECTED)
        rc = -EINVAL;
    else
        rc = unix_wait(u, can_recv, u, NULL, nonblock, u->rcvtimeo, &tok);
    if (u->rx_count && (rc == 0 || rc == -EAGAIN)) {
        rc = (long)stream_take(u, buf, len, flags & LINUX_MSG_PEEK, from, flen, ctl, &r);
        unix_wake(u);
    } else {
        if (flen)
            *flen = 0;
        if (rc == 0 && u->error)
            rc = take_error(u);
    }
    unix_unlock_reap(tok, &r);
    return rc; /* 0: end of file (shut for reading, or the peer went) */
}

static void clients_wake(struct unix_sock *u)
{
    list_for_each(&u->clients, n)
        unix_wake(container_of(n, struct unix_sock, client_node));
}

static long record_recv(struct unix_sock *u, void *buf, size_t len, int flags, void *from,
                        uint32_t *flen, int *mflags, struct sock_ctl *ctl)
{
    bool nonblock = u->nonblock || (flags & LINUX_MSG_DONTWAIT), peek = flags & LINUX_MSG_PEEK;
    struct unix_msg *m;
    struct unix_reap r;
    uint32_t room = flen ? *flen : 0;
    uint64_t tok;
    long rc;

    if (flen)
        *flen = 0;
    if (u->type == LINUX_SOCK_SEQPACKET && u->state != U_CONNECTED)
        return -ENOTCONN;
    unix_reap_init(&r);
    tok = unix_lock_take();
    rc = unix_wait(u, dgram_can_recv, u, NULL, nonblock, u->rcvtimeo, &tok);
    if (!u->rx_count) {
        if (u->error)
            rc = take_error(u);
        else if (u->rcv_shut)
            rc = 0;
        goto out;
    }
    m = container_of(list_first(&u->rxq), struct unix_msg, node);
    rc = (long)(m->len < len ? m->len : len);
    memcpy(buf, m->data, (size_t)rc);
    if ((size_t)rc < m->len && mflags)
        *mflags |= LINUX_MSG_TRUNC;
    if (flags & LINUX_MSG_TRUNC)
        rc = (long)m->len;
    name_out(m->sender, from, room, flen);
    if (ctl && ctl->passcred) {
        ctl->cred = m->cred;
        ctl->cred_set = true;
    }
    take_files(m, peek, ctl);
    if (!peek) {
        u->rx_bytes -= m->len;
        m->off = m->len;
        consumed(u, m, &r);
        clients_wake(u);
    }
    unix_wake(u);
out:
    unix_unlock_reap(tok, &r);
    return rc;
}

long unix_recv(void *s, void *buf, size_t len, int flags, void *from, uint32_t *flen, int *mflags,
               struct sock_ctl *ctl)
{
    struct unix_sock *u = s;

    if (mflags)
        *mflags = 0;
    if (flags & LINUX_MSG_OOB)
        return -EOPNOTSUPP;
    if (u->type == LINUX_SOCK_STREAM)
        return stream_recv(u, buf, len, flags, from, flen, ctl);
    return record_recv(u, buf, len, flags, from, flen, mflags, ctl);
}

/* --- shutdown ------------------------------------------------------------------------------------ */

int unix_shutdown(void *s, int how)
{
    struct unix_sock *u = s, *p;
    bool rd = how != LINUX_SHUT_WR, wr = how != LINUX_SHUT_RD;
    uint64_t tok;

    if (how < LINUX_SHUT_RD || how > LINUX_SHUT_RDWR)
        return -EINVAL;
    tok = unix_lock_take();
    u->rcv_shut |= rd;
    u->snd_shut |= wr;
    p = u->peer;
    if (p && u->type != LINUX_SOCK_DGRAM) { /* the peer's other direction */
        p->snd_shut |= rd;
        p->rcv_shut |= wr;
        unix_wake(p);
        if (rd && wr) /* Linux: POLL_HUP when both, POLL_IN when the peer's reading ends */
            unix_async(p, LINUX_POLL_HUP);
        else if (wr)
            unix_async(p, LINUX_POLL_IN);
    }
    unix_wake(u);
    unix_unlock(tok);
    return 0; /* even when not connected, as Linux */
}

/* --- options ------------------------------------------------------------------------------------- */

static int set_timeout(const void *val, uint32_t len, uint64_t *ns)
{
    struct linux_timeval tv;

    if (len < sizeof(tv))
        return -EINVAL;
    memcpy(&tv, val, sizeof(tv));
    if (tv.tv_usec < 0 || tv.tv_usec >= US_PER_SEC)
        return -EDOM;
    if (tv.tv_sec < 0)
        *ns = 1; /* "do not wait" */
    else if ((uint64_t)tv.tv_sec > UINT64_MAX / 1000000000ULL / 2)
        *ns = 0;
    else
        *ns = (uint64_t)tv.tv_sec * 1000000000ULL + (uint64_t)tv.tv_usec * NS_PER_US;
    return 0;
}

static size_t buf_size(int v, size_t min)
{
    size_t b = v < 0 ? 0 : (v > (int)UNIX_BUF_DEFAULT ? UNIX_BUF_DEFAULT : (size_t)v) * 2;

    return b < min ? min : b;
}

int unix_setsockopt(void *s, int level, int name, const void *val, uint32_t len)
{
    struct unix_sock *u = s;
    uint64_t tok;
    int v, rc = 0;

    if (level != LINUX_SOL_SOCKET)
        return -EOPNOTSUPP;
    if (name == LINUX_SO_RCVTIMEO_OLD)
        return set_timeout(val, len, &u->rcvtimeo);
    if (name == LINUX_SO_SNDTIMEO_OLD)
        return set_timeout(val, len, &u->sndtimeo);
    if (len < sizeof(int))
        return -EINVAL;
    memcpy(&v, val, sizeof(v));
    tok = unix_lock_take();
    switch (name) {
    case LINUX_SO_PASSCRED: u->passcred = v != 0; break;
    case LINUX_SO_SNDBUF: u->sndbuf = buf_size(v, SNDBUF_MIN); unix_wake(u); break;
    case LINUX_SO_RCVBUF: u->rcvbuf = buf_size(v, RCVBUF_MIN); break;
    default:
        if (name >= 0 && name < 32 && (FLAG_OPTS & (1u << name))) {
            u->opt_flags = v ? u->opt_flags | 1u << name : u->opt_flags & ~(1u << name);
            break;
        }
        rc = -ENOPROTOOPT;
    }
    unix_unlock(tok);
    return rc;
}

static int get_int(struct unix_sock *u, int name, int *v)
{
    switch (name) {
    case LINUX_SO_TYPE: *v = u->type; return 0;
    case LINUX_SO_DOMAIN: *v = LINUX_AF_UNIX; return 0;
    case LINUX_SO_PROTOCOL: *v = 0; return 0;
    case LINUX_SO_ACCEPTCONN: *v = u->state == U_LISTEN; return 0;
    case LINUX_SO_ERROR: *v = -take_error(u); return 0;
    case LINUX_SO_PASSCRED: *v = u->passcred; return 0;
    case LINUX_SO_SNDBUF: *v = (int)u->sndbuf; return 0;
    case LINUX_SO_RCVBUF: *v = (int)u->rcvbuf; return 0;
    case LINUX_SO_RCVLOWAT: case LINUX_SO_SNDLOWAT: *v = 1; return 0;
    default:
        if (name >= 0 && name < 32 && (FLAG_OPTS & (1u << name))) {
            *v = (u->opt_flags >> name) & 1;
            return 0;
        }
        return -ENOPROTOOPT;
    }
}

int unix_getsockopt(void *s, int level, int name, void *val, uint32_t *len)
{
    struct unix_sock *u = s;
    uint8_t out[16];
    uint32_t n = sizeof(int);
    uint64_t tok;
    int rc = 0;

    if (level != LINUX_SOL_SOCKET)
        return -EOPNOTSUPP;
    tok = unix_lock_take();
    if (name == LINUX_SO_PEERCRED) {
        struct sock_cred c = {0, UINT32_MAX, UINT32_MAX}; /* no peer: Linux's answer */

        if (u->has_peercred)
            c = u->peercred;
        memcpy(out, &c, sizeof(c));
        n = sizeof(c);
    } else if (name == LINUX_SO_RCVTIMEO_OLD || name == LINUX_SO_SNDTIMEO_OLD) {
        uint64_t ns = name == LINUX_SO_RCVTIMEO_OLD ? u->rcvtimeo : u->sndtimeo;
        struct linux_timeval tv = {(int64_t)(ns / 1000000000ULL),
                                   (int64_t)(ns % 1000000000ULL / NS_PER_US)};

        memcpy(out, &tv, sizeof(tv));
        n = sizeof(tv);
    } else {
        int v = 0;

        rc = get_int(u, name, &v);
        memcpy(out, &v, sizeof(v));
    }
    unix_unlock(tok);
    if (rc)
        return rc;
    if (*len > n)
        *len = n;
    memcpy(val, out, *len);
    return 0;
}

int unix_inq(struct unix_sock *u)
{
    uint64_t tok = unix_lock_take();
    long n = u->rx_bytes;

    if (u->state == U_LISTEN)
        n = -EINVAL;
    else if (u->type != LINUX_SOCK_STREAM) /* the next record's size, as Linux */
        n = u->rx_count ? (long)container_of(list_first(&u->rxq), struct unix_msg, node)->len : 0;
    unix_unlock(tok);
    return n > INT32_MAX ? INT32_MAX : (int)n;
}

int unix_outq(struct unix_sock *u)
{
    uint64_t tok = unix_lock_take();
    long n = u->state == U_LISTEN ? -EINVAL : (long)u->wdata;

    unix_unlock(tok);
    return n > INT32_MAX ? INT32_MAX : (int)n;
}
