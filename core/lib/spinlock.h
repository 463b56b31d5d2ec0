/*
 * spinlock.h - the one lock API for data shared with interrupts or other CPUs.
 *
 * spin_lock_irqsave() disables interrupts on this CPU (returning the previous state) and
 * then takes the lock; spin_unlock_irqrestore() releases it and restores the state. With one
 * CPU the spin never spins, but every shared structure already goes through this API, so SMP
 * needs no audit later. Taking a lock this CPU already holds panics, and so does releasing a
 * lock it does not hold (every build).
 *
 * The uncontended path is inline: save and disable interrupts, one atomic exchange, one store
 * of the owner; the release checks the owner, clears it, stores 0 and restores interrupts.
 * hal_cpu_id() is one load there (hal_cpu.h). Everything else (spinning, the recursion check,
 * which needs the lock to be taken already) is out of line in spinlock.c.
 */
#ifndef CORE_LIB_SPINLOCK_H
#define CORE_LIB_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "hal/hal_cpu.h"

struct spinlock {
    volatile uint32_t locked;
    uint32_t owner_cpu; /* the holder's hal_cpu_id() + 1; 0 while free */
    const char *name;
};

#define SPINLOCK_INIT(n) {0, 0, n}
void spin_init(struct spinlock *l, const char *name);
bool spin_is_locked(const struct spinlock *l);

/* Out of line: l was locked when spin_lock_irqsave() tried it (spinlock.c). */
void spin_lock_contended(struct spinlock *l, uint32_t me);
void spin_unlock_not_held(const struct spinlock *l) __attribute__((noreturn));

/* Returns the irq token for spin_unlock_irqrestore(). */
static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
    uint64_t token = hal_irq_save();
    uint32_t me = hal_cpu_id() + 1;

    if (__builtin_expect(__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) != 0, 0))
        spin_lock_contended(l, me);
    __atomic_store_n(&l->owner_cpu, me, __ATOMIC_RELAXED);
    return token;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t token)
{
    if (__builtin_expect(__atomic_load_n(&l->owner_cpu, __ATOMIC_RELAXED) != hal_cpu_id() + 1 ||
                             !__atomic_load_n(&l->locked, __ATOMIC_RELAXED),
                         0))
        spin_unlock_not_held(l);
    __atomic_store_n(&l->owner_cpu, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
    hal_irq_restore(token);
}

#endif
