/*
 * test_tfs_crash.c - crash consistency of TFS (ACE-style bounded workloads, dm-log-writes
 * style crash states; see tools/tfskit/wlog.h).
 *
 * Every workload starts from the same cleanly unmounted base volume (files /f /g /d/h,
 * directories /d and /e). A workload is 2 steps (3 in the soak); a step is one operation
 * from {create, write, pwrite, truncate, link, unlink, rename, mkdir, rmdir} followed by
 * nothing, fsync, fdatasync or sync: 36 x 36 = 1,296 workloads. Every device write and flush,
 * from the mount on, is recorded; the same steps run on the reference model, whose tree after
 * each step (S_0 .. S_n) is kept.
 *
 * Crash images: right after every flush (all unflushed writes lost) and at random points
 * with a random subset of the unflushed writes kept, in random order, torn at 512 bytes.
 * Each image must pass tfs_fsck, mount read-write, and show a tree that is
 *   - exactly some S_k (metadata: names, types, modes, owners, sizes, link counts, times,
 *     xattrs) with k at or after the last completed fsync/sync and at most the number of
 *     steps begun - TFS promises a crash loses a suffix of the operations, never half of one;
 *   - made of file bytes that each belong to one of those candidate states;
 *   - holding, for every fdatasync'd file not changed since, exactly the synced data;
 * and then unmount and pass tfs_fsck again.
 *
 * Environment: PETREL_SEED (random crash points, default 1), PETREL_CRASH_RANDOM (random
 * images per workload, default 2), PETREL_CRASH_STEPS (2 or 3), PETREL_CRASH_BUDGET_S (stop
 * after this many seconds once 1,000 images were checked; default: none, 40 under ASan).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "tools/tfskit/model.h"
#include "tools/tfskit/snap.h"
#include "tools/tfskit/tfskit.h"
#include "tools/tfskit/wlog.h"

#define IMG_BLOCKS 384u /* 1.5 MiB */
#define IMG_BYTES ((size_t)IMG_BLOCKS * TFS_BLOCK_SIZE)
#define MAX_STEPS 3
#define MAX_FAIL_REPORTS 3
#define MIN_IMAGES 1000

enum op { C_CREATE, C_WRITE, C_PWRITE, C_TRUNCATE, C_LINK, C_UNLINK, C_RENAME, C_MKDIR,
          C_RMDIR, C_NOPS };
enum persist { P_NONE, P_FSYNC, P_FDATASYNC, P_SYNC, P_NKINDS };
static const char *const op_names[] = {"create", "write", "pwrite", "truncate", "link",
                                       "unlink", "rename", "mkdir", "rmdir"};
static const char *const persist_names[] = {"", "+fsync", "+fdatasync", "+sync"};

/* ---- a path-level harness running each operation on TFS and on the model ------------------ */

struct h {
    struct tfs_vol *vol;
    struct model *m;
    struct tfskit_clock clk;
    uint64_t map[256]; /* model inode -> TFS inode */
    char cur_file[64], cur_dir[64];
    unsigned serial;
    bool model_only; /* rebuilding the base's model: no TFS calls */
    char err[256];
};

static uint32_t resolve(struct h *h, const char *path)
{
    uint32_t ino = MODEL_ROOT;
    char buf[128], *save = NULL;
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save))
        if (model_lookup(h->m, ino, c, &ino))
            return 0;
    return ino;
}

/* Split "/a/b" into the parent's model inode and the last name. */
static uint32_t parent_of(struct h *h, const char *path, const char **name)
{
    const char *slash = strrchr(path, '/');
    char dir[128];
    snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    *name = slash + 1;
    return resolve(h, dir);
}

static int hfail(struct h *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int hfail(struct h *h, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->err, sizeof(h->err), fmt, ap);
    va_end(ap);
    return -1;
}

static int agree(struct h *h, const char *what, long long trc, long long mrc)
{
    if (trc == mrc)
        return 0;
    return hfail(h, "%s: TFS %lld, model %lld", what, trc, mrc);
}

static void fill(uint8_t *buf, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 8));
}

