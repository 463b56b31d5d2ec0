/*
 * epoll.c - the epoll kind (epoll.h): interest items, a ready list fed by wake callbacks,
 * nested instances. docs/epoll.md has the pictures; the rules in short:
 *
 * Items. epoll_ctl ADD makes one struct ep_item per (file, descriptor) pair, as Linux keys
 * them: the same file under two descriptors is two items. Adding asks the target's poll op
 * for its mask with a poll_table whose queue function hangs one wait entry (struct ep_hook)
 * on each wait queue the kind names. An item holds no reference on its file: it lives until
 * DEL, until the instance is closed, or until the file's last reference goes (file_put calls
 * ep_file_gone through the hook of fs/file), never when one descriptor of it is closed.
 *
 * The ready list. A kind wakes its queue with the events that became true; the entry's
 * callback (ep_wake_fn: wq->lock held, interrupts off, never sleeps) drops wakes whose key
 * the item does not want, puts the item on rdlist (once: `ready`) and wakes one epoll_wait
 * sleeper and everyone polling the instance itself. epoll_wait never walks the interest
 * list: it takes rdlist whole (a private tx list), asks each item's poll op again (a wake
 * says "maybe", the mask says "now"), reports it, and puts level-triggered items back at the
 * tail; EPOLLET items come back only with their next wake, EPOLLONESHOT items are disabled
 * (their event bits cleared) until MOD. What is not reached goes back to the front. A wake
 * during the scan finds the item either still on tx (ready: nothing to do) or taken off it
 * (not ready: it goes on rdlist for the next wait), so none is lost.
 *
 * Waiting. A sleeper queues one exclusive entry on ep->wq only while it sleeps (never
 * during its own scan, so a wake is never spent on a thread that is already looking); after
 * a scan, items still on rdlist wake the next sleeper. Many threads may wait on one
 * instance: each wake reaches one of them, the one that finds nothing sleeps again.
 *
 * Nesting. An epoll file's poll op (another instance or poll(2) watching this one) queues on
 * poll_wq and runs a scan that reports nothing but stops at the first item really ready,
 * dropping items that are not. Adding an epoll to an epoll takes nest_lock, the one lock
 * under which instances are linked into others, and refuses loops and chains longer than
 * EPOLL_MAX_CHAIN (-ELOOP, as Linux counts them).
 *
 * Locks, in order: nest_lock (mutex, global) > ep->mtx (mutex: the items tree, every scan,
 * ctl; a parent's before its child's) > f->lock (a target file's spinlock: its ep_links list
 * and the wait entries of its items) > a kind's wq->lock (callbacks run under it) > ep->lock
 * (spinlock: rdlist, `ready`) and ep->wq.lock, ep->poll_wq.lock. ep->refs keeps the struct
 * alive while ep_file_gone holds one of its items after the instance's file was released.
 */
#include "fs/poll/epoll.h"

#include "core/abi/poll.h"
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/lib/rbtree.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_errno.h"

/* Bits of an item's events that are not readiness (never in a poll mask). */
#define EP_PRIVATE                                                                                 \
    (LINUX_EPOLLWAKEUP | LINUX_EPOLLONESHOT | LINUX_EPOLLET | LINUX_EPOLLEXCLUSIVE)
/* What EPOLLEXCLUSIVE may come with (Linux's EPOLLEXCLUSIVE_OK_BITS). */
#define EP_EXCL_OK                                                                                 \
    (LINUX_EPOLLIN | LINUX_EPOLLOUT | LINUX_EPOLLERR | LINUX_EPOLLHUP | LINUX_EPOLLWAKEUP |       \
     LINUX_EPOLLET | LINUX_EPOLLEXCLUSIVE)
#define EP_ALWAYS (LINUX_EPOLLERR | LINUX_EPOLLHUP)
#define EP_POLLIN (LINUX_EPOLLIN | LINUX_EPOLLRDNORM)

struct epoll {
    struct mutex mtx;          /* items, scans, ctl */
    struct spinlock lock;      /* rdlist, ep_item.ready */
    struct list rdlist;        /* ep_item.rdnode: items a wake marked */
    struct wait_queue wq;      /* epoll_wait sleepers (exclusive entries) */
    struct wait_queue poll_wq; /* pollers of this instance's file (parents, poll(2)) */
    struct rb_tree items;      /* ep_item.node by (file, fd); mtx */
    struct list nested;        /* ep_item.nnode: items whose target is an epoll; nest_lock */
    struct file *file;         /* its own file (no reference) */
    unsigned refs;             /* atomic: the file's, plus one per ep_file_gone at work */
    unsigned walk_gen;         /* nest_lock: the loop check's memo */
    int walk_depth;
};

