/*
 * fault.c - demand paging: the pages of a space and how a missing one is filled in.
 *
 * Nothing is mapped at mmap time. The first access to a page (a hardware page fault on x86,
 * or a copy helper checking a user range) calls vm_fault(), which finds the area, checks the
 * access against its protection and maps a page:
 *
 *   VM_ANON, VM_STACK, VM_GUARD   a fresh zeroed page
 *   VM_FILE, private, read/exec   the page cache's own page, pinned (vm_file share) and
 *                                 mapped read-only: a later write(2) to the file shows in it,
 *                                 as on Linux, until the first store, whose write fault
 *                                 copies it (page_cow). A copy at once for what the cache
 *                                 cannot share: a page holding bss (area.file_end) or the
 *                                 file's last partial page, memfs's files, kernel buffers,
 *                                 and pages past the cache's pin cap (half its budget)
 *   VM_FILE, private, write       a fresh page holding the file's bytes for it (a private
 *                                 copy, so writes never reach the file); bytes at or past
 *                                 area.file_end (the ELF bss) stay zero
 *   VM_FILE, shared               the file's own page-cache page, pinned (vm_file pin): stores
 *                                 are the file's data at once, read(2) sees them
 *
 * A read or exec fault on a private file page also maps the neighbours the page cache
 * already holds (fault-around, below). A file page wholly past the end of the file (offset >= the size rounded up to a page) is
 * -EIO, which the fault path turns into SIGBUS BUS_ADRERR as Linux does; the tail of the last
 * page reads as zeros. A private page belongs to exactly one space (no fork), so it needs no
 * reference count: it is freed when its range is unmapped or the space is destroyed. A
 * file's page (shared, or a private area's read-only one) is unpinned then instead: the pin
 * is the page cache's count of mappings, which keeps it from eviction. The space's pages
 * live in an rbtree keyed by address. mprotect and mremap keep a copy-on-write page
 * read-only (vm_page_prot); MADV_DONTNEED unpins it (the next touch sees the file's bytes).
 *
 * Growing-down areas (the main stack, MAP_GROWSDOWN) grow on a user fault below them, down to
 * the faulting page, as long as the area then spans at most the stack limit (RLIMIT_STACK)
 * and VM_GROWSDOWN_GAP stays free below the new start (Linux's stack_guard_gap, kept from
 * accessible areas only); the kernel's own copies never grow them (Linux 6.x returns -EFAULT
 * there too). A failed growth leaves the address unmapped: SIGSEGV SEGV_MAPERR.
 */
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/lib/log.h"
#include "core/mm/vm_internal.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"

/*
 * The page tree: clusters of CL_PAGES page slots covering an aligned block of addresses, in
 * an rbtree keyed by the block's first address, and never empty (a cluster goes with its
 * last page). Faults come in runs (fault-around maps up to a 16-page window at once, the
 * loader's segments and the heap fill in order), so one allocation and one tree insert per
 * block replace one per page, and lookups hit the cluster found last (s->pmemo) first.
 * python3 -c pass maps ~1,900 pages: rb-tree inserts were a fifth of the kernel's
 * instructions from exec to exit (bench/README.md, bench/run, "Eighth window").
 */
#define CL_PAGES 16u
#define CL_SPAN ((uint64_t)CL_PAGES * HAL_PAGE_SIZE)

struct vm_cluster {
    struct rb_node node; /* in vm_space.pages */
    uint64_t base;       /* address of slot[0], CL_SPAN aligned */
    uint32_t used;       /* bit i: slot[i] holds a page */
    struct vm_page slot[CL_PAGES];
};

static unsigned cl_slot(uint64_t va)
{
    return (unsigned)(va / HAL_PAGE_SIZE) % CL_PAGES;
}

static int cl_key_cmp(const void *key, const struct rb_node *n)
{
    uint64_t b = *(const uint64_t *)key, cb = rb_entry(n, struct vm_cluster, node)->base;

    return b < cb ? -1 : b > cb;
}

static int cl_cmp(const struct rb_node *a, const struct rb_node *b)
{
    return cl_key_cmp(&rb_entry(a, struct vm_cluster, node)->base, b);
}

/* The cluster of the block at base, or NULL. */
static struct vm_cluster *cl_find(struct vm_space *s, uint64_t base)
{
    struct vm_cluster *c = s->pmemo;
    struct rb_node *n;

    if (c && c->base == base)
        return c;
    if (!(n = rb_find(&s->pages, &base, cl_key_cmp)))
        return NULL;
    s->pmemo = c = rb_entry(n, struct vm_cluster, node);
    return c;
}

