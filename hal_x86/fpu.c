/*
 * fpu.c - the program's x87/SSE/AVX registers: XSAVE/XRSTOR (fxsave/fxrstor without XSAVE).
 *
 * The kernel itself never touches these registers (-mgeneral-regs-only; the context switch
 * keeps only MXCSR and the x87 control word per context), so the registers of the user thread
 * that last returned to user mode on this CPU stay in the CPU while the kernel runs. Each user
 * thread has a save area above its kernel stack frame (syscall_entry.S). Switching:
 *
 *   - return to user mode (x86_fpu_return): when the CPU holds another thread's registers,
 *     load this thread's area; then the registers are "live" (newer than the area);
 *   - hal_fpu_switch_out() (the scheduler, before every context switch): live registers are
 *     saved into their owner's area. The owner is then still running the switch, so its area
 *     is valid; a thread that later exits leaves only a stale pointer that is compared, never
 *     followed (hal_user_enter forgets the owner, so a new thread whose area happens to be at
 *     the same address, or a thread starting a new program, is loaded from its fresh area).
 *
 * XCR0 enables x87, SSE and AVX (when the CPU has them); the area size is CPUID 0xD's for
 * that XCR0. AVX-512 and AMX state are not enabled (programs see no AVX-512 in XCR0 and fall
 * back, as on a kernel that does not support them).
 */
#include "hal/hal_cpu.h"
#include "hal_x86/x86.h"

#define CR4_OSXSAVE (1ULL << 18)
#define XCR0_X87 1ULL
#define XCR0_SSE 2ULL
#define XCR0_AVX 4ULL
#define FXSAVE_SIZE 512u
#define XSAVE_HDR_BV 512 /* offset of XSTATE_BV in the XSAVE header */

static bool use_xsave;
static uint64_t xcr0;
uint32_t x86_fpu_size = FXSAVE_SIZE;

static void *fpu_owner; /* area whose state the registers hold (compared, never followed) */
static bool fpu_live;   /* the registers are newer than fpu_owner's area */

static void xsetbv0(uint64_t v)
{
    __asm__ __volatile__("xsetbv" ::"c"(0), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

void x86_fpu_init(void)
{
    uint32_t r[4];
    uint64_t cr4;

    cpuid(1, 0, r);
    if (!(r[2] & (1u << 26)) || x86_cpu.max_leaf < 0xd)
        return; /* no XSAVE: fxsave/fxrstor, 512 bytes */
    bool avx = r[2] & (1u << 28);
    __asm__ __volatile__("mov %%cr4, %0" : "=r"(cr4));
    __asm__ __volatile__("mov %0, %%cr4" ::"r"(cr4 | CR4_OSXSAVE));
    cpuid(0xd, 0, r);
    xcr0 = XCR0_X87 | XCR0_SSE;
    if (avx && (r[0] & XCR0_AVX))
        xcr0 |= XCR0_AVX;
    xsetbv0(xcr0);
    cpuid(0xd, 0, r); /* ebx: bytes for the components now enabled */
    x86_fpu_size = (r[1] + 63) & ~63u;
    use_xsave = true;
}

/* The state a new program starts with: x87 control word 0x37f, MXCSR 0x1f80, all else 0. */
void x86_fpu_area_init(void *area)
{
    uint8_t *a = area;
    for (uint32_t i = 0; i < x86_fpu_size; i++)
        a[i] = 0;
    *(uint16_t *)(a + 0) = 0x037f;
    *(uint32_t *)(a + 24) = 0x1f80;
    if (use_xsave)
        *(uint64_t *)(a + XSAVE_HDR_BV) = XCR0_X87 | XCR0_SSE; /* AVX: init state */
}

static void fpu_save(void *area)
{
    if (use_xsave)
        __asm__ __volatile__("xsave64 (%0)" ::"r"(area), "a"(~0u), "d"(~0u) : "memory");
    else
        __asm__ __volatile__("fxsave64 (%0)" ::"r"(area) : "memory");
}

static void fpu_restore(void *area)
{
    if (use_xsave)
        __asm__ __volatile__("xrstor64 (%0)" ::"r"(area), "a"(~0u), "d"(~0u) : "memory");
    else
        __asm__ __volatile__("fxrstor64 (%0)" ::"r"(area) : "memory");
}

/* A thread starts: whatever the registers hold belongs to nobody any more. */
void x86_fpu_forget(void)
{
    fpu_owner = 0;
    fpu_live = false;
}

/* Interrupts disabled, on the way back to user mode of the thread owning area. */
void x86_fpu_return(void *area)
{
    if (fpu_owner != area) {
        fpu_restore(area);
        fpu_owner = area;
    }
    fpu_live = true;
}

void hal_fpu_switch_out(void)
{
    if (fpu_live) {
        fpu_save(fpu_owner);
        fpu_live = false;
    }
}

bool x86_fpu_uses_xsave(uint64_t *xcr0_out)
{
    *xcr0_out = xcr0;
    return use_xsave;
}
