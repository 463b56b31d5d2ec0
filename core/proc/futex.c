/*
 * futex.c - futexes: wait queues keyed by a user address, the operations of futex(2), and
 * the futex side of a thread's exit (clear_child_tid, the robust list).
 *
 * Each process has a table of FUTEX_BUCKETS buckets (struct futex_table), each a mutex and a
 * list of waiters (struct futex_q, on the waiter's stack). A key is the user address and
 * whether the operation is shared: Linux keys a private operation by (mm, address) and a
 * shared one on a private page by (mm, address) marked shared, so a shared wake does not wake
 * a private waiter (checked natively). A shared operation on a shared file mapping is keyed
 * by the file (its inode) and the offset in it (vm_futex_key, core/mm), as Linux keys a
 * page-cache page, so two mappings of one file (a memfd mapped twice) at different addresses
 * wake each other. Nothing else can be mapped at two addresses (shared anonymous memory has
 * one mapping: mremap cannot duplicate it, and there is no fork), so the address names it.
 *
 * Waiting: the bucket mutex is held from reading the futex word to queueing the waiter, and
 * every waker takes it, so a wake that follows the program's store of a new value either
 * finds the waiter queued or the waiter finds the new value (-EAGAIN). A waiter sleeps on its
 * own wait queue; a waker unlinks it and sets `woken` under the bucket mutex and the waiter's
 * queue lock, so a waiter that times out and finds itself unlinked knows it was woken (and
 * returns 0, as Linux, since the wake counted it). Waits are interruptible (thread_interrupt:
 * -EINTR; Linux restarts an interrupted FUTEX_WAIT when the handler has SA_RESTART or there is
 * no handler, which is the signal layer's decision). Requeue moves waiters between buckets
 * under both mutexes (taken in address order).
 *
 * A wake with nobody waiting takes no lock (as Linux's hb_waiters_pending): each bucket counts
 * its waiters (`nwaiting`), raised before the waiter takes the mutex to read the word and
 * lowered when it leaves the bucket (woken, timed out, interrupted, or the word differed), so
 * a waker that reads 0 after a full barrier knows that any waiter to come will read the word
 * the program stored before the wake, and find it changed.
 *
 * User words: read with hal_user_load32 and changed with hal_user_cmpxchg32 (the HAL's
 * non-sleeping, atomic user-word operations), so FUTEX_WAKE_OP's read-modify-write and the
 * robust list's owner-died marking are atomic against the program on any number of CPUs: a
 * compare-exchange loop retries when the program changed the word in between. The HAL never
 * faults a page in: an -EFAULT is followed by vm_fault (core/mm, may sleep) for the access
 * the operation needs, and the operation is retried; -EFAULT stays when no area allows the
 * access (docs/threads.md). These run with the bucket mutex held (a sleeping lock, so the
 * fault-in may sleep under it; nothing in core/mm takes a futex bucket).
 */
#include "core/abi/sched.h"
#include "core/lib/alloc.h"
#include "core/lib/list.h"
#include "core/mm/uaccess.h"
#include "core/proc/proc.h"
#include "hal/hal_errno.h"
#include "hal/hal_user.h"

#define FUTEX_BUCKETS 64
#define USER_TOP 0x00007ffffffff000ULL /* TASK_SIZE_MAX */

struct futex_key {
    const void *obj; /* shared file mappings: the file's inode (addr is then the offset) */
    uint64_t addr;
    bool shared;
};

struct futex_q {
    struct list_node node; /* bucket's list; bucket mutex */
    struct futex_key key;  /* bucket mutex (requeue changes it under both) */
    uint32_t bitset;
    bool woken; /* wq.lock */
    struct wait_queue wq;
};

struct futex_bucket {
    struct mutex lock;
    struct list waiters;
    uint32_t nwaiting; /* queued waiters and waiters about to read the word (atomic) */
};

struct futex_table {
    struct futex_bucket b[FUTEX_BUCKETS];
};

