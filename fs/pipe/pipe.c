/*
 * pipe.c - pipes and FIFOs (pipe.h, docs/pipes.md).
 *
 * A pipe is a ring of slots, each a page-sized buffer holding [off, off + len) of data; its
 * capacity is counted in slots (16 by default: 64 KiB), as Linux's pipe_buffer ring. A write
 * first merges its tail (n mod PAGE bytes) into the last slot when it fits there and that
 * slot is not a packet, then fills fresh slots a page at a time; so a write of at most
 * PIPE_BUF bytes lands in one slot, whole or not at all - the atomicity POSIX asks for. An
 * O_DIRECT writer makes each slot a packet: a read takes at most one packet and drops what
 * does not fit in its buffer.
 *
 * Locking: p->lock (a mutex) guards the ring and the counts. A thread that must wait queues
 * its entry on the wait queue, then drops p->lock and sleeps (pipe_sleep), so a wake that
 * follows a change made under p->lock finds it queued and cannot be lost; that is also why
 * wake() may skip a queue it finds empty without taking the queue's lock (poll fences after
 * queuing, see pipe_poll). rd_wq: readers waiting for data or for the last writer to go, and
 * FIFO openers waiting for a writer; wr_wq: the reverse. Wakes carry the LINUX_EPOLL* bits
 * that became true. readers/writers/count/nslots are also read without the lock by poll
 * (atomic accesses: poll never sleeps).
 *
 * read(2) and write(2) copy between the user's buffer and the slot pages directly
 * (read_user/write_user, struct pipe_buf), and an emptied slot's page is kept as the pipe's
 * spare for the next write: a one-byte write and read allocate nothing (bench/syscall's pipe
 * ping-pong; Linux keeps one tmp_page the same way).
 *
 * O_ASYNC (docs/pipes.md), as Linux's pipe_read/pipe_write/pipe_release, checked natively by
 * tests/runtime/progs/pipe_sigio.c: every read call that gets as far as the ring (data, end
 * of file, EAGAIN, an interrupted wait) signals POLL_OUT to the ends that write, every write
 * call POLL_IN to the ends that read (a write of 0 bytes and a read of 0 bytes signal
 * nothing), and when the last reader or the last writer goes (the other side still open)
 * both. The pipe keeps its ends on a list; a sticky flag set by the first O_ASYNC keeps the
 * walk off the paths of pipes that never use it.
 */
#include "fs/pipe/pipe.h"
#include "fs/pipe/pipe_internal.h"

#include "core/abi/fcntl.h"
#include "core/abi/ioctl.h"
#include "core/abi/poll.h"
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/mm/uaccess.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_errno.h"
#include "hal/hal_user.h"

/* FIFO pipes by inode; fifo_lock guards the list and the creation and last release of FIFO
 * pipes (order: fifo_lock, then p->lock). Set up on first use (fifo_setup). */
static struct mutex fifo_lock;
static struct list fifo_list;
static struct spinlock fifo_once = SPINLOCK_INIT("fifo.once");
static bool fifo_ready;

static void fifo_setup(void)
{
    uint64_t irq = spin_lock_irqsave(&fifo_once);

    if (!fifo_ready) {
        mutex_init(&fifo_lock, "fifo");
        list_init(&fifo_list);
        fifo_ready = true;
    }
    spin_unlock_irqrestore(&fifo_once, irq);
}

/* A pipe sleeper's entry leaves the queue as soon as it wins, so later wakes skip it. */
static int pipe_wake_fn(struct wait_entry *e, unsigned key)
{
    int r = waiter_wake_fn(e, key);

    if (r)
        wq_remove_locked(e);
    return r;
}

void pipe_wait_begin(struct pipe_wait *pw, struct wait_queue *wq)
{
    waiter_init(&pw->w);
    pw->w.name = wq->lock.name;
    wait_entry_init(&pw->e, pipe_wake_fn, &pw->w);
    wq_add(wq, &pw->e);
}

int pipe_wait_end(struct pipe_wait *pw)
{
    int rc = waiter_sleep(&pw->w, UINT64_MAX, true);

    wq_remove(&pw->e); /* interrupted: still queued */
    return rc == -EINTR ? -ERESTARTSYS : rc;
}

