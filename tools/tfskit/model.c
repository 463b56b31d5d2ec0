/*
 * model.c - the reference filesystem (see model.h). Host code: libc, abort() on out-of-memory.
 *
 * Time rules (Linux): creating or removing an entry sets the directory's mtime and ctime;
 * a new inode gets atime = mtime = ctime = now; link/unlink/rename/chmod/chown/xattr changes
 * set the inode's ctime; write, truncate and size-changing fallocate set mtime and ctime.
 */
#include "tools/tfskit/model.h"

#include "tools/tfskit/known.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fprintf(stderr, "model: out of memory\n");
        abort();
    }
    return p;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xrealloc(NULL, n), s, n);
}

static struct model_inode *ino_get(const struct model *m, uint32_t ino)
{
    if (ino == 0 || ino >= m->ninodes || !m->inodes[ino].used)
        return NULL;
    return &m->inodes[ino];
}

const struct model_inode *model_inode(const struct model *m, uint32_t ino)
{
    return ino_get(m, ino);
}

size_t model_count(const struct model *m)
{
    size_t n = 0;
    for (size_t i = 1; i < m->ninodes; i++)
        n += m->inodes[i].used;
    return n;
}

static bool is_dir(const struct model_inode *i)
{
    return (i->mode & MODEL_S_IFMT) == MODEL_S_IFDIR;
}

static bool is_reg(const struct model_inode *i)
{
    return (i->mode & MODEL_S_IFMT) == MODEL_S_IFREG;
}

static uint32_t ino_alloc(struct model *m, uint32_t mode, uint32_t uid, uint32_t gid,
                          int64_t now)
{
    /* Numbers are never reused, so an inode number names one file for the model's life
     * (the crash test matches file contents across states by it). */
    uint32_t n = (uint32_t)m->ninodes;
    m->inodes = xrealloc(m->inodes, (m->ninodes + 1) * sizeof(*m->inodes));
    m->ninodes++;
    struct model_inode *i = &m->inodes[n];
    memset(i, 0, sizeof(*i));
    i->used = true;
    i->mode = mode;
    i->uid = uid;
    i->gid = gid;
    i->nlink = 1;
    i->atime = i->mtime = i->ctime = now;
    return n;
}

static void ino_release(struct model *m, uint32_t n)
{
    struct model_inode *i = &m->inodes[n];
    free(i->data);
    free(i->target);
    for (size_t k = 0; k < i->nents; k++)
        free(i->ents[k].name);
    free(i->ents);
    for (size_t k = 0; k < i->nxattrs; k++) {
        free(i->xattrs[k].name);
        free(i->xattrs[k].value);
    }
    free(i->xattrs);
    memset(i, 0, sizeof(*i));
}

struct model *model_new(uint32_t root_mode, uint32_t uid, uint32_t gid, int64_t now)
{
    struct model *m = xrealloc(NULL, sizeof(*m));
    memset(m, 0, sizeof(*m));
    m->ninodes = 1;
    m->inodes = xrealloc(NULL, sizeof(*m->inodes));
    memset(m->inodes, 0, sizeof(*m->inodes));
    m->max_file_size = UINT64_MAX;
    uint32_t r = ino_alloc(m, MODEL_S_IFDIR | (root_mode & 07777), uid, gid, now);
    m->inodes[r].nlink = 2;
    m->inodes[r].parent = r;
    return m;
}

void model_free(struct model *m)
{
    if (!m)
        return;
    for (size_t n = 1; n < m->ninodes; n++)
        if (m->inodes[n].used)
            ino_release(m, (uint32_t)n);
    free(m->inodes);
    free(m);
}

long model_dir_find(const struct model_inode *dir, const char *name)
{
    for (size_t k = 0; k < dir->nents; k++)
        if (strcmp(dir->ents[k].name, name) == 0)
            return (long)k;
    return -1;
}

