/* nic_io: TCP and UDP with a peer on another machine, run natively against the host peer over
 * the host's own stack (127.0.0.1) and in Petrel through the virtio NIC (QEMU user
 * networking: the host is 10.0.2.2, or a hostfwd forward reaches the guest). The peer is
 * tests/runtime/peers/nic_peer.c, started by tests/runtime/nic_run.sh, which compares both
 * runs' outputs (this program's and the peer's).
 *
 *   nic_io tcp_out <host> <port> <closed port>  connect out: a refused connect, a nonblocking
 *       connect, 1 MiB sent then SHUT_WR, the peer's answer with MSG_PEEK and MSG_WAITALL,
 *       EOF (twice) and poll's view of a connection shut both ways
 *   nic_io tcp_in <addr> <port>    a listener the peer connects to: poll on the listener,
 *       accept4's flags, TCP_NODELAY, 600,000 bytes in to EOF, 400,000 out, SHUT_WR; then a
 *       second connection the peer closes at once
 *   nic_io udp_out <host> <port>   datagrams to an echo peer: sizes up to a fragmented one,
 *       truncation (with and without MSG_TRUNC), MSG_PEEK and FIONREAD, a connected socket,
 *       "quit" answered with "bye"
 *   nic_io udp_in <addr> <port>    a bound socket the peer sends to: recvmsg's MSG_TRUNC
 *       flag, answers to the sender's address, a fragmented datagram in
 *
 * Prints no address or port (they differ between the runs by design), only what both stacks
 * must agree on. Payloads are a pattern the peer checks byte for byte. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rt_check.h"

static const char *ename(int e)
{
    switch (e) {
    case ECONNREFUSED: return "ECONNREFUSED";
    case EINPROGRESS: return "EINPROGRESS";
    case EAGAIN: return "EAGAIN";
    case ENOTCONN: return "ENOTCONN";
    case EPIPE: return "EPIPE";
    case ECONNRESET: return "ECONNRESET";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EHOSTUNREACH: return "EHOSTUNREACH";
    default: return "other";
    }
}

/* Byte i of pattern `seed` (the peer computes the same). */
static unsigned char pat(unsigned seed, size_t i)
{
    return (unsigned char)((i * (2 * seed + 1) + (i >> 9) + seed) & 255);
}

static struct sockaddr_in addr_of(const char *host, const char *port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(port))};

    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
        printf("bad address %s\n", host);
        exit(2);
    }
    return a;
}

