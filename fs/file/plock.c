/*
 * plock.c - fcntl(2) byte-range locks: POSIX record locks (F_GETLK, F_SETLK, F_SETLKW) and
 * open-file-description locks (F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW).
 *
 * Both kinds live in one table and conflict with each other; they differ by owner:
 *   POSIX  owned by the process (its descriptor table is the owner token the syscall layer
 *          passes, as Linux's files_struct): every thread shares them, they never conflict
 *          with each other, and a close of ANY descriptor of the file by the process drops
 *          all of them on that file (plock_close, from the descriptor table).
 *   OFD    owned by the open file description: dup'd descriptors share them, two open()s
 *          of one file conflict, and they go with the description's last reference
 *          (plock_release, from file_put).
 * flock(2) locks (flock.c) are another table: on Linux the two never interact.
 *
 * A record covers [start, end] (inclusive; end INT64_MAX: "to end of file, and beyond").
 * One owner's records on one file never overlap: a new lock takes over its range from the
 * owner's older records (splitting one that encloses it), and merges with touching records
 * of the same type. The records of one (file, owner) sit together in the table, sorted by
 * start, and a new owner's go to the tail: F_GETLK reports the first conflicting record in
 * that order, which is the one Linux reports.
 *
 * Petrel runs one process, so a POSIX request only ever waits for OFD locks, and Linux's
 * deadlock detection (which follows POSIX owners only) never fires: no -EDEADLK here.
 *
 * Locking as flock.c: table_lock (a spinlock) over the table, one wait queue for every
 * waiter; any change that may free a range wakes them all and each checks again. A waiter
 * queues itself before it lets go of table_lock, so no unlock is missed.
 * Checked against Linux: tests/syscall/cases_locks.c; blocking: tests/hosted/test_locks.c.
 */
#include "core/abi/fcntl.h"
#include "core/lib/alloc.h"
#include "fs/file/file.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_errno.h"

#define PLOCK_EOF INT64_MAX

struct plock {
    struct list_node node;
    const void *key;   /* file_lock_key() */
    const void *owner; /* the POSIX owner token, or the struct file of an OFD lock */
    int pid;           /* reported by F_GETLK: the process's pid, -1 for OFD locks */
    bool wr;
    int64_t start, end;
};

/* A decoded request: the range, the type, who asks. */
struct plock_req {
    const void *key, *owner;
    int pid;
    int type; /* LINUX_F_RDLCK, LINUX_F_WRLCK, LINUX_F_UNLCK */
    int64_t start, end;
};

static struct spinlock table_lock = SPINLOCK_INIT("plock");
static struct list table = {{&table.head, &table.head}};
static struct wait_queue waiters = {
    SPINLOCK_INIT("plock.wait"), {{&waiters.waiters.head, &waiters.waiters.head}}, 0};
static unsigned posix_count; /* POSIX records in the table (atomic): closes look when > 0 */

const void *file_lock_key(struct file *f)
{
    struct vfs_file *vf = file_vfs(f);

    if (vf)
        return vf->inode;
    return f->ops->lock_key ? f->ops->lock_key(f) : f->priv;
}

static struct plock *rec_of(struct list_node *n)
{
    return container_of(n, struct plock, node);
}

static bool overlaps(const struct plock *r, int64_t start, int64_t end)
{
    return r->start <= end && start <= r->end;
}

/* The first record of another owner that a lock of rq's type over rq's range conflicts
 * with, or NULL (table_lock held). */
static struct plock *find_conflict(const struct plock_req *rq)
{
    list_for_each(&table, n)
    {
        struct plock *r = rec_of(n);

        if (r->key == rq->key && r->owner != rq->owner && overlaps(r, rq->start, rq->end) &&
            (rq->type == LINUX_F_WRLCK || r->wr))
            return r;
    }
    return NULL;
}

