/* nic_peer: the host's end of tests/runtime/progs/nic_io.c (tests/runtime/nic_run.sh runs
 * it twice: against nic_io run natively, and against nic_io in Petrel behind QEMU's user
 * networking). It always talks to 127.0.0.1: natively nic_io is there, and for Petrel QEMU's
 * slirp is (the guest's 10.0.2.2 is the host's 127.0.0.1; a hostfwd forward listens there).
 * Prints what it saw, without ports, so both runs print the same when the stacks agree.
 *
 *   nic_peer freeport               print a port free for TCP and UDP on 127.0.0.1
 *   nic_peer tcp_out <port file>    listen; write "<port> <closed port>" to the file (the
 *       closed port is bound, never listening, so a connect to it is refused); take 1 MiB to
 *       EOF, answer 300,000 bytes and close
 *   nic_peer tcp_in <port>          connect (again while refused or reset before an answer:
 *       the guest may not listen yet), send 600,000 bytes and SHUT_WR, take the answer to
 *       EOF; then connect and close at once
 *   nic_peer udp_out <port file>    echo each datagram with its bytes flipped, to "quit"
 *       (answered "bye")
 *   nic_peer udp_in <port>          "hello" every 200 ms until "ready" comes back, then
 *       datagrams of several sizes, each answer checked, and "quit"
 *
 * Gives up after 90 s (SIGALRM). The pattern is nic_io.c's. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static unsigned char pat(unsigned seed, size_t i)
{
    return (unsigned char)((i * (2 * seed + 1) + (i >> 9) + seed) & 255);
}

static void die(const char *what)
{
    fprintf(stderr, "nic_peer: %s: %s\n", what, strerror(errno));
    exit(1);
}

static struct sockaddr_in loopback(unsigned short port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static unsigned short bound_port(int fd)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);

    if (getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        die("getsockname");
    return ntohs(a.sin_port);
}

static int bind_any(int type)
{
    struct sockaddr_in a = loopback(0);
    int fd = socket(AF_INET, type, 0);

    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
        die("bind");
    return fd;
}

static void write_ports(const char *file, unsigned short a, unsigned short b)
{
    char tmp[4096];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s.tmp", file);
    f = fopen(tmp, "w");
    if (!f || fprintf(f, "%u %u\n", a, b) < 0 || fclose(f) != 0 || rename(tmp, file) != 0)
        die(file);
}

static int free_port(void)
{
    for (int tries = 0; tries < 20; tries++) {
        int t = bind_any(SOCK_STREAM), u = socket(AF_INET, SOCK_DGRAM, 0);
        struct sockaddr_in a = loopback(bound_port(t));
        int ok = bind(u, (struct sockaddr *)&a, sizeof(a)) == 0;

        close(t);
        close(u);
        if (ok) {
            printf("%u\n", ntohs(a.sin_port));
            return 0;
        }
    }
    fprintf(stderr, "nic_peer: no free port\n");
    return 1;
}

/* Read to EOF checking pattern seed; -1 on an error before the first byte. */
static long take(int fd, unsigned seed, int *bad)
{
    unsigned char buf[65536];
    long off = 0;
    ssize_t r;

    while ((r = recv(fd, buf, sizeof(buf), 0)) > 0) {
        for (ssize_t i = 0; i < r; i++)
            *bad |= buf[i] != pat(seed, (size_t)off + (size_t)i);
        off += r;
    }
    if (r < 0 && off == 0)
        return -1;
    if (r < 0)
        printf("peer: recv after %ld bytes: %s\n", off, strerror(errno));
    return off;
}

