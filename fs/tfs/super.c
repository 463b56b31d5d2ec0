/*
 * super.c - superblocks, format, mount/unmount, statfs, sync and compaction.
 *
 * Two superblocks, blocks 0 and 1, hold the same thing; each write bumps the generation and
 * goes to block 0, flush, block 1, flush. Mount takes the valid one with the highest
 * generation, so a crash between the two writes leaves one good choice, and a damaged one is
 * covered by the other (a read-write mount rewrites the stale or damaged one). The CRC'd part
 * is 256 bytes, inside the first 512-byte sector, so a device that tears writes at sector
 * granularity can never tear it.
 *
 * Compaction writes the live metadata as a fresh log (a checkpoint) into newly allocated
 * segments, flushes, switches the superblocks to it, and only then frees the old log.
 */
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "fs/tfs/tfs_internal.h"
#include "hal/hal_errno.h"

/* ---- superblock --------------------------------------------------------------------------- */

void tfs_sb_encode(const struct tfs_sb *sb, uint8_t *blk)
{
    memset(blk, 0, TFS_BLOCK_SIZE);
    tfs_put64(blk, TFS_SB_MAGIC);
    tfs_put32(blk + 8, TFS_VERSION);
    tfs_put32(blk + 12, TFS_SB_BYTES);
    tfs_put32(blk + 16, TFS_BLOCK_SIZE);
    tfs_put32(blk + 20, 0);
    tfs_put64(blk + 24, sb->nblocks);
    memcpy(blk + 32, sb->uuid, 16);
    memcpy(blk + 48, sb->label, TFS_LABEL_MAX + 1);
    tfs_put64(blk + 80, sb->generation);
    tfs_put64(blk + 88, sb->log_id);
    tfs_put64(blk + 96, sb->log_start);
    tfs_put64(blk + 104, sb->log_len);
    tfs_put64(blk + 112, sb->log_seq0);
    tfs_put64(blk + 120, sb->ckpt_end);
    tfs_put64(blk + 128, TFS_ROOT_INO);
    tfs_put32(blk + TFS_SB_BYTES - 4, tfs_crc32c(0, blk, TFS_SB_BYTES - 4));
}

int tfs_sb_decode(const uint8_t *blk, struct tfs_sb *sb, const char **why)
{
    if (tfs_get64(blk) != TFS_SB_MAGIC) {
        *why = "no TFS magic";
        return -EINVAL;
    }
    if (tfs_get32(blk + 8) != TFS_VERSION) {
        *why = "unknown version";
        return -EINVAL;
    }
    *why = "bad checksum";
    if (tfs_crc32c(0, blk, TFS_SB_BYTES - 4) != tfs_get32(blk + TFS_SB_BYTES - 4))
        return -EUCLEAN;
    *why = "unsupported geometry or features";
    if (tfs_get32(blk + 12) != TFS_SB_BYTES || tfs_get32(blk + 16) != TFS_BLOCK_SIZE ||
        tfs_get32(blk + 20) != 0 || tfs_get64(blk + 128) != TFS_ROOT_INO)
        return -EINVAL;
    sb->version = TFS_VERSION;
    sb->nblocks = tfs_get64(blk + 24);
    memcpy(sb->uuid, blk + 32, 16);
    memcpy(sb->label, blk + 48, TFS_LABEL_MAX + 1);
    sb->generation = tfs_get64(blk + 80);
    sb->log_id = tfs_get64(blk + 88);
    sb->log_start = tfs_get64(blk + 96);
    sb->log_len = tfs_get64(blk + 104);
    sb->log_seq0 = tfs_get64(blk + 112);
    sb->ckpt_end = tfs_get64(blk + 120);
    *why = "bad field values";
    if (sb->label[TFS_LABEL_MAX] || sb->nblocks < TFS_MIN_BLOCKS || sb->generation == 0 ||
        sb->log_id == 0 || sb->log_seq0 == 0 || sb->ckpt_end < sb->log_seq0 ||
        sb->ckpt_end - sb->log_seq0 > (1ULL << 40))
        return -EUCLEAN;
    for (unsigned i = 136; i < TFS_SB_BYTES - 4; i++)
        if (blk[i])
            return -EUCLEAN;
    return 0;
}

static int write_sb_at(struct tfs_vol *v, uint64_t blk)
{
    tfs_sb_encode(&v->sb, v->bounce);
    int err = v->dev->ops->write(v->dev, blk, 1, v->bounce);
    return err ? err : v->dev->ops->flush(v->dev);
}

