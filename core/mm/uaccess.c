/*
 * uaccess.c - copy_from_user, copy_to_user, strncpy_from_user, clear_user (see uaccess.h).
 *
 * A range is checked against the user half first (overflow-safe), then handled in chunks of
 * UA_CHUNK bytes: the HAL copies the chunk (it checks the page tables, so an absent page or a
 * concurrent munmap is an -EFAULT, never a kernel fault); only when that fails are the
 * chunk's pages faulted in through the VM (which checks the areas and their protection) and
 * the copy made again - Linux's order: copy, and take the fault when there is one. Present
 * pages, the common case, cost no VM lock and no area lookup (bench/syscall). The page
 * tables never allow more than the areas do (user code reaches the same pages through them),
 * so a copy that succeeds at once is one the VM would have allowed. Chunking keeps a huge
 * read() from faulting in its whole buffer before the first byte moves. Strings (paths, one
 * or two per open or stat) go the same way a page at a time: the copy stops at the NUL, so a
 * string ending before an absent page never faults that page in (as on Linux).
 */
#include "core/mm/uaccess.h"

#include "core/mm/vm_internal.h"
#include "hal/hal_errno.h"

#define UA_CHUNK (16 * HAL_PAGE_SIZE)

/* Is [addr, addr+n) inside the user half (n > 0)? */
static bool user_range_ok(uint64_t addr, size_t n)
{
    uint64_t lo = hal_user_va_min(), hi = hal_user_va_max();

    return addr >= lo && addr < hi && n <= hi - addr;
}

/* Bytes from addr to the end of its chunk, at most n. */
static size_t chunk_len(uint64_t addr, size_t n)
{
    size_t c = UA_CHUNK - (size_t)(addr & (UA_CHUNK - 1));

    return c < n ? c : n;
}

/* Fault in [addr, addr+n) of the current space for access. */
static int prepare(uint64_t addr, size_t n, unsigned access)
{
    struct vm_space *s = vm_current();

    if (!s || vm_populate(s, addr, addr + n, access))
        return -EFAULT;
    return 0;
}

int copy_from_user(void *dst, struct uptr src, size_t n)
{
    uint64_t a = src.addr;
    uint8_t *d = dst;

    if (n == 0)
        return 0;
    if (!user_range_ok(a, n))
        return -EFAULT;
    while (n) {
        size_t c = chunk_len(a, n);

        if (hal_copy_from_user(d, a, c) &&
            (prepare(a, c, VM_PROT_READ) || hal_copy_from_user(d, a, c)))
            return -EFAULT;
        a += c;
        d += c;
        n -= c;
    }
    return 0;
}

int copy_to_user(struct uptr dst, const void *src, size_t n)
{
    uint64_t a = dst.addr;
    const uint8_t *s = src;

    if (n == 0)
        return 0;
    if (!user_range_ok(a, n))
        return -EFAULT;
    while (n) {
        size_t c = chunk_len(a, n);

        if (hal_copy_to_user(a, s, c) &&
            (prepare(a, c, VM_PROT_WRITE) || hal_copy_to_user(a, s, c)))
            return -EFAULT;
        a += c;
        s += c;
        n -= c;
    }
    return 0;
}

long strncpy_from_user(char *dst, struct uptr src, size_t max)
{
    uint64_t a = src.addr;
    size_t done = 0;

    while (done < max) {
        size_t c = HAL_PAGE_SIZE - (size_t)(a & VM_PAGE_MASK);
        long r;

        if (c > max - done)
            c = max - done;
        if (!user_range_ok(a, c))
            return -EFAULT;
        r = hal_strncpy_from_user(dst + done, a, c);
        if (r == -EFAULT && prepare(a, c, VM_PROT_READ) == 0)
            r = hal_strncpy_from_user(dst + done, a, c);
        if (r >= 0)
            return (long)done + r;
        if (r != -ENAMETOOLONG)
            return -EFAULT;
        done += c;
        a += c;
    }
    return -ENAMETOOLONG;
}

int clear_user(struct uptr dst, size_t n)
{
    static const uint8_t zeros[512];

    if (n && !user_range_ok(dst.addr, n))
        return -EFAULT;
    while (n) {
        size_t c = n < sizeof(zeros) ? n : sizeof(zeros);

        if (copy_to_user(dst, zeros, c))
            return -EFAULT;
        dst = uptr_add(dst, c);
        n -= c;
    }
    return 0;
}
