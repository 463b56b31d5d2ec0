/*
 * log.c - staging metadata records and committing them to the log.
 *
 * A live operation opens a record (tfs_txn_begin), encodes its ops into the staging buffer,
 * applying each one to the in-memory state as it goes (tfs_apply_op), and closes the record
 * (tfs_txn_end). One record = one atomic change. tfs_commit() writes every staged record
 * behind the previous ones in the log and flushes:
 *
 *     data writes ... FLUSH (if data was written) | log blocks ... FLUSH | pending frees -> free
 *
 * so a record never reaches the disk before the data it points at, and freed blocks are
 * reused only once the free is durable. A commit always starts on a fresh block: a block that
 * holds committed records is never written again, so a torn commit cannot damage an earlier
 * one. When a record does not fit in the current segment, a new segment is allocated and a
 * LINK record pointing at it is written where the record would have gone (every segment keeps
 * its last block for that LINK).
 */
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "fs/tfs/tfs_internal.h"
#include "hal/hal_errno.h"

#define TXN_NONE SIZE_MAX

/* ---- log writer ------------------------------------------------------------------------ */

int tfs_logw_add_seg(struct tfs_logw *w, uint64_t start, uint64_t len)
{
    if (w->nsegs == w->segcap) {
        uint32_t ncap = w->segcap ? w->segcap * 2 : 8;
        struct tfs_seg *n = krealloc(w->segs, ncap * sizeof(*n));
        if (!n)
            return -ENOMEM;
        w->segs = n;
        w->segcap = ncap;
    }
    w->segs[w->nsegs].start = start;
    w->segs[w->nsegs].len = len;
    w->nsegs++;
    w->pos = 0;
    return 0;
}

void tfs_logw_free(struct tfs_logw *w)
{
    kfree(w->segs);
    w->segs = NULL;
    w->nsegs = w->segcap = 0;
}

uint64_t tfs_seg_blocks(struct tfs_vol *v)
{
    return v->seg_blocks;
}

/* Sequential writer of one segment's blocks through v->wbuf. */
struct wbuf {
    struct tfs_vol *v;
    uint64_t seg_start; /* device block of the segment */
    uint64_t first;     /* segment-relative block at wbuf[0] */
    uint64_t fill;      /* bytes in wbuf */
};

static int wb_out(struct wbuf *b)
{
    uint32_t n = (uint32_t)((b->fill + TFS_BLOCK_SIZE - 1) / TFS_BLOCK_SIZE);
    if (n == 0)
        return 0;
    memset(b->v->wbuf + b->fill, 0, n * TFS_BLOCK_SIZE - b->fill);
    int err = b->v->dev->ops->write(b->v->dev, b->seg_start + b->first, n, b->v->wbuf);
    b->first += n;
    b->fill = 0;
    return err;
}

static int wb_put(struct wbuf *b, const uint8_t *p, size_t n)
{
    const size_t cap = TFS_WBUF_BLOCKS * TFS_BLOCK_SIZE;
    while (n) {
        size_t k = cap - b->fill < n ? cap - b->fill : n;
        memcpy(b->v->wbuf + b->fill, p, k);
        b->fill += k;
        p += k;
        n -= k;
        if (b->fill == cap) {
            int err = wb_out(b);
            if (err)
                return err;
        }
    }
    return 0;
}

static void rec_seal(struct tfs_logw *w, uint8_t *r, uint16_t type, uint16_t flags,
                     uint32_t len)
{
    tfs_put32(r, TFS_REC_MAGIC);
    tfs_put16(r + 4, type);
    tfs_put16(r + 6, flags);
    tfs_put32(r + 8, len);
    tfs_put32(r + 12, 0);
    tfs_put64(r + 16, w->seq);
    tfs_put64(r + 24, w->log_id);
    tfs_put32(r + 32, w->prev_crc);
    tfs_put32(r + 36, 0);
    uint32_t crc = tfs_crc32c(0, r, len);
    tfs_put32(r + 12, crc);
    w->prev_crc = crc;
    w->seq++;
}

/* A new segment of at least min blocks; the volume's usual size when it can. */
static int new_segment(struct tfs_vol *v, uint64_t min, uint64_t *start, uint64_t *len)
{
    uint64_t want = v->seg_blocks > min ? v->seg_blocks : min;
    for (; want >= min; want /= 2) {
        if (tfs_space_alloc_exact(v, want, start) == 0) {
            *len = want;
            return 0;
        }
        if (want == min)
            break;
        if (want / 2 < min)
            want = min * 2;
    }
    return -ENOSPC;
}

