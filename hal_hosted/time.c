/*
 * time.c - hosted clocks and the one-shot timer.
 *
 * Virtual mode (default): the clock is a counter that moves only when the CPU idles
 * (hosted_time_wait_until) or a test advances it, so a ten-second sleep takes no time and
 * every run with the same seed sees the same timestamps. Real-time mode (config.realtime or
 * PETREL_REALTIME=1): CLOCK_MONOTONIC since setup, and idle waits in epoll on a timerfd. No
 * signals in either mode. The timer is only a deadline: the interrupt controller (irq.c)
 * checks it at delivery points and runs the kernel's timer entry when it is due.
 *
 * The published user clock (hal_clock_publish, the vDSO's data page): in virtual mode the
 * counter is the virtual clock itself (mult 1.0, base 0, wall offset the fixed epoch), read by
 * hal_uclock_counter(); the test playing the program calls the vDSO's C with it. Real-time
 * mode publishes HAL_UCLOCK_NONE (the wall clock there is the host's, not an offset of the
 * monotonic one), so every answer comes from the syscalls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "hal/hal_time.h"
#include "hal_hosted/hosted_internal.h"

static bool time_realtime;
static uint64_t virt_now;
static uint64_t mono_base;
static uint64_t timer_deadline = UINT64_MAX;
static int timer_fd = -1;
static int epoll_fd = -1;

static uint64_t host_ns(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static bool env_realtime(void)
{
    const char *s = getenv("PETREL_REALTIME");

    return s && strcmp(s, "1") == 0;
}

int hosted_time_setup(bool realtime)
{
    struct epoll_event ev = {.events = EPOLLIN};

    virt_now = 0;
    timer_deadline = UINT64_MAX;
    time_realtime = realtime || env_realtime();
    if (!time_realtime)
        return 0;
    mono_base = host_ns(CLOCK_MONOTONIC);
    timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (timer_fd < 0 || epoll_fd < 0 || epoll_ctl(epoll_fd, EPOLL_CTL_ADD, timer_fd, &ev) < 0) {
        int err = -errno;

        hosted_time_teardown();
        return err;
    }
    return 0;
}

void hosted_time_teardown(void)
{
    if (timer_fd >= 0)
        close(timer_fd);
    if (epoll_fd >= 0)
        close(epoll_fd);
    timer_fd = epoll_fd = -1;
    time_realtime = false;
    timer_deadline = UINT64_MAX;
    virt_now = 0;
}

bool hosted_time_realtime(void)
{
    return time_realtime;
}

uint64_t hal_clock_ns(void)
{
    if (time_realtime)
        return host_ns(CLOCK_MONOTONIC) - mono_base;
    return virt_now;
}

uint64_t hal_wallclock_ns(void)
{
    if (time_realtime)
        return host_ns(CLOCK_REALTIME);
    return HOSTED_WALLCLOCK_EPOCH_NS + virt_now;
}

void hal_clock_publish(struct hal_uclock *u)
{
    volatile struct hal_uclock *v = u;

    /* The virtual clock's parameters never change: nothing to keep current. */
    if (!u)
        return;
    v->seq++;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    v->mode = time_realtime ? HAL_UCLOCK_NONE : HAL_UCLOCK_HOSTED;
    v->cycle_base = 0;
    v->ns_base = 0;
    v->mult = 1ULL << 32;
    v->wall_offset = HOSTED_WALLCLOCK_EPOCH_NS;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    v->seq++;
}

uint64_t hal_uclock_counter(void)
{
    return virt_now;
}

void hal_timer_arm(uint64_t deadline_ns)
{
    timer_deadline = deadline_ns;
    if (hosted_timer_due())
        hosted_irq_raise(HOSTED_IRQ_TIMER);
}

uint64_t hosted_timer_deadline(void)
{
    return timer_deadline;
}

bool hosted_timer_due(void)
{
    return timer_deadline != UINT64_MAX && hal_clock_ns() >= timer_deadline;
}

bool hosted_timer_take_due(void)
{
    if (!hosted_timer_due())
        return false;
    timer_deadline = UINT64_MAX;
    return true;
}

/* Real time: sleep in epoll on the timerfd until t; EINTR (a debugger, SIGSTOP) just loops. */
static void realtime_wait_until(uint64_t t)
{
    struct itimerspec its = {0};
    struct epoll_event ev;
    uint64_t abs_ns = mono_base + t;
    uint64_t expirations;

    its.it_value.tv_sec = (time_t)(abs_ns / 1000000000ULL);
    its.it_value.tv_nsec = (long)(abs_ns % 1000000000ULL);
    if (timerfd_settime(timer_fd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
        return;
    while (hal_clock_ns() < t) {
        if (epoll_wait(epoll_fd, &ev, 1, -1) < 0 && errno != EINTR)
            break;
    }
    while (read(timer_fd, &expirations, sizeof(expirations)) > 0)
        ;
}

void hosted_time_wait_until(uint64_t t)
{
    if (time_realtime) {
        if (t != UINT64_MAX && timer_fd >= 0)
            realtime_wait_until(t);
    } else if (t != UINT64_MAX && t > virt_now) {
        virt_now = t;
    }
    if (hosted_timer_due())
        hosted_irq_raise(HOSTED_IRQ_TIMER);
}

uint64_t hosted_clock_advance(uint64_t ns)
{
    if (!time_realtime) {
        virt_now = ns > UINT64_MAX - 1 - virt_now ? UINT64_MAX - 1 : virt_now + ns;
        if (hosted_timer_due())
            hosted_irq_raise(HOSTED_IRQ_TIMER);
    }
    return hal_clock_ns();
}
