/*
 * splice.c - the pipe's side of splice(2), tee(2) and vmsplice(2) (pipe.h, docs/pipes.md).
 *
 * The other side of a splice is a function the syscall layer gives (struct pipe_io): a file
 * read or write at a position, or a copy from or to user memory (vmsplice copies: Petrel
 * never maps user pages into a pipe). Each call holds the pipe's lock while that function
 * runs, as Linux holds the pipe's mutex across ->splice_read/->splice_write, so what it takes
 * is exactly what fits:
 *   into a pipe   wait for a free slot (not with nb: -EAGAIN; no reader: -EPIPE and SIGPIPE),
 *                 then fill free slots a page at a time until the source gives less, the
 *                 count is done or the ring is full: one wait, never a second (Linux);
 *   out of a pipe wait for data (nb: -EAGAIN; no writer and empty: 0, end of file), then
 *                 hand slot contents to the sink and consume what it took, until it takes
 *                 less, the count is done or the pipe is empty;
 *   pipe to pipe  both locks (in address order); wait for input, then for room in the
 *                 output; move (splice: whole slots change owner, a partial one is copied)
 *                 or copy (tee: nothing consumed) slot by slot while both allow.
 * A wait sleeps on one queue with every pipe lock released and takes them again (pipe_sleep
 * for one pipe, sleep_two for two): -ERESTARTSYS when interrupted, as Linux.
 */
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "fs/pipe/pipe.h"
#include "fs/pipe/pipe_internal.h"
#include "hal/hal_errno.h"

