/*
 * fuzz_kernel.c - the shared part of the syscall-running harnesses (fuzz_kernel.h).
 *
 * The stack measurement paints below the caller's frame, leaving FRAME_GAP bytes for the
 * painter itself, and scans up from the canary at the stack's bottom (core/sched/thread.c
 * writes one word there) for the first word that is no longer the pattern.
 */
#include "fuzz/driver/fuzz_kernel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/proc/proc.h"
#include "core/sched/sched.h"
#include "core/syscall/syscall.h"

#define PATTERN 0x5afe5afe5afe5afeULL
#define FRAME_GAP 512

static const char *name = "fuzz";
static const uint8_t *in;
static size_t in_len, in_pos;
static size_t deepest; /* the deepest stack use seen in this process, and by what */
static const char *deepest_where = "nothing";

void fuzz_input(const char *harness, const uint8_t *data, size_t size)
{
    name = harness;
    in = data;
    in_len = size;
    in_pos = 0;
}

uint8_t fuzz_byte(void)
{
    return in_pos < in_len ? in[in_pos++] : 0;
}

bool fuzz_more(void)
{
    return in_pos < in_len;
}

uint64_t fuzz_u64(void)
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++)
        v |= (uint64_t)fuzz_byte() << (8 * i);
    return v;
}

void fuzz_broken(const char *what, long v)
{
    fprintf(stderr, "%s: invariant broken: %s (%ld)\n", name, what, v);
    abort();
}

void fuzz_boot(struct hosted_config *c)
{
    static char console[4096];
    int rc;

    hosted_console_capture(console, sizeof(console), false);
    rc = hosted_boot(c);
    hosted_console_capture_stop();
    if (rc != 0) {
        fprintf(stderr, "%.*s", (int)sizeof(console), console); /* the kernel's last words */
        fuzz_broken("hosted_boot", rc);
    }
}

uint64_t fuzz_process(struct proc **out, uint64_t size)
{
    long a;

    if (proc_create(NULL, out))
        fuzz_broken("proc_create", 0);
    proc_attach(*out, NULL);
    a = ksys_call(9, 0, size + 4096, 3, 0x22, (uint64_t)-1, 0);       /* mmap RW, private|anon */
    if (a < 0 || ksys_call(11, (uint64_t)a + size, 4096, 0, 0, 0, 0)) /* munmap the guard */
        fuzz_broken("mmap", a);
    return (uint64_t)a;
}

/* --- kernel stack depth ------------------------------------------------------------------- */

/* Whether the caller runs on its thread's kernel stack (not the boot stack). */
static bool on_kstack(void)
{
    uintptr_t lo = (uintptr_t)thread_current()->kstack, sp = (uintptr_t)__builtin_frame_address(0);

    return sp > lo && sp <= lo + KSTACK_SIZE;
}

static void report(void)
{
    fprintf(stderr, "%s: deepest kernel stack use %zu of %u bytes (%s)\n", name, deepest,
            (unsigned)KSTACK_SIZE, deepest_where);
}

/* Not instrumented: the words below the stack pointer may be poisoned by ASan. */
__attribute__((noinline, no_sanitize_address)) void fuzz_stack_paint(void)
{
    uint64_t *lo = (uint64_t *)thread_current()->kstack + 1; /* above the canary */
    uint64_t *sp = (uint64_t *)((uintptr_t)__builtin_frame_address(0) - FRAME_GAP);

    if (!on_kstack())
        return;
    for (uint64_t *p = lo; p < sp; p++)
        *p = PATTERN;
}

__attribute__((no_sanitize_address)) void fuzz_stack_check(const char *where)
{
    static int measuring = -1; /* FUZZ_STACK set: print each new deepest, abort only past it */
    const uint64_t *lo = (const uint64_t *)thread_current()->kstack + 1;
    const uint64_t *p = lo;
    size_t used;

    if (!on_kstack())
        return;
    if (measuring < 0) {
        measuring = getenv("FUZZ_STACK") != NULL;
        if (measuring)
            atexit(report);
    }
    while (*p == PATTERN)
        p++;
    used = KSTACK_SIZE - (size_t)((const char *)p - (const char *)thread_current()->kstack);
    if (used > deepest) {
        deepest = used;
        deepest_where = where;
        if (measuring)
            fprintf(stderr, "%s: new deepest kernel stack use: %zu bytes (%s)\n", name, used,
                    where);
    }
    if (used + (measuring ? sizeof(uint64_t) : FUZZ_STACK_MARGIN) > KSTACK_SIZE) {
        fprintf(stderr, "%s: %s used %zu of the %u bytes of its kernel stack\n", name, where, used,
                (unsigned)KSTACK_SIZE);
        fuzz_broken("kernel stack nearly full", (long)used);
    }
}
