/*
 * sc.h - syscall case tables, run against Linux and against Petrel (DESIGN §4, "Linux is the
 * oracle"). docs/syscall-tests.md is the guide; this header is the format.
 *
 * A case is a list of steps run in a fresh scratch directory (the current directory) with
 * a fresh process: each step is one syscall whose arguments are built from the table -
 * integers, strings and byte strings placed in user memory, zeroed output buffers, the
 * result of an earlier step (a descriptor, an address), or a bad pointer of a named class -
 * and an expected result (exact value, -errno, or "any non-negative"), optionally with the
 * bytes the call must leave in its output buffers. Every step is checked; a case passes when
 * all its steps give their expected results.
 *
 * The same tables compile into two runners (tests/syscall/CMakeLists.txt):
 *   native  the host's Linux through syscall(2), each case in a forked child in a fresh
 *           temporary directory (sc_native.c);
 *   hosted  the hosted Petrel kernel through ksys_call with buffers in the user arena, each
 *           case on a fresh memfs and on a fresh TFS volume (sc_hosted.c). It runs every
 *           case natively too and prints both results and `uname -r` on a mismatch.
 * Deliberate differences are listed in deviations.h, with a reason each; only the hosted
 * runner applies them.
 *
 * Generated cases (sc_gen.c): each template of sc_templates[] is a valid call that is safe to
 * run for real; every pointer argument of its last step (by syscalls.def's argument kinds) is
 * replaced by each bad-pointer class, and every flags argument gets unknown high bits. Those
 * cases have no written expectation: Linux's live answer is the expectation.
 */
#ifndef TESTS_SYSCALL_SC_H
#define TESTS_SYSCALL_SC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <errno.h>
#include <sys/syscall.h>

/* ---- arguments -------------------------------------------------------------------------- */

enum sc_arg_kind {
    SA_NONE = 0,
    SA_INT,   /* v */
    SA_STR,   /* s with its NUL, in user memory */
    SA_DATA,  /* n bytes of s (no NUL), in user memory */
    SA_BUF,   /* an output buffer of v bytes, zeroed; its bytes are checked by .out */
    SA_RES,   /* the result of step v, plus off */
    SA_EDGE,  /* s (n bytes) placed so it ends where an unmapped page begins */
    SA_BAD,   /* a bad pointer of class v (enum sc_bad) */
    SA_IOV,   /* an iovec array: v pairs (base, len) of args at sub[] */
    SA_INOUT, /* n bytes of s in user memory, read and written: checked by .out as SA_BUF */
};

/* Bad-pointer classes (Linux gives -EFAULT for all where it dereferences). */
enum sc_bad {
    SC_BAD_NULL = 0,
    SC_BAD_UNMAPPED, /* a page inside user space with nothing mapped */
    SC_BAD_KERNEL,   /* the kernel half: 0xffff800000001000 */
    SC_BAD_NONCANON, /* 0x0000800000001000: past the 47-bit user top, non-canonical */
    SC_BAD_TOP,      /* a range that starts in the last mapped page and crosses the top of
                        user space (the argument's size decides where it starts) */
    SC_BAD_COUNT
};

struct sc_arg {
    uint8_t kind;
    int64_t v;
    const char *s;
    uint32_t n;
    int64_t off;
    const struct sc_arg *sub;
};

/* clang-format off */
#define I(x) {SA_INT, (int64_t)(x), NULL, 0, 0, NULL}
#define S(str) {SA_STR, 0, (str), 0, 0, NULL}
#define D(str) {SA_DATA, 0, (str), sizeof(str) - 1, 0, NULL}
#define BUF(size) {SA_BUF, (size), NULL, 0, 0, NULL}
#define R(step) {SA_RES, (step), NULL, 0, 0, NULL}
#define RP(step, o) {SA_RES, (step), NULL, 0, (o), NULL}
/* An in/out struct: INOUT(ptr, n), e.g. struct pollfd arrays. */
#define INOUT(ptr, len) {SA_INOUT, 0, (const char *)(ptr), (len), 0, NULL}
#define EDGE(str) {SA_EDGE, 0, (str), sizeof(str) - 1, 0, NULL}
#define BAD(cls) {SA_BAD, SC_BAD_##cls, NULL, 0, 0, NULL}
/* IOV(2, D("ab"), I(2), BUF(4), I(4)): iovec {base, len} pairs, each part any kind above. */
#define IOV(count, ...) {SA_IOV, (count), NULL, 0, 0, (const struct sc_arg[]){__VA_ARGS__}}
/* clang-format on */

/* ---- expectations ----------------------------------------------------------------------- */

enum sc_want_kind {
    SW_EQ = 0, /* exactly v (a value, or -errno) */
    SW_OK,     /* any value >= 0 (addresses, pids, times) */
};

struct sc_want {
    uint8_t kind;
    long v;
};

/* clang-format off */
#define W(x) {SW_EQ, (long)(x)}
#define ERR(e) {SW_EQ, -(long)(e)}
#define OK {SW_OK, 0}
/* clang-format on */

/* ---- steps and cases -------------------------------------------------------------------- */

#define SC_MAX_ARGS 6
#define SC_MAX_STEPS 12

struct sc_step {
    unsigned nr;
    const char *name;
    struct sc_want want;
    const char *out; /* bytes expected at outoff of the step's output buffers (SA_BUF,
                        SA_INOUT and SA_EDGE args concatenated in argument order), or NULL */
    uint32_t outlen, outoff;
    struct sc_arg a[SC_MAX_ARGS];
};

