/*
 * vm_internal.h - shared by the files of core/mm only (not a public header).
 */
#ifndef CORE_MM_VM_INTERNAL_H
#define CORE_MM_VM_INTERNAL_H

#include "core/mm/vm.h"

#define VM_PAGE_MASK (HAL_PAGE_SIZE - 1)

static inline uint64_t vm_page_down(uint64_t a)
{
    return a & ~VM_PAGE_MASK;
}

/* Round up; 0 when it would wrap (callers treat 0 as "too big"). */
static inline uint64_t vm_page_up(uint64_t a)
{
    return a > UINT64_MAX - VM_PAGE_MASK ? 0 : (a + VM_PAGE_MASK) & ~VM_PAGE_MASK;
}

/* A physical page mapped in a space: private to it, or (pin non-NULL) a file's own page:
 * a shared mapping's, or (cow) a private mapping's, mapped read-only until written. */
struct vm_page {
    uint64_t va, pa; /* a slot of a cluster in vm_space.pages (fault.c) */
    void *pin;   /* the file's page: the pin handle (vm_file_ops.pin/share); NULL: ours */
    bool writer; /* pinned as writable */
    bool cow;    /* a private area's: never mapped writable; a write fault copies it */
};

/* The protection a present page is mapped with in an area of protection prot. */
static inline unsigned vm_page_prot(const struct vm_page *p, unsigned prot)
{
    return p->cow ? prot & ~(unsigned)VM_PROT_WRITE : prot;
}

/* area.c */
struct vm_area *vm_area_find(struct vm_space *s, uint64_t addr);
struct vm_area *vm_area_next_after(struct vm_space *s, uint64_t addr);
struct vm_area *vm_area_next(struct vm_area *a);
struct vm_area *vm_area_prev(struct vm_area *a);
void vm_area_insert(struct vm_space *s, struct vm_area *a);
struct vm_area *vm_area_split(struct vm_space *s, struct vm_area *a, uint64_t at);
void vm_area_free(struct vm_space *s, struct vm_area *a);
bool vm_range_free(struct vm_space *s, uint64_t start, uint64_t end);
int vm_unmap_range(struct vm_space *s, uint64_t start, uint64_t end);

/* vm.c */
bool vm_place(struct vm_space *s, uint64_t len, uint64_t *out); /* top-down, as mmap */

/* vmfile.c */
bool vm_file_readable(struct vfs_file *f);
bool vm_file_writable(struct vfs_file *f); /* O_RDWR (O_WRONLY cannot be mapped at all) */
/* An area's reference on its file (VM_FILE), counting shared areas that may be made writable
 * with the file (vm_file_ops.map_writable): every get of an area's file and every put. */
void vm_area_file_get(const struct vm_area *a);
void vm_area_file_put(const struct vm_area *a);
bool vm_file_shareable(struct vfs_file *f);

/* fault.c */
void vm_pages_free(struct vm_space *s, struct vm_area *a, uint64_t start, uint64_t end);
struct vm_page *vm_page_find(struct vm_space *s, uint64_t va);
struct vm_page *vm_page_first_from(struct vm_space *s, uint64_t va);
struct vm_page *vm_page_next(struct vm_page *p);
/* Move the pages of [start, end) to dst (a range holding none), mapped there with prot
 * (mremap): 0, or -ENOMEM with nothing changed. */
int vm_pages_move(struct vm_space *s, uint64_t start, uint64_t end, uint64_t dst, unsigned prot);
void vm_pages_set_writer(struct vm_space *s, struct vm_area *a, bool writer);
/* Give the present pages of [start, end) protection prot (copy-on-write pages stay
 * read-only): mprotect. */
void vm_pages_protect(struct vm_space *s, uint64_t start, uint64_t end, unsigned prot);
bool vm_range_covered(struct vm_space *s, uint64_t start, uint64_t end);
int vm_fault_locked(struct vm_space *s, uint64_t addr, unsigned access);
int vm_populate(struct vm_space *s, uint64_t start, uint64_t end, unsigned access);
/* Extend the growing-down area a down to va (page aligned, below a->start; s->lock held) as
 * Linux's expand_downwards: -ENOMEM past the stack limit (when check_limit), RLIMIT_AS, or
 * into the guard gap of an accessible area below (overlapping any area). */
int vm_grow_down(struct vm_space *s, struct vm_area *a, uint64_t va, bool check_limit);

/* RLIMIT_AS (s->lock held): may the areas grow by add bytes, the areas inside
 * [reuse_start, reuse_end) being replaced? 0 or -ENOMEM. */
int vm_as_check(struct vm_space *s, uint64_t add, uint64_t reuse_start, uint64_t reuse_end);

#endif
