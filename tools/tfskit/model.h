/*
 * model.h - a tiny in-memory reference filesystem with Linux semantics (host code, libc).
 *
 * The model is the oracle of the TFS model test and of fuzz/tfs_ops: every operation is run
 * against TFS and against the model, and results, errno values and the whole tree must agree.
 * It is deliberately naive (arrays, linear scans, whole-file byte buffers) so that it is
 * obviously right. Inodes are numbered by the model (1 = root); they are the model's own
 * handles, not TFS inode numbers. Semantics follow Linux (ext4) as seen through an inode-based
 * filesystem API: rename checks in do_renameat2/vfs_rename order, nlink of directories counts
 * "." and subdirectories, times are nanoseconds since the epoch and `now` is given by the
 * caller on every mutating call.
 *
 * Errors are returned as -errno (Linux values). Nothing here allocates outside libc.
 */
#ifndef TOOLS_TFSKIT_MODEL_H
#define TOOLS_TFSKIT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MODEL_S_IFMT 0170000u
#define MODEL_S_IFREG 0100000u
#define MODEL_S_IFDIR 0040000u
#define MODEL_S_IFLNK 0120000u

#define MODEL_NAME_MAX 255
#define MODEL_SYMLINK_MAX 4095
#define MODEL_XATTR_NAME_MAX 255
#define MODEL_XATTR_SIZE_MAX 65536
#define MODEL_XATTR_LIST_MAX 65536 /* sum of name lengths + 1 per inode */

#define MODEL_RENAME_NOREPLACE 1u
#define MODEL_RENAME_EXCHANGE 2u
#define MODEL_FALLOC_KEEP_SIZE 1u
#define MODEL_FALLOC_PUNCH_HOLE 2u
#define MODEL_XATTR_CREATE 1u
#define MODEL_XATTR_REPLACE 2u

struct model_dirent {
    char *name;
    uint32_t ino;
};

struct model_xattr {
    char *name;
    uint8_t *value;
    size_t len;
};

struct model_inode {
    bool used;
    uint32_t mode; /* type and permission bits */
    uint32_t uid, gid;
    uint32_t nlink;
    uint64_t size;
    uint8_t *data; /* size bytes (regular files) */
    int64_t atime, mtime, ctime;
    char *target;  /* symlinks */
    uint32_t parent; /* directories */
    struct model_dirent *ents;
    size_t nents, capents;
    struct model_xattr *xattrs;
    size_t nxattrs;
};

struct model {
    struct model_inode *inodes; /* index = model inode number; 0 unused */
    size_t ninodes;
    uint64_t max_file_size; /* writes/truncates beyond fail with -EFBIG (test bound) */
};

#define MODEL_ROOT 1u

struct model *model_new(uint32_t root_mode, uint32_t uid, uint32_t gid, int64_t now);
void model_free(struct model *m);
/* The inode, or NULL when ino is not in use. */
const struct model_inode *model_inode(const struct model *m, uint32_t ino);
/* Number of inodes in use. */
size_t model_count(const struct model *m);

int model_lookup(const struct model *m, uint32_t dir, const char *name, uint32_t *ino);
/* mode's type bits: 0 or S_IFREG for a file, any special type, S_IFDIR as model_mkdir. */
int model_create(struct model *m, uint32_t dir, const char *name, uint32_t mode, uint32_t uid,
                 uint32_t gid, int64_t now, uint32_t *ino);
int model_mkdir(struct model *m, uint32_t dir, const char *name, uint32_t mode, uint32_t uid,
                uint32_t gid, int64_t now, uint32_t *ino);
int model_symlink(struct model *m, uint32_t dir, const char *name, const char *target,
                  uint32_t uid, uint32_t gid, int64_t now, uint32_t *ino);
int model_link(struct model *m, uint32_t ino, uint32_t dir, const char *name, int64_t now);
int model_unlink(struct model *m, uint32_t dir, const char *name, int64_t now);
int model_rmdir(struct model *m, uint32_t dir, const char *name, int64_t now);
int model_rename(struct model *m, uint32_t odir, const char *oname, uint32_t ndir,
                 const char *nname, unsigned flags, int64_t now);

/* Returns bytes written (all of len) or -errno. */
int64_t model_write(struct model *m, uint32_t ino, uint64_t off, const void *buf, size_t len,
                    int64_t now);
/* Returns bytes read or -errno. */
int64_t model_read(const struct model *m, uint32_t ino, uint64_t off, void *buf, size_t len);
int model_truncate(struct model *m, uint32_t ino, uint64_t size, int64_t now);
int model_fallocate(struct model *m, uint32_t ino, unsigned mode, uint64_t off, uint64_t len,
                    int64_t now);

int model_chmod(struct model *m, uint32_t ino, uint32_t perm, int64_t now);
int model_chown(struct model *m, uint32_t ino, uint32_t uid, uint32_t gid, int64_t now);
/* Sets both times (explicit values). */
int model_utimens(struct model *m, uint32_t ino, int64_t atime, int64_t mtime, int64_t now);

int model_setxattr(struct model *m, uint32_t ino, const char *name, const void *value,
                   size_t len, unsigned flags, int64_t now);
/* Returns the value's length (copied when it fits size; -ERANGE when not) or -errno. */
int64_t model_getxattr(const struct model *m, uint32_t ino, const char *name, void *buf,
                       size_t size);
int model_removexattr(struct model *m, uint32_t ino, const char *name, int64_t now);

/* Index of name in directory dir, or -1. */
long model_dir_find(const struct model_inode *dir, const char *name);
/* True when ino is dir or lies below it. */
bool model_is_ancestor(const struct model *m, uint32_t dir, uint32_t ino);

#endif
