/*
 * sys_sock.c - the socket syscalls over the socket core (net/sock.h) and its file kind
 * (net/sock_file.h): socket, bind, listen, accept/accept4, connect, send/recv in all their
 * forms (sendto/recvfrom, sendmsg/recvmsg with iovecs, sendmmsg/recvmmsg), shutdown,
 * getsockname/getpeername, setsockopt/getsockopt.
 *
 * Each handler decodes first: the descriptor (-EBADF, -ENOTSOCK), the flags, the socket
 * address (at most a sockaddr_storage, -EINVAL beyond), the msghdr and its iovec array
 * (Linux's rules: more than UIO_MAXIOV elements -EMSGSIZE, a negative length -EINVAL, a
 * kernel-half pointer -EFAULT) and the length words of output names and options, then it
 * acts. Receive buffers and output names are checked writable before anything is taken
 * from the socket, so a bad pointer never loses data.
 *
 * Data moves through a kernel buffer: a datagram whole (it must leave as one), a stream in
 * chunks of SOCK_CHUNK bytes. A stream receive returns what is there: the first chunk may
 * wait, later ones only take what has already arrived (MSG_WAITALL waits for all of it); a
 * MSG_PEEK looks at the first chunk only, since each call looks from the start.
 *
 * SIGPIPE: a send that fails with -EPIPE raises it unless MSG_NOSIGNAL (sock_epipe below).
 *
 * Families: every handler is an op run by with_sock, which finds the descriptor's socket and
 * its family's table (struct sock_kind, net/sock_kind.h) and drops the reference after; the op
 * calls through the table; AF_UNIX's path names and control messages are
 * decoded in sys_unix.c (they need the process: cwd, umask, the descriptor table).
 */
#include "core/abi/socket.h"
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/syscall/sys_internal.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"
#include "net/netlink.h"
#include "net/sock.h"
#include "net/sock_kind.h"
#include "net/unix.h"

#define SOCK_CHUNK (64 * 1024)
#define DGRAM_MAX (64 * 1024)       /* a UDP datagram */
#define UNIX_RECORD_MAX (512 * 1024) /* an AF_UNIX record: at most SO_SNDBUF's 425984 - 32 */
#define SOCK_MAX_TYPE 11 /* Linux's SOCK_MAX */
#define AF_MAX 46        /* Linux's AF_MAX */
#define OPTVAL_MAX 256
#define MSG_WAITFORONE 0x10000
#define ACCEPT_FLAGS (LINUX_SOCK_NONBLOCK | LINUX_SOCK_CLOEXEC)
/* A call with at most SIO_SMALL iovecs keeps them in its struct sio, and a transfer of at most
 * SOCK_SMALL bytes bounces through the caller's frame: a small request or response (an HTTP
 * request, nginx's header writev) then costs no kmalloc/kfree pair, ~110 TBs each under TCG
 * (bench/http/profile). Larger ones allocate as before. */
#define SIO_SMALL 8
#define SOCK_SMALL 1024

/* A decoded send/receive: the iovec array, its total, an optional name. */
struct sio {
    struct linux_iovec *iov;
    uint64_t n;
    size_t total;
    struct linux_sockaddr_storage name;
    uint32_t namelen; /* send: bytes of name (0: none); receive: room (0: none) */
    uint64_t uname;   /* receive: where the name goes */
    uint64_t uctl, ctllen; /* control data: where, how long */
    struct sock_addr to;   /* send: the name as the family takes it */
    struct linux_iovec small[SIO_SMALL]; /* iov when n <= SIO_SMALL (never copy a sio) */
};

/* A socket argument: its description, family and object. */
struct sk {
    struct file *f;
    const struct sock_kind *k;
    void *s;
};

static int get_sock(uint64_t fd, struct sk *sk)
{
    int rc;

    sk->f = NULL;
    if (fd > INT32_MAX)
        return -EBADF;
    rc = fd_get(&sys_proc()->fds, (int)fd, &sk->f);
    if (rc)
        return rc;
    if (sock_kind_of_file(sk->f, &sk->k, &sk->s))
        return 0;
    file_put(sk->f);
    sk->f = NULL;
    return -ENOTSOCK;
}

/* Every handler's frame: the socket of descriptor a[0] (-EBADF, -ENOTSOCK), op on it with
 * the syscall's arguments, the reference dropped. */
