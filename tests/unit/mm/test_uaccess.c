/*
 * test_uaccess.c - the user copy helpers: range checks (unmapped, wrong permission, wrapping,
 * kernel half, no current space), chunking across areas, strncpy_from_user edge cases,
 * clear_user.
 */
#include "mt.h"

#include "core/lib/alloc.h"
#include "hal/hal_errno.h"

#define RW (VM_PROT_READ | VM_PROT_WRITE)

static uint8_t big[200 * 1024], back[200 * 1024];

MT_CASE(copy_roundtrip_across_chunks)
{
    uint64_t a = mt_mmap_anon(sizeof(big) + PG, RW);

    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i ^ (i >> 8));
    MT_EQ(copy_to_user(uptr_make(a + 17), big, sizeof(big)), 0);
    MT_EQ(copy_from_user(back, uptr_make(a + 17), sizeof(back)), 0);
    MT_CHECK(memcmp(big, back, sizeof(big)) == 0);
    MT_EQ(mt_space->nr_pages, (sizeof(big) + 17 + PG - 1) / PG);
}

MT_CASE(zero_length_never_faults)
{
    char c = 0;

    MT_EQ(copy_from_user(&c, uptr_make(0), 0), 0);
    MT_EQ(copy_to_user(uptr_make(0xffff800000000000ULL), &c, 0), 0);
    MT_EQ(clear_user(uptr_make(1), 0), 0);
    MT_EQ(mt_space->nr_pages, 0);
}

MT_CASE(copy_faults)
{
    struct vm_space *s = mt_space;
    uint64_t a = mt_mmap_anon(2 * PG, RW), ro, b;
    char k[32] = "kernel";

    /* unmapped, NULL, kernel half, wrapping, past the user range */
    MT_EQ(copy_from_user(k, uptr_make(s->va_min), 4), -EFAULT);
    MT_EQ(copy_from_user(k, uptr_make(0), 4), -EFAULT);
    MT_EQ(copy_to_user(uptr_make(0), k, 4), -EFAULT);
    MT_EQ(copy_from_user(k, uptr_make(0xffff800000000000ULL), 4), -EFAULT);
    MT_EQ(copy_to_user(uptr_make(0xffffffff81000000ULL), k, 4), -EFAULT);
    MT_EQ(copy_from_user(k, uptr_make(UINT64_MAX - 1), 4), -EFAULT);
    MT_EQ(copy_from_user(k, uptr_make(a), SIZE_MAX), -EFAULT);
    MT_EQ(copy_to_user(uptr_add(uptr_make(a), UINT64_MAX), k, 2), -EFAULT);
    MT_EQ(copy_from_user(k, uptr_make(s->va_max - 2), 4), -EFAULT);
    /* a range running off the end of a mapping */
    MT_EQ(copy_to_user(uptr_make(a + 2 * PG - 2), k, 4), -EFAULT);
    MT_EQ(copy_to_user(uptr_make(a + 2 * PG - 4), k, 4), 0);
    /* wrong permission */
    MT_EQ(vm_mmap(s, a + 2 * PG, PG, VM_PROT_READ, VM_MAP_PRIVATE | VM_MAP_ANONYMOUS | VM_MAP_FIXED,
                  NULL, 0, &ro),
          0);
    MT_EQ(copy_to_user(uptr_make(ro), k, 1), -EFAULT);
    MT_EQ(copy_from_user(k, uptr_make(ro), 1), 0);
    /* across two adjacent areas: allowed when both allow it */
    MT_EQ(copy_from_user(k, uptr_make(ro - 8), 16), 0);
    MT_EQ(copy_to_user(uptr_make(ro - 8), k, 16), -EFAULT);
    /* PROT_NONE */
    MT_EQ(vm_mmap(s, 0, PG, VM_PROT_NONE, VM_MAP_PRIVATE | VM_MAP_ANONYMOUS, NULL, 0, &b), 0);
    MT_EQ(copy_from_user(k, uptr_make(b), 1), -EFAULT);
    MT_EQ(copy_to_user(uptr_make(b), k, 1), -EFAULT);
    /* no current space */
    vm_activate(NULL);
    MT_EQ(copy_from_user(k, uptr_make(a), 1), -EFAULT);
    MT_EQ(strncpy_from_user(k, uptr_make(a), 4), -EFAULT);
    vm_activate(s);
    MT_EQ(copy_from_user(k, uptr_make(a), 1), 0);
}

MT_CASE(hal_copy_refuses_what_vm_unmapped)
{
    struct vm_space *s = mt_space;
    uint64_t a = mt_mmap_anon(PG, RW);
    char k[4] = "abc";

    MT_EQ(copy_to_user(uptr_make(a), k, 4), 0);
    MT_EQ(vm_munmap(s, a, PG), 0);
    /* the HAL's own tables no longer have the page either */
    MT_EQ(hal_copy_from_user(k, a, 4), -EFAULT);
}

