/*
 * sys_poll.c - poll, ppoll, select, pselect6: decode, wait through fs/poll, write back.
 *
 * Each handler copies its arguments in once (the pollfd array, the three fd_sets, the
 * timeout, the signal mask), validates them in Linux's order, turns descriptors into
 * references to open files, and hands the array to poll_files() (fs/poll/poll.h). The
 * results go back to user memory after the wait: revents for poll, the ready bits for
 * select, and the time left for ppoll/select/pselect6 (as Linux does; not when the timeout
 * was zero, and a failed copy of it does not change the result).
 *
 * Signal masks (ppoll, pselect6): the mask is validated (size LINUX_SIGSET_SIZE, -EINVAL;
 * unreadable, -EFAULT) and installed for the wait with the signal layer's temporary mask
 * (signal_mask_push/pop, core/signal/signal.h): when a signal interrupts the wait, the
 * handler runs with the temporary mask and the old one comes back with rt_sigreturn.
 *
 * Interrupted waits return Linux's codes: -ERESTARTNOHAND (select, pselect6, ppoll, poll
 * without a timeout: restarted only when no handler runs; select and pselect6 have written
 * the time left, so a restart waits for the rest), poll with a timeout
 * -ERESTART_RESTARTBLOCK with its deadline in the restart block.
 */
#include "core/abi/poll.h"
#include "core/abi/signal.h"
#include "core/abi/time.h"
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/signal/signal.h"
#include "core/syscall/sys_internal.h"
#include "fs/poll/epoll.h"
#include "fs/poll/poll.h"
#include "hal/hal_mem.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"

#define NSEC 1000000000ULL

/* poll's and select's readiness classes (Linux's POLLIN_SET, POLLOUT_SET, POLLEX_SET). */
#define SEL_IN (LINUX_EPOLLRDNORM | LINUX_EPOLLRDBAND | LINUX_EPOLLIN | LINUX_EPOLLHUP | \
                LINUX_EPOLLERR)
#define SEL_OUT (LINUX_EPOLLWRBAND | LINUX_EPOLLWRNORM | LINUX_EPOLLOUT | LINUX_EPOLLERR)
#define SEL_EX LINUX_EPOLLPRI

static uint64_t deadline_after(uint64_t ns)
{
    uint64_t now = hal_clock_ns();

    return ns >= UINT64_MAX - 1 - now ? UINT64_MAX - 1 : now + ns;
}

/* A user timespec as a deadline (UINT64_MAX for NULL; 0 for a zero timeout). */
static int timespec_deadline(uint64_t u, uint64_t *deadline)
{
    struct linux_timespec ts;
    uint64_t ns;

    *deadline = UINT64_MAX;
    if (!u)
        return 0;
    sys_fetch_scope(); /* an argument of its own: it may alias another */
    if (sys_copy_in(&ts, u, sizeof(ts)))
        return -EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NSEC)
        return -EINVAL;
    ns = (uint64_t)ts.tv_sec > (UINT64_MAX - NSEC) / NSEC ? UINT64_MAX - 1
                                                            : (uint64_t)ts.tv_sec * NSEC +
                                                                  (uint64_t)ts.tv_nsec;
    *deadline = ns ? deadline_after(ns) : 0;
    return 0;
}

/* Time left until deadline, written back as a timespec (timeval when usec). */
static void time_left_out(uint64_t u, uint64_t deadline, bool usec)
{
    uint64_t now = hal_clock_ns();
    uint64_t left = deadline > now ? deadline - now : 0;
    struct linux_timespec ts = {.tv_sec = (int64_t)(left / NSEC)};

    if (!u || deadline == 0 || deadline == UINT64_MAX)
        return;
    ts.tv_nsec = (int64_t)(left % NSEC);
    if (usec)
        ts.tv_nsec /= 1000; /* struct linux_timeval has the same layout */
    (void)sys_copy_out(u, &ts, sizeof(ts)); /* Linux ignores a failure here */
}

/* --- signal mask hook (see the design note) -------------------------------------------------- */

struct poll_sigmask {
    bool set;
};

/* Read and validate the mask; 0, -EFAULT, -EINVAL. */
static int poll_sigmask_in(uint64_t u, uint64_t size, uint64_t *mask, bool *given)
{
    *given = u != 0;
    if (!u)
        return 0;
    if (size != LINUX_SIGSET_SIZE)
        return -EINVAL;
    sys_fetch_scope(); /* an argument of its own: it may alias another */
    return sys_copy_in(mask, u, sizeof(*mask)) ? -EFAULT : 0;
}

static void poll_sigmask_begin(struct poll_sigmask *s, bool given, uint64_t mask)
{
    s->set = given;
    if (given)
        signal_mask_push(mask);
}

