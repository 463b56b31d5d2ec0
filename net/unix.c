/*
 * unix.c - AF_UNIX sockets: life, names, connections, waits and readiness (unix.h).
 *
 * A socket is a struct unix_sock under the one unix_lock (unix_internal.h). Names live in
 * one table: an abstract name (leading NUL) is its bytes; a path name is the socket inode the
 * syscall layer created with mknod (bind) or looked up (connect, sendto), compared by inode,
 * so a renamed or hard-linked socket file still reaches its socket and an unlinked one no
 * longer does. Autobind picks "\0" and five hex digits, as Linux.
 *
 * Connections: a stream or seqpacket connect finds a listener, makes the server-side child
 * at once (connected to the caller) and queues it for accept; the listener's backlog bounds
 * the children not yet accepted (backlog + 1 of them, as Linux; then -EAGAIN or a wait). A
 * datagram connect only records the default destination (peer) and joins the destination's
 * `clients`, whom it wakes when its queue drains (their writability follows it).
 *
 * Closing: a stream or seqpacket peer sees both directions shut (end of file, EPIPE) and
 * ECONNRESET when unread data was lost; a datagram sender to a closed socket gets
 * ECONNREFUSED once, then ENOTCONN. Unaccepted children are closed with their listener.
 *
 * Waits follow net/sock.c: check under the lock, note gen, sleep on the wait queue until gen
 * moves, so no wake-up is lost. Every wake carries the mask that is true now (wq_wake_key):
 * poll, select and edge-triggered epoll see each new event.
 */
#include "core/abi/poll.h"
#include "core/abi/signal.h"
#include "core/abi/socket.h"
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "fs/file/file.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"
#include "net/unix_internal.h"

#define PF_UNIX 1
#define SUN_OFF 2 /* offsetof(struct sockaddr_un, sun_path) */

struct spinlock unix_lock = SPINLOCK_INIT("unix");
static struct list names; /* named sockets (bound_node); unix_lock */
static bool names_ready;
static uint32_t autobind_next;

static struct list *name_table(void)
{
    if (!names_ready) {
        list_init(&names);
        names_ready = true;
    }
    return &names;
}

/* --- reaping ------------------------------------------------------------------------------- */

void unix_reap_init(struct unix_reap *r)
{
    list_init(&r->msgs);
    r->node = NULL;
}

void unix_unlock_reap(uint64_t tok, struct unix_reap *r)
{
    struct list_node *n;

    unix_unlock(tok);
    while ((n = list_pop_front(&r->msgs))) {
        struct unix_msg *m = container_of(n, struct unix_msg, node);

        for (unsigned i = 0; i < m->nfiles; i++)
            file_put(m->files[i]);
        kfree(m->files);
        kfree(m);
    }
    if (r->node)
        vfs_file_put(r->node);
    r->node = NULL;
}

/* --- readiness and waits --------------------------------------------------------------------- */

static bool writable(struct unix_sock *u)
{
    if (u->state == U_LISTEN || u->wmem * 4 > u->sndbuf)
        return false;
    /* a datagram destination that is not ours alone takes at most UNIX_DGRAM_QLEN + 1 */
    return !(u->type == LINUX_SOCK_DGRAM && u->peer && u->peer->peer != u &&
             u->peer->rx_count > UNIX_DGRAM_QLEN);
}

unsigned unix_mask(struct unix_sock *u)
{
    unsigned m = 0;

    if (u->error)
        m |= LINUX_EPOLLERR;
    if (u->rcv_shut && u->snd_shut)
        m |= LINUX_EPOLLHUP;
    if (u->rcv_shut)
        m |= LINUX_EPOLLRDHUP | LINUX_EPOLLIN | LINUX_EPOLLRDNORM;
    if (u->rx_count || u->nacc)
        m |= LINUX_EPOLLIN | LINUX_EPOLLRDNORM;
    if (u->type != LINUX_SOCK_DGRAM && u->state == U_NEW)
        m |= LINUX_EPOLLHUP;
    if (writable(u))
        m |= LINUX_EPOLLOUT | LINUX_EPOLLWRNORM | LINUX_EPOLLWRBAND;
    return m;
}

void unix_wake(struct unix_sock *u)
{
    unsigned m = unix_mask(u);
    uint64_t t = spin_lock_irqsave(&u->wq.lock);

    __atomic_store_n(&u->gen, u->gen + 1, __ATOMIC_RELEASE);
    wq_wake_key_locked(&u->wq, m, 0);
    spin_unlock_irqrestore(&u->wq.lock, t);
}

