/*
 * file.h - the open file description ("struct file") and the operations table of its kinds.
 *
 * A descriptor (core/proc/fdtable.h) names a struct file; several descriptors (dup, fork
 * later) may name one. The struct holds what Linux keeps per open file description: the
 * status flags (O_NONBLOCK, O_APPEND, ...), the file position, and the kind's object (priv)
 * with its operations (ops). Syscall handlers call the file_* wrappers below, which call the
 * ops; no handler asks which kind a file is. Kinds: the VFS file (fs/file/file_vfs.c), the
 * console (core/syscall/console.c), pipes, eventfd, memfd (fs/), epoll, timerfd, signalfd,
 * sockets (their owners).
 *
 * Locks (docs/files.md):
 *   refs      atomic; the last file_put calls ops->release and frees the struct (may sleep).
 *   lock      a spinlock guarding `flags`. Readers that need one bit (O_NONBLOCK in a read
 *             path) use file_flags(), an atomic load; writers (F_SETFL, FIONBIO) go through
 *             file_setfl(), which takes the lock and calls ops->setfl under it.
 *   pos_lock  a mutex serializing every user of the position of a file opened with
 *             FILE_MODE_POS: read/write at the position, readv/writev (one hold for the
 *             whole vector, as Linux's f_pos_lock), lseek, getdents. `pos` is only read or
 *             written with it held. Kinds without a position never take it (a pipe read may
 *             block for ever without holding anything shared).
 *   mode      FILE_MODE_* bits, fixed at file_alloc.
 * Order: pos_lock, then the kind's own locks (the VFS's mutexes, a pipe's lock), then lock.
 */
#ifndef FS_FILE_FILE_H
#define FS_FILE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/abi/poll.h"
#include "core/lib/spinlock.h"
#include "core/sched/sched.h"

struct file;
struct vfs_stat;
struct vfs_file;

/*
 * The user argument of an ioctl with the caller's copy functions (the syscall layer's, which
 * log every read for the double-fetch check): kinds sit below the layers that own user
 * memory, so they reach it only through these. 0 or -EFAULT.
 */
struct file_uarg {
    uint64_t addr;
    int (*copy_in)(void *dst, uint64_t uaddr, size_t n);
    int (*copy_out)(uint64_t uaddr, const void *src, size_t n);
};

static inline int file_uarg_in(const struct file_uarg *a, void *dst, size_t n)
{
    return a->copy_in(dst, a->addr, n);
}

static inline int file_uarg_out(const struct file_uarg *a, const void *src, size_t n)
{
    return a->copy_out(a->addr, src, n);
}

/* FILE_MODE_*: how the generic layer treats the file (fixed at file_alloc). */
#define FILE_MODE_POS 0x1u  /* read/write/lseek/getdents use f->pos under pos_lock */
#define FILE_MODE_PREAD 0x2u /* pread/pwrite (and preadv...) allowed; else -ESPIPE */
#define FILE_MODE_NOSPLICE 0x4u /* neither side of a sendfile/splice (-EINVAL): Linux's kinds
                                   without splice_read and splice_write (eventfd, timerfd,
                                   signalfd, epoll) */
#define FILE_MODE_ASYNC 0x8u /* the kind signals O_ASYNC (file_sigio, fown.c): sockets. Other
                                kinds ignore O_ASYNC in F_SETFL and refuse FIOASYNC, as
                                Linux's kinds without a fasync operation */

/*
 * A poll registration request: poll/epoll/select pass one to ops->poll, which calls
 * poll_wait() for each wait queue whose wake-ups can change the mask it returns. NULL: only
 * asking for the mask (no registration).
 */
struct poll_table {
    void (*queue)(struct poll_table *pt, struct wait_queue *wq);
};

static inline void poll_wait(struct poll_table *pt, struct wait_queue *wq)
{
    if (pt && pt->queue)
        pt->queue(pt, wq);
}

/*
 * What a kind implements. A NULL member gives the syscall Linux's error for a file that
 * cannot do it (noted per member); every member may sleep unless it says otherwise and is
 * called with a reference held. `pos`: the offset to use and advance - &f->pos (pos_lock
 * held) for read/write, a local copy for pread/pwrite; kinds without positions ignore it.
 */