static void set_nonblock(int fd, int on)
{
    int fl = fcntl(fd, F_GETFL);

    fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

/* Send len bytes of pattern seed in writes of varied sizes. */
static size_t send_pattern(int fd, unsigned seed, size_t len)
{
    static const size_t steps[] = {1, 7, 1000, 1460, 65536, 4096, 100000, 3};
    unsigned char buf[100000];
    size_t off = 0;

    for (unsigned k = 0; off < len; k++) {
        size_t n = steps[k % 8] < len - off ? steps[k % 8] : len - off;
        ssize_t w;

        for (size_t i = 0; i < n; i++)
            buf[i] = pat(seed, off + i);
        w = send(fd, buf, n, MSG_NOSIGNAL);
        if (w <= 0) {
            printf("send at %zu: %s\n", off, w < 0 ? ename(errno) : "0");
            return off;
        }
        off += (size_t)w;
    }
    return off;
}

/* Read to EOF from offset `off` of pattern seed; returns the bytes read, *bad set on a
 * mismatch. */
static size_t recv_pattern(int fd, unsigned seed, size_t off, int *bad)
{
    unsigned char buf[70000];
    size_t start = off;
    ssize_t r;

    while ((r = recv(fd, buf, sizeof(buf), 0)) > 0) {
        for (ssize_t i = 0; i < r; i++)
            if (buf[i] != pat(seed, off + (size_t)i))
                *bad = 1;
        off += (size_t)r;
    }
    if (r < 0)
        printf("recv at %zu: %s\n", off, ename(errno));
    return off - start;
}

static void show_poll(const char *what, int fd, short events)
{
    struct pollfd p = {.fd = fd, .events = events};
    int n = poll(&p, 1, 20000);

    printf("%s: poll %d%s%s%s%s%s\n", what, n, p.revents & POLLIN ? " POLLIN" : "",
           p.revents & POLLOUT ? " POLLOUT" : "", p.revents & POLLRDHUP ? " POLLRDHUP" : "",
           p.revents & POLLHUP ? " POLLHUP" : "", p.revents & POLLERR ? " POLLERR" : "");
}

static void tcp_out(const char *host, const char *port, const char *closed)
{
    struct sockaddr_in a = addr_of(host, closed), name;
    socklen_t len = sizeof(name);
    int fd = socket(AF_INET, SOCK_STREAM, 0), err = -1, bad = 0;
    unsigned char peek[10], got[10], *big = malloc(100000);
    ssize_t r;

    r = connect(fd, (struct sockaddr *)&a, sizeof(a));
    printf("connect to a closed port: %zd %s\n", r, r < 0 ? ename(errno) : "");
    close(fd);

    a = addr_of(host, port);
    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    r = connect(fd, (struct sockaddr *)&a, sizeof(a));
    printf("nonblocking connect: %s\n", r == 0 || errno == EINPROGRESS ? "started" : ename(errno));
    show_poll("connecting", fd, POLLOUT);
    check(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0, "SO_ERROR");
    printf("SO_ERROR %d\n", err);
    set_nonblock(fd, 0);
    len = sizeof(name);
    check(getpeername(fd, (struct sockaddr *)&name, &len) == 0, "getpeername");
    printf("peer port as connected: %s\n", name.sin_port == a.sin_port ? "yes" : "no");

    printf("sent %zu\n", send_pattern(fd, 1, 1 << 20));
    check(shutdown(fd, SHUT_WR) == 0, "shutdown");
    /* the peer answers only after our EOF: the first bytes may be waited for */
    r = recv(fd, peek, sizeof(peek), MSG_PEEK | MSG_WAITALL);
    check(recv(fd, got, sizeof(got), MSG_WAITALL) == 10, "recv 10");
    printf("peek %zd, same bytes as the read: %s\n", r, memcmp(peek, got, 10) ? "no" : "yes");
    r = recv(fd, big, 100000, MSG_WAITALL);
    printf("MSG_WAITALL 100000: %zd\n", r);
    for (ssize_t i = 0; i < 10; i++)
        bad |= got[i] != pat(2, (size_t)i);
    for (ssize_t i = 0; i < r; i++)
        bad |= big[i] != pat(2, 10 + (size_t)i);
    printf("received %zu in all, pattern %s\n", 10 + (size_t)r + recv_pattern(fd, 2, 10 + r, &bad),
           bad ? "BAD" : "ok");
    printf("recv after EOF: %zd\n", recv(fd, got, sizeof(got), 0));
    show_poll("shut both ways", fd, POLLIN | POLLOUT | POLLRDHUP);
    free(big);
    close(fd);
}

static void tcp_in(const char *host, const char *port)
{
    struct sockaddr_in a = addr_of(host, port);
    int l = socket(AF_INET, SOCK_STREAM, 0), one = 1, v = -1, fd, bad = 0;
    socklen_t len = sizeof(v);
    char c;

    check(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0, "SO_REUSEADDR");
    check(bind(l, (struct sockaddr *)&a, sizeof(a)) == 0, "bind");
    check(listen(l, 4) == 0, "listen");
    fflush(stdout);
    show_poll("listener", l, POLLIN);
    fd = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    check(fd >= 0, "accept4");
    printf("accepted: O_NONBLOCK %d FD_CLOEXEC %d\n", !!(fcntl(fd, F_GETFL) & O_NONBLOCK),
           !!(fcntl(fd, F_GETFD) & FD_CLOEXEC));
    set_nonblock(fd, 0);
    check(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len) == 0, "TCP_NODELAY");
    printf("TCP_NODELAY %d", v);
    check(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0, "set TCP_NODELAY");
    check(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len) == 0, "TCP_NODELAY");
    printf(", then %d\n", v);
    printf("received %zu", recv_pattern(fd, 3, 0, &bad));
    printf(", pattern %s\n", bad ? "BAD" : "ok");
    printf("sent %zu\n", send_pattern(fd, 4, 400000));
    check(shutdown(fd, SHUT_WR) == 0, "shutdown");
    printf("recv after both EOFs: %zd\n", recv(fd, &c, 1, 0));
    close(fd);

    fd = accept(l, NULL, NULL);
    check(fd >= 0, "accept");
    printf("second connection: recv %zd\n", recv(fd, &c, 1, 0));
    close(fd);
    close(l);
}

/* One datagram of n bytes of pattern seed to the echo peer and its answer back (the peer
 * flips every byte): prints what came back. */
static void udp_echo(int fd, const struct sockaddr_in *peer, size_t n, unsigned seed)
{
    static unsigned char buf[65536];
    struct sockaddr_in from;
    socklen_t len = sizeof(from);
    int bad = 0;
    ssize_t r;

    for (size_t i = 0; i < n; i++)
        buf[i] = pat(seed, i);
    r = sendto(fd, buf, n, 0, (const struct sockaddr *)peer, sizeof(*peer));
    check(r == (ssize_t)n, "sendto");
    r = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
    for (ssize_t i = 0; i < r; i++)
        bad |= buf[i] != (unsigned char)~pat(seed, (size_t)i);
    printf("datagram %zu: answer %zd bytes, %s, from the peer: %s\n", n, r, bad ? "BAD" : "ok",
           from.sin_port == peer->sin_port && from.sin_addr.s_addr == peer->sin_addr.s_addr
               ? "yes"
               : "no");
}

