/*
 * sched.h - kernel threads, run queue, wait queues, sleeping, timers, locks.
 *
 * Every kernel thread (and, later, every application thread) has a kernel stack and a
 * struct hal_ctx. Each CPU has its own run queue (FIFO, round robin) and its own timers
 * (ordered by deadline in a red-black tree) that drive the CPU's HAL one-shot timer. A
 * running thread is preempted when its time slice (SCHED_SLICE_NS) is over, at the next
 * interrupt exit or explicit sched_preempt_point(). One CPU today; the locks are SMP-shaped
 * and a thread stays on the CPU that created it (docs/scheduler.md).
 *
 * Locking: spinlocks are taken with interrupts saved/disabled (spin_lock_irqsave); mutexes
 * may sleep. Functions that may sleep say so and must not be called with a spinlock held or
 * interrupts disabled, nor from the idle loop (there is no current thread to put to sleep).
 * Lock order: mutex/wait-queue lock, then the CPU lock, then the allocator's lock.
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

struct uthread;

/*
 * CPU time (cputime.c): what a thread, or a group of threads (a process, ended threads
 * included), has run. run_ns is measured (charged when the thread leaves the CPU); the
 * user/system split is sampled at timer interrupts (user_sampled_ns, sys_sampled_ns) and a
 * read scales it to run_ns, as Linux does. The readers below add the run in progress.
 */
struct sched_cputime {
    uint64_t user_ns, sys_ns; /* a read's split of run_ns; in an accumulator, the last split
                                 reported (guarded by split_lock: it never goes back) */
    uint64_t nvcsw, nivcsw;   /* switches away: blocked (voluntary) / preempted or yielded */
    uint64_t charges;         /* a group's: bumped after every charge (sched_group_cputime) */
    uint64_t run_ns;          /* measured: atomic adds and loads */
    uint64_t user_sampled_ns, sys_sampled_ns; /* sampled at timer interrupts: atomic */
    struct spinlock split_lock;
};

#define SCHED_SLICE_NS 10000000ULL /* 10 ms */
#ifdef PETREL_FUZZING
/* Fuzz builds (clang -O0, ASan): frames are several times larger; the syscall and sockets
 * harnesses measured paths past 16 KiB (creat, mkdir, sendto, connect: docs/fuzzing.md). */
#define KSTACK_ORDER 4
#define KSTACK_SIZE (64 * 1024)
#else
#define KSTACK_ORDER 2          /* page_alloc order of a kernel stack */
#define KSTACK_SIZE (16 * 1024) /* (4096 << KSTACK_ORDER) */
#endif
#define SCHED_MAX_CPUS 16

/* --- timers ------------------------------------------------------------------------------ */

/*
 * A one-shot timer. It fires on the CPU that armed it, in interrupt context, with no
 * scheduler lock held. Timers with equal deadlines fire in arming order.
 */
struct timer {
    struct rb_node node;
    uint64_t deadline_ns;
    void (*fn)(struct timer *t, void *arg); /* interrupt context; must not sleep */
    void *arg;
    bool armed;   /* guarded by the lock of the CPU in `cpu` */
    unsigned cpu; /* the CPU whose timer tree holds it while armed */
};

/* Prepare t (not while it is armed). */
void timer_init(struct timer *t, void (*fn)(struct timer *, void *), void *arg);
/* Arm (or re-arm) t for deadline_ns on this CPU. Never sleeps; any context. Callers
 * serialize arming and cancelling of one timer. */
void timer_arm(struct timer *t, uint64_t deadline_ns);
/* Disarm; returns true if it was armed (and so will not fire). Never sleeps; any context. */
bool timer_cancel(struct timer *t);

/* --- wait queues ------------------------------------------------------------------------- */

struct wait_queue {
    struct spinlock lock; /* guards waiters and nshared; its name names the queue in dumps */
    struct list waiters;  /* struct wait_entry.node, FIFO */
    unsigned nshared;     /* entries on waiters that are not exclusive */
};

struct wait_entry; /* below */

/*
 * A waiter: one thread sleeping until something decides its wait. Exactly one of a wakeup
 * (waiter_wake, through any number of wait entries), the deadline and an interrupt decides
 * it; the others find it decided and do nothing (a wake that loses returns 0, so an exclusive
 * wakeup passes on to the next waiter). Lives on the sleeper's stack; every entry pointing
 * at it must be removed (wq_remove) before it goes away.
 */
enum waiter_result { WAITER_PENDING, WAITER_WOKEN, WAITER_TIMEDOUT, WAITER_INTERRUPTED };

