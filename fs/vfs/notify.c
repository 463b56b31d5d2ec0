/*
 * notify.c - inotify's watches, queues and VFS hooks (notify.h, docs/inotify.md).
 *
 *   vfs_inode.notify --> conn --watches--> watch --g--> group --events--> event, event...
 *                         (one inode ref)   (wd, mask)   (queue under wq.lock)
 *   dir_conns: the connectors of watched directories; an event about a file looks up the
 *   file's cached names in each of them (dcache_name_in) to tell the directory's watches.
 *
 * A connector left without watches (rm_watch, IN_ONESHOT, deletion) is not freed at once:
 * a hook may be walking it or dir_conns. It goes on the reap list, and reap() frees it
 * (dropping the inode reference) when the hook, or add/rm_watch, is done. Everything here
 * but the queue runs under the VFS mutex; the queue's lock is its wait queue's spinlock.
 */
#include "fs/vfs/notify.h"

#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/abi/poll.h"
#include "fs/vfs/vfs_internal.h"
#include "hal/hal_errno.h"

#define EVENT_HDR sizeof(struct linux_inotify_event)
/* What a watch keeps of add_watch's mask. */
#define WATCH_BITS (LINUX_IN_ALL_EVENTS | LINUX_IN_ONESHOT | LINUX_IN_EXCL_UNLINK)
#define WD_MAX 0x7fffffff

struct vfs_notify_conn {
    struct vfs_inode *ip;      /* holds one reference */
    struct list watches;       /* struct notify_watch.inode_node */
    struct list_node dir_node; /* on dir_conns when ip is a directory */
    struct list_node all_node; /* on all_conns, the newest first */
    struct list_node reap_node;
    bool dead; /* no name left: IN_DELETE_SELF when the last other reference goes */
    /* A file unlinked from a watched directory while open: that directory is still told
     * about it under the old name (ghost_dir holds a reference) until the last other
     * reference goes, as Linux's unhashed dentry keeps its parent and name. */
    struct vfs_inode *ghost_dir;
    char *ghost_name;
};

struct vfs_notify_name {
    struct list_node node; /* on names */
    struct vfs_inode *dir; /* a reference */
    const struct vfs_inode *ip;
    char *name;
    bool unlinked;
};

struct notify_watch {
    struct list_node inode_node; /* conn->watches */
    struct list_node group_node; /* g->watches */
    struct vfs_notify_group *g;
    struct vfs_notify_conn *c;
    uint32_t mask; /* WATCH_BITS */
    int wd;
};

struct notify_event {
    struct list_node node;
    int32_t wd;
    uint32_t mask, cookie;
    uint32_t len; /* bytes of name as reported: 0, or the name, its NUL, padding to 16 */
    char name[];
};

struct vfs_notify_group {
    struct wait_queue wq; /* its lock guards the queue: events..overflow */
    struct list events;
    unsigned nevents, max_events;
    unsigned bytes;                /* what FIONREAD reports */
    struct notify_event *overflow; /* IN_Q_OVERFLOW, queued at most once */
    /* VFS mutex: */
    struct list watches; /* struct notify_watch.group_node */
    int last_wd;
    void (*queued)(void *arg); /* after an event is queued (inotify's O_ASYNC), or NULL */
    void *queued_arg;
};

unsigned vfs_notify_nwatch;
unsigned vfs_notify_nnames;
static unsigned ngroups; /* atomic */
static uint32_t cookie;  /* atomic */
static struct list dir_conns = {{&dir_conns.head, &dir_conns.head}};
static struct list reap_list = {{&reap_list.head, &reap_list.head}};
static struct list all_conns = {{&all_conns.head, &all_conns.head}};
static struct list names = {{&names.head, &names.head}}; /* every struct vfs_notify_name */

/* --- the queue --------------------------------------------------------------------------- */

static struct notify_event *event_new(int wd, uint32_t mask, uint32_t ck, const char *name)
{
    size_t nl = name ? strlen(name) : 0;
    uint32_t len = name ? (uint32_t)((nl + 1 + EVENT_HDR - 1) & ~(EVENT_HDR - 1)) : 0;
    struct notify_event *e = kzalloc(sizeof(*e) + len);

    if (!e)
        return NULL;
    e->wd = wd;
    e->mask = mask;
    e->cookie = ck;
    e->len = len;
    if (nl)
        memcpy(e->name, name, nl);
    return e;
}

