/*
 * test_abi_signal.c - core/abi/signal.h against glibc's <signal.h>/<sys/ucontext.h> (this
 * file), the kernel's uapi headers (abi_signal_uapi.c: they clash with glibc's), and a real
 * signal delivered by the host kernel (the rt_sigframe layout is not in any header).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/ucontext.h>
#include <unistd.h>

#include "core/abi/signal.h"
#include "tests/unit/abi/abi_check.h"

void abi_signal_uapi(void **state);

static void test_numbers(void **state)
{
    CK(SIGHUP), CK(SIGINT), CK(SIGQUIT), CK(SIGILL), CK(SIGTRAP), CK(SIGABRT), CK(SIGIOT);
    CK(SIGBUS), CK(SIGFPE), CK(SIGKILL), CK(SIGUSR1), CK(SIGSEGV), CK(SIGUSR2), CK(SIGPIPE);
    CK(SIGALRM), CK(SIGTERM), CK(SIGSTKFLT), CK(SIGCHLD), CK(SIGCONT), CK(SIGSTOP);
    CK(SIGTSTP), CK(SIGTTIN), CK(SIGTTOU), CK(SIGURG), CK(SIGXCPU), CK(SIGXFSZ);
    CK(SIGVTALRM), CK(SIGPROF), CK(SIGWINCH), CK(SIGIO), CK(SIGPOLL), CK(SIGPWR), CK(SIGSYS);
    EQ("__SIGRTMIN", LINUX_SIGRTMIN, __SIGRTMIN);
    EQ("__SIGRTMAX", LINUX_SIGRTMAX, __SIGRTMAX);
    EQ("SIGRTMAX", LINUX_SIGRTMAX, SIGRTMAX);
    CK(SA_NOCLDSTOP), CK(SA_NOCLDWAIT), CK(SA_SIGINFO), CK(SA_ONSTACK), CK(SA_RESTART);
    CK(SA_NODEFER), CK(SA_RESETHAND), CK(SA_NOMASK), CK(SA_ONESHOT);
    CK(SIG_BLOCK), CK(SIG_UNBLOCK), CK(SIG_SETMASK);
    EQ("SIG_DFL", LINUX_SIG_DFL, (intptr_t)SIG_DFL);
    EQ("SIG_IGN", LINUX_SIG_IGN, (intptr_t)SIG_IGN);
    EQ("SIG_ERR", LINUX_SIG_ERR, (intptr_t)SIG_ERR);
    CK(SS_ONSTACK), CK(SS_DISABLE);
    (void)state;
}

static void test_si_codes(void **state)
{
    CK(SI_USER), CK(SI_KERNEL), CK(SI_QUEUE), CK(SI_TIMER), CK(SI_MESGQ), CK(SI_ASYNCIO);
    CK(SI_SIGIO), CK(SI_TKILL);
    CK(ILL_ILLOPC), CK(ILL_ILLOPN), CK(ILL_ILLADR), CK(ILL_ILLTRP), CK(ILL_PRVOPC);
    CK(ILL_PRVREG), CK(ILL_COPROC), CK(ILL_BADSTK);
    CK(FPE_INTDIV), CK(FPE_INTOVF), CK(FPE_FLTDIV), CK(FPE_FLTOVF), CK(FPE_FLTUND);
    CK(FPE_FLTRES), CK(FPE_FLTINV), CK(FPE_FLTSUB);
    CK(SEGV_MAPERR), CK(SEGV_ACCERR), CK(SEGV_BNDERR), CK(SEGV_PKUERR);
    CK(BUS_ADRALN), CK(BUS_ADRERR), CK(BUS_OBJERR), CK(BUS_MCEERR_AR), CK(BUS_MCEERR_AO);
    CK(TRAP_BRKPT), CK(TRAP_TRACE), CK(TRAP_BRANCH), CK(TRAP_HWBKPT);
    CK(CLD_EXITED), CK(CLD_KILLED), CK(CLD_DUMPED), CK(CLD_TRAPPED), CK(CLD_STOPPED);
    CK(CLD_CONTINUED);
    CK(POLL_IN), CK(POLL_OUT), CK(POLL_MSG), CK(POLL_ERR), CK(POLL_PRI), CK(POLL_HUP);
    (void)state;
}

static void test_siginfo_layout(void **state)
{
    typedef struct linux_siginfo S;
    SZ(S, siginfo_t);
    SZ(union linux_sigval, union sigval);
    OFF(S, si_signo, siginfo_t, si_signo);
    OFF(S, si_errno, siginfo_t, si_errno);
    OFF(S, si_code, siginfo_t, si_code);
    OFF(S, u.kill.pid, siginfo_t, si_pid);
    OFF(S, u.kill.uid, siginfo_t, si_uid);
    OFF(S, u.timer.tid, siginfo_t, si_timerid);
    OFF(S, u.timer.overrun, siginfo_t, si_overrun);
    OFF(S, u.timer.sigval, siginfo_t, _sifields._timer.si_sigval);
    EQ("offsetof(siginfo_t, _sifields._rt)", offsetof(S, u.rt), offsetof(siginfo_t, _sifields._rt));
    OFF(S, u.rt.sigval, siginfo_t, si_value);
    OFF(S, u.chld.status, siginfo_t, si_status);
    OFF(S, u.chld.utime, siginfo_t, si_utime);
    OFF(S, u.chld.stime, siginfo_t, si_stime);
    OFF(S, u.fault.addr, siginfo_t, si_addr);
    OFF(S, u.fault.u.addr_lsb, siginfo_t, si_addr_lsb);
    OFF(S, u.fault.u.addr_bnd.lower, siginfo_t, si_lower);
    OFF(S, u.fault.u.addr_bnd.upper, siginfo_t, si_upper);
    OFF(S, u.fault.u.addr_pkey.pkey, siginfo_t, si_pkey);
    OFF(S, u.poll.band, siginfo_t, si_band);
    OFF(S, u.poll.fd, siginfo_t, si_fd);
    OFF(S, u.sys.call_addr, siginfo_t, si_call_addr);
    OFF(S, u.sys.syscall, siginfo_t, si_syscall);
    OFF(S, u.sys.arch, siginfo_t, si_arch);
    (void)state;
}

static void test_stack_and_ucontext(void **state)
{
    SZ(struct linux_stack, stack_t);
    OFF(struct linux_stack, ss_sp, stack_t, ss_sp);
    OFF(struct linux_stack, ss_flags, stack_t, ss_flags);
    OFF(struct linux_stack, ss_size, stack_t, ss_size);
    /* glibc's ucontext_t agrees up to uc_sigmask (its sigset and tail are longer). */
    OFF(struct linux_ucontext, uc_flags, ucontext_t, uc_flags);
    OFF(struct linux_ucontext, uc_link, ucontext_t, uc_link);
    OFF(struct linux_ucontext, uc_stack, ucontext_t, uc_stack);
    OFF(struct linux_ucontext, uc_mcontext, ucontext_t, uc_mcontext);
    EQ("offsetof(ucontext_t, uc_sigmask)", offsetof(struct linux_ucontext, uc_sigmask),
       offsetof(ucontext_t, uc_sigmask));
    /* mcontext_t: gregs[REG_*] are the sigcontext words in order; then fpregs. */
    typedef struct linux_sigcontext C;
