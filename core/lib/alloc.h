/*
 * alloc.h - physical pages and kernel heap.
 *
 * page_alloc: a buddy allocator over the boot memory regions, orders 0 (4 KiB) to
 * PAGE_MAX_ORDER. kmalloc: size-class slabs (16 B .. 2 KiB) on top of it, larger requests go
 * straight to page_alloc. In debug builds (PETREL_DEBUG) freed memory is poisoned with 0x6b,
 * new memory with 0xa5, and double frees or frees of foreign pointers panic. Under ASan the
 * allocator poisons free memory for ASan too.
 *
 * Locking: both take an internal irq-save spinlock; never sleep; any context.
 */
#ifndef CORE_LIB_ALLOC_H
#define CORE_LIB_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "hal/hal_boot.h"

#define PAGE_SIZE 4096UL
#define PAGE_MAX_ORDER 10 /* 4 MiB blocks */

/* Hand the boot regions to the page allocator. Called once by kernel_main (or a test). */
void page_init(const struct hal_boot_info *info);
/* 2^order contiguous pages; physical address, or 0 when out of memory. Not zeroed. */
uint64_t page_alloc(unsigned order);
void page_free(uint64_t pa, unsigned order);
/* Make an allocated block of 2^order pages (page_alloc) into 2^order blocks of order 0,
 * each then freed on its own (page_free(pa + i * PAGE_SIZE, 0)). Panics on anything else. */
void page_split(uint64_t pa, unsigned order);
/* Convenience: kernel pointer to 2^order pages (NULL when out of memory), and back. */
void *page_alloc_virt(unsigned order);
void page_free_virt(void *p, unsigned order);

struct page_stats {
    uint64_t total_pages;
    uint64_t free_pages;
    uint64_t free_blocks[PAGE_MAX_ORDER + 1];
};
void page_get_stats(struct page_stats *st);

void *kmalloc(size_t size);                  /* NULL when out of memory or size == 0 */
void *kzalloc(size_t size);                  /* zeroed */
void *kcalloc(size_t n, size_t size);        /* zeroed, overflow-checked */
void *krealloc(void *p, size_t size);
void kfree(void *p);                         /* NULL is fine */
size_t kmalloc_usable_size(const void *p);

struct kmalloc_stats {
    uint64_t bytes_in_use; /* requested bytes outstanding */
    uint64_t allocs, frees;
};
void kmalloc_get_stats(struct kmalloc_stats *st);

#endif
