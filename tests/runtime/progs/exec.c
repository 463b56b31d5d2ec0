/*
 * exec.c - execve and execveat (docs/exec.md), in one program with several roles, run from
 * the root of its tree (bin/exec, bin/show.sh, xd/...), so natively and in Petrel the same
 * relative paths name the same files:
 *
 *   exec child <code> ...   report what survived the exec (argv, envp, descriptors, signal
 *                           state, pid == tid) and exit with <code>
 *   exec show ...           print argv (the #! script's interpreter role)
 *   exec wrap <code>        set up state (handlers, an ignored signal, a blocked and pending
 *                           signal, an alternate stack, descriptors with and without
 *                           FD_CLOEXEC), then execve "exec child <code>" with a new envp
 *   exec thread <code>      start threads that sleep, wait on a condition and spin, then
 *                           execve "exec child" from another thread
 *   exec script             execve bin/show.sh (a #! script whose interpreter is bin/exec)
 *   exec errors             the error paths: each fails as on Linux and the program goes on
 *   exec at <code>          execveat: a dirfd-relative path, then AT_EMPTY_PATH on an fd
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int child(int argc, char **argv)
{
    struct sigaction sa;
    sigset_t set;
    stack_t ss;

    printf("child: argc %d", argc);
    for (int i = 0; i < argc; i++)
        printf(" [%s]", argv[i]);
    printf("\nchild: env");
    for (char **e = environ; *e; e++)
        printf(" [%s]", *e);
    printf("\nchild: pid == tid %s\n", getpid() == syscall(SYS_gettid) ? "yes" : "no");
    printf("child: fd 5 %s, fd 6 %s\n", fcntl(5, F_GETFD) >= 0 ? "open" : "closed",
           fcntl(6, F_GETFD) >= 0 ? "open" : "closed");
    sigaction(SIGUSR1, NULL, &sa);
    printf("child: SIGUSR1 %s\n", sa.sa_handler == SIG_DFL ? "default" : "other");
    sigaction(SIGUSR2, NULL, &sa);
    printf("child: SIGUSR2 %s\n", sa.sa_handler == SIG_IGN ? "ignored" : "other");
    sigprocmask(SIG_BLOCK, NULL, &set);
    printf("child: SIGHUP blocked %d\n", sigismember(&set, SIGHUP));
    sigpending(&set);
    printf("child: SIGHUP pending %d\n", sigismember(&set, SIGHUP));
    sigaltstack(NULL, &ss);
    printf("child: altstack %s\n", (ss.ss_flags & SS_DISABLE) ? "disabled" : "enabled");
    return argc > 2 ? atoi(argv[2]) : 0;
}

static void on_usr1(int sig)
{
    (void)sig;
}

static void setup_state(void)
{
    static char altstack[65536];
    struct sigaction sa = {0};
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof(altstack)};
    sigset_t set;
    int fd = open("xd", O_RDONLY);

    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGUSR2, SIG_IGN);
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGHUP);
    sigaltstack(&ss, NULL);
    dup2(fd, 5);
    dup3(fd, 6, O_CLOEXEC);
    close(fd);
}

static char *child_argv[5] = {"exec", "child", NULL, "two words", NULL};
static char *child_envp[] = {"WRAPPED=yes", "EMPTY=", NULL};

static int wrap(const char *code)
{
    setup_state();
    child_argv[2] = (char *)code;
    fflush(stdout);
    execve("bin/exec", child_argv, child_envp);
    printf("wrap: execve failed: %s\n", strerror(errno));
    return 99;
}

/* --- exec from a thread while others run ----------------------------------------------- */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static volatile int spinning;

static void *sleeper(void *arg)
{
    (void)arg;
    for (;;)
        sleep(3600); /* the exec ends the sleep at once (the test's 20 s would run out) */
    return NULL;
}

static void *waiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    for (;;)
        pthread_cond_wait(&cv, &mu);
    return NULL;
}

static void *spinner(void *arg)
{
    (void)arg;
    spinning = 1;
    for (;;)
        sched_yield();
    return NULL;
}

static void *execer(void *arg)
{
    struct timespec ts = {0, 20 * 1000 * 1000};

    nanosleep(&ts, NULL); /* the others are in their waits by now */
    child_argv[2] = arg;
    fflush(stdout);
    execve("bin/exec", child_argv, child_envp);
    printf("thread: execve failed: %s\n", strerror(errno));
    exit(98);
}

static int threads(char *code)
{
    pthread_t t[4];

    pthread_create(&t[0], NULL, sleeper, NULL);
    pthread_create(&t[1], NULL, waiter, NULL);
    pthread_create(&t[2], NULL, spinner, NULL);
    while (!spinning)
        sched_yield();
    pthread_create(&t[3], NULL, execer, code);
    for (;;)
        pause(); /* the main thread ends with the exec too */
}

