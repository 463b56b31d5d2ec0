/*
 * uas.c - hosted user address spaces and the user-copy helpers.
 *
 * The process reserves one PROT_NONE arena of HOSTED_USER_SIZE bytes at HOSTED_USER_BASE.
 * Each struct hal_as is a two-level table (512 x 512 page entries: pa | prot | present) that
 * plays the page table; the arena shows the active one: hal_as_activate() re-creates its
 * mappings by aliasing the RAM memfd into the arena with mmap(MAP_SHARED|MAP_FIXED), and
 * map/unmap/protect on the active space update the arena at once. A user virtual address is
 * therefore also a pointer in this process, so tests playing the application read and
 * write user memory directly.
 *
 * The copy helpers never touch the arena before the table allowed the access: they check
 * every page of the range (present and readable/writable) and return -EFAULT otherwise. No
 * SIGSEGV handler is involved (CMocka owns it). hal_user_load32/cmpxchg32 check the same way
 * and then make one host atomic access.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "hal/hal_mem.h"
#include "hal/hal_user.h"
#include "hal_hosted/hosted_internal.h"

#define UAS_LEAF_PAGES 512u
#define UAS_NLEAVES (HOSTED_USER_SIZE / HAL_PAGE_SIZE / UAS_LEAF_PAGES)
#define UAS_PRESENT 0x8u
#define UAS_PROT_MASK 0x7u

struct hal_as {
    uint64_t *leaf[UAS_NLEAVES]; /* NULL: 2 MiB with nothing mapped */
    struct hal_as *next;         /* every address space, freed at teardown */
};

static bool uas_ready;
static struct hal_as *uas_active;
static struct hal_as *uas_all;

uint64_t hal_user_va_min(void)
{
    return HOSTED_USER_BASE;
}

uint64_t hal_user_va_max(void)
{
    return HOSTED_USER_BASE + HOSTED_USER_SIZE;
}

static int arena_reserve(uint64_t va, uint64_t len)
{
    void *p = mmap((void *)va, len, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);

    return p == MAP_FAILED ? -ENOMEM : 0;
}

int hosted_user_setup(void)
{
    void *p = mmap((void *)HOSTED_USER_BASE, HOSTED_USER_SIZE, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);

    if (p == MAP_FAILED)
        return -errno;
    if (p != (void *)HOSTED_USER_BASE) { /* kernel too old for NOREPLACE: it was a hint */
        munmap(p, HOSTED_USER_SIZE);
        return -EEXIST;
    }
    uas_ready = true;
    return 0;
}

static void as_free(struct hal_as *as)
{
    for (unsigned i = 0; i < UAS_NLEAVES; i++)
        free(as->leaf[i]);
    free(as);
}

void hosted_user_teardown(void)
{
    while (uas_all) {
        struct hal_as *as = uas_all;

        uas_all = as->next;
        as_free(as);
    }
    uas_active = NULL;
    if (uas_ready)
        munmap((void *)HOSTED_USER_BASE, HOSTED_USER_SIZE);
    uas_ready = false;
}

int hal_as_create(struct hal_as **out)
{
    struct hal_as *as = calloc(1, sizeof(*as));

    if (!as)
        return -ENOMEM;
    as->next = uas_all;
    uas_all = as;
    *out = as;
    return 0;
}

void hal_as_destroy(struct hal_as *as)
{
    struct hal_as **pp;

    if (!as)
        return;
    if (as == uas_active)
        hal_as_activate(NULL);
    for (pp = &uas_all; *pp; pp = &(*pp)->next) {
        if (*pp == as) {
            *pp = as->next;
            break;
        }
    }
    as_free(as);
}

/* The entry for va, or NULL when its leaf does not exist (and create is false). */
static uint64_t *as_pte(struct hal_as *as, uint64_t va, bool create)
{
    uint64_t page = (va - HOSTED_USER_BASE) / HAL_PAGE_SIZE;
    uint64_t **leaf = &as->leaf[page / UAS_LEAF_PAGES];

    if (!*leaf && create)
        *leaf = calloc(UAS_LEAF_PAGES, sizeof(uint64_t));
    return *leaf ? &(*leaf)[page % UAS_LEAF_PAGES] : NULL;
}

