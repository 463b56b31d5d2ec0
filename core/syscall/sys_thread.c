/*
 * sys_thread.c - threads and scheduling: clone, clone3, the sched_* answers, getcpu.
 *
 * clone decodes its flags into struct proc_clone_args and core/proc/clone.c makes the
 * thread. The checks follow Linux's copy_process order, each checked natively:
 *   CLONE_NEWNS|CLONE_FS, CLONE_NEWUSER|CLONE_FS         -EINVAL
 *   CLONE_THREAD without CLONE_SIGHAND                    -EINVAL
 *   CLONE_SIGHAND without CLONE_VM                        -EINVAL
 *   CLONE_THREAD with CLONE_NEWUSER or CLONE_NEWPID       -EINVAL
 *   CLONE_PIDFD with CLONE_DETACHED (clone: or PARENT_SETTID, same argument)  -EINVAL
 *   CLONE_SETTLS with a base at or above TASK_SIZE_MAX    -EPERM
 * Then Petrel's own limits (one process, everything shared):
 *   without CLONE_THREAD (fork, vfork, posix_spawn): -ENOSYS, said once on the console;
 *   a thread must share the files and the fs state (CLONE_FS|CLONE_FILES), and may not ask
 *   for namespaces, a pidfd, vfork or clone3's cgroup/set_tid: -EINVAL naming the flags.
 * CLONE_SYSVSEM, CLONE_DETACHED, CLONE_UNTRACED, CLONE_PTRACE, CLONE_IO and CLONE_PARENT
 * change nothing for a thread of the one process; the exit signal of a thread is ignored
 * (Linux sets it to -1).
 *
 * futex: decodes the operation and its timeout, then core/proc/futex.c. Timeouts: FUTEX_WAIT's
 * is relative (monotonic), FUTEX_WAIT_BITSET's absolute on CLOCK_MONOTONIC, or on
 * CLOCK_REALTIME with FUTEX_CLOCK_REALTIME (converted to a monotonic deadline: the wall clock
 * is the boot time plus the monotonic clock). The PI operations are -ENOSYS (docs/threads.md).
 *
 * Scheduling: one CPU, one policy (round robin). Policies and priorities are validated as
 * Linux does and recorded per thread (sched_getscheduler/getparam read them back); the
 * affinity is CPU 0, in a mask of 8 bytes (one long: a distribution kernel's size with at
 * most 64 CPUs).
 */
#include "core/abi/sched.h"
#include "core/abi/time.h"
#include "core/lib/kprintf.h"
#include "core/lib/kstring.h"
#include "core/syscall/sys_internal.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"

#define CPUMASK_BYTES 8
#define TASK_SIZE_MAX 0x00007ffffffff000ULL
#define RR_TIMESLICE_NS 100000000LL /* Linux's SCHED_RR quantum */
#define PRIO_RT_MAX 99

/* Flags a thread may carry. */
#define THREAD_NEEDS                                                                               \
    (LINUX_CLONE_VM | LINUX_CLONE_FS | LINUX_CLONE_FILES | LINUX_CLONE_SIGHAND | LINUX_CLONE_THREAD)
#define THREAD_MAY                                                                                 \
    (THREAD_NEEDS | LINUX_CLONE_SYSVSEM | LINUX_CLONE_SETTLS | LINUX_CLONE_PARENT_SETTID |         \
     LINUX_CLONE_CHILD_CLEARTID | LINUX_CLONE_CHILD_SETTID | LINUX_CLONE_DETACHED |                \
     LINUX_CLONE_UNTRACED | LINUX_CLONE_PTRACE | LINUX_CLONE_IO | LINUX_CLONE_PARENT)

/* --- clone --------------------------------------------------------------------------------- */

/* Linux's checks of a flag set, in its order; 0 when Linux would go on. */
static long clone_linux_checks(uint64_t f)
{
    if ((f & (LINUX_CLONE_NEWNS | LINUX_CLONE_FS)) == (LINUX_CLONE_NEWNS | LINUX_CLONE_FS))
        return -EINVAL;
    if ((f & (LINUX_CLONE_NEWUSER | LINUX_CLONE_FS)) == (LINUX_CLONE_NEWUSER | LINUX_CLONE_FS))
        return -EINVAL;
    if ((f & LINUX_CLONE_THREAD) && !(f & LINUX_CLONE_SIGHAND))
        return -EINVAL;
    if ((f & LINUX_CLONE_SIGHAND) && !(f & LINUX_CLONE_VM))
        return -EINVAL;
    if ((f & LINUX_CLONE_THREAD) && (f & (LINUX_CLONE_NEWUSER | LINUX_CLONE_NEWPID)))
        return -EINVAL;
    if ((f & LINUX_CLONE_PIDFD) && (f & LINUX_CLONE_DETACHED))
        return -EINVAL;
    return 0;
}

