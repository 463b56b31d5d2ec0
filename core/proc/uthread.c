/*
 * uthread.c - the threads of a process: tids, the thread list, binding user threads to
 * kernel threads, thread exit and group exit.
 *
 * A user thread is a struct uthread (proc.h) run by one kernel thread (struct thread.ut
 * points back). The process keeps its live threads on p->threads under p->tlock, a spinlock,
 * so signal senders and timers can walk the list from any context. The main thread's
 * uthread is embedded in the process: its tid is the pid and stays reserved until the
 * process ends (Linux keeps the group leader as a zombie the same way). Other uthreads are
 * allocated by uthread_create and freed when their last reference goes: the list holds one
 * while the thread is live, proc_find_thread hands out more.
 *
 * Tids: cyclic allocation over 2 .. PROC_TID_MAX - 1 from a bitmap, starting after the last
 * one given (Linux's order: a tid is not reused while its thread lives, and not soon after).
 *
 * The end:
 *   exit        -> uthread_exit: exit actions (clear_child_tid), leave the list, and
 *                  thread_exit; the last live thread ends the process instead (proc_exit)
 *   exit_group  -> proc_exit_group: p->exiting, the others are woken; each ends in
 *                  uthread_return_check at its next kernel boundary; proc_exit ends the machine
 *   execve      -> proc_exec_single: p->exec_by, the others are woken and end (as in a group
 *                  exit, with their exit actions, in the old address space); the caller waits
 *                  until it is the only thread and takes the pid as its tid (Linux's de_thread)
 */
#include "core/abi/sched.h"
#include "core/lib/alloc.h"
#include "core/lib/bitmap.h"
#include "core/lib/kstring.h"
#include "core/mm/uaccess.h"
#include "core/proc/proc.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"

#define GROUP_EXIT_WAIT_NS 1000000000ULL /* at most 1 s for the others to leave the kernel */
#define EXEC_POLL_NS 10000000ULL         /* execve re-checks its wait for the others this often */

/* With p->tlock held: a free tid, marked used, or -EAGAIN. */
static int tid_alloc(struct proc *p)
{
    const size_t lo = PROC_PID + 1;
    size_t start = p->next_tid > (int)lo && p->next_tid < PROC_TID_MAX ? (size_t)p->next_tid : lo;
    size_t tid = bitmap_find_next_clear(p->tid_used, PROC_TID_MAX, start);

    if (tid >= PROC_TID_MAX)
        tid = bitmap_find_next_clear(p->tid_used, PROC_TID_MAX, lo);
    if (tid >= PROC_TID_MAX)
        return -EAGAIN;
    bitmap_set(p->tid_used, tid);
    p->next_tid = (int)tid + 1;
    return (int)tid;
}

/* A uthread's fields at birth; tid and list membership are the caller's. */
static void uthread_init_fields(struct uthread *ut, struct proc *p)
{
    memset(ut, 0, sizeof(*ut));
    list_node_init(&ut->node);
    ut->proc = p;
    ut->refs = 1; /* the list's */
    ut->call.nr = -1;
    ut->orig_rax = -1;
    list_init(&ut->sigpending.q);
    ut->sched_policy = LINUX_SCHED_NORMAL;
}

void proc_sigpending_flush(struct proc *p, struct proc_sigpending *sp)
{
    for (;;) {
        uint64_t tok = spin_lock_irqsave(&p->tlock);
        struct list_node *n = list_pop_front(&sp->q);

        if (n)
            p->sigqueued--;
        else
            sp->set = 0;
        spin_unlock_irqrestore(&p->tlock, tok);
        if (!n)
            return;
        struct proc_sigq *e = container_of(n, struct proc_sigq, node);
        if (e->notify)
            e->notify(e->arg, NULL);
        kfree(e);
    }
}

void proc_threads_init(struct proc *p)
{
    spin_init(&p->tlock, "proc threads");
    list_init(&p->threads);
    bitmap_zero(p->tid_used, PROC_TID_MAX);
    bitmap_set(p->tid_used, 0);
    bitmap_set(p->tid_used, PROC_PID);
    p->next_tid = PROC_PID + 1;
    list_init(&p->sigpending.q);
    uthread_init_fields(&p->main, p);
    p->main.tid = p->pid;
    list_push_back(&p->threads, &p->main.node);
    p->nthreads = 1;
    wq_init(&p->exit_wq, "group exit");
}

