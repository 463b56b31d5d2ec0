/*
 * spinlock.c - the out-of-line half of the irq-saving spinlocks (spinlock.h).
 *
 * locked is taken with an atomic exchange (acquire) and dropped with a release store; a
 * waiter spins on plain loads with a pause in between, so it does not bounce the cache line.
 * owner_cpu holds the holder's cpu id plus one, 0 while the lock is free: it is written only
 * by the holder, and cleared before the release, so a CPU that finds its own id there really
 * does hold the lock. Taking a lock this CPU already holds can never succeed (interrupts are
 * off, nobody else will release it), so it panics instead of hanging. That check costs
 * nothing on the fast path: it runs only once the exchange found the lock taken.
 */
#include "core/lib/spinlock.h"

#include "core/lib/log.h"

void spin_init(struct spinlock *l, const char *name)
{
    l->locked = 0;
    l->owner_cpu = 0;
    l->name = name;
}

void spin_lock_contended(struct spinlock *l, uint32_t me)
{
    if (__atomic_load_n(&l->owner_cpu, __ATOMIC_RELAXED) == me)
        panic("spinlock %s: recursive lock on cpu %u", l->name ? l->name : "?", me - 1);
    do {
        while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
            hal_cpu_relax();
    } while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE));
}

void spin_unlock_not_held(const struct spinlock *l)
{
    panic("spinlock %s: unlock of a lock this cpu does not hold", l->name ? l->name : "?");
}

bool spin_is_locked(const struct spinlock *l)
{
    return __atomic_load_n(&l->locked, __ATOMIC_RELAXED) != 0;
}
