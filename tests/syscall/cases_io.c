/*
 * cases_io.c - pipes, eventfd, epoll, poll, futex, kill, chmod: syscalls issue 7 adds. Cases
 * whose syscalls Petrel does not implement yet run on Linux only (sc_hosted.c); each joins
 * the hosted run as soon as its syscalls.def row is implemented.
 *
 * The pipe cases ignore SIGPIPE themselves (rt_sigaction first), so a write to a pipe
 * without readers gives -EPIPE on both sides instead of ending the process.
 */
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "sc.h"

#define IGN_SIGPIPE                                                                                \
    CALL(rt_sigaction, W(0), I(SIGPIPE),                                                           \
         {SA_DATA, 0, (const char *)(const unsigned long[]){1, 0, 0, 0}, 32, 0, NULL}, I(0), I(8))
#define U64(v)                                                                                     \
    {                                                                                              \
        SA_DATA, 0, (const char *)(const unsigned long[]){(v)}, 8, 0, NULL                         \
    }
#define U32(v)                                                                                     \
    {                                                                                              \
        SA_DATA, 0, (const char *)(const unsigned[]){(v)}, 4, 0, NULL                              \
    }
/* struct epoll_event (packed on x86-64: 12 bytes): events, data */
#define EV(events, data)                                                                           \
    {                                                                                              \
        SA_DATA, 0, (const char *)(const unsigned[]){(events), (data), 0}, 12, 0, NULL             \
    }
/* struct pollfd: fd, events, revents */
#define PFD(fd, events) INOUT(((const int[]){(fd), (events)}), 8)
#define TS(sec, nsec)                                                                              \
    {                                                                                              \
        SA_DATA, 0, (const char *)(const long[]){(sec), (nsec)}, 16, 0, NULL                       \
    }
#define PIPE(flags) CALLO(pipe2, W(0), "\3\0\0\0\4\0\0\0", BUF(8), I(flags))
#define FIFO_MODE "\x80\x11\0\0" /* S_IFIFO | 0600 */

