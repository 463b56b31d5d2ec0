/* fresh_read: read(2) and readv(2) from a pipe, an AF_UNIX stream and datagram socket and a
 * regular file into a freshly mmap'ed buffer whose pages were never touched (or only its
 * first page): Linux faults each page in and the read takes everything the stream holds in one
 * call. Then buffers with a hole (an unmapped page, a read-only page) in the middle: the read
 * stops at the hole and returns the bytes before it (a pipe: the whole pipe buffers before it),
 * and a read starting at the hole is EFAULT (the data stays for the next read); into a buffer
 * with no access, an empty non-blocking pipe is EAGAIN (the pipe is looked at first). Prints the
 * byte counts of each call and whether the bytes arrived intact. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "rt_check.h"

#define DATA (48 * 1024)
#define PAGE 4096

static unsigned char data[DATA];

/* A fresh anonymous mapping of n bytes; touch: how many of its first pages to write. */
static unsigned char *fresh(size_t n, int touch)
{
    unsigned char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (p == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    for (int i = 0; i < touch; i++)
        p[(size_t)i * PAGE] = 1;
    return p;
}

/* Read until DATA bytes came or a call returns <= 0; prints each call's count. */
static void drain(const char *what, int fd, unsigned char *buf, int use_readv)
{
    size_t got = 0;

    printf("%s:", what);
    while (got < DATA) {
        ssize_t r;

        if (use_readv) {
            struct iovec iov[2] = {{buf + got, (DATA - got) / 2},
                                   {buf + got + (DATA - got) / 2, DATA - got - (DATA - got) / 2}};
            r = readv(fd, iov, 2);
        } else
            r = read(fd, buf + got, DATA - got);
        if (r <= 0) {
            printf(" %zd%s", r, r < 0 ? (errno == EFAULT ? " EFAULT" : " error") : "");
            break;
        }
        printf(" %zd", r);
        got += (size_t)r;
    }
    printf(" | %s\n", got == DATA && memcmp(buf, data, DATA) == 0 ? "intact" : "DIFFERENT");
}

static void pipe_case(const char *what, int touch, size_t off, int use_readv)
{
    int p[2];
    unsigned char *buf = fresh(DATA + 2 * PAGE, touch);

    check(pipe(p) == 0, "pipe");
    check(write(p[1], data, DATA) == DATA, "pipe write");
    drain(what, p[0], buf + off, use_readv);
    close(p[0]);
    close(p[1]);
    munmap(buf, DATA + 2 * PAGE);
}

static void socket_case(const char *what, int type, int touch)
{
    int sv[2];
    unsigned char *buf = fresh(DATA + PAGE, touch);

    check(socketpair(AF_UNIX, type, 0, sv) == 0, "socketpair");
    if (type == SOCK_DGRAM) {
        int sz = 4 * DATA;
        check(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz)) == 0, "sndbuf");
    }
    check(write(sv[0], data, DATA) == DATA, "socket write");
    drain(what, sv[1], buf, 0);
    close(sv[0]);
    close(sv[1]);
    munmap(buf, DATA + PAGE);
}

static void file_case(const char *path, int touch)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    unsigned char *buf = fresh(DATA + PAGE, touch);

    check(fd >= 0, "open");
    check(write(fd, data, DATA) == DATA, "file write");
    check(lseek(fd, 0, SEEK_SET) == 0, "lseek");
    drain(touch ? "file, first page touched" : "file, untouched", fd, buf, 0);
    close(fd);
    unlink(path);
    munmap(buf, DATA + PAGE);
}

/* Three pages of buffer, the middle one unmapped or read-only: a read of 3 pages from a pipe
 * holding them gets the first page's bytes, the next read (at the hole) EFAULT, and the data
 * after the first page is still in the pipe. */
static void hole_case(const char *what, int prot, size_t off)
{
    int p[2];
    unsigned char *buf = fresh(3 * PAGE, 0), chk[3 * PAGE];
    ssize_t r;

    if (prot < 0)
        check(munmap(buf + PAGE, PAGE) == 0, "munmap");
    else
        check(mprotect(buf + PAGE, PAGE, prot) == 0, "mprotect");
    check(pipe(p) == 0, "pipe");
    check(write(p[1], data, PAGE - off) == (ssize_t)(PAGE - off), "write 1");
    check(write(p[1], data + PAGE - off, 2 * PAGE) == 2 * PAGE, "write 2");
    r = read(p[0], buf + off, 3 * PAGE - off);
    printf("%s: %zd", what, r);
    r = read(p[0], buf + PAGE, PAGE);
    printf(" %zd%s", r, r < 0 && errno == EFAULT ? " EFAULT" : "");
    r = read(p[0], chk, sizeof(chk));
    printf(" then %zd left, %s\n", r,
           r == 2 * PAGE && memcmp(chk, data + PAGE - off, 2 * PAGE) == 0 ? "intact" : "DIFFERENT");
    close(p[0]);
    close(p[1]);
    munmap(buf, 3 * PAGE);
}

/* A buffer with no access at all: the pipe is looked at first (empty and non-blocking:
 * EAGAIN), the buffer only when there is data to copy (EFAULT, the byte stays). */
static void no_access_case(void)
{
    int p[2];
    char *bad = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), c;
    ssize_t r;

    check(bad != MAP_FAILED && pipe2(p, O_NONBLOCK) == 0, "pipe2");
    r = read(p[0], bad, 10);
    printf("empty non-blocking pipe, PROT_NONE buffer: %zd %s\n", r,
           r < 0 && errno == EAGAIN ? "EAGAIN" : "other");
    check(write(p[1], "x", 1) == 1, "write");
    r = read(p[0], bad, 10);
    printf("with a byte: %zd %s", r, r < 0 && errno == EFAULT ? "EFAULT" : "other");
    r = read(p[0], &c, 1);
    printf(", then %zd '%c'\n", r, r == 1 ? c : '?');
    close(p[0]);
    close(p[1]);
    munmap(bad, PAGE);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "tmp/fresh_read.dat";

    for (size_t i = 0; i < DATA; i++)
        data[i] = (unsigned char)(i * 7 + i / 251);
    pipe_case("pipe, untouched", 0, 0, 0);
    pipe_case("pipe, first page touched", 1, 0, 0);
    pipe_case("pipe, two pages touched, unaligned", 2, 100, 0);
    pipe_case("pipe readv, first page touched", 1, 0, 1);
    socket_case("unix stream, first page touched", SOCK_STREAM, 1);
    socket_case("unix dgram, first page touched", SOCK_DGRAM, 1);
    file_case(path, 0);
    file_case(path, 1);
    hole_case("pipe, unmapped page after the first", -1, 0);
    hole_case("pipe, read-only page after the first", PROT_READ, 0);
    hole_case("pipe, unmapped page, unaligned start", -1, 100);
    no_access_case();
    printf("%s\n", fails ? "FAILED" : "done");
    return fails ? 1 : 0;
}
