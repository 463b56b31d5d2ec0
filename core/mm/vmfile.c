/*
 * vmfile.c - sources of file bytes for private file mappings and the ELF loader.
 *
 * struct vm_file is a small vtable so that the VM and the ELF loader read the same way from a
 * VFS file (the kernel's exec and mmap paths) and from a kernel buffer (tests, the fuzzer,
 * and later images built into the kernel). Both are reference counted; an area holds one.
 * Only VFS files can be mapped shared: their pages are the VFS's (vfs_mmap_pin).
 */
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/mm/vm_internal.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_errno.h"

/* --- VFS files ------------------------------------------------------------------------- */

static long vfsf_read(void *obj, uint64_t off, void *buf, size_t n)
{
    if (off > (uint64_t)INT64_MAX)
        return 0; /* beyond any file */
    vfs_mmap_readaround(obj, off); /* faults come out of order: read around, not ahead */
    return vfs_pread(obj, buf, n, (int64_t)off);
}

static int64_t vfsf_size(void *obj)
{
    struct vfs_stat st;
    int rc = vfs_fstat(obj, &st);

    return rc ? rc : st.st_size;
}

static void vfsf_get(void *obj)
{
    vfs_file_get(obj);
}

static void vfsf_put(void *obj)
{
    vfs_file_put(obj);
}

static int vfsf_pin(void *obj, uint64_t idx, bool writer, void **h, uint64_t *pa)
{
    return vfs_mmap_pin(obj, idx, writer, h, pa);
}

static void vfsf_unpin(void *obj, void *h, bool writer)
{
    vfs_mmap_unpin(obj, h, writer);
}

static int vfsf_sync(void *obj)
{
    return vfs_fsync(obj);
}

static int vfsf_punch(void *obj, uint64_t off, uint64_t len)
{
    if (off > INT64_MAX || len > INT64_MAX)
        return -EINVAL;
    return vfs_fallocate(obj, VFS_FALLOC_FL_PUNCH_HOLE | VFS_FALLOC_FL_KEEP_SIZE, (int64_t)off,
                         (int64_t)len);
}

static bool vfsf_executable(void *obj)
{
    struct vfs_stat st;

    return vfs_fstat(obj, &st) == 0 && (st.st_mode & 0111) != 0;
}

static void vfsf_map_writable(void *obj, int delta)
{
    vfs_mmap_writable(obj, delta);
}

static void vfsf_cached(void *obj, uint64_t first, uint64_t n,
                        bool (*fn)(void *arg, uint64_t idx, const void *data), void *arg)
{
    vfs_mmap_cached(obj, first, n, fn, arg);
}

static int vfsf_share(void *obj, uint64_t idx, void **h, uint64_t *pa)
{
    return vfs_mmap_share(obj, idx, h, pa);
}

static bool vfsf_share_cached(void *obj, uint64_t first, uint64_t n,
                              int (*fn)(void *arg, uint64_t idx, void *h, uint64_t pa), void *arg)
{
    return vfs_mmap_share_cached(obj, first, n, fn, arg);
}

static const struct vm_file_ops vfsf_ops = {
    .read = vfsf_read,
    .size = vfsf_size,
    .get = vfsf_get,
    .put = vfsf_put,
    .pin = vfsf_pin,
    .unpin = vfsf_unpin,
    .sync = vfsf_sync,
    .punch = vfsf_punch,
    .executable = vfsf_executable,
    .map_writable = vfsf_map_writable,
    .cached = vfsf_cached,
    .share = vfsf_share,
    .share_cached = vfsf_share_cached,
};

struct vm_file vm_file_from_vfs(struct vfs_file *f)
{
    struct vm_file vf = {&vfsf_ops, f};

    return vf;
}

int vm_futex_key(struct vm_space *s, uint64_t addr, const void **obj, uint64_t *off)
{
    struct vm_area a;
    int rc = vm_area_query(s, addr, &a);

    *obj = NULL;
    *off = addr;
    if (rc)
        return rc;
    if (a.kind == VM_FILE && a.shared && a.file.ops == &vfsf_ops) {
        *obj = ((struct vfs_file *)a.file.obj)->inode; /* one per file, however opened */
        *off = a.file_off + (addr - a.start);
    }
    return 0;
}

