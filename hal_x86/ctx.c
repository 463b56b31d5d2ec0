/*
 * ctx.c - the C half of the shared context switch: building a new context's first frame.
 *
 * The frame matches the layout drawn in ctx_switch.S. Its return address is
 * hal_x86_ctx_start, which jumps to entry with arg in rdi; rbp is zero and the fake return
 * address under entry is zero, so frame-pointer backtraces end at entry. The stack top is
 * rounded down to 16 bytes and the frame placed so rsp % 16 == 8 at entry, as after a call.
 */
#include <stdint.h>

#include "hal_x86/ctx.h"

#define CTX_FRAME_WORDS 10        /* mxcsr/fpucw, r15, r14, r13, r12, rbx, rbp, ret, pad, pad */
#define CTX_MXCSR_DEFAULT 0x1f80u /* all exceptions masked, round to nearest */
#define CTX_FPUCW_DEFAULT 0x037fu /* all exceptions masked, 64-bit precision, nearest */

void hal_x86_ctx_start(void); /* ctx_switch.S; never called from C */

void hal_x86_ctx_prepare(struct hal_ctx *ctx, void *stack, size_t stack_size, void (*entry)(void *),
                         void *arg)
{
    uintptr_t top = ((uintptr_t)stack + stack_size) & ~(uintptr_t)15;
    uint64_t *frame = (uint64_t *)(top - CTX_FRAME_WORDS * sizeof(uint64_t));

    /* ret pops frame[7], leaving rsp = &frame[8] = top - 16: 16-byte aligned. */
    frame[0] = CTX_MXCSR_DEFAULT | ((uint64_t)CTX_FPUCW_DEFAULT << 32);
    frame[1] = 0;                          /* r15 */
    frame[2] = 0;                          /* r14 */
    frame[3] = (uint64_t)(uintptr_t)arg;   /* r13 */
    frame[4] = (uint64_t)(uintptr_t)entry; /* r12 */
    frame[5] = 0;                          /* rbx */
    frame[6] = 0;                          /* rbp: ends backtraces */
    frame[7] = (uint64_t)(uintptr_t)hal_x86_ctx_start;
    frame[8] = 0;
    frame[9] = 0;
    ctx->sp = (uint64_t)(uintptr_t)frame;
    ctx->stack = stack;
    ctx->stack_size = stack_size;
    ctx->san_fake_stack = NULL;
    ctx->user = NULL;
}

#ifndef PETREL_ASAN
void hal_ctx_init(struct hal_ctx *ctx, void *stack, size_t stack_size, void (*entry)(void *),
                  void *arg)
{
    hal_x86_ctx_prepare(ctx, stack, stack_size, entry, arg);
}
#endif
