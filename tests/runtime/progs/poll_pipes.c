/*
 * poll_pipes: poll, ppoll, select and pselect over pipes, as a program with one thread sees
 * them. Readiness of an empty and a written pipe; a pipe full to the last byte is not
 * writable (POLLOUT comes back once a page is free); POLLHUP on the read end when
 * the writers are gone (with POLLIN while data is left); POLLERR on the write end when the
 * readers are gone; POLLNVAL for a closed descriptor (select: EBADF); timeouts of 0 and
 * 30 ms; select's sets rewritten to the ready descriptors and its timeval updated; the
 * signal masks of ppoll, pselect and epoll_pwait applied during the wait only (a signal they
 * unblock is handled, the old mask is back after). Output is the same natively and in Petrel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static const char *ev(short r)
{
    static char b[64];

    b[0] = 0;
    if (r & POLLIN)
        strcat(b, "IN ");
    if (r & POLLOUT)
        strcat(b, "OUT ");
    if (r & POLLHUP)
        strcat(b, "HUP ");
    if (r & POLLERR)
        strcat(b, "ERR ");
    if (r & POLLNVAL)
        strcat(b, "NVAL ");
    if (!b[0])
        strcpy(b, "- ");
    b[strlen(b) - 1] = 0;
    return b;
}

static void show(const char *what, int fd, short events)
{
    struct pollfd pf = {fd, events, 0};
    int n = poll(&pf, 1, 0);

    printf("%-34s poll %d  %s\n", what, n, ev(pf.revents));
}

static double now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static volatile int usr1;
static void on_usr1(int s)
{
    (void)s;
    usr1++;
}

int main(void)
{
    int a[2], b[2];
    char buf[70000];

    setvbuf(stdout, NULL, _IOLBF, 0);
    pipe(a);
    show("empty pipe, read end", a[0], POLLIN);
    show("empty pipe, write end", a[1], POLLOUT);
    write(a[1], "hello", 5);
    show("5 bytes, read end", a[0], POLLIN | POLLOUT);

    read(a[0], buf, 5);
    fcntl(a[1], F_SETFL, O_NONBLOCK);
    memset(buf, 'x', sizeof(buf));
    long total = 0;
    ssize_t n;
    while ((n = write(a[1], buf, 4096)) > 0) /* page by page: 16 slots of 4 KiB */
        total += n;
    printf("filled with %ld bytes, then %s\n", total, errno == EAGAIN ? "EAGAIN" : "?");
    show("full pipe, write end", a[1], POLLOUT);
    read(a[0], buf, 100);
    show("100 bytes free, write end", a[1], POLLOUT);
    read(a[0], buf, 4096);
    show("4196 bytes free, write end", a[1], POLLOUT); /* the first page is free again */

    double t0 = now();
    struct pollfd pf = {a[1], POLLOUT, 0};
    pipe(b);
    pf.fd = b[0];
    pf.events = POLLIN;
    int r = poll(&pf, 1, 30);
    printf("poll timeout 30 ms: %d, waited >= 30 ms %d\n", r, now() - t0 >= 0.029);

    fd_set rd, wr;
    struct timeval tv = {0, 200000};
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_SET(a[0], &rd);
    FD_SET(b[0], &rd);
    FD_SET(b[1], &wr);
    r = select((b[1] > a[0] ? b[1] : a[0]) + 1, &rd, &wr, NULL, &tv);
    printf("select: %d ready; a[0] in rd %d, b[0] in rd %d, b[1] in wr %d\n", r,
           FD_ISSET(a[0], &rd), FD_ISSET(b[0], &rd), FD_ISSET(b[1], &wr));
    FD_ZERO(&rd);
    FD_SET(b[0], &rd);
    tv.tv_sec = 0;
    tv.tv_usec = 20000;
    /* the raw call: musl passes select a copy of the timeval, glibc the caller's own */
    r = (int)syscall(SYS_select, b[0] + 1, &rd, NULL, NULL, &tv);
    printf("select timeout: %d, the kernel zeroed the timeval %d\n", r,
           tv.tv_sec == 0 && tv.tv_usec == 0);

    close(a[1]);
    show("writer closed, data left", a[0], POLLIN);
    while (read(a[0], buf, sizeof(buf)) > 0)
        ;
    show("writer closed, drained", a[0], POLLIN);
    close(b[0]);
    show("reader closed, write end", b[1], POLLOUT);
    show("closed descriptor", a[1], POLLIN);
    FD_ZERO(&rd);
    FD_SET(a[1], &rd);
    tv.tv_usec = 0;
    r = select(a[1] + 1, &rd, NULL, NULL, &tv);
    printf("select on a closed descriptor: %d %s\n", r, r < 0 && errno == EBADF ? "EBADF" : "?");
    struct pollfd neg = {-1, POLLIN, 7};
    printf("negative fd ignored: poll %d revents %d\n", poll(&neg, 1, 0), neg.revents);

    /* ppoll: SIGUSR1 blocked, unblocked only while waiting; the handler ends the wait */
    struct sigaction sa;
    sigset_t block, during;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, NULL);
    raise(SIGUSR1);
    printf("SIGUSR1 blocked and pending: handled %d\n", usr1);
    int c[2];
    pipe(c);
    struct pollfd pc = {c[0], POLLIN, 0};
    struct timespec ts = {5, 0};
    sigemptyset(&during);
    r = ppoll(&pc, 1, &ts, &during);
    printf("ppoll with an empty mask: %d %s, handled %d\n", r,
           r < 0 && errno == EINTR ? "EINTR" : "?", usr1);
    sigset_t after;
    sigprocmask(SIG_BLOCK, NULL, &after);
    printf("mask restored after ppoll: SIGUSR1 blocked %d\n", sigismember(&after, SIGUSR1));
    raise(SIGUSR1);
    ts.tv_sec = 0;
    ts.tv_nsec = 0;
    r = pselect(c[0] + 1, NULL, NULL, NULL, &ts, &during);
    printf("pselect with an empty mask: %d %s, handled %d\n", r,
           r < 0 && errno == EINTR ? "EINTR" : "?", usr1);
    /* epoll_pwait the same way: the temporary mask lets the pending signal in */
    int ep = epoll_create1(0);
    struct epoll_event ee = {EPOLLIN, {0}};
    epoll_ctl(ep, EPOLL_CTL_ADD, c[0], &ee);
    raise(SIGUSR1);
    r = epoll_pwait(ep, &ee, 1, 5000, &during);
    sigprocmask(SIG_BLOCK, NULL, &after);
    printf("epoll_pwait with an empty mask: %d %s, handled %d, SIGUSR1 blocked after %d\n", r,
           r < 0 && errno == EINTR ? "EINTR" : "?", usr1, sigismember(&after, SIGUSR1));
    return 0;
}
