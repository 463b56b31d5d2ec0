/*
 * lib_test.c - shared helpers of the core/lib unit tests (lib_test.h).
 */
#include "tests/unit/lib/lib_test.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/lib/log.h"
#include "hal/hal_cpu.h"
#include "hal/hal_rand.h"
#include "hal_hosted/hosted.h"

struct hal_boot_info lt_boot;
char lt_panic_msg[256];
unsigned lt_panics;

static char capture_buf[1 << 16];
static uint64_t rng_state = 1;

int lt_group_setup_ram(size_t ram_bytes)
{
    struct hosted_config cfg = {.ram_bytes = ram_bytes};
    struct hosted_hooks hooks = {0};

    if (hosted_hal_init(&cfg, &hooks, &lt_boot) != 0)
        return -1;
    panic_hook = lt_panic_hook;
    lt_rand_seed(hal_rand_seed());
    return 0;
}

int lt_group_setup(void **state)
{
    return lt_group_setup_ram(8u << 20);
}

int lt_group_teardown(void **state)
{
    panic_hook = NULL;
    hosted_hal_fini();
    return 0;
}

void lt_panic_hook(const char *msg)
{
    snprintf(lt_panic_msg, sizeof(lt_panic_msg), "%s", msg);
    lt_panics++;
    mock_assert(0, lt_panic_msg, __FILE__, __LINE__); /* a copy: msg dies with panic()'s frame */
}

void lt_after_panic(void)
{
    hal_irq_enable();
}

void lt_capture_start(void)
{
    capture_buf[0] = '\0';
    hosted_console_capture(capture_buf, sizeof(capture_buf), false);
}

const char *lt_capture_text(void)
{
    return capture_buf;
}

void lt_capture_stop(void)
{
    hosted_console_capture_stop();
}

void lt_rand_seed(uint64_t seed)
{
    rng_state = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

uint64_t lt_seed(void)
{
    return hal_rand_seed();
}

uint64_t lt_rand_u64(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

uint64_t lt_rand_below(uint64_t n)
{
    return n ? lt_rand_u64() % n : 0;
}
