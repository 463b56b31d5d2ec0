/*
 * fuzz_sockets.c - fuzz target for the socket layer: bytes become socket syscall sequences of
 * one process, against two network stacks facing each other on a hosted wire, in virtual time.
 *
 * The world (one hosted boot per input): interface 0 is 10.0.0.1, interface 1 10.0.0.2 (both
 * /24 with IPv6 link-local addresses), the two ends of one wire; source-address routing sends
 * a packet out of the interface owning its source, so a connection between the two addresses
 * crosses the wire (the loopback serves 127.0.0.1 and ::1). The first input byte picks the
 * wire's seeded loss, duplication and reordering, and how the process ends. The rest decodes,
 * before anything runs, into calls (one byte picks the call, the next bytes its arguments):
 * socket and socketpair (AF_INET, AF_INET6, AF_UNIX, each type; always nonblocking, so no
 * call waits for ever), bind, listen, connect, accept4, sendto, recvfrom, sendmsg and recvmsg
 * (iovecs, a name, SCM_RIGHTS with descriptors), shutdown, setsockopt and getsockopt (a table
 * of the options the layer knows, values from the input), getsockname/getpeername, poll,
 * FIONREAD, dup, close, and a sleep that lets virtual time (and TCP's timers) run. Arguments
 * come from prepared sets (descriptors 3-14, -1 and huge ones, addresses of both stacks, the
 * loopback, the unspecified and unreachable ones, AF_UNIX paths and abstract names) with, now and
 * then, a raw length or a hostile pointer. The process's user memory holds the addresses, buffers,
 * msghdrs and cmsgs.
 *
 * Invariants (abort): every result is a value or -errno; no lwIP assertion fires; no call
 * reads a user byte twice; no call leaves less than FUZZ_STACK_MARGIN bytes of the kernel
 * stack unused (fuzz/driver/fuzz_kernel.h); after the process ends - with its descriptors closed by
 * proc_destroy, or as a program's exit does it (net_close_all, then net_drain), chosen by the
 * first byte - and the stack and the VFS are shut down, the kernel heap holds exactly the
 * bytes it held before: no socket, pcb, buffer or descriptor leaked.
 * Every call is nonblocking (sockets are made with SOCK_NONBLOCK, accept4 gets it, receives
 * add MSG_DONTWAIT, poll waits at most 20 ms, the console's descriptors are not offered), so
 * no call waits for ever and no watchdog is needed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/abi/ioctl.h"
#include "core/abi/poll.h"
#include "core/abi/socket.h"
#include "core/lib/alloc.h"
#include "core/mm/uaccess.h"
#include "core/proc/proc.h"
#include "core/sched/sched.h"
#include "core/syscall/syscall.h"
#include "fs/vfs/memfs.h"
#include "fs/vfs/vfs.h"
#include "fuzz/driver/fuzz_kernel.h"
#include "fuzz/driver/fuzz_target.h"
#include "hal/hal_errno.h"
#include "hal_hosted/hosted.h"
#include "lwip/ip_addr.h"
#include "net/net.h"

#define BUF_SIZE (64 * 1024ULL)
#define DATA_OFF 0x0000 /* 32 KiB of bytes to send and room to receive */
#define OUT_OFF 0x8000  /* names, option values, fds written by the kernel */
#define MSG_OFF 0xd000  /* msghdr, iovecs, cmsgs */
#define ADDR_OFF 0xf000 /* the prepared addresses, ADDR_SLOT bytes each */
#define ADDR_SLOT 128
#define MAX_CALLS 96
#define NFDS 12
#define FD0 3 /* the first descriptor a socket gets */
#define PORT0 1000
#define PORT1 1001

enum {
    SYS_READ = 0,
    SYS_WRITE = 1,
    SYS_CLOSE = 3,
    SYS_POLL = 7,
    SYS_IOCTL = 16,
    SYS_DUP = 32,
    SYS_SOCKET = 41,
    SYS_CONNECT = 42,
    SYS_SENDTO = 44,
    SYS_RECVFROM = 45,
    SYS_SENDMSG = 46,
    SYS_RECVMSG = 47,
    SYS_SHUTDOWN = 48,
    SYS_BIND = 49,
    SYS_LISTEN = 50,
    SYS_GETSOCKNAME = 51,
    SYS_GETPEERNAME = 52,
    SYS_SOCKETPAIR = 53,
    SYS_SETSOCKOPT = 54,
    SYS_GETSOCKOPT = 55,
    SYS_ACCEPT4 = 288
};

