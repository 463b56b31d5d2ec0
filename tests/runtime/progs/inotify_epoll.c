/* inotify_epoll: an inotify descriptor in epoll, poll and select while another thread
 * changes the watched directory; an edge-triggered item woken once per new event; and a
 * blocking read interrupted by a signal: -EINTR without SA_RESTART, restarted (and then
 * given the event) with it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#define RT_CHECK_EXIT /* a failed step ends the program */
#include "rt_check.h"

static char dir[256];
static char evbuf[4096] __attribute__((aligned(8)));

static void touch(const char *name)
{
    char p[512];
    int f;

    snprintf(p, sizeof(p), "%.255s/%.100s", dir, name);
    f = open(p, O_CREAT | O_WRONLY, 0644);
    check(f >= 0, "create");
    close(f);
}

/* Read what is queued and print the names. */
static void drain(int fd, const char *what)
{
    long n = read(fd, evbuf, sizeof(evbuf));

    printf("%s:", what);
    if (n < 0)
        printf(" read %s", errno == EAGAIN ? "EAGAIN" : strerror(errno));
    for (long off = 0; off < n;) {
        struct inotify_event *e = (struct inotify_event *)(evbuf + off);
        printf(" [%s %s]", (e->mask & IN_CREATE) ? "create" : "other", e->name);
        off += (long)sizeof(*e) + e->len;
    }
    printf("\n");
}

static void *later(void *arg)
{
    usleep(100 * 1000);
    touch(arg);
    return NULL;
}

static void readiness(int fd, const char *what)
{
    struct pollfd p = {fd, POLLIN, 0};
    struct timeval tv = {0, 0};
    fd_set r;

    FD_ZERO(&r);
    FD_SET(fd, &r);
    int np = poll(&p, 1, 0);
    int ns = select(fd + 1, &r, NULL, NULL, &tv);

    printf("%s: poll %d revents %#x, select %d\n", what, np, p.revents, ns);
}

static void epoll_part(void)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 7}, out[2];
    pthread_t t;
    int fd = inotify_init1(IN_NONBLOCK), ep = epoll_create1(0);

    check(fd >= 0 && ep >= 0, "init");
    check(inotify_add_watch(fd, dir, IN_CREATE | IN_DELETE) == 1, "add_watch");
    check(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0, "epoll_ctl");
    printf("epoll, nothing queued: %d\n", epoll_wait(ep, out, 2, 0));
    readiness(fd, "empty");
    pthread_create(&t, NULL, later, "from-thread");
    int n = epoll_wait(ep, out, 2, 5000);
    printf("epoll woken: %d, tag %llu, events %#x\n", n, (unsigned long long)out[0].data.u64,
           out[0].events);
    pthread_join(t, NULL);
    readiness(fd, "queued");
    drain(fd, "events");
    readiness(fd, "drained");

    /* edge-triggered: once per new event, however many are left unread */
    ev.events = EPOLLIN | EPOLLET;
    check(epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) == 0, "epoll_ctl mod");
    touch("e1");
    printf("ET after one event: %d\n", epoll_wait(ep, out, 2, 0));
    printf("ET again, nothing new: %d\n", epoll_wait(ep, out, 2, 0));
    touch("e2");
    printf("ET after another: %d\n", epoll_wait(ep, out, 2, 0));
    drain(fd, "ET events");
    close(ep);
    close(fd);
}

static void on_alarm(int sig)
{
    (void)sig;
}

static void alarm_in(long ms)
{
    struct itimerval it = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};
    check(setitimer(ITIMER_REAL, &it, NULL) == 0, "setitimer");
}

static void signal_part(void)
{
    struct sigaction sa;
    pthread_t t;
    int fd = inotify_init1(0);
    long n;

    check(fd >= 0 && inotify_add_watch(fd, dir, IN_CREATE) == 1, "blocking init");
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm;
    check(sigaction(SIGALRM, &sa, NULL) == 0, "sigaction");
    alarm_in(50);
    n = read(fd, evbuf, sizeof(evbuf));
    printf("blocking read, handler without SA_RESTART: %ld %s\n", n,
           n < 0 && errno == EINTR ? "EINTR" : "?");
    sa.sa_flags = SA_RESTART;
    check(sigaction(SIGALRM, &sa, NULL) == 0, "sigaction restart");
    alarm_in(30);
    pthread_create(&t, NULL, later, "after-restart");
    drain(fd, "blocking read, SA_RESTART, then an event");
    pthread_join(t, NULL);
    close(fd);
}

int main(int argc, char **argv)
{
    snprintf(dir, sizeof(dir), "%.200s", argc > 1 ? argv[1] : "tmp/inotify-epoll");
    check(mkdir(dir, 0755) == 0, "mkdir");
    epoll_part();
    signal_part();
    static const char *const files[] = {"from-thread", "e1", "e2", "after-restart"};
    for (unsigned i = 0; i < 4; i++) {
        char p[512];
        snprintf(p, sizeof(p), "%.255s/%s", dir, files[i]);
        check(unlink(p) == 0, "unlink");
    }
    check(rmdir(dir) == 0, "rmdir");
    printf("done\n");
    return 0;
}
