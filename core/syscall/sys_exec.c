/*
 * sys_exec.c - execve (59) and execveat (322): decode, then core/proc/exec.c replaces the
 * program (docs/exec.md).
 *
 * The decode follows Linux's order, so a call with several faults gets Linux's error (each
 * checked natively, tests/syscall cases_exec.c):
 *   the path copied in                          -EFAULT, -ENAMETOOLONG
 *   execveat: flags other than AT_EMPTY_PATH and AT_SYMLINK_NOFOLLOW   -EINVAL
 *   the file opened for execution               -ENOENT ("" without AT_EMPTY_PATH), -EBADF,
 *                                               -ENOTDIR, -ELOOP (AT_SYMLINK_NOFOLLOW on a
 *                                               symlink), -EACCES (a directory, a device, no
 *                                               execute bit)
 *   argv, then envp: the pointer arrays (NULL: empty) and their strings   -EFAULT, -E2BIG (a
 *                                               string over 32 pages, or all of them over a
 *                                               quarter of the 8 MiB stack)
 * then proc_exec (-ENOEXEC, -ELOOP, the loader's errors). On success the signal actions are
 * reset for the new program (core/signal) and 0 goes to rax of the new program's frame.
 *
 * The file name the new program sees (AT_EXECFN, a script's argument, comm) is the path as
 * given when it is absolute or relative to the cwd, "/dev/fd/<dirfd>/<path>" relative to a
 * dirfd, and "/dev/fd/<fd>" for AT_EMPTY_PATH, as Linux names them.
 */
#include "core/lib/alloc.h"
#include "core/lib/kprintf.h"
#include "core/lib/kstring.h"
#include "core/proc/stack.h"
#include "core/signal/signal.h"
#include "core/syscall/sys_internal.h"
#include "hal/hal_errno.h"

#define EXEC_FLAGS (VFS_AT_EMPTY_PATH | VFS_AT_SYMLINK_NOFOLLOW)
#define EXEC_NAME_MAX (VFS_PATH_MAX + 32)

/* One decoded call. */
struct exec_call {
    char *path;
    char *filename;
    struct vfs_file *dir;  /* a relative path's directory (NULL: "/") */
    struct vfs_file *file; /* the program */
    char **argv, **envp;
    size_t argc, envc;
    uint64_t bytes; /* strings and pointers so far, against STACK_MAX_ARGS */
};

static void call_free(struct exec_call *c)
{
    for (size_t i = 0; i < c->argc; i++)
        kfree(c->argv[i]);
    for (size_t i = 0; i < c->envc; i++)
        kfree(c->envp[i]);
    kfree(c->argv);
    kfree(c->envp);
    kfree(c->path);
    kfree(c->filename);
    sys_dir_put(c->dir);
    if (c->file)
        vfs_file_put(c->file);
}

/* execveat(fd, "", AT_EMPTY_PATH): the descriptor's own file (the cwd for AT_FDCWD). */
static int open_fd(struct exec_call *c, int dirfd)
{
    struct file *f;
    int rc = sys_dir_get(dirfd, NULL, &c->file);

    if (rc == -ENOTDIR) { /* a descriptor that is no VFS file (a pipe...) */
        rc = fd_get(&sys_proc()->fds, dirfd, &f);
        if (rc == 0)
            file_put(f);
        return rc ? rc : -EACCES;
    }
    if (rc)
        return rc;
    if (!c->file) /* the cwd is "/" */
        return -EACCES;
    rc = proc_exec_check(c->file);
    if (rc == 0 && (c->file->flags & VFS_O_PATH)) { /* Linux opens the file again to read it */
        struct vfs_file *path_only = c->file;

        rc = vfs_file_reopen(path_only, VFS_O_RDONLY, &c->file);
        if (rc)
            c->file = NULL;
        vfs_file_put(path_only);
    }
    return rc;
}

