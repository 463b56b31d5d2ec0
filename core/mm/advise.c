/*
 * advise.c - the calls that ask about or act on existing mappings: madvise, msync, mincore,
 * mlock/munlock/mlockall.
 *
 * Each call checks its arguments as Linux does (the order and the errno values were checked
 * against the host's kernel), then walks the areas of the range under the space's mutex:
 * first checking every area (so a refused call changes nothing), then acting. A hole in the
 * range is -ENOMEM for all of them, found before anything is done (Linux acts on the areas
 * before the hole, then fails: docs/memory.md).
 *
 * Every page Petrel maps is resident (there is no swap), so mlock only records the request
 * and faults the anonymous pages in, and mincore reports the pages this space has mapped.
 * MADV_FREE keeps the data: Linux frees such pages only under memory pressure, which Petrel
 * never reclaims for, so reading them back gives the old bytes there too.
 */
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/mm/uaccess.h"
#include "core/mm/vm_internal.h"
#include "hal/hal_errno.h"

/* [addr, addr + len) page-rounded into *end; -EINVAL for a misaligned addr or a wrap. */
static int range_end(uint64_t addr, uint64_t len, uint64_t *end)
{
    uint64_t l = vm_page_up(len);

    if (addr & VM_PAGE_MASK)
        return -EINVAL;
    if ((len && !l) || l > UINT64_MAX - addr)
        return -EINVAL;
    *end = addr + l;
    return 0;
}

/* --- madvise ------------------------------------------------------------------------------ */

static bool advice_known(int adv)
{
    return (adv >= LINUX_MADV_NORMAL && adv <= LINUX_MADV_DONTNEED) ||
           (adv >= LINUX_MADV_FREE && adv <= LINUX_MADV_DONTNEED_LOCKED);
}

/* Linux's refusals on its special mappings (checked natively): [vvar] (VM_PFNMAP|VM_IO) has
 * no pages to drop, populate, age or page out (DONTNEED, FREE, REMOVE, COLD, PAGEOUT,
 * POPULATE_*), and DOFORK refuses VM_IO; DODUMP refuses any VM_SPECIAL area ([vdso] too). */
static int special_advice(const struct vm_area *a, int adv)
{
    if (a->special == VM_SPECIAL_NONE)
        return 0;
    if (adv == LINUX_MADV_DODUMP)
        return -EINVAL;
    if (a->special != VM_SPECIAL_DATA)
        return 0;
    switch (adv) {
    case LINUX_MADV_DONTNEED:
    case LINUX_MADV_DONTNEED_LOCKED:
    case LINUX_MADV_FREE:
    case LINUX_MADV_REMOVE:
    case LINUX_MADV_COLD:
    case LINUX_MADV_PAGEOUT:
    case LINUX_MADV_POPULATE_READ:
    case LINUX_MADV_POPULATE_WRITE:
    case LINUX_MADV_DOFORK:
        return -EINVAL;
    default:
        return 0;
    }
}

/* May advice apply to area a? Linux's per-area refusals. */
static int advice_allowed(const struct vm_area *a, int adv)
{
    bool private_anon = !a->shared && (a->kind == VM_ANON || a->kind == VM_STACK);

    if (special_advice(a, adv))
        return -EINVAL;
    switch (adv) {
    case LINUX_MADV_DONTNEED:
        return a->locked ? -EINVAL : 0;
    case LINUX_MADV_FREE:
        return a->locked || !private_anon ? -EINVAL : 0;
    case LINUX_MADV_REMOVE:
        if (!a->shared)
            return -EINVAL;
        return (a->prot & VM_PROT_WRITE) ? 0 : -EACCES;
    case LINUX_MADV_POPULATE_READ:
        return (a->prot & VM_PROT_READ) ? 0 : -EINVAL;
    case LINUX_MADV_POPULATE_WRITE:
        return (a->prot & VM_PROT_WRITE) ? 0 : -EINVAL;
    default:
        return 0;
    }
}

/* Zero the present pages of [start, end) of a shared anonymous area (MADV_REMOVE). */
static void zero_present(struct vm_space *s, uint64_t start, uint64_t end)
{
    for (struct vm_page *p = vm_page_first_from(s, start); p && p->va < end; p = vm_page_next(p))
        memset(hal_phys_to_virt(p->pa), 0, HAL_PAGE_SIZE);
}

