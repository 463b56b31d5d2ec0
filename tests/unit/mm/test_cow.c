/*
 * test_cow.c - private file mappings share the page cache's pages until written
 * (core/mm/fault.c, fs/vfs/pcache.c vfs_mmap_share): a read fault, and fault-around, map
 * the cache's own page read-only and pinned; a store (user write fault, or the kernel's copy
 * to user) copies it. Each rule below was checked natively first (Linux 6.x): a write(2) to
 * the file shows in a private mapping until the page is written, then no more; MADV_DONTNEED
 * drops the copy (the file's bytes again); mprotect and mremap keep the page private.
 * The pins: munmap, MADV_DONTNEED, a copy, and the space's end release them; a pinned page
 * is never evicted; at most half the cache is pinned this way (copies past that).
 */
#include "mt.h"

#include "core/lib/alloc.h"
#include "fs/tfs/tfs.h"
#include "fs/vfs/vfs_tfs.h"
#include "hal/hal_errno.h"
#include "hal/hal_user.h"

#define RW (VM_PROT_READ | VM_PROT_WRITE)
#define NPAGES 40
#define IMG_BLOCKS 1024 /* 4 MiB */

static uint8_t data[NPAGES * PG];
static uint8_t buf[PG];
static uint8_t image[IMG_BLOCKS * TFS_BLOCK_SIZE];
static struct tfs_memdev md;

static uint8_t byte_at(uint64_t off)
{
    return (uint8_t)(off * 7 + (off >> 12) * 13 + 1);
}

/* /t: a fresh TFS volume (page cache of cache_pages) holding /t/f (NPAGES pages of the
 * pattern), mounted again so that nothing of it is cached; *f open read-write on it. */
static int tfs_file(uint64_t cache_pages, struct vfs_file **f)
{
    struct tfs_format_opts o;
    struct vfs_tfs_opts mo = {.cache_bytes = cache_pages * PG};
    int rc;

    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = byte_at(i);
    memset(image, 0, sizeof(image));
    tfs_memdev_init(&md, image, IMG_BLOCKS);
    memset(&o, 0, sizeof(o));
    *f = NULL;
    rc = tfs_format(&md.dev, &o);
    if (rc == 0)
        rc = vfs_mkdirat(NULL, "/t", 0755);
    if (rc == 0)
        rc = vfs_tfs_mount(NULL, "/t", &md.dev, &mo, NULL);
    if (rc == 0)
        rc = vfs_openat(NULL, "/t/f", VFS_O_RDWR | VFS_O_CREAT, 0644, f);
    if (rc == 0)
        rc = vfs_write(*f, data, NPAGES * PG) == NPAGES * PG ? 0 : -EIO;
    if (*f)
        vfs_file_put(*f);
    *f = NULL;
    if (rc == 0)
        rc = vfs_umount(NULL, "/t");
    if (rc == 0)
        rc = vfs_tfs_mount(NULL, "/t", &md.dev, &mo, NULL);
    if (rc == 0)
        rc = vfs_openat(NULL, "/t/f", VFS_O_RDWR, 0, f);
    return rc;
}

static uint64_t base(void)
{
    return (mt_space->va_min + 0x400000 + 0xffff) & ~0xffffULL;
}

static uint64_t pinned(struct vfs_file *f)
{
    struct vfs_pcache_stats st;

    vfs_pcache_get_stats(f->inode->sb, &st);
    return st.mapped;
}

/* The byte at user address va (-1: unreadable). */
static int peek(uint64_t va)
{
    uint8_t c;

    return copy_from_user(&c, uptr_make(va), 1) ? -1 : c;
}

/* Can the page tables (not the VM) take a store at va? */
static bool writable_now(uint64_t va)
{
    uint8_t c = 0;

    return hal_copy_from_user(&c, va, 1) == 0 && hal_copy_to_user(va, &c, 1) == 0;
}

static void pwrite1(struct vfs_file *f, char c, uint64_t off)
{
    (void)vfs_pwrite(f, &c, 1, (int64_t)off);
}

