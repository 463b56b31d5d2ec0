/*
 * tfskit.c - kernel heap setup, file and recording devices, clocks, the volume walker.
 */
#include "tools/tfskit/tfskit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/lib/alloc.h"
#include "hal_hosted/hosted.h"

/* ---- kernel heap ---------------------------------------------------------------------------- */

static bool kernel_up;

static size_t env_size(const char *name, size_t dflt)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return dflt;
    char *end;
    unsigned long long n = strtoull(v, &end, 0);
    switch (*end) {
    case 'G': case 'g': n <<= 10; /* fall through */
    case 'M': case 'm': n <<= 10; /* fall through */
    case 'K': case 'k': n <<= 10; break;
    default: break;
    }
    return n ? (size_t)n : dflt;
}

int tfskit_kernel_init(size_t ram_bytes)
{
    struct hal_boot_info info;
    if (kernel_up)
        return 0;
    if (!ram_bytes)
        ram_bytes = env_size("PETREL_TOOL_RAM", 256u << 20);
    int rc = hosted_ram_init(ram_bytes, &info);
    if (rc)
        return rc;
    page_init(&info);
    kernel_up = true;
    return 0;
}

void tfskit_kernel_fini(void)
{
    if (kernel_up)
        hosted_ram_fini();
    kernel_up = false;
}

/* ---- file device ------------------------------------------------------------------------------ */