int unix_wait(struct unix_sock *w, bool (*ready)(struct unix_sock *, void *), struct unix_sock *u,
              void *arg, bool nonblock, uint64_t timeout, uint64_t *tok)
{
    uint64_t deadline = timeout ? hal_clock_ns() + timeout : UINT64_MAX;

    while (!ready(u, arg)) {
        uint64_t g = __atomic_load_n(&w->gen, __ATOMIC_ACQUIRE), t;
        int rc = 0;

        if (nonblock)
            return -EAGAIN;
        w->refs++; /* w may be a peer that closes while we sleep */
        unix_unlock(*tok);
        t = spin_lock_irqsave(&w->wq.lock);
        while (__atomic_load_n(&w->gen, __ATOMIC_ACQUIRE) == g && rc == 0)
            rc = wq_wait_locked_intr(&w->wq, &t, deadline);
        spin_unlock_irqrestore(&w->wq.lock, t);
        *tok = unix_lock_take();
        unix_sock_put(w);
        if (rc == -EINTR && !ready(u, arg))
            return timeout ? -EINTR : -ERESTARTSYS;
        if (rc == -ETIMEDOUT && !ready(u, arg))
            return -EAGAIN;
    }
    return 0;
}

/* --- objects ----------------------------------------------------------------------------------- */

static struct unix_sock *usock_alloc(int type, const struct sock_cred *cred)
{
    struct unix_sock *u = kzalloc(sizeof(*u));

    if (!u)
        return NULL;
    u->type = type;
    u->refs = 1;
    u->sndbuf = u->rcvbuf = UNIX_BUF_DEFAULT;
    u->cred = *cred;
    list_init(&u->rxq);
    list_init(&u->acceptq);
    list_init(&u->clients);
    list_node_init(&u->bound_node);
    list_node_init(&u->acc_node);
    list_node_init(&u->client_node);
    list_node_init(&u->file_node);
    wq_init(&u->wq, "unix");
    return u;
}

/* Only closed sockets reach 0 (close empties the queues), so nothing is left to reap. */
void unix_sock_put(struct unix_sock *u)
{
    if (--u->refs == 0)
        kfree(u);
}

void unix_msg_free(struct unix_msg *m, struct unix_reap *r)
{
    struct unix_sock *s = m->sender;

    s->wmem -= m->len + UNIX_MSG_COST;
    s->wdata -= m->len;
    unix_wake(s);
    unix_async_space(s, writable(s));
    unix_sock_put(s);
    __atomic_sub_fetch(&unix_inflight, m->nfiles, __ATOMIC_RELAXED);
    if (m->nfiles) {
        list_push_back(&r->msgs, &m->node);
        return;
    }
    kfree(m->files);
    kfree(m);
}

static int type_of(int type, int protocol)
{
    if (protocol && protocol != PF_UNIX)
        return -EPROTONOSUPPORT;
    if (type == LINUX_SOCK_RAW)
        return LINUX_SOCK_DGRAM;
    if (type != LINUX_SOCK_STREAM && type != LINUX_SOCK_DGRAM && type != LINUX_SOCK_SEQPACKET)
        return -ESOCKTNOSUPPORT;
    return type;
}

int unix_create(int type, int protocol, const struct sock_cred *cred, struct unix_sock **out)
{
    int t = type_of(type, protocol);

    if (t < 0)
        return t;
    *out = usock_alloc(t, cred);
    return *out ? 0 : -ENOMEM;
}

int unix_pair(int type, int protocol, const struct sock_cred *cred, struct unix_sock *out[2])
{
    int rc = unix_create(type, protocol, cred, &out[0]);

    if (rc)
        return rc;
    rc = unix_create(type, protocol, cred, &out[1]);
    if (rc) {
        kfree(out[0]);
        return rc;
    }
    for (int i = 0; i < 2; i++) {
        out[i]->peer = out[1 - i];
        out[i]->refs++;
        out[i]->state = U_CONNECTED;
        out[i]->peercred = *cred;
        out[i]->has_peercred = true;
    }
    return 0;
}

/* --- names ------------------------------------------------------------------------------------- */

