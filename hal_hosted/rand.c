/*
 * rand.c - hosted entropy: every random choice of the backend comes from one seed.
 *
 * The seed is the config's, else PETREL_SEED (decimal or 0x-hex), else HOSTED_DEFAULT_SEED.
 * Each consumer (kernel entropy, each block device, each wire) draws from its own xoshiro256**
 * stream derived from (seed, stream id) with splitmix64, so adding a block request does not
 * change the bytes hal_entropy() returns, and a failure replays with PETREL_SEED=<n>.
 */
#include <stdlib.h>
#include <string.h>

#include "hal/hal_rand.h"
#include "hal_hosted/hosted_internal.h"

static uint64_t rand_seed = HOSTED_DEFAULT_SEED;
static struct hosted_rng entropy_rng;
static bool entropy_ready;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void hosted_rng_init(struct hosted_rng *rng, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ULL);

    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
}

uint64_t hosted_rng_next(struct hosted_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t hosted_rng_below(struct hosted_rng *rng, uint64_t n)
{
    /* Multiply-shift: unbiased enough for test knobs, and no division. */
    return (uint64_t)(((unsigned __int128)hosted_rng_next(rng) * n) >> 64);
}

bool hosted_rng_chance(struct hosted_rng *rng, unsigned pct)
{
    if (pct == 0)
        return false;
    if (pct >= 100)
        return true;
    return hosted_rng_below(rng, 100) < pct;
}

static uint64_t seed_from_env(void)
{
    const char *s = getenv("PETREL_SEED");
    char *end;
    unsigned long long v;

    if (!s || !*s)
        return HOSTED_DEFAULT_SEED;
    v = strtoull(s, &end, 0);
    return *end ? HOSTED_DEFAULT_SEED : (uint64_t)v;
}

void hosted_rand_setup(const struct hosted_config *cfg)
{
    rand_seed = (cfg && cfg->has_seed) ? cfg->seed : seed_from_env();
    hosted_rng_init(&entropy_rng, rand_seed, HOSTED_RNG_ENTROPY);
    entropy_ready = true;
}

uint64_t hal_rand_seed(void)
{
    return rand_seed;
}

void hal_entropy(void *buf, size_t n)
{
    unsigned char *p = buf;

    if (!entropy_ready)
        hosted_rand_setup(NULL);
    while (n > 0) {
        uint64_t v = hosted_rng_next(&entropy_rng);
        size_t k = n < sizeof(v) ? n : sizeof(v);

        memcpy(p, &v, k);
        p += k;
        n -= k;
    }
}
