/*
 * mkfs - build a TFS image from a manifest and/or host directories (docs/tools.md).
 *
 *   mkfs [-l label] [-s size] [-t "(k:v ...)"] [-r target-root] [-d DIR]... [-f LIST]...
 *        [-m manifest] image [< manifest]
 *
 * Two passes over the same description: a dry pass stats every host file (so a missing one
 * is reported before anything is written) and sizes the image; the write pass formats the
 * image, imports each -d tree, then each -f file list (a stream of records, for trees of any
 * size), then lays the manifest's `children` over it, and stores the
 * root tuple less `children` and `imagesize` (the kernel's configuration) as the xattr
 * TOOLS_CONFIG_XATTR of the root directory. The tree is not stored there: the volume is the
 * tree, the kernel never reads it from the configuration, and a tree of thousands of files
 * (a Python runtime) would not fit in one xattr (TFS_XATTR_SIZE_MAX) nor be worth parsing at
 * every boot. Last, the volume is compacted: the boot's mount then replays one checkpoint (a
 * few 64 KiB records, one INODE, its EXTENTs and one LINK per file) instead of the thousands
 * of small records the import logged. On any error the half-built image is removed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "core/config/config.h"
#include "core/lib/alloc.h"
#include "tools/tfskit/tfskit.h"
#include "tools/tools.h"

struct mk {
    bool dry;
    const char *root;   /* -r target root, or NULL */
    const char *image;
    struct tfs_vol *vol;
    /* dry-pass totals */
    uint64_t data_blocks, entries, files, dirs, links;
    /* host hard links seen in -d trees: (dev, ino) -> tfs inode */
    struct hl { dev_t dev; ino_t ino; uint64_t tino; } *hl;
    size_t nhl;
    uint64_t size;      /* image bytes */
    bool size_given;
};

static int err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int err(const char *fmt, ...)
{
    va_list ap;
    fputs("mkfs: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return -1;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: mkfs [-l label] [-s size] [-t \"(k:v ...)\"] [-r target-root] [-d DIR]...\n"
            "            [-f LIST]... [-m manifest] image [< manifest]\n"
            "  -l label   volume label (at most %u bytes)\n"
            "  -s size    image size in bytes, K/M/G/T suffixes (default: content + headroom)\n"
            "  -t tuple   merge these tuples into the manifest's root tuple\n"
            "  -r root    resolve every host path of the manifest inside this directory\n"
            "  -d DIR     import DIR's whole tree (files, dirs, symlinks, modes, owners, mtimes)\n"
            "             into /; may be repeated; manifest entries win over imported ones\n"
            "  -f LIST    add the entries of a file list (NUL-separated records: F/guest\\0host\\0,\n"
            "             L/guest\\0target\\0, D/guest\\0), after -d, before the manifest's\n"
            "  -m FILE    read the manifest from FILE instead of standard input\n",
            TFS_LABEL_MAX);
}

/* An error from a tfs call: ENOSPC becomes the "image too small" message. */
static int tfs_err(struct mk *mk, const char *what, const char *path, int rc)
{
    if (rc == -ENOSPC)
        return err("image too small: %s %s: no space left in %llu bytes (give a larger -s)",
                   what, path, (unsigned long long)mk->size);
    return err("%s %s: %s", what, path, strerror(-rc));
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    if (!p)
        abort();
    snprintf(p, n, "%s%s%s", a, (a[0] && a[strlen(a) - 1] == '/') ? "" : "/", b);
    return p;
}

static bool name_ok(const char *name, size_t len)
{
    return len > 0 && len <= TFS_NAME_MAX && !memchr(name, '/', len) &&
           !memchr(name, 0, len) && strcmp(name, ".") && strcmp(name, "..");
}

/* ---- writing one node --------------------------------------------------------------------- */

