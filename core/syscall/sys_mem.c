/*
 * sys_mem.c - memory syscalls over core/mm: brk, mmap, munmap, mprotect, mremap, msync,
 * mincore, madvise, the mlock family.
 *
 * core/mm owns the semantics (docs/memory.md lists which call returns which errno); this file
 * turns descriptors into VFS files and passes the arguments on.
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
    /* the description's checks (-EBADF, -EACCES), then the kind's: -ENODEV (a pipe), -EPERM */
    rc = file_mmap(f, (unsigned)a[2], (unsigned)a[3], &src);
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

long sys_mremap(const uint64_t a[6])
{
    if (a[3] > UINT32_MAX)
        return -EINVAL;
    return vm_mremap(sys_proc()->vm, a[0], a[1], a[2], (unsigned)a[3], a[4]);
}

long sys_msync(const uint64_t a[6])
{
    return a[2] > INT32_MAX ? -EINVAL : vm_msync(sys_proc()->vm, a[0], a[1], (unsigned)a[2]);
}

long sys_mincore(const uint64_t a[6])
{
    return vm_mincore(sys_proc()->vm, a[0], a[1], uptr_make(a[2]));
}

long sys_madvise(const uint64_t a[6])
{
    /* the advice is an int: Linux ignores the upper half of the register */
    return vm_madvise(sys_proc()->vm, a[0], a[1], (int)(uint32_t)a[2]);
}

long sys_mlock(const uint64_t a[6])
{
    return vm_mlock(sys_proc()->vm, a[0], a[1], true);
}

long sys_munlock(const uint64_t a[6])
{
    return vm_mlock(sys_proc()->vm, a[0], a[1], false);
}

long sys_mlock2(const uint64_t a[6])
{
    if (a[2] & ~(uint64_t)LINUX_MLOCK_ONFAULT)
        return -EINVAL;
    return vm_mlock(sys_proc()->vm, a[0], a[1], true);
}

long sys_mlockall(const uint64_t a[6])
{
    return a[0] > UINT32_MAX ? -EINVAL : vm_mlockall(sys_proc()->vm, (unsigned)a[0], true);
}

long sys_munlockall(const uint64_t a[6])
{
    (void)a;
    return vm_mlockall(sys_proc()->vm, 0, false);
}
