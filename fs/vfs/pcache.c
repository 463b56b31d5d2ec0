/*
 * pcache.c - the page cache of a mounted filesystem (TFS): 4 KiB pages of file data.
 *
 *   inode->pages   rbtree of struct pc_page by page index
 *   pc->lru        every page of the sb, least recently used first
 *   pc->dirty      inodes with dirty pages or a size/mtime the filesystem has not seen
 *
 * Reads copy out of cached pages, filling a missing page with one ops->pread; writes copy
 * into pages (filling first only when the write covers part of a page that has data) and
 * mark them dirty. The VFS owns the size and mtime of a cached file while it is cached
 * (inode->size, inode->mtime): the filesystem learns them at write-back - fsync, sync, the
 * periodic flusher, eviction of the inode - or at once on setattr. Writing a page back
 * makes the filesystem stamp its own mtime, so it leaves the inode's attributes dirty: the
 * inode's write-back ends with a setattr that restores the VFS's size and mtime. Write-back of a
 * page never writes past inode->size, so the filesystem's size never exceeds the VFS's and pages
 * past the filesystem's end read as zeros, which is exactly what they are.
 *
 * Space: a page reserves its write-back in the filesystem when it becomes dirty
 * (ops->reserve; page_set_dirty), so a full volume fails the write(2) - a short count, or
 * -ENOSPC when not one byte fits, as Linux - or the store through a shared mapping (SIGBUS),
 * and write-back never runs out of space. A dirty page dropped unwritten gives it back
 * (ops->unreserve); writing the page back uses it up.
 *
 * The number of pages is bounded by the budget; a new page evicts the least recently used
 * one, writing it back first if dirty. All under the sb mutex.
 *
 * Shared file mappings (core/mm) map these very pages into user space, so a store through a
 * mapping is at once what read(2) returns (vfs_mmap_pin, at the end). A mapped page is pinned:
 * never evicted, and truncation or hole punching zero it instead of freeing it (a later fault
 * past the new end is SIGBUS; a page already mapped keeps reading zeros). A page pinned by a
 * writable mapping is dirty from the pin on and stays dirty through write-back while pinned,
 * since stores to it are invisible to the kernel: every write-back (fsync, msync, the flusher)
 * writes it again. For filesystems without a page cache (memfs) the same calls reach the
 * filesystem's own pages through its map_page op. Private file mappings map these pages too,
 * read-only, until their first store copies them (vfs_mmap_share, core/mm/fault.c): the same
 * reader's pin, capped at half the budget so that the cache stays evictable. maps counts a
 * page's pins, pc->mapped the pinned pages; a page truncation kept only for its mappings is
 * freed at its last unpin.
 */
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/lib/log.h"
#include "fs/vfs/vfs_internal.h"
#include "hal/hal_errno.h"
#include "hal/hal_mem.h"
#include "hal/hal_time.h"
#include "hal/hal_user.h"

struct vfs_pcache {
    uint64_t budget; /* pages */
    uint64_t npages;
    struct list lru;
    struct list dirty; /* struct vfs_inode.dirty_node */
    uint64_t mapped;   /* pages pinned by mappings (maps > 0): never evicted */
    struct vfs_pcache_stats st;
};

struct pc_page {
    struct rb_node node;
    struct list_node lru;
    struct vfs_inode *ip;
    uint64_t index;
    bool dirty;
    unsigned maps, wmaps; /* pins by mappings (wmaps: writable shared ones) */
    uint8_t *data;
};

#define PGSZ ((uint64_t)VFS_PAGE_SIZE)

static int page_cmp(const struct rb_node *a, const struct rb_node *b)
{
    uint64_t x = rb_entry(a, struct pc_page, node)->index;
    uint64_t y = rb_entry(b, struct pc_page, node)->index;
    return x < y ? -1 : x > y;
}

static int page_key_cmp(const void *key, const struct rb_node *n)
{
    uint64_t x = *(const uint64_t *)key;
    uint64_t y = rb_entry(n, struct pc_page, node)->index;
    return x < y ? -1 : x > y;
}

int vfs_pcache_attach(struct vfs_sb *sb, uint64_t budget_bytes)
{
    struct vfs_pcache *pc = kzalloc(sizeof(*pc));
    if (!pc)
        return -ENOMEM;
    pc->budget = budget_bytes / PGSZ;
    if (pc->budget < 4)
        pc->budget = 4;
    list_init(&pc->lru);
    list_init(&pc->dirty);
    sb->pc = pc;
    return 0;
}

