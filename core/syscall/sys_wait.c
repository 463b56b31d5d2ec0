/*
 * sys_wait.c - wait4 and waitid for a process that has no children (docs/threads.md "Waiting
 * for children").
 *
 * Petrel runs one process and no fork: nothing is ever a child of it, so every wait ends in
 * -ECHILD once the arguments pass the checks Linux makes first (the host's answers are the
 * expectations of tests/syscall/cases_wait.c):
 *
 *   wait4    options outside WNOHANG|WUNTRACED|WCONTINUED|__WNOTHREAD|__WCLONE|__WALL: -EINVAL;
 *            pid INT_MIN: -ESRCH; otherwise -ECHILD (status and rusage are not written)
 *   waitid   unknown options, or none of WEXITED|WSTOPPED|WCONTINUED: -EINVAL; idtype
 *            P_PID with id <= 0, P_PGID with id < 0, P_PIDFD with id < 0, another idtype:
 *            -EINVAL; P_PIDFD of any descriptor: -EBADF (there are no pidfds); otherwise
 *            -ECHILD. Whatever the result, a non-NULL infop gets si_signo, si_errno,
 *            si_code, si_pid, si_uid and si_status zeroed (-EFAULT when it cannot be
 *            written: that answer wins), as Linux's waitid writes them after the wait.
 */
#include "core/abi/sched.h"
#include "core/abi/signal.h"
#include "core/syscall/sys_internal.h"
#include "hal/hal_errno.h"
#include "hal/hal_mem.h"

#define WAIT4_OPTIONS                                                                              \
    (LINUX_WNOHANG | LINUX_WUNTRACED | LINUX_WCONTINUED | LINUX___WNOTHREAD | LINUX___WCLONE |   \
     LINUX___WALL)
#define WAITID_OPTIONS                                                                             \
    (LINUX_WNOHANG | LINUX_WNOWAIT | LINUX_WEXITED | LINUX_WSTOPPED | LINUX_WCONTINUED |         \
     LINUX___WNOTHREAD | LINUX___WCLONE | LINUX___WALL)

long sys_wait4(const uint64_t a[6])
{
    int32_t pid = (int32_t)a[0];
    uint32_t options = (uint32_t)a[2];

    if (options & ~(uint32_t)WAIT4_OPTIONS)
        return -EINVAL;
    if (pid == INT32_MIN) /* -INT_MIN is no process group */
        return -ESRCH;
    return -ECHILD;
}

/* The wait of waitid, before infop is written: -EINVAL, -EBADF or -ECHILD. */
static long waitid_result(int32_t which, int32_t id, uint32_t options)
{
    struct file *f;

    if ((options & ~(uint32_t)WAITID_OPTIONS) ||
        !(options & (LINUX_WEXITED | LINUX_WSTOPPED | LINUX_WCONTINUED)))
        return -EINVAL;
    switch (which) {
    case LINUX_P_ALL:
        return -ECHILD;
    case LINUX_P_PID:
        return id <= 0 ? -EINVAL : -ECHILD;
    case LINUX_P_PGID:
        return id < 0 ? -EINVAL : -ECHILD;
    case LINUX_P_PIDFD:
        if (id < 0)
            return -EINVAL;
        if (fd_get(&sys_proc()->fds, id, &f) == 0)
            file_put(f); /* a descriptor, but no pidfd: there are none */
        return -EBADF;
    default:
        return -EINVAL;
    }
}

long sys_waitid(const uint64_t a[6])
{
    long rc = waitid_result((int32_t)a[0], (int32_t)a[1], (uint32_t)a[3]);
    struct linux_siginfo zero = {0};
    uint64_t u = a[2];

    if (!u)
        return rc;
    /* Linux checks the whole siginfo against the user half, then stores six fields */
    if (u < hal_user_va_min() || u >= hal_user_va_max() ||
        sizeof(zero) > hal_user_va_max() - u)
        return -EFAULT;
    if (sys_copy_out(u, &zero, 12) || sys_copy_out(u + 16, &zero.u, 12))
        return -EFAULT;
    return rc;
}
