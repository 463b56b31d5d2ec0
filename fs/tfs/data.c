/*
 * data.c - file contents and attributes: read, write, truncate, fallocate, getattr,
 * setattr, hold/release.
 *
 * Data goes straight to the device (the VFS page cache sits above). Blocks for holes are
 * allocated and written first; the records that map them (and any size growth, in the same
 * record) are staged after, and tfs_commit() flushes data before it writes the log, so a
 * durable extent never points at unwritten blocks. Fallocated extents are "unwritten": they
 * read as zeros until written, when their blocks are re-flagged.
 *
 * Invariant: no written block lies wholly beyond the size; the bytes of the last block past
 * the size may be stale, so growing a file zeroes them first (zero_tail).
 */
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "fs/tfs/tfs_internal.h"
#include "hal/hal_errno.h"

#define BS TFS_BLOCK_SIZE
#define EXT_OP (TFS_OP_HDR + 32)
#define INODE_OP (TFS_OP_HDR + TFS_OP_INODE_LEN)

static int get_reg(struct tfs_vol *v, uint64_t ino, struct tfs_inode **ip)
{
    *ip = tfs_iget(v, ino);
    if (!*ip)
        return -ENOENT;
    if (tfs_is_type(*ip, TFS_S_IFDIR))
        return -EISDIR;
    return tfs_is_type(*ip, TFS_S_IFREG) ? 0 : -EINVAL;
}

int64_t tfs_read(struct tfs_vol *v, uint64_t ino, uint64_t off, void *buf, size_t len)
{
    struct tfs_inode *ip;
    int err = get_reg(v, ino, &ip);
    if (err)
        return err;
    if (off >= ip->size)
        return 0;
    size_t room = len; /* the caller's buffer */
    if (len > ip->size - off)
        len = (size_t)(ip->size - off);
    uint8_t *out = buf;
    size_t done = 0;
    while (done < len) {
        uint64_t pos = off + done, lblk = pos / BS;
        uint32_t boff = (uint32_t)(pos % BS);
        struct tfs_ext e;
        int mapped = tfs_ext_lookup(ip, lblk, &e);
        uint64_t run = (uint64_t)e.len * BS - boff; /* bytes this mapping covers */
        size_t n = run < len - done ? (size_t)run : len - done;
        size_t whole = (n + BS - 1) / BS * BS;
        if (!mapped || (e.flags & TFS_EXT_UNWRITTEN)) {
            memset(out + done, 0, n);
        } else if (boff == 0 && whole <= room - done) {
            /* whole blocks, the file's last one too when the buffer holds it: one request
             * for the run (the page cache's read-ahead); its bytes past the size land past
             * the count returned */
            if ((err = v->dev->ops->read(v->dev, e.pblk, (uint32_t)(whole / BS), out + done)))
                return -EIO;
        } else if (boff || n < BS) {
            n = n < BS - boff ? n : BS - boff;
            if ((err = v->dev->ops->read(v->dev, e.pblk, 1, v->bounce)))
                return -EIO;
            memcpy(out + done, v->bounce + boff, n);
        } else {
            n -= n % BS;
            uint32_t nb = (uint32_t)(n / BS);
            if ((err = v->dev->ops->read(v->dev, e.pblk, nb, out + done)))
                return -EIO;
        }
        done += n;
    }
    return (int64_t)len;
}

/* Write bytes [boff, boff+n) of a block whose other bytes are old (or zero). */
static int write_partial(struct tfs_vol *v, uint64_t pblk, bool keep, uint32_t boff,
                         const uint8_t *src, size_t n)
{
    int err = 0;
    if (keep)
        err = v->dev->ops->read(v->dev, pblk, 1, v->bounce);
    else
        memset(v->bounce, 0, BS);
    if (err)
        return -EIO;
    memcpy(v->bounce + boff, src, n);
    return v->dev->ops->write(v->dev, pblk, 1, v->bounce) ? -EIO : 0;
}

/* Write buf over the mapped (or just allocated) blocks; e describes them. */
static int write_run(struct tfs_vol *v, const struct tfs_ext *e, bool keep, uint64_t pos,
                     const uint8_t *src, size_t n)
{
    uint64_t pblk = e->pblk + (pos / BS - e->lblk);
    uint32_t boff = (uint32_t)(pos % BS);
    while (n) {
        if (boff || n < BS) {
            size_t k = n < BS - boff ? n : BS - boff;
            int err = write_partial(v, pblk, keep, boff, src, k);
            if (err)
                return err;
            src += k;
            n -= k;
            pblk++;
            boff = 0;
            continue;
        }
        uint32_t nb = (uint32_t)(n / BS);
        if (v->dev->ops->write(v->dev, pblk, nb, src))
            return -EIO;
        src += (size_t)nb * BS;
        n -= (size_t)nb * BS;
        pblk += nb;
    }
    return 0;
}

