/*
 * test_abi_time.c - core/abi/time.h against glibc's <time.h>, <sys/time.h>, <sys/times.h>,
 * <utime.h>, <signal.h> (sigevent), and the CPU-clock id encoding against what glibc's
 * clock_getcpuclockid/pthread_getcpuclockid return and the host kernel accepts.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "core/abi/time.h"
#include "tests/unit/abi/abi_check.h"

static void test_clocks(void **state)
{
    CK(CLOCK_REALTIME), CK(CLOCK_MONOTONIC), CK(CLOCK_PROCESS_CPUTIME_ID);
    CK(CLOCK_THREAD_CPUTIME_ID), CK(CLOCK_MONOTONIC_RAW), CK(CLOCK_REALTIME_COARSE);
    CK(CLOCK_MONOTONIC_COARSE), CK(CLOCK_BOOTTIME), CK(CLOCK_REALTIME_ALARM);
    CK(CLOCK_BOOTTIME_ALARM), CK(CLOCK_TAI), CK(TIMER_ABSTIME);
    CK(ITIMER_REAL), CK(ITIMER_VIRTUAL), CK(ITIMER_PROF);
    CK(SIGEV_SIGNAL), CK(SIGEV_NONE), CK(SIGEV_THREAD), CK(SIGEV_THREAD_ID);
    EQ("sysconf(_SC_CLK_TCK)", LINUX_USER_HZ, sysconf(_SC_CLK_TCK));
    (void)state;
}

static void test_cpu_clock_ids(void **state)
{
    clockid_t c;
    assert_int_equal(clock_getcpuclockid(getpid(), &c), 0);
    EQ("clock_getcpuclockid(pid)", LINUX_MAKE_PROCESS_CPUCLOCK(getpid(), LINUX_CPUCLOCK_SCHED), c);
    assert_int_equal(pthread_getcpuclockid(pthread_self(), &c), 0);
    EQ("pthread_getcpuclockid(self)", LINUX_MAKE_THREAD_CPUCLOCK(gettid(), LINUX_CPUCLOCK_SCHED),
       c);
    struct timespec ts;
    EQ("clock_gettime(thread cpu clock)", 0,
       clock_gettime(LINUX_MAKE_THREAD_CPUCLOCK(gettid(), LINUX_CPUCLOCK_SCHED), &ts));
    (void)state;
}

static void test_layouts(void **state)
{
    SZ(struct linux_timespec, struct timespec);
    OFF(struct linux_timespec, tv_nsec, struct timespec, tv_nsec);
    SZ(struct linux_timeval, struct timeval);
    OFF(struct linux_timeval, tv_usec, struct timeval, tv_usec);
    SZ(struct linux_itimerspec, struct itimerspec);
    OFF(struct linux_itimerspec, it_value, struct itimerspec, it_value);
    SZ(struct linux_itimerval, struct itimerval);
    OFF(struct linux_itimerval, it_value, struct itimerval, it_value);
    SZ(struct linux_timezone, struct timezone);
    OFF(struct linux_timezone, tz_dsttime, struct timezone, tz_dsttime);
    SZ(struct linux_tms, struct tms);
    OFF(struct linux_tms, tms_stime, struct tms, tms_stime);
    OFF(struct linux_tms, tms_cutime, struct tms, tms_cutime);
    OFF(struct linux_tms, tms_cstime, struct tms, tms_cstime);
    SZ(struct linux_utimbuf, struct utimbuf);
    OFF(struct linux_utimbuf, modtime, struct utimbuf, modtime);
    SZ(struct linux_sigevent, struct sigevent);
    OFF(struct linux_sigevent, sigev_value, struct sigevent, sigev_value);
    OFF(struct linux_sigevent, sigev_signo, struct sigevent, sigev_signo);
    OFF(struct linux_sigevent, sigev_notify, struct sigevent, sigev_notify);
    OFF(struct linux_sigevent, u.tid, struct sigevent, _sigev_un._tid);
    OFF(struct linux_sigevent, u.thread.function, struct sigevent, sigev_notify_function);
    OFF(struct linux_sigevent, u.thread.attribute, struct sigevent, sigev_notify_attributes);
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clocks),
        cmocka_unit_test(test_cpu_clock_ids),
        cmocka_unit_test(test_layouts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
