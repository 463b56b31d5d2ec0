/*
 * sig_fpframe: where sigreturn reads the FPU state from, when a handler points
 * uc_mcontext.fpregs elsewhere (a copy of the frame's image with MXCSR's rounding changed).
 *
 *   moved      the copy 64-byte aligned (with the software bytes kept, and with
 *              FP_XSTATE_MAGIC1 cleared: then only the legacy 512 bytes count); a legacy copy
 *              at offsets 32, 16 and 8 (taken at any alignment); a legacy copy whose 512 bytes
 *              end at a PROT_NONE page (only 512 bytes are read). The new MXCSR comes back.
 *   unaligned  an XSAVE image (magic words kept) at offset 16: XRSTOR would fault, sigreturn
 *              fails: SIGSEGV (128 + 11).
 *   tail       the software bytes announce an XSAVE image but only its first 512 bytes are
 *              readable (the rest on a PROT_NONE page): SIGSEGV.
 *   magic2     the whole image readable, FP_XSTATE_MAGIC2 after it on a PROT_NONE page: SIGSEGV.
 * unaligned, tail and magic2 need XSAVE (a frame with the magic words): Petrel runs them
 * under QEMU's "max" CPU. Checked natively on Linux 6.18.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#define MAGIC1 0x46505853u
#define PAGE 4096
#define MXCSR_RZ (0x1f80u | (3u << 13)) /* exceptions masked, round toward zero */

enum place { MOVED, LEGACY_END, TAIL, MAGIC2_OUT };

static uint8_t *area;  /* a page, a PROT_NONE page (the guard), two pages */
static volatile int place, off, clear_magic;

/* The frame's FPU image: 512 bytes, or with MAGIC1 its xstate_size plus MAGIC2's 4. */
static size_t image_len(const uint8_t *fp)
{
    uint32_t magic1, xs;

    memcpy(&magic1, fp + 464, 4);
    memcpy(&xs, fp + 464 + 16, 4);
    return magic1 == MAGIC1 ? xs + 4 : 512;
}

static void handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    const uint8_t *fp = (const uint8_t *)uc->uc_mcontext.fpregs;
    uint8_t *guard = area + PAGE, *dst;
    size_t n = image_len(fp);
    uint32_t mx = MXCSR_RZ, zero = 0;

    (void)sig, (void)si;
    switch (place) {
    case MOVED: /* all of it readable, at guard + PAGE + off */
        dst = guard + PAGE + off;
        break;
    case LEGACY_END: /* 512 bytes ending at the guard */
        n = 512;
        dst = guard - n;
        break;
    case TAIL: /* the first 512 bytes before the guard, the rest in it */
        n = 512;
        dst = guard - n;
        break;
    default: /* MAGIC2_OUT: the image before the guard, its MAGIC2 in it */
        n -= 4;
        dst = guard - n;
        break;
    }
    memcpy(dst, fp, n);
    memcpy(dst + 24, &mx, 4);
    if (clear_magic)
        memcpy(dst + 464, &zero, 4);
    uc->uc_mcontext.fpregs = (void *)dst;
}

static uint32_t mxcsr(void)
{
    uint32_t m;

    __asm__ __volatile__("stmxcsr %0" : "=m"(m));
    return m;
}

static void set_mxcsr(uint32_t m)
{
    __asm__ __volatile__("ldmxcsr %0" ::"m"(m));
}

static void once(const char *what)
{
    set_mxcsr(0x1f80);
    raise(SIGUSR1);
    printf("%s: mxcsr %#x\n", what, mxcsr());
    set_mxcsr(0x1f80);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "moved";
    struct sigaction sa;

    area = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED || mprotect(area + PAGE, PAGE, PROT_NONE))
        return 2;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    if (strcmp(mode, "moved") == 0) {
        static const int offs[] = {64, 64, 32, 16, 8};
        char what[64];

        for (int i = 0; i < 5; i++) {
            place = MOVED;
            off = offs[i];
            clear_magic = i > 0;
            snprintf(what, sizeof(what), "offset %d, magic %s", off, i ? "cleared" : "kept");
            once(what);
        }
        place = LEGACY_END;
        clear_magic = 1;
        once("legacy 512 bytes before a PROT_NONE page");
        return 0;
    }
    if (strcmp(mode, "unaligned") == 0)
        place = MOVED, off = 16;
    else if (strcmp(mode, "tail") == 0)
        place = TAIL;
    else if (strcmp(mode, "magic2") == 0)
        place = MAGIC2_OUT;
    else
        return 2;
    printf("%s: sigreturn from a frame it cannot take\n", mode);
    fflush(stdout);
    clear_magic = 0;
    once(mode);
    printf("%s: sigreturn succeeded\n", mode);
    return 1;
    return 2;
}
