/*
 * threads_rwlock.c - pthread read-write locks: several readers hold the lock at once (all
 * readers meet at a barrier while holding it), a writer excludes readers and writers
 * (trywrlock/tryrdlock answer EBUSY while it is held; timedwrlock times out while readers
 * hold it), and a mix of readers and writers keeps a two-word invariant that a torn update
 * would break. Output is the same natively and in Petrel.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#define READERS 4
#define MIXERS 6
#define ITERS 3000

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t inside;
static int concurrent, max_concurrent;

static void *reader(void *arg)
{
    (void)arg;
    pthread_rwlock_rdlock(&rw);
    int now = __atomic_add_fetch(&concurrent, 1, __ATOMIC_SEQ_CST);
    int seen = __atomic_load_n(&max_concurrent, __ATOMIC_SEQ_CST);
    while (now > seen && !__atomic_compare_exchange_n(&max_concurrent, &seen, now, 0,
                                                      __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        ;
    pthread_barrier_wait(&inside); /* only possible if every reader holds the lock at once */
    __atomic_sub_fetch(&concurrent, 1, __ATOMIC_SEQ_CST);
    pthread_rwlock_unlock(&rw);
    return NULL;
}

static void shared_readers(void)
{
    pthread_t t[READERS];

    pthread_barrier_init(&inside, NULL, READERS);
    for (int i = 0; i < READERS; i++)
        pthread_create(&t[i], NULL, reader, NULL);
    for (int i = 0; i < READERS; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&inside);
    printf("readers: %d held the lock at the same time\n", max_concurrent);
}

static void *try_both(void *arg)
{
    int *rc = arg;

    rc[0] = pthread_rwlock_trywrlock(&rw);
    rc[1] = pthread_rwlock_tryrdlock(&rw);
    if (rc[0] == 0) /* the owner unlocks (glibc records the writing thread) */
        pthread_rwlock_unlock(&rw);
    return NULL;
}

static void *timed_writer(void *arg)
{
    struct timespec dl;

    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_nsec += 30000000;
    if (dl.tv_nsec >= 1000000000) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000;
    }
    *(int *)arg = pthread_rwlock_timedwrlock(&rw, &dl);
    return NULL;
}

static void exclusion(void)
{
    pthread_t t;
    int rc[2], trc;

    pthread_rwlock_wrlock(&rw);
    pthread_create(&t, NULL, try_both, rc);
    pthread_join(t, NULL);
    pthread_rwlock_unlock(&rw);
    printf("writer held: trywrlock %s, tryrdlock %s\n", rc[0] == EBUSY ? "EBUSY" : "other",
           rc[1] == EBUSY ? "EBUSY" : "other");
    pthread_rwlock_rdlock(&rw);
    pthread_create(&t, NULL, timed_writer, &trc);
    pthread_join(t, NULL);
    pthread_rwlock_unlock(&rw);
    printf("reader held: timedwrlock %s\n", trc == ETIMEDOUT ? "ETIMEDOUT" : "other");
    pthread_create(&t, NULL, try_both, rc);
    pthread_join(t, NULL);
    printf("free: trywrlock %d, then tryrdlock after it: %s\n", rc[0],
           rc[1] == EBUSY ? "EBUSY" : "other");
}

static volatile long a, b; /* invariant: a + b == 0 under the lock */
static long torn, writes;

static void *mixer(void *arg)
{
    long id = (long)arg;
    unsigned seed = (unsigned)id * 2654435761u;

    for (int i = 0; i < ITERS; i++) {
        seed = seed * 1103515245u + 12345u;
        if ((seed >> 16) % 4 == 0) {
            pthread_rwlock_wrlock(&rw);
            a = a + 1;
            for (volatile int k = 0; k < 20; k++)
                ;
            b = b - 1;
            writes++;
            pthread_rwlock_unlock(&rw);
        } else {
            pthread_rwlock_rdlock(&rw);
            if (a + b != 0)
                __atomic_add_fetch(&torn, 1, __ATOMIC_RELAXED);
            pthread_rwlock_unlock(&rw);
        }
    }
    return NULL;
}

static void mix(void)
{
    pthread_t t[MIXERS];
    long expect = 0;

    for (long i = 0; i < MIXERS; i++) {
        unsigned seed = (unsigned)i * 2654435761u;
        for (int k = 0; k < ITERS; k++) {
            seed = seed * 1103515245u + 12345u;
            expect += (seed >> 16) % 4 == 0;
        }
        pthread_create(&t[i], NULL, mixer, (void *)i);
    }
    for (int i = 0; i < MIXERS; i++)
        pthread_join(t[i], NULL);
    printf("mix: %ld writes (expected %ld), a %ld, torn reads %ld\n", writes, expect, a, torn);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    shared_readers();
    exclusion();
    mix();
    return 0;
}
