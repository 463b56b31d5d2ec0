/*
 * threads_mainexit.c - the main thread ends with pthread_exit while another thread works on;
 * the process lives until its last thread ends, with that thread's exit(3) status.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_t main_thread;

static void *worker(void *arg)
{
    (void)arg;
    pthread_join(main_thread, NULL); /* the main thread's end is joinable */
    printf("worker: main thread gone, still running\n");
    fflush(stdout);
    exit(7);
}

int main(void)
{
    pthread_t t;

    main_thread = pthread_self();
    pthread_create(&t, NULL, worker, NULL);
    printf("main: pthread_exit\n");
    fflush(stdout);
    pthread_exit(NULL);
}