int pipe_sleep(struct pipe *p, struct wait_queue *wq)
{
    struct pipe_wait pw;
    int rc;

    pipe_wait_begin(&pw, wq); /* queued before p->lock goes: wake() may look without lock */
    mutex_unlock(&p->lock);
    rc = pipe_wait_end(&pw);
    mutex_lock(&p->lock);
    return rc;
}

uint8_t *pipe_page_get(struct pipe *p)
{
    uint8_t *page = p->spare;

    p->spare = NULL;
    return page ? page : kmalloc(PIPE_PAGE);
}

void pipe_page_put(struct pipe *p, uint8_t *page)
{
    if (p->spare)
        kfree(page);
    else
        p->spare = page;
}

static struct pipe *pipe_new(void)
{
    struct pipe *p = kzalloc(sizeof(*p));

    if (!p)
        return NULL;
    p->slots = kzalloc(PIPE_DEF_SLOTS * sizeof(*p->slots));
    if (!p->slots) {
        kfree(p);
        return NULL;
    }
    p->nslots = PIPE_DEF_SLOTS;
    mutex_init(&p->lock, "pipe");
    list_init(&p->ends);
    wq_init(&p->rd_wq, "pipe.rd");
    wq_init(&p->wr_wq, "pipe.wr");
    return p;
}

static void pipe_free(struct pipe *p)
{
    for (unsigned i = 0; i < p->count; i++)
        kfree(p->slots[(p->head + i) % p->nslots].page);
    kfree(p->spare);
    kfree(p->slots);
    kfree(p);
}

/* --- data ---------------------------------------------------------------------------------- */

/*
 * Where a read's bytes go or a write's come from: kernel memory (read/write), or user memory
 * (read_user/write_user: one copy, no kernel buffer, as Linux copies between the user's
 * buffer and the pipe's pages). A read copies out with copy_to_user, which faults an absent
 * destination page in (under p->lock, as Linux faults under the pipe's mutex; the VM never
 * takes a pipe lock) and goes on, so a read into a fresh buffer takes all the pipe holds in
 * one call; only a page the areas do not allow (a hole, read-only) stops it: that slot's
 * copy does not count and stays in the pipe (Linux's pipe_read keeps a buffer it could not
 * copy whole). A write's source page that is not present stops the copy (fault): none of it
 * counts, and the syscall layer does the rest through a kernel buffer, faulting pages in.
 */
struct pipe_buf {
    bool user;
    bool fault;
    uint8_t *k;
    uint64_t u;
};

static bool buf_out(struct pipe_buf *b, size_t at, const void *src, size_t n)
{
    if (!b->user) {
        memcpy(b->k + at, src, n);
        return true;
    }
    b->fault = copy_to_user(uptr_make(b->u + at), src, n) != 0;
    return !b->fault;
}

static bool buf_in(struct pipe_buf *b, size_t at, void *dst, size_t n)
{
    if (!b->user) {
        memcpy(dst, b->k + at, n);
        return true;
    }
    b->fault = hal_copy_from_user(dst, b->u + at, n) != 0;
    return !b->fault;
}

/* p->lock held: move up to n bytes out of the ring (one packet at most). */
static size_t ring_take(struct pipe *p, struct pipe_buf *b, size_t n)
{
    size_t got = 0;

    while (got < n && p->count) {
        struct pipe_slot *s = &p->slots[p->head];
        size_t c = s->len < n - got ? s->len : n - got;
        bool packet = s->packet;

        if (!buf_out(b, got, s->page + s->off, c))
            break;
        got += c;
        s->off += (uint32_t)c;
        s->len -= (uint32_t)c;
        if (s->len == 0 || packet) { /* a packet is read once: the rest is dropped */
            pipe_page_put(p, s->page);
            s->page = NULL;
            p->head = (p->head + 1) % p->nslots;
            set_u(&p->count, p->count - 1);
        }
        if (packet)
            break;
    }
    return got;
}

/* p->lock held: append up to n bytes from b at `at` in a fresh slot (at most a page).
 * -ENOMEM, or bytes (0: b faulted). */
static long ring_push(struct pipe *p, struct pipe_buf *b, size_t at, size_t n, bool packet)
{
    struct pipe_slot *s = &p->slots[(p->head + p->count) % p->nslots];
    size_t c = n < PIPE_PAGE ? n : PIPE_PAGE;
    uint8_t *page = pipe_page_get(p);

    if (!page)
        return -ENOMEM;
    if (!buf_in(b, at, page, c)) {
        pipe_page_put(p, page);
        return 0;
    }
    s->page = page;
    s->off = 0;
    s->len = (uint32_t)c;
    s->packet = packet;
    set_u(&p->count, p->count + 1);
    return (long)c;
}

