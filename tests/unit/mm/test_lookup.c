/*
 * test_lookup.c - the area lookup the user copies and buffer checks use: the last-area memo
 * of vm_area_find (core/mm/area.c) must forget an area that munmap frees and follow the
 * bounds that mprotect's splits, mremap and the stack's growth change in place, and
 * vm_user_room must count exactly the bytes a copy can reach. Each case looks an area up
 * first (so the memo holds it), changes the space, then asks again: a memo that kept a
 * freed area answers from freed memory (ASan stops there; a plain build sees the old area).
 * Also strncpy_from_user's order (copy first, fault in only on failure).
 */
#include "mt.h"

#include "core/abi/mman.h"
#include "hal/hal_errno.h"

#define RW (VM_PROT_READ | VM_PROT_WRITE)

static uint64_t map_fixed(uint64_t at, uint64_t len, unsigned prot)
{
    uint64_t got = 0;

    if (vm_mmap(mt_space, at, len, prot, VM_MAP_PRIVATE | VM_MAP_ANONYMOUS | VM_MAP_FIXED, NULL,
                0, &got))
        return 0;
    return got;
}

MT_CASE(memo_forgets_unmapped_area)
{
    struct vm_area q;
    uint64_t a = mt_mmap_anon(4 * PG, RW);
    char k[8] = "abc";

    MT_EQ(vm_area_query(mt_space, a + PG, &q), 0);
    MT_EQ(vm_user_room(mt_space, a, 4 * PG, VM_PROT_WRITE), 4 * PG);
    MT_EQ(vm_munmap(mt_space, a, 4 * PG), 0);
    MT_EQ(vm_area_query(mt_space, a + PG, &q), -ENOENT);
    MT_EQ(vm_user_room(mt_space, a + PG, 8, VM_PROT_READ), 0);
    MT_EQ(copy_to_user(uptr_make(a + PG), k, sizeof(k)), -EFAULT);
    /* a new mapping at the same place is found, with its own protection */
    MT_EQ(map_fixed(a, 2 * PG, VM_PROT_READ), a);
    MT_EQ(vm_area_query(mt_space, a + PG, &q), 0);
    MT_EQ(q.prot, VM_PROT_READ);
    MT_EQ(q.end, a + 2 * PG);
    MT_EQ(vm_user_room(mt_space, a, 4 * PG, VM_PROT_READ), 2 * PG);
    MT_EQ(vm_user_room(mt_space, a, 4 * PG, VM_PROT_WRITE), 0);
}

MT_CASE(memo_follows_mprotect_split)
{
    struct vm_area q;
    uint64_t a = mt_mmap_anon(4 * PG, RW);

    MT_EQ(vm_user_room(mt_space, a + 3 * PG, PG, VM_PROT_WRITE), PG); /* the memo: [a, a+4) */
    MT_EQ(vm_mprotect(mt_space, a + 2 * PG, PG, VM_PROT_READ), 0);
    MT_EQ(vm_area_query(mt_space, a + 3 * PG, &q), 0);
    MT_EQ(q.start, a + 3 * PG);
    MT_EQ(q.prot, RW);
    MT_EQ(vm_area_query(mt_space, a + 2 * PG, &q), 0);
    MT_EQ(q.prot, VM_PROT_READ);
    MT_EQ(vm_area_query(mt_space, a, &q), 0);
    MT_EQ(q.end, a + 2 * PG);
    MT_EQ(vm_user_room(mt_space, a, 4 * PG, VM_PROT_WRITE), 2 * PG);
    MT_EQ(vm_user_room(mt_space, a + PG, 4 * PG, VM_PROT_READ), 3 * PG);
    MT_EQ(vm_user_room(mt_space, a + 2 * PG + 5, 10, VM_PROT_WRITE), 0);
    /* back to one protection: the pieces stay separate areas but the room runs through */
    MT_EQ(vm_mprotect(mt_space, a + 2 * PG, PG, RW), 0);
    MT_EQ(vm_user_room(mt_space, a, 4 * PG, VM_PROT_WRITE), 4 * PG);
    MT_EQ(vm_mprotect(mt_space, a, 4 * PG, VM_PROT_NONE), 0);
    MT_EQ(vm_user_room(mt_space, a, 4 * PG, VM_PROT_READ), 0);
}