/* Act on [start, end) of area a. */
static int advise_area(struct vm_space *s, struct vm_area *a, uint64_t start, uint64_t end,
                       int adv)
{
    switch (adv) {
    case LINUX_MADV_DONTNEED:
    case LINUX_MADV_DONTNEED_LOCKED:
        /* private pages refill (zeros, the file's bytes); shared file pages are unpinned and
         * come back as the same data; shared anonymous data is the object's: kept */
        if (!(a->kind == VM_ANON && a->shared))
            vm_pages_free(s, a, start, end);
        return 0;
    case LINUX_MADV_REMOVE:
        if (a->kind == VM_ANON) {
            zero_present(s, start, end);
            return 0;
        }
        return a->file.ops->punch(a->file.obj, a->file_off + (start - a->start), end - start);
    case LINUX_MADV_POPULATE_READ:
    case LINUX_MADV_POPULATE_WRITE:
        for (uint64_t va = start; va < end; va += HAL_PAGE_SIZE) {
            int rc = vm_fault_locked(s, va,
                                     adv == LINUX_MADV_POPULATE_READ ? VM_PROT_READ : VM_PROT_WRITE);
            if (rc)
                return rc == -ENOMEM ? -ENOMEM : -EFAULT; /* past EOF: -EFAULT, as Linux */
        }
        return 0;
    default:
        return 0; /* hints: nothing to do when everything is resident */
    }
}

static int madvise_locked(struct vm_space *s, uint64_t start, uint64_t end, int adv)
{
    struct vm_area *a;
    int rc;

    if (!vm_range_covered(s, start, end))
        return -ENOMEM;
    for (a = vm_area_find(s, start); a && a->start < end; a = vm_area_next(a))
        if ((rc = advice_allowed(a, adv)))
            return rc;
    for (a = vm_area_find(s, start); a && a->start < end; a = vm_area_next(a)) {
        uint64_t lo = a->start > start ? a->start : start, hi = a->end < end ? a->end : end;

        if ((rc = advise_area(s, a, lo, hi, adv)))
            return rc;
    }
    return 0;
}

int vm_madvise(struct vm_space *s, uint64_t addr, uint64_t len, int advice)
{
    uint64_t end;
    int rc;

    if ((addr & VM_PAGE_MASK) || !advice_known(advice))
        return -EINVAL;
    if ((rc = range_end(addr, len, &end)))
        return rc;
    if (end == addr)
        return 0;
    mutex_lock(&s->lock);
    rc = madvise_locked(s, addr, end, advice);
    mutex_unlock(&s->lock);
    return rc;
}

/* --- msync --------------------------------------------------------------------------------- */

#define MS_KNOWN (LINUX_MS_ASYNC | LINUX_MS_INVALIDATE | LINUX_MS_SYNC)

static int msync_locked(struct vm_space *s, uint64_t start, uint64_t end, unsigned flags)
{
    struct vm_area *a;
    int rc = 0;

    for (a = vm_area_find(s, start); a && a->start < end; a = vm_area_next(a))
        if ((flags & LINUX_MS_INVALIDATE) && a->locked)
            return -EBUSY;
    if (!vm_range_covered(s, start, end))
        return -ENOMEM;
    if (!(flags & LINUX_MS_SYNC))
        return 0; /* MS_ASYNC: stores are already the page cache's, dirty (as Linux) */
    for (a = vm_area_find(s, start); a && a->start < end && rc == 0; a = vm_area_next(a))
        if (a->kind == VM_FILE && a->shared)
            rc = a->file.ops->sync(a->file.obj);
    return rc;
}

int vm_msync(struct vm_space *s, uint64_t addr, uint64_t len, unsigned flags)
{
    uint64_t l = vm_page_up(len);
    int rc;

    if ((flags & ~MS_KNOWN) || (addr & VM_PAGE_MASK))
        return -EINVAL;
    if ((flags & LINUX_MS_ASYNC) && (flags & LINUX_MS_SYNC))
        return -EINVAL;
    if ((len && !l) || l > UINT64_MAX - addr)
        return -ENOMEM;
    if (l == 0)
        return 0;
    mutex_lock(&s->lock);
    rc = msync_locked(s, addr, addr + l, flags);
    mutex_unlock(&s->lock);
    return rc;
}

/* --- mincore ------------------------------------------------------------------------------- */

#define MINCORE_CHUNK 512u /* pages per pass: the vector is copied out with the lock dropped */

