/*
 * ram.c - hosted "physical RAM": one memfd, mapped once, handed to the kernel as regions.
 *
 *    physical  HOSTED_PHYS_BASE            +bytes/2                 +bytes
 *              |-------- region 0 ---------|-------- region 1 -------|
 *    virtual   ram_base                                               ram_base + bytes
 *
 * Physical address = offset in the memfd + HOSTED_PHYS_BASE, so 0 is never a valid page.
 * The memfd (rather than anonymous memory) lets the user arena alias the same pages
 * (uas.c), as page tables do on bare metal. The RAM is split into two regions (nothing is
 * excluded) so the kernel's multi-region code runs in every hosted test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hal/hal_mem.h"
#include "hal_hosted/hosted_internal.h"

#ifdef PETREL_ASAN
#include <sanitizer/asan_interface.h>
#endif

static int ram_fd = -1;
static unsigned char *ram_base;
static size_t ram_bytes;

int hosted_ram_setup(size_t bytes)
{
    void *p;

    if (bytes == 0)
        bytes = HOSTED_DEFAULT_RAM;
    bytes = (bytes + HAL_PAGE_SIZE - 1) & ~(HAL_PAGE_SIZE - 1);
    if (bytes < 2 * HAL_PAGE_SIZE)
        return -EINVAL;
    ram_fd = memfd_create("petrel-ram", MFD_CLOEXEC);
    if (ram_fd < 0)
        return -errno;
    if (ftruncate(ram_fd, (off_t)bytes) < 0)
        goto fail;
    p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, ram_fd, 0);
    if (p == MAP_FAILED)
        goto fail;
    ram_base = p;
    ram_bytes = bytes;
    return 0;
fail : {
    int err = -errno;

    close(ram_fd);
    ram_fd = -1;
    return err;
}
}

void hosted_ram_teardown(void)
{
    if (!ram_base)
        return;
#ifdef PETREL_ASAN
    /* Abandoned kernel stacks leave redzones poisoned; the next mapping may reuse the
     * addresses. */
    __asan_unpoison_memory_region(ram_base, ram_bytes);
#endif
    munmap(ram_base, ram_bytes);
    close(ram_fd);
    ram_base = NULL;
    ram_bytes = 0;
    ram_fd = -1;
}

void hosted_ram_fill_regions(struct hal_boot_info *info)
{
    uint64_t half = (ram_bytes / 2) & ~(HAL_PAGE_SIZE - 1);

    info->nregions = 2;
    info->regions[0].base = HOSTED_PHYS_BASE;
    info->regions[0].len = half;
    info->regions[1].base = HOSTED_PHYS_BASE + half;
    info->regions[1].len = ram_bytes - half;
}

size_t hosted_ram_bytes(void)
{
    return ram_bytes;
}

int hosted_ram_fd(void)
{
    return ram_fd;
}

bool hosted_ram_contains(const void *va, size_t len)
{
    uintptr_t p = (uintptr_t)va, b = (uintptr_t)ram_base;

    return ram_base && p >= b && len <= ram_bytes && p - b <= ram_bytes - len;
}

bool hosted_ram_phys_ok(uint64_t pa, uint64_t len)
{
    return ram_base && pa >= HOSTED_PHYS_BASE && len <= ram_bytes &&
           pa - HOSTED_PHYS_BASE <= ram_bytes - len;
}

void *hal_phys_to_virt(uint64_t pa)
{
    if (!hosted_ram_phys_ok(pa, 0))
        return NULL;
    return ram_base + (pa - HOSTED_PHYS_BASE);
}

uint64_t hal_virt_to_phys(const void *va)
{
    if (!hosted_ram_contains(va, 0))
        return 0;
    return HOSTED_PHYS_BASE + (uint64_t)((const unsigned char *)va - ram_base);
}

int hosted_ram_init(size_t bytes, struct hal_boot_info *out)
{
    int rc;

    if (ram_base)
        return -EBUSY;
    rc = hosted_ram_setup(bytes);
    if (rc)
        return rc;
    *out = (struct hal_boot_info){.abi_version = HAL_ABI_VERSION, .cmdline = ""};
    hosted_ram_fill_regions(out);
    return 0;
}

void hosted_ram_fini(void)
{
    hosted_ram_teardown();
}
