/*
 * cases_inotify.c - inotify_init, inotify_init1, inotify_add_watch, inotify_rm_watch and
 * the events the VFS makes (fs/vfs/notify.c, docs/inotify.md), each checked natively: the
 * errors in Linux's order, watch descriptors (one per inode, cyclic numbers), the bytes of
 * the events read back (names padded to 16 with NULs), coalescing of identical consecutive
 * events, IN_ONESHOT, IN_MASK_ADD/IN_MASK_CREATE, IN_IGNORED, self events, poll.
 * Cookies are not fixed numbers: the runtime programs check that a rename's pair shares one.
 */
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "sc.h"

#ifndef IN_MASK_CREATE
#define IN_MASK_CREATE 0x10000000
#endif

/* struct inotify_event, little endian: wd, mask, cookie 0, len; then the name */
#define WD1 "\1\0\0\0"
#define WD2 "\2\0\0\0"
#define WD3 "\3\0\0\0"
#define M_ACCESS "\1\0\0\0"
#define M_MODIFY "\2\0\0\0"
#define M_ATTRIB "\4\0\0\0"
#define M_CLOSE_WRITE "\x08\0\0\0"
#define M_CLOSE_NOWRITE "\x10\0\0\0"
#define M_OPEN "\x20\0\0\0"
#define M_MOVED_FROM "\x40\0\0\0"
#define M_CREATE "\0\1\0\0"
#define M_DELETE "\0\2\0\0"
#define M_DELETE_SELF "\0\4\0\0"
#define M_MOVE_SELF "\0\x08\0\0"
#define M_IGNORED "\0\x80\0\0"
#define M_CREATE_DIR "\0\1\0\x40"
#define M_DELETE_DIR "\0\2\0\x40"
#define NOCOOKIE "\0\0\0\0"
/* an event without a name (16 bytes), with a one-letter name (32 bytes) */
#define EV(wd, m) wd m NOCOOKIE "\0\0\0\0"
#define EVN(wd, m, c) wd m NOCOOKIE "\x10\0\0\0" c "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"

#define INIT CALL(inotify_init1, W(3), I(IN_NONBLOCK))
#define FILE4 CALL(open, W(4), S("f"), I(O_RDWR | O_CREAT), I(0644))
#define PFD3 "\3\0\0\0\x01\0\0\0"      /* fd 3, POLLIN */
#define PFD3_IN "\3\0\0\0\x01\0\x01\0" /* ... revents POLLIN */

