/*
 * kmalloc.c - kernel heap on top of the page allocator (alloc.h).
 *
 * Requests up to 2 KiB come from slabs of eight power-of-two size classes (16 .. 2048 B);
 * larger ones take a page block of their own: a request of exactly 2^k pages fills its block,
 * any other size sits behind a 32-byte header that records it. A slab is one page block whose
 * first bytes are its header:
 *
 *   | struct slab: magic, class, free bitmap, requested size of each object | pad | obj 0 | ...
 *
 * The free bitmap (bit set = object free) makes a double free visible, and keeping the free
 * list out of the objects leaves a freed object entirely poisoned. Given any pointer, the page
 * allocator names the block that holds it and its owner tag (page_block_of, one metadata
 * byte or two: page.c marks every page of a heap block): slab, large with header, large
 * without. The pointer must then be exactly an allocated object or the
 * large payload, or the free is refused with a panic (foreign pointer, double free). These
 * checks are cheap and run in every build.
 *
 * PETREL_DEBUG: new objects are filled with 0xa5 and freed ones with 0x6b; an allocation
 * checks that the 0x6b is still intact, catching writes after free. PETREL_ASAN: free objects
 * (and whole free pages, see page.c) are poisoned for ASan.
 *
 * Each class keeps a list of slabs with free objects; a slab that becomes empty goes back to
 * the page allocator unless it is the class's only empty slab (which avoids thrashing at a
 * boundary). Slabs that are full are on no list.
 *
 * Locking: heap_lock around all state, page_lock nested inside it (page_alloc, page_free,
 * page_block_of). Errors are raised by panic() after heap_lock is released. Never sleeps.
 */
#include <stdbool.h>

#include "core/lib/alloc.h"
#include "core/lib/alloc_internal.h"
#include "core/lib/kstring.h"
#include "core/lib/list.h"
#include "core/lib/log.h"
#include "core/lib/spinlock.h"

#define SLAB_MAGIC 0x534c4142u  /* "SLAB" */
#define LARGE_MAGIC 0x4c415247u /* "LARG" */
#define SLAB_MAX_OBJS 256
#define NCLASSES 8
#define SLAB_MAX_SIZE 2048
#define MIN_CLASS_SHIFT 4 /* 16 bytes */
#define OBJ_ALIGN 16
#define POISON_NEW 0xa5
#define POISON_FREE 0x6b

struct slab {
    uint32_t magic;
    uint16_t cls;
    uint16_t nfree;
    struct list_node node; /* on the class's partial list while nfree > 0 */
    uint64_t free_map[SLAB_MAX_OBJS / 64];
    uint16_t req[]; /* requested size of each allocated object */
};

struct large_hdr {
    uint32_t magic;
    uint32_t order;
    uint64_t size; /* requested */
    uint64_t pad[2];
};

struct size_class {
    uint32_t size;
    uint16_t order;      /* slab = 2^order pages */
    uint16_t nobjs;      /* objects per slab */
    uint32_t obj_offset; /* first object, from the slab start */
    uint32_t nempty;     /* empty slabs on the partial list */
    struct list partial;
};

/* What a pointer is, once looked up. */
struct obj_ref {
    enum page_tag tag;
    struct slab *slab; /* PAGE_TAG_SLAB */
    unsigned idx;
    void *block; /* large: the page block and its order */
    unsigned order;
    size_t usable;
    size_t req;
};

enum heap_err { HEAP_OK, HEAP_FOREIGN, HEAP_DOUBLE_FREE };

static struct spinlock heap_lock = SPINLOCK_INIT("kmalloc");
static struct size_class classes[NCLASSES];
static struct kmalloc_stats heap_stats;
static bool heap_ready;

static size_t round_up(size_t n, size_t a)
{
    return (n + a - 1) / a * a;
}

