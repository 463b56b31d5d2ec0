/*
 * test_stdio.c - the standard-stream kind of fs/file/console.c over the hosted streams
 * (hal_hosted/stdio.c): separate descriptions for 0, 1 and 2; a blocked read woken by input
 * and by the end of input (then 0 for ever); poll masks and wakes with the epoll keys; a
 * writer blocked on a full output woken when the host drains it; O_NONBLOCK; interrupted
 * waits (-ERESTARTSYS, or the bytes done); the interrupt hook; tty answers only for a stream
 * whose host end is a terminal; the serial console when the streams are absent; a terminal's
 * window size changed by the host or by TIOCSWINSZ raising SIGWINCH only when it changes;
 * /dev/tty (the controlling terminal in each mode, -ENXIO without one) and the terminal's
 * O_ASYNC signals on input. The pipe
 * answers (poll masks, EPOLLHUP at the end, ENOTTY, S_IFIFO) are Linux's for a pipe's ends.
 */
#include "vt.h"

#include "core/abi/fcntl.h"
#include "core/abi/signal.h"
#include "core/abi/termios.h"
#include "core/signal/sigio.h"
#include "fs/file/file.h"
#include "fs/vfs/memfs.h"
#include "hal/hal_errno.h"
#include "hal/hal_stdio.h"
#include "hal_hosted/hosted.h"

static long rd(struct file *f, void *buf, size_t n)
{
    return file_read(f, buf, n, &f->pos);
}

static long wr(struct file *f, const void *buf, size_t n)
{
    return file_write(f, buf, n, &f->pos);
}

static void put3(struct file *s[3])
{
    for (int i = 0; i < 3; i++)
        file_put(s[i]);
}

static int ucopy_out(uint64_t uaddr, const void *src, size_t n)
{
    memcpy((void *)(uintptr_t)uaddr, src, n);
    return 0;
}

static int ucopy_in(void *dst, uint64_t uaddr, size_t n)
{
    memcpy(dst, (const void *)(uintptr_t)uaddr, n);
    return 0;
}

VT_CASE(absent_streams_give_the_console)
{
    struct file *s[3];

    hosted_stdio_disable();
    VT_EQ(file_console_std(s), 0);
    VT_CHECK(s[0] == s[1] && s[1] == s[2]);
    VT_EQ(file_flags(s[0]) & 3, VFS_O_RDWR);
    put3(s);
}

/* --- reading ----------------------------------------------------------------------------- */

static long reader_result;
static char reader_buf[64];

static void blocked_reader(void *arg)
{
    reader_result = rd(arg, reader_buf, sizeof(reader_buf));
}

VT_CASE(read_blocks_until_input_then_eof)
{
    struct file *s[3];
    char c;

    hosted_stdio_enable(0, 0);
    VT_EQ(file_console_std(s), 0);
    VT_CHECK(s[0] != s[1] && s[1] != s[2]);
    VT_EQ(file_flags(s[0]) & 3, VFS_O_RDONLY);
    VT_EQ(file_flags(s[1]) & 3, VFS_O_WRONLY);
    VT_EQ(file_poll(s[0], NULL), 0);
    reader_result = 1;
    struct thread *t = thread_create("reader", blocked_reader, s[0]);
    thread_yield(); /* the reader blocks: nothing to read yet */
    VT_EQ(reader_result, 1);
    VT_EQ(hosted_stdio_input("hello", 5), 0);
    VT_EQ(thread_join(t), 0);
    VT_EQ(reader_result, 5);
    VT_CHECK(memcmp(reader_buf, "hello", 5) == 0);
    VT_EQ(hosted_stdio_input("ab", 2), 0);
    VT_EQ(file_poll(s[0], NULL), LINUX_EPOLLIN | LINUX_EPOLLRDNORM);
    VT_EQ(rd(s[0], &c, 1), 1);
    VT_EQ(c, 'a');
    t = thread_create("reader", blocked_reader, s[0]);
    VT_EQ(thread_join(t), 0); /* data there: no wait */
    VT_EQ(reader_result, 1);
    reader_result = 1;
    t = thread_create("reader", blocked_reader, s[0]);
    thread_yield();
    VT_EQ(reader_result, 1);
    hosted_stdio_input_end();
    VT_EQ(thread_join(t), 0);
    VT_EQ(reader_result, 0); /* the end of input */
    VT_EQ(rd(s[0], &c, 1), 0); /* and for ever */
    VT_EQ(file_poll(s[0], NULL), LINUX_EPOLLHUP);
    put3(s);
    hosted_stdio_disable();
}

