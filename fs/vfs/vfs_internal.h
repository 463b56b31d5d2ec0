/*
 * vfs_internal.h - what the VFS's own files share. Not for use outside fs/vfs/.
 */
#ifndef FS_VFS_VFS_INTERNAL_H
#define FS_VFS_VFS_INTERNAL_H

#include "fs/vfs/vfs.h"

struct vfs_state {
    struct mutex lock;        /* the namespace lock (see vfs.h) */
    struct hash_table icache; /* struct vfs_inode.hnode */
    struct hash_table dcache; /* struct vfs_dentry.hnode */
    struct list lru;          /* dentries, least recently used first */
    unsigned ndentries, dcache_max;
    unsigned ninodes;
    struct list mounts; /* struct vfs_sb.mnt_node, mount order */
    struct vfs_sb *root_sb;
    struct vfs_sb *memfd_sb; /* memfs.c: the unmounted instance of memfd_create's files */
    uint64_t next_dev;
    bool ready;
};

extern struct vfs_state vfs;

/* memfd.c: free memfd_create's instance when no memfd is open (VFS mutex held). */
void memfd_shutdown(void);

/* Namespace lock helpers. */
static inline void vfs_lock(void)
{
    mutex_lock(&vfs.lock);
}

static inline void vfs_unlock(void)
{
    mutex_unlock(&vfs.lock);
}

static inline void sb_lock(struct vfs_sb *sb)
{
    mutex_lock(&sb->lock);
}

static inline void sb_unlock(struct vfs_sb *sb)
{
    mutex_unlock(&sb->lock);
}

static inline bool vfs_isdir(const struct vfs_inode *ip)
{
    return VFS_S_ISTYPE(ip->mode, VFS_S_IFDIR);
}

static inline bool vfs_islnk(const struct vfs_inode *ip)
{
    return VFS_S_ISTYPE(ip->mode, VFS_S_IFLNK);
}

static inline bool vfs_isreg(const struct vfs_inode *ip)
{
    return VFS_S_ISTYPE(ip->mode, VFS_S_IFREG);
}

static inline bool sb_rdonly(const struct vfs_sb *sb)
{
    return sb->flags & VFS_MNT_RDONLY;
}

/* inode.c (VFS mutex held) */
int inode_get(struct vfs_sb *sb, uint64_t ino, struct vfs_inode **out);
void inode_ref(struct vfs_inode *ip);
void inode_put(struct vfs_inode *ip);
int inode_getattr(struct vfs_inode *ip, struct vfs_attr *a); /* takes the sb mutex */
void icache_init(void);

/* dcache.c (VFS mutex held) */
void dcache_init(void);
/* Cached child of dir: 1 and *out (NULL for a negative entry, else a new reference), or 0. */
int dcache_lookup(struct vfs_inode *dir, const char *name, size_t len, struct vfs_inode **out);
void dcache_insert(struct vfs_inode *dir, const char *name, size_t len, struct vfs_inode *ip);
void dcache_invalidate(struct vfs_inode *dir, const char *name, size_t len);
void dcache_purge_dir(struct vfs_inode *dir);
void dcache_purge_sb(struct vfs_sb *sb);
void dcache_shrink(unsigned max);
/* A cached name of ip in dir (valid while the VFS mutex is held), or NULL (notify.c). */
const char *dcache_name_in(struct vfs_inode *dir, const struct vfs_inode *ip);

/* namei.c (VFS mutex held) */
enum { LAST_NORM, LAST_DOT, LAST_DOTDOT, LAST_ROOT };

struct nameidata {
    struct vfs_inode *cur; /* reference */
    unsigned nlinks;
    char *buf;  /* path being walked (size NAMEI_BUF): small, or kmalloc'ed */
    char *pos;  /* what is left of it */
    char *link; /* readlink scratch (VFS_PATH_MAX) */
    char last[VFS_NAME_MAX + 1];
    size_t last_len;
    int last_type;
    bool trailing; /* the path ended with '/' */
    char small[128]; /* a path that fits walks here, without a kmalloc (never copy nd) */
};

