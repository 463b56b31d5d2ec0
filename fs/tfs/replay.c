/*
 * replay.c - reading the log at mount: rebuild the in-memory state from the superblock's
 * log, record by record.
 *
 * A record is accepted only when its magic, length, CRC32C, log id, sequence number (one
 * more than the previous) and prev_crc (the previous record's CRC) all check out. The first
 * record that does not is the end of the log: everything before it was committed, it and
 * what follows were not (a torn or never-completed commit, or stale bytes from an earlier
 * use of the blocks). Inside the checkpoint (seq < sb.ckpt_end) every record must be good:
 * those were flushed before the superblock pointed at them, so a bad one is damage.
 * A record whose CRC is good but whose contents are not (a bad op, a bad LINK) is damage too.
 */
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "fs/tfs/tfs_internal.h"
#include "hal/hal_errno.h"

#define RWIN_BLOCKS (TFS_REC_MAX / TFS_BLOCK_SIZE + 8)

struct reader {
    struct tfs_vol *v;
    struct tfs_seg seg;
    uint8_t *win;     /* RWIN_BLOCKS blocks of the segment */
    uint64_t win_blk; /* segment-relative block at win[0] */
    uint64_t win_n;   /* valid blocks */
};

/* Pointer to bytes [pos, pos+len) of the current segment (len <= TFS_REC_MAX). */
static int rd_get(struct reader *r, uint64_t pos, uint32_t len, const uint8_t **out)
{
    uint64_t seg_bytes = r->seg.len * TFS_BLOCK_SIZE;
    if (pos > seg_bytes || len > seg_bytes - pos)
        return -ERANGE;
    uint64_t b0 = pos / TFS_BLOCK_SIZE, b1 = (pos + len + TFS_BLOCK_SIZE - 1) / TFS_BLOCK_SIZE;
    if (b0 < r->win_blk || b1 > r->win_blk + r->win_n) {
        uint64_t n = r->seg.len - b0 < RWIN_BLOCKS ? r->seg.len - b0 : RWIN_BLOCKS;
        int err = r->v->dev->ops->read(r->v->dev, r->seg.start + b0, (uint32_t)n, r->win);
        if (err) /* the device's ENOMEM is the VM's size, not the volume's fault */
            return err == -ENOMEM ? -ENOMEM : -EIO;
        r->win_blk = b0;
        r->win_n = n;
    }
    *out = r->win + (pos - r->win_blk * TFS_BLOCK_SIZE);
    return 0;
}

static bool seg_ok(struct tfs_vol *v, uint64_t start, uint64_t len)
{
    if (start < 2 || len < TFS_SEG_MIN || len > TFS_SEG_MAX || start >= v->nblocks ||
        len > v->nblocks - start)
        return false;
    for (uint32_t i = 0; i < v->log.nsegs; i++) {
        const struct tfs_seg *s = &v->log.segs[i];
        if (start < s->start + s->len && s->start < start + len)
            return false;
    }
    return true;
}

/* Problem in a good-CRC record: refuse the mount, or (fsck) count it and go on. */
static int damaged(struct tfs_vol *v, uint64_t seq, uint64_t blk, unsigned opno, const char *why)
{
    tfs_report(v, "log record %llu (block %llu) op %u: %s", (unsigned long long)seq,
               (unsigned long long)blk, opno, why);
    v->problems++;
    return v->tolerant ? 0 : -EUCLEAN;
}

/* A good-CRC record whose header is bad: refuse the mount, or (fsck) count it. */
static int rec_damaged(struct tfs_vol *v, uint64_t blk, const char *why)
{
    tfs_report(v, "log record %llu (block %llu): %s", (unsigned long long)v->log.seq,
               (unsigned long long)blk, why);
    v->problems++;
    return v->tolerant ? 0 : -EUCLEAN;
}

