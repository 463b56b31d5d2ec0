/*
 * cases_fileops.c - the data calls on every kind of open file, for the checks Linux makes on
 * the description before the kind is asked (fs/file/file.c): read and write on a description
 * not open for them (-EBADF, the access mode or O_PATH) before a kind without the op
 * (-EINVAL); pread/pwrite on kinds without positions (-ESPIPE) before either; lseek on
 * kinds that keep their position at 0 (Linux's noop_llseek) or have none (-ESPIPE);
 * ftruncate (-EINVAL unless a regular file open for writing), fsync (-EINVAL for kinds
 * without it) and mmap (-EACCES for the access mode before -ENODEV). Every expectation was
 * read off the host's Linux (the native runner checks it on each run). /proc and /dev,
 * which the hosted runner has not, are in the runtime program fileops.c.
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "sc.h"

/* the kinds, each as descriptor 3 (and 4 for the second end) */
#define PIPE_NB CALLO(pipe2, W(0), "\3\0\0\0\4\0\0\0", BUF(8), I(O_NONBLOCK))
#define PAIR_NB                                                                                    \
    CALLO(socketpair, W(0), "\3\0\0\0\4\0\0\0", I(AF_UNIX), I(SOCK_STREAM | SOCK_NONBLOCK),       \
          I(0), BUF(8))
#define EVENTFD CALL(eventfd2, W(3), I(0), I(EFD_NONBLOCK))
#define TIMERFD CALL(timerfd_create, W(3), I(CLOCK_MONOTONIC), I(TFD_NONBLOCK))
/* SIGUSR1 (10): bit 9 of the mask */
#define SIGNALFD CALL(signalfd4, W(3), I(-1), D("\0\2\0\0\0\0\0\0"), I(8), I(SFD_NONBLOCK))
#define EPOLL CALL(epoll_create1, W(3), I(0))
#define INOTIFY CALL(inotify_init1, W(3), I(IN_NONBLOCK))
#define DIR3 CALL(open, W(3), S("."), I(O_RDONLY | O_DIRECTORY))

/* the calls on descriptor fd, expecting wk(wv): ERR, EBADF or W, 1 or ANY, 0 (the want is
 * passed in two parts: a braced one would be split at its comma by the inner CALL) */
#define ANY(x) OK
#define READ1(wk, wv, fd) CALL(read, wk(wv), I(fd), BUF(8), I(1))
#define READ0(wk, wv, fd) CALL(read, wk(wv), I(fd), I(0), I(0))
#define WRITE1(wk, wv, fd) CALL(write, wk(wv), I(fd), D("x"), I(1))
#define WRITE8(wk, wv, fd) CALL(write, wk(wv), I(fd), D("\1\0\0\0\0\0\0\0"), I(8))
#define WRITE0(wk, wv, fd) CALL(write, wk(wv), I(fd), I(0), I(0))
#define PREAD1(wk, wv, fd) CALL(pread64, wk(wv), I(fd), BUF(8), I(1), I(0))
#define PWRITE1(wk, wv, fd) CALL(pwrite64, wk(wv), I(fd), D("x"), I(1), I(0))
#define READV1(wk, wv, fd) CALL(readv, wk(wv), I(fd), IOV(1, BUF(8), I(1)), I(1))
#define WRITEV1(wk, wv, fd) CALL(writev, wk(wv), I(fd), IOV(1, D("x"), I(1)), I(1))
#define LSEEK(wk, wv, fd, whence) CALL(lseek, wk(wv), I(fd), I(5), I(whence))
#define FTRUNC(wk, wv, fd) CALL(ftruncate, wk(wv), I(fd), I(0))
#define FSYNC(wk, wv, fd) CALL(fsync, wk(wv), I(fd))
#define FDSYNC(wk, wv, fd) CALL(fdatasync, wk(wv), I(fd))
#define MMAP(wk, wv, fd, prot, flags) CALL(mmap, wk(wv), I(0), I(4096), I(prot), I(flags), I(fd), I(0))
#define MMAP_RP(wk, wv, fd) MMAP(wk, wv, fd, PROT_READ, MAP_PRIVATE)
#define MMAP_RS(wk, wv, fd) MMAP(wk, wv, fd, PROT_READ, MAP_SHARED)
#define MMAP_WS(wk, wv, fd) MMAP(wk, wv, fd, PROT_READ | PROT_WRITE, MAP_SHARED)
#define GETDENTS(wk, wv, fd) CALL(getdents64, wk(wv), I(fd), BUF(512), I(512))

