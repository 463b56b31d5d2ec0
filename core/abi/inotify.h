/*
 * core/abi/inotify.h - inotify(7): the event bits and flags of inotify_add_watch's mask, the
 * flags of inotify_init1, struct inotify_event (16 bytes, then the name padded with NULs),
 * and the default limits of /proc/sys/fs/inotify.
 */
#ifndef CORE_ABI_INOTIFY_H
#define CORE_ABI_INOTIFY_H

#include <stddef.h>
#include <stdint.h>

#define LINUX_IN_ACCESS 0x00000001u
#define LINUX_IN_MODIFY 0x00000002u
#define LINUX_IN_ATTRIB 0x00000004u
#define LINUX_IN_CLOSE_WRITE 0x00000008u
#define LINUX_IN_CLOSE_NOWRITE 0x00000010u
#define LINUX_IN_OPEN 0x00000020u
#define LINUX_IN_MOVED_FROM 0x00000040u
#define LINUX_IN_MOVED_TO 0x00000080u
#define LINUX_IN_CREATE 0x00000100u
#define LINUX_IN_DELETE 0x00000200u
#define LINUX_IN_DELETE_SELF 0x00000400u
#define LINUX_IN_MOVE_SELF 0x00000800u
#define LINUX_IN_ALL_EVENTS 0x00000fffu
#define LINUX_IN_UNMOUNT 0x00002000u
#define LINUX_IN_Q_OVERFLOW 0x00004000u
#define LINUX_IN_IGNORED 0x00008000u
#define LINUX_IN_ONLYDIR 0x01000000u
#define LINUX_IN_DONT_FOLLOW 0x02000000u
#define LINUX_IN_EXCL_UNLINK 0x04000000u
#define LINUX_IN_MASK_CREATE 0x10000000u
#define LINUX_IN_MASK_ADD 0x20000000u
#define LINUX_IN_ISDIR 0x40000000u
#define LINUX_IN_ONESHOT 0x80000000u

/* inotify_init1: O_CLOEXEC and O_NONBLOCK under their inotify names */
#define LINUX_IN_CLOEXEC 02000000u
#define LINUX_IN_NONBLOCK 04000u

/* /proc/sys/fs/inotify defaults: max_queued_events, max_user_instances */
#define LINUX_INOTIFY_MAX_QUEUED_EVENTS 16384u
#define LINUX_INOTIFY_MAX_USER_INSTANCES 128u

struct linux_inotify_event {
    int32_t wd;
    uint32_t mask;
    uint32_t cookie;
    uint32_t len; /* bytes of name[], NUL padding included: a multiple of 16 or 0 */
    char name[];
};

_Static_assert(sizeof(struct linux_inotify_event) == 16, "inotify_event");
_Static_assert(offsetof(struct linux_inotify_event, cookie) == 8, "inotify_event cookie");
_Static_assert(offsetof(struct linux_inotify_event, name) == 16, "inotify_event name");

#endif