bool model_is_ancestor(const struct model *m, uint32_t dir, uint32_t ino)
{
    for (;;) {
        if (ino == dir)
            return true;
        const struct model_inode *i = ino_get(m, ino);
        if (!i || !is_dir(i) || ino == MODEL_ROOT)
            return false;
        ino = i->parent;
    }
}

/* TFS's rule (tfs.h): 1..255 bytes without '/'; the VFS maps "" to -ENOENT itself. */
static int check_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0)
        return -EINVAL;
    if (n > MODEL_NAME_MAX)
        return -ENAMETOOLONG;
    if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
        return -EINVAL;
    return 0;
}

/* Directory inode for an entry operation: -ENOENT (gone), -ENOTDIR. */
static int dir_get(const struct model *m, uint32_t dir, struct model_inode **out)
{
    struct model_inode *d = ino_get(m, dir);
    if (!d)
        return -ENOENT;
    if (!is_dir(d))
        return -ENOTDIR;
    *out = d;
    return 0;
}

/* "." and ".." resolve; a name that cannot exist is simply not there (-ENOENT). */
int model_lookup(const struct model *m, uint32_t dir, const char *name, uint32_t *ino)
{
    struct model_inode *d;
    int rc = dir_get(m, dir, &d);
    if (rc)
        return rc;
    if (!strcmp(name, ".") || !strcmp(name, "..")) {
        *ino = name[1] ? d->parent : dir;
        return 0;
    }
    rc = check_name(name);
    if (rc)
        return rc == -EINVAL ? -ENOENT : rc;
    long k = model_dir_find(d, name);
    if (k < 0)
        return -ENOENT;
    *ino = d->ents[k].ino;
    return 0;
}

static void dir_add(struct model *m, uint32_t dir, const char *name, uint32_t ino, int64_t now)
{
    struct model_inode *d = &m->inodes[dir];
    if (d->nents == d->capents) {
        d->capents = d->capents ? 2 * d->capents : 8;
        d->ents = xrealloc(d->ents, d->capents * sizeof(*d->ents));
    }
    d->ents[d->nents].name = xstrdup(name);
    d->ents[d->nents].ino = ino;
    d->nents++;
    d->mtime = d->ctime = now;
}

static void dir_del(struct model *m, uint32_t dir, long k, int64_t now)
{
    struct model_inode *d = &m->inodes[dir];
    free(d->ents[k].name);
    d->ents[k] = d->ents[d->nents - 1];
    d->nents--;
    d->mtime = d->ctime = now;
}

/* Common front of create/mkdir/symlink/link: the directory exists and name is free. */
static int may_create(const struct model *m, uint32_t dir, const char *name)
{
    struct model_inode *d;
    int rc = dir_get(m, dir, &d);
    if (rc == 0)
        rc = check_name(name);
    if (rc)
        return rc;
    if (model_dir_find(d, name) >= 0)
        return -EEXIST;
    return 0;
}

int model_create(struct model *m, uint32_t dir, const char *name, uint32_t mode, uint32_t uid,
                 uint32_t gid, int64_t now, uint32_t *ino)
{
    int rc = may_create(m, dir, name);
    if (rc)
        return rc;
    if ((mode & MODEL_S_IFMT) == 0)
        mode |= MODEL_S_IFREG;
    if ((mode & MODEL_S_IFMT) == MODEL_S_IFDIR)
        return model_mkdir(m, dir, name, mode, uid, gid, now, ino);
    if ((mode & MODEL_S_IFMT) == MODEL_S_IFLNK)
        return -EINVAL;
    uint32_t n = ino_alloc(m, mode & (MODEL_S_IFMT | 07777), uid, gid, now);
    dir_add(m, dir, name, n, now);
    *ino = n;
    return 0;
}

