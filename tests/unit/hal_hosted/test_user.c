/*
 * test_user.c - hosted user mode (hal_hosted/user.c) with the test playing the kernel through
 * hosted_hooks: the entry function and its registers, hosted_syscall through the syscall hook,
 * the return-to-user work loop (kernel_user_return again while work is pending, and when an
 * interrupt is pending at the last moment), restarts at rip - 2, a handler frame set up by the
 * "kernel" run as a C call that returns through its restorer and rt_sigreturn (also nested,
 * also followed by a restart), a handler that longjmps out of a fault, a rip that is not code,
 * interrupt points, and two contexts in user mode at once, each with its own registers.
 *
 * User-mode code records what it saw (U_CHECK) instead of asserting: a CMocka longjmp out of
 * hal_user_enter() would skip its bookkeeping. The test body asserts afterwards.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hal/hal_cpu.h"
#include "hal/hal_errno.h"
#include "hal/hal_mem.h"
#include "hal/hal_time.h"
#include "hal/hal_user.h"
#include "hal_hosted/hosted.h"
#include "core/abi/signal.h"

#define PG HAL_PAGE_SIZE
#define NR_ECHO 1000          /* rax = the sum of the six arguments */
#define NR_RESTART_ONCE 1001  /* first call restarts itself (rip - 2), the second returns 7 */
#define NR_RAISE 1002         /* a "signal" rdi is delivered on the way out */
#define NR_INTR_RESTART 1003  /* interrupted by signal rdi, restarted after the handler: 55 */
#define NR_JUMP 1004          /* the kernel makes user mode resume at rdi */
#define NR_SWITCH 1005        /* switch to the other context and back */
#define NR_SIGRETURN 15
#define REDZONE 128

static int failures, first_fail_line;
#define U_CHECK(c)                                                                                 \
    do {                                                                                           \
        if (!(c) && !failures++)                                                                   \
            first_fail_line = __LINE__;                                                            \
    } while (0)

static struct hal_boot_info info;
static struct hal_as *as;
static uint64_t ustack_lo, ustack_top; /* user stack in the arena */

/* What the "kernel" saw and does. */
static struct {
    int syscalls, returns, faults, timers, restart_once;
    int work_left;                /* user_work_pending answers yes this many times */
    uint64_t pending_sig;         /* delivered at the next return */
    uint64_t handler, restorer;   /* of every signal */
    struct hal_uregs last_syscall; /* as the syscall hook saw it */
    enum hal_fault_kind fault_kind;
    uint64_t fault_addr, fault_rip;
    uint64_t fault_sig;           /* a fault posts this signal */
    uint64_t exec_fix_rip;        /* an exec fault resumes here */
    bool arm_timer_in_return;     /* the next return arms a timer due now */
    char order[64];               /* events: S syscall, R return, T timer */
    unsigned norder;
} k;

static void note(char c)
{
    if (k.norder < sizeof(k.order) - 1)
        k.order[k.norder++] = c;
}

/* --- the test's kernel ---------------------------------------------------------------------- */

/* The frame: [rsp] = restorer, then the saved registers (what sigreturn restores). */
static void deliver(struct hal_uregs *r, uint64_t sig)
{
    uint64_t sp = ((r->rsp - REDZONE - sizeof(*r)) & ~15ULL) - 8;

    U_CHECK(hal_copy_to_user(sp, &k.restorer, 8) == 0);
    U_CHECK(hal_copy_to_user(sp + 8, r, sizeof(*r)) == 0);
    r->rsp = sp;
    r->rip = k.handler;
    r->rdi = sig;
    r->rsi = sp + 8;
    r->rdx = 0;
}

static struct hal_ctx ctx_a, ctx_b;
static bool in_b;

