/*
 * fown.c - a description's owner for signal-driven I/O (fcntl F_SETOWN, F_SETOWN_EX, F_SETSIG,
 * ioctl SIOCSPGRP/FIOSETOWN; docs/net.md "Signal-driven I/O").
 *
 * Every description may have an owner (Linux keeps one per open file, whatever the kind); the
 * kinds that signal it (FILE_MODE_ASYNC: sockets) call file_sigurg when urgent data is
 * announced and file_sigio when they become ready while O_ASYNC is set. What a signal is
 * follows Linux's send_sigurg and send_sigio: SIGURG goes to the owner whenever there is one;
 * with O_ASYNC, the F_SETSIG signal (or plain SIGIO when it is 0) goes for readiness, and for
 * urgent data too when F_SETSIG chose one. A chosen signal carries si_code POLL_* (SI_SIGIO
 * for signals whose codes mean something else), si_band and si_fd (the descriptor O_ASYNC was
 * set through); plain SIGIO and SIGURG carry SI_KERNEL. A chosen signal that cannot be
 * queued falls back to plain SIGIO.
 *
 * This layer knows no processes: the owner's target names the process that set it (its
 * serial, core/proc/procreg.c), opaque here, and the signal layer installs the function that
 * signals it (file_set_owner_hook), which looks the serial up at signal time. So a
 * description that outlives its owner (a socket left in flight in an AF_UNIX message nobody
 * can receive any more, a description passed to another process in a hosted test) signals
 * nobody once the owner is gone, as Linux's f_owner holds a struct pid that outlives its task.
 */
#include "core/abi/fcntl.h"
#include "core/abi/poll.h"
#include "core/abi/signal.h"
#include "fs/file/file.h"

static int (*owner_hook)(const struct file_owner *o, int sig, const struct linux_siginfo *si);

void file_set_owner_hook(int (*hook)(const struct file_owner *o, int sig,
                                     const struct linux_siginfo *si))
{
    __atomic_store_n(&owner_hook, hook, __ATOMIC_RELEASE);
}

void file_owner_set(struct file *f, uint64_t target, int type, int id)
{
    uint64_t irq = spin_lock_irqsave(&f->lock);

    f->owner.target = id ? target : 0;
    f->owner.type = type;
    f->owner.id = id;
    spin_unlock_irqrestore(&f->lock, irq);
}

void file_owner_signal(struct file *f, int sig)
{
    uint64_t irq = spin_lock_irqsave(&f->lock);

    f->owner.sig = sig;
    spin_unlock_irqrestore(&f->lock, irq);
}

void file_owner_async_fd(struct file *f, int fd)
{
    uint64_t irq = spin_lock_irqsave(&f->lock);

    f->owner.fd = fd;
    spin_unlock_irqrestore(&f->lock, irq);
}

struct file_owner file_owner_get(struct file *f)
{
    uint64_t irq = spin_lock_irqsave(&f->lock);
    struct file_owner o = f->owner;

    spin_unlock_irqrestore(&f->lock, irq);
    return o;
}

/* The poll bits of a POLL_* reason, as Linux's band_table (si_band). */
static int64_t reason_band(int reason)
{
    static const unsigned band[6] = {
        LINUX_EPOLLIN | LINUX_EPOLLRDNORM,
        LINUX_EPOLLOUT | LINUX_EPOLLWRNORM | LINUX_EPOLLWRBAND,
        LINUX_EPOLLIN | LINUX_EPOLLRDNORM | LINUX_EPOLLMSG,
        LINUX_EPOLLERR,
        LINUX_EPOLLPRI | LINUX_EPOLLRDBAND,
        LINUX_EPOLLHUP | LINUX_EPOLLERR,
    };

    return band[reason - LINUX_POLL_IN];
}

/* Signals whose si_code values have meanings of their own (Linux's sig_specific_sicodes). */
static bool specific_codes(int sig)
{
    return sig == LINUX_SIGILL || sig == LINUX_SIGFPE || sig == LINUX_SIGSEGV ||
           sig == LINUX_SIGBUS || sig == LINUX_SIGTRAP || sig == LINUX_SIGCHLD ||
           sig == LINUX_SIGSYS;
}

static int send(const struct file_owner *o, int sig, const struct linux_siginfo *si)
{
    int (*hook)(const struct file_owner *, int, const struct linux_siginfo *) =
        __atomic_load_n(&owner_hook, __ATOMIC_ACQUIRE);

    return hook && o->target ? hook(o, sig, si) : 0;
}

static void send_kernel(const struct file_owner *o, int sig)
{
    struct linux_siginfo si = {.si_signo = sig, .si_code = LINUX_SI_KERNEL};

    send(o, sig, &si);
}

/* O_ASYNC's signal for reason (LINUX_POLL_*); urgent: only when F_SETSIG chose one. */
static void sigio(const struct file_owner *o, int reason, bool urgent)
{
    struct linux_siginfo si = {.si_signo = o->sig, .si_code = reason};

    if (!o->sig) {
        if (!urgent)
            send_kernel(o, LINUX_SIGIO);
        return;
    }
    if (o->sig != LINUX_SIGIO && specific_codes(o->sig))
        si.si_code = LINUX_SI_SIGIO;
    si.u.poll.band = reason_band(reason);
    si.u.poll.fd = o->fd;
    if (send(o, o->sig, &si) < 0)
        send_kernel(o, LINUX_SIGIO); /* not queued (the queue is full): the plain signal */
}

void file_sigio(struct file *f, int reason)
{
    struct file_owner o;

    if (!(file_flags(f) & LINUX_O_ASYNC) || reason < LINUX_POLL_IN || reason > LINUX_POLL_HUP)
        return;
    o = file_owner_get(f);
    sigio(&o, reason, false);
}

void file_sigurg(struct file *f)
{
    struct file_owner o = file_owner_get(f);

    if (!o.target)
        return;
    send_kernel(&o, LINUX_SIGURG);
    if (file_flags(f) & LINUX_O_ASYNC)
        sigio(&o, LINUX_POLL_PRI, true);
}
