/*
 * inotify.h - the inotify kind of open file (docs/inotify.md): what inotify_init gives. The
 * instance itself (watches, queue, the VFS's hooks) is fs/vfs/notify.h's; this file kind
 * reads its queue (blocking or O_NONBLOCK, interruptible: -ERESTARTSYS), polls it (readable
 * while events are queued), answers FIONREAD and frees it at the last close.
 */
#ifndef FS_FILE_INOTIFY_H
#define FS_FILE_INOTIFY_H

#include "fs/file/file.h"
#include "fs/vfs/notify.h"

/* A new O_RDONLY inotify file with status flags nb (VFS_O_NONBLOCK or 0). 0, -EMFILE (too
 * many instances) or -ENOMEM. May sleep. */
int inotify_file_create(unsigned nb, struct file **out);
/* The instance of an inotify file (no new reference), NULL for any other kind. */
struct vfs_notify_group *inotify_group(struct file *f);

#endif