static void hook_syscall(void *arg, struct hal_uregs *r)
{
    (void)arg;
    k.syscalls++;
    k.last_syscall = *r;
    note('S');
    switch (r->rax) {
    case NR_ECHO:
        r->rax = r->rdi + r->rsi + r->rdx + r->r10 + r->r8 + r->r9;
        break;
    case NR_RESTART_ONCE:
        if (k.restart_once++ == 0) {
            r->rip -= 2; /* rax keeps the number */
        } else {
            r->rax = 7;
        }
        break;
    case NR_RAISE:
        k.pending_sig = r->rdi;
        r->rax = 0;
        break;
    case NR_INTR_RESTART:
        if (k.restart_once++ == 0) {
            k.pending_sig = r->rdi;
            r->rip -= 2;
        } else {
            r->rax = 55;
        }
        break;
    case NR_JUMP:
        k.exec_fix_rip = r->rip;
        r->rip = r->rdi;
        r->rax = 0;
        break;
    case NR_SIGRETURN:
        U_CHECK(hal_copy_from_user(r, r->rsp, sizeof(*r)) == 0); /* ret popped the restorer */
        break;
    case NR_SWITCH:
        r->rax = 0;
        if (in_b) {
            in_b = false;
            hal_ctx_switch(&ctx_b, &ctx_a);
        } else {
            in_b = true;
            hal_ctx_switch(&ctx_a, &ctx_b);
        }
        break;
    default:
        r->rax = (uint64_t)-ENOSYS;
    }
}

static void hook_fault(void *arg, struct hal_uregs *r, enum hal_fault_kind kind, uint64_t addr)
{
    (void)arg;
    k.faults++;
    k.fault_kind = kind;
    k.fault_addr = addr;
    k.fault_rip = r->rip;
    if (k.fault_sig)
        k.pending_sig = k.fault_sig;
    else if (kind == HAL_FAULT_PAGE_EXEC)
        r->rip = k.exec_fix_rip;
}

static void hook_return(void *arg, struct hal_uregs *r)
{
    (void)arg;
    k.returns++;
    note('R');
    U_CHECK(hal_irq_enabled());
    if (k.arm_timer_in_return) {
        k.arm_timer_in_return = false;
        hal_timer_arm(hal_clock_ns());
    }
    if (k.pending_sig) {
        uint64_t sig = k.pending_sig;

        k.pending_sig = 0;
        deliver(r, sig);
    }
}

static bool hook_work(void *arg)
{
    (void)arg;
    U_CHECK(!hal_irq_enabled());
    if (k.work_left > 0) {
        k.work_left--;
        return true;
    }
    return false;
}

static void hook_timer(void *arg)
{
    (void)arg;
    k.timers++;
    note('T');
}

static int setup(void **state)
{
    struct hosted_config cfg = {.ram_bytes = 4 << 20};
    struct hosted_hooks hooks = {.timer_irq = hook_timer,
                                 .syscall = hook_syscall,
                                 .user_fault = hook_fault,
                                 .user_return = hook_return,
                                 .user_work_pending = hook_work};
    uint64_t pa;

    (void)state;
    if (hosted_hal_init(&cfg, &hooks, &info) || hal_as_create(&as))
        return -1;
    pa = info.regions[1].base;
    ustack_lo = hal_user_va_min() + 64 * PG;
    ustack_top = ustack_lo + 8 * PG;
    if (hal_as_map(as, ustack_lo, pa, 8 * PG, HAL_PROT_READ | HAL_PROT_WRITE))
        return -1;
    hal_as_activate(as);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hal_as_destroy(as);
    hosted_hal_fini();
    return 0;
}

static int reset(void **state)
{
    (void)state;
    memset(&k, 0, sizeof(k));
    failures = 0;
    first_fail_line = 0;
    return 0;
}

/* Enter user mode at fn(a, b, c) with the test's user stack. */
static int run_user(void (*fn)(uint64_t, uint64_t, uint64_t), uint64_t a, uint64_t b, uint64_t c)
{
    struct hal_uregs r = {.rip = (uint64_t)(uintptr_t)fn,
                          .rsp = ustack_top,
                          .rdi = a,
                          .rsi = b,
                          .rdx = c,
                          .rflags = 0x202,
                          .fs_base = 0x1234000};

    return hal_user_enter(&r);
}

static void assert_no_failures(void)
{
    if (failures)
        fail_msg("user-mode check failed at line %d", first_fail_line);
}

/* --- user code -------------------------------------------------------------------------------- */

static int handler_runs;
static uint64_t handler_sigs[8];
static char handler_log[32];
static unsigned nhandler_log;

static void restorer(uint64_t a, uint64_t b, uint64_t c)
{
    (void)a, (void)b, (void)c;
    hosted_syscall(NR_SIGRETURN, 0, 0, 0, 0, 0, 0);
    U_CHECK(!"rt_sigreturn returned");
}

