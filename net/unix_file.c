/*
 * unix_file.c - AF_UNIX sockets as an open-file kind, and their sock_kind table.
 *
 * The description's priv is the struct unix_sock. read/write are recv/send without flags
 * (a write failing with EPIPE raises SIGPIPE, as write(2) has no MSG_NOSIGNAL); poll
 * registers the socket's queue and computes the mask under unix_lock (a spinlock: poll never
 * sleeps); stat is a synthetic S_IFSOCK inode (mode 0777, as Linux's sockfs); ioctl answers
 * FIONREAD/SIOCINQ (unread bytes of a stream, the next record's size otherwise; -EINVAL on
 * a listener) and SIOCOUTQ (bytes sent and not yet read: Linux reports its buffer charge,
 * which counts bookkeeping too); the last reference closes the socket.
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
#include "net/unix_internal.h"

#define SIOCOUTQ 0x5411 /* == TIOCOUTQ */

static long uf_read(struct file *f, void *buf, size_t n, uint64_t *pos)
{
    (void)pos;
    if (n == 0)
        return 0; /* Linux's read(2) of a socket, before the protocol (recv(2) asks it) */
    return unix_recv(f->priv, buf, n, 0, NULL, NULL, NULL, NULL);
}

static long uf_write(struct file *f, const void *buf, size_t n, uint64_t *pos)
{
    long rc;

    (void)pos;
    rc = unix_send(f->priv, buf, n, 0, NULL, NULL);
    if (rc == -EPIPE)
        file_sigpipe();
    return rc;
}

static unsigned uf_poll(struct file *f, struct poll_table *pt)
{
    struct unix_sock *u = f->priv;
    unsigned m;
    uint64_t tok;

    poll_wait(pt, &u->wq);
    tok = unix_lock_take();
    m = unix_mask(u);
    unix_unlock(tok);
    return m;
}

static int uf_ioctl(struct file *f, unsigned long req, const struct file_uarg *arg)
{
    int n;

    if (req == LINUX_FIONREAD)
        n = unix_inq(f->priv);
    else if (req == SIOCOUTQ)
        n = unix_outq(f->priv);
    else
        return net_ifreq_ioctl(req, arg, false); /* SIOCGIF*, else -ENOTTY */
    return n < 0 ? n : file_uarg_out(arg, &n, sizeof(n));
}

static int uf_setfl(struct file *f, unsigned flags)
{
    struct unix_sock *u = f->priv;

    u->nonblock = flags & LINUX_O_NONBLOCK; /* read by its own calls only: no lock */
    return 0;
}

static void uf_release(struct file *f)
{
    unix_close(f->priv);
}

static const struct file_ops unix_file_ops = {
    .name = "unix",
    .read = uf_read,
    .write = uf_write,
    .poll = uf_poll,
    .ioctl = uf_ioctl,
    .stat = sock_file_stat,
    .setfl = uf_setfl,
    .release = uf_release,
};

static struct file *unix_file_open(void *s, bool nonblock)
{
    struct unix_sock *u = s;

    struct file *f;

    u->nonblock = nonblock;
    f = file_alloc(&unix_file_ops, u, LINUX_O_RDWR | (nonblock ? LINUX_O_NONBLOCK : 0),
                   FILE_MODE_ASYNC);
    if (f)
        unix_file_register(u, f); /* the collector looks at sockets with a file */
    return f;
}

struct unix_sock *unix_of_file(struct file *f)
{
    return f->ops == &unix_file_ops ? f->priv : NULL;
}

int unix_type(struct unix_sock *u)
{
    return u->type;
}

static enum sock_data unix_data(void *s)
{
    return ((struct unix_sock *)s)->type == LINUX_SOCK_STREAM ? SOCK_DATA_STREAM
                                                              : SOCK_DATA_RECORDS;
}

const struct sock_kind unix_kind = {
    .family = LINUX_AF_UNIX,
    .file_open = unix_file_open,
    .close = unix_close,
    .bind = unix_bind,
    .connect = unix_connect,
    .listen = unix_listen,
    .accept = unix_accept,
    .send = unix_send,
    .recv = unix_recv,
    .shutdown = unix_shutdown,
    .getname = unix_getname,
    .setsockopt = unix_setsockopt,
    .getsockopt = unix_getsockopt,
    .data = unix_data,
};
