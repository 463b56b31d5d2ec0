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
 * The allocated page block that contains the kernel address p: its first byte and its order.
 * Returns false when p lies outside every region or in a free block. Takes the page lock;
 * never sleeps.
 */
bool page_block_of(const void *p, void **head, unsigned *order);

/* Forget every heap object: page_init() calls it, since it takes all pages back. */
void kmalloc_reset(void);

#endif