int futex_table_create(struct futex_table **out)
{
    struct futex_table *t = kmalloc(sizeof(*t));

    if (!t)
        return -ENOMEM;
    for (int i = 0; i < FUTEX_BUCKETS; i++) {
        mutex_init(&t->b[i].lock, "futex");
        list_init(&t->b[i].waiters);
        t->b[i].nwaiting = 0;
    }
    *out = t;
    return 0;
}

void futex_table_destroy(struct futex_table *t)
{
    kfree(t);
}

static struct futex_bucket *bucket_of(struct futex_table *t, const struct futex_key *k)
{
    uint64_t h = ((k->addr >> 2) ^ (uint64_t)(uintptr_t)k->obj) * 0x9e3779b97f4a7c15ULL;

    return &t->b[(h >> 58) % FUTEX_BUCKETS];
}

static bool key_eq(const struct futex_key *a, const struct futex_key *b)
{
    return a->addr == b->addr && a->shared == b->shared && a->obj == b->obj;
}

/* The key of uaddr: -EINVAL unaligned, -EFAULT outside the user half (or, shared, outside
 * any mapping: Linux needs the page to key a shared futex). */
static int futex_key(struct proc *p, uint64_t uaddr, bool shared, struct futex_key *k)
{
    if (uaddr & 3)
        return -EINVAL;
    if (uaddr >= USER_TOP || uaddr < p->vm->va_min)
        return -EFAULT;
    k->obj = NULL;
    k->addr = uaddr;
    k->shared = shared;
    if (shared && vm_futex_key(p->vm, uaddr, &k->obj, &k->addr))
        return -EFAULT;
    return 0;
}

#define USER_WORD_RETRIES 8 /* fault-ins per access: more means the mapping keeps changing */

/* After the HAL's -EFAULT: make the page there for access (VM_PROT_READ/WRITE). */
static int fault_in(uint64_t uaddr, unsigned access)
{
    struct vm_space *s = vm_current();

    return s && vm_fault(s, uaddr, access) == 0 ? 0 : -EFAULT;
}

/* *v = the user word at uaddr (4-aligned): 0 or -EFAULT. May sleep (fault-in). */
static int get_word(uint64_t uaddr, uint32_t *v)
{
    for (int i = 0; i < USER_WORD_RETRIES; i++) {
        int rc = hal_user_load32(uaddr, v);

        if (rc != -EFAULT || fault_in(uaddr, VM_PROT_READ))
            return rc;
    }
    return -EFAULT;
}

/* Replace the user word at uaddr with desired if it holds expected; *old: what it held.
 * 0 (compare *old with expected) or -EFAULT. May sleep (fault-in). */
static int cmpxchg_word(uint64_t uaddr, uint32_t expected, uint32_t desired, uint32_t *old)
{
    for (int i = 0; i < USER_WORD_RETRIES; i++) {
        int rc = hal_user_cmpxchg32(uaddr, expected, desired, old);

        if (rc != -EFAULT || fault_in(uaddr, VM_PROT_WRITE))
            return rc;
    }
    return -EFAULT;
}

static void waiting_add(struct futex_bucket *b, int n)
{
    __atomic_add_fetch(&b->nwaiting, (uint32_t)n, __ATOMIC_SEQ_CST); /* a full barrier */
}

/* With q's bucket mutex held: q leaves the bucket b, woken. */
static void q_wake(struct futex_bucket *b, struct futex_q *q)
{
    uint64_t tok;

    waiting_add(b, -1);
    list_remove(&q->node);
    list_node_init(&q->node);
    tok = spin_lock_irqsave(&q->wq.lock);
    q->woken = true;
    wq_wake_all_locked(&q->wq);
    spin_unlock_irqrestore(&q->wq.lock, tok);
}

/* Lock the bucket q is in now (requeue may move it meanwhile). */
static struct futex_bucket *lock_q_bucket(struct futex_table *t, struct futex_q *q)
{
    for (;;) {
        struct futex_bucket *b = bucket_of(t, &q->key);

        mutex_lock(&b->lock);
        if (bucket_of(t, &q->key) == b)
            return b;
        mutex_unlock(&b->lock);
    }
}

