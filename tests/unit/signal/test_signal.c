/*
 * test_signal.c - signal delivery through hosted user mode (docs/signals.md): the whole
 * kernel boots (hosted_boot), a process is created, and the init thread enters user mode
 * (hal_user_enter) at a C function that makes syscalls with hosted_syscall(). Signals are
 * delivered by kernel_user_return() on the way back, handlers run as C calls with Linux's
 * rt_sigframe on the user stack, and return through their sa_restorer into rt_sigreturn.
 *
 * Cases: a SA_SIGINFO handler and its frame (siginfo, ucontext registers and mask, fpstate
 * with its magic, alignment), sigreturn restoring registers and the mask; blocked signals
 * staying pending (rt_sigpending) until unblocked; SIG_IGN and default-ignored signals; the
 * default action ending the process with 128 + signal; SA_RESETHAND; tgkill's SI_TKILL;
 * SA_ONSTACK on an alternate stack; a frame rt_sigreturn cannot restore (SIGSEGV, 139).
 * User code records failures (U_CHECK); the CMocka body checks them and the exit code.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/abi/signal.h"
#include "core/mm/uaccess.h"
#include "core/proc/proc.h"
#include "core/signal/signal.h"
#include "core/syscall/syscall.h"
#include "fs/file/file.h"
#include "fs/vfs/memfs.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"
#include "hal/hal_user.h"
#include "hal_hosted/hosted.h"

#define NR_read 0
#define NR_write 1
#define NR_pause 34
#define NR_nanosleep 35
#define NR_rt_sigtimedwait 128
#define NR_rt_sigsuspend 130
#define NR_rt_sigqueueinfo 129
#define NR_prlimit64 302
#define NR_restart_syscall 219
#define NR_ppoll 271
#define NR_close 3
#define NR_rt_sigaction 13
#define NR_rt_sigprocmask 14
#define NR_rt_sigreturn 15
#define NR_getpid 39
#define NR_kill 62
#define NR_rt_sigpending 127
#define NR_sigaltstack 131
#define NR_gettid 186
#define NR_tgkill 234
#define NR_pipe2 293
#define STACK_SIZE (64 * 1024)
#define BIT(s) (1ULL << ((s) - 1))

static int failures, first_fail_line;
#define U_CHECK(c)                                                                                 \
    do {                                                                                           \
        if (!(c) && !failures++)                                                                   \
            first_fail_line = __LINE__;                                                            \
    } while (0)

static uint64_t ustack;   /* user stack (STACK_SIZE) */
static uint64_t ualt;     /* alternate signal stack (STACK_SIZE) */
static uint64_t uscratch; /* user memory for syscall arguments */
static void (*user_body)(void);

static long sc(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return hosted_syscall(nr, a0, a1, a2, a3, 0, 0);
}

static void user_main(uint64_t a, uint64_t b, uint64_t c)
{
    (void)a, (void)b, (void)c;
    user_body();
}

static int entry(void *arg)
{
    struct proc *p;
    struct hal_uregs r;
    long m;

    (void)arg;
    vfs_init();
    if (memfs_mount(NULL, "/", NULL, NULL) || proc_create(NULL, &p))
        return 100;
    proc_attach(p, NULL);
    m = ksys_call(9, 0, 3 * STACK_SIZE, 3, 0x22, (uint64_t)-1, 0);
    if (m < 0)
        return 101;
    ustack = (uint64_t)m, ualt = ustack + STACK_SIZE, uscratch = ualt + STACK_SIZE;
    /* fault every page in: hosted user code touches the arena directly, no demand paging */
    for (uint64_t off = 0; off < 3 * STACK_SIZE; off += 4096) {
        static const uint8_t zero[4096];

        if (copy_to_user(uptr_make(ustack + off), zero, sizeof(zero)))
            return 103;
    }
    memset(&r, 0, sizeof(r));
    r.rip = (uint64_t)(uintptr_t)user_main;
    r.rsp = ustack + STACK_SIZE;
    r.rflags = 0x202;
    if (hal_user_enter(&r) != 0)
        return 102;
    proc_detach(NULL);
    proc_destroy(p);
    vfs_shutdown();
    return 0;
}

static int run(void (*body)(void))
{
    struct hosted_config c;

    memset(&c, 0, sizeof(c));
    c.ram_bytes = 32u << 20;
    c.entry = entry;
    failures = 0;
    first_fail_line = 0;
    user_body = body;
    return hosted_boot(&c);
}

static void expect(int rc, int code)
{
    if (failures)
        fail_msg("user-mode check failed at line %d", first_fail_line);
    assert_int_equal(rc, code);
}

/* --- user code ---------------------------------------------------------------------------- */

static void restorer(uint64_t a, uint64_t b, uint64_t c)
{
    (void)a, (void)b, (void)c;
    sc(NR_rt_sigreturn, 0, 0, 0, 0);
    U_CHECK(!"rt_sigreturn returned");
}

static int sigaction_(int sig, uint64_t handler, uint64_t flags, uint64_t mask, uint64_t old)
{
    struct linux_k_sigaction act = {handler, flags | LINUX_SA_RESTORER,
                                    (uint64_t)(uintptr_t)restorer, mask};

    memcpy((void *)uscratch, &act, sizeof(act));
    return (int)sc(NR_rt_sigaction, (uint64_t)sig, uscratch, old, 8);
}

