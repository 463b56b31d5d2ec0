/*
 * lib_test.h - shared helpers of the core/lib unit tests.
 *
 * Every test program runs on the hosted HAL without a kernel (hosted_hal_init): RAM arena,
 * virtual clock, interrupt flag, console. Panics are caught through panic_hook, which calls
 * cmocka's mock_assert(), so a test writes
 *     EXPECT_PANIC(kfree(p));
 * and checks lt_panic_msg afterwards. Randomised tests take their seed from the HAL
 * (PETREL_SEED) and print it when they fail.
 */
#ifndef TESTS_UNIT_LIB_LIB_TEST_H
#define TESTS_UNIT_LIB_LIB_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hal/hal_boot.h"

/* The boot info of the arena set up by lt_group_setup. */
extern struct hal_boot_info lt_boot;
/* The message of the last panic caught by EXPECT_PANIC, and how many were caught. */
extern char lt_panic_msg[256];
extern unsigned lt_panics;

/* cmocka group setup/teardown: hosted HAL with ram_bytes of RAM (8 MiB by default). */
int lt_group_setup(void **state);
int lt_group_teardown(void **state);
int lt_group_setup_ram(size_t ram_bytes);

void lt_panic_hook(const char *msg);

/* Run stmt, which must panic; afterwards interrupts are enabled again (panic disables them). */
#define EXPECT_PANIC(stmt)                                                                         \
    do {                                                                                           \
        lt_panic_msg[0] = '\0';                                                                    \
        unsigned lt_before_ = lt_panics;                                                           \
        expect_assert_failure(stmt);                                                               \
        assert_int_equal(lt_panics, lt_before_ + 1);                                               \
        lt_after_panic();                                                                          \
    } while (0)
void lt_after_panic(void);

/* Console capture into an internal buffer. */
void lt_capture_start(void);
const char *lt_capture_text(void);
void lt_capture_stop(void);

/* Seeded PRNG (xorshift64*). */
void lt_rand_seed(uint64_t seed);
uint64_t lt_rand_u64(void);
uint64_t lt_rand_below(uint64_t n);
uint64_t lt_seed(void);

#endif
