/*
 * exec.c - execve: the process's program replaced in place (docs/exec.md).
 *
 *   syscall layer   path copied in -> file opened and checked (proc_exec_open) -> argv and
 *                   envp copied in (the order of Linux's errors: -EFAULT for the path, then
 *                   -ENOENT/-EACCES, then -EFAULT/-E2BIG for the strings)
 *   proc_exec       "#!" scripts: the interpreter line turns the request into one for the
 *                   interpreter (at most EXEC_MAX_DEPTH levels, else -ELOOP)
 *                   strings measured against the stack's limit (-E2BIG)
 *                   a new address space with the image loaded: every ELF check passes here
 *   ---------------- the point of no return -------------------------------------------------
 *                   the other threads end (proc_exec_single); the caller takes the pid as tid
 *                   the new space replaces the old one, which is destroyed
 *                   /proc/self/{exe,cmdline,environ} and comm follow the new program
 *                   the stack (argv, envp, auxv) and the initial frame are built
 *                   close-on-exec descriptors closed; robust list, clear_child_tid, fs/gs
 *                   bases and FPU state reset
 *
 * Everything that can fail for a reason the program could see (a bad image, no memory for
 * the copies) happens before the point of no return, so the old program gets the error and
 * goes on. After it only the stack writes could fail; the process then ends with SIGSEGV,
 * as Linux forces.
 *
 * The #! line follows Linux's rules (binfmt_script): the first EXEC_BUF bytes of the file
 * are looked at; the line ends at a newline or NUL (without either, the interpreter's name
 * must end inside those bytes, else -ENOEXEC); spaces and tabs separate the interpreter from
 * one optional argument, which is the rest of the line (trailing blanks dropped). The new
 * argv is { interpreter, [argument,] filename, argv[1], ... }: argv[0] is dropped and the
 * filename is the path the caller gave (for a nested script, the outer interpreter's path).
 */
#include "core/abi/signal.h"
#include "core/lib/alloc.h"
#include "core/lib/kprintf.h"
#include "core/lib/kstring.h"
#include "core/proc/elf.h"
#include "core/proc/proc.h"
#include "core/proc/stack.h"
#include "fs/file/file.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_errno.h"

#define EXEC_BUF 256      /* Linux's BINPRM_BUF_SIZE: where the #! line must fit */
#define EXEC_MAX_DEPTH 5  /* scripts nested before -ELOOP (Linux: depth > 5) */
#define EXEC_MAX_LINKS 40 /* symlinks followed to name the exe (Linux's MAXSYMLINKS) */
#define EXEC_MAX_ARGV (EXEC_MAX_DEPTH * 2)

/* The request as it evolves through the #! rewrites. */
struct exec_state {
    struct vfs_file *file;   /* the file to load now (a reference) */
    const char *exe_rel;     /* its path for /proc/self/exe (relative to exe_dir) */
    struct vfs_file *exe_dir;
    const char **argv; /* kmalloc'd array; strings are the request's or in owned[] */
    size_t argc;
    char *owned[EXEC_MAX_ARGV]; /* interpreter names and arguments of the #! lines */
    unsigned nowned;
};

/* --- opening ------------------------------------------------------------------------------- */

int proc_exec_check(struct vfs_file *f)
{
    struct vfs_stat st;
    int rc = vfs_fstat(f, &st);

    if (rc)
        return rc;
    if (!VFS_S_ISTYPE(st.st_mode, VFS_S_IFREG) || !(st.st_mode & 0111))
        return -EACCES; /* root may execute a file with any execute bit */
    return 0;
}

int proc_exec_open(struct vfs_file *dir, const char *path, bool nofollow, struct vfs_file **out)
{
    struct vfs_file *f;
    int rc;

    *out = NULL;
    if (!path[0])
        return -ENOENT;
    rc = vfs_openat(dir, path, VFS_O_RDONLY | (nofollow ? VFS_O_NOFOLLOW : 0), 0, &f);
    if (rc)
        return rc;
    rc = proc_exec_check(f);
    if (rc)
        vfs_file_put(f);
    else
        *out = f;
    return rc;
}

/* --- #! scripts ---------------------------------------------------------------------------- */

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

/*
 * The interpreter line of buf (n bytes read, buf[n] == 0): name [name_len] and arg [arg_len,
 * 0: none]. -ENOEXEC for a line without an interpreter, or whose name does not end inside
 * EXEC_BUF bytes.
 */
