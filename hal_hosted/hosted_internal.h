/*
 * hosted_internal.h - what the hosted backend's files share with each other (not for tests:
 * they use hosted.h).
 */
#ifndef HAL_HOSTED_INTERNAL_H
#define HAL_HOSTED_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal_hosted/hosted.h"

/* --- entropy: xoshiro256** streams derived from the one seed (rand.c) --------------------- */

struct hosted_rng {
    uint64_t s[4];
};

enum hosted_rng_stream {
    HOSTED_RNG_ENTROPY = 1,
    HOSTED_RNG_BLK = 16,  /* + device index */
    HOSTED_RNG_WIRE = 64, /* + wire index */
};

void hosted_rand_setup(const struct hosted_config *cfg);
void hosted_rng_init(struct hosted_rng *rng, uint64_t seed, uint64_t stream);
uint64_t hosted_rng_next(struct hosted_rng *rng);
bool hosted_rng_chance(struct hosted_rng *rng, unsigned pct);  /* true with pct% probability */
uint64_t hosted_rng_below(struct hosted_rng *rng, uint64_t n); /* uniform in [0, n), n > 0 */

/* --- RAM (ram.c) ---------------------------------------------------------------------------- */

int hosted_ram_setup(size_t bytes);
void hosted_ram_teardown(void);
void hosted_ram_fill_regions(struct hal_boot_info *info);
int hosted_ram_fd(void);
size_t hosted_ram_bytes(void);
/* True when [va, va+len) lies inside the RAM arena. */
bool hosted_ram_contains(const void *va, size_t len);
bool hosted_ram_phys_ok(uint64_t pa, uint64_t len);

/* --- user arena (uas.c) ----------------------------------------------------------------- */

int hosted_user_setup(void);
void hosted_user_teardown(void);

/* --- time (time.c) ---------------------------------------------------------------------- */

int hosted_time_setup(bool realtime);
void hosted_time_teardown(void);
bool hosted_time_realtime(void);
uint64_t hosted_timer_deadline(void); /* UINT64_MAX: disarmed */
bool hosted_timer_due(void);
/* Disarm and return true if the timer is due (the caller then runs the timer interrupt). */
bool hosted_timer_take_due(void);
/* Idle until the clock reaches t: virtual clock jumps, real time sleeps (no signals). */
void hosted_time_wait_until(uint64_t t);

/* --- interrupt controller (irq.c) ----------------------------------------------------------- */

#define HOSTED_IRQ_TIMER 0x1u
#define HOSTED_IRQ_BLK 0x2u
#define HOSTED_IRQ_NET 0x4u

void hosted_irq_setup(const struct hosted_hooks *hooks);
void hosted_irq_teardown(void);
void hosted_irq_raise(unsigned bits);
bool hosted_irq_enable_quiet(void); /* enable unless something is pending; true if enabled */
extern struct hosted_stats hosted_stats;

/* --- devices (blk.c, net.c) ------------------------------------------------------------ */

int hosted_blk_setup(const struct hosted_config *cfg);
void hosted_blk_teardown(void);
/* One delivery round over every device; force: complete at least one request if any is
 * queued (idle must make progress). Returns true while requests remain queued. */
bool hosted_blk_deliver(bool force);
bool hosted_blk_busy(void);

int hosted_net_setup(const struct hosted_config *cfg);
void hosted_net_teardown(void);
bool hosted_net_deliver(void);
bool hosted_net_busy(void);

/* --- contexts and user mode (context.c, user.c) ------------------------------------------- */

/* The running context's user-mode slot (hal_ctx.user; the host thread's own slot before any
 * switch). */
void **hosted_ctx_user(void);
void hosted_ctx_reset(void); /* setup: the host thread runs, no user state */
void hosted_user_mode_setup(const struct hosted_hooks *hooks);

/* --- console, cpu (console.c, cpu.c) ------------------------------------------------------ */

void hosted_console_teardown(void);
/* Stack bounds the backtrace may walk besides RAM: hosted_boot's kernel boot stack. */
void hosted_cpu_set_boot_stack(const void *lo, size_t size);

#endif