VT_CASE(nonblocking_and_interrupted_read)
{
    struct file *s[3];
    char c;

    hosted_stdio_enable(0, 0);
    VT_EQ(file_console_std(s), 0);
    VT_EQ(file_setfl(s[0], VFS_O_NONBLOCK, VFS_O_NONBLOCK), 0);
    VT_EQ(rd(s[0], &c, 1), -EAGAIN);
    VT_EQ(file_setfl(s[0], VFS_O_NONBLOCK, 0), 0);
    reader_result = 1;
    struct thread *t = thread_create("reader", blocked_reader, s[0]);
    thread_yield();
    thread_interrupt(t);
    VT_EQ(thread_join(t), 0);
    VT_EQ(reader_result, -ERESTARTSYS);
    VT_EQ(rd(s[0], &c, 0), 0);
    put3(s);
    hosted_stdio_disable();
}

/* --- poll registration: a wake carries the epoll bits ------------------------------------------ */

static unsigned woken_key;

static int record_key(struct wait_entry *e, unsigned key)
{
    woken_key |= key;
    return 1;
}

static struct wait_entry poll_entry;

static void queue_entry(struct poll_table *pt, struct wait_queue *wq)
{
    wq_add(wq, &poll_entry);
}

VT_CASE(poll_wakes_with_keys)
{
    struct file *s[3];
    struct poll_table pt = {queue_entry};
    char buf[8];

    hosted_stdio_enable(4, 0);
    VT_EQ(file_console_std(s), 0);
    wait_entry_init(&poll_entry, record_key, NULL);
    woken_key = 0;
    VT_EQ(file_poll(s[0], &pt), 0);
    VT_EQ(hosted_stdio_input("x", 1), 0);
    VT_CHECK(woken_key & LINUX_EPOLLIN);
    wq_remove(&poll_entry);
    VT_EQ(file_poll(s[1], NULL), LINUX_EPOLLOUT | LINUX_EPOLLWRNORM);
    VT_EQ(wr(s[1], "abcd", 4), 4);
    woken_key = 0;
    VT_EQ(file_poll(s[1], &pt), 0); /* full */
    VT_EQ(hosted_stdio_take(HAL_STDIO_OUT, buf, 2), 2);
    VT_CHECK(woken_key & LINUX_EPOLLOUT);
    wq_remove(&poll_entry);
    VT_EQ(file_poll(s[1], NULL), LINUX_EPOLLOUT | LINUX_EPOLLWRNORM);
    put3(s);
    hosted_stdio_disable();
}

/* --- writing ------------------------------------------------------------------------------------ */

static long writer_result;

static void big_writer(void *arg)
{
    static char data[100];

    for (int i = 0; i < 100; i++)
        data[i] = (char)i;
    writer_result = wr(arg, data, sizeof(data));
}

