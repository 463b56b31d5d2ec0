/*
 * cases_files2.c - resource limits as the descriptor table and the write path enforce them
 * (getrlimit, setrlimit, prlimit64: RLIMIT_NOFILE, RLIMIT_FSIZE), and the file calls added
 * with them.
 *
 * Every expectation here is Linux's (the native runner checks it on each run). Each case
 * starts with descriptors 0, 1, 2 only, in a fresh process, so lowering a limit lasts for the
 * case alone.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sc.h"

#define RW_CREAT (O_RDWR | O_CREAT)
#define RLIM(cur, max)                                                                             \
    {                                                                                              \
        SA_DATA, 0, (const char *)(const unsigned long[]){(cur), (max)}, 16, 0, NULL               \
    }
#define MASK(m)                                                                                    \
    {                                                                                              \
        SA_DATA, 0, (const char *)(const unsigned long[]){(m)}, 8, 0, NULL                         \
    }
/* struct kernel_sigaction {SIG_IGN, 0, 0, 0} */
#define IGN_ACT                                                                                    \
    {                                                                                              \
        SA_DATA, 0, (const char *)(const unsigned long[]){1, 0, 0, 0}, 32, 0, NULL                 \
    }
#define XFSZ_BIT (1UL << (SIGXFSZ - 1))

