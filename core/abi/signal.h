/*
 * core/abi/signal.h - Linux x86-64 signal ABI: numbers, sigaction flags and the kernel's
 * k_sigaction, siginfo (128 bytes) with its per-source unions, si_code values, stack_t, and
 * the signal frame pieces (sigcontext, ucontext, the FXSAVE/XSAVE fpstate and its magic
 * words). Layouts are the kernel's (uapi asm/sigcontext.h, asm-generic/siginfo.h), checked
 * against the host by tests/unit/abi/.
 */
#ifndef CORE_ABI_SIGNAL_H
#define CORE_ABI_SIGNAL_H

#include <stddef.h>
#include <stdint.h>

/* Signal numbers. */
#define LINUX_SIGHUP 1
#define LINUX_SIGINT 2
#define LINUX_SIGQUIT 3
#define LINUX_SIGILL 4
#define LINUX_SIGTRAP 5
#define LINUX_SIGABRT 6
#define LINUX_SIGIOT 6
#define LINUX_SIGBUS 7
#define LINUX_SIGFPE 8
#define LINUX_SIGKILL 9
#define LINUX_SIGUSR1 10
#define LINUX_SIGSEGV 11
#define LINUX_SIGUSR2 12
#define LINUX_SIGPIPE 13
#define LINUX_SIGALRM 14
#define LINUX_SIGTERM 15
#define LINUX_SIGSTKFLT 16
#define LINUX_SIGCHLD 17
#define LINUX_SIGCONT 18
#define LINUX_SIGSTOP 19
#define LINUX_SIGTSTP 20
#define LINUX_SIGTTIN 21
#define LINUX_SIGTTOU 22
#define LINUX_SIGURG 23
#define LINUX_SIGXCPU 24
#define LINUX_SIGXFSZ 25
#define LINUX_SIGVTALRM 26
#define LINUX_SIGPROF 27
#define LINUX_SIGWINCH 28
#define LINUX_SIGIO 29
#define LINUX_SIGPOLL LINUX_SIGIO
#define LINUX_SIGPWR 30
#define LINUX_SIGSYS 31
#define LINUX_SIGRTMIN 32 /* the kernel's; libcs reserve a few and report 34 or 35 */
#define LINUX_SIGRTMAX 64
#define LINUX_NSIG 64           /* _NSIG: signals 1..64 */
#define LINUX_SIGSET_SIZE 8     /* the kernel sigset_t (rt_sigprocmask's sigsetsize) */

/* A signal's bit in a kernel sigset. */
#define LINUX_SIGMASK(sig) (1ULL << ((sig) - 1))

/* sigaction handlers and flags. */
#define LINUX_SIG_DFL 0
#define LINUX_SIG_IGN 1
#define LINUX_SIG_ERR (-1)
#define LINUX_SA_NOCLDSTOP 0x00000001u
#define LINUX_SA_NOCLDWAIT 0x00000002u
#define LINUX_SA_SIGINFO 0x00000004u
#define LINUX_SA_UNSUPPORTED 0x00000400u
#define LINUX_SA_EXPOSE_TAGBITS 0x00000800u
#define LINUX_SA_RESTORER 0x04000000u
#define LINUX_SA_ONSTACK 0x08000000u
#define LINUX_SA_RESTART 0x10000000u
#define LINUX_SA_NODEFER 0x40000000u
#define LINUX_SA_RESETHAND 0x80000000u
#define LINUX_SA_NOMASK LINUX_SA_NODEFER
#define LINUX_SA_ONESHOT LINUX_SA_RESETHAND

/* rt_sigprocmask how. */
#define LINUX_SIG_BLOCK 0
#define LINUX_SIG_UNBLOCK 1
#define LINUX_SIG_SETMASK 2