VT_CASE(write_blocks_until_the_host_drains)
{
    struct file *s[3];
    char out[200];
    size_t got = 0;

    hosted_stdio_enable(16, 0);
    VT_EQ(file_console_std(s), 0);
    writer_result = 0;
    struct thread *t = thread_create("writer", big_writer, s[1]);
    thread_yield(); /* 16 bytes fit, then it waits */
    VT_EQ(writer_result, 0);
    while (got < 100) {
        got += hosted_stdio_take(HAL_STDIO_OUT, out + got, sizeof(out) - got);
        thread_yield();
    }
    VT_EQ(thread_join(t), 0);
    VT_EQ(writer_result, 100);
    for (int i = 0; i < 100; i++)
        VT_EQ(out[i], (char)i);
    VT_EQ(hosted_stdio_take(HAL_STDIO_ERR, out, 1), 0); /* stderr saw nothing */
    VT_EQ(wr(s[2], "e", 1), 1);
    VT_EQ(hosted_stdio_take(HAL_STDIO_ERR, out, 10), 1);
    VT_EQ(hosted_stdio_take(HAL_STDIO_OUT, out, 10), 0);
    /* O_NONBLOCK: what fits, then -EAGAIN */
    VT_EQ(file_setfl(s[1], VFS_O_NONBLOCK, VFS_O_NONBLOCK), 0);
    VT_EQ(wr(s[1], out, 20), 16);
    VT_EQ(wr(s[1], out, 1), -EAGAIN);
    put3(s);
    hosted_stdio_disable();
}

VT_CASE(interrupted_write_returns_what_it_wrote)
{
    struct file *s[3];

    hosted_stdio_enable(10, 0);
    VT_EQ(file_console_std(s), 0);
    writer_result = 0;
    struct thread *t = thread_create("writer", big_writer, s[1]);
    thread_yield();
    thread_interrupt(t);
    VT_EQ(thread_join(t), 0);
    VT_EQ(writer_result, 10);
    writer_result = 0;
    t = thread_create("writer", big_writer, s[1]); /* full: nothing goes */
    thread_yield();
    thread_interrupt(t);
    VT_EQ(thread_join(t), 0);
    VT_EQ(writer_result, -ERESTARTSYS);
    put3(s);
    hosted_stdio_disable();
}

/* --- interrupt requests, tty answers, stat ------------------------------------------------------ */

static int intrs;

static void count_intr(void *arg)
{
    intrs += arg == &intrs;
}

VT_CASE(intr_hook_tty_and_stat)
{
    struct file *s[3];
    struct linux_termios t;
    struct file_uarg ua = {(uint64_t)(uintptr_t)&t, ucopy_in, ucopy_out};
    struct vfs_stat st;

    hosted_stdio_enable(0, 1u << HAL_STDIO_OUT); /* only stdout is a terminal */
    VT_EQ(file_console_std(s), 0);
    intrs = 0;
    file_console_set_intr_hook(count_intr, &intrs);
    hosted_stdio_interrupt();
    hosted_stdio_interrupt();
    VT_EQ(intrs, 2);
    file_console_set_intr_hook(NULL, NULL);
    hosted_stdio_interrupt();
    VT_EQ(intrs, 2);
    VT_EQ(file_ioctl(s[0], LINUX_TCGETS, &ua), -ENOTTY);
    VT_EQ(file_ioctl(s[1], LINUX_TCGETS, &ua), 0);
    VT_EQ(t.c_lflag & 0x2, 0x2); /* ICANON */
    VT_EQ(file_ioctl(s[2], LINUX_TCGETS, &ua), -ENOTTY);
    VT_EQ(file_stat(s[0], &st), 0);
    VT_EQ(st.st_mode, VFS_S_IFIFO | 0600);
    VT_EQ(file_stat(s[1], &st), 0);
    VT_EQ(st.st_mode, VFS_S_IFCHR | 0620);
    VT_EQ(file_lseek(s[0], 0, 0), -ESPIPE);
    /* status lines to the host (the boot's "started") */
    char line[16];
    hal_stdio_control("started\n", 8);
    VT_EQ(hosted_stdio_take(HAL_STDIO_NSTREAMS, line, sizeof(line)), 8);
    VT_CHECK(memcmp(line, "started\n", 8) == 0);
    put3(s);
    hosted_stdio_disable();
}