/* A read fault maps the cache's page: a write(2) shows in the mapping until the page is
 * written; the store copies it (the file keeps its bytes) and releases the pin. */
MT_CASE_RAM(read_shares_until_written, 128u << 20)
{
    struct vfs_file *f = NULL;
    struct vm_fault_stats s0, s1;
    uint64_t a = base(), got;

    MT_EQ(tfs_file(256, &f), 0);
    MT_EQ(vm_mmap(mt_space, a, 4 * PG, RW, VM_MAP_PRIVATE | VM_MAP_FIXED, f, 0, &got), 0);
    vm_get_fault_stats(&s0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, a + 17), 0);
    vm_get_fault_stats(&s1);
    MT_EQ(s1.file_ro - s0.file_ro, 4); /* the page and its 3 cached neighbours */
    MT_EQ(pinned(f), 4);
    MT_EQ(peek(a + 17), byte_at(17));
    MT_CHECK(!writable_now(a + 17)); /* read-only although the area is writable */
    pwrite1(f, 'b', 17);
    pwrite1(f, 'b', 2 * PG);
    MT_EQ(peek(a + 17), 'b');
    MT_EQ(peek(a + 2 * PG), 'b'); /* a neighbour is the cache's page too */
    /* the user's store: a write fault on the present page copies it */
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_WRITE, a + 18), 0);
    MT_EQ(pinned(f), 3);
    MT_CHECK(writable_now(a + 18));
    MT_EQ(copy_to_user(uptr_make(a + 18), "X", 1), 0);
    vm_get_fault_stats(&s0);
    MT_EQ(s0.cow - s1.cow, 1);
    pwrite1(f, 'c', 17);
    MT_EQ(peek(a + 17), 'b'); /* private now: the file's later bytes no longer show */
    MT_EQ(peek(a + 18), 'X');
    uint8_t c = 0;
    MT_EQ(vfs_pread(f, &c, 1, 18), 1);
    MT_EQ(c, byte_at(18)); /* the store never reached the file */
    /* a kernel copy to user (read(2) into the buffer) copies too */
    MT_EQ(vfs_pread(f, buf, 4, 17), 4);
    MT_EQ(copy_to_user(uptr_make(a + PG + 5), buf, 4), 0);
    MT_EQ(pinned(f), 2);
    MT_EQ(peek(a + PG + 5), 'c');
    MT_EQ(vm_munmap(mt_space, a, 4 * PG), 0);
    MT_EQ(pinned(f), 0);
    vfs_file_put(f);
    MT_EQ(vfs_umount(NULL, "/t"), 0);
}

/* A write fault on an absent page copies at once (no pin, no fault-around); a page holding
 * bss or the file's last partial page is a copy too. */
MT_CASE_RAM(writes_bss_and_partial_pages_copy, 128u << 20)
{
    struct vfs_file *f = NULL;
    struct vm_fault_stats s0, s1;
    uint64_t a = base(), got;

    MT_EQ(tfs_file(256, &f), 0);
    MT_EQ(vm_mmap(mt_space, a, 4 * PG, RW, VM_MAP_PRIVATE | VM_MAP_FIXED, f, 0, &got), 0);
    vm_get_fault_stats(&s0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_WRITE, a + PG), 0);
    vm_get_fault_stats(&s1);
    MT_EQ(s1.file - s0.file, 1);
    MT_EQ(s1.file_ro - s0.file_ro, 0);
    MT_EQ(pinned(f), 0);
    MT_CHECK(writable_now(a + PG));
    MT_EQ(vm_munmap(mt_space, a, 4 * PG), 0);
    /* the file cut to 2.5 pages: page 2 is its partial last page */
    MT_EQ(vfs_ftruncate(f, 2 * PG + PG / 2), 0);
    MT_EQ(vm_mmap(mt_space, a, 3 * PG, VM_PROT_READ, VM_MAP_PRIVATE | VM_MAP_FIXED, f, 0, &got),
          0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, a + 2 * PG), 0);
    MT_EQ(pinned(f), 2); /* pages 0 and 1 (around); page 2 a copy */
    pwrite1(f, 'q', 2 * PG);
    MT_EQ(peek(a + 2 * PG), byte_at(2 * PG)); /* the copy (documented: CAVEATS) */
    pwrite1(f, 'q', PG);
    MT_EQ(peek(a + PG), 'q');
    MT_EQ(vm_munmap(mt_space, a, 3 * PG), 0);
    /* an area whose file bytes end inside page 1 (an ELF segment with bss) */
    struct vm_map_req r;
    memset(&r, 0, sizeof(r));
    r.addr = a;
    r.len = 3 * PG;
    r.prot = RW;
    r.kind = VM_FILE;
    r.fixed = true;
    r.file = vm_file_from_vfs(f);
    r.file_bytes = PG + 100;
    MT_EQ(vm_map(mt_space, &r, &got), 0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, a + PG), 0);
    MT_EQ(pinned(f), 1); /* page 0 around it; page 1 (bss from byte 100) a copy */
    MT_EQ(peek(a + PG), 'q');
    MT_EQ(peek(a + PG + 99), byte_at(PG + 99));
    MT_EQ(peek(a + PG + 100), 0);
    MT_EQ(vm_munmap(mt_space, a, 3 * PG), 0);
    MT_EQ(pinned(f), 0);
    vfs_file_put(f);
    MT_EQ(vfs_umount(NULL, "/t"), 0);
}

