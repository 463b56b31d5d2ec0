/*
 * proc.c - the process (proc.h): configuration, creation, program start, exit, user faults.
 * (The path from an image to a running program is boot policy: core/boot/boot.c.)
 *
 * Program start (proc_start):
 *
 *   VFS open(program) -> vm_file -> elf_load (maps the image) -> stack_build (argv, envp,
 *   auxv) -> struct hal_uregs { rip = entry, rsp = argc slot, rflags = IF } -> the HAL enters
 *
 * The end: the last thread's exit, exit_group and fatal faults (through proc_exit_group,
 * uthread.c) come to proc_exit, which records the status, writes the
 * filesystems back (the machine is about to stop: nothing else would) and ends the machine
 * with hal_exit(status). A fatal fault exits with 128 + the signal Linux would have sent,
 * after a report on the console when the `fault` key is set: the fault entry itself
 * (kernel_user_fault) is core/signal/fault.c, which calls proc_fault_fatal when the program
 * does not handle the signal (core/signal sits above core/proc, docs/layers.md).
 */
#include "core/proc/proc.h"

#include "core/lib/alloc.h"
#include "core/lib/kprintf.h"
#include "core/lib/names.h"
#include "core/lib/kstring.h"
#include "core/lib/log.h"
#include "core/mm/uaccess.h"
#include "core/proc/elf.h"
#include "core/proc/stack.h"
#include "core/syscall/syscall.h"
#include "core/vdso/vdso.h"
#include "fs/file/file.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_errno.h"
#include "hal/hal_power.h"
#include "hal/hal_stdio.h"
#include "net/net.h"

#define PROC_BACKTRACE_MAX 16
#define RFLAGS_IF 0x200ULL
#define RFLAGS_RESERVED 0x2ULL

/* --- configuration ----------------------------------------------------------------------- */

static char *kstrdup_n(const char *s, size_t n)
{
    char *d = kmalloc(n + 1);

    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static char *kstrdup(const char *s)
{
    return kstrdup_n(s, strlen(s));
}

void proc_config_free(struct proc_config *cfg)
{
    for (size_t i = 0; cfg->argv && i < cfg->argc; i++)
        kfree(cfg->argv[i]);
    for (size_t i = 0; cfg->envp && i < cfg->envc; i++)
        kfree(cfg->envp[i]);
    kfree(cfg->argv);
    kfree(cfg->envp);
    kfree(cfg->program);
    kfree(cfg->cwd);
    memset(cfg, 0, sizeof(*cfg));
}

static int config_bad(const char *key, const char *why)
{
    kprintf("petrel: manifest: %s %s\n", key, why);
    return -EINVAL;
}

/* argv from `arguments` (strings), or { program } when absent. */
static int config_argv(const struct config_value *args, struct proc_config *cfg)
{
    size_t n = args ? config_count(args) : 1;

    if (args && !config_is_vector(args))
        return config_bad("arguments", "must be a vector of strings");
    cfg->argv = kcalloc(n ? n : 1, sizeof(char *));
    if (!cfg->argv)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const struct config_value *v = args ? config_at(args, i) : NULL;

        if (args && !config_is_string(v))
            return config_bad("arguments", "must be a vector of strings");
        cfg->argv[i] =
            args ? kstrdup_n(config_string(v), config_string_len(v)) : kstrdup(cfg->program);
        if (!cfg->argv[i])
            return -ENOMEM;
        cfg->argc = i + 1;
    }
    return 0;
}

/* envp from `environment` (NAME:value, in order). */
static int config_envp(const struct config_value *env, struct proc_config *cfg)
{
    size_t n = config_count(env);

    if (env && !config_is_tuple(env))
        return config_bad("environment", "must be a tuple of strings");
    cfg->envp = kcalloc(n ? n : 1, sizeof(char *));
    if (!cfg->envp)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const struct config_string *k = config_key_at(env, i);
        const struct config_value *v = config_at(env, i);
        size_t len;

        if (!config_is_string(v))
            return config_bad("environment", "values must be strings");
        len = k->len + 1 + config_string_len(v);
        cfg->envp[i] = kmalloc(len + 1);
        if (!cfg->envp[i])
            return -ENOMEM;
        ksnprintf(cfg->envp[i], len + 1, "%s=%s", k->data, config_string(v));
        cfg->envc = i + 1;
    }
    return 0;
}

