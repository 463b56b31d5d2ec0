/*
 * sigio.c - signals to the owner of a description (fs/file/fown.c: SIGURG, SIGIO and the
 * F_SETSIG signal of signal-driven I/O).
 *
 * The owner's target is the process that set it. F_OWNER_PID and F_OWNER_PGRP owners get a
 * process-directed signal when their id is the process's pid (Petrel's one process is its
 * own group; an id that names only a thread finds no process, as on Linux); F_OWNER_TID
 * owners a thread-directed one while the thread lives. Called from any thread (the network
 * thread for sockets), never sleeps.
 */
#include "core/abi/fcntl.h"
#include "core/signal/sigio.h"
#include "core/signal/signal.h"
#include "fs/file/file.h"

static int owner_send(const struct file_owner *o, int sig, const struct linux_siginfo *si)
{
    struct proc *p = o->target;
    struct uthread *ut;
    int rc;

    if (o->type != LINUX_F_OWNER_TID)
        return o->id == p->pid ? signal_send(p, NULL, sig, si) : 0;
    ut = proc_find_thread(p, o->id);
    if (!ut)
        return 0;
    rc = signal_send(p, ut, sig, si);
    uthread_put(ut);
    return rc;
}

void sigio_init(void)
{
    file_set_owner_hook(owner_send);
}
