/*
 * opexec.c - TFS against the reference model, one drawn operation at a time (opexec.h).
 *
 * Targets are drawn from the model (its inodes and directory entries) with a few made-up
 * names from a small pool, so that collisions (EEXIST, ENOTEMPTY, rename over an existing
 * entry, hard links into the same directory) are frequent. Data written is a pattern
 * derived from the operation number, so every write is distinct.
 */
#include "tools/tfskit/opexec.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum kind {
    K_CREATE, K_MKDIR, K_SYMLINK, K_LINK, K_UNLINK, K_RMDIR, K_RENAME, K_WRITE, K_PWRITE,
    K_READ, K_TRUNCATE, K_FALLOCATE, K_CHMOD, K_CHOWN, K_UTIMENS, K_SETXATTR, K_GETXATTR,
    K_LISTXATTR, K_RMXATTR, K_LOOKUP, K_READDIR, K_FSYNC, K_FDATASYNC, K_SYNC, K_REMOUNT,
    K_MKNOD, K_BADTIME, K_GETATTR,
};

static const char *const kind_names[OPX_NKINDS] = {
    "create", "mkdir", "symlink", "link", "unlink", "rmdir", "rename", "write", "pwrite",
    "read", "truncate", "fallocate", "chmod", "chown", "utimens", "setxattr", "getxattr",
    "listxattr", "removexattr", "lookup", "readdir", "fsync", "fdatasync", "sync", "remount",
    "mknod", "badtime", "getattr",
};

/* Relative weights of the kinds (sum arbitrary). */
static const unsigned weights[OPX_NKINDS] = {
    10, 6, 3, 4, 6, 4, 10, 10, 8, 6, 5, 5, 2, 2, 2, 3, 2, 1, 1, 3, 2, 1, 1, 1, 0, 1, 1, 2,
};

const char *opx_kind_name(unsigned kind)
{
    return kind < OPX_NKINDS ? kind_names[kind] : "?";
}

static uint64_t draw(struct opx *x, uint64_t bound)
{
    return bound ? x->src.next(x->src.arg, bound) : 0;
}

static int mismatch(struct opx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int mismatch(struct opx *x, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "tfs model: op #%lu %s: ", x->nops, x->desc);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    x->failed = true;
    return -1;
}

static void describe(struct opx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void describe(struct opx *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->desc, sizeof(x->desc), fmt, ap);
    va_end(ap);
    if (x->trace)
        fprintf(x->trace, "#%lu %s\n", x->nops, x->desc);
}

static int same_rc(struct opx *x, long long tfs, long long model)
{
    if (tfs == model) {
        x->succeeded[x->kind] += tfs >= 0;
        return 0;
    }
    return mismatch(x, "TFS returned %lld (%s), the model %lld (%s)", tfs,
                    tfs < 0 ? strerror((int)-tfs) : "ok", model,
                    model < 0 ? strerror((int)-model) : "ok");
}

/* ---- targets ------------------------------------------------------------------------------- */

static void map_set(struct opx *x, uint32_t mino, uint64_t tino)
{
    if (mino >= x->nmap) {
        size_t n = mino + 64;
        x->map = realloc(x->map, n * sizeof(*x->map));
        memset(x->map + x->nmap, 0, (n - x->nmap) * sizeof(*x->map));
        x->nmap = n;
    }
    x->map[mino] = tino;
}

static uint64_t tino(const struct opx *x, uint32_t mino)
{
    return mino < x->nmap ? x->map[mino] : 0;
}

enum want { ANY, DIR_, FILE_, NONDIR };

static bool fits(const struct model_inode *i, enum want w)
{
    uint32_t t = i->mode & MODEL_S_IFMT;
    return w == ANY || (w == DIR_ && t == MODEL_S_IFDIR) || (w == FILE_ && t == MODEL_S_IFREG) ||
           (w == NONDIR && t != MODEL_S_IFDIR);
}

/* A random inode in use of the wanted kind (mostly), else the root. */
static uint32_t pick_ino(struct opx *x, enum want w)
{
    bool strict = draw(x, 16) != 0; /* 1/16: any kind, to reach the type errors */
    uint32_t start = (uint32_t)draw(x, x->m->ninodes);
    for (size_t k = 0; k < x->m->ninodes; k++) {
        uint32_t n = (uint32_t)((start + k) % x->m->ninodes);
        const struct model_inode *i = model_inode(x->m, n);
        if (i && (!strict || fits(i, w)))
            return n;
    }
    return MODEL_ROOT;
}

static char long_name[TFS_NAME_MAX + 2];

