/*
 * hosted_test.h - helpers for whole-kernel hosted tests.
 *
 * ht_boot() boots the kernel through hosted_boot() with an entry function that plays the
 * application in the init thread. Kernel threads never call CMocka assertions (a longjmp
 * off a kernel stack would strand the machine): they record failures with H_CHECK, the
 * entry returns ht_status(), and the test body asserts on the exit code with ht_expect(),
 * which prints the first failure and the seed. Randomness comes from hal_entropy(), so it
 * follows PETREL_SEED (DESIGN §3).
 */
#ifndef TESTS_HOSTED_HOSTED_TEST_H
#define TESTS_HOSTED_HOSTED_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

/* Boot with entry(arg) and ram bytes of RAM (0: default); returns the exit code. */
int ht_boot(int (*entry)(void *), void *arg, size_t ram);
/* Test body: the boot must have exited with code; else fail with the recorded failure. */
void ht_expect(int rc, int code);

/*
 * Seeded preemption (PCT, core/sched/pct.c): boot the kernel with entry(arg) once per seed,
 * each boot seeded with it (the schedule and hal_entropy both), and fail at the first boot
 * that does not exit with 0, printing the seed and the command that replays it. A first
 * boot measures the number of decision points (the range of the change points), so a seed
 * replays exactly. PETREL_PCT_SEEDS=<n> replaces nseeds (make soak), PETREL_PCT_SEED=<s>
 * runs seed s alone. Returns the number of seeds run.
 */
unsigned ht_pct_run(int (*entry)(void *), void *arg, size_t ram, unsigned nseeds);
/* Seeds per concurrency test under `make test` (sum over the tests >= 500). */
#define HT_PCT_SEEDS 100

/*
 * A scenario as a CMocka test of its own, for tests that do nothing but boot it: HT_BOOT_TEST
 * boots entry(arg) once in FIFO order (ht_boot, ht_expect 0), HT_PCT_TEST under nseeds seeded
 * preemptive boots (ht_pct_run). Entries of a `struct CMUnitTest` array named name:
 *     HT_BOOT_TEST(records_fifo, records, NULL), HT_PCT_TEST(records_pct, records, NULL, 200)
 */
struct ht_scenario {
    int (*entry)(void *);
    void *arg;
    unsigned nseeds;
};
void ht_test_boot(void **state);
void ht_test_pct(void **state);
/* clang-format off */
#define HT_BOOT_TEST(name, entry_, arg_)                                                           \
    {#name, ht_test_boot, NULL, NULL, &(struct ht_scenario){(entry_), (arg_), 0}}
#define HT_PCT_TEST(name, entry_, arg_, nseeds_)                                                   \
    {#name, ht_test_pct, NULL, NULL, &(struct ht_scenario){(entry_), (arg_), (nseeds_)}}
/* clang-format on */

void ht_fail(const char *file, int line, const char *what);
/* In the entry: 0 when no check failed, 1 otherwise. */
int ht_status(void);
/* Seeded pseudo-random numbers (call ht_rand_init() once in the entry). */
void ht_rand_init(void);
uint64_t ht_rand(void);
/* Host monotonic clock, for wall-time assertions in the test body. */
uint64_t ht_wall_ns(void);

#define H_CHECK(cond)                                                                              \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ht_fail(__FILE__, __LINE__, #cond);                                                    \
    } while (0)

#endif