static long with_sock(const uint64_t a[6], long (*op)(const struct sk *, const uint64_t *))
{
    struct sk sk;
    long rc = get_sock(a[0], &sk);

    if (rc)
        return rc;
    rc = op(&sk, a);
    file_put(sk.f);
    return rc;
}

/* A socket address argument: at most a sockaddr_storage (Linux's move_addr_to_kernel). */
static int addr_in(uint64_t uaddr, uint64_t len, struct linux_sockaddr_storage *ss)
{
    if ((int32_t)len < 0 || len > sizeof(*ss))
        return -EINVAL;
    memset(ss, 0, sizeof(*ss));
    return sys_copy_in(ss, uaddr, (size_t)len) ? -EFAULT : 0;
}

/* The length word of an output name/option: read once, negative -EINVAL. */
static int len_in(uint64_t ulen, uint32_t *len)
{
    int32_t v;

    if (sys_copy_in(&v, ulen, sizeof(v)))
        return -EFAULT;
    if (v < 0)
        return -EINVAL;
    *len = (uint32_t)v;
    return 0;
}

/* Write min(room, full) bytes of a name and its full length, as move_addr_to_user. */
static int name_out(uint64_t uaddr, uint64_t ulen, const void *name, uint32_t room, uint32_t full)
{
    if (room > full)
        room = full;
    if (room && sys_copy_out(uaddr, name, room))
        return -EFAULT;
    return sys_copy_out(ulen, &full, sizeof(full)) ? -EFAULT : 0;
}

/* A send that failed with -EPIPE raises SIGPIPE in the sender's thread, unless MSG_NOSIGNAL. */
static void sock_epipe(int flags)
{
    if (!(flags & LINUX_MSG_NOSIGNAL))
        file_sigpipe();
}

/* --- socket, bind, listen, connect, accept ---------------------------------------------- */

int sys_sock_install(const struct sock_kind *k, void *s, bool nonblock, bool cloexec)
{
    struct file *f = k->file_open(s, nonblock);
    int fd;

    if (!f) {
        k->close(s);
        return -ENOMEM;
    }
    fd = fd_install(&sys_proc()->fds, 0, f, cloexec);
    if (fd < 0)
        file_put(f);
    return fd;
}

int sys_sock_type(int domain, int *type)
{
    int flags = *type & ~LINUX_SOCK_TYPE_MASK;

    if (flags & ~ACCEPT_FLAGS)
        return -EINVAL;
    *type &= LINUX_SOCK_TYPE_MASK;
    if (domain < 0 || domain >= AF_MAX)
        return -EAFNOSUPPORT;
    if (*type >= SOCK_MAX_TYPE)
        return -EINVAL;
    return flags;
}

long sys_socket(const uint64_t a[6])
{
    int domain = (int)a[0], type = (int)a[1], protocol = (int)a[2];
    int flags = sys_sock_type(domain, &type);
    struct sock *sk;
    int rc;

    if (flags < 0)
        return flags;
    if (domain == LINUX_AF_UNIX) {
        struct sock_cred cr = sys_unix_cred();
        struct unix_sock *u;

        rc = unix_create(type, protocol, &cr, &u);
        return rc ? rc : sys_sock_install(&unix_kind, u, flags & LINUX_SOCK_NONBLOCK,
                                 flags & LINUX_SOCK_CLOEXEC);
    }
    if (domain == LINUX_AF_NETLINK) {
        void *nl;

        rc = netlink_create(type, protocol, sys_proc()->pid, &nl);
        return rc ? rc : sys_sock_install(&netlink_kind, nl, flags & LINUX_SOCK_NONBLOCK,
                                          flags & LINUX_SOCK_CLOEXEC);
    }
    rc = sock_create(domain, type, protocol, &sk);
    if (rc)
        return rc;
    return sys_sock_install(&sock_inet_kind, sk, flags & LINUX_SOCK_NONBLOCK, flags & LINUX_SOCK_CLOEXEC);
}