struct waiter {
    struct thread *t;     /* the sleeper (the thread that called waiter_init) */
    int result;           /* enum waiter_result; guarded by t's CPU lock */
    bool interruptible;   /* of the sleep in progress; guarded by t's CPU lock */
    const char *name;     /* what it waits for, in thread dumps */
    struct timer timeout; /* the deadline of waiter_sleep */
};

/* --- threads ------------------------------------------------------------------------------ */

/*
 * RUNNABLE: on its CPU's run queue. RUNNING: its CPU's current thread. BLOCKED: asleep on a
 * wait queue. EXITING: called thread_exit(), stack not yet freed. DEAD: stack freed; the
 * struct stays until thread_join() (or at once when detached).
 */
enum thread_state { THREAD_RUNNABLE, THREAD_RUNNING, THREAD_BLOCKED, THREAD_EXITING, THREAD_DEAD };

struct thread {
    struct hal_ctx ctx;
    enum thread_state state; /* guarded by the lock of cpu `cpu` (DEAD: by exit_wq.lock) */
    int tid;
    char name[16];
    void (*fn)(void *);
    void *arg;
    void *kstack;
    unsigned cpu;                  /* the CPU it runs on (threads do not migrate) */
    struct list_node rq_node;      /* run queue */
    struct list_node all_node;     /* every thread (sched's thread list lock) */
    struct waiter *sleep;          /* the waiter it is BLOCKED in; guarded by the CPU lock */
    bool interrupted;              /* thread_interrupt() pending; written under the CPU lock */
    int pct_prio;                  /* seeded-preemption priority (pct.c); CPU lock */
    struct wait_queue exit_wq; /* thread_join() waits here for DEAD */
    bool detached;
    uint64_t slice_start_ns;
    int exit_code;
    struct uthread *ut; /* the user thread it runs (core/proc/proc.h); NULL: kernel only */
    /* CPU time (cputime.c): charged to cputime and *group; the run since acct_since_ns is not
     * charged yet, nor sampled since acct_sample_ns (both guarded by the CPU lock). acct_user:
     * the mode a timer interrupt samples (sched_cputime_mode; relaxed atomic). */
    struct sched_cputime cputime;
    struct sched_cputime *group; /* NULL: none (kernel threads) */
    uint64_t acct_since_ns;
    uint64_t acct_sample_ns;
    bool acct_user;
};

/* Per-CPU scheduler state, indexed by hal_cpu_id(). */
struct cpu {
    struct spinlock lock; /* guards every field below except stats */
    unsigned id;
    struct thread *current;  /* NULL while the idle loop (sched_run) runs */
    struct list runq;        /* RUNNABLE threads, FIFO */
    struct rb_tree timers;   /* armed timers by deadline, FIFO among equals */
    struct hal_ctx idle_ctx; /* sched_run()'s context, on the boot stack */
    uint64_t slice_end_ns;   /* of current */
    uint64_t armed_ns;       /* the deadline last given to hal_timer_arm (timer.c) */
    bool need_resched;       /* switch at the next preemption point */
    bool running;            /* sched_run() is active on this CPU */
    struct thread *dead;     /* exited; its stack is freed by the next context to run */
    struct {
        uint64_t context_switches, idle_entries, preemptions, timers_fired, interrupts;
    } stats; /* this CPU only, written with interrupts disabled */
    /* CPU time of the CPU itself (cputime.c, /proc/stat): every thread's run here is charged
     * and sampled into acct as into the thread's own; idle_ns is the time the idle loop spent
     * waiting in hal_cpu_idle_until (idle_since: the start of the wait in progress, when
     * idling). The idle fields are written by this CPU only, under the lock. */
    struct sched_cputime acct;
    uint64_t idle_ns, idle_since;
    bool idling;
};

/* Start the scheduler subsystem; called once by kernel_main before any thread exists (again
 * after a hosted reboot: it forgets every earlier thread and timer). */
void sched_init(void);

/* Create a runnable kernel thread running fn(arg) on this CPU. NULL when out of memory.
 * Does not sleep; any context (also before sched_run). */
struct thread *thread_create(const char *name, void (*fn)(void *), void *arg);
/* The running thread; NULL in the idle loop and before sched_run. */
/* Each CPU's running thread (cpu->current, kept by the scheduler with it), for
 * thread_current(): read inline, it costs the hot paths (syscall entry, return to user mode)
 * one hal_cpu_id() call instead of a chain of calls. NULL before sched_init and when idle. */