enum {
    OP_SOCKET,
    OP_SOCKETPAIR,
    OP_BIND,
    OP_LISTEN,
    OP_CONNECT,
    OP_ACCEPT,
    OP_SEND,
    OP_RECV,
    OP_SENDMSG,
    OP_RECVMSG,
    OP_SHUTDOWN,
    OP_SETSOCKOPT,
    OP_GETSOCKOPT,
    OP_GETNAME,
    OP_POLL,
    OP_IOCTL,
    OP_DUP,
    OP_CLOSE,
    OP_SLEEP,
    OP_RW,
    NOPS
};

static uint64_t ubuf;
static struct proc *proc;
static bool exit_path;

struct call {
    unsigned op;
    uint64_t a[6];
    uint64_t sleep_ns;
    uint8_t raw[24]; /* bytes an op copies into user memory when it runs (msghdr fields) */
};

static struct call calls[MAX_CALLS];
static unsigned ncalls;

/* --- the prepared addresses ---------------------------------------------------------------- */

struct addr {
    uint8_t bytes[ADDR_SLOT];
    uint32_t len;
};

static struct addr addrs[16];
#define NADDRS (sizeof(addrs) / sizeof(addrs[0]))

static void put_in(unsigned i, uint32_t ip_host, uint16_t port)
{
    struct linux_sockaddr_in s = {.sin_family = LINUX_AF_INET};

    s.sin_port = (uint16_t)(port >> 8 | port << 8);
    s.sin_addr = __builtin_bswap32(ip_host);
    memcpy(addrs[i].bytes, &s, sizeof(s));
    addrs[i].len = sizeof(s);
}

static void put_in6(unsigned i, const uint8_t ip[16], uint16_t port)
{
    struct linux_sockaddr_in6 s = {.sin6_family = LINUX_AF_INET6};

    s.sin6_port = (uint16_t)(port >> 8 | port << 8);
    memcpy(s.sin6_addr, ip, 16);
    memcpy(addrs[i].bytes, &s, sizeof(s));
    addrs[i].len = sizeof(s);
}

static void put_un(unsigned i, const char *path, uint32_t len)
{
    uint16_t fam = LINUX_AF_UNIX;

    memcpy(addrs[i].bytes, &fam, 2);
    memcpy(addrs[i].bytes + 2, path, len);
    addrs[i].len = 2 + len;
}

static void prepare_addrs(void)
{
    static const uint8_t any6[16], lo6[16] = {[15] = 1},
                                   mapped[16] = {[10] = 0xff, [11] = 0xff, 10, 0, 0, 2};
    uint16_t unspec = LINUX_AF_UNSPEC;

    memset(addrs, 0, sizeof(addrs));
    put_in(0, 0x0a000001, PORT0); /* A */
    put_in(1, 0x0a000002, PORT0); /* B */
    put_in(2, 0x0a000002, PORT1);
    put_in(3, 0x7f000001, PORT0); /* loopback */
    put_in(4, 0, 0);              /* any, any port */
    put_in(5, 0, PORT1);
    put_in6(6, lo6, PORT0);
    put_in6(7, any6, PORT0);
    put_in6(8, mapped, PORT0); /* ::ffff:10.0.0.2 */
    put_un(9, "/s0", 4);
    put_un(10, "\0a", 2); /* abstract */
    put_un(11, "\0b", 2);
    memcpy(addrs[12].bytes, &unspec, 2); /* AF_UNSPEC: UDP's disconnect */
    addrs[12].len = 16;
    put_in(13, 0x0a000009, PORT0); /* nobody answers ARP there */
    put_in(14, 0x0a000001, PORT1);
    put_un(15, "/d/s1", 6); /* no such directory */
}

/* --- decoding ----------------------------------------------------------------------------- */

/* A user pointer: mostly inside the buffer, sometimes hostile. */
static uint64_t hostile(void)
{
    static const uint64_t bad[] = {0, 0xffff800000000000ULL, 0xfffffffffffff000ULL, 0x1000};
    uint8_t b = fuzz_byte();

    return b < 200 ? bad[b % 4] : ubuf + BUF_SIZE; /* the unmapped page after the buffer */
}

