/*
 * threads_cond.c - the condition-variable and barrier calls threads_sync does not use:
 * pthread_cond_broadcast waking every waiter at once (a gate), pthread_cond_timedwait timing
 * out (ETIMEDOUT, on CLOCK_REALTIME and on a CLOCK_MONOTONIC condattr) and being signalled
 * before its deadline, and a barrier naming exactly one PTHREAD_BARRIER_SERIAL_THREAD per
 * round. Output is the same natively and in Petrel.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#define WAITERS 6
#define ROUNDS 40

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static int gate_open, arrived, passed;

static void *gate_waiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    arrived++;
    while (!gate_open)
        pthread_cond_wait(&gate_cv, &m);
    passed++;
    pthread_mutex_unlock(&m);
    return NULL;
}

static void gate(void)
{
    pthread_t t[WAITERS];
    struct timespec ms = {0, 1000000};

    for (int i = 0; i < WAITERS; i++)
        pthread_create(&t[i], NULL, gate_waiter, NULL);
    for (;;) { /* every waiter is in (or about to be in) its wait */
        pthread_mutex_lock(&m);
        int a = arrived;
        pthread_mutex_unlock(&m);
        if (a == WAITERS)
            break;
        nanosleep(&ms, NULL);
    }
    pthread_mutex_lock(&m);
    gate_open = 1;
    pthread_cond_broadcast(&gate_cv);
    pthread_mutex_unlock(&m);
    for (int i = 0; i < WAITERS; i++)
        pthread_join(t[i], NULL);
    printf("broadcast: %d of %d waiters passed the gate\n", passed, WAITERS);
}

static double elapsed(clockid_t c, const struct timespec *a)
{
    struct timespec b;

    clock_gettime(c, &b);
    return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

static void deadline(clockid_t c, struct timespec *t, long ms)
{
    clock_gettime(c, t);
    t->tv_nsec += ms * 1000000;
    t->tv_sec += t->tv_nsec / 1000000000;
    t->tv_nsec %= 1000000000;
}

static void timeouts(clockid_t c, const char *name)
{
    pthread_condattr_t a;
    pthread_cond_t cv;
    struct timespec start, dl;
    int rc;

    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, c);
    pthread_cond_init(&cv, &a);
    clock_gettime(c, &start);
    deadline(c, &dl, 50);
    pthread_mutex_lock(&m);
    do
        rc = pthread_cond_timedwait(&cv, &m, &dl);
    while (rc == 0); /* a spurious wakeup may happen; the deadline still holds */
    pthread_mutex_unlock(&m);
    double e = elapsed(c, &start);
    printf("timedwait %s: %s, waited at least 50 ms: %d, under 2 s: %d\n", name,
           rc == ETIMEDOUT ? "ETIMEDOUT" : "other", e >= 0.049, e < 2.0);
    /* a deadline already past times out at once */
    clock_gettime(c, &dl);
    dl.tv_sec -= 1;
    pthread_mutex_lock(&m);
    rc = pthread_cond_timedwait(&cv, &m, &dl);
    pthread_mutex_unlock(&m);
    printf("timedwait %s past deadline: %s\n", name, rc == ETIMEDOUT ? "ETIMEDOUT" : "other");
    pthread_cond_destroy(&cv);
    pthread_condattr_destroy(&a);
}

static pthread_cond_t sig_cv = PTHREAD_COND_INITIALIZER;
static int flag;

static void *signaller(void *arg)
{
    struct timespec ms = {0, 20000000};

    (void)arg;
    nanosleep(&ms, NULL);
    pthread_mutex_lock(&m);
    flag = 1;
    pthread_cond_signal(&sig_cv);
    pthread_mutex_unlock(&m);
    return NULL;
}

static void signalled(void)
{
    pthread_t t;
    struct timespec dl;
    int rc = 0;

    pthread_create(&t, NULL, signaller, NULL);
    deadline(CLOCK_REALTIME, &dl, 10000);
    pthread_mutex_lock(&m);
    while (!flag && rc == 0)
        rc = pthread_cond_timedwait(&sig_cv, &m, &dl);
    pthread_mutex_unlock(&m);
    pthread_join(t, NULL);
    printf("timedwait signalled before its deadline: rc %d, flag %d\n", rc, flag);
}

static pthread_barrier_t bar;
static int serial_count[ROUNDS], total_serial;

static void *barrier_worker(void *arg)
{
    (void)arg;
    for (int r = 0; r < ROUNDS; r++) {
        int rc = pthread_barrier_wait(&bar);
        if (rc == PTHREAD_BARRIER_SERIAL_THREAD)
            __atomic_add_fetch(&serial_count[r], 1, __ATOMIC_RELAXED);
        else if (rc != 0)
            printf("barrier_wait: %d\n", rc);
        pthread_barrier_wait(&bar); /* the count of round r is complete here */
    }
    return NULL;
}

static void barrier_serial(void)
{
    pthread_t t[4];
    int bad = 0;

    pthread_barrier_init(&bar, NULL, 4);
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, barrier_worker, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    for (int r = 0; r < ROUNDS; r++) {
        bad += serial_count[r] != 1;
        total_serial += serial_count[r];
    }
    pthread_barrier_destroy(&bar);
    printf("barrier: %d rounds, %d serial threads, rounds without exactly one: %d\n", ROUNDS,
           total_serial, bad);
}

int main(void)
{
    gate();
    timeouts(CLOCK_REALTIME, "realtime");
    timeouts(CLOCK_MONOTONIC, "monotonic");
    signalled();
    barrier_serial();
    return 0;
}