static void handler(uint64_t sig, uint64_t frame, uint64_t c)
{
    struct hal_uregs *r = hosted_user_regs();

    (void)c;
    if (handler_runs < 8)
        handler_sigs[handler_runs] = sig;
    handler_runs++;
    U_CHECK(r && r->rsp == frame - 8); /* rsp at the restorer slot, as after a call */
    if (nhandler_log < sizeof(handler_log) - 1)
        handler_log[nhandler_log++] = (char)('0' + sig);
    r->rbx = 0xdead; /* clobbered here, restored by sigreturn */
    if (sig == 1) /* a nested signal while this handler runs */
        U_CHECK(hosted_syscall(NR_RAISE, 2, 0, 0, 0, 0, 0) == 0);
    if (nhandler_log < sizeof(handler_log) - 1)
        handler_log[nhandler_log++] = (char)('a' + sig);
}

static void reset_handlers(void)
{
    handler_runs = 0;
    nhandler_log = 0;
    memset(handler_log, 0, sizeof(handler_log));
    k.handler = (uint64_t)(uintptr_t)handler;
    k.restorer = (uint64_t)(uintptr_t)restorer;
}

/* --- cases --------------------------------------------------------------------------------- */

static uint64_t seen[3];
static bool return_before_entry;

static void entry_args(uint64_t a, uint64_t b, uint64_t c)
{
    struct hal_uregs *r = hosted_user_regs();

    seen[0] = a, seen[1] = b, seen[2] = c;
    return_before_entry = k.returns >= 1;
    U_CHECK(r && r->rsp == ustack_top && r->fs_base == 0x1234000);
    U_CHECK(hal_irq_enabled());
}

static void test_enter_runs_the_entry_function(void **state)
{
    (void)state;
    assert_null(hosted_user_regs());
    assert_int_equal(run_user(entry_args, 11, 22, 33), 0);
    assert_int_equal(seen[0], 11);
    assert_int_equal(seen[1], 22);
    assert_int_equal(seen[2], 33);
    assert_true(return_before_entry); /* kernel_user_return before the first instruction */
    assert_null(hosted_user_regs());
    assert_no_failures();
}

static void test_enter_refuses_machine_code(void **state)
{
    struct hal_uregs r = {.rip = ustack_lo, .rsp = ustack_top};

    (void)state;
    assert_int_equal(hal_user_enter(&r), -ENOSYS);
    assert_int_equal(k.returns, 0);
}

static void user_echo(uint64_t a, uint64_t b, uint64_t c)
{
    (void)a, (void)b, (void)c;
    U_CHECK(hosted_syscall(NR_ECHO, 1, 2, 3, 4, 5, 6) == 21);
    U_CHECK(k.last_syscall.rcx == k.last_syscall.rip);
    U_CHECK(k.last_syscall.r11 == k.last_syscall.rflags);
    U_CHECK(k.last_syscall.rax == NR_ECHO && k.last_syscall.r10 == 4 && k.last_syscall.r9 == 6);
    U_CHECK(hosted_syscall(99999, 0, 0, 0, 0, 0, 0) == -ENOSYS);
    k.work_left = 3;
    k.returns = 0;
    U_CHECK(hosted_syscall(NR_ECHO, 0, 0, 0, 0, 0, 1) == 1);
    U_CHECK(k.returns == 4); /* once, then again for each "work pending" */
}

static void test_syscall_and_return_work(void **state)
{
    (void)state;
    assert_int_equal(run_user(user_echo, 0, 0, 0), 0);
    assert_int_equal(k.syscalls, 3);
    assert_no_failures();
}

static void user_restart(uint64_t a, uint64_t b, uint64_t c)
{
    (void)a, (void)b, (void)c;
    U_CHECK(hosted_syscall(NR_RESTART_ONCE, 0, 0, 0, 0, 0, 0) == 7);
}

static void test_restart_at_rip_minus_2(void **state)
{
    (void)state;
    assert_int_equal(run_user(user_restart, 0, 0, 0), 0);
    assert_int_equal(k.syscalls, 2);
    assert_int_equal(k.last_syscall.rax, NR_RESTART_ONCE); /* made again with its number */
    assert_no_failures();
}

