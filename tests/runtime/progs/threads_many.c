/*
 * threads_many.c - many threads: 64 alive at once (small stacks), then 500 created and joined
 * one after another (tids are not reused while alive), and detached threads that end on
 * their own while main waits on a counter.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ALIVE 64
#define SERIAL 500
#define DETACHED 32

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int started, go, finished;
static long tids[ALIVE];

static void *alive(void *arg)
{
    long i = (long)arg;

    tids[i] = syscall(SYS_gettid);
    pthread_mutex_lock(&lock);
    started++;
    pthread_cond_broadcast(&cond);
    while (!go)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    return (void *)(i * i);
}

static void *quick(void *arg)
{
    return arg;
}

static void *detached(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    finished++;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_t t[ALIVE];
    pthread_attr_t attr;
    long sum = 0, dup = 0, bad = 0;

    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    for (long i = 0; i < ALIVE; i++)
        if (pthread_create(&t[i], &attr, alive, (void *)i))
            bad++;
    pthread_mutex_lock(&lock);
    while (started < ALIVE)
        pthread_cond_wait(&cond, &lock);
    go = 1;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    for (int i = 0; i < ALIVE; i++) {
        void *r;

        pthread_join(t[i], &r);
        sum += (long)r;
        for (int j = 0; j < i; j++)
            dup += tids[i] == tids[j];
    }
    printf("%d alive at once: sum %ld, duplicate tids %ld, create failures %ld\n", ALIVE, sum,
           dup, bad);

    sum = 0;
    for (long i = 0; i < SERIAL; i++) {
        pthread_t q;
        void *r;

        if (pthread_create(&q, &attr, quick, (void *)i) || pthread_join(q, &r))
            bad++;
        sum += (long)r;
    }
    printf("%d one by one: sum %ld, failures %ld\n", SERIAL, sum, bad);

    for (int i = 0; i < DETACHED; i++) {
        pthread_t d;

        pthread_create(&d, &attr, detached, NULL);
        pthread_detach(d);
    }
    pthread_mutex_lock(&lock);
    while (finished < DETACHED)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    printf("%d detached finished\n", finished);
    return 0;
}
