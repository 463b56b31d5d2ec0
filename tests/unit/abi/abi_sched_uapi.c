/*
 * abi_sched_uapi.c - core/abi/sched.h against the kernel's <linux/sched.h> (struct
 * clone_args, clone3-only flags) and <asm/prctl.h>. Part of test_abi_sched.
 */
#include <asm/prctl.h>
#include <linux/sched.h>
#include <stddef.h>

#include "core/abi/sched.h"
#include "tests/unit/abi/abi_check.h"

void abi_sched_uapi(void **state);

void abi_sched_uapi(void **state)
{
    typedef struct linux_clone_args A;
    typedef struct clone_args K;
    SZ(A, K);
#define F(f) OFF(A, f, K, f)
    F(flags), F(pidfd), F(child_tid), F(parent_tid), F(exit_signal), F(stack), F(stack_size);
    F(tls), F(set_tid), F(set_tid_size), F(cgroup);
#undef F
    CK(CLONE_ARGS_SIZE_VER0), CK(CLONE_ARGS_SIZE_VER1), CK(CLONE_ARGS_SIZE_VER2);
    CK(CLONE_CLEAR_SIGHAND), CK(CLONE_INTO_CGROUP), CK(CLONE_NEWTIME), CK(CLONE_PIDFD);
    CK(ARCH_SET_GS), CK(ARCH_SET_FS), CK(ARCH_GET_FS), CK(ARCH_GET_GS);
    CK(ARCH_GET_CPUID), CK(ARCH_SET_CPUID);
    (void)state;
}