static struct vm_cluster *cl_of(struct vm_page *p)
{
    return (struct vm_cluster *)((char *)(p - cl_slot(p->va)) - offsetof(struct vm_cluster, slot));
}

/* The first page of c in slot i or above, or NULL. */
static struct vm_page *cl_first(struct vm_cluster *c, unsigned i)
{
    uint32_t m = i < CL_PAGES ? c->used & ~((1u << i) - 1) : 0;

    return m ? &c->slot[__builtin_ctz(m)] : NULL;
}

/* The first page of the clusters from n on (an empty one is skipped: vm_pages_move). */
static struct vm_page *cl_first_from(struct rb_node *n)
{
    for (; n; n = rb_next(n)) {
        struct vm_page *p = cl_first(rb_entry(n, struct vm_cluster, node), 0);

        if (p)
            return p;
    }
    return NULL;
}

/* The cluster for base, made (empty) if missing; NULL out of memory. */
static struct vm_cluster *cl_get(struct vm_space *s, uint64_t base)
{
    struct vm_cluster *c = cl_find(s, base);

    if (c || !(c = kmalloc(sizeof(*c))))
        return c;
    c->base = base;
    c->used = 0;
    rb_insert(&s->pages, &c->node, cl_cmp);
    s->pmemo = c;
    return c;
}

static void cl_put(struct vm_space *s, struct vm_cluster *c)
{
    if (c->used)
        return;
    rb_remove(&s->pages, &c->node);
    if (s->pmemo == c)
        s->pmemo = NULL;
    kfree(c);
}

static struct vm_page *page_find(struct vm_space *s, uint64_t va)
{
    struct vm_cluster *c = cl_find(s, va & ~(CL_SPAN - 1));
    unsigned i = cl_slot(va);

    return c && (c->used & (1u << i)) ? &c->slot[i] : NULL;
}

/* A record for the page at va (absent) mapping pa, zeroed but for those; NULL out of memory. */
static struct vm_page *page_insert(struct vm_space *s, uint64_t va, uint64_t pa)
{
    struct vm_cluster *c = cl_get(s, va & ~(CL_SPAN - 1));
    struct vm_page *p;

    if (!c)
        return NULL;
    p = &c->slot[cl_slot(va)];
    memset(p, 0, sizeof(*p));
    p->va = va;
    p->pa = pa;
    c->used |= 1u << cl_slot(va);
    s->nr_pages++;
    return p;
}

/* Forget p's record (the page itself is the caller's). */
static void page_remove(struct vm_space *s, struct vm_page *p)
{
    struct vm_cluster *c = cl_of(p);

    c->used &= ~(1u << cl_slot(p->va));
    s->nr_pages--;
    cl_put(s, c);
}

struct vm_page *vm_page_find(struct vm_space *s, uint64_t va)
{
    return page_find(s, va);
}

/* The first page at or above va (page aligned). */
struct vm_page *vm_page_first_from(struct vm_space *s, uint64_t va)
{
    uint64_t base = va & ~(CL_SPAN - 1);
    struct rb_node *n = rb_lower_bound(&s->pages, &base, cl_key_cmp);
    struct vm_cluster *c = n ? rb_entry(n, struct vm_cluster, node) : NULL;
    struct vm_page *p;

    if (c && c->base == base) {
        if ((p = cl_first(c, cl_slot(va))))
            return p;
        n = rb_next(n);
    }
    return cl_first_from(n);
}

struct vm_page *vm_page_next(struct vm_page *p)
{
    struct vm_cluster *c = cl_of(p);
    struct vm_page *q = cl_first(c, cl_slot(p->va) + 1);

    return q ? q : cl_first_from(rb_next(&c->node));
}

/* Drop the empty clusters of [lo, hi) (a failed vm_pages_move). */
static void cl_drop_empty(struct vm_space *s, uint64_t lo, uint64_t hi)
{
    uint64_t base = lo & ~(CL_SPAN - 1);
    struct rb_node *n = rb_lower_bound(&s->pages, &base, cl_key_cmp);

    while (n && rb_entry(n, struct vm_cluster, node)->base < hi) {
        struct vm_cluster *c = rb_entry(n, struct vm_cluster, node);

        n = rb_next(n);
        cl_put(s, c);
    }
}

