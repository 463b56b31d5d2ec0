/*
 * cases_templates.c - one valid call per pointer- or flags-taking syscall, safe to run for
 * real, as the last step after its setup steps. sc_gen.c derives the bad-pointer and
 * unknown-flag cases from them (by syscalls.def's argument kinds); the templates run too,
 * as written cases. Add one when a syscall with a pointer or flags argument is implemented.
 */
#include <asm/prctl.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "sc.h"

#define FILE3                                                                                      \
    CALL(open, W(3), S("f"), I(O_RDWR | O_CREAT), I(0644)), CALL(write, W(4), I(3), D("abcd"), I(4))
#define DIRD CALL(mkdir, W(0), S("d"), I(0755))
#define LINK CALL(symlink, W(0), S("f"), S("l"))
#define TS(sec, nsec)                                                                              \
    {                                                                                              \
        SA_DATA, 0, (const char *)(const long[]){(sec), (nsec)}, 16, 0, NULL                       \
    }
#define DATA(n, ...)                                                                               \
    {                                                                                              \
        SA_DATA, 0, (const char *)(const unsigned long[]){__VA_ARGS__}, (n), 0, NULL               \
    }

const struct sc_case sc_templates[] = {
    CASE("t.read", FILE3, CALL(pread64, W(4), I(3), BUF(4), I(4), I(0)),
         CALL(lseek, W(0), I(3), I(0), I(SEEK_SET)), CALL(read, W(4), I(3), BUF(8), I(8))),
    CASE("t.write", FILE3, CALL(write, W(4), I(3), D("wxyz"), I(4))),
    CASE("t.open", FILE3, CALL(open, W(4), S("f"), I(O_RDONLY), I(0))),
    CASE("t.stat", FILE3, CALL(stat, W(0), S("f"), BUF(144))),
    CASE("t.fstat", FILE3, CALL(fstat, W(0), I(3), BUF(144))),
    CASE("t.lstat", FILE3, CALL(lstat, W(0), S("f"), BUF(144))),
    CASE("t.mmap",
         CALL(mmap, OK, I(0), I(4096), I(PROT_READ), I(MAP_PRIVATE | MAP_ANONYMOUS), I(-1), I(0))),
    CASE("t.mprotect",
         CALL(mmap, OK, I(0), I(4096), I(PROT_READ), I(MAP_PRIVATE | MAP_ANONYMOUS), I(-1), I(0)),
         CALL(mprotect, W(0), R(0), I(4096), I(PROT_READ | PROT_WRITE))),
    CASE("t.mremap",
         CALL(mmap, OK, I(0), I(4096), I(PROT_READ), I(MAP_PRIVATE | MAP_ANONYMOUS), I(-1), I(0)),
         CALL(mremap, OK, R(0), I(4096), I(8192), I(MREMAP_MAYMOVE), I(0))),
    CASE("t.msync",
         CALL(mmap, OK, I(0), I(4096), I(PROT_READ), I(MAP_PRIVATE | MAP_ANONYMOUS), I(-1), I(0)),
         CALL(msync, W(0), R(0), I(4096), I(MS_SYNC))),
    CASE("t.mlock2",
         CALL(mmap, OK, I(0), I(4096), I(PROT_READ), I(MAP_PRIVATE | MAP_ANONYMOUS), I(-1), I(0)),
         CALL(mlock2, W(0), R(0), I(4096), I(MLOCK_ONFAULT))),
    CASE("t.mlockall", CALL(mlockall, W(0), I(MCL_FUTURE)), CALL(munlockall, W(0), I(0))),
    CASE("t.rt_sigaction",
         CALL(rt_sigaction, W(0), I(SIGUSR1), DATA(32, 1, 0, 0, 0), BUF(32), I(8))),
    CASE("t.rt_sigprocmask", CALL(rt_sigprocmask, W(0), I(SIG_BLOCK), DATA(8, 0), BUF(8), I(8))),
    CASE("t.ioctl_fionbio", FILE3, CALL(ioctl, W(0), I(3), I(FIONBIO), D("\0\0\0\0"))),
    CASE("t.pread64", FILE3, CALL(pread64, W(4), I(3), BUF(8), I(8), I(0))),
    CASE("t.pwrite64", FILE3, CALL(pwrite64, W(2), I(3), D("zz"), I(2), I(1))),
    CASE("t.readv", FILE3, CALL(lseek, W(0), I(3), I(0), I(SEEK_SET)),
         CALL(readv, W(4), I(3), IOV(2, BUF(2), I(2), BUF(6), I(6)), I(2))),
    CASE("t.writev", FILE3, CALL(writev, W(3), I(3), IOV(2, D("a"), I(1), D("bc"), I(2)), I(2))),
    CASE("t.access", FILE3, CALL(access, W(0), S("f"), I(R_OK))),
    CASE("t.nanosleep", CALL(nanosleep, W(0), TS(0, 1), BUF(16))),
    CASE("t.uname", CALL(uname, W(0), BUF(390))),
    CASE("t.getcwd", CALL(getcwd, OK, BUF(4096), I(4096))),
    CASE("t.chdir", DIRD, CALL(chdir, W(0), S("d"))),
    CASE("t.rename", FILE3, CALL(rename, W(0), S("f"), S("g"))),
    CASE("t.mkdir", CALL(mkdir, W(0), S("d"), I(0755))),
    CASE("t.rmdir", DIRD, CALL(rmdir, W(0), S("d"))),
    CASE("t.link", FILE3, CALL(link, W(0), S("f"), S("g"))),
    CASE("t.unlink", FILE3, CALL(unlink, W(0), S("f"))),
    CASE("t.symlink", CALL(symlink, W(0), S("f"), S("l"))),
    CASE("t.readlink", LINK, CALL(readlink, W(1), S("l"), BUF(16), I(16))),
    CASE("t.gettimeofday", CALL(gettimeofday, W(0), BUF(16), BUF(8))),
    CASE("t.getrlimit", CALL(getrlimit, W(0), I(RLIMIT_NOFILE), BUF(16))),
    CASE("t.setrlimit", CALL(setrlimit, W(0), I(RLIMIT_CORE), DATA(16, 0, 0))),
    CASE("t.memfd_create", CALL(memfd_create, W(3), S("x"), I(0))),
    CASE("t.flock", CALL(open, W(3), S("f"), I(O_RDWR | O_CREAT), I(0644)), CALL(flock, W(0), I(3), I(2))),
    CASE("t.sendfile", CALL(open, W(3), S("f"), I(O_RDWR | O_CREAT), I(0644)),
         CALL(write, W(2), I(3), D("ab"), I(2)), CALL(sendfile, W(2), I(3), I(3), DATA(8, 0), I(2))),
    CASE("t.copy_file_range", CALL(open, W(3), S("f"), I(O_RDWR | O_CREAT), I(0644)),
         CALL(write, W(2), I(3), D("ab"), I(2)),
         CALL(copy_file_range, W(2), I(3), DATA(8, 0), I(3), DATA(8, 2), I(2), I(0))),
    CASE("t.sysinfo", CALL(sysinfo, W(0), BUF(112))),
    CASE("t.sigaltstack", CALL(sigaltstack, W(0), DATA(24, 0, SS_DISABLE, 0), BUF(24))),
    CASE("t.arch_prctl", CALL(arch_prctl, W(0), I(ARCH_GET_FS), BUF(8))),
    CASE("t.time", CALL(time, OK, BUF(8))),
    CASE("t.getdents64", CALL(open, W(3), S("."), I(O_RDONLY | O_DIRECTORY)),
         CALL(getdents64, W(48), I(3), BUF(1024), I(1024))),
    CASE("t.clock_gettime", CALL(clock_gettime, W(0), I(CLOCK_MONOTONIC), BUF(16))),
    CASE("t.clock_getres", CALL(clock_getres, W(0), I(CLOCK_MONOTONIC), BUF(16))),
    CASE("t.clock_nanosleep",
         CALL(clock_nanosleep, W(0), I(CLOCK_MONOTONIC), I(0), TS(0, 1), BUF(16))),
    CASE("t.openat", FILE3, CALL(openat, W(4), I(AT_FDCWD), S("f"), I(O_RDONLY), I(0))),
    CASE("t.mkdirat", CALL(mkdirat, W(0), I(AT_FDCWD), S("d"), I(0755))),
    CASE("t.newfstatat", FILE3, CALL(newfstatat, W(0), I(AT_FDCWD), S("f"), BUF(144), I(0))),
    CASE("t.statx", FILE3, CALL(statx, W(0), I(AT_FDCWD), S("f"), I(0), I(0x7ff), BUF(256))),
    CASE("t.unlinkat", FILE3, CALL(unlinkat, W(0), I(AT_FDCWD), S("f"), I(0))),
    CASE("t.renameat", FILE3, CALL(renameat, W(0), I(AT_FDCWD), S("f"), I(AT_FDCWD), S("g"))),
    CASE("t.linkat", FILE3, CALL(linkat, W(0), I(AT_FDCWD), S("f"), I(AT_FDCWD), S("g"), I(0))),
    CASE("t.symlinkat", CALL(symlinkat, W(0), S("f"), I(AT_FDCWD), S("l"))),
    CASE("t.readlinkat", LINK, CALL(readlinkat, W(1), I(AT_FDCWD), S("l"), BUF(16), I(16))),
    CASE("t.faccessat", FILE3, CALL(faccessat, W(0), I(AT_FDCWD), S("f"), I(R_OK))),
    CASE("t.dup3", FILE3, CALL(dup3, W(5), I(3), I(5), I(0))),
    CASE("t.prlimit64", CALL(prlimit64, W(0), I(0), I(RLIMIT_NOFILE), I(0), BUF(16))),
    CASE("t.prlimit64_set", CALL(prlimit64, W(0), I(0), I(RLIMIT_CORE), DATA(16, 0, 0), BUF(16))),
    CASE("t.renameat2", FILE3,
         CALL(renameat2, W(0), I(AT_FDCWD), S("f"), I(AT_FDCWD), S("g"), I(0))),
    CASE("t.getrandom", CALL(getrandom, W(8), BUF(8), I(8), I(0))),
    CASE("t.faccessat2", FILE3, CALL(faccessat2, W(0), I(AT_FDCWD), S("f"), I(R_OK), I(0))),
    CASE("t.inotify_add_watch", CALL(inotify_init1, W(3), I(0)),
         CALL(inotify_add_watch, W(1), I(3), S("."), I(0x2))),
    CASE("t.inotify_init1", CALL(inotify_init1, W(3), I(0x800))),
    /* not implemented yet in Petrel: these and their generated cases run on Linux only until
     * the syscalls.def row is implemented */
    CASE("t.pipe", CALL(pipe, W(0), BUF(8))),
    CASE("t.poll", CALL(pipe, W(0), BUF(8)),
         CALL(poll, W(1), INOUT(((const int[]){4, POLLOUT}), 8), I(1), I(0))),
    CASE("t.futex_wake",
         CALL(futex, W(0), D("\0\0\0\0"), I(FUTEX_WAKE_PRIVATE), I(1), I(0), I(0), I(0))),
    CASE("t.chmod", FILE3, CALL(chmod, W(0), S("f"), I(0600))),
    {NULL, NULL, 0, -1, {0}, 0, false},
};
