/*
 * sys_fown.c - owners of signal-driven I/O: fcntl F_SETOWN, F_GETOWN, F_SETOWN_EX,
 * F_GETOWN_EX, F_SETSIG, F_GETSIG; ioctl FIOSETOWN/SIOCSPGRP and FIOGETOWN/SIOCGPGRP (sockets),
 * FIOASYNC; the O_ASYNC bit of F_SETFL. The owner lives on the description (fs/file/fown.c);
 * the kinds with FILE_MODE_ASYNC (sockets) signal it. docs/net.md "Signal-driven I/O".
 *
 * Answers follow Linux's f_setown/f_getown, checked natively (tests/runtime/progs/sock_sigio.c):
 * F_SETOWN takes a pid (positive) or a process group (negative; INT_MIN is -EINVAL), an id no
 * task has is -ESRCH, 0 clears; F_SETOWN_EX takes {F_OWNER_TID/PID/PGRP, id} (other types
 * -EINVAL). F_GETOWN answers 0 when the owner no longer names a task of its kind (a thread that
 * ended; a thread id given as a process: Linux keeps it but finds no thread group), the id
 * (negative for a group) otherwise; F_GETOWN_EX the type as set and the id while a task has
 * it (musl and glibc make F_GETOWN with F_GETOWN_EX). F_SETSIG takes 0..64.
 * Petrel has one process, whose group is its pid: any of its thread ids exists.
 */
#include "core/abi/ioctl.h"
#include "core/abi/signal.h"
#include "core/abi/socket.h"
#include "core/syscall/sys_internal.h"
#include "hal/hal_errno.h"

/* Does id name a task of the calling process (its pid, or a live thread's id)? */
static bool task_exists(int id)
{
    struct proc *p = sys_proc();
    struct uthread *ut;

    if (id == p->pid)
        return true;
    ut = proc_find_thread(p, id);
    if (ut)
        uthread_put(ut);
    return ut != NULL;
}

static long setown(struct file *f, int type, int id)
{
    if (id && !task_exists(id))
        return -ESRCH;
    file_owner_set(f, sys_proc()->serial, type, id);
    return 0;
}

/* F_SETOWN's argument (also SIOCSPGRP's): a pid, or minus a process group. */
static long setown_who(struct file *f, int who)
{
    if (who == INT32_MIN)
        return -EINVAL;
    return who < 0 ? setown(f, LINUX_F_OWNER_PGRP, -who) : setown(f, LINUX_F_OWNER_PID, who);
}

/* F_GETOWN: the owner while it names a task of its kind, else 0. */
static int getown(struct file *f)
{
    struct file_owner o = file_owner_get(f);

    if (!o.id)
        return 0;
    if (o.type == LINUX_F_OWNER_TID)
        return task_exists(o.id) ? o.id : 0;
    if (o.id != sys_proc()->pid) /* the only process and the only group */
        return 0;
    return o.type == LINUX_F_OWNER_PGRP ? -o.id : o.id;
}

/* F_GETOWN_EX: the type as set, the id while a task has it (0 after it ended; libcs build
 * F_GETOWN on this). */
static int getown_ex_id(const struct file_owner *o)
{
    return o->id && task_exists(o->id) ? o->id : 0;
}

static long setown_ex(struct file *f, uint64_t uarg)
{
    struct linux_f_owner_ex ox;

    if (sys_copy_in(&ox, uarg, sizeof(ox)))
        return -EFAULT;
    if (ox.type != LINUX_F_OWNER_TID && ox.type != LINUX_F_OWNER_PID &&
        ox.type != LINUX_F_OWNER_PGRP)
        return -EINVAL;
    return setown(f, ox.type, ox.pid);
}

static long getown_ex(struct file *f, uint64_t uarg)
{
    struct file_owner o = file_owner_get(f);
    struct linux_f_owner_ex ox = {o.type, getown_ex_id(&o)};

    return sys_copy_out(uarg, &ox, sizeof(ox)) ? -EFAULT : 0;
}

long sys_fcntl_owner(struct file *f, unsigned cmd, uint64_t arg)
{
    if (file_flags(f) & VFS_O_PATH)
        return -EBADF; /* Linux's check_fcntl_cmd */
    switch (cmd) {
    case LINUX_F_SETOWN:
        return setown_who(f, (int)arg);
    case LINUX_F_GETOWN:
        return getown(f);
    case LINUX_F_SETOWN_EX:
        return setown_ex(f, arg);
    case LINUX_F_GETOWN_EX:
        return getown_ex(f, arg);
    case LINUX_F_SETSIG:
        if (arg > LINUX_NSIG)
            return -EINVAL;
        file_owner_signal(f, (int)arg);
        return 0;
    default: /* F_GETSIG */
        return file_owner_get(f).sig;
    }
}

/* The status flags F_SETFL may change of f: O_ASYNC only on kinds that signal it (Linux keeps
 * the bit only through a fasync operation). Turning it on records fd for si_fd. */
int sys_setfl(struct file *f, int fd, unsigned mask, unsigned val)
{
    bool was = file_flags(f) & LINUX_O_ASYNC;
    int rc;

    if (!(f->mode & FILE_MODE_ASYNC))
        mask &= ~(unsigned)LINUX_O_ASYNC;
    if (!was && (val & mask & LINUX_O_ASYNC))
        file_owner_async_fd(f, fd);
    /* a terminal without an owner gets its foreground process group (Linux's tty_fasync):
     * the one process's group */
    if (!was && (val & mask & LINUX_O_ASYNC) && file_console_is_tty(f) && !file_owner_get(f).id)
        file_owner_set(f, sys_proc()->serial, LINUX_F_OWNER_PGRP, sys_proc()->pid);
    rc = file_setfl(f, mask, val);
    return rc;
}

static bool is_socket(struct file *f)
{
    const struct sock_kind *k;
    void *s;

    return sock_kind_of_file(f, &k, &s);
}

bool sys_ioctl_owner_req(unsigned req)
{
    return req == LINUX_FIOASYNC || req == LINUX_FIOSETOWN || req == LINUX_SIOCSPGRP ||
           req == LINUX_FIOGETOWN || req == LINUX_SIOCGPGRP;
}

/* FIOASYNC on any file (-ENOTTY only when it would turn O_ASYNC on or off on a kind without
 * it, as Linux's ioctl_fioasync); the owner requests on sockets only (sock_ioctl), -ENOTTY on
 * other kinds. The argument is read first: -EFAULT before anything else. */
int sys_ioctl_owner(struct file *f, int fd, unsigned req, uint64_t uarg)
{
    int v;

    if (req == LINUX_FIOGETOWN || req == LINUX_SIOCGPGRP) {
        if (!is_socket(f))
            return -ENOTTY;
        v = getown(f);
        return sys_copy_out(uarg, &v, sizeof(v)) ? -EFAULT : 0;
    }
    if (sys_copy_in(&v, uarg, sizeof(v)))
        return -EFAULT;
    if (req != LINUX_FIOASYNC)
        return is_socket(f) ? (int)setown_who(f, v) : -ENOTTY;
    if (!(file_flags(f) & LINUX_O_ASYNC) == !v)
        return 0; /* no change */
    if (!(f->mode & FILE_MODE_ASYNC))
        return -ENOTTY;
    return sys_setfl(f, fd, LINUX_O_ASYNC, v ? LINUX_O_ASYNC : 0);
}
