/*
 * vclock.h - the vDSO's clock functions as C over the data page, shared by the vDSO image
 * (image/vdso_user.c, which passes RDTSC as the counter) and the hosted tests (which pass the
 * hosted virtual clock's counter): the code the tests run is the code programs run.
 *
 * Each function answers from the data page, or returns VCLOCK_SYSCALL when the kernel must
 * answer (a clock the page does not describe: CPU clocks, unknown ids; a counter kind other
 * than the caller's; getcpu with more than one CPU). Which clock reads what is exactly
 * sys_clock_decode's table (core/syscall/sys_time.c): REALTIME, REALTIME_COARSE and TAI read
 * the wall clock; MONOTONIC, MONOTONIC_RAW, MONOTONIC_COARSE and BOOTTIME the monotonic
 * clock (the coarse ones with the precise value, as the syscall). Resolutions are the
 * syscall's: 1 ns, the tick for the coarse clocks.
 *
 * Freestanding, no globals, no relocations: the image is position independent and is never
 * relocated, so nothing here may take the address of a global object.
 */
#ifndef CORE_VDSO_VCLOCK_H
#define CORE_VDSO_VCLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/abi/time.h"
#include "core/vdso/vdso_data.h"

#define VCLOCK_SYSCALL 1
#define VCLOCK_NSEC 1000000000ULL

enum vclock_base { VCLOCK_NONE, VCLOCK_WALL, VCLOCK_MONO };

/* Which clock id reads what; *coarse for the _COARSE ids. */
static inline enum vclock_base vclock_base_of(int32_t id, bool *coarse)
{
    *coarse = id == LINUX_CLOCK_REALTIME_COARSE || id == LINUX_CLOCK_MONOTONIC_COARSE;
    switch (id) {
    case LINUX_CLOCK_REALTIME:
    case LINUX_CLOCK_REALTIME_COARSE:
    case LINUX_CLOCK_TAI:
        return VCLOCK_WALL;
    case LINUX_CLOCK_MONOTONIC:
    case LINUX_CLOCK_MONOTONIC_RAW:
    case LINUX_CLOCK_MONOTONIC_COARSE:
    case LINUX_CLOCK_BOOTTIME:
        return VCLOCK_MONO;
    default:
        return VCLOCK_NONE;
    }
}

/* The clock of base now, from a consistent copy of the page's clock (retried while the HAL
 * rewrites it): 0, or VCLOCK_SYSCALL when the page's counter is not of kind mode. */
static inline int vclock_ns(const volatile struct vdso_data *d, uint32_t mode,
                            uint64_t (*counter)(void), enum vclock_base base, uint64_t *ns)
{
    const volatile struct hal_uclock *c = &d->clock;
    uint32_t seq;
    uint64_t t;

    do {
        seq = c->seq;
        __asm__ __volatile__("" ::: "memory");
        if (c->mode != mode || mode == HAL_UCLOCK_NONE)
            return VCLOCK_SYSCALL;
        t = hal_uclock_ns(c->cycle_base, c->ns_base, c->mult, counter());
        if (base == VCLOCK_WALL)
            t += c->wall_offset;
        __asm__ __volatile__("" ::: "memory");
    } while ((seq & 1) || seq != c->seq);
    *ns = t;
    return 0;
}

static inline int vclock_gettime(const volatile struct vdso_data *d, uint32_t mode,
                                 uint64_t (*counter)(void), int32_t id, struct linux_timespec *ts)
{
    bool coarse;
    enum vclock_base base = vclock_base_of(id, &coarse);
    uint64_t ns;

    if (base == VCLOCK_NONE || vclock_ns(d, mode, counter, base, &ns))
        return VCLOCK_SYSCALL;
    ts->tv_sec = (int64_t)(ns / VCLOCK_NSEC);
    ts->tv_nsec = (int64_t)(ns % VCLOCK_NSEC);
    return 0;
}

/* clock_getres: needs no clock reading, only the id (res may be NULL, as the syscall). */
static inline int vclock_getres(const volatile struct vdso_data *d, int32_t id,
                                struct linux_timespec *res)
{
    bool coarse;

    if (vclock_base_of(id, &coarse) == VCLOCK_NONE)
        return VCLOCK_SYSCALL;
    if (res) {
        res->tv_sec = 0;
        res->tv_nsec = coarse ? (int64_t)d->tick_ns : 1;
    }
    return 0;
}

/* gettimeofday: the wall clock in microseconds; the time zone is UTC without DST. */
static inline int vclock_gettimeofday(const volatile struct vdso_data *d, uint32_t mode,
                                      uint64_t (*counter)(void), struct linux_timeval *tv,
                                      struct linux_timezone *tz)
{
    uint64_t ns;

    if (tv) {
        if (vclock_ns(d, mode, counter, VCLOCK_WALL, &ns))
            return VCLOCK_SYSCALL;
        tv->tv_sec = (int64_t)(ns / VCLOCK_NSEC);
        tv->tv_usec = (int64_t)(ns % VCLOCK_NSEC / 1000);
    }
    if (tz) {
        tz->tz_minuteswest = 0;
        tz->tz_dsttime = 0;
    }
    return 0;
}

/* time: whole seconds of the wall clock, also stored in *t when t is not NULL. */
static inline int vclock_time(const volatile struct vdso_data *d, uint32_t mode,
                              uint64_t (*counter)(void), int64_t *t, int64_t *out)
{
    uint64_t ns;

    if (vclock_ns(d, mode, counter, VCLOCK_WALL, &ns))
        return VCLOCK_SYSCALL;
    *out = (int64_t)(ns / VCLOCK_NSEC);
    if (t)
        *t = *out;
    return 0;
}

/* getcpu: CPU 0 on NUMA node 0 while the machine has one CPU (the syscall's answer). */
static inline int vclock_getcpu(const volatile struct vdso_data *d, uint32_t *cpu,
                                uint32_t *node)
{
    if (d->ncpus != 1)
        return VCLOCK_SYSCALL;
    if (cpu)
        *cpu = 0;
    if (node)
        *node = 0;
    return 0;
}

#endif
