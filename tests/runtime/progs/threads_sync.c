/*
 * threads_sync.c - pthread mutexes, condition variables and barriers under contention: a
 * shared counter, a bounded producer/consumer queue, and barrier rounds. Output is the same
 * natively and in Petrel.
 */
#include <pthread.h>
#include <stdio.h>

#define WORKERS 4
#define INCS 20000
#define ITEMS 2000
#define QSIZE 8
#define ROUNDS 50

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *incr(void *arg)
{
    (void)arg;
    for (int i = 0; i < INCS; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER, not_empty = PTHREAD_COND_INITIALIZER;
static int queue[QSIZE], qhead, qlen;

static void *producer(void *arg)
{
    (void)arg;
    for (int i = 1; i <= ITEMS; i++) {
        pthread_mutex_lock(&qlock);
        while (qlen == QSIZE)
            pthread_cond_wait(&not_full, &qlock);
        queue[(qhead + qlen++) % QSIZE] = i;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&qlock);
    }
    return NULL;
}

static void *consumer(void *arg)
{
    long sum = 0;

    (void)arg;
    for (int i = 0; i < ITEMS; i++) {
        pthread_mutex_lock(&qlock);
        while (qlen == 0)
            pthread_cond_wait(&not_empty, &qlock);
        sum += queue[qhead];
        qhead = (qhead + 1) % QSIZE;
        qlen--;
        pthread_cond_signal(&not_full);
        pthread_mutex_unlock(&qlock);
    }
    return (void *)sum;
}

static pthread_barrier_t barrier;
static int round_seen[WORKERS];
static int barrier_errors;

static void *rounds(void *arg)
{
    long id = (long)arg;

    for (int r = 0; r < ROUNDS; r++) {
        round_seen[id] = r;
        pthread_barrier_wait(&barrier);
        for (int j = 0; j < WORKERS; j++)
            if (round_seen[j] != r)
                __atomic_add_fetch(&barrier_errors, 1, __ATOMIC_RELAXED);
        pthread_barrier_wait(&barrier);
    }
    return NULL;
}

int main(void)
{
    pthread_t t[WORKERS], p, c;
    void *sum;

    for (long i = 0; i < WORKERS; i++)
        pthread_create(&t[i], NULL, incr, NULL);
    for (int i = 0; i < WORKERS; i++)
        pthread_join(t[i], NULL);
    printf("counter %ld (expected %d)\n", counter, WORKERS * INCS);

    pthread_create(&c, NULL, consumer, NULL);
    pthread_create(&p, NULL, producer, NULL);
    pthread_join(p, NULL);
    pthread_join(c, &sum);
    printf("consumed sum %ld (expected %d)\n", (long)sum, ITEMS * (ITEMS + 1) / 2);

    pthread_barrier_init(&barrier, NULL, WORKERS);
    for (long i = 0; i < WORKERS; i++)
        pthread_create(&t[i], NULL, rounds, (void *)i);
    for (int i = 0; i < WORKERS; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&barrier);
    printf("barrier rounds %d, errors %d\n", ROUNDS, barrier_errors);
    return 0;
}