static uint64_t mask_now(void)
{
    U_CHECK(sc(NR_rt_sigprocmask, LINUX_SIG_BLOCK, 0, uscratch + 512, 8) == 0);
    return *(uint64_t *)(uscratch + 512);
}

static int handled;
static uint64_t seen_sig, seen_mask, seen_rsp;
static struct linux_siginfo seen_info;
static struct linux_ucontext seen_uc;
static uint8_t seen_fp[1024];

static void handler(uint64_t sig, uint64_t info, uint64_t ucp)
{
    struct linux_ucontext *uc = (void *)ucp;

    handled++;
    seen_sig = sig;
    seen_info = *(struct linux_siginfo *)info;
    seen_uc = *uc;
    seen_rsp = hosted_user_regs()->rsp;
    if (uc->uc_mcontext.fpstate)
        memcpy(seen_fp, (void *)uc->uc_mcontext.fpstate, hal_fpu_state_size());
    seen_mask = mask_now();
    hosted_user_regs()->rbx = 0xdead; /* clobbered here, restored by rt_sigreturn */
}

static void body_siginfo(void)
{
    struct hal_uregs *r = hosted_user_regs();
    struct linux_fpstate *fp = (void *)seen_fp;
    long pid = sc(NR_getpid, 0, 0, 0, 0);

    U_CHECK(sigaction_(LINUX_SIGUSR1, (uint64_t)(uintptr_t)handler, LINUX_SA_SIGINFO,
                       BIT(LINUX_SIGUSR2), 0) == 0);
    r->rbx = 0x1111, r->r12 = 0x2222, r->r15 = 0x5555;
    ((struct linux_fpstate *)hosted_user_fpu())->mxcsr = 0x3f80; /* the program's MXCSR */
    U_CHECK(sc(NR_kill, (uint64_t)pid, LINUX_SIGUSR1, 0, 0) == 0);
    U_CHECK(handled == 1 && seen_sig == LINUX_SIGUSR1);
    U_CHECK(seen_info.si_signo == LINUX_SIGUSR1 && seen_info.si_code == LINUX_SI_USER);
    U_CHECK(seen_info.u.kill.pid == pid && seen_info.u.kill.uid == 0);
    U_CHECK(seen_uc.uc_mcontext.rbx == 0x1111 && seen_uc.uc_mcontext.r12 == 0x2222);
    U_CHECK(seen_uc.uc_mcontext.rsp == ustack + STACK_SIZE);
    U_CHECK(seen_uc.uc_mcontext.rax == 0); /* kill's result, as the handler interrupted it */
    U_CHECK(seen_uc.uc_sigmask == 0 && seen_uc.uc_mcontext.oldmask == 0);
    U_CHECK(seen_uc.uc_flags & LINUX_UC_FP_XSTATE);
    U_CHECK(seen_uc.uc_stack.ss_flags == LINUX_SS_DISABLE);
    U_CHECK(seen_mask == (BIT(LINUX_SIGUSR1) | BIT(LINUX_SIGUSR2)));
    U_CHECK((seen_rsp + 8) % 16 == 0); /* as after a call */
    U_CHECK(seen_uc.uc_mcontext.fpstate % 64 == 0 && seen_uc.uc_mcontext.fpstate > seen_rsp);
    U_CHECK(seen_uc.uc_mcontext.fpstate + hal_fpu_state_size() <= ustack + STACK_SIZE - 128);
    U_CHECK(fp->sw_reserved.magic1 == LINUX_FP_XSTATE_MAGIC1 && fp->mxcsr == 0x3f80);
    /* back from the handler: registers, mask and FPU state as before */
    U_CHECK(r->rbx == 0x1111 && r->r12 == 0x2222 && r->r15 == 0x5555);
    U_CHECK(r->rsp == ustack + STACK_SIZE);
    U_CHECK(mask_now() == 0);
    U_CHECK(((struct linux_fpstate *)hosted_user_fpu())->mxcsr == 0x3f80);
}

static void test_handler_frame_and_sigreturn(void **state)
{
    (void)state;
    handled = 0;
    expect(run(body_siginfo), 0);
}

