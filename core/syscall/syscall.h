/*
 * syscall.h - the Linux x86-64 syscall layer: dispatcher, tracer, and the table behind both.
 *
 * Every syscall Petrel knows is one row of syscalls.def (number, name, argument kinds). That
 * table generates the dispatcher (ksys_call), the `debugsyscalls` tracer and the argument
 * decoder of the syscall fuzzer (fuzz/syscall). Each handler decodes and validates all of its
 * arguments first - copying user memory in once - and only then acts (STYLE habit 7); it
 * returns a value or -errno exactly as Linux would. docs/syscalls.md lists every syscall.
 *
 * The caller is a thread attached to a process (core/proc/proc.h: proc_attach). On x86 the
 * HAL's SYSCALL entry calls kernel_syscall() (hal/hal_user.h), which decodes the registers
 * and calls ksys_call(); hosted tests call ksys_call() directly, as C (DESIGN §4).
 */
#ifndef CORE_SYSCALL_SYSCALL_H
#define CORE_SYSCALL_SYSCALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Argument kinds (see syscalls.def). */
enum sys_arg_kind {
    SYS_ARG_NONE = 0,
    SYS_ARG_INT,   /* signed int */
    SYS_ARG_UINT,  /* unsigned / request number */
    SYS_ARG_FD,    /* file descriptor */
    SYS_ARG_DIRFD, /* file descriptor or AT_FDCWD */
    SYS_ARG_PATH,  /* NUL-terminated user string */
    SYS_ARG_IN,    /* user buffer read; length in argument `param` */
    SYS_ARG_OUT,   /* user buffer written; length in argument `param` */
    SYS_ARG_INS,   /* user struct of `param` bytes, read */
    SYS_ARG_OUTS,  /* user struct of `param` bytes, written */
    SYS_ARG_IOV,   /* user iovec array; count in argument `param` */
    SYS_ARG_SIZE,
    SYS_ARG_OFF,
    SYS_ARG_FLAGS,
    SYS_ARG_MODE,
    SYS_ARG_CLOCK,
    SYS_ARG_SIG,
    SYS_ARG_ADDR, /* user address, never dereferenced */
    SYS_ARG_PTR,  /* user pointer, meaning set by another argument */
};

struct sys_arg {
    uint8_t kind;   /* enum sys_arg_kind */
    uint16_t param; /* argument index or struct size, per kind */
};

#define A_INT                                                                                      \
    {                                                                                              \
        SYS_ARG_INT, 0                                                                             \
    }
#define A_UINT                                                                                     \
    {                                                                                              \
        SYS_ARG_UINT, 0                                                                            \
    }
#define A_FD                                                                                       \
    {                                                                                              \
        SYS_ARG_FD, 0                                                                              \
    }
#define A_DIRFD                                                                                    \
    {                                                                                              \
        SYS_ARG_DIRFD, 0                                                                           \
    }
#define A_PATH                                                                                     \
    {                                                                                              \
        SYS_ARG_PATH, 0                                                                            \
    }
#define A_IN(i)                                                                                    \
    {                                                                                              \
        SYS_ARG_IN, (i)                                                                            \
    }
#define A_OUT(i)                                                                                   \
    {                                                                                              \
        SYS_ARG_OUT, (i)                                                                           \
    }
#define A_INS(n)                                                                                   \
    {                                                                                              \
        SYS_ARG_INS, (n)                                                                           \
    }
#define A_OUTS(n)                                                                                  \
    {                                                                                              \
        SYS_ARG_OUTS, (n)                                                                          \
    }
#define A_IOV(i)                                                                                   \
    {                                                                                              \
        SYS_ARG_IOV, (i)                                                                           \
    }
#define A_SIZE                                                                                     \
    {                                                                                              \
        SYS_ARG_SIZE, 0                                                                            \
    }
#define A_OFF                                                                                      \
    {                                                                                              \
        SYS_ARG_OFF, 0                                                                             \
    }
#define A_FLAGS                                                                                    \
    {                                                                                              \
        SYS_ARG_FLAGS, 0                                                                           \
    }
#define A_MODE                                                                                     \
    {                                                                                              \
        SYS_ARG_MODE, 0                                                                            \
    }
#define A_CLOCK                                                                                    \
    {                                                                                              \
        SYS_ARG_CLOCK, 0                                                                           \
    }
#define A_SIG                                                                                      \
    {                                                                                              \
        SYS_ARG_SIG, 0                                                                             \
    }