int vm_pages_move(struct vm_space *s, uint64_t start, uint64_t end, uint64_t dst, unsigned prot)
{
    struct vm_page *p;

    /* First the destination's clusters and its page-table entries (the same frames mapped
     * twice for a moment; the ranges never overlap: remap.c refuses that), so that nothing
     * can fail once the source is unmapped and its records move: a page table that cannot be
     * allocated fails the move with nothing changed, never a panic. */
    for (p = vm_page_first_from(s, start); p && p->va < end; p = vm_page_next(p)) {
        uint64_t va = dst + (p->va - start);
        if (!cl_get(s, va & ~(CL_SPAN - 1)) ||
            hal_as_map(s->as, va, p->pa, HAL_PAGE_SIZE, vm_page_prot(p, prot))) {
            hal_as_unmap(s->as, dst, end - start);
            cl_drop_empty(s, dst, dst + (end - start));
            return -ENOMEM;
        }
    }
    hal_as_unmap(s->as, start, end - start);
    while ((p = vm_page_first_from(s, start)) && p->va < end) {
        struct vm_page *q = page_insert(s, dst + (p->va - start), p->pa); /* no allocation */

        q->pin = p->pin;
        q->writer = p->writer;
        q->cow = p->cow;
        page_remove(s, p);
    }
    return 0;
}

bool vm_page_present(struct vm_space *s, uint64_t addr)
{
    bool present;

    mutex_lock(&s->lock);
    present = page_find(s, vm_page_down(addr)) != NULL;
    mutex_unlock(&s->lock);
    return present;
}

/* Unmap every page in [start, end) of area a, then free (or unpin) them. */
void vm_pages_free(struct vm_space *s, struct vm_area *a, uint64_t start, uint64_t end)
{
    struct vm_page *p = vm_page_first_from(s, start), *next;

    if (!p || p->va >= end)
        return;
    hal_as_unmap(s->as, start, end - start); /* before a shared page goes back to its file */
    for (; p && p->va < end; p = next) {
        next = vm_page_next(p); /* before p's cluster may go */
        if (p->pin)
            a->file.ops->unpin(a->file.obj, p->pin, p->writer);
        else
            page_free(p->pa, 0);
        page_remove(s, p);
    }
}

/* A shared file area's pages become writer pins (mprotect added PROT_WRITE) or reader
 * pins (it took it away): pin again the new way, then drop the old pin. A page that cannot
 * be pinned again (the file was truncated under it) is dropped: the next touch faults. */
void vm_pages_set_writer(struct vm_space *s, struct vm_area *a, bool writer)
{
    struct vm_page *p = vm_page_first_from(s, a->start), *next;

    for (; p && p->va < a->end; p = next) {
        uint64_t idx = (a->file_off + (p->va - a->start)) / HAL_PAGE_SIZE, pa;
        void *h;

        next = vm_page_next(p);
        if (!p->pin || p->writer == writer)
            continue;
        if (a->file.ops->pin(a->file.obj, idx, writer, &h, &pa)) {
            vm_pages_free(s, a, p->va, p->va + HAL_PAGE_SIZE);
            continue;
        }
        a->file.ops->unpin(a->file.obj, p->pin, p->writer);
        p->pin = h;
        p->writer = writer;
    }
}

void vm_pages_protect(struct vm_space *s, uint64_t start, uint64_t end, unsigned prot)
{
    hal_as_protect(s->as, start, end - start, prot);
    if (!(prot & VM_PROT_WRITE))
        return;
    for (struct vm_page *p = vm_page_first_from(s, start); p && p->va < end; p = vm_page_next(p))
        if (p->cow)
            hal_as_protect(s->as, p->va, HAL_PAGE_SIZE, vm_page_prot(p, prot));
}

static struct vm_fault_stats fault_stats; /* atomic counters */

static void stat_add(uint64_t *c, uint64_t n)
{
    __atomic_add_fetch(c, n, __ATOMIC_RELAXED);
}

void vm_get_fault_stats(struct vm_fault_stats *st)
{
    st->file = __atomic_load_n(&fault_stats.file, __ATOMIC_RELAXED);
    st->around = __atomic_load_n(&fault_stats.around, __ATOMIC_RELAXED);
    st->file_ro = __atomic_load_n(&fault_stats.file_ro, __ATOMIC_RELAXED);
    st->cow = __atomic_load_n(&fault_stats.cow, __ATOMIC_RELAXED);
    st->shared = __atomic_load_n(&fault_stats.shared, __ATOMIC_RELAXED);
    st->anon = __atomic_load_n(&fault_stats.anon, __ATOMIC_RELAXED);
    st->user_faults = __atomic_load_n(&fault_stats.user_faults, __ATOMIC_RELAXED);
    st->user_ns = __atomic_load_n(&fault_stats.user_ns, __ATOMIC_RELAXED);
}