/* Allocate a segment big enough for a record of rlen bytes, end the current one with a LINK
 * record naming it, and point w and b at its start. */
static int link_segment(struct tfs_vol *v, struct tfs_logw *w, struct wbuf *b, uint32_t rlen)
{
    uint64_t nstart, nlen;
    uint8_t link[TFS_LINK_REC_LEN];
    int err = new_segment(v, (rlen + TFS_BLOCK_SIZE - 1) / TFS_BLOCK_SIZE + 1, &nstart, &nlen);
    if (err)
        return err;
    memset(link, 0, sizeof(link));
    tfs_put64(link + TFS_REC_HDR, nstart);
    tfs_put64(link + TFS_REC_HDR + 8, nlen);
    rec_seal(w, link, TFS_REC_LINK, 0, TFS_LINK_REC_LEN);
    if ((err = wb_put(b, link, sizeof(link))) || (err = wb_out(b)))
        return err;
    if ((err = tfs_logw_add_seg(w, nstart, nlen))) {
        tfs_space_free(v, nstart, nlen);
        return err;
    }
    b->seg_start = w->segs[w->nsegs - 1].start;
    b->first = 0;
    return 0;
}

/*
 * Append the staged records recs[0..len) (headers unsealed) to the log of w and write them.
 * The last record gets ENDBLK, so the log position ends on a block boundary. No flush.
 */
int tfs_logw_append(struct tfs_vol *v, struct tfs_logw *w, uint8_t *recs, size_t len)
{
    struct tfs_seg *s = &w->segs[w->nsegs - 1];
    struct wbuf b = {v, s->start, w->pos / TFS_BLOCK_SIZE, 0};
    int err = 0;

    for (size_t off = 0; off < len;) {
        uint8_t *r = recs + off;
        uint32_t rlen = tfs_get32(r + 8);
        if (w->pos + rlen > (s->len - 1) * TFS_BLOCK_SIZE) {
            if ((err = link_segment(v, w, &b, rlen)))
                return err;
            s = &w->segs[w->nsegs - 1];
            continue;
        }
        bool last = off + rlen >= len;
        rec_seal(w, r, TFS_REC_TXN, last ? TFS_REC_F_ENDBLK : 0, rlen);
        if ((err = wb_put(&b, r, rlen)))
            return err;
        w->pos += rlen;
        off += rlen;
    }
    w->pos = (w->pos + TFS_BLOCK_SIZE - 1) / TFS_BLOCK_SIZE * TFS_BLOCK_SIZE;
    return wb_out(&b);
}

/* ---- staging ------------------------------------------------------------------------------- */

static int stage_reserve(struct tfs_vol *v, size_t extra)
{
    size_t need = v->stage_len + extra;
    if (need <= v->stage_cap)
        return 0;
    size_t ncap = v->stage_cap ? v->stage_cap : 4096;
    while (ncap < need)
        ncap *= 2;
    uint8_t *n = krealloc(v->stage, ncap);
    if (!n)
        return -ENOMEM;
    v->stage = n;
    v->stage_cap = ncap;
    return 0;
}

/* Blocks the staged records, the records reservations hold log bytes for (resv.c), and
 * extra bytes may need in the log, links included. */
uint64_t tfs_log_need(struct tfs_vol *v, size_t extra)
{
    uint64_t bytes = v->stage_len + v->resv_bytes + extra + TFS_BLOCK_SIZE;
    return 2 * (bytes / TFS_BLOCK_SIZE + 1) + v->seg_blocks;
}

/* credit: log bytes of a reservation this record uses (then no reserve is kept back: the
 * reservation was taken with it). */
static bool space_ok(struct tfs_vol *v, size_t max_bytes, bool freeing, uint64_t credit)
{
    if (credit)
        return tfs_free_unreserved(v) >=
               tfs_log_need(v, max_bytes > credit ? max_bytes - (size_t)credit : 0);
    uint64_t need = tfs_log_need(v, max_bytes) + (freeing ? 0 : v->reserve / 2);
    return tfs_free_unreserved(v) >= need;
}

