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

/* --- clone: Linux's refusals and Petrel's (checked natively on Linux 6.x) ----------------- */

enum {
    NR_clone = 56,
    NR_sched_setparam = 142,
    NR_sched_getparam = 143,
    NR_sched_setscheduler = 144,
    NR_sched_getscheduler = 145,
    NR_sched_get_priority_max = 146,
    NR_sched_get_priority_min = 147,
    NR_sched_rr_get_interval = 148,
    NR_sched_setaffinity = 203,
    NR_sched_getaffinity = 204,
    NR_getcpu = 309,
    NR_get_robust_list = 274,
    NR_clone3 = 435,
};

#define CL_VM 0x100
#define CL_FS 0x200
#define CL_FILES 0x400
#define CL_SIGHAND 0x800
#define CL_PIDFD 0x1000
#define CL_VFORK 0x4000
#define CL_THREAD 0x10000
#define CL_NEWNS 0x20000
#define CL_SYSVSEM 0x40000
#define CL_SETTLS 0x80000
#define CL_PARENT_SETTID 0x100000
#define CL_CHILD_CLEARTID 0x200000
#define CL_DETACHED 0x400000
#define CL_NEWUSER 0x10000000
#define CL_NEWPID 0x20000000
#define CL_GLIBC                                                                                   \
    (CL_VM | CL_FS | CL_FILES | CL_SIGHAND | CL_THREAD | CL_SYSVSEM | CL_SETTLS |                  \
     CL_PARENT_SETTID | CL_CHILD_CLEARTID)

ST_CASE(clone_refusals)
{
    char cap[1024];

    ST_EQ(SC(NR_clone, CL_THREAD), -EINVAL);
    ST_EQ(SC(NR_clone, CL_THREAD | CL_VM), -EINVAL);
    ST_EQ(SC(NR_clone, CL_SIGHAND), -EINVAL);
    ST_EQ(SC(NR_clone, CL_NEWNS | CL_FS), -EINVAL);
    ST_EQ(SC(NR_clone, CL_NEWUSER | CL_THREAD | CL_SIGHAND | CL_VM), -EINVAL);
    ST_EQ(SC(NR_clone, CL_NEWPID | CL_THREAD | CL_SIGHAND | CL_VM), -EINVAL);
    ST_EQ(SC(NR_clone, CL_PIDFD | CL_PARENT_SETTID), -EINVAL);
    ST_EQ(SC(NR_clone, CL_PIDFD | CL_DETACHED), -EINVAL);
    ST_EQ(SC(NR_clone, CL_GLIBC, P(4096), P(0), P(0), 0x800000000000ULL), -EPERM);
    ST_EQ(SC(NR_clone, CL_GLIBC, P(4096), P(0), P(0), 0x7ffffffff000ULL), -EPERM);
    /* Petrel's own: a process (said once), a thread not sharing everything (named) */
    hosted_console_capture(cap, sizeof(cap), false);
    ST_EQ(SC(NR_clone, 17), -ENOSYS);
    ST_EQ(SC(NR_clone, CL_VM | CL_VFORK | 17), -ENOSYS);
    ST_EQ(SC(NR_clone, CL_VM | CL_SIGHAND | CL_THREAD), -EINVAL);
    ST_EQ(SC(NR_clone, CL_GLIBC | CL_VFORK), -EINVAL);
    hosted_console_capture_stop();
    ST_CHECK(strstr(cap, "clone(flags 0) without CLONE_THREAD creates a process") != NULL);
    ST_CHECK(strstr(cap, "0x4100") == NULL); /* the second process clone is not repeated */
    ST_CHECK(strstr(cap, "flags missing 0x600, flags not supported 0: -EINVAL") != NULL);
    ST_CHECK(strstr(cap, "flags missing 0, flags not supported 0x4000") != NULL);
    /* a valid thread clone needs a user frame: called as C there is none */
    ST_EQ(SC(NR_clone, CL_GLIBC, P(4096), P(0), P(0), 0x1000), -ENOSYS);
    ST_EQ(proc_thread_count(st_proc), 1);
}

