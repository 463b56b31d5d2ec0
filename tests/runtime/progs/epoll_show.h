/*
 * epoll_show.h - what the epoll runtime programs (epoll_edge.c, epoll_oneshot.c) share: one
 * non-blocking wait printed as a line, its events in tag order. Which of two items woken by
 * one write comes first is the wait-queue order, which Linux does not promise (LIFO there,
 * FIFO in Petrel), so the line sorts them.
 */
#ifndef TESTS_RUNTIME_PROGS_EPOLL_SHOW_H
#define TESTS_RUNTIME_PROGS_EPOLL_SHOW_H

#include <stdio.h>
#include <sys/epoll.h>

/* "what: n [tag T ev E]..." (hex: "[0xT ev E]"), at most 4 events. */
static void ep_wait_show(int ep, const char *what, int hex)
{
    struct epoll_event ev[4], t;
    int n = epoll_wait(ep, ev, 4, 0);

    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && ev[j - 1].data.u64 > ev[j].data.u64; j--) {
            t = ev[j];
            ev[j] = ev[j - 1];
            ev[j - 1] = t;
        }
    printf("%s: %d", what, n);
    for (int i = 0; i < n; i++) {
        if (hex)
            printf(" [%#llx ev %#x]", (unsigned long long)ev[i].data.u64, ev[i].events);
        else
            printf(" [tag %llu ev %#x]", (unsigned long long)ev[i].data.u64, ev[i].events);
    }
    printf("\n");
}

#endif