#define A_ADDR                                                                                     \
    {                                                                                              \
        SYS_ARG_ADDR, 0                                                                            \
    }
#define A_PTR                                                                                      \
    {                                                                                              \
        SYS_ARG_PTR, 0                                                                             \
    }

#define SYS_MAX_ARGS 6

/* Syscall numbers by name (SYS_NR_read, SYS_NR_exit_group...): every row of syscalls.def. */
enum sys_nr {
#define SYSCALL(nr, name, ...) SYS_NR_##name = (nr),
#define SYSCALL_NI(nr, name, ...) SYS_NR_##name = (nr),
#include "core/syscall/syscalls.def"
#undef SYSCALL
#undef SYSCALL_NI
};
#define SYS_NR_MAX 512 /* numbers at or above are unknown */

typedef long sys_fn(const uint64_t a[SYS_MAX_ARGS]);

/* One row of the table. */
struct sys_desc {
    unsigned nr;
    const char *name;
    sys_fn *fn; /* NULL: known, not implemented (-ENOSYS) */
    unsigned nargs;
    struct sys_arg args[SYS_MAX_ARGS];
};

/*
 * Run syscall nr with its six raw arguments, as the calling thread's process. Returns the
 * result or -errno: -ENOSYS for unknown numbers and for known but unimplemented ones (which
 * are named on the console when debugsyscalls is on). With tracing on, prints one line
 * "name(args) = ret". exit and exit_group do not return. May sleep; thread context only,
 * the thread attached to a process (proc_attach).
 */
long ksys_call(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
               uint64_t a5);

/* The table row for nr, or NULL when unknown. */
const struct sys_desc *sys_lookup(uint64_t nr);
/* The i-th row (in number order) for i < sys_table_count(), for the fuzzer and tests. */
const struct sys_desc *sys_table_at(size_t i);
size_t sys_table_count(void);

/* Tracing: every syscall prints "name(args) = ret" (the `debugsyscalls` key). */
void sys_trace_set(bool on);
bool sys_trace_enabled(void);
/* Nonzero while the tracer (SYS_OBSERVE_TRACE) or a diagnostic (SYS_OBSERVE_DIAG) is on: the
 * dispatcher's one test before it runs their hooks. Written only by their setters. */
#define SYS_OBSERVE_TRACE 1u
#define SYS_OBSERVE_DIAG 2u
extern unsigned sys_observing;
/*
 * Format the trace line of a call into buf (no newline): arguments by kind, paths and strings
 * read again from user memory for display only (at most 64 bytes, escaped, "..." when longer;
 * an unreadable pointer shows as its address). Returns the length (as ksnprintf). May sleep.
 */
int sys_trace_format(char *buf, size_t size, const struct sys_desc *d, const uint64_t a[6],
                     long ret);

/*
 * Diagnostics (core/syscall/diag.c, the manifest keys syscall_summary, missing_files and
 * futex_trace): turned on at boot, reported by sys_diag_report when the program ends (on the
 * console). sys_diag_call is the dispatcher's hook after each call (ns: its wall time).
 */
#define SYS_DIAG_SUMMARY 1u /* count calls, errors and time per syscall */
#define SYS_DIAG_MISSING 2u /* remember the paths open/exec failed on with ENOENT */
#define SYS_DIAG_FUTEX 4u   /* one console line per futex call */
struct uthread;
void sys_diag_set(unsigned flags);
unsigned sys_diag_flags(void);
void sys_diag_call(const struct uthread *ut, const struct sys_desc *d, const uint64_t a[6],
                   long ret, uint64_t ns);
void sys_diag_noreturn(const struct sys_desc *d);
/* The summary and the missing files, as turned on; nothing when off. */
void sys_diag_report(void);
/* Forget every count and path, and which syscalls were named (tests). */
void sys_diag_reset(void);
/* True the first time nr is asked about: an unimplemented syscall is named once. */
bool sys_diag_first_missing(uint64_t nr);

/*
 * Double-fetch check: the syscall layer's copy-in helpers record every user range read
 * during one syscall, per argument (core/syscall/ucopy.c); reading a byte of one argument
 * twice counts here. Tests and the fuzzer assert it stays 0. Returns the count since boot.
 */
uint64_t sys_double_fetches(void);
/* User ranges copied in by the last syscall of the calling thread (tests). */
unsigned sys_last_fetch_count(void);

#endif
