/*
 * dump - print a TFS image's volume facts, stored configuration and tree; -x extracts it.
 *
 *   dump [-x DIR] image
 *
 * Output (docs/tools.md): a header (uuid, label, sizes), "configuration:" with the stored
 * root tuple pretty-printed, then "tree:" with one line per entry in path order:
 *   <mode string> <uid> <gid> <size> <mtime YYYY-mm-dd HH:MM:SS.nnnnnnnnn> <path>[ -> target]
 * -x DIR writes the tree below DIR (created when missing): contents, modes, mtimes/atimes,
 * owners when run as root, hard links as links, fifos; device nodes only as root.
 * The image is mounted read-only: dump never writes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "core/config/config.h"
#include "core/lib/alloc.h"
#include "tools/tfskit/tfskit.h"
#include "tools/tools.h"

struct dump {
    struct tfs_vol *vol;
    const char *xdir;
    int rc;
    struct seen { uint64_t ino; char *path; } *seen; /* hard links already extracted */
    size_t nseen;
};

static void mode_string(uint32_t mode, char out[11])
{
    static const char types[] = "?pc?d?b?-?l?s???";
    out[0] = types[(mode >> 12) & 15];
    const char *rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; i++)
        out[1 + i] = (mode & (0400u >> i)) ? rwx[i] : '-';
    if (mode & 04000)
        out[3] = (mode & 0100) ? 's' : 'S';
    if (mode & 02000)
        out[6] = (mode & 010) ? 's' : 'S';
    if (mode & 01000)
        out[9] = (mode & 01) ? 't' : 'T';
    out[10] = 0;
}