/* Unlink r into the list of records to free once table_lock is dropped. */
static void discard(struct plock *r, struct list *dead)
{
    list_remove(&r->node);
    if (r->pid >= 0)
        __atomic_sub_fetch(&posix_count, 1, __ATOMIC_RELAXED);
    list_push_back(dead, &r->node);
}

static struct plock *take_spare(struct plock **spare, const struct plock *like)
{
    struct plock *r = spare[0] ? spare[0] : spare[1];

    if (r == spare[0])
        spare[0] = NULL;
    else
        spare[1] = NULL;
    *r = *like;
    if (r->pid >= 0)
        __atomic_add_fetch(&posix_count, 1, __ATOMIC_RELAXED);
    return r;
}

/* The owner's record r against a new range [*s, *e] of type rq->type: merge (same type,
 * touching: the range grows and r goes), trim, split (r encloses the range: a spare takes
 * the right part) or drop it. true when r changed in a way that may free a range. */
static bool fit_one(struct plock *r, const struct plock_req *rq, int64_t *s, int64_t *e,
                    struct plock **spare, struct list *dead)
{
    bool same = rq->type != LINUX_F_UNLCK && r->wr == (rq->type == LINUX_F_WRLCK);

    if (same) {
        if (r->end < *s - 1 || r->start - 1 > *e)
            return false;
        *s = r->start < *s ? r->start : *s;
        *e = r->end > *e ? r->end : *e;
        discard(r, dead);
        return false; /* the new record covers it with the same type */
    }
    if (!overlaps(r, *s, *e))
        return false;
    if (r->start < *s && r->end > *e) {
        struct plock *right = take_spare(spare, r);

        right->start = *e + 1;
        list_insert_between(&right->node, &r->node, r->node.next);
        r->end = *s - 1;
    } else if (r->start < *s) {
        r->end = *s - 1;
    } else if (r->end > *e) {
        r->start = *e + 1;
    } else {
        discard(r, dead);
    }
    return true;
}

/* Insert rq's record [s, e] into its owner's group, in start order: before is the node
 * after the group's last record, or the head (the table's tail) for a new group. */
static void insert_new(const struct plock_req *rq, int64_t s, int64_t e, struct list_node *before,
                       struct plock **spare)
{
    struct plock like = {
        {NULL, NULL}, rq->key, rq->owner, rq->pid, rq->type == LINUX_F_WRLCK, s, e};

    while (before->prev != &table.head) {
        struct plock *p = rec_of(before->prev);

        if (p->key != rq->key || p->owner != rq->owner || p->start < s)
            break;
        before = before->prev;
    }
    list_insert_before(before, &take_spare(spare, &like)->node);
}

/* Apply rq to its owner's records (no conflict: the caller checked; table_lock held).
 * spare: two preallocated records, those used set to NULL; records that go are moved to
 * dead. true when waiters should look again. */
static bool apply(const struct plock_req *rq, struct plock **spare, struct list *dead)
{
    int64_t s = rq->start, e = rq->end;
    struct list_node *before = &table.head;
    bool changed = false, seen = false;

    list_for_each_safe(&table, n, tmp)
    {
        struct plock *r = rec_of(n);

        if (r->key != rq->key || r->owner != rq->owner) {
            if (seen)
                break; /* past the owner's group */
            continue;
        }
        seen = true;
        changed |= fit_one(r, rq, &s, &e, spare, dead);
        before = tmp;
    }
    if (rq->type != LINUX_F_UNLCK)
        insert_new(rq, s, e, before, spare);
    return changed;
}

static void free_all(struct list *dead)
{
    struct list_node *n;

    while ((n = list_pop_front(dead)))
        kfree(rec_of(n));
}

