/*
 * string.c - memory and string functions.
 *
 * Three ways this file is built (docs/runtime-library.md):
 *   - freestanding kernel (PETREL_FREESTANDING): defines memcpy..strrchr under their standard
 *     names, because nothing else provides them and the compiler emits calls to mem*;
 *   - hosted kernel library: only kstrlcpy; libc supplies the rest so ASan sees every call;
 *   - unit test (PETREL_STRING_TEST): everything, renamed lib_<name> (kstring_test.h).
 *
 * The copies move 8-byte words at any alignment (word_t), and never read past the bytes they
 * were given (ASan checks the test build). The file is compiled with
 * -fno-tree-loop-distribute-patterns (core/lib/CMakeLists.txt) so that GCC does not turn the
 * loops below back into calls to memset/memcpy, which here would recurse forever.
 */
#ifdef PETREL_STRING_TEST
#include "core/lib/kstring_test.h"
#define memcpy lib_memcpy
#define memmove lib_memmove
#define memset lib_memset
#define memcmp lib_memcmp
#define memchr lib_memchr
#define strlen lib_strlen
#define strnlen lib_strnlen
#define strcmp lib_strcmp
#define strncmp lib_strncmp
#define strchr lib_strchr
#define strrchr lib_strrchr
#define kstrlcpy lib_kstrlcpy
#define PETREL_STRING_FULL 1
#else
#include "core/lib/kstring.h"
#ifdef PETREL_FREESTANDING
#define PETREL_STRING_FULL 1
#endif
#endif

#include <stdint.h>

#ifdef PETREL_STRING_FULL

/* A word at any address: x86-64 loads and stores unaligned words at the cost of aligned ones
 * (and aligned(1) tells the compiler so). Under QEMU's TCG each pass of a loop is one
 * translated block, so the copies move 64 bytes a pass whatever the alignment of either side
 * (a frame behind its 14-byte Ethernet header used to go byte by byte), and the last 0-7
 * bytes go as 4, 2 and 1 without a loop. */
typedef uint64_t __attribute__((may_alias, aligned(1))) word_t;
typedef uint32_t __attribute__((may_alias, aligned(1))) half_t;
typedef uint16_t __attribute__((may_alias, aligned(1))) quarter_t;
#define WORD sizeof(word_t)
#define BLOCK (8 * WORD)

/* The last n < 8 bytes, forwards. */
static void copy_tail(unsigned char *d, const unsigned char *s, size_t n)
{
    if (n & 4) {
        *(half_t *)d = *(const half_t *)s;
        d += 4, s += 4;
    }
    if (n & 2) {
        *(quarter_t *)d = *(const quarter_t *)s;
        d += 2, s += 2;
    }
    if (n & 1)
        *d = *s;
}

/* Each block is loaded whole before any of it is stored, and every store lands below the
 * bytes still to be loaded: memmove copies forwards with this whenever dst < src. */
void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    for (; n >= BLOCK; n -= BLOCK, d += BLOCK, s += BLOCK) {
        const word_t *sw = (const word_t *)s;
        word_t *dw = (word_t *)d;
        word_t w0 = sw[0], w1 = sw[1], w2 = sw[2], w3 = sw[3];
        word_t w4 = sw[4], w5 = sw[5], w6 = sw[6], w7 = sw[7];

        dw[0] = w0, dw[1] = w1, dw[2] = w2, dw[3] = w3;
        dw[4] = w4, dw[5] = w5, dw[6] = w6, dw[7] = w7;
    }
    for (; n >= WORD; n -= WORD, d += WORD, s += WORD)
        *(word_t *)d = *(const word_t *)s;
    copy_tail(d, s, n);
    return dst;
}

/* Copy downwards, for an overlapping move to a higher address: from the end, each block
 * loaded whole before it is stored, the odd bytes (at the start) last. */
static void copy_backward(unsigned char *d, const unsigned char *s, size_t n)
{
    d += n;
    s += n;
    for (; n >= BLOCK; n -= BLOCK) {
        d -= BLOCK;
        s -= BLOCK;
        const word_t *sw = (const word_t *)s;
        word_t *dw = (word_t *)d;
        word_t w0 = sw[0], w1 = sw[1], w2 = sw[2], w3 = sw[3];
        word_t w4 = sw[4], w5 = sw[5], w6 = sw[6], w7 = sw[7];

        dw[7] = w7, dw[6] = w6, dw[5] = w5, dw[4] = w4;
        dw[3] = w3, dw[2] = w2, dw[1] = w1, dw[0] = w0;
    }
    for (; n >= WORD; n -= WORD) {
        d -= WORD;
        s -= WORD;
        *(word_t *)d = *(const word_t *)s;
    }
    while (n--)
        *--d = *--s;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if (d == s || n == 0)
        return dst;
    /* Forward copying is safe unless dst starts inside [src, src + n). */
    if ((uintptr_t)d - (uintptr_t)s >= n)
        return memcpy(dst, src, n);
    copy_backward(d, s, n);
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    uint64_t w = (unsigned char)c * 0x0101010101010101ULL;

    for (; n >= BLOCK; n -= BLOCK, d += BLOCK) {
        word_t *dw = (word_t *)d;

        dw[0] = w, dw[1] = w, dw[2] = w, dw[3] = w;
        dw[4] = w, dw[5] = w, dw[6] = w, dw[7] = w;
    }
    for (; n >= WORD; n -= WORD, d += WORD)
        *(word_t *)d = w;
    if (n & 4) {
        *(half_t *)d = (uint32_t)w;
        d += 4;
    }
    if (n & 2) {
        *(quarter_t *)d = (uint16_t)w;
        d += 2;
    }
    if (n & 1)
        *d = (unsigned char)c;
    return dst;
}

/* Equal words are skipped 8 bytes a pass (names in the dentry cache compare equal); the
 * first differing word is then compared byte by byte. */
int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;

    for (; n >= WORD && *(const word_t *)x == *(const word_t *)y; n -= WORD, x += WORD, y += WORD)
        ;
    for (; n; n--, x++, y++) {
        if (*x != *y)
            return *x < *y ? -1 : 1;
    }
    return 0;
}

void *memchr(const void *s, int c, size_t n)
{
    const unsigned char *p = s;

    for (; n; n--, p++) {
        if (*p == (unsigned char)c)
            return (void *)p;
    }
    return NULL;
}

size_t strlen(const char *s)
{
    const char *p = s;

    while (*p)
        p++;
    return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

    while (*x && *x == *y) {
        x++;
        y++;
    }
    return (*x > *y) - (*x < *y);
}

int strncmp(const char *a, const char *b, size_t n)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

    for (; n; n--, x++, y++) {
        if (*x != *y)
            return *x < *y ? -1 : 1;
        if (!*x)
            break;
    }
    return 0;
}

char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (!*s)
            return NULL;
    }
}

char *strrchr(const char *s, int c)
{
    const char *last = NULL;

    for (;; s++) {
        if (*s == (char)c)
            last = s;
        if (!*s)
            return (char *)last;
    }
}

#endif /* PETREL_STRING_FULL */

size_t kstrlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);

    if (size) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}