const struct sc_case sc_cases_files2[] = {
    CASE("rlimit.setrlimit_errors", CALL(setrlimit, ERR(EINVAL), I(99), RLIM(1, 1)),
         CALL(setrlimit, ERR(EFAULT), I(RLIMIT_NOFILE), I(0)),
         CALL(setrlimit, ERR(EFAULT), I(99), I(0)), /* copied before the number is checked */
         CALL(setrlimit, ERR(EINVAL), I(RLIMIT_CORE), RLIM(10, 5)),
         CALL(setrlimit, ERR(EPERM), I(RLIMIT_NOFILE), RLIM(5, 1UL << 30)), /* > nr_open */
         CALL(setrlimit, ERR(EPERM), I(RLIMIT_NOFILE), RLIM(5, RLIM_INFINITY)),
         CALL(getrlimit, ERR(EFAULT), I(RLIMIT_CORE), I(0)),
         CALL(getrlimit, ERR(EINVAL), I(99), I(0))),
    CASE("rlimit.set_get", CALL(setrlimit, W(0), I(RLIMIT_CORE), RLIM(3, 7)),
         CALLO(getrlimit, W(0), "\3\0\0\0\0\0\0\0\7\0\0\0\0\0\0\0", I(RLIMIT_CORE), BUF(16)),
         CALLO(prlimit64, W(0), "\3\0\0\0\0\0\0\0\7\0\0\0\0\0\0\0", I(0), I(RLIMIT_CORE),
               RLIM(5, 6), BUF(16)),
         CALLO(getrlimit, W(0), "\5\0\0\0\0\0\0\0\6\0\0\0\0\0\0\0", I(RLIMIT_CORE), BUF(16)),
         CALL(prlimit64, ERR(EFAULT), I(0), I(RLIMIT_CORE), I(8), I(0)),
         CALL(prlimit64, ERR(EFAULT), I(0x3fffffff), I(RLIMIT_CORE), I(8), I(0)),
         CALL(prlimit64, ERR(EINVAL), I(0), I(99), RLIM(1, 1), I(0))),
    /* The new limit is in force even when the old one cannot be written back. */
    CASE("rlimit.prlimit_bad_old", CALL(prlimit64, ERR(EFAULT), I(0), I(RLIMIT_CORE), RLIM(2, 2),
                                        BAD(UNMAPPED)),
         CALLO(getrlimit, W(0), "\2\0\0\0\0\0\0\0\2\0\0\0\0\0\0\0", I(RLIMIT_CORE), BUF(16))),
    /* RLIMIT_NOFILE 4: descriptors 0..3 only. */
    CASE("rlimit.nofile", CALL(setrlimit, W(0), I(RLIMIT_NOFILE), RLIM(4, 4)),
         CALL(open, W(3), S("."), I(O_RDONLY)), CALL(open, ERR(EMFILE), S("."), I(O_RDONLY)),
         CALL(dup, ERR(EMFILE), I(0)), CALL(dup2, ERR(EBADF), I(0), I(4)),
         CALL(dup3, ERR(EBADF), I(0), I(4), I(0)), CALL(fcntl, ERR(EINVAL), I(0), I(F_DUPFD), I(4)),
         CALL(fcntl, ERR(EMFILE), I(0), I(F_DUPFD), I(3)),
         CALL(eventfd2, ERR(EMFILE), I(0), I(0)), CALL(close, W(0), I(3)),
         CALL(pipe2, ERR(EMFILE), BUF(8), I(0)) /* two needed, one free */,
         CALL(eventfd2, W(3), I(0), I(0))),
    /* Lowered below open descriptors: those stay usable, nothing new goes above. (The hard
     * limit is never raised here: the native runner may lack CAP_SYS_RESOURCE.) */
    CASE("rlimit.nofile_lowered", CALL(open, W(3), S("."), I(O_RDONLY)),
         CALL(open, W(4), S("."), I(O_RDONLY)), CALL(setrlimit, W(0), I(RLIMIT_NOFILE), RLIM(2, 5)),
         CALL(fcntl, W(0), I(4), I(F_GETFD)), CALL(dup2, W(4), I(4), I(4)),
         CALL(dup2, ERR(EBADF), I(3), I(4)), CALL(dup, ERR(EMFILE), I(4)),
         CALL(close, W(0), I(4)), CALL(setrlimit, W(0), I(RLIMIT_NOFILE), RLIM(5, 5)),
         CALL(dup, W(4), I(0)) /* 3 is still open */),
    CASE("rlimit.nofile_zero", CALL(setrlimit, W(0), I(RLIMIT_NOFILE), RLIM(0, 0)),
         CALL(dup, ERR(EMFILE), I(0)), CALL(fcntl, ERR(EINVAL), I(0), I(F_DUPFD), I(0)),
         CALL(dup2, W(0), I(0), I(0)), CALL(dup2, ERR(EBADF), I(0), I(1)),
         CALL(open, ERR(EMFILE), S("."), I(O_RDONLY))),
    /* RLIMIT_FSIZE 10 with SIGXFSZ ignored: writes cut at the limit, then -EFBIG. */
    CASE("rlimit.fsize", CALL(rt_sigaction, W(0), I(SIGXFSZ), IGN_ACT, I(0), I(8)),
         CALL(prlimit64, W(0), I(0), I(RLIMIT_FSIZE), RLIM(10, RLIM_INFINITY), I(0)),
         CALL(open, W(3), S("f"), I(RW_CREAT), I(0644)), CALL(write, W(7), I(3), D("0123456"), I(7)),
         CALL(write, W(3), I(3), D("0123456"), I(7)), CALL(write, ERR(EFBIG), I(3), D("0"), I(1)),
         CALL(write, W(0), I(3), D(""), I(0)), CALL(pwrite64, W(1), I(3), D("ab"), I(2), I(9)),
         CALL(pwrite64, ERR(EFBIG), I(3), D("ab"), I(2), I(10)),
         CALL(ftruncate, W(0), I(3), I(10)), CALL(ftruncate, ERR(EFBIG), I(3), I(11)),
         CALL(ftruncate, W(0), I(3), I(4))),
    /* O_APPEND starts at the end, the limit counts from there; a lowered limit still lets a
     * file shrink. */
    CASE("rlimit.fsize_append", CALL(rt_sigaction, W(0), I(SIGXFSZ), IGN_ACT, I(0), I(8)),
         CALL(open, W(3), S("f"), I(RW_CREAT), I(0644)), CALL(write, W(6), I(3), D("012345"), I(6)),
         CALL(setrlimit, W(0), I(RLIMIT_FSIZE), RLIM(8, RLIM_INFINITY)),
         CALL(open, W(4), S("f"), I(O_WRONLY | O_APPEND)),
         CALL(write, W(2), I(4), D("abcd"), I(4)), CALL(write, ERR(EFBIG), I(4), D("abcd"), I(4)),
         CALL(setrlimit, W(0), I(RLIMIT_FSIZE), RLIM(0, RLIM_INFINITY)),
         CALL(ftruncate, W(0), I(3), I(2)), CALL(ftruncate, ERR(EFBIG), I(3), I(3))),
    /* SIGXFSZ is sent: blocked, it is left pending. Pipes have no size limit. */
    CASE("rlimit.fsize_sigxfsz", CALL(rt_sigprocmask, W(0), I(SIG_BLOCK), MASK(XFSZ_BIT), I(0), I(8)),
         CALL(setrlimit, W(0), I(RLIMIT_FSIZE), RLIM(0, RLIM_INFINITY)),
         CALL(open, W(3), S("f"), I(RW_CREAT), I(0644)),
         CALLO(rt_sigpending, W(0), "\0\0\0\0", BUF(8), I(8)),
         CALL(write, ERR(EFBIG), I(3), D("x"), I(1)),
         CALLO(rt_sigpending, W(0), "\0\0\0\1", BUF(8), I(8)),
         CALL(pipe2, W(0), BUF(8), I(0)), CALL(write, W(3), I(5), D("abc"), I(3))),
    {NULL, NULL, 0, -1, {0}, 0, false},
};
