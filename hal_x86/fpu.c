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
 *
 * The common case goes straight between the registers and the user frame, as Linux's
 * copy_fpstate_to_sigframe and restore_fpregs_from_user do: XSAVE/FXSAVE into the frame and
 * XRSTOR/FXRSTOR from it, each listed in .extable so a page fault, or the #GP of an image the
 * CPU refuses, returns -EFAULT and the signal code falls back to the copies above (which fault
 * pages in and validate). A handler starts by loading the initial image into the registers.
 * Before, each signal copied the 512-byte image three times (registers -> area -> kernel
 * stack -> frame, and back through a kernel buffer and the area at sigreturn) and cleared the
 * area: ~1,000 instructions of the ~3,900 of bench/syscall's signal round trip.
 */
#include "core/abi/signal.h" /* Linux's fpstate layout and magic words (ABI facts only) */
#include "hal/hal_cpu.h"
#include "hal/hal_errno.h"
#include "hal/hal_mem.h"
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

/* The initial state (x86_fpu_area_init), for a handler's start and threads without an area. */
static uint8_t init_image[FXSAVE_SIZE + 4096] __attribute__((aligned(64)));
/* What a frame holds from byte 464: the software-reserved bytes (zero without XSAVE, as Linux
 * writes them), then a zero XSAVE header (XSAVE writes only its XSTATE_BV). */
#define SW_TAIL_OFF 464
static uint8_t sw_tail[FXSAVE_SIZE + XSAVE_HDR_SIZE - SW_TAIL_OFF] __attribute__((aligned(8)));
static uint64_t user_lo, user_hi; /* hal_user_va_min/max, read once (no call per frame) */

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

static void fpu_cpu_init(void)
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

static void sw_bytes_fill(struct linux_fpx_sw_bytes *sw);

