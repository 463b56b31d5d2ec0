/*
 * futex_shared.c - shared futexes across mappings (docs/threads.md "futex"): one memfd mapped
 * twice at different addresses, and one file opened twice and mapped through each; a thread
 * waits (FUTEX_WAIT, not private) on the word through one mapping, the main thread wakes it
 * through the other. A private wake through the other mapping wakes nobody; a shared wake at
 * the same address does wake a shared waiter, and a private one does not.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_WAKE_PRIVATE (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)

static long futex(uint32_t *uaddr, int op, uint32_t val, const struct timespec *ts)
{
    return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

static uint32_t *wait_word;
static volatile int waiting;

static void *waiter(void *arg)
{
    struct timespec ts = {5, 0};
    long rc;

    (void)arg;
    waiting = 1;
    rc = futex(wait_word, FUTEX_WAIT, 0, &ts);
    return (void *)(rc == 0 ? 0L : rc == -1 && errno == ETIMEDOUT ? 1L : 2L);
}

/* Wake through wake_at with op while a thread waits on *wait_at: how many were woken (when
 * none, a shared wake through wait_at lets the waiter go; it must end woken either way). */
static void trial(const char *what, uint32_t *wait_at, uint32_t *wake_at, int op)
{
    struct timespec sl = {0, 20000000};
    pthread_t th;
    void *res;
    long n;

    wait_word = wait_at;
    waiting = 0;
    *wait_at = 0;
    pthread_create(&th, NULL, waiter, NULL);
    while (!waiting)
        sched_yield();
    nanosleep(&sl, NULL); /* let it sleep in the kernel */
    n = futex(wake_at, op, 1, NULL);
    if (n == 0)
        futex(wait_at, FUTEX_WAKE, 1, NULL); /* let it go */
    pthread_join(th, &res);
    printf("%s: woke %ld%s\n", what, n, res == 0 ? "" : " (the waiter was not woken!)");
}

int main(void)
{
    int fd = (int)syscall(SYS_memfd_create, "futex", 0);
    char path[] = "tmp/futex-shared-XXXXXX";
    uint32_t *a, *b, *c, *d;
    int f1, f2;

    setvbuf(stdout, NULL, _IONBF, 0);
    if (fd < 0 || ftruncate(fd, 8192) != 0)
        return 1;
    a = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    b = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    printf("memfd mapped twice at different addresses: %d\n", a != MAP_FAILED &&
           b != MAP_FAILED && a != b);
    a[1] = 42;
    printf("the same memory: %d\n", b[1] == 42);
    trial("shared wake through the other mapping", &a[1], &b[1], FUTEX_WAKE);
    trial("shared wake, second page", &b[1024 + 3], &a[1024 + 3], FUTEX_WAKE);
    trial("private wake through the other mapping", &a[1], &b[1], FUTEX_WAKE_PRIVATE);
    trial("shared wake at the same address", &a[2], &a[2], FUTEX_WAKE);
    trial("private wake of a shared waiter", &a[2], &a[2], FUTEX_WAKE_PRIVATE);
    trial("shared wake at another offset", &a[2], &b[3], FUTEX_WAKE);

    f1 = mkstemp(path);
    if (f1 < 0 || ftruncate(f1, 4096) != 0)
        return 1;
    f2 = open(path, O_RDWR);
    c = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, f1, 0);
    d = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, f2, 0);
    printf("a file opened twice, mapped through each: %d\n", c != MAP_FAILED &&
           d != MAP_FAILED);
    trial("shared wake through the other open", &c[5], &d[5], FUTEX_WAKE);
    unlink(path);
    return 0;
}
