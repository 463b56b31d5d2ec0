/*
 * test_threads.c - the threads of a process (core/proc/uthread.c): tids (main == pid, fresh
 * and cyclic, not reused while alive), per-thread state (gettid, set_tid_address, fs base,
 * signal mask, the double-fetch log), exit ending one thread (clear_child_tid zeroed, the
 * process going on) or the process with its last thread, exit_group from any thread, the
 * thread list and proc_find_thread's references, and the tracer's tid prefix.
 *
 * Extra threads are kernel threads attached to the test's process (proc_attach) that make
 * syscalls through ksys_call, as the hosted tests play the application.
 */
#include "st.h"

#include "core/lib/kprintf.h"
#include "core/mm/uaccess.h"
#include "fs/vfs/memfs.h"
#include "hal/hal_power.h"
#include "hal_hosted/hosted.h"

#define P(off) (st_buf + (off))
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003

struct worker {
    struct thread *t;
    long tid;
    long set_tid_ret;
    uint64_t ctid; /* user address for set_tid_address, 0: none */
    int exit_code; /* < 0: detach and return instead of exit */
    uint64_t fs;
};

static void worker_main(void *arg)
{
    struct worker *w = arg;

    if (proc_attach(st_proc, NULL))
        return;
    w->tid = SC(NR_gettid);
    if (w->ctid)
        w->set_tid_ret = SC(NR_set_tid_address, w->ctid);
    if (w->fs)
        SC(NR_arch_prctl, ARCH_SET_FS, w->fs);
    if (w->exit_code < 0) {
        proc_detach(NULL);
        return;
    }
    SC(NR_exit, (uint64_t)w->exit_code);
    st_fail(__FILE__, __LINE__, "exit returned", 0, 0);
}

static void worker_start(struct worker *w)
{
    w->t = thread_create("worker", worker_main, w);
}

ST_CASE(main_thread_is_pid)
{
    ST_EQ(SC(NR_getpid), 1);
    ST_EQ(SC(NR_gettid), 1);
    ST_EQ(uthread_current()->tid, 1);
    ST_CHECK(uthread_current()->proc == st_proc);
    ST_EQ(proc_thread_count(st_proc), 1);
    ST_CHECK(!st_proc->multi);
}

ST_CASE(thread_exit_keeps_process)
{
    struct worker w = {0};
    uint32_t word = 0x1234;

    st_put(P(0), &word, 4);
    w.ctid = P(0);
    w.exit_code = 5;
    worker_start(&w);
    ST_EQ(thread_join(w.t), 5);
    ST_EQ(w.tid, 2);
    ST_EQ(w.set_tid_ret, 2); /* set_tid_address returns the caller's tid */
    st_get(&word, P(0), 4);
    ST_EQ(word, 0); /* clear_child_tid zeroed on the thread's exit */
    ST_EQ(proc_thread_count(st_proc), 1);
    ST_CHECK(st_proc->multi);
    ST_EQ(st_proc->main.clear_child_tid, 0); /* the main thread's own state is untouched */
    ST_EQ(SC(NR_gettid), 1);
    ST_CHECK(proc_find_thread(st_proc, 2) == NULL);
}

ST_CASE(tids_fresh_not_reused_soon)
{
    struct worker w[4];

    memset(w, 0, sizeof(w));
    for (int i = 0; i < 4; i++) {
        w[i].exit_code = i;
        worker_start(&w[i]);
        ST_EQ(thread_join(w[i].t), i);
    }
    /* each thread has ended before the next starts, and still each gets a new tid */
    for (int i = 0; i < 4; i++)
        ST_EQ(w[i].tid, 2 + i);
}