/* bind and connect: a socket and an address (an AF_UNIX path resolved: sys_unix.c). */
static long addr_call(const struct sk *sk, const uint64_t a[6], bool bind)
{
    struct linux_sockaddr_storage ss;
    struct sock_addr sa = {&ss, (size_t)a[2], NULL};
    struct unix_path up = {0};
    long rc = addr_in(a[1], a[2], &ss);

    if (rc == 0 && sk->k == &unix_kind)
        rc = sys_unix_path_get(&sa, bind, &up);
    if (rc == 0)
        rc = bind ? sk->k->bind(sk->s, &sa) : sk->k->connect(sk->s, &sa);
    sys_unix_path_put(&sa, &up, rc != 0);
    return rc;
}

static long bind_op(const struct sk *sk, const uint64_t a[6])
{
    return addr_call(sk, a, true);
}

static long connect_op(const struct sk *sk, const uint64_t a[6])
{
    return addr_call(sk, a, false);
}

long sys_bind(const uint64_t a[6])
{
    return with_sock(a, bind_op);
}

long sys_connect(const uint64_t a[6])
{
    return with_sock(a, connect_op);
}

static long listen_op(const struct sk *sk, const uint64_t a[6])
{
    return sk->k->listen(sk->s, (int)a[1]);
}

long sys_listen(const uint64_t a[6])
{
    return with_sock(a, listen_op);
}

/* accept4's arguments (accept's with flags 0): the new socket installed last. */
static long accept_op(const struct sk *sk, const uint64_t a[6])
{
    struct linux_sockaddr_storage ss;
    uint32_t room = 0, full = sizeof(ss);
    uint64_t uaddr = a[1], ulen = a[2], flags = a[3];
    void *c;
    long rc = 0;

    if (uaddr && ulen && (rc = len_in(ulen, &room)) == 0)
        rc = sys_user_check(uaddr, room, VM_PROT_WRITE);
    if (rc == 0)
        rc = sk->k->accept(sk->s, &c, &ss, &full);
    if (rc)
        return rc;
    if (uaddr && ulen && name_out(uaddr, ulen, &ss, room, full)) {
        sk->k->close(c); /* the length word went away meanwhile: as Linux, the peer is lost */
        return -EFAULT;
    }
    return sys_sock_install(sk->k, c, flags & LINUX_SOCK_NONBLOCK, flags & LINUX_SOCK_CLOEXEC);
}

long sys_accept(const uint64_t a[6])
{
    const uint64_t b[6] = {a[0], a[1], a[2], 0, 0, 0};

    return with_sock(b, accept_op);
}

long sys_accept4(const uint64_t a[6])
{
    if (a[3] & ~(uint64_t)ACCEPT_FLAGS)
        return -EINVAL;
    return with_sock(a, accept_op);
}

/* --- names, shutdown ------------------------------------------------------------------------ */

static long getname(const struct sk *sk, const uint64_t a[6], bool peer)
{
    struct linux_sockaddr_storage ss;
    uint32_t room, full = sizeof(ss);
    long rc = len_in(a[2], &room);

    if (rc == 0)
        rc = sk->k->getname(sk->s, peer, &ss, &full);
    if (rc == 0)
        rc = name_out(a[1], a[2], &ss, room, full);
    return rc;
}

static long sockname_op(const struct sk *sk, const uint64_t a[6])
{
    return getname(sk, a, false);
}

static long peername_op(const struct sk *sk, const uint64_t a[6])
{
    return getname(sk, a, true);
}

long sys_getsockname(const uint64_t a[6])
{
    return with_sock(a, sockname_op);
}

long sys_getpeername(const uint64_t a[6])
{
    return with_sock(a, peername_op);
}

static long shutdown_op(const struct sk *sk, const uint64_t a[6])
{
    return sk->k->shutdown(sk->s, (int)a[1]);
}

long sys_shutdown(const uint64_t a[6])
{
    return with_sock(a, shutdown_op);
}

/* --- options ---------------------------------------------------------------------------------- */

static long setsockopt_op(const struct sk *sk, const uint64_t a[6])
{
    uint8_t val[OPTVAL_MAX];
    int32_t len = (int32_t)a[4];

    if (len < 0)
        return -EINVAL;
    if (len >= (int32_t)sizeof(int) &&
        sys_copy_in(val, a[3], len < OPTVAL_MAX ? (size_t)len : OPTVAL_MAX))
        return -EFAULT;
    return sk->k->setsockopt(sk->s, (int)a[1], (int)a[2], val,
                             len < OPTVAL_MAX ? (uint32_t)len : OPTVAL_MAX);
}

