/*
 * test_unix_sys.c - AF_UNIX through the syscalls as a program makes them (the st fixture:
 * a hosted boot per case, a process, user memory), for what the case tables cannot express:
 * control messages (SCM_RIGHTS with MSG_CMSG_CLOEXEC and MSG_CTRUNC, descriptors in flight
 * closed with an unread message, a stream read stopping after the bytes that carried them,
 * SCM_CREDENTIALS with SO_PASSCRED), abstract names and autobind (global to the host, so not
 * in the native case tables), and a transfer larger than the send buffer through nonblocking
 * sockets. Expected values were checked on the host's Linux (6.18).
 */
#include "tests/unit/syscall/st.h"

#include "core/abi/socket.h"
#include "core/lib/alloc.h"
#include "fs/file/file.h"
#include "net/sock_kind.h"
#include "net/unix_internal.h"

enum { NR_socket = 41, NR_connect = 42, NR_sendto = 44, NR_recvfrom = 45, NR_sendmsg = 46,
       NR_recvmsg = 47, NR_bind = 49, NR_getsockname = 51, NR_socketpair = 53,
       NR_setsockopt = 54, NR_pipe2 = 293, NR_rt_sigpending = 127 };

#define SCM_RIGHTS 1
#define SCM_CREDENTIALS 2
#define U_MSG (st_buf)
#define U_IOV (st_buf + 0x100)
#define U_CTL (st_buf + 0x200)
#define U_DATA (st_buf + 0x1000)
#define U_NAME (st_buf + 0x2000)
#define U_FDS (st_buf + 0x3000)
#define U_BIG (st_buf + 0x10000)

static void pair(int type, int fd[2])
{
    fd[0] = fd[1] = -1;
    if (SC(NR_socketpair, LINUX_AF_UNIX, type, 0, U_FDS) == 0)
        st_get(fd, U_FDS, 8);
}

/* A msghdr at U_MSG: one iovec of n bytes at U_DATA, control of ctllen bytes at U_CTL. */
static void put_msg(uint64_t n, uint64_t ctllen, uint64_t name, uint32_t namelen)
{
    struct linux_iovec v = {U_DATA, n};
    struct linux_msghdr m = {.msg_name = name, .msg_namelen = namelen, .msg_iov = U_IOV,
                             .msg_iovlen = 1, .msg_control = ctllen ? U_CTL : 0,
                             .msg_controllen = ctllen};

    st_put(U_IOV, &v, sizeof(v));
    st_put(U_MSG, &m, sizeof(m));
}

/* One cmsg at U_CTL: SOL_SOCKET, type, n bytes of data. */
static void put_cmsg(int type, const void *data, uint32_t n)
{
    struct linux_cmsghdr h = {sizeof(h) + n, LINUX_SOL_SOCKET, type};

    st_put(U_CTL, &h, sizeof(h));
    st_put(U_CTL + sizeof(h), data, n);
}

static long send_fds(int sock, const char *data, const int32_t *fds, unsigned n)
{
    st_put(U_DATA, data, strlen(data));
    put_cmsg(SCM_RIGHTS, fds, 4 * n);
    put_msg(strlen(data), (16 + 4 * n + 7) & ~7u, 0, 0);
    return SC(NR_sendmsg, sock, U_MSG, 0);
}

static struct linux_msghdr got_msg(void)
{
    struct linux_msghdr m;

    st_get(&m, U_MSG, sizeof(m));
    return m;
}

ST_CASE(rights_pass)
{
    int p[2], s[2], fd;
    struct linux_cmsghdr h;
    char c = 0;

    ST_EQ(SC(NR_pipe2, U_FDS + 0x10, 0), 0);
    st_get(p, U_FDS + 0x10, 8);
    pair(LINUX_SOCK_STREAM, s);
    ST_CHECK(s[0] >= 0);
    ST_EQ(send_fds(s[0], "x", &p[1], 1), 1);
    ST_EQ(SC(NR_close, p[1]), 0); /* the message holds the write end now */
    put_msg(8, 64, 0, 0);
    ST_EQ(SC(NR_recvmsg, s[1], U_MSG, LINUX_MSG_CMSG_CLOEXEC), 1);
    ST_EQ(got_msg().msg_controllen, 24); /* CMSG_SPACE(4) */
    ST_EQ(got_msg().msg_flags, 0);
    st_get(&h, U_CTL, sizeof(h));
    ST_CHECK(h.cmsg_len == 20 && h.cmsg_level == LINUX_SOL_SOCKET && h.cmsg_type == SCM_RIGHTS);
    st_get(&fd, U_CTL + 16, 4);
    ST_EQ(SC(NR_fcntl, fd, 1 /* F_GETFD */), 1);
    st_put(U_DATA, "z", 1);
    ST_EQ(SC(NR_write, fd, U_DATA, 1), 1);
    ST_EQ(SC(NR_read, p[0], U_DATA + 8, 1), 1);
    st_get(&c, U_DATA + 8, 1);
    ST_EQ(c, 'z');
    ST_EQ(SC(NR_close, fd), 0);
    ST_EQ(SC(NR_read, p[0], U_DATA + 8, 1), 0); /* the last write end went */
}

