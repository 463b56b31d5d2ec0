/*
 * sig_restart: Linux's restart rules for blocking calls interrupted by a handler, with
 * SA_RESTART and without. A helper thread sends SIGUSR1 to the blocked main thread (after
 * 100 ms), then completes the call (after 100 ms more): writes the pipe or eventfd, wakes the
 * futex. Printed per call: its result (or errno) and how many handlers ran.
 *
 *   call                      SA_RESTART        no SA_RESTART   (Linux's code)
 *   read(pipe), read(eventfd)  completes         EINTR           ERESTARTSYS
 *   write(full pipe)           completes         EINTR           ERESTARTSYS
 *   futex WAIT, no timeout     completes (0)     EINTR           ERESTARTSYS
 *   futex WAIT, timeout        EINTR             EINTR           ERESTART_RESTARTBLOCK
 *   nanosleep                  EINTR + rem       EINTR + rem     ERESTART_RESTARTBLOCK
 *   poll(-1), poll(5 s)        EINTR             EINTR           ERESTARTNOHAND/RESTARTBLOCK
 *   select, ppoll, pselect6    EINTR             EINTR           ERESTARTNOHAND
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* <linux/futex.h> is not in musl's include path: Linux's values. */
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

enum kind { K_PIPE_READ, K_PIPE_WRITE, K_EVENTFD, K_FUTEX, K_FUTEX_TIMEOUT, K_NANOSLEEP,
            K_POLL_INF, K_POLL_TIMEOUT, K_SELECT, K_PPOLL, K_PSELECT };
static const char *const names[] = {"read(pipe)", "write(full pipe)", "read(eventfd)",
                                    "futex_wait", "futex_wait(timeout)", "nanosleep",
                                    "poll(-1)", "poll(5s)", "select", "ppoll", "pselect6"};

static volatile sig_atomic_t handled;
static pthread_t main_thread;
static int fds[2], efd;
static unsigned futex_word;
static enum kind current;

static void on_usr1(int sig)
{
    (void)sig;
    handled++;
}

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* The helper: interrupt, then complete what the main thread waits for. */
static void *helper(void *arg)
{
    char buf[65536];
    uint64_t one = 1;

    (void)arg;
    pause_ms(100);
    pthread_kill(main_thread, SIGUSR1);
    pause_ms(100);
    switch (current) {
    case K_PIPE_READ:
        if (write(fds[1], "x", 1) != 1)
            printf("helper write failed\n");
        break;
    case K_PIPE_WRITE:
        if (read(fds[0], buf, sizeof(buf)) <= 0)
            printf("helper read failed\n");
        break;
    case K_EVENTFD:
        if (write(efd, &one, sizeof(one)) != sizeof(one))
            printf("helper eventfd write failed\n");
        break;
    case K_FUTEX:
        futex_word = 1;
        syscall(SYS_futex, &futex_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
        break;
    default:
        break;
    }
    return NULL;
}


static long call(enum kind k)
{
    char c;
    uint64_t v;
    struct timespec ts = {5, 0}, rem = {0, 0};
    struct pollfd pfd = {fds[0], POLLIN, 0};
    fd_set rd;
    sigset_t none;
    long rc;

    FD_ZERO(&rd);
    FD_SET(fds[0], &rd);
    sigemptyset(&none);
    switch (k) {
    case K_PIPE_READ:
        return read(fds[0], &c, 1);
    case K_PIPE_WRITE: {
        static char big[4096];
        return write(fds[1], big, sizeof(big));
    }
    case K_EVENTFD:
        return read(efd, &v, sizeof(v));
    case K_FUTEX:
        futex_word = 0;
        return syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    case K_FUTEX_TIMEOUT:
        futex_word = 0;
        return syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
    case K_NANOSLEEP:
        rc = nanosleep(&ts, &rem);
        if (rc < 0 && (rem.tv_sec < 3 || rem.tv_sec > 4))
            printf("  rem %ld out of range\n", (long)rem.tv_sec);
        return rc;
    case K_POLL_INF:
        return poll(&pfd, 1, -1);
    case K_POLL_TIMEOUT:
        return poll(&pfd, 1, 5000);
    case K_SELECT: {
        struct timeval tv = {5, 0};
        return select(fds[0] + 1, &rd, NULL, NULL, &tv);
    }
    case K_PPOLL:
        return ppoll(&pfd, 1, &ts, &none);
    case K_PSELECT:
        return pselect(fds[0] + 1, &rd, NULL, NULL, &ts, &none);
    }
    return -2;
}

static void run(enum kind k, int flags)
{
    struct sigaction sa;
    pthread_t h;
    long rc;
    int err;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    sa.sa_flags = flags;
    sigaction(SIGUSR1, &sa, NULL);
    handled = 0;
    current = k;
    if (k == K_PIPE_WRITE) {
        char buf[4096];
        memset(buf, 0, sizeof(buf));
        fcntl(fds[1], F_SETFL, O_NONBLOCK);
        while (write(fds[1], buf, sizeof(buf)) > 0)
            ;
        fcntl(fds[1], F_SETFL, 0);
    }
    pthread_create(&h, NULL, helper, NULL);
    errno = 0;
    rc = call(k);
    err = errno;
    pthread_join(h, NULL);
    printf("%-20s %-11s -> %ld %s, handlers %d\n", names[k], flags ? "SA_RESTART" : "no restart",
           rc, rc < 0 ? strerror(err) : "", (int)handled);
    /* drain what the helper left */
    if (k == K_PIPE_WRITE) {
        char buf[65536];
        fcntl(fds[0], F_SETFL, O_NONBLOCK);
        while (read(fds[0], buf, sizeof(buf)) > 0)
            ;
        fcntl(fds[0], F_SETFL, 0);
    }
    if (k == K_PIPE_READ && rc < 0) {
        char c;
        if (read(fds[0], &c, 1) != 1)
            printf("  pipe byte lost\n");
    }
    if (k == K_EVENTFD && rc < 0) {
        uint64_t v;
        if (read(efd, &v, sizeof(v)) != sizeof(v))
            printf("  eventfd count lost\n");
    }
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    main_thread = pthread_self();
    if (pipe(fds) || (efd = eventfd(0, 0)) < 0)
        return 1;
    for (int k = K_PIPE_READ; k <= K_PSELECT; k++) {
        run((enum kind)k, SA_RESTART);
        run((enum kind)k, 0);
    }
    return 0;
}