static int shebang_parse(const char *buf, size_t n, const char **name, size_t *name_len,
                         const char **arg, size_t *arg_len)
{
    size_t len = strnlen(buf, n);
    const char *end = memchr(buf, '\n', len), *p = buf + 2, *q;

    if (!end) {
        while (p < buf + len && blank(*p))
            p++;
        while (p < buf + len && !blank(*p))
            p++;
        if (p == buf + EXEC_BUF)
            return -ENOEXEC; /* the interpreter's name runs past what Linux reads */
        end = buf + len;
    }
    while (end > buf + 2 && blank(end[-1]))
        end--;
    for (p = buf + 2; p < end && blank(*p); p++)
        ;
    if (p >= end)
        return -ENOEXEC;
    for (q = p; q < end && !blank(*q); q++)
        ;
    *name = p;
    *name_len = (size_t)(q - p);
    while (q < end && blank(*q))
        q++;
    *arg = q;
    *arg_len = (size_t)(end - q);
    return 0;
}

static char *own(struct exec_state *st, const char *s, size_t n)
{
    char *d = kmalloc(n + 1);

    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    st->owned[st->nowned++] = d;
    return d;
}

/* argv becomes { name, [arg,] filename, argv[1..] }. */
static int shebang_argv(struct exec_state *st, const char *name, const char *arg,
                        const char *filename)
{
    size_t keep = st->argc ? st->argc - 1 : 0, n = 2 + (arg ? 1 : 0) + keep, i = 0;
    const char **v = kmalloc(n * sizeof(*v));

    if (!v)
        return -ENOMEM;
    v[i++] = name;
    if (arg)
        v[i++] = arg;
    v[i++] = filename;
    for (size_t k = 0; k < keep; k++)
        v[i++] = st->argv[k + 1];
    kfree(st->argv);
    st->argv = v;
    st->argc = n;
    return 0;
}

/*
 * One level: when st->file is a #! script, st becomes the request for its interpreter (1),
 * with *filename the interpreter's path for the next level. 0: not a script (load it as ELF).
 */
static int shebang_step(struct proc *p, struct exec_state *st, const char **filename)
{
    char buf[EXEC_BUF + 1];
    const char *name, *arg, *iname, *iarg = NULL;
    size_t nlen, alen;
    struct vfs_file *f;
    long n = vfs_pread(st->file, buf, EXEC_BUF, 0);
    int rc;

    if (n < 0)
        return (int)n;
    buf[n] = '\0';
    if (n < 2 || buf[0] != '#' || buf[1] != '!')
        return 0;
    rc = shebang_parse(buf, (size_t)n, &name, &nlen, &arg, &alen);
    if (rc)
        return rc;
    if (!(iname = own(st, name, nlen)) || (alen && !(iarg = own(st, arg, alen))))
        return -ENOMEM;
    rc = shebang_argv(st, iname, iarg, *filename);
    if (rc == 0)
        rc = proc_exec_open(p->cwd, iname, false, &f);
    if (rc)
        return rc;
    vfs_file_put(st->file);
    st->file = f;
    st->exe_rel = iname;
    st->exe_dir = p->cwd;
    *filename = iname;
    return 1;
}

static int resolve_scripts(struct proc *p, struct exec_state *st, const char *filename)
{
    for (int depth = 0;; depth++) {
        int rc;

        if (depth > EXEC_MAX_DEPTH)
            return -ELOOP;
        rc = shebang_step(p, st, &filename);
        if (rc <= 0)
            return rc;
    }
}

static void state_free(struct exec_state *st)
{
    if (st->file)
        vfs_file_put(st->file);
    kfree(st->argv);
    for (unsigned i = 0; i < st->nowned; i++)
        kfree(st->owned[i]);
}

/* --- the new program's records ------------------------------------------------------------- */

/* The absolute path of rel (resolved from dir) as the VFS can say it without resolving
 * anything (".." and symlinks kept): the last resort of exe_path. */
static char *abs_path(struct vfs_file *dir, const char *rel)
{
    char *out = kmalloc(2 * VFS_PATH_MAX);
    long n;

    if (!out)
        return NULL;
    if (rel[0] == '/') {
        kstrlcpy(out, rel, 2 * VFS_PATH_MAX);
        return out;
    }
    n = vfs_getcwd(dir, out, VFS_PATH_MAX);
    if (n <= 0)
        n = 1, out[0] = '\0';
    while (rel[0] == '.' && rel[1] == '/')
        rel += 2;
    ksnprintf(out + n - 1, 2 * VFS_PATH_MAX - (size_t)n + 1, "%s%s",
              (n > 1 && out[n - 2] == '/') ? "" : "/", rel);
    return out;
}