static void body_blocked(void)
{
    long pid = sc(NR_getpid, 0, 0, 0, 0);
    uint64_t set = BIT(LINUX_SIGUSR2);

    U_CHECK(sigaction_(LINUX_SIGUSR2, (uint64_t)(uintptr_t)handler, 0, 0, 0) == 0);
    memcpy((void *)uscratch, &set, 8);
    U_CHECK(sc(NR_rt_sigprocmask, LINUX_SIG_BLOCK, uscratch, 0, 8) == 0);
    U_CHECK(sc(NR_kill, (uint64_t)pid, LINUX_SIGUSR2, 0, 0) == 0);
    U_CHECK(handled == 0);
    U_CHECK(sc(NR_rt_sigpending, uscratch + 64, 8, 0, 0) == 0);
    U_CHECK(*(uint64_t *)(uscratch + 64) == BIT(LINUX_SIGUSR2));
    U_CHECK(sc(NR_rt_sigprocmask, LINUX_SIG_UNBLOCK, uscratch, 0, 8) == 0);
    U_CHECK(handled == 1 && seen_sig == LINUX_SIGUSR2); /* taken on the way out */
    U_CHECK(seen_info.si_code == LINUX_SI_USER);
    U_CHECK(sc(NR_rt_sigpending, uscratch + 64, 8, 0, 0) == 0);
    U_CHECK(*(uint64_t *)(uscratch + 64) == 0);
    /* ignored: by SIG_IGN, and SIGCHLD by default */
    U_CHECK(sigaction_(LINUX_SIGUSR1, LINUX_SIG_IGN, 0, 0, 0) == 0);
    U_CHECK(sc(NR_kill, (uint64_t)pid, LINUX_SIGUSR1, 0, 0) == 0);
    U_CHECK(sc(NR_kill, (uint64_t)pid, LINUX_SIGCHLD, 0, 0) == 0);
    U_CHECK(handled == 1);
    /* bad arguments */
    U_CHECK(sc(NR_kill, (uint64_t)pid, 65, 0, 0) == -EINVAL);
    U_CHECK(sc(NR_kill, 4242, LINUX_SIGUSR1, 0, 0) == -ESRCH);
    U_CHECK(sc(NR_kill, (uint64_t)pid, 0, 0, 0) == 0);
    U_CHECK(sc(NR_tgkill, (uint64_t)pid, 4242, LINUX_SIGUSR1, 0) == -ESRCH);
    U_CHECK(sc(NR_tgkill, (uint64_t)pid, 0, LINUX_SIGUSR1, 0) == -EINVAL);
    U_CHECK(sc(NR_rt_sigpending, 8, 8, 0, 0) == -EFAULT);
    U_CHECK(sigaction_(LINUX_SIGKILL, LINUX_SIG_IGN, 0, 0, 0) == -EINVAL);
}

static void test_blocked_pending_ignored(void **state)
{
    (void)state;
    handled = 0;
    expect(run(body_blocked), 0);
}

static void body_default_term(void)
{
    sc(NR_kill, (uint64_t)sc(NR_getpid, 0, 0, 0, 0), LINUX_SIGTERM, 0, 0);
    U_CHECK(!"survived SIGTERM");
}

static void test_default_action_terminates(void **state)
{
    (void)state;
    expect(run(body_default_term), 128 + LINUX_SIGTERM);
}

static void body_resethand(void)
{
    long pid = sc(NR_getpid, 0, 0, 0, 0), tid = sc(NR_gettid, 0, 0, 0, 0);
    struct linux_k_sigaction old;

    U_CHECK(sigaction_(LINUX_SIGUSR1, (uint64_t)(uintptr_t)handler,
                       LINUX_SA_SIGINFO | LINUX_SA_RESETHAND, 0, 0) == 0);
    U_CHECK(sc(NR_tgkill, (uint64_t)pid, (uint64_t)tid, LINUX_SIGUSR1, 0) == 0);
    U_CHECK(handled == 1 && seen_info.si_code == LINUX_SI_TKILL);
    U_CHECK(seen_mask == BIT(LINUX_SIGUSR1));
    U_CHECK(sc(NR_rt_sigaction, LINUX_SIGUSR1, 0, uscratch + 256, 8) == 0);
    memcpy(&old, (void *)(uscratch + 256), sizeof(old));
    U_CHECK(old.handler == LINUX_SIG_DFL); /* reset by the delivery */
    /* Linux resets the handler only: flags (SA_RESETHAND too) and restorer stay */
    U_CHECK(old.flags == (LINUX_SA_SIGINFO | LINUX_SA_RESETHAND | LINUX_SA_RESTORER));
    U_CHECK(old.restorer == (uint64_t)(uintptr_t)restorer);
    sc(NR_kill, (uint64_t)pid, LINUX_SIGUSR1, 0, 0); /* now the default: terminate */
    U_CHECK(!"survived SIGUSR1");
}

static void test_resethand_then_default(void **state)
{
    (void)state;
    handled = 0;
    expect(run(body_resethand), 128 + LINUX_SIGUSR1);
}

static void body_altstack(void)
{
    struct linux_stack ss = {ualt, 0, 0, STACK_SIZE};

    memcpy((void *)uscratch, &ss, sizeof(ss));
    U_CHECK(sc(NR_sigaltstack, uscratch, 0, 0, 0) == 0);
    U_CHECK(sigaction_(LINUX_SIGUSR1, (uint64_t)(uintptr_t)handler,
                       LINUX_SA_SIGINFO | LINUX_SA_ONSTACK, 0, 0) == 0);
    U_CHECK(sc(NR_kill, (uint64_t)sc(NR_getpid, 0, 0, 0, 0), LINUX_SIGUSR1, 0, 0) == 0);
    U_CHECK(handled == 1);
    U_CHECK(seen_rsp >= ualt && seen_rsp < ualt + STACK_SIZE);
    U_CHECK(seen_uc.uc_stack.ss_sp == ualt && seen_uc.uc_stack.ss_size == STACK_SIZE);
    U_CHECK(seen_uc.uc_mcontext.rsp == ustack + STACK_SIZE); /* the interrupted stack */
    U_CHECK(hosted_user_regs()->rsp == ustack + STACK_SIZE);
}

static void test_sigaltstack_onstack(void **state)
{
    (void)state;
    handled = 0;
    expect(run(body_altstack), 0);
}

static void body_bad_sigreturn(void)
{
    hosted_user_regs()->rsp = 0x1000; /* no frame there */
    sc(NR_rt_sigreturn, 0, 0, 0, 0);
    U_CHECK(!"survived a bad rt_sigreturn");
}

static void test_bad_sigreturn_is_sigsegv(void **state)
{
    (void)state;
    expect(run(body_bad_sigreturn), 128 + LINUX_SIGSEGV);
}