static int file_rw(struct tfs_dev *dev, uint64_t block, uint32_t n, void *buf, bool wr)
{
    struct tfskit_filedev *f = dev->priv;
    if (block > dev->nblocks || n > dev->nblocks - block)
        return -EIO;
    size_t len = (size_t)n * TFS_BLOCK_SIZE, done = 0;
    off_t off = (off_t)(block * TFS_BLOCK_SIZE);
    while (done < len) {
        ssize_t r = wr ? pwrite(f->fd, (char *)buf + done, len - done, off + (off_t)done)
                       : pread(f->fd, (char *)buf + done, len - done, off + (off_t)done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -EIO;
        done += (size_t)r;
    }
    return 0;
}

static int file_read(struct tfs_dev *dev, uint64_t block, uint32_t n, void *buf)
{
    return file_rw(dev, block, n, buf, false);
}

static int file_write(struct tfs_dev *dev, uint64_t block, uint32_t n, const void *buf)
{
    if (dev->read_only)
        return -EROFS;
    return file_rw(dev, block, n, (void *)buf, true);
}

static int file_flush(struct tfs_dev *dev)
{
    struct tfskit_filedev *f = dev->priv;
    if (f->nosync)
        return 0;
    return fdatasync(f->fd) ? -EIO : 0;
}

static const struct tfs_dev_ops file_ops = {file_read, file_write, file_flush};

int tfskit_filedev_open(struct tfskit_filedev *f, const char *path, unsigned flags,
                        uint64_t size)
{
    memset(f, 0, sizeof(*f));
    bool ro = flags & TFSKIT_OPEN_RDONLY;
    int oflags = ro ? O_RDONLY : O_RDWR;
    if (flags & TFSKIT_OPEN_CREATE)
        oflags |= O_CREAT | O_TRUNC;
    f->fd = open(path, oflags | O_CLOEXEC, 0644);
    if (f->fd < 0)
        return -errno;
    if ((flags & TFSKIT_OPEN_CREATE) && ftruncate(f->fd, (off_t)size) != 0) {
        int e = -errno;
        close(f->fd);
        return e;
    }
    off_t end = lseek(f->fd, 0, SEEK_END);
    if (end < 0) {
        int e = -errno;
        close(f->fd);
        return e;
    }
    f->dev.ops = &file_ops;
    f->dev.nblocks = (uint64_t)end / TFS_BLOCK_SIZE;
    f->dev.read_only = ro;
    f->dev.priv = f;
    return 0;
}

int tfskit_filedev_close(struct tfskit_filedev *f)
{
    int rc = 0;
    if (!f->dev.read_only && fsync(f->fd) != 0)
        rc = -errno;
    if (close(f->fd) != 0 && rc == 0)
        rc = -errno;
    f->fd = -1;
    return rc;
}

/* ---- recording device ---------------------------------------------------------------------- */

static bool rec_fail(struct tfskit_recdev *r)
{
    r->ops++;
    return r->fail_at && r->ops >= r->fail_at;
}

static int rec_read(struct tfs_dev *dev, uint64_t block, uint32_t n, void *buf)
{
    struct tfskit_recdev *r = dev->priv;
    r->reads++;
    return r->lower->ops->read(r->lower, block, n, buf);
}

static int rec_write(struct tfs_dev *dev, uint64_t block, uint32_t n, const void *buf)
{
    struct tfskit_recdev *r = dev->priv;
    if (block > dev->nblocks || n > dev->nblocks - block) {
        fprintf(stderr, "recdev: write of blocks [%llu,+%u) past the device end %llu\n",
                (unsigned long long)block, n, (unsigned long long)dev->nblocks);
        return -EIO;
    }
    if (rec_fail(r))
        return -EIO;
    r->writes++;
    int rc = r->lower->ops->write(r->lower, block, n, buf);
    if (rc == 0 && r->recording)
        wlog_write(r->log, block * TFS_BLOCK_SIZE, buf, (size_t)n * TFS_BLOCK_SIZE);
    return rc;
}

static int rec_flush(struct tfs_dev *dev)
{
    struct tfskit_recdev *r = dev->priv;
    if (rec_fail(r))
        return -EIO;
    r->flushes++;
    int rc = r->lower->ops->flush(r->lower);
    if (rc == 0 && r->recording)
        wlog_flush(r->log);
    return rc;
}

static const struct tfs_dev_ops rec_ops = {rec_read, rec_write, rec_flush};

void tfskit_recdev_init(struct tfskit_recdev *r, struct tfs_dev *lower, struct wlog *log)
{
    memset(r, 0, sizeof(*r));
    r->dev.ops = &rec_ops;
    r->dev.nblocks = lower->nblocks;
    r->dev.read_only = lower->read_only;
    r->dev.priv = r;
    r->lower = lower;
    r->log = log;
}

/* ---- clocks and reports ----------------------------------------------------------------------- */

int64_t tfskit_time_ns(struct tfs_time t)
{
    return t.sec * 1000000000LL + t.nsec;
}

struct tfs_time tfskit_ns_time(int64_t ns)
{
    struct tfs_time t = {ns / 1000000000LL, (uint32_t)(ns % 1000000000LL)};
    if (ns < 0 && t.nsec) {
        t.sec--;
        t.nsec = (uint32_t)(ns % 1000000000LL + 1000000000LL);
    }
    return t;
}

void tfskit_clock_read(void *arg, struct tfs_time *now)
{
    *now = tfskit_ns_time(((struct tfskit_clock *)arg)->ns);
}

void tfskit_clock_real(void *arg, struct tfs_time *now)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    now->sec = ts.tv_sec;
    now->nsec = (uint32_t)ts.tv_nsec;
}

void tfskit_report_stderr(void *arg, const char *msg)
{
    fprintf(stderr, "%s%s\n", arg ? (const char *)arg : "", msg);
}

void tfskit_report_collect(void *arg, const char *msg)
{
    struct tfskit_msgs *m = arg;
    m->count++;
    if (m->len + 2 < sizeof(m->buf)) {
        int n = snprintf(m->buf + m->len, sizeof(m->buf) - m->len, "%s\n", msg);
        if (n > 0)
            m->len += (size_t)n < sizeof(m->buf) - m->len ? (size_t)n : sizeof(m->buf) - m->len - 1;
    }
}

/* ---- walker ------------------------------------------------------------------------------------ */

struct names {
    char **name;
    uint64_t *ino;
    size_t n, cap;
};