/* Shared with flock.c (file.h): both tables wait the same way. */
int file_lock_wait(struct wait_queue *wq, struct spinlock *tlock, uint64_t *irq)
{
    uint64_t wirq = spin_lock_irqsave(&wq->lock);
    int rc;

    spin_unlock_irqrestore(tlock, *irq);
    rc = wq_wait_locked_intr(wq, &wirq, UINT64_MAX);
    spin_unlock_irqrestore(&wq->lock, wirq);
    *irq = spin_lock_irqsave(tlock);
    return rc == -EINTR ? -ERESTARTSYS : 0;
}

/* F_SETLK/F_SETLKW and the OFD forms: wait (unless nb) while another owner's lock
 * conflicts, then apply. */
static int set_lock(struct file *f, const struct plock_req *rq, bool nb)
{
    struct plock *spare[2] = {kzalloc(sizeof(struct plock)), kzalloc(sizeof(struct plock))};
    struct list dead;
    bool wake = false;
    uint64_t irq;
    int rc = 0;

    list_init(&dead);
    if (!spare[0] || !spare[1]) {
        rc = -ENOMEM;
        goto out;
    }
    irq = spin_lock_irqsave(&table_lock);
    while (rc == 0 && rq->type != LINUX_F_UNLCK && find_conflict(rq))
        rc = nb ? -EAGAIN : file_lock_wait(&waiters, &table_lock, &irq);
    if (rc == 0) {
        wake = apply(rq, spare, &dead);
        if (rq->pid < 0 && rq->type != LINUX_F_UNLCK)
            __atomic_store_n(&f->plocked, true, __ATOMIC_RELAXED);
    }
    spin_unlock_irqrestore(&table_lock, irq);
    if (wake)
        wq_wake_all(&waiters);
out:
    kfree(spare[0]);
    kfree(spare[1]);
    free_all(&dead);
    return rc;
}

/* F_GETLK: the first conflicting lock into *fl (whence SEEK_SET, len 0 for "to EOF"), or
 * l_type F_UNLCK and the rest as given. */
static void get_lock(const struct plock_req *rq, struct linux_flock *fl)
{
    uint64_t irq = spin_lock_irqsave(&table_lock);
    struct plock *r = find_conflict(rq);

    if (r) {
        fl->l_type = r->wr ? LINUX_F_WRLCK : LINUX_F_RDLCK;
        fl->l_whence = LINUX_SEEK_SET;
        fl->l_start = r->start;
        fl->l_len = r->end == PLOCK_EOF ? 0 : r->end - r->start + 1;
        fl->l_pid = r->pid;
    } else {
        fl->l_type = LINUX_F_UNLCK;
    }
    spin_unlock_irqrestore(&table_lock, irq);
}

/* Where l_whence counts from: 0, the file position, or the size. */
static int64_t whence_base(struct file *f, int whence)
{
    struct vfs_stat st;
    int64_t pos;

    if (whence == LINUX_SEEK_SET)
        return 0;
    if (whence == LINUX_SEEK_CUR) {
        if (!(f->mode & FILE_MODE_POS))
            return 0; /* a pipe's position: Linux's f_pos, never moved */
        mutex_lock(&f->pos_lock);
        pos = (int64_t)f->pos;
        mutex_unlock(&f->pos_lock);
        return pos;
    }
    return file_stat(f, &st) == 0 && st.st_size > 0 ? st.st_size : 0;
}

/* l_whence/l_start/l_len into [start, end]: -EINVAL (whence, a negative start),
 * -EOVERFLOW (past INT64_MAX), in Linux's order. */
static int decode_range(struct file *f, const struct linux_flock *fl, struct plock_req *rq)
{
    int64_t base, start, len = fl->l_len;

    if (fl->l_whence != LINUX_SEEK_SET && fl->l_whence != LINUX_SEEK_CUR &&
        fl->l_whence != LINUX_SEEK_END)
        return -EINVAL;
    base = whence_base(f, fl->l_whence);
    if (fl->l_start > PLOCK_EOF - base)
        return -EOVERFLOW;
    start = base + fl->l_start;
    if (start < 0)
        return -EINVAL;
    if (len > 0) {
        if (len - 1 > PLOCK_EOF - start)
            return -EOVERFLOW;
        rq->start = start;
        rq->end = start + (len - 1); /* start + len may pass INT64_MAX */
    } else if (len < 0) {
        rq->end = start - 1;
        rq->start = start + len;
        if (rq->start < 0)
            return -EINVAL;
    } else {
        rq->start = start;
        rq->end = PLOCK_EOF;
    }
    return 0;
}

