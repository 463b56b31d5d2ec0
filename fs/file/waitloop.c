/*
 * waitloop.c - the shared wait loop of eventfd, timerfd, signalfd and inotify (waitloop.h).
 *
 * The object's lock is held across take() and dropped only inside a sleep, the way each
 * lock kind needs to never miss a wake: a waker changes the state under that lock (or makes
 * ready() true) and then wakes the queue under the queue's lock, which the sleeper holds
 * from its last look at the state until it is on the queue.
 */
#include "fs/file/waitloop.h"

#include "hal/hal_errno.h"

static void lock(const struct file_wait *w, uint64_t *irq)
{
    if (w->lock == FILE_WAIT_SPIN)
        *irq = spin_lock_irqsave(&w->wq->lock);
    else if (w->lock == FILE_WAIT_MUTEX)
        mutex_lock(w->mutex);
}

static void unlock(const struct file_wait *w, uint64_t irq)
{
    if (w->lock == FILE_WAIT_SPIN)
        spin_unlock_irqrestore(&w->wq->lock, irq);
    else if (w->lock == FILE_WAIT_MUTEX)
        mutex_unlock(w->mutex);
}

/* The object's lock held (as lock() took it): sleep once; 0 woken or -EINTR. */
static int sleep_once(const struct file_wait *w, uint64_t *irq)
{
    uint64_t qirq;
    int rc = 0;

    if (w->lock == FILE_WAIT_SPIN)
        return wq_wait_locked_intr(w->wq, irq, UINT64_MAX);
    qirq = spin_lock_irqsave(&w->wq->lock);
    if (w->lock == FILE_WAIT_MUTEX)
        mutex_unlock(w->mutex);
    if (w->lock == FILE_WAIT_MUTEX || !w->ready(w->obj))
        rc = wq_wait_locked_intr(w->wq, &qirq, UINT64_MAX);
    spin_unlock_irqrestore(&w->wq->lock, qirq);
    if (w->lock == FILE_WAIT_MUTEX)
        mutex_lock(w->mutex);
    return rc;
}

long file_wait_loop(const struct file_wait *w, bool nonblock, void *arg)
{
    uint64_t irq = 0;
    long rc;

    lock(w, &irq);
    for (;;) {
        rc = w->take(w->obj, arg);
        if (rc != 0)
            break;
        if (nonblock) {
            rc = -EAGAIN;
            break;
        }
        if (sleep_once(w, &irq) == -EINTR) {
            rc = -ERESTARTSYS;
            break;
        }
    }
    unlock(w, irq);
    return rc;
}