/* Linux merges an event into the last queued one when they are the same (never into
 * IN_IGNORED or the overflow event). Queue lock held. */
static bool merges(struct vfs_notify_group *g, const struct notify_event *e)
{
    struct list_node *n = list_last(&g->events);
    const struct notify_event *last;

    if (!n)
        return false;
    last = container_of(n, struct notify_event, node);
    if (last == g->overflow || (last->mask & LINUX_IN_IGNORED))
        return false;
    return last->mask == e->mask && last->wd == e->wd && last->len == e->len &&
           memcmp(last->name, e->name, e->len) == 0;
}

void vfs_notify_queue_event(struct vfs_notify_group *g, int wd, uint32_t mask, uint32_t ck,
                            const char *name)
{
    struct notify_event *e = event_new(wd, mask, ck, name);
    uint64_t irq = spin_lock_irqsave(&g->wq.lock);
    bool queued = false;

    if (g->nevents >= g->max_events || !e) { /* out of memory is an overflow too */
        if (!list_node_linked(&g->overflow->node)) {
            list_push_back(&g->events, &g->overflow->node);
            g->nevents++;
            g->bytes += EVENT_HDR;
            queued = true;
        }
    } else if (!merges(g, e)) {
        list_push_back(&g->events, &e->node);
        g->nevents++;
        g->bytes += EVENT_HDR + e->len;
        queued = true;
        e = NULL;
    }
    spin_unlock_irqrestore(&g->wq.lock, irq);
    kfree(e);
    if (queued)
        wq_wake_key(&g->wq, LINUX_EPOLLIN | LINUX_EPOLLRDNORM, 0);
    if (queued && g->queued)
        g->queued(g->queued_arg);
}

void vfs_notify_set_queued(struct vfs_notify_group *g, void (*fn)(void *arg), void *arg)
{
    g->queued_arg = arg;
    g->queued = fn;
}

long vfs_notify_take(struct vfs_notify_group *g, void *buf, size_t n, struct list *done)
{
    size_t used = 0;
    struct list_node *node;

    while ((node = list_first(&g->events)) != NULL) {
        struct notify_event *e = container_of(node, struct notify_event, node);
        struct linux_inotify_event h = {e->wd, e->mask, e->cookie, e->len};
        size_t sz = EVENT_HDR + e->len;

        if (sz > n - used)
            return used ? (long)used : -EINVAL;
        memcpy((char *)buf + used, &h, EVENT_HDR);
        memcpy((char *)buf + used + EVENT_HDR, e->name, e->len);
        used += sz;
        list_remove(node);
        g->nevents--;
        g->bytes -= (unsigned)sz;
        if (e != g->overflow)
            list_push_back(done, node);
        else
            list_node_init(node);
    }
    return (long)used;
}

void vfs_notify_free_taken(struct list *done)
{
    struct list_node *node;

    while ((node = list_pop_front(done)) != NULL)
        kfree(container_of(node, struct notify_event, node));
}

long vfs_notify_read_now(struct vfs_notify_group *g, void *buf, size_t n)
{
    struct list done;
    uint64_t irq;
    long rc;

    list_init(&done);
    irq = spin_lock_irqsave(&g->wq.lock);
    rc = vfs_notify_take(g, buf, n, &done);
    spin_unlock_irqrestore(&g->wq.lock, irq);
    vfs_notify_free_taken(&done);
    return rc ? rc : -EAGAIN;
}

unsigned vfs_notify_pending(struct vfs_notify_group *g)
{
    uint64_t irq = spin_lock_irqsave(&g->wq.lock);
    unsigned b = g->bytes;

    spin_unlock_irqrestore(&g->wq.lock, irq);
    return b;
}

struct wait_queue *vfs_notify_wq(struct vfs_notify_group *g)
{
    return &g->wq;
}

/* --- watches ----------------------------------------------------------------------------- */

/* Free the connectors left without watches (VFS mutex held; may free inodes). */
static void reap(void)
{
    struct list_node *n;

    while ((n = list_pop_front(&reap_list)) != NULL) {
        struct vfs_notify_conn *c = container_of(n, struct vfs_notify_conn, reap_node);
        struct vfs_inode *ip = c->ip;

        if (!list_empty(&c->watches) || c->ghost_dir)
            continue; /* watched again since, or still telling a directory */
        ip->notify = NULL;
        if (list_node_linked(&c->dir_node))
            list_remove(&c->dir_node);
        list_remove(&c->all_node);
        kfree(c);
        inode_put(ip);
    }
}

