/*
 * proc.h - the process: the one program Petrel runs, its threads, descriptors and state.
 *
 * Petrel runs exactly one process (pid 1). A struct proc owns
 *   - the user address space (struct vm_space, core/mm/vm.h);
 *   - the descriptor table (struct fdtable, fdtable.h): slots holding an open file
 *     description (struct file, fs/file/file.h), plus the per-descriptor FD_CLOEXEC flag;
 *   - the working directory (a VFS description opened O_PATH|O_DIRECTORY; NULL is "/"),
 *     the umask, the signal actions, the exit state;
 *   - its threads: one struct uthread each (core/proc/uthread.c), reached from the
 *     scheduler's struct thread by `ut`; the main thread's tid is the pid;
 *   - the program configuration from the manifest (program, arguments, environment, cwd,
 *     debugsyscalls, fault).
 *
 * Locking: proc->lock (a mutex) guards cwd, umask, signal actions and rlimits; the
 * descriptor table has its own mutex; proc->tlock (a spinlock, irqsave: usable from any
 * context, timers and signal senders included) guards the thread list, tids, each uthread's
 * `thread`, `refs` and `exited`, and the group-exit state. Everything here may sleep unless
 * it says otherwise.
 */
#ifndef CORE_PROC_PROC_H
#define CORE_PROC_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/abi/limits.h"
#include "core/abi/resource.h"
#include "core/abi/signal.h"
#include "core/config/config.h"
#include "core/lib/list.h"
#include "core/lib/spinlock.h"
#include "core/mm/vm.h"
#include "core/proc/fdtable.h"
#include "core/sched/sched.h"
#include "hal/hal_errno.h"
#include "hal/hal_user.h"

struct vfs_file;
struct elf_info;

#define PROC_PID 1
#define PROC_NSIG LINUX_NSIG
#define PROC_SIGSET_SIZE LINUX_SIGSET_SIZE

/* Linux signal numbers used by the fault path. */
#define PROC_SIGILL LINUX_SIGILL
#define PROC_SIGTRAP LINUX_SIGTRAP
#define PROC_SIGBUS LINUX_SIGBUS
#define PROC_SIGFPE LINUX_SIGFPE
#define PROC_SIGKILL LINUX_SIGKILL
#define PROC_SIGSEGV LINUX_SIGSEGV

/* --- descriptors: core/proc/fdtable.h ------------------------------------------------- */

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
    bool syscall_summary; /* count syscalls, print a table at exit (core/syscall/diag.c) */
    bool missing_files;   /* list the paths open/exec failed on with ENOENT at exit */
    bool futex_trace;     /* one console line per futex call */
    bool noaslr;          /* no user ASLR (core/mm VM_SPACE_NOASLR) */
    bool exec_protection; /* W^X, exec only from executable files (VM_SPACE_EXEC_PROTECT) */
};

/*
 * Fill cfg from a manifest tree (program, arguments, environment, cwd, debugsyscalls, fault,
 * noaslr, exec_protection).
 * Returns 0, -EINVAL (no program, or a key of the wrong type; a message on the console) or
 * -ENOMEM. Free with proc_config_free.
 */
int proc_config_from_tree(const struct config_value *root, struct proc_config *cfg);
void proc_config_free(struct proc_config *cfg);
/* A deep copy of src into dst: 0 or -ENOMEM (dst then empty). */
int proc_config_copy(const struct proc_config *src, struct proc_config *dst);

/*
 * Apply kernel command-line overrides to a manifest tree: each space-separated word
 * `key=value` sets the root key to the string value (`debugsyscalls=t`, `fault=t`); a word
 * without '=' is ignored. A value that starts with '(' or '[' is manifest text, merged as
 * config_merge does (`environment=("X":"1")` joins the stored environment, `arguments=[...]`
 * replaces; spaces inside quotes written \x20). Returns 0, -EINVAL (malformed manifest text,
 * reported on the console), -E2BIG or -ENOMEM.
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

/*
 * Pending signals (their meaning is core/signal's; proc only frees what is left when a thread
 * or the process goes away, calling each entry's notify with NULL). A set holds the signals
 * pending and their queued siginfos in send order: one entry at most per standard signal
 * (they coalesce), one per send for real-time signals. A bit without an entry (the queue
 * limit was reached for a kill) is taken with a minimal SI_USER siginfo. Guarded by
 * proc->tlock.
 */
