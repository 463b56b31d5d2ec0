/*
 * blkdev.c - TFS's synchronous block device over the HAL's asynchronous one.
 *
 * One tfs_dev call becomes one or more hal_blk requests: split at max_req_bytes, and at
 * page boundaries where the buffer is not physically contiguous (a buffer outside RAM goes
 * through a bounce page block). All requests are submitted, then the thread sleeps on the
 * device's wait queue until each has completed; completions arrive in interrupt context, in
 * any order, and wake the queue. A full device queue (-EAGAIN) is waited out: the submitter
 * sleeps until some completion frees a slot, then retries.
 *
 *   tfs_dev.read(block, n, buf)
 *      -> req[0] sectors [8b, 8b+max) ... req[k]   (all in flight together)
 *      <- done(req[i], status) x k+1  (irq)  -> wq_wake_all
 *      -> first error, or 0
 */
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "fs/vfs/vfs_tfs.h"
#include "hal/hal_errno.h"
#include "hal/hal_mem.h"
#include "hal/hal_time.h"

#define SECTORS_PER_BLOCK (TFS_BLOCK_SIZE / HAL_BLK_SECTOR)

struct blk_op {
    struct hal_blk_req req;
    struct vfs_blkdev *bd;
    int status;
    bool done;
    void *bounce; /* page block used instead of the caller's memory */
    unsigned bounce_order;
    uint8_t *user; /* the caller's bytes behind a bounce */
};

static struct vfs_blkdev *BD(struct tfs_dev *dev)
{
    return container_of(dev, struct vfs_blkdev, dev);
}

static void blk_done(struct hal_blk_req *req, int status)
{
    struct blk_op *op = req->priv;
    struct vfs_blkdev *bd = op->bd;
    uint64_t t = spin_lock_irqsave(&bd->wq.lock);
    op->status = status;
    op->done = true;
    bd->inflight--;
    bd->completions++;
    wq_wake_all_locked(&bd->wq);
    spin_unlock_irqrestore(&bd->wq.lock, t);
}

/* Bytes from p that are physically contiguous RAM (0: p is not in RAM), up to max. */
static size_t contiguous(const uint8_t *p, size_t max)
{
    uint64_t pa = hal_virt_to_phys(p);
    if (!pa)
        return 0;
    size_t n = HAL_PAGE_SIZE - ((uintptr_t)p & (HAL_PAGE_SIZE - 1));
    while (n < max && hal_virt_to_phys(p + n) == pa + n)
        n += HAL_PAGE_SIZE;
    return n < max ? n : max;
}

/* Submit op, waiting out a full queue. Returns 0 or the submit error. */
static int submit(struct vfs_blkdev *bd, struct blk_op *op)
{
    for (;;) {
        uint64_t t = spin_lock_irqsave(&bd->wq.lock);
        uint64_t seen = bd->completions;
        bd->inflight++;
        spin_unlock_irqrestore(&bd->wq.lock, t);
        int rc = hal_blk_submit(bd->blk, &op->req);
        bd->requests++;
        t = spin_lock_irqsave(&bd->wq.lock);
        if (rc == 0) {
            spin_unlock_irqrestore(&bd->wq.lock, t);
            return 0;
        }
        bd->inflight--;
        if (rc != -EAGAIN) {
            spin_unlock_irqrestore(&bd->wq.lock, t);
            return rc;
        }
        bd->eagain++;
        if (bd->inflight > 0) {
            while (bd->completions == seen)
                wq_wait_locked(&bd->wq, &t, UINT64_MAX);
            spin_unlock_irqrestore(&bd->wq.lock, t);
        } else {
            /* full with requests that are not ours to count: give the device a moment */
            spin_unlock_irqrestore(&bd->wq.lock, t);
            sched_sleep_ns(100000);
        }
    }
}

static void wait_done(struct vfs_blkdev *bd, struct blk_op *op)
{
    uint64_t t = spin_lock_irqsave(&bd->wq.lock);
    while (!op->done)
        wq_wait_locked(&bd->wq, &t, UINT64_MAX);
    spin_unlock_irqrestore(&bd->wq.lock, t);
}

static unsigned order_for(size_t len)
{
    unsigned o = 0;
    while ((HAL_PAGE_SIZE << o) < len)
        o++;
    return o;
}

