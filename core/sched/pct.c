/*
 * pct.c - seeded random preemption for tests (PCT, "probabilistic concurrency testing").
 *
 * Off unless a test turns it on with sched_pct_configure(); the kernel then pays one load of
 * a flag at each decision point. When on (applied at every sched_init, so a hosted boot picks
 * it up), the scheduler runs the runnable thread with the highest priority instead of the
 * oldest one:
 *
 *   - each thread gets a random priority from the seed when it is created (all above
 *     `depth`, so lowered threads sit below every fresh one);
 *   - the seed picks depth - 1 change points among the first `steps` decision points; at a
 *     change point the running thread drops to a priority below every other one (PCT finds a
 *     bug needing d ordered events with probability >= 1/(n * steps^(d-1)));
 *   - besides, each decision point lowers the running thread with probability per_mille/1000,
 *     for variety in long runs;
 *   - a yield or the end of a slice also lowers the thread (so a thread that spins on
 *     thread_yield or sched_preempt_point cannot starve the one it waits for).
 *
 * Decision points are where ordering bugs hide: wakes (after the queue lock is dropped),
 * mutex lock and unlock, wait-entry add and remove, thread_interrupt, the start of
 * waiter_sleep and every sched_preempt_point(). A point switches only when it is safe to
 * sleep (a current thread, interrupts enabled: no spinlock held). The schedule depends only
 * on the seed and the program, so a seed replays a failure exactly.
 */
#include "core/sched/sched_internal.h"

static struct sched_pct_config pct_cfg; /* what sched_init applies; depth 0: off */

bool sched_pct_on; /* pct.on, read inline by sched_pct_point (sched.h) */

static struct {
    bool on;
    uint64_t rng;
    uint64_t step;
    uint64_t change[SCHED_PCT_MAX_DEPTH];
    unsigned nchange;
    int low; /* next lowered priority: below every priority handed out so far */
} pct;

static uint64_t pct_rand(void)
{
    /* xorshift64* */
    pct.rng ^= pct.rng >> 12;
    pct.rng ^= pct.rng << 25;
    pct.rng ^= pct.rng >> 27;
    return pct.rng * 0x2545f4914f6cdd1dULL;
}

void sched_pct_configure(const struct sched_pct_config *cfg)
{
    if (!cfg || cfg->depth == 0) {
        pct_cfg.depth = 0;
        return;
    }
    pct_cfg = *cfg;
    if (pct_cfg.depth > SCHED_PCT_MAX_DEPTH)
        pct_cfg.depth = SCHED_PCT_MAX_DEPTH;
    if (pct_cfg.steps == 0)
        pct_cfg.steps = 1;
}

bool sched_pct_enabled(void)
{
    return pct.on;
}

void pct_reset(void)
{
    pct.on = pct_cfg.depth > 0;
    sched_pct_on = pct.on;
    pct.rng = pct_cfg.seed * 0x9e3779b97f4a7c15ULL + 0x5ca1ab1e; /* never 0 for small seeds */
    if (!pct.rng)
        pct.rng = 1;
    pct.step = 0;
    pct.low = 0;
    pct.nchange = 0;
    for (unsigned i = 0; pct.on && i + 1 < pct_cfg.depth; i++)
        pct.change[pct.nchange++] = 1 + pct_rand() % pct_cfg.steps;
}

int pct_initial_priority(void)
{
    if (!pct.on)
        return 0;
    return (int)pct_cfg.depth + 1 + (int)(pct_rand() % 1000000);
}

void pct_lower(struct thread *t)
{
    if (pct.on)
        t->pct_prio = --pct.low;
}

/* With c->lock held: the runnable thread to run next (highest priority, oldest first). */
struct thread *pct_pick(struct cpu *c)
{
    struct thread *best = NULL;

    list_for_each(&c->runq, n)
    {
        struct thread *t = container_of(n, struct thread, rq_node);

        if (!best || t->pct_prio > best->pct_prio)
            best = t;
    }
    return best;
}

static bool pct_change_point(void)
{
    bool hit = false;

    pct.step++;
    for (unsigned i = 0; i < pct.nchange; i++)
        hit |= pct.change[i] == pct.step;
    if (pct_cfg.per_mille && pct_rand() % 1000 < pct_cfg.per_mille)
        hit = true;
    return hit;
}

void sched_pct_point_on(void)
{
    struct cpu *c;
    struct thread *cur, *best;
    uint64_t tok;

    if (!pct.on)
        return;
    c = cpu_this();
    cur = c->current;
    if (!cur || !hal_irq_enabled())
        return;
    tok = spin_lock_irqsave(&c->lock);
    if (pct_change_point())
        cur->pct_prio = --pct.low;
    best = pct_pick(c);
    if (!best || best->pct_prio <= cur->pct_prio) {
        spin_unlock_irqrestore(&c->lock, tok);
        return;
    }
    c->stats.preemptions++;
    sched_switch_current(c, tok); /* back on the run queue; best runs */
}

uint64_t sched_pct_steps(void)
{
    return pct.step;
}
