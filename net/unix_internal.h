/*
 * unix_internal.h - the AF_UNIX socket object, shared by unix.c (life, names, connections,
 * waits, readiness), unix_io.c (data, shutdown, options) and unix_file.c (the file kind).
 *
 * One spinlock (unix_lock) guards every AF_UNIX socket, the name table and the messages:
 * operations are short (a copy of at most one chunk), and poll, which may not sleep, takes
 * it to compute the mask from the state itself. Nothing that may sleep runs under it: the
 * files carried by messages and the VFS nodes of names are dropped after it is released
 * (struct unix_reap). Wait queues are taken inside it (unix_lock, then wq.lock, then
 * whatever a wake callback takes: epoll's lock).
 */
#ifndef NET_UNIX_INTERNAL_H
#define NET_UNIX_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/lib/list.h"
#include "core/lib/spinlock.h"
#include "core/sched/sched.h"
#include "net/unix.h"

struct file;

#define UNIX_BUF_DEFAULT 212992u /* SO_SNDBUF/SO_RCVBUF: net.core.wmem_default */
#define UNIX_DGRAM_QLEN 10u      /* net.unix.max_dgram_qlen */
#define UNIX_MSG_COST 256u       /* what a message costs the sender besides its bytes */
#define UNIX_REAP_FILES 16

enum unix_state { U_NEW, U_LISTEN, U_CONNECTED };

struct unix_name {
    uint32_t len; /* 0: none (reported as sun_family alone) */
    uint8_t sa[UNIX_ADDR_MAX];
};

/* One send: a record (datagram, seqpacket) or a stretch of a stream. */
struct unix_msg {
    struct list_node node;
    struct unix_sock *sender; /* a reference: the message is charged to its wmem */
    struct file **files;      /* SCM_RIGHTS in flight (a reference each), or NULL */
    unsigned nfiles;
    struct sock_cred cred;
    size_t len, off; /* off: bytes of a stream message already read */
    uint8_t data[];
};

struct unix_sock {
    int type;
    enum unix_state state;
    unsigned refs;          /* the owner (file or listener's queue), peers, messages */
    struct unix_sock *peer; /* a reference: the other end, or a datagram default */
    struct unix_name name;
    struct vfs_file *node;  /* bound to a path: the socket inode (O_PATH) */
    struct list_node bound_node; /* on the name table while named (not for children) */
    bool listed;
    struct list rxq; /* struct unix_msg */
    size_t rx_bytes;
    unsigned rx_count;
    struct list acceptq; /* listener: connected children not yet accepted */
    struct list_node acc_node;
    unsigned nacc;
    unsigned backlog;
    struct list clients; /* datagram sockets whose default destination this is */
    struct list_node client_node;
    size_t wmem, wdata; /* charged to us at receivers: with costs, and bytes alone */
    size_t sndbuf, rcvbuf;
    bool nonblock, passcred, dead, rcv_shut, snd_shut, has_peercred;
    int error;            /* pending (SO_ERROR), positive */
    unsigned opt_flags;   /* SOL_SOCKET flags recorded (bit: the option's number) */
    uint64_t rcvtimeo, sndtimeo;
    struct sock_cred cred, peercred;
    struct wait_queue wq;
    uint64_t gen; /* changes under wq.lock with unix_lock held; read under unix_lock */
    struct file *file;          /* the file whose object this is (unix_gc.c), or NULL */
    struct list_node file_node; /* on unix_gc.c's list while file is set */
    unsigned gc_inflight, gc_ext; /* the collector's counts (unix_gc.c), unix_lock */
    bool gc_cand, gc_alive;
    bool async_nospace; /* a send found its buffer full (Linux's SOCKWQ_ASYNC_NOSPACE) */
};

/* What to drop once unix_lock is released (files may be sockets whose release takes it). */
struct unix_reap {
    struct file *files[UNIX_REAP_FILES];
    unsigned n;
    struct list msgs; /* messages whose files did not fit in files[] */
    struct vfs_file *node;
};

extern struct spinlock unix_lock;

