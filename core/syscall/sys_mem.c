/*
 * sys_mem.c - memory syscalls over core/mm: brk, mmap, munmap, mprotect, madvise.
 *
 * core/mm owns the semantics (docs/memory.md lists which call returns which errno); this file
 * turns descriptors into VFS files and implements madvise: every known advice is accepted,
 * and MADV_DONTNEED/MADV_FREE drop the range's contents as Linux does for private mappings
 * (anonymous memory reads back as zeros, private file mappings as the file's bytes) by
 * mapping each piece again in place.
 */
#include "core/abi/mman.h"
#include "core/syscall/sys_internal.h"
#include "hal/hal_errno.h"

long sys_brk(const uint64_t a[6])
{
    return (long)vm_brk(sys_proc()->vm, a[0]);
}

long sys_mmap(const uint64_t a[6])
{
    struct vfs_file *src;
    struct file *f;
    uint64_t out = 0;
    long rc = 0;

    if (a[3] & VM_MAP_ANONYMOUS) {
        rc = vm_mmap(sys_proc()->vm, a[0], a[1], (unsigned)a[2], (unsigned)a[3], NULL, a[5], &out);
        return rc ? rc : (long)out;
    }
    rc = a[4] > INT32_MAX ? -EBADF : fd_get(&sys_proc()->fds, (int)a[4], &f);
    if (rc)
        return rc;
    rc = file_mmap(f, (unsigned)a[2], (unsigned)a[3], &src); /* or -ENODEV (a pipe), -EPERM */
    if (rc == 0)
        rc = vm_mmap(sys_proc()->vm, a[0], a[1], (unsigned)a[2], (unsigned)a[3], src, a[5], &out);
    file_put(f);
    return rc ? rc : (long)out;
}

long sys_munmap(const uint64_t a[6])
{
    return vm_munmap(sys_proc()->vm, a[0], a[1]);
}

long sys_mprotect(const uint64_t a[6])
{
    return vm_mprotect(sys_proc()->vm, a[0], a[1], (unsigned)a[2]);
}

static bool advice_known(uint64_t adv)
{
    return adv <= LINUX_MADV_WILLNEED || adv == LINUX_MADV_DONTNEED ||
           (adv >= LINUX_MADV_FREE && adv <= LINUX_MADV_PAGEOUT);
}

/* Map [start, end) of area again in place: fresh zero pages or fresh file pages. */
static int area_refresh(struct vm_space *s, const struct vm_area *ar, uint64_t start, uint64_t end)
{
    struct vm_map_req r = {0};
    uint64_t out;

    if (ar->kind == VM_GUARD)
        return 0;
    if (ar->kind == VM_STACK)
        return clear_user(uptr_make(start), end - start) ? -ENOMEM : 0;
    r.addr = start;
    r.len = end - start;
    r.prot = ar->prot;
    r.kind = ar->kind;
    r.fixed = true;
    if (ar->kind == VM_FILE) {
        r.file = ar->file;
        r.file_off = ar->file_off + (start - ar->start);
        r.file_bytes = ar->file_end > start ? ar->file_end - start : 0;
        if (r.file_bytes > r.len)
            r.file_bytes = r.len;
    }
    return vm_map(s, &r, &out);
}

/* Is every page of [addr, end) inside some area? */
static bool range_mapped(uint64_t addr, uint64_t end)
{
    struct vm_space *s = sys_proc()->vm;
    struct vm_area ar;

    for (uint64_t p = addr; p < end; p = ar.end)
        if (vm_area_query(s, p, &ar))
            return false;
    return true;
}

static long madv_dontneed(uint64_t addr, uint64_t end)
{
    struct vm_space *s = sys_proc()->vm;

    for (uint64_t p = addr; p < end;) {
        struct vm_area ar;
        long rc;

        if (vm_area_query(s, p, &ar))
            return -ENOMEM; /* a hole: Linux's answer too */
        rc = area_refresh(s, &ar, p, ar.end < end ? ar.end : end);
        if (rc)
            return rc;
        p = ar.end;
    }
    return 0;
}

long sys_madvise(const uint64_t a[6])
{
    uint64_t len = (a[1] + HAL_PAGE_SIZE - 1) & ~(HAL_PAGE_SIZE - 1);

    if ((a[0] & (HAL_PAGE_SIZE - 1)) || !advice_known(a[2]))
        return -EINVAL;
    if (len < a[1] || a[0] + len < a[0])
        return -EINVAL;
    if (len == 0)
        return 0;
    if (!range_mapped(a[0], a[0] + len))
        return -ENOMEM; /* any advice over a hole, as Linux */
    if (a[2] == LINUX_MADV_DONTNEED || a[2] == LINUX_MADV_FREE)
        return madv_dontneed(a[0], a[0] + len);
    return 0;
}
