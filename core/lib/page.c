/*
 * page.c - buddy allocator of physical pages (alloc.h).
 *
 * Each boot region becomes an area: its ends are trimmed to whole pages, its first pages hold
 * the metadata (one byte per managed page) and the rest is handed out in blocks of 2^order
 * pages. Blocks are naturally aligned in physical page numbers (a block of order k starts at
 * a pfn that is a multiple of 2^k), so a block's buddy is at pfn ^ 2^k and merging needs no
 * search. A free block is linked into free_lists[order] through a struct list_node kept in
 * its own first bytes: the allocator needs no memory besides the regions.
 *
 *   area:  | meta bytes (1/page) | managed pages ........................................ |
 *   meta[i] = FREE|order       page i heads a free block
 *             ALLOC|tag|order  page i heads an allocated block (tag: its owner, page_tag)
 *             TAIL|order       page i is inside an allocated heap block (tag not NONE)
 *             0                page i is inside another block (or a head being moved)
 *
 * page_block_of (kmalloc's test of its own pointers, on every kfree) finds the block of any
 * heap page in one step: a head names itself, a TAIL page its head (pfn rounded down to the
 * order). Pages inside page_alloc() blocks carry no mark (page_split and the buddy merges
 * would have to keep them); for those the probe goes up through the pfn rounded down to 2^1,
 * 2^2, ... 2^PAGE_MAX_ORDER until a marked page, which is all a foreign pointer costs.
 *
 * The kernel addresses of a region are assumed linear (hal_phys_to_virt(base) + offset),
 * which holds for the direct map on x86 and for the hosted RAM arena. Physical page 0 is
 * never handed out (0 means "no memory"); if a region starts there, page 0 holds metadata.
 *
 * Free memory is linked lazily: at boot an area's pages are only counted, and [fresh, end)
 * is carved into blocks one PAGE_MAX_ORDER-aligned chunk at a time, lowest first, when no
 * listed block is big enough. Linking a block writes its first page, and under QEMU the first
 * write to guest RAM makes the host allocate (and zero) it, 2 MiB at a time with transparent
 * huge pages: eager linking would touch every 4 MiB of RAM at boot. A block's buddy (order <
 * PAGE_MAX_ORDER) is always in the same chunk, so merging never meets an uncarved page.
 * page_get_stats counts the uncarved blocks as the eager split would have listed them.
 *
 * Locking: page_lock (irq-save spinlock) around everything; nothing sleeps. Errors found
 * under the lock are reported by panic() after it is released.
 */
#include "core/lib/alloc.h"

#include <stdbool.h>

#include "core/lib/alloc_internal.h"
#include "core/lib/kstring.h"
#include "core/lib/list.h"
#include "core/lib/log.h"
#include "core/lib/spinlock.h"
#include "hal/hal_mem.h"

#define META_FREE 0x80u
#define META_ALLOC 0x40u
#define META_TAIL 0x20u /* only without FREE and ALLOC: the tag bits are free then */
#define META_TAG_SHIFT 4
#define META_TAG 0x30u
#define META_ORDER 0x0fu

struct page_area {
    uint64_t base_pfn; /* first managed page */
    uint64_t npages;   /* managed pages */
    uint8_t *meta;     /* meta[i] describes page base_pfn + i */
    uintptr_t va;      /* kernel address of base_pfn */
    uint64_t fresh;    /* [fresh, base_pfn + npages) is free and on no list yet */
};

static struct spinlock page_lock = SPINLOCK_INIT("page");
static struct page_area areas[HAL_MAX_REGIONS];
static unsigned nareas;
static struct list free_lists[PAGE_MAX_ORDER + 1];
static struct page_stats stats;

static uint64_t block_pages(unsigned order)
{
    return 1ULL << order;
}

static struct list_node *pfn_node(const struct page_area *a, uint64_t pfn)
{
    return (struct list_node *)(a->va + (pfn - a->base_pfn) * PAGE_SIZE);
}

