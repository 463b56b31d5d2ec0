/*
 * test_signal_user_pct.c - signal handlers in user mode under seeded preemption (ht_pct_run).
 *
 * test_signal_pct.c takes every signal with rt_sigtimedwait from kernel threads; here the
 * threads of the process enter hosted user mode (hal_user_enter runs a C function as the
 * program, hal_hosted/user.c), so signals are delivered to handlers on the way back to user
 * mode, on each thread's own user stack, and return through rt_sigreturn. The races:
 *
 *   suspend  a thread blocks SIGUSR1 and loops on rt_sigsuspend(a mask without it) while
 *            another sends SIGUSR1 ROUNDS times with tgkill, each once the previous was
 *            handled. A signal sent before the suspend (while blocked) must end the suspend at
 *            once, one sent after must wake it: each suspend returns -EINTR after exactly one
 *            handler run, the handler's frame holds the caller's mask from before the suspend
 *            (what sigreturn restores, as Linux), and the caller finds it back. A lost wake leaves the thread
 *            asleep (the boot ends in the deadlock report).
 *   split    QUEUED real-time signals queued to the process (rt_sigqueueinfo, the value its
 *            sequence number) while one thread has them unblocked with a handler (it loops on
 *            sched_yield, so each return to user mode may deliver one) and another has them
 *            blocked and takes them with rt_sigtimedwait: every value is handled or taken
 *            exactly once, never both, never lost, each taker seeing its values in order. The
 *            handler returns through rt_sigreturn, and a burst of pending signals is delivered
 *            one after the other on those returns: the hosted machine runs each handler from
 *            the interrupted code's level (hal_hosted/user.c), so the burst does not nest C
 *            frames on the 16 KiB kernel stack.
 *
 * User code cannot use CMocka: it records failures with H_CHECK as kernel threads do. A
 * failure prints the seed that replays it (PETREL_PCT_SEED=<n>).
 */
#include "tests/hosted/hosted_test.h"

#include <string.h>

#include "core/abi/signal.h"
#include "core/mm/uaccess.h"
#include "core/proc/proc.h"
#include "core/sched/sched.h"
#include "core/syscall/syscall.h"
#include "fs/vfs/memfs.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_errno.h"
#include "hal/hal_user.h"
#include "hal_hosted/hosted.h"

#define NR_mmap 9
#define NR_rt_sigaction 13
#define NR_rt_sigprocmask 14
#define NR_rt_sigreturn 15
#define NR_sched_yield 24
#define NR_getpid 39
#define NR_exit 60
#define NR_rt_sigtimedwait 128
#define NR_rt_sigqueueinfo 129
#define NR_rt_sigsuspend 130
#define NR_gettid 186
#define NR_tgkill 234
#define SIGUSR1 10
#define SIGUSR2 12
#define SIGRT 34
#define STOP (SIGRT + 5)
#define SI_QUEUE (-1)
#define BIT(s) (1ULL << ((s) - 1))
#define ROUNDS 10
#define QUEUED 24
#define STACK (64 * 1024)
#define NSTACKS 3
#define SCRATCH 4096 /* per thread, after the stacks */

static struct proc *app;
static uint64_t area; /* NSTACKS stacks, then NSTACKS scratch pages */
static volatile int tid_of[NSTACKS], ready;
static volatile unsigned handled, suspends, sent;
static volatile uint64_t mask_in_handler, mask_after;
static unsigned char seen[QUEUED];
static volatile unsigned nseen, by_handler, by_wait;
static int last_handled = -1, last_taken = -1;

static long usc(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return hosted_syscall(nr, a0, a1, a2, a3, 0, 0);
}

static uint64_t scratch(int i)
{
    return area + NSTACKS * STACK + (uint64_t)i * SCRATCH;
}

static void *hp(uint64_t uaddr)
{
    return (void *)(uintptr_t)uaddr;
}

static long set_mask(int i, int how, uint64_t set, uint64_t *old)
{
    long rc;

    memcpy(hp(scratch(i)), &set, 8);
    rc = usc(NR_rt_sigprocmask, (uint64_t)how, scratch(i), old ? scratch(i) + 8 : 0, 8);
    if (old)
        memcpy(old, hp(scratch(i) + 8), 8);
    return rc;
}

