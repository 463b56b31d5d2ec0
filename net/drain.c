/*
 * drain.c - letting TCP finish sending when the program ends.
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

#define DRAIN_POLL_NS 10000000ull

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
        bool busy;

        net_lock();
        busy = tcp_in_flight_locked();
        net_unlock();
        if (!busy)
            return 0;
        if (hal_clock_ns() >= deadline)
            return -ETIMEDOUT;
        sched_sleep_ns(DRAIN_POLL_NS);
    }
}
