/*
 * exec_self: a program that runs itself again through /proc/self/exe (docs/exec.md):
 *   start    readlink("/proc/self/exe") names this program; execve("/proc/self/exe")
 *   child 1  argv as given, AT_EXECFN "/proc/self/exe", the link still names the program;
 *            an O_PATH descriptor of /proc/self/exe, then execveat(fd, "", AT_EMPTY_PATH)
 *   child 2  the same through execveat(AT_FDCWD, "/proc/self/exe"), after setting
 *            RLIMIT_STACK to 256 MiB
 *   child 3  the new layout respects the limit: an mmap lands more than 256 MiB below the top
 *            of the [stack] area (Linux's mmap_base keeps the stack's limit free); then
 *            RLIMIT_STACK unlimited and execve again
 *   child 4  an unlimited stack: x86-64 Linux keeps the top-down layout (checked natively
 *            with 6.18: only personality(ADDR_COMPAT_LAYOUT) or vm.legacy_va_layout give the
 *            bottom-up one), its mmap base clamped to 5/6 of the space below the top - so
 *            mmaps land below a fifth of the stack's top, each below the one before
 * Output is the same natively and in Petrel.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MIB (1024UL * 1024)

extern char **environ;

static int link_names_me(void)
{
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

    if (n <= 0)
        return 0;
    buf[n] = '\0';
    return n > 10 && buf[0] == '/' && strcmp(buf + n - 10, "/exec_self") == 0;
}

static uintptr_t stack_top(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    uintptr_t lo = 0, hi = 0;

    while (f && fgets(line, sizeof(line), f))
        if (strstr(line, "[stack]") && sscanf(line, "%lx-%lx", &lo, &hi) == 2)
            break;
    if (f)
        fclose(f);
    return hi;
}

static void report(const char *who, int argc, char **argv)
{
    const char *execfn = (const char *)getauxval(AT_EXECFN);

    /* the descriptor's number differs between runs (the harness's own may be open) */
    if (execfn && strncmp(execfn, "/dev/fd/", 8) == 0 && execfn[8] >= '0' && execfn[8] <= '9')
        execfn = "/dev/fd/<n>";
    printf("%s: argc %d argv[0] %s, AT_EXECFN %s, the link names the program %d\n", who, argc,
           argv[0], execfn ? execfn : "(none)", link_names_me());
}

static int child3(int argc, char **argv)
{
    char *args[] = {"exec_self", "child", "4", NULL};
    void *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uintptr_t top = stack_top();
    struct rlimit rl;

    report("child 3", argc, argv);
    getrlimit(RLIMIT_STACK, &rl);
    printf("RLIMIT_STACK %lu MiB; mmap below top - 256 MiB: %d\n", (unsigned long)(rl.rlim_cur / MIB),
           m != MAP_FAILED && top && (uintptr_t)m + 4096 <= top - 256 * MIB);
    rl.rlim_cur = RLIM_INFINITY;
    printf("setrlimit STACK unlimited: %d\n", setrlimit(RLIMIT_STACK, &rl));
    execve("/proc/self/exe", args, environ);
    perror("execve unlimited");
    return 1;
}

static int child4(int argc, char **argv)
{
    char *a = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *b = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uintptr_t top = stack_top();
    struct rlimit rl;

    report("child 4", argc, argv);
    getrlimit(RLIMIT_STACK, &rl);
    printf("RLIMIT_STACK unlimited: %d; mmaps below a fifth of the stack top: %d; "
           "the second below the first: %d\n",
           rl.rlim_cur == RLIM_INFINITY, a != MAP_FAILED && b != MAP_FAILED && top &&
           (uintptr_t)a < top / 5 && (uintptr_t)b < top / 5, b + 8192 <= a);
    return 0;
}

int main(int argc, char **argv)
{
    char *args[] = {"exec_self", "child", NULL, NULL};

    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 3) {
        printf("start: the link names the program %d\n", link_names_me());
        args[2] = "1";
        execve("/proc/self/exe", args, environ);
        perror("execve /proc/self/exe");
        return 1;
    }
    if (strcmp(argv[2], "1") == 0) {
        int fd = open("/proc/self/exe", O_PATH | O_CLOEXEC);

        report("child 1", argc, argv);
        printf("O_PATH open: %d\n", fd >= 0);
        args[2] = "2";
        syscall(SYS_execveat, fd, "", args, environ, AT_EMPTY_PATH);
        perror("execveat fd");
        return 1;
    }
    if (strcmp(argv[2], "2") == 0) {
        struct rlimit rl = {256 * MIB, RLIM_INFINITY};

        report("child 2", argc, argv);
        printf("setrlimit STACK 256 MiB: %d\n", setrlimit(RLIMIT_STACK, &rl));
        args[2] = "3";
        syscall(SYS_execveat, AT_FDCWD, "/proc/self/exe", args, environ, 0);
        perror("execveat AT_FDCWD");
        return 1;
    }
    if (strcmp(argv[2], "3") == 0)
        return child3(argc, argv);
    return child4(argc, argv);
}