/* p->lock held: the tail n mod PAGE bytes of a write join the last slot if they fit. */
static size_t ring_merge(struct pipe *p, struct pipe_buf *b, size_t n, bool packet)
{
    size_t chars = n % PIPE_PAGE;
    struct pipe_slot *s;

    if (packet || !chars || !p->count)
        return 0;
    s = &p->slots[(p->head + p->count - 1) % p->nslots];
    if (s->packet || s->off + s->len + chars > PIPE_PAGE)
        return 0;
    if (!buf_in(b, 0, s->page + s->off + s->len, chars))
        return 0;
    s->len += (uint32_t)chars;
    return chars;
}

/* A read into b: bytes, 0 at end of file (or when b faulted before the first byte), -errno. */
static long pipe_read_buf(struct file *f, struct pipe_buf *b, size_t n)
{
    struct pipe *p = pipe_of(f);
    size_t got = 0;
    long rc = 0;
    bool slept = false;

    if (!end_reads(f))
        return -EBADF;
    if (n == 0)
        return 0;
    mutex_lock(&p->lock);
    for (;;) {
        got = ring_take(p, b, n);
        if (got || b->fault || !p->writers)
            break; /* data, a user page to fault in, or end of file */
        if (file_flags(f) & VFS_O_NONBLOCK) {
            rc = -EAGAIN;
            break;
        }
        rc = pipe_sleep(p, &p->rd_wq);
        slept = true;
        if (rc)
            break;
    }
    if (got)
        wake(&p->wr_wq, LINUX_EPOLLOUT | LINUX_EPOLLWRNORM);
    pipe_async(p, LINUX_POLL_OUT);
    /* more for the next reader; only after a sleep, as Linux: a read that did not wait
     * must not look like new data to an edge-triggered epoll */
    if (got && p->count && slept)
        wake(&p->rd_wq, LINUX_EPOLLIN | LINUX_EPOLLRDNORM);
    mutex_unlock(&p->lock);
    return got ? (long)got : rc;
}

static long pipe_read(struct file *f, void *buf, size_t n, uint64_t *pos)
{
    struct pipe_buf b = {.k = buf};

    (void)pos;
    return pipe_read_buf(f, &b, n);
}

/* Straight into user memory (absent pages are faulted in); a destination the areas do not
 * allow before the first byte falls back (file_read_user: the syscall layer's answer for a
 * bad buffer), after it the read is short (the next one falls back). */
static long pipe_read_user(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos,
                           bool *fallback)
{
    struct pipe_buf b = {.user = true, .u = ubuf};
    long r;

    (void)pos;
    r = pipe_read_buf(f, &b, n);
    *fallback = b.fault && r == 0;
    return r;
}

long pipe_broken(void)
{
    file_sigpipe();
    return -EPIPE;
}

/* A write from b: bytes (fewer when b faulted: the caller writes the rest), -errno. */
static long pipe_write_buf(struct file *f, struct pipe_buf *b, size_t n)
{
    struct pipe *p = pipe_of(f);
    bool packet = file_flags(f) & VFS_O_DIRECT;
    size_t done = 0;
    long rc = 0;

    if (!end_writes(f))
        return -EBADF;
    if (n == 0)
        return 0;
    mutex_lock(&p->lock);
    if (p->readers)
        done = ring_merge(p, b, n, packet);
    while (done < n && !b->fault) {
        if (!p->readers) {
            rc = -EPIPE;
            break;
        }
        if (p->count < p->nslots) {
            long c = ring_push(p, b, done, n - done, packet);
            if (c < 0) {
                rc = c;
                break;
            }
            done += (size_t)c;
            continue;
        }
        if (file_flags(f) & VFS_O_NONBLOCK) {
            rc = -EAGAIN;
            break;
        }
        wake(&p->rd_wq, LINUX_EPOLLIN | LINUX_EPOLLRDNORM); /* let them drain it */
        rc = pipe_sleep(p, &p->wr_wq);
        if (rc)
            break;
    }
    if (!done) /* no data: Linux signals the readers all the same */
        pipe_async(p, LINUX_POLL_IN);
    return pipe_write_end(p, done, rc);
}

