/*
 * test_futex_pct.c - futexes and thread exit under seeded preemption (ht_pct_run).
 *
 * Threads of one process (kernel threads attached with proc_attach, making syscalls with
 * ksys_call as hosted tests play the application) use the futex protocols of real libcs on
 * words in user memory (the hosted arena, so the "program" reads and changes them with host
 * atomics while the kernel uses hal_user_load32/hal_user_cmpxchg32 on the same words):
 *
 *   mutex    Drepper's three-state futex mutex (0 free, 1 locked, 2 contended) around a
 *            counter: every increment must be counted, and a lost wakeup leaves a waiter
 *            asleep for good, which ends the boot in the scheduler's deadlock report;
 *   join     each worker exits with CLONE_CHILD_CLEARTID-style clear_child_tid set; the main
 *            thread joins it as pthread_join does (FUTEX_WAIT on the tid word until 0);
 *   robust   a worker takes a robust lock (its tid in the word, the lock on its robust list)
 *            and exits holding it while another thread marks the word FUTEX_WAITERS and waits:
 *            the exit must mark it FUTEX_OWNER_DIED (a compare-exchange loop in the kernel
 *            that must not lose the waiter's bit) and wake the waiter;
 *   wake_op  threads bump a shared word with FUTEX_WAKE_OP (op ADD, the kernel's
 *            compare-exchange loop) while others change it with host atomics: no update lost.
 *
 * PCT preempts at lock, wake and interrupt points chosen by the seed; a failure prints the
 * seed that replays it.
 */
#include "tests/hosted/hosted_test.h"

#include "core/abi/sched.h"
#include "core/mm/uaccess.h"
#include "core/proc/proc.h"
#include "core/sched/sched.h"
#include "core/syscall/syscall.h"
#include "fs/vfs/memfs.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_errno.h"

#define NR_mmap 9
#define NR_futex 202
#define NR_set_tid_address 218
#define NR_exit 60
#define NR_set_robust_list 273
#define WORKERS 4
#define ROUNDS 20
#define FUTEX_WAIT_P (0 | 128)
#define FUTEX_WAKE_P (1 | 128)
#define FUTEX_WAKE_OP_P (5 | 128)
#define OP_ADD1 0x10001000u /* FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 0) */

/* The user page the threads share (host pointers into the hosted arena). */
struct shared {
    uint32_t mutex;
    uint32_t counter;
    uint32_t ctid[WORKERS];
    uint32_t robust_word;
    uint32_t bumps;
    uint64_t robust_head[3]; /* struct robust_list_head: list.next, futex_offset, pending */
    uint64_t robust_entry;   /* the lock's list node; the word is at futex_offset from it */
};

static struct proc *app;
/* Over all boots of a test (boots share this process): how often the interesting paths ran,
 * so a schedule mix that never reaches them fails the test instead of passing it. */
static unsigned contended_waits, marked_deaths;
static volatile int started[WORKERS]; /* the worker's tid word is set (then zeroed at exit) */
static volatile struct shared *sh;
static uint64_t sh_u;

static long sc(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
               uint64_t a5)
{
    return ksys_call(nr, a0, a1, a2, a3, a4, a5);
}

static uint64_t uaddr_of(volatile void *field)
{
    return sh_u + (uint64_t)((volatile char *)field - (volatile char *)sh);
}

