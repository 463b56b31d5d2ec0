/*
 * proc.h - the process: the one program Petrel runs, its threads, descriptors and state.
 *
 * Petrel runs exactly one process (pid 1). A struct proc owns
 *   - the user address space (struct vm_space, core/mm/vm.h);
 *   - the descriptor table (struct fdtable): slots holding a VFS open file description
 *     (struct vfs_file) or the console, plus the per-descriptor FD_CLOEXEC flag;
 *   - the working directory (a VFS description opened O_PATH|O_DIRECTORY; NULL is "/"),
 *     the umask, the recorded signal state (delivery is a later issue), the exit state;
 *   - the program configuration from the manifest (program, arguments, environment, cwd,
 *     debugsyscalls, fault).
 * Threads belong to it through struct thread's `proc` field (core/sched/sched.h), which
 * points at the struct proc. Per-thread user state (fs base, clear_child_tid, signal mask)
 * lives in struct uthread; one thread per process today, so the process holds the only one
 * (clone is a later issue).
 *
 * Locking: proc->lock (a mutex) guards cwd, umask, signal state and exit state; the
 * descriptor table has its own mutex. Everything here may sleep unless it says otherwise.
 */
#ifndef CORE_PROC_PROC_H
#define CORE_PROC_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config/config.h"
#include "core/mm/vm.h"
#include "core/sched/sched.h"
#include "hal/hal_user.h"

struct vfs_file;

#define PROC_PID 1
#define PROC_NOFILE 1024 /* RLIMIT_NOFILE: descriptors 0..1023 */
#define PROC_NSIG 64
#define PROC_SIGSET_SIZE 8

/* Linux signal numbers used by the fault path. */
#define PROC_SIGILL 4
#define PROC_SIGTRAP 5
#define PROC_SIGBUS 7
#define PROC_SIGFPE 8
#define PROC_SIGKILL 9
#define PROC_SIGSEGV 11

/* --- descriptors ------------------------------------------------------------------------- */

/* What a descriptor refers to. A slot is free when neither file nor console is set. */
struct fd_slot {
    struct vfs_file *file; /* a reference, or NULL */
    bool console;          /* the console (fds 0, 1, 2 at start) */
    bool cloexec;          /* FD_CLOEXEC */
};

struct fdtable {
    struct mutex lock; /* guards slots */
    struct fd_slot slots[PROC_NOFILE];
};

void fdtable_init(struct fdtable *t);
/* Close every descriptor. */
void fdtable_destroy(struct fdtable *t);
/*
 * Put s (its file reference passes to the table) in the lowest free slot >= minfd. Returns
 * the descriptor, -EMFILE (none free) or -EINVAL (minfd out of range). On failure the caller
 * keeps its reference.
 */
int fd_install(struct fdtable *t, int minfd, struct fd_slot s);
/* Copy slot fd into *out, taking a reference to its file. 0 or -EBADF. Drop with fd_put. */
int fd_get(struct fdtable *t, int fd, struct fd_slot *out);
void fd_put(struct fd_slot *s);
/* Close fd: 0 or -EBADF. */
int fd_close(struct fdtable *t, int fd);
/* dup2/dup3 core: make newfd refer to oldfd's object (closing what newfd held), with
 * cloexec. Returns newfd or -EBADF. oldfd == newfd returns newfd after checking oldfd. */
int fd_dup_to(struct fdtable *t, int oldfd, int newfd, bool cloexec);
/* FD_CLOEXEC of fd: get (0/1 or -EBADF) and set (0 or -EBADF). */
int fd_get_cloexec(struct fdtable *t, int fd);
int fd_set_cloexec(struct fdtable *t, int fd, bool on);
/* Descriptors in use (tests). */
unsigned fd_count(struct fdtable *t);

/* --- configuration ----------------------------------------------------------------------- */

/* The program to run, from the manifest (all strings are the struct's own copies). */
struct proc_config {
    char *program; /* path in the VFS */
    char **argv;   /* argc strings (the manifest's arguments; default: { program }) */
    size_t argc;
    char **envp; /* "NAME=value" */
    size_t envc;
    char *cwd;          /* NULL: "/" */
    bool debugsyscalls; /* trace every syscall */
    bool fault;         /* print a report on a fatal user fault */
};

/*
 * Fill cfg from a manifest tree (program, arguments, environment, cwd, debugsyscalls, fault).
 * Returns 0, -EINVAL (no program, or a key of the wrong type; a message on the console) or
 * -ENOMEM. Free with proc_config_free.
 */
int proc_config_from_tree(const struct config_value *root, struct proc_config *cfg);
void proc_config_free(struct proc_config *cfg);

/*
 * Apply kernel command-line overrides to a manifest tree: each space-separated word
 * `key=value` sets the root key to the string value (`debugsyscalls=t`, `fault=t`); a word
 * without '=' is ignored. Returns 0 or -ENOMEM.
 */