static void udp_out(const char *host, const char *port)
{
    static const size_t sizes[] = {1, 100, 1472, 1473, 3000, 8000};
    struct sockaddr_in a = addr_of(host, port);
    int fd = socket(AF_INET, SOCK_DGRAM, 0), n = -1;
    unsigned char buf[2000];
    ssize_t r;

    for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        udp_echo(fd, &a, sizes[i], i);
    /* truncation: the rest of a datagram is dropped, the next one is whole */
    memset(buf, 'x', sizeof(buf));
    sendto(fd, buf, 1000, 0, (struct sockaddr *)&a, sizeof(a));
    sendto(fd, buf, 10, 0, (struct sockaddr *)&a, sizeof(a));
    printf("1000 into 100: %zd\n", recv(fd, buf, 100, 0));
    printf("then: %zd\n", recv(fd, buf, sizeof(buf), 0));
    sendto(fd, buf, 500, 0, (struct sockaddr *)&a, sizeof(a));
    printf("500 into 50 with MSG_TRUNC: %zd\n", recv(fd, buf, 50, MSG_TRUNC));
    sendto(fd, buf, 20, 0, (struct sockaddr *)&a, sizeof(a));
    sendto(fd, buf, 30, 0, (struct sockaddr *)&a, sizeof(a));
    printf("peek: %zd\n", recv(fd, buf, sizeof(buf), MSG_PEEK));
    check(ioctl(fd, FIONREAD, &n) == 0, "FIONREAD");
    printf("FIONREAD %d\n", n);
    printf("read: %zd\n", recv(fd, buf, sizeof(buf), 0));
    printf("read: %zd\n", recv(fd, buf, sizeof(buf), 0));
    r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    printf("empty: %zd %s\n", r, r < 0 ? ename(errno) : "");
    /* a connected socket: send and recv */
    check(connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0, "connect");
    check(send(fd, buf, 33, 0) == 33, "send");
    printf("connected: %zd\n", recv(fd, buf, sizeof(buf), 0));
    /* and the end, answered: a datagram sent just before exit may not leave Petrel's VM (the
     * VM ends without waiting for the NIC's transmit queue; docs/CAVEATS.md) */
    check(send(fd, "quit", 4, 0) == 4, "send quit");
    r = recv(fd, buf, sizeof(buf), 0);
    printf("peer's last answer: %s\n", r == 3 && !memcmp(buf, "bye", 3) ? "bye" : "other");
    close(fd);
}

static void udp_in(const char *host, const char *port)
{
    struct sockaddr_in a = addr_of(host, port), from;
    int fd = socket(AF_INET, SOCK_DGRAM, 0), ready = 0;
    unsigned char buf[4000];

    check(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0, "bind");
    fflush(stdout);
    for (;;) {
        struct iovec iov = {buf, 512};
        struct msghdr m = {.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
                           .msg_iovlen = 1};
        ssize_t r = recvmsg(fd, &m, 0);

        if (r < 0) {
            printf("recvmsg: %s\n", ename(errno));
            break;
        }
        /* the peer says hello until it hears from us (the first may find no socket yet) */
        if (r == 5 && !memcmp(buf, "hello", 5)) {
            if (!ready++)
                sendto(fd, "ready", 5, 0, (struct sockaddr *)&from, m.msg_namelen);
            continue;
        }
        if (r == 4 && !memcmp(buf, "quit", 4))
            break;
        printf("datagram: %zd bytes%s\n", r, m.msg_flags & MSG_TRUNC ? ", MSG_TRUNC" : "");
        for (ssize_t i = 0; i < r; i++)
            buf[i] = (unsigned char)~buf[i];
        sendto(fd, buf, (size_t)r, 0, (struct sockaddr *)&from, m.msg_namelen);
    }
    close(fd);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc == 5 && !strcmp(argv[1], "tcp_out"))
        tcp_out(argv[2], argv[3], argv[4]);
    else if (argc == 4 && !strcmp(argv[1], "tcp_in"))
        tcp_in(argv[2], argv[3]);
    else if (argc == 4 && !strcmp(argv[1], "udp_out"))
        udp_out(argv[2], argv[3]);
    else if (argc == 4 && !strcmp(argv[1], "udp_in"))
        udp_in(argv[2], argv[3]);
    else {
        printf("usage: nic_io tcp_out|tcp_in|udp_out|udp_in <address> <port> [closed port]\n");
        return 2;
    }
    printf("%d failures\n", fails);
    return fails != 0;
}
