/*
 * hal_blk.h - block devices with asynchronous requests.
 *
 * A request names a starting sector (512 bytes) and a kernel buffer of whole sectors, which
 * must be physically contiguous (allocate from the page allocator). hal_blk_submit() queues
 * it and returns at once; the device completes requests in any order, calling req->done in
 * interrupt context (never from inside hal_blk_submit()). Several requests may be in flight.
 * A FLUSH completes only after every WRITE completed before it was submitted is durable.
 * Ordering between in-flight requests is not guaranteed: the kernel waits for completions it
 * depends on.
 */
#ifndef HAL_BLK_H
#define HAL_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HAL_BLK_SECTOR 512u

struct hal_blk; /* opaque device handle */

enum hal_blk_op { HAL_BLK_READ, HAL_BLK_WRITE, HAL_BLK_FLUSH };

struct hal_blk_req {
    enum hal_blk_op op;
    uint64_t sector; /* first sector (ignored for FLUSH) */
    void *buf;       /* kernel buffer (ignored for FLUSH) */
    size_t len;      /* bytes, multiple of HAL_BLK_SECTOR (0 for FLUSH) */
    /* Completion: status 0, -EIO or -EROFS. Interrupt context; must not sleep. */
    void (*done)(struct hal_blk_req *req, int status);
    void *priv;        /* the submitter's */
    void *hal_priv[4]; /* the driver's while in flight */
};

struct hal_blk_info {
    uint64_t nsectors;
    uint32_t max_req_bytes; /* largest len accepted by one request */
    bool read_only;
    char name[16];
};

/* Devices are numbered 0..count-1 in a stable order (e.g. the order on the command line). */
unsigned hal_blk_count(void);
struct hal_blk *hal_blk_get(unsigned index);
void hal_blk_get_info(struct hal_blk *dev, struct hal_blk_info *info);

/*
 * Queue req. Returns 0 (done will be called exactly once later), -EINVAL (range, alignment or
 * length), -EROFS (write to a read-only device) or -EAGAIN (queue full; retry after a
 * completion). Never sleeps; any context.
 */
int hal_blk_submit(struct hal_blk *dev, struct hal_blk_req *req);

#endif