int proc_cmdline_override(struct config_value *root, const char *cmdline);

/* --- the process ------------------------------------------------------------------------- */

/* Linux's struct k_sigaction as rt_sigaction copies it (x86-64). */
struct proc_sigaction {
    uint64_t handler;
    uint64_t flags;
    uint64_t restorer;
    uint64_t mask;
};

struct proc_sigaltstack {
    uint64_t sp;
    int32_t flags;
    int32_t pad;
    uint64_t size;
};

/* Per-thread user state. */
struct uthread {
    int tid;
    uint64_t clear_child_tid; /* set_tid_address */
    uint64_t robust_list;     /* set_robust_list head */
    uint64_t robust_len;
    uint64_t sigmask; /* blocked signals (recorded) */
    struct proc_sigaltstack altstack;
    uint64_t fs_base; /* ARCH_SET_FS, mirrored into the register frame */
    uint64_t gs_base;
    struct hal_uregs *regs; /* the frame of the syscall in progress (NULL: called as C) */
};

#define PROC_NRLIMIT 16
#define PROC_RLIM_INFINITY (~0ULL)
#define PROC_RLIMIT_STACK 3
#define PROC_RLIMIT_CORE 4
#define PROC_RLIMIT_NOFILE 7

struct proc_rlimit {
    uint64_t cur, max;
};

struct proc {
    int pid;
    struct vm_space *vm;
    struct fdtable fds;
    struct mutex lock;    /* guards the fields below */
    struct vfs_file *cwd; /* O_PATH directory description; NULL: "/" */
    uint32_t umask;
    unsigned console_flags; /* status flags of the console description (O_NONBLOCK...) */
    struct proc_sigaction sigactions[PROC_NSIG];
    struct proc_rlimit rlimits[PROC_NRLIMIT]; /* recorded; RLIMIT_NOFILE is PROC_NOFILE */
    struct uthread main;                      /* the one thread */
    struct proc_config cfg;
    uint64_t auxv_addr; /* the initial auxv on the user stack (/proc/self/auxv); 0: none */
    bool exited;
    int exit_status;
};

/*
 * Create the process for cfg (copied; cfg may be NULL for an empty configuration): a fresh
 * address space, descriptors 0, 1, 2 on the console, cwd from cfg->cwd (opened through the
 * VFS: -ENOENT/-ENOTDIR when it is not a directory), umask 022. Returns 0 or -errno.
 */
int proc_create(const struct proc_config *cfg, struct proc **out);
/* Close everything and free the process and its address space. Detach threads first. */
void proc_destroy(struct proc *p);
/* Make t (NULL: the current thread) a thread of p and activate p's address space when t is
 * the current thread. */
void proc_attach(struct proc *p, struct thread *t);
void proc_detach(struct thread *t);
/* The calling thread's process, or NULL (kernel threads). Never sleeps. */
struct proc *proc_current(void);
/* The calling thread's user state (NULL when not a user thread). */
struct uthread *uthread_current(void);

/*
 * Load cfg->program from the VFS into p's (empty) address space through the ELF loader,
 * build the initial stack (argv, envp, auxv with AT_HWCAP = hwcap, AT_HWCAP2 = hwcap2), and
 * fill *regs with the initial user frame: rip = entry, rsp = the stack (argc), rflags = IF,
 * every other register 0 (rdx 0: no atexit function, as the x86-64 ABI wants). p must be
 * attached to the current thread. Returns 0 or -errno (the loader's, the VFS's: -ENOENT,
 * -EACCES, -ENOEXEC, -E2BIG ...), with a one-line reason on the console. May sleep.
 */
int proc_start(struct proc *p, uint64_t hwcap, uint64_t hwcap2, struct hal_uregs *regs);

/*
 * End the process with status (exit_group; or 128 + signal for a fatal fault): record it,
 * write back the filesystems, and end the machine with hal_exit(status & 0xff, or the signal
 * code). Never returns.
 */
void proc_exit(struct proc *p, int status) __attribute__((noreturn));

/* The signal a fatal user fault of kind (or a vm_fault error rc) raises, as Linux would. */
int proc_fault_signal(enum hal_fault_kind kind, int rc);

/*
 * The kernel's path for the configured program when no hosted entry is set: mount the TFS
 * volume on block device 0 as "/" (through the VFS block adapter), read the configuration
 * stored in the image (xattr petrel.config of the root, docs/tools.md), apply the kernel
 * command line's key=value overrides, mount a memfs /dev when the image has a /dev
 * directory, create the process, proc_start it, and enter user mode (hal_user_enter).
 * Returns only on failure, with the exit code the kernel should end with (a message is on
 * the console); the program's own end goes through proc_exit. hwcap/hwcap2: AT_HWCAP(2).
 * Called by the init thread (core/kernel.c).
 */
int proc_run_configured(uint64_t hwcap, uint64_t hwcap2);

#endif
