/*
 * resv.c - space reservations for data a cache holds and will write later
 * (docs/tfs-format.md section 6.1).
 *
 * The VFS page cache accepts write(2) into memory and calls tfs_write() at write-back, when
 * it is too late to report -ENOSPC to anyone. So it reserves first: tfs_reserve() sets aside,
 * per file block, what the later tfs_write() of that block can need - one data block when the
 * block is a hole, and the log bytes of its record (RESV_BLOCK_BYTES) - and once per file the
 * log bytes of the tfs_setattr() that ends the file's write-back plus the file's share of the
 * dirty-inode record a commit adds (RESV_INODE_BYTES, "the credit").
 *
 * Every space check of the volume counts reserved data blocks as used (tfs_free_unreserved)
 * and reserved log bytes as staged (tfs_log_need), so no other operation can take what a
 * reservation holds. The write of a reserved block is checked against free space with its own
 * reservation given back (data.c chunk_fits) and without the metadata reserve, and the
 * reservation was taken under the same rule as an unreserved write plus that reserve, so it
 * passes whatever happened in between. A reservation ends when the block is written (the
 * reservation becomes real blocks), when the cache drops the page (tfs_unreserve), when the
 * block is truncated or punched away, when the inode is freed, and at unmount.
 *
 * One node per reserved block, keyed (ino, lblk) in one tree per volume; the credit is the
 * node (ino, RESV_CREDIT). The cache bounds the number of dirty pages, hence of nodes; a node
 * per block means releasing never allocates (no range splitting).
 */
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "fs/tfs/tfs_internal.h"
#include "hal/hal_errno.h"

#define RESV_CREDIT UINT64_MAX /* lblk of an inode's credit node (beyond every block) */

struct tfs_resv {
    struct rb_node rb;
    uint64_t ino, lblk;
    bool data; /* holds one data block (the block was a hole when reserved) */
};

struct resv_key {
    uint64_t ino, lblk;
};

static int key_cmp3(uint64_t ia, uint64_t la, uint64_t ib, uint64_t lb)
{
    if (ia != ib)
        return ia < ib ? -1 : 1;
    return la < lb ? -1 : la > lb;
}

static int resv_cmp(const struct rb_node *a, const struct rb_node *b)
{
    const struct tfs_resv *x = rb_entry(a, struct tfs_resv, rb);
    const struct tfs_resv *y = rb_entry(b, struct tfs_resv, rb);
    return key_cmp3(x->ino, x->lblk, y->ino, y->lblk);
}

static int resv_key_cmp(const void *key, const struct rb_node *n)
{
    const struct resv_key *k = key;
    const struct tfs_resv *r = rb_entry(n, struct tfs_resv, rb);
    return key_cmp3(k->ino, k->lblk, r->ino, r->lblk);
}

/* The first node at or after (ino, lblk) that belongs to ino, or NULL. */
static struct tfs_resv *resv_from(struct tfs_vol *v, uint64_t ino, uint64_t lblk)
{
    struct resv_key k = {ino, lblk};
    struct rb_node *n = rb_lower_bound(&v->resv, &k, resv_key_cmp);
    struct tfs_resv *r = n ? rb_entry(n, struct tfs_resv, rb) : NULL;
    return r && r->ino == ino ? r : NULL;
}

static bool resv_has(struct tfs_vol *v, uint64_t ino, uint64_t lblk)
{
    struct tfs_resv *r = resv_from(v, ino, lblk);
    return r && r->lblk == lblk;
}

static void resv_remove(struct tfs_vol *v, struct tfs_resv *r)
{
    rb_remove(&v->resv, &r->rb);
    if (r->lblk == RESV_CREDIT) {
        v->resv_bytes -= RESV_INODE_BYTES;
    } else {
        v->resv_bytes -= RESV_BLOCK_BYTES;
        v->resv_nblk--;
        v->resv_data -= r->data;
    }
    kfree(r);
}

