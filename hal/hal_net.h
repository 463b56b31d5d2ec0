/*
 * hal_net.h - network devices carrying Ethernet frames.
 *
 * Virtio-net on bare metal; in the hosted backend an in-process wire between two endpoints
 * with seeded loss/reorder/duplication knobs.
 *
 * Offloads (info.offloads) are what the device does for the stack, as Linux's netdev features:
 * completing a TCP/UDP checksum the stack leaves partial, cutting one large TCP frame into
 * MSS-sized wire segments (TSO), and on receive vouching for checksums and handing over TCP
 * segments larger than the MTU that the peer did not cut (virtio's GUEST_TSO, Linux's GRO).
 */
#ifndef HAL_NET_H
#define HAL_NET_H

#include <stddef.h>
#include <stdint.h>

struct hal_net; /* opaque device handle */

struct hal_net_info {
    uint8_t mac[6];
    uint16_t mtu; /* IP MTU; frames are at most mtu + 14 bytes, except the offloads' below */
    char name[16];
    unsigned offloads; /* HAL_NET_TX_* / HAL_NET_RX_*: what the device does for the stack */
};

/* The device completes a TCP or UDP checksum for hal_net_transmit_csum (virtio-net's
 * VIRTIO_NET_F_CSUM, offered with a tap backend; not by QEMU's user networking). */
#define HAL_NET_TX_CSUM 1u
/* hal_net_transmit_gso: the device cuts a TCP frame of up to HAL_NET_GSO_MAX bytes into
 * wire segments (virtio HOST_TSO4 and HOST_TSO6). Implies HAL_NET_TX_CSUM. */
#define HAL_NET_TX_TSO 2u
/* Received frames may carry HAL_NET_RXF_CSUM_OK (virtio GUEST_CSUM). */
#define HAL_NET_RX_CSUM 4u
/* Received TCP frames may be up to HAL_NET_GSO_MAX bytes (virtio GUEST_TSO4/6 with mergeable
 * buffers): segments the host coalesced or never cut. They carry HAL_NET_RXF_CSUM_OK. */
#define HAL_NET_RX_LARGE 8u

/* The largest frame an offload carries: a 64 KiB IP packet and its Ethernet header. */
#define HAL_NET_GSO_MAX (65535u + 14u)

/* A piece of a frame. */
struct hal_net_seg {
    const void *data;
    size_t len;
};

/* A received frame: the pieces in order (mergeable buffers: several; else one), len bytes in
 * all, and what the device says of it. Valid only during the rx callback. */
struct hal_net_rx {
    const struct hal_net_seg *seg;
    unsigned nseg;
    size_t len;
    unsigned flags;
};
/* The TCP/UDP checksum is either verified by the device or was never computed because the
 * sender is on this host and left it partial (virtio DATA_VALID / NEEDS_CSUM): the stack
 * must not check it. Frames without the flag are checked as usual. */
#define HAL_NET_RXF_CSUM_OK 1u

/* Receive callback. Interrupt context; must not sleep. */
typedef void hal_net_rx_fn(void *arg, const struct hal_net_rx *rx);

unsigned hal_net_count(void);
struct hal_net *hal_net_get(unsigned index);
void hal_net_get_info(struct hal_net *dev, struct hal_net_info *info);

/* Set (or clear, with NULL) the receive callback. Frames arriving without one are dropped. */
void hal_net_set_rx(struct hal_net *dev, hal_net_rx_fn *fn, void *arg);

/*
 * Room again on transmit: after a hal_net_transmit* call returned -EAGAIN, the device calls fn
 * once, in interrupt context, when it has taken frames off its queue (virtio: the device
 * returned tx buffers), so the stack can send what it kept waiting. Not called while nothing
 * was refused. NULL: no callback. Must not sleep.
 */
typedef void hal_net_tx_fn(void *arg);
void hal_net_set_tx_ready(struct hal_net *dev, hal_net_tx_fn *fn, void *arg);

/*
 * Frames the device accepted and has not finished with (virtio: tx buffers posted and not yet
 * returned by the device: a VM that ends now loses them). The exit drain waits for 0
 * (net/drain.c). Any context.
 */
unsigned hal_net_tx_pending(struct hal_net *dev);

/*
 * Transmit one frame; the bytes are copied before return. Returns 0, -EMSGSIZE (too long),
 * or -EAGAIN (queue full). Never sleeps; any context.
 */
int hal_net_transmit(struct hal_net *dev, const void *frame, size_t len);

/*
 * hal_net_transmit, and the 16-bit checksum at frame[start + offset] is completed: the one's
 * complement of the sum of the bytes from start to the end, the field's value included (the
 * caller puts the pseudo-header's sum there), stored big-endian. The device does it when its
 * offloads say HAL_NET_TX_CSUM, else the HAL does it in software. -EINVAL when the field does
 * not fit in the frame; otherwise as hal_net_transmit.
 */
int hal_net_transmit_csum(struct hal_net *dev, const void *frame, size_t len, uint16_t start,
                          uint16_t offset);

/* How hal_net_transmit_gso cuts a frame. */
struct hal_net_gso {
    uint16_t hdr_len;    /* Ethernet + IP + TCP header (options included) */
    uint16_t mss;        /* TCP payload bytes per wire segment (the last may be shorter) */
    uint16_t csum_start; /* the TCP header's offset in the frame */
    uint8_t ipv6;        /* 0: TCP over IPv4 without options or fragments; 1: TCP over IPv6
                            without extension headers */
};

/*
 * Transmit one TCP frame made of the pieces seg[0..nseg) (copied before return), cut into
 * wire segments of gso->mss payload bytes, as a device with HAL_NET_TX_TSO does (Linux's
 * tcp_gso_segment): each segment gets the header with its sequence number, IP length (and
 * IPv4 ID + i and header checksum), its TCP checksum completed; FIN and PSH stay only on the
 * last segment, CWR only on the first. The TCP checksum field must hold the pseudo-header's
 * sum over the whole frame's TCP length, as for hal_net_transmit_csum. 0, -EINVAL (the device
 * lacks HAL_NET_TX_TSO, or the header does not fit the frame), -EMSGSIZE (over
 * HAL_NET_GSO_MAX, or mss + hdr_len over the MTU), -EAGAIN (queue full). Any context.
 */
int hal_net_transmit_gso(struct hal_net *dev, const struct hal_net_seg *seg, unsigned nseg,
                         const struct hal_net_gso *gso);

#endif