static void user_raise(uint64_t a, uint64_t b, uint64_t c)
{
    struct hal_uregs *r = hosted_user_regs();

    (void)b, (void)c;
    r->rbx = 0x5555;
    U_CHECK(hosted_syscall(NR_RAISE, a, 0, 0, 0, 0, 0) == 0);
    U_CHECK(r->rbx == 0x5555);       /* restored by sigreturn */
    U_CHECK(r->rsp == ustack_top);   /* the frame is gone */
    U_CHECK(hosted_syscall(NR_ECHO, 2, 0, 0, 0, 0, 0) == 2); /* still consistent */
}

static void test_handler_and_sigreturn(void **state)
{
    (void)state;
    reset_handlers();
    assert_int_equal(run_user(user_raise, 3, 0, 0), 0);
    assert_int_equal(handler_runs, 1);
    assert_int_equal(handler_sigs[0], 3);
    assert_string_equal(handler_log, "3d");
    assert_int_equal(k.syscalls, 3); /* raise, sigreturn, echo */
    assert_no_failures();
}

static void test_nested_handlers(void **state)
{
    (void)state;
    reset_handlers();
    assert_int_equal(run_user(user_raise, 1, 0, 0), 0);
    assert_int_equal(handler_runs, 2);
    assert_string_equal(handler_log, "12cb"); /* 2 runs inside 1 */
    assert_no_failures();
}

static void user_intr_restart(uint64_t a, uint64_t b, uint64_t c)
{
    (void)a, (void)b, (void)c;
    U_CHECK(hosted_syscall(NR_INTR_RESTART, 4, 0, 0, 0, 0, 0) == 55);
}

static void test_restart_after_handler(void **state)
{
    (void)state;
    reset_handlers();
    assert_int_equal(run_user(user_intr_restart, 0, 0, 0), 0);
    assert_int_equal(handler_runs, 1);
    assert_int_equal(k.syscalls, 3); /* interrupted, sigreturn, made again */
    assert_no_failures();
}

static jmp_buf fault_jb;
static int fault_jumps;

static void longjmp_handler(uint64_t sig, uint64_t frame, uint64_t c)
{
    (void)sig, (void)frame, (void)c;
    fault_jumps++;
    longjmp(fault_jb, 1); /* siglongjmp out of a SIGSEGV handler */
}

static void user_fault_longjmp(uint64_t a, uint64_t b, uint64_t c)
{
    volatile int round = 0;

    (void)a, (void)b, (void)c;
    setjmp(fault_jb);
    if (round < 3) {
        round++;
        hosted_user_fault(HAL_FAULT_PAGE_WRITE, 0x42);
        U_CHECK(!"the handler did not jump");
    }
    U_CHECK(fault_jumps == 3);
    /* the jumped-over entries are gone: syscalls and handlers work as before */
    k.fault_sig = 0;
    U_CHECK(hosted_syscall(NR_ECHO, 5, 0, 0, 0, 0, 0) == 5);
    k.handler = (uint64_t)(uintptr_t)handler;
    U_CHECK(hosted_syscall(NR_RAISE, 6, 0, 0, 0, 0, 0) == 0);
    U_CHECK(handler_runs == 1);
}

static void test_handler_longjmps_out_of_fault(void **state)
{
    (void)state;
    reset_handlers();
    fault_jumps = 0;
    k.handler = (uint64_t)(uintptr_t)longjmp_handler;
    k.fault_sig = 11;
    assert_int_equal(run_user(user_fault_longjmp, 0, 0, 0), 0);
    assert_int_equal(k.faults, 3);
    assert_int_equal(k.fault_kind, HAL_FAULT_PAGE_WRITE);
    assert_int_equal(k.fault_addr, 0x42);
    assert_no_failures();
}

static void user_fault_retry(uint64_t a, uint64_t b, uint64_t c)
{
    (void)a, (void)b, (void)c;
    hosted_user_fault(HAL_FAULT_DIVIDE, 0x77);
    U_CHECK(k.faults == 1 && k.fault_kind == HAL_FAULT_DIVIDE && k.fault_addr == 0x77);
    U_CHECK(k.fault_rip != 0 && k.fault_rip != k.last_syscall.rip);
    U_CHECK(hosted_syscall(NR_JUMP, ustack_lo + 16, 0, 0, 0, 0, 0) == 0);
    U_CHECK(k.faults == 2 && k.fault_kind == HAL_FAULT_PAGE_EXEC);
    U_CHECK(k.fault_addr == ustack_lo + 16 && k.fault_rip == ustack_lo + 16);
}

