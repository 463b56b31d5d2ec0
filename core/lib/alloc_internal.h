/*
 * alloc_internal.h - what page.c and kmalloc.c share; not for the rest of the kernel.
 */
#ifndef CORE_LIB_ALLOC_INTERNAL_H
#define CORE_LIB_ALLOC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#ifdef PETREL_ASAN
/* From the ASan runtime (sanitizer/asan_interface.h, which kernel code may not include). */
void __asan_poison_memory_region(void const volatile *addr, size_t size);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#define ASAN_POISON(addr, size) __asan_poison_memory_region((addr), (size))
#define ASAN_UNPOISON(addr, size) __asan_unpoison_memory_region((addr), (size))
#else
#define ASAN_POISON(addr, size) ((void)(addr), (void)(size))
#define ASAN_UNPOISON(addr, size) ((void)(addr), (void)(size))
#endif

/*
 * Who owns an allocated page block, kept in its metadata byte: page_alloc() callers, or the
 * heap (a slab, a large object behind a header, or a large object that fills its block).
 */
enum page_tag {
    PAGE_TAG_NONE = 0,
    PAGE_TAG_SLAB = 1,
    PAGE_TAG_LARGE = 2,
    PAGE_TAG_LARGE_EXACT = 3,
};

/* page_alloc_virt()/page_free_virt() for a tagged block; the free panics unless the block is
 * allocated with this order and tag. */
void *page_alloc_tagged(unsigned order, enum page_tag tag);
void page_free_tagged(void *p, unsigned order, enum page_tag tag);

/*
 * The allocated page block that contains the kernel address p: its first byte, order and tag.
 * Returns false when p lies outside every region or in a free block. Takes the page lock;
 * never sleeps.
 */
bool page_block_of(const void *p, void **head, unsigned *order, enum page_tag *tag);

/* Forget every heap object: page_init() calls it, since it takes all pages back. */
void kmalloc_reset(void);

#endif