/* mprotect adding PROT_WRITE leaves shared pages read-only (a store still copies); mremap
 * moves them read-only and still shared. */
MT_CASE_RAM(mprotect_and_mremap_keep_pages_shared, 128u << 20)
{
    struct vfs_file *f = NULL;
    uint64_t a = base(), got;

    MT_EQ(tfs_file(256, &f), 0);
    MT_EQ(vm_mmap(mt_space, a, 4 * PG, VM_PROT_READ, VM_MAP_PRIVATE | VM_MAP_FIXED, f, 0, &got),
          0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, a), 0);
    MT_EQ(pinned(f), 4);
    MT_EQ(vm_mprotect(mt_space, a, 4 * PG, RW), 0);
    MT_CHECK(!writable_now(a + PG));
    MT_EQ(copy_to_user(uptr_make(a + PG), "Y", 1), 0);
    MT_CHECK(writable_now(a + PG));
    MT_EQ(pinned(f), 3);
    MT_EQ(vm_mprotect(mt_space, a, 4 * PG, VM_PROT_NONE), 0);
    MT_EQ(peek(a), -1);
    MT_EQ(vm_mprotect(mt_space, a, 4 * PG, RW), 0);
    MT_CHECK(!writable_now(a + 2 * PG));
    MT_CHECK(writable_now(a + PG));
    /* move it: the shared pages stay read-only and shared, the copy stays the copy */
    uint64_t b = a + 64 * PG;
    MT_EQ(vm_mremap(mt_space, a, 4 * PG, 8 * PG, LINUX_MREMAP_MAYMOVE | LINUX_MREMAP_FIXED, b),
          (long)b);
    MT_EQ(pinned(f), 3);
    MT_CHECK(!writable_now(b + 2 * PG));
    pwrite1(f, 'm', 2 * PG);
    pwrite1(f, 'm', PG + 1);
    MT_EQ(peek(b + 2 * PG), 'm');
    MT_EQ(peek(b + PG), 'Y');
    MT_EQ(peek(b + PG + 1), byte_at(PG + 1));
    MT_EQ(copy_to_user(uptr_make(b + 2 * PG + 1), "Z", 1), 0);
    MT_EQ(peek(b + 2 * PG), 'm');
    MT_EQ(pinned(f), 2);
    MT_EQ(vm_munmap(mt_space, b, 8 * PG), 0);
    MT_EQ(pinned(f), 0);
    vfs_file_put(f);
    MT_EQ(vfs_umount(NULL, "/t"), 0);
}