/* --- errors --------------------------------------------------------------------------- */

static int failures;

static void expect(const char *what, long rc, int err)
{
    int got = rc < 0 ? errno : 0;

    printf("errors: %-28s %s\n", what, got == err ? "as Linux" : "DIFFERENT");
    if (got != err) {
        printf("errors:   got %s, want %s\n", strerror(got), strerror(err));
        failures++;
    }
}

static int errors(void)
{
    char *argv[] = {"x", NULL}, *envp[] = {NULL};
    void *bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *bad_argv[] = {"x", bad, NULL};
    size_t big_len = 33 * 4096;
    char *big = malloc(big_len);
    char *big_argv[] = {"x", big, NULL};
    int fd = open("xd", O_RDONLY);

    memset(big, 'a', big_len - 1);
    big[big_len - 1] = '\0';
    expect("missing file", execve("xd/none", argv, envp), ENOENT);
    expect("empty path", execve("", argv, envp), ENOENT);
    expect("directory", execve("xd", argv, envp), EACCES);
    expect("no execute bit", execve("xd/plain.txt", argv, envp), EACCES);
    expect("not ELF, not #!", execve("xd/junk.bin", argv, envp), ENOEXEC);
    expect("#! without interpreter", execve("xd/noint.sh", argv, envp), ENOENT);
    expect("#! with an empty line", execve("xd/empty.sh", argv, envp), ENOEXEC);
    expect("#! loop", execve("xd/loop.sh", argv, envp), ELOOP);
    expect("path below a file", execve("xd/junk.bin/x", argv, envp), ENOTDIR);
    expect("bad path pointer", syscall(SYS_execve, bad, argv, envp), EFAULT);
    expect("bad argv", syscall(SYS_execve, "xd/junk.bin", bad, envp), EFAULT);
    expect("bad argv[1]", syscall(SYS_execve, "xd/junk.bin", bad_argv, envp), EFAULT);
    expect("bad envp", syscall(SYS_execve, "xd/junk.bin", argv, bad), EFAULT);
    expect("argument over 32 pages", execve("xd/junk.bin", big_argv, envp), E2BIG);
    expect("execveat bad flags", syscall(SYS_execveat, fd, "x", argv, envp, 0x1), EINVAL);
    expect("execveat bad dirfd", syscall(SYS_execveat, 99, "x", argv, envp, 0), EBADF);
    expect("execveat fd of a directory",
           syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH), EACCES);
    expect("execveat relative ENOEXEC", syscall(SYS_execveat, fd, "junk.bin", argv, envp, 0),
           ENOEXEC);
    expect("execveat nofollow symlink",
           syscall(SYS_execveat, fd, "link", argv, envp, AT_SYMLINK_NOFOLLOW), ELOOP);
    printf("errors: still running, %d different\n", failures);
    return failures ? 1 : 0;
}

/* execveat: "exec" relative to a descriptor of bin/, then the program by its own fd. */
static int at(char *code)
{
    int dir = open("bin", O_RDONLY | O_DIRECTORY);
    int self = open("bin/exec", O_RDONLY);
    char *argv2[] = {"exec", "at2", code, NULL};

    if (dir < 0 || self < 0)
        return 97;
    if (strcmp(code, "fd") == 0) {
        child_argv[2] = "4";
        syscall(SYS_execveat, self, "", child_argv, child_envp, AT_EMPTY_PATH);
        return 96;
    }
    syscall(SYS_execveat, dir, "exec", argv2, child_envp, 0);
    printf("at: execveat failed: %s\n", strerror(errno));
    return 95;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return child(argc, argv);
    if (argc > 1 && strcmp(argv[1], "show") == 0) {
        for (int i = 0; i < argc; i++)
            printf("show: argv[%d] = [%s]\n", i, argv[i]);
        return 0;
    }
    if (argc > 2 && strcmp(argv[1], "wrap") == 0)
        return wrap(argv[2]);
    if (argc > 2 && strcmp(argv[1], "thread") == 0)
        return threads(argv[2]);
    if (argc > 1 && strcmp(argv[1], "script") == 0) {
        char *sargv[] = {"show.sh", "A", "B C", NULL};

        execve("bin/show.sh", sargv, child_envp);
        printf("script: execve failed: %s\n", strerror(errno));
        return 94;
    }
    if (argc > 1 && strcmp(argv[1], "errors") == 0)
        return errors();
    if (argc > 2 && strcmp(argv[1], "at") == 0)
        return at(argv[2]);
    if (argc > 2 && strcmp(argv[1], "at2") == 0) {
        printf("at2: reached by execveat\n");
        return at("fd");
    }
    fprintf(stderr, "usage: exec child|show|wrap|thread|script|errors|at ...\n");
    return 2;
}
