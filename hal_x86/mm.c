/*
 * mm.c - kernel page tables, the direct map, the MMIO window, and the boot regions.
 *
 * Boot order: boot.c records RAM ranges from the PVH memory map, then mm_init() builds the
 * final kernel page tables with pages from the early allocator and switches CR3 to them:
 *
 *   kernel image   4 KiB pages: text RX, rodata R+NX, data/bss RW+NX, all global
 *   direct map     DIRECT_MAP + pa for every 2 MiB chunk that holds RAM, RW+NX, global
 *   MMIO window    MMIO_BASE.., 2 MiB pages, uncached (PCD|PWT), RW+NX, handed out by mmio_map()
 *
 * The early allocator takes pages from the top of the RAM range that holds the kernel
 * (below 1 GiB, so the boot tables can reach them before the direct map exists). Device
 * drivers use it for their rings during boot. mm_fill_regions() then hands every other RAM
 * page to the kernel and freezes the allocator: afterwards all pages come from the kernel.
 */
#include "hal/hal_errno.h"
#include "hal/hal_mem.h"
#include "hal_x86/x86.h"

extern char __kernel_start[], __kernel_end[];
extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __bss_end[];

#define KPHYS 0x100000ULL
#define MIB2 0x200000ULL
#define GIB1 0x40000000ULL

struct x86_ram_range x86_ram[X86_MAX_RAM];
unsigned x86_nram;
uint64_t x86_direct_map_end = DIRECT_MAP;

static struct x86_ram_range reserved[16];
static unsigned nreserved;

static uint64_t kernel_pml4_pa;
static uint64_t *kernel_pml4;
static uint64_t *mmio_pd;
static uint64_t mmio_next = MMIO_BASE;
static bool direct_map_ready, early_frozen;
static uint64_t early_lo, early_hi, early_cur; /* allocation goes down from early_hi */
static uint64_t nx_bit;

void mm_reserve(uint64_t base, uint64_t len)
{
    if (nreserved < sizeof(reserved) / sizeof(reserved[0]) && len)
        reserved[nreserved++] = (struct x86_ram_range){base, base + len};
}

static void *early_va(uint64_t pa)
{
    return (void *)(pa + (direct_map_ready ? DIRECT_MAP : KERNEL_VMA));
}

static void zero_page(void *p)
{
    uint64_t *q = p;
    for (unsigned i = 0; i < 512; i++)
        q[i] = 0;
}

uint64_t early_alloc_contig_raw(size_t pages)
{
    uint64_t bytes = pages * HAL_PAGE_SIZE;
    if (early_frozen || early_cur - early_lo < bytes)
        return 0;
    early_cur -= bytes;
    return early_cur;
}

uint64_t early_alloc_contig(size_t pages)
{
    uint64_t pa = early_alloc_contig_raw(pages);
    for (size_t i = 0; pa && i < pages; i++)
        zero_page(early_va(pa + i * HAL_PAGE_SIZE));
    return pa;
}

uint64_t early_page_alloc(void)
{
    return early_alloc_contig(1);
}

static void early_init(uint64_t kernel_phys_end)
{
    for (unsigned i = 0; i < x86_nram; i++) {
        uint64_t lo = x86_ram[i].base, hi = x86_ram[i].end;
        if (lo < kernel_phys_end)
            lo = kernel_phys_end;
        if (hi > GIB1)
            hi = GIB1;
        hi &= ~(HAL_PAGE_SIZE - 1);
        lo = (lo + HAL_PAGE_SIZE - 1) & ~(HAL_PAGE_SIZE - 1);
        if (hi > lo && hi - lo > early_hi - early_lo) {
            early_lo = lo;
            early_hi = hi;
        }
    }
    early_cur = early_hi;
}

/* Walk to (creating as needed) the page-table page at `level` (3 = PDPT, 2 = PD, 1 = PT)
 * covering va, starting from a PML4. Returns its virtual address, NULL when out of pages. */
static uint64_t *early_walk(uint64_t *pml4, uint64_t va, int level)
{
    uint64_t *t = pml4;
    for (int l = 4; l > level; l--) {
        unsigned idx = (va >> (12 + 9 * (l - 1))) & 511;
        if (!(t[idx] & PTE_P)) {
            uint64_t pa = early_page_alloc();
            if (!pa)
                return NULL;
            t[idx] = pa | PTE_P | PTE_W;
        }
        t = early_va(t[idx] & PTE_ADDR);
    }
    return t;
}

