/*
 * test_pipe.c - pipes and FIFOs (fs/pipe/pipe.h) between kernel threads: blocking reads and
 * writes that hand over, PIPE_BUF atomicity with two writers, end of file once the writers
 * are gone, EPIPE and the SIGPIPE hook once the readers are, packet mode, resizing, poll
 * masks, and the FIFO open rules (a reader waits for a writer). Expectations are Linux's
 * (checked natively with the same sequences).
 */
#include "vt.h"

#include "core/abi/fcntl.h"
#include "core/lib/alloc.h"
#include "fs/pipe/pipe.h"
#include "hal/hal_errno.h"

#define NB VFS_O_NONBLOCK

static long rd(struct file *f, void *buf, size_t n)
{
    return file_read(f, buf, n, &f->pos);
}

static long wr(struct file *f, const void *buf, size_t n)
{
    return file_write(f, buf, n, &f->pos);
}

/* --- one writer thread streams a pattern, the reader checks it --------------------------- */

#define STREAM_BYTES (300 * 1000)

static void stream_writer(void *arg)
{
    struct file *w = arg;
    uint8_t chunk[7000];
    size_t sent = 0;

    while (sent < STREAM_BYTES) {
        size_t n = STREAM_BYTES - sent < sizeof(chunk) ? STREAM_BYTES - sent : sizeof(chunk);
        for (size_t i = 0; i < n; i++)
            chunk[i] = (uint8_t)((sent + i) * 7);
        long r = wr(w, chunk, n);
        if (r <= 0)
            break;
        sent += (size_t)r;
    }
    file_put(w); /* the last writer: the reader sees end of file */
}

VT_CASE(blocking_stream_then_eof)
{
    struct file *r, *w;
    uint8_t buf[3000];
    size_t got = 0;
    long n;

    VT_EQ(pipe_create(0, &r, &w), 0);
    struct thread *t = thread_create("writer", stream_writer, w);
    VT_CHECK(t != NULL);
    while ((n = rd(r, buf, sizeof(buf))) > 0) {
        for (long i = 0; i < n; i++)
            VT_EQ(buf[i], (uint8_t)((got + (size_t)i) * 7));
        got += (size_t)n;
    }
    VT_EQ(n, 0);
    VT_EQ(got, STREAM_BYTES);
    VT_EQ(thread_join(t), 0);
    VT_EQ(rd(r, buf, 1), 0); /* still end of file */
    file_put(r);
}

/* --- PIPE_BUF atomicity: two writers, records never interleave ------------------------------- */

#define REC 1000
#define RECS 200

static void rec_writer(void *arg)
{
    struct file *w = ((struct file **)arg)[0];
    uint8_t id = (uint8_t)(uintptr_t)((struct file **)arg)[1];
    uint8_t rec[REC];

    for (int i = 0; i < RECS; i++) {
        memset(rec, id + (i % 50), sizeof(rec));
        if (wr(w, rec, REC) != REC)
            return;
        if (i % 7 == 0)
            thread_yield();
    }
}

VT_CASE(small_writes_are_atomic)
{
    struct file *r, *w;
    uint8_t *all = kmalloc(2 * RECS * REC);
    size_t got = 0;

    VT_EQ(pipe_create(0, &r, &w), 0);
    struct file *a1[2] = {w, (struct file *)(uintptr_t)1};
    struct file *a2[2] = {w, (struct file *)(uintptr_t)101};
    struct thread *t1 = thread_create("w1", rec_writer, a1);
    struct thread *t2 = thread_create("w2", rec_writer, a2);
    while (got < 2 * RECS * REC) {
        long n = rd(r, all + got, 777); /* reads that do not follow record bounds */
        VT_CHECK(n > 0);
        got += (size_t)n;
    }
    VT_EQ(thread_join(t1), 0);
    VT_EQ(thread_join(t2), 0);
    unsigned from1 = 0;
    for (size_t i = 0; i < got; i += REC) {
        for (size_t j = 1; j < REC; j++)
            VT_EQ(all[i + j], all[i]);
        from1 += all[i] < 101;
    }
    VT_EQ(from1, RECS);
    file_put(w);
    file_put(r);
    kfree(all);
}

/* --- no reader: EPIPE and the SIGPIPE hook ---------------------------------------------------- */

static int sigpipes;

static void count_sigpipe(void)
{
    sigpipes++;
}

VT_CASE(epipe_and_hook)
{
    struct file *r, *w;

    VT_EQ(pipe_create(NB, &r, &w), 0);
    file_set_sigpipe_hook(count_sigpipe);
    sigpipes = 0;
    file_put(r);
    VT_EQ(wr(w, "x", 1), -EPIPE);
    VT_EQ(sigpipes, 1);
    VT_EQ(wr(w, "x", 0), 0); /* Linux: a 0-byte write returns 0, no signal */
    VT_EQ(sigpipes, 1);
    VT_EQ(file_poll(w, NULL), LINUX_EPOLLOUT | LINUX_EPOLLWRNORM | LINUX_EPOLLERR);
    file_set_sigpipe_hook(NULL);
    file_put(w);
}

