/*
 * syscall.c - the program of bench/syscall (bench/README.md): costs of basic kernel operations
 * in ns per operation, the same static binary run in Petrel and in the Linux guest.
 *
 * Each row runs its operation in a loop: the count doubles until one run lasts at least
 * min_us, then `runs` runs of that count are timed with CLOCK_MONOTONIC and the best counts.
 * Short runs, many of them: on a loaded host QEMU is descheduled for milliseconds at a time,
 * and the guest's clock (the TSC, the host's own under TCG) counts that time too; the best of
 * many short runs is the one the host left alone. One line per row:
 *
 *   syscall-bench: <row> <ns per operation> ns/op <iterations per run> <runs>
 *
 * and "syscall-bench: done" at the end. The rows:
 *   null_syscall      getppid through the SYSCALL instruction (libc caches nothing there)
 *   vdso_gettime      clock_gettime(CLOCK_MONOTONIC) through the libc (the vDSO when there)
 *   read_4k           pread of 4 KiB at offset 0 of a file just written (in the page cache)
 *   futex_wake        FUTEX_WAKE_PRIVATE on a word nobody waits on
 *   mmap_64k          mmap 64 KiB anonymous, write one byte in each page, munmap
 *   pipe_pingpong     one byte there and back between two threads over two pipes (a round trip)
 *   thread_create     pthread_create + pthread_join of a thread that returns at once
 *   signal_self       tgkill to the calling thread with a handler installed: delivery, the
 *                     handler, rt_sigreturn
 * Arguments: the minimum run in µs (default 2000), the number of runs (default 31); or
 * "profile ROW[:N],... N [wait]" for bench/syscall/profile (see profile() below).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static uint64_t min_ns = 2000000ULL;
static int runs = 31;

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static long raw0(long nr)
{
    long ret;

    __asm__ __volatile__("syscall" : "=a"(ret) : "a"(nr) : "rcx", "r11", "memory");
    return ret;
}

/* --- the operations: each does n of them ------------------------------------------------- */

static void op_null(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        raw0(SYS_getppid);
}

static void op_gettime(uint64_t n)
{
    struct timespec ts;

    for (uint64_t i = 0; i < n; i++)
        clock_gettime(CLOCK_MONOTONIC, &ts);
}

static int read_fd = -1;
static char read_buf[4096];

static void op_read(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (pread(read_fd, read_buf, sizeof(read_buf), 0) != (ssize_t)sizeof(read_buf))
            abort();
}

static uint32_t futex_word;

static void op_futex(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        syscall(SYS_futex, &futex_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void op_mmap(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        volatile char *p = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                                -1, 0);
        if (p == MAP_FAILED)
            abort();
        for (int off = 0; off < 65536; off += 4096)
            p[off] = 1;
        munmap((void *)p, 65536);
    }
}

static int ping[2], pong[2];

static void *ponger(void *arg)
{
    char c;

    (void)arg;
    while (read(ping[0], &c, 1) == 1 && c)
        if (write(pong[1], &c, 1) != 1)
            abort();
    return NULL;
}

static void op_pipe(uint64_t n)
{
    char c = 1;

    for (uint64_t i = 0; i < n; i++)
        if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1)
            abort();
}

static void *empty_thread(void *arg)
{
    return arg;
}

static void op_thread(uint64_t n)
{
    pthread_t t;

    for (uint64_t i = 0; i < n; i++)
        if (pthread_create(&t, NULL, empty_thread, NULL) || pthread_join(t, NULL))
            abort();
}

static volatile uint64_t handled;
static pid_t self_pid, self_tid;

static void on_usr1(int sig)
{
    (void)sig;
    handled++;
}

static void op_signal(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        syscall(SYS_tgkill, self_pid, self_tid, SIGUSR1);
}

/* --- timing -------------------------------------------------------------------------------- */

static double run(void (*op)(uint64_t), uint64_t n)
{
    uint64_t t0 = now_ns();

    op(n);
    return (double)(now_ns() - t0);
}

