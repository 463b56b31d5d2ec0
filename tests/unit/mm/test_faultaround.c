/*
 * test_faultaround.c - fault-around (core/mm/fault.c): a user read or exec fault on a private
 * file page also maps the neighbours whose bytes are at hand, inside the 64 KiB-aligned window,
 * the area, below file_end and wholly inside the file; write faults and kernel copies map only
 * their page; each neighbour is a private copy (writes never reach the file), mprotect covers
 * it; over the page cache (TFS) only cached pages are mapped and nothing is read.
 */
#include "mt.h"

#include "core/lib/alloc.h"
#include "fs/tfs/tfs.h"
#include "fs/vfs/vfs_tfs.h"
#include "hal/hal_errno.h"

#define RW (VM_PROT_READ | VM_PROT_WRITE)
#define WIN (16 * PG) /* FAULT_AROUND_PAGES */
#define NPAGES 40

static uint8_t data[NPAGES * PG + 100];
static uint8_t buf[PG];

static uint8_t byte_at(uint64_t off)
{
    return (uint8_t)(off * 7 + (off >> 12) * 13 + 1);
}

static void fill_data(void)
{
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = byte_at(i);
}

/* Map a kernel copy of data[0..size) privately at the fixed address at, from file offset off,
 * len bytes, file_bytes of them file data. */
static int map_mem(uint64_t at, uint64_t len, size_t size, uint64_t off, uint64_t file_bytes,
                   unsigned prot)
{
    struct vm_map_req r;
    uint64_t a;
    int rc;

    memset(&r, 0, sizeof(r));
    r.addr = at;
    r.len = len;
    r.prot = prot;
    r.kind = VM_FILE;
    r.fixed = true;
    r.file_off = off;
    r.file_bytes = file_bytes;
    rc = vm_file_mem_create(data, size, &r.file);
    if (rc)
        return rc;
    rc = vm_map(mt_space, &r, &a);
    vm_file_put(&r.file);
    return rc;
}

/* Pages of [a, a + n pages) present, as a bit mask. */
static uint64_t present(uint64_t a, unsigned n)
{
    uint64_t m = 0;

    for (unsigned i = 0; i < n; i++)
        if (vm_page_present(mt_space, a + i * PG))
            m |= 1ULL << i;
    return m;
}

/* The page at va reads as file offset off's bytes. */
static bool page_is(uint64_t va, uint64_t off)
{
    if (copy_from_user(buf, uptr_make(va), PG))
        return false;
    for (size_t i = 0; i < PG; i++)
        if (buf[i] != byte_at(off + i))
            return false;
    return true;
}

static uint64_t window_base(void)
{
    return (mt_space->va_min + 0x400000 + WIN - 1) & ~(WIN - 1);
}

MT_CASE(read_fault_maps_the_window)
{
    struct vm_fault_stats st0, st1;
    uint64_t a = window_base();

    fill_data();
    MT_EQ(map_mem(a, NPAGES * PG, sizeof(data), 0, UINT64_MAX, VM_PROT_READ), 0);
    vm_get_fault_stats(&st0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, a + 5 * PG + 17), 0);
    vm_get_fault_stats(&st1);
    MT_EQ(present(a, NPAGES), 0xffff); /* the aligned 16 pages, not one more */
    MT_EQ(mt_space->nr_pages, 16);
    MT_EQ(st1.around - st0.around, 15);
    MT_EQ(st1.file - st0.file, 16);
    for (unsigned i = 0; i < 16; i++)
        MT_CHECK(page_is(a + i * PG, i * PG));
    /* the last window: 16..31, then 32..39 of which 39 is the file's last whole page */
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_EXEC, a + 31 * PG), -EFAULT); /* no PROT_EXEC */
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, a + 39 * PG), 0);
    MT_EQ(present(a, NPAGES) >> 32, 0xff);
    MT_EQ(present(a, NPAGES) & 0xffff0000ULL, 0);
    MT_CHECK(page_is(a + 39 * PG, 39 * PG));
    /* a fault on a present page (spurious) maps nothing more */
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, a + 3 * PG), 0);
    MT_EQ(mt_space->nr_pages, 24);
}