/* A name: mostly from a small pool, sometimes an existing entry of dir, rarely invalid. */
static const char *pick_name(struct opx *x, uint32_t dir)
{
    static const char *const pool[] = {"a", "b", "c", "d", "e", "f", "g", "h",
                                       "file.txt", "x y", "\xc3\xa9t\xc3\xa9"};
    const struct model_inode *d = model_inode(x->m, dir);
    uint64_t r = draw(x, 100);
    if (r < 40 && d && (d->mode & MODEL_S_IFMT) == MODEL_S_IFDIR && d->nents)
        return d->ents[draw(x, d->nents)].name;
    if (r == 98) {
        memset(long_name, 'n', TFS_NAME_MAX + 1);
        long_name[TFS_NAME_MAX + draw(x, 2) - 1] = 0; /* 255: fine, 256: too long */
        return long_name;
    }
    if (r == 97)
        return draw(x, 2) ? "." : "..";
    if (r == 99)
        return draw(x, 2) ? "" : "a/b";
    return pool[draw(x, sizeof(pool) / sizeof(pool[0]))];
}

/* ---- comparing inodes ------------------------------------------------------------------------ */

static int check_attr(struct opx *x, uint32_t mino)
{
    const struct model_inode *i = model_inode(x->m, mino);
    if (!i)
        return 0;
    struct tfs_attr a;
    int rc = tfs_getattr(x->vol, tino(x, mino), &a);
    if (rc)
        return mismatch(x, "getattr of model inode %u (TFS %llu): %s", mino,
                        (unsigned long long)tino(x, mino), strerror(-rc));
    bool dir = (i->mode & MODEL_S_IFMT) == MODEL_S_IFDIR;
    const char *what = a.mode != i->mode ? "mode" : a.uid != i->uid || a.gid != i->gid ? "owner"
                     : a.nlink != i->nlink ? "nlink" : !dir && a.size != i->size ? "size"
                     : tfskit_time_ns(a.mtime) != i->mtime ? "mtime"
                     : tfskit_time_ns(a.ctime) != i->ctime ? "ctime"
                     : tfskit_time_ns(a.atime) != i->atime ? "atime" : NULL;
    if (!what)
        return 0;
    return mismatch(x, "%s of model inode %u (TFS %llu) differs: TFS mode %o uid %u gid %u "
                    "nlink %u size %llu mtime %lld ctime %lld atime %lld; model mode %o uid %u "
                    "gid %u nlink %u size %llu mtime %lld ctime %lld atime %lld", what, mino,
                    (unsigned long long)a.ino, a.mode, a.uid, a.gid, a.nlink,
                    (unsigned long long)a.size, (long long)tfskit_time_ns(a.mtime),
                    (long long)tfskit_time_ns(a.ctime), (long long)tfskit_time_ns(a.atime),
                    i->mode, i->uid, i->gid, i->nlink, (unsigned long long)i->size,
                    (long long)i->mtime, (long long)i->ctime, (long long)i->atime);
}

static int check2(struct opx *x, uint32_t a, uint32_t b)
{
    if (check_attr(x, a))
        return -1;
    return a == b ? 0 : check_attr(x, b);
}

/* ---- namespace operations ----------------------------------------------------------------------- */

static int op_create(struct opx *x, enum kind k)
{
    uint32_t dir = pick_ino(x, DIR_), mi = 0;
    const char *name = pick_name(x, dir);
    uint32_t perm = (uint32_t)draw(x, 010000);
    uint32_t type = k == K_MKDIR ? MODEL_S_IFDIR : k == K_MKNOD ? 0010000u : MODEL_S_IFREG;
    uint32_t uid = (uint32_t)draw(x, 3) * 500, gid = (uint32_t)draw(x, 3) * 100;
    uint64_t ti = 0;
    describe(x, "%s(dir %u, \"%.40s\", %o)", kind_names[k], dir, name, type | perm);
    int mrc = k == K_MKDIR ? model_mkdir(x->m, dir, name, perm, uid, gid, x->clk.ns, &mi)
                           : model_create(x->m, dir, name, type | perm, uid, gid, x->clk.ns, &mi);
    int trc = tfs_create(x->vol, tino(x, dir), name, strlen(name), type | perm, uid, gid, 0, &ti);
    if (same_rc(x, trc, mrc))
        return -1;
    if (mrc == 0)
        map_set(x, mi, ti);
    return mrc == 0 ? check2(x, mi, dir) : 0;
}