/* Zero the bytes of the size's last block past the size (before growing the file). */
static int zero_tail(struct tfs_vol *v, struct tfs_inode *ip)
{
    uint32_t boff = (uint32_t)(ip->size % BS);
    struct tfs_ext e;
    if (!boff || !tfs_ext_lookup(ip, ip->size / BS, &e) || (e.flags & TFS_EXT_UNWRITTEN))
        return 0;
    if (v->dev->ops->read(v->dev, e.pblk, 1, v->bounce))
        return -EIO;
    memset(v->bounce + boff, 0, BS - boff);
    v->data_dirty = true;
    return v->dev->ops->write(v->dev, e.pblk, 1, v->bounce) ? -EIO : 0;
}

#define CHUNK_BLOCKS 2048u /* blocks one record may map: bounds the ops per record */

/*
 * What the record mapping [lblk, lblk+n) (n <= CHUNK_BLOCKS; more for fallocate's upfront
 * check: then the sum over its records, each chunk boundary counted as one more hole run
 * and one more record header) can need, from the file's extents and the free tree as they
 * are now (docs/tfs-format.md section 6):
 *
 *   holes  blocks of the range that are holes (data blocks to allocate);
 *   A      allocations: at most one block each, and at most F + 3 x R where R is the number
 *          of hole runs and F the number of free ranges. Per run the first allocation tries
 *          the goal (at most R such, and a split there adds at most one range); the others
 *          scan, and a scan either satisfies the run (at most R) or takes a whole range
 *          from its start (at most F + R: each removes a range);
 *   conv   with conv, re-flags: one per unwritten extent of the range after the
 *          allocations, at most U (unwritten extents there now) + A;
 *
 * so the record holds at most A + conv EXTENT ops and one INODE op.
 */
struct chunk_need {
    uint64_t holes;
    size_t bytes; /* ops of the record, header excluded */
};

/* Free ranges in the tree, counting stops at cap. */
static uint64_t free_ranges(struct tfs_vol *v, uint64_t cap)
{
    uint64_t n = 0;
    for (struct rb_node *r = rb_first(&v->free); r && n < cap; r = rb_next(r))
        n++;
    return n;
}

static struct chunk_need chunk_need(struct tfs_vol *v, struct tfs_inode *ip, uint64_t lblk,
                                    uint64_t n, bool conv)
{
    struct chunk_need c = {0, 0};
    uint64_t runs = 0, unwritten = 0, nblk = n;
    uint64_t chunks = (n + CHUNK_BLOCKS - 1) / CHUNK_BLOCKS;
    while (n) {
        struct tfs_ext e;
        int mapped = tfs_ext_lookup(ip, lblk, &e);
        uint64_t k = e.len < n ? e.len : n;
        if (!mapped) {
            c.holes += k;
            runs++;
        } else if (e.flags & TFS_EXT_UNWRITTEN) {
            unwritten++;
        }
        lblk += k;
        n -= k;
    }
    runs += chunks - 1; /* a chunk boundary may cut a run in two */
    uint64_t allocs = c.holes;
    if (runs * 3 < allocs) {
        uint64_t f = free_ranges(v, allocs - runs * 3);
        if (f + runs * 3 < allocs)
            allocs = f + runs * 3;
    }
    uint64_t ops = allocs + (conv ? allocs + unwritten : 0);
    if (ops > 2 * nblk + 8 * chunks)
        ops = 2 * nblk + 8 * chunks; /* per block one allocation and one re-flag at most */
    c.bytes = (size_t)ops * EXT_OP + INODE_OP + (size_t)(chunks - 1) * (TFS_REC_HDR + 8);
    return c;
}

/*
 * The reservation rule: a record that may allocate holes data blocks and hold bytes of ops
 * is begun only when the free blocks cover the data, the reserve (half of it when no data
 * block is allocated: then the record is metadata only, like any other operation's), and
 * the log space of everything staged plus this record plus the INODE records the next
 * commit adds for the dirty inodes. After it, free >= the log space of all that is staged,
 * so the commit that writes it cannot run out of log space.
 */
