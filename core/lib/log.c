/*
 * log.c - leveled kernel log and panic (log.h).
 *
 * klog() builds the whole line "[sssss.uuuuuu] level: message\n" in a stack buffer and hands
 * it to the console in one write, so lines from different CPUs or interrupts never mix. A line
 * longer than the buffer is cut, keeping its newline.
 *
 * panic() disables interrupts, prints the message, the register snapshot and a backtrace,
 * then ends the machine (or calls panic_hook, for tests). A panic raised while printing a
 * panic (say, a broken console path) would recurse: the second one only prints a short line
 * and exits at once. Before calling the hook the guard is reset, since a hook that unwinds
 * (longjmp) ends the panic as far as the kernel is concerned.
 */
#include "core/lib/log.h"

#include <stdint.h>

#include "core/lib/kprintf.h"
#include "core/lib/kstring.h"
#include "hal/hal_console.h"
#include "hal/hal_cpu.h"
#include "hal/hal_power.h"
#include "hal/hal_time.h"

#define LOG_LINE_MAX 512
#define PANIC_MSG_MAX 256
#define BACKTRACE_MAX 32

void (*panic_hook)(const char *msg);

static enum log_level log_threshold = LOG_INFO;
static int panicking;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level level)
{
    __atomic_store_n(&log_threshold, level, __ATOMIC_RELAXED);
}

enum log_level log_get_level(void)
{
    return __atomic_load_n(&log_threshold, __ATOMIC_RELAXED);
}

void klog(enum log_level level, const char *fmt, ...)
{
    char line[LOG_LINE_MAX];
    va_list ap;

    if ((unsigned)level >= LOG_NONE || level < log_get_level())
        return;
    uint64_t ns = hal_clock_ns();
    int n = ksnprintf(line, sizeof(line),
                      "[%5llu.%06llu] %s: ", (unsigned long long)(ns / 1000000000ULL),
                      (unsigned long long)(ns % 1000000000ULL / 1000), level_names[level]);
    va_start(ap, fmt);
    n += kvsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    if (n > LOG_LINE_MAX - 1)
        n = LOG_LINE_MAX - 1; /* cut: the last byte becomes the newline below */
    if (line[n - 1] != '\n') {
        if (n == LOG_LINE_MAX - 1)
            n--;
        line[n++] = '\n';
    }
    hal_console_write(line, (size_t)n);
}

static void dump_registers(void)
{
    struct hal_cpu_regs r;

    memset(&r, 0, sizeof(r));
    hal_cpu_snapshot(&r);
    kprintf("  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n", (unsigned long long)r.rax,
            (unsigned long long)r.rbx, (unsigned long long)r.rcx, (unsigned long long)r.rdx);
    kprintf("  rsi %016llx rdi %016llx rbp %016llx rsp %016llx\n", (unsigned long long)r.rsi,
            (unsigned long long)r.rdi, (unsigned long long)r.rbp, (unsigned long long)r.rsp);
    kprintf("  r8  %016llx r9  %016llx r10 %016llx r11 %016llx\n", (unsigned long long)r.r8,
            (unsigned long long)r.r9, (unsigned long long)r.r10, (unsigned long long)r.r11);
    kprintf("  r12 %016llx r13 %016llx r14 %016llx r15 %016llx\n", (unsigned long long)r.r12,
            (unsigned long long)r.r13, (unsigned long long)r.r14, (unsigned long long)r.r15);
    kprintf("  rip %016llx rfl %016llx cr2 %016llx cr3 %016llx\n", (unsigned long long)r.rip,
            (unsigned long long)r.rflags, (unsigned long long)r.cr2, (unsigned long long)r.cr3);
}

static void dump_backtrace(void)
{
    uint64_t pcs[BACKTRACE_MAX];
    unsigned n = hal_backtrace(pcs, BACKTRACE_MAX);

    kprintf("backtrace:\n");
    for (unsigned i = 0; i < n; i++)
        kprintf("  #%-2u %016llx\n", i, (unsigned long long)pcs[i]);
}

void panic(const char *fmt, ...)
{
    char msg[PANIC_MSG_MAX];
    va_list ap;

    hal_irq_disable();
    if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST)) {
        static const char again[] = "panic: recursive panic\n";
        hal_console_write(again, sizeof(again) - 1);
        hal_exit(PANIC_EXIT_CODE);
    }
    va_start(ap, fmt);
    kvsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    kprintf("panic: %s\n", msg);
    dump_registers();
    dump_backtrace();
    if (panic_hook) {
        __atomic_store_n(&panicking, 0, __ATOMIC_SEQ_CST);
        panic_hook(msg);
    }
    hal_exit(PANIC_EXIT_CODE);
}