ST_CASE(clone3_structure_checks)
{
    uint64_t ca[11];
    uint8_t zero[4200];

    memset(ca, 0, sizeof(ca));
    memset(zero, 0, sizeof(zero));
    st_put(P(0), ca, sizeof(ca));
    ST_EQ(SC(NR_clone3, P(0), 0), -EINVAL);
    ST_EQ(SC(NR_clone3, P(0), 63), -EINVAL);
    ST_EQ(SC(NR_clone3, P(0), 4097), -E2BIG);
    ST_EQ(SC(NR_clone3, 0, 64), -EFAULT);
    ST_EQ(SC(NR_clone3, st_hole - 32, 64), -EFAULT);
    zero[100] = 1;
    st_put(P(8192), zero, 200);
    ST_EQ(SC(NR_clone3, P(8192), 200), -E2BIG); /* an unknown field set */
    zero[100] = 0;
    st_put(P(8192), zero, 200);
    ST_EQ(SC(NR_clone3, P(8192), 200), -ENOSYS); /* zeros past the end are fine: a fork */
#define C3(flags_, sig_, stack_, size_, sz)                                                        \
    (ca[0] = (flags_), ca[4] = (sig_), ca[5] = (stack_), ca[6] = (size_), st_put(P(0), ca, 88),     \
     SC(NR_clone3, P(0), (sz)))
    ST_EQ(C3(CL_THREAD, 0, 0, 0, 64), -EINVAL);
    ST_EQ(C3(0, 0, 0x1000, 0, 64), -EINVAL);
    ST_EQ(C3(0, 0, 0, 4096, 64), -EINVAL);
    ST_EQ(C3(0, 65, 0, 0, 64), -EINVAL);
    ST_EQ(C3(1ULL << 40, 0, 0, 0, 64), -EINVAL);
    ST_EQ(C3(17, 0, 0, 0, 64), -EINVAL); /* CSIGNAL bits in clone3's flags */
    ST_EQ(C3(CL_DETACHED, 0, 0, 0, 64), -EINVAL);
    ST_EQ(C3(CL_GLIBC | 0x100000000ULL, 0, 0, 0, 64), -EINVAL); /* CLEAR_SIGHAND|SIGHAND */
    ST_EQ(C3(CL_GLIBC, 17, P(0), 4096, 64), -EINVAL); /* a thread with an exit signal */
    ST_EQ(C3(CL_GLIBC, 0, 0x7ffffffff000ULL, 8192, 64), -EINVAL); /* past the user half */
    ca[9] = 1; /* set_tid_size without set_tid */
    ST_EQ(C3(0, 0, 0, 0, 80), -EINVAL);
    ca[9] = 0;
    ca[8] = P(0); /* set_tid without a size */
    ST_EQ(C3(0, 0, 0, 0, 80), -EINVAL);
    ca[8] = 0;
    ca[7] = 0x800000000000ULL;
    ST_EQ(C3(CL_GLIBC, 0, P(0), 4096, 64), -EPERM); /* tls */
    ca[7] = 0;
    ST_EQ(C3(CL_GLIBC, 0, P(0), 4096, 64), -ENOSYS); /* valid: no user frame as C */
}

