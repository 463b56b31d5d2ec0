/*
 * blk.c - virtio-blk (virtio 1.x section 5.2) behind hal/hal_blk.h.
 *
 * One request queue. Each in-flight request owns a "slot": three descriptors at fixed
 * positions 3s, 3s+1, 3s+2 (header, data, status) and a header+status cell in a DMA page,
 * so descriptors are never chained dynamically and the device's used ids map straight back
 * to slots. With 128 queue entries, 42 requests are in flight at most; more get -EAGAIN.
 *
 *   READ/WRITE:  [hdr: type, sector] -> [data: buf, len (device writes on READ)] -> [status]
 *   FLUSH:       [hdr: type 4] -> [status]
 *
 * Completions run in the device's interrupt: ids come from the device, so each is checked
 * (in range, a slot we submitted, not yet completed) before it is trusted; a queue the
 * device corrupts (used index running ahead) is marked broken and no longer served.
 * Callbacks run after the queue lock is dropped, so they may submit again.
 */
#include "hal/hal_blk.h"
#include "hal/hal_console.h"
#include "hal/hal_errno.h"
#include "hal/hal_mem.h"
#include "hal_x86/virtio/virtio.h"

#define MAX_BLK 8
#define BLK_F_SIZE_MAX (1ULL << 1)
#define BLK_F_RO (1ULL << 5)
#define BLK_F_FLUSH (1ULL << 9)
#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define MAX_SLOTS 42
#define DEFAULT_MAX_REQ (256u * 1024)

struct blk_cell { /* in DMA memory, one per slot */
    uint32_t type, reserved;
    uint64_t sector;
    uint8_t status;
    uint8_t pad[7];
};

struct hal_blk {
    struct virtio_dev *vdev;
    struct virtq q;
    unsigned nslots;
    struct hal_blk_req *inflight[MAX_SLOTS]; /* NULL: slot free */
    struct blk_cell *cells;
    uint64_t cells_pa;
    volatile uint32_t lock;
    struct hal_blk_info info;
};

static struct hal_blk blks[MAX_BLK];
static unsigned nblk;

static uint64_t lock(struct hal_blk *b)
{
    return x86_lock_irqsave(&b->lock);
}

static void unlock(struct hal_blk *b, uint64_t flags)
{
    x86_unlock_irqrestore(&b->lock, flags);
}

unsigned hal_blk_count(void)
{
    return nblk;
}

struct hal_blk *hal_blk_get(unsigned index)
{
    return index < nblk ? &blks[index] : NULL;
}

void hal_blk_get_info(struct hal_blk *dev, struct hal_blk_info *info)
{
    *info = dev->info;
}

static int check_req(struct hal_blk *b, const struct hal_blk_req *r)
{
    if (r->op == HAL_BLK_FLUSH)
        return 0;
    if (r->op != HAL_BLK_READ && r->op != HAL_BLK_WRITE)
        return -EINVAL;
    if (r->len == 0 || r->len % HAL_BLK_SECTOR || r->len > b->info.max_req_bytes || !r->buf)
        return -EINVAL;
    uint64_t n = r->len / HAL_BLK_SECTOR;
    if (r->sector >= b->info.nsectors || n > b->info.nsectors - r->sector)
        return -EINVAL;
    if (r->op == HAL_BLK_WRITE && b->info.read_only)
        return -EROFS;
    return 0;
}

static void fill_slot(struct hal_blk *b, unsigned s, struct hal_blk_req *r)
{
    volatile struct virtq_desc *d = &b->q.desc[3 * s];
    struct blk_cell *c = &b->cells[s];
    uint64_t cell_pa = b->cells_pa + s * sizeof(*c);

    c->type = r->op == HAL_BLK_READ ? T_IN : r->op == HAL_BLK_WRITE ? T_OUT : T_FLUSH;
    c->reserved = 0;
    c->sector = r->op == HAL_BLK_FLUSH ? 0 : r->sector;
    c->status = 0xff;
    d[0].addr = cell_pa;
    d[0].len = 16;
    d[0].flags = VIRTQ_DESC_F_NEXT;
    d[2].addr = cell_pa + 16;
    d[2].len = 1;
    d[2].flags = VIRTQ_DESC_F_WRITE;
    d[2].next = 0;
    if (r->op == HAL_BLK_FLUSH) {
        d[0].next = (uint16_t)(3 * s + 2);
        return;
    }
    d[0].next = (uint16_t)(3 * s + 1);
    d[1].addr = hal_virt_to_phys(r->buf);
    d[1].len = (uint32_t)r->len;
    d[1].flags = VIRTQ_DESC_F_NEXT | (r->op == HAL_BLK_READ ? VIRTQ_DESC_F_WRITE : 0);
    d[1].next = (uint16_t)(3 * s + 2);
}