/* Where the record after the TXN (or unknown) record h at pos starts. */
static uint64_t rec_end(const uint8_t *h, uint64_t pos)
{
    pos += tfs_get32(h + 8);
    if (tfs_get16(h + 6) & TFS_REC_F_ENDBLK)
        pos = (pos + TFS_BLOCK_SIZE - 1) / TFS_BLOCK_SIZE * TFS_BLOCK_SIZE;
    return pos;
}

static int apply_txn(struct tfs_vol *v, const uint8_t *p, uint32_t len, uint64_t seq,
                     uint64_t blk)
{
    uint32_t off = TFS_REC_HDR;
    unsigned opno = 0;
    while (len - off >= TFS_OP_HDR) {
        uint32_t op = p[off], body = tfs_get32(p + off + 4);
        if (p[off + 1] | p[off + 2] | p[off + 3] || body > len - off - TFS_OP_HDR)
            return damaged(v, seq, blk, opno, "bad op header");
        const char *why;
        int err = tfs_apply_op(v, op, p + off + TFS_OP_HDR, body, &why);
        if (err == -ENOMEM)
            return err;
        if (err && (err = damaged(v, seq, blk, opno, why)))
            return err;
        off += TFS_OP_HDR + body;
        opno++;
    }
    for (; off < len; off++)
        if (p[off])
            return damaged(v, seq, blk, opno, "nonzero padding");
    return 0;
}

/* Why the record at pos is not the next one, or NULL when it is. */
static const char *check_rec(struct reader *r, uint64_t pos, const uint8_t **rec)
{
    struct tfs_logw *w = &r->v->log;
    const uint8_t *h;
    if (rd_get(r, pos, TFS_REC_HDR, &h))
        return "record header past the segment end or unreadable";
    uint32_t len = tfs_get32(h + 8);
    if (tfs_get32(h) != TFS_REC_MAGIC)
        return "bad record magic";
    if (len < TFS_REC_HDR || len % 8 || len > TFS_REC_MAX)
        return "bad record length";
    if (tfs_get64(h + 24) != w->log_id)
        return "record from another log";
    if (tfs_get64(h + 16) != w->seq)
        return "unexpected sequence number";
    if (rd_get(r, pos, len, &h))
        return "record past the segment end or unreadable";
    uint8_t tmp[4];
    memcpy(tmp, h + 12, 4);
    uint32_t crc = tfs_get32(tmp);
    /* CRC over the record with its CRC field taken as zero */
    uint32_t c = tfs_crc32c(0, h, 12);
    c = tfs_crc32c(c, "\0\0\0\0", 4);
    c = tfs_crc32c(c, h + 16, len - 16);
    if (c != crc)
        return "bad record checksum";
    if (tfs_get32(h + 32) != w->prev_crc)
        return "record does not follow the previous one";
    *rec = h;
    return NULL;
}

static int replay_link(struct tfs_vol *v, struct reader *r, const uint8_t *h, uint64_t blk)
{
    uint64_t start = tfs_get64(h + TFS_REC_HDR), len = tfs_get64(h + TFS_REC_HDR + 8);
    if (tfs_get32(h + 8) != TFS_LINK_REC_LEN || !seg_ok(v, start, len)) {
        tfs_report(v, "log record %llu (block %llu): bad link to segment %llu+%llu",
                   (unsigned long long)v->log.seq, (unsigned long long)blk,
                   (unsigned long long)start, (unsigned long long)len);
        v->problems++;
        return -EUCLEAN;
    }
    int err = tfs_logw_add_seg(&v->log, start, len);
    if (err)
        return err;
    r->seg = v->log.segs[v->log.nsegs - 1];
    r->win_n = 0;
    return 0;
}

/*
 * Fields the CRC covers but the chain does not check: a record that chains correctly and
 * has a bad one is damage (docs/tfs-format.md 3.3), not the end of the log. Returns 0 when
 * the record is to be replayed, 1 when (fsck) it is to be stepped over, or -EUCLEAN.
 */
