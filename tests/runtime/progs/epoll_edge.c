/* epoll_edge: edge-triggered reporting over a non-blocking pipe and an eventfd. An EPOLLET
 * item is reported once per new write, however much is left unread, and not again until the
 * next write; the reader drains until EAGAIN. Level-triggered on the same pipe (another
 * descriptor: a second item) keeps reporting while data is left. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "epoll_show.h"

static int ep;

static void wait_show(const char *what)
{
    ep_wait_show(ep, what, 0);
}

static long drain(int fd, int show)
{
    char buf[1000];
    long total = 0;
    ssize_t r;

    while ((r = read(fd, buf, sizeof(buf))) > 0)
        total += r;
    if (show)
        printf("drained %ld (%s)\n", total, r < 0 && errno == EAGAIN ? "EAGAIN" : "other");
    return total;
}

int main(void)
{
    int p[2], lt, efd;
    char big[5000];
    uint64_t v = 3;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u64 = 1};

    memset(big, 'x', sizeof(big));
    ep = epoll_create1(0);
    if (pipe2(p, O_NONBLOCK) || epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev))
        return 1;
    wait_show("empty");
    printf("write %zd\n", write(p[1], big, 3000));
    wait_show("after write");
    wait_show("again");
    char one[100];
    printf("partial read %zd\n", read(p[0], one, sizeof(one)));
    wait_show("after partial read (no new edge)");
    printf("write %zd\n", write(p[1], big, 10));
    wait_show("after second write");
    drain(p[0], 1);
    wait_show("drained");
    /* the same pipe under a second descriptor, level-triggered */
    lt = dup(p[0]);
    ev.events = EPOLLIN;
    ev.data.u64 = 2;
    epoll_ctl(ep, EPOLL_CTL_ADD, lt, &ev);
    printf("write %zd\n", write(p[1], big, 20));
    wait_show("both");
    wait_show("level only");
    drain(lt, 1);
    wait_show("none");
    /* the write side, edge-triggered: a read that makes room is an edge */
    ev.events = EPOLLOUT | EPOLLET;
    ev.data.u64 = 3;
    epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev);
    epoll_ctl(ep, EPOLL_CTL_DEL, lt, NULL);
    wait_show("writable");
    wait_show("writable again (no edge)");
    long filled = 0;
    ssize_t r;
    while ((r = write(p[1], big, sizeof(big))) > 0)
        filled += r;
    /* how much a pipe takes in 5000-byte writes depends on its page packing: not shown */
    printf("filled %d\n", filled > 4096);
    wait_show("full");
    printf("drained all %d\n", drain(p[0], 0) == filled);
    wait_show("room again");
    /* eventfd, edge-triggered */
    efd = eventfd(0, EFD_NONBLOCK);
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = 4;
    epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL);
    epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
    wait_show("eventfd zero");
    write(efd, &v, 8);
    write(efd, &v, 8);
    wait_show("eventfd two writes, one report");
    wait_show("eventfd quiet");
    read(efd, &v, 8);
    printf("eventfd read %llu\n", (unsigned long long)v);
    wait_show("eventfd read");
    return 0;
}