/* --- synchronous signals from user faults (core/signal/fault.c) ---------------------------- */

#define UNMAPPED 0x10000ULL /* nothing is mapped this low in the hosted arena's space */

static void body_fault_handled(void)
{
    long ro = hosted_syscall(9, 0, 4096, 1 /* PROT_READ */, 0x22, (uint64_t)-1, 0);

    U_CHECK(ro > 0);
    U_CHECK(sigaction_(LINUX_SIGSEGV, (uint64_t)(uintptr_t)handler, LINUX_SA_SIGINFO, 0, 0) == 0);
    U_CHECK(sigaction_(LINUX_SIGFPE, (uint64_t)(uintptr_t)handler, LINUX_SA_SIGINFO, 0, 0) == 0);
    hosted_user_fault(HAL_FAULT_PAGE_WRITE, UNMAPPED);
    U_CHECK(handled == 1 && seen_sig == LINUX_SIGSEGV);
    U_CHECK(seen_info.si_code == LINUX_SEGV_MAPERR && seen_info.u.fault.addr == UNMAPPED);
    U_CHECK(seen_uc.uc_mcontext.cr2 == UNMAPPED);
    U_CHECK(seen_mask == BIT(LINUX_SIGSEGV) && mask_now() == 0);
    hosted_user_fault(HAL_FAULT_PAGE_WRITE, (uint64_t)ro + 8);
    U_CHECK(handled == 2 && seen_info.si_code == LINUX_SEGV_ACCERR);
    U_CHECK(seen_info.u.fault.addr == (uint64_t)ro + 8);
    hosted_user_fault(HAL_FAULT_DIVIDE, 0);
    U_CHECK(handled == 3 && seen_sig == LINUX_SIGFPE);
    U_CHECK(seen_info.si_code == LINUX_FPE_INTDIV);
    U_CHECK(seen_info.u.fault.addr == seen_uc.uc_mcontext.rip);
}

static void test_fault_handled(void **state)
{
    (void)state;
    handled = 0;
    expect(run(body_fault_handled), 0);
}

static void body_fault_blocked(void)
{
    U_CHECK(sigaction_(LINUX_SIGILL, (uint64_t)(uintptr_t)handler, LINUX_SA_SIGINFO, 0, 0) == 0);
    *(uint64_t *)uscratch = BIT(LINUX_SIGILL);
    U_CHECK(sc(NR_rt_sigprocmask, LINUX_SIG_BLOCK, uscratch, 0, 8) == 0);
    hosted_user_fault(HAL_FAULT_ILLEGAL, 0); /* blocked: forced to the default, as Linux */
    U_CHECK(!"survived a blocked SIGILL fault");
}

static void body_fault_default(void)
{
    hosted_user_fault(HAL_FAULT_PAGE_READ, UNMAPPED);
    U_CHECK(!"survived an unhandled fault");
}

static void test_fault_blocked_or_default_terminates(void **state)
{
    (void)state;
    handled = 0;
    expect(run(body_fault_blocked), 128 + LINUX_SIGILL);
    expect(run(body_fault_default), 128 + LINUX_SIGSEGV);
    assert_int_equal(handled, 0);
}

/* --- queued signals told to their sender (signal_send_notify, the POSIX timers' API) ------- */

static int notified, notified_null, handled_before_notify;
static struct linux_siginfo notified_info;

static void note(void *arg, struct linux_siginfo *info)
{
    (void)arg;
    if (!info) {
        notified_null++;
        return;
    }
    notified++;
    notified_info = *info;
    handled_before_notify = handled;
    info->u.timer.overrun = 7; /* the sender may edit what the handler sees */
}

