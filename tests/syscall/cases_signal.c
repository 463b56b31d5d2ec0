/*
 * cases_signal.c - the signal syscalls that work without a second thread or a handler, with
 * the signals blocked so they stay pending: rt_sigqueueinfo and rt_tgsigqueueinfo (their
 * si_code rule, pid/tid checks), rt_sigtimedwait (taking queued signals in Linux's order with
 * their siginfo, its timeout, its argument checks), rt_sigsuspend's argument checks,
 * restart_syscall with nothing to restart, signalfd/signalfd4 (reads of pending signals as
 * records, O_NONBLOCK, a new mask on the same fd, the argument checks). Every row is checked natively too
 * (docs/signals.md); the runners are fresh processes, so masks do not leak between cases.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <stdint.h>

#include "sc.h"

#define SIGBIT(s) (1UL << ((s) - 1))
#define MASK(m)                                                                                    \
    {                                                                                              \
        SA_DATA, 0, (const char *)(const unsigned long[]){(m)}, 8, 0, NULL                         \
    }
/* A 128-byte siginfo: si_signo, si_errno, si_code, pad, si_pid, si_uid, si_value (int). */
#define SIGINFO(signo, code, pid, val)                                                             \
    {                                                                                              \
        SA_DATA, 0, (const char *)(const int32_t[32]){(signo), 0, (code), 0, (pid), 0, (val)},     \
            128, 0, NULL                                                                           \
    }
#define RT1 34 /* real-time signals above those libcs reserve */
#define RT2 35
#define BLOCK(m) CALL(rt_sigprocmask, W(0), I(SIG_BLOCK), MASK(m), I(0), I(8))
/* Nothing of m pending: EAGAIN at once. */
#define NOTHING(m) CALL(rt_sigtimedwait, ERR(EAGAIN), MASK(m), BUF(128), TS0, I(8))
#define TS(sec, nsec)                                                                              \
    {                                                                                              \
        SA_DATA, 0, (const char *)(const long[]){(sec), (nsec)}, 16, 0, NULL                       \
    }
#define TS0 TS(0, 0)