static long pipe_write(struct file *f, const void *buf, size_t n, uint64_t *pos)
{
    struct pipe_buf b = {.k = (uint8_t *)(uintptr_t)buf};

    (void)pos;
    return pipe_write_buf(f, &b, n);
}

/* Straight from user memory; at a source page not present it stops (a write of at most
 * PIPE_BUF bytes having written nothing: still atomic) and the caller goes on with the rest
 * through a kernel buffer (file_write_user). */
static long pipe_write_user(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos,
                            bool *fallback)
{
    struct pipe_buf b = {.user = true, .u = ubuf};
    long r;

    (void)pos;
    r = pipe_write_buf(f, &b, n);
    *fallback = b.fault && r >= 0;
    return r;
}

long pipe_write_end(struct pipe *p, size_t done, long rc)
{
    if (done) {
        wake(&p->rd_wq, LINUX_EPOLLIN | LINUX_EPOLLRDNORM);
        pipe_async(p, LINUX_POLL_IN);
    }
    mutex_unlock(&p->lock);
    if (done)
        return (long)done;
    return rc == -EPIPE ? pipe_broken() : rc;
}

/* --- control --------------------------------------------------------------------------------- */

static unsigned pipe_poll(struct file *f, struct poll_table *pt)
{
    struct pipe *p = pipe_of(f);
    unsigned mask = 0, count;

    if (end_reads(f))
        poll_wait(pt, &p->rd_wq);
    if (end_writes(f))
        poll_wait(pt, &p->wr_wq);
    /* queued above, counts read below: a waker changes a count, fences and looks at the
     * queue without its lock (wake()); with this fence one of the two sees the other */
    if (pt)
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
    count = get_u(&p->count);
    if (end_reads(f)) {
        if (count)
            mask |= LINUX_EPOLLIN | LINUX_EPOLLRDNORM;
        if (!get_u(&p->writers))
            mask |= LINUX_EPOLLHUP;
    }
    if (end_writes(f)) {
        if (count < get_u(&p->nslots))
            mask |= LINUX_EPOLLOUT | LINUX_EPOLLWRNORM;
        if (!get_u(&p->readers))
            mask |= LINUX_EPOLLERR;
    }
    return mask;
}

static int pipe_ioctl(struct file *f, unsigned long req, const struct file_uarg *arg)
{
    struct pipe *p = pipe_of(f);
    int n = 0;

    if (req != LINUX_FIONREAD)
        return -ENOTTY;
    mutex_lock(&p->lock);
    for (unsigned i = 0; i < p->count; i++)
        n += (int)p->slots[(p->head + i) % p->nslots].len;
    mutex_unlock(&p->lock);
    return file_uarg_out(arg, &n, sizeof(n));
}

/* F_SETPIPE_SZ: a power of two of pages, at least one (Linux's round_pipe_size). */
static long pipe_resize(struct pipe *p, unsigned arg)
{
    unsigned slots = 1;
    struct pipe_slot *ns;

    if (arg > (1u << 31))
        return -EINVAL;
    while ((uint64_t)slots * PIPE_PAGE < arg)
        slots <<= 1;
    if ((uint64_t)slots * PIPE_PAGE > LINUX_PIPE_MAX_SIZE)
        return -EPERM; /* /proc/sys/fs/pipe-max-size */
    ns = kzalloc(slots * sizeof(*ns));
    if (!ns)
        return -ENOMEM;
    mutex_lock(&p->lock);
    if (p->count > slots) {
        mutex_unlock(&p->lock);
        kfree(ns);
        return -EBUSY;
    }
    for (unsigned i = 0; i < p->count; i++)
        ns[i] = p->slots[(p->head + i) % p->nslots];
    kfree(p->slots);
    p->slots = ns;
    p->head = 0;
    set_u(&p->nslots, slots);
    wake(&p->wr_wq, LINUX_EPOLLOUT | LINUX_EPOLLWRNORM); /* maybe more room */
    mutex_unlock(&p->lock);
    return (long)slots * PIPE_PAGE;
}

static long pipe_fcntl(struct file *f, unsigned cmd, uint64_t arg)
{
    if (cmd == LINUX_F_GETPIPE_SZ)
        return (long)get_u(&pipe_of(f)->nslots) * PIPE_PAGE;
    if (cmd == LINUX_F_SETPIPE_SZ)
        return pipe_resize(pipe_of(f), (unsigned)arg);
    return -EINVAL; /* seals: not a memfd */
}

