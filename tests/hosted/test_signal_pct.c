/*
 * test_signal_pct.c - signals between threads under seeded preemption (ht_pct_run).
 *
 * Threads of one process (kernel threads attached with proc_attach, making syscalls with
 * ksys_call as hosted tests play the application; sets and siginfo in a user mapping). No
 * handler runs here (kernel threads never return to user mode): every signal is taken with
 * rt_sigtimedwait, which is where the races are - a signal sent while the taker checks its
 * pending sets, changes its mask or goes to sleep.
 *
 *   queued   a sender queues QUEUED real-time signals to the process (rt_sigqueueinfo,
 *            three signal numbers, the value its sequence number) while two waiters block
 *            them and take them with rt_sigtimedwait: every value must be taken exactly once
 *            (none lost, none twice), each signal number's values in the order sent; the
 *            sender also tgkills each waiter with its own signal, which only that thread may
 *            take; a lost wake leaves a waiter asleep (the boot ends in the deadlock report);
 *   toggle   a thread blocks and unblocks SIGUSR1 in a loop and takes it (sigtimedwait with
 *            a zero timeout while blocked) while another sends it
 *            ROUNDS times with tgkill, each once the previous was taken: each taken exactly
 *            once, never lost while the mask changes under the sender.
 *
 * A failure prints the seed that replays it (PETREL_PCT_SEED=<n>).
 */
#include "tests/hosted/hosted_test.h"

#include <string.h>

#include "core/mm/uaccess.h"
#include "core/proc/proc.h"
#include "core/sched/sched.h"
#include "core/syscall/syscall.h"
#include "fs/vfs/memfs.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_errno.h"

#define NR_mmap 9
#define NR_rt_sigprocmask 14
#define NR_getpid 39
#define NR_exit 60
#define NR_rt_sigtimedwait 128
#define NR_rt_sigqueueinfo 129
#define NR_gettid 186
#define NR_tgkill 234
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIGUSR1 10
#define SIGRT 34 /* SIGRTMIN */
#define SI_QUEUE (-1)
#define BIT(s) (1ULL << ((s)-1))
#define WAITERS 2
#define QUEUED 30
#define ROUNDS 12
#define AREA (32 * 1024)
#define SLOT 4096

static struct proc *app;
static uint64_t area;
static volatile int tids[WAITERS], ready;
static unsigned char taken[QUEUED];
static int last_seq[WAITERS][3];
static unsigned own_taken[WAITERS], stolen, ntaken, toggle_taken, unblocked_pending;
static volatile unsigned toggle_sent, toggle_seen, toggler_unblocked;

static long sc(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return ksys_call(nr, a0, a1, a2, a3, 0, 0);
}

static uint64_t uslot(int i)
{
    return area + (uint64_t)i * SLOT;
}

static void *hslot(int i)
{
    return (void *)(uintptr_t)uslot(i);
}

static int attach(void)
{
    if (proc_attach(app, NULL)) {
        ht_fail(__FILE__, __LINE__, "attach");
        return -1;
    }
    return 0;
}

static long mask(int slot, int how, uint64_t set)
{
    memcpy(hslot(slot), &set, 8);
    return sc(NR_rt_sigprocmask, (uint64_t)how, uslot(slot), 0, 8);
}

/* rt_sigtimedwait for set; timeout_ns UINT64_MAX: none. The signal, or -errno; siginfo at
 * the slot's offset 64. */
static long take(int slot, uint64_t set, uint64_t timeout_ns)
{
    int64_t ts[2] = {(int64_t)(timeout_ns / 1000000000u), (int64_t)(timeout_ns % 1000000000u)};

    memcpy(hslot(slot), &set, 8);
    memcpy((char *)hslot(slot) + 16, ts, sizeof(ts));
    return sc(NR_rt_sigtimedwait, uslot(slot), uslot(slot) + 64,
              timeout_ns == UINT64_MAX ? 0 : uslot(slot) + 16, 8);
}

static int32_t info_value(int slot) /* si_value.sival_int of the last take */
{
    int32_t v;

    memcpy(&v, (char *)hslot(slot) + 64 + 24, 4);
    return v;
}

#define RT_SET (BIT(SIGRT) | BIT(SIGRT + 1) | BIT(SIGRT + 2))
#define OWN(i) (SIGRT + 3 + (i)) /* waiter i's thread-directed signal */
#define STOP (SIGRT + 6)         /* sent to each waiter last */

