/*
 * hosted_test.c - see hosted_test.h.
 */
#include "tests/hosted/hosted_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/sched/sched.h"
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

static int boot_seeded(int (*entry)(void *), void *arg, size_t ram, uint64_t seed)
{
    struct hosted_config cfg;

    memset(&cfg, 0, sizeof(cfg));
    cfg.entry = entry;
    cfg.entry_arg = arg;
    cfg.ram_bytes = ram;
    cfg.seed = seed;
    cfg.has_seed = true;
    failure[0] = '\0';
    return hosted_boot(&cfg);
}

static uint64_t env_u64(const char *name, uint64_t dflt, bool *set)
{
    const char *v = getenv(name);

    if (set)
        *set = v && *v;
    return v && *v ? strtoull(v, NULL, 0) : dflt;
}

unsigned ht_pct_run(int (*entry)(void *), void *arg, size_t ram, unsigned nseeds)
{
    struct sched_pct_config pc = {.seed = 0, .depth = 1};
    bool one;
    uint64_t only = env_u64("PETREL_PCT_SEED", 0, &one);
    uint64_t n = one ? 1 : env_u64("PETREL_PCT_SEEDS", nseeds, NULL);
    int rc;

    /* calibration: random priorities, no change point; its step count sizes the range */
    sched_pct_configure(&pc);
    rc = boot_seeded(entry, arg, ram, 0);
    pc.steps = (unsigned)sched_pct_steps() + 1;
    if (rc != 0) {
        sched_pct_configure(NULL);
        fail_msg("seeded preemption, calibration boot: exit %d: %s (replay: PETREL_PCT_SEED=0)",
                 rc, failure[0] ? failure : "no check failed");
    }
    pc.depth = 3;
    pc.per_mille = 5;
    for (uint64_t i = 0; i < n; i++) {
        pc.seed = one ? only : i + 1;
        sched_pct_configure(&pc);
        rc = boot_seeded(entry, arg, ram, pc.seed);
        if (rc != 0) {
            sched_pct_configure(NULL);
            fail_msg("seeded preemption: seed %llu: exit %d: %s (replay: PETREL_PCT_SEED=%llu)",
                     (unsigned long long)pc.seed, rc, failure[0] ? failure : "no check failed",
                     (unsigned long long)pc.seed);
        }
    }
    sched_pct_configure(NULL);
    return (unsigned)n;
}

void ht_test_boot(void **state)
{
    const struct ht_scenario *s = *state;

    ht_expect(ht_boot(s->entry, s->arg, 0), 0);
}

void ht_test_pct(void **state)
{
    const struct ht_scenario *s = *state;

    ht_pct_run(s->entry, s->arg, 0, s->nseeds);
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