/* With p->tlock held: ut leaves the live threads (its tid is free again, but the pid). */
static void thread_unlink(struct proc *p, struct uthread *ut)
{
    list_remove(&ut->node);
    list_node_init(&ut->node);
    p->nthreads--;
    ut->exited = true;
    ut->thread = NULL;
    if (ut->tid != p->pid) /* the pid stays reserved while the process lives */
        bitmap_clear(p->tid_used, (size_t)ut->tid);
}

void proc_threads_destroy(struct proc *p)
{
    struct list_node *n;

    while ((n = list_pop_front(&p->threads)) != NULL) {
        struct uthread *ut = container_of(n, struct uthread, node);

        if (ut->thread && ut->thread->ut == ut)
            ut->thread->ut = NULL;
        proc_sigpending_flush(p, &ut->sigpending);
        if (ut != &p->main)
            kfree(ut);
    }
    if (p->main.thread && p->main.thread->ut == &p->main)
        p->main.thread->ut = NULL;
    proc_sigpending_flush(p, &p->main.sigpending);
    proc_sigpending_flush(p, &p->sigpending);
    kfree(p->sigq_spare);
    p->sigq_spare = NULL;
}

struct uthread *uthread_create(struct proc *p, int *err)
{
    struct uthread *ut = kmalloc(sizeof(*ut));
    uint64_t tok;
    int tid;

    if (!ut) {
        *err = -ENOMEM;
        return NULL;
    }
    uthread_init_fields(ut, p);
    tok = spin_lock_irqsave(&p->tlock);
    tid = p->exiting || p->exec_by ? -EAGAIN : tid_alloc(p);
    if (tid > 0) {
        ut->tid = tid;
        list_push_back(&p->threads, &ut->node);
        p->nthreads++;
        p->multi = true;
    }
    spin_unlock_irqrestore(&p->tlock, tok);
    if (tid < 0) {
        kfree(ut);
        *err = tid;
        return NULL;
    }
    return ut;
}

void uthread_bind(struct uthread *ut, struct thread *t)
{
    uint64_t tok;

    if (!t)
        t = thread_current();
    tok = spin_lock_irqsave(&ut->proc->tlock);
    ut->thread = t;
    spin_unlock_irqrestore(&ut->proc->tlock, tok);
    t->ut = ut;
    thread_set_cpu_group(t, &ut->proc->cputime);
    if (t == thread_current())
        vm_activate(ut->proc->vm);
}

void uthread_discard(struct uthread *ut)
{
    struct proc *p = ut->proc;
    uint64_t tok = spin_lock_irqsave(&p->tlock);

    thread_unlink(p, ut);
    spin_unlock_irqrestore(&p->tlock, tok);
    uthread_put(ut);
}

int proc_attach(struct proc *p, struct thread *t)
{
    struct uthread *ut = NULL;
    uint64_t tok;
    int err;

    if (!t)
        t = thread_current();
    tok = spin_lock_irqsave(&p->tlock);
    PROC_FOR_EACH_THREAD(p, u)
    {
        if (u->thread == t) {
            ut = u;
            break;
        }
    }
    if (!ut && !p->main.thread && !p->main.exited)
        ut = &p->main;
    spin_unlock_irqrestore(&p->tlock, tok);
    if (!ut && !(ut = uthread_create(p, &err)))
        return err;
    uthread_bind(ut, t);
    return 0;
}

void proc_detach(struct thread *t)
{
    struct uthread *ut;
    struct proc *p;
    uint64_t tok;
    bool drop = false, others = false;

    if (!t)
        t = thread_current();
    ut = t->ut;
    if (!ut)
        return;
    p = ut->proc;
    tok = spin_lock_irqsave(&p->tlock);
    if (ut->thread == t) {
        ut->thread = NULL;
        if (ut != &p->main && !ut->exited) {
            thread_unlink(p, ut);
            drop = true;
        }
    }
    PROC_FOR_EACH_THREAD(p, u)
    {
        if (u->thread)
            others = true;
    }
    spin_unlock_irqrestore(&p->tlock, tok);
    /* The address space is the CPU's: it stays while other threads of p may run on it. */
    if (t == thread_current() && !others)
        vm_activate(NULL);
    t->ut = NULL;
    thread_set_cpu_group(t, NULL);
    if (drop)
        uthread_put(ut);
}

