/* unix_rights: descriptors through SCM_RIGHTS over a socketpair. A pipe's write end goes
 * through a stream socketpair (the sender closes its copy), the receiver writes into it and
 * the original read end sees the bytes, then end of file once the passed copy is closed.
 * Then: MSG_CMSG_CLOEXEC, a control buffer too small for two descriptors (MSG_CTRUNC), a
 * message never received (its descriptor goes with the socket), and SCM_CREDENTIALS. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int send_fds(int s, const int *fds, int n)
{
    char cbuf[CMSG_SPACE(2 * sizeof(int))] = {0};
    struct iovec v = {"F", 1};
    struct msghdr m = {.msg_iov = &v, .msg_iovlen = 1, .msg_control = cbuf,
                       .msg_controllen = CMSG_SPACE(n * sizeof(int))};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);

    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(n * sizeof(int));
    memcpy(CMSG_DATA(c), fds, n * sizeof(int));
    return (int)sendmsg(s, &m, 0);
}

/* Receive one message; returns the first descriptor (-1: none), *nfds and *flags. */
static int recv_fd(int s, size_t room, int flags, int *nfds, int *mflags)
{
    char cbuf[64], b;
    struct iovec v = {&b, 1};
    struct msghdr m = {.msg_iov = &v, .msg_iovlen = 1, .msg_control = room ? cbuf : NULL,
                       .msg_controllen = room};
    int fd = -1;

    *nfds = 0;
    if (recvmsg(s, &m, flags) != 1)
        return -2;
    *mflags = m.msg_flags;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
        if (c->cmsg_type == SCM_RIGHTS) {
            *nfds = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            memcpy(&fd, CMSG_DATA(c), sizeof(int));
        }
    return fd;
}

int main(void)
{
    int sp[2], p[2], fd, n, fl;
    char buf[16];

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) || pipe(p))
        return 1;
    printf("send: %d\n", send_fds(sp[0], &p[1], 1));
    close(p[1]);
    fd = recv_fd(sp[1], 64, MSG_CMSG_CLOEXEC, &n, &fl);
    printf("received %d descriptor(s), other than the original: %s, cloexec: %d\n", n,
           fd != p[1] || fd >= 0 ? "yes" : "no", fcntl(fd, F_GETFD) & FD_CLOEXEC);
    printf("write through it: %zd\n", write(fd, "via-scm", 7));
    printf("read at the pipe: %zd ", read(p[0], buf, sizeof(buf)));
    printf("\"%.7s\"\n", buf);
    close(fd);
    printf("read after close: %zd (end of file)\n", read(p[0], buf, sizeof(buf)));

    int two[2] = {0, 1};
    send_fds(sp[0], two, 2);
    fd = recv_fd(sp[1], CMSG_LEN(sizeof(int)), 0, &n, &fl);
    printf("room for one: %d descriptor(s), MSG_CTRUNC %s\n", n, fl & MSG_CTRUNC ? "set" : "clear");
    close(fd);

    if (pipe(p))
        return 1;
    send_fds(sp[0], &p[1], 1);
    close(p[1]);
    close(sp[0]);
    close(sp[1]);
    printf("never received, read: %zd (end of file)\n", read(p[0], buf, sizeof(buf)));

    int on = 1, d[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, d);
    setsockopt(d[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));
    send(d[0], "c", 1, 0);
    {
        char cbuf[64], b;
        struct iovec v = {&b, 1};
        struct msghdr m = {.msg_iov = &v, .msg_iovlen = 1, .msg_control = cbuf,
                           .msg_controllen = sizeof(cbuf)};
        struct ucred uc = {0}, pc;
        socklen_t l = sizeof(pc);

        recvmsg(d[1], &m, 0);
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        if (c && c->cmsg_type == SCM_CREDENTIALS)
            memcpy(&uc, CMSG_DATA(c), sizeof(uc));
        getsockopt(d[0], SOL_SOCKET, SO_PEERCRED, &pc, &l);
        printf("SCM_CREDENTIALS pid is ours: %s, uid %d; SO_PEERCRED pid is ours: %s\n",
               uc.pid == getpid() ? "yes" : "no", (int)uc.uid, pc.pid == getpid() ? "yes" : "no");
    }
    return 0;
}