/* An interrupted wait keeps the mask until the handler is set up (uc_sigmask gets the old). */
static void poll_sigmask_end(struct poll_sigmask *s, bool interrupted)
{
    if (s->set)
        signal_mask_pop(interrupted);
}

/* --- poll / ppoll ---------------------------------------------------------------------------- */

static void items_put(struct poll_item *items, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        file_put(items[i].file);
}

/* Copy the pollfds in and look their descriptors up. nval[i]: a bad descriptor. */
static int pollfds_in(uint64_t u, unsigned n, struct linux_pollfd *pfd, struct poll_item *items)
{
    if (n && sys_copy_in(pfd, u, (size_t)n * sizeof(*pfd)))
        return -EFAULT;
    for (unsigned i = 0; i < n; i++) {
        items[i].file = NULL;
        items[i].events = (uint16_t)pfd[i].events;
        if (pfd[i].fd >= 0 && fd_get(&sys_proc()->fds, pfd[i].fd, &items[i].file))
            items[i].file = NULL;
    }
    return 0;
}

static long do_poll(uint64_t ufds, uint64_t nfds, uint64_t deadline)
{
    struct linux_pollfd *pfd;
    struct poll_item *items;
    long rc;
    int nval = 0;

    if (nfds > PROC_NOFILE) /* Linux: more than RLIMIT_NOFILE */
        return -EINVAL;
    pfd = kcalloc(nfds ? nfds : 1, sizeof(*pfd));
    items = kcalloc(nfds ? nfds : 1, sizeof(*items));
    rc = !pfd || !items ? -ENOMEM : pollfds_in(ufds, (unsigned)nfds, pfd, items);
    if (rc == 0) {
        for (unsigned i = 0; i < nfds; i++)
            nval += pfd[i].fd >= 0 && !items[i].file;
        /* a bad descriptor is ready at once (POLLNVAL): no sleeping then */
        rc = poll_files(items, (unsigned)nfds, nval ? 0 : deadline);
        if (rc >= 0) {
            rc += nval;
            for (unsigned i = 0; i < nfds; i++) {
                unsigned r = items[i].revents;

                if (pfd[i].fd >= 0 && !items[i].file)
                    r = LINUX_POLLNVAL;
                pfd[i].revents = (int16_t)r;
            }
            if (nfds && sys_copy_out(ufds, pfd, (size_t)nfds * sizeof(*pfd)))
                rc = -EFAULT;
        }
        items_put(items, (unsigned)nfds);
    }
    kfree(items);
    kfree(pfd);
    return rc;
}

/* An interrupted wait's code for select, pselect6, ppoll and poll without a timeout. */
static long nohand(long rc)
{
    return rc == -EINTR ? -ERESTARTNOHAND : rc;
}

static long poll_restart(struct uthread_restart *rb);

/* poll with a deadline; interrupted: restarted with the same deadline (Linux's
 * do_restart_poll). */
static long poll_until(uint64_t ufds, uint64_t nfds, uint64_t deadline)
{
    long rc = do_poll(ufds, nfds, deadline);

    if (rc != -EINTR)
        return rc;
    return uthread_restart_block(uthread_current(), poll_restart, ufds, nfds, deadline, 0);
}

static long poll_restart(struct uthread_restart *rb)
{
    return poll_until(rb->arg[0], rb->arg[1], rb->arg[2]);
}

long sys_poll(const uint64_t a[6])
{
    int ms = (int)a[2];

    if (ms < 0)
        return nohand(do_poll(a[0], (uint32_t)a[1], UINT64_MAX));
    return poll_until(a[0], (uint32_t)a[1], ms == 0 ? 0 : deadline_after((uint64_t)ms * 1000000ULL));
}

long sys_ppoll(const uint64_t a[6])
{
    struct poll_sigmask sm;
    uint64_t deadline, mask = 0;
    bool given;
    long rc = timespec_deadline(a[2], &deadline);

    if (rc)
        return rc;
    rc = poll_sigmask_in(a[3], a[4], &mask, &given);
    if (rc)
        return rc;
    poll_sigmask_begin(&sm, given, mask);
    rc = nohand(do_poll(a[0], (uint32_t)a[1], deadline));
    poll_sigmask_end(&sm, rc == -ERESTARTNOHAND);
    time_left_out(a[2], deadline, false);
    return rc;
}

/* --- select / pselect6 --------------------------------------------------------------------- */

#define SEL_WORDS (LINUX_FD_SETSIZE / 64)

struct sel_sets {
    uint64_t in[3][SEL_WORDS];  /* read, write, except as given */
    uint64_t out[3][SEL_WORDS]; /* ready bits */
};