struct uthread *proc_find_thread(struct proc *p, int tid)
{
    struct uthread *found = NULL;
    uint64_t tok = spin_lock_irqsave(&p->tlock);

    PROC_FOR_EACH_THREAD(p, ut)
    {
        if (ut->tid == tid) {
            found = ut;
            found->refs++;
            break;
        }
    }
    spin_unlock_irqrestore(&p->tlock, tok);
    return found;
}

void uthread_get(struct uthread *ut)
{
    uint64_t tok = spin_lock_irqsave(&ut->proc->tlock);

    ut->refs++;
    spin_unlock_irqrestore(&ut->proc->tlock, tok);
}

void uthread_put(struct uthread *ut)
{
    struct proc *p = ut->proc;
    uint64_t tok = spin_lock_irqsave(&p->tlock);
    bool last = --ut->refs == 0;

    spin_unlock_irqrestore(&p->tlock, tok);
    if (last && ut != &p->main) {
        proc_sigpending_flush(p, &ut->sigpending);
        kfree(ut);
    }
}

unsigned proc_thread_count(struct proc *p)
{
    uint64_t tok = spin_lock_irqsave(&p->tlock);
    unsigned n = p->nthreads;

    spin_unlock_irqrestore(&p->tlock, tok);
    return n;
}

/* --- the end ------------------------------------------------------------------------------- */

/* What a thread does on its way out while the process lives on (Linux's exit_mm and
 * mm_release): its robust locks are marked FUTEX_OWNER_DIED, then the clear_child_tid word
 * is zeroed and one waiter woken (a shared wake, as Linux; pthread_join waits there). Faults
 * are ignored, as on Linux. */
static void uthread_exit_actions(struct uthread *ut)
{
    uint32_t zero = 0;
    uint64_t ctid = ut->clear_child_tid;

    futex_exit_robust(ut);
    ut->clear_child_tid = 0;
    if (ctid) {
        (void)copy_to_user(uptr_make(ctid), &zero, sizeof(zero));
        (void)futex_wake(ut->proc, ctid, true, 1, LINUX_FUTEX_BITSET_MATCH_ANY);
    }
}

void uthread_exit(int code)
{
    struct thread *t = thread_current();
    struct uthread *ut = t->ut;
    struct proc *p = ut->proc;
    uint64_t tok;
    bool last;

    tok = spin_lock_irqsave(&p->tlock);
    last = p->nthreads == 1;
    spin_unlock_irqrestore(&p->tlock, tok);
    if (last)
        proc_exit(p, code); /* the process ends with its last thread */
    uthread_exit_actions(ut);
    tok = spin_lock_irqsave(&p->tlock);
    last = p->nthreads == 1; /* another thread may have ended meanwhile */
    if (!last)
        thread_unlink(p, ut);
    spin_unlock_irqrestore(&p->tlock, tok);
    if (last)
        proc_exit(p, code);
    t->ut = NULL;
    uthread_put(ut);
    wq_wake_all(&p->exit_wq); /* a group exit may wait for this thread */
    thread_exit(code);
}

/* With p->tlock held: every other live thread is out of the kernel (or never ran). */
static bool others_out(struct proc *p, const struct uthread *self)
{
    PROC_FOR_EACH_THREAD(p, ut)
    {
        if (ut != self && ut->thread && __atomic_load_n(&ut->call.nr, __ATOMIC_RELAXED) != -1)
            return false;
    }
    return true;
}

/*
 * Wake every other thread from interruptible waits and wait (at most GROUP_EXIT_WAIT_NS)
 * until none is inside a syscall: each ends at its kernel boundary (uthread_return_check).
 * Threads running in user mode touch no kernel state; they end at their next entry.
 */
