/*
 * test_waiters.c - waiters on several queues under seeded preemption (ht_pct_run).
 *
 * Producers put tokens into three channels and wake one exclusive waiter with the channel's
 * key; consumers wait on all three queues at once (one waiter, three exclusive entries),
 * interruptibly and with a deadline, while another thread interrupts them at random. Every
 * token must be taken exactly once, every wait must end with exactly one result (0, -EINTR
 * only while an interrupt is pending, -ETIMEDOUT only at or after the deadline), and nobody
 * may be left asleep. The strict variant has no timeouts and no interrupts, so a lost
 * wakeup cannot be rescued by them: it ends the boot in a deadlock report.
 */
#include "tests/hosted/hosted_test.h"

#include "core/sched/sched.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"

#define NCH 3
#define PRODUCERS 3
#define CONSUMERS 3
#define TOKENS 12 /* per producer */

static struct {
    struct wait_queue wq;
    int tokens; /* guarded by wq.lock */
} ch[NCH];

static int taken, done;
static bool strict; /* no timeouts, no interrupts: a lost wakeup can only deadlock */
static int per_consumer[CONSUMERS];
static struct thread *consumers[CONSUMERS];

static bool take_one(void)
{
    for (int i = 0; i < NCH; i++) {
        uint64_t tok = spin_lock_irqsave(&ch[i].wq.lock);
        bool got = ch[i].tokens > 0;

        if (got)
            ch[i].tokens--;
        spin_unlock_irqrestore(&ch[i].wq.lock, tok);
        if (got)
            return true;
    }
    return false;
}

static void finish_all(void)
{
    done = 1;
    for (int i = 0; i < NCH; i++)
        wq_wake_all(&ch[i].wq);
}

static void consumer(void *arg)
{
    int id = (int)(intptr_t)arg;
    struct wait_entry e[NCH];
    struct waiter w;

    waiter_init(&w);
    for (int i = 0; i < NCH; i++) {
        wait_entry_init(&e[i], waiter_wake_fn, &w);
        e[i].exclusive = true;
        wq_add(&ch[i].wq, &e[i]);
    }
    while (!done) {
        /* consumer 0 never times out, the others sometimes do */
        uint64_t deadline = strict || id == 0 || ht_rand() % 2 ? UINT64_MAX
                                                     : hal_clock_ns() + 1 + ht_rand() % 3000000;
        int rc;

        if (take_one()) {
            per_consumer[id]++;
            if (++taken == PRODUCERS * TOKENS)
                finish_all();
            continue;
        }
        rc = waiter_sleep(&w, deadline, true);
        H_CHECK(rc == 0 || rc == -EINTR || rc == -ETIMEDOUT);
        if (rc == -EINTR) {
            H_CHECK(thread_interrupt_pending(thread_current()));
            thread_clear_interrupt(thread_current());
        }
        if (rc == -ETIMEDOUT)
            H_CHECK(deadline != UINT64_MAX && hal_clock_ns() >= deadline);
        waiter_reset(&w);
    }
    for (int i = 0; i < NCH; i++)
        wq_remove(&e[i]);
}

static void producer(void *arg)
{
    for (int k = 0; k < TOKENS; k++) {
        int i = (int)(ht_rand() % NCH);
        uint64_t tok = spin_lock_irqsave(&ch[i].wq.lock);

        ch[i].tokens++;
        wq_wake_key_locked(&ch[i].wq, 1u << i, 1);
        spin_unlock_irqrestore(&ch[i].wq.lock, tok);
        if (ht_rand() % 3 == 0)
            sched_sleep_ns(ht_rand() % 1000000);
        else
            sched_preempt_point();
    }
}

static void interrupter(void *arg)
{
    for (int k = 0; k < 10 && !done; k++) {
        sched_sleep_ns(ht_rand() % 2000000);
        if (!done)
            thread_interrupt(consumers[ht_rand() % CONSUMERS]);
    }
}

static int run(void *arg)
{
    struct thread *ps[PRODUCERS], *it;
    int sum = 0;

    ht_rand_init();
    taken = done = 0;
    for (int i = 0; i < NCH; i++) {
        wq_init(&ch[i].wq, "chan");
        ch[i].tokens = 0;
    }
    for (int i = 0; i < CONSUMERS; i++) {
        per_consumer[i] = 0;
        consumers[i] = thread_create("consumer", consumer, (void *)(intptr_t)i);
    }
    for (int i = 0; i < PRODUCERS; i++)
        ps[i] = thread_create("producer", producer, NULL);
    it = strict ? NULL : thread_create("interrupter", interrupter, NULL);
    for (int i = 0; i < PRODUCERS; i++)
        thread_join(ps[i]);
    if (it)
        thread_join(it); /* before the consumers: it still interrupts them */
    for (int i = 0; i < CONSUMERS; i++) {
        thread_join(consumers[i]);
        sum += per_consumer[i];
    }
    H_CHECK(sum == PRODUCERS * TOKENS);
    for (int i = 0; i < NCH; i++) {
        H_CHECK(ch[i].tokens == 0);
        H_CHECK(list_empty(&ch[i].wq.waiters) && ch[i].wq.nshared == 0);
    }
    return ht_status();
}

static void test_waiters_fifo(void **state)
{
    strict = false;
    ht_expect(ht_boot(run, NULL, 0), 0);
}

static void test_waiters_seeded_preemption(void **state)
{
    strict = false;
    ht_pct_run(run, NULL, 0, HT_PCT_SEEDS);
}

static void test_waiters_strict_seeded_preemption(void **state)
{
    strict = true;
    ht_pct_run(run, NULL, 0, HT_PCT_SEEDS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_waiters_fifo),
        cmocka_unit_test(test_waiters_seeded_preemption),
        cmocka_unit_test(test_waiters_strict_seeded_preemption),
    };

    return cmocka_run_group_tests_name("hosted_waiters", tests, NULL, NULL);
}