struct ep_item;

struct ep_hook { /* one wait entry on one queue of the target */
    struct wait_entry e;
    struct ep_item *it;
    struct ep_hook *next;
};

struct ep_item {
    struct rb_node node;     /* ep->items; ep->mtx */
    struct list_node rdnode; /* ep->rdlist or a scan's list; ep->lock */
    bool ready;              /* rdnode is on a list; ep->lock */
    struct list_node fnode;  /* file->ep_links; file->lock */
    struct list_node nnode;  /* ep->nested when the target is an epoll; nest_lock */
    struct epoll *ep;
    struct file *file;
    int fd;
    unsigned events;         /* atomic: written under ep->mtx, read by callbacks */
    uint64_t data;           /* ep->mtx */
    struct ep_hook *hooks;   /* registered at ADD; removed under file->lock */
};

/* The lock under which instances are linked into instances (statically initialized so no
 * boot step is needed: an empty wait list points at itself). */
static struct mutex nest_lock = {
    NULL, {SPINLOCK_INIT("epoll.nest"), {{&nest_lock.wq.waiters.head, &nest_lock.wq.waiters.head}}, 0}};
static unsigned nest_gen; /* nest_lock */

static const struct file_ops ep_ops;

bool epoll_is_file(const struct file *f)
{
    return f->ops == &ep_ops;
}

static struct epoll *ep_of(const struct file *f)
{
    return f->priv;
}

static void ep_get(struct epoll *ep)
{
    __atomic_add_fetch(&ep->refs, 1, __ATOMIC_RELAXED);
}

static void ep_put(struct epoll *ep)
{
    if (__atomic_sub_fetch(&ep->refs, 1, __ATOMIC_ACQ_REL) == 0)
        kfree(ep);
}

static unsigned item_events(const struct ep_item *it)
{
    return __atomic_load_n(&it->events, __ATOMIC_ACQUIRE);
}

static void item_set_events(struct ep_item *it, unsigned ev)
{
    __atomic_store_n(&it->events, ev, __ATOMIC_RELEASE);
}

/* --- the ready list ------------------------------------------------------------------------- */

/* Put it on rdlist unless it is on a list already. */
static void ep_queue_ready(struct epoll *ep, struct ep_item *it)
{
    uint64_t tok = spin_lock_irqsave(&ep->lock);

    if (!it->ready) {
        it->ready = true;
        list_push_back(&ep->rdlist, &it->rdnode);
    }
    spin_unlock_irqrestore(&ep->lock, tok);
}

static bool ep_has_ready(struct epoll *ep)
{
    uint64_t tok = spin_lock_irqsave(&ep->lock);
    bool r = !list_empty(&ep->rdlist);

    spin_unlock_irqrestore(&ep->lock, tok);
    return r;
}

/* Tell one sleeper and every poller of the instance. Any context. Returns the sleepers woken. */
static int ep_notify(struct epoll *ep)
{
    int woke = wq_wake_key(&ep->wq, ~0u, 1);

    wq_wake_key(&ep->poll_wq, EP_POLLIN, 0);
    return woke;
}

/* A target's queue was woken with key (wq->lock held, interrupts off). */
static int ep_wake_fn(struct wait_entry *e, unsigned key)
{
    struct ep_item *it = container_of(e, struct ep_hook, e)->it;
    unsigned ev = item_events(it);
    int woke;

    if (!(ev & ~EP_PRIVATE)) /* an EPOLLONESHOT that fired: disabled until MOD */
        return 0;
    if (key && !(key & ev))
        return 0;
    ep_queue_ready(it->ep, it);
    woke = ep_notify(it->ep);
    /* an exclusive item counts as a wake only if a sleeper took it, so the kind's
     * wake-one goes on to another instance otherwise (Linux's ewake) */
    return (ev & LINUX_EPOLLEXCLUSIVE) ? woke > 0 : 1;
}

