/*
 * console.c - the program's standard streams as files: descriptors 0, 1 and 2.
 *
 * It lives in fs/file (not the syscall layer) because the process layer, below the syscall
 * layer, creates the descriptors of a new process; ioctls reach user memory through the copy
 * functions the caller hands in (struct file_uarg). Neither kind is a VFS node (the root may
 * be a TFS image without /dev).
 *
 * Two kinds, chosen once per process by file_console_std():
 *
 * - Streams (hal/hal_stdio.h present: `petrel run`): three descriptions, stdin O_RDONLY,
 *   stdout and stderr O_WRONLY, each a byte-exact channel of its own to the host. They behave
 *   as the pipe or terminal the host has at that end: a read blocks until input arrives or
 *   the input ends (then 0, for ever), a write blocks until every byte is queued (a signal
 *   ends either with the bytes done so far, or -ERESTARTSYS before any); O_NONBLOCK gives
 *   -EAGAIN instead. poll: stdin is readable with data, EPOLLHUP at the end of input (as a
 *   pipe whose writer left); an output stream is writable while the device has room. The
 *   HAL's event function (interrupt context) wakes the stream's queue with those bits, as
 *   every kind does for epoll. A stream whose host end is a terminal answers the tty ioctls
 *   and stats as a character device; the others stat as FIFOs and refuse them (-ENOTTY), as
 *   pipes do, so libcs line-buffer only for a terminal.
 * - The serial console (no streams: scripts/qemu without --streams, hosted tests): one O_RDWR
 *   description on all three descriptors, as a login tty. A tty for the ioctls; output goes
 *   to hal_console_write; input is what the UART already received (no byte: 0, or -EAGAIN
 *   with O_NONBLOCK) - it never blocks, so poll reports it always ready.
 *
 * Interrupt requests (the host's Ctrl-C) go to a hook the layers above install
 * (file_console_set_intr_hook): fs/ cannot send signals itself.
 */
#include "core/abi/termios.h"
#include "core/abi/signal.h"
#include "core/lib/alloc.h"
#include "core/lib/kstring.h"
#include "core/lib/spinlock.h"
#include "fs/file/ldisc.h"
#include "fs/vfs/memfs.h" /* VFS_DEV_TTY */
#include "fs/vfs/vfs.h"
#include "fs/file/file.h"
#include "hal/hal_console.h"
#include "hal/hal_errno.h"
#include "hal/hal_stdio.h"

struct stream {
    unsigned id; /* HAL_STDIO_IN/OUT/ERR */
    struct wait_queue wq;
    struct file *file; /* its description while open (O_ASYNC's signals); atomic */
};

static struct stream streams[HAL_STDIO_NSTREAMS];
/* Guards the terminal's descriptions O_ASYNC signals: streams[].file and the /dev/tty list. */
static struct spinlock ctty_lock = SPINLOCK_INIT("ctty");
static void (*intr_hook)(void *arg);
static void *intr_arg;

void file_console_set_intr_hook(void (*hook)(void *arg), void *arg)
{
    intr_arg = arg;
    __atomic_store_n(&intr_hook, hook, __ATOMIC_RELEASE);
}

/* --- petrel run -t: the line discipline of a terminal stdin -------------------------------- */

/*
 * With the host terminal raw, stdin's bytes go through ldisc (ldisc.c) before a read sees
 * them: as they arrive (the event function, interrupt context, so that Ctrl-C interrupts a
 * program that does not read) and when a read finds nothing. ld_lock (irqsave) covers ld and
 * ld_pend: bytes taken from the device that the line discipline had no room for yet.
 */
static struct ldisc ld;
static bool term_on;
static struct linux_winsize term_ws = {24, 80, 0, 0};
static struct spinlock ld_lock = SPINLOCK_INIT("ldisc");
static char ld_pend[256];
static size_t ld_pend_len, ld_pend_off;
static void (*sig_hook)(void *arg, int sig);
static void *sig_arg;

void file_console_set_signal_hook(void (*hook)(void *arg, int sig), void *arg)
{
    sig_arg = arg;
    __atomic_store_n(&sig_hook, hook, __ATOMIC_RELEASE);
}

void file_console_set_terminal(unsigned rows, unsigned cols)
{
    unsigned r, c;

    if (hal_stdio_winsize(&r, &c)) /* a resize that came before the boot got here wins */
        rows = r, cols = c;
    term_ws.ws_row = (uint16_t)rows;
    term_ws.ws_col = (uint16_t)cols;
    ldisc_init(&ld);
    ld_pend_len = ld_pend_off = 0;
    term_on = true;
}

