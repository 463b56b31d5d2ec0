/*
 * test_exec.c - execve and execveat (core/proc/exec.c, core/syscall/sys_exec.c) with a real
 * static-PIE program (glibc -static-pie: it loads in the hosted arena; its code never runs
 * hosted). A case plays the HAL's syscall entry (kernel_syscall with a register frame), so
 * the exec goes through its point of no return: the frame becomes the new program's, and the
 * case then looks at the new address space, stack, descriptors, signal actions and thread
 * state. Failures must leave the old program as it was. The last cases boot their own
 * process to exec from a second thread while others run (they end; the caller takes the pid).
 */
#include <stdio.h>
#include <stdlib.h>

#include "st.h"

#include "core/abi/signal.h"
#include "core/mm/uaccess.h"
#include "core/proc/stack.h"
#include "fs/vfs/memfs.h"
#include "hal/hal_power.h"
#include "hal_hosted/hosted.h"

#define P(off) (st_buf + (off))
#define NR_execve 59
#define NR_execveat 322
#define NR_set_robust_list 273
#define ARCH_SET_FS 0x1002
#define SIGHUP_BIT (1ULL << (LINUX_SIGHUP - 1))

static uint8_t *prog;
static size_t prog_size;

static void read_prog(void)
{
    FILE *f = fopen(SYS_BIN_DIR "/glibc-static-pie", "rb");
    long n;

    if (!f)
        return;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    prog = malloc((size_t)n);
    if (prog && fread(prog, 1, (size_t)n, f) == (size_t)n)
        prog_size = (size_t)n;
    fclose(f);
}

/* path (mode) holds data, written through the VFS. */
static int put_file(const char *path, const void *data, size_t n, uint32_t mode)
{
    struct vfs_file *f;
    int rc = vfs_openat(NULL, path, VFS_O_WRONLY | VFS_O_CREAT | VFS_O_TRUNC, mode, &f);

    if (rc)
        return rc;
    if (vfs_write(f, data, n) != (long)n)
        rc = -EIO;
    vfs_file_put(f);
    return rc;
}

/* A NULL-terminated vector of strings at user address u (strings after the pointers). */
static uint64_t put_vec(uint64_t u, const char *const *v, size_t n)
{
    uint64_t s = u + (n + 1) * 8, zero = 0;

    for (size_t i = 0; i < n; i++) {
        st_put(u + i * 8, &s, 8);
        st_str(s, v[i]);
        s += strlen(v[i]) + 1;
    }
    st_put(u + n * 8, &zero, 8);
    return u;
}

/* The syscall as the HAL's entry makes it: a register frame that exec may rewrite. */
static long entry_call(struct hal_uregs *r, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
                       uint64_t a3, uint64_t a4)
{
    memset(r, 0, sizeof(*r));
    r->rax = nr, r->rdi = a0, r->rsi = a1, r->rdx = a2, r->r10 = a3, r->r8 = a4;
    r->fs_base = 0x1234000;
    kernel_syscall(r);
    return (long)r->rax;
}

static uint64_t auxv_get(uint64_t auxv, uint64_t type)
{
    uint64_t pair[2];

    for (int i = 0; i < 64; i++, auxv += 16) {
        if (copy_from_user(pair, uptr_make(auxv), 16) || pair[0] == AT_NULL)
            return 0;
        if (pair[0] == type)
            return pair[1];
    }
    return 0;
}

/* The string at user address u (in the current space) equals s. */
static bool user_str_is(uint64_t u, const char *s)
{
    char buf[256];

    return strncpy_from_user(buf, uptr_make(u), sizeof(buf)) >= 0 && strcmp(buf, s) == 0;
}

/* argv[i] of the new program's stack at sp equals s. */
static bool argv_is(uint64_t sp, unsigned i, const char *s)
{
    uint64_t ptr;

    return copy_from_user(&ptr, uptr_make(sp + 8 + 8 * i), 8) == 0 && user_str_is(ptr, s);
}

static uint64_t word_at(uint64_t u)
{
    uint64_t v = ~0ULL;

    (void)copy_from_user(&v, uptr_make(u), 8);
    return v;
}

#define NEED_PROG()                                                                                \
    do {                                                                                           \
        if (!prog_size) {                                                                          \
            print_message("glibc static-pie not built: skipped\n");                                \
            return;                                                                                \
        }                                                                                          \
        ST_EQ(put_file("/prog", prog, prog_size, 0755), 0);                                        \
    } while (0)