/* Petrel's refusals, said on the console (each distinct set once in a row). */
static long clone_petrel_checks(uint64_t f)
{
    static bool fork_said;
    static uint64_t last_said;
    uint64_t missing = THREAD_NEEDS & ~f, extra = f & ~THREAD_MAY;

    if (!(f & LINUX_CLONE_THREAD)) {
        if (!fork_said)
            kprintf("petrel: clone(flags %#llx) without CLONE_THREAD creates a process "
                    "(fork, vfork, posix_spawn): Petrel runs one process: -ENOSYS\n",
                    (unsigned long long)f);
        fork_said = true;
        return -ENOSYS;
    }
    if (!missing && !extra)
        return 0;
    if (f != last_said)
        kprintf("petrel: clone(flags %#llx): a thread here shares everything; flags missing "
                "%#llx, flags not supported %#llx: -EINVAL\n",
                (unsigned long long)f, (unsigned long long)missing, (unsigned long long)extra);
    last_said = f;
    return -EINVAL;
}

static long clone_do(struct proc_clone_args *c)
{
    long rc = clone_linux_checks(c->flags);

    if (rc == 0)
        rc = clone_petrel_checks(c->flags);
    if (rc == 0 && (c->flags & LINUX_CLONE_SETTLS) && c->tls >= TASK_SIZE_MAX)
        rc = -EPERM; /* as arch_prctl(ARCH_SET_FS) */
    return rc ? rc : proc_clone_thread(c);
}

/* clone(flags, newsp, parent_tid, child_tid, tls): the x86-64 argument order. */
long sys_clone(const uint64_t a[6])
{
    struct proc_clone_args c;
    uint64_t f = a[0] & 0xffffffffULL & ~(uint64_t)LINUX_CSIGNAL; /* legacy: 32 bits */

    if ((f & LINUX_CLONE_PIDFD) && (f & LINUX_CLONE_PARENT_SETTID))
        return -EINVAL; /* both use parent_tid */
    c.flags = f;
    c.stack = a[1];
    c.parent_tid = a[2];
    c.child_tid = a[3];
    c.tls = a[4];
    return clone_do(&c);
}

/* clone3's structure checks (Linux's copy_clone_args_from_user and clone3_args_valid). */
static long clone3_args(uint64_t uargs, uint64_t size, struct linux_clone_args *k)
{
    uint8_t tail[64];

    if (size > 4096)
        return -E2BIG;
    if (size < LINUX_CLONE_ARGS_SIZE_VER0)
        return -EINVAL;
    memset(k, 0, sizeof(*k));
    if (sys_copy_in(k, uargs, size < sizeof(*k) ? size : sizeof(*k)))
        return -EFAULT;
    for (uint64_t off = sizeof(*k); off < size; off += sizeof(tail)) {
        uint64_t n = size - off < sizeof(tail) ? size - off : sizeof(tail);

        if (sys_copy_in(tail, uargs + off, n))
            return -EFAULT;
        for (uint64_t i = 0; i < n; i++)
            if (tail[i])
                return -E2BIG; /* a newer structure with fields this kernel lacks */
    }
    return 0;
}