const struct sc_case sc_cases_fileops[] = {
    /* a pipe's read end is O_RDONLY: every write form is -EBADF, a zero-length one too;
     * the position calls -ESPIPE first; a writable shared mapping -EACCES before -ENODEV */
    CASE("fileops.pipe_read_end", PIPE_NB, WRITE1(ERR, EBADF, 3), WRITE0(ERR, EBADF, 3),
         WRITEV1(ERR, EBADF, 3), PWRITE1(ERR, ESPIPE, 3), READ1(ERR, EAGAIN, 3),
         MMAP_WS(ERR, EACCES, 3), MMAP_RP(ERR, ENODEV, 3), FTRUNC(ERR, EINVAL, 3),
         FSYNC(ERR, EINVAL, 3), LSEEK(ERR, ESPIPE, 3, SEEK_CUR), LSEEK(ERR, EINVAL, 3, 7)),
    /* the write end is O_WRONLY: no read form, and no mapping at all (-EACCES) */
    CASE("fileops.pipe_write_end", PIPE_NB, READ1(ERR, EBADF, 4), READ0(ERR, EBADF, 4),
         READV1(ERR, EBADF, 4), PREAD1(ERR, ESPIPE, 4), MMAP_RP(ERR, EACCES, 4),
         MMAP_RS(ERR, EACCES, 4), FTRUNC(ERR, EINVAL, 4), FDSYNC(ERR, EINVAL, 4),
         WRITE0(W, 0, 4), CALL(write, ERR(EFAULT), I(4), BAD(NULL), I(1)), WRITE1(W, 1, 4)),
    /* eventfd: O_RDWR with both ops; its position stays 0 whatever lseek asks */
    CASE("fileops.eventfd", EVENTFD, CALL(read, ERR(EAGAIN), I(3), BUF(8), I(8)),
         READ1(ERR, EINVAL, 3), WRITE1(ERR, EINVAL, 3), LSEEK(W, 0, 3, SEEK_SET),
         LSEEK(W, 0, 3, SEEK_END), PREAD1(ERR, ESPIPE, 3), FTRUNC(ERR, EINVAL, 3),
         FSYNC(ERR, EINVAL, 3), MMAP_RP(ERR, ENODEV, 3), MMAP_WS(ERR, ENODEV, 3),
         GETDENTS(ERR, ENOTDIR, 3)),
    /* timerfd: O_RDWR without a write op: -EINVAL, even for 0 bytes */
    CASE("fileops.timerfd", TIMERFD, WRITE8(ERR, EINVAL, 3), WRITE0(ERR, EINVAL, 3),
         WRITEV1(ERR, EINVAL, 3), PWRITE1(ERR, ESPIPE, 3),
         CALL(read, ERR(EAGAIN), I(3), BUF(8), I(8)), LSEEK(W, 0, 3, SEEK_CUR),
         LSEEK(ERR, EINVAL, 3, 7), FTRUNC(ERR, EINVAL, 3), FSYNC(ERR, EINVAL, 3),
         MMAP_WS(ERR, ENODEV, 3), MMAP_RP(ERR, ENODEV, 3)),
    CASE("fileops.signalfd", SIGNALFD, WRITE8(ERR, EINVAL, 3), WRITE0(ERR, EINVAL, 3),
         WRITEV1(ERR, EINVAL, 3), CALL(read, ERR(EAGAIN), I(3), BUF(128), I(128)),
         LSEEK(W, 0, 3, SEEK_END), PREAD1(ERR, ESPIPE, 3), FTRUNC(ERR, EINVAL, 3),
         FSYNC(ERR, EINVAL, 3), MMAP_WS(ERR, ENODEV, 3), GETDENTS(ERR, ENOTDIR, 3)),
    /* epoll: O_RDWR with neither op */
    CASE("fileops.epoll", EPOLL, READ1(ERR, EINVAL, 3), READ0(ERR, EINVAL, 3),
         WRITE1(ERR, EINVAL, 3), WRITE0(ERR, EINVAL, 3), READV1(ERR, EINVAL, 3),
         WRITEV1(ERR, EINVAL, 3), PREAD1(ERR, ESPIPE, 3), LSEEK(W, 0, 3, SEEK_SET),
         FTRUNC(ERR, EINVAL, 3), FSYNC(ERR, EINVAL, 3), MMAP_RS(ERR, ENODEV, 3)),
    /* inotify: O_RDONLY, so a write is -EBADF (not the missing op's -EINVAL) */
    CASE("fileops.inotify", INOTIFY, WRITE1(ERR, EBADF, 3), WRITE0(ERR, EBADF, 3),
         WRITEV1(ERR, EBADF, 3), PWRITE1(ERR, ESPIPE, 3),
         CALL(read, ERR(EAGAIN), I(3), BUF(64), I(64)), LSEEK(W, 0, 3, SEEK_END),
         MMAP_WS(ERR, EACCES, 3), MMAP_RP(ERR, ENODEV, 3), MMAP_RS(ERR, ENODEV, 3),
         FTRUNC(ERR, EINVAL, 3), FSYNC(ERR, EINVAL, 3)),
    /* a memfd is a regular file open O_RDWR: everything works */
    CASE("fileops.memfd", CALL(memfd_create, W(3), S("m"), I(0)), WRITE1(W, 1, 3),
         PWRITE1(W, 1, 3), CALLO(pread64, W(1), "x", I(3), BUF(8), I(1), I(0)), READ1(W, 0, 3),
         CALL(lseek, W(1), I(3), I(0), I(SEEK_END)), FTRUNC(W, 0, 3), FSYNC(W, 0, 3),
         FDSYNC(W, 0, 3), MMAP_RP(ANY, 0, 3), MMAP_WS(ANY, 0, 3), GETDENTS(ERR, ENOTDIR, 3)),
    /* sockets: O_RDWR, no position, no fsync, no truncate, no mapping (AF_UNIX, UDP) */
    CASE("fileops.unix_socket", PAIR_NB, READ1(ERR, EAGAIN, 3), READ0(W, 0, 3),
         WRITE1(W, 1, 3), PREAD1(ERR, ESPIPE, 4), PWRITE1(ERR, ESPIPE, 3),
         LSEEK(ERR, ESPIPE, 3, SEEK_CUR), FTRUNC(ERR, EINVAL, 3), FSYNC(ERR, EINVAL, 3),
         MMAP_RP(ERR, ENODEV, 3), MMAP_WS(ERR, ENODEV, 3), GETDENTS(ERR, ENOTDIR, 3)),
    CASE("fileops.udp_socket", CALL(socket, W(3), I(AF_INET), I(SOCK_DGRAM | SOCK_NONBLOCK), I(0)),
         READ1(ERR, EAGAIN, 3), WRITE1(ERR, EDESTADDRREQ, 3), PREAD1(ERR, ESPIPE, 3),
         LSEEK(ERR, ESPIPE, 3, SEEK_SET), FTRUNC(ERR, EINVAL, 3), FSYNC(ERR, EINVAL, 3),
         MMAP_RP(ERR, ENODEV, 3)),
    /* a TCP socket never connected: reads -ENOTCONN (a write would raise SIGPIPE), but a
     * 0-byte read is 0 before the protocol is asked; Linux maps a read-only TCP socket (the
     * mapping TCP_ZEROCOPY_RECEIVE fills: a deviation) */
    CASE("fileops.tcp_socket", CALL(socket, W(3), I(AF_INET), I(SOCK_STREAM | SOCK_NONBLOCK), I(0)),
         READ1(ERR, ENOTCONN, 3), READ0(W, 0, 3), PREAD1(ERR, ESPIPE, 3),
         LSEEK(ERR, ESPIPE, 3, SEEK_CUR), FTRUNC(ERR, EINVAL, 3), FSYNC(ERR, EINVAL, 3),
         MMAP_WS(ERR, EPERM, 3), MMAP_RP(ANY, 0, 3)),
    /* an O_PATH handle is not open for anything: -EBADF, even for a bad whence; only
     * ftruncate's negative length comes first (before the descriptor is looked up) */
    CASE("fileops.opath_data", CALL(open, W(3), S("f"), I(O_CREAT | O_RDWR), I(0644)),
         WRITE1(W, 1, 3), CALL(open, W(4), S("f"), I(O_PATH)), READ1(ERR, EBADF, 4),
         READ0(ERR, EBADF, 4), WRITE1(ERR, EBADF, 4), PREAD1(ERR, EBADF, 4),
         PWRITE1(ERR, EBADF, 4), READV1(ERR, EBADF, 4), WRITEV1(ERR, EBADF, 4)),
    CASE("fileops.opath_other", CALL(open, W(3), S("f"), I(O_CREAT | O_RDWR), I(0644)),
         CALL(open, W(4), S("f"), I(O_PATH)), LSEEK(ERR, EBADF, 4, SEEK_SET),
         LSEEK(ERR, EBADF, 4, 7), FTRUNC(ERR, EBADF, 4),
         CALL(ftruncate, ERR(EINVAL), I(4), I(-1)), CALL(ftruncate, ERR(EINVAL), I(99), I(-1)),
         FSYNC(ERR, EBADF, 4), FDSYNC(ERR, EBADF, 4), MMAP_RP(ERR, EBADF, 4),
         CALL(open, W(5), S("."), I(O_PATH | O_DIRECTORY)), GETDENTS(ERR, EBADF, 5)),
    /* a directory is O_RDONLY: reads -EISDIR (the kind), writes -EBADF (the mode) */
    CASE("fileops.directory_data", DIR3, READ1(ERR, EISDIR, 3), READ0(ERR, EISDIR, 3),
         WRITE1(ERR, EBADF, 3), WRITE0(ERR, EBADF, 3), PREAD1(ERR, EISDIR, 3),
         PWRITE1(ERR, EBADF, 3), READV1(ERR, EISDIR, 3), WRITEV1(ERR, EBADF, 3)),
    CASE("fileops.directory_other", DIR3, CALL(lseek, W(0), I(3), I(0), I(SEEK_SET)),
         FTRUNC(ERR, EINVAL, 3), FSYNC(W, 0, 3), FDSYNC(W, 0, 3), MMAP_RP(ERR, ENODEV, 3),
         MMAP_WS(ERR, EACCES, 3), CALL(getdents64, ERR(EINVAL), I(3), BUF(8), I(1))),
    /* a regular file: the access mode decides, and mode 3 (O_ACCMODE) opens for neither */
    CASE("fileops.regular_modes", CALL(open, W(3), S("f"), I(O_CREAT | O_WRONLY), I(0644)),
         CALL(open, W(4), S("f"), I(O_RDONLY)), CALL(open, W(5), S("f"), I(3)),
         READ1(ERR, EBADF, 3), MMAP_RP(ERR, EACCES, 3), WRITE1(ERR, EBADF, 4),
         MMAP_WS(ERR, EACCES, 4), FTRUNC(ERR, EINVAL, 4), READ1(ERR, EBADF, 5),
         WRITE1(ERR, EBADF, 5), FTRUNC(ERR, EINVAL, 5), MMAP_RP(ERR, EACCES, 5)),
    {NULL, NULL, 0, 0, SC_NO_ARG, 0, 0},
};