static void boot_fail(const char *msg)
{
    extern void x86_boot_fail(const char *msg) __attribute__((noreturn));
    x86_boot_fail(msg);
}

static void map_image_range(char *start, char *end, uint64_t flags)
{
    for (uint64_t va = (uint64_t)start; va < (uint64_t)end; va += HAL_PAGE_SIZE) {
        uint64_t *pt = early_walk(kernel_pml4, va, 1);
        if (!pt)
            boot_fail("out of memory for kernel page tables");
        pt[(va >> 12) & 511] = (va - KERNEL_VMA) | PTE_P | PTE_G | flags;
    }
}

static void map_direct(void)
{
    for (unsigned i = 0; i < x86_nram; i++) {
        uint64_t lo = x86_ram[i].base & ~(MIB2 - 1);
        for (uint64_t pa = lo; pa < x86_ram[i].end; pa += MIB2) {
            uint64_t *pd = early_walk(kernel_pml4, DIRECT_MAP + pa, 2);
            if (!pd)
                boot_fail("out of memory for the direct map");
            pd[(pa >> 21) & 511] = pa | PTE_P | PTE_W | PTE_PS | PTE_G | nx_bit;
            if (DIRECT_MAP + pa + MIB2 > x86_direct_map_end)
                x86_direct_map_end = DIRECT_MAP + pa + MIB2;
        }
    }
}

void mm_init(uint64_t kernel_phys_end)
{
    nx_bit = x86_cpu.nx ? PTE_NX : 0;
    early_init(kernel_phys_end);
    kernel_pml4_pa = early_page_alloc();
    if (!kernel_pml4_pa)
        boot_fail("no memory above the kernel image");
    kernel_pml4 = early_va(kernel_pml4_pa);

    map_image_range(__text_start, __text_end, 0);
    map_image_range(__rodata_start, __rodata_end, nx_bit);
    map_image_range(__data_start, __bss_end, PTE_W | nx_bit);
    map_direct();
    mmio_pd = early_walk(kernel_pml4, MMIO_BASE, 2);
    if (!mmio_pd)
        boot_fail("out of memory for the MMIO window");
    /* The kernel-half PML4 slots are now final (direct map, MMIO window, image): nothing maps
     * kernel memory after boot outside them, so user spaces can copy the slots once. */
    uint64_t cr4;
    __asm__ __volatile__("mov %%cr4, %0" : "=r"(cr4));
    __asm__ __volatile__("mov %0, %%cr4" ::"r"(cr4 | (1ULL << 7))); /* PGE */
    write_cr3(kernel_pml4_pa);
    direct_map_ready = true;
    kernel_pml4 = early_va(kernel_pml4_pa);
    mmio_pd = (uint64_t *)((uint64_t)mmio_pd - KERNEL_VMA + DIRECT_MAP);
}

void *mmio_map(uint64_t pa, size_t len)
{
    uint64_t lo = pa & ~(MIB2 - 1), hi = (pa + len + MIB2 - 1) & ~(MIB2 - 1);
    if (!mmio_pd || hi <= lo || mmio_next + (hi - lo) > MMIO_BASE + MMIO_SIZE)
        return NULL;
    uint64_t base = mmio_next;
    for (uint64_t p = lo; p < hi; p += MIB2, mmio_next += MIB2)
        mmio_pd[(mmio_next >> 21) & 511] =
            p | PTE_P | PTE_W | PTE_PS | PTE_PCD | PTE_PWT | PTE_G | nx_bit;
    return (void *)(base + (pa - lo));
}

/* --- the boot regions ------------------------------------------------------------------------ */

static void add_region(struct hal_boot_info *info, uint64_t lo, uint64_t hi)
{
    lo = (lo + HAL_PAGE_SIZE - 1) & ~(HAL_PAGE_SIZE - 1);
    hi &= ~(HAL_PAGE_SIZE - 1);
    if (hi <= lo || info->nregions >= HAL_MAX_REGIONS)
        return;
    info->regions[info->nregions++] = (struct hal_mem_region){lo, hi - lo};
}