ST_CASE(rights_ctrunc_and_inflight)
{
    int p[2], s[2], fds[2], fd;

    ST_EQ(SC(NR_pipe2, U_FDS + 0x10, 0), 0);
    st_get(p, U_FDS + 0x10, 8);
    pair(LINUX_SOCK_DGRAM, s);
    fds[0] = fds[1] = p[1];
    ST_EQ(send_fds(s[0], "ab", fds, 2), 2);
    ST_EQ(send_fds(s[0], "cd", fds, 1), 2);
    ST_EQ(SC(NR_close, p[1]), 0);
    put_msg(8, 20, 0, 0); /* room for one descriptor: CMSG_LEN(4) */
    ST_EQ(SC(NR_recvmsg, s[1], U_MSG, 0), 2);
    ST_EQ(got_msg().msg_flags, LINUX_MSG_CTRUNC);
    ST_EQ(got_msg().msg_controllen, 20);
    st_get(&fd, U_CTL + 16, 4);
    ST_EQ(SC(NR_close, fd), 0);
    put_msg(8, 0, 0, 0); /* no room at all: the descriptor is closed */
    ST_EQ(SC(NR_recvmsg, s[1], U_MSG, 0), 2);
    ST_EQ(got_msg().msg_flags, LINUX_MSG_CTRUNC);
    ST_EQ(got_msg().msg_controllen, 0);
    ST_EQ(send_fds(s[0], "ef", fds, 1), -EBADF); /* closed already */
    ST_EQ(SC(NR_pipe2, U_FDS + 0x10, 0), 0);
    st_get(p, U_FDS + 0x10, 8);
    ST_EQ(send_fds(s[0], "gh", &p[1], 1), 2);
    ST_EQ(SC(NR_close, p[1]), 0);
    ST_EQ(SC(NR_close, s[0]), 0);
    ST_EQ(SC(NR_close, s[1]), 0); /* never received: the write end goes with the message */
    ST_EQ(SC(NR_read, p[0], U_DATA, 1), 0);
}

ST_CASE(rights_stream_boundary)
{
    int s[2], e;

    pair(LINUX_SOCK_STREAM, s);
    ST_CHECK(s[0] >= 0);
    e = (int)SC(NR_dup, 0);
    ST_CHECK(e >= 0);
    st_put(U_DATA, "cd", 2);
    ST_EQ(send_fds(s[0], "ab", &e, 1), 2);
    ST_EQ(SC(NR_sendto, s[0], U_DATA, 2, 0, 0, 0), 2);
    put_msg(8, 64, 0, 0);
    ST_EQ(SC(NR_recvmsg, s[1], U_MSG, 0), 2); /* stops after the bytes with descriptors */
    ST_EQ(got_msg().msg_controllen, 24);
    ST_EQ(SC(NR_recvfrom, s[1], U_DATA, 8, 0, 0, 0), 2);
    /* cmsg errors: a header longer than the control, a short one, too many descriptors */
    put_cmsg(SCM_RIGHTS, &e, 4);
    put_msg(1, 16, 0, 0);
    ST_EQ(SC(NR_sendmsg, s[0], U_MSG, 0), -EINVAL);
    st_put(U_CTL, &(uint64_t){8}, 8);
    put_msg(1, 24, 0, 0);
    ST_EQ(SC(NR_sendmsg, s[0], U_MSG, 0), -EINVAL);
    {
        int32_t many[254];

        for (int i = 0; i < 254; i++)
            many[i] = e;
        ST_EQ(send_fds(s[0], "x", many, 254), -EINVAL);
        ST_EQ(send_fds(s[0], "x", many, 253), 1);
    }
}

