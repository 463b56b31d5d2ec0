/*
 * cases_locks.c - fcntl(2) record locks: POSIX locks (F_GETLK, F_SETLK, F_SETLKW) and open
 * file description locks (F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW).
 *
 * A case runs in one process, so POSIX locks never conflict with each other here: what a
 * test can see is how they meet OFD locks (which conflict with POSIX locks and with other
 * descriptions' OFD locks), and F_OFD_GETLK from another description shows the POSIX
 * records as the kernel keeps them (merged, split, trimmed). Reported l_pid: -1 for an OFD
 * lock; the process's pid for a POSIX lock, which differs between runs, so those checks stop
 * before l_pid (the first 24 bytes). Every expectation is Linux's (the native runner checks
 * it on each run). Blocking (F_SETLKW between threads): tests/hosted/test_locks.c.
 * Also here: memfd's F_SEAL_WRITE against shared mappings (-EBUSY while one through a
 * writable description exists, whatever its protection; private mappings do not count).
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sc.h"

/* A file "f" holding "0123456789", open read-write as 3 (its position at the end). */
#define FILE10                                                                                     \
    CALL(open, W(3), S("f"), I(O_RDWR | O_CREAT), I(0644)),                                        \
        CALL(write, W(10), I(3), D("0123456789"), I(10))
/* Only "f" open read-write as 3, empty. */
#define FILE0 CALL(open, W(3), S("f"), I(O_RDWR | O_CREAT), I(0644))
#define OPEN(fd, flags) CALL(open, W(fd), S("f"), I(flags))
/* A struct flock in user memory, read and written by the call. */
#define FLOCK(type, whence, start, len, pid)                                                       \
    ((const char *)&(const struct flock){.l_type = (type),                                         \
                                         .l_whence = (whence),                                     \
                                         .l_start = (start),                                       \
                                         .l_len = (len),                                           \
                                         .l_pid = (pid)})
#define FL(type, whence, start, len, pid) INOUT(FLOCK(type, whence, start, len, pid), 32)
/* fcntl(fd, cmd, &flock) giving want. */
#define LK(want_, fd, cmd, type, whence, start, len, pid)                                          \
    {                                                                                              \
        SYS_fcntl, "fcntl", want_, NULL, 0, 0,                                                     \
        {                                                                                          \
            I(fd), I(cmd), FL(type, whence, start, len, pid)                                       \
        }                                                                                          \
    }
#define SETW(fd, start, len) LK(W(0), fd, F_SETLK, F_WRLCK, SEEK_SET, start, len, 0)
#define SETR(fd, start, len) LK(W(0), fd, F_SETLK, F_RDLCK, SEEK_SET, start, len, 0)
/* An F_GETLK form that must leave the struct as {type, SEEK_SET, start, len, pid}: n = 32
 * checks every byte, 24 stops before l_pid (a POSIX lock's: the pid of the run). */
#define GETLK(fd, cmd, qtype, n, type, start, len, pid)                                            \
    {                                                                                              \
        SYS_fcntl, "fcntl", W(0), FLOCK(type, SEEK_SET, start, len, pid), (n), 0,                  \
        {                                                                                          \
            I(fd), I(cmd), FL(qtype, SEEK_SET, 0, 0, 0)                                            \
        }                                                                                          \
    }
/* F_OFD_GETLK of a write lock over the whole file from fd: nothing conflicts (l_type
 * F_UNLCK, the rest as given). */
#define FREE(fd) GETLK(fd, F_OFD_GETLK, F_WRLCK, 32, F_UNLCK, 0, 0, 0)