/* State the exec must reset or keep: descriptors 3 (kept) and 4 (FD_CLOEXEC), a handler for
 * SIGUSR1, SIGUSR2 ignored, SIGHUP blocked, a robust list, an fs base, an alternate stack. */
static void set_state(void)
{
    uint64_t act[4] = {0x4000, 0, 0, 0}, ign[4] = {1, 0, 0, 0}, mask = SIGHUP_BIT;
    uint64_t ss[3] = {P(0x10000), 0, 0x10000};

    st_file("/keep", "k");
    ST_EQ(SC(NR_open, st_str(P(0), "/keep"), 0, 0), 3);
    ST_EQ(SC(NR_open, P(0), 02000000 /* O_CLOEXEC */, 0), 4);
    ST_EQ(SC(NR_rt_sigaction, LINUX_SIGUSR1, st_put(P(64), act, 32), 0, 8), 0);
    ST_EQ(SC(NR_rt_sigaction, LINUX_SIGUSR2, st_put(P(128), ign, 32), 0, 8), 0);
    ST_EQ(SC(NR_rt_sigprocmask, 0, st_put(P(192), &mask, 8), 0, 8), 0);
    ST_EQ(SC(NR_set_robust_list, P(256), 24), 0);
    ST_EQ(SC(NR_arch_prctl, ARCH_SET_FS, 0x5000), 0);
    ST_EQ(SC(NR_sigaltstack, st_put(P(320), ss, 24), 0), 0);
}

ST_CASE(exec_replaces_program)
{
    static const char *const argv[] = {"prog", "one"}, *const envp[] = {"A=b"};
    struct uthread *ut = uthread_current();
    struct vm_space *old = st_proc->vm;
    struct hal_uregs r;
    uint64_t sp, auxv;

    NEED_PROG();
    set_state();
    ST_EQ(entry_call(&r, NR_execve, st_str(P(4096), "/prog"), put_vec(P(8192), argv, 2),
                     put_vec(P(12288), envp, 1), 0, 0),
          0);
    ST_CHECK(st_proc->vm != old && vm_current() == st_proc->vm);
    sp = r.rsp;
    ST_EQ(sp % 16, 0);
    ST_EQ(r.rflags, 0x202);
    ST_EQ(r.rbx | r.rcx | r.rdx | r.rdi | r.rsi | r.rbp | r.fs_base | r.gs_base, 0);
    ST_EQ(word_at(sp), 2);
    ST_CHECK(argv_is(sp, 0, "prog") && argv_is(sp, 1, "one"));
    ST_EQ(word_at(sp + 24), 0);
    ST_CHECK(user_str_is(word_at(sp + 32), "A=b"));
    auxv = sp + 48;
    ST_EQ(auxv_get(auxv, AT_ENTRY), r.rip);
    ST_CHECK(user_str_is(auxv_get(auxv, AT_EXECFN), "/prog"));
    ST_EQ(st_proc->auxv_addr, auxv);
    /* descriptors: FD_CLOEXEC closed, the others kept */
    ST_EQ(SC(NR_fcntl, 3, 1 /* F_GETFD */), 0);
    ST_EQ(SC(NR_fcntl, 4, 1), -EBADF);
    ST_EQ(SC(NR_fcntl, 1, 1), 0);
    /* signals: the handler is gone, ignored stays ignored, the mask stays */
    ST_EQ(st_proc->sigactions[LINUX_SIGUSR1 - 1].handler, LINUX_SIG_DFL);
    ST_EQ(st_proc->sigactions[LINUX_SIGUSR2 - 1].handler, LINUX_SIG_IGN);
    ST_EQ(ut->sigmask, SIGHUP_BIT);
    ST_EQ(ut->altstack.size, 0);
    /* the thread's state of the old program */
    ST_EQ(ut->robust_list, 0);
    ST_EQ(ut->fs_base, 0);
    ST_CHECK(strcmp(ut->comm, "prog") == 0);
    /* what /proc/self shows */
    ST_CHECK(strcmp(st_proc->cfg.program, "/prog") == 0);
    ST_EQ(st_proc->cfg.argc, 2);
    ST_CHECK(strcmp(st_proc->cfg.argv[1], "one") == 0);
    ST_EQ(st_proc->cfg.envc, 1);
    ST_EQ(SC(NR_getpid), 1);
    ST_EQ(SC(NR_gettid), 1);
}

