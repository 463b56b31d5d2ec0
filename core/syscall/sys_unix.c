/*
 * sys_unix.c - the AF_UNIX parts of the socket syscalls: socketpair, path names through the
 * VFS, and control messages (SCM_RIGHTS, SCM_CREDENTIALS) in and out of user memory.
 *
 * Path names are the syscall layer's business because they need the process (cwd, umask):
 * bind makes the socket inode with mknod (S_IFSOCK, 0777 & ~umask; an existing name is
 * -EADDRINUSE, before the socket is even asked, as Linux) and removes it again when the
 * socket refuses the bind; connect and sendto look the name up (symlinks followed) and pass
 * the inode's O_PATH description to net/unix, which matches it against bound sockets.
 *
 * Control data, as Linux's __scm_send/put_cmsg/scm_detach_fds: a sent cmsghdr shorter than
 * its header or longer than what is left is -EINVAL; SOL_SOCKET SCM_RIGHTS takes up to 253
 * descriptors (-EINVAL beyond, -EBADF for a closed one), SCM_CREDENTIALS exactly a struct
 * ucred; other levels are ignored. Received: credentials first (SO_PASSCRED), then the
 * descriptors that fit, installed now (MSG_CMSG_CLOEXEC: close-on-exec); a cut or missing
 * buffer is MSG_CTRUNC and what did not fit is closed.
 */
#include "core/abi/socket.h"
#include "core/abi/stat.h"
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/syscall/sys_internal.h"
#include "hal/hal_errno.h"
#include "net/sock_kind.h"
#include "net/unix.h"

#define CTL_MAX (128 * 1024) /* net.core.optmem_max */
#define SCM_RIGHTS 1
#define SCM_CREDENTIALS 2
#define CMSG_HDR sizeof(struct linux_cmsghdr)
#define CMSG_ALIGN(n) (((n) + 7) & ~(uint64_t)7)

struct sock_cred sys_unix_cred(void)
{
    return (struct sock_cred){sys_proc()->pid, 0, 0}; /* getuid/getgid are 0 */
}

bool sys_unix_passcred(void *s)
{
    int v = 0;
    uint32_t len = sizeof(v);

    return unix_kind.getsockopt(s, LINUX_SOL_SOCKET, LINUX_SO_PASSCRED, &v, &len) == 0 && v;
}

/* --- socketpair ------------------------------------------------------------------------------- */

long sys_socketpair(const uint64_t a[6])
{
    int domain = (int)a[0], type = (int)a[1], flags = sys_sock_type(domain, &type);
    struct sock_cred cr = sys_unix_cred();
    struct unix_sock *u[2];
    int fd[2], rc;

    if (flags < 0)
        return flags;
    if (domain == LINUX_AF_INET || domain == LINUX_AF_INET6)
        return -EOPNOTSUPP; /* Linux: the inet families have no socketpair */
    if (domain != LINUX_AF_UNIX)
        return -EAFNOSUPPORT;
    rc = unix_pair(type, (int)a[2], &cr, u);
    if (rc)
        return rc;
    fd[0] = sys_sock_install(&unix_kind, u[0], flags & LINUX_SOCK_NONBLOCK,
                             flags & LINUX_SOCK_CLOEXEC);
    if (fd[0] < 0) {
        unix_kind.close(u[1]);
        return fd[0];
    }
    fd[1] = sys_sock_install(&unix_kind, u[1], flags & LINUX_SOCK_NONBLOCK,
                             flags & LINUX_SOCK_CLOEXEC);
    if (fd[1] < 0 || sys_copy_out(a[3], fd, sizeof(fd))) {
        fd_close(&sys_proc()->fds, fd[0]);
        if (fd[1] >= 0)
            fd_close(&sys_proc()->fds, fd[1]);
        return fd[1] < 0 ? fd[1] : -EFAULT;
    }
    return 0;
}

/* --- path names ------------------------------------------------------------------------------ */

int sys_unix_path_get(struct sock_addr *a, bool bind, struct unix_path *up)
{
    char path[UNIX_PATH_MAX + 1];
    int rc;

    memset(up, 0, sizeof(*up));
    if (!unix_addr_path(a->sa, a->len, path))
        return 0;
    up->path = kmalloc(sizeof(path));
    if (!up->path)
        return -ENOMEM;
    memcpy(up->path, path, sizeof(path));
    rc = sys_dir_get(LINUX_AT_FDCWD, up->path, &up->dir);
    if (rc)
        return rc;
    if (bind) {
        rc = vfs_mknodat(up->dir, up->path,
                         LINUX_S_IFSOCK | (0777 & ~sys_proc()->umask), 0);
        if (rc)
            return rc == -EEXIST ? -EADDRINUSE : rc;
        up->created = true;
    }
    return vfs_openat(up->dir, up->path, LINUX_O_PATH | (bind ? LINUX_O_NOFOLLOW : 0), 0,
                      &a->node);
}

void sys_unix_path_put(struct sock_addr *a, struct unix_path *up, bool failed)
{
    if (a->node)
        vfs_file_put(a->node);
    a->node = NULL;
    if (up->created && failed)
        vfs_unlinkat(up->dir, up->path, 0);
    if (up->dir)
        sys_dir_put(up->dir);
    kfree(up->path);
    memset(up, 0, sizeof(*up));
}

/* --- control data in -------------------------------------------------------------------------- */

