/*
 * procfs.h - a synthetic filesystem kind for /proc: a fixed tree of directories, files whose
 * bytes are generated at each read, and symlinks whose targets are generated at each
 * lookup, all served through the VFS like any other filesystem (docs/procfs.md).
 *
 * procfs knows nothing of processes: its owner describes the tree with struct procfs_entry
 * (core/proc/procinfo.c does: /proc/self, /proc/1/{exe,cmdline,environ,maps,auxv},
 * /proc/{cpuinfo,meminfo,uptime}) and each show() callback writes the current content into
 * a struct procfs_buf. A read from offset 0 of an open file generates the whole content and
 * the file keeps it for its later reads, so a file read in pieces is one consistent text, as
 * Linux's seq_file gives (a pread at 0 or a seek to 0 and read starts a new one).
 *
 * The mount is read-only; files report size 0 (as Linux's) and mode 0444, symlinks 0777,
 * directories 0555; inode numbers are the entries' positions in the tree (root: 1); the
 * links of a PROCFS_DYNDIR are inode PROCFS_DYN_INO | dir index << 32 | key (mode 0700).
 */
#ifndef FS_PROCFS_PROCFS_H
#define FS_PROCFS_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs/vfs/vfs.h"

#define PROCFS_MAGIC 0x9fa0 /* f_type, as Linux's PROC_SUPER_MAGIC */
#define PROCFS_MAX_ENTRIES 128
#define PROCFS_DYN_INO (1ULL << 48)
#define PROCFS_MAX_SIZE (1u << 20) /* content past this is cut (-EFBIG from show) */

/* Content being generated: append with procfs_printf/procfs_put. */
struct procfs_buf {
    char *data;
    size_t len, cap;
    int err; /* first failure (-ENOMEM, -EFBIG); later appends are ignored */
};

void procfs_put(struct procfs_buf *b, const void *p, size_t n);
void procfs_printf(struct procfs_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* PROCFS_DYNDIR: a directory of numbered symbolic links (/proc/self/fd/N), or of numbered
 * files (/proc/self/fdinfo/N, `files`), made at each lookup and readdir: its children are the
 * keys the owner reports now. */
enum procfs_kind { PROCFS_DIR, PROCFS_FILE, PROCFS_LINK, PROCFS_DYNDIR };

struct procfs_dyn {
    /* The smallest key >= from that exists, into *key: 0, or -ENOENT when none. May sleep. */
    int (*next)(uint64_t from, uint64_t *key);
    /* The target of link key (the content of file key): 0, or -ENOENT when it is gone. May
     * sleep. */
    int (*show)(uint64_t key, struct procfs_buf *b);
    bool files; /* the children are files (mode 0444), not links */
};

struct procfs_entry {
    const char *name;
    enum procfs_kind kind;
    /* files: the content; links: the target (no NUL needed). Returns 0 or -errno (e.g.
     * -ENOENT when there is nothing to show: no process). May sleep. */
    int (*show)(struct procfs_buf *b);
    const struct procfs_entry *children; /* directories: ended by an entry with name NULL */
    const struct procfs_dyn *dyn;        /* PROCFS_DYNDIR */
};

/*
 * Mount a procfs whose root holds children (a static array ended by a NULL name) on path.
 * Returns 0, -ENOMEM, -E2BIG (more than PROCFS_MAX_ENTRIES entries) or vfs_mount()'s errors.
 * vfs_umount() frees it.
 */
int procfs_mount(struct vfs_file *dirf, const char *path, const struct procfs_entry *children);

/* The same tree served as another filesystem kind (its name and statfs f_type): /sys is one
 * (core/proc/procinfo.c), a sysfs with Linux's SYSFS_MAGIC. */
#define PROCFS_SYSFS_MAGIC 0x62656572
int procfs_mount_kind(struct vfs_file *dirf, const char *path, const struct procfs_entry *children,
                      const char *kind, uint64_t magic);

#endif