/* Unlink w (VFS mutex held), telling its instance with IN_IGNORED when ignored. */
static void watch_drop(struct notify_watch *w, bool ignored)
{
    struct vfs_notify_conn *c = w->c;

    list_remove(&w->inode_node);
    list_remove(&w->group_node);
    __atomic_sub_fetch(&vfs_notify_nwatch, 1, __ATOMIC_RELAXED);
    if (ignored)
        vfs_notify_queue_event(w->g, w->wd, LINUX_IN_IGNORED, 0, NULL);
    if (list_empty(&c->watches) && !list_node_linked(&c->reap_node))
        list_push_back(&reap_list, &c->reap_node);
    kfree(w);
}

static struct vfs_notify_conn *conn_get(struct vfs_inode *ip)
{
    struct vfs_notify_conn *c = ip->notify;

    if (c)
        return c;
    c = kzalloc(sizeof(*c));
    if (!c)
        return NULL;
    c->ip = ip;
    list_init(&c->watches);
    list_node_init(&c->dir_node);
    list_node_init(&c->reap_node);
    inode_ref(ip);
    if (vfs_isdir(ip))
        list_push_back(&dir_conns, &c->dir_node);
    list_push_front(&all_conns, &c->all_node);
    ip->notify = c;
    return c;
}

static struct notify_watch *watch_of(struct vfs_notify_group *g, struct vfs_inode *ip)
{
    if (!ip->notify)
        return NULL;
    list_for_each(&ip->notify->watches, n)
    {
        struct notify_watch *w = container_of(n, struct notify_watch, inode_node);
        if (w->g == g)
            return w;
    }
    return NULL;
}

static struct notify_watch *watch_by_wd(struct vfs_notify_group *g, int wd)
{
    list_for_each(&g->watches, n)
    {
        struct notify_watch *w = container_of(n, struct notify_watch, group_node);
        if (w->wd == wd)
            return w;
    }
    return NULL;
}

/* The next free wd after the last one given, from 1 to INT_MAX and round (Linux's cyclic
 * allocation): a removed wd is not given again soon. */
static int wd_next(struct vfs_notify_group *g)
{
    int wd = g->last_wd;

    do
        wd = wd >= WD_MAX ? 1 : wd + 1;
    while (watch_by_wd(g, wd));
    g->last_wd = wd;
    return wd;
}

static int watch_new(struct vfs_notify_group *g, struct vfs_inode *ip, uint32_t mask)
{
    struct notify_watch *w;
    struct vfs_notify_conn *c;

    if (__atomic_load_n(&vfs_notify_nwatch, __ATOMIC_RELAXED) >= VFS_NOTIFY_MAX_WATCHES)
        return -ENOSPC;
    w = kzalloc(sizeof(*w));
    c = w ? conn_get(ip) : NULL;
    if (!c) {
        kfree(w);
        return -ENOMEM;
    }
    w->g = g;
    w->c = c;
    w->mask = mask & WATCH_BITS;
    w->wd = wd_next(g);
    list_push_back(&c->watches, &w->inode_node);
    list_push_back(&g->watches, &w->group_node);
    __atomic_add_fetch(&vfs_notify_nwatch, 1, __ATOMIC_RELAXED);
    return w->wd;
}

int vfs_notify_add_watch(struct vfs_notify_group *g, struct vfs_file *dirf, const char *path,
                         uint32_t mask)
{
    int flags = (mask & LINUX_IN_DONT_FOLLOW) ? VFS_AT_SYMLINK_NOFOLLOW : 0;
    struct notify_watch *w;
    struct vfs_inode *ip;
    int rc;

    vfs_lock();
    rc = namei_path(dirf, path, flags, &ip);
    if (rc)
        goto out;
    w = watch_of(g, ip);
    if ((mask & LINUX_IN_ONLYDIR) && !vfs_isdir(ip)) {
        rc = -ENOTDIR;
    } else if (w && (mask & LINUX_IN_MASK_CREATE)) {
        rc = -EEXIST;
    } else if (w) {
        w->mask = (mask & WATCH_BITS) | ((mask & LINUX_IN_MASK_ADD) ? w->mask : 0);
        rc = w->wd;
    } else {
        rc = watch_new(g, ip, mask);
    }
    inode_put(ip);
out:
    vfs_unlock();
    return rc;
}

