/*
 * hal_boot.h - what the backend hands the kernel at boot.
 *
 * The backend brings the machine (or the Linux process) up, fills one struct hal_boot_info and
 * calls kernel_main() exactly once, on a stack it owns, with interrupts disabled. kernel_main()
 * never returns: the kernel ends the machine through hal_exit().
 *
 * Memory regions are physical ranges of usable RAM that the kernel owns outright (the backend
 * has already removed its own image, page tables and boot stack). hal_phys_to_virt() turns a
 * physical address inside them into a kernel pointer.
 */
#ifndef HAL_BOOT_H
#define HAL_BOOT_H

#include <stddef.h>
#include <stdint.h>

#define HAL_ABI_VERSION 1
#define HAL_MAX_REGIONS 32
#define HAL_MAX_MODULES 8

struct hal_mem_region {
    uint64_t base; /* physical address, page aligned */
    uint64_t len;  /* bytes, multiple of the page size */
};

struct hal_boot_module {
    uint64_t base; /* physical address of the module's bytes */
    uint64_t len;
    const char *name;
};

struct hal_boot_info {
    uint32_t abi_version; /* HAL_ABI_VERSION of the backend */
    uint32_t nregions;
    struct hal_mem_region regions[HAL_MAX_REGIONS];
    const char *cmdline; /* kernel command line, never NULL (may be "") */
    uint32_t nmodules;
    struct hal_boot_module modules[HAL_MAX_MODULES];
    /*
     * Test entry (NULL in a production boot): when set, the kernel's init thread calls
     * entry(entry_arg) instead of starting the configured program, and the kernel exits with
     * the value entry returns. This is how hosted tests play the application; the bare-metal
     * selftest image (tests/qemu) sets it too.
     */
    int (*entry)(void *entry_arg);
    void *entry_arg;
};

/* The kernel's entry point, called once by the backend. Never returns. */
void kernel_main(const struct hal_boot_info *info);

#endif