/* Is the file page of area a at va wholly past the end of the file (SIGBUS)? */
static int past_eof(struct vm_area *a, uint64_t va)
{
    int64_t size = vm_file_size(&a->file);
    uint64_t off = a->file_off + (va - a->start);

    if (size < 0)
        return (int)size;
    return off >= vm_page_up((uint64_t)size) ? -EIO : 0;
}

/* Fill the page at va of file area a: file bytes up to file_end, zeros after (only the
 * bytes the file does not give are zeroed: most pages are copied whole). */
static int fill_from_file(struct vm_area *a, uint64_t va, uint8_t *page)
{
    uint64_t want = HAL_PAGE_SIZE;
    long got;

    if (a->file_end <= va) {
        memset(page, 0, HAL_PAGE_SIZE);
        return 0;
    }
    if (past_eof(a, va))
        return -EIO;
    if (a->file_end - va < want)
        want = a->file_end - va;
    got = vm_file_read(&a->file, a->file_off + (va - a->start), page, (size_t)want);
    if (got < 0) {
        log_warn("vm: reading a file page at %#llx failed: %ld", (unsigned long long)va, got);
        return -EIO;
    }
    memset(page + got, 0, HAL_PAGE_SIZE - (size_t)got); /* short read: past EOF reads as zero */
    return 0;
}

/* Map the shared file page at va (absent) of area a: -EIO past the end of the file. */
static int page_pin_map(struct vm_space *s, struct vm_area *a, uint64_t va)
{
    struct vm_page *p = page_insert(s, va, 0); /* the record first: nothing to undo after */
    uint64_t idx = (a->file_off + (va - a->start)) / HAL_PAGE_SIZE, pa;
    bool writer = (a->prot & VM_PROT_WRITE) != 0;
    void *h;
    int rc;

    if (!p)
        return -ENOMEM;
    rc = a->file.ops->pin(a->file.obj, idx, writer, &h, &pa);
    if (rc == 0 && (rc = hal_as_map(s->as, va, pa, HAL_PAGE_SIZE, a->prot)))
        a->file.ops->unpin(a->file.obj, h, writer);
    if (rc) {
        page_remove(s, p);
        return rc == -ENXIO || rc == -ENOSPC || rc == -EIO ? -EIO : rc == -EINVAL ? -EFAULT : rc;
    }
    p->pa = pa;
    p->pin = h;
    p->writer = writer;
    stat_add(&fault_stats.shared, 1);
    return 0;
}

/*
 * Map the page cache's own page for va (absent) of private file area a, read-only (copy on
 * write, page_cow): only a page wholly below file_end (no bss in it), and wholly inside the
 * file (vfs_mmap_share checks that). -EAGAIN: make a copy instead.
 */
static int page_share_map(struct vm_space *s, struct vm_area *a, uint64_t va)
{
    uint64_t idx = (a->file_off + (va - a->start)) / HAL_PAGE_SIZE, pa;
    struct vm_page *p;
    void *h;
    int rc;

    if (!a->file.ops->share || a->file_end < va + HAL_PAGE_SIZE)
        return -EAGAIN;
    if (!(p = page_insert(s, va, 0)))
        return -ENOMEM;
    rc = a->file.ops->share(a->file.obj, idx, &h, &pa);
    if (rc == 0) {
        p->pa = pa;
        p->pin = h;
        p->cow = true;
        if ((rc = hal_as_map(s->as, va, pa, HAL_PAGE_SIZE, vm_page_prot(p, a->prot))))
            a->file.ops->unpin(a->file.obj, h, false);
    }
    if (rc) {
        page_remove(s, p);
        return rc == -EINVAL ? -EFAULT : rc == -EAGAIN || rc == -ENOMEM ? rc : -EIO;
    }
    stat_add(&fault_stats.file, 1);
    stat_add(&fault_stats.file_ro, 1);
    return 0;
}

/* A write to p, the page cache's page mapped read-only in private area a: map a private copy
 * in its place and let the file's page go. */