int proc_config_from_tree(const struct config_value *root, struct proc_config *cfg)
{
    const struct config_value *prog = config_get(root, "program");
    const struct config_value *cwd = config_get(root, "cwd");
    int rc;

    memset(cfg, 0, sizeof(*cfg));
    if (!config_is_string(prog) || config_string_len(prog) == 0)
        return config_bad("program", "is missing (the path of the program to run)");
    if (cwd && !config_is_string(cwd))
        return config_bad("cwd", "must be a path");
    cfg->program = kstrdup(config_string(prog));
    cfg->cwd = cwd ? kstrdup(config_string(cwd)) : NULL;
    rc = (!cfg->program || (cwd && !cfg->cwd)) ? -ENOMEM : 0;
    if (rc == 0)
        rc = config_argv(config_get(root, "arguments"), cfg);
    if (rc == 0)
        rc = config_envp(config_get(root, "environment"), cfg);
    cfg->debugsyscalls = config_get_flag(root, "debugsyscalls");
    cfg->fault = config_get_flag(root, "fault");
    cfg->syscall_summary = config_get_flag(root, "syscall_summary");
    cfg->missing_files = config_get_flag(root, "missing_files");
    cfg->futex_trace = config_get_flag(root, "futex_trace");
    cfg->noaslr = config_get_flag(root, "noaslr");
    cfg->exec_protection = config_get_flag(root, "exec_protection");
    if (rc)
        proc_config_free(cfg);
    return rc;
}

/*
 * key=(...) or key=[...]: the value is manifest text (a space inside a quoted string is
 * written \x20, since words end at spaces). It is merged into the root as config_merge
 * does: a tuple into the stored tuple (its keys win, the others stay), anything else
 * replaces. This is how `petrel run` passes the arguments and the environment at boot, so
 * they are not part of the image (docs/petrel.md, "Arguments at boot").
 */
static int cmdline_merge(struct config_value *root, const char *key, size_t keylen,
                         const char *text, size_t len)
{
    struct config_value *v = NULL, *t;
    struct config_error e = {0};
    int rc = config_parse(text, len, &v, &e);

    if (rc) {
        kprintf("petrel: kernel command line: %.*s: column %u: %s\n", (int)keylen, key,
                e.column, e.message ? e.message : KERR(rc));
        return rc;
    }
    t = config_new_tuple();
    rc = t ? config_tuple_set_n(t, key, keylen, v) : -ENOMEM;
    if (rc)
        config_free(v);
    if (rc == 0)
        rc = config_merge(root, t);
    config_free(t);
    return rc;
}

int proc_cmdline_override(struct config_value *root, const char *cmdline)
{
    const char *p = cmdline;

    while (p && *p) {
        const char *w, *eq = NULL;
        struct config_value *v;
        int rc;

        while (*p == ' ')
            p++;
        w = p;
        while (*p && *p != ' ') {
            if (*p == '=' && !eq)
                eq = p;
            p++;
        }
        if (!eq || eq == w)
            continue;
        if (eq[1] == '(' || eq[1] == '[') {
            rc = cmdline_merge(root, w, (size_t)(eq - w), eq + 1, (size_t)(p - eq - 1));
            if (rc)
                return rc;
            continue;
        }
        v = config_new_string(eq + 1, (size_t)(p - eq - 1));
        if (!v)
            return -ENOMEM;
        if (config_tuple_set_n(root, w, (size_t)(eq - w), v)) {
            config_free(v);
            return -ENOMEM;
        }
    }
    return 0;
}

int proc_config_copy(const struct proc_config *src, struct proc_config *dst)
{
    memset(dst, 0, sizeof(*dst));
    dst->debugsyscalls = src->debugsyscalls;
    dst->fault = src->fault;
    dst->syscall_summary = src->syscall_summary;
    dst->missing_files = src->missing_files;
    dst->futex_trace = src->futex_trace;
    dst->noaslr = src->noaslr;
    dst->exec_protection = src->exec_protection;
    if ((src->program && !(dst->program = kstrdup(src->program))) ||
        (src->cwd && !(dst->cwd = kstrdup(src->cwd))))
        goto nomem;
    dst->argv = kcalloc(src->argc + 1, sizeof(char *));
    dst->envp = kcalloc(src->envc + 1, sizeof(char *));
    if (!dst->argv || !dst->envp)
        goto nomem;
    for (; dst->argc < src->argc; dst->argc++)
        if (!(dst->argv[dst->argc] = kstrdup(src->argv[dst->argc])))
            goto nomem;
    for (; dst->envc < src->envc; dst->envc++)
        if (!(dst->envp[dst->envc] = kstrdup(src->envp[dst->envc])))
            goto nomem;
    return 0;
nomem:
    proc_config_free(dst);
    return -ENOMEM;
}

/* --- creation and threads ---------------------------------------------------------------- */

