/*
 * hal_mem.h - physical memory and user address spaces.
 *
 * The kernel owns the physical pages of the boot regions (hal_boot.h) and allocates them
 * itself (core/mm). The HAL only translates addresses and edits page tables. Page-table pages
 * come from the kernel through kernel_pt_page_alloc()/kernel_pt_page_free().
 *
 * A user address space is an opaque handle. Mappings are page granular (HAL_PAGE_SIZE) and
 * name physical pages; the same physical page may be mapped more than once. In the hosted
 * backend there is one process-wide user arena, and mapping aliases the RAM file into it, so
 * the same checks and copies run as on bare metal.
 */
#ifndef HAL_MEM_H
#define HAL_MEM_H

#include <stddef.h>
#include <stdint.h>

#define HAL_PAGE_SIZE 4096UL
#define HAL_PAGE_SHIFT 12

/* Translate between physical addresses in the boot regions and kernel pointers. Any context. */
void *hal_phys_to_virt(uint64_t pa);
uint64_t hal_virt_to_phys(const void *va);

/* Protection bits for user mappings. */
#define HAL_PROT_READ 0x1u
#define HAL_PROT_WRITE 0x2u
#define HAL_PROT_EXEC 0x4u

struct hal_as; /* opaque */

/* Lowest and one-past-highest user virtual address the backend can map. */
uint64_t hal_user_va_min(void);
uint64_t hal_user_va_max(void);

/*
 * Create/destroy an address space. create returns 0 or -ENOMEM; may allocate page-table pages
 * (through the kernel) but never sleeps. destroy unmaps everything; the physical pages that
 * were mapped stay the kernel's to free.
 */
int hal_as_create(struct hal_as **out);
void hal_as_destroy(struct hal_as *as);

/*
 * Map [va, va+len) to [pa, pa+len) with prot; va, pa and len page aligned and inside the user
 * range. Replaces existing mappings. Returns 0, -EINVAL (bad alignment or range) or -ENOMEM.
 * unmap and protect ignore holes; protect returns -EINVAL for a bad range. None sleep.
 */
int hal_as_map(struct hal_as *as, uint64_t va, uint64_t pa, uint64_t len, unsigned prot);
int hal_as_unmap(struct hal_as *as, uint64_t va, uint64_t len);
int hal_as_protect(struct hal_as *as, uint64_t va, uint64_t len, unsigned prot);

/* Make as the current CPU's user address space (NULL: none). Never sleeps. */
void hal_as_activate(struct hal_as *as);

/* Provided by the kernel: one zeroed page for page tables, 0 when out of memory. */
uint64_t kernel_pt_page_alloc(void);
void kernel_pt_page_free(uint64_t pa);

#endif