static inline uint64_t unix_lock_take(void)
{
    return spin_lock_irqsave(&unix_lock);
}

void unix_reap_init(struct unix_reap *r);
/* Release unix_lock (token), then drop what r collected. May sleep. */
void unix_unlock_reap(uint64_t tok, struct unix_reap *r);
static inline void unix_unlock(uint64_t tok)
{
    spin_unlock_irqrestore(&unix_lock, tok);
}

/* unix_async.c, unix_lock held: O_ASYNC's signal `reason` (LINUX_POLL_*) to u's file;
 * unix_async_space: u's sender charge went down (a message of u's was consumed): POLL_OUT
 * once writable(u) after a send found no room; unix_async_full: a send finds no room. */
void unix_async(struct unix_sock *u, int reason);
void unix_async_space(struct unix_sock *u, bool writable);
static inline void unix_async_full(struct unix_sock *u)
{
    u->async_nospace = true;
}

/* unix.c, unix_lock held unless said: */
unsigned unix_mask(struct unix_sock *u);  /* LINUX_EPOLL* ready now */
void unix_wake(struct unix_sock *u);      /* state changed: waiters re-check, pollers get the mask */
void unix_sock_put(struct unix_sock *u); /* the last reference frees (closed: queues empty) */
void unix_msg_free(struct unix_msg *m, struct unix_reap *r); /* off its queue already */
/* Wait on w until ready(u, arg): 0, -EAGAIN (nonblock, timeout), -EINTR/-ERESTARTSYS (a
 * signal, as Linux's sock_intr_errno). unix_lock is dropped while asleep (*tok). */
int unix_wait(struct unix_sock *w, bool (*ready)(struct unix_sock *, void *), struct unix_sock *u,
              void *arg, bool nonblock, uint64_t timeout, uint64_t *tok);
int unix_autobind(struct unix_sock *u);
/* The socket bound to a (validated) name, or an error: -ECONNREFUSED, -EPROTOTYPE. */
int unix_find(const struct sock_addr *a, int type, struct unix_sock **out);
/* Validate a destination address: -EINVAL unless AF_UNIX with a name. */
int unix_addr_check(const struct sock_addr *a);

/* unix_gc.c: the collector of sockets only in-flight descriptors hold (SCM_RIGHTS cycles).
 * unix_inflight: file references held by queued messages (unix_lock; unix_io.c counts). */
extern unsigned unix_inflight;
void unix_file_register(struct unix_sock *u, struct file *f); /* takes unix_lock */
void unix_file_unregister_locked(struct unix_sock *u);        /* at close, unix_lock held */
/* Before a send that passes descriptors (unix_lock not held): collect when more than
 * UNIX_GC_TRIGGER references are in flight, as Linux's wait_for_unix_gc does. */
#define UNIX_GC_TRIGGER 16000u
void unix_gc_before_send(const struct sock_ctl *ctl);
/* unix.c, unix_lock held: drop every queued message (their files into r). */
void unix_purge(struct unix_sock *u, struct unix_reap *r);

/* unix_io.c */
long unix_send(void *s, const void *buf, size_t len, int flags, const struct sock_addr *to,
               struct sock_ctl *ctl);
long unix_recv(void *s, void *buf, size_t len, int flags, void *from, uint32_t *flen, int *mflags,
               struct sock_ctl *ctl);
int unix_shutdown(void *s, int how);
int unix_setsockopt(void *s, int level, int name, const void *val, uint32_t len);
int unix_getsockopt(void *s, int level, int name, void *val, uint32_t *len);
/* FIONREAD/SIOCINQ and SIOCOUTQ answers. */
int unix_inq(struct unix_sock *u);
int unix_outq(struct unix_sock *u);

/* unix.c, no lock held: */
int unix_bind(void *s, const struct sock_addr *a);
int unix_connect(void *s, const struct sock_addr *a);
int unix_listen(void *s, int backlog);
int unix_accept(void *s, void **out, void *peer, uint32_t *plen);
int unix_getname(void *s, bool peer, void *addr, uint32_t *len);
void unix_close(void *s);

#endif
