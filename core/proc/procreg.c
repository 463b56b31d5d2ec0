/*
 * procreg.c - the live processes by serial (proc.h: proc_registry_add, proc_with_serial).
 *
 * A serial is never reused (a 64-bit count from 1), so a record that names a process by
 * serial (the owner of signal-driven I/O) cannot reach a later process that took the same
 * memory or the same pid, and a process that ended is simply not found. The table's spinlock
 * (irqsave: senders run in any context) is held while fn runs, so the process cannot be
 * freed under it: proc_destroy removes it first, under the same lock. Each lookup scans all
 * REG_SLOTS slots (64 compares per signal-driven I/O signal); Petrel runs one process, so
 * only hosted tests, which make several, ever fill more than one.
 */
#include "core/proc/proc.h"

#define REG_SLOTS 64

/* A fixed table, not a list through the processes: a hosted reboot starts a new heap without
 * destroying the old processes, and a list would link into it. Slots are only dereferenced
 * when their serial matches, and serials are never reused. */
static struct spinlock reg_lock = SPINLOCK_INIT("procreg");
static struct {
    uint64_t serial; /* 0: free */
    struct proc *p;
} reg[REG_SLOTS];
static uint64_t next_serial = 1;

/* Add p: a free slot, else the oldest (more than REG_SLOTS live processes: hosted tests only;
 * the oldest's owners then signal nobody). */
void proc_registry_add(struct proc *p)
{
    uint64_t tok = spin_lock_irqsave(&reg_lock);
    unsigned pick = 0;

    for (unsigned i = 0; i < REG_SLOTS; i++)
        if (reg[i].serial < reg[pick].serial)
            pick = i;
    p->serial = next_serial++;
    reg[pick].serial = p->serial;
    reg[pick].p = p;
    spin_unlock_irqrestore(&reg_lock, tok);
}

void proc_registry_remove(struct proc *p)
{
    uint64_t tok = spin_lock_irqsave(&reg_lock);

    for (unsigned i = 0; i < REG_SLOTS; i++)
        if (reg[i].serial == p->serial && reg[i].p == p)
            reg[i].serial = 0;
    spin_unlock_irqrestore(&reg_lock, tok);
}

int proc_with_serial(uint64_t serial, int (*fn)(struct proc *p, void *arg), void *arg)
{
    uint64_t tok = spin_lock_irqsave(&reg_lock);
    int rc = -ESRCH;

    for (unsigned i = 0; serial && i < REG_SLOTS; i++)
        if (reg[i].serial == serial) {
            rc = fn(reg[i].p, arg);
            break;
        }
    spin_unlock_irqrestore(&reg_lock, tok);
    return rc;
}
