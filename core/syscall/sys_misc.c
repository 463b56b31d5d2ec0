/*
 * sys_misc.c - process and system information, identity, limits, randomness, the thread's
 * fs base, the recorded signal state, and the end of the process.
 *
 * Signals: rt_sigaction, rt_sigprocmask and sigaltstack validate their arguments as Linux
 * does and record the result in the process; nothing is delivered yet (a later issue), so a
 * program sees its handlers installed but never called (docs/syscalls.md).
 */
#include "core/abi/limits.h"
#include "core/abi/mman.h"
#include "core/abi/resource.h"
#include "core/abi/sched.h"
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/syscall/sys_internal.h"
#include "hal/hal_errno.h"
#include "hal/hal_rand.h"
#include "hal/hal_time.h"

#define SYS_SIGKILL 9
#define SYS_SIGSTOP 19
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define SS_ONSTACK 1
#define SS_DISABLE 2
#define SS_AUTODISARM (1U << 31)
#define MINSIGSTKSZ 2048
#define RANDOM_CHUNK 256

/* --- identity ---------------------------------------------------------------------------- */

long sys_getpid(const uint64_t a[6])
{
    return sys_proc()->pid;
}

long sys_gettid(const uint64_t a[6])
{
    return uthread_current()->tid;
}

long sys_getppid(const uint64_t a[6])
{
    return 0; /* started by the kernel, like init */
}

long sys_getuid(const uint64_t a[6])
{
    return 0;
}

long sys_geteuid(const uint64_t a[6])
{
    return 0;
}

long sys_getgid(const uint64_t a[6])
{
    return 0;
}

long sys_getegid(const uint64_t a[6])
{
    return 0;
}

long sys_sched_yield(const uint64_t a[6])
{
    thread_yield();
    return 0;
}

long sys_umask(const uint64_t a[6])
{
    struct proc *p = sys_proc();
    uint32_t old;

    mutex_lock(&p->lock);
    old = p->umask;
    p->umask = (uint32_t)a[0] & 0777;
    mutex_unlock(&p->lock);
    return old;
}

/* --- system information ------------------------------------------------------------------ */

long sys_uname(const uint64_t a[6])
{
    static const char *const f[6] = {"Linux",         "petrel", "6.1.0-petrel",
                                     "#1 SMP Petrel", "x86_64", "(none)"};
    char u[6][LINUX_UTS_LEN];

    memset(u, 0, sizeof(u));
    for (int i = 0; i < 6; i++)
        kstrlcpy(u[i], f[i], LINUX_UTS_LEN);
    return sys_copy_out(a[0], u, sizeof(u));
}

long sys_sysinfo(const uint64_t a[6])
{
    struct linux_sysinfo si;
    struct page_stats ps;

    page_get_stats(&ps);
    memset(&si, 0, sizeof(si));
    si.uptime = (int64_t)(hal_clock_ns() / 1000000000ULL);
    si.totalram = ps.total_pages * PAGE_SIZE;
    si.freeram = ps.free_pages * PAGE_SIZE;
    si.procs = 1;
    si.mem_unit = 1;
    return sys_copy_out(a[0], &si, sizeof(si));
}

/* --- limits ------------------------------------------------------------------------------ */

static long rlimit_get(uint64_t res, uint64_t uold)
{
    struct proc *p = sys_proc();
    struct proc_rlimit r;

    mutex_lock(&p->lock);
    r = p->rlimits[res];
    mutex_unlock(&p->lock);
    return uold ? sys_copy_out(uold, &r, sizeof(r)) : 0;
}

long sys_getrlimit(const uint64_t a[6])
{
    if (a[0] >= PROC_NRLIMIT)
        return -EINVAL;
    return rlimit_get(a[0], a[1]);
}

long sys_prlimit64(const uint64_t a[6])
{
    struct proc *p = sys_proc();
    struct proc_rlimit nr;
    long rc;

    if (a[0] != 0 && a[0] != (uint64_t)p->pid)
        return -ESRCH;
    if (a[1] >= PROC_NRLIMIT)
        return -EINVAL;
    if (a[2]) {
        if (sys_copy_in(&nr, a[2], sizeof(nr)))
            return -EFAULT;
        if (nr.cur > nr.max)
            return -EINVAL;
        if (a[1] == PROC_RLIMIT_NOFILE && nr.max > PROC_NOFILE)
            return -EPERM; /* above the table's size: as over fs.nr_open */
    }
    rc = rlimit_get(a[1], a[3]);
    if (rc || !a[2])
        return rc;
    mutex_lock(&p->lock);
    p->rlimits[a[1]] = nr;
    mutex_unlock(&p->lock);
    return 0;
}

/* --- randomness -------------------------------------------------------------------------- */

long sys_getrandom(const uint64_t a[6])
{
    size_t n = a[1] > LINUX_MAX_RW_COUNT ? LINUX_MAX_RW_COUNT : (size_t)a[1], done = 0;
    uint8_t k[RANDOM_CHUNK];

    if (a[2] & ~(uint64_t)(LINUX_GRND_NONBLOCK | LINUX_GRND_RANDOM | LINUX_GRND_INSECURE))
        return -EINVAL;
    if ((a[2] & LINUX_GRND_RANDOM) && (a[2] & LINUX_GRND_INSECURE))
        return -EINVAL;
    while (done < n) {
        size_t c = n - done < sizeof(k) ? n - done : sizeof(k);

        hal_entropy(k, c);
        if (sys_copy_out(a[0] + done, k, c))
            return done ? (long)done : -EFAULT;
        done += c;
    }
    return (long)done;
}