struct proc_sigq {
    struct list_node node;
    struct linux_siginfo info;
    void (*notify)(void *arg, struct linux_siginfo *info); /* NULL: nobody to tell */
    void *arg;
};

struct proc_sigpending {
    uint64_t set;  /* pending signals */
    struct list q; /* struct proc_sigq, oldest first */
};

struct proc;
/* Drop every queued signal of sp (notify(arg, NULL) each) and empty the set. p->tlock NOT
 * held (notify may take its own locks). Never sleeps. */
void proc_sigpending_flush(struct proc *p, struct proc_sigpending *sp);

/*
 * The restart block of ERESTART_RESTARTBLOCK (core/signal/signal.h): a call that can be
 * restarted with its remaining time (nanosleep, futex WAIT with a timeout, poll with a
 * timeout) stores fn and what fn needs (an absolute deadline, the user pointers), then
 * returns -ERESTART_RESTARTBLOCK (uthread_restart_block below). When no handler runs, the
 * program re-enters the kernel with restart_syscall (219), which calls fn once.
 */
struct uthread_restart {
    long (*fn)(struct uthread_restart *rb); /* NULL: nothing to restart (-EINTR) */
    uint64_t arg[5];
};

/* --- threads ------------------------------------------------------------------------------ */

#define PROC_TID_MAX 32768   /* tids are 1 .. PROC_TID_MAX - 1 (Linux's default pid_max) */
#define UTHREAD_FETCH_LOG 32 /* user ranges remembered per syscall (ucopy.c) */

/* The double-fetch log of the syscall in progress (core/syscall/ucopy.c). */
struct uthread_fetch {
    uint64_t start[UTHREAD_FETCH_LOG], end[UTHREAD_FETCH_LOG];
    unsigned scope[UTHREAD_FETCH_LOG];
    unsigned n, cur; /* ranges logged; the current argument scope */
};

/* The syscall a thread is in (dispatch.c): a group exit waits for the others to leave
 * theirs (uthread.c). The arguments are not kept: nothing read them, and copying them cost
 * every syscall six stores in a loop (bench/syscall's null syscall). */
struct uthread_call {
    long nr; /* -1: none */
};

/*
 * Per-thread user state: one per thread of a process. The thread itself reads and writes
 * its own fields without a lock (only it runs its syscalls); fields other threads touch say
 * their lock. The signal fields' meaning belongs to the signal layer (core/signal).
 */
struct uthread {
    struct list_node node;    /* on proc->threads while live; tlock */
    struct proc *proc;        /* constant */
    struct thread *thread;    /* the kernel thread; NULL once exited or detached; tlock */
    int tid;                  /* the pid for the main thread; execve makes it the pid (tlock) */
    unsigned refs;            /* tlock; the list holds one while live (proc_find_thread) */
    bool exited;              /* tlock: it ran exit, or its process ended */
    uint64_t clear_child_tid; /* set_tid_address / CLONE_CHILD_CLEARTID */
    uint64_t robust_list;     /* set_robust_list head */
    uint64_t robust_len;
    uint64_t sigmask;                  /* blocked signals */
    struct proc_sigpending sigpending; /* thread-directed signals (proc->tlock; core/signal) */
    struct proc_sigaltstack altstack;
    /* core/signal: the temporary mask of ppoll/pselect6/rt_sigsuspend (sigmask_saved holds
     * the mask to restore after delivery when restore_sigmask), the syscall number whose
     * result the next return to user mode may restart (orig_rax; -1: none), the restart
     * block. The thread's own. */
    uint64_t sigmask_saved;
    bool restore_sigmask;
    uint64_t sigwaitset; /* rt_sigtimedwait's set while it waits (proc->tlock) */
    long orig_rax;
    struct uthread_restart restart;
    uint64_t fs_base; /* ARCH_SET_FS, mirrored into the register frame */
    uint64_t gs_base;
    struct hal_uregs *regs; /* the frame of the syscall in progress (NULL: called as C) */
    struct uthread_call call;
    struct uthread_fetch fetch;
    int sched_policy; /* recorded (LINUX_SCHED_*, with SCHED_RESET_ON_FORK) */
    int sched_prio;   /* recorded sched_priority */
    /* prctl state (core/syscall/sys_misc.c) */
    char comm[LINUX_TASK_COMM_LEN]; /* PR_SET_NAME; "" until set: the program's name */
    int pdeathsig;                  /* PR_SET_PDEATHSIG (pid 1's parent never dies) */
    bool no_new_privs;              /* PR_SET_NO_NEW_PRIVS */
    uint64_t timerslack_ns;         /* PR_SET_TIMERSLACK; 0: the default */
};