/* --- petrel run -t: the window size (last: the terminal stays on for the process) ---------- */

static int winches;

static void count_winch(void *arg, int sig)
{
    winches += arg == &winches && sig == 28; /* SIGWINCH */
}

VT_CASE(window_size_changes_raise_sigwinch)
{
    struct file *s[3];
    struct linux_winsize ws;
    struct file_uarg ua = {(uint64_t)(uintptr_t)&ws, ucopy_in, ucopy_out};

    hosted_stdio_enable(0, 7); /* three terminals, as petrel run -t on a tty */
    VT_EQ(file_console_std(s), 0);
    file_console_set_terminal(33, 101);
    winches = 0;
    file_console_set_signal_hook(count_winch, &winches);
    VT_EQ(file_ioctl(s[0], LINUX_TIOCGWINSZ, &ua), 0);
    VT_EQ(ws.ws_row, 33);
    VT_EQ(ws.ws_col, 101);
    hosted_stdio_winsize(40, 120); /* the host terminal resized */
    VT_EQ(winches, 1);
    VT_EQ(file_ioctl(s[1], LINUX_TIOCGWINSZ, &ua), 0);
    VT_EQ(ws.ws_row, 40);
    VT_EQ(ws.ws_col, 120);
    hosted_stdio_winsize(40, 120); /* the same size: no signal (Linux's tty_do_resize) */
    VT_EQ(winches, 1);
    ws.ws_row = 50; /* the program's own TIOCSWINSZ: a change signals too, a repeat not */
    VT_EQ(file_ioctl(s[0], LINUX_TIOCSWINSZ, &ua), 0);
    VT_EQ(file_ioctl(s[0], LINUX_TIOCSWINSZ, &ua), 0);
    VT_EQ(winches, 2);
    VT_EQ(file_ioctl(s[2], LINUX_TIOCGWINSZ, &ua), 0);
    VT_EQ(ws.ws_row, 50);
    file_console_set_signal_hook(NULL, NULL);
    put3(s);
    hosted_stdio_disable();
}

/* --- /dev/tty: the controlling terminal -------------------------------------------------------- */

static int sigios, sigio_last;

static int record_sigio(const struct file_owner *o, int sig, const struct linux_siginfo *si)
{
    sigios++;
    sigio_last = sig;
    return 0;
}

/* Open /dev/tty as sys_file.c's open_file does: the node's description, then its driver's
 * open_file hook makes the controlling terminal's description. 0 or -errno. */
static int open_ctty(struct file **f)
{
    struct vfs_file *vf;
    int rc = vfs_openat(NULL, "/dev/tty", VFS_O_RDWR, 0, &vf);

    if (rc)
        return rc;
    if (!vf->cdev || !vf->cdev->open_file) {
        vfs_file_put(vf);
        return -EINVAL;
    }
    rc = vf->cdev->open_file(vf, vf->cdev_priv, f);
    if (rc)
        vfs_file_put(vf);
    return rc;
}