static bool ld_active(void)
{
    return term_on && hal_stdio_is_tty(HAL_STDIO_IN);
}

static void ld_echo(void *arg, const char *bytes, size_t n)
{
    (void)arg;
    hal_stdio_write(HAL_STDIO_OUT, bytes, n); /* best effort, as n_tty's echo buffer */
}

static void ld_signal(void *arg, int sig)
{
    void (*hook)(void *, int) = __atomic_load_n(&sig_hook, __ATOMIC_ACQUIRE);

    (void)arg;
    if (hook)
        hook(sig_arg, sig);
}

/* Feed what the device holds to the line discipline (ld_lock held). */
static void ld_pump_locked(void)
{
    static const struct ldisc_ops ops = {ld_echo, ld_signal, NULL};

    for (;;) {
        if (ld_pend_off == ld_pend_len) {
            ld_pend_off = 0;
            ld_pend_len = hal_stdio_read(ld_pend, sizeof(ld_pend));
            if (ld_pend_len == 0)
                return;
        }
        ld_pend_off += ldisc_input(&ld, ld_pend + ld_pend_off, ld_pend_len - ld_pend_off, &ops);
        if (ld_pend_off < ld_pend_len)
            return; /* full: the rest waits for a read */
    }
}

/* Pump; whether a read got something new (a line completed in canonical mode, any byte
 * without): what n_tty signals O_ASYNC for, not every key typed while a line waits. */
static bool ld_pump(void)
{
    uint64_t irq = spin_lock_irqsave(&ld_lock);
    unsigned before = ld.news;

    ld_pump_locked();
    before = ld.news - before;
    spin_unlock_irqrestore(&ld_lock, irq);
    return before != 0;
}

/* A read's bytes: count, or 0 with *eof (VEOF typed) or without (nothing yet). */
static size_t ld_take(char *buf, size_t n, bool *eof)
{
    uint64_t irq = spin_lock_irqsave(&ld_lock);
    size_t k;

    ld_pump_locked();
    k = ldisc_read(&ld, buf, n, eof);
    ld_pump_locked(); /* room was made */
    spin_unlock_irqrestore(&ld_lock, irq);
    return k;
}

static bool ld_readable(void)
{
    uint64_t irq = spin_lock_irqsave(&ld_lock);
    bool r = ldisc_readable(&ld);

    spin_unlock_irqrestore(&ld_lock, irq);
    return r;
}

/*
 * A new window size (the host terminal resized, or TIOCSWINSZ): as Linux's tty_do_resize,
 * SIGWINCH goes to the program only when the size changed. ld_lock orders it with readers.
 */
#define SIGWINCH_NR 28 /* LINUX_SIGWINCH */
static void ld_resize(const struct linux_winsize *ws)
{
    uint64_t irq = spin_lock_irqsave(&ld_lock);
    bool changed = memcmp(&term_ws, ws, sizeof(*ws)) != 0;

    term_ws = *ws;
    spin_unlock_irqrestore(&ld_lock, irq);
    if (changed)
        ld_signal(NULL, SIGWINCH_NR);
}

/* TCGETS/TCSETS* and the window size, on the line discipline's state. */
static int ld_ioctl(unsigned long req, const struct file_uarg *arg)
{
    struct linux_termios t;
    struct linux_winsize ws;
    uint64_t irq;
    int rc;

    switch (req) {
    case LINUX_TCGETS:
        irq = spin_lock_irqsave(&ld_lock);
        t = ld.t;
        spin_unlock_irqrestore(&ld_lock, irq);
        return file_uarg_out(arg, &t, sizeof(t));
    case LINUX_TCSETS:
    case LINUX_TCSETSW:
    case LINUX_TCSETSF:
        if ((rc = file_uarg_in(arg, &t, sizeof(t))))
            return rc;
        irq = spin_lock_irqsave(&ld_lock);
        if (req == LINUX_TCSETSF) { /* flush the input not read yet */
            ld.line_len = ld.ready_len = 0;
            ld.nends = 0;
        }
        ldisc_set(&ld, &t);
        spin_unlock_irqrestore(&ld_lock, irq);
        return 0;
    case LINUX_TIOCGWINSZ:
        irq = spin_lock_irqsave(&ld_lock);
        ws = term_ws;
        spin_unlock_irqrestore(&ld_lock, irq);
        return file_uarg_out(arg, &ws, sizeof(ws));
    case LINUX_TIOCSWINSZ:
        if ((rc = file_uarg_in(arg, &ws, sizeof(ws))))
            return rc;
        ld_resize(&ws);
        return 0;
    default:
        return 1; /* not one of these: tty_ioctl answers */
    }
}