static uint64_t mask_now(int i)
{
    uint64_t m = 0;

    H_CHECK(set_mask(i, LINUX_SIG_BLOCK, 0, &m) == 0);
    return m;
}

static void restorer(uint64_t a, uint64_t b, uint64_t c)
{
    (void)a, (void)b, (void)c;
    usc(NR_rt_sigreturn, 0, 0, 0, 0);
    H_CHECK(!"rt_sigreturn returned");
}

/* --- suspend ---------------------------------------------------------------------------- */

/* No syscall in here: the hosted machine runs the handler on the thread's kernel stack, under
 * the rt_sigsuspend that delivered it. The frame's mask is what sigreturn restores: the mask
 * from before the suspend (Linux saves that one, not the suspend's temporary mask). */
static void on_usr1(uint64_t sig, uint64_t info, uint64_t ucp)
{
    const struct linux_ucontext *uc = hp(ucp);

    (void)info;
    H_CHECK(sig == SIGUSR1);
    mask_in_handler = uc->uc_sigmask;
    __atomic_add_fetch(&handled, 1, __ATOMIC_SEQ_CST);
}

static void suspender(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t empty = 0;

    (void)a, (void)b, (void)c;
    H_CHECK(set_mask(0, LINUX_SIG_BLOCK, BIT(SIGUSR1), NULL) == 0);
    tid_of[0] = (int)usc(NR_gettid, 0, 0, 0, 0);
    __atomic_store_n(&ready, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&handled, __ATOMIC_SEQ_CST) < ROUNDS) {
        unsigned before = __atomic_load_n(&handled, __ATOMIC_SEQ_CST);

        memcpy(hp(scratch(0) + 256), &empty, 8);
        H_CHECK(usc(NR_rt_sigsuspend, scratch(0) + 256, 8, 0, 0) == -EINTR);
        suspends++;
        H_CHECK(__atomic_load_n(&handled, __ATOMIC_SEQ_CST) == before + 1);
        mask_after = mask_now(0);
        H_CHECK(mask_after == BIT(SIGUSR1)); /* the suspend's caller's mask is back */
        H_CHECK(mask_in_handler == BIT(SIGUSR1)); /* the caller's, as Linux saves it */
    }
}

static void suspend_sender(uint64_t a, uint64_t b, uint64_t c)
{
    long pid;

    (void)a, (void)b, (void)c;
    H_CHECK(set_mask(2, LINUX_SIG_BLOCK, ~0ULL, NULL) == 0);
    while (!__atomic_load_n(&ready, __ATOMIC_SEQ_CST))
        usc(NR_sched_yield, 0, 0, 0, 0);
    pid = usc(NR_getpid, 0, 0, 0, 0);
    for (unsigned r = 0; r < ROUNDS; r++) {
        H_CHECK(usc(NR_tgkill, (uint64_t)pid, (uint64_t)tid_of[0], SIGUSR1, 0) == 0);
        sent++;
        if (ht_rand() % 2) /* sometimes before the suspend, sometimes during it */
            usc(NR_sched_yield, 0, 0, 0, 0);
        while (__atomic_load_n(&handled, __ATOMIC_SEQ_CST) <= r)
            usc(NR_sched_yield, 0, 0, 0, 0);
    }
}

/* --- split: handler against rt_sigtimedwait ----------------------------------------------- */

static void note(int v, bool handler)
{
    if (v < 0 || v >= QUEUED) {
        H_CHECK(!"a queued signal with a value never sent");
        return;
    }
    H_CHECK(seen[v] == 0);
    seen[v]++;
    if (handler) {
        H_CHECK(v > last_handled);
        last_handled = v;
        by_handler++;
    } else {
        H_CHECK(v > last_taken);
        last_taken = v;
        by_wait++;
    }
    __atomic_add_fetch(&nseen, 1, __ATOMIC_SEQ_CST);
}

/* everything but SIGRT (and SIGKILL and SIGSTOP, which no mask holds) */
#define RT_MASK (~0ULL & ~BIT(SIGRT) & ~BIT(9) & ~BIT(19))