static int page_cow(struct vm_space *s, struct vm_area *a, struct vm_page *p)
{
    uint64_t pa = page_alloc(0);

    if (!pa)
        return -ENOMEM;
    memcpy(hal_phys_to_virt(pa), hal_phys_to_virt(p->pa), HAL_PAGE_SIZE);
    if (hal_as_map(s->as, p->va, pa, HAL_PAGE_SIZE, a->prot)) { /* replaces the old one */
        page_free(pa, 0);
        return -ENOMEM;
    }
    a->file.ops->unpin(a->file.obj, p->pin, false);
    p->pin = NULL;
    p->cow = false;
    p->pa = pa;
    stat_add(&fault_stats.cow, 1);
    return 0;
}

/* Allocate, fill and map the page at va (absent) of area a; access: the fault's. */
static int page_fill_map(struct vm_space *s, struct vm_area *a, uint64_t va, unsigned access)
{
    struct vm_page *p;
    uint64_t pa;
    int rc = -ENOMEM;

    if (a->kind == VM_FILE && a->shared)
        return page_pin_map(s, a, va);
    /* a read: the file's own page until written; a write copies now (Linux's do_cow_fault) */
    if (a->kind == VM_FILE && !(access & VM_PROT_WRITE) &&
        (rc = page_share_map(s, a, va)) != -EAGAIN)
        return rc;
    if (a->kind == VM_ANON && a->shared && a->file_off + (va - a->start) >= a->shm_size)
        return -EIO; /* grown by mremap past the object: SIGBUS, as Linux's shmem */
    pa = page_alloc(0);
    p = pa ? page_insert(s, va, pa) : NULL;
    if (!p)
        goto fail;
    if (a->kind != VM_FILE)
        memset(hal_phys_to_virt(pa), 0, HAL_PAGE_SIZE);
    else if ((rc = fill_from_file(a, va, hal_phys_to_virt(pa))))
        goto fail;
    rc = hal_as_map(s->as, va, pa, HAL_PAGE_SIZE, a->prot);
    if (rc)
        goto fail;
    stat_add(a->kind == VM_FILE ? &fault_stats.file : &fault_stats.anon, 1);
    return 0;
fail:
    if (p)
        page_remove(s, p);
    if (pa)
        page_free(pa, 0);
    return rc == -EINVAL ? -EFAULT : rc;
}

/*
 * Fault-around (Linux's filemap_map_pages, fault_around_bytes): a read or exec fault on a
 * private file page also maps the neighbours the page cache already holds, so code and data
 * touched out of order cost one fault per 64 KiB instead of one per page (python3 -c pass:
 * 996 private file faults, nearly all on cached pages). The window is the 64 KiB-aligned
 * block of addresses around the fault, inside the area, below file_end (a page holding bss
 * or the file's last partial page is left to its own fault, which zeroes its tail), and
 * only pages wholly inside the file: never past EOF, so SIGBUS there stays a fault's. Each
 * neighbour is what its own read fault would have made: the page cache's page, read-only
 * (copy on write), or past the cache's pin cap (and for kernel buffers) a private copy.
 * Nothing is read: a page not cached stays absent. Best effort: out of memory it stops
 * quietly.
 */
#define FAULT_AROUND_PAGES 16u

struct around {
    struct vm_space *s;
    struct vm_area *a;
    uint64_t va0, idx0; /* the window's first page: its address and file page index */
    uint64_t mapped, shared; /* pages mapped; of them, the file's own (read-only) */
};

static bool around_map(void *arg, uint64_t idx, const void *data)
{
    struct around *x = arg;
    uint64_t va = x->va0 + (idx - x->idx0) * HAL_PAGE_SIZE, pa;
    struct vm_page *p;

    if (page_find(x->s, va))
        return true;
    pa = page_alloc(0);
    p = pa ? page_insert(x->s, va, pa) : NULL;
    if (p) {
        memcpy(hal_phys_to_virt(pa), data, HAL_PAGE_SIZE);
        if (hal_as_map(x->s->as, va, pa, HAL_PAGE_SIZE, x->a->prot) == 0) {
            x->mapped++;
            return true;
        }
        page_remove(x->s, p);
    }
    if (pa)
        page_free(pa, 0);
    return false;
}

/* The same for a page cache's page, mapped read-only and pinned (copy on write). */
static int around_share(void *arg, uint64_t idx, void *h, uint64_t pa)
{
    struct around *x = arg;
    uint64_t va = x->va0 + (idx - x->idx0) * HAL_PAGE_SIZE;
    struct vm_page *p;

    if (page_find(x->s, va))
        return 0;
    if (!(p = page_insert(x->s, va, pa)))
        return -1;
    p->pin = h;
    p->cow = true;
    if (hal_as_map(x->s->as, va, pa, HAL_PAGE_SIZE, vm_page_prot(p, x->a->prot))) {
        page_remove(x->s, p);
        return -1;
    }
    x->mapped++;
    x->shared++;
    return 1;
}

