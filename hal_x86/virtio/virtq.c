/*
 * virtq.c - split virtqueues (virtio 1.x, section 2.7) and the common device start.
 *
 * Layout, in pages from the early allocator (physically contiguous, zeroed):
 *
 *   page 0:  descriptor table (16 B x size) | available ring (6 + 2 x size B)
 *   page 1:  used ring (6 + 8 x size B)
 *
 * size <= 128 keeps each part within its page. Values the device writes (used index, ids,
 * lengths) are checked by the caller and here; they never index memory unchecked.
 */
#include "hal/hal_cpu.h"
#include "hal/hal_errno.h"
#include "hal/hal_mem.h"
#include "hal_x86/virtio/virtio.h"

#define VIRTQ_MAX 128

int virtq_alloc(struct virtq *q, unsigned max)
{
    unsigned size = VIRTQ_MAX;
    while (size > max)
        size >>= 1;
    if (size < 4)
        return -EINVAL;
    uint64_t pa = early_alloc_contig(2);
    if (!pa)
        return -ENOMEM;
    q->size = size;
    q->last_used = q->avail_idx = 0;
    q->broken = false;
    q->desc_pa = pa;
    q->avail_pa = pa + 16 * size;
    q->used_pa = pa + HAL_PAGE_SIZE;
    q->desc = hal_phys_to_virt(q->desc_pa);
    q->avail = hal_phys_to_virt(q->avail_pa);
    q->used = hal_phys_to_virt(q->used_pa);
    return 0;
}

void virtq_push(struct virtq *q, uint16_t head)
{
    q->avail[2 + (q->avail_idx & (q->size - 1))] = head;
    hal_barrier(); /* the ring entry before the index the device polls */
    q->avail_idx++;
    q->avail[1] = q->avail_idx;
    hal_barrier(); /* the index before the notify that follows */
}

bool virtq_pop(struct virtq *q, uint32_t *id, uint32_t *len)
{
    if (q->broken)
        return false;
    uint16_t used_idx = *(volatile uint16_t *)(q->used + 2);
    uint16_t pending = (uint16_t)(used_idx - q->last_used);
    if (pending == 0)
        return false;
    if (pending > q->size) {
        q->broken = true;
        return false;
    }
    hal_barrier(); /* read the element only after seeing the index */
    volatile uint32_t *e = (volatile uint32_t *)(q->used + 4 + 8 * (q->last_used & (q->size - 1)));
    *id = e[0];
    *len = e[1];
    q->last_used++;
    return true;
}

uint64_t virtio_negotiate(struct virtio_dev *d, uint64_t wanted)
{
    d->ops->set_status(d, 0);
    d->ops->set_status(d, VIRTIO_STATUS_ACK);
    d->ops->set_status(d, VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER);
    uint64_t f = d->ops->get_features(d) & (wanted | VIRTIO_F_VERSION_1);
    if (!(f & VIRTIO_F_VERSION_1))
        goto fail;
    d->ops->set_features(d, f);
    d->ops->set_status(d, VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    if (!(d->ops->get_status(d) & VIRTIO_STATUS_FEATURES_OK))
        goto fail;
    return f;
fail:
    d->ops->set_status(d, VIRTIO_STATUS_FAILED);
    return 0;
}
