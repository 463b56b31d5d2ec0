/*
 * petrel_memo.c - the staging memo: a cached run skips staging when nothing it read changed
 * (petrel_memo.h, docs/petrel-run.md "The staging memo").
 *
 * Staging python3 reads the ELF header of each of the ~2,000 files of its tree and every
 * library of its 40 extension modules (petrel_runtime.c, petrel_deps.c): 0.3-0.6 s on every
 * run. The memo records what staging produced (the tree, the program's guest path, the lines
 * it said) with the stat of every host path staging depended on: each file and directory it
 * staged and the directories holding them, the library search directories and ld.so.cache, PATH's
 * directories. Like git's index, a run re-stats those paths (a few ms) and replays the memo
 * when each still has the same device, inode, mode, size, mtime and ctime (nanoseconds);
 * any difference, a path that appeared or vanished, and staging runs again. A file changed
 * in place changes its mtime and ctime (even with the same size); a file added, removed or
 * renamed in a directory changes that directory's. A path whose mtime or ctime is not older
 * than the staging's start by PM_RACY_NS is "racily clean" (a later change in the same clock
 * tick could keep its stamp): the memo is not written, so the next run stages again.
 *
 * File: "petrel-stage-memo 1\n", then NUL-terminated fields: the program, the count of
 * said lines and each line, the count of paths and per path its name and its stat as
 * "dev ino mode size mtime_ns ctime_ns" in hex (all 0: absent), then the tree in mkfs's
 * file-list format (the rest of the file). Written to a temporary file and renamed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tools/petrel_memo.h"

#define PM_MAGIC "petrel-stage-memo 1\n"
#define PM_RACY_NS 2000000000LL /* 2 s: more than any filesystem's timestamp granularity */

struct pm_stat {
    unsigned long long dev, ino, mode, size, mtime, ctime;
};

static char **paths; /* recorded, deduplicated through a hash set of indices */
static size_t npaths, pcap;
static size_t *pset, pset_cap; /* open addressing: index + 1, 0 empty */
static char **lines;
static size_t nlines;
static bool recording;

static void oom(void)
{
    perror("petrel");
    exit(125);
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p)
        oom();
    return p;
}

static size_t str_hash(const char *s)
{
    size_t h = 0xcbf29ce484222325ULL;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

static bool set_add(const char *s)
{
    if ((npaths + 1) * 2 > pset_cap) { /* grow and rehash */
        size_t ncap = pset_cap ? pset_cap * 2 : 1024;
        size_t *ns = calloc(ncap, sizeof(*ns));

        if (!ns)
            oom();
        for (size_t i = 0; i < pset_cap; i++)
            if (pset[i]) {
                size_t j = str_hash(paths[pset[i] - 1]) & (ncap - 1);
                while (ns[j])
                    j = (j + 1) & (ncap - 1);
                ns[j] = pset[i];
            }
        free(pset);
        pset = ns;
        pset_cap = ncap;
    }
    size_t j = str_hash(s) & (pset_cap - 1);
    for (; pset[j]; j = (j + 1) & (pset_cap - 1))
        if (strcmp(paths[pset[j] - 1], s) == 0)
            return false;
    if (npaths == pcap)
        paths = xrealloc(paths, (pcap = pcap ? pcap * 2 : 1024) * sizeof(*paths));
    paths[npaths] = strdup(s);
    if (!paths[npaths])
        oom();
    pset[j] = ++npaths;
    return true;
}

void pm_begin(void)
{
    recording = true;
}

void pm_end(void)
{
    recording = false;
}

bool pm_recording(void)
{
    return recording;
}

void pm_note(const char *path)
{
    char *p, *slash;
    size_t n;

    if (!recording || !path || path[0] != '/' || !(p = strdup(path)))
        return;
    n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        p[--n] = '\0';
    /* the path and its directory (what is added to, removed from or renamed in it) */
    set_add(p);
    if (n > 1) {
        slash = strrchr(p, '/');
        p[slash == p ? 1 : (size_t)(slash - p)] = '\0';
        set_add(p);
    }
    free(p);
}

void pm_note_list(const char *list)
{
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ':');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char *d = strndup(p, len);

        pm_note(d);
        free(d);
        p = e ? e + 1 : NULL;
    }
}

void pm_say(const char *line)
{
    if (!recording)
        return;
    lines = xrealloc(lines, (nlines + 1) * sizeof(*lines));
    lines[nlines] = strdup(line);
    if (lines[nlines])
        nlines++;
}

