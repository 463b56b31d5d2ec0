/*
 * ptimer.c - POSIX timers through the libc (docs/time.md "POSIX timers"): SIGEV_SIGNAL with
 * a handler (si_code, si_value, si_timerid), overruns counted while the signal is blocked,
 * SIGEV_THREAD (the libc's helper thread, built on SIGEV_THREAD_ID), SIGEV_THREAD_ID to a
 * chosen thread, a process CPU-time timer, SIGEV_NONE readings, delete; then execve of
 * itself: the timers are gone and the ids go on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

static volatile sig_atomic_t hits, bad_code, bad_value;
static volatile int last_timerid;

static void on_timer(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    hits++;
    if (si->si_code != SI_TIMER)
        bad_code++;
    if (si->si_value.sival_int != 4242)
        bad_value++;
    last_timerid = si->si_timerid;
}

static int kid(timer_t t)
{
    return (int)(long)t;
}

static void sigev_signal(void)
{
    struct sigaction sa = {0};
    struct sigevent ev = {0};
    struct itimerspec its = {{0, 10000000}, {0, 10000000}}, cur;
    struct timespec sl = {1, 0};
    timer_t t;
    int tries = 0;

    sa.sa_sigaction = on_timer;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGRTMIN + 1, &sa, NULL);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGRTMIN + 1;
    ev.sigev_value.sival_int = 4242;
    printf("create: %d\n", timer_create(CLOCK_MONOTONIC, &ev, &t));
    printf("settime: %d\n", timer_settime(t, 0, &its, NULL));
    timer_gettime(t, &cur);
    printf("gettime: interval %ld ns, armed %d\n", cur.it_interval.tv_nsec,
           cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0);
    while (hits < 5 && tries++ < 50)
        nanosleep(&sl, NULL); /* each signal interrupts it */
    timer_delete(t);
    printf("5 signals: %d, si_code SI_TIMER: %d, si_value: %d, si_timerid = id: %d\n", hits >= 5,
           !bad_code, !bad_value, last_timerid == kid(t));
}

static void overrun(void)
{
    struct sigevent ev = {0};
    struct itimerspec its = {{0, 1000000}, {0, 1000000}}, cur;
    struct timespec sl = {0, 30000000};
    sigset_t set;
    siginfo_t si;
    timer_t t;

    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN + 2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGRTMIN + 2;
    ev.sigev_value.sival_int = 7;
    timer_create(CLOCK_MONOTONIC, &ev, &t);
    timer_settime(t, 0, &its, NULL);
    nanosleep(&sl, NULL);
    printf("getoverrun before delivery: %d\n", timer_getoverrun(t));
    sigwaitinfo(&set, &si);
    printf("one signal for 30 periods, si_overrun >= 20: %d, getoverrun = si_overrun: %d, "
           "value %d\n",
           si.si_overrun >= 20, timer_getoverrun(t) == si.si_overrun, si.si_value.sival_int);
    its.it_value.tv_nsec = its.it_interval.tv_nsec = 0;
    timer_settime(t, 0, &its, &cur);
    printf("old interval %ld ns; getoverrun after settime: %d\n", cur.it_interval.tv_nsec,
           timer_getoverrun(t));
    timer_delete(t);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static sem_t thread_sem;
static volatile int thread_calls, thread_other;
static pthread_t main_thread;

static void on_thread(union sigval v)
{
    if (v.sival_ptr == &thread_sem && !pthread_equal(pthread_self(), main_thread))
        thread_other++;
    thread_calls++;
    sem_post(&thread_sem);
}

static void sigev_thread(void)
{
    struct sigevent ev = {0};
    struct itimerspec its = {{0, 5000000}, {0, 5000000}};
    timer_t t;

    main_thread = pthread_self();
    sem_init(&thread_sem, 0, 0);
    ev.sigev_notify = SIGEV_THREAD;
    ev.sigev_notify_function = on_thread;
    ev.sigev_value.sival_ptr = &thread_sem;
    printf("SIGEV_THREAD create: %d\n", timer_create(CLOCK_MONOTONIC, &ev, &t));
    timer_settime(t, 0, &its, NULL);
    for (int i = 0; i < 3; i++)
        sem_wait(&thread_sem);
    timer_delete(t);
    printf("SIGEV_THREAD: 3 calls on another thread with the value: %d\n", thread_other >= 3);
}

static volatile pid_t waiter_tid;
static sem_t waiter_ready;

static void *waiter(void *arg)
{
    sigset_t set;
    siginfo_t si;

    (void)arg;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    waiter_tid = (pid_t)syscall(SYS_gettid);
    sem_post(&waiter_ready);
    if (sigwaitinfo(&set, &si) != SIGUSR2)
        return (void *)1;
    return si.si_code == SI_TIMER && si.si_value.sival_int == 99 ? NULL : (void *)2;
}

static void sigev_thread_id(void)
{
    struct sigevent ev = {0};
    struct itimerspec its = {{0, 0}, {0, 2000000}};
    sigset_t set;
    pthread_t th;
    void *res;
    timer_t t;

    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL); /* inherited by the waiter */
    sem_init(&waiter_ready, 0, 0);
    pthread_create(&th, NULL, waiter, NULL);
    sem_wait(&waiter_ready);
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = SIGUSR2;
    ev.sigev_value.sival_int = 99;
    ev.sigev_notify_thread_id = waiter_tid;
    printf("SIGEV_THREAD_ID create: %d\n", timer_create(CLOCK_MONOTONIC, &ev, &t));
    timer_settime(t, 0, &its, NULL);
    pthread_join(th, &res);
    printf("SIGEV_THREAD_ID: the thread took it: %d\n", res == NULL);
    timer_delete(t);
    ev.sigev_notify_thread_id = 999999;
    errno = 0;
    int rc = timer_create(CLOCK_MONOTONIC, &ev, &t);
    printf("SIGEV_THREAD_ID to no thread: %d %s\n", rc, strerror(errno));
}

