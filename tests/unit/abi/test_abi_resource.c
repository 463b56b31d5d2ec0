/*
 * test_abi_resource.c - core/abi/resource.h against glibc's <sys/resource.h> and
 * <sys/sysinfo.h>.
 */
#define _GNU_SOURCE
#include <sys/resource.h>
#include <sys/sysinfo.h>

#include "core/abi/resource.h"
#include "tests/unit/abi/abi_check.h"

static void test_limits(void **state)
{
    CK(RLIMIT_CPU), CK(RLIMIT_FSIZE), CK(RLIMIT_DATA), CK(RLIMIT_STACK), CK(RLIMIT_CORE);
    CK(RLIMIT_RSS), CK(RLIMIT_NPROC), CK(RLIMIT_NOFILE), CK(RLIMIT_MEMLOCK), CK(RLIMIT_AS);
    CK(RLIMIT_LOCKS), CK(RLIMIT_SIGPENDING), CK(RLIMIT_MSGQUEUE), CK(RLIMIT_NICE);
    CK(RLIMIT_RTPRIO), CK(RLIMIT_RTTIME), CK(RLIM_NLIMITS);
    EQ("RLIM_INFINITY", LINUX_RLIM_INFINITY, (unsigned long long)RLIM_INFINITY);
    CK(RUSAGE_SELF), CK(RUSAGE_CHILDREN), CK(RUSAGE_THREAD);
    CK(PRIO_PROCESS), CK(PRIO_PGRP), CK(PRIO_USER);
    SZ(struct linux_rlimit, struct rlimit);
    OFF(struct linux_rlimit, rlim_max, struct rlimit, rlim_max);
    (void)state;
}

static void test_rusage_sysinfo(void **state)
{
    typedef struct linux_rusage R;
    SZ(R, struct rusage);
#define F(f) OFF(R, f, struct rusage, f)
    F(ru_utime), F(ru_stime), F(ru_maxrss), F(ru_ixrss), F(ru_idrss), F(ru_isrss);
    F(ru_minflt), F(ru_majflt), F(ru_nswap), F(ru_inblock), F(ru_oublock), F(ru_msgsnd);
    F(ru_msgrcv), F(ru_nsignals), F(ru_nvcsw), F(ru_nivcsw);
#undef F
    typedef struct linux_sysinfo S;
    SZ(S, struct sysinfo);
#define F(f) OFF(S, f, struct sysinfo, f)
    F(uptime), F(loads), F(totalram), F(freeram), F(sharedram), F(bufferram), F(totalswap);
    F(freeswap), F(procs), F(totalhigh), F(freehigh), F(mem_unit);
#undef F
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_rusage_sysinfo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
