/* epoll_nested: an epoll instance inside another (readable while one of its items is
 * ready), a thread sleeping on the outer one woken through the inner one, loops and chains
 * longer than five instances refused with ELOOP, poll() and select() on an epoll
 * descriptor, and the inner instance's last close dropping the outer item. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <unistd.h>

static int outer, inner, efd;

static int add(int ep, int fd, uint32_t events, uint64_t data)
{
    struct epoll_event ev = {.events = events, .data.u64 = data};

    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static void *kick(void *arg)
{
    uint64_t one = 1;

    usleep(20000);
    if (write(efd, &one, 8) != 8)
        return arg;
    return NULL;
}

int main(void)
{
    struct epoll_event ev;
    struct pollfd pfd;
    fd_set rd;
    struct timeval tv = {0, 0};
    pthread_t t;
    uint64_t v;
    int chain[6];

    outer = epoll_create1(0);
    inner = epoll_create1(0);
    efd = eventfd(0, 0);
    printf("add efd to inner: %d\n", add(inner, efd, EPOLLIN, 1));
    printf("add inner to outer: %d\n", add(outer, inner, EPOLLIN, 2));
    printf("outer empty: %d\n", epoll_wait(outer, &ev, 1, 0));
    pthread_create(&t, NULL, kick, NULL);
    int n = epoll_wait(outer, &ev, 1, 5000);
    printf("outer woken: %d data %llu events %#x\n", n, (unsigned long long)ev.data.u64,
           ev.events);
    pthread_join(t, NULL);
    n = epoll_wait(inner, &ev, 1, 0);
    printf("inner: %d data %llu\n", n, (unsigned long long)ev.data.u64);
    pfd.fd = inner;
    pfd.events = POLLIN | POLLOUT;
    n = poll(&pfd, 1, 0);
    printf("poll inner: %d revents %#x\n", n, pfd.revents);
    FD_ZERO(&rd);
    FD_SET(outer, &rd);
    printf("select outer: %d\n", select(outer + 1, &rd, NULL, NULL, &tv));
    if (read(efd, &v, 8) != 8)
        return 1;
    printf("after read: outer %d inner %d\n", epoll_wait(outer, &ev, 1, 0),
           epoll_wait(inner, &ev, 1, 0));
    printf("poll inner drained: %d\n", poll(&pfd, 1, 0));
    printf("loop: %d\n", add(inner, outer, EPOLLIN, 0));
    printf("exclusive nested: %d\n", add(outer, inner, EPOLLIN | EPOLLEXCLUSIVE, 0));
    printf("again: %d\n", add(outer, inner, EPOLLIN, 0));
    /* a chain: five instances are fine, a sixth is not */
    for (int i = 0; i < 6; i++)
        chain[i] = epoll_create1(0);
    for (int i = 0; i < 5; i++)
        printf("chain %d in %d: %d\n", i, i + 1, add(chain[i + 1], chain[i], EPOLLIN, 0));
    /* the inner instance's last close: the outer item goes */
    v = 1;
    if (write(efd, &v, 8) != 8)
        return 1;
    printf("ready again: %d\n", epoll_wait(outer, &ev, 1, 0));
    close(inner);
    printf("after closing inner: %d\n", epoll_wait(outer, &ev, 1, 0));
    return 0;
}
