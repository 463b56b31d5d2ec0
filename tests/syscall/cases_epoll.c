/*
 * cases_epoll.c - epoll_create/create1/ctl/wait/pwait/pwait2 (fs/poll/epoll.c), each case
 * checked natively: the errors in Linux's order, items keyed by (file, descriptor) and
 * dropped with the file's last reference, level/edge/oneshot reporting, nesting limits,
 * bad pointers (the events array is checked as access_ok does: range, not mapping).
 * cases_io.c has the first epoll cases (io.epoll_*).
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "sc.h"

/* struct epoll_event (packed on x86-64: 12 bytes): events, 64-bit data */
#define EV(events, lo, hi)                                                                         \
    {                                                                                              \
        SA_DATA, 0, (const char *)(const unsigned[]){(events), (lo), (hi)}, 12, 0, NULL            \
    }
#define TS(sec, nsec)                                                                              \
    {                                                                                              \
        SA_DATA, 0, (const char *)(const long[]){(sec), (nsec)}, 16, 0, NULL                       \
    }
#define MASK0                                                                                      \
    {                                                                                              \
        SA_DATA, 0, (const char *)(const unsigned long[]){0}, 8, 0, NULL                           \
    }
#define PIPE CALLO(pipe2, W(0), "\3\0\0\0\4\0\0\0", BUF(8), I(0))
#define ADD EPOLL_CTL_ADD
#define MOD EPOLL_CTL_MOD
#define DEL EPOLL_CTL_DEL
#define MAXEV (0x7fffffff / 12)