/* A #! script found relative to the cwd: the interpreter gets { interp, arg, filename, argv[1..] }. */
ST_CASE(exec_script_relative)
{
    static const char *const argv[] = {"ignored", "A", "B C"};
    struct hal_uregs r;
    uint64_t sp;

    NEED_PROG();
    ST_EQ(SC(NR_mkdir, st_str(P(0), "/d"), 0755), 0);
    ST_EQ(put_file("/d/s.sh", "#!/prog  -x y \t\nbody\n", 21, 0755), 0);
    ST_EQ(SC(NR_chdir, P(0)), 0);
    ST_EQ(entry_call(&r, NR_execve, st_str(P(4096), "s.sh"), put_vec(P(8192), argv, 3), 0, 0, 0),
          0);
    sp = r.rsp;
    ST_EQ(word_at(sp), 5);
    ST_CHECK(argv_is(sp, 0, "/prog") && argv_is(sp, 1, "-x y") && argv_is(sp, 2, "s.sh"));
    ST_CHECK(argv_is(sp, 3, "A") && argv_is(sp, 4, "B C"));
    ST_EQ(word_at(sp + 8 * 6), 0); /* argv's NULL, then an empty envp */
    ST_EQ(word_at(sp + 8 * 7), 0);
    ST_CHECK(user_str_is(auxv_get(sp + 8 * 8, AT_EXECFN), "s.sh"));
    ST_CHECK(strcmp(st_proc->cfg.program, "/prog") == 0); /* /proc/self/exe: the interpreter */
    ST_CHECK(strcmp(uthread_current()->comm, "s.sh") == 0);
}

/* execveat: relative to a directory descriptor, and AT_EMPTY_PATH on the program's own. */
ST_CASE(execveat_dirfd_and_fd)
{
    struct hal_uregs r;
    uint64_t sp, m;

    NEED_PROG();
    ST_EQ(SC(NR_open, st_str(P(0), "/"), 0200000 /* O_DIRECTORY */, 0), 3);
    ST_EQ(entry_call(&r, NR_execveat, 3, st_str(P(4096), "prog"), 0, 0, 0), 0);
    sp = r.rsp;
    ST_EQ(word_at(sp), 1); /* argc 0 gets one empty string, as Linux */
    ST_CHECK(argv_is(sp, 0, ""));
    ST_CHECK(user_str_is(auxv_get(sp + 8 * 4, AT_EXECFN), "/dev/fd/3/prog"));
    m = (uint64_t)SC(NR_mmap, 0, 8192, 3, 0x22, (uint64_t)-1, 0);
    ST_CHECK((long)m > 0);
    ST_EQ(SC(NR_open, st_str(m, "/prog"), 0, 0), 4);
    ST_EQ(entry_call(&r, NR_execveat, 4, st_str(m + 4096, ""), 0, 0,
                     0x1000 /* AT_EMPTY_PATH */),
          0);
    ST_CHECK(user_str_is(auxv_get(r.rsp + 8 * 4, AT_EXECFN), "/dev/fd/4"));
    ST_CHECK(strcmp(uthread_current()->comm, "4") == 0);
}

/* Errors before the point of no return leave the old program untouched. */
ST_CASE(exec_failures_keep_program)
{
    static const char *const argv[] = {"x"};
    struct vm_space *old = st_proc->vm;
    struct hal_uregs r;
    char *big = malloc(STACK_MAX_STRLEN + 1);

    NEED_PROG();
    set_state();
    ST_EQ(put_file("/noint.sh", "#!/none\n", 8, 0755), 0);
    ST_EQ(put_file("/junk", "junk junk", 9, 0755), 0);
    ST_EQ(put_file("/loop.sh", "#!/loop.sh\n", 11, 0755), 0);
    ST_EQ(put_file("/long.sh", "#!/prog", 7, 0755), 0);
    put_vec(P(8192), argv, 1);
    ST_EQ(entry_call(&r, NR_execve, st_str(P(4096), "/noint.sh"), P(8192), 0, 0, 0), -ENOENT);
    ST_EQ(entry_call(&r, NR_execve, st_str(P(4096), "/junk"), P(8192), 0, 0, 0), -ENOEXEC);
    ST_EQ(entry_call(&r, NR_execve, st_str(P(4096), "/loop.sh"), P(8192), 0, 0, 0), -ELOOP);
    ST_EQ(entry_call(&r, NR_execve, st_str(P(4096), "/keep"), P(8192), 0, 0, 0), -EACCES);
    ST_EQ(entry_call(&r, NR_execve, st_str(P(4096), "/prog"), st_hole, 0, 0, 0), -EFAULT);
    memset(big, 'a', STACK_MAX_STRLEN);
    big[STACK_MAX_STRLEN] = '\0';
    st_put(P(0x1f000), big, STACK_MAX_STRLEN + 1);
    free(big);
    st_put(P(8192), &(uint64_t){P(0x1f000)}, 8);
    ST_EQ(entry_call(&r, NR_execve, st_str(P(4096), "/prog"), P(8192), 0, 0, 0), -E2BIG);
    /* as C (ksys_call), there is no frame to start the new program in */
    ST_EQ(SC(NR_execve, st_str(P(4096), "/prog"), 0, 0), -ENOSYS);
    ST_CHECK(st_proc->vm == old);
    ST_EQ(SC(NR_fcntl, 4, 1), 1); /* FD_CLOEXEC descriptor still there */
    ST_EQ(st_proc->sigactions[LINUX_SIGUSR1 - 1].handler, 0x4000);
    ST_EQ(uthread_current()->fs_base, 0x5000);
    ST_EQ(uthread_current()->robust_list, P(256));
    ST_CHECK(strcmp(st_proc->cfg.program ? st_proc->cfg.program : "", "/prog") != 0);
}

