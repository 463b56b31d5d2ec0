/*
 * hosted.h - the hosted backend's own API, for tests, tools, fuzzers and benchmarks.
 *
 * The hosted backend runs the kernel inside one Linux process (docs/hosted.md):
 *
 *   - "physical RAM" is a memfd mapped once; physical address = offset + HOSTED_PHYS_BASE;
 *   - user address spaces alias RAM pages into a reserved arena at fixed addresses;
 *   - a software interrupt controller delivers timer, block and net interrupts only at
 *     delivery points (hal_irq_enable/restore, hal_poll, hal_cpu_idle_until);
 *   - the clock is virtual by default (it moves only when the CPU idles), real-time on request;
 *   - block devices are files or memory buffers; network devices are in-process wires;
 *   - all randomness (entropy, device knobs) comes from one seed, printed on failure.
 *
 * Three ways in:
 *   hosted_boot()     the whole kernel: kernel_main() runs on its own stack; returns the code
 *                     passed to hal_exit(). May be called many times in one process.
 *   hosted_hal_init() the HAL alone, with the test playing the kernel: hooks receive the timer
 *                     interrupt and interrupt exit. For unit tests of the HAL and of code that
 *                     needs devices but not the scheduler. Pair with hosted_hal_fini().
 *   hosted_ram_init() just the RAM arena (allocator tests). Pair with hosted_ram_fini().
 * Only one of them may be active at a time in a process.
 */
#ifndef HAL_HOSTED_HOSTED_H
#define HAL_HOSTED_HOSTED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal/hal_boot.h"
#include "hal/hal_user.h"

#define HOSTED_PHYS_BASE 0x100000ULL       /* physical address of the first RAM byte */
#define HOSTED_DEFAULT_RAM (64ULL << 20)   /* ram_bytes == 0 */
#define HOSTED_DEFAULT_SEED 0x5eed5eedULL  /* no seed in the config or PETREL_SEED */
#define HOSTED_USER_BASE 0x200000000000ULL /* hal_user_va_min() */
#define HOSTED_USER_SIZE (1ULL << 30)      /* hal_user_va_max() - hal_user_va_min() */
#define HOSTED_WALLCLOCK_EPOCH_NS 1704067200000000000ULL /* 2024-01-01T00:00:00Z, virtual */
#define HOSTED_MAX_BLK 8
#define HOSTED_MAX_WIRES 2 /* wire w connects net devices 2w and 2w+1 */

struct hosted_blk_config {
    const char *path;       /* backing file, opened read-write (read-only if read_only) */
    void *mem;              /* or, with path NULL: a memory image of mem_size bytes */
    size_t mem_size;        /* multiple of 512 */
    bool mem_private;       /* copy mem at init; the caller's buffer is never written */
    bool read_only;         /* writes fail with -EROFS at submit */
    unsigned defer_pct;     /* 0..100: chance a queued request is held back at a delivery point */
    bool reorder;           /* complete the queued requests in a seeded random order */
    uint32_t max_req_bytes; /* 0: 128 KiB */
    unsigned queue_depth;   /* in-flight limit before -EAGAIN; 0: 64 */
};

struct hosted_wire_config {
    unsigned loss_pct;    /* 0..100: chance a transmitted frame is dropped */
    unsigned dup_pct;     /* chance it is delivered twice */
    unsigned reorder_pct; /* chance it is queued before the previous frame still queued */
    uint16_t mtu;         /* IP MTU of both ends; 0: 1500 */
    unsigned queue_depth; /* frames queued per direction before -EAGAIN; 0: 256 */
    unsigned offloads;    /* HAL_NET_TX_* / HAL_NET_RX_* both ends offer (hal_net.h); 0: none */
};

