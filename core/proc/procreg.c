/*
 * procreg.c - the live processes by serial (proc.h: proc_registry_add, proc_with_serial).
 *
 * A serial is never reused (a 64-bit count from 1), so a record that names a process by
 * serial (the owner of signal-driven I/O) cannot reach a later process that took the same
 * memory or the same pid, and a process that ended is simply not found.
 *
 * Every live process is in the registry, however many there are: a hash of REG_BUCKETS
 * chains linked through the processes themselves (p->reg_next), so adding allocates nothing
 * and cannot fail, and a lookup walks one chain (Petrel runs one process: one entry; hosted
 * tests make dozens). The lock (irqsave: senders run in any context) is held while fn runs,
 * so the process cannot be freed under it: proc_destroy removes it first, under the same lock.
 *
 * A hosted reboot starts a new heap without destroying the old processes, so the chains
 * would lead into memory that is gone: kernel_main calls proc_registry_reset after page_init,
 * which forgets them (their serials are never looked up again: the count goes on).
 */
#include "core/proc/proc.h"

#define REG_BUCKETS 64 /* a power of two */

static struct spinlock reg_lock = SPINLOCK_INIT("procreg");
static struct proc *reg[REG_BUCKETS];
static uint64_t next_serial = 1;

static struct proc **bucket(uint64_t serial)
{
    return &reg[serial & (REG_BUCKETS - 1)];
}

void proc_registry_reset(void)
{
    uint64_t tok = spin_lock_irqsave(&reg_lock);

    for (unsigned i = 0; i < REG_BUCKETS; i++)
        reg[i] = NULL;
    spin_unlock_irqrestore(&reg_lock, tok);
}

void proc_registry_add(struct proc *p)
{
    uint64_t tok = spin_lock_irqsave(&reg_lock);
    struct proc **b;

    p->serial = next_serial++;
    b = bucket(p->serial);
    p->reg_next = *b;
    *b = p;
    spin_unlock_irqrestore(&reg_lock, tok);
}

void proc_registry_remove(struct proc *p)
{
    uint64_t tok = spin_lock_irqsave(&reg_lock);

    for (struct proc **l = bucket(p->serial); *l; l = &(*l)->reg_next)
        if (*l == p) {
            *l = p->reg_next;
            break;
        }
    p->reg_next = NULL;
    spin_unlock_irqrestore(&reg_lock, tok);
}

int proc_with_serial(uint64_t serial, int (*fn)(struct proc *p, void *arg), void *arg)
{
    uint64_t tok = spin_lock_irqsave(&reg_lock);
    int rc = -ESRCH;

    for (struct proc *p = serial ? *bucket(serial) : NULL; p; p = p->reg_next)
        if (p->serial == serial) {
            rc = fn(p, arg);
            break;
        }
    spin_unlock_irqrestore(&reg_lock, tok);
    return rc;
}
