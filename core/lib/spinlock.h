/*
 * spinlock.h - the one lock API for data shared with interrupts or other CPUs.
 *
 * spin_lock_irqsave() disables interrupts on this CPU (returning the previous state) and
 * then takes the lock; spin_unlock_irqrestore() releases it and restores the state. With one
 * CPU the spin never spins, but every shared structure already goes through this API, so SMP
 * needs no audit later. A lock taken twice on one CPU panics (in debug builds).
 */
#ifndef CORE_LIB_SPINLOCK_H
#define CORE_LIB_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct spinlock {
    volatile uint32_t locked;
    uint32_t owner_cpu;
    const char *name;
};

#define SPINLOCK_INIT(n) {0, 0, n}
void spin_init(struct spinlock *l, const char *name);
uint64_t spin_lock_irqsave(struct spinlock *l); /* returns the irq token */
void spin_unlock_irqrestore(struct spinlock *l, uint64_t token);
bool spin_is_locked(const struct spinlock *l);

#endif
