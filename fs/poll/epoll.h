/*
 * epoll.h - the epoll file kind: an interest list of (file, descriptor) items and a ready
 * list fed by wait-entry callbacks, under epoll_create1/epoll_ctl/epoll_wait
 * (core/syscall/sys_poll.c). docs/epoll.md says how it works.
 *
 * The syscall layer decodes (descriptors to files, the event copied in) and calls these;
 * every check from "can the target be polled" on is made here, in Linux's order, so the
 * hosted tests reach the same answers without the syscall layer.
 */
#ifndef FS_POLL_EPOLL_H
#define FS_POLL_EPOLL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs/file/file.h"

/* Linux's EP_MAX_EVENTS: maxevents above it is -EINVAL (INT_MAX / sizeof(epoll_event)). */
#define EPOLL_MAX_EVENTS (0x7fffffff / 12)
/* Epoll instances nested in one chain, at most (Linux: 4 levels below the top). */
#define EPOLL_MAX_CHAIN 5

/* Where epoll_wait writes its events: struct linux_epoll_event records from uaddr on,
 * through the syscall layer's copy function (0 or -EFAULT). */
struct epoll_out {
    uint64_t uaddr;
    int (*copy_out)(uint64_t uaddr, const void *src, size_t n);
};

/* A new epoll instance as an O_RDWR open file in *out. 0 or -ENOMEM. Never sleeps. */
int epoll_file_create(struct file **out);

/* Whether f is an epoll instance. Never sleeps. */
bool epoll_is_file(const struct file *f);

/*
 * epoll_ctl: op (LINUX_EPOLL_CTL_*) on ep for target tf known as descriptor fd; events and
 * data are the copied-in struct epoll_event (ignored for DEL). The caller holds references
 * on both files. Returns 0, -EPERM (tf has no poll), -EINVAL (ep not an epoll, ep == tf, an
 * unknown op, EPOLLEXCLUSIVE misuse), -ELOOP (a loop of instances or a chain longer than
 * EPOLL_MAX_CHAIN), -EEXIST, -ENOENT, -ENOMEM. May sleep.
 */
int epoll_file_ctl(struct file *ep, int op, struct file *tf, int fd, unsigned events,
                   uint64_t data);

/*
 * epoll_wait on ep (an epoll file, checked by the caller): report at most max (1 ..
 * EPOLL_MAX_EVENTS) ready items to out, waiting until deadline_ns (UINT64_MAX: for ever; 0:
 * just look). Returns the number reported, 0 at the deadline, -EINTR when the thread was
 * interrupted before anything was ready (never restarted, as Linux), -EFAULT when the first
 * event could not be written (the item stays ready). May sleep.
 */
int epoll_file_wait(struct file *ep, const struct epoll_out *out, int max, uint64_t deadline_ns);

#endif
