/*
 * test_splice.c - the pipe side of splice and tee (fs/pipe/splice.c) with kernel threads: a
 * pipe-to-pipe splice waits for input and goes on when a write arrives; a splice into a full
 * pipe waits for room; an interrupted wait returns -ERESTARTSYS; tee copies without
 * consuming; and, under seeded preemption, a producer -> splicer -> consumer chain through
 * two small pipes delivers every byte once and in order (a lost wakeup deadlocks the
 * machine: the boot fails with the seed). Single calls are checked against Linux in
 * tests/syscall/cases_splice.c.
 */
#include "tests/hosted/hosted_test.h"

#include <string.h>

#include "core/abi/fcntl.h"
#include "core/sched/sched.h"
#include "fs/pipe/pipe.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"

#define MS 1000000ULL

static struct {
    struct file *ar, *aw, *br, *bw; /* pipe A and pipe B: read and write ends */
    long rc;
    uint64_t at;
} sp;

static void open_pipes(void)
{
    H_CHECK(pipe_create(0, &sp.ar, &sp.aw) == 0);
    H_CHECK(pipe_create(0, &sp.br, &sp.bw) == 0);
    sp.rc = 0;
    sp.at = 0;
}

static void close_pipes(void)
{
    file_put(sp.ar);
    file_put(sp.aw);
    file_put(sp.br);
    file_put(sp.bw);
}

static long fill_x(void *ctx, void *buf, size_t n)
{
    (void)ctx;
    memset(buf, 'x', n);
    return (long)n;
}

static void splicer(void *arg)
{
    bool tee = arg != NULL;

    sp.rc = pipe_splice_pipe(sp.ar, sp.bw, 100, false, tee);
    sp.at = hal_clock_ns();
}

static void filler(void *arg)
{
    (void)arg;
    sp.rc = pipe_splice_in(sp.bw, 10, false, &(struct pipe_io){fill_x, NULL});
    sp.at = hal_clock_ns();
}

/* Splice and tee wait for input; a splice into a full pipe waits for room. */
static int waits(void *arg)
{
    char buf[4096];
    uint64_t pos = 0;
    struct thread *t;

    (void)arg;
    open_pipes();
    t = thread_create("splicer", splicer, NULL);
    sched_sleep_ns(2 * MS);
    H_CHECK(sp.at == 0);
    H_CHECK(file_write(sp.aw, "hello", 5, &pos) == 5);
    thread_join(t);
    H_CHECK(sp.rc == 5 && sp.at == 2 * MS);
    t = thread_create("tee", splicer, (void *)1);
    sched_sleep_ns(MS);
    H_CHECK(file_write(sp.aw, "abc", 3, &pos) == 3);
    thread_join(t);
    H_CHECK(sp.rc == 3 && sp.at == 3 * MS);
    H_CHECK(file_read(sp.ar, buf, sizeof(buf), &pos) == 3 && memcmp(buf, "abc", 3) == 0);
    H_CHECK(file_read(sp.br, buf, sizeof(buf), &pos) == 8 && memcmp(buf, "helloabc", 8) == 0);
    /* B down to one page and full: the filler waits until a read makes room */
    H_CHECK(file_fcntl(sp.bw, LINUX_F_SETPIPE_SZ, 4096) == 4096);
    memset(buf, 'y', sizeof(buf));
    H_CHECK(file_write(sp.bw, buf, sizeof(buf), &pos) == (long)sizeof(buf));
    sp.at = 0;
    t = thread_create("filler", filler, NULL);
    sched_sleep_ns(2 * MS);
    H_CHECK(sp.at == 0);
    H_CHECK(file_read(sp.br, buf, 100, &pos) == 100);
    sched_sleep_ns(MS);
    H_CHECK(sp.at == 0); /* a page's slot is still taken */
    H_CHECK(file_read(sp.br, buf, sizeof(buf), &pos) == 3996);
    thread_join(t);
    H_CHECK(sp.rc == 10 && sp.at == 6 * MS);
    H_CHECK(file_read(sp.br, buf, sizeof(buf), &pos) == 10 && buf[0] == 'x');
    close_pipes();
    return ht_status();
}

/* An interrupted wait ends with -ERESTARTSYS; a writer going away ends it with 0. */
static int interrupted(void *arg)
{
    struct thread *t;

    (void)arg;
    open_pipes();
    t = thread_create("splicer", splicer, NULL);
    sched_sleep_ns(2 * MS);
    thread_interrupt(t);
    thread_join(t);
    H_CHECK(sp.rc == -ERESTARTSYS && sp.at == 2 * MS);
    t = thread_create("splicer", splicer, NULL);
    sched_sleep_ns(MS);
    file_put(sp.aw);
    sp.aw = NULL;
    thread_join(t);
    H_CHECK(sp.rc == 0 && sp.at == 3 * MS);
    close_pipes();
    return ht_status();
}

/* --- a chain under seeded preemption ------------------------------------------------------- */

#define TOTAL 20000

static void producer(void *arg)
{
    uint8_t buf[1500];
    unsigned sent = 0;
    uint64_t pos = 0;

    (void)arg;
    while (sent < TOTAL) {
        unsigned n = TOTAL - sent < sizeof(buf) ? TOTAL - sent : (unsigned)sizeof(buf);

        for (unsigned i = 0; i < n; i++)
            buf[i] = (uint8_t)((sent + i) % 251);
        long w = file_write(sp.aw, buf, n, &pos);
        H_CHECK(w > 0);
        if (w <= 0)
            break;
        sent += (unsigned)w;
    }
    file_put(sp.aw);
    sp.aw = NULL;
}

static void chain_splicer(void *arg)
{
    unsigned moved = 0;

    (void)arg;
    for (;;) {
        long n = pipe_splice_pipe(sp.ar, sp.bw, 3000, false, false);

        H_CHECK(n >= 0);
        if (n <= 0)
            break;
        moved += (unsigned)n;
    }
    H_CHECK(moved == TOTAL);
    file_put(sp.bw);
    sp.bw = NULL;
}

static int chain(void *arg)
{
    uint8_t buf[700];
    unsigned got = 0;
    uint64_t pos = 0;
    struct thread *t[2];

    (void)arg;
    open_pipes();
    H_CHECK(file_fcntl(sp.aw, LINUX_F_SETPIPE_SZ, 8192) == 8192);
    H_CHECK(file_fcntl(sp.bw, LINUX_F_SETPIPE_SZ, 4096) == 4096);
    t[0] = thread_create("producer", producer, NULL);
    t[1] = thread_create("splicer", chain_splicer, NULL);
    for (;;) {
        long n = file_read(sp.br, buf, sizeof(buf), &pos);

        H_CHECK(n >= 0);
        if (n <= 0)
            break;
        for (long i = 0; i < n; i++)
            H_CHECK(buf[i] == (uint8_t)((got + (unsigned)i) % 251));
        got += (unsigned)n;
    }
    H_CHECK(got == TOTAL);
    thread_join(t[0]);
    thread_join(t[1]);
    close_pipes();
    return ht_status();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        HT_BOOT_TEST(test_splice_waits, waits, NULL),
        HT_BOOT_TEST(test_splice_interrupted, interrupted, NULL),
        HT_BOOT_TEST(test_splice_chain, chain, NULL),
        HT_PCT_TEST(test_splice_pct, chain, NULL, HT_PCT_SEEDS),
    };

    return cmocka_run_group_tests_name("hosted_splice", tests, NULL, NULL);
}
