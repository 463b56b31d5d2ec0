/*
 * sig_alarm: timer signals interrupting blocking calls in a program with one thread. alarm(1)
 * ends a read of an empty pipe with EINTR (no SA_RESTART); with SA_RESTART the read is
 * restarted and returns the byte the SIGALRM handler wrote into the pipe (without
 * SA_RESTART the same byte is left unread behind the EINTR). setitimer(ITIMER_REAL) ends a
 * select and a poll with EINTR whatever the flags; a pending alarm is replaced by the next
 * alarm() (its remaining seconds returned) and cancelled by alarm(0). Output is the same
 * natively and in Petrel.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int p[2];
static volatile int alarms;

static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
    write(p[1], "A", 1);
}

static void install(int flags)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm;
    sa.sa_flags = flags;
    sigaction(SIGALRM, &sa, NULL);
}

static double now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void itimer_ms(long ms)
{
    struct itimerval it = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};

    setitimer(ITIMER_REAL, &it, NULL);
}

static void drain(void)
{
    char buf[16];
    struct pollfd pf = {p[0], POLLIN, 0};

    while (poll(&pf, 1, 0) == 1)
        read(p[0], buf, sizeof(buf));
}

int main(void)
{
    char c = 0;
    double t0;
    ssize_t n;

    setvbuf(stdout, NULL, _IOLBF, 0);
    pipe(p);
    install(0);
    t0 = now();
    alarm(1);
    n = read(p[0], &c, 1);
    printf("alarm, no SA_RESTART: read %zd (%s), handler ran %d, after ~1 s %d\n", n,
           n < 0 && errno == EINTR ? "EINTR" : "?", alarms, now() - t0 > 0.9);
    n = read(p[0], &c, 1);
    printf("  the handler's byte is still there: %zd '%c'\n", n, c);

    install(SA_RESTART);
    itimer_ms(100);
    c = 0;
    n = read(p[0], &c, 1);
    printf("itimer, SA_RESTART: read restarted and returned %zd '%c', handler ran %d\n", n, c,
           alarms);

    fd_set rd;
    struct timeval tv = {5, 0};
    int fds[2];
    pipe(fds); /* never written: only the signal can end these waits */
    FD_ZERO(&rd);
    FD_SET(fds[0], &rd);
    itimer_ms(50);
    int r = select(fds[0] + 1, &rd, NULL, NULL, &tv);
    printf("select with SA_RESTART: %d (%s)\n", r, r < 0 && errno == EINTR ? "EINTR" : "?");
    struct pollfd pf = {fds[0], POLLIN, 0};
    itimer_ms(50);
    r = poll(&pf, 1, 5000);
    printf("poll with SA_RESTART: %d (%s)\n", r, r < 0 && errno == EINTR ? "EINTR" : "?");
    drain();

    alarm(30);
    printf("alarm(5) after alarm(30) returns %u\n", alarm(5));
    printf("alarm(0) returns %u\n", alarm(0));
    struct itimerval cur;
    getitimer(ITIMER_REAL, &cur);
    printf("no timer left: %d\n", cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);
    printf("alarms %d\n", alarms);
    return 0;
}