/* Slab geometry: 2^order pages holding at most SLAB_MAX_OBJS objects after the header. */
static void init_class(struct size_class *c, unsigned idx)
{
    size_t slab_bytes;

    c->size = 1u << (MIN_CLASS_SHIFT + idx);
    c->order = c->size <= 256 ? 0 : (uint16_t)(idx - 4); /* 512: 1, 1024: 2, 2048: 3 */
    slab_bytes = PAGE_SIZE << c->order;
    unsigned n = SLAB_MAX_OBJS;
    while (round_up(sizeof(struct slab) + n * sizeof(uint16_t), OBJ_ALIGN) + n * c->size >
           slab_bytes)
        n--;
    c->nobjs = (uint16_t)n;
    c->obj_offset = (uint32_t)round_up(sizeof(struct slab) + n * sizeof(uint16_t), OBJ_ALIGN);
    c->nempty = 0;
    list_init(&c->partial);
}

static void reset_locked(void)
{
    for (unsigned i = 0; i < NCLASSES; i++)
        init_class(&classes[i], i);
    memset(&heap_stats, 0, sizeof(heap_stats));
    heap_ready = true;
}

void kmalloc_reset(void)
{
    uint64_t token = spin_lock_irqsave(&heap_lock);
    reset_locked();
    spin_unlock_irqrestore(&heap_lock, token);
}

/* The smallest class that holds size (1 .. SLAB_MAX_SIZE) bytes: log2 rounded up. */
static unsigned class_of(size_t size)
{
    if (size <= (1u << MIN_CLASS_SHIFT))
        return 0;
    return (unsigned)(64 - __builtin_clzll((unsigned long long)size - 1)) - MIN_CLASS_SHIFT;
}

static char *obj_addr(const struct slab *s, unsigned idx)
{
    const struct size_class *c = &classes[s->cls];
    return (char *)s + c->obj_offset + (size_t)idx * c->size;
}

static struct slab *new_slab(unsigned cls)
{
    struct size_class *c = &classes[cls];
    struct slab *s = page_alloc_tagged(c->order, PAGE_TAG_SLAB);

    if (!s)
        return NULL;
    s->magic = SLAB_MAGIC;
    s->cls = (uint16_t)cls;
    s->nfree = c->nobjs;
    memset(s->free_map, 0, sizeof(s->free_map));
    for (unsigned i = 0; i < c->nobjs; i++)
        s->free_map[i / 64] |= 1ULL << (i % 64);
#ifdef PETREL_DEBUG
    memset(obj_addr(s, 0), POISON_FREE, (size_t)c->nobjs * c->size);
#endif
    ASAN_POISON(obj_addr(s, 0), (size_t)c->nobjs * c->size);
    list_push_back(&c->partial, &s->node);
    c->nempty++;
    return s;
}

/* Take one object of class cls; NULL when out of memory. */
static void *slab_alloc_locked(unsigned cls, size_t size)
{
    struct size_class *c = &classes[cls];
    struct slab *s;

    if (list_empty(&c->partial) && !new_slab(cls))
        return NULL;
    s = container_of(list_first(&c->partial), struct slab, node);
    unsigned w = 0;
    while (!s->free_map[w])
        w++;
    unsigned idx = w * 64 + (unsigned)__builtin_ctzll(s->free_map[w]);
    s->free_map[w] &= ~(1ULL << (idx % 64));
    if (s->nfree-- == c->nobjs)
        c->nempty--;
    if (s->nfree == 0)
        list_remove(&s->node);
    s->req[idx] = (uint16_t)size;
    return obj_addr(s, idx);
}

/* A page block for size bytes; *usable is what the caller may use. NULL when out of memory. */
static void *large_alloc(size_t size, size_t *usable)
{
    unsigned order = 0;

    while (order <= PAGE_MAX_ORDER && (PAGE_SIZE << order) < size)
        order++;
    if (order <= PAGE_MAX_ORDER && (PAGE_SIZE << order) == size) {
        /* Exactly 2^order pages (kmalloc(PAGE_SIZE) and friends): no header, no waste. */
        *usable = size;
        return page_alloc_tagged(order, PAGE_TAG_LARGE_EXACT);
    }
    if (order <= PAGE_MAX_ORDER && (PAGE_SIZE << order) - sizeof(struct large_hdr) < size)
        order++;
    if (order > PAGE_MAX_ORDER)
        return NULL;
    struct large_hdr *h = page_alloc_tagged(order, PAGE_TAG_LARGE);
    if (!h)
        return NULL;
    h->magic = LARGE_MAGIC;
    h->order = order;
    h->size = size;
    *usable = (PAGE_SIZE << order) - sizeof(*h);
    return h + 1;
}