static void waiter(void *arg)
{
    int id = (int)(intptr_t)arg;
    uint64_t set = RT_SET | BIT(OWN(0)) | BIT(OWN(1)) | BIT(STOP);

    if (attach())
        return;
    H_CHECK(mask(1 + id, SIG_BLOCK, set) == 0);
    tids[id] = (int)sc(NR_gettid, 0, 0, 0, 0);
    __atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST);
    for (;;) {
        long sig = take(1 + id, set, UINT64_MAX);

        if (sig == STOP)
            break;
        if (sig == OWN(id)) {
            own_taken[id]++;
        } else if (sig == OWN(1 - id)) {
            stolen++; /* a signal directed at the other thread */
        } else if (sig >= SIGRT && sig <= SIGRT + 2) {
            int32_t v = info_value(1 + id);

            if (v < 0 || v >= QUEUED) {
                H_CHECK(!"a queued signal with a value never sent");
                continue;
            }
            H_CHECK(taken[v] == 0);
            taken[v]++;
            __atomic_add_fetch(&ntaken, 1, __ATOMIC_SEQ_CST);
            /* values of one signal number come out in the order they were queued (seen by
             * each taker: between two takers the order of their checks is the scheduler's) */
            H_CHECK(v > last_seq[id][sig - SIGRT]);
            last_seq[id][sig - SIGRT] = v;
        } else {
            H_CHECK(!"rt_sigtimedwait failed");
            break;
        }
    }
    sc(NR_exit, 0, 0, 0, 0);
}

static void sender(void *arg)
{
    long pid;
    int32_t *info;

    (void)arg;
    if (attach())
        return;
    H_CHECK(mask(0, SIG_BLOCK, ~0ULL) == 0); /* the process signals go to the waiters */
    while (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) < WAITERS)
        thread_yield();
    pid = sc(NR_getpid, 0, 0, 0, 0);
    info = (int32_t *)hslot(0);
    for (int i = 0; i < QUEUED; i++) {
        int sig = SIGRT + i % 3;

        memset(info, 0, 128);
        info[0] = sig;
        info[2] = SI_QUEUE;
        info[6] = i; /* si_value at offset 24 */
        H_CHECK(sc(NR_rt_sigqueueinfo, (uint64_t)pid, (uint64_t)sig, uslot(0), 0) == 0);
        if (i % 10 == 4) /* not last: the queued signals after it must wake a taker alone */
            for (int w = 0; w < WAITERS; w++)
                H_CHECK(sc(NR_tgkill, (uint64_t)pid, (uint64_t)tids[w], (uint64_t)OWN(w), 0) == 0);
        if (ht_rand() % 3 == 0)
            sched_preempt_point();
    }
    /* STOP only once every queued value was taken: a thread's own pending signals are taken
     * before the process's, so an early STOP would end a waiter with values still queued */
    for (unsigned spins = 0; __atomic_load_n(&ntaken, __ATOMIC_SEQ_CST) < QUEUED; spins++) {
        if (spins == 100000) { /* the takers sleep with signals queued: a lost wake */
            H_CHECK(!"queued signals left untaken");
            break;
        }
        thread_yield();
    }
    for (int w = 0; w < WAITERS; w++)
        H_CHECK(sc(NR_tgkill, (uint64_t)pid, (uint64_t)tids[w], STOP, 0) == 0);
    sc(NR_exit, 0, 0, 0, 0);
}

static void toggler(void *arg)
{
    (void)arg;
    if (attach())
        return;
    tids[0] = (int)sc(NR_gettid, 0, 0, 0, 0);
    __atomic_store_n(&ready, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&toggle_seen, __ATOMIC_SEQ_CST) < ROUNDS) {
        H_CHECK(mask(1, SIG_BLOCK, BIT(SIGUSR1)) == 0);
        __atomic_store_n(&toggler_unblocked, 0, __ATOMIC_SEQ_CST);
        if (take(1, BIT(SIGUSR1), 0) == SIGUSR1) {
            toggle_taken++;
            __atomic_add_fetch(&toggle_seen, 1, __ATOMIC_SEQ_CST);
        }
        __atomic_store_n(&toggler_unblocked, 1, __ATOMIC_SEQ_CST);
        H_CHECK(mask(1, SIG_UNBLOCK, BIT(SIGUSR1)) == 0);
        /* a spin loop: yield (the virtual clock ends no slice while nobody idles); a signal
         * sent now, while unblocked, stays pending (no return to user mode here) until the
         * next block and take; rt_sigpending does not show it (Linux's: pending & blocked) */
        thread_yield();
    }
    sc(NR_exit, 0, 0, 0, 0);
}