static long clone3_valid(const struct linux_clone_args *k)
{
    const uint64_t known = 0xffffffffULL | LINUX_CLONE_CLEAR_SIGHAND | LINUX_CLONE_INTO_CGROUP;

    if (k->set_tid_size > 32 || (!k->set_tid && k->set_tid_size) ||
        (k->set_tid && !k->set_tid_size))
        return -EINVAL;
    if ((k->flags & LINUX_CLONE_INTO_CGROUP) && k->cgroup > INT32_MAX)
        return -EINVAL;
    if (k->flags & ~known || k->flags & (LINUX_CSIGNAL | LINUX_CLONE_DETACHED))
        return -EINVAL;
    if ((k->flags & (LINUX_CLONE_SIGHAND | LINUX_CLONE_CLEAR_SIGHAND)) ==
        (LINUX_CLONE_SIGHAND | LINUX_CLONE_CLEAR_SIGHAND))
        return -EINVAL;
    if ((k->exit_signal & ~(uint64_t)LINUX_CSIGNAL) || k->exit_signal > LINUX_NSIG)
        return -EINVAL;
    if ((k->flags & (LINUX_CLONE_THREAD | LINUX_CLONE_PARENT)) && k->exit_signal)
        return -EINVAL;
    if ((k->stack && !k->stack_size) || (!k->stack && k->stack_size))
        return -EINVAL;
    if (k->stack &&
        (k->stack + k->stack_size < k->stack || k->stack + k->stack_size > TASK_SIZE_MAX))
        return -EINVAL; /* Linux's access_ok on the stack range */
    return 0;
}

long sys_clone3(const uint64_t a[6])
{
    struct linux_clone_args k;
    struct proc_clone_args c;
    long rc = clone3_args(a[0], a[1], &k);

    if (rc == 0)
        rc = clone3_valid(&k);
    if (rc)
        return rc;
    if ((k.set_tid_size || (k.flags & (LINUX_CLONE_INTO_CGROUP | LINUX_CLONE_CLEAR_SIGHAND))) &&
        (k.flags & LINUX_CLONE_THREAD)) {
        kprintf("petrel: clone3: set_tid, CLONE_INTO_CGROUP and CLONE_CLEAR_SIGHAND are not "
                "supported: -EINVAL\n");
        return -EINVAL;
    }
    c.flags = k.flags;
    c.stack = k.stack ? k.stack + k.stack_size : 0; /* the stack grows down from its end */
    c.parent_tid = k.parent_tid;
    c.child_tid = k.child_tid;
    c.tls = k.tls;
    return clone_do(&c);
}

/* --- scheduling ---------------------------------------------------------------------------- */

/* The thread a sched_* pid (a pid_t: 0 is the caller) names, with a reference: -ESRCH, or
 * -EINVAL for a negative pid where Linux says so. */
static long sched_target(uint64_t arg, bool neg_einval, struct uthread **out)
{
    struct uthread *self = uthread_current();
    int32_t pid = (int32_t)arg;

    if (pid < 0)
        return neg_einval ? -EINVAL : -ESRCH;
    *out = proc_find_thread(self->proc, pid ? pid : self->tid);
    return *out ? 0 : -ESRCH;
}

long sys_sched_getaffinity(const uint64_t a[6])
{
    uint8_t mask[CPUMASK_BYTES] = {1};
    uint32_t len = (uint32_t)a[1]; /* an unsigned int */
    struct uthread *ut;
    long rc;

    if (len == 0 || (len & (sizeof(uint64_t) - 1)))
        return -EINVAL;
    rc = sched_target(a[0], false, &ut);
    if (rc)
        return rc;
    uthread_put(ut);
    return sys_copy_out(a[2], mask, sizeof(mask)) ? -EFAULT : CPUMASK_BYTES;
}

long sys_sched_setaffinity(const uint64_t a[6])
{
    uint8_t mask[CPUMASK_BYTES] = {0};
    uint32_t len = (uint32_t)a[1];
    struct uthread *ut;
    long rc;

    if (sys_copy_in(mask, a[2], len < sizeof(mask) ? len : sizeof(mask)))
        return -EFAULT;
    rc = sched_target(a[0], false, &ut);
    if (rc)
        return rc;
    uthread_put(ut);
    return (mask[0] & 1) ? 0 : -EINVAL; /* the mask must hold an online CPU: CPU 0 */
}

long sys_getcpu(const uint64_t a[6])
{
    uint32_t zero = 0;

    if (a[0] && sys_copy_out(a[0], &zero, sizeof(zero)))
        return -EFAULT;
    if (a[1] && sys_copy_out(a[1], &zero, sizeof(zero)))
        return -EFAULT;
    return 0;
}

/* The priority range of a policy (without SCHED_RESET_ON_FORK); false: unknown policy. */
static bool policy_range(int64_t policy, int *min, int *max)
{
    switch (policy) {
    case LINUX_SCHED_FIFO:
    case LINUX_SCHED_RR:
        *min = 1;
        *max = PRIO_RT_MAX;
        return true;
    case LINUX_SCHED_NORMAL:
    case LINUX_SCHED_BATCH:
    case LINUX_SCHED_IDLE:
    case LINUX_SCHED_DEADLINE:
        *min = *max = 0;
        return true;
    default:
        return false;
    }
}