/* Move every node of from to the front (front) or the back of to. */
static void list_splice(struct list *to, struct list *from, bool front)
{
    struct list_node *first = from->head.next, *last = from->head.prev;
    struct list_node *prev = front ? &to->head : to->head.prev;
    struct list_node *next = prev->next;

    if (list_empty(from))
        return;
    prev->next = first;
    first->prev = prev;
    last->next = next;
    next->prev = last;
    list_init(from);
}

/* Take the next item of a scan's list off it (it is "not ready" from now: a wake requeues it). */
static struct ep_item *ep_scan_next(struct epoll *ep, struct list *tx)
{
    uint64_t tok = spin_lock_irqsave(&ep->lock);
    struct list_node *n = list_pop_front(tx);
    struct ep_item *it = n ? container_of(n, struct ep_item, rdnode) : NULL;

    if (it)
        it->ready = false;
    spin_unlock_irqrestore(&ep->lock, tok);
    return it;
}

/* Put it back on l (front or back) unless a wake already queued it. */
static void ep_scan_putback(struct epoll *ep, struct list *l, struct ep_item *it, bool front)
{
    uint64_t tok = spin_lock_irqsave(&ep->lock);

    if (!it->ready) {
        it->ready = true;
        if (front)
            list_push_front(l, &it->rdnode);
        else
            list_push_back(l, &it->rdnode);
    }
    spin_unlock_irqrestore(&ep->lock, tok);
}

/* An item was reported: disarm a oneshot, keep a level-triggered one ready. */
static void ep_reported(struct epoll *ep, struct ep_item *it, unsigned ev, struct list *again)
{
    if (ev & LINUX_EPOLLONESHOT)
        item_set_events(it, ev & EP_PRIVATE);
    else if (!(ev & LINUX_EPOLLET))
        ep_scan_putback(ep, again, it, false);
}

static int ep_emit(const struct epoll_out *out, int n, unsigned revents, uint64_t data)
{
    struct linux_epoll_event e = {.events = revents, .data = data};

    return out->copy_out(out->uaddr + (uint64_t)n * sizeof(e), &e, sizeof(e));
}

/*
 * ep->mtx held. Report up to max ready items to out (NULL: report nothing, stop at the
 * first item really ready and return 1). Returns the count, or the copy's error when the
 * first report failed.
 */
static int ep_scan(struct epoll *ep, const struct epoll_out *out, int max)
{
    struct list tx, again;
    struct ep_item *it;
    uint64_t tok;
    int n = 0, err = 0;
    bool more;

    list_init(&tx);
    list_init(&again);
    tok = spin_lock_irqsave(&ep->lock);
    list_splice(&tx, &ep->rdlist, false);
    spin_unlock_irqrestore(&ep->lock, tok);
    while (n < max && (it = ep_scan_next(ep, &tx)) != NULL) {
        unsigned ev = item_events(it);
        unsigned revents = file_poll(it->file, NULL) & ev & ~EP_PRIVATE;

        if (!revents)
            continue; /* a stale wake: its next one brings it back */
        if (!out || (err = ep_emit(out, n, revents, it->data)) != 0) {
            ep_scan_putback(ep, &tx, it, true);
            n += !out;
            break;
        }
        n++;
        ep_reported(ep, it, ev, &again);
    }
    tok = spin_lock_irqsave(&ep->lock);
    list_splice(&ep->rdlist, &tx, true);
    list_splice(&ep->rdlist, &again, false);
    more = !list_empty(&ep->rdlist);
    spin_unlock_irqrestore(&ep->lock, tok);
    if (more && out) /* what is left is for another sleeper */
        ep_notify(ep);
    return n ? n : err;
}

/* --- items ---------------------------------------------------------------------------------- */

static int ep_key_cmp(const struct file *f, int fd, const struct ep_item *it)
{
    if (f != it->file)
        return (uintptr_t)f < (uintptr_t)it->file ? -1 : 1;
    return fd < it->fd ? -1 : fd > it->fd;
}

static int ep_node_cmp(const struct rb_node *a, const struct rb_node *b)
{
    const struct ep_item *ia = rb_entry(a, struct ep_item, node);

    return ep_key_cmp(ia->file, ia->fd, rb_entry(b, struct ep_item, node));
}

struct ep_key {
    const struct file *file;
    int fd;
};

static int ep_find_cmp(const void *key, const struct rb_node *n)
{
    const struct ep_key *k = key;

    return ep_key_cmp(k->file, k->fd, rb_entry(n, struct ep_item, node));
}

