/*
 * wait.c - wait queues, waiters, interrupts, sleeping, and mutexes built on them.
 *
 * A wait queue holds wait entries; a wake calls each entry's function under wq->lock. The
 * usual function (waiter_wake_fn) decides a struct waiter: one sleeping thread, which may have
 * entries on many queues (poll, epoll) or on one (wq_wait, mutexes, joins).
 *
 * Exactly one thing decides a waiter: a wakeup, its deadline (its own timer) or an interrupt
 * (thread_interrupt). All three decide under the lock of the sleeper's CPU, and only while
 * the result is still pending; the losers see it decided and do nothing. A wake function that
 * loses returns 0, so an exclusive wakeup is never spent on a waiter that timed out or was
 * interrupted: wq_wake_key passes it on to the next exclusive entry.
 *
 * The lost-wakeup race ("check the condition, then sleep" while a waker changes it in
 * between) is closed by that result: the sleeper queues its entries first, then checks its
 * condition, then waiter_sleep() looks at the result under the CPU lock and marks the thread
 * BLOCKED under the same lock, only while the result is pending. A waker that changed the
 * condition after the check finds the entry queued and decides the result under the CPU
 * lock: either before the sleeper looks (it does not sleep) or after it is BLOCKED (the waker
 * makes it runnable, and the switch completes first since the sleeper holds the CPU lock
 * until it is off the CPU). wq_wait_locked() keeps the older protocol working: the entry is
 * queued under wq->lock together with the caller's check, so wq->lock may be dropped before
 * the sleep.
 *
 * The deadline timer is armed with interrupts disabled and cancelled on the sleeper's own CPU
 * before interrupts come back, so it never fires into a later wait. An entry stays valid
 * while queued: its owner removes it under wq->lock, which also waits for a wake function
 * that is running on it.
 *
 * Mutexes hand ownership to the first waiter at unlock (FIFO handoff): a running thread can
 * never barge past a woken one, so every waiter gets the mutex after at most the waiters
 * ahead of it. Uncontended, lock and unlock are one compare-and-swap of the owner word each
 * (as Linux's mutex fast path); a thread that must wait sets MUTEX_WAITERS in that word
 * under wq.lock, which makes the owner's unlock take wq.lock and hand over.
 */
#include "core/sched/sched_internal.h"

#include "core/lib/log.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"

void wq_init(struct wait_queue *wq, const char *name)
{
    spin_init(&wq->lock, name);
    list_init(&wq->waiters);
    wq->nshared = 0;
}

void wait_entry_init(struct wait_entry *e, int (*fn)(struct wait_entry *, unsigned), void *arg)
{
    list_node_init(&e->node);
    e->wq = NULL;
    e->exclusive = false;
    e->fn = fn;
    e->arg = arg;
}

void wq_add_locked(struct wait_queue *wq, struct wait_entry *e)
{
    KASSERT(e->wq == NULL);
    list_push_back(&wq->waiters, &e->node);
    if (!e->exclusive)
        wq->nshared++;
    __atomic_store_n(&e->wq, wq, __ATOMIC_RELEASE);
}

void wq_add(struct wait_queue *wq, struct wait_entry *e)
{
    uint64_t tok = spin_lock_irqsave(&wq->lock);

    wq_add_locked(wq, e);
    spin_unlock_irqrestore(&wq->lock, tok);
    sched_pct_point();
}

void wq_remove_locked(struct wait_entry *e)
{
    struct wait_queue *wq = e->wq;

    KASSERT(wq != NULL);
    list_remove(&e->node);
    if (!e->exclusive)
        wq->nshared--;
    __atomic_store_n(&e->wq, NULL, __ATOMIC_RELEASE);
}

void wq_remove(struct wait_entry *e)
{
    struct wait_queue *wq = __atomic_load_n(&e->wq, __ATOMIC_ACQUIRE);
    uint64_t tok;

    if (!wq) /* only its owner queues it: a NULL seen here stays NULL */
        return;
    tok = spin_lock_irqsave(&wq->lock);
    if (e->wq == wq) /* a wake function may have removed it meanwhile */
        wq_remove_locked(e);
    spin_unlock_irqrestore(&wq->lock, tok);
    sched_pct_point();
}

int wq_wake_key_locked(struct wait_queue *wq, unsigned key, int nr_exclusive)
{
    unsigned shared_left = wq->nshared; /* shared entries still ahead */
    bool spent = false;                 /* nr_exclusive exclusive entries woke */
    int woken = 0;

    list_for_each_safe(&wq->waiters, n, tmp)
    {
        struct wait_entry *e = container_of(n, struct wait_entry, node);
        bool excl = e->exclusive; /* read first: fn may remove e */
        int r;

        if (!excl)
            shared_left--;
        else if (spent)
            continue;
        r = e->fn(e, key);
        woken += r;
        if (r && excl && nr_exclusive > 0 && --nr_exclusive == 0)
            spent = true;
        if (spent && shared_left == 0)
            break;
    }
    return woken;
}

