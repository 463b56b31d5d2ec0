/*
 * cases_rt.c - cases for the kernel fixes the runtime programs of tests/runtime led to (Go's
 * os package, the C programs of issue 7's list), each checked natively as every table is.
 *
 *   truncate   os.Truncate (go_files) calls truncate(2) by path: shrink, grow with zeros,
 *              a symlink followed, and Linux's errors (negative length before the path,
 *              a directory, a FIFO, a missing file).
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sc.h"

#define U64(x) x "\0\0\0\0\0\0\0" /* a one-byte value as 8 little-endian bytes */
/* A file "f" holding "abcdefgh", open read-write as 3. */
#define FILE8                                                                                      \
    CALL(open, W(3), S("f"), I(O_RDWR | O_CREAT), I(0644)),                                        \
        CALL(write, W(8), I(3), D("abcdefgh"), I(8))

const struct sc_case sc_cases_rt[] = {
    CASE("rt.truncate_shrink_grow", FILE8, CALL(truncate, W(0), S("f"), I(3)),
         CALLAT(fstat, W(0), 48, U64("\x03"), I(3), BUF(144)), CALL(truncate, W(0), S("f"), I(6)),
         CALLO(pread64, W(6), "abc\0\0\0", I(3), BUF(16), I(16), I(0))),
    CASE("rt.truncate_symlink", FILE8, CALL(symlink, W(0), S("f"), S("l")),
         CALL(truncate, W(0), S("l"), I(1)), CALLAT(fstat, W(0), 48, U64("\x01"), I(3), BUF(144))),
    CASE("rt.truncate_errors", FILE8, CALL(mkdir, W(0), S("d"), I(0755)),
         CALL(mknod, W(0), S("p"), I(S_IFIFO | 0644), I(0)),
         CALL(truncate, ERR(EISDIR), S("d"), I(0)), CALL(truncate, ERR(EINVAL), S("p"), I(0)),
         CALL(truncate, ERR(ENOENT), S("g"), I(0)), CALL(truncate, ERR(EINVAL), S("g"), I(-1)),
         CALL(truncate, ERR(EINVAL), S("f"), I(-1)), CALL(truncate, ERR(ENOTDIR), S("f/x"), I(0))),
    {NULL, NULL, 0, -1, {0}, 0, false},
};