static struct ep_item *ep_find(struct epoll *ep, struct file *f, int fd)
{
    struct ep_key k = {f, fd};
    struct rb_node *n = rb_find(&ep->items, &k, ep_find_cmp);

    return n ? rb_entry(n, struct ep_item, node) : NULL;
}

/* it->file->lock held: take the item's wait entries off the target's queues (no callback
 * runs on them afterwards) and the item off the file's list. */
static void ep_unhook_locked(struct ep_item *it)
{
    while (it->hooks) {
        struct ep_hook *h = it->hooks;

        it->hooks = h->next;
        wq_remove(&h->e);
        kfree(h);
    }
    list_remove(&it->fnode);
}

static void ep_unhook(struct ep_item *it)
{
    struct file *f = it->file;
    uint64_t tok = spin_lock_irqsave(&f->lock);

    ep_unhook_locked(it);
    spin_unlock_irqrestore(&f->lock, tok);
}

/* ep->mtx held (and nest_lock for an epoll target); the item is unhooked: free it. */
static void ep_forget(struct epoll *ep, struct ep_item *it)
{
    uint64_t tok;

    rb_remove(&ep->items, &it->node);
    tok = spin_lock_irqsave(&ep->lock);
    if (it->ready)
        list_remove(&it->rdnode);
    spin_unlock_irqrestore(&ep->lock, tok);
    if (list_node_linked(&it->nnode))
        list_remove(&it->nnode);
    kfree(it);
}

struct ep_pt {
    struct poll_table pt;
    struct ep_item *it;
    int error;
};

/* The target's poll op names a queue: hang an entry of the item on it. */
static void ep_pt_queue(struct poll_table *pt, struct wait_queue *wq)
{
    struct ep_pt *p = container_of(pt, struct ep_pt, pt);
    struct ep_hook *h = kzalloc(sizeof(*h));

    if (!h) {
        p->error = -ENOMEM;
        return;
    }
    h->it = p->it;
    wait_entry_init(&h->e, ep_wake_fn, NULL);
    h->e.exclusive = (item_events(p->it) & LINUX_EPOLLEXCLUSIVE) != 0;
    h->next = p->it->hooks;
    p->it->hooks = h;
    wq_add(wq, &h->e);
}

/* ep->mtx held (and nest_lock for an epoll target). */
static int ep_insert(struct epoll *ep, struct file *tf, int fd, unsigned events, uint64_t data)
{
    struct ep_item *it = kzalloc(sizeof(*it));
    struct ep_pt p = {.pt = {.queue = ep_pt_queue}};
    unsigned mask;
    uint64_t tok;

    if (!it)
        return -ENOMEM;
    list_node_init(&it->rdnode);
    list_node_init(&it->fnode);
    list_node_init(&it->nnode);
    it->ep = ep;
    it->file = tf;
    it->fd = fd;
    it->events = events;
    it->data = data;
    rb_insert(&ep->items, &it->node, ep_node_cmp);
    tok = spin_lock_irqsave(&tf->lock);
    list_push_back(&tf->ep_links, &it->fnode);
    spin_unlock_irqrestore(&tf->lock, tok);
    if (epoll_is_file(tf))
        list_push_back(&ep->nested, &it->nnode);
    p.it = it;
    mask = file_poll(tf, &p.pt); /* hooks first, then the mask: no wake is lost between */
    if (p.error) {
        ep_unhook(it);
        ep_forget(ep, it);
        return p.error;
    }
    if (mask & events & ~EP_PRIVATE) {
        ep_queue_ready(ep, it);
        ep_notify(ep);
    }
    return 0;
}

/* ep->mtx held: new events and data; report at once if the target is ready for them. */
static int ep_modify(struct epoll *ep, struct ep_item *it, unsigned events, uint64_t data)
{
    item_set_events(it, events);
    it->data = data;
    if (file_poll(it->file, NULL) & events & ~EP_PRIVATE) {
        ep_queue_ready(ep, it);
        ep_notify(ep);
    }
    return 0;
}

/* --- nesting (nest_lock held) --------------------------------------------------------------- */

