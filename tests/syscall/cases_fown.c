/*
 * cases_fown.c - owners of signal-driven I/O: fcntl F_SETOWN/F_GETOWN/F_SETOWN_EX/F_GETOWN_EX/
 * F_SETSIG/F_GETSIG, ioctl FIOASYNC/FIOSETOWN/SIOCSPGRP/FIOGETOWN/SIOCGPGRP, O_ASYNC in
 * F_SETFL. Expectations are Linux's (the native runner checks them); the signals themselves
 * are tests/runtime/progs/{sock,unix,pipe,inotify}_sigio.c's. Descriptors: the first socket
 * or file is 3.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sc.h"

#define TCP3 CALL(socket, W(3), I(AF_INET), I(SOCK_STREAM), I(0))
#define ONE "\1\0\0\0"
#define O_LARGEFILE_K 0100000

const struct sc_case sc_cases_fown[] = {
    CASE("fown.none", TCP3, CALL(fcntl, W(0), I(3), I(F_GETOWN)),
         CALLO(fcntl, W(0), "\0\0\0\0\0\0\0\0", I(3), I(F_GETOWN_EX), BUF(8)),
         CALL(fcntl, W(0), I(3), I(F_GETSIG)),
         CALLO(ioctl, W(0), "\0\0\0\0", I(3), I(SIOCGPGRP), BUF(4))),
    CASE("fown.setown_self", CALL0(getpid, OK), TCP3, CALL(fcntl, W(0), I(3), I(F_SETOWN), R(0)),
         CALLO(fcntl, W(0), "\1\0\0\0", I(3), I(F_GETOWN_EX), BUF(8)),
         CALL(fcntl, W(0), I(3), I(F_SETOWN), I(0)), CALL(fcntl, W(0), I(3), I(F_GETOWN)),
         CALLO(fcntl, W(0), "\1\0\0\0\0\0\0\0", I(3), I(F_GETOWN_EX), BUF(8))),
    CASE("fown.setown_int_min", TCP3,
         CALL(fcntl, ERR(EINVAL), I(3), I(F_SETOWN), I((int)0x80000000))),
    CASE("fown.setown_ex_errors", TCP3,
         CALL(fcntl, ERR(EINVAL), I(3), I(F_SETOWN_EX), D("\3\0\0\0\0\0\0\0")),
         CALL(fcntl, ERR(EFAULT), I(3), I(F_SETOWN_EX), BAD(KERNEL)),
         CALL(fcntl, ERR(EFAULT), I(3), I(F_GETOWN_EX), BAD(KERNEL)),
         CALL(fcntl, W(0), I(3), I(F_SETOWN_EX), D("\2\0\0\0\0\0\0\0")),
         CALLO(fcntl, W(0), "\2\0\0\0\0\0\0\0", I(3), I(F_GETOWN_EX), BUF(8))),
    CASE("fown.setsig", TCP3, CALL(fcntl, ERR(EINVAL), I(3), I(F_SETSIG), I(65)),
         CALL(fcntl, ERR(EINVAL), I(3), I(F_SETSIG), I(-1)),
         CALL(fcntl, W(0), I(3), I(F_SETSIG), I(64)), CALL(fcntl, W(64), I(3), I(F_GETSIG)),
         CALL(fcntl, W(0), I(3), I(F_SETSIG), I(0)), CALL(fcntl, W(0), I(3), I(F_GETSIG))),
    CASE("fown.ioctl_owner", CALL0(getpid, OK), TCP3,
         CALL(ioctl, ERR(EFAULT), I(3), I(SIOCSPGRP), BAD(KERNEL)),
         CALL(ioctl, ERR(EFAULT), I(3), I(FIOGETOWN), BAD(KERNEL)),
         CALL(ioctl, W(0), I(3), I(FIOSETOWN), D("\0\0\0\0")),
         CALL(fcntl, W(0), I(3), I(F_GETOWN))),
    CASE("fown.fioasync_socket", TCP3, CALL(ioctl, W(0), I(3), I(FIOASYNC), D(ONE)),
         CALL(fcntl, W(O_RDWR | O_ASYNC), I(3), I(F_GETFL)),
         CALL(ioctl, W(0), I(3), I(FIOASYNC), D("\0\0\0\0")),
         CALL(fcntl, W(O_RDWR), I(3), I(F_GETFL)),
         CALL(fcntl, W(0), I(3), I(F_SETFL), I(O_ASYNC)),
         CALL(fcntl, W(O_RDWR | O_ASYNC), I(3), I(F_GETFL)),
         CALL(ioctl, ERR(EFAULT), I(3), I(FIOASYNC), BAD(KERNEL))),
    CASE("fown.async_regular_file",
         CALL(open, W(3), S("f"), I(O_RDWR | O_CREAT | O_LARGEFILE_K), I(0644)),
         CALL(ioctl, ERR(ENOTTY), I(3), I(FIOASYNC), D(ONE)),
         CALL(ioctl, W(0), I(3), I(FIOASYNC), D("\0\0\0\0")),
         CALL(fcntl, W(0), I(3), I(F_SETFL), I(O_ASYNC)),
         CALL(fcntl, W(O_RDWR | O_LARGEFILE_K), I(3), I(F_GETFL)),
         CALL(ioctl, ERR(ENOTTY), I(3), I(FIOSETOWN), D("\0\0\0\0")),
         CALL(fcntl, W(0), I(3), I(F_SETOWN), I(0))),
    CASE("fown.fioasync_pipe", CALLO(pipe2, W(0), "\3\0\0\0\4\0\0\0", BUF(8), I(0)),
         CALL(ioctl, W(0), I(3), I(FIOASYNC), D(ONE)),
         CALL(fcntl, W(O_RDONLY | O_ASYNC), I(3), I(F_GETFL)),
         CALL(fcntl, W(0), I(4), I(F_SETFL), I(O_ASYNC)),
         CALL(fcntl, W(O_WRONLY | O_ASYNC), I(4), I(F_GETFL)),
         CALL(ioctl, W(0), I(4), I(FIOASYNC), D("\0\0\0\0")),
         CALL(fcntl, W(O_WRONLY), I(4), I(F_GETFL)),
         CALL(ioctl, ERR(ENOTTY), I(3), I(FIOSETOWN), D("\0\0\0\0"))),
    CASE("fown.o_path", CALL(open, W(3), S("."), I(O_PATH)),
         CALL(fcntl, ERR(EBADF), I(3), I(F_SETOWN), I(0)),
         CALL(fcntl, ERR(EBADF), I(3), I(F_GETOWN))),
    {NULL, NULL, 0, -1, {0}, 0, false},
};
