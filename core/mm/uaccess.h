/*
 * uaccess.h - the only door to user memory (DESIGN §4, STYLE habit 8).
 *
 * A user address travels through the kernel as a struct uptr: an integer in a struct, so it
 * cannot be dereferenced, compared with a kernel pointer or passed to memcpy by mistake. The
 * copy helpers are the only way through. Each one:
 *
 *   1. checks the range with overflow-safe arithmetic: addr + n must not wrap and must stay
 *      inside [hal_user_va_min(), hal_user_va_max()) (so a kernel-half address is -EFAULT);
 *   2. checks it against the VM areas of the current address space (vm_current()): every byte
 *      inside an area whose protection allows the access (read for from_user, write for
 *      to_user; PROT_NONE and holes are -EFAULT);
 *   3. faults missing pages in through the VM (vm_fault: zero pages, file pages), a chunk at a
 *      time, so a huge buffer does not pin the whole range at once;
 *   4. copies with the HAL's fault-safe copies (hal_copy_*_user), which re-check the page
 *      tables: a range unmapped by another thread meanwhile is -EFAULT, never a kernel fault.
 *
 * On -EFAULT nothing or a prefix may have been copied (as on Linux). n == 0 always succeeds
 * without looking at the address. All helpers may sleep (they take the space's mutex and may
 * read file pages); call them from thread context with no spinlock held.
 */
#ifndef CORE_MM_UACCESS_H
#define CORE_MM_UACCESS_H

#include <stddef.h>
#include <stdint.h>

/* A user virtual address. Never dereferenced; only the helpers below cross the boundary. */
struct uptr {
    uint64_t addr;
};

static inline struct uptr uptr_make(uint64_t addr)
{
    struct uptr u = {addr};
    return u;
}

/* u + off. Wrapping is not checked here: the copy helpers refuse wrapped ranges. */
static inline struct uptr uptr_add(struct uptr u, uint64_t off)
{
    return uptr_make(u.addr + off);
}

static inline int uptr_is_null(struct uptr u)
{
    return u.addr == 0;
}

/* Copy n bytes from user src to kernel dst. Returns 0 or -EFAULT. May sleep. */
int copy_from_user(void *dst, struct uptr src, size_t n);
/* Copy n bytes from kernel src to user dst. Returns 0 or -EFAULT. May sleep. */
int copy_to_user(struct uptr dst, const void *src, size_t n);
/*
 * Copy a NUL-terminated user string of at most max bytes (NUL included) into dst. Returns its
 * length without the NUL, -ENAMETOOLONG when no NUL is found within max bytes (dst then holds
 * max bytes, unterminated), or -EFAULT when a byte before the NUL is not readable. max == 0:
 * -ENAMETOOLONG. May sleep.
 */
long strncpy_from_user(char *dst, struct uptr src, size_t max);
/* Fill n bytes of user memory at dst with zeros. Returns 0 or -EFAULT. May sleep. */
int clear_user(struct uptr dst, size_t n);

#endif
