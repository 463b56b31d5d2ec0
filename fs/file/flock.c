/*
 * flock.c - flock(2): whole-file advisory locks owned by open file descriptions.
 *
 * A lock belongs to a description (struct file), not to a descriptor or a thread: dup'd
 * descriptors share it, two open()s of one file conflict, and it goes when the description's
 * last reference does (file_put calls flock_release). It is keyed by the file's VFS inode
 * (another kind: its own object). One table (a list under a spinlock) holds every lock, and
 * one wait queue every waiter: an unlock wakes them all and each checks again; Petrel runs
 * one program, whose locks are few. A waiter queues itself (taking the queue's lock) before
 * it lets go of the table's, so no unlock between its check and its sleep is missed.
 * Conversion (SH <-> EX) drops the old lock first, as Linux does (not atomic).
 * Checked against Linux: tests/syscall/cases_files2.c (flock.*).
 */
#include "core/abi/fcntl.h"
#include "core/lib/alloc.h"
#include "fs/file/file.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_errno.h"

struct flock_rec {
    struct list_node node;
    const void *key; /* the inode (VFS kind) or the kind's object */
    struct file *owner;
    bool excl;
};

static struct spinlock table_lock = SPINLOCK_INIT("flock");
static struct list table = {{&table.head, &table.head}};
static struct wait_queue waiters = {SPINLOCK_INIT("flock.wait"),
                                    {{&waiters.waiters.head, &waiters.waiters.head}}, 0};

static const void *key_of(struct file *f)
{
    return file_lock_key(f);
}

/* f's own lock on key, or NULL (table_lock held). */
static struct flock_rec *find_own(struct file *f, const void *key)
{
    list_for_each(&table, n)
    {
        struct flock_rec *r = container_of(n, struct flock_rec, node);

        if (r->owner == f && r->key == key)
            return r;
    }
    return NULL;
}

/* Another description holds a lock on key that excl (or any exclusive one) conflicts with. */
static bool conflicts(struct file *f, const void *key, bool excl)
{
    list_for_each(&table, n)
    {
        struct flock_rec *r = container_of(n, struct flock_rec, node);

        if (r->key == key && r->owner != f && (excl || r->excl))
            return true;
    }
    return false;
}

/* Drop f's lock on key, if any (table_lock held); true when one went. */
static bool drop_own(struct file *f, const void *key)
{
    struct flock_rec *r = find_own(f, key);

    if (!r)
        return false;
    list_remove(&r->node);
    kfree(r);
    return true;
}

static int lock(struct file *f, const void *key, bool excl, bool nb)
{
    struct flock_rec *nr = kzalloc(sizeof(*nr)), *own;
    bool dropped = false;
    uint64_t irq;
    int rc = 0;

    if (!nr)
        return -ENOMEM;
    irq = spin_lock_irqsave(&table_lock);
    own = find_own(f, key);
    if (own && own->excl == excl) {
        spin_unlock_irqrestore(&table_lock, irq);
        kfree(nr);
        return 0;
    }
    dropped = drop_own(f, key);
    while (rc == 0 && conflicts(f, key, excl))
        rc = nb ? -EAGAIN : file_lock_wait(&waiters, &table_lock, &irq);
    if (rc == 0) {
        *nr = (struct flock_rec){{NULL, NULL}, key, f, excl};
        list_push_back(&table, &nr->node);
        __atomic_store_n(&f->flocked, true, __ATOMIC_RELAXED);
        nr = NULL;
    }
    spin_unlock_irqrestore(&table_lock, irq);
    kfree(nr);
    if (dropped)
        wq_wake_all(&waiters);
    return rc;
}

int file_flock(struct file *f, int op)
{
    int cmd = op & ~LINUX_LOCK_NB;
    bool gone;
    uint64_t irq;

    if (file_flags(f) & VFS_O_PATH)
        return -EBADF; /* Linux: no such descriptor for flock */
    if (op & LINUX_LOCK_MAND)
        return 0; /* the removed LOCK_MAND: Linux ignores the call */
    if (cmd != LINUX_LOCK_SH && cmd != LINUX_LOCK_EX && cmd != LINUX_LOCK_UN)
        return -EINVAL;
    if (cmd != LINUX_LOCK_UN)
        return lock(f, key_of(f), cmd == LINUX_LOCK_EX, op & LINUX_LOCK_NB);
    irq = spin_lock_irqsave(&table_lock);
    gone = drop_own(f, key_of(f));
    spin_unlock_irqrestore(&table_lock, irq);
    if (gone)
        wq_wake_all(&waiters);
    return 0;
}

void flock_release(struct file *f)
{
    uint64_t irq;
    bool gone = false;

    if (!__atomic_load_n(&f->flocked, __ATOMIC_RELAXED))
        return;
    irq = spin_lock_irqsave(&table_lock);
    list_for_each_safe(&table, n, tmp)
    {
        struct flock_rec *r = container_of(n, struct flock_rec, node);

        if (r->owner == f) {
            list_remove(&r->node);
            kfree(r);
            gone = true;
        }
    }
    spin_unlock_irqrestore(&table_lock, irq);
    if (gone)
        wq_wake_all(&waiters);
}