/* The rt_sigaction argument (the kernel's struct sigaction on x86-64). */
struct linux_k_sigaction {
    uint64_t handler;  /* sa_handler / sa_sigaction; LINUX_SIG_DFL, LINUX_SIG_IGN */
    uint64_t flags;    /* LINUX_SA_* */
    uint64_t restorer; /* sa_restorer, with LINUX_SA_RESTORER */
    uint64_t mask;     /* the kernel sigset */
};
_Static_assert(sizeof(struct linux_k_sigaction) == 32, "k_sigaction size");
_Static_assert(offsetof(struct linux_k_sigaction, flags) == 8, "k_sigaction flags");
_Static_assert(offsetof(struct linux_k_sigaction, restorer) == 16, "k_sigaction restorer");
_Static_assert(offsetof(struct linux_k_sigaction, mask) == 24, "k_sigaction mask");

/* sigval: the value carried by sigqueue and timers. */
union linux_sigval {
    int32_t sival_int;
    uint64_t sival_ptr;
};
_Static_assert(sizeof(union linux_sigval) == 8, "sigval size");

/* siginfo: 128 bytes; si_signo, si_errno, si_code, then a union chosen by the source. */
#define LINUX_SI_MAX_SIZE 128
struct linux_siginfo {
    int32_t si_signo;
    int32_t si_errno;
    int32_t si_code;
    int32_t _pad0; /* the union is 8-aligned */
    union {
        struct { /* kill, tkill, tgkill, SI_USER */
            int32_t pid;
            uint32_t uid;
        } kill;
        struct { /* POSIX timers, SI_TIMER */
            int32_t tid;
            int32_t overrun;
            union linux_sigval sigval;
            int32_t sys_private;
        } timer;
        struct { /* sigqueue, SI_QUEUE / SI_MESGQ */
            int32_t pid;
            uint32_t uid;
            union linux_sigval sigval;
        } rt;
        struct { /* SIGCHLD */
            int32_t pid;
            uint32_t uid;
            int32_t status;
            int32_t _pad;
            int64_t utime;
            int64_t stime;
        } chld;
        struct { /* SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP */
            uint64_t addr;
            union {
                int16_t addr_lsb; /* BUS_MCEERR_*: log2 of the poisoned extent */
                struct {
                    uint64_t _pad;
                    uint64_t lower;
                    uint64_t upper;
                } addr_bnd; /* SEGV_BNDERR */
                struct {
                    uint64_t _pad;
                    uint32_t pkey;
                } addr_pkey; /* SEGV_PKUERR */
                struct {
                    uint64_t data;
                    uint32_t type;
                    uint32_t flags;
                } perf; /* TRAP_PERF */
            } u;
        } fault;
        struct { /* SIGPOLL */
            int64_t band;
            int32_t fd;
        } poll;
        struct { /* SIGSYS from seccomp */
            uint64_t call_addr;
            int32_t syscall;
            uint32_t arch;
        } sys;
        uint8_t _bytes[LINUX_SI_MAX_SIZE - 16];
    } u;
};
_Static_assert(sizeof(struct linux_siginfo) == 128, "siginfo size");
_Static_assert(offsetof(struct linux_siginfo, si_code) == 8, "siginfo si_code");
_Static_assert(offsetof(struct linux_siginfo, u) == 16, "siginfo union");
_Static_assert(offsetof(struct linux_siginfo, u.kill.uid) == 20, "siginfo si_uid");
_Static_assert(offsetof(struct linux_siginfo, u.timer.overrun) == 20, "siginfo si_overrun");
_Static_assert(offsetof(struct linux_siginfo, u.timer.sigval) == 24, "siginfo timer si_value");
_Static_assert(offsetof(struct linux_siginfo, u.rt.sigval) == 24, "siginfo si_value");
_Static_assert(offsetof(struct linux_siginfo, u.chld.status) == 24, "siginfo si_status");
_Static_assert(offsetof(struct linux_siginfo, u.chld.utime) == 32, "siginfo si_utime");
_Static_assert(offsetof(struct linux_siginfo, u.chld.stime) == 40, "siginfo si_stime");
_Static_assert(offsetof(struct linux_siginfo, u.fault.addr) == 16, "siginfo si_addr");
_Static_assert(offsetof(struct linux_siginfo, u.fault.u.addr_lsb) == 24, "siginfo si_addr_lsb");
_Static_assert(offsetof(struct linux_siginfo, u.fault.u.addr_bnd.lower) == 32, "si_lower");
_Static_assert(offsetof(struct linux_siginfo, u.fault.u.addr_bnd.upper) == 40, "si_upper");
_Static_assert(offsetof(struct linux_siginfo, u.fault.u.addr_pkey.pkey) == 32, "siginfo si_pkey");
_Static_assert(offsetof(struct linux_siginfo, u.fault.u.perf.type) == 32, "siginfo si_perf_type");
_Static_assert(offsetof(struct linux_siginfo, u.poll.band) == 16, "siginfo si_band");
_Static_assert(offsetof(struct linux_siginfo, u.poll.fd) == 24, "siginfo si_fd");
_Static_assert(offsetof(struct linux_siginfo, u.sys.syscall) == 24, "siginfo si_syscall");
_Static_assert(offsetof(struct linux_siginfo, u.sys.arch) == 28, "siginfo si_arch");