/* --- thread state ------------------------------------------------------------------------ */

long sys_set_tid_address(const uint64_t a[6])
{
    struct uthread *t = uthread_current();

    t->clear_child_tid = a[0];
    return t->tid;
}

long sys_set_robust_list(const uint64_t a[6])
{
    struct uthread *t = uthread_current();

    if (a[1] != sizeof(struct linux_robust_list_head))
        return -EINVAL;
    t->robust_list = a[0];
    t->robust_len = a[1];
    return 0;
}

long sys_arch_prctl(const uint64_t a[6])
{
    struct uthread *t = uthread_current();

    switch (a[0]) {
    case LINUX_ARCH_SET_FS:
    case LINUX_ARCH_SET_GS:
        if (a[1] >= LINUX_TASK_SIZE_MAX)
            return -EPERM;
        if (a[0] == LINUX_ARCH_SET_FS)
            t->fs_base = a[1];
        else
            t->gs_base = a[1];
        if (t->regs && a[0] == LINUX_ARCH_SET_FS)
            t->regs->fs_base = a[1];
        else if (t->regs)
            t->regs->gs_base = a[1];
        return 0;
    case LINUX_ARCH_GET_FS:
        return sys_copy_out(a[1], &t->fs_base, sizeof(t->fs_base));
    case LINUX_ARCH_GET_GS:
        return sys_copy_out(a[1], &t->gs_base, sizeof(t->gs_base));
    default:
        return -EINVAL;
    }
}

/* --- signals (recorded) ------------------------------------------------------------------ */

long sys_rt_sigaction(const uint64_t a[6])
{
    struct proc *p = sys_proc();
    struct proc_sigaction act, old;
    uint64_t sig = a[0];

    if (a[3] != PROC_SIGSET_SIZE || sig < 1 || sig > PROC_NSIG)
        return -EINVAL;
    if (a[1] && (sig == SYS_SIGKILL || sig == SYS_SIGSTOP))
        return -EINVAL;
    if (a[1] && sys_copy_in(&act, a[1], sizeof(act)))
        return -EFAULT;
    mutex_lock(&p->lock);
    old = p->sigactions[sig - 1];
    mutex_unlock(&p->lock);
    if (a[2] && sys_copy_out(a[2], &old, sizeof(old)))
        return -EFAULT;
    if (a[1]) {
        act.mask &= ~((1ULL << (SYS_SIGKILL - 1)) | (1ULL << (SYS_SIGSTOP - 1)));
        mutex_lock(&p->lock);
        p->sigactions[sig - 1] = act;
        mutex_unlock(&p->lock);
    }
    return 0;
}

long sys_rt_sigprocmask(const uint64_t a[6])
{
    struct uthread *t = uthread_current();
    uint64_t set = 0, old = t->sigmask;
    const uint64_t unblockable = (1ULL << (SYS_SIGKILL - 1)) | (1ULL << (SYS_SIGSTOP - 1));

    if (a[3] != PROC_SIGSET_SIZE)
        return -EINVAL;
    if (a[1]) {
        if (a[0] > SIG_SETMASK)
            return -EINVAL;
        if (sys_copy_in(&set, a[1], sizeof(set)))
            return -EFAULT;
    }
    if (a[2] && sys_copy_out(a[2], &old, sizeof(old)))
        return -EFAULT;
    if (!a[1])
        return 0;
    if (a[0] == SIG_BLOCK)
        t->sigmask = old | set;
    else if (a[0] == SIG_UNBLOCK)
        t->sigmask = old & ~set;
    else
        t->sigmask = set;
    t->sigmask &= ~unblockable;
    return 0;
}

long sys_sigaltstack(const uint64_t a[6])
{
    struct uthread *t = uthread_current();
    struct proc_sigaltstack ss, old = t->altstack;

    if (a[0]) {
        if (sys_copy_in(&ss, a[0], sizeof(ss)))
            return -EFAULT;
        if ((uint32_t)ss.flags & ~(SS_DISABLE | SS_AUTODISARM | SS_ONSTACK))
            return -EINVAL;
        if (!(ss.flags & SS_DISABLE) && ss.size < MINSIGSTKSZ)
            return -ENOMEM;
    }
    if (!old.sp && !old.size)
        old.flags = SS_DISABLE;
    if (a[1] && sys_copy_out(a[1], &old, sizeof(old)))
        return -EFAULT;
    if (a[0]) {
        if (ss.flags & SS_DISABLE)
            memset(&ss, 0, sizeof(ss));
        ss.flags &= (int32_t)~SS_ONSTACK;
        t->altstack = ss;
    }
    return 0;
}

/* --- the end ----------------------------------------------------------------------------- */

long sys_exit(const uint64_t a[6])
{
    uthread_exit((int)(a[0] & 0xff)); /* the thread; the process with its last thread */
}

long sys_exit_group(const uint64_t a[6])
{
    proc_exit_group(sys_proc(), (int)(a[0] & 0xff));
}