struct hosted_config {
    size_t ram_bytes; /* 0: HOSTED_DEFAULT_RAM; rounded up to the page size */
    uint64_t seed;    /* used when has_seed; else PETREL_SEED, else HOSTED_DEFAULT_SEED */
    bool has_seed;
    bool realtime;       /* CLOCK_MONOTONIC instead of the virtual clock (or PETREL_REALTIME=1) */
    const char *cmdline; /* NULL: "" */
    unsigned nblk;
    struct hosted_blk_config blk[HOSTED_MAX_BLK];
    unsigned nwires; /* net devices: 2 * nwires */
    struct hosted_wire_config wire[HOSTED_MAX_WIRES];
    /* hosted_boot(): the kernel's init thread runs entry(entry_arg) (see hal_boot.h). */
    int (*entry)(void *entry_arg);
    void *entry_arg;
};

/* Run the kernel: set everything up, call kernel_main() on a fresh stack, tear down. Returns
 * the code given to hal_exit(), or -EBUSY (already running), -EINVAL/-ENOMEM/-errno (setup
 * failed: bad config, a block file that does not open). */
int hosted_boot(const struct hosted_config *cfg);

/* --- the HAL without the kernel (unit tests) ------------------------------------------- */

struct hosted_hooks {
    void (*timer_irq)(void *arg); /* instead of kernel_timer_irq() */
    void (*irq_exit)(void *arg);  /* instead of kernel_irq_exit() */
    void *arg;                    /* passed to every hook */
    /* Hosted user mode (hal_user_enter) with the test playing the kernel: instead of
     * kernel_syscall(), kernel_user_fault(), kernel_user_return(), kernel_user_work_pending().
     * NULL: the kernel's own entry point (every hosted binary links the kernel). */
    void (*syscall)(void *arg, struct hal_uregs *regs);
    void (*user_fault)(void *arg, struct hal_uregs *regs, enum hal_fault_kind kind, uint64_t addr);
    void (*user_return)(void *arg, struct hal_uregs *regs);
    bool (*user_work_pending)(void *arg);
};

/* Set up RAM, clock, entropy and devices as hosted_boot() does, fill *info, and route
 * interrupts to hooks. Interrupts start disabled. Returns 0 or -errno. */
int hosted_hal_init(const struct hosted_config *cfg, const struct hosted_hooks *hooks,
                    struct hal_boot_info *info);
void hosted_hal_fini(void);

/* Just the RAM arena of bytes (0: default) and its regions in *out. Returns 0 or -errno. */
int hosted_ram_init(size_t bytes, struct hal_boot_info *out);
void hosted_ram_fini(void);

/* --- console --------------------------------------------------------------------------- */

/* Capture console output into buf (at most size bytes kept, always NUL-terminated when
 * size > 0); echo also writes it to fd 2. Captured bytes so far: hosted_console_captured(). */
void hosted_console_capture(char *buf, size_t size, bool echo);
size_t hosted_console_captured(void);
void hosted_console_capture_stop(void);
/* Bytes that hal_console_read() returns next (copied; appended to what is unread). Returns 0
 * or -ENOMEM. */
int hosted_console_input(const void *buf, size_t n);

/* --- standard streams (hal/hal_stdio.h), for tests --------------------------------------- */

/* Make the streams present: each output stream holds at most room bytes until taken (0: 1 MiB);
 * bit i of tty_mask: stream i is a terminal. Clears what an earlier enable left. */
void hosted_stdio_enable(size_t room, unsigned tty_mask);
void hosted_stdio_disable(void); /* absent again, buffers freed */
/* Append n bytes of input (event IN). 0, -EPIPE (absent or ended), -ENOMEM. */
int hosted_stdio_input(const void *buf, size_t n);
void hosted_stdio_input_end(void); /* the end of input (event IN) */
/* Move up to n bytes the kernel wrote on stream into buf (event OUT when any); the count.
 * stream HAL_STDIO_NSTREAMS: the control lines (hal_stdio_control). */
size_t hosted_stdio_take(unsigned stream, void *buf, size_t n);
void hosted_stdio_interrupt(void); /* an interrupt request: the host's Ctrl-C (event INTR) */
void hosted_stdio_winsize(unsigned rows, unsigned cols); /* a terminal resize (event WINCH) */

/* --- devices and time, for tests --------------------------------------------------------- */

