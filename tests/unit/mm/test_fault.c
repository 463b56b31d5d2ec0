/*
 * test_fault.c - demand paging: anonymous zero pages, private file pages through the VFS
 * (memfs) and through kernel buffers, bss zero-fill, access checks, vm_user_fault.
 */
#include "mt.h"

#include "core/lib/alloc.h"
#include "hal/hal_errno.h"

#define RW (VM_PROT_READ | VM_PROT_WRITE)

static struct vm_area q;
static uint8_t pattern[3 * 4096 + 100];
static uint8_t buf[4 * 4096];

static void fill_pattern(void)
{
    for (size_t i = 0; i < sizeof(pattern); i++)
        pattern[i] = (uint8_t)(i * 7 + 3);
}

MT_CASE(fault_checks_area_and_access)
{
    struct vm_space *s = mt_space;
    uint64_t a = mt_mmap_anon(2 * PG, VM_PROT_READ);

    MT_EQ(vm_fault(s, a + 10, VM_PROT_READ), 0);
    MT_CHECK(vm_page_present(s, a));
    MT_EQ(vm_fault(s, a + 10, VM_PROT_READ), 0); /* already there */
    MT_EQ(s->nr_pages, 1);
    MT_EQ(vm_fault(s, a + PG, VM_PROT_WRITE), -EFAULT);
    MT_EQ(vm_fault(s, a + PG, VM_PROT_EXEC), -EFAULT);
    MT_EQ(vm_fault(s, a + PG, 0), -EFAULT);
    MT_CHECK(!vm_page_present(s, a + PG));
    MT_EQ(vm_fault(s, a + 2 * PG + (s->mmap_base - a - 2 * PG) / 2, VM_PROT_READ), -EFAULT);
    MT_EQ(vm_fault(s, s->mmap_base, VM_PROT_READ), -EFAULT); /* guard */
    uint64_t x = 0;
    MT_EQ(vm_mmap(s, 0, PG, VM_PROT_READ | VM_PROT_EXEC, VM_MAP_PRIVATE | VM_MAP_ANONYMOUS, NULL, 0,
                  &x),
          0);
    MT_EQ(vm_fault(s, x, VM_PROT_EXEC), 0);
}

/* The main stack grows on user faults within RLIMIT_STACK (vm_set_stack_limit), keeps the
 * guard gap from accessible areas below it only, counts towards RLIMIT_AS, and never
 * shrinks when the limit is lowered (as tests/runtime/progs/stack_rlimit.c checks natively). */
MT_CASE(stack_grows_within_its_limit)
{
    struct vm_space *s = mt_space;
    uint64_t top = s->stack_top, x;

    vm_set_stack_limit(s, 1ULL << 20);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_WRITE, top - (1ULL << 20)), 0);
    MT_EQ(vm_area_query(s, top - 1, &q), 0);
    MT_EQ(q.start, top - (1ULL << 20));
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_WRITE, top - (1ULL << 20) - 1), -EFAULT);
    vm_set_stack_limit(s, 2ULL << 20); /* raised: grows on */
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, top - (2ULL << 20) + 5), 0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, top - (2ULL << 20) - 5), -EFAULT);
    vm_set_stack_limit(s, 512ULL << 10); /* lowered: what was made stays */
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_WRITE, top - (2ULL << 20)), 0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_WRITE, top - (2ULL << 20) - PG), -EFAULT);
    /* an accessible area 1.5 MiB below: growth stops 1 MiB above it */
    vm_set_stack_limit(s, UINT64_MAX);
    uint64_t m = top - (2ULL << 20) - (1536ULL << 10) - PG;
    MT_EQ(vm_mmap(s, m, PG, VM_PROT_READ, VM_MAP_PRIVATE | VM_MAP_ANONYMOUS | VM_MAP_FIXED, NULL,
                  0, &x),
          0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_WRITE, m + PG + VM_GROWSDOWN_GAP), 0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_WRITE, m + PG + VM_GROWSDOWN_GAP - 1), -EFAULT);
    /* PROT_NONE: no gap, the stack grows right up to it */
    MT_EQ(vm_mprotect(s, m, PG, VM_PROT_NONE), 0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_WRITE, m + PG), 0);
    MT_EQ(vm_area_query(s, top - 1, &q), 0);
    MT_EQ(q.start, m + PG);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_WRITE, m), -EFAULT);
    MT_EQ(vm_munmap(s, m, PG), 0);
    /* RLIMIT_AS counts the growth */
    vm_set_as_limit(s, q.end - q.start + PG);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_WRITE, q.start - PG), 0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_WRITE, q.start - 2 * PG), -EFAULT);
    vm_set_as_limit(s, UINT64_MAX);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_WRITE, q.start - 2 * PG), 0);
}

