/*
 * abi_poll_uapi.c - core/abi/poll.h against the kernel's <linux/eventpoll.h> (EPOLLNVAL and
 * the packed struct epoll_event as the kernel declares them; it clashes with glibc's
 * <sys/epoll.h>). Part of test_abi_poll.
 */
#include <linux/eventpoll.h>
#include <stddef.h>

#include "core/abi/poll.h"
#include "tests/unit/abi/abi_check.h"

void abi_poll_uapi(void **state);

void abi_poll_uapi(void **state)
{
    CK(EPOLLNVAL), CK(EPOLLIN), CK(EPOLLRDHUP), CK(EPOLLEXCLUSIVE), CK(EPOLLWAKEUP);
    CK(EPOLLONESHOT), CK(EPOLLET), CK(EPOLL_CLOEXEC), CK(EPOLL_CTL_MOD);
    SZ(struct linux_epoll_event, struct epoll_event);
    OFF(struct linux_epoll_event, events, struct epoll_event, events);
    OFF(struct linux_epoll_event, data, struct epoll_event, data);
    (void)state;
}
