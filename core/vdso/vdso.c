/*
 * vdso.c - the vDSO's kernel side: the data page, the image as a mappable source, and the
 * mapping into each new address space (vdso.h).
 *
 * The data page is one page of RAM allocated at boot. The HAL writes its clock into it
 * (hal_clock_publish) at once and at every change of its parameters, under the page's
 * sequence count; this file fills the rest (CPU count, coarse resolution) before publishing.
 * It is mapped shared and read-only through a vm_file whose only page is that page (pinned,
 * never copied): a PROT_WRITE mprotect is refused with EACCES, as Linux's VM_MAYWRITE-less vvar.
 *
 * The image is a kernel buffer (vm_file_mem_create) mapped private, read + execute: each
 * process gets its own copy of the page(s) at the first touch, as the ELF loader's file
 * mappings. The image has no relocations (core/vdso/CMakeLists.txt, checked by the tests),
 * so the copy runs wherever it lands; it finds the data page one page below itself.
 */
#include "core/vdso/vdso.h"

#include "core/abi/time.h"
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/lib/log.h"
#include "hal/hal_cpu.h"
#include "hal/hal_errno.h"
#include "hal/hal_mem.h"

static uint64_t vvar_pa;          /* the data page; 0: no vDSO this boot */
static struct vdso_data *vvar;    /* its kernel address */
static struct vm_file image_file; /* the image as a kernel buffer (one reference, ours) */

/* --- the data page as a one-page source that can only be mapped shared ------------------- */

static long vvar_read(void *obj, uint64_t off, void *buf, size_t n)
{
    if (off >= VDSO_VVAR_SIZE)
        return 0;
    if (n > VDSO_VVAR_SIZE - off)
        n = (size_t)(VDSO_VVAR_SIZE - off);
    memcpy(buf, (const char *)obj + off, n);
    return (long)n;
}

static int64_t vvar_size(void *obj)
{
    (void)obj;
    return (int64_t)VDSO_VVAR_SIZE;
}

/* Lives as long as the boot: no reference count. */
static void vvar_ref(void *obj)
{
    (void)obj;
}

static int vvar_pin(void *obj, uint64_t idx, bool writer, void **h, uint64_t *pa)
{
    if (idx != 0)
        return -ENXIO; /* past its one page: SIGBUS, as any file's end */
    if (writer)
        return -EACCES; /* never mapped writable (maywrite is false) */
    *h = obj;
    *pa = vvar_pa;
    return 0;
}

static void vvar_unpin(void *obj, void *h, bool writer)
{
    (void)obj, (void)h, (void)writer;
}

/* msync(MS_SYNC) over it: nothing to write back (Linux: 0 too). */
static int vvar_sync(void *obj)
{
    (void)obj;
    return 0;
}

/* MADV_REMOVE: never reached (it wants PROT_WRITE, which the page never gets). */
static int vvar_punch(void *obj, uint64_t off, uint64_t len)
{
    (void)obj, (void)off, (void)len;
    return -EINVAL;
}

static const struct vm_file_ops vvar_ops = {
    .read = vvar_read,
    .size = vvar_size,
    .get = vvar_ref,
    .put = vvar_ref,
    .pin = vvar_pin,
    .unpin = vvar_unpin,
    .sync = vvar_sync,
    .punch = vvar_punch,
};

/* --- boot ------------------------------------------------------------------------------- */

int vdso_init(void)
{
    uint64_t pa = page_alloc(0);

    vvar_pa = 0;
    vvar = NULL;
    if (!pa || vm_file_mem_create(vdso_image, vdso_image_size, &image_file)) {
        if (pa)
            page_free(pa, 0);
        log_warn("vdso: out of memory: programs get no vDSO");
        return -ENOMEM;
    }
    vvar = hal_phys_to_virt(pa);
    memset(vvar, 0, VDSO_VVAR_SIZE);
    vvar->ncpus = hal_cpu_count();
    vvar->tick_ns = LINUX_TICK_NS;
    vvar_pa = pa;
    hal_clock_publish(&vvar->clock);
    return 0;
}

const struct vdso_data *vdso_data(void)
{
    return vvar;
}

/* --- mapping ---------------------------------------------------------------------------- */

int vdso_map(struct vm_space *s, uint64_t *ehdr)
{
    uint64_t text_len = (vdso_image_size + HAL_PAGE_SIZE - 1) & ~(uint64_t)(HAL_PAGE_SIZE - 1);
    struct vm_map_req req = {
        .len = VDSO_VVAR_SIZE + text_len,
        .prot = VM_PROT_READ,
        .kind = VM_FILE,
        .shared = true,
        .special = VM_SPECIAL_DATA,
        .file = {&vvar_ops, vvar},
        .file_bytes = VDSO_VVAR_SIZE,
    };
    uint64_t at;
    int rc;

    *ehdr = 0;
    if (!vvar_pa)
        return -ENOENT;
    /* Room for both, top-down from the (randomised) mmap base; the data page's area is then
     * cut to its page by mapping the image over the rest. */
    rc = vm_map(s, &req, &at);
    if (rc)
        return rc;
    req = (struct vm_map_req){
        .addr = at + VDSO_VVAR_SIZE,
        .len = text_len,
        .prot = VM_PROT_READ | VM_PROT_EXEC,
        .kind = VM_FILE,
        .fixed = true,
        .special = VM_SPECIAL_CODE,
        .file = image_file,
        .file_bytes = vdso_image_size,
    };
    rc = vm_map(s, &req, ehdr);
    if (rc) {
        (void)vm_munmap(s, at, VDSO_VVAR_SIZE + text_len);
        *ehdr = 0;
    }
    return rc;
}

const char *vdso_area_name(const struct vm_area *a)
{
    if (a->kind != VM_FILE || !vvar_pa)
        return NULL;
    if (a->file.ops == &vvar_ops)
        return "[vvar]";
    if (a->file.ops == image_file.ops && a->file.obj == image_file.obj)
        return "[vdso]";
    return NULL;
}
