/*
 * test_page.c - buddy page allocator (core/lib/page.c): alloc everything, exhaustion,
 * natural alignment, coalescing back to the initial block set, fragmentation, regions of odd
 * alignment and size, several regions, statistics, and panics on bad frees.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/lib/alloc.h"
#include "core/lib/alloc_internal.h"
#include "hal/hal_mem.h"
#include "tests/unit/lib/lib_test.h"

#define MAXPAGES 4096

static uint64_t pas[MAXPAGES];
static struct page_stats initial;

/* The arena's first region, as the test's RAM. */
static struct hal_mem_region ram(void)
{
    return lt_boot.regions[0];
}

static void init_regions(const struct hal_mem_region *r, unsigned n)
{
    struct hal_boot_info info = {.nregions = n, .cmdline = ""};

    memcpy(info.regions, r, n * sizeof(*r));
    page_init(&info);
    page_get_stats(&initial);
}

/* A region of `pages` pages starting `skip` pages into the arena. */
static void init_pages(uint64_t skip, uint64_t pages)
{
    struct hal_mem_region r = {ram().base + skip * PAGE_SIZE, pages * PAGE_SIZE};
    init_regions(&r, 1);
}

static void assert_stats_consistent(void)
{
    struct page_stats st;
    uint64_t sum = 0;

    page_get_stats(&st);
    for (unsigned k = 0; k <= PAGE_MAX_ORDER; k++)
        sum += st.free_blocks[k] << k;
    assert_int_equal(sum, st.free_pages);
    assert_true(st.free_pages <= st.total_pages);
}

static void assert_back_to_initial(void)
{
    struct page_stats st;

    page_get_stats(&st);
    assert_memory_equal(&st, &initial, sizeof(st));
}

static void test_lt_boot_has_ram(void **state)
{
    print_message("RAM: %u region(s), first %#llx + %#llx\n", lt_boot.nregions,
                  (unsigned long long)ram().base, (unsigned long long)ram().len);
    assert_true(lt_boot.nregions >= 1);
    assert_true(ram().len >= (4u << 20));
}

static void test_init_stats(void **state)
{
    init_regions(lt_boot.regions, lt_boot.nregions);
    assert_true(initial.total_pages > 0);
    assert_int_equal(initial.free_pages, initial.total_pages);
    assert_stats_consistent();
    /* Metadata costs one byte per page: at most one page in 4097 of the region. */
    uint64_t region_pages = ram().len / PAGE_SIZE;
    assert_true(initial.total_pages >= region_pages - (region_pages + 4096) / 4097);
}

static void test_alloc_all_order0_and_free(void **state)
{
    size_t n = 0;

    init_pages(0, 1000);
    while ((pas[n] = page_alloc(0)) != 0)
        n++;
    assert_int_equal(n, initial.total_pages);
    struct page_stats st;
    page_get_stats(&st);
    assert_int_equal(st.free_pages, 0);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(pas[i] % PAGE_SIZE, 0);
        assert_true(pas[i] >= ram().base && pas[i] < ram().base + 1000 * PAGE_SIZE);
        for (size_t j = 0; j < i; j++)
            assert_int_not_equal(pas[i], pas[j]);
    }
    assert_int_equal(page_alloc(0), 0);
    assert_int_equal(page_alloc(3), 0);
    for (size_t i = 0; i < n; i++)
        page_free(pas[n - 1 - i], 0);
    assert_back_to_initial(); /* every page coalesced back into the same blocks */
}

/* True when every byte of [p, p + len) is c. */
static bool all_bytes(const unsigned char *p, uint64_t len, unsigned char c)
{
    for (uint64_t i = 0; i < len; i++)
        if (p[i] != c)
            return false;
    return true;
}

/* page_init writes only the metadata, and an allocation only the chunk (PAGE_MAX_ORDER
 * block) it is carved from: under QEMU each page written first costs the host memory. */