static bool chunk_fits(struct tfs_vol *v, const struct chunk_need *c,
                       const struct tfs_resv_cover *mine)
{
    size_t extra = TFS_REC_HDR + c->bytes + 8;
    if (mine) {
        /* The range is reserved (resv.c): its data blocks and log bytes are this record's,
         * and the reserve was kept back when they were taken. The dirty-inode records of
         * reserved files are in their credits. */
        size_t own = (size_t)mine->bytes;
        return tfs_free_unreserved(v) + mine->data >=
               c->holes + tfs_log_need(v, extra > own ? extra - own : 0);
    }
    if (v->ndirty)
        extra += (size_t)v->ndirty * INODE_OP + TFS_REC_HDR + 8;
    uint64_t reserve = c->holes ? v->reserve : v->reserve / 2;
    return tfs_free_unreserved(v) >= c->holes + reserve + tfs_log_need(v, extra);
}

/* chunk_need() of the range, committing first (once) when it does not fit and a commit
 * would return space (staged frees) or log room (staged records). -ENOSPC when it does not
 * fit even then. mine: the range's reservation, when all of it is reserved. */
static int chunk_reserve(struct tfs_vol *v, struct tfs_inode *ip, uint64_t lblk, uint64_t n,
                         bool conv, const struct tfs_resv_cover *mine, struct chunk_need *c)
{
    *c = chunk_need(v, ip, lblk, n, conv);
    if (chunk_fits(v, c, mine))
        return 0;
    if (v->npending || v->stage_len || v->ndirty) {
        int err = tfs_commit(v);
        if (err)
            return err;
        *c = chunk_need(v, ip, lblk, n, conv);
        if (chunk_fits(v, c, mine))
            return 0;
    }
    return -ENOSPC;
}

static uint64_t goal_for(struct tfs_inode *ip, uint64_t lblk)
{
    struct tfs_ext *a = tfs_ext_array(ip);
    for (uint32_t i = ip->u.ext.n; i-- > 0;)
        if (a[i].lblk < lblk)
            return a[i].pblk + (lblk - a[i].lblk);
    return 0;
}

/*
 * Map every hole of [lblk, lblk+n) (n <= CHUNK_BLOCKS) to new blocks with the given flags,
 * and with conv re-flag unwritten blocks as written. Stages EXTENT ops in the open record.
 */
static int map_range(struct tfs_vol *v, uint64_t ino, struct tfs_inode *ip, uint64_t lblk,
                     uint64_t n, uint32_t flags, bool conv)
{
    while (n) {
        struct tfs_ext e;
        int mapped = tfs_ext_lookup(ip, lblk, &e);
        uint64_t k = e.len < n ? e.len : n;
        int err = 0;
        if (!mapped) {
            uint64_t start, got;
            if ((err = tfs_space_alloc(v, goal_for(ip, lblk), k, &start, &got)))
                return err;
            struct tfs_ext x = {lblk, start, (uint32_t)got, flags};
            if ((err = tfs_op_extent(v, ino, &x))) {
                tfs_space_free(v, start, got);
                return err;
            }
            k = got;
        } else if (conv && (e.flags & TFS_EXT_UNWRITTEN)) {
            struct tfs_ext x = {lblk, e.pblk, (uint32_t)k, 0};
            err = tfs_op_extent(v, ino, &x);
        }
        if (err)
            return err;
        lblk += k;
        n -= k;
    }
    return 0;
}

/* Write [off, off+len), all mapped now: unwritten blocks start as zeros. */
static int write_data(struct tfs_vol *v, struct tfs_inode *ip, uint64_t off, const uint8_t *buf,
                      size_t len)
{
    size_t done = 0;
    while (done < len) {
        uint64_t pos = off + done;
        struct tfs_ext e;
        if (!tfs_ext_lookup(ip, pos / BS, &e))
            return -EIO; /* cannot happen: map_range mapped it */
        uint64_t run = (uint64_t)e.len * BS - pos % BS;
        size_t n = run < len - done ? (size_t)run : len - done;
        int err = write_run(v, &e, !(e.flags & TFS_EXT_UNWRITTEN), pos, buf + done, n);
        if (err)
            return err;
        done += n;
    }
    return 0;
}