static int h_create(struct h *h, const char *path, bool dir)
{
    const char *name;
    uint32_t p = parent_of(h, path, &name), mi = 0;
    uint64_t ti = 0;
    uint32_t mode = dir ? 0755 : 0644;
    int mrc = dir ? model_mkdir(h->m, p, name, mode, 0, 0, h->clk.ns, &mi)
                  : model_create(h->m, p, name, mode, 0, 0, h->clk.ns, &mi);
    int trc = h->model_only ? mrc : tfs_create(h->vol, h->map[p], name, strlen(name),
                                               (dir ? TFS_S_IFDIR : TFS_S_IFREG) | mode, 0, 0,
                                               0, &ti);
    if (mrc == 0)
        h->map[mi] = ti;
    return agree(h, path, trc, mrc);
}

static int h_write(struct h *h, const char *path, int64_t off, size_t len)
{
    uint32_t mi = resolve(h, path);
    const struct model_inode *i = model_inode(h->m, mi);
    if (!mi || !i)
        return 0;
    if (off < 0)
        off = (int64_t)i->size; /* append */
    uint8_t *buf = malloc(len);
    fill(buf, len, h->serial);
    int64_t mrc = model_write(h->m, mi, (uint64_t)off, buf, len, h->clk.ns);
    int64_t trc = h->model_only ? mrc : tfs_write(h->vol, h->map[mi], (uint64_t)off, buf, len);
    free(buf);
    return agree(h, path, trc, mrc);
}

static int h_truncate(struct h *h, const char *path)
{
    uint32_t mi = resolve(h, path);
    const struct model_inode *i = model_inode(h->m, mi);
    if (!mi || !i)
        return 0;
    uint64_t size = i->size > 2000 ? 1500 : 9000;
    return agree(h, path, tfs_truncate(h->vol, h->map[mi], size),
                 model_truncate(h->m, mi, size, h->clk.ns));
}

static int h_link(struct h *h, const char *from, const char *to)
{
    const char *name;
    uint32_t mi = resolve(h, from), p = parent_of(h, to, &name);
    if (!mi)
        return 0;
    return agree(h, to, tfs_link(h->vol, h->map[mi], h->map[p], name, strlen(name)),
                 model_link(h->m, mi, p, name, h->clk.ns));
}

static int h_remove(struct h *h, const char *path, bool dir)
{
    const char *name;
    uint32_t p = parent_of(h, path, &name);
    if (!p || !*name)
        return 0;
    int trc = dir ? tfs_rmdir(h->vol, h->map[p], name, strlen(name))
                  : tfs_unlink(h->vol, h->map[p], name, strlen(name));
    int mrc = dir ? model_rmdir(h->m, p, name, h->clk.ns) : model_unlink(h->m, p, name, h->clk.ns);
    return agree(h, path, trc, mrc);
}

static int h_rename(struct h *h, const char *from, const char *to)
{
    const char *on, *nn;
    uint32_t op = parent_of(h, from, &on), np = parent_of(h, to, &nn);
    return agree(h, from,
                 tfs_rename(h->vol, h->map[op], on, strlen(on), h->map[np], nn, strlen(nn), 0),
                 model_rename(h->m, op, on, np, nn, 0, h->clk.ns));
}

static const char *first_existing(struct h *h)
{
    static const char *const files[] = {"/g", "/d/h", "/f"};
    for (int i = 0; i < 3; i++)
        if (resolve(h, files[i]))
            return files[i];
    return "/f";
}