int model_mkdir(struct model *m, uint32_t dir, const char *name, uint32_t mode, uint32_t uid,
                uint32_t gid, int64_t now, uint32_t *ino)
{
    int rc = may_create(m, dir, name);
    if (rc)
        return rc;
    uint32_t n = ino_alloc(m, MODEL_S_IFDIR | (mode & 07777), uid, gid, now);
    m->inodes[n].nlink = 2;
    m->inodes[n].parent = dir;
    m->inodes[dir].nlink++;
    dir_add(m, dir, name, n, now);
    *ino = n;
    return 0;
}

int model_symlink(struct model *m, uint32_t dir, const char *name, const char *target,
                  uint32_t uid, uint32_t gid, int64_t now, uint32_t *ino)
{
    size_t tl = strlen(target);
    if (tl == 0)
        return -ENOENT;
    if (tl > MODEL_SYMLINK_MAX)
        return -ENAMETOOLONG;
    int rc = may_create(m, dir, name);
    if (rc)
        return rc;
    uint32_t n = ino_alloc(m, MODEL_S_IFLNK | 0777, uid, gid, now);
    m->inodes[n].target = xstrdup(target);
    m->inodes[n].size = tl;
    dir_add(m, dir, name, n, now);
    *ino = n;
    return 0;
}

int model_link(struct model *m, uint32_t ino, uint32_t dir, const char *name, int64_t now)
{
    struct model_inode *i = ino_get(m, ino);
    if (!i)
        return -ENOENT;
    int rc = may_create(m, dir, name);
    if (rc)
        return rc;
    if (is_dir(i))
        return -EPERM;
    i->nlink++;
    i->ctime = now;
    dir_add(m, dir, name, ino, now);
    return 0;
}

/* Drop one name of a non-directory. */
static void drop_link(struct model *m, uint32_t ino, int64_t now)
{
    struct model_inode *i = &m->inodes[ino];
    i->ctime = now;
    if (--i->nlink == 0)
        ino_release(m, ino);
}

int model_unlink(struct model *m, uint32_t dir, const char *name, int64_t now)
{
    struct model_inode *d;
    int rc = dir_get(m, dir, &d);
    if (rc == 0)
        rc = check_name(name);
    if (rc)
        return rc;
    long k = model_dir_find(d, name);
    if (k < 0)
        return -ENOENT;
    uint32_t ino = d->ents[k].ino;
    if (is_dir(&m->inodes[ino]))
        return -EISDIR;
    dir_del(m, dir, k, now);
    drop_link(m, ino, now);
    return 0;
}

int model_rmdir(struct model *m, uint32_t dir, const char *name, int64_t now)
{
    struct model_inode *d;
    int rc = dir_get(m, dir, &d);
    if (rc == 0 && !strcmp(name, "."))
        rc = -EINVAL;
    if (rc == 0 && !strcmp(name, ".."))
        rc = -ENOTEMPTY;
    if (rc == 0)
        rc = check_name(name);
    if (rc)
        return rc;
    long k = model_dir_find(d, name);
    if (k < 0)
        return -ENOENT;
    uint32_t ino = d->ents[k].ino;
    struct model_inode *v = &m->inodes[ino];
    if (!is_dir(v))
        return -ENOTDIR;
    if (v->nents)
        return -ENOTEMPTY;
    dir_del(m, dir, k, now);
    m->inodes[dir].nlink--;
    ino_release(m, ino);
    return 0;
}

