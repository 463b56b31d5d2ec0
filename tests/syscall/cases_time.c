/*
 * cases_time.c - clocks and sleeps: clock_gettime/getres, nanosleep, clock_nanosleep,
 * gettimeofday, time. Times differ between the runners; only results and fixed outputs
 * (resolutions) are compared.
 */
#include <time.h>

#include "sc.h"

#define TS(sec, nsec) {SA_DATA, 0, (const char *)(const long[]){(sec), (nsec)}, 16, 0, NULL}

const struct sc_case sc_cases_time[] = {
    CASE("time.clock_gettime", CALL(clock_gettime, W(0), I(CLOCK_REALTIME), BUF(16)),
         CALL(clock_gettime, W(0), I(CLOCK_MONOTONIC), BUF(16)),
         CALL(clock_gettime, W(0), I(CLOCK_BOOTTIME), BUF(16)),
         CALL(clock_gettime, W(0), I(CLOCK_MONOTONIC_RAW), BUF(16))),
    CASE("time.clock_gettime_cpu", CALL(clock_gettime, W(0), I(CLOCK_PROCESS_CPUTIME_ID), BUF(16)),
         CALL(clock_gettime, W(0), I(CLOCK_THREAD_CPUTIME_ID), BUF(16))),
    CASE("time.clock_gettime_bad_clock", CALL(clock_gettime, ERR(EINVAL), I(100), BUF(16)),
         CALL(clock_gettime, ERR(EINVAL), I(16), BUF(16))),
    CASE("time.clock_getres", CALLO(clock_getres, W(0), "\0\0\0\0\0\0\0\0\1\0\0\0\0\0\0\0",
                                    I(CLOCK_MONOTONIC), BUF(16)),
         CALL(clock_getres, W(0), I(CLOCK_REALTIME), I(0)),
         CALL(clock_getres, ERR(EINVAL), I(100), BUF(16))),
    CASE("time.nanosleep", CALL(nanosleep, W(0), TS(0, 1000), I(0)),
         CALL(nanosleep, W(0), TS(0, 0), BUF(16))),
    CASE("time.nanosleep_bad_nsec", CALL(nanosleep, ERR(EINVAL), TS(0, 1000000000), I(0)),
         CALL(nanosleep, ERR(EINVAL), TS(0, -1), I(0)), CALL(nanosleep, ERR(EINVAL), TS(-1, 0), I(0))),
    CASE("time.clock_nanosleep", CALL(clock_nanosleep, W(0), I(CLOCK_MONOTONIC), I(0), TS(0, 1), I(0)),
         CALL(clock_nanosleep, W(0), I(CLOCK_REALTIME), I(TIMER_ABSTIME), TS(0, 0), I(0))),
    CASE("time.clock_nanosleep_errors",
         CALL(clock_nanosleep, ERR(EINVAL), I(100), I(0), TS(0, 1), I(0)),
         CALL(clock_nanosleep, ERR(EINVAL), I(CLOCK_MONOTONIC), I(0), TS(0, -1), I(0)),
         CALL(clock_nanosleep, ERR(EOPNOTSUPP), I(CLOCK_THREAD_CPUTIME_ID), I(0), TS(0, 1), I(0))),
    CASE("time.gettimeofday", CALL(gettimeofday, W(0), BUF(16), I(0)),
         CALL(gettimeofday, W(0), I(0), I(0)), CALL(gettimeofday, W(0), BUF(16), BUF(8))),
    CASE("time.time", CALL(time, OK, I(0)), CALL(time, OK, BUF(8))),
    {NULL, NULL, 0, -1, {0}, 0, false},
};
