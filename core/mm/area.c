/*
 * area.c - VM areas: lookup, insertion, splitting and removal of address ranges.
 *
 * Areas never overlap and are keyed by start, so ordering by start is also ordering by end:
 * "the first area whose end is above addr" is one lower-bound walk, and it is either the
 * area containing addr or the next one up. Splitting is semantically neutral (two areas
 * describe exactly what one did), which lets munmap/mprotect split first and change after:
 * a split that fails for memory leaves the space as it was. All functions here run with the
 * space's mutex held.
 */
#include "core/lib/alloc.h"
#include "core/lib/log.h"
#include "core/mm/vm_internal.h"
#include "hal/hal_errno.h"

static int area_cmp(const struct rb_node *a, const struct rb_node *b)
{
    uint64_t x = rb_entry(a, struct vm_area, node)->start;
    uint64_t y = rb_entry(b, struct vm_area, node)->start;

    return x < y ? -1 : x > y;
}

/* <=0 for every area whose end is above *key. */
static int area_end_cmp(const void *key, const struct rb_node *n)
{
    uint64_t addr = *(const uint64_t *)key;

    return addr < rb_entry(n, struct vm_area, node)->end ? -1 : 1;
}

struct vm_area *vm_area_next_after(struct vm_space *s, uint64_t addr)
{
    struct rb_node *n = rb_lower_bound(&s->areas, &addr, area_end_cmp);

    return n ? rb_entry(n, struct vm_area, node) : NULL;
}

/* The last area found is tried first: its bounds are read live (splits, mremap and stack
 * growth change them in place), and vm_area_free forgets it, so it is always an area in the
 * tree and, holding addr, the only one that does. */
struct vm_area *vm_area_find(struct vm_space *s, uint64_t addr)
{
    struct vm_area *a = s->last;

    if (a && addr >= a->start && addr < a->end)
        return a;
    a = vm_area_next_after(s, addr);
    if (!a || a->start > addr)
        return NULL;
    s->last = a;
    return a;
}

struct vm_area *vm_area_next(struct vm_area *a)
{
    struct rb_node *n = rb_next(&a->node);

    return n ? rb_entry(n, struct vm_area, node) : NULL;
}

struct vm_area *vm_area_prev(struct vm_area *a)
{
    struct rb_node *n = rb_prev(&a->node);

    return n ? rb_entry(n, struct vm_area, node) : NULL;
}

void vm_area_insert(struct vm_space *s, struct vm_area *a)
{
    if (rb_insert(&s->areas, &a->node, area_cmp))
        panic("vm: two areas start at %#llx", (unsigned long long)a->start);
}

/* True when no area intersects [start, end). */
bool vm_range_free(struct vm_space *s, uint64_t start, uint64_t end)
{
    struct vm_area *a = vm_area_next_after(s, start);

    return !a || a->start >= end;
}

/* Split a at `at` (strictly inside): a keeps [start, at), the result is [at, end). */
struct vm_area *vm_area_split(struct vm_space *s, struct vm_area *a, uint64_t at)
{
    struct vm_area *b = kmalloc(sizeof(*b));

    KASSERT(at > a->start && at < a->end && !(at & VM_PAGE_MASK));
    if (!b)
        return NULL;
    *b = *a;
    b->start = at;
    if (a->kind == VM_FILE || a->shared)
        b->file_off = a->file_off + (at - a->start);
    if (a->kind == VM_FILE)
        vm_area_file_get(b);
    a->end = at;
    vm_area_insert(s, b);
    return b;
}

/* Remove a from the tree, free its pages (unmapping them) and drop its file. */
void vm_area_free(struct vm_space *s, struct vm_area *a)
{
    if (s->last == a)
        s->last = NULL;
    rb_remove(&s->areas, &a->node);
    vm_pages_free(s, a, a->start, a->end);
    if (a->kind == VM_FILE)
        vm_area_file_put(a);
    kfree(a);
}

/*
 * Remove everything in [start, end): split the areas straddling the edges, then free the
 * areas inside. Returns 0 or -ENOMEM (a split failed; nothing was removed).
 */
int vm_unmap_range(struct vm_space *s, uint64_t start, uint64_t end)
{
    struct vm_area *a = vm_area_next_after(s, start);

    if (!a || a->start >= end)
        return 0;
    if (a->start < start && !vm_area_split(s, a, start))
        return -ENOMEM;
    a = vm_area_find(s, end - 1);
    if (a && a->end > end && !vm_area_split(s, a, end))
        return -ENOMEM;
    while ((a = vm_area_next_after(s, start)) && a->start < end)
        vm_area_free(s, a);
    return 0;
}