/* Sleep until woken, the deadline (-ETIMEDOUT) or an interrupt (-EINTR: a signal, or the
 * process ending); q is queued, its bucket mutex held (released here). */
static long q_sleep(struct futex_table *t, struct futex_bucket *b, struct futex_q *q,
                    uint64_t deadline_ns)
{
    uint64_t tok = spin_lock_irqsave(&q->wq.lock);
    int rc = 0;
    bool woken;

    mutex_unlock(&b->lock);
    while (!q->woken && rc == 0)
        rc = wq_wait_locked_intr(&q->wq, &tok, deadline_ns);
    woken = q->woken;
    spin_unlock_irqrestore(&q->wq.lock, tok);
    if (woken)
        return 0;
    b = lock_q_bucket(t, q);
    woken = !list_node_linked(&q->node);
    if (!woken) {
        list_remove(&q->node);
        waiting_add(b, -1);
    }
    mutex_unlock(&b->lock);
    return woken ? 0 : rc;
}

long futex_wait(struct proc *p, uint64_t uaddr, bool shared, uint32_t val, uint64_t deadline_ns,
                uint32_t bitset)
{
    struct futex_table *t = p->futex;
    struct futex_bucket *b;
    struct futex_q q;
    uint32_t cur;
    int rc = bitset ? futex_key(p, uaddr, shared, &q.key) : -EINVAL;

    if (rc)
        return rc;
    q.bitset = bitset;
    q.woken = false;
    list_node_init(&q.node);
    wq_init(&q.wq, "futex");
    b = bucket_of(t, &q.key);
    waiting_add(b, 1); /* before the word is read: a waker now takes the mutex */
    mutex_lock(&b->lock);
    rc = get_word(uaddr, &cur);
    if (rc == 0 && cur != val)
        rc = -EAGAIN;
    if (rc == 0 && deadline_ns == 0)
        rc = -ETIMEDOUT; /* an absolute deadline already past */
    if (rc) {
        waiting_add(b, -1);
        mutex_unlock(&b->lock);
        return rc;
    }
    list_push_back(&b->waiters, &q.node);
    return q_sleep(t, b, &q, deadline_ns);
}

/* With b's mutex held: wake up to nr (at least one, as Linux) waiters on k in bitset. */
static long wake_locked(struct futex_bucket *b, const struct futex_key *k, int nr, uint32_t bitset)
{
    long n = 0;

    list_for_each_safe(&b->waiters, node, tmp)
    {
        struct futex_q *q = container_of(node, struct futex_q, node);

        if (!key_eq(&q->key, k) || !(q->bitset & bitset))
            continue;
        q_wake(b, q);
        if (++n >= nr)
            break;
    }
    return n;
}

long futex_wake(struct proc *p, uint64_t uaddr, bool shared, int nr, uint32_t bitset)
{
    struct futex_key k;
    struct futex_bucket *b;
    long n;
    int rc = bitset ? futex_key(p, uaddr, shared, &k) : -EINVAL;

    if (rc)
        return rc;
    b = bucket_of(p->futex, &k);
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* the program's store of the word, then this */
    if (__atomic_load_n(&b->nwaiting, __ATOMIC_SEQ_CST) == 0)
        return 0; /* nobody waits, nor is about to read the word: no lock (file comment) */
    mutex_lock(&b->lock);
    n = wake_locked(b, &k, nr, bitset);
    mutex_unlock(&b->lock);
    return n;
}

static void lock_two(struct futex_bucket *a, struct futex_bucket *b)
{
    if (a == b) {
        mutex_lock(&a->lock);
    } else if (a < b) {
        mutex_lock(&a->lock);
        mutex_lock(&b->lock);
    } else {
        mutex_lock(&b->lock);
        mutex_lock(&a->lock);
    }
}

static void unlock_two(struct futex_bucket *a, struct futex_bucket *b)
{
    mutex_unlock(&a->lock);
    if (a != b)
        mutex_unlock(&b->lock);
}

