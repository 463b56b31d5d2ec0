/*
 * test_futex.c - futex(2) (core/proc/futex.c, sys_thread.c): every error Linux gives (the
 * table below was run natively on Linux 6.x first), WAIT/WAKE between threads, private and
 * shared keys, bitsets, REQUEUE/CMP_REQUEUE, WAKE_OP, timeouts on both clocks, and a thread's
 * exit: clear_child_tid zeroed and woken (pthread_join), robust locks marked
 * FUTEX_OWNER_DIED with a waiter woken.
 *
 * Waiters are kernel threads attached to the test's process calling ksys_call; the init
 * thread lets them block (a short virtual-time sleep) before it wakes them.
 */
#include "st.h"

#include "core/abi/sched.h"
#include "hal/hal_time.h"
#include "hal_hosted/hosted.h"

#define P(off) (st_buf + (off))
#define NR_futex 202
#define W_ P(0)   /* futex word A */
#define W2_ P(64) /* futex word B */
#define TS_ P(128)
#define FW LINUX_FUTEX_WAIT
#define FK LINUX_FUTEX_WAKE
#define PRIV LINUX_FUTEX_PRIVATE_FLAG
#define ANY 0xffffffffULL

static void put32(uint64_t u, uint32_t v)
{
    st_put(u, &v, 4);
}

static uint32_t get32(uint64_t u)
{
    uint32_t v = 0;

    st_get(&v, u, 4);
    return v;
}

static uint64_t ts(int64_t sec, int64_t nsec)
{
    int64_t t[2] = {sec, nsec};

    return st_put(TS_, t, sizeof(t));
}

ST_CASE(futex_errors_as_linux)
{
    put32(W_, 0);
    put32(W2_, 5);
    ST_EQ(SC(NR_futex, W_ + 1, FK, 1), -EINVAL);
    ST_EQ(SC(NR_futex, 0, FK, 1), -EFAULT);
    ST_EQ(SC(NR_futex, 0, FW, 0), -EFAULT);
    ST_EQ(SC(NR_futex, W_, FW, 1), -EAGAIN);
    ST_EQ(SC(NR_futex, W_, FW, 0, ts(0, 1000000)), -ETIMEDOUT);
    ST_EQ(SC(NR_futex, W_, FW, 0, ts(0, 1000000000)), -EINVAL);
    ST_EQ(SC(NR_futex, W_, FW, 0, ts(-1, 0)), -EINVAL);
    ST_EQ(SC(NR_futex, W_, FW, 1, ts(0, 1000000000)), -EINVAL); /* the timeout comes first */
    ST_EQ(SC(NR_futex, W_, FW, 0, 1), -EFAULT);
    ST_EQ(SC(NR_futex, W_, FW | LINUX_FUTEX_CLOCK_REALTIME, 0, ts(0, 1000)), -ENOSYS);
    ST_EQ(SC(NR_futex, W_, FK | LINUX_FUTEX_CLOCK_REALTIME, 1), -ENOSYS);
    ST_EQ(SC(NR_futex, W_, LINUX_FUTEX_WAIT_BITSET, 0, 0, 0, 0), -EINVAL);
    ST_EQ(SC(NR_futex, W_, LINUX_FUTEX_WAKE_BITSET, 1, 0, 0, 0), -EINVAL);
    ST_EQ(SC(NR_futex, W_, LINUX_FUTEX_WAIT_BITSET, 0, ts(1, 0), 0, ANY), -ETIMEDOUT);
    ST_EQ(
        SC(NR_futex, W_, LINUX_FUTEX_WAIT_BITSET | LINUX_FUTEX_CLOCK_REALTIME, 0, ts(1, 0), 0, ANY),
        -ETIMEDOUT);
    ST_EQ(SC(NR_futex, W_, LINUX_FUTEX_REQUEUE, (uint64_t)-1, 0, W_), -EINVAL);
    ST_EQ(SC(NR_futex, W_, LINUX_FUTEX_REQUEUE, 1, 1, W_), 0);
    ST_EQ(SC(NR_futex, W_, LINUX_FUTEX_CMP_REQUEUE, 1, 1, W_, 5), -EAGAIN);
    ST_EQ(SC(NR_futex, W_, LINUX_FUTEX_CMP_REQUEUE, 1, 1, W_ + 1, 0), -EINVAL);
    ST_EQ(SC(NR_futex, W_, LINUX_FUTEX_CMP_REQUEUE, 1, 1, 0, 0), -EFAULT);
    ST_EQ(SC(NR_futex, W_, LINUX_FUTEX_WAKE_OP, 1, 1, W2_,
             LINUX_FUTEX_OP(LINUX_FUTEX_OP_ADD, 3, LINUX_FUTEX_OP_CMP_EQ, 5)),
          0);
    ST_EQ(get32(W2_), 8);
    ST_EQ(SC(NR_futex, W_, LINUX_FUTEX_WAKE_OP, 1, 1, W2_,
             LINUX_FUTEX_OP(LINUX_FUTEX_OP_SET | LINUX_FUTEX_OP_OPARG_SHIFT, 4,
                            LINUX_FUTEX_OP_CMP_EQ, 5)),
          0);
    ST_EQ(get32(W2_), 16);
    ST_EQ(SC(NR_futex, W_, LINUX_FUTEX_WAKE_OP, 1, 1, W2_,
             LINUX_FUTEX_OP(7, 4, LINUX_FUTEX_OP_CMP_EQ, 5)),
          -ENOSYS);
    ST_EQ(get32(W2_), 16); /* an unknown op writes nothing */
    ST_EQ(SC(NR_futex, W_, LINUX_FUTEX_WAKE_OP, 1, 1, W2_,
             LINUX_FUTEX_OP(LINUX_FUTEX_OP_SET, 9, 7, 5)),
          -ENOSYS);
    ST_EQ(get32(W2_), 9); /* an unknown comparison: after the write, as Linux */
    ST_EQ(
        SC(NR_futex, W_, LINUX_FUTEX_WAKE_OP, 1, 1, 0, LINUX_FUTEX_OP(LINUX_FUTEX_OP_SET, 9, 0, 5)),
        -EFAULT);
    ST_EQ(SC(NR_futex, W_, LINUX_FUTEX_LOCK_PI, 0), -ENOSYS);
    ST_EQ(SC(NR_futex, W_, LINUX_FUTEX_FD, 0), -ENOSYS);
    ST_EQ(SC(NR_futex, W_, 14, 0), -ENOSYS);
    ST_EQ(SC(NR_futex, W_, 99, 0), -ENOSYS);
    ST_EQ(SC(NR_futex, st_hole, FK, 1), -EFAULT);  /* shared: needs a mapping */
    ST_EQ(SC(NR_futex, st_hole, FK | PRIV, 1), 0); /* private: never touches memory */
    ST_EQ(SC(NR_futex, ST_KERNEL_PTR, FK | PRIV, 1), -EFAULT);
    ST_EQ(SC(NR_futex, st_hole, FW | PRIV, 0), -EFAULT);
}

