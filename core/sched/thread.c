/*
 * thread.c - threads, the per-CPU run queue, context switches, preemption and the idle loop.
 *
 * A switch always happens with interrupts disabled and the CPU lock held, and the context
 * that resumes releases that lock (the xv6 discipline): a thread that marks itself BLOCKED
 * cannot be woken and run elsewhere before its registers are saved, and a waker on another
 * CPU spins on the CPU lock until the switch is complete.
 *
 *     thread A                          thread B (or the idle loop)
 *     lock(cpu); A.state = ...;
 *     pick B; hal_ctx_switch(A, B)  --> returns in B (or B starts in thread_start)
 *                                       finish_switch(): c->dead = NULL, unlock(cpu),
 *                                       free the stack of a thread that just exited
 *
 * An exiting thread cannot free the stack it runs on, so thread_exit() leaves itself in
 * c->dead and switches away with hal_ctx_switch_final(); whoever runs next frees the stack,
 * marks the thread DEAD and wakes its joiner. The idle loop (sched_run) runs on the boot
 * stack as its own context (c->idle_ctx, c->current == NULL); it sleeps in
 * hal_cpu_idle_until() until the next timer and reports a deadlock when the HAL says nothing
 * can ever wake the CPU while threads are still alive.
 */
#include "core/sched/sched_internal.h"

#include "core/lib/alloc.h"
#include "core/lib/kprintf.h"
#include "core/lib/kstring.h"
#include "core/lib/log.h"
#include "hal/hal_errno.h"
#include "hal/hal_mem.h"
#include "hal/hal_time.h"

/* The lowest word of every kernel stack; a thread that overwrote it overflowed its stack. */
#define STACK_CANARY 0x57ac0ca7a1e57ac0ULL

_Static_assert(KSTACK_SIZE == HAL_PAGE_SIZE << KSTACK_ORDER, "KSTACK_SIZE and KSTACK_ORDER");

struct sched sched;

static void cpu_init(struct cpu *c, unsigned id)
{
    memset(c, 0, sizeof(*c));
    spin_init(&c->lock, "cpu");
    c->id = id;
    list_init(&c->runq);
    rb_init(&c->timers);
    c->slice_end_ns = UINT64_MAX;
    c->armed_ns = UINT64_MAX; /* the HAL timer starts disarmed */
    __atomic_store_n(&sched_current[id], NULL, __ATOMIC_RELAXED);
}

void sched_init(void)
{
    KASSERT(hal_cpu_count() <= SCHED_MAX_CPUS);
    spin_init(&sched.threads_lock, "threads");
    list_init(&sched.threads);
    sched.next_tid = 1;
    sched.nthreads = 0;
    for (unsigned i = 0; i < SCHED_MAX_CPUS; i++)
        cpu_init(&sched.cpus[i], i);
    pct_reset();
    sched.ready = true;
}

struct thread *sched_current[SCHED_MAX_CPUS];

unsigned sched_thread_count(void)
{
    return __atomic_load_n(&sched.nthreads, __ATOMIC_ACQUIRE);
}

/* --- switching ----------------------------------------------------------------------------- */

/* With c->lock held, now the clock: make the next runnable thread (or the idle loop) c's
 * current context. */
static struct hal_ctx *pick_next(struct cpu *c, uint64_t now)
{
    struct list_node *n = list_first(&c->runq);
    struct thread *t;

    if (n && sched_pct_enabled())
        n = &pct_pick(c)->rq_node;
    if (n)
        list_remove(n);
    if (!n) {
        c->current = NULL;
        __atomic_store_n(&sched_current[c->id], NULL, __ATOMIC_RELAXED);
        c->need_resched = false;
        timers_reprogram(c);
        return &c->idle_ctx;
    }
    t = container_of(n, struct thread, rq_node);
    t->state = THREAD_RUNNING;
    t->slice_start_ns = now;
    t->acct_since_ns = now; /* its CPU time runs from here (cputime.c) */
    t->acct_sample_ns = now;
    c->current = t;
    __atomic_store_n(&sched_current[c->id], t, __ATOMIC_RELAXED);
    c->slice_end_ns = now + SCHED_SLICE_NS;
    c->need_resched = false;
    timers_reprogram_switch(c);
    return &t->ctx;
}

