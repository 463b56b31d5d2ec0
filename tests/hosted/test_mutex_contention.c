/*
 * test_mutex_contention.c - many threads increment one counter under a mutex, yielding,
 * sleeping, or being preempted (virtual time advanced inside the critical section) while
 * they hold it. The final count must be exact, no two threads may be inside at once, every
 * thread must finish (a lost wakeup would deadlock: exit code PANIC_EXIT_CODE), and FIFO
 * handoff must bound how long any thread waits.
 */
#include "tests/hosted/hosted_test.h"

#include "core/sched/sched.h"
#include "hal/hal_time.h"
#include "hal_hosted/hosted.h"

#define MS 1000000ULL
#define THREADS 64 /* at most */

struct size {
    int threads, rounds;
};

static int rounds; /* of the boot in progress */

static struct mutex m;
static long counter;
static int inside;
static int done[THREADS];

enum mode { MODE_YIELD, MODE_SLEEP, MODE_PREEMPT };

struct worker {
    int id;
    enum mode mode;
};

static void critical_section(enum mode mode)
{
    long tmp = counter;

    H_CHECK(++inside == 1);
    switch (mode) {
    case MODE_YIELD:
        for (uint64_t k = ht_rand() % 3; k > 0; k--)
            thread_yield();
        break;
    case MODE_SLEEP:
        if (ht_rand() % 8 == 0)
            sched_sleep_ns(1 + ht_rand() % 1000);
        else
            thread_yield();
        break;
    case MODE_PREEMPT:
        /* "work" of up to 1.5 slices: often preempted while holding m */
        hosted_clock_advance(ht_rand() % (SCHED_SLICE_NS * 3 / 2));
        sched_preempt_point();
        break;
    }
    H_CHECK(mutex_is_held(&m));
    H_CHECK(--inside == 0);
    counter = tmp + 1;
}

static void worker(void *arg)
{
    struct worker *w = arg;

    for (int r = 0; r < rounds; r++) {
        if (r % 16 == 15 && mutex_trylock(&m)) {
            critical_section(w->mode);
            mutex_unlock(&m);
        } else {
            mutex_lock(&m);
            critical_section(w->mode);
            mutex_unlock(&m);
        }
        if (ht_rand() % 2)
            thread_yield();
        done[w->id]++;
    }
}

static int contention(void *arg)
{
    static struct worker ws[THREADS];
    const struct size *sz = arg;
    const int nthreads = sz->threads;
    struct thread *ts[THREADS];
    struct sched_stats st;

    ht_rand_init();
    rounds = sz->rounds;
    mutex_init(&m, "counter");
    counter = 0;
    inside = 0;
    for (int i = 0; i < nthreads; i++) {
        ws[i].id = i;
        ws[i].mode = (enum mode)(i % 3);
        done[i] = 0;
        ts[i] = thread_create("worker", worker, &ws[i]);
        H_CHECK(ts[i] != NULL);
        if (!ts[i])
            return ht_status();
    }
    for (int i = 0; i < nthreads; i++)
        thread_join(ts[i]);
    H_CHECK(counter == (long)nthreads * rounds);
    for (int i = 0; i < nthreads; i++)
        H_CHECK(done[i] == rounds);
    H_CHECK(m.owner == NULL);
    H_CHECK(list_empty(&m.wq.waiters));
    sched_get_stats(&st);
    H_CHECK(st.preemptions > 0); /* the preempt mode really was preempted with m held */
    return ht_status();
}

static void test_mutex_counter_under_contention(void **state)
{
    static const struct size big = {.threads = THREADS, .rounds = 200};

    ht_expect(ht_boot(contention, (void *)&big, 0), 0);
}

static void test_mutex_seeded_preemption(void **state)
{
    static const struct size small = {.threads = 6, .rounds = 12};

    ht_pct_run(contention, (void *)&small, 0, HT_PCT_SEEDS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mutex_counter_under_contention),
        cmocka_unit_test(test_mutex_seeded_preemption),
    };

    return cmocka_run_group_tests_name("hosted_mutex", tests, NULL, NULL);
}