static size_t min_sz(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* p->lock held: wait for data. 0 (data), 1 (empty and no writer: end of file), -EAGAIN,
 * -ERESTARTSYS. */
static int wait_data(struct pipe *p, bool nb)
{
    for (;;) {
        if (p->count)
            return 0;
        if (!p->writers)
            return 1;
        if (nb)
            return -EAGAIN;
        int rc = pipe_sleep(p, &p->rd_wq);
        if (rc)
            return rc;
    }
}

/* p->lock held: wait for a free slot. 0, -EPIPE (no reader), -EAGAIN, -ERESTARTSYS. */
static int wait_room(struct pipe *p, bool nb)
{
    for (;;) {
        if (!p->readers)
            return -EPIPE;
        if (p->count < p->nslots)
            return 0;
        if (nb)
            return -EAGAIN;
        int rc = pipe_sleep(p, &p->wr_wq);
        if (rc)
            return rc;
    }
}

/* p->lock held: the first slot gives up n bytes (freed when empty). */
static void consume(struct pipe *p, size_t n)
{
    struct pipe_slot *s = &p->slots[p->head];

    s->off += (uint32_t)n;
    s->len -= (uint32_t)n;
    if (s->len == 0) {
        pipe_page_put(p, s->page);
        s->page = NULL;
        p->head = (p->head + 1) % p->nslots;
        set_u(&p->count, p->count - 1);
    }
}

/* p->lock held, a slot free: append page holding n bytes (the page passes to the ring). */
static void append(struct pipe *p, uint8_t *page, size_t n, bool packet)
{
    struct pipe_slot *s = &p->slots[(p->head + p->count) % p->nslots];

    *s = (struct pipe_slot){page, 0, (uint32_t)n, packet};
    set_u(&p->count, p->count + 1);
}

bool pipe_file_same(struct file *a, struct file *b)
{
    return pipe_of(a) == pipe_of(b);
}

long pipe_splice_out(struct file *pf, size_t len, bool nb, const struct pipe_io *sink)
{
    struct pipe *p = pipe_of(pf);
    size_t done = 0;
    long rc;

    mutex_lock(&p->lock);
    rc = wait_data(p, nb);
    while (rc == 0 && done < len && p->count) {
        struct pipe_slot *s = &p->slots[p->head];
        size_t c = min_sz(s->len, len - done);
        long w = sink->fn(sink->ctx, s->page + s->off, c);

        if (w <= 0) {
            rc = w;
            break;
        }
        consume(p, (size_t)w);
        done += (size_t)w;
        if ((size_t)w < c)
            break;
    }
    if (done) {
        wake(&p->wr_wq, LINUX_EPOLLOUT | LINUX_EPOLLWRNORM);
        pipe_async(p, LINUX_POLL_OUT);
    }
    mutex_unlock(&p->lock);
    if (done)
        return (long)done;
    return rc == 1 ? 0 : rc;
}

long pipe_splice_in(struct file *pf, size_t len, bool nb, const struct pipe_io *source)
{
    struct pipe *p = pipe_of(pf);
    size_t done = 0;
    long rc;

    mutex_lock(&p->lock);
    rc = wait_room(p, nb);
    while (rc == 0 && done < len && p->count < p->nslots) {
        size_t c = min_sz(PIPE_PAGE, len - done);
        uint8_t *page = kmalloc(PIPE_PAGE);
        long r = page ? source->fn(source->ctx, page, c) : -ENOMEM;

        if (r <= 0) {
            kfree(page);
            rc = r;
            break;
        }
        append(p, page, (size_t)r, false);
        done += (size_t)r;
        if ((size_t)r < c)
            break;
    }
    return pipe_write_end(p, done, rc);
}

/* --- pipe to pipe ------------------------------------------------------------------------- */

static void lock_two(struct pipe *a, struct pipe *b)
{
    if ((uintptr_t)a > (uintptr_t)b) {
        struct pipe *t = a;
        a = b;
        b = t;
    }
    mutex_lock(&a->lock);
    mutex_lock(&b->lock);
}

static void unlock_two(struct pipe *a, struct pipe *b)
{
    mutex_unlock(&a->lock);
    mutex_unlock(&b->lock);
}

/* Both locks held: sleep on wq without them (queued first, as pipe_sleep). 0 or
 * -ERESTARTSYS. */
static int sleep_two(struct pipe *a, struct pipe *b, struct wait_queue *wq)
{
    struct pipe_wait pw;
    int rc;

    pipe_wait_begin(&pw, wq);
    unlock_two(a, b);
    rc = pipe_wait_end(&pw);
    lock_two(a, b);
    return rc;
}

/* Both locks held: wait for input, then for room. 0, 1 (end of input), -errno. */
static int wait_two(struct pipe *ip, struct pipe *op, bool nb)
{
    for (;;) {
        int rc = 0;

        if (!ip->count && ip->writers && !nb)
            rc = sleep_two(ip, op, &ip->rd_wq);
        else if (!ip->count && ip->writers)
            return -EAGAIN;
        else if (!op->readers)
            return -EPIPE;
        else if (!ip->count)
            return 1;
        else if (op->count < op->nslots)
            return 0;
        else if (nb)
            return -EAGAIN;
        else
            rc = sleep_two(ip, op, &op->wr_wq);
        if (rc)
            return rc;
    }
}

/* Both locks held, input and room: move (or copy, tee) up to len bytes. Bytes or -ENOMEM. */
static long transfer(struct pipe *ip, struct pipe *op, size_t len, bool tee)
{
    size_t done = 0;
    unsigned i = 0; /* tee: the next input slot to copy */

    while (done < len && op->count < op->nslots && i < ip->count) {
        struct pipe_slot *s = &ip->slots[(ip->head + i) % ip->nslots];
        size_t c = min_sz(s->len, len - done);
        uint8_t *page;

        if (!tee && c == s->len && s->off == 0) { /* the whole page changes pipes */
            append(op, s->page, c, s->packet);
            s->page = NULL;
            s->len = 0;
            ip->head = (ip->head + 1) % ip->nslots;
            set_u(&ip->count, ip->count - 1);
        } else {
            page = kmalloc(PIPE_PAGE);
            if (!page)
                break;
            memcpy(page, s->page + s->off, c);
            append(op, page, c, s->packet);
            if (tee)
                i++;
            else
                consume(ip, c);
        }
        done += c;
    }
    return done ? (long)done : -ENOMEM;
}

long pipe_splice_pipe(struct file *in, struct file *out, size_t len, bool nb, bool tee)
{
    struct pipe *ip = pipe_of(in), *op = pipe_of(out);
    long rc;

    lock_two(ip, op);
    rc = wait_two(ip, op, nb);
    if (rc == 0)
        rc = transfer(ip, op, len, tee);
    if (rc > 0) {
        wake(&op->rd_wq, LINUX_EPOLLIN | LINUX_EPOLLRDNORM);
        pipe_async(op, LINUX_POLL_IN);
        if (!tee) {
            wake(&ip->wr_wq, LINUX_EPOLLOUT | LINUX_EPOLLWRNORM);
            pipe_async(ip, LINUX_POLL_OUT);
        }
    }
    unlock_two(ip, op);
    if (rc == 1)
        return 0;
    return rc == -EPIPE ? pipe_broken() : rc;
}
