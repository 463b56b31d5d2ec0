/*
 * sig_fpu: the FPU/SSE state across a signal handler, as the kernel saves it into the signal
 * frame (uc_mcontext.fpregs) and restores it from there at sigreturn.
 *
 *   - the handler starts with the initial state (MXCSR 0x1f80, x87 control word 0x37f, XMM
 *     registers zero), and what it changes there is gone after it returns;
 *   - the frame holds the interrupted state (MXCSR, x87 control word, xmm7), its software
 *     bytes are Linux's (FP_XSTATE_MAGIC1 with the sizes and FP_XSTATE_MAGIC2 after the image,
 *     or all zero without XSAVE), and UC_FP_XSTATE says which;
 *   - a handler that edits the frame's xmm7 and MXCSR gets its values back in the registers;
 *   - the same on an alternate stack whose frame lands on pages never touched (the kernel
 *     faults them in while it writes the frame);
 *   - a thread blocked in read() while another thread runs (its registers are not in the CPU
 *     when the signal comes) gets its own state in the frame and back;
 *   - "badmxcsr": a handler that puts reserved MXCSR bits in the frame makes sigreturn fail:
 *     the program ends with SIGSEGV (exit status 128 + 11 checked by the runner).
 *
 * Registers are set and read in the same asm statement as the system call, since the C code
 * around (and libc) may use XMM registers.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#define MAGIC1 0x46505853u
#define MAGIC2 0x46505845u
#define UC_FP_XSTATE 0x1

struct sw_bytes {
    uint32_t magic1, extended_size;
    uint64_t xfeatures;
    uint32_t xstate_size, padding[7];
};

static pid_t pid;
static volatile int mode; /* what the handler does: 0 look, 1 edit the frame, 2 bad MXCSR */
static volatile uint32_t in_mxcsr, in_fcw, fr_mxcsr, fr_fcw, flags_ok, sw_ok;
static volatile uint64_t in_xmm7, fr_xmm7;

static const uint64_t A = 0x1122334455667788ULL, B = 0x0badc0ffee0ddf00ULL;
static const uint64_t C = 0x0c0c0c0c0c0c0c0cULL, D = 0x0d0d0d0d0d0d0d0dULL;
#define MXCSR_DOWN 0x3f80u /* RC = 01, all exceptions masked */
#define MXCSR_UP 0x5f80u
#define MXCSR_ZERO 0x7f80u
#define FCW_SINGLE 0x007fu /* precision: single; all exceptions masked */

/* Linux's software bytes: magic1 with consistent sizes and magic2 after the image, or all
 * zero (no XSAVE); UC_FP_XSTATE set exactly when magic1 is there. */
static void check_sw(const ucontext_t *uc, const uint8_t *fp)
{
    const struct sw_bytes *sw = (const void *)(fp + 464);
    static const uint8_t zero[48];
    uint32_t m2;

    if (sw->magic1 == MAGIC1) {
        memcpy(&m2, fp + sw->xstate_size, sizeof(m2));
        sw_ok = sw->extended_size == sw->xstate_size + 4 && m2 == MAGIC2 && (sw->xfeatures & 3) == 3;
        flags_ok = (uc->uc_flags & UC_FP_XSTATE) != 0;
    } else {
        sw_ok = memcmp(sw, zero, sizeof(zero)) == 0;
        flags_ok = (uc->uc_flags & UC_FP_XSTATE) == 0;
    }
}

static void handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    uint8_t *fp = (uint8_t *)uc->uc_mcontext.fpregs;
    uint32_t mx;
    uint16_t cw;
    uint64_t x;

    (void)sig;
    (void)si;
    __asm__ __volatile__("stmxcsr %0; fnstcw %1; movq %%xmm7, %2" : "=m"(mx), "=m"(cw), "=r"(x));
    in_mxcsr = mx, in_fcw = cw, in_xmm7 = x;
    fr_mxcsr = uc->uc_mcontext.fpregs->mxcsr;
    fr_fcw = uc->uc_mcontext.fpregs->cwd;
    memcpy((void *)&fr_xmm7, fp + 160 + 7 * 16, 8);
    check_sw(uc, fp);
    /* whatever the handler leaves in the registers must not survive it */
    mx = MXCSR_ZERO, cw = 0x0f7f, x = 0x5555555555555555ULL;
    __asm__ __volatile__("ldmxcsr %0; fldcw %1; movq %2, %%xmm7" ::"m"(mx), "m"(cw), "r"(x)
                         : "xmm7");
    if (mode == 1) {
        memcpy(fp + 160 + 7 * 16, &B, 8);
        uc->uc_mcontext.fpregs->mxcsr = MXCSR_UP;
    } else if (mode == 2) {
        uc->uc_mcontext.fpregs->mxcsr |= 0xffff0000u; /* reserved bits: FXRSTOR would #GP */
    }
}