static uint64_t as_get(struct hal_as *as, uint64_t va)
{
    uint64_t *pte = as_pte(as, va, false);

    return pte ? *pte : 0;
}

static int host_prot(unsigned prot)
{
    int p = 0;

    if (prot & (HAL_PROT_READ | HAL_PROT_WRITE | HAL_PROT_EXEC))
        p |= PROT_READ; /* x86 pages cannot be write- or exec-only */
    if (prot & HAL_PROT_WRITE)
        p |= PROT_WRITE;
    return p; /* never PROT_EXEC: hosted mode runs no user code (DESIGN §4) */
}

/* Make the arena show as's view of [va, va+len): runs of pages that continue each other in
 * RAM with the same prot become one mmap. */
static int as_sync(struct hal_as *as, uint64_t va, uint64_t len)
{
    uint64_t end = va + len;

    while (va < end) {
        uint64_t e = as_get(as, va), run = HAL_PAGE_SIZE;
        void *p;

        while (va + run < end) {
            uint64_t n = as_get(as, va + run);

            if ((e & UAS_PRESENT) ? n != e + run : (n & UAS_PRESENT))
                break;
            run += HAL_PAGE_SIZE;
        }
        if (!(e & UAS_PRESENT) || !(e & UAS_PROT_MASK)) {
            if (arena_reserve(va, run))
                return -ENOMEM;
        } else {
            uint64_t pa = e & ~(HAL_PAGE_SIZE - 1);

            p = mmap((void *)va, run, host_prot(e & UAS_PROT_MASK), MAP_SHARED | MAP_FIXED,
                     hosted_ram_fd(), (off_t)(pa - HOSTED_PHYS_BASE));
            if (p == MAP_FAILED)
                return -ENOMEM;
        }
        va += run;
    }
    return 0;
}

static bool range_ok(uint64_t va, uint64_t len)
{
    if ((va | len) & (HAL_PAGE_SIZE - 1) || len == 0)
        return false;
    return va >= hal_user_va_min() && len <= HOSTED_USER_SIZE &&
           va - hal_user_va_min() <= HOSTED_USER_SIZE - len;
}

int hal_as_map(struct hal_as *as, uint64_t va, uint64_t pa, uint64_t len, unsigned prot)
{
    if (!range_ok(va, len) || (pa & (HAL_PAGE_SIZE - 1)) || !hosted_ram_phys_ok(pa, len) ||
        (prot & ~UAS_PROT_MASK))
        return -EINVAL;
    for (uint64_t off = 0; off < len; off += HAL_PAGE_SIZE) {
        if (!as_pte(as, va + off, true))
            return -ENOMEM; /* pages mapped so far stay mapped, as a partial map may */
    }
    for (uint64_t off = 0; off < len; off += HAL_PAGE_SIZE)
        *as_pte(as, va + off, false) = (pa + off) | prot | UAS_PRESENT;
    return as == uas_active ? as_sync(as, va, len) : 0;
}

int hal_as_unmap(struct hal_as *as, uint64_t va, uint64_t len)
{
    if (!range_ok(va, len))
        return -EINVAL;
    for (uint64_t off = 0; off < len; off += HAL_PAGE_SIZE) {
        uint64_t *pte = as_pte(as, va + off, false);

        if (pte)
            *pte = 0;
    }
    return as == uas_active ? as_sync(as, va, len) : 0;
}

int hal_as_protect(struct hal_as *as, uint64_t va, uint64_t len, unsigned prot)
{
    if (!range_ok(va, len) || (prot & ~UAS_PROT_MASK))
        return -EINVAL;
    for (uint64_t off = 0; off < len; off += HAL_PAGE_SIZE) {
        uint64_t *pte = as_pte(as, va + off, false);

        if (pte && (*pte & UAS_PRESENT))
            *pte = (*pte & ~(uint64_t)UAS_PROT_MASK) | prot;
    }
    return as == uas_active ? as_sync(as, va, len) : 0;
}

