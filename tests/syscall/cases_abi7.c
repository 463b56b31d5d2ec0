/*
 * cases_abi7.c - fchmodat2 (452, Linux 6.6; glibc 2.39 calls it for fchmodat with flags),
 * checked against the host: flags first (an unsigned int: the high half ignored), a symlink
 * with AT_SYMLINK_NOFOLLOW is EOPNOTSUPP, AT_EMPTY_PATH changes the descriptor's file, the
 * mode keeps its 07777 bits only.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sc.h"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

#define FILEF CALL(open, W(3), S("f"), I(O_RDWR | O_CREAT), I(0644))
#define MODE_IS(bytes) CALLAT(fstat, W(0), 24, bytes, I(3), BUF(144))

const struct sc_case sc_cases_abi7[] = {
    CASE("abi7.fchmodat2", FILEF, CALL(symlink, W(0), S("f"), S("l")),
         CALL(fchmodat2, W(0), I(AT_FDCWD), S("f"), I(0600), I(0)), MODE_IS("\x80\x81\0\0"),
         CALL(fchmodat2, ERR(EOPNOTSUPP), I(AT_FDCWD), S("l"), I(0640), I(AT_SYMLINK_NOFOLLOW)),
         CALL(fchmodat2, W(0), I(AT_FDCWD), S("l"), I(0640), I(0)), MODE_IS("\xa0\x81\0\0"),
         CALL(fchmodat2, W(0), I(3), S(""), I(0604), I(AT_EMPTY_PATH)), MODE_IS("\x84\x81\0\0"),
         CALL(fchmodat2, ERR(ENOENT), I(3), S(""), I(0604), I(0)),
         CALL(fchmodat2, W(0), I(AT_FDCWD), S("f"), I(0107777), I(0)), MODE_IS("\xff\x8f\0\0"),
         CALL(fchmodat2, W(0), I(AT_FDCWD), S("f"), I(0644), I(AT_SYMLINK_NOFOLLOW)),
         MODE_IS("\xa4\x81\0\0"),
         CALL(fchmodat2, W(0), I(AT_FDCWD), S("f"), I(0600), I(0x100000000LL)),
         CALL(fchmodat2, ERR(EINVAL), I(AT_FDCWD), S("f"), I(0600), I(0x8000)),
         CALL(fchmodat2, ERR(EINVAL), I(AT_FDCWD), S("nope"), I(0600), I(-1)),
         CALL(fchmodat2, ERR(ENOENT), I(AT_FDCWD), S("nope"), I(0600), I(AT_EMPTY_PATH))),
    {NULL, NULL, 0, -1, {0}, 0, false},
};