extern struct thread *sched_current[SCHED_MAX_CPUS];

static inline struct thread *thread_current(void)
{
    return __atomic_load_n(&sched_current[hal_cpu_id()], __ATOMIC_RELAXED);
}
/* End the current thread (returning from fn is thread_exit(0)); its stack is freed once
 * another context runs. Never returns. */
void thread_exit(int code) __attribute__((noreturn));
/* Wait (sleeping) until t has exited, then free it; returns its exit code. t must not be
 * detached, nor joined twice. May sleep. */
int thread_join(struct thread *t);
/* Nobody will join t: its struct is freed as soon as it is dead. */
void thread_detach(struct thread *t);
/* Go to the back of the run queue if another thread is runnable. May sleep (switches). */
void thread_yield(void);

/*
 * Run the scheduler on the boot stack: switch to runnable threads, idle (hal_cpu_idle_until)
 * when there are none. Returns when no thread is left (returns 0) or when threads remain
 * blocked with nothing able to wake them (returns -EDEADLK). Called once by kernel_main
 * (unit tests: once per sched_init). Interrupts are disabled inside and restored on return.
 */
int sched_run(void);

/* Preemption point: deliver pending interrupts (hal_poll), then switch if the current
 * slice is over. May sleep. Does nothing with interrupts disabled (a spinlock may be held),
 * in the idle loop, or before sched_init. */
void sched_preempt_point(void);

/* The kernel's interrupt entries forward here (core/kernel.c). Interrupts disabled. */
void sched_timer_irq(void); /* fire due timers, notice the end of the slice */
void sched_irq_exit(void);  /* preempt the current thread if its slice is over */

/* Print every thread (tid, name, state, wait queue) on the console; for deadlock reports. */
void sched_dump_threads(void);
/* Threads created and not yet exited (all CPUs). */
unsigned sched_thread_count(void);

/* --- wait queues ------------------------------------------------------------------------- */

/*
 * A wait queue is a list of wait entries; a wake calls each entry's function (FIFO) with a
 * key, the event mask that became true (LINUX_EPOLL* bits; ~0u: everything). Entries marked
 * exclusive are counted against the wake's nr_exclusive; the others are always called.
 */
struct wait_entry {                  /* one registration of a waiter on one queue */
    struct list_node node;           /* on wq->waiters; guarded by wq->lock */
    struct wait_queue *wq;           /* queue it is on, NULL when not queued */
    bool exclusive;                  /* counted against nr_exclusive in wq_wake_key */
    /* Called with wq->lock held, interrupts off, any context; never sleeps; returns 1 if it
     * woke something (0: it ignored the key, or its waiter was already decided). It may
     * remove its own entry (wq_remove_locked), never another one. */
    int (*fn)(struct wait_entry *e, unsigned key);
    void *arg;
};

void wq_init(struct wait_queue *wq, const char *name);
void wait_entry_init(struct wait_entry *e, int (*fn)(struct wait_entry *, unsigned), void *arg);
/* Append e (not queued) to wq. Never sleeps; any context. */
void wq_add(struct wait_queue *wq, struct wait_entry *e);
void wq_add_locked(struct wait_queue *wq, struct wait_entry *e);
/* Take e off its queue; no-op when not queued. Never sleeps; any context. */
void wq_remove(struct wait_entry *e);
void wq_remove_locked(struct wait_entry *e); /* e->wq->lock held (e must be queued) */
/*
 * Call the entries' functions in FIFO order with key until nr_exclusive exclusive entries
 * have woken (0: no limit); entries that are not exclusive are called whatever the count.
 * Returns the number of entries that woke. Any context, never sleeps.
 */
int wq_wake_key(struct wait_queue *wq, unsigned key, int nr_exclusive);
/*
 * Whether wq may have entries, looked at without its lock (Linux's wq_has_sleeper): a waker
 * that finds none skips wq_wake_key and its lock. Only for queues whose users keep this
 * protocol: the waker changes the condition, then asks (the full fence here orders the two);
 * every entry that waits for that change is queued either before the change can be seen (a
 * sleeper queues while it still holds the lock the waker changes the condition under) or
 * followed by a full fence before its owner checks the condition (a poller: fs/pipe).
 */
static inline bool wq_has_waiters(struct wait_queue *wq)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return __atomic_load_n(&wq->waiters.head.next, __ATOMIC_RELAXED) != &wq->waiters.head;
}
int wq_wake_key_locked(struct wait_queue *wq, unsigned key, int nr_exclusive);
/* Wake one/all (FIFO): wq_wake_key(wq, ~0u, 1 or 0). */
int wq_wake_one(struct wait_queue *wq);
int wq_wake_all(struct wait_queue *wq);
/* The same with wq->lock already held by the caller. */
int wq_wake_one_locked(struct wait_queue *wq);
int wq_wake_all_locked(struct wait_queue *wq);

