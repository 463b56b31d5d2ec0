/*
 * test_locks.c - fcntl record locks (fs/file/plock.c) with kernel threads: F_SETLKW waits
 * while another owner's lock covers any byte it asks for and goes on at the unlock that frees
 * the last of them; a waiter interrupted returns -ERESTARTSYS (the restart engine turns it
 * into EINTR or a restart); an OFD lock's last reference and a POSIX owner's close wake
 * waiters; and, under seeded preemption, OFD write locks exclude each other and read locks
 * share (a lost wakeup deadlocks the machine: the boot fails with the seed).
 * The answers of single calls are checked against Linux in tests/syscall/cases_locks.c.
 */
#include "tests/hosted/hosted_test.h"

#include <string.h>

#include "core/abi/fcntl.h"
#include "core/lib/alloc.h"
#include "core/sched/sched.h"
#include "fs/file/file.h"
#include "fs/vfs/vfs.h"
#include "hal/hal_errno.h"
#include "hal/hal_time.h"

#define MS 1000000ULL

/* A test kind: descriptions of one "inode" (the shared key), size 100. */
static int tk_stat(struct file *f, struct vfs_stat *st)
{
    (void)f;
    memset(st, 0, sizeof(*st));
    st->st_size = 100;
    return 0;
}

static const int the_inode = 1;

static const void *tk_key(struct file *f)
{
    (void)f;
    return &the_inode;
}

static const struct file_ops tk_ops = {.name = "test", .stat = tk_stat, .lock_key = tk_key};

static struct file *tk_open(void)
{
    return file_alloc(&tk_ops, NULL, LINUX_O_RDWR, 0);
}

static const int posix_owner = 7; /* the "process" token */

static long lk(struct file *f, unsigned cmd, int type, int64_t start, int64_t len)
{
    struct linux_flock fl = {.l_type = (int16_t)type, .l_start = start, .l_len = len};

    return file_plock(f, cmd, &fl, &posix_owner, 42);
}

/* --- F_SETLKW waits for the last conflicting byte, then takes the lock ----------------------- */

static struct {
    struct file *a, *b;
    long rc;
    uint64_t at;
} bw;

static void posix_waiter(void *arg)
{
    (void)arg;
    bw.rc = lk(bw.b, LINUX_F_SETLKW, LINUX_F_WRLCK, 10, 11);
    bw.at = hal_clock_ns();
}

static int blocking(void *arg)
{
    struct linux_flock fl = {.l_type = LINUX_F_WRLCK};
    struct thread *t;

    (void)arg;
    bw.a = tk_open();
    bw.b = tk_open();
    bw.at = 0;
    H_CHECK(lk(bw.a, LINUX_F_OFD_SETLK, LINUX_F_WRLCK, 0, 0) == 0);
    t = thread_create("waiter", posix_waiter, NULL);
    sched_sleep_ns(2 * MS);
    H_CHECK(bw.at == 0);
    H_CHECK(lk(bw.a, LINUX_F_OFD_SETLK, LINUX_F_UNLCK, 0, 15) == 0); /* [15, EOF) stays */
    sched_sleep_ns(MS);
    H_CHECK(bw.at == 0);
    H_CHECK(lk(bw.a, LINUX_F_OFD_SETLK, LINUX_F_RDLCK, 15, 0) == 0); /* still conflicts */
    sched_sleep_ns(MS);
    H_CHECK(bw.at == 0);
    H_CHECK(lk(bw.a, LINUX_F_OFD_SETLK, LINUX_F_UNLCK, 21, 0) == 0); /* [15, 20] stays */
    sched_sleep_ns(MS);
    H_CHECK(bw.at == 0);
    file_put(bw.a); /* the description goes: its OFD locks too */
    thread_join(t);
    H_CHECK(bw.rc == 0 && bw.at == 5 * MS);
    /* the POSIX lock now blocks another description's OFD request... */
    bw.a = tk_open();
    H_CHECK(file_plock(bw.a, LINUX_F_OFD_GETLK, &fl, NULL, 0) == 0);
    H_CHECK(fl.l_type == LINUX_F_WRLCK && fl.l_start == 10 && fl.l_len == 11 && fl.l_pid == 42);
    H_CHECK(lk(bw.a, LINUX_F_OFD_SETLK, LINUX_F_RDLCK, 20, 1) == -EAGAIN);
    /* ... until the owner closes any descriptor of the file */
    plock_close(bw.a, &posix_owner);
    H_CHECK(lk(bw.a, LINUX_F_OFD_SETLK, LINUX_F_RDLCK, 20, 1) == 0);
    file_put(bw.a);
    file_put(bw.b);
    return ht_status();
}