static void late_reader_close(void *arg)
{
    struct file *r = arg;
    char buf[100];

    VT_EQ(rd(r, buf, sizeof(buf)), 100); /* lets the writer block on a full pipe first */
    file_put(r);
}

VT_CASE(blocked_writer_sees_reader_go)
{
    struct file *r, *w;
    uint8_t *big = kzalloc(100000);

    VT_EQ(pipe_create(0, &r, &w), 0);
    struct thread *t = thread_create("reader", late_reader_close, r);
    /* 64 KiB fit, then the writer sleeps; the reader's 100 bytes free no page, so when it
     * closes the write ends with what it wrote (Linux: 65536, checked natively) */
    VT_EQ(wr(w, big, 100000), 65536);
    VT_EQ(thread_join(t), 0);
    VT_EQ(wr(w, big, 1), -EPIPE);
    file_put(w);
    kfree(big);
}

/* --- non-blocking, packets, sizes, poll --------------------------------------------------------- */

VT_CASE(nonblocking_full_and_empty)
{
    struct file *r, *w;
    uint8_t *big = kzalloc(70000);
    char c;

    VT_EQ(pipe_create(NB, &r, &w), 0);
    VT_EQ(rd(r, &c, 1), -EAGAIN);
    VT_EQ(file_poll(r, NULL), 0);
    VT_EQ(file_poll(w, NULL), LINUX_EPOLLOUT | LINUX_EPOLLWRNORM);
    VT_EQ(wr(w, big, 10000), 10000);
    VT_EQ(file_poll(r, NULL), LINUX_EPOLLIN | LINUX_EPOLLRDNORM);
    /* Linux: 368 = 70000 mod 4096 join the last page, then 13 free pages */
    VT_EQ(wr(w, big, 70000), 53616);
    VT_EQ(wr(w, big, 1), -EAGAIN);
    VT_EQ(file_poll(w, NULL), 0);
    VT_EQ(file_fcntl(w, LINUX_F_SETPIPE_SZ, 4096), -EBUSY);
    VT_EQ(rd(r, big, 70000), 63616);
    file_put(w);
    VT_EQ(file_poll(r, NULL), LINUX_EPOLLHUP);
    VT_EQ(rd(r, &c, 1), 0);
    file_put(r);
    kfree(big);
}

VT_CASE(packet_mode)
{
    struct file *r, *w;
    uint8_t buf[10000];

    VT_EQ(pipe_create(VFS_O_DIRECT | NB, &r, &w), 0);
    VT_EQ(file_flags(w), VFS_O_WRONLY | VFS_O_DIRECT | NB);
    VT_EQ(wr(w, buf, 5000), 5000); /* two packets: 4096 and 904 */
    VT_EQ(rd(r, buf, 100), 100);   /* the rest of the first packet is dropped */
    VT_EQ(rd(r, buf, 10000), 904);
    VT_EQ(wr(w, "ab", 2), 2);
    VT_EQ(wr(w, "cd", 2), 2);
    VT_EQ(rd(r, buf, 10), 2); /* one packet per read */
    VT_CHECK(memcmp(buf, "ab", 2) == 0);
    VT_EQ(file_setfl(w, VFS_O_DIRECT, 0), 0); /* F_SETFL leaves packet mode */
    VT_EQ(wr(w, "ef", 2), 2);
    VT_EQ(wr(w, "gh", 2), 2);
    VT_EQ(rd(r, buf, 10), 2); /* "cd" is still a packet */
    VT_EQ(rd(r, buf, 10), 4);
    VT_CHECK(memcmp(buf, "efgh", 4) == 0);
    file_put(r);
    file_put(w);
}

VT_CASE(sizes_and_stat)
{
    struct file *r, *w;
    struct vfs_stat st;
    uint64_t local, *pos;

    VT_EQ(pipe_create(0, &r, &w), 0);
    VT_EQ(file_fcntl(r, LINUX_F_GETPIPE_SZ, 0), 65536);
    VT_EQ(file_fcntl(r, LINUX_F_SETPIPE_SZ, 0), 4096);
    VT_EQ(file_fcntl(r, LINUX_F_SETPIPE_SZ, 5000), 8192);
    VT_EQ(file_fcntl(r, LINUX_F_SETPIPE_SZ, 3 * 4096 + 1), 16384);
    VT_EQ(file_fcntl(w, LINUX_F_SETPIPE_SZ, 1048576), 1048576);
    VT_EQ(file_fcntl(w, LINUX_F_SETPIPE_SZ, 1048577), -EPERM);
    VT_EQ(file_fcntl(w, LINUX_F_SETPIPE_SZ, 0xffffffffu), -EINVAL);
    VT_EQ(file_fcntl(w, LINUX_F_GET_SEALS, 0), -EINVAL);
    VT_EQ(file_fcntl(w, LINUX_F_GETPIPE_SZ, 0), 1048576);
    VT_EQ(file_stat(r, &st), 0);
    VT_EQ(st.st_mode, VFS_S_IFIFO | 0600);
    VT_EQ(st.st_nlink, 1);
    VT_EQ(st.st_blksize, 4096);
    VT_EQ(file_lseek(r, 0, VFS_SEEK_CUR), -ESPIPE);
    VT_EQ(file_pos_begin(r, 0, &local, &pos), -ESPIPE);
    VT_EQ(rd(w, &st, 1), -EBADF);
    VT_EQ(wr(r, "x", 1), -EBADF);
    file_put(r);
    file_put(w);
}