const struct sc_case sc_cases_locks[] = {
    CASE("locks.errors", FILE0, LK(ERR(EBADF), 99, F_SETLK, F_RDLCK, SEEK_SET, 0, 0, 0),
         CALL(fcntl, ERR(EFAULT), I(3), I(F_SETLK), BAD(NULL)),
         CALL(fcntl, ERR(EFAULT), I(3), I(F_GETLK), BAD(UNMAPPED)),
         CALL(fcntl, ERR(EFAULT), I(3), I(F_OFD_SETLKW), BAD(KERNEL)),
         LK(ERR(EINVAL), 3, F_SETLK, 5, SEEK_SET, 0, 0, 0),
         LK(ERR(EINVAL), 3, F_GETLK, F_UNLCK, SEEK_SET, 0, 0, 0),
         LK(ERR(EINVAL), 3, F_SETLK, F_RDLCK, 3, 0, 0, 0),
         CALL(open, W(4), S("."), I(O_RDONLY | O_DIRECTORY)), SETR(4, 0, 0) /* a directory */,
         LK(ERR(EBADF), 4, F_SETLK, F_WRLCK, SEEK_SET, 0, 0, 0)),
    CASE("locks.range", FILE10, LK(ERR(EINVAL), 3, F_SETLK, F_RDLCK, SEEK_SET, -1, 1, 0),
         LK(ERR(EINVAL), 3, F_SETLKW, F_RDLCK, SEEK_SET, 5, -6, 0),
         LK(ERR(EOVERFLOW), 3, F_SETLK, F_RDLCK, SEEK_SET, INT64_MAX, 2, 0),
         LK(W(0), 3, F_SETLK, F_RDLCK, SEEK_SET, INT64_MAX, 1, 0),
         LK(ERR(EINVAL), 3, F_SETLK, F_RDLCK, SEEK_END, -11, 1, 0),
         LK(ERR(EOVERFLOW), 3, F_SETLK, F_WRLCK, SEEK_CUR, INT64_MAX - 9, 1, 0),
         LK(W(0), 3, F_SETLK, F_WRLCK, SEEK_CUR, INT64_MAX - 10, 1, 0)),
    /* Range errors come before the type's, the type's before the open mode's (-EBADF),
     * that before an OFD request's l_pid; F_GETLK checks the type first. */
    CASE("locks.check_order", FILE0, OPEN(4, O_RDONLY),
         LK(ERR(EOVERFLOW), 4, F_SETLK, 9, SEEK_SET, INT64_MAX, 2, 0),
         LK(ERR(EOVERFLOW), 4, F_SETLK, F_WRLCK, SEEK_SET, INT64_MAX, 2, 0),
         LK(ERR(EINVAL), 4, F_SETLK, 9, SEEK_SET, 0, 0, 0),
         LK(ERR(EBADF), 4, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 0, 7),
         LK(ERR(EINVAL), 4, F_OFD_SETLK, F_RDLCK, SEEK_SET, 0, 0, 7),
         LK(ERR(EINVAL), 3, F_GETLK, 9, SEEK_SET, INT64_MAX, 2, 0),
         LK(ERR(EOVERFLOW), 3, F_GETLK, F_RDLCK, SEEK_SET, INT64_MAX, 2, 0),
         LK(ERR(EINVAL), 3, F_OFD_GETLK, F_RDLCK, SEEK_SET, -1, 0, 7),
         LK(ERR(EINVAL), 3, F_OFD_SETLKW, F_UNLCK, SEEK_SET, 0, 0, 1),
         LK(W(0), 3, F_OFD_SETLK, F_UNLCK, SEEK_SET, 0, 0, 0)),
    /* The lock type must fit the open mode (F_UNLCK and F_GETLK need nothing); an O_PATH
     * descriptor has no locks at all. */
    CASE("locks.open_mode", FILE0, OPEN(4, O_RDONLY), OPEN(5, O_WRONLY), OPEN(6, O_PATH),
         LK(ERR(EBADF), 4, F_SETLK, F_WRLCK, SEEK_SET, 0, 1, 0),
         LK(ERR(EBADF), 5, F_SETLKW, F_RDLCK, SEEK_SET, 0, 1, 0),
         LK(W(0), 4, F_SETLK, F_UNLCK, SEEK_SET, 0, 1, 0),
         LK(ERR(EBADF), 6, F_SETLK, F_UNLCK, SEEK_SET, 0, 1, 0),
         GETLK(4, F_GETLK, F_WRLCK, 32, F_UNLCK, 0, 0, 0),
         LK(ERR(EBADF), 6, F_GETLK, F_RDLCK, SEEK_SET, 0, 1, 0)),
    /* POSIX and OFD locks conflict (both ways); POSIX locks of one process never do; an OFD
     * lock reports l_pid -1, a POSIX lock the pid. */
    CASE("locks.posix_vs_ofd", FILE10, OPEN(4, O_RDWR), SETW(3, 0, 5),
         GETLK(4, F_OFD_GETLK, F_RDLCK, 24, F_WRLCK, 0, 5, 0),
         LK(ERR(EAGAIN), 4, F_OFD_SETLK, F_RDLCK, SEEK_SET, 2, 2, 0),
         LK(W(0), 4, F_OFD_SETLKW, F_WRLCK, SEEK_SET, 5, 0, 0),
         GETLK(3, F_GETLK, F_RDLCK, 32, F_WRLCK, 5, 0, -1),
         GETLK(4, F_GETLK, F_RDLCK, 32, F_WRLCK, 5, 0, -1) /* POSIX: its own OFD lock too */,
         LK(ERR(EAGAIN), 3, F_SETLK, F_RDLCK, SEEK_SET, 6, 1, 0), SETW(4, 0, 5) /* same owner */,
         GETLK(4, F_OFD_GETLK, F_RDLCK, 24, F_WRLCK, 0, 5, 0)),
    /* Any close of the file by the process drops its POSIX locks there (not an O_PATH
     * descriptor's close); OFD locks stay while their description lives. */
    CASE("locks.close_releases", FILE10, SETW(3, 0, 5), OPEN(4, O_RDONLY), OPEN(5, O_PATH),
         OPEN(6, O_RDWR), LK(W(0), 6, F_OFD_SETLK, F_WRLCK, SEEK_SET, 7, 1, 0),
         CALL(close, W(0), I(5)), GETLK(6, F_OFD_GETLK, F_WRLCK, 24, F_WRLCK, 0, 5, 0),
         CALL(close, W(0), I(4)), FREE(6), LK(ERR(EAGAIN), 3, F_SETLK, F_WRLCK, SEEK_SET, 0, 0, 0)),
    CASE("locks.dup2_releases", FILE10, SETR(3, 2, 2), OPEN(4, O_RDWR), OPEN(5, O_RDWR),
         GETLK(5, F_OFD_GETLK, F_WRLCK, 24, F_RDLCK, 2, 2, 0), CALL(dup2, W(4), I(5), I(4)),
         FREE(5)),
    /* Touching locks of one type merge, another type splits or trims them; unlocking with a
     * negative length covers [start + len, start - 1]. */
    CASE("locks.merge_split", FILE0, OPEN(4, O_RDWR), SETR(3, 0, 4), SETR(3, 4, 4),
         GETLK(4, F_OFD_GETLK, F_WRLCK, 24, F_RDLCK, 0, 8, 0), SETW(3, 2, 2),
         GETLK(4, F_OFD_GETLK, F_WRLCK, 24, F_RDLCK, 0, 2, 0),
         GETLK(4, F_OFD_GETLK, F_RDLCK, 24, F_WRLCK, 2, 2, 0),
         LK(W(0), 3, F_SETLK, F_UNLCK, SEEK_SET, 0, 3, 0),
         GETLK(4, F_OFD_GETLK, F_WRLCK, 24, F_WRLCK, 3, 1, 0),
         LK(W(0), 3, F_SETLK, F_UNLCK, SEEK_SET, 8, -5, 0), FREE(4)),
    CASE("locks.merge_types", FILE10, OPEN(4, O_RDWR), SETR(3, 10, 0), SETW(3, 0, 3),
         SETW(3, 3, 7) /* merges with [0,2] */, SETW(3, 20, 5),
         GETLK(4, F_OFD_GETLK, F_RDLCK, 24, F_WRLCK, 0, 10, 0),
         GETLK(4, F_OFD_GETLK, F_WRLCK, 24, F_WRLCK, 0, 10, 0), SETR(3, 0, 0) /* all read */,
         GETLK(4, F_OFD_GETLK, F_WRLCK, 24, F_RDLCK, 0, 0, 0), 
         GETLK(3, F_OFD_GETLK, F_WRLCK, 24, F_RDLCK, 0, 0, 0) /* OFD: another owner */),
    /* Two descriptions' OFD locks conflict; a dup shares its description's; they go with the
     * description's last descriptor. */
    CASE("locks.ofd_descriptions", FILE0, OPEN(4, O_RDWR), OPEN(5, O_RDWR),
         LK(W(0), 4, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 0, 0), CALL(dup, W(6), I(4)),
         LK(ERR(EAGAIN), 5, F_OFD_SETLK, F_RDLCK, SEEK_SET, 9, 1, 0),
         LK(W(0), 6, F_OFD_SETLK, F_RDLCK, SEEK_SET, 0, 0, 0) /* same description */, FREE(6),
         CALL(close, W(0), I(4)), GETLK(5, F_OFD_GETLK, F_WRLCK, 32, F_RDLCK, 0, 0, -1),
         CALL(close, W(0), I(6)), FREE(5)),
    /* l_whence: SEEK_CUR from the position, SEEK_END from the size. */
    CASE("locks.whence", FILE10, OPEN(4, O_RDWR), CALL(lseek, W(3), I(3), I(3), I(SEEK_SET)),
         LK(W(0), 3, F_SETLK, F_WRLCK, SEEK_CUR, 1, 1, 0),
         GETLK(4, F_OFD_GETLK, F_WRLCK, 24, F_WRLCK, 4, 1, 0),
         LK(W(0), 3, F_SETLK, F_UNLCK, SEEK_SET, 0, 0, 0),
         LK(W(0), 3, F_SETLK, F_RDLCK, SEEK_END, -2, 0, 0),
         GETLK(4, F_OFD_GETLK, F_WRLCK, 24, F_RDLCK, 8, 0, 0),
         LK(W(0), 3, F_SETLK, F_UNLCK, SEEK_END, 0, -3, 0),
         GETLK(4, F_OFD_GETLK, F_WRLCK, 24, F_RDLCK, 10, 0, 0),
         LK(ERR(EINVAL), 3, F_SETLK, F_UNLCK, SEEK_CUR, -4, 0, 0)),
    /* Both ends of a pipe are one file for locks; flock(2) and fcntl locks never meet. */
    CASE("locks.pipe_and_flock", FILE10, CALL(pipe2, W(0), BUF(8), I(0)), SETR(4, 0, 0),
         SETW(5, 0, 0), LK(ERR(EAGAIN), 5, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 0, 0),
         GETLK(4, F_OFD_GETLK, F_RDLCK, 24, F_WRLCK, 0, 0, 0), OPEN(6, O_RDWR),
         CALL(flock, W(0), I(6), I(LOCK_EX)),
         LK(W(0), 3, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 0, 0),
         CALL(flock, ERR(EAGAIN), I(3), I(LOCK_SH | LOCK_NB)), CALL(flock, W(0), I(6), I(LOCK_UN))),
    CASE("memfd.seal_write_busy", CALL(memfd_create, W(3), S("m"), I(MFD_ALLOW_SEALING)),
         CALL(ftruncate, W(0), I(3), I(8192)),
         CALL(mmap, OK, I(0), I(4096), I(PROT_READ), I(MAP_SHARED), I(3), I(0)),
         CALL(fcntl, ERR(EBUSY), I(3), I(F_ADD_SEALS), I(F_SEAL_WRITE)),
         CALL(munmap, W(0), R(2), I(4096)),
         CALL(mmap, OK, I(0), I(8192), I(PROT_READ | PROT_WRITE), I(MAP_SHARED), I(3), I(0)),
         CALL(fcntl, ERR(EBUSY), I(3), I(F_ADD_SEALS), I(F_SEAL_WRITE | F_SEAL_SHRINK)),
         CALL(fcntl, W(0), I(3), I(F_GET_SEALS)), CALL(munmap, W(0), R(5), I(4096)),
         CALL(fcntl, ERR(EBUSY), I(3), I(F_ADD_SEALS), I(F_SEAL_WRITE)) /* half still mapped */,
         CALL(munmap, W(0), RP(5, 4096), I(4096)),
         CALL(fcntl, W(0), I(3), I(F_ADD_SEALS), I(F_SEAL_WRITE))),
    CASE("memfd.seal_write_private",
         CALL(memfd_create, W(3), S("m"), I(MFD_ALLOW_SEALING)),
         CALL(ftruncate, W(0), I(3), I(4096)),
         CALL(mmap, OK, I(0), I(4096), I(PROT_READ | PROT_WRITE), I(MAP_PRIVATE), I(3), I(0)),
         CALL(fcntl, W(0), I(3), I(F_ADD_SEALS), I(F_SEAL_FUTURE_WRITE)),
         CALL(fcntl, W(0), I(3), I(F_ADD_SEALS), I(F_SEAL_WRITE)),
         CALL(fcntl, W(F_SEAL_WRITE | F_SEAL_FUTURE_WRITE), I(3), I(F_GET_SEALS))),
    {NULL, NULL, 0, -1, SC_NO_ARG, 0, 0},
};
