/*
 * test_ctx.c - the shared x86-64 context switch (hal_x86/ctx_switch.S): ping-pong, the
 * callee-saved registers, MXCSR and the x87 control word per context, the first frame of a
 * new context (alignment, end of backtrace), final switches and stack reuse.
 *
 * Code running on the test's own contexts never calls CMocka assertions (a longjmp off
 * another stack would strand it): it records what it saw, and the test body checks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hal/hal_cpu.h"
#include "hal/hal_mem.h"
#include "hal_hosted/hosted.h"

#define STACK_SIZE (64 * 1024)

void probe_switch(struct hal_ctx *from, struct hal_ctx *to, uint64_t out[6], const uint64_t in[6]);

static struct hal_ctx main_ctx, peer_ctx;
static int counter;
static int bad_order;

/* --- ping-pong ------------------------------------------------------------------------ */

static void pingpong_peer(void *arg)
{
    int rounds = *(int *)arg;

    for (int i = 0; i < rounds; i++) {
        if (counter != 2 * i + 1)
            bad_order++;
        counter++;
        hal_ctx_switch(&peer_ctx, &main_ctx);
    }
    hal_ctx_switch_final(&peer_ctx, &main_ctx);
}

static void test_pingpong(void **state)
{
    int rounds = 10000;
    void *stack = malloc(STACK_SIZE);

    counter = 0;
    bad_order = 0;
    hal_ctx_init(&peer_ctx, stack, STACK_SIZE, pingpong_peer, &rounds);
    for (int i = 0; i < rounds; i++) {
        assert_int_equal(counter, 2 * i);
        counter++;
        hal_ctx_switch(&main_ctx, &peer_ctx);
    }
    assert_int_equal(counter, 2 * rounds);
    hal_ctx_switch(&main_ctx, &peer_ctx); /* peer ends with a final switch */
    assert_int_equal(bad_order, 0);
    free(stack);
}

/* --- callee-saved registers -------------------------------------------------------------- */

static const uint64_t main_in[6] = {0x1111111111111111ULL, 0x2222222222222222ULL,
                                    0x3333333333333333ULL, 0x4444444444444444ULL,
                                    0x5555555555555555ULL, 0x6666666666666666ULL};
static const uint64_t peer_in[6] = {0xa1a1a1a1a1a1a1a1ULL, 0xb2b2b2b2b2b2b2b2ULL,
                                    0xc3c3c3c3c3c3c3c3ULL, 0xd4d4d4d4d4d4d4d4ULL,
                                    0xe5e5e5e5e5e5e5e5ULL, 0xf6f6f6f6f6f6f6f6ULL};
static uint64_t peer_out[3][6];

static void regs_peer(void *arg)
{
    for (int i = 0; i < 3; i++)
        probe_switch(&peer_ctx, &main_ctx, peer_out[i], peer_in);
    hal_ctx_switch_final(&peer_ctx, &main_ctx);
}

static void test_callee_saved_registers(void **state)
{
    void *stack = malloc(STACK_SIZE);
    uint64_t out[6];

    memset(peer_out, 0, sizeof(peer_out));
    hal_ctx_init(&peer_ctx, stack, STACK_SIZE, regs_peer, NULL);
    for (int i = 0; i < 3; i++) {
        probe_switch(&main_ctx, &peer_ctx, out, main_in);
        assert_memory_equal(out, main_in, sizeof(out));
    }
    hal_ctx_switch(&main_ctx, &peer_ctx);
    for (int i = 0; i < 3; i++)
        assert_memory_equal(peer_out[i], peer_in, sizeof(peer_in));
    free(stack);
}

/* --- MXCSR and x87 control word ---------------------------------------------------------- */

static uint32_t get_mxcsr(void)
{
    uint32_t v;

    __asm__ __volatile__("stmxcsr %0" : "=m"(v));
    return v;
}

static void set_mxcsr(uint32_t v)
{
    __asm__ __volatile__("ldmxcsr %0" : : "m"(v));
}