struct file_ops {
    const char *name; /* the kind, for traces and tests */
    /* bytes done, 0 at end of file, -errno; NULL: -EINVAL. Not called on a description not
     * open for it (the wrapper answers -EBADF, see file.c) */
    long (*read)(struct file *f, void *buf, size_t n, uint64_t *pos);
    /* optional: read straight into user memory when the kind can (file_read_user) */
    long (*read_user)(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos, bool *fallback);
    long (*write)(struct file *f, const void *buf, size_t n, uint64_t *pos);
    /* optional: write straight from user memory when the kind can (file_write_user) */
    long (*write_user)(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos, bool *fallback);
    /* pos_lock held; whence is at most SEEK_HOLE. NULL: -ESPIPE */
    int64_t (*lseek)(struct file *f, int64_t off, int whence);
    /* linux_dirent64 records at f->pos (pos_lock held). NULL: -ENOTDIR */
    long (*getdents)(struct file *f, void *buf, size_t n);
    /* req and the user argument (copied only through arg's functions). NULL: -ENOTTY */
    int (*ioctl)(struct file *f, unsigned long req, const struct file_uarg *arg);
    /* required: every kind has a stat (anonymous kinds fill a synthetic one) */
    int (*stat)(struct file *f, struct vfs_stat *st);
    /* LINUX_EPOLL* bits ready now; registers its queues through poll_wait. Never sleeps.
     * NULL: always ready for reading and writing (FILE_POLL_DEFAULT). */
    unsigned (*poll)(struct file *f, struct poll_table *pt);
    /* mmap(2) with its prot and flags (LINUX_PROT_*, LINUX_MAP_*): the VFS description whose
     * pages a mapping of this file maps (no new reference; core/mm maps it, a layer above
     * this one), or the kind's refusal (a sealed memfd: -EPERM). NULL: -ENODEV */
    int (*mmap)(struct file *f, unsigned prot, unsigned flags, struct vfs_file **src);
    /* fcntl commands of one kind (F_GETPIPE_SZ/F_SETPIPE_SZ, F_ADD_SEALS/F_GET_SEALS).
     * NULL: Linux's answer for other files (-EBADF for the pipe ones, else -EINVAL) */
    long (*fcntl)(struct file *f, unsigned cmd, uint64_t arg);
    /* NULL: -EINVAL */
    int (*fsync)(struct file *f, bool datasync);
    /* ftruncate(2); len >= 0. NULL: -EINVAL */
    int (*truncate)(struct file *f, int64_t len);
    /* Status flags become `flags` (f->lock held: never sleeps). Optional: refuse with -errno
     * or mirror the bits into the kind's object. */
    int (*setfl)(struct file *f, unsigned flags);
    /* The last reference is gone: free priv. Optional. May sleep. */
    void (*release)(struct file *f);
    /* What flock and fcntl locks key on when the kind shares one object between several
     * descriptions (both ends of a pipe: one inode on Linux). Optional: priv. Never sleeps. */
    const void *(*lock_key)(struct file *f);
};

/* The owner of signal-driven I/O (fown.c): target names the process that set it (its
 * serial, opaque here, looked up at signal time; 0: no owner), type LINUX_F_OWNER_TID/PID/PGRP
 * with its id as F_SETOWN_EX has them, sig F_SETSIG's signal (0: SIGIO), fd the descriptor
 * O_ASYNC was set through (si_fd). */
struct file_owner {
    uint64_t target;
    int type, id, sig, fd;
};

struct file {
    const struct file_ops *ops;
    unsigned refs;           /* atomic */
    unsigned mode;           /* FILE_MODE_*, immutable */
    struct spinlock lock;    /* guards flags */
    unsigned flags;          /* O_ACCMODE | status flags (O_NONBLOCK, O_APPEND, O_PATH...) */
    struct mutex pos_lock;   /* FILE_MODE_POS: serializes the users of pos */
    uint64_t pos;            /* under pos_lock */
    void *priv;              /* the kind's object */
    struct list ep_links;    /* epoll items watching this file (fs/poll/epoll.c); under lock */
    bool flocked;            /* has held a flock (flock.c; atomic): release looks then */
    bool plocked;            /* has held an OFD lock (plock.c; atomic): release looks then */
    struct file_owner owner; /* fown.c; under lock */
};

/* poll mask of a file without a poll op (a regular file): Linux's DEFAULT_POLLMASK. */
#define FILE_POLL_DEFAULT                                                                          \
    (LINUX_EPOLLIN | LINUX_EPOLLOUT | LINUX_EPOLLRDNORM | LINUX_EPOLLWRNORM)

/* A new description with one reference, or NULL (out of memory). Never sleeps. */
struct file *file_alloc(const struct file_ops *ops, void *priv, unsigned flags, unsigned mode);
void file_get(struct file *f);
/* Drop a reference (NULL is fine); the last one releases. May sleep. */
void file_put(struct file *f);
/* epoll (a layer above) installs the function the last file_put calls, before the release op,
 * (it empties ep_links): Linux drops an epoll interest when the file's last reference goes,
 * not when one descriptor is closed. */
