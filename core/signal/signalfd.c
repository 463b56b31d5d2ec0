/*
 * signalfd.c - signalfd and signalfd4: a file kind whose reads take pending signals
 * (docs/signals.md "signalfd").
 *
 * A signalfd holds a mask and nothing else: as on Linux, a read takes signals of that mask
 * from the READING thread's pending set and the process's (signal_dequeue), and poll looks at
 * the polling thread's. Each taken signal becomes a 128-byte struct signalfd_siginfo,
 * filled by the siginfo's layout as Linux's signalfd_copyinfo does. A read of fewer than 128
 * bytes is -EINVAL; it returns as many whole records as fit, waiting only for the first
 * (O_NONBLOCK: -EAGAIN). Waiting and poll use one wait queue, woken with EPOLLIN on every
 * signal sent (Petrel has one process, so one queue serves every signalfd; epoll gets a wake
 * for each new signal, as edge-triggered epoll needs). Reads wait in the shared loop of
 * fs/file/waitloop.h (FILE_WAIT_OWN); an interrupted wait is -ERESTARTSYS.
 *
 * Most programs never open a signalfd: a count of live signalfd files lets a send skip the
 * queue and its lock when it is zero (bench/syscall "signal to self" took the lock on every
 * send). A sender makes its signal pending, then reads the count after a full fence; a file
 * is counted before it is installed, so a reader or poller can only exist, and look at the
 * pending sets, after a count the sender's fence orders against.
 */
#include "core/signal/signalfd.h"

#include "core/abi/fcntl.h"
#include "core/abi/poll.h"
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/mm/uaccess.h"
#include "core/signal/signal.h"
#include "fs/file/file.h"
#include "fs/file/waitloop.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_errno.h"

#define SIG_BIT(s) (1ULL << ((s) - 1))
#define UNBLOCKABLE (SIG_BIT(LINUX_SIGKILL) | SIG_BIT(LINUX_SIGSTOP))
#define SFD_FLAGS (LINUX_SFD_CLOEXEC | LINUX_SFD_NONBLOCK)

struct sigfd {
    uint64_t mask; /* atomic: signalfd4 on an existing fd replaces it */
};

static struct wait_queue sigfd_wq;
static unsigned sigfd_files; /* atomic: signalfd files alive (the wake is skipped at 0) */

void signalfd_init(void)
{
    wq_init(&sigfd_wq, "signalfd");
}

void signalfd_wake(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* the signal made pending before the count */
    if (__atomic_load_n(&sigfd_files, __ATOMIC_RELAXED) == 0) {
        sched_pct_point(); /* wq_wake_key's decision point, kept for the seeded tests */
        return;
    }
    wq_wake_key(&sigfd_wq, LINUX_EPOLLIN | LINUX_EPOLLRDNORM, 0);
}

static uint64_t sigfd_mask(struct file *f)
{
    return __atomic_load_n(&((struct sigfd *)f->priv)->mask, __ATOMIC_RELAXED);
}

/* Linux's siginfo_layout + signalfd_copyinfo: which union members a siginfo carries. */
static void to_record(const struct linux_siginfo *si, struct linux_signalfd_siginfo *r)
{
    int sig = si->si_signo, code = si->si_code;

    memset(r, 0, sizeof(*r));
    r->ssi_signo = (uint32_t)sig;
    r->ssi_errno = si->si_errno;
    r->ssi_code = code;
    if (code > LINUX_SI_USER && code < LINUX_SI_KERNEL) {
        if (sig == LINUX_SIGCHLD) {
            r->ssi_pid = (uint32_t)si->u.chld.pid, r->ssi_uid = si->u.chld.uid;
            r->ssi_status = si->u.chld.status;
            r->ssi_utime = (uint64_t)si->u.chld.utime, r->ssi_stime = (uint64_t)si->u.chld.stime;
        } else if (sig == LINUX_SIGPOLL) {
            r->ssi_band = (uint32_t)si->u.poll.band, r->ssi_fd = si->u.poll.fd;
        } else if (sig == LINUX_SIGSYS) {
            r->ssi_call_addr = si->u.sys.call_addr;
            r->ssi_syscall = si->u.sys.syscall, r->ssi_arch = si->u.sys.arch;
        } else {
            r->ssi_addr = si->u.fault.addr; /* SEGV, BUS, ILL, FPE, TRAP */
        }
    } else if (code == LINUX_SI_TIMER) {
        r->ssi_tid = (uint32_t)si->u.timer.tid, r->ssi_overrun = (uint32_t)si->u.timer.overrun;
        r->ssi_ptr = si->u.timer.sigval.sival_ptr, r->ssi_int = si->u.timer.sigval.sival_int;
    } else if (code == LINUX_SI_SIGIO) {
        r->ssi_band = (uint32_t)si->u.poll.band, r->ssi_fd = si->u.poll.fd;
    } else {
        r->ssi_pid = (uint32_t)si->u.kill.pid, r->ssi_uid = si->u.kill.uid;
        if (code < 0) { /* SI_QUEUE, SI_TKILL, SI_MESGQ...: the value too */
            r->ssi_ptr = si->u.rt.sigval.sival_ptr, r->ssi_int = si->u.rt.sigval.sival_int;
        }
    }
}