const struct sc_case sc_cases_signal[] = {
    /* No restart block armed: Linux's do_no_restart_syscall. */
    CASE("signal.restart_syscall_empty", CALL0(restart_syscall, ERR(EINTR))),
    /* A queued siginfo arrives as sent (si_signo from the call, the rest as given, even a
     * made-up si_pid), and leaves the pending set once taken. */
    CASE("signal.sigqueueinfo_self", CALL0(getpid, OK), BLOCK(SIGBIT(SIGUSR1)),
         CALL(rt_sigqueueinfo, W(0), R(0), I(SIGUSR1), SIGINFO(SIGUSR2, SI_QUEUE, 777, 42)),
         CALLO(rt_sigpending, W(0), "\0\2\0\0\0\0\0\0", BUF(8), I(8)),
         CALLO(rt_sigtimedwait, W(SIGUSR1),
               "\x0a\0\0\0\0\0\0\0\xff\xff\xff\xff\0\0\0\0\x09\x03\0\0\0\0\0\0\x2a\0\0\0",
               MASK(SIGBIT(SIGUSR1)), BUF(128), TS0, I(8)),
         NOTHING(SIGBIT(SIGUSR1)),
         CALLO(rt_sigpending, W(0), "\0\0\0\0\0\0\0\0", BUF(8), I(8))),
    /* si_code >= 0 (as kill would) is fine to oneself; signal 0 only probes. */
    CASE("signal.sigqueueinfo_user_code_self", CALL0(getpid, OK), BLOCK(SIGBIT(SIGUSR1)),
         CALL(rt_sigqueueinfo, W(0), R(0), I(SIGUSR1), SIGINFO(0, SI_USER, 5, 0)),
         CALL(rt_sigqueueinfo, W(0), R(0), I(0), SIGINFO(0, SI_QUEUE, 5, 0)),
         CALLAT(rt_sigtimedwait, W(SIGUSR1), 8, "\0\0\0\0\0\0\0\0\x05\0\0\0",
                MASK(SIGBIT(SIGUSR1)), BUF(128), TS0, I(8))),
    /* Real-time signals queue in order, the lowest number first; standard ones merge. */
    CASE("signal.rt_queue_order", CALL0(getpid, OK),
         BLOCK(SIGBIT(SIGUSR1) | SIGBIT(RT1) | SIGBIT(RT2)),
         CALL(rt_sigqueueinfo, W(0), R(0), I(RT2), SIGINFO(0, SI_QUEUE, 1, 0)),
         CALL(rt_sigqueueinfo, W(0), R(0), I(RT2), SIGINFO(0, SI_QUEUE, 1, 1)),
         CALL(rt_sigqueueinfo, W(0), R(0), I(RT1), SIGINFO(0, SI_QUEUE, 1, 9)),
         CALL(rt_sigqueueinfo, W(0), R(0), I(SIGUSR1), SIGINFO(0, SI_QUEUE, 1, 7)),
         CALL(rt_sigqueueinfo, W(0), R(0), I(SIGUSR1), SIGINFO(0, SI_QUEUE, 1, 8)),
         CALLAT(rt_sigtimedwait, W(SIGUSR1), 24, "\x07\0\0\0",
                MASK(SIGBIT(SIGUSR1) | SIGBIT(RT1) | SIGBIT(RT2)), BUF(128), TS0, I(8)),
         CALLAT(rt_sigtimedwait, W(RT1), 24, "\x09\0\0\0",
                MASK(SIGBIT(SIGUSR1) | SIGBIT(RT1) | SIGBIT(RT2)), BUF(128), TS0, I(8)),
         CALLAT(rt_sigtimedwait, W(RT2), 24, "\0\0\0\0",
                MASK(SIGBIT(SIGUSR1) | SIGBIT(RT1) | SIGBIT(RT2)), BUF(128), TS0, I(8)),
         CALLAT(rt_sigtimedwait, W(RT2), 24, "\x01\0\0\0",
                MASK(SIGBIT(SIGUSR1) | SIGBIT(RT1) | SIGBIT(RT2)), BUF(128), TS0, I(8)),
         NOTHING(SIGBIT(SIGUSR1) | SIGBIT(RT1) | SIGBIT(RT2))),
    /* Only the set is taken; another pending signal stays. A NULL info is fine. */
    CASE("signal.sigtimedwait_set", CALL0(getpid, OK),
         BLOCK(SIGBIT(SIGUSR1) | SIGBIT(SIGUSR2)), CALL(kill, W(0), R(0), I(SIGUSR2)),
         NOTHING(SIGBIT(SIGUSR1)),
         CALL(rt_sigtimedwait, W(SIGUSR2), MASK(SIGBIT(SIGUSR2)), I(0), TS0, I(8)),
         NOTHING(SIGBIT(SIGUSR2))),
    /* A timeout that passes: EAGAIN; SIGKILL in the set is ignored. */
    CASE("signal.sigtimedwait_timeout",
         CALL(rt_sigtimedwait, ERR(EAGAIN), MASK(SIGBIT(SIGUSR1)), BUF(128), TS(0, 10000000),
              I(8)),
         NOTHING(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP)), NOTHING(0)),
    /* The size first, then the set, then the timeout; a taken signal whose siginfo cannot be
     * written is lost (EFAULT). */
    CASE("signal.sigtimedwait_errors",
         CALL(rt_sigtimedwait, ERR(EINVAL), MASK(SIGBIT(SIGUSR1)), BUF(128), TS0, I(4)),
         CALL(rt_sigtimedwait, ERR(EINVAL), BAD(UNMAPPED), BUF(128), TS(0, -1), I(16)),
         CALL(rt_sigtimedwait, ERR(EFAULT), BAD(UNMAPPED), BUF(128), TS0, I(8)),
         CALL(rt_sigtimedwait, ERR(EFAULT), BAD(NULL), BUF(128), TS0, I(8)),
         CALL(rt_sigtimedwait, ERR(EFAULT), MASK(SIGBIT(SIGUSR1)), BUF(128), BAD(UNMAPPED), I(8)),
         CALL(rt_sigtimedwait, ERR(EINVAL), MASK(SIGBIT(SIGUSR1)), BUF(128), TS(0, -1), I(8)),
         CALL(rt_sigtimedwait, ERR(EINVAL), MASK(SIGBIT(SIGUSR1)), BUF(128), TS(0, 1000000000),
              I(8)),
         CALL(rt_sigtimedwait, ERR(EINVAL), MASK(SIGBIT(SIGUSR1)), BUF(128), TS(-1, 0), I(8)),
         CALL0(getpid, OK), BLOCK(SIGBIT(SIGUSR1)), CALL(kill, W(0), R(8), I(SIGUSR1)),
         CALL(rt_sigtimedwait, ERR(EFAULT), MASK(SIGBIT(SIGUSR1)), BAD(UNMAPPED), TS0, I(8)),
         NOTHING(SIGBIT(SIGUSR1))),
    /* Only to oneself may a siginfo claim kill's or the kernel's codes: EPERM before the
     * target is even looked for; then ESRCH, then the signal number. */
    CASE("signal.sigqueueinfo_errors",
         CALL(rt_sigqueueinfo, ERR(EPERM), I(999999), I(SIGUSR1), SIGINFO(0, SI_USER, 0, 0)),
         CALL(rt_sigqueueinfo, ERR(EPERM), I(999999), I(SIGUSR1), SIGINFO(0, SI_TKILL, 0, 0)),
         CALL(rt_sigqueueinfo, ERR(EPERM), I(999999), I(SIGUSR1), SIGINFO(0, SI_KERNEL, 0, 0)),
         CALL(rt_sigqueueinfo, ERR(ESRCH), I(999999), I(SIGUSR1), SIGINFO(0, SI_QUEUE, 0, 0)),
         CALL(rt_sigqueueinfo, ERR(EFAULT), I(999999), I(65), BAD(UNMAPPED)),
         CALL(rt_sigqueueinfo, ERR(EFAULT), I(999999), I(SIGUSR1), BAD(NULL)),
         CALL0(getpid, OK),
         CALL(rt_sigqueueinfo, ERR(EINVAL), R(6), I(65), SIGINFO(0, SI_QUEUE, 0, 0)),
         CALL(rt_sigqueueinfo, ERR(EINVAL), R(6), I(-1), SIGINFO(0, SI_QUEUE, 0, 0))),
    CASE("signal.tgsigqueueinfo", CALL0(getpid, OK), CALL0(gettid, OK),
         BLOCK(SIGBIT(SIGUSR1)),
         CALL(rt_tgsigqueueinfo, W(0), R(0), R(1), I(SIGUSR1), SIGINFO(0, SI_QUEUE, 3, 4)),
         CALL(rt_tgsigqueueinfo, W(0), R(0), R(1), I(0), SIGINFO(0, SI_QUEUE, 3, 4)),
         CALLAT(rt_sigtimedwait, W(SIGUSR1), 8, "\xff\xff\xff\xff\0\0\0\0\x03\0\0\0",
                MASK(SIGBIT(SIGUSR1)), BUF(128), TS0, I(8)),
         CALL(rt_tgsigqueueinfo, ERR(EINVAL), R(0), I(0), I(SIGUSR1), SIGINFO(0, SI_QUEUE, 0, 0)),
         CALL(rt_tgsigqueueinfo, ERR(EINVAL), I(0), R(1), I(SIGUSR1), SIGINFO(0, SI_QUEUE, 0, 0)),
         CALL(rt_tgsigqueueinfo, ERR(ESRCH), R(0), I(999999), I(SIGUSR1),
              SIGINFO(0, SI_QUEUE, 0, 0)),
         CALL(rt_tgsigqueueinfo, ERR(EPERM), R(0), I(999999), I(SIGUSR1),
              SIGINFO(0, SI_USER, 0, 0)),
         CALL(rt_tgsigqueueinfo, ERR(EINVAL), R(0), R(1), I(65), SIGINFO(0, SI_QUEUE, 0, 0)),
         CALL(rt_tgsigqueueinfo, ERR(EFAULT), R(0), R(1), I(SIGUSR1), BAD(UNMAPPED)),
         CALL(rt_tgsigqueueinfo, ERR(EFAULT), R(0), I(0), I(0), BAD(NULL))),
    CASE("signal.sigsuspend_errors",
         CALL(rt_sigsuspend, ERR(EINVAL), MASK(0), I(4)),
         CALL(rt_sigsuspend, ERR(EINVAL), BAD(UNMAPPED), I(16)),
         CALL(rt_sigsuspend, ERR(EFAULT), BAD(UNMAPPED), I(8)),
         CALL(rt_sigsuspend, ERR(EFAULT), BAD(NULL), I(8))),
    /* signalfd: a read takes a pending (blocked) signal as a 128-byte record; nothing more:
     * EAGAIN (O_NONBLOCK); a short buffer EINVAL; a new mask applies to the same fd. */
    CASE("signal.signalfd_read", CALL0(getpid, OK), BLOCK(SIGBIT(SIGUSR1) | SIGBIT(SIGUSR2)),
         CALL(kill, W(0), R(0), I(SIGUSR1)),
         CALL(signalfd4, W(3), I(-1), MASK(SIGBIT(SIGUSR1)), I(8), I(SFD_NONBLOCK)),
         CALLO(fcntl, W(O_RDWR | O_NONBLOCK), "", I(3), I(F_GETFL)),
         CALL(read, ERR(EINVAL), I(3), BUF(127), I(127)),
         CALLO(read, W(128), "\x0a\0\0\0\0\0\0\0\0\0\0\0", I(3), BUF(256), I(256)),
         CALL(read, ERR(EAGAIN), I(3), BUF(128), I(128)),
         CALL(kill, W(0), R(0), I(SIGUSR1)),
         CALL(signalfd4, W(3), I(3), MASK(SIGBIT(SIGUSR2)), I(8), I(0)),
         CALL(read, ERR(EAGAIN), I(3), BUF(128), I(128)),
         CALL(kill, W(0), R(0), I(SIGUSR2)),
         CALLO(read, W(128), "\x0c\0\0\0", I(3), BUF(128), I(128))),
    /* queued real-time signals, several per read, with their values (ssi_int at 44) */
    CASE("signal.signalfd_queue", CALL0(getpid, OK), BLOCK(SIGBIT(RT1)),
         CALL(rt_sigqueueinfo, W(0), R(0), I(RT1), SIGINFO(0, SI_QUEUE, 1, 5)),
         CALL(rt_sigqueueinfo, W(0), R(0), I(RT1), SIGINFO(0, SI_QUEUE, 1, 6)),
         CALL(signalfd, W(3), I(-1), MASK(SIGBIT(RT1)), I(8)),
         CALLAT(read, W(256), 8, "\xff\xff\xff\xff\x01\0\0\0", I(3), BUF(300), I(300)),
         CALL(close, W(0), I(3)),
         CALL(rt_sigqueueinfo, W(0), R(0), I(RT1), SIGINFO(0, SI_QUEUE, 1, 7)),
         CALL(signalfd, W(3), I(-1), MASK(SIGBIT(RT1)), I(8)),
         CALLAT(read, W(128), 44, "\x07\0\0\0", I(3), BUF(128), I(128))),
    CASE("signal.signalfd_errors",
         CALL(signalfd4, ERR(EINVAL), I(-1), MASK(0), I(4), I(0)),
         CALL(signalfd4, ERR(EINVAL), I(-1), BAD(UNMAPPED), I(16), I(0)),
         CALL(signalfd4, ERR(EFAULT), I(-1), BAD(UNMAPPED), I(8), I(0)),
         CALL(signalfd4, ERR(EFAULT), I(-1), BAD(NULL), I(8), I(0x40)),
         CALL(signalfd4, ERR(EINVAL), I(-1), MASK(0), I(8), I(0x40)),
         CALL(signalfd4, ERR(EINVAL), I(-1), MASK(0), I(8), I(O_RDWR)),
         CALL(signalfd4, ERR(EBADF), I(99), MASK(0), I(8), I(0)),
         CALL(signalfd, ERR(EINVAL), I(-1), MASK(0), I(16)),
         CALLO(pipe2, W(0), "\3\0\0\0\4\0\0\0", BUF(8), I(0)),
         CALL(signalfd4, ERR(EINVAL), I(3), MASK(0), I(8), I(0)),
         CALL(signalfd4, W(5), I(-1), MASK(0), I(8), I(SFD_CLOEXEC)),
         CALLO(fcntl, W(FD_CLOEXEC), "", I(5), I(F_GETFD)),
         CALL(write, ERR(EINVAL), I(5), D("12345678"), I(8))),
    {NULL, NULL, 0, -1, {0}, 0, false},
};