/* --- threads that wait ----------------------------------------------------------------------- */

struct waiter_arg {
    uint64_t uaddr;
    uint64_t op;
    uint32_t val;
    uint64_t uts;
    uint32_t bitset;
    long rc;
    bool done;
};

static void waiter_main(void *arg)
{
    struct waiter_arg *w = arg;

    if (proc_attach(st_proc, NULL))
        return;
    w->rc = SC(NR_futex, w->uaddr, w->op, w->val, w->uts, 0, w->bitset);
    w->done = true;
    proc_detach(NULL);
}

static struct thread *start_waiter(struct waiter_arg *w, uint64_t uaddr, uint64_t op,
                                   uint32_t bitset)
{
    w->uaddr = uaddr;
    w->op = op;
    w->val = get32(uaddr);
    w->bitset = bitset;
    w->rc = 1;
    w->done = false;
    return thread_create("waiter", waiter_main, w);
}

static void let_run(void)
{
    sched_sleep_ns(1000000); /* virtual time: every runnable thread gets to block */
}

static int done_count(struct waiter_arg *w, int n)
{
    int c = 0;

    for (int i = 0; i < n; i++)
        c += w[i].done;
    return c;
}

ST_CASE(wait_and_wake_between_threads)
{
    struct waiter_arg w[4] = {{0}};
    struct thread *t[4];

    put32(W_, 7);
    for (int i = 0; i < 4; i++)
        t[i] = start_waiter(&w[i], W_, FW | PRIV, ANY);
    let_run();
    ST_EQ(done_count(w, 4), 0);
    ST_EQ(SC(NR_futex, W_, FK, 4), 0);        /* a shared wake does not reach private waiters */
    ST_EQ(SC(NR_futex, W_, FK | PRIV, 0), 1); /* nr 0 wakes one, as Linux */
    ST_EQ(SC(NR_futex, W_, FK | PRIV, 1), 1);
    let_run();
    ST_EQ(done_count(w, 4), 2);
    ST_CHECK(w[0].done && w[1].done); /* FIFO */
    ST_EQ(SC(NR_futex, W_, FK | PRIV, 100), 2);
    for (int i = 0; i < 4; i++) {
        thread_join(t[i]);
        ST_EQ(w[i].rc, 0);
    }
    ST_EQ(SC(NR_futex, W_, FK | PRIV, 100), 0);
}

