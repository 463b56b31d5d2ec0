/*
 * test_uas.c - hosted user address spaces: map/unmap/protect bookkeeping, activation that
 * switches what the arena shows, aliasing of RAM pages, and the user copies' -EFAULT.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hal/hal_errno.h"
#include "hal/hal_mem.h"
#include "hal/hal_user.h"
#include "hal_hosted/hosted.h"

#define PG HAL_PAGE_SIZE

static struct hal_boot_info info;
static struct hal_as *as1, *as2;
static uint64_t pa0; /* RAM pages used as user memory */
static uint64_t va0;

static int setup(void **state)
{
    struct hosted_config cfg = {.ram_bytes = 4 << 20};

    if (hosted_hal_init(&cfg, NULL, &info))
        return -1;
    pa0 = info.regions[1].base;
    va0 = hal_user_va_min() + 16 * PG;
    if (hal_as_create(&as1) || hal_as_create(&as2))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    hal_as_destroy(as1);
    hal_as_destroy(as2);
    hosted_hal_fini();
    return 0;
}

static void test_user_range(void **state)
{
    assert_int_equal(hal_user_va_min(), HOSTED_USER_BASE);
    assert_int_equal(hal_user_va_max() - hal_user_va_min(), HOSTED_USER_SIZE);
}

static void test_map_aliases_ram(void **state)
{
    char *k = hal_phys_to_virt(pa0);

    assert_int_equal(hal_as_map(as1, va0, pa0, 2 * PG, HAL_PROT_READ | HAL_PROT_WRITE), 0);
    hal_as_activate(as1);
    strcpy(k, "from the kernel");
    assert_string_equal((char *)va0, "from the kernel"); /* same physical page */
    strcpy((char *)va0 + PG, "from the user");
    assert_string_equal(k + PG, "from the user");
}

static void test_copies_roundtrip(void **state)
{
    char buf[64];

    assert_int_equal(hal_as_map(as1, va0, pa0, 2 * PG, HAL_PROT_READ | HAL_PROT_WRITE), 0);
    hal_as_activate(as1);
    /* across the page boundary */
    assert_int_equal(hal_copy_to_user(va0 + PG - 5, "0123456789", 11), 0);
    assert_int_equal(hal_copy_from_user(buf, va0 + PG - 5, 11), 0);
    assert_string_equal(buf, "0123456789");
    assert_int_equal(hal_strncpy_from_user(buf, va0 + PG - 5, sizeof(buf)), 10);
    assert_string_equal(buf, "0123456789");
    assert_int_equal(hal_copy_from_user(buf, va0, 0), 0);
}

static void test_unmapped_is_efault(void **state)
{
    char buf[16];

    assert_int_equal(hal_as_map(as1, va0, pa0, PG, HAL_PROT_READ | HAL_PROT_WRITE), 0);
    hal_as_activate(as1);
    assert_int_equal(hal_copy_from_user(buf, va0 + PG, 1), -EFAULT);     /* next page */
    assert_int_equal(hal_copy_from_user(buf, va0 + PG - 4, 8), -EFAULT); /* straddles */
    assert_int_equal(hal_copy_to_user(va0 - 1, buf, 1), -EFAULT);        /* before */
    assert_int_equal(hal_copy_from_user(buf, 0, 1), -EFAULT);            /* NULL */
    assert_int_equal(hal_copy_from_user(buf, hal_user_va_max() - 4, 8), -EFAULT);
    assert_int_equal(hal_copy_from_user(buf, UINT64_MAX - 2, 8), -EFAULT);           /* wraps */
    assert_int_equal(hal_copy_from_user(buf, (uint64_t)(uintptr_t)buf, 1), -EFAULT); /* kernel */
    assert_int_equal(hal_strncpy_from_user(buf, va0 + PG, 4), -EFAULT);
}

static void test_protection_is_checked(void **state)
{
    char buf[8] = "abc";

    assert_int_equal(hal_as_map(as1, va0, pa0, PG, HAL_PROT_READ), 0);
    hal_as_activate(as1);
    assert_int_equal(hal_copy_from_user(buf, va0, 4), 0);
    assert_int_equal(hal_copy_to_user(va0, buf, 4), -EFAULT); /* read-only */
    assert_int_equal(hal_as_protect(as1, va0, PG, HAL_PROT_READ | HAL_PROT_WRITE), 0);
    assert_int_equal(hal_copy_to_user(va0, "xyz", 4), 0);
    assert_string_equal((char *)va0, "xyz");
    assert_int_equal(hal_as_protect(as1, va0, PG, 0), 0);
    assert_int_equal(hal_copy_from_user(buf, va0, 1), -EFAULT); /* no access */
    assert_int_equal(hal_as_protect(as1, va0, PG, HAL_PROT_WRITE), 0);
    assert_int_equal(hal_copy_to_user(va0, "q", 2), 0); /* write implies nothing else */
    assert_int_equal(hal_copy_from_user(buf, va0, 1), -EFAULT);
}