/* One record's worth of write: at most CHUNK_BLOCKS blocks. */
static int write_chunk(struct tfs_vol *v, uint64_t ino, struct tfs_inode *ip, uint64_t off,
                       const uint8_t *buf, size_t len)
{
    uint64_t lblk = off / BS, nblk = (off + len + BS - 1) / BS - lblk;
    struct tfs_resv_cover mine = tfs_resv_cover(v, ino, lblk, nblk);
    struct chunk_need c;
    int err = chunk_reserve(v, ip, lblk, nblk, true, mine.blocks == nblk ? &mine : NULL, &c);
    if (err)
        return err;
    if (off > ip->size && (err = zero_tail(v, ip)))
        return err;
    if ((err = tfs_txn_begin_credit(v, c.bytes, false, mine.blocks == nblk ? mine.bytes : 0)))
        return err;
    /* Holes become unwritten blocks, the data goes out, then the range is marked written:
     * partial blocks that were not written before start from zeros, never stale bytes. */
    err = map_range(v, ino, ip, lblk, nblk, TFS_EXT_UNWRITTEN, false);
    if (!err)
        err = write_data(v, ip, off, buf, len);
    if (!err)
        err = map_range(v, ino, ip, lblk, nblk, 0, true);
    bool grow = off + len > ip->size;
    ip->mtime = ip->ctime = tfs_now(v);
    if (!err && grow) {
        ip->size = off + len;
        err = tfs_op_inode(v, ino);
    }
    if (err) {
        tfs_txn_abort(v);
        tfs_set_error(v, err); /* ops were applied: memory and log now disagree */
        return err;
    }
    v->data_dirty = true;
    if (v->stage_len - v->txn_start > TFS_REC_HDR)
        tfs_mark_datasync(v, ino, ip);
    tfs_resv_drop(v, ino, lblk, nblk); /* the reservation became these blocks */
    err = tfs_txn_end(v);
    if (!err && !grow)
        tfs_mark_dirty(v, ino, ip);
    return err;
}

int64_t tfs_write(struct tfs_vol *v, uint64_t ino, uint64_t off, const void *buf, size_t len)
{
    struct tfs_inode *ip;
    int err = get_reg(v, ino, &ip);
    if (err || (err = tfs_writable(v)))
        return err;
    if (len == 0)
        return 0;
    if (off > TFS_MAX_FILE_SIZE || len > TFS_MAX_FILE_SIZE - off)
        return -EFBIG;
    if (len > (1u << 30))
        len = 1u << 30;
    size_t done = 0;
    while (done < len) {
        uint64_t pos = off + done;
        size_t n = (size_t)(CHUNK_BLOCKS * BS - pos % BS);
        if (n > len - done)
            n = len - done;
        if ((err = write_chunk(v, ino, ip, pos, (const uint8_t *)buf + done, n)))
            return done ? (int64_t)done : err;
        done += n;
    }
    return (int64_t)done;
}

/* Change the size inside an open record: punch what lies past it, zero the old tail. */
static int set_size(struct tfs_vol *v, uint64_t ino, struct tfs_inode *ip, uint64_t size)
{
    int err = 0;
    uint64_t first = (size + BS - 1) / BS;
    struct tfs_ext *a = tfs_ext_array(ip);
    uint32_t n = ip->u.ext.n;
    if (size < ip->size && n && a[n - 1].lblk + a[n - 1].len > first)
        err = tfs_op_punch(v, ino, first, TFS_MAX_FILE_BLOCKS - first);
    if (!err && size > ip->size)
        err = zero_tail(v, ip);
    if (!err) {
        tfs_resv_drop(v, ino, first, TFS_MAX_FILE_BLOCKS - first); /* nothing to write there */
        ip->size = size;
        tfs_mark_datasync(v, ino, ip);
    }
    return err;
}

int tfs_getattr(struct tfs_vol *v, uint64_t ino, struct tfs_attr *a)
{
    struct tfs_inode *ip = tfs_iget(v, ino);
    if (!ip)
        return -ENOENT;
    memset(a, 0, sizeof(*a));
    a->ino = ino;
    a->mode = ip->mode;
    a->nlink = ip->nlink;
    a->uid = ip->uid;
    a->gid = ip->gid;
    a->size = tfs_is_type(ip, TFS_S_IFDIR) ? BS : ip->size;
    if (tfs_is_type(ip, TFS_S_IFREG))
        a->blocks = tfs_ext_blocks(ip) * (BS / 512);
    if (tfs_is_type(ip, TFS_S_IFCHR) || tfs_is_type(ip, TFS_S_IFBLK))
        a->rdev = ip->u.rdev;
    if (!tfs_is_type(ip, TFS_S_IFREG) && !tfs_is_type(ip, TFS_S_IFLNK) &&
        !tfs_is_type(ip, TFS_S_IFDIR))
        a->size = 0;
    tfs_ns_to_time(ip->atime, &a->atime);
    tfs_ns_to_time(ip->mtime, &a->mtime);
    tfs_ns_to_time(ip->ctime, &a->ctime);
    return 0;
}

