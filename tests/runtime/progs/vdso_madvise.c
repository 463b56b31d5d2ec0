/*
 * vdso_madvise: madvise, mprotect and mlock over the whole [vvar] and [vdso] mappings (found
 * in /proc/self/maps) answer as Linux's special mappings do (docs/time.md "vDSO"): the data
 * page refuses every advice that wants its pages (it is VM_PFNMAP|VM_IO on Linux) and
 * DOFORK, both refuse DODUMP, neither becomes writable or executable beyond what it is; the
 * vDSO's clock still works afterwards. Linux's [vvar] is 4 pages (plus [vvar_vclock]),
 * Petrel's 1: each call covers the whole mapping, which makes the answers comparable.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static unsigned long find(const char *name, unsigned long *end)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    unsigned long a = 0, b = 0;

    while (f && fgets(line, sizeof(line), f))
        if (strstr(line, name) && sscanf(line, "%lx-%lx", &a, &b) == 2)
            break;
    if (f)
        fclose(f);
    *end = b;
    return a;
}

static const char *res(int rc)
{
    return rc == 0 ? "0" : errno == EINVAL ? "EINVAL" : errno == EACCES ? "EACCES"
                                                        : errno == EPERM ? "EPERM" : "other";
}

int main(void)
{
    static const struct { int adv; const char *name; } advs[] = {
        {MADV_NORMAL, "NORMAL"}, {MADV_RANDOM, "RANDOM"}, {MADV_SEQUENTIAL, "SEQUENTIAL"},
        {MADV_WILLNEED, "WILLNEED"}, {MADV_DONTNEED, "DONTNEED"}, {MADV_FREE, "FREE"},
        {MADV_REMOVE, "REMOVE"}, {MADV_DONTFORK, "DONTFORK"}, {MADV_DOFORK, "DOFORK"},
        {MADV_MERGEABLE, "MERGEABLE"}, {MADV_UNMERGEABLE, "UNMERGEABLE"},
        {MADV_HUGEPAGE, "HUGEPAGE"}, {MADV_NOHUGEPAGE, "NOHUGEPAGE"},
        {MADV_DONTDUMP, "DONTDUMP"}, {MADV_DODUMP, "DODUMP"}, {18, "WIPEONFORK"},
        {19, "KEEPONFORK"}, {20, "COLD"}, {21, "PAGEOUT"}, {22, "POPULATE_READ"},
        {23, "POPULATE_WRITE"}, {24, "DONTNEED_LOCKED"}, {999, "999"},
    };
    const char *names[] = {"[vvar]", "[vdso]"};
    struct timespec ts;

    setvbuf(stdout, NULL, _IONBF, 0);
    for (int m = 0; m < 2; m++) {
        unsigned long end, at = find(names[m], &end);

        if (!at) {
            printf("%s: not in /proc/self/maps\n", names[m]);
            return 1;
        }
        printf("%s:", names[m]);
        for (unsigned i = 0; i < sizeof(advs) / sizeof(advs[0]); i++)
            printf(" %s %s", advs[i].name, res(madvise((void *)at, end - at, advs[i].adv)));
        printf("\n%s: mprotect RW %s", names[m],
               res(mprotect((void *)at, end - at, PROT_READ | PROT_WRITE)));
        /* [vdso]: executable again, for the clock below */
        printf(", RX %s", res(mprotect((void *)at, end - at, PROT_READ | PROT_EXEC)));
        printf(", mlock %s, munlock %s\n", res(mlock((void *)at, end - at)),
               res(munlock((void *)at, end - at)));
    }
    printf("clock_gettime after: %d\n", clock_gettime(CLOCK_MONOTONIC, &ts) == 0 && ts.tv_sec >= 0);
    return 0;
}