static uint16_t get_fpucw(void)
{
    uint16_t v;

    __asm__ __volatile__("fnstcw %0" : "=m"(v));
    return v;
}

static void set_fpucw(uint16_t v)
{
    __asm__ __volatile__("fldcw %0" : : "m"(v));
}

#define MXCSR_RC_ZERO 0x7f80u /* default masks, round toward zero */
#define MXCSR_RC_DOWN 0x3f80u /* round down */
#define FPUCW_RC_ZERO 0x0f7fu
#define FPUCW_RC_UP 0x0b7fu

static uint32_t peer_mxcsr_start, peer_mxcsr_after;
static uint16_t peer_fpucw_start, peer_fpucw_after;

static void fp_peer(void *arg)
{
    peer_mxcsr_start = get_mxcsr();
    peer_fpucw_start = get_fpucw();
    set_mxcsr(MXCSR_RC_DOWN);
    set_fpucw(FPUCW_RC_UP);
    hal_ctx_switch(&peer_ctx, &main_ctx);
    peer_mxcsr_after = get_mxcsr();
    peer_fpucw_after = get_fpucw();
    hal_ctx_switch_final(&peer_ctx, &main_ctx);
}

static void test_mxcsr_and_fpucw_preserved(void **state)
{
    void *stack = malloc(STACK_SIZE);
    uint32_t saved_mxcsr = get_mxcsr();
    uint16_t saved_fpucw = get_fpucw();

    hal_ctx_init(&peer_ctx, stack, STACK_SIZE, fp_peer, NULL);
    set_mxcsr(MXCSR_RC_ZERO);
    set_fpucw(FPUCW_RC_ZERO);
    hal_ctx_switch(&main_ctx, &peer_ctx);
    uint32_t main_mxcsr = get_mxcsr();
    uint16_t main_fpucw = get_fpucw();
    set_mxcsr(0x1f80);
    hal_ctx_switch(&main_ctx, &peer_ctx);
    uint32_t main_mxcsr2 = get_mxcsr();
    set_mxcsr(saved_mxcsr);
    set_fpucw(saved_fpucw);

    assert_int_equal(main_mxcsr & 0xffc0, MXCSR_RC_ZERO); /* flags (low 6 bits) are sticky */
    assert_int_equal(main_fpucw, FPUCW_RC_ZERO);
    assert_int_equal(main_mxcsr2 & 0xffc0, 0x1f80);
    assert_int_equal(peer_mxcsr_start & 0xffc0, 0x1f80); /* a new context starts clean */
    assert_int_equal(peer_fpucw_start, 0x037f);
    assert_int_equal(peer_mxcsr_after & 0xffc0, MXCSR_RC_DOWN);
    assert_int_equal(peer_fpucw_after, FPUCW_RC_UP);
    free(stack);
}

/* --- the first frame -------------------------------------------------------------------- */

static uintptr_t entry_frame;
static void *entry_ret;
static uint64_t entry_saved_rbp;
static unsigned entry_depth;
static void *entry_arg_seen;

static __attribute__((noinline)) void aligned_peer(void *arg)
{
    uint64_t pcs[32];

    entry_arg_seen = arg;
    entry_frame = (uintptr_t)__builtin_frame_address(0);
    entry_ret = __builtin_return_address(0);
    entry_saved_rbp = *(uint64_t *)__builtin_frame_address(0);
    entry_depth = hal_backtrace(pcs, 32);
    hal_ctx_switch_final(&peer_ctx, &main_ctx);
}