static int op_symlink(struct opx *x)
{
    static const char *const targets[] = {"a", "/etc/passwd", "../b/c", "x", "dangling/ok"};
    uint32_t dir = pick_ino(x, DIR_), mi = 0;
    const char *name = pick_name(x, dir);
    const char *target = targets[draw(x, 5)];
    char big[TFS_PATH_MAX + 1];
    uint64_t r = draw(x, 20), ti = 0;
    if (r == 0)
        target = "";
    else if (r == 1) {
        size_t n = TFS_PATH_MAX - 1 + draw(x, 2); /* 4095 fits, 4096 does not */
        memset(big, 't', n);
        big[n] = 0;
        target = big;
    }
    describe(x, "symlink(dir %u, \"%.40s\", target of %zu bytes)", dir, name, strlen(target));
    int mrc = model_symlink(x->m, dir, name, target, 0, 0, x->clk.ns, &mi);
    int trc = tfs_symlink(x->vol, tino(x, dir), name, strlen(name), target, strlen(target), 0, 0,
                          &ti);
    if (same_rc(x, trc, mrc))
        return -1;
    if (mrc == 0) {
        map_set(x, mi, ti);
        char buf[TFS_PATH_MAX];
        int n = tfs_readlink(x->vol, ti, buf, sizeof(buf));
        if (n != (int)strlen(target) || memcmp(buf, target, (size_t)n))
            return mismatch(x, "readlink gives %d bytes, want %zu", n, strlen(target));
        return check2(x, mi, dir);
    }
    return 0;
}

static int op_link(struct opx *x)
{
    uint32_t src = pick_ino(x, NONDIR), dir = pick_ino(x, DIR_);
    const char *name = pick_name(x, dir);
    describe(x, "link(ino %u, dir %u, \"%.40s\")", src, dir, name);
    int mrc = model_link(x->m, src, dir, name, x->clk.ns);
    int trc = tfs_link(x->vol, tino(x, src), tino(x, dir), name, strlen(name));
    if (same_rc(x, trc, mrc))
        return -1;
    return check2(x, src, dir);
}

static int op_remove(struct opx *x, bool dir_op)
{
    uint32_t dir = pick_ino(x, DIR_), victim = 0;
    const char *name = pick_name(x, dir);
    char keep[TFS_NAME_MAX + 2];
    snprintf(keep, sizeof(keep), "%s", name); /* the model frees its copy of the name */
    model_lookup(x->m, dir, keep, &victim);
    describe(x, "%s(dir %u, \"%.40s\")", dir_op ? "rmdir" : "unlink", dir, keep);
    int mrc = dir_op ? model_rmdir(x->m, dir, keep, x->clk.ns)
                     : model_unlink(x->m, dir, keep, x->clk.ns);
    int trc = dir_op ? tfs_rmdir(x->vol, tino(x, dir), keep, strlen(keep))
                     : tfs_unlink(x->vol, tino(x, dir), keep, strlen(keep));
    if (same_rc(x, trc, mrc))
        return -1;
    if (check_attr(x, dir))
        return -1;
    if (mrc == 0 && victim && !model_inode(x->m, victim)) {
        struct tfs_attr a; /* gone from the model: TFS must have freed it too */
        int g = tfs_getattr(x->vol, tino(x, victim), &a);
        if (g != -ENOENT)
            return mismatch(x, "removed inode %llu still answers getattr (%d, nlink %u)",
                            (unsigned long long)tino(x, victim), g, g ? 0 : a.nlink);
    }
    return victim ? check_attr(x, victim) : 0;
}

static int op_rename(struct opx *x)
{
    static const unsigned flagset[] = {0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 2, 3, 4};
    uint32_t od = pick_ino(x, DIR_), nd = pick_ino(x, DIR_), src = 0, dst = 0;
    char on[TFS_NAME_MAX + 2], nn[TFS_NAME_MAX + 2];
    snprintf(on, sizeof(on), "%s", pick_name(x, od));
    snprintf(nn, sizeof(nn), "%s", pick_name(x, nd));
    unsigned flags = flagset[draw(x, sizeof(flagset) / sizeof(flagset[0]))];
    model_lookup(x->m, od, on, &src);
    model_lookup(x->m, nd, nn, &dst);
    describe(x, "rename(dir %u \"%.40s\" [ino %u], dir %u \"%.40s\" [ino %u], flags %u)", od, on,
             src, nd, nn, dst, flags);
    int mrc = model_rename(x->m, od, on, nd, nn, flags, x->clk.ns);
    int trc = tfs_rename(x->vol, tino(x, od), on, strlen(on), tino(x, nd), nn, strlen(nn), flags);
    if (same_rc(x, trc, mrc))
        return -1;
    if (check2(x, od, nd))
        return -1;
    if (src && check_attr(x, src))
        return -1;
    if (dst && model_inode(x->m, dst))
        return check_attr(x, dst);
    return 0;
}

