/*
 * sys_internal.h - what the files of core/syscall share; not for the rest of the kernel.
 *
 * Handlers: one per implemented row of syscalls.def, `long sys_<name>(const uint64_t a[6])`.
 * Each decodes first (copy-ins through sys_copy_in/sys_path_in, which also feed the
 * double-fetch check), validates, then executes.
 */
#ifndef CORE_SYSCALL_SYS_INTERNAL_H
#define CORE_SYSCALL_SYS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/abi/fcntl.h"
#include "core/abi/limits.h"
#include "core/mm/uaccess.h"
#include "core/proc/proc.h"
#include "core/syscall/syscall.h"
#include "fs/file/file.h"
#include "fs/vfs/vfs.h"
#include "net/sock_kind.h"

#define SYSCALL(nr, name, ...) long sys_##name(const uint64_t a[SYS_MAX_ARGS]);
#define SYSCALL_NI(nr, name, ...)
#include "core/syscall/syscalls.def"
#undef SYSCALL
#undef SYSCALL_NI

/* Signal-driven I/O (sys_fown.c): the owner fcntl commands (F_SETOWN, F_GETOWN, F_SETOWN_EX,
 * F_GETOWN_EX, F_SETSIG, F_GETSIG) on f; F_SETFL's change of status flags (O_ASYNC only on
 * kinds that signal it; fd: the descriptor, for si_fd); the ioctl requests FIOASYNC,
 * FIOSETOWN, SIOCSPGRP, FIOGETOWN, SIOCGPGRP (sys_ioctl_owner_req says which). */
long sys_fcntl_owner(struct file *f, unsigned cmd, uint64_t arg);
int sys_setfl(struct file *f, int fd, unsigned mask, unsigned val);
bool sys_ioctl_owner_req(unsigned req);
int sys_ioctl_owner(struct file *f, int fd, unsigned req, uint64_t uarg);

/* The calling thread's process; the dispatcher guarantees one. */
static inline struct proc *sys_proc(void)
{
    return proc_current();
}

/* Copy-in helpers: the only way handlers read user memory (each records the range for the
 * double-fetch check). Return 0 / length, or -EFAULT / -ENAMETOOLONG. */
int sys_copy_in(void *dst, uint64_t uaddr, size_t n);
int sys_copy_out(uint64_t uaddr, const void *src, size_t n);
/* A path (at most VFS_PATH_MAX bytes with the NUL) into a new kmalloc buffer: *out, kfree it.
 * -EFAULT, -ENAMETOOLONG, -ENOMEM; an empty path is fine here (the VFS decides). */
int sys_path_in(uint64_t uaddr, char **out);
/* A string of at most max bytes (NUL included) into dst, in a fetch scope of its own (execve's
 * argv and envp). Its length, -EFAULT or -ENAMETOOLONG. */
long sys_str_in(uint64_t uaddr, char *dst, size_t max);
/* Validate without copying: [uaddr, uaddr+n) lies in the user half, inside areas allowing
 * prot (VM_PROT_READ/WRITE). 0 or -EFAULT. Used before an action that cannot be undone (a
 * read that moves the file offset) so a bad buffer fails before anything happens. */
int sys_user_check(uint64_t uaddr, size_t n, unsigned prot);
/* Start a new syscall's fetch log (dispatcher). */
void sys_fetch_reset(void);
/* The reads that follow belong to another argument (a data buffer, an iovec array). */
void sys_fetch_scope(void);

/* Descriptor helpers. */
/* The dirfd argument as a VFS description for path: NULL for an absolute path, AT_FDCWD ->
 * the cwd (NULL: "/"), else the VFS description of fd's file (a reference; -EBADF, -ENOTDIR
 * for a file of another kind). path NULL: always the descriptor. Drop with sys_dir_put. */
int sys_dir_get(int dirfd, const char *path, struct vfs_file **out);
void sys_dir_put(struct vfs_file *f);
/* A decoded (dirfd, path) pair (sys_path.c): the path copied in, then dirfd resolved for it
 * with sys_dir_get. 0 or the first error (nothing to put then). */
struct upath {
    char *path;
    struct vfs_file *dir;
};
long sys_upath_get(uint64_t dirfd, uint64_t uaddr, struct upath *u);
void sys_upath_put(struct upath *u);


/* --- sockets (sys_sock.c, sys_unix.c) --- */
struct sock_addr;
struct sock_ctl;
struct sock_kind;
/* Wrap socket s of kind k in a description and a descriptor (s is closed on failure). */
int sys_sock_install(const struct sock_kind *k, void *s, bool nonblock, bool cloexec);
/* writev(2) at the position of f: a TCP socket sends the n iovecs at uiov as one send
 * (*handled true, the syscall's answer returned); anything else *handled false. */
long sys_sock_writev(struct file *f, uint64_t uiov, uint64_t n, bool *handled);
long sys_sock_readv(struct file *f, uint64_t uiov, uint64_t n, bool *handled);
/* An AF_UNIX path name of a bind (the socket inode made, 0777 & ~umask) or of a connect or
 * sendto (looked up, following symlinks): a->node gets its O_PATH description. Other names
 * are left alone. sys_unix_path_put drops it and, for a failed bind, removes the inode. */
struct unix_path {
    char *path;
    struct vfs_file *dir;
    bool created;
};
int sys_unix_path_get(struct sock_addr *a, bool bind, struct unix_path *up);
void sys_unix_path_put(struct sock_addr *a, struct unix_path *up, bool failed);
/* The calling process's credentials (SO_PEERCRED, SCM_CREDENTIALS). */
struct sock_cred sys_unix_cred(void);
/* socket(2) and socketpair(2)'s first checks, in Linux's order: flag bits in type, then the
 * family's range, then the type's. Leaves the bare type in *type; returns the flags or -errno. */
int sys_sock_type(int domain, int *type);
/* sendmsg's control data (SOL_SOCKET: SCM_RIGHTS, SCM_CREDENTIALS) into ctl. */
int sys_unix_ctl_in(uint64_t uctl, uint64_t len, struct sock_ctl *ctl);
/* recvmsg's: write ctl's credentials and descriptors (installed now) into the user's control
 * buffer (room bytes); *used: bytes written; MSG_CTRUNC into *mflags when cut. -EFAULT. */
int sys_unix_ctl_out(struct sock_ctl *ctl, uint64_t uctl, uint64_t room, int flags,
                     uint64_t *used, int *mflags);
bool sys_unix_passcred(void *s);

/* Trace-time hook: the dispatcher reports unimplemented syscalls. */
void sys_trace_line(const struct sys_desc *d, const uint64_t a[6], long ret);

/* Linux constants under the names sys_file.c uses (core/abi has them). */
#define SYS_O_CLOEXEC LINUX_O_CLOEXEC
#define SYS_FD_CLOEXEC LINUX_FD_CLOEXEC
#define SYS_IOV_MAX LINUX_IOV_MAX
#define SYS_RW_MAX LINUX_MAX_RW_COUNT

/* POSIX timers (sys_ptimer.c): execve deletes every timer of p (the id sequence goes on). */
void sys_ptimer_exec(struct proc *p);

#endif