/* Checked whenever a thread leaves the CPU: an overflow is reported before it spreads. */
static void check_stack(const struct thread *t)
{
    if (*(const uint64_t *)t->kstack != STACK_CANARY)
        panic("thread %d (%s): kernel stack overflow", t->tid, t->name);
}

/* With c->lock held and the state of the context `from` already decided: run the next one.
 * Returns (lock held again) when `from` is resumed. */
static void switch_from(struct cpu *c, struct hal_ctx *from)
{
    struct hal_ctx *to;
    uint64_t now = hal_clock_ns(); /* one clock read: the charge and the next run's start */

    if (c->current) {
        check_stack(c->current);
        cputime_charge_locked(c->current, now);
    }
    to = pick_next(c, now);
    if (to == from)
        return;
    c->stats.context_switches++;
    hal_fpu_switch_out(); /* HAL: park the program's FPU/SSE/AVX registers (hal_cpu.h) */
    hal_ctx_switch(from, to);
}

static void thread_free(struct thread *t)
{
    uint64_t tok = spin_lock_irqsave(&sched.threads_lock);

    list_remove(&t->all_node);
    spin_unlock_irqrestore(&sched.threads_lock, tok);
    kfree(t);
}

/* The stack of an exited thread is no longer in use: free it and tell the joiner. */
static void reap(struct thread *t)
{
    uint64_t tok;
    bool detached;

    page_free_virt(t->kstack, KSTACK_ORDER);
    t->kstack = NULL;
    tok = spin_lock_irqsave(&t->exit_wq.lock);
    t->state = THREAD_DEAD;
    detached = t->detached;
    wq_wake_all_locked(&t->exit_wq);
    spin_unlock_irqrestore(&t->exit_wq.lock, tok);
    if (detached)
        thread_free(t);
}

/* Every context runs this first after being switched to: release the CPU lock taken by the
 * context that switched away, reap a thread that just exited, and only then restore this
 * context's own interrupt state (an interrupt could otherwise switch away before the reap). */
static void finish_switch(uint64_t tok)
{
    struct cpu *c = cpu_this();
    struct thread *dead = c->dead;

    c->dead = NULL;
    spin_unlock_irqrestore(&c->lock, hal_irq_save()); /* interrupts stay disabled */
    if (dead)
        reap(dead);
    hal_irq_restore(tok);
}

/* --- threads ------------------------------------------------------------------------------- */

static void thread_start(void *arg)
{
    struct thread *t = arg;

    finish_switch(hal_irq_save()); /* interrupts stay disabled until the switch is done */
    hal_irq_enable();
    t->fn(t->arg);
    thread_exit(0);
}

struct thread *thread_create(const char *name, void (*fn)(void *), void *arg)
{
    struct thread *t = kzalloc(sizeof(*t));
    struct cpu *c;
    uint64_t tok;

    KASSERT(sched.ready);
    if (!t)
        return NULL;
    t->kstack = page_alloc_virt(KSTACK_ORDER);
    if (!t->kstack) {
        kfree(t);
        return NULL;
    }
    *(uint64_t *)t->kstack = STACK_CANARY;
    kstrlcpy(t->name, name ? name : "thread", sizeof(t->name));
    t->fn = fn;
    t->arg = arg;
    list_node_init(&t->rq_node);
    t->pct_prio = pct_initial_priority();
    wq_init(&t->exit_wq, "join");
    hal_ctx_init(&t->ctx, t->kstack, KSTACK_SIZE, thread_start, t);

    tok = spin_lock_irqsave(&sched.threads_lock);
    t->tid = sched.next_tid++;
    list_push_back(&sched.threads, &t->all_node);
    spin_unlock_irqrestore(&sched.threads_lock, tok);
    __atomic_add_fetch(&sched.nthreads, 1, __ATOMIC_ACQ_REL);

    c = cpu_this();
    tok = spin_lock_irqsave(&c->lock);
    t->cpu = c->id;
    t->state = THREAD_RUNNABLE;
    list_push_back(&c->runq, &t->rq_node);
    spin_unlock_irqrestore(&c->lock, tok);
    return t;
}

