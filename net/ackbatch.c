/*
 * ackbatch.c - one ACK per connection per batch of received frames (a stretch ACK).
 *
 * lwIP acknowledges every second full segment at once (tcp_ack: the first sets TF_ACK_DELAY,
 * the second TF_ACK_NOW). The network thread feeds lwIP a batch of frames per lock hold
 * (netd.c rx_drain), and on QEMU's user networking each ACK is a trip through the guest's
 * driver, the device and slirp: Petrel sent one per 1.9 segments received where the Linux
 * guest, whose GRO merges a batch before TCP sees it, sends one per 31 (bench/README.md).
 *
 * So, while a batch is fed (net_ack_batch_begin .. net_ack_batch_end), lwIP's hook
 * (LWIP_HOOK_TCP_ACK_HOLD, net/lwip-patches/0030) may hold the ACK of in-order data: the
 * connection keeps TF_ACK_DELAY, is marked with this batch's number (its ext arg slot), and
 * when the batch ends every marked connection whose flag is still set sends one ACK for all
 * it received (with data, if it has some to send). What is never held:
 *   - anything lwIP acknowledges at once by itself: a FIN, a SYN, an out-of-order segment (the
 *     duplicate ACK with its SACK blocks that fast retransmit needs), a segment outside the
 *     window, a zero-window probe: those set TF_ACK_NOW directly, and the ACK they send (like
 *     any ACK or data segment) clears TF_ACK_DELAY, so the batch's end sends nothing more;
 *   - ACKs while the connection has out-of-order data queued (the peer is recovering a loss);
 *   - more than NET_ACK_HOLD_MAX bytes unacknowledged: a bulk sender is never starved;
 *   - window updates after the application reads (tcp_recved): not in a batch;
 *   - anything past the batch: the end flushes before the thread lets the lock go, and a
 *     hold outside a batch (net_poll, tests calling lwIP directly) is refused.
 * A connection freed or moved to TIME-WAIT during the batch is not on tcp_active_pcbs when
 * the batch ends, so it is never touched; a new pcb starts with its slot empty.
 *
 * Window updates (net_tcp_wnd_update, lwip-patches/0031): lwIP told the peer of a larger
 * window at every read that moved its right edge by 4 MSS, one more pure ACK per batch when
 * the program reads after each. Linux (tcp_cleanup_rbuf) sends one only when the window the
 * peer knows of has shrunk to half the largest or less and the new one is at least twice
 * that; otherwise the next ACK of data carries it. So does this: a reader that keeps up sends
 * none, a peer blocked on a closed window is told as soon as a read opens at least what lwIP
 * lets it announce (an MSS: silly window avoidance, tcp_update_rcv_ann_wnd).
 *
 * Network lock held throughout.
 */
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "net/net_internal.h"
#include "net/port/hooks.h"

#if !LWIP_TCP_TIMESTAMPS || LWIP_TCP_PCB_NUM_EXT_ARGS < 1
#error "ackbatch.c needs ts_lastacksent (LWIP_TCP_TIMESTAMPS) and one tcp ext arg slot"
#endif

/* At most this many bytes go unacknowledged on one connection: Linux's GRO merges up to
 * 64 KiB, then acknowledges every second merged segment. */
#define NET_ACK_HOLD_MAX (64u * 1024u)

static struct {
    bool active;      /* a batch is being fed to lwIP */
    bool id_valid;    /* ext_id allocated (once per process: lwIP never resets its counter) */
    uint8_t ext_id;   /* the tcp ext arg slot that carries a connection's batch number */
    uintptr_t number; /* this batch's number, never 0 (0: an empty slot) */
    unsigned held;    /* connections marked in this batch */
} ab;

void net_ack_batch_begin(void)
{
    if (!ab.id_valid) {
        ab.ext_id = tcp_ext_arg_alloc_id();
        ab.id_valid = true;
    }
    ab.active = true;
    ab.held = 0;
    if (++ab.number == 0)
        ab.number = 1;
}

/* lwIP's hook, in tcp_receive, for in-order data that would make it acknowledge now. */
int net_tcp_ack_hold(struct tcp_pcb *pcb)
{
    if (!ab.active || pcb->ooseq != NULL ||
        (u32_t)(pcb->rcv_nxt - pcb->ts_lastacksent) >= NET_ACK_HOLD_MAX)
        return 0;
    if ((uintptr_t)tcp_ext_arg_get(pcb, ab.ext_id) != ab.number) {
        tcp_ext_arg_set(pcb, ab.ext_id, (void *)ab.number);
        ab.held++;
    }
    net_counters.tcp_acks_held++;
    return 1;
}

int net_tcp_wnd_update(const struct tcp_pcb *pcb, u32_t inflation)
{
    u32_t known = 0, now = pcb->rcv_wnd; /* the window the peer knows of, the one it would */

    if (TCP_SEQ_GT(pcb->rcv_ann_right_edge, pcb->rcv_nxt))
        known = pcb->rcv_ann_right_edge - pcb->rcv_nxt;
    (void)inflation; /* > 0: lwIP's silly window avoidance allows an update */
    if (2 * (u64_t)known > TCP_WND_MAX(pcb))
        return 0;
    if (now < 2 * (u64_t)known)
        return 0;
    net_counters.tcp_wnd_updates++;
    return 1;
}

void net_ack_batch_end(void)
{
    if (!ab.active)
        return;
    ab.active = false;
    if (!ab.held)
        return;
    for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next) {
        if ((uintptr_t)tcp_ext_arg_get(p, ab.ext_id) != ab.number)
            continue;
        tcp_ext_arg_set(p, ab.ext_id, NULL);
        if (p->flags & TF_ACK_DELAY) { /* nothing acknowledged it since: one ACK now */
            tcp_ack_now(p);
            tcp_output(p);
            net_counters.tcp_acks_stretch++;
        }
    }
    ab.held = 0;
}
