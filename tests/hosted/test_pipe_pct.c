/*
 * test_pipe_pct.c - pipes between threads under seeded preemption (ht_pct_run).
 *
 * Threads of one process (kernel threads attached with proc_attach, making syscalls with
 * ksys_call as hosted tests play the application; buffers in a user mapping) use a pipe
 * shrunk to one page (F_SETPIPE_SZ 4096), so writers block and wake all the time:
 *
 *   records  three writers each write RECORDS records of 1..PIPE_BUF bytes with one write
 *            each (a header: writer, sequence, length; then a byte pattern), one reader reads
 *            in pieces of random sizes and reassembles them: every record must arrive whole
 *            and each writer's in order (writes of at most PIPE_BUF bytes are atomic), none
 *            lost; then the writers close their ends and the reader must see EOF (0) after
 *            the last byte, never before;
 *   epipe    a writer blocked on the full pipe while the reader takes a few bytes and closes
 *            its end: the write must end (a lost wake leaves it asleep: the boot ends in the
 *            deadlock report) with -EPIPE or the count it wrote, and a write after it with
 *            -EPIPE (SIGPIPE is ignored: the test plays a program that set SIG_IGN).
 *
 * A failure prints the seed that replays it (PETREL_PCT_SEED=<n>).
 */
#include "tests/hosted/hosted_test.h"

#include <string.h>

#include "core/mm/uaccess.h"
#include "core/proc/proc.h"
#include "core/sched/sched.h"
#include "core/syscall/syscall.h"
#include "fs/vfs/memfs.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_errno.h"

#define NR_read 0
#define NR_write 1
#define NR_close 3
#define NR_mmap 9
#define NR_rt_sigaction 13
#define NR_exit 60
#define NR_fcntl 72
#define NR_pipe2 293
#define F_SETPIPE_SZ 1031
#define SIGPIPE 13
#define PIPE_BUF 4096
#define WRITERS 3
#define RECORDS 6
#define AREA (64 * 1024)
#define SLOT 8192 /* each thread's part of the user area */

static struct proc *app;
static uint64_t area; /* user address of the shared area (also a host pointer) */
static int pfd[2];    /* the pipe's descriptors */
static unsigned writers_left, epipe_seen, partial_seen;

static long sc(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
    return ksys_call(nr, a0, a1, a2, 0, 0, 0);
}

static uint8_t *slot(int i)
{
    return (uint8_t *)(uintptr_t)(area + (uint64_t)i * SLOT);
}

static uint64_t uslot(int i)
{
    return area + (uint64_t)i * SLOT;
}

static int attach(void)
{
    if (proc_attach(app, NULL)) {
        ht_fail(__FILE__, __LINE__, "attach");
        return -1;
    }
    return 0;
}

/* Record r of writer w: [w][r][len hi][len lo] then (w * 31 + r + k) & 0xff at byte k. */
static unsigned record_len(int w, int r)
{
    return 4 + (unsigned)((w * 997 + r * 1231) % (PIPE_BUF - 3)); /* 4..PIPE_BUF */
}

static void writer(void *arg)
{
    int w = (int)(intptr_t)arg;
    uint8_t *b = slot(1 + w);

    if (attach())
        return;
    for (int r = 0; r < RECORDS; r++) {
        unsigned len = record_len(w, r);

        b[0] = (uint8_t)w;
        b[1] = (uint8_t)r;
        b[2] = (uint8_t)(len >> 8);
        b[3] = (uint8_t)len;
        for (unsigned k = 4; k < len; k++)
            b[k] = (uint8_t)(w * 31 + r + k);
        H_CHECK(sc(NR_write, (uint64_t)pfd[1], uslot(1 + w), len) == (long)len);
    }
    /* the last writer to finish closes the write end (the others share it) */
    if (__atomic_sub_fetch(&writers_left, 1, __ATOMIC_SEQ_CST) == 0)
        H_CHECK(sc(NR_close, (uint64_t)pfd[1], 0, 0) == 0);
    sc(NR_exit, 0, 0, 0);
}

/* Read exactly n bytes into the reader's slot at off, in pieces of random sizes. */
static int read_full(unsigned off, unsigned n)
{
    unsigned got = 0;

    while (got < n) {
        unsigned want = 1 + (unsigned)(ht_rand() % (n - got));
        long r = sc(NR_read, (uint64_t)pfd[0], uslot(0) + off + got, want);

        if (r <= 0)
            return -1;
        got += (unsigned)r;
    }
    return 0;
}

static void reader(void *arg)
{
    uint8_t *b = slot(0);
    int next[WRITERS] = {0};

    (void)arg;
    if (attach())
        return;
    for (int i = 0; i < WRITERS * RECORDS; i++) {
        if (read_full(0, 4)) {
            H_CHECK(!"EOF or error inside the records");
            break;
        }
        int w = b[0], r = b[1];
        unsigned len = (unsigned)b[2] << 8 | b[3];

        if (w >= WRITERS || len < 4 || len > PIPE_BUF || r != next[w] || len != record_len(w, r) ||
            read_full(4, len - 4)) {
            H_CHECK(!"a record torn, out of order or cut");
            break;
        }
        for (unsigned k = 4; k < len; k++)
            if (b[k] != (uint8_t)(w * 31 + r + k)) {
                H_CHECK(!"a record's bytes interleaved with another's");
                break;
            }
        next[w]++;
    }
    for (int w = 0; w < WRITERS; w++)
        H_CHECK(next[w] == RECORDS);
    H_CHECK(sc(NR_read, (uint64_t)pfd[0], uslot(0), 16) == 0); /* EOF, after the last byte */
    sc(NR_exit, 0, 0, 0);
}

