/*
 * readv_streams: readv(2) is one read over all its iovecs (Linux's ->read_iter), on streams
 * and datagram sockets:
 *   - a pipe holding exactly what the first iovec takes: readv returns at once with it (a
 *     read per iovec would wait in the second for data that never comes: timed, with an
 *     alarm as a guard);
 *   - an AF_UNIX stream socket the same;
 *   - an AF_UNIX datagram socket: one datagram scattered across the iovecs (not one datagram
 *     per iovec, each cut), the excess of a datagram larger than all of them dropped, the
 *     next datagram untouched;
 *   - a UDP datagram over loopback the same;
 *   - readv with no bytes to read: 0.
 * Prints the counts and bytes; the same natively and in Petrel.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "rt_check.h"

static void on_alarm(int sig)
{
    (void)sig;
}

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* fd holds exactly 8 bytes (its writer still open): readv of 8 + 8 returns 8 at once. */
static void exact_first(const char *what, int fd)
{
    char a[8], b[8];
    struct iovec iov[2] = {{a, sizeof(a)}, {b, sizeof(b)}};
    uint64_t t0 = now_ms();
    ssize_t r;

    alarm(3);
    r = readv(fd, iov, 2);
    alarm(0);
    printf("%s: readv %zd \"%.8s\", %s\n", what, r, a,
           now_ms() - t0 < 1500 ? "at once" : "only after waiting");
}

/* Two datagrams of 10 waiting on fd: readv of 4 + 8 takes the first whole, 4 + 4 the second
 * cut (the rest dropped), and nothing is left. */
static void datagrams(const char *what, int fd)
{
    char a[8] = {0}, b[8] = {0};
    struct iovec iov[2] = {{a, 4}, {b, 8}};
    ssize_t r = readv(fd, iov, 2);

    printf("%s: readv %zd \"%.4s\" \"%.6s\"", what, r, a, b);
    iov[1].iov_len = 4;
    r = readv(fd, iov, 2);
    printf(", then %zd \"%.4s\" \"%.4s\"", r, a, b);
    r = recv(fd, a, sizeof(a), MSG_DONTWAIT);
    printf(", then %zd left\n", r);
}

int main(void)
{
    struct sigaction sa = {.sa_handler = on_alarm};
    int p[2], sv[2], u[2];
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(addr);
    char c;
    struct iovec none[2] = {{&c, 0}, {&c, 0}};

    sigaction(SIGALRM, &sa, NULL);
    check(pipe(p) == 0, "pipe");
    check(write(p[1], "abcdefgh", 8) == 8, "pipe write");
    exact_first("pipe", p[0]);
    printf("pipe: readv of 0 bytes %zd\n", readv(p[0], none, 2));
    check(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair stream");
    check(write(sv[0], "ijklmnop", 8) == 8, "stream write");
    exact_first("unix stream", sv[1]);
    check(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "socketpair dgram");
    check(send(sv[0], "0123456789", 10, 0) == 10, "dgram send 1");
    check(send(sv[0], "ABCDEFGHIJ", 10, 0) == 10, "dgram send 2");
    datagrams("unix dgram", sv[1]);
    u[0] = socket(AF_INET, SOCK_DGRAM, 0);
    u[1] = socket(AF_INET, SOCK_DGRAM, 0);
    check(u[0] >= 0 && u[1] >= 0, "udp sockets");
    check(bind(u[1], (struct sockaddr *)&addr, sizeof(addr)) == 0, "bind");
    check(getsockname(u[1], (struct sockaddr *)&addr, &len) == 0, "getsockname");
    check(sendto(u[0], "0123456789", 10, 0, (struct sockaddr *)&addr, len) == 10, "udp 1");
    check(sendto(u[0], "ABCDEFGHIJ", 10, 0, (struct sockaddr *)&addr, len) == 10, "udp 2");
    usleep(100000); /* loopback delivery */
    datagrams("udp", u[1]);
    printf("%s\n", fails ? "FAILED" : "done");
    return fails != 0;
}