void file_set_epoll_hook(void (*fn)(struct file *f));

/* Status flags now (an atomic snapshot; never sleeps). */
unsigned file_flags(struct file *f);
/* F_SETFL: the bits of `mask` become those of `val`; others are kept. 0 or the setfl op's
 * error. Never sleeps. */
int file_setfl(struct file *f, unsigned mask, unsigned val);

/*
 * The position for an I/O call: off >= 0 (pread...): *local = off and local is returned,
 * -ESPIPE without FILE_MODE_PREAD; off < 0: &f->pos with pos_lock taken for FILE_MODE_POS
 * files, else local. Every successful begin is followed by file_pos_end(f, off).
 */
int file_pos_begin(struct file *f, int64_t off, uint64_t *local, uint64_t **pos);
void file_pos_end(struct file *f, int64_t off);

/* The ops through their defaults (see struct file_ops). */
long file_read(struct file *f, void *buf, size_t n, uint64_t *pos);
/* file_read into the active user address space at ubuf without a kernel buffer, when the
 * kind can (a cached regular file) and the destination pages are present now: bytes, 0 at
 * end, -errno. *fallback set: the kind cannot, or it stopped at a destination page that is
 * not present; what it returned is read, the rest is for file_read through a buffer. */
long file_read_user(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos, bool *fallback);
long file_write(struct file *f, const void *buf, size_t n, uint64_t *pos);
/* file_write from the active user address space at ubuf without a kernel buffer, when the
 * kind can (a pipe) and the source pages are present: bytes written, or -errno. *fallback
 * set: the kind cannot (or the description is not open for writing), or it stopped at a
 * source page that is not present; the rest is for file_write through a buffer. */
long file_write_user(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos, bool *fallback);
int64_t file_lseek(struct file *f, int64_t off, int whence);   /* takes pos_lock */
long file_getdents(struct file *f, void *buf, size_t n);       /* takes pos_lock */
int file_ioctl(struct file *f, unsigned long req, const struct file_uarg *arg);
int file_stat(struct file *f, struct vfs_stat *st);
unsigned file_poll(struct file *f, struct poll_table *pt);
/* The stat op of the anonymous-inode kinds (eventfd, timerfd, signalfd, epoll): mode 0600
 * with no file type bits, one link, an inode number from the kind's object, as Linux. */
int file_anon_stat(struct file *f, struct vfs_stat *st);
int file_mmap(struct file *f, unsigned prot, unsigned flags, struct vfs_file **src);
long file_fcntl(struct file *f, unsigned cmd, uint64_t arg);
int file_fsync(struct file *f, bool datasync);
int file_truncate(struct file *f, int64_t len);
/* The lseek op of kinds whose position never moves (eventfd, timerfd, signalfd, epoll,
 * inotify): 0 whatever is asked, as Linux's noop_llseek. Never sleeps. */
int64_t file_noop_lseek(struct file *f, int64_t off, int whence);

/* flock(2) on f's description (flock.c): op is LOCK_SH/LOCK_EX/LOCK_UN, with LOCK_NB.
 * 0, -EINVAL (op), -EBADF (O_PATH), -EAGAIN (LOCK_NB and held elsewhere), -ERESTARTSYS
 * (a signal while waiting), -ENOMEM. May sleep. */
int file_flock(struct file *f, int op);
/* The description is going: its flocks go (file_put). */
void flock_release(struct file *f);
/* What flock and fcntl locks on f key on: the VFS inode, the kind's lock_key, or priv. */
const void *file_lock_key(struct file *f);
/* The blocking step of flock and fcntl locks (plock.c): with tlock (a lock table's spinlock)
 * held under token *irq, queue on wq, let go of tlock, sleep interruptibly until a wake of
 * wq, take tlock again (the new token in *irq). Queueing before letting go means no
 * unlock between the caller's check and its sleep is missed. Returns 0 (check again), or
 * -ERESTARTSYS for a signal. May sleep. */
int file_lock_wait(struct wait_queue *wq, struct spinlock *tlock, uint64_t *irq);

struct linux_flock;
/*
 * fcntl(2) record locks (plock.c): cmd is F_GETLK, F_SETLK, F_SETLKW or an F_OFD_ form; *fl
 * the caller's copy of the user's struct flock (F_GETLK forms rewrite it: the caller copies
 * it back on success). owner: the process's token for POSIX locks (its descriptor table),
 * pid: its pid (what F_OFD_GETLK reports for them). 0, -EBADF (O_PATH, lock type against
 * the open mode), -EINVAL, -EOVERFLOW, -EAGAIN (F_SETLK, conflict), -ERESTARTSYS (F_SETLKW
 * interrupted), -ENOMEM. May sleep (F_SETLKW).
 */