static void stop_others(struct proc *p, struct uthread *self)
{
    uint64_t deadline = hal_clock_ns() + GROUP_EXIT_WAIT_NS, tok;
    bool done;

    tok = spin_lock_irqsave(&p->tlock);
    PROC_FOR_EACH_THREAD(p, ut)
    {
        if (ut != self && ut->thread)
            thread_interrupt(ut->thread);
    }
    spin_unlock_irqrestore(&p->tlock, tok);
    for (;;) {
        uint64_t t2 = spin_lock_irqsave(&p->exit_wq.lock);

        tok = spin_lock_irqsave(&p->tlock);
        done = others_out(p, self);
        spin_unlock_irqrestore(&p->tlock, tok);
        if (done || wq_wait_locked(&p->exit_wq, &t2, deadline) == -ETIMEDOUT) {
            spin_unlock_irqrestore(&p->exit_wq.lock, t2);
            return;
        }
        spin_unlock_irqrestore(&p->exit_wq.lock, t2);
    }
}

void proc_exit_group(struct proc *p, int status)
{
    uint64_t tok = spin_lock_irqsave(&p->tlock);
    bool second = p->exiting;

    if (!second) {
        p->exiting = true;
        p->exit_status = status;
    }
    spin_unlock_irqrestore(&p->tlock, tok);
    if (second)
        uthread_exit(status); /* the first caller ends the process */
    stop_others(p, uthread_current());
    proc_exit(p, status);
}

void uthread_return_check(void)
{
    struct uthread *ut = uthread_current();
    struct proc *p = ut ? ut->proc : NULL;
    uint64_t tok;
    bool exiting;
    int status;

    if (!p || !uthread_leaving(ut))
        return; /* the common case, without the lock: the flags are set once, under it */
    tok = spin_lock_irqsave(&p->tlock);
    exiting = p->exiting || (p->exec_by && p->exec_by != ut);
    status = p->exiting ? p->exit_status : 0;
    spin_unlock_irqrestore(&p->tlock, tok);
    if (exiting)
        uthread_exit(status);
}

/* --- execve: the caller becomes the only thread ----------------------------------------------- */

/* With p->tlock held: wake every other live thread out of interruptible waits. */
static void interrupt_others_locked(struct proc *p, const struct uthread *self)
{
    PROC_FOR_EACH_THREAD(p, ut)
    {
        if (ut != self && ut->thread)
            thread_interrupt(ut->thread);
    }
}

/* Wait until self is p's only live thread, or the group exits (then self ends). */
static void wait_alone(struct proc *p, struct uthread *self)
{
    for (;;) {
        uint64_t t2 = spin_lock_irqsave(&p->exit_wq.lock), tok;
        bool alone, exiting;

        tok = spin_lock_irqsave(&p->tlock);
        alone = p->nthreads == 1;
        exiting = p->exiting;
        if (!alone && !exiting)
            interrupt_others_locked(p, self); /* a thread that started meanwhile */
        spin_unlock_irqrestore(&p->tlock, tok);
        if (alone || exiting) {
            spin_unlock_irqrestore(&p->exit_wq.lock, t2);
            break;
        }
        /* a bounded sleep: a thread woken from an uninterruptible wait leaves on its own */
        (void)wq_wait_locked(&p->exit_wq, &t2, hal_clock_ns() + EXEC_POLL_NS);
        spin_unlock_irqrestore(&p->exit_wq.lock, t2);
    }
    uthread_return_check(); /* an exit_group that came meanwhile ends this thread too */
}

void proc_exec_single(struct proc *p)
{
    struct uthread *self = uthread_current();
    uint64_t tok = spin_lock_irqsave(&p->tlock);
    bool lost = p->exiting || (p->exec_by && p->exec_by != self);

    if (!lost) {
        p->exec_by = self;
        interrupt_others_locked(p, self);
    }
    spin_unlock_irqrestore(&p->tlock, tok);
    if (lost)
        uthread_return_check(); /* an exit_group or another execve won: never returns */
    wait_alone(p, self);
    tok = spin_lock_irqsave(&p->tlock);
    if (self->tid != p->pid) { /* the leader's tid passes to the thread that execs */
        bitmap_clear(p->tid_used, (size_t)self->tid);
        self->tid = p->pid;
    }
    p->exec_by = NULL;
    spin_unlock_irqrestore(&p->tlock, tok);
}