/* What a read of a signalfd returns per signal (struct signalfd_siginfo, 128 bytes). */
struct linux_signalfd_siginfo {
    uint32_t ssi_signo;
    int32_t ssi_errno;
    int32_t ssi_code;
    uint32_t ssi_pid;
    uint32_t ssi_uid;
    int32_t ssi_fd;
    uint32_t ssi_tid;
    uint32_t ssi_band;
    uint32_t ssi_overrun;
    uint32_t ssi_trapno;
    int32_t ssi_status;
    int32_t ssi_int;
    uint64_t ssi_ptr;
    uint64_t ssi_utime;
    uint64_t ssi_stime;
    uint64_t ssi_addr;
    uint16_t ssi_addr_lsb;
    uint16_t pad2;
    int32_t ssi_syscall;
    uint64_t ssi_call_addr;
    uint32_t ssi_arch;
    uint8_t pad[28];
};
_Static_assert(sizeof(struct linux_signalfd_siginfo) == 128, "signalfd_siginfo size");
_Static_assert(offsetof(struct linux_signalfd_siginfo, ssi_int) == 44, "ssi_int");
_Static_assert(offsetof(struct linux_signalfd_siginfo, ssi_ptr) == 48, "ssi_ptr");
_Static_assert(offsetof(struct linux_signalfd_siginfo, ssi_addr) == 72, "ssi_addr");
_Static_assert(offsetof(struct linux_signalfd_siginfo, ssi_call_addr) == 88, "ssi_call_addr");

