/* cputime: CPU clocks measured, not the monotonic clock. A busy loop advances the process
 * and thread CPU clocks; a sleep does not; a second thread's CPU time stays in the process
 * clock after it ended; pthread_getcpuclockid/clock_getcpuclockid name working clocks;
 * times() and getrusage() agree with the clocks. Only facts that hold on any machine are
 * printed (compared with the native run). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

static long long ns(clockid_t c)
{
    struct timespec t;

    if (clock_gettime(c, &t))
        return -1;
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Spin until clock c advanced by d ns (or 10 s of monotonic time passed). */
static int burn(clockid_t c, long long d)
{
    long long t0 = ns(c), m0 = ns(CLOCK_MONOTONIC);
    volatile unsigned long x = 0;

    while (ns(c) - t0 < d) {
        for (int i = 0; i < 1000; i++)
            x += i;
        if (ns(CLOCK_MONOTONIC) - m0 > 10000000000LL)
            return 0;
    }
    return 1;
}

static long long thread_cpu;

static void *worker(void *arg)
{
    (void)arg;
    burn(CLOCK_THREAD_CPUTIME_ID, 100000000LL);
    thread_cpu = ns(CLOCK_THREAD_CPUTIME_ID);
    return NULL;
}

int main(void)
{
    clockid_t pc, tc;
    struct timespec sl = {0, 100000000};
    long long m0 = ns(CLOCK_MONOTONIC);
    long long p0 = ns(CLOCK_PROCESS_CPUTIME_ID), t0 = ns(CLOCK_THREAD_CPUTIME_ID);

    printf("cpu clocks readable: %d\n", p0 >= 0 && t0 >= 0);
    printf("busy loop advances the process clock: %d\n", burn(CLOCK_PROCESS_CPUTIME_ID, 50000000));
    printf("monotonic moved at least as much: %d\n",
           ns(CLOCK_MONOTONIC) - m0 >= ns(CLOCK_PROCESS_CPUTIME_ID) - p0);
    long long p1 = ns(CLOCK_PROCESS_CPUTIME_ID);
    nanosleep(&sl, NULL);
    long long slept = ns(CLOCK_PROCESS_CPUTIME_ID) - p1;
    printf("a 100 ms sleep costs under 50 ms of CPU: %d\n", slept < 50000000);

    pthread_t th;
    pthread_create(&th, NULL, worker, NULL);
    printf("thread clock id works: %d\n",
           pthread_getcpuclockid(th, &tc) == 0 && ns(tc) >= 0);
    pthread_join(th, NULL);
    long long p2 = ns(CLOCK_PROCESS_CPUTIME_ID);
    printf("worker ran 100 ms of its own CPU: %d\n", thread_cpu >= 100000000LL);
    printf("process clock keeps the ended thread: %d\n", p2 - p1 >= 100000000LL);
    printf("main thread clock below process clock: %d\n", ns(CLOCK_THREAD_CPUTIME_ID) < p2);
    printf("clock_getcpuclockid(0): %d, reads: %d\n", clock_getcpuclockid(0, &pc), ns(pc) > 0);

    struct rusage ru, rt, rc;
    struct tms tm;
    getrusage(RUSAGE_SELF, &ru);
    getrusage(RUSAGE_THREAD, &rt);
    getrusage(RUSAGE_CHILDREN, &rc);
    long long ru_ns = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
                      (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
    long long p3 = ns(CLOCK_PROCESS_CPUTIME_ID);
    printf("getrusage(SELF) matches the clock (within 20 ms): %d\n",
           ru_ns <= p3 && p3 - ru_ns < 20000000LL);
    printf("thread usage below self: %d\n",
           rt.ru_utime.tv_sec * 1000000LL + rt.ru_utime.tv_usec <=
               ru.ru_utime.tv_sec * 1000000LL + ru.ru_utime.tv_usec);
    printf("children: %ld %ld %ld\n", (long)rc.ru_utime.tv_sec, (long)rc.ru_utime.tv_usec,
           rc.ru_maxrss);
    printf("maxrss between 4 KiB and 1 GiB: %d\n", ru.ru_maxrss >= 4 && ru.ru_maxrss < 1024 * 1024);
    /* A loop with few syscalls is user time: its utime grows more than its stime. */
    struct rusage r0, r1;
    getrusage(RUSAGE_THREAD, &r0);
    long long u0 = ns(CLOCK_THREAD_CPUTIME_ID);
    volatile unsigned long x = 0;
    while (ns(CLOCK_THREAD_CPUTIME_ID) - u0 < 100000000LL)
        for (int i = 0; i < 1000000; i++)
            x += i;
    getrusage(RUSAGE_THREAD, &r1);
    long long du = (r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) * 1000000LL +
                   (r1.ru_utime.tv_usec - r0.ru_utime.tv_usec);
    long long ds = (r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) * 1000000LL +
                   (r1.ru_stime.tv_usec - r0.ru_stime.tv_usec);
    printf("a busy loop is mostly user time: %d\n", du > ds);
    p3 = ns(CLOCK_PROCESS_CPUTIME_ID);
    clock_t now = times(&tm);
    long hz = sysconf(_SC_CLK_TCK);
    printf("times: hz %ld, ticks %d, utime+stime ~ clock: %d\n", hz, now != (clock_t)-1,
           (tm.tms_utime + tm.tms_stime) * (1000000000LL / hz) <= p3 + 20000000LL &&
               (tm.tms_utime + tm.tms_stime) * (1000000000LL / hz) > p3 - 30000000LL);
    return 0;
}