/* Wake nr_wake waiters of k1, move up to nr_requeue more to k2; both mutexes held. */
static long requeue_locked(struct futex_bucket *b1, const struct futex_key *k1,
                           struct futex_bucket *b2, const struct futex_key *k2, int nr_wake,
                           int nr_requeue)
{
    long woken = 0, moved = 0;

    list_for_each_safe(&b1->waiters, node, tmp)
    {
        struct futex_q *q = container_of(node, struct futex_q, node);

        if (!key_eq(&q->key, k1))
            continue;
        if (woken < nr_wake) {
            q_wake(b1, q);
            woken++;
            continue;
        }
        if (moved >= nr_requeue)
            break;
        list_remove(&q->node);
        q->key = *k2;
        waiting_add(b2, 1);
        waiting_add(b1, -1);
        list_push_back(&b2->waiters, &q->node);
        moved++;
    }
    return woken + moved;
}

long futex_requeue(struct proc *p, uint64_t uaddr, bool shared, int nr_wake, int nr_requeue,
                   uint64_t uaddr2, bool cmp, uint32_t val3)
{
    struct futex_key k1, k2;
    struct futex_bucket *b1, *b2;
    uint32_t cur;
    long rc = nr_wake < 0 || nr_requeue < 0 ? -EINVAL : futex_key(p, uaddr, shared, &k1);

    if (rc == 0)
        rc = futex_key(p, uaddr2, shared, &k2);
    if (rc)
        return rc;
    b1 = bucket_of(p->futex, &k1);
    b2 = bucket_of(p->futex, &k2);
    lock_two(b1, b2);
    if (cmp) {
        rc = get_word(uaddr, &cur);
        if (rc == 0 && cur != val3)
            rc = -EAGAIN;
    }
    if (rc == 0)
        rc = requeue_locked(b1, &k1, b2, &k2, nr_wake, nr_requeue);
    unlock_two(b1, b2);
    return rc;
}

/* FUTEX_WAKE_OP's operation on old: the new value, or -ENOSYS for an unknown op. */
static long wake_op_apply(uint32_t encoded, uint32_t old, uint32_t *out)
{
    unsigned op = LINUX_FUTEX_OP_GET_OP(encoded);
    int32_t oparg = LINUX_FUTEX_OP_GET_OPARG(encoded);

    if (op & LINUX_FUTEX_OP_OPARG_SHIFT) {
        oparg = (int32_t)(1u << (oparg & 31)); /* Linux masks a shift out of range */
        op &= ~(unsigned)LINUX_FUTEX_OP_OPARG_SHIFT;
    }
    switch (op) {
    case LINUX_FUTEX_OP_SET:
        *out = (uint32_t)oparg;
        return 0;
    case LINUX_FUTEX_OP_ADD:
        *out = old + (uint32_t)oparg;
        return 0;
    case LINUX_FUTEX_OP_OR:
        *out = old | (uint32_t)oparg;
        return 0;
    case LINUX_FUTEX_OP_ANDN:
        *out = old & ~(uint32_t)oparg;
        return 0;
    case LINUX_FUTEX_OP_XOR:
        *out = old ^ (uint32_t)oparg;
        return 0;
    default:
        return -ENOSYS;
    }
}

/* The comparison of FUTEX_WAKE_OP: 1 true, 0 false, -ENOSYS unknown. */
static long wake_op_cmp(uint32_t encoded, uint32_t old)
{
    int32_t o = (int32_t)old, arg = LINUX_FUTEX_OP_GET_CMPARG(encoded);

    switch (LINUX_FUTEX_OP_GET_CMP(encoded)) {
    case LINUX_FUTEX_OP_CMP_EQ:
        return o == arg;
    case LINUX_FUTEX_OP_CMP_NE:
        return o != arg;
    case LINUX_FUTEX_OP_CMP_LT:
        return o < arg;
    case LINUX_FUTEX_OP_CMP_LE:
        return o <= arg;
    case LINUX_FUTEX_OP_CMP_GT:
        return o > arg;
    case LINUX_FUTEX_OP_CMP_GE:
        return o >= arg;
    default:
        return -ENOSYS;
    }
}