/* si_code: where a signal came from (any signal). */
#define LINUX_SI_USER 0
#define LINUX_SI_KERNEL 0x80
#define LINUX_SI_QUEUE (-1)
#define LINUX_SI_TIMER (-2)
#define LINUX_SI_MESGQ (-3)
#define LINUX_SI_ASYNCIO (-4)
#define LINUX_SI_SIGIO (-5)
#define LINUX_SI_TKILL (-6)
/* SIGILL */
#define LINUX_ILL_ILLOPC 1
#define LINUX_ILL_ILLOPN 2
#define LINUX_ILL_ILLADR 3
#define LINUX_ILL_ILLTRP 4
#define LINUX_ILL_PRVOPC 5
#define LINUX_ILL_PRVREG 6
#define LINUX_ILL_COPROC 7
#define LINUX_ILL_BADSTK 8
/* SIGFPE */
#define LINUX_FPE_INTDIV 1
#define LINUX_FPE_INTOVF 2
#define LINUX_FPE_FLTDIV 3
#define LINUX_FPE_FLTOVF 4
#define LINUX_FPE_FLTUND 5
#define LINUX_FPE_FLTRES 6
#define LINUX_FPE_FLTINV 7
#define LINUX_FPE_FLTSUB 8
/* SIGSEGV */
#define LINUX_SEGV_MAPERR 1
#define LINUX_SEGV_ACCERR 2
#define LINUX_SEGV_BNDERR 3
#define LINUX_SEGV_PKUERR 4
/* SIGBUS */
#define LINUX_BUS_ADRALN 1
#define LINUX_BUS_ADRERR 2
#define LINUX_BUS_OBJERR 3
#define LINUX_BUS_MCEERR_AR 4
#define LINUX_BUS_MCEERR_AO 5
/* SIGTRAP */
#define LINUX_TRAP_BRKPT 1
#define LINUX_TRAP_TRACE 2
#define LINUX_TRAP_BRANCH 3
#define LINUX_TRAP_HWBKPT 4
/* SIGCHLD */
#define LINUX_CLD_EXITED 1
#define LINUX_CLD_KILLED 2
#define LINUX_CLD_DUMPED 3
#define LINUX_CLD_TRAPPED 4
#define LINUX_CLD_STOPPED 5
#define LINUX_CLD_CONTINUED 6
/* SIGPOLL */
#define LINUX_POLL_IN 1
#define LINUX_POLL_OUT 2
#define LINUX_POLL_MSG 3
#define LINUX_POLL_ERR 4
#define LINUX_POLL_PRI 5
#define LINUX_POLL_HUP 6

/* sigaltstack. */
#define LINUX_SS_ONSTACK 1
#define LINUX_SS_DISABLE 2
#define LINUX_SS_AUTODISARM (1u << 31)
#define LINUX_MINSIGSTKSZ 2048
#define LINUX_SIGSTKSZ 8192
struct linux_stack {
    uint64_t ss_sp;
    int32_t ss_flags;
    int32_t _pad;
    uint64_t ss_size;
};
_Static_assert(sizeof(struct linux_stack) == 24, "stack_t size");
_Static_assert(offsetof(struct linux_stack, ss_flags) == 8, "stack_t ss_flags");
_Static_assert(offsetof(struct linux_stack, ss_size) == 16, "stack_t ss_size");

/* The FXSAVE image a signal frame's fpstate points to (512 bytes, 16-aligned), whose
 * software-reserved tail says whether an XSAVE area follows. */
#define LINUX_FP_XSTATE_MAGIC1 0x46505853u
#define LINUX_FP_XSTATE_MAGIC2 0x46505845u
#define LINUX_FP_XSTATE_MAGIC2_SIZE 4
struct linux_fpx_sw_bytes {
    uint32_t magic1;        /* LINUX_FP_XSTATE_MAGIC1 when an XSAVE area follows */
    uint32_t extended_size; /* fpstate + xstate + MAGIC2 word */
    uint64_t xfeatures;     /* XSAVE features present */
    uint32_t xstate_size;   /* fpstate + xstate (without MAGIC2) */
    uint32_t padding[7];
};
_Static_assert(sizeof(struct linux_fpx_sw_bytes) == 48, "fpx_sw_bytes size");
_Static_assert(offsetof(struct linux_fpx_sw_bytes, xstate_size) == 16, "fpx_sw xstate_size");

struct linux_fpstate {
    uint16_t cwd;
    uint16_t swd;
    uint16_t twd;
    uint16_t fop;
    uint64_t rip;
    uint64_t rdp;
    uint32_t mxcsr;
    uint32_t mxcsr_mask;
    uint32_t st_space[32];  /* 8 x87 registers, 16 bytes each */
    uint32_t xmm_space[64]; /* 16 XMM registers */
    uint32_t reserved2[12];
    struct linux_fpx_sw_bytes sw_reserved;
};
_Static_assert(sizeof(struct linux_fpstate) == 512, "fpstate size");
_Static_assert(offsetof(struct linux_fpstate, mxcsr) == 24, "fpstate mxcsr");
_Static_assert(offsetof(struct linux_fpstate, st_space) == 32, "fpstate st_space");
_Static_assert(offsetof(struct linux_fpstate, xmm_space) == 160, "fpstate xmm_space");
_Static_assert(offsetof(struct linux_fpstate, sw_reserved) == 464, "fpstate sw_reserved");

