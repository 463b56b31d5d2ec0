/*
 * poll.c - the engine of poll and select: one waiter, one wait entry per (file, queue).
 *
 * The first pass asks every file for its mask with a poll_table that queues an entry on
 * each wait queue the kind names (poll_wait): the entries go on the queues before the masks
 * are read, so a wakeup after the check finds the entry and decides the waiter (the
 * lost-wakeup argument of core/sched/wait.c). Later passes (after a wakeup) re-read the
 * masks without registering again. A pass that finds a ready file, a deadline that passed or
 * an interrupt ends the wait; the entries are removed before returning.
 *
 * An entry's wake function filters by key: a wakeup whose event mask concerns none of the
 * events the item wants (plus ERR and HUP, always reported) does not wake the thread, so a
 * reader polling for input is not woken by every "writable" edge. Entries are allocated in
 * chunks (a kind may name several queues per file).
 */
#include "fs/poll/poll.h"

#include "core/abi/poll.h"
#include "core/lib/alloc.h"
#include "hal/hal_errno.h"

#define POLL_CHUNK 16 /* entries per allocation */

struct poll_entry {
    struct wait_entry e;
    unsigned events; /* what the item wants, with ERR and HUP */
};

struct poll_chunk {
    struct poll_chunk *next;
    unsigned used;
    struct poll_entry ent[POLL_CHUNK];
};

struct poll_ctx {
    struct poll_table pt;
    struct waiter w;
    struct poll_chunk *chunks;
    unsigned events; /* of the item being polled */
    int error;       /* -ENOMEM from a registration */
};

#define POLL_ALWAYS (LINUX_EPOLLERR | LINUX_EPOLLHUP)

static int poll_wake_fn(struct wait_entry *e, unsigned key)
{
    struct poll_entry *pe = container_of(e, struct poll_entry, e);

    if (key && !(key & pe->events))
        return 0;
    return waiter_wake(e->arg);
}

static void poll_queue(struct poll_table *pt, struct wait_queue *wq)
{
    struct poll_ctx *ctx = container_of(pt, struct poll_ctx, pt);
    struct poll_chunk *c = ctx->chunks;
    struct poll_entry *pe;

    if (!c || c->used == POLL_CHUNK) {
        c = kzalloc(sizeof(*c));
        if (!c) {
            ctx->error = -ENOMEM;
            return;
        }
        c->next = ctx->chunks;
        ctx->chunks = c;
    }
    pe = &c->ent[c->used++];
    pe->events = ctx->events;
    wait_entry_init(&pe->e, poll_wake_fn, &ctx->w);
    wq_add(wq, &pe->e);
}

static void poll_release(struct poll_ctx *ctx)
{
    while (ctx->chunks) {
        struct poll_chunk *c = ctx->chunks;

        for (unsigned i = 0; i < c->used; i++)
            wq_remove(&c->ent[i].e);
        ctx->chunks = c->next;
        kfree(c);
    }
}

/* One pass over the items; registers through pt when it is not NULL. */
static int poll_pass(struct poll_ctx *ctx, struct poll_item *items, unsigned n,
                     struct poll_table *pt)
{
    int ready = 0;

    for (unsigned i = 0; i < n; i++) {
        struct poll_item *it = &items[i];

        it->revents = 0;
        if (!it->file)
            continue;
        ctx->events = it->events | POLL_ALWAYS;
        it->revents = file_poll(it->file, pt) & ctx->events;
        if (it->revents) {
            ready++;
            pt = NULL; /* something is ready: no need to register the rest */
        }
    }
    return ready;
}

int poll_files(struct poll_item *items, unsigned n, uint64_t deadline_ns)
{
    struct poll_ctx ctx = {.pt = {.queue = poll_queue}};
    struct poll_table *pt = deadline_ns ? &ctx.pt : NULL; /* 0: only look */
    int ready, rc = 0;

    waiter_init(&ctx.w);
    ctx.w.name = "poll";
    for (;;) {
        ready = poll_pass(&ctx, items, n, pt);
        pt = NULL;
        if (ready || rc || ctx.error)
            break;
        rc = waiter_sleep(&ctx.w, deadline_ns, true);
        waiter_reset(&ctx.w);
        /* after a timeout or an interrupt, one more pass: a file may have become ready */
    }
    poll_release(&ctx);
    if (ready)
        return ready;
    if (ctx.error)
        return ctx.error;
    return rc == -EINTR ? -EINTR : 0;
}
