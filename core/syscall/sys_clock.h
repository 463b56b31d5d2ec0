/*
 * sys_clock.h - Linux clock ids decoded once, for the time syscalls (sys_time.c) and the
 * timers (sys_timer.c). Not for use outside core/syscall.
 *
 * A clock is one of four bases: the wall clock (REALTIME, _COARSE, TAI: hal_wallclock_ns,
 * Petrel keeps TAI = UTC as Linux does until someone sets the TAI offset), the monotonic
 * clock (MONOTONIC, _RAW, _COARSE, BOOTTIME: hal_clock_ns, the machine never suspends), the
 * process's CPU time and a thread's CPU time (sched.h cputime). CPU clocks come as the static
 * ids 2 and 3 or as Linux's dynamic ids ((~pid << 3) | kind, bit 2 per thread), whose kind
 * picks user+system (PROF, SCHED) or user time only (VIRT).
 */
#ifndef CORE_SYSCALL_SYS_CLOCK_H
#define CORE_SYSCALL_SYS_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/abi/time.h"
#include "core/proc/proc.h"

#define SYS_NSEC 1000000000ULL
#define SYS_TICK_NS LINUX_TICK_NS /* a 250 Hz tick: Linux's usual CONFIG_HZ (coarse clocks) */

enum sys_clock_base { SYS_CLK_WALL, SYS_CLK_MONO, SYS_CLK_PROC, SYS_CLK_THREAD };

struct sys_clock {
    int32_t id;               /* as the program gave it */
    enum sys_clock_base base;
    bool coarse;              /* _COARSE, PROF and VIRT: a tick of resolution */
    bool user_only;           /* CPU clocks of kind VIRT */
    bool dynamic;             /* a (~pid << 3) id */
    int tid;                  /* SYS_CLK_THREAD: the thread (0: the caller) */
};

/* Decode the clock argument of clock_gettime and friends for the calling process: 0, or
 * -EINVAL for an unknown id, an ALARM clock (no RTC wakeup device, as on a Linux without
 * one), a CPU clock of kind 3, or a pid/tid that is not this process or one of its threads. */
int sys_clock_decode(uint64_t arg, struct sys_clock *c);
/* The clock's time now in ns (CPU clocks: CPU time). 0 or -EINVAL (the thread ended). */
int sys_clock_now(const struct sys_clock *c, uint64_t *ns);
/* The process's CPU time (user only when user_only). Never sleeps. */
uint64_t sys_proc_cpu_ns(struct proc *p, bool user_only);

/* Timespec helpers: copy in and check (0 <= nsec < 1e9, sec >= 0); -EFAULT, -EINVAL. The
 * result saturates at UINT64_MAX. */
int sys_timespec_in(uint64_t uaddr, uint64_t *ns);
struct linux_timespec sys_ts_of(uint64_t ns);
static inline uint64_t sys_add_sat(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

#endif