/* Run op; *target is the path the persistence call then applies to. */
static int run_op(struct h *h, enum op op, char *target)
{
    char path[64];
    int rc = 0;
    h->serial++;
    h->clk.ns += 1000003;
    snprintf(target, 64, "%s", h->cur_file);
    switch (op) {
    case C_CREATE:
        snprintf(path, sizeof(path), "/n%u", h->serial);
        rc = h_create(h, path, false);
        snprintf(h->cur_file, sizeof(h->cur_file), "%s", path);
        snprintf(target, 64, "%s", path);
        break;
    case C_WRITE: rc = h_write(h, h->cur_file, -1, 5000); break;
    case C_PWRITE: rc = h_write(h, h->cur_file, 1000, 3000); break;
    case C_TRUNCATE: rc = h_truncate(h, h->cur_file); break;
    case C_LINK:
        snprintf(path, sizeof(path), "/d/l%u", h->serial);
        rc = h_link(h, h->cur_file, path);
        break;
    case C_UNLINK:
        rc = h_remove(h, h->cur_file, false);
        snprintf(target, 64, "%s", strncmp(h->cur_file, "/d/", 3) ? "/" : "/d");
        snprintf(h->cur_file, sizeof(h->cur_file), "%s", first_existing(h));
        break;
    case C_RENAME:
        snprintf(path, sizeof(path), "/d/r%u", h->serial);
        rc = h_rename(h, h->cur_file, path);
        if (resolve(h, path))
            snprintf(h->cur_file, sizeof(h->cur_file), "%s", path);
        snprintf(target, 64, "%s", h->cur_file);
        break;
    case C_MKDIR:
        snprintf(path, sizeof(path), "/m%u", h->serial);
        rc = h_create(h, path, true);
        snprintf(h->cur_dir, sizeof(h->cur_dir), "%s", path);
        snprintf(target, 64, "%s", path);
        break;
    default:
        rc = h_remove(h, h->cur_dir, true);
        snprintf(h->cur_dir, sizeof(h->cur_dir), "/d");
        snprintf(target, 64, "/");
        break;
    }
    return rc;
}

static int run_persist(struct h *h, enum persist p, const char *target)
{
    uint32_t mi = resolve(h, target);
    if (p == P_NONE)
        return 0;
    if (!mi)
        return hfail(h, "persist target %s vanished", target);
    int rc = p == P_SYNC ? tfs_sync(h->vol)
           : p == P_FSYNC ? tfs_fsync(h->vol, h->map[mi]) : tfs_fdatasync(h->vol, h->map[mi]);
    return rc ? hfail(h, "%s of %s: %s", persist_names[p] + 1, target, strerror(-rc)) : 0;
}

static int mount_h(struct h *h, struct tfs_dev *dev)
{
    struct tfskit_msgs msgs = {0};
    struct tfs_mount_opts mo = {.clock = tfskit_clock_read, .clock_arg = &h->clk,
                                .report = tfskit_report_collect, .report_arg = &msgs};
    int rc = tfs_mount(dev, &mo, &h->vol);
    if (rc)
        return hfail(h, "mount: %s: %.150s", strerror(-rc), msgs.buf);
    return 0;
}

/* After mounting the base image: TFS inode numbers of the model's inodes, by name. */
static int fill_map(struct h *h, uint32_t dir)
{
    const struct model_inode *d = model_inode(h->m, dir);
    for (size_t k = 0; k < d->nents; k++) {
        uint32_t c = d->ents[k].ino;
        const char *nm = d->ents[k].name;
        int rc = tfs_lookup(h->vol, h->map[dir], nm, strlen(nm), &h->map[c]);
        if (rc)
            return hfail(h, "base entry %s: %s", nm, strerror(-rc));
        if ((model_inode(h->m, c)->mode & MODEL_S_IFMT) == MODEL_S_IFDIR && fill_map(h, c))
            return -1;
    }
    return 0;
}

/* The base tree; on TFS and the model. */
static int build_base(struct h *h)
{
    static const struct { const char *path; bool dir; size_t len; } items[] = {
        {"/f", false, 8192}, {"/g", false, 3000}, {"/d", true, 0}, {"/d/h", false, 5000},
        {"/e", true, 0},
    };
    for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
        h->serial++;
        if (h_create(h, items[i].path, items[i].dir) ||
            (items[i].len && h_write(h, items[i].path, 0, items[i].len)))
            return -1;
    }
    return 0;
}

/* ---- the workload and its crash images ------------------------------------------------------ */

struct ppoint {
    size_t pos;          /* wlog entries when the call returned */
    enum persist kind;
    unsigned state;      /* S index it made durable */
    char path[64];
};