/* MADV_DONTNEED drops the copy and the pin: the next touch sees the file's bytes now. */
MT_CASE_RAM(dontneed_drops_copies_and_pins, 128u << 20)
{
    struct vfs_file *f = NULL;
    uint64_t a = base(), got;

    MT_EQ(tfs_file(256, &f), 0);
    MT_EQ(vm_mmap(mt_space, a, 2 * PG, RW, VM_MAP_PRIVATE | VM_MAP_FIXED, f, 0, &got), 0);
    MT_EQ(copy_to_user(uptr_make(a + 1), "X", 1), 0); /* a write fault: a copy */
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, a + PG), 0);
    MT_EQ(pinned(f), 1);
    pwrite1(f, 'd', 0);
    pwrite1(f, 'd', PG);
    MT_EQ(peek(a), byte_at(0));
    MT_EQ(vm_madvise(mt_space, a, 2 * PG, LINUX_MADV_DONTNEED), 0);
    MT_EQ(pinned(f), 0);
    MT_EQ(mt_space->nr_pages, 0);
    MT_EQ(peek(a), 'd');
    MT_EQ(peek(a + 1), byte_at(1));
    MT_EQ(peek(a + PG), 'd');
    MT_EQ(vm_munmap(mt_space, a, 2 * PG), 0);
    vfs_file_put(f);
    MT_EQ(vfs_umount(NULL, "/t"), 0);
}

/* A pinned page is never evicted, however much else the cache reads; at most half the
 * budget is pinned by private mappings, and past that the faults make copies. The space's
 * end (exit, exec) releases every pin. */
MT_CASE_RAM(pins_hold_pages_and_are_capped, 128u << 20)
{
    struct vfs_file *f = NULL;
    struct vfs_pcache_stats p0, p1;
    struct vm_fault_stats s0, s1;
    uint64_t a = base(), got;

    MT_EQ(tfs_file(16, &f), 0); /* a 16-page cache: 8 pins at most */
    MT_EQ(vm_mmap(mt_space, a, NPAGES * PG, VM_PROT_READ, VM_MAP_PRIVATE | VM_MAP_FIXED, f, 0,
                  &got),
          0);
    vm_get_fault_stats(&s0);
    for (unsigned i = 0; i < NPAGES; i += 4)
        MT_EQ(vm_fault(mt_space, a + i * PG, VM_PROT_READ), 0); /* kernel faults: one page */
    vm_get_fault_stats(&s1);
    MT_EQ(s1.file - s0.file, NPAGES / 4);
    MT_EQ(s1.file_ro - s0.file_ro, 8);
    MT_EQ(pinned(f), 8);
    vfs_pcache_get_stats(f->inode->sb, &p0);
    for (unsigned i = 0; i < NPAGES; i++) /* the whole file through the 16-page cache */
        MT_EQ(vfs_pread(f, buf, PG, (int64_t)(i * PG)), (long)PG);
    vfs_pcache_get_stats(f->inode->sb, &p1);
    MT_CHECK(p1.evictions > p0.evictions);
    MT_EQ(p1.mapped, 8);
    pwrite1(f, 'p', 0);
    pwrite1(f, 'p', 36 * PG);
    MT_EQ(peek(a), 'p');                          /* pinned: still the cache's page */
    MT_EQ(peek(a + 36 * PG), byte_at(36 * PG));  /* past the cap: a copy */
    for (unsigned i = 0; i < NPAGES; i += 4)
        MT_EQ(peek(a + i * PG + 1), byte_at(i * PG + 1));
    /* the space's end releases the pins (the area's file reference keeps f open) */
    vm_space_destroy(mt_space);
    MT_EQ(vm_space_create(&mt_space), 0);
    vm_activate(mt_space);
    MT_EQ(pinned(f), 0);
    vfs_file_put(f);
    MT_EQ(vfs_umount(NULL, "/t"), 0);
}

/* Truncation under a shared page: the page stays pinned and reads zeros (Linux unmaps it:
 * SIGBUS; docs/memory.md), a fault past the new end is SIGBUS, munmap frees the page. */