void pcache_note_dirty(struct vfs_inode *ip)
{
    struct vfs_pcache *pc = ip->sb->pc;
    bool dirty = ip->ndirty || ip->attr_dirty;
    if (dirty && !list_node_linked(&ip->dirty_node)) {
        ip->dirty_since = hal_clock_ns();
        list_push_back(&pc->dirty, &ip->dirty_node);
    } else if (!dirty && list_node_linked(&ip->dirty_node)) {
        list_remove(&ip->dirty_node);
    }
}

int pcache_size(struct vfs_inode *ip, uint64_t *size)
{
    if (!ip->size_loaded) {
        struct vfs_attr a;
        int rc = ip->ops->getattr ? ip->ops->getattr(ip, &a) : -EOPNOTSUPP;
        if (rc)
            return rc;
        ip->size = a.size;
        ip->mtime = a.mtime;
        ip->size_loaded = true;
    }
    *size = ip->size;
    return 0;
}

void pcache_overlay_attr(struct vfs_inode *ip, struct vfs_attr *a)
{
    if (!ip->sb->pc || !vfs_isreg(ip))
        return;
    if (ip->size_loaded && ip->size != a->size) {
        a->size = ip->size;
        uint64_t blocks = (ip->size + 511) / 512;
        if (a->blocks < blocks)
            a->blocks = blocks;
    }
    if (ip->attr_dirty)
        a->mtime = a->ctime = ip->mtime;
}

/* Make a clean page dirty, reserving its write-back first (-ENOSPC: it stays clean). */
static int page_set_dirty(struct pc_page *p)
{
    struct vfs_inode *ip = p->ip;
    if (p->dirty)
        return 0;
    if (ip->ops->reserve) {
        int rc = ip->ops->reserve(ip, p->index * PGSZ, PGSZ);
        if (rc)
            return rc;
    }
    p->dirty = true;
    ip->ndirty++;
    return 0;
}

static void page_unreserve(struct pc_page *p)
{
    if (p->ip->ops->unreserve)
        p->ip->ops->unreserve(p->ip, p->index * PGSZ, PGSZ);
}

/* Write one dirty page back, never past the VFS's size. */
static int page_writeback(struct pc_page *p)
{
    struct vfs_inode *ip = p->ip;
    uint64_t off = p->index * PGSZ;
    uint64_t len = PGSZ;
    if (off >= ip->size)
        len = 0;
    else if (ip->size - off < len)
        len = ip->size - off;
    uint64_t done = 0;
    while (done < len) {
        long n = ip->ops->pwrite(ip, p->data + done, len - done, off + done);
        if (n < 0)
            return (int)n;
        if (n == 0)
            return -EIO;
        done += (uint64_t)n;
    }
    if (len == 0)
        page_unreserve(p); /* past the size: nothing written, the reservation goes unused */
    if (!p->wmaps) { /* a writable mapping may store again at any time: stays dirty */
        p->dirty = false;
        ip->ndirty--;
    } else if (ip->ops->reserve) {
        /* still dirty: reserve its next write-back; without room, that one runs unreserved
         * (and a failure reaches fsync/msync, as any write-back error) */
        (void)ip->ops->reserve(ip, p->index * PGSZ, PGSZ);
    }
    ip->attr_dirty = true; /* the filesystem just set its own mtime */
    ip->sb->pc->st.writebacks++;
    return 0;
}

static void pc_page_free(struct vfs_pcache *pc, struct pc_page *p)
{
    if (p->dirty) {
        p->ip->ndirty--;
        page_unreserve(p);
    }
    rb_remove(&p->ip->pages, &p->node);
    list_remove(&p->lru);
    pc->npages--;
    page_free_virt(p->data, 0);
    kfree(p);
}

/*
 * Make room for want more pages: evict least recently used pages (writing back dirty ones).
 * A page whose write-back fails stays, so the budget may be exceeded - but not doubled:
 * then the write-back error is returned and the caller's read or write fails with it.
 */
static int make_room(struct vfs_pcache *pc, uint64_t want)
{
    struct list_node *n = pc->lru.head.next;
    int err = 0;
    while (pc->npages + want > pc->budget && n != &pc->lru.head) {
        struct pc_page *p = container_of(n, struct pc_page, lru);
        n = n->next;
        if (p->maps)
            continue; /* mapped into user space */
        if (p->dirty) {
            int rc = page_writeback(p);
            if (rc) {
                err = rc;
                continue;
            }
        }
        struct vfs_inode *ip = p->ip;
        pc_page_free(pc, p);
        pc->st.evictions++;
        pcache_note_dirty(ip);
    }
    return pc->npages + want > 2 * pc->budget ? (err ? err : -ENOMEM) : 0;
}