bool unix_addr_path(const void *sa, size_t len, char path[UNIX_PATH_MAX + 1])
{
    const uint8_t *b = sa;
    uint16_t fam;
    size_t n = 0;

    if (len <= SUN_OFF || len > UNIX_ADDR_MAX)
        return false;
    memcpy(&fam, b, sizeof(fam));
    if (fam != LINUX_AF_UNIX || b[SUN_OFF] == 0)
        return false;
    while (SUN_OFF + n < len && b[SUN_OFF + n])
        n++;
    memcpy(path, b + SUN_OFF, n);
    path[n] = 0;
    return true;
}

int unix_addr_check(const struct sock_addr *a)
{
    uint16_t fam;

    if (a->len <= SUN_OFF || a->len > UNIX_ADDR_MAX)
        return -EINVAL;
    memcpy(&fam, a->sa, sizeof(fam));
    return fam == LINUX_AF_UNIX ? 0 : -EINVAL;
}

static bool is_abstract(const struct sock_addr *a)
{
    return ((const uint8_t *)a->sa)[SUN_OFF] == 0;
}

/* The name a path bind reports: the path up to its NUL, and the NUL (Linux's addr_len). */
static void name_set(struct unix_sock *u, const struct sock_addr *a)
{
    size_t n = a->len;

    if (!is_abstract(a)) {
        n = SUN_OFF;
        while (n < a->len && ((const uint8_t *)a->sa)[n])
            n++;
        n = n + 1 > UNIX_ADDR_MAX ? UNIX_ADDR_MAX : n + 1;
    }
    memset(u->name.sa, 0, sizeof(u->name.sa));
    memcpy(u->name.sa, a->sa, n < a->len ? n : a->len);
    u->name.len = (uint32_t)n;
}

static struct unix_sock *abstract_lookup(const uint8_t *sa, uint32_t len)
{
    list_for_each(name_table(), n) {
        struct unix_sock *u = container_of(n, struct unix_sock, bound_node);

        if (!u->node && u->name.len == len && memcmp(u->name.sa, sa, len) == 0)
            return u;
    }
    return NULL;
}

int unix_find(const struct sock_addr *a, int type, struct unix_sock **out)
{
    if (is_abstract(a)) {
        *out = abstract_lookup(a->sa, (uint32_t)a->len);
        if (!*out || (*out)->type != type)
            return -ECONNREFUSED; /* Linux: an abstract name of another type is no match */
        return 0;
    }
    list_for_each(name_table(), n) {
        struct unix_sock *u = container_of(n, struct unix_sock, bound_node);

        if (u->node && a->node && u->node->inode == a->node->inode) {
            *out = u;
            return u->type == type ? 0 : -EPROTOTYPE;
        }
    }
    return -ECONNREFUSED;
}

static void name_publish(struct unix_sock *u)
{
    list_push_back(name_table(), &u->bound_node);
    u->listed = true;
}

int unix_autobind(struct unix_sock *u)
{
    uint8_t sa[8] = {LINUX_AF_UNIX, 0, 0};
    static const char hex[] = "0123456789abcdef";

    for (uint32_t tries = 0; tries < 0x100000; tries++) {
        uint32_t v = autobind_next++ & 0xfffff;

        for (int i = 0; i < 5; i++)
            sa[3 + i] = (uint8_t)hex[(v >> (4 * (4 - i))) & 0xf];
        if (!abstract_lookup(sa, sizeof(sa))) {
            memcpy(u->name.sa, sa, sizeof(sa));
            u->name.len = sizeof(sa);
            name_publish(u);
            return 0;
        }
    }
    return -ENOSPC;
}

int unix_bind(void *s, const struct sock_addr *a)
{
    struct unix_sock *u = s;
    uint64_t tok;
    uint16_t fam = 0;
    int rc = 0;

    if (a->len < SUN_OFF)
        return -EINVAL;
    memcpy(&fam, a->sa, sizeof(fam));
    if (fam != LINUX_AF_UNIX)
        return -EINVAL;
    tok = unix_lock_take();
    if (u->name.len)
        rc = -EINVAL;
    else if (a->len == SUN_OFF)
        rc = unix_autobind(u);
    else if ((rc = unix_addr_check(a)) == 0 && is_abstract(a) &&
             abstract_lookup(a->sa, (uint32_t)a->len))
        rc = -EADDRINUSE;
    if (rc == 0 && a->len > SUN_OFF) {
        name_set(u, a);
        if (a->node) {
            vfs_file_get(a->node);
            u->node = a->node;
        }
        name_publish(u);
    }
    unix_unlock(tok);
    return rc;
}

