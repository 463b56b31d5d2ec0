/*
 * test_shared.c - shared file mappings through the page cache (memfs and TFS), SIGBUS past
 * the end of a file, truncation under a mapping, pinned pages surviving eviction, msync
 * write-back and a clean fsck, and mremap moving pages.
 */
#include "mt.h"

#include "core/abi/mman.h"
#include "fs/tfs/tfs.h"
#include "fs/vfs/vfs_tfs.h"
#include "hal/hal_errno.h"

#define RW (VM_PROT_READ | VM_PROT_WRITE)
#define IMG_BLOCKS 512u

static uint8_t image[IMG_BLOCKS * TFS_BLOCK_SIZE];
static struct tfs_memdev md;
static uint8_t buf[8 * 4096];
static struct vm_area q;

static int peek(uint64_t a, void *out, size_t n)
{
    return copy_from_user(out, uptr_make(a), n);
}

static int poke(uint64_t a, const void *in, size_t n)
{
    return copy_to_user(uptr_make(a), in, n);
}

MT_CASE(shared_memfs_mapping_is_the_file)
{
    struct vm_space *s = mt_space;
    struct vfs_file *f = mt_file("/sh", "hello", 5, VFS_O_RDWR);
    uint64_t a, b;
    char t[8] = {0};

    MT_CHECK(f);
    MT_EQ(vm_mmap(s, 0, 2 * PG, RW, VM_MAP_SHARED, f, 0, &a), 0);
    MT_EQ(vm_mmap(s, 0, PG, VM_PROT_READ, VM_MAP_SHARED, f, 0, &b), 0);
    MT_EQ(poke(a, "HE", 2), 0);
    MT_EQ(vfs_pread(f, t, 8, 0), 5);
    MT_CHECK(memcmp(t, "HEllo", 5) == 0);
    MT_EQ(peek(b, t, 5), 0); /* a second mapping sees the same page */
    MT_CHECK(memcmp(t, "HEllo", 5) == 0);
    MT_EQ(vfs_pwrite(f, "xyz", 3, 2), 3);
    MT_EQ(peek(a, t, 5), 0);
    MT_CHECK(memcmp(t, "HExyz", 5) == 0);
    /* the tail of the last page reads zeros; the page after it is SIGBUS (-EIO) */
    MT_EQ(peek(a + 5, t, 3), 0);
    MT_EQ(t[0] | t[1] | t[2], 0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, a + PG), -EIO);
    MT_EQ(peek(a + PG, t, 1), -EFAULT);
    /* growing the file makes the page exist */
    MT_EQ(vfs_ftruncate(f, 2 * PG), 0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_WRITE, a + PG), 0);
    MT_EQ(poke(a + PG + 10, "Q", 1), 0);
    MT_EQ(vfs_pread(f, t, 1, PG + 10), 1);
    MT_EQ(t[0], 'Q');
    /* truncation under a mapping zeroes the mapped page instead of freeing it */
    MT_EQ(vfs_ftruncate(f, 0), 0);
    MT_EQ(peek(a, t, 2), 0);
    MT_EQ(t[0] | t[1], 0);
    MT_EQ(vm_munmap(s, a, 2 * PG), 0);
    MT_EQ(vm_munmap(s, b, PG), 0);
    MT_EQ(s->nr_pages, 0);
    vfs_file_put(f);
}

MT_CASE(private_mapping_past_eof_is_sigbus)
{
    struct vm_space *s = mt_space;
    struct vfs_file *f = mt_file("/pv", "abc", 3, VFS_O_RDONLY);
    uint64_t a;

    MT_CHECK(f);
    MT_EQ(vm_mmap(s, 0, 2 * PG, RW, VM_MAP_PRIVATE, f, 0, &a), 0);
    vfs_file_put(f);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_WRITE, a), 0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, a + PG), -EIO);
}

MT_CASE(shared_anon_grown_past_object_is_sigbus)
{
    struct vm_space *s = mt_space;
    uint64_t a, b;
    uint8_t v = 7;

    MT_EQ(vm_mmap(s, 0, PG, RW, VM_MAP_SHARED | VM_MAP_ANONYMOUS, NULL, 0, &a), 0);
    MT_EQ(poke(a, &v, 1), 0);
    b = (uint64_t)vm_mremap(s, a, PG, 2 * PG, LINUX_MREMAP_MAYMOVE, 0);
    MT_CHECK((int64_t)b > 0);
    MT_EQ(peek(b, &v, 1), 0);
    MT_EQ(v, 7);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_READ, b + PG), -EIO);
    /* DONTNEED keeps shared data */
    MT_EQ(vm_madvise(s, b, PG, LINUX_MADV_DONTNEED), 0);
    MT_EQ(peek(b, &v, 1), 0);
    MT_EQ(v, 7);
}

