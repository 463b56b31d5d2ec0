/*
 * vdso.h - the vDSO: the image and the data page the kernel maps into every process
 * (docs/time.md "vDSO").
 *
 *   [vvar] one page, read-only, shared by every process: struct vdso_data (vdso_data.h)
 *   [vdso] the image (image/vdso_user.c, an ELF shared object), right above it; a private
 *          copy per process (mprotect may make it writable, as Linux 6.1 lets it; 6.15+ seals it)
 *
 * AT_SYSINFO_EHDR is the [vdso] address. Both are placed together where the mmap region's
 * top-down allocation puts them, whose base is randomised (vm_space_create: fixed with noaslr),
 * as Linux 6.x places its vDSO in the mmap region.
 */
#ifndef CORE_VDSO_VDSO_H
#define CORE_VDSO_VDSO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/mm/vm.h"
#include "core/vdso/vdso_data.h"

/* The legacy vsyscall page: never mapped, its calls emulated on the fault
 * (core/signal/vsyscall.h); /proc/self/maps shows it as Linux does, "--xp [vsyscall]". */
#define VSYSCALL_ADDR 0xffffffffff600000ULL
#define VSYSCALL_SIZE 4096ULL

static inline bool vsyscall_page(uint64_t addr)
{
    return addr - VSYSCALL_ADDR < VSYSCALL_SIZE;
}

/* The image, generated at build time (image/bin2c.cmake). */
extern const unsigned char vdso_image[];
extern const size_t vdso_image_size;

/* Once per boot, after the page allocator and the clock: allocate the data page and have the
 * HAL publish its clock there. 0 or -ENOMEM (then no process gets a vDSO). Thread context. */
int vdso_init(void);

/*
 * Map [vvar] and [vdso] into s (a new space, before its program starts) and return the
 * image's address in *ehdr (AT_SYSINFO_EHDR). -ENOENT when vdso_init did not succeed (no
 * vDSO: *ehdr is 0), -ENOMEM. May sleep.
 */
int vdso_map(struct vm_space *s, uint64_t *ehdr);

/* "[vdso]" or "[vvar]" for the areas vdso_map made (their copies after a split or mremap),
 * else NULL: the names of /proc/self/maps. */
const char *vdso_area_name(const struct vm_area *a);

/* The data page as the kernel sees it (tests); NULL before vdso_init. */
const struct vdso_data *vdso_data(void);

#endif
