/*
 * core/abi/poll.h - Linux readiness bits (poll's POLL* and epoll's EPOLL*, the same
 * numbers), struct pollfd, struct epoll_event (packed: 12 bytes on x86-64), epoll_ctl ops
 * and the select fd_set. Wait queues are keyed by LINUX_EPOLL* masks (CONTRACTS.md).
 */
#ifndef CORE_ABI_POLL_H
#define CORE_ABI_POLL_H

#include <stddef.h>
#include <stdint.h>

#define LINUX_POLLIN 0x0001u
#define LINUX_POLLPRI 0x0002u
#define LINUX_POLLOUT 0x0004u
#define LINUX_POLLERR 0x0008u
#define LINUX_POLLHUP 0x0010u
#define LINUX_POLLNVAL 0x0020u
#define LINUX_POLLRDNORM 0x0040u
#define LINUX_POLLRDBAND 0x0080u
#define LINUX_POLLWRNORM 0x0100u
#define LINUX_POLLWRBAND 0x0200u
#define LINUX_POLLMSG 0x0400u
#define LINUX_POLLREMOVE 0x1000u
#define LINUX_POLLRDHUP 0x2000u

#define LINUX_EPOLLIN LINUX_POLLIN
#define LINUX_EPOLLPRI LINUX_POLLPRI
#define LINUX_EPOLLOUT LINUX_POLLOUT
#define LINUX_EPOLLERR LINUX_POLLERR
#define LINUX_EPOLLHUP LINUX_POLLHUP
#define LINUX_EPOLLNVAL LINUX_POLLNVAL
#define LINUX_EPOLLRDNORM LINUX_POLLRDNORM
#define LINUX_EPOLLRDBAND LINUX_POLLRDBAND
#define LINUX_EPOLLWRNORM LINUX_POLLWRNORM
#define LINUX_EPOLLWRBAND LINUX_POLLWRBAND
#define LINUX_EPOLLMSG LINUX_POLLMSG
#define LINUX_EPOLLRDHUP LINUX_POLLRDHUP
#define LINUX_EPOLLEXCLUSIVE (1u << 28)
#define LINUX_EPOLLWAKEUP (1u << 29)
#define LINUX_EPOLLONESHOT (1u << 30)
#define LINUX_EPOLLET (1u << 31)

#define LINUX_EPOLL_CTL_ADD 1
#define LINUX_EPOLL_CTL_DEL 2
#define LINUX_EPOLL_CTL_MOD 3
#define LINUX_EPOLL_CLOEXEC 02000000 /* == LINUX_O_CLOEXEC */

struct linux_pollfd {
    int32_t fd;
    int16_t events;
    int16_t revents;
};
_Static_assert(sizeof(struct linux_pollfd) == 8, "pollfd size");
_Static_assert(offsetof(struct linux_pollfd, events) == 4, "pollfd events");
_Static_assert(offsetof(struct linux_pollfd, revents) == 6, "pollfd revents");

/* x86-64 packs epoll_event (12 bytes, data at offset 4), unlike every other 64-bit arch. */
struct linux_epoll_event {
    uint32_t events;
    uint64_t data;
} __attribute__((packed));
_Static_assert(sizeof(struct linux_epoll_event) == 12, "epoll_event size");
_Static_assert(offsetof(struct linux_epoll_event, data) == 4, "epoll_event data");

/* select: FD_SETSIZE bits as 64-bit words. */
#define LINUX_FD_SETSIZE 1024
struct linux_fd_set {
    uint64_t fds_bits[LINUX_FD_SETSIZE / 64];
};
_Static_assert(sizeof(struct linux_fd_set) == 128, "fd_set size");

/* pselect6's sixth argument: a pointer to this pair. */
struct linux_pselect6_sigmask {
    uint64_t ss;     /* user address of the sigset, or 0 */
    uint64_t ss_len; /* must be LINUX_SIGSET_SIZE */
};
_Static_assert(sizeof(struct linux_pselect6_sigmask) == 16, "pselect6 sigmask size");

#endif