static int collect(void *arg, const char *name, size_t namelen, uint64_t ino, unsigned dtype,
                   uint64_t next)
{
    struct names *ns = arg;
    if ((namelen == 1 && name[0] == '.') || (namelen == 2 && name[0] == '.' && name[1] == '.'))
        return 0;
    if (ns->n == ns->cap) {
        ns->cap = ns->cap ? 2 * ns->cap : 16;
        ns->name = realloc(ns->name, ns->cap * sizeof(*ns->name));
        ns->ino = realloc(ns->ino, ns->cap * sizeof(*ns->ino));
        if (!ns->name || !ns->ino)
            abort();
    }
    ns->name[ns->n] = malloc(namelen + 1);
    if (!ns->name[ns->n])
        abort();
    memcpy(ns->name[ns->n], name, namelen);
    ns->name[ns->n][namelen] = 0;
    ns->ino[ns->n++] = ino;
    return 0;
}

static void names_free(struct names *ns)
{
    for (size_t i = 0; i < ns->n; i++)
        free(ns->name[i]);
    free(ns->name);
    free(ns->ino);
}

struct walk {
    struct tfs_vol *vol;
    struct snap *s;
    struct tfskit_walk_limits lim;
    uint64_t *dirs; /* directories entered, for loop detection */
    size_t ndirs, capdirs;
    char *err;
    size_t errlen;
};

static int fail(struct walk *w, int rc, const char *fmt, ...)
{
    if (w->err && w->errlen) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(w->err, w->errlen, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < w->errlen)
            snprintf(w->err + n, w->errlen - (size_t)n, ": %s", strerror(-rc));
    }
    return rc;
}

static int read_xattrs(struct walk *w, uint64_t ino, struct snap_entry *e)
{
    int n = tfs_listxattr(w->vol, ino, NULL, 0);
    if (n < 0)
        return fail(w, n, "%s: listxattr", e->path);
    if (n == 0)
        return 0;
    char *list = malloc((size_t)n);
    int rc = tfs_listxattr(w->vol, ino, list, (size_t)n);
    if (rc < 0) {
        free(list);
        return fail(w, rc, "%s: listxattr", e->path);
    }
    uint8_t *val = malloc(TFS_XATTR_SIZE_MAX);
    for (int k = 0; k < rc && rc >= 0;) {
        const char *name = list + k;
        size_t nl = strnlen(name, (size_t)(rc - k));
        if ((int)nl == rc - k) {
            rc = fail(w, -EUCLEAN, "%s: listxattr without NUL", e->path);
            break;
        }
        int vl = tfs_getxattr(w->vol, ino, name, val, TFS_XATTR_SIZE_MAX);
        if (vl < 0) {
            rc = fail(w, vl, "%s: getxattr %s", e->path, name);
            break;
        }
        snap_add_xattr(e, name, val, (size_t)vl);
        k += (int)nl + 1;
    }
    free(val);
    free(list);
    return rc < 0 ? rc : 0;
}

static int read_file(struct walk *w, uint64_t ino, uint64_t size, uint8_t **out, size_t *len)
{
    uint64_t want = size;
    if (w->lim.max_data && want > w->lim.max_data)
        want = w->lim.max_data;
    uint8_t *buf = malloc(want ? (size_t)want : 1);
    if (!buf)
        return -ENOMEM;
    uint64_t got = 0;
    while (got < want) {
        size_t chunk = want - got > (1u << 20) ? (1u << 20) : (size_t)(want - got);
        int64_t r = tfs_read(w->vol, ino, got, buf + got, chunk);
        if (r < 0) {
            free(buf);
            return (int)r;
        }
        if (r == 0)
            break; /* short: the size check below reports it */
        got += (uint64_t)r;
    }
    *out = buf;
    *len = (size_t)got;
    return 0;
}

static int walk_dir(struct walk *w, uint64_t dir, const char *path, unsigned depth);

