/*
 * test_sys_pipe.c - pipe, pipe2 and FIFOs through the syscalls: flags and their errors, the
 * descriptors' status flags, a pipe to itself, non-blocking EAGAIN, dup2 onto a pipe,
 * FIONREAD, F_GETPIPE_SZ/F_SETPIPE_SZ, fstat, ESPIPE, EOF and EPIPE, open(2) of a FIFO.
 * Every expectation was checked on Linux with the same calls.
 */
#include "st.h"

#define P(off) (st_buf + (off))
#define NR_pipe 22
#define NR_pipe2 293
#define O_DIRECT_ 040000

static void fds_of(int fds[2])
{
    st_get(fds, P(0), 2 * sizeof(int));
}

ST_CASE(pipe2_flags_and_errors)
{
    int fds[2];

    ST_EQ(SC(NR_pipe2, P(0), O_NONBLOCK_), 0);
    fds_of(fds);
    ST_CHECK(fds[0] >= 3 && fds[1] == fds[0] + 1);
    ST_EQ(SC(NR_fcntl, fds[0], 3), O_NONBLOCK_);     /* F_GETFL: O_RDONLY|O_NONBLOCK */
    ST_EQ(SC(NR_fcntl, fds[1], 3), O_NONBLOCK_ | 1); /* O_WRONLY|O_NONBLOCK */
    ST_EQ(SC(NR_fcntl, fds[0], 1), 0);               /* no FD_CLOEXEC */
    ST_EQ(SC(NR_pipe2, P(0), O_CLOEXEC_ | O_DIRECT_), 0);
    fds_of(fds);
    ST_EQ(SC(NR_fcntl, fds[1], 3), O_DIRECT_ | 1);
    ST_EQ(SC(NR_fcntl, fds[0], 1), 1);
    ST_EQ(SC(NR_fcntl, fds[1], 1), 1);
    ST_EQ(SC(NR_pipe2, P(0), 0100), -EINVAL); /* O_CREAT */
    ST_EQ(SC(NR_pipe2, P(0), 01000000), -EINVAL); /* O_NOATIME */
    long before = fd_count(&st_proc->fds);
    ST_EQ(SC(NR_pipe2, 0, 0), -EFAULT);
    ST_EQ(SC(NR_pipe, ST_KERNEL_PTR), -EFAULT);
    ST_EQ(SC(NR_pipe, st_hole), -EFAULT);
    ST_EQ(fd_count(&st_proc->fds), before); /* nothing left installed */
}

ST_CASE(pipe_to_itself)
{
    int fds[2], n = -1;
    char b[16] = {0};

    ST_EQ(SC(NR_pipe, P(0)), 0);
    fds_of(fds);
    st_put(P(100), "hello pipe", 10);
    ST_EQ(SC(NR_write, fds[1], P(100), 10), 10);
    ST_EQ(SC(NR_ioctl, fds[0], 0x541b, P(200)), 0); /* FIONREAD */
    st_get(&n, P(200), 4);
    ST_EQ(n, 10);
    ST_EQ(SC(NR_read, fds[0], P(300), 4), 4);
    ST_EQ(SC(NR_read, fds[0], P(304), 100), 6);
    st_get(b, P(300), 10);
    ST_CHECK(memcmp(b, "hello pipe", 10) == 0);
    /* empty: make it non-blocking, then EAGAIN (a blocking read would wait for ever) */
    int one = 1;
    st_put(P(200), &one, 4);
    ST_EQ(SC(NR_ioctl, fds[0], 0x5421, P(200)), 0); /* FIONBIO */
    ST_EQ(SC(NR_read, fds[0], P(300), 1), -EAGAIN);
    ST_EQ(SC(NR_lseek, fds[0], 0, 1), -ESPIPE);
    ST_EQ(SC(NR_pread64, fds[0], P(300), 1, 0), -ESPIPE);
    ST_EQ(SC(NR_pwrite64, fds[1], P(300), 1, 0), -ESPIPE);
    ST_EQ(SC(NR_read, fds[1], P(300), 1), -EBADF);
    ST_EQ(SC(NR_write, fds[0], P(300), 1), -EBADF);
    ST_EQ(SC(NR_fcntl, fds[0], 1032), 65536); /* F_GETPIPE_SZ */
    ST_EQ(SC(NR_fcntl, fds[1], 1031, 5000), 8192);
    ST_EQ(SC(NR_mmap, 0, 4096, 1, 2, fds[0], 0), -ENODEV);
    struct vfs_stat st;
    ST_EQ(SC(NR_fstat, fds[0], P(400)), 0);
    st_get(&st, P(400), sizeof(st));
    ST_EQ(st.st_mode, VFS_S_IFIFO | 0600);
    /* the writer goes: EOF; the reader goes: EPIPE */
    ST_EQ(SC(NR_close, fds[1]), 0);
    ST_EQ(SC(NR_read, fds[0], P(300), 1), 0);
    ST_EQ(SC(NR_pipe, P(0)), 0);
    fds_of(fds);
    ST_EQ(SC(NR_close, fds[0]), 0);
    ST_EQ(SC(NR_write, fds[1], P(100), 1), -EPIPE);
}

