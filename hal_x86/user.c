/*
 * user.c - fault-safe copies between the kernel and the active user address space.
 *
 * The range check (inside [hal_user_va_min, hal_user_va_max), overflow-safe) happens here;
 * the access itself is in usercopy.S, whose faulting instructions are listed in the
 * exception table so a fault returns -EFAULT instead of killing the kernel.
 *
 * A fault during a copy is -EFAULT, never demand paging: core/mm's uaccess faults the pages in
 * before it calls these (docs/x86.md). The same holds for the futex word accesses
 * (hal_user_load32, hal_user_cmpxchg32), which the kernel may call with interrupts disabled.
 *
 * With SMAP on (usermode.c), each copy opens the user half with stac and closes it with clac;
 * a faulting copy returns through its fixup to the same wrapper, which closes it too.
 *
 * hal_user_enter() and the SYSCALL entry are in usermode.c and syscall_entry.S.
 */
#include "hal/hal_errno.h"
#include "hal/hal_mem.h"
#include "hal/hal_user.h"
#include "hal_x86/x86.h"

long x86_copy_user(void *dst, const void *src, size_t n);
long x86_strncpy_user(char *dst, const char *src, size_t max);
long x86_user_load32(const uint32_t *src, uint32_t *val);
long x86_user_cmpxchg32(uint32_t *p, uint32_t expected, uint32_t desired, uint32_t *old);

extern const struct extable_entry __extable_start[], __extable_end[];

bool extable_fixup(struct trap_frame *tf)
{
    if (tf->cs & 3)
        return false;
    for (const struct extable_entry *e = __extable_start; e < __extable_end; e++) {
        if (e->insn == tf->rip) {
            tf->rip = e->fixup;
            return true;
        }
    }
    return false;
}

static bool user_range_ok(uint64_t u, size_t n)
{
    uint64_t lo = hal_user_va_min(), hi = hal_user_va_max();
    return u >= lo && u <= hi && n <= hi - u;
}

static inline void user_open(void)
{
    if (x86_smap)
        __asm__ __volatile__("stac" ::: "memory");
}

static inline void user_close(void)
{
    if (x86_smap)
        __asm__ __volatile__("clac" ::: "memory");
}

static long copy_user(void *dst, const void *src, size_t n)
{
    user_open();
    long r = x86_copy_user(dst, src, n);
    user_close();
    return r;
}

static long strncpy_user(char *dst, const char *src, size_t max)
{
    user_open();
    long r = x86_strncpy_user(dst, src, max);
    user_close();
    return r;
}

int hal_copy_from_user(void *dst, uint64_t usrc, size_t n)
{
    if (!user_range_ok(usrc, n))
        return -EFAULT;
    return (int)copy_user(dst, (const void *)usrc, n);
}

int hal_copy_to_user(uint64_t udst, const void *src, size_t n)
{
    if (!user_range_ok(udst, n))
        return -EFAULT;
    return (int)copy_user((void *)udst, src, n);
}

long hal_strncpy_from_user(char *dst, uint64_t usrc, size_t max)
{
    if (!user_range_ok(usrc, 1))
        return -EFAULT;
    size_t room = hal_user_va_max() - usrc;
    if (max <= room)
        return strncpy_user(dst, (const char *)usrc, max);
    /* The string would run past the user half: stop there, and call that a fault. */
    long r = strncpy_user(dst, (const char *)usrc, room);
    return r == -ENAMETOOLONG ? -EFAULT : r;
}

/* The futex words: one aligned 32-bit access, so it never crosses a page. */
int hal_user_load32(uint64_t uaddr, uint32_t *val)
{
    uint32_t v;
    long r;

    if (uaddr & 3)
        return -EINVAL;
    if (!user_range_ok(uaddr, 4))
        return -EFAULT;
    user_open();
    r = x86_user_load32((const uint32_t *)uaddr, &v);
    user_close();
    if (r == 0)
        *val = v;
    return (int)r;
}

int hal_user_cmpxchg32(uint64_t uaddr, uint32_t expected, uint32_t desired, uint32_t *old)
{
    uint32_t found;
    long r;

    if (uaddr & 3)
        return -EINVAL;
    if (!user_range_ok(uaddr, 4))
        return -EFAULT;
    user_open();
    r = x86_user_cmpxchg32((uint32_t *)uaddr, expected, desired, &found);
    user_close();
    if (r == 0)
        *old = found;
    return (int)r;
}
