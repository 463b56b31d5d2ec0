/*
 * pipe_threads: pipes between threads. Four writers each send 300 records of PIPE_BUF bytes
 * or less with one write each; a reader checks every record arrives whole (PIPE_BUF writes
 * are atomic) and counts them per writer. A 1 MiB write into a 4 KiB pipe (F_SETPIPE_SZ)
 * blocks and completes in pieces as the reader drains (no byte lost, checksum compared);
 * the same write non-blocking returns a partial count, then EAGAIN. A writer blocked on a
 * full pipe gets EPIPE (SIGPIPE ignored) when the last reader closes; a reader blocked on an
 * empty pipe gets 0 (EOF) when the last writer closes. Output is the same natively and in
 * Petrel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WRITERS 4
#define RECORDS 300
#define BIG (1024 * 1024)

static int p[2];

/* A record of len bytes: writer id, seq, len (2 bytes), then (id + seq) & 0xff. */
static void *writer(void *arg)
{
    int id = (int)(intptr_t)arg;
    unsigned char rec[PIPE_BUF];

    for (int seq = 0; seq < RECORDS; seq++) {
        int len = 4 + (seq * 37 + id * 101) % (PIPE_BUF - 3); /* 4..PIPE_BUF */
        rec[0] = (unsigned char)id;
        rec[1] = (unsigned char)seq;
        rec[2] = (unsigned char)(len >> 8);
        memset(rec + 4, (id + seq) & 0xff, (size_t)len - 4);
        rec[3] = (unsigned char)len;
        if (write(p[1], rec, (size_t)len) != len)
            printf("writer %d: short write\n", id);
    }
    return NULL;
}

static int read_full(int fd, unsigned char *b, size_t n)
{
    size_t got = 0;

    while (got < n) {
        ssize_t r = read(fd, b + got, n - got);
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

static void atomic_records(void)
{
    pthread_t t[WRITERS];
    int count[WRITERS] = {0}, torn = 0, next[WRITERS] = {0};
    unsigned char rec[PIPE_BUF];

    pipe(p);
    for (int i = 0; i < WRITERS; i++)
        pthread_create(&t[i], NULL, writer, (void *)(intptr_t)i);
    for (int k = 0; k < WRITERS * RECORDS; k++) {
        if (read_full(p[0], rec, 4))
            break;
        int id = rec[0], seq = rec[1], len = rec[2] << 8 | rec[3];
        if (id >= WRITERS || len < 4 || len > PIPE_BUF ||
            read_full(p[0], rec + 4, (size_t)len - 4)) {
            torn++;
            break;
        }
        for (int j = 4; j < len; j++)
            if (rec[j] != ((id + seq) & 0xff)) {
                torn++;
                break;
            }
        if (seq != (next[id] & 0xff))
            torn++;
        next[id]++;
        count[id]++;
    }
    for (int i = 0; i < WRITERS; i++)
        pthread_join(t[i], NULL);
    printf("records: %d %d %d %d (of %d each), torn or out of order %d\n", count[0], count[1],
           count[2], count[3], RECORDS, torn);
    close(p[0]);
    close(p[1]);
}

static unsigned char big[BIG];

static void *big_writer(void *arg)
{
    ssize_t *r = arg;

    *r = write(p[1], big, BIG);
    return NULL;
}

static void big_write(void)
{
    pthread_t t;
    ssize_t wr = 0;
    static unsigned char in[BIG];
    size_t got = 0;
    uint32_t sum_out = 0, sum_in = 0;
    int reads = 0;

    for (int i = 0; i < BIG; i++) {
        big[i] = (unsigned char)(i * 7 + i / 4096);
        sum_out = sum_out * 31 + big[i];
    }
    pipe(p);
    printf("F_SETPIPE_SZ 4096: %d\n", fcntl(p[1], F_SETPIPE_SZ, 4096));
    pthread_create(&t, NULL, big_writer, &wr);
    while (got < BIG) {
        ssize_t r = read(p[0], in + got, 3000);
        if (r <= 0)
            break;
        got += (size_t)r;
        reads++;
    }
    pthread_join(t, NULL);
    for (size_t i = 0; i < got; i++)
        sum_in = sum_in * 31 + in[i];
    printf("1 MiB through a 4 KiB pipe: write returned %zd, read %zu bytes in more than 300 "
           "reads %d, checksums equal %d\n",
           wr, got, reads > 300, sum_in == sum_out);
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    ssize_t n1 = write(p[1], big, BIG);
    ssize_t n2 = write(p[1], big, BIG);
    printf("non-blocking 1 MiB: first write partial %d (%zd), second %s\n", n1 > 0 && n1 < BIG, n1,
           n2 < 0 && errno == EAGAIN ? "EAGAIN" : "?");
    close(p[0]);
    close(p[1]);
}

static void *close_later(void *arg)
{
    struct timespec t = {0, 50000000};

    nanosleep(&t, NULL);
    close(*(int *)arg);
    return NULL;
}

static void close_races(void)
{
    pthread_t t;
    char c;

    signal(SIGPIPE, SIG_IGN);
    pipe(p);
    fcntl(p[1], F_SETPIPE_SZ, 4096);
    pthread_create(&t, NULL, close_later, &p[0]);
    ssize_t n = write(p[1], big, 8192); /* fills 4096, then waits for a reader */
    int e = errno;
    pthread_join(t, NULL);
    printf("blocked writer, reader closed: %zd (%s)\n", n,
           n == 4096             ? "partial count"
           : n < 0 && e == EPIPE ? "EPIPE"
                                 : "?");
    n = write(p[1], "x", 1);
    printf("then write: %s\n", n < 0 && errno == EPIPE ? "EPIPE" : "?");
    close(p[1]);
    pipe(p);
    pthread_create(&t, NULL, close_later, &p[1]);
    n = read(p[0], &c, 1);
    pthread_join(t, NULL);
    printf("blocked reader, writer closed: %zd\n", n);
    close(p[0]);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    atomic_records();
    big_write();
    close_races();
    return 0;
}
