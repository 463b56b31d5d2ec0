/*
 * poll.h - waiting for readiness on many open files at once: the engine under poll, ppoll,
 * select and pselect6 (core/syscall/sys_poll.c). docs/poll.md.
 *
 * The caller decodes its syscall into an array of items (a file and the LINUX_EPOLL* events
 * it wants); poll_files() asks each file's poll op for its mask, registering one wait entry
 * per queue the kinds name through poll_wait(), and sleeps (one waiter for all of them)
 * until a file is ready, the deadline passes or the thread is interrupted.
 */
#ifndef FS_POLL_POLL_H
#define FS_POLL_POLL_H

#include <stdint.h>

#include "fs/file/file.h"

struct poll_item {
    struct file *file; /* NULL: skipped (revents 0), e.g. poll's negative fd */
    unsigned events;   /* LINUX_EPOLL* wanted; LINUX_EPOLLERR and EPOLLHUP are always added */
    unsigned revents;  /* out: file's mask & (events | ERR | HUP) */
};

/*
 * Wait until at least one item has revents != 0 or deadline_ns (UINT64_MAX: none; 0 or
 * passed: just look). Returns the number of items with revents != 0 (0 on timeout), -EINTR
 * when interrupted before any was ready (thread_interrupt), -ENOMEM. Fills every revents.
 * May sleep.
 */
int poll_files(struct poll_item *items, unsigned n, uint64_t deadline_ns);

#endif