/* The window stops at the area's ends: the areas around are another file's and anonymous. */
MT_CASE(window_stays_inside_the_area)
{
    uint64_t a = window_base();

    fill_data();
    MT_EQ(map_mem(a, 3 * PG, sizeof(data), 0, UINT64_MAX, VM_PROT_READ), 0);
    MT_EQ(map_mem(a + 3 * PG, 5 * PG, sizeof(data), 8 * PG, UINT64_MAX, VM_PROT_READ), 0);
    uint64_t x;
    MT_EQ(vm_mmap(mt_space, a + 8 * PG, 8 * PG, VM_PROT_READ,
                  VM_MAP_PRIVATE | VM_MAP_ANONYMOUS | VM_MAP_FIXED, NULL, 0, &x), 0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, a + 4 * PG), 0);
    MT_EQ(present(a, 16), 0xf8); /* pages 3..7: the second area only */
    MT_CHECK(page_is(a + 3 * PG, 8 * PG));
    MT_CHECK(page_is(a + 7 * PG, 12 * PG));
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, a + 1 * PG), 0);
    MT_EQ(present(a, 16), 0xff);
    MT_CHECK(page_is(a, 0));
}

/* file_end (an ELF segment's bss) and the end of the file bound the window: a page with
 * bss or past the file's last whole page is left to its own fault (zeroed tail, SIGBUS). */
MT_CASE(window_stops_at_file_end_and_eof)
{
    uint64_t a = window_base();

    fill_data();
    /* 6 pages; file bytes end 123 bytes into page 2 (the rest bss) */
    MT_EQ(map_mem(a, 6 * PG, sizeof(data), 0, 2 * PG + 123, RW), 0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, a), 0);
    MT_EQ(present(a, 6), 0x3);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, a + 2 * PG), 0);
    MT_EQ(present(a, 6), 0x7);
    MT_EQ(copy_from_user(buf, uptr_make(a + 2 * PG), PG), 0);
    MT_CHECK(memcmp(buf, data + 2 * PG, 123) == 0);
    for (size_t i = 123; i < PG; i++)
        MT_EQ(buf[i], 0);
    /* a file of 2.5 pages mapped over 5: page 2 is its partial last one, 3 and 4 past EOF */
    uint64_t b = a + WIN;
    MT_EQ(map_mem(b, 5 * PG, 2 * PG + PG / 2, 0, UINT64_MAX, VM_PROT_READ), 0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, b + PG), 0);
    MT_EQ(present(b, 5), 0x3);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, b + 2 * PG), 0);
    MT_EQ(copy_from_user(buf, uptr_make(b + 2 * PG), PG), 0);
    MT_CHECK(memcmp(buf, data + 2 * PG, PG / 2) == 0);
    MT_EQ(buf[PG / 2], 0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, b + 3 * PG), -EIO); /* SIGBUS BUS_ADRERR */
    MT_EQ(present(b, 5), 0x7);
}

/* Write faults and the kernel's own copies map their page only, as Linux (do_cow_fault). */
MT_CASE(write_faults_and_kernel_copies_map_one_page)
{
    uint64_t a = window_base();

    fill_data();
    MT_EQ(map_mem(a, 16 * PG, sizeof(data), 0, UINT64_MAX, RW), 0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_WRITE, a + 2 * PG), 0);
    MT_EQ(present(a, 16), 0x4);
    MT_EQ(copy_from_user(buf, uptr_make(a + 5 * PG), 8), 0);
    MT_EQ(present(a, 16), 0x24);
    MT_EQ(vm_fault(mt_space, a + 9 * PG, VM_PROT_READ), 0);
    MT_EQ(present(a, 16), 0x224);
}

/* Neighbours are private copies: a store changes this space's page only; mprotect covers
 * them like any other page. */
MT_CASE(neighbours_are_private_and_follow_mprotect)
{
    uint64_t a = window_base();
    static const char xy[] = "XY";

    fill_data();
    MT_EQ(map_mem(a, 16 * PG, sizeof(data), 0, UINT64_MAX, RW), 0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, a), 0);
    MT_EQ(present(a, 16), 0xffff);
    MT_EQ(copy_to_user(uptr_make(a + 7 * PG + 5), xy, 2), 0);
    MT_EQ(data[7 * PG + 5], byte_at(7 * PG + 5)); /* the source is untouched */
    MT_EQ(copy_from_user(buf, uptr_make(a + 7 * PG), PG), 0);
    MT_EQ(buf[5], 'X');
    MT_EQ(buf[4], byte_at(7 * PG + 4));
    MT_EQ(vm_mprotect(mt_space, a + 4 * PG, 4 * PG, VM_PROT_NONE), 0);
    MT_EQ(copy_from_user(buf, uptr_make(a + 7 * PG), 1), -EFAULT);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, a + 5 * PG), -EFAULT);
    MT_EQ(vm_mprotect(mt_space, a + 4 * PG, 4 * PG, VM_PROT_READ), 0);
    MT_EQ(copy_to_user(uptr_make(a + 6 * PG), xy, 2), -EFAULT);
    MT_EQ(copy_from_user(buf, uptr_make(a + 7 * PG), PG), 0);
    MT_EQ(buf[5], 'X'); /* the copy kept its store through the protection changes */
    /* read-only neighbours of a read-only area stay read-only */
    uint64_t b = a + WIN;
    MT_EQ(map_mem(b, 4 * PG, sizeof(data), 0, UINT64_MAX, VM_PROT_READ), 0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, b), 0);
    MT_EQ(present(b, 4), 0xf);
    MT_EQ(copy_to_user(uptr_make(b + 2 * PG), xy, 2), -EFAULT);
    MT_EQ(vm_munmap(mt_space, b, 4 * PG), 0);
    MT_EQ(present(b, 4), 0);
}