static int op_lookup(struct opx *x)
{
    uint32_t dir = pick_ino(x, ANY), mi = 0;
    const char *name = pick_name(x, dir);
    uint64_t ti = 0;
    describe(x, "lookup(dir %u, \"%.40s\")", dir, name);
    int mrc = model_lookup(x->m, dir, name, &mi);
    int trc = tfs_lookup(x->vol, tino(x, dir), name, strlen(name), &ti);
    if (same_rc(x, trc, mrc))
        return -1;
    if (mrc == 0 && ti != tino(x, mi))
        return mismatch(x, "lookup found TFS inode %llu, want %llu", (unsigned long long)ti,
                        (unsigned long long)tino(x, mi));
    return 0;
}

/* ---- readdir ------------------------------------------------------------------------------- */

struct listing {
    char **names;
    uint64_t *inos;
    unsigned *types;
    size_t n;
    unsigned stop_after; /* exercise cookies: stop every few entries */
    unsigned seen;
};

static int list_fn(void *arg, const char *name, size_t len, uint64_t ino, unsigned dtype,
                   uint64_t next)
{
    struct listing *l = arg;
    if (l->stop_after && ++l->seen > l->stop_after) {
        l->seen = 0;
        return 1;
    }
    l->names = realloc(l->names, (l->n + 1) * sizeof(*l->names));
    l->inos = realloc(l->inos, (l->n + 1) * sizeof(*l->inos));
    l->types = realloc(l->types, (l->n + 1) * sizeof(*l->types));
    l->names[l->n] = strndup(name, len);
    l->inos[l->n] = ino;
    l->types[l->n++] = dtype;
    return 0;
}

static void listing_free(struct listing *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names);
    free(l->inos);
    free(l->types);
}

static unsigned dtype_of(uint32_t mode)
{
    return (mode & MODEL_S_IFMT) >> 12;
}

static int check_entries(struct opx *x, uint32_t dir, const struct listing *l)
{
    const struct model_inode *d = model_inode(x->m, dir);
    size_t want = d->nents + 2;
    if (l->n != want)
        return mismatch(x, "readdir of dir %u gives %zu entries, want %zu", dir, l->n, want);
    for (size_t i = 0; i < l->n; i++) {
        const char *nm = l->names[i];
        uint64_t want_ino;
        unsigned want_type = TFS_DT_DIR;
        if (!strcmp(nm, "."))
            want_ino = tino(x, dir);
        else if (!strcmp(nm, ".."))
            want_ino = tino(x, d->parent);
        else {
            long k = model_dir_find(d, nm);
            size_t dup = 0;
            for (size_t j = 0; j < l->n; j++)
                dup += !strcmp(l->names[j], nm);
            if (k < 0 || dup != 1)
                return mismatch(x, "readdir of dir %u: unexpected or repeated \"%.40s\"", dir,
                                nm);
            want_ino = tino(x, d->ents[k].ino);
            want_type = dtype_of(model_inode(x->m, d->ents[k].ino)->mode);
        }
        if (l->inos[i] != want_ino || (l->types[i] != want_type && l->types[i] != TFS_DT_UNKNOWN))
            return mismatch(x, "readdir of dir %u: \"%.40s\" is inode %llu type %u, want %llu "
                            "type %u", dir, nm, (unsigned long long)l->inos[i], l->types[i],
                            (unsigned long long)want_ino, want_type);
    }
    return 0;
}

static int op_readdir(struct opx *x)
{
    uint32_t dir = pick_ino(x, DIR_);
    struct listing l = {.stop_after = (unsigned)draw(x, 4)};
    uint64_t cookie = 0;
    describe(x, "readdir(dir %u, in pieces of %u)", dir, l.stop_after);
    const struct model_inode *d = model_inode(x->m, dir);
    int trc = 0;
    for (unsigned rounds = 0; rounds < 100000; rounds++) {
        size_t before = l.n;
        trc = tfs_readdir(x->vol, tino(x, dir), &cookie, list_fn, &l);
        if (trc || !l.stop_after || l.n == before)
            break;
    }
    int rc = same_rc(x, trc, (d->mode & MODEL_S_IFMT) == MODEL_S_IFDIR ? 0 : -ENOTDIR);
    if (rc == 0 && trc == 0)
        rc = check_entries(x, dir, &l);
    listing_free(&l);
    return rc;
}

/* ---- data ----------------------------------------------------------------------------------- */

static void pattern(uint8_t *buf, size_t len, uint64_t seed)
{
    for (size_t i = 0; i < len; i++) {
        if (i % 8 == 0)
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        buf[i] = (uint8_t)(seed >> (56 - 8 * (i % 8)));
    }
}

static uint64_t pick_off(struct opx *x, const struct model_inode *i, bool append)
{
    if (append && i)
        return i->size;
    uint64_t r = draw(x, 10);
    if (r < 3 && i)
        return i->size ? draw(x, i->size) : 0;
    if (r == 3)
        return draw(x, 4) * TFS_BLOCK_SIZE;
    return draw(x, x->max_off);
}