#define GREG(r, f) EQ("REG_" #r, offsetof(C, f), REG_##r * 8)
    GREG(R8, r8), GREG(R9, r9), GREG(R10, r10), GREG(R11, r11), GREG(R12, r12);
    GREG(R13, r13), GREG(R14, r14), GREG(R15, r15), GREG(RDI, rdi), GREG(RSI, rsi);
    GREG(RBP, rbp), GREG(RBX, rbx), GREG(RDX, rdx), GREG(RAX, rax), GREG(RCX, rcx);
    GREG(RSP, rsp), GREG(RIP, rip), GREG(EFL, eflags), GREG(CSGSFS, cs), GREG(ERR, err);
    GREG(TRAPNO, trapno), GREG(OLDMASK, oldmask), GREG(CR2, cr2);
#undef GREG
    EQ("NGREG", offsetof(C, fpstate), NGREG * 8);
    OFF(C, fpstate, mcontext_t, fpregs);
    SZ(C, mcontext_t);
    typedef struct linux_fpstate F;
    SZ(F, struct _libc_fpstate);
    OFF(F, cwd, struct _libc_fpstate, cwd);
    OFF(F, twd, struct _libc_fpstate, ftw);
    OFF(F, rip, struct _libc_fpstate, rip);
    OFF(F, mxcsr, struct _libc_fpstate, mxcsr);
    OFF(F, mxcsr_mask, struct _libc_fpstate, mxcr_mask);
    OFF(F, st_space, struct _libc_fpstate, _st);
    OFF(F, xmm_space, struct _libc_fpstate, _xmm);
    (void)state;
}

/* What the host kernel really pushed for a SA_SIGINFO handler. */
static struct {
    void *info, *uc, *ret;
    uint64_t pretcode;
    struct linux_fpstate fp;
    uint32_t magic2;
    int si_code, signo;
} seen;

static __attribute__((noinline)) void handler(int sig, siginfo_t *info, void *ucv)
{
    ucontext_t *uc = ucv;
    seen.signo = sig;
    seen.info = info;
    seen.uc = uc;
    seen.si_code = info->si_code;
    seen.ret = __builtin_return_address(0);
    memcpy(&seen.pretcode, (char *)uc - 8, 8);
    memcpy(&seen.fp, uc->uc_mcontext.fpregs, sizeof(seen.fp));
    if (seen.fp.sw_reserved.magic1 == LINUX_FP_XSTATE_MAGIC1)
        memcpy(&seen.magic2,
               (char *)uc->uc_mcontext.fpregs + seen.fp.sw_reserved.extended_size -
                   LINUX_FP_XSTATE_MAGIC2_SIZE,
               4);
}

static void test_native_frame(void **state)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
    assert_int_equal(raise(SIGUSR1), 0);
    assert_int_equal(sigaction(SIGUSR1, &old, NULL), 0);
    EQ("signo", seen.signo, SIGUSR1);
    EQ("si_code of raise (tgkill)", LINUX_SI_TKILL, seen.si_code);
    /* rt_sigframe: pretcode (the handler's return address), ucontext, siginfo. */
    EQ("rt_sigframe info - uc",
       offsetof(struct linux_rt_sigframe, info) - offsetof(struct linux_rt_sigframe, uc),
       (char *)seen.info - (char *)seen.uc);
    EQ("rt_sigframe pretcode", seen.pretcode, (uintptr_t)seen.ret);
    /* The FXSAVE image is 64-aligned; an XSAVE frame ends with MAGIC2. */
    if (seen.fp.sw_reserved.magic1 == LINUX_FP_XSTATE_MAGIC1) {
        EQ("FP_XSTATE_MAGIC2 at end", LINUX_FP_XSTATE_MAGIC2, seen.magic2);
        EQ("xstate_size + MAGIC2_SIZE", seen.fp.sw_reserved.xstate_size + 4,
           seen.fp.sw_reserved.extended_size);
    }
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_si_codes),
        cmocka_unit_test(test_siginfo_layout),
        cmocka_unit_test(test_stack_and_ucontext),
        cmocka_unit_test(test_native_frame),
        cmocka_unit_test(abi_signal_uapi),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
