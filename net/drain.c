/*
 * drain.c - letting TCP (and the interfaces) finish sending when the program ends.
 *
 * On Linux a process that writes to a socket and exits leaves its data to the kernel, which
 * sends it after the process is gone. Here the VM ends with the program, and whatever lwIP
 * still holds (segments not yet sent, or sent and not acknowledged, a FIN in flight) would
 * end with it: a client that writes a request body and exits, a server that answers and
 * exits, would lose their last bytes. So the exit path (core/proc proc_exit) calls
 * net_drain() first: it waits, polling every 10 ms, until no connection has anything in
 * flight, or until its time is up (a peer that stopped reading would otherwise hold the VM
 * for ever). Polling keeps it out of lwIP's callbacks; it runs once, at the very end.
 *
 * Frames sent without a connection to wait for (a UDP datagram just before exit) must leave
 * too: the drain also waits until no interface holds a frame in its backlog (txq.c) or held to
 * merge, and no device has one it has not finished with (hal_net_tx_pending: a virtio tx
 * buffer QEMU has not taken yet is lost when the VM powers off). Those take microseconds, so
 * while only they remain it polls every millisecond.
 *
 * Before it, net_close_all() closes every socket as the process's exit closes its descriptors
 * on Linux: each connection then sends its FIN after its data (or a RST, when it had unread
 * data or SO_LINGER {1, 0}, and for a listener's unaccepted connections), so a peer waiting
 * for end-of-file sees it, and the drain waits for that FIN to be acknowledged too.
 */
#include "core/sched/sched.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "net/net_internal.h"

#define DRAIN_POLL_NS 10000000ull   /* while TCP waits for its peer */
#define DRAIN_TX_POLL_NS 1000000ull /* while only frames wait for the device */

/* A connection with bytes or a FIN not yet acknowledged by its peer (network lock held). */
static bool tcp_in_flight_locked(void)
{
    for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next) {
        if (p->unsent || p->unacked)
            return true;
        if (p->state == FIN_WAIT_1 || p->state == CLOSING || p->state == LAST_ACK)
            return true;
    }
    return false;
}

void net_close_all(void)
{
    if (!net_threaded())
        return;
    net_lock();
    sock_close_all_locked();
    net_unlock();
}

int net_drain(uint64_t timeout_ns)
{
    uint64_t deadline = hal_clock_ns() + timeout_ns;

    if (!net_threaded())
        return 0;
    for (;;) {
        bool tcp, tx;

        net_lock();
        tcp = tcp_in_flight_locked();
        net_if_tx_flush(); /* what waits goes now if the device has room */
        tx = net_if_tx_busy();
        net_unlock();
        if (!tcp && !tx)
            return 0;
        if (hal_clock_ns() >= deadline)
            return -ETIMEDOUT;
        sched_sleep_ns(tcp ? DRAIN_POLL_NS : DRAIN_TX_POLL_NS);
    }
}
