/*
 * cputime.c - CPU time of threads and of groups of threads (processes).
 *
 * As Linux does it (sum_exec_runtime, tick-based user/system sampling, cputime_adjust):
 *
 *   - the total is measured: when a thread leaves the CPU (a switch, an exit, joining a group)
 *     its run since acct_since_ns is charged to the thread's run_ns and its group's; readers
 *     add the run in progress. No clock read and no lock on a syscall.
 *   - the user/system split is sampled: every timer interrupt adds the time since the
 *     thread's last sample (or the start of its run) to user_sampled_ns or sys_sampled_ns, by
 *     the mode the interrupted thread was in (acct_user, a flag the syscall entry and the
 *     return to user mode store: sched_cputime_mode). A busy thread gets one sample per time
 *     slice at least (the slice timer);
 *   - a read scales the samples to the measured total (split()): stime = run * sys_sampled /
 *     (user_sampled + sys_sampled), utime = run - stime, so utime + stime is exactly the
 *     measured total; no sample at all counts as user time; neither part ever goes back from
 *     what the last read of that accumulator reported (kept in its user_ns/sys_ns).
 *
 *     pick_next          timer irq (user)     syscall (flag only)    timer irq (sys)   switch
 *        |---since=now--------|--sample user------|--------------------|--sample sys---|charge
 *
 * Faults and interrupts taken in user mode do not change the mode, so a sample landing in
 * their kernel work counts as user time (docs/time.md). A group total needs no list of
 * threads: every charge and sample goes to the group too, so ended threads stay counted;
 * readers add the runs in progress of the group's threads on each CPU. Charges are atomic
 * adds, so readers never take a lock for the charged part; the run in progress is read under
 * the CPU lock.
 *
 * Two rules keep a thread's clock at or below its group's, as on Linux (a program checks
 * CLOCK_THREAD_CPUTIME_ID <= CLOCK_PROCESS_CPUTIME_ID):
 *   - a thread's own clock starts when it joins the group (thread_set_cpu_group): the boot
 *     thread becomes the program's main thread after mounting the volumes, and that work,
 *     charged to no group, used to stay in the main thread's clock (runtime.*.cputime failed
 *     when a loaded host made the boot slow);
 *   - a group read is one snapshot: a charge landing between the load of the charged total
 *     and the visit of the charged thread's CPU (which then shows a run restarted at 0) would
 *     lose that run, so every charge bumps the group's `charges` and the read retries when
 *     it moved.
 * The clocks read run_ns, never the split (which a racing read may hold above run_ns).
 *
 * Each CPU is a group of its own too (cpu->acct: every thread that ran there, kernel threads
 * as system time since they never set acct_user), for /proc/stat's cpu lines; its idle time
 * is measured by the idle loop around hal_cpu_idle_until (thread.c), not derived.
 */
#include "core/sched/sched_internal.h"

#include "hal/hal_time.h"

static void add(uint64_t *field, uint64_t ns)
{
    __atomic_add_fetch(field, ns, __ATOMIC_RELAXED);
}

static uint64_t get(const uint64_t *field)
{
    return __atomic_load_n(field, __ATOMIC_RELAXED);
}

static void load(const struct sched_cputime *ct, struct sched_cputime *out)
{
    out->run_ns = get(&ct->run_ns);
    out->user_sampled_ns = get(&ct->user_sampled_ns);
    out->sys_sampled_ns = get(&ct->sys_sampled_ns);
    out->nvcsw = get(&ct->nvcsw);
    out->nivcsw = get(&ct->nivcsw);
}

void cputime_charge_locked(struct thread *t, uint64_t now)
{
    uint64_t ns = now > t->acct_since_ns ? now - t->acct_since_ns : 0;

    t->acct_since_ns = now;
    if (!ns)
        return;
    add(&t->cputime.run_ns, ns);
    add(&thread_cpu(t)->acct.run_ns, ns);
    if (t->group) {
        add(&t->group->run_ns, ns);
        __atomic_add_fetch(&t->group->charges, 1, __ATOMIC_RELEASE);
    }
}

void cputime_sample_locked(struct thread *t, uint64_t now)
{
    uint64_t ns = now > t->acct_sample_ns ? now - t->acct_sample_ns : 0;
    bool user = __atomic_load_n(&t->acct_user, __ATOMIC_RELAXED);

    t->acct_sample_ns = now;
    if (!ns)
        return;
    add(user ? &t->cputime.user_sampled_ns : &t->cputime.sys_sampled_ns, ns);
    add(user ? &thread_cpu(t)->acct.user_sampled_ns : &thread_cpu(t)->acct.sys_sampled_ns, ns);
    if (t->group)
        add(user ? &t->group->user_sampled_ns : &t->group->sys_sampled_ns, ns);
}

void cputime_count_switch(struct thread *t, bool voluntary)
{
    uint64_t *n = voluntary ? &t->cputime.nvcsw : &t->cputime.nivcsw;

    __atomic_add_fetch(n, 1, __ATOMIC_RELAXED);
    if (t->group)
        __atomic_add_fetch(voluntary ? &t->group->nvcsw : &t->group->nivcsw, 1,
                           __ATOMIC_RELAXED);
}

/* part * total_new / total without overflowing 64 bits (part <= total): part and total lose
 * low bits together until the product fits, which keeps the ratio to ~1e-7 for any run
 * shorter than years. */