/* Put the new page p (data: its bytes) of ip at idx into the cache. */
static void page_add(struct vfs_pcache *pc, struct vfs_inode *ip, struct pc_page *p, uint64_t idx,
                     uint8_t *data)
{
    p->ip = ip;
    p->index = idx;
    p->data = data;
    rb_insert(&ip->pages, &p->node, page_cmp);
    list_push_back(&pc->lru, &p->lru);
    pc->npages++;
}

/* A mapping pins p (under the sb mutex): the cache counts the pages it may not evict. */
static void page_map(struct vfs_pcache *pc, struct pc_page *p)
{
    if (p->maps++ == 0)
        pc->mapped++;
}

static void page_unmap(struct vfs_pcache *pc, struct pc_page *p)
{
    KASSERT(p->maps > 0);
    if (--p->maps == 0)
        pc->mapped--;
}

/* The cached page idx of ip, created (filled when fill) if missing. */
static int page_get(struct vfs_inode *ip, uint64_t idx, bool fill, struct pc_page **out)
{
    struct vfs_pcache *pc = ip->sb->pc;
    struct rb_node *n = rb_find(&ip->pages, &idx, page_key_cmp);
    if (n) {
        struct pc_page *p = rb_entry(n, struct pc_page, node);
        list_remove(&p->lru);
        list_push_back(&pc->lru, &p->lru);
        pc->st.hits++;
        *out = p;
        return 0;
    }
    pc->st.misses++;
    int rc = make_room(pc, 1);
    if (rc)
        return rc;
    struct pc_page *p = kzalloc(sizeof(*p));
    uint8_t *data = page_alloc_virt(0);
    if (!p || !data) {
        kfree(p);
        if (data)
            page_free_virt(data, 0);
        return -ENOMEM;
    }
    long got = 0;
    if (fill) {
        got = ip->ops->pread(ip, data, PGSZ, idx * PGSZ);
        pc->st.fills++;
        pc->st.fill_reads++;
        if (got < 0) {
            kfree(p);
            page_free_virt(data, 0);
            return (int)got;
        }
    }
    memset(data + got, 0, PGSZ - (uint64_t)got);
    page_add(pc, ip, p, idx, data);
    *out = p;
    return 0;
}

/* --- read-ahead (the fill side) ------------------------------------------------------------ */

/*
 * A miss fills more than the page asked for, in one filesystem read per contiguous run of
 * absent pages, which TFS turns into one device request per extent (fs/vfs/blkdev.c): the
 * run's pages are one physically contiguous block, split into cache pages (page_split).
 *
 *   read(2)  sequential (the read starts where the description's last one ended, or at 0
 *            on a fresh description): a window from the first absent page, of 4x the read
 *            rounded up to a power of two (2x for larger reads), doubled on every next
 *            sequential miss up to the limit, as Linux's on-demand read-ahead; it stops at
 *            the first cached page past the read. Any other read fills what it asked for
 *            (one read per run) and drops the window.
 *   faults   read-around: the absent run around the page, in a window centred on it
 *            (mapped programs and .so files are read out of order): RA_MAP_PAGES for
 *            private mappings (programs, libraries: each read is a round trip to the host
 *            that costs more than its bytes), the limit for shared ones.
 *
 * The limit is RA_MAX_PAGES (128 KiB, Linux's default read_ahead_kb); every window is at
 * most a quarter of the budget, so it never pushes out the cache it fills; the end of the file ends
 * every window. Without a free block that large, a run takes what the allocator has, down
 * to single pages. Read-ahead is best effort: an error ends it silently, and the copy that
 * follows fills what is still absent page by page and reports the error.
 */
#define RA_MAX_ORDER 5u
#define RA_MAX_PAGES (1u << RA_MAX_ORDER)
#define RA_MAP_PAGES 512u /* 2 MiB: read-around of private mappings (programs, libraries) */

static uint32_t ra_cap(const struct vfs_pcache *pc, uint32_t max)
{
    uint64_t q = pc->budget / 4;
    return q == 0 ? 1 : q < max ? (uint32_t)q : max;
}