ST_CASE(bitsets)
{
    struct waiter_arg w[2] = {{0}};
    struct thread *t[2];

    put32(W_, 1);
    t[0] = start_waiter(&w[0], W_, LINUX_FUTEX_WAIT_BITSET, 1);
    t[1] = start_waiter(&w[1], W_, LINUX_FUTEX_WAIT_BITSET, 2);
    let_run();
    ST_EQ(SC(NR_futex, W_, LINUX_FUTEX_WAKE_BITSET, 10, 0, 0, 2), 1);
    let_run();
    ST_CHECK(!w[0].done && w[1].done);
    ST_EQ(SC(NR_futex, W_, FK, 10), 1); /* FUTEX_WAKE: every bit */
    thread_join(t[0]);
    thread_join(t[1]);
    ST_EQ(w[0].rc | w[1].rc, 0);
}

ST_CASE(requeue_and_cmp_requeue)
{
    struct waiter_arg w[4] = {{0}};
    struct thread *t[4];

    put32(W_, 3);
    put32(W2_, 0);
    for (int i = 0; i < 4; i++)
        t[i] = start_waiter(&w[i], W_, FW | PRIV, ANY);
    let_run();
    ST_EQ(SC(NR_futex, W_, LINUX_FUTEX_CMP_REQUEUE | PRIV, 1, 2, W2_, 4), -EAGAIN);
    ST_EQ(SC(NR_futex, W_, LINUX_FUTEX_CMP_REQUEUE | PRIV, 1, 2, W2_, 3), 3);
    let_run();
    ST_CHECK(w[0].done && !w[1].done && !w[2].done && !w[3].done);
    ST_EQ(SC(NR_futex, W_, FK | PRIV, 10), 1);  /* the one left on A */
    ST_EQ(SC(NR_futex, W2_, FK | PRIV, 10), 2); /* the two moved to B */
    ST_EQ(SC(NR_futex, W_, LINUX_FUTEX_REQUEUE | PRIV, 0, 5, W2_), 0);
    for (int i = 0; i < 4; i++) {
        thread_join(t[i]);
        ST_EQ(w[i].rc, 0);
    }
}

ST_CASE(wake_op_wakes_both_words)
{
    struct waiter_arg w[2] = {{0}};
    struct thread *t[2];

    put32(W_, 0);
    put32(W2_, 1);
    t[0] = start_waiter(&w[0], W_, FW | PRIV, ANY);
    t[1] = start_waiter(&w[1], W2_, FW | PRIV, ANY);
    let_run();
    /* glibc's condvar idiom: *B = 0, wake A, and B when B was > 0 */
    ST_EQ(SC(NR_futex, W_, LINUX_FUTEX_WAKE_OP | PRIV, 1, 1, W2_,
             LINUX_FUTEX_OP(LINUX_FUTEX_OP_SET, 0, LINUX_FUTEX_OP_CMP_GT, 0)),
          2);
    ST_EQ(get32(W2_), 0);
    thread_join(t[0]);
    thread_join(t[1]);
    ST_EQ(w[0].rc | w[1].rc, 0);
}