static int set_attrs(struct mk *mk, uint64_t ino, const struct stat *st, const char *path,
                     bool owner)
{
    struct tfs_attr a = {0};
    unsigned mask = TFS_SET_ATIME | TFS_SET_MTIME;
    a.atime = (struct tfs_time){st->st_atim.tv_sec, (uint32_t)st->st_atim.tv_nsec};
    a.mtime = (struct tfs_time){st->st_mtim.tv_sec, (uint32_t)st->st_mtim.tv_nsec};
    if (!S_ISLNK(st->st_mode)) {
        a.mode = st->st_mode & 07777;
        mask |= TFS_SET_MODE;
    }
    if (owner) {
        a.uid = st->st_uid;
        a.gid = st->st_gid;
        mask |= TFS_SET_UID | TFS_SET_GID;
    }
    int rc = tfs_setattr(mk->vol, ino, &a, mask);
    return rc ? tfs_err(mk, "setting attributes of", path, rc) : 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* Copy a host file's bytes into ino; all-zero blocks stay holes. */
static int copy_data(struct mk *mk, uint64_t ino, const char *host, const char *path)
{
    int fd = open(host, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err("%s: host file '%s': %s", path, host, strerror(errno));
    enum { CHUNK = 1 << 20 };
    uint8_t *buf = malloc(CHUNK);
    uint64_t off = 0;
    int rc = 0;
    for (;;) {
        ssize_t n = read(fd, buf, CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = err("%s: reading host file '%s': %s", path, host, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        for (size_t b = 0; b < (size_t)n && rc == 0;) {
            size_t e = b;
            while (e < (size_t)n && !all_zero(buf + e, (size_t)n - e < TFS_BLOCK_SIZE
                                                          ? (size_t)n - e : TFS_BLOCK_SIZE))
                e += TFS_BLOCK_SIZE;
            if (e > (size_t)n)
                e = (size_t)n;
            if (e > b) {
                int64_t w = tfs_write(mk->vol, ino, off + b, buf + b, e - b);
                if (w < 0)
                    rc = tfs_err(mk, "writing", path, (int)w);
                b = e;
            } else {
                b += TFS_BLOCK_SIZE;
            }
        }
        off += (uint64_t)n;
        if (rc)
            break;
    }
    free(buf);
    close(fd);
    if (rc == 0) {
        int t = tfs_truncate(mk->vol, ino, off); /* trailing holes */
        if (t)
            rc = tfs_err(mk, "sizing", path, t);
    }
    return rc;
}

/* Remove what an earlier -d put at name, unless both are directories (returned in *ino). */
static int make_room(struct mk *mk, uint64_t dir, const char *name, bool want_dir,
                     const char *path, uint64_t *ino)
{
    uint64_t old;
    struct tfs_attr a;
    *ino = 0;
    if (tfs_lookup(mk->vol, dir, name, strlen(name), &old) != 0)
        return 0;
    int rc = tfs_getattr(mk->vol, old, &a);
    if (rc)
        return tfs_err(mk, "looking at", path, rc);
    bool is_dir = (a.mode & TFS_S_IFMT) == TFS_S_IFDIR;
    if (is_dir && want_dir) {
        *ino = old;
        return 0;
    }
    if (is_dir)
        return err("%s: would replace a directory imported with -d", path);
    rc = tfs_unlink(mk->vol, dir, name, strlen(name));
    return rc ? tfs_err(mk, "replacing", path, rc) : 0;
}

static int node_file(struct mk *mk, uint64_t dir, const char *name, const char *path,
                     const char *host, const struct stat *st, bool owner, uint64_t *out)
{
    mk->files++;
    mk->entries++;
    mk->data_blocks += ((uint64_t)st->st_size + TFS_BLOCK_SIZE - 1) / TFS_BLOCK_SIZE;
    if (mk->dry)
        return 0;
    uint64_t ino;
    int rc = make_room(mk, dir, name, false, path, &ino);
    if (rc)
        return rc;
    uint32_t mode = S_ISREG(st->st_mode) ? TFS_S_IFREG : (st->st_mode & S_IFMT);
    rc = tfs_create(mk->vol, dir, name, strlen(name), mode | (st->st_mode & 07777), 0, 0,
                    S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode) ? st->st_rdev : 0, &ino);
    if (rc)
        return tfs_err(mk, "creating", path, rc);
    if (S_ISREG(st->st_mode) && (rc = copy_data(mk, ino, host, path)))
        return rc;
    if (out)
        *out = ino;
    return set_attrs(mk, ino, st, path, owner);
}

static int node_symlink(struct mk *mk, uint64_t dir, const char *name, const char *path,
                        const char *target, const struct stat *st, bool owner)
{
    mk->links++;
    mk->entries++;
    size_t tl = strlen(target);
    if (tl == 0 || tl >= TFS_PATH_MAX)
        return err("%s: symlink target must be 1..%u bytes", path, TFS_PATH_MAX - 1);
    if (mk->dry)
        return 0;
    uint64_t ino;
    int rc = make_room(mk, dir, name, false, path, &ino);
    if (rc)
        return rc;
    rc = tfs_symlink(mk->vol, dir, name, strlen(name), target, tl, owner ? st->st_uid : 0,
                     owner ? st->st_gid : 0, &ino);
    if (rc)
        return tfs_err(mk, "creating symlink", path, rc);
    return st ? set_attrs(mk, ino, st, path, owner) : 0;
}

static int node_dir(struct mk *mk, uint64_t dir, const char *name, const char *path,
                    uint32_t mode, uint64_t *ino)
{
    mk->dirs++;
    mk->entries++;
    if (mk->dry)
        return 0;
    int rc = make_room(mk, dir, name, true, path, ino);
    if (rc || *ino)
        return rc;
    rc = tfs_create(mk->vol, dir, name, strlen(name), TFS_S_IFDIR | mode, 0, 0, 0, ino);
    return rc ? tfs_err(mk, "creating directory", path, rc) : 0;
}

/* ---- -d: a host tree ------------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int import_tree(struct mk *mk, const char *host, uint64_t dir, const char *path);

static int import_entry(struct mk *mk, const char *host, uint64_t dir, const char *name,
                        const char *path)
{
    struct stat st;
    if (lstat(host, &st) != 0)
        return err("-d: '%s': %s", host, strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        uint64_t ino = 0;
        int rc = node_dir(mk, dir, name, path, st.st_mode & 07777, &ino);
        if (rc == 0)
            rc = import_tree(mk, host, ino, path);
        if (rc == 0 && !mk->dry)
            rc = set_attrs(mk, ino, &st, path, true); /* after the children touched mtime */
        return rc;
    }
    if (S_ISLNK(st.st_mode)) {
        char target[TFS_PATH_MAX];
        ssize_t n = readlink(host, target, sizeof(target) - 1);
        if (n < 0)
            return err("-d: readlink '%s': %s", host, strerror(errno));
        target[n] = 0;
        return node_symlink(mk, dir, name, path, target, &st, true);
    }
    if (S_ISSOCK(st.st_mode)) {
        fprintf(stderr, "mkfs: -d: skipping socket '%s'\n", host);
        return 0;
    }
    if (S_ISREG(st.st_mode) && st.st_nlink > 1) {
        for (size_t i = 0; i < mk->nhl; i++) {
            if (mk->hl[i].dev == st.st_dev && mk->hl[i].ino == st.st_ino) {
                mk->entries++;
                int rc = mk->dry ? 0 : tfs_link(mk->vol, mk->hl[i].tino, dir, name,
                                                strlen(name));
                return rc ? tfs_err(mk, "linking", path, rc) : 0;
            }
        }
    }
    uint64_t ino = 0;
    int rc = node_file(mk, dir, name, path, host, &st, true, &ino);
    if (rc == 0 && S_ISREG(st.st_mode) && st.st_nlink > 1) {
        mk->hl = realloc(mk->hl, (mk->nhl + 1) * sizeof(*mk->hl));
        mk->hl[mk->nhl++] = (struct hl){st.st_dev, st.st_ino, ino};
    }
    return rc;
}

static int import_tree(struct mk *mk, const char *host, uint64_t dir, const char *path)
{
    DIR *d = opendir(host);
    if (!d)
        return err("-d: '%s': %s", host, strerror(errno));
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        names = realloc(names, (n + 1) * sizeof(*names));
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), cmp_str);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (rc == 0) {
            char *h = join(host, names[i]), *p = join(path, names[i]);
            if (!name_ok(names[i], strlen(names[i])))
                rc = err("-d: '%s': name longer than %u bytes", h, TFS_NAME_MAX);
            else
                rc = import_entry(mk, h, dir, names[i], p);
            free(h);
            free(p);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

/* ---- the manifest's children ------------------------------------------------------------------ */

static int parse_octal(const struct config_value *v, const char *path, uint32_t *mode)
{
    const char *s = config_string(v);
    char *end;
    if (!s || !*s)
        return err("%s: mode must be an octal string", path);
    unsigned long m = strtoul(s, &end, 8);
    if (*end || m > 07777)
        return err("%s: mode '%s' is not an octal mode (0..7777)", path, s);
    *mode = (uint32_t)m;
    return 0;
}

/* Per-entry mode/uid/gid keys applied over the defaults in st. */
static int entry_overrides(const struct config_value *v, const char *path, struct stat *st)
{
    const struct config_value *m = config_get(v, "mode");
    uint64_t n;
    if (m) {
        uint32_t mode = 0;
        if (parse_octal(m, path, &mode))
            return -1;
        st->st_mode = (st->st_mode & S_IFMT) | mode;
    }
    const char *keys[2] = {"uid", "gid"};
    for (int k = 0; k < 2; k++) {
        const struct config_value *id = config_get(v, keys[k]);
        if (!id)
            continue;
        if (config_string_to_u64(id, &n) || n > UINT32_MAX)
            return err("%s: %s must be a number", path, keys[k]);
        if (k == 0)
            st->st_uid = (uid_t)n;
        else
            st->st_gid = (gid_t)n;
    }
    return 0;
}

static char *host_path(struct mk *mk, const char *p)
{
    if (!mk->root)
        return strdup(p);
    return join(mk->root, p[0] == '/' ? p + 1 : p);
}

static int put_children(struct mk *mk, const struct config_value *children, uint64_t dir,
                        const char *path);

static int put_file(struct mk *mk, const struct config_value *v,
                    const struct config_value *contents, uint64_t dir, const char *name,
                    const char *path)
{
    const char *h = config_get_string(contents, "host");
    if (!h)
        return err("%s: contents must be (host:PATH)", path);
    char *host = host_path(mk, h);
    struct stat st;
    int rc = 0;
    if (stat(host, &st) != 0)
        rc = err("%s: host file '%s': %s", path, host, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = err("%s: host file '%s' is not a regular file (use children or -d)", path, host);
    if (rc == 0) {
        st.st_uid = st.st_gid = 0; /* manifest files belong to root unless uid/gid say */
        rc = entry_overrides(v, path, &st);
    }
    if (rc == 0)
        rc = node_file(mk, dir, name, path, host, &st, true, NULL);
    free(host);
    return rc;
}

static int put_entry(struct mk *mk, const struct config_value *v, uint64_t dir,
                     const char *name, const char *path)
{
    if (!config_is_tuple(v))
        return err("%s: expected a tuple with contents, children or linktarget", path);
    const struct config_value *contents = config_get(v, "contents");
    const struct config_value *children = config_get(v, "children");
    const struct config_value *link = config_get(v, "linktarget");
    if (!!contents + !!children + !!link != 1)
        return err("%s: needs exactly one of contents, children or linktarget", path);
    if (contents)
        return put_file(mk, v, contents, dir, name, path);
    struct stat st = {0};
    clock_gettime(CLOCK_REALTIME, &st.st_mtim);
    st.st_atim = st.st_mtim;
    if (link) {
        if (!config_is_string(link))
            return err("%s: linktarget must be a string", path);
        st.st_mode = S_IFLNK | 0777;
        if (entry_overrides(v, path, &st))
            return -1;
        return node_symlink(mk, dir, name, path, config_string(link), &st, true);
    }
    if (!config_is_tuple(children))
        return err("%s: children must be a tuple", path);
    st.st_mode = S_IFDIR | 0755;
    if (entry_overrides(v, path, &st))
        return -1;
    uint64_t ino = 0;
    int rc = node_dir(mk, dir, name, path, st.st_mode & 07777, &ino);
    if (rc == 0)
        rc = put_children(mk, children, ino, path);
    if (rc == 0 && !mk->dry && (config_get(v, "mode") || config_get(v, "uid") ||
                                config_get(v, "gid")))
        rc = set_attrs(mk, ino, &st, path, true);
    return rc;
}

static int put_children(struct mk *mk, const struct config_value *children, uint64_t dir,
                        const char *path)
{
    for (size_t i = 0; i < config_count(children); i++) {
        const struct config_string *k = config_key_at(children, i);
        char *p = join(path, k->data);
        int rc = name_ok(k->data, k->len)
                     ? put_entry(mk, config_at(children, i), dir, k->data, p)
                     : err("%s: bad file name (1..%u bytes, no '/', not . or ..)", p,
                           TFS_NAME_MAX);
        free(p);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- -f: a file list --------------------------------------------------------------------------- */

/*
 * A tree too large to write as a manifest (a Python with its site-packages: tens of thousands
 * of files) comes as a stream of records, read one at a time, twice (the dry pass, then the
 * write pass), so no file count or text size limit applies and nothing is parsed whole:
 *
 *   F<guest path>\0<host path>\0   a regular file with the host file's bytes, mode and times
 *   L<guest path>\0<target>\0      a symbolic link
 *   D<guest path>\0                a directory (0755)
 *
 * Guest paths are absolute; a missing parent directory is made (0755). NUL ends each field,
 * so any byte but NUL may be in a name, as in `find -print0`. Owners are 0:0, as manifest
 * entries. A later record replaces an earlier file at the same path; directories merge.
 */
struct list {
    FILE *f;
    const char *name;
    unsigned long rec;       /* 1-based number of the record being read */
    char *a, *b;             /* its fields */
    size_t acap, bcap;
    char *pdir;              /* the parent path last resolved, and its inode (write pass) */
    uint64_t pino;
};

/* One NUL-terminated field into *buf: 0, 1 at the clean end of the list, -1 on an error. */
static int list_field(struct list *l, char **buf, size_t *cap, bool first)
{
    errno = 0;
    ssize_t n = getdelim(buf, cap, '\0', l->f);
    if (n < 0 && !errno && !ferror(l->f) && first)
        return 1;
    if (n < 0 && (errno || ferror(l->f)))
        return err("-f %s: reading record %lu: %s", l->name, l->rec,
                   strerror(errno ? errno : EIO));
    if (n <= 0 || (*buf)[n - 1] != '\0')
        return err("-f %s: record %lu is cut short (each field ends with a NUL byte)",
                   l->name, l->rec);
    return 0;
}

/* The directory that holds path's last component (made when missing), and that name. */
static int list_parent(struct mk *mk, struct list *l, const char *path, uint64_t *dir,
                       const char **name)
{
    const char *slash = strrchr(path, '/');
    size_t plen = (size_t)(slash - path);
    *name = slash + 1;
    if (mk->dry)
        return 0;
    if (l->pdir && strlen(l->pdir) == plen && !memcmp(l->pdir, path, plen)) {
        *dir = l->pino;
        return 0;
    }
    uint64_t ino = TFS_ROOT_INO;
    for (const char *c = path + 1; c < slash;) {
        size_t n = strcspn(c, "/");
        uint64_t next;
        struct tfs_attr a;
        int rc = tfs_lookup(mk->vol, ino, c, n, &next);
        if (rc == -ENOENT && (rc = tfs_create(mk->vol, ino, c, n, TFS_S_IFDIR | 0755, 0, 0, 0,
                                              &next)) == 0)
            mk->dirs++, mk->entries++;
        else if (rc == 0 && (rc = tfs_getattr(mk->vol, next, &a)) == 0 &&
                 (a.mode & TFS_S_IFMT) != TFS_S_IFDIR)
            return err("%s: a parent of it is not a directory in the image", path);
        if (rc)
            return tfs_err(mk, "making the parent of", path, rc);
        ino = next;
        c += n + 1;
    }
    free(l->pdir);
    l->pdir = strndup(path, plen);
    l->pino = ino;
    *dir = ino;
    return 0;
}

/* A guest path: absolute, each component a valid name (no empty, . or .. components). */
static int list_check_path(const struct list *l, const char *path)
{
    if (path[0] != '/' || !path[1])
        return err("-f %s: record %lu: '%s' is not an absolute path below /", l->name,
                   l->rec, path);
    for (const char *c = path + 1;;) {
        size_t n = strcspn(c, "/");
        if (!name_ok(c, n) || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
            return err("-f %s: record %lu: '%s': bad component (1..%u bytes, not . or .., "
                       "no //, no trailing /)", l->name, l->rec, path, TFS_NAME_MAX);
        if (!c[n])
            return 0;
        c += n + 1;
    }
}

static int list_record(struct mk *mk, struct list *l, char type)
{
    const char *path = l->a + 1, *name;
    uint64_t dir = 0, ino = 0;
    struct stat st = {0};
    int rc = list_check_path(l, path);
    if (rc == 0)
        rc = list_parent(mk, l, path, &dir, &name);
    if (rc)
        return rc;
    if (type == 'D')
        return node_dir(mk, dir, name, path, 0755, &ino);
    clock_gettime(CLOCK_REALTIME, &st.st_mtim);
    st.st_atim = st.st_mtim;
    if (type == 'L') {
        st.st_mode = S_IFLNK | 0777;
        return node_symlink(mk, dir, name, path, l->b, &st, true);
    }
    char *host = host_path(mk, l->b);
    if (stat(host, &st) != 0)
        rc = err("%s: host file '%s': %s", path, host, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = err("%s: host file '%s' is not a regular file", path, host);
    st.st_uid = st.st_gid = 0;
    if (rc == 0)
        rc = node_file(mk, dir, name, path, host, &st, true, NULL);
    free(host);
    return rc;
}

/* The list is read twice (the dry pass, the write pass): a regular file, not a pipe. */
static int open_list(struct list *l, const char *name)
{
    struct stat st;
    l->name = name;
    l->f = fopen(name, "r");
    if (!l->f)
        return err("-f %s: %s", name, strerror(errno));
    if (fstat(fileno(l->f), &st) != 0 || !S_ISREG(st.st_mode))
        return err("-f %s: not a regular file (the list is read twice: give a file)", name);
    return 0;
}

static int put_list(struct mk *mk, struct list *l)
{
    int rc = 0;
    if (fseeko(l->f, 0, SEEK_SET) != 0)
        return err("-f %s: %s", l->name, strerror(errno));
    free(l->pdir);
    l->pdir = NULL;
    for (l->rec = 1; rc == 0; l->rec++) {
        int end = list_field(l, &l->a, &l->acap, true);
        if (end)
            return end > 0 ? 0 : -1;
        char type = l->a[0];
        if (type != 'F' && type != 'L' && type != 'D')
            return err("-f %s: record %lu: unknown type '%c' (F, L or D, then the path)",
                       l->name, l->rec, type);
        if (type != 'D' && list_field(l, &l->b, &l->bcap, false))
            return -1;
        rc = list_record(mk, l, type);
    }
    return rc;
}

/* ---- the manifest text -------------------------------------------------------------------- */

static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (n == cap) {
            if (cap > CONFIG_MAX_INPUT) {
                free(buf);
                return NULL;
            }
            buf = realloc(buf, cap *= 2);
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    *len = n;
    return buf;
}

/* True when text holds only whitespace and comments. */
static bool blank(const char *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (t[i] == '#')
            while (i < n && t[i] != '\n')
                i++;
        else if (t[i] != ' ' && t[i] != '\t' && t[i] != '\r' && t[i] != '\n')
            return false;
    }
    return true;
}

static struct config_value *parse_text(const char *src, const char *text, size_t len)
{
    struct config_value *v = NULL;
    struct config_error e = {0};
    if (blank(text, len))
        text = "()", len = 2;
    int rc = config_parse(text, len, &v, &e);
    if (rc) {
        err("%s:%u:%u: %s", src, e.line, e.column, e.message ? e.message : strerror(-rc));
        return NULL;
    }
    if (!config_is_tuple(v)) {
        err("%s: the manifest must be a tuple: ( ... )", src);
        config_free(v);
        return NULL;
    }
    return v;
}

static struct config_value *load_manifest(const char *file, const char *tuples)
{
    FILE *f = file && strcmp(file, "-") ? fopen(file, "r") : stdin;
    const char *src = file && strcmp(file, "-") ? file : "<stdin>";
    if (!f) {
        err("manifest '%s': %s", file, strerror(errno));
        return NULL;
    }
    size_t len;
    char *text = read_all(f, &len);
    if (f != stdin)
        fclose(f);
    if (!text) {
        err("%s: larger than %u bytes", src, CONFIG_MAX_INPUT);
        return NULL;
    }
    struct config_value *root = parse_text(src, text, len);
    free(text);
    if (root && tuples) {
        struct config_value *t = parse_text("-t", tuples, strlen(tuples));
        int rc = t ? config_merge(root, t) : -1;
        if (t && rc)
            err("-t: cannot merge: %s", strerror(-rc));
        config_free(t);
        if (rc) {
            config_free(root);
            return NULL;
        }
    }
    return root;
}

/* ---- the two passes ----------------------------------------------------------------------------- */

struct job {
    const char *dirs[64];
    int ndirs;
    struct list lists[64];
    int nlists;
    const struct config_value *children;
};

static int describe(struct mk *mk, struct job *job)
{
    for (int i = 0; i < job->ndirs; i++) {
        struct stat st;
        if (stat(job->dirs[i], &st) != 0 || !S_ISDIR(st.st_mode))
            return err("-d: '%s': %s", job->dirs[i],
                       errno ? strerror(errno) : "not a directory");
        if (import_tree(mk, job->dirs[i], TFS_ROOT_INO, "/"))
            return -1;
        if (i == 0 && !mk->dry && set_attrs(mk, TFS_ROOT_INO, &st, "/", true))
            return -1;
    }
    for (int i = 0; i < job->nlists; i++)
        if (put_list(mk, &job->lists[i]))
            return -1;
    if (job->children) {
        if (!config_is_tuple(job->children))
            return err("/: children must be a tuple");
        if (put_children(mk, job->children, TFS_ROOT_INO, "/"))
            return -1;
    }
    return 0;
}

static int store_config(struct mk *mk, const struct config_value *root)
{
    char *text;
    size_t len;
    int rc = config_print_alloc(root, 0, &text, &len);
    if (rc)
        return err("printing the configuration: %s", strerror(-rc));
    if (len > TFS_XATTR_SIZE_MAX)
        rc = err("the configuration is %zu bytes; at most %u fit", len, TFS_XATTR_SIZE_MAX);
    else if (!mk->dry && (rc = tfs_setxattr(mk->vol, TFS_ROOT_INO, TOOLS_CONFIG_XATTR, text,
                                             len, 0)))
        rc = tfs_err(mk, "storing", "the configuration", rc);
    kfree(text);
    return rc;
}

static uint64_t auto_size(const struct mk *mk)
{
    uint64_t need = mk->data_blocks * TFS_BLOCK_SIZE + mk->entries * 1024 + (4u << 20);
    need += need / 4;
    return (need + (1u << 20) - 1) & ~(uint64_t)((1u << 20) - 1);
}

/*
 * The top-level keys something reads (docs/manifest.md, section 2): the kernel's, mkfs's own
 * and the ones kept for tests. A key that is not here is stored and read by nobody, which is
 * most often a typo: warn with the nearest known key. Add a key here when the kernel starts
 * reading it (qemu.petrel_messages checks every config_get*(..., "key") in core/ is listed).
 */
static const char *const known_keys[] = {
    "program", "arguments", "environment", "cwd", "children", "debugsyscalls", "loglevel",
    "fault", "imagesize", "noaslr", "exec_protection", "tmpfs_size", "expected_exit_code",
    "syscall_summary", "missing_files", "futex_trace", "terminal",
    /* the network (net/netcfg.c): one tuple per NIC, and en1's keys at the root too */
    "en1", "en2", "en3", "en4", "ipaddr", "netmask", "gateway", "ip6addr", "mtu", "default",
    "exec_wait_for_ip4_secs", "exec_wait_for_ip6_secs",
};

/* Levenshtein distance, at most 64 bytes of each (longer keys are never near). */
static unsigned distance(const char *a, const char *b)
{
    unsigned row[65], la = (unsigned)strnlen(a, 64), lb = (unsigned)strnlen(b, 64);

    for (unsigned j = 0; j <= lb; j++)
        row[j] = j;
    for (unsigned i = 1; i <= la; i++) {
        unsigned diag = row[0];
        row[0] = i;
        for (unsigned j = 1; j <= lb; j++) {
            unsigned up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[lb];
}

static void check_keys(const struct config_value *root)
{
    for (size_t i = 0; i < config_count(root); i++) {
        const struct config_string *key = config_key_at(root, i);
        const char *near = NULL;
        unsigned best = 4;
        char name[65];

        if (!key)
            continue;
        snprintf(name, sizeof(name), "%.*s", (int)(key->len < 64 ? key->len : 64), key->data);
        for (size_t k = 0; k < sizeof(known_keys) / sizeof(known_keys[0]); k++) {
            unsigned d = distance(name, known_keys[k]);
            if (d == 0 && key->len == strlen(known_keys[k]))
                break;
            if (d < best)
                best = d, near = known_keys[k];
            if (k + 1 == sizeof(known_keys) / sizeof(known_keys[0]))
                fprintf(stderr, "mkfs: warning: manifest key '%s' is read by nothing%s%s%s\n",
                        name, near ? " (did you mean '" : "", near ? near : "",
                        near ? "'?)" : "");
        }
    }
}

/* The program the manifest names must be in the image: each component is looked up in the
 * fresh volume (a symbolic link on the way stops the check: the kernel resolves it). */
static int check_program(struct mk *mk, const struct config_value *root)
{
    const struct config_value *v = config_get(root, "program");
    const char *path = v && config_is_string(v) ? config_string(v) : NULL;
    uint64_t ino = TFS_ROOT_INO;

    if (!path)
        return 0;
    for (const char *c = path; *c;) {
        size_t n = strcspn(c, "/");
        struct tfs_attr a;
        int rc;

        if (n == 0) {
            c++;
            continue;
        }
        rc = tfs_lookup(mk->vol, ino, c, n, &ino);
        if (rc == -ENOENT || rc == -ENOTDIR)
            return err("program %s is not in the image (no %.*s): add it under children, "
                       "or with -d", path, (int)(c + n - path), path);
        if (rc)
            return tfs_err(mk, "looking up", path, rc);
        if (tfs_getattr(mk->vol, ino, &a) == 0 && (a.mode & TFS_S_IFMT) == TFS_S_IFLNK)
            return 0;
        c += n;
    }
    return 0;
}

static int write_image(struct mk *mk, struct job *job, const struct config_value *root,
                       const char *label)
{
    struct tfskit_filedev fdev;
    int rc = tfskit_filedev_open(&fdev, mk->image, TFSKIT_OPEN_CREATE, mk->size);
    if (rc)
        return err("%s: %s", mk->image, strerror(-rc));
    fdev.nosync = true;
    struct tfs_format_opts fo = {.label = label, .root_mode = 0755};
    if (getrandom(fo.uuid, sizeof(fo.uuid), 0) != sizeof(fo.uuid))
        return err("getrandom: %s", strerror(errno));
    tfskit_clock_real(NULL, &fo.now);
    rc = tfs_format(&fdev.dev, &fo);
    if (rc) {
        tfskit_filedev_close(&fdev);
        return rc == -EINVAL ? err("image too small or bad label: tfs_format: %s",
                                   strerror(-rc))
                             : err("formatting %s: %s", mk->image, strerror(-rc));
    }
    struct tfs_mount_opts mo = {.clock = tfskit_clock_real, .report = tfskit_report_stderr,
                                .report_arg = "mkfs: mount: "};
    rc = tfs_mount(&fdev.dev, &mo, &mk->vol);
    if (rc) {
        tfskit_filedev_close(&fdev);
        return err("mounting the fresh image: %s", strerror(-rc));
    }
    mk->dry = false;
    mk->files = mk->dirs = mk->links = mk->entries = mk->data_blocks = 0;
    mk->nhl = 0; /* the dry pass saw the host links but made no inodes */
    rc = describe(mk, job);
    if (rc == 0)
        rc = check_program(mk, root);
    if (rc == 0)
        rc = store_config(mk, root);
    if (rc == 0 && (rc = tfs_compact(mk->vol)))
        rc = tfs_err(mk, "compacting", mk->image, rc);
    int urc = tfs_unmount(mk->vol);
    mk->vol = NULL;
    if (rc == 0 && urc)
        rc = tfs_err(mk, "committing", mk->image, urc);
    int crc = tfskit_filedev_close(&fdev);
    if (rc == 0 && crc)
        rc = err("%s: %s", mk->image, strerror(-crc));
    return rc;
}

static int parse_size(const char *s, uint64_t *out)
{
    struct config_value *v = config_new_cstring(s);
    int rc = v ? config_string_to_size(v, out) : -ENOMEM;
    config_free(v);
    if (rc)
        return err("-s '%s': not a size (bytes with an optional K, M, G or T suffix)", s);
    return 0;
}

static int size_image(struct mk *mk, const struct config_value *imagesize)
{
    uint64_t min = (uint64_t)TFS_MIN_BLOCKS * TFS_BLOCK_SIZE;
    uint64_t floor = mk->data_blocks * TFS_BLOCK_SIZE + min;
    if (!mk->size_given && imagesize) {
        if (config_string_to_size(imagesize, &mk->size))
            return err("imagesize: not a size");
        mk->size_given = true;
        if (mk->size < auto_size(mk))
            mk->size = auto_size(mk); /* imagesize is a minimum, as in Nanos */
    }
    if (!mk->size_given)
        mk->size = auto_size(mk);
    mk->size &= ~(uint64_t)(TFS_BLOCK_SIZE - 1);
    if (mk->size < floor)
        return err("image too small: %llu bytes, the content needs at least %llu "
                   "(%llu data blocks plus the filesystem's minimum of %u blocks)",
                   (unsigned long long)mk->size, (unsigned long long)floor,
                   (unsigned long long)mk->data_blocks, TFS_MIN_BLOCKS);
    return 0;
}

int main(int argc, char **argv)
{
    struct mk mk = {0};
    struct job job = {0};
    const char *label = NULL, *tuples = NULL, *mfile = NULL;
    int c, rc = tfskit_kernel_init(0); /* the config library (-s, the manifest) needs it */
    if (rc)
        return err("cannot set up the kernel heap: %s", strerror(-rc)), 1;
    while ((c = getopt(argc, argv, "l:s:t:r:d:f:m:h")) != -1) {
        switch (c) {
        case 'l': label = optarg; break;
        case 's': if (parse_size(optarg, &mk.size)) return 1; mk.size_given = true; break;
        case 't': tuples = optarg; break;
        case 'r': mk.root = optarg; break;
        case 'd':
            if (job.ndirs == 64)
                return err("-d: at most 64 directories"), 1;
            job.dirs[job.ndirs++] = optarg;
            break;
        case 'f':
            if (job.nlists == 64)
                return err("-f: at most 64 lists"), 1;
            if (open_list(&job.lists[job.nlists++], optarg))
                return 1;
            break;
        case 'm': mfile = optarg; break;
        default: usage(); return 2;
        }
    }
    if (optind != argc - 1) {
        usage();
        return 2;
    }
    mk.image = argv[optind];
    if (label && strlen(label) > TFS_LABEL_MAX)
        return err("label '%s' is longer than %u bytes", label, TFS_LABEL_MAX), 1;
    struct config_value *root = load_manifest(mfile, tuples);
    if (!root)
        return 1;
    check_keys(root);
    struct config_value *imagesize = config_take(root, "imagesize");
    struct config_value *stored = config_clone(root);
    if (!stored)
        return err("out of memory"), 1;
    config_free(config_take(stored, "children")); /* the volume is the tree (store_config) */
    job.children = config_get(root, "children");
    mk.dry = true;
    rc = describe(&mk, &job);
    if (rc == 0)
        rc = store_config(&mk, stored);
    if (rc == 0)
        rc = size_image(&mk, imagesize);
    if (rc == 0) {
        rc = write_image(&mk, &job, stored, label);
        if (rc)
            unlink(mk.image);
    }
    if (rc == 0)
        printf("mkfs: %s: %llu bytes, %llu files, %llu directories, %llu symlinks, "
               "%llu data blocks\n", mk.image, (unsigned long long)mk.size,
               (unsigned long long)mk.files, (unsigned long long)mk.dirs,
               (unsigned long long)mk.links, (unsigned long long)mk.data_blocks);
    config_free(stored);
    config_free(imagesize);
    config_free(root);
    free(mk.hl);
    for (int i = 0; i < job.nlists; i++) {
        fclose(job.lists[i].f);
        free(job.lists[i].a);
        free(job.lists[i].b);
        free(job.lists[i].pdir);
    }
    return rc ? 1 : 0;
}
