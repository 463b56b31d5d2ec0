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
 * The auxiliary vector, in Linux's order: AT_SYSINFO_EHDR (the vDSO, core/vdso; left out without one),
 * AT_MINSIGSTKSZ (when the caller gives one), AT_HWCAP, AT_PAGESZ, AT_CLKTCK (100), AT_PHDR,
 * AT_PHENT, AT_PHNUM, AT_BASE (the interpreter's base; 0: none), AT_FLAGS (0), AT_ENTRY,
 * AT_UID, AT_EUID, AT_GID, AT_EGID (0), AT_SECURE (0), AT_RANDOM, AT_HWCAP2, AT_EXECFN,
 * AT_PLATFORM, AT_NULL.
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
#define AT_SYSINFO_EHDR 33
#define AT_MINSIGSTKSZ 51

#define STACK_MAX_STRLEN (32 * 4096)       /* one argument or variable, NUL included */
#define STACK_MAX_ARGS (VM_STACK_SIZE / 4) /* strings + pointers, as Linux's stack limit / 4 */
#define STACK_AUXV_PAIRS 21                /* most entries written, AT_NULL included */

struct stack_args {
    const char *const *argv; /* argc strings; argc 0 gets one empty string, as Linux 5.18+ */
    size_t argc;
    const char *const *envp;
    size_t envc;
    const char *execfn; /* AT_EXECFN: the path the program was started by */
    const struct elf_info *elf;
    uint64_t hwcap, hwcap2; /* AT_HWCAP, AT_HWCAP2 (the CPU's: hal_cpu_hwcap) */
    uint64_t minsigstksz;   /* AT_MINSIGSTKSZ (stack_minsigstksz); 0: not given */
    uint64_t sysinfo_ehdr;  /* AT_SYSINFO_EHDR: the vDSO's address; 0: no vDSO */
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
/* The size checks of stack_build alone (execve makes them before its point of no return):
 * 0 or -E2BIG. elf may be NULL. Never sleeps. */
int stack_check(const struct stack_args *a);

/*
 * AT_MINSIGSTKSZ as Linux x86-64 computes it (get_sigframe_size): the largest signal frame,
 * siginfo + ucontext (rt_sigframe, 440 bytes) + 15 bytes of alignment, the FPU state
 * (fpu_bytes of XSAVE + the 4-byte FP_XSTATE_MAGIC2 + the 112-byte legacy fsave header
 * Linux reserves for 32-bit frames) + 63 bytes of XSAVE alignment, rounded up to 16.
 */
uint64_t stack_minsigstksz(uint64_t fpu_bytes);

#endif