/* --- over the page cache (TFS) ------------------------------------------------------------ */

#define IMG_BLOCKS 1024 /* 4 MiB */
static uint8_t image[IMG_BLOCKS * TFS_BLOCK_SIZE];
static struct tfs_memdev md;

/* /t: a fresh TFS volume holding /t/f (NPAGES pages of the pattern), mounted again so that
 * nothing of it is cached; *f open read-write on it. */
static int tfs_file(struct vfs_file **f)
{
    struct tfs_format_opts o;
    struct vfs_tfs_opts mo = {.cache_bytes = 256 * PG};
    int rc;

    memset(image, 0, sizeof(image));
    tfs_memdev_init(&md, image, IMG_BLOCKS);
    memset(&o, 0, sizeof(o));
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

/* Only pages already cached are mapped around; the fault reads nothing more when its own
 * page is cached (no read-around then), and the file is unchanged by stores. */
MT_CASE_RAM(maps_only_cached_pages, 128u << 20)
{
    struct vfs_file *f = NULL;
    uint64_t a = window_base(), got;
    struct vfs_pcache_stats p0, p1;

    fill_data();
    MT_EQ(tfs_file(&f), 0);
    MT_EQ(vfs_pread(f, buf, PG, 3 * PG), (long)PG); /* not sequential: page 3 alone */
    MT_EQ(vfs_pread(f, buf, 10, 7 * PG + 1), 10);
    MT_EQ(vm_mmap(mt_space, a, 16 * PG, RW, VM_MAP_PRIVATE | VM_MAP_FIXED, f, 0, &got), 0);
    MT_EQ(got, a);
    vfs_pcache_get_stats(f->inode->sb, &p0);
    MT_EQ(p0.pages, 2);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, a + 3 * PG), 0);
    vfs_pcache_get_stats(f->inode->sb, &p1);
    MT_EQ(p1.fill_reads, p0.fill_reads); /* nothing read */
    MT_EQ(present(a, 16), 0x88);
    MT_CHECK(page_is(a + 7 * PG, 7 * PG));
    /* a store into the neighbour stays in this space */
    MT_EQ(copy_to_user(uptr_make(a + 7 * PG), "Z", 1), 0);
    uint8_t c = 0;
    MT_EQ(vfs_pread(f, &c, 1, 7 * PG), 1);
    MT_EQ(c, byte_at(7 * PG));
    /* a miss reads the absent run around it (after the cached page 7: 8..15), and the
     * window then maps what is cached */
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, a + 12 * PG), 0);
    MT_EQ(present(a, 16), 0xff88);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, a + 1 * PG), 0); /* reads 0..2 */
    MT_EQ(present(a, 16), 0xff8f);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, a + 5 * PG), 0); /* reads 4..6 */
    MT_EQ(present(a, 16), 0xffff);
    for (unsigned i = 0; i < 16; i++)
        if (i != 7)
            MT_CHECK(page_is(a + i * PG, i * PG));
    MT_EQ(vm_munmap(mt_space, a, 16 * PG), 0);
    /* truncated to 2.5 pages: pages past the end are neither cached nor mapped around, and
     * a fault there is SIGBUS */
    MT_EQ(vfs_ftruncate(f, 2 * PG + PG / 2), 0);
    MT_EQ(vm_mmap(mt_space, a, 16 * PG, VM_PROT_READ, VM_MAP_PRIVATE | VM_MAP_FIXED, f, 0, &got),
          0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, a), 0);
    MT_EQ(present(a, 16), 0x3);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, a + 3 * PG), -EIO);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, a + 2 * PG), 0);
    MT_EQ(present(a, 16), 0x7);
    MT_EQ(vm_munmap(mt_space, a, 16 * PG), 0);
    vfs_file_put(f);
    MT_EQ(vfs_umount(NULL, "/t"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(read_fault_maps_the_window),
        cmocka_unit_test(window_stays_inside_the_area),
        cmocka_unit_test(window_stops_at_file_end_and_eof),
        cmocka_unit_test(write_faults_and_kernel_copies_map_one_page),
        cmocka_unit_test(neighbours_are_private_and_follow_mprotect),
        cmocka_unit_test(maps_only_cached_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
