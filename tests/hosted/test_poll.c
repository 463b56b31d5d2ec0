/*
 * test_poll.c - fs/poll's engine with several kernel threads: a test file kind (a counter
 * with a wait queue, woken with keys) made ready by another thread while one polls it among
 * others; timeouts at the exact deadline; interrupts ending the wait with -EINTR; a wake
 * whose key the poller does not want does not end its wait. Also under seeded preemption.
 */
#include "tests/hosted/hosted_test.h"

#include "core/abi/poll.h"
#include "core/sched/sched.h"
#include "fs/poll/poll.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"

#define MS 1000000ULL

struct tfile {
    struct wait_queue wq;
    unsigned mask; /* under wq.lock */
};

static unsigned tfile_poll(struct file *f, struct poll_table *pt)
{
    struct tfile *t = f->priv;

    poll_wait(pt, &t->wq);
    return __atomic_load_n(&t->mask, __ATOMIC_ACQUIRE);
}

static int tfile_stat(struct file *f, struct vfs_stat *st)
{
    return 0;
}

static const struct file_ops tfile_ops = {.name = "test", .poll = tfile_poll, .stat = tfile_stat};

static void tfile_set(struct tfile *t, unsigned bits)
{
    uint64_t tok = spin_lock_irqsave(&t->wq.lock);

    __atomic_or_fetch(&t->mask, bits, __ATOMIC_RELEASE);
    wq_wake_key_locked(&t->wq, bits, 0);
    spin_unlock_irqrestore(&t->wq.lock, tok);
}

static struct tfile tf[3];
static struct file *files[3];
static struct thread *poller_thread;
static int poll_rc;
static uint64_t poll_at;
static struct poll_item items[3];

static void poller(void *arg)
{
    uint64_t deadline = (uint64_t)(uintptr_t)arg;

    for (int i = 0; i < 3; i++) {
        items[i].file = files[i];
        items[i].events = LINUX_EPOLLIN;
    }
    poll_rc = poll_files(items, 3, deadline);
    poll_at = hal_clock_ns();
}

static void setter(void *arg)
{
    sched_sleep_ns(2 * MS);
    tfile_set(&tf[0], LINUX_EPOLLOUT); /* not wanted: the poller sleeps on */
    sched_sleep_ns(1 * MS);
    tfile_set(&tf[2], LINUX_EPOLLIN | LINUX_EPOLLRDNORM);
}

static void interrupter(void *arg)
{
    sched_sleep_ns(4 * MS);
    thread_interrupt(poller_thread);
}

static int setup(void)
{
    for (int i = 0; i < 3; i++) {
        wq_init(&tf[i].wq, "tfile");
        tf[i].mask = 0;
        files[i] = file_alloc(&tfile_ops, &tf[i], 0, 0);
        H_CHECK(files[i] != NULL);
        if (!files[i])
            return -1;
    }
    return 0;
}

static void teardown(void)
{
    for (int i = 0; i < 3; i++) {
        H_CHECK(list_empty(&tf[i].wq.waiters)); /* every entry removed */
        file_put(files[i]);
    }
}

/* arg: 0 woken by the setter, 1 timeout, 2 interrupted */
static int scenario(void *arg)
{
    int which = (int)(intptr_t)arg;
    struct thread *ts[2] = {NULL, NULL};
    uint64_t deadline = which == 1 ? 2500 * 1000 : 100 * MS;

    if (setup())
        return ht_status();
    poller_thread = thread_create("poller", poller, (void *)(uintptr_t)deadline);
    if (which != 1)
        ts[0] = thread_create(which == 0 ? "setter" : "interrupter",
                              which == 0 ? setter : interrupter, NULL);
    thread_join(poller_thread);
    if (ts[0])
        thread_join(ts[0]);
    if (which == 0) {
        H_CHECK(poll_rc == 1);
        H_CHECK(items[2].revents == LINUX_EPOLLIN);
        H_CHECK(items[0].revents == 0 && items[1].revents == 0);
        if (!sched_pct_enabled())
            H_CHECK(poll_at == 3 * MS);
    } else if (which == 1) {
        H_CHECK(poll_rc == 0);
        H_CHECK(poll_at == 2500 * 1000);
    } else {
        H_CHECK(poll_rc == -EINTR);
        H_CHECK(poll_at == 4 * MS);
    }
    teardown();
    return ht_status();
}

static void test_poll_woken(void **state)
{
    ht_expect(ht_boot(scenario, (void *)0, 0), 0);
}

static void test_poll_timeout(void **state)
{
    ht_expect(ht_boot(scenario, (void *)1, 0), 0);
}

static void test_poll_interrupted(void **state)
{
    ht_expect(ht_boot(scenario, (void *)2, 0), 0);
}

static void test_poll_seeded_preemption(void **state)
{
    ht_pct_run(scenario, (void *)0, 0, HT_PCT_SEEDS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_poll_woken),
        cmocka_unit_test(test_poll_timeout),
        cmocka_unit_test(test_poll_interrupted),
        cmocka_unit_test(test_poll_seeded_preemption),
    };

    return cmocka_run_group_tests_name("hosted_poll", tests, NULL, NULL);
}