/* Checks of rename in the order Linux makes them (do_renameat2, vfs_rename). */
static int rename_check(const struct model *m, uint32_t odir, const char *oname, uint32_t ndir,
                        const char *nname, unsigned flags, long *ok, long *nk)
{
    struct model_inode *od, *nd;
    int rc;
    if (flags & ~(MODEL_RENAME_NOREPLACE | MODEL_RENAME_EXCHANGE))
        return -EINVAL;
    if ((flags & MODEL_RENAME_NOREPLACE) && (flags & MODEL_RENAME_EXCHANGE))
        return -EINVAL;
    if ((rc = dir_get(m, odir, &od)) || (rc = dir_get(m, ndir, &nd)) ||
        (rc = check_name(oname)) || (rc = check_name(nname)))
        return rc;
    *ok = model_dir_find(od, oname);
    *nk = model_dir_find(nd, nname);
    if (*ok < 0)
        return -ENOENT;
    if ((flags & MODEL_RENAME_NOREPLACE) && *nk >= 0)
        return -EEXIST;
    if ((flags & MODEL_RENAME_EXCHANGE) && *nk < 0)
        return -ENOENT;
    uint32_t src = od->ents[*ok].ino;
    uint32_t dst = *nk >= 0 ? nd->ents[*nk].ino : 0;
    /* lock_rename's trap: the source may not become its own ancestor, nor the target. */
    if (odir != ndir) {
        if (is_dir(&m->inodes[src]) && model_is_ancestor(m, src, ndir))
            return -EINVAL;
        if (dst && is_dir(&m->inodes[dst]) && model_is_ancestor(m, dst, odir)) {
            if (TFS_KNOWN_RENAME_ANCESTOR_TYPE_FIRST && !(flags & MODEL_RENAME_EXCHANGE) &&
                !is_dir(&m->inodes[src]))
                return -EISDIR;
            return (flags & MODEL_RENAME_EXCHANGE) ? -EINVAL : -ENOTEMPTY;
        }
    }
    if (src == dst)
        return 1; /* same inode: success, nothing changes */
    if (dst && !(flags & MODEL_RENAME_EXCHANGE)) {
        bool sd = is_dir(&m->inodes[src]), dd = is_dir(&m->inodes[dst]);
        if (sd && !dd)
            return -ENOTDIR;
        if (!sd && dd)
            return -EISDIR;
        if (dd && m->inodes[dst].nents)
            return -ENOTEMPTY;
    }
    return 0;
}

static void set_parent(struct model *m, uint32_t ino, uint32_t from, uint32_t to)
{
    if (!is_dir(&m->inodes[ino]) || from == to)
        return;
    m->inodes[ino].parent = to;
    m->inodes[from].nlink--;
    m->inodes[to].nlink++;
}

static void rename_exchange(struct model *m, uint32_t odir, long ok, uint32_t ndir, long nk,
                            int64_t now)
{
    uint32_t a = m->inodes[odir].ents[ok].ino, b = m->inodes[ndir].ents[nk].ino;
    m->inodes[odir].ents[ok].ino = b;
    m->inodes[ndir].ents[nk].ino = a;
    set_parent(m, a, odir, ndir);
    set_parent(m, b, ndir, odir);
    m->inodes[a].ctime = m->inodes[b].ctime = now;
    m->inodes[odir].mtime = m->inodes[odir].ctime = now;
    m->inodes[ndir].mtime = m->inodes[ndir].ctime = now;
}

int model_rename(struct model *m, uint32_t odir, const char *oname, uint32_t ndir,
                 const char *nname, unsigned flags, int64_t now)
{
    long ok, nk;
    int rc = rename_check(m, odir, oname, ndir, nname, flags, &ok, &nk);
    if (rc)
        return rc > 0 ? 0 : rc;
    if (flags & MODEL_RENAME_EXCHANGE) {
        rename_exchange(m, odir, ok, ndir, nk, now);
        return 0;
    }
    uint32_t src = m->inodes[odir].ents[ok].ino;
    if (nk >= 0) {
        uint32_t dst = m->inodes[ndir].ents[nk].ino;
        dir_del(m, ndir, nk, now);
        if (is_dir(&m->inodes[dst])) {
            m->inodes[ndir].nlink--;
            ino_release(m, dst);
        } else {
            drop_link(m, dst, now);
        }
    }
    ok = model_dir_find(&m->inodes[odir], oname); /* dir_del may have moved it */
    dir_del(m, odir, ok, now);
    dir_add(m, ndir, nname, src, now);
    set_parent(m, src, odir, ndir);
    m->inodes[src].ctime = now;
    return 0;
}