ST_CASE(sched_answers)
{
    uint64_t m[4] = {~0ULL, ~0ULL, ~0ULL, ~0ULL};
    int32_t v[2] = {-1, -1};
    int64_t ts[2] = {-1, -1};

    st_put(P(0), m, sizeof(m));
    ST_EQ(SC(NR_sched_getaffinity, 0, 0, P(0)), -EINVAL);
    ST_EQ(SC(NR_sched_getaffinity, 0, 4, P(0)), -EINVAL);
    ST_EQ(SC(NR_sched_getaffinity, 0, 12, P(0)), -EINVAL);
    ST_EQ(SC(NR_sched_getaffinity, 0, 1ULL << 40, P(0)), -EINVAL); /* an unsigned int */
    ST_EQ(SC(NR_sched_getaffinity, 0, 32, P(0)), 8);
    st_get(m, P(0), sizeof(m));
    ST_EQ(m[0], 1);
    ST_EQ(m[1], ~0ULL); /* only the kernel's mask size is written */
    ST_EQ(SC(NR_sched_getaffinity, 1, 8, P(0)), 8);
    ST_EQ(SC(NR_sched_getaffinity, (uint64_t)-1, 8, P(0)), -ESRCH);
    ST_EQ(SC(NR_sched_getaffinity, 99999, 8, P(0)), -ESRCH);
    ST_EQ(SC(NR_sched_getaffinity, 0, 8, 0), -EFAULT);
    ST_EQ(SC(NR_sched_setaffinity, 0, 0, P(0)), -EINVAL);
    ST_EQ(SC(NR_sched_setaffinity, 0, 1, P(0)), 0);
    ST_EQ(SC(NR_sched_setaffinity, 0, 3, P(0)), 0);
    st_put(P(64), (uint64_t[1]){2}, 8);
    ST_EQ(SC(NR_sched_setaffinity, 0, 8, P(64)), -EINVAL); /* CPU 1 only */
    ST_EQ(SC(NR_sched_setaffinity, (uint64_t)-1, 8, P(0)), -ESRCH);
    ST_EQ(SC(NR_sched_setaffinity, (uint64_t)-1, 8, 0), -EFAULT);
    ST_EQ(SC(NR_getcpu, 0, 0, 0), 0);
    ST_EQ(SC(NR_getcpu, 1, 0, 0), -EFAULT);
    st_put(P(128), v, sizeof(v));
    ST_EQ(SC(NR_getcpu, P(128), P(132), 0), 0);
    st_get(v, P(128), sizeof(v));
    ST_EQ(v[0] | v[1], 0);
    ST_EQ(SC(NR_sched_get_priority_max, 0), 0);
    ST_EQ(SC(NR_sched_get_priority_max, 1), 99);
    ST_EQ(SC(NR_sched_get_priority_max, 2), 99);
    ST_EQ(SC(NR_sched_get_priority_max, 4), -EINVAL);
    ST_EQ(SC(NR_sched_get_priority_max, 7), -EINVAL);
    ST_EQ(SC(NR_sched_get_priority_min, 1), 1);
    ST_EQ(SC(NR_sched_get_priority_min, 6), 0);
    ST_EQ(SC(NR_sched_get_priority_min, (uint64_t)-1), -EINVAL);
    ST_EQ(SC(NR_sched_getscheduler, 0), 0);
    ST_EQ(SC(NR_sched_getscheduler, (uint64_t)-1), -EINVAL);
    ST_EQ(SC(NR_sched_getscheduler, 99999), -ESRCH);
    ST_EQ(SC(NR_sched_getparam, 0, 0), -EINVAL);
    ST_EQ(SC(NR_sched_getparam, (uint64_t)-1, P(128)), -EINVAL);
    ST_EQ(SC(NR_sched_getparam, 99999, P(128)), -ESRCH);
    ST_EQ(SC(NR_sched_getparam, 0, 1), -EFAULT);
    st_put(P(256), (int32_t[1]){1}, 4);
    st_put(P(260), (int32_t[1]){0}, 4);
    st_put(P(264), (int32_t[1]){5}, 4);
    st_put(P(268), (int32_t[1]){100}, 4);
    ST_EQ(SC(NR_sched_setscheduler, 0, 0, P(256)), -EINVAL); /* OTHER with priority 1 */
    ST_EQ(SC(NR_sched_setscheduler, 0, 7, P(260)), -EINVAL);
    ST_EQ(SC(NR_sched_setscheduler, 0, 6, P(260)), -EINVAL); /* DEADLINE: sched_setattr only */
    ST_EQ(SC(NR_sched_setscheduler, 0, 0, 0), -EINVAL);
    ST_EQ(SC(NR_sched_setscheduler, (uint64_t)-1, 0, P(260)), -EINVAL);
    ST_EQ(SC(NR_sched_setscheduler, 0, (uint64_t)-1, P(260)), -EINVAL);
    ST_EQ(SC(NR_sched_setscheduler, 0, 1, P(260)), -EINVAL);
    ST_EQ(SC(NR_sched_setscheduler, 0, 1, P(268)), -EINVAL);
    ST_EQ(SC(NR_sched_setscheduler, 0, 3, P(260)), 0);
    ST_EQ(SC(NR_sched_getscheduler, 0), 3);
    ST_EQ(SC(NR_sched_setscheduler, 0, 0x40000000, P(260)), 0);
    ST_EQ(SC(NR_sched_getscheduler, 0), 0x40000000);
    ST_EQ(SC(NR_sched_setscheduler, 0, 2, P(264)), 0);
    ST_EQ(SC(NR_sched_getscheduler, 1), 2);
    ST_EQ(SC(NR_sched_getparam, 0, P(128)), 0);
    st_get(v, P(128), 4);
    ST_EQ(v[0], 5);
    ST_EQ(SC(NR_sched_rr_get_interval, 0, P(512)), 0);
    st_get(ts, P(512), sizeof(ts));
    ST_EQ(ts[0], 0);
    ST_EQ(ts[1], 100000000);
    ST_EQ(SC(NR_sched_setparam, 0, P(268)), -EINVAL);
    ST_EQ(SC(NR_sched_setparam, 0, P(260)), -EINVAL); /* RR needs 1..99 */
    ST_EQ(SC(NR_sched_setparam, 0, P(256)), 0);
    ST_EQ(SC(NR_sched_setparam, 0, 0), -EINVAL);
    ST_EQ(SC(NR_sched_setparam, (uint64_t)-1, P(256)), -EINVAL);
    ST_EQ(SC(NR_sched_setscheduler, 0, 0, P(260)), 0);
    ST_EQ(SC(NR_sched_rr_get_interval, 0, P(512)), 0);
    st_get(ts, P(512), sizeof(ts));
    ST_EQ(ts[0] | ts[1], 0);
    ST_EQ(SC(NR_sched_rr_get_interval, (uint64_t)-1, P(512)), -EINVAL);
    ST_EQ(SC(NR_sched_rr_get_interval, 0, 0), -EFAULT);
    ST_EQ(SC(NR_sched_yield), 0);
}