/* Bump the generation and write both superblocks (with flushes between). */
int tfs_write_super(struct tfs_vol *v)
{
    v->sb.generation++;
    int err = write_sb_at(v, TFS_SB0_BLOCK);
    return err ? err : write_sb_at(v, TFS_SB1_BLOCK);
}

/* ---- volume lifetime ---------------------------------------------------------------------- */

static void set_geometry(struct tfs_vol *v)
{
    uint64_t seg = v->nblocks / 32;
    v->seg_blocks = seg < 4 ? 4 : seg > TFS_SEG_DEFAULT ? TFS_SEG_DEFAULT : seg;
    uint64_t r = v->nblocks / 64;
    if (r < 2 * v->seg_blocks)
        r = 2 * v->seg_blocks;
    v->reserve = r > 65536 ? 65536 : r;
}

static struct tfs_vol *vol_alloc(struct tfs_dev *dev)
{
    struct tfs_vol *v = kzalloc(sizeof(*v));
    if (!v)
        return NULL;
    v->dev = dev;
    v->nblocks = dev->nblocks;
    v->txn_start = SIZE_MAX;
    v->ino_hint = 2;
    rb_init(&v->resv);
    v->bounce = kmalloc(TFS_BLOCK_SIZE);
    v->wbuf = kmalloc(TFS_WBUF_BLOCKS * TFS_BLOCK_SIZE);
    if (!v->bounce || !v->wbuf) {
        kfree(v->bounce);
        kfree(v->wbuf);
        kfree(v);
        return NULL;
    }
    return v;
}

void tfs_vol_free(struct tfs_vol *v)
{
    tfs_resv_destroy(v); /* unmount releases every reservation */
    for (uint64_t ino = 1; ino <= v->ino_high; ino++) {
        struct tfs_inode *ip = tfs_iget(v, ino);
        if (ip)
            tfs_inode_destroy(v, ino, ip);
    }
    tfs_pvec_free(&v->inodes);
    tfs_dir_arena_free(v);
    tfs_inode_pool_destroy(v);
    tfs_space_destroy(v);
    tfs_logw_free(&v->log);
    kfree(v->stage);
    kfree(v->dirty);
    kfree(v->bounce);
    kfree(v->wbuf);
    kfree(v);
}

/* ---- format ----------------------------------------------------------------------------------- */

int tfs_format(struct tfs_dev *dev, const struct tfs_format_opts *o)
{
    if (!dev || !o || dev->nblocks < TFS_MIN_BLOCKS)
        return -EINVAL;
    if (dev->read_only)
        return -EROFS;
    size_t llen = o->label ? strnlen(o->label, TFS_LABEL_MAX + 1) : 0;
    if (llen > TFS_LABEL_MAX)
        return -EINVAL;
    struct tfs_vol *v = vol_alloc(dev);
    if (!v)
        return -ENOMEM;
    int err = -ENOMEM;
    set_geometry(v);
    memcpy(v->sb.uuid, o->uuid, 16);
    memcpy(v->sb.label, o->label ? o->label : "", llen);
    v->sb.nblocks = dev->nblocks;
    v->sb.log_id = 1;
    v->sb.log_seq0 = 1;
    v->sb.log_start = 2;
    v->sb.log_len = v->seg_blocks;
    v->log.log_id = 1;
    v->log.seq = 1;
    if ((err = tfs_space_init(v)) || (err = tfs_space_carve(v, 0, 2 + v->seg_blocks)) ||
        (err = tfs_logw_add_seg(&v->log, 2, v->seg_blocks)))
        goto out;
    /* One record: the root directory. */
    struct tfs_inode root = {0};
    root.mode = TFS_S_IFDIR | (o->root_mode ? (o->root_mode & 07777) : 0755);
    root.uid = o->root_uid;
    root.gid = o->root_gid;
    root.nlink = 2;
    root.atime = root.mtime = root.ctime = tfs_time_to_ns(&o->now);
    if ((err = tfs_txn_begin(v, TFS_OP_HDR + TFS_OP_INODE_LEN, true)) ||
        (err = tfs_op_inode_new(v, TFS_ROOT_INO, &root)) || (err = tfs_txn_end(v)))
        goto out;
    if ((err = tfs_logw_append(v, &v->log, v->stage, v->stage_len)) ||
        (err = dev->ops->flush(dev)))
        goto out;
    v->sb.ckpt_end = v->log.seq;
    v->sb.generation = 0;
    err = tfs_write_super(v);
out:
    tfs_vol_free(v);
    return err;
}