static void on_rt(uint64_t sig, uint64_t info, uint64_t ucp)
{
    const struct linux_siginfo *si = hp(info);
    const struct linux_ucontext *uc = hp(ucp);
    int32_t v;

    H_CHECK(sig == SIGRT && si->si_signo == SIGRT && si->si_code == SI_QUEUE);
    H_CHECK(uc->uc_sigmask == RT_MASK); /* what rt_sigreturn restores */
    memcpy(&v, (const char *)si + 24, 4); /* si_value.sival_int */
    note(v, true);
}

static void rt_handler_thread(uint64_t a, uint64_t b, uint64_t c)
{
    (void)a, (void)b, (void)c;
    H_CHECK(set_mask(0, LINUX_SIG_SETMASK, ~0ULL & ~BIT(SIGRT), NULL) == 0);
    __atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&nseen, __ATOMIC_SEQ_CST) < QUEUED)
        usc(NR_sched_yield, 0, 0, 0, 0); /* each return to user mode may run the handler */
    H_CHECK(mask_now(0) == RT_MASK);
}

static void rt_waiter_thread(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t set = BIT(SIGRT) | BIT(STOP);
    int32_t v;

    (void)a, (void)b, (void)c;
    H_CHECK(set_mask(1, LINUX_SIG_BLOCK, ~0ULL, NULL) == 0);
    tid_of[1] = (int)usc(NR_gettid, 0, 0, 0, 0);
    __atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST);
    for (;;) {
        long sig;

        memcpy(hp(scratch(1) + 256), &set, 8);
        sig = usc(NR_rt_sigtimedwait, scratch(1) + 256, scratch(1) + 512, 0, 8);
        if (sig == STOP)
            break;
        if (sig != SIGRT) {
            H_CHECK(!"rt_sigtimedwait failed");
            break;
        }
        memcpy(&v, hp(scratch(1) + 512 + 24), 4);
        note(v, false);
    }
}

static void rt_sender_thread(uint64_t a, uint64_t b, uint64_t c)
{
    int32_t *info = hp(scratch(2) + 1024);
    long pid;

    (void)a, (void)b, (void)c;
    H_CHECK(set_mask(2, LINUX_SIG_BLOCK, ~0ULL, NULL) == 0);
    while (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) < 2)
        usc(NR_sched_yield, 0, 0, 0, 0);
    pid = usc(NR_getpid, 0, 0, 0, 0);
    for (int i = 0; i < QUEUED; i++) {
        memset(info, 0, 128);
        info[0] = SIGRT;
        info[2] = SI_QUEUE;
        info[6] = i;
        H_CHECK(usc(NR_rt_sigqueueinfo, (uint64_t)pid, SIGRT, scratch(2) + 1024, 0) == 0);
        if (ht_rand() % 3 == 0)
            usc(NR_sched_yield, 0, 0, 0, 0);
    }
    for (unsigned spins = 0; __atomic_load_n(&nseen, __ATOMIC_SEQ_CST) < QUEUED; spins++) {
        if (spins == 100000) {
            H_CHECK(!"queued signals left untaken");
            break;
        }
        usc(NR_sched_yield, 0, 0, 0, 0);
    }
    H_CHECK(usc(NR_tgkill, (uint64_t)pid, (uint64_t)tid_of[1], STOP, 0) == 0);
}

/* --- the machinery ------------------------------------------------------------------------ */

struct uthread_arg {
    int slot; /* its stack */
    void (*fn)(uint64_t, uint64_t, uint64_t);
};

/* A kernel thread of the process that runs fn in user mode on its own stack, then exits. */
static void user_thread(void *arg)
{
    const struct uthread_arg *u = arg;
    struct hal_uregs r;

    if (proc_attach(app, NULL)) {
        ht_fail(__FILE__, __LINE__, "attach");
        return;
    }
    memset(&r, 0, sizeof(r));
    r.rip = (uint64_t)(uintptr_t)u->fn;
    r.rsp = area + (uint64_t)(u->slot + 1) * STACK;
    r.rflags = 0x202;
    H_CHECK(hal_user_enter(&r) == 0);
    ksys_call(NR_exit, 0, 0, 0, 0, 0, 0);
}

