/*
 * console.c - the console as a file: descriptors 0, 1 and 2 of the process.
 *
 * It lives in fs/file (not the syscall layer) because the process layer, below the syscall
 * layer, creates it for a new process; its ioctls reach user memory through the copy
 * functions the caller hands in (struct file_uarg).
 *
 * The console is not a VFS node (the root may be a TFS image without /dev): it is a kind of
 * open file (fs/file/file.h) of its own, one description shared by descriptors 0, 1 and 2
 * as a login shell's tty is; its status flags (O_NONBLOCK) are the description's. It
 * behaves as a tty:
 * TCGETS/TIOCGWINSZ succeed (an 80x24 terminal in cooked mode), so libcs line-buffer stdout
 * and isatty() is true. Output goes to hal_console_write in one call per write. Input is what
 * the HAL has already received: with nothing there a read returns 0 (end of file), or -EAGAIN
 * when the description is O_NONBLOCK - the console never blocks (docs/syscalls.md), so its
 * poll reports it always readable and writable.
 */
#include "core/abi/termios.h"
#include "core/lib/kstring.h"
#include "fs/vfs/vfs.h"
#include "fs/file/file.h"
#include "hal/hal_console.h"
#include "hal/hal_errno.h"


static long console_read(struct file *f, void *buf, size_t n, uint64_t *pos)
{
    size_t got = n ? hal_console_read(buf, n) : 0;

    if (got == 0 && n && (file_flags(f) & VFS_O_NONBLOCK))
        return -EAGAIN;
    return (long)got;
}

static long console_write(struct file *f, const void *buf, size_t n, uint64_t *pos)
{
    if (n)
        hal_console_write(buf, n);
    return (long)n;
}

static void termios_default(struct linux_termios *t)
{
    static const uint8_t cc[19] = {3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22};

    memset(t, 0, sizeof(*t));
    t->c_iflag = 0x500;  /* ICRNL | IXON */
    t->c_oflag = 0x5;    /* OPOST | ONLCR */
    t->c_cflag = 0xbf;   /* B38400 | CS8 | CREAD */
    t->c_lflag = 0x8a3b; /* ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN */
    memcpy(t->c_cc, cc, sizeof(cc));
}

static int console_ioctl(struct file *f, unsigned long req, const struct file_uarg *arg)
{
    struct linux_termios t;
    struct linux_winsize ws = {24, 80, 0, 0};
    int pgrp = 1; /* the one process, pid 1 (core/proc) */

    switch (req) {
    case LINUX_TCGETS:
        termios_default(&t);
        return file_uarg_out(arg, &t, sizeof(t));
    case LINUX_TCSETS:
    case LINUX_TCSETSW:
    case LINUX_TCSETSF: /* accepted (read, checked), not applied: output is never transformed */
        return file_uarg_in(arg, &t, sizeof(t));
    case LINUX_TIOCGWINSZ:
        return file_uarg_out(arg, &ws, sizeof(ws));
    case LINUX_TIOCSWINSZ:
        return file_uarg_in(arg, &ws, sizeof(ws));
    case LINUX_TIOCGPGRP:
        return file_uarg_out(arg, &pgrp, sizeof(pgrp));
    default:
        return -ENOTTY;
    }
}

static int console_stat(struct file *f, struct vfs_stat *st)
{
    memset(st, 0, sizeof(*st));
    st->st_dev = 0x16;
    st->st_ino = 1;
    st->st_nlink = 1;
    st->st_mode = VFS_S_IFCHR | 0620;
    st->st_rdev = VFS_MKDEV(136, 0); /* /dev/pts/0 */
    st->st_blksize = 1024;
    return 0;
}

static int console_fsync(struct file *f, bool datasync)
{
    return -EINVAL; /* as a tty */
}

static const struct file_ops console_ops = {
    .name = "console",
    .read = console_read,
    .write = console_write,
    .ioctl = console_ioctl,
    .stat = console_stat,
    .fsync = console_fsync,
};

struct file *file_console_open(void)
{
    return file_alloc(&console_ops, NULL, VFS_O_RDWR, 0);
}
