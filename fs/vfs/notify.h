/*
 * notify.h - inotify's core in the VFS: watches on inodes, the event queue of an instance,
 * and the hooks the VFS calls when something happens to a file (docs/inotify.md).
 *
 * An instance (struct vfs_notify_group) is what inotify_init gives: a queue of events and
 * the watches it set, numbered from 1 (wd) as Linux numbers them (cyclic, never reused
 * while the counter has not wrapped). A watch names one inode; every watch of one inode
 * hangs on that inode's connector (vfs_inode.notify, NULL when nobody watches it: the only
 * thing the hooks look at when no watch exists), which holds one inode reference so the
 * inode, and its watches, stay cached as on Linux.
 *
 * Events about a child of a watched directory carry the child's name: the name the event
 * came through (struct vfs_notify_name: the path a description was opened by, the path a
 * chmod named), as Linux tells the parent of the dentry used and not every directory holding
 * a link. An event with no such name (a page fault, a file opened while nothing was watched)
 * goes to the watched directories whose dentry cache holds a name of the file.
 *
 * Locking: watch lists, connectors and wd numbers are guarded by the VFS mutex; every hook
 * runs with it held (the *_unlocked hooks take it). An instance's queue is guarded by the
 * lock of its wait queue (a spinlock: poll and FIONREAD never sleep); readers sleep on that
 * queue and are woken with LINUX_EPOLLIN keys, so poll, select and epoll see new events.
 * Order: VFS mutex, sb mutex, queue lock.
 */
#ifndef FS_VFS_NOTIFY_H
#define FS_VFS_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/abi/inotify.h"
#include "fs/vfs/vfs.h"

struct vfs_notify_group;

/* Instances alive (Linux's max_user_instances) and watches (max_user_watches, whose
 * default Linux computes from memory: a fixed bound here). */
#define VFS_NOTIFY_MAX_GROUPS LINUX_INOTIFY_MAX_USER_INSTANCES
#define VFS_NOTIFY_MAX_WATCHES 8192u

/* A new empty instance whose queue holds at most max_events events (then one
 * IN_Q_OVERFLOW). 0, -EMFILE (VFS_NOTIFY_MAX_GROUPS alive) or -ENOMEM. Never sleeps. */
int vfs_notify_group_new(unsigned max_events, struct vfs_notify_group **out);
/* The instance goes: its watches go without IN_IGNORED (nobody can read them), its queue
 * is freed. May sleep (takes the VFS mutex). */
void vfs_notify_group_free(struct vfs_notify_group *g);

/*
 * inotify_add_watch on dirf/path with mask (checked by the caller: only Linux's bits, not
 * IN_MASK_ADD with IN_MASK_CREATE). IN_DONT_FOLLOW: a final symlink is watched itself;
 * IN_ONLYDIR: -ENOTDIR unless a directory. An inode already watched by g keeps its wd; its
 * mask is replaced, or or-ed with IN_MASK_ADD, or -EEXIST with IN_MASK_CREATE. Returns the
 * wd, or the walk's errors (-ENOENT, -ENOTDIR, -ELOOP, ...), -ENOSPC (too many watches),
 * -ENOMEM. May sleep.
 */
int vfs_notify_add_watch(struct vfs_notify_group *g, struct vfs_file *dirf, const char *path,
                         uint32_t mask);
/* inotify_rm_watch: 0 after queueing IN_IGNORED for wd, or -EINVAL (no such watch). */
int vfs_notify_rm_watch(struct vfs_notify_group *g, int wd);
/* What /proc/self/fdinfo shows of g: fn(arg, wd, the watched inode's number and st_dev, the
 * watch's mask) for each watch, the newest first (Linux's order). Takes the VFS mutex: fn
 * must not call the VFS. May sleep. */
void vfs_notify_watches_each(struct vfs_notify_group *g,
                             void (*fn)(void *arg, int wd, uint64_t ino, uint64_t dev,
                                        uint32_t mask),
                             void *arg);

/*
 * The queue's lock held (vfs_notify_wq(g)->lock, irq-save): move whole events into buf
 * (struct linux_inotify_event records, names NUL-padded): the bytes moved, 0 when the queue
 * is empty, -EINVAL when the first event does not fit in n. The events moved go on done,
 * for vfs_notify_free_taken once the lock is dropped. inotify's read waits around it in
 * fs/file/waitloop.h's loop.
 */
