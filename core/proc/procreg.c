/*
 * procreg.c - the live processes by serial (proc.h: proc_registry_add, proc_with_serial).
 *
 * A serial is never reused (a 64-bit count from 1), so a record that names a process by
 * serial (the owner of signal-driven I/O) cannot reach a later process that took the same
 * memory or the same pid, and a process that ended is simply not found. The list's spinlock
 * (irqsave: senders run in any context) is held while fn runs, so the process cannot be
 * freed under it: proc_destroy removes it first, under the same lock. Petrel runs one
 * process; hosted tests make several, one after another, so the walk is one or two entries.
 */
#include "core/proc/proc.h"

static struct spinlock reg_lock = SPINLOCK_INIT("procreg");
static struct list reg = {{&reg.head, &reg.head}};
static uint64_t next_serial = 1;

void proc_registry_add(struct proc *p)
{
    uint64_t tok = spin_lock_irqsave(&reg_lock);

    p->serial = next_serial++;
    list_push_back(&reg, &p->reg_node);
    spin_unlock_irqrestore(&reg_lock, tok);
}

void proc_registry_remove(struct proc *p)
{
    uint64_t tok = spin_lock_irqsave(&reg_lock);

    if (list_node_linked(&p->reg_node))
        list_remove(&p->reg_node);
    spin_unlock_irqrestore(&reg_lock, tok);
}

int proc_with_serial(uint64_t serial, int (*fn)(struct proc *p, void *arg), void *arg)
{
    uint64_t tok = spin_lock_irqsave(&reg_lock);
    int rc = -ESRCH;

    list_for_each(&reg, n) {
        struct proc *p = container_of(n, struct proc, reg_node);

        if (p->serial == serial) {
            rc = fn(p, arg);
            break;
        }
    }
    spin_unlock_irqrestore(&reg_lock, tok);
    return rc;
}
