/* unix_dgram: datagrams between abstract names. A server bound to "\0petrel-dg-<pid>"
 * answers each datagram with its length to the sender's autobound name; datagram boundaries
 * hold (sizes 0..), an oversized read is cut (MSG_TRUNC), a connected sender to a closed
 * server gets ECONNREFUSED then ENOTCONN. Names are not printed: the pid differs natively. */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static socklen_t abstract(struct sockaddr_un *a, const char *tag)
{
    memset(a, 0, sizeof(*a));
    a->sun_family = AF_UNIX;
    int n = snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1, "petrel-%s-%d", tag, (int)getpid());
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

/* The server takes datagram i and answers its length to the sender's name. */
static int serve_one(int srv, int cl, const struct sockaddr_un *ca, socklen_t clen, int i)
{
    struct sockaddr_un from;
    socklen_t flen = sizeof(from);
    char buf[2048];
    int bad = 0, back = -1;
    ssize_t r = recvfrom(srv, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
    int len = (int)r;

    bad += r != i * 73 || flen != clen || memcmp(&from, ca, clen) != 0;
    sendto(srv, &len, sizeof(len), 0, (struct sockaddr *)&from, flen);
    recv(cl, &back, sizeof(back), 0);
    return bad + (back != i * 73);
}

int main(void)
{
    struct sockaddr_un sa, ca;
    socklen_t slen = abstract(&sa, "dg");
    int srv = socket(AF_UNIX, SOCK_DGRAM, 0), cl = socket(AF_UNIX, SOCK_DGRAM, 0);
    char buf[2048], big[1500];
    int bad = 0;

    if (bind(srv, (struct sockaddr *)&sa, slen))
        return 1;
    socklen_t clen = sizeof(sa.sun_family);
    memset(&ca, 0, sizeof(ca));
    ca.sun_family = AF_UNIX;
    bind(cl, (struct sockaddr *)&ca, clen); /* autobind */
    clen = sizeof(ca);
    getsockname(cl, (struct sockaddr *)&ca, &clen);
    printf("autobind length %d, abstract %s\n", (int)clen, ca.sun_path[0] == 0 ? "yes" : "no");
    for (int i = 0; i < 20; i++) { /* 5 at a time: the queue holds max_dgram_qlen + 1 */
        size_t n = (size_t)i * 73;
        memset(big, 'a' + i, n < sizeof(big) ? n : sizeof(big));
        sendto(cl, big, n, 0, (struct sockaddr *)&sa, slen);
        if (i % 5 != 4)
            continue;
        for (int j = i - 4; j <= i; j++)
            bad += serve_one(srv, cl, &ca, clen, j);
    }
    printf("20 datagrams, boundaries and names kept: %s\n", bad ? "no" : "yes");
    sendto(cl, big, 100, 0, (struct sockaddr *)&sa, slen);
    ssize_t r = recv(srv, buf, 10, MSG_TRUNC);
    printf("cut read with MSG_TRUNC: %zd\n", r);
    connect(cl, (struct sockaddr *)&sa, slen);
    close(srv);
    r = send(cl, "x", 1, 0);
    printf("after the server closed: %zd %s, ", r, strerror(errno));
    r = send(cl, "x", 1, 0);
    printf("then %zd %s\n", r, strerror(errno));
    return bad != 0;
}