long vfs_notify_take(struct vfs_notify_group *g, void *buf, size_t n, struct list *done);
void vfs_notify_free_taken(struct list *done);
/* vfs_notify_take with the lock taken, -EAGAIN when empty (the tests of the queue). */
long vfs_notify_read_now(struct vfs_notify_group *g, void *buf, size_t n);
/* Bytes a read would get now (FIONREAD). Never sleeps. */
unsigned vfs_notify_pending(struct vfs_notify_group *g);
/* The queue readers and poll wait on: woken with LINUX_EPOLLIN | LINUX_EPOLLRDNORM after an
 * event is queued. */
struct wait_queue *vfs_notify_wq(struct vfs_notify_group *g);
/* fn(arg) after each event g queues (not one merged into the last, as Linux's fasync
 * signal; the overflow event too), outside the queue's lock; set once, before any watch. */
void vfs_notify_set_queued(struct vfs_notify_group *g, void (*fn)(void *arg), void *arg);

/* Events queued by the hooks below, for the tests of the queue. Never sleeps. */
void vfs_notify_queue_event(struct vfs_notify_group *g, int wd, uint32_t mask, uint32_t cookie,
                            const char *name);

/* --- the hooks (fs/vfs only) ------------------------------------------------------------ */

/* Watches alive anywhere (atomic): the file-data hooks (read, write, close) test only this,
 * one load and one branch while no program watches anything. */
extern unsigned vfs_notify_nwatch;

static inline bool vfs_notify_active(void)
{
    return __builtin_expect(__atomic_load_n(&vfs_notify_nwatch, __ATOMIC_RELAXED) != 0, 0);
}

/* Name records alive (VFS mutex): unlink and rename keep them up to date even while nothing
 * is watched. */
extern unsigned vfs_notify_nnames;

/*
 * A name a file was reached by: what Linux's dentry is to fsnotify. An event through it
 * (a read through a description opened by that name, a chmod of that path) is told to the
 * watches of that directory under that name only, whatever other (hard) links the file has
 * and whether or not the dentry cache still holds the name; a rename moves it (events then
 * carry the new name); an unlink marks it unlinked (told still, but not to IN_EXCL_UNLINK
 * watches). It holds a reference on dir, none on the file (its holder has one).
 */
struct vfs_notify_name;
/* VFS mutex held. A name record for ip reached as dir/name: NULL when nothing is watched
 * (events then fall back to the names the dentry cache holds), when ip is a mount's root
 * (its parent is another filesystem's) or out of memory. */
struct vfs_notify_name *vfs_notify_name_get(struct vfs_inode *dir, const char *name,
                                            struct vfs_inode *ip);
/* VFS mutex held. The record goes (nm may be NULL). */
void vfs_notify_name_put(struct vfs_notify_name *nm);

/* VFS mutex held. ip changed (mask: IN_ACCESS, IN_MODIFY, IN_ATTRIB, IN_OPEN, IN_CLOSE_*)
 * through the name via: that directory's watches get it with the name, then ip's own.
 * via NULL: the directories that cache a name of ip are told instead (vfs_notify_inode). */
void vfs_notify_inode_via(struct vfs_inode *ip, const struct vfs_notify_name *via, uint32_t mask);
static inline void vfs_notify_inode(struct vfs_inode *ip, uint32_t mask)
{
    vfs_notify_inode_via(ip, NULL, mask);
}
/* VFS mutex held. A name in dir was created, deleted or moved (IN_CREATE, IN_DELETE,
 * IN_MOVED_FROM/TO with cookie); isdir: the child is a directory. */
void vfs_notify_dirent(struct vfs_inode *dir, uint32_t mask, const char *name, uint32_t cookie,
                       bool isdir);
/* VFS mutex held. ip itself: IN_ATTRIB (link count), IN_MOVE_SELF. */
void vfs_notify_self(struct vfs_inode *ip, uint32_t mask);
/* VFS mutex held. ip lost a name (unlink, rmdir, overwritten by rename); our_refs: the
 * references the caller holds. Links left: nothing. None: IN_DELETE_SELF and IN_IGNORED
 * for its watches now, or when the last other reference goes (an open file, a cwd). */
