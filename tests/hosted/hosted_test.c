/*
 * hosted_test.c - see hosted_test.h.
 */
#include "tests/hosted/hosted_test.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hal/hal_rand.h"
#include "hal_hosted/hosted.h"

static char failure[512];

static uint64_t rng;

int ht_boot(int (*entry)(void *), void *arg, size_t ram)
{
    struct hosted_config cfg;

    memset(&cfg, 0, sizeof(cfg));
    cfg.entry = entry;
    cfg.entry_arg = arg;
    cfg.ram_bytes = ram;
    failure[0] = '\0';
    return hosted_boot(&cfg);
}

void ht_expect(int rc, int code)
{
    if (rc != code)
        fail_msg("exit code %d, expected %d: %s (PETREL_SEED=%llu)", rc, code,
                 failure[0] ? failure : "no check failed", (unsigned long long)hal_rand_seed());
}

void ht_fail(const char *file, int line, const char *what)
{
    if (!failure[0])
        snprintf(failure, sizeof(failure), "%s:%d: check failed: %s", file, line, what);
}

int ht_status(void)
{
    return failure[0] ? 1 : 0;
}

void ht_rand_init(void)
{

    hal_entropy(&rng, sizeof(rng));
    rng |= 1;
}

uint64_t ht_rand(void)
{
    /* xorshift64*: plenty for scheduling choices, and replayable from the seed */
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dULL;
}

uint64_t ht_wall_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}
