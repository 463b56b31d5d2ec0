/*
 * ctx.h - the shared x86-64 context switch (ctx_switch.S, ctx.c), seen from C.
 *
 * Both backends compile these two files: this is the one piece of code they share (DESIGN
 * §2). Each backend wraps the raw switch as hal_ctx_switch/hal_ctx_switch_final to record
 * which context runs (hal_x86/usermode.c; hal_hosted/context.c, with ASan's fiber hooks in
 * ASan builds); everything else goes through hal/hal_cpu.h.
 */
#ifndef HAL_X86_CTX_H
#define HAL_X86_CTX_H

#include <stddef.h>

#include "hal/hal_cpu.h"

/* The raw switch: save callee-saved state and rsp in from->sp, resume to->sp. */
void hal_x86_ctx_switch(struct hal_ctx *from, struct hal_ctx *to);

/* Build the initial frame on stack so the first switch to ctx runs entry(arg) (no ASan
 * hooks; hal_ctx_init() is this in every build but hosted ASan). */
void hal_x86_ctx_prepare(struct hal_ctx *ctx, void *stack, size_t stack_size, void (*entry)(void *),
                         void *arg);

#endif