void vfs_notify_unlinked(struct vfs_inode *ip, unsigned our_refs);
/* VFS mutex held: inode_put left ip with one reference, which may be its connector's. */
void vfs_notify_idle(struct vfs_inode *ip);
/* VFS mutex held, sb's dentries purged: sb is being unmounted. When nothing but watches
 * (and their connectors' directories) holds sb's inodes, or force, every watch on sb gets
 * IN_UNMOUNT (with IN_ISDIR for a directory) and IN_IGNORED, the newest watched inode first,
 * and their references go, so the unmount finds sb idle. Otherwise nothing changes. */
void vfs_notify_unmount(struct vfs_sb *sb, bool force);
/* A new cookie for one rename's IN_MOVED_FROM/IN_MOVED_TO pair. */
uint32_t vfs_notify_cookie(void);

/* No VFS lock held: vfs_notify_inode_via with the VFS mutex taken (when anything is
 * watched). */
void vfs_notify_inode_unlocked(struct vfs_inode *ip, const struct vfs_notify_name *via,
                               uint32_t mask);
/* No VFS lock held: the event of a setattr with VFS_SET_* bits valid through via, as Linux's
 * fsnotify_change: size -> IN_MODIFY; mode, owner, both times -> IN_ATTRIB; atime alone
 * -> IN_ACCESS; mtime alone -> IN_MODIFY. */
void vfs_notify_setattr(struct vfs_inode *ip, const struct vfs_notify_name *via, unsigned valid);

/*
 * The call sites' guards (VFS mutex held): each costs a load and a branch per inode involved
 * while nothing watches them.
 */
void vfs_notify_remove_slow(struct vfs_inode *dir, struct vfs_inode *ip, const char *name,
                            unsigned our_refs);
void vfs_notify_link_slow(struct vfs_inode *dir, struct vfs_inode *ip, const char *name);
void vfs_notify_rename_slow(struct vfs_inode *odir, const char *oname, struct vfs_inode *ndir,
                            const char *nname, struct vfs_inode *src, struct vfs_inode *dst,
                            bool exchange);

/* name was made in dir (create, mkdir, mknod, symlink). */
static inline void vfs_notify_create(struct vfs_inode *dir, const char *name, bool isdir)
{
    if (dir->notify)
        vfs_notify_dirent(dir, LINUX_IN_CREATE, name, 0, isdir);
}

/* ip left dir under name (unlink, rmdir); the caller holds our_refs references to ip. */
static inline void vfs_notify_remove(struct vfs_inode *dir, struct vfs_inode *ip, const char *name,
                                     unsigned our_refs)
{
    if (dir->notify || ip->notify || vfs_notify_nnames)
        vfs_notify_remove_slow(dir, ip, name, our_refs);
}

/* ip got a new name in dir (link). */
static inline void vfs_notify_link(struct vfs_inode *dir, struct vfs_inode *ip, const char *name)
{
    if (dir->notify || ip->notify)
        vfs_notify_link_slow(dir, ip, name);
}

/* src moved from odir/oname to ndir/nname, replacing dst (or exchanged with it). */
static inline void vfs_notify_rename(struct vfs_inode *odir, const char *oname,
                                     struct vfs_inode *ndir, const char *nname,
                                     struct vfs_inode *src, struct vfs_inode *dst, bool exchange)
{
    if (odir->notify || ndir->notify || src->notify || (dst && dst->notify) ||
        vfs_notify_active() || vfs_notify_nnames)
        vfs_notify_rename_slow(odir, oname, ndir, nname, src, dst, exchange);
}

/* Something happened to ip through via (no VFS lock held): only the global count is looked
 * at while nothing is watched. */
static inline void vfs_notify_file_via(struct vfs_inode *ip, const struct vfs_notify_name *via,
                                       uint32_t mask)
{
    if (vfs_notify_active())
        vfs_notify_inode_unlocked(ip, via, mask);
}

/* A file description is opened / closed / read / written (no VFS lock held): told through
 * the name it was opened by. */
static inline void vfs_notify_filp(struct vfs_file *f, uint32_t mask)
{
    vfs_notify_file_via(f->inode, f->nname, mask);
}

#endif