static void resv_insert(struct tfs_vol *v, struct tfs_resv *r)
{
    rb_insert(&v->resv, &r->rb, resv_cmp);
    if (r->lblk == RESV_CREDIT) {
        v->resv_bytes += RESV_INODE_BYTES;
    } else {
        v->resv_bytes += RESV_BLOCK_BYTES;
        v->resv_nblk++;
        v->resv_data += r->data;
    }
}

uint64_t tfs_free_unreserved(struct tfs_vol *v)
{
    return v->free_blocks > v->resv_data ? v->free_blocks - v->resv_data : 0;
}

struct tfs_resv_cover tfs_resv_cover(struct tfs_vol *v, uint64_t ino, uint64_t lblk, uint64_t n)
{
    struct tfs_resv_cover c = {0, 0, 0};
    for (struct tfs_resv *r = resv_from(v, ino, lblk); r && r->lblk < lblk + n;) {
        c.blocks++;
        c.data += r->data;
        struct rb_node *nx = rb_next(&r->rb);
        r = nx ? rb_entry(nx, struct tfs_resv, rb) : NULL;
        if (r && r->ino != ino)
            break;
    }
    c.bytes = c.blocks * RESV_BLOCK_BYTES;
    return c;
}

void tfs_resv_drop(struct tfs_vol *v, uint64_t ino, uint64_t lblk, uint64_t n)
{
    uint64_t end = n > RESV_CREDIT - lblk ? RESV_CREDIT : lblk + n; /* never the credit */
    struct tfs_resv *r = resv_from(v, ino, lblk);
    while (r && r->lblk < end) {
        struct rb_node *nx = rb_next(&r->rb);
        resv_remove(v, r);
        r = nx ? rb_entry(nx, struct tfs_resv, rb) : NULL;
        if (r && r->ino != ino)
            break;
    }
}

void tfs_resv_drop_ino(struct tfs_vol *v, uint64_t ino)
{
    tfs_resv_drop(v, ino, 0, RESV_CREDIT);
    struct tfs_resv *r = resv_from(v, ino, RESV_CREDIT);
    if (r)
        resv_remove(v, r);
}

uint64_t tfs_resv_credit(struct tfs_vol *v, uint64_t ino)
{
    struct tfs_resv *r = resv_from(v, ino, 0);
    return r && r->lblk == RESV_CREDIT ? RESV_INODE_BYTES : 0;
}

void tfs_resv_credit_drop(struct tfs_vol *v, uint64_t ino)
{
    struct tfs_resv *r = resv_from(v, ino, 0);
    if (r && r->lblk == RESV_CREDIT)
        resv_remove(v, r);
}

void tfs_resv_destroy(struct tfs_vol *v)
{
    struct rb_node *n;
    while ((n = rb_first(&v->resv)))
        resv_remove(v, rb_entry(n, struct tfs_resv, rb));
}

/*
 * What reserving [lblk, lblk+n) of ino adds: blocks not reserved yet, how many of them are
 * holes (data blocks), and whether the file's credit is still to take.
 */
struct resv_need {
    uint64_t blocks, data;
    bool credit;
};

static struct resv_need resv_need(struct tfs_vol *v, uint64_t ino, struct tfs_inode *ip,
                                  uint64_t lblk, uint64_t n)
{
    struct resv_need r = {0, 0, !resv_has(v, ino, RESV_CREDIT)};
    for (uint64_t b = lblk; b < lblk + n; b++) {
        struct tfs_ext e;
        if (resv_has(v, ino, b))
            continue;
        r.blocks++;
        r.data += !tfs_ext_lookup(ip, b, &e);
    }
    return r;
}

/* The rule of an unreserved write (data.c chunk_fits), for what the reservation adds. */
static bool resv_fits(struct tfs_vol *v, const struct resv_need *r)
{
    size_t bytes = (size_t)(r->blocks * RESV_BLOCK_BYTES + (r->credit ? RESV_INODE_BYTES : 0));
    if (v->ndirty)
        bytes += (size_t)v->ndirty * (TFS_OP_HDR + TFS_OP_INODE_LEN) + TFS_REC_HDR + 8;
    uint64_t reserve = r->data ? v->reserve : v->reserve / 2;
    return tfs_free_unreserved(v) >= r->data + reserve + tfs_log_need(v, bytes);
}

