/*
 * abi_signal_uapi.c - core/abi/signal.h against the kernel's uapi headers (asm/signal.h,
 * asm/siginfo.h, asm/sigcontext.h, asm/ucontext.h), which cannot share a translation unit
 * with glibc's <signal.h>. Part of test_abi_signal.
 */
#include <asm/sigcontext.h>
#include <asm/siginfo.h>
#include <asm/signal.h>
#include <asm/ucontext.h>
#include <linux/signal.h>

#include "core/abi/signal.h"
#include "tests/unit/abi/abi_check.h"

void abi_signal_uapi(void **state);

static void uapi_sigaction(void)
{
    CK(SA_RESTORER), CK(SA_UNSUPPORTED), CK(SA_EXPOSE_TAGBITS), CK(SS_AUTODISARM);
    CK(MINSIGSTKSZ), CK(SIGSTKSZ), CK(SIGRTMIN);
    EQ("sizeof sigset_t", LINUX_SIGSET_SIZE, sizeof(sigset_t));
    SZ(struct linux_k_sigaction, struct sigaction);
    OFF(struct linux_k_sigaction, handler, struct sigaction, sa_handler);
    OFF(struct linux_k_sigaction, flags, struct sigaction, sa_flags);
    OFF(struct linux_k_sigaction, restorer, struct sigaction, sa_restorer);
    OFF(struct linux_k_sigaction, mask, struct sigaction, sa_mask);
    CK(SI_MAX_SIZE);
    SZ(struct linux_siginfo, siginfo_t);
    OFF(struct linux_siginfo, u.timer.sys_private, siginfo_t, _sifields._timer._sys_private);
    OFF(struct linux_siginfo, u.fault.u.perf.data, siginfo_t, si_perf_data);
    OFF(struct linux_siginfo, u.fault.u.perf.type, siginfo_t, si_perf_type);
    OFF(struct linux_siginfo, u.fault.u.perf.flags, siginfo_t, si_perf_flags);
}

static void uapi_sigcontext(void)
{
    typedef struct linux_sigcontext C;
    typedef struct sigcontext K;
    SZ(C, K);
#define F(f) OFF(C, f, K, f)
    F(r8), F(r9), F(r10), F(r11), F(r12), F(r13), F(r14), F(r15), F(rdi), F(rsi), F(rbp);
    F(rbx), F(rdx), F(rax), F(rcx), F(rsp), F(rip), F(eflags), F(cs), F(gs), F(fs), F(ss);
    F(err), F(trapno), F(oldmask), F(cr2), F(fpstate), F(reserved1);
#undef F
    typedef struct linux_fpstate P;
    typedef struct _fpstate_64 Q;
    SZ(P, Q);
#define F(f) OFF(P, f, Q, f)
    F(cwd), F(swd), F(twd), F(fop), F(rip), F(rdp), F(mxcsr), F(mxcsr_mask), F(st_space);
    F(xmm_space), F(reserved2), F(sw_reserved);
#undef F
    SZ(struct linux_fpx_sw_bytes, struct _fpx_sw_bytes);
#define F(f) OFF(struct linux_fpx_sw_bytes, f, struct _fpx_sw_bytes, f)
    F(magic1), F(extended_size), F(xfeatures), F(xstate_size), F(padding);
#undef F
    SZ(struct linux_xstate_header, struct _header);
    OFF(struct linux_xstate_header, xfeatures, struct _header, xfeatures);
    OFF(struct linux_xstate_header, reserved2, struct _header, reserved2);
    EQ("offsetof(struct _xstate, xstate_hdr)", sizeof(struct linux_fpstate),
       offsetof(struct _xstate, xstate_hdr));
    CK(FP_XSTATE_MAGIC1), CK(FP_XSTATE_MAGIC2), CK(FP_XSTATE_MAGIC2_SIZE);
}

static void uapi_ucontext(void)
{
    typedef struct linux_ucontext U;
    typedef struct ucontext K;
    SZ(U, K);
    OFF(U, uc_flags, K, uc_flags);
    OFF(U, uc_link, K, uc_link);
    OFF(U, uc_stack, K, uc_stack);
    OFF(U, uc_mcontext, K, uc_mcontext);
    OFF(U, uc_sigmask, K, uc_sigmask);
    CK(UC_FP_XSTATE), CK(UC_SIGCONTEXT_SS), CK(UC_STRICT_RESTORE_SS);
    SZ(struct linux_stack, stack_t);
}

void abi_signal_uapi(void **state)
{
    uapi_sigaction();
    uapi_sigcontext();
    uapi_ucontext();
    (void)state;
}