long file_plock(struct file *f, unsigned cmd, struct linux_flock *fl, const void *owner, int pid);
/* owner closed a descriptor of f: its POSIX locks on f's file go (every close, as Linux;
 * not an O_PATH descriptor's). May sleep. */
void plock_close(struct file *f, const void *owner);
/* The description is going: its OFD locks go (file_put). */
void plock_release(struct file *f);

/* The console kind (console.c): a new O_RDWR description of the console, for descriptors
 * 0-2 of a new process. NULL when out of memory. */
struct file *file_console_open(void);
/* Descriptions for descriptors 0, 1 and 2 of a new process (one reference each): the
 * standard streams (hal/hal_stdio.h) when the HAL has them, else the console description
 * three times. 0 or -ENOMEM. */
int file_console_std(struct file *out[3]);
/* hook(arg) runs, in interrupt context (never sleeping), for each interrupt request from the
 * host (Ctrl-C on the streams); the signal layer's boot code installs one sending SIGINT. */
void file_console_set_intr_hook(void (*hook)(void *arg), void *arg);
/* The line discipline's signals (VINTR, VQUIT with ISIG): hook(arg, sig) in interrupt
 * context. NULL: none. */
void file_console_set_signal_hook(void (*hook)(void *arg, int sig), void *arg);
/* The host terminal is raw (petrel run -t): a terminal stdin gets the kernel's line
 * discipline (fs/file/ldisc.c) and TIOCGWINSZ answers rows x cols. Before descriptors open. */
void file_console_set_terminal(unsigned rows, unsigned cols);
/* /dev/tty (console.c, docs/petrel.md "Controlling terminal"): does the process have a
 * controlling terminal (the serial console; with the streams, stdin and stdout or stderr on
 * a host terminal)? file_console_register_tty: /dev/tty's driver (5,0) in the VFS's
 * character-device registry (idempotent; boot, after vfs_devices_register): its open_file
 * hook makes a new description of the controlling terminal for the node's description, or
 * -ENXIO without one. file_console_is_tty: f is a description of the terminal (FIOASYNC's
 * owner default, sys_fown.c). */
bool file_console_has_ctty(void);
int file_console_register_tty(void);
bool file_console_is_tty(struct file *f);

/* --- the VFS kind (file_vfs.c) ---------------------------------------------------------- */

/* Wrap an open VFS description (its reference passes to the file). NULL: out of memory
 * (the caller keeps its reference). */
struct file *file_from_vfs(struct vfs_file *vf);
/* The VFS description of a VFS-kind file (no new reference), NULL for other kinds: what a
 * dirfd, fchdir or a path call on a descriptor needs. */
struct vfs_file *file_vfs(struct file *f);

/*
 * SIGPIPE: kinds that fail a write with -EPIPE because nobody reads any more (pipes, FIFOs,
 * sockets unless MSG_NOSIGNAL) call file_sigpipe() first, in the writer's thread with no
 * lock held; it raises SIGPIPE for the calling thread through the hook the signal layer
 * installs (file_set_sigpipe_hook, core/signal's signal_init). No hook: nothing happens.
 * Never sleeps.
 */
void file_sigpipe(void);
void file_set_sigpipe_hook(void (*hook)(void));

/*
 * Signal-driven I/O (fown.c). file_owner_set: the owner (F_SETOWN...; id 0 clears it);
 * file_owner_signal: F_SETSIG's signal (0..64, checked by the caller); file_owner_async_fd:
 * the descriptor O_ASYNC was set through; file_owner_get: a snapshot. A FILE_MODE_ASYNC kind
 * calls file_sigio(f, LINUX_POLL_*) when it becomes ready (nothing unless O_ASYNC is set) and
 * file_sigurg(f) when urgent data is announced. The signal layer installs the hook that
 * signals a target (it returns signal_send's result). Never sleep; any context that may take
 * f->lock and the signal locks (the network thread with the network lock held).
 */
void file_owner_set(struct file *f, uint64_t target, int type, int id);
void file_owner_signal(struct file *f, int sig);
void file_owner_async_fd(struct file *f, int fd);
struct file_owner file_owner_get(struct file *f);
void file_sigio(struct file *f, int reason);
void file_sigurg(struct file *f);
struct linux_siginfo;
void file_set_owner_hook(int (*hook)(const struct file_owner *o, int sig,
                                     const struct linux_siginfo *si));

#endif