static struct page_area *area_of_pfn(uint64_t pfn)
{
    for (unsigned i = 0; i < nareas; i++) {
        if (pfn >= areas[i].base_pfn && pfn - areas[i].base_pfn < areas[i].npages)
            return &areas[i];
    }
    return NULL;
}

static void push_free(struct page_area *a, uint64_t pfn, unsigned order)
{
    struct list_node *n = pfn_node(a, pfn);

    ASAN_UNPOISON(n, sizeof(*n));
    list_push_front(&free_lists[order], n);
    a->meta[pfn - a->base_pfn] = (uint8_t)(META_FREE | order);
    stats.free_blocks[order]++;
    stats.free_pages += block_pages(order);
}

static void remove_free(struct page_area *a, uint64_t pfn, unsigned order)
{
    struct list_node *n = pfn_node(a, pfn);

    list_remove(n);
    ASAN_POISON(n, sizeof(*n));
    a->meta[pfn - a->base_pfn] = 0;
    stats.free_blocks[order]--;
    stats.free_pages -= block_pages(order);
}

/* Order of the largest naturally aligned block that starts at pfn and ends by end. */
static unsigned range_order(uint64_t pfn, uint64_t end)
{
    unsigned k = PAGE_MAX_ORDER;

    while (k && ((pfn & (block_pages(k) - 1)) || pfn + block_pages(k) > end))
        k--;
    return k;
}

/* Free [pfn, end) as the largest naturally aligned blocks that fit. */
static void free_range(struct page_area *a, uint64_t pfn, uint64_t end)
{
    while (pfn < end) {
        unsigned k = range_order(pfn, end);
        ASAN_POISON(pfn_node(a, pfn), block_pages(k) * PAGE_SIZE);
        push_free(a, pfn, k);
        pfn += block_pages(k);
    }
}

/* List the lowest uncarved chunk of any area; false when every page is carved. */
static bool carve_locked(void)
{
    for (unsigned i = 0; i < nareas; i++) {
        struct page_area *a = &areas[i];
        uint64_t end = a->base_pfn + a->npages;
        if (a->fresh == end)
            continue;
        uint64_t chunk_end = (a->fresh | (block_pages(PAGE_MAX_ORDER) - 1)) + 1;
        if (chunk_end > end)
            chunk_end = end;
        free_range(a, a->fresh, chunk_end);
        a->fresh = chunk_end;
        return true;
    }
    return false;
}

static void add_region(const struct hal_mem_region *r)
{
    uint64_t start = (r->base + PAGE_SIZE - 1) / PAGE_SIZE;
    uint64_t end =
        r->len > UINT64_MAX - r->base ? UINT64_MAX / PAGE_SIZE : (r->base + r->len) / PAGE_SIZE;
    if (end <= start || nareas == HAL_MAX_REGIONS)
        return;
    uint64_t n = end - start;
    uint64_t meta_pages = (n + PAGE_SIZE) / (PAGE_SIZE + 1); /* ceil(n / 4097) */
    if (n <= meta_pages)
        return;

    struct page_area *a = &areas[nareas++];
    a->meta = hal_phys_to_virt(start * PAGE_SIZE);
    a->base_pfn = start + meta_pages;
    a->npages = n - meta_pages;
    a->va = (uintptr_t)a->meta + meta_pages * PAGE_SIZE;
    ASAN_UNPOISON(a->meta, n * PAGE_SIZE);
    memset(a->meta, 0, a->npages);
    a->fresh = a->base_pfn;
    ASAN_POISON(pfn_node(a, a->base_pfn), a->npages * PAGE_SIZE);
    stats.total_pages += a->npages;
}