static int resv_check(struct tfs_vol *v, uint64_t ino, struct tfs_inode *ip, uint64_t lblk,
                      uint64_t n, struct resv_need *r)
{
    *r = resv_need(v, ino, ip, lblk, n);
    if (!r->blocks || resv_fits(v, r))
        return 0;
    if (v->npending || v->stage_len || v->ndirty) {
        int err = tfs_commit(v); /* returns staged frees, empties the stage */
        if (err)
            return err;
        if (resv_fits(v, r))
            return 0;
    }
    return -ENOSPC;
}

/* Insert the nodes of r; all allocated first, so that failing leaves nothing reserved. */
static int resv_take(struct tfs_vol *v, uint64_t ino, uint64_t lblk, uint64_t n,
                     const struct resv_need *r)
{
    uint64_t want = r->blocks + r->credit;
    struct tfs_resv **nodes = kmalloc(want * sizeof(*nodes));
    uint64_t got = 0;
    while (nodes && got < want && (nodes[got] = kmalloc(sizeof(struct tfs_resv))))
        got++;
    if (!nodes || got < want) {
        while (got)
            kfree(nodes[--got]);
        kfree(nodes);
        return -ENOMEM;
    }
    struct tfs_inode *ip = tfs_iget(v, ino);
    uint64_t i = 0;
    for (uint64_t b = lblk; b < lblk + n; b++) {
        struct tfs_ext e;
        if (resv_has(v, ino, b))
            continue;
        *nodes[i] = (struct tfs_resv){.ino = ino, .lblk = b, .data = !tfs_ext_lookup(ip, b, &e)};
        resv_insert(v, nodes[i++]);
    }
    if (r->credit) {
        *nodes[i] = (struct tfs_resv){.ino = ino, .lblk = RESV_CREDIT, .data = false};
        resv_insert(v, nodes[i]);
    }
    kfree(nodes);
    return 0;
}

int tfs_reserve(struct tfs_vol *v, uint64_t ino, uint64_t off, uint64_t len)
{
    struct tfs_inode *ip = tfs_iget(v, ino);
    int err = tfs_writable(v);
    if (err)
        return err;
    if (!ip)
        return -ENOENT;
    if (!tfs_is_type(ip, TFS_S_IFREG))
        return tfs_is_type(ip, TFS_S_IFDIR) ? -EISDIR : -EINVAL;
    if (len == 0)
        return 0;
    if (off > TFS_MAX_FILE_SIZE || len > TFS_MAX_FILE_SIZE - off)
        return -EFBIG;
    uint64_t lblk = off / TFS_BLOCK_SIZE;
    uint64_t n = (off + len + TFS_BLOCK_SIZE - 1) / TFS_BLOCK_SIZE - lblk;
    if (n > (1u << 20))
        return -EINVAL; /* a cache reserves what it holds: pages, not gigabytes at once */
    struct resv_need r;
    if ((err = resv_check(v, ino, ip, lblk, n, &r)))
        return err;
    return r.blocks ? resv_take(v, ino, lblk, n, &r) : 0;
}

void tfs_unreserve(struct tfs_vol *v, uint64_t ino, uint64_t off, uint64_t len)
{
    if (len == 0 || off >= TFS_MAX_FILE_SIZE)
        return;
    if (len > TFS_MAX_FILE_SIZE - off)
        len = TFS_MAX_FILE_SIZE - off;
    uint64_t lblk = off / TFS_BLOCK_SIZE;
    tfs_resv_drop(v, ino, lblk, (off + len + TFS_BLOCK_SIZE - 1) / TFS_BLOCK_SIZE - lblk);
}