static volatile sig_atomic_t cpu_fired;

static void on_cpu(int sig)
{
    (void)sig;
    cpu_fired = 1;
}

static void cpu_timer(void)
{
    struct sigevent ev = {0};
    struct itimerspec its = {{0, 0}, {0, 20000000}};
    struct timespec t0, t;
    volatile unsigned long x = 0;
    timer_t tm;

    signal(SIGUSR1, on_cpu);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGUSR1;
    printf("CPU timer create: %d\n", timer_create(CLOCK_PROCESS_CPUTIME_ID, &ev, &tm));
    timer_settime(tm, 0, &its, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        for (int i = 0; i < 100000; i++)
            x += i;
        clock_gettime(CLOCK_MONOTONIC, &t);
    } while (!cpu_fired && t.tv_sec - t0.tv_sec < 10);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    printf("CPU timer fired after 20 ms of CPU time: %d\n",
           cpu_fired && (t.tv_sec > 0 || t.tv_nsec >= 20000000));
    timer_delete(tm);
}

static void sigev_none(void)
{
    struct sigevent ev = {0};
    struct itimerspec its = {{0, 0}, {100, 0}}, off = {{0, 0}, {0, 0}}, cur;
    timer_t t;

    ev.sigev_notify = SIGEV_NONE;
    timer_create(CLOCK_REALTIME, &ev, &t);
    timer_settime(t, 0, &its, NULL);
    timer_gettime(t, &cur);
    printf("SIGEV_NONE: 100 s left: %d\n", cur.it_value.tv_sec == 99 || cur.it_value.tv_sec == 100);
    timer_settime(t, 0, &off, NULL);
    timer_gettime(t, &cur);
    printf("SIGEV_NONE disarmed still reads its expiry (as Linux): %d\n",
           cur.it_value.tv_sec == 99 || cur.it_value.tv_sec == 100);
    int first = timer_delete(t);
    int again = timer_delete(t); /* musl returns -EINVAL itself, glibc -1 with errno */
    printf("delete: %d, again fails: %d\n", first, again != 0);
    printf("gettime deleted: %d %s\n", timer_gettime(t, &cur), strerror(errno));
}

/* The process after execve: its timers are gone, the ids go on. */
static int after_exec(int old)
{
    struct itimerspec cur;
    timer_t t;

    printf("after exec: old timer %s\n",
           syscall(SYS_timer_gettime, old, &cur) == -1 && errno == EINVAL ? "gone" : "alive");
    timer_create(CLOCK_MONOTONIC, NULL, &t);
    printf("after exec: next id = old + 1: %d\n", kid(t) == old + 1);
    return 0;
}

int main(int argc, char **argv)
{
    struct sigevent ev = {0};
    char arg[16];
    timer_t t;

    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 2 && strcmp(argv[1], "after") == 0)
        return after_exec(atoi(argv[2]));
    sigev_signal();
    overrun();
    sigev_thread();
    sigev_thread_id();
    cpu_timer();
    sigev_none();
    ev.sigev_notify = SIGEV_NONE;
    timer_create(CLOCK_MONOTONIC, &ev, &t);
    snprintf(arg, sizeof(arg), "%d", kid(t));
    /* Petrel's image has the program at /bin/ptimer (its /proc/self/exe cannot be executed);
     * natively that path does not exist and /proc/self/exe is the program */
    execl("/bin/ptimer", "ptimer", "after", arg, (char *)NULL);
    execl("/proc/self/exe", "ptimer", "after", arg, (char *)NULL);
    printf("execl: %s\n", strerror(errno));
    return 1;
}