int vfs_notify_rm_watch(struct vfs_notify_group *g, int wd)
{
    struct notify_watch *w;

    vfs_lock();
    w = watch_by_wd(g, wd);
    if (w)
        watch_drop(w, true);
    reap();
    vfs_unlock();
    return w ? 0 : -EINVAL;
}

void vfs_notify_watches_each(struct vfs_notify_group *g,
                             void (*fn)(void *arg, int wd, uint64_t ino, uint64_t dev,
                                        uint32_t mask),
                             void *arg)
{
    vfs_lock();
    for (struct list_node *n = g->watches.head.prev; n != &g->watches.head; n = n->prev) {
        struct notify_watch *w = container_of(n, struct notify_watch, group_node);

        fn(arg, w->wd, w->c->ip->ino, w->c->ip->sb->dev, w->mask);
    }
    vfs_unlock();
}

/* --- instances --------------------------------------------------------------------------- */

int vfs_notify_group_new(unsigned max_events, struct vfs_notify_group **out)
{
    struct vfs_notify_group *g;

    *out = NULL;
    if (__atomic_add_fetch(&ngroups, 1, __ATOMIC_RELAXED) > VFS_NOTIFY_MAX_GROUPS) {
        __atomic_sub_fetch(&ngroups, 1, __ATOMIC_RELAXED);
        return -EMFILE;
    }
    g = kzalloc(sizeof(*g));
    if (g)
        g->overflow = event_new(-1, LINUX_IN_Q_OVERFLOW, 0, NULL);
    if (!g || !g->overflow) {
        kfree(g);
        __atomic_sub_fetch(&ngroups, 1, __ATOMIC_RELAXED);
        return -ENOMEM;
    }
    wq_init(&g->wq, "inotify");
    list_init(&g->events);
    list_init(&g->watches);
    list_node_init(&g->overflow->node);
    g->max_events = max_events;
    *out = g;
    return 0;
}

void vfs_notify_group_free(struct vfs_notify_group *g)
{
    struct list_node *n;

    vfs_lock();
    while ((n = list_first(&g->watches)) != NULL)
        watch_drop(container_of(n, struct notify_watch, group_node), false);
    reap();
    vfs_unlock();
    while ((n = list_pop_front(&g->events)) != NULL)
        if (n != &g->overflow->node)
            kfree(container_of(n, struct notify_event, node));
    kfree(g->overflow);
    kfree(g);
    __atomic_sub_fetch(&ngroups, 1, __ATOMIC_RELAXED);
}

/* --- delivery ---------------------------------------------------------------------------- */

/* The watches of c that want mask get it (IN_ONESHOT ones then go, with IN_IGNORED);
 * unlinked: about a file that has no name any more (IN_EXCL_UNLINK watches skip it). */
static void deliver_ex(struct vfs_notify_conn *c, uint32_t mask, const char *name, uint32_t ck,
                       bool unlinked)
{
    list_for_each_safe(&c->watches, n, tmp)
    {
        struct notify_watch *w = container_of(n, struct notify_watch, inode_node);

        if (!(w->mask & mask & LINUX_IN_ALL_EVENTS))
            continue;
        if (unlinked && (w->mask & LINUX_IN_EXCL_UNLINK))
            continue;
        vfs_notify_queue_event(w->g, w->wd, mask, ck, name);
        if (w->mask & LINUX_IN_ONESHOT)
            watch_drop(w, true);
    }
}

static void deliver(struct vfs_notify_conn *c, uint32_t mask, const char *name, uint32_t ck)
{
    deliver_ex(c, mask, name, ck, false);
}

/* No name came with the event: the watched directories that cache a name of ip. */
static void tell_cached_names(struct vfs_inode *ip, uint32_t mask)
{
    const char *name;

    if (vfs_isdir(ip)) {
        if (ip->parent && ip->parent->notify && (name = dcache_name_in(ip->parent, ip)))
            deliver(ip->parent->notify, mask, name, 0);
        return;
    }
    list_for_each(&dir_conns, n)
    {
        struct vfs_notify_conn *c = container_of(n, struct vfs_notify_conn, dir_node);
        if ((name = dcache_name_in(c->ip, ip)) != NULL)
            deliver(c, mask, name, 0);
    }
    if (ip->notify && ip->notify->ghost_dir && ip->notify->ghost_dir->notify)
        deliver_ex(ip->notify->ghost_dir->notify, mask, ip->notify->ghost_name, 0, true);
}

