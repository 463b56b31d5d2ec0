/*
 * cases_time.c - clocks and sleeps: clock_gettime/getres, nanosleep, clock_nanosleep,
 * gettimeofday, time. Times differ between the runners; only results and fixed outputs
 * (resolutions) are compared.
 */
#include <time.h>

#include "sc.h"

/* Linux's dynamic CPU clock ids (clock_getcpuclockid, pthread_getcpuclockid): pid/tid 0 is
 * the caller; kind 0 PROF, 1 VIRT, 2 SCHED, bit 2 per thread; kind 3 is no CPU clock. A pid
 * above any pid_max names nobody. */
/* An itimerspec: interval, then value. */
#define ITS(isec, insec, vsec, vnsec)                                                              \
    {                                                                                              \
        SA_DATA, 0, (const char *)(const long[]){(isec), (insec), (vsec), (vnsec)}, 32, 0, NULL    \
    }
#define TFD_NB 04000
#define TFD_CX 02000000

#define CPUCLK(pid, kind) ((int)((~(unsigned)(pid)) << 3) | (kind))
#define NOPID 500000000
#define RES_1NS "\0\0\0\0\0\0\0\0\1\0\0\0\0\0\0\0"
#define RES_TICK "\0\0\0\0\0\0\0\0\0\x09\x3d\0\0\0\0\0" /* 4 ms: HZ 250 */
#define ZERO8 "\0\0\0\0\0\0\0\0"

#define TS(sec, nsec)                                                                              \
    {                                                                                              \
        SA_DATA, 0, (const char *)(const long[]){(sec), (nsec)}, 16, 0, NULL                       \
    }

