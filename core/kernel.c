/*
 * kernel.c - kernel_main() and the entry points the HAL calls into the kernel.
 *
 * Boot order: check that the backend speaks our HAL ABI, hand the boot memory to the page
 * allocator, take the log level from the command line, start the scheduler and create the
 * init thread, then become the idle loop (sched_run). The init thread plays the program:
 * in hosted tests and demos it calls the backend's entry function and ends the machine with
 * its return value. kernel_main never returns; the machine ends through hal_exit().
 */
#include "core/kernel.h"

#include "core/lib/alloc.h"
#include "core/lib/kprintf.h"
#include "core/lib/kstring.h"
#include "core/boot/boot.h"
#include "core/proc/proc.h"
#include "core/signal/signal.h"
#include "core/vdso/vdso.h"
#include "hal/hal_cpu.h"
#include "hal/hal_errno.h"
#include "hal/hal_mem.h"
#include "hal/hal_power.h"
#include "net/net.h"

struct kernel kernel;

static const struct {
    const char *name;
    enum log_level level;
} log_levels[] = {
    {"debug", LOG_DEBUG},
    {"info", LOG_INFO},
    {"warn", LOG_WARN},
    {"err", LOG_ERR},
};

/* Match the value [v, v+len) against the level names. */
static int loglevel_value(const char *v, size_t len, enum log_level *level)
{
    for (size_t i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++) {
        if (strlen(log_levels[i].name) == len && strncmp(v, log_levels[i].name, len) == 0) {
            *level = log_levels[i].level;
            return 0;
        }
    }
    return -EINVAL;
}

int kernel_cmdline_loglevel(const char *cmdline, enum log_level *level)
{
    static const char key[] = "loglevel=";
    const size_t klen = sizeof(key) - 1;
    const char *p = cmdline;
    int rc = -ENOENT;

    while (p && *p) {
        const char *word;
        size_t len;

        while (*p == ' ')
            p++;
        word = p;
        while (*p && *p != ' ')
            p++;
        len = (size_t)(p - word);
        if (len >= klen && strncmp(word, key, klen) == 0)
            rc = loglevel_value(word + klen, len - klen, level);
    }
    return rc;
}

static void init_main(void *unused)
{
    uint64_t hwcap, hwcap2;

    if (kernel.entry) {
        int rc = kernel.entry(kernel.entry_arg);

        /* lwIP's state is global and outlives a hosted boot: leave it empty (net.h) */
        if (net_shutdown() && rc == 0)
            rc = PANIC_EXIT_CODE;
        hal_exit(rc);
    }
    /* The program named by the image's configuration (core/boot/boot.h); it returns only
     * when the program could not be started (the reason is on the console). */
    hal_cpu_hwcap(&hwcap, &hwcap2);
    hal_exit(boot_run_configured(kernel.boot ? kernel.boot->cmdline : NULL, hwcap, hwcap2));
}

void kernel_main(const struct hal_boot_info *info)
{
    enum log_level level = LOG_INFO;
    int rc;

    if (info->abi_version != HAL_ABI_VERSION) {
        kprintf("petrel: HAL ABI version %u, this kernel needs %u\n", info->abi_version,
                HAL_ABI_VERSION);
        hal_exit(PANIC_EXIT_CODE);
    }
    kernel.boot = info;
    kernel.entry = info->entry;
    kernel.entry_arg = info->entry_arg;
    page_init(info);
    proc_registry_reset(); /* a hosted reboot: the earlier processes were in the old heap */
    net_boot();
    rc = kernel_cmdline_loglevel(info->cmdline, &level);
    log_set_level(level);
    if (rc == -EINVAL)
        log_warn("cmdline: unknown loglevel (use debug, info, warn or err)");
    sched_init();
    signal_init(); /* its hooks in the layers below (SIGPIPE) */
    (void)vdso_init(); /* the data page, with the HAL's clock published in it */
    kernel.init = thread_create("init", init_main, NULL);
    if (!kernel.init) { /* a VM too small to run anything: say what to change, no panic */
        struct page_stats ps;
        page_get_stats(&ps);
        kprintf("petrel: not enough memory to start the kernel (the VM has %llu KiB of usable "
                "RAM): give it more (petrel run -m)\n",
                (unsigned long long)(ps.total_pages * PAGE_SIZE >> 10));
        hal_exit(PANIC_EXIT_CODE);
    }
    log_debug("petrel: scheduler started, %s", info->cmdline);
    rc = sched_run();
    if (rc == -EDEADLK) {
        log_err("deadlock: all threads blocked");
        sched_dump_threads();
        hal_exit(PANIC_EXIT_CODE);
    }
    /* init ends the machine itself, so the last thread can never just exit */
    panic("sched_run returned %d", rc);
}

void kernel_timer_irq(void)
{
    sched_timer_irq();
}

void kernel_irq_exit(void)
{
    sched_irq_exit();
}

uint64_t kernel_pt_page_alloc(void)
{
    uint64_t pa = page_alloc(0);

    if (pa)
        memset(hal_phys_to_virt(pa), 0, HAL_PAGE_SIZE);
    return pa;
}

void kernel_pt_page_free(uint64_t pa)
{
    page_free(pa, 0);
}
