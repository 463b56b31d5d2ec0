/*
 * cputime.c - CPU time of threads and of groups of threads (processes).
 *
 * A thread's time on a CPU is measured, not sampled: when it leaves the CPU (a switch, an
 * exit) the run since acct_since_ns is charged to the thread and to its group, as user or
 * system time by the mode the thread was in (acct_user). The syscall entry tells the mode
 * (sched_cputime_user), which charges the run so far and starts a new one:
 *
 *     pick_next        syscall entry        syscall return        switch away
 *        |--- user? ---------|------ sys -----------|------ user -------|
 *      since=now        charge, since=now      charge, since=now    charge
 *
 * Faults and interrupts taken in user mode do not change the mode, so their kernel time
 * counts as user time (docs/time.md). A group total needs no list of threads: every charge
 * goes to the group too, so ended threads stay counted; readers add the runs in progress of
 * the group's threads on each CPU. Charges are atomic adds, so readers never take a lock
 * for the charged part; the run in progress is read under the CPU lock.
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
 */
#include "core/sched/sched_internal.h"

#include "hal/hal_time.h"

static void add(struct sched_cputime *ct, bool user, uint64_t ns)
{
    __atomic_add_fetch(user ? &ct->user_ns : &ct->sys_ns, ns, __ATOMIC_RELAXED);
}

static void load(const struct sched_cputime *ct, struct sched_cputime *out)
{
    out->user_ns = __atomic_load_n(&ct->user_ns, __ATOMIC_RELAXED);
    out->sys_ns = __atomic_load_n(&ct->sys_ns, __ATOMIC_RELAXED);
    out->nvcsw = __atomic_load_n(&ct->nvcsw, __ATOMIC_RELAXED);
    out->nivcsw = __atomic_load_n(&ct->nivcsw, __ATOMIC_RELAXED);
}

void cputime_charge_locked(struct thread *t, uint64_t now)
{
    uint64_t ns = now > t->acct_since_ns ? now - t->acct_since_ns : 0;

    t->acct_since_ns = now;
    if (!ns)
        return;
    add(&t->cputime, t->acct_user, ns);
    if (t->group) {
        add(t->group, t->acct_user, ns);
        __atomic_add_fetch(&t->group->charges, 1, __ATOMIC_RELEASE);
    }
}

void cputime_count_switch(struct thread *t, bool voluntary)
{
    uint64_t *n = voluntary ? &t->cputime.nvcsw : &t->cputime.nivcsw;

    __atomic_add_fetch(n, 1, __ATOMIC_RELAXED);
    if (t->group)
        __atomic_add_fetch(voluntary ? &t->group->nvcsw : &t->group->nivcsw, 1,
                           __ATOMIC_RELAXED);
}

/* With c->lock held: the uncharged run of c's current thread when it is t (or, with t NULL,
 * when it belongs to group g), added to out. */
static void add_running(struct cpu *c, struct thread *t, struct sched_cputime *g,
                        struct sched_cputime *out, uint64_t now)
{
    struct thread *cur = c->current;

    if (!cur || (t ? cur != t : cur->group != g) || now <= cur->acct_since_ns)
        return;
    if (cur->acct_user)
        out->user_ns += now - cur->acct_since_ns;
    else
        out->sys_ns += now - cur->acct_since_ns;
}

void thread_cputime(struct thread *t, struct sched_cputime *out)
{
    struct cpu *c = thread_cpu(t);
    uint64_t tok = spin_lock_irqsave(&c->lock);

    load(&t->cputime, out);
    add_running(c, t, NULL, out, hal_clock_ns());
    spin_unlock_irqrestore(&c->lock, tok);
}

uint64_t thread_cpu_ns(struct thread *t)
{
    struct sched_cputime ct;

    thread_cputime(t, &ct);
    return ct.user_ns + ct.sys_ns;
}

void sched_group_cputime(struct sched_cputime *g, struct sched_cputime *out)
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

void thread_set_cpu_group(struct thread *t, struct sched_cputime *g)
{
    struct cpu *c = thread_cpu(t);
    uint64_t tok = spin_lock_irqsave(&c->lock);

    if (c->current == t)
        cputime_charge_locked(t, hal_clock_ns()); /* the run so far stays with the old group */
    if (g && g != t->group) { /* the thread's clock starts with its membership */
        __atomic_store_n(&t->cputime.user_ns, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&t->cputime.sys_ns, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&t->cputime.nvcsw, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&t->cputime.nivcsw, 0, __ATOMIC_RELAXED);
    }
    t->group = g;
    spin_unlock_irqrestore(&c->lock, tok);
}

void sched_cputime_user(bool user)
{
    struct cpu *c;
    uint64_t tok;

    if (!sched.ready)
        return;
    c = cpu_this();
    tok = spin_lock_irqsave(&c->lock);
    if (c->current && c->current->acct_user != user) {
        cputime_charge_locked(c->current, hal_clock_ns());
        c->current->acct_user = user;
    }
    spin_unlock_irqrestore(&c->lock, tok);
}