const struct sc_case sc_cases_inotify[] = {
    /* flags: IN_CLOEXEC, IN_NONBLOCK and nothing else (an int: the high half is ignored);
     * the file is O_RDONLY */
    CASE("inotify.init", CALL0(inotify_init, W(3)), CALL(fcntl, W(O_RDONLY), I(3), I(F_GETFL)),
         CALL(inotify_init1, W(4), I(IN_CLOEXEC)), CALL(fcntl, W(FD_CLOEXEC), I(4), I(F_GETFD)),
         CALL(inotify_init1, W(5), I(IN_NONBLOCK)),
         CALL(fcntl, W(O_NONBLOCK), I(5), I(F_GETFL)),
         CALL(inotify_init1, ERR(EINVAL), I(1)), CALL(inotify_init1, ERR(EINVAL), I(O_RDWR)),
         CALL(inotify_init1, ERR(EINVAL), I(IN_CLOEXEC | O_DIRECT)),
         CALL(inotify_init1, W(6), I(0x100000000L))),
    /* the file: no write (O_RDONLY: -EBADF), lseek stays at 0, no pread, mode 0600, FIONREAD */
    CASE("inotify.file_ops", INIT, CALL(write, ERR(EBADF), I(3), D("x"), I(1)),
         CALL(lseek, W(0), I(3), I(5), I(SEEK_SET)),
         CALL(pread64, ERR(ESPIPE), I(3), BUF(16), I(16), I(0)),
         CALLAT(fstat, W(0), 24, "\x80\x01\0\0", I(3), BUF(144)),
         CALLO(ioctl, W(0), "\0\0\0\0", I(3), I(FIONREAD), BUF(4)),
         CALL(ioctl, ERR(EFAULT), I(3), I(FIONREAD), BAD(NULL)),
         CALL(ioctl, ERR(ENOTTY), I(3), I(TCGETS), BUF(64)),
         CALL(read, ERR(EAGAIN), I(3), BUF(64), I(64))),
    /* the mask first (no known bit, or an unknown one), then the descriptor, then
     * IN_MASK_ADD with IN_MASK_CREATE, then the path */
    CASE("inotify.add_order", INIT, FILE4,
         CALL(inotify_add_watch, ERR(EINVAL), I(99), BAD(NULL), I(0)),
         CALL(inotify_add_watch, ERR(EINVAL), I(99), BAD(NULL), I(IN_MODIFY | 0x1000)),
         CALL(inotify_add_watch, ERR(EINVAL), I(3), S("."), I(0x800000)),
         CALL(inotify_add_watch, ERR(EBADF), I(99), BAD(NULL), I(IN_MODIFY)),
         CALL(inotify_add_watch, ERR(EBADF), I(99), BAD(NULL),
              I(IN_MODIFY | IN_MASK_ADD | IN_MASK_CREATE)),
         CALL(inotify_add_watch, ERR(EINVAL), I(4), BAD(NULL), I(IN_MODIFY)),
         CALL(inotify_add_watch, ERR(EINVAL), I(3), BAD(NULL),
              I(IN_MODIFY | IN_MASK_ADD | IN_MASK_CREATE)),
         CALL(inotify_add_watch, ERR(EFAULT), I(3), BAD(NULL), I(IN_MODIFY)),
         CALL(inotify_add_watch, ERR(EFAULT), I(3), BAD(KERNEL), I(IN_MODIFY)),
         CALL(inotify_add_watch, ERR(ENOENT), I(3), S(""), I(IN_MODIFY)),
         CALL(inotify_add_watch, ERR(ENOENT), I(3), S("nope"), I(IN_MODIFY)),
         CALL(inotify_add_watch, ERR(ENOTDIR), I(3), S("f"), I(IN_MODIFY | IN_ONLYDIR)),
         CALL(inotify_add_watch, ERR(ENOTDIR), I(3), S("f/"), I(IN_MODIFY))),
    /* flag-only and special bits are accepted as masks */
    CASE("inotify.add_flag_masks", INIT, CALL(inotify_add_watch, W(1), I(3), S("."), I(IN_ONLYDIR)),
         CALL(inotify_add_watch, W(1), I(3), S("."), I(IN_IGNORED)),
         CALL(inotify_add_watch, W(1), I(3), S("."), I(IN_Q_OVERFLOW | IN_UNMOUNT)),
         CALL(inotify_add_watch, W(1), I(3), S("."), I(IN_ISDIR | IN_ONESHOT)),
         CALL(inotify_add_watch, W(1), I(3), S("."), I(IN_EXCL_UNLINK | IN_MASK_ADD)),
         CALL(inotify_add_watch, W(2), I(3), S(".."), I(0xe700efff))),
    /* one wd per inode; numbers go on after a removal (cyclic); the high half of the mask
     * is not looked at */
    CASE("inotify.wd_numbers", INIT, FILE4, CALL(inotify_add_watch, W(1), I(3), S("."), I(IN_MODIFY)),
         CALL(inotify_add_watch, W(1), I(3), S("./"), I(IN_CREATE)),
         CALL(inotify_add_watch, W(2), I(3), S("f"), I(IN_MODIFY | 0x100000000L)),
         CALL(inotify_rm_watch, W(0), I(3), I(1)),
         CALL(inotify_add_watch, W(3), I(3), S("."), I(IN_MODIFY)),
         CALL(inotify_add_watch, ERR(EEXIST), I(3), S("f"), I(IN_MODIFY | IN_MASK_CREATE)),
         CALL(inotify_rm_watch, ERR(EINVAL), I(3), I(99)),
         CALL(inotify_rm_watch, ERR(EINVAL), I(3), I(0)),
         CALL(inotify_rm_watch, ERR(EINVAL), I(3), I(-1)),
         CALL(inotify_rm_watch, ERR(EINVAL), I(4), I(2)),
         CALL(inotify_rm_watch, ERR(EBADF), I(99), I(2))),
    /* a symlink is followed unless IN_DONT_FOLLOW; a dangling one then can be watched */
    CASE("inotify.dont_follow", INIT, FILE4, CALL(symlink, W(0), S("f"), S("l")),
         CALL(symlink, W(0), S("nowhere"), S("dl")),
         CALL(inotify_add_watch, W(1), I(3), S("l"), I(IN_MODIFY | IN_DONT_FOLLOW)),
         CALL(inotify_add_watch, W(2), I(3), S("l"), I(IN_MODIFY)),
         CALL(inotify_add_watch, W(2), I(3), S("f"), I(IN_MODIFY)),
         CALL(inotify_add_watch, ERR(ENOENT), I(3), S("dl"), I(IN_MODIFY)),
         CALL(inotify_add_watch, W(3), I(3), S("dl"), I(IN_MODIFY | IN_DONT_FOLLOW))),
    /* names made and removed in a watched directory */
    CASE("inotify.create_delete", INIT,
         CALL(inotify_add_watch, W(1), I(3), S("."), I(IN_CREATE | IN_DELETE)), FILE4,
         CALLO(read, W(32), EVN(WD1, M_CREATE, "f"), I(3), BUF(64), I(64)),
         CALL(unlink, W(0), S("f")), CALLO(read, W(32), EVN(WD1, M_DELETE, "f"), I(3), BUF(64), I(64)),
         CALL(mkdir, W(0), S("d"), I(0755)), CALL(rmdir, W(0), S("d")),
         CALLO(read, W(64), EVN(WD1, M_CREATE_DIR, "d") EVN(WD1, M_DELETE_DIR, "d"), I(3),
               BUF(128), I(128)),
         CALL(symlink, W(0), S("x"), S("s")), CALL(link, W(0), S("s"), S("h")),
         CALLO(read, W(64), EVN(WD1, M_CREATE, "s") EVN(WD1, M_CREATE, "h"), I(3), BUF(128),
               I(128)),
         CALL(read, ERR(EAGAIN), I(3), BUF(64), I(64))),
    /* a read takes whole events: -EINVAL when the first does not fit, else those that do */
    CASE("inotify.read_sizes", INIT, CALL(inotify_add_watch, W(1), I(3), S("."), I(IN_CREATE)),
         FILE4, CALL(mkdir, W(0), S("d"), I(0755)),
         CALLO(ioctl, W(0), "\x40\0\0\0", I(3), I(FIONREAD), BUF(4)),
         CALL(read, ERR(EINVAL), I(3), BUF(16), I(16)),
         CALL(read, ERR(EINVAL), I(3), BUF(31), I(31)),
         CALL(read, ERR(EINVAL), I(3), BUF(1), I(0)),
         CALLO(read, W(32), EVN(WD1, M_CREATE, "f"), I(3), BUF(63), I(63)),
         CALLO(ioctl, W(0), "\x20\0\0\0", I(3), I(FIONREAD), BUF(4)),
         CALLO(read, W(32), EVN(WD1, M_CREATE_DIR, "d"), I(3), BUF(32), I(32))),
    /* identical consecutive events merge into one; interleaved ones do not (the directory's
     * watch is told before the file's own) */
    CASE("inotify.coalesce", INIT, FILE4, CALL(inotify_add_watch, W(1), I(3), S("f"), I(IN_MODIFY)),
         CALL(write, W(1), I(4), D("a"), I(1)), CALL(write, W(1), I(4), D("b"), I(1)),
         CALLO(read, W(16), EV(WD1, M_MODIFY), I(3), BUF(64), I(64)),
         CALL(inotify_add_watch, W(2), I(3), S("."), I(IN_MODIFY)),
         CALL(write, W(1), I(4), D("a"), I(1)), CALL(write, W(1), I(4), D("b"), I(1)),
         CALLO(read, W(96),
               EVN(WD2, M_MODIFY, "f") EV(WD1, M_MODIFY) EVN(WD2, M_MODIFY, "f") EV(WD1, M_MODIFY),
               I(3), BUF(128), I(128))),
    /* rm_watch queues IN_IGNORED; IN_ONESHOT goes after its first event */
    CASE("inotify.ignored_oneshot", INIT, FILE4,
         CALL(inotify_add_watch, W(1), I(3), S("f"), I(IN_MODIFY)),
         CALL(inotify_rm_watch, W(0), I(3), I(1)), CALL(inotify_rm_watch, ERR(EINVAL), I(3), I(1)),
         CALLO(read, W(16), EV(WD1, M_IGNORED), I(3), BUF(64), I(64)),
         CALL(inotify_add_watch, W(2), I(3), S("f"), I(IN_MODIFY | IN_ONESHOT)),
         CALL(write, W(1), I(4), D("a"), I(1)), CALL(write, W(1), I(4), D("b"), I(1)),
         CALLO(read, W(32), EV(WD2, M_MODIFY) EV(WD2, M_IGNORED), I(3), BUF(64), I(64)),
         CALL(inotify_rm_watch, ERR(EINVAL), I(3), I(2))),
    /* IN_MASK_ADD or-s the new bits in; without it the mask is replaced */
    CASE("inotify.mask_add", INIT, FILE4, CALL(inotify_add_watch, W(1), I(3), S("f"), I(IN_ATTRIB)),
         CALL(inotify_add_watch, W(1), I(3), S("f"), I(IN_MODIFY | IN_MASK_ADD)),
         CALL(write, W(1), I(4), D("a"), I(1)), CALL(fchmod, W(0), I(4), I(0600)),
         CALLO(read, W(32), EV(WD1, M_MODIFY) EV(WD1, M_ATTRIB), I(3), BUF(64), I(64)),
         CALL(inotify_add_watch, W(1), I(3), S("f"), I(IN_ATTRIB)),
         CALL(write, W(1), I(4), D("a"), I(1)), CALL(fchmod, W(0), I(4), I(0644)),
         CALLO(read, W(16), EV(WD1, M_ATTRIB), I(3), BUF(64), I(64))),
    /* open, read, close of a watched file, seen by the file and by its directory */
    CASE("inotify.open_read_close", INIT, FILE4, CALL(write, W(2), I(4), D("ab"), I(2)),
         CALL(close, W(0), I(4)),
         CALL(inotify_add_watch, W(1), I(3), S("."), I(IN_ALL_EVENTS)),
         CALL(open, W(4), S("f"), I(O_RDONLY), I(0)), CALL(read, W(2), I(4), BUF(8), I(8)),
         CALL(read, W(0), I(4), BUF(8), I(8)), CALL(close, W(0), I(4)),
         CALLO(read, W(96),
               EVN(WD1, M_OPEN, "f") EVN(WD1, M_ACCESS, "f") EVN(WD1, M_CLOSE_NOWRITE, "f"),
               I(3), BUF(128), I(128)),
         CALL(open, W(4), S("f"), I(O_WRONLY | O_TRUNC), I(0)),
         CALL(write, W(1), I(4), D("x"), I(1)), CALL(close, W(0), I(4)),
         CALLO(read, W(96), EVN(WD1, M_OPEN, "f") EVN(WD1, M_MODIFY, "f") EVN(WD1, M_CLOSE_WRITE, "f"),
               I(3), BUF(256), I(256))),
    /* attribute changes: chmod, both times, mtime alone, atime alone, truncate */
    CASE("inotify.attrib", INIT, FILE4, CALL(inotify_add_watch, W(1), I(3), S("f"), I(IN_ALL_EVENTS)),
         CALL(chmod, W(0), S("f"), I(0600)), CALL(truncate, W(0), S("f"), I(10)),
         CALL(utimensat, W(0), I(AT_FDCWD), S("f"), I(0), I(0)), CALL(ftruncate, W(0), I(4), I(0)),
         CALLO(read, W(64), EV(WD1, M_ATTRIB) EV(WD1, M_MODIFY) EV(WD1, M_ATTRIB) EV(WD1, M_MODIFY),
               I(3), BUF(128), I(128))),
    /* unlink of a watched file: its link count, its deletion, its watch gone, the name */
    CASE("inotify.delete_self", INIT, CALL(open, W(4), S("f"), I(O_RDWR | O_CREAT), I(0644)),
         CALL(close, W(0), I(4)), CALL(inotify_add_watch, W(1), I(3), S("f"), I(IN_ALL_EVENTS)),
         CALL(inotify_add_watch, W(2), I(3), S("."), I(IN_DELETE)), CALL(unlink, W(0), S("f")),
         CALLO(read, W(80),
               EV(WD1, M_ATTRIB) EV(WD1, M_DELETE_SELF) EV(WD1, M_IGNORED) EVN(WD2, M_DELETE, "f"),
               I(3), BUF(128), I(128)),
         CALL(inotify_rm_watch, ERR(EINVAL), I(3), I(1))),
    /* an open file's deletion is told when it is closed */
    CASE("inotify.delete_self_open", INIT, FILE4,
         CALL(inotify_add_watch, W(1), I(3), S("f"), I(IN_DELETE_SELF)), CALL(unlink, W(0), S("f")),
         CALL(read, ERR(EAGAIN), I(3), BUF(64), I(64)), CALL(close, W(0), I(4)),
         CALLO(read, W(32), EV(WD1, M_DELETE_SELF) EV(WD1, M_IGNORED), I(3), BUF(64), I(64))),
    /* a file unlinked while open is still told to its directory under the old name, unless
     * the watch has IN_EXCL_UNLINK */
    CASE("inotify.unlinked_open", INIT, FILE4,
         CALL(inotify_add_watch, W(1), I(3), S("."), I(IN_MODIFY | IN_CLOSE_WRITE | IN_DELETE)),
         CALL(unlink, W(0), S("f")), CALL(write, W(1), I(4), D("a"), I(1)), CALL(close, W(0), I(4)),
         CALLO(read, W(96),
               EVN(WD1, M_DELETE, "f") EVN(WD1, M_MODIFY, "f") EVN(WD1, M_CLOSE_WRITE, "f"), I(3),
               BUF(128), I(128)),
         CALL(open, W(4), S("g"), I(O_RDWR | O_CREAT), I(0644)),
         CALL(inotify_add_watch, W(1), I(3), S("."),
              I(IN_MODIFY | IN_CLOSE_WRITE | IN_DELETE | IN_EXCL_UNLINK)),
         CALL(unlink, W(0), S("g")), CALL(write, W(1), I(4), D("a"), I(1)), CALL(close, W(0), I(4)),
         CALLO(read, W(32), EVN(WD1, M_DELETE, "g"), I(3), BUF(128), I(128))),
    /* rename: IN_MOVED_FROM, IN_MOVED_TO (one cookie), IN_MOVE_SELF on the file */
    CASE("inotify.rename", INIT, FILE4,
         CALL(inotify_add_watch, W(1), I(3), S("."), I(IN_MOVED_FROM | IN_MOVED_TO)),
         CALL(inotify_add_watch, W(2), I(3), S("f"), I(IN_MOVE_SELF)),
         CALL(rename, W(0), S("f"), S("g")),
         CALLAT(read, W(32), 0, WD1 M_MOVED_FROM, I(3), BUF(32), I(32)),
         CALLAT(read, W(32), 4, "\x80\0\0\0", I(3), BUF(32), I(32)),
         CALLO(read, W(16), EV(WD2, M_MOVE_SELF), I(3), BUF(64), I(64)),
         CALL(write, W(1), I(4), D("a"), I(1)),
         CALL(inotify_add_watch, W(1), I(3), S("."), I(IN_MODIFY)),
         CALL(write, W(1), I(4), D("a"), I(1)),
         CALLO(read, W(32), EVN(WD1, M_MODIFY, "g"), I(3), BUF(64), I(64))),
    /* a directory's own watch: its listing, and its removal */
    CASE("inotify.dir_self", INIT, CALL(mkdir, W(0), S("d"), I(0755)),
         CALL(inotify_add_watch, W(1), I(3), S("d"), I(IN_ALL_EVENTS)),
         CALL(open, W(4), S("d"), I(O_RDONLY | O_DIRECTORY), I(0)),
         CALL(getdents64, OK, I(4), BUF(512), I(512)), CALL(close, W(0), I(4)),
         CALLO(read, W(48),
               WD1 "\x20\0\0\x40" NOCOOKIE "\0\0\0\0" WD1 "\1\0\0\x40" NOCOOKIE "\0\0\0\0" WD1
                   "\x10\0\0\x40" NOCOOKIE "\0\0\0\0",
               I(3), BUF(128), I(128)),
         CALL(rmdir, W(0), S("d")),
         CALLO(read, W(32), EV(WD1, M_DELETE_SELF) EV(WD1, M_IGNORED), I(3), BUF(64), I(64))),
    /* poll: readable while events are queued */
    CASE("inotify.poll", INIT, CALL(inotify_add_watch, W(1), I(3), S("."), I(IN_CREATE)),
         CALLO(poll, W(0), PFD3, INOUT(PFD3, 8), I(1), I(0)), FILE4,
         CALLO(poll, W(1), PFD3_IN, INOUT(PFD3, 8), I(1), I(0)),
         CALL(read, W(32), I(3), BUF(64), I(64)),
         CALLO(poll, W(0), PFD3, INOUT(PFD3, 8), I(1), I(0))),
    {NULL, NULL, 0, -1, SC_NO_ARG, 0, 0},
};