/*
 * Open a record that will hold at most max_bytes of ops. freeing: the operation releases
 * space (unlink, truncate...) and may dip into the reserve. Returns 0, -EROFS, -EUCLEAN,
 * -ENOSPC or -ENOMEM.
 */
int tfs_txn_begin(struct tfs_vol *v, size_t max_bytes, bool freeing)
{
    return tfs_txn_begin_credit(v, max_bytes, freeing, 0);
}

/* tfs_txn_begin for a record paid for by credit log bytes of a reservation (resv.c), which
 * the caller releases once the record is staged. */
int tfs_txn_begin_credit(struct tfs_vol *v, size_t max_bytes, bool freeing, uint64_t credit)
{
    int err = tfs_writable(v);
    if (err)
        return err;
    if (max_bytes + TFS_REC_HDR + 8 > TFS_REC_MAX)
        return -E2BIG;
    if (!space_ok(v, max_bytes, freeing, credit)) {
        if (v->npending || v->stage_len) {
            err = tfs_commit(v);
            if (err)
                return err;
        }
        if (!space_ok(v, max_bytes, freeing, credit))
            return -ENOSPC;
    }
    err = stage_reserve(v, TFS_REC_HDR + max_bytes + 8);
    if (err)
        return err;
    v->txn_start = v->stage_len;
    memset(v->stage + v->stage_len, 0, TFS_REC_HDR);
    v->stage_len += TFS_REC_HDR;
    return 0;
}

void tfs_txn_abort(struct tfs_vol *v)
{
    if (v->txn_start != TXN_NONE)
        v->stage_len = v->txn_start;
    v->txn_start = TXN_NONE;
}

/* Close the record; commits when the staging buffer has grown large. */
int tfs_txn_end(struct tfs_vol *v)
{
    size_t len = v->stage_len - v->txn_start;
    if (len == TFS_REC_HDR) {
        tfs_txn_abort(v);
        return 0;
    }
    size_t padded = (len + 7) & ~(size_t)7;
    memset(v->stage + v->stage_len, 0, padded - len);
    v->stage_len = v->txn_start + padded;
    tfs_put32(v->stage + v->txn_start + 8, (uint32_t)padded);
    v->txn_start = TXN_NONE;
    if (v->stage_len >= TFS_STAGE_COMMIT_BYTES)
        return tfs_commit(v);
    return 0;
}

/* Encode one op (header + up to three body parts) and apply it. */
static int op_put(struct tfs_vol *v, uint32_t op, const void *a, size_t alen, const void *b,
                  size_t blen, const void *c, size_t clen)
{
    size_t body = alen + blen + clen;
    if (v->txn_start == TXN_NONE || v->stage_len + TFS_OP_HDR + body + 8 > v->stage_cap ||
        v->stage_len - v->txn_start + TFS_OP_HDR + body + 8 > TFS_REC_MAX) {
        tfs_set_error(v, -EOVERFLOW); /* an operation under-estimated its record */
        return -EUCLEAN;
    }
    uint8_t *p = v->stage + v->stage_len;
    p[0] = (uint8_t)op;
    p[1] = p[2] = p[3] = 0;
    tfs_put32(p + 4, (uint32_t)body);
    memcpy(p + TFS_OP_HDR, a, alen);
    if (blen)
        memcpy(p + TFS_OP_HDR + alen, b, blen);
    if (clen)
        memcpy(p + TFS_OP_HDR + alen + blen, c, clen);
    const char *why;
    int err = tfs_apply_op(v, op, p + TFS_OP_HDR, (uint32_t)body, &why);
    if (err) {
        tfs_set_error(v, err);
        return err;
    }
    v->stage_len += TFS_OP_HDR + body;
    return 0;
}

static void encode_inode(struct tfs_vol *v, uint64_t ino, const struct tfs_inode *ip,
                         uint8_t *b)
{
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
}

/* Log ino's current state (the caller changed the in-memory inode already). */
int tfs_op_inode(struct tfs_vol *v, uint64_t ino)
{
    struct tfs_inode *ip = tfs_iget(v, ino);
    uint8_t b[TFS_OP_INODE_LEN];
    if (!ip)
        return -ENOENT;
    encode_inode(v, ino, ip, b);
    ip->flags &= ~TFS_I_DIRTY;
    return op_put(v, TFS_OP_INODE, b, sizeof(b), NULL, 0, NULL, 0);
}