/* A regular file for a data operation: -ENOENT, -EISDIR, -EINVAL (symlink). */
static int file_get(const struct model *m, uint32_t ino, struct model_inode **out)
{
    struct model_inode *i = ino_get(m, ino);
    if (!i)
        return -ENOENT;
    if (is_dir(i))
        return -EISDIR;
    if (!is_reg(i))
        return -EINVAL;
    *out = i;
    return 0;
}

static void resize(struct model_inode *i, uint64_t size)
{
    if (size > i->size) {
        i->data = xrealloc(i->data, (size_t)size);
        memset(i->data + i->size, 0, (size_t)(size - i->size));
    }
    i->size = size;
}

int64_t model_write(struct model *m, uint32_t ino, uint64_t off, const void *buf, size_t len,
                    int64_t now)
{
    struct model_inode *i;
    int rc = file_get(m, ino, &i);
    if (rc)
        return rc;
    if (len == 0)
        return 0;
    if (off > m->max_file_size || len > m->max_file_size - off)
        return -EFBIG;
    if (off + len > i->size)
        resize(i, off + len);
    memcpy(i->data + off, buf, len);
    i->mtime = i->ctime = now;
    return (int64_t)len;
}

int64_t model_read(const struct model *m, uint32_t ino, uint64_t off, void *buf, size_t len)
{
    struct model_inode *i;
    int rc = file_get(m, ino, &i);
    if (rc)
        return rc;
    if (off >= i->size)
        return 0;
    if (len > i->size - off)
        len = (size_t)(i->size - off);
    memcpy(buf, i->data + off, len);
    return (int64_t)len;
}

int model_truncate(struct model *m, uint32_t ino, uint64_t size, int64_t now)
{
    struct model_inode *i;
    int rc = file_get(m, ino, &i);
    if (rc)
        return rc;
    if (size > m->max_file_size)
        return -EFBIG;
    resize(i, size);
    i->mtime = i->ctime = now;
    return 0;
}

int model_fallocate(struct model *m, uint32_t ino, unsigned mode, uint64_t off, uint64_t len,
                    int64_t now)
{
    /* TFS's inode-level order (the VFS makes vfs_fallocate's generic checks first):
     * file type, then mode, then length, then size limit. */
    struct model_inode *i;
    int rc = file_get(m, ino, &i);
    if (rc)
        return rc == -EINVAL ? -ENODEV : rc;
    if (mode & ~(MODEL_FALLOC_KEEP_SIZE | MODEL_FALLOC_PUNCH_HOLE))
        return -EOPNOTSUPP;
    if ((mode & MODEL_FALLOC_PUNCH_HOLE) && !(mode & MODEL_FALLOC_KEEP_SIZE))
        return -EOPNOTSUPP;
    if (len == 0)
        return -EINVAL;
    if (off > m->max_file_size || len > m->max_file_size - off)
        return -EFBIG;
    if (mode & MODEL_FALLOC_PUNCH_HOLE) {
        if (off < i->size) {
            uint64_t end = off + len < i->size ? off + len : i->size;
            memset(i->data + off, 0, (size_t)(end - off));
        }
        i->mtime = i->ctime = now;
        return 0;
    }
    i->ctime = now; /* ext4: ctime always, mtime when the size grows */
    if (!(mode & MODEL_FALLOC_KEEP_SIZE) && off + len > i->size) {
        resize(i, off + len);
        if (!TFS_KNOWN_FALLOC_KEEPS_MTIME)
            i->mtime = now;
    }
    return 0;
}

int model_chmod(struct model *m, uint32_t ino, uint32_t perm, int64_t now)
{
    struct model_inode *i = ino_get(m, ino);
    if (!i)
        return -ENOENT;
    i->mode = (i->mode & MODEL_S_IFMT) | (perm & 07777);
    i->ctime = now;
    return 0;
}

