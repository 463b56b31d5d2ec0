/*
 * stack.h - the initial user stack of a new program, laid out exactly as Linux x86-64 does.
 *
 *   stack_top ->  8 zero bytes
 *                 AT_EXECFN string
 *                 envp strings (envp[0] lowest), argv strings (argv[0] lowest)
 *                 (aligned down to 16)
 *                 "x86_64\0" (AT_PLATFORM)
 *                 16 random bytes (AT_RANDOM)
 *                 padding so that rsp % 16 == 0
 *                 auxv pairs ... AT_NULL, 0
 *                 0, envp[envc-1] ... envp[0]
 *                 0, argv[argc-1] ... argv[0]
 *   rsp ------->  argc
 *
 * The auxiliary vector, in Linux's order: AT_HWCAP, AT_PAGESZ, AT_CLKTCK (100), AT_PHDR,
 * AT_PHENT, AT_PHNUM, AT_BASE (0: no interpreter), AT_FLAGS (0), AT_ENTRY, AT_UID, AT_EUID,
 * AT_GID, AT_EGID (0), AT_SECURE (0), AT_RANDOM, AT_HWCAP2, AT_EXECFN, AT_PLATFORM, AT_NULL.
 */
#ifndef CORE_PROC_STACK_H
#define CORE_PROC_STACK_H

#include <stddef.h>
#include <stdint.h>

#include "core/mm/vm.h"
#include "core/proc/elf.h"

#define AT_NULL 0
#define AT_PHDR 3
#define AT_PHENT 4
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_BASE 7
#define AT_FLAGS 8
#define AT_ENTRY 9
#define AT_UID 11
#define AT_EUID 12
#define AT_GID 13
#define AT_EGID 14
#define AT_PLATFORM 15
#define AT_HWCAP 16
#define AT_CLKTCK 17
#define AT_SECURE 23
#define AT_RANDOM 25
#define AT_HWCAP2 26
#define AT_EXECFN 31

#define STACK_MAX_STRLEN (32 * 4096)       /* one argument or variable, NUL included */
#define STACK_MAX_ARGS (VM_STACK_SIZE / 4) /* strings + pointers, as Linux's stack limit / 4 */
#define STACK_AUXV_PAIRS 19                /* entries written, AT_NULL included */

struct stack_args {
    const char *const *argv; /* argc strings; argc 0 gets one empty string, as Linux 5.18+ */
    size_t argc;
    const char *const *envp;
    size_t envc;
    const char *execfn; /* AT_EXECFN: the path the program was started by */
    const struct elf_info *elf;
    uint64_t hwcap, hwcap2; /* AT_HWCAP, AT_HWCAP2 (the CPU's: CPUID leaf 1 edx on x86) */
};

/* Where things went (for the thread start, and tests). */
struct stack_layout {
    uint64_t sp;       /* initial rsp: argc; 16-byte aligned */
    uint64_t argv;     /* argv[0] pointer slot */
    uint64_t envp;     /* envp[0] pointer slot */
    uint64_t auxv;     /* first auxv pair */
    uint64_t execfn;   /* AT_EXECFN string */
    uint64_t platform; /* AT_PLATFORM string */
    uint64_t random;   /* AT_RANDOM bytes */
};

/*
 * Build the initial stack at s->stack_top through copy_to_user. s must be the current space
 * (vm_activate). Returns 0, -E2BIG (a string over STACK_MAX_STRLEN, or everything over
 * STACK_MAX_ARGS), -ENOMEM or -EFAULT. May sleep.
 */
int stack_build(struct vm_space *s, const struct stack_args *a, struct stack_layout *out);

#endif