struct run {
    struct wlog log;
    struct snap states[MAX_STEPS + 1];
    size_t start[MAX_STEPS]; /* wlog entries when step k began */
    unsigned nsteps;
    struct ppoint pp[MAX_STEPS];
    unsigned npp;
    char name[128];
};

static uint8_t *g_base;           /* the clean base image */
static struct tfskit_clock g_base_clock;
static unsigned long g_images, g_failures, g_kept_units;

static void h_init(struct h *h)
{
    memset(h, 0, sizeof(*h));
    h->m = model_new(0755, 0, 0, 1700000000LL * 1000000000LL);
    h->clk.ns = 1700000000LL * 1000000000LL;
    h->map[MODEL_ROOT] = TFS_ROOT_INO;
    snprintf(h->cur_file, sizeof(h->cur_file), "/f");
    snprintf(h->cur_dir, sizeof(h->cur_dir), "/e");
}

static int make_base(void)
{
    struct h h;
    struct tfs_memdev md;
    h_init(&h);
    g_base = calloc(1, IMG_BYTES);
    tfs_memdev_init(&md, g_base, IMG_BLOCKS);
    struct tfs_format_opts fo = {.label = "crash", .now = tfskit_ns_time(h.clk.ns),
                                 .root_mode = 0755};
    int rc = tfs_format(&md.dev, &fo);
    if (rc == 0)
        rc = mount_h(&h, &md.dev);
    if (rc == 0)
        rc = build_base(&h);
    if (rc == 0)
        rc = tfs_unmount(h.vol);
    if (rc)
        fprintf(stderr, "tfs crash: base volume: %d %s\n", rc, h.err);
    g_base_clock = h.clk;
    model_free(h.m);
    return rc;
}

/* Run the workload on a copy of the base, recording; fills r. */
static int record(const enum op *ops, const enum persist *ps, unsigned n, struct run *r)
{
    struct h h;
    uint8_t *img = malloc(IMG_BYTES);
    struct tfs_memdev md;
    struct tfskit_recdev rec;
    memcpy(img, g_base, IMG_BYTES);
    tfs_memdev_init(&md, img, IMG_BLOCKS);
    wlog_init(&r->log);
    tfskit_recdev_init(&rec, &md.dev, &r->log);
    rec.recording = true;
    h_init(&h);
    h.model_only = true; /* the model side of the base; the TFS side is the image */
    int rc = build_base(&h);
    h.model_only = false;
    h.clk = g_base_clock;
    snap_from_model(h.m, &r->states[0]);
    if (rc == 0)
        rc = mount_h(&h, &rec.dev);
    if (rc == 0)
        rc = fill_map(&h, MODEL_ROOT);
    r->nsteps = n;
    r->npp = 0;
    for (unsigned k = 0; rc == 0 && k < n; k++) {
        char target[64];
        r->start[k] = wlog_count(&r->log);
        rc = run_op(&h, ops[k], target);
        if (rc == 0)
            rc = run_persist(&h, ps[k], target);
        snap_from_model(h.m, &r->states[k + 1]);
        if (rc == 0 && ps[k] != P_NONE) {
            struct ppoint *p = &r->pp[r->npp++];
            p->pos = wlog_count(&r->log);
            p->kind = ps[k];
            p->state = k + 1;
            snprintf(p->path, sizeof(p->path), "%s", target);
        }
    }
    rec.recording = false;
    if (h.vol)
        tfs_unmount(h.vol);
    if (rc)
        fprintf(stderr, "tfs crash: workload %s: %s\n", r->name, h.err);
    model_free(h.m);
    free(img);
    return rc;
}

static void run_free(struct run *r)
{
    wlog_free(&r->log);
    for (unsigned k = 0; k <= r->nsteps; k++)
        snap_free(&r->states[k]);
}

static const struct snap_entry *by_ino(const struct snap *s, uint64_t ino)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->e[i].ino == ino)
            return &s->e[i];
    return NULL;
}

