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
 *
 * Signal frames (hal_fpu_save_state/restore_state): the area is XSAVE's standard format, which
 * is Linux's user fpstate layout, so saving is a copy of the (freshly saved) area with Linux's
 * software-reserved bytes filled in (FP_XSTATE_MAGIC1, sizes, features; FP_XSTATE_MAGIC2 after
 * the area). Restoring validates what XRSTOR/FXRSTOR would refuse with #GP (MXCSR reserved
 * bits, XSTATE_BV outside XCR0, a compacted or nonzero-reserved header), so a malformed user
 * frame is -EINVAL and never a fault in the kernel; a frame without valid magic restores the
 * legacy x87/SSE part only, the rest to its initial state, as Linux does.
 */
#include "core/abi/signal.h" /* Linux's fpstate layout and magic words (ABI facts only) */
#include "hal/hal_cpu.h"
#include "hal/hal_errno.h"
#include "hal/hal_user.h"
#include "hal_x86/x86.h"

#define CR4_OSXSAVE (1ULL << 18)
#define XCR0_X87 1ULL
#define XCR0_SSE 2ULL
#define XCR0_AVX 4ULL
#define FXSAVE_SIZE 512u
#define XSAVE_HDR_BV 512 /* offset of XSTATE_BV in the XSAVE header */
#define XSAVE_HDR_SIZE 64
#define MXCSR_MASK_DEFAULT 0xffbfu /* FXSAVE reports 0: every bit but DAZ */

static bool use_xsave;
static uint64_t xcr0;
uint32_t x86_fpu_size = FXSAVE_SIZE;       /* the area, a multiple of 64 */
static uint32_t xstate_size = FXSAVE_SIZE; /* what XSAVE writes for XCR0 (CPUID 0xD EBX) */
static uint32_t mxcsr_mask = MXCSR_MASK_DEFAULT;

/* Exported for the return to user mode's inline test (usermode.c user_resume); this file
 * keeps its short names for them. */
void *x86_fpu_owner; /* area whose state the registers hold (compared, never followed) */
bool x86_fpu_live;   /* the registers are newer than fpu_owner's area */
#define fpu_owner x86_fpu_owner
#define fpu_live x86_fpu_live

