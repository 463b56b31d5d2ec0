/*
 * test_abi_mman.c - core/abi/mman.h against glibc's <sys/mman.h> and, for the constants
 * glibc does not carry, the kernel's <asm/mman.h>/<linux/mman.h> (abi_mman_uapi.c).
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <errno.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/abi/mman.h"
#include "tests/unit/abi/abi_check.h"

void abi_mman_uapi(void **state);

static void test_mman(void **state)
{
    CK(PROT_NONE), CK(PROT_READ), CK(PROT_WRITE), CK(PROT_EXEC), CK(PROT_GROWSDOWN);
    CK(PROT_GROWSUP);
    CK(MAP_SHARED), CK(MAP_PRIVATE), CK(MAP_SHARED_VALIDATE), CK(MAP_TYPE), CK(MAP_FIXED);
    CK(MAP_ANONYMOUS), CK(MAP_32BIT), CK(MAP_GROWSDOWN), CK(MAP_DENYWRITE);
    CK(MAP_EXECUTABLE), CK(MAP_LOCKED), CK(MAP_NORESERVE), CK(MAP_POPULATE);
    CK(MAP_NONBLOCK), CK(MAP_STACK), CK(MAP_HUGETLB), CK(MAP_SYNC), CK(MAP_FIXED_NOREPLACE);
    CK(MAP_HUGE_SHIFT), CK(MAP_HUGE_MASK);
    CK(MADV_NORMAL), CK(MADV_RANDOM), CK(MADV_SEQUENTIAL), CK(MADV_WILLNEED);
    CK(MADV_DONTNEED), CK(MADV_FREE), CK(MADV_REMOVE), CK(MADV_DONTFORK), CK(MADV_DOFORK);
    CK(MADV_MERGEABLE), CK(MADV_UNMERGEABLE), CK(MADV_HUGEPAGE), CK(MADV_NOHUGEPAGE);
    CK(MADV_DONTDUMP), CK(MADV_DODUMP), CK(MADV_WIPEONFORK), CK(MADV_KEEPONFORK);
    CK(MADV_COLD), CK(MADV_PAGEOUT), CK(MADV_POPULATE_READ), CK(MADV_POPULATE_WRITE);
    CK(MADV_HWPOISON);
    CK(MREMAP_MAYMOVE), CK(MREMAP_FIXED), CK(MREMAP_DONTUNMAP);
    CK(MS_ASYNC), CK(MS_INVALIDATE), CK(MS_SYNC);
    CK(MCL_CURRENT), CK(MCL_FUTURE), CK(MCL_ONFAULT), CK(MLOCK_ONFAULT);
    (void)state;
}

/* TASK_SIZE_MAX: the last user page ends there (mmap above fails) and arch_prctl refuses a
 * base at it (GS: glibc does not use it). */
static void test_task_size_native(void **state)
{
    void *p = mmap((void *)(LINUX_TASK_SIZE_MAX - 4096), 4096, PROT_READ,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED)
        EQ("mmap errno below TASK_SIZE_MAX (only EEXIST may refuse)", EEXIST, errno);
    else
        munmap(p, 4096);
    EQ("mmap at TASK_SIZE_MAX", (intptr_t)MAP_FAILED,
       (intptr_t)mmap((void *)LINUX_TASK_SIZE_MAX, 4096, PROT_READ,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0));
    EQ("ARCH_SET_GS below", 0, syscall(SYS_arch_prctl, ARCH_SET_GS, LINUX_TASK_SIZE_MAX - 1));
    EQ("ARCH_SET_GS at TASK_SIZE_MAX", -1,
       syscall(SYS_arch_prctl, ARCH_SET_GS, LINUX_TASK_SIZE_MAX));
    EQ("errno", EPERM, errno);
    syscall(SYS_arch_prctl, ARCH_SET_GS, 0);
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mman),
        cmocka_unit_test(test_task_size_native),
        cmocka_unit_test(abi_mman_uapi),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