static uint32_t ra_limit(const struct vfs_pcache *pc)
{
    return ra_cap(pc, RA_MAX_PAGES);
}

/* The first window: 4x a small read, 2x a medium one, else the limit (Linux's sizes). */
static uint32_t ra_first(uint64_t req, uint32_t lim)
{
    uint64_t r = 1;
    while (r < req && r < lim)
        r <<= 1;
    r = r <= lim / 32 ? 4 * r : r <= lim / 4 ? 2 * r : lim;
    return r < lim ? (uint32_t)r : lim;
}

static uint32_t ra_grow(uint32_t cur, uint32_t lim)
{
    uint64_t r = cur < lim / 16 ? 4ULL * cur : cur <= lim / 2 ? 2ULL * cur : lim;
    return r < lim ? (uint32_t)r : lim;
}

/* The index of the first cached page of ip at or after idx (UINT64_MAX: none). */
static uint64_t next_cached(struct vfs_inode *ip, uint64_t idx)
{
    struct rb_node *n = rb_lower_bound(&ip->pages, &idx, page_key_cmp);
    return n ? rb_entry(n, struct pc_page, node)->index : UINT64_MAX;
}

/* Free a run's pages after a failure: the block (not yet split) and the page records. */
static void run_free(uint64_t pa, unsigned order, struct pc_page **pg, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        kfree(pg[i]);
    kfree(pg);
    page_free(pa, order);
}

/*
 * Fill the absent pages [idx, idx + n) of ip (1 <= n <= RA_MAP_PAGES) with one ops->pread
 * (the block adapter sends it as requests all in flight together: one wait for the host).
 * Returns the pages filled (fewer when memory is short of a block that large) or an error.
 */
static long fill_run(struct vfs_inode *ip, uint64_t idx, uint64_t n)
{
    struct vfs_pcache *pc = ip->sb->pc;
    struct pc_page **pg;
    unsigned order = 0;
    uint64_t pa, i;
    int rc = make_room(pc, n);

    if (rc)
        return rc;
    while ((1ULL << order) < n)
        order++;
    while (!(pa = page_alloc(order)) && order > 0)
        order--;
    if (!pa)
        return -ENOMEM;
    if (n > 1ULL << order)
        n = 1ULL << order;
    if (!(pg = kmalloc(n * sizeof(*pg)))) {
        page_free(pa, order);
        return -ENOMEM;
    }
    for (i = 0; i < n; i++)
        if (!(pg[i] = kzalloc(sizeof(struct pc_page)))) {
            run_free(pa, order, pg, i);
            return -ENOMEM;
        }
    uint8_t *data = hal_phys_to_virt(pa);
    long got = ip->ops->pread(ip, data, n * PGSZ, idx * PGSZ);
    if (got < 0) {
        run_free(pa, order, pg, n);
        return got;
    }
    uint64_t have = (uint64_t)got < n * PGSZ ? (uint64_t)got : n * PGSZ;
    memset(data + have, 0, n * PGSZ - have); /* past the filesystem's end */
    page_split(pa, order);
    for (i = n; i < 1ULL << order; i++)
        page_free(pa + i * PGSZ, 0);
    for (i = 0; i < n; i++)
        page_add(pc, ip, pg[i], idx + i, data + i * PGSZ);
    kfree(pg);
    pc->st.fills += n;
    pc->st.fill_reads++;
    return (long)n;
}

/*
 * Fill the absent pages of [from, to): every run inside [want_lo, want_hi) (what was asked
 * for), and past it only up to the first cached page; runs of at most lim pages, and at most
 * half the budget in all (the copy fills the rest of a huge read page by page). Pages outside
 * the asked range count as read ahead.
 */
static void fill_range(struct vfs_inode *ip, uint64_t from, uint64_t to, uint64_t want_lo,
                       uint64_t want_hi, uint32_t lim)
{
    struct vfs_pcache *pc = ip->sb->pc;
    uint64_t cap = pc->budget / 2 > lim ? pc->budget / 2 : lim;
    uint64_t idx = from;

    if (to - from > cap)
        to = from + cap;
    while (idx < to) {
        uint64_t c = next_cached(ip, idx);
        if (c == idx) {
            if (idx >= want_hi)
                return;
            idx++;
            continue;
        }
        uint64_t end = c < to ? c : to;
        if (end - idx > lim)
            end = idx + lim;
        long got = fill_run(ip, idx, end - idx);
        if (got <= 0)
            return;
        for (uint64_t i = idx; i < idx + (uint64_t)got; i++)
            pc->st.ahead += i < want_lo || i >= want_hi;
        idx += (uint64_t)got;
    }
}