static void test_init_touches_no_free_page(void **state)
{
    const uint64_t chunk = 1ULL << PAGE_MAX_ORDER, pages = 3 * chunk;
    const uint64_t meta = (pages + PAGE_SIZE) / (PAGE_SIZE + 1);
    unsigned char *p = hal_phys_to_virt(ram().base);

    assert_true(ram().len >= pages * PAGE_SIZE);
    ASAN_UNPOISON(p, pages * PAGE_SIZE);
    memset(p, 0x5a, pages * PAGE_SIZE);
    init_pages(0, pages);
    ASAN_UNPOISON(p, pages * PAGE_SIZE); /* the test reads free pages on purpose */
    assert_true(all_bytes(p + meta * PAGE_SIZE, (pages - meta) * PAGE_SIZE, 0x5a));

    init_pages(0, pages); /* poisons again (ASan) */
    uint64_t pfn = page_alloc(0) / PAGE_SIZE, base_pfn = ram().base / PAGE_SIZE + meta;
    uint64_t head_end = (base_pfn | (chunk - 1)) + 1; /* the first chunk ends here */
    assert_true(pfn >= base_pfn && pfn < head_end);
    ASAN_UNPOISON(p, pages * PAGE_SIZE);
    uint64_t rest = ram().base / PAGE_SIZE + pages - head_end;
    assert_true(all_bytes(hal_phys_to_virt(head_end * PAGE_SIZE), rest * PAGE_SIZE, 0x5a));
    init_pages(0, pages);
    assert_int_equal(initial.free_pages, pages - meta);
    assert_stats_consistent();
}

static void test_natural_alignment(void **state)
{
    init_regions(lt_boot.regions, 1);
    for (unsigned k = PAGE_MAX_ORDER + 1; k-- > 0;) { /* largest first: all fit */
        uint64_t pa = page_alloc(k);
        assert_int_not_equal(pa, 0);
        assert_int_equal(pa % (PAGE_SIZE << k), 0);
        pas[k] = pa;
    }
    for (unsigned k = 0; k <= PAGE_MAX_ORDER; k++)
        page_free(pas[k], k);
    assert_back_to_initial();
}

static void test_exhaustion_max_order(void **state)
{
    size_t n = 0;

    init_regions(lt_boot.regions, 1);
    while ((pas[n] = page_alloc(PAGE_MAX_ORDER)) != 0)
        n++;
    assert_int_equal(n, initial.free_blocks[PAGE_MAX_ORDER]);
    /* What is left is smaller blocks only. */
    struct page_stats st;
    page_get_stats(&st);
    assert_int_equal(st.free_blocks[PAGE_MAX_ORDER], 0);
    assert_int_equal(page_alloc(PAGE_MAX_ORDER + 1), 0); /* never valid */
    while (n)
        page_free(pas[--n], PAGE_MAX_ORDER);
    assert_back_to_initial();
}

static void test_split_and_coalesce_buddies(void **state)
{
    /* 2^5 pages at a 2^5-aligned pfn: exactly one order-5 block. */
    uint64_t base_pfn = ram().base / PAGE_SIZE;
    uint64_t skip = (32 - (base_pfn + 1) % 32) % 32; /* the area starts after 1 meta page */
    init_pages(skip, 33);
    assert_int_equal(initial.total_pages, 32);
    assert_int_equal(initial.free_blocks[5], 1);

    uint64_t a = page_alloc(0), b = page_alloc(0);
    assert_int_equal(b, a + PAGE_SIZE); /* the split keeps handing out the low half */
    struct page_stats st;
    page_get_stats(&st);
    for (unsigned k = 1; k < 5; k++)
        assert_int_equal(st.free_blocks[k], 1);
    assert_int_equal(st.free_blocks[5], 0);
    page_free(a, 0);
    page_get_stats(&st);
    assert_int_equal(st.free_blocks[0], 1); /* b still allocated: no merge */
    page_free(b, 0);
    assert_back_to_initial();
}

static void test_fragmentation_pattern(void **state)
{
    size_t n = 0;

    init_pages(0, 513);
    while ((pas[n] = page_alloc(0)) != 0)
        n++;
    for (size_t i = 0; i < n; i += 2)
        page_free(pas[i], 0);
    struct page_stats st;
    page_get_stats(&st);
    assert_int_equal(st.free_pages, (n + 1) / 2);
    /* Half the memory is free but no two free pages are buddies. */
    assert_int_equal(page_alloc(1), 0);
    assert_int_equal(st.free_blocks[0], st.free_pages);
    for (size_t i = 1; i < n; i += 2)
        page_free(pas[i], 0);
    assert_back_to_initial();
    assert_int_not_equal(page_alloc(8), 0);
}

