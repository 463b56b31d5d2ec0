/*
 * cpu.c - register snapshot and frame-pointer backtrace for panic().
 *
 * The backtrace must never fault, even on a corrupted frame chain: it only follows frame
 * pointers that stay, strictly increasing and 8-aligned, inside the stack the walk started
 * on. That stack is found without knowing which kernel thread runs: the RAM arena (kernel
 * thread stacks come from the page allocator), hosted_boot()'s boot stack, or the host
 * thread's own stack (pthread attributes), all of which are mapped throughout.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <sys/auxv.h>

#include "hal/hal_cpu.h"
#include "hal/hal_mem.h"
#include "hal_hosted/hosted_internal.h"

static const void *boot_stack_lo;
static size_t boot_stack_size;

void hosted_cpu_set_boot_stack(const void *lo, size_t size)
{
    boot_stack_lo = lo;
    boot_stack_size = size;
}

__attribute__((noinline)) void hal_cpu_snapshot(struct hal_cpu_regs *r)
{
    __asm__ __volatile__("movq %%rax, 0(%0)\n\t"
                         "movq %%rbx, 8(%0)\n\t"
                         "movq %%rcx, 16(%0)\n\t"
                         "movq %%rdx, 24(%0)\n\t"
                         "movq %%rsi, 32(%0)\n\t"
                         "movq %%rdi, 40(%0)\n\t"
                         "movq %%rbp, 48(%0)\n\t"
                         "movq %%rsp, 56(%0)\n\t"
                         "movq %%r8, 64(%0)\n\t"
                         "movq %%r9, 72(%0)\n\t"
                         "movq %%r10, 80(%0)\n\t"
                         "movq %%r11, 88(%0)\n\t"
                         "movq %%r12, 96(%0)\n\t"
                         "movq %%r13, 104(%0)\n\t"
                         "movq %%r14, 112(%0)\n\t"
                         "movq %%r15, 120(%0)\n\t"
                         "leaq 0(%%rip), %%rax\n\t"
                         "movq %%rax, 128(%0)\n\t"
                         :
                         : "r"(r)
                         : "rax", "memory");
    /* pushf inside the asm would clobber the red zone, where -O0 keeps r */
    r->rflags = __builtin_ia32_readeflags_u64();
    r->cr2 = 0; /* no page faults or page tables in a process */
    r->cr3 = 0;
}

/* The mapped range holding sp: [*lo, *hi). */
static bool stack_bounds(uintptr_t sp, uintptr_t *lo, uintptr_t *hi)
{
    pthread_attr_t attr;
    void *addr;
    size_t size;

    if (hosted_ram_contains((const void *)sp, 1)) {
        /* A kernel thread's stack: somewhere in RAM, which is mapped up to its end. */
        *lo = sp;
        *hi = (uintptr_t)hal_phys_to_virt(HOSTED_PHYS_BASE) + hosted_ram_bytes();
        return true;
    }
    if (boot_stack_lo && sp >= (uintptr_t)boot_stack_lo &&
        sp < (uintptr_t)boot_stack_lo + boot_stack_size) {
        *lo = (uintptr_t)boot_stack_lo;
        *hi = *lo + boot_stack_size;
        return true;
    }
    if (pthread_getattr_np(pthread_self(), &attr) != 0)
        return false;
    pthread_attr_getstack(&attr, &addr, &size);
    pthread_attr_destroy(&attr);
    *lo = (uintptr_t)addr;
    *hi = *lo + size;
    return sp >= *lo && sp < *hi;
}

/* Uninstrumented: a corrupted chain may point into another frame's ASan redzone, which is
 * still mapped stack memory and harmless to read here. */
__attribute__((noinline, no_sanitize_address)) unsigned hal_backtrace(uint64_t *pcs, unsigned max)
{
    uintptr_t fp = (uintptr_t)__builtin_frame_address(0);
    uintptr_t lo, hi;
    unsigned n = 0;

    if (!stack_bounds(fp, &lo, &hi))
        return 0;
    while (n < max && fp >= lo && fp <= hi - 16 && !(fp & 7)) {
        uintptr_t next = ((const uintptr_t *)fp)[0];
        uintptr_t ret = ((const uintptr_t *)fp)[1];

        if (ret == 0)
            break;
        pcs[n++] = ret;
        if (next <= fp)
            break;
        fp = next;
    }
    return n;
}

void hal_fpu_switch_out(void)
{
    /* Hosted "programs" are C code of the test process: no user register state to save. */
}

/* The hosted "CPU" is the host's: pass on what its kernel told this process. */
void hal_cpu_hwcap(uint64_t *hwcap, uint64_t *hwcap2)
{
    *hwcap = getauxval(AT_HWCAP);
    *hwcap2 = getauxval(AT_HWCAP2);
}