static uint64_t scale(uint64_t part, uint64_t rtime, uint64_t total)
{
    while (part && rtime > UINT64_MAX / part) {
        part >>= 1;
        total >>= 1;
    }
    return total ? part * rtime / total : 0;
}

/* out->run_ns and the samples loaded: split run_ns into out->user_ns/sys_ns as Linux's
 * cputime_adjust does, never below what acc last reported (acc->user_ns/sys_ns, updated). */
static void split(struct sched_cputime *acc, struct sched_cputime *out)
{
    uint64_t u = out->user_sampled_ns, s = out->sys_sampled_ns, rtime = out->run_ns;
    uint64_t tok = spin_lock_irqsave(&acc->split_lock);
    uint64_t stime;

    if (acc->user_ns + acc->sys_ns >= rtime) { /* nothing new since the last read */
        out->user_ns = acc->user_ns;
        out->sys_ns = acc->sys_ns;
        spin_unlock_irqrestore(&acc->split_lock, tok);
        return;
    }
    stime = !s ? 0 : !u ? rtime : scale(s, rtime, u + s);
    if (stime < acc->sys_ns)
        stime = acc->sys_ns;
    out->user_ns = rtime - stime;
    out->sys_ns = stime;
    if (out->user_ns < acc->user_ns) {
        out->user_ns = acc->user_ns;
        out->sys_ns = rtime - out->user_ns;
    }
    acc->user_ns = out->user_ns;
    acc->sys_ns = out->sys_ns;
    spin_unlock_irqrestore(&acc->split_lock, tok);
}

/* With c->lock held: the uncharged run of c's current thread when it is t (or, with t NULL,
 * when it belongs to group g), added to out->run_ns. */
static void add_running(struct cpu *c, struct thread *t, struct sched_cputime *g,
                        struct sched_cputime *out, uint64_t now)
{
    struct thread *cur = c->current;

    if (!cur || (t ? cur != t : cur->group != g) || now <= cur->acct_since_ns)
        return;
    out->run_ns += now - cur->acct_since_ns;
}

static void thread_run(struct thread *t, struct sched_cputime *out)
{
    struct cpu *c = thread_cpu(t);
    uint64_t tok = spin_lock_irqsave(&c->lock);

    load(&t->cputime, out);
    add_running(c, t, NULL, out, hal_clock_ns());
    spin_unlock_irqrestore(&c->lock, tok);
}

void thread_cputime(struct thread *t, struct sched_cputime *out)
{
    thread_run(t, out);
    split(&t->cputime, out);
}

uint64_t thread_cpu_ns(struct thread *t)
{
    struct sched_cputime ct;

    thread_run(t, &ct);
    return ct.run_ns;
}

/* g's charged total and samples plus its threads' runs in progress, as one snapshot. */
static void group_run(struct sched_cputime *g, struct sched_cputime *out)
{
    uint64_t seen;

    do {
        seen = __atomic_load_n(&g->charges, __ATOMIC_ACQUIRE);
        load(g, out);
        for (unsigned i = 0; i < hal_cpu_count() && i < SCHED_MAX_CPUS; i++) {
            struct cpu *c = &sched.cpus[i];
            uint64_t tok = spin_lock_irqsave(&c->lock);

            add_running(c, NULL, g, out, hal_clock_ns());
            spin_unlock_irqrestore(&c->lock, tok);
        }
    } while (__atomic_load_n(&g->charges, __ATOMIC_ACQUIRE) != seen);
    out->charges = seen;
}

void sched_group_cputime(struct sched_cputime *g, struct sched_cputime *out)
{
    group_run(g, out);
    split(g, out);
}

uint64_t sched_group_cpu_ns(struct sched_cputime *g)
{
    struct sched_cputime ct;

    group_run(g, &ct);
    return ct.run_ns;
}

void thread_set_cpu_group(struct thread *t, struct sched_cputime *g)
{
    struct cpu *c = thread_cpu(t);
    uint64_t tok = spin_lock_irqsave(&c->lock);

    if (c->current == t) { /* the run so far stays with the old group */
        uint64_t now = hal_clock_ns();

        cputime_charge_locked(t, now);
        cputime_sample_locked(t, now);
    }
    if (g && g != t->group) { /* the thread's clock starts with its membership */
        uint64_t t2 = spin_lock_irqsave(&t->cputime.split_lock);

        t->cputime.run_ns = t->cputime.user_sampled_ns = t->cputime.sys_sampled_ns = 0;
        t->cputime.user_ns = t->cputime.sys_ns = 0;
        t->cputime.nvcsw = t->cputime.nivcsw = 0;
        spin_unlock_irqrestore(&t->cputime.split_lock, t2);
    }
    t->group = g;
    spin_unlock_irqrestore(&c->lock, tok);
}

void sched_cpu_cputime(unsigned cpu, struct sched_cputime *out, uint64_t *idle_ns)
{
    struct cpu *c = &sched.cpus[cpu < SCHED_MAX_CPUS ? cpu : 0];
    uint64_t tok = spin_lock_irqsave(&c->lock);
    uint64_t now = hal_clock_ns();

    load(&c->acct, out);
    if (c->current && now > c->current->acct_since_ns)
        out->run_ns += now - c->current->acct_since_ns;
    *idle_ns = c->idle_ns + (c->idling && now > c->idle_since ? now - c->idle_since : 0);
    spin_unlock_irqrestore(&c->lock, tok);
    split(&c->acct, out);
}

void sched_cputime_user(bool user)
{
    struct thread *t = thread_current();

    if (t)
        sched_cputime_mode(t, user);
}