static void test_protect_ignores_holes(void **state)
{
    char c;

    assert_int_equal(hal_as_map(as1, va0, pa0, PG, HAL_PROT_READ), 0);
    hal_as_activate(as1);
    assert_int_equal(hal_as_protect(as1, va0 - PG, 3 * PG, HAL_PROT_READ | HAL_PROT_WRITE), 0);
    assert_int_equal(hal_copy_to_user(va0, "w", 1), 0);
    assert_int_equal(hal_copy_from_user(&c, va0 - PG, 1), -EFAULT); /* holes stay holes */
    assert_int_equal(hal_copy_from_user(&c, va0 + PG, 1), -EFAULT);
}

static void test_unmap(void **state)
{
    char c;

    assert_int_equal(hal_as_map(as1, va0, pa0, 3 * PG, HAL_PROT_READ), 0);
    hal_as_activate(as1);
    assert_int_equal(hal_as_unmap(as1, va0 + PG, PG), 0);
    assert_int_equal(hal_copy_from_user(&c, va0, 1), 0);
    assert_int_equal(hal_copy_from_user(&c, va0 + PG, 1), -EFAULT);
    assert_int_equal(hal_copy_from_user(&c, va0 + 2 * PG, 1), 0);
    assert_int_equal(hal_as_unmap(as1, va0 + 100 * PG, PG), 0); /* a hole: fine */
}

static void test_bad_ranges_are_einval(void **state)
{
    uint64_t max = hal_user_va_max();

    assert_int_equal(hal_as_map(as1, va0 + 1, pa0, PG, HAL_PROT_READ), -EINVAL);
    assert_int_equal(hal_as_map(as1, va0, pa0 + 1, PG, HAL_PROT_READ), -EINVAL);
    assert_int_equal(hal_as_map(as1, va0, pa0, PG + 1, HAL_PROT_READ), -EINVAL);
    assert_int_equal(hal_as_map(as1, va0, pa0, 0, HAL_PROT_READ), -EINVAL);
    assert_int_equal(hal_as_map(as1, max, pa0, PG, HAL_PROT_READ), -EINVAL);
    assert_int_equal(hal_as_map(as1, max - PG, pa0, 2 * PG, HAL_PROT_READ), -EINVAL);
    assert_int_equal(hal_as_map(as1, hal_user_va_min() - PG, pa0, PG, HAL_PROT_READ), -EINVAL);
    assert_int_equal(hal_as_map(as1, va0, 0, PG, HAL_PROT_READ), -EINVAL); /* not RAM */
    assert_int_equal(hal_as_map(as1, va0, pa0, 64ULL << 20, HAL_PROT_READ), -EINVAL);
    assert_int_equal(hal_as_map(as1, va0, pa0, PG, 0x10), -EINVAL);
    assert_int_equal(hal_as_unmap(as1, va0 + 3, PG), -EINVAL);
    assert_int_equal(hal_as_protect(as1, max, PG, HAL_PROT_READ), -EINVAL);
    assert_int_equal(hal_as_map(as1, max - PG, pa0, PG, HAL_PROT_READ), 0); /* last page */
}

static void test_activate_switches_view(void **state)
{
    char buf[8];
    char *k = hal_phys_to_virt(pa0);

    strcpy(k, "one");
    strcpy(k + PG, "two");
    assert_int_equal(hal_as_map(as1, va0, pa0, PG, HAL_PROT_READ), 0);
    assert_int_equal(hal_as_map(as2, va0, pa0 + PG, PG, HAL_PROT_READ), 0);
    assert_int_equal(hal_as_map(as2, va0 + PG, pa0, PG, HAL_PROT_READ | HAL_PROT_WRITE), 0);
    hal_as_activate(as1);
    assert_int_equal(hal_copy_from_user(buf, va0, 4), 0);
    assert_string_equal(buf, "one");
    assert_int_equal(hal_copy_from_user(buf, va0 + PG, 1), -EFAULT);
    hal_as_activate(as2);
    assert_int_equal(hal_copy_from_user(buf, va0, 4), 0);
    assert_string_equal(buf, "two");
    assert_int_equal(hal_copy_to_user(va0 + PG, "ONE", 4), 0); /* as1's page, via as2 */
    hal_as_activate(as1);
    assert_string_equal((char *)va0, "ONE");
    hal_as_activate(NULL);
    assert_int_equal(hal_copy_from_user(buf, va0, 1), -EFAULT);
    /* changes to an inactive space show when it becomes active */
    assert_int_equal(hal_as_unmap(as1, va0, PG), 0);
    hal_as_activate(as1);
    assert_int_equal(hal_copy_from_user(buf, va0, 1), -EFAULT);
}

