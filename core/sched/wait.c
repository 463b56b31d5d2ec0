/*
 * wait.c - wait queues, sleeping, and mutexes built on them.
 *
 * The lost-wakeup race ("check the condition, then sleep" while a waker changes it in
 * between) is closed by the queue's lock: the sleeper checks its condition and enqueues
 * itself under wq->lock, and sched_block() marks it BLOCKED under the CPU lock before
 * wq->lock is dropped. A waker takes wq->lock, unlinks the waiter and then needs the CPU
 * lock, which the sleeper holds until its switch is complete. So a wakeup either comes
 * before the check (the sleeper sees the new condition) or finds the sleeper on the queue.
 *
 * A deadline is the thread's own timer (thread.timeout). Timeout and wakeup race for
 * wq->lock; whichever unlinks the thread first decides the result, the other finds it
 * gone. The sleeper cancels its timer after waking, on its own CPU with interrupts still
 * disabled, so the timer cannot fire late into a later wait.
 *
 * Mutexes hand ownership to the first waiter at unlock (FIFO handoff): a running thread can
 * never barge past a woken one, so every waiter gets the mutex after at most the waiters
 * ahead of it.
 */
#include "core/sched/sched_internal.h"

#include "core/lib/log.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"

void wq_init(struct wait_queue *wq, const char *name)
{
    spin_init(&wq->lock, name);
    list_init(&wq->waiters);
}

/* With wq->lock held: t leaves wq and becomes runnable. */
static void wake_thread(struct thread *t, bool timeout)
{
    list_remove(&t->rq_node);
    __atomic_store_n(&t->waiting_on, NULL, __ATOMIC_RELEASE);
    t->woken_by_timeout = timeout;
    sched_make_runnable(t);
}

/* The waiter's deadline passed (interrupt context, on the waiter's CPU). */
static void wait_timeout(struct timer *tm, void *arg)
{
    struct thread *t = arg;
    struct wait_queue *wq = __atomic_load_n(&t->waiting_on, __ATOMIC_ACQUIRE);
    uint64_t tok;

    if (!wq)
        return;
    tok = spin_lock_irqsave(&wq->lock);
    if (t->waiting_on == wq)
        wake_thread(t, true);
    spin_unlock_irqrestore(&wq->lock, tok);
}

int wq_wait_locked(struct wait_queue *wq, uint64_t *irq_token, uint64_t deadline_ns)
{
    struct thread *cur = thread_current();
    bool timed = deadline_ns != UINT64_MAX;

    KASSERT(cur != NULL);
    KASSERT(spin_is_locked(&wq->lock));
    if (timed && deadline_ns <= hal_clock_ns())
        return -ETIMEDOUT;
    cur->woken_by_timeout = false;
    cur->waiting_on = wq;
    list_push_back(&wq->waiters, &cur->rq_node);
    if (timed) {
        timer_init(&cur->timeout, wait_timeout, cur);
        timer_arm(&cur->timeout, deadline_ns);
    }
    sched_block(wq); /* releases wq->lock; returns woken, interrupts disabled */
    if (timed)
        timer_cancel(&cur->timeout);
    (void)spin_lock_irqsave(&wq->lock); /* interrupts are off: the caller's token stands */
    (void)irq_token;
    return cur->woken_by_timeout ? -ETIMEDOUT : 0;
}

int wq_wait(struct wait_queue *wq, uint64_t deadline_ns)
{
    uint64_t tok = spin_lock_irqsave(&wq->lock);
    int rc = wq_wait_locked(wq, &tok, deadline_ns);

    spin_unlock_irqrestore(&wq->lock, tok);
    return rc;
}

int wq_wake_one_locked(struct wait_queue *wq)
{
    struct list_node *n = list_first(&wq->waiters);

    if (!n)
        return 0;
    wake_thread(container_of(n, struct thread, rq_node), false);
    return 1;
}

int wq_wake_all_locked(struct wait_queue *wq)
{
    int woken = 0;

    while (wq_wake_one_locked(wq))
        woken++;
    return woken;
}

int wq_wake_one(struct wait_queue *wq)
{
    uint64_t tok = spin_lock_irqsave(&wq->lock);
    int woken = wq_wake_one_locked(wq);

    spin_unlock_irqrestore(&wq->lock, tok);
    return woken;
}

int wq_wake_all(struct wait_queue *wq)
{
    uint64_t tok = spin_lock_irqsave(&wq->lock);
    int woken = wq_wake_all_locked(wq);

    spin_unlock_irqrestore(&wq->lock, tok);
    return woken;
}

/* --- sleeping ------------------------------------------------------------------------------ */

void sched_sleep_until(uint64_t deadline_ns)
{
    struct wait_queue wq;
    uint64_t tok;

    wq_init(&wq, "sleep");
    tok = spin_lock_irqsave(&wq.lock);
    while (hal_clock_ns() < deadline_ns)
        wq_wait_locked(&wq, &tok, deadline_ns);
    spin_unlock_irqrestore(&wq.lock, tok);
}

void sched_sleep_ns(uint64_t ns)
{
    uint64_t now = hal_clock_ns();

    sched_sleep_until(ns > UINT64_MAX - 1 - now ? UINT64_MAX - 1 : now + ns);
}

/* --- mutexes ------------------------------------------------------------------------------- */

void mutex_init(struct mutex *m, const char *name)
{
    m->owner = NULL;
    wq_init(&m->wq, name);
}

void mutex_lock(struct mutex *m)
{
    struct thread *cur = thread_current();
    uint64_t tok;

    KASSERT(cur != NULL);
    tok = spin_lock_irqsave(&m->wq.lock);
    if (m->owner == cur)
        panic("mutex %s: locked twice by thread %d (%s)", m->wq.lock.name, cur->tid, cur->name);
    if (!m->owner)
        m->owner = cur;
    while (m->owner != cur) /* unlock hands the mutex over before waking us */
        wq_wait_locked(&m->wq, &tok, UINT64_MAX);
    spin_unlock_irqrestore(&m->wq.lock, tok);
}

bool mutex_trylock(struct mutex *m)
{
    struct thread *cur = thread_current();
    uint64_t tok;
    bool ok;

    KASSERT(cur != NULL);
    tok = spin_lock_irqsave(&m->wq.lock);
    ok = m->owner == NULL;
    if (ok)
        m->owner = cur;
    spin_unlock_irqrestore(&m->wq.lock, tok);
    return ok;
}

void mutex_unlock(struct mutex *m)
{
    struct thread *cur = thread_current();
    uint64_t tok = spin_lock_irqsave(&m->wq.lock);
    struct list_node *first;

    if (!cur || m->owner != cur) {
        struct thread *owner = m->owner;

        spin_unlock_irqrestore(&m->wq.lock, tok);
        panic("mutex %s: unlocked by thread %d, owner is thread %d", m->wq.lock.name,
              cur ? cur->tid : 0, owner ? owner->tid : 0);
    }
    first = list_first(&m->wq.waiters);
    m->owner = first ? container_of(first, struct thread, rq_node) : NULL;
    wq_wake_one_locked(&m->wq);
    spin_unlock_irqrestore(&m->wq.lock, tok);
}

bool mutex_is_held(struct mutex *m)
{
    struct thread *cur = thread_current();

    return cur != NULL && __atomic_load_n(&m->owner, __ATOMIC_ACQUIRE) == cur;
}
