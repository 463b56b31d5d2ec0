/* itimer: setitimer(ITIMER_REAL) delivers SIGALRM every period; ITIMER_PROF counts CPU time
 * (a busy loop) and delivers SIGPROF; getitimer while armed; alarm's return value. */
#include <signal.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t alrm, prof;

static void on_alrm(int s)
{
    (void)s;
    alrm++;
}

static void on_prof(int s)
{
    (void)s;
    prof++;
}

int main(void)
{
    struct sigaction sa = {0};
    struct itimerval it = {{0, 10000}, {0, 10000}}, cur, off = {{0, 0}, {0, 0}};
    struct timespec sl = {1, 0};

    sa.sa_handler = on_alrm;
    sigaction(SIGALRM, &sa, NULL);
    sa.sa_handler = on_prof;
    sigaction(SIGPROF, &sa, NULL);
    printf("setitimer REAL: %d\n", setitimer(ITIMER_REAL, &it, NULL));
    getitimer(ITIMER_REAL, &cur);
    printf("getitimer: interval %ld us, armed: %d\n", (long)cur.it_interval.tv_usec,
           cur.it_value.tv_sec == 0 && cur.it_value.tv_usec > 0);
    int tries = 0;
    while (alrm < 5 && tries++ < 50)
        nanosleep(&sl, NULL); /* each SIGALRM interrupts it */
    setitimer(ITIMER_REAL, &off, NULL);
    printf("5 SIGALRM: %d\n", alrm >= 5);

    it.it_interval.tv_usec = it.it_value.tv_usec = 20000;
    setitimer(ITIMER_PROF, &it, NULL);
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    volatile unsigned long x = 0;
    do {
        for (int i = 0; i < 100000; i++)
            x += i;
        clock_gettime(CLOCK_MONOTONIC, &t);
    } while (prof < 3 && t.tv_sec - t0.tv_sec < 10);
    setitimer(ITIMER_PROF, &off, NULL);
    printf("3 SIGPROF from a busy loop: %d\n", prof >= 3);

    printf("alarm(100): %u\n", alarm(100));
    printf("alarm(0) returns the time left: %u\n", alarm(0));
    return 0;
}