static void tty_async_input(void);

/* The HAL's event function: interrupt context, never sleeps. */
static void stream_event(void *arg, unsigned ev)
{
    (void)arg;
    if (ev & HAL_STDIO_EV_IN) {
        if (!ld_active() || ld_pump())
            tty_async_input();
        wq_wake_key(&streams[HAL_STDIO_IN].wq,
                    LINUX_EPOLLIN | LINUX_EPOLLRDNORM | LINUX_EPOLLHUP, 0);
    }
    if (ev & HAL_STDIO_EV_OUT) {
        wq_wake_key(&streams[HAL_STDIO_OUT].wq, LINUX_EPOLLOUT | LINUX_EPOLLWRNORM, 0);
        wq_wake_key(&streams[HAL_STDIO_ERR].wq, LINUX_EPOLLOUT | LINUX_EPOLLWRNORM, 0);
    }
    unsigned rows, cols;
    if ((ev & HAL_STDIO_EV_WINCH) && term_on && hal_stdio_winsize(&rows, &cols)) {
        struct linux_winsize ws = {(uint16_t)rows, (uint16_t)cols, 0, 0};
        ld_resize(&ws);
    }
    void (*hook)(void *) = __atomic_load_n(&intr_hook, __ATOMIC_ACQUIRE);
    if ((ev & HAL_STDIO_EV_INTR) && hook)
        hook(intr_arg);
}

/* --- the tty side, shared by both kinds -------------------------------------------------- */

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

static int tty_ioctl(unsigned long req, const struct file_uarg *arg)
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

static void tty_stat(struct vfs_stat *st, unsigned ino)
{
    memset(st, 0, sizeof(*st));
    st->st_dev = 0x16;
    st->st_ino = ino;
    st->st_nlink = 1;
    st->st_mode = VFS_S_IFCHR | 0620;
    st->st_rdev = VFS_MKDEV(136, 0); /* /dev/pts/0 */
    st->st_blksize = 1024;
}

static int tty_fsync(struct file *f, bool datasync)
{
    return -EINVAL; /* as a tty (and a pipe) */
}

/* --- the serial console ---------------------------------------------------------------------- */

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

static int console_ioctl(struct file *f, unsigned long req, const struct file_uarg *arg)
{
    return tty_ioctl(req, arg);
}

static int console_stat(struct file *f, struct vfs_stat *st)
{
    tty_stat(st, 1);
    return 0;
}

static const struct file_ops console_ops = {
    .name = "console",
    .read = console_read,
    .write = console_write,
    .ioctl = console_ioctl,
    .stat = console_stat,
    .fsync = tty_fsync,
};

struct file *file_console_open(void)
{
    return file_alloc(&console_ops, NULL, VFS_O_RDWR, 0);
}

/* --- the streams ----------------------------------------------------------------------------- */

/* Sleep on s until cond(s) holds or a signal comes: 0, or -ERESTARTSYS. */
static int stream_wait(struct stream *s, bool (*cond)(struct stream *))
{
    struct waiter w;
    struct wait_entry e;
    int rc = 0;

    waiter_init(&w);
    wait_entry_init(&e, waiter_wake_fn, &w);
    wq_add(&s->wq, &e);
    while (!cond(s)) {
        if (waiter_sleep(&w, UINT64_MAX, true)) {
            rc = -ERESTARTSYS;
            break;
        }
        waiter_reset(&w);
    }
    wq_remove(&e);
    return rc;
}

static bool in_ready(struct stream *s)
{
    if (ld_active())
        return ld_readable() || ((hal_stdio_ready(s->id) & HAL_STDIO_R_EOF) && !ld_pend_len);
    return hal_stdio_ready(s->id) & (HAL_STDIO_R_DATA | HAL_STDIO_R_EOF);
}

static bool out_ready(struct stream *s)
{
    return hal_stdio_ready(s->id) & HAL_STDIO_R_ROOM;
}

