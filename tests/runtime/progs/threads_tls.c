/*
 * threads_tls.c - thread-local storage: an initialised __thread array and a zero-initialised
 * one are per thread (each thread sees the initial image, its writes stay its own), the
 * address of a __thread variable differs per thread, pthread_key_create destructors run at
 * thread exit with the thread's own value (and not for a NULL value), pthread_once runs its
 * routine once under contention. Output is the same natively and in Petrel.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define N 6

static __thread int tls_init[4] = {11, 22, 33, 44};
static __thread long tls_zero[64];
static __thread char tls_name[16] = "main";
static uintptr_t addrs[N + 1];
static int bad_init, bad_after;
static pthread_key_t key;
static long destructed_sum;
static int destructed_count;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs;
static pthread_barrier_t bar;

static void destructor(void *v)
{
    __atomic_add_fetch(&destructed_sum, (long)(intptr_t)v, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&destructed_count, 1, __ATOMIC_SEQ_CST);
}

static void init_once(void)
{
    __atomic_add_fetch(&once_runs, 1, __ATOMIC_SEQ_CST);
}

static void *worker(void *arg)
{
    long id = (long)arg;

    if (tls_init[0] != 11 || tls_init[3] != 44 || tls_zero[63] != 0 || tls_name[0] != 'm')
        __atomic_add_fetch(&bad_init, 1, __ATOMIC_SEQ_CST);
    for (int i = 0; i < 4; i++)
        tls_init[i] = (int)(id * 100 + i);
    for (int i = 0; i < 64; i++)
        tls_zero[i] = id;
    snprintf(tls_name, sizeof(tls_name), "w%ld", id);
    addrs[id] = (uintptr_t)&tls_init[0];
    pthread_barrier_wait(&bar); /* all threads wrote theirs before anyone checks */
    pthread_once(&once, init_once);
    for (int i = 0; i < 4; i++)
        if (tls_init[i] != (int)(id * 100 + i))
            __atomic_add_fetch(&bad_after, 1, __ATOMIC_SEQ_CST);
    for (int i = 0; i < 64; i++)
        if (tls_zero[i] != id)
            __atomic_add_fetch(&bad_after, 1, __ATOMIC_SEQ_CST);
    char want[16];
    snprintf(want, sizeof(want), "w%ld", id);
    for (int i = 0; want[i] || tls_name[i]; i++)
        if (want[i] != tls_name[i]) {
            __atomic_add_fetch(&bad_after, 1, __ATOMIC_SEQ_CST);
            break;
        }
    if (id % 2) /* odd threads set a value: their destructor runs */
        pthread_setspecific(key, (void *)(intptr_t)(id * 10));
    return (void *)(intptr_t)tls_init[1];
}

int main(void)
{
    pthread_t t[N];
    long sum = 0;
    int distinct = 1;

    pthread_key_create(&key, destructor);
    pthread_barrier_init(&bar, NULL, N);
    for (long i = 1; i <= N; i++)
        pthread_create(&t[i - 1], NULL, worker, (void *)i);
    for (int i = 0; i < N; i++) {
        void *r;
        pthread_join(t[i], &r);
        sum += (long)(intptr_t)r;
    }
    addrs[0] = (uintptr_t)&tls_init[0];
    for (int i = 0; i <= N; i++)
        for (int j = i + 1; j <= N; j++)
            if (addrs[i] == addrs[j])
                distinct = 0;
    printf("threads saw the initial TLS image: %d (bad %d)\n", bad_init == 0, bad_init);
    printf("each thread kept its own values: %d (bad %d)\n", bad_after == 0, bad_after);
    printf("joined values sum %ld (expected %d)\n", sum, (1 + 2 + 3 + 4 + 5 + 6) * 100 + N);
    printf("TLS addresses distinct: %d\n", distinct);
    printf("main's TLS untouched: %d %d %s\n", tls_init[0], tls_init[3], tls_name);
    printf("destructors: %d ran, sum %ld (expected 3, %d)\n", destructed_count, destructed_sum,
           10 + 30 + 50);
    printf("pthread_once ran %d time(s)\n", once_runs);
    pthread_key_delete(key);
    return 0;
}
