/*
 * stack_rlimit: RLIMIT_STACK bounds the main thread's stack growth (docs/memory.md). The
 * program recurses until the stack stops growing; the SIGSEGV runs on a sigaltstack and
 * siglongjmp's out. Each round prints where the fault was, relative to the top of the
 * [stack] area read from /proc/self/maps:
 *   1 MiB limit     the fault is in the page just below top - 1 MiB (SEGV_MAPERR)
 *   raised to 2 MiB the stack grows on, to the page below top - 2 MiB; the area is 2 MiB
 *   lowered to 512K the area already made is kept (Linux never shrinks it): the fault is
 *                   again below top - 2 MiB
 *   8 MiB, a mapping ending 1.5 MiB below that: growth stops 1 MiB (the guard gap) above it
 *   the same with a PROT_NONE mapping: no gap is kept from an inaccessible mapping, the
 *                   fault is in it (SEGV_ACCERR)
 * Output is the same natively and in Petrel.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#define KIB 1024UL
#define MIB (1024 * KIB)
#define ALT_SIZE (64 * KIB)

static sigjmp_buf env;
static char alt[ALT_SIZE];
static volatile uintptr_t fault_addr;
static volatile int fault_code, on_alt, ss_onstack;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    char here;
    stack_t ss;

    (void)sig;
    (void)uc;
    fault_addr = (uintptr_t)si->si_addr;
    fault_code = si->si_code;
    on_alt = &here >= alt && &here < alt + ALT_SIZE;
    ss_onstack = sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_ONSTACK);
    siglongjmp(env, 1);
}

static volatile int limit = 1 << 30; /* never reached: the stack ends first */

static int recurse(int n)
{
    volatile char pad[256];

    pad[0] = (char)n;
    if (n == limit)
        return 0;
    return recurse(n + 1) + pad[0];
}

/* The [stack] area's bounds from /proc/self/maps. */
static int stack_area(uintptr_t *lo, uintptr_t *hi)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    int found = 0;

    if (!f)
        return 0;
    while (!found && fgets(line, sizeof(line), f))
        if (strstr(line, "[stack]"))
            found = sscanf(line, "%lx-%lx", lo, hi) == 2;
    fclose(f);
    return found;
}

static const char *code_name(int code)
{
    return code == SEGV_MAPERR ? "SEGV_MAPERR" : code == SEGV_ACCERR ? "SEGV_ACCERR" : "other";
}

/* Set the soft limit, overflow, and print where the fault was relative to top - at. */
static void round_at(const char *what, rlim_t cur, uintptr_t top, unsigned long at)
{
    struct rlimit rl = {cur, RLIM_INFINITY};
    uintptr_t edge = top - at;

    if (setrlimit(RLIMIT_STACK, &rl))
        perror("setrlimit");
    fault_addr = 0;
    on_alt = ss_onstack = 0;
    if (sigsetjmp(env, 1) == 0) {
        recurse(0);
        printf("%s: recursion returned?\n", what);
        return;
    }
    printf("%s: %s, in the page below top - %lu KiB %d, on the altstack %d, SS_ONSTACK %d\n",
           what, code_name(fault_code), at / KIB, fault_addr < edge && fault_addr >= edge - 4096,
           on_alt, ss_onstack);
}

int main(void)
{
    struct sigaction sa;
    stack_t ss = {.ss_sp = alt, .ss_size = ALT_SIZE};
    uintptr_t lo, hi, top;
    void *m;

    setvbuf(stdout, NULL, _IONBF, 0);
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGSEGV, &sa, NULL);
    sigaltstack(&ss, NULL);
    if (!stack_area(&lo, &top)) {
        printf("no [stack] in /proc/self/maps\n");
        return 1;
    }
    printf("initial stack area below 1 MiB: %d\n", top - lo < MIB);
    round_at("limit 1 MiB", MIB, top, MIB);
    round_at("raised to 2 MiB", 2 * MIB, top, 2 * MIB);
    printf("stack area is 2 MiB: %d\n", stack_area(&lo, &hi) && hi == top && top - lo == 2 * MIB);
    round_at("lowered to 512 KiB", 512 * KIB, top, 2 * MIB);
    /* a mapping ending 1.5 MiB below the stack: the guard gap (1 MiB) stays free above it */
    m = mmap((void *)(top - 2 * MIB - 1536 * KIB - 4096), 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
             MAP_FIXED_NOREPLACE, -1, 0);
    printf("mapping below the stack: %d\n", m != MAP_FAILED);
    round_at("8 MiB, mapping below", 8 * MIB, top, 2 * MIB + 512 * KIB);
    munmap(m, 4096);
    m = mmap((void *)(top - 2 * MIB - 1536 * KIB - 4096), 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
             MAP_FIXED_NOREPLACE, -1, 0);
    printf("PROT_NONE mapping below the stack: %d\n", m != MAP_FAILED);
    round_at("8 MiB, PROT_NONE below", 8 * MIB, top, 2 * MIB + 1536 * KIB);
    return 0;
}
