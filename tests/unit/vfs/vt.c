/*
 * vt.c - the VFS tests' fixture (see vt.h).
 */
#include "vt.h"

#include "core/lib/alloc.h"
#include "core/lib/kprintf.h"

int vt_failures;
static void (*vt_body)(void);

void vt_fail(const char *file, int line, const char *expr, long long a, long long b)
{
    kprintf("VFS TEST FAILED %s:%d: %s (%lld vs %lld)\n", file, line, expr, a, b);
    vt_failures++;
}

static int vt_entry(void *arg)
{
    (void)arg;
    vfs_init();
    struct kmalloc_stats k0, k1;
    struct page_stats p0, p1;
    kmalloc_get_stats(&k0);
    page_get_stats(&p0);
    vt_body();
    int rc = vfs_shutdown();
    if (rc)
        kprintf("vfs_shutdown: %d\n", rc);
    /* Nothing the VFS (or a filesystem under it) allocated may outlive the unmounts. */
    kmalloc_get_stats(&k1);
    page_get_stats(&p1);
    if (k1.bytes_in_use != k0.bytes_in_use)
        vt_fail(__FILE__, __LINE__, "kmalloc bytes in use", (long long)k1.bytes_in_use,
                (long long)k0.bytes_in_use);
    /* Pages: the slab allocator keeps some for itself, so only a gross difference (more
     * than its share) shows a leak of file or cache pages. */
    if (p1.free_pages + 64 < p0.free_pages)
        vt_fail(__FILE__, __LINE__, "free pages", (long long)p1.free_pages,
                (long long)p0.free_pages);
    return vt_failures ? 1 : 0;
}

void vt_run(void (*body)(void), void (*cfg)(struct hosted_config *))
{
    struct hosted_config c;
    memset(&c, 0, sizeof(c));
    c.ram_bytes = 128u << 20;
    c.entry = vt_entry;
    if (cfg)
        cfg(&c);
    vt_failures = 0;
    vt_body = body;
    int rc = hosted_boot(&c);
    assert_int_equal(vt_failures, 0);
    assert_int_equal(rc, 0);
}

void vt_memfs_root(void)
{
    int rc = memfs_mount(NULL, "/", NULL, NULL);
    if (rc)
        vt_fail(__FILE__, __LINE__, "memfs_mount", rc, 0);
}

struct vfs_file *vt_open(const char *path, int flags, uint32_t mode)
{
    struct vfs_file *f = NULL;
    int rc = vfs_openat(NULL, path, flags, mode, &f);
    return rc ? NULL : f;
}

void vt_put(struct vfs_file *f)
{
    vfs_file_put(f);
}

int vt_write_file(const char *path, const void *data, size_t n)
{
    struct vfs_file *f;
    int rc = vfs_openat(NULL, path, VFS_O_WRONLY | VFS_O_CREAT | VFS_O_TRUNC, 0644, &f);
    if (rc)
        return rc;
    long w = vfs_write(f, data, n);
    vfs_file_put(f);
    return w == (long)n ? 0 : (w < 0 ? (int)w : -5);
}

long vt_read_file(const char *path, void *buf, size_t n)
{
    struct vfs_file *f;
    int rc = vfs_openat(NULL, path, VFS_O_RDONLY, 0, &f);
    if (rc)
        return rc;
    long got = 0;
    while ((size_t)got < n) {
        long r = vfs_read(f, (char *)buf + got, n - (size_t)got);
        if (r < 0) {
            got = r;
            break;
        }
        if (r == 0)
            break;
        got += r;
    }
    vfs_file_put(f);
    return got;
}

int vt_dir_has(const char *path, const char *name, unsigned *dtype)
{
    struct vfs_file *f;
    int rc = vfs_openat(NULL, path, VFS_O_RDONLY | VFS_O_DIRECTORY, 0, &f);
    if (rc)
        return rc;
    static char buf[4096];
    int found = 0;
    for (;;) {
        long n = vfs_getdents(f, buf, sizeof(buf));
        if (n <= 0) {
            if (n < 0)
                found = (int)n;
            break;
        }
        for (long off = 0; off < n;) {
            struct vfs_dirent64 *d = (struct vfs_dirent64 *)(buf + off);
            if (strcmp(d->d_name, name) == 0) {
                found = 1;
                if (dtype)
                    *dtype = d->d_type;
            }
            off += d->d_reclen;
        }
    }
    vfs_file_put(f);
    return found;
}