int hal_blk_submit(struct hal_blk *b, struct hal_blk_req *r)
{
    int rc = check_req(b, r);
    if (rc)
        return rc;
    uint64_t fl = lock(b);
    if (b->q.broken) {
        unlock(b, fl);
        return -EIO;
    }
    unsigned s = 0;
    while (s < b->nslots && b->inflight[s])
        s++;
    if (s == b->nslots) {
        unlock(b, fl);
        return -EAGAIN;
    }
    b->inflight[s] = r;
    fill_slot(b, s, r);
    virtq_push(&b->q, (uint16_t)(3 * s));
    b->vdev->ops->notify(b->vdev, 0);
    unlock(b, fl);
    return 0;
}

/* Interrupt: collect finished requests under the lock, call them back after. */
static void blk_irq(void *arg)
{
    struct hal_blk *b = arg;
    struct hal_blk_req *done[MAX_SLOTS];
    int status[MAX_SLOTS];
    unsigned n = 0;
    uint32_t id, len;

    b->vdev->ops->irq_ack(b->vdev);
    uint64_t fl = lock(b);
    while (n < MAX_SLOTS && virtq_pop(&b->q, &id, &len)) {
        unsigned s = id / 3;
        if (id % 3 || s >= b->nslots || !b->inflight[s])
            continue; /* not a head we have in flight: ignore the device's word */
        uint8_t st = ((volatile struct blk_cell *)&b->cells[s])->status;
        status[n] = st == 0 ? 0 : -EIO;
        done[n++] = b->inflight[s];
        b->inflight[s] = NULL;
    }
    unlock(b, fl);
    for (unsigned i = 0; i < n; i++)
        done[i]->done(done[i], status[i]);
}

static void say(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    hal_console_write(s, n);
}

void virtio_blk_probe(struct virtio_dev *d)
{
    if (nblk >= MAX_BLK)
        return;
    struct hal_blk *b = &blks[nblk];
    uint64_t f = virtio_negotiate(d, BLK_F_SIZE_MAX | BLK_F_RO | BLK_F_FLUSH);
    if (!f || !(f & BLK_F_FLUSH)) {
        d->ops->set_status(d, VIRTIO_STATUS_FAILED);
        say("virtio-blk: device without VERSION_1 or FLUSH skipped\n");
        return;
    }
    unsigned qmax = d->ops->queue_max(d, 0);
    uint64_t cells = early_page_alloc();
    if (qmax == 0 || !cells || virtq_alloc(&b->q, qmax) != 0)
        goto fail;
    b->vdev = d;
    b->cells_pa = cells;
    b->cells = hal_phys_to_virt(cells);
    b->nslots = b->q.size / 3 < MAX_SLOTS ? b->q.size / 3 : MAX_SLOTS;
    if (d->ops->irq_setup(d, blk_irq, b) != 0 ||
        d->ops->queue_setup(d, 0, b->q.size, b->q.desc_pa, b->q.avail_pa, b->q.used_pa) != 0)
        goto fail;

    b->info.nsectors = d->ops->config_read(d, 0, 4) | (uint64_t)d->ops->config_read(d, 4, 4) << 32;
    b->info.max_req_bytes = DEFAULT_MAX_REQ;
    if (f & BLK_F_SIZE_MAX) {
        uint32_t sm = d->ops->config_read(d, 8, 4) & ~(HAL_BLK_SECTOR - 1);
        if (sm && sm < b->info.max_req_bytes)
            b->info.max_req_bytes = sm;
    }
    b->info.read_only = f & BLK_F_RO;
    b->info.name[0] = 'v';
    b->info.name[1] = 'd';
    b->info.name[2] = (char)('a' + nblk);
    b->info.name[3] = 0;
    d->ops->set_status(d, VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
                              VIRTIO_STATUS_DRIVER_OK);
    nblk++;
    return;
fail:
    d->ops->set_status(d, VIRTIO_STATUS_FAILED);
    say("virtio-blk: device setup failed\n");
}