long sys_setsockopt(const uint64_t a[6])
{
    return with_sock(a, setsockopt_op);
}

static long getsockopt_op(const struct sk *sk, const uint64_t a[6])
{
    uint8_t val[OPTVAL_MAX];
    uint32_t len;
    long rc = len_in(a[4], &len);

    if (rc == 0) {
        if (len > OPTVAL_MAX)
            len = OPTVAL_MAX;
        rc = sk->k->getsockopt(sk->s, (int)a[1], (int)a[2], val, &len);
    }
    if (rc == 0 && len && sys_copy_out(a[3], val, len))
        rc = -EFAULT;
    if (rc == 0 && sys_copy_out(a[4], &len, sizeof(len)))
        rc = -EFAULT;
    return rc;
}

long sys_getsockopt(const uint64_t a[6])
{
    return with_sock(a, getsockopt_op);
}

/* --- the data path ------------------------------------------------------------------------- */

/* Copy in and check an iovec array (Linux's import_iovec, as readv's): more than UIO_MAXIOV
 * -EMSGSIZE, a negative length -EINVAL, a range outside user space -EFAULT. The total is
 * cut to Linux's MAX_RW_COUNT. */
static void sio_free(struct sio *io)
{
    if (io->iov != io->small)
        kfree(io->iov);
}

/* A bounce buffer for n bytes: small (SOCK_SMALL bytes, the caller's) when n fits. */
static uint8_t *bounce_get(uint8_t *small, size_t n)
{
    return n <= SOCK_SMALL ? small : kmalloc(n);
}

static void bounce_put(uint8_t *small, uint8_t *k)
{
    if (k != small)
        kfree(k);
}

static int iov_in(uint64_t uiov, uint64_t n, struct sio *io)
{
    io->n = n;
    io->total = 0;
    if (n > LINUX_UIO_MAXIOV)
        return -EMSGSIZE;
    sys_fetch_scope();
    io->iov = n <= SIO_SMALL ? io->small : kmalloc(n * sizeof(*io->iov));
    if (!io->iov)
        return -ENOMEM;
    if (sys_copy_in(io->iov, uiov, n * sizeof(*io->iov)))
        return -EFAULT;
    for (uint64_t i = 0; i < n; i++)
        if ((int64_t)io->iov[i].iov_len < 0)
            return -EINVAL;
    for (uint64_t i = 0; i < n; i++) {
        struct linux_iovec *v = &io->iov[i];

        if (v->iov_base + v->iov_len < v->iov_base || v->iov_base + v->iov_len > sys_proc()->vm->va_max)
            return -EFAULT;
        if (v->iov_len > SYS_RW_MAX - io->total)
            v->iov_len = SYS_RW_MAX - io->total;
        io->total += v->iov_len;
    }
    return 0;
}

/* One user buffer as a one-element array. */
static int buf_in(uint64_t ubuf, uint64_t len, struct sio *io)
{
    io->iov = io->small;
    io->n = 1;
    io->iov[0].iov_base = ubuf;
    io->iov[0].iov_len = len > SYS_RW_MAX ? SYS_RW_MAX : len;
    io->total = io->iov[0].iov_len;
    return 0;
}

/* Walk the iovecs from the cursor (*i, *off): copy n bytes in (k -> user when out). */
static int iov_move(const struct sio *io, uint64_t *i, uint64_t *off, uint8_t *k, size_t n,
                    bool out)
{
    while (n) {
        const struct linux_iovec *v = &io->iov[*i];
        size_t c = v->iov_len - *off < n ? (size_t)(v->iov_len - *off) : n;

        if (!out && *off == 0)
            sys_fetch_scope(); /* each element its own argument: they may overlap */
        if (c && (out ? sys_copy_out(v->iov_base + *off, k, c)
                      : sys_copy_in(k, v->iov_base + *off, c)))
            return -EFAULT;
        k += c;
        n -= c;
        *off += c;
        if (*off == v->iov_len) {
            (*i)++;
            *off = 0;
        }
    }
    return 0;
}

static const struct sock_addr *send_name(const struct sio *io)
{
    return io->namelen ? &io->to : NULL;
}