static int give(int fd, unsigned seed, size_t len)
{
    unsigned char buf[65536];

    for (size_t off = 0; off < len;) {
        size_t n = len - off < sizeof(buf) ? len - off : sizeof(buf);
        ssize_t w;

        for (size_t i = 0; i < n; i++)
            buf[i] = pat(seed, off + i);
        w = send(fd, buf, n, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        off += (size_t)w;
    }
    return 0;
}

static int tcp_out(const char *file)
{
    int l = bind_any(SOCK_STREAM), closed = bind_any(SOCK_STREAM), fd, bad = 0;
    long got;

    if (listen(l, 4) != 0)
        die("listen");
    write_ports(file, bound_port(l), bound_port(closed));
    fd = accept(l, NULL, NULL);
    if (fd < 0)
        die("accept");
    got = take(fd, 1, &bad);
    printf("peer: received %ld bytes to EOF, pattern %s\n", got, bad ? "BAD" : "ok");
    printf("peer: answer %s\n", give(fd, 2, 300000) == 0 ? "sent" : "failed");
    close(fd);
    return 0;
}

static int tcp_in(unsigned short port)
{
    struct sockaddr_in a = loopback(port);
    int fd, bad = 0;
    long got = -1;

    for (;;) {
        fd = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 && give(fd, 3, 600000) == 0 &&
            shutdown(fd, SHUT_WR) == 0) {
            got = take(fd, 4, &bad);
            if (got > 0)
                break;
        }
        close(fd); /* refused, or reset (or closed) before an answer: nobody listened yet */
        usleep(200000);
    }
    printf("peer: sent 600000 and SHUT_WR, received %ld bytes to EOF, pattern %s\n", got,
           bad ? "BAD" : "ok");
    close(fd);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
        die("second connect");
    close(fd);
    printf("peer: second connection closed at once\n");
    return 0;
}

static int udp_out(const char *file)
{
    static unsigned char buf[65536];
    int fd = bind_any(SOCK_DGRAM);

    write_ports(file, bound_port(fd), 0);
    for (;;) {
        struct sockaddr_in from;
        socklen_t len = sizeof(from);
        ssize_t r = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);

        if (r < 0)
            die("recvfrom");
        if (r == 4 && !memcmp(buf, "quit", 4)) {
            if (sendto(fd, "bye", 3, 0, (struct sockaddr *)&from, len) != 3)
                die("sendto");
            break;
        }
        printf("peer: datagram of %zd bytes\n", r);
        for (ssize_t i = 0; i < r; i++)
            buf[i] = (unsigned char)~buf[i];
        if (sendto(fd, buf, (size_t)r, 0, (struct sockaddr *)&from, len) != r)
            die("sendto");
    }
    printf("peer: quit\n");
    return 0;
}

static int udp_in(unsigned short port)
{
    static const size_t sizes[] = {1, 100, 512, 1472, 2000, 6000};
    struct sockaddr_in a = loopback(port);
    struct timeval tv = {0, 200000};
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    unsigned char buf[8000];
    ssize_t r;

    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0)
        die("connect");
    /* ECONNREFUSED (an ICMP error natively before the guest binds) is one more try */
    do {
        send(fd, "hello", 5, 0);
        r = recv(fd, buf, sizeof(buf), 0);
    } while (!(r == 5 && !memcmp(buf, "ready", 5)));
    tv.tv_sec = 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        int bad = 0;

        for (size_t i = 0; i < sizes[k]; i++)
            buf[i] = pat(k + 5, i);
        if (send(fd, buf, sizes[k], 0) != (ssize_t)sizes[k])
            die("send");
        r = recv(fd, buf, sizeof(buf), 0);
        for (ssize_t i = 0; i < r; i++)
            bad |= buf[i] != (unsigned char)~pat(k + 5, (size_t)i);
        printf("peer: sent %zu, answer %zd bytes, %s\n", sizes[k], r, bad ? "BAD" : "ok");
    }
    send(fd, "quit", 4, 0);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    alarm(90);
    if (argc == 2 && !strcmp(argv[1], "freeport"))
        return free_port();
    if (argc == 3 && !strcmp(argv[1], "tcp_out"))
        return tcp_out(argv[2]);
    if (argc == 3 && !strcmp(argv[1], "tcp_in"))
        return tcp_in((unsigned short)atoi(argv[2]));
    if (argc == 3 && !strcmp(argv[1], "udp_out"))
        return udp_out(argv[2]);
    if (argc == 3 && !strcmp(argv[1], "udp_in"))
        return udp_in((unsigned short)atoi(argv[2]));
    fprintf(stderr, "usage: nic_peer freeport | tcp_out|udp_out <port file> | "
                    "tcp_in|udp_in <port>\n");
    return 2;
}