int wq_wake_key(struct wait_queue *wq, unsigned key, int nr_exclusive)
{
    uint64_t tok = spin_lock_irqsave(&wq->lock);
    int woken = wq_wake_key_locked(wq, key, nr_exclusive);

    spin_unlock_irqrestore(&wq->lock, tok);
    sched_pct_point(); /* the woken thread may run before the waker goes on */
    return woken;
}

int wq_wake_one_locked(struct wait_queue *wq)
{
    return wq_wake_key_locked(wq, ~0u, 1);
}

int wq_wake_all_locked(struct wait_queue *wq)
{
    return wq_wake_key_locked(wq, ~0u, 0);
}

int wq_wake_one(struct wait_queue *wq)
{
    return wq_wake_key(wq, ~0u, 1);
}

int wq_wake_all(struct wait_queue *wq)
{
    return wq_wake_key(wq, ~0u, 0);
}

/* --- waiters ------------------------------------------------------------------------------- */

/* With w->t's CPU lock held: decide w if it is still pending, and wake its thread if it
 * sleeps in w. Returns 1 if this call decided it. */
static int waiter_decide_locked(struct waiter *w, int result)
{
    struct thread *t = w->t;

    if (w->result != WAITER_PENDING)
        return 0;
    w->result = result;
    if (t->sleep == w) {
        t->sleep = NULL;
        sched_make_runnable_locked(thread_cpu(t), t);
    }
    return 1;
}

static int waiter_decide(struct waiter *w, int result)
{
    struct cpu *c = thread_cpu(w->t);
    uint64_t tok = spin_lock_irqsave(&c->lock);
    int r = waiter_decide_locked(w, result);

    spin_unlock_irqrestore(&c->lock, tok);
    return r;
}

/* The deadline passed (interrupt context, on the sleeper's CPU). */
static void waiter_timeout(struct timer *tm, void *arg)
{
    (void)tm;
    waiter_decide(arg, WAITER_TIMEDOUT);
}

void waiter_init(struct waiter *w)
{
    w->t = thread_current();
    KASSERT(w->t != NULL);
    w->result = WAITER_PENDING;
    w->interruptible = false;
    w->name = "waiter";
    timer_init(&w->timeout, waiter_timeout, w);
}

void waiter_reset(struct waiter *w)
{
    struct cpu *c = thread_cpu(w->t);
    uint64_t tok = spin_lock_irqsave(&c->lock);

    w->result = WAITER_PENDING;
    spin_unlock_irqrestore(&c->lock, tok);
}

int waiter_wake(struct waiter *w)
{
    return waiter_decide(w, WAITER_WOKEN);
}

int waiter_wake_fn(struct wait_entry *e, unsigned key)
{
    (void)key;
    return waiter_wake(e->arg);
}

int waiter_result(const struct waiter *w)
{
    return __atomic_load_n(&w->result, __ATOMIC_ACQUIRE);
}

static int result_errno(int result)
{
    switch (result) {
    case WAITER_TIMEDOUT:
        return -ETIMEDOUT;
    case WAITER_INTERRUPTED:
        return -EINTR;
    default:
        return 0;
    }
}

/* With c->lock held: decide w before sleeping if it is already over. */
static void waiter_decide_early(struct waiter *w, uint64_t deadline_ns, bool intr)
{
    if (w->result != WAITER_PENDING)
        return;
    if (intr && w->t->interrupted)
        w->result = WAITER_INTERRUPTED;
    else if (deadline_ns != UINT64_MAX && deadline_ns <= hal_clock_ns())
        w->result = WAITER_TIMEDOUT;
}

int waiter_sleep(struct waiter *w, uint64_t deadline_ns, bool interruptible)
{
    bool timed = deadline_ns != UINT64_MAX;
    uint64_t irq, tok;
    struct cpu *c;
    int result;

    sched_pct_point(); /* a wake may slip in between the caller's check and the sleep */
    irq = hal_irq_save(); /* the timer cannot fire before we are asleep */
    c = cpu_this();

    KASSERT(w->t == c->current);
    if (timed)
        timer_arm(&w->timeout, deadline_ns);
    tok = spin_lock_irqsave(&c->lock);
    waiter_decide_early(w, deadline_ns, interruptible);
    if (w->result == WAITER_PENDING) {
        w->interruptible = interruptible;
        w->t->sleep = w;
        sched_block_current(c, tok); /* returns decided, c->lock released */
    } else {
        spin_unlock_irqrestore(&c->lock, tok);
    }
    if (timed)
        timer_cancel(&w->timeout);
    result = w->result;
    hal_irq_restore(irq);
    return result_errno(result);
}

