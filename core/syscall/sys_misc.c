/*
 * sys_misc.c - process and system information, identity, randomness, the thread's fs base,
 * and the end of the process. The limits are sys_rlimit.c's, the signal syscalls core/signal's
 * (sys_signal.c).
 */
#include "core/abi/limits.h"
#include "core/abi/mman.h"
#include "core/abi/prctl.h"
#include "core/abi/resource.h"
#include "core/abi/sched.h"
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/syscall/sys_internal.h"
#include "hal/hal_errno.h"
#include "hal/hal_rand.h"
#include "hal/hal_time.h"

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
    /* rounded up, as Linux's do_sysinfo: a machine up for 0.3 s reports 1 */
    si.uptime = (int64_t)((hal_clock_ns() + 999999999ULL) / 1000000000ULL);
    si.totalram = ps.total_pages * PAGE_SIZE;
    si.freeram = ps.free_pages * PAGE_SIZE;
    si.procs = 1;
    si.mem_unit = 1;
    return sys_copy_out(a[0], &si, sizeof(si));
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

/* --- the end ----------------------------------------------------------------------------- */

long sys_exit(const uint64_t a[6])
{
    uthread_exit((int)(a[0] & 0xff)); /* the thread; the process with its last thread */
}

long sys_exit_group(const uint64_t a[6])
{
    proc_exit_group(sys_proc(), (int)(a[0] & 0xff));
}

/* --- process group, session, groups ---------------------------------------------------- */

/*
 * The one process is its own process group and session leader (pgid = sid = pid), as a
 * container's first process is. So setsid and setpgid answer what Linux answers a session
 * leader with no children: -EPERM, or -ESRCH for another pid, -EINVAL for a negative pgid.
 */
static long own_pid_or_esrch(uint64_t pid)
{
    int self = sys_proc()->pid;

    return (int)pid == 0 || (int)pid == self ? self : -ESRCH;
}

long sys_getpgrp(const uint64_t a[6])
{
    return sys_proc()->pid;
}

long sys_getpgid(const uint64_t a[6])
{
    return own_pid_or_esrch(a[0]);
}

long sys_getsid(const uint64_t a[6])
{
    return own_pid_or_esrch(a[0]);
}

long sys_setsid(const uint64_t a[6])
{
    return -EPERM; /* already a process group leader */
}

long sys_setpgid(const uint64_t a[6])
{
    if ((int)a[1] < 0)
        return -EINVAL;
    if (own_pid_or_esrch(a[0]) < 0)
        return -ESRCH;
    return -EPERM; /* a session leader cannot change its group */
}

long sys_getgroups(const uint64_t a[6])
{
    struct proc *p = sys_proc();
    int size = (int)a[0];
    long rc;

    if (size < 0)
        return -EINVAL;
    mutex_lock(&p->lock);
    rc = p->ngroups;
    if (size && (unsigned)size < p->ngroups)
        rc = -EINVAL;
    else if (size && p->ngroups &&
             sys_copy_out(a[1], p->groups, p->ngroups * sizeof(uint32_t)))
        rc = -EFAULT;
    mutex_unlock(&p->lock);
    return rc;
}

/* Shell sort: Linux keeps the list sorted (getgroups shows it so). */
static void groups_sort(uint32_t *g, unsigned n)
{
    for (unsigned gap = n / 2; gap > 0; gap /= 2)
        for (unsigned i = gap; i < n; i++)
            for (unsigned j = i; j >= gap && g[j - gap] > g[j]; j -= gap) {
                uint32_t t = g[j];

                g[j] = g[j - gap];
                g[j - gap] = t;
            }
}

long sys_setgroups(const uint64_t a[6])
{
    struct proc *p = sys_proc();
    int size = (int)a[0];
    uint32_t *g = NULL, *old;

    if (size < 0 || size > LINUX_NGROUPS_MAX)
        return -EINVAL;
    if (size) {
        g = kmalloc((size_t)size * sizeof(*g));
        if (!g)
            return -ENOMEM;
        if (sys_copy_in(g, a[1], (size_t)size * sizeof(*g))) {
            kfree(g);
            return -EFAULT;
        }
        groups_sort(g, (unsigned)size);
    }
    mutex_lock(&p->lock);
    old = p->groups;
    p->groups = g;
    p->ngroups = (unsigned)size;
    mutex_unlock(&p->lock);
    kfree(old);
    return 0; /* root has CAP_SETGID */
}