/*
 * Sleep on wq (as an exclusive entry) until woken or deadline_ns (UINT64_MAX: none). Returns
 * 0 when woken, -ETIMEDOUT on timeout. The "check condition, then sleep" race is closed by
 * calling wq_wait_locked() with wq->lock held (taken with spin_lock_irqsave): it is released
 * while asleep and retaken before return (*irq_token stays the caller's). May sleep.
 */
int wq_wait(struct wait_queue *wq, uint64_t deadline_ns);
int wq_wait_locked(struct wait_queue *wq, uint64_t *irq_token, uint64_t deadline_ns);
/* Interruptible forms: 0 woken, -ETIMEDOUT, -EINTR (thread_interrupt, before or during). */
int wq_wait_intr(struct wait_queue *wq, uint64_t deadline_ns);
int wq_wait_locked_intr(struct wait_queue *wq, uint64_t *irq_token, uint64_t deadline_ns);

/* --- waiters: one thread waiting on any number of queues (poll, epoll, futex...) ----------- */

/*
 * Usage (the lost-wakeup race is closed by the waiter's result, not by a queue lock):
 *
 *     waiter_init(&w);
 *     for each queue: wait_entry_init(&e[i], waiter_wake_fn, &w); wq_add(q[i], &e[i]);
 *     for (;;) {
 *         if (condition) break;                         (checked after the entries are queued)
 *         rc = waiter_sleep(&w, deadline, true);        (returns at once if already woken)
 *         if (rc) break;
 *         waiter_reset(&w);                             (then check the condition again)
 *     }
 *     for each queue: wq_remove(&e[i]);
 */
void waiter_init(struct waiter *w); /* for the current thread; result pending */
/* Back to pending (after a wakeup, before checking the condition again); entries may stay
 * queued. Only the sleeper calls it. */
void waiter_reset(struct waiter *w);
/* Decide w as woken and make its thread runnable if it sleeps. 1 if this call decided it.
 * Any context, never sleeps. */
int waiter_wake(struct waiter *w);
/* A wait_entry function: waiter_wake(e->arg) whatever the key. */
int waiter_wake_fn(struct wait_entry *e, unsigned key);
/* Sleep until w is decided: 0 woken (also when already woken before the call), -ETIMEDOUT
 * (deadline_ns passed; UINT64_MAX: none), -EINTR (interruptible and thread_interrupt()ed,
 * before or during the sleep). May sleep. */
int waiter_sleep(struct waiter *w, uint64_t deadline_ns, bool interruptible);
/* The result so far (enum waiter_result). */
int waiter_result(const struct waiter *w);

/* --- interrupts (signals) -------------------------------------------------------------------- */

/*
 * The signal layer calls thread_interrupt(t) when t has a signal to take: t's current or next
 * interruptible wait ends with -EINTR until thread_clear_interrupt(t) (after delivery).
 * Uninterruptible waits are not affected. Never sleep; any context.
 */
void thread_interrupt(struct thread *t);
void thread_clear_interrupt(struct thread *t);
static inline bool thread_interrupt_pending(const struct thread *t)
{
    return __atomic_load_n(&t->interrupted, __ATOMIC_ACQUIRE);
}

/* --- sleeping ---------------------------------------------------------------------------- */

void sched_sleep_until(uint64_t deadline_ns); /* may sleep */
void sched_sleep_ns(uint64_t ns);             /* may sleep */
/* Interruptible: 0 at the deadline, -EINTR if interrupted before it. May sleep. */
int sched_sleep_until_intr(uint64_t deadline_ns);

/* --- CPU time (cputime.c) ------------------------------------------------------------------ */

/* t's CPU time so far, the run in progress included, split into user and system time.
 * Never sleeps; any context. */
void thread_cputime(struct thread *t, struct sched_cputime *out);
/* t's measured CPU time (run_ns, the run in progress included): CLOCK_THREAD_CPUTIME_ID. */
uint64_t thread_cpu_ns(struct thread *t);
/* Group g's CPU time: what its threads (live and ended) were charged, plus the runs in
 * progress of its threads on every CPU, split. Never sleeps; any context. */
