/*
 * fsck.c - the checker. It mounts the volume in tolerant mode, where every problem the mount
 * would refuse for (a bad superblock copy, a bad op in a good record, overlapping extents,
 * a damaged checkpoint record) is reported and stepped over instead, then runs the tree
 * checks (check.c) and compares the free space it derived with the blocks in use.
 *
 * Repair works on that tolerant in-memory state: the tree checks fix link counts, drop
 * nothing that holds data (unreachable inodes go to /lost+found), and a final compaction
 * writes the repaired state as a fresh checkpoint, which also rewrites both superblocks
 * and leaves the bad records behind in the old, now free, log.
 */
#include "core/lib/kstring.h"
#include "fs/tfs/tfs_internal.h"
#include "hal/hal_errno.h"

static uint64_t used_blocks(struct tfs_vol *v, struct tfs_fsck_result *r)
{
    uint64_t used = 2;
    for (uint32_t i = 0; i < v->log.nsegs; i++)
        used += v->log.segs[i].len;
    for (uint64_t ino = 1; ino <= v->ino_high; ino++) {
        struct tfs_inode *ip = tfs_iget(v, ino);
        if (!ip)
            continue;
        r->inodes++;
        if (tfs_is_type(ip, TFS_S_IFDIR))
            r->dirs++;
        else if (tfs_is_type(ip, TFS_S_IFLNK))
            r->symlinks++;
        else if (tfs_is_type(ip, TFS_S_IFREG)) {
            r->files++;
            r->extents += ip->u.ext.n;
            used += tfs_ext_blocks(ip);
        }
    }
    return used;
}

int tfs_fsck(struct tfs_dev *dev, const struct tfs_fsck_opts *o, struct tfs_fsck_result *res)
{
    struct tfs_fsck_result local;
    struct tfs_mount_opts mo = {0};
    struct tfs_vol *v;
    if (!res)
        res = &local;
    memset(res, 0, sizeof(*res));
    if (!dev || !o)
        return -EINVAL;
    mo.read_only = !o->repair;
    mo.clock = o->clock;
    mo.clock_arg = o->clock_arg;
    mo.report = o->report;
    mo.report_arg = o->report_arg;
    int err = tfs_mount_internal(dev, &mo, true, &v);
    if (err == -ENOMEM || err == -EIO || err == -EROFS)
        return err;
    if (err) { /* nothing mountable: no superblock, no root, a broken log head */
        if (o->report)
            o->report(o->report_arg, "volume cannot be checked further");
        res->problems = 1;
        return 1;
    }
    /* The mount counted what it stepped over; the tree checks ran inside the mount. */
    uint64_t found = v->problems;
    uint64_t used = used_blocks(v, res);
    res->log_records = v->log.seq - v->sb.log_seq0;
    res->used_blocks = used;
    res->free_blocks = v->free_blocks;
    uint64_t pending = 0; /* released by repairs staged during the mount */
    for (uint32_t i = 0; i < v->npending; i++)
        pending += v->pending[i].len;
    if (used + v->free_blocks + pending != v->nblocks) {
        tfs_report(v, "free space: %llu used + %llu free != %llu blocks",
                   (unsigned long long)used, (unsigned long long)v->free_blocks,
                   (unsigned long long)v->nblocks);
        found++;
    }
    if (o->repair && found) {
        err = tfs_compact(v); /* the tree was repaired during the mount */
        if (!err)
            res->repaired = found;
        else
            tfs_report(v, "repair: writing the checkpoint failed (%d)", err);
    }
    res->problems = found;
    err = tfs_unmount(v);
    if (err && !res->repaired)
        return err;
    return found > INT32_MAX ? INT32_MAX : (int)found;
}