/* Encode a new inode from a template (it does not exist yet). */
int tfs_op_inode_new(struct tfs_vol *v, uint64_t ino, const struct tfs_inode *tmpl)
{
    uint8_t b[TFS_OP_INODE_LEN];
    encode_inode(v, ino, tmpl, b);
    return op_put(v, TFS_OP_INODE, b, sizeof(b), NULL, 0, NULL, 0);
}

int tfs_op_free(struct tfs_vol *v, uint64_t ino)
{
    uint8_t b[8];
    tfs_put64(b, ino);
    return op_put(v, TFS_OP_FREE, b, 8, NULL, 0, NULL, 0);
}

int tfs_op_link(struct tfs_vol *v, uint64_t dir, uint64_t ino, const char *name, size_t len)
{
    uint8_t b[16];
    tfs_put64(b, dir);
    tfs_put64(b + 8, ino);
    return op_put(v, TFS_OP_LINK, b, 16, name, len, NULL, 0);
}

int tfs_op_unlink(struct tfs_vol *v, uint64_t dir, const char *name, size_t len)
{
    uint8_t b[8];
    tfs_put64(b, dir);
    return op_put(v, TFS_OP_UNLINK, b, 8, name, len, NULL, 0);
}

int tfs_op_extent(struct tfs_vol *v, uint64_t ino, const struct tfs_ext *e)
{
    uint8_t b[32];
    tfs_put64(b, ino);
    tfs_put64(b + 8, e->lblk);
    tfs_put64(b + 16, e->pblk);
    tfs_put32(b + 24, e->len);
    tfs_put32(b + 28, e->flags);
    return op_put(v, TFS_OP_EXTENT, b, 32, NULL, 0, NULL, 0);
}

int tfs_op_punch(struct tfs_vol *v, uint64_t ino, uint64_t lblk, uint64_t n)
{
    uint8_t b[24];
    tfs_put64(b, ino);
    tfs_put64(b + 8, lblk);
    tfs_put64(b + 16, n);
    return op_put(v, TFS_OP_PUNCH, b, 24, NULL, 0, NULL, 0);
}

int tfs_op_symlink(struct tfs_vol *v, uint64_t ino, const char *t, size_t len)
{
    uint8_t b[8];
    tfs_put64(b, ino);
    return op_put(v, TFS_OP_SYMLINK, b, 8, t, len, NULL, 0);
}

int tfs_op_xset(struct tfs_vol *v, uint64_t ino, const char *name, size_t nlen,
                const void *val, size_t vlen)
{
    uint8_t b[12];
    tfs_put64(b, ino);
    tfs_put32(b + 8, (uint32_t)nlen);
    return op_put(v, TFS_OP_XSET, b, 12, name, nlen, val, vlen);
}

int tfs_op_xdel(struct tfs_vol *v, uint64_t ino, const char *name, size_t nlen)
{
    uint8_t b[8];
    tfs_put64(b, ino);
    return op_put(v, TFS_OP_XDEL, b, 8, name, nlen, NULL, 0);
}

/* ---- dirty inodes --------------------------------------------------------------------------- */

/* Remember ino for the next commit (its record is written then: write's mtime/ctime). */
void tfs_mark_dirty(struct tfs_vol *v, uint64_t ino, struct tfs_inode *ip)
{
    if (ip->flags & (TFS_I_DIRTY | TFS_I_DATASYNC)) {
        ip->flags |= TFS_I_DIRTY;
        return;
    }
    if (v->ndirty == v->dirtycap) {
        uint32_t ncap = v->dirtycap ? v->dirtycap * 2 : 64;
        uint64_t *n = krealloc(v->dirty, ncap * sizeof(*n));
        if (!n) {
            tfs_op_inode_now(v, ino);
            return;
        }
        v->dirty = n;
        v->dirtycap = ncap;
    }
    v->dirty[v->ndirty++] = ino;
    ip->flags |= TFS_I_DIRTY;
}

/* Stage one record with ino's state now (fallback when the dirty list cannot grow). */
void tfs_op_inode_now(struct tfs_vol *v, uint64_t ino)
{
    if (tfs_txn_begin(v, TFS_OP_HDR + TFS_OP_INODE_LEN, true) == 0) {
        if (tfs_op_inode(v, ino))
            tfs_txn_abort(v);
        else
            tfs_txn_end(v);
    }
}

