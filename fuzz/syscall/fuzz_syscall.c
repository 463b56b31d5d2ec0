/*
 * fuzz_syscall.c - fuzz target for the syscall layer: bytes become syscall sequences, run by
 * one to three threads of one process, on memfs or on TFS.
 *
 * The first byte chooses the world: bit 0 the filesystem at "/" (memfs, or a freshly
 * formatted 2 MiB TFS volume on a memory device), bits 1-2 the number of threads (1 + value
 * % 3). "/" holds a file, a directory and a symlink; the process gets 64 KiB of user memory
 * holding paths and iovec arrays. The rest is decoded, before anything runs, call by call
 * with the argument kinds of syscalls.def (the table the dispatcher and the tracer use): one
 * byte picks the thread, one the row, then each argument is made from the bytes by its kind -
 * descriptors near the open ones or AT_FDCWD, paths from the prepared set or bad pointers,
 * buffers inside the user memory or NULL / kernel-half / wrapping / unmapped, sizes small or
 * huge, flags and integers raw. exit and exit_group are skipped (they end the machine). Each
 * thread is a kernel thread attached to the process; it runs its calls in order and yields
 * after each, so the threads' calls interleave. Invariants:
 *   - every result is a value or -errno in [-4095, -1]: never a crash, never a panic;
 *   - no syscall reads a user byte twice (sys_double_fetches stays 0), with any number of
 *     threads: each thread logs its own reads (core/syscall/ucopy.c), the count is global
 *     (with several threads, the call named is the one that saw the count move);
 *   - no call leaves less than FUZZ_STACK_MARGIN bytes of its thread's kernel stack unused
 *     (fuzz/driver/fuzz_kernel.h: FUZZ_STACK=1 prints the deepest use);
 *   - when the process is destroyed and the VFS shut down, nothing the process, its
 *     descriptors or the filesystems allocated is left: the kernel heap holds exactly the
 *     bytes it held before the input, and (nearly) every page is free again;
 *   - on TFS, the unmounted volume passes fsck with no problem.
 * A call may block for ever, as on Linux (poll with no timeout, a read of an empty pipe, a
 * futex wait): a watchdog thread interrupts the fuzz threads every WATCHDOG_NS of virtual time
 * (the idle loop jumps the clock there at once), so such a call ends with -EINTR as it would
 * on a signal; each thread clears the interrupt after each call. An uninterruptible wait that
 * never ends is still the deadlock the scheduler reports (exit 126): a kernel bug.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mm/uaccess.h"
#include "core/proc/proc.h"
#include "core/syscall/syscall.h"
#include "core/lib/alloc.h"
#include "core/sched/sched.h"
#include "fs/vfs/memfs.h"
#include "fs/vfs/vfs.h"
#include "fs/vfs/vfs_tfs.h"
#include "fuzz/driver/fuzz_kernel.h"
#include "fuzz/driver/fuzz_target.h"
#include "hal/hal_errno.h"
#include "hal_hosted/hosted.h"
#include "net/net.h"

#define BUF_SIZE (64 * 1024ULL)
#define MAX_CALLS 64
#define PATHS_OFF 0xf000 /* paths and iovecs live in the last page of the buffer */
#define MAX_THREADS 3
#define IMG_BLOCKS 512 /* 2 MiB */
#define PAGE_SLACK 64  /* pages the slab allocator may keep for itself (as tests/unit/vfs) */

static uint64_t ubuf;

struct call {
    const struct sys_desc *d;
    uint64_t a[6];
};

/* The decoded input: each thread's calls, in order. */
static struct call calls[MAX_THREADS][MAX_CALLS];
static unsigned ncalls[MAX_THREADS], nthreads;
static bool on_tfs;
static struct proc *proc;
static uint8_t *image;
static struct tfs_memdev md;

static const char *const paths[] = {"/f", "/d", "/d/g", "/l",      "/new",
                                    "",   ".",  "..",   "/d/../f", "/nope/x"};
#define NPATHS (sizeof(paths) / sizeof(paths[0]))

/* A user pointer: mostly inside the buffer, sometimes hostile. */
static uint64_t pointer(void)
{
    static const uint64_t bad[] = {0, 0xffff800000000000ULL, 0xfffffffffffff000ULL, 0x1000, 0};
    uint8_t b = fuzz_byte();

    if (b < 200)
        return ubuf + (((uint64_t)b << 8 | fuzz_byte()) % BUF_SIZE);
    if (b < 250)
        return bad[b % 4];
    return ubuf + BUF_SIZE; /* the unmapped page after the buffer */
}

static uint64_t path_arg(void)
{
    uint8_t b = fuzz_byte();

    return b < 230 ? ubuf + PATHS_OFF + 64 * (b % NPATHS) : pointer();
}

static uint64_t fd_arg(bool dir)
{
    uint8_t b = fuzz_byte();

    if (dir && b < 60)
        return (uint64_t)(int64_t)VFS_AT_FDCWD;
    if (b < 240)
        return b % 8;
    return fuzz_u64();
}