int tfs_setattr(struct tfs_vol *v, uint64_t ino, const struct tfs_attr *a, unsigned mask)
{
    struct tfs_inode *ip = tfs_iget(v, ino);
    int err = tfs_writable(v);
    if (err)
        return err;
    if (!ip)
        return -ENOENT;
    if (mask & ~0x7fu)
        return -EINVAL;
    if (((mask & TFS_SET_ATIME) && a->atime.nsec >= 1000000000u) ||
        ((mask & TFS_SET_MTIME) && a->mtime.nsec >= 1000000000u) ||
        ((mask & TFS_SET_CTIME) && a->ctime.nsec >= 1000000000u))
        return -EINVAL;
    if (mask & TFS_SET_SIZE) {
        if (tfs_is_type(ip, TFS_S_IFDIR))
            return -EISDIR;
        if (!tfs_is_type(ip, TFS_S_IFREG))
            return -EINVAL;
        if (a->size > TFS_MAX_FILE_SIZE)
            return -EFBIG;
    }
    bool shrink = (mask & TFS_SET_SIZE) && a->size < ip->size;
    /* The setattr ending a reserved file's write-back (its pages are all written) is paid
     * for by the file's credit (resv.c). */
    uint64_t credit = tfs_resv_credit(v, ino);
    if ((err = tfs_txn_begin_credit(v, 2 * INODE_OP + TFS_OP_HDR + 24, shrink, credit)))
        return err;
    int64_t now = tfs_now(v);
    if ((mask & TFS_SET_SIZE) && (err = set_size(v, ino, ip, a->size))) {
        tfs_txn_abort(v);
        tfs_set_error(v, err);
        return err;
    }
    if (mask & TFS_SET_MODE)
        ip->mode = (ip->mode & TFS_S_IFMT) | (a->mode & 07777);
    if (mask & TFS_SET_UID)
        ip->uid = a->uid;
    if (mask & TFS_SET_GID)
        ip->gid = a->gid;
    if (mask & TFS_SET_ATIME)
        ip->atime = tfs_time_to_ns(&a->atime);
    if (mask & TFS_SET_MTIME)
        ip->mtime = tfs_time_to_ns(&a->mtime);
    else if (mask & TFS_SET_SIZE)
        ip->mtime = now;
    ip->ctime = (mask & TFS_SET_CTIME) ? tfs_time_to_ns(&a->ctime) : now;
    if ((err = tfs_op_inode(v, ino))) {
        tfs_txn_abort(v);
        return err;
    }
    tfs_resv_credit_drop(v, ino);
    return tfs_txn_end(v);
}

int tfs_truncate(struct tfs_vol *v, uint64_t ino, uint64_t size)
{
    struct tfs_attr a;
    memset(&a, 0, sizeof(a));
    a.size = size;
    return tfs_setattr(v, ino, &a, TFS_SET_SIZE);
}

/* Zero bytes [off, off+n) inside one block, if it holds written data. */
static int zero_in_block(struct tfs_vol *v, struct tfs_inode *ip, uint64_t off, uint32_t n)
{
    struct tfs_ext e;
    if (!n || !tfs_ext_lookup(ip, off / BS, &e) || (e.flags & TFS_EXT_UNWRITTEN))
        return 0;
    if (v->dev->ops->read(v->dev, e.pblk, 1, v->bounce))
        return -EIO;
    memset(v->bounce + off % BS, 0, n);
    v->data_dirty = true;
    return v->dev->ops->write(v->dev, e.pblk, 1, v->bounce) ? -EIO : 0;
}

static int punch_hole(struct tfs_vol *v, uint64_t ino, struct tfs_inode *ip, uint64_t off,
                      uint64_t len)
{
    uint64_t end = off + len, first = (off + BS - 1) / BS, last = end / BS;
    int err;
    if (off / BS == (end - 1) / BS && (off % BS || end % BS)) {
        if ((err = zero_in_block(v, ip, off, (uint32_t)(end - off))))
            return err;
    } else {
        if (off % BS && (err = zero_in_block(v, ip, off, (uint32_t)(BS - off % BS))))
            return err;
        if (end % BS && (err = zero_in_block(v, ip, end - end % BS, (uint32_t)(end % BS))))
            return err;
    }
    if ((err = tfs_txn_begin(v, 2 * INODE_OP + TFS_OP_HDR + 24, true)))
        return err;
    if (last > first && (err = tfs_op_punch(v, ino, first, last - first)))
        goto abort;
    if (last > first)
        tfs_resv_drop(v, ino, first, last - first); /* holes now: nothing to write */
    ip->mtime = ip->ctime = tfs_now(v);
    tfs_mark_datasync(v, ino, ip);
    if ((err = tfs_op_inode(v, ino)))
        goto abort;
    return tfs_txn_end(v);
abort:
    tfs_txn_abort(v);
    return err;
}