static void fault_around(struct vm_space *s, struct vm_area *a, uint64_t va)
{
    uint64_t span = FAULT_AROUND_PAGES * HAL_PAGE_SIZE;
    uint64_t lo = va & ~(span - 1), hi = lo + span;
    const struct vm_file_ops *ops = a->file.ops;

    if (a->kind != VM_FILE || a->shared || !(ops->cached || ops->share_cached))
        return;
    if (lo < a->start)
        lo = a->start;
    if (hi > a->end || hi < lo)
        hi = a->end;
    if (hi > vm_page_down(a->file_end))
        hi = vm_page_down(a->file_end);
    if (lo >= hi)
        return;
    struct around x = {s, a, lo, (a->file_off + (lo - a->start)) / HAL_PAGE_SIZE, 0, 0};
    uint64_t n = (hi - lo) / HAL_PAGE_SIZE;
    /* the file's own pages; copies past the page cache's pin cap (or without share) */
    if ((!ops->share_cached || !ops->share_cached(a->file.obj, x.idx0, n, around_share, &x)) &&
        ops->cached)
        ops->cached(a->file.obj, x.idx0, n, around_map, &x);
    stat_add(&fault_stats.file, x.mapped);
    stat_add(&fault_stats.around, x.mapped);
    stat_add(&fault_stats.file_ro, x.shared);
}

/* Whether an area with prot allows access. Reads need PROT_READ (also for exec-only or
 * write-only areas: the hosted tables and the copy helpers agree on that). */
static bool access_ok(unsigned prot, unsigned access)
{
    return access != 0 && (prot & access) == access;
}

int vm_grow_down(struct vm_space *s, struct vm_area *a, uint64_t va, bool check_limit)
{
    struct vm_area *prev = vm_area_prev(a);

    if (va >= a->start)
        return 0;
    if (va < s->va_min || (check_limit && a->end - va > s->stack_limit))
        return -ENOMEM;
    if (prev && prev->end > va)
        return -ENOMEM;
    /* the gap is kept from accessible areas only, and not from another stack */
    if (prev && !prev->growsdown && prev->prot != VM_PROT_NONE &&
        va - prev->end < VM_GROWSDOWN_GAP)
        return -ENOMEM;
    if (vm_as_check(s, a->start - va, 0, 0))
        return -ENOMEM;
    a->start = va; /* still above prev: the tree's order holds (anonymous areas only) */
    return 0;
}

/* Grow the growing-down area just above addr down to addr's page, if there is one. */
static void grow_down(struct vm_space *s, uint64_t addr)
{
    struct vm_area *a = vm_area_next_after(s, addr);

    if (a && a->growsdown && a->start > addr)
        vm_grow_down(s, a, vm_page_down(addr), true);
}

/* around: a user read/exec fault, which maps cached neighbours too (fault_around). */
static int fault_locked(struct vm_space *s, uint64_t addr, unsigned access, bool around)
{
    struct vm_area *a = vm_area_find(s, addr);
    uint64_t va = vm_page_down(addr);
    struct vm_page *p;
    int rc;

    if (!a || !access_ok(a->prot, access))
        return -EFAULT;
    if ((p = page_find(s, va)))
        /* a write to the file's page in a private area copies it; else already there:
         * another thread faulted it in, or a spurious fault */
        return p->cow && (access & VM_PROT_WRITE) ? page_cow(s, a, p) : 0;
    rc = page_fill_map(s, a, va, access);
    if (rc == 0 && around && access != VM_PROT_WRITE)
        fault_around(s, a, va);
    return rc;
}

int vm_fault_locked(struct vm_space *s, uint64_t addr, unsigned access)
{
    return fault_locked(s, addr, access, false);
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
    int rc;

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
    uint64_t t0 = hal_clock_ns();
    mutex_lock(&s->lock);
    if (!vm_area_find(s, addr))
        grow_down(s, addr); /* user faults only: a kernel copy below the area is -EFAULT
                               (Linux 6.x, checked natively) */
    rc = fault_locked(s, addr, access, true);
    mutex_unlock(&s->lock);
    __atomic_add_fetch(&fault_stats.user_faults, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&fault_stats.user_ns, hal_clock_ns() - t0, __ATOMIC_RELAXED);
    return rc;
}
