/*
 * core/abi/resource.h - Linux resource limits (RLIMIT_*, struct rlimit of getrlimit and
 * prlimit64), struct rusage and its RUSAGE_* targets, priority targets, and struct sysinfo.
 */
#ifndef CORE_ABI_RESOURCE_H
#define CORE_ABI_RESOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "core/abi/time.h"

#define LINUX_RLIMIT_CPU 0
#define LINUX_RLIMIT_FSIZE 1
#define LINUX_RLIMIT_DATA 2
#define LINUX_RLIMIT_STACK 3
#define LINUX_RLIMIT_CORE 4
#define LINUX_RLIMIT_RSS 5
#define LINUX_RLIMIT_NPROC 6
#define LINUX_RLIMIT_NOFILE 7
#define LINUX_RLIMIT_MEMLOCK 8
#define LINUX_RLIMIT_AS 9
#define LINUX_RLIMIT_LOCKS 10
#define LINUX_RLIMIT_SIGPENDING 11
#define LINUX_RLIMIT_MSGQUEUE 12
#define LINUX_RLIMIT_NICE 13
#define LINUX_RLIMIT_RTPRIO 14
#define LINUX_RLIMIT_RTTIME 15
#define LINUX_RLIM_NLIMITS 16
#define LINUX_RLIM_INFINITY (~0ULL)

struct linux_rlimit {
    uint64_t rlim_cur;
    uint64_t rlim_max;
};
_Static_assert(sizeof(struct linux_rlimit) == 16, "rlimit size");

#define LINUX_RUSAGE_SELF 0
#define LINUX_RUSAGE_CHILDREN (-1)
#define LINUX_RUSAGE_BOTH (-2)
#define LINUX_RUSAGE_THREAD 1
struct linux_rusage {
    struct linux_timeval ru_utime;
    struct linux_timeval ru_stime;
    int64_t ru_maxrss; /* KiB */
    int64_t ru_ixrss;
    int64_t ru_idrss;
    int64_t ru_isrss;
    int64_t ru_minflt;
    int64_t ru_majflt;
    int64_t ru_nswap;
    int64_t ru_inblock;
    int64_t ru_oublock;
    int64_t ru_msgsnd;
    int64_t ru_msgrcv;
    int64_t ru_nsignals;
    int64_t ru_nvcsw;
    int64_t ru_nivcsw;
};
_Static_assert(sizeof(struct linux_rusage) == 144, "rusage size");
_Static_assert(offsetof(struct linux_rusage, ru_stime) == 16, "rusage ru_stime");
_Static_assert(offsetof(struct linux_rusage, ru_maxrss) == 32, "rusage ru_maxrss");
_Static_assert(offsetof(struct linux_rusage, ru_minflt) == 64, "rusage ru_minflt");
_Static_assert(offsetof(struct linux_rusage, ru_nvcsw) == 128, "rusage ru_nvcsw");

/* getpriority/setpriority targets. */
#define LINUX_PRIO_PROCESS 0
#define LINUX_PRIO_PGRP 1
#define LINUX_PRIO_USER 2

struct linux_sysinfo {
    int64_t uptime;
    uint64_t loads[3]; /* 1, 5, 15 minutes, fixed point << LINUX_SI_LOAD_SHIFT */
    uint64_t totalram;
    uint64_t freeram;
    uint64_t sharedram;
    uint64_t bufferram;
    uint64_t totalswap;
    uint64_t freeswap;
    uint16_t procs;
    uint16_t _pad;
    uint64_t totalhigh;
    uint64_t freehigh;
    uint32_t mem_unit;
    uint8_t _f[4];
};
#define LINUX_SI_LOAD_SHIFT 16
_Static_assert(sizeof(struct linux_sysinfo) == 112, "sysinfo size");
_Static_assert(offsetof(struct linux_sysinfo, totalram) == 32, "sysinfo totalram");
_Static_assert(offsetof(struct linux_sysinfo, procs) == 80, "sysinfo procs");
_Static_assert(offsetof(struct linux_sysinfo, totalhigh) == 88, "sysinfo totalhigh");
_Static_assert(offsetof(struct linux_sysinfo, mem_unit) == 104, "sysinfo mem_unit");

#endif
