/*
 * test_cputime.c - CPU time accounting (core/sched/cputime.c) in virtual time: a thread is
 * charged exactly the virtual time it ran (hosted_clock_advance plays the work), not the
 * time it slept; a group's total keeps the threads that ended; the user/system split is
 * sampled at timer interrupts by the mode sched_cputime_user() set and scaled to the measured
 * total as Linux's cputime_adjust does; voluntary and involuntary switches are counted; a
 * CPU's own times (user, system, idle) add up to the elapsed time.
 */
#include "tests/unit/sched/fixture.h"

#include "hal/hal_time.h"
#include "hal_hosted/hosted.h"

#define MS 1000000ULL

struct burn {
    uint64_t work_ns;      /* virtual time it "computes" */
    uint64_t sleep_ns;     /* then sleeps this long */
    uint64_t user_ns;      /* of work_ns, this much in user mode (first) */
    struct sched_cputime *group;
    uint64_t seen_self;    /* thread_cpu_ns() at its end */
    struct sched_cputime seen_ct;
};

static void burn_thread(void *arg)
{
    struct burn *b = arg;

    thread_set_cpu_group(thread_current(), b->group);
    if (b->user_ns) {
        sched_cputime_user(true);
        hosted_clock_advance(b->user_ns);
        sched_cputime_user(false);
    }
    hosted_clock_advance(b->work_ns - b->user_ns);
    thread_yield();
    if (b->sleep_ns)
        sched_sleep_ns(b->sleep_ns);
    b->seen_self = thread_cpu_ns(thread_current());
    thread_cputime(thread_current(), &b->seen_ct);
}

static void test_cputime_measures_runs_not_sleeps(void **state)
{
    struct sched_cputime g = {0}, total;
    struct burn a = {.work_ns = 3 * MS, .sleep_ns = 50 * MS, .group = &g};
    struct burn b = {.work_ns = 7 * MS, .user_ns = 5 * MS, .group = &g};
    struct burn c = {.work_ns = 0, .sleep_ns = 100 * MS, .group = &g};

    (void)state;
    fixture_spawn("a", burn_thread, &a);
    fixture_spawn("b", burn_thread, &b);
    fixture_spawn("c", burn_thread, &c);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_true(hal_clock_ns() >= 100 * MS);
    assert_int_equal(a.seen_self, 3 * MS);
    assert_int_equal(b.seen_self, 7 * MS);
    assert_int_equal(b.seen_ct.run_ns, 7 * MS);
    assert_int_equal(b.seen_ct.user_ns + b.seen_ct.sys_ns, 7 * MS);
    assert_int_equal(c.seen_self, 0);
    /* every thread ended: the group still holds all of them */
    sched_group_cputime(&g, &total);
    assert_int_equal(total.run_ns, 10 * MS);
    assert_int_equal(total.user_ns + total.sys_ns, 10 * MS);
    assert_int_equal(sched_group_cpu_ns(&g), 10 * MS);
    assert_true(a.seen_ct.nvcsw >= 1); /* it slept */
    assert_true(b.seen_ct.nivcsw >= 1); /* it yielded to a runnable thread */
    assert_int_equal(total.nvcsw, a.seen_ct.nvcsw + b.seen_ct.nvcsw + c.seen_ct.nvcsw);
}

/* The run in progress counts: a busy thread reading its own clock sees it move. */
static void spin_reader(void *arg)
{
    uint64_t *out = arg;
    uint64_t t0 = thread_cpu_ns(thread_current());

    hosted_clock_advance(2 * MS);
    out[0] = thread_cpu_ns(thread_current()) - t0;
    hosted_clock_advance(15 * MS); /* past a slice: preempted, nobody else: runs on */
    sched_preempt_point();
    out[1] = thread_cpu_ns(thread_current()) - t0;
}

static void test_cputime_includes_run_in_progress(void **state)
{
    uint64_t out[2] = {0, 0};

    (void)state;
    fixture_spawn("spin", spin_reader, out);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(out[0], 2 * MS);
    assert_int_equal(out[1], 17 * MS);
}

/* A thread that worked before joining its group (the boot thread mounts the volumes, then
 * becomes the program's main thread) starts its own clock at the join: its clock never
 * exceeds the group's. Before the fix the thread's clock kept the 40 ms of "boot" and read
 * 43 ms against the group's 3 ms (runtime.*.cputime: "main thread clock below process
 * clock" failed whenever a loaded host made the boot take long). */
struct joiner {
    struct sched_cputime *group;
    uint64_t self, self_sw;
    struct sched_cputime total;
};

static void late_joiner(void *arg)
{
    struct joiner *j = arg;

    hosted_clock_advance(40 * MS); /* the boot's work, no group yet */
    thread_yield();
    thread_set_cpu_group(thread_current(), j->group);
    hosted_clock_advance(3 * MS);
    sched_cputime_user(true);
    hosted_clock_advance(1 * MS);
    sched_cputime_user(false);
    j->self = thread_cpu_ns(thread_current());
    sched_group_cputime(j->group, &j->total);
    struct sched_cputime ct;
    thread_cputime(thread_current(), &ct);
    j->self_sw = ct.nvcsw + ct.nivcsw;
}