static size_t dgram_max(const struct sk *sk)
{
    return sk->k == &unix_kind ? UNIX_RECORD_MAX : DGRAM_MAX;
}

static long send_dgram(const struct sk *sk, const struct sio *io, int flags, struct sock_ctl *ctl)
{
    uint64_t i = 0, off = 0;
    uint8_t small[SOCK_SMALL], *k;
    long rc;

    if (io->total > dgram_max(sk)) /* the socket says -EMSGSIZE without reading */
        return sk->k->send(sk->s, NULL, io->total, flags, send_name(io), ctl);
    k = bounce_get(small, io->total);
    if (!k)
        return -ENOMEM;
    rc = iov_move(io, &i, &off, k, io->total, false);
    if (rc == 0)
        rc = sk->k->send(sk->s, k, io->total, flags, send_name(io), ctl);
    bounce_put(small, k);
    return rc;
}

/* Control data goes with the first chunk only. */
static long send_stream(const struct sk *sk, const struct sio *io, int flags, struct sock_ctl *ctl)
{
    size_t sent = 0, c;
    uint64_t i = 0, off = 0;
    uint8_t small[SOCK_SMALL];
    uint8_t *k = bounce_get(small, io->total < SOCK_CHUNK ? io->total : SOCK_CHUNK);
    long r = 0;

    if (!k)
        return -ENOMEM;
    if (io->total == 0)
        r = sk->k->send(sk->s, k, 0, flags, send_name(io), ctl);
    while (sent < io->total) {
        c = io->total - sent < SOCK_CHUNK ? io->total - sent : SOCK_CHUNK;
        r = iov_move(io, &i, &off, k, c, false);
        if (r == 0)
            r = sk->k->send(sk->s, k, c, flags, send_name(io), sent ? NULL : ctl);
        if (r < 0)
            break;
        sent += (size_t)r;
        if ((size_t)r < c)
            break; /* nonblocking, or a signal: what went is the answer */
    }
    bounce_put(small, k);
    return sent ? (long)sent : r;
}

static long do_send(const struct sk *sk, const struct sio *io, int flags, struct sock_ctl *ctl)
{
    long rc;

    if ((flags & LINUX_MSG_OOB) && sk->k != &unix_kind &&
        sk->k->data(sk->s) != SOCK_DATA_STREAM)
        return -EOPNOTSUPP; /* UDP as Linux; TCP sends urgent data (net/tcp_conform.c) */
    if (sk->k->data(sk->s) == SOCK_DATA_STREAM)
        rc = send_stream(sk, io, flags, ctl);
    else
        rc = send_dgram(sk, io, flags, ctl);
    if (rc == -EPIPE)
        sock_epipe(flags);
    return rc;
}

/*
 * writev(2) on a TCP socket (rw_vec asks first; *handled false for any other file): the
 * iovecs go as one send, as Linux's sock_write_iter hands them to tcp_sendmsg together, not
 * one send per iovec: nginx's status line, headers and body iovecs were segments of their own
 * (and as many lwIP calls). The array is decoded as writev's (more than UIO_MAXIOV: -EINVAL);
 * nothing to write answers 0 without asking the socket, as Linux's vfs does.
 */
long sys_sock_writev(struct file *f, uint64_t uiov, uint64_t n, bool *handled)
{
    struct sk sk = {.f = f};
    struct sio io = {0};
    long rc;

    *handled = sock_kind_of_file(f, &sk.k, &sk.s) && sk.k == &sock_inet_kind &&
               sk.k->data(sk.s) == SOCK_DATA_STREAM;
    if (!*handled)
        return 0;
    if (n > LINUX_UIO_MAXIOV)
        return -EINVAL;
    rc = iov_in(uiov, n, &io);
    if (rc == 0 && io.total)
        rc = do_send(&sk, &io, 0, NULL);
    sio_free(&io);
    return rc;
}

static long do_recv(const struct sk *sk, struct sio *io, int flags, int *mflags, uint64_t ulen,
                    struct sock_ctl *ctl);

/* readv(2) on a socket of any kind (asked by rw_vec): one receive over all the iovecs, as
 * Linux's sock_read_iter, so a datagram is scattered across them (never one per iovec, the
 * rest of each dropped) and a stream does not wait again once it has data. 0 iovecs or 0
 * bytes: 0. *handled false for other files. */