static int proc_open_cwd(struct proc *p)
{
    if (!p->cfg.cwd || strcmp(p->cfg.cwd, "/") == 0)
        return 0;
    return vfs_openat(NULL, p->cfg.cwd, VFS_O_PATH | VFS_O_DIRECTORY, 0, &p->cwd);
}

int proc_create(const struct proc_config *cfg, struct proc **out)
{
    static const struct proc_config empty;
    struct proc *p = kzalloc(sizeof(*p));
    struct file *con[3] = {NULL, NULL, NULL};
    int rc;

    if (!p)
        return -ENOMEM;
    p->pid = PROC_PID;
    proc_registry_add(p);
    p->umask = 022;
    proc_threads_init(p);
    list_init(&p->ptimers);
    for (int i = 0; i < PROC_NRLIMIT; i++)
        p->rlimits[i] = (struct proc_rlimit){PROC_RLIM_INFINITY, PROC_RLIM_INFINITY};
    p->rlimits[PROC_RLIMIT_STACK].cur = VM_STACK_SIZE;
    p->rlimits[PROC_RLIMIT_CORE].cur = 0;
    p->rlimits[PROC_RLIMIT_NOFILE] = (struct proc_rlimit){PROC_NOFILE, PROC_NOFILE};
    mutex_init(&p->lock, "proc");
    fdtable_init(&p->fds);
    rc = proc_config_copy(cfg ? cfg : &empty, &p->cfg);
    if (rc == 0)
        rc = futex_table_create(&p->futex);
    if (rc == 0)
        rc = vm_space_create_flags(&p->vm, (p->cfg.noaslr ? VM_SPACE_NOASLR : 0) |
                                               (p->cfg.exec_protection ? VM_SPACE_EXEC_PROTECT : 0));
    if (rc == 0)
        rc = proc_open_cwd(p);
    if (rc == 0)
        rc = file_console_std(con); /* the streams, or one console description thrice */
    for (int fd = 0; fd < 3 && con[0]; fd++) {
        if (rc == 0 && fd_install(&p->fds, fd, con[fd], false) == fd)
            continue; /* the table took the reference */
        file_put(con[fd]);
        rc = rc ? rc : -EMFILE;
    }
    if (rc) {
        proc_destroy(p);
        return rc;
    }
    *out = p;
    return 0;
}

void proc_destroy(struct proc *p)
{
    proc_registry_remove(p); /* no signal-driven I/O owner finds it from here on */
    if (p->ptimer_release) /* POSIX timers: cancelled, their queued signals dropped */
        p->ptimer_release(p);
    for (int i = 0; i < 3; i++) /* setitimer's timers must not fire into a freed process */
        timer_cancel(&p->itimer[i].timer);
    proc_threads_destroy(p);
    fdtable_destroy(&p->fds);
    if (p->cwd)
        vfs_file_put(p->cwd);
    if (p->vm)
        vm_space_destroy(p->vm);
    proc_config_free(&p->cfg);
    kfree(p->groups);
    if (p->futex)
        futex_table_destroy(p->futex);
    kfree(p);
}

/* --- start ------------------------------------------------------------------------------- */

static int proc_load(struct proc *p, struct elf_info *info)
{
    struct vfs_file *f;
    struct vm_file vf;
    struct elf_interp_src interp = {elf_open_vfs, p->cwd}; /* PT_INTERP: through the VFS */
    char msg[ELF_MSG_SIZE];
    int rc = vfs_openat(p->cwd, p->cfg.program, VFS_O_RDONLY, 0, &f);

    if (rc) {
        kprintf("petrel: cannot open program %s: %s\n", p->cfg.program, KERR(rc));
        return rc;
    }
    vf = vm_file_from_vfs(f);
    msg[0] = '\0';
    rc = elf_load_exec(p->vm, &vf, &interp, info, msg, sizeof(msg));
    vfs_file_put(f);
    if (rc)
        kprintf("petrel: cannot load %s: %s\n", p->cfg.program, msg[0] ? msg : "error");
    return rc;
}

int proc_enter_image(struct proc *p, const struct elf_info *info, const char *execfn,
                     struct hal_uregs *regs)
{
    struct stack_layout lay;
    struct stack_args a;
    int rc;