ST_CASE(tids_wrap_around_skipping_live_ones)
{
    struct uthread *a, *b, *c;
    int err = 0;

    st_proc->next_tid = PROC_TID_MAX - 1;
    a = uthread_create(st_proc, &err);
    ST_CHECK(a != NULL);
    ST_EQ(a->tid, PROC_TID_MAX - 1);
    b = uthread_create(st_proc, &err);
    ST_CHECK(b != NULL);
    ST_EQ(b->tid, 2); /* wrapped; 1 is the pid, always reserved */
    st_proc->next_tid = 2;
    c = uthread_create(st_proc, &err);
    ST_CHECK(c != NULL);
    ST_EQ(c->tid, 3); /* 2 is alive: skipped */
    ST_EQ(proc_thread_count(st_proc), 4);
    /* found with a reference; the list keeps its own */
    struct uthread *f = proc_find_thread(st_proc, 3);
    ST_CHECK(f == c);
    ST_EQ(f->refs, 2);
    uthread_put(f);
    ST_CHECK(proc_find_thread(st_proc, 4) == NULL);
    ST_CHECK(proc_find_thread(st_proc, 1) == &st_proc->main);
    uthread_put(&st_proc->main);
    /* bound to kernel threads and detached again: their records go */
    struct thread *self = thread_current();
    uthread_bind(a, self);
    ST_CHECK(uthread_current() == a);
    ST_EQ(SC(NR_gettid), PROC_TID_MAX - 1);
    proc_detach(NULL);
    uthread_bind(b, self);
    proc_detach(NULL);
    uthread_bind(c, self);
    proc_detach(NULL);
    ST_EQ(proc_attach(st_proc, NULL), 0); /* back to the main thread */
    ST_EQ(SC(NR_gettid), 1);
    ST_EQ(proc_thread_count(st_proc), 1);
}

ST_CASE(tids_exhausted)
{
    int err = 0;
    int n = 0;
    struct uthread *ut;

    /* every tid but 2 taken: one more thread, then -EAGAIN */
    for (int tid = 3; tid < PROC_TID_MAX; tid++)
        st_proc->tid_used[tid / 64] |= 1ULL << (tid % 64);
    ut = uthread_create(st_proc, &err);
    ST_CHECK(ut != NULL);
    ST_EQ(ut->tid, 2);
    ST_CHECK(uthread_create(st_proc, &err) == NULL);
    ST_EQ(err, -EAGAIN);
    for (int tid = 3; tid < PROC_TID_MAX; tid++)
        st_proc->tid_used[tid / 64] &= ~(1ULL << (tid % 64));
    uthread_bind(ut, thread_current());
    proc_detach(NULL);
    proc_attach(st_proc, NULL);
    PROC_FOR_EACH_THREAD(st_proc, u)
    n++;
    ST_EQ(n, 1);
}

ST_CASE(per_thread_state)
{
    struct worker w = {0};
    uint64_t fs = 0;

    ST_EQ(SC(NR_arch_prctl, ARCH_SET_FS, 0x7000), 0);
    ST_EQ(SC(NR_set_tid_address, P(64)), 1);
    w.exit_code = -1;
    w.fs = 0x9000;
    w.ctid = P(128);
    worker_start(&w);
    ST_EQ(thread_join(w.t), 0);
    ST_EQ(SC(NR_arch_prctl, ARCH_GET_FS, P(0)), 0);
    st_get(&fs, P(0), 8);
    ST_EQ(fs, 0x7000); /* the worker's ARCH_SET_FS was its own */
    ST_EQ(st_proc->main.clear_child_tid, P(64));
    ST_EQ(st_proc->main.fs_base, 0x7000);
}

/* The fetch log is the thread's: a worker's syscall between two of ours leaves ours alone. */
static void fetch_worker(void *arg)
{
    (void)arg;
    if (proc_attach(st_proc, NULL))
        return;
    SC(NR_stat, st_str(P(8192), "/"), P(4096)); /* one range (the path) */
    proc_detach(NULL);
}

ST_CASE(fetch_log_per_thread)
{
    uint64_t ts[2] = {0, 1000};
    struct thread *t;

    ST_EQ(SC(NR_nanosleep, st_put(P(0), ts, sizeof(ts)), 0), 0);
    ST_EQ(sys_last_fetch_count(), 1);
    t = thread_create("fetch", fetch_worker, NULL);
    ST_CHECK(t != NULL);
    thread_join(t);
    ST_EQ(sys_last_fetch_count(), 1); /* still ours */
}