MT_CASE(memo_follows_mremap)
{
    struct vm_area q;
    uint64_t a = mt_mmap_anon(4 * PG, RW), b;
    char k[4] = "xyz";

    MT_EQ(vm_munmap(mt_space, a + 2 * PG, 2 * PG), 0);
    MT_EQ(map_fixed(a + 2 * PG, PG, VM_PROT_READ), a + 2 * PG); /* blocks growth in place */
    MT_EQ(vm_area_query(mt_space, a + PG, &q), 0);
    b = (uint64_t)vm_mremap(mt_space, a, 2 * PG, 8 * PG, LINUX_MREMAP_MAYMOVE, 0);
    MT_CHECK(b != a && (int64_t)b > 0);
    MT_EQ(vm_area_query(mt_space, a + PG, &q), -ENOENT);
    MT_EQ(vm_user_room(mt_space, a, 2 * PG, VM_PROT_READ), 0);
    MT_EQ(copy_to_user(uptr_make(a), k, sizeof(k)), -EFAULT);
    MT_EQ(vm_user_room(mt_space, b, 8 * PG, VM_PROT_WRITE), 8 * PG);
    MT_EQ(copy_to_user(uptr_make(b + 7 * PG), k, sizeof(k)), 0);
    /* shrinking in place moves the end of the area the memo holds */
    MT_EQ(vm_mremap(mt_space, b, 8 * PG, 2 * PG, 0, 0), (long)b);
    MT_EQ(vm_user_room(mt_space, b, 8 * PG, VM_PROT_WRITE), 2 * PG);
    MT_EQ(vm_area_query(mt_space, b + 3 * PG, &q), -ENOENT);
    MT_EQ(copy_to_user(uptr_make(b + 3 * PG), k, sizeof(k)), -EFAULT);
}

MT_CASE(user_room_edges)
{
    uint64_t a = mt_mmap_anon(2 * PG, RW);

    MT_EQ(map_fixed(a + 2 * PG, PG, RW), a + 2 * PG); /* adjacent, same protection */
    MT_EQ(vm_user_room(mt_space, a + 10, 3 * PG - 10, VM_PROT_WRITE), 3 * PG - 10);
    MT_EQ(vm_user_room(mt_space, a + 10, 3 * PG, VM_PROT_WRITE), 3 * PG - 10); /* runs off */
    MT_EQ(vm_user_room(mt_space, a, 0, VM_PROT_WRITE), 0);
    MT_EQ(vm_user_room(mt_space, a + PG, UINT64_MAX, VM_PROT_READ), 2 * PG); /* wraps */
    MT_EQ(vm_user_room(mt_space, mt_space->va_min, PG, VM_PROT_READ), 0);
}

/* A string on a present page is copied without faulting anything in; one on an absent page
 * faults that page (only) in and is copied. */
MT_CASE(strncpy_copies_first)
{
    uint64_t a = mt_mmap_anon(2 * PG, RW);
    char k[64];
    struct vm_fault_stats before, after;

    MT_EQ(copy_to_user(uptr_make(a + PG - 6), "hello", 6), 0); /* page 0 now present */
    MT_EQ(mt_space->nr_pages, 1);
    vm_get_fault_stats(&before);
    MT_EQ(strncpy_from_user(k, uptr_make(a + PG - 6), sizeof(k)), 5);
    MT_CHECK(strcmp(k, "hello") == 0);
    vm_get_fault_stats(&after);
    MT_EQ(after.anon, before.anon);
    MT_EQ(mt_space->nr_pages, 1); /* the page after the NUL was never touched */
    MT_EQ(strncpy_from_user(k, uptr_make(a + PG), sizeof(k)), 0); /* zero page, faulted in */
    MT_EQ(mt_space->nr_pages, 2);
    MT_EQ(vm_munmap(mt_space, a + PG, PG), 0);
    MT_EQ(copy_to_user(uptr_make(a + PG - 3), "ab", 3), 0); /* "ab\0" ends the page */
    MT_EQ(strncpy_from_user(k, uptr_make(a + PG - 3), sizeof(k)), 2);
    MT_EQ(copy_to_user(uptr_make(a + PG - 2), "cd", 2), 0); /* no NUL before the hole */
    MT_EQ(strncpy_from_user(k, uptr_make(a + PG - 3), sizeof(k)), -EFAULT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(memo_forgets_unmapped_area),
        cmocka_unit_test(memo_follows_mprotect_split),
        cmocka_unit_test(memo_follows_mremap),
        cmocka_unit_test(user_room_edges),
        cmocka_unit_test(strncpy_copies_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