long sys_sock_readv(struct file *f, uint64_t uiov, uint64_t n, bool *handled)
{
    struct sk sk = {.f = f};
    struct sio io = {0};
    int mflags;
    long rc;

    *handled = sock_kind_of_file(f, &sk.k, &sk.s);
    if (!*handled)
        return 0;
    if (n > LINUX_UIO_MAXIOV)
        return -EINVAL;
    rc = iov_in(uiov, n, &io);
    if (rc == 0 && io.total)
        rc = do_recv(&sk, &io, 0, &mflags, 0, NULL);
    sio_free(&io);
    return rc;
}

/* Receive buffers and the name are checked writable before anything leaves the socket. */
static int recv_check(const struct sio *io)
{
    for (uint64_t i = 0; i < io->n; i++)
        if (sys_user_check(io->iov[i].iov_base, io->iov[i].iov_len, VM_PROT_WRITE))
            return -EFAULT;
    if (io->uname && sys_user_check(io->uname, io->namelen, VM_PROT_WRITE))
        return -EFAULT;
    return 0;
}

static long recv_dgram(const struct sk *sk, struct sio *io, int flags, int *mflags,
                       uint32_t *full, struct sock_ctl *ctl)
{
    size_t cap = io->total < dgram_max(sk) ? io->total : dgram_max(sk);
    uint64_t i = 0, off = 0;
    uint8_t small[SOCK_SMALL], *k = bounce_get(small, cap);
    long r;

    if (!k)
        return -ENOMEM;
    r = sk->k->recv(sk->s, k, cap, flags, &io->name, full, mflags, ctl);
    if (r > 0 && iov_move(io, &i, &off, k, (size_t)r < cap ? (size_t)r : cap, true))
        r = -EFAULT;
    bounce_put(small, k);
    return r;
}

static long recv_stream(const struct sk *sk, struct sio *io, int flags, int *mflags,
                        uint32_t *full, struct sock_ctl *ctl)
{
    size_t got = 0, c;
    uint64_t i = 0, off = 0;
    uint8_t small[SOCK_SMALL];
    uint8_t *k = bounce_get(small, io->total < SOCK_CHUNK ? io->total : SOCK_CHUNK);
    int f = flags;
    long r;

    if (!k)
        return -ENOMEM;
    do {
        c = io->total - got < SOCK_CHUNK ? io->total - got : SOCK_CHUNK;
        /* the sender's name comes with the first chunk */
        r = sk->k->recv(sk->s, k, c, f, got ? NULL : &io->name, got ? NULL : full, mflags, ctl);
        if (r <= 0)
            break;
        if (iov_move(io, &i, &off, k, (size_t)r, true)) {
            r = -EFAULT;
            break;
        }
        got += (size_t)r;
        if ((size_t)r < c)
            break; /* the stream stopped short: nothing more yet, or a boundary it keeps (the
                    * TCP urgent mark, AF_UNIX credentials) that a later chunk would cross */
        if (!(flags & LINUX_MSG_WAITALL))
            f |= LINUX_MSG_DONTWAIT; /* later chunks: only what has arrived */
    } while (got < io->total && !(flags & LINUX_MSG_PEEK) && !(ctl && ctl->stop));
    bounce_put(small, k);
    return got ? (long)got : r;
}

/* Receive into io; *mflags gets MSG_TRUNC for a cut datagram; the name (when asked for)
 * goes to io->uname with its full length at ulen. */
static long do_recv(const struct sk *sk, struct sio *io, int flags, int *mflags, uint64_t ulen,
                    struct sock_ctl *ctl)
{
    uint32_t full = sizeof(io->name);
    long r = recv_check(io);

    *mflags = 0;
    if (r)
        return r;
    if (sk->k->data(sk->s) == SOCK_DATA_STREAM)
        r = recv_stream(sk, io, flags, mflags, &full, ctl);
    else
        r = recv_dgram(sk, io, flags, mflags, &full, ctl);
    if (r >= 0 && io->uname && name_out(io->uname, ulen, &io->name, io->namelen, full))
        r = -EFAULT;
    return r;
}

/* The destination of a send: copied in, an AF_UNIX path resolved. */
static int to_in(const struct sk *sk, uint64_t uaddr, uint64_t len, struct sio *io,
                 struct unix_path *up)
{
    int rc = addr_in(uaddr, len, &io->name);