static void row(const char *name, void (*op)(uint64_t))
{
    uint64_t n = 8;
    double best = 0;

    op(n); /* warm-up */
    while (run(op, n) < (double)min_ns && n < (1ULL << 40))
        n *= 2;
    for (int i = 0; i < runs; i++) {
        double t = run(op, n);

        if (i == 0 || t < best)
            best = t;
    }
    printf("syscall-bench: %s %.1f ns/op %llu %d\n", name, best / (double)n, (unsigned long long)n,
           runs);
    fflush(stdout);
}

static int setup(void)
{
    char path[] = "/tmp/syscall-bench-XXXXXX";
    struct sigaction sa;
    pthread_t t;

    read_fd = mkstemp(path);
    if (read_fd < 0) { /* no /tmp (a bare initramfs root has one; an image may not) */
        strcpy(path, "/syscall-bench-XXXXXX");
        read_fd = mkstemp(path);
    }
    if (read_fd < 0 || write(read_fd, read_buf, sizeof(read_buf)) != (ssize_t)sizeof(read_buf))
        return -1;
    unlink(path);
    if (pipe(ping) || pipe(pong) || pthread_create(&t, NULL, ponger, NULL) || pthread_detach(t))
        return -1;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    self_pid = getpid();
    self_tid = (pid_t)syscall(SYS_gettid);
    return 0;
}

static const struct {
    const char *name;
    void (*op)(uint64_t);
} ops[] = {
    {"null_syscall", op_null}, {"vdso_gettime", op_gettime}, {"read_4k", op_read},
    {"futex_wake", op_futex},  {"mmap_64k", op_mmap},        {"pipe_pingpong", op_pipe},
    {"thread_create", op_thread}, {"signal_self", op_signal},
};

/* The marks of "profile": a function of its own, so the profiler finds its entry (a TB start in
 * both guests' traces: the static program sits at the same addresses) with nm. */
__attribute__((noinline)) void syscall_bench_mark(void)
{
    raw0(SYS_getpid);
    __asm__ __volatile__("" ::: "memory");
}

/* "profile ROW[:N],... N [wait]" (bench/syscall/profile): for each row in turn, its operation
 * N times (or the row's own N) as a warm-up, then N times between two marks, which the
 * profiler finds in QEMU's execution trace. With "wait", first a line is read from the
 * console: the profiler turns on QEMU's execution log then (the Linux guest's boot is too
 * long to log whole). */
static int profile(char *rows, uint64_t n, int wait)
{
    char line[16];
    char *save = NULL;

    if (wait) {
        printf("syscall-bench: profile ready\n");
        fflush(stdout);
        if (read(0, line, sizeof(line)) <= 0)
            return 1;
    }
    for (char *name = strtok_r(rows, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        char *count = strchr(name, ':');
        uint64_t k = count ? strtoull(count + 1, NULL, 0) : n;
        size_t i = 0;

        if (count)
            *count = 0;
        while (i < sizeof(ops) / sizeof(ops[0]) && strcmp(ops[i].name, name))
            i++;
        if (i == sizeof(ops) / sizeof(ops[0])) {
            printf("syscall-bench: no row %s\n", name);
            return 1;
        }
        ops[i].op(k); /* warm-up: first faults, first translations */
        syscall_bench_mark();
        ops[i].op(k);
        syscall_bench_mark();
        printf("syscall-bench: profiled %s %llu\n", name, (unsigned long long)k);
    }
    printf("syscall-bench: done (profile)\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 3 && !strcmp(argv[1], "profile")) {
        if (setup()) {
            printf("syscall-bench: setup failed: %m\n");
            return 1;
        }
        return profile(argv[2], strtoull(argv[3], NULL, 0), argc > 4 && !strcmp(argv[4], "wait"));
    }
    if (argc > 1 && atoi(argv[1]) > 0)
        min_ns = (uint64_t)atoi(argv[1]) * 1000ULL;
    if (argc > 2 && atoi(argv[2]) > 0)
        runs = atoi(argv[2]);
    if (setup()) {
        printf("syscall-bench: setup failed: %m\n");
        return 1;
    }
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        row(ops[i].name, ops[i].op);
    printf("syscall-bench: done (%llu signals handled)\n", (unsigned long long)handled);
    return 0;
}
