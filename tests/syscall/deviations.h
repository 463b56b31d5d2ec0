/*
 * deviations.h - where Petrel deliberately (or, for now, knowingly) answers otherwise than
 * Linux, one entry per (case, step), each with its reason. Only the hosted runner reads this
 * file; the native runner never does, so every case's written expectation stays Linux's.
 *
 * An entry says what Petrel returns at that step instead; its output bytes are not checked.
 * Reasons starting "being fixed by <helper>" / "reported to <helper>" name the owner of the
 * code that deviates (CONTRACTS.md); such a case passes with Linux's answer too, and the
 * runner prints "FIXED DEVIATION <case>" once Petrel gives it: delete the entry then. Any
 * other entry is deliberate: when it no longer applies the hosted runner fails (STALE).
 *
 * case_name: exact, or a prefix ending in '*' ("t.clock_nanosleep.a1.bit*").
 * env: "memfs", "tfs", or NULL for both filesystems.
 */
#ifndef TESTS_SYSCALL_DEVIATIONS_H
#define TESTS_SYSCALL_DEVIATIONS_H

#include <fcntl.h>

#include "sc.h"

struct sc_deviation {
    const char *case_name;
    const char *env;
    unsigned step;
    struct sc_want petrel;
    const char *reason;
};

#define FILES_FIX "being fixed by files (core/syscall/sys_file.c)"

/*
 * Deliberate differences without a case here (the vDSO's address is not known to the case
 * tables; tests/runtime/progs/vdso_madvise.c compares the answers natively, docs/time.md):
 *   - [vvar] and [vdso]: Linux maps 4 + 2 data pages and a 2-page image, Petrel one page
 *     each (the data fits a page; the image is under 4 KiB). Linux refuses (EINVAL) any call
 *     that would split a special mapping (munmap, mprotect or a flag-changing madvise of one
 *     page of it); with one page each there is no part to compare.
 *   - madvise hint flags (RANDOM, SEQUENTIAL, DONTFORK, WIPEONFORK, HUGEPAGE, DONTDUMP, ...)
 *     are accepted and not recorded on any area: Linux's answer to a later advice that would
 *     undo one on a special mapping depends on the flags set, Petrel's does not.
 */
static const struct sc_deviation sc_deviations[] = {
    /* files2 (core/syscall/sys_file.c): deliberate. */
    {"memfd.hugetlb", NULL, 0, ERR(ENODEV), "Petrel has no huge pages (no hugetlbfs): "
     "MFD_HUGETLB gets Linux's answer for a page size without a pool"},
    /* abifix (tests/syscall/cases_fileops.c): deliberate. */
    {"fileops.tcp_socket", NULL, 7, ERR(ENODEV), "Petrel has no TCP_ZEROCOPY_RECEIVE, so a "
     "TCP socket has no mmap (Linux's tcp_mmap refuses a writable mapping: EPERM)"},
    {"fileops.tcp_socket", NULL, 8, ERR(ENODEV), "Petrel has no TCP_ZEROCOPY_RECEIVE, so a "
     "TCP socket has no mmap (Linux maps a read-only area that receive zerocopy fills)"},
    /* plumb (core/syscall/sys_misc.c): deliberate. */
    {"meta.setsid", NULL, 0, ERR(EPERM), "Petrel's one process is already the leader of its "
     "group and session (pid 1, as a container's first process), which setsid refuses; the "
     "native runner's forked child is not one yet"},
    {"t.getdents64.a1.top", NULL, 1, ERR(EFAULT), "reported to files: Linux checks each "
     "record as it writes it (the entries that fit below the top are returned); Petrel "
     "checks the whole buffer first"},
    /* O_LARGEFILE: Linux forces it on 64-bit opens and F_GETFL shows it. */
    {"file.fcntl_getfl", NULL, 1, W(O_WRONLY | O_APPEND),
     "reported to files: F_GETFL lacks "
     "O_LARGEFILE (0100000), which Linux sets on every 64-bit open"},
    {"file.fcntl_setfl", NULL, 3, W(O_RDWR | O_NONBLOCK | O_APPEND),
     "reported to files: "
     "F_GETFL lacks O_LARGEFILE"},
    {"file.ioctl_fionbio", NULL, 3, W(O_RDWR | O_NONBLOCK),
     "reported to files: F_GETFL lacks "
     "O_LARGEFILE"},
    /* Memory (core/syscall/sys_mem.c, plumb). */
    {"t.mprotect.a2.bit24", NULL, 1, W(0),
     "reported to plumb: PROT_GROWSDOWN on a mapping "
     "that is not MAP_GROWSDOWN is -EINVAL on Linux; Petrel ignores the bit"},
    {"t.mprotect.a2.bit25", NULL, 1, W(0),
     "reported to plumb: PROT_GROWSUP is -EINVAL on "
     "x86-64 Linux; Petrel ignores the bit"},
    /* Process groups: deliberate. */
    {"attr.setpgid_self", NULL, 0, ERR(EPERM),
     "Petrel's one process is pid 1 and leads its own session and group (as init), so "
     "setpgid(0, 0) is -EPERM for it, as for any session leader on Linux; the native runner's "
     "child is not a session leader"},
    /* Plumb's new syscalls (core/syscall/sys_*.c): run once they are implemented on main. */
    {"attr.sync_file_range", NULL, 4, W(0),
     "reported to plumb: sync_file_range with a negative offset is -EINVAL on Linux"},
    {"attr.fadvise64", NULL, 4, W(0),
     "reported to plumb: fadvise64 with a negative length is -EINVAL on Linux"},
    /* Futex (core/proc/futex.c, threads; runs once futex is implemented on main). */
    {"t.futex_wake.a0.null", NULL, 0, ERR(EFAULT),
     "reported to threads: FUTEX_WAKE of a private futex at NULL wakes nobody and returns 0 on "
     "Linux (the word is never read); Petrel -EFAULT"},
    {NULL, NULL, 0, {0, 0}, NULL},
};

#endif
