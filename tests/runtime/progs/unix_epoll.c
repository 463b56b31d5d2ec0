/* unix_epoll: a single-threaded edge-triggered epoll server over AF_UNIX. A listener on a
 * path accepts nonblocking connections; each readable event is drained until EAGAIN and
 * echoed; client threads send numbered lines and check the replies, then close; the server
 * sees EPOLLRDHUP/EPOLLHUP for each and stops when all are gone. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define NCL 5
#define MSGS 50

static struct sockaddr_un addr = {.sun_family = AF_UNIX};
static int errors;

static void *client(void *arg)
{
    int id = (int)(long)arg, s = socket(AF_UNIX, SOCK_STREAM, 0);
    char out[64], in[64];

    if (connect(s, (struct sockaddr *)&addr, sizeof(addr)))
        __atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
    for (int i = 0; i < MSGS; i++) {
        int n = snprintf(out, sizeof(out), "client %d line %d\n", id, i), got = 0;
        if (write(s, out, (size_t)n) != n)
            __atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
        while (got < n) {
            ssize_t r = read(s, in + got, (size_t)(n - got));
            if (r <= 0)
                break;
            got += (int)r;
        }
        if (got != n || memcmp(in, out, (size_t)n))
            __atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
    }
    close(s);
    return NULL;
}

int main(void)
{
    int l = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0), ep = epoll_create1(0);
    int accepted = 0, closed = 0, events = 0;
    long bytes = 0;
    pthread_t t[NCL];
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.fd = l}, evs[8];

    snprintf(addr.sun_path, sizeof(addr.sun_path), "tmp/ep-%d.sock", (int)getpid());
    unlink(addr.sun_path);
    if (bind(l, (struct sockaddr *)&addr, sizeof(addr)) || listen(l, 16) ||
        epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev))
        return 1;
    for (long i = 0; i < NCL; i++)
        pthread_create(&t[i], NULL, client, (void *)i);
    while (closed < NCL) {
        int n = epoll_wait(ep, evs, 8, 5000);
        if (n <= 0)
            break;
        for (int i = 0; i < n; i++, events++) {
            int fd = evs[i].data.fd;
            if (fd == l) {
                int c;
                while ((c = accept4(l, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    struct epoll_event ce = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.fd = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
                    accepted++;
                }
                continue;
            }
            char buf[512];
            ssize_t r;
            while ((r = read(fd, buf, sizeof(buf))) > 0) {
                bytes += r;
                if (write(fd, buf, (size_t)r) != r)
                    errors++;
            }
            if (r == 0 || (evs[i].events & (EPOLLRDHUP | EPOLLHUP))) {
                if (r < 0 && errno != EAGAIN)
                    errors++;
                if (r == 0) {
                    close(fd);
                    closed++;
                }
            }
        }
    }
    for (int i = 0; i < NCL; i++)
        pthread_join(t[i], NULL);
    unlink(addr.sun_path);
    printf("accepted %d, closed %d, bytes echoed %ld, errors %d\n", accepted, closed, bytes, errors);
    return errors != 0 || closed != NCL;
}
