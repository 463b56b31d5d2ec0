/*
 * boot.h - the kernel's boot and mount policy: from a block device to a running program.
 *
 * This is policy, kept out of the process code (core/proc): which volume becomes "/", where
 * the configuration is read from, what else is mounted, the page-cache write-back cadence,
 * and in what order the process is made and started. The init thread (core/kernel.c) calls
 * boot_run_configured when the backend gave no hosted entry.
 */
#ifndef CORE_BOOT_BOOT_H
#define CORE_BOOT_BOOT_H

#include <stdint.h>

/* Name of the root-directory xattr holding the manifest (tools/tools.h TOOLS_CONFIG_XATTR). */
#define BOOT_CONFIG_XATTR "petrel.config"
#define BOOT_CONFIG_MAX 65536u
/* The page-cache flusher: dirty pages older than this are written back this often (Linux's
 * dirty_writeback_centisecs is 5 s). */
#define BOOT_FLUSH_INTERVAL_NS (5ULL * 1000000000ULL)

/*
 * Mount the TFS volume on block device 0 as "/" (through the VFS block adapter, with a page
 * cache), read the configuration stored in the image (xattr BOOT_CONFIG_XATTR of the root,
 * docs/tools.md), apply the command line's key=value overrides (cmdline may be NULL), mount
 * a memfs /dev when the image has a /dev directory, start the page-cache flusher, create the
 * process, proc_start it, turn the syscall tracer on when `debugsyscalls` is set, and enter
 * user mode (hal_user_enter). Returns only on failure, with the exit code the kernel should
 * end with (a message is on the console); the program's own end goes through proc_exit.
 * hwcap/hwcap2: AT_HWCAP(2). Thread context (the init thread); sleeps.
 */
int boot_run_configured(const char *cmdline, uint64_t hwcap, uint64_t hwcap2);

#endif
