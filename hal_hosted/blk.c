/*
 * blk.c - hosted block devices: a file (pread/pwrite/fdatasync) or a memory buffer.
 *
 * hal_blk_submit() only validates and queues; the I/O itself happens when the request
 * completes, in a delivery round of the interrupt controller (irq.c), so completions arrive
 * in interrupt context and never inside submit, as with virtio. Knobs per device, drawn from
 * the device's own seeded stream:
 *
 *   defer_pct  a queued request is held back for a later round with this chance (an idle
 *              round completes at least one, so the kernel always makes progress);
 *   reorder    the requests of a round complete in a random order.
 *
 * Because a write reaches the file only when it completes, a FLUSH that completes after
 * fdatasync() covers every write completed before it was submitted, which is all the
 * contract promises (hal/hal_blk.h). Buffers must lie in RAM (the contract's "physically
 * contiguous kernel buffer"); anything else is -EINVAL.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hal/hal_blk.h"
#include "hal/hal_rand.h"
#include "hal_hosted/hosted_internal.h"

#define BLK_DEFAULT_MAX_REQ (128u * 1024u)
#define BLK_DEFAULT_DEPTH 64u

struct hal_blk {
    unsigned index;
    int fd;             /* file device, or -1 */
    unsigned char *mem; /* memory device */
    bool mem_owned;
    struct hal_blk_info info;
    unsigned defer_pct;
    bool reorder;
    struct hosted_rng rng;
    unsigned depth;
    unsigned nqueued;
    struct hal_blk_req **queue;   /* FIFO of submitted requests, depth entries */
    struct hal_blk_req **scratch; /* one round's requests, depth entries */
};

static struct hal_blk *blk_devs[HOSTED_MAX_BLK];
static unsigned blk_ndevs;

