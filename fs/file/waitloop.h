/*
 * waitloop.h - the one loop of the file kinds whose reads (and writes) wait for something to
 * take: eventfd, timerfd, signalfd and inotify (docs/files.md "Waiting reads").
 *
 * Each try runs a callback under the object's own lock; when it finds nothing, the loop says
 * -EAGAIN for a non-blocking description, else sleeps on the object's wait queue and tries
 * again when woken. An interrupted sleep is -ERESTARTSYS, Linux's code for these reads (the
 * syscall restarts when the handler has SA_RESTART, else -EINTR). Readiness for poll, select
 * and epoll is the kinds' own: their wakers wake the same queue with LINUX_EPOLL* keys.
 *
 * The locking differs, and the loop closes the lost-wakeup race for each kind:
 *   FILE_WAIT_SPIN   the state is under the wait queue's spinlock (timerfd, inotify): the
 *                    callback runs with it held (interrupts off), the sleep keeps it.
 *   FILE_WAIT_MUTEX  the state is under a mutex the wakers hold while they change it and
 *                    wake (eventfd): the sleeper takes the queue's lock before dropping it.
 *   FILE_WAIT_OWN    the callback takes the locks it needs (signalfd: signal_dequeue); the
 *                    sleeper checks ready(), lock-free, under the queue's lock, which every
 *                    waker takes after making it true.
 */
#ifndef FS_FILE_WAITLOOP_H
#define FS_FILE_WAITLOOP_H

#include <stdbool.h>

#include "core/sched/sched.h"

enum file_wait_lock {
    FILE_WAIT_SPIN,
    FILE_WAIT_MUTEX,
    FILE_WAIT_OWN,
};

struct file_wait {
    struct wait_queue *wq;
    enum file_wait_lock lock;
    struct mutex *mutex; /* FILE_WAIT_MUTEX */
    /* Under the object's lock: > 0 done (the loop's result), 0 nothing to take yet, < 0 an
     * error to return. arg is the caller's (its buffer). */
    long (*take)(void *obj, void *arg);
    bool (*ready)(void *obj); /* FILE_WAIT_OWN: would take() find something now */
    void *obj;
};

/* take() until it gives a result: that result, -EAGAIN (nothing and nonblock), or
 * -ERESTARTSYS (a signal interrupted the sleep). May sleep unless nonblock. */
long file_wait_loop(const struct file_wait *w, bool nonblock, void *arg);

#endif