#define PROC_NRLIMIT LINUX_RLIM_NLIMITS
#define PROC_RLIM_INFINITY LINUX_RLIM_INFINITY
#define PROC_RLIMIT_STACK LINUX_RLIMIT_STACK
#define PROC_RLIMIT_CORE LINUX_RLIMIT_CORE
#define PROC_RLIMIT_NOFILE LINUX_RLIMIT_NOFILE
#define PROC_RLIMIT_FSIZE LINUX_RLIMIT_FSIZE
#define PROC_RLIMIT_AS LINUX_RLIMIT_AS
#define PROC_RLIMIT_DATA LINUX_RLIMIT_DATA

struct proc_rlimit {
    uint64_t cur, max;
};

/*
 * A timer on one of the process's clocks (core/syscall/ctimer.c): setitimer's three and the
 * POSIX timers. The kernel timer holds a monotonic deadline: the expiry itself on the
 * monotonic clock, or for a CPU clock the earliest instant its CPU time can reach the
 * expiry (a point to look again). Guarded by proc->tlock.
 */
struct proc_timer {
    struct timer timer;
    struct proc *proc;
    uint8_t base;           /* enum sys_clock_base: MONO, PROC or THREAD (wall: converted) */
    bool user_only;         /* CPU clocks: user time only */
    bool held;              /* expirations wait for the owner (a timer's signal pending) */
    struct uthread *thread; /* THREAD: whose CPU time (a reference) */
    uint64_t expiry_ns;     /* next expiry on the clock; 0: disarmed */
    uint64_t interval_ns;   /* 0: one-shot */
    void (*fire)(struct proc_timer *t, uint64_t n); /* n expirations; tlock not held */
};

struct proc {
    int pid;
    uint64_t serial;            /* unique among the processes since boot (procreg.c) */
    struct proc *reg_next;      /* procreg.c's chain (its lock) */
    struct vm_space *vm;
    struct fdtable fds;
    struct mutex lock;    /* guards the fields below up to `tlock` */
    struct vfs_file *cwd; /* O_PATH directory description; NULL: "/" */
    uint32_t umask;
    struct proc_sigaction sigactions[PROC_NSIG];
    struct proc_rlimit rlimits[PROC_NRLIMIT]; /* rlimit.c: read with proc_rlimit() */
    uint32_t *groups;                         /* setgroups: sorted; kmalloc'd */
    unsigned ngroups;
    bool undumpable;                          /* PR_SET_DUMPABLE 0 */
    struct proc_config cfg;
    uint64_t auxv_addr; /* the initial auxv on the user stack (/proc/self/auxv); 0: none */
    uint64_t hwcap, hwcap2; /* AT_HWCAP, AT_HWCAP2 given to proc_start (execve reuses them) */
    struct spinlock tlock; /* guards the fields below (see the top of this file) */
    struct list threads;   /* live struct uthread, by creation */
    unsigned nthreads;     /* live threads (on `threads`) */
    bool multi;            /* has had more than one thread (the tracer prefixes tids) */
    int next_tid;          /* where the cyclic tid search starts */
    uint64_t tid_used[PROC_TID_MAX / 64];
    struct proc_sigpending sigpending; /* process-directed signals (core/signal; tlock) */
    unsigned sigqueued;                /* queued entries of all sets (RLIMIT_SIGPENDING) */
    struct proc_sigq *sigq_spare;      /* an entry kept for the next signal (core/signal) */
    bool exiting;              /* exit_group, a fatal signal or execve ends the threads */
    struct uthread *exec_by;   /* the thread in execve ending the others (proc_exec_single) */
    struct wait_queue exit_wq; /* threads leaving, for a group exit */
    bool exited;
    int exit_status;
    struct uthread main;       /* the main thread; its tid (the pid) stays reserved */
    struct futex_table *futex; /* futex.c */
    struct sched_cputime cputime; /* every thread's CPU time, ended ones too (sched.h) */
    uint64_t maxrss_kib;          /* largest resident set getrusage saw (atomic) */
    struct proc_timer itimer[3];  /* setitimer's REAL, VIRTUAL, PROF (sys_timer.c); tlock */
    /* POSIX timers (core/syscall/ptimer.c): the live ones, the next id to try, and what
     * frees them all (set by the first timer_create; proc_destroy calls it). tlock. */
    struct list ptimers;
    int ptimer_next_id;
    void (*ptimer_release)(struct proc *p);
};

