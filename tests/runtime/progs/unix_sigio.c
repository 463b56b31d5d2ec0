/* unix_sigio: signal-driven I/O on AF_UNIX sockets, as Linux's af_unix calls sk_wake_async:
 * POLL_IN for data queued (stream and datagram), for a connection queued on a listener and
 * for the peer's SHUT_WR; POLL_HUP for the peer's SHUT_RDWR and for the peer closing a
 * stream; POLL_OUT once a sender that found its buffer full is writable again (and not for a
 * read that leaves it still full); nothing for the sender of data, a read, SHUT_RD, or a
 * datagram peer closing. Plain SIGIO through FIOASYNC. */
#define _GNU_SOURCE
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "sigio_show.h"

static char buf[1 << 16];

static void stream(void)
{
    int sv[2];

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
        return;
    printf("stream pair async: %d %d\n", sigio_on(sv[0], SIGRT, 0), sigio_on(sv[1], SIGRT, 0));
    step("set up");
    write(sv[1], "ab", 2);
    step("write 2 on sv1");
    read(sv[0], buf, 2);
    step("read 2 on sv0");
    shutdown(sv[1], SHUT_RD);
    step("sv1 SHUT_RD");
    shutdown(sv[1], SHUT_WR);
    step("sv1 SHUT_WR");
    close(sv[1]);
    step("close sv1");
    close(sv[0]);
    if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv))
        return;
    sigio_on(sv[0], SIGRT, 0);
    sigio_on(sv[1], SIGRT, 0);
    send(sv[0], "r", 1, 0);
    step("seqpacket send on sv0");
    shutdown(sv[0], SHUT_RDWR);
    step("seqpacket sv0 SHUT_RDWR");
    close(sv[0]);
    close(sv[1]);
    step("seqpacket both closed");
}

static void full_sender(void)
{
    int sv[2], n = 0, total = 0, r;

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
        return;
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    printf("sender async: %d\n", sigio_on(sv[1], SIGRT, 0));
    while (write(sv[1], buf, 4096) > 0)
        n++;
    printf("sender full: %s\n", n > 2 ? "yes" : "no");
    step("fill, then EAGAIN");
    read(sv[0], buf, 1);
    step("read 1 (still full)");
    while ((r = (int)read(sv[0], buf, sizeof(buf))) > 0)
        total += r;
    printf("read the rest: %s\n", total > 0 ? "yes" : "no");
    step("read all");
    write(sv[1], "x", 1);
    read(sv[0], buf, 1);
    step("write and read again (room all along)");
    close(sv[0]);
    step("receiver closed");
    close(sv[1]);
}

static void dgram_and_listener(void)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    socklen_t alen;
    int sv[2], l, c;

    if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
        return;
    printf("dgram pair async (FIOASYNC): %d %d\n", sigio_on(sv[0], 0, 1), sigio_on(sv[1], 0, 1));
    send(sv[1], "d", 1, 0);
    step("dgram send on sv1");
    recv(sv[0], buf, 1, 0);
    step("dgram recv on sv0");
    close(sv[1]);
    step("dgram sv1 closed");
    close(sv[0]);
    /* abstract (no file left behind), the pid in it: the native glibc and musl runs may
     * run at the same time */
    alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
                       (size_t)snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1,
                                        "unix_sigio.%d", (int)getpid()));
    l = socket(AF_UNIX, SOCK_STREAM, 0);
    if (l < 0 || bind(l, (struct sockaddr *)&a, alen) || listen(l, 4))
        return;
    printf("listener async: %d\n", sigio_on(l, SIGRT, 0));
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    printf("connect: %d\n", connect(c, (struct sockaddr *)&a, alen));
    step("a connection queued");
    int s = accept(l, NULL, NULL);
    step("accept");
    close(s);
    close(c);
    close(l);
    step("closed");
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    sigio_block();
    stream();
    full_sender();
    dgram_and_listener();
    return 0;
}
