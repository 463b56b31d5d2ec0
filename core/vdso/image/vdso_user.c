/*
 * vdso_user.c - the vDSO: user-mode code the kernel maps into every process (core/vdso/vdso.c)
 * and names in AT_SYSINFO_EHDR. Built with the host compiler as a position-independent shared
 * object with no relocations (vdso.lds), then embedded in the kernel as data.
 *
 * Exports, as Linux x86-64 does, version LINUX_2.6: __vdso_clock_gettime, __vdso_gettimeofday,
 * __vdso_time, __vdso_getcpu, __vdso_clock_getres, and the same functions without the prefix
 * as weak aliases (glibc and Go look up the prefixed names, musl __vdso_clock_gettime).
 *
 * Each answers from the data page ([vvar], the page below the image: vdso_data.h) with the
 * TSC, computing exactly as the kernel's clock does (vclock.h, hal_uclock_ns), or makes the
 * real syscall when the page cannot answer (vclock.h lists when). Like Linux's, the functions
 * write through the caller's pointers directly: a bad pointer faults in the caller's process
 * where the syscall would have returned -EFAULT.
 */
#include "core/vdso/vclock.h"

#define NR_gettimeofday 96
#define NR_time 201
#define NR_clock_gettime 228
#define NR_clock_getres 229
#define NR_getcpu 309

/* The data page: defined by the linker script at the image's base minus one page. Hidden, so
 * the compiler reaches it RIP-relative, with no relocation. */
extern const volatile struct vdso_data vdso_vvar __attribute__((visibility("hidden")));

long __vdso_clock_gettime(int id, struct linux_timespec *ts);
long __vdso_gettimeofday(struct linux_timeval *tv, struct linux_timezone *tz);
long __vdso_time(long *t);
long __vdso_getcpu(unsigned *cpu, unsigned *node, void *unused);
long __vdso_clock_getres(int id, struct linux_timespec *res);

static uint64_t tsc(void)
{
    uint32_t lo, hi;

    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static long syscall2(long nr, long a, long b)
{
    long ret;

    __asm__ __volatile__("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
    return ret;
}

static long syscall3(long nr, long a, long b, long c)
{
    long ret;

    __asm__ __volatile__("syscall"
                         : "=a"(ret)
                         : "a"(nr), "D"(a), "S"(b), "d"(c)
                         : "rcx", "r11", "memory");
    return ret;
}

long __vdso_clock_gettime(int id, struct linux_timespec *ts)
{
    if (vclock_gettime(&vdso_vvar, HAL_UCLOCK_TSC, tsc, id, ts) == 0)
        return 0;
    return syscall2(NR_clock_gettime, id, (long)ts);
}

long __vdso_gettimeofday(struct linux_timeval *tv, struct linux_timezone *tz)
{
    if (vclock_gettimeofday(&vdso_vvar, HAL_UCLOCK_TSC, tsc, tv, tz) == 0)
        return 0;
    return syscall2(NR_gettimeofday, (long)tv, (long)tz);
}

long __vdso_time(long *t)
{
    int64_t now;

    if (vclock_time(&vdso_vvar, HAL_UCLOCK_TSC, tsc, (int64_t *)t, &now) == 0)
        return now;
    return syscall2(NR_time, (long)t, 0);
}

long __vdso_getcpu(unsigned *cpu, unsigned *node, void *unused)
{
    if (vclock_getcpu(&vdso_vvar, cpu, node) == 0)
        return 0;
    return syscall3(NR_getcpu, (long)cpu, (long)node, (long)unused);
}

long __vdso_clock_getres(int id, struct linux_timespec *res)
{
    if (vclock_getres(&vdso_vvar, id, res) == 0)
        return 0;
    return syscall2(NR_clock_getres, id, (long)res);
}

long clock_gettime(int id, struct linux_timespec *ts) __attribute__((weak, alias("__vdso_clock_gettime")));
long gettimeofday(struct linux_timeval *tv, struct linux_timezone *tz)
    __attribute__((weak, alias("__vdso_gettimeofday")));
long time(long *t) __attribute__((weak, alias("__vdso_time")));
long getcpu(unsigned *cpu, unsigned *node, void *unused) __attribute__((weak, alias("__vdso_getcpu")));
long clock_getres(int id, struct linux_timespec *res) __attribute__((weak, alias("__vdso_clock_getres")));