/* --- execve from a second thread --------------------------------------------------------- */

static struct proc *app;
static volatile int spinners_started;

static uint64_t app_map(void)
{
    long m = ksys_call(NR_mmap, 0, 65536, 3, 0x22, (uint64_t)-1, 0);

    return m < 0 ? 0 : (uint64_t)m;
}

/* A thread in a loop of syscalls: it ends at one of them once the exec starts. */
static void spinner(void *arg)
{
    (void)arg;
    if (proc_attach(app, NULL))
        hal_exit(210);
    spinners_started++;
    for (int i = 0; i < 100000; i++)
        ksys_call(NR_sched_yield, 0, 0, 0, 0, 0, 0);
    hal_exit(211); /* never: the exec ended this thread */
}

static void execer(void *arg)
{
    struct hal_uregs r;
    uint64_t m;
    long tid;

    (void)arg;
    if (proc_attach(app, NULL) || !(m = app_map()))
        hal_exit(212);
    tid = ksys_call(NR_gettid, 0, 0, 0, 0, 0, 0);
    while (spinners_started < 2)
        thread_yield();
    if (tid == 1 || copy_to_user(uptr_make(m), "/prog", 6))
        hal_exit(213);
    if (entry_call(&r, NR_execve, m, 0, 0, 0, 0) != 0)
        hal_exit(214);
    if (proc_thread_count(app) != 1 || ksys_call(NR_gettid, 0, 0, 0, 0, 0, 0) != 1 ||
        ksys_call(NR_getpid, 0, 0, 0, 0, 0, 0) != 1 || app->main.thread)
        hal_exit(215);
    hal_exit(42);
}

static int exec_thread_entry(void *arg)
{
    uint64_t ts[2] = {0, 1000000}, m;

    (void)arg;
    vfs_init();
    if (memfs_mount(NULL, "/", NULL, NULL) || proc_create(NULL, &app) || proc_attach(app, NULL))
        return 200;
    if (put_file("/prog", prog, prog_size, 0755) || !(m = app_map()) ||
        copy_to_user(uptr_make(m), ts, sizeof(ts)))
        return 201;
    thread_create("spin1", spinner, NULL);
    thread_create("spin2", spinner, NULL);
    thread_create("execer", execer, NULL);
    for (int i = 0; i < 100000; i++) /* the main thread sleeps in syscalls until it ends */
        ksys_call(NR_nanosleep, m, 0, 0, 0, 0, 0);
    return 202;
}

static void exec_from_second_thread(void **state)
{
    struct hosted_config c;

    (void)state;
    if (!prog_size) {
        print_message("glibc static-pie not built: skipped\n");
        return;
    }
    memset(&c, 0, sizeof(c));
    c.ram_bytes = 64u << 20;
    c.entry = exec_thread_entry;
    spinners_started = 0;
    assert_int_equal(hosted_boot(&c), 42);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exec_replaces_program),
        cmocka_unit_test(exec_script_relative),
        cmocka_unit_test(execveat_dirfd_and_fd),
        cmocka_unit_test(exec_failures_keep_program),
        cmocka_unit_test(exec_from_second_thread),
    };

    read_prog();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
