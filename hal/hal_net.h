/*
 * hal_net.h - network devices carrying Ethernet frames.
 *
 * Virtio-net on bare metal; in the hosted backend an in-process wire between two endpoints
 * with seeded loss/reorder/duplication knobs.
 */
#ifndef HAL_NET_H
#define HAL_NET_H

#include <stddef.h>
#include <stdint.h>

struct hal_net; /* opaque device handle */

struct hal_net_info {
    uint8_t mac[6];
    uint16_t mtu; /* IP MTU; frames are at most mtu + 14 bytes */
    char name[16];
    unsigned offloads; /* HAL_NET_TX_CSUM: what the device does for the stack */
};

/* The device completes a TCP or UDP checksum for hal_net_transmit_csum (virtio-net's
 * VIRTIO_NET_F_CSUM, offered with a tap backend; not by QEMU's user networking). */
#define HAL_NET_TX_CSUM 1u

/* Receive callback: frame is only valid during the call. Interrupt context; must not sleep. */
typedef void hal_net_rx_fn(void *arg, const void *frame, size_t len);

unsigned hal_net_count(void);
struct hal_net *hal_net_get(unsigned index);
void hal_net_get_info(struct hal_net *dev, struct hal_net_info *info);

/* Set (or clear, with NULL) the receive callback. Frames arriving without one are dropped. */
void hal_net_set_rx(struct hal_net *dev, hal_net_rx_fn *fn, void *arg);

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

#endif