    io->namelen = (uint32_t)len;
    io->to = (struct sock_addr){&io->name, (size_t)len, NULL};
    /* only a datagram socket goes to the name (streams refuse it, seqpackets ignore it) */
    if (rc == 0 && sk->k == &unix_kind && unix_type(sk->s) == LINUX_SOCK_DGRAM)
        rc = sys_unix_path_get(&io->to, false, up);
    return rc;
}

static long sendto_op(const struct sk *sk, const uint64_t a[6])
{
    struct sio io = {0};
    struct unix_path up = {0};
    long rc = buf_in(a[1], a[2], &io);

    if (rc == 0 && a[4])
        rc = to_in(sk, a[4], a[5], &io, &up);
    if (rc == 0)
        rc = do_send(sk, &io, (int)a[3], NULL);
    sys_unix_path_put(&io.to, &up, false);
    sio_free(&io);
    return rc;
}

long sys_sendto(const uint64_t a[6])
{
    return with_sock(a, sendto_op);
}

static long recvfrom_op(const struct sk *sk, const uint64_t a[6])
{
    struct sio io = {0};
    int mflags;
    long rc = buf_in(a[1], a[2], &io);

    if (rc == 0 && a[4]) {
        io.uname = a[4];
        rc = len_in(a[5], &io.namelen);
    }
    if (rc == 0)
        rc = do_recv(sk, &io, (int)a[3], &mflags, a[5], NULL);
    sio_free(&io);
    return rc;
}

long sys_recvfrom(const uint64_t a[6])
{
    return with_sock(a, recvfrom_op);
}

/* --- msghdr ------------------------------------------------------------------------------------ */

#define MSG_OFF_NAMELEN 8
#define MSG_OFF_CONTROLLEN 40
#define MSG_OFF_FLAGS 48

/* Decode a msghdr at umsg (Linux's copy_msghdr_from_user): the name length is cut to a
 * sockaddr_storage (negative -EINVAL), control data longer than INT_MAX is -ENOBUFS, then
 * the iovecs. Send: the name is copied in; receive: its room is noted. */
static int msg_in(const struct sk *sk, uint64_t umsg, bool recv, struct sio *io,
                  struct unix_path *up)
{
    struct linux_msghdr m;
    int rc;

    if (sys_copy_in(&m, umsg, sizeof(m)))
        return -EFAULT;
    if ((int32_t)m.msg_namelen < 0)
        return -EINVAL;
    if (m.msg_namelen > sizeof(io->name))
        m.msg_namelen = sizeof(io->name);
    if (m.msg_controllen > INT32_MAX)
        return -ENOBUFS;
    if (m.msg_iovlen > LINUX_UIO_MAXIOV)
        return -EMSGSIZE;
    io->namelen = m.msg_name ? m.msg_namelen : 0;
    io->uctl = m.msg_control;
    io->ctllen = m.msg_controllen;
    if (recv)
        io->uname = m.msg_name;
    else if (io->namelen && (rc = to_in(sk, m.msg_name, io->namelen, io, up)))
        return rc;
    return iov_in(m.msg_iov, m.msg_iovlen, io);
}

static long sendmsg_one(const struct sk *sk, uint64_t umsg, int flags)
{
    struct sio io = {0};
    struct unix_path up = {0};
    struct sock_ctl ctl = {0};
    long rc = msg_in(sk, umsg, false, &io, &up);

    if (rc == 0 && sk->k == &unix_kind)
        rc = sys_unix_ctl_in(io.uctl, io.ctllen, &ctl);
    if (rc == 0)
        rc = do_send(sk, &io, flags, sk->k == &unix_kind ? &ctl : NULL);
    sock_ctl_release(&ctl);
    sys_unix_path_put(&io.to, &up, false);
    sio_free(&io);
    return rc;
}