static void body_notify(void)
{
    struct proc *p = proc_current();
    struct linux_siginfo si = {.si_code = LINUX_SI_TIMER};
    uint64_t set = BIT(LINUX_SIGUSR1) | BIT(LINUX_SIGRTMIN);
    int a, b;

    U_CHECK(sigaction_(LINUX_SIGUSR1, (uint64_t)(uintptr_t)handler, LINUX_SA_SIGINFO, 0, 0) == 0);
    U_CHECK(sigaction_(LINUX_SIGRTMIN, (uint64_t)(uintptr_t)handler, LINUX_SA_SIGINFO, 0, 0) == 0);
    memcpy((void *)(uscratch + 320), &set, 8);
    U_CHECK(sc(NR_rt_sigprocmask, LINUX_SIG_BLOCK, uscratch + 320, 0, 8) == 0);
    /* a standard signal merges with the pending one: the second send is not queued */
    U_CHECK(signal_send_notify(p, NULL, LINUX_SIGUSR1, &si, note, &a) == 0);
    U_CHECK(signal_send_notify(p, NULL, LINUX_SIGUSR1, &si, note, &b) == 1);
    /* a real-time one queues; cancelled ones leave without a notification */
    U_CHECK(signal_send_notify(p, NULL, LINUX_SIGRTMIN, &si, note, &b) == 0);
    U_CHECK(signal_send_notify(p, NULL, LINUX_SIGRTMIN, &si, note, &b) == 0);
    signal_cancel_notify(p, &b);
    U_CHECK(sc(NR_rt_sigpending, uscratch + 64, 8, 0, 0) == 0);
    U_CHECK(*(uint64_t *)(uscratch + 64) == BIT(LINUX_SIGUSR1));
    U_CHECK(signal_send_notify(p, NULL, 0, &si, note, &a) == -EINVAL);
    U_CHECK(signal_send_notify(p, NULL, 65, &si, note, &a) == -EINVAL);
    U_CHECK(notified == 0 && notified_null == 0);
    /* dequeued for delivery: the sender hears first, and its edit reaches the handler */
    U_CHECK(sc(NR_rt_sigprocmask, LINUX_SIG_UNBLOCK, uscratch + 320, 0, 8) == 0);
    U_CHECK(handled == 1 && notified == 1 && handled_before_notify == 0);
    U_CHECK(notified_info.si_signo == LINUX_SIGUSR1 && notified_info.si_code == LINUX_SI_TIMER);
    U_CHECK(seen_info.u.timer.overrun == 7);
    /* discarded: the action becomes SIG_IGN while it is pending (blocked) */
    U_CHECK(sc(NR_rt_sigprocmask, LINUX_SIG_BLOCK, uscratch + 320, 0, 8) == 0);
    U_CHECK(signal_send_notify(p, NULL, LINUX_SIGRTMIN, &si, note, &a) == 0);
    U_CHECK(sigaction_(LINUX_SIGRTMIN, LINUX_SIG_IGN, 0, 0, 0) == 0);
    U_CHECK(notified_null == 1);
    U_CHECK(sc(NR_rt_sigpending, uscratch + 64, 8, 0, 0) == 0);
    U_CHECK(*(uint64_t *)(uscratch + 64) == 0);
    /* ignored and not blocked: dropped at once, never queued */
    U_CHECK(sc(NR_rt_sigprocmask, LINUX_SIG_UNBLOCK, uscratch + 320, 0, 8) == 0);
    U_CHECK(signal_send_notify(p, NULL, LINUX_SIGRTMIN, &si, note, &a) == 1);
    /* left queued when the process ends: told with NULL (proc_destroy, after this body) */
    U_CHECK(sc(NR_rt_sigprocmask, LINUX_SIG_BLOCK, uscratch + 320, 0, 8) == 0);
    U_CHECK(signal_send_notify(p, NULL, LINUX_SIGUSR1, &si, note, &a) == 0);
}

static void test_send_notify_and_cancel(void **state)
{
    (void)state;
    handled = notified = notified_null = 0;
    expect(run(body_notify), 0);
    assert_int_equal(notified, 1);
    assert_int_equal(notified_null, 2); /* the SIG_IGN discard, then the process's end */
}

/* --- SIGPIPE from a write to a pipe nobody reads (file_sigpipe) ---------------------------- */

static int broken_pipe_fd(void)
{
    int32_t fds[2];

    U_CHECK(sc(NR_pipe2, uscratch + 128, 0, 0, 0) == 0);
    memcpy(fds, (void *)(uscratch + 128), sizeof(fds));
    U_CHECK(sc(NR_close, (uint64_t)fds[0], 0, 0, 0) == 0);
    return fds[1];
}

static void body_sigpipe_default(void)
{
    sc(NR_write, (uint64_t)broken_pipe_fd(), uscratch, 1, 0);
    U_CHECK(!"survived SIGPIPE");
}

static void body_sigpipe_handled(void)
{
    int fd = broken_pipe_fd();
    long pid = sc(NR_getpid, 0, 0, 0, 0);

    U_CHECK(sigaction_(LINUX_SIGPIPE, LINUX_SIG_IGN, 0, 0, 0) == 0);
    U_CHECK(sc(NR_write, (uint64_t)fd, uscratch, 1, 0) == -EPIPE);
    U_CHECK(handled == 0);
    U_CHECK(sigaction_(LINUX_SIGPIPE, (uint64_t)(uintptr_t)handler, LINUX_SA_SIGINFO, 0, 0) == 0);
    U_CHECK(sc(NR_write, (uint64_t)fd, uscratch, 1, 0) == -EPIPE);
    /* as natively: SI_USER from the process itself */
    U_CHECK(handled == 1 && seen_sig == LINUX_SIGPIPE);
    U_CHECK(seen_info.si_code == LINUX_SI_USER && seen_info.u.kill.pid == pid);
    U_CHECK(seen_uc.uc_mcontext.rax == (uint64_t)-EPIPE);
}

static void test_sigpipe(void **state)
{
    (void)state;
    expect(run(body_sigpipe_default), 128 + LINUX_SIGPIPE);
    handled = 0;
    expect(run(body_sigpipe_handled), 0);
}

/* --- restarts (signal.h "Restart") -------------------------------------------------------- */

/* A kernel thread that interrupts the user thread after a delay, with a signal or without
 * one (what a signal that another thread took, or that became ignored, leaves behind), then
 * optionally writes a byte to a pipe. */
struct poke {
    struct thread *target;
    uint64_t delay_ns;
    int sig;      /* 0: thread_interrupt alone */
    int write_fd; /* -1: none */
    uint64_t then_ns;
};

static void poker(void *arg)
{
    struct poke *pk = arg;

    sched_sleep_ns(pk->delay_ns);
    if (pk->sig)
        signal_send(pk->target->ut->proc, pk->target->ut, pk->sig, NULL);
    else
        thread_interrupt(pk->target);
    if (pk->write_fd >= 0) {
        sched_sleep_ns(pk->then_ns);
        /* the pipe write as the kernel would do it for another thread: through the fd table */
        struct file *f;
        if (fd_get(&pk->target->ut->proc->fds, pk->write_fd, &f) == 0) {
            uint64_t pos = 0;
            file_write(f, "y", 1, &pos);
            file_put(f);
        }
    }
}

