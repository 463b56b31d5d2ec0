/*
 * vsyscall.c - emulating the legacy vsyscall page (vsyscall.h).
 *
 * Linux today never runs code there: with vsyscall=xonly (its default) the page has no
 * mapping, so a call faults with an instruction fetch at the entry's address, and the fault
 * handler makes the syscall and returns to the caller. Petrel does the same rather than map
 * a page of `syscall; ret` stubs: such a page would have to be readable (x86 cannot map
 * execute-only), which is what xonly exists to prevent, and would sit in the kernel half of
 * every address space. The syscall goes through kernel_syscall, the same entry the SYSCALL
 * instruction uses, so tracing and CPU-time accounting see it as a syscall.
 */
#include "core/signal/vsyscall.h"

#include "core/lib/kstring.h"
#include "core/mm/uaccess.h"
#include "core/proc/proc.h"
#include "hal/hal_errno.h"
#include "hal/hal_mem.h"

#define NR_gettimeofday 96
#define NR_time 201
#define NR_getcpu 309

static const struct {
    uint64_t nr;
    uint64_t size[2]; /* bytes written through rdi, rsi (0: not a pointer) */
} entries[3] = {
    {NR_gettimeofday, {16, 8}}, /* +0x000: timeval, timezone */
    {NR_time, {8, 0}},          /* +0x400: time_t */
    {NR_getcpu, {4, 4}},        /* +0x800: cpu, node */
};

static void segv(struct linux_siginfo *si, int code, uint64_t addr)
{
    memset(si, 0, sizeof(*si));
    si->si_signo = LINUX_SIGSEGV;
    si->si_code = code;
    si->u.fault.addr = addr;
}

/* Linux's access_ok: [p, p + n) below the top of the user range (NULL is fine). */
static bool user_range(uint64_t p, uint64_t n)
{
    uint64_t max = hal_user_va_max();

    return n <= max && p <= max - n;
}

bool vsyscall_emulate(struct hal_uregs *regs, uint64_t addr, struct linux_siginfo *si)
{
    unsigned idx = (unsigned)((addr - VSYSCALL_ADDR) >> 10);
    uint64_t args[2] = {regs->rdi, regs->rsi}, caller;
    struct uthread *ut = uthread_current();
    struct hal_uregs r;

    if (regs->rip != addr || (addr & 0x3ff) || idx >= 3 ||
        copy_from_user(&caller, uptr_make(regs->rsp), sizeof(caller))) {
        segv(si, LINUX_SI_KERNEL, 0);
        return false;
    }
    for (int i = 0; i < 2; i++) {
        if (entries[idx].size[i] && !user_range(args[i], entries[idx].size[i])) {
            segv(si, LINUX_SEGV_MAPERR, args[i]);
            return false;
        }
    }
    r = *regs;
    r.rax = entries[idx].nr;
    kernel_syscall(&r);
    if (ut)
        ut->orig_rax = -1; /* nothing to restart: this was no SYSCALL instruction */
    if ((long)r.rax == -EFAULT) {
        segv(si, LINUX_SI_KERNEL, 0);
        return false;
    }
    regs->rax = r.rax;
    regs->rip = caller; /* the `ret` of the page */
    regs->rsp += 8;
    return true;
}
