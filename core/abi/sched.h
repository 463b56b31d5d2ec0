/*
 * core/abi/sched.h - Linux thread and process creation (CLONE_* flags, clone3's struct
 * clone_args), futex (operations, flags, bitsets, the FUTEX_WAKE_OP encoding, the robust
 * list a thread registers with set_robust_list), scheduling policies and sched_param, and the
 * arch_prctl codes for the thread pointer.
 */
#ifndef CORE_ABI_SCHED_H
#define CORE_ABI_SCHED_H

#include <stddef.h>
#include <stdint.h>

/* clone flags (the low byte of clone's flags is the exit signal). */
#define LINUX_CSIGNAL 0x000000ffu
#define LINUX_CLONE_NEWTIME 0x00000080u
#define LINUX_CLONE_VM 0x00000100u
#define LINUX_CLONE_FS 0x00000200u
#define LINUX_CLONE_FILES 0x00000400u
#define LINUX_CLONE_SIGHAND 0x00000800u
#define LINUX_CLONE_PIDFD 0x00001000u
#define LINUX_CLONE_PTRACE 0x00002000u
#define LINUX_CLONE_VFORK 0x00004000u
#define LINUX_CLONE_PARENT 0x00008000u
#define LINUX_CLONE_THREAD 0x00010000u
#define LINUX_CLONE_NEWNS 0x00020000u
#define LINUX_CLONE_SYSVSEM 0x00040000u
#define LINUX_CLONE_SETTLS 0x00080000u
#define LINUX_CLONE_PARENT_SETTID 0x00100000u
#define LINUX_CLONE_CHILD_CLEARTID 0x00200000u
#define LINUX_CLONE_DETACHED 0x00400000u
#define LINUX_CLONE_UNTRACED 0x00800000u
#define LINUX_CLONE_CHILD_SETTID 0x01000000u
#define LINUX_CLONE_NEWCGROUP 0x02000000u
#define LINUX_CLONE_NEWUTS 0x04000000u
#define LINUX_CLONE_NEWIPC 0x08000000u
#define LINUX_CLONE_NEWUSER 0x10000000u
#define LINUX_CLONE_NEWPID 0x20000000u
#define LINUX_CLONE_NEWNET 0x40000000u
#define LINUX_CLONE_IO 0x80000000u
/* clone3 only (above 32 bits). */
#define LINUX_CLONE_CLEAR_SIGHAND 0x100000000ULL
#define LINUX_CLONE_INTO_CGROUP 0x200000000ULL

/* clone3's argument; callers pass its size (VER0 64 bytes, VER1 80, VER2 88). */
struct linux_clone_args {
    uint64_t flags;
    uint64_t pidfd;       /* user address: int, with CLONE_PIDFD */
    uint64_t child_tid;   /* user address: int, CLONE_CHILD_SETTID/CLEARTID */
    uint64_t parent_tid;  /* user address: int, CLONE_PARENT_SETTID */
    uint64_t exit_signal; /* instead of the CSIGNAL byte */
    uint64_t stack;       /* lowest address of the stack */
    uint64_t stack_size;
    uint64_t tls;         /* with CLONE_SETTLS: the new fs base */
    uint64_t set_tid;     /* VER1 */
    uint64_t set_tid_size;
    uint64_t cgroup;      /* VER2 */
};
#define LINUX_CLONE_ARGS_SIZE_VER0 64
#define LINUX_CLONE_ARGS_SIZE_VER1 80
#define LINUX_CLONE_ARGS_SIZE_VER2 88
_Static_assert(sizeof(struct linux_clone_args) == LINUX_CLONE_ARGS_SIZE_VER2, "clone_args size");
_Static_assert(offsetof(struct linux_clone_args, exit_signal) == 32, "clone_args exit_signal");
_Static_assert(offsetof(struct linux_clone_args, stack) == 40, "clone_args stack");
_Static_assert(offsetof(struct linux_clone_args, tls) == 56, "clone_args tls");
_Static_assert(offsetof(struct linux_clone_args, set_tid) == 64, "clone_args set_tid");
_Static_assert(offsetof(struct linux_clone_args, cgroup) == 80, "clone_args cgroup");

/* futex operations (the low bits of op) and flags. */
#define LINUX_FUTEX_WAIT 0
#define LINUX_FUTEX_WAKE 1
#define LINUX_FUTEX_FD 2
#define LINUX_FUTEX_REQUEUE 3
#define LINUX_FUTEX_CMP_REQUEUE 4
#define LINUX_FUTEX_WAKE_OP 5
#define LINUX_FUTEX_LOCK_PI 6
#define LINUX_FUTEX_UNLOCK_PI 7
#define LINUX_FUTEX_TRYLOCK_PI 8
#define LINUX_FUTEX_WAIT_BITSET 9
#define LINUX_FUTEX_WAKE_BITSET 10
#define LINUX_FUTEX_WAIT_REQUEUE_PI 11
#define LINUX_FUTEX_CMP_REQUEUE_PI 12
#define LINUX_FUTEX_LOCK_PI2 13
#define LINUX_FUTEX_PRIVATE_FLAG 128
#define LINUX_FUTEX_CLOCK_REALTIME 256
#define LINUX_FUTEX_CMD_MASK (~(LINUX_FUTEX_PRIVATE_FLAG | LINUX_FUTEX_CLOCK_REALTIME))
#define LINUX_FUTEX_BITSET_MATCH_ANY 0xffffffffu