ST_CASE(timeouts_with_a_waiter)
{
    struct waiter_arg w = {0};
    struct thread *t;
    uint64_t t0 = hal_clock_ns();

    put32(W_, 0);
    w.uts = ts(0, 5000000); /* 5 ms, relative */
    t = start_waiter(&w, W_, FW, ANY);
    thread_join(t);
    ST_EQ(w.rc, -ETIMEDOUT);
    ST_CHECK(hal_clock_ns() - t0 >= 5000000);
    /* absolute, monotonic: 5 ms from now */
    uint64_t dl = hal_clock_ns() + 5000000;
    w.uts = ts((int64_t)(dl / 1000000000), (int64_t)(dl % 1000000000));
    t = start_waiter(&w, W_, LINUX_FUTEX_WAIT_BITSET, ANY);
    thread_join(t);
    ST_EQ(w.rc, -ETIMEDOUT);
    ST_CHECK(hal_clock_ns() >= dl);
    /* absolute, realtime: woken before the deadline returns 0 */
    dl = hal_wallclock_ns() + 1000000000;
    w.uts = ts((int64_t)(dl / 1000000000), (int64_t)(dl % 1000000000));
    t = start_waiter(&w, W_, LINUX_FUTEX_WAIT_BITSET | LINUX_FUTEX_CLOCK_REALTIME, ANY);
    let_run();
    ST_EQ(SC(NR_futex, W_, FK, 1), 1);
    thread_join(t);
    ST_EQ(w.rc, 0);
    ST_CHECK(hal_wallclock_ns() < dl);
}

ST_CASE(interrupted_wait_returns_eintr)
{
    struct waiter_arg w = {0};
    struct thread *t;

    put32(W_, 0);
    t = start_waiter(&w, W_, FW | PRIV, ANY);
    let_run();
    ST_CHECK(!w.done);
    thread_interrupt(t); /* what the signal layer and a group exit do */
    thread_join(t);
    ST_EQ(w.rc, -EINTR);
    ST_EQ(SC(NR_futex, W_, FK | PRIV, 1), 0); /* it left the bucket */
}

/* --- a thread's exit ---------------------------------------------------------------------------
 */

struct exiter {
    uint64_t ctid;
    uint64_t robust_head; /* 0: none */
    int tid;
};

static void exiter_main(void *arg)
{
    struct exiter *e = arg;

    if (proc_attach(st_proc, NULL))
        return;
    e->tid = (int)SC(NR_gettid);
    if (e->ctid) {
        put32(e->ctid, (uint32_t)e->tid); /* as the CLONE_PARENT_SETTID word */
        SC(NR_set_tid_address, e->ctid);
    }
    if (e->robust_head) {
        /* one lock held: the entry's futex word (offset 8) holds our tid and WAITERS */
        uint64_t entry = e->robust_head + 64;
        uint64_t head[3] = {entry, 8, 0};
        uint64_t ent[2] = {e->robust_head, 0};

        st_put(e->robust_head, head, sizeof(head));
        st_put(entry, ent, sizeof(ent));
        put32(entry + 8, (uint32_t)e->tid | LINUX_FUTEX_WAITERS);
        SC(NR_set_robust_list, e->robust_head, 24);
    }
    let_run();
    SC(NR_exit, 0);
}

ST_CASE(exit_clears_and_wakes_child_tid)
{
    struct exiter e = {P(256), 0, 0};
    struct waiter_arg w = {0};
    struct thread *te, *tw;

    te = thread_create("exiter", exiter_main, &e);
    sched_sleep_ns(100000); /* it has set its tid word and sleeps */
    ST_CHECK(e.tid > 1);
    tw = start_waiter(&w, P(256), FW, ANY); /* pthread_join: shared wait on the tid */
    thread_join(te);
    thread_join(tw);
    ST_EQ(w.rc, 0);
    ST_EQ(get32(P(256)), 0);
}

ST_CASE(exit_marks_robust_locks_owner_died)
{
    struct exiter e = {0, P(1024), 0};
    struct waiter_arg w = {0};
    struct thread *te, *tw;
    uint64_t word = P(1024) + 64 + 8;

    te = thread_create("exiter", exiter_main, &e);
    sched_sleep_ns(100000);
    ST_CHECK(e.tid > 1);
    tw = start_waiter(&w, word, FW, ANY); /* a robust mutex waits shared */
    thread_join(te);
    thread_join(tw);
    ST_EQ(w.rc, 0);
    ST_EQ(get32(word), LINUX_FUTEX_WAITERS | LINUX_FUTEX_OWNER_DIED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(futex_errors_as_linux),
        cmocka_unit_test(wait_and_wake_between_threads),
        cmocka_unit_test(bitsets),
        cmocka_unit_test(requeue_and_cmp_requeue),
        cmocka_unit_test(wake_op_wakes_both_words),
        cmocka_unit_test(timeouts_with_a_waiter),
        cmocka_unit_test(interrupted_wait_returns_eintr),
        cmocka_unit_test(exit_clears_and_wakes_child_tid),
        cmocka_unit_test(exit_marks_robust_locks_owner_died),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
