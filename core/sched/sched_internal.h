/*
 * sched_internal.h - what the scheduler's files share (thread.c, wait.c, timer.c). Not for
 * use outside core/sched/.
 */
#ifndef CORE_SCHED_SCHED_INTERNAL_H
#define CORE_SCHED_SCHED_INTERNAL_H

#include "core/sched/sched.h"

struct sched {
    struct spinlock threads_lock; /* guards threads and next_tid */
    struct list threads;          /* struct thread.all_node, creation order */
    int next_tid;
    unsigned nthreads; /* created and not exited; atomic */
    bool ready;        /* sched_init() ran */
    struct cpu cpus[SCHED_MAX_CPUS];
};

extern struct sched sched;

static inline struct cpu *cpu_this(void)
{
    return &sched.cpus[hal_cpu_id()];
}

/* The CPU a thread runs on (threads do not migrate). */
static inline struct cpu *thread_cpu(const struct thread *t)
{
    return &sched.cpus[t->cpu];
}

/*
 * With c->lock held (c = this CPU, taken with token tok): the current thread, whose
 * cur->sleep says what it waits for, is BLOCKED and switches away. Returns once made runnable,
 * with c->lock released and the interrupt state of tok.
 */
void sched_block_current(struct cpu *c, uint64_t tok);

/* Put BLOCKED thread t on its CPU's run queue; with that CPU's lock held (c). Any context. */
void sched_make_runnable_locked(struct cpu *c, struct thread *t);

/* With c->lock held (token tok): the current thread goes to the back of the run queue and
 * the next one runs. Returns when it runs again, c->lock released, interrupt state of tok. */
void sched_switch_current(struct cpu *c, uint64_t tok);

/* cputime.c: with c->lock held, charge t's run since t->acct_since_ns up to now to t and
 * its group, and start a new run at now. */
void cputime_charge_locked(struct thread *t, uint64_t now);
/* cputime.c: with c->lock held, t the current thread of c at a timer interrupt: sample the
 * time since t's last sample (or the start of its run) as user or system time. */
void cputime_sample_locked(struct thread *t, uint64_t now);
/* Count a switch away from t: voluntary (it blocks) or not (preempted, yielded). */
void cputime_count_switch(struct thread *t, bool voluntary);

/* pct.c: seeded preemption (see there). */
void pct_reset(void);                   /* at sched_init */
int pct_initial_priority(void);         /* a new thread's */
void pct_lower(struct thread *t);       /* below every other thread (c->lock held) */
struct thread *pct_pick(struct cpu *c); /* highest-priority runnable, c->lock held */

/* With c->lock held: arm the HAL timer for the earliest timer or the slice end of c's
 * current thread, whichever comes first (UINT64_MAX disarms). c must be this CPU. */
void timers_reprogram(struct cpu *c);
/* The same after a switch to a thread, whose slice end only moved later: the HAL timer is
 * armed again only when the deadline is earlier than the one it holds. A later one is left
 * for the early interrupt, which re-arms exactly (sched_timer_irq): a switch then costs no
 * timer programming (an MMIO write or an MSR write under QEMU), as Linux's tick-based
 * scheduler does not program the timer at a switch either. */
void timers_reprogram_switch(struct cpu *c);
/* With c->lock held: deadline of c's earliest timer, UINT64_MAX when none. */
uint64_t timers_next_deadline(struct cpu *c);

#endif