/* The process starts with 0-2 (the console, whose read would wait): sockets are 3 and up. */
static uint64_t fd_arg(void)
{
    uint8_t b = fuzz_byte();

    if (b < 240)
        return FD0 + b % NFDS;
    return b < 250 ? (uint64_t)-1 : fuzz_u64() | 0x100; /* never the console */
}

/* An address and its length (a[i], a[i + 1]). */
static void addr_arg(struct call *c, unsigned i)
{
    uint8_t b = fuzz_byte();
    unsigned k = b % NADDRS;

    c->a[i] = ubuf + ADDR_OFF + (uint64_t)k * ADDR_SLOT;
    c->a[i + 1] = addrs[k].len;
    if (b >= 240)
        c->a[i + 1] = fuzz_byte() % 130; /* a raw length: short, padded or too long */
    if (b >= 250)
        c->a[i] = hostile();
}

static uint64_t len_arg(void)
{
    uint8_t b = fuzz_byte();

    if (b < 128)
        return b;
    if (b < 250)
        return (uint64_t)(b - 127) * 256;
    return b == 255 ? fuzz_u64() : 32768;
}

/* An output name buffer and its length word (a[i], a[i + 1] point into OUT_OFF). */
static void name_out(struct call *c, unsigned i, unsigned slot)
{
    uint8_t b = fuzz_byte();

    c->a[i] = b < 230 ? ubuf + OUT_OFF + 256 * (uint64_t)slot : (b < 240 ? 0 : hostile());
    c->a[i + 1] = b < 240 ? ubuf + OUT_OFF + 0x1000 + 8 * (uint64_t)slot : hostile();
    c->raw[0] = b < 200 ? 128 : fuzz_byte(); /* the length word's value */
}

static const int domains[] = {LINUX_AF_INET, LINUX_AF_INET6, LINUX_AF_UNIX};
static const int types[] = {LINUX_SOCK_STREAM, LINUX_SOCK_DGRAM, LINUX_SOCK_SEQPACKET};

