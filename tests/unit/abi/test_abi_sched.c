/*
 * test_abi_sched.c - core/abi/sched.h against glibc's <sched.h>, <sys/wait.h>,
 * <linux/futex.h> (this file) and the kernel's <linux/sched.h> (clone_args, clone3-only
 * flags) and <asm/prctl.h> (abi_sched_uapi.c: <linux/sched.h> redefines glibc's CLONE_*).
 * The FUTEX_WAKE_OP encoder is checked against the kernel by a real futex call.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/abi/sched.h"
#include "tests/unit/abi/abi_check.h"

void abi_sched_uapi(void **state);

static void test_clone_flags(void **state)
{
    CK(CSIGNAL), CK(CLONE_NEWTIME), CK(CLONE_VM), CK(CLONE_FS), CK(CLONE_FILES);
    CK(CLONE_SIGHAND), CK(CLONE_PIDFD), CK(CLONE_PTRACE), CK(CLONE_VFORK), CK(CLONE_PARENT);
    CK(CLONE_THREAD), CK(CLONE_NEWNS), CK(CLONE_SYSVSEM), CK(CLONE_SETTLS);
    CK(CLONE_PARENT_SETTID), CK(CLONE_CHILD_CLEARTID), CK(CLONE_DETACHED), CK(CLONE_UNTRACED);
    CK(CLONE_CHILD_SETTID), CK(CLONE_NEWCGROUP), CK(CLONE_NEWUTS), CK(CLONE_NEWIPC);
    CK(CLONE_NEWUSER), CK(CLONE_NEWPID), CK(CLONE_NEWNET), CK(CLONE_IO);
    CK(SCHED_OTHER), CK(SCHED_FIFO), CK(SCHED_RR), CK(SCHED_BATCH), CK(SCHED_IDLE);
    CK(SCHED_DEADLINE), CK(SCHED_RESET_ON_FORK);
    SZ(struct linux_sched_param, struct sched_param);
    CK(WNOHANG), CK(WUNTRACED), CK(WSTOPPED), CK(WEXITED), CK(WCONTINUED), CK(WNOWAIT);
    CK(__WNOTHREAD), CK(__WALL), CK(__WCLONE);
    CK(P_ALL), CK(P_PID), CK(P_PGID), CK(P_PIDFD);
    (void)state;
}

static void test_futex(void **state)
{
    CK(FUTEX_WAIT), CK(FUTEX_WAKE), CK(FUTEX_FD), CK(FUTEX_REQUEUE), CK(FUTEX_CMP_REQUEUE);
    CK(FUTEX_WAKE_OP), CK(FUTEX_LOCK_PI), CK(FUTEX_UNLOCK_PI), CK(FUTEX_TRYLOCK_PI);
    CK(FUTEX_WAIT_BITSET), CK(FUTEX_WAKE_BITSET), CK(FUTEX_WAIT_REQUEUE_PI);
    CK(FUTEX_CMP_REQUEUE_PI), CK(FUTEX_LOCK_PI2), CK(FUTEX_PRIVATE_FLAG);
    CK(FUTEX_CLOCK_REALTIME), CK(FUTEX_CMD_MASK), CK(FUTEX_BITSET_MATCH_ANY);
    CK(FUTEX_OP_SET), CK(FUTEX_OP_ADD), CK(FUTEX_OP_OR), CK(FUTEX_OP_ANDN), CK(FUTEX_OP_XOR);
    CK(FUTEX_OP_OPARG_SHIFT), CK(FUTEX_OP_CMP_EQ), CK(FUTEX_OP_CMP_NE), CK(FUTEX_OP_CMP_LT);
    CK(FUTEX_OP_CMP_LE), CK(FUTEX_OP_CMP_GT), CK(FUTEX_OP_CMP_GE);
    CK(FUTEX_WAITERS), CK(FUTEX_OWNER_DIED), CK(FUTEX_TID_MASK), CK(ROBUST_LIST_LIMIT);
    /* The encoder and decoders against uapi's FUTEX_OP, including negative 12-bit args. */
    EQ("FUTEX_OP(ADD,1,GT,0)", LINUX_FUTEX_OP(LINUX_FUTEX_OP_ADD, 1, LINUX_FUTEX_OP_CMP_GT, 0),
       FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_GT, 0));
    uint32_t v = LINUX_FUTEX_OP(LINUX_FUTEX_OP_XOR | LINUX_FUTEX_OP_OPARG_SHIFT, -3,
                                LINUX_FUTEX_OP_CMP_LE, -2048);
    EQ("FUTEX_OP(XOR|SHIFT,-3,LE,-2048)", v,
       (uint32_t)FUTEX_OP((FUTEX_OP_XOR | FUTEX_OP_OPARG_SHIFT), -3 & 0xfff, FUTEX_OP_CMP_LE,
                          -2048 & 0xfff));
    EQ("GET_OP", LINUX_FUTEX_OP_GET_OP(v), FUTEX_OP_XOR | FUTEX_OP_OPARG_SHIFT);
    EQ("GET_CMP", LINUX_FUTEX_OP_GET_CMP(v), FUTEX_OP_CMP_LE);
    EQ("GET_OPARG", LINUX_FUTEX_OP_GET_OPARG(v), -3);
    EQ("GET_CMPARG", LINUX_FUTEX_OP_GET_CMPARG(v), -2048);
    (void)state;
}

/* FUTEX_WAKE_OP on the host: *uaddr2 = old + 5 and the comparison old == 7 decide. */
static void test_futex_wake_op_native(void **state)
{
    uint32_t w1 = 0, w2 = 7;
    long r = syscall(SYS_futex, &w1, LINUX_FUTEX_WAKE_OP | LINUX_FUTEX_PRIVATE_FLAG, 1, 1, &w2,
                     LINUX_FUTEX_OP(LINUX_FUTEX_OP_ADD, 5, LINUX_FUTEX_OP_CMP_EQ, 7));
    assert_int_equal(r, 0); /* no waiters on either word */
    EQ("uaddr2 after OP_ADD 5", 12, w2);
    r = syscall(SYS_futex, &w1, LINUX_FUTEX_WAKE_OP | LINUX_FUTEX_PRIVATE_FLAG, 1, 1, &w2,
                LINUX_FUTEX_OP(LINUX_FUTEX_OP_ANDN | LINUX_FUTEX_OP_OPARG_SHIFT, 2,
                               LINUX_FUTEX_OP_CMP_NE, 0));
    assert_int_equal(r, 0);
    EQ("uaddr2 after ANDN 1<<2", 8, w2);
    (void)state;
}

static void test_robust_list(void **state)
{
    SZ(struct linux_robust_list, struct robust_list);
    SZ(struct linux_robust_list_head, struct robust_list_head);
    OFF(struct linux_robust_list_head, list, struct robust_list_head, list);
    OFF(struct linux_robust_list_head, futex_offset, struct robust_list_head, futex_offset);
    OFF(struct linux_robust_list_head, list_op_pending, struct robust_list_head,
        list_op_pending);
    /* The kernel takes exactly this size and no other. */
    struct linux_robust_list_head h = {{(uintptr_t)&h}, 0, 0};
    EQ("set_robust_list(wrong size)", -1, syscall(SYS_set_robust_list, &h, sizeof(h) + 8));
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clone_flags),
        cmocka_unit_test(test_futex),
        cmocka_unit_test(test_futex_wake_op_native),
        cmocka_unit_test(test_robust_list),
        cmocka_unit_test(abi_sched_uapi),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
