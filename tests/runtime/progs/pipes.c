/* pipes: a pipe to itself (no threads), pipe2 flags, non-blocking EAGAIN on empty and full,
 * packet mode, F_GETPIPE_SZ/F_SETPIPE_SZ, FIONREAD, dup2 onto a pipe, EOF and EPIPE. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static char big[70000];

#define SHOW(what, expr)                                                                           \
    do {                                                                                           \
        errno = 0;                                                                                 \
        long _r = (long)(expr);                                                                    \
        printf("%s = %ld%s%s\n", what, _r, _r < 0 ? " " : "", _r < 0 ? strerror(errno) : "");    \
    } while (0)

int main(void)
{
    int p[2], q[2], n = -1;
    char buf[128] = {0};
    struct stat st;

    signal(SIGPIPE, SIG_IGN);
    SHOW("pipe", pipe(p));
    SHOW("write", write(p[1], "hello", 5));
    SHOW("FIONREAD", ioctl(p[0], FIONREAD, &n));
    printf("bytes %d\n", n);
    SHOW("read", read(p[0], buf, sizeof(buf)));
    printf("got [%s]\n", buf);
    SHOW("fstat", fstat(p[0], &st));
    printf("fifo %d mode %o\n", S_ISFIFO(st.st_mode), st.st_mode & 0777);
    SHOW("lseek", lseek(p[0], 0, SEEK_CUR));
    SHOW("pipe2 bad flags", pipe2(q, O_CREAT));
    SHOW("pipe2", pipe2(q, O_NONBLOCK | O_CLOEXEC));
    SHOW("F_GETFL r", fcntl(q[0], F_GETFL));
    SHOW("F_GETFL w", fcntl(q[1], F_GETFL));
    SHOW("F_GETFD", fcntl(q[0], F_GETFD));
    SHOW("empty read", read(q[0], buf, 1));
    SHOW("F_GETPIPE_SZ", fcntl(q[1], F_GETPIPE_SZ));
    SHOW("F_SETPIPE_SZ", fcntl(q[1], F_SETPIPE_SZ, 5000));
    SHOW("fill", write(q[1], big, sizeof(big)));
    SHOW("full write", write(q[1], big, 1));
    SHOW("F_SETPIPE_SZ busy", fcntl(q[1], F_SETPIPE_SZ, 4096));
    SHOW("drain", read(q[0], big, sizeof(big)));
    SHOW("dup2 gives its target", dup2(q[1], p[1]) == p[1]); /* fd numbers differ natively */
    SHOW("write via dup", write(p[1], "dup", 3));
    SHOW("read", read(q[0], buf, sizeof(buf)));
    SHOW("close w", close(q[1]));
    SHOW("close dup", close(p[1]));
    SHOW("eof", read(q[0], buf, sizeof(buf)));
    SHOW("close r", close(p[0]));
    SHOW("pipe2 packet", pipe2(p, O_DIRECT));
    SHOW("packets", write(p[1], big, 5000));
    SHOW("read 100", read(p[0], buf, 100));
    SHOW("read rest", read(p[0], big, sizeof(big)));
    SHOW("close r", close(p[0]));
    SHOW("epipe", write(p[1], "x", 1));
    return 0;
}