struct opt {
    int level, name;
};
static const struct opt opts[] = {
    {LINUX_SOL_SOCKET, LINUX_SO_REUSEADDR},  {LINUX_SOL_SOCKET, LINUX_SO_KEEPALIVE},
    {LINUX_SOL_SOCKET, LINUX_SO_RCVBUF},     {LINUX_SOL_SOCKET, LINUX_SO_SNDBUF},
    {LINUX_SOL_SOCKET, LINUX_SO_LINGER},     {LINUX_SOL_SOCKET, LINUX_SO_ERROR},
    {LINUX_SOL_SOCKET, LINUX_SO_TYPE},       {LINUX_SOL_SOCKET, LINUX_SO_BROADCAST},
    {LINUX_SOL_SOCKET, LINUX_SO_REUSEPORT},  {LINUX_SOL_SOCKET, LINUX_SO_RCVTIMEO_OLD},
    {LINUX_SOL_SOCKET, LINUX_SO_PASSCRED},   {LINUX_SOL_SOCKET, LINUX_SO_PEERCRED},
    {LINUX_SOL_SOCKET, LINUX_SO_ACCEPTCONN}, {LINUX_IPPROTO_TCP, LINUX_TCP_NODELAY},
    {LINUX_IPPROTO_TCP, LINUX_TCP_MAXSEG},   {LINUX_IPPROTO_TCP, LINUX_TCP_CORK},
    {LINUX_IPPROTO_TCP, LINUX_TCP_KEEPIDLE}, {LINUX_IPPROTO_TCP, LINUX_TCP_KEEPINTVL},
    {LINUX_IPPROTO_TCP, LINUX_TCP_KEEPCNT},  {LINUX_IPPROTO_TCP, LINUX_TCP_INFO},
    {LINUX_IPPROTO_IP, LINUX_IP_TTL},        {LINUX_IPPROTO_IP, LINUX_IP_TOS},
    {LINUX_IPPROTO_IPV6, LINUX_IPV6_V6ONLY}, {LINUX_IPPROTO_IPV6, LINUX_IPV6_UNICAST_HOPS},
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

/* sendmsg/recvmsg: the msghdr is built when the call runs, from raw[]: name slot, iovec
 * count, control kind, descriptors for SCM_RIGHTS. */
static void decode_msg(struct call *c, bool send)
{
    c->a[0] = fd_arg();
    c->a[2] = send ? LINUX_MSG_NOSIGNAL | LINUX_MSG_DONTWAIT : LINUX_MSG_DONTWAIT;
    c->a[2] |= fuzz_byte() & (LINUX_MSG_PEEK | LINUX_MSG_TRUNC | LINUX_MSG_WAITALL |
                              LINUX_MSG_CMSG_CLOEXEC | LINUX_MSG_OOB);
    for (unsigned i = 0; i < 8; i++)
        c->raw[i] = fuzz_byte();
    c->a[1] = c->raw[7] < 250 ? ubuf + MSG_OFF : hostile();
}

static void decode_call(struct call *c)
{
    uint8_t b;

    memset(c, 0, sizeof(*c));
    c->op = fuzz_byte() % NOPS;
    switch (c->op) {
    case OP_SOCKET:
    case OP_SOCKETPAIR:
        b = fuzz_byte();
        c->a[0] = b < 250 ? (uint64_t)domains[b % 3] : fuzz_byte();
        b = fuzz_byte();
        c->a[1] = (b < 250 ? (uint64_t)types[b % 3] : fuzz_byte()) | LINUX_SOCK_NONBLOCK |
                  (b & 1 ? LINUX_SOCK_CLOEXEC : 0);
        c->a[2] = fuzz_byte() < 240 ? 0 : fuzz_byte();
        c->a[3] = ubuf + OUT_OFF + 0x1800;
        break;
    case OP_BIND:
    case OP_CONNECT:
        c->a[0] = fd_arg();
        addr_arg(c, 1);
        break;
    case OP_LISTEN:
        c->a[0] = fd_arg();
        b = fuzz_byte();
        c->a[1] = b < 250 ? b % 8 : fuzz_u64();
        break;
    case OP_ACCEPT:
        c->a[0] = fd_arg();
        name_out(c, 1, 0);
        c->a[3] = LINUX_SOCK_NONBLOCK | (fuzz_byte() & 1 ? LINUX_SOCK_CLOEXEC : 0);
        break;
    case OP_SEND:
        c->a[0] = fd_arg();
        c->a[1] = ubuf + DATA_OFF + fuzz_byte() * 64u;
        c->a[2] = len_arg();
        c->a[3] = LINUX_MSG_NOSIGNAL | LINUX_MSG_DONTWAIT | (fuzz_byte() & LINUX_MSG_OOB);
        if (fuzz_byte() < 128)
            addr_arg(c, 4);
        break;
    case OP_RECV:
        c->a[0] = fd_arg();
        c->a[1] = fuzz_byte() < 250 ? ubuf + DATA_OFF + 0x4000 : hostile();
        c->a[2] = len_arg();
        c->a[3] = LINUX_MSG_DONTWAIT |
                  (fuzz_byte() & (LINUX_MSG_PEEK | LINUX_MSG_TRUNC | LINUX_MSG_WAITALL));
        if (fuzz_byte() < 128)
            name_out(c, 4, 1);
        break;
    case OP_SENDMSG:
    case OP_RECVMSG:
        decode_msg(c, c->op == OP_SENDMSG);
        break;
    case OP_SHUTDOWN:
        c->a[0] = fd_arg();
        c->a[1] = fuzz_byte() % 4;
        break;
    case OP_SETSOCKOPT:
    case OP_GETSOCKOPT:
        c->a[0] = fd_arg();
        b = fuzz_byte();
        c->a[1] = opts[b % NOPTS].level;
        c->a[2] = opts[b % NOPTS].name;
        c->a[3] = ubuf + OUT_OFF + 0x2000;
        c->a[4] = c->op == OP_SETSOCKOPT ? (fuzz_byte() < 200 ? 4u : fuzz_byte() % 80u)
                                         : ubuf + OUT_OFF + 0x2100;
        for (unsigned i = 0; i < 8; i++) /* the value (set) or the length word (get) */
            c->raw[i] = fuzz_byte();
        if (c->op == OP_GETSOCKOPT && c->raw[7] < 200)
            c->raw[0] = 128, c->raw[1] = c->raw[2] = c->raw[3] = 0;
        break;
    case OP_GETNAME:
        c->a[0] = fd_arg();
        c->a[5] = fuzz_byte() & 1; /* peer */
        name_out(c, 1, 2);
        break;
    case OP_POLL:
        c->a[0] = ubuf + OUT_OFF + 0x3000;
        c->a[1] = fuzz_byte() % 6;
        c->a[2] = fuzz_byte() % 3 * 10; /* ms, virtual */
        for (unsigned i = 0; i < 6; i++)
            c->raw[i] = fuzz_byte();
        break;
    case OP_IOCTL:
        c->a[0] = fd_arg();
        c->a[1] = fuzz_byte() & 1 ? LINUX_FIONREAD : 0x5411; /* TIOCOUTQ (SIOCOUTQ) */
        c->a[2] = fuzz_byte() < 240 ? ubuf + OUT_OFF + 0x3800 : hostile();
        break;
    case OP_DUP:
    case OP_CLOSE:
        c->a[0] = fd_arg();
        break;
    case OP_SLEEP:
        b = fuzz_byte();
        c->sleep_ns = b < 200 ? (uint64_t)b * 10000000ULL : (uint64_t)(b - 199) * 5000000000ULL;
        break;
    case OP_RW:
        c->a[0] = fd_arg();
        c->a[1] = fuzz_byte() & 1;
        c->a[2] = len_arg();
        break;
    }
}

static void decode(void)
{
    uint8_t world = fuzz_byte();
    unsigned n = 0;

    exit_path = world & 4;
    while (n < MAX_CALLS && fuzz_more())
        decode_call(&calls[n++]);
    ncalls = n;
}

/* --- running ------------------------------------------------------------------------------- */

static void poke(uint64_t off, const void *p, size_t n)
{
    if (copy_to_user(uptr_make(ubuf + off), p, n))
        fuzz_broken("copy_to_user", (long)off);
}

/* The msghdr of a sendmsg/recvmsg call, from raw[]: 0 name slot (>= NADDRS: none), 1 iovec
 * count (0-4; 255: UIO_MAXIOV + 1), 2 control kind, 3-6 descriptors for SCM_RIGHTS. */
static void build_msg(const struct call *c, bool send)
{
    struct linux_msghdr m = {0};
    struct linux_iovec iov[4];
    uint8_t ctl[64] = {0};
    struct linux_cmsghdr *h = (void *)ctl;
    unsigned niov = c->raw[1] == 255 ? LINUX_UIO_MAXIOV + 1 : c->raw[1] % 5;

    for (unsigned i = 0; i < 4; i++) {
        iov[i].iov_base = ubuf + DATA_OFF + (send ? 0 : 0x4000) + 0x1000 * (uint64_t)i;
        iov[i].iov_len = (uint64_t)(c->raw[2 + i % 2] % 64) * 64;
    }
    poke(MSG_OFF + 0x100, iov, sizeof(iov));
    m.msg_iov = ubuf + MSG_OFF + 0x100;
    m.msg_iovlen = niov;
    if (c->raw[0] % 20 < NADDRS) {
        unsigned k = c->raw[0] % 20;

        m.msg_name = ubuf + (send ? ADDR_OFF + (uint64_t)k * ADDR_SLOT : OUT_OFF + 0x400);
        m.msg_namelen = send ? addrs[k].len : 128;
    }
    switch (c->raw[4] % 4) {
    case 0:
        break;
    case 1: /* SCM_RIGHTS with one to three descriptors */
    case 2: {
        unsigned n = 1 + c->raw[5] % 3;
        int32_t fds[3] = {FD0 + c->raw[6] % NFDS, FD0 + c->raw[6] / NFDS % NFDS,
                          FD0 + c->raw[5] / 3 % NFDS};

        h->cmsg_len = sizeof(*h) + 4 * n;
        h->cmsg_level = LINUX_SOL_SOCKET;
        h->cmsg_type = 1;
        memcpy(ctl + sizeof(*h), fds, 4 * n);
        m.msg_control = ubuf + MSG_OFF + 0x200;
        m.msg_controllen = send ? (sizeof(*h) + 4 * n + 7) & ~7ull : sizeof(ctl);
        break;
    }
    default: /* a malformed one */
        h->cmsg_len = c->raw[5];
        h->cmsg_level = c->raw[6] & 1 ? LINUX_SOL_SOCKET : c->raw[6];
        h->cmsg_type = c->raw[3] % 4;
        m.msg_control = ubuf + MSG_OFF + 0x200;
        m.msg_controllen = c->raw[6] % 72;
        break;
    }
    poke(MSG_OFF + 0x200, ctl, sizeof(ctl));
    poke(MSG_OFF, &m, sizeof(m));
}

static void build_poll(const struct call *c)
{
    struct linux_pollfd {
        int32_t fd;
        int16_t events, revents;
    } p[6];

    for (unsigned i = 0; i < 6; i++) {
        p[i].fd = c->raw[i] ? FD0 - 1 + c->raw[i] % (NFDS + 1) : -1;
        p[i].events = (int16_t)(LINUX_POLLIN | LINUX_POLLOUT | (c->raw[i] & 0x2000));
        p[i].revents = 0;
    }
    poke(OUT_OFF + 0x3000, p, sizeof(p));
}

/* The syscall of each op (OP_SLEEP has none; OP_GETNAME, OP_SENDMSG/RECVMSG, OP_RW and the
 * option calls pick between two in nr_of). */
static const uint16_t op_nr[NOPS] = {
    [OP_SOCKET] = SYS_SOCKET,
    [OP_SOCKETPAIR] = SYS_SOCKETPAIR,
    [OP_BIND] = SYS_BIND,
    [OP_LISTEN] = SYS_LISTEN,
    [OP_CONNECT] = SYS_CONNECT,
    [OP_ACCEPT] = SYS_ACCEPT4,
    [OP_SEND] = SYS_SENDTO,
    [OP_RECV] = SYS_RECVFROM,
    [OP_SENDMSG] = SYS_SENDMSG,
    [OP_RECVMSG] = SYS_RECVMSG,
    [OP_SHUTDOWN] = SYS_SHUTDOWN,
    [OP_SETSOCKOPT] = SYS_SETSOCKOPT,
    [OP_GETSOCKOPT] = SYS_GETSOCKOPT,
    [OP_GETNAME] = SYS_GETSOCKNAME,
    [OP_POLL] = SYS_POLL,
    [OP_IOCTL] = SYS_IOCTL,
    [OP_DUP] = SYS_DUP,
    [OP_CLOSE] = SYS_CLOSE,
    [OP_RW] = SYS_READ,
};

/* What a call needs in user memory before it runs (written fresh each time). Kept out of
 * run_call so that the frame below the syscall stays small: the kernel stacks are 16 KiB,
 * and sanitizer builds at -O0 make big frames. */
static __attribute__((noinline)) void prepare(struct call *c)
{
    uint32_t w = c->raw[0];

    switch (c->op) {
    case OP_ACCEPT:
        poke(OUT_OFF + 0x1000, &w, 4);
        break;
    case OP_RECV:
        poke(OUT_OFF + 0x1008, &w, 4);
        break;
    case OP_GETNAME:
        poke(OUT_OFF + 0x1010, &w, 4);
        c->a[3] = c->a[5]; /* peer: getpeername */
        break;
    case OP_SENDMSG:
    case OP_RECVMSG:
        build_msg(c, c->op == OP_SENDMSG);
        break;
    case OP_SETSOCKOPT:
    case OP_GETSOCKOPT:
        poke(c->op == OP_SETSOCKOPT ? OUT_OFF + 0x2000 : OUT_OFF + 0x2100, c->raw, 8);
        break;
    case OP_POLL:
        build_poll(c);
        break;
    case OP_RW: /* read(2) or write(2) on whatever the descriptor is */
        c->a[3] = c->a[1];
        c->a[1] = ubuf + DATA_OFF + (c->a[3] ? 0 : 0x4000);
        break;
    default:
        break;
    }
}

static uint64_t nr_of(const struct call *c)
{
    if (c->op == OP_GETNAME && c->a[3])
        return SYS_GETPEERNAME;
    if (c->op == OP_RW && c->a[3])
        return SYS_WRITE;
    return op_nr[c->op];
}

static long run_call(struct call *c)
{
    if (c->op == OP_SLEEP) {
        sched_sleep_ns(c->sleep_ns);
        return 0;
    }
    prepare(c);
    return ksys_call(nr_of(c), c->a[0], c->a[1], c->a[2],
                     c->op == OP_GETNAME || c->op == OP_RW ? 0 : c->a[3], c->a[4], c->a[5]);
}

static void check_stack(const char *when)
{
    struct net_stats st;

    net_get_stats(&st);
    if (st.asserts)
        fuzz_broken(when, (long)st.asserts);
}

static const char *const op_names[NOPS] = {
    "socket",   "socketpair", "bind",    "listen",   "connect",    "accept4",    "sendto",
    "recvfrom", "sendmsg",    "recvmsg", "shutdown", "setsockopt", "getsockopt", "getname",
    "poll",     "ioctl",      "dup",     "close",    "sleep",      "read/write"};

static void run_calls(void)
{
    bool verbose = getenv("FUZZ_SOCKETS_VERBOSE") != NULL; /* for writing seeds */

    for (unsigned i = 0; i < ncalls; i++) {
        uint64_t before = sys_double_fetches();
        long rc;

        fuzz_stack_paint();
        rc = run_call(&calls[i]);
        fuzz_stack_check(op_names[calls[i].op]);

        if (verbose)
            fprintf(stderr, "fuzz_sockets: %2u %-10s %#llx %#llx %#llx %#llx -> %ld\n", i,
                    op_names[calls[i].op], (unsigned long long)calls[i].a[0],
                    (unsigned long long)calls[i].a[1], (unsigned long long)calls[i].a[2],
                    (unsigned long long)calls[i].a[3], rc);
        if (rc < -4095)
            fuzz_broken("result out of range", rc);
        if (sys_double_fetches() != before)
            fuzz_broken("double fetch", (long)calls[i].op);
        check_stack("lwIP assertion");
    }
}

/* --- the world ------------------------------------------------------------------------------ */

static int add_ifs(void)
{
    for (unsigned d = 0; d < 2; d++) {
        struct net_if_config cfg = {.ipv6 = true, .mask4 = PP_HTONL(0xffffff00u)};

        cfg.ip4 = PP_HTONL(0x0a000001u + d);
        if (net_if_add(d, &cfg, NULL) != 0)
            return -1;
    }
    return 0;
}

static void setup_process(void)
{
    ubuf = fuzz_process(&proc, BUF_SIZE);
    for (unsigned i = 0; i < NADDRS; i++)
        poke(ADDR_OFF + (uint64_t)i * ADDR_SLOT, addrs[i].bytes, ADDR_SLOT);
    for (unsigned i = 0; i < 0x4000; i += 64) {
        uint8_t pat[64];

        for (unsigned k = 0; k < 64; k++)
            pat[k] = (uint8_t)(i + k);
        poke(DATA_OFF + i, pat, 64);
    }
}

static int fuzz_entry(void *arg)
{
    struct kmalloc_stats k0, k1;
    int rc;

    (void)arg;
    vfs_init();
    kmalloc_get_stats(&k0);
    if (memfs_mount(NULL, "/", NULL, NULL) || vfs_mkdirat(NULL, "/d0", 0755))
        fuzz_broken("memfs", 0);
    if (net_init() || add_ifs())
        fuzz_broken("net_init", 0);
    prepare_addrs();
    setup_process();
    decode();
    run_calls();
    if (exit_path) { /* as proc_exit: the sockets close as close(2), the drain waits */
        net_close_all();
        (void)net_drain(2000000000ULL);
    }
    proc_detach(NULL);
    proc_destroy(proc);
    proc = NULL;
    check_stack("lwIP assertion at the end");
    rc = net_shutdown();
    if (rc)
        fuzz_broken("net_shutdown: lwIP still held memory", rc);
    rc = vfs_shutdown();
    if (rc)
        fuzz_broken("vfs_shutdown", rc);
    kmalloc_get_stats(&k1);
    if (k1.bytes_in_use != k0.bytes_in_use)
        fuzz_broken("kernel heap bytes leaked (sockets, pcbs, descriptors)",
                    (long)(k1.bytes_in_use - k0.bytes_in_use));
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hosted_config c;
    uint8_t world = size ? data[0] : 0;

    memset(&c, 0, sizeof(c));
    c.ram_bytes = 64u << 20;
    c.has_seed = true;
    c.seed = 1;
    c.entry = fuzz_entry;
    c.nwires = 1;
    c.wire[0].queue_depth = 256;
    if (world & 1)
        c.wire[0].loss_pct = 10;
    if (world & 2)
        c.wire[0].dup_pct = 5, c.wire[0].reorder_pct = 10;
    fuzz_input("fuzz_sockets", data, size);
    fuzz_boot(&c);
    return 0;
}
