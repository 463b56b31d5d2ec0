/*
 * sock_kind.c - the socket families' tables (sock_kind.h): AF_INET/AF_INET6 over net/sock.h
 * (thin adapters: the inet core takes its own struct and ignores control data), and finding
 * the family of a socket description; the stat op all socket file kinds share.
 */
#include "core/abi/socket.h"
#include "core/abi/stat.h"
#include "core/lib/kstring.h"
#include "core/lib/alloc.h"
#include "fs/file/file.h"
#include "fs/vfs/vfs.h"
#include "net/sock.h"
#include "net/sock_file.h"
#include "net/netlink.h"
#include "net/sock_kind.h"
#include "net/unix.h"

void sock_ctl_release(struct sock_ctl *ctl)
{
    for (unsigned i = 0; i < ctl->nfiles; i++)
        file_put(ctl->files[i]);
    ctl->nfiles = 0;
    kfree(ctl->files);
    ctl->files = NULL;
}

bool sock_kind_of_file(struct file *f, const struct sock_kind **k, void **s)
{
    if ((*s = sock_of_file(f))) {
        *k = &sock_inet_kind;
        return true;
    }
    if ((*s = unix_of_file(f))) {
        *k = &unix_kind;
        return true;
    }
    if ((*s = netlink_of_file(f))) {
        *k = &netlink_kind;
        return true;
    }
    return false;
}

/* --- AF_INET, AF_INET6 ---------------------------------------------------------------------- */

static struct file *inet_file_open(void *s, bool nonblock)
{
    return sock_file_open(s, nonblock);
}

static void inet_close(void *s)
{
    sock_close(s);
}

static int inet_bind(void *s, const struct sock_addr *a)
{
    return sock_bind(s, a->sa, a->len);
}

static int inet_connect(void *s, const struct sock_addr *a)
{
    return sock_connect(s, a->sa, a->len);
}

static int inet_listen(void *s, int backlog)
{
    return sock_listen(s, backlog);
}

static int inet_accept(void *s, void **out, void *peer, uint32_t *plen)
{
    struct sock *c;
    int rc = sock_accept(s, &c, peer, plen);

    if (rc == 0)
        *out = c;
    return rc;
}

static long inet_send(void *s, const void *buf, size_t len, int flags, const struct sock_addr *to,
                      struct sock_ctl *ctl)
{
    (void)ctl;
    return sock_send(s, buf, len, flags, to ? to->sa : NULL, to ? to->len : 0);
}

static long inet_recv(void *s, void *buf, size_t len, int flags, void *from, uint32_t *flen,
                      int *mflags, struct sock_ctl *ctl)
{
    (void)ctl;
    return sock_recv(s, buf, len, flags, from, flen, mflags);
}

static int inet_shutdown(void *s, int how)
{
    return sock_shutdown(s, how);
}

static int inet_getname(void *s, bool peer, void *addr, uint32_t *len)
{
    return sock_getname(s, peer, addr, len);
}

static int inet_setsockopt(void *s, int level, int name, const void *val, uint32_t len)
{
    return sock_setsockopt(s, level, name, val, len);
}

static int inet_getsockopt(void *s, int level, int name, void *val, uint32_t *len)
{
    return sock_getsockopt(s, level, name, val, len);
}

static enum sock_data inet_data(void *s)
{
    return sock_is_stream(s) ? SOCK_DATA_STREAM : SOCK_DATA_RECORDS;
}

const struct sock_kind sock_inet_kind = {
    .family = LINUX_AF_INET,
    .file_open = inet_file_open,
    .close = inet_close,
    .bind = inet_bind,
    .connect = inet_connect,
    .listen = inet_listen,
    .accept = inet_accept,
    .send = inet_send,
    .recv = inet_recv,
    .shutdown = inet_shutdown,
    .getname = inet_getname,
    .setsockopt = inet_setsockopt,
    .getsockopt = inet_getsockopt,
    .data = inet_data,
};

int sock_file_stat(struct file *f, struct vfs_stat *st)
{
    memset(st, 0, sizeof(*st));
    st->st_mode = LINUX_S_IFSOCK | 0777;
    st->st_ino = (uint64_t)(uintptr_t)f->priv >> 4; /* unique while the socket lives */
    st->st_nlink = 1;
    st->st_blksize = 4096;
    return 0;
}