    a.argv = (const char *const *)p->cfg.argv;
    a.argc = p->cfg.argc;
    a.envp = (const char *const *)p->cfg.envp;
    a.envc = p->cfg.envc;
    a.execfn = execfn;
    a.elf = info;
    a.hwcap = p->hwcap;
    a.hwcap2 = p->hwcap2;
    a.minsigstksz = 0; /* omitted until the HAL reports the XSAVE size */
    rc = vdso_map(p->vm, &a.sysinfo_ehdr); /* -ENOENT: none this boot, AT_SYSINFO_EHDR left out */
    if (rc == 0 || rc == -ENOENT)
        rc = stack_build(p->vm, &a, &lay);
    if (rc) {
        kprintf("petrel: cannot build the stack of %s: %s\n", p->cfg.program, KERR(rc));
        return rc;
    }
    p->auxv_addr = lay.auxv;
    memset(regs, 0, sizeof(*regs));
    regs->rip = info->start; /* the interpreter's entry for a dynamic program */
    regs->rsp = lay.sp;
    regs->rflags = RFLAGS_IF | RFLAGS_RESERVED;
    return 0;
}

int proc_start(struct proc *p, uint64_t hwcap, uint64_t hwcap2, struct hal_uregs *regs)
{
    struct elf_info info;
    int rc;

    if (!p->cfg.program)
        return -ENOENT;
    p->hwcap = hwcap;
    p->hwcap2 = hwcap2;
    rc = proc_load(p, &info);
    if (rc)
        return rc;
    return proc_enter_image(p, &info, p->cfg.program, regs);
}

/* --- the end ----------------------------------------------------------------------------- */

static void (*proc_exit_hook)(void);

void proc_set_exit_hook(void (*fn)(void))
{
    proc_exit_hook = fn;
}

#define PROC_EXIT_NET_DRAIN_NS 5000000000ull /* net_drain: a peer may be slow, not for ever */

void proc_exit(struct proc *p, int status)
{
    int rc;

    if (p) {
        uint64_t tok = spin_lock_irqsave(&p->tlock);

        p->exiting = true;
        p->exited = true;
        p->exit_status = status;
        spin_unlock_irqrestore(&p->tlock, tok);
    }
    if (proc_exit_hook) /* the syscall diagnostics' report (boot sets it): the program ended */
        proc_exit_hook();
    /* its sockets close as its descriptors would (FIN or RST), and what the program wrote
     * to TCP connections, FINs included, reaches its peers before the VM ends */
    net_close_all();
    if (net_drain(PROC_EXIT_NET_DRAIN_NS))
        log_warn("exit: TCP data still unacknowledged after %u s: the VM ends with it",
                 (unsigned)(PROC_EXIT_NET_DRAIN_NS / 1000000000ull));
    rc = vfs_sync();
    if (rc)
        log_warn("exit: writing the filesystems back failed: %s", KERR(rc));
    hal_exit(status);
}

int proc_fault_signal(enum hal_fault_kind kind, int rc)
{
    switch (kind) {
    case HAL_FAULT_ILLEGAL:
        return PROC_SIGILL;
    case HAL_FAULT_DIVIDE:
    case HAL_FAULT_FPU:
        return PROC_SIGFPE;
    case HAL_FAULT_BREAKPOINT:
        return PROC_SIGTRAP;
    case HAL_FAULT_PAGE_READ:
    case HAL_FAULT_PAGE_WRITE:
    case HAL_FAULT_PAGE_EXEC:
        if (rc == -EIO)
            return PROC_SIGBUS; /* the file behind the page could not be read */
        if (rc == -ENOMEM)
            return PROC_SIGKILL; /* as Linux's out-of-memory killer */
        return PROC_SIGSEGV;
    case HAL_FAULT_GENERAL:
    default:
        return PROC_SIGSEGV;
    }
}

static const char *const fault_names[] = {
    [HAL_FAULT_PAGE_READ] = "read",      [HAL_FAULT_PAGE_WRITE] = "write",
    [HAL_FAULT_PAGE_EXEC] = "exec",      [HAL_FAULT_ILLEGAL] = "invalid opcode",
    [HAL_FAULT_DIVIDE] = "divide error", [HAL_FAULT_GENERAL] = "general protection",
    [HAL_FAULT_FPU] = "floating point",  [HAL_FAULT_BREAKPOINT] = "breakpoint",
};

/* The program's frame-pointer chain: [rbp] = caller's rbp, [rbp + 8] = return address. */
/* The frame-pointer chain from rip: one line of addresses, then a line per frame whose
 * address has a symbol in the ELF file mapped there (core/proc/symbolize.c). */
