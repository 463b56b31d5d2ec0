/*
 * st.h - the syscall tests' fixture.
 *
 * Every case boots the hosted kernel (hosted_boot) and runs its body in the init thread,
 * which plays the application: before the body, an empty VFS with memfs at "/", a process
 * (proc_create) attached to the thread, and st_buf: ST_BUF_SIZE bytes of user memory mapped
 * read-write by mmap through ksys_call. After it: the process is destroyed, the VFS shut down,
 * and no syscall may have read a user byte twice (sys_double_fetches). A failed check prints
 * file, line and values and returns from the body; the CMocka case then fails.
 *
 *   ST_CASE(name) { ...body... }
 */
#ifndef TESTS_UNIT_SYSCALL_ST_H
#define TESTS_UNIT_SYSCALL_ST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/proc/proc.h"
#include "core/syscall/syscall.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_errno.h"

#define ST_BUF_SIZE (256 * 1024ULL)
#define ST_KERNEL_PTR 0xffff800000001000ULL
#define ST_WRAP_PTR 0xfffffffffffff000ULL

extern int st_failures;
extern uint64_t st_buf;  /* user address of the mapped buffer */
extern uint64_t st_hole; /* a user address inside the arena with nothing mapped */
extern struct proc *st_proc;
extern uint64_t st_doubles_expected; /* double fetches a case provokes on purpose */

void st_fail(const char *file, int line, const char *expr, long long a, long long b);
void st_run(void (*body)(void));

/* Syscall with up to six arguments (missing ones are 0). */
#define SC(nr, ...) st_call(nr, (uint64_t[6]){__VA_ARGS__})
long st_call(uint64_t nr, const uint64_t a[6]);

/* User memory helpers: copy kernel data to/from user address u (the check fails on error). */
uint64_t st_put(uint64_t u, const void *data, size_t n);
uint64_t st_str(uint64_t u, const char *s); /* st_put of s with its NUL; returns u */
void st_get(void *dst, uint64_t u, size_t n);
/* Create path with contents (O_CREAT|O_TRUNC through the syscalls). */
void st_file(const char *path, const char *data);

#define ST_CHECK(cond)                                                                             \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            st_fail(__FILE__, __LINE__, #cond, 0, 0);                                              \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define ST_EQ(a, b)                                                                                \
    do {                                                                                           \
        long long _a = (long long)(a), _b = (long long)(b);                                        \
        if (_a != _b) {                                                                            \
            st_fail(__FILE__, __LINE__, #a " == " #b, _a, _b);                                     \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define ST_CASE(name)                                                                              \
    static void name##_body(void);                                                                 \
    static void name(void **state)                                                                 \
    {                                                                                              \
        (void)state;                                                                               \
        st_run(name##_body);                                                                       \
    }                                                                                              \
    static void name##_body(void)

/* Linux numbers used by the tests. */
enum {
    NR_read = 0,
    NR_write = 1,
    NR_open = 2,
    NR_close = 3,
    NR_stat = 4,
    NR_fstat = 5,
    NR_lstat = 6,
    NR_poll = 7,
    NR_lseek = 8,
    NR_mmap = 9,
    NR_mprotect = 10,
    NR_munmap = 11,
    NR_brk = 12,
    NR_rt_sigaction = 13,
    NR_rt_sigprocmask = 14,
    NR_ioctl = 16,
    NR_pread64 = 17,
    NR_pwrite64 = 18,
    NR_readv = 19,
    NR_writev = 20,
    NR_access = 21,
    NR_sched_yield = 24,
    NR_madvise = 28,
    NR_dup = 32,
    NR_dup2 = 33,
    NR_nanosleep = 35,
    NR_getpid = 39,
    NR_exit = 60,
    NR_uname = 63,
    NR_fcntl = 72,
    NR_fsync = 74,
    NR_fdatasync = 75,
    NR_ftruncate = 77,
    NR_getcwd = 79,
    NR_chdir = 80,
    NR_fchdir = 81,
    NR_rename = 82,
    NR_mkdir = 83,
    NR_rmdir = 84,
    NR_link = 86,
    NR_unlink = 87,
    NR_symlink = 88,
    NR_readlink = 89,
    NR_umask = 95,
    NR_gettimeofday = 96,
    NR_getrlimit = 97,
    NR_sysinfo = 99,
    NR_getuid = 102,
    NR_getgid = 104,
    NR_geteuid = 107,
    NR_getegid = 108,
    NR_getppid = 110,
    NR_sigaltstack = 131,
    NR_arch_prctl = 158,
    NR_gettid = 186,
    NR_time = 201,
    NR_getdents64 = 217,
    NR_set_tid_address = 218,
    NR_clock_gettime = 228,
    NR_clock_getres = 229,
    NR_clock_nanosleep = 230,
    NR_exit_group = 231,
    NR_openat = 257,
    NR_mkdirat = 258,
    NR_newfstatat = 262,
    NR_unlinkat = 263,
    NR_renameat = 264,
    NR_linkat = 265,
    NR_symlinkat = 266,
    NR_readlinkat = 267,
    NR_faccessat = 269,
    NR_set_robust_list = 273,
    NR_dup3 = 292,
    NR_prlimit64 = 302,
    NR_renameat2 = 316,
    NR_getrandom = 318,
    NR_faccessat2 = 439,
};

#define AT_FDCWD_U ((uint64_t)(int64_t)-100)
#define O_RDONLY_ 0
#define O_WRONLY_ 1
#define O_RDWR_ 2
#define O_CREAT_ 0100
#define O_TRUNC_ 01000
#define O_APPEND_ 02000
#define O_NONBLOCK_ 04000
#define O_DIRECTORY_ 0200000
#define O_CLOEXEC_ 02000000

#endif
