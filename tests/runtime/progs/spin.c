/* spin: compute in user mode for 300 ms of wall time, so timer interrupts arrive in ring 3
 * and return there, and check that registers, TLS (the FS base) and the stack survive them. */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static __thread uint64_t tls_counter = 7;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(void)
{
    double t0 = now();
    uint64_t x = 88172645463325252ULL, rounds = 0;
    double f = 0;

    while (now() - t0 < 0.3) {
        for (int i = 0; i < 100000; i++) { /* xorshift + float work between clock reads */
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            f += (double)(x & 0xff) * 0.5;
            tls_counter++;
        }
        rounds++;
    }
    /* Replay the same sequence: every value must match what was computed while interrupted. */
    uint64_t y = 88172645463325252ULL;
    double g = 0;
    for (uint64_t r = 0; r < rounds * 100000; r++) {
        y ^= y << 13;
        y ^= y >> 7;
        y ^= y << 17;
        g += (double)(y & 0xff) * 0.5;
    }
    printf("xorshift state kept: %d\n", x == y);
    printf("float sum kept: %d\n", f == g);
    printf("tls counter kept: %d\n", tls_counter == 7 + rounds * 100000);
    return 0;
}
