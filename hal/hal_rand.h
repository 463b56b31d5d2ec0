/*
 * hal_rand.h - entropy. RDRAND/RDSEED (or virtio-rng) on bare metal; in the hosted backend a
 * PRNG seeded from PETREL_SEED so every run with the same seed is the same run.
 */
#ifndef HAL_RAND_H
#define HAL_RAND_H

#include <stddef.h>
#include <stdint.h>

/* Fill buf with n random bytes. Never fails, never sleeps; any context. */
void hal_entropy(void *buf, size_t n);

/* The seed in use (hosted); 0 on bare metal. Printed on failures so a run can be replayed. */
uint64_t hal_rand_seed(void);

#endif
