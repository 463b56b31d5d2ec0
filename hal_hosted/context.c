/*
 * context.c - the hosted hal_ctx_switch/hal_ctx_switch_final: the shared switch
 * (hal_x86/ctx_switch.S), plus which context runs (hosted user mode keeps each thread's state
 * in its context's `user` field, hosted_ctx_user()), plus, in ASan builds, ASan's fiber hooks.
 *
 * Fiber hooks (ASan builds only):
 *
 * ASan tracks one stack per thread; when we move rsp to another stack it must be told, or it
 * reports false stack overflows and loses use-after-return tracking. Every switch is
 * bracketed (hosted-and-fuzzing.md §9.1):
 *
 *   old side:  __sanitizer_start_switch_fiber(&from->san_fake_stack, to's stack)
 *   new side:  __sanitizer_finish_switch_fiber(to's saved fake stack, &old bounds)
 *
 * A context that never ran through hal_ctx_init() (the host thread calling hosted_boot, or
 * the kernel's boot context) has no known stack: the first time someone switches away from
 * it, the new side learns its bounds from finish_switch_fiber and records them, so switching
 * back to it is described correctly. hal_ctx_switch_final() passes NULL to drop the dying
 * context's fake stack, and the new side unpoisons the dead stack, whose redzones would
 * otherwise stay poisoned when the kernel reuses its pages for something else.
 *
 * Without PETREL_ASAN, hal_ctx_init is hal_x86/ctx.c's and the switches only record `to`.
 */
#include <stdint.h>

#include "hal/hal_cpu.h"
#include "hal_hosted/hosted_internal.h"
#include "hal_x86/ctx.h" /* the one shared piece of hal_x86 (DESIGN §2) */

static struct hal_ctx *ctx_running; /* NULL: the host thread's own context, never switched */
static void *host_user;             /* its user state (hal_user_enter on the host thread) */

void **hosted_ctx_user(void)
{
    return ctx_running ? &ctx_running->user : &host_user;
}

void hosted_ctx_reset(void)
{
    ctx_running = NULL;
    host_user = NULL;
}

#ifndef PETREL_ASAN
void hal_ctx_switch(struct hal_ctx *from, struct hal_ctx *to)
{
    ctx_running = to;
    hal_x86_ctx_switch(from, to);
}

void hal_ctx_switch_final(struct hal_ctx *from, struct hal_ctx *to)
{
    ctx_running = to;
    hal_x86_ctx_switch(from, to);
    __builtin_unreachable();
}
#else
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>

struct ctx_start {
    void (*entry)(void *);
    void *arg;
};

static struct hal_ctx *switch_from; /* the context being left (NULL: it is dying) */
static void *dead_stack;            /* the stack of a context that switched away for good */
static size_t dead_stack_size;

static void switch_arrived(void *fake_stack)
{
    const void *old_bottom = NULL;
    size_t old_size = 0;

    __sanitizer_finish_switch_fiber(fake_stack, &old_bottom, &old_size);
    if (switch_from && !switch_from->stack) {
        switch_from->stack = (void *)old_bottom;
        switch_from->stack_size = old_size;
    }
    switch_from = NULL;
    if (dead_stack) {
        __asan_unpoison_memory_region(dead_stack, dead_stack_size);
        dead_stack = NULL;
    }
}

static void ctx_fiber_start(void *p)
{
    struct ctx_start start = *(struct ctx_start *)p;

    switch_arrived(NULL);
    start.entry(start.arg);
    __builtin_trap(); /* entry must end with hal_ctx_switch_final() */
}

void hal_ctx_init(struct hal_ctx *ctx, void *stack, size_t stack_size, void (*entry)(void *),
                  void *arg)
{
    uintptr_t top = ((uintptr_t)stack + stack_size) & ~(uintptr_t)15;
    struct ctx_start *start = (struct ctx_start *)(top - sizeof(struct ctx_start));

    /* A reused stack may carry the redzones of its previous life. */
    __asan_unpoison_memory_region(stack, stack_size);
    start->entry = entry;
    start->arg = arg;
    hal_x86_ctx_prepare(ctx, stack, (uintptr_t)start - (uintptr_t)stack, ctx_fiber_start, start);
    ctx->stack = stack;
    ctx->stack_size = stack_size;
}

void hal_ctx_switch(struct hal_ctx *from, struct hal_ctx *to)
{
    ctx_running = to;
    switch_from = from;
    __sanitizer_start_switch_fiber(&from->san_fake_stack, to->stack, to->stack_size);
    hal_x86_ctx_switch(from, to);
    switch_arrived(from->san_fake_stack);
}

void hal_ctx_switch_final(struct hal_ctx *from, struct hal_ctx *to)
{
    ctx_running = to;
    switch_from = NULL;
    dead_stack = from->stack;
    dead_stack_size = from->stack_size;
    __sanitizer_start_switch_fiber(NULL, to->stack, to->stack_size);
    hal_x86_ctx_switch(from, to);
    __builtin_unreachable();
}
#endif
