/*
 * txq.c - frames waiting, in order, for room in a device's transmit queue.
 *
 * A device refuses a frame (-EAGAIN) when its ring is full. Before this queue netif.c let
 * TCP's segments go then (lwIP counts them sent and learns of the loss only from a
 * retransmission timeout: a 2 MiB send buffer stalled 1.3 s on one); now the interface keeps
 * every frame from the first refused one on, in lwIP's order, and sends them when the device
 * says it has room again (hal_net_set_tx_ready) or the next time the network lock is let go.
 *
 * A queued frame is held by reference: lwIP's TCP does not rewrite a segment whose pbuf it
 * does not hold alone (tcp_output_segment_busy), so a queued segment keeps its header until
 * it is sent. A chain with volatile data (PBUF_REF: lwIP's fragments, a caller's buffer) is
 * copied instead, as lwIP's own ARP queue does. The ring is fixed (NET_TXQ_MAX frames, one
 * array per interface); past it the interface says ERR_MEM and TCP keeps the segment unsent.
 */
#include "lwip/pbuf.h"
#include "net/net_internal.h"

static bool chain_volatile(const struct pbuf *p)
{
    for (; p; p = p->next) {
        if (PBUF_NEEDS_COPY(p))
            return true;
    }
    return false;
}

bool net_txq_push(struct net_txq *q, struct pbuf *p)
{
    if (q->len == NET_TXQ_MAX)
        return false;
    if (chain_volatile(p)) {
        p = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
        if (!p)
            return false;
    } else {
        pbuf_ref(p);
    }
    q->ring[(q->head + q->len) % NET_TXQ_MAX] = p;
    q->len++;
    if (q->len > q->peak)
        q->peak = q->len;
    return true;
}

struct pbuf *net_txq_peek(const struct net_txq *q)
{
    return q->len ? q->ring[q->head] : NULL;
}

void net_txq_pop(struct net_txq *q)
{
    if (!q->len)
        return;
    pbuf_free(q->ring[q->head]);
    q->head = (q->head + 1) % NET_TXQ_MAX;
    q->len--;
}

void net_txq_drop(struct net_txq *q)
{
    while (q->len)
        net_txq_pop(q);
}