static long stream_read_on(struct stream *s, struct file *f, void *buf, size_t n)
{
    if (n == 0)
        return 0;
    for (;;) {
        bool eof = false;
        size_t got = ld_active() ? ld_take(buf, n, &eof) : hal_stdio_read(buf, n);
        if (got)
            return (long)got;
        if (eof)
            return 0; /* VEOF at a line's start */
        if (hal_stdio_ready(s->id) & HAL_STDIO_R_EOF)
            return 0;
        if (file_flags(f) & VFS_O_NONBLOCK)
            return -EAGAIN;
        int rc = stream_wait(s, in_ready);
        if (rc)
            return rc;
    }
}

static long stream_read(struct file *f, void *buf, size_t n, uint64_t *pos)
{
    return stream_read_on(f->priv, f, buf, n);
}

static long stream_write_on(struct stream *s, struct file *f, const void *buf, size_t n)
{
    size_t done = 0;

    while (done < n) {
        long k = hal_stdio_write(s->id, (const char *)buf + done, n - done);
        if (k < 0)
            return done ? (long)done : k;
        done += (size_t)k;
        if (done == n || k > 0)
            continue;
        if (file_flags(f) & VFS_O_NONBLOCK)
            return done ? (long)done : -EAGAIN;
        int rc = stream_wait(s, out_ready);
        if (rc)
            return done ? (long)done : rc;
    }
    return (long)done;
}

static long stream_write(struct file *f, const void *buf, size_t n, uint64_t *pos)
{
    return stream_write_on(f->priv, f, buf, n);
}

static unsigned stream_poll_on(struct stream *s, struct poll_table *pt)
{
    unsigned r, mask = 0;

    poll_wait(pt, &s->wq);
    r = hal_stdio_ready(s->id);
    if (s->id == HAL_STDIO_IN && ld_active())
        r = (r & ~HAL_STDIO_R_DATA) | (ld_readable() ? HAL_STDIO_R_DATA : 0);
    if (r & HAL_STDIO_R_DATA)
        mask |= LINUX_EPOLLIN | LINUX_EPOLLRDNORM;
    if (r & HAL_STDIO_R_EOF)
        mask |= LINUX_EPOLLHUP;
    if (r & HAL_STDIO_R_ROOM)
        mask |= LINUX_EPOLLOUT | LINUX_EPOLLWRNORM;
    return mask;
}

static unsigned stream_poll(struct file *f, struct poll_table *pt)
{
    return stream_poll_on(f->priv, pt);
}

static int stream_ioctl_on(struct stream *s, unsigned long req, const struct file_uarg *arg)
{
    if (!hal_stdio_is_tty(s->id))
        return -ENOTTY;
    if (ld_active()) {
        int rc = ld_ioctl(req, arg);
        if (rc != 1)
            return rc;
    }
    return tty_ioctl(req, arg);
}

static int stream_ioctl(struct file *f, unsigned long req, const struct file_uarg *arg)
{
    return stream_ioctl_on(f->priv, req, arg);
}

static int stream_stat(struct file *f, struct vfs_stat *st)
{
    struct stream *s = f->priv;

    if (hal_stdio_is_tty(s->id)) {
        tty_stat(st, 2 + s->id);
        return 0;
    }
    memset(st, 0, sizeof(*st)); /* as a pipe's end: pipefs, mode 0600 */
    st->st_dev = 0xd;
    st->st_ino = 2 + s->id;
    st->st_nlink = 1;
    st->st_mode = VFS_S_IFIFO | 0600;
    st->st_blksize = 4096;
    return 0;
}

static unsigned streams_open; /* stream descriptions alive (atomic) */

static void stream_release(struct file *f)
{
    struct stream *s = f->priv;
    uint64_t irq = spin_lock_irqsave(&ctty_lock);

    if (s->file == f) /* no signal reaches a description that is going */
        __atomic_store_n(&s->file, NULL, __ATOMIC_RELEASE);
    spin_unlock_irqrestore(&ctty_lock, irq);
    __atomic_fetch_sub(&streams_open, 1, __ATOMIC_ACQ_REL);
}

static const struct file_ops stream_ops = {
    .name = "stdio",
    .release = stream_release,
    .read = stream_read,
    .write = stream_write,
    .ioctl = stream_ioctl,
    .stat = stream_stat,
    .poll = stream_poll,
    .fsync = tty_fsync,
};