static void fault_backtrace(const struct hal_uregs *r)
{
    uint64_t fp = r->rbp, pcs[PROC_BACKTRACE_MAX + 1];
    int n = 0;
    char sym[160];

    pcs[n++] = r->rip;
    for (int i = 0; i < PROC_BACKTRACE_MAX && fp && !(fp & 7); i++) {
        uint64_t frame[2];

        if (copy_from_user(frame, uptr_make(fp), sizeof(frame)) || !frame[1])
            break;
        pcs[n++] = frame[1];
        if (frame[0] <= fp)
            break;
        fp = frame[0];
    }
    kprintf("  backtrace:");
    for (int i = 0; i < n; i++)
        kprintf(" %#llx", (unsigned long long)pcs[i]);
    kprintf("\n");
    for (int i = 0; i < n; i++)
        if (proc_current() && proc_symbolize(proc_current()->vm, pcs[i], i > 0, sym,
                                             sizeof(sym)) == 0)
            kprintf("    #%d %#llx %s\n", i, (unsigned long long)pcs[i], sym);
}

static void fault_report(const struct hal_uregs *r, enum hal_fault_kind kind, uint64_t addr,
                         int sig)
{
    const char *what = (unsigned)kind < sizeof(fault_names) / sizeof(fault_names[0])
                           ? fault_names[kind]
                           : "unknown";

    kprintf("petrel: fatal user fault (%s) at %#llx, rip %#llx: signal %d\n", what,
            (unsigned long long)addr, (unsigned long long)r->rip, sig);
    kprintf("  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n"
            "  rsi %016llx rdi %016llx rbp %016llx rsp %016llx\n",
            (unsigned long long)r->rax, (unsigned long long)r->rbx, (unsigned long long)r->rcx,
            (unsigned long long)r->rdx, (unsigned long long)r->rsi, (unsigned long long)r->rdi,
            (unsigned long long)r->rbp, (unsigned long long)r->rsp);
    kprintf("  r8  %016llx r9  %016llx r10 %016llx r11 %016llx\n"
            "  r12 %016llx r13 %016llx r14 %016llx r15 %016llx\n",
            (unsigned long long)r->r8, (unsigned long long)r->r9, (unsigned long long)r->r10,
            (unsigned long long)r->r11, (unsigned long long)r->r12, (unsigned long long)r->r13,
            (unsigned long long)r->r14, (unsigned long long)r->r15);
    kprintf("  rip %016llx rflags %016llx fs %016llx\n", (unsigned long long)r->rip,
            (unsigned long long)r->rflags, (unsigned long long)r->fs_base);
    fault_backtrace(r);
}

/* The VM's RAM in KiB: total and free, for the messages about memory. */
static void ram_kib(uint64_t *total, uint64_t *free)
{
    struct page_stats ps;

    page_get_stats(&ps);
    *total = ps.total_pages * PAGE_SIZE >> 10;
    *free = ps.free_pages * PAGE_SIZE >> 10;
}

/* A page fault that found no free page (proc_fault_signal's SIGKILL, as Linux's OOM killer):
 * say it is memory and how much the VM has, whether or not `fault` is set. */
static void oom_report(const struct proc *p, uint64_t addr)
{
    uint64_t total, free;

    ram_kib(&total, &free);
    kprintf("petrel: %s killed: out of memory at %#llx (the VM has %llu MiB of usable RAM, "
            "%llu KiB free): give it more (petrel run -m)\n",
            p ? p->cfg.program : "the program", (unsigned long long)addr,
            (unsigned long long)(total >> 10), (unsigned long long)free);
}

void proc_fault_fatal(const struct hal_uregs *regs, enum hal_fault_kind kind, uint64_t addr,
                      int sig)
{
    struct proc *p = proc_current();
    bool oom = sig == PROC_SIGKILL && (kind == HAL_FAULT_PAGE_READ ||
                                         kind == HAL_FAULT_PAGE_WRITE || kind == HAL_FAULT_PAGE_EXEC);

    if (oom)
        oom_report(p, addr);
    if (!p || p->cfg.fault)
        fault_report(regs, kind, addr, sig);
    else if (hal_stdio_present() && !oom) /* the console is a channel of its own (petrel
                                   * run): one line a user can act on; `fault` adds registers */
        kprintf("petrel: %s killed by %s at %#llx (rip %#llx)\n", p->cfg.program, KSIG(sig),
                (unsigned long long)addr, (unsigned long long)regs->rip);
    if (!p)
        proc_exit(NULL, 128 + sig);
    proc_exit_group(p, 128 + sig);
}

void proc_report_signal_death(const struct proc *p, int sig)
{
    /* as a shell reports its child: not SIGINT (the user pressed Ctrl-C) nor SIGPIPE (a
     * reader left: `prog | head`); only the process petrel started (pid 1) */
    if (!p || p->pid != 1 || !hal_stdio_present() || sig == LINUX_SIGINT || sig == LINUX_SIGPIPE)
        return;
    kprintf("petrel: %s killed by %s\n", p->cfg.program, KSIG(sig));
}
