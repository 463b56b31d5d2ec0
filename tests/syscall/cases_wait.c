/*
 * cases_wait.c - wait4 and waitid in a process without children (Petrel's one process; the
 * native runner's forked child has none either): the argument checks Linux makes before it
 * finds nothing to wait for, in its order, and waitid's stores into infop.
 */
#include <limits.h>
#include <signal.h>
#include <sys/wait.h>

#include "sc.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#define WNOTHREAD 0x20000000
#define WALL 0x40000000
#define WCLONE 0x80000000L
/* 32 bytes of 0xff: what waitid leaves of them (six fields zeroed, the pad at 12 kept) */
#define FF32 "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff" \
             "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
#define INFO_AFTER "\0\0\0\0\0\0\0\0\0\0\0\0\xff\xff\xff\xff\0\0\0\0\0\0\0\0\0\0\0\0\xff\xff\xff\xff"

const struct sc_case sc_cases_wait[] = {
    CASE("wait.wait4_echild", CALL(wait4, ERR(ECHILD), I(-1), BUF(4), I(0), I(0)),
         CALLO(wait4, ERR(ECHILD), "\0\0\0\0", I(-1), BUF(4), I(WNOHANG), BUF(144)),
         CALL(wait4, ERR(ECHILD), I(0), I(0), I(0), I(0)),
         CALL(wait4, ERR(ECHILD), I(1), I(0), I(0), I(0)),
         CALL(wait4, ERR(ECHILD), I(500000000), I(0), I(0), I(0)),
         CALL(wait4, ERR(ECHILD), I(-5), I(0), I(0), I(0)),
         CALL(wait4, ERR(ECHILD), I(0xffffffffLL), I(0), I(0), I(0)),
         CALL(wait4, ERR(ECHILD), I(-1), I(0), I(WUNTRACED | WCONTINUED | WNOTHREAD), I(0)),
         CALL(wait4, ERR(ECHILD), I(-1), I(0), I(WALL | WCLONE), I(0))),
    /* nothing is written: bad status and rusage pointers do not matter */
    CASE("wait.wait4_pointers", CALL(wait4, ERR(ECHILD), I(-1), BAD(UNMAPPED), I(0), BAD(KERNEL)),
         CALL(wait4, ERR(ECHILD), I(-1), BAD(NONCANON), I(WNOHANG), BAD(UNMAPPED))),
    CASE("wait.wait4_einval", CALL(wait4, ERR(EINVAL), I(-1), BUF(4), I(WEXITED), I(0)),
         CALL(wait4, ERR(EINVAL), I(-1), BUF(4), I(0x100), I(0)),
         CALL(wait4, ERR(EINVAL), I(-1), BUF(4), I(WNOWAIT), I(0)),
         CALL(wait4, ERR(EINVAL), I(-1), BUF(4), I(0x10000000), I(0)),
         CALL(wait4, ERR(EINVAL), I(-1), BUF(4), I(-1), I(0)),
         /* INT_MIN: ESRCH, after the options */
         CALL(wait4, ERR(ESRCH), I(INT_MIN), BUF(4), I(WCONTINUED), I(0)),
         CALL(wait4, ERR(EINVAL), I(INT_MIN), BUF(4), I(WEXITED), I(0))),
    CASE("wait.waitid_echild",
         CALLO(waitid, ERR(ECHILD), INFO_AFTER, I(P_ALL), I(0), INOUT(FF32, 32), I(WEXITED), I(0)),
         CALL(waitid, ERR(ECHILD), I(P_ALL), I(0), BUF(128), I(WEXITED | WNOHANG), I(0)),
         CALL(waitid, ERR(ECHILD), I(P_ALL), I(0), BUF(128), I(WSTOPPED), I(0)),
         CALL(waitid, ERR(ECHILD), I(P_ALL), I(0), BUF(128), I(WCONTINUED | WNOWAIT), I(0)),
         CALL(waitid, ERR(ECHILD), I(P_ALL), I(0), BUF(128), I(WEXITED | WALL | WCLONE), I(0)),
         CALL(waitid, ERR(ECHILD), I(P_ALL), I(99), BUF(128), I(WEXITED), I(0)),
         CALL(waitid, ERR(ECHILD), I(P_PID), I(1), BUF(128), I(WEXITED), I(0)),
         CALL(waitid, ERR(ECHILD), I(P_PID), I(500000000), BUF(128), I(WEXITED), I(0)),
         CALL(waitid, ERR(ECHILD), I(P_PGID), I(0), BUF(128), I(WEXITED), I(0)),
         CALL(waitid, ERR(ECHILD), I(P_PGID), I(1), BUF(128), I(WEXITED), I(0)),
         /* idtype and id are ints: the upper halves are not looked at */
         CALL(waitid, ERR(ECHILD), I(0x100000001LL), I(0x100000001LL), BUF(128), I(WEXITED), I(0)),
         CALL(waitid, ERR(ECHILD), I(P_ALL), I(0), I(0), I(WEXITED), BAD(UNMAPPED))),
    /* EINVAL (options, idtype, id) still zeroes infop's fields */
    CASE("wait.waitid_einval",
         CALLO(waitid, ERR(EINVAL), INFO_AFTER, I(P_ALL), I(0), INOUT(FF32, 32), I(0), I(0)),
         CALL(waitid, ERR(EINVAL), I(P_ALL), I(0), BUF(128), I(WNOHANG), I(0)),
         CALL(waitid, ERR(EINVAL), I(P_ALL), I(0), BUF(128), I(WEXITED | 0x80), I(0)),
         CALL(waitid, ERR(EINVAL), I(P_ALL), I(0), BUF(128), I(WEXITED | 0x100), I(0)),
         CALL(waitid, ERR(EINVAL), I(P_ALL), I(0), BUF(128), I(-1), I(0)),
         CALL(waitid, ERR(EINVAL), I(4), I(0), BUF(128), I(WEXITED), I(0)),
         CALL(waitid, ERR(EINVAL), I(-1), I(0), BUF(128), I(WEXITED), I(0)),
         CALL(waitid, ERR(EINVAL), I(P_PID), I(0), BUF(128), I(WEXITED), I(0)),
         CALL(waitid, ERR(EINVAL), I(P_PID), I(-1), BUF(128), I(WEXITED), I(0)),
         CALL(waitid, ERR(EINVAL), I(P_PGID), I(-1), BUF(128), I(WEXITED), I(0)),
         CALL(waitid, ERR(EINVAL), I(P_PIDFD), I(-1), BUF(128), I(WEXITED), I(0))),
    /* No descriptor is a pidfd: EBADF, open or not */
    CASE("wait.waitid_pidfd", CALL(waitid, ERR(EBADF), I(P_PIDFD), I(0), BUF(128), I(WEXITED), I(0)),
         CALL(waitid, ERR(EBADF), I(P_PIDFD), I(99), BUF(128), I(WEXITED), I(0)),
         CALL(waitid, ERR(EBADF), I(P_PIDFD), I(1), I(0), I(WEXITED | WNOHANG), I(0))),
    /* infop is written whatever the answer: a bad one is EFAULT, even over EINVAL */
    CASE("wait.waitid_efault",
         CALL(waitid, ERR(EFAULT), I(P_ALL), I(0), BAD(UNMAPPED), I(WEXITED), I(0)),
         CALL(waitid, ERR(EFAULT), I(P_ALL), I(0), BAD(KERNEL), I(WEXITED), I(0)),
         CALL(waitid, ERR(EFAULT), I(P_ALL), I(0), BAD(NONCANON), I(WEXITED), I(0)),
         CALL(waitid, ERR(EFAULT), I(P_ALL), I(0), BAD(TOP), I(WEXITED), I(0)),
         CALL(waitid, ERR(EFAULT), I(P_PID), I(0), BAD(UNMAPPED), I(0), I(0)),
         CALL(waitid, ERR(EFAULT), I(P_PIDFD), I(0), BAD(UNMAPPED), I(WEXITED), I(0))),
    {NULL, NULL, 0, -1, SC_NO_ARG, 0, 0},
};
