/*
 * test_kmalloc.c - kernel heap (core/lib/kmalloc.c): every size class, large allocations,
 * exhaustion, kzalloc/kcalloc/krealloc, statistics, poisoning, and panics on double frees,
 * foreign pointers and writes after free.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/lib/alloc.h"
#include "core/lib/alloc_internal.h"
#include "tests/unit/lib/lib_test.h"

#ifdef PETREL_ASAN
int __asan_address_is_poisoned(void const volatile *addr);
#endif

#define MAXOBJ 20000

static void *objs[MAXOBJ];
static struct page_stats pages_before;
/* Pages a heap may keep for itself when idle: one cached empty slab per class. */
#define CACHED_SLAB_PAGES (1 + 1 + 1 + 1 + 1 + 2 + 4 + 8)

static int setup(void **state)
{
    page_init(&lt_boot);
    page_get_stats(&pages_before);
    return 0;
}

static size_t class_size(size_t n)
{
    size_t c = 16;
    while (c < n)
        c *= 2;
    return c;
}

static void assert_pages_returned(void)
{
    struct page_stats st;
    page_get_stats(&st);
    if (st.free_pages + CACHED_SLAB_PAGES < pages_before.free_pages)
        fail_msg("heap kept %llu pages",
                 (unsigned long long)(pages_before.free_pages - st.free_pages));
}

static void test_zero_and_null(void **state)
{
    assert_null(kmalloc(0));
    kfree(NULL);
    assert_int_equal(kmalloc_usable_size(NULL), 0);
}

static void test_every_size_class(void **state)
{
    for (size_t n = 1; n <= 2048; n++) {
        uint8_t *p = kmalloc(n);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        assert_int_equal(kmalloc_usable_size(p), class_size(n));
        memset(p, 0x77, kmalloc_usable_size(p));
        kfree(p);
    }
    assert_pages_returned();
}

static int cmp_ptr(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;
    return (x > y) - (x < y);
}

static void test_many_objects_no_overlap(void **state)
{
    for (size_t cls = 16; cls <= 2048; cls *= 2) {
        size_t n = 600;
        for (size_t i = 0; i < n; i++) {
            objs[i] = kmalloc(cls);
            assert_non_null(objs[i]);
            memset(objs[i], (int)(i & 0xff), cls);
        }
        for (size_t i = 0; i < n; i++) {
            const uint8_t *b = objs[i];
            for (size_t j = 0; j < cls; j++)
                assert_int_equal(b[j], i & 0xff);
        }
        qsort(objs, n, sizeof(objs[0]), cmp_ptr);
        for (size_t i = 1; i < n; i++)
            assert_true((uintptr_t)objs[i] >= (uintptr_t)objs[i - 1] + cls);
        for (size_t i = 0; i < n; i++)
            kfree(objs[i]);
    }
    assert_pages_returned();
}

static void test_large_allocations(void **state)
{
    const size_t sizes[] = {2049, 4000, 4064, 4065, 4096, 100000, (4u << 20) - 32};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        uint8_t *p = kmalloc(sizes[i]);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        size_t u = kmalloc_usable_size(p);
        assert_true(u >= sizes[i]);
        assert_true(u < 2 * sizes[i] + PAGE_SIZE); /* the next power-of-two block at most */
        memset(p, 0x42, u);
        kfree(p);
    }
    assert_null(kmalloc((4u << 20) - 31)); /* beyond the largest page block */
    assert_null(kmalloc(SIZE_MAX));
    assert_pages_returned();
}

