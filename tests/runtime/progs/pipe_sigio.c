/* pipe_sigio: signal-driven I/O on pipes and FIFOs, as Linux's pipe_read, pipe_write and
 * pipe_release signal it: every write call signals POLL_IN to the ends that read (also one
 * that wrote nothing: EAGAIN), every read call POLL_OUT to the ends that write (also EAGAIN
 * and end of file), a write or read of 0 bytes nothing, the last reader or writer leaving
 * POLL_OUT/POLL_IN to the other side; a closed end is signalled no more; FIOASYNC works on
 * both ends and plain SIGIO carries SI_KERNEL; a FIFO opened O_RDWR (argv[1], made and
 * removed here) is on both sides. */
#define _GNU_SOURCE
#include <sys/stat.h>

#include "sigio_show.h"

static char buf[1 << 17];

static void read_end(void)
{
    int p[2];

    if (pipe(p))
        return;
    printf("read end async (F_SETSIG): %d\n", sigio_on(p[0], SIGRT, 0));
    printf("O_ASYNC in F_GETFL: %d\n", !!(fcntl(p[0], F_GETFL) & O_ASYNC));
    step("set up");
    write(p[1], "a", 1);
    step("write 1");
    write(p[1], "bc", 2);
    step("write 2");
    write(p[1], "", 0);
    step("write 0");
    read(p[0], buf, 3);
    step("read 3");
    close(p[1]);
    step("close write end");
    read(p[0], buf, 1);
    step("read at end of file");
    close(p[0]);
}

static void write_end(void)
{
    int p[2], n = 0;

    if (pipe(p))
        return;
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    printf("write end async (F_SETSIG): %d\n", sigio_on(p[1], SIGRT, 0));
    step("set up");
    while (write(p[1], buf, 4096) > 0)
        n++;
    printf("filled with %d pages\n", n);
    step("fill, then EAGAIN");
    read(p[0], buf, 1);
    step("read 1");
    read(p[0], buf, 0);
    step("read 0");
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    while (read(p[0], buf, sizeof(buf)) > 0)
        ;
    step("read all, then EAGAIN");
    close(p[0]);
    step("close read end");
    printf("write with no reader: %s\n", write(p[1], "x", 1) < 0 ? strerror(errno) : "wrote");
    step("write (EPIPE)");
    close(p[1]);
}

static void plain_and_closed(void)
{
    int p[2], q[2];

    if (pipe(p) || pipe(q))
        return;
    printf("FIOASYNC read end: %d, write end: %d\n", sigio_on(p[0], 0, 1), sigio_on(p[1], 0, 1));
    printf("O_ASYNC in F_GETFL: %d %d\n", !!(fcntl(p[0], F_GETFL) & O_ASYNC),
           !!(fcntl(p[1], F_GETFL) & O_ASYNC));
    write(p[1], "x", 1);
    step("write, plain SIGIO");
    read(p[0], buf, 1);
    step("read, plain SIGIO");
    int one = 0;
    ioctl(p[0], FIOASYNC, &one);
    write(p[1], "x", 1);
    step("FIOASYNC off on the read end, write");
    /* a dup'd end shares the description: still async after the first descriptor closes */
    int d = dup(p[1]);
    close(p[1]);
    read(p[0], buf, 1);
    step("read, write end open through a dup");
    close(d);
    step("write end closed: nothing to signal");
    close(p[0]);
    close(q[0]);
    close(q[1]);
}

static void fifo(const char *path)
{
    int fd;

    unlink(path);
    if (mkfifo(path, 0600)) {
        printf("mkfifo: %s\n", strerror(errno));
        return;
    }
    fd = open(path, O_RDWR | O_NONBLOCK);
    printf("FIFO O_RDWR async: %d\n", sigio_on(fd, SIGRT, 0));
    write(fd, "ab", 2);
    step("FIFO write (it reads too)");
    read(fd, buf, 2);
    step("FIFO read (it writes too)");
    close(fd);
    unlink(path);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    /* touched first: Petrel's pipe read stops short at a destination page not yet present
     * (fs/pipe/pipe.c), and each read call is a signal, so the count would differ */
    memset(buf, 1, sizeof(buf));
    sigio_block();
    signal(SIGPIPE, SIG_IGN);
    read_end();
    write_end();
    plain_and_closed();
    fifo(argc > 1 ? argv[1] : "tmp/pipe_sigio.fifo");
    return 0;
}
