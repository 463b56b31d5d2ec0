/*
 * threads_robust.c - a robust mutex whose owner thread ends without unlocking: the next
 * lock returns EOWNERDEAD (the kernel walked the dead thread's robust list), the mutex is
 * made consistent and works again; a waiter blocked on it when the owner dies is woken.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t m;
static pthread_mutex_t ready_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready_cond = PTHREAD_COND_INITIALIZER;
static int ready;

static void *die_holding(void *arg)
{
    pthread_mutex_lock(&m);
    pthread_mutex_lock(&ready_lock);
    ready = 1;
    pthread_cond_signal(&ready_cond);
    pthread_mutex_unlock(&ready_lock);
    if (arg)
        usleep(100000); /* let the main thread block on m */
    return NULL;        /* ends with m held */
}

static void *waiter(void *arg)
{
    int rc = pthread_mutex_lock(&m);

    (void)arg;
    if (rc == EOWNERDEAD)
        pthread_mutex_consistent(&m);
    pthread_mutex_unlock(&m);
    return (void *)(long)rc;
}

static const char *name(int rc)
{
    return rc == 0 ? "0" : rc == EOWNERDEAD ? "EOWNERDEAD" : strerror(rc);
}

int main(void)
{
    pthread_mutexattr_t a;
    pthread_t t, w;
    void *r;
    int rc;

    pthread_mutexattr_init(&a);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&m, &a);

    pthread_create(&t, NULL, die_holding, NULL);
    pthread_join(t, NULL);
    rc = pthread_mutex_lock(&m);
    printf("lock after the owner died: %s\n", name(rc));
    printf("consistent: %d\n", pthread_mutex_consistent(&m));
    printf("unlock: %d\n", pthread_mutex_unlock(&m));
    printf("lock again: %s\n", name(pthread_mutex_lock(&m)));
    pthread_mutex_unlock(&m);

    /* a waiter already blocked when the owner dies */
    ready = 0;
    pthread_create(&t, NULL, die_holding, (void *)1);
    pthread_mutex_lock(&ready_lock);
    while (!ready)
        pthread_cond_wait(&ready_cond, &ready_lock);
    pthread_mutex_unlock(&ready_lock);
    pthread_create(&w, NULL, waiter, NULL);
    pthread_join(t, NULL);
    pthread_join(w, &r);
    printf("blocked waiter got: %s\n", name((int)(long)r));
    printf("lock at the end: %s\n", name(pthread_mutex_lock(&m)));
    return 0;
}