/* --- resource limits (rlimit.c) ------------------------------------------------------------ */

/* p's limit res (LINUX_RLIMIT_*; out of range: unlimited). Takes p->lock: may sleep. What
 * core/mm reads for RLIMIT_STACK/AS/DATA. */
struct proc_rlimit proc_rlimit(struct proc *p, int res);
/* Read (old non-NULL) and/or set (nr non-NULL) limit res, applying it (RLIMIT_NOFILE to the
 * descriptor table). -EINVAL (res out of range, cur > max), -EPERM (RLIMIT_NOFILE's hard
 * limit above PROC_NOFILE). May sleep. */
int proc_rlimit_set(struct proc *p, int res, const struct proc_rlimit *nr, struct proc_rlimit *old);

/* --- futexes (futex.c) -------------------------------------------------------------------- */

struct futex_table;
int futex_table_create(struct futex_table **out);
void futex_table_destroy(struct futex_table *t);
/*
 * The operations of futex(2) on p's table, decoded by the caller. shared: the operation is
 * not FUTEX_PRIVATE_FLAG (a different key, as on Linux). Errors as Linux: -EINVAL (unaligned
 * address, zero bitset, negative counts), -EFAULT (address outside the user half, or an
 * unreadable word), -EAGAIN (the word is not val), -ETIMEDOUT.
 * futex_wait: sleep while *uaddr == val until woken by a wake whose bitset meets bitset, or
 * deadline_ns on the monotonic clock (UINT64_MAX: none; 0: already past). May sleep.
 */
long futex_wait(struct proc *p, uint64_t uaddr, bool shared, uint32_t val, uint64_t deadline_ns,
                uint32_t bitset);
/* Wake up to nr (at least one, as Linux) waiters; returns the number woken. */
long futex_wake(struct proc *p, uint64_t uaddr, bool shared, int nr, uint32_t bitset);
/* Wake nr_wake waiters of uaddr and move up to nr_requeue others to uaddr2; with cmp, only
 * while *uaddr == val3 (-EAGAIN). Returns woken + moved. */
long futex_requeue(struct proc *p, uint64_t uaddr, bool shared, int nr_wake, int nr_requeue,
                   uint64_t uaddr2, bool cmp, uint32_t val3);
/* FUTEX_WAKE_OP: *uaddr2 = op(*uaddr2), wake nr_wake on uaddr and, when the comparison of the
 * old value holds, nr_wake2 on uaddr2. -ENOSYS for an unknown op or comparison. */
long futex_wake_op(struct proc *p, uint64_t uaddr, bool shared, int nr_wake, int nr_wake2,
                   uint64_t uaddr2, uint32_t encoded);
/* At a thread's exit: every robust lock it holds gets FUTEX_OWNER_DIED and a waiter woken. */
void futex_exit_robust(struct uthread *ut);

/*
 * Create the process for cfg (copied; cfg may be NULL for an empty configuration): a fresh
 * address space, descriptors 0, 1, 2 on the console, cwd from cfg->cwd (opened through the
 * VFS: -ENOENT/-ENOTDIR when it is not a directory), umask 022. Returns 0 or -errno.
 */