const struct sc_case sc_cases_io[] = {
    CASE("io.pipe", CALLO(pipe, W(0), "\3\0\0\0\4\0\0\0", BUF(8)),
         CALL(write, W(3), I(4), D("abc"), I(3)), CALLO(read, W(3), "abc", I(3), BUF(8), I(8))),
    CASE("io.pipe2_readv_writev", PIPE(0),
         CALL(writev, W(5), I(4), IOV(2, D("ab"), I(2), D("cde"), I(3)), I(2)),
         CALLO(readv, W(5), "abcde", I(3), IOV(2, BUF(1), I(1), BUF(8), I(8)), I(2))),
    CASE("io.pipe2_eof", PIPE(0), CALL(write, W(1), I(4), D("z"), I(1)), CALL(close, W(0), I(4)),
         CALLO(read, W(1), "z", I(3), BUF(8), I(8)), CALL(read, W(0), I(3), BUF(8), I(8))),
    CASE("io.pipe2_epipe", IGN_SIGPIPE, PIPE(0), CALL(close, W(0), I(3)),
         CALL(write, ERR(EPIPE), I(4), D("x"), I(1))),
    CASE("io.pipe2_nonblock_empty", PIPE(O_NONBLOCK), CALL(read, ERR(EAGAIN), I(3), BUF(8), I(8)),
         CALL(fcntl, W(O_RDONLY | O_NONBLOCK), I(3), I(F_GETFL)),
         CALL(fcntl, W(O_WRONLY | O_NONBLOCK), I(4), I(F_GETFL))),
    CASE("io.pipe2_cloexec", PIPE(O_CLOEXEC), CALL(fcntl, W(FD_CLOEXEC), I(3), I(F_GETFD)),
         CALL(fcntl, W(FD_CLOEXEC), I(4), I(F_GETFD))),
    CASE("io.pipe2_bad_flags", CALL(pipe2, ERR(EINVAL), BUF(8), I(1))),
    CASE("io.pipe2_efault", CALL(pipe2, ERR(EFAULT), BAD(KERNEL), I(0)),
         CALL(pipe2, ERR(EFAULT), BAD(NULL), I(0))),
    CASE("io.pipe_wrong_end", PIPE(0), CALL(write, ERR(EBADF), I(3), D("x"), I(1)),
         CALL(read, ERR(EBADF), I(4), BUF(8), I(8))),
    CASE("io.pipe_no_seek", PIPE(0), CALL(lseek, ERR(ESPIPE), I(3), I(0), I(SEEK_CUR)),
         CALL(pread64, ERR(ESPIPE), I(3), BUF(8), I(8), I(0)),
         CALL(pwrite64, ERR(ESPIPE), I(4), D("x"), I(1), I(0))),
    CASE("io.pipe_fstat", PIPE(0), CALLAT(fstat, W(0), 24, FIFO_MODE, I(3), BUF(144))),
    CASE("io.eventfd", CALL(eventfd2, W(3), I(0), I(0)), CALL(write, W(8), I(3), U64(5), I(8)),
         CALL(write, W(8), I(3), U64(2), I(8)),
         CALLO(read, W(8), "\7\0\0\0\0\0\0\0", I(3), BUF(8), I(8))),
    CASE("io.eventfd_nonblock", CALL(eventfd2, W(3), I(0), I(EFD_NONBLOCK)),
         CALL(read, ERR(EAGAIN), I(3), BUF(8), I(8))),
    CASE("io.eventfd_semaphore", CALL(eventfd2, W(3), I(3), I(EFD_SEMAPHORE | EFD_NONBLOCK)),
         CALLO(read, W(8), "\1\0\0\0\0\0\0\0", I(3), BUF(8), I(8)),
         CALLO(read, W(8), "\1\0\0\0\0\0\0\0", I(3), BUF(8), I(8)),
         CALLO(read, W(8), "\1\0\0\0\0\0\0\0", I(3), BUF(8), I(8)),
         CALL(read, ERR(EAGAIN), I(3), BUF(8), I(8))),
    CASE("io.eventfd_old", CALL(eventfd, W(3), I(5)),
         CALLO(read, W(8), "\5\0\0\0\0\0\0\0", I(3), BUF(8), I(8)),
         CALL(fcntl, W(O_RDWR), I(3), I(F_GETFL))),
    CASE("io.eventfd_errors", CALL(eventfd2, ERR(EINVAL), I(0), I(2)),
         CALL(eventfd2, W(3), I(0), I(0)), CALL(write, ERR(EINVAL), I(3), U32(1), I(4)),
         CALL(read, ERR(EINVAL), I(3), BUF(4), I(4)),
         CALL(write, ERR(EINVAL), I(3), U64(~0UL), I(8))),
    CASE("io.epoll_level", CALLO(pipe2, W(0), "\3\0\0\0\4\0\0\0", BUF(8), I(0)),
         CALL(epoll_create1, W(5), I(EPOLL_CLOEXEC)),
         CALL(epoll_ctl, W(0), I(5), I(EPOLL_CTL_ADD), I(3), EV(EPOLLIN, 77)),
         CALL(epoll_wait, W(0), I(5), BUF(48), I(4), I(0)), CALL(write, W(1), I(4), D("x"), I(1)),
         CALLO(epoll_wait, W(1), "\1\0\0\0\x4d\0\0\0", I(5), BUF(48), I(4), I(0)),
         CALL(epoll_wait, W(1), I(5), BUF(48), I(4), I(0))),
    CASE("io.epoll_edge", CALLO(pipe2, W(0), "\3\0\0\0\4\0\0\0", BUF(8), I(0)),
         CALL(epoll_create1, W(5), I(0)),
         CALL(epoll_ctl, W(0), I(5), I(EPOLL_CTL_ADD), I(3), EV(EPOLLIN | EPOLLET, 1)),
         CALL(write, W(1), I(4), D("x"), I(1)), CALL(epoll_wait, W(1), I(5), BUF(48), I(4), I(0)),
         CALL(epoll_wait, W(0), I(5), BUF(48), I(4), I(0))),
    CASE("io.epoll_ctl_errors", CALLO(pipe2, W(0), "\3\0\0\0\4\0\0\0", BUF(8), I(0)),
         CALL(epoll_create1, W(5), I(0)),
         CALL(epoll_ctl, W(0), I(5), I(EPOLL_CTL_ADD), I(3), EV(EPOLLIN, 0)),
         CALL(epoll_ctl, ERR(EEXIST), I(5), I(EPOLL_CTL_ADD), I(3), EV(EPOLLIN, 0)),
         CALL(epoll_ctl, ERR(ENOENT), I(5), I(EPOLL_CTL_MOD), I(4), EV(EPOLLOUT, 0)),
         CALL(epoll_ctl, ERR(EINVAL), I(5), I(EPOLL_CTL_ADD), I(5), EV(EPOLLIN, 0)),
         CALL(epoll_ctl, ERR(EBADF), I(5), I(EPOLL_CTL_ADD), I(99), EV(EPOLLIN, 0)),
         CALL(epoll_ctl, ERR(EINVAL), I(3), I(EPOLL_CTL_ADD), I(4), EV(EPOLLIN, 0)),
         CALL(epoll_ctl, ERR(EINVAL), I(5), I(99), I(4), EV(EPOLLIN, 0)),
         CALL(epoll_ctl, W(0), I(5), I(EPOLL_CTL_DEL), I(3), I(0))),
    CASE("io.epoll_regular_file", CALL(open, W(3), S("f"), I(O_RDWR | O_CREAT), I(0644)),
         CALL(epoll_create1, W(4), I(0)),
         CALL(epoll_ctl, ERR(EPERM), I(4), I(EPOLL_CTL_ADD), I(3), EV(EPOLLIN, 0))),
    CASE("io.epoll_wait_errors", CALL(epoll_create1, W(3), I(0)),
         CALL(epoll_wait, ERR(EINVAL), I(3), BUF(12), I(0), I(0)),
         CALL(epoll_wait, ERR(EINVAL), I(3), BUF(12), I(-1), I(0)),
         CALL(epoll_wait, ERR(EBADF), I(9), BUF(12), I(1), I(0)),
         CALL(epoll_create1, ERR(EINVAL), I(1))),
    CASE("io.poll_pipe", CALLO(pipe2, W(0), "\3\0\0\0\4\0\0\0", BUF(8), I(0)),
         CALL(poll, W(0), PFD(3, POLLIN), I(1), I(0)),
         CALLAT(poll, W(1), 6, "\4\0", PFD(4, POLLOUT), I(1), I(0)),
         CALL(write, W(1), I(4), D("x"), I(1)),
         CALLAT(poll, W(1), 6, "\1\0", PFD(3, POLLIN), I(1), I(0)), CALL(close, W(0), I(4)),
         CALLAT(poll, W(1), 6, "\x11\0", PFD(3, POLLIN), I(1), I(0))),
    CASE("io.poll_bad_fd", CALLAT(poll, W(1), 6, "\x20\0", PFD(40, POLLIN), I(1), I(0)),
         CALL(poll, W(0), PFD(-1, POLLIN), I(1), I(0))),
    CASE("io.futex", CALL(futex, W(0), U32(0), I(FUTEX_WAKE_PRIVATE), I(1), I(0), I(0), I(0)),
         CALL(futex, ERR(EAGAIN), U32(1), I(FUTEX_WAIT_PRIVATE), I(0), I(0), I(0), I(0)),
         CALL(futex, ERR(ETIMEDOUT), U32(0), I(FUTEX_WAIT_PRIVATE), I(0), TS(0, 1000), I(0), I(0)),
         CALL(futex, ERR(EINVAL), U32(0), I(FUTEX_WAIT_PRIVATE), I(0), TS(0, -1), I(0), I(0)),
         CALL(futex, ERR(ENOSYS), U32(0), I(99), I(0), I(0), I(0), I(0))),
    CASE("io.futex_efault",
         CALL(futex, ERR(EFAULT), BAD(KERNEL), I(FUTEX_WAIT_PRIVATE), I(0), I(0), I(0), I(0)),
         CALL(futex, ERR(EFAULT), BAD(NULL), I(FUTEX_WAIT_PRIVATE), I(0), I(0), I(0), I(0))),
    CASE("io.kill_self_zero", CALL0(getpid, OK), CALL(kill, W(0), R(0), I(0)),
         CALL(kill, ERR(EINVAL), R(0), I(999)),
         CALL(kill, ERR(ESRCH), I(0x3fffffff) /* above any pid_max */, I(0))),
    CASE("io.chmod", CALL(open, W(3), S("f"), I(O_RDWR | O_CREAT), I(0644)),
         CALL(chmod, W(0), S("f"), I(0600)),
         CALLAT(fstat, W(0), 24, "\x80\x81\0\0", I(3), BUF(144)),
         CALL(chmod, ERR(ENOENT), S("g"), I(0600))),
    {NULL, NULL, 0, -1, {0}, 0, false},
};