int model_chown(struct model *m, uint32_t ino, uint32_t uid, uint32_t gid, int64_t now)
{
    struct model_inode *i = ino_get(m, ino);
    if (!i)
        return -ENOENT;
    i->uid = uid;
    i->gid = gid;
    i->ctime = now;
    return 0;
}

int model_utimens(struct model *m, uint32_t ino, int64_t atime, int64_t mtime, int64_t now)
{
    struct model_inode *i = ino_get(m, ino);
    if (!i)
        return -ENOENT;
    i->atime = atime;
    i->mtime = mtime;
    i->ctime = now;
    return 0;
}

static long xattr_find(const struct model_inode *i, const char *name)
{
    for (size_t k = 0; k < i->nxattrs; k++)
        if (strcmp(i->xattrs[k].name, name) == 0)
            return (long)k;
    return -1;
}

/* TFS's inode-level rule: empty -EINVAL, too long -ERANGE when setting and -ENODATA when
 * reading or removing (no such name can exist); the VFS answers -ERANGE before TFS is asked. */
static int xattr_name_ok(const char *name, bool set)
{
    size_t n = strlen(name);
    if (n == 0)
        return -EINVAL;
    if (n > MODEL_XATTR_NAME_MAX)
        return set ? -ERANGE : -ENODATA;
    return 0;
}

int model_setxattr(struct model *m, uint32_t ino, const char *name, const void *value,
                   size_t len, unsigned flags, int64_t now)
{
    struct model_inode *i = ino_get(m, ino);
    if (!i)
        return -ENOENT;
    if (flags & ~(MODEL_XATTR_CREATE | MODEL_XATTR_REPLACE))
        return -EINVAL;
    int rc = xattr_name_ok(name, true);
    if (rc)
        return rc;
    if (len > MODEL_XATTR_SIZE_MAX)
        return -E2BIG;
    long k = xattr_find(i, name);
    if (k >= 0 && (flags & MODEL_XATTR_CREATE))
        return -EEXIST;
    if (k < 0 && (flags & MODEL_XATTR_REPLACE))
        return -ENODATA;
    if (k < 0) {
        size_t list = strlen(name) + 1;
        for (size_t j = 0; j < i->nxattrs; j++)
            list += strlen(i->xattrs[j].name) + 1;
        if (list > MODEL_XATTR_LIST_MAX)
            return -ENOSPC;
        i->xattrs = xrealloc(i->xattrs, (i->nxattrs + 1) * sizeof(*i->xattrs));
        k = (long)i->nxattrs++;
        i->xattrs[k].name = xstrdup(name);
        i->xattrs[k].value = NULL;
    }
    i->xattrs[k].value = xrealloc(i->xattrs[k].value, len);
    if (len)
        memcpy(i->xattrs[k].value, value, len);
    i->xattrs[k].len = len;
    i->ctime = now;
    return 0;
}

int64_t model_getxattr(const struct model *m, uint32_t ino, const char *name, void *buf,
                       size_t size)
{
    struct model_inode *i = ino_get(m, ino);
    if (!i)
        return -ENOENT;
    int rc = xattr_name_ok(name, false);
    if (rc)
        return rc;
    long k = xattr_find(i, name);
    if (k < 0)
        return -ENODATA;
    size_t len = i->xattrs[k].len;
    if (size == 0)
        return (int64_t)len;
    if (size < len)
        return -ERANGE;
    if (len)
        memcpy(buf, i->xattrs[k].value, len);
    return (int64_t)len;
}

int model_removexattr(struct model *m, uint32_t ino, const char *name, int64_t now)
{
    struct model_inode *i = ino_get(m, ino);
    if (!i)
        return -ENOENT;
    int rc = xattr_name_ok(name, false);
    if (rc)
        return rc;
    long k = xattr_find(i, name);
    if (k < 0)
        return -ENODATA;
    free(i->xattrs[k].name);
    free(i->xattrs[k].value);
    i->xattrs[k] = i->xattrs[i->nxattrs - 1];
    i->nxattrs--;
    i->ctime = now;
    return 0;
}