/* Flag ino as having staged size/extent changes (for fdatasync). */
void tfs_mark_datasync(struct tfs_vol *v, uint64_t ino, struct tfs_inode *ip)
{
    if (!(ip->flags & (TFS_I_DIRTY | TFS_I_DATASYNC))) {
        if (v->ndirty == v->dirtycap) {
            uint32_t ncap = v->dirtycap ? v->dirtycap * 2 : 64;
            uint64_t *n = krealloc(v->dirty, ncap * sizeof(*n));
            if (!n) {
                ip->flags |= TFS_I_DATASYNC; /* may linger: fdatasync then commits, fine */
                return;
            }
            v->dirty = n;
            v->dirtycap = ncap;
        }
        v->dirty[v->ndirty++] = ino;
    }
    ip->flags |= TFS_I_DATASYNC;
}

/* Stage records for the dirty inodes (INODE ops, batched). */
static int stage_dirty(struct tfs_vol *v)
{
    const size_t per = TFS_OP_HDR + TFS_OP_INODE_LEN;
    const uint32_t batch = (TFS_REC_MAX - TFS_REC_HDR - 8) / per;
    uint32_t i = 0;
    while (i < v->ndirty) {
        int err = stage_reserve(v, TFS_REC_HDR + batch * per + 8);
        if (err)
            return err;
        v->txn_start = v->stage_len;
        memset(v->stage + v->stage_len, 0, TFS_REC_HDR);
        v->stage_len += TFS_REC_HDR;
        for (uint32_t k = 0; k < batch && i < v->ndirty; i++) {
            struct tfs_inode *ip = tfs_iget(v, v->dirty[i]);
            if (!ip || !(ip->flags & TFS_I_DIRTY))
                continue;
            if ((err = tfs_op_inode(v, v->dirty[i])))
                return err;
            k++;
        }
        size_t len = v->stage_len - v->txn_start;
        if (len == TFS_REC_HDR)
            v->stage_len = v->txn_start;
        else
            tfs_put32(v->stage + v->txn_start + 8, (uint32_t)len);
        v->txn_start = TXN_NONE;
    }
    return 0;
}

static void clear_dirty(struct tfs_vol *v)
{
    for (uint32_t i = 0; i < v->ndirty; i++) {
        struct tfs_inode *ip = tfs_iget(v, v->dirty[i]);
        if (ip)
            ip->flags &= ~(TFS_I_DIRTY | TFS_I_DATASYNC);
    }
    v->ndirty = 0;
}

/* ---- commit ---------------------------------------------------------------------------------- */

static bool want_compaction(struct tfs_vol *v)
{
    uint64_t log_blocks = 0;
    for (uint32_t i = 0; i < v->log.nsegs; i++)
        log_blocks += v->log.segs[i].len;
    uint64_t live = v->ninodes * 80 + v->ndirents * 32 + v->namebytes + v->nextents * 40 +
                    v->xattrbytes;
    uint64_t live_blocks = live / TFS_BLOCK_SIZE + 1;
    return log_blocks > 4 * v->seg_blocks && log_blocks > 4 * live_blocks &&
           tfs_free_unreserved(v) > 2 * live_blocks + v->reserve + 2 * v->seg_blocks;
}

int tfs_commit(struct tfs_vol *v)
{
    if (v->ro)
        return 0;
    if (v->errors)
        return -EUCLEAN;
    if (v->txn_start != TXN_NONE)
        return 0; /* called from inside an operation: the next commit takes it */
    int err = stage_dirty(v);
    if (err)
        goto fail;
    if (v->stage_len == 0 && !v->data_dirty && !v->npending)
        return 0;
    if (v->data_dirty && (err = v->dev->ops->flush(v->dev)))
        goto fail;
    v->data_dirty = false;
    if (v->stage_len) {
        if ((err = tfs_logw_append(v, &v->log, v->stage, v->stage_len)))
            goto fail;
        if ((err = v->dev->ops->flush(v->dev)))
            goto fail;
    }
    v->stage_len = 0;
    clear_dirty(v);
    tfs_pending_release(v);
    if (!v->compacting && want_compaction(v)) {
        /* The commit is done; a compaction that cannot run now (space) is retried later. */
        v->compacting = true;
        err = tfs_compact(v);
        v->compacting = false;
        if (err == -EIO)
            return err;
    }
    return 0;
fail:
    tfs_set_error(v, err);
    return err;
}
