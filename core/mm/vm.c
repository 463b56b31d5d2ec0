/*
 * vm.c - address spaces and the Linux memory calls: mmap, munmap, mprotect, brk.
 *
 * Placement follows Linux's top-down layout: without MAP_FIXED a free hint is honoured,
 * otherwise the highest gap below mmap_base that fits is used (then any gap at all). The
 * argument checks follow Linux's order and errno choices (docs/memory.md has the table).
 * MAP_SHARED anonymous memory is an ordinary anonymous area marked shared (one process, no
 * fork: only madvise can tell, and it follows Linux there); MAP_SHARED files map the file's
 * page-cache pages (fault.c). A deliberate difference, documented there: mprotect checks
 * the whole range before changing anything (Linux changes the areas before a hole, then
 * fails).
 */
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/lib/log.h"
#include "core/mm/vm_internal.h"
#include "hal/hal_errno.h"
#include "hal/hal_rand.h"

#define VM_PROT_KNOWN (VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC | VM_PROT_SEM)
#define VM_PROT_RWX (VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC)
#define VM_MAP_KNOWN                                                                               \
    (VM_MAP_TYPE | VM_MAP_FIXED | VM_MAP_ANONYMOUS | VM_MAP_32BIT | VM_MAP_GROWSDOWN |             \
     VM_MAP_DENYWRITE | VM_MAP_EXECUTABLE | VM_MAP_LOCKED | VM_MAP_NORESERVE | VM_MAP_POPULATE |   \
     VM_MAP_NONBLOCK | VM_MAP_STACK | VM_MAP_HUGETLB | VM_MAP_SYNC | VM_MAP_FIXED_NOREPLACE)

static struct vm_space *vm_active[SCHED_MAX_CPUS]; /* written by vm_activate on that CPU */