static int pipe_stat(struct file *f, struct vfs_stat *st)
{
    struct pipe_end *e = f->priv;

    if (e->vf)
        return vfs_fstat(e->vf, st); /* a FIFO: its inode */
    memset(st, 0, sizeof(*st));
    st->st_dev = 0xf; /* Linux's pipefs device on x86-64 boots */
    st->st_ino = (uint64_t)(uintptr_t)e->p >> 4;
    st->st_nlink = 1;
    st->st_mode = VFS_S_IFIFO | 0600;
    st->st_blksize = PIPE_PAGE;
    return 0;
}

/* p->lock held: this end goes away; wake the other side's sleepers. True if it was last. */
static bool drop_end(struct pipe *p, bool reads, bool writes)
{
    if (reads)
        set_u(&p->readers, p->readers - 1);
    if (writes)
        set_u(&p->writers, p->writers - 1);
    wake(&p->rd_wq, LINUX_EPOLLHUP | LINUX_EPOLLIN | LINUX_EPOLLRDNORM);
    wake(&p->wr_wq, LINUX_EPOLLERR | LINUX_EPOLLOUT | LINUX_EPOLLWRNORM);
    return !p->readers && !p->writers;
}

void pipe_async_walk(struct pipe *p, int reason)
{
    list_for_each(&p->ends, n) {
        struct file *f = container_of(n, struct pipe_end, node)->f;

        if (reason == LINUX_POLL_IN ? end_reads(f) : end_writes(f))
            file_sigio(f, reason); /* nothing unless f has O_ASYNC */
    }
}

/* O_ASYNC turned on for an end: from now on the pipe's signals walk its ends. */
static int pipe_setfl(struct file *f, unsigned flags)
{
    if (flags & LINUX_O_ASYNC)
        __atomic_store_n(&pipe_of(f)->async, true, __ATOMIC_RELAXED);
    return 0;
}

static void pipe_release(struct file *f)
{
    struct pipe_end *e = f->priv;
    struct pipe *p = e->p;
    bool last;

    if (p->fifo)
        mutex_lock(&fifo_lock);
    mutex_lock(&p->lock);
    list_remove(&e->node); /* a closed description is signalled no more */
    last = drop_end(p, end_reads(f), end_writes(f));
    if (!p->readers != !p->writers) { /* the last of one side went: Linux tells both */
        pipe_async(p, LINUX_POLL_IN);
        pipe_async(p, LINUX_POLL_OUT);
    }
    mutex_unlock(&p->lock);
    if (p->fifo && last)
        list_remove(&p->fifo_node);
    if (p->fifo)
        mutex_unlock(&fifo_lock);
    if (last)
        pipe_free(p);
    if (e->vf)
        vfs_file_put(e->vf);
    kfree(e);
}

/* Both ends (and every opener of a FIFO) share one pipe, as Linux's ends share an inode:
 * locks on either end conflict. */
static const void *pipe_lock_key(struct file *f)
{
    return ((struct pipe_end *)f->priv)->p;
}

static const struct file_ops pipe_ops = {
    .name = "pipe",
    .read = pipe_read,
    .read_user = pipe_read_user,
    .write = pipe_write,
    .write_user = pipe_write_user,
    .ioctl = pipe_ioctl,
    .stat = pipe_stat,
    .poll = pipe_poll,
    .fcntl = pipe_fcntl,
    .setfl = pipe_setfl,
    .lock_key = pipe_lock_key,
    .release = pipe_release,
};

bool pipe_file_is(struct file *f)
{
    return f->ops == &pipe_ops;
}

/* A new end of p with flags (p's counts are the caller's). */
static struct file *end_new(struct pipe *p, struct vfs_file *vf, unsigned flags)
{
    struct pipe_end *e = kzalloc(sizeof(*e));
    struct file *f;

    if (!e)
        return NULL;
    e->p = p;
    e->vf = vf;
    f = file_alloc(&pipe_ops, e, flags, FILE_MODE_ASYNC);
    if (!f) {
        kfree(e);
        return NULL;
    }
    e->f = f;
    mutex_lock(&p->lock);
    list_push_back(&p->ends, &e->node);
    mutex_unlock(&p->lock);
    return f;
}