void thread_exit(int code)
{
    struct cpu *c = cpu_this();
    struct thread *cur = c->current;
    uint64_t now;

    KASSERT(cur != NULL);
    check_stack(cur);
    (void)spin_lock_irqsave(&c->lock); /* never restored: this context ends here */
    cur->exit_code = code;
    cur->state = THREAD_EXITING;
    now = hal_clock_ns();
    cputime_charge_locked(cur, now);
    KASSERT(c->dead == NULL);
    c->dead = cur;
    __atomic_sub_fetch(&sched.nthreads, 1, __ATOMIC_ACQ_REL);
    c->stats.context_switches++;
    hal_fpu_switch_out(); /* HAL: the program's FPU registers leave with this thread */
    hal_ctx_switch_final(&cur->ctx, pick_next(c, now));
}

int thread_join(struct thread *t)
{
    struct thread *cur = thread_current();
    uint64_t tok;
    int code;

    KASSERT(cur != NULL && cur != t && !t->detached);
    tok = spin_lock_irqsave(&t->exit_wq.lock);
    while (t->state != THREAD_DEAD)
        wq_wait_locked(&t->exit_wq, &tok, UINT64_MAX);
    spin_unlock_irqrestore(&t->exit_wq.lock, tok);
    code = t->exit_code;
    thread_free(t);
    return code;
}

void thread_detach(struct thread *t)
{
    uint64_t tok = spin_lock_irqsave(&t->exit_wq.lock);
    bool dead = t->state == THREAD_DEAD;

    t->detached = true;
    spin_unlock_irqrestore(&t->exit_wq.lock, tok);
    if (dead)
        thread_free(t);
}

void thread_yield(void)
{
    struct cpu *c = cpu_this();
    struct thread *cur = c->current;
    uint64_t tok;

    if (!cur)
        return;
    tok = spin_lock_irqsave(&c->lock);
    if (list_empty(&c->runq)) {
        spin_unlock_irqrestore(&c->lock, tok);
        return;
    }
    pct_lower(cur); /* seeded mode: a yield lets every other thread go first */
    sched_switch_current(c, tok);
}

void sched_switch_current(struct cpu *c, uint64_t tok)
{
    struct thread *cur = c->current;

    cur->state = THREAD_RUNNABLE;
    list_push_back(&c->runq, &cur->rq_node);
    cputime_count_switch(cur, false);
    switch_from(c, &cur->ctx);
    finish_switch(tok);
}

void sched_block_current(struct cpu *c, uint64_t tok)
{
    struct thread *cur = c->current;

    KASSERT(cur != NULL && cur->sleep != NULL);
    cur->state = THREAD_BLOCKED; /* a waker now waits for the CPU lock until we are off */
    cputime_count_switch(cur, true);
    switch_from(c, &cur->ctx);
    finish_switch(tok);
}

void sched_make_runnable_locked(struct cpu *c, struct thread *t)
{
    KASSERT(t->state == THREAD_BLOCKED);
    t->state = THREAD_RUNNABLE;
    list_push_back(&c->runq, &t->rq_node);
    /* A wakeup for another CPU would need an IPI to end its idle wait; threads run on the
     * CPU that created them and only CPU 0 runs threads so far (docs/scheduler.md). */
}

/* --- preemption ---------------------------------------------------------------------------- */

/* Interrupts disabled, c is this CPU and has a current thread whose slice is over: go to the
 * back of the run queue, or start a new slice when nobody else wants the CPU. */
static void preempt(struct cpu *c)
{
    uint64_t tok = spin_lock_irqsave(&c->lock);
    struct thread *cur = c->current;

    if (list_empty(&c->runq)) {
        cur->slice_start_ns = hal_clock_ns();
        c->slice_end_ns = cur->slice_start_ns + SCHED_SLICE_NS;
        c->need_resched = false;
        timers_reprogram(c);
        spin_unlock_irqrestore(&c->lock, tok);
        return;
    }
    c->stats.preemptions++;
    pct_lower(cur); /* seeded mode: the end of a slice lets the others go first */
    sched_switch_current(c, tok);
}

static bool slice_over(const struct cpu *c)
{
    return c->need_resched || hal_clock_ns() >= c->slice_end_ns;
}

void sched_irq_exit(void)
{
    struct cpu *c;

    if (!sched.ready)
        return;
    c = cpu_this();
    c->stats.interrupts++;
    if (c->current && slice_over(c))
        preempt(c);
}

