/*
 * tfs_internal.h - TFS private structures: on-disk layout constants, the in-memory volume,
 * and the functions the fs/tfs files share. Nothing outside fs/tfs includes this (the
 * tools and tests use tfs.h only).
 *
 * The in-memory model (all metadata resident; docs/tfs-format.md section 7):
 *
 *   vol->inodes   radix vector ino -> struct tfs_inode* (96 bytes each, from a pool)
 *   inode.u.ext   regular file: sorted extent array (one extent inline)
 *   inode.u.dir   directory: name hash (struct tfs_dirent) + slot vector (readdir cookies)
 *   vol->free     rbtree of free block ranges, derived at mount (nothing on disk)
 *   vol->pending  ranges freed by staged (uncommitted) records: reusable after commit
 *   vol->stage    encoded records waiting for the next commit
 */
#ifndef FS_TFS_TFS_INTERNAL_H
#define FS_TFS_TFS_INTERNAL_H

#include "core/lib/hash.h"
#include "core/lib/rbtree.h"
#include "fs/tfs/tfs.h"

/* ---- on-disk constants (docs/tfs-format.md) --------------------------------------------- */

#define TFS_SB_MAGIC 0x5346544c52544550ULL /* "PETRLTFS" little-endian */
#define TFS_VERSION 1u
#define TFS_SB_BYTES 256u      /* bytes of a superblock covered by its CRC */
#define TFS_SB0_BLOCK 0u
#define TFS_SB1_BLOCK 1u

#define TFS_REC_MAGIC 0x43455254u /* "TREC" */
#define TFS_REC_HDR 40u
#define TFS_REC_MAX (256u * 1024u) /* largest record, header included */
#define TFS_REC_TXN 1u
#define TFS_REC_LINK 2u
#define TFS_REC_F_ENDBLK 1u /* the next record starts at the next block boundary */
#define TFS_LINK_REC_LEN (TFS_REC_HDR + 16u)

#define TFS_SEG_DEFAULT 256u          /* blocks in a new log segment (1 MiB) */
#define TFS_SEG_MIN 2u
#define TFS_SEG_MAX (1u << 20)        /* largest segment a LINK may name */
#define TFS_WBUF_BLOCKS 16u

#define TFS_OP_HDR 8u
enum tfs_op {
    TFS_OP_INODE = 1,   /* full inode state; creates the inode when absent */
    TFS_OP_FREE = 2,    /* delete an inode and everything it owns */
    TFS_OP_LINK = 3,    /* add a directory entry */
    TFS_OP_UNLINK = 4,  /* remove a directory entry */
    TFS_OP_EXTENT = 5,  /* map a logical range (into a hole, or re-flag the same blocks) */
    TFS_OP_PUNCH = 6,   /* unmap a logical range */
    TFS_OP_SYMLINK = 7, /* set a symlink's target */
    TFS_OP_XSET = 8,    /* set an xattr */
    TFS_OP_XDEL = 9,    /* remove an xattr */
};
#define TFS_OP_INODE_LEN 64u
#define TFS_EXT_UNWRITTEN 1u

#define TFS_FREEINO_MAX 64
#define TFS_INO_MAX ((1ULL << 27) - 1) /* inode numbers 1..TFS_INO_MAX (134 million) */
#define TFS_MAX_FILE_BLOCKS (TFS_MAX_FILE_SIZE / TFS_BLOCK_SIZE)

/* ---- little-endian field access ----------------------------------------------------------
 * Replay reads every field of every op through these, so on a little-endian machine they are
 * one unaligned load or store (__builtin_memcpy: the kernel is built with -fno-builtin, under
 * which a plain memcpy call would stay a call); elsewhere byte by byte. */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define TFS_LE_NATIVE 1
#else
#define TFS_LE_NATIVE 0
#endif

