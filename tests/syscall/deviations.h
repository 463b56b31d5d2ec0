/*
 * deviations.h - where Petrel deliberately (or, for now, knowingly) answers otherwise than
 * Linux, one entry per (case, step), each with its reason. Only the hosted runner reads this
 * file; the native runner never does, so every case's written expectation stays Linux's.
 *
 * An entry says what Petrel returns at that step instead; its output bytes are not checked.
 * An entry that no longer applies (Petrel now gives Linux's answer) fails the hosted runner:
 * delete it. Reasons starting "being fixed by <helper>" / "reported to <helper>" name the
 * owner of the code that deviates (CONTRACTS.md).
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

static const struct sc_deviation sc_deviations[] = {
    /* The two expectations issue 7 names as wrong in the old tests. */
    {"file.read_tail_unmapped", NULL, 3, ERR(EFAULT), FILES_FIX ": a read whose buffer's tail "
     "is unmapped returns the bytes done on Linux, -EFAULT in Petrel"},
    {"file.read_tail_unmapped", NULL, 4, W(0), FILES_FIX ": (the offset then stays)"},
    {"file.write_tail_unmapped", NULL, 1, ERR(EFAULT), FILES_FIX ": the same for write"},
    {"file.write_tail_unmapped", NULL, 2, W(0), FILES_FIX ": (nothing written)"},
    {"file.writev_kernel_ptr_second", NULL, 1, W(3), FILES_FIX ": a writev with an iovec "
     "outside user space is -EFAULT before any byte moves on Linux; Petrel writes the iovecs "
     "before it"},
    {"file.writev_kernel_ptr_second", NULL, 2, W(0), FILES_FIX ": (st_size is 3, not 0)"},
    {"file.readv_kernel_ptr_second", NULL, 3, W(2), "reported to files: readv, like writev, "
     "must check every iovec's range before reading (Linux: -EFAULT, offset unchanged)"},
    {"file.readv_kernel_ptr_second", NULL, 4, W(2), "reported to files: (offset moved to 2)"},
    /* generated from the readv/writev templates: an iovec base past the user top */
    {"t.writev.a1.iov1.kernel", NULL, 2, W(1), FILES_FIX ": writev writes iovec 0 first"},
    {"t.writev.a1.iov1.noncanon", NULL, 2, W(1), FILES_FIX ": writev writes iovec 0 first"},
    {"t.writev.a1.iov1.top", NULL, 2, W(1), FILES_FIX ": writev writes iovec 0 first"},
    {"t.readv.a1.iov1.kernel", NULL, 3, W(2), "reported to files: readv reads iovec 0 first"},
    {"t.readv.a1.iov1.noncanon", NULL, 3, W(2), "reported to files: readv reads iovec 0 first"},
    {"t.readv.a1.iov1.top", NULL, 3, W(2), "reported to files: readv reads iovec 0 first"},
    {"t.getdents64.a1.top", NULL, 1, ERR(EFAULT), "reported to files: Linux checks each "
     "record as it writes it (the entries that fit below the top are returned); Petrel "
     "checks the whole buffer first"},
    /* O_LARGEFILE: Linux forces it on 64-bit opens and F_GETFL shows it. */
    {"file.fcntl_getfl", NULL, 1, W(O_WRONLY | O_APPEND), "reported to files: F_GETFL lacks "
     "O_LARGEFILE (0100000), which Linux sets on every 64-bit open"},
    {"file.fcntl_setfl", NULL, 3, W(O_RDWR | O_NONBLOCK | O_APPEND), "reported to files: "
     "F_GETFL lacks O_LARGEFILE"},
    {"file.ioctl_fionbio", NULL, 3, W(O_RDWR | O_NONBLOCK), "reported to files: F_GETFL lacks "
     "O_LARGEFILE"},
    /* Memory (core/syscall/sys_mem.c, plumb). */
    {"mem.mmap_both_types", NULL, 0, OK, "reported to plumb: MAP_SHARED|MAP_PRIVATE "
     "(MAP_SHARED_VALIDATE) with MAP_ANONYMOUS is -EINVAL on Linux; Petrel maps"},
    {"mem.mmap_dir", NULL, 1, OK, "reported to plumb: mmap of a directory is -ENODEV on "
     "Linux (no mmap file operation); Petrel maps it"},
    {"t.mprotect.a2.bit24", NULL, 1, W(0), "reported to plumb: PROT_GROWSDOWN on a mapping "
     "that is not MAP_GROWSDOWN is -EINVAL on Linux; Petrel ignores the bit"},
    {"t.mprotect.a2.bit25", NULL, 1, W(0), "reported to plumb: PROT_GROWSUP is -EINVAL on "
     "x86-64 Linux; Petrel ignores the bit"},
    /* Time (core/syscall/sys_time.c, plumb). */
    {"time.clock_nanosleep_errors", NULL, 2, ERR(EINVAL), "reported to plumb: "
     "clock_nanosleep on CLOCK_THREAD_CPUTIME_ID is -EOPNOTSUPP on Linux"},
    {"t.clock_nanosleep.a1.bit*", NULL, 0, ERR(EINVAL), "reported to plumb: clock_nanosleep "
     "ignores flag bits other than TIMER_ABSTIME on Linux; Petrel refuses them"},
    /* Misc (core/syscall/sys_misc.c, plumb). */
    {"t.getrlimit.a1.null", NULL, 0, W(0), "reported to plumb: getrlimit(res, NULL) is "
     "-EFAULT on Linux; Petrel returns 0 without writing"},
    {NULL, NULL, 0, {0, 0}, NULL},
};

#endif
