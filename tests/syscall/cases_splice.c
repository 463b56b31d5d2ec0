/*
 * cases_splice.c - splice(2), tee(2), vmsplice(2): which descriptor pairs Linux accepts and in
 * which order it checks (zero length, flags, descriptors, offsets for pipes, offset copies,
 * access modes, kinds), offsets read and written back, positions moved or kept, data moved
 * (splice), copied (tee), and copied from and to user memory (vmsplice). Every expectation is
 * Linux's (the native runner checks it on each run). Blocking and wake-ups:
 * tests/hosted/test_splice.c.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "sc.h"

#define IGN_SIGPIPE                                                                                \
    CALL(rt_sigaction, W(0), I(SIGPIPE),                                                           \
         {SA_DATA, 0, (const char *)(const unsigned long[]){1, 0, 0, 0}, 32, 0, NULL}, I(0), I(8))
/* A file "f" holding "0123456789", open read-write as 3 (its position at the end). */
#define FILE10                                                                                     \
    CALL(open, W(3), S("f"), I(O_RDWR | O_CREAT), I(0644)),                                        \
        CALL(write, W(10), I(3), D("0123456789"), I(10))
/* A pipe: the next two descriptors (read end, write end). */
#define PIPE(flags) CALL(pipe2, W(0), BUF(8), I(flags))
/* An in/out loff_t holding x. */
#define OFF(x) INOUT((const char *)(const long[]){(x)}, 8)
#define NB SPLICE_F_NONBLOCK

