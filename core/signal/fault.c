/*
 * fault.c - synchronous signals from user faults (kernel_user_fault, hal_user.h).
 *
 * The HAL reports every user-mode exception here. A page fault goes to demand paging first
 * (vm_user_fault); what it cannot satisfy, and every other exception, becomes the signal
 * Linux sends for it (proc_fault_signal), with Linux's si_code and si_addr:
 *
 *      page fault, no area          SIGSEGV SEGV_MAPERR  si_addr = the faulting address
 *      page fault, area forbids it  SIGSEGV SEGV_ACCERR  si_addr = the faulting address
 *      page fault, file read failed SIGBUS  BUS_ADRERR   si_addr = the faulting address
 *      #GP                          SIGSEGV SI_KERNEL    si_addr = 0
 *      #UD                          SIGILL  ILL_ILLOPN   si_addr = rip
 *      #DE                          SIGFPE  FPE_INTDIV   si_addr = rip
 *      x87 / SIMD exception         SIGFPE  from the status word's unmasked exception
 *      int3                         SIGTRAP SI_KERNEL    si_addr = 0 (Linux's do_int3_user)
 *
 * An instruction fetch from the legacy vsyscall page is a call to emulate (vsyscall.h),
 * which either resumes the program or names its own SIGSEGV.
 *
 * The signal is sent to the faulting thread and taken by the normal delivery in
 * kernel_user_return, which the HAL runs before resuming user mode. As Linux's
 * force_sig_info, a signal the thread blocks or the process ignores cannot be taken: the
 * process ends, as it does when the action is the default (always fatal for these signals).
 * Those ends go through proc_fault_fatal (core/proc), which prints the fault report when the
 * manifest sets `fault`. The decision lives here rather than in core/proc because it reads the
 * signal state, and core/signal sits above core/proc (docs/layers.md).
 */
#include "core/signal/signal.h"
#include "core/signal/vsyscall.h"

#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/mm/vm.h"
#include "hal/hal_errno.h"
#include "hal/hal_user.h"

#define SIG_BIT(s) (1ULL << ((s) - 1))
#define FSW_OFF 2     /* x87 status word in the FXSAVE image */
#define FCW_OFF 0     /* x87 control word */
#define MXCSR_OFF 24  /* SSE control/status */
#define FPU_IMAGE 32  /* the part of the image read here */

/* si_code for an x87/SIMD exception: the first unmasked exception flagged, as Linux orders
 * them (invalid, divide, overflow, underflow, precision); 0 when none is. */
static int fpu_code(void)
{
    static const int codes[] = {LINUX_FPE_FLTINV, -1, LINUX_FPE_FLTDIV, LINUX_FPE_FLTOVF,
                                LINUX_FPE_FLTUND, LINUX_FPE_FLTRES};
    uint8_t *img = kmalloc(hal_fpu_state_size());
    uint32_t pending = 0;

    if (!img)
        return 0;
    hal_fpu_save_state(img);
    uint16_t fsw, fcw;
    uint32_t mxcsr;
    memcpy(&fsw, img + FSW_OFF, sizeof(fsw));
    memcpy(&fcw, img + FCW_OFF, sizeof(fcw));
    memcpy(&mxcsr, img + MXCSR_OFF, sizeof(mxcsr));
    kfree(img);
    pending = (fsw & ~fcw & 0x3f) | (mxcsr & ~(mxcsr >> 7) & 0x3f);
    for (unsigned i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        if (codes[i] > 0 && (pending & (1u << i)))
            return codes[i];
    return 0;
}

/* The siginfo Linux fills for a fault of kind raising sig (rc: vm_user_fault's error). */
static void fault_info(struct linux_siginfo *si, int sig, enum hal_fault_kind kind,
                       uint64_t addr, uint64_t rip)
{
    memset(si, 0, sizeof(*si));
    si->si_signo = sig;
    si->si_code = LINUX_SI_KERNEL;
    switch (kind) {
    case HAL_FAULT_PAGE_READ:
    case HAL_FAULT_PAGE_WRITE:
    case HAL_FAULT_PAGE_EXEC: {
        struct vm_area area;
        bool mapped = vm_current() && vm_area_query(vm_current(), addr, &area) == 0;

        si->si_code = sig == LINUX_SIGBUS ? LINUX_BUS_ADRERR
                      : mapped            ? LINUX_SEGV_ACCERR
                                          : LINUX_SEGV_MAPERR;
        si->u.fault.addr = addr;
        break;
    }
    case HAL_FAULT_ILLEGAL:
        si->si_code = LINUX_ILL_ILLOPN;
        si->u.fault.addr = rip;
        break;
    case HAL_FAULT_DIVIDE:
        si->si_code = LINUX_FPE_INTDIV;
        si->u.fault.addr = rip;
        break;
    case HAL_FAULT_FPU:
        si->si_code = fpu_code();
        si->u.fault.addr = rip;
        break;
    default: /* #GP and int3: SI_KERNEL, no address */
        break;
    }
}

/* Can the faulting thread take sig now (a handler installed, not blocked)? */
static bool catchable(struct uthread *ut, int sig)
{
    struct proc *p = ut->proc;

    if (sig == LINUX_SIGKILL || (ut->sigmask & SIG_BIT(sig)))
        return false;
    /* one word, stored atomically by rt_sigaction: no lock needed to read it */
    return __atomic_load_n(&p->sigactions[sig - 1].handler, __ATOMIC_RELAXED) > LINUX_SIG_IGN;
}

void kernel_user_fault(struct hal_uregs *regs, enum hal_fault_kind kind, uint64_t addr)
{
    struct uthread *ut = uthread_current();
    struct linux_siginfo si;
    int rc = -EFAULT, sig;

    if (kind == HAL_FAULT_PAGE_EXEC && vsyscall_page(addr)) {
        if (vsyscall_emulate(regs, addr, &si))
            return; /* a call of the legacy vsyscall page, made (vsyscall.h) */
        sig = LINUX_SIGSEGV;
    } else {
        if (kind == HAL_FAULT_PAGE_READ || kind == HAL_FAULT_PAGE_WRITE ||
            kind == HAL_FAULT_PAGE_EXEC) {
            rc = vm_user_fault(kind, addr);
            if (rc == 0)
                return; /* demand paging: the page is there now */
        }
        sig = proc_fault_signal(kind, rc);
        fault_info(&si, sig, kind, addr, regs->rip);
    }
    if (!ut || !catchable(ut, sig))
        proc_fault_fatal(regs, kind, addr, sig);
    signal_send(ut->proc, ut, sig, &si);
}