/*
 * Is every byte of every regular file in o one of the bytes that file (the same model inode,
 * under whatever name: data reaches the device before the metadata naming it) holds in a
 * candidate state? o's metadata matched S_match, which says which inode each path is.
 */
static bool bytes_from(const struct snap *o, const struct run *r, unsigned lo, unsigned hi,
                       unsigned match, char *why, size_t whylen)
{
    for (size_t i = 0; i < o->n; i++) {
        const struct snap_entry *e = &o->e[i];
        if ((e->mode & MODEL_S_IFMT) != MODEL_S_IFREG)
            continue;
        uint64_t mino = snap_find(&r->states[match], e->path)->ino;
        for (uint64_t b = 0; b < e->size; b++) {
            bool ok = false;
            for (unsigned k = lo; k <= hi && !ok; k++) {
                const struct snap_entry *c = by_ino(&r->states[k], mino);
                uint8_t want = c && c->data && b < c->size ? c->data[b] : 0;
                ok = c && want == e->data[b];
            }
            if (!ok) {
                snprintf(why, whylen, "%s byte %llu = 0x%02x is in no candidate state",
                         e->path, (unsigned long long)b, e->data[b]);
                return false;
            }
        }
    }
    return true;
}

/* Data made durable by an fdatasync and untouched since must be there exactly, when the file
 * is there under that name (fdatasync does not promise a new name, as in POSIX). */
static bool datasync_kept(const struct snap *o, const struct run *r, size_t c, unsigned hi,
                          char *why, size_t whylen)
{
    for (unsigned i = 0; i < r->npp; i++) {
        const struct ppoint *p = &r->pp[i];
        if (p->kind != P_FDATASYNC || p->pos > c)
            continue;
        const struct snap_entry *want = snap_find(&r->states[p->state], p->path);
        if (!want || (want->mode & MODEL_S_IFMT) != MODEL_S_IFREG)
            continue;
        bool changed = false;
        for (unsigned k = p->state + 1; k <= hi && !changed; k++) {
            const struct snap_entry *later = snap_find(&r->states[k], p->path);
            changed = !later || later->size != want->size ||
                      (want->size && memcmp(later->data, want->data, want->size));
        }
        if (changed)
            continue;
        const struct snap_entry *got = snap_find(o, p->path);
        if (!got)
            continue;
        if (got->size != want->size ||
            (want->size && memcmp(got->data, want->data, want->size))) {
            snprintf(why, whylen, "%s: fdatasync'd data (%llu bytes) lost", p->path,
                     (unsigned long long)want->size);
            return false;
        }
    }
    return true;
}

static bool check_tree(const struct snap *o, const struct run *r, size_t c, char *why,
                       size_t whylen)
{
    unsigned lo = 0, hi = 0;
    for (unsigned i = 0; i < r->npp; i++)
        if (r->pp[i].pos <= c && r->pp[i].kind != P_FDATASYNC && r->pp[i].state > lo)
            lo = r->pp[i].state;
    for (unsigned k = 0; k < r->nsteps; k++)
        if (r->start[k] < c)
            hi = k + 1;
    if (hi < lo)
        hi = lo;
    unsigned match = UINT32_MAX;
    for (unsigned k = hi + 1; k-- > lo && match == UINT32_MAX;)
        if (snap_equal(&r->states[k], o, SNAP_CMP_MODE | SNAP_CMP_TIMES | SNAP_CMP_XATTR |
                                             SNAP_CMP_NODATA, NULL))
            match = k;
    if (match == UINT32_MAX) {
        snprintf(why, whylen, "the tree is none of the states S_%u..S_%u (S_%u shown above)",
                 lo, hi, hi);
        snap_equal(&r->states[hi], o, SNAP_CMP_MODE | SNAP_CMP_TIMES | SNAP_CMP_NODATA,
                   "  crash state vs S_hi");
        return false;
    }
    return bytes_from(o, r, lo, hi, match, why, whylen) &&
           datasync_kept(o, r, c, hi, why, whylen);
}

