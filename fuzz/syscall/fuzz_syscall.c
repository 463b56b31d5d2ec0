/*
 * fuzz_syscall.c - fuzz target for the syscall layer: bytes become syscall sequences.
 *
 * Every input boots a small hosted kernel with memfs at "/" (a file, a directory, a symlink),
 * a process and 64 KiB of user memory holding paths and iovec arrays. The input is then
 * decoded call by call with the argument kinds of syscalls.def (the table the dispatcher and
 * the tracer use): one byte picks the row, then each argument is made from the bytes by its
 * kind - descriptors near the open ones or AT_FDCWD, paths from the prepared set or bad
 * pointers, buffers inside the user memory or NULL / kernel-half / wrapping / unmapped,
 * sizes small or huge, flags and integers raw. exit and exit_group are skipped (they end the
 * machine). Invariants:
 *   - every result is a value or -errno in [-4095, -1]: never a crash, never a panic;
 *   - no syscall reads a user byte twice (sys_double_fetches stays 0);
 *   - the process and the VFS tear down cleanly afterwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mm/uaccess.h"
#include "core/proc/proc.h"
#include "core/syscall/syscall.h"
#include "fs/vfs/memfs.h"
#include "fs/vfs/vfs.h"
#include "fuzz/driver/fuzz_target.h"
#include "hal/hal_errno.h"
#include "hal_hosted/hosted.h"

#define BUF_SIZE (64 * 1024ULL)
#define MAX_CALLS 64
#define PATHS_OFF 0xf000 /* paths and iovecs live in the last page of the buffer */

static const uint8_t *in;
static size_t in_len, in_pos;
static uint64_t ubuf;

static const char *const paths[] = {"/f", "/d", "/d/g", "/l",      "/new",
                                    "",   ".",  "..",   "/d/../f", "/nope/x"};
#define NPATHS (sizeof(paths) / sizeof(paths[0]))

static void broken(const char *what, long v)
{
    fprintf(stderr, "fuzz_syscall: invariant broken: %s (%ld)\n", what, v);
    abort();
}

static uint8_t byte(void)
{
    return in_pos < in_len ? in[in_pos++] : 0;
}

static uint64_t u64(void)
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++)
        v |= (uint64_t)byte() << (8 * i);
    return v;
}

/* A user pointer: mostly inside the buffer, sometimes hostile. */
static uint64_t pointer(void)
{
    static const uint64_t bad[] = {0, 0xffff800000000000ULL, 0xfffffffffffff000ULL, 0x1000, 0};
    uint8_t b = byte();

    if (b < 200)
        return ubuf + (((uint64_t)b << 8 | byte()) % BUF_SIZE);
    if (b < 250)
        return bad[b % 4];
    return ubuf + BUF_SIZE; /* the unmapped page after the buffer */
}

static uint64_t path_arg(void)
{
    uint8_t b = byte();

    return b < 230 ? ubuf + PATHS_OFF + 64 * (b % NPATHS) : pointer();
}

static uint64_t fd_arg(bool dir)
{
    uint8_t b = byte();

    if (dir && b < 60)
        return (uint64_t)(int64_t)VFS_AT_FDCWD;
    if (b < 240)
        return b % 8;
    return u64();
}

static uint64_t size_arg(void)
{
    uint8_t b = byte();

    if (b < 200)
        return b * 37u % 8192;
    return u64();
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
        return byte() < 200 ? ubuf + PATHS_OFF + 0x800 : pointer();
    case SYS_ARG_SIZE:
    case SYS_ARG_OFF:
        return size_arg();
    case SYS_ARG_ADDR:
        return byte() < 128 ? ubuf + ((uint64_t)byte() << 12) % BUF_SIZE : u64();
    default:
        return byte() < 128 ? byte() : u64();
    }
}

static void run_one(void)
{
    const struct sys_desc *d = sys_table_at(byte() % sys_table_count());
    uint64_t a[6] = {0};
    long rc;

    for (unsigned i = 0; i < d->nargs; i++)
        a[i] = arg(&d->args[i]);
    if (d->nr == 60 || d->nr == 231)
        return;
    uint64_t before = sys_double_fetches();
    rc = ksys_call(d->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    if (rc < -4095)
        broken(d->name, rc);
    if (sys_double_fetches() != before) {
        fprintf(stderr, "fuzz_syscall: %s(%#lx, %#lx, %#lx, %#lx) read user memory twice\n",
                d->name, (unsigned long)a[0], (unsigned long)a[1], (unsigned long)a[2],
                (unsigned long)a[3]);
        broken("double fetch", 1);
    }
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

static void setup_files(void)
{
    struct vfs_file *f;

    if (memfs_mount(NULL, "/", NULL, NULL) || vfs_mkdirat(NULL, "/d", 0755) ||
        vfs_symlinkat("/f", NULL, "/l"))
        broken("setup", 0);
    if (vfs_openat(NULL, "/f", VFS_O_RDWR | VFS_O_CREAT, 0644, &f))
        broken("setup /f", 0);
    vfs_write(f, "some file contents\n", 19);
    vfs_file_put(f);
}

static int fuzz_entry(void *arg)
{
    struct proc *p;
    uint64_t doubles = sys_double_fetches();
    long a;

    (void)arg;
    vfs_init();
    setup_files();
    if (proc_create(NULL, &p))
        broken("proc_create", 0);
    proc_attach(p, NULL);
    a = ksys_call(9, 0, BUF_SIZE + 4096, 3, 0x22, (uint64_t)-1, 0);
    if (a < 0 || ksys_call(11, (uint64_t)a + BUF_SIZE, 4096, 0, 0, 0, 0))
        broken("mmap", a);
    ubuf = (uint64_t)a;
    setup_memory();
    for (int n = 0; n < MAX_CALLS && in_pos < in_len; n++)
        run_one();
    if (sys_double_fetches() != doubles)
        broken("double fetch", (long)(sys_double_fetches() - doubles));
    proc_detach(NULL);
    proc_destroy(p);
    vfs_shutdown();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char console[4096];
    struct hosted_config c;
    int rc;

    memset(&c, 0, sizeof(c));
    c.ram_bytes = 32u << 20;
    c.has_seed = true;
    c.seed = 1;
    c.entry = fuzz_entry;
    in = data;
    in_len = size;
    in_pos = 0;
    hosted_console_capture(console, sizeof(console), false);
    rc = hosted_boot(&c);
    hosted_console_capture_stop();
    if (rc != 0)
        broken("hosted_boot", rc);
    return 0;
}