const struct sc_case sc_cases_time[] = {
    CASE("time.clock_gettime", CALL(clock_gettime, W(0), I(CLOCK_REALTIME), BUF(16)),
         CALL(clock_gettime, W(0), I(CLOCK_MONOTONIC), BUF(16)),
         CALL(clock_gettime, W(0), I(CLOCK_BOOTTIME), BUF(16)),
         CALL(clock_gettime, W(0), I(CLOCK_MONOTONIC_RAW), BUF(16))),
    CASE("time.clock_gettime_cpu", CALL(clock_gettime, W(0), I(CLOCK_PROCESS_CPUTIME_ID), BUF(16)),
         CALL(clock_gettime, W(0), I(CLOCK_THREAD_CPUTIME_ID), BUF(16))),
    CASE("time.clock_gettime_bad_clock", CALL(clock_gettime, ERR(EINVAL), I(100), BUF(16)),
         CALL(clock_gettime, ERR(EINVAL), I(16), BUF(16))),
    CASE("time.clock_getres",
         CALLO(clock_getres, W(0), "\0\0\0\0\0\0\0\0\1\0\0\0\0\0\0\0", I(CLOCK_MONOTONIC), BUF(16)),
         CALL(clock_getres, W(0), I(CLOCK_REALTIME), I(0)),
         CALL(clock_getres, ERR(EINVAL), I(100), BUF(16))),
    CASE("time.nanosleep", CALL(nanosleep, W(0), TS(0, 1000), I(0)),
         CALL(nanosleep, W(0), TS(0, 0), BUF(16))),
    CASE("time.nanosleep_bad_nsec", CALL(nanosleep, ERR(EINVAL), TS(0, 1000000000), I(0)),
         CALL(nanosleep, ERR(EINVAL), TS(0, -1), I(0)),
         CALL(nanosleep, ERR(EINVAL), TS(-1, 0), I(0))),
    CASE("time.clock_nanosleep",
         CALL(clock_nanosleep, W(0), I(CLOCK_MONOTONIC), I(0), TS(0, 1), I(0)),
         CALL(clock_nanosleep, W(0), I(CLOCK_REALTIME), I(TIMER_ABSTIME), TS(0, 0), I(0))),
    CASE("time.clock_nanosleep_errors",
         CALL(clock_nanosleep, ERR(EINVAL), I(100), I(0), TS(0, 1), I(0)),
         CALL(clock_nanosleep, ERR(EINVAL), I(CLOCK_MONOTONIC), I(0), TS(0, -1), I(0)),
         CALL(clock_nanosleep, ERR(EOPNOTSUPP), I(CLOCK_THREAD_CPUTIME_ID), I(0), TS(0, 1), I(0))),
    CASE("time.gettimeofday", CALL(gettimeofday, W(0), BUF(16), I(0)),
         CALL(gettimeofday, W(0), I(0), I(0)), CALL(gettimeofday, W(0), BUF(16), BUF(8))),
    CASE("time.time", CALL(time, OK, I(0)), CALL(time, OK, BUF(8))),
    CASE("time.clock_ids_more", CALL(clock_gettime, W(0), I(CLOCK_TAI), BUF(16)),
         CALL(clock_gettime, W(0), I(CLOCK_REALTIME_COARSE), BUF(16)),
         CALL(clock_gettime, W(0), I(CLOCK_MONOTONIC_COARSE), BUF(16)),
         CALLO(clock_getres, W(0), RES_TICK, I(CLOCK_MONOTONIC_COARSE), BUF(16)),
         CALLO(clock_getres, W(0), RES_TICK, I(CLOCK_REALTIME_COARSE), BUF(16)),
         CALLO(clock_getres, W(0), RES_1NS, I(CLOCK_TAI), BUF(16)),
         CALLO(clock_getres, W(0), RES_1NS, I(CLOCK_PROCESS_CPUTIME_ID), BUF(16)),
         CALL(clock_getres, ERR(EINVAL), I(10), BUF(16)),
         CALL(clock_getres, ERR(EINVAL), I(0x7fffffff), I(0)),
         CALL(clock_gettime, ERR(EINVAL), I(100), BAD(UNMAPPED))),
    /* No RTC wakeup device, as in the reference VM: the ALARM clocks answer -EINVAL. */
    CASE("time.clock_alarm", CALL(clock_gettime, ERR(EINVAL), I(CLOCK_REALTIME_ALARM), BUF(16)),
         CALL(clock_getres, ERR(EINVAL), I(CLOCK_BOOTTIME_ALARM), BUF(16)),
         CALL(clock_nanosleep, ERR(EOPNOTSUPP), I(CLOCK_REALTIME_ALARM), I(0), TS(0, 1), I(0))),
    CASE("time.clock_cpu_dynamic", CALL(clock_gettime, W(0), I(CPUCLK(0, 2)), BUF(16)),
         CALL(clock_gettime, W(0), I(CPUCLK(0, 0)), BUF(16)),
         CALL(clock_gettime, W(0), I(CPUCLK(0, 1)), BUF(16)),
         CALL(clock_gettime, W(0), I(CPUCLK(0, 6)), BUF(16)),
         CALL(clock_gettime, W(0), I(CPUCLK(0, 5)), BUF(16)),
         CALLO(clock_getres, W(0), RES_1NS, I(CPUCLK(0, 2)), BUF(16)),
         CALLO(clock_getres, W(0), RES_TICK, I(CPUCLK(0, 0)), BUF(16)),
         CALLO(clock_getres, W(0), RES_TICK, I(CPUCLK(0, 5)), BUF(16)),
         CALL(clock_gettime, ERR(EINVAL), I(CPUCLK(0, 3)), BUF(16)),
         CALL(clock_gettime, ERR(EINVAL), I(CPUCLK(0, 7)), BUF(16)),
         CALL(clock_gettime, ERR(EINVAL), I(CPUCLK(NOPID, 2)), BUF(16)),
         CALL(clock_getres, ERR(EINVAL), I(CPUCLK(NOPID, 6)), BUF(16))),
    CASE("time.clock_nanosleep_clocks",
         CALL(clock_nanosleep, W(0), I(CLOCK_TAI), I(0), TS(0, 1), I(0)),
         CALL(clock_nanosleep, W(0), I(CLOCK_BOOTTIME), I(TIMER_ABSTIME), TS(0, 0), I(0)),
         CALL(clock_nanosleep, W(0), I(CLOCK_PROCESS_CPUTIME_ID), I(TIMER_ABSTIME), TS(0, 0), I(0)),
         CALL(clock_nanosleep, W(0), I(CPUCLK(0, 2)), I(TIMER_ABSTIME), TS(0, 0), I(0)),
         CALL(clock_nanosleep, W(0), I(CLOCK_MONOTONIC), I(0x10), TS(0, 1), I(0)),
         CALL(clock_nanosleep, ERR(EINVAL), I(CPUCLK(0, 6)), I(0), TS(0, 1), I(0)),
         CALL(clock_nanosleep, ERR(EOPNOTSUPP), I(CPUCLK(0, 3)), I(0), TS(0, 1), I(0)),
         CALL(clock_nanosleep, ERR(EOPNOTSUPP), I(CLOCK_MONOTONIC_RAW), I(0), TS(0, 1), I(0)),
         CALL(clock_nanosleep, ERR(EOPNOTSUPP), I(CLOCK_MONOTONIC_COARSE), I(0), TS(0, 1), I(0)),
         CALL(clock_nanosleep, ERR(EINVAL), I(10), I(0), TS(0, 1), I(0)),
         CALL(clock_nanosleep, ERR(EFAULT), I(CLOCK_MONOTONIC), I(0), BAD(UNMAPPED), I(0))),
    CASE("time.times", CALL(times, OK, I(0)), CALL(times, OK, BUF(32)),
         CALL(times, ERR(EFAULT), BAD(UNMAPPED))),
    CASE("time.timerfd_create", CALL(timerfd_create, OK, I(CLOCK_MONOTONIC), I(0)),
         CALL(timerfd_create, OK, I(CLOCK_REALTIME), I(TFD_NB | TFD_CX)),
         CALL(timerfd_create, OK, I(CLOCK_BOOTTIME), I(0)),
         CALL(timerfd_create, ERR(EINVAL), I(CLOCK_PROCESS_CPUTIME_ID), I(0)),
         CALL(timerfd_create, ERR(EINVAL), I(CLOCK_MONOTONIC_RAW), I(0)),
         CALL(timerfd_create, ERR(EINVAL), I(-1), I(0)),
         CALL(timerfd_create, ERR(EINVAL), I(CLOCK_TAI), I(0)),
         CALL(timerfd_create, ERR(EINVAL), I(CLOCK_MONOTONIC), I(4)),
         CALL(fcntl, W(04002), R(1), I(3 /* F_GETFL */), I(0)),
         CALL(fcntl, W(1), R(1), I(1 /* F_GETFD */), I(0)), CALL(fcntl, W(0), R(0), I(1), I(0))),
    CASE("time.timerfd_settime", CALL(timerfd_create, OK, I(CLOCK_MONOTONIC), I(TFD_NB)),
         CALL(read, ERR(EAGAIN), R(0), BUF(8), I(8)), CALL(read, ERR(EINVAL), R(0), BUF(4), I(4)),
         CALL(write, ERR(EINVAL), R(0), D("12345678"), I(8)),
         CALL(timerfd_settime, W(0), R(0), I(0), ITS(5, 0, 0, 0), I(0)),
         CALLO(timerfd_gettime, W(0), "\5\0\0\0\0\0\0\0" ZERO8 ZERO8 ZERO8, R(0), BUF(32)),
         CALL(timerfd_settime, ERR(EINVAL), R(0), I(4), ITS(0, 0, 1, 0), I(0)),
         CALL(timerfd_settime, ERR(EINVAL), R(0), I(0), ITS(0, 0, 1, 1000000000), I(0)),
         CALL(timerfd_settime, ERR(EINVAL), R(0), I(0), ITS(-1, 0, 1, 0), I(0)),
         CALL(timerfd_settime, ERR(EFAULT), R(0), I(8), BAD(UNMAPPED), I(0)),
         CALL(timerfd_gettime, ERR(EBADF), I(999), BUF(32)),
         CALL(timerfd_gettime, ERR(EFAULT), R(0), BAD(UNMAPPED))),
    /* An absolute wall-clock deadline already past fires at once: one expiration, read as a u64; the
     * old setting comes back; a bad old pointer fails after the new setting took effect. */
    CASE("time.timerfd_expire", CALL(timerfd_create, OK, I(CLOCK_REALTIME), I(TFD_NB)),
         CALL(timerfd_settime, W(0), R(0), I(1), ITS(0, 0, 1, 0), I(0)),
         CALLO(read, W(8), "\1\0\0\0\0\0\0\0", R(0), BUF(8), I(8)),
         CALL(read, ERR(EAGAIN), R(0), BUF(8), I(8)),
         CALL(timerfd_settime, ERR(EFAULT), R(0), I(0), ITS(0, 0, 100, 0), BAD(UNMAPPED)),
         CALLAT(timerfd_settime, W(0), 0, ZERO8 ZERO8, R(0), I(0), ITS(0, 0, 0, 0), BUF(32)),
         CALLO(timerfd_gettime, W(0), ZERO8 ZERO8 ZERO8 ZERO8, R(0), BUF(32))),
    CASE("time.itimer", CALLO(getitimer, W(0), ZERO8 ZERO8 ZERO8 ZERO8, I(0), BUF(32)),
         CALL(getitimer, ERR(EINVAL), I(3), BUF(32)),
         CALLO(setitimer, W(0), ZERO8 ZERO8 ZERO8 ZERO8, I(0), ITS(0, 0, 100, 0), BUF(32)),
         CALLAT(getitimer, W(0), 0, ZERO8 ZERO8, I(0), BUF(32)),
         CALLAT(setitimer, W(0), 0, ZERO8 ZERO8, I(0), I(0), BUF(32)),
         CALLO(getitimer, W(0), ZERO8 ZERO8 ZERO8 ZERO8, I(0), BUF(32)),
         CALL(setitimer, ERR(EINVAL), I(3), ITS(0, 0, 1, 0), I(0)),
         CALL(setitimer, ERR(EINVAL), I(1), ITS(0, 0, 0, 1000000), I(0)),
         CALL(setitimer, ERR(EFAULT), I(0), BAD(UNMAPPED), I(0)),
         CALL(getitimer, ERR(EFAULT), I(2), BAD(UNMAPPED))),
    CASE("time.alarm", CALL(alarm, W(0), I(0)), CALL(alarm, W(0), I(100)),
         CALL(alarm, W(100), I(0)), CALL(alarm, W(0), I(0))),
    CASE("time.getrusage", CALL(getrusage, W(0), I(0), BUF(144)),
         CALL(getrusage, W(0), I(1), BUF(144)),
         CALLO(getrusage, W(0), ZERO8 ZERO8 ZERO8 ZERO8 ZERO8, I(-1), BUF(144)),
         CALL(getrusage, ERR(EINVAL), I(-2), BUF(144)),
         CALL(getrusage, ERR(EINVAL), I(2), BAD(UNMAPPED)),
         CALL(getrusage, ERR(EFAULT), I(0), I(0))),
    {NULL, NULL, 0, -1, {0}, 0, false},
};