/* --- interrupts ---------------------------------------------------------------------------- */

void thread_interrupt(struct thread *t)
{
    struct cpu *c;
    uint64_t tok;

    /* The caller's own thread runs, so it sleeps in no waiter: the flag alone (its next
     * waiter_sleep reads it under its CPU lock, after this store in program order). */
    if (t == thread_current()) {
        __atomic_store_n(&t->interrupted, true, __ATOMIC_RELEASE);
        sched_pct_point();
        return;
    }
    c = thread_cpu(t);
    tok = spin_lock_irqsave(&c->lock);
    __atomic_store_n(&t->interrupted, true, __ATOMIC_RELEASE);
    if (t->state == THREAD_BLOCKED && t->sleep && t->sleep->interruptible)
        waiter_decide_locked(t->sleep, WAITER_INTERRUPTED);
    spin_unlock_irqrestore(&c->lock, tok);
    sched_pct_point();
}

void thread_clear_interrupt(struct thread *t)
{
    struct cpu *c;
    uint64_t tok;

    if (t == thread_current()) { /* running: nothing decides a waiter of it meanwhile */
        __atomic_store_n(&t->interrupted, false, __ATOMIC_RELEASE);
        return;
    }
    c = thread_cpu(t);
    tok = spin_lock_irqsave(&c->lock);
    __atomic_store_n(&t->interrupted, false, __ATOMIC_RELEASE);
    spin_unlock_irqrestore(&c->lock, tok);
}

/* --- single-queue waits -------------------------------------------------------------------- */

/* A wq_wait entry leaves the queue as soon as it wins, so the next wake looks further. */
static int wq_wait_wake_fn(struct wait_entry *e, unsigned key)
{
    int r = waiter_wake_fn(e, key);

    if (r)
        wq_remove_locked(e);
    return r;
}

static int wq_wait_common(struct wait_queue *wq, uint64_t deadline_ns, bool intr)
{
    struct waiter w;
    struct wait_entry e;
    int rc;

    KASSERT(spin_is_locked(&wq->lock));
    waiter_init(&w);
    w.name = wq->lock.name;
    wait_entry_init(&e, wq_wait_wake_fn, &w);
    e.exclusive = true;
    wq_add_locked(wq, &e);
    spin_unlock_irqrestore(&wq->lock, hal_irq_save()); /* interrupts stay disabled */
    rc = waiter_sleep(&w, deadline_ns, intr);
    (void)spin_lock_irqsave(&wq->lock); /* interrupts are off: the caller's token stands */
    if (e.wq)                           /* timed out or interrupted: still queued */
        wq_remove_locked(&e);
    return rc;
}

int wq_wait_locked(struct wait_queue *wq, uint64_t *irq_token, uint64_t deadline_ns)
{
    (void)irq_token;
    return wq_wait_common(wq, deadline_ns, false);
}

int wq_wait_locked_intr(struct wait_queue *wq, uint64_t *irq_token, uint64_t deadline_ns)
{
    (void)irq_token;
    return wq_wait_common(wq, deadline_ns, true);
}

int wq_wait(struct wait_queue *wq, uint64_t deadline_ns)
{
    uint64_t tok;
    int rc;

    sched_pct_point(); /* between the caller's unlocked check (if any) and the sleep */
    tok = spin_lock_irqsave(&wq->lock);
    rc = wq_wait_locked(wq, &tok, deadline_ns);

    spin_unlock_irqrestore(&wq->lock, tok);
    return rc;
}

int wq_wait_intr(struct wait_queue *wq, uint64_t deadline_ns)
{
    uint64_t tok;
    int rc;

    sched_pct_point(); /* between the caller's unlocked check (if any) and the sleep */
    tok = spin_lock_irqsave(&wq->lock);
    rc = wq_wait_locked_intr(wq, &tok, deadline_ns);

    spin_unlock_irqrestore(&wq->lock, tok);
    return rc;
}

/* --- sleeping ------------------------------------------------------------------------------ */

void sched_sleep_until(uint64_t deadline_ns)
{
    struct waiter w;

    waiter_init(&w);
    w.name = "sleep";
    while (waiter_sleep(&w, deadline_ns, false) == 0) /* nobody wakes it: only the deadline */
        waiter_reset(&w);
}

