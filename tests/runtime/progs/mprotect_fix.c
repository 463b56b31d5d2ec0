/*
 * mprotect_fix: the fault-and-fix pattern of garbage collectors and JITs. A SIGSEGV handler
 * that mprotects the faulting page read-write and returns makes the faulting store run again
 * and succeed (no longjmp): a page-granular write barrier over 16 pages records exactly the
 * pages written, in order, with si_code SEGV_ACCERR and si_addr the stored address. Then
 * PROT_NONE pages fault on reads too, PROT_READ|PROT_EXEC behaves as PROT_READ for data,
 * mprotect of part of a mapping splits it (only that part faults), mprotect of an unmapped
 * range is ENOMEM and of an unaligned address EINVAL. Output is the same natively and in
 * Petrel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PG 4096
#define PAGES 16

static char *heap;
/* volatile: the handler changes them behind loads the compiler sees as plain */
static volatile int dirty[PAGES], order[PAGES], ndirty, faults, bad_addr, last_code;
static volatile uintptr_t expect_addr;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    uintptr_t a = (uintptr_t)si->si_addr;
    char *page = (char *)(a & ~(uintptr_t)(PG - 1));

    (void)sig;
    (void)uc;
    faults++;
    last_code = si->si_code;
    if (expect_addr && a != expect_addr)
        bad_addr++;
    if (page >= heap && page < heap + PAGES * PG) {
        int i = (int)((page - heap) / PG);
        if (!dirty[i]) {
            dirty[i] = 1;
            order[ndirty++] = i;
        }
    }
    mprotect(page, PG, PROT_READ | PROT_WRITE);
}

static void store(char *p, char v)
{
    expect_addr = (uintptr_t)p;
    *(volatile char *)p = v;
    expect_addr = 0;
}

int main(void)
{
    struct sigaction sa;
    int i;

    setvbuf(stdout, NULL, _IOLBF, 0);
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    heap = mmap(NULL, PAGES * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(heap, 1, PAGES * PG);
    mprotect(heap, PAGES * PG, PROT_READ); /* the barrier: every page clean */
    long sum = 0;
    for (i = 0; i < PAGES * PG; i += 512)
        sum += heap[i];
    printf("reads of a PROT_READ area: no fault %d, sum %ld\n", faults == 0, sum);
    int writes[] = {5, 3, 5, 12, 0, 3, 15, 12};
    for (i = 0; i < 8; i++)
        store(heap + writes[i] * PG + 100 + i, (char)(i + 2));
    printf("barrier: %d faults, dirty pages in order:", faults);
    for (i = 0; i < ndirty; i++)
        printf(" %d", order[i]);
    printf("; si_code SEGV_ACCERR %d, wrong si_addr %d\n", last_code == SEGV_ACCERR, bad_addr);
    int kept = 1;
    for (i = 0; i < 8; i++)
        kept &= heap[writes[i] * PG + 100 + i] == (char)(i + 2);
    printf("every store landed after its fault: %d\n", kept);

    faults = 0;
    for (i = 0; i < PAGES; i++)
        dirty[i] = 0;
    ndirty = 0;
    mprotect(heap, PAGES * PG, PROT_NONE);
    expect_addr = (uintptr_t)(heap + 7 * PG + 9);
    volatile char c = heap[7 * PG + 9];
    expect_addr = 0;
    printf("read of PROT_NONE: %d fault, value %d, si_code SEGV_ACCERR %d\n", faults, c,
           last_code == SEGV_ACCERR);

    mprotect(heap, PAGES * PG, PROT_READ | PROT_WRITE);
    mprotect(heap + 4 * PG, 2 * PG, PROT_READ | PROT_EXEC);
    faults = 0;
    for (i = 0; i < PAGES; i++)
        heap[i * PG] = 9; /* faults on pages 4 and 5 only, each fixed by the handler */
    printf("part of the area read-only: %d faults, dirty %d %d\n", faults, order[0], order[1]);

    munmap(heap + 8 * PG, PG);
    errno = 0;
    int r = mprotect(heap, PAGES * PG, PROT_READ);
    printf("mprotect over a hole: %d %s\n", r, errno == ENOMEM ? "ENOMEM" : "?");
    errno = 0;
    r = (int)syscall(SYS_mprotect, heap + 1, PG, PROT_READ); /* musl's wrapper aligns it */
    printf("mprotect unaligned: %d %s\n", r, errno == EINVAL ? "EINVAL" : "?");
    errno = 0;
    r = mprotect(heap, PG, 0x100);
    printf("mprotect unknown prot bit: %d %s\n", r, errno == EINVAL ? "EINVAL" : "?");
    return 0;
}
