/* splice: splice file -> pipe -> file (a 200 KB copy through a pipe, compared), tee into a
 * second pipe, a thread writing into a pipe while the main thread splices it to a file (the
 * splice waits for the data), vmsplice into and out of a pipe, SPLICE_F_NONBLOCK on an empty
 * pipe, and the errors of two files and of an offset on a pipe. argv[1]: a scratch prefix. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define SHOW(what, expr)                                                                           \
    do {                                                                                           \
        errno = 0;                                                                                 \
        long _r = (long)(expr);                                                                    \
        printf("%s = %ld%s%s\n", what, _r, _r < 0 ? " " : "", _r < 0 ? strerror(errno) : "");      \
    } while (0)

#define BIG (200 * 1024 + 123)

static char name_a[256], name_b[256];

/* a -> pipe -> b with splice, a chunk at a time; the byte count moved. */
static long copy_through_pipe(int a, int b)
{
    int p[2];
    long total = 0;

    if (pipe(p))
        return -1;
    for (;;) {
        ssize_t in = splice(a, NULL, p[1], NULL, 65536, SPLICE_F_MOVE | SPLICE_F_MORE);

        if (in <= 0)
            break;
        while (in > 0) {
            ssize_t out = splice(p[0], NULL, b, NULL, (size_t)in, SPLICE_F_MOVE);

            if (out <= 0)
                return -1;
            in -= out;
            total += out;
        }
    }
    close(p[0]);
    close(p[1]);
    return total;
}

static void big_copy(void)
{
    char *buf = malloc(BIG), *back = malloc(BIG);
    int a = open(name_a, O_CREAT | O_TRUNC | O_RDWR, 0644);
    int b = open(name_b, O_CREAT | O_TRUNC | O_RDWR, 0644);

    for (int i = 0; i < BIG; i++)
        buf[i] = (char)(i * 7 + i / 4096);
    SHOW("write source", write(a, buf, BIG));
    SHOW("rewind", lseek(a, 0, SEEK_SET));
    SHOW("copied through a pipe", copy_through_pipe(a, b));
    SHOW("read copy", pread(b, back, BIG, 0));
    printf("copy %s\n", memcmp(buf, back, BIG) == 0 ? "identical" : "DIFFERS");
    close(a);
    close(b);
    free(buf);
    free(back);
}

static int q[2];

static void *writer(void *arg)
{
    struct timespec ts = {0, 50 * 1000000};

    (void)arg;
    nanosleep(&ts, NULL);
    write(q[1], "late data", 9);
    close(q[1]);
    return NULL;
}

static void threads_and_tee(void)
{
    int f = open(name_a, O_CREAT | O_TRUNC | O_RDWR, 0644), t[2];
    char buf[32] = {0};
    loff_t off = 5;
    pthread_t th;

    pipe(q);
    pipe(t);
    pthread_create(&th, NULL, writer, NULL);
    SHOW("tee waits for the writer", tee(q[0], t[1], 100, 0));
    SHOW("splice pipe -> file at offset 5", splice(q[0], NULL, f, &off, 100, 0));
    printf("offset now %ld\n", (long)off);
    SHOW("splice at end of input", splice(q[0], NULL, f, NULL, 100, 0));
    pthread_join(th, NULL);
    SHOW("read the tee copy", read(t[0], buf, sizeof(buf) - 1));
    printf("tee copy [%s]\n", buf);
    memset(buf, 0, sizeof(buf));
    SHOW("pread file", pread(f, buf, sizeof(buf) - 1, 0));
    printf("file [%c%c%c%c%c%s]\n", buf[0] ? buf[0] : '.', buf[1] ? buf[1] : '.',
           buf[2] ? buf[2] : '.', buf[3] ? buf[3] : '.', buf[4] ? buf[4] : '.', buf + 5);
    SHOW("nonblocking splice of an empty pipe", splice(t[0], NULL, f, NULL, 8, SPLICE_F_NONBLOCK));
    SHOW("two files", splice(f, NULL, f, NULL, 8, 0));
    SHOW("offset on a pipe", splice(t[0], &off, f, NULL, 8, 0));
    close(q[0]);
    close(t[0]);
    close(t[1]);
    close(f);
}

static void vm(void)
{
    int p[2];
    char one[] = "vmsplice ", two[] = "copies";
    char a[5] = {0}, b[16] = {0};
    struct iovec in[2] = {{one, 9}, {two, 6}}, out[2] = {{a, 4}, {b, 15}};

    pipe(p);
    SHOW("vmsplice in", vmsplice(p[1], in, 2, 0));
    SHOW("vmsplice out", vmsplice(p[0], out, 2, 0));
    printf("out [%s|%s]\n", a, b);
    SHOW("vmsplice out of an empty pipe, nonblocking", vmsplice(p[0], out, 2, SPLICE_F_NONBLOCK));
    close(p[0]);
    close(p[1]);
}

int main(int argc, char **argv)
{
    const char *prefix = argc > 1 ? argv[1] : "splice";

    setvbuf(stdout, NULL, _IONBF, 0);
    snprintf(name_a, sizeof(name_a), "%s.a", prefix);
    snprintf(name_b, sizeof(name_b), "%s.b", prefix);
    big_copy();
    threads_and_tee();
    vm();
    unlink(name_a);
    unlink(name_b);
    return 0;
}
