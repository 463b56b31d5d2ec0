/*
 * arch/cc.h - lwIP's compiler and platform glue for Petrel (read by lwip/arch.h).
 *
 * lwIP is built without libc: fixed-width types come from the compiler's freestanding
 * headers, the few string functions lwIP calls from core/lib (through the <string.h> and
 * <stdlib.h> shims in net/port/libc/, visible to lwIP's sources only), the ctype helpers from
 * lwIP's own private implementation (LWIP_NO_CTYPE_H). Assertions and LWIP_ERROR checks never
 * stop the kernel: they are counted and logged (net/port/sys_arch.c, docs/net.md).
 */
#ifndef NET_ARCH_CC_H
#define NET_ARCH_CC_H

#include <stddef.h>
#include <stdint.h>

#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_CTYPE_H 1
#define LWIP_NO_UNISTD_H 1
/* GCC's <limits.h> wants the C library's under -nostdinc: the two limits lwIP uses come from
 * the compiler's predefined macros instead. */
#define LWIP_NO_LIMITS_H 1
#ifndef INT_MAX
#define INT_MAX __INT_MAX__
#endif

/* Format strings for lwIP's diagnostics (x86-64 LP64). */
#define X8_F "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

/* lwIP wants ssize_t and SSIZE_MAX; the LP64 type, so lwIP's headers can sit beside a
 * libc's in host-side tests (repeating an identical typedef is valid C11). */
typedef long ssize_t;
#ifndef SSIZE_MAX
#define SSIZE_MAX __LONG_MAX__
#endif

#ifndef BYTE_ORDER /* a host libc may have it already */
#define BYTE_ORDER LITTLE_ENDIAN
#endif
#define lwip_htons(x) ((u16_t)__builtin_bswap16((u16_t)(x)))
#define lwip_htonl(x) ((u32_t)__builtin_bswap32((u32_t)(x)))

void net_port_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void net_port_assert(const char *msg, const char *file, int line);
void net_port_error(const char *msg, const char *file, int line);
uint32_t net_port_rand(void);
/* lwIP's allocator (lwipopts.h: mem_clib_*), net/port/sys_arch.c */
void *net_mem_malloc(size_t size);
void *net_mem_calloc(size_t n, size_t size);
void net_mem_free(void *p);

#define LWIP_PLATFORM_DIAG(x)                                                              \
    do {                                                                                   \
        net_port_diag x;                                                                   \
    } while (0)
#define LWIP_PLATFORM_ASSERT(x) net_port_assert((x), __FILE__, __LINE__)
/* A failed input check: count it and take lwIP's recovery path. */
#define LWIP_ERROR(message, expression, handler)                                           \
    do {                                                                                   \
        if (!(expression)) {                                                               \
            net_port_error((message), __FILE__, __LINE__);                                 \
            handler;                                                                       \
        }                                                                                  \
    } while (0)
#define LWIP_RAND() net_port_rand()

#endif
