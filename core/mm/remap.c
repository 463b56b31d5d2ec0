/*
 * remap.c - mremap(2): shrink, grow in place, or move a mapping with its pages.
 *
 * Linux's rules, checked against the host kernel: the flags (MREMAP_FIXED and
 * MREMAP_DONTUNMAP need MREMAP_MAYMOVE; DONTUNMAP needs old_len == new_len), then a shrink
 * just unmaps the tail (the old range only has to start in a mapping); growing or moving
 * needs the whole old range inside one area (-EFAULT otherwise). Growing stays in place when
 * the old range ends its area and the pages above are free; otherwise MREMAP_MAYMOVE moves
 * it (top-down placement as mmap, or to new_addr with MREMAP_FIXED, replacing what is there)
 * and -ENOMEM without it.
 *
 * Moving keeps the physical pages: each is unmapped at its old address and mapped at the
 * new one, so private data, shared file pins and the area's file offset all travel along.
 * With MREMAP_DONTUNMAP the old area stays, empty (its next touch faults in zeros or the
 * file's bytes). old_len 0 is -EINVAL: Linux refuses it for private mappings and
 * duplicates a shared one, which Petrel does not (docs/memory.md).
 */
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/lib/log.h"
#include "core/mm/vm_internal.h"
#include "hal/hal_errno.h"

#define MREMAP_KNOWN (LINUX_MREMAP_MAYMOVE | LINUX_MREMAP_FIXED | LINUX_MREMAP_DONTUNMAP)

struct remap {
    uint64_t addr, old_len, new_len, new_addr;
    unsigned flags;
};

/* A copy of area a at [dst, dst + len), with its own file reference. */
static struct vm_area *area_clone(const struct vm_area *a, uint64_t dst, uint64_t len)
{
    struct vm_area *c = kmalloc(sizeof(*c));

    if (!c)
        return NULL;
    *c = *a;
    memset(&c->node, 0, sizeof(c->node));
    c->start = dst;
    c->end = dst + len;
    if (a->kind == VM_FILE) {
        if (a->file_end != UINT64_MAX)
            c->file_end = a->file_end > a->start ? dst + (a->file_end - a->start) : dst;
        vm_area_file_get(c);
    }
    return c;
}

/* Move [r->addr, +old_len) (all inside area a) to dst, resized to new_len. */
static int move_range(struct vm_space *s, struct vm_area *a, const struct remap *r, uint64_t dst)
{
    uint64_t end = r->addr + r->old_len;
    struct vm_area *c;

    if (a->start < r->addr && !(a = vm_area_split(s, a, r->addr)))
        return -ENOMEM;
    if (a->end > end && !vm_area_split(s, a, end))
        return -ENOMEM;
    if (!(c = area_clone(a, dst, r->new_len)))
        return -ENOMEM;
    if (vm_pages_move(s, a->start, a->end, dst, c->prot)) {
        if (c->kind == VM_FILE)
            vm_area_file_put(c);
        kfree(c);
        return -ENOMEM;
    }
    if (r->flags & LINUX_MREMAP_DONTUNMAP) /* the old area stays; only its pages go */
        a->locked = false;
    if (!(r->flags & LINUX_MREMAP_DONTUNMAP))
        vm_area_free(s, a); /* no pages left in it */
    vm_area_insert(s, c);
    return 0;
}

/* Grow or move: the old range must lie inside one area. Returns the new address or -errno. */
static long grow_or_move(struct vm_space *s, const struct remap *r)
{
    struct vm_area *a = vm_area_find(s, r->addr);
    uint64_t old_end = r->addr + r->old_len, dst;
    int rc;

    if (!a || r->old_len > a->end - r->addr)
        return -EFAULT;
    /* RLIMIT_AS: the growth (DONTUNMAP keeps the old range: all of the new one) */
    if (vm_as_check(s, (r->flags & LINUX_MREMAP_DONTUNMAP) ? r->new_len
                                                          : r->new_len - r->old_len, 0, 0))
        return -ENOMEM;
    if (!(r->flags & (LINUX_MREMAP_FIXED | LINUX_MREMAP_DONTUNMAP)) && old_end == a->end &&
        r->new_len <= s->va_max - r->addr &&
        vm_range_free(s, old_end, r->addr + r->new_len) && !a->growsdown) {
        a->end = r->addr + r->new_len; /* in place */
        return (long)r->addr;
    }
    if (!(r->flags & LINUX_MREMAP_MAYMOVE))
        return -ENOMEM;
    if (r->flags & LINUX_MREMAP_FIXED)
        dst = r->new_addr; /* already unmapped */
    else if (!vm_place(s, r->new_len, &dst))
        return -ENOMEM;
    rc = move_range(s, a, r, dst);
    return rc ? rc : (long)dst;
}

/* The MREMAP_FIXED checks, then the destination emptied (as Linux, before the rest). */
static long fixed_prepare(struct vm_space *s, struct remap *r)
{
    uint64_t n = r->new_addr;
    int rc;

    if ((n & VM_PAGE_MASK) || r->new_len > s->va_max || n > s->va_max - r->new_len ||
        n < s->va_min)
        return -EINVAL;
    if (n < r->addr + r->old_len && r->addr < n + r->new_len)
        return -EINVAL; /* overlapping ranges */
    if ((rc = vm_unmap_range(s, n, n + r->new_len)))
        return rc;
    if (r->old_len > r->new_len) {
        if ((rc = vm_unmap_range(s, r->addr + r->new_len, r->addr + r->old_len)))
            return rc;
        r->old_len = r->new_len;
    }
    return 0;
}

static long remap_locked(struct vm_space *s, struct remap *r)
{
    long rc;

    if ((r->flags & LINUX_MREMAP_FIXED) && (rc = fixed_prepare(s, r)))
        return rc;
    if (!vm_area_find(s, r->addr))
        return -EFAULT;
    if (r->old_len == 0)
        return -EINVAL; /* duplicating a shared mapping: not supported (docs/memory.md) */
    if (!(r->flags & LINUX_MREMAP_FIXED) && !(r->flags & LINUX_MREMAP_DONTUNMAP) &&
        r->old_len >= r->new_len) {
        rc = vm_unmap_range(s, r->addr + r->new_len, r->addr + r->old_len);
        return rc ? rc : (long)r->addr;
    }
    return grow_or_move(s, r);
}

long vm_mremap(struct vm_space *s, uint64_t addr, uint64_t old_len, uint64_t new_len,
               unsigned flags, uint64_t new_addr)
{
    struct remap r = {addr, vm_page_up(old_len), vm_page_up(new_len), new_addr, flags};
    long rc;

    if ((flags & ~MREMAP_KNOWN) || (addr & VM_PAGE_MASK))
        return -EINVAL;
    if ((flags & (LINUX_MREMAP_FIXED | LINUX_MREMAP_DONTUNMAP)) && !(flags & LINUX_MREMAP_MAYMOVE))
        return -EINVAL;
    if ((flags & LINUX_MREMAP_DONTUNMAP) && old_len != new_len)
        return -EINVAL;
    if (r.new_len == 0 || (old_len && !r.old_len))
        return -EINVAL;
    if (r.old_len > s->va_max || addr > s->va_max - r.old_len)
        return -EFAULT;
    mutex_lock(&s->lock);
    rc = remap_locked(s, &r);
    mutex_unlock(&s->lock);
    return rc;
}