MT_CASE(user_fault_entry)
{
    struct vm_space *s = mt_space;
    uint64_t a = mt_mmap_anon(PG, RW), x;

    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_WRITE, a + 1), 0);
    MT_CHECK(vm_page_present(s, a));
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, a), 0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_EXEC, a), -EFAULT);
    MT_EQ(vm_user_fault(HAL_FAULT_GENERAL, a), -EFAULT);
    MT_EQ(vm_user_fault(HAL_FAULT_ILLEGAL, a), -EFAULT);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, 0), -EFAULT);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, 0xffffffff81000000ULL), -EFAULT);
    MT_EQ(vm_mmap(s, 0, PG, VM_PROT_READ | VM_PROT_EXEC, VM_MAP_PRIVATE | VM_MAP_ANONYMOUS, NULL, 0,
                  &x),
          0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_EXEC, x), 0);
    vm_activate(NULL);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, a), -EFAULT);
    vm_activate(s);
}

MT_CASE(private_file_mapping_reads_file_pages)
{
    struct vm_space *s = mt_space;
    uint64_t a;
    struct vfs_file *f;

    fill_pattern();
    f = mt_file("/data", pattern, sizeof(pattern), VFS_O_RDONLY);
    MT_CHECK(f);
    /* map from file offset 4096, 3 pages: 2 pages + 100 bytes of data, then zeros */
    MT_EQ(vm_mmap(s, 0, 3 * PG, RW, VM_MAP_PRIVATE, f, PG, &a), 0);
    MT_EQ(vm_area_query(s, a, &q), 0);
    MT_EQ(q.kind, VM_FILE);
    MT_EQ(q.file_off, PG);
    MT_EQ(s->nr_pages, 0);
    MT_EQ(copy_from_user(buf, uptr_make(a), 3 * PG), 0);
    MT_CHECK(memcmp(buf, pattern + PG, 2 * PG + 100) == 0);
    for (size_t i = 2 * PG + 100; i < 3 * PG; i++)
        MT_EQ(buf[i], 0);
    MT_EQ(s->nr_pages, 3);
    /* private: writing the page does not touch the file */
    MT_EQ(copy_to_user(uptr_make(a + 1), "XY", 2), 0);
    uint8_t fb[4];
    MT_EQ(vfs_pread(f, fb, 4, PG), 4);
    MT_CHECK(memcmp(fb, pattern + PG, 4) == 0);
    /* the area keeps the file: closing our reference is fine */
    uint64_t b;
    MT_EQ(vm_mmap(s, 0, PG, VM_PROT_READ, VM_MAP_PRIVATE, f, 0, &b), 0);
    vfs_file_put(f);
    MT_EQ(copy_from_user(buf, uptr_make(b + 4000), 50), 0);
    MT_CHECK(memcmp(buf, pattern + 4000, 50) == 0);
    /* splitting a file area keeps offsets right */
    MT_EQ(vm_munmap(s, a, PG), 0);
    MT_EQ(vm_area_query(s, a + PG, &q), 0);
    MT_EQ(q.file_off, 2 * PG);
    MT_EQ(vm_munmap(s, a + PG, PG), 0);
    MT_EQ(vm_mprotect(s, b, PG, VM_PROT_NONE), 0);
    MT_EQ(copy_from_user(buf, uptr_make(b), 1), -EFAULT);
}

MT_CASE(file_pages_split_before_first_touch)
{
    struct vm_space *s = mt_space;
    uint64_t a;
    struct vfs_file *f;

    fill_pattern();
    f = mt_file("/d2", pattern, sizeof(pattern), VFS_O_RDWR);
    MT_CHECK(f);
    MT_EQ(vm_mmap(s, 0, 4 * PG, VM_PROT_READ, VM_MAP_PRIVATE, f, 0, &a), 0);
    vfs_file_put(f);
    MT_EQ(vm_mprotect(s, a + PG, PG, RW), 0); /* split into 3 areas before any fault */
    MT_EQ(vm_area_query(s, a + 2 * PG, &q), 0);
    MT_EQ(q.file_off, 2 * PG);
    MT_EQ(copy_from_user(buf, uptr_make(a + 2 * PG), 200), 0);
    MT_CHECK(memcmp(buf, pattern + 2 * PG, 200) == 0);
    MT_EQ(copy_from_user(buf, uptr_make(a + PG), 10), 0);
    MT_CHECK(memcmp(buf, pattern + PG, 10) == 0);
    /* the 4th page holds the file's last 100 bytes: the rest of it reads as zeros */
    MT_EQ(copy_from_user(buf, uptr_make(a + 3 * PG + 200), 10), 0);
    for (int i = 0; i < 10; i++)
        MT_EQ(buf[i], 0);
}