static int rights_in(const uint8_t *d, uint64_t n, struct sock_ctl *ctl)
{
    if (ctl->nfiles + n > SOCK_CTL_MAX_FILES)
        return -EINVAL;
    if (!ctl->files && !(ctl->files = kmalloc(SOCK_CTL_MAX_FILES * sizeof(struct file *))))
        return -ENOMEM;
    for (uint64_t i = 0; i < n; i++) {
        int32_t fd;
        int rc;

        memcpy(&fd, d + 4 * i, sizeof(fd));
        rc = fd < 0 ? -EBADF : fd_get(&sys_proc()->fds, fd, &ctl->files[ctl->nfiles]);
        if (rc)
            return rc;
        ctl->nfiles++;
    }
    return 0;
}

static int cred_in(const uint8_t *d, uint64_t n, struct sock_ctl *ctl)
{
    struct sock_cred c;

    if (n != sizeof(c))
        return -EINVAL;
    memcpy(&c, d, sizeof(c));
    if (c.uid == UINT32_MAX || c.gid == UINT32_MAX)
        return -EINVAL;
    if (c.pid != sys_proc()->pid)
        return -ESRCH; /* the only process there is */
    ctl->cred = c;
    return 0;
}

static int cmsgs_in(const uint8_t *b, uint64_t len, struct sock_ctl *ctl)
{
    uint64_t off = 0;

    while (len - off >= CMSG_HDR) {
        struct linux_cmsghdr h;
        int rc = 0;

        memcpy(&h, b + off, sizeof(h));
        if (h.cmsg_len < CMSG_HDR || h.cmsg_len > len - off)
            return -EINVAL;
        if (h.cmsg_level == LINUX_SOL_SOCKET) {
            if (h.cmsg_type == SCM_RIGHTS)
                rc = rights_in(b + off + CMSG_HDR, (h.cmsg_len - CMSG_HDR) / 4, ctl);
            else if (h.cmsg_type == SCM_CREDENTIALS)
                rc = cred_in(b + off + CMSG_HDR, h.cmsg_len - CMSG_HDR, ctl);
            else
                rc = -EINVAL;
        }
        if (rc)
            return rc;
        off += CMSG_ALIGN(h.cmsg_len);
        if (off > len)
            break;
    }
    return 0;
}

int sys_unix_ctl_in(uint64_t uctl, uint64_t len, struct sock_ctl *ctl)
{
    uint8_t *b;
    int rc;

    ctl->cred = sys_unix_cred();
    if (len < CMSG_HDR)
        return 0;
    if (len > CTL_MAX)
        return -ENOBUFS;
    b = kmalloc(len);
    if (!b)
        return -ENOMEM;
    sys_fetch_scope();
    rc = sys_copy_in(b, uctl, len) ? -EFAULT : cmsgs_in(b, len, ctl);
    kfree(b);
    return rc;
}

/* --- control data out ------------------------------------------------------------------------- */

struct cursor {
    uint64_t at, room, used;
};

/* One cmsg (put_cmsg): cut to the room left with MSG_CTRUNC. */
static void cmsg_put(struct cursor *c, int type, const void *data, uint32_t n, int *mflags)
{
    struct linux_cmsghdr h = {CMSG_HDR + n, LINUX_SOL_SOCKET, type};
    uint64_t space = CMSG_ALIGN(CMSG_HDR + n);

    if (!c->at || c->room < CMSG_HDR) {
        *mflags |= LINUX_MSG_CTRUNC;
        return;
    }
    if (c->room < h.cmsg_len) {
        *mflags |= LINUX_MSG_CTRUNC;
        h.cmsg_len = c->room;
    }
    if (sys_copy_out(c->at, &h, sizeof(h)) ||
        sys_copy_out(c->at + CMSG_HDR, data, h.cmsg_len - CMSG_HDR))
        return; /* Linux ignores a fault here too: the data was taken */
    if (space > c->room)
        space = c->room;
    c->at += space;
    c->room -= space;
    c->used += space;
}

/* Install what fits (scm_detach_fds); the rest stays in ctl, closed by its release. */
static void rights_out(struct cursor *c, struct sock_ctl *ctl, bool cloexec, int *mflags)
{
    uint64_t fit = c->at && c->room > CMSG_HDR ? (c->room - CMSG_HDR) / 4 : 0;
    int32_t fds[SOCK_CTL_MAX_FILES];
    unsigned i = 0;

    if (fit > ctl->nfiles)
        fit = ctl->nfiles;
    if (fit && sys_user_check(c->at, CMSG_HDR + fit * 4, VM_PROT_WRITE))
        fit = 0;
    for (; i < fit; i++) {
        int fd = fd_install(&sys_proc()->fds, 0, ctl->files[i], cloexec);

        if (fd < 0)
            break;
        fds[i] = fd;
        ctl->files[i] = NULL; /* the table's now */
    }
    if (i)
        cmsg_put(c, SCM_RIGHTS, fds, i * 4, mflags);
    if (i < ctl->nfiles)
        *mflags |= LINUX_MSG_CTRUNC;
    for (unsigned j = i; j < ctl->nfiles; j++)
        ctl->files[j - i] = ctl->files[j];
    ctl->nfiles -= i;
}

int sys_unix_ctl_out(struct sock_ctl *ctl, uint64_t uctl, uint64_t room, int flags,
                     uint64_t *used, int *mflags)
{
    struct cursor c = {uctl, room, 0};

    if (ctl->passcred && ctl->cred_set)
        cmsg_put(&c, SCM_CREDENTIALS, &ctl->cred, sizeof(ctl->cred), mflags);
    if (ctl->nfiles)
        rights_out(&c, ctl, flags & LINUX_MSG_CMSG_CLOEXEC, mflags);
    *used = c.used;
    return 0;
}