/* Add [lo, hi) minus every excluded range (recursively splitting around them). */
static void add_minus(struct hal_boot_info *info, uint64_t lo, uint64_t hi,
                      const struct x86_ram_range *ex, unsigned nex)
{
    for (unsigned i = 0; i < nex; i++) {
        if (ex[i].end <= lo || ex[i].base >= hi)
            continue;
        if (ex[i].base > lo)
            add_minus(info, lo, ex[i].base, ex + i + 1, nex - i - 1);
        if (ex[i].end < hi)
            add_minus(info, ex[i].end, hi, ex + i + 1, nex - i - 1);
        return;
    }
    add_region(info, lo, hi);
}

void mm_fill_regions(struct hal_boot_info *info)
{
    struct x86_ram_range ex[20];
    unsigned nex = 0;
    ex[nex++] = (struct x86_ram_range){0, 0x100000};                                /* low 1 MiB */
    ex[nex++] = (struct x86_ram_range){KPHYS, (uint64_t)__kernel_end - KERNEL_VMA}; /* image */
    ex[nex++] = (struct x86_ram_range){early_cur, early_hi}; /* page tables, device rings */
    for (unsigned i = 0; i < nreserved; i++)
        ex[nex++] = reserved[i];
    early_frozen = true;
    info->nregions = 0;
    for (unsigned i = 0; i < x86_nram; i++)
        add_minus(info, x86_ram[i].base, x86_ram[i].end, ex, nex);
}

/* --- address translation --------------------------------------------------------------------- */

void *hal_phys_to_virt(uint64_t pa)
{
    return (void *)(DIRECT_MAP + pa);
}

uint64_t hal_virt_to_phys(const void *va)
{
    uint64_t v = (uint64_t)va;
    if (v >= KERNEL_VMA)
        return v - KERNEL_VMA;
    return v - DIRECT_MAP;
}

/* --- user address spaces ---------------------------------------------------------------------
 *
 * A struct hal_as handle is the direct-map address of the space's PML4 page: no other
 * bookkeeping exists. Its upper 256 entries are copies of the kernel's (which never change).
 * Page-table pages come from kernel_pt_page_alloc() and go back at destroy.
 */

#define USER_VA_MIN 0x1000ULL
#define USER_VA_MAX 0x00007ffffffff000ULL /* last page below the canonical hole left out */

static struct hal_as *active_as;

uint64_t hal_user_va_min(void)
{
    return USER_VA_MIN;
}

uint64_t hal_user_va_max(void)
{
    return USER_VA_MAX;
}

static uint64_t *as_pml4(struct hal_as *as)
{
    return (uint64_t *)as;
}

int hal_as_create(struct hal_as **out)
{
    uint64_t pa = kernel_pt_page_alloc();
    if (!pa)
        return -ENOMEM;
    uint64_t *pml4 = hal_phys_to_virt(pa);
    for (unsigned i = 0; i < 256; i++)
        pml4[i] = 0;
    for (unsigned i = 256; i < 512; i++)
        pml4[i] = kernel_pml4[i];
    *out = (struct hal_as *)pml4;
    return 0;
}

static void free_table(uint64_t *t, int level)
{
    if (level > 1) {
        for (unsigned i = 0; i < 512; i++)
            if (t[i] & PTE_P)
                free_table(hal_phys_to_virt(t[i] & PTE_ADDR), level - 1);
    }
    kernel_pt_page_free(hal_virt_to_phys(t));
}

void hal_as_destroy(struct hal_as *as)
{
    uint64_t *pml4 = as_pml4(as);
    if (active_as == as)
        hal_as_activate(NULL);
    for (unsigned i = 0; i < 256; i++)
        if (pml4[i] & PTE_P)
            free_table(hal_phys_to_virt(pml4[i] & PTE_ADDR), 3);
    kernel_pt_page_free(hal_virt_to_phys(pml4));
}