void hal_as_activate(struct hal_as *as)
{
    if (as == uas_active || !uas_ready)
        return;
    arena_reserve(HOSTED_USER_BASE, HOSTED_USER_SIZE);
    uas_active = as;
    if (!as)
        return;
    for (unsigned i = 0; i < UAS_NLEAVES; i++) {
        uint64_t va = HOSTED_USER_BASE + (uint64_t)i * UAS_LEAF_PAGES * HAL_PAGE_SIZE;

        if (as->leaf[i])
            as_sync(as, va, UAS_LEAF_PAGES * HAL_PAGE_SIZE);
    }
}

/* True when every page of [va, va+n) is mapped in the active space with prot. */
static bool user_access_ok(uint64_t va, size_t n, unsigned prot)
{
    uint64_t first, last;

    if (!uas_active || n == 0)
        return n == 0;
    if (va < hal_user_va_min() || n > HOSTED_USER_SIZE ||
        va - hal_user_va_min() > HOSTED_USER_SIZE - n)
        return false;
    first = va & ~(HAL_PAGE_SIZE - 1);
    last = (va + n - 1) & ~(HAL_PAGE_SIZE - 1);
    for (uint64_t p = first; p <= last; p += HAL_PAGE_SIZE) {
        uint64_t e = as_get(uas_active, p);

        if (!(e & UAS_PRESENT) || (e & prot) != prot)
            return false;
    }
    return true;
}

int hal_copy_from_user(void *dst, uint64_t usrc, size_t n)
{
    if (!user_access_ok(usrc, n, HAL_PROT_READ))
        return -EFAULT;
    if (n)
        memcpy(dst, (const void *)usrc, n);
    return 0;
}

int hal_copy_to_user(uint64_t udst, const void *src, size_t n)
{
    if (!user_access_ok(udst, n, HAL_PROT_WRITE))
        return -EFAULT;
    if (n)
        memcpy((void *)udst, src, n);
    return 0;
}

long hal_strncpy_from_user(char *dst, uint64_t usrc, size_t max)
{
    size_t i = 0;

    while (i < max) {
        uint64_t va = usrc + i;
        size_t chunk = HAL_PAGE_SIZE - (va & (HAL_PAGE_SIZE - 1));
        const char *src = (const char *)va;

        if (va < usrc || !user_access_ok(va, 1, HAL_PROT_READ))
            return -EFAULT;
        if (chunk > max - i)
            chunk = max - i;
        for (size_t k = 0; k < chunk; k++, i++) {
            dst[i] = src[k];
            if (dst[i] == '\0')
                return (long)i;
        }
    }
    return -ENAMETOOLONG;
}

/* The futex word: the table says whether the page is there now (never demand paging), and
 * the access is one host atomic on the arena alias. */
int hal_user_load32(uint64_t uaddr, uint32_t *val)
{
    if (uaddr & 3)
        return -EINVAL;
    if (!user_access_ok(uaddr, 4, HAL_PROT_READ))
        return -EFAULT;
    *val = __atomic_load_n((const uint32_t *)uaddr, __ATOMIC_SEQ_CST);
    return 0;
}

int hal_user_cmpxchg32(uint64_t uaddr, uint32_t expected, uint32_t desired, uint32_t *old)
{
    uint32_t found = expected;

    if (uaddr & 3)
        return -EINVAL;
    if (!user_access_ok(uaddr, 4, HAL_PROT_WRITE))
        return -EFAULT;
    __atomic_compare_exchange_n((uint32_t *)uaddr, &found, desired, false, __ATOMIC_SEQ_CST,
                                __ATOMIC_SEQ_CST);
    *old = found;
    return 0;
}