static int walk_entry(struct walk *w, uint64_t ino, const char *path, unsigned depth)
{
    struct tfs_attr a;
    int rc = tfs_getattr(w->vol, ino, &a);
    if (rc)
        return fail(w, rc, "%s: getattr of inode %llu", path, (unsigned long long)ino);
    uint8_t *data = NULL;
    size_t dlen = 0;
    char *target = NULL;
    uint32_t type = a.mode & TFS_S_IFMT;
    if (type == TFS_S_IFREG) {
        rc = read_file(w, ino, a.size, &data, &dlen);
        if (rc)
            return fail(w, rc, "%s: read", path);
    } else if (type == TFS_S_IFLNK) {
        target = malloc(TFS_PATH_MAX + 1);
        rc = tfs_readlink(w->vol, ino, target, TFS_PATH_MAX);
        if (rc < 0) {
            free(target);
            return fail(w, rc, "%s: readlink", path);
        }
        target[rc < (int)TFS_PATH_MAX ? rc : (int)TFS_PATH_MAX] = 0;
        rc = 0;
    }
    struct snap_entry *e = snap_add(w->s, path, data, dlen, target);
    tfskit_attr_to_entry(&a, e);
    if (type == TFS_S_IFREG && dlen != a.size && !(w->lim.max_data && dlen == w->lim.max_data))
        rc = fail(w, -EUCLEAN, "%s: size %llu but %zu bytes read", path,
                  (unsigned long long)a.size, dlen);
    free(data);
    free(target);
    if (rc == 0)
        rc = read_xattrs(w, ino, e);
    if (rc == 0 && type == TFS_S_IFDIR)
        rc = walk_dir(w, ino, path, depth + 1);
    return rc;
}

static int walk_dir(struct walk *w, uint64_t dir, const char *path, unsigned depth)
{
    if (depth > (w->lim.max_depth ? w->lim.max_depth : 4096))
        return fail(w, -ELOOP, "%s: deeper than the walk limit", path);
    for (size_t i = 0; i < w->ndirs; i++)
        if (w->dirs[i] == dir)
            return fail(w, -ELOOP, "%s: directory inode %llu reached twice", path,
                        (unsigned long long)dir);
    if (w->ndirs == w->capdirs) {
        w->capdirs = w->capdirs ? 2 * w->capdirs : 64;
        w->dirs = realloc(w->dirs, w->capdirs * sizeof(*w->dirs));
        if (!w->dirs)
            abort();
    }
    w->dirs[w->ndirs++] = dir;
    struct names ns = {0};
    uint64_t cookie = 0;
    int rc = tfs_readdir(w->vol, dir, &cookie, collect, &ns);
    if (rc)
        rc = fail(w, rc, "%s: readdir", path);
    for (size_t i = 0; i < ns.n && rc == 0; i++) {
        if (w->lim.max_entries && w->s->n >= w->lim.max_entries)
            break;
        size_t n = strlen(path) + strlen(ns.name[i]) + 2;
        char *p = malloc(n);
        snprintf(p, n, "%s%s%s", path, strcmp(path, "/") ? "/" : "", ns.name[i]);
        rc = walk_entry(w, ns.ino[i], p, depth);
        free(p);
    }
    names_free(&ns);
    return rc;
}

void tfskit_attr_to_entry(const struct tfs_attr *a, struct snap_entry *e)
{
    e->id = a->ino;
    e->mode = a->mode;
    e->uid = a->uid;
    e->gid = a->gid;
    e->nlink = a->nlink;
    e->size = a->size;
    e->atime = tfskit_time_ns(a->atime);
    e->mtime = tfskit_time_ns(a->mtime);
    e->ctime = tfskit_time_ns(a->ctime);
}

int tfskit_snap_tfs(struct tfs_vol *vol, struct snap *s, const struct tfskit_walk_limits *lim,
                    char *err, size_t errlen)
{
    struct walk w = {.vol = vol, .s = s, .err = err, .errlen = errlen};
    if (lim)
        w.lim = *lim;
    if (err && errlen)
        err[0] = 0;
    snap_init(s);
    int rc = walk_entry(&w, TFS_ROOT_INO, "/", 0);
    free(w.dirs);
    snap_finish(s);
    return rc;
}
