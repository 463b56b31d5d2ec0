/*
 * exec_sleep: execve ends the other threads at once, whatever they wait in (docs/exec.md,
 * Linux's de_thread). Roles:
 *   main    threads block for 10 s (or for ever) in nanosleep, clock_nanosleep TIMER_ABSTIME,
 *           poll, select, a read of an empty pipe, a futex wait, sigtimedwait and pause; the
 *           main thread then execs itself (/proc/self/exe, or /bin/exec_sleep in an image
 *           without /proc) as "after"
 *   thread  the main thread sleeps 10 s in nanosleep, another thread execs
 *   after   the new program: prints whether it started within 5 s of the execve (natively
 *           ~1 ms; a sleep that exec cannot end takes 10 s)
 * Output is the same natively and in Petrel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define LONG_S 10
#define FUTEX_WAIT_PRIVATE_ 128 /* FUTEX_WAIT | FUTEX_PRIVATE_FLAG (musl has no linux/futex.h) */

static int pipefd[2];
static uint32_t futex_word;
static volatile int blocked;

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *waiter(void *arg)
{
    long kind = (long)arg;
    struct timespec ts = {LONG_S, 0};
    char c;

    __atomic_add_fetch(&blocked, 1, __ATOMIC_SEQ_CST);
    switch (kind) {
    case 0:
        nanosleep(&ts, NULL);
        break;
    case 1:
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += LONG_S;
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        break;
    case 2: {
        struct pollfd p = {pipefd[0], POLLIN, 0};
        poll(&p, 1, LONG_S * 1000);
        break;
    }
    case 3: {
        fd_set r;
        struct timeval tv = {LONG_S, 0};
        FD_ZERO(&r);
        FD_SET(pipefd[0], &r);
        select(pipefd[0] + 1, &r, NULL, NULL, &tv);
        break;
    }
    case 4:
        if (read(pipefd[0], &c, 1) < 0)
            perror("read");
        break;
    case 5:
        syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE_, 0, &ts, NULL, 0);
        break;
    case 6: {
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGUSR2);
        sigtimedwait(&s, NULL, &ts);
        break;
    }
    case 7:
        pause();
        break;
    }
    printf("waiter %ld returned: exec did not end it\n", kind);
    return NULL;
}

static void exec_after(uint64_t t0)
{
    char arg[32];

    snprintf(arg, sizeof(arg), "%llu", (unsigned long long)t0);
    fflush(stdout);
    execl("/proc/self/exe", "exec_sleep", "after", arg, (char *)NULL);
    execl("/bin/exec_sleep", "exec_sleep", "after", arg, (char *)NULL); /* no /proc */
    perror("execl");
    exit(2);
}

/* Let every waiter reach its wait (they count themselves first; then a little time). */
static void settle(int n)
{
    struct timespec ts = {0, 200 * 1000 * 1000};

    while (__atomic_load_n(&blocked, __ATOMIC_SEQ_CST) < n)
        sched_yield();
    nanosleep(&ts, NULL);
}

static void *execer(void *arg)
{
    (void)arg;
    settle(1);
    exec_after(now_ns());
    return NULL;
}

int main(int argc, char **argv)
{
    const char *role = argc > 1 ? argv[1] : "main";
    pthread_t t;
    sigset_t s;

    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    sigprocmask(SIG_BLOCK, &s, NULL); /* sigtimedwait's signal, never sent */
    if (pipe(pipefd)) {
        perror("pipe");
        return 2;
    }
    if (strcmp(role, "after") == 0 && argc > 2) {
        uint64_t ms = (now_ns() - strtoull(argv[2], NULL, 10)) / 1000000;
        printf("after exec: %s\n", ms < 5000 ? "started within 5 s" : "LATE");
        if (ms >= 5000)
            printf("(%llu ms)\n", (unsigned long long)ms);
        return ms < 5000 ? 0 : 1;
    }
    if (strcmp(role, "main") == 0) {
        for (long k = 0; k < 8; k++)
            if (pthread_create(&t, NULL, waiter, (void *)k)) {
                perror("pthread_create");
                return 2;
            }
        settle(8);
        printf("main execs with 8 threads waiting\n");
        exec_after(now_ns());
    }
    if (strcmp(role, "thread") == 0) {
        struct timespec ts = {LONG_S, 0};

        if (pthread_create(&t, NULL, execer, NULL)) {
            perror("pthread_create");
            return 2;
        }
        printf("a thread execs while main sleeps\n");
        fflush(stdout);
        __atomic_add_fetch(&blocked, 1, __ATOMIC_SEQ_CST);
        nanosleep(&ts, NULL);
        printf("main's sleep returned: exec did not end it\n");
        return 1;
    }
    return 2;
}