static int open_program(struct exec_call *c, int dirfd, unsigned flags)
{
    int rc;

    c->filename = kmalloc(EXEC_NAME_MAX);
    if (!c->filename)
        return -ENOMEM;
    if (!c->path[0] && (flags & VFS_AT_EMPTY_PATH)) {
        ksnprintf(c->filename, EXEC_NAME_MAX, "/dev/fd/%d", dirfd);
        return dirfd == VFS_AT_FDCWD ? -EACCES : open_fd(c, dirfd);
    }
    if (c->path[0] == '/' || dirfd == VFS_AT_FDCWD)
        kstrlcpy(c->filename, c->path, EXEC_NAME_MAX);
    else
        ksnprintf(c->filename, EXEC_NAME_MAX, "/dev/fd/%d/%s", dirfd, c->path);
    if (!c->path[0])
        return -ENOENT; /* an empty name fails before the dirfd is looked at */
    rc = sys_dir_get(dirfd, c->path, &c->dir);
    if (rc == 0)
        rc = proc_exec_open(c->dir, c->path, flags & VFS_AT_SYMLINK_NOFOLLOW, &c->file);
    return rc;
}

/* One string of a vector into a kmalloc'd copy; its size counts against the limit. */
static int string_in(struct exec_call *c, uint64_t uaddr, char *scratch, char **out)
{
    long n = sys_str_in(uaddr, scratch, STACK_MAX_STRLEN);

    if (n == -ENAMETOOLONG)
        return -E2BIG; /* Linux: MAX_ARG_STRLEN */
    if (n < 0)
        return (int)n;
    c->bytes += (uint64_t)n + 1 + sizeof(uint64_t);
    if (c->bytes > STACK_MAX_ARGS)
        return -E2BIG;
    *out = kmalloc((size_t)n + 1);
    if (!*out)
        return -ENOMEM;
    memcpy(*out, scratch, (size_t)n + 1);
    return 0;
}

/* A NULL-terminated user vector of strings (NULL itself: empty, as Linux takes it). */
static int vector_in(struct exec_call *c, uint64_t uvec, char ***vec, size_t *count)
{
    char *scratch = kmalloc(STACK_MAX_STRLEN);
    size_t cap = 0;
    int rc = scratch ? 0 : -ENOMEM;

    *vec = NULL;
    *count = 0;
    for (uint64_t i = 0; rc == 0 && uvec; i++) {
        uint64_t ptr;

        sys_fetch_scope();
        if (sys_copy_in(&ptr, uvec + i * sizeof(ptr), sizeof(ptr))) {
            rc = -EFAULT;
            break;
        }
        if (!ptr)
            break;
        if (*count == cap) {
            char **v = krealloc(*vec, (cap = cap ? 2 * cap : 16) * sizeof(char *));

            if (!v) {
                rc = -ENOMEM;
                break;
            }
            *vec = v;
        }
        rc = string_in(c, ptr, scratch, &(*vec)[*count]);
        if (rc == 0)
            (*count)++;
    }
    kfree(scratch);
    return rc;
}

static long do_exec(int dirfd, uint64_t upath, uint64_t uargv, uint64_t uenvp, unsigned flags)
{
    struct exec_call c = {0};
    struct uthread *ut = uthread_current();
    struct proc_exec_req req;
    long rc = sys_path_in(upath, &c.path);

    if (rc)
        return rc;
    if (flags & ~EXEC_FLAGS)
        rc = -EINVAL;
    if (rc == 0)
        rc = open_program(&c, dirfd, flags);
    if (rc == 0)
        rc = vector_in(&c, uargv, &c.argv, &c.argc);
    if (rc == 0)
        rc = vector_in(&c, uenvp, &c.envp, &c.envc);
    if (rc == 0) {
        req = (struct proc_exec_req){c.file, c.dir, c.filename, (const char *const *)c.argv,
                                     c.argc, (const char *const *)c.envp, c.envc};
        rc = proc_exec(sys_proc(), &req, ut->regs);
    }
    if (rc == 0) {
        signal_exec_reset(sys_proc(), ut);
        sys_ptimer_exec(sys_proc()); /* POSIX timers do not survive exec (Linux: exit_itimers) */
    }
    call_free(&c);
    return rc;
}

long sys_execve(const uint64_t a[6])
{
    return do_exec(VFS_AT_FDCWD, a[0], a[1], a[2], 0);
}

long sys_execveat(const uint64_t a[6])
{
    return do_exec((int)a[0], a[1], a[2], a[3], (unsigned)a[4]);
}
