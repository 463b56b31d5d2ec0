/*
 * test_misc.c - entropy and seeds, RAM and its regions, the console capture and input,
 * register snapshot and backtrace.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "hal/hal_console.h"
#include "hal/hal_cpu.h"
#include "hal/hal_errno.h"
#include "hal/hal_mem.h"
#include "hal/hal_power.h"
#include "hal/hal_rand.h"
#include "hal_hosted/hosted.h"

static struct hal_boot_info info;

static void entropy_for(uint64_t seed, unsigned char *out, size_t n)
{
    struct hosted_config cfg = {.ram_bytes = 1 << 20, .has_seed = true, .seed = seed};

    assert_int_equal(hosted_hal_init(&cfg, NULL, &info), 0);
    assert_int_equal(hal_rand_seed(), seed);
    hal_entropy(out, n);
    hosted_hal_fini();
}

static void test_entropy_is_deterministic_per_seed(void **state)
{
    unsigned char a[100], b[100], c[100];

    entropy_for(5, a, sizeof(a));
    entropy_for(5, b, sizeof(b));
    entropy_for(6, c, sizeof(c));
    assert_memory_equal(a, b, sizeof(a));
    assert_memory_not_equal(a, c, sizeof(a));
}

static void test_entropy_looks_random(void **state)
{
    static unsigned char buf[1 << 16];
    unsigned ones = 0;
    unsigned hist[256] = {0};

    entropy_for(1, buf, sizeof(buf));
    for (size_t i = 0; i < sizeof(buf); i++) {
        ones += (unsigned)__builtin_popcount(buf[i]);
        hist[buf[i]]++;
    }
    /* 524288 bits: the count of ones is within a few sigma (sigma ~ 362) of half */
    assert_true(ones > 262144 - 3000 && ones < 262144 + 3000);
    for (int v = 0; v < 256; v++)
        assert_true(hist[v] > 128 && hist[v] < 384); /* expected 256 each */
}

static void test_entropy_odd_sizes_continue_stream(void **state)
{
    unsigned char whole[24], parts[24];
    struct hosted_config cfg = {.ram_bytes = 1 << 20, .has_seed = true, .seed = 77};

    entropy_for(77, whole, sizeof(whole));
    assert_int_equal(hosted_hal_init(&cfg, NULL, &info), 0);
    hal_entropy(parts, 8);
    hal_entropy(parts + 8, 16);
    hosted_hal_fini();
    assert_memory_equal(whole, parts, sizeof(whole));
}

static void test_seed_from_environment(void **state)
{
    struct hosted_config cfg = {.ram_bytes = 1 << 20};

    setenv("PETREL_SEED", "0x1234", 1);
    assert_int_equal(hosted_hal_init(&cfg, NULL, &info), 0);
    assert_int_equal(hal_rand_seed(), 0x1234);
    hosted_hal_fini();
    setenv("PETREL_SEED", "987", 1);
    assert_int_equal(hosted_hal_init(&cfg, NULL, &info), 0);
    assert_int_equal(hal_rand_seed(), 987);
    hosted_hal_fini();
    unsetenv("PETREL_SEED");
    assert_int_equal(hosted_hal_init(&cfg, NULL, &info), 0);
    assert_int_equal(hal_rand_seed(), HOSTED_DEFAULT_SEED);
    hosted_hal_fini();
    /* the config's seed wins over the environment */
    setenv("PETREL_SEED", "3", 1);
    cfg.has_seed = true;
    cfg.seed = 0;
    assert_int_equal(hosted_hal_init(&cfg, NULL, &info), 0);
    assert_int_equal(hal_rand_seed(), 0);
    hosted_hal_fini();
    unsetenv("PETREL_SEED");
}

static void test_ram_regions_and_translation(void **state)
{
    uint64_t total = 0;

    assert_int_equal(hosted_ram_init(3 << 20, &info), 0);
    assert_int_equal(info.abi_version, HAL_ABI_VERSION);
    assert_true(info.nregions >= 2);
    assert_non_null(info.cmdline);
    for (unsigned i = 0; i < info.nregions; i++) {
        const struct hal_mem_region *r = &info.regions[i];
        unsigned char *p = hal_phys_to_virt(r->base);

        assert_true(r->base != 0);
        assert_int_equal(r->base % HAL_PAGE_SIZE, 0);
        assert_int_equal(r->len % HAL_PAGE_SIZE, 0);
        assert_int_equal(hal_virt_to_phys(p), r->base);
        assert_int_equal(hal_virt_to_phys(p + r->len - 1), r->base + r->len - 1);
        p[0] = 1; /* the whole region is usable RAM */
        p[r->len - 1] = 2;
        total += r->len;
    }
    assert_int_equal(total, 3 << 20);
    assert_int_equal(info.regions[0].base, HOSTED_PHYS_BASE);
    assert_null(hal_phys_to_virt(0)); /* 0 is never RAM */
    assert_int_equal(hal_virt_to_phys(&total), 0);
    assert_int_equal(hosted_ram_init(1 << 20, &info), -EBUSY);
    hosted_ram_fini();
}

static void test_ram_starts_zeroed_on_each_init(void **state)
{
    unsigned char *p;

    assert_int_equal(hosted_ram_init(1 << 20, &info), 0);
    p = hal_phys_to_virt(info.regions[1].base);
    memset(p, 0xab, 4096);
    hosted_ram_fini();
    assert_int_equal(hosted_ram_init(1 << 20, &info), 0);
    p = hal_phys_to_virt(info.regions[1].base);
    for (int i = 0; i < 4096; i++)
        assert_int_equal(p[i], 0);
    hosted_ram_fini();
}