/* ---- mount --------------------------------------------------------------------------------- */

static int read_supers(struct tfs_vol *v)
{
    struct tfs_sb sb[2];
    int res[2];
    const char *why[2];
    memset(sb, 0, sizeof(sb));
    for (int i = 0; i < 2; i++) {
        int err = v->dev->ops->read(v->dev, i, 1, v->bounce);
        if (err) /* the device's ENOMEM is the VM's size, not the volume's fault */
            return err == -ENOMEM ? -ENOMEM : -EIO;
        res[i] = tfs_sb_decode(v->bounce, &sb[i], &why[i]);
        if (!res[i] && sb[i].nblocks > v->dev->nblocks) {
            res[i] = -EUCLEAN; /* the other copy may still fit the device */
            why[i] = "volume larger than the device";
        }
    }
    if (res[0] && res[1]) {
        tfs_report(v, "superblock 0: %s; superblock 1: %s", why[0], why[1]);
        v->problems++;
        return res[0] == -EINVAL && res[1] == -EINVAL ? -EINVAL : -EUCLEAN;
    }
    for (int i = 0; i < 2; i++) {
        if (res[i]) {
            tfs_report(v, "superblock %d: %s (using the other copy)", i, why[i]);
            v->problems++;
        }
    }
    int pick = res[0] ? 1 : res[1] ? 0 : sb[1].generation > sb[0].generation;
    bool differ = !res[0] && !res[1] && memcmp(&sb[0], &sb[1], sizeof(sb[0]));
    if (differ && sb[0].generation == sb[1].generation) {
        tfs_report(v, "superblocks 0 and 1 differ at the same generation");
        v->problems++;
    }
    v->sb = sb[pick];
    v->sb_stale = res[0] || res[1] || differ;
    v->nblocks = v->sb.nblocks;
    return 0;
}

/* Carve every used block out of the free space: superblocks, log, extents. */
static int derive_space(struct tfs_vol *v)
{
    int err = tfs_space_init(v);
    if (err || (err = tfs_space_carve(v, 0, 2)))
        return err;
    for (uint32_t i = 0; i < v->log.nsegs; i++) {
        if (tfs_space_carve(v, v->log.segs[i].start, v->log.segs[i].len)) {
            tfs_report(v, "log segment %llu+%llu overlaps other metadata",
                       (unsigned long long)v->log.segs[i].start,
                       (unsigned long long)v->log.segs[i].len);
            v->problems++;
            return -EUCLEAN;
        }
    }
    struct tfs_iter it = {.v = v};
    struct tfs_inode *ip;
    while ((ip = tfs_iter_next(&it))) { /* a punch below changes extents, not inodes */
        uint64_t ino = it.ino;
        if (!tfs_is_type(ip, TFS_S_IFREG))
            continue;
        for (uint32_t i = 0; i < ip->u.ext.n; i++) {
            struct tfs_ext e = tfs_ext_array(ip)[i];
            err = tfs_space_carve(v, e.pblk, e.len);
            if (err == -ENOMEM)
                return err;
            if (!err)
                continue;
            tfs_report(v, "inode %llu: extent at file block %llu (blocks %llu+%u) overlaps "
                       "other data or metadata", (unsigned long long)ino,
                       (unsigned long long)e.lblk, (unsigned long long)e.pblk, e.len);
            v->problems++;
            if (!v->tolerant)
                return -EUCLEAN;
            /* fsck: drop the later claimant (still replaying: nothing goes to pending) */
            bool was = v->replaying;
            v->replaying = true;
            tfs_ext_punch(v, ip, e.lblk, e.len);
            v->replaying = was;
            i--;
        }
    }
    return 0;
}

/* Inodes with no links left by a crash while they were open: free them now. */
static int free_orphans(struct tfs_vol *v)
{
    for (uint64_t ino = 2; ino <= v->ino_high; ino++) {
        struct tfs_inode *ip = tfs_iget(v, ino);
        if (!ip || ip->nlink)
            continue;
        int err = tfs_txn_begin(v, TFS_OP_HDR + 8, true);
        if (!err && (err = tfs_op_free(v, ino)))
            tfs_txn_abort(v);
        else if (!err)
            err = tfs_txn_end(v);
        if (err)
            return err;
    }
    return 0;
}

/*
 * The root must exist after replay. fsck (tolerant) stands in an empty one when a damaged
 * checkpoint record held it, so that the check goes on and repair moves every surviving
 * inode to /lost+found.
 */