/* A read in progress: the reading thread, the descriptor, the caller's buffer. */
struct sigfd_read {
    struct uthread *ut;
    struct file *f;
    void *buf;
    size_t n;
};

/* Would a take find a signal of the mask pending for the reader (lock-free: waitloop.h's
 * FILE_WAIT_OWN, under sigfd_wq.lock, which senders take to wake it)? */
static bool sigfd_ready(void *obj)
{
    struct sigfd_read *r = obj;
    uint64_t pending = __atomic_load_n(&r->ut->sigpending.set, __ATOMIC_RELAXED) |
                       __atomic_load_n(&r->ut->proc->sigpending.set, __ATOMIC_RELAXED);

    return (pending & sigfd_mask(r->f)) != 0;
}

/* As many whole records as fit (signal_dequeue takes its own locks); 0: none pending. */
static long sigfd_take(void *obj, void *arg)
{
    struct sigfd_read *r = obj;
    struct linux_siginfo si;
    size_t done = 0;

    (void)arg;
    while (done + sizeof(struct linux_signalfd_siginfo) <= r->n &&
           signal_dequeue(r->ut, sigfd_mask(r->f), &si)) {
        to_record(&si, (struct linux_signalfd_siginfo *)((uint8_t *)r->buf + done));
        done += sizeof(struct linux_signalfd_siginfo);
    }
    return (long)done;
}

static long sigfd_read(struct file *f, void *buf, size_t n, uint64_t *pos)
{
    struct sigfd_read r = {uthread_current(), f, buf, n};
    struct file_wait w = {.wq = &sigfd_wq,
                          .lock = FILE_WAIT_OWN,
                          .take = sigfd_take,
                          .ready = sigfd_ready,
                          .obj = &r};

    (void)pos;
    if (n < sizeof(struct linux_signalfd_siginfo))
        return -EINVAL;
    if (!r.ut)
        return -EAGAIN;
    return file_wait_loop(&w, file_flags(f) & VFS_O_NONBLOCK, NULL);
}

static unsigned sigfd_poll(struct file *f, struct poll_table *pt)
{
    struct uthread *ut = uthread_current();

    poll_wait(pt, &sigfd_wq);
    if (!ut)
        return 0;
    if ((ut->sigpending.set | ut->proc->sigpending.set) & sigfd_mask(f))
        return LINUX_EPOLLIN | LINUX_EPOLLRDNORM;
    return 0;
}

static void sigfd_release(struct file *f)
{
    kfree(f->priv);
    __atomic_fetch_sub(&sigfd_files, 1, __ATOMIC_SEQ_CST);
}

static const struct file_ops sigfd_ops = {
    .name = "signalfd",
    .read = sigfd_read,
    .lseek = file_noop_lseek,
    .stat = file_anon_stat,
    .poll = sigfd_poll,
    .release = sigfd_release,
};

/* signalfd4(fd, mask, sizemask, flags): checks in Linux's order (size, mask, flags, fd). */
static long do_signalfd4(int fd, uint64_t umask, uint64_t size, uint64_t flags)
{
    struct proc *p = proc_current();
    struct sigfd *s;
    struct file *f;
    uint64_t mask;
    long rc;

    if (size != sizeof(uint64_t))
        return -EINVAL;
    if (copy_from_user(&mask, uptr_make(umask), sizeof(mask)))
        return -EFAULT;
    if (flags & ~(uint64_t)SFD_FLAGS)
        return -EINVAL;
    mask &= ~UNBLOCKABLE;
    if (fd != -1) { /* a new mask for an existing signalfd */
        if (fd_get(&p->fds, fd, &f))
            return -EBADF;
        rc = f->ops == &sigfd_ops ? fd : -EINVAL;
        if (rc >= 0)
            __atomic_store_n(&((struct sigfd *)f->priv)->mask, mask, __ATOMIC_RELAXED);
        file_put(f);
        if (rc >= 0)
            signalfd_wake(); /* pollers re-evaluate with the new mask */
        return rc;
    }
    s = kzalloc(sizeof(*s));
    f = s ? file_alloc(&sigfd_ops, s, VFS_O_RDWR | (flags & LINUX_SFD_NONBLOCK ? VFS_O_NONBLOCK : 0),
                       FILE_MODE_NOSPLICE)
          : NULL;
    if (!f) {
        kfree(s);
        return -ENOMEM;
    }
    s->mask = mask;
    __atomic_fetch_add(&sigfd_files, 1, __ATOMIC_SEQ_CST); /* before anyone can read it */
    rc = fd_install(&p->fds, 0, f, flags & LINUX_SFD_CLOEXEC);
    if (rc < 0)
        file_put(f);
    return rc;
}

long sys_signalfd(const uint64_t a[6])
{
    return do_signalfd4((int)a[0], a[1], a[2], 0);
}

long sys_signalfd4(const uint64_t a[6])
{
    return do_signalfd4((int)a[0], a[1], a[2], a[3]);
}
