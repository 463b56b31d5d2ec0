/*
 * mt.c - the memory-management tests' fixture (see mt.h).
 */
#include "mt.h"

#include "core/lib/alloc.h"
#include "core/lib/kprintf.h"
#include "fs/vfs/memfs.h"
#include "hal_hosted/hosted.h"

int mt_failures;
struct vm_space *mt_space;
static void (*mt_body)(void);

void mt_fail(const char *file, int line, const char *expr, long long a, long long b)
{
    kprintf("MM TEST FAILED %s:%d: %s (%lld vs %lld / %#llx vs %#llx)\n", file, line, expr, a, b,
            (unsigned long long)a, (unsigned long long)b);
    mt_failures++;
}

static int mt_entry(void *arg)
{
    int rc;

    (void)arg;
    vfs_init();
    rc = memfs_mount(NULL, "/", NULL, NULL);
    if (rc)
        mt_fail(__FILE__, __LINE__, "memfs_mount", rc, 0);
    rc = vm_space_create(&mt_space);
    if (rc) {
        mt_fail(__FILE__, __LINE__, "vm_space_create", rc, 0);
        return 1;
    }
    vm_activate(mt_space);
    mt_body();
    vm_space_destroy(mt_space);
    mt_space = NULL;
    if (vm_current() != NULL)
        mt_fail(__FILE__, __LINE__, "vm_current() == NULL after destroy", 0, 0);
    rc = vfs_shutdown();
    if (rc)
        kprintf("vfs_shutdown: %d\n", rc);
    return mt_failures ? 1 : 0;
}

void mt_run(void (*body)(void), size_t ram_bytes)
{
    struct hosted_config c;

    memset(&c, 0, sizeof(c));
    c.ram_bytes = ram_bytes ? ram_bytes : 64u << 20;
    c.entry = mt_entry;
    mt_failures = 0;
    mt_body = body;
    int rc = hosted_boot(&c);
    assert_int_equal(mt_failures, 0);
    assert_int_equal(rc, 0);
}

uint64_t mt_mmap_anon(uint64_t len, unsigned prot)
{
    uint64_t a = 0;
    int rc = vm_mmap(mt_space, 0, len, prot, VM_MAP_PRIVATE | VM_MAP_ANONYMOUS, NULL, 0, &a);

    if (rc) {
        mt_fail(__FILE__, __LINE__, "mt_mmap_anon", rc, 0);
        return 0;
    }
    return a;
}

struct vfs_file *mt_file(const char *path, const void *data, size_t n, int flags)
{
    struct vfs_file *f;
    int rc = vfs_openat(NULL, path, VFS_O_RDWR | VFS_O_CREAT | VFS_O_TRUNC, 0644, &f);

    if (rc || vfs_write(f, data, n) != (long)n) {
        mt_fail(__FILE__, __LINE__, "mt_file create", rc, 0);
        return NULL;
    }
    vfs_file_put(f);
    rc = vfs_openat(NULL, path, flags, 0, &f);
    if (rc) {
        mt_fail(__FILE__, __LINE__, "mt_file reopen", rc, 0);
        return NULL;
    }
    return f;
}

uint64_t mt_free_pages(void)
{
    struct page_stats st;

    page_get_stats(&st);
    return st.free_pages;
}
