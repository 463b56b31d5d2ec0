/*
 * sys_rlimit.c - getrlimit, setrlimit, prlimit64, and RLIMIT_FSIZE's signal.
 *
 * The limits are the process's (core/proc/rlimit.c stores and applies them). RLIMIT_FSIZE
 * is checked by the VFS on each write (fs/vfs/rw.c); the VFS cannot see the process nor send
 * signals, so the first time a finite RLIMIT_FSIZE is set this layer installs the VFS's
 * hooks: the limit of the calling thread's process, and SIGXFSZ to the calling thread when a
 * write or truncate fails for it (Linux's send_sig(SIGXFSZ, current): SI_USER from itself).
 */
#include "core/abi/resource.h"
#include "core/signal/signal.h"
#include "core/syscall/sys_internal.h"
#include "hal/hal_errno.h"

static uint64_t fsize_limit(void)
{
    struct proc *p = proc_current();

    return p ? proc_rlimit(p, PROC_RLIMIT_FSIZE).cur : UINT64_MAX;
}

static void fsize_exceeded(void)
{
    struct proc *p = proc_current();
    struct linux_siginfo si = {.si_signo = LINUX_SIGXFSZ, .si_code = LINUX_SI_USER};

    if (!p)
        return;
    si.u.kill.pid = p->pid;
    signal_send(p, uthread_current(), LINUX_SIGXFSZ, &si);
}

static const struct vfs_fsize_hooks fsize_hooks = {fsize_limit, fsize_exceeded};

/* Set (nr non-NULL, already copied in, as Linux copies before it checks anything) and/or
 * read limit res into user uold (0: not wanted). An unwritable uold fails after the new
 * limit is in force, as Linux's. */
static long rlimit_do(uint64_t res, const struct proc_rlimit *nr, uint64_t uold, bool want_old)
{
    struct proc_rlimit old;
    long rc;

    if (res >= PROC_NRLIMIT)
        return -EINVAL;
    rc = proc_rlimit_set(sys_proc(), (int)res, nr, &old);
    if (rc)
        return rc;
    if (nr && res == PROC_RLIMIT_FSIZE && nr->cur != PROC_RLIM_INFINITY)
        vfs_set_fsize_hooks(&fsize_hooks);
    if (!want_old)
        return 0;
    return uold ? sys_copy_out(uold, &old, sizeof(old)) : -EFAULT;
}

long sys_getrlimit(const uint64_t a[6])
{
    return rlimit_do(a[0], NULL, a[1], true);
}

long sys_setrlimit(const uint64_t a[6])
{
    struct proc_rlimit nr;

    if (sys_copy_in(&nr, a[1], sizeof(nr)))
        return -EFAULT;
    return rlimit_do(a[0], &nr, 0, false);
}

long sys_prlimit64(const uint64_t a[6])
{
    struct proc *p = sys_proc();
    struct proc_rlimit nr;

    if (a[2] && sys_copy_in(&nr, a[2], sizeof(nr)))
        return -EFAULT;
    if (a[0] != 0 && a[0] != (uint64_t)p->pid)
        return -ESRCH;
    return rlimit_do(a[1], a[2] ? &nr : NULL, a[3], a[3] != 0);
}