int unix_getname(void *s, bool peer, void *addr, uint32_t *len)
{
    struct unix_sock *u = s;
    struct unix_name nm = {SUN_OFF, {LINUX_AF_UNIX, 0}};
    uint64_t tok = unix_lock_take();
    int rc = 0;

    if (peer && !u->peer)
        rc = -ENOTCONN;
    else if ((peer ? u->peer : u)->name.len)
        nm = (peer ? u->peer : u)->name;
    unix_unlock(tok);
    if (rc)
        return rc;
    memcpy(addr, nm.sa, *len < nm.len ? *len : nm.len);
    *len = nm.len;
    return 0;
}

/* --- listen, connect, accept --------------------------------------------------------------- */

int unix_listen(void *s, int backlog)
{
    struct unix_sock *u = s;
    uint64_t tok;
    int rc = 0;

    if (u->type == LINUX_SOCK_DGRAM)
        return -EOPNOTSUPP;
    if (backlog < 0 || backlog > LINUX_SOMAXCONN)
        backlog = LINUX_SOMAXCONN;
    tok = unix_lock_take();
    if (!u->name.len || u->state == U_CONNECTED) {
        rc = -EINVAL;
    } else {
        u->backlog = (unsigned)backlog;
        u->state = U_LISTEN;
        u->peercred = u->cred; /* what connecting sockets will see as SO_PEERCRED */
        unix_wake(u);          /* a larger backlog lets blocked connects in */
    }
    unix_unlock(tok);
    return rc;
}

static bool backlog_room(struct unix_sock *l, void *arg)
{
    (void)arg;
    return l->state != U_LISTEN || l->dead || l->rcv_shut || l->nacc <= l->backlog;
}

/* Connect u to the listener l through child c (preallocated). */
static void stream_join(struct unix_sock *u, struct unix_sock *l, struct unix_sock *c)
{
    c->state = u->state = U_CONNECTED;
    c->name = l->name;
    c->passcred = l->passcred;
    c->peer = u;
    u->refs++;
    u->peer = c;
    c->refs++;
    c->peercred = u->cred;
    c->has_peercred = true;
    u->peercred = l->peercred;
    u->has_peercred = true;
    list_push_back(&l->acceptq, &c->acc_node);
    l->nacc++;
    unix_wake(l);
    unix_async(l, LINUX_POLL_IN); /* Linux: the listener's sk_data_ready */
    unix_wake(u);
}

/* unix_lock held: find the listener and wait for room in its backlog. */
static int stream_target(struct unix_sock *u, const struct sock_addr *a, struct unix_sock **out,
                         uint64_t *tok)
{
    struct unix_sock *l;
    int rc;

    for (;;) {
        rc = unix_find(a, u->type, &l);
        if (rc)
            return rc;
        if (l->state != U_LISTEN || l->rcv_shut)
            return -ECONNREFUSED;
        if (u->state == U_CONNECTED)
            return -EISCONN;
        if (u->state != U_NEW)
            return -EINVAL;
        if (l->nacc <= l->backlog) {
            *out = l;
            return 0;
        }
        rc = unix_wait(l, backlog_room, l, NULL, u->nonblock, u->sndtimeo, tok);
        if (rc)
            return rc; /* the listener may be gone now: look it up again */
    }
}

static int stream_connect(struct unix_sock *u, const struct sock_addr *a)
{
    struct unix_sock *c = usock_alloc(u->type, &u->cred), *l;
    uint64_t tok;
    int rc;

    if (!c)
        return -ENOMEM;
    tok = unix_lock_take();
    if (u->passcred && !u->name.len && (rc = unix_autobind(u)))
        goto out;
    rc = stream_target(u, a, &l, &tok);
    if (rc == 0)
        stream_join(u, l, c);
out:
    unix_unlock(tok);
    if (rc)
        kfree(c);
    return rc;
}

/* unix_lock held: the datagram default destination becomes d (NULL: none). */
static void dgram_set_peer(struct unix_sock *u, struct unix_sock *d)
{
    if (u->peer) {
        list_remove(&u->client_node);
        unix_sock_put(u->peer);
    }
    u->peer = d;
    u->state = d ? U_CONNECTED : U_NEW;
    if (d) {
        d->refs++;
        list_push_back(&d->clients, &u->client_node);
    }
    unix_wake(u);
}

