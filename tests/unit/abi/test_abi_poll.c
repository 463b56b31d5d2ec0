/*
 * test_abi_poll.c - core/abi/poll.h against glibc's <poll.h>, <sys/epoll.h>,
 * <sys/select.h>, the kernel's <linux/eventpoll.h> (abi_poll_uapi.c), and pselect6's sigmask pair against the kernel by a real call.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/abi/poll.h"
#include "core/abi/signal.h"
#include "tests/unit/abi/abi_check.h"

void abi_poll_uapi(void **state);

static void test_bits(void **state)
{
    CK(POLLIN), CK(POLLPRI), CK(POLLOUT), CK(POLLERR), CK(POLLHUP), CK(POLLNVAL);
    CK(POLLRDNORM), CK(POLLRDBAND), CK(POLLWRNORM), CK(POLLWRBAND), CK(POLLMSG);
    CK(POLLREMOVE), CK(POLLRDHUP);
    CK(EPOLLIN), CK(EPOLLPRI), CK(EPOLLOUT), CK(EPOLLERR), CK(EPOLLHUP);
    CK(EPOLLRDNORM), CK(EPOLLRDBAND), CK(EPOLLWRNORM), CK(EPOLLWRBAND), CK(EPOLLMSG);
    CK(EPOLLRDHUP), CK(EPOLLEXCLUSIVE), CK(EPOLLWAKEUP), CK(EPOLLONESHOT), CK(EPOLLET);
    CK(EPOLL_CTL_ADD), CK(EPOLL_CTL_DEL), CK(EPOLL_CTL_MOD), CK(EPOLL_CLOEXEC);
    CK(FD_SETSIZE);
    (void)state;
}

static void test_layouts(void **state)
{
    SZ(struct linux_pollfd, struct pollfd);
    OFF(struct linux_pollfd, fd, struct pollfd, fd);
    OFF(struct linux_pollfd, events, struct pollfd, events);
    OFF(struct linux_pollfd, revents, struct pollfd, revents);
    SZ(struct linux_epoll_event, struct epoll_event);
    OFF(struct linux_epoll_event, events, struct epoll_event, events);
    OFF(struct linux_epoll_event, data, struct epoll_event, data);
    SZ(struct linux_fd_set, fd_set);
    (void)state;
}

/* The kernel reads pselect6's sixth argument as {sigset pointer, size}: a wrong size is
 * -EINVAL, the right one works. */
static void test_pselect6_pair(void **state)
{
    uint64_t set = 0;
    struct linux_pselect6_sigmask m = {(uintptr_t)&set, LINUX_SIGSET_SIZE};
    struct timespec ts = {0, 0};
    assert_int_equal(syscall(SYS_pselect6, 0, NULL, NULL, NULL, &ts, &m), 0);
    m.ss_len = LINUX_SIGSET_SIZE + 8;
    assert_int_equal(syscall(SYS_pselect6, 0, NULL, NULL, NULL, &ts, &m), -1);
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bits),
        cmocka_unit_test(test_layouts),
        cmocka_unit_test(test_pselect6_pair),
        cmocka_unit_test(abi_poll_uapi),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
