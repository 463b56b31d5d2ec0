/*
 * abi_fcntl_uapi.c - core/abi/fcntl.h against the kernel's uapi headers, which say what
 * glibc's do not (O_LARGEFILE is 0 in glibc on x86-64; the kernel's __O_SYNC and
 * __O_TMPFILE bits; memfd's newer flags). Part of test_abi_fcntl.
 */
#include <asm/fcntl.h>
#include <linux/memfd.h>

#include "core/abi/fcntl.h"
#include "tests/unit/abi/abi_check.h"

void abi_fcntl_uapi(void **state);

void abi_fcntl_uapi(void **state)
{
    CK(O_LARGEFILE), CK(__O_SYNC), CK(__O_TMPFILE), CK(O_SYNC), CK(O_TMPFILE);
    CK(O_NONBLOCK), CK(O_CLOEXEC), CK(O_DIRECT);
    CK(F_GETOWNER_UIDS);
#ifdef MFD_NOEXEC_SEAL
    CK(MFD_NOEXEC_SEAL), CK(MFD_EXEC);
#endif
    CK(MFD_CLOEXEC), CK(MFD_ALLOW_SEALING), CK(MFD_HUGETLB);
    (void)state;
}