static int check_root(struct tfs_vol *v)
{
    if (tfs_iget(v, TFS_ROOT_INO))
        return 0;
    tfs_report(v, "log: no root directory");
    v->problems++;
    if (!v->tolerant)
        return -EUCLEAN;
    uint8_t b[TFS_OP_INODE_LEN];
    const char *why;
    int64_t now = tfs_now(v);
    memset(b, 0, sizeof(b));
    tfs_put64(b, TFS_ROOT_INO);
    tfs_put32(b + 8, TFS_S_IFDIR | 0755);
    tfs_put32(b + 20, 2);
    for (int i = 0; i < 3; i++)
        tfs_put64(b + 40 + 8 * i, (uint64_t)now);
    int err = tfs_apply_op(v, TFS_OP_INODE, b, sizeof(b), &why);
    return err == -ENOMEM ? err : err ? -EUCLEAN : 0;
}

/* After replay: the root, free space, the tree checks, then (read-write) the superblocks
 * and the orphans. */
static int mount_finish(struct tfs_vol *v, bool read_only)
{
    int err;
    if ((err = check_root(v)) || (err = derive_space(v)))
        return err;
    v->replaying = false;
    v->ino_hint = v->ino_high + 1;
    v->ro = read_only;
    if (tfs_check_tree(v, v->tolerant && !v->ro) && !v->tolerant)
        return -EUCLEAN;
    if (v->ro)
        return 0;
    if (v->sb_stale && (err = tfs_write_super(v)))
        return err;
    return free_orphans(v);
}

int tfs_mount_internal(struct tfs_dev *dev, const struct tfs_mount_opts *opts, bool tolerant,
                       struct tfs_vol **out)
{
    if (!dev || !opts || !out || !dev->ops)
        return -EINVAL;
    if (!opts->read_only && dev->read_only)
        return -EROFS;
    struct tfs_vol *v = vol_alloc(dev);
    if (!v)
        return -ENOMEM;
    v->opts = *opts;
    v->ro = true; /* until replay is done */
    v->tolerant = tolerant;
    int err = -EINVAL;
    if (dev->nblocks < TFS_MIN_BLOCKS) {
        tfs_report(v, "device of %llu blocks is too small for TFS",
                   (unsigned long long)dev->nblocks);
        goto fail;
    }
    if ((err = read_supers(v)))
        goto fail;
    set_geometry(v);
    v->replaying = true;
    err = tfs_replay(v);
    if (err && !(tolerant && err == -EUCLEAN))
        goto fail;
    if ((err = mount_finish(v, opts->read_only)))
        goto fail;
    *out = v;
    return 0;
fail:
    if (err == -EUCLEAN && !tolerant)
        tfs_report(v, "refusing to mount a damaged volume");
    if (tolerant && v->problems && err != -ENOMEM && err != -EIO && err != -EINVAL)
        err = -EUCLEAN;
    tfs_vol_free(v);
    return err;
}

int tfs_mount(struct tfs_dev *dev, const struct tfs_mount_opts *opts, struct tfs_vol **out)
{
    if (!opts || !opts->clock)
        return -EINVAL;
    return tfs_mount_internal(dev, opts, false, out);
}

int tfs_unmount(struct tfs_vol *v)
{
    int err = 0;
    if (!v->ro && !v->errors)
        err = tfs_commit(v);
    tfs_vol_free(v);
    return err;
}

int tfs_statfs(struct tfs_vol *v, struct tfs_statfs *st)
{
    memset(st, 0, sizeof(*st));
    st->block_size = TFS_BLOCK_SIZE;
    st->blocks = v->nblocks;
    st->free_blocks = tfs_free_unreserved(v); /* as Linux's ext4: reserved data counts as used */
    st->avail_blocks = tfs_data_avail(v);
    st->reserved_blocks = v->resv_data;
    st->files = v->ninodes;
    st->free_files = TFS_INO_MAX - v->ninodes;
    st->name_max = TFS_NAME_MAX;
    memcpy(st->uuid, v->sb.uuid, 16);
    memcpy(st->label, v->sb.label, sizeof(st->label));
    for (uint32_t i = 0; i < v->log.nsegs; i++)
        st->log_blocks += v->log.segs[i].len;
    st->log_seq = v->log.seq;
    st->generation = v->sb.generation;
    st->read_only = v->ro || v->errors;
    st->errors = v->errors;
    return 0;
}