static struct poke pk;

static void poke_later(uint64_t delay_ns, int sig, int write_fd, uint64_t then_ns)
{
    pk = (struct poke){thread_current(), delay_ns, sig, write_fd, then_ns};
    thread_detach(thread_create("poker", poker, &pk));
}

static void body_restart_no_handler(void)
{
    struct linux_timespec ts = {1, 0};
    uint64_t t0 = hal_clock_ns();
    int32_t fds[2];

    /* nanosleep interrupted with no signal to take: restart_syscall sleeps the rest */
    memcpy((void *)(uscratch + 64), &ts, sizeof(ts));
    poke_later(300000000, 0, -1, 0);
    U_CHECK(sc(NR_nanosleep, uscratch + 64, uscratch + 96, 0, 0) == 0);
    U_CHECK(hal_clock_ns() - t0 == 1000000000); /* the virtual clock: exactly the deadline */
    /* restart_syscall by hand after that: nothing armed */
    U_CHECK(sc(NR_restart_syscall, 0, 0, 0, 0) == -EINTR);
    /* a pipe read (ERESTARTSYS) restarts transparently, then gets the byte */
    U_CHECK(sc(NR_pipe2, uscratch + 128, 0, 0, 0) == 0);
    memcpy(fds, (void *)(uscratch + 128), sizeof(fds));
    poke_later(100000000, 0, fds[1], 100000000);
    U_CHECK(sc(NR_read, (uint64_t)fds[0], uscratch + 200, 1, 0) == 1 && *(char *)(uscratch + 200) == 'y');
    /* an ignored signal does not even interrupt (dropped at send) */
    U_CHECK(sigaction_(LINUX_SIGUSR2, LINUX_SIG_IGN, 0, 0, 0) == 0);
    poke_later(100000000, LINUX_SIGUSR2, fds[1], 100000000);
    U_CHECK(sc(NR_read, (uint64_t)fds[0], uscratch + 200, 1, 0) == 1);
    U_CHECK(handled == 0);
}

static void test_restart_without_handler(void **state)
{
    (void)state;
    handled = 0;
    expect(run(body_restart_no_handler), 0);
}

static void body_restart_with_handler(void)
{
    struct linux_timespec ts = {1, 0}, rem;
    uint64_t t0 = hal_clock_ns();
    int32_t fds[2];

    U_CHECK(sigaction_(LINUX_SIGUSR1, (uint64_t)(uintptr_t)handler, LINUX_SA_SIGINFO, 0, 0) == 0);
    memcpy((void *)(uscratch + 64), &ts, sizeof(ts));
    /* nanosleep: a handler makes it -EINTR, with the time left */
    poke_later(300000000, LINUX_SIGUSR1, -1, 0);
    U_CHECK(sc(NR_nanosleep, uscratch + 64, uscratch + 96, 0, 0) == -EINTR);
    U_CHECK(handled == 1 && hal_clock_ns() - t0 == 300000000);
    memcpy(&rem, (void *)(uscratch + 96), sizeof(rem));
    U_CHECK(rem.tv_sec == 0 && rem.tv_nsec == 700000000);
    U_CHECK(seen_uc.uc_mcontext.rax == (uint64_t)-EINTR); /* the frame holds the result */
    U_CHECK(sc(NR_restart_syscall, 0, 0, 0, 0) == -EINTR); /* the block was emptied */
    /* a pipe read: -EINTR without SA_RESTART, the byte with it */
    U_CHECK(sc(NR_pipe2, uscratch + 128, 0, 0, 0) == 0);
    memcpy(fds, (void *)(uscratch + 128), sizeof(fds));
    poke_later(100000000, LINUX_SIGUSR1, fds[1], 100000000);
    U_CHECK(sc(NR_read, (uint64_t)fds[0], uscratch + 200, 1, 0) == -EINTR);
    U_CHECK(handled == 2);
    U_CHECK(sc(NR_read, (uint64_t)fds[0], uscratch + 200, 1, 0) == 1 && *(char *)(uscratch + 200) == 'y');
    U_CHECK(sigaction_(LINUX_SIGUSR1, (uint64_t)(uintptr_t)handler,
                       LINUX_SA_SIGINFO | LINUX_SA_RESTART, 0, 0) == 0);
    poke_later(100000000, LINUX_SIGUSR1, fds[1], 100000000);
    *(char *)(uscratch + 200) = 0;
    U_CHECK(sc(NR_read, (uint64_t)fds[0], uscratch + 200, 1, 0) == 1 && *(char *)(uscratch + 200) == 'y');
    U_CHECK(handled == 3);
    /* the frame of a restarted call: rip back on the SYSCALL, rax the number */
    U_CHECK(seen_uc.uc_mcontext.rax == NR_read);
}

static void test_restart_with_handler(void **state)
{
    (void)state;
    handled = 0;
    expect(run(body_restart_with_handler), 0);
}