ST_CASE(get_robust_list_as_linux)
{
    uint64_t hl[2] = {1, 1};

    ST_EQ(SC(NR_get_robust_list, 0, P(0), P(8)), 0);
    st_get(hl, P(0), sizeof(hl));
    ST_EQ(hl[0], 0);
    ST_EQ(hl[1], 24);
    ST_EQ(SC(NR_set_robust_list, P(64), 24), 0);
    ST_EQ(SC(NR_get_robust_list, 1, P(0), P(8)), 0);
    st_get(hl, P(0), sizeof(hl));
    ST_EQ(hl[0], P(64));
    ST_EQ(SC(NR_get_robust_list, (uint64_t)-1, P(0), P(8)), -ESRCH);
    ST_EQ(SC(NR_get_robust_list, 99999, P(0), P(8)), -ESRCH);
    ST_EQ(SC(NR_get_robust_list, 0, 0, P(8)), -EFAULT);
    ST_EQ(SC(NR_get_robust_list, 0, P(0), 0), -EFAULT);
    ST_EQ(SC(NR_set_robust_list, 0, 23), -EINVAL);
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

/* A thread blocked in a futex wait when another calls exit_group. */
static void futex_sleeper(void *arg)
{
    long m;

    (void)arg;
    if (proc_attach(app, NULL))
        return;
    m = ksys_call(NR_mmap, 0, 4096, 3, 0x22, (uint64_t)-1, 0);
    ksys_call(202, (uint64_t)m, 0 /* FUTEX_WAIT */, 0, 0, 0, 0);
    hal_exit(205); /* never: the wait ends with -EINTR and the thread with the process */
}

static int group_futex_entry(void *arg)
{
    struct thread *t;

    (void)arg;
    if (app_boot_setup())
        return 200;
    sys_trace_set(true);
    thread_create("fsleeper", futex_sleeper, NULL);
    sched_sleep_ns(1000000);
    t = thread_create("group", group_worker, NULL);
    thread_join(t);
    return 201;
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

/* The group exit wakes the futex waiter (-ERESTARTSYS, 512, the code Linux's futex wait
 * returns: the thread ends before any restart) and waits for it to end before the end. */
static void group_exit_stops_waiters(void **state)
{
    char cap[2048];

    (void)state;
    group_code = 12;
    hosted_console_capture(cap, sizeof(cap), false);
    assert_int_equal(boot(group_futex_entry), 12);
    hosted_console_capture_stop();
    assert_non_null(strstr(cap, "[pid 3] exit_group(12) = ?\n"));
    assert_non_null(strstr(cap, "[pid 2] futex("));
    assert_non_null(strstr(cap, ") = -512\n"));
    assert_true(strstr(cap, ") = -512\n") > strstr(cap, "exit_group(12)"));
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
        cmocka_unit_test(clone_refusals),
        cmocka_unit_test(clone3_structure_checks),
        cmocka_unit_test(sched_answers),
        cmocka_unit_test(get_robust_list_as_linux),
        cmocka_unit_test(group_exit_ends_process),
        cmocka_unit_test(group_exit_stops_waiters),
        cmocka_unit_test(last_thread_ends_process),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
