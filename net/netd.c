/*
 * netd.c - the network thread, the network lock and the receive queue.
 *
 * Device interrupts must not run lwIP (it is not reentrant and may allocate), so the rx
 * callback copies the frame into a kmalloc'd node on netd.rxq (bounded: NETD_RXQ_MAX frames,
 * then drops, as a NIC ring would) and wakes the thread; lwIP later takes that node in place
 * (struct net_rxbuf), so a frame is copied once between the device and the socket. The thread, holding the network lock,
 * feeds queued frames to lwIP, delivers loopback packets, runs due lwIP timers, then sleeps
 * until the next lwIP timeout or a wake-up. Callers that enter lwIP (socket layer, tests) hold
 * the same lock; net_unlock() wakes the thread, since the caller may have armed an earlier
 * timeout or queued loopback packets.
 *
 * Locks: netd.wq.lock (irq-save spinlock) guards rxq, rxq_len, kicked and stop; it is taken in
 * the interrupt path, so nothing under it sleeps or calls lwIP. net_lock (mutex) guards lwIP.
 *
 * Life cycle: net_init() brings lwIP up; net_shutdown() stops and joins the thread, takes every
 * socket off its pcb, frees every pcb, interface, queued frame and timeout (net/teardown.c)
 * and checks that lwIP holds no byte any more, so net_init() can run again - later in the same
 * boot, or in the next hosted boot of the process (the kernel calls net_shutdown() when a
 * test entry returns). A hosted boot that ended with the stack still running left lwIP's
 * globals pointing into RAM that is gone: net_boot() notices and keeps sockets off for the
 * rest of the process (net_init() says -ENETDOWN) rather than let lwIP follow those pointers.
 */
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/lib/list.h"
#include "core/lib/log.h"
#include "core/sched/sched.h"
#include "hal/hal_net.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/timeouts.h"
#include "net/net_internal.h"

#define NETD_RXQ_MAX 1024u
#define NETD_BATCH 64u /* frames per lock hold, so callers get the lock between batches */

static struct {
    bool inited, threaded;
    bool broken; /* an earlier hosted boot left lwIP running: never again in this process */
    struct mutex lock;
    struct wait_queue wq; /* its lock guards the fields below */
    struct list rxq;
    unsigned rxq_len;
    bool kicked, stop;
    struct thread *thread;
    /* The earliest lwIP timeout (sys_now() ms) the thread will wake for; none: no timeout.
     * Network lock. */
    bool plan_none;
    uint32_t plan_ms;
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

/* Network lock held: remember the earliest timeout, the one the thread sleeps until. */
static void plan_note(void)
{
    struct sys_timeo *t = *sys_timeouts_get_next_timeout();

    netd.plan_none = t == NULL;
    netd.plan_ms = t ? t->time : 0;
}

/* Network lock held: has the caller left the thread work it did not plan for? */
static bool plan_outdated(void)
{
    struct sys_timeo *t = *sys_timeouts_get_next_timeout();
    struct netif *n;

    if (t && (netd.plan_none || (int32_t)(t->time - netd.plan_ms) < 0))
        return true;
    NETIF_FOREACH(n) {
        if (n->loop_first)
            return true;
    }
    return false;
}

void net_unlock(void)
{
    bool kick;

    net_if_tx_flush();
    kick = !netd.threaded || plan_outdated();

    mutex_unlock(&netd.lock);
    if (kick)
        netd_kick();
}

/* A copy of the device's frame (short ones zero-padded to Ethernet's minimum: lwIP's ARP
 * input reads its 28-byte header without checking the frame's length, found by fuzz/net_rx,
 * relying on the minimum frame size NICs guarantee). */
static struct net_rxbuf *rxbuf_copy(struct netif *nif, const struct hal_net_rx *rx)
{
    size_t size = rx->len < 60 ? 60 : rx->len, off = 0;
    struct net_rxbuf *b = kmalloc(sizeof(*b) + size);

    if (!b)
        return NULL;
    for (unsigned i = 0; i < rx->nseg; i++) {
        memcpy(b->data + off, rx->seg[i].data, rx->seg[i].len);
        off += rx->seg[i].len;
    }
    memset(b->data + off, 0, size - off);
    b->nif = nif;
    b->len = rx->len;
    b->flags = rx->flags;
    b->charged = 0;
    return b;
}

void net_rx_irq(void *arg, const struct hal_net_rx *rx)
{
    struct net_rxbuf *b;
    uint64_t tok;
    size_t len = 0;

    for (unsigned i = 0; i < rx->nseg; i++)
        len += rx->seg[i].len;
    if (len != rx->len || len == 0 || len > HAL_NET_GSO_MAX ||
        netd.rxq_len >= NETD_RXQ_MAX || !(b = rxbuf_copy(arg, rx))) {
        net_counters.rx_queue_drops++;
        return;
    }
    tok = spin_lock_irqsave(&netd.wq.lock);
    if (netd.rxq_len >= NETD_RXQ_MAX) {
        spin_unlock_irqrestore(&netd.wq.lock, tok);
        kfree(b);
        net_counters.rx_queue_drops++;
        return;
    }
    list_push_back(&netd.rxq, &b->node);
    netd.rxq_len++;
    net_counters.rx_frames++;
    wq_wake_all_locked(&netd.wq);
    spin_unlock_irqrestore(&netd.wq.lock, tok);
}

void net_tx_ready_irq(void *arg)
{
    (void)arg;
    net_counters.tx_ready++;
    netd_kick(); /* its loop ends in net_if_tx_flush, which sends the interfaces' backlogs */
}

static struct net_rxbuf *rxq_pop(void)
{
    uint64_t tok = spin_lock_irqsave(&netd.wq.lock);
    struct list_node *n = list_pop_front(&netd.rxq);