static void test_new_context_alignment_and_backtrace_end(void **state)
{
    struct hal_boot_info info;

    /* Kernel stacks live in RAM, where hal_backtrace() knows it may walk. */
    assert_int_equal(hosted_ram_init(1 << 20, &info), 0);
    /* Odd sizes and offsets: init must align the top itself. */
    for (size_t skew = 0; skew < 16; skew += 3) {
        char *mem = hal_phys_to_virt(info.regions[0].base);

        entry_frame = 1;
        hal_ctx_init(&peer_ctx, mem + skew, STACK_SIZE - skew, aligned_peer, mem);
        hal_ctx_switch(&main_ctx, &peer_ctx);
        assert_ptr_equal(entry_arg_seen, mem);
        /* rbp after the prologue is 16-aligned iff rsp % 16 == 8 at entry (psABI). */
        assert_int_equal(entry_frame % 16, 0);
        assert_true(entry_frame > (uintptr_t)mem + skew);
        assert_true(entry_frame < (uintptr_t)mem + STACK_SIZE);
#ifndef PETREL_ASAN
        assert_null(entry_ret);               /* NULL return address under entry */
        assert_int_equal(entry_saved_rbp, 0); /* zeroed rbp ends the chain */
        assert_int_equal(entry_depth, 1);     /* hal_backtrace's caller only */
#else
        assert_true(entry_depth >= 1 && entry_depth <= 2); /* + the ASan fiber start */
#endif
    }
    hosted_ram_fini();
}

/* --- several contexts, final switches, stack reuse ------------------------------------------ */

#define NCTX 4
static struct hal_ctx ring_ctx[NCTX];
static int ring_trace[NCTX * 8];
static int ring_n;

static void ring_peer(void *arg)
{
    int id = (int)(intptr_t)arg;

    for (int round = 0; round < 2; round++) {
        ring_trace[ring_n++] = id;
        hal_ctx_switch(&ring_ctx[id], id + 1 < NCTX ? &ring_ctx[id + 1] : &main_ctx);
    }
    hal_ctx_switch_final(&ring_ctx[id], &main_ctx);
}

static void test_ring_of_contexts_and_stack_reuse(void **state)
{
    void *stacks[NCTX];

    for (int pass = 0; pass < 3; pass++) {
        ring_n = 0;
        for (int i = 0; i < NCTX; i++) {
            if (pass == 0)
                stacks[i] = malloc(STACK_SIZE);
            hal_ctx_init(&ring_ctx[i], stacks[i], STACK_SIZE, ring_peer, (void *)(intptr_t)i);
        }
        hal_ctx_switch(&main_ctx, &ring_ctx[0]); /* 0 -> 1 -> 2 -> 3 -> main */
        hal_ctx_switch(&main_ctx, &ring_ctx[0]); /* second round */
        assert_int_equal(ring_n, 2 * NCTX);
        for (int i = 0; i < 2 * NCTX; i++)
            assert_int_equal(ring_trace[i], i % NCTX);
        for (int i = 0; i < NCTX; i++)
            hal_ctx_switch(&main_ctx, &ring_ctx[i]); /* each ends with a final switch */
        /* the stacks are reused by the next pass (ASan must not see stale redzones) */
        for (int i = 0; i < NCTX; i++)
            memset(stacks[i], 0xa5, STACK_SIZE);
    }
    for (int i = 0; i < NCTX; i++)
        free(stacks[i]);
}

/* The kernel runs with deep call chains; a context gets the stack it was given. */
static unsigned deep_result;

static __attribute__((noinline)) unsigned recurse(unsigned n)
{
    volatile char pad[512];

    pad[0] = (char)n;
    return n == 0 ? (unsigned)pad[0] : 1 + recurse(n - 1);
}

static void deep_peer(void *arg)
{
    deep_result = recurse(100);
    hal_ctx_switch_final(&peer_ctx, &main_ctx);
}

static void test_deep_stack_use(void **state)
{
    size_t size = 256 * 1024;
    void *stack = malloc(size);

    hal_ctx_init(&peer_ctx, stack, size, deep_peer, NULL);
    hal_ctx_switch(&main_ctx, &peer_ctx);
    assert_int_equal(deep_result, 100);
    free(stack);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pingpong),
        cmocka_unit_test(test_callee_saved_registers),
        cmocka_unit_test(test_mxcsr_and_fpucw_preserved),
        cmocka_unit_test(test_new_context_alignment_and_backtrace_end),
        cmocka_unit_test(test_ring_of_contexts_and_stack_reuse),
        cmocka_unit_test(test_deep_stack_use),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
