/*
 * procinfo.h - what /proc shows of the process and the machine (docs/procfs.md): the tree
 * that fs/procfs serves, generated from the kernel's own state at each read.
 *
 *   /proc/self -> 1 (PROC_PID)
 *   /proc/1/exe       -> the program's path (the configured `program`, made absolute)
 *   /proc/1/cmdline   argv, each string NUL-terminated (the configured arguments)
 *   /proc/1/environ   envp, each string NUL-terminated
 *   /proc/1/auxv      the initial auxiliary vector (pairs of u64, AT_NULL included)
 *   /proc/1/maps      one line per VM area, in Linux's format ([heap], [stack])
 *   /proc/cpuinfo     one block per CPU: processor, vendor, model name, flags (AT_HWCAP's)
 *   /proc/meminfo     MemTotal, MemFree, MemAvailable from the page allocator
 *   /proc/uptime      seconds since boot (hal_clock_ns), idle time
 *   /proc/1/fd/N      -> what descriptor N is (a directory's path, pipe:[ino], socket:[ino],
 *                     anon_inode:[eventfd]...; other files "(unknown)")
 *   /proc/1/stat, status, mountinfo, mounts   in Linux's formats, from the process and the VFS
 *   /proc/mounts -> self/mounts
 *   /proc/stat        cpu lines, intr, ctxt, btime, processes... from the scheduler (procstat.c)
 *   /proc/sys/kernel/{hostname,osrelease}, /proc/sys/vm/overcommit_memory
 *   /sys/devices/system/cpu/{online,possible}   (a sysfs kind: procinfo_mount_sys)
 */
#ifndef CORE_PROC_PROCINFO_H
#define CORE_PROC_PROCINFO_H

#include <stdint.h>

#include "fs/procfs/procfs.h"

/* The root entries (for procfs_mount; tests mount them anywhere). */
extern const struct procfs_entry procinfo_root[];

/* uname's nodename and release (core/syscall/sys_misc.c answers the same). */
#define PROCINFO_HOSTNAME "petrel"
#define PROCINFO_OSRELEASE "6.1.0-petrel"

extern const struct procfs_entry procinfo_sys_root[];
/* Mount the /sys tree when the root has a /sys directory: 0 (also when none) or -errno. */
int procinfo_mount_sys(void);

/* Mount /proc when the root has a /proc directory. Returns 0 (also when there is none) or
 * procfs_mount()'s error. May sleep. */
int procinfo_mount(void);

/* procstat.c: /proc/stat and /proc/1/mounts. */
int procinfo_show_stat(struct procfs_buf *b);
int procinfo_show_mounts(struct procfs_buf *b);

/* AT_HWCAP for /proc/cpuinfo's flags (the kernel passes what it gives the program). */
void procinfo_set_hwcap(uint64_t hwcap);

#endif