/* --- an interrupted wait; a close wakes an OFD waiter ---------------------------------------- */

static void ofd_waiter(void *arg)
{
    (void)arg;
    bw.rc = lk(bw.b, LINUX_F_OFD_SETLKW, LINUX_F_RDLCK, 0, 1);
    bw.at = hal_clock_ns();
}

static int interrupted(void *arg)
{
    struct thread *t;

    (void)arg;
    bw.a = tk_open();
    bw.b = tk_open();
    H_CHECK(lk(bw.a, LINUX_F_SETLK, LINUX_F_WRLCK, 0, 0) == 0); /* POSIX */
    t = thread_create("waiter", ofd_waiter, NULL);
    sched_sleep_ns(2 * MS);
    thread_interrupt(t);
    thread_join(t);
    H_CHECK(bw.rc == -ERESTARTSYS && bw.at == 2 * MS);
    t = thread_create("waiter", ofd_waiter, NULL);
    sched_sleep_ns(MS);
    plock_close(bw.a, &posix_owner);
    thread_join(t);
    H_CHECK(bw.rc == 0 && bw.at == 3 * MS);
    H_CHECK(lk(bw.a, LINUX_F_SETLK, LINUX_F_WRLCK, 0, 1) == -EAGAIN);
    file_put(bw.b); /* its OFD lock goes */
    H_CHECK(lk(bw.a, LINUX_F_SETLK, LINUX_F_WRLCK, 0, 1) == 0);
    plock_close(bw.a, &posix_owner);
    file_put(bw.a);
    return ht_status();
}

/* --- exclusion under seeded preemption ------------------------------------------------------- */

#define NWORKERS 4
#define ROUNDS 6

static struct {
    unsigned writers, readers; /* atomic: inside [0, 10) now */
} ex;

static void worker(void *arg)
{
    unsigned id = (unsigned)(uintptr_t)arg;
    struct file *f = tk_open();

    for (unsigned r = 0; r < ROUNDS; r++) {
        bool wr = (id + r) % 3 != 0;
        int64_t start = (int64_t)((id * 7 + r) % 10); /* some byte of [0, 10) */

        /* lock [0, 10) in two pieces, the second first: a waiter holds part meanwhile */
        H_CHECK(lk(f, LINUX_F_OFD_SETLKW, wr ? LINUX_F_WRLCK : LINUX_F_RDLCK, start, 10 - start) ==
                0);
        H_CHECK(lk(f, LINUX_F_OFD_SETLKW, wr ? LINUX_F_WRLCK : LINUX_F_RDLCK, 0, 10) == 0);
        if (wr) {
            H_CHECK(__atomic_add_fetch(&ex.writers, 1, __ATOMIC_ACQ_REL) == 1);
            H_CHECK(__atomic_load_n(&ex.readers, __ATOMIC_ACQUIRE) == 0);
        } else {
            __atomic_add_fetch(&ex.readers, 1, __ATOMIC_ACQ_REL);
            H_CHECK(__atomic_load_n(&ex.writers, __ATOMIC_ACQUIRE) == 0);
        }
        thread_yield();
        if (wr)
            __atomic_sub_fetch(&ex.writers, 1, __ATOMIC_ACQ_REL);
        else
            __atomic_sub_fetch(&ex.readers, 1, __ATOMIC_ACQ_REL);
        if (r % 2)
            H_CHECK(lk(f, LINUX_F_OFD_SETLK, LINUX_F_UNLCK, 0, 0) == 0);
        else
            H_CHECK(lk(f, LINUX_F_OFD_SETLK, LINUX_F_UNLCK, 3, -3) == 0 &&
                    lk(f, LINUX_F_OFD_SETLK, LINUX_F_UNLCK, 3, 0) == 0);
    }
    file_put(f);
}

static int exclusion(void *arg)
{
    struct thread *t[NWORKERS];

    (void)arg;
    memset(&ex, 0, sizeof(ex));
    for (unsigned i = 0; i < NWORKERS; i++)
        t[i] = thread_create("worker", worker, (void *)(uintptr_t)i);
    for (unsigned i = 0; i < NWORKERS; i++)
        thread_join(t[i]);
    return ht_status();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        HT_BOOT_TEST(test_locks_blocking, blocking, NULL),
        HT_BOOT_TEST(test_locks_interrupted, interrupted, NULL),
        HT_BOOT_TEST(test_locks_exclusion, exclusion, NULL),
        HT_PCT_TEST(test_locks_pct, exclusion, NULL, HT_PCT_SEEDS),
    };

    return cmocka_run_group_tests_name("hosted_locks", tests, NULL, NULL);
}