int tfs_sync(struct tfs_vol *v)
{
    if (v->ro)
        return 0;
    return tfs_commit(v);
}

int tfs_fsync(struct tfs_vol *v, uint64_t ino)
{
    if (!tfs_iget(v, ino))
        return -ENOENT;
    return tfs_sync(v);
}

int tfs_fdatasync(struct tfs_vol *v, uint64_t ino)
{
    struct tfs_inode *ip = tfs_iget(v, ino);
    if (!ip)
        return -ENOENT;
    if (v->ro)
        return 0;
    if (v->errors)
        return -EUCLEAN;
    if (ip->flags & TFS_I_DATASYNC)
        return tfs_commit(v);
    if (!v->data_dirty)
        return 0;
    int err = v->dev->ops->flush(v->dev);
    if (err) {
        tfs_set_error(v, err);
        return err;
    }
    v->data_dirty = false;
    return 0;
}

/* ---- compaction ------------------------------------------------------------------------------ */

struct ckpt {
    struct tfs_vol *v;
    struct tfs_logw *w;
    uint8_t *buf;
    size_t len, cap, rec; /* rec: offset of the open record */
};

#define CKPT_BUF (1u << 20)
#define CKPT_REC (64u * 1024u)

static int ck_flush(struct ckpt *c)
{
    if (c->rec != SIZE_MAX) {
        size_t l = c->len - c->rec;
        size_t p = (l + 7) & ~(size_t)7;
        memset(c->buf + c->len, 0, p - l);
        c->len = c->rec + p;
        tfs_put32(c->buf + c->rec + 8, (uint32_t)p);
        c->rec = SIZE_MAX;
    }
    if (c->len == 0)
        return 0;
    int err = tfs_logw_append(c->v, c->w, c->buf, c->len);
    c->len = 0;
    return err;
}

/* Append one op to the checkpoint, opening/closing records and writing as needed. */
static int ck_op(struct ckpt *c, uint32_t op, const void *a, size_t alen, const void *b,
                 size_t blen, const void *d, size_t dlen)
{
    size_t n = TFS_OP_HDR + alen + blen + dlen;
    int err;
    /* Close the open record when the op would take it past CKPT_REC, or the buffer past its
     * end (then it is written out below): without the second test, a checkpoint of more than
     * CKPT_BUF bytes (50,000 files) wrote up to a record past the buffer. */
    if (c->rec != SIZE_MAX && (c->len - c->rec + n > CKPT_REC || c->len + n + 8 > c->cap)) {
        size_t l = c->len - c->rec, p = (l + 7) & ~(size_t)7;
        memset(c->buf + c->len, 0, p - l);
        c->len = c->rec + p;
        tfs_put32(c->buf + c->rec + 8, (uint32_t)p);
        c->rec = SIZE_MAX;
    }
    if (c->rec == SIZE_MAX) {
        if (c->len + TFS_REC_HDR + n + 8 > c->cap && (err = ck_flush(c)))
            return err;
        c->rec = c->len;
        memset(c->buf + c->len, 0, TFS_REC_HDR);
        c->len += TFS_REC_HDR;
    }
    uint8_t *p = c->buf + c->len;
    p[0] = (uint8_t)op;
    p[1] = p[2] = p[3] = 0;
    tfs_put32(p + 4, (uint32_t)(n - TFS_OP_HDR));
    memcpy(p + TFS_OP_HDR, a, alen);
    if (blen)
        memcpy(p + TFS_OP_HDR + alen, b, blen);
    if (dlen)
        memcpy(p + TFS_OP_HDR + alen + blen, d, dlen);
    c->len += n;
    return 0;
}