VT_CASE(dev_tty_is_the_controlling_terminal)
{
    struct file *s[3], *t;
    struct linux_termios tio;
    struct file_uarg ua = {(uint64_t)(uintptr_t)&tio, ucopy_in, ucopy_out};
    struct vfs_stat st;
    struct vfs_file *vf;
    char c[4];

    vt_memfs_root();
    VT_EQ(vfs_devices_register(), 0);
    VT_EQ(vfs_mkdirat(NULL, "/dev", 0755), 0);
    VT_EQ(vfs_devices_populate(NULL, "/dev"), 0);
    VT_EQ(vfs_openat(NULL, "/dev/tty", VFS_O_RDWR, 0, &vf), -ENXIO); /* no driver yet */
    VT_EQ(file_console_register_tty(), 0);
    VT_EQ(file_console_register_tty(), 0); /* idempotent */
    hosted_stdio_disable(); /* the serial console: a login tty */
    VT_CHECK(file_console_has_ctty());
    VT_EQ(open_ctty(&t), 0);
    VT_EQ(file_ioctl(t, LINUX_TCGETS, &ua), 0);
    VT_EQ(file_stat(t, &st), 0); /* the /dev/tty node, as Linux's fstat */
    VT_EQ(st.st_mode, VFS_S_IFCHR | 0666);
    VT_EQ(st.st_rdev, VFS_MKDEV(5, 0));
    file_put(t);
    hosted_stdio_enable(0, 0); /* petrel run with pipes: none */
    VT_EQ(open_ctty(&t), -ENXIO);
    hosted_stdio_enable(0, 1u << HAL_STDIO_IN); /* a terminal stdin, output to files: none */
    VT_EQ(open_ctty(&t), -ENXIO);
    hosted_stdio_enable(0, 7); /* from a terminal, with -t */
    VT_EQ(file_console_std(s), 0);
    file_console_set_terminal(24, 80);
    VT_EQ(open_ctty(&t), 0);
    VT_EQ(file_ioctl(t, LINUX_TCGETS, &ua), 0);
    VT_EQ(file_write(t, "hi", 2, NULL), 2);
    VT_EQ(hosted_stdio_take(HAL_STDIO_OUT, c, sizeof(c)), 2); /* written to the terminal */
    VT_CHECK(memcmp(c, "hi", 2) == 0);
    /* O_ASYNC: input signals /dev/tty's description and stdin's, each once */
    sigios = 0;
    file_set_owner_hook(record_sigio);
    file_owner_set(t, 1, LINUX_F_OWNER_PID, 1);
    file_owner_set(s[0], 1, LINUX_F_OWNER_PID, 1);
    VT_EQ(file_setfl(t, LINUX_O_ASYNC, LINUX_O_ASYNC), 0);
    VT_EQ(hosted_stdio_input("x", 1), 0); /* -t's canonical mode: not a line yet */
    VT_EQ(sigios, 0);
    VT_EQ(hosted_stdio_input("\n", 1), 0);
    VT_EQ(sigios, 1); /* stdin has no O_ASYNC yet */
    VT_EQ(sigio_last, LINUX_SIGIO);
    VT_EQ(hosted_stdio_input("w", 1), 0); /* a key while a line waits: nothing new to read */
    VT_EQ(sigios, 1);                       /* (Linux's n_tty signals completed lines) */
    VT_EQ(file_setfl(s[0], LINUX_O_ASYNC, LINUX_O_ASYNC), 0);
    VT_EQ(hosted_stdio_input("y\n", 2), 0);
    VT_EQ(sigios, 3);
    VT_EQ(file_poll(t, NULL) & (LINUX_EPOLLIN | LINUX_EPOLLOUT), LINUX_EPOLLIN | LINUX_EPOLLOUT);
    VT_EQ(file_read(t, c, sizeof(c), NULL), 2); /* stdin's first line */
    VT_CHECK(memcmp(c, "x\n", 2) == 0);
    file_put(t);
    put3(s);
    VT_EQ(hosted_stdio_input("z\n", 2), 0); /* closed descriptions are signalled no more */
    VT_EQ(sigios, 3);
    sigio_init();
    hosted_stdio_disable();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(absent_streams_give_the_console),
        cmocka_unit_test(read_blocks_until_input_then_eof),
        cmocka_unit_test(nonblocking_and_interrupted_read),
        cmocka_unit_test(poll_wakes_with_keys),
        cmocka_unit_test(write_blocks_until_the_host_drains),
        cmocka_unit_test(interrupted_write_returns_what_it_wrote),
        cmocka_unit_test(intr_hook_tty_and_stat),
        cmocka_unit_test(window_size_changes_raise_sigwinch),
        cmocka_unit_test(dev_tty_is_the_controlling_terminal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
