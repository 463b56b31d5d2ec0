/*
 * fuzz_kernel.h - what the harnesses that run syscalls in a hosted kernel share (syscall,
 * sockets): the input cursor, the invariant report, the boot around one input, the fuzzed
 * process with its user buffer, and the kernel stack depth the input reached.
 *
 * Stack depth: the kernel's threads run on KSTACK_SIZE stacks, and a clang -O0 build with
 * ASan has frames several times larger than the kernels that ship (docs/fuzzing.md "Kernel
 * stacks"). fuzz_stack_paint() fills the unused part of the calling thread's stack with a
 * pattern; fuzz_stack_check() finds how deep it was written since and breaks the invariant
 * when less than FUZZ_STACK_MARGIN bytes were left: an input that nearly overflowed the
 * stack is a crash too, before it corrupts what lies below. FUZZ_STACK=1 measures instead:
 * each new deepest use is printed with the call that reached it (and the deepest at exit),
 * and only a stack used to its last word breaks the invariant.
 */
#ifndef FUZZ_DRIVER_FUZZ_KERNEL_H
#define FUZZ_DRIVER_FUZZ_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal_hosted/hosted.h"

struct proc;

#define FUZZ_STACK_MARGIN 2048

/* The harness's name for messages ("fuzz_syscall"), and the input to decode. */
void fuzz_input(const char *harness, const uint8_t *data, size_t size);
/* The next input byte (0 past the end), the next 8 (little-endian). */
uint8_t fuzz_byte(void);
uint64_t fuzz_u64(void);
/* Whether input bytes are left. */
bool fuzz_more(void);

/* An invariant broke: print it with the harness's name and abort. */
void fuzz_broken(const char *what, long v) __attribute__((noreturn));

/* Boot the hosted kernel with c (c->entry runs the input); the kernel's console is kept and
 * printed if the boot fails (its last words), which breaks the invariant. */
void fuzz_boot(struct hosted_config *c);

/* In the entry: a new process, attached to the caller, with size bytes of user memory
 * (read/write, anonymous) followed by an unmapped page. Returns the memory's address. */
uint64_t fuzz_process(struct proc **out, uint64_t size);

/* Kernel stack use of the calling thread (see above); where: what ran (a syscall's name). */
void fuzz_stack_paint(void);
void fuzz_stack_check(const char *where);

#endif
