/*
 * kstring_test.h - Petrel's own string functions under test names.
 *
 * Hosted builds take memcpy & co. from the host libc (so ASan intercepts every call), which
 * would leave core/lib/string.c untested. The unit test compiles string.c a second time with
 * -DPETREL_STRING_TEST: every function is then renamed lib_<name> (see string.c) and declared
 * here, so the test calls Petrel's implementation side by side with libc's.
 * Not for kernel code.
 */
#ifndef CORE_LIB_KSTRING_TEST_H
#define CORE_LIB_KSTRING_TEST_H

#include <stddef.h>

void *lib_memcpy(void *dst, const void *src, size_t n);
void *lib_memmove(void *dst, const void *src, size_t n);
void *lib_memset(void *dst, int c, size_t n);
int lib_memcmp(const void *a, const void *b, size_t n);
void *lib_memchr(const void *s, int c, size_t n);
size_t lib_strlen(const char *s);
size_t lib_strnlen(const char *s, size_t max);
int lib_strcmp(const char *a, const char *b);
int lib_strncmp(const char *a, const char *b, size_t n);
char *lib_strchr(const char *s, int c);
char *lib_strrchr(const char *s, int c);
size_t lib_kstrlcpy(char *dst, const char *src, size_t size);

#endif