/* The XSAVE header that follows the FXSAVE image (offset 512) in an extended frame. */
struct linux_xstate_header {
    uint64_t xfeatures;
    uint64_t reserved1[2];
    uint64_t reserved2[5];
};
_Static_assert(sizeof(struct linux_xstate_header) == 64, "xstate header size");

/* The general registers of a signal frame (uc_mcontext), in gregs[] order. */
struct linux_sigcontext {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip;
    uint64_t eflags;
    uint16_t cs, gs, fs, ss; /* ss: with UC_SIGCONTEXT_SS */
    uint64_t err;
    uint64_t trapno;
    uint64_t oldmask;
    uint64_t cr2;
    uint64_t fpstate; /* user address of a struct linux_fpstate, or 0 */
    uint64_t reserved1[8];
};
_Static_assert(sizeof(struct linux_sigcontext) == 256, "sigcontext size");
_Static_assert(offsetof(struct linux_sigcontext, rdi) == 64, "sigcontext rdi");
_Static_assert(offsetof(struct linux_sigcontext, rip) == 128, "sigcontext rip");
_Static_assert(offsetof(struct linux_sigcontext, eflags) == 136, "sigcontext eflags");
_Static_assert(offsetof(struct linux_sigcontext, cs) == 144, "sigcontext cs");
_Static_assert(offsetof(struct linux_sigcontext, err) == 152, "sigcontext err");
_Static_assert(offsetof(struct linux_sigcontext, cr2) == 176, "sigcontext cr2");
_Static_assert(offsetof(struct linux_sigcontext, fpstate) == 184, "sigcontext fpstate");

/* uc_flags */
#define LINUX_UC_FP_XSTATE 0x1
#define LINUX_UC_SIGCONTEXT_SS 0x2
#define LINUX_UC_STRICT_RESTORE_SS 0x4

/* The kernel's ucontext (what rt_sigreturn reads; libc's ucontext_t is longer but agrees
 * on every field up to uc_sigmask). */
struct linux_ucontext {
    uint64_t uc_flags;
    uint64_t uc_link;
    struct linux_stack uc_stack;
    struct linux_sigcontext uc_mcontext;
    uint64_t uc_sigmask; /* the kernel sigset */
};
_Static_assert(sizeof(struct linux_ucontext) == 304, "ucontext size");
_Static_assert(offsetof(struct linux_ucontext, uc_stack) == 16, "ucontext uc_stack");
_Static_assert(offsetof(struct linux_ucontext, uc_mcontext) == 40, "ucontext uc_mcontext");
_Static_assert(offsetof(struct linux_ucontext, uc_sigmask) == 296, "ucontext uc_sigmask");

/* The frame the kernel pushes for a handler (x86-64 rt_sigframe): the return address (the
 * sa_restorer), then ucontext and siginfo; the fpstate follows, 64-aligned. On entry to the
 * handler rsp points at pretcode and rsp + 8 is 16-aligned. */
struct linux_rt_sigframe {
    uint64_t pretcode;
    struct linux_ucontext uc;
    struct linux_siginfo info;
};
_Static_assert(sizeof(struct linux_rt_sigframe) == 440, "rt_sigframe size");
_Static_assert(offsetof(struct linux_rt_sigframe, uc) == 8, "rt_sigframe uc");
_Static_assert(offsetof(struct linux_rt_sigframe, info) == 312, "rt_sigframe info");

#endif