static int alloc_range(struct tfs_vol *v, uint64_t ino, struct tfs_inode *ip, uint64_t off,
                       uint64_t len, bool keep)
{
    uint64_t lblk = off / BS, nblk = (off + len + BS - 1) / BS - lblk;
    int err;
    /* The whole range's data and records must fit before anything is allocated (no
     * partial fallocate from lack of space); each record is checked again per chunk. */
    for (int pass = 0;; pass++) {
        struct chunk_need all = chunk_need(v, ip, lblk, nblk, false);
        if (chunk_fits(v, &all, NULL))
            break;
        if (pass || !(v->npending || v->stage_len || v->ndirty))
            return -ENOSPC;
        if ((err = tfs_commit(v)))
            return err;
    }
    if (!keep && off + len > ip->size && (err = zero_tail(v, ip)))
        return err;
    for (uint64_t done = 0; done < nblk;) {
        uint64_t n = nblk - done < CHUNK_BLOCKS ? nblk - done : CHUNK_BLOCKS;
        bool lastc = done + n == nblk;
        struct chunk_need c;
        if ((err = chunk_reserve(v, ip, lblk + done, n, false, NULL, &c)) ||
            (err = tfs_txn_begin(v, c.bytes, false)))
            return err;
        err = map_range(v, ino, ip, lblk + done, n, TFS_EXT_UNWRITTEN, false);
        if (!err && lastc) {
            ip->ctime = tfs_now(v);
            if (!keep && off + len > ip->size) {
                ip->size = off + len;
                ip->mtime = ip->ctime; /* as ext4/XFS: a size change is a modification */
            }
            err = tfs_op_inode(v, ino);
        }
        if (err) {
            tfs_txn_abort(v);
            tfs_set_error(v, err);
            return err;
        }
        tfs_mark_datasync(v, ino, ip);
        if ((err = tfs_txn_end(v)))
            return err;
        done += n;
    }
    return 0;
}

int tfs_fallocate(struct tfs_vol *v, uint64_t ino, unsigned mode, uint64_t off, uint64_t len)
{
    struct tfs_inode *ip;
    int err = get_reg(v, ino, &ip);
    if (err == -EINVAL)
        err = -ENODEV; /* fallocate(2) on a FIFO or special file */
    if (err || (err = tfs_writable(v)))
        return err;
    if (mode != 0 && mode != TFS_FALLOC_KEEP_SIZE &&
        mode != (TFS_FALLOC_PUNCH_HOLE | TFS_FALLOC_KEEP_SIZE))
        return -EOPNOTSUPP;
    if (len == 0)
        return -EINVAL;
    if (off > TFS_MAX_FILE_SIZE || len > TFS_MAX_FILE_SIZE - off)
        return -EFBIG;
    if (mode & TFS_FALLOC_PUNCH_HOLE)
        return punch_hole(v, ino, ip, off, len);
    return alloc_range(v, ino, ip, off, len, mode & TFS_FALLOC_KEEP_SIZE);
}

int tfs_hold(struct tfs_vol *v, uint64_t ino)
{
    struct tfs_inode *ip = tfs_iget(v, ino);
    if (!ip)
        return -ENOENT;
    if (ip->holds == UINT32_MAX)
        return -EMFILE;
    ip->holds++;
    return 0;
}

int tfs_release(struct tfs_vol *v, uint64_t ino)
{
    struct tfs_inode *ip = tfs_iget(v, ino);
    if (!ip || ip->holds == 0)
        return -ENOENT;
    if (--ip->holds || ip->nlink || ino == TFS_ROOT_INO || tfs_writable(v))
        return 0; /* read-only: the next read-write mount frees it */
    int err = tfs_txn_begin(v, TFS_OP_HDR + 8, true);
    if (err)
        return err;
    if ((err = tfs_op_free(v, ino))) {
        tfs_txn_abort(v);
        return err;
    }
    return tfs_txn_end(v);
}