static size_t pick_len(struct opx *x)
{
    uint64_t r = draw(x, 20);
    if (r == 0)
        return 65536 + draw(x, 65536);
    if (r < 5)
        return TFS_BLOCK_SIZE * (1 + draw(x, 8));
    return 1 + draw(x, 9000);
}

/* The model knows nothing of space: operations that allocate are skipped when the volume
 * is too full for them to be sure to fit (TFS's reserve, docs/tfs-format.md 6). */
static bool space_for(struct opx *x, uint64_t bytes)
{
    struct tfs_statfs st;
    if (tfs_statfs(x->vol, &st))
        return false;
    return st.avail_blocks * TFS_BLOCK_SIZE > bytes + (2u << 20);
}

static int op_write(struct opx *x, bool append)
{
    uint32_t f = pick_ino(x, FILE_);
    const struct model_inode *i = model_inode(x->m, f);
    uint64_t off = pick_off(x, i, append);
    size_t len = pick_len(x);
    if (draw(x, 100) == 0) /* past the limit by 1..len bytes: -EFBIG */
        off = TFS_MAX_FILE_SIZE - (draw(x, 2) ? len / 2 : 0);
    describe(x, "%s(ino %u, off %llu, len %zu)", append ? "write" : "pwrite", f,
             (unsigned long long)off, len);
    if (!space_for(x, len + (off < x->max_off * 2 ? off : 0)))
        return 0;
    uint8_t *buf = malloc(len);
    pattern(buf, len, x->nops * 7919 + off);
    int64_t mrc = model_write(x->m, f, off, buf, len, x->clk.ns);
    int64_t trc = tfs_write(x->vol, tino(x, f), off, buf, len);
    free(buf);
    if (same_rc(x, trc, mrc))
        return -1;
    return check_attr(x, f);
}

static int op_read(struct opx *x)
{
    uint32_t f = pick_ino(x, FILE_);
    const struct model_inode *i = model_inode(x->m, f);
    uint64_t off = pick_off(x, i, false);
    size_t len = pick_len(x);
    uint8_t *a = malloc(len), *b = malloc(len);
    describe(x, "read(ino %u, off %llu, len %zu)", f, (unsigned long long)off, len);
    int64_t mrc = model_read(x->m, f, off, a, len);
    int64_t trc = tfs_read(x->vol, tino(x, f), off, b, len);
    int rc = same_rc(x, trc, mrc);
    if (rc == 0 && mrc > 0 && memcmp(a, b, (size_t)mrc)) {
        size_t k = 0;
        while (a[k] == b[k])
            k++;
        rc = mismatch(x, "data differs at file offset %llu: TFS 0x%02x, model 0x%02x",
                      (unsigned long long)(off + k), b[k], a[k]);
    }
    free(a);
    free(b);
    return rc;
}

static int op_truncate(struct opx *x)
{
    uint32_t f = pick_ino(x, FILE_);
    const struct model_inode *i = model_inode(x->m, f);
    uint64_t r = draw(x, 20), size;
    if (r == 0)
        size = TFS_MAX_FILE_SIZE + 1;
    else if (r < 6)
        size = 0;
    else if (r < 12 && i)
        size = i->size ? draw(x, i->size) : 0;
    else
        size = draw(x, x->max_off + x->max_off / 2);
    describe(x, "truncate(ino %u, %llu)", f, (unsigned long long)size);
    int mrc = model_truncate(x->m, f, size, x->clk.ns);
    int trc = tfs_truncate(x->vol, tino(x, f), size);
    if (same_rc(x, trc, mrc))
        return -1;
    return check_attr(x, f);
}

static int op_fallocate(struct opx *x)
{
    static const unsigned modes[] = {0, 0, 1, 1, 3, 3, 3, 2, 0x10};
    uint32_t f = pick_ino(x, FILE_);
    const struct model_inode *i = model_inode(x->m, f);
    unsigned mode = modes[draw(x, sizeof(modes) / sizeof(modes[0]))];
    uint64_t off = pick_off(x, i, false), len = draw(x, 30) ? 1 + draw(x, 300000) : 0;
    describe(x, "fallocate(ino %u, mode %#x, off %llu, len %llu)", f, mode,
             (unsigned long long)off, (unsigned long long)len);
    if (!space_for(x, off + len))
        return 0;
    int mrc = model_fallocate(x->m, f, mode, off, len, x->clk.ns);
    int trc = tfs_fallocate(x->vol, tino(x, f), mode, off, len);
    if (same_rc(x, trc, mrc))
        return -1;
    return check_attr(x, f);
}