void x86_fpu_init(void)
{
    fpu_cpu_init();
    user_lo = hal_user_va_min();
    user_hi = hal_user_va_max();
    x86_fpu_area_init(init_image); /* the images signal frames use */
    sw_bytes_fill((struct linux_fpx_sw_bytes *)sw_tail);
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

/* Linux's software-reserved bytes of a frame (all zero without XSAVE). */
static void sw_bytes_fill(struct linux_fpx_sw_bytes *sw)
{
    __builtin_memset(sw, 0, sizeof(*sw));
    if (use_xsave) {
        sw->magic1 = LINUX_FP_XSTATE_MAGIC1;
        sw->extended_size = xstate_size + LINUX_FP_XSTATE_MAGIC2_SIZE;
        sw->xfeatures = xcr0;
        sw->xstate_size = xstate_size;
    }
}

void hal_fpu_save_state(void *buf)
{
    struct linux_fpstate *fp = buf;
    uint8_t *area = user_area();
    uint64_t irq = hal_irq_save();

    if (!area)
        area = init_image; /* never entered user mode: the initial state */
    else if (fpu_live && fpu_owner == area)
        fpu_save(area); /* the registers are newer than the area; they stay live */
    __builtin_memcpy(buf, area, use_xsave ? xstate_size : FXSAVE_SIZE);
    hal_irq_restore(irq);
    sw_bytes_fill(&fp->sw_reserved);
    if (use_xsave) {
        uint32_t magic2 = LINUX_FP_XSTATE_MAGIC2;

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

/* Interrupts disabled: the registers are about to hold area's state; save another thread's
 * live registers first (what hal_fpu_switch_out would do). */
static void fpu_claim(const void *area)
{
    if (fpu_live && fpu_owner != area)
        fpu_save(fpu_owner);
}

/* The initial image straight into the registers (no clearing of the area, no load at the
 * return): they are live, newer than the area, which hal_fpu_switch_out updates. */
void hal_fpu_reset_state(void)
{
    uint8_t *area = user_area();
    uint64_t irq = hal_irq_save();

    if (area) {
        fpu_claim(area);
        fpu_restore(init_image);
        fpu_owner = area;
        fpu_live = true;
    }
    hal_irq_restore(irq);
}

/* --- straight between the registers and a user frame ------------------------------------- */

/* One (F)XSAVE/(F)XRSTOR on user memory at u (rfbm in edx:eax), SMAP open, fault-safe: a #PF
 * or #GP there resumes at the fixup (.extable, user.c's extable_fixup): -EFAULT. */
#define FPU_USER_INSN(insn, u, rfbm)                                                               \
    ({                                                                                             \
        int rc_ = 0;                                                                               \
        __asm__ __volatile__("1: " insn " (%[p])\n"                                               \
                             "2:\n"                                                              \
                             ".pushsection .text.fixup, \"ax\"\n"                               \
                             "3: movl %[ef], %[rc]\n"                                            \
                             "   jmp 2b\n"                                                       \
                             ".popsection\n"                                                     \
                             ".pushsection .extable, \"a\"\n"                                   \
                             ".balign 8\n"                                                       \
                             ".quad 1b, 3b\n"                                                    \
                             ".popsection"                                                       \
                             : [rc] "+r"(rc_)                                                      \
                             : [p] "r"(u), "a"((uint32_t)(rfbm)),                                  \
                               "d"((uint32_t)((uint64_t)(rfbm) >> 32)), [ef] "i"(-EFAULT)         \
                             : "memory");                                                          \
        rc_;                                                                                       \
    })

static bool frame_range_ok(uint64_t u, size_t n)
{
    return !(u & 63) && u >= user_lo && u <= user_hi && n <= user_hi - u;
}

/* One 8-byte store at off(%[u]), listed in .extable (resumes at 9f: -EFAULT). */
#define USER_ST(off, reg)                                                                          \
    "1: movq " reg ", " off "(%[u])\n"                                                            \
    ".pushsection .extable, \"a\"\n.balign 8\n.quad 1b, 9f\n.popsection\n"

/* SMAP open: the frame's bytes that (F)XSAVE does not write, from byte 464 of the frame at u:
 * the software-reserved bytes (three words, then zero padding), with XSAVE a zero header
 * (XSAVE writes only XSTATE_BV, and keeps any bit outside XCR0 it finds there) and
 * FP_XSTATE_MAGIC2 after the image. Plain stores, no loop and no rep movs: under TCG each pass
 * is a TB execution. 0 or -EFAULT. */
static int put_sw_bytes(uint64_t u)
{
    const uint64_t *w = (const uint64_t *)sw_tail;
    int rc = 0;

    __asm__ __volatile__(USER_ST("0", "%[w0]") USER_ST("8", "%[w1]") USER_ST("16", "%[w2]")
                         USER_ST("24", "%[z]") USER_ST("32", "%[z]") USER_ST("40", "%[z]")
                         "   test %[x], %[x]\n"
                         "   jz 8f\n"
                         USER_ST("48", "%[z]") USER_ST("56", "%[z]") USER_ST("64", "%[z]")
                         USER_ST("72", "%[z]") USER_ST("80", "%[z]") USER_ST("88", "%[z]")
                         USER_ST("96", "%[z]") USER_ST("104", "%[z]")
                         "1: movl %[m2], (%[u], %[x])\n"
                         ".pushsection .extable, \"a\"\n.balign 8\n.quad 1b, 9f\n.popsection\n"
                         "8:\n"
                         ".pushsection .text.fixup, \"ax\"\n"
                         "9: movl %[ef], %[rc]\n"
                         "   jmp 8b\n"
                         ".popsection"
                         : [rc] "+r"(rc)
                         : [u] "r"(u + SW_TAIL_OFF), [w0] "r"(w[0]), [w1] "r"(w[1]),
                           [w2] "r"(w[2]), [z] "r"(0ULL),
                           [x] "r"(use_xsave ? (uint64_t)xstate_size - SW_TAIL_OFF : 0),
                           [m2] "r"(LINUX_FP_XSTATE_MAGIC2), [ef] "i"(-EFAULT)
                         : "memory", "cc");
    return rc;
}

/* The registers (loaded from the area first when they are not this thread's) into the frame
 * at u; then, with reset, the initial image into them, under the same interrupts-off. */
int hal_fpu_save_to_user(uint64_t u, bool reset)
{
    uint8_t *area = user_area();
    uint64_t irq;
    int rc;

    if (!area || !frame_range_ok(u, hal_fpu_state_size()))
        return -EFAULT;
    irq = hal_irq_save();
    if (!(fpu_live && fpu_owner == area)) { /* rare: switched out since its last return */
        fpu_claim(area);
        fpu_restore(area);
        fpu_owner = area;
        fpu_live = true;
    }
    if (x86_smap)
        __asm__ __volatile__("stac" ::: "memory");
    rc = put_sw_bytes(u);
    if (rc == 0 && use_xsave)
        rc = FPU_USER_INSN("xsave64", u, ~0ULL);
    else if (rc == 0)
        rc = FPU_USER_INSN("fxsave64", u, 0);
    if (x86_smap)
        __asm__ __volatile__("clac" ::: "memory");
    if (rc == 0 && reset)
        fpu_restore(init_image); /* still live and area's */
    hal_irq_restore(irq);
    return rc;
}

/* XSAVE: the frame carries this CPU's whole image (magic words, sizes, every XCR0 feature)?
 * Anything else is left to hal_fpu_restore_state's rules. */
static bool frame_is_whole(uint64_t u)
{
    struct linux_fpx_sw_bytes sw;
    uint32_t magic2;

    if (hal_copy_from_user(&sw, u + SW_TAIL_OFF, sizeof(sw)) ||
        sw.magic1 != LINUX_FP_XSTATE_MAGIC1 || sw.xstate_size != xstate_size ||
        sw.extended_size < xstate_size + LINUX_FP_XSTATE_MAGIC2_SIZE ||
        (sw.xfeatures & xcr0) != xcr0)
        return false;
    return hal_copy_from_user(&magic2, u + xstate_size, sizeof(magic2)) == 0 &&
           magic2 == LINUX_FP_XSTATE_MAGIC2;
}

int hal_fpu_restore_from_user(uint64_t u)
{
    uint8_t *area = user_area();
    uint64_t irq;
    int rc;

    if (!area || !frame_range_ok(u, hal_fpu_state_size()))
        return -EFAULT;
    if (use_xsave && !frame_is_whole(u))
        return -EFAULT;
    irq = hal_irq_save();
    fpu_claim(area);
    /* the CPU checks MXCSR and the header itself (#GP: the fixup) */
    if (x86_smap)
        __asm__ __volatile__("stac" ::: "memory");
    rc = use_xsave ? FPU_USER_INSN("xrstor64", u, xcr0) : FPU_USER_INSN("fxrstor64", u, 0);
    if (x86_smap)
        __asm__ __volatile__("clac" ::: "memory");
    if (rc == 0) { /* QEMU's TCG loads reserved MXCSR bits a CPU refuses (#GP): refuse them */
        uint32_t mx;

        __asm__ __volatile__("stmxcsr %0" : "=m"(mx));
        if (mx & ~mxcsr_mask)
            rc = -EFAULT;
    }
    if (rc == 0) {
        fpu_owner = area;
        fpu_live = true;
    } else {
        x86_fpu_forget(); /* maybe half loaded: the area is reloaded at the return */
    }
    hal_irq_restore(irq);
    return rc;
}

bool x86_fpu_uses_xsave(uint64_t *xcr0_out)
{
    *xcr0_out = xcr0;
    return use_xsave;
}