#define NAMEI_BUF (2 * VFS_PATH_MAX + 2)

/* Start a walk of path from dirf (validates lengths; "" gives -ENOENT unless empty_ok). */
int namei_start(struct nameidata *nd, struct vfs_file *dirf, const char *path, bool empty_ok);
void namei_end(struct nameidata *nd);
/* Walk all components but the last: nd->cur is then its directory, nd->last its name. */
int namei_parent(struct nameidata *nd);
/* Resolve nd->last in nd->cur (after namei_parent), following a final symlink when follow
 * (and always with a trailing slash). *out: new reference, or NULL with 0 when the last
 * component does not exist (nd->cur/nd->last then name where it would be). */
int namei_last(struct nameidata *nd, bool follow, struct vfs_inode **out);
/* Splice the target of lnk (the last component, a symlink) into the walk; continue with
 * namei_parent(). */
int namei_follow_last(struct nameidata *nd, struct vfs_inode *lnk);
/* Whole walk: the inode at path (-ENOENT when missing). flags: AT_SYMLINK_NOFOLLOW,
 * AT_EMPTY_PATH. */
int namei_path(struct vfs_file *dirf, const char *path, int flags, struct vfs_inode **out);
/* namei_path leaving nd to the caller (namei_end): nd->cur and nd->last then name the
 * inode's directory and name when nd->last_type is LAST_NORM (inotify's names). */
int namei_path_nd(struct nameidata *nd, struct vfs_file *dirf, const char *path, int flags,
                  struct vfs_inode **out);
/* Look up one child of dir (name not "."/".."), crossing into mounts. */
int namei_child(struct vfs_inode *dir, const char *name, size_t len, struct vfs_inode **out);
struct vfs_inode *namei_root(void);

/* pcache.c (sb mutex held) */
/* Read [off, off+n) to the sink (a kernel buffer, or user memory for vfs_read_user_at: it
 * stops at a destination page that is not present, returning the bytes copied before it). */
long pcache_read(struct vfs_inode *ip, const struct vfs_sink *to, size_t n, uint64_t off);
long pcache_write(struct vfs_inode *ip, const void *buf, size_t n, uint64_t off);
int pcache_size(struct vfs_inode *ip, uint64_t *size);
/* Fill side of a read of [off, off+n) through a description with read-ahead state ra: the
 * absent pages it needs and, when it is sequential, the read-ahead window. Best effort. */
void pcache_readahead(struct vfs_inode *ip, struct vfs_ra *ra, uint64_t off, size_t n);
/* New size: drop pages past it, zero the tail of the last one. */
void pcache_truncate(struct vfs_inode *ip, uint64_t size);
/* Zero [off, off+len) in cached pages and drop the whole pages inside it (pages clean). */
void pcache_punch(struct vfs_inode *ip, uint64_t off, uint64_t len);
/* Write back the inode's dirty pages and pending size/mtime. */
int pcache_writeback_inode(struct vfs_inode *ip);
/* Drop every page of ip (after writeback, or discarding when discard). */
void pcache_drop_inode(struct vfs_inode *ip, bool discard);
int pcache_writeback_sb(struct vfs_sb *sb, uint64_t max_age_ns);
void pcache_detach(struct vfs_sb *sb);
/* Keep ip on (or off) the dirty list after its dirty state changed. */
void pcache_note_dirty(struct vfs_inode *ip);
/* Overlay the cached size/mtime on attributes read from the filesystem. */
void pcache_overlay_attr(struct vfs_inode *ip, struct vfs_attr *a);

/* file.c */
int vfs_file_alloc(struct vfs_inode *ip, unsigned flags, struct vfs_file **out);
struct vfs_notify_name;
/* via: the name the call came through, for inotify (NULL: none). */
int vfs_do_truncate(struct vfs_inode *ip, const struct vfs_notify_name *via, uint64_t len);

/* ops.c */
int vfs_do_setattr(struct vfs_inode *ip, const struct vfs_notify_name *via, struct vfs_setattr *sa);

#endif
