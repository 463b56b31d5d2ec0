/*
 * sig_threads: signal masks and pending sets across threads. A new thread inherits its
 * creator's mask; a process-directed signal (kill) goes to the one thread that does not block
 * it; a thread-directed one (pthread_kill, tgkill) stays pending on its thread while blocked
 * there - sigpending in that thread sees it, another thread does not - and is delivered to
 * that thread when it unblocks; a process-directed signal blocked everywhere stays pending
 * for the process (every thread's sigpending shows it) until some thread unblocks it, and
 * sigwait in any thread takes it. Output is the same natively and in Petrel.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile pid_t handled_by[65];
static volatile int handled_count[65];
static pid_t main_tid, worker_tid;
static pthread_barrier_t bar;

static void handler(int sig)
{
    handled_by[sig] = (pid_t)syscall(SYS_gettid);
    handled_count[sig]++;
}

static const char *who(pid_t t)
{
    return t == main_tid ? "main" : t == worker_tid ? "worker" : t == 0 ? "nobody" : "other";
}

static int pending(int sig)
{
    sigset_t s;

    sigpending(&s);
    return sigismember(&s, sig);
}

static void step(void) /* both threads meet here between the steps */
{
    pthread_barrier_wait(&bar);
}

static void *worker(void *arg)
{
    sigset_t s, inherited;

    (void)arg;
    worker_tid = (pid_t)syscall(SYS_gettid);
    pthread_sigmask(SIG_BLOCK, NULL, &inherited);
    printf("worker inherited SIGUSR1 blocked %d, SIGUSR2 blocked %d\n",
           sigismember(&inherited, SIGUSR1), sigismember(&inherited, SIGUSR2));
    /* the worker unblocks SIGUSR1 (the main thread keeps it blocked) */
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    step(); /* 1: main sends kill(SIGUSR1) */
    step(); /* 2: main checks who handled it */
    /* SIGUSR2 stays blocked here: main sends it to this thread with pthread_kill */
    step(); /* 3: sent */
    printf("worker: SIGUSR2 pending here %d\n", pending(SIGUSR2));
    step(); /* 4 */
    step(); /* 5: main looked at its own pending set */
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    printf("worker: after unblocking, SIGUSR2 handled by %s\n", who(handled_by[SIGUSR2]));
    step(); /* 6: both threads block SIGTERM, then main sends it to the process */
    sigemptyset(&s);
    sigaddset(&s, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    step(); /* 7 */
    step(); /* 8: kill(SIGTERM) sent */
    printf("worker: process-wide SIGTERM pending here too %d\n", pending(SIGTERM));
    int sig = 0;
    sigwait(&s, &sig);
    printf("worker: sigwait took %d (SIGTERM %d)\n", sig, sig == SIGTERM);
    step(); /* 9 */
    return NULL;
}

int main(void)
{
    struct sigaction sa;
    sigset_t s;
    pthread_t t;

    setvbuf(stdout, NULL, _IOLBF, 0);
    main_tid = (pid_t)syscall(SYS_gettid);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = handler;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigaddset(&s, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    pthread_barrier_init(&bar, NULL, 2);
    pthread_create(&t, NULL, worker, NULL);

    step(); /* 1 */
    kill(getpid(), SIGUSR1);
    for (int i = 0; i < 2000 && !handled_count[SIGUSR1]; i++) {
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    printf("kill(SIGUSR1): handled %d time(s) by %s, pending in main %d\n", handled_count[SIGUSR1],
           who(handled_by[SIGUSR1]), pending(SIGUSR1));
    step(); /* 2 */
    pthread_kill(t, SIGUSR2);
    step(); /* 3 */
    step(); /* 4: the worker printed */
    printf("main: the worker's SIGUSR2 pending here %d, handled yet %d\n", pending(SIGUSR2),
           handled_count[SIGUSR2]);
    step(); /* 5 */
    step(); /* 6 */
    sigemptyset(&s);
    sigaddset(&s, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    step(); /* 7: both block SIGTERM */
    kill(getpid(), SIGTERM);
    printf("main: process-wide SIGTERM pending here %d\n", pending(SIGTERM));
    step(); /* 8 */
    step(); /* 9: the worker took it */
    printf("main: SIGTERM pending after the worker's sigwait %d\n", pending(SIGTERM));
    pthread_join(t, NULL);
    /* tgkill to this thread with the signal unblocked: delivered before tgkill returns */
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    handled_count[SIGUSR1] = 0;
    syscall(SYS_tgkill, getpid(), main_tid, SIGUSR1);
    printf("tgkill(main, SIGUSR1): handled %d by %s\n", handled_count[SIGUSR1],
           who(handled_by[SIGUSR1]));
    return 0;
}
