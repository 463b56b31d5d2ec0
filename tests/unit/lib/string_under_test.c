/*
 * string_under_test.c - core/lib/string.c built under test names (lib_memcpy, ...), so the
 * test exercises Petrel's implementations while the rest of the process uses libc's.
 */
#define PETREL_STRING_TEST 1
#include "core/lib/string.c"