void page_init(const struct hal_boot_info *info)
{
    uint64_t token = spin_lock_irqsave(&page_lock);

    nareas = 0;
    memset(&stats, 0, sizeof(stats));
    for (unsigned k = 0; k <= PAGE_MAX_ORDER; k++)
        list_init(&free_lists[k]);
    for (uint32_t i = 0; i < info->nregions && i < HAL_MAX_REGIONS; i++)
        add_region(&info->regions[i]);
    spin_unlock_irqrestore(&page_lock, token);
    kmalloc_reset();
}

static uint64_t alloc_locked(unsigned order, enum page_tag tag)
{
    unsigned k = order;

    for (;;) {
        while (k <= PAGE_MAX_ORDER && list_empty(&free_lists[k]))
            k++;
        if (k <= PAGE_MAX_ORDER)
            break;
        if (!carve_locked())
            return 0;
        k = order;
    }
    uintptr_t va = (uintptr_t)list_first(&free_lists[k]);
    struct page_area *a = NULL;
    for (unsigned i = 0; i < nareas && !a; i++) {
        if (va >= areas[i].va && va - areas[i].va < areas[i].npages * PAGE_SIZE)
            a = &areas[i];
    }
    uint64_t pfn = a->base_pfn + (va - a->va) / PAGE_SIZE;
    remove_free(a, pfn, k);
    while (k > order) { /* split: keep the lower half, free the upper */
        k--;
        push_free(a, pfn + block_pages(k), k);
    }
    a->meta[pfn - a->base_pfn] = (uint8_t)(META_ALLOC | (unsigned)tag << META_TAG_SHIFT | order);
    if (tag != PAGE_TAG_NONE && order)
        memset(&a->meta[pfn - a->base_pfn + 1], META_TAIL | order, block_pages(order) - 1);
    ASAN_UNPOISON(pfn_node(a, pfn), block_pages(order) * PAGE_SIZE);
    return pfn * PAGE_SIZE;
}

static uint64_t alloc_tagged(unsigned order, enum page_tag tag)
{
    if (order > PAGE_MAX_ORDER)
        return 0;
    uint64_t token = spin_lock_irqsave(&page_lock);
    uint64_t pa = alloc_locked(order, tag);
    spin_unlock_irqrestore(&page_lock, token);
    return pa;
}

uint64_t page_alloc(unsigned order)
{
    return alloc_tagged(order, PAGE_TAG_NONE);
}

/* Returns false when (pa, order, tag) is not an allocated block. */
static bool free_locked(uint64_t pa, unsigned order, enum page_tag tag)
{
    uint64_t pfn = pa / PAGE_SIZE;
    struct page_area *a = area_of_pfn(pfn);

    if (!a || order > PAGE_MAX_ORDER || pa % PAGE_SIZE ||
        a->meta[pfn - a->base_pfn] != (META_ALLOC | (unsigned)tag << META_TAG_SHIFT | order))
        return false;
    a->meta[pfn - a->base_pfn] = 0;
    if (tag != PAGE_TAG_NONE && order)
        memset(&a->meta[pfn - a->base_pfn + 1], 0, block_pages(order) - 1);
    ASAN_POISON(pfn_node(a, pfn), block_pages(order) * PAGE_SIZE);
    while (order < PAGE_MAX_ORDER) {
        uint64_t buddy = pfn ^ block_pages(order);
        if (buddy < a->base_pfn || buddy - a->base_pfn >= a->npages ||
            a->meta[buddy - a->base_pfn] != (META_FREE | order))
            break;
        remove_free(a, buddy, order);
        pfn &= ~block_pages(order);
        order++;
    }
    push_free(a, pfn, order);
    return true;
}

static void free_tagged(uint64_t pa, unsigned order, enum page_tag tag)
{
    uint64_t token = spin_lock_irqsave(&page_lock);
    bool ok = free_locked(pa, order, tag);
    spin_unlock_irqrestore(&page_lock, token);
    if (!ok)
        panic("page_free: %#llx order %u is not an allocated block%s", (unsigned long long)pa,
              order, tag == PAGE_TAG_NONE ? " (or belongs to kmalloc)" : "");
}

