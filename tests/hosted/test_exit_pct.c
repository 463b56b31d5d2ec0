/*
 * test_exit_pct.c - exit_group while the other threads block, under seeded preemption.
 *
 * Threads of one process (kernel threads attached with proc_attach, making syscalls with
 * ksys_call as hosted tests play the application) block in the waits a program's threads
 * sit in: futex WAIT on a word nobody changes, a read of an empty pipe, rt_sigtimedwait with
 * no timeout, nanosleep for an hour, and a pthread_join-style futex WAIT on the tid of a
 * thread that never ends. Once all are asleep (scheduler state BLOCKED inside the call), one
 * more thread calls exit_group(0): every waiter must leave its wait and end at the kernel
 * boundary (proc_exit_group interrupts them and waits for them - for at most 1 s - before
 * the process ends). A waiter left asleep makes that wait idle the CPU, the virtual clock
 * jumps to a timer armed at 500 ms, and the timer ends the boot with exit code 3: the seed
 * is printed. A waiter whose call returns into the test (instead of ending) counts as bad,
 * checked over all boots (each ends in exit_group's hal_exit(0), so no status comes back).
 */
#include "tests/hosted/hosted_test.h"

#include <string.h>

#include "core/mm/uaccess.h"
#include "core/proc/proc.h"
#include "core/sched/sched.h"
#include "core/syscall/syscall.h"
#include "fs/vfs/memfs.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_power.h"
#include "hal/hal_time.h"

#define NR_read 0
#define NR_mmap 9
#define NR_rt_sigprocmask 14
#define NR_nanosleep 35
#define NR_rt_sigtimedwait 128
#define NR_futex 202
#define NR_exit_group 231
#define NR_pipe2 293
#define WAITERS 5
#define AREA (16 * 1024)
#define STUCK_NS 500000000ULL /* under exit_group's own 1 s */

static struct proc *app;
static uint64_t area;
static struct thread *waiters[WAITERS];
/* over all boots (each ends in exit_group's hal_exit(0), so the entry returns no status) */
static unsigned boots, bad;

static long sc(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return ksys_call(nr, a0, a1, a2, a3, 0, 0);
}

static void waiter(void *arg)
{
    int kind = (int)(intptr_t)arg;
    uint64_t u = area + 256 * (uint64_t)(kind + 1); /* this waiter's user words */
    int64_t *w = (int64_t *)(uintptr_t)u;

    if (proc_attach(app, NULL)) {
        bad++;
        return;
    }
    switch (kind) {
    case 0: /* futex WAIT, private, on a word that stays 0 */
        sc(NR_futex, u, 128, 0, 0);
        break;
    case 1: { /* read of an empty pipe whose write end stays open */
        int32_t *fds = (int32_t *)(uintptr_t)u;
        if (sc(NR_pipe2, u, 0, 0, 0) == 0)
            sc(NR_read, (uint64_t)fds[0], u + 16, 8, 0);
        break;
    }
    case 2:              /* rt_sigtimedwait for a signal nobody sends */
        w[0] = 1LL << 9; /* SIGUSR2 - 1 */
        sc(NR_rt_sigprocmask, 0, u, 0, 8);
        sc(NR_rt_sigtimedwait, u, u + 64, 0, 8);
        break;
    case 3: /* nanosleep for an hour */
        w[0] = 3600;
        w[1] = 0;
        sc(NR_nanosleep, u, 0, 0, 0);
        break;
    default: /* pthread_join of a thread that never ends: FUTEX_WAIT (shared) on its tid */
        *(volatile uint32_t *)w = 77;
        sc(NR_futex, u, 0, 77, 0);
        break;
    }
    bad++; /* the call returned: the thread must end at the kernel boundary instead */
}

static struct timer stuck;

static void stuck_fired(struct timer *t, void *arg)
{
    (void)t;
    (void)arg;
    hal_exit(3);
}

static void exiter(void *arg)
{
    (void)arg;
    if (proc_attach(app, NULL)) {
        bad++;
        return;
    }
    for (int i = 0; i < WAITERS; i++) /* every waiter asleep in its call */
        while (__atomic_load_n(&waiters[i]->state, __ATOMIC_SEQ_CST) != THREAD_BLOCKED)
            thread_yield();
    if (ht_rand() % 2)
        sched_preempt_point();
    /* a waiter left asleep makes exit_group wait (for up to 1 s): the CPU idles and the
     * virtual clock jumps to this timer, which ends the boot with a failure code */
    timer_init(&stuck, stuck_fired, NULL);
    timer_arm(&stuck, hal_clock_ns() + STUCK_NS);
    sc(NR_exit_group, 0, 0, 0, 0);
    bad++; /* exit_group returned */
}

static int run(void *arg)
{
    long m;

    (void)arg;
    ht_rand_init();
    vfs_init();
    if (memfs_mount(NULL, "/", NULL, NULL) || proc_create(NULL, &app) || proc_attach(app, NULL))
        return 100;
    m = ksys_call(NR_mmap, 0, AREA, 3, 0x22, (uint64_t)-1, 0);
    if (m < 0 || clear_user(uptr_make((uint64_t)m), AREA))
        return 101;
    area = (uint64_t)m;
    boots++;
    for (int i = 0; i < WAITERS; i++)
        waiters[i] = thread_create("waiter", waiter, (void *)(intptr_t)i);
    struct thread *e = thread_create("exiter", exiter, NULL);
    /* the entry thread leaves the process (its end would end the boot) and waits for the
     * exiter, whose exit_group ends the boot with hal_exit(0) */
    proc_detach(NULL);
    thread_join(e);
    bad++;
    return 102;
}

static void test_exit_group_seeded_preemption(void **state)
{
    (void)state;
    boots = bad = 0;
    ht_pct_run(run, NULL, 0, 5 * HT_PCT_SEEDS);
    assert_int_equal(bad, 0);
    assert_true(boots > 5 * HT_PCT_SEEDS); /* the calibration boot too */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_group_seeded_preemption),
    };

    return cmocka_run_group_tests_name("hosted_exit_pct", tests, NULL, NULL);
}
