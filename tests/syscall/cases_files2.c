/*
 * cases_files2.c - resource limits as the descriptor table and the write path enforce them
 * (getrlimit, setrlimit, prlimit64: RLIMIT_NOFILE, RLIMIT_FSIZE); memfd_create and seals
 * (F_ADD_SEALS, F_GET_SEALS).
 *
 * Every expectation here is Linux's (the native runner checks it on each run). Each case
 * starts with descriptors 0, 1, 2 only, in a fresh process, so lowering a limit lasts for the
 * case alone.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mman.h>
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
#define MFD_SEAL 2 /* MFD_ALLOW_SEALING */
#define NAME249                                                                                    \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
_Static_assert(sizeof(NAME249) == 250, "249 bytes and the NUL");
/* A file "f" holding "0123456789", open read-write as 3 (its position at the end). */
#define FILE10                                                                                     \
    CALL(open, W(3), S("f"), I(RW_CREAT), I(0644)), CALL(write, W(10), I(3), D("0123456789"), I(10))
/* An in/out loff_t holding x. */
#define OFF(x) INOUT((const char *)(const long[]){(x)}, 8)
#define MMAP_RW(flags) CALL(mmap, OK, I(0), I(4096), I(PROT_READ | PROT_WRITE), I(flags), I(3), I(0))

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
    /* A memfd: O_RDWR|O_LARGEFILE, mode 0777 with no link, a regular file to read and write;
     * not sealable without MFD_ALLOW_SEALING (SEAL_SEAL set). */
    CASE("memfd.create", CALL(memfd_create, W(3), S("x"), I(0)),
         CALL(fcntl, W(O_RDWR | 0100000), I(3), I(F_GETFL)), CALL(fcntl, W(0), I(3), I(F_GETFD)),
         CALLAT(fstat, W(0), 16, "\0\0\0\0\0\0\0\0\xff\x81\0\0", I(3), BUF(144)),
         CALL(write, W(5), I(3), D("hello"), I(5)), CALL(lseek, W(0), I(3), I(0), I(SEEK_SET)),
         CALLO(read, W(5), "hello", I(3), BUF(16), I(16)), CALL(ftruncate, W(0), I(3), I(8192)),
         CALL(pread64, W(3), I(3), BUF(3), I(3), I(8000)),
         CALL(fcntl, W(F_SEAL_SEAL), I(3), I(F_GET_SEALS)),
         CALL(fcntl, ERR(EPERM), I(3), I(F_ADD_SEALS), I(F_SEAL_WRITE)),
         MMAP_RW(MAP_PRIVATE)),
    CASE("memfd.flags_and_names", CALL(memfd_create, ERR(EINVAL), S("x"), I(0x20)),
         CALL(memfd_create, ERR(EINVAL), S("x"), I(0x18)) /* EXEC with NOEXEC_SEAL */,
         CALL(memfd_create, ERR(EINVAL), S("x"), I(21 << 26)) /* a size without HUGETLB */,
         CALL(memfd_create, ERR(EINVAL), S(NAME249 "a"), I(0)),
         CALL(memfd_create, ERR(EINVAL), BAD(NULL), I(0x20)) /* flags first */,
         CALL(memfd_create, ERR(EFAULT), BAD(NULL), I(0)),
         CALL(memfd_create, W(3), S(NAME249), I(MFD_CLOEXEC)), CALL(fcntl, W(1), I(3), I(F_GETFD)),
         CALL(memfd_create, W(4), S(""), I(0x10)) /* MFD_EXEC */,
         CALL(memfd_create, W(5), S("a/b"), I(0x100000000)) /* flags are an int */),
    /* MFD_HUGETLB: Linux makes a hugetlbfs file; Petrel has no huge pages (deviations.h). */
    CASE("memfd.hugetlb", CALL(memfd_create, W(3), S("x"), I(MFD_HUGETLB))),
    /* MFD_NOEXEC_SEAL: mode 0666, sealable, SEAL_EXEC set: the exec bits cannot change. */
    CASE("memfd.noexec_seal", CALL(memfd_create, W(3), S("x"), I(8)),
         CALLAT(fstat, W(0), 24, "\xb6\x81\0\0", I(3), BUF(144)),
         CALL(fcntl, W(0x20), I(3), I(F_GET_SEALS)), CALL(fchmod, ERR(EPERM), I(3), I(0777)),
         CALL(fchmod, W(0), I(3), I(0644)),
         CALL(fcntl, W(0), I(3), I(F_ADD_SEALS), I(F_SEAL_GROW)),
         CALL(fcntl, W(0x24), I(3), I(F_GET_SEALS))),
    CASE("memfd.seal_shrink_grow", CALL(memfd_create, W(3), S("x"), I(MFD_SEAL)),
         CALL(fcntl, W(0), I(3), I(F_GET_SEALS)), CALL(write, W(11), I(3), D("hello world"), I(11)),
         CALL(fcntl, W(0), I(3), I(F_ADD_SEALS), I(F_SEAL_SHRINK)),
         CALL(ftruncate, ERR(EPERM), I(3), I(5)), CALL(ftruncate, W(0), I(3), I(20)),
         CALL(fcntl, W(0), I(3), I(F_ADD_SEALS), I(F_SEAL_GROW)),
         CALL(ftruncate, ERR(EPERM), I(3), I(30)), CALL(pwrite64, W(1), I(3), D("x"), I(1), I(19)),
         CALL(pwrite64, ERR(EPERM), I(3), D("xy"), I(2), I(19)) /* all or nothing */,
         CALL(fcntl, W(F_SEAL_SHRINK | F_SEAL_GROW), I(3), I(F_GET_SEALS)),
         CALL(fcntl, ERR(EINVAL), I(3), I(F_ADD_SEALS), I(0x100))),
    CASE("memfd.seal_write", CALL(memfd_create, W(3), S("x"), I(MFD_SEAL)),
         CALL(write, W(5), I(3), D("hello"), I(5)),
         CALL(fcntl, W(0), I(3), I(F_ADD_SEALS), I(F_SEAL_WRITE)),
         CALL(write, ERR(EPERM), I(3), D("x"), I(1)), CALL(write, W(0), I(3), D(""), I(0)),
         CALL(pwrite64, ERR(EPERM), I(3), D("x"), I(1), I(0)),
         CALL(ftruncate, W(0), I(3), I(10)) /* SEAL_WRITE allows a size change */,
         CALL(mmap, ERR(EPERM), I(0), I(4096), I(PROT_READ | PROT_WRITE), I(MAP_SHARED), I(3), I(0)),
         MMAP_RW(MAP_PRIVATE), CALL(fcntl, W(0), I(3), I(F_ADD_SEALS), I(F_SEAL_SEAL)),
         CALL(fcntl, ERR(EPERM), I(3), I(F_ADD_SEALS), I(0)),
         CALL(fcntl, W(F_SEAL_WRITE | F_SEAL_SEAL), I(3), I(F_GET_SEALS))),
    CASE("memfd.seal_future_write", CALL(memfd_create, W(3), S("x"), I(MFD_SEAL)),
         CALL(write, W(3), I(3), D("abc"), I(3)),
         CALL(fcntl, W(0), I(3), I(F_ADD_SEALS), I(F_SEAL_FUTURE_WRITE)),
         CALL(write, ERR(EPERM), I(3), D("x"), I(1)), CALL(ftruncate, W(0), I(3), I(1)),
         CALL(mmap, ERR(EPERM), I(0), I(4096), I(PROT_READ | PROT_WRITE), I(MAP_SHARED), I(3), I(0)),
         CALL(fcntl, W(F_SEAL_FUTURE_WRITE), I(3), I(F_GET_SEALS))),
    /* Seals are a memfs/tmpfs matter: a pipe or an eventfd has none. */
    CASE("memfd.seals_elsewhere", CALL(pipe2, W(0), BUF(8), I(0)),
         CALL(fcntl, ERR(EINVAL), I(3), I(F_GET_SEALS)),
         CALL(fcntl, ERR(EINVAL), I(4), I(F_ADD_SEALS), I(F_SEAL_SEAL)),
         CALL(eventfd2, W(5), I(0), I(0)), CALL(fcntl, ERR(EINVAL), I(5), I(F_GET_SEALS)),
         CALL(fcntl, ERR(EBADF), I(9), I(F_GET_SEALS))),
    /* sendfile: file -> pipe at the file's position, then at an offset (the position stays);
     * file -> file. */
    CASE("sendfile.to_pipe", FILE10, CALL(pipe2, W(0), BUF(8), I(0)),
         CALL(sendfile, W(0), I(5), I(3), I(0), I(4)) /* at the end */,
         CALL(lseek, W(0), I(3), I(0), I(SEEK_SET)), CALL(sendfile, W(4), I(5), I(3), I(0), I(4)),
         CALL(lseek, W(4), I(3), I(0), I(SEEK_CUR)),
         CALLO(sendfile, W(3), "\5\0\0\0\0\0\0\0", I(5), I(3), OFF(2), I(3)),
         CALL(lseek, W(4), I(3), I(0), I(SEEK_CUR)),
         CALLO(read, W(7), "0123234", I(4), BUF(16), I(16))),
    CASE("sendfile.file_to_file", FILE10, CALL(open, W(4), S("g"), I(RW_CREAT), I(0644)),
         CALL(sendfile, W(8), I(4), I(3), OFF(2), I(100)), CALL(lseek, W(8), I(4), I(0), I(SEEK_CUR)),
         CALL(pread64, W(8), I(4), BUF(16), I(16), I(0)),
         CALL(sendfile, W(0), I(4), I(3), OFF(100), I(5)) /* past the end */,
         CALL(sendfile, W(0), I(4), I(3), OFF(0), I(0))),
    CASE("sendfile.errors", FILE10, CALL(pipe2, W(0), BUF(8), I(0)),
         CALL(eventfd2, W(6), I(0), I(0)), CALL(open, W(7), S("."), I(O_RDONLY)),
         CALL(open, W(8), S("f"), I(O_RDONLY)), CALL(open, W(9), S("f"), I(O_WRONLY | O_APPEND)),
         CALL(sendfile, ERR(EINVAL), I(5), I(4), I(0), I(1)) /* from a pipe */,
         CALL(sendfile, ERR(EINVAL), I(3), I(6), I(0), I(1)) /* from an eventfd */,
         CALL(sendfile, ERR(EINVAL), I(6), I(3), OFF(0), I(1)) /* to an eventfd */,
         CALL(sendfile, ERR(EINVAL), I(3), I(7), I(0), I(1)) /* from a directory */,
         CALL(sendfile, ERR(EBADF), I(8), I(3), OFF(0), I(1)) /* to a read-only file */,
         CALL(sendfile, ERR(EBADF), I(3), I(9), OFF(0), I(1)) /* from a write-only one */),
    CASE("sendfile.errors2", FILE10, CALL(open, W(4), S("f"), I(O_WRONLY | O_APPEND)),
         CALL(sendfile, ERR(EINVAL), I(4), I(3), OFF(0), I(1)) /* to O_APPEND */,
         CALL(sendfile, ERR(EINVAL), I(3), I(3), OFF(-1), I(1)),
         CALL(sendfile, ERR(EFAULT), I(3), I(3), BAD(UNMAPPED), I(1)),
         CALL(sendfile, ERR(EFAULT), I(99), I(3), BAD(KERNEL), I(1)) /* the offset is read first */,
         CALL(sendfile, ERR(EBADF), I(99), I(3), I(0), I(1)),
         CALL(sendfile, ERR(EBADF), I(3), I(99), I(0), I(1)),
         CALL(sendfile, W(0), I(3), I(3), I(0), I(1)) /* same file, at its end */,
         CALL(sendfile, W(3), I(3), I(3), OFF(0), I(3))),
    CASE("copy_file_range.basic", FILE10, CALL(open, W(4), S("g"), I(RW_CREAT), I(0644)),
         CALL(copy_file_range, W(4), I(3), OFF(2), I(4), I(0), I(4), I(0)),
         CALL(lseek, W(10), I(3), I(0), I(SEEK_CUR)), CALL(lseek, W(4), I(4), I(0), I(SEEK_CUR)),
         CALLO(pread64, W(4), "2345", I(4), BUF(8), I(8), I(0)),
         CALL(copy_file_range, W(0), I(3), I(0), I(4), I(0), I(4), I(0)) /* at the end */,
         CALLO(copy_file_range, W(2), "\xa\0\0\0\0\0\0\0", I(3), OFF(8), I(4), I(0), I(4), I(0)),
         CALL(copy_file_range, W(0), I(3), I(0), I(4), I(0), I(0), I(0)),
         CALL(copy_file_range, W(4), I(3), OFF(0), I(3), OFF(4), I(4), I(0)) /* one file */,
         CALL(copy_file_range, ERR(EINVAL), I(3), OFF(0), I(3), OFF(2), I(4), I(0)) /* overlap */),
    CASE("copy_file_range.errors", FILE10, CALL(pipe2, W(0), BUF(8), I(0)),
         CALL(open, W(6), S("."), I(O_RDONLY)), CALL(open, W(7), S("f"), I(O_RDONLY)),
         CALL(open, W(8), S("f"), I(O_WRONLY | O_APPEND)),
         CALL(copy_file_range, ERR(EINVAL), I(3), I(0), I(3), I(0), I(4), I(1)) /* flags */,
         CALL(copy_file_range, ERR(EINVAL), I(4), I(0), I(3), I(0), I(4), I(0)) /* a pipe */,
         CALL(copy_file_range, ERR(EINVAL), I(3), I(0), I(5), I(0), I(4), I(0)),
         CALL(copy_file_range, ERR(EISDIR), I(6), I(0), I(3), I(0), I(4), I(0)),
         CALL(copy_file_range, ERR(EBADF), I(7), I(0), I(7), I(0), I(4), I(0)) /* read-only */,
         CALL(copy_file_range, ERR(EBADF), I(3), I(0), I(8), I(0), I(4), I(0)) /* O_APPEND */,
         CALL(copy_file_range, ERR(EBADF), I(99), I(0), I(3), I(0), I(4), I(0)),
         CALL(copy_file_range, ERR(EFAULT), I(3), BAD(UNMAPPED), I(3), I(0), I(4), I(0)),
         CALL(copy_file_range, ERR(EFAULT), I(3), I(0), I(3), BAD(KERNEL), I(4), I(0))),
    /* flock: locks belong to open file descriptions; two opens of one file conflict, a dup
     * shares the lock, conversion and unlock, the last close releases. */
    CASE("flock.two_descriptions", FILE10, CALL(open, W(4), S("f"), I(O_RDONLY)),
         CALL(flock, W(0), I(3), I(LOCK_EX)), CALL(flock, ERR(EAGAIN), I(4), I(LOCK_EX | LOCK_NB)),
         CALL(flock, ERR(EAGAIN), I(4), I(LOCK_SH | LOCK_NB)), CALL(flock, W(0), I(3), I(LOCK_EX)),
         CALL(flock, W(0), I(3), I(LOCK_SH)) /* converted */,
         CALL(flock, W(0), I(4), I(LOCK_SH | LOCK_NB)),
         CALL(flock, ERR(EAGAIN), I(3), I(LOCK_EX | LOCK_NB)), CALL(flock, W(0), I(4), I(LOCK_UN)),
         CALL(flock, W(0), I(3), I(LOCK_EX | LOCK_NB)), CALL(flock, W(0), I(4), I(LOCK_UN))),
    CASE("flock.dup_and_close", FILE10, CALL(open, W(4), S("f"), I(O_RDONLY)),
         CALL(dup, W(5), I(3)), CALL(flock, W(0), I(5), I(LOCK_EX)),
         CALL(close, W(0), I(5)) /* 3 still holds the description */,
         CALL(flock, ERR(EAGAIN), I(4), I(LOCK_SH | LOCK_NB)), CALL(dup, W(5), I(3)),
         CALL(flock, W(0), I(5), I(LOCK_UN)) /* through the dup */,
         CALL(flock, W(0), I(4), I(LOCK_EX | LOCK_NB)),
         CALL(flock, ERR(EAGAIN), I(3), I(LOCK_SH | LOCK_NB)), CALL(close, W(0), I(4)),
         CALL(flock, W(0), I(3), I(LOCK_SH | LOCK_NB)) /* released by the last close */),
    CASE("flock.errors", FILE10, CALL(flock, ERR(EBADF), I(99), I(LOCK_EX)),
         CALL(flock, ERR(EINVAL), I(3), I(0)), CALL(flock, ERR(EINVAL), I(3), I(LOCK_NB)),
         CALL(flock, ERR(EINVAL), I(3), I(LOCK_SH | LOCK_EX)), CALL(flock, W(0), I(3), I(32)) /* LOCK_MAND: ignored */,
         CALL(flock, W(0), I(3), I(LOCK_UN)) /* nothing held */,
         CALL(open, W(4), S("f"), I(O_PATH)), CALL(flock, ERR(EBADF), I(4), I(LOCK_SH)),
         CALL(pipe2, W(0), BUF(8), I(0)), CALL(flock, W(0), I(5), I(LOCK_EX | LOCK_NB))),
    {NULL, NULL, 0, -1, {0}, 0, false},
};