static void test_console_capture_and_input(void **state)
{
    char cap[16];
    char in[8];

    hosted_console_capture(cap, sizeof(cap), false);
    hal_console_write("hello ", 6);
    hal_console_write("world, this is long", 19);
    hosted_console_capture_stop();
    hal_console_write("", 0);
    assert_int_equal(hosted_console_captured(), 0);
    assert_string_equal(cap, "hello world, th"); /* truncated, NUL-terminated */

    assert_int_equal(hal_console_read(in, sizeof(in)), 0);
    assert_int_equal(hosted_console_input("abc", 3), 0);
    assert_int_equal(hosted_console_input("defghijk", 8), 0);
    assert_int_equal(hal_console_read(in, 5), 5);
    assert_memory_equal(in, "abcde", 5);
    assert_int_equal(hal_console_read(in, sizeof(in)), 6);
    assert_memory_equal(in, "fghijk", 6);
    assert_int_equal(hal_console_read(in, sizeof(in)), 0);
}

static void test_snapshot(void **state)
{
    struct hal_cpu_regs r;
    uintptr_t here = (uintptr_t)&r;

    memset(&r, 0, sizeof(r));
    hal_cpu_snapshot(&r);
    assert_true(r.rsp != 0 && r.rsp < here); /* below our frame */
    assert_true(here - r.rsp < 4096);
    assert_true(r.rbp != 0);
    assert_true(r.rip >= (uintptr_t)hal_cpu_snapshot); /* inside hal_cpu_snapshot */
    assert_true(r.rip < (uintptr_t)hal_cpu_snapshot + 4096);
    assert_true(r.rflags & 0x2); /* bit 1 always reads 1 */
}

static __attribute__((noinline)) unsigned level3(uint64_t *pcs, unsigned max)
{
    return hal_backtrace(pcs, max);
}

static __attribute__((noinline)) unsigned level2(uint64_t *pcs, unsigned max)
{
    unsigned n = level3(pcs, max);

    __asm__ __volatile__("" ::: "memory"); /* not a tail call */
    return n;
}

static void test_backtrace_walks_and_bounds(void **state)
{
    uint64_t pcs[64];
    unsigned n = level2(pcs, 64);

    assert_true(n >= 3);
    assert_true(n < 64);
    for (unsigned i = 0; i < n; i++)
        assert_true(pcs[i] != 0);
    /* pcs[0] returns into level3, pcs[1] into level2 */
    assert_true(pcs[0] > (uintptr_t)level3 && pcs[0] < (uintptr_t)level3 + 256);
    assert_true(pcs[1] > (uintptr_t)level2 && pcs[1] < (uintptr_t)level2 + 256);
    assert_int_equal(level2(pcs, 1), 1);
    assert_int_equal(level2(pcs, 0), 0);
}

unsigned probe_backtrace(uint64_t fake_rbp, uint64_t *pcs, unsigned max);

static void test_backtrace_survives_corrupted_chain(void **state)
{
    uint64_t pcs[16];
    uint64_t loop[2]; /* a frame that points at itself */
    uint64_t down[2]; /* a frame that points below itself */
    const uint64_t bad[] = {0, 8, 0x1000, 0xdead0000beefULL, UINT64_MAX - 15, 0x7ffffffff000ULL};

    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(pcs, 0, sizeof(pcs));
        /* only the return into probe_backtrace; the bad pointer is never followed */
        assert_int_equal(probe_backtrace(bad[i], pcs, 16), 1);
        assert_true(pcs[0] > (uintptr_t)probe_backtrace);
    }
    loop[0] = (uint64_t)(uintptr_t)loop;
    loop[1] = 0x1234;
    assert_int_equal(probe_backtrace((uint64_t)(uintptr_t)loop, pcs, 16), 2);
    assert_int_equal(pcs[1], 0x1234);
    down[0] = (uint64_t)(uintptr_t)down - 64;
    down[1] = 0x5678;
    assert_int_equal(probe_backtrace((uint64_t)(uintptr_t)down, pcs, 16), 2);
    assert_int_equal(probe_backtrace((uint64_t)(uintptr_t)loop + 3, pcs, 16), 1); /* misaligned */
}

/* hal_exit outside hosted_boot ends the process with the code, printing the seed first. */
static void test_hal_exit_ends_process_with_seed(void **state)
{
    int fds[2], status = 0;
    char out[256] = {0};
    ssize_t n, got = 0;
    pid_t pid;

    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct hosted_config cfg = {.ram_bytes = 1 << 20, .has_seed = true, .seed = 4242};

        dup2(fds[1], 2);
        hosted_hal_init(&cfg, NULL, &info);
        hal_exit(3);
    }
    close(fds[1]);
    while ((n = read(fds[0], out + got, sizeof(out) - 1 - (size_t)got)) > 0)
        got += n;
    close(fds[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 3);
    assert_non_null(strstr(out, "PETREL_SEED=4242\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entropy_is_deterministic_per_seed),
        cmocka_unit_test(test_entropy_looks_random),
        cmocka_unit_test(test_entropy_odd_sizes_continue_stream),
        cmocka_unit_test(test_seed_from_environment),
        cmocka_unit_test(test_ram_regions_and_translation),
        cmocka_unit_test(test_ram_starts_zeroed_on_each_init),
        cmocka_unit_test(test_console_capture_and_input),
        cmocka_unit_test(test_snapshot),
        cmocka_unit_test(test_backtrace_walks_and_bounds),
        cmocka_unit_test(test_backtrace_survives_corrupted_chain),
        cmocka_unit_test(test_hal_exit_ends_process_with_seed),
    };

    unsetenv("PETREL_SEED");
    return cmocka_run_group_tests(tests, NULL, NULL);
}
