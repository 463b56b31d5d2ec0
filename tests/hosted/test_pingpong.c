/*
 * test_pingpong.c - 1,000 threads in 500 pairs bounce messages through wait queues.
 *
 * Each pair has two one-slot channels (ping->pong, pong->ping) built from a wait queue with
 * the lock-then-sleep protocol. Ping sends 1..N, pong checks each value arrives in order
 * and answers value + OFFSET, ping checks the answer. Threads yield at seeded random points
 * so the interleaving varies with PETREL_SEED. A lost wakeup shows up as a deadlock (exit
 * code PANIC_EXIT_CODE), a lost or duplicated message as a failed check or a wrong count.
 */
#include "tests/hosted/hosted_test.h"

#include "core/lib/alloc.h"
#include "core/lib/log.h"
#include "core/sched/sched.h"

#define OFFSET 1000000

struct size {
    int pairs, messages;
};

static int messages; /* of the boot in progress */

struct chan {
    struct wait_queue wq;
    bool full;
    int val;
};

struct pair {
    struct chan to_pong, to_ping;
    int pong_got, ping_got;
};

static void chan_send(struct chan *c, int v)
{
    uint64_t tok = spin_lock_irqsave(&c->wq.lock);

    while (c->full)
        wq_wait_locked(&c->wq, &tok, UINT64_MAX);
    c->full = true;
    c->val = v;
    wq_wake_all_locked(&c->wq);
    spin_unlock_irqrestore(&c->wq.lock, tok);
}

static int chan_recv(struct chan *c)
{
    uint64_t tok = spin_lock_irqsave(&c->wq.lock);
    int v;

    while (!c->full)
        wq_wait_locked(&c->wq, &tok, UINT64_MAX);
    v = c->val;
    c->full = false;
    wq_wake_all_locked(&c->wq);
    spin_unlock_irqrestore(&c->wq.lock, tok);
    return v;
}

static void maybe_yield(void)
{
    if (ht_rand() % 4 == 0)
        thread_yield();
}

static void ping(void *arg)
{
    struct pair *p = arg;

    for (int i = 1; i <= messages; i++) {
        chan_send(&p->to_pong, i);
        maybe_yield();
        H_CHECK(chan_recv(&p->to_ping) == i + OFFSET);
        p->ping_got++;
        maybe_yield();
    }
}

static void pong(void *arg)
{
    struct pair *p = arg;

    for (int i = 1; i <= messages; i++) {
        int v = chan_recv(&p->to_pong);

        H_CHECK(v == i);
        p->pong_got++;
        maybe_yield();
        chan_send(&p->to_ping, v + OFFSET);
    }
}

static int pingpong(void *arg)
{
    const struct size *sz = arg;
    const int PAIRS = sz->pairs, MESSAGES = sz->messages;
    struct pair *pairs = kcalloc(PAIRS, sizeof(*pairs));
    struct thread **ts = kcalloc(2 * PAIRS, sizeof(*ts));
    struct sched_stats st;
    long total = 0;

    ht_rand_init();
    messages = MESSAGES;
    H_CHECK(pairs && ts);
    if (!pairs || !ts)
        return ht_status();
    for (int i = 0; i < PAIRS; i++) {
        wq_init(&pairs[i].to_pong.wq, "to-pong");
        wq_init(&pairs[i].to_ping.wq, "to-ping");
        /* odd pairs start pong first, so both orders of first arrival happen */
        ts[2 * i + (i & 1)] = thread_create("ping", ping, &pairs[i]);
        ts[2 * i + !(i & 1)] = thread_create("pong", pong, &pairs[i]);
    }
    for (int i = 0; i < 2 * PAIRS; i++) {
        H_CHECK(ts[i] != NULL);
        if (ts[i])
            H_CHECK(thread_join(ts[i]) == 0);
    }
    for (int i = 0; i < PAIRS; i++) {
        H_CHECK(pairs[i].ping_got == MESSAGES);
        H_CHECK(pairs[i].pong_got == MESSAGES);
        H_CHECK(!pairs[i].to_pong.full && !pairs[i].to_ping.full);
        total += pairs[i].ping_got + pairs[i].pong_got;
    }
    H_CHECK(total == 2L * PAIRS * MESSAGES);
    sched_get_stats(&st);
    H_CHECK(st.context_switches >= (uint64_t)total);
    H_CHECK(sched_thread_count() == 1); /* init only */
    kfree(ts);
    kfree(pairs);
    return ht_status();
}

static void test_thousand_threads_ping_pong(void **state)
{
    static const struct size big = {.pairs = 500, .messages = 100};

    ht_expect(ht_boot(pingpong, (void *)&big, 128u << 20), 0);
}

/* Seeded preemption: a few pairs, many schedules. */
static void test_ping_pong_seeded_preemption(void **state)
{
    static const struct size small = {.pairs = 3, .messages = 20};

    ht_pct_run(pingpong, (void *)&small, 0, HT_PCT_SEEDS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thousand_threads_ping_pong),
        cmocka_unit_test(test_ping_pong_seeded_preemption),
    };

    return cmocka_run_group_tests_name("hosted_pingpong", tests, NULL, NULL);
}