int pipe_create(unsigned flags, struct file **rd, struct file **wr)
{
    unsigned st = flags & (VFS_O_NONBLOCK | VFS_O_DIRECT);
    struct pipe *p = pipe_new();

    *rd = *wr = NULL;
    if (!p)
        return -ENOMEM;
    p->readers = p->writers = 1;
    p->r_counter = p->w_counter = 1;
    *rd = end_new(p, NULL, VFS_O_RDONLY | st);
    *wr = *rd ? end_new(p, NULL, VFS_O_WRONLY | st) : NULL;
    if (!*wr) {
        if (*rd) /* its release drops the read end; the write end's count goes by hand */
            p->writers = 0, file_put(*rd);
        else
            pipe_free(p);
        *rd = NULL;
        return -ENOMEM;
    }
    return 0;
}

/* --- FIFOs ----------------------------------------------------------------------------------- */

/* fifo_lock held: the pipe of FIFO inode ip, created on first open. */
static struct pipe *fifo_pipe(struct vfs_inode *ip)
{
    struct pipe *p;

    list_for_each(&fifo_list, n) {
        p = container_of(n, struct pipe, fifo_node);
        if (p->fifo == ip)
            return p;
    }
    p = pipe_new();
    if (p) {
        p->fifo = ip;
        list_push_back(&fifo_list, &p->fifo_node);
    }
    return p;
}

/* p->lock held: wait until *counter moves past seen (the other side opened). */
static int wait_partner(struct pipe *p, struct wait_queue *wq, const unsigned *counter)
{
    unsigned seen = *counter;
    int rc = 0;

    while (rc == 0 && *counter == seen)
        rc = pipe_sleep(p, wq);
    return rc;
}

/* fifo_lock and p->lock held: count the new end in; 0, -ENXIO, or wait for the partner. */
static int fifo_join(struct pipe *p, unsigned flags)
{
    unsigned acc = flags & VFS_O_ACCMODE;
    bool nb = flags & VFS_O_NONBLOCK;

    if (acc == VFS_O_WRONLY && nb && !p->readers)
        return -ENXIO;
    if (acc != VFS_O_WRONLY) {
        set_u(&p->readers, p->readers + 1);
        p->r_counter++;
        wake(&p->wr_wq, LINUX_EPOLLOUT);
    }
    if (acc != VFS_O_RDONLY) {
        set_u(&p->writers, p->writers + 1);
        p->w_counter++;
        wake(&p->rd_wq, LINUX_EPOLLIN);
    }
    mutex_unlock(&fifo_lock); /* the count keeps p alive while we wait */
    if (acc == VFS_O_RDONLY && !nb && !p->writers)
        return wait_partner(p, &p->rd_wq, &p->w_counter);
    if (acc == VFS_O_WRONLY && !p->readers)
        return wait_partner(p, &p->wr_wq, &p->r_counter);
    return 0;
}

int fifo_open(struct vfs_file *vf, struct file **out)
{
    unsigned flags = vf->flags;
    unsigned acc = flags & VFS_O_ACCMODE;
    struct pipe *p;
    int rc;

    fifo_setup();
    mutex_lock(&fifo_lock);
    p = fifo_pipe(vf->inode);
    if (!p) {
        mutex_unlock(&fifo_lock);
        return -ENOMEM;
    }
    mutex_lock(&p->lock);
    rc = fifo_join(p, flags); /* releases fifo_lock unless it failed */
    if (rc == -ENXIO) {
        bool last = !p->readers && !p->writers;
        mutex_unlock(&p->lock);
        if (last)
            list_remove(&p->fifo_node);
        mutex_unlock(&fifo_lock);
        if (last)
            pipe_free(p);
        return rc;
    }
    mutex_unlock(&p->lock);
    *out = rc ? NULL : end_new(p, vf, flags & ~(unsigned)(VFS_O_CREAT | VFS_O_EXCL));
    if (*out)
        return 0;
    /* interrupted, or no memory: take this end back out */
    mutex_lock(&fifo_lock);
    mutex_lock(&p->lock);
    bool last = drop_end(p, acc != VFS_O_WRONLY, acc != VFS_O_RDONLY);
    mutex_unlock(&p->lock);
    if (last)
        list_remove(&p->fifo_node);
    mutex_unlock(&fifo_lock);
    if (last)
        pipe_free(p);
    return rc ? rc : -ENOMEM;
}