static int fsck_img(uint8_t *img, char *why, size_t whylen, const char *when)
{
    struct tfs_memdev md;
    struct tfskit_msgs msgs = {0};
    struct tfs_fsck_opts fo = {.report = tfskit_report_collect, .report_arg = &msgs};
    tfs_memdev_init(&md, img, IMG_BLOCKS);
    int rc = tfs_fsck(&md.dev, &fo, NULL);
    if (rc)
        snprintf(why, whylen, "fsck %s: %d: %.200s", when, rc, msgs.buf);
    return rc;
}

/* Build the crash image for cr and check it; 0 or -1 with why filled. */
static int crash_one(struct run *r, const struct wlog_crash *cr, uint8_t *img, char *why,
                     size_t whylen)
{
    memcpy(img, g_base, IMG_BYTES);
    g_kept_units += wlog_crash_image(&r->log, cr, img, IMG_BYTES);
    g_images++;
    if (fsck_img(img, why, whylen, "of the crash image"))
        return -1;
    struct h h;
    struct tfs_memdev md;
    memset(&h, 0, sizeof(h));
    h.clk = g_base_clock;
    h.clk.ns += 1000000000000LL;
    tfs_memdev_init(&md, img, IMG_BLOCKS);
    if (mount_h(&h, &md.dev)) {
        snprintf(why, whylen, "%s", h.err);
        return -1;
    }
    struct snap o;
    char err[256];
    int rc = tfskit_snap_tfs(h.vol, &o, NULL, err, sizeof(err));
    if (rc)
        snprintf(why, whylen, "walk: %s", err);
    else if (!check_tree(&o, r, cr->point, why, whylen))
        rc = -1;
    snap_free(&o);
    int urc = tfs_unmount(h.vol);
    if (rc == 0 && urc) {
        snprintf(why, whylen, "unmount after recovery: %s", strerror(-urc));
        rc = -1;
    }
    if (rc == 0 && fsck_img(img, why, whylen, "after mount and unmount"))
        rc = -1;
    return rc;
}

static void report(struct run *r, const struct wlog_crash *cr, const char *why)
{
    g_failures++;
    if (g_failures > MAX_FAIL_REPORTS)
        return;
    fprintf(stderr, "tfs crash: FAILED workload [%s], crash after %zu of %zu log entries "
            "(%s, keep %u%%, tear %u, seed %llu): %s\n", r->name, cr->point, wlog_count(&r->log),
            cr->lose_all ? "unflushed writes lost" : "unflushed writes kept at random",
            cr->keep_pct, cr->tear, (unsigned long long)cr->seed, why);
}