static uint64_t size_arg(void)
{
    uint8_t b = fuzz_byte();

    if (b < 200)
        return b * 37u % 8192;
    return fuzz_u64();
}

static uint64_t arg(const struct sys_arg *k)
{
    switch (k->kind) {
    case SYS_ARG_FD:
        return fd_arg(false);
    case SYS_ARG_DIRFD:
        return fd_arg(true);
    case SYS_ARG_PATH:
        return path_arg();
    case SYS_ARG_IN:
    case SYS_ARG_OUT:
    case SYS_ARG_INS:
    case SYS_ARG_OUTS:
    case SYS_ARG_PTR:
        return pointer();
    case SYS_ARG_IOV:
        return fuzz_byte() < 200 ? ubuf + PATHS_OFF + 0x800 : pointer();
    case SYS_ARG_SIZE:
    case SYS_ARG_OFF:
        return size_arg();
    case SYS_ARG_ADDR:
        return fuzz_byte() < 128 ? ubuf + ((uint64_t)fuzz_byte() << 12) % BUF_SIZE : fuzz_u64();
    default:
        return fuzz_byte() < 128 ? fuzz_byte() : fuzz_u64();
    }
}

/* Decode the input into calls[][] (pointers are relative to ubuf, known before decoding). */
static void decode_world(void)
{
    uint8_t world = fuzz_byte();

    on_tfs = world & 1;
    nthreads = 1 + ((world >> 1) & 3) % MAX_THREADS;
}

/*
 * Calls that only a delivered signal ends: pause, rt_sigsuspend, rt_sigtimedwait (NULL timeout).
 * The watchdog's interrupt carries no signal, so they would wait for ever; they are skipped
 * (their argument checks are covered by tests/syscall and the hosted signal tests).
 */
static bool signal_only_wait(uint64_t nr)
{
    return nr == 34 || nr == 130 || nr == 128;
}

static void decode(void)
{
    memset(ncalls, 0, sizeof(ncalls));
    for (int n = 0; n < MAX_CALLS && fuzz_more(); n++) {
        unsigned t = nthreads > 1 ? fuzz_byte() % nthreads : 0;
        struct call *c = &calls[t][ncalls[t]];
        c->d = sys_table_at(fuzz_byte() % sys_table_count());
        memset(c->a, 0, sizeof(c->a));
        for (unsigned i = 0; i < c->d->nargs; i++)
            c->a[i] = arg(&c->d->args[i]);
        if (c->d->nr == 293) /* pipe2: non-blocking, so no call waits for ever */
            c->a[1] |= 04000;
        if (c->d->nr != 60 && c->d->nr != 231 && c->d->nr != 22 && /* pipe: blocking ends */
            !signal_only_wait(c->d->nr))
            ncalls[t]++;
    }
}

#define WATCHDOG_NS 10000000000ULL /* 10 s of virtual time */

static struct thread *fuzz_threads[MAX_THREADS];
static bool fuzz_done;

static void watchdog(void *arg)
{
    (void)arg;
    for (;;) {
        sched_sleep_ns(WATCHDOG_NS);
        if (__atomic_load_n(&fuzz_done, __ATOMIC_ACQUIRE))
            return;
        for (unsigned i = 0; i < nthreads; i++)
            if (fuzz_threads[i])
                thread_interrupt(fuzz_threads[i]);
    }
}

static void run_call(const struct call *c)
{
    uint64_t before = sys_double_fetches();
    long rc = ksys_call(c->d->nr, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4], c->a[5]);

    thread_clear_interrupt(thread_current()); /* the watchdog's, if it fired */
    if (rc < -4095)
        fuzz_broken(c->d->name, rc);
    if (sys_double_fetches() != before) {
        fprintf(stderr, "fuzz_syscall: %s(%#lx, %#lx, %#lx, %#lx) read user memory twice\n",
                c->d->name, (unsigned long)c->a[0], (unsigned long)c->a[1], (unsigned long)c->a[2],
                (unsigned long)c->a[3]);
        fuzz_broken("double fetch", 1);
    }
}

static void run_thread_calls(unsigned t)
{
    for (unsigned i = 0; i < ncalls[t]; i++) {
        fuzz_stack_paint();
        run_call(&calls[t][i]);
        fuzz_stack_check(calls[t][i].d->name);
        thread_yield();
    }
}

static void worker(void *arg)
{
    unsigned t = (unsigned)(uintptr_t)arg;

    proc_attach(proc, NULL);
    run_thread_calls(t);
    proc_detach(NULL);
}