static void test_random_alloc_free(void **state)
{
    static unsigned orders[MAXPAGES];
    static uint8_t owner[MAXPAGES]; /* pages of the region in use by an outstanding block */
    size_t n = 0;
    uint64_t base = ram().base;

    lt_rand_seed(lt_seed() ^ 0x9a9e);
    init_pages(0, 2000);
    memset(owner, 0, sizeof(owner));
    for (int op = 0; op < 4000; op++) {
        if (n < MAXPAGES && (n == 0 || lt_rand_below(3) != 0)) {
            unsigned k = (unsigned)lt_rand_below(7);
            uint64_t pa = page_alloc(k);
            if (!pa)
                continue;
            for (uint64_t p = 0; p < (1u << k); p++) {
                uint64_t idx = (pa - base) / PAGE_SIZE + p;
                if (owner[idx])
                    fail_msg("overlapping blocks, PETREL_SEED=%llu", (unsigned long long)lt_seed());
                owner[idx] = 1;
            }
            pas[n] = pa;
            orders[n++] = k;
        } else {
            size_t i = lt_rand_below(n);
            for (uint64_t p = 0; p < (1u << orders[i]); p++)
                owner[(pas[i] - base) / PAGE_SIZE + p] = 0;
            page_free(pas[i], orders[i]);
            pas[i] = pas[--n];
            orders[i] = orders[n];
        }
        assert_stats_consistent();
    }
    while (n) {
        n--;
        page_free(pas[n], orders[n]);
    }
    assert_back_to_initial();
}

static void test_unaligned_region_is_trimmed(void **state)
{
    struct hal_mem_region r = {ram().base + 123, 10 * PAGE_SIZE + 500};
    uint64_t first = (r.base + PAGE_SIZE - 1) / PAGE_SIZE, end = (r.base + r.len) / PAGE_SIZE;

    init_regions(&r, 1);
    assert_int_equal(initial.total_pages, end - first - 1); /* minus one metadata page */
    size_t n = 0;
    while ((pas[n] = page_alloc(0)) != 0) {
        assert_true(pas[n] >= first * PAGE_SIZE && pas[n] < end * PAGE_SIZE);
        n++;
    }
    assert_int_equal(n, initial.total_pages);
    while (n)
        page_free(pas[--n], 0);
    assert_back_to_initial();
}

static void test_tiny_regions(void **state)
{
    struct hal_mem_region r[4] = {
        {ram().base + 10, 100},                  /* no whole page */
        {ram().base + 8 * PAGE_SIZE, PAGE_SIZE}, /* one page: metadata only */
        {ram().base + 16 * PAGE_SIZE, 2 * PAGE_SIZE},
        {ram().base + 32 * PAGE_SIZE, 0},
    };

    init_regions(r, 4);
    assert_int_equal(initial.total_pages, 1);
    uint64_t pa = page_alloc(0);
    assert_int_equal(pa, ram().base + 17 * PAGE_SIZE);
    assert_int_equal(page_alloc(0), 0);
    page_free(pa, 0);
    assert_back_to_initial();
}