static inline void tfs_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void tfs_put32(uint8_t *p, uint32_t v)
{
    if (TFS_LE_NATIVE) {
        __builtin_memcpy(p, &v, 4);
        return;
    }
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline void tfs_put64(uint8_t *p, uint64_t v)
{
    if (TFS_LE_NATIVE) {
        __builtin_memcpy(p, &v, 8);
        return;
    }
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint16_t tfs_get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t tfs_get32(const uint8_t *p)
{
    uint32_t v = 0;
    if (TFS_LE_NATIVE) {
        __builtin_memcpy(&v, p, 4);
        return v;
    }
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}
static inline uint64_t tfs_get64(const uint8_t *p)
{
    uint64_t v = 0;
    if (TFS_LE_NATIVE) {
        __builtin_memcpy(&v, p, 8);
        return v;
    }
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* ---- superblock --------------------------------------------------------------------------- */

struct tfs_sb {
    uint32_t version;
    uint64_t nblocks;
    uint8_t uuid[16];
    char label[TFS_LABEL_MAX + 1];
    uint64_t generation;
    uint64_t log_id;
    uint64_t log_start, log_len; /* first segment of the log */
    uint64_t log_seq0;           /* sequence number of its first record */
    uint64_t ckpt_end;           /* records with seq < ckpt_end form the checkpoint */
};

void tfs_sb_encode(const struct tfs_sb *sb, uint8_t *block);
/* 0, or -EINVAL (not TFS / unknown version) or -EUCLEAN (damaged), with why in *why. */
int tfs_sb_decode(const uint8_t *block, struct tfs_sb *sb, const char **why);

/* ---- pointer vector: small array, then a 3-level radix of 512-pointer chunks ------------------ */

struct tfs_pvec {
    void **small;  /* while cap <= TFS_PVEC_CHUNK */
    void ***top;   /* top[i] -> mid chunk -> leaf chunk */
    uint32_t cap;  /* addressable entries */
};
#define TFS_PVEC_CHUNK 512u
/* Entry i, NULL beyond cap or in an absent chunk. Inline: replay and the mount's checks look
 * up every inode several times. */
static inline void *tfs_pvec_get(const struct tfs_pvec *pv, uint64_t i)
{
    if (i >= pv->cap)
        return NULL;
    if (pv->small)
        return pv->small[i];
    void **mid = pv->top[i / (TFS_PVEC_CHUNK * TFS_PVEC_CHUNK)];
    if (!mid)
        return NULL;
    void **leaf = mid[(i / TFS_PVEC_CHUNK) % TFS_PVEC_CHUNK];
    return leaf ? leaf[i % TFS_PVEC_CHUNK] : NULL;
}
int tfs_pvec_set(struct tfs_pvec *pv, uint64_t i, void *p);  /* grows; -ENOMEM, -EFBIG */
void tfs_pvec_free(struct tfs_pvec *pv);
/* Address of entry i, which must have been set (or reserved by setting a later index). */
static inline void **tfs_pvec_slot(struct tfs_pvec *pv, uint64_t i)
{
    if (pv->small)
        return &pv->small[i];
    void **mid = pv->top[i / (TFS_PVEC_CHUNK * TFS_PVEC_CHUNK)];
    void **leaf = mid[(i / TFS_PVEC_CHUNK) % TFS_PVEC_CHUNK];
    return &leaf[i % TFS_PVEC_CHUNK];
}

/* ---- inodes ------------------------------------------------------------------------------- */

struct tfs_ext {
    uint64_t lblk;  /* first file block */
    uint64_t pblk;  /* first device block */
    uint32_t len;   /* blocks */
    uint32_t flags; /* TFS_EXT_UNWRITTEN */
};

struct tfs_dirent {
    struct tfs_dirent *next; /* hash chain */
    uint64_t hash;           /* of the name */
    uint64_t ino;
    uint32_t slot;  /* index in the directory's slot vector = readdir position */
    uint8_t namelen;
    uint8_t dtype;
    uint8_t arena;  /* from the volume's replay arena (dir.c): never kfree'd alone */
    char name[];
};

struct tfs_dir {
    struct tfs_pvec buckets; /* hash chains of struct tfs_dirent, nbuckets a power of two */
    uint32_t nbuckets;
    struct tfs_pvec slots;  /* struct tfs_dirent *, NULL for a hole */
    uint32_t nslots;        /* slots ever used (high-water mark) */
    uint32_t nentries;
    uint32_t *holes;        /* free slot stack */
    uint32_t nholes, holecap;
    uint64_t parent;
};

struct tfs_xattr {
    struct tfs_xattr *next;
    uint32_t vlen;
    uint8_t nlen;
    char data[]; /* name (nlen bytes, no NUL) then value */
};

/* inode flags */
#define TFS_I_DIRTY 1u     /* attributes changed since last logged (write's mtime) */
#define TFS_I_DATASYNC 2u  /* staged records change size or extents */
#define TFS_I_SEEN 4u      /* fsck/mount scratch */

struct tfs_inode {
    uint64_t size;
    int64_t atime, mtime, ctime; /* nanoseconds since the epoch */
    uint32_t mode, uid, gid, nlink;
    uint32_t flags;
    uint32_t holds;
    union {
        struct {
            union {
                struct tfs_ext one; /* n == 1 */
                struct tfs_ext *v;  /* n > 1 */
            } e;
            uint32_t n, cap;
        } ext;
        struct tfs_dir *dir;
        char *symlink; /* size bytes */
        uint64_t rdev;
    } u;
    struct tfs_xattr *xattrs;
};

static inline bool tfs_is_type(const struct tfs_inode *ip, uint32_t t)
{
    return (ip->mode & TFS_S_IFMT) == t;
}

/* ---- log writer ---------------------------------------------------------------------------- */

struct tfs_seg {
    uint64_t start, len;
};

struct tfs_logw {
    uint64_t log_id;
    uint64_t seq;       /* next record's */
    uint32_t prev_crc;
    struct tfs_seg *segs; /* the log's segments in chain order */
    uint32_t nsegs, segcap;
    uint64_t pos;       /* byte offset of the next record in the last segment (block aligned) */
};

/* ---- the volume ---------------------------------------------------------------------------- */

struct tfs_range {
    uint64_t start, len;
};

struct tfs_free {
    struct rb_node rb;
    uint64_t start, len;
};

struct tfs_vol {
    struct tfs_dev *dev;
    uint64_t nblocks;    /* volume size (the superblock's; <= the device's) */
    struct tfs_mount_opts opts;
    struct tfs_sb sb;
    bool ro;
    bool errors;
    bool replaying;
    bool tolerant;       /* fsck: report bad ops and carry on */
    bool sb_stale;       /* the two superblocks differ: rewrite at rw mount */
    uint64_t problems;   /* fsck: reported problems */

    struct tfs_pvec inodes;
    uint64_t ninodes, ino_hint, ino_high;
    uint64_t freeino[TFS_FREEINO_MAX]; /* recently freed inode numbers, reused first */
    uint32_t nfreeino;
    uint64_t ndirents, nextents, namebytes, xattrbytes;

    struct rb_tree free;
    uint64_t free_blocks;
    struct tfs_range *pending;
    uint32_t npending, pendcap;
    uint64_t reserve;    /* blocks kept back from data for the log */
    uint64_t alloc_rover;

    /* reservations of cached data (resv.c): counted as used by every space check */
    struct rb_tree resv; /* struct tfs_resv by (ino, lblk) */
    uint64_t resv_data;  /* data blocks reserved (holes) */
    uint64_t resv_nblk;  /* file blocks reserved */
    uint64_t resv_bytes; /* log bytes reserved: blocks' records and inodes' credits */

    struct tfs_logw log;
    uint8_t *stage;
    size_t stage_len, stage_cap;
    size_t txn_start;    /* offset of the open record, or SIZE_MAX */
    uint64_t *dirty;
    uint32_t ndirty, dirtycap;
    bool data_dirty;     /* data written since the last device flush */
    bool compacting;

    uint8_t *bounce;     /* one block */
    uint8_t *wbuf;       /* log write buffer, TFS_WBUF_BLOCKS blocks */
    uint64_t seg_blocks; /* size of a new log segment */

    /* pool of struct tfs_inode */
    void *ipool_free;
    void **ipool_pages;
    uint32_t ipool_npages, ipool_cap;

    struct tfs_free *carve_hint; /* alloc.c: the free range after the last carve, or NULL */
    struct tfs_arena *dir_arena; /* dir.c: chunks holding the entries replay created */
};

static inline struct tfs_inode *tfs_iget(struct tfs_vol *v, uint64_t ino)
{
    if (ino == 0 || ino > TFS_INO_MAX)
        return NULL;
    return tfs_pvec_get(&v->inodes, ino);
}

/*
 * Every inode in number order, without a radix walk per number (the mount's checks scan the
 * table several times):
 *     struct tfs_iter it = {.v = v};
 *     while ((ip = tfs_iter_next(&it))) ... it.ino is ip's number
 * A loop body that may create inodes (the table may grow or change shape) sets it.hi = 0,
 * so that the next step looks its leaf up again.
 */
struct tfs_iter {
    struct tfs_vol *v;
    uint64_t ino;    /* the number last returned */
    uint64_t lo, hi; /* leaf holds numbers [lo, hi) */
    void **leaf;     /* NULL: no inode in [lo, hi) */
};
void tfs_iter_leaf(struct tfs_iter *it); /* util.c: the leaf holding it->ino */

static inline struct tfs_inode *tfs_iter_next(struct tfs_iter *it)
{
    while (++it->ino <= it->v->ino_high) {
        if (it->ino >= it->hi || it->ino < it->lo) {
            tfs_iter_leaf(it);
            if (!it->leaf) {
                it->ino = it->hi - 1;
                continue;
            }
        }
        struct tfs_inode *ip = it->leaf[it->ino - it->lo];
        if (ip)
            return ip;
    }
    return NULL;
}

/* util.c */
void tfs_report(struct tfs_vol *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int64_t tfs_now(struct tfs_vol *v);
int64_t tfs_time_to_ns(const struct tfs_time *t);
void tfs_ns_to_time(int64_t ns, struct tfs_time *t);
int tfs_check_name(const char *name, size_t len);
uint64_t tfs_name_hash(const char *name, size_t len);
struct tfs_inode *tfs_inode_alloc(struct tfs_vol *v);
void tfs_inode_pool_free(struct tfs_vol *v, struct tfs_inode *ip);
void tfs_inode_pool_destroy(struct tfs_vol *v);
int tfs_ino_alloc(struct tfs_vol *v, uint64_t *ino);
void tfs_ino_freed(struct tfs_vol *v, uint64_t ino);
unsigned tfs_dtype(uint32_t mode);
int tfs_writable(struct tfs_vol *v);
void tfs_set_error(struct tfs_vol *v, int err);

/* alloc.c: free space */
int tfs_space_init(struct tfs_vol *v);
int tfs_space_carve(struct tfs_vol *v, uint64_t start, uint64_t len);
int tfs_space_free(struct tfs_vol *v, uint64_t start, uint64_t len);
int tfs_space_alloc(struct tfs_vol *v, uint64_t goal, uint64_t want, uint64_t *start,
                    uint64_t *got);
int tfs_space_alloc_exact(struct tfs_vol *v, uint64_t want, uint64_t *start);
int tfs_pending_add(struct tfs_vol *v, uint64_t start, uint64_t len);
void tfs_pending_release(struct tfs_vol *v);
void tfs_space_destroy(struct tfs_vol *v);
uint64_t tfs_data_avail(struct tfs_vol *v);

/* resv.c: reservations. Log bytes set aside per reserved block (its write's record: two
 * EXTENT ops and an INODE op) and per file with reservations (the setattr record that ends
 * its write-back, and its INODE op in a commit's dirty-inode record). */
#define RESV_BLOCK_BYTES (TFS_REC_HDR + 8u + 2u * (TFS_OP_HDR + 32u) + TFS_OP_HDR + TFS_OP_INODE_LEN)
#define RESV_INODE_BYTES                                                                     \
    (2u * (TFS_REC_HDR + 8u) + 3u * (TFS_OP_HDR + TFS_OP_INODE_LEN) + TFS_OP_HDR + 24u)
struct tfs_resv_cover {
    uint64_t blocks, data, bytes; /* reserved blocks of a range, their data blocks, log bytes */
};
uint64_t tfs_free_unreserved(struct tfs_vol *v);
struct tfs_resv_cover tfs_resv_cover(struct tfs_vol *v, uint64_t ino, uint64_t lblk, uint64_t n);
void tfs_resv_drop(struct tfs_vol *v, uint64_t ino, uint64_t lblk, uint64_t n);
void tfs_resv_drop_ino(struct tfs_vol *v, uint64_t ino);
uint64_t tfs_resv_credit(struct tfs_vol *v, uint64_t ino); /* bytes, when no blocks remain */
void tfs_resv_credit_drop(struct tfs_vol *v, uint64_t ino);
void tfs_resv_destroy(struct tfs_vol *v);

/* extent.c */
int tfs_ext_lookup(const struct tfs_inode *ip, uint64_t lblk, struct tfs_ext *out);
int tfs_ext_map(struct tfs_vol *v, struct tfs_inode *ip, const struct tfs_ext *e);
int tfs_ext_punch(struct tfs_vol *v, struct tfs_inode *ip, uint64_t lblk, uint64_t n);
void tfs_ext_free_all(struct tfs_vol *v, struct tfs_inode *ip);
uint64_t tfs_ext_blocks(const struct tfs_inode *ip);
/* The extent array: inline while there is one extent and no array was ever needed. */
static inline struct tfs_ext *tfs_ext_array(struct tfs_inode *ip)
{
    return ip->u.ext.n <= 1 && ip->u.ext.cap == 0 ? &ip->u.ext.e.one : ip->u.ext.e.v;
}

/* dir.c */
struct tfs_dirent *tfs_dir_find(struct tfs_dir *d, const char *name, size_t len);
/* The same with the name's hash (tfs_name_hash) already computed, as tfs_dir_add takes it. */
struct tfs_dirent *tfs_dir_find_hashed(struct tfs_dir *d, const char *name, size_t len,
                                       uint64_t hash);
int tfs_dir_add(struct tfs_vol *v, struct tfs_dir *d, const char *name, size_t len,
                uint64_t hash, uint64_t ino, unsigned dtype);
void tfs_dir_remove(struct tfs_vol *v, struct tfs_dir *d, struct tfs_dirent *de);
struct tfs_dir *tfs_dir_new(void);
void tfs_dir_destroy(struct tfs_dir *d);
void tfs_dir_arena_free(struct tfs_vol *v); /* after every directory is destroyed */
static inline struct tfs_dirent *tfs_dir_slot(struct tfs_dir *d, uint32_t slot)
{
    return slot < d->nslots ? tfs_pvec_get(&d->slots, slot) : NULL;
}

/* apply.c: the one place metadata changes (replay and live operations) */
int tfs_apply_op(struct tfs_vol *v, uint32_t op, const uint8_t *b, uint32_t len,
                 const char **why);
void tfs_inode_destroy(struct tfs_vol *v, uint64_t ino, struct tfs_inode *ip);

/* log.c: staging and commit */
uint64_t tfs_log_need(struct tfs_vol *v, size_t extra);
int tfs_txn_begin(struct tfs_vol *v, size_t max_bytes, bool freeing);
int tfs_txn_begin_credit(struct tfs_vol *v, size_t max_bytes, bool freeing, uint64_t credit);
void tfs_txn_abort(struct tfs_vol *v);
int tfs_txn_end(struct tfs_vol *v);
int tfs_op_inode(struct tfs_vol *v, uint64_t ino);
int tfs_op_free(struct tfs_vol *v, uint64_t ino);
int tfs_op_link(struct tfs_vol *v, uint64_t dir, uint64_t ino, const char *name, size_t len);
int tfs_op_unlink(struct tfs_vol *v, uint64_t dir, const char *name, size_t len);
int tfs_op_extent(struct tfs_vol *v, uint64_t ino, const struct tfs_ext *e);
int tfs_op_punch(struct tfs_vol *v, uint64_t ino, uint64_t lblk, uint64_t n);
int tfs_op_symlink(struct tfs_vol *v, uint64_t ino, const char *t, size_t len);
int tfs_op_xset(struct tfs_vol *v, uint64_t ino, const char *name, size_t nlen,
                const void *val, size_t vlen);
int tfs_op_xdel(struct tfs_vol *v, uint64_t ino, const char *name, size_t nlen);
int tfs_op_inode_new(struct tfs_vol *v, uint64_t ino, const struct tfs_inode *tmpl);
void tfs_op_inode_now(struct tfs_vol *v, uint64_t ino);
void tfs_mark_dirty(struct tfs_vol *v, uint64_t ino, struct tfs_inode *ip);
void tfs_mark_datasync(struct tfs_vol *v, uint64_t ino, struct tfs_inode *ip);
int tfs_commit(struct tfs_vol *v);
int tfs_log_write_checkpoint(struct tfs_vol *v, struct tfs_logw *w);
int tfs_logw_append(struct tfs_vol *v, struct tfs_logw *w, uint8_t *recs, size_t len);
void tfs_logw_free(struct tfs_logw *w);
int tfs_logw_add_seg(struct tfs_logw *w, uint64_t start, uint64_t len);
uint64_t tfs_seg_blocks(struct tfs_vol *v);

/* replay.c */
int tfs_replay(struct tfs_vol *v);

/* super.c */
int tfs_mount_internal(struct tfs_dev *dev, const struct tfs_mount_opts *opts, bool tolerant,
                       struct tfs_vol **out);
int tfs_write_super(struct tfs_vol *v);
void tfs_vol_free(struct tfs_vol *v);
int tfs_check_tree(struct tfs_vol *v, bool repair);

#endif