int sched_sleep_until_intr(uint64_t deadline_ns)
{
    struct waiter w;
    int rc;

    waiter_init(&w);
    w.name = "sleep";
    while ((rc = waiter_sleep(&w, deadline_ns, true)) == 0)
        waiter_reset(&w);
    return rc == -ETIMEDOUT ? 0 : rc;
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

#define OWNER_BITS(p) ((uintptr_t)(p))
#define OWNER_OF(w) ((struct thread *)((w) & ~MUTEX_WAITERS))

/* One compare-and-swap of m->owner from *old to new: acquire on success (a lock). */
static bool owner_cas(struct mutex *m, uintptr_t *old, uintptr_t new, int order)
{
    return __atomic_compare_exchange_n((uintptr_t *)&m->owner, old, new, false, order,
                                       __ATOMIC_RELAXED);
}

static uintptr_t owner_word(struct mutex *m)
{
    return __atomic_load_n((uintptr_t *)&m->owner, __ATOMIC_ACQUIRE);
}

/* The lock is taken: mark it MUTEX_WAITERS and sleep in m->wq until an unlock hands it to
 * cur. wq.lock held throughout but while asleep; the flag is set under it, so the owner's
 * unlock either sees it (slow path, under wq.lock: it finds cur queued) or freed the mutex
 * before (the compare-and-swap here fails and looks again). */
static void mutex_lock_slow(struct mutex *m, struct thread *cur)
{
    uint64_t tok = spin_lock_irqsave(&m->wq.lock);
    uintptr_t o = owner_word(m);

    if (OWNER_OF(o) == cur)
        panic("mutex %s: locked twice by thread %d (%s)", m->wq.lock.name, cur->tid, cur->name);
    for (;;) {
        if (OWNER_OF(o) == cur)
            break; /* handed over by the unlock that woke us */
        if (o == 0) {
            if (owner_cas(m, &o, OWNER_BITS(cur), __ATOMIC_ACQUIRE))
                break; /* freed meanwhile, nobody queued (we hold wq.lock) */
            continue;
        }
        if (!(o & MUTEX_WAITERS) && !owner_cas(m, &o, o | MUTEX_WAITERS, __ATOMIC_RELAXED))
            continue;
        wq_wait_locked(&m->wq, &tok, UINT64_MAX);
        o = owner_word(m);
    }
    spin_unlock_irqrestore(&m->wq.lock, tok);
}

void mutex_lock(struct mutex *m)
{
    struct thread *cur = thread_current();
    uintptr_t o = 0;

    KASSERT(cur != NULL);
    sched_pct_point();
    if (!owner_cas(m, &o, OWNER_BITS(cur), __ATOMIC_ACQUIRE))
        mutex_lock_slow(m, cur);
}

bool mutex_trylock(struct mutex *m)
{
    struct thread *cur = thread_current();
    uintptr_t o = 0;

    KASSERT(cur != NULL);
    return owner_cas(m, &o, OWNER_BITS(cur), __ATOMIC_ACQUIRE);
}

/* MUTEX_WAITERS was set (or cur does not own m): under wq.lock, hand m to the first waiter,
 * flagged again when more wait behind it, and wake it. */
static void mutex_unlock_slow(struct mutex *m, struct thread *cur)
{
    uint64_t tok = spin_lock_irqsave(&m->wq.lock);
    struct thread *owner = OWNER_OF(owner_word(m));
    struct list_node *first;
    uintptr_t next = 0;

    if (!cur || owner != cur) {
        spin_unlock_irqrestore(&m->wq.lock, tok);
        panic("mutex %s: unlocked by thread %d, owner is thread %d", m->wq.lock.name,
              cur ? cur->tid : 0, owner ? owner->tid : 0);
    }
    first = list_first(&m->wq.waiters); /* mutex waiters: uninterruptible, no deadline */
    if (first) {
        next = OWNER_BITS(((struct waiter *)container_of(first, struct wait_entry, node)->arg)->t);
        if (first->next != &m->wq.waiters.head)
            next |= MUTEX_WAITERS;
    }
    __atomic_store_n((uintptr_t *)&m->owner, next, __ATOMIC_RELEASE);
    wq_wake_one_locked(&m->wq);
    spin_unlock_irqrestore(&m->wq.lock, tok);
}

void mutex_unlock(struct mutex *m)
{
    struct thread *cur = thread_current();
    uintptr_t o = OWNER_BITS(cur);

    if (!cur || !owner_cas(m, &o, 0, __ATOMIC_RELEASE))
        mutex_unlock_slow(m, cur);
    sched_pct_point();
}

bool mutex_is_held(struct mutex *m)
{
    struct thread *cur = thread_current();

    return cur != NULL && OWNER_OF(owner_word(m)) == cur;
}
