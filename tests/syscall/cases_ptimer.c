/*
 * cases_ptimer.c - POSIX timers: timer_create (clocks, sigevents, ids, the order of the
 * checks, RLIMIT_SIGPENDING), timer_settime/gettime (relative, absolute, intervals, old
 * values), timer_getoverrun, timer_delete; and a timer's signal taken with rt_sigtimedwait
 * (si_code SI_TIMER, si_timerid, si_overrun, sigev_value). Each case runs in a fresh process,
 * so the first timer id is 0 in both runners. Timers that could fire either carry SIGEV_NONE,
 * expire far away, or signal a blocked signal.
 */
#include <signal.h>
#include <sys/resource.h>
#include <time.h>

#include "sc.h"

/* A 64-byte sigevent: sigev_value (int), sigev_signo, sigev_notify, sigev_notify_thread_id. */
#define SEV(val, signo, notify, tid)                                                               \
    {                                                                                              \
        SA_DATA, 0, (const char *)(const int32_t[16]){(val), 0, (signo), (notify), (tid)}, 64, 0,  \
            NULL                                                                                   \
    }
#define NONE SEV(0, 0, SIGEV_NONE, 0)
/* An itimerspec: interval, then value. */
#define ITS(isec, insec, vsec, vnsec)                                                              \
    {                                                                                              \
        SA_DATA, 0, (const char *)(const long[]){(isec), (insec), (vsec), (vnsec)}, 32, 0, NULL    \
    }
#define TS(sec, nsec)                                                                              \
    {                                                                                              \
        SA_DATA, 0, (const char *)(const long[]){(sec), (nsec)}, 16, 0, NULL                       \
    }
#define MASK(m)                                                                                    \
    {                                                                                              \
        SA_DATA, 0, (const char *)(const unsigned long[]){(m)}, 8, 0, NULL                         \
    }
#define SIGBIT(s) (1UL << ((s) - 1))
#define BLOCK(s) CALL(rt_sigprocmask, W(0), I(SIG_BLOCK), MASK(SIGBIT(s)), I(0), I(8))
#define CPUCLK(pid, kind) ((int)((~(unsigned)(pid)) << 3) | (kind))
#define NOPID 500000000
#define MKNONE(clock) CALL(timer_create, W(0), I(clock), NONE, BUF(4))
#define ID0 "\0\0\0\0"
#define ID1 "\1\0\0\0"
#define ID2 "\2\0\0\0"
#define ZERO16 "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
/* interval 5 s, as the first 16 bytes of an itimerspec */
#define IV5 "\5\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
#define RT1 34