/* Longest chain of instances below ep (0: none), or -1 when `into` is among them (a loop). */
static int ep_depth_down(struct epoll *ep, const struct epoll *into, unsigned gen)
{
    int d = 0;

    if (ep == into)
        return -1;
    if (ep->walk_gen == gen)
        return ep->walk_depth;
    list_for_each(&ep->nested, n)
    {
        int r = ep_depth_down(ep_of(container_of(n, struct ep_item, nnode)->file), into, gen);

        if (r < 0)
            return -1;
        if (r + 1 > d)
            d = r + 1;
    }
    ep->walk_gen = gen;
    ep->walk_depth = d;
    return d;
}

/* Longest chain of instances above ep (its file's items belong to its parents). */
static int ep_depth_up(struct epoll *ep, unsigned gen)
{
    int d = 0;

    if (ep->walk_gen == gen)
        return ep->walk_depth;
    list_for_each(&ep->file->ep_links, n)
    {
        int r = ep_depth_up(container_of(n, struct ep_item, fnode)->ep, gen) + 1;

        if (r > d)
            d = r;
    }
    ep->walk_gen = gen;
    ep->walk_depth = d;
    return d;
}

/* Adding child into ep: a loop, or a chain longer than EPOLL_MAX_CHAIN, is -ELOOP. */
static int ep_nest_check(struct epoll *ep, struct epoll *child)
{
    int down = ep_depth_down(child, ep, ++nest_gen);
    int up;

    if (down < 0)
        return -ELOOP;
    up = ep_depth_up(ep, ++nest_gen);
    return up + 1 + 1 + down > EPOLL_MAX_CHAIN ? -ELOOP : 0;
}

/* --- epoll_ctl ----------------------------------------------------------------------------- */

/* The checks Linux makes before looking the item up, in its order. */
static int ep_ctl_check(struct file *epf, int op, struct file *tf, unsigned events)
{
    if (!tf->ops->poll)
        return -EPERM;
    if (epf == tf || !epoll_is_file(epf))
        return -EINVAL;
    if (op != LINUX_EPOLL_CTL_DEL && (events & LINUX_EPOLLEXCLUSIVE)) {
        if (op == LINUX_EPOLL_CTL_MOD)
            return -EINVAL;
        if (op == LINUX_EPOLL_CTL_ADD && (epoll_is_file(tf) || (events & ~EP_EXCL_OK)))
            return -EINVAL;
    }
    if (op != LINUX_EPOLL_CTL_ADD && op != LINUX_EPOLL_CTL_DEL && op != LINUX_EPOLL_CTL_MOD)
        return -EINVAL;
    return 0;
}

/* ep->mtx held (nest_lock too when tf is an epoll and op is not MOD). */
static int ep_ctl_locked(struct epoll *ep, int op, struct file *tf, int fd, unsigned events,
                         uint64_t data)
{
    struct ep_item *it;

    if (op == LINUX_EPOLL_CTL_ADD && epoll_is_file(tf)) {
        int rc = ep_nest_check(ep, ep_of(tf));

        if (rc)
            return rc;
    }
    it = ep_find(ep, tf, fd);
    switch (op) {
    case LINUX_EPOLL_CTL_ADD:
        return it ? -EEXIST : ep_insert(ep, tf, fd, events | EP_ALWAYS, data);
    case LINUX_EPOLL_CTL_DEL:
        if (!it)
            return -ENOENT;
        ep_unhook(it);
        ep_forget(ep, it);
        return 0;
    default: /* MOD */
        if (!it)
            return -ENOENT;
        if (item_events(it) & LINUX_EPOLLEXCLUSIVE)
            return -EINVAL;
        return ep_modify(ep, it, events | EP_ALWAYS, data);
    }
}

int epoll_file_ctl(struct file *epf, int op, struct file *tf, int fd, unsigned events,
                   uint64_t data)
{
    int rc = ep_ctl_check(epf, op, tf, events);
    bool nest = epoll_is_file(tf) && op != LINUX_EPOLL_CTL_MOD;
    struct epoll *ep;

    if (rc)
        return rc;
    ep = ep_of(epf);
    if (nest)
        mutex_lock(&nest_lock);
    mutex_lock(&ep->mtx);
    rc = ep_ctl_locked(ep, op, tf, fd, events, data);
    mutex_unlock(&ep->mtx);
    if (nest)
        mutex_unlock(&nest_lock);
    return rc;
}

/* --- epoll_wait ---------------------------------------------------------------------------- */

static int ep_scan_locked(struct epoll *ep, const struct epoll_out *out, int max)
{
    int n;

    mutex_lock(&ep->mtx);
    n = ep_scan(ep, out, max);
    mutex_unlock(&ep->mtx);
    return n;
}