void page_free(uint64_t pa, unsigned order)
{
    free_tagged(pa, order, PAGE_TAG_NONE);
}

void page_split(uint64_t pa, unsigned order)
{
    uint64_t pfn = pa / PAGE_SIZE;
    uint64_t token = spin_lock_irqsave(&page_lock);
    struct page_area *a = area_of_pfn(pfn);
    bool ok = a && order <= PAGE_MAX_ORDER && pa % PAGE_SIZE == 0 &&
              a->meta[pfn - a->base_pfn] == (META_ALLOC | order);

    for (uint64_t i = 0; ok && i < block_pages(order); i++) /* every page heads its own block */
        a->meta[pfn - a->base_pfn + i] = META_ALLOC;
    spin_unlock_irqrestore(&page_lock, token);
    if (!ok)
        panic("page_split: %#llx order %u is not an allocated page_alloc block",
              (unsigned long long)pa, order);
}

void *page_alloc_virt(unsigned order)
{
    uint64_t pa = page_alloc(order);

    return pa ? hal_phys_to_virt(pa) : NULL;
}

void page_free_virt(void *p, unsigned order)
{
    page_free(hal_virt_to_phys(p), order);
}

void *page_alloc_tagged(unsigned order, enum page_tag tag)
{
    uint64_t pa = alloc_tagged(order, tag);

    return pa ? hal_phys_to_virt(pa) : NULL;
}

void page_free_tagged(void *p, unsigned order, enum page_tag tag)
{
    free_tagged(hal_virt_to_phys(p), order, tag);
}

void page_get_stats(struct page_stats *st)
{
    uint64_t token = spin_lock_irqsave(&page_lock);
    *st = stats;
    for (unsigned i = 0; i < nareas; i++) { /* uncarved pages, as free_range would list them */
        uint64_t end = areas[i].base_pfn + areas[i].npages;
        for (uint64_t pfn = areas[i].fresh; pfn < end;) {
            unsigned k = range_order(pfn, end);
            st->free_blocks[k]++;
            st->free_pages += block_pages(k);
            pfn += block_pages(k);
        }
    }
    spin_unlock_irqrestore(&page_lock, token);
}

/* The head pfn of the allocated block holding pfn in a, or false (free or unmarked). */
static bool block_head(const struct page_area *a, uint64_t pfn, uint64_t *head)
{
    uint8_t m = a->meta[pfn - a->base_pfn];

    if (m & META_TAIL && !(m & (META_ALLOC | META_FREE))) {
        *head = pfn & ~(block_pages(m & META_ORDER) - 1);
        return true;
    }
    for (unsigned k = 0; k <= PAGE_MAX_ORDER; k++) {
        uint64_t h = pfn & ~(block_pages(k) - 1);
        if (h < a->base_pfn)
            return false;
        m = a->meta[h - a->base_pfn];
        if (m) {
            *head = h;
            return (m & META_ALLOC) && pfn - h < block_pages(m & META_ORDER);
        }
    }
    return false;
}

bool page_block_of(const void *p, void **head, unsigned *order, enum page_tag *tag)
{
    uintptr_t va = (uintptr_t)p;
    bool found = false;
    uint64_t token = spin_lock_irqsave(&page_lock);

    for (unsigned i = 0; i < nareas; i++) {
        struct page_area *a = &areas[i];
        uint64_t h;
        if (va < a->va || va - a->va >= a->npages * PAGE_SIZE)
            continue;
        if (block_head(a, a->base_pfn + (va - a->va) / PAGE_SIZE, &h)) {
            uint8_t m = a->meta[h - a->base_pfn];
            *head = pfn_node(a, h);
            *order = m & META_ORDER;
            *tag = (enum page_tag)((m & META_TAG) >> META_TAG_SHIFT);
            found = true;
        }
        break;
    }
    spin_unlock_irqrestore(&page_lock, token);
    return found;
}
