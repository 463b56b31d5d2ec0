/* clock: clock_gettime (monotonic, realtime), nanosleep, gettimeofday, time, clock_getres. */
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

static double now(clockid_t c)
{
    struct timespec t;
    clock_gettime(c, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(void)
{
    struct timespec res, req = {0, 50 * 1000 * 1000};
    struct timeval tv;
    double t0 = now(CLOCK_MONOTONIC);

    printf("nanosleep 50 ms: %d\n", nanosleep(&req, NULL));
    double dt = now(CLOCK_MONOTONIC) - t0;
    printf("slept at least 50 ms: %d, less than 5 s: %d\n", dt >= 0.05, dt < 5);
    double a = now(CLOCK_MONOTONIC), b = now(CLOCK_MONOTONIC);
    printf("monotonic: %d\n", b >= a);
    printf("realtime after 2020: %d\n", now(CLOCK_REALTIME) > 1577836800.0);
    gettimeofday(&tv, NULL);
    printf("gettimeofday after 2020: %d\n", tv.tv_sec > 1577836800);
    printf("time after 2020: %d\n", time(NULL) > 1577836800);
    printf("clock_getres: %d, under 1 s: %d\n", clock_getres(CLOCK_MONOTONIC, &res),
           res.tv_sec == 0 && res.tv_nsec > 0);
    req.tv_nsec = 20 * 1000 * 1000;
    t0 = now(CLOCK_MONOTONIC);
    printf("clock_nanosleep: %d\n", clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL));
    printf("slept at least 20 ms: %d\n", now(CLOCK_MONOTONIC) - t0 >= 0.02);
    req.tv_nsec = 2000000000L;
    printf("nanosleep bad nsec: %d\n", nanosleep(&req, NULL));
    return 0;
}