static void test_faults_and_bad_rip(void **state)
{
    (void)state;
    assert_int_equal(run_user(user_fault_retry, 0, 0, 0), 0);
    assert_no_failures();
}

static void user_interrupts(uint64_t a, uint64_t b, uint64_t c)
{
    (void)a, (void)b, (void)c;
    k.norder = 0;
    hal_timer_arm(hal_clock_ns()); /* due now: pending at the next delivery point */
    hosted_user_interrupt();
    U_CHECK(k.timers == 1);
    hosted_user_interrupt(); /* nothing pending: the return work runs anyway */
    k.arm_timer_in_return = true;
    U_CHECK(hosted_syscall(NR_ECHO, 0, 0, 0, 0, 0, 0) == 0);
    U_CHECK(k.timers == 2);
}

static void test_interrupts_in_user_mode(void **state)
{
    (void)state;
    assert_int_equal(run_user(user_interrupts, 0, 0, 0), 0);
    /* timer then return work; return work alone; syscall, return (arms the timer), the timer
     * taken "in user mode", return work again */
    assert_string_equal(k.order, "TRRSRTR");
    assert_no_failures();
}

/* Two contexts in user mode, switching inside a syscall: each keeps its own registers. */
static struct hal_ctx main_ctx;
static int b_rounds;

static void user_a(uint64_t a, uint64_t b, uint64_t c)
{
    (void)b, (void)c;
    for (int i = 0; i < 3; i++) {
        hosted_user_regs()->r12 = a + (uint64_t)i;
        U_CHECK(hosted_syscall(NR_SWITCH, 0, 0, 0, 0, 0, 0) == 0);
        U_CHECK(hosted_user_regs()->r12 == a + (uint64_t)i);
        U_CHECK(hosted_user_regs()->rsp == ustack_top);
    }
}

static void user_b(uint64_t a, uint64_t b, uint64_t c)
{
    (void)b, (void)c;
    for (;;) {
        hosted_user_regs()->r12 = a;
        U_CHECK(hosted_syscall(NR_SWITCH, 0, 0, 0, 0, 0, 0) == 0);
        U_CHECK(hosted_user_regs()->r12 == a);
        U_CHECK(hosted_user_regs()->rsp == ustack_top - PG);
        b_rounds++;
    }
}

static void thread_a(void *arg)
{
    (void)arg;
    U_CHECK(run_user(user_a, 0xa000, 0, 0) == 0);
    hal_ctx_switch_final(&ctx_a, &main_ctx);
}

static void thread_b(void *arg)
{
    struct hal_uregs r = {.rip = (uint64_t)(uintptr_t)user_b, .rsp = ustack_top - PG,
                          .rdi = 0xb000};

    (void)arg;
    hal_user_enter(&r);
    U_CHECK(!"user_b returned");
    hal_ctx_switch_final(&ctx_b, &main_ctx);
}

static void test_two_threads_in_user_mode(void **state)
{
    void *sa = malloc(64 * 1024), *sb = malloc(64 * 1024);

    (void)state;
    b_rounds = 0;
    in_b = false;
    hal_ctx_init(&ctx_a, sa, 64 * 1024, thread_a, NULL);
    hal_ctx_init(&ctx_b, sb, 64 * 1024, thread_b, NULL);
    hal_ctx_switch(&main_ctx, &ctx_a);
    assert_int_equal(b_rounds, 2); /* a switched three times, b came back twice */
    assert_null(hosted_user_regs());
    free(sa);
    free(sb);
    assert_no_failures();
}

/* --- FPU state in Linux's signal-frame layout ----------------------------------------------- */

static uint8_t fbuf[1024], fbuf2[1024];