static void test_cputime_thread_clock_starts_at_join(void **state)
{
    struct sched_cputime g = {0};
    struct joiner j = {.group = &g};
    struct burn other = {.work_ns = 1 * MS, .group = NULL};

    (void)state;
    fixture_spawn("joiner", late_joiner, &j);
    fixture_spawn("other", burn_thread, &other); /* makes the joiner's yield a real switch */
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(j.self, 4 * MS);
    assert_int_equal(j.total.run_ns, 4 * MS);
    assert_int_equal(j.total.user_ns + j.total.sys_ns, 4 * MS);
    assert_true(j.self <= j.total.user_ns + j.total.sys_ns);
    assert_int_equal(j.self_sw, 0); /* the switch before the join is not the group's either */
}

/* The split: each timer interrupt (here the end of a slice at a preemption point) samples the
 * time since the thread's last sample as the mode it is in; a read scales the samples to the
 * measured total; no sample counts as user time; neither part goes back from what the last
 * read reported (Linux's cputime_adjust). */
struct splitter {
    struct sched_cputime *group;
    struct sched_cputime ct[4];
};

static void split_thread(void *arg)
{
    struct splitter *x = arg;

    thread_set_cpu_group(thread_current(), x->group);
    sched_cputime_user(true);
    hosted_clock_advance(5 * MS);
    thread_cputime(thread_current(), &x->ct[0]); /* no sample yet: all user */
    hosted_clock_advance(10 * MS);
    sched_preempt_point(); /* the slice ended at 10 ms: 15 ms sampled as user */
    sched_cputime_user(false);
    hosted_clock_advance(5 * MS);
    thread_cputime(thread_current(), &x->ct[1]); /* run 20, samples 15/0: 20/0 */
    hosted_clock_advance(10 * MS);
    sched_preempt_point(); /* slice end at 25: 15 ms sampled as system */
    thread_cputime(thread_current(), &x->ct[2]); /* 30 by 15/15 is 15/15; user stays 20 */
    sched_cputime_user(true);
    hosted_clock_advance(20 * MS);
    sched_preempt_point(); /* 20 ms more user */
    thread_cputime(thread_current(), &x->ct[3]); /* run 50, samples 35/15 */
}

static void test_cputime_split_is_sampled_and_scaled(void **state)
{
    struct sched_cputime g = {0}, total;
    struct splitter x = {.group = &g};

    (void)state;
    fixture_spawn("split", split_thread, &x);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    assert_int_equal(x.ct[0].user_ns, 5 * MS);
    assert_int_equal(x.ct[0].sys_ns, 0);
    assert_int_equal(x.ct[1].user_ns, 20 * MS);
    assert_int_equal(x.ct[1].sys_ns, 0);
    assert_int_equal(x.ct[2].user_ns, 20 * MS);
    assert_int_equal(x.ct[2].sys_ns, 10 * MS);
    assert_int_equal(x.ct[3].user_ns, 35 * MS);
    assert_int_equal(x.ct[3].sys_ns, 15 * MS);
    sched_group_cputime(&g, &total); /* its first read: straight from the samples */
    assert_int_equal(total.run_ns, 50 * MS);
    assert_int_equal(total.user_ns, 35 * MS);
    assert_int_equal(total.sys_ns, 15 * MS);
}

/* The CPU's own times (/proc/stat's cpuN line): the same charges and samples as the threads
 * that ran there, and the idle loop's measured waits; run + idle is the elapsed time. */
static void sleep_then_split(void *arg)
{
    sched_sleep_ns(30 * MS); /* the CPU idles 30 ms */
    split_thread(arg);
}

static void test_cputime_cpu_times(void **state)
{
    struct sched_cputime g = {0}, cpu;
    struct splitter x = {.group = &g};
    uint64_t t0 = hal_clock_ns(), idle;

    (void)state;
    fixture_spawn("split", sleep_then_split, &x);
    assert_int_equal(sched_run(), 0);
    fixture_verify();
    sched_cpu_cputime(0, &cpu, &idle);
    assert_int_equal(cpu.run_ns, 50 * MS);
    assert_int_equal(cpu.user_ns, 35 * MS);
    assert_int_equal(cpu.sys_ns, 15 * MS);
    assert_int_equal(idle, 30 * MS);
    assert_int_equal(cpu.run_ns + idle, hal_clock_ns() - t0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cputime_measures_runs_not_sleeps, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_cputime_includes_run_in_progress, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_cputime_thread_clock_starts_at_join, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_cputime_split_is_sampled_and_scaled, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_cputime_cpu_times, fixture_setup, fixture_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