long sys_sched_get_priority_max(const uint64_t a[6])
{
    int min, max;

    return policy_range((int64_t)a[0], &min, &max) ? max : -EINVAL;
}

long sys_sched_get_priority_min(const uint64_t a[6])
{
    int min, max;

    return policy_range((int64_t)a[0], &min, &max) ? min : -EINVAL;
}

long sys_sched_getscheduler(const uint64_t a[6])
{
    struct uthread *ut;
    long rc = sched_target(a[0], true, &ut);

    if (rc)
        return rc;
    rc = ut->sched_policy;
    uthread_put(ut);
    return rc;
}

long sys_sched_getparam(const uint64_t a[6])
{
    struct linux_sched_param sp;
    struct uthread *ut;
    long rc;

    if (!a[1] || (int32_t)a[0] < 0)
        return -EINVAL;
    rc = sched_target(a[0], true, &ut);
    if (rc)
        return rc;
    sp.sched_priority = ut->sched_prio;
    uthread_put(ut);
    return sys_copy_out(a[1], &sp, sizeof(sp)) ? -EFAULT : 0;
}

/* Record policy (-1: keep the thread's) and the priority read from uparam. */
static long sched_set(uint64_t pid, int64_t policy, uint64_t uparam)
{
    struct linux_sched_param sp;
    struct uthread *ut;
    int min, max;
    long rc;

    if (!uparam || (int32_t)pid < 0)
        return -EINVAL;
    if (sys_copy_in(&sp, uparam, sizeof(sp)))
        return -EFAULT;
    rc = sched_target(pid, true, &ut);
    if (rc)
        return rc;
    if (policy < 0)
        policy = ut->sched_policy;
    if (!policy_range(policy & ~(int64_t)LINUX_SCHED_RESET_ON_FORK, &min, &max) ||
        (policy & ~(int64_t)LINUX_SCHED_RESET_ON_FORK) == LINUX_SCHED_DEADLINE ||
        sp.sched_priority < min || sp.sched_priority > max)
        rc = -EINVAL; /* SCHED_DEADLINE is set through sched_setattr only */
    if (rc == 0) {
        ut->sched_policy = (int)policy;
        ut->sched_prio = sp.sched_priority;
    }
    uthread_put(ut);
    return rc;
}

long sys_sched_setscheduler(const uint64_t a[6])
{
    if ((int32_t)a[1] < 0)
        return -EINVAL;
    return sched_set(a[0], (int32_t)a[1], a[2]);
}

long sys_sched_setparam(const uint64_t a[6])
{
    return sched_set(a[0], -1, a[1]);
}

long sys_sched_rr_get_interval(const uint64_t a[6])
{
    struct linux_timespec ts = {0, 0};
    struct uthread *ut;
    long rc = sched_target(a[0], true, &ut);

    if (rc)
        return rc;
    if ((ut->sched_policy & ~LINUX_SCHED_RESET_ON_FORK) == LINUX_SCHED_RR)
        ts.tv_nsec = RR_TIMESLICE_NS;
    uthread_put(ut);
    return sys_copy_out(a[1], &ts, sizeof(ts)) ? -EFAULT : 0;
}

/* --- futex ----------------------------------------------------------------------------------- */

#define NSEC_PER_SEC 1000000000ULL

/* The deadline (monotonic ns; UINT64_MAX none, 0 already past) of a wait's timeout. */
static long futex_deadline(uint64_t uts, bool relative, bool realtime, uint64_t *out)
{
    struct linux_timespec ts;
    uint64_t t, now = hal_clock_ns();

    *out = UINT64_MAX;
    if (!uts)
        return 0;
    if (sys_copy_in(&ts, uts, sizeof(ts)))
        return -EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NSEC_PER_SEC)
        return -EINVAL;
    if ((uint64_t)ts.tv_sec > (UINT64_MAX - NSEC_PER_SEC) / NSEC_PER_SEC / 2)
        return 0; /* beyond any clock: no deadline */
    t = (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
    if (relative)
        t += now;
    else if (realtime)
        t = t > hal_wallclock_ns() ? now + (t - hal_wallclock_ns()) : 0;
    *out = t > now ? t : 0;
    return 0;
}