static void print_time(struct tfs_time t)
{
    time_t s = (time_t)t.sec;
    struct tm tm;
    char buf[32];
    gmtime_r(&s, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
    printf("%s.%09u", buf, t.nsec);
}

static int fail(struct dump *d, const char *path, const char *what, int rc)
{
    fprintf(stderr, "dump: %s: %s: %s\n", path, what, strerror(rc < 0 ? -rc : rc));
    d->rc = 1;
    return -1;
}

/* ---- extraction ----------------------------------------------------------------------------- */

static int extract_file(struct dump *d, uint64_t ino, const struct tfs_attr *a,
                        const char *host, const char *path)
{
    int fd = open(host, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return fail(d, host, "create", errno);
    enum { CHUNK = 1 << 20 };
    char *buf = malloc(CHUNK);
    int rc = 0;
    for (uint64_t off = 0; off < a->size && rc == 0;) {
        int64_t n = tfs_read(d->vol, ino, off, buf, CHUNK);
        if (n <= 0) {
            rc = fail(d, path, "read", n < 0 ? (int)n : EIO);
            break;
        }
        if (pwrite(fd, buf, (size_t)n, (off_t)off) != n)
            rc = fail(d, host, "write", errno);
        off += (uint64_t)n;
    }
    if (rc == 0 && ftruncate(fd, (off_t)a->size) != 0) /* trailing holes */
        rc = fail(d, host, "truncate", errno);
    free(buf);
    close(fd);
    return rc;
}

static void extract_attrs(struct dump *d, const struct tfs_attr *a, const char *host)
{
    uint32_t type = a->mode & TFS_S_IFMT;
    if (geteuid() == 0 && lchown(host, a->uid, a->gid) != 0)
        fail(d, host, "chown", errno);
    if (type != TFS_S_IFLNK && chmod(host, a->mode & 07777) != 0)
        fail(d, host, "chmod", errno);
    struct timespec ts[2] = {{a->atime.sec, a->atime.nsec}, {a->mtime.sec, a->mtime.nsec}};
    if (utimensat(AT_FDCWD, host, ts, AT_SYMLINK_NOFOLLOW) != 0)
        fail(d, host, "utimensat", errno);
}

/* Create the node (not a directory's children); 1 when it was a hard link already made. */
static int extract_node(struct dump *d, uint64_t ino, const struct tfs_attr *a,
                        const char *host, const char *path)
{
    uint32_t type = a->mode & TFS_S_IFMT;
    if (type != TFS_S_IFDIR && a->nlink > 1) {
        for (size_t i = 0; i < d->nseen; i++)
            if (d->seen[i].ino == ino)
                return link(d->seen[i].path, host) ? fail(d, host, "link", errno) : 1;
        d->seen = realloc(d->seen, (d->nseen + 1) * sizeof(*d->seen));
        d->seen[d->nseen++] = (struct seen){ino, strdup(host)};
    }
    switch (type) {
    case TFS_S_IFDIR:
        if (mkdir(host, 0700) != 0 && errno != EEXIST)
            return fail(d, host, "mkdir", errno);
        return 0;
    case TFS_S_IFREG:
        return extract_file(d, ino, a, host, path);
    case TFS_S_IFLNK: {
        char target[TFS_PATH_MAX];
        int n = tfs_readlink(d->vol, ino, target, sizeof(target) - 1);
        if (n < 0)
            return fail(d, path, "readlink", n);
        target[n] = 0;
        return symlink(target, host) ? fail(d, host, "symlink", errno) : 0;
    }
    case TFS_S_IFIFO:
        return mkfifo(host, 0600) ? fail(d, host, "mkfifo", errno) : 0;
    default:
        if (mknod(host, type | 0600, (dev_t)a->rdev) != 0)
            fprintf(stderr, "dump: %s: skipped (mknod: %s)\n", host, strerror(errno));
        return 0;
    }
}

/* ---- the walk -------------------------------------------------------------------------------- */

struct names {
    char **v;
    uint64_t *ino;
    size_t n;
};

static int collect(void *arg, const char *name, size_t len, uint64_t ino, unsigned dtype,
                   uint64_t next)
{
    struct names *ns = arg;
    if ((len == 1 && name[0] == '.') || (len == 2 && !memcmp(name, "..", 2)))
        return 0;
    ns->v = realloc(ns->v, (ns->n + 1) * sizeof(*ns->v));
    ns->ino = realloc(ns->ino, (ns->n + 1) * sizeof(*ns->ino));
    ns->v[ns->n] = strndup(name, len);
    ns->ino[ns->n++] = ino;
    return 0;
}

static void sort_names(struct names *ns)
{
    for (size_t i = 1; i < ns->n; i++) /* insertion sort keeps ino paired with name */
        for (size_t j = i; j > 0 && strcmp(ns->v[j - 1], ns->v[j]) > 0; j--) {
            char *t = ns->v[j];
            ns->v[j] = ns->v[j - 1];
            ns->v[j - 1] = t;
            uint64_t u = ns->ino[j];
            ns->ino[j] = ns->ino[j - 1];
            ns->ino[j - 1] = u;
        }
}

static void walk(struct dump *d, uint64_t ino, const char *path, const char *host,
                 unsigned depth)
{
    struct tfs_attr a;
    int rc = tfs_getattr(d->vol, ino, &a);
    if (rc) {
        fail(d, path, "getattr", rc);
        return;
    }
    char ms[11];
    mode_string(a.mode, ms);
    printf("%s %5u %5u %10llu ", ms, a.uid, a.gid, (unsigned long long)a.size);
    print_time(a.mtime);
    printf(" %s", path);
    if ((a.mode & TFS_S_IFMT) == TFS_S_IFLNK) {
        char target[TFS_PATH_MAX];
        int n = tfs_readlink(d->vol, ino, target, sizeof(target) - 1);
        if (n >= 0)
            printf(" -> %.*s", n, target);
    }
    putchar('\n');
    int made = host ? extract_node(d, ino, &a, host, path) : 0;
    if ((a.mode & TFS_S_IFMT) == TFS_S_IFDIR && made == 0) {
        if (depth > 4096) {
            fail(d, path, "walk", ELOOP);
            return;
        }
        struct names ns = {0};
        uint64_t cookie = 0;
        rc = tfs_readdir(d->vol, ino, &cookie, collect, &ns);
        if (rc)
            fail(d, path, "readdir", rc);
        sort_names(&ns);
        for (size_t i = 0; i < ns.n; i++) {
            size_t pl = strlen(path) + strlen(ns.v[i]) + 2;
            char *p = malloc(pl), *h = NULL;
            snprintf(p, pl, "%s%s%s", path, strcmp(path, "/") ? "/" : "", ns.v[i]);
            if (host) {
                size_t hl = strlen(host) + strlen(ns.v[i]) + 2;
                h = malloc(hl);
                snprintf(h, hl, "%s/%s", host, ns.v[i]);
            }
            walk(d, ns.ino[i], p, h, depth + 1);
            free(p);
            free(h);
            free(ns.v[i]);
        }
        free(ns.v);
        free(ns.ino);
    }
    if (host && made == 0)
        extract_attrs(d, &a, host); /* directories after their children */
}

static void print_config(struct dump *d)
{
    char *buf = malloc(TFS_XATTR_SIZE_MAX + 1);
    int n = tfs_getxattr(d->vol, TFS_ROOT_INO, TOOLS_CONFIG_XATTR, buf, TFS_XATTR_SIZE_MAX);
    printf("configuration:\n");
    if (n == -ENODATA) {
        printf("    (none stored)\n");
    } else if (n < 0) {
        fail(d, "/", "reading the configuration", n);
    } else {
        struct config_value *v = NULL;
        struct config_error e = {0};
        char *text;
        size_t len;
        if (config_parse(buf, (size_t)n, &v, &e) == 0 &&
            config_print_alloc(v, CONFIG_PRINT_PRETTY, &text, &len) == 0) {
            printf("%s\n", text);
            kfree(text);
        } else {
            printf("    (unparsable at %u:%u: %s) %.*s\n", e.line, e.column,
                   e.message ? e.message : "?", n, buf);
            d->rc = 1;
        }
        config_free(v);
    }
    free(buf);
}

static void print_volume(struct dump *d, const char *image)
{
    struct tfs_statfs st;
    if (tfs_statfs(d->vol, &st) != 0)
        return;
    printf("image: %s\nuuid: ", image);
    for (int i = 0; i < 16; i++)
        printf("%02x%s", st.uuid[i], (i == 3 || i == 5 || i == 7 || i == 9) ? "-" : "");
    printf("\nlabel: %s\nblocks: %llu of %u bytes, %llu free\nfiles: %llu\n"
           "log: %llu blocks, next record %llu, generation %llu\n",
           st.label, (unsigned long long)st.blocks, st.block_size,
           (unsigned long long)st.free_blocks, (unsigned long long)st.files,
           (unsigned long long)st.log_blocks, (unsigned long long)st.log_seq,
           (unsigned long long)st.generation);
}

int main(int argc, char **argv)
{
    struct dump d = {0};
    int c;
    while ((c = getopt(argc, argv, "x:h")) != -1) {
        switch (c) {
        case 'x': d.xdir = optarg; break;
        default:
            fprintf(stderr, "usage: dump [-x DIR] image\n");
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "usage: dump [-x DIR] image\n");
        return 2;
    }
    const char *image = argv[optind];
    int rc = tfskit_kernel_init(0);
    if (rc)
        return fprintf(stderr, "dump: kernel heap: %s\n", strerror(-rc)), 1;
    struct tfskit_filedev fdev;
    rc = tfskit_filedev_open(&fdev, image, TFSKIT_OPEN_RDONLY, 0);
    if (rc)
        return fprintf(stderr, "dump: %s: %s\n", image, strerror(-rc)), 1;
    struct tfs_mount_opts mo = {.read_only = true, .clock = tfskit_clock_real,
                                .report = tfskit_report_stderr, .report_arg = "dump: "};
    rc = tfs_mount(&fdev.dev, &mo, &d.vol);
    if (rc) {
        fprintf(stderr, "dump: %s: cannot mount: %s\n", image, strerror(-rc));
        tfskit_filedev_close(&fdev);
        return 1;
    }
    print_volume(&d, image);
    print_config(&d);
    printf("tree:\n");
    if (d.xdir && mkdir(d.xdir, 0755) != 0 && errno != EEXIST)
        fail(&d, d.xdir, "mkdir", errno);
    walk(&d, TFS_ROOT_INO, "/", d.xdir && d.rc == 0 ? d.xdir : NULL, 0);
    tfs_unmount(d.vol);
    tfskit_filedev_close(&fdev);
    for (size_t i = 0; i < d.nseen; i++)
        free(d.seen[i].path);
    free(d.seen);
    return d.rc;
}