static void toggle_sender(void *arg)
{
    long pid;

    (void)arg;
    if (attach())
        return;
    while (!__atomic_load_n(&ready, __ATOMIC_SEQ_CST))
        thread_yield();
    pid = sc(NR_getpid, 0, 0, 0, 0);
    for (unsigned r = 0; r < ROUNDS; r++) {
        /* standard signals merge: send the next only once this one was taken */
        H_CHECK(sc(NR_tgkill, (uint64_t)pid, (uint64_t)tids[0], SIGUSR1, 0) == 0);
        unblocked_pending += __atomic_load_n(&toggler_unblocked, __ATOMIC_SEQ_CST);
        toggle_sent++;
        while (__atomic_load_n(&toggle_seen, __ATOMIC_SEQ_CST) <= r)
            thread_yield();
    }
    sc(NR_exit, 0, 0, 0, 0);
}

static int setup(void)
{
    long m;

    vfs_init();
    if (memfs_mount(NULL, "/", NULL, NULL) || proc_create(NULL, &app) || proc_attach(app, NULL))
        return -1;
    m = ksys_call(NR_mmap, 0, AREA, 3, 0x22, (uint64_t)-1, 0);
    if (m < 0 || clear_user(uptr_make((uint64_t)m), AREA)) /* faults the pages in */
        return -1;
    area = (uint64_t)m;
    /* the main thread blocks everything: no process signal may be left to it */
    return mask(7, SIG_BLOCK, ~0ULL) == 0 ? 0 : -1;
}

static void teardown(void)
{
    H_CHECK(proc_thread_count(app) == 1);
    proc_detach(NULL);
    proc_destroy(app);
    vfs_shutdown();
}

static int queued(void *arg)
{
    struct thread *t[WAITERS + 1];

    (void)arg;
    ht_rand_init();
    ready = 0;
    memset(taken, 0, sizeof(taken));
    memset(own_taken, 0, sizeof(own_taken));
    stolen = ntaken = 0;
    for (int w = 0; w < WAITERS; w++)
        for (int i = 0; i < 3; i++)
            last_seq[w][i] = -1;
    if (setup())
        return 100;
    for (int w = 0; w < WAITERS; w++)
        t[w] = thread_create("waiter", waiter, (void *)(intptr_t)w);
    t[WAITERS] = thread_create("sender", sender, NULL);
    for (int i = 0; i <= WAITERS; i++)
        thread_join(t[i]);
    for (int v = 0; v < QUEUED; v++)
        H_CHECK(taken[v] == 1);
    for (int w = 0; w < WAITERS; w++)
        H_CHECK(own_taken[w] == QUEUED / 10);
    H_CHECK(stolen == 0);
    teardown();
    return ht_status();
}

static int toggle(void *arg)
{
    struct thread *a, *b;

    (void)arg;
    ht_rand_init();
    ready = 0;
    toggle_sent = toggle_seen = toggle_taken = 0;
    if (setup())
        return 100;
    /* a handler (never run: kernel threads do not return to user mode), so that SIGUSR1
     * pending while unblocked is not the default action's end of the process */
    uint64_t act[4] = {uslot(6), 0, 0, 0};
    memcpy(hslot(5), act, sizeof(act));
    if (ksys_call(13 /* rt_sigaction */, SIGUSR1, uslot(5), 0, 8, 0, 0))
        return 101;
    a = thread_create("toggler", toggler, NULL);
    b = thread_create("sender", toggle_sender, NULL);
    thread_join(a);
    thread_join(b);
    H_CHECK(toggle_sent == ROUNDS && toggle_taken == ROUNDS);
    teardown();
    return ht_status();
}

static void test_toggle_seeded_preemption(void **state)
{
    (void)state;
    unblocked_pending = 0;
    ht_pct_run(toggle, NULL, 0, 2 * HT_PCT_SEEDS);
    /* the interesting case happened: a signal sent while unblocked, taken after the block */
    assert_true(unblocked_pending > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        HT_BOOT_TEST(test_queued_fifo, queued, NULL),
        HT_PCT_TEST(test_queued_seeded_preemption, queued, NULL, 3 * HT_PCT_SEEDS),
        cmocka_unit_test(test_toggle_seeded_preemption),
    };

    return cmocka_run_group_tests_name("hosted_signal_pct", tests, NULL, NULL);
}