/* --- interrupts ----------------------------------------------------------------------------- */

static long intr_result;

static void blocked_reader(void *arg)
{
    char c;

    intr_result = rd(arg, &c, 1);
    thread_clear_interrupt(thread_current());
}

VT_CASE(blocked_read_is_interrupted)
{
    struct file *r, *w;

    VT_EQ(pipe_create(0, &r, &w), 0);
    intr_result = 1;
    struct thread *t = thread_create("reader", blocked_reader, r);
    thread_yield(); /* the reader blocks on the empty pipe */
    VT_EQ(intr_result, 1);
    thread_interrupt(t);
    VT_EQ(thread_join(t), 0);
    VT_EQ(intr_result, -EINTR);
    VT_EQ(wr(w, "x", 1), 1); /* the pipe is unharmed */
    file_put(r);
    file_put(w);
}

/* --- FIFOs -------------------------------------------------------------------------------------- */

static struct file *fifo(int flags, int *rc)
{
    struct vfs_file *vf;
    struct file *f = NULL;

    *rc = vfs_openat(NULL, "/fifo", flags, 0, &vf);
    if (*rc == 0) {
        *rc = fifo_open(vf, &f);
        if (*rc)
            vfs_file_put(vf);
    }
    return f;
}

static void fifo_writer(void *arg)
{
    int rc;
    struct file *w = fifo(VFS_O_WRONLY, &rc); /* a reader waits: no wait here */

    VT_CHECK(w != NULL);
    VT_EQ(wr(w, "hello", 5), 5);
    file_put(w);
}

VT_CASE(fifo_open_rules)
{
    struct file *r, *w, *rw;
    struct vfs_stat st;
    char buf[8] = {0};
    int rc;

    vt_memfs_root();
    VT_EQ(vfs_mknodat(NULL, "/fifo", VFS_S_IFIFO | 0644, 0), 0);
    /* O_WRONLY|O_NONBLOCK without a reader: ENXIO; O_RDONLY|O_NONBLOCK: fine, reads 0 */
    VT_CHECK(fifo(VFS_O_WRONLY | NB, &rc) == NULL);
    VT_EQ(rc, -ENXIO);
    r = fifo(VFS_O_RDONLY | NB, &rc);
    VT_CHECK(r != NULL);
    VT_EQ(rd(r, buf, 8), 0);
    w = fifo(VFS_O_WRONLY | NB, &rc); /* now there is a reader */
    VT_CHECK(w != NULL);
    VT_EQ(wr(w, "ab", 2), 2);
    VT_EQ(rd(r, buf, 8), 2);
    VT_EQ(file_stat(r, &st), 0);
    VT_EQ(st.st_mode & VFS_S_IFMT, VFS_S_IFIFO); /* the FIFO inode's stat */
    file_put(w);
    file_put(r);
    /* O_RDWR never waits; a blocking O_RDONLY waits for the writer thread */
    rw = fifo(VFS_O_RDWR, &rc);
    VT_CHECK(rw != NULL);
    VT_EQ(wr(rw, "x", 1), 1);
    VT_EQ(rd(rw, buf, 8), 1);
    file_put(rw);
    struct thread *t = thread_create("fifo-w", fifo_writer, NULL);
    r = fifo(VFS_O_RDONLY, &rc);
    VT_CHECK(r != NULL);
    VT_EQ(rd(r, buf, 8), 5);
    VT_CHECK(memcmp(buf, "hello", 5) == 0);
    VT_EQ(thread_join(t), 0);
    VT_EQ(rd(r, buf, 8), 0); /* the writer is gone */
    file_put(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(blocking_stream_then_eof),
        cmocka_unit_test(small_writes_are_atomic),
        cmocka_unit_test(epipe_and_hook),
        cmocka_unit_test(blocked_writer_sees_reader_go),
        cmocka_unit_test(nonblocking_full_and_empty),
        cmocka_unit_test(packet_mode),
        cmocka_unit_test(sizes_and_stat),
        cmocka_unit_test(blocked_read_is_interrupted),
        cmocka_unit_test(fifo_open_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