ST_CASE(credentials)
{
    int s[2];
    struct linux_cmsghdr h;
    int32_t cred[3], pid = (int32_t)SC(NR_getpid);

    pair(LINUX_SOCK_DGRAM, s);
    ST_CHECK(s[0] >= 0);
    st_put(U_DATA + 0x100, &(int){1}, 4);
    ST_EQ(SC(NR_setsockopt, s[1], LINUX_SOL_SOCKET, LINUX_SO_PASSCRED, U_DATA + 0x100, 4), 0);
    st_put(U_DATA, "x", 1);
    ST_EQ(SC(NR_sendto, s[0], U_DATA, 1, 0, 0, 0), 1);
    put_msg(8, 64, 0, 0);
    ST_EQ(SC(NR_recvmsg, s[1], U_MSG, 0), 1);
    ST_EQ(got_msg().msg_controllen, 32); /* CMSG_SPACE(sizeof(struct ucred)) */
    st_get(&h, U_CTL, sizeof(h));
    ST_CHECK(h.cmsg_len == 28 && h.cmsg_type == SCM_CREDENTIALS);
    st_get(cred, U_CTL + 16, 12);
    ST_CHECK(cred[0] == pid && cred[1] == 0 && cred[2] == 0);
    cred[0] = pid + 1000; /* no such process */
    put_cmsg(SCM_CREDENTIALS, cred, 12);
    put_msg(1, 32, 0, 0);
    ST_EQ(SC(NR_sendmsg, s[0], U_MSG, 0), -ESRCH);
    cred[0] = pid;
    put_cmsg(SCM_CREDENTIALS, cred, 8);
    put_msg(1, 24, 0, 0);
    ST_EQ(SC(NR_sendmsg, s[0], U_MSG, 0), -EINVAL);
}

static uint32_t sockname(long fd, uint8_t *out)
{
    uint32_t len = 110;

    st_put(U_NAME + 0x100, &len, 4);
    if (SC(NR_getsockname, fd, U_NAME, U_NAME + 0x100))
        return 0;
    st_get(&len, U_NAME + 0x100, 4);
    st_get(out, U_NAME, len < 110 ? len : 110);
    return len;
}

ST_CASE(abstract_and_autobind)
{
    static const char abs[] = "\x01\0\0petrel-test";
    long d = SC(NR_socket, LINUX_AF_UNIX, LINUX_SOCK_DGRAM, 0);
    long e = SC(NR_socket, LINUX_AF_UNIX, LINUX_SOCK_DGRAM, 0);
    long f = SC(NR_socket, LINUX_AF_UNIX, LINUX_SOCK_DGRAM, 0);
    uint8_t n[110], from[16];
    uint32_t flen = 16;

    st_put(U_DATA + 0x200, abs, sizeof(abs) - 1);
    ST_EQ(SC(NR_bind, d, U_DATA + 0x200, sizeof(abs) - 1), 0);
    ST_EQ(SC(NR_bind, f, U_DATA + 0x200, sizeof(abs) - 1), -EADDRINUSE);
    ST_EQ(sockname(d, n), sizeof(abs) - 1);
    ST_CHECK(memcmp(n, abs, sizeof(abs) - 1) == 0);
    ST_EQ(SC(NR_bind, e, U_DATA + 0x200, 2), 0); /* autobind: "\0" and five hex digits */
    ST_EQ(sockname(e, n), 8);
    ST_CHECK(n[2] == 0 && n[3] && n[7]);
    st_put(U_DATA, "hi", 2);
    ST_EQ(SC(NR_sendto, e, U_DATA, 2, 0, U_DATA + 0x200, sizeof(abs) - 1), 2);
    st_put(U_NAME + 0x200, &flen, 4);
    ST_EQ(SC(NR_recvfrom, d, U_DATA + 0x10, 8, 0, U_NAME + 0x300, U_NAME + 0x200), 2);
    st_get(&flen, U_NAME + 0x200, 4);
    st_get(from, U_NAME + 0x300, 8);
    ST_EQ(flen, 8);
    if (memcmp(from, n, 8) != 0)
        print_message("from %02x%02x%.6s n %02x%02x%.6s\n", from[0], from[1], from + 2, n[0],
                      n[1], n + 2);
    ST_CHECK(memcmp(from, n, 8) == 0);
    ST_EQ(SC(NR_close, d), 0);
    ST_EQ(SC(NR_bind, f, U_DATA + 0x200, sizeof(abs) - 1), 0); /* the name is free again */
}