/* A stream whose host end is a terminal signals O_ASYNC (input: tty_async_input). */
static unsigned stream_mode(unsigned id)
{
    return hal_stdio_is_tty(id) ? FILE_MODE_ASYNC : 0;
}

int file_console_std(struct file *out[3])
{
    uint64_t irq;

    if (!hal_stdio_present()) {
        out[0] = file_console_open();
        if (!out[0])
            return -ENOMEM;
        file_get(out[0]);
        file_get(out[0]);
        out[1] = out[2] = out[0];
        return 0;
    }
    if (__atomic_load_n(&streams_open, __ATOMIC_ACQUIRE) == 0) {
        /* nobody waits on the queues (a hosted reboot may have left them stale): fresh */
        for (unsigned i = 0; i < HAL_STDIO_NSTREAMS; i++) {
            streams[i].id = i;
            wq_init(&streams[i].wq, "stdio");
        }
        hal_stdio_set_event(stream_event, NULL);
    }
    for (unsigned i = 0; i < 3; i++) {
        out[i] = file_alloc(&stream_ops, &streams[i], i ? VFS_O_WRONLY : VFS_O_RDONLY,
                            stream_mode(i));
        if (!out[i]) {
            while (i--)
                file_put(out[i]);
            return -ENOMEM;
        }
        irq = spin_lock_irqsave(&ctty_lock);
        __atomic_store_n(&streams[i].file, out[i], __ATOMIC_RELEASE);
        spin_unlock_irqrestore(&ctty_lock, irq);
        __atomic_fetch_add(&streams_open, 1, __ATOMIC_ACQ_REL);
    }
    return 0;
}

/* --- /dev/tty: the controlling terminal -------------------------------------------------- */

/*
 * What the process has as its controlling terminal (docs/petrel.md "Controlling terminal"),
 * by what a user expects of a program started from a shell:
 *   - the serial console (no streams: scripts/qemu, hosted tests) is one, as a login tty;
 *   - with the streams (`petrel run`), the host terminal is one when stdin's host end is a
 *     terminal and so is stdout's or stderr's (a program run from a terminal, with or
 *     without -t): /dev/tty reads stdin's stream (through the line discipline under -t),
 *     writes to stdout's (or stderr's when only that one is a terminal) and answers stdin's
 *     ioctls;
 *   - otherwise there is none and opening /dev/tty is -ENXIO, as on Linux for a process
 *     without one (setsid, or started with stdin from a pipe under a session with no tty).
 *     Petrel cannot reach a terminal that is not one of its streams: `petrel run prog <file`
 *     from a terminal has none here, where Linux would still open the terminal.
 * Each open makes a description of its own (fstat shows the /dev/tty node, as on Linux).
 * With the streams it signals O_ASYNC on input, as every tty stream does (tty_async_input).
 */
struct ctty {
    struct vfs_file *vf; /* the /dev/tty node's description (fstat) */
    struct file *f;
    struct list_node node; /* on cttys while open */
};

static struct list cttys = {{&cttys.head, &cttys.head}}; /* ctty_lock */

/* The stream /dev/tty writes to: stdout's, or stderr's, whichever is a terminal first. */
static struct stream *ctty_out(void)
{
    if (hal_stdio_is_tty(HAL_STDIO_OUT))
        return &streams[HAL_STDIO_OUT];
    return hal_stdio_is_tty(HAL_STDIO_ERR) ? &streams[HAL_STDIO_ERR] : NULL;
}

bool file_console_has_ctty(void)
{
    if (!hal_stdio_present())
        return true;
    return hal_stdio_is_tty(HAL_STDIO_IN) && ctty_out() != NULL;
}

static long ctty_read(struct file *f, void *buf, size_t n, uint64_t *pos)
{
    if (!hal_stdio_present())
        return console_read(f, buf, n, pos);
    return stream_read_on(&streams[HAL_STDIO_IN], f, buf, n);
}

static long ctty_write(struct file *f, const void *buf, size_t n, uint64_t *pos)
{
    if (!hal_stdio_present())
        return console_write(f, buf, n, pos);
    return stream_write_on(ctty_out(), f, buf, n);
}

static int ctty_ioctl(struct file *f, unsigned long req, const struct file_uarg *arg)
{
    if (!hal_stdio_present())
        return tty_ioctl(req, arg);
    return stream_ioctl_on(&streams[HAL_STDIO_IN], req, arg);
}