void pcache_readahead(struct vfs_inode *ip, struct vfs_ra *ra, uint64_t off, size_t n)
{
    uint64_t size;

    if (!ip->sb->pc || n == 0 || pcache_size(ip, &size) || off >= size)
        return;
    uint64_t end = size - off < n ? size : off + n;
    uint64_t first = off / PGSZ, last = (end - 1) / PGSZ + 1; /* pages [first, last) */
    uint64_t eof = (size + PGSZ - 1) / PGSZ;
    bool seq = first == ra->next || first + 1 == ra->next; /* also re-reading its last page */
    uint32_t lim = ra_limit(ip->sb->pc);
    uint64_t miss = first; /* the first absent page of the read */

    while (miss < last && next_cached(ip, miss) == miss)
        miss++;
    ra->next = last;
    if (miss == last)
        return; /* all cached: nothing to fill, the window stays as it is */
    uint64_t stop = last;
    if (seq) {
        ra->size = ra->size ? ra_grow(ra->size, lim) : ra_first(last - first, lim);
        ra->start = miss;
        if (miss + ra->size > stop)
            stop = miss + ra->size;
    } else {
        ra->size = 0;
    }
    fill_range(ip, miss, stop < eof ? stop : eof, first, last, lim);
}

/* Read-around for a fault at page idx (sb mutex held): the absent run around idx within a
 * window of lim pages centred on it. */
static void readaround(struct vfs_inode *ip, uint64_t idx, uint32_t lim)
{
    uint64_t size;

    if (pcache_size(ip, &size) || next_cached(ip, idx) == idx)
        return;
    uint64_t eof = (size + PGSZ - 1) / PGSZ;
    uint64_t lo = idx > lim / 2 ? idx - lim / 2 : 0;
    uint64_t hi = lo + lim < eof ? lo + lim : eof;

    if (idx >= eof)
        return;
    /* the run starts after the last cached page below idx, if that is inside the window */
    struct rb_node *n = rb_lower_bound(&ip->pages, &idx, page_key_cmp);
    struct rb_node *below = n ? rb_prev(n) : rb_last(&ip->pages);
    if (below && rb_entry(below, struct pc_page, node)->index >= lo)
        lo = rb_entry(below, struct pc_page, node)->index + 1;
    fill_range(ip, lo, hi, idx, idx + 1, lim);
}

void vfs_mmap_readaround(struct vfs_file *f, uint64_t off)
{
    struct vfs_inode *ip = f->inode;

    if (!ip->sb->pc || !vfs_isreg(ip))
        return;
    sb_lock(ip->sb);
    readaround(ip, off / PGSZ, ra_cap(ip->sb->pc, RA_MAP_PAGES));
    sb_unlock(ip->sb);
}

/* The cached pages of [first, first + n) wholly inside the file, to fn (no LRU touch: a page
 * mapped around a fault is not a use of it; Linux's filemap_map_pages does not mark it either). */
void vfs_mmap_cached(struct vfs_file *f, uint64_t first, uint64_t n, vfs_cached_fn fn,
                     void *arg)
{
    struct vfs_inode *ip = f->inode;
    uint64_t size, end;

    if (!ip->sb->pc || !vfs_isreg(ip) || n == 0 || first > UINT64_MAX / PGSZ - n)
        return;
    sb_lock(ip->sb);
    end = pcache_size(ip, &size) ? first : size / PGSZ; /* pages wholly inside the file */
    if (end > first + n)
        end = first + n;
    struct rb_node *nd = first < end ? rb_lower_bound(&ip->pages, &first, page_key_cmp) : NULL;
    for (; nd; nd = rb_next(nd)) {
        struct pc_page *p = rb_entry(nd, struct pc_page, node);
        if (p->index >= end || !fn(arg, p->index, p->data))
            break;
    }
    sb_unlock(ip->sb);
}

/* One page loop for both copies (read(2) copies straight from the cache to the user's buffer,
 * no kernel buffer between: bench/syscall). */
