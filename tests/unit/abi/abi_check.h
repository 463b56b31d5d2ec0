/*
 * abi_check.h - helpers of the core/abi checks (tests/unit/abi/). Each check compares one of
 * our values, sizes or offsets with the host's (libc or kernel uapi headers, or the running
 * kernel itself) and names the item on failure. Linux is the oracle.
 *
 *   CK(NAME)                    LINUX_NAME == NAME (host macro or enumerator)
 *   EQ(what, ours, theirs)      any two integers
 *   SZ(ours, theirs)            sizeof of two types
 *   OFF(ours_t, of, theirs_t, tf)  offsetof two fields, and their sizes
 */
#ifndef TESTS_UNIT_ABI_CHECK_H
#define TESTS_UNIT_ABI_CHECK_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

static inline void abi_eq(const char *what, long long ours, long long theirs, const char *file,
                          int line)
{
    if (ours != theirs) {
        print_error("%s: ours %lld (0x%llx), Linux %lld (0x%llx)\n", what, ours,
                    (unsigned long long)ours, theirs, (unsigned long long)theirs);
        _fail(file, line);
    }
}

#define EQ(what, ours, theirs)                                                                     \
    abi_eq((what), (long long)(ours), (long long)(theirs), __FILE__, __LINE__)
#define CK(NAME) EQ(#NAME, LINUX_##NAME, NAME)
#define SZ(ours, theirs) EQ("sizeof " #theirs, sizeof(ours), sizeof(theirs))
#define FSZ(t, f) sizeof(((t *)0)->f)
#define OFF(ot, of, tt, tf)                                                                        \
    (EQ("offsetof(" #tt ", " #tf ")", offsetof(ot, of), offsetof(tt, tf)),                         \
     EQ("sizeof " #tt "." #tf, FSZ(ot, of), FSZ(tt, tf)))

#endif