static bool is_get(unsigned cmd)
{
    return cmd == LINUX_F_GETLK || cmd == LINUX_F_OFD_GETLK;
}

static bool is_ofd(unsigned cmd)
{
    return cmd == LINUX_F_OFD_GETLK || cmd == LINUX_F_OFD_SETLK || cmd == LINUX_F_OFD_SETLKW;
}

/* Decode *fl for cmd as Linux checks it: GETLK the type, then (OFD) l_pid, then the range;
 * SETLK the range, the type, the open mode (-EBADF), then (OFD) l_pid. */
static int decode(struct file *f, unsigned cmd, const struct linux_flock *fl, struct plock_req *rq)
{
    unsigned acc = file_flags(f) & VFS_O_ACCMODE;
    int rc;

    rq->type = fl->l_type;
    if (is_get(cmd)) {
        if (fl->l_type != LINUX_F_RDLCK && fl->l_type != LINUX_F_WRLCK)
            return -EINVAL;
        if (is_ofd(cmd) && fl->l_pid != 0)
            return -EINVAL;
        return decode_range(f, fl, rq);
    }
    rc = decode_range(f, fl, rq);
    if (rc)
        return rc;
    if (fl->l_type != LINUX_F_RDLCK && fl->l_type != LINUX_F_WRLCK && fl->l_type != LINUX_F_UNLCK)
        return -EINVAL;
    if ((fl->l_type == LINUX_F_RDLCK && acc == VFS_O_WRONLY) ||
        (fl->l_type == LINUX_F_WRLCK && acc == VFS_O_RDONLY))
        return -EBADF;
    if (is_ofd(cmd) && fl->l_pid != 0)
        return -EINVAL;
    return 0;
}

long file_plock(struct file *f, unsigned cmd, struct linux_flock *fl, const void *owner, int pid)
{
    struct plock_req rq;
    int rc;

    if (file_flags(f) & VFS_O_PATH)
        return -EBADF;
    rc = decode(f, cmd, fl, &rq);
    if (rc)
        return rc;
    rq.key = file_lock_key(f);
    rq.owner = is_ofd(cmd) ? (const void *)f : owner;
    rq.pid = is_ofd(cmd) ? -1 : pid;
    if (is_get(cmd)) {
        get_lock(&rq, fl);
        return 0;
    }
    return set_lock(f, &rq, cmd == LINUX_F_SETLK || cmd == LINUX_F_OFD_SETLK);
}

/* Drop the records that match (table_lock taken here); wakes the waiters when any went. */
static void drop_where(const void *key, const void *owner)
{
    struct list dead;
    uint64_t irq;

    list_init(&dead);
    irq = spin_lock_irqsave(&table_lock);
    list_for_each_safe(&table, n, tmp)
    {
        struct plock *r = rec_of(n);

        if (r->owner == owner && (!key || r->key == key))
            discard(r, &dead);
    }
    spin_unlock_irqrestore(&table_lock, irq);
    if (!list_empty(&dead))
        wq_wake_all(&waiters);
    free_all(&dead);
}

void plock_close(struct file *f, const void *owner)
{
    if (__atomic_load_n(&posix_count, __ATOMIC_RELAXED) == 0 || (file_flags(f) & VFS_O_PATH))
        return;
    drop_where(file_lock_key(f), owner);
}

void plock_release(struct file *f)
{
    if (__atomic_load_n(&f->plocked, __ATOMIC_RELAXED))
        drop_where(NULL, f);
}