/* 1 MiB through a nonblocking stream pair: partial sends and EAGAIN, every byte checked. */
ST_CASE(bulk_nonblocking)
{
    static uint8_t chunk[65536];
    const uint64_t total = 1 << 20;
    uint64_t sent = 0, got = 0;
    int s[2], eagain = 0;

    pair(LINUX_SOCK_STREAM | LINUX_SOCK_NONBLOCK, s);
    ST_CHECK(s[0] >= 0);
    while (got < total) {
        for (int k = 0; k < 4 && sent < total; k++) { /* faster than the reader: it fills */
            uint64_t n = total - sent < sizeof(chunk) ? total - sent : sizeof(chunk);

            for (uint64_t i = 0; i < n; i++)
                chunk[i] = (uint8_t)((sent + i) * 7 + 1);
            st_put(U_BIG, chunk, n);
            long r = SC(NR_sendto, s[0], U_BIG, n, 0, 0, 0);
            ST_CHECK(r > 0 || r == -EAGAIN);
            sent += r > 0 ? (uint64_t)r : 0;
            eagain += r == -EAGAIN;
        }
        long r = SC(NR_recvfrom, s[1], U_BIG + 65536, 65536, 0, 0, 0);
        ST_CHECK(r > 0 || r == -EAGAIN);
        if (r > 0) {
            st_get(chunk, U_BIG + 65536, (size_t)r);
            for (long i = 0; i < r; i++)
                ST_EQ(chunk[i], (uint8_t)((got + (uint64_t)i) * 7 + 1));
            got += (uint64_t)r;
        }
    }
    ST_EQ(got, total);
    ST_CHECK(eagain > 0); /* the send buffer filled up on the way */
}

/* EPIPE raises SIGPIPE: write(2) always, send(2) unless MSG_NOSIGNAL. */
ST_CASE(sigpipe)
{
    uint64_t block = 1ULL << 12, set = 0; /* SIGPIPE */
    int s[2];

    pair(LINUX_SOCK_SEQPACKET, s);
    ST_CHECK(s[0] >= 0);
    st_put(U_DATA + 0x100, &block, 8);
    ST_EQ(SC(NR_rt_sigprocmask, 0 /* SIG_BLOCK */, U_DATA + 0x100, 0, 8), 0);
    ST_EQ(SC(NR_close, s[1]), 0);
    st_put(U_DATA, "x", 1);
    ST_EQ(SC(NR_sendto, s[0], U_DATA, 1, LINUX_MSG_NOSIGNAL, 0, 0), -EPIPE);
    ST_EQ(SC(NR_rt_sigpending, U_DATA + 0x200, 8), 0);
    st_get(&set, U_DATA + 0x200, 8);
    ST_EQ(set & block, 0);
    ST_EQ(SC(NR_write, s[0], U_DATA, 1), -EPIPE);
    ST_EQ(SC(NR_rt_sigpending, U_DATA + 0x200, 8), 0);
    st_get(&set, U_DATA + 0x200, 8);
    ST_EQ(set & block, block);
}

/*
 * SCM_RIGHTS cycles (net/unix_gc.c): sockets that only descriptors in flight hold are freed
 * once the program's last descriptor of them closes, as Linux's collector frees them (the
 * heap back to the byte): A's descriptor queued at B and B's at A; a socket queued at
 * itself. A socket in flight to a socket the program still has survives a collection that
 * another close runs, and works once received.
 */
static void close_all(const int *fds, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        ST_EQ(SC(NR_close, fds[i]), 0);
}

static int recv_fd(int sock)
{
    int fd = -1;

    put_msg(8, 64, 0, 0);
    if (SC(NR_recvmsg, sock, U_MSG, 0) != 1)
        return -1;
    st_get(&fd, U_CTL + 16, 4);
    return fd;
}

ST_CASE(rights_gc)
{
    struct kmalloc_stats k0, k1;
    int a[2], b[2], c[2], fd;
    char ch = 0;

    /* the same calls without a cycle first (the descriptor table grows, the first SCM_RIGHTS
     * allocates), then the baseline */
    pair(LINUX_SOCK_STREAM, a);
    pair(LINUX_SOCK_DGRAM, b);
    pair(LINUX_SOCK_STREAM, c);
    fd = (int)SC(NR_dup, 0);
    ST_EQ(send_fds(a[0], "x", &b[1], 1), 1);
    close_all((int[]){a[0], a[1], b[0], b[1], c[0], c[1], fd}, 7);
    kmalloc_get_stats(&k0);

    pair(LINUX_SOCK_STREAM, a); /* A's descriptor at B, B's at A */
    pair(LINUX_SOCK_DGRAM, b);
    ST_EQ(send_fds(a[0], "x", &b[1], 1), 1);
    ST_EQ(send_fds(b[0], "y", &a[1], 1), 1);
    close_all((int[]){a[0], a[1], b[0], b[1]}, 4);
    kmalloc_get_stats(&k1);
    ST_EQ(k1.bytes_in_use, k0.bytes_in_use);

    pair(LINUX_SOCK_SEQPACKET, a); /* at itself */
    ST_EQ(send_fds(a[0], "z", &a[1], 1), 1);
    close_all(a, 2);
    kmalloc_get_stats(&k1);
    ST_EQ(k1.bytes_in_use, k0.bytes_in_use);

    pair(LINUX_SOCK_STREAM, a); /* b[0] in flight to a[1], which the program has: alive */
    pair(LINUX_SOCK_STREAM, b);
    ST_EQ(send_fds(a[0], "w", &b[0], 1), 1);
    ST_EQ(SC(NR_close, b[0]), 0);
    pair(LINUX_SOCK_STREAM, c); /* a cycle closed: the collection runs, takes c alone */
    ST_EQ(send_fds(c[0], "v", &c[1], 1), 1);
    close_all(c, 2);
    fd = recv_fd(a[1]);
    ST_CHECK(fd >= 0);
    st_put(U_DATA, "q", 1);
    ST_EQ(SC(NR_write, fd, U_DATA, 1), 1);
    ST_EQ(SC(NR_read, b[1], U_DATA + 8, 1), 1);
    st_get(&ch, U_DATA + 8, 1);
    ST_EQ(ch, 'q');
    close_all((int[]){a[0], a[1], b[1], fd}, 4);
    kmalloc_get_stats(&k1);
    ST_EQ(k1.bytes_in_use, k0.bytes_in_use);
}