static void test_whole_pages_have_no_header(void **state)
{
    struct page_stats a, b;

    /* kmalloc(2^k pages) takes exactly 2^k pages, page aligned, all of them usable. */
    for (volatile unsigned k = 0; k <= PAGE_MAX_ORDER; k++) {
        page_get_stats(&a);
        uint8_t *p = kmalloc(PAGE_SIZE << k);
        assert_non_null(p);
        page_get_stats(&b);
        assert_int_equal(a.free_pages - b.free_pages, 1u << k);
        assert_int_equal((uintptr_t)p % PAGE_SIZE, 0);
        assert_int_equal(kmalloc_usable_size(p), PAGE_SIZE << k);
        memset(p, 0x31, PAGE_SIZE << k);
        EXPECT_PANIC(kfree(p + PAGE_SIZE / 2)); /* inside: foreign */
        kfree(p);
        page_get_stats(&b);
        assert_int_equal(a.free_pages, b.free_pages);
    }
    /* One byte less gets a header in a block of the same size. */
    uint8_t *q = kmalloc(PAGE_SIZE - 1);
    assert_int_equal((uintptr_t)q % PAGE_SIZE, 32);
    kfree(q);
    struct kmalloc_stats st;
    kmalloc_get_stats(&st);
    assert_int_equal(st.bytes_in_use, 0);
}

static void test_krealloc_whole_pages(void **state)
{
    uint8_t *p = kmalloc(2 * PAGE_SIZE);
    memset(p, 0x44, 2 * PAGE_SIZE);
    assert_ptr_equal(krealloc(p, 2 * PAGE_SIZE), p); /* same size: in place */
    uint8_t *q = krealloc(p, PAGE_SIZE + 1);         /* smaller: moved, the size is recorded */
    assert_non_null(q);
    for (size_t i = 0; i < PAGE_SIZE + 1; i++)
        assert_int_equal(q[i], 0x44);
    uint8_t *r = krealloc(q, 4 * PAGE_SIZE); /* to a headerless block */
    for (size_t i = 0; i < PAGE_SIZE + 1; i++)
        assert_int_equal(r[i], 0x44);
    struct kmalloc_stats st;
    kmalloc_get_stats(&st);
    assert_int_equal(st.bytes_in_use, 4 * PAGE_SIZE);
    kfree(r);
    kmalloc_get_stats(&st);
    assert_int_equal(st.bytes_in_use, 0);
}

static void test_exhaustion_returns_null(void **state)
{
    size_t n = 0;

    while (n < MAXOBJ && (objs[n] = kmalloc(1 << 20)) != NULL)
        n++;
    while (n < MAXOBJ && (objs[n] = kmalloc(3000)) != NULL)
        n++;
    while (n < MAXOBJ && (objs[n] = kmalloc(64)) != NULL)
        n++;
    assert_true(n < MAXOBJ);
    assert_null(kmalloc(16));
    assert_null(kmalloc(5000));
    assert_null(kzalloc(100));
    struct page_stats st;
    page_get_stats(&st);
    assert_true(st.free_pages < 4);
    while (n)
        kfree(objs[--n]);
    assert_pages_returned();
    void *p = kmalloc(1 << 20);
    assert_non_null(p);
    kfree(p);
}

static void test_kzalloc(void **state)
{
    uint8_t *p = kmalloc(300);
    memset(p, 0xff, 300);
    kfree(p);
    for (size_t n = 1; n < 5000; n += 333) {
        uint8_t *z = kzalloc(n);
        assert_non_null(z);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(z[i], 0);
        kfree(z);
    }
}

static void test_kcalloc(void **state)
{
    uint32_t *a = kcalloc(100, sizeof(uint32_t));
    assert_non_null(a);
    for (int i = 0; i < 100; i++)
        assert_int_equal(a[i], 0);
    kfree(a);
    assert_null(kcalloc(SIZE_MAX / 2, 3)); /* n * size overflows */
    assert_null(kcalloc((SIZE_MAX >> 4) + 1, 16));
    assert_null(kcalloc(0, 16));
    assert_null(kcalloc(16, 0));
}