MT_CASE(map_request_zero_fills_past_file_bytes)
{
    struct vm_space *s = mt_space;
    struct vm_file src;
    struct vm_map_req r;
    uint64_t a;

    fill_pattern();
    MT_EQ(vm_file_mem_create(pattern, sizeof(pattern), &src), 0);
    MT_EQ(vm_file_size(&src), (long long)sizeof(pattern));
    memset(&r, 0, sizeof(r));
    r.addr = s->va_min + 0x400000;
    r.len = 3 * PG;
    r.prot = RW;
    r.kind = VM_FILE;
    r.fixed = true;
    r.file = src;
    r.file_off = PG;
    r.file_bytes = PG + 123; /* like p_filesz: the rest of the 2nd page is bss */
    MT_EQ(vm_map(s, &r, &a), 0);
    MT_EQ(a, r.addr);
    vm_file_put(&src); /* the area holds its own reference */
    MT_EQ(copy_from_user(buf, uptr_make(a), 3 * PG), 0);
    MT_CHECK(memcmp(buf, pattern + PG, PG + 123) == 0);
    for (size_t i = PG + 123; i < 3 * PG; i++)
        MT_EQ(buf[i], 0);
    /* request errors */
    r.file_off = 1;
    MT_EQ(vm_map(s, &r, &a), -EINVAL);
    r.file_off = 0;
    r.len = 0;
    MT_EQ(vm_map(s, &r, &a), -EINVAL);
    r.len = PG;
    r.file.ops = NULL;
    MT_EQ(vm_map(s, &r, &a), -EINVAL);
    r.file = src; /* stale but unused: the checks fail first */
    r.file_off = UINT64_MAX & ~(PG - 1);
    MT_EQ(vm_map(s, &r, &a), -EOVERFLOW);
}

/* A source whose reads fail, to check the error path of a file fault. */
static long bad_read(void *obj, uint64_t off, void *b, size_t n)
{
    return -EIO;
}
static int64_t bad_size(void *obj)
{
    return 1 << 20;
}
static int bad_refs;
static void bad_get(void *obj)
{
    bad_refs++;
}
static void bad_put(void *obj)
{
    bad_refs--;
}
static const struct vm_file_ops bad_ops = {
    .read = bad_read, .size = bad_size, .get = bad_get, .put = bad_put};

MT_CASE(file_read_error_is_eio)
{
    struct vm_space *s = mt_space;
    struct vm_map_req r;
    uint64_t a;

    memset(&r, 0, sizeof(r));
    r.len = 2 * PG;
    r.prot = VM_PROT_READ;
    r.kind = VM_FILE;
    r.file.ops = &bad_ops;
    r.file_bytes = UINT64_MAX;
    bad_refs = 0;
    MT_EQ(vm_map(s, &r, &a), 0);
    MT_EQ(bad_refs, 1);
    MT_EQ(vm_fault(s, a, VM_PROT_READ), -EIO);
    MT_EQ(s->nr_pages, 0);
    MT_EQ(copy_from_user(buf, uptr_make(a), 1), -EFAULT);
    MT_EQ(vm_munmap(s, a + PG, PG), 0); /* split then free: refs balance */
    MT_EQ(bad_refs, 1);
    MT_EQ(vm_munmap(s, a, PG), 0);
    MT_EQ(bad_refs, 0);
}

MT_CASE(mem_file_reads)
{
    struct vm_file m;
    char b[8];

    MT_EQ(vm_file_mem_create("hello", 5, &m), 0);
    MT_EQ(vm_file_read(&m, 1, b, 8), 4);
    MT_CHECK(memcmp(b, "ello", 4) == 0);
    MT_EQ(vm_file_read(&m, 5, b, 8), 0);
    MT_EQ(vm_file_read(&m, UINT64_MAX, b, 8), 0);
    vm_file_get(&m);
    vm_file_put(&m);
    vm_file_put(&m);
    MT_EQ(vm_file_mem_create(NULL, 0, &m), 0);
    MT_EQ(vm_file_size(&m), 0);
    vm_file_put(&m);
    MT_EQ(vm_file_mem_create(b, SIZE_MAX - 4, &m), -ENOMEM);
}

