/*
 * spinlock.c - irq-saving spinlocks (spinlock.h).
 *
 * locked is taken with an atomic exchange (acquire) and dropped with a release store; a
 * waiter spins on plain loads with a pause in between, so it does not bounce the cache line.
 * owner_cpu holds the holder's cpu id plus one, 0 while the lock is free: it is written only
 * by the holder, and cleared before the release, so a CPU that finds its own id there really
 * does hold the lock. Taking a lock this CPU already holds can never succeed (interrupts are
 * off, nobody else will release it), so it panics instead of hanging; so does releasing a
 * lock this CPU does not hold.
 */
#include "core/lib/spinlock.h"

#include "core/lib/log.h"
#include "hal/hal_cpu.h"

void spin_init(struct spinlock *l, const char *name)
{
    l->locked = 0;
    l->owner_cpu = 0;
    l->name = name;
}

static bool held_by_me(const struct spinlock *l, uint32_t me)
{
    return __atomic_load_n(&l->locked, __ATOMIC_RELAXED) &&
           __atomic_load_n(&l->owner_cpu, __ATOMIC_RELAXED) == me;
}

uint64_t spin_lock_irqsave(struct spinlock *l)
{
    uint64_t token = hal_irq_save();
    uint32_t me = hal_cpu_id() + 1;

    if (held_by_me(l, me))
        panic("spinlock %s: recursive lock on cpu %u", l->name ? l->name : "?", me - 1);
    while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
            hal_cpu_relax();
    }
    __atomic_store_n(&l->owner_cpu, me, __ATOMIC_RELAXED);
    return token;
}

void spin_unlock_irqrestore(struct spinlock *l, uint64_t token)
{
    if (!held_by_me(l, hal_cpu_id() + 1))
        panic("spinlock %s: unlock of a lock this cpu does not hold", l->name ? l->name : "?");
    __atomic_store_n(&l->owner_cpu, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
    hal_irq_restore(token);
}

bool spin_is_locked(const struct spinlock *l)
{
    return __atomic_load_n(&l->locked, __ATOMIC_RELAXED) != 0;
}
