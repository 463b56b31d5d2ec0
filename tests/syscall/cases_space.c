/*
 * cases_space.c - fallocate and sync (docs/files.md, "Space: a full volume"). Expectations
 * are Linux's (6.x, checked natively by the runner): fallocate checks its arguments before
 * the descriptor, then O_PATH and read-only descriptions -EBADF, pipes -ESPIPE, other kinds
 * -ENODEV. Filling a volume is not done here (the runner's scratch directory is on the host's
 * disk): tests/unit/syscall/test_sys_enospc.c and the runtime program enospc do that.
 */
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdint.h>
#include <unistd.h>

#include "sc.h"

#define RW_CREAT (O_RDWR | O_CREAT)

const struct sc_case sc_cases_space[] = {
    /* mode 0 grows the size; KEEP_SIZE does not; a punch keeps it */
    CASE("space.fallocate_sizes", CALL(open, W(3), S("f"), I(RW_CREAT), I(0644)),
         CALL(fallocate, W(0), I(3), I(0), I(0), I(10)),
         CALLAT(fstat, W(0), 48, "\x0a\0\0\0\0\0\0\0", I(3), BUF(144)),
         CALL(fallocate, W(0), I(3), I(FALLOC_FL_KEEP_SIZE), I(8192), I(4096)),
         CALLAT(fstat, W(0), 48, "\x0a\0\0\0\0\0\0\0", I(3), BUF(144)),
         CALL(write, W(3), I(3), D("abc"), I(3)),
         CALL(fallocate, W(0), I(3), I(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE), I(0), I(2)),
         CALLO(pread64, W(10), "\0\0c", I(3), BUF(10), I(10), I(0)),
         CALL(fallocate, W(0), I(3), I(0), I(100), I(1)),
         CALLAT(fstat, W(0), 48, "\x65\0\0\0\0\0\0\0", I(3), BUF(144))),
    /* the arguments first, in this order */
    CASE("space.fallocate_args", CALL(open, W(3), S("f"), I(RW_CREAT), I(0644)),
         CALL(fallocate, ERR(EINVAL), I(3), I(0), I(-1), I(10)),
         CALL(fallocate, ERR(EINVAL), I(3), I(0), I(0), I(0)),
         CALL(fallocate, ERR(EINVAL), I(3), I(0), I(0), I(-5)),
         CALL(fallocate, ERR(EINVAL), I(3), I(0x100), I(0), I(0)),
         CALL(fallocate, ERR(EOPNOTSUPP), I(3), I(0x100), I(0), I(10)),
         CALL(fallocate, ERR(EOPNOTSUPP), I(3), I(FALLOC_FL_PUNCH_HOLE), I(0), I(10)),
         CALL(fallocate, ERR(EOPNOTSUPP), I(3),
              I(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE), I(0), I(10)),
         CALL(fallocate, ERR(EFBIG), I(3), I(0), I(INT64_MAX - 5), I(10)),
         CALL(fallocate, ERR(EBADF), I(99), I(0), I(0), I(10)),
         CALL(fallocate, ERR(EBADF), I(-1), I(0), I(0), I(10))),
    /* then the description: read-only and O_PATH -EBADF (O_PATH before the arguments), a
     * pipe's write end -ESPIPE, a directory (read-only) -EBADF, an eventfd -ENODEV */
    CASE("space.fallocate_kinds", CALL(open, W(3), S("f"), I(RW_CREAT), I(0644)),
         CALL(open, W(4), S("f"), I(O_RDONLY)),
         CALL(fallocate, ERR(EBADF), I(4), I(0), I(0), I(10)),
         CALL(fallocate, ERR(EINVAL), I(4), I(0), I(0), I(0)),
         CALL(fallocate, ERR(EOPNOTSUPP), I(4), I(FALLOC_FL_PUNCH_HOLE), I(0), I(10)),
         CALL(open, W(5), S("f"), I(O_PATH)), CALL(fallocate, ERR(EBADF), I(5), I(0), I(0), I(10)),
         CALL(fallocate, ERR(EBADF), I(5), I(0), I(0), I(0)),
         CALL(pipe2, W(0), BUF(8), I(0)), CALL(fallocate, ERR(ESPIPE), I(7), I(0), I(0), I(10)),
         CALL(fallocate, ERR(EBADF), I(6), I(0), I(0), I(10)),
         CALL(eventfd2, W(8), I(0), I(0)), CALL(fallocate, ERR(ENODEV), I(8), I(0), I(0), I(10)),
         CALL(open, W(9), S("."), I(O_RDONLY)),
         CALL(fallocate, ERR(EBADF), I(9), I(0), I(0), I(10))),
    CASE("space.sync", CALL(open, W(3), S("f"), I(RW_CREAT), I(0644)),
         CALL(write, W(3), I(3), D("abc"), I(3)), CALL0(sync, W(0)),
         CALLO(pread64, W(3), "abc", I(3), BUF(8), I(8), I(0))),
    {NULL, NULL, 0, -1, {0}, 0, false},
};