/* Set MXCSR, the x87 control word and xmm7, send sig to thread tid, read them back. */
static void roundtrip(pid_t tid, int sig, uint32_t mx, uint16_t cw, uint64_t x, uint32_t *omx,
                      uint16_t *ocw, uint64_t *ox)
{
    long nr = SYS_tgkill;

    __asm__ __volatile__("ldmxcsr %[mx]\n\tfldcw %[cw]\n\tmovq %[x], %%xmm7\n\t"
                         "syscall\n\t"
                         "stmxcsr %[omx]\n\tfnstcw %[ocw]\n\tmovq %%xmm7, %[ox]"
                         : [omx] "=m"(*omx), [ocw] "=m"(*ocw), [ox] "=r"(*ox), "+a"(nr)
                         : [mx] "m"(mx), [cw] "m"(cw), [x] "r"(x), "D"(pid), "S"(tid), "d"(sig)
                         : "rcx", "r11", "xmm7", "memory");
}

static void install(int flags)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | flags;
    sigaction(SIGUSR1, &sa, NULL);
}

static void run(const char *name, int m)
{
    uint32_t omx;
    uint16_t ocw;
    uint64_t ox;

    mode = m;
    roundtrip(gettid(), SIGUSR1, MXCSR_DOWN, FCW_SINGLE, A, &omx, &ocw, &ox);
    printf("%s: handler starts with mxcsr %#x fcw %#x xmm7 %#llx\n", name, in_mxcsr, in_fcw,
           (unsigned long long)in_xmm7);
    printf("%s: frame mxcsr %#x fcw %#x xmm7 %s, sw bytes %s, uc_flags %s\n", name, fr_mxcsr,
           fr_fcw, fr_xmm7 == A ? "kept" : "WRONG", sw_ok ? "ok" : "WRONG",
           flags_ok ? "consistent" : "WRONG");
    printf("%s: after mxcsr %#x fcw %#x xmm7 %s\n", name, omx, ocw,
           ox == A ? "A" : ox == B ? "B (the frame's)" : "WRONG");
    /* the rounding modes back to normal for printf */
    omx = 0x1f80, ocw = 0x037f;
    __asm__ __volatile__("ldmxcsr %0; fldcw %1" ::"m"(omx), "m"(ocw));
}

/* --- a thread whose registers are not in the CPU when its signal comes -------------------- */

static int ready[2], data[2];
static volatile uint64_t thread_out;
static volatile long thread_read;
static volatile pid_t thread_tid;

static void *reader(void *arg)
{
    long nr_w = SYS_write, nr_r = SYS_read;
    char c;
    uint64_t out;

    (void)arg;
    thread_tid = gettid();
    /* xmm7 = C, tell the main thread, then block in read() with it */
    __asm__ __volatile__("movq %[x], %%xmm7\n\t"
                         "mov %[rfd], %%edi\n\tmov %[cp], %%rsi\n\tmov $1, %%edx\n\tsyscall\n\t"
                         "mov %[dfd], %%edi\n\tmov %[cp], %%rsi\n\tmov $1, %%edx\n\t"
                         "mov %[nrr], %%rax\n\tsyscall\n\t"
                         "movq %%xmm7, %[o]"
                         : [o] "=r"(out), "+a"(nr_w)
                         : [x] "r"(C), [rfd] "r"(ready[1]), [dfd] "r"(data[0]), [cp] "r"(&c),
                           [nrr] "r"(nr_r)
                         : "rcx", "r11", "rdi", "rsi", "rdx", "xmm7", "memory");
    thread_out = out;
    thread_read = nr_w;
    return NULL;
}

static void other_thread(void)
{
    pthread_t t;
    pid_t tid;
    uint32_t omx;
    uint16_t ocw;
    uint64_t ox;
    char c = 0;

    mode = 0;
    install(SA_RESTART);
    if (pipe(ready) || pipe(data) || pthread_create(&t, NULL, reader, NULL))
        return;
    if (read(ready[0], &c, 1) != 1)
        return;
    usleep(50 * 1000); /* most likely asleep in read() now (the result does not depend on it) */
    tid = thread_tid; /* stored before it wrote to ready */
    roundtrip(tid, SIGUSR1, 0x1f80, 0x037f, D, &omx, &ocw, &ox);
    if (write(data[1], "x", 1) != 1)
        return;
    pthread_join(t, NULL);
    printf("thread: frame xmm7 %s, sw bytes %s; its xmm7 after %s, read %ld; main's xmm7 %s\n",
           fr_xmm7 == C ? "its own" : "WRONG", sw_ok ? "ok" : "WRONG",
           thread_out == C ? "kept" : "WRONG", thread_read, ox == D ? "kept" : "WRONG");
}

/* --- an alternate stack on pages never touched --------------------------------------------- */

static void fresh_stack(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    uint8_t *m = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    stack_t ss;

    if (m == MAP_FAILED)
        return;
    /* top 512 bytes into a page: a 512-byte image starts on that untouched page, the frame
     * below it on another */
    ss.ss_sp = m;
    ss.ss_size = 2 * pg + 512;
    ss.ss_flags = 0;
    sigaltstack(&ss, NULL);
    install(SA_ONSTACK);
    run("altstack", 0);
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, NULL);
}

int main(int argc, char **argv)
{
    pid = getpid();
    setvbuf(stdout, NULL, _IONBF, 0);
    install(0);
    if (argc > 1 && !strcmp(argv[1], "badmxcsr")) {
        printf("reserved MXCSR bits in the frame: sigreturn ends the program (SIGSEGV)\n");
        run("bad", 2);
        printf("not reached\n");
        return 0;
    }
    run("look", 0);
    run("edit", 1);
    fresh_stack();
    other_thread();
    return 0;
}