static void test_several_regions(void **state)
{
    struct hal_mem_region r[3] = {
        {ram().base + 0, 100 * PAGE_SIZE},
        {ram().base + 300 * PAGE_SIZE, 37 * PAGE_SIZE},
        {ram().base + 1000 * PAGE_SIZE + 77, 64 * PAGE_SIZE},
    };
    size_t n = 0;

    init_regions(r, 3);
    assert_int_equal(initial.total_pages, 99 + 36 + 62);
    while ((pas[n] = page_alloc(0)) != 0)
        n++;
    assert_int_equal(n, initial.total_pages);
    /* Every page lies in one region, after its metadata page. */
    for (size_t i = 0; i < n; i++) {
        bool inside = false;
        for (int j = 0; j < 3; j++) {
            uint64_t lo = (r[j].base + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE + PAGE_SIZE;
            inside |= pas[i] >= lo && pas[i] + PAGE_SIZE <= r[j].base + r[j].len;
        }
        assert_true(inside);
    }
    while (n)
        page_free(pas[--n], 0);
    assert_back_to_initial();
    /* No block spans two regions: nothing of 128 pages exists, though 197 pages are free. */
    for (unsigned k = 7; k <= PAGE_MAX_ORDER; k++)
        assert_int_equal(initial.free_blocks[k], 0);
    assert_int_equal(page_alloc(7), 0);
}

static void test_virt_helpers(void **state)
{
    init_regions(lt_boot.regions, 1);
    uint8_t *p = page_alloc_virt(2);
    assert_non_null(p);
    memset(p, 0x3c, 4 * PAGE_SIZE); /* the whole block is usable memory */
    assert_int_equal(hal_virt_to_phys(p) % (4 * PAGE_SIZE), 0);
    page_free_virt(p, 2);
    assert_back_to_initial();

    init_pages(0, 3); /* two usable pages */
    assert_null(page_alloc_virt(2));
}

static void test_block_of(void **state)
{
    void *head;
    unsigned order;
    enum page_tag tag;

    init_regions(lt_boot.regions, 1);
    uint8_t *p = page_alloc_virt(3);
    uint8_t *q = page_alloc_virt(0);
    for (size_t off = 0; off < 8 * PAGE_SIZE; off += 1000) {
        assert_true(page_block_of(p + off, &head, &order, &tag));
        assert_ptr_equal(head, p);
        assert_int_equal(order, 3);
        assert_int_equal(tag, PAGE_TAG_NONE);
    }
    assert_true(page_block_of(q + 4095, &head, &order, &tag));
    assert_ptr_equal(head, q);
    assert_int_equal(order, 0);
    int local;
    assert_false(page_block_of(&local, &head, &order, &tag)); /* not in any region */
    page_free_virt(p, 3);
    assert_false(page_block_of(p + 5000, &head, &order, &tag)); /* free block */
    page_free_virt(q, 0);
}

/* Heap blocks mark every page (page_block_of answers in one step): each page of a tagged
 * block of any order names its head; freeing clears the marks, so the same pages inside a
 * later untagged block, or free, are not taken for the old block. */
static void test_tagged_block_of_every_page(void **state)
{
    void *head;
    unsigned order;
    enum page_tag tag;

    init_regions(lt_boot.regions, 1);
    for (unsigned k = 1; k <= PAGE_MAX_ORDER; k++) {
        uint8_t *p = page_alloc_tagged(k, PAGE_TAG_LARGE);
        assert_non_null(p);
        for (uint64_t i = 0; i < (1ULL << k); i += (k > 4 ? 7 : 1)) {
            assert_true(page_block_of(p + i * PAGE_SIZE + 100, &head, &order, &tag));
            assert_ptr_equal(head, p);
            assert_int_equal(order, k);
            assert_int_equal(tag, PAGE_TAG_LARGE);
        }
        page_free_tagged(p, k, PAGE_TAG_LARGE);
        assert_false(page_block_of(p + PAGE_SIZE, &head, &order, &tag)); /* free now */
        uint8_t *q = page_alloc_virt(k); /* the same block again, untagged */
        assert_ptr_equal(q, p);
        assert_true(page_block_of(q + ((1ULL << k) - 1) * PAGE_SIZE, &head, &order, &tag));
        assert_ptr_equal(head, q);
        assert_int_equal(tag, PAGE_TAG_NONE);
        page_free_virt(q, k);
        assert_back_to_initial();
    }
}

static void test_tags(void **state)
{
    void *head;
    unsigned order;
    enum page_tag tag;

    init_regions(lt_boot.regions, 1);
    uint8_t *p = page_alloc_tagged(1, PAGE_TAG_SLAB);
    assert_non_null(p);
    assert_true(page_block_of(p + 5000, &head, &order, &tag));
    assert_ptr_equal(head, p);
    assert_int_equal(order, 1);
    assert_int_equal(tag, PAGE_TAG_SLAB);
    /* The tag must match on free: page_free() cannot release a heap block. */
    EXPECT_PANIC(page_free(hal_virt_to_phys(p), 1));
    assert_non_null(strstr(lt_panic_msg, "belongs to kmalloc"));
    EXPECT_PANIC(page_free_tagged(p, 1, PAGE_TAG_LARGE));
    page_free_tagged(p, 1, PAGE_TAG_SLAB);
    assert_back_to_initial();
    uint8_t *q = page_alloc_tagged(PAGE_MAX_ORDER, PAGE_TAG_LARGE_EXACT);
    assert_true(page_block_of(q + (4u << 20) - 1, &head, &order, &tag));
    assert_int_equal(tag, PAGE_TAG_LARGE_EXACT);
    page_free_tagged(q, PAGE_MAX_ORDER, PAGE_TAG_LARGE_EXACT);
    assert_back_to_initial();
}

static void test_bad_frees_panic(void **state)
{
    init_regions(lt_boot.regions, 1);
    uint64_t pa = page_alloc(1);

    EXPECT_PANIC(page_free(pa, 0));                                 /* wrong order */
    EXPECT_PANIC(page_free(pa + PAGE_SIZE, 0));                     /* inside a block */
    EXPECT_PANIC(page_free(pa + 12, 1));                            /* not page aligned */
    EXPECT_PANIC(page_free(ram().base + ram().len + PAGE_SIZE, 0)); /* outside RAM */
    EXPECT_PANIC(page_free(pa, PAGE_MAX_ORDER + 1));
    page_free(pa, 1);
    EXPECT_PANIC(page_free(pa, 1)); /* double free */
    assert_back_to_initial();
    assert_non_null(strstr(lt_panic_msg, "page_free"));
}

/* page_split: a block becomes pages freed one by one (in any order), which coalesce back;
 * only an allocated, untagged block of that order splits. */
static void test_split(void **state)
{
    void *head;
    unsigned order;
    enum page_tag tag;

    init_regions(lt_boot.regions, 1);
    uint64_t pa = page_alloc(3);
    assert_true(pa != 0);
    page_split(pa, 3);
    for (unsigned i = 0; i < 8; i++) {
        assert_true(page_block_of((uint8_t *)hal_phys_to_virt(pa) + i * PAGE_SIZE + 100, &head,
                                  &order, &tag));
        assert_ptr_equal(head, (uint8_t *)hal_phys_to_virt(pa) + i * PAGE_SIZE);
        assert_int_equal(order, 0);
    }
    EXPECT_PANIC(page_free(pa, 3)); /* no longer one block */
    for (unsigned i = 0; i < 8; i++)
        page_free(pa + ((i * 5) % 8) * PAGE_SIZE, 0);
    assert_stats_consistent();
    assert_back_to_initial();
    EXPECT_PANIC(page_split(pa, 3)); /* free */
    uint64_t q = page_alloc(2);
    EXPECT_PANIC(page_split(q, 1)); /* wrong order */
    EXPECT_PANIC(page_split(q + PAGE_SIZE, 0)); /* inside a block */
    page_free(q, 2);
    uint64_t one = page_alloc(0);
    page_split(one, 0); /* order 0: already one page */
    page_free(one, 0);
    uint8_t *t = page_alloc_tagged(1, PAGE_TAG_SLAB);
    EXPECT_PANIC(page_split(hal_virt_to_phys(t), 1)); /* the heap's */
    page_free_tagged(t, 1, PAGE_TAG_SLAB);
    assert_back_to_initial();
    assert_non_null(strstr(lt_panic_msg, "page_split"));
}

static int group_setup(void **state)
{
    return lt_group_setup_ram(32u << 20); /* two 16 MiB regions: room for 4 MiB blocks */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lt_boot_has_ram),
        cmocka_unit_test(test_init_stats),
        cmocka_unit_test(test_alloc_all_order0_and_free),
        cmocka_unit_test(test_init_touches_no_free_page),
        cmocka_unit_test(test_natural_alignment),
        cmocka_unit_test(test_exhaustion_max_order),
        cmocka_unit_test(test_split_and_coalesce_buddies),
        cmocka_unit_test(test_fragmentation_pattern),
        cmocka_unit_test(test_random_alloc_free),
        cmocka_unit_test(test_unaligned_region_is_trimmed),
        cmocka_unit_test(test_tiny_regions),
        cmocka_unit_test(test_several_regions),
        cmocka_unit_test(test_virt_helpers),
        cmocka_unit_test(test_block_of),
        cmocka_unit_test(test_tags),
        cmocka_unit_test(test_tagged_block_of_every_page),
        cmocka_unit_test(test_bad_frees_panic),
        cmocka_unit_test(test_split),
    };
    return cmocka_run_group_tests_name("lib_page", tests, group_setup, lt_group_teardown);
}