long pcache_read(struct vfs_inode *ip, const struct vfs_sink *to, size_t n, uint64_t off)
{
    uint64_t size;
    int rc = pcache_size(ip, &size);
    if (rc)
        return rc;
    if (off >= size)
        return 0;
    if (n > size - off)
        n = (size_t)(size - off);
    size_t done = 0;
    while (done < n) {
        uint64_t pos = off + done;
        uint64_t in = pos % PGSZ;
        size_t cnt = (size_t)(PGSZ - in < n - done ? PGSZ - in : n - done);
        struct pc_page *p = NULL;
        rc = page_get(ip, pos / PGSZ, true, &p);
        if (rc)
            return done ? (long)done : rc;
        if (!vfs_sink_put(to, done, p->data + in, cnt))
            break;
        done += cnt;
    }
    return (long)done;
}

long pcache_write(struct vfs_inode *ip, const void *buf, size_t n, uint64_t off)
{
    uint64_t size;
    int rc = pcache_size(ip, &size);
    if (rc)
        return rc;
    size_t done = 0;
    while (done < n) {
        uint64_t pos = off + done;
        uint64_t in = pos % PGSZ;
        uint64_t start = pos - in;
        size_t cnt = (size_t)(PGSZ - in < n - done ? PGSZ - in : n - done);
        bool whole = in == 0 && cnt == PGSZ;
        struct pc_page *p = NULL;
        rc = page_get(ip, pos / PGSZ, !whole && start < ip->size, &p);
        if (rc == 0)
            rc = page_set_dirty(p); /* -ENOSPC: what is written so far is the count */
        if (rc)
            break;
        memcpy(p->data + in, (const uint8_t *)buf + done, cnt);
        done += cnt;
        if (pos + cnt > ip->size)
            ip->size = pos + cnt;
    }
    if (done) {
        ip->attr_dirty = true;
        ip->mtime = vfs_now();
        pcache_note_dirty(ip);
        return (long)done;
    }
    return rc;
}

void pcache_truncate(struct vfs_inode *ip, uint64_t size)
{
    struct vfs_pcache *pc = ip->sb->pc;
    uint64_t old;
    pcache_size(ip, &old); /* load size and mtime if not yet cached */
    uint64_t first = (size + PGSZ - 1) / PGSZ;
    struct rb_node *n = rb_lower_bound(&ip->pages, &first, page_key_cmp);
    while (n) {
        struct rb_node *next = rb_next(n);
        struct pc_page *p = rb_entry(n, struct pc_page, node);
        if (p->maps)
            memset(p->data, 0, PGSZ); /* mapped: keep the page, as zeros */
        else
            pc_page_free(pc, p);
        n = next;
    }
    if (size % PGSZ) {
        uint64_t idx = size / PGSZ;
        n = rb_find(&ip->pages, &idx, page_key_cmp);
        if (n) {
            struct pc_page *p = rb_entry(n, struct pc_page, node);
            memset(p->data + size % PGSZ, 0, PGSZ - size % PGSZ);
        }
    }
    ip->size = size;
    ip->size_loaded = true;
    pcache_note_dirty(ip);
}

void pcache_punch(struct vfs_inode *ip, uint64_t off, uint64_t len)
{
    struct vfs_pcache *pc = ip->sb->pc;
    uint64_t end = off + len;
    uint64_t idx = off / PGSZ;
    struct rb_node *n = rb_lower_bound(&ip->pages, &idx, page_key_cmp);
    while (n) {
        struct pc_page *p = rb_entry(n, struct pc_page, node);
        uint64_t ps = p->index * PGSZ;
        if (ps >= end)
            break;
        n = rb_next(n);
        uint64_t a = off > ps ? off - ps : 0;
        uint64_t b = end < ps + PGSZ ? end - ps : PGSZ;
        if (a == 0 && b == PGSZ && !p->maps)
            pc_page_free(pc, p);
        else
            memset(p->data + a, 0, b - a);
    }
    pcache_note_dirty(ip);
}

int pcache_writeback_inode(struct vfs_inode *ip)
{
    int rc = 0;
    if (ip->ndirty) {
        for (struct rb_node *n = rb_first(&ip->pages); n; n = rb_next(n)) {
            struct pc_page *p = rb_entry(n, struct pc_page, node);
            if (p->dirty) {
                int r = page_writeback(p);
                if (rc == 0)
                    rc = r;
            }
        }
    }
    if (rc == 0 && ip->attr_dirty && ip->ops->setattr) {
        struct vfs_setattr sa = {.valid = VFS_SET_SIZE | VFS_SET_MTIME};
        sa.size = ip->size;
        sa.mtime = ip->mtime;
        rc = ip->ops->setattr(ip, &sa);
        if (rc == 0)
            ip->attr_dirty = false;
    }
    pcache_note_dirty(ip);
    return rc;
}