/* ppoll's temporary mask: the handler runs under it, the frame keeps the old one. */
static void body_ppoll_mask(void)
{
    long pid = sc(NR_getpid, 0, 0, 0, 0);
    uint64_t block = BIT(LINUX_SIGUSR1), temp = BIT(LINUX_SIGUSR2);

    U_CHECK(sigaction_(LINUX_SIGUSR1, (uint64_t)(uintptr_t)handler, LINUX_SA_SIGINFO, 0, 0) == 0);
    memcpy((void *)(uscratch + 320), &block, 8);
    memcpy((void *)(uscratch + 328), &temp, 8);
    U_CHECK(sc(NR_rt_sigprocmask, LINUX_SIG_BLOCK, uscratch + 320, 0, 8) == 0);
    U_CHECK(sc(NR_kill, (uint64_t)pid, LINUX_SIGUSR1, 0, 0) == 0); /* pending, blocked */
    U_CHECK(handled == 0);
    U_CHECK(hosted_syscall(NR_ppoll, 0, 0, 0, uscratch + 328, 8, 0) == -EINTR);
    U_CHECK(handled == 1);
    U_CHECK(seen_mask == (BIT(LINUX_SIGUSR1) | BIT(LINUX_SIGUSR2))); /* temp + the signal */
    U_CHECK(seen_uc.uc_sigmask == BIT(LINUX_SIGUSR1));               /* the saved mask */
    U_CHECK(mask_now() == BIT(LINUX_SIGUSR1));
    /* nothing to take: the mask comes back at once */
    U_CHECK(hosted_syscall(NR_ppoll, 0, 0, uscratch + 64, uscratch + 328, 8, 0) == 0);
    U_CHECK(mask_now() == BIT(LINUX_SIGUSR1));
}

static void test_ppoll_temporary_mask(void **state)
{
    (void)state;
    handled = 0;
    expect(run(body_ppoll_mask), 0);
}

/* --- waiting for signals: rt_sigsuspend, pause, rt_sigtimedwait --------------------------- */

static void body_wait(void)
{
    uint64_t usr1 = BIT(LINUX_SIGUSR1), usr2 = BIT(LINUX_SIGUSR2), none = 0;
    struct linux_timespec ts = {2, 0};
    uint64_t t0;

    U_CHECK(sigaction_(LINUX_SIGUSR1, (uint64_t)(uintptr_t)handler, LINUX_SA_SIGINFO, 0, 0) == 0);
    memcpy((void *)(uscratch + 320), &usr1, 8);
    memcpy((void *)(uscratch + 328), &usr2, 8);
    memcpy((void *)(uscratch + 336), &none, 8);
    memcpy((void *)(uscratch + 344), &ts, sizeof(ts));
    /* rt_sigsuspend: blocks until the signal, the handler runs under the temporary mask */
    U_CHECK(sc(NR_rt_sigprocmask, LINUX_SIG_BLOCK, uscratch + 320, 0, 8) == 0);
    poke_later(500000000, LINUX_SIGUSR1, -1, 0);
    t0 = hal_clock_ns();
    U_CHECK(sc(NR_rt_sigsuspend, uscratch + 328, 8, 0, 0) == -EINTR);
    U_CHECK(handled == 1 && hal_clock_ns() - t0 == 500000000);
    U_CHECK(seen_mask == (usr1 | usr2) && seen_uc.uc_sigmask == usr1);
    U_CHECK(mask_now() == usr1);
    /* an interrupt without a signal (taken elsewhere): sigsuspend goes on waiting */
    poke_later(100000000, 0, -1, 0);
    thread_detach(thread_create("poker2", poker, &(struct poke){thread_current(), 300000000,
                                                                 LINUX_SIGUSR1, -1, 0}));
    t0 = hal_clock_ns();
    U_CHECK(sc(NR_rt_sigsuspend, uscratch + 336, 8, 0, 0) == -EINTR);
    U_CHECK(handled == 2 && hal_clock_ns() - t0 == 300000000);
    U_CHECK(sc(NR_rt_sigprocmask, LINUX_SIG_UNBLOCK, uscratch + 320, 0, 8) == 0);
    /* pause */
    poke_later(200000000, LINUX_SIGUSR1, -1, 0);
    U_CHECK(sc(NR_pause, 0, 0, 0, 0) == -EINTR && handled == 3);
    /* rt_sigtimedwait: a blocked signal sent later is taken, not delivered */
    U_CHECK(sc(NR_rt_sigprocmask, LINUX_SIG_BLOCK, uscratch + 328, 0, 8) == 0);
    poke_later(100000000, LINUX_SIGUSR2, -1, 0);
    U_CHECK(sc(NR_rt_sigtimedwait, uscratch + 328, uscratch + 400, uscratch + 344, 8) ==
            LINUX_SIGUSR2);
    U_CHECK(((struct linux_siginfo *)(uscratch + 400))->si_code == LINUX_SI_KERNEL);
    /* the timeout */
    t0 = hal_clock_ns();
    U_CHECK(sc(NR_rt_sigtimedwait, uscratch + 328, 0, uscratch + 344, 8) == -EAGAIN);
    U_CHECK(hal_clock_ns() - t0 == 2000000000);
    /* another signal's handler ends it: -EINTR, not restarted */
    poke_later(100000000, LINUX_SIGUSR1, -1, 0);
    U_CHECK(sc(NR_rt_sigtimedwait, uscratch + 328, 0, uscratch + 344, 8) == -EINTR);
    U_CHECK(handled == 4);
    /* SIG_IGN does not drop a signal a sigtimedwait waits for, even when not blocked */
    U_CHECK(sc(NR_rt_sigprocmask, LINUX_SIG_UNBLOCK, uscratch + 328, 0, 8) == 0);
    U_CHECK(sigaction_(LINUX_SIGUSR2, LINUX_SIG_IGN, 0, 0, 0) == 0);
    poke_later(100000000, LINUX_SIGUSR2, -1, 0);
    U_CHECK(sc(NR_rt_sigtimedwait, uscratch + 328, 0, uscratch + 344, 8) == LINUX_SIGUSR2);
}

