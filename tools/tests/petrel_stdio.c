/*
 * petrel_stdio.c - a program for tools/tests/petrel_stdio_test.sh: standard-stream behaviour
 * that must be the same natively and under `petrel run`.
 *
 *   bytes N     write every byte value 0..255, N times, to stdout (binary exactness)
 *   split       interleave lines on stdout and stderr (the streams kept apart)
 *   poll        poll stdin until it is readable or hung up, count the bytes to the end,
 *               then check that poll still says so and read still returns 0
 *   sigint      print "ready", block reading stdin; a SIGINT handler prints "sigint"
 *   ignint      ignore SIGINT, print "ready", sleep 60 s
 *   mb N        write N MiB of a pattern to stdout in 1 MiB writes (throughput; the time the
 *               writes took on stderr: "mb N MiB in U us")
 *   isatty      which of 0, 1, 2 are terminals
 *   segv        write to address 0x10 (dies of SIGSEGV)
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;

    while (n) {
        ssize_t w = write(fd, c, n);
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

static int do_bytes(int n)
{
    unsigned char b[256];

    for (int i = 0; i < 256; i++)
        b[i] = (unsigned char)i;
    for (int k = 0; k < n; k++)
        if (write_all(1, b, sizeof(b)))
            return 1;
    return 0;
}

static int do_split(void)
{
    char line[64];

    for (int i = 0; i < 50; i++) {
        int n = snprintf(line, sizeof(line), "out %d\n", i);
        write_all(1, line, (size_t)n);
        n = snprintf(line, sizeof(line), "err %d\n", i);
        write_all(2, line, (size_t)n);
    }
    return 0;
}

static int do_poll(void)
{
    struct pollfd p = {0, POLLIN, 0};
    char buf[4096];
    unsigned long total = 0, sum = 0;
    int polls = 0;

    for (;;) {
        int r = poll(&p, 1, 10000);
        polls++;
        if (r != 1) {
            printf("poll returned %d (%s)\n", r, r < 0 ? strerror(errno) : "timeout");
            return 1;
        }
        ssize_t n = read(0, buf, sizeof(buf));
        if (n < 0) {
            printf("read: %s\n", strerror(errno));
            return 1;
        }
        if (n == 0)
            break;
        for (ssize_t i = 0; i < n; i++)
            sum = sum * 31 + (unsigned char)buf[i];
        total += (unsigned long)n;
    }
    int r = poll(&p, 1, 0);
    printf("bytes %lu sum %lu; at the end: poll %d revents%s%s, read %zd\n", total, sum, r,
           p.revents & POLLIN ? " IN" : "", p.revents & POLLHUP ? " HUP" : "", read(0, buf, 1));
    return polls > 0 ? 0 : 1;
}

static void on_sigint(int sig)
{
    (void)sig;
    write_all(1, "sigint\n", 7);
    _exit(0);
}

static int do_sigint(void)
{
    char c;

    signal(SIGINT, on_sigint);
    write_all(1, "ready\n", 6);
    ssize_t n = read(0, &c, 1);
    printf("read returned %zd\n", n);
    return 1;
}

static int do_mb(int n)
{
    size_t size = 1 << 20;
    char *b = malloc(size);
    struct timespec t0, t1;

    if (!b)
        return 1;
    for (size_t i = 0; i < size; i++)
        b[i] = (char)(i * 7 + i / 4096);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int k = 0; k < n; k++)
        if (write_all(1, b, size))
            return 1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* the writes alone, timed by the program: the boot's time does not dilute it */
    fprintf(stderr, "mb %d MiB in %lld us\n", n,
            (long long)(t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000);
    return 0;
}

int main(int argc, char **argv)
{
    const char *m = argc > 1 ? argv[1] : "";
    int n = argc > 2 ? atoi(argv[2]) : 1;

    if (!strcmp(m, "bytes"))
        return do_bytes(n);
    if (!strcmp(m, "split"))
        return do_split();
    if (!strcmp(m, "poll"))
        return do_poll();
    if (!strcmp(m, "sigint"))
        return do_sigint();
    if (!strcmp(m, "ignint")) {
        signal(SIGINT, SIG_IGN);
        write_all(1, "ready\n", 6);
        sleep(60);
        return 0;
    }
    if (!strcmp(m, "mb"))
        return do_mb(n);
    if (!strcmp(m, "segv")) {
        *(volatile int *)0x10 = 1;
        return 0;
    }
    if (!strcmp(m, "isatty")) {
        printf("%d%d%d\n", isatty(0), isatty(1), isatty(2));
        return 0;
    }
    fprintf(stderr, "usage: petrel_stdio bytes N|split|poll|sigint|ignint|mb N|isatty|segv\n");
    return 2;
}
