/*
 * netd.c - the network thread, the network lock and the receive queue.
 *
 * Device interrupts must not run lwIP (it is not reentrant and may allocate), so the rx
 * callback copies the frame into a kmalloc'd node on netd.rxq (bounded: NETD_RXQ_MAX frames,
 * then drops, as a NIC ring would) and wakes the thread. The thread, holding the network lock,
 * feeds queued frames to lwIP, delivers loopback packets, runs due lwIP timers, then sleeps
 * until the next lwIP timeout or a wake-up. Callers that enter lwIP (socket layer, tests) hold
 * the same lock; net_unlock() wakes the thread, since the caller may have armed an earlier
 * timeout or queued loopback packets.
 *
 * Locks: netd.wq.lock (irq-save spinlock) guards rxq, rxq_len and kicked; it is taken in the
 * interrupt path, so nothing under it sleeps or calls lwIP. net_lock (mutex) guards lwIP.
 */
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/lib/list.h"
#include "core/sched/sched.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/timeouts.h"
#include "net/net_internal.h"

#define NETD_RXQ_MAX 1024u
#define NETD_BATCH 64u /* frames per lock hold, so callers get the lock between batches */

struct rx_frame {
    struct list_node node;
    struct netif *nif;
    size_t len;
    unsigned char data[];
};

static struct {
    bool inited, threaded;
    struct mutex lock;
    struct wait_queue wq; /* its lock guards the fields below */
    struct list rxq;
    unsigned rxq_len;
    bool kicked;
    struct thread *thread;
} netd;

bool net_threaded(void)
{
    return netd.threaded;
}

void net_lock(void)
{
    mutex_lock(&netd.lock);
}

bool net_lock_held(void)
{
    return netd.threaded && mutex_is_held(&netd.lock);
}

static void netd_kick(void)
{
    uint64_t tok = spin_lock_irqsave(&netd.wq.lock);

    netd.kicked = true;
    wq_wake_all_locked(&netd.wq);
    spin_unlock_irqrestore(&netd.wq.lock, tok);
}

void net_unlock(void)
{
    mutex_unlock(&netd.lock);
    netd_kick();
}

void net_rx_irq(void *arg, const void *frame, size_t len)
{
    struct rx_frame *f;
    uint64_t tok;

    if (netd.rxq_len >= NETD_RXQ_MAX || !(f = kmalloc(sizeof(*f) + len))) {
        net_counters.rx_queue_drops++;
        return;
    }
    f->nif = arg;
    f->len = len;
    memcpy(f->data, frame, len);
    tok = spin_lock_irqsave(&netd.wq.lock);
    if (netd.rxq_len >= NETD_RXQ_MAX) {
        spin_unlock_irqrestore(&netd.wq.lock, tok);
        kfree(f);
        net_counters.rx_queue_drops++;
        return;
    }
    list_push_back(&netd.rxq, &f->node);
    netd.rxq_len++;
    net_counters.rx_frames++;
    wq_wake_all_locked(&netd.wq);
    spin_unlock_irqrestore(&netd.wq.lock, tok);
}

static struct rx_frame *rxq_pop(void)
{
    uint64_t tok = spin_lock_irqsave(&netd.wq.lock);
    struct list_node *n = list_pop_front(&netd.rxq);

    if (n)
        netd.rxq_len--;
    spin_unlock_irqrestore(&netd.wq.lock, tok);
    return n ? container_of(n, struct rx_frame, node) : NULL;
}

/* Feed at most max queued frames to lwIP; returns how many. */
static unsigned rx_drain(unsigned max)
{
    unsigned n = 0;
    struct rx_frame *f;

    while (n < max && (f = rxq_pop())) {
        net_if_input(f->nif, f->data, f->len);
        kfree(f);
        n++;
    }
    return n;
}

void net_poll(void)
{
    while (rx_drain(NETD_BATCH) == NETD_BATCH)
        ;
    netif_poll_all();
    sys_check_timeouts();
}

/* Sleep until a frame or kick arrives, or lwIP's next timeout is due. */
static void netd_sleep(void)
{
    uint32_t ms = sys_timeouts_sleeptime();
    uint64_t deadline =
        ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE ? UINT64_MAX : hal_clock_ns() + ms * 1000000ULL;
    uint64_t tok = spin_lock_irqsave(&netd.wq.lock);

    while (!netd.kicked && list_empty(&netd.rxq)) {
        if (wq_wait_locked(&netd.wq, &tok, deadline) == -ETIMEDOUT)
            break;
    }
    netd.kicked = false;
    spin_unlock_irqrestore(&netd.wq.lock, tok);
}

static void netd_main(void *unused)
{
    (void)unused;
    for (;;) {
        unsigned n;

        mutex_lock(&netd.lock);
        n = rx_drain(NETD_BATCH);
        netif_poll_all();
        sys_check_timeouts();
        net_counters.wakeups++;
        mutex_unlock(&netd.lock);
        if (n == NETD_BATCH)
            thread_yield(); /* more queued: let lock waiters in, then go on */
        else
            netd_sleep();
    }
}

static int net_core_init(void)
{
    if (netd.inited)
        return -EALREADY;
    netd.inited = true;
    mutex_init(&netd.lock, "net");
    wq_init(&netd.wq, "netd");
    list_init(&netd.rxq);
    net_port_mem_init();
    lwip_init();
    return 0;
}

int net_init_direct(void)
{
    return net_core_init();
}

int net_init(void)
{
    int rc = net_core_init();

    if (rc)
        return rc;
    netd.thread = thread_create("netd", netd_main, NULL);
    if (!netd.thread)
        return -ENOMEM;
    thread_detach(netd.thread);
    netd.threaded = true;
    return 0;
}

void net_get_stats(struct net_stats *st)
{
    *st = net_counters;
}
