/*
 * core/abi/time.h - Linux x86-64 time ABI: timespec, timeval, itimerspec, itimerval, struct
 * timezone, struct tms, utimbuf, clock ids (including the CPU-clock encoding glibc uses for
 * pthread_getcpuclockid), TIMER_ABSTIME, interval timer kinds, and struct sigevent with its
 * notify kinds (timer_create).
 */
#ifndef CORE_ABI_TIME_H
#define CORE_ABI_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "core/abi/signal.h"

struct linux_timespec {
    int64_t tv_sec;
    int64_t tv_nsec;
};
_Static_assert(sizeof(struct linux_timespec) == 16, "timespec size");

struct linux_timeval {
    int64_t tv_sec;
    int64_t tv_usec;
};
_Static_assert(sizeof(struct linux_timeval) == 16, "timeval size");

struct linux_itimerspec {
    struct linux_timespec it_interval;
    struct linux_timespec it_value;
};
_Static_assert(sizeof(struct linux_itimerspec) == 32, "itimerspec size");
_Static_assert(offsetof(struct linux_itimerspec, it_value) == 16, "itimerspec it_value");

struct linux_itimerval {
    struct linux_timeval it_interval;
    struct linux_timeval it_value;
};
_Static_assert(sizeof(struct linux_itimerval) == 32, "itimerval size");
_Static_assert(offsetof(struct linux_itimerval, it_value) == 16, "itimerval it_value");

struct linux_timezone {
    int32_t tz_minuteswest;
    int32_t tz_dsttime;
};
_Static_assert(sizeof(struct linux_timezone) == 8, "timezone size");

/* times(2): clock ticks (LINUX_USER_HZ per second). */
#define LINUX_USER_HZ 100
struct linux_tms {
    int64_t tms_utime;
    int64_t tms_stime;
    int64_t tms_cutime;
    int64_t tms_cstime;
};
_Static_assert(sizeof(struct linux_tms) == 32, "tms size");

/* utime(2). */
struct linux_utimbuf {
    int64_t actime;
    int64_t modtime;
};
_Static_assert(sizeof(struct linux_utimbuf) == 16, "utimbuf size");

/* Clock ids. */
#define LINUX_CLOCK_REALTIME 0
#define LINUX_CLOCK_MONOTONIC 1
#define LINUX_CLOCK_PROCESS_CPUTIME_ID 2
#define LINUX_CLOCK_THREAD_CPUTIME_ID 3
#define LINUX_CLOCK_MONOTONIC_RAW 4
#define LINUX_CLOCK_REALTIME_COARSE 5
#define LINUX_CLOCK_MONOTONIC_COARSE 6
#define LINUX_CLOCK_BOOTTIME 7
#define LINUX_CLOCK_REALTIME_ALARM 8
#define LINUX_CLOCK_BOOTTIME_ALARM 9
#define LINUX_CLOCK_TAI 11
#define LINUX_MAX_CLOCKS 16
/* One tick of Linux's usual CONFIG_HZ=250: the resolution of the _COARSE clocks (clock_getres
 * in the syscall and in the vDSO). */
#define LINUX_TICK_NS 4000000ULL
/* Dynamic CPU clocks: negative ids encoding a pid or tid (clock_getcpuclockid,
 * pthread_getcpuclockid): ((~pid) << 3) | kind, kind bit 2 = per thread. */
#define LINUX_CPUCLOCK_PROF 0
#define LINUX_CPUCLOCK_VIRT 1
#define LINUX_CPUCLOCK_SCHED 2
#define LINUX_CPUCLOCK_PERTHREAD_MASK 4
#define LINUX_CPUCLOCK_CLOCK_MASK 3
#define LINUX_MAKE_PROCESS_CPUCLOCK(pid, clock) ((int32_t)((~(uint32_t)(pid)) << 3) | (clock))
#define LINUX_MAKE_THREAD_CPUCLOCK(tid, clock)                                                     \
    LINUX_MAKE_PROCESS_CPUCLOCK(tid, (clock) | LINUX_CPUCLOCK_PERTHREAD_MASK)

#define LINUX_TIMER_ABSTIME 0x01

/* setitimer/getitimer kinds. */
#define LINUX_ITIMER_REAL 0
#define LINUX_ITIMER_VIRTUAL 1
#define LINUX_ITIMER_PROF 2

/* sigevent (timer_create, mq_notify): 64 bytes. */
#define LINUX_SIGEV_SIGNAL 0
#define LINUX_SIGEV_NONE 1
#define LINUX_SIGEV_THREAD 2
#define LINUX_SIGEV_THREAD_ID 4
struct linux_sigevent {
    union linux_sigval sigev_value;
    int32_t sigev_signo;
    int32_t sigev_notify;
    union {
        int32_t tid; /* SIGEV_THREAD_ID */
        struct {
            uint64_t function;
            uint64_t attribute;
        } thread; /* SIGEV_THREAD (libc's business) */
        uint8_t _pad[64 - 16];
    } u;
};
_Static_assert(sizeof(struct linux_sigevent) == 64, "sigevent size");
_Static_assert(offsetof(struct linux_sigevent, sigev_signo) == 8, "sigevent sigev_signo");
_Static_assert(offsetof(struct linux_sigevent, sigev_notify) == 12, "sigevent sigev_notify");
_Static_assert(offsetof(struct linux_sigevent, u.tid) == 16, "sigevent sigev_notify_thread_id");

#endif