static int blk_open_backing(struct hal_blk *d, const struct hosted_blk_config *c)
{
    struct stat st;

    if (!c->path) {
        if (!c->mem || c->mem_size < HAL_BLK_SECTOR || c->mem_size % HAL_BLK_SECTOR)
            return -EINVAL;
        d->mem = c->mem;
        if (c->mem_private) {
            d->mem = malloc(c->mem_size);
            if (!d->mem)
                return -ENOMEM;
            memcpy(d->mem, c->mem, c->mem_size);
            d->mem_owned = true;
        }
        d->info.nsectors = c->mem_size / HAL_BLK_SECTOR;
        return 0;
    }
    d->fd = open(c->path, (c->read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (d->fd < 0)
        return -errno;
    if (fstat(d->fd, &st) < 0)
        return -errno;
    d->info.nsectors = (uint64_t)st.st_size / HAL_BLK_SECTOR;
    return d->info.nsectors ? 0 : -EINVAL;
}

static void blk_free(struct hal_blk *d)
{
    if (d->fd >= 0)
        close(d->fd);
    if (d->mem_owned)
        free(d->mem);
    free(d->queue);
    free(d->scratch);
    free(d);
}

static int blk_create(unsigned index, const struct hosted_blk_config *c, uint64_t seed)
{
    struct hal_blk *d = calloc(1, sizeof(*d));
    int rc;

    if (!d)
        return -ENOMEM;
    d->index = index;
    d->fd = -1;
    d->depth = c->queue_depth ? c->queue_depth : BLK_DEFAULT_DEPTH;
    d->queue = calloc(d->depth, sizeof(*d->queue));
    d->scratch = calloc(d->depth, sizeof(*d->scratch));
    rc = (d->queue && d->scratch) ? blk_open_backing(d, c) : -ENOMEM;
    if (rc || c->defer_pct > 100 || (c->max_req_bytes % HAL_BLK_SECTOR)) {
        blk_free(d);
        return rc ? rc : -EINVAL;
    }
    d->info.max_req_bytes = c->max_req_bytes ? c->max_req_bytes : BLK_DEFAULT_MAX_REQ;
    d->info.read_only = c->read_only;
    snprintf(d->info.name, sizeof(d->info.name), "%s%u", c->path ? "hd" : "md", index);
    d->defer_pct = c->defer_pct;
    d->reorder = c->reorder;
    hosted_rng_init(&d->rng, seed, HOSTED_RNG_BLK + index);
    blk_devs[index] = d;
    return 0;
}

int hosted_blk_setup(const struct hosted_config *cfg)
{
    if (cfg->nblk > HOSTED_MAX_BLK)
        return -EINVAL;
    for (unsigned i = 0; i < cfg->nblk; i++) {
        int rc = blk_create(i, &cfg->blk[i], hal_rand_seed());

        if (rc) {
            hosted_blk_teardown();
            return rc;
        }
        blk_ndevs = i + 1;
    }
    return 0;
}

void hosted_blk_teardown(void)
{
    for (unsigned i = 0; i < HOSTED_MAX_BLK; i++) {
        if (blk_devs[i])
            blk_free(blk_devs[i]);
        blk_devs[i] = NULL;
    }
    blk_ndevs = 0;
}

unsigned hal_blk_count(void)
{
    return blk_ndevs;
}

struct hal_blk *hal_blk_get(unsigned index)
{
    return index < blk_ndevs ? blk_devs[index] : NULL;
}

void hal_blk_get_info(struct hal_blk *dev, struct hal_blk_info *info)
{
    *info = dev->info;
}

static int blk_check(const struct hal_blk *d, const struct hal_blk_req *req)
{
    uint64_t nsec;

    if (!req->done)
        return -EINVAL;
    if (req->op == HAL_BLK_FLUSH)
        return 0;
    if (req->op != HAL_BLK_READ && req->op != HAL_BLK_WRITE)
        return -EINVAL;
    if (req->len == 0 || req->len % HAL_BLK_SECTOR || req->len > d->info.max_req_bytes)
        return -EINVAL;
    nsec = req->len / HAL_BLK_SECTOR;
    if (req->sector >= d->info.nsectors || nsec > d->info.nsectors - req->sector)
        return -EINVAL;
    if (!hosted_ram_contains(req->buf, req->len))
        return -EINVAL;
    if (req->op == HAL_BLK_WRITE && d->info.read_only)
        return -EROFS;
    return 0;
}

int hal_blk_submit(struct hal_blk *dev, struct hal_blk_req *req)
{
    int rc = blk_check(dev, req);

    if (rc)
        return rc;
    if (dev->nqueued == dev->depth)
        return -EAGAIN;
    dev->queue[dev->nqueued++] = req;
    hosted_irq_raise(HOSTED_IRQ_BLK);
    return 0;
}

static int blk_file_io(struct hal_blk *d, struct hal_blk_req *req)
{
    off_t off = (off_t)(req->sector * HAL_BLK_SECTOR);
    unsigned char *p = req->buf;
    size_t left = req->len;

    while (left > 0) {
        ssize_t n =
            req->op == HAL_BLK_READ ? pread(d->fd, p, left, off) : pwrite(d->fd, p, left, off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -EIO;
        p += n;
        off += n;
        left -= (size_t)n;
    }
    return 0;
}

static int blk_do(struct hal_blk *d, struct hal_blk_req *req)
{
    if (req->op == HAL_BLK_FLUSH) {
        if (d->fd < 0)
            return 0;
        while (fdatasync(d->fd) < 0) {
            if (errno != EINTR)
                return errno == EINVAL || errno == EROFS ? 0 : -EIO; /* not syncable */
        }
        return 0;
    }
    if (d->fd >= 0)
        return blk_file_io(d, req);
    if (req->op == HAL_BLK_READ)
        memcpy(req->buf, d->mem + req->sector * HAL_BLK_SECTOR, req->len);
    else
        memcpy(d->mem + req->sector * HAL_BLK_SECTOR, req->buf, req->len);
    return 0;
}

/* Pick this round's requests among the first n queued: move the completing ones to scratch,
 * keep the deferred ones (and any queued after them) in order. Returns how many complete. */
static unsigned blk_pick(struct hal_blk *d, unsigned n, bool force)
{
    unsigned ndone = 0, nkeep = 0;

    if (d->reorder) {
        for (unsigned i = n; i > 1; i--) {
            unsigned j = (unsigned)hosted_rng_below(&d->rng, i);
            struct hal_blk_req *t = d->queue[i - 1];

            d->queue[i - 1] = d->queue[j];
            d->queue[j] = t;
        }
    }
    for (unsigned i = 0; i < n; i++) {
        bool last_chance = force && ndone == 0 && i == n - 1;

        if (!last_chance && hosted_rng_chance(&d->rng, d->defer_pct))
            d->queue[nkeep++] = d->queue[i];
        else
            d->scratch[ndone++] = d->queue[i];
    }
    for (unsigned i = n; i < d->nqueued; i++)
        d->queue[nkeep++] = d->queue[i];
    d->nqueued = nkeep;
    return ndone;
}

static void blk_deliver_dev(struct hal_blk *d, unsigned n, bool force)
{
    unsigned ndone = blk_pick(d, n, force);

    for (unsigned i = 0; i < ndone; i++) {
        struct hal_blk_req *req = d->scratch[i];

        hosted_stats.blk_completions++;
        req->done(req, blk_do(d, req)); /* may submit: appends to a queue */
    }
}

/* Only requests queued before the round starts: those submitted by completion callbacks
 * wait for the next delivery point, so a round always ends. */
bool hosted_blk_deliver(bool force)
{
    unsigned n[HOSTED_MAX_BLK];
    bool progressed = false;

    for (unsigned i = 0; i < blk_ndevs; i++)
        n[i] = blk_devs[i]->nqueued;
    for (unsigned i = 0; i < blk_ndevs; i++) {
        uint64_t before = hosted_stats.blk_completions;

        /* Force progress once per round: on the first device with work. */
        blk_deliver_dev(blk_devs[i], n[i], force && !progressed);
        progressed |= hosted_stats.blk_completions != before;
    }
    return hosted_blk_busy();
}

bool hosted_blk_busy(void)
{
    for (unsigned i = 0; i < blk_ndevs; i++) {
        if (blk_devs[i]->nqueued)
            return true;
    }
    return false;
}
