/*
 * fault.c - demand paging: the pages of a space and how a missing one is filled in.
 *
 * Nothing is mapped at mmap time. The first access to a page (a hardware page fault on x86,
 * or a copy helper checking a user range) calls vm_fault(), which finds the area, checks the
 * access against its protection and fills a fresh physical page:
 *
 *   VM_ANON, VM_STACK, VM_GUARD   zeros
 *   VM_FILE                       the file's bytes for this page, read into the page (a
 *                                 private copy, so writes never reach the file); bytes at or
 *                                 past area.file_end (the ELF bss, or past EOF) stay zero
 *
 * and maps it with the area's protection. Every page belongs to exactly one space (no fork,
 * no shared mappings), so a page needs no reference count: it is freed when its range is
 * unmapped or the space is destroyed. The space's pages live in an rbtree keyed by address.
 */
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/lib/log.h"
#include "core/mm/vm_internal.h"
#include "hal/hal_errno.h"

static int page_key_cmp(const void *key, const struct rb_node *n)
{
    uint64_t va = *(const uint64_t *)key, pva = rb_entry(n, struct vm_page, node)->va;

    return va < pva ? -1 : va > pva;
}

static int page_cmp(const struct rb_node *a, const struct rb_node *b)
{
    return page_key_cmp(&rb_entry(a, struct vm_page, node)->va, b);
}

static struct vm_page *page_find(struct vm_space *s, uint64_t va)
{
    struct rb_node *n = rb_find(&s->pages, &va, page_key_cmp);

    return n ? rb_entry(n, struct vm_page, node) : NULL;
}

bool vm_page_present(struct vm_space *s, uint64_t addr)
{
    bool present;

    mutex_lock(&s->lock);
    present = page_find(s, vm_page_down(addr)) != NULL;
    mutex_unlock(&s->lock);
    return present;
}

/* Unmap and free every page in [start, end). */
void vm_pages_free(struct vm_space *s, uint64_t start, uint64_t end)
{
    struct rb_node *n = rb_lower_bound(&s->pages, &start, page_key_cmp);
    bool any = false;

    while (n) {
        struct vm_page *p = rb_entry(n, struct vm_page, node);

        if (p->va >= end)
            break;
        n = rb_next(n);
        rb_remove(&s->pages, &p->node);
        page_free(p->pa, 0);
        kfree(p);
        s->nr_pages--;
        any = true;
    }
    if (any)
        hal_as_unmap(s->as, start, end - start);
}

/* Fill the page at va of file area a: file bytes up to file_end, zeros after. */
static int fill_from_file(struct vm_area *a, uint64_t va, uint8_t *page)
{
    uint64_t want = HAL_PAGE_SIZE;
    long got;

    if (a->file_end <= va)
        return 0;
    if (a->file_end - va < want)
        want = a->file_end - va;
    got = vm_file_read(&a->file, a->file_off + (va - a->start), page, (size_t)want);
    if (got < 0) {
        log_warn("vm: reading a file page at %#llx failed: %ld", (unsigned long long)va, got);
        return -EIO;
    }
    return 0; /* short read: past EOF reads as zero */
}

/* Allocate, fill and map the page at va (absent) of area a. */
static int page_fill_map(struct vm_space *s, struct vm_area *a, uint64_t va)
{
    struct vm_page *p = kmalloc(sizeof(*p));
    uint64_t pa = page_alloc(0);
    int rc = -ENOMEM;

    if (!p || !pa)
        goto fail;
    memset(hal_phys_to_virt(pa), 0, HAL_PAGE_SIZE);
    if (a->kind == VM_FILE && (rc = fill_from_file(a, va, hal_phys_to_virt(pa))))
        goto fail;
    rc = hal_as_map(s->as, va, pa, HAL_PAGE_SIZE, a->prot);
    if (rc)
        goto fail;
    p->va = va;
    p->pa = pa;
    rb_insert(&s->pages, &p->node, page_cmp);
    s->nr_pages++;
    return 0;
fail:
    if (pa)
        page_free(pa, 0);
    kfree(p);
    return rc == -EINVAL ? -EFAULT : rc;
}

/* Whether an area with prot allows access. Reads need PROT_READ (also for exec-only or
 * write-only areas: the hosted tables and the copy helpers agree on that). */
static bool access_ok(unsigned prot, unsigned access)
{
    return access != 0 && (prot & access) == access;
}

int vm_fault_locked(struct vm_space *s, uint64_t addr, unsigned access)
{
    struct vm_area *a = vm_area_find(s, addr);
    uint64_t va = vm_page_down(addr);

    if (!a || !access_ok(a->prot, access))
        return -EFAULT;
    if (page_find(s, va))
        return 0; /* already there: another thread faulted it in, or a spurious fault */
    return page_fill_map(s, a, va);
}

int vm_fault(struct vm_space *s, uint64_t addr, unsigned access)
{
    int rc;

    mutex_lock(&s->lock);
    rc = vm_fault_locked(s, addr, access);
    mutex_unlock(&s->lock);
    return rc;
}

/* Fault in every page of [start, end) for access, under one lock. */
int vm_populate(struct vm_space *s, uint64_t start, uint64_t end, unsigned access)
{
    int rc = 0;

    mutex_lock(&s->lock);
    for (uint64_t va = vm_page_down(start); va < end && !rc; va += HAL_PAGE_SIZE)
        rc = vm_fault_locked(s, va, access);
    mutex_unlock(&s->lock);
    return rc;
}

int vm_user_fault(enum hal_fault_kind kind, uint64_t addr)
{
    struct vm_space *s = vm_current();
    unsigned access;

    switch (kind) {
    case HAL_FAULT_PAGE_READ:
        access = VM_PROT_READ;
        break;
    case HAL_FAULT_PAGE_WRITE:
        access = VM_PROT_WRITE;
        break;
    case HAL_FAULT_PAGE_EXEC:
        access = VM_PROT_EXEC;
        break;
    default:
        return -EFAULT;
    }
    if (!s || addr < s->va_min || addr >= s->va_max)
        return -EFAULT;
    return vm_fault(s, addr, access);
}
