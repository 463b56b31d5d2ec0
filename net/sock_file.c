/*
 * sock_file.c - sockets as an open-file kind (fs/file/file.h).
 *
 * The description's priv is the struct sock. read/write are recv/send without flags (the
 * O_NONBLOCK status flag is mirrored into the socket by setfl; a write failing with EPIPE
 * raises SIGPIPE through file_sigpipe, as write(2) has no MSG_NOSIGNAL), poll returns the socket's
 * mask (kept current under the network lock, read without it: poll ops never sleep) after
 * registering the socket's wait queue, stat is a synthetic S_IFSOCK inode, and the last
 * reference closes the socket. ioctl: FIONREAD (SIOCINQ), the bytes a read would return;
 * -EINVAL on a listening socket, as Linux; SIOCGIF* (net/ifreq.c); other requests -ENOTTY.
 */
#include "core/abi/fcntl.h"
#include "core/abi/ioctl.h"
#include "core/abi/socket.h"
#include "core/abi/stat.h"
#include "core/lib/kstring.h"
#include "fs/file/file.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_errno.h"
#include "net/net_ifreq.h"
#include "net/sock_kind.h"
#include "net/sock.h"
#include "net/sock_file.h"
#include "net/sock_internal.h"

static long sk_read(struct file *f, void *buf, size_t n, uint64_t *pos)
{
    (void)pos;
    if (n == 0)
        return 0; /* Linux's read(2) of a socket, before the protocol (recv(2) asks it) */
    return sock_recv(f->priv, buf, n, 0, NULL, NULL, NULL);
}

static long sk_write(struct file *f, const void *buf, size_t n, uint64_t *pos)
{
    long rc;

    (void)pos;
    rc = sock_send(f->priv, buf, n, 0, NULL, 0);
    if (rc == -EPIPE)
        file_sigpipe(); /* write(2) has no MSG_NOSIGNAL */
    return rc;
}

static unsigned sk_poll(struct file *f, struct poll_table *pt)
{
    poll_wait(pt, sock_wait_queue(f->priv));
    return sock_poll(f->priv);
}

static int sk_ioctl(struct file *f, unsigned long req, const struct file_uarg *arg)
{
    int n;

    if (req != LINUX_FIONREAD && req != LINUX_SIOCATMARK)
        return net_ifreq_ioctl(req, arg, sock_family(f->priv) == LINUX_AF_INET);
    n = req == LINUX_SIOCATMARK ? sock_atmark(f->priv) : sock_inq(f->priv);
    return n < 0 ? n : file_uarg_out(arg, &n, sizeof(n));
}

static int sk_setfl(struct file *f, unsigned flags)
{
    sock_set_nonblock(f->priv, flags & LINUX_O_NONBLOCK);
    return 0;
}

static void sk_release(struct file *f)
{
    net_sock_set_file(f->priv, NULL);
    sock_close(f->priv);
}

static const struct file_ops sock_file_ops = {
    .name = "socket",
    .read = sk_read,
    .write = sk_write,
    .poll = sk_poll,
    .ioctl = sk_ioctl,
    .stat = sock_file_stat,
    .setfl = sk_setfl,
    .release = sk_release,
};

struct file *sock_file_open(struct sock *sk, bool nonblock)
{
    struct file *f;

    sock_set_nonblock(sk, nonblock);
    f = file_alloc(&sock_file_ops, sk, LINUX_O_RDWR | (nonblock ? LINUX_O_NONBLOCK : 0),
                   FILE_MODE_ASYNC);
    if (f)
        net_sock_set_file(sk, f); /* its owner gets SIGURG and SIGIO (net/sock_async.c) */
    return f;
}

struct sock *sock_of_file(struct file *f)
{
    return f->ops == &sock_file_ops ? f->priv : NULL;
}