int proc_create(const struct proc_config *cfg, struct proc **out);
/* Close everything and free the process and its address space. Detach threads first. */
void proc_destroy(struct proc *p);
/*
 * The live processes by serial (procreg.c), for what must name a process without holding
 * it: the owner of signal-driven I/O (core/signal/sigio.c) keeps a serial, looked up at
 * signal time, as Linux's f_owner keeps a struct pid reference that outlives the task.
 * proc_create adds p, proc_destroy removes it before anything is freed. proc_with_serial
 * calls fn(p, arg) with the list's lock held (fn must not sleep) and returns its value, or
 * -ESRCH when no live process has that serial. Never sleep.
 */
void proc_registry_add(struct proc *p);
void proc_registry_remove(struct proc *p);
/* Forget every process (kernel_main after page_init: a hosted reboot's new heap). */
void proc_registry_reset(void);
int proc_with_serial(uint64_t serial, int (*fn)(struct proc *p, void *arg), void *arg);
/*
 * Make t (NULL: the current thread) a thread of p and activate p's address space when t is
 * the current thread. t becomes p's main thread when that one has no kernel thread yet, it
 * gets its uthread back when it was already a thread of p (tests switch one kernel thread
 * between processes), and a new uthread with a fresh tid otherwise (hosted tests attach
 * kernel threads as extra threads). Returns 0, -ENOMEM, or -EAGAIN (no tid free).
 */
int proc_attach(struct proc *p, struct thread *t);
/* t (NULL: the current thread) stops being a thread of its process, without the exit
 * actions (no clear_child_tid, no robust list): bookkeeping for tests and the kernel. The
 * main thread's record stays in the process; another thread's is released. */
void proc_detach(struct thread *t);
/* The calling thread's user state (NULL when not a user thread). Never sleeps. Inline: every
 * syscall asks it several times. */
static inline struct uthread *uthread_current(void)
{
    struct thread *t = thread_current();

    return t ? t->ut : NULL;
}
/* The calling thread's process, or NULL (kernel threads). Never sleeps. */
static inline struct proc *proc_current(void)
{
    struct uthread *ut = uthread_current();

    return ut ? ut->proc : NULL;
}

/*
 * A new thread of p with a fresh tid (clone), not yet bound to a kernel thread: the caller
 * binds it with uthread_bind() from the new kernel thread, or drops it with uthread_put().
 * NULL: -EAGAIN (no tid free, or p is exiting) or -ENOMEM in *err.
 */
struct uthread *uthread_create(struct proc *p, int *err);
/* Make t (NULL: the current thread) run ut (a uthread_create result); activates the address
 * space when t is current. Never sleeps. */
void uthread_bind(struct uthread *ut, struct thread *t);
/* Undo uthread_create for a thread that never ran (its tid is free again). */
void uthread_discard(struct uthread *ut);

/* A clone of the calling thread (clone/clone3 with CLONE_THREAD), decoded and validated. */
struct proc_clone_args {
    uint64_t flags;      /* LINUX_CLONE_* (core/abi/sched.h) */
    uint64_t stack;      /* the child's rsp; 0: the parent's */
    uint64_t parent_tid; /* CLONE_PARENT_SETTID: the tid is written here */
    uint64_t child_tid;  /* CLONE_CHILD_SETTID / CLONE_CHILD_CLEARTID */
    uint64_t tls;        /* CLONE_SETTLS: the child's fs base (checked by the caller) */
};
/*
 * A new thread of the caller's process entering user mode with a copy of the caller's
 * syscall frame (rax 0, rsp a->stack, fs base a->tls) on a kernel thread of its own
 * (clone.c). Returns the child's tid, -EAGAIN (no tid free, or the process is ending),
 * -ENOMEM, or -ENOSYS when the syscall was called as C (no user frame to copy).
 */
long proc_clone_thread(const struct proc_clone_args *a);
/* The live thread of p with that tid, with a reference (drop it with uthread_put), or NULL.
 * Never sleeps; any context. */