void vfs_notify_inode_via(struct vfs_inode *ip, const struct vfs_notify_name *via, uint32_t mask)
{
    if (vfs_isdir(ip))
        mask |= LINUX_IN_ISDIR;
    if (!via)
        tell_cached_names(ip, mask);
    else if (via->dir->notify)
        deliver_ex(via->dir->notify, mask, via->name, 0, via->unlinked);
    if (ip->notify)
        deliver(ip->notify, mask, NULL, 0);
    reap();
}

void vfs_notify_dirent(struct vfs_inode *dir, uint32_t mask, const char *name, uint32_t ck,
                       bool isdir)
{
    if (!dir->notify)
        return;
    deliver(dir->notify, mask | (isdir ? LINUX_IN_ISDIR : 0), name, ck);
    reap();
}

void vfs_notify_self(struct vfs_inode *ip, uint32_t mask)
{
    if (!ip->notify)
        return;
    deliver(ip->notify, mask, NULL, 0);
    reap();
}

/* ip has no name left and nobody else holds it: IN_DELETE_SELF, then every watch goes. */
static void self_deleted(struct vfs_notify_conn *c)
{
    struct list_node *n;

    deliver(c, LINUX_IN_DELETE_SELF, NULL, 0);
    while ((n = list_first(&c->watches)) != NULL)
        watch_drop(container_of(n, struct notify_watch, inode_node), true);
    reap();
}

void vfs_notify_unlinked(struct vfs_inode *ip, unsigned our_refs)
{
    struct vfs_notify_conn *c = ip->notify;
    struct vfs_attr a;

    if (!c)
        return;
    if (!vfs_isdir(ip) && inode_getattr(ip, &a) == 0 && a.nlink > 0)
        return;
    if (ip->refs > our_refs + 1)
        c->dead = true; /* open, or a cwd: when that goes (vfs_notify_idle) */
    else
        self_deleted(c);
}

void vfs_notify_idle(struct vfs_inode *ip)
{
    struct vfs_notify_conn *c = ip->notify;
    struct vfs_inode *gdir = c ? c->ghost_dir : NULL;

    if (gdir) { /* the last opener went: the old name goes */
        kfree(c->ghost_name);
        c->ghost_name = NULL;
        c->ghost_dir = NULL;
        if (list_empty(&c->watches) && !list_node_linked(&c->reap_node))
            list_push_back(&reap_list, &c->reap_node);
    }
    if (c && c->dead)
        self_deleted(c);
    else
        reap();
    if (gdir)
        inode_put(gdir);
}

/* ip (a file with no link left, still open) was unlinked from the watched dir as name. */
static void ghost_set(struct vfs_inode *dir, struct vfs_inode *ip, const char *name)
{
    size_t len = strlen(name);
    char *copy = kmalloc(len + 1);
    struct vfs_notify_conn *c = copy ? conn_get(ip) : NULL;

    if (!c || c->ghost_dir) {
        kfree(copy);
        return; /* out of memory: the directory is not told about it any more */
    }
    memcpy(copy, name, len + 1);
    inode_ref(dir);
    c->ghost_dir = dir;
    c->ghost_name = copy;
}

static bool has_links(struct vfs_inode *ip)
{
    struct vfs_attr a;
    return inode_getattr(ip, &a) != 0 || a.nlink > 0;
}

uint32_t vfs_notify_cookie(void)
{
    return __atomic_add_fetch(&cookie, 1, __ATOMIC_RELAXED);
}

void vfs_notify_inode_unlocked(struct vfs_inode *ip, const struct vfs_notify_name *via,
                               uint32_t mask)
{
    if (!vfs_notify_active())
        return;
    vfs_lock();
    vfs_notify_inode_via(ip, via, mask);
    vfs_unlock();
}

void vfs_notify_setattr(struct vfs_inode *ip, const struct vfs_notify_name *via, unsigned valid)
{
    const unsigned times = VFS_SET_ATIME | VFS_SET_MTIME;
    uint32_t mask = 0;

    if (valid & (VFS_SET_UID | VFS_SET_GID | VFS_SET_MODE))
        mask |= LINUX_IN_ATTRIB;
    if (valid & VFS_SET_SIZE)
        mask |= LINUX_IN_MODIFY;
    if ((valid & times) == times)
        mask |= LINUX_IN_ATTRIB;
    else if (valid & VFS_SET_ATIME)
        mask |= LINUX_IN_ACCESS;
    else if (valid & VFS_SET_MTIME)
        mask |= LINUX_IN_MODIFY;
    if (mask)
        vfs_notify_inode_unlocked(ip, via, mask);
}