static long recvmsg_one(const struct sk *sk, uint64_t umsg, int flags)
{
    struct sio io = {0};
    struct sock_ctl ctl = {0};
    uint64_t used = 0;
    int mflags = 0;
    long rc = msg_in(sk, umsg, true, &io, NULL);

    if (rc == 0 && sk->k == &unix_kind)
        ctl.passcred = sys_unix_passcred(sk->s);
    if (rc == 0)
        rc = do_recv(sk, &io, flags, &mflags, umsg + MSG_OFF_NAMELEN, &ctl);
    if (rc >= 0 && sk->k == &unix_kind &&
        sys_unix_ctl_out(&ctl, io.uctl, io.ctllen, flags, &used, &mflags))
        rc = -EFAULT;
    if (rc >= 0 && (sys_copy_out(umsg + MSG_OFF_CONTROLLEN, &used, sizeof(used)) ||
                    sys_copy_out(umsg + MSG_OFF_FLAGS, &mflags, sizeof(mflags))))
        rc = -EFAULT;
    sock_ctl_release(&ctl);
    sio_free(&io);
    return rc;
}

static long sendmsg_op(const struct sk *sk, const uint64_t a[6])
{
    return sendmsg_one(sk, a[1], (int)a[2]);
}

static long recvmsg_op(const struct sk *sk, const uint64_t a[6])
{
    return recvmsg_one(sk, a[1], (int)a[2]);
}

long sys_sendmsg(const uint64_t a[6])
{
    return with_sock(a, sendmsg_op);
}

long sys_recvmsg(const uint64_t a[6])
{
    return with_sock(a, recvmsg_op);
}

/* --- sendmmsg, recvmmsg -------------------------------------------------------------------- */

#define MMSG_SIZE sizeof(struct linux_mmsghdr)
#define MMSG_OFF_LEN offsetof(struct linux_mmsghdr, msg_len)

/* Messages done so far, or the first message's error (Linux: an error after the first
 * message ends the batch and the count is returned). */
static long mmsg_result(unsigned done, long err)
{
    return done ? (long)done : err;
}

static long sendmmsg_op(const struct sk *sk, const uint64_t a[6])
{
    uint64_t vlen = a[2] > LINUX_UIO_MAXIOV ? LINUX_UIO_MAXIOV : a[2];
    unsigned done = 0;
    long rc = 0;

    for (; done < vlen; done++) {
        uint64_t um = a[1] + done * MMSG_SIZE;
        uint32_t len;

        rc = sendmsg_one(sk, um, (int)a[3]);
        if (rc < 0)
            break;
        len = (uint32_t)rc;
        if (sys_copy_out(um + MMSG_OFF_LEN, &len, sizeof(len))) {
            rc = -EFAULT;
            break;
        }
    }
    return mmsg_result(done, rc);
}

long sys_sendmmsg(const uint64_t a[6])
{
    return with_sock(a, sendmmsg_op);
}

/* recvmmsg's timeout: checked after each message (Linux's; the first wait is not bounded). */
static int mmsg_timeout(uint64_t uts, uint64_t *deadline)
{
    int64_t ts[2];

    *deadline = UINT64_MAX;
    if (!uts)
        return 0;
    if (sys_copy_in(ts, uts, sizeof(ts)))
        return -EFAULT;
    if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000)
        return -EINVAL;
    *deadline = hal_clock_ns() + (uint64_t)ts[0] * 1000000000ULL + (uint64_t)ts[1];
    return 0;
}

static long recvmmsg_op(const struct sk *sk, const uint64_t a[6])
{
    uint64_t vlen = a[2] > LINUX_UIO_MAXIOV ? LINUX_UIO_MAXIOV : a[2], deadline = UINT64_MAX;
    int flags = (int)a[3] & ~MSG_WAITFORONE;
    unsigned done = 0;
    long rc = mmsg_timeout(a[4], &deadline);

    for (; rc >= 0 && done < vlen; done++) {
        uint64_t um = a[1] + done * MMSG_SIZE;
        uint32_t len;

        rc = recvmsg_one(sk, um, flags);
        if (rc < 0)
            break;
        len = (uint32_t)rc;
        if (sys_copy_out(um + MMSG_OFF_LEN, &len, sizeof(len))) {
            rc = -EFAULT;
            break;
        }
        if ((int)a[3] & MSG_WAITFORONE)
            flags |= LINUX_MSG_DONTWAIT;
        if (hal_clock_ns() > deadline) {
            done++;
            break;
        }
    }
    return mmsg_result(done, rc);
}

long sys_recvmmsg(const uint64_t a[6])
{
    return with_sock(a, recvmmsg_op);
}
