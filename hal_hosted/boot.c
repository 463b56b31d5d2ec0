/*
 * boot.c - bringing the hosted machine up and down: hosted_boot(), hosted_hal_init(),
 * hal_exit().
 *
 * hosted_boot() sets up RAM, the user arena, clock, entropy and devices, then switches to a
 * fresh context whose stack it owns and calls kernel_main() there with interrupts disabled.
 * The kernel ends the machine with hal_exit(code), which switches back (final switch: the
 * kernel's contexts are abandoned with the RAM they live in) so hosted_boot() tears
 * everything down and returns code. One process may boot any number of times.
 *
 *     host thread                          kernel boot context
 *     hosted_boot ──switch──────────────▶ kernel_main ─▶ ... threads ...
 *                 ◀─────switch_final──── hal_exit(code)
 *     teardown, return code
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hal/hal_cpu.h"
#include "hal/hal_console.h"
#include "hal/hal_power.h"
#include "hal/hal_rand.h"
#include "hal_hosted/hosted_internal.h"

#ifdef PETREL_ASAN
#include <sanitizer/asan_interface.h>
#endif

#define BOOT_STACK_SIZE (256u * 1024u)

enum hosted_mode { MODE_NONE, MODE_HAL, MODE_BOOT };

static enum hosted_mode hosted_mode;
static char *boot_cmdline;
static struct hal_boot_info boot_info;
static struct hal_ctx host_ctx, kernel_ctx;
static void *boot_stack;
static int boot_exit_code;

static void kernel_timer_hook(void *arg)
{
    kernel_timer_irq();
}

static void kernel_irq_exit_hook(void *arg)
{
    kernel_irq_exit();
}

static void teardown_all(void)
{
    hosted_net_teardown();
    hosted_blk_teardown();
    hosted_irq_teardown();
    hosted_time_teardown();
    hosted_user_teardown();
    hosted_ram_teardown();
    hosted_console_teardown();
    free(boot_cmdline);
    boot_cmdline = NULL;
}

static int setup_all(const struct hosted_config *cfg, const struct hosted_hooks *hooks,
                     struct hal_boot_info *info)
{
    int rc;

    hosted_rand_setup(cfg);
    hosted_irq_setup(hooks);
    hosted_user_mode_setup(hooks);
    boot_cmdline = strdup(cfg->cmdline ? cfg->cmdline : "");
    rc = boot_cmdline ? 0 : -ENOMEM;
    if (!rc)
        rc = hosted_ram_setup(cfg->ram_bytes);
    if (!rc)
        rc = hosted_user_setup();
    if (!rc)
        rc = hosted_time_setup(cfg->realtime);
    if (!rc)
        rc = hosted_blk_setup(cfg);
    if (!rc)
        rc = hosted_net_setup(cfg);
    if (rc) {
        teardown_all();
        return rc;
    }
    *info = (struct hal_boot_info){.abi_version = HAL_ABI_VERSION,
                                   .cmdline = boot_cmdline,
                                   .entry = cfg->entry,
                                   .entry_arg = cfg->entry_arg};
    hosted_ram_fill_regions(info);
    return 0;
}

int hosted_hal_init(const struct hosted_config *cfg, const struct hosted_hooks *hooks,
                    struct hal_boot_info *info)
{
    int rc;

    if (hosted_mode != MODE_NONE || hosted_ram_bytes())
        return -EBUSY;
    rc = setup_all(cfg, hooks, info);
    if (!rc)
        hosted_mode = MODE_HAL;
    return rc;
}

void hosted_hal_fini(void)
{
    if (hosted_mode != MODE_HAL)
        return;
    teardown_all();
    hosted_mode = MODE_NONE;
}

static void boot_main(void *info)
{
    kernel_main(info);
    hal_console_write("hosted: kernel_main returned\n", 29);
    hal_exit(125);
}

int hosted_boot(const struct hosted_config *cfg)
{
    static const struct hosted_hooks kernel_hooks = {.timer_irq = kernel_timer_hook,
                                                     .irq_exit = kernel_irq_exit_hook};
    int rc;

    if (hosted_mode != MODE_NONE || hosted_ram_bytes())
        return -EBUSY;
    rc = setup_all(cfg, &kernel_hooks, &boot_info);
    if (rc)
        return rc;
    boot_stack =
        mmap(NULL, BOOT_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (boot_stack == MAP_FAILED) {
        teardown_all();
        return -ENOMEM;
    }
    hosted_cpu_set_boot_stack(boot_stack, BOOT_STACK_SIZE);
    hosted_mode = MODE_BOOT;
    host_ctx = (struct hal_ctx){0};
    hal_ctx_init(&kernel_ctx, boot_stack, BOOT_STACK_SIZE, boot_main, &boot_info);
    hal_irq_disable();
    hal_ctx_switch(&host_ctx, &kernel_ctx); /* back here from hal_exit() */
    hosted_cpu_set_boot_stack(NULL, 0);
#ifdef PETREL_ASAN
    __asan_unpoison_memory_region(boot_stack, BOOT_STACK_SIZE);
#endif
    munmap(boot_stack, BOOT_STACK_SIZE);
    boot_stack = NULL;
    teardown_all();
    hosted_mode = MODE_NONE;
    return boot_exit_code;
}

static void print_seed(void)
{
    char line[48];
    int n = snprintf(line, sizeof(line), "PETREL_SEED=%llu\n", (unsigned long long)hal_rand_seed());

    hal_console_write(line, (size_t)n);
}

void hosted_process_exit(int code)
{
#ifdef PETREL_COVERAGE
    extern void __gcov_dump(void);

    __gcov_dump();
#endif
    if (code != 0)
        print_seed();
    _exit(code);
}

void hal_exit(int code)
{
    if (hosted_mode != MODE_BOOT)
        hosted_process_exit(code);
    if (code != 0)
        print_seed();
    boot_exit_code = code;
    /* The current kernel context is abandoned: it saves into kernel_ctx, never resumed. */
    hal_ctx_switch_final(&kernel_ctx, &host_ctx);
}
