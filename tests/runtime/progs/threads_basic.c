/*
 * threads_basic.c - pthread create and join: each thread has its own tid (not the pid), its
 * own thread-local variable and stack, returns a value through pthread_join, and the main
 * thread's TLS is untouched. Output is the same natively and in Petrel.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define N 8

static __thread long tls_value = 1000;
static long tids[N];

static void *worker(void *arg)
{
    long i = (long)arg;
    volatile char stack_use[2048];

    stack_use[0] = (char)i;
    tls_value += i; /* this thread's copy only */
    tids[i] = syscall(SYS_gettid);
    return (void *)(tls_value * 2 + stack_use[0]);
}

int main(void)
{
    pthread_t t[N];
    long pid = getpid(), sum = 0;

    for (long i = 0; i < N; i++)
        if (pthread_create(&t[i], NULL, worker, (void *)i)) {
            printf("pthread_create failed\n");
            return 1;
        }
    for (long i = 0; i < N; i++) {
        void *r;

        if (pthread_join(t[i], &r)) {
            printf("pthread_join failed\n");
            return 1;
        }
        printf("thread %ld returned %ld\n", i, (long)r);
        sum += (long)r;
    }
    for (long i = 0; i < N; i++) {
        if (tids[i] == pid || tids[i] <= 0)
            printf("thread %ld: bad tid\n", i);
        for (long j = 0; j < i; j++)
            if (tids[i] == tids[j])
                printf("threads %ld and %ld share a tid\n", j, i);
    }
    printf("main tid is the pid: %s\n", syscall(SYS_gettid) == pid ? "yes" : "no");
    printf("main tls %ld, sum %ld\n", tls_value, sum);
    return 0;
}
