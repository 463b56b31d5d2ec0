/*
 * kstring.h - memory and string functions for freestanding kernel code.
 *
 * The standard names are declared here because the compiler itself emits calls to memcpy,
 * memset, memmove and memcmp. In the freestanding kernel build core/lib/string.c defines them;
 * in hosted builds the host libc provides them (so ASan's interceptors check every call), and
 * the unit test compiles string.c under other names to test Petrel's own implementation.
 */
#ifndef CORE_LIB_KSTRING_H
#define CORE_LIB_KSTRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);

/* Petrel's own: copy at most size-1 bytes and always NUL-terminate (size > 0); returns
 * strlen(src) so truncation is detectable (as BSD strlcpy). */
size_t kstrlcpy(char *dst, const char *src, size_t size);

#endif
