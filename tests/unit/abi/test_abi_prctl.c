/*
 * test_abi_prctl.c - core/abi/prctl.h against <linux/prctl.h> and <linux/capability.h>,
 * and the defaults the host kernel reports (timer slack, dumpable, the last capability).
 */
#define _GNU_SOURCE
#include <linux/capability.h>
#include <linux/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/abi/prctl.h"
#include "tests/unit/abi/abi_check.h"

static void test_prctl(void **state)
{
    CK(PR_SET_PDEATHSIG), CK(PR_GET_PDEATHSIG), CK(PR_GET_DUMPABLE), CK(PR_SET_DUMPABLE);
    CK(PR_SET_NAME), CK(PR_GET_NAME), CK(PR_CAPBSET_READ), CK(PR_SET_TIMERSLACK);
    CK(PR_GET_TIMERSLACK), CK(PR_SET_CHILD_SUBREAPER), CK(PR_GET_CHILD_SUBREAPER);
    CK(PR_SET_NO_NEW_PRIVS), CK(PR_GET_NO_NEW_PRIVS), CK(CAP_LAST_CAP);
    EQ("PR_GET_TIMERSLACK", LINUX_TIMER_SLACK_DEFAULT_NS, syscall(SYS_prctl, PR_GET_TIMERSLACK));
    EQ("PR_GET_DUMPABLE", LINUX_SUID_DUMP_USER, syscall(SYS_prctl, PR_GET_DUMPABLE));
    EQ("PR_CAPBSET_READ(last)", 1, syscall(SYS_prctl, PR_CAPBSET_READ, LINUX_CAP_LAST_CAP));
    EQ("PR_CAPBSET_READ(last + 1)", -1,
       syscall(SYS_prctl, PR_CAPBSET_READ, LINUX_CAP_LAST_CAP + 1));
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_prctl)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