const struct sc_case sc_cases_ptimer[] = {
    /* Ids: 0, 1, ...; a deleted id is not given again at once (the sequence goes on). */
    CASE("ptimer.ids", CALLO(timer_create, W(0), ID0, I(CLOCK_MONOTONIC), NONE, BUF(4)),
         CALLO(timer_create, W(0), ID1, I(CLOCK_MONOTONIC), NONE, BUF(4)),
         CALL(timer_delete, W(0), I(0)), CALL(timer_delete, ERR(EINVAL), I(0)),
         CALLO(timer_create, W(0), ID2, I(CLOCK_MONOTONIC), I(0), BUF(4)),
         CALL(timer_delete, ERR(EINVAL), I(99)), CALL(timer_delete, ERR(EINVAL), I(-1)),
         CALL(timer_delete, W(0), I(1)), CALL(timer_delete, W(0), I(2))),
    /* timer_t is an int: the upper half of the argument is not looked at. */
    CASE("ptimer.id_int", MKNONE(CLOCK_MONOTONIC),
         CALL(timer_getoverrun, W(0), I(0x100000000LL)),
         CALL(timer_delete, W(0), I(0x100000000LL)), CALL(timer_getoverrun, ERR(EINVAL), I(0))),
    CASE("ptimer.clocks", MKNONE(CLOCK_REALTIME), MKNONE(CLOCK_MONOTONIC),
         MKNONE(CLOCK_PROCESS_CPUTIME_ID), MKNONE(CLOCK_THREAD_CPUTIME_ID),
         MKNONE(CLOCK_BOOTTIME), MKNONE(CLOCK_TAI), MKNONE(CPUCLK(0, 2)), MKNONE(CPUCLK(0, 6)),
         MKNONE(CPUCLK(0, 0)), MKNONE(CPUCLK(0, 1)),
         CALLO(timer_create, W(0), "\x0a\0\0\0", I(CLOCK_MONOTONIC), NONE, BUF(4))),
    /* Clocks without timers: EOPNOTSUPP; unknown ones and CPU clocks of nobody: EINVAL. */
    CASE("ptimer.clocks_bad", CALL(timer_create, ERR(EOPNOTSUPP), I(CLOCK_MONOTONIC_RAW), NONE, BUF(4)),
         CALL(timer_create, ERR(EOPNOTSUPP), I(CLOCK_REALTIME_COARSE), NONE, BUF(4)),
         CALL(timer_create, ERR(EOPNOTSUPP), I(CLOCK_MONOTONIC_COARSE), NONE, BUF(4)),
         CALL(timer_create, ERR(EOPNOTSUPP), I(CLOCK_BOOTTIME_ALARM), NONE, BUF(4)),
         CALL(timer_create, ERR(EINVAL), I(10), NONE, BUF(4)),
         CALL(timer_create, ERR(EINVAL), I(12), NONE, BUF(4)),
         CALL(timer_create, ERR(EINVAL), I(100), NONE, BUF(4)),
         CALL(timer_create, ERR(EOPNOTSUPP), I(CPUCLK(0, 3)), NONE, BUF(4)),
         CALL(timer_create, ERR(EINVAL), I(CPUCLK(0, 7)), NONE, BUF(4)),
         CALL(timer_create, ERR(EINVAL), I(CPUCLK(NOPID, 2)), NONE, BUF(4)),
         CALL(timer_create, ERR(EINVAL), I(CPUCLK(NOPID, 6)), NONE, BUF(4)),
         CALL(timer_create, ERR(EINVAL), I(-1), NONE, BUF(4))),
    /* sigevents: SIGEV_THREAD is a signal to the kernel; NONE ignores the signal number. */
    CASE("ptimer.sigevent",
         CALL(timer_create, W(0), I(CLOCK_MONOTONIC), SEV(0, SIGUSR1, SIGEV_SIGNAL, 0), BUF(4)),
         CALL(timer_create, W(0), I(CLOCK_MONOTONIC), SEV(0, SIGKILL, SIGEV_SIGNAL, 0), BUF(4)),
         CALL(timer_create, W(0), I(CLOCK_MONOTONIC), SEV(0, 64, SIGEV_THREAD, 0), BUF(4)),
         CALL(timer_create, W(0), I(CLOCK_MONOTONIC), SEV(0, 99, SIGEV_NONE, 0), BUF(4)),
         CALL(timer_create, ERR(EINVAL), I(CLOCK_MONOTONIC), SEV(0, 0, SIGEV_SIGNAL, 0), BUF(4)),
         CALL(timer_create, ERR(EINVAL), I(CLOCK_MONOTONIC), SEV(0, 65, SIGEV_SIGNAL, 0), BUF(4)),
         CALL(timer_create, ERR(EINVAL), I(CLOCK_MONOTONIC), SEV(0, 0, SIGEV_THREAD, 0), BUF(4)),
         CALL(timer_create, ERR(EINVAL), I(CLOCK_MONOTONIC), SEV(0, 10, 99, 0), BUF(4)),
         CALL(timer_create, ERR(EINVAL), I(CLOCK_MONOTONIC), SEV(0, 10, SIGEV_THREAD_ID, 0), BUF(4)),
         CALL(timer_create, ERR(EINVAL), I(CLOCK_MONOTONIC), SEV(0, 10, SIGEV_THREAD_ID, NOPID),
              BUF(4)),
         CALL(timer_create, ERR(EINVAL), I(CLOCK_MONOTONIC), SEV(0, 10, 5, 0), BUF(4)),
         /* the failed creates used ids 4..10 up */
         CALLO(timer_create, W(0), "\x0b\0\0\0", I(CLOCK_MONOTONIC), NONE, BUF(4))),
    /* The order of the checks: sigevent copied in, clock, RLIMIT_SIGPENDING, the sigevent's
     * contents, the id copied out (the id is used up by then). */
    CASE("ptimer.create_efault", CALL(timer_create, ERR(EFAULT), I(CLOCK_MONOTONIC), BAD(UNMAPPED), BUF(4)),
         CALL(timer_create, ERR(EFAULT), I(100), BAD(UNMAPPED), BUF(4)),
         CALL(timer_create, ERR(EFAULT), I(CLOCK_MONOTONIC), NONE, BAD(UNMAPPED)),
         CALL(timer_create, ERR(EFAULT), I(CLOCK_MONOTONIC), NONE, BAD(KERNEL)),
         CALL(timer_create, ERR(EFAULT), I(CLOCK_MONOTONIC), I(0), I(0)),
         CALL(timer_create, ERR(EINVAL), I(100), NONE, BAD(UNMAPPED)),
         CALL(timer_create, ERR(EINVAL), I(CLOCK_MONOTONIC), SEV(0, 10, 99, 0), BAD(UNMAPPED)),
         CALLO(timer_create, W(0), "\x04\0\0\0", I(CLOCK_MONOTONIC), NONE, BUF(4)),
         CALL(timer_delete, ERR(EINVAL), I(0)), CALL(timer_delete, W(0), I(4))),
    /* Every timer holds an entry of RLIMIT_SIGPENDING, SIGEV_NONE ones too. */
    CASE("ptimer.rlimit_sigpending",
         CALL(prlimit64, W(0), I(0), I(RLIMIT_SIGPENDING), D("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"),
              I(0)),
         CALL(timer_create, ERR(EAGAIN), I(CLOCK_MONOTONIC), NONE, BUF(4)),
         CALL(timer_create, ERR(EAGAIN), I(CLOCK_MONOTONIC), I(0), BUF(4)),
         CALL(timer_create, ERR(EAGAIN), I(CLOCK_MONOTONIC), SEV(0, 10, 99, 0), BUF(4)),
         CALL(timer_create, ERR(EAGAIN), I(CLOCK_MONOTONIC), NONE, BAD(UNMAPPED)),
         CALL(timer_create, ERR(EINVAL), I(100), NONE, BUF(4))),
    /* settime: relative, the old setting back, gettime's interval; a disarmed timer reads 0. */
    CASE("ptimer.settime", MKNONE(CLOCK_MONOTONIC),
         CALLO(timer_gettime, W(0), ZERO16 ZERO16, I(0), BUF(32)),
         CALL(timer_settime, W(0), I(0), I(0), ITS(5, 0, 100, 0), I(0)),
         CALLO(timer_gettime, W(0), IV5, I(0), BUF(32)),
         CALLO(timer_settime, W(0), IV5, I(0), I(0), ITS(0, 0, 0, 0), BUF(32)),
         /* (Linux never disarms a SIGEV_NONE timer: the value still reads the old expiry) */
         CALLO(timer_gettime, W(0), ZERO16, I(0), BUF(32)),
         /* flags other than TIMER_ABSTIME are not looked at */
         CALL(timer_settime, W(0), I(0), I(0xfe), ITS(0, 0, 100, 0), BUF(32)),
         CALL(timer_getoverrun, W(0), I(0))),
    /* A SIGEV_NONE one-shot that expired reads 0; so does a wall time already past. */
    CASE("ptimer.settime_abs_past", MKNONE(CLOCK_MONOTONIC),
         CALL(timer_settime, W(0), I(0), I(0), ITS(0, 0, 0, 1), I(0)),
         CALL(nanosleep, W(0), TS(0, 1000000), I(0)),
         CALLO(timer_gettime, W(0), ZERO16 ZERO16, I(0), BUF(32)), MKNONE(CLOCK_REALTIME),
         CALL(timer_settime, W(0), I(1), I(TIMER_ABSTIME), ITS(0, 0, 1, 0), I(0)),
         CALLO(timer_gettime, W(0), ZERO16 ZERO16, I(1), BUF(32))),
    /* Errors: the itimerspec is checked (EFAULT, EINVAL) before the id is looked up. */
    CASE("ptimer.settime_errors", MKNONE(CLOCK_MONOTONIC),
         CALL(timer_settime, ERR(EFAULT), I(0), I(0), BAD(UNMAPPED), I(0)),
         CALL(timer_settime, ERR(EFAULT), I(99), I(0), BAD(UNMAPPED), I(0)),
         CALL(timer_settime, ERR(EINVAL), I(0), I(0), I(0), I(0)), /* NULL: EINVAL */
         CALL(timer_settime, ERR(EINVAL), I(0), I(0), ITS(0, 0, 0, -1), I(0)),
         CALL(timer_settime, ERR(EINVAL), I(0), I(0), ITS(0, 0, -1, 0), I(0)),
         CALL(timer_settime, ERR(EINVAL), I(0), I(0), ITS(0, 1000000000, 0, 0), I(0)),
         CALL(timer_settime, ERR(EINVAL), I(99), I(0), ITS(0, 0, 0, -1), I(0)),
         CALL(timer_settime, ERR(EINVAL), I(99), I(0), ITS(0, 0, 1, 0), I(0)),
         /* a bad old-value pointer: EFAULT, with the new setting made */
         CALL(timer_settime, ERR(EFAULT), I(0), I(0), ITS(5, 0, 100, 0), BAD(UNMAPPED)),
         CALLO(timer_gettime, W(0), IV5, I(0), BUF(32))),
    CASE("ptimer.gettime_errors", MKNONE(CLOCK_MONOTONIC),
         CALL(timer_gettime, ERR(EFAULT), I(0), BAD(UNMAPPED)),
         CALL(timer_gettime, ERR(EFAULT), I(0), I(0)),
         CALL(timer_gettime, ERR(EINVAL), I(1), BUF(32)),
         CALL(timer_gettime, ERR(EINVAL), I(1), BAD(UNMAPPED)),
         CALL(timer_getoverrun, ERR(EINVAL), I(1)), CALL(timer_getoverrun, ERR(EINVAL), I(-1))),
    /* A timer's signal: SI_TIMER (-2), si_timerid, si_overrun 0, sigev_value. */
    CASE("ptimer.signal", BLOCK(SIGUSR1),
         CALL(timer_create, W(0), I(CLOCK_MONOTONIC), SEV(0x1234, SIGUSR1, SIGEV_SIGNAL, 0),
              BUF(4)),
         CALL(timer_settime, W(0), I(0), I(0), ITS(0, 0, 0, 1000), I(0)),
         CALLO(rt_sigtimedwait, W(SIGUSR1),
               "\x0a\0\0\0\0\0\0\0\xfe\xff\xff\xff\0\0\0\0\0\0\0\0\0\0\0\0\x34\x12\0\0",
               MASK(SIGBIT(SIGUSR1)), BUF(128), TS(5, 0), I(8)),
         CALL(timer_getoverrun, W(0), I(0)),
         CALL(rt_sigtimedwait, ERR(EAGAIN), MASK(SIGBIT(SIGUSR1)), BUF(128), TS(0, 1000000),
              I(8))),
    /* No sigevent: SIGALRM with the timer's id as its value. */
    CASE("ptimer.signal_default", BLOCK(SIGALRM), MKNONE(CLOCK_MONOTONIC),
         CALL(timer_create, W(0), I(CLOCK_MONOTONIC), I(0), BUF(4)),
         CALL(timer_settime, W(0), I(1), I(0), ITS(0, 0, 0, 1000), I(0)),
         CALLO(rt_sigtimedwait, W(SIGALRM),
               "\x0e\0\0\0\0\0\0\0\xfe\xff\xff\xff\0\0\0\0\1\0\0\0\0\0\0\0\1\0\0\0",
               MASK(SIGBIT(SIGALRM)), BUF(128), TS(5, 0), I(8))),
    /* A real-time signal from a periodic timer: one pending at a time, the periods that
     * passed while it was pending become si_overrun (at least 1 after 3 periods). */
    CASE("ptimer.signal_periodic", BLOCK(RT1),
         CALL(timer_create, W(0), I(CLOCK_MONOTONIC), SEV(7, RT1, SIGEV_SIGNAL, 0), BUF(4)),
         CALL(timer_settime, W(0), I(0), I(0), ITS(0, 1000000, 0, 1000000), I(0)),
         CALL(nanosleep, W(0), TS(0, 5000000), I(0)),
         CALLAT(rt_sigtimedwait, W(RT1), 24, "\x07\0\0\0", MASK(SIGBIT(RT1)), BUF(128), TS(5, 0),
                I(8)),
         CALL(timer_delete, W(0), I(0)),
         CALL(rt_sigtimedwait, ERR(EAGAIN), MASK(SIGBIT(RT1)), BUF(128), TS(0, 2000000), I(8))),
    {NULL, NULL, 0, -1, SC_NO_ARG, 0, 0},
};