const struct sc_case sc_cases_splice[] = {
    CASE("splice.errors", FILE10, PIPE(0) /* 4, 5 */,
         CALL(splice, W(0), I(3), I(0), I(5), I(0), I(0), I(0x10)) /* length 0: nothing else */,
         CALL(splice, ERR(EINVAL), I(3), I(0), I(5), I(0), I(5), I(0x10)),
         CALL(splice, ERR(EBADF), I(99), I(0), I(5), I(0), I(5), I(0)),
         CALL(splice, ERR(EBADF), I(3), I(0), I(99), I(0), I(5), I(0)),
         CALL(splice, ERR(EINVAL), I(3), I(0), I(3), I(0), I(5), I(0)) /* no pipe */,
         CALL(splice, ERR(ESPIPE), I(3), OFF(0), I(5), OFF(0), I(5), I(0)),
         CALL(splice, ERR(EFAULT), I(3), BAD(UNMAPPED), I(5), I(0), I(5), I(0)),
         CALL(splice, ERR(EINVAL), I(3), OFF(-1), I(5), I(0), I(5), I(0)),
         CALL(splice, ERR(EBADF), I(3), I(0), I(4), I(0), I(5), I(0)) /* the read end */,
         CALL(splice, ERR(EINVAL), I(4), I(0), I(5), I(0), I(5), I(0)) /* one pipe */),
    /* Modes are checked after the offsets are read; the pipe rule before that. */
    CASE("splice.check_order", FILE10, PIPE(0), CALL(open, W(6), S("f"), I(O_WRONLY)),
         CALL(splice, ERR(EFAULT), I(6), BAD(UNMAPPED), I(5), I(0), I(5), I(0)),
         CALL(splice, ERR(EBADF), I(6), OFF(0), I(5), I(0), I(5), I(0)),
         CALL(splice, ERR(ESPIPE), I(6), OFF(0), I(5), OFF(0), I(5), I(0)),
         CALL(open, W(7), S("f"), I(O_PATH)),
         CALL(splice, ERR(EBADF), I(7), I(0), I(5), OFF(0), I(5), I(0)),
         CALL(splice, ERR(EINVAL), I(3), OFF(0), I(5), I(0), I(-1), I(0)) /* past SSIZE_MAX */,
         CALL(splice, W(0), I(3), OFF(0), I(5), I(0), I(0), I(0x10))),
    /* file -> pipe: from the position (which moves) or from *off_in (which moves instead). */
    CASE("splice.file_to_pipe", FILE10, PIPE(0),
         CALL(splice, W(0), I(3), I(0), I(5), I(0), I(5), I(0)) /* at the end */,
         CALLO(splice, W(5), "\x07\0\0\0\0\0\0\0", I(3), OFF(2), I(5), I(0), I(5), I(0)),
         CALL(lseek, W(10), I(3), I(0), I(SEEK_CUR)), CALL(lseek, W(0), I(3), I(0), I(SEEK_SET)),
         CALL(splice, W(3), I(3), I(0), I(5), I(0), I(3), I(SPLICE_F_MORE | SPLICE_F_MOVE)),
         CALL(lseek, W(3), I(3), I(0), I(SEEK_CUR)),
         CALLO(read, W(8), "23456012", I(4), BUF(16), I(16))),
    /* pipe -> file: at the position (which moves) or at *off_out. */
    CASE("splice.pipe_to_file", FILE10, PIPE(0), CALL(write, W(6), I(5), D("abcdef"), I(6)),
         CALLO(splice, W(2), "\x03\0\0\0\0\0\0\0", I(4), I(0), I(3), OFF(1), I(2), I(0)),
         CALL(lseek, W(10), I(3), I(0), I(SEEK_CUR)),
         CALL(splice, W(1), I(4), I(0), I(3), I(0), I(1), I(0)),
         CALL(lseek, W(11), I(3), I(0), I(SEEK_CUR)),
         CALLO(pread64, W(11), "0ab3456789c", I(3), BUF(16), I(16), I(0)),
         CALL(splice, ERR(ESPIPE), I(4), OFF(0), I(3), I(0), I(1), I(0)),
         CALL(splice, W(3), I(4), I(0), I(3), I(0), I(100), I(0)) /* what there is */),
    CASE("splice.pipe_to_file_modes", FILE10, PIPE(0), CALL(write, W(2), I(5), D("ab"), I(2)),
         CALL(open, W(6), S("f"), I(O_WRONLY | O_APPEND)),
         CALL(splice, ERR(EINVAL), I(4), I(0), I(6), I(0), I(1), I(0)),
         CALL(open, W(7), S("f"), I(O_RDONLY)),
         CALL(splice, ERR(EBADF), I(4), I(0), I(7), I(0), I(1), I(0)),
         CALL(splice, ERR(EINVAL), I(4), I(0), I(3), I(0), I(-1), I(0)),
         CALL(splice, ERR(EINVAL), I(4), I(0), I(3), OFF(-1), I(1), I(0)),
         CALL(splice, W(2), I(4), I(0), I(3), OFF(20), I(2), I(0)),
         CALL(splice, ERR(EAGAIN), I(4), I(0), I(3), I(0), I(2), I(NB)) /* empty */),
    /* pipe -> pipe moves; tee copies without consuming; both need two different pipes. */
    CASE("splice.pipe_to_pipe", PIPE(0) /* 3, 4 */, PIPE(0) /* 5, 6 */,
         CALL(write, W(5), I(4), D("hello"), I(5)),
         CALL(splice, W(5), I(3), I(0), I(6), I(0), I(-1), I(0)),
         CALL(splice, ERR(EAGAIN), I(3), I(0), I(6), I(0), I(1), I(NB)) /* empty */,
         CALL(tee, W(5), I(5), I(4), I(100), I(0)), CALL(tee, W(2), I(5), I(4), I(2), I(NB)),
         CALLO(read, W(7), "hellohe", I(3), BUF(16), I(16)),
         CALLO(read, W(5), "hello", I(5), BUF(16), I(16)),
         CALL(tee, ERR(EAGAIN), I(5), I(4), I(100), I(NB)),
         CALL(splice, ERR(EAGAIN), I(5), I(0), I(4), I(0), I(100), I(NB))),
    CASE("splice.tee_errors", FILE10, PIPE(0) /* 4, 5 */, PIPE(0) /* 6, 7 */,
         CALL(tee, ERR(EINVAL), I(4), I(7), I(0), I(0x10)) /* flags before the length */,
         CALL(tee, W(0), I(99), I(7), I(0), I(0)), CALL(tee, ERR(EBADF), I(99), I(7), I(1), I(0)),
         CALL(tee, ERR(EBADF), I(5), I(7), I(1), I(0)) /* a write end as input */,
         CALL(tee, ERR(EINVAL), I(4), I(5), I(1), I(0)) /* one pipe */,
         CALL(tee, ERR(EINVAL), I(3), I(7), I(1), I(0)) /* a file */,
         CALL(tee, ERR(EINVAL), I(4), I(3), I(1), I(0))),
    /* No writer and empty: 0; no reader: EPIPE (SIGPIPE ignored here). O_NONBLOCK on a pipe
     * end acts as SPLICE_F_NONBLOCK. */
    CASE("splice.eof_epipe", IGN_SIGPIPE, PIPE(0) /* 3, 4 */, CALL(close, W(0), I(4)),
         CALL(open, W(4), S("f"), I(O_RDWR | O_CREAT), I(0644)), PIPE(0) /* 5, 6 */,
         CALL(splice, W(0), I(3), I(0), I(4), I(0), I(8), I(0)),
         CALL(tee, W(0), I(3), I(6), I(8), I(0)), CALL(close, W(0), I(5)),
         CALL(write, W(1), I(4), D("x"), I(1)),
         CALL(splice, ERR(EPIPE), I(4), OFF(0), I(6), I(0), I(8), I(0)),
         CALL(splice, ERR(EPIPE), I(3), I(0), I(6), I(0), I(8), I(0))),
    CASE("splice.nonblock_end", FILE10, PIPE(O_NONBLOCK) /* 4, 5 */,
         CALL(splice, ERR(EAGAIN), I(4), I(0), I(3), I(0), I(8), I(0)),
         CALL(fcntl, W(0), I(4), I(F_SETFL), I(0)), CALL(close, W(0), I(5)),
         CALL(splice, W(0), I(4), I(0), I(3), I(0), I(8), I(0))),
    /* Kinds without splice: eventfd, timerfd, a directory. */
    CASE("splice.kinds", PIPE(0) /* 3, 4 */, CALL(eventfd2, W(5), I(1), I(0)),
         CALL(splice, ERR(EINVAL), I(5), I(0), I(4), I(0), I(8), I(0)),
         CALL(write, W(1), I(4), D("x"), I(1)),
         CALL(splice, ERR(EINVAL), I(3), I(0), I(5), I(0), I(8), I(0)),
         CALL(open, W(6), S("."), I(O_RDONLY | O_DIRECTORY)),
         CALL(splice, ERR(EINVAL), I(6), I(0), I(4), I(0), I(8), I(0)),
         CALL(timerfd_create, W(7), I(CLOCK_MONOTONIC), I(0)),
         CALL(splice, ERR(EINVAL), I(7), I(0), I(4), I(0), I(8), I(0))),
    /* vmsplice: into a pipe through its write end, out of it through its read end. Linux
     * maps the user's pages into the pipe (Petrel copies): what is read back of bytes given
     * to vmsplice depends on what the program wrote there since, so only counts are checked
     * for those; bytes out of the pipe are checked after a write(). */
    CASE("vmsplice.in_out", PIPE(0) /* 3, 4 */,
         CALL(vmsplice, W(11), I(4), IOV(2, D("hello"), I(5), D(" world"), I(6)), I(2), I(0)),
         CALL(vmsplice, W(11), I(3), IOV(2, BUF(3), I(3), BUF(20), I(20)), I(2), I(0)),
         CALL(vmsplice, ERR(EAGAIN), I(3), IOV(1, BUF(4), I(4)), I(1), I(NB)),
         CALL(write, W(11), I(4), D("hello world"), I(11)),
         CALLO(vmsplice, W(11), "hello world", I(3), IOV(2, BUF(3), I(3), BUF(20), I(20)), I(2),
               I(0)),
         CALL(vmsplice, W(0), I(4), IOV(1, D("x"), I(1)), I(0), I(0)),
         CALL(vmsplice, W(2), I(4), IOV(2, D("ab"), I(2), D(""), I(0)), I(2), I(SPLICE_F_GIFT)),
         CALL(read, W(2), I(3), BUF(8), I(8))),
    CASE("vmsplice.errors", PIPE(0) /* 3, 4 */,
         CALL(vmsplice, ERR(EINVAL), I(4), IOV(1, D("x"), I(1)), I(1), I(0x10)),
         CALL(vmsplice, ERR(EBADF), I(99), IOV(1, D("x"), I(1)), I(1), I(0)),
         CALL(vmsplice, ERR(EINVAL), I(4), IOV(1, D("x"), I(1)), I(1025), I(0)),
         CALL(vmsplice, ERR(EFAULT), I(4), BAD(UNMAPPED), I(1), I(0)),
         CALL(vmsplice, ERR(EFAULT), I(4), IOV(1, BAD(UNMAPPED), I(4)), I(1), I(0)),
         CALL(open, W(5), S("f"), I(O_RDWR | O_CREAT), I(0644)),
         CALL(vmsplice, ERR(EBADF), I(5), IOV(1, D("x"), I(1)), I(1), I(0)),
         CALL(vmsplice, ERR(EFAULT), I(5), BAD(UNMAPPED), I(1), I(0)) /* the iovec first */,
         CALL(vmsplice, W(0), I(5), IOV(1, D("x"), I(0)), I(1), I(0)) /* nothing to do */),
    {NULL, NULL, 0, -1, SC_NO_ARG, 0, 0},
};