static void test_destroy_active(void **state)
{
    char c;
    struct hal_as *as3;

    assert_int_equal(hal_as_create(&as3), 0);
    assert_int_equal(hal_as_map(as3, va0, pa0, PG, HAL_PROT_READ), 0);
    hal_as_activate(as3);
    assert_int_equal(hal_copy_from_user(&c, va0, 1), 0);
    hal_as_destroy(as3);
    assert_int_equal(hal_copy_from_user(&c, va0, 1), -EFAULT);
}

static void test_strncpy_limits(void **state)
{
    char buf[16];

    assert_int_equal(hal_as_map(as1, va0, pa0, PG, HAL_PROT_READ | HAL_PROT_WRITE), 0);
    hal_as_activate(as1);
    assert_int_equal(hal_copy_to_user(va0, "hello", 6), 0);
    assert_int_equal(hal_strncpy_from_user(buf, va0, 6), 5);
    assert_int_equal(hal_strncpy_from_user(buf, va0, 5), -ENAMETOOLONG);
    assert_int_equal(hal_strncpy_from_user(buf, va0, 0), -ENAMETOOLONG);
    /* no NUL before the end of the mapping: fault, not overrun */
    memset((char *)va0, 'x', PG);
    assert_int_equal(hal_strncpy_from_user(buf, va0 + PG - 4, sizeof(buf)), -EFAULT);
}

/* The futex word accesses: aligned only, present now, writable for cmpxchg32 (which also
 * stores what it found when the compare fails). */
static void test_word_access(void **state)
{
    uint32_t v = 0, old = 0;

    assert_int_equal(hal_as_map(as1, va0, pa0, PG, HAL_PROT_READ | HAL_PROT_WRITE), 0);
    hal_as_activate(as1);
    *(uint32_t *)(va0 + 8) = 5;
    assert_int_equal(hal_user_load32(va0 + 8, &v), 0);
    assert_int_equal(v, 5);
    assert_int_equal(hal_user_cmpxchg32(va0 + 8, 5, 9, &old), 0);
    assert_int_equal(old, 5);
    assert_int_equal(*(uint32_t *)(va0 + 8), 9);
    assert_int_equal(hal_user_cmpxchg32(va0 + 8, 5, 1, &old), 0); /* compare fails */
    assert_int_equal(old, 9);
    assert_int_equal(*(uint32_t *)(va0 + 8), 9);
    assert_int_equal(hal_user_load32(va0 + 2, &v), -EINVAL);
    assert_int_equal(hal_user_cmpxchg32(va0 + 6, 0, 0, &old), -EINVAL);
    assert_int_equal(hal_user_load32(va0 + PG, &v), -EFAULT);           /* not mapped */
    assert_int_equal(hal_user_cmpxchg32(va0 + PG, 0, 0, &old), -EFAULT);
    assert_int_equal(hal_user_load32(0, &v), -EFAULT);
    assert_int_equal(hal_user_load32((uint64_t)(uintptr_t)&v, &v), -EFAULT); /* kernel */
    assert_int_equal(hal_user_load32(hal_user_va_max() - 4 + 4096, &v), -EFAULT);
    assert_int_equal(hal_user_load32(UINT64_MAX - 3, &v), -EFAULT);
    assert_int_equal(hal_as_protect(as1, va0, PG, HAL_PROT_READ), 0);
    assert_int_equal(hal_user_load32(va0 + 8, &v), 0);
    assert_int_equal(hal_user_cmpxchg32(va0 + 8, 1, 2, &old), -EFAULT); /* read-only */
    assert_int_equal(hal_as_protect(as1, va0, PG, 0), 0);
    assert_int_equal(hal_user_load32(va0 + 8, &v), -EFAULT); /* PROT_NONE */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_user_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_aliases_ram, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copies_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unmapped_is_efault, setup, teardown),
        cmocka_unit_test_setup_teardown(test_protection_is_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_protect_ignores_holes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unmap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_ranges_are_einval, setup, teardown),
        cmocka_unit_test_setup_teardown(test_activate_switches_view, setup, teardown),
        cmocka_unit_test_setup_teardown(test_destroy_active, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strncpy_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_word_access, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
