/*
 * sched.h - kernel threads, run queue, wait queues, sleeping, timers, locks.
 *
 * Every kernel thread (and, later, every application thread) has a kernel stack and a
 * struct hal_ctx. One run queue per CPU (one CPU today; the locks are SMP-shaped).
 * Threads block on wait queues; timers (ordered by deadline in a red-black tree) drive the
 * HAL one-shot timer. A running thread is preempted when its time slice (SCHED_SLICE_NS) is
 * over, at the next interrupt exit or explicit sched_preempt_point().
 *
 * Locking: spinlocks are taken with interrupts saved/disabled (spin_lock_irqsave); mutexes
 * may sleep. Functions that may sleep say so and must not be called with a spinlock held or
 * interrupts disabled.
 */
#ifndef CORE_SCHED_SCHED_H
#define CORE_SCHED_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/lib/list.h"
#include "core/lib/spinlock.h"
#include "core/lib/rbtree.h"
#include "hal/hal_cpu.h"

#define SCHED_SLICE_NS 10000000ULL /* 10 ms */
#define KSTACK_SIZE (16 * 1024)

/* --- threads ------------------------------------------------------------------------------ */

enum thread_state { THREAD_RUNNABLE, THREAD_RUNNING, THREAD_BLOCKED, THREAD_DEAD };

struct thread {
    struct hal_ctx ctx;
    enum thread_state state;
    int tid;
    char name[16];
    void (*fn)(void *);
    void *arg;
    void *kstack;
    struct list_node rq_node;   /* run queue or a wait queue */
    struct list_node all_node;  /* every thread */
    struct wait_queue *waiting_on;
    bool woken_by_timeout;
    uint64_t slice_start_ns;
    int exit_code;
    void *proc; /* core/proc's per-thread data, later */
};

/* Start the scheduler subsystem; called once by kernel_main before any thread exists. */
void sched_init(void);

/* Create a runnable kernel thread running fn(arg). NULL when out of memory. Does not sleep. */
struct thread *thread_create(const char *name, void (*fn)(void *), void *arg);
struct thread *thread_current(void);
/* End the current thread; its stack is freed once another thread runs. Never returns. */
void thread_exit(int code) __attribute__((noreturn));
/* Wait (sleeping) until t has exited, then free it; returns its exit code. */
int thread_join(struct thread *t);
void thread_yield(void); /* may sleep (switches) */

/*
 * Run the scheduler on the boot stack: switch to runnable threads, idle (hal_cpu_idle_until)
 * when there are none. Returns when no thread is left (returns 0) or when threads remain
 * blocked with nothing able to wake them (returns -EDEADLK). Called once by kernel_main.
 */
int sched_run(void);

/* Preemption point: switch if the current slice is over or a wakeup asked for it. */
void sched_preempt_point(void);

/* --- wait queues ------------------------------------------------------------------------- */

struct wait_queue {
    struct spinlock lock;
    struct list waiters;
};

void wq_init(struct wait_queue *wq, const char *name);
/*
 * Sleep on wq until woken or deadline_ns (UINT64_MAX: none). Returns 0 when woken,
 * -ETIMEDOUT on timeout. The "check condition, then sleep" race is closed by calling
 * wq_wait_locked() with wq->lock held (taken with spin_lock_irqsave): it is released while
 * asleep and retaken before return. May sleep.
 */
int wq_wait(struct wait_queue *wq, uint64_t deadline_ns);
int wq_wait_locked(struct wait_queue *wq, uint64_t *irq_token, uint64_t deadline_ns);
/* Wake one/all waiters (FIFO). Return the number woken. Any context, never sleep. */
int wq_wake_one(struct wait_queue *wq);
int wq_wake_all(struct wait_queue *wq);

/* --- sleeping and timers ----------------------------------------------------------------- */

void sched_sleep_until(uint64_t deadline_ns); /* may sleep */
void sched_sleep_ns(uint64_t ns);             /* may sleep */

struct timer {
    struct rb_node node;
    uint64_t deadline_ns;
    void (*fn)(struct timer *t, void *arg); /* interrupt context; must not sleep */
    void *arg;
    bool armed;
};

void timer_init(struct timer *t, void (*fn)(struct timer *, void *), void *arg);
/* Arm (or re-arm) t for deadline_ns. Timers with equal deadlines fire in arming order. */
void timer_arm(struct timer *t, uint64_t deadline_ns);
/* Disarm; returns true if it was armed (and so will not fire). */
bool timer_cancel(struct timer *t);

/* --- mutexes (sleeping locks) ------------------------------------------------------------ */

struct mutex {
    struct spinlock lock;
    struct thread *owner;
    struct wait_queue wq;
};

void mutex_init(struct mutex *m, const char *name);
void mutex_lock(struct mutex *m);    /* may sleep */
bool mutex_trylock(struct mutex *m); /* never sleeps */
void mutex_unlock(struct mutex *m);  /* owner only; panics otherwise */

struct sched_stats {
    uint64_t context_switches;
    uint64_t idle_entries;
    uint64_t preemptions;
    uint64_t timers_fired;
};
void sched_get_stats(struct sched_stats *st);

#endif