static bool sel_bit(const uint64_t *set, int fd)
{
    return set[fd / 64] >> (fd % 64) & 1;
}

/* Copy the three sets in (ubytes each); a NULL set is empty. */
static int sel_sets_in(const uint64_t u[3], size_t ubytes, struct sel_sets *s)
{
    memset(s, 0, sizeof(*s));
    for (int k = 0; k < 3; k++) {
        sys_fetch_scope(); /* three arguments: one set may be passed as two of them */
        if (u[k] && ubytes && sys_copy_in(s->in[k], u[k], ubytes))
            return -EFAULT;
    }
    return 0;
}

/* One item per descriptor named in any set; -EBADF for one that is not open. */
static int sel_items(const struct sel_sets *s, int n, struct poll_item *items, int *fds,
                     unsigned *count)
{
    *count = 0;
    for (int fd = 0; fd < n; fd++) {
        unsigned ev = 0;

        ev |= sel_bit(s->in[0], fd) ? SEL_IN : 0;
        ev |= sel_bit(s->in[1], fd) ? SEL_OUT : 0;
        ev |= sel_bit(s->in[2], fd) ? SEL_EX : 0;
        if (!ev)
            continue;
        if (fd_get(&sys_proc()->fds, fd, &items[*count].file))
            return -EBADF;
        items[*count].events = ev;
        fds[(*count)++] = fd;
    }
    return 0;
}

/* The ready bits of each set; returns their total (Linux counts a descriptor once per set). */
static int sel_results(struct sel_sets *s, const struct poll_item *items, const int *fds,
                       unsigned count)
{
    static const unsigned cls[3] = {SEL_IN, SEL_OUT, SEL_EX};
    int total = 0;

    for (unsigned i = 0; i < count; i++)
        for (int k = 0; k < 3; k++)
            if (sel_bit(s->in[k], fds[i]) && (items[i].revents & cls[k])) {
                s->out[k][fds[i] / 64] |= 1ULL << (fds[i] % 64);
                total++;
            }
    return total;
}

static long do_select(int64_t n, const uint64_t u[3], uint64_t deadline)
{
    struct sel_sets *s;
    struct poll_item *items;
    int *fds;
    unsigned count = 0;
    size_t ubytes;
    long rc;

    if (n < 0 || n > INT32_MAX)
        return -EINVAL;
    if (n > LINUX_FD_SETSIZE) /* Linux: clamped to the descriptor table's size */
        n = LINUX_FD_SETSIZE;
    ubytes = (size_t)(n + 63) / 64 * 8;
    s = kzalloc(sizeof(*s));
    items = kcalloc(LINUX_FD_SETSIZE, sizeof(*items));
    fds = kcalloc(LINUX_FD_SETSIZE, sizeof(*fds));
    rc = !s || !items || !fds ? -ENOMEM : sel_sets_in(u, ubytes, s);
    if (rc == 0)
        rc = sel_items(s, (int)n, items, fds, &count);
    if (rc == 0)
        rc = poll_files(items, count, deadline);
    if (rc >= 0) {
        rc = sel_results(s, items, fds, count);
        for (int k = 0; k < 3; k++)
            if (u[k] && ubytes && sys_copy_out(u[k], s->out[k], ubytes))
                rc = -EFAULT;
    }
    if (items)
        items_put(items, count);
    kfree(fds);
    kfree(items);
    kfree(s);
    return rc;
}

long sys_select(const uint64_t a[6])
{
    const uint64_t u[3] = {a[1], a[2], a[3]};
    uint64_t deadline = UINT64_MAX;
    long rc;

    if (a[4]) {
        struct linux_timeval tv;

        if (sys_copy_in(&tv, a[4], sizeof(tv)))
            return -EFAULT;
        if (tv.tv_sec < 0 || tv.tv_usec < 0)
            return -EINVAL;
        /* Linux normalizes tv_usec >= 1000000 into seconds */
        if ((uint64_t)tv.tv_sec > (UINT64_MAX / 2) / NSEC)
            deadline = UINT64_MAX - 1;
        else if (tv.tv_sec || tv.tv_usec)
            deadline = deadline_after((uint64_t)tv.tv_sec * NSEC + (uint64_t)tv.tv_usec * 1000);
        else
            deadline = 0;
    }
    rc = nohand(do_select((int32_t)a[0], u, deadline));
    time_left_out(a[4], deadline, true);
    return rc;
}

