/*
 * cases_misc.c - identity, limits and process state: getpid and friends, umask, uname,
 * getrlimit/prlimit64, sysinfo, getrandom, rt_sigaction/rt_sigprocmask/sigaltstack checks,
 * sched_yield, arch_prctl, set_tid_address, set_robust_list. Petrel runs as root, as the
 * native runner does here (uid 0 expected).
 */
#include <asm/prctl.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/resource.h>

#include "sc.h"

/* struct kernel_sigaction: handler, flags, restorer, mask (32 bytes) */
#define SA_IGN_ACT {SA_DATA, 0, (const char *)(const unsigned long[]){1, 0, 0, 0}, 32, 0, NULL}
#define MASK(m) {SA_DATA, 0, (const char *)(const unsigned long[]){(m)}, 8, 0, NULL}
#define RLIM(cur, max) {SA_DATA, 0, (const char *)(const unsigned long[]){(cur), (max)}, 16, 0, NULL}

const struct sc_case sc_cases_misc[] = {
    CASE("misc.ids", CALL0(getpid, OK), CALL0(getppid, OK), CALL0(gettid, OK), CALL0(getuid, W(0)),
         CALL0(geteuid, W(0)), CALL0(getgid, W(0)), CALL0(getegid, W(0))),
    CASE("misc.umask", CALL(umask, W(022), I(077)), CALL(umask, W(077), I(01777)),
         CALL(umask, W(0777), I(022))),
    CASE("misc.umask_applies", CALL(umask, W(022), I(027)),
         CALL(open, W(3), S("f"), I(0101), I(0666)),
         CALLAT(fstat, W(0), 24, "\xa0\x81\0\0", I(3), BUF(144))),
    CASE("misc.uname", CALLO(uname, W(0), "Linux\0", BUF(390)),
         CALLAT(uname, W(0), 65 * 4, "x86_64\0", BUF(390))),
    CASE("misc.getrlimit", CALL(getrlimit, W(0), I(RLIMIT_NOFILE), BUF(16)),
         CALL(getrlimit, W(0), I(RLIMIT_STACK), BUF(16)),
         CALL(getrlimit, ERR(EINVAL), I(99), BUF(16))),
    CASE("misc.prlimit64", CALL(prlimit64, W(0), I(0), I(RLIMIT_NOFILE), I(0), BUF(16)),
         CALL(prlimit64, ERR(EINVAL), I(0), I(99), I(0), BUF(16)),
         CALL(prlimit64, ERR(EINVAL), I(0), I(RLIMIT_CORE), RLIM(10, 5), I(0)),
         CALL(prlimit64, W(0), I(0), I(RLIMIT_CORE), RLIM(0, 0), I(0)),
         CALLO(prlimit64, W(0), "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", I(0), I(RLIMIT_CORE), I(0),
               BUF(16))),
    CASE("misc.prlimit64_other_pid", CALL(prlimit64, ERR(ESRCH), I(999999), I(RLIMIT_NOFILE), I(0),
                                          BUF(16))),
    CASE("misc.sysinfo", CALL(sysinfo, W(0), BUF(112))),
    CASE("misc.getrandom", CALL(getrandom, W(16), BUF(16), I(16), I(0)),
         CALL(getrandom, W(0), BUF(16), I(0), I(0)),
         CALL(getrandom, W(8), BUF(8), I(8), I(GRND_NONBLOCK))),
    CASE("misc.getrandom_bad_flags", CALL(getrandom, ERR(EINVAL), BUF(16), I(16), I(0x40)),
         CALL(getrandom, ERR(EINVAL), BUF(16), I(16), I(GRND_RANDOM | GRND_INSECURE))),
    CASE("misc.rt_sigaction", CALL(rt_sigaction, W(0), I(SIGUSR1), SA_IGN_ACT, BUF(32), I(8)),
         CALLO(rt_sigaction, W(0), "\1\0\0\0\0\0\0\0", I(SIGUSR1), I(0), BUF(32), I(8))),
    CASE("misc.rt_sigaction_errors",
         CALL(rt_sigaction, ERR(EINVAL), I(SIGKILL), SA_IGN_ACT, I(0), I(8)),
         CALL(rt_sigaction, ERR(EINVAL), I(SIGSTOP), SA_IGN_ACT, I(0), I(8)),
         CALL(rt_sigaction, ERR(EINVAL), I(0), I(0), BUF(32), I(8)),
         CALL(rt_sigaction, ERR(EINVAL), I(65), I(0), BUF(32), I(8)),
         CALL(rt_sigaction, ERR(EINVAL), I(SIGUSR1), I(0), BUF(32), I(4)),
         CALL(rt_sigaction, W(0), I(SIGKILL), I(0), BUF(32), I(8))),
    CASE("misc.rt_sigprocmask", CALL(rt_sigprocmask, W(0), I(SIG_BLOCK), MASK(1UL << (SIGUSR1 - 1)),
                                     I(0), I(8)),
         CALLO(rt_sigprocmask, W(0), "\0\2\0\0", I(SIG_BLOCK), I(0), BUF(8), I(8)),
         CALL(rt_sigprocmask, W(0), I(SIG_SETMASK), MASK(~0UL), I(0), I(8)),
         CALLO(rt_sigprocmask, W(0), "\xff\xfe\xfb\xff\xff\xff\xff\xff" /* all but SIGKILL, SIGSTOP */, I(SIG_BLOCK), I(0), BUF(8),
               I(8))),
    CASE("misc.rt_sigprocmask_errors",
         CALL(rt_sigprocmask, ERR(EINVAL), I(5), MASK(0), I(0), I(8)),
         CALL(rt_sigprocmask, ERR(EINVAL), I(SIG_BLOCK), MASK(0), I(0), I(4)),
         CALL(rt_sigprocmask, W(0), I(5), I(0), BUF(8), I(8))),
    CASE("misc.sigaltstack_query", CALLAT(sigaltstack, W(0), 8, "\2\0\0\0", I(0), BUF(24))),
    CASE("misc.sigaltstack_bad_flags",
         CALL(sigaltstack, ERR(EINVAL), {SA_DATA, 0, (const char *)(const unsigned long[]){0, 0x7,
                                         65536}, 24, 0, NULL}, I(0))),
    CASE("misc.sigaltstack_too_small",
         CALL(sigaltstack, ERR(ENOMEM), {SA_DATA, 0, (const char *)(const unsigned long[]){4096, 0,
                                         100}, 24, 0, NULL}, I(0))),
    CASE("misc.sched_yield", CALL0(sched_yield, W(0))),
    CASE("misc.arch_prctl", CALL(arch_prctl, W(0), I(ARCH_GET_FS), BUF(8)),
         CALL(arch_prctl, ERR(EINVAL), I(0x9999), BUF(8))),
    CASE("misc.set_tid_address", CALL(set_tid_address, OK, BUF(8))),
    CASE("misc.set_robust_list", CALL(set_robust_list, W(0), BUF(24), I(24)),
         CALL(set_robust_list, ERR(EINVAL), BUF(24), I(23))),
    {NULL, NULL, 0, -1, {0}, 0, false},
};