/* Follow the symlinks that path (from dir) ends in, in place: 0, or -ELOOP / the VFS's. */
static int follow_final_links(struct vfs_file *dir, char *path, char *link)
{
    for (int hops = 0; hops <= EXEC_MAX_LINKS; hops++) {
        long n = vfs_readlinkat(dir, path, link, VFS_PATH_MAX - 1);
        char *slash = strrchr(path, '/');
        size_t keep;

        if (n == -EINVAL)
            return 0; /* not a symlink: done */
        if (n < 0)
            return (int)n;
        link[n] = '\0';
        keep = link[0] == '/' || !slash ? 0 : (size_t)(slash - path) + 1;
        if (keep + (size_t)n >= VFS_PATH_MAX)
            return -ENAMETOOLONG;
        memcpy(path + keep, link, (size_t)n + 1);
    }
    return -ELOOP;
}

/* rel (from dir) with its final symlinks followed and its directory made canonical by getcwd
 * (symlinks and ".." of the directories resolved): the name Linux's /proc/self/exe shows.
 * NULL when it cannot be built. */
static char *real_path(struct vfs_file *dir, const char *rel)
{
    char *path = kmalloc(VFS_PATH_MAX), *link = kmalloc(VFS_PATH_MAX), *out = NULL;
    struct vfs_file *d = NULL;
    const char *name;
    char *slash;
    long n;

    if (!path || !link || kstrlcpy(path, rel, VFS_PATH_MAX) >= VFS_PATH_MAX ||
        follow_final_links(dir, path, link))
        goto done;
    slash = strrchr(path, '/');
    name = slash ? slash + 1 : path;
    if (slash)
        *slash = '\0';
    if (vfs_openat(dir, !slash ? "." : path[0] ? path : "/", VFS_O_RDONLY | VFS_O_DIRECTORY, 0,
                   &d))
        goto done;
    out = kmalloc(2 * VFS_PATH_MAX);
    n = out ? vfs_getcwd(d, out, VFS_PATH_MAX) : -ENOMEM;
    if (n > 0)
        ksnprintf(out + n - 1, 2 * VFS_PATH_MAX - (size_t)n + 1, "%s%s",
                  (n > 1 && out[n - 2] == '/') ? "" : "/", name);
    else if (out)
        kfree(out), out = NULL;
    vfs_file_put(d);
done:
    kfree(path);
    kfree(link);
    return out;
}