void sched_group_cputime(struct sched_cputime *g, struct sched_cputime *out);
/* Its measured total alone (CLOCK_PROCESS_CPUTIME_ID). */
uint64_t sched_group_cpu_ns(struct sched_cputime *g);
/* Charge t's CPU time from now on to g as well (NULL: to no group). Joining a group (g not
 * NULL) restarts t's own clock and switch counts at 0: what t ran before (the boot's work on
 * the thread that becomes the program's main thread) is no group's, so a thread's clock never
 * exceeds its group's. The caller keeps g alive as long as t points at it. Never sleeps. */
void thread_set_cpu_group(struct thread *t, struct sched_cputime *g);
/* Thread t (the caller, or a thread about to run) is in user mode (true) or in the kernel
 * (false: a syscall entry): what a timer interrupt samples for the user/system split. A
 * store, no clock read and no lock: the syscall path calls it twice per call. */
static inline void sched_cputime_mode(struct thread *t, bool user)
{
    __atomic_store_n(&t->acct_user, user, __ATOMIC_RELAXED);
}
/* sched_cputime_mode for the current thread; no-op without one. Never sleeps. */
void sched_cputime_user(bool user);
/* CPU cpu's times since sched_init (/proc/stat's cpuN line): user_ns and sys_ns as a group's
 * split (every thread that ran there, kernel threads as system time, the run in progress
 * included), *idle_ns the time spent idle (the wait in progress included). Never sleeps. */
void sched_cpu_cputime(unsigned cpu, struct sched_cputime *out, uint64_t *idle_ns);

/* --- mutexes (sleeping locks) ------------------------------------------------------------ */

/*
 * Ownership passes directly to the longest waiter on unlock (FIFO handoff), so no waiter
 * starves and a woken waiter never finds the mutex taken again. Without contention a lock
 * and an unlock are one compare-and-swap each on `owner` (wait.c); MUTEX_WAITERS in it sends
 * the unlock to the slow path, under wq.lock, which hands the mutex over.
 */
struct mutex {
    struct thread *owner; /* the owner | MUTEX_WAITERS, NULL when free; atomic (wait.c) */
    struct wait_queue wq;
};

#define MUTEX_WAITERS 1ul /* in mutex.owner: threads wait in wq (set under wq.lock) */

void mutex_init(struct mutex *m, const char *name);
void mutex_lock(struct mutex *m);    /* may sleep; panics on recursive locking */
bool mutex_trylock(struct mutex *m); /* never sleeps */
void mutex_unlock(struct mutex *m);  /* owner only; panics otherwise */
bool mutex_is_held(struct mutex *m); /* by the current thread */

/* --- seeded random preemption for tests (pct.c, docs/hosted.md) ------------------------------ */

#define SCHED_PCT_MAX_DEPTH 8

struct sched_pct_config {
    uint64_t seed;      /* the whole schedule follows from it */
    unsigned depth;     /* PCT depth d: d - 1 change points; 0 turns the mode off */
    unsigned steps;     /* change points are drawn among the first `steps` decision points */
    unsigned per_mille; /* also lower the running thread at any point with this chance */
};

/* Turn the mode on (cfg) or off (NULL); applied by the next sched_init(). Tests only. */
void sched_pct_configure(const struct sched_pct_config *cfg);
bool sched_pct_enabled(void);
/* The mode is on (pct.c; set only by sched_init). */
extern bool sched_pct_on;
void sched_pct_point_on(void);
/* A decision point: with the mode on, may switch to a thread of higher priority. Called
 * by the scheduler at wakes, mutex lock/unlock, wait-entry add/remove, interrupts, sleeps
 * and preemption points; other subsystems may add their own (e.g. at a lock release). Does
 * nothing with interrupts disabled or without a current thread. May sleep. Off, it is one
 * load and a branch, inline: the wake and mutex paths pass dozens of points per syscall. */
static inline void sched_pct_point(void)
{
    if (__builtin_expect(__atomic_load_n(&sched_pct_on, __ATOMIC_RELAXED), 0))
        sched_pct_point_on();
}
/* Decision points passed since sched_init (to size `steps`). */
uint64_t sched_pct_steps(void);

struct sched_stats {
    uint64_t context_switches;
    uint64_t idle_entries;
    uint64_t preemptions;
    uint64_t timers_fired;
    uint64_t interrupts;      /* every interrupt taken (sched_irq_exit) */
    uint64_t threads_created; /* kernel and user threads, since sched_init */
    unsigned runnable;        /* running or runnable now (the caller included) */
};
/* Totals over all CPUs since sched_init. */
void sched_get_stats(struct sched_stats *st);

#endif
