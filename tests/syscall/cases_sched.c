/*
 * cases_sched.c - the scheduling answers: sched_{get,set}param, sched_{get,set}scheduler,
 * the priority ranges, sched_rr_get_interval, sched_{get,set}affinity and getcpu. Petrel has
 * one CPU and one policy (SCHED_OTHER); the cases ask only what both kernels answer alike
 * (the native runner has more CPUs, so affinity masks are not compared byte for byte).
 */
#include <sched.h>

#include "sc.h"

#define PARAM(prio) {SA_DATA, 0, (const char *)(const int[]){(prio)}, 4, 0, NULL}
#define CPUMASK(m) {SA_DATA, 0, (const char *)(const unsigned long[]){(m)}, 8, 0, NULL}

const struct sc_case sc_cases_sched[] = {
    CASE("sched.getparam", CALLO(sched_getparam, W(0), "\0\0\0\0", I(0), BUF(4)),
         CALL(sched_getparam, ERR(EINVAL), I(-1), BUF(4)),
         CALL(sched_getparam, ERR(ESRCH), I(999999), BUF(4))),
    CASE("sched.setparam", CALL(sched_setparam, W(0), I(0), PARAM(0)),
         CALL(sched_setparam, ERR(EINVAL), I(0), PARAM(5)),
         CALL(sched_setparam, ERR(EINVAL), I(-1), PARAM(0))),
    CASE("sched.scheduler", CALL(sched_getscheduler, W(SCHED_OTHER), I(0)),
         CALL(sched_setscheduler, W(0), I(0), I(SCHED_OTHER), PARAM(0)),
         CALL(sched_setscheduler, ERR(EINVAL), I(0), I(SCHED_OTHER), PARAM(1)),
         CALL(sched_setscheduler, ERR(EINVAL), I(0), I(99), PARAM(0)),
         CALL(sched_getscheduler, ERR(ESRCH), I(999999))),
    CASE("sched.priority_range", CALL(sched_get_priority_max, W(99), I(SCHED_FIFO)),
         CALL(sched_get_priority_min, W(1), I(SCHED_FIFO)),
         CALL(sched_get_priority_max, W(99), I(SCHED_RR)),
         CALL(sched_get_priority_max, W(0), I(SCHED_OTHER)),
         CALL(sched_get_priority_min, W(0), I(SCHED_OTHER)),
         CALL(sched_get_priority_max, ERR(EINVAL), I(99)),
         CALL(sched_get_priority_min, ERR(EINVAL), I(-1))),
    CASE("sched.rr_get_interval", CALL(sched_rr_get_interval, W(0), I(0), BUF(16)),
         CALL(sched_rr_get_interval, ERR(ESRCH), I(999999), BUF(16))),
    CASE("sched.affinity", CALL(sched_getaffinity, W(8), I(0), I(8), BUF(8)),
         CALL(sched_getaffinity, ERR(EINVAL), I(0), I(4), BUF(8)),
         CALL(sched_setaffinity, W(0), I(0), I(8), CPUMASK(1)),
         CALL(sched_setaffinity, ERR(EINVAL), I(0), I(8), CPUMASK(0)),
         CALLO(sched_getaffinity, W(8), "\x01\0\0\0\0\0\0\0", I(0), I(8), BUF(8)),
         CALLO(getcpu, W(0), "\0\0\0\0\0\0\0\0", BUF(4), BUF(4), I(0))),
    /* Only the refusals: a successful clone would run a thread in the runner itself. */
    CASE("sched.clone_bad_flags", CALL(clone, ERR(EINVAL), I(CLONE_THREAD), I(0), I(0), I(0), I(0)),
         CALL(clone, ERR(EINVAL), I(CLONE_SIGHAND), I(0), I(0), I(0), I(0)),
         CALL(clone, ERR(EINVAL), I(CLONE_FS | CLONE_NEWNS), I(0), I(0), I(0), I(0))),
    CASE("sched.clone3_bad_size", CALL(clone3, ERR(EINVAL), BUF(64), I(8)),
         CALL(clone3, ERR(E2BIG), BUF(8192), I(8192)),
         CALL(clone3, ERR(EFAULT), BAD(NULL), I(64))),
    {NULL, NULL, 0, -1, {0}, 0, false},
};