static int setup(void)
{
    uint64_t len = NSTACKS * (STACK + SCRATCH);
    uint64_t block = ~0ULL;
    long m;

    vfs_init();
    if (memfs_mount(NULL, "/", NULL, NULL) || proc_create(NULL, &app) || proc_attach(app, NULL))
        return -1;
    m = ksys_call(NR_mmap, 0, len, 3, 0x22, (uint64_t)-1, 0);
    /* fault every page in: hosted user code touches the arena directly */
    if (m < 0 || clear_user(uptr_make((uint64_t)m), len))
        return -1;
    area = (uint64_t)m;
    /* the main thread blocks everything: no process signal may be left to it */
    if (copy_to_user(uptr_make(area), &block, 8))
        return -1;
    return ksys_call(NR_rt_sigprocmask, LINUX_SIG_BLOCK, area, 0, 8, 0, 0) == 0 ? 0 : -1;
}

static void teardown(void)
{
    H_CHECK(proc_thread_count(app) == 1);
    proc_detach(NULL);
    proc_destroy(app);
    vfs_shutdown();
}

/* Run the threads' functions in user mode; fn[i] gets stack and scratch slot i. */
static void run_threads(void (*const fn[])(uint64_t, uint64_t, uint64_t), int n)
{
    struct uthread_arg args[NSTACKS];
    struct thread *t[NSTACKS];

    for (int i = 0; i < n; i++) {
        args[i] = (struct uthread_arg){i, fn[i]};
        t[i] = thread_create("user", user_thread, &args[i]);
    }
    for (int i = 0; i < n; i++)
        thread_join(t[i]);
}

/* Install a handler from the init thread (a ksys_call: it is not in user mode). */
static int install(int sig, void (*fn)(uint64_t, uint64_t, uint64_t), uint64_t mask)
{
    struct linux_k_sigaction act = {(uint64_t)(uintptr_t)fn,
                                    LINUX_SA_SIGINFO | LINUX_SA_RESTORER,
                                    (uint64_t)(uintptr_t)restorer, mask};

    if (copy_to_user(uptr_make(scratch(NSTACKS - 1) + 2048), &act, sizeof(act)))
        return -1;
    return (int)ksys_call(NR_rt_sigaction, (uint64_t)sig, scratch(NSTACKS - 1) + 2048, 0, 8, 0, 0);
}

static int suspend(void *arg)
{
    /* the sender runs on stack 1 with scratch slot 2: the handler uses slot 1 */
    static void (*const fn[])(uint64_t, uint64_t, uint64_t) = {suspender, suspend_sender};

    (void)arg;
    ht_rand_init();
    ready = 0;
    handled = suspends = sent = 0;
    mask_in_handler = mask_after = 0;
    if (setup() || install(SIGUSR1, on_usr1, BIT(SIGUSR2)))
        return 100;
    run_threads(fn, 2);
    H_CHECK(handled == ROUNDS && suspends == ROUNDS && sent == ROUNDS);
    teardown();
    return ht_status();
}

static int split(void *arg)
{
    static void (*const fn[])(uint64_t, uint64_t, uint64_t) = {rt_handler_thread,
                                                                rt_waiter_thread,
                                                                rt_sender_thread};

    (void)arg;
    ht_rand_init();
    ready = 0;
    memset(seen, 0, sizeof(seen));
    nseen = by_handler = by_wait = 0;
    last_handled = last_taken = -1;
    if (setup() || install(SIGRT, on_rt, 0))
        return 100;
    run_threads(fn, 3);
    for (int v = 0; v < QUEUED; v++)
        H_CHECK(seen[v] == 1);
    H_CHECK(by_handler + by_wait == QUEUED);
    teardown();
    return ht_status();
}

static unsigned split_both; /* seeds where both the handler and the waiter got values */

static int split_counted(void *arg)
{
    int rc = split(arg);

    split_both += by_handler > 0 && by_wait > 0;
    return rc;
}

static void test_split_seeded_preemption(void **state)
{
    (void)state;
    split_both = 0;
    ht_pct_run(split_counted, NULL, 0, 3 * HT_PCT_SEEDS);
    /* the interesting case happened: both ways of taking a signal were used in one run */
    assert_true(split_both > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        HT_BOOT_TEST(test_suspend_fifo, suspend, NULL),
        HT_PCT_TEST(test_suspend_seeded_preemption, suspend, NULL, 3 * HT_PCT_SEEDS),
        cmocka_unit_test(test_split_seeded_preemption),
    };

    return cmocka_run_group_tests_name("hosted_signal_user_pct", tests, NULL, NULL);
}