struct uthread *proc_find_thread(struct proc *p, int tid);
void uthread_get(struct uthread *ut);
void uthread_put(struct uthread *ut);
/*
 * Whether ut must leave instead of waiting on: its process is ending (exit_group, a fatal
 * signal) or another thread is in execve (proc_exec_single). A lock-free look; a wait that
 * only a signal ends (pause, sigsuspend) checks it after every wake-up. Never sleeps.
 */
static inline bool uthread_leaving(const struct uthread *ut)
{
    const struct proc *p = ut->proc;
    const struct uthread *by = __atomic_load_n(&p->exec_by, __ATOMIC_RELAXED);

    return __atomic_load_n(&p->exiting, __ATOMIC_RELAXED) || (by && by != ut);
}

/* Arm the calling thread's restart block with fn and args and return -ERESTART_RESTARTBLOCK
 * (the value the interrupted call returns). Never sleeps. */
static inline long uthread_restart_block(struct uthread *ut, long (*fn)(struct uthread_restart *),
                                         uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    ut->restart.fn = fn;
    ut->restart.arg[0] = a0, ut->restart.arg[1] = a1;
    ut->restart.arg[2] = a2, ut->restart.arg[3] = a3;
    return -ERESTART_RESTARTBLOCK;
}
/*
 * Every live thread of p, with p->tlock held by the caller (spin_lock_irqsave): the body
 * must not sleep, nor exit threads. Use proc_find_thread() + uthread_put() to act on one
 * thread outside the lock.
 */
#define PROC_FOR_EACH_THREAD(p, ut)                                                                \
    for (struct uthread *ut = proc_thread_next((p), NULL); ut; ut = proc_thread_next((p), ut))
/* The live thread after ut (NULL: the first), NULL at the end; p->tlock held. */
static inline struct uthread *proc_thread_next(struct proc *p, struct uthread *ut)
{
    struct list_node *n = ut ? ut->node.next : p->threads.head.next;

    return n == &p->threads.head ? NULL : container_of(n, struct uthread, node);
}
/* Live threads of p (a snapshot). */
unsigned proc_thread_count(struct proc *p);
/* proc.c's use: set up p's thread list with the main thread (tid = pid), and release it. */
void proc_threads_init(struct proc *p);
void proc_threads_destroy(struct proc *p);

/*
 * exit(2): end the calling thread with code. Its clear_child_tid word is zeroed and woken
 * and its robust list walked (futex.c); when it was the process's last live thread, the
 * process ends with code (proc_exit). Never returns.
 */
void uthread_exit(int code) __attribute__((noreturn));
/*
 * exit_group(2) and fatal signals: the process ends with status. The other threads are
 * marked to end at their next return to user mode or kernel entry (uthread_return_check)
 * and woken from interruptible waits; then proc_exit. Never returns. A second caller (the
 * group is already exiting) just ends its own thread.
 */
void proc_exit_group(struct proc *p, int status) __attribute__((noreturn));
/* Called on every return to user mode (and by the dispatcher around each syscall): ends the
 * calling thread when its process is exiting, or when another thread is in execve. Returns
 * otherwise. May sleep. */
void uthread_return_check(void);
/*
 * execve's de_thread: every other thread of p ends (woken from interruptible waits, each at
 * its next kernel boundary, with its exit actions), and the caller waits until it is the only
 * thread; a caller that is not the main thread then takes the pid as its tid, as Linux's
 * exec'ing thread becomes the group leader. Never returns when an exit_group or another
 * execve is already ending the threads (the caller ends too). May sleep.
 */
void proc_exec_single(struct proc *p);

/*
 * execve (exec.c, docs/exec.md). The syscall layer decodes: the path copied in, the file
 * opened and checked (proc_exec_open / proc_exec_check), argv and envp copied in; then
 * proc_exec replaces the program. The request's strings and files stay the caller's.
 */