/* FUTEX_WAKE_OP's val3: op(4 bits) cmp(4) oparg(12) cmparg(12). */
#define LINUX_FUTEX_OP_SET 0
#define LINUX_FUTEX_OP_ADD 1
#define LINUX_FUTEX_OP_OR 2
#define LINUX_FUTEX_OP_ANDN 3
#define LINUX_FUTEX_OP_XOR 4
#define LINUX_FUTEX_OP_OPARG_SHIFT 8 /* op flag: oparg is a shift count (1 << oparg) */
#define LINUX_FUTEX_OP_CMP_EQ 0
#define LINUX_FUTEX_OP_CMP_NE 1
#define LINUX_FUTEX_OP_CMP_LT 2
#define LINUX_FUTEX_OP_CMP_LE 3
#define LINUX_FUTEX_OP_CMP_GT 4
#define LINUX_FUTEX_OP_CMP_GE 5
#define LINUX_FUTEX_OP(op, oparg, cmp, cmparg)                                                     \
    (((uint32_t)((op) & 0xf) << 28) | ((uint32_t)((cmp) & 0xf) << 24) |                           \
     ((uint32_t)((oparg) & 0xfff) << 12) | (uint32_t)((cmparg) & 0xfff))
/* Decoding: oparg and cmparg are sign-extended 12-bit fields. */
#define LINUX_FUTEX_OP_GET_OP(v) (((uint32_t)(v) >> 28) & 0xf)
#define LINUX_FUTEX_OP_GET_CMP(v) (((uint32_t)(v) >> 24) & 0xf)
#define LINUX_FUTEX_OP_GET_OPARG(v) ((int32_t)((uint32_t)(v) << 8) >> 20)
#define LINUX_FUTEX_OP_GET_CMPARG(v) ((int32_t)((uint32_t)(v) << 20) >> 20)

/* The futex word of a PI or robust lock. */
#define LINUX_FUTEX_WAITERS 0x80000000u
#define LINUX_FUTEX_OWNER_DIED 0x40000000u
#define LINUX_FUTEX_TID_MASK 0x3fffffffu
#define LINUX_ROBUST_LIST_LIMIT 2048 /* entries walked at most at exit */

/* set_robust_list: the head a thread registers (its size is the syscall's len). */
struct linux_robust_list {
    uint64_t next; /* user address of the next struct linux_robust_list */
};
struct linux_robust_list_head {
    struct linux_robust_list list; /* circular: the last entry points back at the head */
    int64_t futex_offset;          /* from an entry to its lock's futex word */
    uint64_t list_op_pending;      /* entry being acquired or released, or 0 */
};
_Static_assert(sizeof(struct linux_robust_list_head) == 24, "robust_list_head size");
_Static_assert(offsetof(struct linux_robust_list_head, futex_offset) == 8, "futex_offset");
_Static_assert(offsetof(struct linux_robust_list_head, list_op_pending) == 16, "op_pending");

/* Scheduling policies and parameters. */
#define LINUX_SCHED_NORMAL 0
#define LINUX_SCHED_OTHER LINUX_SCHED_NORMAL
#define LINUX_SCHED_FIFO 1
#define LINUX_SCHED_RR 2
#define LINUX_SCHED_BATCH 3
#define LINUX_SCHED_IDLE 5
#define LINUX_SCHED_DEADLINE 6
#define LINUX_SCHED_RESET_ON_FORK 0x40000000
struct linux_sched_param {
    int32_t sched_priority;
};
_Static_assert(sizeof(struct linux_sched_param) == 4, "sched_param size");

/* arch_prctl codes. */
#define LINUX_ARCH_SET_GS 0x1001
#define LINUX_ARCH_SET_FS 0x1002
#define LINUX_ARCH_GET_FS 0x1003
#define LINUX_ARCH_GET_GS 0x1004
#define LINUX_ARCH_GET_CPUID 0x1011
#define LINUX_ARCH_SET_CPUID 0x1012

/* wait4/waitid options and idtypes. */
#define LINUX_WNOHANG 0x00000001
#define LINUX_WUNTRACED 0x00000002
#define LINUX_WSTOPPED LINUX_WUNTRACED
#define LINUX_WEXITED 0x00000004
#define LINUX_WCONTINUED 0x00000008
#define LINUX_WNOWAIT 0x01000000
#define LINUX___WNOTHREAD 0x20000000
#define LINUX___WALL 0x40000000
#define LINUX___WCLONE 0x80000000
#define LINUX_P_ALL 0
#define LINUX_P_PID 1
#define LINUX_P_PGID 2
#define LINUX_P_PIDFD 3

#endif