/* Queue frame for reception by net device dev, as if its peer sent it (no loss knobs).
 * Delivered at the next delivery point. Returns 0, -ENODEV, -EMSGSIZE or -EAGAIN. */
int hosted_net_inject(unsigned dev, const void *frame, size_t len);
/* hosted_net_inject with receive flags (HAL_NET_RXF_*); up to HAL_NET_GSO_MAX bytes when the
 * wire has HAL_NET_RX_LARGE. */
int hosted_net_inject_rx(unsigned dev, const void *frame, size_t len, unsigned flags);

/* Called for every frame a net device transmits, before the wire's knobs apply. NULL: none. */
typedef void hosted_net_monitor_fn(void *arg, unsigned dev, const void *frame, size_t len);
void hosted_net_set_monitor(hosted_net_monitor_fn *fn, void *arg);

/* Virtual clock only: move the clock forward by ns (a due timer fires at the next delivery
 * point). Returns the new clock. */
uint64_t hosted_clock_advance(uint64_t ns);

/* True when a timer is armed, or block/net work is queued (what could wake an idle CPU). */
bool hosted_work_pending(void);

struct hosted_stats {
    uint64_t timer_irqs;      /* timer interrupts delivered */
    uint64_t irq_exits;       /* interrupt exits (one per delivery round) */
    uint64_t blk_completions; /* block requests completed */
    uint64_t net_rx;          /* frames handed to rx callbacks */
    uint64_t net_dropped;     /* frames lost by knobs or without an rx callback */
    uint64_t idle_calls;      /* hal_cpu_idle_until() calls */
};
void hosted_get_stats(struct hosted_stats *out);

/* --- user mode (docs/hosted.md "User mode") ------------------------------------------------ */

/*
 * hal_user_enter(regs) runs the "program" regs->rip, a function of the test binary
 * void fn(uint64_t rdi, uint64_t rsi, uint64_t rdx), on the calling thread's stack, with the
 * other registers (rsp: a user stack in the arena, fs_base...) as its user registers. It
 * returns 0 when fn returns. Each kernel thread has its own user registers. Code running in
 * user mode (fn, and the signal handlers the kernel makes it run) enters the kernel only
 * through the calls below, which go through kernel_syscall()/kernel_user_fault(), then
 * kernel_user_return() exactly as the x86 entry does. Calling them outside user mode aborts.
 */

/* The SYSCALL instruction: nr in rax, arguments in rdi rsi rdx r10 r8 r9. Returns rax. A
 * syscall the kernel restarts (rip - 2) is made again; a handler the kernel sets up runs as a
 * C call before this returns, and returns through its frame's restorer (a function making
 * rt_sigreturn with hosted_syscall). */
long hosted_syscall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                    uint64_t a5);
/* The instruction here faults: kernel_user_fault(kind, addr) with rip = this point, then the
 * return to user mode (a handler may run). Returns when user mode resumes here (the test
 * may retry what faulted). */
void hosted_user_fault(enum hal_fault_kind kind, uint64_t addr);
/* An interrupt point in user code: pending interrupts are delivered as if taken in user mode
 * (kernel_irq_exit may switch threads), then the return-to-user work runs. */
void hosted_user_interrupt(void);
/* The calling thread's user registers (what the next entry starts from: rsp, fs_base, the
 * callee-saved values a test wants to see saved in a signal frame...), or NULL outside user
 * mode. */
struct hal_uregs *hosted_user_regs(void);
/* The calling thread's pretend FPU state (hal_fpu_*: Linux's fpstate layout of an x87+SSE
 * XSAVE CPU, 576 bytes: FXSAVE image + XSAVE header), or NULL outside user mode. Tests write
 * "registers" here (MXCSR at 24, xmm0 at 160) and read what sigreturn restored. */
void *hosted_user_fpu(void);

/* --- exit -------------------------------------------------------------------------------- */

/* Flush coverage data (PETREL_COVERAGE) and end the process with code. Prints
 * "PETREL_SEED=<n>" first when code != 0. */
void hosted_process_exit(int code) __attribute__((noreturn));

#endif
