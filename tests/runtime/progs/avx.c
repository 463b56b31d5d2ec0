/* avx: the kernel enabled AVX state (CPUID.OSXSAVE, XCR0 x87|SSE|AVX) and ymm registers keep
 * their full 256 bits across system calls that sleep. Run with a CPU that has AVX. */
#include <cpuid.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

int main(void)
{
    unsigned a, b, c, d;
    struct timespec ts = {0, 5 * 1000 * 1000};
    float in[8] = {1, 2, 3, 4, 5, 6, 7, 8}, out[8];

    __cpuid(1, a, b, c, d);
    int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    printf("osxsave %d avx %d\n", osxsave, avx);
    if (!osxsave || !avx)
        return 1;
    printf("xcr0 has x87+sse+avx: %d\n", (xgetbv0() & 7) == 7);
    __asm__ __volatile__("vmovups %0, %%ymm7" ::"m"(in) : "xmm7");
    for (int i = 0; i < 3; i++) {
        nanosleep(&ts, NULL);
        __asm__ __volatile__("vaddps %%ymm7, %%ymm7, %%ymm7" ::: "xmm7");
    }
    __asm__ __volatile__("vmovups %%ymm7, %0\n\tvzeroupper" : "=m"(out));
    for (int i = 0; i < 8; i++)
        printf("%g ", out[i]);
    printf("\n");
    return 0;
}
