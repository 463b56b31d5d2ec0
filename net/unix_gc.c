/*
 * unix_gc.c - collecting the AF_UNIX sockets that only descriptors in flight keep alive.
 *
 * SCM_RIGHTS queues a reference to a file in a message at the receiving socket. When that
 * file is itself an AF_UNIX socket, the references can form a cycle no program can reach:
 * socket A's descriptor queued at B, B's queued at A (or A's at A), and every descriptor
 * closed. Each file is then held only by a queue the other keeps alive, and neither would
 * ever be released. Linux's collector finds such sets when a socket is released while
 * descriptors are in flight; this one does the same, over the sockets that have a file
 * (registered by unix_file_register) with the children waiting in their accept queues:
 *
 *   1. count, for each socket, the queued messages that hold its file (gc_inflight);
 *   2. candidates are the sockets whose file has no other reference (refs == gc_inflight):
 *      no descriptor and no syscall in progress holds it, and under unix_lock nothing can
 *      give it one, since only a receive from a queue could, and receives take the lock;
 *   3. take away the references the candidates' own queues hold to candidates: one left
 *      with some is held from the queue of a live socket, so it is alive, and so is every
 *      candidate its queues hold, transitively;
 *   4. the other candidates are garbage: their queues (and their children's) are purged,
 *      and the files they held are dropped once the lock is released (unix_unlock_reap);
 *      the last reference of each then closes its socket as close(2) would.
 *
 * unix_inflight counts the file references queued messages hold (updated under unix_lock,
 * atomically so that a close reads it without the lock). The collector runs when a
 * descriptor of an AF_UNIX socket is closed (fd_close) or a socket released (unix_close),
 * only while unix_inflight is not 0, never nested (a close it causes asks for one more pass
 * instead), and again after each pass that found garbage. It also runs before a send that
 * passes descriptors while more than UNIX_GC_TRIGGER references are in flight, as Linux's
 * wait_for_unix_gc (UNIX_INFLIGHT_TRIGGER_GC, 16000): a cycle whose last outside reference
 * went without a close (a syscall in progress held the file when its descriptor closed, and
 * dropped it after) is then collected before the program can pile up more. (Linux counts only
 * AF_UNIX sockets in flight; this counts every file, so it triggers no later than Linux.)
 */
#include "fs/file/file.h"
#include "net/unix_internal.h"

unsigned unix_inflight;
static struct list filed; /* sockets with a file (file_node); unix_lock */
static bool filed_ready, gc_running, gc_again;
static bool gc_changed;

static struct list *filed_list(void)
{
    if (!filed_ready) {
        list_init(&filed);
        filed_ready = true;
    }
    return &filed;
}

void unix_file_register(struct unix_sock *u, struct file *f)
{
    uint64_t tok = unix_lock_take();

    u->file = f;
    list_push_back(filed_list(), &u->file_node);
    unix_unlock(tok);
}

void unix_file_unregister_locked(struct unix_sock *u)
{
    if (!u->file)
        return;
    list_remove(&u->file_node);
    u->file = NULL;
}

/* fn(v) for each registered socket v whose file u's queue (and, with children, the queues of
 * u's unaccepted children) holds, once per reference. */
static void each_held(struct unix_sock *u, bool children, void (*fn)(struct unix_sock *))
{
    list_for_each(&u->rxq, n)
    {
        struct unix_msg *m = container_of(n, struct unix_msg, node);

        for (unsigned i = 0; i < m->nfiles; i++) {
            struct unix_sock *v = unix_of_file(m->files[i]);

            if (v && v->file)
                fn(v);
        }
    }
    if (children) {
        list_for_each(&u->acceptq, n)
            each_held(container_of(n, struct unix_sock, acc_node), false, fn);
    }
}

static void count_held(struct unix_sock *v)
{
    v->gc_inflight++;
}

static void drop_internal(struct unix_sock *v)
{
    if (v->gc_cand)
        v->gc_ext--;
}

static void mark_alive(struct unix_sock *v)
{
    if (v->gc_cand && !v->gc_alive) {
        v->gc_alive = true;
        gc_changed = true;
    }
}

#define FOR_EACH_FILED(u)                                                                      \
    list_for_each(filed_list(), n_) for (struct unix_sock *u =                                 \
                                             container_of(n_, struct unix_sock, file_node);    \
                                         u; u = NULL)

/* Steps 1-3: candidates, and which of them are alive. unix_lock held. */
static void classify(void)
{
    FOR_EACH_FILED(u) {
        u->gc_inflight = 0;
        u->gc_cand = u->gc_alive = false;
    }
    FOR_EACH_FILED(u) each_held(u, true, count_held);
    FOR_EACH_FILED(u) {
        u->gc_cand = u->gc_inflight &&
                     __atomic_load_n(&u->file->refs, __ATOMIC_ACQUIRE) == u->gc_inflight;
        u->gc_ext = u->gc_inflight;
    }
    FOR_EACH_FILED(u) {
        if (u->gc_cand)
            each_held(u, true, drop_internal);
    }
    FOR_EACH_FILED(u) {
        if (u->gc_cand && u->gc_ext)
            u->gc_alive = true;
    }
    do {
        gc_changed = false;
        FOR_EACH_FILED(u) {
            if (u->gc_cand && u->gc_alive)
                each_held(u, true, mark_alive);
        }
    } while (gc_changed);
}

/* One pass, unix_lock held: purge the garbage's queues into r. True when there was some. */
static bool gc_pass(struct unix_reap *r)
{
    bool found = false;

    classify();
    FOR_EACH_FILED(u) {
        if (!u->gc_cand || u->gc_alive)
            continue;
        found = true;
        unix_purge(u, r);
        list_for_each(&u->acceptq, n)
            unix_purge(container_of(n, struct unix_sock, acc_node), r);
    }
    return found;
}

void unix_gc_before_send(const struct sock_ctl *ctl)
{
    if (ctl && ctl->nfiles && __atomic_load_n(&unix_inflight, __ATOMIC_RELAXED) > UNIX_GC_TRIGGER)
        unix_gc();
}

void unix_gc(void)
{
    if (!__atomic_load_n(&unix_inflight, __ATOMIC_RELAXED))
        return; /* the common case, every close of a descriptor: nothing in flight */
    for (;;) {
        struct unix_reap r;
        uint64_t tok;
        bool found;

        unix_reap_init(&r);
        tok = unix_lock_take();
        if (gc_running || !__atomic_load_n(&unix_inflight, __ATOMIC_RELAXED)) {
            gc_again = gc_running; /* the running collector looks once more */
            unix_unlock(tok);
            return;
        }
        gc_running = true;
        gc_again = false;
        found = gc_pass(&r);
        unix_unlock_reap(tok, &r); /* the garbage's files go: their sockets close */
        tok = unix_lock_take();
        gc_running = false;
        found = found || gc_again;
        unix_unlock(tok);
        if (!found)
            return;
    }
}