int epoll_file_wait(struct file *epf, const struct epoll_out *out, int max, uint64_t deadline_ns)
{
    struct epoll *ep = ep_of(epf);
    struct waiter w;
    struct wait_entry e;
    int n, rc = 0;

    waiter_init(&w);
    w.name = "epoll_wait";
    wait_entry_init(&e, waiter_wake_fn, &w);
    e.exclusive = true; /* one sleeper per wake; a scan leaving items wakes the next */
    for (;;) {
        n = ep_scan_locked(ep, out, max);
        if (n || rc || deadline_ns == 0)
            break; /* after a timeout or an interrupt, that was the last look */
        waiter_reset(&w);
        wq_add(&ep->wq, &e);
        if (!ep_has_ready(ep)) /* checked with the entry queued: no wake is lost */
            rc = waiter_sleep(&w, deadline_ns, true);
        wq_remove(&e);
    }
    if (n)
        return n;
    return rc == -EINTR ? -EINTR : 0;
}

/* --- the file kind --------------------------------------------------------------------------- */

static unsigned ep_poll(struct file *f, struct poll_table *pt)
{
    struct epoll *ep = ep_of(f);

    poll_wait(pt, &ep->poll_wq);
    return ep_scan_locked(ep, NULL, 1) > 0 ? EP_POLLIN : 0;
}

/* The instance's last reference: drop every item it still owns (ep_file_gone owns those
 * it already took off their file; ep->refs waits for it). */
static void ep_release(struct file *f)
{
    struct epoll *ep = ep_of(f);
    struct rb_node *n, *next;

    mutex_lock(&nest_lock);
    mutex_lock(&ep->mtx);
    for (n = rb_first(&ep->items); n; n = next) {
        struct ep_item *it = rb_entry(n, struct ep_item, node);
        uint64_t tok = spin_lock_irqsave(&it->file->lock);
        bool mine = list_node_linked(&it->fnode);

        next = rb_next(n);
        if (mine)
            ep_unhook_locked(it);
        spin_unlock_irqrestore(&it->file->lock, tok);
        if (mine)
            ep_forget(ep, it);
    }
    mutex_unlock(&ep->mtx);
    mutex_unlock(&nest_lock);
    ep_put(ep);
}

/* file_put's hook: f's last reference is gone; drop every item watching it. */
static void ep_file_gone(struct file *f)
{
    bool nest = epoll_is_file(f);

    if (nest)
        mutex_lock(&nest_lock);
    for (;;) {
        uint64_t tok = spin_lock_irqsave(&f->lock);
        struct list_node *n = list_first(&f->ep_links);
        struct ep_item *it = n ? container_of(n, struct ep_item, fnode) : NULL;
        struct epoll *ep = it ? it->ep : NULL;

        if (it) {
            ep_unhook_locked(it);
            ep_get(ep); /* its instance may be closing: keep the struct until we are done */
        }
        spin_unlock_irqrestore(&f->lock, tok);
        if (!it)
            break;
        mutex_lock(&ep->mtx);
        ep_forget(ep, it);
        mutex_unlock(&ep->mtx);
        ep_put(ep);
    }
    if (nest)
        mutex_unlock(&nest_lock);
}

static const struct file_ops ep_ops = {
    .name = "epoll",
    .lseek = file_noop_lseek,
    .stat = file_anon_stat,
    .poll = ep_poll,
    .release = ep_release,
};

int epoll_file_create(struct file **out)
{
    struct epoll *ep = kzalloc(sizeof(*ep));

    *out = NULL;
    if (!ep)
        return -ENOMEM;
    mutex_init(&ep->mtx, "epoll");
    spin_init(&ep->lock, "epoll.ready");
    list_init(&ep->rdlist);
    wq_init(&ep->wq, "epoll.wait");
    wq_init(&ep->poll_wq, "epoll.poll");
    rb_init(&ep->items);
    list_init(&ep->nested);
    ep->refs = 1;
    *out = file_alloc(&ep_ops, ep, VFS_O_RDWR, FILE_MODE_NOSPLICE);
    if (!*out) {
        kfree(ep);
        return -ENOMEM;
    }
    ep->file = *out;
    file_set_epoll_hook(ep_file_gone);
    return 0;
}