static void test_krealloc(void **state)
{
    assert_null(krealloc(NULL, 0));
    uint8_t *p = krealloc(NULL, 10);
    assert_non_null(p);
    memcpy(p, "0123456789", 10);
    uint8_t *q = krealloc(p, 16); /* same class: in place */
    assert_ptr_equal(q, p);
    q = krealloc(q, 8); /* shrink: in place */
    assert_ptr_equal(q, p);
    assert_memory_equal(q, "01234567", 8);
    uint8_t *r = krealloc(q, 1000); /* to a bigger class: moved, prefix kept */
    assert_non_null(r);
    assert_memory_equal(r, "01234567", 8);
    memset(r, 0x11, 1000);
    uint8_t *s = krealloc(r, 10000); /* slab -> large */
    for (int i = 0; i < 1000; i++)
        assert_int_equal(s[i], 0x11);
    memset(s, 0x22, 10000);
    uint8_t *t = krealloc(s, 100000); /* large -> larger */
    for (int i = 0; i < 10000; i++)
        assert_int_equal(t[i], 0x22);
    assert_ptr_equal(krealloc(t, 90000), t); /* fits the block */
    assert_null(krealloc(t, 0));             /* frees */
    struct kmalloc_stats st;
    kmalloc_get_stats(&st);
    assert_int_equal(st.bytes_in_use, 0);
    assert_int_equal(st.allocs, st.frees);
}

static void test_krealloc_failure_keeps_block(void **state)
{
    uint8_t *p = kmalloc(100);
    memset(p, 0x5e, 100);
    assert_null(krealloc(p, 64u << 20)); /* impossible */
    for (int i = 0; i < 100; i++)
        assert_int_equal(p[i], 0x5e);
    kfree(p);
}

static void test_stats(void **state)
{
    struct kmalloc_stats st;

    kmalloc_get_stats(&st);
    assert_int_equal(st.bytes_in_use, 0);
    assert_int_equal(st.allocs, 0);
    void *a = kmalloc(10), *b = kmalloc(5000), *c = kmalloc(100);
    kmalloc_get_stats(&st);
    assert_int_equal(st.bytes_in_use, 5110);
    assert_int_equal(st.allocs, 3);
    kfree(b);
    kmalloc_get_stats(&st);
    assert_int_equal(st.bytes_in_use, 110);
    assert_int_equal(st.frees, 1);
    c = krealloc(c, 50);
    kmalloc_get_stats(&st);
    assert_int_equal(st.bytes_in_use, 60);
    kfree(a);
    kfree(c);
    kmalloc_get_stats(&st);
    assert_int_equal(st.bytes_in_use, 0);
    assert_int_equal(st.frees, 3);
}

static void test_slabs_returned_when_empty(void **state)
{
    for (int i = 0; i < 2000; i++)
        objs[i] = kmalloc(256); /* about 134 slabs */
    struct page_stats mid;
    page_get_stats(&mid);
    assert_true(mid.free_pages + 100 < pages_before.free_pages);
    for (int i = 0; i < 2000; i++)
        kfree(objs[i]);
    struct page_stats st;
    page_get_stats(&st);
    assert_true(st.free_pages + 1 >= pages_before.free_pages); /* one slab stays cached */
}

static void test_new_memory_poisoned(void **state)
{
    uint8_t *p = kmalloc(100);
    for (size_t i = 0; i < kmalloc_usable_size(p); i++)
        assert_int_equal(p[i], 0xa5);
    uint8_t *big = kmalloc(9000);
    for (size_t i = 0; i < 9000; i++)
        assert_int_equal(big[i], 0xa5);
    kfree(p);
    kfree(big);
}

static void test_freed_memory_poisoned(void **state)
{
    uint8_t *p = kmalloc(64);
    uint8_t *keep = kmalloc(64); /* keeps the slab alive */
    memset(p, 0, 64);
    kfree(p);
#ifdef PETREL_ASAN
    for (size_t i = 0; i < 64; i++)
        assert_true(__asan_address_is_poisoned(p + i));
    assert_false(__asan_address_is_poisoned(keep));
#else
    for (size_t i = 0; i < 64; i++)
        assert_int_equal(p[i], 0x6b);
#endif
    kfree(keep);
}