ST_CASE(trace_prefixes_tid_once_multithreaded)
{
    char cap[512];
    struct worker w = {0};

    hosted_console_capture(cap, sizeof(cap), false);
    sys_trace_set(true);
    SC(NR_getppid);
    w.exit_code = 3;
    worker_start(&w);
    thread_join(w.t);
    SC(NR_getppid);
    sys_trace_set(false);
    hosted_console_capture_stop();
    ST_CHECK(strstr(cap, "getppid() = 0\n") == cap);
    ST_CHECK(strstr(cap, "[pid 2] gettid() = 2\n") != NULL);
    ST_CHECK(strstr(cap, "[pid 2] exit(3) = ?\n") != NULL);
    ST_CHECK(strstr(cap, "[pid 1] getppid() = 0\n") != NULL);
}

/* --- the end of the process -------------------------------------------------------------- */

static struct proc *app;
static int group_code;

static void group_worker(void *arg)
{
    (void)arg;
    if (proc_attach(app, NULL) == 0)
        ksys_call(NR_exit_group, (uint64_t)group_code, 0, 0, 0, 0, 0);
}

/* A thread asleep in a syscall when another calls exit_group. */
static void sleeper(void *arg)
{
    uint64_t ts[2] = {0, 50000000};
    long m;

    (void)arg;
    if (proc_attach(app, NULL))
        return;
    m = ksys_call(NR_mmap, 0, 4096, 3, 0x22, (uint64_t)-1, 0);
    if (m < 0 || copy_to_user(uptr_make((uint64_t)m), ts, sizeof(ts)))
        hal_exit(203);
    ksys_call(NR_nanosleep, (uint64_t)m, 0, 0, 0, 0, 0);
    hal_exit(204); /* the process ended while this thread slept */
}

static int app_boot_setup(void)
{
    vfs_init();
    memfs_mount(NULL, "/", NULL, NULL);
    if (proc_create(NULL, &app))
        return -1;
    return proc_attach(app, NULL);
}

/* exit_group from a second thread while the main one waits: the process ends with it. */
static int group_entry(void *arg)
{
    struct thread *t;

    (void)arg;
    if (app_boot_setup())
        return 200;
    thread_create("sleeper", sleeper, NULL);
    t = thread_create("group", group_worker, NULL);
    thread_join(t);
    return 201; /* never reached: exit_group ended the machine */
}

/* The main thread exits first; the process lives on until its last thread exits. */
static void last_worker(void *arg)
{
    (void)arg;
    sched_sleep_ns(1000000);
    if (proc_thread_count(app) != 1 || !app->main.exited)
        hal_exit(202);
    ksys_call(NR_exit, 77, 0, 0, 0, 0, 0);
}

static int last_entry(void *arg)
{
    (void)arg;
    if (app_boot_setup())
        return 200;
    if (proc_attach(app, thread_create("last", last_worker, NULL))) /* attached before it runs */
        return 202;
    ksys_call(NR_exit, 9, 0, 0, 0, 0, 0); /* the main thread only */
    return 201;
}

static int boot(int (*entry)(void *))
{
    struct hosted_config c;

    memset(&c, 0, sizeof(c));
    c.ram_bytes = 32u << 20;
    c.entry = entry;
    return hosted_boot(&c);
}

static void group_exit_ends_process(void **state)
{
    (void)state;
    group_code = 33;
    assert_int_equal(boot(group_entry), 33);
    group_code = 0;
    assert_int_equal(boot(group_entry), 0);
}

static void last_thread_ends_process(void **state)
{
    (void)state;
    assert_int_equal(boot(last_entry), 77);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(main_thread_is_pid),
        cmocka_unit_test(thread_exit_keeps_process),
        cmocka_unit_test(tids_fresh_not_reused_soon),
        cmocka_unit_test(tids_wrap_around_skipping_live_ones),
        cmocka_unit_test(tids_exhausted),
        cmocka_unit_test(per_thread_state),
        cmocka_unit_test(fetch_log_per_thread),
        cmocka_unit_test(trace_prefixes_tid_once_multithreaded),
        cmocka_unit_test(group_exit_ends_process),
        cmocka_unit_test(last_thread_ends_process),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