MT_CASE_RAM(truncation_under_a_shared_page, 128u << 20)
{
    struct vfs_file *f = NULL;
    uint64_t a = base(), got;

    MT_EQ(tfs_file(256, &f), 0);
    MT_EQ(vm_mmap(mt_space, a, 4 * PG, VM_PROT_READ, VM_MAP_PRIVATE | VM_MAP_FIXED, f, 0, &got),
          0);
    MT_EQ(vm_fault(mt_space, a + 2 * PG, VM_PROT_READ), 0);
    MT_EQ(pinned(f), 1);
    MT_EQ(vfs_ftruncate(f, PG), 0);
    MT_EQ(peek(a + 2 * PG), 0);
    MT_EQ(vm_fault(mt_space, a + 3 * PG, VM_PROT_READ), -EIO);
    MT_EQ(vm_fault(mt_space, a, VM_PROT_READ), 0);
    MT_EQ(peek(a), byte_at(0));
    MT_EQ(vm_munmap(mt_space, a, 4 * PG), 0);
    MT_EQ(pinned(f), 0);
    struct vfs_pcache_stats st;
    vfs_pcache_get_stats(f->inode->sb, &st);
    MT_EQ(st.pages, 1); /* the cut page went with its last pin */
    vfs_file_put(f);
    MT_EQ(vfs_umount(NULL, "/t"), 0);
}

/* memfs files (no page cache) and kernel buffers are copied at the fault, as before. */
MT_CASE(memfs_pages_are_copies)
{
    struct vm_fault_stats s0, s1;
    struct vfs_file *f;
    uint64_t a = base(), got;

    for (size_t i = 0; i < 4 * PG; i++)
        data[i] = byte_at(i);
    f = mt_file("/m", data, 4 * PG, VFS_O_RDWR);
    MT_CHECK(f != NULL);
    MT_EQ(vm_mmap(mt_space, a, 4 * PG, VM_PROT_READ, VM_MAP_PRIVATE | VM_MAP_FIXED, f, 0, &got),
          0);
    vm_get_fault_stats(&s0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, a), 0);
    vm_get_fault_stats(&s1);
    MT_EQ(s1.file - s0.file, 1);
    MT_EQ(s1.file_ro, s0.file_ro);
    pwrite1(f, 'z', 0);
    MT_EQ(peek(a), byte_at(0));
    vfs_file_put(f);
}

/* read(2)'s direct copy (under the filesystem's lock) into a page the mapping shares with
 * the cache stops at it (the page tables refuse the store) and leaves it to the fallback,
 * whose copy_to_user copies the page outside the lock: no fault under the lock. */
MT_CASE_RAM(read_into_a_shared_page_falls_back, 128u << 20)
{
    struct vfs_file *f = NULL;
    uint64_t a = base(), got, pos = 5 * PG;
    bool fallback = false;

    MT_EQ(tfs_file(256, &f), 0);
    MT_EQ(vm_mmap(mt_space, a, 4 * PG, RW, VM_MAP_PRIVATE | VM_MAP_FIXED, f, 0, &got), 0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, a), 0);
    MT_EQ(vfs_read_user_at(f, a + PG, 100, &pos, &fallback), 0);
    MT_CHECK(fallback);
    MT_EQ(pos, 5 * PG);
    MT_EQ(vfs_pread(f, buf, 100, 5 * PG), 100);
    MT_EQ(copy_to_user(uptr_make(a + PG), buf, 100), 0);
    MT_EQ(peek(a + PG), byte_at(5 * PG));
    MT_EQ(peek(a + PG + 100), byte_at(PG + 100));
    MT_EQ(pinned(f), 3);
    MT_EQ(vm_munmap(mt_space, a, 4 * PG), 0);
    vfs_file_put(f);
    MT_EQ(vfs_umount(NULL, "/t"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(read_shares_until_written),
        cmocka_unit_test(writes_bss_and_partial_pages_copy),
        cmocka_unit_test(mprotect_and_mremap_keep_pages_shared),
        cmocka_unit_test(dontneed_drops_copies_and_pins),
        cmocka_unit_test(pins_hold_pages_and_are_capped),
        cmocka_unit_test(truncation_under_a_shared_page),
        cmocka_unit_test(memfs_pages_are_copies),
        cmocka_unit_test(read_into_a_shared_page_falls_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