/* Readable as stdin, writable as the output stream; the serial console is always ready. */
static unsigned ctty_poll(struct file *f, struct poll_table *pt)
{
    unsigned in, out;

    if (!hal_stdio_present())
        return LINUX_EPOLLIN | LINUX_EPOLLRDNORM | LINUX_EPOLLOUT | LINUX_EPOLLWRNORM;
    in = stream_poll_on(&streams[HAL_STDIO_IN], pt);
    out = stream_poll_on(ctty_out(), pt);
    return (in & (LINUX_EPOLLIN | LINUX_EPOLLRDNORM | LINUX_EPOLLHUP)) |
           (out & (LINUX_EPOLLOUT | LINUX_EPOLLWRNORM));
}

static int ctty_stat(struct file *f, struct vfs_stat *st)
{
    return vfs_fstat(((struct ctty *)f->priv)->vf, st);
}

static void ctty_release(struct file *f)
{
    struct ctty *c = f->priv;
    uint64_t irq = spin_lock_irqsave(&ctty_lock);

    list_remove(&c->node);
    spin_unlock_irqrestore(&ctty_lock, irq);
    if (hal_stdio_present())
        __atomic_fetch_sub(&streams_open, 1, __ATOMIC_ACQ_REL);
    vfs_file_put(c->vf);
    kfree(c);
}

static const struct file_ops ctty_ops = {
    .name = "tty",
    .read = ctty_read,
    .write = ctty_write,
    .ioctl = ctty_ioctl,
    .stat = ctty_stat,
    .poll = ctty_poll,
    .fsync = tty_fsync,
    .release = ctty_release,
};

/* /dev/tty's open_file hook (vfs.h struct vfs_chrdev_ops): vf's reference passes to the new
 * description on success. */
static int ctty_open(struct vfs_file *vf, void *priv, struct file **out)
{
    struct ctty *c;
    uint64_t irq;

    (void)priv;
    *out = NULL;
    if (!file_console_has_ctty())
        return -ENXIO;
    if (!(c = kzalloc(sizeof(*c))))
        return -ENOMEM;
    c->vf = vf;
    c->f = file_alloc(&ctty_ops, c, vf->flags & ~(unsigned)(VFS_O_CREAT | VFS_O_EXCL),
                      hal_stdio_present() ? FILE_MODE_ASYNC : 0);
    if (!c->f) {
        kfree(c);
        return -ENOMEM;
    }
    if (hal_stdio_present())
        __atomic_fetch_add(&streams_open, 1, __ATOMIC_ACQ_REL);
    irq = spin_lock_irqsave(&ctty_lock);
    list_push_back(&cttys, &c->node);
    spin_unlock_irqrestore(&ctty_lock, irq);
    *out = c->f;
    return 0;
}

static const struct vfs_chrdev_ops ctty_dev = {.open_file = ctty_open};

int file_console_register_tty(void)
{
    int rc = vfs_chrdev_register(VFS_DEV_TTY, &ctty_dev, NULL);

    return rc == -EBUSY ? 0 : rc;
}

bool file_console_is_tty(struct file *f)
{
    if (f->ops == &ctty_ops || f->ops == &console_ops)
        return true;
    return f->ops == &stream_ops && hal_stdio_is_tty(((struct stream *)f->priv)->id);
}

/*
 * Input arrived (interrupt context): O_ASYNC's POLL_IN to every description of the terminal
 * (the tty streams and the /dev/tty descriptions) once it is readable, as n_tty signals each
 * input that gives a read something new (with -t's canonical mode, a line completed: keys
 * typed while an earlier line waits unread signal nothing, checked natively on a pty).
 * file_sigio does nothing for a description without O_ASYNC.
 */
static void tty_async_input(void)
{
    uint64_t irq;

    if (!hal_stdio_is_tty(HAL_STDIO_IN) || !in_ready(&streams[HAL_STDIO_IN]))
        return;
    irq = spin_lock_irqsave(&ctty_lock);
    for (unsigned i = 0; i < HAL_STDIO_NSTREAMS; i++) {
        struct file *f = __atomic_load_n(&streams[i].file, __ATOMIC_ACQUIRE);

        if (f && hal_stdio_is_tty(i))
            file_sigio(f, LINUX_POLL_IN);
    }
    list_for_each(&cttys, n)
        file_sigio(container_of(n, struct ctty, node)->f, LINUX_POLL_IN);
    spin_unlock_irqrestore(&ctty_lock, irq);
}