/* Blocked on the full pipe when the reader goes: -EPIPE, or what it wrote. */
static void blocked_writer(void *arg)
{
    long r;

    (void)arg;
    if (attach())
        return;
    memset(slot(1), 'x', SLOT);
    r = sc(NR_write, (uint64_t)pfd[1], uslot(1), SLOT);
    H_CHECK(r == -EPIPE || (r > 0 && r < SLOT));
    if (r == -EPIPE)
        __atomic_add_fetch(&epipe_seen, 1, __ATOMIC_SEQ_CST);
    else
        __atomic_add_fetch(&partial_seen, 1, __ATOMIC_SEQ_CST);
    H_CHECK(sc(NR_write, (uint64_t)pfd[1], uslot(1), 1) == -EPIPE);
    sc(NR_exit, 0, 0, 0);
}

static void closing_reader(void *arg)
{
    (void)arg;
    if (attach())
        return;
    for (int i = (int)(ht_rand() % 3); i > 0; i--) {
        H_CHECK(sc(NR_read, (uint64_t)pfd[0], uslot(0), 700) > 0);
        if (ht_rand() % 2)
            sched_preempt_point();
    }
    H_CHECK(sc(NR_close, (uint64_t)pfd[0], 0, 0) == 0);
    sc(NR_exit, 0, 0, 0);
}

static int make_pipe(void)
{
    int32_t *fds = (int32_t *)(uintptr_t)uslot(7);

    if (sc(NR_pipe2, uslot(7), 0, 0) != 0)
        return -1;
    pfd[0] = fds[0];
    pfd[1] = fds[1];
    return sc(NR_fcntl, (uint64_t)pfd[1], F_SETPIPE_SZ, 4096) == 4096 ? 0 : -1;
}

static int setup(void)
{
    long m;
    uint64_t *act;

    vfs_init();
    if (memfs_mount(NULL, "/", NULL, NULL) || proc_create(NULL, &app) || proc_attach(app, NULL))
        return -1;
    m = ksys_call(NR_mmap, 0, AREA, 3, 0x22, (uint64_t)-1, 0);
    if (m < 0 || clear_user(uptr_make((uint64_t)m), AREA)) /* faults the pages in */
        return -1;
    area = (uint64_t)m;
    act = (uint64_t *)(uintptr_t)uslot(7); /* struct k_sigaction {handler, flags, ...} */
    act[0] = 1;                            /* SIG_IGN */
    return ksys_call(NR_rt_sigaction, SIGPIPE, uslot(7), 0, 8, 0, 0) == 0 ? 0 : -1;
}

static void teardown(void)
{
    H_CHECK(proc_thread_count(app) == 1);
    proc_detach(NULL);
    proc_destroy(app);
    vfs_shutdown();
}

static int records(void *arg)
{
    struct thread *t[WRITERS + 1];

    (void)arg;
    ht_rand_init();
    if (setup() || make_pipe())
        return 100;
    writers_left = WRITERS;
    t[0] = thread_create("reader", reader, NULL);
    for (int w = 0; w < WRITERS; w++)
        t[1 + w] = thread_create("writer", writer, (void *)(intptr_t)w);
    for (int i = 0; i <= WRITERS; i++)
        thread_join(t[i]);
    H_CHECK(sc(NR_close, (uint64_t)pfd[0], 0, 0) == 0);
    teardown();
    return ht_status();
}

static int epipe(void *arg)
{
    struct thread *w, *r;

    (void)arg;
    ht_rand_init();
    if (setup() || make_pipe())
        return 100;
    w = thread_create("writer", blocked_writer, NULL);
    r = thread_create("reader", closing_reader, NULL);
    thread_join(w);
    thread_join(r);
    H_CHECK(sc(NR_close, (uint64_t)pfd[1], 0, 0) == 0);
    teardown();
    return ht_status();
}

static void test_epipe_seeded_preemption(void **state)
{
    (void)state;
    epipe_seen = partial_seen = 0;
    ht_pct_run(epipe, NULL, 0, 3 * HT_PCT_SEEDS);
    /* both outcomes of the race happen under some seeds */
    assert_true(epipe_seen > 0);
    assert_true(partial_seen > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        HT_BOOT_TEST(test_records_fifo, records, NULL),
        HT_PCT_TEST(test_records_seeded_preemption, records, NULL, 2 * HT_PCT_SEEDS),
        cmocka_unit_test(test_epipe_seeded_preemption),
    };

    return cmocka_run_group_tests_name("hosted_pipe_pct", tests, NULL, NULL);
}