static uint32_t cas(volatile uint32_t *w, uint32_t expected, uint32_t desired)
{
    __atomic_compare_exchange_n(w, &expected, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return expected;
}

static void mutex_lock_u(volatile uint32_t *m)
{
    uint32_t c = cas(m, 0, 1);

    while (c != 0) {
        if (c == 2 || cas(m, 1, 2) != 0) {
            contended_waits++;
            sc(NR_futex, uaddr_of(m), FUTEX_WAIT_P, 2, 0, 0, 0);
        }
        c = cas(m, 0, 2);
    }
}

static void mutex_unlock_u(volatile uint32_t *m)
{
    if (__atomic_fetch_sub(m, 1, __ATOMIC_SEQ_CST) != 1) {
        __atomic_store_n(m, 0, __ATOMIC_SEQ_CST);
        sc(NR_futex, uaddr_of(m), FUTEX_WAKE_P, 1, 0, 0, 0);
    }
}

static void worker(void *arg)
{
    int id = (int)(intptr_t)arg;

    if (proc_attach(app, NULL)) {
        ht_fail(__FILE__, __LINE__, "attach");
        return;
    }
    __atomic_store_n(&sh->ctid[id], (uint32_t)sc(186 /* gettid */, 0, 0, 0, 0, 0, 0),
                     __ATOMIC_SEQ_CST);
    sc(NR_set_tid_address, uaddr_of(&sh->ctid[id]), 0, 0, 0, 0, 0);
    started[id] = 1;
    for (int k = 0; k < ROUNDS; k++) {
        mutex_lock_u(&sh->mutex);
        sh->counter++;
        if (ht_rand() % 4 == 0)
            sched_preempt_point(); /* inside the critical section */
        mutex_unlock_u(&sh->mutex);
        if (id % 2)
            sc(NR_futex, uaddr_of(&sh->mutex), FUTEX_WAKE_OP_P, 0, 0, uaddr_of(&sh->bumps),
               OP_ADD1);
        else
            __atomic_fetch_add(&sh->bumps, 1, __ATOMIC_SEQ_CST);
    }
    sc(NR_exit, 0, 0, 0, 0, 0, 0);
}

/* Takes the robust lock, puts it on its robust list, and exits holding it. */
static void robust_owner(void *arg)
{
    uint32_t tid;

    (void)arg;
    if (proc_attach(app, NULL)) {
        ht_fail(__FILE__, __LINE__, "attach");
        return;
    }
    tid = (uint32_t)sc(186, 0, 0, 0, 0, 0, 0);
    sh->robust_entry = uaddr_of(&sh->robust_head[0]); /* a one-entry circular list */
    sh->robust_head[0] = uaddr_of(&sh->robust_entry);
    sh->robust_head[1] = uaddr_of(&sh->robust_word) - uaddr_of(&sh->robust_entry);
    sh->robust_head[2] = 0;
    __atomic_store_n(&sh->robust_word, tid, __ATOMIC_SEQ_CST);
    sc(NR_set_robust_list, uaddr_of(&sh->robust_head[0]), 24, 0, 0, 0, 0);
    sched_preempt_point();
    sc(NR_exit, 0, 0, 0, 0, 0, 0);
}

/* Waits for the robust lock as glibc does: set FUTEX_WAITERS, sleep while the word holds. */
static void robust_waiter(void *arg)
{
    bool marked = false; /* FUTEX_WAITERS set while the owner held the lock */

    (void)arg;
    if (proc_attach(app, NULL)) {
        ht_fail(__FILE__, __LINE__, "attach");
        return;
    }
    for (;;) {
        uint32_t v = __atomic_load_n(&sh->robust_word, __ATOMIC_SEQ_CST);

        if (v & LINUX_FUTEX_OWNER_DIED)
            break;
        if (v == 0) {
            thread_yield(); /* the owner has not taken it yet */
            continue;
        }
        if (!(v & LINUX_FUTEX_WAITERS) && cas(&sh->robust_word, v, v | LINUX_FUTEX_WAITERS) != v)
            continue;
        marked = true;
        sc(NR_futex, uaddr_of(&sh->robust_word), 0 /* shared wait, as glibc's robust */,
           v | LINUX_FUTEX_WAITERS, 0, 0, 0);
    }
    /* the owner's death kept the waiter's bit */
    H_CHECK(!marked || (sh->robust_word & LINUX_FUTEX_WAITERS));
    marked_deaths += marked;
    sc(NR_exit, 0, 0, 0, 0, 0, 0);
}

/* pthread_join: wait until the kernel zeroes the tid word at the thread's exit. */
static void join_tid(volatile uint32_t *w)
{
    uint32_t v;

    while ((v = __atomic_load_n(w, __ATOMIC_SEQ_CST)) != 0)
        sc(NR_futex, uaddr_of(w), 0 /* FUTEX_WAIT, shared: as the kernel's wake */, v, 0, 0, 0);
}

static int setup(void)
{
    long m;

    vfs_init();
    if (memfs_mount(NULL, "/", NULL, NULL) || proc_create(NULL, &app) || proc_attach(app, NULL))
        return -1;
    m = sc(NR_mmap, 0, 4096, 3, 0x22, (uint64_t)-1, 0);
    if (m < 0 || clear_user(uptr_make((uint64_t)m), 4096)) /* faults the page in */
        return -1;
    sh_u = (uint64_t)m;
    sh = (volatile struct shared *)(uintptr_t)sh_u;
    return 0;
}

static int run(void *arg)
{
    struct thread *w, *o, *ws[WORKERS];

    (void)arg;
    ht_rand_init();
    for (int i = 0; i < WORKERS; i++)
        started[i] = 0;
    if (setup())
        return 100;
    for (int i = 0; i < WORKERS; i++)
        ws[i] = thread_create("worker", worker, (void *)(intptr_t)i);
    w = thread_create("rwaiter", robust_waiter, NULL);
    o = thread_create("rowner", robust_owner, NULL);
    for (int i = 0; i < WORKERS; i++) {
        while (!started[i])
            thread_yield();
        join_tid(&sh->ctid[i]);
        thread_join(ws[i]);
    }
    H_CHECK(sh->counter == WORKERS * ROUNDS);
    H_CHECK(sh->bumps == WORKERS * ROUNDS);
    H_CHECK(sh->mutex == 0);
    thread_join(o);
    thread_join(w);
    H_CHECK((sh->robust_word & LINUX_FUTEX_TID_MASK) == 0);
    H_CHECK(proc_thread_count(app) == 1);
    proc_detach(NULL);
    proc_destroy(app);
    vfs_shutdown();
    return ht_status();
}

static void test_futex_seeded_preemption(void **state)
{
    (void)state;
    contended_waits = marked_deaths = 0;
    ht_pct_run(run, NULL, 0, 5 * HT_PCT_SEEDS);
    assert_true(contended_waits > 0);
    assert_true(marked_deaths > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        HT_BOOT_TEST(test_futex_fifo, run, NULL),
        cmocka_unit_test(test_futex_seeded_preemption),
    };

    return cmocka_run_group_tests_name("hosted_futex_pct", tests, NULL, NULL);
}
