/*
 * snap.c - flat tree pictures and their comparison (see snap.h).
 */
#include "tools/tfskit/snap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        abort();
    return p;
}

static char *xstrdup(const char *s)
{
    return s ? strcpy(xmalloc(strlen(s) + 1), s) : NULL;
}

void snap_init(struct snap *s)
{
    memset(s, 0, sizeof(*s));
}

void snap_free(struct snap *s)
{
    for (size_t i = 0; i < s->n; i++) {
        struct snap_entry *e = &s->e[i];
        free(e->path);
        free(e->data);
        free(e->target);
        for (size_t k = 0; k < e->nxattrs; k++) {
            free(e->xattrs[k].name);
            free(e->xattrs[k].value);
        }
        free(e->xattrs);
    }
    free(s->e);
    snap_init(s);
}

struct snap_entry *snap_add(struct snap *s, const char *path, const uint8_t *data,
                            size_t datalen, const char *target)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->e = realloc(s->e, s->cap * sizeof(*s->e));
        if (!s->e)
            abort();
    }
    struct snap_entry *e = &s->e[s->n++];
    memset(e, 0, sizeof(*e));
    e->path = xstrdup(path);
    if (data) {
        e->data = xmalloc(datalen);
        memcpy(e->data, data, datalen);
    }
    e->target = xstrdup(target);
    return e;
}

void snap_add_xattr(struct snap_entry *e, const char *name, const void *value, size_t len)
{
    e->xattrs = realloc(e->xattrs, (e->nxattrs + 1) * sizeof(*e->xattrs));
    if (!e->xattrs)
        abort();
    struct snap_xattr *x = &e->xattrs[e->nxattrs++];
    x->name = xstrdup(name);
    x->value = xmalloc(len);
    memcpy(x->value, value, len);
    x->len = len;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const struct snap_entry *)a)->path, ((const struct snap_entry *)b)->path);
}

static int cmp_xattr(const void *a, const void *b)
{
    return strcmp(((const struct snap_xattr *)a)->name, ((const struct snap_xattr *)b)->name);
}

void snap_finish(struct snap *s)
{
    qsort(s->e, s->n, sizeof(*s->e), cmp_entry);
    /* Renumber ids 1, 2, 3... by first appearance in path order. */
    uint64_t *from = xmalloc(s->n * sizeof(*from));
    size_t nfrom = 0;
    for (size_t i = 0; i < s->n; i++) {
        struct snap_entry *e = &s->e[i];
        size_t k;
        e->ino = e->id;
        for (k = 0; k < nfrom && from[k] != e->id; k++)
            ;
        if (k == nfrom)
            from[nfrom++] = e->id;
        e->id = k + 1;
        if (e->nxattrs > 1)
            qsort(e->xattrs, e->nxattrs, sizeof(*e->xattrs), cmp_xattr);
    }
    free(from);
}

const struct snap_entry *snap_find(const struct snap *s, const char *path)
{
    struct snap_entry key = {.path = (char *)path};
    return bsearch(&key, s->e, s->n, sizeof(*s->e), cmp_entry);
}

static void model_walk(const struct model *m, uint32_t ino, const char *path, struct snap *s)
{
    const struct model_inode *i = model_inode(m, ino);
    bool reg = (i->mode & MODEL_S_IFMT) == MODEL_S_IFREG;
    struct snap_entry *e = snap_add(s, path, reg ? i->data : NULL, reg ? i->size : 0, i->target);
    e->id = ino;
    e->mode = i->mode;
    e->uid = i->uid;
    e->gid = i->gid;
    e->nlink = i->nlink;
    e->size = i->size;
    e->atime = i->atime;
    e->mtime = i->mtime;
    e->ctime = i->ctime;
    for (size_t k = 0; k < i->nxattrs; k++)
        snap_add_xattr(e, i->xattrs[k].name, i->xattrs[k].value, i->xattrs[k].len);
    for (size_t k = 0; k < i->nents; k++) {
        size_t n = strlen(path) + strlen(i->ents[k].name) + 2;
        char *p = xmalloc(n);
        snprintf(p, n, "%s%s%s", path, strcmp(path, "/") ? "/" : "", i->ents[k].name);
        model_walk(m, i->ents[k].ino, p, s);
        free(p);
    }
}