static void stat_of(const char *path, struct pm_stat *s)
{
    struct stat st;

    memset(s, 0, sizeof(*s));
    if (stat(path, &st) != 0)
        return;
    s->dev = st.st_dev;
    s->ino = st.st_ino;
    s->mode = st.st_mode;
    s->size = (unsigned long long)st.st_size;
    s->mtime = (unsigned long long)st.st_mtim.tv_sec * 1000000000ULL + st.st_mtim.tv_nsec;
    s->ctime = (unsigned long long)st.st_ctim.tv_sec * 1000000000ULL + st.st_ctim.tv_nsec;
}

long long pm_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* --- saving and loading -------------------------------------------------------------------- */

int pm_save(const char *file, const char *program, const char *list, size_t list_len,
            long long started_ns)
{
    char *tmp;
    FILE *f;
    int rc = 0;

    recording = false;
    if (asprintf(&tmp, "%s.tmp%d", file, (int)getpid()) < 0)
        return -1;
    if (!(f = fopen(tmp, "wb"))) {
        free(tmp);
        return -1;
    }
    fprintf(f, "%s%s%c%zx%c", PM_MAGIC, program, 0, nlines, 0);
    for (size_t i = 0; i < nlines; i++)
        fprintf(f, "%s%c", lines[i], 0);
    fprintf(f, "%zx%c", npaths, 0);
    for (size_t i = 0; i < npaths && rc == 0; i++) {
        struct pm_stat s;

        stat_of(paths[i], &s);
        if ((long long)s.mtime > started_ns - PM_RACY_NS ||
            (long long)s.ctime > started_ns - PM_RACY_NS)
            rc = 1; /* racily clean: do not trust its stat next time */
        fprintf(f, "%s%c%llx %llx %llx %llx %llx %llx%c", paths[i], 0, s.dev, s.ino, s.mode,
                s.size, s.mtime, s.ctime, 0);
    }
    fwrite(list, 1, list_len, f);
    if (fclose(f) != 0 && rc == 0)
        rc = -1;
    if (rc != 0 || rename(tmp, file) != 0) {
        unlink(tmp);
        rc = rc ? rc : -1;
    }
    free(tmp);
    return rc;
}

/* The next NUL-terminated field of [*p, end), or NULL. */
static const char *field(const char **p, const char *end)
{
    const char *s = *p, *z = memchr(s, 0, (size_t)(end - s));

    if (!z)
        return NULL;
    *p = z + 1;
    return s;
}

static char *read_whole(const char *file, size_t *len)
{
    FILE *f = fopen(file, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0, got;

    if (!f)
        return NULL;
    do {
        if (n == cap)
            buf = xrealloc(buf, (cap = cap ? cap * 2 : 1 << 16) + 1);
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Whether every recorded path of the memo at [*p, end) still has its stat. */
static bool paths_unchanged(const char **p, const char *end, size_t *count)
{
    const char *f = field(p, end);
    unsigned long long n = f ? strtoull(f, NULL, 16) : 0;

    *count = (size_t)n;
    for (unsigned long long i = 0; f && i < n; i++) {
        const char *path = field(p, end), *st = path ? field(p, end) : NULL;
        struct pm_stat want, have;

        if (!st || sscanf(st, "%llx %llx %llx %llx %llx %llx", &want.dev, &want.ino,
                          &want.mode, &want.size, &want.mtime, &want.ctime) != 6)
            return false;
        stat_of(path, &have);
        if (memcmp(&want, &have, sizeof(want)) != 0)
            return false;
    }
    return f != NULL;
}

bool pm_load(const char *file, struct pm_memo *m)
{
    size_t len;
    char *buf = read_whole(file, &len);
    const char *p, *end, *f;
    unsigned long long n;

    memset(m, 0, sizeof(*m));
    if (!buf)
        return false;
    end = buf + len;
    p = buf + strlen(PM_MAGIC);
    if (len < strlen(PM_MAGIC) || memcmp(buf, PM_MAGIC, strlen(PM_MAGIC)) != 0 ||
        !(m->program = field(&p, end)) || !(f = field(&p, end)))
        goto miss;
    n = strtoull(f, NULL, 16);
    m->lines = xrealloc(NULL, (n + 1) * sizeof(*m->lines));
    for (m->nlines = 0; m->nlines < n; m->nlines++)
        if (!(m->lines[m->nlines] = field(&p, end)))
            goto miss;
    if (!paths_unchanged(&p, end, &m->npaths))
        goto miss;
    m->list = p;
    m->list_len = (size_t)(end - p);
    m->buf = buf;
    return true;
miss:
    free(m->lines);
    free(buf);
    memset(m, 0, sizeof(*m));
    return false;
}

void pm_free(struct pm_memo *m)
{
    free(m->lines);
    free(m->buf);
    memset(m, 0, sizeof(*m));
}