const struct sc_case sc_cases_epoll[] = {
    CASE("epoll.create", CALL(epoll_create, W(3), I(1)), CALL(epoll_create, ERR(EINVAL), I(0)),
         CALL(epoll_create, ERR(EINVAL), I(-1)), CALL(fcntl, W(0), I(3), I(F_GETFD)),
         CALL(epoll_create, W(4), I(0x7fffffff))),
    CASE("epoll.create1_flags", CALL(epoll_create1, W(3), I(EPOLL_CLOEXEC)),
         CALL(fcntl, W(FD_CLOEXEC), I(3), I(F_GETFD)),
         CALL(epoll_create1, ERR(EINVAL), I(O_NONBLOCK)),
         CALL(epoll_create1, ERR(EINVAL), I(EPOLL_CLOEXEC | 1))),
    /* the file: no read/write (-EINVAL), lseek stays at 0 (noop_llseek), O_RDWR, mode 0600 */
    CASE("epoll.file_ops", CALL(epoll_create1, W(3), I(0)),
         CALL(read, ERR(EINVAL), I(3), BUF(8), I(8)), CALL(write, ERR(EINVAL), I(3), D("x"), I(1)),
         CALL(lseek, W(0), I(3), I(5), I(SEEK_SET)), CALL(fcntl, W(O_RDWR), I(3), I(F_GETFL)),
         CALLAT(fstat, W(0), 24, "\x80\x01\0\0", I(3), BUF(144))),
    /* the event is copied first for every op but DEL, before the descriptors are looked at */
    CASE("epoll.ctl_efault", CALL(epoll_create1, W(3), I(0)), CALL(eventfd2, W(4), I(0), I(0)),
         CALL(epoll_ctl, ERR(EFAULT), I(3), I(ADD), I(4), BAD(NULL)),
         CALL(epoll_ctl, ERR(EFAULT), I(3), I(ADD), I(4), BAD(KERNEL)),
         CALL(epoll_ctl, ERR(EFAULT), I(3), I(MOD), I(4), BAD(UNMAPPED)),
         CALL(epoll_ctl, ERR(EFAULT), I(3), I(ADD), I(4), BAD(TOP)),
         CALL(epoll_ctl, ERR(EFAULT), I(3), I(99), I(4), BAD(NULL)),
         CALL(epoll_ctl, ERR(EFAULT), I(99), I(ADD), I(4), BAD(NONCANON)),
         CALL(epoll_ctl, ERR(ENOENT), I(3), I(DEL), I(4), BAD(NULL)),
         CALL(epoll_ctl, W(0), I(3), I(ADD), I(4), EV(EPOLLIN, 0, 0)),
         CALL(epoll_ctl, W(0), I(3), I(DEL), I(4), BAD(KERNEL))),
    CASE("epoll.ctl_order", CALL(epoll_create1, W(3), I(0)), CALL(eventfd2, W(4), I(0), I(0)),
         CALL(open, W(5), S("f"), I(O_RDWR | O_CREAT), I(0644)),
         CALL(epoll_ctl, ERR(EBADF), I(99), I(99), I(5), EV(EPOLLIN, 0, 0)),
         CALL(epoll_ctl, ERR(EBADF), I(3), I(99), I(99), EV(EPOLLIN, 0, 0)),
         CALL(epoll_ctl, ERR(EPERM), I(3), I(99), I(5), EV(EPOLLIN, 0, 0)),
         CALL(epoll_ctl, ERR(EPERM), I(4), I(ADD), I(5), EV(EPOLLIN, 0, 0)),
         CALL(epoll_ctl, ERR(EINVAL), I(4), I(99), I(3), EV(EPOLLIN, 0, 0)),
         CALL(epoll_ctl, ERR(EINVAL), I(3), I(0), I(4), EV(EPOLLIN, 0, 0)),
         CALL(epoll_ctl, ERR(EINVAL), I(3), I(ADD), I(3), EV(EPOLLIN, 0, 0)),
         CALL(epoll_ctl, ERR(ENOENT), I(3), I(DEL), I(4), I(0))),
    /* files without a poll method cannot be watched: regular files and directories */
    CASE("epoll.ctl_eperm", CALL(epoll_create1, W(3), I(0)),
         CALL(open, W(4), S("."), I(O_RDONLY | O_DIRECTORY), I(0)),
         CALL(epoll_ctl, ERR(EPERM), I(3), I(ADD), I(4), EV(EPOLLIN, 0, 0)),
         CALL(epoll_ctl, ERR(EPERM), I(3), I(DEL), I(4), I(0))),
    /* EPOLLEXCLUSIVE: ADD only, with IN/OUT/ERR/HUP/WAKEUP/ET, never on an epoll; an
     * exclusive item cannot be modified at all */
    CASE("epoll.exclusive", CALL(epoll_create1, W(3), I(0)), CALL(eventfd2, W(4), I(0), I(0)),
         CALL(epoll_create1, W(5), I(0)),
         CALL(epoll_ctl, ERR(EINVAL), I(3), I(ADD), I(4), EV(EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT, 0, 0)),
         CALL(epoll_ctl, ERR(EINVAL), I(3), I(ADD), I(4), EV(EPOLLIN | EPOLLEXCLUSIVE | EPOLLRDHUP, 0, 0)),
         CALL(epoll_ctl, ERR(EINVAL), I(3), I(ADD), I(4), EV(EPOLLIN | EPOLLEXCLUSIVE | EPOLLPRI, 0, 0)),
         CALL(epoll_ctl, ERR(EINVAL), I(3), I(ADD), I(5), EV(EPOLLIN | EPOLLEXCLUSIVE, 0, 0)),
         CALL(epoll_ctl, W(0), I(3), I(ADD), I(4),
              EV(EPOLLIN | EPOLLOUT | EPOLLET | EPOLLEXCLUSIVE | EPOLLERR | EPOLLHUP, 0, 0)),
         CALL(epoll_ctl, ERR(EINVAL), I(3), I(MOD), I(4), EV(EPOLLIN | EPOLLEXCLUSIVE, 0, 0)),
         CALL(epoll_ctl, ERR(EINVAL), I(3), I(MOD), I(4), EV(EPOLLIN, 0, 0)),
         CALL(epoll_ctl, W(0), I(3), I(DEL), I(4), I(0)),
         CALL(epoll_ctl, W(0), I(3), I(ADD), I(4), EV(EPOLLIN, 0, 0)),
         CALL(epoll_ctl, ERR(EINVAL), I(3), I(MOD), I(4), EV(EPOLLIN | EPOLLEXCLUSIVE, 0, 0))),
    /* items are keyed by (file, descriptor): a dup is another item; closing one descriptor
     * keeps the item (still reported, data untouched) and DEL through the dup misses it */
    CASE("epoll.dup_keys", PIPE, CALL(epoll_create1, W(5), I(0)), CALL(dup, W(6), I(3)),
         CALL(epoll_ctl, W(0), I(5), I(ADD), I(3), EV(EPOLLIN, 0x55667788, 0x11223344)),
         CALL(close, W(0), I(3)), CALL(write, W(1), I(4), D("x"), I(1)),
         CALLO(epoll_wait, W(1), "\1\0\0\0\x88\x77\x66\x55\x44\x33\x22\x11", I(5), BUF(24), I(2),
               I(0)),
         CALL(epoll_ctl, ERR(ENOENT), I(5), I(DEL), I(6), I(0)),
         CALL(epoll_ctl, W(0), I(5), I(ADD), I(6), EV(EPOLLIN, 6, 0)),
         CALL(epoll_wait, W(2), I(5), BUF(24), I(2), I(0)),
         /* the last reference: both items go */
         CALL(close, W(0), I(6)), CALL(epoll_wait, W(0), I(5), BUF(24), I(2), I(0))),
    CASE("epoll.oneshot", PIPE, CALL(epoll_create1, W(5), I(0)),
         CALL(epoll_ctl, W(0), I(5), I(ADD), I(3), EV(EPOLLIN | EPOLLONESHOT, 9, 0)),
         CALL(write, W(1), I(4), D("x"), I(1)),
         CALLO(epoll_wait, W(1), "\1\0\0\0\x09\0", I(5), BUF(12), I(1), I(0)),
         CALL(epoll_wait, W(0), I(5), BUF(12), I(1), I(0)), CALL(write, W(1), I(4), D("y"), I(1)),
         CALL(epoll_wait, W(0), I(5), BUF(12), I(1), I(0)),
         CALL(epoll_ctl, W(0), I(5), I(MOD), I(3), EV(EPOLLIN | EPOLLONESHOT, 10, 0)),
         CALLO(epoll_wait, W(1), "\1\0\0\0\x0a\0", I(5), BUF(12), I(1), I(0)),
         CALL(epoll_ctl, ERR(EEXIST), I(5), I(ADD), I(3), EV(EPOLLIN, 0, 0))),
    /* edge-triggered: reported once per new write, whatever is left unread */
    CASE("epoll.edge", PIPE, CALL(epoll_create1, W(5), I(0)),
         CALL(epoll_ctl, W(0), I(5), I(ADD), I(3), EV(EPOLLIN | EPOLLET, 0, 0)),
         CALL(write, W(2), I(4), D("ab"), I(2)), CALL(epoll_wait, W(1), I(5), BUF(12), I(1), I(0)),
         CALL(epoll_wait, W(0), I(5), BUF(12), I(1), I(0)), CALL(read, W(1), I(3), BUF(1), I(1)),
         CALL(epoll_wait, W(0), I(5), BUF(12), I(1), I(0)), CALL(write, W(1), I(4), D("c"), I(1)),
         CALL(epoll_wait, W(1), I(5), BUF(12), I(1), I(0)),
         CALL(epoll_wait, W(0), I(5), BUF(12), I(1), I(0))),
    /* ERR and HUP are reported whatever was asked (events 0 included); a pipe has no RDHUP */
    CASE("epoll.hup_err", PIPE, CALL(epoll_create1, W(5), I(0)),
         CALL(epoll_ctl, W(0), I(5), I(ADD), I(3), EV(EPOLLRDHUP, 0, 0)),
         CALL(epoll_ctl, W(0), I(5), I(ADD), I(4), EV(EPOLLOUT, 0, 0)), CALL(close, W(0), I(4)),
         CALLO(epoll_wait, W(1), "\x10\0\0\0", I(5), BUF(24), I(2), I(0))),
    CASE("epoll.epollerr_writer", PIPE, CALL(epoll_create1, W(5), I(0)),
         CALL(epoll_ctl, W(0), I(5), I(ADD), I(4), EV(0, 0, 0)), CALL(close, W(0), I(3)),
         CALLO(epoll_wait, W(1), "\x08\0\0\0", I(5), BUF(12), I(1), I(0)),
         CALL(epoll_ctl, W(0), I(5), I(MOD), I(4), EV(EPOLLOUT, 0, 0)),
         CALLO(epoll_wait, W(1), "\x0c\0\0\0", I(5), BUF(12), I(1), I(0))),
    /* an epoll inside an epoll: readable (IN|RDNORM) while one of its items is ready */
    CASE("epoll.nested", CALL(eventfd2, W(3), I(0), I(0)), CALL(epoll_create1, W(4), I(0)),
         CALL(epoll_create1, W(5), I(0)),
         CALL(epoll_ctl, W(0), I(4), I(ADD), I(3), EV(EPOLLIN, 0, 0)),
         CALL(epoll_ctl, W(0), I(5), I(ADD), I(4), EV(EPOLLIN | EPOLLRDNORM | EPOLLOUT, 7, 0)),
         CALL(epoll_wait, W(0), I(5), BUF(12), I(1), I(0)),
         CALL(write, W(8), I(3), D("\1\0\0\0\0\0\0\0"), I(8)),
         CALLO(epoll_wait, W(1), "\x41\0\0\0\7\0", I(5), BUF(12), I(1), I(0)),
         CALL(read, W(8), I(3), BUF(8), I(8)), CALL(epoll_wait, W(0), I(5), BUF(12), I(1), I(0)),
         CALL(epoll_ctl, ERR(ELOOP), I(4), I(ADD), I(5), EV(EPOLLIN, 0, 0)),
         CALLAT(poll, W(0), 6, "\0\0", INOUT(((const int[]){5, POLLIN}), 8), I(1), I(0))),
    /* at most 5 instances in a chain: the sixth link is -ELOOP */
    CASE("epoll.nest_depth", CALL(epoll_create1, W(3), I(0)), CALL(epoll_create1, W(4), I(0)),
         CALL(epoll_create1, W(5), I(0)), CALL(epoll_create1, W(6), I(0)),
         CALL(epoll_create1, W(7), I(0)), CALL(epoll_create1, W(8), I(0)),
         CALL(epoll_ctl, W(0), I(4), I(ADD), I(3), EV(EPOLLIN, 0, 0)),
         CALL(epoll_ctl, W(0), I(6), I(ADD), I(5), EV(EPOLLIN, 0, 0)),
         CALL(epoll_ctl, W(0), I(7), I(ADD), I(6), EV(EPOLLIN, 0, 0)),
         CALL(epoll_ctl, W(0), I(5), I(ADD), I(4), EV(EPOLLIN, 0, 0)),
         CALL(epoll_ctl, ERR(ELOOP), I(8), I(ADD), I(7), EV(EPOLLIN, 0, 0)),
         CALL(epoll_ctl, ERR(ELOOP), I(3), I(ADD), I(7), EV(EPOLLIN, 0, 0))),
    /* EBADF first, then maxevents, then the range (not the mapping) of the array */
    CASE("epoll.wait_args", CALL(epoll_create1, W(3), I(0)), CALL(eventfd2, W(4), I(0), I(0)),
         CALL(epoll_wait, ERR(EBADF), I(99), BAD(KERNEL), I(0), I(0)),
         CALL(epoll_wait, ERR(EINVAL), I(3), BAD(KERNEL), I(0), I(0)),
         CALL(epoll_wait, ERR(EINVAL), I(3), BUF(12), I(MAXEV + 1), I(0)),
         /* a large maxevents is fine while the range stays below the user top (MAXEV
          * itself would pass the hosted arena's 1 GiB top, not Linux's 128 TiB one) */
         CALL(epoll_wait, W(0), I(3), BUF(12), I(1000000), I(0)),
         CALL(epoll_wait, ERR(EFAULT), I(4), BAD(KERNEL), I(1), I(0)),
         CALL(epoll_wait, ERR(EINVAL), I(4), BUF(12), I(1), I(0)),
         CALL(epoll_wait, ERR(EFAULT), I(3), BAD(NONCANON), I(1), I(0)),
         CALL(epoll_wait, ERR(EFAULT), I(3), BAD(TOP), I(1), I(0)),
         CALL(epoll_wait, W(0), I(3), BAD(NULL), I(1), I(0)),
         CALL(epoll_wait, W(0), I(3), BAD(UNMAPPED), I(1), I(0))),
    /* a ready event and an unwritable array: -EFAULT, and the item stays ready */
    CASE("epoll.wait_efault_keeps", CALL(eventfd2, W(3), I(1), I(0)),
         CALL(epoll_create1, W(4), I(0)),
         CALL(epoll_ctl, W(0), I(4), I(ADD), I(3), EV(EPOLLIN | EPOLLET, 3, 0)),
         CALL(epoll_wait, ERR(EFAULT), I(4), BAD(NULL), I(1), I(0)),
         CALL(epoll_wait, ERR(EFAULT), I(4), BAD(UNMAPPED), I(1), I(0)),
         CALLO(epoll_wait, W(1), "\1\0\0\0\3\0", I(4), BUF(12), I(1), I(0)),
         CALL(epoll_wait, W(0), I(4), BUF(12), I(1), I(0))),
    /* the sigset size is checked first, then the mask read, then the wait's own checks */
    CASE("epoll.pwait_args", CALL(epoll_create1, W(3), I(0)),
         CALL(epoll_pwait, ERR(EINVAL), I(99), BUF(12), I(1), I(0), MASK0, I(7)),
         CALL(epoll_pwait, ERR(EFAULT), I(99), BUF(12), I(1), I(0), BAD(UNMAPPED), I(8)),
         CALL(epoll_pwait, ERR(EFAULT), I(3), BUF(12), I(0), I(0), BAD(KERNEL), I(8)),
         CALL(epoll_pwait, W(0), I(3), BUF(12), I(1), I(0), I(0), I(7)),
         CALL(epoll_pwait, ERR(EBADF), I(99), BUF(12), I(1), I(0), MASK0, I(8)),
         CALL(epoll_pwait, ERR(EINVAL), I(3), BUF(12), I(0), I(0), MASK0, I(8)),
         CALL(epoll_pwait, W(0), I(3), BUF(12), I(1), I(1), MASK0, I(8))),
    /* the timeout is read and checked before the mask */
    CASE("epoll.pwait2_args", CALL(epoll_create1, W(3), I(0)), CALL(eventfd2, W(4), I(2), I(0)),
         CALL(epoll_pwait2, ERR(EFAULT), I(99), BUF(12), I(0), BAD(UNMAPPED), MASK0, I(9)),
         CALL(epoll_pwait2, ERR(EINVAL), I(3), BUF(12), I(1), TS(0, 1000000000), I(0), I(8)),
         CALL(epoll_pwait2, ERR(EINVAL), I(3), BUF(12), I(1), TS(-1, 0), I(0), I(8)),
         CALL(epoll_pwait2, ERR(EINVAL), I(3), BUF(12), I(1), TS(0, 0), MASK0, I(9)),
         CALL(epoll_pwait2, W(0), I(3), BUF(12), I(1), TS(0, 0), I(0), I(9)),
         CALL(epoll_pwait2, W(0), I(3), BUF(12), I(1), TS(0, 1000), MASK0, I(8)),
         CALL(epoll_ctl, W(0), I(3), I(ADD), I(4), EV(EPOLLIN, 4, 0)),
         CALLO(epoll_pwait2, W(1), "\1\0\0\0\4\0", I(3), BUF(12), I(1), I(0), MASK0, I(8))),
    /* level-triggered items come back after each report, several per call */
    CASE("epoll.level_many", PIPE, CALL(eventfd2, W(5), I(1), I(0)),
         CALL(epoll_create1, W(6), I(0)),
         CALL(epoll_ctl, W(0), I(6), I(ADD), I(5), EV(EPOLLIN | EPOLLOUT, 5, 0)),
         CALL(epoll_ctl, W(0), I(6), I(ADD), I(4), EV(EPOLLOUT, 4, 0)),
         CALL(epoll_ctl, W(0), I(6), I(ADD), I(3), EV(EPOLLIN, 3, 0)),
         CALLO(epoll_wait, W(2), "\5\0\0\0\5\0\0\0\0\0\0\0\4\0\0\0\4\0", I(6), BUF(36), I(3),
               I(0)),
         CALL(epoll_wait, W(2), I(6), BUF(36), I(3), I(0)),
         CALL(epoll_wait, W(1), I(6), BUF(36), I(1), I(0)),
         CALL(epoll_ctl, W(0), I(6), I(MOD), I(5), EV(EPOLLIN, 55, 0)),
         CALLO(epoll_wait, W(2), "\4\0\0\0\4\0\0\0\0\0\0\0\1\0\0\0\x37\0", I(6), BUF(36), I(3),
               I(0))),
    {NULL, NULL, 0, -1, {0}, 0, false},
};