/* The leaf entry for va, creating tables when create is set; NULL if absent or no memory. */
static uint64_t *as_pte(struct hal_as *as, uint64_t va, bool create)
{
    uint64_t *t = as_pml4(as);
    for (int l = 4; l > 1; l--) {
        unsigned idx = (va >> (12 + 9 * (l - 1))) & 511;
        if (!(t[idx] & PTE_P)) {
            if (!create)
                return NULL;
            uint64_t pa = kernel_pt_page_alloc();
            if (!pa)
                return NULL;
            t[idx] = pa | PTE_P | PTE_W | PTE_U;
        }
        t = hal_phys_to_virt(t[idx] & PTE_ADDR);
    }
    return &t[(va >> 12) & 511];
}

static bool range_ok(uint64_t va, uint64_t len)
{
    return !(va & (HAL_PAGE_SIZE - 1)) && !(len & (HAL_PAGE_SIZE - 1)) && va >= USER_VA_MIN &&
           va <= USER_VA_MAX && len <= USER_VA_MAX - va;
}

static uint64_t prot_bits(unsigned prot)
{
    if (!(prot & (HAL_PROT_READ | HAL_PROT_WRITE | HAL_PROT_EXEC)))
        return 0; /* PROT_NONE: not present, the kernel sees the fault */
    uint64_t b = PTE_P | PTE_U;
    if (prot & HAL_PROT_WRITE)
        b |= PTE_W;
    if (!(prot & HAL_PROT_EXEC))
        b |= nx_bit;
    return b;
}

static void flush_page(struct hal_as *as, uint64_t va)
{
    if (as == active_as)
        __asm__ __volatile__("invlpg (%0)" ::"r"(va) : "memory");
}

int hal_as_map(struct hal_as *as, uint64_t va, uint64_t pa, uint64_t len, unsigned prot)
{
    if (!range_ok(va, len) || (pa & (HAL_PAGE_SIZE - 1)))
        return -EINVAL;
    uint64_t bits = prot_bits(prot);
    for (uint64_t off = 0; off < len; off += HAL_PAGE_SIZE) {
        uint64_t *pte = as_pte(as, va + off, true);
        if (!pte)
            return -ENOMEM;
        /* PROT_NONE keeps the address in the entry with P clear, for protect() later. */
        *pte = ((pa + off) & PTE_ADDR) | (bits ? bits : 0);
        flush_page(as, va + off);
    }
    return 0;
}

/*
 * The leaf entry for va if every level above it exists; otherwise NULL and *skip_to = the
 * first address past the missing table, so walks over huge sparse ranges (a munmap of a
 * reserved terabyte) cost per table, not per page.
 */
static uint64_t *as_pte_or_skip(struct hal_as *as, uint64_t va, uint64_t *skip_to)
{
    uint64_t *t = as_pml4(as);
    for (int l = 4; l > 1; l--) {
        unsigned shift = 12 + 9 * (l - 1);
        unsigned idx = (va >> shift) & 511;
        if (!(t[idx] & PTE_P)) {
            *skip_to = (va | ((1ULL << shift) - 1)) + 1;
            return NULL;
        }
        t = hal_phys_to_virt(t[idx] & PTE_ADDR);
    }
    return &t[(va >> 12) & 511];
}

/* Apply bits to every existing leaf in [va, va+len); bits == 0 clears the entry. */
static void as_update(struct hal_as *as, uint64_t va, uint64_t len, uint64_t bits, bool clear)
{
    uint64_t end = va + len;
    while (va < end) {
        uint64_t next = va + HAL_PAGE_SIZE;
        uint64_t *pte = as_pte_or_skip(as, va, &next);
        if (pte && *pte) {
            *pte = clear ? 0 : (*pte & PTE_ADDR) | bits;
            flush_page(as, va);
        }
        va = next;
    }
}

int hal_as_unmap(struct hal_as *as, uint64_t va, uint64_t len)
{
    if (!range_ok(va, len))
        return -EINVAL;
    as_update(as, va, len, 0, true);
    return 0;
}

int hal_as_protect(struct hal_as *as, uint64_t va, uint64_t len, unsigned prot)
{
    if (!range_ok(va, len))
        return -EINVAL;
    as_update(as, va, len, prot_bits(prot), false);
    return 0;
}

void hal_as_activate(struct hal_as *as)
{
    if (as == active_as)
        return;
    active_as = as;
    write_cr3(as ? hal_virt_to_phys(as) : kernel_pml4_pa);
}