/* Put s (with its NUL unless nonul) so that it ends exactly at `end`. Returns the start. */
static uint64_t put_str_ending_at(uint64_t end, const char *str, int nonul)
{
    size_t n = strlen(str) + (nonul ? 0 : 1);

    if (copy_to_user(uptr_make(end - n), str, n))
        return 0;
    return end - n;
}

MT_CASE(strncpy_from_user_edges)
{
    struct vm_space *s = mt_space;
    uint64_t a = mt_mmap_anon(2 * PG, RW), u;
    char k[64];

    MT_EQ(copy_to_user(uptr_make(a), "hello", 6), 0);
    MT_EQ(strncpy_from_user(k, uptr_make(a), sizeof(k)), 5);
    MT_CHECK(strcmp(k, "hello") == 0);
    MT_EQ(strncpy_from_user(k, uptr_make(a), 6), 5); /* NUL exactly at max */
    MT_EQ(strncpy_from_user(k, uptr_make(a), 5), -ENAMETOOLONG);
    MT_EQ(strncpy_from_user(k, uptr_make(a), 0), -ENAMETOOLONG);
    MT_EQ(strncpy_from_user(k, uptr_make(a + 5), 4), 0); /* empty string */
    /* a string crossing the page boundary */
    u = put_str_ending_at(a + PG + 3, "crossing", 0);
    MT_CHECK(u);
    MT_EQ(strncpy_from_user(k, uptr_make(u), sizeof(k)), 8);
    MT_CHECK(strcmp(k, "crossing") == 0);
    /* no NUL before the end of the mapping: -EFAULT, unless max stops first */
    u = put_str_ending_at(a + 2 * PG, "unterminated", 1);
    MT_EQ(strncpy_from_user(k, uptr_make(u), sizeof(k)), -EFAULT);
    MT_EQ(strncpy_from_user(k, uptr_make(u), 12), -ENAMETOOLONG);
    MT_EQ(strncpy_from_user(k, uptr_make(u), 13), -EFAULT);
    /* unmapped, kernel half, write-only */
    MT_EQ(strncpy_from_user(k, uptr_make(s->va_min), sizeof(k)), -EFAULT);
    MT_EQ(strncpy_from_user(k, uptr_make(0xffff800000001000ULL), sizeof(k)), -EFAULT);
    MT_EQ(strncpy_from_user(k, uptr_make(UINT64_MAX - 2), sizeof(k)), -EFAULT);
    MT_EQ(vm_mprotect(s, a, PG, VM_PROT_WRITE), 0);
    MT_EQ(strncpy_from_user(k, uptr_make(a), sizeof(k)), -EFAULT);
}

MT_CASE(strncpy_long_path_across_pages)
{
    uint64_t a = mt_mmap_anon(3 * PG, RW);
    static char path[4096 + 200], out[4096 + 200];

    memset(path, 'p', sizeof(path) - 1);
    path[sizeof(path) - 1] = '\0';
    MT_EQ(copy_to_user(uptr_make(a + PG - 100), path, sizeof(path)), 0);
    MT_EQ(strncpy_from_user(out, uptr_make(a + PG - 100), sizeof(out)), sizeof(path) - 1);
    MT_CHECK(strcmp(out, path) == 0);
    MT_EQ(strncpy_from_user(out, uptr_make(a + PG - 100), 4096), -ENAMETOOLONG);
}

MT_CASE(clear_user_zeroes)
{
    uint64_t a = mt_mmap_anon(3 * PG, RW);
    uint8_t v[8];

    memset(big, 0xee, 3 * PG);
    MT_EQ(copy_to_user(uptr_make(a), big, 3 * PG), 0);
    MT_EQ(clear_user(uptr_make(a + 10), 2 * PG), 0);
    MT_EQ(copy_from_user(back, uptr_make(a), 3 * PG), 0);
    MT_EQ(back[9], 0xee);
    for (size_t i = 10; i < 10 + 2 * PG; i++)
        MT_EQ(back[i], 0);
    MT_EQ(back[10 + 2 * PG], 0xee);
    MT_EQ(clear_user(uptr_make(a + 3 * PG - 4), 8), -EFAULT);
    MT_EQ(clear_user(uptr_make(UINT64_MAX - 3), 8), -EFAULT);
    MT_EQ(copy_from_user(v, uptr_make(a + 3 * PG - 4), 4), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(copy_roundtrip_across_chunks),
        cmocka_unit_test(zero_length_never_faults),
        cmocka_unit_test(copy_faults),
        cmocka_unit_test(hal_copy_refuses_what_vm_unmapped),
        cmocka_unit_test(strncpy_from_user_edges),
        cmocka_unit_test(strncpy_long_path_across_pages),
        cmocka_unit_test(clear_user_zeroes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