static int ck_inode(struct ckpt *c, uint64_t ino, struct tfs_inode *ip)
{
    uint8_t b[TFS_OP_INODE_LEN], h[32];
    tfs_put64(b, ino);
    tfs_put32(b + 8, ip->mode);
    tfs_put32(b + 12, ip->uid);
    tfs_put32(b + 16, ip->gid);
    tfs_put32(b + 20, ip->nlink);
    tfs_put64(b + 24, ip->size);
    tfs_put64(b + 32, tfs_is_type(ip, TFS_S_IFCHR) || tfs_is_type(ip, TFS_S_IFBLK)
                          ? ip->u.rdev : 0);
    tfs_put64(b + 40, (uint64_t)ip->atime);
    tfs_put64(b + 48, (uint64_t)ip->mtime);
    tfs_put64(b + 56, (uint64_t)ip->ctime);
    int err = ck_op(c, TFS_OP_INODE, b, sizeof(b), NULL, 0, NULL, 0);
    tfs_put64(h, ino);
    if (!err && tfs_is_type(ip, TFS_S_IFLNK) && ip->u.symlink)
        err = ck_op(c, TFS_OP_SYMLINK, h, 8, ip->u.symlink, ip->size, NULL, 0);
    for (struct tfs_xattr *x = ip->xattrs; x && !err; x = x->next) {
        tfs_put32(h + 8, x->nlen);
        err = ck_op(c, TFS_OP_XSET, h, 12, x->data, x->nlen, x->data + x->nlen, x->vlen);
    }
    if (tfs_is_type(ip, TFS_S_IFREG)) {
        for (uint32_t i = 0; i < ip->u.ext.n && !err; i++) {
            struct tfs_ext *e = &tfs_ext_array(ip)[i];
            tfs_put64(h + 8, e->lblk);
            tfs_put64(h + 16, e->pblk);
            tfs_put32(h + 24, e->len);
            tfs_put32(h + 28, e->flags);
            err = ck_op(c, TFS_OP_EXTENT, h, 32, NULL, 0, NULL, 0);
        }
    }
    return err;
}

static int ck_dir(struct ckpt *c, uint64_t ino, struct tfs_dir *d)
{
    uint8_t h[16];
    tfs_put64(h, ino);
    for (uint32_t s = 0; s < d->nslots; s++) {
        struct tfs_dirent *de = tfs_dir_slot(d, s);
        if (!de)
            continue;
        tfs_put64(h + 8, de->ino);
        int err = ck_op(c, TFS_OP_LINK, h, 16, de->name, de->namelen, NULL, 0);
        if (err)
            return err;
    }
    return 0;
}

/* Write every live inode, then every directory entry, as records of the log w. */
int tfs_log_write_checkpoint(struct tfs_vol *v, struct tfs_logw *w)
{
    struct ckpt c = {v, w, kmalloc(CKPT_BUF), 0, CKPT_BUF, SIZE_MAX};
    int err = 0;
    if (!c.buf)
        return -ENOMEM;
    for (uint64_t ino = 1; ino <= v->ino_high && !err; ino++) {
        struct tfs_inode *ip = tfs_iget(v, ino);
        if (ip)
            err = ck_inode(&c, ino, ip);
    }
    for (uint64_t ino = 1; ino <= v->ino_high && !err; ino++) {
        struct tfs_inode *ip = tfs_iget(v, ino);
        if (ip && tfs_is_type(ip, TFS_S_IFDIR))
            err = ck_dir(&c, ino, ip->u.dir);
    }
    if (!err)
        err = ck_flush(&c);
    kfree(c.buf);
    return err;
}

int tfs_compact(struct tfs_vol *v)
{
    int err = tfs_writable(v);
    if (err || (err = tfs_commit(v)))
        return err;
    struct tfs_logw nw = {0};
    uint64_t start;
    nw.log_id = v->log.log_id + 1 ? v->log.log_id + 1 : 1; /* log_id 0 is invalid */
    nw.seq = 1;
    if ((err = tfs_space_alloc_exact(v, v->seg_blocks, &start)))
        return err;
    if ((err = tfs_logw_add_seg(&nw, start, v->seg_blocks))) {
        tfs_space_free(v, start, v->seg_blocks);
        return err;
    }
    err = tfs_log_write_checkpoint(v, &nw);
    if (!err)
        err = v->dev->ops->flush(v->dev);
    if (err) {
        for (uint32_t i = 0; i < nw.nsegs; i++)
            tfs_space_free(v, nw.segs[i].start, nw.segs[i].len);
        tfs_logw_free(&nw);
        if (err == -EIO)
            tfs_set_error(v, err);
        return err;
    }
    struct tfs_sb old = v->sb;
    v->sb.log_id = nw.log_id;
    v->sb.log_start = nw.segs[0].start;
    v->sb.log_len = nw.segs[0].len;
    v->sb.log_seq0 = 1;
    v->sb.ckpt_end = nw.seq;
    if ((err = tfs_write_super(v))) {
        v->sb = old;
        tfs_set_error(v, err); /* which superblock the disk holds is unknown now */
        tfs_logw_free(&nw);
        return err;
    }
    for (uint32_t i = 0; i < v->log.nsegs; i++)
        tfs_space_free(v, v->log.segs[i].start, v->log.segs[i].len);
    tfs_logw_free(&v->log);
    v->log = nw;
    return 0;
}