struct proc_exec_req {
    struct vfs_file *file; /* the program, open for reading */
    struct vfs_file *dir;  /* where a relative filename resolves (NULL: "/") */
    const char *filename;  /* the path as given: AT_EXECFN, a script's argument, comm */
    const char *const *argv;
    size_t argc;
    const char *const *envp;
    size_t envc;
};
/* Open path (relative to dir, NULL: "/") for execution: -ENOENT, -ENOTDIR, -ELOOP (a symlink
 * with nofollow), -EACCES (not a regular file, or no execute bit), the VFS's errors. 0 and
 * *out holding a reference. May sleep. */
int proc_exec_open(struct vfs_file *dir, const char *path, bool nofollow, struct vfs_file **out);
/* The execute check alone (an open description: execveat AT_EMPTY_PATH): 0 or -EACCES. */
int proc_exec_check(struct vfs_file *f);
/*
 * Replace the calling thread's program with req's. Before the point of no return every
 * error is returned and the old program goes on: -ENOEXEC (not ELF, not a #! script, a bad
 * #! line), -ELOOP (interpreters nested deeper than Linux's 5), -E2BIG (strings over the
 * stack's limit), -ENOENT/-EACCES (a script's interpreter), the ELF loader's errors
 * (elf.h), -ENOMEM, and -ENOSYS when called as C (no user frame: hosted ksys_call). Then the
 * other threads end (proc_exec_single), the new address space replaces the old one, the
 * stack is built, close-on-exec descriptors are closed, the thread's robust list,
 * clear_child_tid, fs/gs bases and FPU state are reset, /proc/self/{exe,cmdline,environ}
 * and comm follow the new program, and *regs becomes its initial frame; 0 returned (the
 * syscall's rax). A failure after that point ends the process with SIGSEGV (128 + 11), as
 * Linux forces. Signal actions are the caller's to reset (core/signal sits above). May sleep.
 */
int proc_exec(struct proc *p, const struct proc_exec_req *req, struct hal_uregs *regs);
/* proc.c's use by exec.c: build the initial stack for p->cfg's argv and envp with info and
 * execfn, record the auxv, and fill *regs (rip, rsp, rflags; the rest 0). 0 or -errno. */
int proc_enter_image(struct proc *p, const struct elf_info *info, const char *execfn,
                     struct hal_uregs *regs);

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
 * End the process with status (the last thread's exit, exit_group, or 128 + signal for a
 * fatal fault): record it, write back the filesystems, and end the machine with
 * hal_exit(status). Callers with other threads alive go through proc_exit_group. Never
 * returns.
 */
void proc_exit(struct proc *p, int status) __attribute__((noreturn));

/*
 * The function around addr in the ELF file mapped there, as "name+0xoff (soname)" in buf
 * (core/proc/symbolize.c): .symtab, else .dynsym, read from the image. ret_addr: addr is a
 * return address (looked up as addr - 1: its call may end a function). 0, -ENOENT (no file
 * mapping, no symbol, a malformed file) or -ENOMEM. May sleep. proc_sym_lookup: the same for
 * offset off of the file f.
 */
struct vm_file;
struct vm_space;
int proc_symbolize(struct vm_space *s, uint64_t addr, bool ret_addr, char *buf, size_t size);
int proc_sym_lookup(const struct vm_file *f, uint64_t off, bool ret_addr, char *buf,
                    size_t size);

/* A function proc_exit calls before the machine ends (one; NULL: none). core/boot sets the
 * syscall diagnostics' report (sys_diag_report): core/proc sits below core/syscall. */
void proc_set_exit_hook(void (*fn)(void));

/* The signal a fatal user fault of kind (or a vm_fault error rc) raises, as Linux would. */
int proc_fault_signal(enum hal_fault_kind kind, int rc);

/*
 * A user fault the program does not handle (core/signal/fault.c decides): the fault report
 * when the manifest asks for it (fault=t), then the process ends with 128 + sig. Never returns.
 */
void proc_fault_fatal(const struct hal_uregs *regs, enum hal_fault_kind kind, uint64_t addr,
                      int sig) __attribute__((noreturn));

/* The process is about to end of signal sig (its default action): under `petrel run` the
 * first process's death gets one line on the console (`petrel: /bin/prog killed by
 * SIGTERM`), as a shell reports it; not for SIGINT or SIGPIPE. */
void proc_report_signal_death(const struct proc *p, int sig);

#endif