/* ---- attributes ------------------------------------------------------------------------------- */

static int64_t pick_time(struct opx *x)
{
    uint64_t r = draw(x, 10);
    int64_t sec = r == 0 ? -(int64_t)draw(x, 1000000) : r == 1 ? (int64_t)draw(x, 1ULL << 33)
                                                               : (int64_t)draw(x, 2000000000);
    return sec * 1000000000LL + (int64_t)draw(x, 1000000000);
}

static int op_setattr(struct opx *x, enum kind k)
{
    uint32_t ino = pick_ino(x, ANY);
    struct tfs_attr a = {0};
    unsigned mask;
    int mrc;
    if (k == K_CHMOD) {
        a.mode = (uint32_t)draw(x, 010000);
        mask = TFS_SET_MODE;
        describe(x, "chmod(ino %u, %o)", ino, a.mode);
        mrc = model_chmod(x->m, ino, a.mode, x->clk.ns);
    } else if (k == K_CHOWN) {
        a.uid = (uint32_t)draw(x, 4) * 1000;
        a.gid = draw(x, 8) ? (uint32_t)draw(x, 4) * 10 : 4294967294u;
        mask = TFS_SET_UID | TFS_SET_GID;
        describe(x, "chown(ino %u, %u, %u)", ino, a.uid, a.gid);
        mrc = model_chown(x->m, ino, a.uid, a.gid, x->clk.ns);
    } else {
        int64_t at = pick_time(x), mt = pick_time(x);
        a.atime = tfskit_ns_time(at);
        a.mtime = tfskit_ns_time(mt);
        mask = TFS_SET_ATIME | TFS_SET_MTIME;
        describe(x, "utimens(ino %u, %lld, %lld)", ino, (long long)at, (long long)mt);
        mrc = model_utimens(x->m, ino, at, mt, x->clk.ns);
    }
    int trc = tfs_setattr(x->vol, tino(x, ino), &a, mask);
    if (same_rc(x, trc, mrc))
        return -1;
    return check_attr(x, ino);
}

static int op_badtime(struct opx *x)
{
    uint32_t ino = pick_ino(x, ANY);
    struct tfs_attr a = {0};
    a.mtime.sec = 5;
    a.mtime.nsec = 1000000000u + (uint32_t)draw(x, 1000);
    describe(x, "utimens(ino %u, nsec %u)", ino, a.mtime.nsec);
    if (same_rc(x, tfs_setattr(x->vol, tino(x, ino), &a, TFS_SET_MTIME), -EINVAL))
        return -1;
    return check_attr(x, ino);
}

static int op_getattr(struct opx *x)
{
    uint32_t ino = pick_ino(x, ANY);
    describe(x, "getattr(ino %u)", ino);
    return check_attr(x, ino);
}

/* ---- xattrs ----------------------------------------------------------------------------------- */

static const char *pick_xname(struct opx *x)
{
    static const char *const names[] = {"user.a", "user.b", "trusted.t", "security.selinux",
                                        "user.with.dots", "system.posix_acl_access"};
    static char big[TFS_XATTR_NAME_MAX + 2];
    if (draw(x, 40) == 0) {
        size_t n = TFS_XATTR_NAME_MAX + draw(x, 2);
        memset(big, 'u', n);
        big[n] = 0;
        return big;
    }
    return names[draw(x, sizeof(names) / sizeof(names[0]))];
}

static int op_setxattr(struct opx *x)
{
    uint32_t ino = pick_ino(x, ANY);
    const char *name = pick_xname(x);
    uint64_t r = draw(x, 30);
    size_t len = r == 0 ? TFS_XATTR_SIZE_MAX + draw(x, 2) : r < 4 ? 0 : draw(x, 600);
    unsigned flags = (unsigned)draw(x, 4) % 3; /* 0, CREATE, REPLACE */
    uint8_t *val = malloc(len ? len : 1);
    pattern(val, len, x->nops);
    describe(x, "setxattr(ino %u, \"%.40s\", %zu bytes, flags %u)", ino, name, len, flags);
    int mrc = model_setxattr(x->m, ino, name, val, len, flags, x->clk.ns);
    int trc = tfs_setxattr(x->vol, tino(x, ino), name, val, len, flags);
    free(val);
    if (same_rc(x, trc, mrc))
        return -1;
    return check_attr(x, ino);
}