/* --- prctl ------------------------------------------------------------------------------- */

/* PR_SET_NAME: at most LINUX_TASK_COMM_LEN - 1 bytes up to a NUL, read without crossing
 * into a page the string does not reach (a short name at the end of a mapping is fine). */
static long prctl_set_name(struct uthread *t, uint64_t u)
{
    char name[LINUX_TASK_COMM_LEN];
    size_t done = 0;

    while (done < sizeof(name) - 1) {
        size_t to_page = HAL_PAGE_SIZE - ((u + done) & (HAL_PAGE_SIZE - 1));
        size_t n = sizeof(name) - 1 - done < to_page ? sizeof(name) - 1 - done : to_page;

        if (sys_copy_in(name + done, u + done, n))
            return -EFAULT;
        if (memchr(name + done, 0, n))
            break;
        done += n;
    }
    name[sizeof(name) - 1] = '\0';
    memcpy(t->comm, name, sizeof(name));
    return 0;
}

/* PR_GET_NAME: the name set, else the program's file name (as exec sets comm). */
static long prctl_get_name(struct uthread *t, uint64_t u)
{
    char name[LINUX_TASK_COMM_LEN];
    const char *prog = sys_proc()->cfg.program, *base;

    memset(name, 0, sizeof(name));
    if (t->comm[0]) {
        memcpy(name, t->comm, sizeof(name));
    } else if (prog) {
        base = strrchr(prog, '/');
        kstrlcpy(name, base ? base + 1 : prog, sizeof(name));
    }
    return sys_copy_out(u, name, sizeof(name));
}

static long prctl_other(const uint64_t a[6], struct uthread *t)
{
    switch (a[0]) {
    case LINUX_PR_SET_NO_NEW_PRIVS:
        if (a[1] != 1 || a[2] || a[3] || a[4])
            return -EINVAL;
        t->no_new_privs = true;
        return 0;
    case LINUX_PR_GET_NO_NEW_PRIVS:
        return a[1] || a[2] || a[3] || a[4] ? -EINVAL : t->no_new_privs;
    case LINUX_PR_SET_TIMERSLACK:
        t->timerslack_ns = a[1]; /* 0: back to the default */
        return 0;
    case LINUX_PR_GET_TIMERSLACK:
        return (long)(t->timerslack_ns ? t->timerslack_ns : LINUX_TIMER_SLACK_DEFAULT_NS);
    case LINUX_PR_CAPBSET_READ:
        return a[1] <= LINUX_CAP_LAST_CAP ? 1 : -EINVAL; /* root: every capability */
    default:
        return -EINVAL;
    }
}

long sys_prctl(const uint64_t a[6])
{
    struct uthread *t = uthread_current();
    struct proc *p = sys_proc();
    int32_t sig;

    switch (a[0]) {
    case LINUX_PR_SET_NAME:
        return prctl_set_name(t, a[1]);
    case LINUX_PR_GET_NAME:
        return prctl_get_name(t, a[1]);
    case LINUX_PR_SET_PDEATHSIG:
        if (a[1] > LINUX_NSIG)
            return -EINVAL;
        t->pdeathsig = (int)a[1];
        return 0;
    case LINUX_PR_GET_PDEATHSIG:
        sig = t->pdeathsig;
        return sys_copy_out(a[1], &sig, sizeof(sig));
    case LINUX_PR_SET_DUMPABLE:
        if (a[1] != LINUX_SUID_DUMP_DISABLE && a[1] != LINUX_SUID_DUMP_USER)
            return -EINVAL;
        p->undumpable = a[1] == LINUX_SUID_DUMP_DISABLE;
        return 0;
    case LINUX_PR_GET_DUMPABLE:
        return p->undumpable ? LINUX_SUID_DUMP_DISABLE : LINUX_SUID_DUMP_USER;
    default:
        return prctl_other(a, t);
    }
}