static void test_freed_large_poisoned(void **state)
{
    uint8_t *big = kmalloc(3 * PAGE_SIZE);
    memset(big, 0, 3 * PAGE_SIZE);
    kfree(big);
#ifdef PETREL_ASAN
    assert_true(__asan_address_is_poisoned(big));
    assert_true(__asan_address_is_poisoned(big + 3 * PAGE_SIZE - 1));
#else
    for (size_t i = 16; i < 3 * PAGE_SIZE; i++) /* past the free-list link of page.c */
        assert_int_equal(big[i], 0x6b);
#endif
}

static void test_write_after_free_detected(void **state)
{
#ifdef PETREL_ASAN
    skip(); /* ASan itself reports the write */
#else
    uint8_t *keep = kmalloc(32);
    uint8_t *p = kmalloc(32);
    kfree(p);
    p[5] = 1;
    /* The lowest free object of the slab is handed out first: p again, now corrupt. */
    EXPECT_PANIC(kmalloc(32));
    assert_non_null(strstr(lt_panic_msg, "written after free"));
    kfree(keep);
#endif
}

static void test_double_free_panics(void **state)
{
    void *keep = kmalloc(48);
    void *p = kmalloc(48);
    kfree(p);
    EXPECT_PANIC(kfree(p));
    assert_non_null(strstr(lt_panic_msg, "double free"));
    void *big = kmalloc(20000);
    kfree(big);
    EXPECT_PANIC(kfree(big));
    kfree(keep);
}

static void test_foreign_pointers_panic(void **state)
{
    int local;
    uint8_t *p = kmalloc(128);
    uint8_t *big = kmalloc(10000);
    void *page = page_alloc_virt(0);

    EXPECT_PANIC(kfree(&local));
    assert_non_null(strstr(lt_panic_msg, "not a kmalloc object"));
    EXPECT_PANIC(kfree(p + 1));   /* inside an object */
    EXPECT_PANIC(kfree(p + 128)); /* the next object, not allocated: a double free */
    EXPECT_PANIC(kfree(big + 16));
    EXPECT_PANIC(kfree(page)); /* a page block, not from kmalloc */
    EXPECT_PANIC(kmalloc_usable_size(&local));
    EXPECT_PANIC(krealloc(p + 8, 10));
    /* The heap is still sound. */
    kfree(p);
    kfree(big);
    page_free_virt(page, 0);
    struct kmalloc_stats st;
    kmalloc_get_stats(&st);
    assert_int_equal(st.bytes_in_use, 0);
}

static int group_setup(void **state)
{
    return lt_group_setup_ram(32u << 20); /* two 16 MiB regions: room for 4 MiB blocks */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_zero_and_null, setup),
        cmocka_unit_test_setup(test_every_size_class, setup),
        cmocka_unit_test_setup(test_many_objects_no_overlap, setup),
        cmocka_unit_test_setup(test_large_allocations, setup),
        cmocka_unit_test_setup(test_whole_pages_have_no_header, setup),
        cmocka_unit_test_setup(test_krealloc_whole_pages, setup),
        cmocka_unit_test_setup(test_exhaustion_returns_null, setup),
        cmocka_unit_test_setup(test_kzalloc, setup),
        cmocka_unit_test_setup(test_kcalloc, setup),
        cmocka_unit_test_setup(test_krealloc, setup),
        cmocka_unit_test_setup(test_krealloc_failure_keeps_block, setup),
        cmocka_unit_test_setup(test_stats, setup),
        cmocka_unit_test_setup(test_slabs_returned_when_empty, setup),
        cmocka_unit_test_setup(test_new_memory_poisoned, setup),
        cmocka_unit_test_setup(test_freed_memory_poisoned, setup),
        cmocka_unit_test_setup(test_freed_large_poisoned, setup),
        cmocka_unit_test_setup(test_write_after_free_detected, setup),
        cmocka_unit_test_setup(test_double_free_panics, setup),
        cmocka_unit_test_setup(test_foreign_pointers_panic, setup),
    };
    return cmocka_run_group_tests_name("lib_kmalloc", tests, group_setup, lt_group_teardown);
}