static void user_fpu(uint64_t a, uint64_t b, uint64_t c)
{
    struct linux_fpstate *fp = (void *)fbuf;
    struct linux_xstate_header *h = (void *)(fbuf + 512);
    uint8_t *live = hosted_user_fpu();
    uint32_t magic2;

    (void)a, (void)b, (void)c;
    U_CHECK(hal_fpu_state_size() == 580);
    hal_fpu_save_state(fbuf);
    U_CHECK(fp->cwd == 0x37f && fp->mxcsr == 0x1f80);
    U_CHECK(fp->sw_reserved.magic1 == LINUX_FP_XSTATE_MAGIC1);
    U_CHECK(fp->sw_reserved.extended_size == 580 && fp->sw_reserved.xstate_size == 576);
    U_CHECK(fp->sw_reserved.xfeatures == 3);
    memcpy(&magic2, fbuf + 576, 4);
    U_CHECK(magic2 == LINUX_FP_XSTATE_MAGIC2);
    U_CHECK(h->xfeatures == 3);
    /* "registers" changed by the program show in the next save */
    ((struct linux_fpstate *)live)->mxcsr = 0x7f80;
    live[160] = 0xab; /* xmm0 */
    hal_fpu_save_state(fbuf);
    U_CHECK(fp->mxcsr == 0x7f80 && fbuf[160] == 0xab);
    /* restore: a valid frame comes back; a reset starts over */
    memcpy(fbuf2, fbuf, sizeof(fbuf));
    hal_fpu_reset_state();
    U_CHECK(((struct linux_fpstate *)live)->mxcsr == 0x1f80 && live[160] == 0);
    U_CHECK(hal_fpu_restore_state(fbuf2, 580) == 0);
    U_CHECK(((struct linux_fpstate *)live)->mxcsr == 0x7f80 && live[160] == 0xab);
    /* what the CPU would refuse: -EINVAL, nothing changed */
    hal_fpu_reset_state();
    memcpy(fbuf2, fbuf, sizeof(fbuf));
    ((struct linux_fpstate *)fbuf2)->mxcsr = 0x11f80; /* reserved MXCSR bit */
    U_CHECK(hal_fpu_restore_state(fbuf2, 580) == -EINVAL);
    memcpy(fbuf2, fbuf, sizeof(fbuf));
    ((struct linux_xstate_header *)(fbuf2 + 512))->xfeatures = 7; /* AVX: not enabled */
    U_CHECK(hal_fpu_restore_state(fbuf2, 580) == -EINVAL);
    memcpy(fbuf2, fbuf, sizeof(fbuf));
    ((struct linux_xstate_header *)(fbuf2 + 512))->reserved1[0] = 1ULL << 63; /* compacted */
    U_CHECK(hal_fpu_restore_state(fbuf2, 580) == -EINVAL);
    memcpy(fbuf2, fbuf, sizeof(fbuf));
    ((struct linux_xstate_header *)(fbuf2 + 512))->reserved2[4] = 1;
    U_CHECK(hal_fpu_restore_state(fbuf2, 580) == -EINVAL);
    U_CHECK(hal_fpu_restore_state(fbuf, 511) == -EINVAL);
    U_CHECK(((struct linux_fpstate *)live)->mxcsr == 0x1f80 && live[160] == 0);
    /* no valid magic: only the legacy part counts (header features: x87 | SSE), as Linux */
    memcpy(fbuf2, fbuf, sizeof(fbuf));
    memset(fbuf2 + 576, 0, 4); /* magic2 gone */
    ((struct linux_xstate_header *)(fbuf2 + 512))->xfeatures = 7; /* ignored then */
    U_CHECK(hal_fpu_restore_state(fbuf2, 580) == 0);
    U_CHECK(((struct linux_fpstate *)live)->mxcsr == 0x7f80 && live[160] == 0xab);
    U_CHECK(((struct linux_xstate_header *)(live + 512))->xfeatures == 3);
    memcpy(fbuf2, fbuf, 512); /* a legacy-only buffer */
    ((struct linux_fpstate *)fbuf2)->sw_reserved.magic1 = 0;
    U_CHECK(hal_fpu_restore_state(fbuf2, 512) == 0);
    /* xfeatures of the software bytes limit what is restored */
    memcpy(fbuf2, fbuf, sizeof(fbuf));
    ((struct linux_fpstate *)fbuf2)->sw_reserved.xfeatures = 1;
    U_CHECK(hal_fpu_restore_state(fbuf2, 580) == 0);
    U_CHECK(((struct linux_xstate_header *)(live + 512))->xfeatures == 1);
}