/* clang-format off */
/* One step: CALL(read, W(3), R(0), BUF(8), I(8)). */
#define CALL(sys, want_, ...) {SYS_##sys, #sys, want_, NULL, 0, 0, {__VA_ARGS__}}
/* Without arguments: CALL0(getpid, OK). */
#define CALL0(sys, want_) {SYS_##sys, #sys, want_, NULL, 0, 0, {I(0)}}
/* With output bytes: CALLO(read, W(3), "abc", R(0), BUF(8), I(8)). */
#define CALLO(sys, want_, bytes, ...)                                                              \
    {SYS_##sys, #sys, want_, (bytes), sizeof(bytes) - 1, 0, {__VA_ARGS__}}
/* With output bytes at an offset: CALLAT(fstat, W(0), 24, "\xa4\x81\0\0", R(0), BUF(144)). */
#define CALLAT(sys, want_, at, bytes, ...)                                                         \
    {SYS_##sys, #sys, want_, (bytes), sizeof(bytes) - 1, (at), {__VA_ARGS__}}

struct sc_case {
    const char *name;
    const struct sc_step *steps;
    unsigned nsteps;
    /* generated cases only: the last step's argument i replaced (see sc_gen.c) */
    int gen_arg;           /* -1: a written case */
    struct sc_arg gen_with;
    uint64_t gen_or;       /* flag bits or-ed into the flags argument gen_arg */
    bool gen_exact;        /* compare the runners' results exactly (else: both >= 0 is equal) */
};

#define SC_STEPS(...) (const struct sc_step[]){__VA_ARGS__}
#define SC_NSTEPS(...) (sizeof((const struct sc_step[]){__VA_ARGS__}) / sizeof(struct sc_step))
/* CASE("read.ebadf", CALL(read, ERR(EBADF), I(99), BUF(8), I(8))) */
#define SC_NO_ARG {SA_NONE, 0, NULL, 0, 0, NULL}
#define CASE(cname, ...) \
    {(cname), SC_STEPS(__VA_ARGS__), SC_NSTEPS(__VA_ARGS__), -1, SC_NO_ARG, 0, 0}
/* clang-format on */

/* The tables (cases_*.c), each ended by a case with a NULL name. */
extern const struct sc_case sc_cases_file[], sc_cases_path[], sc_cases_mem[], sc_cases_time[], sc_cases_misc[], sc_cases_io[], sc_cases_attr[], sc_cases_sched[], sc_cases_meta[], sc_cases_epoll[], sc_cases_exec[], sc_cases_files2[], sc_cases_futex[], sc_cases_inotify[], sc_cases_locks[], sc_cases_poll[], sc_cases_ptimer[], sc_cases_rlimit[], sc_cases_rt[], sc_cases_signal[], sc_cases_sock[], sc_cases_space[], sc_cases_splice[], sc_cases_unix[], sc_cases_wait[], sc_cases_fileops[], sc_cases_fown[];
/* Templates for generated cases (cases_templates.c). */
extern const struct sc_case sc_templates[];

/* Every written table, NULL-terminated (sc_tables.c). */
extern const struct sc_case *const sc_tables[];

/* ---- the runner interface ---------------------------------------------------------------- */

struct sc_env {
    const char *name;                                /* "linux", "memfs", "tfs" */
    long (*call)(unsigned nr, const uint64_t a[6]);  /* result or -errno */
    int (*put)(uint64_t u, const void *p, size_t n); /* 0 or nonzero */
    int (*get)(void *p, uint64_t u, size_t n);
    uint64_t arena, arena_size; /* mapped read-write; [arena + arena_size, +4096) is not */
    uint64_t top;               /* end of user space; [top - 4096, top) is mapped rw */
};

/* What one run of a case gave. */
struct sc_outcome {
    unsigned nsteps; /* steps run */
    long ret[SC_MAX_STEPS];
    int failed_step; /* -1: every step as expected */
    char why[200];   /* the first failure, one line */
};

/* An expectation replaced for one run: a deviation, or Linux's live answer. */
struct sc_override {
    unsigned step;
    struct sc_want want;
    bool skip_out; /* the step's output bytes are not checked */
};

/*
 * Run c in env (the scratch directory is the current one), with ov[0..nov) replacing the
 * table's expectations. Fills *o; returns 0 when every step gave its expected result.
 */
int sc_run_case(const struct sc_env *env, const struct sc_case *c, const struct sc_override *ov,
                unsigned nov, struct sc_outcome *o);
/* "3", "-ENOENT", "0x7f00..." into buf. */
const char *sc_fmt_ret(char *buf, size_t size, long ret);
/* The bad-pointer class's name ("null", "unmapped", "kernel", "noncanon", "top"). */
const char *sc_bad_name(int cls);

/* Generated cases: all of them, from sc_templates and syscalls.def. *n receives the count;
 * the array is allocated once (host malloc) and never freed. */
const struct sc_case *sc_gen_cases(size_t *n);
/* Implemented syscalls of syscalls.def: count and the i-th number/name. */
size_t sc_def_count(void);
unsigned sc_def_nr(size_t i);
const char *sc_def_name(size_t i);
bool sc_def_implemented(size_t i);

/* Native runner (sc_native.c): run c in a forked child in a fresh temporary directory. */
int sc_native_run(const struct sc_case *c, struct sc_outcome *o);
/* The host kernel's release (uname -r). */
const char *sc_host_release(void);

#endif