/* *uaddr2 = op(*uaddr2), atomically; returns the comparison of the old value (or -errno). */
static long wake_op_rmw(uint64_t uaddr2, uint32_t encoded)
{
    uint32_t old, nv, found;
    long rc = get_word(uaddr2, &old);

    while (rc == 0) {
        rc = wake_op_apply(encoded, old, &nv);
        if (rc == 0)
            rc = cmpxchg_word(uaddr2, old, nv, &found);
        if (rc || found == old)
            break;
        old = found; /* the program changed it meanwhile: apply op to what is there now */
    }
    return rc ? rc : wake_op_cmp(encoded, old);
}

long futex_wake_op(struct proc *p, uint64_t uaddr, bool shared, int nr_wake, int nr_wake2,
                   uint64_t uaddr2, uint32_t encoded)
{
    struct futex_key k1, k2;
    struct futex_bucket *b1, *b2;
    long rc = futex_key(p, uaddr, shared, &k1), cmp, n = 0;

    if (rc == 0)
        rc = futex_key(p, uaddr2, shared, &k2);
    if (rc)
        return rc;
    b1 = bucket_of(p->futex, &k1);
    b2 = bucket_of(p->futex, &k2);
    lock_two(b1, b2);
    cmp = wake_op_rmw(uaddr2, encoded);
    if (cmp >= 0) {
        n = wake_locked(b1, &k1, nr_wake, LINUX_FUTEX_BITSET_MATCH_ANY);
        if (cmp > 0)
            n += wake_locked(b2, &k2, nr_wake2, LINUX_FUTEX_BITSET_MATCH_ANY);
    }
    unlock_two(b1, b2);
    return cmp < 0 ? cmp : n;
}

/* --- a thread's exit ----------------------------------------------------------------------- */

/* A robust lock held by the dying thread: mark its owner dead and wake one waiter (Linux's
 * handle_futex_death; the wake is shared, as glibc's robust mutexes wait shared). */
static void futex_death(struct proc *p, uint64_t uaddr, int tid, bool pending, bool pi)
{
    uint32_t v, nv, found;

    if ((uaddr & 3) || get_word(uaddr, &v))
        return;
    if (pending && !pi && v == 0) {
        futex_wake(p, uaddr, true, 1, LINUX_FUTEX_BITSET_MATCH_ANY); /* released, not woken yet */
        return;
    }
    for (;;) { /* a waiter may set FUTEX_WAITERS meanwhile: retry with what is there */
        if ((v & LINUX_FUTEX_TID_MASK) != (uint32_t)tid)
            return;
        nv = (v & LINUX_FUTEX_WAITERS) | LINUX_FUTEX_OWNER_DIED;
        if (cmpxchg_word(uaddr, v, nv, &found))
            return;
        if (found == v)
            break;
        v = found;
    }
    if (!pi && (v & LINUX_FUTEX_WAITERS))
        futex_wake(p, uaddr, true, 1, LINUX_FUTEX_BITSET_MATCH_ANY);
}

void futex_exit_robust(struct uthread *ut)
{
    struct linux_robust_list_head head;
    uint64_t haddr = ut->robust_list, entry, pending;
    unsigned n = 0;

    ut->robust_list = 0;
    if (!haddr || copy_from_user(&head, uptr_make(haddr), sizeof(head)))
        return;
    pending = head.list_op_pending & ~1ULL;
    entry = head.list.next;
    while ((entry & ~1ULL) != haddr && n++ < LINUX_ROBUST_LIST_LIMIT) {
        uint64_t next;

        if (copy_from_user(&next, uptr_make(entry & ~1ULL), sizeof(next)))
            return;
        if ((entry & ~1ULL) != pending)
            futex_death(ut->proc, (entry & ~1ULL) + (uint64_t)head.futex_offset, ut->tid, false,
                        entry & 1);
        entry = next;
    }
    if (pending)
        futex_death(ut->proc, pending + (uint64_t)head.futex_offset, ut->tid, true,
                    head.list_op_pending & 1);
}
