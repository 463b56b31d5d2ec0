/*
 * snap.h - a flat, path-sorted picture of a filesystem tree (host code).
 *
 * Both the reference model and a mounted TFS volume are turned into a snap, so the model test,
 * the crash test and the fuzzers compare trees the same way: entry by entry, in path order.
 * Hard links appear once per path; `id` numbers the inodes of one snap in first-seen order,
 * so two snaps have the same link structure exactly when their id sequences agree.
 */
#ifndef TOOLS_TFSKIT_SNAP_H
#define TOOLS_TFSKIT_SNAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tools/tfskit/model.h"

struct snap_xattr {
    char *name;
    uint8_t *value;
    size_t len;
};

struct snap_entry {
    char *path; /* "/" for the root, "/a/b" below */
    uint64_t id;  /* caller's inode number; after snap_finish 1, 2, 3... */
    uint64_t ino; /* caller's inode number, kept */
    uint32_t mode, uid, gid, nlink;
    uint64_t size;
    uint8_t *data;  /* regular files: size bytes */
    char *target;   /* symlinks */
    int64_t atime, mtime, ctime;
    struct snap_xattr *xattrs; /* sorted by name */
    size_t nxattrs;
};

struct snap {
    struct snap_entry *e;
    size_t n, cap;
};

void snap_init(struct snap *s);
void snap_free(struct snap *s);
/* Append an entry (deep copies of the strings and data); returns it for the caller to fill
 * the scalar fields. Call snap_finish() once all are in. */
struct snap_entry *snap_add(struct snap *s, const char *path, const uint8_t *data,
                            size_t datalen, const char *target);
void snap_add_xattr(struct snap_entry *e, const char *name, const void *value, size_t len);
/* Sort by path, sort xattrs, renumber ids by first appearance of the caller's ids. */
void snap_finish(struct snap *s);
const struct snap_entry *snap_find(const struct snap *s, const char *path);

/* The model's tree. */
void snap_from_model(const struct model *m, struct snap *s);

/* What to compare besides names, types and contents. */
#define SNAP_CMP_MODE 0x01u  /* permission bits, uid, gid */
#define SNAP_CMP_NLINK 0x02u /* link counts and hard-link structure */
#define SNAP_CMP_TIMES 0x04u /* mtime, ctime */
#define SNAP_CMP_ATIME 0x08u
#define SNAP_CMP_XATTR 0x10u
#define SNAP_CMP_ALL 0x1fu
#define SNAP_CMP_NODATA 0x20u /* skip file contents */

/*
 * Compare two snaps; on the first difference print it (with `what` as a prefix) to stderr
 * and return false. With what == NULL nothing is printed.
 */
bool snap_equal(const struct snap *want, const struct snap *got, unsigned flags,
                const char *what);
bool snap_entry_equal(const struct snap_entry *a, const struct snap_entry *b, unsigned flags,
                      const char *what);
/* One line describing e, for reports. */
void snap_print_entry(const struct snap_entry *e);

#endif