void pcache_drop_inode(struct vfs_inode *ip, bool discard)
{
    struct vfs_pcache *pc = ip->sb->pc;
    if (!discard)
        pcache_writeback_inode(ip);
    struct rb_node *n;
    while ((n = rb_first(&ip->pages)) != NULL)
        pc_page_free(pc, rb_entry(n, struct pc_page, node));
    ip->attr_dirty = false;
    pcache_note_dirty(ip);
}

int pcache_writeback_sb(struct vfs_sb *sb, uint64_t max_age_ns)
{
    struct vfs_pcache *pc = sb->pc;
    uint64_t now = hal_clock_ns();
    int rc = 0;
    struct list_node *n = pc->dirty.head.next;
    while (n != &pc->dirty.head) {
        struct vfs_inode *ip = container_of(n, struct vfs_inode, dirty_node);
        n = n->next; /* writeback may take ip off the list */
        if (max_age_ns && now - ip->dirty_since < max_age_ns)
            continue;
        int r = pcache_writeback_inode(ip);
        if (rc == 0)
            rc = r;
    }
    return rc;
}

void pcache_detach(struct vfs_sb *sb)
{
    struct vfs_pcache *pc = sb->pc;
    while (!list_empty(&pc->lru))
        pc_page_free(pc, container_of(list_first(&pc->lru), struct pc_page, lru));
    kfree(pc);
    sb->pc = NULL;
}

int vfs_pcache_set_budget(struct vfs_sb *sb, uint64_t budget_bytes)
{
    if (!sb->pc)
        return -EINVAL;
    sb_lock(sb);
    struct vfs_pcache *pc = sb->pc;
    pc->budget = budget_bytes / PGSZ < 4 ? 4 : budget_bytes / PGSZ;
    if (pc->npages > pc->budget) {
        uint64_t keep = pc->budget;
        pc->budget = keep + 1;    /* make_room evicts down to budget - 1 */
        (void)make_room(pc, 1); /* pages that cannot be written back stay */
        pc->budget = keep;
    }
    sb_unlock(sb);
    return 0;
}

void vfs_pcache_get_stats(struct vfs_sb *sb, struct vfs_pcache_stats *st)
{
    memset(st, 0, sizeof(*st));
    if (!sb->pc)
        return;
    sb_lock(sb);
    *st = sb->pc->st;
    st->pages = sb->pc->npages;
    st->budget_pages = sb->pc->budget;
    st->mapped = sb->pc->mapped;
    uint64_t dirty = 0;
    list_for_each(&sb->pc->lru, n) dirty += container_of(n, struct pc_page, lru)->dirty;
    st->dirty = dirty;
    sb_unlock(sb);
}

/* --- shared file mappings ------------------------------------------------------------------ */

bool vfs_mmap_shareable(struct vfs_file *f)
{
    struct vfs_inode *ip = f->inode;
    return vfs_isreg(ip) && (ip->sb->pc || ip->ops->map_page);
}

/* The file's size (sb mutex held). */
static int mmap_size_locked(struct vfs_inode *ip, uint64_t *size)
{
    if (ip->sb->pc)
        return pcache_size(ip, size);
    struct vfs_attr a;
    int rc = ip->ops->getattr ? ip->ops->getattr(ip, &a) : -EOPNOTSUPP;
    if (rc == 0)
        *size = a.size;
    return rc;
}

int vfs_mmap_size(struct vfs_file *f, uint64_t *size)
{
    struct vfs_inode *ip = f->inode;
    sb_lock(ip->sb);
    int rc = mmap_size_locked(ip, size);
    sb_unlock(ip->sb);
    return rc;
}

/* Pin cached page idx; a writer's pin makes it dirty (and the file's mtime now, as Linux
 * stamps it when a shared page first becomes writable). */
static int pc_pin(struct vfs_inode *ip, uint64_t idx, bool writer, void **h, uint8_t **data)
{
    struct pc_page *p = NULL;
    readaround(ip, idx, ra_limit(ip->sb->pc));
    int rc = page_get(ip, idx, true, &p);
    if (rc == 0 && writer)
        rc = page_set_dirty(p); /* -ENOSPC: the fault is SIGBUS, as Linux on a full fs */
    if (rc)
        return rc;
    page_map(ip->sb->pc, p);
    if (writer) {
        p->wmaps++;
        ip->mtime = vfs_now();
        ip->attr_dirty = true;
        pcache_note_dirty(ip);
    }
    *h = p;
    *data = p->data;
    return 0;
}