static void test_waiting_for_signals(void **state)
{
    (void)state;
    handled = 0;
    expect(run(body_wait), 0);
}

/* --- the queue limit (RLIMIT_SIGPENDING) ----------------------------------------------------- */

static long queue(int sig, int code, int val)
{
    struct linux_siginfo si = {.si_code = code};

    si.u.rt.sigval.sival_int = val;
    memcpy((void *)(uscratch + 600), &si, sizeof(si));
    return sc(NR_rt_sigqueueinfo, (uint64_t)sc(NR_getpid, 0, 0, 0, 0), (uint64_t)sig,
              uscratch + 600, 0);
}

static void body_limit(void)
{
    uint64_t lim[2] = {2, 2}, all = ~0ULL;
    struct linux_timespec zero = {0, 0};
    struct linux_siginfo *got = (void *)(uscratch + 800);

    memcpy((void *)(uscratch + 320), &all, 8);
    memcpy((void *)(uscratch + 344), &zero, sizeof(zero));
    memcpy((void *)(uscratch + 360), lim, sizeof(lim));
    U_CHECK(sc(NR_rt_sigprocmask, LINUX_SIG_BLOCK, uscratch + 320, 0, 8) == 0);
    U_CHECK(sc(NR_prlimit64, 0, LINUX_RLIMIT_SIGPENDING, uscratch + 360, 0) == 0);
    U_CHECK(queue(35, LINUX_SI_QUEUE, 1) == 0);
    U_CHECK(queue(35, LINUX_SI_QUEUE, 2) == 0);
    U_CHECK(queue(35, LINUX_SI_QUEUE, 3) == -EAGAIN); /* real-time, with a siginfo */
    U_CHECK(queue(36, LINUX_SI_USER, 4) == 0);        /* kill's: marked, siginfo lost */
    U_CHECK(queue(LINUX_SIGUSR1, LINUX_SI_QUEUE, 5) == 0); /* standard: marked too */
    U_CHECK(queue(LINUX_SIGUSR2, LINUX_SI_USER, 6) == 0);  /* kill's standard: past it */
    *(uint64_t *)(uscratch + 328) = BIT(36) | BIT(LINUX_SIGUSR1) | BIT(LINUX_SIGUSR2);
    U_CHECK(sc(NR_rt_sigtimedwait, uscratch + 328, uscratch + 800, uscratch + 344, 8) ==
            LINUX_SIGUSR1);
    U_CHECK(got->si_code == LINUX_SI_USER && got->u.rt.sigval.sival_int == 0);
    U_CHECK(sc(NR_rt_sigtimedwait, uscratch + 328, uscratch + 800, uscratch + 344, 8) ==
            LINUX_SIGUSR2);
    U_CHECK(got->si_code == LINUX_SI_USER && got->u.rt.sigval.sival_int == 6);
    U_CHECK(sc(NR_rt_sigtimedwait, uscratch + 328, uscratch + 800, uscratch + 344, 8) == 36);
    U_CHECK(got->si_code == LINUX_SI_USER && got->u.kill.pid == 0);
    *(uint64_t *)(uscratch + 328) = BIT(35);
    U_CHECK(sc(NR_rt_sigtimedwait, uscratch + 328, uscratch + 800, uscratch + 344, 8) == 35);
    U_CHECK(got->u.rt.sigval.sival_int == 1);
    U_CHECK(queue(35, LINUX_SI_QUEUE, 7) == 0); /* room again */
    U_CHECK(sc(NR_rt_sigtimedwait, uscratch + 328, uscratch + 800, uscratch + 344, 8) == 35);
    U_CHECK(got->u.rt.sigval.sival_int == 2);
    U_CHECK(sc(NR_rt_sigtimedwait, uscratch + 328, uscratch + 800, uscratch + 344, 8) == 35);
    U_CHECK(got->u.rt.sigval.sival_int == 7);
    U_CHECK(sc(NR_rt_sigtimedwait, uscratch + 328, uscratch + 800, uscratch + 344, 8) == -EAGAIN);
}

static void test_queue_limit(void **state)
{
    (void)state;
    expect(run(body_limit), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handler_frame_and_sigreturn),
        cmocka_unit_test(test_blocked_pending_ignored),
        cmocka_unit_test(test_default_action_terminates),
        cmocka_unit_test(test_resethand_then_default),
        cmocka_unit_test(test_sigaltstack_onstack),
        cmocka_unit_test(test_bad_sigreturn_is_sigsegv),
        cmocka_unit_test(test_fault_handled),
        cmocka_unit_test(test_fault_blocked_or_default_terminates),
        cmocka_unit_test(test_send_notify_and_cancel),
        cmocka_unit_test(test_sigpipe),
        cmocka_unit_test(test_restart_without_handler),
        cmocka_unit_test(test_restart_with_handler),
        cmocka_unit_test(test_ppoll_temporary_mask),
        cmocka_unit_test(test_waiting_for_signals),
        cmocka_unit_test(test_queue_limit),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
