/*
 * vsyscall: the legacy vsyscall page at 0xffffffffff600000 (docs/time.md "vsyscall page"),
 * as Linux's default vsyscall=xonly has it: calling gettimeofday (+0), time (+0x400) and
 * getcpu (+0x800) through function pointers works and agrees with the syscalls; reading the
 * page, calling another offset, or passing a bad pointer is SIGSEGV (si_code and si_addr
 * printed). Natively the test needs a host with the page ([vsyscall] in /proc/self/maps): on
 * a host booted with vsyscall=none it prints why and "skipped", and Petrel's run is compared
 * with that (so such a host cannot run this test meaningfully, which run.sh then shows).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define VSYSCALL 0xffffffffff600000UL

typedef long (*gettimeofday_fn)(struct timeval *, struct timezone *);
typedef long (*time_fn)(time_t *);
typedef long (*getcpu_fn)(unsigned *, unsigned *, void *);

static sigjmp_buf env;
static volatile int got_sig, got_code;
static volatile uintptr_t got_addr;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    got_sig = sig;
    got_code = si->si_code;
    got_addr = (uintptr_t)si->si_addr;
    siglongjmp(env, 1);
}

static int failures;

#define CHECK(what, cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL %s: %s (line %d)\n", what, #cond, __LINE__);                              \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static int have_vsyscall(void)
{
    char line[256];
    FILE *f = fopen("/proc/self/maps", "r");
    int found = 0;

    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (strstr(line, "[vsyscall]")) {
            found = 1;
            printf("maps: %s", strchr(line, ' ') + 1);
        }
    fclose(f);
    return found;
}

/* Run what in a SIGSEGV trap and say how it ended. */
#define TRAP(label, stmt)                                                                          \
    do {                                                                                           \
        got_sig = 0;                                                                               \
        if (sigsetjmp(env, 1) == 0) {                                                              \
            stmt;                                                                                  \
            printf("%s: returned\n", label);                                                       \
        } else {                                                                                   \
            printf("%s: signal %d code %d addr %s\n", label, got_sig, got_code,                    \
                   got_addr == 0 ? "0" : got_addr == VSYSCALL ? "the page" : "the pointer");       \
        }                                                                                          \
    } while (0)

int main(void)
{
    struct sigaction sa;
    int have = have_vsyscall();

    if (have != 1) {
        printf("no [vsyscall] mapping (vsyscall=none on this kernel?): skipped\n");
        return 0;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);

    gettimeofday_fn gtod = (gettimeofday_fn)VSYSCALL;
    time_fn vtime = (time_fn)(VSYSCALL + 0x400);
    getcpu_fn vgetcpu = (getcpu_fn)(VSYSCALL + 0x800);
    struct timeval a, v, b;
    struct timezone tz = {-1, -1};
    time_t t0, t = 0, t1;
    unsigned cpu = ~0u, node = ~0u;

    syscall(SYS_gettimeofday, &a, NULL);
    CHECK("gettimeofday", gtod(&v, &tz) == 0);
    syscall(SYS_gettimeofday, &b, NULL);
    CHECK("gettimeofday", timercmp(&a, &v, <=) && timercmp(&v, &b, <=));
    CHECK("gettimeofday", tz.tz_minuteswest == 0 && tz.tz_dsttime == 0);
    CHECK("gettimeofday", gtod(NULL, NULL) == 0);
    t0 = syscall(SYS_time, NULL);
    CHECK("time", vtime(&t) == t && t0 <= t);
    t1 = syscall(SYS_time, NULL);
    CHECK("time", t <= t1 && vtime(NULL) >= t);
    CHECK("getcpu", vgetcpu(&cpu, &node, NULL) == 0);
    CHECK("getcpu", cpu < (unsigned)sysconf(_SC_NPROCESSORS_CONF) && node == 0);
    CHECK("getcpu", vgetcpu(NULL, NULL, NULL) == 0);
    printf("calls: %s\n", failures ? "FAILED" : "gettimeofday, time and getcpu agree with the syscalls");

    TRAP("read +0", (void)*(volatile unsigned char *)VSYSCALL);
    TRAP("call +0x100", ((time_fn)(VSYSCALL + 0x100))(NULL));
    TRAP("call +0xc00", ((time_fn)(VSYSCALL + 0xc00))(NULL));
    TRAP("time(unmapped)", vtime((time_t *)8));
    TRAP("gettimeofday(kernel pointer)", gtod((struct timeval *)0xffff880000000000UL, NULL));
    TRAP("getcpu(unmapped node)", vgetcpu(&cpu, (unsigned *)16, NULL));
    printf("%s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