uint64_t vm_aslr_offset(struct vm_space *s, uint64_t range)
{
    uint64_t r;

    if (range < HAL_PAGE_SIZE || (s->flags & VM_SPACE_NOASLR))
        return 0;
    hal_entropy(&r, sizeof(r));
    return (r % (range / HAL_PAGE_SIZE)) * HAL_PAGE_SIZE;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static struct vm_area *area_new(uint64_t start, uint64_t end, unsigned prot, enum vm_kind k)
{
    struct vm_area *a = kzalloc(sizeof(*a));

    if (a) {
        a->start = start;
        a->end = end;
        a->prot = prot;
        a->kind = k;
        a->maywrite = true; /* only shared mappings of read-only files lack it */
    }
    return a;
}

/* The gap Linux's mmap_base leaves between the top of the space and the mmap base: the
 * stack limit plus the guard gap and the stack's random range (unless that overflows),
 * clamped to [VM_MMAP_GAP_MIN, 5/6 of the space]. */
static uint64_t mmap_gap(uint64_t span, uint64_t stack_limit, uint64_t stack_rnd)
{
    uint64_t gap = stack_limit, pad = stack_rnd + VM_GROWSDOWN_GAP;

    if (gap + pad > gap)
        gap += pad;
    if (gap < VM_MMAP_GAP_MIN)
        return VM_MMAP_GAP_MIN;
    return gap > span / 6 * 5 ? span / 6 * 5 : gap;
}

/* The stack at a randomised top (up to 1/64 of the space, at most 16 GiB below the end), a
 * growing-down area of its first VM_STACK_EXPAND bytes (fewer under a smaller limit), and
 * mmap_base mmap_gap() below the end of the space, minus a random up to 1/64 of the space (at
 * most 64 GiB). Without ASLR the stack ends at the top of user space and both random parts
 * are 0, as Linux without PF_RANDOMIZE. */
static int space_layout(struct vm_space *s)
{
    uint64_t span = s->va_max - s->va_min;
    uint64_t rnd = (s->flags & VM_SPACE_NOASLR) ? 0 : min_u64(span / 64, 16ULL << 30);
    uint64_t top = s->va_max - vm_aslr_offset(s, rnd);
    uint64_t size = vm_page_down(min_u64(s->stack_limit, VM_STACK_EXPAND));
    struct vm_area *stack;

    if (span < 2 * VM_MMAP_GAP_MIN)
        return -ENOMEM;
    stack = area_new(top - (size ? size : HAL_PAGE_SIZE), top, VM_PROT_READ | VM_PROT_WRITE,
                     VM_STACK);
    if (!stack)
        return -ENOMEM;
    stack->growsdown = true;
    vm_area_insert(s, stack);
    s->stack_top = top;
    s->mmap_base = s->va_max - mmap_gap(span, s->stack_limit, rnd);
    s->mmap_base -= vm_aslr_offset(s, min_u64(span / 64, 64ULL << 30));
    return 0;
}

int vm_space_create(struct vm_space **out)
{
    return vm_space_create_limit(out, 0, VM_STACK_SIZE);
}

int vm_space_create_flags(struct vm_space **out, unsigned flags)
{
    return vm_space_create_limit(out, flags, VM_STACK_SIZE);
}

int vm_space_create_limit(struct vm_space **out, unsigned flags, uint64_t stack_limit)
{
    struct vm_space *s = kzalloc(sizeof(*s));

    if (!s)
        return -ENOMEM;
    s->flags = flags;
    s->as_limit = UINT64_MAX;
    s->stack_limit = stack_limit;
    mutex_init(&s->lock, "vm_space");
    rb_init(&s->areas);
    rb_init(&s->pages);
    s->va_min = vm_page_up(hal_user_va_min());
    s->va_max = vm_page_down(hal_user_va_max());
    if (s->va_min < HAL_PAGE_SIZE)
        s->va_min = HAL_PAGE_SIZE; /* page 0 is never mapped: 0 means "no address" below */
    if (s->va_max <= s->va_min || hal_as_create(&s->as)) {
        kfree(s);
        return -ENOMEM;
    }
    if (space_layout(s)) {
        hal_as_destroy(s->as);
        kfree(s);
        return -ENOMEM;
    }
    *out = s;
    return 0;
}

void vm_space_destroy(struct vm_space *s)
{
    struct rb_node *n;

    if (!s)
        return;
    if (vm_current() == s)
        vm_activate(NULL);
    mutex_lock(&s->lock);
    while ((n = rb_first(&s->areas)))
        vm_area_free(s, rb_entry(n, struct vm_area, node));
    KASSERT(s->nr_pages == 0);
    mutex_unlock(&s->lock);
    hal_as_destroy(s->as);
    kfree(s);
}

void vm_activate(struct vm_space *s)
{
    vm_active[hal_cpu_id()] = s;
    hal_as_activate(s ? s->as : NULL);
}

struct vm_space *vm_current(void)
{
    return vm_active[hal_cpu_id()];
}

/* Where placement must stop below area a: MAP_GROWSDOWN areas keep their guard gap free
 * (Linux's vm_start_gap). */
static uint64_t area_start_gap(const struct vm_area *a)
{
    if (!a->growsdown)
        return a->start;
    return a->start >= VM_GROWSDOWN_GAP ? a->start - VM_GROWSDOWN_GAP : 0;
}

/* The highest gap of len bytes inside [floor, top): true and its address in *out. */
static bool gap_top_down(struct vm_space *s, uint64_t len, uint64_t floor, uint64_t top,
                         uint64_t *out)
{
    struct vm_area *a = vm_area_next_after(s, top - 1); /* first area ending at/above top */
    struct rb_node *last = rb_last(&s->areas);

    if (!a)
        a = last ? rb_entry(last, struct vm_area, node) : NULL;
    else if (a->start >= top)
        a = vm_area_prev(a);
    for (;;) { /* a: the highest area starting below top, or NULL */
        uint64_t lo = a && a->end > floor ? a->end : floor;

        if (top >= lo && top - lo >= len) {
            *out = top - len;
            return true;
        }
        if (!a || a->start <= floor)
            return false;
        top = min_u64(top, area_start_gap(a));
        a = vm_area_prev(a);
    }
}

/* Where a non-fixed mapping of len bytes goes: the hint if free, else top-down. gap: room
 * to leave free below it (a MAP_GROWSDOWN mapping's guard gap, as Linux's start_gap). */
static uint64_t place_gap(struct vm_space *s, uint64_t hint, uint64_t len, uint64_t gap)
{
    uint64_t addr;

    hint = vm_page_up(hint);
    if (hint >= s->va_min && hint < s->va_max && len <= s->va_max - hint &&
        vm_range_free(s, hint, hint + len))
        return hint;
    if (len > UINT64_MAX - gap)
        return 0;
    if (gap_top_down(s, len + gap, s->va_min, s->mmap_base, &addr) ||
        gap_top_down(s, len + gap, s->va_min, s->va_max, &addr))
        return addr + gap;
    return 0;
}

static uint64_t place(struct vm_space *s, uint64_t hint, uint64_t len)
{
    return place_gap(s, hint, len, 0);
}

bool vm_place(struct vm_space *s, uint64_t len, uint64_t *out)
{
    return (*out = place(s, 0, len)) != 0;
}

/* exec_protection: may a mapping of kind (file: its source) have prot? */
static bool exec_allowed(const struct vm_space *s, unsigned prot, enum vm_kind kind,
                         const struct vm_file *file)
{
    if (!(s->flags & VM_SPACE_EXEC_PROTECT) || !(prot & VM_PROT_EXEC))
        return true;
    if (prot & VM_PROT_WRITE)
        return false;
    return kind == VM_FILE && file->ops && file->ops->executable &&
           file->ops->executable(file->obj);
}

/* Check a fixed range against the user half: -EINVAL, -EPERM or -ENOMEM as Linux. */
static int fixed_range_check(struct vm_space *s, uint64_t addr, uint64_t len)
{
    if (addr & VM_PAGE_MASK)
        return -EINVAL;
    if (len > s->va_max || addr > s->va_max - len)
        return -ENOMEM;
    if (addr < s->va_min)
        return -EPERM;
    return 0;
}

void vm_set_as_limit(struct vm_space *s, uint64_t bytes)
{
    mutex_lock(&s->lock);
    s->as_limit = bytes;
    mutex_unlock(&s->lock);
}

void vm_set_stack_limit(struct vm_space *s, uint64_t bytes)
{
    mutex_lock(&s->lock);
    s->stack_limit = bytes;
    mutex_unlock(&s->lock);
}

int vm_stack_setup(struct vm_space *s, uint64_t bytes)
{
    uint64_t size, want;
    struct vm_area *a;
    int rc = 0; /* no stack area (unmapped by a test): the copies fail with -EFAULT */

    if (bytes > s->stack_top - s->va_min)
        return -ENOMEM;
    size = vm_page_up(bytes);
    want = min_u64(vm_page_down(s->stack_limit), size + VM_STACK_EXPAND);
    want = want > size ? want : size;
    if (want > s->stack_top - s->va_min)
        want = s->stack_top - s->va_min;
    mutex_lock(&s->lock);
    a = vm_area_find(s, s->stack_top - 1);
    if (a && a->kind == VM_STACK && a->growsdown)
        rc = vm_grow_down(s, a, s->stack_top - want, false);
    mutex_unlock(&s->lock);
    return rc;
}

int vm_as_check(struct vm_space *s, uint64_t add, uint64_t reuse_start, uint64_t reuse_end)
{
    uint64_t total = 0, reuse = 0;

    if (s->as_limit == UINT64_MAX)
        return 0;
    for (struct vm_area *a = vm_area_next_after(s, 0); a; a = vm_area_next(a)) {
        uint64_t lo = a->start > reuse_start ? a->start : reuse_start;
        uint64_t hi = a->end < reuse_end ? a->end : reuse_end;

        total += a->end - a->start;
        reuse += lo < hi ? hi - lo : 0;
    }
    /* Linux compares pages: total_vm + npages > limit >> PAGE_SHIFT */
    return total - reuse + add > vm_page_down(s->as_limit) ? -ENOMEM : 0;
}

static int map_locked(struct vm_space *s, const struct vm_map_req *req, uint64_t len, uint64_t *out)
{
    uint64_t addr = req->addr;
    struct vm_area *a;
    int rc;

    if (req->fixed) {
        if ((rc = fixed_range_check(s, addr, len)))
            return rc;
        if (req->noreplace && !vm_range_free(s, addr, addr + len))
            return -EEXIST;
    } else if (!(addr = place_gap(s, addr, len, req->growsdown ? VM_GROWSDOWN_GAP : 0))) {
        return -ENOMEM;
    }
    if ((rc = vm_as_check(s, len, req->fixed ? addr : 0, req->fixed ? addr + len : 0)))
        return rc;
    a = area_new(addr, addr + len, req->prot & VM_PROT_RWX, req->kind);
    if (!a)
        return -ENOMEM;
    a->shared = req->shared;
    a->maywrite = req->kind != VM_FILE || !req->shared || req->maywrite;
    a->growsdown = req->growsdown && req->kind == VM_ANON;
    a->locked = req->locked && req->special == VM_SPECIAL_NONE;
    a->special = req->special;
    if (a->kind == VM_ANON && a->shared)
        a->shm_size = len;
    if (req->kind == VM_FILE) {
        /* Take the reference before unmapping: the area being replaced may hold the last
         * one (e.g. MADV_DONTNEED re-mapping an area in place). */
        a->file = req->file;
        a->file_off = req->file_off;
        a->file_end = req->file_bytes > UINT64_MAX - addr ? UINT64_MAX : addr + req->file_bytes;
        vm_area_file_get(a);
    }
    if (req->fixed && (rc = vm_unmap_range(s, addr, addr + len))) {
        if (a->kind == VM_FILE)
            vm_area_file_put(a);
        kfree(a);
        return rc;
    }
    vm_area_insert(s, a);
    *out = addr;
    return 0;
}

int vm_map(struct vm_space *s, const struct vm_map_req *req, uint64_t *out)
{
    uint64_t len = vm_page_up(req->len);
    int rc;

    if (req->len == 0 || (req->file_off & VM_PAGE_MASK))
        return -EINVAL;
    if (len == 0)
        return -ENOMEM;
    if (req->kind == VM_FILE && (!req->file.ops || req->file_off > UINT64_MAX - len))
        return req->file.ops ? -EOVERFLOW : -EINVAL;
    if (!exec_allowed(s, req->prot, req->kind, &req->file))
        return -EACCES;
    mutex_lock(&s->lock);
    rc = map_locked(s, req, len, out);
    mutex_unlock(&s->lock);
    return rc;
}

/* Linux's checks of the map type and flags; fills the kind into req. */
static int mmap_flags(unsigned flags, struct vfs_file *file, struct vm_map_req *req)
{
    unsigned type = flags & VM_MAP_TYPE;

    if (type != VM_MAP_SHARED && type != VM_MAP_PRIVATE && type != VM_MAP_SHARED_VALIDATE)
        return -EINVAL;
    if (type == VM_MAP_SHARED_VALIDATE && (flags & ~VM_MAP_KNOWN))
        return -EOPNOTSUPP;
    req->shared = type != VM_MAP_PRIVATE;
    req->locked = (flags & VM_MAP_LOCKED) != 0;
    req->growsdown = (flags & VM_MAP_GROWSDOWN) != 0;
    if (flags & VM_MAP_ANONYMOUS) {
        /* Linux's anonymous checks: no MAP_SHARED_VALIDATE, no shared stacks */
        if (type == VM_MAP_SHARED_VALIDATE || (req->shared && req->growsdown))
            return -EINVAL;
        req->kind = VM_ANON;
        return 0;
    }
    if (!file)
        return -EBADF;
    if (req->growsdown)
        return -EINVAL; /* file mappings never grow (checked natively) */
    if ((flags & VM_MAP_SYNC) && type != VM_MAP_SHARED)
        return -EOPNOTSUPP; /* no DAX; plain MAP_SHARED drops the flag (checked natively) */
    req->kind = VM_FILE;
    req->file = vm_file_from_vfs(file);
    req->file_bytes = UINT64_MAX;
    return 0;
}

/* Linux's file checks, in its order: a shared writable mapping needs a file open for
 * writing (O_APPEND is fine: checked natively), every mapping one open for reading, then a
 * mappable kind. */
static int mmap_file_checks(const struct vm_map_req *req, struct vfs_file *file)
{
    if (req->shared && (req->prot & VM_PROT_WRITE) && !vm_file_writable(file))
        return -EACCES;
    if (!vm_file_readable(file))
        return -EACCES;
    if (req->shared && !vm_file_shareable(file))
        return -ENODEV;
    return 0;
}

int vm_mmap(struct vm_space *s, uint64_t addr, uint64_t len, unsigned prot, unsigned flags,
            struct vfs_file *file, uint64_t off, uint64_t *out)
{
    struct vm_map_req req;
    int rc;

    memset(&req, 0, sizeof(req));
    if (off & VM_PAGE_MASK)
        return -EINVAL;
    if (len == 0)
        return -EINVAL;
    if (!vm_page_up(len) || vm_page_up(len) > s->va_max - s->va_min)
        return -ENOMEM;
    if ((rc = mmap_flags(flags, file, &req)))
        return rc;
    req.prot = prot;
    if (req.kind == VM_FILE) {
        if (off > UINT64_MAX - vm_page_up(len))
            return -EOVERFLOW;
        if ((rc = mmap_file_checks(&req, file)))
            return rc;
        req.file_off = off;
        req.maywrite = req.shared && vm_file_writable(file);
    }
    req.addr = addr;
    req.len = len;
    req.fixed = (flags & (VM_MAP_FIXED | VM_MAP_FIXED_NOREPLACE)) != 0;
    req.noreplace = (flags & VM_MAP_FIXED_NOREPLACE) != 0;
    return vm_map(s, &req, out);
}

int vm_munmap(struct vm_space *s, uint64_t addr, uint64_t len)
{
    uint64_t end;
    int rc;

    if ((addr & VM_PAGE_MASK) || len == 0)
        return -EINVAL;
    end = vm_page_up(len);
    if (!end || addr < s->va_min || addr >= s->va_max || end > s->va_max - addr)
        return -EINVAL;
    end += addr;
    mutex_lock(&s->lock);
    rc = vm_unmap_range(s, addr, end);
    mutex_unlock(&s->lock);
    return rc;
}

/* Is every page of [start, end) inside some area? */
bool vm_range_covered(struct vm_space *s, uint64_t start, uint64_t end)
{
    struct vm_area *a = vm_area_find(s, start);

    while (a && a->end < end) {
        struct vm_area *n = vm_area_next(a);

        if (!n || n->start != a->end)
            return false;
        a = n;
    }
    return a != NULL;
}

/* May every area of [start, end) take prot? (-EACCES: writing a shared mapping of a file
 * not open for writing; executing the vDSO's data page, which Linux maps without
 * VM_MAYEXEC; exec_protection.) */
static int protect_allowed(struct vm_space *s, uint64_t start, uint64_t end, unsigned prot)
{
    for (struct vm_area *a = vm_area_find(s, start); a && a->start < end; a = vm_area_next(a))
        if (((prot & VM_PROT_WRITE) && !a->maywrite) ||
            ((prot & VM_PROT_EXEC) && a->special == VM_SPECIAL_DATA) ||
            !exec_allowed(s, prot, a->kind, &a->file))
            return -EACCES;
    return 0;
}

static int protect_locked(struct vm_space *s, uint64_t start, uint64_t end, unsigned prot)
{
    struct vm_area *a;
    int rc;

    if (!vm_range_covered(s, start, end))
        return -ENOMEM;
    if ((rc = protect_allowed(s, start, end, prot)))
        return rc;
    a = vm_area_find(s, start);
    if (a->start < start && !vm_area_split(s, a, start))
        return -ENOMEM;
    a = vm_area_find(s, end - 1);
    if (a->end > end && !vm_area_split(s, a, end))
        return -ENOMEM;
    for (a = vm_area_find(s, start); a && a->start < end; a = vm_area_next(a)) {
        if (a->kind == VM_FILE && a->shared)
            vm_pages_set_writer(s, a, (prot & VM_PROT_WRITE) != 0);
        a->prot = prot;
    }
    vm_pages_protect(s, start, end, prot);
    return 0;
}

int vm_mprotect(struct vm_space *s, uint64_t addr, uint64_t len, unsigned prot)
{
    uint64_t end;
    int rc;

    if ((addr & VM_PAGE_MASK) || (prot & ~(VM_PROT_KNOWN | VM_PROT_GROWSDOWN | VM_PROT_GROWSUP)))
        return -EINVAL;
    if ((prot & VM_PROT_GROWSDOWN) && (prot & VM_PROT_GROWSUP))
        return -EINVAL;
    if (len == 0)
        return 0;
    end = vm_page_up(len);
    if (!end || end > UINT64_MAX - addr || addr + end > s->va_max || addr < s->va_min)
        return -ENOMEM;
    mutex_lock(&s->lock);
    rc = protect_locked(s, addr, addr + end, prot & VM_PROT_RWX);
    mutex_unlock(&s->lock);
    return rc;
}

void vm_brk_init(struct vm_space *s, uint64_t start)
{
    mutex_lock(&s->lock);
    s->brk_start = s->brk = vm_page_up(start);
    mutex_unlock(&s->lock);
}

/* Grow the heap's mapped pages from old_end to new_end (page aligned, old_end < new_end). */
static int brk_grow(struct vm_space *s, uint64_t old_end, uint64_t new_end)
{
    struct vm_area *prev = old_end > s->brk_start ? vm_area_find(s, old_end - 1) : NULL;
    struct vm_area *a;

    if (new_end > s->va_max || !vm_range_free(s, old_end, new_end) ||
        vm_as_check(s, new_end - old_end, 0, 0))
        return -ENOMEM;
    if (prev && prev->kind == VM_ANON && prev->end == old_end &&
        prev->prot == (VM_PROT_READ | VM_PROT_WRITE)) {
        prev->end = new_end; /* the usual case: extend the heap area */
        return 0;
    }
    a = area_new(old_end, new_end, VM_PROT_READ | VM_PROT_WRITE, VM_ANON);
    if (!a)
        return -ENOMEM;
    vm_area_insert(s, a);
    return 0;
}

uint64_t vm_brk(struct vm_space *s, uint64_t newbrk)
{
    uint64_t old_end, new_end, cur;

    mutex_lock(&s->lock);
    cur = s->brk;
    if (!s->brk_start || newbrk < s->brk_start || newbrk > s->va_max)
        goto out;
    old_end = vm_page_up(s->brk);
    new_end = vm_page_up(newbrk);
    if (new_end > old_end && brk_grow(s, old_end, new_end))
        goto out;
    if (new_end < old_end && vm_unmap_range(s, new_end, old_end))
        goto out;
    s->brk = cur = newbrk;
out:
    mutex_unlock(&s->lock);
    return cur;
}

int vm_area_query(struct vm_space *s, uint64_t addr, struct vm_area *out)
{
    struct vm_area *a;

    mutex_lock(&s->lock);
    a = vm_area_find(s, addr);
    if (a) {
        *out = *a;
        memset(&out->node, 0, sizeof(out->node));
    }
    mutex_unlock(&s->lock);
    return a ? 0 : -ENOENT;
}

size_t vm_user_room(struct vm_space *s, uint64_t addr, size_t n, unsigned prot)
{
    uint64_t a = addr, end = addr + n;
    struct vm_area *area;

    if (end < addr)
        end = UINT64_MAX;
    mutex_lock(&s->lock);
    while (a < end && (area = vm_area_find(s, a)) && (area->prot & prot) == prot)
        a = area->end;
    mutex_unlock(&s->lock);
    return a >= end ? n : (size_t)(a - addr);
}

int vm_area_query_from(struct vm_space *s, uint64_t addr, struct vm_area *out)
{
    struct vm_area *a;

    mutex_lock(&s->lock);
    a = vm_area_next_after(s, addr);
    if (a) {
        *out = *a;
        memset(&out->node, 0, sizeof(out->node));
    }
    mutex_unlock(&s->lock);
    return a ? 0 : -ENOENT;
}

size_t vm_area_count(struct vm_space *s)
{
    size_t n;

    mutex_lock(&s->lock);
    n = s->areas.count;
    mutex_unlock(&s->lock);
    return n;
}