bool vm_file_readable(struct vfs_file *f)
{
    return vfs_fmode(f->flags) & VFS_FMODE_READ;
}

bool vm_file_writable(struct vfs_file *f)
{
    return (f->flags & VFS_O_ACCMODE) == VFS_O_RDWR;
}

bool vm_file_shareable(struct vfs_file *f)
{
    return vfs_mmap_shareable(f);
}

/* --- kernel buffers ---------------------------------------------------------------------- */

struct memfile {
    unsigned refs; /* atomic */
    size_t size;
    uint8_t data[];
};

static long memf_read(void *obj, uint64_t off, void *buf, size_t n)
{
    struct memfile *m = obj;

    if (off >= m->size)
        return 0;
    if (n > m->size - off)
        n = (size_t)(m->size - off);
    memcpy(buf, m->data + off, n);
    return (long)n;
}

static int64_t memf_size(void *obj)
{
    return (int64_t)((struct memfile *)obj)->size;
}

static void memf_get(void *obj)
{
    __atomic_add_fetch(&((struct memfile *)obj)->refs, 1, __ATOMIC_RELAXED);
}

static void memf_put(void *obj)
{
    struct memfile *m = obj;

    if (__atomic_sub_fetch(&m->refs, 1, __ATOMIC_ACQ_REL) == 0)
        kfree(m);
}

static bool memf_executable(void *obj)
{
    (void)obj;
    return true; /* a kernel-provided image (tests, a vDSO) */
}

/* A kernel buffer is all at hand: every page wholly inside it. */
static void memf_cached(void *obj, uint64_t first, uint64_t n,
                        bool (*fn)(void *arg, uint64_t idx, const void *data), void *arg)
{
    struct memfile *m = obj;
    uint64_t end = m->size / HAL_PAGE_SIZE;

    if (n < end - first && first < end)
        end = first + n;
    for (uint64_t i = first; i < end; i++)
        if (!fn(arg, i, m->data + i * HAL_PAGE_SIZE))
            break;
}

static const struct vm_file_ops memf_ops = {
    .cached = memf_cached,
    .executable = memf_executable,
    .read = memf_read,
    .size = memf_size,
    .get = memf_get,
    .put = memf_put,
};

int vm_file_mem_create(const void *data, size_t size, struct vm_file *out)
{
    struct memfile *m;

    if (size > SIZE_MAX - sizeof(*m) || !(m = kmalloc(sizeof(*m) + size)))
        return -ENOMEM;
    m->refs = 1;
    m->size = size;
    if (size)
        memcpy(m->data, data, size);
    out->ops = &memf_ops;
    out->obj = m;
    return 0;
}

/* --- generic ----------------------------------------------------------------------------- */

void vm_file_get(const struct vm_file *f)
{
    f->ops->get(f->obj);
}

void vm_file_put(const struct vm_file *f)
{
    f->ops->put(f->obj);
}

/* An area's own file reference; a shared area that may be made writable is also counted by
 * the file (memfd's F_SEAL_WRITE answers -EBUSY while one exists). */
void vm_area_file_get(const struct vm_area *a)
{
    vm_file_get(&a->file);
    if (a->shared && a->maywrite && a->file.ops->map_writable)
        a->file.ops->map_writable(a->file.obj, 1);
}

void vm_area_file_put(const struct vm_area *a)
{
    if (a->shared && a->maywrite && a->file.ops->map_writable)
        a->file.ops->map_writable(a->file.obj, -1);
    vm_file_put(&a->file);
}

long vm_file_read(const struct vm_file *f, uint64_t off, void *buf, size_t n)
{
    return f->ops->read(f->obj, off, buf, n);
}

int64_t vm_file_size(const struct vm_file *f)
{
    return f->ops->size(f->obj);
}