static int dgram_connect(struct unix_sock *u, const struct sock_addr *a)
{
    struct unix_sock *d = NULL;
    uint16_t fam = 0;
    uint64_t tok;
    int rc = 0;

    memcpy(&fam, a->sa, a->len < sizeof(fam) ? a->len : sizeof(fam));
    if (fam != LINUX_AF_UNSPEC && (rc = unix_addr_check(a)))
        return rc;
    tok = unix_lock_take();
    if (fam != LINUX_AF_UNSPEC) {
        if (u->passcred && !u->name.len)
            rc = unix_autobind(u);
        if (rc == 0)
            rc = unix_find(a, u->type, &d);
        if (rc == 0 && d->peer && d->peer != u)
            rc = -EPERM; /* it only hears from its own peer */
    }
    if (rc == 0)
        dgram_set_peer(u, d);
    unix_unlock(tok);
    return rc;
}

int unix_connect(void *s, const struct sock_addr *a)
{
    struct unix_sock *u = s;
    int rc;

    if (a->len < SUN_OFF)
        return -EINVAL;
    if (u->type == LINUX_SOCK_DGRAM)
        return dgram_connect(u, a);
    rc = unix_addr_check(a);
    return rc ? rc : stream_connect(u, a);
}

static bool accept_ready(struct unix_sock *l, void *arg)
{
    (void)arg;
    return l->nacc || l->state != U_LISTEN;
}

int unix_accept(void *s, void **out, void *peer, uint32_t *plen)
{
    struct unix_sock *l = s, *c;
    uint64_t tok;
    int rc;

    if (l->type == LINUX_SOCK_DGRAM)
        return -EOPNOTSUPP;
    tok = unix_lock_take();
    rc = l->state == U_LISTEN ? unix_wait(l, accept_ready, l, NULL, l->nonblock, l->rcvtimeo, &tok)
                              : -EINVAL;
    if (rc == 0 && !l->nacc)
        rc = -EINVAL;
    if (rc == 0) {
        c = container_of(list_pop_front(&l->acceptq), struct unix_sock, acc_node);
        l->nacc--;
        unix_wake(l); /* room in the backlog: a blocked connect may go on */
        if (plen) {
            struct unix_name nm = {SUN_OFF, {LINUX_AF_UNIX, 0}};

            if (c->peer && c->peer->name.len)
                nm = c->peer->name;
            memcpy(peer, nm.sa, *plen < nm.len ? *plen : nm.len);
            *plen = nm.len;
        }
        *out = c;
    }
    unix_unlock(tok);
    return rc;
}

/* --- close ----------------------------------------------------------------------------------- */

void unix_purge(struct unix_sock *u, struct unix_reap *r)
{
    struct list_node *n;

    while ((n = list_pop_front(&u->rxq)))
        unix_msg_free(container_of(n, struct unix_msg, node), r);
    u->rx_bytes = 0;
    u->rx_count = 0;
}

/* unix_lock held: u goes; its peers learn it. */
static void close_locked(struct unix_sock *u, bool reset, struct unix_reap *r)
{
    struct unix_sock *p = u->peer;
    struct list_node *n;

    u->dead = true;
    u->state = U_NEW;
    unix_file_unregister_locked(u);
    if (u->listed)
        list_remove(&u->bound_node);
    u->listed = false;
    if (!r->node)
        r->node = u->node;
    u->node = NULL;
    reset = reset || u->rx_count > 0;
    unix_purge(u, r);
    while ((n = list_pop_front(&u->acceptq))) /* never accepted: their connects are reset */
        close_locked(container_of(n, struct unix_sock, acc_node), true, r);
    u->nacc = 0;
    while ((n = list_pop_front(&u->clients))) { /* datagram senders: ECONNREFUSED next */
        struct unix_sock *c = container_of(n, struct unix_sock, client_node);

        list_node_init(&c->client_node);
        unix_wake(c);
    }
    if (p && u->type != LINUX_SOCK_DGRAM) {
        p->rcv_shut = p->snd_shut = true;
        if (reset)
            p->error = ECONNRESET;
        unix_wake(p);
        unix_async(p, LINUX_POLL_HUP);
    }
    if (p) {
        if (u->type == LINUX_SOCK_DGRAM)
            list_remove(&u->client_node);
        u->peer = NULL;
        unix_sock_put(p);
    }
    unix_wake(u);
    unix_sock_put(u);
}

void unix_close(void *s)
{
    struct unix_reap r;
    uint64_t tok;

    unix_reap_init(&r);
    tok = unix_lock_take();
    close_locked(s, false, &r);
    unix_unlock_reap(tok, &r);
    unix_gc(); /* descriptors in flight: this close may have left a cycle (unix_gc.c) */
}