/* --- names ------------------------------------------------------------------------------- */

static char *name_dup(const char *name)
{
    size_t len = strlen(name);
    char *copy = kmalloc(len + 1);

    if (copy)
        memcpy(copy, name, len + 1);
    return copy;
}

struct vfs_notify_name *vfs_notify_name_get(struct vfs_inode *dir, const char *name,
                                            struct vfs_inode *ip)
{
    struct vfs_notify_name *nm;

    if (!vfs_notify_active() || ip == ip->sb->root)
        return NULL;
    nm = kzalloc(sizeof(*nm));
    if (nm)
        nm->name = name_dup(name);
    if (!nm || !nm->name) {
        kfree(nm);
        return NULL;
    }
    inode_ref(dir);
    nm->dir = dir;
    nm->ip = ip;
    list_push_back(&names, &nm->node);
    vfs_notify_nnames++;
    return nm;
}

void vfs_notify_name_put(struct vfs_notify_name *nm)
{
    if (!nm)
        return;
    list_remove(&nm->node);
    vfs_notify_nnames--;
    kfree(nm->name);
    inode_put(nm->dir);
    kfree(nm);
}

/* The live records of ip as dir/name: unlinked (the name went), or moved to ndir/nname (a
 * rename; out of memory keeps the old name). */
static void names_update(struct vfs_inode *dir, const char *name, const struct vfs_inode *ip,
                         struct vfs_inode *ndir, const char *nname)
{
    list_for_each(&names, n)
    {
        struct vfs_notify_name *nm = container_of(n, struct vfs_notify_name, node);
        char *copy;

        if (nm->ip != ip || nm->dir != dir || nm->unlinked || strcmp(nm->name, name) != 0)
            continue;
        if (!ndir) {
            nm->unlinked = true;
        } else if ((copy = name_dup(nname)) != NULL) {
            kfree(nm->name);
            nm->name = copy;
            inode_ref(ndir);
            nm->dir = ndir;
            inode_put(dir); /* dir is held by the caller: this never frees it */
        }
    }
}

/* --- unmount ----------------------------------------------------------------------------- */

struct held {
    struct vfs_inode *ip;
    unsigned refs; /* references on ip explained so far */
};

/* One more explained reference on ip; false when the table (max) is full. */
static bool held_add(struct held *t, unsigned *n, unsigned max, struct vfs_inode *ip)
{
    for (unsigned i = 0; i < *n; i++) {
        if (t[i].ip == ip) {
            t[i].refs++;
            return true;
        }
    }
    if (*n == max)
        return false;
    t[*n].ip = ip;
    t[(*n)++].refs = 1;
    return true;
}

/* With sb's dentries gone: is every inode reference left on sb its mount's, a connector's,
 * a ghost name's or a cached directory's on its parent? Then only watches keep sb busy,
 * and Linux's umount succeeds (a watch does not pin a mount). */
static bool only_watched(struct vfs_sb *sb)
{
    unsigned n = 0, max = sb->ninodes;
    struct held *t = kmalloc(max * sizeof(*t));
    bool ok = t && held_add(t, &n, max, sb->root);

    list_for_each(&all_conns, node)
    {
        struct vfs_notify_conn *c = container_of(node, struct vfs_notify_conn, all_node);

        if (ok && c->ip->sb == sb)
            ok = held_add(t, &n, max, c->ip) &&
                 (!c->ghost_dir || held_add(t, &n, max, c->ghost_dir));
    }
    for (unsigned i = 0; ok && i < n; i++) /* n grows: parents of parents */
        if (t[i].ip != sb->root && vfs_isdir(t[i].ip) && t[i].ip->parent)
            ok = held_add(t, &n, max, t[i].ip->parent);
    ok = ok && n == sb->ninodes;
    for (unsigned i = 0; ok && i < n; i++)
        ok = t[i].ip->refs == t[i].refs;
    kfree(t);
    return ok;
}

