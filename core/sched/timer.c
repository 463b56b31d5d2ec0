/*
 * timer.c - one-shot timers, per CPU, in a red-black tree ordered by deadline.
 *
 * The CPU's HAL one-shot timer is armed for the earliest of two things: the first timer in
 * the tree, and the end of the running thread's time slice (that is how a busy thread gets
 * preempted). Every change to either re-arms it, so the HAL never holds a stale deadline
 * (in the hosted virtual clock a stale deadline would make idle jump time forward for
 * nothing) - except at a switch from one thread to another, which moves the slice end later
 * and leaves an earlier deadline armed (timers_reprogram_switch): that one fires early and
 * the interrupt re-arms exactly. The idle loop always gets the exact deadline. Equal deadlines fire in arming order (rb_insert_multi keeps FIFO among
 * equals). Callbacks run in interrupt context with the CPU lock dropped, so they may wake
 * threads and arm timers.
 */
#include "core/sched/sched_internal.h"

#include "core/lib/log.h"
#include "hal/hal_time.h"

static int timer_cmp(const struct rb_node *a, const struct rb_node *b)
{
    uint64_t da = rb_entry(a, struct timer, node)->deadline_ns;
    uint64_t db = rb_entry(b, struct timer, node)->deadline_ns;

    return da < db ? -1 : da > db;
}

uint64_t timers_next_deadline(struct cpu *c)
{
    struct rb_node *n = rb_first(&c->timers);

    return n ? rb_entry(n, struct timer, node)->deadline_ns : UINT64_MAX;
}

static uint64_t cpu_deadline(struct cpu *c)
{
    uint64_t deadline = timers_next_deadline(c);

    if (c->current && c->slice_end_ns < deadline)
        deadline = c->slice_end_ns;
    return deadline;
}

void timers_reprogram(struct cpu *c)
{
    KASSERT(c->id == hal_cpu_id());
    c->armed_ns = cpu_deadline(c);
    hal_timer_arm(c->armed_ns);
}

void timers_reprogram_switch(struct cpu *c)
{
    uint64_t deadline = cpu_deadline(c);

    if (deadline < c->armed_ns) {
        c->armed_ns = deadline;
        hal_timer_arm(deadline);
    }
}

void timer_init(struct timer *t, void (*fn)(struct timer *, void *), void *arg)
{
    t->node.parent = t->node.left = t->node.right = NULL;
    t->node.red = 0;
    t->deadline_ns = 0;
    t->fn = fn;
    t->arg = arg;
    t->armed = false;
    t->cpu = 0;
}

/* Remove t from its CPU's tree if it is there; returns whether it was. */
static bool timer_unlink(struct timer *t)
{
    struct cpu *c = &sched.cpus[t->cpu];
    uint64_t tok = spin_lock_irqsave(&c->lock);
    bool was = t->armed;

    if (was) {
        rb_remove(&c->timers, &t->node);
        t->armed = false;
        if (c->id == hal_cpu_id())
            timers_reprogram(c);
    }
    spin_unlock_irqrestore(&c->lock, tok);
    return was;
}

void timer_arm(struct timer *t, uint64_t deadline_ns)
{
    struct cpu *c;
    uint64_t irq = hal_irq_save(); /* stay on this CPU */
    uint64_t tok;

    if (t->armed)
        timer_unlink(t);
    c = cpu_this();
    tok = spin_lock_irqsave(&c->lock);
    t->deadline_ns = deadline_ns;
    t->cpu = c->id;
    rb_insert_multi(&c->timers, &t->node, timer_cmp);
    t->armed = true;
    timers_reprogram(c);
    spin_unlock_irqrestore(&c->lock, tok);
    hal_irq_restore(irq);
}

bool timer_cancel(struct timer *t)
{
    return timer_unlink(t);
}

void sched_timer_irq(void)
{
    struct cpu *c;
    struct rb_node *n;
    uint64_t tok, now;

    if (!sched.ready)
        return;
    c = cpu_this();
    tok = spin_lock_irqsave(&c->lock);
    now = hal_clock_ns();
    if (c->current) /* the user/system split is sampled here (cputime.c) */
        cputime_sample_locked(c->current, now);
    while ((n = rb_first(&c->timers))) {
        struct timer *t = rb_entry(n, struct timer, node);

        if (t->deadline_ns > now)
            break;
        rb_remove(&c->timers, n);
        t->armed = false;
        c->stats.timers_fired++;
        spin_unlock_irqrestore(&c->lock, tok);
        t->fn(t, t->arg);
        tok = spin_lock_irqsave(&c->lock);
    }
    if (c->current && now >= c->slice_end_ns)
        c->need_resched = true;
    timers_reprogram(c);
    spin_unlock_irqrestore(&c->lock, tok);
}
