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

/*
 * The current thread goes to sleep: with wq->lock held (interrupts disabled), mark it
 * BLOCKED under the CPU lock, release wq->lock (interrupts stay disabled) and switch away.
 * Returns once woken, with interrupts still disabled and no lock held.
 */
void sched_block(struct wait_queue *wq);

/* Put BLOCKED thread t on its CPU's run queue. Takes that CPU's lock; any context. */
void sched_make_runnable(struct thread *t);

/* With c->lock held: arm the HAL timer for the earliest timer or the slice end of c's
 * current thread, whichever comes first (UINT64_MAX disarms). c must be this CPU. */
void timers_reprogram(struct cpu *c);
/* With c->lock held: deadline of c's earliest timer, UINT64_MAX when none. */
uint64_t timers_next_deadline(struct cpu *c);

#endif
