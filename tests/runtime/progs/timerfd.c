/* timerfd: a periodic timer waited for with poll and with blocking reads; the expiration
 * count; a one-shot absolute deadline on the wall clock; gettime while armed; disarm. */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static long long mono_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

int main(void)
{
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    struct itimerspec its = {{0, 20000000}, {0, 20000000}}, cur;
    uint64_t n, total = 0;
    long long t0 = mono_ms();

    printf("created: %d\n", fd >= 0);
    printf("settime: %d\n", timerfd_settime(fd, 0, &its, NULL));
    timerfd_gettime(fd, &cur);
    printf("gettime: interval %ld ns, value in (0, 20 ms]: %d\n", cur.it_interval.tv_nsec,
           cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 &&
               cur.it_value.tv_nsec <= 20000000);
    int polls = 0;
    while (total < 5) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 5000) != 1 || !(p.revents & POLLIN))
            break;
        polls++;
        if (read(fd, &n, sizeof(n)) == sizeof(n))
            total += n;
    }
    long long dt = mono_ms() - t0;
    printf("5 expirations through poll: %d, took at least 100 ms: %d\n", total >= 5, dt >= 100);
    printf("nothing pending after read: %d\n", read(fd, &n, sizeof(n)) == -1);

    /* blocking reads: the same descriptor made blocking */
    int b = timerfd_create(CLOCK_MONOTONIC, 0);
    timerfd_settime(b, 0, &its, NULL);
    total = 0;
    for (int i = 0; i < 3; i++)
        if (read(b, &n, sizeof(n)) == sizeof(n))
            total += n;
    printf("3 blocking reads got at least 3: %d\n", total >= 3);
    /* late reader: the count says how many periods went by */
    struct timespec sl = {0, 110000000};
    nanosleep(&sl, NULL);
    read(b, &n, sizeof(n));
    printf("after 110 ms asleep, 5 or more expirations counted at once: %d\n", n >= 5);
    struct itimerspec off = {{0, 0}, {0, 0}};
    timerfd_settime(b, 0, &off, &cur);
    printf("disarm returns the old period: %ld\n", cur.it_interval.tv_nsec);
    timerfd_gettime(b, &cur);
    printf("disarmed: %ld %ld\n", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec);

    /* one-shot on the wall clock, absolute: 30 ms from now */
    int w = timerfd_create(CLOCK_REALTIME, 0);
    struct itimerspec abs = {{0, 0}, {0, 0}};
    clock_gettime(CLOCK_REALTIME, &abs.it_value);
    abs.it_value.tv_nsec += 30000000;
    if (abs.it_value.tv_nsec >= 1000000000) {
        abs.it_value.tv_sec++;
        abs.it_value.tv_nsec -= 1000000000;
    }
    t0 = mono_ms();
    timerfd_settime(w, TFD_TIMER_ABSTIME, &abs, NULL);
    /* read first: the order in which printf's arguments are evaluated is unspecified */
    ssize_t got = read(w, &n, sizeof(n));
    long long waited = mono_ms() - t0;
    printf("wall one-shot: read %zd, count %llu, waited >= 25 ms: %d\n", got,
           (unsigned long long)n, waited >= 25);
    (void)polls;
    return 0;
}
