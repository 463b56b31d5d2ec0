/*
 * abi_mman_uapi.c - core/abi/mman.h constants only the kernel's uapi headers carry.
 * Part of test_abi_mman.
 */
#include <linux/mman.h>

#include "core/abi/mman.h"
#include "tests/unit/abi/abi_check.h"

void abi_mman_uapi(void **state);

void abi_mman_uapi(void **state)
{
    CK(PROT_SEM), CK(MAP_UNINITIALIZED), CK(MADV_SOFT_OFFLINE);
#ifdef MADV_COLLAPSE
    CK(MADV_COLLAPSE);
#endif
#ifdef MADV_DONTNEED_LOCKED
    CK(MADV_DONTNEED_LOCKED);
#endif
    (void)state;
}