/* Prepare op for [p, p+len) at sector; len is reduced to what one request can carry. */
static int op_prepare(struct vfs_blkdev *bd, struct blk_op *op, enum hal_blk_op kind,
                      uint64_t sector, uint8_t *p, size_t *len)
{
    memset(op, 0, sizeof(*op));
    size_t n = *len < bd->max_req ? *len : bd->max_req;
    size_t c = contiguous(p, n);
    if (c >= HAL_BLK_SECTOR) {
        n = c - c % HAL_BLK_SECTOR;
        op->req.buf = p;
    } else {
        if (n > 32 * HAL_PAGE_SIZE)
            n = 32 * HAL_PAGE_SIZE;
        op->bounce_order = order_for(n);
        op->bounce = page_alloc_virt(op->bounce_order);
        if (!op->bounce)
            return -ENOMEM;
        op->user = p;
        op->req.buf = op->bounce;
        bd->bounced++;
        if (kind == HAL_BLK_WRITE)
            memcpy(op->bounce, p, n);
    }
    op->bd = bd;
    op->req.op = kind;
    op->req.sector = sector;
    op->req.len = n;
    op->req.done = blk_done;
    op->req.priv = op;
    *len = n;
    return 0;
}

static void op_finish(struct blk_op *op)
{
    if (!op->bounce)
        return;
    if (op->req.op == HAL_BLK_READ && op->status == 0)
        memcpy(op->user, op->bounce, op->req.len);
    page_free_virt(op->bounce, op->bounce_order);
    op->bounce = NULL;
}

#define BATCH 16

/* Move nblocks blocks between buf and the device, BATCH requests in flight at most. */
static int transfer(struct vfs_blkdev *bd, enum hal_blk_op kind, uint64_t block, uint32_t nblocks,
                    uint8_t *buf)
{
    if (block > bd->dev.nblocks || nblocks > bd->dev.nblocks - block)
        return -EIO;
    struct blk_op *ops = kmalloc(BATCH * sizeof(*ops));
    if (!ops)
        return -ENOMEM;
    uint64_t sector = block * SECTORS_PER_BLOCK;
    size_t left = (size_t)nblocks * TFS_BLOCK_SIZE;
    int rc = 0;
    while (left && rc == 0) {
        unsigned k = 0;
        for (; k < BATCH && left; k++) {
            size_t len = left;
            rc = op_prepare(bd, &ops[k], kind, sector, buf, &len);
            if (rc == 0)
                rc = submit(bd, &ops[k]);
            if (rc) {
                op_finish(&ops[k]);
                break;
            }
            sector += len / HAL_BLK_SECTOR;
            buf += len;
            left -= len;
        }
        for (unsigned i = 0; i < k; i++) {
            wait_done(bd, &ops[i]);
            if (rc == 0 && ops[i].status)
                rc = ops[i].status == -EROFS ? -EROFS : -EIO;
            op_finish(&ops[i]);
        }
    }
    kfree(ops);
    return rc;
}

static int bd_read(struct tfs_dev *dev, uint64_t block, uint32_t nblocks, void *buf)
{
    uint64_t t0 = hal_clock_ns();
    BD(dev)->reads++;
    int rc = transfer(BD(dev), HAL_BLK_READ, block, nblocks, buf);
    BD(dev)->busy_ns += hal_clock_ns() - t0;
    return rc;
}

static int bd_write(struct tfs_dev *dev, uint64_t block, uint32_t nblocks, const void *buf)
{
    BD(dev)->writes++;
    if (dev->read_only)
        return -EROFS;
    /* the request only reads the buffer; hal_blk_req has one pointer type for both ways */
    return transfer(BD(dev), HAL_BLK_WRITE, block, nblocks, (uint8_t *)(uintptr_t)buf);
}

static int bd_flush(struct tfs_dev *dev)
{
    struct vfs_blkdev *bd = BD(dev);
    bd->flushes++;
    struct blk_op op;
    memset(&op, 0, sizeof(op));
    op.bd = bd;
    op.req.op = HAL_BLK_FLUSH;
    op.req.done = blk_done;
    op.req.priv = &op;
    int rc = submit(bd, &op);
    if (rc)
        return rc;
    wait_done(bd, &op);
    return op.status ? -EIO : 0;
}

static const struct tfs_dev_ops blkdev_ops = {
    .read = bd_read,
    .write = bd_write,
    .flush = bd_flush,
};

int vfs_blkdev_open(unsigned index, struct vfs_blkdev *bd)
{
    memset(bd, 0, sizeof(*bd));
    if (index >= hal_blk_count())
        return -ENODEV;
    bd->blk = hal_blk_get(index);
    if (!bd->blk)
        return -ENODEV;
    hal_blk_get_info(bd->blk, &bd->info);
    bd->max_req = bd->info.max_req_bytes - bd->info.max_req_bytes % HAL_BLK_SECTOR;
    if (bd->max_req == 0)
        return -ENODEV;
    wq_init(&bd->wq, "blkdev");
    bd->dev.ops = &blkdev_ops;
    bd->dev.nblocks = bd->info.nsectors / SECTORS_PER_BLOCK;
    bd->dev.read_only = bd->info.read_only;
    bd->dev.priv = bd;
    return 0;
}
