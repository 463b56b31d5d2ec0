/*
 * cases_poll.c - poll, ppoll, select, pselect6: argument checks, negative and bad
 * descriptors (POLLNVAL), zero timeouts, signal-mask sizes. The pollfd array is placed at the
 * edge of an unmapped page (EDGE) so the revents the call writes back are compared too.
 * Waiting and wakeups are tested on the hosted kernel (tests/unit/syscall/test_sys_poll.c,
 * tests/hosted/test_poll.c) where another thread can make a file ready.
 */
#include "sc.h"

/* struct pollfd {int fd; short events; short revents} */
#define PFD_NEG "\xff\xff\xff\xff\x01\0\0\0"     /* fd -1, POLLIN */
#define PFD_BAD "\xe7\x03\0\0\x01\0\0\0"         /* fd 999 (not open), POLLIN */
#define PFD_BAD_OUT "\xe7\x03\0\0\x01\0\x20\0"   /* ... revents POLLNVAL */
#define TS(sec, nsec) {SA_DATA, 0, (const char *)(const long[]){(sec), (nsec)}, 16, 0, NULL}
#define SIGPACK(ss, len) {SA_DATA, 0, (const char *)(const long[]){(ss), (len)}, 16, 0, NULL}

const struct sc_case sc_cases_poll[] = {
    CASE("poll.nothing", CALL(poll, W(0), I(0), I(0), I(0)),
         CALL(poll, W(0), I(0), I(0), I(1))), /* no descriptors: sleeps 1 ms */
    CASE("poll.negative_fd", CALLO(poll, W(0), PFD_NEG, EDGE(PFD_NEG), I(1), I(0))),
    CASE("poll.bad_fd_is_nval", CALLO(poll, W(1), PFD_BAD_OUT, EDGE(PFD_BAD), I(1), I(-1)),
         CALLO(poll, W(1), PFD_NEG PFD_BAD_OUT, EDGE(PFD_NEG PFD_BAD), I(2), I(0))),
    CASE("poll.too_many", CALL(poll, ERR(EINVAL), I(0), I(0x7fffffff), I(0))),
    CASE("poll.efault", CALL(poll, ERR(EFAULT), BAD(UNMAPPED), I(1), I(0)),
         CALL(poll, ERR(EFAULT), BAD(KERNEL), I(1), I(0)),
         CALL(poll, ERR(EFAULT), BAD(NULL), I(1), I(0))),
    CASE("ppoll.zero_timeout", CALL(ppoll, W(0), I(0), I(0), TS(0, 0), I(0), I(0)),
         CALLO(ppoll, W(0), PFD_NEG, EDGE(PFD_NEG), I(1), TS(0, 1000), I(0), I(8))),
    CASE("ppoll.bad_timespec", CALL(ppoll, ERR(EINVAL), I(0), I(0), TS(0, 1000000000), I(0), I(8)),
         CALL(ppoll, ERR(EINVAL), I(0), I(0), TS(-1, 0), I(0), I(8)),
         CALL(ppoll, ERR(EINVAL), I(0), I(0), TS(0, -1), I(0), I(8)),
         CALL(ppoll, ERR(EFAULT), I(0), I(0), BAD(UNMAPPED), I(0), I(8))),
    CASE("ppoll.sigmask", CALL(ppoll, ERR(EINVAL), I(0), I(0), TS(0, 0), D("\0\0\0\0\0\0\0\0"), I(4)),
         CALL(ppoll, W(0), I(0), I(0), TS(0, 0), I(0), I(4)), /* no mask: size unchecked */
         CALL(ppoll, W(0), I(0), I(0), TS(0, 0), D("\0\0\0\0\0\0\0\0"), I(8)),
         CALL(ppoll, ERR(EFAULT), I(0), I(0), TS(0, 0), BAD(UNMAPPED), I(8))),
    CASE("select.nothing", CALL(select, W(0), I(0), I(0), I(0), I(0), D("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0")),
         CALL(select, W(0), I(0), I(0), I(0), I(0), TS(0, 1000))),
    CASE("select.bad_args", CALL(select, ERR(EINVAL), I(-1), I(0), I(0), I(0), TS(0, 0)),
         CALL(select, ERR(EINVAL), I(0), I(0), I(0), I(0), TS(0, -1)),
         CALL(select, ERR(EINVAL), I(0), I(0), I(0), I(0), TS(-1, 0)),
         CALL(select, ERR(EFAULT), I(0), I(0), I(0), I(0), BAD(UNMAPPED))),
    CASE("pselect6.nothing", CALL(pselect6, W(0), I(0), I(0), I(0), I(0), TS(0, 0), I(0)),
         CALL(pselect6, W(0), I(0), I(0), I(0), I(0), TS(0, 0), SIGPACK(0, 4))),
    CASE("pselect6.sigmask", CALL(pselect6, ERR(EFAULT), I(0), I(0), I(0), I(0), TS(0, 0), BAD(UNMAPPED)),
         CALL(pselect6, ERR(EINVAL), I(0), I(0), I(0), I(0), TS(0, -1), I(0)),
         CALL(pselect6, ERR(EINVAL), I(-1), I(0), I(0), I(0), TS(0, 0), I(0))),
    {NULL, NULL, 0, -1, {0}, 0, false},
};