/* Debug: check that a free object is still all POISON_FREE, then mark it new. */
static void prepare_new(void *p, size_t usable)
{
    ASAN_UNPOISON(p, usable);
#ifdef PETREL_DEBUG
    const unsigned char *b = p;
    for (size_t i = 0; i < usable; i++) {
        if (b[i] != POISON_FREE)
            panic("kmalloc: %p (%zu bytes) was written after free (offset %zu)", p, usable, i);
    }
    memset(p, POISON_NEW, usable);
#endif
}

static void count_alloc_locked(size_t size)
{
    heap_stats.allocs++;
    heap_stats.bytes_in_use += size;
}

static void *kmalloc_large(size_t size)
{
    size_t usable;
    void *p = large_alloc(size, &usable);

    if (!p)
        return NULL;
#ifdef PETREL_DEBUG
    memset(p, POISON_NEW, usable);
#endif
    uint64_t token = spin_lock_irqsave(&heap_lock);
    count_alloc_locked(size);
    spin_unlock_irqrestore(&heap_lock, token);
    return p;
}

/* One lock pair for a slab object: its slot and the statistics. */
void *kmalloc(size_t size)
{
    if (size == 0)
        return NULL;
    if (size > SLAB_MAX_SIZE)
        return kmalloc_large(size);
    uint64_t token = spin_lock_irqsave(&heap_lock);
    if (!heap_ready)
        reset_locked();
    unsigned cls = class_of(size);
    void *p = slab_alloc_locked(cls, size);
    if (p)
        count_alloc_locked(size);
    spin_unlock_irqrestore(&heap_lock, token);
    if (p)
        prepare_new(p, classes[cls].size);
    return p;
}

void *kzalloc(size_t size)
{
    void *p = kmalloc(size);

    if (p)
        memset(p, 0, size);
    return p;
}

void *kcalloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return kzalloc(n * size);
}

static enum heap_err lookup_slab(const void *p, struct slab *s, unsigned order, struct obj_ref *ref)
{
    if (s->magic != SLAB_MAGIC || s->cls >= NCLASSES || classes[s->cls].order != order)
        return HEAP_FOREIGN; /* cannot happen unless the header was overwritten */
    const struct size_class *c = &classes[s->cls];
    size_t off = (size_t)((const char *)p - (const char *)s);
    if (off < c->obj_offset || (off - c->obj_offset) % c->size ||
        (off - c->obj_offset) / c->size >= c->nobjs)
        return HEAP_FOREIGN;
    unsigned idx = (unsigned)((off - c->obj_offset) / c->size);
    if (s->free_map[idx / 64] & (1ULL << (idx % 64)))
        return HEAP_DOUBLE_FREE;
    *ref = (struct obj_ref){
        .tag = PAGE_TAG_SLAB, .slab = s, .idx = idx, .usable = c->size, .req = s->req[idx]};
    return HEAP_OK;
}

/* Identify p under heap_lock; HEAP_OK fills *ref. */
static enum heap_err lookup_locked(const void *p, struct obj_ref *ref)
{
    void *head;
    unsigned order;
    enum page_tag tag;

    if (!page_block_of(p, &head, &order, &tag))
        return HEAP_FOREIGN;
    switch (tag) {
    case PAGE_TAG_SLAB:
        return lookup_slab(p, head, order, ref);
    case PAGE_TAG_LARGE: {
        struct large_hdr *h = head;
        if (p != h + 1 || h->magic != LARGE_MAGIC || h->order != order)
            return HEAP_FOREIGN;
        *ref = (struct obj_ref){.tag = tag,
                                .block = h,
                                .order = order,
                                .usable = (PAGE_SIZE << order) - sizeof(*h),
                                .req = h->size};
        return HEAP_OK;
    }
    case PAGE_TAG_LARGE_EXACT:
        if (p != head)
            return HEAP_FOREIGN;
        *ref = (struct obj_ref){.tag = tag,
                                .block = head,
                                .order = order,
                                .usable = PAGE_SIZE << order,
                                .req = PAGE_SIZE << order};
        return HEAP_OK;
    default:
        return HEAP_FOREIGN; /* a page_alloc() block */
    }
}