static void setup_memory(void)
{
    uint64_t iov[8];

    for (size_t i = 0; i < NPATHS; i++)
        copy_to_user(uptr_make(ubuf + PATHS_OFF + 64 * i), paths[i], strlen(paths[i]) + 1);
    for (int i = 0; i < 4; i++) {
        iov[2 * i] = ubuf + 4096 * (uint64_t)i;
        iov[2 * i + 1] = 100 * (uint64_t)i;
    }
    copy_to_user(uptr_make(ubuf + PATHS_OFF + 0x800), iov, sizeof(iov));
}

static int mount_root(void)
{
    struct tfs_format_opts fo;
    struct vfs_tfs_opts vo = {0};

    if (!on_tfs)
        return memfs_mount(NULL, "/", NULL, NULL);
    memset(image, 0, (size_t)IMG_BLOCKS * TFS_BLOCK_SIZE);
    tfs_memdev_init(&md, image, IMG_BLOCKS);
    memset(&fo, 0, sizeof(fo));
    fo.label = "fuzz";
    fo.now.sec = vfs_now().tv_sec;
    return tfs_format(&md.dev, &fo) ? -1 : vfs_tfs_mount(NULL, "/", &md.dev, &vo, NULL);
}

static void fsck_report(void *arg, const char *msg)
{
    (void)arg;
    fprintf(stderr, "fuzz_syscall: fsck: %s\n", msg);
}

static void setup_files(void)
{
    struct vfs_file *f;

    if (mount_root() || vfs_mkdirat(NULL, "/d", 0755) || vfs_symlinkat("/f", NULL, "/l"))
        fuzz_broken("setup", 0);
    if (vfs_openat(NULL, "/f", VFS_O_RDWR | VFS_O_CREAT, 0644, &f))
        fuzz_broken("setup /f", 0);
    vfs_write(f, "some file contents\n", 19);
    vfs_file_put(f);
}

static void run_threads(void)
{
    struct thread *t[MAX_THREADS] = {NULL}, *dog;

    memset(fuzz_threads, 0, sizeof(fuzz_threads));
    fuzz_done = false;
    fuzz_threads[0] = thread_current();
    for (unsigned i = 1; i < nthreads; i++)
        if (!(fuzz_threads[i] = t[i] = thread_create("fuzz", worker, (void *)(uintptr_t)i)))
            fuzz_broken("thread_create", (long)i);
    if (!(dog = thread_create("watchdog", watchdog, NULL)))
        fuzz_broken("thread_create", 0);
    run_thread_calls(0);
    for (unsigned i = 1; i < nthreads; i++) {
        thread_join(t[i]);
        fuzz_threads[i] = NULL;
    }
    __atomic_store_n(&fuzz_done, true, __ATOMIC_RELEASE);
    thread_join(dog);
}

/* After the process and the VFS are gone: no heap byte or page left behind, fsck clean. */
static void check_leaks(const struct kmalloc_stats *k0, const struct page_stats *p0)
{
    struct kmalloc_stats k1;
    struct page_stats p1;
    struct tfs_fsck_opts fo;

    kmalloc_get_stats(&k1);
    page_get_stats(&p1);
    if (k1.bytes_in_use != k0->bytes_in_use)
        fuzz_broken("kernel heap bytes leaked by the process or the VFS",
                    (long)(k1.bytes_in_use - k0->bytes_in_use));
    if (p1.free_pages + PAGE_SLACK < p0->free_pages)
        fuzz_broken("pages leaked", (long)(p0->free_pages - p1.free_pages));
    if (!on_tfs)
        return;
    memset(&fo, 0, sizeof(fo));
    fo.report = fsck_report;
    int problems = tfs_fsck(&md.dev, &fo, NULL);
    if (problems)
        fuzz_broken("fsck after unmount", problems);
}

static int fuzz_entry(void *arg)
{
    uint64_t doubles = sys_double_fetches();
    struct kmalloc_stats k0;
    struct page_stats p0;

    (void)arg;
    decode_world();
    vfs_init();
    kmalloc_get_stats(&k0);
    page_get_stats(&p0);
    setup_files();
    ubuf = fuzz_process(&proc, BUF_SIZE);
    setup_memory();
    decode();
    run_threads();
    if (sys_double_fetches() != doubles)
        fuzz_broken("double fetch", (long)(sys_double_fetches() - doubles));
    proc_detach(NULL);
    proc_destroy(proc);
    proc = NULL;
    int rc = net_shutdown(); /* sockets started the stack: its thread and pcbs go too */
    if (rc)
        fuzz_broken("net_shutdown", rc);
    rc = vfs_shutdown();
    if (rc)
        fuzz_broken("vfs_shutdown", rc);
    check_leaks(&k0, &p0);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hosted_config c;

    if (!image && !(image = calloc(IMG_BLOCKS, TFS_BLOCK_SIZE)))
        fuzz_broken("calloc", 0);
    memset(&c, 0, sizeof(c));
    c.ram_bytes = 32u << 20;
    c.has_seed = true;
    c.seed = 1;
    c.entry = fuzz_entry;
    fuzz_input("fuzz_syscall", data, size);
    fuzz_boot(&c);
    return 0;
}
