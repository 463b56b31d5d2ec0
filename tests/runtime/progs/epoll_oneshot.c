/* epoll_oneshot: EPOLLONESHOT items are disabled after one report until EPOLL_CTL_MOD
 * re-arms them (with new data); ADD/MOD/DEL errors; items are keyed by (file, descriptor):
 * a dup is another item, closing one descriptor keeps the item, the last close drops it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "epoll_show.h"

static int ep;

static void wait_show(const char *what)
{
    ep_wait_show(ep, what, 1);
}

static void ctl(const char *what, int op, int fd, uint32_t events, uint64_t data)
{
    struct epoll_event ev = {.events = events, .data.u64 = data};
    int r = epoll_ctl(ep, op, fd, &ev);

    printf("%s: %d %s\n", what, r, r ? strerror(errno) : "");
}

int main(void)
{
    int p[2], d;
    char c;

    ep = epoll_create(16);
    if (ep < 0 || pipe(p))
        return 1;
    ctl("add oneshot", EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLONESHOT, 0xabcdef0123456789ULL);
    ctl("add again", EPOLL_CTL_ADD, p[0], EPOLLIN, 1);
    write(p[1], "ab", 2);
    wait_show("first");
    wait_show("disarmed");
    write(p[1], "c", 1);
    wait_show("still disarmed");
    ctl("rearm", EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLONESHOT, 0x2222);
    wait_show("rearmed");
    wait_show("disarmed again");
    ctl("rearm level", EPOLL_CTL_MOD, p[0], EPOLLIN, 0x3333);
    wait_show("level 1");
    wait_show("level 2");
    ctl("mod unknown", EPOLL_CTL_MOD, p[1], EPOLLOUT, 0);
    ctl("del unknown", EPOLL_CTL_DEL, p[1], 0, 0);
    ctl("exclusive mod", EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLEXCLUSIVE, 0);
    ctl("bad op", 7, p[0], EPOLLIN, 0);
    ctl("self", EPOLL_CTL_ADD, ep, EPOLLIN, 0);
    ctl("bad fd", EPOLL_CTL_ADD, 77, EPOLLIN, 0);
    /* keys: the same pipe end under another descriptor */
    d = dup(p[0]);
    ctl("add dup", EPOLL_CTL_ADD, d, EPOLLIN, 0x4444);
    wait_show("two items");
    close(p[0]);
    wait_show("one descriptor closed");
    ctl("del closed", EPOLL_CTL_DEL, p[0], 0, 0);
    ctl("del dup", EPOLL_CTL_DEL, d, 0, 0);
    wait_show("one left");
    while (read(d, &c, 1) == 1 && c != 'c')
        ;
    wait_show("drained");
    write(p[1], "z", 1);
    close(d);
    wait_show("last close");
    close(p[1]);
    return 0;
}