/* Mostly an inode that has xattrs and one of its names, so get/remove often succeed. */
static uint32_t pick_xattr_target(struct opx *x, const char **name)
{
    *name = pick_xname(x);
    if (draw(x, 4) == 0)
        return pick_ino(x, ANY);
    uint32_t start = (uint32_t)draw(x, x->m->ninodes);
    for (size_t k = 0; k < x->m->ninodes; k++) {
        uint32_t n = (uint32_t)((start + k) % x->m->ninodes);
        const struct model_inode *i = model_inode(x->m, n);
        if (i && i->nxattrs) {
            *name = i->xattrs[draw(x, i->nxattrs)].name;
            return n;
        }
    }
    return pick_ino(x, ANY);
}

static int op_getxattr(struct opx *x)
{
    const char *name;
    uint32_t ino = pick_xattr_target(x, &name);
    size_t size = draw(x, 4) ? TFS_XATTR_SIZE_MAX : draw(x, 50);
    uint8_t *a = malloc(size + 1), *b = malloc(size + 1);
    describe(x, "getxattr(ino %u, \"%.40s\", size %zu)", ino, name, size);
    int64_t mrc = model_getxattr(x->m, ino, name, a, size);
    int trc = tfs_getxattr(x->vol, tino(x, ino), name, b, size);
    int rc = same_rc(x, trc, mrc);
    if (rc == 0 && mrc > 0 && size && memcmp(a, b, (size_t)mrc))
        rc = mismatch(x, "xattr value differs");
    free(a);
    free(b);
    return rc;
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int op_listxattr(struct opx *x)
{
    uint32_t ino = pick_ino(x, ANY);
    const struct model_inode *i = model_inode(x->m, ino);
    describe(x, "listxattr(ino %u)", ino);
    size_t want = 0;
    for (size_t k = 0; k < i->nxattrs; k++)
        want += strlen(i->xattrs[k].name) + 1;
    int n = tfs_listxattr(x->vol, tino(x, ino), NULL, 0);
    if (same_rc(x, n, (long long)want))
        return -1;
    char one[1];
    if (want > 1 && same_rc(x, tfs_listxattr(x->vol, tino(x, ino), one, 1), -ERANGE))
        return -1;
    char *buf = malloc(want + 1);
    int got = tfs_listxattr(x->vol, tino(x, ino), buf, want + 1);
    int rc = same_rc(x, got, (long long)want);
    const char **names = calloc(i->nxattrs + 1, sizeof(*names));
    size_t nn = 0;
    buf[got > 0 ? got : 0] = 0;
    for (int off = 0; rc == 0 && off < got && nn < i->nxattrs; off += (int)strlen(buf + off) + 1)
        names[nn++] = buf + off;
    qsort(names, nn, sizeof(*names), cmp_cstr);
    for (size_t k = 0; rc == 0 && k < nn; k++)
        if (model_getxattr(x->m, ino, names[k], NULL, 0) < 0 ||
            (k && !strcmp(names[k], names[k - 1])))
            rc = mismatch(x, "listxattr names \"%.40s\", not in the model", names[k]);
    free(names);
    free(buf);
    return rc;
}

static int op_rmxattr(struct opx *x)
{
    const char *pick;
    uint32_t ino = pick_xattr_target(x, &pick);
    char name[TFS_XATTR_NAME_MAX + 2];
    snprintf(name, sizeof(name), "%s", pick); /* the model frees its copy */
    describe(x, "removexattr(ino %u, \"%.40s\")", ino, name);
    int mrc = model_removexattr(x->m, ino, name, x->clk.ns);
    int trc = tfs_removexattr(x->vol, tino(x, ino), name);
    if (same_rc(x, trc, mrc))
        return -1;
    return check_attr(x, ino);
}

/* ---- durability and whole-tree checks ------------------------------------------------------------ */

static int op_sync(struct opx *x, enum kind k)
{
    uint32_t ino = pick_ino(x, k == K_FDATASYNC ? FILE_ : ANY);
    describe(x, "%s(ino %u)", kind_names[k], ino);
    int rc = k == K_SYNC ? tfs_sync(x->vol)
           : k == K_FSYNC ? tfs_fsync(x->vol, tino(x, ino)) : tfs_fdatasync(x->vol, tino(x, ino));
    return same_rc(x, rc, 0);
}

static int mount_vol(struct opx *x)
{
    struct tfskit_msgs msgs = {0};
    struct tfs_mount_opts mo = {.clock = tfskit_clock_read, .clock_arg = &x->clk,
                                .report = tfskit_report_collect, .report_arg = &msgs};
    int rc = tfs_mount(x->dev, &mo, &x->vol);
    if (rc) {
        x->vol = NULL;
        return mismatch(x, "mount failed: %s\n%s", strerror(-rc), msgs.buf);
    }
    return 0;
}

int opx_check(struct opx *x)
{
    struct snap want, got;
    char err[512];
    snap_from_model(x->m, &want);
    int rc = tfskit_snap_tfs(x->vol, &got, NULL, err, sizeof(err));
    if (rc)
        rc = mismatch(x, "walking the volume: %s", err);
    else if (!snap_equal(&want, &got, SNAP_CMP_ALL, "tfs model"))
        rc = mismatch(x, "the tree differs from the model (see above)");
    snap_free(&want);
    snap_free(&got);
    struct tfs_statfs st;
    if (rc == 0 && (rc = tfs_statfs(x->vol, &st)) != 0)
        rc = mismatch(x, "statfs: %s", strerror(-rc));
    if (rc == 0 && st.files != model_count(x->m))
        rc = mismatch(x, "statfs counts %llu inodes, the model %zu",
                      (unsigned long long)st.files, model_count(x->m));
    return rc;
}

int opx_remount(struct opx *x)
{
    if (!x->vol)
        return -1;
    int rc = tfs_unmount(x->vol);
    x->vol = NULL;
    if (rc)
        return mismatch(x, "unmount failed: %s", strerror(-rc));
    if (x->fsck_on_remount) {
        struct tfskit_msgs msgs = {0};
        struct tfs_fsck_opts fo = {.report = tfskit_report_collect, .report_arg = &msgs};
        struct tfs_fsck_result res;
        rc = tfs_fsck(x->dev, &fo, &res);
        if (rc)
            return mismatch(x, "fsck after unmount: %d problems\n%s", rc, msgs.buf);
    }
    if (mount_vol(x))
        return -1;
    return opx_check(x);
}

int opx_init(struct opx *x, struct tfs_dev *dev, const struct opx_src *src)
{
    memset(x, 0, sizeof(*x));
    x->dev = dev;
    x->src = *src;
    x->max_off = 256u << 10;
    x->clk.ns = 1700000000LL * 1000000000LL;
    x->fsck_on_remount = true;
    snprintf(x->desc, sizeof(x->desc), "format");
    struct tfs_format_opts fo = {.label = "model", .now = tfskit_ns_time(x->clk.ns),
                                 .root_mode = 0755};
    int rc = tfs_format(dev, &fo);
    if (rc)
        return mismatch(x, "tfs_format: %s", strerror(-rc));
    x->m = model_new(0755, 0, 0, x->clk.ns);
    x->m->max_file_size = TFS_MAX_FILE_SIZE;
    map_set(x, MODEL_ROOT, TFS_ROOT_INO);
    if (mount_vol(x))
        return -1;
    return opx_check(x);
}

static unsigned pick_kind(struct opx *x)
{
    unsigned total = 0;
    for (unsigned k = 0; k < OPX_NKINDS; k++)
        total += weights[k];
    unsigned r = (unsigned)draw(x, total);
    for (unsigned k = 0; k < OPX_NKINDS; k++) {
        if (r < weights[k])
            return k;
        r -= weights[k];
    }
    return K_GETATTR;
}

int opx_step(struct opx *x)
{
    if (x->failed || !x->vol)
        return -1;
    x->nops++;
    x->clk.ns += draw(x, 8) ? 1 + (int64_t)draw(x, 2000000000) : 0;
    unsigned k = pick_kind(x);
    x->counts[k]++;
    x->kind = k;
    switch (k) {
    case K_CREATE: case K_MKDIR: case K_MKNOD: return op_create(x, k);
    case K_SYMLINK: return op_symlink(x);
    case K_LINK: return op_link(x);
    case K_UNLINK: return op_remove(x, false);
    case K_RMDIR: return op_remove(x, true);
    case K_RENAME: return op_rename(x);
    case K_WRITE: return op_write(x, true);
    case K_PWRITE: return op_write(x, false);
    case K_READ: return op_read(x);
    case K_TRUNCATE: return op_truncate(x);
    case K_FALLOCATE: return op_fallocate(x);
    case K_CHMOD: case K_CHOWN: case K_UTIMENS: return op_setattr(x, k);
    case K_SETXATTR: return op_setxattr(x);
    case K_GETXATTR: return op_getxattr(x);
    case K_LISTXATTR: return op_listxattr(x);
    case K_RMXATTR: return op_rmxattr(x);
    case K_LOOKUP: return op_lookup(x);
    case K_READDIR: return op_readdir(x);
    case K_FSYNC: case K_FDATASYNC: case K_SYNC: return op_sync(x, k);
    case K_BADTIME: return op_badtime(x);
    case K_REMOUNT:
        describe(x, "remount");
        return opx_remount(x);
    default: return op_getattr(x);
    }
}

void opx_fini(struct opx *x)
{
    if (x->vol)
        tfs_unmount(x->vol);
    x->vol = NULL;
    model_free(x->m);
    x->m = NULL;
    free(x->map);
    x->map = NULL;
}