static int check_fields(struct tfs_vol *v, const uint8_t *h, uint64_t blk)
{
    uint16_t type = tfs_get16(h + 4);
    int err = 0;
    if (tfs_get32(h + 36))
        err = rec_damaged(v, blk, "nonzero reserved header bytes");
    if (err || type == TFS_REC_TXN || type == TFS_REC_LINK)
        return err;
    err = rec_damaged(v, blk, "unknown record type");
    return err ? err : 1;
}

/* Replay one accepted TXN record at *pos and move *pos past it. */
static int replay_txn(struct tfs_vol *v, struct reader *r, const uint8_t *h, uint64_t *pos,
                      uint64_t blk)
{
    uint32_t len = tfs_get32(h + 8);
    int err;
    if (*pos + len > (r->seg.len - 1) * TFS_BLOCK_SIZE &&
        (err = damaged(v, v->log.seq, blk, 0, "record in the segment's link block")))
        return err;
    if ((err = apply_txn(v, h, len, v->log.seq, blk)))
        return err;
    *pos = rec_end(h, *pos);
    return 0;
}

/* A damaged checkpoint record is damage; anywhere else a failed check ends the log. */
static int log_end(struct tfs_vol *v, uint64_t blk, const char *why)
{
    if (v->log.seq >= v->sb.ckpt_end)
        return 0;
    tfs_report(v, "log: checkpoint record %llu (block %llu): %s",
               (unsigned long long)v->log.seq, (unsigned long long)blk, why);
    v->problems++;
    return -EUCLEAN;
}

/* Replay records until the end of the log; *pos ends at the first one not accepted. */
static int replay_records(struct tfs_vol *v, struct reader *r, uint64_t *pos)
{
    struct tfs_logw *w = &v->log;
    for (;;) {
        const uint8_t *h;
        uint64_t blk = r->seg.start + *pos / TFS_BLOCK_SIZE;
        const char *why = check_rec(r, *pos, &h);
        if (why)
            return log_end(v, blk, why);
        int err = check_fields(v, h, blk);
        if (err < 0)
            return err;
        if (err == 1)
            *pos = rec_end(h, *pos); /* fsck: an unknown record is stepped over */
        else if (tfs_get16(h + 4) == TFS_REC_LINK) {
            if ((err = replay_link(v, r, h, blk)))
                return err;
            *pos = 0;
        } else if ((err = replay_txn(v, r, h, pos, blk)))
            return err;
        w->prev_crc = tfs_get32(h + 12);
        w->seq++;
    }
}

/*
 * Replay the log named by v->sb. Returns 0 (v->log ready for appending), -EUCLEAN (damage:
 * reported), -EIO or -ENOMEM.
 */
int tfs_replay(struct tfs_vol *v)
{
    struct tfs_logw *w = &v->log;
    struct reader r = {v, {v->sb.log_start, v->sb.log_len}, NULL, 0, 0};
    int err;

    w->log_id = v->sb.log_id;
    w->seq = v->sb.log_seq0;
    w->prev_crc = 0;
    if (!seg_ok(v, v->sb.log_start, v->sb.log_len)) {
        tfs_report(v, "superblock: bad log segment %llu+%llu",
                   (unsigned long long)v->sb.log_start, (unsigned long long)v->sb.log_len);
        return -EUCLEAN;
    }
    if ((err = tfs_logw_add_seg(w, v->sb.log_start, v->sb.log_len)))
        return err;
    r.win = kmalloc(RWIN_BLOCKS * TFS_BLOCK_SIZE);
    if (!r.win)
        return -ENOMEM;
    uint64_t pos = 0;
    err = replay_records(v, &r, &pos);
    kfree(r.win);
    w->pos = (pos + TFS_BLOCK_SIZE - 1) / TFS_BLOCK_SIZE * TFS_BLOCK_SIZE;
    if (!err && w->pos > (r.seg.len - 1) * TFS_BLOCK_SIZE)
        w->pos = (r.seg.len - 1) * TFS_BLOCK_SIZE; /* only a link fits; the writer links on */
    return err;
}
