/*
 * brk_grow: the program break through the raw brk syscall (what malloc uses under it):
 * brk(0) reports the current break; growing by 1 MiB in steps gives zeroed, writable memory
 * (every page touched); shrinking returns the new break and growing back over the released
 * part gives zeros again (the old contents are gone); a request below the start of the heap
 * is refused (the break stays). (Not sbrk: glibc caches the break, musl's refuses to grow.)
 * Output is the same natively and in Petrel (only differences of addresses are printed).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static uintptr_t brk_(uintptr_t to)
{
    return (uintptr_t)syscall(SYS_brk, to);
}

int main(void)
{
    uintptr_t start = brk_(0), cur = start;
    int zero = 1;

    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("brk(0) twice agrees: %d\n", brk_(0) == start);
    for (int step = 0; step < 16; step++) {
        uintptr_t want = cur + 65536;
        uintptr_t got = brk_(want);
        if (got != want) {
            printf("step %d: brk returned %+ld from the request\n", step, (long)(got - want));
            return 1;
        }
        for (uintptr_t p = cur; p < got; p += 4096) {
            zero &= *(volatile char *)p == 0;
            *(volatile char *)p = (char)step;
        }
        cur = got;
    }
    printf("grew by %lu KiB in 16 steps, new memory zero %d\n",
           (unsigned long)((cur - start) / 1024), zero);
    int kept = 1;
    for (uintptr_t p = start; p < cur; p += 4096)
        kept &= *(volatile char *)p == (char)((p - start) / 65536);
    printf("every page kept its value: %d\n", kept);
    uintptr_t half = start + 512 * 1024;
    printf("shrink to half: %+ld\n", (long)(brk_(half) - half));
    printf("grow back: %+ld\n", (long)(brk_(cur) - cur));
    zero = 1;
    for (uintptr_t p = half; p < cur; p += 4096)
        zero &= *(volatile char *)p == 0;
    printf("released part zero again: %d, the rest kept %d\n", zero,
           *(volatile char *)(half - 4096) == 7);
    uintptr_t below = brk_(start - 4096 * 1024);
    printf("below the heap start: refused, break unchanged %d\n", below == cur);
    return 0;
}
