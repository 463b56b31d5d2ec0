/*
 * sc_native.c - the native runner: a case against the host's real Linux.
 *
 * Each case runs in a forked child so a case cannot disturb the next (descriptors, mappings,
 * signal state, the current directory): the child closes every descriptor above 2, sets the
 * umask to 022 (Petrel's), drops any alternate signal stack and blocked signal, makes a fresh directory under $TMPDIR (or /tmp) and enters it,
 * maps a 64 KiB arena with an unmapped page after it and the last page below the top of user
 * space (0x7ffffffff000), then runs the steps with syscall(2). The outcome comes back through
 * a shared page; the parent removes the directory. A child that dies is reported by signal.
 */
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sc.h"

#define NATIVE_ARENA (64 * 1024ULL)
#define NATIVE_TOP 0x7ffffffff000ULL

static long native_call(unsigned nr, const uint64_t a[6])
{
    long r = syscall((long)nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    return r == -1 ? -(long)errno : r;
}

static int native_put(uint64_t u, const void *p, size_t n)
{
    memcpy((void *)(uintptr_t)u, p, n);
    return 0;
}

static int native_get(void *p, uint64_t u, size_t n)
{
    memcpy(p, (const void *)(uintptr_t)u, n);
    return 0;
}

const char *sc_host_release(void)
{
    static struct utsname u;

    if (!u.release[0] && uname(&u))
        return "?";
    return u.release;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)f;
    if (flag == FTW_DP || flag == FTW_D)
        return rmdir(path) ? 0 : 0;
    unlink(path);
    return 0;
}

static int chmod_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    chmod(path, 0700);
    return 0;
}

static void rm_tree(const char *dir)
{
    nftw(dir, chmod_one, 16, FTW_PHYS);
    nftw(dir, rm_one, 16, FTW_PHYS | FTW_DEPTH);
}

static int child_setup(const char *dir, struct sc_env *env)
{
    void *a, *t;

    if (chdir(dir))
        return -1;
    umask(022);
    a = mmap(NULL, NATIVE_ARENA + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
             -1, 0);
    if (a == MAP_FAILED || munmap((char *)a + NATIVE_ARENA, 4096))
        return -1;
    /* The top page: ours, or already mapped (a stack without ASLR); either way readable. */
    t = mmap((void *)(NATIVE_TOP - 4096), 4096, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (t == MAP_FAILED && errno != EEXIST)
        return -1;
    env->name = "linux";
    env->call = native_call;
    env->put = native_put;
    env->get = native_get;
    env->arena = (uint64_t)(uintptr_t)a;
    env->arena_size = NATIVE_ARENA;
    env->top = NATIVE_TOP;
    return 0;
}

static void child(const char *dir, const struct sc_case *c, struct sc_outcome *shared)
{
    struct sc_env env;
    struct sc_outcome o;

    stack_t ss = {.ss_flags = SS_DISABLE};
    sigset_t none;

    /* a fresh process's signal state: the sanitizers install an alternate stack */
    sigaltstack(&ss, NULL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);
    if (child_setup(dir, &env)) {
        memset(shared, 0, sizeof(*shared));
        shared->failed_step = 0;
        snprintf(shared->why, sizeof(shared->why), "native setup failed: %s", strerror(errno));
        _exit(2);
    }
    /* descriptors the test harness may have left open would shift every number */
    syscall(SYS_close_range, 3, ~0U, 0);
    sc_run_case(&env, c, NULL, 0, &o);
    memcpy(shared, &o, sizeof(o));
    _exit(0);
}

int sc_native_run(const struct sc_case *c, struct sc_outcome *o)
{
    const char *tmp = getenv("TMPDIR");
    char dir[512];
    struct sc_outcome *shared;
    int status = 0;
    pid_t pid;

    snprintf(dir, sizeof(dir), "%s/petrel-sc.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
                  0);
    if (shared == MAP_FAILED || !mkdtemp(dir)) {
        memset(o, 0, sizeof(*o));
        snprintf(o->why, sizeof(o->why), "native: cannot prepare: %s", strerror(errno));
        o->failed_step = 0;
        return -1;
    }
    memset(shared, 0, sizeof(*shared));
    shared->failed_step = 0;
    strcpy(shared->why, "native child did not finish");
    fflush(NULL);
    pid = fork();
    if (pid == 0)
        child(dir, c, shared);
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        status = -1;
    memcpy(o, shared, sizeof(*o));
    if (WIFSIGNALED(status))
        snprintf(o->why, sizeof(o->why), "native child killed by signal %d", WTERMSIG(status));
    munmap(shared, sizeof(*shared));
    rm_tree(dir);
    return o->failed_step < 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}