ST_CASE(dup2_onto_a_pipe)
{
    int fds[2];
    char b[8] = {0};

    ST_EQ(SC(NR_pipe2, P(0), O_NONBLOCK_), 0);
    fds_of(fds);
    ST_EQ(SC(NR_dup2, fds[1], 20), 20);
    ST_EQ(SC(NR_close, fds[1]), 0);
    st_put(P(100), "dup", 3);
    ST_EQ(SC(NR_write, 20, P(100), 3), 3); /* the write end lives on as 20 */
    ST_EQ(SC(NR_read, fds[0], P(200), 8), 3);
    st_get(b, P(200), 3);
    ST_CHECK(memcmp(b, "dup", 3) == 0);
    ST_EQ(SC(NR_dup2, fds[0], 20), 20); /* closes the last writer */
    ST_EQ(SC(NR_read, 20, P(200), 8), 0);
}

ST_CASE(fifo_through_open)
{
    long r, w;
    char b[8] = {0};

    ST_EQ(vfs_mknodat(NULL, "/fifo", VFS_S_IFIFO | 0644, 0), 0);
    st_str(P(0), "/fifo");
    ST_EQ(SC(NR_open, P(0), O_WRONLY_ | O_NONBLOCK_), -ENXIO);
    r = SC(NR_open, P(0), O_RDONLY_ | O_NONBLOCK_);
    ST_CHECK(r >= 3);
    w = SC(NR_open, P(0), O_WRONLY_);
    ST_CHECK(w > r);
    st_put(P(100), "fifo", 4);
    ST_EQ(SC(NR_write, w, P(100), 4), 4);
    ST_EQ(SC(NR_read, r, P(200), 8), 4);
    st_get(b, P(200), 4);
    ST_CHECK(memcmp(b, "fifo", 4) == 0);
    ST_EQ(SC(NR_read, r, P(200), 8), -EAGAIN);
    ST_EQ(SC(NR_close, w), 0);
    ST_EQ(SC(NR_read, r, P(200), 8), 0);
    ST_EQ(SC(NR_lseek, r, 0, 0), -ESPIPE);
    ST_EQ(SC(NR_close, r), 0);
    long p = SC(NR_open, P(0), 010000000); /* O_PATH: no pipe end, never waits */
    ST_CHECK(p >= 3);
    ST_EQ(SC(NR_read, p, P(200), 8), -EBADF);
    ST_EQ(SC(NR_close, p), 0);
}

/* A read into a fresh mapping whose pages are not present (but the first) takes all the pipe
 * holds in one call: the pages are faulted in, as on Linux (tests/runtime/progs/fresh_read.c
 * compares with the host). Before, it stopped at the first absent page. A hole in the buffer
 * stops the read after the whole pipe buffers before it; the rest stays in the pipe, and a
 * read at the hole is EFAULT. */
ST_CASE(read_into_fresh_pages)
{
    enum { DATA = 48 * 1024, PG = 4096 };
    static uint8_t src[DATA], dst[DATA];
    int fds[2];

    for (size_t i = 0; i < DATA; i++)
        src[i] = (uint8_t)(i * 7 + i / 251);
    st_put(P(PG), src, DATA);
    ST_EQ(SC(NR_pipe, P(0)), 0);
    fds_of(fds);
    long m = SC(NR_mmap, 0, 16 * PG, 3, 0x22, (uint64_t)-1, 0); /* RW, private anonymous */
    ST_CHECK(m > 0);
    st_put((uint64_t)m, "x", 1); /* the first page present, the others not */
    ST_EQ(SC(NR_write, fds[1], P(PG), DATA), DATA);
    ST_EQ(SC(NR_read, fds[0], m, 16 * PG), DATA);
    st_get(dst, (uint64_t)m, DATA);
    ST_CHECK(memcmp(src, dst, DATA) == 0);
    ST_EQ(SC(NR_munmap, (uint64_t)m + PG, PG), 0);
    ST_EQ(SC(NR_write, fds[1], P(PG), PG), PG);
    ST_EQ(SC(NR_write, fds[1], P(2 * PG), 2 * PG), 2 * PG);
    ST_EQ(SC(NR_read, fds[0], m, 3 * PG), PG);
    ST_EQ(SC(NR_read, fds[0], (uint64_t)m + PG, PG), -EFAULT);
    ST_EQ(SC(NR_read, fds[0], P(16 * PG), 3 * PG), 2 * PG);
    st_get(dst, P(16 * PG), 2 * PG);
    ST_CHECK(memcmp(src + PG, dst, 2 * PG) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pipe2_flags_and_errors),
        cmocka_unit_test(pipe_to_itself),
        cmocka_unit_test(dup2_onto_a_pipe),
        cmocka_unit_test(fifo_through_open),
        cmocka_unit_test(read_into_fresh_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