/*
 * The collector also runs from sendmsg once more than UNIX_GC_TRIGGER descriptors are in
 * flight (Linux's wait_for_unix_gc): a cycle whose last outside reference went without a
 * close - here the test's own reference, taken as a syscall in progress would hold it, and
 * dropped after the descriptors closed - is freed by the send that crosses the threshold,
 * and not by the sends before it.
 */
ST_CASE(rights_gc_on_send)
{
    struct kmalloc_stats k1, k2;
    int a[2], b[2], c[2];
    int32_t many[SOCK_CTL_MAX_FILES];
    struct file *held;
    unsigned sent = 0;
    long grew_without = 0, grew_with;

    pair(LINUX_SOCK_STREAM, c); /* c[0] -> c[1] carries the pile; warm up its first send */
    for (unsigned i = 0; i < SOCK_CTL_MAX_FILES; i++)
        many[i] = 0;
    ST_EQ(send_fds(c[0], "p", many, SOCK_CTL_MAX_FILES), 1);
    sent += SOCK_CTL_MAX_FILES;

    pair(LINUX_SOCK_STREAM, a); /* a cycle: A's descriptor at B, B's at A */
    pair(LINUX_SOCK_DGRAM, b);
    ST_EQ(send_fds(a[0], "x", &b[1], 1), 1);
    ST_EQ(send_fds(b[0], "y", &a[1], 1), 1);
    ST_EQ(fd_get(&st_proc->fds, a[1], &held), 0);
    close_all((int[]){a[0], a[1], b[0], b[1]}, 4); /* collections run: a[1] is held */
    file_put(held); /* garbage now, and no close to notice */

    /* the pile grows to the threshold: each send only adds its message */
    while (sent + SOCK_CTL_MAX_FILES + 2 <= UNIX_GC_TRIGGER) {
        kmalloc_get_stats(&k1);
        ST_EQ(send_fds(c[0], "p", many, SOCK_CTL_MAX_FILES), 1);
        sent += SOCK_CTL_MAX_FILES;
        kmalloc_get_stats(&k2);
        grew_without = (long)(k2.bytes_in_use - k1.bytes_in_use);
        ST_CHECK(grew_without > 0);
    }
    ST_EQ(send_fds(c[0], "p", many, SOCK_CTL_MAX_FILES), 1); /* over: the next send collects */
    sent += SOCK_CTL_MAX_FILES;
    kmalloc_get_stats(&k1);
    ST_CHECK(unix_inflight > UNIX_GC_TRIGGER);
    ST_EQ(send_fds(c[0], "p", many, SOCK_CTL_MAX_FILES), 1);
    kmalloc_get_stats(&k2);
    grew_with = (long)(k2.bytes_in_use - k1.bytes_in_use);
    /* the cycle's two sockets, their queues and messages went: well over a message's size */
    ST_CHECK(grew_with < grew_without - 1024);
    close_all(c, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rights_pass),           cmocka_unit_test(rights_ctrunc_and_inflight),
        cmocka_unit_test(rights_stream_boundary), cmocka_unit_test(credentials),
        cmocka_unit_test(abstract_and_autobind), cmocka_unit_test(bulk_nonblocking),
        cmocka_unit_test(sigpipe),               cmocka_unit_test(rights_gc),
        cmocka_unit_test(rights_gc_on_send),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
