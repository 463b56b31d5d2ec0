/*
 * netprobe.c - a small network program for tools/tests/petrel_net_test.sh (it runs natively
 * and in Petrel):
 *
 *   netprobe addr GATEWAY          print "ip A.B.C.D": the address the stack picks to reach
 *                                  GATEWAY (a UDP connect, then getsockname)
 *   netprobe serve PORT FILE N     answer N HTTP requests on TCP PORT with FILE's bytes
 *   netprobe udpecho PORT N        send N datagrams on UDP PORT back to their senders
 *   netprobe send IP PORT BYTES    connect to IP:PORT, write BYTES pattern bytes (byte i is
 *                                  (i * 7 + (i >> 8)) & 255) and exit at once: no close
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int die(const char *what)
{
    perror(what);
    return 1;
}

static int addr(const char *gw)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9)};
    socklen_t len = sizeof(a);
    char buf[INET_ADDRSTRLEN];
    int s = socket(AF_INET, SOCK_DGRAM, 0);

    if (s < 0 || inet_pton(AF_INET, gw, &a.sin_addr) != 1)
        return die("socket");
    if (connect(s, (struct sockaddr *)&a, sizeof(a)) != 0)
        return die("connect");
    if (getsockname(s, (struct sockaddr *)&a, &len) != 0)
        return die("getsockname");
    printf("ip %s\n", inet_ntop(AF_INET, &a.sin_addr, buf, sizeof(buf)));
    return 0;
}

static int listener(int type, int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    int s = socket(AF_INET, type, 0), one = 1;

    if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(s, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        (type == SOCK_STREAM && listen(s, 16) != 0))
        return -1;
    return s;
}

/* Read the request's head (up to the blank line), then write the whole answer. */
static int answer(int c, const char *body, size_t n)
{
    char req[4096], head[128];
    size_t got = 0;
    int hl;

    while (got < sizeof(req) - 1) {
        ssize_t r = read(c, req + got, sizeof(req) - 1 - got);

        if (r <= 0)
            return -1;
        got += (size_t)r;
        req[got] = '\0';
        if (strstr(req, "\r\n\r\n"))
            break;
    }
    hl = snprintf(head, sizeof(head), "HTTP/1.0 200 OK\r\nContent-Length: %zu\r\n\r\n", n);
    if (write(c, head, (size_t)hl) != hl)
        return -1;
    for (size_t off = 0; off < n;) {
        ssize_t w = write(c, body + off, n - off);

        if (w <= 0)
            return -1;
        off += (size_t)w;
    }
    return 0;
}

static int serve(int port, const char *file, int n)
{
    struct stat st;
    char *body;
    int fd = open(file, O_RDONLY), s = listener(SOCK_STREAM, port);

    if (fd < 0 || fstat(fd, &st) != 0 || s < 0)
        return die("serve setup");
    body = malloc((size_t)st.st_size + 1);
    if (!body || read(fd, body, (size_t)st.st_size) != st.st_size)
        return die("read");
    printf("serving %s on %d\n", file, port);
    fflush(stdout);
    for (int i = 0; i < n; i++) {
        int c = accept(s, NULL, NULL);

        if (c < 0)
            return die("accept");
        if (answer(c, body, (size_t)st.st_size) != 0)
            fprintf(stderr, "netprobe: request %d failed\n", i);
        close(c);
    }
    free(body);
    return 0;
}

static int udpecho(int port, int n)
{
    int s = listener(SOCK_DGRAM, port);

    if (s < 0)
        return die("udp setup");
    printf("echoing on udp %d\n", port);
    fflush(stdout);
    for (int i = 0; i < n; i++) {
        struct sockaddr_in from;
        socklen_t flen = sizeof(from);
        char buf[2048];
        ssize_t r = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);

        if (r < 0 || sendto(s, buf, (size_t)r, 0, (struct sockaddr *)&from, flen) != r)
            return die("echo");
    }
    return 0;
}

static int send_exit(const char *ip, int port, long n)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    static unsigned char buf[65536];
    int s = socket(AF_INET, SOCK_STREAM, 0);

    if (s < 0 || inet_pton(AF_INET, ip, &a.sin_addr) != 1 ||
        connect(s, (struct sockaddr *)&a, sizeof(a)) != 0)
        return die("connect");
    for (long off = 0; off < n;) {
        long k = n - off < (long)sizeof(buf) ? n - off : (long)sizeof(buf);
        ssize_t w;

        for (long i = 0; i < k; i++)
            buf[i] = (unsigned char)((off + i) * 7 + ((off + i) >> 8));
        w = write(s, buf, (size_t)k);
        if (w <= 0)
            return die("write");
        off += w;
    }
    return 0; /* the data may still be in the kernel: exit without closing */
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "addr"))
        return addr(argv[2]);
    if (argc == 5 && !strcmp(argv[1], "serve"))
        return serve(atoi(argv[2]), argv[3], atoi(argv[4]));
    if (argc == 4 && !strcmp(argv[1], "udpecho"))
        return udpecho(atoi(argv[2]), atoi(argv[3]));
    if (argc == 5 && !strcmp(argv[1], "send"))
        return send_exit(argv[2], atoi(argv[3]), atol(argv[4]));
    fprintf(stderr, "usage: netprobe addr GW | serve PORT FILE N | udpecho PORT N | "
                    "send IP PORT BYTES\n");
    return 2;
}