int vfs_mmap_pin(struct vfs_file *f, uint64_t idx, bool writer, void **h, uint64_t *pa)
{
    struct vfs_inode *ip = f->inode;
    uint8_t *data = NULL;
    uint64_t size = 0;
    if (!vfs_mmap_shareable(f))
        return -ENODEV;
    sb_lock(ip->sb);
    int rc = mmap_size_locked(ip, &size);
    if (rc == 0 && idx >= (size + PGSZ - 1) / PGSZ)
        rc = -ENXIO;
    if (rc == 0)
        rc = ip->sb->pc ? pc_pin(ip, idx, writer, h, &data) : ip->ops->map_page(ip, idx, h, &data);
    sb_unlock(ip->sb);
    if (rc == 0)
        *pa = hal_virt_to_phys(data);
    return rc;
}

void vfs_mmap_unpin(struct vfs_file *f, void *h, bool writer)
{
    struct vfs_inode *ip = f->inode;
    sb_lock(ip->sb);
    if (ip->sb->pc) {
        struct pc_page *p = h;
        KASSERT(!writer || p->wmaps > 0);
        page_unmap(ip->sb->pc, p);
        if (writer)
            p->wmaps--; /* the page stays dirty: the flusher or an fsync writes it */
        if (!p->maps && ip->size_loaded && p->index >= (ip->size + PGSZ - 1) / PGSZ) {
            pc_page_free(ip->sb->pc, p); /* truncation kept it for the mapping only */
            pcache_note_dirty(ip);
        }
    } else {
        ip->ops->unmap_page(ip, h);
    }
    sb_unlock(ip->sb);
}

void vfs_mmap_writable(struct vfs_file *f, int delta)
{
    __atomic_add_fetch(&f->inode->mmap_writable, (unsigned)delta, __ATOMIC_RELAXED);
}

/* --- private file mappings: the cache's pages until written (core/mm/fault.c) --------------- */

/* May a private mapping pin one more page? Half the budget at most: the rest stays evictable
 * (a program mapping a file larger than the cache gets copies past that, as before). */
static bool share_room(const struct vfs_pcache *pc)
{
    return pc->mapped < pc->budget / 2;
}

int vfs_mmap_share(struct vfs_file *f, uint64_t idx, void **h, uint64_t *pa)
{
    struct vfs_inode *ip = f->inode;
    struct vfs_pcache *pc = ip->sb->pc;
    struct pc_page *p = NULL;
    uint64_t size;
    int rc;

    if (!pc || !vfs_isreg(ip))
        return -EAGAIN;
    sb_lock(ip->sb);
    rc = pcache_size(ip, &size);
    if (rc == 0 && (idx >= size / PGSZ || !share_room(pc)))
        rc = -EAGAIN; /* the last partial page, past EOF (SIGBUS is the copy path's), or full */
    if (rc == 0) {
        readaround(ip, idx, ra_cap(pc, RA_MAP_PAGES));
        rc = page_get(ip, idx, true, &p);
    }
    if (rc == 0) {
        page_map(pc, p);
        *h = p;
        *pa = hal_virt_to_phys(p->data);
    }
    sb_unlock(ip->sb);
    return rc;
}

bool vfs_mmap_share_cached(struct vfs_file *f, uint64_t first, uint64_t n, vfs_share_fn fn,
                           void *arg)
{
    struct vfs_inode *ip = f->inode;
    struct vfs_pcache *pc = ip->sb->pc;
    uint64_t size, end;
    bool room = true;

    if (!pc || !vfs_isreg(ip) || n == 0 || first > UINT64_MAX / PGSZ - n)
        return true;
    sb_lock(ip->sb);
    end = pcache_size(ip, &size) ? first : size / PGSZ; /* pages wholly inside the file */
    if (end > first + n)
        end = first + n;
    struct rb_node *nd = first < end ? rb_lower_bound(&ip->pages, &first, page_key_cmp) : NULL;
    for (; nd; nd = rb_next(nd)) {
        struct pc_page *p = rb_entry(nd, struct pc_page, node);
        int r;
        if (p->index >= end || !(room = share_room(pc)) ||
            (r = fn(arg, p->index, p, hal_virt_to_phys(p->data))) < 0)
            break;
        if (r > 0)
            page_map(pc, p); /* under the lock since the lookup: it cannot have gone */
    }
    sb_unlock(ip->sb);
    return room;
}