    if (n)
        netd.rxq_len--;
    spin_unlock_irqrestore(&netd.wq.lock, tok);
    return n ? container_of(n, struct net_rxbuf, node) : NULL;
}

/* Feed at most max queued frames to lwIP, as one batch (ackbatch.c); returns how many. */
static unsigned rx_drain(unsigned max)
{
    unsigned n = 0;
    struct net_rxbuf *b;

    net_ack_batch_begin();
    while (n < max && (b = rxq_pop())) {
        net_if_input(b);
        n++;
    }
    net_ack_batch_end(); /* the ACKs held in the batch, one per connection */
    return n;
}

void net_poll(void)
{
    while (rx_drain(NETD_BATCH) == NETD_BATCH)
        ;
    net_if_poll_loops();
    sys_check_timeouts();
    net_if_tx_flush();
}

/* Sleep until a frame or kick arrives, or lwIP's next timeout (in ms) is due. */
static void netd_sleep(uint32_t ms)
{
    uint64_t deadline =
        ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE ? UINT64_MAX : hal_clock_ns() + ms * 1000000ULL;
    uint64_t tok = spin_lock_irqsave(&netd.wq.lock);

    while (!netd.kicked && !netd.stop && list_empty(&netd.rxq)) {
        if (wq_wait_locked(&netd.wq, &tok, deadline) == -ETIMEDOUT)
            break;
    }
    netd.kicked = false;
    spin_unlock_irqrestore(&netd.wq.lock, tok);
}

static bool netd_stopping(void)
{
    return __atomic_load_n(&netd.stop, __ATOMIC_ACQUIRE);
}

static void netd_main(void *unused)
{
    (void)unused;
    while (!netd_stopping()) {
        unsigned n;
        uint32_t ms;

        mutex_lock(&netd.lock);
        n = rx_drain(NETD_BATCH);
        net_if_poll_loops();
        sys_check_timeouts();
        net_if_tx_flush();
        ms = sys_timeouts_sleeptime();
        plan_note();
        net_counters.wakeups++;
        mutex_unlock(&netd.lock);
        if (n == NETD_BATCH)
            thread_yield(); /* more queued: let lock waiters in, then go on */
        else
            netd_sleep(ms);
    }
}

static int net_core_init(void)
{
    if (netd.broken)
        return -ENETDOWN;
    if (netd.inited)
        return -EALREADY;
    netd.inited = true;
    mutex_init(&netd.lock, "net");
    wq_init(&netd.wq, "netd");
    list_init(&netd.rxq);
    net_port_mem_init();
    sock_layer_init();
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
    if (!netd.thread) {
        net_shutdown();
        return -ENOMEM;
    }
    netd.threaded = true;
    return 0;
}

static void netd_stop(void)
{
    uint64_t tok = spin_lock_irqsave(&netd.wq.lock);

    __atomic_store_n(&netd.stop, true, __ATOMIC_RELEASE);
    wq_wake_all_locked(&netd.wq);
    spin_unlock_irqrestore(&netd.wq.lock, tok);
    thread_join(netd.thread);
    netd.thread = NULL;
}

static void rx_drop_all(void)
{
    struct net_rxbuf *b;

    while ((b = rxq_pop()))
        kfree(b);
}

int net_shutdown(void)
{
    bool threaded = netd.threaded;
    int rc = 0;

    if (!netd.inited)
        return 0;
    if (netd.thread)
        netd_stop();
    if (threaded)
        mutex_lock(&netd.lock);
    net_if_stop_rx();
    rx_drop_all();
    sock_layer_shutdown();
    net_lwip_teardown();
    net_port_mem_drain();
    if (threaded)
        mutex_unlock(&netd.lock);
    if (net_counters.mem_in_use) {
        log_err("net: lwIP still holds %llu bytes after shutdown",
                (unsigned long long)net_counters.mem_in_use);
        rc = -EBUSY;
    }
    /* The lock and queue stay usable: a socket that outlived the stack may still be closed */
    netd.inited = netd.threaded = netd.stop = netd.kicked = false;
    if (rc == 0) /* after a leak the byte count stays, so the frees that follow balance it */
        memset(&net_counters, 0, sizeof(net_counters));
    return rc;
}

void net_boot(void)
{
    net_config_use(NULL); /* this boot's manifest says again (hosted: boots share statics) */
    if (netd.inited && !netd.broken) {
        log_err("net: an earlier boot ended with the network stack running; "
                "sockets are unavailable in this process");
        memset(&netd, 0, sizeof(netd));
        netd.broken = true;
    }
}

/* Every device with the manifest's configuration (net_config_use), by default DHCPv4, SLAAC
 * and stateless DHCPv6 with the first one the default route. */
int net_start(void)
{
    int rc;

    if (netd.threaded)
        return 0;
    rc = net_init();
    if (rc)
        return rc == -EALREADY ? 0 : rc;
    for (unsigned i = 0; i < hal_net_count(); i++) {
        struct net_if_config cfg;

        net_config_for(i, &cfg);
        rc = net_if_add(i, &cfg, NULL);
        if (rc)
            return rc;
    }
    return 0;
}

void net_get_stats(struct net_stats *st)
{
    *st = net_counters;
}
