/*
 * ucopy.c - user copies for handlers, with the double-fetch check, and dirfd decoding.
 *
 * Decode-then-execute (STYLE habit 7) means a handler reads each argument's user bytes once.
 * Every copy-in goes through sys_copy_in/sys_path_in, which log the range read during the
 * current syscall under the current argument scope; a range overlapping one already read in
 * the same scope counts as a double fetch (sys_double_fetches). Scopes separate distinct
 * arguments that may legitimately point at the same bytes (rename(p, p), two iovecs over one
 * buffer): each path, each iovec array and each data buffer opens its own scope
 * (sys_fetch_scope); fixed-size structs share the syscall's first scope, so a handler that
 * read its struct argument twice would be caught. The tests and the fuzzer run every syscall with
 * the check and assert the count stays 0. The log belongs to the calling thread (struct
 * uthread's `fetch`), so threads in syscalls at the same time do not mix their ranges; the
 * count is global. The tracer reads paths again for display only, after the call, outside
 * this log.
 */
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/syscall/sys_internal.h"
#include "hal/hal_errno.h"

static uint64_t fetch_doubles; /* atomic */

static struct uthread_fetch *fetch_log(void)
{
    return &uthread_current()->fetch;
}

void sys_fetch_reset(void)
{
    struct uthread_fetch *f = fetch_log();

    f->n = 0;
    f->cur = 0;
}

void sys_fetch_scope(void)
{
    fetch_log()->cur++;
}

static void fetch_note(uint64_t addr, uint64_t len)
{
    struct uthread_fetch *f = fetch_log();
    uint64_t end = addr + len < addr ? UINT64_MAX : addr + len;

    if (len == 0)
        return;
    for (unsigned i = 0; i < f->n && i < UTHREAD_FETCH_LOG; i++)
        if (f->scope[i] == f->cur && addr < f->end[i] && f->start[i] < end)
            __atomic_add_fetch(&fetch_doubles, 1, __ATOMIC_RELAXED);
    if (f->n < UTHREAD_FETCH_LOG) {
        f->start[f->n] = addr;
        f->end[f->n] = end;
        f->scope[f->n] = f->cur;
    }
    f->n++;
}

uint64_t sys_double_fetches(void)
{
    return __atomic_load_n(&fetch_doubles, __ATOMIC_RELAXED);
}

unsigned sys_last_fetch_count(void)
{
    struct uthread *ut = uthread_current();

    return ut ? ut->fetch.n : 0;
}

int sys_copy_in(void *dst, uint64_t uaddr, size_t n)
{
    fetch_note(uaddr, n);
    return copy_from_user(dst, uptr_make(uaddr), n);
}

int sys_copy_out(uint64_t uaddr, const void *src, size_t n)
{
    return copy_to_user(uptr_make(uaddr), src, n);
}

/* A path shorter than PATH_SMALL bytes (nearly all: nginx's stat and open per request) is
 * copied to the stack first and kept in a kmalloc of its own length: a VFS_PATH_MAX buffer is a
 * page from the page allocator, ~60 TBs more per call under TCG (bench/http/profile). A longer
 * one is copied again whole into such a buffer (only that copy is used, so a string changed
 * meanwhile is still read once). The result is read-only to every caller. */
#define PATH_SMALL 256

int sys_path_in(uint64_t uaddr, char **out)
{
    char small[PATH_SMALL], *buf = NULL;
    long n;

    sys_fetch_scope(); /* a path is one argument of its own */
    n = strncpy_from_user(small, uptr_make(uaddr), sizeof(small));
    if (n >= 0) {
        buf = kmalloc((size_t)n + 1);
        if (!buf)
            return -ENOMEM;
        memcpy(buf, small, (size_t)n + 1);
    } else if (n == -ENAMETOOLONG) {
        buf = kmalloc(VFS_PATH_MAX);
        if (!buf)
            return -ENOMEM;
        n = strncpy_from_user(buf, uptr_make(uaddr), VFS_PATH_MAX);
        if (n < 0)
            kfree(buf);
    }
    if (n < 0)
        return (int)n;
    fetch_note(uaddr, (uint64_t)n + 1);
    *out = buf;
    return 0;
}

long sys_str_in(uint64_t uaddr, char *dst, size_t max)
{
    long n;

    sys_fetch_scope(); /* each string is its own argument: two may share memory */
    n = strncpy_from_user(dst, uptr_make(uaddr), max);
    if (n >= 0)
        fetch_note(uaddr, (uint64_t)n + 1);
    return n;
}

int sys_dir_get(int dirfd, const char *path, struct vfs_file **out)
{
    struct proc *p = sys_proc();
    struct file *f;
    int rc;

    *out = NULL;
    if (path && path[0] == '/')
        return 0; /* an absolute path ignores dirfd, as on Linux */
    if (dirfd == VFS_AT_FDCWD) {
        mutex_lock(&p->lock);
        *out = p->cwd;
        if (p->cwd)
            vfs_file_get(p->cwd);
        mutex_unlock(&p->lock);
        return 0;
    }
    rc = fd_get(&p->fds, dirfd, &f);
    if (rc)
        return rc;
    *out = file_vfs(f); /* NULL: a file of another kind is no directory */
    if (*out)
        vfs_file_get(*out);
    file_put(f);
    return *out ? 0 : -ENOTDIR;
}

void sys_dir_put(struct vfs_file *f)
{
    if (f)
        vfs_file_put(f);
}

int sys_user_check(uint64_t addr, size_t n, unsigned prot)
{
    struct vm_space *s = sys_proc()->vm;
    uint64_t end = addr + n;

    if (n == 0)
        return 0;
    if (end < addr || addr < s->va_min || end > s->va_max)
        return -EFAULT;
    return vm_user_room(s, addr, n, prot) == n ? 0 : -EFAULT;
}