MT_CASE(vfs_file_source)
{
    struct vfs_file *f = mt_file("/v", "0123456789", 10, VFS_O_RDONLY);
    struct vm_file v;
    char b[8];

    MT_CHECK(f);
    v = vm_file_from_vfs(f);
    MT_EQ(vm_file_size(&v), 10);
    MT_EQ(vm_file_read(&v, 8, b, 8), 2);
    MT_CHECK(memcmp(b, "89", 2) == 0);
    MT_EQ(vm_file_read(&v, 1ULL << 63, b, 8), 0);
    vfs_file_put(f);
}

MT_CASE(remap_in_place_keeps_the_file_alive)
{
    struct vm_space *s = mt_space;
    struct vm_file src;
    struct vm_map_req r;
    uint64_t a, b;

    fill_pattern();
    MT_EQ(vm_file_mem_create(pattern, sizeof(pattern), &src), 0);
    memset(&r, 0, sizeof(r));
    r.len = 2 * PG;
    r.prot = VM_PROT_READ;
    r.kind = VM_FILE;
    r.file = src;
    r.file_bytes = UINT64_MAX;
    MT_EQ(vm_map(s, &r, &a), 0);
    vm_file_put(&src); /* the area holds the only reference now */
    MT_EQ(vm_area_query(s, a, &q), 0);
    /* map the same file over the area that holds it (MADV_DONTNEED done by re-mapping) */
    r.addr = a;
    r.fixed = true;
    r.file = q.file;
    MT_EQ(vm_map(s, &r, &b), 0);
    MT_EQ(b, a);
    MT_EQ(copy_from_user(buf, uptr_make(a + PG), 16), 0);
    MT_CHECK(memcmp(buf, pattern + PG, 16) == 0);
}

MT_CASE(discard_refills_pages)
{
    struct vm_space *s = mt_space;
    struct vfs_file *f;
    uint64_t a, fa;
    uint8_t v = 0;

    fill_pattern();
    a = mt_mmap_anon(2 * PG, RW);
    MT_EQ(copy_to_user(uptr_make(a + 10), "zz", 2), 0);
    f = mt_file("/dd", pattern, sizeof(pattern), VFS_O_RDONLY);
    MT_CHECK(f);
    MT_EQ(vm_mmap(s, 0, PG, RW, VM_MAP_PRIVATE, f, 0, &fa), 0);
    vfs_file_put(f);
    MT_EQ(copy_to_user(uptr_make(fa), "!", 1), 0);
    MT_EQ(s->nr_pages, 2);
    MT_EQ(vm_madvise(s, a, 2 * PG, LINUX_MADV_DONTNEED), 0);
    MT_EQ(vm_madvise(s, fa, 1, LINUX_MADV_DONTNEED), 0);
    MT_EQ(s->nr_pages, 0);
    MT_EQ(copy_from_user(&v, uptr_make(a + 10), 1), 0);
    MT_EQ(v, 0);
    MT_EQ(copy_from_user(&v, uptr_make(fa), 1), 0);
    MT_EQ(v, pattern[0]);
    MT_EQ(vm_madvise(s, a + 1, PG, LINUX_MADV_DONTNEED), -EINVAL);
    MT_EQ(vm_madvise(s, a, UINT64_MAX, LINUX_MADV_DONTNEED), -EINVAL);
    MT_EQ(vm_madvise(s, a, 0, LINUX_MADV_DONTNEED), 0);
    MT_EQ(vm_madvise(s, s->va_min, PG, LINUX_MADV_DONTNEED), -ENOMEM);
    MT_EQ(vm_madvise(s, fa - PG, 2 * PG, LINUX_MADV_DONTNEED), -ENOMEM); /* starts in a hole */
    MT_EQ(vm_munmap(s, a + PG, PG), 0);
    MT_EQ(vm_madvise(s, a, 2 * PG, LINUX_MADV_DONTNEED), -ENOMEM); /* runs into one */
    MT_EQ(s->nr_pages, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fault_checks_area_and_access),
        cmocka_unit_test(stack_grows_within_its_limit),
        cmocka_unit_test(user_fault_entry),
        cmocka_unit_test(private_file_mapping_reads_file_pages),
        cmocka_unit_test(file_pages_split_before_first_touch),
        cmocka_unit_test(map_request_zero_fills_past_file_bytes),
        cmocka_unit_test(file_read_error_is_eio),
        cmocka_unit_test(mem_file_reads),
        cmocka_unit_test(vfs_file_source),
        cmocka_unit_test(remap_in_place_keeps_the_file_alive),
        cmocka_unit_test(discard_refills_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