void snap_from_model(const struct model *m, struct snap *s)
{
    snap_init(s);
    model_walk(m, MODEL_ROOT, "/", s);
    snap_finish(s);
}

void snap_print_entry(const struct snap_entry *e)
{
    fprintf(stderr, "    %s: id %llu mode %o uid %u gid %u nlink %u size %llu mtime %lld ctime "
            "%lld atime %lld%s%s xattrs %zu\n",
            e->path, (unsigned long long)e->id, e->mode, e->uid, e->gid, e->nlink, (unsigned long long)e->size,
            (long long)e->mtime, (long long)e->ctime, (long long)e->atime,
            e->target ? " -> " : "", e->target ? e->target : "", e->nxattrs);
}

static bool differ(const char *what, const struct snap_entry *a, const struct snap_entry *b,
                   const char *field)
{
    if (!what)
        return false;
    fprintf(stderr, "%s: %s differs at %s\n  want:\n", what, field, a ? a->path : b->path);
    if (a)
        snap_print_entry(a);
    fprintf(stderr, "  got:\n");
    if (b)
        snap_print_entry(b);
    return false;
}

static bool data_equal(const struct snap_entry *a, const struct snap_entry *b, const char *what)
{
    if (!a->data || !b->data)
        return a->data == b->data || a->size == 0;
    if (memcmp(a->data, b->data, a->size) == 0)
        return true;
    size_t k = 0;
    while (a->data[k] == b->data[k])
        k++;
    if (!what)
        return false;
    fprintf(stderr, "%s: data of %s differs first at byte %zu (want 0x%02x got 0x%02x)\n", what,
            a->path, k, a->data[k], b->data[k]);
    return false;
}

static bool xattrs_equal(const struct snap_entry *a, const struct snap_entry *b)
{
    if (a->nxattrs != b->nxattrs)
        return false;
    for (size_t k = 0; k < a->nxattrs; k++) {
        const struct snap_xattr *x = &a->xattrs[k], *y = &b->xattrs[k];
        if (strcmp(x->name, y->name) || x->len != y->len || memcmp(x->value, y->value, x->len))
            return false;
    }
    return true;
}

bool snap_entry_equal(const struct snap_entry *a, const struct snap_entry *b, unsigned flags,
                      const char *what)
{
    if ((a->mode & MODEL_S_IFMT) != (b->mode & MODEL_S_IFMT))
        return differ(what, a, b, "type");
    if (a->size != b->size && (a->mode & MODEL_S_IFMT) != MODEL_S_IFDIR)
        return differ(what, a, b, "size");
    if (!(flags & SNAP_CMP_NODATA) && !data_equal(a, b, what))
        return false;
    if ((a->target || b->target) && (!a->target || !b->target || strcmp(a->target, b->target)))
        return differ(what, a, b, "symlink target");
    if ((flags & SNAP_CMP_MODE) && (a->mode != b->mode || a->uid != b->uid || a->gid != b->gid))
        return differ(what, a, b, "mode/uid/gid");
    if ((flags & SNAP_CMP_NLINK) && (a->nlink != b->nlink || a->id != b->id))
        return differ(what, a, b, "nlink or hard-link structure");
    if ((flags & SNAP_CMP_TIMES) && (a->mtime != b->mtime || a->ctime != b->ctime))
        return differ(what, a, b, "mtime/ctime");
    if ((flags & SNAP_CMP_ATIME) && a->atime != b->atime)
        return differ(what, a, b, "atime");
    if ((flags & SNAP_CMP_XATTR) && !xattrs_equal(a, b))
        return differ(what, a, b, "xattrs");
    return true;
}

bool snap_equal(const struct snap *want, const struct snap *got, unsigned flags,
                const char *what)
{
    size_t i = 0, j = 0;
    while (i < want->n || j < got->n) {
        int c = i == want->n ? 1 : j == got->n ? -1 : strcmp(want->e[i].path, got->e[j].path);
        if (c < 0)
            return differ(what, &want->e[i], NULL, "missing entry");
        if (c > 0)
            return differ(what, NULL, &got->e[j], "unexpected entry");
        if (!snap_entry_equal(&want->e[i], &got->e[j], flags, what))
            return false;
        i++;
        j++;
    }
    return true;
}