long sys_pselect6(const uint64_t a[6])
{
    const uint64_t u[3] = {a[1], a[2], a[3]};
    struct linux_pselect6_sigmask pack = {0, 0};
    struct poll_sigmask sm;
    uint64_t deadline, mask = 0;
    bool given;
    long rc;

    if (a[5] && sys_copy_in(&pack, a[5], sizeof(pack)))
        return -EFAULT;
    rc = timespec_deadline(a[4], &deadline);
    if (rc)
        return rc;
    rc = poll_sigmask_in(pack.ss, pack.ss_len, &mask, &given);
    if (rc)
        return rc;
    poll_sigmask_begin(&sm, given, mask);
    rc = nohand(do_select((int32_t)a[0], u, deadline));
    poll_sigmask_end(&sm, rc == -ERESTARTNOHAND);
    time_left_out(a[4], deadline, false);
    return rc;
}

/* --- epoll (fs/poll/epoll.h) ---------------------------------------------------------------- */

static long epoll_new(bool cloexec)
{
    struct file *f;
    int fd, rc = epoll_file_create(&f);

    if (rc)
        return rc;
    fd = fd_install(&sys_proc()->fds, 0, f, cloexec);
    if (fd < 0)
        file_put(f);
    return fd;
}

long sys_epoll_create(const uint64_t a[6])
{
    return (int32_t)a[0] <= 0 ? -EINVAL : epoll_new(false);
}

long sys_epoll_create1(const uint64_t a[6])
{
    uint32_t flags = (uint32_t)a[0];

    if (flags & ~(uint32_t)LINUX_EPOLL_CLOEXEC)
        return -EINVAL;
    return epoll_new(flags != 0);
}

long sys_epoll_ctl(const uint64_t a[6])
{
    int op = (int32_t)a[1], fd = (int32_t)a[2];
    struct linux_epoll_event ev = {0, 0};
    struct file *ep, *tf;
    long rc;

    /* Linux copies the event for every op but DEL, before it looks at the descriptors */
    if (op != LINUX_EPOLL_CTL_DEL && sys_copy_in(&ev, a[3], sizeof(ev)))
        return -EFAULT;
    if (fd_get(&sys_proc()->fds, (int32_t)a[0], &ep))
        return -EBADF;
    if (fd_get(&sys_proc()->fds, fd, &tf)) {
        file_put(ep);
        return -EBADF;
    }
    rc = epoll_file_ctl(ep, op, tf, fd, ev.events, ev.data);
    file_put(tf);
    file_put(ep);
    return rc;
}

/* The checks of Linux's do_epoll_wait in its order (descriptor, maxevents, the events
 * range as access_ok sees it: below the user top, not whether it is mapped), then the wait. */
static long do_epoll_wait(int epfd, uint64_t uev, int max, uint64_t deadline)
{
    struct epoll_out out = {.uaddr = uev, .copy_out = sys_copy_out};
    struct file *f;
    long rc;

    if (fd_get(&sys_proc()->fds, epfd, &f))
        return -EBADF;
    if (max <= 0 || max > EPOLL_MAX_EVENTS)
        rc = -EINVAL;
    else if (uev > hal_user_va_max() ||
             (uint64_t)max * sizeof(struct linux_epoll_event) > hal_user_va_max() - uev)
        rc = -EFAULT;
    else if (!epoll_is_file(f))
        rc = -EINVAL;
    else
        rc = epoll_file_wait(f, &out, max, deadline);
    file_put(f);
    return rc;
}

static uint64_t ms_deadline(int ms)
{
    return ms < 0 ? UINT64_MAX : ms == 0 ? 0 : deadline_after((uint64_t)ms * 1000000ULL);
}

long sys_epoll_wait(const uint64_t a[6])
{
    return do_epoll_wait((int32_t)a[0], a[1], (int32_t)a[2], ms_deadline((int32_t)a[3]));
}

/* epoll_pwait and epoll_pwait2: the mask is installed for the wait (poll_sigmask_begin). */
static long epoll_wait_masked(const uint64_t a[6], uint64_t deadline)
{
    struct poll_sigmask sm;
    uint64_t mask = 0;
    bool given;
    long rc;

    sys_fetch_scope(); /* epoll_pwait2: the mask is another argument than the timeout */
    rc = poll_sigmask_in(a[4], a[5], &mask, &given);
    if (rc)
        return rc;
    poll_sigmask_begin(&sm, given, mask);
    rc = do_epoll_wait((int32_t)a[0], a[1], (int32_t)a[2], deadline);
    poll_sigmask_end(&sm, rc == -EINTR); /* epoll is never restarted: plain -EINTR */
    return rc;
}

long sys_epoll_pwait(const uint64_t a[6])
{
    return epoll_wait_masked(a, ms_deadline((int32_t)a[3]));
}

long sys_epoll_pwait2(const uint64_t a[6])
{
    uint64_t deadline;
    long rc = timespec_deadline(a[3], &deadline); /* before the mask, as Linux */

    return rc ? rc : epoll_wait_masked(a, deadline);
}