void sched_preempt_point(void)
{
    struct cpu *c = cpu_this();
    uint64_t tok;

    /* interrupts off means a spinlock may be held: switching away now could deadlock */
    if (!sched.ready || !c->current || !hal_irq_enabled())
        return;
    sched_pct_point();
    hal_poll(); /* a due slice timer preempts us in sched_irq_exit() */
    tok = hal_irq_save();
    if (slice_over(c))
        preempt(c);
    hal_irq_restore(tok);
}

/* --- the idle loop ------------------------------------------------------------------------- */

/* With c->lock held: the idle wait that ended (if any) is counted (/proc/stat's idle). */
static void idle_end(struct cpu *c)
{
    uint64_t now;

    if (!c->idling)
        return;
    now = hal_clock_ns();
    c->idle_ns += now > c->idle_since ? now - c->idle_since : 0;
    c->idling = false;
}

int sched_run(void)
{
    struct cpu *c = cpu_this();
    uint64_t outer = hal_irq_save();
    uint64_t tok, deadline;
    int rc;

    KASSERT(sched.ready && !c->running && c->current == NULL);
    c->running = true;
    for (;;) {
        tok = spin_lock_irqsave(&c->lock);
        idle_end(c);
        if (!list_empty(&c->runq)) {
            switch_from(c, &c->idle_ctx);
            finish_switch(tok);
            continue;
        }
        if (sched_thread_count() == 0) {
            spin_unlock_irqrestore(&c->lock, tok);
            rc = 0;
            break;
        }
        deadline = timers_next_deadline(c);
        c->stats.idle_entries++;
        c->idle_since = hal_clock_ns();
        c->idling = true;
        spin_unlock_irqrestore(&c->lock, tok);
        if (hal_cpu_idle_until(deadline) < 0 && list_empty(&c->runq)) {
            rc = -EDEADLK;
            break;
        }
    }
    tok = spin_lock_irqsave(&c->lock);
    idle_end(c);
    spin_unlock_irqrestore(&c->lock, tok);
    c->running = false;
    hal_irq_restore(outer);
    return rc;
}

/* --- reporting ----------------------------------------------------------------------------- */

static const char *state_name(enum thread_state s)
{
    switch (s) {
    case THREAD_RUNNABLE:
        return "runnable";
    case THREAD_RUNNING:
        return "running";
    case THREAD_BLOCKED:
        return "blocked";
    case THREAD_EXITING:
        return "exiting";
    case THREAD_DEAD:
        return "dead";
    }
    return "?";
}

void sched_dump_threads(void)
{
    uint64_t tok = spin_lock_irqsave(&sched.threads_lock);

    kprintf("  tid  name             state     waiting on\n");
    list_for_each(&sched.threads, n)
    {
        struct thread *t = container_of(n, struct thread, all_node);
        struct waiter *w = t->state == THREAD_BLOCKED ? t->sleep : NULL;

        kprintf("  %-4d %-16s %-9s %s%s\n", t->tid, t->name, state_name(t->state),
                w ? w->name : "-", w && w->timeout.armed ? " (with timeout)" : "");
    }
    spin_unlock_irqrestore(&sched.threads_lock, tok);
}

/* c's running and runnable threads. */
static unsigned runnable(struct cpu *c)
{
    uint64_t tok = spin_lock_irqsave(&c->lock);
    unsigned n = c->current ? 1 : 0;

    list_for_each(&c->runq, node)
        n++;
    spin_unlock_irqrestore(&c->lock, tok);
    return n;
}

void sched_get_stats(struct sched_stats *st)
{
    uint64_t tok;

    memset(st, 0, sizeof(*st));
    for (unsigned i = 0; i < SCHED_MAX_CPUS; i++) {
        struct cpu *c = &sched.cpus[i];

        st->context_switches += c->stats.context_switches;
        st->idle_entries += c->stats.idle_entries;
        st->preemptions += c->stats.preemptions;
        st->timers_fired += c->stats.timers_fired;
        st->interrupts += c->stats.interrupts;
        st->runnable += runnable(c);
    }
    tok = spin_lock_irqsave(&sched.threads_lock);
    st->threads_created = (uint64_t)(sched.next_tid - 1);
    spin_unlock_irqrestore(&sched.threads_lock, tok);
}
