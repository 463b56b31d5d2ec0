/*
 * sigio.c - signals to the owner of a description (fs/file/fown.c: SIGURG, SIGIO and the
 * F_SETSIG signal of signal-driven I/O).
 *
 * The owner's target is the serial of the process that set it, looked up at signal time
 * (proc_with_serial: an owner that ended is found no more and gets nothing, as a struct pid
 * reference on Linux that outlived its task). F_OWNER_PID and F_OWNER_PGRP owners get a
 * process-directed signal when their id is the process's pid (Petrel's one process is its
 * own group; an id that names only a thread finds no process, as on Linux); F_OWNER_TID
 * owners a thread-directed one while the thread lives. Called from any thread (the network
 * thread for sockets), never sleeps.
 */
#include "core/abi/fcntl.h"
#include "core/signal/sigio.h"
#include "core/signal/signal.h"
#include "fs/file/file.h"

struct owner_sig {
    const struct file_owner *o;
    int sig;
    const struct linux_siginfo *si;
};

/* With the process registry's lock held: p cannot go away meanwhile. */
static int owner_send_to(struct proc *p, void *arg)
{
    const struct owner_sig *a = arg;
    struct uthread *ut;
    int rc;

    if (a->o->type != LINUX_F_OWNER_TID)
        return a->o->id == p->pid ? signal_send(p, NULL, a->sig, a->si) : 0;
    ut = proc_find_thread(p, a->o->id);
    if (!ut)
        return 0;
    rc = signal_send(p, ut, a->sig, a->si);
    uthread_put(ut);
    return rc;
}

static int owner_send(const struct file_owner *o, int sig, const struct linux_siginfo *si)
{
    struct owner_sig a = {o, sig, si};
    int rc = proc_with_serial(o->target, owner_send_to, &a);

    return rc == -ESRCH ? 0 : rc; /* the owner ended: nobody to signal */
}

void sigio_init(void)
{
    file_set_owner_hook(owner_send);
}