/* The direct forms (hal_fpu_save_to_user, hal_fpu_restore_from_user) on user memory: the
 * same image as save/restore, -EFAULT when misaligned or not mapped. */
static void user_fpu_direct(uint64_t a, uint64_t b, uint64_t c)
{
    uint8_t *live = hosted_user_fpu();
    uint64_t u = ustack_lo + 2 * PG; /* 64-aligned, mapped, below the stack in use */

    (void)a, (void)b, (void)c;
    ((struct linux_fpstate *)live)->mxcsr = 0x7f80;
    live[160] = 0xcd;
    hal_fpu_save_state(fbuf);
    U_CHECK(hal_fpu_save_to_user(u, false) == 0);
    U_CHECK(hal_copy_from_user(fbuf2, u, 580) == 0 && memcmp(fbuf, fbuf2, 580) == 0);
    U_CHECK(live[160] == 0xcd); /* no reset asked */
    U_CHECK(hal_fpu_save_to_user(u + 8, true) == -EFAULT);       /* misaligned */
    U_CHECK(hal_fpu_save_to_user(ustack_lo - 4 * PG, true) == -EFAULT); /* not mapped */
    U_CHECK(live[160] == 0xcd); /* a failed save leaves the state alone */
    U_CHECK(hal_fpu_save_to_user(u, true) == 0);
    U_CHECK(((struct linux_fpstate *)live)->mxcsr == 0x1f80 && live[160] == 0); /* reset */
    U_CHECK(hal_fpu_restore_from_user(u) == 0);
    U_CHECK(((struct linux_fpstate *)live)->mxcsr == 0x7f80 && live[160] == 0xcd);
    U_CHECK(hal_fpu_restore_from_user(u + 8) == -EFAULT);
    U_CHECK(hal_fpu_restore_from_user(ustack_lo - 4 * PG) == -EFAULT);
    /* an image the CPU would refuse: -EFAULT (the caller's copying path then decides) */
    ((struct linux_fpstate *)fbuf2)->mxcsr = 0x11f80;
    U_CHECK(hal_copy_to_user(u, fbuf2, 580) == 0);
    U_CHECK(hal_fpu_restore_from_user(u) == -EFAULT);
}

static void test_fpu_direct(void **state)
{
    (void)state;
    assert_int_equal(run_user(user_fpu_direct, 0, 0, 0), 0);
    assert_no_failures();
    assert_int_equal(hal_fpu_save_to_user(0x10000, false), -EFAULT); /* not a user thread */
    assert_int_equal(hal_fpu_restore_from_user(0x10000), -EFAULT);
}

static void test_fpu_state(void **state)
{
    struct linux_fpstate *fp = (void *)fbuf;

    (void)state;
    assert_int_equal(run_user(user_fpu, 0, 0, 0), 0);
    assert_no_failures();
    /* outside user mode: the initial state, and nothing to restore into */
    assert_null(hosted_user_fpu());
    memset(fbuf, 0xff, sizeof(fbuf));
    hal_fpu_save_state(fbuf);
    assert_int_equal(fp->mxcsr, 0x1f80);
    assert_int_equal(fp->cwd, 0x37f);
    assert_int_equal(hal_fpu_restore_state(fbuf, 580), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_enter_runs_the_entry_function, reset),
        cmocka_unit_test_setup(test_enter_refuses_machine_code, reset),
        cmocka_unit_test_setup(test_syscall_and_return_work, reset),
        cmocka_unit_test_setup(test_restart_at_rip_minus_2, reset),
        cmocka_unit_test_setup(test_handler_and_sigreturn, reset),
        cmocka_unit_test_setup(test_nested_handlers, reset),
        cmocka_unit_test_setup(test_restart_after_handler, reset),
        cmocka_unit_test_setup(test_handler_longjmps_out_of_fault, reset),
        cmocka_unit_test_setup(test_faults_and_bad_rip, reset),
        cmocka_unit_test_setup(test_interrupts_in_user_mode, reset),
        cmocka_unit_test_setup(test_two_threads_in_user_mode, reset),
        cmocka_unit_test_setup(test_fpu_state, reset),
        cmocka_unit_test_setup(test_fpu_direct, reset),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
