/*
 * memdev.c - a tfs_dev over a memory buffer (tests, fuzzers, ramdisks). Every write is
 * durable at once; flush only counts.
 */
#include "core/lib/kstring.h"
#include "fs/tfs/tfs.h"
#include "hal/hal_errno.h"

static int md_range(struct tfs_dev *dev, uint64_t block, uint32_t n)
{
    return block > dev->nblocks || n > dev->nblocks - block ? -EIO : 0;
}

static int md_read(struct tfs_dev *dev, uint64_t block, uint32_t n, void *buf)
{
    struct tfs_memdev *md = dev->priv;
    if (md_range(dev, block, n))
        return -EIO;
    memcpy(buf, md->mem + block * TFS_BLOCK_SIZE, (size_t)n * TFS_BLOCK_SIZE);
    md->reads++;
    return 0;
}

static int md_write(struct tfs_dev *dev, uint64_t block, uint32_t n, const void *buf)
{
    struct tfs_memdev *md = dev->priv;
    if (dev->read_only)
        return -EROFS;
    if (md_range(dev, block, n))
        return -EIO;
    memcpy(md->mem + block * TFS_BLOCK_SIZE, buf, (size_t)n * TFS_BLOCK_SIZE);
    md->writes++;
    return 0;
}

static int md_flush(struct tfs_dev *dev)
{
    struct tfs_memdev *md = dev->priv;
    md->flushes++;
    return 0;
}

static const struct tfs_dev_ops md_ops = {md_read, md_write, md_flush};

void tfs_memdev_init(struct tfs_memdev *md, void *mem, uint64_t nblocks)
{
    md->dev.ops = &md_ops;
    md->dev.nblocks = nblocks;
    md->dev.read_only = false;
    md->dev.priv = md;
    md->mem = mem;
    md->reads = md->writes = md->flushes = 0;
}
