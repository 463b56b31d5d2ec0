/*
 * prctl_sys: what a program asks about itself and the machine. prctl PR_SET_NAME /
 * PR_GET_NAME (truncated to 15 bytes, per thread: a thread's name is its own, the main
 * thread's shows in /proc/self/status as Name), PR_SET_DUMPABLE / PR_GET_DUMPABLE,
 * PR_SET_PDEATHSIG / PR_GET_PDEATHSIG, an unknown option EINVAL; sysinfo (uptime, memory
 * totals and unit, a process count) checked for consistency; uname fields; getrandom in
 * chunks. Printed as facts that hold on Linux and on Petrel alike.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

static char thread_name[32], main_seen_by_thread[32];

static void status_name(char *out, size_t n)
{
    char line[128];
    FILE *f = fopen("/proc/self/status", "r");

    snprintf(out, n, "(no /proc)");
    if (!f)
        return;
    while (fgets(line, sizeof(line), f))
        if (!strncmp(line, "Name:\t", 6)) {
            line[strcspn(line, "\n")] = 0;
            snprintf(out, n, "%.20s", line + 6);
            break;
        }
    fclose(f);
}

static void *named_thread(void *arg)
{
    (void)arg;
    prctl(PR_SET_NAME, "worker-thread", 0, 0, 0);
    prctl(PR_GET_NAME, thread_name, 0, 0, 0);
    status_name(main_seen_by_thread, sizeof(main_seen_by_thread));
    return NULL;
}

int main(void)
{
    char name[32], st[32];
    pthread_t t;
    int v = -1;

    setvbuf(stdout, NULL, _IOLBF, 0);
    prctl(PR_SET_NAME, "a-much-longer-name-than-15", 0, 0, 0);
    memset(name, 'x', sizeof(name));
    prctl(PR_GET_NAME, name, 0, 0, 0);
    status_name(st, sizeof(st));
    printf("PR_GET_NAME: '%s' (%zu bytes), status Name: '%s'\n", name, strlen(name), st);
    pthread_create(&t, NULL, named_thread, NULL);
    pthread_join(t, NULL);
    prctl(PR_GET_NAME, name, 0, 0, 0);
    printf("thread's own name: '%s'; main's after it: '%s'; status seen from the thread: '%s'\n",
           thread_name, name, main_seen_by_thread);
    printf("PR_GET_DUMPABLE: %d\n", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    printf("after PR_SET_DUMPABLE 0: %d\n", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
    printf("PR_SET_DUMPABLE 5: %s\n",
           prctl(PR_SET_DUMPABLE, 5, 0, 0, 0) < 0 && errno == EINVAL ? "EINVAL" : "?");
    prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0);
    prctl(PR_GET_PDEATHSIG, &v, 0, 0, 0);
    printf("PR_GET_PDEATHSIG: %d (SIGUSR1 %d)\n", v, v == SIGUSR1);
    printf("PR_SET_PDEATHSIG 99: %s\n",
           prctl(PR_SET_PDEATHSIG, 99, 0, 0, 0) < 0 && errno == EINVAL ? "EINVAL" : "?");
    printf("unknown option: %s\n",
           prctl(0x7fff1234, 0, 0, 0, 0) < 0 && errno == EINVAL ? "EINVAL" : "?");

    struct sysinfo si;
    memset(&si, 0xff, sizeof(si));
    printf("sysinfo: %d\n", sysinfo(&si));
    printf("  uptime > 0 %d, mem_unit %u, totalram > freeram > 0 %d, procs >= 1 %d\n",
           si.uptime > 0, si.mem_unit, si.totalram > si.freeram && si.freeram > 0, si.procs >= 1);
    printf("  totalram at least 4 MiB %d, loads set %d\n",
           (unsigned long long)si.totalram * si.mem_unit >= 4ull << 20,
           si.loads[0] != (unsigned long)-1);

    struct utsname u;
    uname(&u);
    printf("uname: %s %s, release starts with a digit %d, version non-empty %d\n", u.sysname,
           u.machine, u.release[0] >= '0' && u.release[0] <= '9', u.version[0] != 0);

    unsigned char big[100000];
    size_t got = 0;
    while (got < sizeof(big)) {
        ssize_t n = getrandom(big + got, sizeof(big) - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    int hist[256] = {0}, empty = 0;
    for (size_t i = 0; i < got; i++)
        hist[big[i]]++;
    for (int i = 0; i < 256; i++)
        empty += hist[i] == 0;
    printf("getrandom: %zu bytes, every byte value seen %d\n", got, empty == 0);
    printf("getrandom bad flags: %s\n",
           getrandom(big, 1, 0x40) < 0 && errno == EINVAL ? "EINVAL" : "?");
    return 0;
}