static void heap_fail(enum heap_err err, const char *what, const void *p)
{
    if (err == HEAP_DOUBLE_FREE)
        panic("%s: double free of %p", what, p);
    panic("%s: %p is not a kmalloc object (foreign pointer or double free)", what, p);
}

static void slab_free_locked(struct slab *s, unsigned idx)
{
    struct size_class *c = &classes[s->cls];
    void *p = obj_addr(s, idx);

#ifdef PETREL_DEBUG
    memset(p, POISON_FREE, c->size);
#endif
    ASAN_POISON(p, c->size);
    s->free_map[idx / 64] |= 1ULL << (idx % 64);
    if (s->nfree++ == 0)
        list_push_front(&c->partial, &s->node);
    if (s->nfree < c->nobjs)
        return;
    if (c->nempty == 0) {
        c->nempty++;
        list_remove(&s->node);
        list_push_back(&c->partial, &s->node); /* partial slabs fill up first */
        return;
    }
    list_remove(&s->node);
    s->magic = 0;
    page_free_tagged(s, c->order, PAGE_TAG_SLAB);
}

void kfree(void *p)
{
    struct obj_ref ref = {0};

    if (!p)
        return;
    uint64_t token = spin_lock_irqsave(&heap_lock);
    enum heap_err err = lookup_locked(p, &ref);
    if (err == HEAP_OK) {
        heap_stats.frees++;
        heap_stats.bytes_in_use -= ref.req;
        if (ref.tag == PAGE_TAG_SLAB)
            slab_free_locked(ref.slab, ref.idx);
        else if (ref.tag == PAGE_TAG_LARGE)
            ((struct large_hdr *)ref.block)->magic = 0;
    }
    spin_unlock_irqrestore(&heap_lock, token);
    if (err != HEAP_OK)
        heap_fail(err, "kfree", p);
    if (ref.tag != PAGE_TAG_SLAB) {
#ifdef PETREL_DEBUG
        memset(p, POISON_FREE, ref.usable);
#endif
        page_free_tagged(ref.block, ref.order, ref.tag);
    }
}

size_t kmalloc_usable_size(const void *p)
{
    struct obj_ref ref;

    if (!p)
        return 0;
    uint64_t token = spin_lock_irqsave(&heap_lock);
    enum heap_err err = lookup_locked(p, &ref);
    spin_unlock_irqrestore(&heap_lock, token);
    if (err != HEAP_OK)
        heap_fail(err, "kmalloc_usable_size", p);
    return ref.usable;
}

/* Change the recorded size of p in place; false when it does not fit. */
static bool resize_in_place(void *p, size_t size, size_t *old_req)
{
    struct obj_ref ref;
    bool fits = false;
    uint64_t token = spin_lock_irqsave(&heap_lock);
    enum heap_err err = lookup_locked(p, &ref);

    if (err == HEAP_OK) {
        *old_req = ref.req;
        /* A headerless block has nowhere to record a smaller size: it only keeps its own. */
        fits = ref.tag == PAGE_TAG_LARGE_EXACT ? size == ref.usable : size <= ref.usable;
        if (fits) {
            if (ref.tag == PAGE_TAG_SLAB)
                ref.slab->req[ref.idx] = (uint16_t)size;
            else if (ref.tag == PAGE_TAG_LARGE)
                ((struct large_hdr *)ref.block)->size = size;
            heap_stats.bytes_in_use += size - ref.req;
        }
    }
    spin_unlock_irqrestore(&heap_lock, token);
    if (err != HEAP_OK)
        heap_fail(err, "krealloc", p);
    return fits;
}

void *krealloc(void *p, size_t size)
{
    size_t old_req = 0;

    if (!p)
        return kmalloc(size);
    if (size == 0) {
        kfree(p);
        return NULL;
    }
    if (resize_in_place(p, size, &old_req))
        return p;
    void *n = kmalloc(size);
    if (!n)
        return NULL;
    memcpy(n, p, old_req < size ? old_req : size); /* a headerless block may shrink here */
    kfree(p);
    return n;
}

void kmalloc_get_stats(struct kmalloc_stats *st)
{
    uint64_t token = spin_lock_irqsave(&heap_lock);
    *st = heap_stats;
    spin_unlock_irqrestore(&heap_lock, token);
}