/* Residency of n pages from va into v: -ENOMEM at a hole. */
static int mincore_chunk(struct vm_space *s, uint64_t va, size_t n, uint8_t *v)
{
    int rc = 0;

    mutex_lock(&s->lock);
    for (size_t i = 0; i < n && rc == 0; i++) {
        uint64_t at = va + i * HAL_PAGE_SIZE;

        if (!vm_area_find(s, at))
            rc = -ENOMEM;
        else
            v[i] = vm_page_find(s, at) != NULL;
    }
    mutex_unlock(&s->lock);
    return rc;
}

int vm_mincore(struct vm_space *s, uint64_t addr, uint64_t len, struct uptr vec)
{
    uint64_t pages, done = 0;
    uint8_t *v;
    int rc = 0;

    if (addr & VM_PAGE_MASK)
        return -EINVAL;
    if (addr >= s->va_max || len > s->va_max - addr)
        return -ENOMEM;
    pages = (len + VM_PAGE_MASK) / HAL_PAGE_SIZE;
    if (vec.addr >= s->va_max || pages > s->va_max - vec.addr)
        return -EFAULT; /* Linux's access_ok: below the top of user space; NULL fails later */
    if (pages == 0)
        return 0;
    if (!(v = kmalloc(MINCORE_CHUNK)))
        return -ENOMEM;
    while (done < pages && rc == 0) {
        size_t n = pages - done < MINCORE_CHUNK ? (size_t)(pages - done) : MINCORE_CHUNK;

        rc = mincore_chunk(s, addr + done * HAL_PAGE_SIZE, n, v);
        if (rc == 0 && copy_to_user(uptr_add(vec, done), v, n))
            rc = -EFAULT;
        done += n;
    }
    kfree(v);
    return rc;
}

/* --- mlock --------------------------------------------------------------------------------- */

/* Record the lock bit on every area of [start, end) (split at the edges, as Linux's
 * VM_LOCKED areas are) and fault in the readable private pages of a new lock. */
static int lock_locked(struct vm_space *s, uint64_t start, uint64_t end, bool on)
{
    struct vm_area *a;

    if (!vm_range_covered(s, start, end))
        return -ENOMEM;
    a = vm_area_find(s, start);
    if (a->start < start && !vm_area_split(s, a, start))
        return -ENOMEM;
    a = vm_area_find(s, end - 1);
    if (a->end > end && !vm_area_split(s, a, end))
        return -ENOMEM;
    for (a = vm_area_find(s, start); a && a->start < end; a = vm_area_next(a)) {
        a->locked = on && a->special == VM_SPECIAL_NONE; /* Linux skips VM_SPECIAL areas */
        if (!on || !(a->prot & VM_PROT_READ) || (a->kind != VM_ANON && a->kind != VM_STACK))
            continue;
        for (uint64_t va = a->start; va < a->end; va += HAL_PAGE_SIZE)
            if (vm_fault_locked(s, va, VM_PROT_READ) == -ENOMEM)
                return -ENOMEM;
    }
    return 0;
}

int vm_mlock(struct vm_space *s, uint64_t addr, uint64_t len, bool on)
{
    uint64_t start = vm_page_down(addr), l = vm_page_up(len + (addr - start));
    int rc;

    if (len > UINT64_MAX - (addr - start) || (len && !l) || l > UINT64_MAX - start)
        return -ENOMEM;
    if (l == 0)
        return 0;
    mutex_lock(&s->lock);
    rc = lock_locked(s, start, start + l, on);
    mutex_unlock(&s->lock);
    return rc;
}

int vm_mlockall(struct vm_space *s, unsigned flags, bool on)
{
    if (on) {
        if (!flags || (flags & ~(LINUX_MCL_CURRENT | LINUX_MCL_FUTURE | LINUX_MCL_ONFAULT)) ||
            flags == LINUX_MCL_ONFAULT)
            return -EINVAL;
        if (!(flags & LINUX_MCL_CURRENT))
            return 0; /* MCL_FUTURE: every future page is resident anyway */
    }
    mutex_lock(&s->lock);
    for (struct rb_node *n = rb_first(&s->areas); n; n = rb_next(n)) {
        struct vm_area *a = rb_entry(n, struct vm_area, node);

        a->locked = on && a->special == VM_SPECIAL_NONE;
    }
    mutex_unlock(&s->lock);
    return 0;
}
