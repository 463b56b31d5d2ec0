/*
 * rand.c - hal_entropy: RDSEED, then RDRAND, each retried a few times as Intel advises.
 *
 * Without either instruction (QEMU's default TCG CPU has neither) the fallback is a
 * splitmix64 stream seeded from the TSC at each call, mixed with a counter and the previous
 * output. That is NOT cryptographic entropy: the TSC at boot is guessable to within a few
 * million cycles. docs/x86.md says so; virtio-rng would fix it.
 */
#include "hal/hal_rand.h"
#include "hal_x86/x86.h"

static uint64_t fallback_state;

static bool rdseed64(uint64_t *v)
{
    for (int i = 0; i < 16; i++) {
        unsigned char ok;
        __asm__ __volatile__("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
        if (ok)
            return true;
        __asm__ __volatile__("pause");
    }
    return false;
}

static bool rdrand64(uint64_t *v)
{
    for (int i = 0; i < 10; i++) {
        unsigned char ok;
        __asm__ __volatile__("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
        if (ok)
            return true;
    }
    return false;
}

static uint64_t splitmix(void)
{
    uint64_t z = (fallback_state += 0x9e3779b97f4a7c15ULL ^ rdtsc());
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t random64(void)
{
    uint64_t v;
    if (x86_cpu.rdseed && rdseed64(&v))
        return v;
    if (x86_cpu.rdrand && rdrand64(&v))
        return v;
    return splitmix();
}

void hal_entropy(void *buf, size_t n)
{
    uint8_t *p = buf;
    while (n) {
        uint64_t v = random64();
        for (unsigned i = 0; i < 8 && n; i++, n--, v >>= 8)
            *p++ = (uint8_t)v;
    }
}

uint64_t hal_rand_seed(void)
{
    return 0;
}