static void xsetbv0(uint64_t v)
{
    __asm__ __volatile__("xsetbv" ::"c"(0), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/* MXCSR bits the CPU accepts, from an FXSAVE image (0 there means the default mask). */
static void mxcsr_mask_init(void)
{
    static uint8_t img[FXSAVE_SIZE] __attribute__((aligned(64)));
    uint32_t m;

    __asm__ __volatile__("fxsave64 (%0)" ::"r"(img) : "memory");
    m = *(uint32_t *)(img + 28);
    mxcsr_mask = m ? m : MXCSR_MASK_DEFAULT;
}

void x86_fpu_init(void)
{
    uint32_t r[4];
    uint64_t cr4;

    mxcsr_mask_init();
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
    xstate_size = r[1];
    x86_fpu_size = (r[1] + 63) & ~63u;
    use_xsave = true;
}


/* The state a new program starts with: x87 control word 0x37f, MXCSR 0x1f80, all else 0. */
void x86_fpu_area_init(void *area)
{
    uint8_t *a = area;

    /* memset's 64-byte blocks: a byte loop was ~500 TB executions under TCG, twice per signal
     * (bench/syscall, signal to self) */
    __builtin_memset(a, 0, x86_fpu_size);
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

/* --- signal frames ----------------------------------------------------------------------- */

size_t hal_fpu_state_size(void)
{
    return use_xsave ? xstate_size + LINUX_FP_XSTATE_MAGIC2_SIZE : FXSAVE_SIZE;
}

/* The running user thread's area, or NULL (a kernel thread that never entered user mode). */
static uint8_t *user_area(void)
{
    uint8_t *b = x86_user_block();

    return b ? b + X86_UBLOCK_SIZE : NULL;
}

void hal_fpu_save_state(void *buf)
{
    static uint8_t init_area[FXSAVE_SIZE + 4096] __attribute__((aligned(64)));
    struct linux_fpstate *fp = buf;
    uint8_t *area = user_area();
    uint64_t irq = hal_irq_save();

    if (!area) {
        area = init_area; /* never entered user mode: the initial state */
        x86_fpu_area_init(area);
    } else if (fpu_live && fpu_owner == area) {
        fpu_save(area); /* the registers are newer than the area; they stay live */
    }
    __builtin_memcpy(buf, area, use_xsave ? xstate_size : FXSAVE_SIZE);
    hal_irq_restore(irq);
    __builtin_memset(&fp->sw_reserved, 0, sizeof(fp->sw_reserved));
    if (use_xsave) {
        uint32_t magic2 = LINUX_FP_XSTATE_MAGIC2;

        fp->sw_reserved.magic1 = LINUX_FP_XSTATE_MAGIC1;
        fp->sw_reserved.extended_size = xstate_size + LINUX_FP_XSTATE_MAGIC2_SIZE;
        fp->sw_reserved.xfeatures = xcr0;
        fp->sw_reserved.xstate_size = xstate_size;
        __builtin_memcpy((uint8_t *)buf + xstate_size, &magic2, sizeof(magic2));
    }
}

/* Whether buf (size bytes) carries a whole XSAVE image by Linux's rules (magic1, sizes, magic2
 * where xstate_size says); otherwise only its legacy 512 bytes count. */
static bool frame_has_xstate(const uint8_t *buf, size_t size)
{
    const struct linux_fpstate *fp = (const void *)buf;
    const struct linux_fpx_sw_bytes *sw = &fp->sw_reserved;
    uint32_t magic2;

    if (!use_xsave || sw->magic1 != LINUX_FP_XSTATE_MAGIC1)
        return false;
    if (sw->xstate_size < FXSAVE_SIZE + XSAVE_HDR_SIZE || sw->xstate_size > xstate_size ||
        sw->xstate_size > sw->extended_size ||
        (size_t)sw->xstate_size + LINUX_FP_XSTATE_MAGIC2_SIZE > size)
        return false;
    __builtin_memcpy(&magic2, buf + sw->xstate_size, sizeof(magic2));
    return magic2 == LINUX_FP_XSTATE_MAGIC2;
}

int hal_fpu_restore_state(const void *buf, size_t size)
{
    const struct linux_fpstate *fp = buf;
    uint8_t *area = user_area();
    uint64_t bv = XCR0_X87 | XCR0_SSE, irq;
    uint32_t n = FXSAVE_SIZE;

    if (size < FXSAVE_SIZE || !area)
        return -EINVAL;
    if (fp->mxcsr & ~mxcsr_mask)
        return -EINVAL; /* FXRSTOR/XRSTOR would #GP */
    if (frame_has_xstate(buf, size)) {
        const struct linux_xstate_header *h = (const void *)((const uint8_t *)buf + FXSAVE_SIZE);

        if (h->xfeatures & ~xcr0 || h->reserved1[0] || h->reserved1[1])
            return -EINVAL; /* XSTATE_BV outside XCR0, XCOMP_BV set, reserved bytes */
        for (int i = 0; i < 5; i++)
            if (h->reserved2[i])
                return -EINVAL;
        bv = h->xfeatures & fp->sw_reserved.xfeatures; /* the rest: initial state */
        n = fp->sw_reserved.xstate_size;
    }
    /* straight into the area (one pass): the frame's bytes, the rest of the area zero (the
     * initial state of what XSTATE_BV leaves out), the header rebuilt */
    irq = hal_irq_save();
    __builtin_memcpy(area, buf, n);
    if (use_xsave) {
        if (x86_fpu_size > n)
            __builtin_memset(area + n, 0, x86_fpu_size - n);
        __builtin_memset(area + FXSAVE_SIZE, 0, XSAVE_HDR_SIZE);
        *(uint64_t *)(area + XSAVE_HDR_BV) = bv;
    }
    if (fpu_owner == area) /* the registers hold the old state: reload at the return */
        x86_fpu_forget();
    hal_irq_restore(irq);
    return 0;
}

void hal_fpu_reset_state(void)
{
    uint8_t *area = user_area();
    uint64_t irq = hal_irq_save();

    if (area) {
        x86_fpu_area_init(area);
        if (fpu_owner == area)
            x86_fpu_forget();
    }
    hal_irq_restore(irq);
}

bool x86_fpu_uses_xsave(uint64_t *xcr0_out)
{
    *xcr0_out = xcr0;
    return use_xsave;
}