static void crash_all(struct run *r, uint64_t *rng, unsigned nrandom)
{
    uint8_t *img = malloc(IMG_BYTES);
    char why[512];
    size_t n = wlog_count(&r->log);
    for (size_t i = 0; i <= n; i++) { /* after every flush, and at the very end */
        if (i < n && r->log.e[i].kind != WLOG_FLUSH)
            continue;
        struct wlog_crash cr = {.point = i < n ? i + 1 : n, .lose_all = true};
        if (crash_one(r, &cr, img, why, sizeof(why)))
            report(r, &cr, why);
    }
    for (unsigned k = 0; k < nrandom; k++) {
        struct wlog_crash cr = {.point = tfskit_rand_below(rng, n + 1),
                                .keep_pct = (unsigned)tfskit_rand_below(rng, 101),
                                .tear = tfskit_rand_below(rng, 2) ? 512 : 0,
                                .seed = tfskit_rand(rng)};
        if (crash_one(r, &cr, img, why, sizeof(why)))
            report(r, &cr, why);
    }
    free(img);
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
    const char *v = getenv(name);
    return v && *v ? strtoull(v, NULL, 0) : dflt;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_crash_workloads(void **state)
{
    unsigned steps = (unsigned)env_u64("PETREL_CRASH_STEPS", 2);
    unsigned nrandom = (unsigned)env_u64("PETREL_CRASH_RANDOM", 2);
    /* Sanitizer builds are several times slower: there the run is bounded by time (still at
     * least MIN_IMAGES images); plain builds run every workload. */
#ifdef PETREL_ASAN
    double budget = (double)env_u64("PETREL_CRASH_BUDGET_S", 40);
#else
    double budget = (double)env_u64("PETREL_CRASH_BUDGET_S", 0);
#endif
    uint64_t seed = env_u64("PETREL_SEED", 1), rng = seed;
    unsigned per = C_NOPS * P_NKINDS, total = 1;
    assert_true(steps >= 1 && steps <= MAX_STEPS);
    for (unsigned i = 0; i < steps; i++)
        total *= per;
    assert_int_equal(make_base(), 0);
    double t0 = now_s();
    unsigned done = 0, bad_runs = 0;
    /* A time-bounded run (the soak) starts at a seed-chosen workload, so that successive
     * bounded runs cover different ones. */
    unsigned first = budget ? (unsigned)(seed % total) : 0;
    for (unsigned wi = 0; wi < total; wi++) {
        unsigned w = (first + wi) % total;
        if (budget && now_s() - t0 > budget && g_images >= MIN_IMAGES)
            break;
        enum op ops[MAX_STEPS];
        enum persist ps[MAX_STEPS];
        struct run r;
        memset(&r, 0, sizeof(r));
        size_t len = 0;
        for (unsigned i = 0, x = w; i < steps; i++, x /= per) {
            ops[i] = (enum op)(x % per / P_NKINDS);
            ps[i] = (enum persist)(x % P_NKINDS);
            len += (size_t)snprintf(r.name + len, sizeof(r.name) - len, "%s%s%s", i ? " " : "",
                                    op_names[ops[i]], persist_names[ps[i]]);
        }
        if (record(ops, ps, steps, &r) == 0)
            crash_all(&r, &rng, nrandom);
        else
            bad_runs++;
        run_free(&r);
        done++;
    }
    fprintf(stderr, "tfs crash: %u workloads of %u steps, %lu crash images (%lu unflushed "
            "units kept), %lu failed, %u workloads failed to run, %.1f s, PETREL_SEED=%llu\n",
            done, steps, g_images, g_kept_units, g_failures, bad_runs, now_s() - t0,
            (unsigned long long)seed);
    free(g_base);
    assert_int_equal(bad_runs, 0);
    assert_int_equal(g_failures, 0);
    assert_true(g_images >= MIN_IMAGES);
}

/* The write log itself: the crash states it builds are the ones documented in wlog.h. */
static void test_wlog_semantics(void **state)
{
    struct wlog l;
    uint8_t img[2048] = {0};
    wlog_init(&l);
    wlog_write(&l, 0, (uint8_t[512]){[0] = 1}, 512);
    wlog_flush(&l);
    wlog_write(&l, 512, (uint8_t[1024]){[0] = 2, [512] = 3}, 1024);
    wlog_write(&l, 0, (uint8_t[512]){[0] = 4}, 512);
    struct wlog_crash clean = {.point = 4, .lose_all = true};
    wlog_crash_image(&l, &clean, img, sizeof(img));
    assert_int_equal(img[0], 1);
    assert_int_equal(img[512], 0);
    struct wlog_crash all = {.point = 4, .keep_pct = 100, .tear = 512, .seed = 9};
    assert_int_equal(wlog_crash_image(&l, &all, img, sizeof(img)), 3);
    assert_int_equal(img[512], 2);
    assert_int_equal(img[1024], 3);
    assert_true(img[0] == 4); /* the flushed write is older than the unflushed one */
    memset(img, 0, sizeof(img));
    struct wlog_crash none = {.point = 4, .keep_pct = 0, .tear = 512, .seed = 9};
    assert_int_equal(wlog_crash_image(&l, &none, img, sizeof(img)), 0);
    assert_int_equal(wlog_last_flush_before(&l, 4), 1);
    assert_int_equal(wlog_last_flush_before(&l, 1), SIZE_MAX);
    wlog_free(&l);
}

static int setup(void **state)
{
    return tfskit_kernel_init(256u << 20) ? -1 : 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wlog_semantics),
        cmocka_unit_test(test_crash_workloads),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
