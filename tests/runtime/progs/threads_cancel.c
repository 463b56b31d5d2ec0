/*
 * threads_cancel.c - pthread_cancel: a thread blocked in read(2) on an empty pipe, one in
 * pthread_cond_wait and one in nanosleep are cancelled at those cancellation points (their
 * cleanup handlers run, the cond waiter's with the mutex held again, and join returns
 * PTHREAD_CANCELED); a thread with cancellation disabled gets the request, finishes its work
 * and acts on it at the next pthread_testcancel; asynchronous cancellation stops a busy loop. The
 * libcs deliver the request with a signal (SIGCANCEL, 32 or 33) whose handler inspects the
 * interrupted context. Output is the same natively and in Petrel.
 */
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static volatile int cleanups[5], mutex_held_in_cleanup, started[5];
static int pipefd[2];

static void cleanup(void *arg)
{
    cleanups[(long)arg]++;
}

static void cond_cleanup(void *arg)
{
    (void)arg;
    mutex_held_in_cleanup = pthread_mutex_trylock(&m) != 0; /* held: trylock fails */
    cleanups[1]++;
    pthread_mutex_unlock(&m);
}

static void *in_read(void *arg)
{
    char c;

    (void)arg;
    pthread_cleanup_push(cleanup, (void *)0);
    started[0] = 1;
    read(pipefd[0], &c, 1);
    pthread_cleanup_pop(0);
    return (void *)1;
}

static void *in_cond(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    pthread_cleanup_push(cond_cleanup, NULL);
    started[1] = 1;
    for (;;)
        pthread_cond_wait(&cv, &m);
    pthread_cleanup_pop(0);
    return (void *)1;
}

static void *in_sleep(void *arg)
{
    struct timespec t = {30, 0};

    (void)arg;
    pthread_cleanup_push(cleanup, (void *)2);
    started[2] = 1;
    nanosleep(&t, NULL);
    pthread_cleanup_pop(0);
    return (void *)1;
}

static volatile int work_done, cancel_sent;

/* The work waits for the request itself (run() sets cancel_sent after pthread_cancel), so
 * the request always arrives while cancellation is disabled, however the threads are
 * scheduled (a fixed 50 ms of work lost that race once under heavy load). */
static void *deferred(void *arg)
{
    struct timespec t = {0, 1000000};
    int old;

    (void)arg;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
    pthread_cleanup_push(cleanup, (void *)3);
    started[3] = 1;
    while (!cancel_sent)
        nanosleep(&t, NULL); /* not a cancellation point while disabled */
    work_done = 1;
    pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
    pthread_testcancel();
    pthread_cleanup_pop(0);
    return (void *)1;
}

static void *busy(void *arg)
{
    volatile unsigned long n = 0;

    (void)arg;
    pthread_cleanup_push(cleanup, (void *)4);
    pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, NULL);
    started[4] = 1;
    for (;;)
        n++;
    pthread_cleanup_pop(0);
    return (void *)1;
}

static void run(const char *name, void *(*fn)(void *), int idx)
{
    pthread_t t;
    void *r;
    struct timespec ms = {0, 1000000};

    cancel_sent = 0;
    pthread_create(&t, NULL, fn, NULL);
    while (!started[idx])
        nanosleep(&ms, NULL);
    ms.tv_nsec = 20000000; /* let it reach its blocking call */
    nanosleep(&ms, NULL);
    pthread_cancel(t);
    cancel_sent = 1;
    pthread_join(t, &r);
    printf("%s: joined %s, cleanup ran %d\n", name, r == PTHREAD_CANCELED ? "CANCELED" : "value",
           cleanups[idx]);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    pipe(pipefd);
    run("read", in_read, 0);
    run("cond_wait", in_cond, 1);
    printf("cond_wait: mutex held in its cleanup handler: %d\n", mutex_held_in_cleanup);
    run("nanosleep", in_sleep, 2);
    run("disabled", deferred, 3);
    printf("disabled: work finished before the cancel acted: %d\n", work_done);
    run("async", busy, 4);
    return 0;
}