/* Does path name the file f is (same device and inode)? */
static bool names_file(const char *path, struct vfs_file *f)
{
    struct vfs_stat a, b;

    return path && vfs_statat(NULL, path, 0, &a) == 0 && vfs_fstat(f, &b) == 0 &&
           a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * The path /proc/self/exe shows for the new program: rel resolved (real_path) when that names
 * the file being run; else, for a program run through a descriptor (execveat AT_EMPTY_PATH,
 * "/dev/fd/N": files keep no names here), the old program's path when it names the same file
 * (a program running itself again, /proc/self/exe opened O_PATH); else rel made absolute.
 */
static char *exe_path(struct proc *p, const struct exec_state *st)
{
    char *real = real_path(st->exe_dir, st->exe_rel);

    if (real && names_file(real, st->file))
        return real;
    kfree(real);
    if (p->cfg.program && names_file(p->cfg.program, st->file)) {
        char *same = kmalloc(2 * VFS_PATH_MAX);

        if (same)
            kstrlcpy(same, p->cfg.program, 2 * VFS_PATH_MAX);
        return same;
    }
    return abs_path(st->exe_dir, st->exe_rel);
}

/* The configuration the new program shows: its exe, argv and envp; the rest as before. */
static int new_config(struct proc *p, const struct exec_state *st, const struct proc_exec_req *req,
                      struct proc_config *out)
{
    struct proc_config tmp = p->cfg;
    char *exe = exe_path(p, st);
    int rc;

    if (!exe)
        return -ENOMEM;
    tmp.program = exe;
    tmp.argv = (char **)st->argv;
    tmp.argc = st->argc;
    tmp.envp = (char **)req->envp;
    tmp.envc = req->envc;
    rc = proc_config_copy(&tmp, out);
    kfree(exe);
    return rc;
}

/* Before the point of no return: the image in a new space, the records ready. */
static int prepare(struct proc *p, struct exec_state *st, const struct proc_exec_req *req,
                   struct vm_space **vm, struct elf_info *info, struct proc_config *cfg)
{
    struct elf_interp_src interp = {elf_open_vfs, p->cwd};
    char msg[ELF_MSG_SIZE];
    struct stack_args a;
    struct vm_file vf;
    int rc = resolve_scripts(p, st, req->filename);

    a = (struct stack_args){.argv = st->argv, .argc = st->argc, .envp = req->envp,
                            .envc = req->envc, .execfn = req->filename};
    if (rc == 0)
        rc = stack_check(&a);
    if (rc == 0)
        rc = vm_space_create_limit(vm, p->vm->flags, /* noaslr, exec_protection kept */
                                   proc_rlimit(p, PROC_RLIMIT_STACK).cur);
    if (rc)
        return rc;
    vm_set_as_limit(*vm, proc_rlimit(p, PROC_RLIMIT_AS).cur); /* the limit stays over exec */
    vf = vm_file_from_vfs(st->file);
    msg[0] = '\0';
    rc = elf_load_exec(*vm, &vf, &interp, info, msg, sizeof(msg));
    if (rc == 0)
        rc = new_config(p, st, req, cfg);
    if (rc) {
        if (msg[0] && p->cfg.debugsyscalls)
            kprintf("petrel: execve %s: %s\n", req->filename, msg);
        vm_space_destroy(*vm);
        *vm = NULL;
    }
    return rc;
}

/* --- the point of no return ---------------------------------------------------------------- */

static void close_on_exec(struct proc *p)
{
    for (int fd = 0; fd < PROC_NOFILE; fd++)
        if (fd_get_cloexec(&p->fds, fd) == 1)
            (void)fd_close(&p->fds, fd);
}

/* The calling thread's state that does not survive execve (Linux: exec_mmap, mm_release,
 * flush_thread, __set_task_comm). */
static void reset_thread(struct uthread *ut, const char *filename)
{
    const char *base = strrchr(filename, '/');

    ut->robust_list = 0;
    ut->robust_len = 0;
    ut->clear_child_tid = 0;
    ut->fs_base = 0;
    ut->gs_base = 0;
    kstrlcpy(ut->comm, base ? base + 1 : filename, sizeof(ut->comm));
    hal_fpu_reset_state();
}

static void commit(struct proc *p, struct vm_space *vm, struct proc_config *cfg,
                   const struct elf_info *info, const char *filename, struct hal_uregs *regs)
{
    struct vm_space *old;
    struct proc_config oldcfg;

    proc_exec_single(p);
    old = p->vm;
    p->vm = vm;
    vm_activate(vm);
    vm_space_destroy(old);
    mutex_lock(&p->lock);
    oldcfg = p->cfg;
    p->cfg = *cfg;
    mutex_unlock(&p->lock);
    proc_config_free(&oldcfg);
    if (proc_enter_image(p, info, filename, regs))
        proc_exit_group(p, 128 + LINUX_SIGSEGV);
    close_on_exec(p);
    reset_thread(uthread_current(), filename);
}

int proc_exec(struct proc *p, const struct proc_exec_req *req, struct hal_uregs *regs)
{
    struct exec_state st = {.exe_rel = req->filename, .exe_dir = req->dir};
    struct proc_config cfg;
    struct vm_space *vm = NULL;
    struct elf_info info;
    int rc;

    st.argv = kmalloc((req->argc + 1) * sizeof(*st.argv));
    if (!st.argv)
        return -ENOMEM;
    for (size_t i = 0; i < req->argc; i++)
        st.argv[i] = req->argv[i];
    st.argc = req->argc;
    vfs_file_get(req->file);
    st.file = req->file;
    rc = prepare(p, &st, req, &vm, &info, &cfg);
    if (rc == 0 && !regs) { /* called as C: there is no user frame to start the program in */
        proc_config_free(&cfg);
        vm_space_destroy(vm);
        rc = -ENOSYS;
    }
    if (rc == 0)
        commit(p, vm, &cfg, &info, req->filename, regs);
    state_free(&st);
    return rc;
}