MT_CASE(mremap_moves_pages_and_growsdown_grows)
{
    struct vm_space *s = mt_space;
    uint64_t a = mt_mmap_anon(2 * PG, RW), b, g;
    uint8_t v = 0;

    MT_EQ(poke(a + PG + 5, "m", 1), 0);
    MT_EQ(s->nr_pages, 1);
    MT_EQ(vm_mmap(s, a + 2 * PG, PG, VM_PROT_READ, VM_MAP_PRIVATE | VM_MAP_ANONYMOUS | VM_MAP_FIXED,
                  NULL, 0, &b),
          0); /* no room to grow in place */
    b = (uint64_t)vm_mremap(s, a + PG, PG, 16 * PG, LINUX_MREMAP_MAYMOVE, 0);
    MT_CHECK((int64_t)b > 0 && b != a + PG);
    MT_EQ(s->nr_pages, 1); /* the page moved, nothing copied */
    MT_CHECK(vm_page_present(s, b));
    MT_EQ(peek(b + 5, &v, 1), 0);
    MT_EQ(v, 'm');
    MT_EQ(peek(a + PG, &v, 1), -EFAULT);
    MT_EQ(vm_mmap(s, 0, PG, RW, VM_MAP_PRIVATE | VM_MAP_ANONYMOUS | VM_MAP_GROWSDOWN, NULL, 0, &g),
          0);
    /* an area inside the guard gap below it stops the growth */
    MT_EQ(vm_mmap(s, g - VM_GROWSDOWN_GAP / 2, PG, RW,
                  VM_MAP_PRIVATE | VM_MAP_ANONYMOUS | VM_MAP_FIXED, NULL, 0, &b),
          0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_WRITE, g - 3 * PG), -EFAULT);
    MT_EQ(vm_munmap(s, b, PG), 0);
    MT_EQ(vm_user_fault(HAL_FAULT_PAGE_WRITE, g - 3 * PG), 0);
    MT_EQ(vm_area_query(s, g - 3 * PG, &q), 0);
    MT_EQ(q.start, g - 3 * PG);
    MT_EQ(q.end, g + PG);
    MT_EQ(peek(g - 2 * PG, &v, 1), 0); /* inside the grown area: zero page */
    MT_EQ(v, 0);
}

/* A TFS volume at /t with a four-page cache. */
static int tfs_up(struct vfs_sb **sb)
{
    struct tfs_format_opts fo;
    struct vfs_tfs_opts vo = {0, 4 * PG};
    int rc;

    memset(image, 0, sizeof(image));
    tfs_memdev_init(&md, image, IMG_BLOCKS);
    memset(&fo, 0, sizeof(fo));
    fo.label = "mm";
    rc = tfs_format(&md.dev, &fo);
    if (rc == 0)
        rc = vfs_mkdirat(NULL, "/t", 0755);
    return rc ? rc : vfs_tfs_mount(NULL, "/t", &md.dev, &vo, sb);
}

MT_CASE(shared_tfs_pages_pinned_then_written_back)
{
    struct vm_space *s = mt_space;
    struct vfs_pcache_stats st;
    struct vfs_file *f, *g;
    struct vfs_sb *sb;
    uint64_t a;

    MT_EQ(tfs_up(&sb), 0);
    MT_EQ(vfs_openat(NULL, "/t/m", VFS_O_RDWR | VFS_O_CREAT, 0644, &f), 0);
    MT_EQ(vfs_ftruncate(f, 6 * PG), 0);
    MT_EQ(vm_mmap(s, 0, 6 * PG, RW, VM_MAP_SHARED, f, 0, &a), 0);
    for (int i = 0; i < 6; i++)
        MT_EQ(poke(a + (uint64_t)i * PG + 7, &"abcdef"[i], 1), 0);
    vfs_pcache_get_stats(sb, &st);
    MT_EQ(st.pages, 6); /* over the four-page budget: mapped pages are never evicted */
    MT_EQ(st.dirty, 6);
    /* other traffic evicts only unmapped pages */
    MT_EQ(vfs_openat(NULL, "/t/o", VFS_O_RDWR | VFS_O_CREAT, 0644, &g), 0);
    memset(buf, 'o', sizeof(buf));
    MT_EQ(vfs_pwrite(g, buf, sizeof(buf), 0), (long)sizeof(buf));
    MT_EQ(vfs_pread(f, buf, 1, 3 * PG + 7), 1);
    MT_EQ(buf[0], 'd');
    MT_EQ(vm_msync(s, a, 6 * PG, LINUX_MS_SYNC), 0);
    vfs_pcache_get_stats(sb, &st);
    MT_CHECK(st.writebacks >= 6);
    MT_EQ(poke(a + 5 * PG, "Z", 1), 0); /* still writable after write-back: still dirty */
    MT_EQ(vm_munmap(s, a, 6 * PG), 0);
    vfs_file_put(f);
    vfs_file_put(g);
    MT_EQ(vfs_umount(NULL, "/t"), 0);
    MT_EQ(tfs_fsck(&md.dev, &(struct tfs_fsck_opts){0}, NULL), 0);
    /* what the mapping stored is on the volume */
    struct vfs_tfs_opts vo = {0, 0};
    MT_EQ(vfs_tfs_mount(NULL, "/t", &md.dev, &vo, NULL), 0);
    MT_EQ(vfs_openat(NULL, "/t/m", VFS_O_RDONLY, 0, &f), 0);
    MT_EQ(vfs_pread(f, buf, 6 * PG, 0), 6 * PG);
    MT_EQ(buf[7], 'a');
    MT_EQ(buf[4 * PG + 7], 'e');
    MT_EQ(buf[5 * PG], 'Z');
    MT_EQ(buf[5 * PG + 7], 'f');
    vfs_file_put(f);
    MT_EQ(vfs_umount(NULL, "/t"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shared_memfs_mapping_is_the_file),
        cmocka_unit_test(private_mapping_past_eof_is_sigbus),
        cmocka_unit_test(shared_anon_grown_past_object_is_sigbus),
        cmocka_unit_test(mremap_moves_pages_and_growsdown_grows),
        cmocka_unit_test(shared_tfs_pages_pinned_then_written_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