/*
 * An interrupted wait returns Linux's code (core/signal/signal.h): -ERESTARTSYS without a
 * timeout (restarted after a SA_RESTART handler), else -ERESTART_RESTARTBLOCK with the same
 * absolute deadline in the restart block (futex_wait_restart), so a restart waits only for
 * the time left. arg: uaddr, val | shared << 32, deadline, bitset.
 */
static long futex_wait_restart(struct uthread_restart *rb);

static long futex_wait_intr(uint64_t uaddr, bool shared, uint32_t val, uint64_t deadline,
                            uint32_t bitset)
{
    long rc = futex_wait(sys_proc(), uaddr, shared, val, deadline, bitset);

    if (rc != -EINTR)
        return rc;
    if (deadline == UINT64_MAX)
        return -ERESTARTSYS;
    return uthread_restart_block(uthread_current(), futex_wait_restart, uaddr,
                                 val | (uint64_t)shared << 32, deadline, bitset);
}

static long futex_wait_restart(struct uthread_restart *rb)
{
    return futex_wait_intr(rb->arg[0], rb->arg[1] >> 32, (uint32_t)rb->arg[1], rb->arg[2],
                           (uint32_t)rb->arg[3]);
}

static bool futex_has_timeout(int cmd)
{
    return cmd == LINUX_FUTEX_WAIT || cmd == LINUX_FUTEX_WAIT_BITSET;
}

long sys_futex(const uint64_t a[6])
{
    int op = (int)a[1], cmd = op & LINUX_FUTEX_CMD_MASK;
    bool shared = !(op & LINUX_FUTEX_PRIVATE_FLAG), rt = op & LINUX_FUTEX_CLOCK_REALTIME;
    struct proc *p = sys_proc();
    uint64_t deadline = UINT64_MAX;
    long rc;

    if (rt && cmd != LINUX_FUTEX_WAIT_BITSET && cmd != LINUX_FUTEX_WAIT_REQUEUE_PI &&
        cmd != LINUX_FUTEX_LOCK_PI2)
        return -ENOSYS;
    if (futex_has_timeout(cmd)) {
        rc = futex_deadline(a[3], cmd == LINUX_FUTEX_WAIT, rt, &deadline);
        if (rc)
            return rc;
    }
    switch (cmd) {
    case LINUX_FUTEX_WAIT:
        return futex_wait_intr(a[0], shared, (uint32_t)a[2], deadline,
                               LINUX_FUTEX_BITSET_MATCH_ANY);
    case LINUX_FUTEX_WAIT_BITSET:
        return futex_wait_intr(a[0], shared, (uint32_t)a[2], deadline, (uint32_t)a[5]);
    case LINUX_FUTEX_WAKE:
        return futex_wake(p, a[0], shared, (int)a[2], LINUX_FUTEX_BITSET_MATCH_ANY);
    case LINUX_FUTEX_WAKE_BITSET:
        return futex_wake(p, a[0], shared, (int)a[2], (uint32_t)a[5]);
    case LINUX_FUTEX_REQUEUE:
    case LINUX_FUTEX_CMP_REQUEUE:
        return futex_requeue(p, a[0], shared, (int)a[2], (int)(uint32_t)a[3], a[4],
                             cmd == LINUX_FUTEX_CMP_REQUEUE, (uint32_t)a[5]);
    case LINUX_FUTEX_WAKE_OP:
        return futex_wake_op(p, a[0], shared, (int)a[2], (int)(uint32_t)a[3], a[4], (uint32_t)a[5]);
    default:
        return -ENOSYS; /* FUTEX_FD (gone from Linux), the PI operations, unknown ones */
    }
}

/* get_robust_list(pid, head_ptr, len_ptr): the list a thread of the process registered (musl
 * checks with it that robust mutexes are supported). Linux writes the length first. */
long sys_get_robust_list(const uint64_t a[6])
{
    struct uthread *ut;
    uint64_t head, len = sizeof(struct linux_robust_list_head);
    long rc = sched_target(a[0], false, &ut);

    if (rc)
        return rc;
    head = ut->robust_list;
    uthread_put(ut);
    if (sys_copy_out(a[2], &len, sizeof(len)) || sys_copy_out(a[1], &head, sizeof(head)))
        return -EFAULT;
    return 0;
}