/* The first connector of sb still telling a directory about an unlinked open file. */
static struct vfs_notify_conn *ghost_on(struct vfs_sb *sb)
{
    list_for_each(&all_conns, node)
    {
        struct vfs_notify_conn *c = container_of(node, struct vfs_notify_conn, all_node);
        if (c->ip->sb == sb && c->ghost_dir)
            return c;
    }
    return NULL;
}

void vfs_notify_unmount(struct vfs_sb *sb, bool force)
{
    struct vfs_notify_conn *c;

    reap();
    if (!force && !only_watched(sb))
        return; /* busy anyway: the watches stay, as Linux's after a failed umount */
    list_for_each(&all_conns, node) /* the newest first, as Linux's inode list */
    {
        struct list_node *wn;

        c = container_of(node, struct vfs_notify_conn, all_node);
        if (c->ip->sb != sb)
            continue;
        while ((wn = list_first(&c->watches)) != NULL) { /* IN_UNMOUNT whatever the mask */
            struct notify_watch *w = container_of(wn, struct notify_watch, inode_node);
            uint32_t m = LINUX_IN_UNMOUNT | (vfs_isdir(c->ip) ? LINUX_IN_ISDIR : 0);

            vfs_notify_queue_event(w->g, w->wd, m, 0, NULL);
            watch_drop(w, true);
        }
    }
    while ((c = ghost_on(sb)) != NULL) { /* the put may reap: look again each time */
        struct vfs_inode *gdir = c->ghost_dir;

        kfree(c->ghost_name);
        c->ghost_name = NULL;
        c->ghost_dir = NULL;
        if (!list_node_linked(&c->reap_node))
            list_push_back(&reap_list, &c->reap_node);
        inode_put(gdir);
    }
    reap();
}

/* --- the namespace calls ----------------------------------------------------------------- */

void vfs_notify_remove_slow(struct vfs_inode *dir, struct vfs_inode *ip, const char *name,
                            unsigned our_refs)
{
    bool isdir = vfs_isdir(ip);

    if (!isdir)
        vfs_notify_self(ip, LINUX_IN_ATTRIB); /* its link count changed */
    if (!isdir && dir->notify && ip->refs > our_refs + (ip->notify ? 1u : 0u) && !has_links(ip))
        ghost_set(dir, ip, name);
    names_update(dir, name, ip, NULL, NULL);
    vfs_notify_unlinked(ip, our_refs);
    vfs_notify_dirent(dir, LINUX_IN_DELETE, name, 0, isdir);
}

void vfs_notify_link_slow(struct vfs_inode *dir, struct vfs_inode *ip, const char *name)
{
    vfs_notify_self(ip, LINUX_IN_ATTRIB);
    vfs_notify_dirent(dir, LINUX_IN_CREATE, name, 0, false);
}

/* One name's move, as Linux's fsnotify_move: IN_MOVED_FROM and IN_MOVED_TO with one cookie,
 * the replaced file's link count, then IN_MOVE_SELF. */
static void moved(struct vfs_inode *odir, const char *oname, struct vfs_inode *ndir,
                  const char *nname, struct vfs_inode *ip, struct vfs_inode *replaced)
{
    uint32_t ck = vfs_notify_cookie();
    bool isdir = vfs_isdir(ip);

    names_update(odir, oname, ip, ndir, nname);
    vfs_notify_dirent(odir, LINUX_IN_MOVED_FROM, oname, ck, isdir);
    vfs_notify_dirent(ndir, LINUX_IN_MOVED_TO, nname, ck, isdir);
    if (replaced && !vfs_isdir(replaced))
        vfs_notify_self(replaced, LINUX_IN_ATTRIB);
    vfs_notify_self(ip, LINUX_IN_MOVE_SELF);
}

void vfs_notify_rename_slow(struct vfs_inode *odir, const char *oname, struct vfs_inode *ndir,
                            const char *nname, struct vfs_inode *src, struct vfs_inode *dst,
                            bool exchange)
{
    moved(odir, oname, ndir, nname, src, exchange ? NULL : dst);
    if (exchange && dst)
        moved(ndir, nname, odir, oname, dst, NULL);
    else if (dst)
        names_update(ndir, nname, dst, NULL, NULL);
    if (dst && !exchange)
        vfs_notify_unlinked(dst, 1);
    /* the names as they are now, so later events about src (and dst) find them */
    dcache_insert(ndir, nname, strlen(nname), src);
    if (exchange && dst)
        dcache_insert(odir, oname, strlen(oname), dst);
}
