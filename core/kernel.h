/*
 * kernel.h - the kernel entry (core/kernel.c) and the kernel's mutable global state.
 *
 * kernel_main() (declared in hal/hal_boot.h) checks the HAL ABI, starts the page allocator,
 * sets the log level from the command line, starts the scheduler and runs the init thread.
 * The kernel entry points the HAL calls (kernel_timer_irq, kernel_irq_exit,
 * kernel_pt_page_alloc/free) are defined there too.
 */
#ifndef CORE_KERNEL_H
#define CORE_KERNEL_H

#include "core/lib/log.h"
#include "core/sched/sched.h"
#include "hal/hal_boot.h"

/* Global kernel state. Written by kernel_main() before the first thread runs, read-only
 * afterwards (so no lock). */
struct kernel {
    const struct hal_boot_info *boot; /* the backend's, valid for the machine's life */
    int (*entry)(void *arg);          /* hosted: the test's "application" (hal_boot.h) */
    void *entry_arg;
    struct thread *init; /* the init thread */
};

extern struct kernel kernel;

/*
 * Parse `loglevel=debug|info|warn|err` from a kernel command line (space-separated words).
 * Returns 0 and sets *level when the key is present and valid, -ENOENT when absent, -EINVAL
 * when the value is unknown (*level untouched). The last occurrence wins.
 */
int kernel_cmdline_loglevel(const char *cmdline, enum log_level *level);

#endif
