/*
 * pipe_internal.h - the pipe's ring and ends, shared by pipe.c (read, write, FIFOs, control)
 * and splice.c (splice, tee, vmsplice). Not for other folders: they use pipe.h.
 * Locking is pipe.c's design note: p->lock guards the ring and the counts; a sleeper queues
 * on a wait queue before it lets the pipe locks go (pipe_wait_begin), so wake() may look at
 * the queue without its lock.
 */
#ifndef FS_PIPE_PIPE_INTERNAL_H
#define FS_PIPE_PIPE_INTERNAL_H

#include "core/abi/poll.h"
#include "core/abi/signal.h"
#include "core/lib/list.h"
#include "fs/file/file.h"
#include "fs/vfs/vfs.h"

#define PIPE_PAGE 4096u
#define PIPE_DEF_SLOTS (LINUX_PIPE_DEF_SIZE / PIPE_PAGE)

struct pipe_slot {
    uint8_t *page;
    uint32_t off, len;
    bool packet;
};

struct pipe {
    struct mutex lock;
    struct wait_queue rd_wq, wr_wq;
    struct pipe_slot *slots; /* ring of nslots */
    uint8_t *spare;          /* a page kept from the last emptied slot (Linux's tmp_page) */
    unsigned nslots, head, count;
    unsigned readers, writers;     /* open ends */
    unsigned r_counter, w_counter; /* opens so far: a FIFO opener waits for a change */
    struct vfs_inode *fifo;        /* the FIFO inode (key in the FIFO list), or NULL */
    struct list_node fifo_node;
    struct list ends; /* every open end (struct pipe_end.node), for O_ASYNC; p->lock */
    bool async;       /* an end had O_ASYNC set: signals walk ends (sticky; atomic) */
};

/* One end: the pipe and, for a FIFO, the VFS description it was opened through. */
struct pipe_end {
    struct pipe *p;
    struct vfs_file *vf;
    struct file *f;        /* the description this end is */
    struct list_node node; /* on p->ends */
};

/* p->lock held: O_ASYNC's signal (pipe.c, Linux's kill_fasync on the pipe's fasync lists):
 * reason LINUX_POLL_IN to the ends that read, LINUX_POLL_OUT to the ends that write. */
void pipe_async_walk(struct pipe *p, int reason);
static inline void pipe_async(struct pipe *p, int reason)
{
    if (__builtin_expect(__atomic_load_n(&p->async, __ATOMIC_RELAXED), 0))
        pipe_async_walk(p, reason);
}

static inline struct pipe *pipe_of(struct file *f)
{
    return ((struct pipe_end *)f->priv)->p;
}

static inline bool end_reads(struct file *f)
{
    return (file_flags(f) & VFS_O_ACCMODE) != VFS_O_WRONLY;
}

static inline bool end_writes(struct file *f)
{
    return (file_flags(f) & VFS_O_ACCMODE) != VFS_O_RDONLY;
}

static inline void set_u(unsigned *field, unsigned v)
{
    __atomic_store_n(field, v, __ATOMIC_RELAXED);
}

static inline unsigned get_u(const unsigned *field)
{
    return __atomic_load_n(field, __ATOMIC_RELAXED);
}

/* Every sleeper and poller of wq, with the events that became true (poll/epoll filter).
 * Called after the change it announces, with the lock of the pipe the change was made under
 * still held: then a sleeper is queued already (pipe_wait_begin) and a poller fences after
 * queuing (pipe_poll), so a queue found empty without its lock has nobody to wake. */
static inline void wake(struct wait_queue *wq, unsigned key)
{
    if (wq_has_waiters(wq))
        wq_wake_key(wq, key, 0);
}

/* One sleep on a pipe's queue: begin with the pipe lock(s) held, drop them, end (sleeps). */
struct pipe_wait {
    struct waiter w;
    struct wait_entry e;
};
void pipe_wait_begin(struct pipe_wait *pw, struct wait_queue *wq);
/* Sleep until woken: 0, or -ERESTARTSYS when interrupted before or during the sleep. The
 * entry is off the queue on return. */
int pipe_wait_end(struct pipe_wait *pw);

/* p->lock held: sleep on wq until woken, without p->lock meanwhile. 0, or -ERESTARTSYS when
 * the thread is interrupted (a signal to take) before or during the sleep: Linux's code for
 * pipe reads, writes and FIFO opens (restarted after a SA_RESTART handler). */
int pipe_sleep(struct pipe *p, struct wait_queue *wq);
/* p->lock held: a page for a new slot (the spare one when there is one), or NULL. */
uint8_t *pipe_page_get(struct pipe *p);
/* p->lock held: an emptied slot's page goes back (kept as the spare, or freed). */
void pipe_page_put(struct pipe *p, uint8_t *page);
/* No reader: -EPIPE, after SIGPIPE (file_sigpipe; call it without the lock). */
long pipe_broken(void);
/* The end of a write into p (write(2) or a splice into the pipe), with p->lock held: wake
 * the readers when done bytes went in, let go of the lock, and return done, else rc (-EPIPE
 * after SIGPIPE, as pipe_broken). */
long pipe_write_end(struct pipe *p, size_t done, long rc);

#endif
