/*
 * irq.c - the hosted software interrupt controller.
 *
 * One CPU: a "disabled" flag and a pending mask (timer, block, net). Sources only set bits;
 * nothing is ever delivered asynchronously. Delivery happens at the delivery points:
 * hal_irq_enable(), hal_irq_restore() to enabled, hal_poll() and hal_cpu_idle_until(). A
 * delivery point runs one round:
 *
 *    disabled = 1 -> timer (if due) -> block completions -> net frames -> irq_exit -> restore
 *
 * exactly as a hardware interrupt would at that instant: handlers run with interrupts
 * disabled, and the interrupt exit (kernel_irq_exit, where the kernel may switch threads)
 * comes last. Work raised by the handlers themselves (a completion that submits the next
 * request) waits for the next delivery point, so a round always ends. No signals are used:
 * libFuzzer owns SIGALRM and CMocka owns SIGSEGV.
 */
#include <stdint.h>

#include "hal/hal_cpu.h"
#include "hal_hosted/hosted_internal.h"

struct hosted_cpu {
    bool disabled;    /* interrupts off (the state after boot) */
    bool in_round;    /* handlers of a delivery round are running */
    unsigned pending; /* HOSTED_IRQ_* */
};

static struct hosted_cpu cpu0 = {.disabled = true};
static struct hosted_hooks irq_hooks;
struct hosted_stats hosted_stats;

void hosted_irq_setup(const struct hosted_hooks *hooks)
{
    irq_hooks = hooks ? *hooks : (struct hosted_hooks){0};
    cpu0 = (struct hosted_cpu){.disabled = true};
    hosted_stats = (struct hosted_stats){0};
}

void hosted_irq_teardown(void)
{
    irq_hooks = (struct hosted_hooks){0};
    cpu0 = (struct hosted_cpu){.disabled = true};
}

void hosted_irq_raise(unsigned bits)
{
    cpu0.pending |= bits;
}

void hosted_get_stats(struct hosted_stats *out)
{
    *out = hosted_stats;
}

bool hosted_work_pending(void)
{
    return cpu0.pending || hosted_timer_deadline() != UINT64_MAX || hosted_blk_busy() ||
           hosted_net_busy();
}

/* One delivery round; force: block devices must complete something (idle progress). */
static void deliver_round(bool force)
{
    unsigned p;

    if (hosted_timer_due())
        cpu0.pending |= HOSTED_IRQ_TIMER;
    if (!cpu0.pending || cpu0.in_round)
        return;
    cpu0.disabled = true;
    cpu0.in_round = true;
    p = cpu0.pending;
    cpu0.pending = 0;
    if ((p & HOSTED_IRQ_TIMER) && hosted_timer_take_due()) {
        hosted_stats.timer_irqs++;
        if (irq_hooks.timer_irq)
            irq_hooks.timer_irq(irq_hooks.arg);
    }
    if ((p & HOSTED_IRQ_BLK) && hosted_blk_deliver(force))
        cpu0.pending |= HOSTED_IRQ_BLK;
    if ((p & HOSTED_IRQ_NET) && hosted_net_deliver())
        cpu0.pending |= HOSTED_IRQ_NET;
    cpu0.in_round = false;
    hosted_stats.irq_exits++;
    if (irq_hooks.irq_exit)
        irq_hooks.irq_exit(irq_hooks.arg); /* may switch threads and come back much later */
}

uint64_t hal_irq_save(void)
{
    uint64_t was_enabled = !cpu0.disabled;

    cpu0.disabled = true;
    return was_enabled;
}

void hal_irq_restore(uint64_t token)
{
    if (token)
        hal_irq_enable();
    else
        cpu0.disabled = true;
}

void hal_irq_enable(void)
{
    if (!cpu0.in_round)
        deliver_round(false);
    cpu0.disabled = false;
}

/* The last step of a return to user mode: enable interrupts unless one is pending (then
 * the caller enables them the normal way, delivering it, and runs its return work again). */
bool hosted_irq_enable_quiet(void)
{
    if (cpu0.pending || hosted_timer_due())
        return false;
    cpu0.disabled = false;
    return true;
}

void hal_irq_disable(void)
{
    cpu0.disabled = true;
}

bool hal_irq_enabled(void)
{
    return !cpu0.disabled;
}

void hal_poll(void)
{
    if (cpu0.disabled)
        return; /* contract: callers have interrupts enabled; never deliver into a lock */
    deliver_round(false);
    cpu0.disabled = false;
}

/*
 * Nothing pending: sleep (or jump the virtual clock) to the earlier of deadline and the
 * armed timer; with neither, and no device work queued, nothing can ever wake this CPU:
 * report it (-1) instead of hanging. Then deliver what is pending, and return with the
 * interrupt state of the caller.
 */
int hal_cpu_idle_until(uint64_t deadline_ns)
{
    bool was_disabled = cpu0.disabled;

    hosted_stats.idle_calls++;
    if (hosted_timer_due())
        cpu0.pending |= HOSTED_IRQ_TIMER;
    if (!cpu0.pending) {
        uint64_t timer = hosted_timer_deadline();
        uint64_t wake = deadline_ns < timer ? deadline_ns : timer;

        if (wake == UINT64_MAX)
            return -1;
        hosted_time_wait_until(wake);
    }
    deliver_round(true);
    cpu0.disabled = was_disabled;
    return 0;
}

unsigned hal_cpu_id(void)
{
    return 0;
}

unsigned hal_cpu_count(void)
{
    return 1;
}
