/*
 * clock_abs: clock_nanosleep with absolute deadlines. TIMER_ABSTIME on CLOCK_MONOTONIC and
 * CLOCK_REALTIME wakes at (never before) the deadline; a deadline in the past returns at
 * once; a periodic loop of ten 10 ms absolute deadlines does not drift (the total is 100 ms
 * plus at most one wake-up's lateness, where relative sleeps would add each one's); an
 * absolute sleep interrupted by a handler returns EINTR and leaves the deadline to be
 * retried (no remaining time is written); relative sleeps interrupted write the remainder;
 * bad nanoseconds EINVAL, unsupported clocks (CLOCK_THREAD_CPUTIME_ID) EINVAL, returned as
 * the error number (not -1/errno). Output is the same natively and in Petrel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static long long ns(clockid_t c)
{
    struct timespec t;

    clock_gettime(c, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static struct timespec at(long long v)
{
    struct timespec t = {(time_t)(v / 1000000000LL), (long)(v % 1000000000LL)};

    return t;
}

static const char *rc_name(int rc)
{
    return rc == 0 ? "0" : rc == EINTR ? "EINTR" : rc == EINVAL ? "EINVAL" : "other";
}

static void on_alrm(int s)
{
    (void)s;
}

int main(void)
{
    struct timespec dl, rem;
    long long t0, late;
    int rc;

    setvbuf(stdout, NULL, _IOLBF, 0);
    clockid_t clocks[] = {CLOCK_MONOTONIC, CLOCK_REALTIME};
    const char *names[] = {"monotonic", "realtime"};
    for (int i = 0; i < 2; i++) {
        t0 = ns(clocks[i]);
        dl = at(t0 + 30000000);
        rc = clock_nanosleep(clocks[i], TIMER_ABSTIME, &dl, NULL);
        late = ns(clocks[i]) - (t0 + 30000000);
        printf("%s absolute 30 ms: %s, not early %d\n", names[i], rc_name(rc), late >= 0);
        t0 = ns(clocks[i]);
        dl = at(t0 > 1000000 ? t0 - 1000000 : 0); /* (Petrel's monotonic clock starts at 0) */
        rc = clock_nanosleep(clocks[i], TIMER_ABSTIME, &dl, NULL);
        printf("%s deadline in the past: %s, returned within 500 ms %d\n", names[i], rc_name(rc),
               ns(clocks[i]) - t0 < 500000000LL);
    }

    t0 = ns(CLOCK_MONOTONIC);
    int early = 0;
    for (int k = 1; k <= 10; k++) {
        dl = at(t0 + k * 10000000LL);
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &dl, NULL);
        early += ns(CLOCK_MONOTONIC) < t0 + k * 10000000LL;
    }
    printf("ten periodic deadlines: none early %d, done after 100 ms %d\n", early == 0,
           ns(CLOCK_MONOTONIC) - t0 >= 100000000LL);

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alrm;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 0}, {0, 50000}};
    setitimer(ITIMER_REAL, &it, NULL);
    t0 = ns(CLOCK_MONOTONIC);
    dl = at(t0 + 5000000000LL);
    rem.tv_sec = 77;
    rem.tv_nsec = 0;
    rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &dl, &rem);
    printf("absolute, interrupted: %s, remaining untouched %d, early %d\n", rc_name(rc),
           rem.tv_sec == 77, ns(CLOCK_MONOTONIC) - t0 < 4000000000LL);
    setitimer(ITIMER_REAL, &it, NULL);
    struct timespec rel = {5, 0};
    rc = clock_nanosleep(CLOCK_MONOTONIC, 0, &rel, &rem);
    printf("relative, interrupted: %s, remaining between 4 and 5 s %d\n", rc_name(rc),
           rem.tv_sec == 4 || (rem.tv_sec == 5 && rem.tv_nsec == 0));

    struct timespec bad = {0, 1000000000};
    printf("bad nanoseconds: %s\n", rc_name(clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL)));
    bad.tv_nsec = -1;
    printf("negative nanoseconds: %s\n", rc_name(clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL)));
    rel.tv_sec = 0;
    rel.tv_nsec = 1000;
    printf("thread CPU clock: %s\n",
           rc_name(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &rel, NULL)));
    printf("unknown flag bits ignored: %s\n",
           rc_name(clock_nanosleep(CLOCK_MONOTONIC, 0x100, &rel, NULL)));
    return 0;
}
