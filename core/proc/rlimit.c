/*
 * rlimit.c - the process's resource limits (getrlimit/setrlimit/prlimit64).
 *
 * The limits live in struct proc under proc->lock; what acts on them reads them here:
 *   RLIMIT_NOFILE  the descriptor table keeps its own copy of the soft limit (fdtable.c),
 *                  updated by every set, so installing a descriptor takes one lock only;
 *   RLIMIT_FSIZE   the VFS asks the syscall layer's hook for it on each write (fs/vfs/rw.c);
 *   RLIMIT_AS      pushed into the address space (vm_set_as_limit) by every set and
 *                  for the space exec makes: core/mm sits below and cannot ask;
 *   RLIMIT_STACK   the same (vm_set_stack_limit: the stack's growth), and exec lays the
 *                  new space out by it (vm_space_create_limit: the mmap base below it);
 *   RLIMIT_DATA    read through proc_rlimit() where it acts;
 *   the others are stored and read back, as docs/syscalls.md says.
 * The hard limit bounds RLIMIT_NOFILE at PROC_NOFILE, the table's size, as fs.nr_open
 * bounds it on Linux (-EPERM above it). Petrel's one process runs as root, so raising a hard
 * limit is allowed (CAP_SYS_RESOURCE).
 */
#include "core/proc/proc.h"
#include "hal/hal_errno.h"

struct proc_rlimit proc_rlimit(struct proc *p, int res)
{
    struct proc_rlimit r = {PROC_RLIM_INFINITY, PROC_RLIM_INFINITY};

    if (res < 0 || res >= PROC_NRLIMIT)
        return r;
    mutex_lock(&p->lock);
    r = p->rlimits[res];
    mutex_unlock(&p->lock);
    return r;
}

int proc_rlimit_set(struct proc *p, int res, const struct proc_rlimit *nr, struct proc_rlimit *old)
{
    if (res < 0 || res >= PROC_NRLIMIT)
        return -EINVAL;
    if (nr && nr->cur > nr->max)
        return -EINVAL;
    if (nr && res == PROC_RLIMIT_NOFILE && nr->max > PROC_NOFILE)
        return -EPERM;
    mutex_lock(&p->lock);
    if (old)
        *old = p->rlimits[res];
    if (nr) {
        p->rlimits[res] = *nr;
        if (res == PROC_RLIMIT_NOFILE)
            fdtable_set_limit(&p->fds, nr->cur); /* under proc->lock: sets stay ordered */
        if (res == PROC_RLIMIT_AS && p->vm)
            vm_set_as_limit(p->vm, nr->cur);
        if (res == PROC_RLIMIT_STACK && p->vm)
            vm_set_stack_limit(p->vm, nr->cur);
    }
    mutex_unlock(&p->lock);
    return 0;
}
